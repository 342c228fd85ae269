//! Firmware SBI semantics against the SBI v2.0 specification, through [`MockEnv`].
//! Expected values come from the spec text (section numbers in each test), not from the code.

use alloc::vec;

use super::mock::MockEnv;
use super::sbi::{self, eid};
use super::*;
use crate::riscv::PrivLevel;
use crate::riscv::cause::{INTERRUPT_BIT, exc, irq};
use crate::riscv::csr_num;

const STIP: u64 = 1 << 5;
const SSIP: u64 = 1 << 1;
const MTIE: u64 = 1 << 7;
const MSIE: u64 = 1 << 3;

fn booted(harts: usize) -> (Firmware, MockEnv) {
    let mut env = MockEnv::new(harts);
    let mut fw = Firmware::new(harts);
    fw.cold_boot(&mut env, 0, 0x8020_0000, 0x8220_0000);
    (fw, env)
}

fn call(fw: &mut Firmware, env: &mut MockEnv, hart: usize, e: u64, f: u64, a: &[u64]) -> SbiRet {
    let mut args = [0u64; 6];
    for (d, s) in args.iter_mut().zip(a) {
        *d = *s;
    }
    fw.call(env, hart, e, f, args)
}

// ---- Base (§4) ----

#[test]
fn base_returns_spec_2_0_and_identity() {
    let (mut fw, mut env) = booted(1);
    env.csr_write(0, csr_num::MVENDORID, 0x489);
    env.csr_write(0, csr_num::MARCHID, 7);
    env.csr_write(0, csr_num::MIMPID, 9);
    // §4.1: major in bits 30:24, minor in 23:0: v2.0 = 0x0200_0000.
    assert_eq!(
        call(&mut fw, &mut env, 0, 0x10, 0, &[]),
        SbiRet {
            error: 0,
            value: 0x0200_0000
        }
    );
    assert_eq!(
        call(&mut fw, &mut env, 0, 0x10, 1, &[]),
        SbiRet {
            error: 0,
            value: sbi::IMPL_ID
        }
    );
    assert_eq!(call(&mut fw, &mut env, 0, 0x10, 2, &[]).error, 0);
    assert_eq!(
        call(&mut fw, &mut env, 0, 0x10, 4, &[]),
        SbiRet {
            error: 0,
            value: 0x489
        }
    );
    assert_eq!(
        call(&mut fw, &mut env, 0, 0x10, 5, &[]),
        SbiRet { error: 0, value: 7 }
    );
    assert_eq!(
        call(&mut fw, &mut env, 0, 0x10, 6, &[]),
        SbiRet { error: 0, value: 9 }
    );
    assert_eq!(call(&mut fw, &mut env, 0, 0x10, 7, &[]).error, -2);
}

#[test]
fn probe_reports_implemented_extensions_only() {
    let (mut fw, mut env) = booted(1);
    for e in [
        0x10,
        0x5449_4d45,
        0x73_5049,
        0x5246_4e43,
        0x48_534d,
        0x5352_5354,
        0x4442_434e,
        1,
        2,
    ] {
        assert_eq!(
            call(&mut fw, &mut env, 0, 0x10, 3, &[e]),
            SbiRet { error: 0, value: 1 },
            "{e:#x}"
        );
    }
    // PMU "PMU", SUSP, CPPC, NACL, STA, legacy set_timer/shutdown, a vendor EID.
    for e in [
        0x50_4d55,
        0x5355_5350,
        0x4350_5043,
        0x4e41_434c,
        0x0053_5441,
        0,
        8,
        0x0900_0000,
    ] {
        assert_eq!(
            call(&mut fw, &mut env, 0, 0x10, 3, &[e]),
            SbiRet { error: 0, value: 0 },
            "{e:#x}"
        );
    }
}

#[test]
fn unknown_extensions_and_functions_are_not_supported() {
    let (mut fw, mut env) = booted(2);
    for (e, f) in [
        (0x50_4d55, 0),
        (0x0800_0000, 0),
        (u64::MAX, 0),
        (0x1_0000_0010, 0),
        (eid::TIME, 1),
        (eid::IPI, 1),
        (eid::RFENCE, 7),
        (eid::HSM, 4),
        (eid::SRST, 1),
        (eid::DBCN, 3),
    ] {
        assert_eq!(
            call(&mut fw, &mut env, 0, e, f, &[]),
            SbiRet {
                error: -2,
                value: 0
            },
            "{e:#x}/{f}"
        );
    }
}

