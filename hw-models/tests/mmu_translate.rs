//! Property tests: `translate` (and `Tlb::translate`) against the reference walker in
//! `mmu_support`, on random page tables in every combination of satp/vsatp and hgatp modes.

mod mmu_support;

use hw_models::riscv::mmu::{Tlb, Translation, translate};
use mmu_support::*;
use proptest::prelude::*;

/// Modes of one case: (virt, first-stage MODE, hgatp MODE).
fn modes() -> impl Strategy<Value = (bool, u64, u64)> {
    prop_oneof![
        (
            Just(false),
            prop_oneof![Just(0u64), Just(SV39), Just(SV48)],
            Just(0u64)
        ),
        (
            Just(true),
            prop_oneof![Just(0u64), Just(SV39), Just(SV48)],
            prop_oneof![Just(0u64), Just(SV39), Just(SV48)]
        ),
    ]
}

struct Case {
    b: Builder,
    vas: Vec<u64>,
    virt: bool,
}

fn build_case(seed: u64, virt: bool, s_mode: u64, g_mode: u64) -> Case {
    let mut b = Builder::new(seed, s_mode, g_mode, virt);
    let mut vas = Vec::new();
    for _ in 0..12 {
        let va = b.random_va();
        if s_mode != 0 {
            b.map_va(va, virt);
        } else if virt && g_mode != 0 && b.rng.chance(85) {
            b.map_g(va, false);
        }
        vas.push(va);
        // Neighbours share upper-level tables and superpages.
        let near = va ^ (b.rng.below(1 << 22) & !7);
        vas.push(near);
    }
    Case { b, vas, virt }
}

