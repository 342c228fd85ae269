//! `hvsim run` on the hypervisor Machine as a user sees it: console on stdout, summary on
//! stderr, exit statuses (docs/run.md), `--expect`, `--trace exits`, `--trace-out`.

mod cli_support;
use cli_support::{fixture, hvsim, text};

use std::path::Path;

#[test]
fn hello_prints_its_console_and_passes() {
    let o = hvsim(&["run", &fixture("hello.elf")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let want = std::fs::read_to_string(fixture("hello.console")).expect("console file");
    assert_eq!(text(&o.stdout), want);
    let err = text(&o.stderr);
    for key in [
        "outcome:",
        "exits: 55",
        "SystemDown 1",
        "instructions:",
        "MIPS",
        "digest:",
    ] {
        assert!(err.contains(key), "{key} missing: {err}");
    }
}

/// SRST "system failure" is exit status 3; the stderr says why.
#[test]
fn shutdown_with_system_failure_is_status_3() {
    let o = hvsim(&["run", &fixture("shutdown.elf")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o.stderr).contains("guest failed"));
}

#[test]
fn expect_passes_on_the_golden_and_fails_on_another() {
    let o = hvsim(&[
        "run",
        &fixture("uart.elf"),
        "--expect",
        &fixture("uart.exits"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = hvsim(&[
        "run",
        &fixture("uart.elf"),
        "--expect",
        &fixture("hello.exits"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("differs") && err.contains("line 1"), "{err}");
}

/// `--trace exits` prints exactly the golden lines (plus virtual time), in order, on stderr.
#[test]
fn trace_exits_prints_the_golden_lines() {
    let o = hvsim(&[
        "run",
        &fixture("smp.elf"),
        "--vcpus",
        "2",
        "--trace",
        "exits",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    // `exit t=<virtual time> cpu=…`: drop the time to compare with the golden form.
    let got: Vec<String> = err
        .lines()
        .filter_map(|l| l.strip_prefix("exit t="))
        .filter_map(|l| l.split_once(' ').map(|(_, rest)| format!("exit {rest}")))
        .collect();
    let want = std::fs::read_to_string(fixture("smp.exits")).expect("exits file");
    assert_eq!(got, want.lines().collect::<Vec<_>>());
}

/// `--trace-out` writes one JSON object per exit, readable by sim-core's parser.
#[test]
fn trace_out_writes_json_lines() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hypercall.jsonl");
    let o = hvsim(&[
        "run",
        &fixture("hypercall.elf"),
        "--trace-out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let jsonl = std::fs::read_to_string(&out).expect("trace file");
    let events: Vec<_> = jsonl
        .lines()
        .map(|l| sim_core::trace::parse_json_line(l).expect("valid line"))
        .collect();
    assert_eq!(events.len(), 8);
    assert_eq!(events[1].name, "Hypercall");
}

#[test]
fn instruction_limit_is_status_124() {
    let o = hvsim(&["run", &fixture("hcloop.elf"), "--max-insns", "10000"]);
    assert_eq!(o.status.code(), Some(124));
}

#[test]
fn raw_binaries_need_an_architecture() {
    let junk = Path::new(env!("CARGO_TARGET_TMPDIR")).join("junk.bin");
    std::fs::write(&junk, [0x13u8, 0, 0, 0]).expect("write");
    let o = hvsim(&["run", junk.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("--arch"));
}

fn trace_of(name: &str, file: &str) -> String {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(file);
    let path = out.to_str().expect("utf-8 path").to_owned();
    let o = hvsim(&["run", &fixture(name), "--trace-out", &path]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    path
}

/// `hvsim diff`: the same run twice is the same trace (status 0); two different guests
/// differ at their first differing event (status 1, both events shown).
#[test]
fn diff_compares_traces() {
    let a = trace_of("hypercall.elf", "diff-a.jsonl");
    let b = trace_of("hypercall.elf", "diff-b.jsonl");
    let o = hvsim(&["diff", &a, &b]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("same: 8 events"));
    let c = trace_of("hello.elf", "diff-c.jsonl");
    let o = hvsim(&["diff", "--no-time", &a, &c]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.contains("event 2") && out.contains("Hypercall"),
        "{out}"
    );
}