// ---- delegation ----

#[test]
fn boot_programs_opensbi_delegation_with_h() {
    let (_, mut env) = booted(2);
    for h in 0..2 {
        // Known OpenSBI-on-H values: medeleg 0xf0b509; mideleg writes SSIP|STIP|SEIP.
        assert_eq!(env.csr_read(h, csr_num::MEDELEG), 0xf0_b509);
        assert_eq!(env.csr_read(h, csr_num::MIDELEG), 0x222);
        assert_eq!(env.csr_read(h, csr_num::MIE) & MSIE, MSIE);
        assert_eq!(env.mtimecmp[h], u64::MAX);
    }
    assert!(!env.parked[0]);
    assert!(env.parked[1]);
    assert_eq!(
        env.entries[0].map(|e| (e.privilege, e.pc, e.opaque)),
        Some((PrivLevel::Supervisor, 0x8020_0000, 0x8220_0000))
    );
}

// ---- TIME (§6) ----

#[test]
fn set_timer_clears_stip_and_mti_raises_it() {
    let (mut fw, mut env) = booted(1);
    env.mtime = 100;
    env.csr_write(0, csr_num::MIP, STIP);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::TIME, 0, &[150]),
        SbiRet { error: 0, value: 0 }
    );
    assert_eq!(env.mtimecmp[0], 150);
    // §6.1: set_timer clears the pending timer interrupt.
    assert_eq!(env.csr_read(0, csr_num::MIP) & STIP, 0);
    assert_eq!(env.csr_read(0, csr_num::MIE) & MTIE, MTIE);
    env.mtime = 149;
    assert!(!fw.service_interrupts(&mut env, 0));
    env.mtime = 150;
    assert!(fw.service_interrupts(&mut env, 0));
    assert_eq!(env.csr_read(0, csr_num::MIP) & STIP, STIP);
    assert_eq!(
        env.csr_read(0, csr_num::MIE) & MTIE,
        0,
        "MTIE masked until the next set_timer"
    );
    // MTIP stays high, but with MTIE masked nothing more happens.
    assert!(!fw.service_interrupts(&mut env, 0));
    // Re-arming clears STIP again.
    call(&mut fw, &mut env, 0, eid::TIME, 0, &[u64::MAX]);
    assert_eq!(env.csr_read(0, csr_num::MIP) & STIP, 0);
}

#[test]
fn sstc_firmware_enables_stce_and_programs_stimecmp() {
    let mut env = MockEnv::new(1);
    let mut fw = Firmware::new(1).with_sstc(true);
    fw.cold_boot(&mut env, 0, 0x8020_0000, 0);
    assert_eq!(env.csr_read(0, csr_num::MENVCFG) >> 63, 1);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::TIME, 0, &[777]),
        SbiRet { error: 0, value: 0 }
    );
    assert_eq!(env.csr_read(0, csr_num::STIMECMP), 777);
    assert_eq!(env.mtimecmp[0], u64::MAX, "the MTIMER is not used");
    assert_eq!(env.csr_read(0, csr_num::MIE) & MTIE, 0);
}

// ---- IPI (§7) ----

#[test]
fn send_ipi_sets_ssip_on_exactly_the_masked_harts() {
    let (mut fw, mut env) = booted(4);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::IPI, 0, &[0b101, 1]),
        SbiRet { error: 0, value: 0 }
    );
    let ssip: alloc::vec::Vec<bool> = (0..4)
        .map(|h| env.csr_read(h, csr_num::MIP) & SSIP != 0)
        .collect();
    assert_eq!(ssip, vec![false, true, false, true]);
}

#[test]
fn send_ipi_base_all_ones_targets_every_hart() {
    let (mut fw, mut env) = booted(3);
    assert_eq!(
        call(&mut fw, &mut env, 1, eid::IPI, 0, &[0, u64::MAX]).error,
        0
    );
    assert!((0..3).all(|h| env.csr_read(h, csr_num::MIP) & SSIP != 0));
}

