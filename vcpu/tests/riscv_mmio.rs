//! MMIO decode of load/store guest-page faults: from htinst (transformed instructions and
//! pseudo-instructions) and from the instruction fetched with HLVX; completion with the
//! load's sign or zero extension.

mod riscv_common;

use hw_models::riscv::csr_num as csr;
use proptest::prelude::*;
use riscv_common::enc::*;
use riscv_common::*;
use sim_core::{AccessWidth, GuestPhysAddr};
use vcpu::{AccessFlags, ExitReason};

const LOAD_GPF: u64 = 21;
const STORE_GPF: u64 = 23;
const GPA: u64 = 0x1000_0004;
const VSTVEC: u64 = 0x8000_0800;

/// (funct3, width, signed) for every RV64 integer load.
const LOADS: [(u32, AccessWidth, bool); 7] = [
    (0, AccessWidth::Byte, true),
    (1, AccessWidth::Word, true),
    (2, AccessWidth::Dword, true),
    (3, AccessWidth::Qword, false),
    (4, AccessWidth::Byte, false),
    (5, AccessWidth::Word, false),
    (6, AccessWidth::Dword, false),
];
/// (funct3, width) for every RV64 integer store.
const STORES: [(u32, AccessWidth); 4] = [
    (0, AccessWidth::Byte),
    (1, AccessWidth::Word),
    (2, AccessWidth::Dword),
    (3, AccessWidth::Qword),
];

fn gpf(cause: u64, gpa: u64, htinst: u64) -> Trap {
    Trap {
        scause: cause,
        // stval is the guest-virtual address; only its low two bits reach the GPA.
        stval: 0xffff_ffc0_0000_0000 | (gpa & 3),
        htval: gpa >> 2,
        htinst,
        ..Trap::default()
    }
}

fn read_exit(width: AccessWidth, reg: usize, signed: bool) -> ExitReason {
    ExitReason::MmioRead {
        addr: GuestPhysAddr::new(GPA),
        width,
        reg,
        reg_width: AccessWidth::Qword,
        signed_ext: signed,
    }
}

#[test]
fn every_load_from_htinst() {
    for (f3, width, signed) in LOADS {
        for compressed in [false, true] {
            let (mut v, mut hw) = bound_vcpu();
            let htinst = transform(load(f3, 7, 3, 0x7f0), compressed);
            let exit = run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, htinst));
            assert_eq!(exit, read_exit(width, 7, signed), "funct3 {f3}");
            assert_eq!(v.pc(), ENTRY + if compressed { 2 } else { 4 });
            assert!(hw.hlvx_calls.is_empty(), "htinst is enough");
        }
    }
}

#[test]
fn every_store_from_htinst() {
    for (f3, width) in STORES {
        for compressed in [false, true] {
            let (mut v, mut hw) = bound_vcpu();
            v.set_gpr(9, 0x1122_3344_5566_7788).unwrap();
            let htinst = transform(store(f3, 9, 2, -8), compressed);
            let exit = run_one(&mut v, &mut hw, gpf(STORE_GPF, GPA, htinst));
            assert_eq!(
                exit,
                ExitReason::MmioWrite {
                    addr: GuestPhysAddr::new(GPA),
                    width,
                    data: 0x1122_3344_5566_7788 & width.mask(),
                }
            );
            assert_eq!(v.pc(), ENTRY + if compressed { 2 } else { 4 });
        }
    }
}

#[test]
fn every_load_and_store_from_hlvx_fetch() {
    for (f3, width, signed) in LOADS {
        let (mut v, mut hw) = bound_vcpu();
        hw.put_insn(ENTRY, load(f3, 31, 10, -1));
        let exit = run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, 0));
        assert_eq!(exit, read_exit(width, 31, signed));
        assert_eq!(v.pc(), ENTRY + 4);
        assert_eq!(
            hw.hlvx_calls,
            vec![(ENTRY, AccessWidth::Word), (ENTRY + 2, AccessWidth::Word)],
            "two HLVX.HU parcels"
        );
    }
    for (f3, width) in STORES {
        let (mut v, mut hw) = bound_vcpu();
        v.set_gpr(1, u64::MAX).unwrap();
        hw.put_insn(ENTRY, store(f3, 1, 10, 2047));
        let exit = run_one(&mut v, &mut hw, gpf(STORE_GPF, GPA, 0));
        assert_eq!(
            exit,
            ExitReason::MmioWrite {
                addr: GuestPhysAddr::new(GPA),
                width,
                data: width.mask()
            }
        );
        assert_eq!(v.pc(), ENTRY + 4);
    }
}

