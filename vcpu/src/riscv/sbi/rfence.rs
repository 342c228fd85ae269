//! Remote fence extension (EID "RFNC").
//!
//! The guest's fences act on guest translations, so they become HFENCE.VVMA on this hart
//! (which applies to the VMID in hgatp, norm:hfence-vvma_asid). Every vCPU is fenced with
//! HFENCE.GVMA on the VMID when it is bound, so a remote vCPU that is not running holds no
//! stale translation; docs/sbi.md states the limit for remote vCPUs running meanwhile.

use hw_models::riscv::hw::RiscvHardware;

use super::consts::{err, rfence};
use super::{NOT_SUPPORTED, SbiCall, SbiOutcome, error, hartmask, success};
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
        if call.fid == rfence::FENCE_I {
            // Instruction fetch coherence is the hart's (the model keeps its decode cache
            // coherent with stores); there is no translation to fence.
            return SbiOutcome::Ret(success(0));
        }
        match fence_range(start, size) {
            FenceRange::Invalid => return SbiOutcome::Ret(error(err::INVALID_ADDRESS)),
            FenceRange::All => hw.hfence_vvma(None, asid),
            FenceRange::Pages { start, count } => {
                for i in 0..count {
                    hw.hfence_vvma(Some(start.wrapping_add(i * PAGE)), asid);
                }
            }
        }
        SbiOutcome::Ret(success(0))
    }
}
