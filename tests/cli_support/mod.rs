//! Shared helpers of the CLI integration tests: run the built `hvsim` binary and read its
//! output.

#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `hvsim` with `args` (RUST_LOG cleared, so logging cannot leak into the output).
pub fn hvsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hvsim"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("spawn hvsim")
}

/// The path of a RISC-V fixture, `fixtures/riscv64/<name>`.
pub fn fixture(name: &str) -> String {
    format!("{}/fixtures/riscv64/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Output bytes as text (lossy: a test failure should still show something readable).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