#[test]
fn every_compressed_form_from_hlvx_fetch() {
    // (encoding, is_load, reg, width, signed)
    let cases: [(u32, bool, usize, AccessWidth, bool); 13] = [
        (
            c_q0(0b010, 1, 2, 0b11111),
            true,
            10,
            AccessWidth::Dword,
            true,
        ), // C.LW
        (
            c_q0(0b011, 1, 7, 0b11111),
            true,
            15,
            AccessWidth::Qword,
            false,
        ), // C.LD
        (c_q0(0b110, 0, 3, 0), false, 11, AccessWidth::Dword, false), // C.SW
        (c_q0(0b111, 0, 0, 5), false, 8, AccessWidth::Qword, false),  // C.SD
        (c_lsp(0b010, 5, 0x3f), true, 5, AccessWidth::Dword, true),   // C.LWSP
        (c_lsp(0b011, 31, 0), true, 31, AccessWidth::Qword, false),   // C.LDSP
        (c_ssp(0b110, 0, 1), false, 0, AccessWidth::Dword, false),    // C.SWSP x0
        (c_ssp(0b111, 17, 0x3f), false, 17, AccessWidth::Qword, false), // C.SDSP
        (
            c_zcb(0b100_000, 1, 3, 4),
            true,
            12,
            AccessWidth::Byte,
            false,
        ), // C.LBU
        (
            c_zcb(0b100_001, 1, 0b01, 4),
            true,
            12,
            AccessWidth::Word,
            false,
        ), // C.LHU
        (
            c_zcb(0b100_001, 1, 0b11, 4),
            true,
            12,
            AccessWidth::Word,
            true,
        ), // C.LH
        (
            c_zcb(0b100_010, 1, 3, 6),
            false,
            14,
            AccessWidth::Byte,
            false,
        ), // C.SB
        (
            c_zcb(0b100_011, 1, 0b01, 6),
            false,
            14,
            AccessWidth::Word,
            false,
        ), // C.SH
    ];
    for (bits, is_load, reg, width, signed) in cases {
        let (mut v, mut hw) = bound_vcpu();
        v.set_gpr(reg, 0xa5a5_a5a5_a5a5_a5a5).unwrap();
        hw.put_insn(ENTRY, bits);
        let cause = if is_load { LOAD_GPF } else { STORE_GPF };
        let exit = run_one(&mut v, &mut hw, gpf(cause, GPA, 0));
        let want = if is_load {
            read_exit(width, reg, signed)
        } else {
            ExitReason::MmioWrite {
                addr: GuestPhysAddr::new(GPA),
                width,
                data: if reg == 0 {
                    0
                } else {
                    0xa5a5_a5a5_a5a5_a5a5 & width.mask()
                },
            }
        };
        assert_eq!(exit, want, "insn {bits:#06x}");
        assert_eq!(v.pc(), ENTRY + 2, "insn {bits:#06x}");
        assert_eq!(
            hw.hlvx_calls.len(),
            1,
            "one parcel for a compressed instruction"
        );
    }
}

#[test]
fn reserved_compressed_forms_are_not_mmio() {
    // C.LWSP/C.LDSP with rd = x0 are reserved; C.FLD is FP; Zcb 100_011 with bit 6 set is
    // reserved.
    for bits in [
        c_lsp(0b010, 0, 4),
        c_lsp(0b011, 0, 4),
        c_q0(0b001, 0, 0, 0),
        c_zcb(0b100_011, 0, 0b10, 0),
    ] {
        let (mut v, mut hw) = bound_vcpu();
        hw.put_insn(ENTRY, bits);
        let exit = run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, 0));
        assert_eq!(
            exit,
            ExitReason::NestedPageFault {
                addr: GuestPhysAddr::new(GPA),
                access_flags: AccessFlags::READ
            }
        );
        assert_eq!(v.pc(), ENTRY, "not advanced: the VMM may map and retry");
    }
}

