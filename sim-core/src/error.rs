//! Simulation-level errors: what a machine reports when it cannot go on, as opposed to
//! architectural outcomes (traps) that the guest sees.

use crate::clock::ClockError;
use crate::mem::{FrameError, MemError};

/// A simulation-level failure.
///
/// ```
/// use sim_core::SimError;
/// use sim_core::mem::MemError;
/// use sim_core::HostPhysAddr;
///
/// let e: SimError = MemError::NotRam(HostPhysAddr::new(0x1000)).into();
/// assert_eq!(e.to_string(), "no RAM at host-physical address 0x1000");
/// let e = SimError::Unsupported("Sv57x4");
/// assert_eq!(e.to_string(), "unsupported feature: Sv57x4");
/// ```
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SimError {
    /// A memory operation failed.
    #[error(transparent)]
    Mem(#[from] MemError),
    /// A frame could not be allocated or freed.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The virtual clock configuration is invalid.
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// A feature that is not modelled (yet). The string names it, e.g. `"Sv57x4"`.
    #[error("unsupported feature: {0}")]
    Unsupported(&'static str),
    /// A configuration that cannot be built, e.g. zero harts. The string says what is wrong.
    #[error("invalid configuration: {0}")]
    InvalidConfig(&'static str),
    /// The instruction budget ran out: a clean, distinct stop, not a failure of the guest.
    #[error("instruction budget of {0} exhausted")]
    BudgetExhausted(u64),
}
