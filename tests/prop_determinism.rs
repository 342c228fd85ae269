//! Determinism of random guest programs (docs/ARCHITECTURE.md "Determinism"; DESIGN
//! "Every run yields a trace digest ... the same inputs give the same digest"), through
//! `hvsim::testkit`. `PROPTEST_CASES=1000 cargo test --test prop_determinism` runs more.

use hvsim::testkit::strategies::{RandomProgram, random_program};
use hvsim::testkit::trace::{exit_line, first_divergence};
use hvsim::testkit::{RiscvTestMachine, TestMachine};
use proptest::prelude::*;
use sim_core::AccessWidth;
use sim_core::trace::MemorySink;
use vcpu::ExitReason;

const ENTRY: u64 = 0x8000_0000;
const DATA: u64 = 0x8010_0000;
const MMIO: u64 = 0x4000_0000;
const MAX_EXITS: usize = 1000;

/// The device: a fixed function of the address and width.
fn device(addr: u64, width: AccessWidth) -> u64 {
    addr.rotate_left(13) ^ (width.size() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn build(p: &RandomProgram, traced: bool) -> RiscvTestMachine {
    let prog = p.program(ENTRY, DATA, MMIO).expect("program");
    let mut b = TestMachine::riscv().ram_mib(4).program(prog);
    if traced {
        b = b.trace_sink(Box::new(MemorySink::new()));
    }
    b.build().expect("test machine")
}

fn run(p: &RandomProgram, traced: bool) -> (Vec<String>, u128, u64) {
    let mut m = build(p, traced);
    let exits = m.run_to_completion(MAX_EXITS, device).expect("run");
    let lines = exits.iter().map(|e| exit_line(0, e)).collect();
    (lines, m.digest().0, m.retired())
}

/// 256 cases, or `PROPTEST_CASES` when set.
fn cases() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 256;
    }
    c
}

proptest! {
    #![proptest_config(cases())]

    /// Determinism: any random terminating program (ALU, RAM and MMIO loads and stores,
    /// then SBI SRST) gives the same exits, the same instruction count and the same
    /// digest on two runs, and the same digest with the trace sink on or off; it ends in
    /// SystemDown after exactly one MMIO exit per MMIO instruction.
    #[test]
    fn same_digest_twice_and_with_sink(p in random_program(48)) {
        let (a, da, na) = run(&p, false);
        let (b, db, nb) = run(&p, false);
        let (c, dc, _) = run(&p, true);
        if let Some(d) = first_divergence(&a, &b) {
            prop_assert!(false, "two runs differ:\n{d}");
        }
        prop_assert_eq!(da, db);
        prop_assert_eq!(na, nb);
        prop_assert_eq!(&a, &c);
        prop_assert_eq!(da, dc);
        let mmio_ops = p.ops.iter().filter(|o| matches!(o, hvsim::testkit::strategies::GuestOp::Mmio(_))).count();
        let mmio_exits = a.iter().filter(|l| l.contains("MmioRead") || l.contains("MmioWrite")).count();
        prop_assert_eq!(mmio_exits, mmio_ops);
        prop_assert!(a.last().is_some_and(|l| l.contains("SystemDown")), "{:?}", a.last());
    }

    /// Different device answers give different digests once they reach the trace (a
    /// digest that ignored exit data could not catch a divergence): a program whose loaded
    /// MMIO value is stored back to the device traces that value.
    #[test]
    fn digest_sees_data(v1 in any::<u64>(), v2 in any::<u64>()) {
        prop_assume!(v1 != v2);
        use hvsim::testkit::strategies::{GuestOp, MmioOp};
        let p = RandomProgram { ops: vec![
            GuestOp::Mmio(MmioOp { kind: 3, reg: 5, offset: 0 }),
            GuestOp::Mmio(MmioOp { kind: 10, reg: 5, offset: 8 }),
        ]};
        let digest = |v: u64| {
            let mut m = build(&p, false);
            m.run_to_completion(MAX_EXITS, |_, _| v).expect("run");
            m.digest().0
        };
        prop_assert_ne!(digest(v1), digest(v2));
    }
}

/// The same program on the full Machine (RISC-V backend, a user MMIO handler answering
/// with the same device function): its exit lines.
fn run_on_machine(p: &RandomProgram) -> Vec<String> {
    use hvsim::machine::{GuestImage, MachineBuilder, Reply};
    use hvsim::machine_riscv::{ExitSink, RiscvBackend};
    let prog = p.program(ENTRY, DATA, MMIO).expect("program");
    let bytes = prog.blocks()[0].1.clone();
    let mut m = MachineBuilder::new(RiscvBackend::new(1, 4 << 20).expect("board"))
        .ram_size(4 << 20)
        .image(GuestImage::Raw {
            bytes,
            load_addr: Some(ENTRY),
        })
        .mmio(MMIO, 0x1000, |a| match a.write {
            None => Reply::Value(device(a.addr.as_u64(), a.width)),
            Some(_) => Reply::Done,
        })
        .trace_sink(Box::new(ExitSink::new().keep()))
        .build()
        .expect("machine");
    let _ = m.run();
    m.tracer()
        .sink_ref::<ExitSink>()
        .map(|s| s.lines().to_vec())
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(cases())]

    /// The testkit drives the same vCPU the Machine does: any random program gives the same
    /// exit sequence exit by exit (`TestMachine`) as on the full Machine with an equivalent
    /// MMIO handler (docs/machine.md "Run loop"; DESIGN "Determinism").
    #[test]
    fn testkit_and_machine_agree(p in random_program(32)) {
        let (kit, _, _) = run(&p, false);
        let machine = run_on_machine(&p);
        if let Some(d) = first_divergence(&kit, &machine) {
            prop_assert!(false, "testkit vs Machine:\n{d}");
        }
    }
}

/// A random program's exits are all MMIO, `Nothing` and the final SystemDown (the subset
/// has no other exit source).
#[test]
fn random_program_exit_kinds() {
    let p = RandomProgram { ops: vec![] };
    let mut m = build(&p, false);
    let exits = m.run_to_completion(MAX_EXITS, device).expect("run");
    assert!(
        matches!(exits.as_slice(), [ExitReason::SystemDown { .. }]),
        "{exits:?}"
    );
}
