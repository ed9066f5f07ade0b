//! Regressions named after the false alarms they pinned, run as exact seeds of the scenario
//! files in `tests/data/`. A bundled scenario would be fuzzed with swarm draws, and these
//! need NuRaft's commit rule, under which swarm draws find NuRaft's own (true) hazards
//! (docs/durability-model.md); here only the one run is asserted.

mod world_trace;

use sim_trace::Invariant;
use world_trace::*;

/// A leader re-elected after one of its peers crashed counted the matched index that peer
/// had before the crash: a durability hazard NuRaft cannot have, since a crash breaks every
/// connection to the dead process and NuRaft forgets the matched index when it re-creates
/// the connection. Seed 488 of a swarm draw of faults/partition-isolate-leader.
#[test]
fn stale_matched_after_peer_crash() {
    let s = scenario(include_str!("data/stale-matched-after-peer-crash.toml"));
    let t = run_traced(&s, 488);
    // The situation: node 3 crashes and restarts, and node 5, which led term 1 with node
    // 3's answers, leads again later.
    let crash = t
        .lines
        .iter()
        .position(|l| kind(l) == "crash" && node(l) == Some(3))
        .expect("node 3 crashes");
    let restart = t.lines[crash..]
        .iter()
        .position(|l| kind(l) == "restart" && node(l) == Some(3))
        .expect("node 3 restarts")
        + crash;
    let releads = t.lines[restart..]
        .iter()
        .any(|l| kind(l) == "role" && node(l) == Some(5) && l["role"] == "leader");
    assert!(releads, "node 5 leads again after node 3's restart");
    assert!(
        !t.outcome.violated(Invariant::DurabilityHazard),
        "{:?}",
        t.outcome.violations
    );
    assert_eq!(
        t.outcome.violation_counts.len(),
        0,
        "{:?}",
        t.outcome.violations
    );
}

/// A node that crashed on a failed fsync (policy `crash`) was restarted by its supervisor,
/// and that restart went into the fired-fault schedule at a rounded-down millisecond,
/// although its crash did not: the schedule `shrink` replays held a restart of its own
/// beside the one the replayed fsync error brings back. Only faults go into the schedule,
/// each on a whole millisecond.
#[test]
fn an_fsync_crash_restart_is_not_a_scheduled_fault() {
    let s = scenario(include_str!(
        "../../scenarios/faults/fsync-error-crash.toml"
    ));
    let mut fsync_crashes = 0;
    for seed in 1..=10 {
        let t = run_traced(&s, seed);
        fsync_crashes += t
            .lines
            .iter()
            .filter(|l| kind(l) == "flush-done" && l["ok"] == false)
            .count();
        // This scenario has no random crashes and no schedule: nothing is a fault.
        assert_eq!(t.outcome.fired_faults, vec![], "seed {seed}");
    }
    assert!(fsync_crashes > 0, "the seeds had failed fsyncs");
}