#[test]
fn gpa_combines_htval_and_stval_low_bits() {
    for low in 0..4 {
        let (mut v, mut hw) = bound_vcpu();
        let gpa = 0x2_0000_0000 | low;
        let exit = run_one(
            &mut v,
            &mut hw,
            gpf(LOAD_GPF, gpa, transform(load(0, 5, 0, 0), false)),
        );
        let ExitReason::MmioRead { addr, .. } = exit else {
            panic!("{exit:?}")
        };
        assert_eq!(addr.as_u64(), gpa);
    }
}

#[test]
fn pseudo_instructions_are_nested_page_faults() {
    for (htinst, cause, access) in [
        (0x3000, LOAD_GPF, AccessFlags::READ),
        (0x2000, LOAD_GPF, AccessFlags::READ),
        (0x3020, STORE_GPF, AccessFlags::WRITE),
        (0x2020, STORE_GPF, AccessFlags::WRITE),
        // An A/D update can fault on behalf of a load (norm:H_trap_xtinst_guestpage_rw).
        (0x3020, LOAD_GPF, AccessFlags::WRITE),
    ] {
        let (mut v, mut hw) = bound_vcpu();
        let exit = run_one(&mut v, &mut hw, gpf(cause, GPA, htinst));
        assert_eq!(
            exit,
            ExitReason::NestedPageFault {
                addr: GuestPhysAddr::new(GPA),
                access_flags: access
            }
        );
        assert_eq!(v.pc(), ENTRY);
        assert!(hw.hlvx_calls.is_empty());
    }
}

#[test]
fn non_mmio_instructions_are_nested_page_faults() {
    // AMOADD.W, FLD, and a store that faulted as a load (mismatch).
    let amoadd_w = 0x00b5_202f_u32;
    let fld = 0x0005_3007_u32;
    for (bits, cause, access) in [
        (amoadd_w, STORE_GPF, AccessFlags::WRITE),
        (fld, LOAD_GPF, AccessFlags::READ),
        (store(2, 1, 2, 0), LOAD_GPF, AccessFlags::READ),
        (load(2, 1, 2, 0), STORE_GPF, AccessFlags::WRITE),
    ] {
        let (mut v, mut hw) = bound_vcpu();
        hw.put_insn(ENTRY, bits);
        let exit = run_one(&mut v, &mut hw, gpf(cause, GPA, 0));
        assert_eq!(
            exit,
            ExitReason::NestedPageFault {
                addr: GuestPhysAddr::new(GPA),
                access_flags: access
            },
            "{bits:#x}"
        );
        assert_eq!(v.pc(), ENTRY);
    }
}

#[test]
fn unrecognized_htinst_falls_back_to_the_fetch() {
    // Bits above 31 set: not a transformed instruction (spec note on verifying htinst).
    let (mut v, mut hw) = bound_vcpu();
    hw.put_insn(ENTRY, load(4, 6, 1, 0));
    let htinst = (1 << 40) | transform(load(3, 6, 0, 0), false);
    let exit = run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, htinst));
    assert_eq!(exit, read_exit(AccessWidth::Byte, 6, false));
    assert_eq!(hw.hlvx_calls.len(), 2);
}

fn fetch_fault_setup(fault_at: u64, cause: u64) -> (vcpu::riscv::RiscvVCpu<FakeHart>, FakeHart) {
    let (v, mut hw) = bound_vcpu();
    hw.set_csr(csr::VSATP, 8 << 60 | 1);
    hw.set_csr(csr::VSTVEC, VSTVEC | 1); // vectored: exceptions still go to BASE
    hw.set_csr(csr::VSSTATUS, SSTATUS_SIE);
    hw.put_insn(ENTRY, load(2, 5, 6, 0));
    hw.faults.insert(
        fault_at,
        hw_models::riscv::hw::HwTrap {
            cause,
            tval: fault_at,
            htval: 0x4_0000_0000 >> 2,
            htinst: 0,
        },
    );
    (v, hw)
}

