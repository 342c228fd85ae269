//! Leaf permission checks (translation algorithm steps 6, 8 and 9), shared by the walker and
//! the TLB hit path so both decide identically.

use super::ctx::TranslateCtx;
use super::fault::AccessType;
use super::pte;
use crate::riscv::privilege::PrivLevel;

/// Why the G-stage is consulted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum GAccess {
    /// The explicit access itself (original access type).
    Explicit,
    /// Reading a VS-level PTE: checked as an implicit load (norm:H_vm_gpapriv).
    PteRead,
    /// Setting A/D in a VS-level PTE: checked as an implicit store (norm:H_vm_gpapriv).
    PteWrite,
}

/// Whether a first-stage leaf with `flags` allows the access: the U/SUM check, then R/W/X
/// with MXR and HLVX.
#[inline]
pub(crate) fn s1_allows(flags: u64, ctx: &TranslateCtx, access: AccessType) -> bool {
    let user_page = flags & pte::U != 0;
    let u_ok = match ctx.privilege {
        // U-mode may only access U=1 pages.
        PrivLevel::User => user_page,
        // norm:sstatus_sum: S-mode loads/stores to U pages need SUM; S-mode never executes
        // from a U page, whatever SUM says. (`Machine` never walks; checked as S for totality.)
        PrivLevel::Supervisor | PrivLevel::Machine => {
            !user_page || (access != AccessType::Fetch && ctx.sum)
        }
    };
    u_ok && rwx_allows(flags, access, ctx.hlvx, ctx.mxr)
}

/// Whether a G-stage leaf with `flags` allows the access. Every G-stage access is a U-mode
/// access, so U must be set (norm:H_vm_gpatrans, norm:H_vm_gpapriv). Only HS-level MXR
/// applies, and only to the explicit load (norm:sstatus_mxr_vm, norm:hlsv_sstatus_mxr).
#[inline]
pub(crate) fn g_allows(flags: u64, ctx: &TranslateCtx, access: AccessType, why: GAccess) -> bool {
    if flags & pte::U == 0 {
        return false;
    }
    match why {
        GAccess::Explicit => rwx_allows(flags, access, ctx.hlvx, ctx.hs_mxr),
        GAccess::PteRead => flags & pte::R != 0,
        GAccess::PteWrite => flags & pte::W != 0,
    }
}

/// R/W/X check (step 8). A load needs R, or X with MXR (norm:sstatus_mxr); an HLVX needs X
/// instead of R, and MXR does not turn R into X (norm:hlsv_u_op).
#[inline]
fn rwx_allows(flags: u64, access: AccessType, hlvx: bool, mxr: bool) -> bool {
    match access {
        AccessType::Fetch => flags & pte::X != 0,
        AccessType::Load if hlvx => flags & pte::X != 0,
        AccessType::Load => flags & pte::R != 0 || (mxr && flags & pte::X != 0),
        AccessType::Store => flags & pte::W != 0,
    }
}

/// The A/D bits an access needs set in a leaf (step 9): A always, D too for a write.
#[inline]
pub(crate) const fn ad_needed(write: bool) -> u64 {
    if write { pte::A | pte::D } else { pte::A }
}
