//! The RFENCE extension (SBI v2.0 §8): fences executed on the target harts' models.
//!
//! Ranges: `start_addr == 0 && size == 0`, or `size == 2^XLEN - 1`, mean the whole address
//! space (§8 intro). Any other range is fenced page by page (4 KiB) when it spans at most
//! [`RANGE_FLUSH_LIMIT`] pages, else with one full fence, which is always a correct
//! over-approximation (OpenSBI does the same above its `tlb_range_flush_limit`). A range
//! whose end overflows the address space is SBI_ERR_INVALID_ADDRESS; an empty range
//! (size 0, start non-zero) fences nothing.

use alloc::vec::Vec;

use super::env::Fence;
use super::sbi::{err, rfence};
use super::{SbiEnv, fail, hart_mask, ok};
use crate::riscv::csr_num;
use crate::riscv::hw::SbiRet;

/// Page granule of a ranged fence.
const PAGE: u64 = 4096;
/// Most pages fenced one by one before a ranged fence becomes a full one.
pub const RANGE_FLUSH_LIMIT: u64 = 64;
/// hgatp.VMID (RV64: bits 57:44).
const HGATP_VMID_SHIFT: u32 = 44;
const HGATP_VMID_MASK: u64 = 0x3fff;

/// Which addresses a ranged fence covers.
enum Range {
    All,
    Pages(Vec<u64>),
}

fn range(start: u64, size: u64) -> Result<Range, i64> {
    if (start == 0 && size == 0) || size == u64::MAX {
        return Ok(Range::All);
    }
    let end = start.checked_add(size).ok_or(err::INVALID_ADDRESS)?;
    if size == 0 {
        return Ok(Range::Pages(Vec::new()));
    }
    let first = start / PAGE;
    let last = (end - 1) / PAGE;
    if last - first >= RANGE_FLUSH_LIMIT {
        return Ok(Range::All);
    }
    Ok(Range::Pages((first..=last).map(|p| p * PAGE).collect()))
}

/// Dispatches an RFENCE function. `a` = a0..a4: hart_mask, hart_mask_base, start_addr, size,
/// asid/vmid.
pub(crate) fn call<E: SbiEnv + ?Sized>(
    env: &mut E,
    caller: usize,
    fid: u64,
    a: [u64; 5],
) -> SbiRet {
    let [mask, base, start, size, id] = a;
    // Function first: an unknown FID is NOT_SUPPORTED whatever its arguments.
    if fid > rfence::HFENCE_VVMA {
        return fail(err::NOT_SUPPORTED);
    }
    let targets = match hart_mask::resolve(mask, base, env.hart_count()) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    if fid == rfence::FENCE_I {
        for t in targets {
            env.fence(t, Fence::I);
        }
        return ok(0);
    }
    let r = match range(start, size) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let caller_vmid = (env.csr_read(caller, csr_num::HGATP) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
    let make = |addr: Option<u64>| -> Fence {
        match fid {
            rfence::SFENCE_VMA => Fence::SfenceVma {
                vaddr: addr,
                asid: None,
            },
            rfence::SFENCE_VMA_ASID => Fence::SfenceVma {
                vaddr: addr,
                asid: Some(id),
            },
            rfence::HFENCE_GVMA_VMID => Fence::HfenceGvma {
                gaddr: addr,
                vmid: Some(id),
            },
            rfence::HFENCE_GVMA => Fence::HfenceGvma {
                gaddr: addr,
                vmid: None,
            },
            rfence::HFENCE_VVMA_ASID => Fence::HfenceVvma {
                vmid: caller_vmid,
                vaddr: addr,
                asid: Some(id),
            },
            _ => Fence::HfenceVvma {
                vmid: caller_vmid,
                vaddr: addr,
                asid: None,
            },
        }
    };
    for t in targets {
        match &r {
            Range::All => env.fence(t, make(None)),
            Range::Pages(pages) => {
                for &p in pages {
                    env.fence(t, make(Some(p)));
                }
            }
        }
    }
    ok(0)
}
