//! Runs every bare-machine fixture (fixtures/riscv64/bare/*.elf) through `hvsim run --bare`
//! and compares its stdout and exit status with the golden files next to it
//! (`<name>.stdout`, `<name>.status`). The programs check themselves against the spec and
//! report through HTIF, the UART or the test finisher; the goldens hold the statuses their
//! sources document (0 = every check passed).

use std::path::{Path, PathBuf};
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/riscv64/bare");
/// Far above the largest fixture (loop.elf, about 26 million instructions): a fixture that
/// hangs fails with status 124 instead of hanging the test.
const MAX_INSNS: &str = "100000000";

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("fixtures/riscv64/bare")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "S"))
        .collect();
    v.sort();
    v
}

fn golden(src: &Path, ext: &str) -> Vec<u8> {
    let p = src.with_extension(ext);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e} (every fixture needs it)", p.display()))
}

/// Fixtures too long to trace in a test (about 26 million trace lines).
const UNTRACED: [&str; 1] = ["loop"];

#[test]
fn every_fixture_matches_its_golden_output_and_status() {
    check_all(&[]);
}

/// Tracing observes and changes nothing: traced runs give the same stdout and status.
#[test]
fn traced_runs_match_the_goldens_too() {
    check_all(&["--trace", "insn"]);
}

fn check_all(extra: &[&str]) {
    let srcs = fixtures();
    assert!(
        srcs.len() >= 14,
        "expected the bare fixtures, found {}",
        srcs.len()
    );
    let mut failures = Vec::new();
    for src in &srcs {
        let traced = !extra.is_empty();
        if traced
            && UNTRACED
                .iter()
                .any(|n| src.file_stem().is_some_and(|s| s == *n))
        {
            continue;
        }
        let elf = src.with_extension("elf");
        let want_out = golden(src, "stdout");
        let want_status: i32 = String::from_utf8(golden(src, "status"))
            .expect("utf-8 status")
            .trim()
            .parse()
            .expect("decimal status");
        let out = Command::new(env!("CARGO_BIN_EXE_hvsim"))
            .args(["run", "--bare", "--max-insns", MAX_INSNS])
            .args(extra)
            .arg(&elf)
            .env_remove("RUST_LOG")
            .output()
            .expect("spawn hvsim");
        let status = out.status.code();
        if status != Some(want_status) || out.stdout != want_out {
            failures.push(format!(
                "{} {extra:?}: status {status:?} (want {want_status}), stdout {:?} (want {:?}), \
                 stderr ends {:?}",
                elf.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&want_out),
                String::from_utf8_lossy(&out.stderr[out.stderr.len().saturating_sub(400)..]),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The committed ELFs are built from the committed sources: each source has its ELF.
#[test]
fn every_source_has_a_committed_elf() {
    for src in fixtures() {
        assert!(
            src.with_extension("elf").is_file(),
            "{} has no .elf: run fixtures/build.sh",
            src.display()
        );
    }
}
