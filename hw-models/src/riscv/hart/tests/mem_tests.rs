//! Loads, stores, atomics, misaligned accesses, faults, the decode cache and the bus seam.

use super::asm::*;
use super::*;
use crate::riscv::cause::exc;
use crate::riscv::hart::{Bus, BusError, MisalignedPolicy, MmioEffect};
use sim_core::AccessWidth;
use sim_core::mem::PhysMem;

fn with_data(prog: &[u32], regs: &[(usize, u64)], cfg: HartConfig) -> (Hart, RamBus) {
    let (mut h, mut b) = machine_with(prog, cfg);
    for &(r, v) in regs {
        h.set_reg(r, v).unwrap_or_else(|e| panic!("{e}"));
    }
    run_to_wfi(&mut h, &mut b);
    (h, b)
}

#[test]
fn loads_extend_by_width_and_signedness() {
    // norm:lb_rv64i_op, norm:lbu_rv64i_op, norm:lh_op_rv64i, norm:lhu_rv64i_op,
    // norm:lw_op_rv64i, norm:lwu_op, norm:ld_op_rv64i.
    let (mut h, mut b) = machine(&[
        load(0, 2, 1, 0),
        load(4, 3, 1, 0),
        load(1, 4, 1, 0),
        load(5, 5, 1, 0),
        load(2, 6, 1, 0),
        load(6, 7, 1, 0),
        load(3, 8, 1, 0),
        WFI,
    ]);
    b.mem
        .write(
            HostPhysAddr::new(DATA),
            AccessWidth::Qword,
            0x0123_4567_89ab_cdef,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    h.set_reg(1, DATA).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(2), 0xffff_ffff_ffff_ffef);
    assert_eq!(h.reg(3), 0xef);
    assert_eq!(h.reg(4), 0xffff_ffff_ffff_cdef);
    assert_eq!(h.reg(5), 0xcdef);
    assert_eq!(h.reg(6), 0xffff_ffff_89ab_cdef);
    assert_eq!(h.reg(7), 0x89ab_cdef);
    assert_eq!(h.reg(8), 0x0123_4567_89ab_cdef);
}

#[test]
fn stores_write_only_their_width() {
    let (_, b) = with_data(
        &[
            store(3, 1, 0, 0),
            store(0, 1, 2, 0),
            store(1, 1, 2, 2),
            store(2, 1, 2, 4),
            WFI,
        ],
        &[(1, DATA), (2, 0x1122_3344_5566_7788)],
        HartConfig::default(),
    );
    // sd x0 cleared it; sb wrote 0x88 at +0, sh 0x7788 at +2, sw 0x55667788 at +4.
    assert_eq!(read64(&b, DATA), 0x5566_7788_7788_0088);
}

#[test]
fn misaligned_ram_accesses_are_performed_by_default() {
    // Zicclsm: the default policy performs them, also across a page boundary.
    let addr = DATA + 0xffd;
    let (h, b) = with_data(
        &[store(3, 1, 2, 0), load(3, 3, 1, 0), load(2, 4, 1, 1), WFI],
        &[(1, addr), (2, 0x0807_0605_0403_0201)],
        HartConfig::default(),
    );
    assert_eq!(h.reg(3), 0x0807_0605_0403_0201);
    assert_eq!(h.reg(4), 0x0504_0302);
    assert_eq!(read64(&b, DATA + 0x1000), 0x08_0706_0504);
}

#[test]
fn misaligned_trap_policy_raises_4_and_6_with_the_address() {
    let cfg = HartConfig {
        misaligned: MisalignedPolicy::Trap,
        ..HartConfig::default()
    };
    let (h, _) = with_data(&[load(2, 2, 1, 2), WFI], &[(1, DATA + 1)], cfg);
    assert_eq!(mcause(&h), exc::LOAD_ADDRESS_MISALIGNED);
    assert_eq!(mtval(&h), DATA + 3);
    assert_eq!(mepc(&h), BASE);
    let (h, _) = with_data(&[store(1, 1, 0, 0), WFI], &[(1, DATA + 1)], cfg);
    assert_eq!(mcause(&h), exc::STORE_ADDRESS_MISALIGNED);
    assert_eq!(mtval(&h), DATA + 1);
}