#[test]
fn send_ipi_invalid_hart_is_invalid_param_and_sends_nothing() {
    let (mut fw, mut env) = booted(2);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::IPI, 0, &[0b11, 1]),
        SbiRet {
            error: -3,
            value: 0
        }
    );
    assert!((0..2).all(|h| env.csr_read(h, csr_num::MIP) & SSIP == 0));
}

#[test]
fn msip_is_forwarded_as_ssip_and_acknowledged() {
    let (mut fw, mut env) = booted(1);
    env.msip[0] = true;
    assert!(fw.service_interrupts(&mut env, 0));
    assert!(!env.msip[0]);
    assert_eq!(env.csr_read(0, csr_num::MIP) & SSIP, SSIP);
}

// ---- RFENCE (§8) ----

#[test]
fn rfence_fence_i_reaches_each_target() {
    let (mut fw, mut env) = booted(3);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::RFENCE, 0, &[0b110, 0]).error,
        0
    );
    assert_eq!(env.fences, vec![(1, Fence::I), (2, Fence::I)]);
}

#[test]
fn rfence_full_and_ranged_sfence() {
    let (mut fw, mut env) = booted(2);
    // start 0 size 0: everything.
    call(&mut fw, &mut env, 0, eid::RFENCE, 1, &[1, 1, 0, 0]);
    assert_eq!(
        env.fences,
        vec![(
            1,
            Fence::SfenceVma {
                vaddr: None,
                asid: None
            }
        )]
    );
    env.fences.clear();
    // size 2^64-1: everything.
    call(
        &mut fw,
        &mut env,
        0,
        eid::RFENCE,
        2,
        &[1, 0, 0x1234, u64::MAX, 5],
    );
    assert_eq!(
        env.fences,
        vec![(
            0,
            Fence::SfenceVma {
                vaddr: None,
                asid: Some(5)
            }
        )]
    );
    env.fences.clear();
    // 0x1ff8 + 0x10 touches pages 0x1000 and 0x2000.
    call(&mut fw, &mut env, 0, eid::RFENCE, 1, &[1, 0, 0x1ff8, 0x10]);
    assert_eq!(
        env.fences,
        vec![
            (
                0,
                Fence::SfenceVma {
                    vaddr: Some(0x1000),
                    asid: None
                }
            ),
            (
                0,
                Fence::SfenceVma {
                    vaddr: Some(0x2000),
                    asid: None
                }
            ),
        ]
    );
}

#[test]
fn rfence_hfences_carry_vmid_and_asid() {
    let (mut fw, mut env) = booted(2);
    // Caller's hgatp: Sv39x4 (mode 8), VMID 0x2a.
    env.csr_write(0, csr_num::HGATP, (8 << 60) | (0x2a << 44));
    call(&mut fw, &mut env, 0, eid::RFENCE, 3, &[0b10, 0, 0, 0, 7]);
    call(&mut fw, &mut env, 0, eid::RFENCE, 4, &[0b10, 0, 0x4000, 1]);
    call(&mut fw, &mut env, 0, eid::RFENCE, 5, &[0b10, 0, 0, 0, 3]);
    call(&mut fw, &mut env, 0, eid::RFENCE, 6, &[0b10, 0, 0, 0]);
    assert_eq!(
        env.fences,
        vec![
            (
                1,
                Fence::HfenceGvma {
                    gaddr: None,
                    vmid: Some(7)
                }
            ),
            (
                1,
                Fence::HfenceGvma {
                    gaddr: Some(0x4000),
                    vmid: None
                }
            ),
            (
                1,
                Fence::HfenceVvma {
                    vmid: 0x2a,
                    vaddr: None,
                    asid: Some(3)
                }
            ),
            (
                1,
                Fence::HfenceVvma {
                    vmid: 0x2a,
                    vaddr: None,
                    asid: None
                }
            ),
        ]
    );
}

