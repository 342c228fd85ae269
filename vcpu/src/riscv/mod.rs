//! The RISC-V vCPU: a guest hart on the H extension, driven only through
//! [`hw_models::riscv::hw::RiscvHardware`] (upstream riscv_vcpu's `RISCVVCpu` and
//! `RISCVPerCpu`, without its panics).
//!
//! - [`RiscvPerCpu`]: per physical hart (delegation, counters, H-extension check).
//! - [`RiscvVCpu`]: one guest hart: lifecycle, `run`, exit handling, SBI for the guest.
//!
//! `run` returns the shared [`crate::ExitReason`]; docs/riscv-vcpu.md has the exit table.
//!
//! Design, exit table and decisions: docs/riscv-vcpu.md; the SBI implementation:
//! docs/sbi.md.

mod arch;
pub mod bits;
pub mod config;
mod csr;
#[doc(hidden)]
pub mod doc_support;
pub mod error;
pub mod fetch;
pub mod irq;
pub mod mmio;
pub mod percpu;
pub mod reflect;
pub mod regs;
pub mod remote_fence;
mod run;
pub mod sbi;
pub mod timer;
mod trap;
pub mod vcpu;

pub use config::{GStageMode, RiscvVCpuConfig};
pub use error::RiscvVCpuError;
pub use percpu::RiscvPerCpu;
pub use regs::VmCpuRegisters;
pub use remote_fence::RemoteFences;
pub use sbi::hsm::HartState;
pub use vcpu::RiscvVCpu;