#[test]
fn accesses_outside_ram_and_devices_are_access_faults() {
    let (h, _) = with_data(
        &[load(3, 2, 1, 8), WFI],
        &[(1, 0x1000)],
        HartConfig::default(),
    );
    assert_eq!(mcause(&h), exc::LOAD_ACCESS_FAULT);
    assert_eq!(mtval(&h), 0x1008);
    let (h, _) = with_data(
        &[store(3, 1, 0, 0), WFI],
        &[(1, 0x1000)],
        HartConfig::default(),
    );
    assert_eq!(mcause(&h), exc::STORE_ACCESS_FAULT);
    assert_eq!(mtval(&h), 0x1000);
    // A fetch from nowhere: instruction access fault with tval = the pc.
    let (h, _) = with_data(&[jalr(0, 1, 0), WFI], &[(1, 0x2000)], HartConfig::default());
    assert_eq!(mcause(&h), exc::INSTRUCTION_ACCESS_FAULT);
    assert_eq!(mtval(&h), 0x2000);
    assert_eq!(mepc(&h), 0x2000);
}

#[test]
fn a_failing_split_store_writes_nothing() {
    // The last RAM page, then nothing: a misaligned sd straddling the end faults atomically.
    let end = BASE + RAM;
    let (h, b) = with_data(
        &[store(3, 1, 2, 0), WFI],
        &[(1, end - 4), (2, u64::MAX)],
        HartConfig::default(),
    );
    assert_eq!(mcause(&h), exc::STORE_ACCESS_FAULT);
    assert_eq!(read64(&b, end - 8), 0);
}

#[test]
fn lr_sc_succeeds_on_a_matching_reservation() {
    // norm:lr_w_op, norm:sc_w_success, norm:lr_sc_rv64 (lr.w sign-extends).
    let (h, b) = with_data(
        &[
            store(2, 1, 3, 0),
            amo(2, 2, 4, 1, 0),
            amo(3, 2, 5, 1, 6),
            WFI,
        ],
        &[(1, DATA), (3, 0x8000_0000), (6, 7)],
        HartConfig::default(),
    );
    assert_eq!(h.reg(4), 0xffff_ffff_8000_0000);
    assert_eq!(h.reg(5), 0);
    assert_eq!(read64(&b, DATA) & 0xffff_ffff, 7);
}

#[test]
fn sc_fails_without_reservation_after_sc_and_after_own_store() {
    // norm:sc_w_failure, norm:sc_intervening_sc_fail, norm:sc_reservation_invalidate.
    let (h, b) = with_data(
        &[
            amo(3, 3, 2, 1, 6), // sc.d without lr: fails
            amo(2, 3, 0, 1, 0), // lr.d
            amo(3, 3, 3, 1, 6), // sc.d: succeeds
            amo(3, 3, 4, 1, 6), // sc.d again: fails (reservation consumed)
            amo(2, 3, 0, 1, 0), // lr.d
            store(0, 1, 0, 7),  // own store into the reservation set
            amo(3, 3, 5, 1, 7), // sc.d: fails
            WFI,
        ],
        &[(1, DATA), (6, 0x55), (7, 0x66)],
        HartConfig::default(),
    );
    assert_eq!(h.reg(2), 1);
    assert_eq!(h.reg(3), 0);
    assert_eq!(h.reg(4), 1);
    assert_eq!(h.reg(5), 1);
    assert_eq!(read64(&b, DATA), 0x55);
}

#[test]
fn sc_to_another_reservation_set_fails() {
    let (h, _) = with_data(
        &[amo(2, 3, 0, 1, 0), amo(3, 3, 2, 5, 6), WFI],
        &[(1, DATA), (5, DATA + 64)],
        HartConfig::default(),
    );
    assert_eq!(h.reg(2), 1);
}

#[test]
fn a_trap_invalidates_the_reservation() {
    // lr.d; ecall (handler at HANDLER: mret back past the ecall); sc.d must fail.
    let (mut h, mut b) = machine(&[amo(2, 3, 0, 1, 0), ECALL, amo(3, 3, 2, 1, 6), WFI]);
    poke(
        &mut b,
        HANDLER,
        &[
            csr(2, 10, crate::riscv::csr_num::MEPC, 0),
            addi(10, 10, 4),
            csr(1, 0, crate::riscv::csr_num::MEPC, 10),
            MRET,
        ],
    );
    h.set_reg(1, DATA).unwrap_or_else(|e| panic!("{e}"));
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(2), 1);
    assert_eq!(h.pc(), BASE + 16);
}

