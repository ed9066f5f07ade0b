//! Raft's timing assumption, checked on a scenario: an election — the candidate's blocking
//! save of its term and vote, the request, the voter's blocking save, the answer — must end
//! well within the election timeout, the new leader's first heartbeat must not wait longer
//! than that (NuRaft's `become_leader` flushes the whole log, blocking, before it sends
//! anything), and heartbeats must come faster than it. When it
//! breaks, elections split and leaders churn without any fault: the cluster is not stuck,
//! it is too slow for its own timeouts, and a liveness finding must say so (Raft paper
//! §5.6: broadcastTime ≪ electionTimeout).
//!
//! [`timing`] estimates the election's round trip from the tails (p99) of the scenario's
//! latencies — a sum of p99s, so an overestimate of the p99 of the sum; the swarm keeps its
//! draws inside the assumption by scaling the election timeout
//! ([`election_timeout_scale`]). This file only computes; it changes no scenario.

use crate::model::{Latency, Scenario};

/// The election's round trip may take at most this fraction of the minimum election
/// timeout: the other nodes' timers, drawn in the same range, leave the candidate about
/// that long before one of them starts a rival candidacy.
pub const ROUND_TRIP_FRACTION_MAX: f64 = 0.75;

/// The largest factor the swarm multiplies an election timeout by.
pub const ELECTION_TIMEOUT_SCALE_MAX: u64 = 1000;

/// The scenario's timing, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Two blocking saves of the state file (write and flush) and two network crossings,
    /// each at p99.
    pub round_trip_ms: f64,
    /// The new leader's blocking flush of its log (write and flush, each at p99) before its
    /// first heartbeat. Never above half the round trip when the state file's fsync takes
    /// as long as the log's.
    pub first_heartbeat_ms: f64,
    pub election_timeout_min_ms: u64,
    pub heartbeat_interval_ms: u64,
}

impl Timing {
    /// Whether the round trip is at most three quarters of the minimum election timeout and
    /// heartbeats come faster than it.
    pub fn holds(&self) -> bool {
        let et = self.election_timeout_min_ms as f64;
        self.round_trip_ms.max(self.first_heartbeat_ms) <= et * ROUND_TRIP_FRACTION_MAX
            && self.heartbeat_interval_ms < self.election_timeout_min_ms
    }

    /// A sentence for a liveness finding when the assumption breaks, else `None`.
    pub fn note(&self) -> Option<String> {
        (!self.holds()).then(|| {
            let leader = if self.first_heartbeat_ms > self.round_trip_ms / 2.0 {
                format!(
                    ", a new leader's blocking log flush before its first heartbeat takes {:.1} ms",
                    self.first_heartbeat_ms
                )
            } else {
                String::new()
            };
            format!(
                "the scenario breaks Raft's timing assumption: an election's round trip with two blocking flushes takes {:.1} ms at p99{leader} and heartbeats come every {} ms, against a minimum election timeout of {} ms (the round trip should be at most three quarters of it, the heartbeat below it), so elections may split and leaders churn with no fault",
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
    let state_flush = s.disk.state_flush_latency_ms.as_ref().map_or(flush, p99);
    Timing {
        round_trip_ms: 2.0 * (net + write + state_flush),
        first_heartbeat_ms: write + flush,
        election_timeout_min_ms: s.raft.election_timeout_ms.min,
        heartbeat_interval_ms: s.raft.heartbeat_interval_ms,
    }
}

/// The smallest whole factor by which the election timeout (heartbeats unchanged) must grow
/// for the assumption to hold: 1 when it holds, `None` when no factor up to
/// [`ELECTION_TIMEOUT_SCALE_MAX`] restores it (a minimum election timeout of 0).
pub fn election_timeout_scale(t: &Timing) -> Option<u64> {
    if t.holds() {
        return Some(1);
    }
    let et = t.election_timeout_min_ms as f64;
    if et <= 0.0 {
        return None;
    }
    let slowest = t.round_trip_ms.max(t.first_heartbeat_ms);
    let for_round_trip = (slowest / (et * ROUND_TRIP_FRACTION_MAX)).ceil();
    let for_heartbeat = (t.heartbeat_interval_ms as f64 / et).floor() + 1.0;
    let k = for_round_trip.max(for_heartbeat).max(2.0);
    let k = (k <= ELECTION_TIMEOUT_SCALE_MAX as f64).then_some(k as u64)?;
    debug_assert!(
        Timing {
            election_timeout_min_ms: t.election_timeout_min_ms * k,
            ..*t
        }
        .holds(),
        "x{k} does not restore the timing assumption"
    );
    Some(k)
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
    use crate::model::{Mode, RangeMs};

    #[test]
    fn the_defaults_keep_the_assumption() {
        let s = Scenario::with_defaults("d", 3, Mode::Sync);
        let t = timing(&s);
        // 2 x (9.91 ms + 0.05 ms + 30 ms) against 3/4 of 150 ms.
        assert!((t.round_trip_ms - 79.92).abs() < 0.01, "{t:?}");
        assert!(t.holds());
        assert_eq!(t.note(), None);
        assert_eq!(election_timeout_scale(&t), Some(1));
    }

    #[test]
    fn slow_flushes_or_a_slow_network_break_it_and_scaling_restores_it() {
        let mut s = Scenario::with_defaults("d", 3, Mode::Sync);
        s.disk.flush_latency_ms = Latency::Constant { value: 68.0 };
        let t = timing(&s);
        assert!(!t.holds());
        assert!(t.note().is_some_and(|n| n.contains("timing assumption")));
        let k = election_timeout_scale(&t).expect("a factor restores it");
        let scaled = Timing {
            election_timeout_min_ms: t.election_timeout_min_ms * k,
            ..t
        };
        assert!(scaled.holds() && k == 2, "x{k}: {scaled:?}");
        let mut s = Scenario::with_defaults("d", 3, Mode::Sync);
        s.network.latency_ms = Latency::Uniform {
            min: 4.0,
            max: 150.0,
        };
        assert!(!timing(&s).holds());
    }

    #[test]
    fn a_fast_state_file_leaves_the_new_leaders_log_flush_to_break_it() {
        let mut s = Scenario::with_defaults("d", 3, Mode::ParallelAppend);
        s.disk.flush_latency_ms = Latency::Uniform {
            min: 50.0,
            max: 300.0,
        };
        s.disk.state_flush_latency_ms = Some(Latency::Constant { value: 1.0 });
        let t = timing(&s);
        // 2 x (9.91 + 0.05 + 1) ms for the election; 0.05 + 297.5 ms for the leader.
        assert!(t.round_trip_ms < 25.0, "{t:?}");
        assert!((t.first_heartbeat_ms - 297.55).abs() < 0.01, "{t:?}");
        assert!(!t.holds());
        assert!(
            t.note()
                .is_some_and(|n| n.contains("before its first heartbeat"))
        );
        assert_eq!(election_timeout_scale(&t), Some(3), "297.55 / (0.75 x 150)");
    }

    #[test]
    fn heartbeats_slower_than_the_timeout_break_it_and_only_the_timeout_scales() {
        let mut s = Scenario::with_defaults("d", 3, Mode::Sync);
        s.raft.heartbeat_interval_ms = 200;
        let t = timing(&s);
        assert!(!t.holds());
        assert_eq!(election_timeout_scale(&t), Some(2), "150 x 2 > 200");
        s.raft.election_timeout_ms = RangeMs { min: 0, max: 10 };
        assert_eq!(election_timeout_scale(&timing(&s)), None);
    }
}
