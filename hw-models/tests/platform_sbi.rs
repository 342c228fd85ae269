//! The firmware model on the real board: SBI calls through `HartHandle::sbi_call` act on the
//! hart models, the CLINT, the UART and virtual time as the SBI v2.0 spec says, and the
//! board programs delegation as OpenSBI does.

mod platform_support;

use hw_models::dev::FinisherStatus;
use hw_models::riscv::cause::irq;
use hw_models::riscv::csr_num;
use hw_models::riscv::firmware::{HsmState, ResetKind, SystemReset};
use hw_models::riscv::hw::{GuestGprs, GuestRunEnd, RiscvHardware, SbiRet};
use hw_models::riscv::isa::encode::{self, Reg};
use hw_models::riscv::platform::{BoardStop, Platform, PlatformConfig, PlatformError};
use hw_models::riscv::{Mode, hart::Hart};
use platform_support::*;

const EID_TIME: u64 = 0x5449_4d45;
const EID_IPI: u64 = 0x0073_5049;
const EID_RFENCE: u64 = 0x5246_4e43;
const EID_HSM: u64 = 0x0048_534d;
const EID_SRST: u64 = 0x5352_5354;
const EID_DBCN: u64 = 0x4442_434e;
const SSIP: u64 = 1 << irq::SSI;
const STIP: u64 = 1 << irq::STI;

fn sbi(p: &mut Platform, hart: usize, eid: u64, fid: u64, a: &[u64]) -> SbiRet {
    let mut args = [0u64; 6];
    for (d, s) in args.iter_mut().zip(a) {
        *d = *s;
    }
    p.hart_handle(hart).unwrap().sbi_call(eid, fid, args)
}

fn hart(p: &Platform, n: usize) -> &Hart {
    p.hart(n).unwrap()
}

#[test]
fn boot_programs_opensbi_delegation_on_every_hart() {
    let p = board(2, 1000);
    for n in 0..2 {
        let h = hart(&p, n);
        // OpenSBI with H: medeleg 0xf0b509; mideleg SSIP|STIP|SEIP plus the read-only-one
        // VS bits and SGEIP (norm:mideleg_hroz) = 0x1666.
        assert_eq!(h.csr(csr_num::MEDELEG).unwrap(), 0xf0_b509);
        assert_eq!(h.csr(csr_num::MIDELEG).unwrap(), 0x1666);
    }
    assert_eq!(hart(&p, 0).mode(), Mode::HS);
    assert_eq!(hart(&p, 1).mode(), Mode::M);
    assert_eq!(p.hsm_state(0), Some(HsmState::Started));
    assert_eq!(p.hsm_state(1), Some(HsmState::Stopped));
}

#[test]
fn hsm_start_brings_up_a_secondary_hart_in_hs() {
    let mut p = board(3, 1000);
    let r = sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_2000, 0x77]);
    assert_eq!((r.error, r.value), (0, 0));
    // Before hart 1 is selected its start is pending.
    let mut cpu0 = p.hart_handle(0).unwrap();
    assert_eq!(cpu0.sbi_call(EID_HSM, 2, [1, 0, 0, 0, 0, 0]).value, 2);
    let _cpu1 = p.hart_handle(1).unwrap();
    let h = hart(&p, 1);
    // SBI v2.0 §9.1: S-mode at start_addr, a0 = hartid, a1 = opaque, satp = 0, SIE = 0.
    assert_eq!(
        (h.mode(), h.pc(), h.reg(10), h.reg(11)),
        (Mode::HS, 0x8000_2000, 1, 0x77)
    );
    assert_eq!(h.csr(csr_num::SATP).unwrap(), 0);
    assert_eq!(h.csr(csr_num::SSTATUS).unwrap() & 2, 0);
    assert_eq!(sbi(&mut p, 0, EID_HSM, 2, &[1]).value, 0);
    // Hart 2 is still stopped: nothing runs there.
    let mut g = GuestGprs::default();
    assert_eq!(
        p.hart_handle(2).unwrap().run_guest_csrs(&mut g),
        GuestRunEnd::SliceEnd
    );
    assert_eq!(hart(&p, 2).retired(), 0);
}

