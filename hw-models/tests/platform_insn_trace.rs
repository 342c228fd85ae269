//! The platform's instruction-trace switch (`Platform::set_insn_trace`): a traced
//! `run_guest` reports every guest instruction in execution order, and ends in exactly the
//! architectural state of an untraced run.

mod platform_support;

use std::cell::RefCell;
use std::rc::Rc;

use hw_models::riscv::cause::exc;
use hw_models::riscv::csr_num;
use hw_models::riscv::hart::HartEvent;
use hw_models::riscv::hw::{GuestGprs, GuestRunEnd, RiscvHardware};
use hw_models::riscv::isa::encode::{self, Reg};
use hw_models::riscv::platform::Platform;
use platform_support::*;

/// li a0, 5 ; addi a0, a0, 2 ; ecall: two retirements, then ECALL from VS (cause 10).
fn program(p: &mut Platform) {
    load(p, 0, |a| {
        a.put(encode::addi(Reg::A0, Reg::ZERO, 5).unwrap())
            .put(encode::addi(Reg::A0, Reg::A0, 2).unwrap())
            .put(encode::ecall());
    });
}

/// (hart, pc, register written, trap cause with bit 63 for interrupts).
type Seen = (usize, u64, Option<(u8, u64)>, Option<u64>);

fn run(p: &mut Platform) -> (GuestRunEnd, GuestGprs, u64, u64) {
    let mut cpu = p.hart_handle(0).unwrap();
    enter_at(&mut cpu, 0);
    let mut g = GuestGprs::default();
    let end = cpu.run_guest_csrs(&mut g);
    let scause = cpu.csr_read(csr_num::SCAUSE).unwrap();
    let sepc = cpu.csr_read(csr_num::SEPC).unwrap();
    (end, g, scause, sepc)
}

#[test]
fn traced_run_reports_each_guest_instruction_in_order_and_changes_nothing() {
    let mut plain = board(1, 10_000);
    program(&mut plain);
    let untraced = run(&mut plain);

    let mut p = board(1, 10_000);
    program(&mut p);
    let seen: Rc<RefCell<Vec<(usize, HartEvent)>>> = Rc::default();
    let s = seen.clone();
    p.set_insn_trace(Some(Box::new(move |hart, ev| {
        s.borrow_mut().push((hart, *ev))
    })));
    let traced = run(&mut p);
    assert_eq!(traced, untraced, "tracing changes no architectural outcome");
    assert_eq!(traced.0, GuestRunEnd::Trap);
    assert_eq!(traced.2, exc::ECALL_FROM_VS);

    let seen = seen.borrow();
    let summary: Vec<Seen> = seen
        .iter()
        .map(|(h, ev)| match *ev {
            HartEvent::Retired { pc, rd, .. } => (*h, pc, rd, None),
            HartEvent::Exception { pc, cause, .. } => (*h, pc, None, Some(cause)),
            HartEvent::Interrupt { pc, cause } => (*h, pc, None, Some(cause | 1 << 63)),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, GPA_BASE, Some((10, 5)), None),
            (0, GPA_BASE + 4, Some((10, 7)), None),
            (0, GPA_BASE + 8, None, Some(exc::ECALL_FROM_VS)),
        ]
    );
}

#[test]
fn the_switch_turns_off() {
    let mut p = board(1, 10_000);
    program(&mut p);
    let count = Rc::new(RefCell::new(0usize));
    let c = count.clone();
    p.set_insn_trace(Some(Box::new(move |_, _| *c.borrow_mut() += 1)));
    assert!(p.insn_trace_enabled());
    p.set_insn_trace(None);
    assert!(!p.insn_trace_enabled());
    run(&mut p);
    assert_eq!(*count.borrow(), 0);
}
