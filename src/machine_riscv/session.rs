//! Building and running a guest on the RISC-V Machine: what `hvsim run`, the fixture tests
//! and the benchmark share. The hvsim hypercalls the run answers and the exit sink
//! (`--trace exits`, `--trace-out`, `--expect`) live here too. See docs/run.md.

use std::fmt::Write as _;
use std::io::Write;

use sim_core::trace::{TraceEvent, TraceKind, TraceSink};
use vcpu::stage2::GStageMode;

use super::{RiscvBackend, RiscvBackendError, SharedConsole, TraceOut};
use crate::machine::{
    DEFAULT_RAM_SIZE, GuestImage, HypercallCall, Machine, MachineBuilder, MachineError, Reply,
};

/// hvsim hypercall FID 0, echo: answers a1 = a0.
pub const HVC_ECHO: u64 = 0;
/// hvsim hypercall FID 1, sum: answers a1 = a0 + a1 + ... + a5 (wrapping).
pub const HVC_SUM: u64 = 1;

/// The hypercalls `hvsim run` answers (SBI extension 0x485643); any other FID is left
/// unhandled, and the guest gets `SBI_ERR_NOT_SUPPORTED`.
pub fn hvsim_hypercall(call: &HypercallCall) -> Reply {
    match call.nr {
        HVC_ECHO => Reply::Value(call.args[0]),
        HVC_SUM => Reply::Value(call.args.iter().fold(0u64, |a, b| a.wrapping_add(*b))),
        _ => Reply::Unhandled,
    }
}

/// How to build the Machine for a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// vCPUs.
    pub vcpus: usize,
    /// Guest RAM bytes.
    pub ram: u64,
    /// Instruction budget.
    pub max_insns: Option<u64>,
    /// Kernel command line (`/chosen/bootargs`).
    pub append: String,
    /// The G-stage scheme.
    pub gstage: GStageMode,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            vcpus: 1,
            ram: DEFAULT_RAM_SIZE,
            max_insns: None,
            append: String::new(),
            gstage: GStageMode::Sv39x4,
        }
    }
}

/// Why a Machine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The board.
    #[error(transparent)]
    Backend(#[from] RiscvBackendError),
    /// The Machine (image, configuration).
    #[error(transparent)]
    Machine(#[from] MachineError),
}

/// Builds the RISC-V Machine for `image`: console bytes (UART and SBI console) go to
/// `console`, trace events to `sink`.
pub fn build_machine(
    image: GuestImage,
    cfg: &RunConfig,
    console: &SharedConsole,
    sink: Option<Box<dyn TraceSink>>,
) -> Result<Machine<RiscvBackend>, SessionError> {
    build_machine_traced(image, cfg, console, sink, None)
}

/// [`build_machine`] with every guest instruction traced into `insn` (`--trace insn`,
/// docs/run.md); give the exit sink's echo a clone of the same [`TraceOut`] to keep the
/// exit lines in order with the instructions.
pub fn build_machine_traced(
    image: GuestImage,
    cfg: &RunConfig,
    console: &SharedConsole,
    sink: Option<Box<dyn TraceSink>>,
    insn: Option<TraceOut>,
) -> Result<Machine<RiscvBackend>, SessionError> {
    let mut backend = RiscvBackend::new(cfg.vcpus, cfg.ram)?.with_console(console.clone());
    if let Some(out) = insn {
        backend = backend.with_insn_trace(out);
    }
    let mut b = MachineBuilder::new(backend)
        .image(image)
        .vcpus(cfg.vcpus)
        .ram_size(cfg.ram)
        .append(cfg.append.clone())
        .gstage(cfg.gstage)
        .console_writer(Box::new(console.clone()))
        .on_hypercall(hvsim_hypercall);
    if let Some(n) = cfg.max_insns {
        b = b.budget(n);
    }
    if let Some(s) = sink {
        b = b.trace_sink(s);
    }
    Ok(b.build()?)
}

/// The first place a run's exits differ from the expected trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// 1-based line of the expected trace (one past its end if the run had more exits).
    pub line: usize,
    /// The expected line, `None` past the end of the expected trace.
    pub expected: Option<String>,
    /// The actual exit, `None` if the run ended before the expected trace.
    pub actual: Option<String>,
}

/// The run's trace sink: exit lines echoed with their virtual time (`--trace exits`),
/// kept and compared in the golden-file text form (`{:#}`, no virtual time), written as JSON Lines (`--trace-out`), compared with an
/// expected trace (`--expect`) and kept (tests). Write errors are remembered, never raised:
/// a sink cannot fail the run.
#[derive(Default)]
pub struct ExitSink {
    echo: Option<Box<dyn Write>>,
    jsonl: Option<Box<dyn Write>>,
    expected: Option<Vec<String>>,
    keep: bool,
    lines: Vec<String>,
    seen: usize,
    divergence: Option<Divergence>,
    write_failed: bool,
}

