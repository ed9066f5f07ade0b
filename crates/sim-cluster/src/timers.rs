//! Node timers with one queued event each, however often they are re-armed.
//!
//! A follower re-arms its election timer on every heartbeat; pushing an event each time
//! would fill the queue with dead timers. Instead each timer keeps its `deadline` and the
//! instant of the one event queued for it (`armed`). Re-arming later only moves the
//! deadline; when the queued event fires early it is re-queued at the deadline.

use sim_core::SimTime;

/// The slot of a node's timer in its `[TimerSlot; 2]`: election, heartbeat.
pub fn timer_index(timer: raft_core::Timer) -> usize {
    match timer {
        raft_core::Timer::Election => 0,
        raft_core::Timer::Heartbeat => 1,
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct TimerSlot {
    deadline: Option<SimTime>,
    armed: Option<SimTime>,
}

/// What to do when a timer's queued event pops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerPop {
    /// The timer fires now.
    Fire,
    /// Not yet: queue an event at this instant.
    Requeue(SimTime),
    /// A stale event (cancelled, or superseded by an earlier one): ignore it.
    Stale,
}

impl TimerSlot {
    /// Sets the deadline; returns an instant to queue an event at, if one is needed.
    pub fn set(&mut self, deadline: SimTime) -> Option<SimTime> {
        self.deadline = Some(deadline);
        match self.armed {
            Some(a) if a <= deadline => None,
            _ => {
                self.armed = Some(deadline);
                Some(deadline)
            }
        }
    }

    /// Whether a deadline is pending (set and not yet fired or cancelled).
    pub fn is_set(&self) -> bool {
        self.deadline.is_some()
    }

    pub fn cancel(&mut self) {
        self.deadline = None;
    }

    /// Forgets everything (the node crashed); queued events become stale.
    pub fn clear(&mut self) {
        self.deadline = None;
        self.armed = None;
    }

    /// The queued event at `now` popped.
    pub fn pop(&mut self, now: SimTime) -> TimerPop {
        if self.armed != Some(now) {
            return TimerPop::Stale;
        }
        self.armed = None;
        match self.deadline {
            None => TimerPop::Stale,
            Some(d) if d <= now => {
                self.deadline = None;
                TimerPop::Fire
            }
            Some(d) => {
                self.armed = Some(d);
                TimerPop::Requeue(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_ms(ms)
    }

    #[test]
    fn rearming_later_queues_nothing_and_fires_at_the_new_deadline() {
        let mut s = TimerSlot::default();
        assert_eq!(s.set(t(10)), Some(t(10)));
        assert_eq!(s.set(t(20)), None);
        assert_eq!(s.pop(t(10)), TimerPop::Requeue(t(20)));
        assert_eq!(s.pop(t(20)), TimerPop::Fire);
    }

    #[test]
    fn rearming_earlier_queues_a_new_event_and_the_old_one_goes_stale() {
        let mut s = TimerSlot::default();
        s.set(t(20));
        assert_eq!(s.set(t(5)), Some(t(5)));
        assert_eq!(s.pop(t(5)), TimerPop::Fire);
        assert_eq!(s.pop(t(20)), TimerPop::Stale);
    }

    #[test]
    fn cancel_and_clear_make_the_queued_event_stale() {
        let mut s = TimerSlot::default();
        s.set(t(5));
        s.cancel();
        assert_eq!(s.pop(t(5)), TimerPop::Stale);
        s.set(t(7));
        s.clear();
        assert_eq!(s.pop(t(7)), TimerPop::Stale);
        assert_eq!(s.set(t(9)), Some(t(9)));
    }
}