#[test]
fn rfence_error_codes() {
    let (mut fw, mut env) = booted(2);
    for fid in 0..=6 {
        assert_eq!(
            call(&mut fw, &mut env, 0, eid::RFENCE, fid, &[0b100, 0]).error,
            -3,
            "fid {fid}"
        );
    }
    // start + size overflows: INVALID_ADDRESS.
    assert_eq!(
        call(
            &mut fw,
            &mut env,
            0,
            eid::RFENCE,
            1,
            &[1, 0, u64::MAX - 1, 4]
        )
        .error,
        -5
    );
    assert!(env.fences.is_empty());
    // A huge range degrades to one full fence.
    call(&mut fw, &mut env, 0, eid::RFENCE, 4, &[1, 0, 0, 1 << 30]);
    assert_eq!(
        env.fences,
        vec![(
            0,
            Fence::HfenceGvma {
                gaddr: None,
                vmid: None
            }
        )]
    );
}

// ---- HSM (§9) ----

#[test]
fn hsm_initial_states_and_get_status() {
    let (mut fw, mut env) = booted(3);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 2, &[0]),
        SbiRet { error: 0, value: 0 }
    );
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 2, &[1]),
        SbiRet { error: 0, value: 1 }
    );
    assert_eq!(call(&mut fw, &mut env, 0, eid::HSM, 2, &[3]).error, -3);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 2, &[u64::MAX]).error,
        -3
    );
}

#[test]
fn hsm_start_pending_then_started_with_spec_register_state() {
    let (mut fw, mut env) = booted(2);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 0, &[1, 0x8000_1000, 0xabc]).error,
        0
    );
    assert_eq!(fw.hsm_state(1), Some(HsmState::StartPending));
    assert_eq!(call(&mut fw, &mut env, 0, eid::HSM, 2, &[1]).value, 2);
    // A second start while pending: ALREADY_AVAILABLE (§9.1).
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 0, &[1, 0x8000_1000, 0]).error,
        -6
    );
    assert!(fw.complete_start(&mut env, 1));
    assert_eq!(fw.hsm_state(1), Some(HsmState::Started));
    assert_eq!(
        env.entries[1].map(|e| (e.privilege, e.pc, e.opaque)),
        Some((PrivLevel::Supervisor, 0x8000_1000, 0xabc))
    );
    assert!(!fw.complete_start(&mut env, 1));
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 0, &[1, 0x8000_1000, 0]).error,
        -6
    );
}

#[test]
fn hsm_start_errors() {
    let (mut fw, mut env) = booted(2);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 0, &[2, 0x8000_0000, 0]).error,
        -3
    );
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 0, &[0, 0x8000_0000, 0]).error,
        -6
    );
    // Not RAM: INVALID_ADDRESS, and the hart stays STOPPED.
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 0, &[1, 0x1000, 0]).error,
        -5
    );
    assert_eq!(fw.hsm_state(1), Some(HsmState::Stopped));
}

#[test]
fn hsm_stop_only_from_started() {
    let (mut fw, mut env) = booted(2);
    assert_eq!(call(&mut fw, &mut env, 1, eid::HSM, 1, &[]).error, -1);
    assert_eq!(call(&mut fw, &mut env, 0, eid::HSM, 1, &[]).error, 0);
    assert_eq!(fw.hsm_state(0), Some(HsmState::Stopped));
    assert!(env.parked[0]);
    assert_eq!(call(&mut fw, &mut env, 1, eid::HSM, 2, &[0]).value, 1);
}

#[test]
fn hsm_suspend_types() {
    let (mut fw, mut env) = booted(1);
    for t in [
        1u64,
        0x0fff_ffff,
        0x1000_0000,
        0x7fff_ffff,
        0x8000_0001,
        0x9000_0000,
        0xffff_ffff,
    ] {
        assert_eq!(
            call(&mut fw, &mut env, 0, eid::HSM, 3, &[t, 0, 0]).error,
            -3,
            "{t:#x}"
        );
    }
    assert_eq!(
        call(
            &mut fw,
            &mut env,
            0,
            eid::HSM,
            3,
            &[0x8000_0000, 0x8000_0000, 0]
        )
        .error,
        -2
    );
    // Retentive, something wakes it: SUCCESS, back to STARTED, time moved.
    env.wake_at = Some(500);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 3, &[0, 0, 0]),
        SbiRet { error: 0, value: 0 }
    );
    assert_eq!(env.mtime, 500);
    assert_eq!(fw.hsm_state(0), Some(HsmState::Started));
    // Nothing can wake it: FAILED, still STARTED.
    env.wake_at = None;
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::HSM, 3, &[0, 0, 0]).error,
        -1
    );
    assert_eq!(fw.hsm_state(0), Some(HsmState::Started));
}

