//! What a run produced: its outcome, exit counts, instructions, virtual time and digest.

use std::fmt;

use sim_core::trace::DigestValue;
use vcpu::{ExitReason, ShutdownKind};

use super::error::RunError;

/// Who ended the run by asking for a shutdown or a reset.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StopSource {
    /// The SiFive test finisher.
    TestFinisher,
    /// The firmware interface (SBI SRST, PSCI): a `SystemDown` exit.
    Firmware,
}

/// How a guest's shutdown went.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShutdownStatus {
    /// Test finisher `0x5555`.
    Pass,
    /// Test finisher `0x3333 | code << 16`.
    Fail(u16),
    /// SBI SRST shutdown with this `reset_reason` (0: none, 1: system failure).
    Firmware {
        /// The guest's reason.
        reason: u32,
    },
}

/// Why a run ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The guest powered off.
    Shutdown {
        /// Pass, fail or the firmware's reason.
        status: ShutdownStatus,
    },
    /// The guest asked for a reboot (the Machine does not reboot; it stops).
    Reset {
        /// Cold or warm.
        kind: ShutdownKind,
        /// The guest's reason (0 for the test finisher).
        reason: u32,
        /// The test finisher or the firmware.
        by: StopSource,
    },
    /// The instruction budget ran out.
    BudgetExhausted,
    /// Every started vCPU is halted and no timer event is pending: nothing can ever wake
    /// them.
    AllHalted,
    /// Every vCPU stopped itself (`CpuDown`).
    AllStopped,
    /// A user handler returned [`crate::machine::Reply::Stop`].
    Stopped {
        /// The handler's code.
        code: u64,
    },
    /// The run failed.
    Error(RunError),
}

impl Outcome {
    /// Whether the guest reported success: test-finisher pass, or an SRST shutdown with no
    /// reason.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Outcome::Shutdown {
                status: ShutdownStatus::Pass | ShutdownStatus::Firmware { reason: 0 }
            }
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Shutdown { status } => match status {
                ShutdownStatus::Pass => write!(f, "shutdown: pass"),
                ShutdownStatus::Fail(c) => write!(f, "shutdown: fail (code {c})"),
                ShutdownStatus::Firmware { reason } => {
                    write!(f, "shutdown by firmware call (reason {reason})")
                }
            },
            Outcome::Reset { kind, reason, by } => {
                write!(
                    f,
                    "reset requested: {} (reason {reason}, by {by:?})",
                    kind.name()
                )
            }
            Outcome::BudgetExhausted => write!(f, "instruction budget exhausted"),
            Outcome::AllHalted => write!(f, "all vCPUs halted with no pending event"),
            Outcome::AllStopped => write!(f, "all vCPUs stopped"),
            Outcome::Stopped { code } => write!(f, "stopped by a handler (code {code:#x})"),
            Outcome::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// Every exit reason name, in the order of [`ExitCounts`].
pub const EXIT_NAMES: [&str; 17] = [
    "Hypercall",
    "MmioRead",
    "MmioWrite",
    "SysRegRead",
    "SysRegWrite",
    "IoRead",
    "IoWrite",
    "ExternalInterrupt",
    "NestedPageFault",
    "Halt",
    "CpuUp",
    "CpuDown",
    "SystemDown",
    "Nothing",
    "Preempted",
    "FailEntry",
    "SendIpi",
];

const fn exit_index(e: &ExitReason) -> usize {
    match e {
        ExitReason::Hypercall { .. } => 0,
        ExitReason::MmioRead { .. } => 1,
        ExitReason::MmioWrite { .. } => 2,
        ExitReason::SysRegRead { .. } => 3,
        ExitReason::SysRegWrite { .. } => 4,
        ExitReason::IoRead { .. } => 5,
        ExitReason::IoWrite { .. } => 6,
        ExitReason::ExternalInterrupt { .. } => 7,
        ExitReason::NestedPageFault { .. } => 8,
        ExitReason::Halt => 9,
        ExitReason::CpuUp { .. } => 10,
        ExitReason::CpuDown { .. } => 11,
        ExitReason::SystemDown { .. } => 12,
        ExitReason::Nothing => 13,
        ExitReason::Preempted => 14,
        ExitReason::FailEntry { .. } => 15,
        ExitReason::SendIpi { .. } => 16,
    }
}

/// Exits counted by reason.
///
/// ```
/// use hvsim::machine::ExitCounts;
/// use vcpu::ExitReason;
/// let mut c = ExitCounts::default();
/// c.add(&ExitReason::Halt);
/// assert_eq!(c.get("Halt"), 1);
/// assert_eq!(c.total(), 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ExitCounts([u64; 17]);

impl ExitCounts {
    /// Counts one exit.
    pub fn add(&mut self, e: &ExitReason) {
        let c = &mut self.0[exit_index(e)];
        *c = c.saturating_add(1);
    }

    /// Exits named `name` (an [`ExitReason::name`]); 0 for an unknown name.
    pub fn get(&self, name: &str) -> u64 {
        EXIT_NAMES
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| self.0[i])
    }

    /// All exits.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0, |a, b| a.saturating_add(*b))
    }

    /// `(name, count)` for every reason with a non-zero count, in [`EXIT_NAMES`] order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        EXIT_NAMES
            .iter()
            .zip(self.0.iter())
            .filter(|(_, c)| **c > 0)
            .map(|(n, c)| (*n, *c))
    }
}

/// The result of [`crate::machine::Machine::run`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RunSummary {
    /// Why the run ended.
    pub outcome: Outcome,
    /// Exits by reason.
    pub exits: ExitCounts,
    /// Guest instructions retired.
    pub instructions: u64,
    /// Virtual time at the end, in timebase ticks.
    pub vtime_ticks: u64,
    /// Virtual time at the end, in nanoseconds.
    pub vtime_ns: u64,
    /// Digest of the ordered exit (and trap) events.
    pub digest: DigestValue,
    /// Hypercalls no handler took (answered `SBI_ERR_NOT_SUPPORTED`).
    pub unhandled_hypercalls: u64,
    /// IPI targets that named no vCPU (ignored).
    pub dropped_ipis: u64,
}
