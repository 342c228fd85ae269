//! Board-level behaviour: exits, the instruction limit, idle detection, timer events and
//! HTIF store tracking, driven by small programs built with the encoder.

use alloc::vec::Vec;

use super::*;
use crate::riscv::board::BufferConsole;
use crate::riscv::csr_num;
use crate::riscv::isa::encode::{self as e, AqRl, Assembler, Reg};

const BASE: u64 = RAM_BASE;
const TOHOST: u64 = RAM_BASE + 0x1000;
const FROMHOST: u64 = RAM_BASE + 0x1040;
const FINISHER: i64 = 0x10_0000;
const MTIMECMP: i64 = 0x200_4000;
const MTIME: i64 = 0x200_bff8;

fn board(code: Assembler, htif: bool) -> BareBoard {
    let mut b = BareBoard::new(&BareConfig::default()).unwrap();
    b.load(BASE, &code.finish().unwrap(), 0).unwrap();
    b.set_entry(BASE);
    if htif {
        b.attach_htif(TOHOST, Some(FROMHOST)).unwrap();
    }
    b
}

fn run(b: &mut BareBoard, limit: u64) -> (BoardStop, BufferConsole) {
    let mut c = BufferConsole::default();
    let s = b.run(limit, &mut c, None).unwrap();
    (s, c)
}

fn htif_exit(code: u64) -> BoardStop {
    BoardStop::Exit {
        source: ExitSource::Htif,
        code,
    }
}

/// `li t0, value; li t1, TOHOST; <store t0 into tohost with `store`>; spin`.
fn asm() -> Assembler {
    Assembler::new(BASE)
}

fn spin(a: &mut Assembler) {
    let l = a.here();
    a.j(l);
}

#[test]
fn finisher_pass_and_fail_codes() {
    for (word, want) in [(0x5555, 0), (0x3333 | (9 << 16), 9)] {
        let mut a = asm();
        a.li(Reg::T0, FINISHER);
        a.li(Reg::T1, word);
        a.put(e::sw(Reg::T1, Reg::T0, 0).unwrap());
        spin(&mut a);
        let mut b = board(a, false);
        let (s, _) = run(&mut b, 1000);
        assert_eq!(
            s,
            BoardStop::Exit {
                source: ExitSource::Finisher,
                code: want
            }
        );
    }
}

#[test]
fn finisher_reset_is_reported() {
    let mut a = asm();
    a.li(Reg::T0, FINISHER);
    a.li(Reg::T1, 0x7777);
    a.put(e::sw(Reg::T1, Reg::T0, 0).unwrap());
    spin(&mut a);
    assert_eq!(run(&mut board(a, false), 100).0, BoardStop::ResetRequested);
}

#[test]
fn insn_limit_stops_an_endless_loop_exactly() {
    let mut a = asm();
    spin(&mut a);
    let mut b = board(a, false);
    assert_eq!(run(&mut b, 12_345).0, BoardStop::InsnLimit);
    assert_eq!(b.insns_spent(), 12_345);
    assert_eq!(b.hart().retired(), 12_345);
    // The limit is a total: a second call with the same limit stops at once.
    assert_eq!(run(&mut b, 12_345).0, BoardStop::InsnLimit);
    assert_eq!(b.hart().retired(), 12_345);
}

#[test]
fn insn_limit_stops_a_trap_loop_that_retires_nothing() {
    // mtvec = the illegal instruction itself: every attempt traps, nothing retires.
    let mut a = asm();
    let bad = a.new_label();
    a.la(Reg::T0, bad);
    a.put(e::csrw(csr_num::MTVEC, Reg::T0).unwrap());
    a.bind(bad).unwrap();
    a.put(0);
    let mut b = board(a, false);
    assert_eq!(run(&mut b, 10_000).0, BoardStop::InsnLimit);
    assert!(b.hart().retired() < 10);
}

#[test]
fn wfi_with_nothing_to_wake_it_is_idle() {
    let mut a = asm();
    a.put(e::wfi());
    spin(&mut a);
    let (s, _) = run(&mut board(a, false), 1000);
    assert_eq!(s, BoardStop::Idle { pc: BASE + 4 });
}

/// WFI with mie.MTIE set and mtimecmp ahead: virtual time jumps to the deadline, the hart
/// wakes (mstatus.MIE = 0, so no trap), and mtime read after it is at least the deadline.
#[test]
fn wfi_skips_virtual_time_to_the_timer_deadline() {
    const DEADLINE: i64 = 1_000_000;
    let mut a = asm();
    a.li(Reg::T0, MTIMECMP);
    a.li(Reg::T1, DEADLINE);
    a.put(e::sd(Reg::T1, Reg::T0, 0).unwrap());
    a.li(Reg::T1, 1 << 7);
    a.put(e::csrs(csr_num::MIE, Reg::T1).unwrap());
    a.put(e::wfi());
    a.li(Reg::T0, MTIME);
    a.put(e::ld(Reg::A0, Reg::T0, 0).unwrap());
    a.li(Reg::T0, FINISHER);
    a.li(Reg::T1, 0x5555);
    a.put(e::sw(Reg::T1, Reg::T0, 0).unwrap());
    let mut b = board(a, false);
    let (s, _) = run(&mut b, 1000);
    assert!(matches!(s, BoardStop::Exit { code: 0, .. }), "{s:?}");
    assert!(b.hart().reg(10) >= DEADLINE as u64);
    assert!(b.clock().ticks() >= DEADLINE as u64);
    assert!(b.hart().retired() < 100);
}