#[test]
fn atomics_must_be_aligned() {
    // LR misaligned -> 4; SC and AMO misaligned -> 6 (documented choice).
    for (insn, cause) in [
        (amo(2, 2, 2, 1, 0), exc::LOAD_ADDRESS_MISALIGNED),
        (amo(3, 2, 2, 1, 0), exc::STORE_ADDRESS_MISALIGNED),
        (amo(0, 3, 2, 1, 0), exc::STORE_ADDRESS_MISALIGNED),
    ] {
        let (h, _) = with_data(&[insn, WFI], &[(1, DATA + 2)], HartConfig::default());
        assert_eq!(mcause(&h), cause);
        assert_eq!(mtval(&h), DATA + 2);
    }
}

#[test]
fn amos_read_modify_write() {
    let (h, b) = with_data(
        &[
            store(3, 1, 2, 0),
            amo(0, 2, 3, 1, 4),     // amoadd.w: old sign-extended
            amo(16, 3, 5, 6, 7),    // amomin.d signed
            amo(24, 3, 8, 9, 7),    // amominu.d
            amo(1, 3, 10, 11, 12),  // amoswap.d
            amo(28, 2, 13, 14, 15), // amomaxu.w
            WFI,
        ],
        &[
            (1, DATA),
            (2, 0xffff_fff0),
            (4, 0x20),
            (6, DATA + 8),
            (7, u64::MAX),
            (9, DATA + 16),
            (11, DATA + 24),
            (12, 0xabcd),
            (14, DATA + 32),
            (15, 0xffff_ffff),
        ],
        HartConfig::default(),
    );
    assert_eq!(h.reg(3), 0xffff_ffff_ffff_fff0);
    // 0xfffffff0 + 0x20 wraps in 32 bits; the upper word of the doubleword is untouched.
    assert_eq!(read64(&b, DATA), 0x10);
    assert_eq!(h.reg(5), 0);
    assert_eq!(read64(&b, DATA + 8), u64::MAX);
    assert_eq!(read64(&b, DATA + 16), 0);
    assert_eq!(h.reg(10), 0);
    assert_eq!(read64(&b, DATA + 24), 0xabcd);
    assert_eq!(read64(&b, DATA + 32), 0xffff_ffff);
}

#[test]
fn self_modifying_code_is_seen_without_fence_i() {
    // The loop runs `addi x5, x5, 1` once, then overwrites it with `addi x5, x5, 100` and
    // runs it again. Decoded-instruction invalidation on stores makes the new one execute.
    let target = BASE + 4 * 3;
    let new = addi(5, 5, 100);
    let prog = [
        addi(6, 0, 2), // x6 = 2 iterations
        addi(0, 0, 0),
        addi(0, 0, 0),
        addi(5, 5, 1), // target
        store(2, 1, 2, 0),
        addi(6, 6, -1),
        b(1, 6, 0, -12), // bne x6, x0, target
        WFI,
    ];
    let (h, _) = with_data(
        &prog,
        &[(1, target), (2, u64::from(new))],
        HartConfig::default(),
    );
    assert_eq!(h.reg(5), 101);
}

#[test]
fn fence_i_and_host_invalidation() {
    let (mut h, mut b) = machine(&[addi(5, 0, 1), WFI, FENCE_I, jal(0, -12)]);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(5), 1);
    // The board rewrites code behind the hart's back without saying so: the stale decode
    // runs (proof the cache is real).
    poke(&mut b, BASE, &[addi(5, 0, 7)]);
    h.set_pc(BASE);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(5), 1);
    // ... and when it says so, the new code runs.
    h.invalidate_code(BASE, 4);
    h.set_pc(BASE);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(5), 7);
    // FENCE.I drops everything (norm: Zifencei).
    poke(&mut b, BASE, &[addi(5, 0, 9)]);
    h.set_pc(BASE + 8);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(5), 9);
    poke(&mut b, BASE, &[addi(5, 0, 11)]);
    h.flush_icache();
    h.set_pc(BASE);
    run_to_wfi(&mut h, &mut b);
    assert_eq!(h.reg(5), 11);
}

#[test]
fn watched_store_ends_the_slice_after_retiring() {
    let tohost = DATA + 0x100;
    let (mut h, mut b) = machine(&[store(3, 1, 2, 0), addi(3, 0, 1), WFI]);
    h.set_reg(1, tohost).unwrap_or_else(|e| panic!("{e}"));
    h.set_reg(2, 0x1).unwrap_or_else(|e| panic!("{e}"));
    h.watch_store(tohost);
    assert_eq!(
        h.run(&mut b, 100),
        StopReason::WatchedStore { addr: tohost }
    );
    assert_eq!(h.pc(), BASE + 4);
    assert_eq!(h.retired(), 1);
    assert_eq!(read64(&b, tohost), 1);
    assert_eq!(h.run(&mut b, 100), StopReason::Wfi);
    assert_eq!(h.reg(3), 1);
}

