//! `hvsim run --bare` as a user sees it: exit statuses, the instruction limit, `--trace insn`,
//! `--stats`, and one-line errors for unusable input.

mod cli_support;
use cli_support::hvsim;

use std::path::{Path, PathBuf};
use std::process::Output;

const BARE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/riscv64/bare");
const AARCH64_TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/aarch64/tiny.elf");

fn fixture(name: &str) -> String {
    format!("{BARE}/{name}.elf")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bare-{name}"));
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// Failed with `code` and exactly one stderr line starting with `error:` and containing
/// every needle.
fn assert_one_line_error(o: &Output, code: i32, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    for n in needles {
        assert!(err.contains(n), "{n:?} missing from {err:?}");
    }
}

#[test]
fn instruction_limit_has_its_own_status_and_message() {
    let o = hvsim(&["run", "--bare", "--max-insns", "1000", &fixture("loop")]);
    assert_eq!(o.status.code(), Some(124));
    let err = stderr(&o);
    assert!(err.contains("instruction limit"), "{err}");
    assert!(err.contains("--max-insns 1000"), "{err}");
}

#[test]
fn failure_codes_with_a_zero_low_byte_do_not_pass() {
    let o = hvsim(&["run", "--bare", &fixture("htif_fail_big")]);
    assert_eq!(o.status.code(), Some(125));
    assert!(stderr(&o).contains("code 256"), "{}", stderr(&o));
}

#[test]
fn trace_shows_address_disassembly_and_register_writes() {
    let o = hvsim(&["run", "--bare", "--trace", "insn", &fixture("rvc")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let first = err.lines().next().expect("a trace line");
    // _start: la t0, unexpected_trap -> auipc t0 at the entry, writing t0.
    assert!(first.starts_with("0x0000000080000000"), "{first}");
    assert!(first.contains("auipc"), "{first}");
    assert!(first.contains("t0=0x0000000080000000"), "{first}");
    // Compressed instructions appear with their 16-bit encoding: c.li a0, -32 is 0x5501.
    assert!(
        err.lines()
            .any(|l| l.contains("  5501  ") && l.contains("a0=0xffffffffffffffe0")),
        "no c.li a0, -32 line"
    );
    // Guest stdout is not mixed with the trace.
    assert!(o.stdout.is_empty());
}

#[test]
fn trace_reports_exceptions() {
    let o = hvsim(&["run", "--bare", "--trace", "insn", &fixture("traps")]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("exception 2 (tval 0xc0001073)"),
        "unimp traps"
    );
}

#[test]
fn stats_report_instructions_time_and_mips() {
    let o = hvsim(&["run", "--bare", "--stats", &fixture("uart_hello")]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, b"Hello from the 16550 UART\n");
    let err = stderr(&o);
    for key in [
        "instructions retired:",
        "virtual time:",
        "host time:",
        "MIPS:",
    ] {
        assert!(err.contains(key), "{key} missing: {err}");
    }
}

/// Without `--bare` the guest runs on the hypervisor Machine (docs/run.md), which has no
/// aarch64 backend yet: a clear error naming it.
#[test]
fn run_without_bare_on_aarch64_is_a_clear_error() {
    let o = hvsim(&["run", AARCH64_TINY]);
    assert_one_line_error(&o, 1, &["aarch64", "riscv64"]);
}

#[test]
fn non_riscv_images_are_rejected() {
    let o = hvsim(&["run", "--bare", AARCH64_TINY]);
    assert_one_line_error(&o, 1, &["aarch64", "riscv64"]);
}

#[test]
fn malformed_images_are_rejected() {
    let junk = temp_file("junk.elf", b"\x7fELF\x02\x01\x01garbage");
    let o = hvsim(&["run", "--bare", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let text = temp_file("text.elf", b"hello");
    let o = hvsim(&["run", "--bare", text.to_str().unwrap()]);
    assert_one_line_error(&o, 1, &["not an ELF"]);
}

#[test]
fn segments_outside_ram_are_rejected() {
    // loop.elf's buffer lies beyond the first 8 KiB of RAM.
    let o = hvsim(&["run", "--bare", "--ram", "8K", &fixture("loop")]);
    assert_one_line_error(&o, 1, &["outside RAM"]);
}

#[test]
fn bad_ram_sizes_are_rejected() {
    let o = hvsim(&["run", "--bare", "--ram", "lots", &fixture("alu")]);
    assert_eq!(o.status.code(), Some(2));
    let o = hvsim(&["run", "--bare", "--ram", "1000", &fixture("alu")]);
    assert_one_line_error(&o, 1, &["RAM size"]);
}

/// Interrupt delivery depends on virtual time only: two traced runs of the timer fixture are
/// identical line for line (same instructions, same interrupt points).
#[test]
fn traced_runs_are_deterministic() {
    let a = hvsim(&["run", "--bare", "--trace", "insn", &fixture("timer")]);
    let b = hvsim(&["run", "--bare", "--trace", "insn", &fixture("timer")]);
    assert_eq!(a.status.code(), Some(0));
    let ints = stderr(&a)
        .lines()
        .filter(|l| l.ends_with("interrupt 7"))
        .count();
    assert!(ints >= 2, "the fixture takes timer interrupts");
    assert!(a.stderr == b.stderr, "trace differs between runs");
}
