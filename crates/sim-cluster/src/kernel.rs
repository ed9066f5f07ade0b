//! What every part of the world shares: the clock and the event queue, the observer every
//! event is announced to, the metrics, and the events a part produced before they are
//! announced.

use crate::event::Event;
use crate::metrics::Metrics;
use crate::observer::Observer;
use sim_core::{EventQueue, SimTime};
use sim_trace::{DurableEntry, TraceEvent};

pub struct Kernel {
    pub queue: EventQueue<Event>,
    pub observer: Observer,
    pub metrics: Metrics,
    /// Events produced by a part (store, state file) before they are announced.
    pub pending: Vec<TraceEvent>,
    /// The entry lists of `durable` lines already announced, emptied, for the store's next
    /// ones: a durable write costs no allocation in the steady state.
    pub spare_entries: Vec<Vec<DurableEntry>>,
}

/// Emptied entry lists kept for reuse; more are dropped.
const SPARE_ENTRY_LISTS_MAX: usize = 64;

impl Kernel {
    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    pub fn push(&mut self, at: SimTime, ev: Event) {
        self.queue.push(at, ev);
    }

    /// Announces one event now. Inlined: the caller built `ev`, so the compiler knows its
    /// kind and drops it without looking (most kinds hold nothing to free).
    #[inline]
    pub fn emit(&mut self, ev: TraceEvent) {
        let t = self.queue.now();
        self.observer.emit(t, &ev);
        ev.dispose();
    }

    /// Announces the events a part queued in `pending`, in order.
    pub fn emit_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let t = self.queue.now();
        for ev in self.pending.drain(..) {
            self.observer.emit(t, &ev);
            match ev {
                TraceEvent::Durable { mut entries, .. }
                    if entries.capacity() > 0
                        && self.spare_entries.len() < SPARE_ENTRY_LISTS_MAX =>
                {
                    entries.clear();
                    self.spare_entries.push(entries);
                }
                ev => ev.dispose(),
            }
        }
    }
}
