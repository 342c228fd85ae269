//! Remote fence requests between the vCPUs of one VM (KVM's "vCPU requests", for SBI
//! RFENCE).
//!
//! A guest that changes a page-table entry on one hart and calls
//! `sbi_remote_sfence_vma(_asid)` for other harts needs those harts' VS-stage translations
//! gone before they next use them. Those harts are other vCPUs, each bound to its own
//! physical hart with its own TLB; the calling vCPU can fence only the hart it runs on. So
//! the caller *marks* each target in the VM's [`RemoteFences`], and every vCPU performs and
//! clears its mark on its own hart before it enters the guest (at the start of `run`) and
//! when it is bound (docs/sbi.md, "RFENCE").
//!
//! One slot per guest hart, each an `AtomicU64`: no lock, no `unsafe`, and the outcome
//! depends only on the order of the requests (deterministic). A mark keeps ASID precision
//! for one ASID; a second, different ASID or an unscoped fence widens it to the whole
//! VMID, and address ranges are always widened to the whole address space. Over-fencing is
//! always correct: the SBI spec lets an implementation fence more than asked.
//!
//! Native multi-hart use: a target running *at the same time* on another hart would not
//! see its mark until its next exit; a hypervisor running vCPUs in parallel must also kick
//! the target (an IPI that makes it exit, as KVM does with `kvm_make_all_cpus_request`)
//! and wait for it before the SBI call returns. hvsim's Machine runs every vCPU of a VM on
//! one thread, so a target is never running while another vCPU handles an SBI call.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

/// Slot value: nothing pending.
const NONE: u64 = 0;
/// Slot bit: flush every VS-stage translation of the VMID (all ASIDs, all addresses).
const ALL: u64 = 1 << 63;
/// Slot bit: flush the translations of the one ASID in [`ASID_MASK`].
const ONE_ASID: u64 = 1 << 62;
/// The ASID field of a slot: ASIDLEN is at most 16 for Sv39/Sv48 (priv spec, "satp").
const ASID_MASK: u64 = 0xFFFF;

/// What a fence asks of a target hart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FenceScope {
    /// Every translation of the VMID (`remote_sfence_vma`, which also covers global
    /// mappings).
    All,
    /// The non-global translations of one ASID (`remote_sfence_vma_asid`).
    Asid(u64),
}

/// What a vCPU must fence on its hart before it next enters the guest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PendingFence {
    /// Nothing.
    None,
    /// HFENCE.VVMA with rs2 = this ASID, all addresses.
    Asid(u16),
    /// HFENCE.VVMA with rs1 = rs2 = x0: everything of the VMID.
    All,
}

impl PendingFence {
    fn decode(slot: u64) -> Self {
        if slot & ALL != 0 {
            Self::All
        } else if slot & ONE_ASID != 0 {
            // The mask keeps 16 bits, so the cast is exact.
            Self::Asid((slot & ASID_MASK) as u16)
        } else {
            Self::None
        }
    }
}

/// The slot value after adding `scope` to `old`: the smallest single fence covering both.
fn merge(old: u64, scope: FenceScope) -> u64 {
    let new = match scope {
        FenceScope::Asid(a) if a <= ASID_MASK => ONE_ASID | a,
        // An ASID wider than any ASIDLEN cannot be named by one slot: fence everything.
        FenceScope::Asid(_) | FenceScope::All => ALL,
    };
    if old == NONE || old == new { new } else { ALL }
}

/// The pending remote fences of one VM: one slot per guest hart id. Share it (`Arc`) among
/// all the VM's vCPUs through [`crate::riscv::RiscvVCpuConfig::remote_fences`].
///
/// ```
/// use vcpu::riscv::remote_fence::{FenceScope, PendingFence, RemoteFences};
/// let f = RemoteFences::new(2);
/// f.request(1, FenceScope::Asid(7));
/// assert_eq!(f.pending(1), PendingFence::Asid(7));
/// f.request(1, FenceScope::Asid(8)); // two ASIDs: widened to the whole VMID
/// assert_eq!(f.take(1), PendingFence::All);
/// assert_eq!(f.take(1), PendingFence::None);
/// ```
#[derive(Debug)]
pub struct RemoteFences {
    slots: Vec<AtomicU64>,
}