/// RAM plus one device at 0x1000_0000 with a register that records writes and asks for
/// attention when 0xa5 is written.
#[derive(Debug)]
struct DevBus {
    ram: RamBus,
    last: Option<(u64, AccessWidth, u64)>,
}

impl Bus for DevBus {
    fn mem(&mut self) -> &mut PhysMem {
        &mut self.ram.mem
    }
    fn mmio_read(&mut self, addr: HostPhysAddr, w: AccessWidth, _: u64) -> Result<u64, BusError> {
        match addr.as_u64() {
            0x1000_0000..0x1000_1000 => Ok(0x1234 & w.mask()),
            _ => Err(BusError::Unmapped(addr)),
        }
    }
    fn mmio_write(
        &mut self,
        addr: HostPhysAddr,
        w: AccessWidth,
        v: u64,
        _: u64,
    ) -> Result<MmioEffect, BusError> {
        match addr.as_u64() {
            0x1000_0000..0x1000_1000 => {
                self.last = Some((addr.as_u64(), w, v));
                Ok(if v == 0xa5 {
                    MmioEffect::Attention
                } else {
                    MmioEffect::None
                })
            }
            _ => Err(BusError::Unmapped(addr)),
        }
    }
    fn time(&mut self, retired: u64) -> u64 {
        retired * 10
    }
}

#[test]
fn mmio_goes_to_the_bus_and_attention_stops_the_slice() {
    let (mut h, ram) = machine(&[
        load(1, 2, 1, 0),
        store(0, 1, 3, 4),
        store(0, 1, 4, 8),
        addi(5, 0, 1),
        load(3, 6, 1, 1),
        WFI,
    ]);
    let mut bus = DevBus { ram, last: None };
    h.set_reg(1, 0x1000_0000).unwrap_or_else(|e| panic!("{e}"));
    h.set_reg(3, 0x11).unwrap_or_else(|e| panic!("{e}"));
    h.set_reg(4, 0xa5).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(h.run(&mut bus, 100), StopReason::Attention);
    assert_eq!(h.reg(2), 0x1234);
    assert_eq!(bus.last, Some((0x1000_0008, AccessWidth::Byte, 0xa5)));
    assert_eq!(h.pc(), BASE + 12);
    // A misaligned device access is address-misaligned, not performed.
    assert_eq!(h.run(&mut bus, 100), StopReason::Wfi);
    assert_eq!(h.reg(5), 1);
    assert_eq!(mcause(&h), exc::LOAD_ADDRESS_MISALIGNED);
    assert_eq!(mtval(&h), 0x1000_0001);
}

#[test]
fn time_csr_reads_the_bus_clock() {
    let (mut h, ram) = machine(&[
        addi(0, 0, 0),
        csr(2, 1, crate::riscv::csr_num::TIME, 0),
        WFI,
    ]);
    let mut bus = DevBus { ram, last: None };
    assert_eq!(h.run(&mut bus, 100), StopReason::Wfi);
    // One instruction had retired when time was read.
    assert_eq!(h.reg(1), 10);
}

#[test]
fn trace_reports_retirements_and_exceptions() {
    let (mut h, mut b) = machine(&[addi(1, 0, 3), ECALL]);
    let mut events = alloc::vec::Vec::new();
    let r = h.run_traced(&mut b, 100, &mut |e| events.push(*e));
    assert_eq!(r, StopReason::Wfi);
    use crate::riscv::hart::HartEvent;
    assert!(matches!(events[0], HartEvent::Retired { pc, rd: Some((1, 3)), .. } if pc == BASE));
    assert!(matches!(
        events[1],
        HartEvent::Exception {
            cause: 11,
            insn: Some(_),
            ..
        }
    ));
    // The handler: csrw mie, x0 (writes no register) and wfi.
    assert!(matches!(events[2], HartEvent::Retired { pc, rd: None, .. } if pc == HANDLER));
    assert!(matches!(events[3], HartEvent::Retired { pc, rd: None, .. } if pc == HANDLER + 4));
    assert_eq!(events.len(), 4);
}
