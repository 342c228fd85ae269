//! Trace helpers: exit lines in the golden-file form, searching them, and the first
//! divergence between two traces, printed readably.

use std::fmt;

use vcpu::ExitReason;

/// An exit in the golden-file text form (`exit cpu=0 MmioRead addr=... width=...`), without
/// virtual time, as `hvsim run --trace exits` prints it and `.exits` files hold it.
pub fn exit_line(cpu: u32, exit: &ExitReason) -> String {
    exit.with_trace_event(0, cpu, |ev| format!("{ev:#}"))
}

/// Index of the first line containing `needle`.
pub fn find(lines: &[String], needle: &str) -> Option<usize> {
    lines.iter().position(|l| l.contains(needle))
}

/// Where two traces first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceDiff {
    /// 0-based index of the first differing line.
    pub index: usize,
    /// Up to three lines both traces share just before it.
    pub context: Vec<String>,
    /// The left trace's line there, `None` if it ended.
    pub left: Option<String>,
    /// The right trace's line there, `None` if it ended.
    pub right: Option<String>,
}

/// The first divergence of `a` and `b`, `None` if they are equal.
///
/// ```
/// use hvsim::testkit::trace::first_divergence;
/// let a = vec!["exit cpu=0 Halt".to_string(), "exit cpu=0 Nothing".to_string()];
/// let b = vec!["exit cpu=0 Halt".to_string()];
/// let d = first_divergence(&a, &b).unwrap();
/// assert_eq!(d.index, 1);
/// assert!(d.to_string().contains("- exit cpu=0 Nothing"));
/// assert!(d.to_string().contains("+ <end of trace>"));
/// ```
pub fn first_divergence<S: AsRef<str>>(a: &[S], b: &[S]) -> Option<TraceDiff> {
    let n = a.len().max(b.len());
    let index = (0..n).find(|&i| a.get(i).map(AsRef::as_ref) != b.get(i).map(AsRef::as_ref))?;
    let from = index.saturating_sub(3);
    Some(TraceDiff {
        index,
        context: a[from..index]
            .iter()
            .map(|s| s.as_ref().to_owned())
            .collect(),
        left: a.get(index).map(|s| s.as_ref().to_owned()),
        right: b.get(index).map(|s| s.as_ref().to_owned()),
    })
}

impl fmt::Display for TraceDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "traces diverge at line {}:", self.index + 1)?;
        for c in &self.context {
            writeln!(f, "  {c}")?;
        }
        let end = "<end of trace>";
        writeln!(f, "- {}", self.left.as_deref().unwrap_or(end))?;
        write!(f, "+ {}", self.right.as_deref().unwrap_or(end))
    }
}

/// What [`jsonl_lines`] keeps and how it renders events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Keep only exit events (drop traps and anything else).
    pub exits_only: bool,
    /// Render without virtual time, so runs that differ only in timing compare equal.
    pub ignore_time: bool,
}

/// A JSON Lines trace line that is not a trace event.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {msg}")]
pub struct TraceFileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub msg: String,
}

/// The events of a JSON Lines trace (`hvsim run --trace-out`) in sim-core's text form, one
/// per event; blank lines are skipped.
///
/// ```
/// use hvsim::testkit::trace::{DiffOptions, jsonl_lines};
/// let t = r#"{"t":9,"cpu":0,"kind":"exit","name":"Halt","fields":[]}"#;
/// let opts = DiffOptions { ignore_time: true, ..DiffOptions::default() };
/// assert_eq!(jsonl_lines(t, opts).unwrap(), vec!["exit cpu=0 Halt".to_string()]);
/// assert!(jsonl_lines("{not json", opts).is_err());
/// ```
pub fn jsonl_lines(text: &str, opts: DiffOptions) -> Result<Vec<String>, TraceFileError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let ev = sim_core::trace::parse_json_line(l).map_err(|e| TraceFileError {
            line: i + 1,
            msg: e.to_string(),
        })?;
        if opts.exits_only && ev.kind != sim_core::trace::TraceKind::Exit {
            continue;
        }
        out.push(if opts.ignore_time {
            format!("{ev:#}")
        } else {
            format!("{ev}")
        });
    }
    Ok(out)
}

/// The first divergence of two JSON Lines traces, `Ok(None)` if they agree.
pub fn diff_jsonl(
    a: &str,
    b: &str,
    opts: DiffOptions,
) -> Result<Option<TraceDiff>, TraceFileError> {
    Ok(first_divergence(
        &jsonl_lines(a, opts)?,
        &jsonl_lines(b, opts)?,
    ))
}
