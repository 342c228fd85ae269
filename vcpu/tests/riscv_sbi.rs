//! SBI v2.0 for guests: each call's return codes, registers and exits.

mod riscv_common;

use hw_models::riscv::csr_num as csr;
use proptest::prelude::*;
use riscv_common::*;
use sim_core::GuestPhysAddr;
use vcpu::riscv::sbi::hartmask;
use vcpu::riscv::{HartState, RiscvVCpuConfig};
use vcpu::{ExitReason, ShutdownKind};

const EID_SUSP: u64 = 0x5355_5350;
const EID_SSE: u64 = 0x0053_5345;
const EID_FWFT: u64 = 0x4657_4654;
const EID_DBTR: u64 = 0x4442_5452;
const EID_CPPC: u64 = 0x4350_5043;
const EID_NACL: u64 = 0x4E41_434C;
const EID_STA: u64 = 0x0053_5441;

fn ok(v: &vcpu::riscv::RiscvVCpu<FakeHart>) -> (i64, u64) {
    (v.gpr(10) as i64, v.gpr(11))
}

// ---- Base ----

#[test]
fn base_identifies_the_implementation() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_BASE, 0, &[]),
        (0, 2 << 24, ExitReason::Nothing)
    );
    assert_eq!(v.pc(), ENTRY + 4, "past the ECALL");
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 1, &[]).1, 0x4856_534D);
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 2, &[]).1, 0x100);
    assert_eq!(v.pc(), ENTRY + 12);
}

#[test]
fn base_probe_extension() {
    let (mut v, mut hw) = bound_vcpu();
    for eid in [
        EID_BASE, 0x01, 0x02, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_PMU, EID_DBCN,
        EID_HVC,
    ] {
        assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 3, &[eid]).0, 0);
        assert_eq!(v.gpr(11), 1, "eid {eid:#x} implemented");
    }
    for eid in [
        EID_SUSP,
        EID_SSE,
        EID_FWFT,
        EID_DBTR,
        EID_CPPC,
        EID_NACL,
        EID_STA,
        0x00,
        0x03,
        0x08,
        0x0A00_0000,
        u64::MAX,
    ] {
        assert_eq!(
            sbi(&mut v, &mut hw, EID_BASE, 3, &[eid]),
            (0, 0, ExitReason::Nothing)
        );
    }
}

#[test]
fn base_machine_ids_forward_or_come_from_the_config() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 4, &[]).1, 0x489);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_BASE, 5, &[]).1,
        0x8000_0000_0000_0001
    );
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 6, &[]).1, 0x42);
    let (mut v, mut hw) = bound_vcpu_with(RiscvVCpuConfig {
        mvendorid: Some(7),
        marchid: Some(8),
        mimpid: Some(9),
        ..config()
    });
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 4, &[]).1, 7);
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 5, &[]).1, 8);
    assert_eq!(sbi(&mut v, &mut hw, EID_BASE, 6, &[]).1, 9);
    assert!(
        hw.sbi_log.iter().all(|(e, _, _)| *e != EID_BASE),
        "nothing forwarded"
    );
}

#[test]
fn unknown_functions_are_not_supported() {
    for (eid, fid) in [
        (EID_BASE, 7),
        (EID_TIME, 1),
        (EID_IPI, 1),
        (EID_RFENCE, 7),
        (EID_HSM, 4),
        (EID_SRST, 1),
        (EID_PMU, 8),
        (EID_DBCN, 3),
        (EID_SUSP, 0),
        (0x00, 0),
    ] {
        let (mut v, mut hw) = bound_vcpu();
        assert_eq!(
            sbi(&mut v, &mut hw, eid, fid, &[]),
            (SBI_ERR_NOT_SUPPORTED, 0, ExitReason::Nothing),
            "eid {eid:#x} fid {fid}"
        );
        assert_eq!(v.pc(), ENTRY + 4);
    }
}

// ---- Legacy console ----

#[test]
fn legacy_putchar_returns_in_a0_only() {
    let (mut v, mut hw) = bound_vcpu();
    let (a0, a1, exit) = sbi(&mut v, &mut hw, 0x01, 0, &[b'x' as u64, 0x1111]);
    assert_eq!(
        (a0, a1, exit),
        (0, 0x1111, ExitReason::Nothing),
        "a1 preserved"
    );
    assert_eq!(hw.console_out, b"x");
    assert_eq!(v.pc(), ENTRY + 4);
}

