//! End-to-end tests of the `hvsim` binary: the committed fixtures, malformed inputs made here,
//! and bad arguments. Expected addresses come from fixtures/<arch>/link.ld and tiny.S.

mod cli_support;
use cli_support::hvsim;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RISCV_TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/riscv64/tiny.elf");
const AARCH64_TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/aarch64/tiny.elf");
const X86_64_TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/x86_64/tiny.elf");

/// Offsets in an Elf64_Ehdr / Elf64_Phdr (System V gABI).
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;
const E_PHOFF: usize = 32;
const P_OFFSET: usize = 8;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `bytes` to a file unique to `name` under cargo's per-target temp dir.
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// The command failed with status `code` and exactly one stderr line containing every
/// `needle`, and nothing that looks like a panic.
fn assert_one_line_error(o: &Output, code: i32, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "expected one line, got: {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in {err:?}");
    }
    for bad in ["panicked", "backtrace", "internal error"] {
        assert!(!err.contains(bad), "{err:?}");
    }
    assert!(o.stdout.is_empty(), "stdout: {}", stdout(o));
}

fn inspect_bad_file(name: &str, bytes: &[u8], needles: &[&str]) {
    let path = temp_file(name, bytes);
    let shown = path.display().to_string();
    let o = hvsim(&["inspect", &shown]);
    let mut all = vec![shown.as_str()];
    all.extend_from_slice(needles);
    assert_one_line_error(&o, 1, &all);
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(path).expect("read fixture")
}

