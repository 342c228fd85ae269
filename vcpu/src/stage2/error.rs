//! Why building or walking a stage-2 table failed.

use sim_core::{GuestPhysAddr, HostPhysAddr};

use super::memory::TableMemError;

/// A stage-2 table operation that could not be done. Nothing is half-mapped on a rejection
/// ([`Stage2Error::Unaligned`], [`Stage2Error::OutOfRange`]); a [`Stage2Error::Overlap`] or
/// memory failure in the middle of [`super::GStageTable::map`] leaves the pages before the
/// failing one mapped.
///
/// ```
/// use sim_core::GuestPhysAddr;
/// use vcpu::stage2::Stage2Error;
/// let e = Stage2Error::Overlap { gpa: GuestPhysAddr::new(0x8000_0000) };
/// assert_eq!(e.to_string(), "guest-physical page 0x80000000 is already mapped");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum Stage2Error {
    /// An address or the size is not a multiple of 4 KiB, or the size is zero.
    #[error("stage-2 mapping {gpa} -> {hpa} of {size:#x} bytes is empty or not 4 KiB aligned")]
    Unaligned {
        /// Guest-physical start.
        gpa: GuestPhysAddr,
        /// Host-physical start.
        hpa: HostPhysAddr,
        /// Size in bytes.
        size: u64,
    },
    /// The range does not fit the scheme's guest-physical address width (41 bits for Sv39x4,
    /// 50 for Sv48x4) or the host-physical range does not fit a PTE's 44-bit PPN.
    #[error(
        "stage-2 range at {gpa} of {size:#x} bytes is outside the {bits}-bit guest-physical space of {mode}"
    )]
    OutOfRange {
        /// Guest-physical start.
        gpa: GuestPhysAddr,
        /// Size in bytes.
        size: u64,
        /// The scheme's guest-physical address width.
        bits: u32,
        /// The scheme's name.
        mode: &'static str,
    },
    /// A page of the range is already mapped.
    #[error("guest-physical page {gpa} is already mapped")]
    Overlap {
        /// The first page found mapped.
        gpa: GuestPhysAddr,
    },
    /// The table memory failed.
    #[error(transparent)]
    Memory(#[from] TableMemError),
}
