//! Virtual time, derived from retired instructions.
//!
//! A machine retires instructions at a configured *instruction rate* (instructions per second
//! of virtual time). Its timebase (RISC-V `time`/`mtime`, the Arm generic counter) counts at
//! the *timebase frequency*. Ticks are computed with exact integer arithmetic:
//!
//! ```text
//! ticks = base_ticks + (retired_since_base * timebase_hz) / insn_rate      (u128, floor)
//! ```
//!
//! so no rounding error ever accumulates. `base_ticks` only moves when the machine
//! fast-forwards over idle time ([`VirtualClock::skip_to`]); the fraction of a tick pending at
//! that moment is dropped, which is harmless because time jumps forward past it.
//! Nothing here reads the wall clock.

/// Instructions per second of virtual time used by default: 100 MIPS.
pub const DEFAULT_INSN_RATE: u64 = 100_000_000;
/// Timebase frequency used by default: 10 MHz, as on QEMU `virt`.
pub const DEFAULT_TIMEBASE_HZ: u64 = 10_000_000;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Why a clock configuration was rejected.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ClockError {
    /// The instruction rate is zero: time would never advance.
    #[error("instruction rate must be non-zero")]
    ZeroInsnRate,
    /// The timebase frequency is zero: the timer would never tick.
    #[error("timebase frequency must be non-zero")]
    ZeroTimebase,
}

/// The rates a [`VirtualClock`] runs at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ClockConfig {
    /// Instructions retired per second of virtual time.
    pub insn_rate: u64,
    /// Timebase ticks per second.
    pub timebase_hz: u64,
}

impl Default for ClockConfig {
    fn default() -> Self {
        Self {
            insn_rate: DEFAULT_INSN_RATE,
            timebase_hz: DEFAULT_TIMEBASE_HZ,
        }
    }
}

/// Virtual time of one machine.
///
/// ```
/// use sim_core::clock::{ClockConfig, VirtualClock};
///
/// // 100 instructions per second, 10 ticks per second: one tick per 10 instructions.
/// let mut clock = VirtualClock::new(ClockConfig { insn_rate: 100, timebase_hz: 10 }).unwrap();
/// clock.retire(25);
/// assert_eq!(clock.ticks(), 2);
/// assert_eq!(clock.insns_until(3), 5);
/// // WFI with nothing runnable: jump to the next timer event.
/// clock.skip_to(1_000);
/// assert_eq!(clock.ticks(), 1_000);
/// assert_eq!(clock.now_ns(), 100_000_000_000);
/// ```
#[derive(Clone, Debug)]
pub struct VirtualClock {
    config: ClockConfig,
    base_ticks: u64,
    retired_since_base: u64,
    retired_total: u64,
    /// `ticks()`, kept up to date by `retire` and `skip_to`: time is read far more often
    /// than it moves, and computing it takes a division.
    now: u64,
}