#[test]
fn info_lists_architectures_features_and_version() {
    let o = hvsim(&["info"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("hvsim {}\n", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    for needle in [
        "riscv64 (H extension)",
        "aarch64 (EL2)",
        "x86_64 (Intel VMX)",
        "RV64IMAC + Zicsr + Zifencei + Zicntr",
        "native off",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
    // Nothing for aarch64 or x86_64 exists yet, and the listing must say so.
    let aarch64 = out.split("aarch64 (EL2)").nth(1).unwrap_or_default();
    assert!(
        aarch64
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .all(|l| l.contains("not built yet"))
    );
}

#[test]
fn inspect_riscv64_fixture() {
    let o = hvsim(&["inspect", RISCV_TINY]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "machine:         riscv64 (EM_RISCV)",
        "class:           ELF64",
        "endianness:      little-endian",
        "type:            EXEC",
        "entry:           0x80000000 (in segment 0)",
        "flags:           0x1 (RVC, soft-float ABI)",
        // text at 0x8000_0000, r-x, 16 bytes; .tohost page at 0x8000_1000, rw-, 0x48 bytes.
        "0x0000000080000000  0x0000000080000000  0x10        0x10        r-x",
        "0x0000000080001000  0x0000000080001000  0x48        0x48        rw-",
        "0x0000000080001000       8  OBJECT  GLOBAL     2  tohost",
        "0x0000000080001040       8  OBJECT  GLOBAL     2  fromhost",
        "0x0000000080000000      16  FUNC    GLOBAL     1  _start",
        "begin_signature (not present)",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
    assert!(
        !out.contains(".Lpcrel_hi0"),
        "local labels only with --symbols"
    );
}

#[test]
fn inspect_symbols_lists_every_symbol() {
    let o = hvsim(&["inspect", "--symbols", RISCV_TINY]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // tiny.S's `la` expands to auipc with a local .Lpcrel_hi label; the loop is `1: j 1b`.
    for needle in [".Lpcrel_hi0", "tohost", "fromhost", "_start"] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
}

#[test]
fn inspect_aarch64_and_x86_64_fixtures() {
    let o = hvsim(&["inspect", AARCH64_TINY]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("machine:         aarch64 (EM_AARCH64)"),
        "{out}"
    );
    assert!(
        out.contains("entry:           0x40080000 (in segment 0)"),
        "{out}"
    );
    // Five A64 instructions.
    assert!(out.contains("0x14        0x14        r-x"), "{out}");

    let o = hvsim(&["inspect", X86_64_TINY]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("machine:         x86_64 (EM_X86_64)"), "{out}");
    assert!(
        out.contains("entry:           0x100000 (in segment 0)"),
        "{out}"
    );
}

#[test]
fn empty_file_is_one_line_error() {
    inspect_bad_file("empty", &[], &["empty file"]);
}

#[test]
fn random_bytes_are_not_an_elf() {
    // A fixed xorshift stream: arbitrary, but the same every run.
    let mut x: u32 = 0x2545_f491;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    assert_ne!(&bytes[..4], b"\x7fELF");
    inspect_bad_file("random", &bytes, &["not an ELF file"]);
}

#[test]
fn truncated_header_is_reported() {
    let bytes = fixture(RISCV_TINY);
    inspect_bad_file(
        "truncated",
        &bytes[..40],
        &[
            "truncated ELF64 file header",
            "needs 64 bytes",
            "file has 40",
        ],
    );
    inspect_bad_file(
        "ident-only",
        &bytes[..10],
        &["truncated ELF identification"],
    );
}

#[test]
fn segment_past_end_of_file_is_reported() {
    let mut bytes = fixture(RISCV_TINY);
    let phoff = u64::from_le_bytes(bytes[E_PHOFF..E_PHOFF + 8].try_into().unwrap()) as usize;
    let at = phoff + P_OFFSET;
    bytes[at..at + 8].copy_from_slice(&0x0100_0000u64.to_le_bytes());
    inspect_bad_file(
        "segment-past-eof",
        &bytes,
        &[
            "program header 0 (PT_LOAD)",
            "p_offset 0x1000000",
            "past the end of the file",
        ],
    );
}

#[test]
fn big_endian_and_32_bit_are_unsupported() {
    let mut bytes = fixture(RISCV_TINY);
    bytes[EI_DATA] = 2; // ELFDATA2MSB
    inspect_bad_file(
        "big-endian",
        &bytes,
        &["big-endian", "ELFDATA2MSB", "not supported"],
    );
    let mut bytes = fixture(RISCV_TINY);
    bytes[EI_CLASS] = 1; // ELFCLASS32
    inspect_bad_file("elf32", &bytes, &["32-bit", "ELFCLASS32", "not supported"]);
}

#[test]
fn missing_file_and_directory_are_reported() {
    let o = hvsim(&["inspect", "/nonexistent/guest.elf"]);
    assert_one_line_error(&o, 1, &["cannot read /nonexistent/guest.elf"]);
    let dir = env!("CARGO_TARGET_TMPDIR");
    let o = hvsim(&["inspect", dir]);
    assert_one_line_error(&o, 1, &[dir, "not a regular file"]);
}

#[test]
fn bad_arguments_are_one_line_usage_errors() {
    assert_one_line_error(&hvsim(&["frobnicate"]), 2, &["frobnicate", "hvsim --help"]);
    assert_one_line_error(&hvsim(&["inspect"]), 2, &["<ELF>", "hvsim --help"]);
    assert_one_line_error(&hvsim(&["-q", "-v", "info"]), 2, &["--quiet", "--verbose"]);
    assert_one_line_error(&hvsim(&["info", "--bogus"]), 2, &["--bogus"]);
}

#[test]
fn help_and_version_succeed() {
    let o = hvsim(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("inspect"));
    let o = hvsim(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o).trim(),
        format!("hvsim {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn verbosity_flags_and_rust_log_control_diagnostics() {
    // The default level is warn: a successful inspect logs nothing.
    let o = hvsim(&["inspect", RISCV_TINY]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    // -v enables info, where inspect reports the parsed image.
    let o = hvsim(&["-v", "inspect", RISCV_TINY]);
    assert!(stderr(&o).contains("parsed guest image"), "{}", stderr(&o));
    // stderr is a pipe here, not a terminal: no colour escapes.
    assert!(!stderr(&o).contains('\x1b'), "{:?}", stderr(&o));
    // RUST_LOG overrides the flags in both directions.
    let run = |rust_log: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hvsim"))
            .args(args)
            .env("RUST_LOG", rust_log)
            .output()
            .expect("spawn hvsim")
    };
    let o = run("info", &["inspect", RISCV_TINY]);
    assert!(stderr(&o).contains("parsed guest image"), "{}", stderr(&o));
    let o = run("error", &["-vv", "inspect", RISCV_TINY]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let o = run("[not a filter", &["info"]);
    assert_one_line_error(&o, 1, &["invalid RUST_LOG"]);
}

/// Every fixtures/<arch>/<name>.S has its built <name>.elf committed next to it (and no ELF
/// lacks a source), and each ELF inspects cleanly as the architecture its directory names.
#[test]
fn every_committed_fixture_matches_its_source_and_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for arch in ["riscv64", "aarch64", "x86_64"] {
        let dir = root.join(arch);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("fixture directory")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let ext = path.extension().and_then(|e| e.to_str());
            if ext == Some("S") {
                assert!(
                    path.with_extension("elf").is_file(),
                    "{} has no built .elf (run fixtures/build.sh)",
                    path.display()
                );
            }
            if ext != Some("elf") {
                continue;
            }
            assert!(
                path.with_extension("S").is_file(),
                "{} has no .S source",
                path.display()
            );
            let shown = path.display().to_string();
            let o = hvsim(&["inspect", &shown]);
            assert!(o.status.success(), "{shown}: {}", stderr(&o));
            assert!(
                stdout(&o).contains(&format!("machine:         {arch} (")),
                "{shown}:\n{}",
                stdout(&o)
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "found only {checked} fixture ELFs");
}
