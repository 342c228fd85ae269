//! `hvsim run --trace insn` on the Machine: every guest instruction, exception and
//! interrupt, disassembled, in the line format of `hvsim run --bare --trace insn`
//! ([`crate::bare::format_event`]), interleaved in execution order with the exit lines.
//!
//! The platform board reports its guest's events through its instruction-trace switch
//! ([`Platform::set_insn_trace`](hw_models::riscv::platform::Platform::set_insn_trace)) while
//! `run_guest` runs; the Machine records the exit after the run returns. Both write one
//! [`TraceOut`], so an exit line follows the instructions of the slice that produced it,
//! and its `cpu=` names the vCPU that executed them (every slice ends in an exit line,
//! `Preempted` included).
//!
//! Instruction events are not part of the run digest (sim-core's digest takes Trap and
//! Exit events only; bare mode has no digest at all), so `--trace insn` leaves the digest,
//! the exit trace and the golden `.exits`/`.digest` files unchanged.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use super::RiscvBackend;

struct Inner {
    w: Box<dyn Write>,
    failed: bool,
}

/// A cloneable trace writer: every clone writes to the same underlying writer, in call
/// order. One thread, no re-entrant writes.
#[derive(Clone)]
pub struct TraceOut {
    inner: Rc<RefCell<Inner>>,
}

impl std::fmt::Debug for TraceOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceOut").finish_non_exhaustive()
    }
}

impl TraceOut {
    /// Writes to `w` (stderr, buffered, for `hvsim run`).
    pub fn new(w: Box<dyn Write>) -> Self {
        Self {
            inner: Rc::new(RefCell::new(Inner { w, failed: false })),
        }
    }

    /// Whether a write or flush failed (the trace is then incomplete).
    pub fn write_failed(&self) -> bool {
        self.inner.try_borrow().map_or(true, |i| i.failed)
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> io::Result<T> {
        let mut i = self
            .inner
            .try_borrow_mut()
            .map_err(|_| io::Error::other("trace writer re-entered"))?;
        let r = f(&mut *i.w);
        i.failed |= r.is_err();
        r
    }
}

impl Write for TraceOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with(|w| w.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.with(|w| w.flush())
    }
}

impl RiscvBackend {
    /// Traces every guest instruction into `out`, one line each (docs/run.md, "--trace
    /// insn"). Write errors are remembered in `out`, never raised: a trace cannot fail the
    /// run.
    pub fn with_insn_trace(mut self, out: TraceOut) -> Self {
        let mut out = out;
        self.cpu
            .platform_mut()
            .set_insn_trace(Some(Box::new(move |_hart, ev| {
                let _ = writeln!(out, "{}", crate::bare::format_event(ev));
            })));
        self
    }
}