#[test]
fn legacy_getchar() {
    let (mut v, mut hw) = bound_vcpu();
    hw.console_in.push_back(b'q');
    assert_eq!(
        sbi(&mut v, &mut hw, 0x02, 0, &[0, 0x2222]),
        (b'q' as i64, 0x2222, ExitReason::Nothing)
    );
    assert_eq!(sbi(&mut v, &mut hw, 0x02, 0, &[]).0, -1, "nothing to read");
}

// ---- DBCN ----

const BUF: u64 = 0x8100_0000;

#[test]
fn dbcn_write_reads_guest_physical_memory() {
    let (mut v, mut hw) = bound_vcpu();
    hw.write_phys(BUF, b"hello");
    hw.write_virt(BUF, b"WRONG");
    let vsatp = 8 << 60 | 0x1234;
    hw.set_csr(csr::VSATP, vsatp);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[5, BUF, 0]),
        (0, 5, ExitReason::Nothing)
    );
    assert_eq!(hw.console_out, b"hello");
    assert_eq!(hw.csr(csr::VSATP), vsatp, "vsatp restored");
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[0, BUF, 0]),
        (0, 0, ExitReason::Nothing)
    );
}

#[test]
fn dbcn_write_rejects_bad_ranges() {
    let (mut v, mut hw) = bound_vcpu();
    hw.write_phys(BUF, b"abc");
    // Faults part-way (byte 3 is unmapped): nothing written.
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[4, BUF, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
    assert!(hw.console_out.is_empty());
    // Upper address bits on RV64, and a wrapping range.
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[1, BUF, 1]).0,
        SBI_ERR_INVALID_PARAM
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[2, u64::MAX, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
}

#[test]
fn dbcn_write_moves_at_most_a_chunk() {
    let (mut v, mut hw) = bound_vcpu();
    hw.write_phys(BUF, &[b'z'; 1000]);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[1000, BUF, 0]),
        (0, 256, ExitReason::Nothing)
    );
    assert_eq!(hw.console_out.len(), 256);
}

#[test]
fn dbcn_write_reports_output_failures() {
    let (mut v, mut hw) = bound_vcpu();
    hw.write_phys(BUF, b"abcdef");
    hw.console_capacity = Some(3);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[6, BUF, 0]),
        (0, 3, ExitReason::Nothing)
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 0, &[6, BUF, 0]).0,
        SBI_ERR_FAILED
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 2, &[b'a' as u64]).0,
        SBI_ERR_FAILED
    );
}

#[test]
fn dbcn_read_fills_guest_physical_memory() {
    let (mut v, mut hw) = bound_vcpu();
    hw.write_phys(BUF, &[0; 8]);
    hw.set_csr(csr::VSATP, 8 << 60 | 1);
    hw.console_in.extend(b"hi");
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 1, &[8, BUF, 0]),
        (0, 2, ExitReason::Nothing)
    );
    assert_eq!(hw.phys[&BUF], b'h');
    assert_eq!(hw.phys[&(BUF + 1)], b'i');
    assert!(hw.virt.is_empty());
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 1, &[8, BUF, 0]),
        (0, 0, ExitReason::Nothing)
    );
    hw.console_in.extend(b"x");
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 1, &[8, BUF + 0x1000, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 1, &[8, BUF, 3]).0,
        SBI_ERR_INVALID_PARAM
    );
}

#[test]
fn dbcn_write_byte() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_DBCN, 2, &[0x141]),
        (0, 0, ExitReason::Nothing)
    );
    assert_eq!(hw.console_out, b"A", "low 8 bits");
}

// ---- TIME ----

#[test]
fn set_timer_clears_the_pending_guest_timer() {
    let (mut v, mut hw) = bound_vcpu();
    hw.set_csr(csr::HVIP, VSTIP | VSEIP);
    v.inject_interrupt(6).unwrap();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_TIME, 0, &[42]),
        (0, 0, ExitReason::Nothing)
    );
    assert_eq!(hw.csr(csr::HVIP), VSEIP);
    assert_eq!(hw.timer, Some(42));
    hw.script.push_back(Step::SliceEnd);
    v.run(&mut hw).unwrap();
    assert_eq!(
        hw.entries.last().unwrap().hvip,
        VSEIP,
        "queued VSTIP dropped too"
    );
    sbi(&mut v, &mut hw, EID_TIME, 0, &[u64::MAX]);
    assert_eq!(v.timer_deadline(), None, "all ones disarms");
}

