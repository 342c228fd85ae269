//! The error type of the vCPU layer.
//!
//! One non-generic, `Copy` enum for the manager and every architecture, so a VMM handles
//! all three ISAs with one `match`, property tests can compare errors with `==`, and the
//! error path never allocates (the crate is `no_std`).

use core::fmt;

use crate::hal::HalError;
use crate::id::VCpuKey;
use crate::state::{VCpuOp, VCpuState};

/// Why a vCPU, per-CPU or HAL operation failed.
///
/// Errors come in two classes, told apart by [`VCpuError::is_rejection`]:
/// - *rejections* mean nothing happened: the call was refused before it changed anything
///   (illegal state, bad argument, busy physical CPU ...). The vCPU keeps its state.
/// - *failures* ([`VCpuError::Arch`], [`VCpuError::Hal`], [`VCpuError::Unsupported`]) mean
///   the architecture may have done part of the work. The manager then marks the vCPU
///   [`VCpuState::Invalid`], as axvcpu does.
///
/// ```
/// use vcpu::{VCpuError, VCpuOp, VCpuState};
/// let e = VCpuError::InvalidState { op: VCpuOp::Run, state: VCpuState::Free };
/// assert!(e.is_rejection());
/// assert_eq!(e.to_string(), "run is not allowed in state free");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum VCpuError {
    /// The operation is not legal in the vCPU's current state.
    #[error("{op} is not allowed in state {state}")]
    InvalidState {
        /// The refused operation.
        op: VCpuOp,
        /// The state the vCPU was (and still is) in.
        state: VCpuState,
    },
    /// No general-purpose register with this index on this architecture.
    #[error("no general-purpose register {idx}")]
    BadGpr {
        /// The rejected index.
        idx: usize,
    },
    /// The architecture cannot inject this interrupt vector.
    #[error("cannot inject interrupt vector {vector}")]
    BadVector {
        /// The rejected vector.
        vector: usize,
    },
    /// A configuration or argument is impossible (the text names which).
    #[error("bad configuration: {0}")]
    BadConfig(&'static str),
    /// The physical CPU already has a vCPU bound.
    #[error("physical CPU {pcpu} is busy with {current}")]
    PCpuBusy {
        /// The physical CPU.
        pcpu: usize,
        /// The vCPU bound there.
        current: VCpuKey,
    },
    /// The vCPU is not bound on the physical CPU it was handed.
    #[error("vCPU is not bound on physical CPU {pcpu}")]
    NotBoundHere {
        /// The physical CPU that was passed in.
        pcpu: usize,
    },
    /// The vCPU may not run on this physical CPU.
    #[error("physical CPU {pcpu} is outside the vCPU's affinity set")]
    AffinityViolation {
        /// The physical CPU that was passed in.
        pcpu: usize,
    },
    /// Virtualization is not enabled on the physical CPU (`hardware_enable` not called).
    #[error("virtualization is not enabled on physical CPU {pcpu}")]
    HardwareDisabled {
        /// The physical CPU.
        pcpu: usize,
    },
    /// A feature the architecture or its model does not implement yet.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The architecture layer failed.
    #[error(transparent)]
    Arch(#[from] ArchError),
    /// Frame allocation or address translation failed.
    #[error(transparent)]
    Hal(#[from] HalError),
}

impl VCpuError {
    /// Whether the error is a rejection: the call changed nothing, so the vCPU keeps its
    /// state. All other errors are failures and make the vCPU [`VCpuState::Invalid`].
    ///
    /// An architecture implementation must return a rejection only if it really changed
    /// nothing.
    ///
    /// ```
    /// use vcpu::{ArchError, VCpuError};
    /// assert!(VCpuError::BadGpr { idx: 99 }.is_rejection());
    /// assert!(!VCpuError::Arch(ArchError::new("riscv", "firmware refused")).is_rejection());
    /// ```
    pub const fn is_rejection(&self) -> bool {
        match self {
            Self::InvalidState { .. }
            | Self::BadGpr { .. }
            | Self::BadVector { .. }
            | Self::BadConfig(_)
            | Self::PCpuBusy { .. }
            | Self::NotBoundHere { .. }
            | Self::AffinityViolation { .. }
            | Self::HardwareDisabled { .. } => true,
            Self::Unsupported(_) | Self::Arch(_) | Self::Hal(_) => false,
        }
    }
}

/// A failure inside an architecture implementation, without allocation: which
/// architecture, what went wrong, and an optional value (a CSR number, an error code from
/// the hardware or firmware, an address).
///
/// ```
/// use vcpu::ArchError;
/// let e = ArchError::new("x86", "VMfailValid").with_value(7);
/// assert_eq!(e.to_string(), "x86: VMfailValid (0x7)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ArchError {
    /// The architecture, e.g. `"riscv"`.
    pub arch: &'static str,
    /// What failed.
    pub what: &'static str,
    /// A value that identifies the failure further, if any.
    pub value: Option<u64>,
}

impl ArchError {
    /// A failure without a value.
    pub const fn new(arch: &'static str, what: &'static str) -> Self {
        Self {
            arch,
            what,
            value: None,
        }
    }

    /// The same failure with a value attached.
    pub const fn with_value(self, value: u64) -> Self {
        Self {
            value: Some(value),
            ..self
        }
    }
}

impl fmt::Display for ArchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.arch, self.what)?;
        if let Some(v) = self.value {
            write!(f, " ({v:#x})")?;
        }
        Ok(())
    }
}

impl core::error::Error for ArchError {}
