//! hvsim: run hypervisor vCPU code against software models of virtualization hardware.
//!
//! This root package is the std side of the project: it loads guest images ([`image`]),
//! describes what this build contains ([`build_info`]), and (as it grows) hosts the Machine,
//! the CLI's commands and the test kit. The hardware models, the vCPU layer and the
//! architecture-free primitives live in the `no_std` crates `hw-models`, `vcpu` and
//! `sim-core`; see docs/ARCHITECTURE.md.

pub mod arch;
pub mod bare;
pub mod build_info;
pub mod image;
pub mod machine;
pub mod machine_riscv;
pub mod testkit;

pub use arch::Arch;
pub use machine::{Machine, MachineBuilder};
