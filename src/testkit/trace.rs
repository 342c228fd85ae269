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

/// Compares two JSON Lines traces (`--trace-out`) event by event, ignoring lines that are
/// not events of kind `exit` when `exits_only`; the lines compared are the raw JSON text.
pub fn diff_jsonl(a: &str, b: &str, exits_only: bool) -> Option<TraceDiff> {
    let keep = |l: &&str| {
        let l = l.trim();
        !l.is_empty() && (!exits_only || l.contains("\"kind\":\"exit\""))
    };
    let la: Vec<&str> = a.lines().filter(keep).collect();
    let lb: Vec<&str> = b.lines().filter(keep).collect();
    first_divergence(&la, &lb)
}