#[test]
fn hsm_stop_then_restart() {
    let mut p = board(2, 1000);
    sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_0000, 0]);
    assert_eq!(sbi(&mut p, 1, EID_HSM, 1, &[]).error, 0);
    assert_eq!(p.hsm_state(1), Some(HsmState::Stopped));
    assert_eq!(hart(&p, 1).mode(), Mode::M);
    assert_eq!(sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_0000, 0]).error, 0);
}

#[test]
fn ipi_sets_ssip_on_the_target_only() {
    let mut p = board(2, 1000);
    sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_0000, 0]);
    assert_eq!(sbi(&mut p, 0, EID_IPI, 0, &[0b10, 0]).error, 0);
    let sip1 = p.hart_handle(1).unwrap().csr_read(csr_num::SIP).unwrap();
    let sip0 = p.hart_handle(0).unwrap().csr_read(csr_num::SIP).unwrap();
    assert_eq!((sip0 & SSIP, sip1 & SSIP), (0, SSIP));
    assert_eq!(sbi(&mut p, 0, EID_IPI, 0, &[0b100, 0]).error, -3);
}

#[test]
fn remote_hfence_gvma_flushes_the_target_harts_tlb() {
    let mut p = board(2, 10_000);
    sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_0000, 0]);
    write64(&mut p, HPA_BASE + 8 * 4096, 0x11);
    write64(&mut p, HPA_BASE + 9 * 4096, 0x22);
    load(&mut p, 0, |a| {
        a.put(encode::ld(Reg::A0, Reg::A1, 0).unwrap())
            .put(encode::ecall());
    });
    let mut g = GuestGprs::default();
    g.x[11] = GPA_BASE + 8 * 4096;
    let run1 = |p: &mut Platform, g: &mut GuestGprs| {
        let mut cpu1 = p.hart_handle(1).unwrap();
        enter_at(&mut cpu1, 0);
        assert_eq!(cpu1.run_guest_csrs(g), GuestRunEnd::Trap);
    };
    run1(&mut p, &mut g);
    assert_eq!(g.x[10], 0x11);
    map_guest_page(&mut p, 8, HPA_BASE + 9 * 4096);
    // Without a fence hart 1 keeps its cached translation (allowed by the spec, and what
    // makes the fence observable).
    run1(&mut p, &mut g);
    assert_eq!(g.x[10], 0x11);
    // remote_hfence_gvma_vmid(hart 1, gpa range of one page, VMID).
    let r = sbi(
        &mut p,
        0,
        EID_RFENCE,
        3,
        &[0b10, 0, GPA_BASE + 8 * 4096, 4096, VMID],
    );
    assert_eq!(r.error, 0);
    run1(&mut p, &mut g);
    assert_eq!(g.x[10], 0x22);
}

#[test]
fn system_reset_stops_the_board() {
    let mut p = board(2, 1000);
    assert_eq!(sbi(&mut p, 0, EID_SRST, 0, &[3, 0]).error, -3);
    assert_eq!(p.stop(), None);
    assert_eq!(sbi(&mut p, 0, EID_SRST, 0, &[0, 1]).error, 0);
    assert_eq!(
        p.stop(),
        Some(BoardStop::Reset(SystemReset {
            kind: ResetKind::Shutdown,
            reason: 1,
            hart: 0
        }))
    );
    let mut g = GuestGprs::default();
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::SliceEnd);
    assert_eq!(cpu.sbi_call(0x10, 0, [0; 6]).error, -1);
}

#[test]
fn console_calls_reach_the_uart() {
    let mut p = board(1, 1000);
    p.write_mem(0x8000_4000, b"hi").unwrap();
    assert_eq!(sbi(&mut p, 0, EID_DBCN, 0, &[2, 0x8000_4000, 0]).value, 2);
    assert_eq!(sbi(&mut p, 0, EID_DBCN, 2, &[u64::from(b'!')]).error, 0);
    assert_eq!(sbi(&mut p, 0, 0x01, 0, &[u64::from(b'\n')]).error, 0);
    assert_eq!(p.uart_mut().take_output(), b"hi!\n");
    assert_eq!(sbi(&mut p, 0, 0x02, 0, &[]).error, -1);
    p.uart_mut().push_input(b"ok");
    let r = sbi(&mut p, 0, EID_DBCN, 1, &[16, 0x8000_5000, 0]);
    assert_eq!((r.error, r.value), (0, 2));
    let mut buf = [0u8; 2];
    p.mem()
        .read_bytes(sim_core::HostPhysAddr::new(0x8000_5000), &mut buf)
        .unwrap();
    assert_eq!(&buf, b"ok");
    // A buffer outside RAM (the CLINT) is refused.
    assert_eq!(sbi(&mut p, 0, EID_DBCN, 0, &[4, 0x0200_0000, 0]).error, -3);
}

