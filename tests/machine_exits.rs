//! The run loop's actions for every exit, the schedule, the budget and determinism.

mod machine_support;

use std::cell::RefCell;
use std::rc::Rc;

use hvsim::machine::mock::MockBackend;
use hvsim::machine::{
    HypercallCall, Outcome, Reply, RunError, RunState, SBI_ERR_NOT_SUPPORTED, ShutdownStatus,
    StopSource,
};
use machine_support::*;
use sim_core::GuestPhysAddr;
use sim_core::trace::{FieldValue, MemorySink};
use vcpu::mock::MockCall;
use vcpu::{AccessFlags, ExitReason, ShutdownKind, VCpuState};

#[test]
fn hypercall_handlers_in_order_and_unhandled_answer() {
    let seen: Rc<RefCell<Vec<HypercallCall>>> = Rc::default();
    let s = seen.clone();
    let b = MockBackend::new(1).script(
        0,
        [hypercall(1, 7), hypercall(2, 0), hypercall(3, 0), pass()],
    );
    let mut m = builder(b)
        .on_hypercall(move |c| {
            s.borrow_mut().push(*c);
            if c.nr == 1 {
                Reply::Value(c.args[0] * 6)
            } else {
                Reply::Unhandled
            }
        })
        .on_hypercall(|c| {
            if c.nr == 2 {
                Reply::Value(99)
            } else {
                Reply::Unhandled
            }
        })
        .build()
        .unwrap();
    let sum = m.run();
    // The first handler saw all three calls, in order.
    assert_eq!(
        seen.borrow().iter().map(|c| c.nr).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let ret: Vec<u64> = m.vcpus()[0]
        .arch()
        .calls()
        .iter()
        .filter_map(|c| match c {
            MockCall::SetReturnValue(v) => Some(*v),
            _ => None,
        })
        .collect();
    // 42 from handler 1, 99 from handler 2, SBI_ERR_NOT_SUPPORTED for nobody's.
    assert_eq!(ret, vec![42, 99, SBI_ERR_NOT_SUPPORTED as u64]);
    assert_eq!(SBI_ERR_NOT_SUPPORTED, -2);
    assert_eq!(sum.unhandled_hypercalls, 1);
    assert_eq!(sum.exits.get("Hypercall"), 3);
    assert!(sum.outcome.is_success());
}

#[test]
fn hypercall_stop_and_done() {
    let b = MockBackend::new(1).script(0, [hypercall(5, 0), hypercall(6, 0), pass()]);
    let mut m = builder(b)
        .on_hypercall(|c| {
            if c.nr == 5 {
                Reply::Done
            } else {
                Reply::Stop(c.nr)
            }
        })
        .build()
        .unwrap();
    assert_eq!(m.run().outcome, Outcome::Stopped { code: 6 });
    assert!(
        !m.vcpus()[0]
            .arch()
            .calls()
            .iter()
            .any(|c| matches!(c, MockCall::SetReturnValue(_)))
    );
}

fn cpu_up(target: u64, entry: u64, arg: u64) -> ExitReason {
    ExitReason::CpuUp {
        target_cpu: target,
        entry_point: GuestPhysAddr::new(entry),
        arg,
    }
}

#[test]
fn cpu_up_starts_a_secondary_with_a0_hart_id_a1_arg() {
    let b = MockBackend::new(2)
        .script(0, [cpu_up(1, 0x8030_0000, 0xabcd), ExitReason::Halt])
        .script(1, [pass()]);
    let mut m = builder(b).vcpus(2).build().unwrap();
    assert_eq!(m.run_states(), &[RunState::Runnable, RunState::Stopped]);
    let s = m.run();
    assert!(s.outcome.is_success(), "{}", s.outcome);
    let v1 = m.vcpus()[1].arch();
    assert_eq!(v1.entry(), Some(GuestPhysAddr::new(0x8030_0000)));
    assert_eq!(v1.gpr(10), Some(1));
    assert_eq!(v1.gpr(11), Some(0xabcd));
    // vCPU 1 ran on its own physical CPU.
    assert!(v1.calls().contains(&MockCall::Run { cpu: 1 }));
}

#[test]
fn cpu_up_refusals_answer_sbi_errors() {
    let b = MockBackend::new(1).script(
        0,
        [cpu_up(5, 0x8000_0000, 0), cpu_up(0, 0x8000_0000, 0), pass()],
    );
    let mut m = builder(b).vcpus(2).build().unwrap();
    assert!(m.run().outcome.is_success());
    let ret: Vec<i64> = m.vcpus()[0]
        .arch()
        .calls()
        .iter()
        .filter_map(|c| match c {
            MockCall::SetReturnValue(v) => Some(*v as i64),
            _ => None,
        })
        .collect();
    // SBI_ERR_INVALID_PARAM (-3) for a hart that does not exist, SBI_ERR_ALREADY_AVAILABLE
    // (-6) for one that is running (SBI spec, HSM hart_start).
    assert_eq!(ret, vec![-3, -6]);
}

#[test]
fn cpu_down_everywhere_stops_the_run() {
    let b = MockBackend::new(2)
        .script(
            0,
            [cpu_up(1, 0x8000_0000, 0), ExitReason::CpuDown { state: 0 }],
        )
        .script(1, [ExitReason::CpuDown { state: 0 }]);
    let mut m = builder(b).vcpus(2).build().unwrap();
    let s = m.run();
    assert_eq!(s.outcome, Outcome::AllStopped);
    assert_eq!(s.exits.get("CpuDown"), 2);
    assert_eq!(m.run_states(), &[RunState::Stopped, RunState::Stopped]);
    assert!(m.vcpus().iter().all(|v| v.state() == VCpuState::Free));
}

#[test]
fn halt_without_events_is_a_clear_outcome() {
    let m = run_script(vec![ExitReason::Halt]);
    let o = m.summary().outcome;
    assert_eq!(o, Outcome::AllHalted);
    assert_eq!(o.to_string(), "all vCPUs halted with no pending event");
    assert_eq!(m.vcpus()[0].state(), VCpuState::Blocked);
}

#[test]
fn halt_jumps_virtual_time_to_the_next_timer() {
    let b = MockBackend::new(1)
        .script(0, [ExitReason::Halt, pass()])
        .insns_per_run(10)
        .timer(0, 5_000_000);
    let mut m = builder(b).build().unwrap();
    let s = m.run();
    assert!(s.outcome.is_success());
    // Ten instructions, the jump to tick 5 000 000, then ten more (one tick per ten
    // instructions at the default 100 MIPS and 10 MHz timebase).
    assert_eq!(s.vtime_ticks, 5_000_001);
    assert_eq!(s.instructions, 20);
    assert_eq!(s.vtime_ns, 500_000_100);
}

fn ipi(base: u64, mask: u64, all: bool) -> ExitReason {
    ExitReason::SendIpi {
        target_cpu: base,
        target_cpu_aux: mask,
        send_to_all: all,
        send_to_self: false,
        vector: 1,
    }
}

#[test]
fn send_ipi_wakes_and_injects_into_targets() {
    let b = MockBackend::new(3)
        .script(
            0,
            [
                cpu_up(1, 0x8000_0000, 0),
                cpu_up(2, 0x8000_0000, 0),
                ExitReason::Preempted,
                ipi(1, 0b10, false), // hart 2 only
                ExitReason::Preempted,
                ipi(0, 0, true),  // everyone, the sender included
                ipi(7, 1, false), // no hart 7: dropped
                ExitReason::Halt,
            ],
        )
        .script(1, [ExitReason::Halt, pass()])
        .script(2, [ExitReason::Halt, ExitReason::Halt]);
    let mut m = builder(b).vcpus(3).build().unwrap();
    let s = m.run();
    assert!(s.outcome.is_success(), "{}", s.outcome);
    let injected = |id: usize| {
        m.vcpus()[id]
            .arch()
            .calls()
            .iter()
            .filter(|c| matches!(c, MockCall::InjectInterrupt(1)))
            .count()
    };
    assert_eq!((injected(0), injected(1), injected(2)), (1, 1, 2));
    assert_eq!(s.dropped_ipis, 1);
}

#[test]
fn system_down_outcomes() {
    let m = run_script(vec![ExitReason::SystemDown {
        kind: ShutdownKind::Shutdown,
        reason: 1,
    }]);
    let o = m.summary().outcome;
    assert_eq!(
        o,
        Outcome::Shutdown {
            status: ShutdownStatus::Firmware { reason: 1 }
        }
    );
    assert!(!o.is_success());
    let m = run_script(vec![ExitReason::SystemDown {
        kind: ShutdownKind::Shutdown,
        reason: 0,
    }]);
    assert!(m.summary().outcome.is_success());
    let m = run_script(vec![ExitReason::SystemDown {
        kind: ShutdownKind::WarmReboot,
        reason: 0,
    }]);
    assert_eq!(
        m.summary().outcome,
        Outcome::Reset {
            kind: ShutdownKind::WarmReboot,
            reason: 0,
            by: StopSource::Firmware
        }
    );
}

#[test]
fn faults_and_failed_entries_are_errors_naming_the_cause() {
    let m = run_script(vec![ExitReason::NestedPageFault {
        addr: GuestPhysAddr::new(0x9000_1000),
        access_flags: AccessFlags::EXECUTE,
    }]);
    let o = m.summary().outcome;
    assert!(matches!(
        o,
        Outcome::Error(RunError::NestedPageFault { .. })
    ));
    assert!(o.to_string().contains("0x90001000"), "{o}");
    let m = run_script(vec![ExitReason::FailEntry {
        hardware_entry_failure_reason: 0x21,
    }]);
    assert_eq!(
        m.summary().outcome,
        Outcome::Error(RunError::FailEntry {
            vcpu: 0,
            reason: 0x21
        })
    );
    let m = run_script(vec![ExitReason::SysRegRead {
        addr: vcpu::SysRegAddr::new(0x180),
        reg: 5,
    }]);
    assert!(
        m.summary()
            .outcome
            .to_string()
            .contains("SysRegRead addr=0x180")
    );
}

#[test]
fn exits_without_progress_are_stopped() {
    let b = MockBackend::new(1)
        .insns_per_run(0)
        .idle_exit(ExitReason::Nothing);
    let mut m = builder(b).build().unwrap();
    let o = m.run().outcome;
    assert_eq!(
        o,
        Outcome::Error(RunError::NoProgress {
            exits: hvsim::machine::NO_PROGRESS_LIMIT + 1
        })
    );
}

#[test]
fn sbi_hart_mask_decoding() {
    // An empty hart mask names nobody (SBI "Hart list parameter"); bits name base + i.
    let b = MockBackend::new(1).script(
        0,
        [
            cpu_up(1, 0x8000_0000, 0),
            cpu_up(2, 0x8000_0000, 0),
            ipi(1, 0, false),
            ipi(1, 0b11, false),
            pass(),
        ],
    );
    let mut m = builder(b).vcpus(3).build().unwrap();
    assert!(m.run().outcome.is_success());
    let injected = |id: usize| {
        m.vcpus()[id]
            .arch()
            .calls()
            .iter()
            .filter(|c| matches!(c, MockCall::InjectInterrupt(1)))
            .count()
    };
    assert_eq!((injected(0), injected(1), injected(2)), (0, 1, 1));
    assert_eq!(m.gpr(1, 10), Some(1));
}

#[test]
fn nothing_and_external_interrupts_continue() {
    let m = run_script(vec![
        ExitReason::Nothing,
        ExitReason::ExternalInterrupt { vector: 9 },
        pass(),
    ]);
    let s = m.summary();
    assert!(s.outcome.is_success());
    assert_eq!(
        (s.exits.get("Nothing"), s.exits.get("ExternalInterrupt")),
        (1, 1)
    );
    assert_eq!(s.exits.total(), 3);
}

#[test]
fn budget_ends_cleanly_and_exactly() {
    // Each run retires 100 instructions; the budget of 1050 cuts the eleventh run to 50.
    let b = MockBackend::new(1).insns_per_run(100);
    let mut m = builder(b).budget(1050).build().unwrap();
    let s = m.run();
    assert_eq!(s.outcome, Outcome::BudgetExhausted);
    assert_eq!(s.instructions, 1050);
    assert_eq!(s.exits.get("Preempted"), 11);
    // Running again changes nothing.
    assert_eq!(m.run(), s);
}

#[test]
fn vcpu_errors_stop_the_run() {
    // A vector the mock cannot take (>= 64) is a rejection from inject_interrupt.
    let b = MockBackend::new(2).script(
        0,
        [
            cpu_up(1, 0x8000_0000, 0),
            ExitReason::SendIpi {
                target_cpu: 1,
                target_cpu_aux: 1,
                send_to_all: false,
                send_to_self: false,
                vector: 64,
            },
        ],
    );
    let mut m = builder(b).vcpus(2).budget(10_000).build().unwrap();
    let o = m.run().outcome;
    assert!(
        matches!(o, Outcome::Error(RunError::VCpu { vcpu: 1, .. })),
        "{o}"
    );
}

/// Two vCPUs share one physical CPU: with a quantum of 250 and 100 instructions per run, each
/// keeps the CPU for three runs (100 + 100 + 50, the last one cut by the quantum) before the
/// other gets it. Exits that need nothing (`Nothing`) do not give the CPU away.
#[test]
fn round_robin_schedule_by_quantum() {
    let b = MockBackend::new(1)
        .script(0, [cpu_up(1, 0x8000_0000, 0)])
        .idle_exit(ExitReason::Nothing)
        .insns_per_run(100);
    let mut m = builder(b)
        .vcpus(2)
        .quantum(250)
        .budget(1500)
        .trace_sink(Box::new(MemorySink::new()))
        .build()
        .unwrap();
    let s = m.run();
    assert_eq!(s.outcome, Outcome::BudgetExhausted);
    let order: Vec<u32> = m
        .tracer()
        .sink_ref::<MemorySink>()
        .unwrap()
        .events()
        .iter()
        .map(|e| e.cpu)
        .collect();
    assert_eq!(
        order,
        vec![0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1]
    );
    // Both vCPUs were bound and unbound on physical CPU 0 as they took turns.
    let v1 = m.vcpus()[1].arch().calls();
    assert_eq!(
        v1.iter()
            .filter(|c| **c == MockCall::Bind { cpu: 0 })
            .count(),
        3
    );
    assert_eq!(m.backend().hw(0).unwrap().entries(), 18);
}

/// `Preempted` (the slice ran out) always gives the physical CPU to the next vCPU.
#[test]
fn preempted_rotates() {
    let b = MockBackend::new(1)
        .script(0, [cpu_up(1, 0x8000_0000, 0)])
        .insns_per_run(100);
    let mut m = builder(b)
        .vcpus(2)
        .budget(500)
        .trace_sink(Box::new(MemorySink::new()))
        .build()
        .unwrap();
    m.run();
    let order: Vec<u32> = m
        .tracer()
        .sink_ref::<MemorySink>()
        .unwrap()
        .events()
        .iter()
        .map(|e| e.cpu)
        .collect();
    assert_eq!(order, vec![0, 0, 1, 0, 1]);
}

fn scripted_run(seed_exit: u64) -> hvsim::machine::RunSummary {
    let b = MockBackend::new(2)
        .script(
            0,
            [
                cpu_up(1, 0x8000_0000, 0),
                write(UART, sim_core::AccessWidth::Byte, seed_exit),
                hypercall(9, 1),
                ExitReason::Halt,
            ],
        )
        .script(1, [ipi(0, 1, false), ExitReason::Preempted, pass()])
        .insns_per_run(37)
        .timer(0, 100);
    let mut m = builder(b).vcpus(2).quantum(60).build().unwrap();
    m.run()
}

#[test]
fn same_inputs_same_digest() {
    let a = scripted_run(b'x'.into());
    let b = scripted_run(b'x'.into());
    assert_eq!(a, b);
    assert!(a.outcome.is_success(), "{}", a.outcome);
    // A different byte written changes an exit's data and so the digest.
    let c = scripted_run(b'y'.into());
    assert_ne!(a.digest, c.digest);
}

#[test]
fn exits_are_traced_with_vcpu_and_fields() {
    let b = MockBackend::new(1).script(0, [hypercall(3, 4), pass()]);
    let mut m = builder(b)
        .trace_sink(Box::new(MemorySink::new()))
        .build()
        .unwrap();
    let s = m.run();
    let ev = m
        .tracer()
        .sink_ref::<MemorySink>()
        .unwrap()
        .events()
        .to_vec();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].name, "Hypercall");
    assert_eq!(ev[0].field("nr"), Some(FieldValue::U64(3)));
    assert_eq!(ev[1].name, "MmioWrite");
    assert_eq!(s.digest, m.tracer().digest());
}