// ---- SRST (§10) ----

#[test]
fn srst_records_reset_and_rejects_reserved_values() {
    let (mut fw, mut env) = booted(2);
    for (t, r) in [
        (3u64, 0u64),
        (0xf000_0000, 0),
        (0, 2),
        (0, 0xdfff_ffff),
        (0, 0xf000_0000),
    ] {
        assert_eq!(
            call(&mut fw, &mut env, 0, eid::SRST, 0, &[t, r]).error,
            -3,
            "{t:#x}/{r:#x}"
        );
    }
    assert!(env.reset.is_none());
    assert_eq!(call(&mut fw, &mut env, 1, eid::SRST, 0, &[2, 1]).error, 0);
    let want = SystemReset {
        kind: ResetKind::WarmReboot,
        reason: 1,
        hart: 1,
    };
    assert_eq!(env.reset, Some(want));
    assert_eq!(fw.system_reset(), Some(want));
    // The system is down: nothing answers.
    assert_eq!(call(&mut fw, &mut env, 0, 0x10, 0, &[]).error, -1);
}

#[test]
fn srst_accepts_sbi_specific_reasons_and_shutdown() {
    let (mut fw, mut env) = booted(1);
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::SRST, 0, &[0, 0xe000_0001]).error,
        0
    );
    assert_eq!(
        env.reset.map(|r| (r.kind, r.reason)),
        Some((ResetKind::Shutdown, 0xe000_0001))
    );
}

// ---- DBCN (§12) and legacy console (§5) ----

#[test]
fn dbcn_write_read_and_write_byte() {
    let (mut fw, mut env) = booted(1);
    env.ram[0x100..0x105].copy_from_slice(b"hello");
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::DBCN, 0, &[5, 0x8000_0100, 0]),
        SbiRet { error: 0, value: 5 }
    );
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::DBCN, 2, &[0x121]),
        SbiRet { error: 0, value: 0 }
    );
    assert_eq!(env.out, b"hello!");
    env.input = b"xy".to_vec();
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::DBCN, 1, &[8, 0x8000_0200, 0]),
        SbiRet { error: 0, value: 2 }
    );
    assert_eq!(&env.ram[0x200..0x202], b"xy");
    assert_eq!(
        call(&mut fw, &mut env, 0, eid::DBCN, 1, &[8, 0x8000_0200, 0]),
        SbiRet { error: 0, value: 0 }
    );
}

#[test]
fn dbcn_bad_memory_is_invalid_param() {
    let (mut fw, mut env) = booted(1);
    for fid in [0, 1] {
        assert_eq!(
            call(&mut fw, &mut env, 0, eid::DBCN, fid, &[4, 0x1000, 0]).error,
            -3
        );
        assert_eq!(
            call(&mut fw, &mut env, 0, eid::DBCN, fid, &[4, 0x8000_0000, 1]).error,
            -3
        );
        // Runs off the end of RAM.
        assert_eq!(
            call(
                &mut fw,
                &mut env,
                0,
                eid::DBCN,
                fid,
                &[0x20, 0x8000_fff0, 0]
            )
            .error,
            -3
        );
        assert_eq!(
            call(&mut fw, &mut env, 0, eid::DBCN, fid, &[2, u64::MAX, 0]).error,
            -3
        );
    }
    assert!(env.out.is_empty());
}

#[test]
fn legacy_console() {
    let (mut fw, mut env) = booted(1);
    assert_eq!(call(&mut fw, &mut env, 0, 1, 0, &[b'A' as u64]).error, 0);
    assert_eq!(env.out, b"A");
    assert_eq!(call(&mut fw, &mut env, 0, 2, 0, &[]).error, -1);
    env.input = vec![0xfe];
    assert_eq!(call(&mut fw, &mut env, 0, 2, 0, &[]).error, 0xfe);
}