/// A parked timer (mtimecmp = all ones) is not an event: WFI waiting for it is idle.
#[test]
fn wfi_on_a_parked_timer_is_idle() {
    let mut a = asm();
    a.li(Reg::T1, 1 << 7);
    a.put(e::csrs(csr_num::MIE, Reg::T1).unwrap());
    a.put(e::wfi());
    spin(&mut a);
    assert!(matches!(
        run(&mut board(a, false), 100).0,
        BoardStop::Idle { .. }
    ));
}

/// The timer interrupt is taken at the first instruction boundary where mtime >= mtimecmp:
/// a counting loop interrupted by it stops at a count fixed by the clock rates, the same on
/// every run (determinism).
#[test]
fn timer_interrupt_arrives_at_a_deterministic_instruction() {
    let build = || {
        let mut a = asm();
        let handler = a.new_label();
        let lp = a.new_label();
        a.la(Reg::T0, handler);
        a.put(e::csrw(csr_num::MTVEC, Reg::T0).unwrap());
        a.li(Reg::T0, MTIMECMP);
        a.li(Reg::T1, 500);
        a.put(e::sd(Reg::T1, Reg::T0, 0).unwrap());
        a.li(Reg::T1, 1 << 7);
        a.put(e::csrs(csr_num::MIE, Reg::T1).unwrap());
        a.put(e::csrrsi(Reg::ZERO, csr_num::MSTATUS, 1 << 3).unwrap());
        a.li(Reg::A0, 0);
        a.bind(lp).unwrap();
        a.put(e::addi(Reg::A0, Reg::A0, 1).unwrap());
        a.j(lp);
        a.align(4);
        a.bind(handler).unwrap();
        a.put(e::csrr(Reg::A1, csr_num::MCAUSE).unwrap());
        a.li(Reg::T0, FINISHER);
        a.li(Reg::T1, 0x5555);
        a.put(e::sw(Reg::T1, Reg::T0, 0).unwrap());
        a
    };
    let mut counts = Vec::new();
    for _ in 0..2 {
        let mut b = board(build(), false);
        let (s, _) = run(&mut b, 1_000_000);
        assert!(matches!(s, BoardStop::Exit { code: 0, .. }));
        assert_eq!(b.hart().reg(11), (1 << 63) | 7);
        // 500 ticks at 10 instructions per tick (100 MIPS, 10 MHz): about 5000 instructions,
        // half of them the counting addi.
        let n = b.hart().reg(10);
        assert!((2400..=2600).contains(&n), "{n}");
        assert!(b.clock().ticks() >= 500);
        counts.push(n);
    }
    assert_eq!(counts[0], counts[1]);
}

fn store_tohost(a: &mut Assembler, value: u64, parts: &[(u64, u64)]) {
    a.li(Reg::T1, TOHOST as i64);
    for &(off, size) in parts {
        a.li(Reg::T0, (value >> (8 * off)) as i64);
        let w = match size {
            1 => e::sb(Reg::T0, Reg::T1, off as i32),
            2 => e::sh(Reg::T0, Reg::T1, off as i32),
            4 => e::sw(Reg::T0, Reg::T1, off as i32),
            _ => e::sd(Reg::T0, Reg::T1, off as i32),
        };
        a.put(w.unwrap());
    }
}

#[test]
fn htif_exit_in_every_store_order() {
    let code = (3 << 1) | 1;
    let orders: [&[(u64, u64)]; 4] = [
        &[(0, 8)],
        &[(0, 4), (4, 4)],
        &[(4, 4), (0, 4)],
        &[(7, 1), (6, 1), (4, 2), (0, 4)],
    ];
    for parts in orders {
        let mut a = asm();
        store_tohost(&mut a, code, parts);
        spin(&mut a);
        let mut b = board(a, true);
        let (s, _) = run(&mut b, 100);
        assert_eq!(s, htif_exit(3), "{parts:?}");
    }
}

/// A putchar written high half first must not be taken after its first half (it would print
/// NUL); written low half first it must not be taken as a syscall pointer.
#[test]
fn half_written_putchar_prints_once_and_right() {
    let putc = 0x0101_0000_0000_0000 | u64::from(b'Z');
    let mut a = asm();
    store_tohost(&mut a, putc, &[(4, 4), (0, 4)]);
    store_tohost(&mut a, putc, &[(0, 4), (4, 4)]);
    store_tohost(&mut a, 1, &[(0, 8)]);
    let mut b = board(a, true);
    let (s, c) = run(&mut b, 100);
    assert_eq!(s, htif_exit(0));
    assert_eq!(c.stdout, b"ZZ");
}

