//! The vCPU layer: an architecture-independent manager ([`VCpu`]) over one architecture
//! vCPU per ISA, written only against hw-models' hardware traits.
//!
//! The vocabulary is ArceOS axvcpu's: [`ArchVCpu`], [`ExitReason`], [`ArchPerCpu`],
//! setup/bind/run/unbind. Unlike axvcpu there is no global state: the physical CPU's
//! per-CPU state ([`PerCpu`]) and its hardware handle are passed to every call that needs
//! them, so many machines can run in one process. See `docs/vcpu.md`.
//!
//! - [`VCpu`]: the checked lifecycle (Created → Free → Ready ⇄ Running, Blocked, Invalid).
//! - [`ArchVCpu`], [`ArchPerCpu`]: what each architecture implements.
//! - [`ExitReason`]: why `run` returned, with [`ExitReason::with_fields`] for traces.
//! - [`VCpuHal`]: frames and address translation; [`SimHal`] over `sim_core` memory.
//! - [`mock`]: a scriptable architecture for tests.
//! - [`stage2`]: the G-stage table builder the VMM uses (Sv39x4, Sv48x4).
#![no_std]

extern crate alloc;

mod affinity;
mod arch;
mod error;
mod exit;
mod hal;
mod id;
pub mod mock;
mod percpu;
pub mod riscv;
pub mod stage2;
mod state;
mod vcpu;

pub use affinity::PCpuSet;
pub use arch::ArchVCpu;
pub use error::{ArchError, VCpuError};
pub use exit::{
    AccessFlags, ExitReason, MAX_EXIT_FIELDS, SHUTDOWN_REASON_NONE, SHUTDOWN_REASON_SYSTEM_FAILURE,
    ShutdownKind, SysRegAddr,
};
pub use hal::{HalError, HostVirtAddr, SimHal, VCpuHal};
pub use id::VCpuKey;
pub use percpu::{ArchPerCpu, PerCpu};
pub use state::{VCpuOp, VCpuState};
pub use vcpu::{VCpu, VCpuParams};
