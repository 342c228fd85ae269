//! htinst/mtinst and htval/mtval2 on traps into HS and M (hypervisor "Transformed Instruction
//! or Pseudoinstruction for mtinst or htinst", "htval"). Expected encodings are built here
//! from the spec's transformed-instruction formats.

mod hart_support;

use hart_support::guest::*;
use hart_support::*;
use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{Hart, HartConfig, RamBus, StopReason};
use hw_models::riscv::isa::encode::{self as e, AqRl, Reg};
use hw_models::riscv::privilege::Mode;
use proptest::prelude::*;
use sim_core::AccessWidth;

const LOAD: u64 = 0b000_0011;
const STORE: u64 = 0b010_0011;
/// Bits 19:15 (rs1 / address offset).
const RS1: u64 = 0x1f << 15;

/// The instructions exercised, with everything needed to build the expected value.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Standard load with funct3.
    Load(u32),
    /// Standard store with funct3.
    Store(u32),
    CLw,
    CLd,
    CSw,
    CSd,
    CLwsp,
    CLdsp,
    CSwsp,
    CSdsp,
    AmoaddW,
    AmoswapD,
    LrW,
    ScD,
}

fn kinds() -> Vec<Kind> {
    let mut v: Vec<Kind> = (0..7).map(Kind::Load).collect();
    v.extend((0..4).map(Kind::Store));
    v.extend([
        Kind::CLw,
        Kind::CLd,
        Kind::CSw,
        Kind::CSd,
        Kind::CLwsp,
        Kind::CLdsp,
        Kind::CSwsp,
        Kind::CSdsp,
        Kind::AmoaddW,
        Kind::AmoswapD,
        Kind::LrW,
        Kind::ScD,
    ]);
    v
}

/// (instruction bytes, offset added to the base, store-type access, expected transform).
fn build(k: Kind, rd: Reg, rs2: Reg, off_units: i32) -> (Vec<u8>, i32, bool, u64) {
    let base = Reg::S0;
    let r = |x: Reg| u64::from(x.num());
    let load_t = |f3: u64| (f3 << 12) | (r(rd) << 7) | LOAD;
    let store_t = |f3: u64| (r(rs2) << 20) | (f3 << 12) | STORE;
    let word = |w: u32| w.to_le_bytes().to_vec();
    let half = |h: u16| h.to_le_bytes().to_vec();
    // Compressed origin: the expanded instruction's transform with bit 1 cleared.
    let c = |t: u64| t & !2;
    match k {
        Kind::Load(f3) => {
            let off = off_units * 8;
            let w = match f3 {
                0 => e::lb(rd, base, off),
                1 => e::lh(rd, base, off),
                2 => e::lw(rd, base, off),
                3 => e::ld(rd, base, off),
                4 => e::lbu(rd, base, off),
                5 => e::lhu(rd, base, off),
                _ => e::lwu(rd, base, off),
            };
            (word(ok(w)), off, false, load_t(u64::from(f3)))
        }
        Kind::Store(f3) => {
            let off = off_units * 8;
            let w = match f3 {
                0 => e::sb(rs2, base, off),
                1 => e::sh(rs2, base, off),
                2 => e::sw(rs2, base, off),
                _ => e::sd(rs2, base, off),
            };
            (word(ok(w)), off, true, store_t(u64::from(f3)))
        }
        Kind::CLw => (
            half(ok(e::c_lw(rd, base, off_units * 8))),
            off_units * 8,
            false,
            c(load_t(2)),
        ),
        Kind::CLd => (
            half(ok(e::c_ld(rd, base, off_units * 8))),
            off_units * 8,
            false,
            c(load_t(3)),
        ),
        Kind::CSw => (
            half(ok(e::c_sw(rs2, base, off_units * 8))),
            off_units * 8,
            true,
            c(store_t(2)),
        ),
        Kind::CSd => (
            half(ok(e::c_sd(rs2, base, off_units * 8))),
            off_units * 8,
            true,
            c(store_t(3)),
        ),
        Kind::CLwsp => (
            half(ok(e::c_lwsp(rd, off_units * 8))),
            off_units * 8,
            false,
            c(load_t(2)),
        ),
        Kind::CLdsp => (
            half(ok(e::c_ldsp(rd, off_units * 8))),
            off_units * 8,
            false,
            c(load_t(3)),
        ),
        Kind::CSwsp => (
            half(ok(e::c_swsp(rs2, off_units * 8))),
            off_units * 8,
            true,
            c(store_t(2)),
        ),
        Kind::CSdsp => (
            half(ok(e::c_sdsp(rs2, off_units * 8))),
            off_units * 8,
            true,
            c(store_t(3)),
        ),
        Kind::AmoaddW => {
            let w = e::amoadd_w(rd, rs2, base, AqRl::NONE);
            (word(w), 0, true, u64::from(w) & !RS1)
        }
        Kind::AmoswapD => {
            let w = e::amoswap_d(rd, rs2, base, AqRl::NONE);
            (word(w), 0, true, u64::from(w) & !RS1)
        }
        Kind::LrW => {
            let w = e::lr_w(rd, base, AqRl::NONE);
            (word(w), 0, false, u64::from(w) & !RS1)
        }
        Kind::ScD => {
            let w = e::sc_d(rd, rs2, base, AqRl::NONE);
            (word(w), 0, true, u64::from(w) & !RS1)
        }
    }
}

