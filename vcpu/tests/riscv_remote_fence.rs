//! SBI RFENCE across vCPUs: the caller fences its own hart, marks its siblings in the VM's
//! shared `RemoteFences`, and each sibling fences its own hart before it next enters the
//! guest (docs/sbi.md, "RFENCE").

mod riscv_common;

use std::sync::Arc;

use proptest::prelude::*;
use riscv_common::*;
use vcpu::ExitReason;
use vcpu::riscv::remote_fence::PendingFence;
use vcpu::riscv::{RemoteFences, RiscvVCpu, RiscvVCpuConfig};

const FID_FENCE_I: u64 = 0;
const FID_SFENCE_VMA: u64 = 1;
const FID_SFENCE_VMA_ASID: u64 = 2;
const BASE_ALL: u64 = u64::MAX;

/// `n` bound vCPUs of one VM (VMID 5), each on its own fake hart, sharing one
/// `RemoteFences`.
fn vm(n: u64) -> (Arc<RemoteFences>, Vec<(RiscvVCpu<FakeHart>, FakeHart)>) {
    let fences = Arc::new(RemoteFences::new(n as usize));
    let vcpus = (0..n)
        .map(|id| {
            let (v, mut hw) = bound_vcpu_with(RiscvVCpuConfig {
                hart_id: id,
                hart_count: n,
                remote_fences: Some(fences.clone()),
                ..config()
            });
            hw.fences.clear();
            (v, hw)
        })
        .collect();
    (fences, vcpus)
}

/// Runs vCPU `(v, hw)` for one slice that ends without a trap; returns the fences its
/// hart saw before the guest was entered.
fn enter(v: &mut RiscvVCpu<FakeHart>, hw: &mut FakeHart) -> Vec<Fence> {
    hw.fences.clear();
    let before = hw.entries.len();
    hw.script.push_back(Step::SliceEnd);
    assert_eq!(v.run(hw).expect("run"), ExitReason::Preempted);
    assert_eq!(hw.entries.len(), before + 1, "the guest was entered once");
    std::mem::take(&mut hw.fences)
}

/// SBI spec, remote_sfence_vma: the remote hart (not only the caller) must drop the
/// translations. The target's hart is fenced before its next guest entry, the caller's
/// hart only when the mask names the caller.
#[test]
fn remote_sfence_vma_fences_the_target_hart_before_its_next_entry() {
    let (fences, mut vcpus) = vm(2);
    let [(v0, hw0), (v1, hw1)] = vcpus.as_mut_slice() else {
        unreachable!()
    };
    // vCPU 0 asks for hart 1 only (mask 0b10), one page.
    assert_eq!(
        sbi(
            v0,
            hw0,
            EID_RFENCE,
            FID_SFENCE_VMA,
            &[0b10, 0, 0x4000_0000, 0x1000]
        ),
        (0, 0, ExitReason::Nothing)
    );
    assert!(hw0.fences.is_empty(), "the caller is not named");
    assert!(
        hw1.fences.is_empty(),
        "the target's hart is not touched by the caller"
    );
    assert_eq!(fences.pending(1), PendingFence::All);
    // Ranges are widened to everything for remote targets (over-fencing is allowed).
    assert_eq!(enter(v1, hw1), vec![Fence::Vvma(None, None)]);
    assert_eq!(fences.pending(1), PendingFence::None);
    // Done once: the next entry has nothing to do.
    assert_eq!(enter(v1, hw1), vec![]);
}

/// SBI spec, remote_sfence_vma_asid: the target fences that ASID (rs2 = asid), and the
/// fence reaches the target even after several requests (merged, never lost).
#[test]
fn remote_sfence_vma_asid_keeps_the_asid_and_merges() {
    let (_fences, mut vcpus) = vm(3);
    let (left, right) = vcpus.split_at_mut(1);
    let (v0, hw0) = &mut left[0];
    let (v2, hw2) = &mut right[1];
    sbi(
        v0,
        hw0,
        EID_RFENCE,
        FID_SFENCE_VMA_ASID,
        &[0b100, 0, 0, 0, 9],
    );
    sbi(
        v0,
        hw0,
        EID_RFENCE,
        FID_SFENCE_VMA_ASID,
        &[0b100, 0, 0x1000, 1, 9],
    );
    assert_eq!(enter(v2, hw2), vec![Fence::Vvma(None, Some(9))]);
    // Two different ASIDs: one fence of the whole VMID covers both.
    sbi(
        v0,
        hw0,
        EID_RFENCE,
        FID_SFENCE_VMA_ASID,
        &[0b100, 0, 0, 0, 9],
    );
    sbi(
        v0,
        hw0,
        EID_RFENCE,
        FID_SFENCE_VMA_ASID,
        &[0b100, 0, 0, 0, 10],
    );
    assert_eq!(enter(v2, hw2), vec![Fence::Vvma(None, None)]);
    // vCPU 1 was never named.
    let (v1, hw1) = &mut right[0];
    assert_eq!(enter(v1, hw1), vec![]);
}

/// hart_mask_base = -1 names every hart: the caller fences itself at once (with its range)
/// and every sibling is marked.
#[test]
fn all_harts_mask_fences_the_caller_now_and_marks_every_sibling() {
    let (fences, mut vcpus) = vm(3);
    let (v0, hw0) = &mut vcpus[0];
    sbi(
        v0,
        hw0,
        EID_RFENCE,
        FID_SFENCE_VMA,
        &[0, BASE_ALL, 0x2000, 0x1000],
    );
    assert_eq!(hw0.fences, vec![Fence::Vvma(Some(0x2000), None)]);
    assert_eq!(
        fences.pending(0),
        PendingFence::None,
        "the caller marks no one twice"
    );
    assert_eq!(fences.pending(1), PendingFence::All);
    assert_eq!(fences.pending(2), PendingFence::All);
}