#[test]
fn timer_deadline_follows_the_vcpu_to_a_new_hart() {
    let (mut v, mut hw) = bound_vcpu();
    sbi(&mut v, &mut hw, EID_TIME, 0, &[99]);
    v.unbind(&mut hw).unwrap();
    let mut hw2 = FakeHart::new();
    v.bind(&mut hw2).unwrap();
    assert_eq!(hw2.timer, Some(99));
}

// ---- IPI ----

#[test]
fn send_ipi_is_an_exit_for_the_vmm() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[0b1010, 0]),
        (
            0,
            0,
            ExitReason::SendIpi {
                target_cpu: 0,
                target_cpu_aux: 0b1010,
                send_to_all: false,
                send_to_self: false,
                vector: 1
            }
        )
    );
    // The sender (hart 0) is named: send_to_self.
    assert_eq!(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[0b11, 0]).2,
        ExitReason::SendIpi {
            target_cpu: 0,
            target_cpu_aux: 0b11,
            send_to_all: false,
            send_to_self: true,
            vector: 1
        }
    );
    assert_eq!(v.pc(), ENTRY + 8);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[0, u64::MAX]).2,
        ExitReason::SendIpi {
            target_cpu: u64::MAX,
            target_cpu_aux: 0,
            send_to_all: true,
            send_to_self: true,
            vector: 1
        }
    );
    // hart_count is 4: hart 4 does not exist.
    assert_eq!(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[1, 4]),
        (SBI_ERR_INVALID_PARAM, 0, ExitReason::Nothing)
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_IPI, 0, &[0, 2]),
        (0, 0, ExitReason::Nothing)
    );
}

// ---- RFENCE ----

#[test]
fn remote_sfence_becomes_local_hfence_vvma() {
    let (mut v, mut hw) = bound_vcpu();
    hw.fences.clear();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_RFENCE, 1, &[1, 0, 0, 0]),
        (0, 0, ExitReason::Nothing)
    );
    assert_eq!(hw.fences, vec![Fence::Vvma(None, None)]);
    hw.fences.clear();
    sbi(&mut v, &mut hw, EID_RFENCE, 1, &[1, 0, 0x1000_0ff0, 0x20]);
    assert_eq!(
        hw.fences,
        vec![
            Fence::Vvma(Some(0x1000_0000), None),
            Fence::Vvma(Some(0x1000_1000), None)
        ]
    );
    hw.fences.clear();
    sbi(&mut v, &mut hw, EID_RFENCE, 2, &[1, 0, 0x4000, 0x1000, 7]);
    assert_eq!(hw.fences, vec![Fence::Vvma(Some(0x4000), Some(7))]);
    hw.fences.clear();
    sbi(&mut v, &mut hw, EID_RFENCE, 2, &[1, 0, 0, u64::MAX, 7]);
    assert_eq!(hw.fences, vec![Fence::Vvma(None, Some(7))]);
    hw.fences.clear();
    // A huge range is flushed whole.
    sbi(&mut v, &mut hw, EID_RFENCE, 1, &[1, 0, 0x1000, 1 << 30]);
    assert_eq!(hw.fences, vec![Fence::Vvma(None, None)]);
}

#[test]
fn rfence_return_codes() {
    let (mut v, mut hw) = bound_vcpu();
    hw.fences.clear();
    assert_eq!(sbi(&mut v, &mut hw, EID_RFENCE, 0, &[1, 0]).0, 0);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_RFENCE, 1, &[1, 0, u64::MAX - 1, 4]).0,
        SBI_ERR_INVALID_ADDRESS
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_RFENCE, 1, &[1, 9, 0, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_RFENCE, 0, &[1 << 5, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
    for fid in 3..=6 {
        assert_eq!(
            sbi(&mut v, &mut hw, EID_RFENCE, fid, &[1, 0, 0, 0, 0]).0,
            SBI_ERR_NOT_SUPPORTED
        );
    }
    assert!(hw.fences.is_empty(), "no fence on errors or fence.i");
}

// ---- HSM ----

#[test]
fn hart_start_is_cpu_up() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 0, &[2, 0x8020_0000, 0xabc]),
        (
            0,
            0,
            ExitReason::CpuUp {
                target_cpu: 2,
                entry_point: GuestPhysAddr::new(0x8020_0000),
                arg: 0xabc
            }
        )
    );
    assert_eq!(v.hart_state(2), HartState::StartPending);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 2, &[2]),
        (0, 2, ExitReason::Nothing)
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 0, &[2, 0, 0]).0,
        SBI_ERR_ALREADY_AVAILABLE
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 0, &[0, 0, 0]).0,
        SBI_ERR_ALREADY_AVAILABLE,
        "self"
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 0, &[4, 0, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
}

