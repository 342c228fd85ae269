//! Whole programs, built with the ISA crate's assembler, run on the hart through its public
//! API: M-mode setup, MRET into U-mode, recursion with a stack (compressed instructions), an
//! LR/SC retry loop, AMOs, and an ecall handled by an M-mode trap handler.

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{Hart, HartConfig, HartEvent, RamBus, StopReason};
use hw_models::riscv::isa::encode::{self as e, AqRl, Assembler, EncResult, Reg};
use hw_models::riscv::privilege::Mode;
use sim_core::{AccessWidth, HostPhysAddr};

const BASE: u64 = 0x8000_0000;
const STACK_TOP: u64 = BASE + 0x8000;
const DATA: u64 = BASE + 0x9000;

fn ok<T>(r: EncResult<T>) -> T {
    r.unwrap_or_else(|err| panic!("encode: {err}"))
}

/// Runs `code` twice, untraced and traced, checks both end in the same state (tracing must
/// not change behaviour) and that the trace saw every retirement, and returns the untraced run.
fn run(code: &[u8], budget: u64) -> (Hart, RamBus, StopReason) {
    let setup = || {
        let mut bus = RamBus::new(BASE, 0x1_0000).unwrap_or_else(|err| panic!("{err}"));
        bus.mem
            .write_bytes(HostPhysAddr::new(BASE), code)
            .unwrap_or_else(|err| panic!("{err}"));
        (Hart::new(HartConfig::default()), bus)
    };
    let (mut hart, mut bus) = setup();
    let stop = hart.run(&mut bus, budget);
    let (mut traced, mut tbus) = setup();
    let mut retired = 0u64;
    let tstop = traced.run_traced(&mut tbus, budget, &mut |e| {
        if matches!(e, HartEvent::Retired { .. }) {
            retired += 1;
        }
    });
    assert_eq!(stop, tstop);
    assert_eq!(hart.regs(), traced.regs());
    assert_eq!(hart.pc(), traced.pc());
    assert_eq!(hart.retired(), traced.retired());
    assert_eq!(retired, traced.retired());
    (hart, bus, stop)
}

fn read64(bus: &RamBus, at: u64) -> u64 {
    bus.mem
        .read(HostPhysAddr::new(at), AccessWidth::Qword)
        .unwrap_or_else(|err| panic!("{err}"))
}

