//! Simulation-level errors.

/// A simulation-level failure.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SimError {
    /// A memory operation failed.
    #[error(transparent)]
    Mem(#[from] crate::mem::MemError),
}