impl RemoteFences {
    /// Slots for guest harts `0..harts`, nothing pending.
    pub fn new(harts: usize) -> Self {
        Self {
            slots: (0..harts).map(|_| AtomicU64::new(NONE)).collect(),
        }
    }

    /// How many guest harts it has slots for.
    pub fn harts(&self) -> usize {
        self.slots.len()
    }

    fn slot(&self, hart: u64) -> Option<&AtomicU64> {
        usize::try_from(hart).ok().and_then(|h| self.slots.get(h))
    }

    /// Marks guest hart `hart` to fence `scope` before it next enters the guest. A hart
    /// without a slot is ignored (the SBI layer validates hart ids first).
    pub fn request(&self, hart: u64, scope: FenceScope) {
        if let Some(s) = self.slot(hart) {
            // Release: the target's Acquire in `take` sees the page-table stores made
            // before the request (relevant only when vCPUs run on parallel threads).
            let _ = s.fetch_update(Ordering::AcqRel, Ordering::Acquire, |old| {
                Some(merge(old, scope))
            });
        }
    }

    /// What `hart` has pending, without clearing it.
    pub fn pending(&self, hart: u64) -> PendingFence {
        self.slot(hart).map_or(PendingFence::None, |s| {
            PendingFence::decode(s.load(Ordering::Acquire))
        })
    }

    /// Takes (reads and clears) what `hart` has pending. The common case, nothing pending,
    /// costs one load and no write.
    #[inline]
    pub fn take(&self, hart: u64) -> PendingFence {
        let Some(s) = self.slot(hart) else {
            return PendingFence::None;
        };
        if s.load(Ordering::Acquire) == NONE {
            return PendingFence::None;
        }
        PendingFence::decode(s.swap(NONE, Ordering::AcqRel))
    }
}

/// Two handles are equal when they are the same VM's structure (identity, not contents:
/// the contents change under every request).
impl PartialEq for RemoteFences {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self, other)
    }
}

impl Eq for RemoteFences {}

#[cfg(test)]
mod tests {
    use super::*;

    /// SBI spec, RFENCE: a fence may cover more than asked, never less. Every merge result
    /// covers both inputs.
    #[test]
    fn merges_cover_both_requests() {
        let f = RemoteFences::new(3);
        f.request(0, FenceScope::Asid(3));
        f.request(0, FenceScope::Asid(3));
        assert_eq!(f.pending(0), PendingFence::Asid(3));
        f.request(0, FenceScope::All);
        assert_eq!(f.pending(0), PendingFence::All);
        f.request(0, FenceScope::Asid(3));
        assert_eq!(f.take(0), PendingFence::All);

        f.request(1, FenceScope::Asid(0x1_0000));
        assert_eq!(f.take(1), PendingFence::All, "an ASID wider than 16 bits");
        f.request(2, FenceScope::Asid(0));
        assert_eq!(f.take(2), PendingFence::Asid(0), "ASID 0 is an ASID");
        assert_eq!(f.take(2), PendingFence::None);
    }

    #[test]
    fn slots_are_per_hart_and_out_of_range_is_ignored() {
        let f = RemoteFences::new(2);
        f.request(1, FenceScope::All);
        f.request(2, FenceScope::All);
        f.request(u64::MAX, FenceScope::All);
        assert_eq!(f.pending(0), PendingFence::None);
        assert_eq!(f.take(1), PendingFence::All);
        assert_eq!(f.take(2), PendingFence::None);
        assert_eq!(f.harts(), 2);
    }

    #[test]
    fn equality_is_identity() {
        let a = RemoteFences::new(1);
        let b = RemoteFences::new(1);
        assert_eq!(a, a);
        assert_ne!(a, b);
    }
}