/// fib(n) computed recursively in U-mode; the result is passed to an ecall that the M-mode
/// handler records at DATA before stopping in WFI.
#[test]
fn recursive_fib_in_user_mode_with_an_ecall_to_m() {
    let mut a = Assembler::new(BASE);
    let handler = a.new_label();
    let user = a.new_label();
    let fib = a.new_label();
    let base_case = a.new_label();
    let ecall_at = a.new_label();

    // M-mode: mtvec = handler, mepc = user, MPP = U (reset value), mret.
    a.la(Reg::T0, handler);
    a.put(ok(e::csrw(n::MTVEC, Reg::T0)));
    a.la(Reg::T0, user);
    a.put(ok(e::csrw(n::MEPC, Reg::T0)));
    a.put(e::mret());

    // U-mode.
    a.bind(user).unwrap_or_else(|err| panic!("{err}"));
    a.li(Reg::SP, STACK_TOP as i64);
    a.put_c(ok(e::c_li(Reg::A0, 20)));
    a.call(fib);
    a.bind(ecall_at).unwrap_or_else(|err| panic!("{err}"));
    a.put(e::ecall());
    a.put(e::wfi());

    // fib(a0): a0 < 2 ? a0 : fib(a0 - 1) + fib(a0 - 2), with ra/s0/s1 on the stack.
    a.bind(fib).unwrap_or_else(|err| panic!("{err}"));
    a.put(ok(e::addi(Reg::T0, Reg::ZERO, 2)));
    a.blt(Reg::A0, Reg::T0, base_case);
    a.put_c(ok(e::c_addi16sp(-32)));
    a.put_c(ok(e::c_sdsp(Reg::RA, 0)));
    a.put_c(ok(e::c_sdsp(Reg::S0, 8)));
    a.put_c(ok(e::c_sdsp(Reg::S1, 16)));
    a.put_c(ok(e::c_mv(Reg::S0, Reg::A0)));
    a.put_c(ok(e::c_addi(Reg::A0, -1)));
    a.call(fib);
    a.put_c(ok(e::c_mv(Reg::S1, Reg::A0)));
    a.put(ok(e::addi(Reg::A0, Reg::S0, -2)));
    a.call(fib);
    a.put_c(ok(e::c_add(Reg::A0, Reg::S1)));
    a.put_c(ok(e::c_ldsp(Reg::RA, 0)));
    a.put_c(ok(e::c_ldsp(Reg::S0, 8)));
    a.put_c(ok(e::c_ldsp(Reg::S1, 16)));
    a.put_c(ok(e::c_addi16sp(32)));
    a.bind(base_case).unwrap_or_else(|err| panic!("{err}"));
    a.put(e::ret());

    // M-mode handler: store a0 and mcause, then stop.
    a.align(4);
    a.bind(handler).unwrap_or_else(|err| panic!("{err}"));
    a.li(Reg::T1, DATA as i64);
    a.put(ok(e::sd(Reg::A0, Reg::T1, 0)));
    a.put(ok(e::csrr(Reg::T2, n::MCAUSE)));
    a.put(ok(e::sd(Reg::T2, Reg::T1, 8)));
    a.put(e::wfi());

    let ecall_addr = a.label_addr(ecall_at);
    let code = ok(a.finish());
    let (hart, bus, stop) = run(&code, 10_000_000);
    assert_eq!(stop, StopReason::Wfi);
    assert_eq!(read64(&bus, DATA), 6765);
    assert_eq!(read64(&bus, DATA + 8), exc::ECALL_FROM_U);
    assert_eq!(hart.mode(), Mode::M);
    assert_eq!(hart.csr(n::MEPC).ok(), ecall_addr);
    assert_eq!(hart.reg(2), STACK_TOP);
}

/// A counter incremented 1000 times with an LR/SC retry loop and 1000 times with AMOADD;
/// AMOMAX keeps the largest value seen.
#[test]
fn lr_sc_loop_and_amos() {
    let mut a = Assembler::new(BASE);
    let outer = a.new_label();
    let retry = a.new_label();
    a.li(Reg::S0, DATA as i64);
    a.li(Reg::S1, 1000);
    a.put(ok(e::addi(Reg::T2, Reg::ZERO, 1)));
    a.bind(outer).unwrap_or_else(|err| panic!("{err}"));
    a.bind(retry).unwrap_or_else(|err| panic!("{err}"));
    a.put(e::lr_d(Reg::T0, Reg::S0, AqRl::AQ));
    a.put(ok(e::addi(Reg::T0, Reg::T0, 1)));
    a.put(e::sc_d(Reg::T1, Reg::T0, Reg::S0, AqRl::RL));
    a.bnez(Reg::T1, retry);
    a.put(ok(e::addi(Reg::A1, Reg::S0, 8)));
    a.put(e::amoadd_w(Reg::ZERO, Reg::T2, Reg::A1, AqRl::NONE));
    a.put(ok(e::addi(Reg::A2, Reg::S0, 16)));
    a.put(e::amomax_d(Reg::ZERO, Reg::T0, Reg::A2, AqRl::NONE));
    a.put(ok(e::addi(Reg::S1, Reg::S1, -1)));
    a.bnez(Reg::S1, outer);
    a.put(e::wfi());
    let code = ok(a.finish());
    let (hart, bus, stop) = run(&code, 100_000);
    assert_eq!(stop, StopReason::Wfi);
    assert_eq!(read64(&bus, DATA), 1000);
    assert_eq!(read64(&bus, DATA + 8), 1000);
    assert_eq!(read64(&bus, DATA + 16), 1000);
    // Every SC succeeded first time: nothing else touches the reservation set.
    assert_eq!(hart.reg(6), 0);
}
