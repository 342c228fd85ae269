//! Interrupt sources with the hypervisor extension, end to end on a running hart: Sstc
//! timers (stimecmp, vstimecmp with htimedelta), guest external interrupt lines (hgeip with
//! VGEIN → VSEIP, hgeie → SGEIP), the SEIP input, and WFI with the timer deadline.

mod hart_support;

use hart_support::*;
use hw_models::riscv::cause::INTERRUPT_BIT;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{Hart, HartConfig, IrqLine, RamBus, StopReason};
use hw_models::riscv::isa::encode as e;
use hw_models::riscv::privilege::Mode;

const LOOP: u64 = RAM_BASE + 0x1000;
const STVEC: u64 = RAM_BASE + 0x2000;
const VSTVEC: u64 = RAM_BASE + 0x3000;
const STCE: u64 = 1 << 63;
const SIE: u64 = 1 << 1;

/// A hart (hs_host) spinning at LOOP (`j .`) in `mode` with bare translation everywhere.
fn spinning(mode: Mode) -> (Hart, RamBus) {
    let mut bus = bus();
    // `j .` at the loop and at both handlers.
    let spin = ok(e::jal(e::Reg::ZERO, 0));
    for at in [LOOP, STVEC, VSTVEC] {
        write_words(&mut bus, at, &[spin]);
    }
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    set(&mut h, n::STVEC, STVEC);
    set(&mut h, n::VSTVEC, VSTVEC);
    h.set_mode(mode);
    h.set_pc(LOOP);
    (h, bus)
}

/// norm:mip_sip_stip_op: with STCE, STIP follows time >= stimecmp while the hart runs; the
/// interrupt is taken within the polling interval (RamBus: time = retired instructions).
#[test]
fn stimecmp_interrupts_a_running_hs_loop() {
    let (mut h, mut bus) = spinning(Mode::HS);
    set(&mut h, n::MENVCFG, STCE);
    set(&mut h, n::MIDELEG, 1 << 5);
    set(&mut h, n::MIE, 1 << 5);
    set(&mut h, n::MSTATUS, SIE);
    set(&mut h, n::STIMECMP, 5000);
    assert_eq!(h.next_timer_deadline(), Some(5000));
    assert_eq!(h.run(&mut bus, 100_000), StopReason::HsTrap);
    assert_eq!(get(&h, n::SCAUSE), INTERRUPT_BIT | 5);
    assert!(
        h.retired() >= 5000 && h.retired() <= 5000 + 1024,
        "{}",
        h.retired()
    );
}

/// norm:hip_vstip_op, norm:hideleg_trans: vstimecmp compares against time + htimedelta and
/// the VS timer interrupt arrives in VS as cause 5.
#[test]
fn vstimecmp_with_htimedelta_reaches_vs() {
    let (mut h, mut bus) = spinning(Mode::VS);
    set(&mut h, n::MENVCFG, STCE);
    set(&mut h, n::HENVCFG, STCE);
    set(&mut h, n::HTIMEDELTA, 1_000_000);
    set(&mut h, n::VSTIMECMP, 1_003_000);
    set(&mut h, n::HIDELEG, 1 << 6);
    set(&mut h, n::MIE, 1 << 6);
    set(&mut h, n::VSSTATUS, SIE);
    // VS traps do not stop an hs_host run: run until the guest reaches its handler.
    let stop = h.run(&mut bus, 3000 + 1024 + 1);
    assert_eq!(stop, StopReason::Budget);
    assert_eq!(h.mode(), Mode::VS);
    assert_eq!(get(&h, n::VSCAUSE), INTERRUPT_BIT | 5);
    assert_eq!(get(&h, n::VSEPC), LOOP);
}

/// hip.VSEIP includes the hgeip bit selected by hstatus.VGEIN (norm:hip_vseip_vseie_op);
/// delegated, it arrives in VS as a supervisor external interrupt (9).
#[test]
fn guest_external_line_selected_by_vgein() {
    let (mut h, mut bus) = spinning(Mode::VS);
    set(&mut h, n::HSTATUS, 3 << 12);
    set(&mut h, n::HIDELEG, 1 << 10);
    set(&mut h, n::MIE, 1 << 10);
    set(&mut h, n::VSSTATUS, SIE);
    h.set_guest_irq_line(2, true);
    assert_eq!(h.run(&mut bus, 10), StopReason::Budget);
    assert_eq!(get(&h, n::VSCAUSE), 0, "line 2 is not selected");
    h.set_guest_irq_line(3, true);
    assert_eq!(h.run(&mut bus, 10), StopReason::Budget);
    assert_eq!(get(&h, n::VSCAUSE), INTERRUPT_BIT | 9);
}