fn check_same(
    got: &Result<Translation, hw_models::riscv::mmu::Fault>,
    want: &Result<RefOk, hw_models::riscv::mmu::Fault>,
) {
    match (got, want) {
        (Ok(t), Ok(r)) => {
            assert_eq!(t.pa.as_u64(), r.pa, "pa");
            assert_eq!(t.gpa, r.gpa, "gpa");
            assert_eq!(t.global, r.global, "global");
            assert_eq!(
                t.s1.map(|l| u32::from(l.page_shift)),
                r.s1_shift,
                "first-stage page"
            );
            assert_eq!(
                t.g.map(|l| u32::from(l.page_shift)),
                r.g_shift,
                "G-stage page"
            );
        }
        (Err(f), Err(g)) => assert_eq!(f, g),
        _ => panic!("translate gave {got:?}, reference {want:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    /// Translation algorithm (supervisor.adoc "Virtual Address Translation Process") and its
    /// two-stage form: norm:Sv39_va_signext, norm:Sv48_va_signext, norm:Sv39_pte_svnapot_rsv,
    /// norm:Sv39_pte_svpbmt_rsv, norm:Sv39_pte_future_rsv, norm:Sv39_superpage_align_fault,
    /// norm:Sv48_superpage_align_fault, norm:sstatus_sum, norm:sstatus_mxr,
    /// norm:fetch_page_fault_no_x, norm:load_page_fault_no_r, norm:store_page_fault_no_w,
    /// norm:svade_access_ad_bit_clear, norm:menvcfg_adue_op, norm:henvcfg_adue_op,
    /// norm:H_vm_twostage, norm:H_vm_gstagetrans, norm:hgatp_mode_x4,
    /// norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4, norm:H_vm_gpatrans,
    /// norm:H_vm_gpapriv, norm:vsstatus_mxr_vm, norm:sstatus_mxr_vm, norm:hlsv_u_op,
    /// norm:H_trap_xtinst_guestpage_rw: the result (address or exception, with the GPA and
    /// implicit-access details) and every A/D update in memory equal the reference walker's.
    #[test]
    fn translate_matches_reference(seed in any::<u64>(), (virt, s_mode, g_mode) in modes()) {
        let mut case = build_case(seed, virt, s_mode, g_mode);
        let mut rng = Rng(seed ^ 0x5eed);
        let satp = case.b.satp(rng.below(1 << 16));
        let hgatp = if virt { case.b.hgatp(rng.below(1 << 14)) } else { 0 };
        let mut refmem = case.b.mem.clone();
        let mut mem = refmem.to_phys();
        for &va in &case.vas {
            // A fresh context per access: privilege, SUM, MXR, HLVX and ADUE vary.
            for _ in 0..3 {
                let ctx = random_ctx(&mut rng, satp, hgatp, case.virt);
                let acc = random_access(&mut rng);
                let got = translate(&mut mem, &ctx, va, acc);
                let want = ref_translate(&mut refmem, &ctx, va, acc);
                check_same(&got, &want);
            }
        }
        refmem.assert_same(&mem);
        let _ = &mut case.b;
    }

    /// The TLB never changes an outcome while the page tables are not modified: a hit returns
    /// what a walk would (norm:sfence_vma_sum_mxr_effect: SUM/MXR/privilege changes apply
    /// without a fence), a store to a clean entry walks and sets D (Svadu) or faults (Svade),
    /// and the A/D updates in memory match a TLB-less reference run.
    #[test]
    fn tlb_translate_matches_reference(seed in any::<u64>(), (virt, s_mode, g_mode) in modes()) {
        let case = build_case(seed, virt, s_mode, g_mode);
        let mut rng = Rng(seed ^ 0x71b);
        let satp = case.b.satp(rng.below(4));
        let hgatp = if virt { case.b.hgatp(rng.below(4)) } else { 0 };
        // ADUE is a fenced setting (norm:menvcfg_adue_fence); keep it fixed per case.
        let adue = rng.bool();
        let g_adue = rng.bool();
        let mut refmem = case.b.mem.clone();
        let mut mem = refmem.to_phys();
        let mut tlb = Tlb::new(64);
        for _ in 0..96 {
            let va = case.vas[rng.below(case.vas.len() as u64) as usize] ^ (rng.below(8) << 3);
            let mut ctx = random_ctx(&mut rng, satp, hgatp, case.virt);
            ctx.adue = adue;
            ctx.g_adue = g_adue;
            let acc = random_access(&mut rng);
            let got = tlb.translate(&mut mem, &ctx, va, acc);
            let want = ref_translate(&mut refmem, &ctx, va, acc);
            check_same(&got, &want);
        }
        refmem.assert_same(&mem);
    }

    /// Page-table edits followed by the fences the spec asks software to execute make the
    /// TLB agree with a fresh walk again: SFENCE.VMA rs1=rs2=x0 for V=0
    /// (norm:sfence_vma_all_asid_va); HFENCE.VVMA for the VMID plus HFENCE.GVMA rs1=x0 for
    /// two-stage (norm:hfence-vvma_mode, norm:hfence-gvma_op), with the current VMID. (That
    /// each fence removes no more and no less than it must is `mmu_tlb`'s model test.)
    #[test]
    fn tlb_after_edit_and_fence_matches_reference(
        seed in any::<u64>(),
        (virt, s_mode, g_mode) in modes(),
    ) {
        let case = build_case(seed, virt, s_mode, g_mode);
        let mut rng = Rng(seed ^ 0xed17);
        // hgatp Bare has VMID 0 (norm:hgatp_mode_bare: the other fields are written as 0).
        let vmid = if g_mode == 0 { 0 } else { rng.below(4) };
        let satp = case.b.satp(rng.below(4));
        let hgatp = if virt { case.b.hgatp(vmid) } else { 0 };
        let adue = rng.bool();
        let g_adue = rng.bool();
        let mut refmem = case.b.mem.clone();
        let mut mem = refmem.to_phys();
        let mut tlb = Tlb::new(64);
        let words: Vec<u64> = refmem.words.keys().copied().collect();
        for _ in 0..6 {
            for _ in 0..24 {
                let va = case.vas[rng.below(case.vas.len() as u64) as usize];
                let mut ctx = random_ctx(&mut rng, satp, hgatp, case.virt);
                ctx.adue = adue;
                ctx.g_adue = g_adue;
                let acc = random_access(&mut rng);
                let got = tlb.translate(&mut mem, &ctx, va, acc);
                let want = ref_translate(&mut refmem, &ctx, va, acc);
                check_same(&got, &want);
            }
            if words.is_empty() {
                break;
            }
            // Edit a few PTE words: flip permission/valid bits or move the PPN.
            for _ in 0..1 + rng.below(3) {
                let a = words[rng.below(words.len() as u64) as usize];
                let old = refmem.read(a).unwrap_or(0);
                let new = match rng.below(3) {
                    0 => old ^ (1 << rng.below(8)),
                    1 => old ^ (1 << (10 + rng.below(20))),
                    _ => 0,
                };
                refmem.write(a, new);
                mem.write(sim_core::HostPhysAddr::new(a), sim_core::AccessWidth::Qword, new)
                    .unwrap();
            }
            if virt {
                tlb.hfence_vvma(vmid, None, None);
                tlb.hfence_gvma(Some(vmid), None);
            } else {
                tlb.sfence_vma(false, 0, None, None);
            }
        }
        refmem.assert_same(&mem);
    }
}