/// A vCPU bound after a request fences at bind, under its own hgatp (the VMID the
/// HFENCE.VVMA applies to): HFENCE.GVMA alone need not drop VS-stage translations
/// (priv spec, HFENCE.GVMA note).
#[test]
fn bind_performs_pending_requests_after_loading_hgatp() {
    let (fences, mut vcpus) = vm(2);
    let (v1, hw1) = &mut vcpus[1];
    v1.unbind(hw1).expect("unbind");
    fences.request(1, vcpu::riscv::remote_fence::FenceScope::Asid(4));
    hw1.fences.clear();
    v1.bind(hw1).expect("bind");
    assert_eq!(
        hw1.fences,
        vec![Fence::Gvma(None, Some(5)), Fence::Vvma(None, Some(4))]
    );
    assert_eq!(fences.pending(1), PendingFence::None);
}

/// remote_fence_i reaches every physical hart through the firmware (mask base -1);
/// no VS-stage fence is involved. An empty mask does nothing.
#[test]
fn remote_fence_i_goes_to_the_firmware_for_all_harts() {
    let (fences, mut vcpus) = vm(2);
    let (v0, hw0) = &mut vcpus[0];
    hw0.sbi_log.clear();
    assert_eq!(sbi(v0, hw0, EID_RFENCE, FID_FENCE_I, &[0b10, 0]).0, 0);
    assert_eq!(
        hw0.sbi_log,
        vec![(EID_RFENCE, FID_FENCE_I, [0, BASE_ALL, 0, 0, 0, 0])]
    );
    assert!(hw0.fences.is_empty());
    assert_eq!(fences.pending(1), PendingFence::None);
    hw0.sbi_log.clear();
    assert_eq!(sbi(v0, hw0, EID_RFENCE, FID_FENCE_I, &[0, 0]).0, 0);
    assert!(hw0.sbi_log.is_empty(), "an empty mask fences nothing");
}

/// A refused mask or range marks no one.
#[test]
fn errors_mark_no_one() {
    let (fences, mut vcpus) = vm(2);
    let (v0, hw0) = &mut vcpus[0];
    assert_eq!(
        sbi(v0, hw0, EID_RFENCE, FID_SFENCE_VMA, &[0b110, 0, 0, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
    assert_eq!(
        sbi(
            v0,
            hw0,
            EID_RFENCE,
            FID_SFENCE_VMA,
            &[0b10, 0, u64::MAX - 1, 4]
        )
        .0,
        SBI_ERR_INVALID_ADDRESS
    );
    assert_eq!(fences.pending(1), PendingFence::None);
    assert!(hw0.fences.is_empty());
}

#[test]
fn slot_count_must_match_hart_count() {
    let r = RiscvVCpu::<FakeHart>::new(RiscvVCpuConfig {
        hart_id: 0,
        hart_count: 2,
        remote_fences: Some(Arc::new(RemoteFences::new(3))),
        ..Default::default()
    });
    assert!(r.is_err());
}

/// One RFENCE call: (caller, fid 1 or 2, hart_mask, asid).
fn call() -> impl Strategy<Value = (usize, u64, u64, u64)> {
    (0usize..4, 1u64..=2, 0u64..16, 0u64..3)
}

/// Checks that the fences `seen` before an entry of hart `t` cover `requested[t]`, then
/// forgets them.
fn check_covered(
    t: usize,
    seen: &[Fence],
    requested: &mut [Vec<Option<u64>>],
) -> Result<(), TestCaseError> {
    prop_assert!(seen.len() <= 1, "at most one fence per entry: {:?}", seen);
    for want in &requested[t] {
        let covered = seen.iter().any(|f| match f {
            Fence::Vvma(None, None) => true,
            Fence::Vvma(None, a) => a == want,
            _ => false,
        });
        prop_assert!(covered, "hart {} wanted {:?}, saw {:?}", t, want, seen);
    }
    if requested[t].is_empty() {
        prop_assert!(seen.is_empty(), "hart {} not named, saw {:?}", t, seen);
    }
    requested[t].clear();
    Ok(())
}

proptest! {
    /// SBI spec, RFENCE (remote_sfence_vma / remote_sfence_vma_asid): after any sequence
    /// of calls, each named hart's next guest entry is preceded by HFENCE.VVMA fences on
    /// its own hart covering everything requested for it since its last entry (a fence
    /// with rs2 = x0 covers every ASID), and a hart never named is not fenced.
    #[test]
    fn every_request_is_covered_before_the_targets_next_entry(
        calls in proptest::collection::vec(call(), 1..12),
    ) {
        let (_fences, mut vcpus) = vm(4);
        // requested[t]: the ASIDs (None = all) asked for hart t by other harts since its
        // last entry.
        let mut requested: Vec<Vec<Option<u64>>> = vec![Vec::new(); 4];
        for (caller, fid, mask, asid) in calls {
            let (v, hw) = &mut vcpus[caller];
            // The caller's own entry for the call performs its pending fences first.
            let seen = enter(v, hw);
            check_covered(caller, &seen, &mut requested)?;
            let r = sbi(v, hw, EID_RFENCE, fid, &[mask, 0, 0, 0, asid]);
            prop_assert_eq!(r.0, 0);
            for (t, req) in requested.iter_mut().enumerate() {
                if t != caller && mask >> t & 1 == 1 {
                    req.push((fid == FID_SFENCE_VMA_ASID).then_some(asid));
                }
            }
        }
        for (t, (v, hw)) in vcpus.iter_mut().enumerate() {
            let seen = enter(v, hw);
            check_covered(t, &seen, &mut requested)?;
        }
    }
}
