//! Raft's timing assumption, checked on a scenario: the time to send a request and have
//! its answer back — including the responder's blocking write and flush, which a vote in
//! every mode and an AppendEntries in sync mode wait for — must stay well below the
//! election timeout, and heartbeats must come faster than it. When it breaks, elections
//! split and leaders churn without any fault: the cluster is not stuck, it is too slow for
//! its own timeouts, and a liveness finding must say so (Raft paper §5.6).
//!
//! [`timing`] estimates the round trip from the tails (p99) of the scenario's latencies;
//! the swarm keeps its draws inside the assumption by scaling the election timeout
//! ([`election_timeout_scale`]). This file only computes; it changes no scenario.

use crate::model::{Latency, Scenario};

/// The round trip may take at most this fraction of the minimum election timeout.
pub const ROUND_TRIP_FRACTION_MAX: f64 = 0.5;

/// The scenario's timing, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Request out, the responder's blocking write and flush, answer back: each at p99.
    pub round_trip_ms: f64,
    pub election_timeout_min_ms: u64,
    pub heartbeat_interval_ms: u64,
}

impl Timing {
    /// Whether the round trip is at most half the minimum election timeout and
    /// heartbeats come faster than it.
    pub fn holds(&self) -> bool {
        let et = self.election_timeout_min_ms as f64;
        self.round_trip_ms <= et * ROUND_TRIP_FRACTION_MAX
            && self.heartbeat_interval_ms < self.election_timeout_min_ms
    }

    /// A sentence for a liveness finding when the assumption breaks, else `None`.
    pub fn note(&self) -> Option<String> {
        (!self.holds()).then(|| {
            format!(
                "the scenario breaks Raft's timing assumption: a round trip with a blocking flush takes {:.1} ms at p99 and heartbeats come every {} ms, against a minimum election timeout of {} ms (the round trip should be at most half of it), so elections may split and leaders churn with no fault",
                self.round_trip_ms, self.heartbeat_interval_ms, self.election_timeout_min_ms
            )
        })
    }
}

/// The timing of `s`.
pub fn timing(s: &Scenario) -> Timing {
    let net = p99(&s.network.latency_ms);
    let write = p99(&s.disk.write_latency_us) / 1e3;
    let flush = p99(&s.disk.flush_latency_ms);
    Timing {
        round_trip_ms: 2.0 * net + write + flush,
        election_timeout_min_ms: s.raft.election_timeout_ms.min,
        heartbeat_interval_ms: s.raft.heartbeat_interval_ms,
    }
}

/// The smallest whole factor by which the election timeout (and the heartbeat with it,
/// keeping their ratio) must grow for the assumption to hold; 1 when it holds.
pub fn election_timeout_scale(t: &Timing) -> u64 {
    if t.holds() {
        return 1;
    }
    let et = t.election_timeout_min_ms.max(1) as f64;
    let need = t.round_trip_ms / (et * ROUND_TRIP_FRACTION_MAX);
    let k = need.ceil().max(2.0);
    // Bounded: latencies are bounded by the swarm's scale factors.
    k.min(1000.0) as u64
}

/// The 99th percentile of a latency, in its key's unit.
fn p99(l: &Latency) -> f64 {
    match *l {
        Latency::Constant { value } => value,
        Latency::Uniform { min, max } => min + 0.99 * (max - min),
        // P(X > x) = e^(-x/mean) = 0.01.
        Latency::Exponential { mean } => mean * 100f64.ln(),
        Latency::Lognormal { p99, .. } => p99,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mode;

    #[test]
    fn the_defaults_keep_the_assumption() {
        let s = Scenario::with_defaults("d", 3, Mode::Sync);
        let t = timing(&s);
        // 2 x 9.91 ms + 0.05 ms + 30 ms against 150 ms / 2.
        assert!((t.round_trip_ms - 49.87).abs() < 0.01, "{t:?}");
        assert!(t.holds());
        assert_eq!(t.note(), None);
        assert_eq!(election_timeout_scale(&t), 1);
    }

    #[test]
    fn slow_flushes_or_a_slow_network_break_it_and_scaling_restores_it() {
        let mut s = Scenario::with_defaults("d", 3, Mode::Sync);
        s.disk.flush_latency_ms = Latency::Lognormal {
            p50: 4.5,
            p99: 68.0,
        };
        let t = timing(&s);
        assert!(!t.holds());
        assert!(t.note().is_some_and(|n| n.contains("timing assumption")));
        let k = election_timeout_scale(&t);
        let scaled = Timing {
            election_timeout_min_ms: t.election_timeout_min_ms * k,
            heartbeat_interval_ms: t.heartbeat_interval_ms * k,
            ..t
        };
        assert!(scaled.holds(), "x{k}: {scaled:?}");
        let mut s = Scenario::with_defaults("d", 3, Mode::Sync);
        s.network.latency_ms = Latency::Uniform {
            min: 4.0,
            max: 150.0,
        };
        assert!(!timing(&s).holds());
    }

    #[test]
    fn heartbeats_slower_than_the_timeout_break_it() {
        let mut s = Scenario::with_defaults("d", 3, Mode::Sync);
        s.raft.heartbeat_interval_ms = 150;
        assert!(!timing(&s).holds());
    }
}