/// SGEIP = (hgeip & hgeie) != 0 (norm:hgeie_op); SGEI is always handled by HS (mideleg bit
/// 12 read-only 1, hideleg bit 12 read-only 0), also from VS.
#[test]
fn sgei_goes_to_hs() {
    let (mut h, mut bus) = spinning(Mode::VS);
    set(&mut h, n::HGEIE, 1 << 4);
    set(&mut h, n::MIE, 1 << 12);
    h.set_guest_irq_line(4, true);
    assert_eq!(h.run(&mut bus, 10), StopReason::HsTrap);
    assert_eq!(get(&h, n::SCAUSE), INTERRUPT_BIT | 12);
    assert_eq!(get(&h, n::HSTATUS) & (1 << 7), 1 << 7, "SPV");
}

/// The S-level external input: SEIP to HS when delegated, to M otherwise.
#[test]
fn seip_line() {
    let (mut h, mut bus) = spinning(Mode::U);
    set(&mut h, n::MIE, 1 << 9);
    h.set_irq_line(IrqLine::Seip, true);
    assert_eq!(h.run(&mut bus, 10), StopReason::MTrap);
    let (mut h, mut bus) = spinning(Mode::U);
    set(&mut h, n::MIE, 1 << 9);
    set(&mut h, n::MIDELEG, 1 << 9);
    h.set_irq_line(IrqLine::Seip, true);
    assert_eq!(h.run(&mut bus, 10), StopReason::HsTrap);
    assert_eq!(get(&h, n::SCAUSE), INTERRUPT_BIT | 9);
}

/// WFI in VS stalls the hart (`Wfi`) until something is pending; a board fast-forwards time
/// to next_timer_deadline and the VS timer then wakes it.
#[test]
fn wfi_waits_until_the_timer_deadline() {
    let mut bus = bus();
    write_words(&mut bus, LOOP, &[e::wfi(), e::nop()]);
    write_words(&mut bus, VSTVEC, &[ok(e::jal(e::Reg::ZERO, 0))]);
    let mut h = hart(HartConfig {
        hs_host: true,
        ..HartConfig::default()
    });
    set(&mut h, n::VSTVEC, VSTVEC);
    set(&mut h, n::MENVCFG, STCE);
    set(&mut h, n::HENVCFG, STCE);
    set(&mut h, n::HIDELEG, 1 << 6);
    set(&mut h, n::MIE, 1 << 6);
    set(&mut h, n::VSSTATUS, SIE);
    set(&mut h, n::VSTIMECMP, 1_000_000);
    h.set_mode(Mode::VS);
    h.set_pc(LOOP);
    let mut clock = ClockBus { ram: bus, now: 0 };
    assert_eq!(h.run(&mut clock, 100), StopReason::Wfi);
    assert!(h.is_waiting());
    let deadline = h.next_timer_deadline();
    assert_eq!(deadline, Some(1_000_000));
    clock.now = deadline.unwrap_or(0);
    assert_eq!(h.run(&mut clock, 1), StopReason::Budget);
    assert_eq!(get(&h, n::VSCAUSE), INTERRUPT_BIT | 5);
}

/// A bus whose time is set by the test.
struct ClockBus {
    ram: RamBus,
    now: u64,
}

impl hw_models::riscv::hart::Bus for ClockBus {
    fn mem(&mut self) -> &mut sim_core::mem::PhysMem {
        self.ram.mem()
    }
    fn mmio_read(
        &mut self,
        a: sim_core::HostPhysAddr,
        w: sim_core::AccessWidth,
        r: u64,
    ) -> Result<u64, hw_models::riscv::hart::BusError> {
        self.ram.mmio_read(a, w, r)
    }
    fn mmio_write(
        &mut self,
        a: sim_core::HostPhysAddr,
        w: sim_core::AccessWidth,
        v: u64,
        r: u64,
    ) -> Result<hw_models::riscv::hart::MmioEffect, hw_models::riscv::hart::BusError> {
        self.ram.mmio_write(a, w, v, r)
    }
    fn time(&mut self, _: u64) -> u64 {
        self.now
    }
}
