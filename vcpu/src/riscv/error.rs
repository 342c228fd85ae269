//! Errors of the RISC-V vCPU. None of them is reachable from guest input alone: a guest
//! action always ends in a trap into the guest or an exit. These report host-side problems
//! (a missing H extension, a CSR the hart refuses, a configuration the hart cannot honour).

use hw_models::riscv::hw::HwTrap;

use super::config::GStageMode;

/// Why a RISC-V vCPU or per-CPU operation failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum RiscvVCpuError {
    /// Reading hstatus raised an exception: the hart has no H extension.
    #[error("the hart has no H extension (reading hstatus raised cause {cause})")]
    NoHypervisorExtension {
        /// The exception code the probe raised.
        cause: u64,
    },
    /// A CSR access that the H extension guarantees raised an exception.
    #[error("CSR {csr:#x} access raised cause {cause}")]
    Csr {
        /// The CSR number.
        csr: u16,
        /// The exception code.
        cause: u64,
    },
    /// hgatp did not keep the requested G-stage translation mode (WARL, norm:hgatp_mode_warl).
    #[error("G-stage mode {} is not supported by this hart (hgatp read back MODE={read_back})", mode.name())]
    UnsupportedGStageMode {
        /// The requested mode.
        mode: GStageMode,
        /// The MODE field read back.
        read_back: u64,
    },
    /// hgatp did not keep the configured VMID (VMIDLEN too small, norm:hgatp_vmid).
    #[error("VMID {vmid:#x} does not fit this hart's VMIDLEN (read back {read_back:#x})")]
    UnsupportedVmid {
        /// The configured VMID.
        vmid: u16,
        /// The VMID read back.
        read_back: u64,
    },
    /// The G-stage root is not 16 KiB aligned (norm:hgatp_ppn_op).
    #[error("G-stage root {root:#x} is not 16 KiB aligned")]
    MisalignedRoot {
        /// The rejected host-physical address.
        root: u64,
    },
    /// `bind` before `set_ept_root`: with hgatp Bare the guest would reach all of host
    /// physical memory, so hvsim refuses.
    #[error("no G-stage root: call set_ept_root before bind")]
    NoEptRoot,
    /// The operation needs the vCPU bound to this hart.
    #[error("the vCPU is not bound to a hart")]
    NotBound,
    /// The vCPU is already bound.
    #[error("the vCPU is already bound to a hart")]
    AlreadyBound,
    /// `run` before `setup`.
    #[error("the vCPU is not set up")]
    NotSetUp,
    /// No such general-purpose register (x0..x31).
    #[error("no general-purpose register x{idx}")]
    BadGpr {
        /// The rejected index.
        idx: usize,
    },
    /// The interrupt vector is not one the guest can receive (see docs/riscv-vcpu.md).
    #[error("cannot inject interrupt vector {vector}")]
    BadVector {
        /// The rejected vector.
        vector: usize,
    },
    /// A trap that cannot come from V=1 reached the hypervisor (ECALL from HS or M): the
    /// hardware below is inconsistent.
    #[error("unexpected trap from the guest: scause {scause:#x} at sepc {sepc:#x}")]
    UnexpectedTrap {
        /// scause.
        scause: u64,
        /// sepc.
        sepc: u64,
    },
    /// The configuration is impossible (the text says which field).
    #[error("bad RISC-V vCPU configuration: {0}")]
    BadConfig(&'static str),
}

impl RiscvVCpuError {
    /// The error for a CSR access that trapped.
    pub(crate) const fn csr(csr: u16, trap: HwTrap) -> Self {
        Self::Csr {
            csr,
            cause: trap.cause,
        }
    }
}

/// Result alias for this module.
pub type Result<T, E = RiscvVCpuError> = core::result::Result<T, E>;