#[test]
fn hart_get_status() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 2, &[0]),
        (0, 0, ExitReason::Nothing),
        "self started"
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 2, &[3]),
        (0, 1, ExitReason::Nothing),
        "others stopped"
    );
    v.set_hart_state(3, HartState::Suspended);
    assert_eq!(sbi(&mut v, &mut hw, EID_HSM, 2, &[3]).1, 4);
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 2, &[4]).0,
        SBI_ERR_INVALID_PARAM
    );
}

#[test]
fn hart_stop_is_cpu_down() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 1, &[]),
        (SBI_ERR_FAILED, 0, ExitReason::CpuDown { state: 0 })
    );
    assert_eq!(v.hart_state(0), HartState::Stopped);
}

#[test]
fn retentive_suspend_halts_and_returns_success() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_HSM, 3, &[0, 0x1234, 5]),
        (0, 0, ExitReason::Halt)
    );
    assert_eq!(v.pc(), ENTRY + 4);
}

#[test]
fn non_retentive_suspend_resumes_at_the_resume_address() {
    let (mut v, mut hw) = bound_vcpu_with(RiscvVCpuConfig {
        hart_id: 1,
        ..config()
    });
    hw.set_csr(csr::VSATP, 8 << 60 | 5);
    hw.set_csr(csr::VSSTATUS, SSTATUS_SIE | SSTATUS_SPIE);
    assert_eq!(
        sbi(
            &mut v,
            &mut hw,
            EID_HSM,
            3,
            &[0x8000_0000, 0x8030_0000, 0x77]
        )
        .2,
        ExitReason::Halt
    );
    assert_eq!(v.pc(), 0x8030_0000);
    assert_eq!(ok(&v), (1, 0x77), "a0 = hart id, a1 = opaque");
    assert_eq!(hw.csr(csr::VSATP), 0);
    assert_eq!(hw.csr(csr::VSSTATUS), SSTATUS_SPIE, "SIE = 0");
}

#[test]
fn suspend_type_ranges() {
    for (t, want) in [
        (1u64, SBI_ERR_INVALID_PARAM),
        (0x0FFF_FFFF, SBI_ERR_INVALID_PARAM),
        (0x1000_0000, SBI_ERR_NOT_SUPPORTED),
        (0x7FFF_FFFF, SBI_ERR_NOT_SUPPORTED),
        (0x8000_0001, SBI_ERR_INVALID_PARAM),
        (0x8FFF_FFFF, SBI_ERR_INVALID_PARAM),
        (0x9000_0000, SBI_ERR_NOT_SUPPORTED),
        (0xFFFF_FFFF, SBI_ERR_NOT_SUPPORTED),
    ] {
        let (mut v, mut hw) = bound_vcpu();
        assert_eq!(
            sbi(&mut v, &mut hw, EID_HSM, 3, &[t, 0, 0]),
            (want, 0, ExitReason::Nothing),
            "{t:#x}"
        );
        assert_eq!(v.pc(), ENTRY + 4);
    }
}

// ---- SRST ----

#[test]
fn system_reset_kinds_and_reasons() {
    for (t, kind) in [
        (0u64, ShutdownKind::Shutdown),
        (1, ShutdownKind::ColdReboot),
        (2, ShutdownKind::WarmReboot),
    ] {
        for (r, reason) in [
            (0u64, 0u32),
            (1, 1),
            (0xE000_0001, 0xE000_0001),
            (0xF000_0002, 0xF000_0002),
            // uint32_t parameters: the upper register half is ignored (as OpenSBI does).
            (0xFFFF_FFFF_0000_0001, 1),
        ] {
            let (mut v, mut hw) = bound_vcpu();
            assert_eq!(
                sbi(&mut v, &mut hw, EID_SRST, 0, &[t, r]),
                (SBI_ERR_FAILED, 0, ExitReason::SystemDown { kind, reason })
            );
        }
    }
}

