//! The HS-side API used by the hypervisor seam: csr_access, sret/mret, hyp_load/hyp_store
//! (HLV/HLVX/HSV semantics), gprs.

mod hart_support;

use hart_support::guest::*;
use hart_support::*;
use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{CsrAccess, Hart, HartConfig, RamBus};
use hw_models::riscv::privilege::Mode;
use sim_core::AccessWidth;

const SPVP: u64 = 1 << 8;
const SPV: u64 = 1 << 7;
const SPP: u64 = 1 << 8;
const MXR: u64 = 1 << 19;
const SUM: u64 = 1 << 18;

fn hs_with_guest() -> (Hart, RamBus) {
    let mut bus = bus();
    let (hgatp, vsatp) = two_stage(&mut bus);
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    set(&mut h, n::HGATP, hgatp);
    set(&mut h, n::VSATP, vsatp);
    h.set_mode(Mode::HS);
    (h, bus)
}

/// norm:hlsv_trans, norm:hstatus_spvp_op: HLV/HSV translate like VS (SPVP=1) or VU (SPVP=0)
/// accesses, with vsstatus.SUM applying to VS.
#[test]
fn hlv_hsv_through_two_stages() {
    let (mut h, mut bus) = hs_with_guest();
    set(&mut h, n::HSTATUS, SPVP);
    set(&mut h, n::VSSTATUS, SUM);
    h.hyp_store(
        &mut bus,
        GVA_DATA + 8,
        AccessWidth::Qword,
        0x8877_6655_4433_2211,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        read64(&bus, gpa_to_hpa(GPA_DATA) + 8),
        0x8877_6655_4433_2211
    );
    let v = h
        .hyp_load(&mut bus, GVA_DATA + 8, AccessWidth::Byte, true, false)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(v, 0x11);
    let v = h
        .hyp_load(&mut bus, GVA_DATA + 15, AccessWidth::Byte, true, false)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(v, 0xffff_ffff_ffff_ff88, "HLV.B sign-extends");
    // Without vsstatus.SUM a VS-level access to a U page faults (page fault, GVA = 1).
    set(&mut h, n::VSSTATUS, 0);
    let e = h
        .hyp_load(&mut bus, GVA_DATA, AccessWidth::Dword, false, false)
        .expect_err("SUM = 0");
    assert_eq!(
        (e.cause, e.tval, e.gva),
        (exc::LOAD_PAGE_FAULT, GVA_DATA, true)
    );
    // As VU (SPVP = 0) the U page is fine; the S-only code page is not.
    set(&mut h, n::HSTATUS, 0);
    assert!(
        h.hyp_load(&mut bus, GVA_DATA, AccessWidth::Dword, false, false)
            .is_ok()
    );
    let e = h
        .hyp_load(&mut bus, GVA_CODE, AccessWidth::Dword, false, false)
        .expect_err("VU cannot read S pages");
    assert_eq!(e.cause, exc::LOAD_PAGE_FAULT);
}

/// norm:hlsv_u_op: HLVX needs execute permission (not read); MXR does not help it.
#[test]
fn hlvx_needs_execute() {
    let (mut h, mut bus) = hs_with_guest();
    set(&mut h, n::HSTATUS, SPVP);
    // The code page is RWX: fine. Make a data PTE readable but not executable.
    assert!(
        h.hyp_load(&mut bus, GVA_CODE, AccessWidth::Word, false, true)
            .is_ok()
    );
    set(&mut h, n::VSSTATUS, SUM | MXR);
    let leaf = {
        let vsatp = get(&h, n::VSATP);
        let mut table = (vsatp & ((1 << 44) - 1)) << 12;
        for level in [2u32, 1] {
            let idx = (GVA_DATA >> (12 + 9 * level)) & 0x1ff;
            table = (read64(&bus, gpa_to_hpa(table + idx * 8)) >> 10) << 12;
        }
        gpa_to_hpa(table + ((GVA_DATA >> 12) & 0x1ff) * 8)
    };
    let pte = read64(&bus, leaf);
    write64(&mut bus, leaf, pte & !PTE_X);
    h.hfence_vvma(None, None);
    assert!(
        h.hyp_load(&mut bus, GVA_DATA, AccessWidth::Dword, false, false)
            .is_ok()
    );
    let e = h
        .hyp_load(&mut bus, GVA_DATA, AccessWidth::Dword, false, true)
        .expect_err("not executable");
    assert_eq!(e.cause, exc::LOAD_PAGE_FAULT);
    // HLVX exists only for halfwords and words.
    let e = h
        .hyp_load(&mut bus, GVA_CODE, AccessWidth::Qword, false, true)
        .expect_err("no HLVX.D");
    assert_eq!(e.cause, exc::ILLEGAL_INSTRUCTION);
}

/// norm:sret_v0: SRET from HS goes to V = SPV with privilege SPP and clears SPV; from VS it
/// uses vsstatus and vsepc (norm:sret_v1). MRET with MPV = 1 enters V = 1 (norm:mret_h).
#[test]
fn xret_transitions() {
    let mut h = Hart::new(HartConfig::default());
    h.set_mode(Mode::HS);
    set(&mut h, n::HSTATUS, SPV);
    set(&mut h, n::MSTATUS, SPP);
    set(&mut h, n::SEPC, 0x1000);
    h.sret().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((h.mode(), h.pc()), (Mode::VS, 0x1000));
    assert_eq!(get(&h, n::HSTATUS) & SPV, 0);
    assert_eq!(get(&h, n::MSTATUS) & SPP, 0);
    // VS SRET to VU.
    set(&mut h, n::VSEPC, 0x2000);
    h.sret().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((h.mode(), h.pc()), (Mode::VU, 0x2000));
    // VU cannot SRET: virtual-instruction.
    assert_eq!(h.sret().map_err(|e| e.cause), Err(exc::VIRTUAL_INSTRUCTION));
    // MRET from M with MPP = S, MPV = 1.
    h.set_mode(Mode::M);
    set(&mut h, n::MSTATUS, (1 << 11) | (1 << 39));
    set(&mut h, n::MEPC, 0x3000);
    h.mret().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((h.mode(), h.pc()), (Mode::VS, 0x3000));
    assert_eq!(get(&h, n::MSTATUS) & (1 << 39), 0, "MPV cleared");
    assert_eq!(h.mret().map_err(|e| e.cause), Err(exc::ILLEGAL_INSTRUCTION));
}

