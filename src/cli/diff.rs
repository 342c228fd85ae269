//! `hvsim diff a.jsonl b.jsonl`: the first divergence of two `--trace-out` traces
//! (the comparison lives in `hvsim::testkit::trace`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hvsim::testkit::trace::{DiffOptions, first_divergence, jsonl_lines};

/// Arguments of `hvsim diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The expected trace (JSON Lines, as `hvsim run --trace-out` writes it).
    pub left: PathBuf,
    /// The trace to compare with it.
    pub right: PathBuf,
    /// Compare exit events only (ignore traps the architecture handled).
    #[arg(long)]
    pub exits_only: bool,
    /// Ignore virtual time.
    #[arg(long)]
    pub ignore_time: bool,
}

fn read(p: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))
}

/// Prints the first divergence; status 0 if the traces agree, 1 if not.
pub fn run(args: &DiffArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let opts = DiffOptions {
        exits_only: args.exits_only,
        ignore_time: args.ignore_time,
    };
    let lines = |p: &PathBuf| -> anyhow::Result<Vec<String>> {
        jsonl_lines(&read(p)?, opts).with_context(|| format!("{}", p.display()))
    };
    let (a, b) = (lines(&args.left)?, lines(&args.right)?);
    match first_divergence(&a, &b) {
        None => {
            writeln!(out, "traces agree")?;
            Ok(0)
        }
        Some(d) => {
            writeln!(out, "{d}")?;
            Ok(1)
        }
    }
}