#[test]
fn hlvx_vs_stage_fault_becomes_an_instruction_page_fault_for_the_guest() {
    // The fault on the second parcel: an instruction straddling a page.
    let (mut v, mut hw) = fetch_fault_setup(ENTRY + 2, 13);
    let exit = run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, 0));
    assert_eq!(exit, ExitReason::Nothing);
    assert_eq!(hw.csr(csr::VSCAUSE), 12);
    assert_eq!(hw.csr(csr::VSTVAL), ENTRY + 2);
    assert_eq!(hw.csr(csr::VSEPC), ENTRY);
    assert_eq!(v.pc(), VSTVEC);
    assert_eq!(hw.csr(csr::VSSTATUS), SSTATUS_SPP | SSTATUS_SPIE);
}

#[test]
fn hlvx_access_fault_becomes_an_instruction_access_fault() {
    let (mut v, mut hw) = fetch_fault_setup(ENTRY, 5);
    assert_eq!(
        run_one(&mut v, &mut hw, gpf(STORE_GPF, GPA, 0)),
        ExitReason::Nothing
    );
    assert_eq!(hw.csr(csr::VSCAUSE), 1);
    assert_eq!(hw.csr(csr::VSTVAL), ENTRY);
}

#[test]
fn hlvx_guest_page_fault_is_a_nested_fault_on_execute() {
    let (mut v, mut hw) = fetch_fault_setup(ENTRY, 21);
    let exit = run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, 0));
    assert_eq!(
        exit,
        ExitReason::NestedPageFault {
            addr: GuestPhysAddr::new(0x4_0000_0000 | (ENTRY & 3)),
            access_flags: AccessFlags::EXECUTE
        }
    );
    assert_eq!(v.pc(), ENTRY);
    assert_eq!(hw.csr(csr::VSCAUSE), 0, "nothing reflected");
}

#[test]
fn completion_extends_as_the_load_demands() {
    // (funct3, value from the device, register value)
    let cases = [
        (0, 0x80, 0xffff_ffff_ffff_ff80),                  // LB
        (4, 0x80, 0x80),                                   // LBU
        (1, 0x8000, 0xffff_ffff_ffff_8000),                // LH
        (5, 0x8000, 0x8000),                               // LHU
        (2, 0x8000_0000, 0xffff_ffff_8000_0000),           // LW
        (6, 0x8000_0000, 0x8000_0000),                     // LWU
        (3, 0x8000_0000_0000_0001, 0x8000_0000_0000_0001), // LD
        (0, 0x1_7f, 0x7f),                                 // LB ignores bits above the width
    ];
    for (f3, dev, want) in cases {
        let (mut v, mut hw) = bound_vcpu();
        run_one(
            &mut v,
            &mut hw,
            gpf(LOAD_GPF, GPA, transform(load(f3, 13, 0, 0), false)),
        );
        v.set_return_value(dev);
        assert_eq!(v.gpr(13), want, "funct3 {f3}");
        assert_eq!(v.gpr(10), 0, "a0 untouched");
        // A second completion is not a load completion any more: it writes a0.
        v.set_return_value(9);
        assert_eq!(v.gpr(13), want);
        assert_eq!(v.gpr(10), 9);
    }
}

#[test]
fn completion_into_x0_is_discarded() {
    let (mut v, mut hw) = bound_vcpu();
    let exit = run_one(
        &mut v,
        &mut hw,
        gpf(LOAD_GPF, GPA, transform(load(3, 0, 0, 0), false)),
    );
    assert_eq!(exit, read_exit(AccessWidth::Qword, 0, false));
    v.set_return_value(0x55);
    assert_eq!(v.gpr(0), 0);
}

#[test]
fn completed_value_reaches_the_guest_at_the_next_entry() {
    let (mut v, mut hw) = bound_vcpu();
    run_one(
        &mut v,
        &mut hw,
        gpf(LOAD_GPF, GPA, transform(load(1, 20, 0, 0), true)),
    );
    v.set_return_value(0xfffe);
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    let e = hw.entries.last().unwrap();
    assert_eq!(e.gprs.x[20], (-2i64) as u64);
    assert_eq!(e.sepc, ENTRY + 2);
}

fn width_strategy() -> impl Strategy<Value = usize> {
    0usize..LOADS.len()
}