fn guest_hart(bus: &mut RamBus, to_m: bool) -> Hart {
    let (hgatp, vsatp) = two_stage(bus);
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    set(&mut h, n::HGATP, hgatp);
    set(&mut h, n::VSATP, vsatp);
    set(&mut h, n::VSSTATUS, 1 << 18);
    if !to_m {
        let d = [13, 15, 20, 21, 23].iter().map(|c| 1u64 << c).sum();
        set(&mut h, n::MEDELEG, d);
    }
    h.set_mode(Mode::VS);
    h.set_pc(GVA_CODE);
    h
}

/// (cause, tval, tval2, tinst) of the trap just taken, from HS or M CSRs.
fn trap_values(h: &Hart, to_m: bool) -> (u64, u64, u64, u64) {
    if to_m {
        (
            get(h, n::MCAUSE),
            get(h, n::MTVAL),
            get(h, n::MTVAL2),
            get(h, n::MTINST),
        )
    } else {
        (
            get(h, n::SCAUSE),
            get(h, n::STVAL),
            get(h, n::HTVAL),
            get(h, n::HTINST),
        )
    }
}

fn reg_from(i: u8) -> Reg {
    Reg::new(i).unwrap_or_else(|err| panic!("{err}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// norm:H_trap_xtinst_exception, norm:H_tinst_addr_offset, norm:htval_trapval /
    /// HTVAL_TRAPVAL, MTVAL2_TRAPVAL: a guest-page fault of an explicit load/store/AMO from VS
    /// writes the transformed instruction (compressed ones expanded with bit 1 = 0) and the
    /// faulting GPA >> 2, into HS (htinst/htval) or M (mtinst/mtval2).
    #[test]
    fn transformed_explicit_accesses(
        k in prop::sample::select(kinds()), rd in 9u8..16, rs2 in 9u8..16, off in 0i32..4,
        to_m in any::<bool>(),
    ) {
        let mut bus = bus();
        let mut h = guest_hart(&mut bus, to_m);
        let (code, off, store, expect) = build(k, reg_from(rd), reg_from(rs2), off);
        write_bytes(&mut bus, gpa_to_hpa(GPA_RAM), &code);
        let sp_based = matches!(k, Kind::CLwsp | Kind::CLdsp | Kind::CSwsp | Kind::CSdsp);
        let base = if sp_based { Reg::SP } else { Reg::S0 };
        h.set_reg(base.num() as usize, GVA_MMIO).unwrap_or_else(|err| panic!("{err}"));
        let stop = h.run(&mut bus, 1);
        prop_assert_eq!(stop, if to_m { StopReason::MTrap } else { StopReason::HsTrap });
        let addr = GVA_MMIO + off as u64;
        let cause = if store { exc::STORE_GUEST_PAGE_FAULT } else { exc::LOAD_GUEST_PAGE_FAULT };
        let gpa = GPA_MMIO + off as u64;
        prop_assert_eq!(trap_values(&h, to_m), (cause, addr, gpa >> 2, expect));
    }
}

/// A misaligned load straddling into an unmapped VS page: page fault at the second page,
/// tval = the page boundary and the address offset in bits 19:15 of the transform
/// (norm:H_tinst_addr_offset, norm:H_straddle).
#[test]
fn misaligned_straddle_offset() {
    let mut bus = bus();
    let mut h = guest_hart(&mut bus, false);
    write_words(
        &mut bus,
        gpa_to_hpa(GPA_RAM),
        &[ok(e::ld(Reg::A0, Reg::S0, 0))],
    );
    let va = GVA_DATA + 0x3ffc;
    h.set_reg(Reg::S0.num() as usize, va)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(h.run(&mut bus, 1), StopReason::HsTrap);
    let boundary = GVA_DATA + 0x4000;
    let expect = (4 << 15) | (3 << 12) | (10 << 7) | LOAD;
    assert_eq!(
        trap_values(&h, false),
        (exc::LOAD_PAGE_FAULT, boundary, 0, expect)
    );
}

/// Implicit VS-stage accesses that fault in the G-stage write the pseudoinstructions
/// (norm:H_trap_xtinst_guestpage): 0x3000 for a PTE read — here on instruction fetch with
/// vsatp's root in unmapped guest-physical memory; htval = the PTE's GPA >> 2.
#[test]
fn pseudoinstruction_for_vs_pte_read_on_fetch() {
    let mut bus = bus();
    let mut h = guest_hart(&mut bus, false);
    set(&mut h, n::VSATP, atp(SV39, ASID, GPA_MMIO >> 12));
    assert_eq!(h.run(&mut bus, 1), StopReason::HsTrap);
    // Level-2 index of GVA_CODE: bits 38:30.
    let pte_gpa = GPA_MMIO + ((GVA_CODE >> 30) & 0x1ff) * 8;
    assert_eq!(
        trap_values(&h, false),
        (
            exc::INSTRUCTION_GUEST_PAGE_FAULT,
            GVA_CODE,
            pte_gpa >> 2,
            0x3000
        )
    );
    let hs = get(&h, n::HSTATUS);
    assert_ne!(hs & (1 << 6), 0, "GVA");
}

/// 0x3020 for a VS PTE A/D update (Svadu via henvcfg.ADUE) whose G-stage page is read-only
/// (norm:H_trap_xtinst_guestpage_rw), through the HS-side HLV API.
#[test]
fn pseudoinstruction_for_vs_pte_write_through_hlv() {
    let mut bus = bus();
    let mut h = guest_hart(&mut bus, false);
    h.set_mode(Mode::HS);
    // A G-stage with one read-only megapage holding the VS tables, one RWX for data.
    let mut host = Tables::new(HOST_TABLES + 0x10_0000);
    let g_root = host.alloc(&mut bus, 16 * 1024);
    let ro = PTE_V | PTE_R | PTE_U | PTE_A | PTE_D;
    host.map(
        &mut bus,
        g_root,
        0x8020_0000,
        0x8060_0000,
        ro,
        1,
        true,
        &ident,
        &ident,
    );
    host.map(
        &mut bus,
        g_root,
        GPA_RAM,
        HPA_RAM,
        RWXAD | PTE_U,
        1,
        true,
        &ident,
        &ident,
    );
    // VS tables at GPA 0x8020_0000 (HPA 0x8060_0000): data page with A = 0.
    let s2h = |g: u64| g - 0x8020_0000 + 0x8060_0000;
    let h2s = |x: u64| x - 0x8060_0000 + 0x8020_0000;
    let mut vs = Tables::new(0x8060_0000);
    let root_h = vs.alloc(&mut bus, 4096);
    let root = h2s(root_h);
    let leaf = PTE_V | PTE_R | PTE_W | PTE_U;
    vs.map(
        &mut bus, root, GVA_DATA, GPA_DATA, leaf, 0, false, &s2h, &h2s,
    );
    set(&mut h, n::HGATP, atp(SV39, VMID, g_root >> 12));
    set(&mut h, n::VSATP, atp(SV39, ASID, root >> 12));
    set(&mut h, n::MENVCFG, 1 << 61);
    set(&mut h, n::HENVCFG, 1 << 61);
    let e = h
        .hyp_load(&mut bus, GVA_DATA, AccessWidth::Dword, false, false)
        .expect_err("the A update must fault");
    assert_eq!(e.cause, exc::LOAD_GUEST_PAGE_FAULT);
    assert_eq!(e.tinst, 0x3020);
    assert!(e.gva);
    assert_eq!(e.tval, GVA_DATA);
    // The leaf PTE is entry 0 of the third table the builder allocated (root, level 1,
    // level 0 at GPA 0x8020_2000): its GPA is what faulted.
    assert_eq!((GVA_DATA >> 12) & 0x1ff, 0);
    assert_eq!(e.tval2, 0x8020_2000 >> 2);
}

/// HLV executed in HS faulting in the G-stage: htinst is the HLV with rs1 replaced by the
/// offset (0); SPV = 0 but GVA = 1 (norm:hstatus_gva_op note).
#[test]
fn hlv_instruction_transform_and_gva() {
    let mut bus = bus();
    let mut h = guest_hart(&mut bus, false);
    let code = HPA_RAM + 0x30_0000;
    let hlv = e::hlv_w(Reg::A0, Reg::A1);
    write_words(&mut bus, code, &[hlv]);
    h.set_mode(Mode::HS);
    set(&mut h, n::STVEC, code + 0x100);
    h.set_pc(code);
    h.set_reg(Reg::A1.num() as usize, GVA_MMIO)
        .unwrap_or_else(|err| panic!("{err}"));
    // HS traps taken from HS go to HS (medeleg) and stop the run.
    assert_eq!(h.run(&mut bus, 1), StopReason::HsTrap);
    assert_eq!(
        trap_values(&h, false),
        (
            exc::LOAD_GUEST_PAGE_FAULT,
            GVA_MMIO,
            GPA_MMIO >> 2,
            u64::from(hlv) & !RS1
        )
    );
    let hs = get(&h, n::HSTATUS);
    assert_eq!(hs & (1 << 7), 0, "SPV");
    assert_ne!(hs & (1 << 6), 0, "GVA");
}

/// Traps that have no transformation write 0 (ecall, illegal, fetch faults), and interrupts
/// always write 0 (norm:H_trap_xtinst_interrupt).
#[test]
fn zero_for_everything_else() {
    let mut bus = bus();
    let mut h = guest_hart(&mut bus, false);
    set(&mut h, n::MEDELEG, 1 << exc::ECALL_FROM_VS);
    set(&mut h, n::HTINST, 0xdead);
    write_words(&mut bus, gpa_to_hpa(GPA_RAM), &[e::ecall()]);
    assert_eq!(h.run(&mut bus, 1), StopReason::HsTrap);
    assert_eq!(get(&h, n::SCAUSE), exc::ECALL_FROM_VS);
    assert_eq!(get(&h, n::HTINST), 0);
    assert_eq!(get(&h, n::HTVAL), 0);
}
