//! The deterministic timer queue.
//!
//! Events are ordered by `(time, sequence)`: the sequence number is assigned at insertion and
//! increases by one per push, so two events due at the same tick always fire in the order they
//! were scheduled, on every host. The queue is a `BTreeMap`, never a hash map, so iteration
//! order is defined by the keys alone.

use alloc::collections::BTreeMap;

/// Names a scheduled event, for [`EventQueue::cancel`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EventId {
    time: u64,
    seq: u64,
}

impl EventId {
    /// The time the event is due.
    pub fn time(self) -> u64 {
        self.time
    }
}

/// Events of type `T` due at virtual times (timebase ticks).
///
/// ```
/// use sim_core::event::EventQueue;
///
/// let mut q = EventQueue::new();
/// let a = q.push(20, "timer hart 0");
/// q.push(10, "timer hart 1");
/// q.push(20, "uart");
/// assert_eq!(q.peek_time(), Some(10));
/// assert_eq!(q.cancel(a), Some("timer hart 0"));
/// assert_eq!(q.pop_due(15), Some((10, "timer hart 1")));
/// assert_eq!(q.pop_due(15), None);
/// assert_eq!(q.pop_due(20), Some((20, "uart")));
/// assert!(q.is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    events: BTreeMap<(u64, u64), T>,
    next_seq: u64,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> EventQueue<T> {
    /// An empty queue.
    pub const fn new() -> Self {
        Self {
            events: BTreeMap::new(),
            next_seq: 0,
        }
    }

    /// Schedules `payload` at `time`. Events at equal times fire in push order.
    pub fn push(&mut self, time: u64, payload: T) -> EventId {
        let seq = self.next_seq;
        // 2^64 pushes cannot happen in practice; wrapping would only affect tie order.
        self.next_seq = self.next_seq.wrapping_add(1);
        self.events.insert((time, seq), payload);
        EventId { time, seq }
    }

    /// Removes a scheduled event, returning its payload, or `None` if it already fired or was
    /// cancelled.
    pub fn cancel(&mut self, id: EventId) -> Option<T> {
        self.events.remove(&(id.time, id.seq))
    }

    /// Whether the event is still scheduled.
    pub fn contains(&self, id: EventId) -> bool {
        self.events.contains_key(&(id.time, id.seq))
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<u64> {
        self.events.first_key_value().map(|(&(t, _), _)| t)
    }

    /// Removes and returns the earliest event if it is due at or before `now`.
    pub fn pop_due(&mut self, now: u64) -> Option<(u64, T)> {
        let entry = self.events.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        let ((t, _), payload) = entry.remove_entry();
        Some((t, payload))
    }

    /// Events scheduled.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is scheduled.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Drops every event.
    pub fn clear(&mut self) {
        self.events.clear();
    }

    /// The scheduled events in firing order.
    pub fn iter(&self) -> impl Iterator<Item = (EventId, &T)> {
        self.events
            .iter()
            .map(|(&(time, seq), p)| (EventId { time, seq }, p))
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ties_fire_in_push_order() {
        let mut q = EventQueue::new();
        for i in 0..5 {
            q.push(7, i);
        }
        let got: Vec<_> = core::iter::from_fn(|| q.pop_due(7))
            .map(|(_, p)| p)
            .collect();
        assert_eq!(got, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn cancel_after_fire_is_none() {
        let mut q = EventQueue::new();
        let id = q.push(1, 'a');
        assert!(q.contains(id));
        assert_eq!(id.time(), 1);
        assert_eq!(q.pop_due(u64::MAX), Some((1, 'a')));
        assert!(!q.contains(id));
        assert_eq!(q.cancel(id), None);
        assert_eq!(q.peek_time(), None);
        assert_eq!(q.pop_due(u64::MAX), None);
    }

    proptest! {
        /// Determinism rule of DESIGN.md ("timers fire from a deterministic event queue"):
        /// draining pops every surviving event exactly once, sorted by (time, push order),
        /// and each cancel removes exactly the one event it names.
        #[test]
        fn prop_sorted_and_cancel_exact(
            times in prop::collection::vec(0u64..20, 0..60),
            cancels in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let mut q = EventQueue::new();
            let ids: Vec<EventId> = times.iter().enumerate().map(|(i, &t)| q.push(t, i)).collect();
            let mut alive: Vec<bool> = alloc::vec![true; ids.len()];
            if !ids.is_empty() {
                for c in cancels {
                    let i = c.index(ids.len());
                    let before = q.len();
                    let r = q.cancel(ids[i]);
                    prop_assert_eq!(r, alive[i].then_some(i));
                    prop_assert_eq!(q.len(), before - usize::from(alive[i]));
                    alive[i] = false;
                }
            }
            let mut want: Vec<(u64, usize)> = (0..ids.len())
                .filter(|&i| alive[i])
                .map(|i| (times[i], i))
                .collect();
            want.sort();
            let mut got = Vec::new();
            let mut now = 0;
            while !q.is_empty() {
                while let Some(e) = q.pop_due(now) {
                    prop_assert!(e.0 <= now);
                    got.push(e);
                }
                now += 1;
            }
            prop_assert_eq!(got, want);
        }
    }
}