#[test]
fn system_reset_rejects_reserved_values() {
    for (t, r) in [
        (3u64, 0u64),
        (0xEFFF_FFFF, 0),
        (0xF000_0000, 0),
        (0, 2),
        (1, 0xDFFF_FFFF),
    ] {
        let (mut v, mut hw) = bound_vcpu();
        assert_eq!(
            sbi(&mut v, &mut hw, EID_SRST, 0, &[t, r]),
            (SBI_ERR_INVALID_PARAM, 0, ExitReason::Nothing),
            "type {t:#x} reason {r:#x}"
        );
    }
}

// ---- PMU ----

#[test]
fn pmu_has_no_counters() {
    let (mut v, mut hw) = bound_vcpu();
    assert_eq!(
        sbi(&mut v, &mut hw, EID_PMU, 0, &[]),
        (0, 0, ExitReason::Nothing)
    );
    for fid in [1, 3, 4, 5, 6] {
        assert_eq!(
            sbi(&mut v, &mut hw, EID_PMU, fid, &[0, 1]).0,
            SBI_ERR_INVALID_PARAM,
            "fid {fid}"
        );
    }
    assert_eq!(
        sbi(&mut v, &mut hw, EID_PMU, 2, &[0, 1, 0, 0x10, 0]).0,
        SBI_ERR_INVALID_PARAM
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_PMU, 2, &[0, 0, 0, 0x10, 0]).0,
        SBI_ERR_NOT_SUPPORTED
    );
    assert_eq!(
        sbi(&mut v, &mut hw, EID_PMU, 7, &[0, 0, 0]).0,
        SBI_ERR_NOT_SUPPORTED
    );
}

// ---- HVC ----

#[test]
fn hvc_is_a_hypercall_exit() {
    let (mut v, mut hw) = bound_vcpu();
    let (a0, a1, exit) = sbi(&mut v, &mut hw, EID_HVC, 17, &[1, 2, 3, 4, 5, 6]);
    assert_eq!(
        exit,
        ExitReason::Hypercall {
            nr: 17,
            args: [1, 2, 3, 4, 5, 6]
        }
    );
    assert_eq!((a0, a1), (0, 0));
    v.set_return_value(0x99);
    assert_eq!(ok(&v), (0, 0x99));
    assert_eq!(v.pc(), ENTRY + 4);
}

proptest! {
    /// SBI spec "Binary Encoding": an unknown extension returns SBI_ERR_NOT_SUPPORTED in
    /// a0, and every register except a0 and a1 is preserved; the guest resumes after the
    /// ECALL.
    #[test]
    fn unknown_extensions_preserve_registers(
        eid in any::<u64>().prop_filter("not implemented", |e| ![
            EID_BASE, 0x01, 0x02, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_PMU,
            EID_DBCN, EID_HVC].contains(e)),
        fid: u64, regs in proptest::array::uniform32(any::<u64>())
    ) {
        let (mut v, mut hw) = bound_vcpu();
        for (i, r) in regs.iter().enumerate() {
            v.set_gpr(i, *r).unwrap();
        }
        let exit = run_one(&mut v, &mut hw, Trap::ecall(eid, fid, &regs[10..16]));
        prop_assert_eq!(exit, ExitReason::Nothing);
        prop_assert_eq!(v.gpr(10) as i64, SBI_ERR_NOT_SUPPORTED);
        for i in (1..32).filter(|i| *i != 10 && *i != 11 && *i != 16 && *i != 17) {
            prop_assert_eq!(v.gpr(i), regs[i]);
        }
        prop_assert_eq!(v.pc(), ENTRY + 4);
    }

    /// SBI spec "Hart List Parameter": the mask names harts base + i for each set bit i;
    /// base = -1 names all harts. Valid iff every named hart is below hart_count.
    #[test]
    fn hart_mask_rule(mask: u64, base in prop_oneof![0u64..70, Just(u64::MAX), any::<u64>()], count in 1u64..80) {
        let expect = base == u64::MAX
            || (0..64).filter(|i| mask >> i & 1 == 1).all(|i| base.checked_add(i).is_some_and(|h| h < count));
        prop_assert_eq!(hartmask::valid(mask, base, count), expect);
    }
}