#[test]
fn another_harts_timer_fires_while_this_hart_runs_a_guest() {
    let mut p = board(2, 100_000);
    sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_0000, 0]);
    let deadline = p.mtime() + 100;
    assert_eq!(sbi(&mut p, 1, EID_TIME, 0, &[deadline]).error, 0);
    load(&mut p, 0, |a| {
        let top = a.here();
        a.j(top);
    });
    let mut cpu0 = p.hart_handle(0).unwrap();
    enter_at(&mut cpu0, 0);
    let mut g = GuestGprs::default();
    assert_eq!(cpu0.run_guest_csrs(&mut g), GuestRunEnd::SliceEnd);
    assert!(p.mtime() >= deadline);
    // Hart 1's M-level handler ran: STIP raised, MTIE masked.
    let sip = p.hart_handle(1).unwrap().csr_read(csr_num::SIP).unwrap();
    assert_eq!(sip & STIP, STIP);
    assert_eq!(hart(&p, 1).csr(csr_num::MIE).unwrap() & (1 << irq::MTI), 0);
    assert_eq!(hart(&p, 0).csr(csr_num::SIP).unwrap() & STIP, 0);
}

#[test]
fn retentive_suspend_sleeps_until_the_timer() {
    let mut p = board(1, 1000);
    // Nothing armed: nothing can wake the hart.
    assert_eq!(sbi(&mut p, 0, EID_HSM, 3, &[0, 0, 0]).error, -1);
    let deadline = p.mtime() + 5000;
    sbi(&mut p, 0, EID_TIME, 0, &[deadline]);
    let r = sbi(&mut p, 0, EID_HSM, 3, &[0, 0, 0]);
    assert_eq!((r.error, r.value), (0, 0));
    assert_eq!(p.mtime(), deadline);
    assert_eq!(p.hsm_state(0), Some(HsmState::Started));
    let sip = p.hart_handle(0).unwrap().csr_read(csr_num::SIP).unwrap();
    assert_eq!(sip & STIP, STIP);
}

