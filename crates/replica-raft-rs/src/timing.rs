//! Time for raft-rs: the world owns it. raft-rs counts ticks; the adapter asks the world
//! for a tick timer (the node's heartbeat timer slot, fixed period) and ticks once per
//! firing. One tick is half the scenario's heartbeat interval, so raft-rs's heartbeat is
//! `HEARTBEAT_TICKS` ticks and the election timeout range `[min, max]` of the scenario
//! becomes whole ticks.
//!
//! The randomized election timeout is not raft-rs's: it draws one from a thread RNG at
//! every reset, which no seed replays. The adapter overrides it after every step with a
//! value fixed per node, incarnation, term and role ([`election_ticks`]), drawn from the
//! key the world gave the node from the run's seed. Within one term and role the value
//! stays the same where raft-rs would have drawn again; a new term or role draws anew.

use raft::StateRole;

/// raft-rs's heartbeat, in ticks.
pub const HEARTBEAT_TICKS: usize = 2;

/// The tick length and the election timeout range in ticks, from the scenario's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticks {
    pub tick_ns: u64,
    /// Inclusive range of the election timeout, in ticks; `min > HEARTBEAT_TICKS`.
    pub election_min: usize,
    pub election_max: usize,
}

impl Ticks {
    pub fn new(heartbeat_ns: u64, election_min_ns: u64, election_max_ns: u64) -> Ticks {
        let tick_ns = (heartbeat_ns / HEARTBEAT_TICKS as u64).max(1);
        let election_min = (election_min_ns.div_ceil(tick_ns) as usize).max(HEARTBEAT_TICKS + 1);
        let election_max = ((election_max_ns / tick_ns) as usize).max(election_min);
        Ticks {
            tick_ns,
            election_min,
            election_max,
        }
    }
}

/// The election timeout, in ticks, of a node in `term` and `role`: a pure function of
/// the node's key, so the same state always gets the same value.
pub fn election_ticks(ticks: Ticks, key: u64, term: u64, role: StateRole) -> usize {
    let role = match role {
        StateRole::Follower => 1,
        StateRole::Candidate => 2,
        StateRole::Leader => 3,
        StateRole::PreCandidate => 4,
    };
    let span = (ticks.election_max - ticks.election_min + 1) as u64;
    let draw = splitmix64(key ^ splitmix64(term.wrapping_mul(8).wrapping_add(role)));
    ticks.election_min + (draw % span) as usize
}

/// SplitMix64's finalizer: a fixed, well-mixed hash of one word.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_timings_give_whole_ticks() {
        let t = Ticks::new(50_000_000, 150_000_000, 300_000_000);
        assert_eq!(
            (t.tick_ns, t.election_min, t.election_max),
            (25_000_000, 6, 12)
        );
    }

    #[test]
    fn a_short_election_timeout_stays_above_the_heartbeat() {
        let t = Ticks::new(100_000_000, 60_000_000, 60_000_000);
        assert_eq!((t.election_min, t.election_max), (3, 3));
    }

    #[test]
    fn timeouts_stay_in_range_and_vary_with_term_and_key() {
        let t = Ticks::new(50_000_000, 150_000_000, 300_000_000);
        let mut seen = std::collections::BTreeSet::new();
        for term in 0..200 {
            for key in [1u64, 2, 3] {
                let v = election_ticks(t, key, term, StateRole::Follower);
                assert!((6..=12).contains(&v));
                assert_eq!(v, election_ticks(t, key, term, StateRole::Follower));
                seen.insert(v);
            }
        }
        assert_eq!(seen.len(), 7, "every value of the range is drawn");
    }
}
