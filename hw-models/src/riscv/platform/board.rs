//! The board's plain hardware state apart from the harts: bus (memory, devices, clock), the
//! timer event queue and the board-level stop.

use alloc::vec;
use alloc::vec::Vec;

use sim_core::event::{EventId, EventQueue};

use super::BoardStop;
use super::PlatformBus;
use crate::riscv::hart::{Hart, IrqLine};

/// Bus, timer events and stop state.
#[derive(Debug)]
pub(crate) struct BoardHw {
    pub bus: PlatformBus,
    /// MTIMER deadlines, in ticks; the payload is the hart.
    events: EventQueue<usize>,
    /// Each hart's scheduled MTIMER event.
    timer_ev: Vec<Option<EventId>>,
    pub stop: Option<BoardStop>,
    /// (time, CLINT generation) of the last `update_lines`: the lines and `time` it set
    /// cannot differ until one of them changes.
    lines_at: Option<(u64, u64)>,
}

impl BoardHw {
    pub fn new(bus: PlatformBus, harts: usize) -> Self {
        Self {
            bus,
            events: EventQueue::new(),
            timer_ev: vec![None; harts],
            stop: None,
            lines_at: None,
        }
    }

    /// Virtual time in ticks.
    pub fn now(&self) -> u64 {
        self.bus.clock.ticks()
    }

    /// Re-schedules hart `h`'s MTIMER event after its mtimecmp (or mtime) changed.
    pub fn reschedule(&mut self, h: usize) {
        if let Some(id) = self.timer_ev.get_mut(h).and_then(Option::take) {
            self.events.cancel(id);
        }
        let now = self.now();
        let mtime = self.bus.clint.mtime(now);
        // mtimecmp = 2^64 - 1 is how software disarms the timer (its reset value here, and
        // what SBI clients write): mtime never gets there, so nothing is scheduled.
        let Some(cmp) = self.bus.clint.mtimecmp(h).filter(|&c| c != u64::MAX) else {
            return;
        };
        // mtime counts one per tick: the deadline is `cmp - mtime` ticks away, unreachable
        // if that overflows virtual time (then no event).
        let at = if mtime >= cmp {
            Some(now)
        } else {
            now.checked_add(cmp - mtime)
        };
        if let (Some(at), Some(slot)) = (at, self.timer_ev.get_mut(h)) {
            *slot = Some(self.events.push(at, h));
        }
    }

    /// Re-schedules every hart's event (after a CLINT MMIO write).
    pub fn reschedule_all(&mut self) {
        for h in 0..self.timer_ev.len() {
            self.reschedule(h);
        }
    }

    /// The tick of the next event that can change an interrupt line: an MTIMER deadline, or
    /// a hart's Sstc comparator.
    pub fn next_event(&self, harts: &[Hart]) -> Option<u64> {
        let now = self.now();
        let mtime = self.bus.clint.mtime(now);
        let sstc = harts
            .iter()
            .filter_map(|h| h.next_timer_deadline())
            .filter_map(|d| now.checked_add(d.saturating_sub(mtime)))
            .min();
        match (self.events.peek_time(), sstc) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Drops the events that are due and brings every hart's MTIP/MSIP lines and `time` up
    /// to date with the CLINT at the current time.
    /// Nothing can have changed while neither the time nor the CLINT did: no event became
    /// due (events are scheduled only by CLINT changes), and the lines and `time` are what
    /// the last call set. That check is inline; the work is not.
    #[inline]
    pub fn update_lines(&mut self, harts: &mut [Hart]) {
        let key = Some((self.now(), self.bus.clint.generation()));
        if key != self.lines_at {
            self.lines_at = key;
            self.update_lines_now(harts);
        }
    }

    #[inline(never)]
    fn update_lines_now(&mut self, harts: &mut [Hart]) {
        let now = self.now();
        while let Some((_, h)) = self.events.pop_due(now) {
            if let Some(slot) = self.timer_ev.get_mut(h) {
                *slot = None;
            }
        }
        let mtime = self.bus.clint.mtime(now);
        for (i, hart) in harts.iter_mut().enumerate() {
            hart.set_irq_line(IrqLine::Mtip, self.bus.clint.mtip(i, now));
            hart.set_irq_line(IrqLine::Msip, self.bus.clint.msip(i));
            hart.set_time(mtime);
        }
    }

    /// Forgets what `update_lines` last set, so the next call sets every line again (after
    /// anything outside the board may have changed a hart's lines or time).
    pub fn invalidate_lines(&mut self) {
        self.lines_at = None;
    }

    /// Fast-forwards virtual time to the next event. `false` if there is none.
    pub fn skip_to_next_event(&mut self, harts: &mut [Hart]) -> bool {
        match self.next_event(harts) {
            Some(t) => {
                self.bus.clock.skip_to(t);
                self.update_lines(harts);
                true
            }
            None => false,
        }
    }
}