proptest! {
    /// Unpriv spec "Load and Store Instructions" + hypervisor spec
    /// norm:H_trap_xtinst_exception_list: a load decodes to the same MMIO access whether
    /// it comes from the fetched instruction or from its transformation in htinst, for
    /// every funct3, rd, rs1 and offset.
    #[test]
    fn load_decode_agrees_between_fetch_and_htinst(
        i in width_strategy(), rd in 0u32..32, rs1 in 0u32..32, imm in -2048i32..2048
    ) {
        let (f3, width, signed) = LOADS[i];
        let bits = load(f3, rd, rs1, imm);
        let (mut v1, mut hw1) = bound_vcpu();
        hw1.put_insn(ENTRY, bits);
        let fetched = run_one(&mut v1, &mut hw1, gpf(LOAD_GPF, GPA, 0));
        let (mut v2, mut hw2) = bound_vcpu();
        let from_tinst = run_one(&mut v2, &mut hw2, gpf(LOAD_GPF, GPA, transform(bits, false)));
        prop_assert_eq!(fetched, read_exit(width, rd as usize, signed));
        prop_assert_eq!(fetched, from_tinst);
        prop_assert_eq!(v1.pc(), v2.pc());
    }

    /// Unpriv spec "Load and Store Instructions": a store writes the low `width` bits of
    /// rs2 (x0 reads as zero), whatever the offset and base.
    #[test]
    fn store_data_is_rs2_truncated(
        i in 0usize..4, rs2 in 0u32..32, rs1 in 0u32..32, imm in -2048i32..2048, val: u64
    ) {
        let (f3, width) = STORES[i];
        let (mut v, mut hw) = bound_vcpu();
        v.set_gpr(rs2 as usize, val).unwrap();
        hw.put_insn(ENTRY, store(f3, rs2, rs1, imm));
        let exit = run_one(&mut v, &mut hw, gpf(STORE_GPF, GPA, 0));
        let data = if rs2 == 0 { 0 } else { val & width.mask() };
        prop_assert_eq!(exit, ExitReason::MmioWrite { addr: GuestPhysAddr::new(GPA), width, data });
    }

    /// Unpriv spec: LB/LH/LW sign-extend, LBU/LHU/LWU zero-extend, LD loads 64 bits.
    /// Checked against Rust's own integer casts.
    #[test]
    fn completion_matches_the_integer_casts(i in width_strategy(), dev: u64) {
        let (f3, _, _) = LOADS[i];
        let want = match f3 {
            0 => dev as i8 as i64 as u64,
            1 => dev as i16 as i64 as u64,
            2 => dev as i32 as i64 as u64,
            3 => dev,
            4 => u64::from(dev as u8),
            5 => u64::from(dev as u16),
            _ => u64::from(dev as u32),
        };
        let (mut v, mut hw) = bound_vcpu();
        run_one(&mut v, &mut hw, gpf(LOAD_GPF, GPA, transform(load(f3, 8, 0, 0), false)));
        v.set_return_value(dev);
        prop_assert_eq!(v.gpr(8), want);
    }
}

/// HLVX acts with hstatus.SPVP (norm:hstatus_spvp_op), which must name the privilege the
/// trapping access was made with: the fetch that decodes an MMIO access from VU runs with
/// SPVP = 0, one from VS with SPVP = 1, every other hstatus bit is the hypervisor's, and the
/// hypervisor's hstatus is back as it was once the exit is handled.
#[test]
fn the_decode_fetch_uses_the_guest_privilege_and_hstatus_is_restored() {
    for from_vu in [false, true] {
        let (mut v, mut hw) = bound_vcpu();
        let hyp_hstatus = hw.csr(csr::HSTATUS);
        hw.put_insn(ENTRY, load(0b011, 5, 10, 0));
        let mut t = gpf(LOAD_GPF, GPA, 0);
        t.from_vu = from_vu;
        let exit = run_one(&mut v, &mut hw, t);
        assert_eq!(exit, read_exit(AccessWidth::Qword, 5, false));
        let want = if from_vu {
            hyp_hstatus & !HSTATUS_SPVP
        } else {
            hyp_hstatus | HSTATUS_SPVP
        };
        assert_eq!(hw.hlvx_hstatus, vec![want, want], "from VU: {from_vu}");
        assert_eq!(hw.csr(csr::HSTATUS), hyp_hstatus);
    }
}
