//! `hvsim diff A.jsonl B.jsonl`: compares two JSON Lines traces (`hvsim run --trace-out`)
//! event by event and reports the first difference (docs/run.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use sim_core::trace::{OwnedTraceEvent, parse_json_line};

/// Arguments of `hvsim diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first trace (JSON Lines).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second trace (JSON Lines).
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Ignore virtual time (compare what happened, not when).
    #[arg(long)]
    pub no_time: bool,
}

fn load(path: &Path) -> anyhow::Result<Vec<OwnedTraceEvent>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_json_line(l).with_context(|| format!("{}: line {}", path.display(), i + 1))
        })
        .collect()
}

fn show(ev: Option<&OwnedTraceEvent>, no_time: bool) -> String {
    match ev {
        None => "(end of trace)".to_owned(),
        Some(e) if no_time => format!("{e:#}"),
        Some(e) => format!("{e}"),
    }
}

/// Prints the verdict; returns 0 if the traces are the same, 1 if they differ.
pub fn run(args: &DiffArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let a = load(&args.a)?;
    let b = load(&args.b)?;
    let same = |x: &OwnedTraceEvent, y: &OwnedTraceEvent| {
        if args.no_time {
            x.cpu == y.cpu && x.kind == y.kind && x.name == y.name && x.fields == y.fields
        } else {
            x == y
        }
    };
    let first = (0..a.len().max(b.len())).find(|&i| match (a.get(i), b.get(i)) {
        (Some(x), Some(y)) => !same(x, y),
        _ => true,
    });
    match first {
        None => {
            writeln!(out, "same: {} events", a.len())?;
            Ok(0)
        }
        Some(i) => {
            writeln!(out, "traces differ at event {} (line {}):", i + 1, i + 1)?;
            writeln!(
                out,
                "  {}: {}",
                args.a.display(),
                show(a.get(i), args.no_time)
            )?;
            writeln!(
                out,
                "  {}: {}",
                args.b.display(),
                show(b.get(i), args.no_time)
            )?;
            Ok(1)
        }
    }
}
