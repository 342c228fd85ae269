//! A scriptable architecture for tests: [`MockVCpu`], [`MockPerCpu`] and the
//! [`MockHardware`] handle they run on.
//!
//! The mock plays exits from a script, records every call that reaches it, and can be told
//! to fail the next call of a given kind. Its hardware handle models the little state a
//! real physical CPU holds for a vCPU (virtualization enabled, the loaded stage-2 root), so
//! a test notices when the manager lets a vCPU run on the wrong physical CPU.

mod hw;
mod percpu;
mod vcpu;

pub use hw::MockHardware;
pub use percpu::MockPerCpu;
pub use vcpu::{MOCK_GPRS, MOCK_VECTORS, MockCall, MockConfig, MockOp, MockVCpu};