#[test]
fn guest_write_to_the_test_finisher_stops_the_board() {
    let mut p = board(1, 10_000);
    // Identity-map the finisher page into the guest (G-stage root index 0).
    let (l1, l0) = (0x8080_6000u64, 0x8080_7000u64);
    write64(&mut p, G_ROOT, pte(l1, V));
    write64(&mut p, l1, pte(l0, V));
    write64(
        &mut p,
        l0 + 0x100 * 8,
        pte(0x0010_0000, V | R | W | U | A | D),
    );
    load(&mut p, 0, |a| {
        let top = a.new_label();
        a.li(Reg::T0, 0x0010_0000)
            .li(Reg::T1, 0x5555)
            .put(encode::sw(Reg::T1, Reg::T0, 0).unwrap());
        a.bind(top).unwrap();
        a.j(top);
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::SliceEnd);
    assert_eq!(p.stop(), Some(BoardStop::Finisher(FinisherStatus::Pass)));
}

#[test]
fn identical_boards_run_identically() {
    let run = || {
        let mut p = board(1, 777);
        load(&mut p, 0, |a| {
            let top = a.here();
            a.put(encode::addi(Reg::A0, Reg::A0, 3).unwrap())
                .put(encode::wfi())
                .j(top);
        });
        let mut cpu = p.hart_handle(0).unwrap();
        enter_at(&mut cpu, 0);
        cpu.csr_set(csr_num::SIE, STIP).unwrap();
        let t = cpu.platform().mtime() + 50;
        cpu.sbi_call(EID_TIME, 0, [t, 0, 0, 0, 0, 0]);
        let mut g = GuestGprs::default();
        let mut log = Vec::new();
        for _ in 0..5 {
            let end = cpu.run_guest_csrs(&mut g);
            log.push((
                end,
                g.x[10],
                cpu.csr_read(csr_num::SCAUSE).unwrap(),
                cpu.csr_read(csr_num::SEPC).unwrap(),
                cpu.platform().now(),
            ));
            let t = cpu.platform().mtime() + 50;
            cpu.sbi_call(EID_TIME, 0, [t, 0, 0, 0, 0, 0]);
        }
        log
    };
    let a = run();
    assert_eq!(a, run());
    // The timer really interrupted the guest each time.
    assert!(
        a.iter()
            .all(|e| e.0 == GuestRunEnd::Trap && e.2 == (1 << 63) | irq::STI)
    );
}

#[test]
fn bad_configurations_are_errors() {
    let cfg = PlatformConfig::default();
    assert_eq!(
        Platform::new(PlatformConfig { harts: 0, ..cfg }).unwrap_err(),
        PlatformError::HartCount(0)
    );
    assert_eq!(
        Platform::new(PlatformConfig {
            ram_base: 0x0200_0000,
            ..cfg
        })
        .unwrap_err(),
        PlatformError::RamOverlapsDevice(0x0200_0000)
    );
    assert_eq!(
        Platform::new(PlatformConfig { slice: 0, ..cfg }).unwrap_err(),
        PlatformError::ZeroSlice
    );
    assert!(Platform::new(PlatformConfig { ram_size: 0, ..cfg }).is_err());
    assert!(p_none());
}

fn p_none() -> bool {
    let mut p = board(1, 10);
    p.hart_handle(1).is_none()
}

#[test]
fn remote_hfence_vvma_leaves_the_targets_hgatp_as_it_was() {
    let mut p = board(2, 1000);
    sbi(&mut p, 0, EID_HSM, 0, &[1, 0x8000_0000, 0]);
    let hgatp1 = (8 << 60) | (9 << 44) | (G_ROOT >> 12);
    p.hart_handle(1)
        .unwrap()
        .csr_write(csr_num::HGATP, hgatp1)
        .unwrap();
    p.hart_handle(0)
        .unwrap()
        .csr_write(csr_num::HGATP, (8 << 60) | (5 << 44) | (G_ROOT >> 12))
        .unwrap();
    for fid in [5, 6] {
        let r = sbi(&mut p, 0, EID_RFENCE, fid, &[0b10, 0, 0, 0, 3]);
        assert_eq!((r.error, r.value), (0, 0));
    }
    assert_eq!(hart(&p, 1).csr(csr_num::HGATP).unwrap(), hgatp1);
}

#[test]
fn guest_msip_write_is_taken_by_the_firmware_and_surfaces_as_ssip() {
    use hw_models::riscv::cause::INTERRUPT_BIT;
    use hw_models::riscv::hart::IrqLine;
    let mut p = board(1, 10_000);
    // Map the CLINT's first page into the guest at its own address (root index 0, level-1
    // index 16, level-0 index 0).
    let (l1, l0) = (0x8080_6000u64, 0x8080_8000u64);
    write64(&mut p, G_ROOT, pte(l1, V));
    write64(&mut p, l1 + 16 * 8, pte(l0, V));
    write64(&mut p, l0, pte(0x0200_0000, V | R | W | U | A | D));
    load(&mut p, 0, |a| {
        let top = a.new_label();
        a.li(Reg::T0, 0x0200_0000)
            .li(Reg::T1, 1)
            .put(encode::sw(Reg::T1, Reg::T0, 0).unwrap());
        a.bind(top).unwrap();
        a.j(top);
    });
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    cpu.csr_set(csr_num::SIE, SSIP).unwrap();
    let mut g = GuestGprs::default();
    // msip[0] = 1 -> MSI into M (mie.MSIE set at boot) -> firmware: msip cleared, SSIP set
    // -> MRET -> SSI pending for HS, enabled at V=1 -> trap into HS.
    assert_eq!(cpu.run_guest_csrs(&mut g), GuestRunEnd::Trap);
    assert_eq!(
        cpu.csr_read(csr_num::SCAUSE).unwrap(),
        INTERRUPT_BIT | irq::SSI
    );
    assert!(!cpu.hart().irq_line(IrqLine::Msip));
    assert_ne!(cpu.csr_read(csr_num::SIP).unwrap() & SSIP, 0);
}
