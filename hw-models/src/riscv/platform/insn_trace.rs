//! Instruction tracing of guest runs on the platform (`hvsim run --trace insn`): a
//! board-level switch, sim only. The hardware interface
//! ([`RiscvHardware`](crate::riscv::hw::RiscvHardware)) does not change: a VMM turns the
//! switch on the [`Platform`] it owns, and every `run_guest` on any hart then reports each
//! retired instruction, exception and interrupt of the guest to the hook.
//!
//! The choice between [`Hart::run`] and [`Hart::run_traced`] is made once per call of the
//! hart's run loop (a few per slice), never per instruction, so an untraced run executes
//! exactly the loop it executed before the switch existed.

use alloc::boxed::Box;
use core::fmt;

use super::Platform;
use crate::riscv::hart::{Bus, Hart, HartEvent, StopReason};

/// Receives the events of traced guest runs: the hart number and the event, in execution
/// order.
pub type InsnHook = Box<dyn FnMut(usize, &HartEvent)>;

/// The switch: no hook means untraced.
#[derive(Default)]
pub(crate) struct InsnTrace(Option<InsnHook>);

impl fmt::Debug for InsnTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InsnTrace")
            .field(&self.0.as_ref().map(|_| "hook"))
            .finish()
    }
}

impl InsnTrace {
    /// Runs hart `n` for at most `budget` instructions, traced if a hook is set.
    #[inline]
    pub(crate) fn run<B: Bus + ?Sized>(
        &mut self,
        hart: &mut Hart,
        bus: &mut B,
        n: usize,
        budget: u64,
    ) -> StopReason {
        match self.0.as_mut() {
            None => hart.run(bus, budget),
            Some(hook) => hart.run_traced(bus, budget, &mut |ev| hook(n, ev)),
        }
    }
}

impl Platform {
    /// Traces every guest instruction from now on into `hook` (`None` turns tracing off).
    /// Only the guest's execution inside `run_guest` is reported: HS code and the firmware
    /// are Rust, not instructions of a hart.
    ///
    /// ```
    /// use hw_models::riscv::platform::{Platform, PlatformConfig};
    /// let mut p = Platform::new(PlatformConfig::default()).unwrap();
    /// p.set_insn_trace(Some(Box::new(|hart, ev| { let _ = (hart, ev); })));
    /// assert!(p.insn_trace_enabled());
    /// p.set_insn_trace(None);
    /// assert!(!p.insn_trace_enabled());
    /// ```
    pub fn set_insn_trace(&mut self, hook: Option<InsnHook>) {
        self.insn_trace = InsnTrace(hook);
    }

    /// Whether guest instructions are being traced.
    pub fn insn_trace_enabled(&self) -> bool {
        self.insn_trace.0.is_some()
    }
}
