//! TLB flush scopes of SFENCE.VMA (V=0 and V=1), HFENCE.VVMA and HFENCE.GVMA executed by the
//! hart as instructions: after a page-table edit, a fence whose operands cover the mapping
//! must make the new mapping visible (norm:sfence_vma_v1, norm:hfence-vvma_mode,
//! norm:hfence-gvma_op, norm:hfence-gvma_vmid, norm:sfence_vma_va_asid); a fence that does not
//! cover it leaves the old translation in place (hvsim's TLB keeps exact fence scopes,
//! docs/riscv-mmu.md; the spec allows either outcome for that case).

mod hart_support;

use hart_support::guest::*;
use hart_support::*;
use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{Hart, HartConfig, RamBus, StopReason};
use hw_models::riscv::isa::encode::{self as e, Reg};
use hw_models::riscv::privilege::Mode;
use proptest::prelude::*;

const HS_CODE: u64 = RAM_BASE + 0x1000;
const OLD: u64 = 0x1111;
const NEW: u64 = 0x2222;
/// The data page of the VS-level edits (its TLB slot differs from the code page's: the TLB
/// is direct-mapped by VA[20:12]) and the page its PTE is moved to.
const GVA_X: u64 = GVA_DATA + 0x2000;
const GPA_X: u64 = GPA_DATA + 0x2000;
const GPA_X_NEW: u64 = GPA_DATA + 0x3000;
/// A second data page whose GPA lies in the second G-stage megapage.
const GVA_DATA2: u64 = GVA_DATA + 0x10000;
const GPA_DATA2: u64 = GPA_RAM + 0x20_1000;
/// Where the second megapage is moved by the G-stage edit.
const HPA_MOVED: u64 = 0x80a0_0000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fence {
    /// SFENCE.VMA executed by the guest (V=1).
    VsSfence,
    /// SFENCE.VMA executed in HS (V=0).
    HsSfence,
    HfenceVvma,
    HfenceGvma,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operand {
    /// x0: all.
    All,
    /// The mapping's own address / id.
    Match,
    /// Some other address / id.
    Other,
}

struct World {
    h: Hart,
    bus: RamBus,
    hgatp: u64,
    vsatp: u64,
}

fn world() -> World {
    let mut bus = bus();
    let (hgatp, vsatp) = two_stage(&mut bus);
    // The VS mapping of the second data page (its tables already exist).
    let mut vs = Tables::new(VS_TABLES_HPA + 0x8_0000);
    let vs_root = (vsatp & ((1 << 44) - 1)) << 12;
    vs.map(
        &mut bus,
        vs_root,
        GVA_DATA2,
        GPA_DATA2,
        RWXAD | PTE_U,
        0,
        false,
        &gpa_to_hpa,
        &hpa_to_gpa,
    );
    write64(&mut bus, gpa_to_hpa(GPA_X), OLD);
    write64(&mut bus, gpa_to_hpa(GPA_X_NEW), NEW);
    write64(&mut bus, gpa_to_hpa(GPA_DATA2), OLD);
    write64(&mut bus, HPA_MOVED + 0x1000, NEW);
    // Guest stubs: a load, and the guest's own SFENCE.VMA t0, t1; both end with ecall.
    write_words(
        &mut bus,
        gpa_to_hpa(GPA_RAM),
        &[ok(e::ld(Reg::A0, Reg::S0, 0)), e::ecall()],
    );
    write_words(
        &mut bus,
        gpa_to_hpa(GPA_RAM + 0x100),
        &[e::sfence_vma(Reg::T0, Reg::T1), e::ecall()],
    );
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    set(&mut h, n::HGATP, hgatp);
    set(&mut h, n::VSATP, vsatp);
    set(&mut h, n::VSSTATUS, 1 << 18);
    set(&mut h, n::MEDELEG, 1 << exc::ECALL_FROM_VS);
    World {
        h,
        bus,
        hgatp,
        vsatp,
    }
}

/// A guest load of `va` (VS-mode), through the TLB.
fn guest_read(w: &mut World, va: u64) -> u64 {
    w.h.set_mode(Mode::VS);
    w.h.set_pc(GVA_CODE);
    w.h.set_reg(Reg::S0.num() as usize, va)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(w.h.run(&mut w.bus, 10), StopReason::HsTrap);
    assert_eq!(
        get(&w.h, n::SCAUSE),
        exc::ECALL_FROM_VS,
        "guest load trapped"
    );
    w.h.reg(Reg::A0.num() as usize)
}

/// Executes `insn` with t0 = `a`, t1 = `b` (x0 operands when None) in HS or, for the guest's
/// SFENCE.VMA, in VS.
fn fence(w: &mut World, f: Fence, a: Option<u64>, b: Option<u64>) {
    let r1 = if a.is_some() { Reg::T0 } else { Reg::ZERO };
    let r2 = if b.is_some() { Reg::T1 } else { Reg::ZERO };
    for (r, v) in [(Reg::T0, a), (Reg::T1, b)] {
        w.h.set_reg(r.num() as usize, v.unwrap_or(0))
            .unwrap_or_else(|err| panic!("{err}"));
    }
    if f == Fence::VsSfence {
        // The stub uses t0/t1 itself: rewrite it with the chosen registers.
        write_words(
            &mut w.bus,
            gpa_to_hpa(GPA_RAM + 0x100),
            &[e::sfence_vma(r1, r2), e::ecall()],
        );
        w.h.set_mode(Mode::VS);
        w.h.set_pc(GVA_CODE + 0x100);
        assert_eq!(w.h.run(&mut w.bus, 10), StopReason::HsTrap);
        assert_eq!(get(&w.h, n::SCAUSE), exc::ECALL_FROM_VS);
        return;
    }
    let insn = match f {
        Fence::HsSfence => e::sfence_vma(r1, r2),
        Fence::HfenceVvma => e::hfence_vvma(r1, r2),
        _ => e::hfence_gvma(r1, r2),
    };
    write_words(&mut w.bus, HS_CODE, &[insn, e::ecall()]);
    w.h.invalidate_code(HS_CODE, 8);
    w.h.set_mode(Mode::HS);
    w.h.set_pc(HS_CODE);
    assert_eq!(w.h.run(&mut w.bus, 10), StopReason::MTrap);
    assert_eq!(get(&w.h, n::MCAUSE), exc::ECALL_FROM_S);
}

/// Host address of the VS leaf PTE for `va` (walking the tables the way the spec lays
/// them out).
fn vs_leaf(w: &World, va: u64) -> u64 {
    let mut table = (w.vsatp & ((1 << 44) - 1)) << 12;
    for level in [2u32, 1] {
        let pte = read64(
            &w.bus,
            gpa_to_hpa(table + ((va >> (12 + 9 * level)) & 0x1ff) * 8),
        );
        table = (pte >> 10) << 12;
    }
    gpa_to_hpa(table + ((va >> 12) & 0x1ff) * 8)
}

/// Host address of the G-stage megapage PTE for `gpa`.
fn g_leaf(w: &World, gpa: u64) -> u64 {
    let root = (w.hgatp & ((1 << 44) - 1)) << 12;
    let pte = read64(&w.bus, root + ((gpa >> 30) & 0x7ff) * 8);
    ((pte >> 10) << 12) + ((gpa >> 21) & 0x1ff) * 8
}

fn operand() -> impl Strategy<Value = Operand> {
    prop::sample::select(vec![Operand::All, Operand::Match, Operand::Other])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn fence_scopes(
        f in prop::sample::select(vec![
            Fence::VsSfence, Fence::HsSfence, Fence::HfenceVvma, Fence::HfenceGvma,
        ]),
        addr in operand(),
        id in operand(),
    ) {
        let mut w = world();
        let (va, covered) = if f == Fence::HfenceGvma {
            // Warm the TLB, then move the second G-stage megapage.
            prop_assert_eq!(guest_read(&mut w, GVA_DATA2), OLD);
            let at = g_leaf(&w, GPA_DATA2);
            let pte = read64(&w.bus, at);
            write64(&mut w.bus, at, ((HPA_MOVED >> 12) << 10) | (pte & 0x3ff));
            let gpa = match addr {
                Operand::All => None,
                Operand::Match => Some(GPA_DATA2 >> 2),
                Operand::Other => Some((GPA_RAM + 0x1000) >> 2),
            };
            let vmid = match id {
                Operand::All => None,
                Operand::Match => Some(VMID),
                Operand::Other => Some(VMID + 1),
            };
            fence(&mut w, f, gpa, vmid);
            (GVA_DATA2, addr != Operand::Other && id != Operand::Other)
        } else {
            prop_assert_eq!(guest_read(&mut w, GVA_X), OLD);
            let at = vs_leaf(&w, GVA_X);
            let pte = read64(&w.bus, at);
            let new_ppn = GPA_X_NEW >> 12;
            write64(&mut w.bus, at, (new_ppn << 10) | (pte & 0x3ff));
            let va = match addr {
                Operand::All => None,
                Operand::Match => Some(GVA_X),
                Operand::Other => Some(GVA_DATA + 0x1000),
            };
            let asid = match id {
                Operand::All => None,
                Operand::Match => Some(ASID),
                Operand::Other => Some(ASID + 1),
            };
            fence(&mut w, f, va, asid);
            let reaches_vs = f != Fence::HsSfence;
            (GVA_X, reaches_vs && addr != Operand::Other && id != Operand::Other)
        };
        let expect = if covered { NEW } else { OLD };
        prop_assert_eq!(guest_read(&mut w, va), expect);
    }
}

/// HFENCE.GVMA's VMID operand is masked to VMIDLEN (14 bits): VMID + 2^14 names the same
/// VM (norm:hfence-gvma_vmid).
#[test]
fn hfence_gvma_vmid_operand_is_masked() {
    let mut w = world();
    assert_eq!(guest_read(&mut w, GVA_DATA2), OLD);
    let at = g_leaf(&w, GPA_DATA2);
    let pte = read64(&w.bus, at);
    write64(&mut w.bus, at, ((HPA_MOVED >> 12) << 10) | (pte & 0x3ff));
    fence(&mut w, Fence::HfenceGvma, None, Some(VMID + (1 << 14)));
    assert_eq!(guest_read(&mut w, GVA_DATA2), NEW);
}

/// The HS-side API fences behave like the instructions.
#[test]
fn api_hfence_vvma_matches_instruction() {
    let mut w = world();
    assert_eq!(guest_read(&mut w, GVA_X), OLD);
    let at = vs_leaf(&w, GVA_X);
    let pte = read64(&w.bus, at);
    write64(&mut w.bus, at, ((GPA_X_NEW >> 12) << 10) | (pte & 0x3ff));
    w.h.hfence_vvma(Some(GVA_DATA + 0x1000), None);
    assert_eq!(guest_read(&mut w, GVA_X), OLD);
    w.h.hfence_vvma(Some(GVA_X), Some(ASID));
    assert_eq!(guest_read(&mut w, GVA_X), NEW);
}

/// The decode cache is keyed by physical address: after an HS-level code page is remapped to
/// other code and SFENCE.VMA runs, the new instructions execute (before the fence the old
/// translation, and so the old decoded code, may still be used — hvsim keeps it).
#[test]
fn decode_cache_follows_translation_changes() {
    let mut bus = bus();
    let code_va: u64 = 0x4000_0000;
    let (pa_a, pa_b) = (RAM_BASE + 0x20_000, RAM_BASE + 0x21_000);
    let fence_code = RAM_BASE + 0x22_000;
    write_words(
        &mut bus,
        pa_a,
        &[ok(e::addi(Reg::A0, Reg::ZERO, 1)), e::ecall()],
    );
    write_words(
        &mut bus,
        pa_b,
        &[ok(e::addi(Reg::A0, Reg::ZERO, 2)), e::ecall()],
    );
    write_words(
        &mut bus,
        fence_code,
        &[e::sfence_vma(Reg::ZERO, Reg::ZERO), e::ecall()],
    );
    let mut t = Tables::new(RAM_BASE + 0x10_0000);
    let root = t.alloc(&mut bus, 4096);
    t.map(
        &mut bus, root, code_va, pa_a, RWXAD, 0, false, &ident, &ident,
    );
    t.map(
        &mut bus, root, fence_code, fence_code, RWXAD, 0, false, &ident, &ident,
    );
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    set(&mut h, n::SATP, atp(SV39, 0, root >> 12));
    let run_at = |h: &mut Hart, bus: &mut RamBus, pc: u64| {
        h.set_mode(Mode::HS);
        h.set_pc(pc);
        assert_eq!(h.run(bus, 10), StopReason::MTrap);
        assert_eq!(get(h, n::MCAUSE), exc::ECALL_FROM_S);
        h.reg(Reg::A0.num() as usize)
    };
    assert_eq!(run_at(&mut h, &mut bus, code_va), 1);
    // Remap the code page (leaf entry for code_va in the level-0 table).
    let mut table = root;
    for level in [2u32, 1] {
        let pte = read64(&bus, table + ((code_va >> (12 + 9 * level)) & 0x1ff) * 8);
        table = (pte >> 10) << 12;
    }
    let leaf = table + ((code_va >> 12) & 0x1ff) * 8;
    write64(&mut bus, leaf, ((pa_b >> 12) << 10) | RWXAD);
    assert_eq!(
        run_at(&mut h, &mut bus, code_va),
        1,
        "stale until the fence"
    );
    run_at(&mut h, &mut bus, fence_code);
    assert_eq!(run_at(&mut h, &mut bus, code_va), 2);
}
