//! Sv39/Sv48 page-table entries, which G-stage tables use unchanged
//! (norm:hgatp_mode_x4: "all page table entries (PTEs) have the same formats").

use sim_core::HostPhysAddr;

use crate::exit::AccessFlags;

/// One page-table entry.
///
/// ```
/// use sim_core::HostPhysAddr;
/// use vcpu::AccessFlags;
/// use vcpu::stage2::Pte;
/// let leaf = Pte::leaf(HostPhysAddr::new(0x8020_0000), AccessFlags::ALL);
/// assert!(leaf.is_valid() && leaf.is_leaf());
/// assert_eq!(leaf.addr(), HostPhysAddr::new(0x8020_0000));
/// assert_eq!(leaf.bits() & 0xff, 0xdf); // D A U X W R V
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Pte(u64);

impl Pte {
    /// V: the entry is valid.
    pub const V: u64 = 1 << 0;
    /// R: readable.
    pub const R: u64 = 1 << 1;
    /// W: writable.
    pub const W: u64 = 1 << 2;
    /// X: executable.
    pub const X: u64 = 1 << 3;
    /// U: accessible in U-mode; every G-stage access is checked as U-mode.
    pub const U: u64 = 1 << 4;
    /// G: global mapping.
    pub const G: u64 = 1 << 5;
    /// A: accessed.
    pub const A: u64 = 1 << 6;
    /// D: dirty.
    pub const D: u64 = 1 << 7;
    /// The PPN field starts at bit 10.
    pub const PPN_SHIFT: u32 = 10;
    /// The PPN field is 44 bits wide.
    pub const PPN_MASK: u64 = (1 << 44) - 1;

    /// An entry from its raw bits.
    pub const fn from_bits(bits: u64) -> Self {
        Self(bits)
    }

    /// The raw bits.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// A pointer to the next-level table at `table`: V only. For non-leaf PTEs the D, A and
    /// U bits are reserved and must be clear (priv spec, Sv39 "PTE format").
    pub const fn table(table: HostPhysAddr) -> Self {
        Self(((table.as_u64() >> 12) & Self::PPN_MASK) << Self::PPN_SHIFT | Self::V)
    }

    /// A leaf mapping `page` with permissions `perms`, U, A and D set. A write-only
    /// combination (W without R) is reserved, so W always brings R along.
    pub const fn leaf(page: HostPhysAddr, perms: AccessFlags) -> Self {
        let mut bits = Self::V | Self::U | Self::A | Self::D;
        if perms.contains(AccessFlags::READ) || perms.contains(AccessFlags::WRITE) {
            bits |= Self::R;
        }
        if perms.contains(AccessFlags::WRITE) {
            bits |= Self::W;
        }
        if perms.contains(AccessFlags::EXECUTE) {
            bits |= Self::X;
        }
        Self(((page.as_u64() >> 12) & Self::PPN_MASK) << Self::PPN_SHIFT | bits)
    }

    /// V is set.
    pub const fn is_valid(self) -> bool {
        self.0 & Self::V != 0
    }

    /// A valid entry with any of R, W, X set is a leaf; otherwise it points to a table.
    pub const fn is_leaf(self) -> bool {
        self.is_valid() && self.0 & (Self::R | Self::W | Self::X) != 0
    }

    /// The physical address the PPN names.
    pub const fn addr(self) -> HostPhysAddr {
        HostPhysAddr::new(((self.0 >> Self::PPN_SHIFT) & Self::PPN_MASK) << 12)
    }

    /// The R/W/X permissions of a leaf.
    pub const fn perms(self) -> AccessFlags {
        let mut p = AccessFlags::EMPTY;
        if self.0 & Self::R != 0 {
            p = p.union(AccessFlags::READ);
        }
        if self.0 & Self::W != 0 {
            p = p.union(AccessFlags::WRITE);
        }
        if self.0 & Self::X != 0 {
            p = p.union(AccessFlags::EXECUTE);
        }
        p
    }
}
