//! The guest's SBI timer.
//!
//! The guest programs its timer through SBI TIME. hvsim forwards the deadline to the
//! firmware below (the hart's own S-level timer) and remembers it; when the S-level timer
//! interrupt arrives, the deadline is delivered to the guest as VSTIP in hvip.

/// The guest's timer state.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GuestTimer {
    /// The armed deadline in `time` units, if the guest has one pending.
    pub deadline: Option<u64>,
}

/// A deadline of all ones means "never" (SBI spec, sbi_set_timer).
pub const NEVER: u64 = u64::MAX;

/// What the S-level timer interrupt means for the guest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimerVerdict {
    /// The guest's deadline passed: assert VSTIP and disarm the hart timer.
    Fire,
    /// The interrupt came early: re-arm the hart timer with this deadline.
    Rearm(u64),
    /// No guest deadline: disarm the hart timer (clears STIP).
    Spurious,
}

impl GuestTimer {
    /// Arms (or, with [`NEVER`], disarms) the guest deadline.
    pub fn arm(&mut self, deadline: u64) {
        self.deadline = (deadline != NEVER).then_some(deadline);
    }

    /// Decides what an S-level timer interrupt means, given the current `time` if the hart
    /// let HS read it (without it, the firmware's interrupt is trusted to be on time).
    pub fn on_interrupt(&mut self, now: Option<u64>) -> TimerVerdict {
        match (self.deadline, now) {
            (None, _) => TimerVerdict::Spurious,
            (Some(d), Some(t)) if t < d => TimerVerdict::Rearm(d),
            (Some(_), _) => {
                self.deadline = None;
                TimerVerdict::Fire
            }
        }
    }
}
