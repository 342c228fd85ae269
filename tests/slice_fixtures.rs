//! The VS-mode fixtures of fixtures/riscv64/ run end to end on the RISC-V Machine: each must
//! produce its golden exit trace (`.exits`, written by hand from the program and the exit
//! rules of docs/riscv-vcpu.md), its console output (`.console`, written by hand from the
//! program's strings) and its shutdown status (docs/run.md, "Exit statuses").

use std::path::PathBuf;

use hvsim::machine::{GuestImage, Outcome, RunSummary};
use hvsim::machine_riscv::{
    ExitSink, RunConfig, SharedConsole, build_machine, exit_status, expected_lines,
};

/// Far more than any fixture needs; a hang becomes a clear failure.
const BUDGET: u64 = 5_000_000;

fn fixture(name: &str, ext: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/riscv64")
        .join(format!("{name}.{ext}"))
}

fn read(name: &str, ext: &str) -> Vec<u8> {
    let p = fixture(name, ext);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Run {
    summary: RunSummary,
    exits: Vec<String>,
    console: Vec<u8>,
}

fn run(name: &str, vcpus: usize) -> Run {
    let console = SharedConsole::new();
    let cfg = RunConfig {
        vcpus,
        max_insns: Some(BUDGET),
        ..RunConfig::default()
    };
    let image = GuestImage::Elf(read(name, "elf"));
    let mut m = build_machine(
        image,
        &cfg,
        &console,
        Some(Box::new(ExitSink::new().keep())),
    )
    .unwrap_or_else(|e| panic!("{name}: building the machine: {e}"));
    let summary = m.run();
    let exits = m
        .tracer()
        .sink_ref::<ExitSink>()
        .map(|s| s.lines().to_vec())
        .unwrap_or_default();
    Run {
        summary,
        exits,
        console: console.bytes(),
    }
}

fn check(name: &str, vcpus: usize, status: u8) {
    let r = run(name, vcpus);
    let want_exits = expected_lines(&String::from_utf8_lossy(&read(name, "exits")));
    let console = String::from_utf8_lossy(&r.console).into_owned();
    assert_eq!(
        r.exits, want_exits,
        "{name}: exit trace differs (outcome {}, console {console:?})",
        r.summary.outcome
    );
    assert_eq!(
        console,
        String::from_utf8_lossy(&read(name, "console")),
        "{name}: console differs"
    );
    assert_eq!(
        exit_status(&r.summary.outcome),
        status,
        "{name}: outcome {}",
        r.summary.outcome
    );
}

#[test]
fn hello() {
    check("hello", 1, 0);
}

#[test]
fn uart() {
    check("uart", 1, 0);
}

#[test]
fn timer() {
    check("timer", 1, 0);
}

#[test]
fn smp() {
    check("smp", 2, 0);
}

#[test]
fn paging() {
    check("paging", 1, 0);
}

#[test]
fn hypercall() {
    check("hypercall", 1, 0);
}

#[test]
fn illegal() {
    check("illegal", 1, 0);
}

/// SRST shutdown with reason "system failure" is exit status 3.
#[test]
fn shutdown() {
    check("shutdown", 1, 3);
}

/// The digest covers every exit in order: the same fixture twice gives the same digest,
/// and different fixtures give different ones.
#[test]
fn same_fixture_same_digest() {
    let a = run("smp", 2).summary.digest;
    let b = run("smp", 2).summary.digest;
    assert_eq!(a, b);
    assert_ne!(a, run("hello", 1).summary.digest);
}

/// The digests recorded by the release build (fixtures/riscv64/<name>.digest, written by
/// fixtures/riscv64/digests.sh with `cargo run --release`) match this build's: the
/// digest does not depend on the build profile.
#[test]
fn digests_match_the_release_build() {
    for (name, vcpus) in [
        ("hello", 1),
        ("uart", 1),
        ("timer", 1),
        ("smp", 2),
        ("paging", 1),
        ("hypercall", 1),
        ("illegal", 1),
        ("shutdown", 1),
    ] {
        let p = fixture(name, "digest");
        let Ok(want) = std::fs::read_to_string(&p) else {
            panic!("{}: missing (run fixtures/riscv64/digests.sh)", p.display());
        };
        let got = run(name, vcpus).summary.digest.to_string();
        assert_eq!(
            got,
            want.trim(),
            "{name}: digest differs from the release build's"
        );
    }
}

/// Random bytes as a guest image never panic the host: every run ends in an outcome
/// within its budget.
#[test]
fn garbage_guests_do_not_panic() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..24 {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                // xorshift64: a fixed seed, so a failure reproduces.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let console = SharedConsole::new();
        let cfg = RunConfig {
            vcpus: 2,
            max_insns: Some(200_000),
            ..RunConfig::default()
        };
        let image = GuestImage::Raw {
            bytes,
            load_addr: None,
        };
        let mut m = build_machine(image, &cfg, &console, None).expect("machine");
        let s = m.run();
        assert!(s.instructions <= 200_000 || matches!(s.outcome, Outcome::Error(_)));
    }
}