impl VirtualClock {
    /// A clock at tick 0 with no instructions retired.
    pub fn new(config: ClockConfig) -> Result<Self, ClockError> {
        if config.insn_rate == 0 {
            return Err(ClockError::ZeroInsnRate);
        }
        if config.timebase_hz == 0 {
            return Err(ClockError::ZeroTimebase);
        }
        Ok(Self {
            config,
            base_ticks: 0,
            retired_since_base: 0,
            retired_total: 0,
            now: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> ClockConfig {
        self.config
    }

    /// Accounts for `n` retired instructions.
    #[inline]
    pub fn retire(&mut self, n: u64) {
        // Saturation would take 2^64 instructions (centuries of host time); it keeps time
        // monotonic rather than wrapping if it ever happened.
        self.retired_since_base = self.retired_since_base.saturating_add(n);
        self.retired_total = self.retired_total.saturating_add(n);
        self.now = self.compute_ticks();
    }

    /// Instructions retired since the clock was created.
    pub fn retired(&self) -> u64 {
        self.retired_total
    }

    /// The current timebase value.
    #[inline]
    pub fn ticks(&self) -> u64 {
        self.now
    }

    /// base + floor(retired_since_base * timebase / insn_rate), exactly.
    fn compute_ticks(&self) -> u64 {
        let (r, tb, rate) = (
            self.retired_since_base,
            self.config.timebase_hz,
            self.config.insn_rate,
        );
        // The product usually fits 64 bits, and a 64-bit division is several times cheaper
        // than a 128-bit one; the result is the same.
        let elapsed = match r.checked_mul(tb) {
            Some(p) => p / rate,
            // u64 * u64 fits u128 exactly; the quotient is at most r * timebase.
            None => {
                u64::try_from(u128::from(r) * u128::from(tb) / u128::from(rate)).unwrap_or(u64::MAX)
            }
        };
        self.base_ticks.saturating_add(elapsed)
    }

    /// Fast-forwards to tick `target` (WFI/HLT with nothing runnable). Time never goes
    /// backwards: a target at or before now leaves the clock unchanged. Returns the ticks now.
    pub fn skip_to(&mut self, target: u64) -> u64 {
        let now = self.ticks();
        if target > now {
            self.base_ticks = target;
            self.retired_since_base = 0;
            self.now = target;
            target
        } else {
            now
        }
    }

    /// How many more instructions must retire before [`ticks`](Self::ticks) reaches
    /// `deadline`: the smallest `n` such that after `retire(n)`, `ticks() >= deadline`.
    /// Zero if the deadline has passed; `u64::MAX` if it is out of reach.
    pub fn insns_until(&self, deadline: u64) -> u64 {
        if deadline <= self.ticks() {
            return 0;
        }
        // Here deadline > base_ticks. Need the smallest r' = retired_since_base + n with
        // floor(r' * tb / rate) >= d, i.e. r' * tb >= d * rate, i.e. r' >= ceil(d * rate / tb).
        let d = deadline - self.base_ticks;
        let (rate, tb) = (self.config.insn_rate, self.config.timebase_hz);
        let needed = match d.checked_mul(rate) {
            // The same value as the u128 form below, with a cheaper division.
            Some(p) => u128::from(p.div_ceil(tb)),
            None => (u128::from(d) * u128::from(rate)).div_ceil(u128::from(tb)),
        };
        let n = needed - u128::from(self.retired_since_base);
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// The current virtual time in nanoseconds (floor).
    pub fn now_ns(&self) -> u64 {
        self.ticks_to_ns(self.ticks())
    }

    /// Converts timebase ticks to nanoseconds (floor, saturating).
    pub fn ticks_to_ns(&self, ticks: u64) -> u64 {
        let ns = u128::from(ticks) * NANOS_PER_SEC / u128::from(self.config.timebase_hz);
        u64::try_from(ns).unwrap_or(u64::MAX)
    }

    /// Converts nanoseconds to timebase ticks (floor, saturating).
    pub fn ns_to_ticks(&self, ns: u64) -> u64 {
        let t = u128::from(ns) * u128::from(self.config.timebase_hz) / NANOS_PER_SEC;
        u64::try_from(t).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn clock(insn_rate: u64, timebase_hz: u64) -> VirtualClock {
        VirtualClock::new(ClockConfig {
            insn_rate,
            timebase_hz,
        })
        .unwrap()
    }

    #[test]
    fn rejects_zero_rates() {
        assert_eq!(
            VirtualClock::new(ClockConfig {
                insn_rate: 0,
                timebase_hz: 1
            })
            .map(|_| ()),
            Err(ClockError::ZeroInsnRate)
        );
        assert_eq!(
            VirtualClock::new(ClockConfig {
                insn_rate: 1,
                timebase_hz: 0
            })
            .map(|_| ()),
            Err(ClockError::ZeroTimebase)
        );
    }

    #[test]
    fn default_rates_give_one_tick_per_ten_insns() {
        let mut c = VirtualClock::new(ClockConfig::default()).unwrap();
        c.retire(9);
        assert_eq!(c.ticks(), 0);
        c.retire(1);
        assert_eq!(c.ticks(), 1);
        // One second of virtual time.
        c.retire(100_000_000 - 10);
        assert_eq!(c.ticks(), 10_000_000);
        assert_eq!(c.now_ns(), 1_000_000_000);
        assert_eq!(c.retired(), 100_000_000);
    }

    #[test]
    fn no_drift_with_awkward_ratio() {
        // 3 insns per 7 ticks... i.e. 7/3 ticks per insn: ticks are floor(r * 7 / 3).
        let mut c = clock(3, 7);
        for r in 1..=1000u64 {
            c.retire(1);
            assert_eq!(c.ticks(), r * 7 / 3);
        }
    }

    #[test]
    fn skip_never_goes_backwards() {
        let mut c = clock(10, 1);
        c.retire(55);
        assert_eq!(c.ticks(), 5);
        assert_eq!(c.skip_to(3), 5);
        assert_eq!(c.ticks(), 5);
        assert_eq!(c.skip_to(100), 100);
        assert_eq!(c.ticks(), 100);
        // The half-tick pending before the skip is dropped: 10 more insns = 1 tick.
        c.retire(9);
        assert_eq!(c.ticks(), 100);
        c.retire(1);
        assert_eq!(c.ticks(), 101);
        assert_eq!(c.retired(), 65);
    }

    #[test]
    fn insns_until_reaches_exactly() {
        let c = clock(10, 1);
        assert_eq!(c.insns_until(0), 0);
        assert_eq!(c.insns_until(1), 10);
        let c = clock(1, 10); // 10 ticks per instruction
        assert_eq!(c.insns_until(15), 2);
        assert_eq!(c.insns_until(20), 2);
        assert_eq!(c.insns_until(21), 3);
    }

    #[test]
    fn saturates_instead_of_wrapping() {
        let mut c = clock(1, u64::MAX);
        c.retire(2);
        assert_eq!(c.ticks(), u64::MAX);
        let c = clock(u64::MAX, 1);
        assert_eq!(c.insns_until(u64::MAX), u64::MAX);
    }

    #[test]
    fn ns_conversions() {
        let c = clock(100_000_000, 10_000_000);
        assert_eq!(c.ticks_to_ns(1), 100);
        assert_eq!(c.ns_to_ticks(250), 2);
        assert_eq!(c.ns_to_ticks(u64::MAX), u64::MAX / 100);
    }

    fn rates() -> impl Strategy<Value = (u64, u64)> {
        (1u64..=1_000_000_000_000, 1u64..=1_000_000_000_000)
    }

    proptest! {
        /// Virtual time is monotonic and exact: after any mix of retire and skip_to, ticks()
        /// never decreases, and equals the last skip target (or 0) plus floor(r * tb / rate)
        /// for the r instructions retired since (computed here independently in u128).
        #[test]
        fn prop_monotonic_and_exact(
            (rate, tb) in rates(),
            steps in prop::collection::vec((any::<bool>(), 0u64..1_000_000_000), 1..50),
        ) {
            let mut c = clock(rate, tb);
            let mut last = 0u64;
            let (mut base, mut since) = (0u128, 0u128);
            for (skip, n) in steps {
                if skip {
                    let target = last.saturating_add(n / 2);
                    if target > last {
                        base = u128::from(target);
                        since = 0;
                    }
                    c.skip_to(target);
                } else {
                    c.retire(n);
                    since += u128::from(n);
                }
                let now = c.ticks();
                prop_assert!(now >= last);
                let want = base + since * u128::from(tb) / u128::from(rate);
                prop_assert_eq!(u128::from(now), want.min(u128::from(u64::MAX)));
                last = now;
            }
        }

        /// insns_until(d) is the least instruction count that reaches tick d: retiring it
        /// reaches d, retiring one fewer does not.
        #[test]
        fn prop_insns_until_is_minimal(
            (rate, tb) in rates(),
            pre in 0u64..1_000_000,
            ahead in 1u64..1_000_000,
        ) {
            let mut c = clock(rate, tb);
            c.retire(pre);
            let d = c.ticks() + ahead;
            let n = c.insns_until(d);
            prop_assert!(n > 0);
            let mut reach = c.clone();
            reach.retire(n);
            prop_assert!(reach.ticks() >= d);
            let mut short = c.clone();
            short.retire(n - 1);
            prop_assert!(short.ticks() < d);
        }
    }
}
