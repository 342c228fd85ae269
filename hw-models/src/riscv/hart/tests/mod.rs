//! Unit tests of the hart: small programs assembled with a local encoder, run on a RAM bus.

mod asm;
mod csr_tests;
mod exec_tests;
mod mem_tests;
mod trap_tests;

use super::{Hart, HartConfig, RamBus, StopReason};
use sim_core::HostPhysAddr;

/// Where test programs live.
pub(super) const BASE: u64 = 0x8000_0000;
/// RAM size.
pub(super) const RAM: u64 = 0x10_0000;
/// The M-mode trap handler address used by [`machine`]: `csrw mie, x0; wfi`, which stops
/// the run (clearing mie so a pending interrupt cannot wake the WFI).
pub(super) const HANDLER: u64 = BASE + 0x8_0000;
/// A data area.
pub(super) const DATA: u64 = BASE + 0x4_0000;

/// A hart with `prog` at BASE, mtvec = HANDLER (which holds `wfi`), on a 1 MiB RAM bus.
pub(super) fn machine_with(prog: &[u32], cfg: HartConfig) -> (Hart, RamBus) {
    let mut bus = RamBus::new(BASE, RAM).unwrap_or_else(|e| panic!("{e}"));
    poke(&mut bus, BASE, prog);
    poke(
        &mut bus,
        HANDLER,
        &[asm::csr(1, 0, crate::riscv::csr_num::MIE, 0), asm::WFI],
    );
    let mut hart = Hart::new(HartConfig {
        reset_pc: BASE,
        ..cfg
    });
    hart.set_csr(crate::riscv::csr_num::MTVEC, HANDLER)
        .unwrap_or_else(|e| panic!("{e}"));
    (hart, bus)
}

pub(super) fn machine(prog: &[u32]) -> (Hart, RamBus) {
    machine_with(prog, HartConfig::default())
}

pub(super) fn poke(bus: &mut RamBus, at: u64, words: &[u32]) {
    for (i, w) in words.iter().enumerate() {
        bus.mem
            .write_bytes(HostPhysAddr::new(at + 4 * i as u64), &w.to_le_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

pub(super) fn read64(bus: &RamBus, at: u64) -> u64 {
    bus.mem
        .read(HostPhysAddr::new(at), sim_core::AccessWidth::Qword)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs until the hart stops; asserts it stopped in WFI (program end or trap handler).
pub(super) fn run_to_wfi(hart: &mut Hart, bus: &mut RamBus) {
    assert_eq!(hart.run(bus, 10_000), StopReason::Wfi);
}

/// Runs a program that ends in `wfi` and returns the hart.
pub(super) fn exec(prog: &[u32]) -> Hart {
    let (mut h, mut b) = machine(prog);
    run_to_wfi(&mut h, &mut b);
    h
}

/// mcause after the run.
pub(super) fn mcause(h: &Hart) -> u64 {
    h.csr(crate::riscv::csr_num::MCAUSE).unwrap_or(u64::MAX)
}
/// mtval after the run.
pub(super) fn mtval(h: &Hart) -> u64 {
    h.csr(crate::riscv::csr_num::MTVAL).unwrap_or(u64::MAX)
}
/// mepc after the run.
pub(super) fn mepc(h: &Hart) -> u64 {
    h.csr(crate::riscv::csr_num::MEPC).unwrap_or(u64::MAX)
}