// ---- M-level traps ----

#[test]
fn mtrap_timer_interrupt_sets_stip_and_returns() {
    let (mut fw, mut env) = booted(1);
    env.csr_write(0, csr_num::MCAUSE, INTERRUPT_BIT | irq::MTI);
    env.csr_write(0, csr_num::MIE, MTIE | MSIE);
    assert_eq!(fw.handle_mtrap(&mut env, 0), MTrapAction::Mret);
    assert_eq!(env.csr_read(0, csr_num::MIP) & STIP, STIP);
    assert_eq!(env.csr_read(0, csr_num::MIE), MSIE);
}

#[test]
fn mtrap_illegal_instruction_from_vs_is_redirected_to_hs() {
    let (mut fw, mut env) = booted(1);
    // Trap from VS (MPP = S, MPV = 1), guest SIE set in HS's sstatus image? HS SIE = 1.
    env.csr_write(0, csr_num::MSTATUS, (1 << 11) | (1 << 39) | (1 << 1));
    env.csr_write(0, csr_num::MCAUSE, exc::ILLEGAL_INSTRUCTION);
    env.csr_write(0, csr_num::MEPC, 0x1000);
    env.csr_write(0, csr_num::MTVAL, 0xffff_ffff);
    env.csr_write(0, csr_num::MTVAL2, 0);
    env.csr_write(0, csr_num::STVEC, 0x8020_0101);
    assert_eq!(fw.handle_mtrap(&mut env, 0), MTrapAction::Mret);
    assert_eq!(env.csr_read(0, csr_num::SEPC), 0x1000);
    assert_eq!(env.csr_read(0, csr_num::SCAUSE), 2);
    assert_eq!(env.csr_read(0, csr_num::STVAL), 0xffff_ffff);
    let hs = env.csr_read(0, csr_num::HSTATUS);
    assert_eq!(hs & (1 << 7), 1 << 7, "hstatus.SPV = 1");
    assert_eq!(hs & (1 << 8), 1 << 8, "hstatus.SPVP = 1 (from VS)");
    let ms = env.csr_read(0, csr_num::MSTATUS);
    assert_eq!((ms >> 11) & 3, 1, "MRET to S");
    assert_eq!(ms & (1 << 39), 0, "MPV = 0: lands in HS");
    assert_eq!(ms & (1 << 8), 1 << 8, "sstatus.SPP = S");
    assert_eq!(ms & (1 << 5), 1 << 5, "SPIE = old SIE");
    assert_eq!(ms & (1 << 1), 0, "SIE = 0");
    assert_eq!(env.csr_read(0, csr_num::MEPC), 0x8020_0100, "stvec BASE");
}

#[test]
fn mtrap_redirects_to_vs_when_hedeleg_delegates() {
    let (mut fw, mut env) = booted(1);
    env.csr_write(0, csr_num::MSTATUS, 1 << 39); // from VU (MPP = U)
    env.csr_write(0, csr_num::MCAUSE, exc::LOAD_ACCESS_FAULT);
    env.csr_write(0, csr_num::MEPC, 0x2000);
    env.csr_write(0, csr_num::MTVAL, 0x10);
    env.csr_write(0, csr_num::HEDELEG, 1 << exc::LOAD_ACCESS_FAULT);
    env.csr_write(0, csr_num::VSTVEC, 0x4000);
    env.csr_write(0, csr_num::VSSTATUS, 1 << 1);
    assert_eq!(fw.handle_mtrap(&mut env, 0), MTrapAction::Mret);
    assert_eq!(env.csr_read(0, csr_num::VSEPC), 0x2000);
    assert_eq!(env.csr_read(0, csr_num::VSCAUSE), 5);
    assert_eq!(env.csr_read(0, csr_num::VSTVAL), 0x10);
    assert_eq!(
        env.csr_read(0, csr_num::VSSTATUS),
        1 << 5,
        "SPP = U, SPIE = 1, SIE = 0"
    );
    let ms = env.csr_read(0, csr_num::MSTATUS);
    assert_eq!(
        ((ms >> 11) & 3, ms & (1 << 39) != 0),
        (1, true),
        "MRET to VS"
    );
    assert_eq!(env.csr_read(0, csr_num::MEPC), 0x4000);
    assert_eq!(env.csr_read(0, csr_num::SCAUSE), 0, "HS untouched");
}

