//! The kinds of access the MMU translates and the exceptions a translation can raise.

use crate::riscv::cause::exc;

/// The original access type of a translation. It picks the permission that is checked and the
/// exception code that is reported.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum AccessType {
    /// Instruction fetch.
    Fetch,
    /// Load, load-reserved, HLV and HLVX.
    Load,
    /// Store, store-conditional, AMO and HSV. AMOs never raise load faults (priv spec note
    /// after norm:store_page_fault_no_w).
    Store,
}

/// `htinst` pseudoinstruction for a 64-bit read for VS-stage address translation
/// (norm:H_trap_xtinst_guestpage).
pub const HTINST_PTE_READ: u64 = 0x3000;
/// `htinst` pseudoinstruction for a 64-bit write for VS-stage address translation, i.e. an A/D
/// update of a VS-level PTE (norm:H_trap_xtinst_guestpage_rw).
pub const HTINST_PTE_WRITE: u64 = 0x3020;

/// An exception raised by address translation. `stval` is always the faulting virtual address,
/// which only the caller knows (for an access that straddles pages it is the page-boundary
/// address, norm:H_straddle).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum Fault {
    /// Instruction/load/store page fault (12/13/15): a first-stage (satp or vsatp) failure.
    #[error("{0:?} page fault")]
    Page(AccessType),
    /// Instruction/load/store guest-page fault (20/21/23): a G-stage failure
    /// (norm:H_vm_gpatrans). Always reported with the original access type, also when the
    /// failing G-stage access was an implicit access to a VS-level PTE (norm:H_vm_gpapriv).
    #[error("{access:?} guest-page fault at GPA {gpa:#x}")]
    GuestPage {
        /// The original access type.
        access: AccessType,
        /// The guest-physical address that faulted: the explicit access's GPA, or the GPA of
        /// the VS-level PTE when `implicit`.
        gpa: u64,
        /// The fault happened on an implicit access for VS-stage translation (reading, or
        /// updating A/D in, a VS-level PTE).
        implicit: bool,
        /// With `implicit`: the implicit access was the A/D update (a write), not a PTE read.
        pte_write: bool,
    },
    /// Instruction/load/store access fault (1/5/7): a page-table entry lies outside RAM.
    #[error("{access:?} access fault at PA {pa:#x}")]
    Access {
        /// The original access type.
        access: AccessType,
        /// The host-physical address of the page-table entry that could not be accessed.
        pa: u64,
    },
}

impl Fault {
    /// The exception code for `scause`/`mcause`.
    pub const fn cause(&self) -> u64 {
        match *self {
            Self::Page(AccessType::Fetch) => exc::INSTRUCTION_PAGE_FAULT,
            Self::Page(AccessType::Load) => exc::LOAD_PAGE_FAULT,
            Self::Page(AccessType::Store) => exc::STORE_PAGE_FAULT,
            Self::GuestPage { access, .. } => match access {
                AccessType::Fetch => exc::INSTRUCTION_GUEST_PAGE_FAULT,
                AccessType::Load => exc::LOAD_GUEST_PAGE_FAULT,
                AccessType::Store => exc::STORE_GUEST_PAGE_FAULT,
            },
            Self::Access { access, .. } => match access {
                AccessType::Fetch => exc::INSTRUCTION_ACCESS_FAULT,
                AccessType::Load => exc::LOAD_ACCESS_FAULT,
                AccessType::Store => exc::STORE_ACCESS_FAULT,
            },
        }
    }

    /// The original access type.
    pub const fn access(&self) -> AccessType {
        match *self {
            Self::Page(access) | Self::GuestPage { access, .. } | Self::Access { access, .. } => {
                access
            }
        }
    }

    /// The value for `htval`/`mtval2`: the faulting GPA shifted right by 2 for a guest-page
    /// fault (norm:htval_trapval), zero otherwise. hvsim always reports the GPA.
    pub const fn htval(&self) -> u64 {
        match *self {
            Self::GuestPage { gpa, .. } => gpa >> 2,
            _ => 0,
        }
    }

    /// The value for `htinst`/`mtinst` that translation determines: the RV64 pseudoinstruction
    /// for a guest-page fault on an implicit VS-stage access (norm:H_trap_xtinst_guestpage,
    /// norm:H_trap_xtinst_guestpage_rw), zero otherwise. For explicit accesses the hart may
    /// write a transformed instruction instead of this zero.
    pub const fn htinst(&self) -> u64 {
        match *self {
            Self::GuestPage {
                implicit: true,
                pte_write,
                ..
            } => {
                if pte_write {
                    HTINST_PTE_WRITE
                } else {
                    HTINST_PTE_READ
                }
            }
            _ => 0,
        }
    }

    /// Whether this is a guest-page fault (the only kind with a nonzero `htval`).
    pub const fn is_guest_page(&self) -> bool {
        matches!(self, Self::GuestPage { .. })
    }
}