impl std::fmt::Debug for ExitSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExitSink")
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

impl ExitSink {
    /// A sink that does nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Echo every exit line to `w`.
    pub fn echo(mut self, w: Box<dyn Write>) -> Self {
        self.echo = Some(w);
        self
    }

    /// Write every trap and exit event as JSON Lines to `w`.
    pub fn jsonl(mut self, w: Box<dyn Write>) -> Self {
        self.jsonl = Some(w);
        self
    }

    /// Compare the exits with `expected` (the text of a `.exits` file).
    pub fn expect(mut self, expected: &str) -> Self {
        self.expected = Some(expected_lines(expected));
        self
    }

    /// Keep the exit lines ([`ExitSink::lines`]).
    pub fn keep(mut self) -> Self {
        self.keep = true;
        self
    }

    /// The exit lines kept.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// How many exits were seen.
    pub fn exits(&self) -> usize {
        self.seen
    }

    /// The first divergence from the expected trace, including a run that ended early
    /// (checked here, after the run).
    pub fn divergence(&self) -> Option<Divergence> {
        if let Some(d) = &self.divergence {
            return Some(d.clone());
        }
        let exp = self.expected.as_ref()?;
        (self.seen < exp.len()).then(|| Divergence {
            line: self.seen + 1,
            expected: exp.get(self.seen).cloned(),
            actual: None,
        })
    }

    /// Whether writing the echo or the JSON Lines output failed.
    pub fn write_failed(&self) -> bool {
        self.write_failed
    }

    /// Flushes the writers.
    pub fn flush(&mut self) {
        for w in [self.echo.as_mut(), self.jsonl.as_mut()]
            .into_iter()
            .flatten()
        {
            if w.flush().is_err() {
                self.write_failed = true;
            }
        }
    }
}

/// The lines of an expected trace: blank lines and `#` comments are skipped, trailing
/// whitespace is ignored.
pub fn expected_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

impl TraceSink for ExitSink {
    fn record(&mut self, ev: &TraceEvent<'_>) {
        if let Some(w) = self.jsonl.as_mut() {
            if matches!(ev.kind, TraceKind::Exit | TraceKind::Trap) {
                let mut s = String::new();
                let ok = ev.write_json(&mut s).is_ok() && writeln!(w, "{s}").is_ok();
                self.write_failed |= !ok;
            }
        }
        if ev.kind != TraceKind::Exit {
            return;
        }
        if self.echo.is_none() && self.expected.is_none() && !self.keep {
            self.seen += 1;
            return;
        }
        let mut line = String::new();
        // Writing into a String cannot fail.
        let _ = write!(line, "{ev:#}");
        if let Some(w) = self.echo.as_mut() {
            // The echo keeps the virtual time (`exit t=… cpu=…`, sim-core's plain text
            // form); the golden comparison uses the time-free form.
            self.write_failed |= writeln!(w, "{ev}").is_err();
        }
        if self.divergence.is_none() {
            if let Some(exp) = &self.expected {
                if exp.get(self.seen) != Some(&line) {
                    self.divergence = Some(Divergence {
                        line: self.seen + 1,
                        expected: exp.get(self.seen).cloned(),
                        actual: Some(line.clone()),
                    });
                }
            }
        }
        self.seen += 1;
        if self.keep {
            self.lines.push(line);
        }
    }
}

/// Process exit status: the guest passed (SRST shutdown with reason "none", finisher PASS).
pub const EXIT_PASS: u8 = 0;
/// Process exit status: hvsim failed (bad image, run error, nothing left to run).
pub const EXIT_ERROR: u8 = 1;
/// Process exit status: the guest reported a failure through SBI SRST (shutdown with a
/// non-zero reason, e.g. 1 "system failure") or the test finisher FAIL with code 0.
pub const EXIT_GUEST_FAILURE: u8 = 3;
/// Process exit status: `--max-insns` ran out (the `timeout(1)` convention, as `--bare`).
pub const EXIT_INSN_LIMIT: u8 = 124;

/// The process exit status for a run's outcome (docs/run.md, "Exit statuses").
pub fn exit_status(outcome: &crate::machine::Outcome) -> u8 {
    use crate::machine::{Outcome, ShutdownStatus};
    match outcome {
        Outcome::Shutdown { status } => match *status {
            ShutdownStatus::Pass | ShutdownStatus::Firmware { reason: 0 } => EXIT_PASS,
            ShutdownStatus::Firmware { .. } | ShutdownStatus::Fail(0) => EXIT_GUEST_FAILURE,
            ShutdownStatus::Fail(code) => crate::bare::guest_exit_status(code.into()),
        },
        Outcome::Stopped { code } => crate::bare::guest_exit_status(*code),
        Outcome::BudgetExhausted => EXIT_INSN_LIMIT,
        Outcome::Reset { .. } | Outcome::AllHalted | Outcome::AllStopped | Outcome::Error(_) => {
            EXIT_ERROR
        }
    }
}