#[test]
fn mtrap_from_hs_or_m_is_fatal() {
    let (mut fw, mut env) = booted(1);
    env.csr_write(0, csr_num::MCAUSE, exc::ECALL_FROM_S);
    env.csr_write(0, csr_num::MSTATUS, 1 << 11);
    env.csr_write(0, csr_num::MEPC, 0x44);
    assert_eq!(
        fw.handle_mtrap(&mut env, 0),
        MTrapAction::Fatal {
            cause: 9,
            epc: 0x44
        }
    );
    env.csr_write(0, csr_num::MSTATUS, 3 << 11);
    assert!(matches!(
        fw.handle_mtrap(&mut env, 0),
        MTrapAction::Fatal { .. }
    ));
}

// ---- properties ----

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// SBI v2.0 §3: an extension the firmware does not implement answers every function
        /// with SBI_ERR_NOT_SUPPORTED and probe_extension reports it as 0.
        #[test]
        fn unimplemented_extensions_are_not_supported(e in any::<u64>(), f in any::<u64>()) {
            prop_assume!(!base::implemented(e));
            let (mut fw, mut env) = booted(2);
            prop_assert_eq!(call(&mut fw, &mut env, 0, e, f, &[1, 2, 3]), SbiRet { error: -2, value: 0 });
            prop_assert_eq!(call(&mut fw, &mut env, 0, 0x10, 3, &[e]), SbiRet { error: 0, value: 0 });
        }

        /// SBI v2.0 §3.1 + §7.1: send_ipi succeeds iff every hart id base + i for a set bit i
        /// of the mask names a hart (or base is all ones), and then sets SSIP on exactly those
        /// harts.
        #[test]
        fn send_ipi_follows_the_hart_list_rule(mask in any::<u64>(), base in prop_oneof![0u64..8, Just(u64::MAX), any::<u64>()]) {
            const HARTS: u64 = 5;
            let (mut fw, mut env) = booted(HARTS as usize);
            let r = call(&mut fw, &mut env, 0, eid::IPI, 0, &[mask, base]);
            let want: Option<alloc::vec::Vec<u64>> = if base == u64::MAX {
                Some((0..HARTS).collect())
            } else {
                (0..64u64)
                    .filter(|i| mask >> i & 1 == 1)
                    .map(|i| base.checked_add(i).filter(|&id| id < HARTS))
                    .collect()
            };
            match want {
                Some(ids) => {
                    prop_assert_eq!(r, SbiRet { error: 0, value: 0 });
                    for h in 0..HARTS {
                        let got = env.csr_read(h as usize, csr_num::MIP) & SSIP != 0;
                        prop_assert_eq!(got, ids.contains(&h));
                    }
                }
                None => {
                    prop_assert_eq!(r, SbiRet { error: -3, value: 0 });
                    for h in 0..HARTS as usize {
                        prop_assert_eq!(env.csr_read(h, csr_num::MIP) & SSIP, 0);
                    }
                }
            }
        }

        /// SBI v2.0 §8: a ranged remote fence covers every page of [start, start + size):
        /// each such page is fenced (or one full fence is made), and no page outside it.
        #[test]
        fn ranged_fences_cover_exactly_the_range(start in 0u64..(1 << 40), size in 1u64..(1 << 20)) {
            let (mut fw, mut env) = booted(1);
            prop_assert_eq!(call(&mut fw, &mut env, 0, eid::RFENCE, 4, &[1, 0, start, size]).error, 0);
            let full = env.fences == alloc::vec![(0, Fence::HfenceGvma { gaddr: None, vmid: None })];
            if !full {
                let first = start / 4096;
                let last = (start + size - 1) / 4096;
                let want: alloc::vec::Vec<_> = (first..=last)
                    .map(|p| (0, Fence::HfenceGvma { gaddr: Some(p * 4096), vmid: None }))
                    .collect();
                prop_assert_eq!(&env.fences, &want);
            }
        }
    }
}