/// Compressed stores are reconstructed too (c.sw is 2 bytes long).
#[test]
fn compressed_stores_to_tohost_are_tracked() {
    let mut a = asm();
    a.li(Reg::A1, TOHOST as i64);
    a.li(Reg::A0, (5 << 1) | 1);
    a.put_c(e::c_sw(Reg::A0, Reg::A1, 0).unwrap());
    a.put_c(e::c_sw(Reg::S0, Reg::A1, 4).unwrap());
    spin(&mut a);
    let mut b = board(a, true);
    b.hart_mut().set_reg(8, 0).unwrap();
    assert_eq!(run(&mut b, 100).0, htif_exit(5));
}

/// An AMO whose rd overwrites rs1 is placed by its natural alignment.
#[test]
fn amo_to_tohost_is_tracked() {
    let mut a = asm();
    a.li(Reg::A0, TOHOST as i64);
    a.li(Reg::A1, (6 << 1) | 1);
    a.put(e::amoswap_d(Reg::A0, Reg::A1, Reg::A0, AqRl::NONE));
    spin(&mut a);
    assert_eq!(run(&mut board(a, true), 100).0, htif_exit(6));
}

/// Only the low half stored, then a spin reading tohost: the board takes the command after
/// the grace period (the unwritten half is the 0 the host left there).
#[test]
fn partial_tohost_is_taken_after_the_grace_period() {
    let mut a = asm();
    store_tohost(&mut a, (4 << 1) | 1, &[(0, 4)]);
    let l = a.here();
    a.put(e::ld(Reg::T2, Reg::T1, 0).unwrap());
    a.bnez(Reg::T2, l);
    spin(&mut a);
    let mut b = board(a, true);
    let (s, _) = run(&mut b, 1_000_000);
    assert_eq!(s, htif_exit(4));
    let r = b.hart().retired();
    assert!(
        (PARTIAL_GRACE_INSNS..PARTIAL_GRACE_INSNS + 100).contains(&r),
        "{r}"
    );
}

#[test]
fn uart_output_reaches_the_console() {
    let mut a = asm();
    a.li(Reg::T0, 0x1000_0000);
    for ch in b"ok\n" {
        a.li(Reg::T1, i64::from(*ch));
        a.put(e::sb(Reg::T1, Reg::T0, 0).unwrap());
    }
    a.put(e::wfi());
    let (s, c) = run(&mut board(a, false), 100);
    assert!(matches!(s, BoardStop::Idle { .. }));
    assert_eq!(c.stdout, b"ok\n");
}

#[test]
fn device_holes_fault_instead_of_stopping_the_host() {
    // A load from an address with nothing behind it raises a load access fault (cause 5),
    // and the trap handler reports it through the finisher.
    let mut a = asm();
    let handler = a.new_label();
    a.la(Reg::T0, handler);
    a.put(e::csrw(csr_num::MTVEC, Reg::T0).unwrap());
    a.li(Reg::T0, 0x4000_0000);
    a.put(e::ld(Reg::T1, Reg::T0, 0).unwrap());
    a.align(4);
    a.bind(handler).unwrap();
    a.put(e::csrr(Reg::A0, csr_num::MCAUSE).unwrap());
    a.li(Reg::T0, FINISHER);
    a.li(Reg::T1, 0x3333);
    a.put(e::slli(Reg::A1, Reg::A0, 16).unwrap());
    a.put(e::or(Reg::T1, Reg::T1, Reg::A1));
    a.put(e::sw(Reg::T1, Reg::T0, 0).unwrap());
    let (s, _) = run(&mut board(a, false), 100);
    assert_eq!(
        s,
        BoardStop::Exit {
            source: ExitSource::Finisher,
            code: 5
        }
    );
}

#[test]
fn loads_outside_ram_and_bad_sizes_are_errors() {
    let mut b = BareBoard::new(&BareConfig::default()).unwrap();
    assert!(matches!(
        b.load(0x1000, &[1, 2, 3], 3),
        Err(BoardError::OutsideRam { addr: 0x1000, .. })
    ));
    let end = RAM_BASE + DEFAULT_RAM_SIZE;
    assert!(matches!(
        b.load(end - 2, &[1, 2, 3, 4], 4),
        Err(BoardError::OutsideRam { .. })
    ));
    // memsz past the end of RAM fails even when the file bytes fit.
    assert!(b.load(end - 4, &[1], 8).is_err());
    b.load(end - 4, &[1, 2, 3, 4], 4).unwrap();
    for ram_size in [0, 4095, MAX_RAM_SIZE + 4096] {
        let cfg = BareConfig {
            ram_size,
            ..BareConfig::default()
        };
        assert!(matches!(BareBoard::new(&cfg), Err(BoardError::RamSize(_))));
    }
}

#[test]
fn htif_symbols_outside_ram_are_rejected() {
    let mut b = BareBoard::new(&BareConfig::default()).unwrap();
    assert!(matches!(
        b.attach_htif(0x1000, None),
        Err(BoardError::Htif(_))
    ));
}