/// csr_access applies the permission rules of the given mode and leaves the hart's mode.
#[test]
fn csr_access_permissions() {
    let mut h = Hart::new(HartConfig::default());
    assert_eq!(h.mode(), Mode::M);
    assert_eq!(
        h.csr_access(Mode::HS, n::MSTATUS, CsrAccess::Read)
            .map_err(|e| e.cause),
        Err(exc::ILLEGAL_INSTRUCTION)
    );
    assert_eq!(
        h.csr_access(Mode::VS, n::HSTATUS, CsrAccess::Read)
            .map_err(|e| e.cause),
        Err(exc::VIRTUAL_INSTRUCTION)
    );
    assert_eq!(
        h.csr_access(Mode::HS, n::HSTATUS, CsrAccess::Set(1 << 9)),
        Ok(2 << 32)
    );
    assert_eq!(
        h.csr_access(Mode::HS, n::HSTATUS, CsrAccess::Clear(1 << 9)),
        Ok((2 << 32) | (1 << 9))
    );
    assert_eq!(h.mode(), Mode::M);
    let mut x = [0u64; 32];
    x[0] = 7;
    x[10] = 42;
    h.set_gprs(&x);
    assert_eq!(h.gprs()[0], 0);
    assert_eq!(h.gprs()[10], 42);
}

/// norm:mstatus_mprv_hypervisor: M-mode loads with MPRV = 1, MPP = S, MPV = 1 are translated
/// like VS accesses (two stages, vsstatus.SUM); a guest-page fault then reaches M with the
/// guest VA in mtval (GVA = 1), GPA >> 2 in mtval2, MPV = 0 (V was 0) and MPP = M.
#[test]
fn mprv_with_mpv_uses_two_stage_translation() {
    use hw_models::riscv::hart::StopReason;
    use hw_models::riscv::isa::encode::{self as e, Reg};
    let (mut h, mut bus) = hs_with_guest();
    let code = RAM_BASE + 0x5000;
    write_words(
        &mut bus,
        code,
        &[ok(e::ld(Reg::A0, Reg::A1, 0)), e::ecall()],
    );
    write64(&mut bus, gpa_to_hpa(GPA_DATA), 0xfeed);
    set(&mut h, n::VSSTATUS, SUM);
    set(&mut h, n::MTVEC, RAM_BASE + 0x6000);
    let mprv = 1 << 17;
    set(&mut h, n::MSTATUS, mprv | (1 << 11) | (1 << 39));
    h.set_mode(Mode::M);
    h.set_pc(code);
    h.set_reg(Reg::A1.num() as usize, GVA_DATA)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.run(&mut bus, 2), StopReason::MTrap);
    assert_eq!(get(&h, n::MCAUSE), exc::ECALL_FROM_M);
    assert_eq!(h.reg(Reg::A0.num() as usize), 0xfeed);
    // Now a guest-page fault.
    set(&mut h, n::MSTATUS, mprv | (1 << 11) | (1 << 39));
    h.set_pc(code);
    h.set_reg(Reg::A1.num() as usize, GVA_MMIO)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.run(&mut bus, 1), StopReason::MTrap);
    assert_eq!(get(&h, n::MCAUSE), exc::LOAD_GUEST_PAGE_FAULT);
    assert_eq!(get(&h, n::MTVAL), GVA_MMIO);
    assert_eq!(get(&h, n::MTVAL2), GPA_MMIO >> 2);
    let ms = get(&h, n::MSTATUS);
    assert_ne!(ms & (1 << 38), 0, "GVA");
    assert_eq!(ms & (1 << 39), 0, "MPV = V at the trap = 0");
    assert_eq!((ms >> 11) & 3, 3, "MPP = M");
}

/// The API's HLV/HSV failures carry what the trap CSRs would: the transformed instruction
/// with rd/rs2 = x0 (HLV.W = 0110100_00000_rs1_100_rd_1110011, HSV.W =
/// 0110101_rs2_rs1_100_00000_1110011), htval = GPA >> 2, GVA.
#[test]
fn hyp_access_fault_values() {
    let (mut h, mut bus) = hs_with_guest();
    set(&mut h, n::HSTATUS, SPVP);
    set(&mut h, n::VSSTATUS, SUM);
    let e = h
        .hyp_load(&mut bus, GVA_MMIO + 4, AccessWidth::Dword, true, false)
        .expect_err("MMIO");
    assert_eq!(e.cause, exc::LOAD_GUEST_PAGE_FAULT);
    assert_eq!(
        (e.tval, e.tval2, e.tinst, e.gva),
        (GVA_MMIO + 4, (GPA_MMIO + 4) >> 2, 0x6800_4073, true)
    );
    let e = h
        .hyp_store(&mut bus, GVA_MMIO, AccessWidth::Dword, 1)
        .expect_err("MMIO");
    assert_eq!(e.cause, exc::STORE_GUEST_PAGE_FAULT);
    assert_eq!(e.tinst, 0x6a00_4073);
}
