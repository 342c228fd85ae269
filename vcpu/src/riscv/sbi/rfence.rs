//! Remote fence extension (EID "RFNC").
//!
//! The guest's fences act on guest translations, so they become HFENCE.VVMA (which
//! applies to the VMID in hgatp, norm:hfence-vvma_asid). The calling vCPU fences its own
//! hart at once, page by page. Every other hart the mask names is another vCPU on another
//! physical hart with its own TLB: the caller marks it in the VM's shared
//! [`RemoteFences`](crate::riscv::remote_fence::RemoteFences), and that vCPU performs the
//! fence on its own hart before it next enters the guest, or when it is next bound
//! ([`RiscvVCpu::apply_remote_fences`]). remote_fence_i goes to the firmware for every
//! physical hart: decoded instructions are cached per physical hart, and only the firmware
//! reaches the other harts' instruction fetch. docs/sbi.md, "RFENCE".

use hw_models::riscv::hw::RiscvHardware;

use super::consts::{HART_MASK_BASE_ALL, eid, err, rfence};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, hartmask, success};
use crate::riscv::remote_fence::{FenceScope, PendingFence};
use crate::riscv::vcpu::RiscvVCpu;

/// Page size for ranged fences.
const PAGE: u64 = 4096;
/// Above this many pages a full flush is cheaper than page-by-page fences (over-fencing
/// is always allowed).
const MAX_RANGED_PAGES: u64 = 64;

/// What range a fence covers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FenceRange {
    /// The whole address space: start = size = 0, or size = -1 (SBI spec, RFENCE).
    All,
    /// Page-aligned start and page count.
    Pages {
        /// First page's address.
        start: u64,
        /// Number of pages.
        count: u64,
    },
    /// start + size overflows: SBI_ERR_INVALID_ADDRESS.
    Invalid,
}

/// Classifies (start_addr, size).
pub fn fence_range(start: u64, size: u64) -> FenceRange {
    if (start == 0 && size == 0) || size == u64::MAX {
        return FenceRange::All;
    }
    let Some(end) = start.checked_add(size) else {
        return FenceRange::Invalid;
    };
    let first = start & !(PAGE - 1);
    let count = end.saturating_sub(first).div_ceil(PAGE);
    if count > MAX_RANGED_PAGES {
        FenceRange::All
    } else {
        FenceRange::Pages {
            start: first,
            count,
        }
    }
}

impl<H: RiscvHardware> RiscvVCpu<H> {
    pub(crate) fn sbi_rfence(&mut self, hw: &mut H, call: SbiCall) -> SbiOutcome {
        let [hart_mask, hart_mask_base, start, size, asid, _] = call.args;
        let asid = match call.fid {
            rfence::FENCE_I => None,
            rfence::SFENCE_VMA => None,
            rfence::SFENCE_VMA_ASID => Some(asid),
            // The guest sees no H extension, so the hypervisor fences are not supported
            // ("one of the target harts does not support the hypervisor extension").
            rfence::HFENCE_GVMA_VMID
            | rfence::HFENCE_GVMA
            | rfence::HFENCE_VVMA_ASID
            | rfence::HFENCE_VVMA => return NOT_SUPPORTED,
            _ => return NOT_SUPPORTED,
        };
        if !hartmask::valid(hart_mask, hart_mask_base, self.config.hart_count) {
            return SbiOutcome::Ret(error(err::INVALID_PARAM));
        }
        if hartmask::is_empty(hart_mask, hart_mask_base) {
            return SbiOutcome::Ret(success(0));
        }
        if call.fid == rfence::FENCE_I {
            return SbiOutcome::Ret(remote_fence_i_all_harts(hw));
        }
        let range = fence_range(start, size);
        if range == FenceRange::Invalid {
            return SbiOutcome::Ret(error(err::INVALID_ADDRESS));
        }
        if self.mark_remote_fences(hart_mask, hart_mask_base, asid) {
            match range {
                FenceRange::Invalid => {}
                FenceRange::All => hw.hfence_vvma(None, asid),
                FenceRange::Pages { start, count } => {
                    for i in 0..count {
                        hw.hfence_vvma(Some(start.wrapping_add(i * PAGE)), asid);
                    }
                }
            }
        }
        SbiOutcome::Ret(success(0))
    }

    /// Marks every sibling the (validated) hart mask names in the VM's remote fences;
    /// returns whether the mask names this vCPU itself.
    fn mark_remote_fences(&self, hart_mask: u64, hart_mask_base: u64, asid: Option<u64>) -> bool {
        let own = self.config.hart_id;
        let scope = asid.map_or(FenceScope::All, FenceScope::Asid);
        let mark = |hart: u64| {
            if hart != own {
                if let Some(f) = &self.config.remote_fences {
                    f.request(hart, scope);
                }
            }
        };
        if hart_mask_base == HART_MASK_BASE_ALL {
            // `validate` made the slot count equal to hart_count.
            if let Some(f) = &self.config.remote_fences {
                (0..f.harts() as u64).for_each(mark);
            }
            return true;
        }
        let mut names_self = false;
        let mut m = hart_mask;
        while m != 0 {
            let bit = u64::from(m.trailing_zeros());
            // `hartmask::valid` checked that base + bit does not overflow.
            if let Some(hart) = hart_mask_base.checked_add(bit) {
                names_self |= hart == own;
                mark(hart);
            }
            m &= m - 1;
        }
        names_self
    }

    /// Performs and clears this vCPU's pending remote fences on the hart it is bound to
    /// (`run` calls it before entering the guest, `bind` after loading hgatp, so the
    /// fence applies to this VM's VMID). Ranges were widened to the whole address space
    /// when the request was made; one ASID is kept.
    #[inline]
    pub(crate) fn apply_remote_fences(&self, hw: &mut H) {
        let Some(f) = &self.config.remote_fences else {
            return;
        };
        match f.take(self.config.hart_id) {
            PendingFence::None => {}
            PendingFence::Asid(a) => hw.hfence_vvma(None, Some(u64::from(a))),
            PendingFence::All => hw.hfence_vvma(None, None),
        }
    }
}

/// remote_fence_i: the firmware fences every physical hart's instruction fetch (mask base
/// -1). The hypervisor cannot name the targets' physical harts (it does not track where
/// each vCPU last ran) and the hardware interface has no local FENCE.I, so all harts
/// are fenced: over-fencing is always correct, and a target running on another hart at
/// the same time is fenced too. The firmware's error, if any, is the guest's answer.
fn remote_fence_i_all_harts<H: RiscvHardware>(hw: &mut H) -> hw_models::riscv::hw::SbiRet {
    let r = hw.sbi_call(
        eid::RFENCE,
        rfence::FENCE_I,
        [0, HART_MASK_BASE_ALL, 0, 0, 0, 0],
    );
    // The firmware's error code is the answer; the value register is 0 either way
    // (remote_fence_i returns no value).
    error(r.error)
}
