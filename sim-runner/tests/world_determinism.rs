//! Determinism (DESIGN.md, "Determinism rules"): the same scenario and seed give the same
//! run, event for event, as the trace hash fingerprints it; different seeds give different
//! runs. Checked on a small scenario with random crashes, restarts and partitions, so the
//! fault, disk, network, timer and client streams all draw.
//!
//! Not here: what a run should contain (`modes.rs`).

mod world_trace;

use sim_scenario::Scenario;
use std::collections::BTreeSet;
use world_trace::run_seed;
use world_trace::{run_traced, scenario};

const SEEDS: u64 = 100;

/// Three nodes in async-handler mode (both flush paths in play) with quick elections,
/// message loss and reordering, a crash or a partition every few hundred milliseconds,
/// and a heal phase.
fn small_crash_scenario() -> Scenario {
    scenario(
        r#"
        [cluster]
        nodes = 3
        mode = "async-handler"

        [raft]
        heartbeat_interval_ms = 20
        election_timeout_ms = { min = 60, max = 120 }

        [network]
        drop_rate = 0.05
        reorder = true

        [faults]
        crash_rate_per_s = 3.0
        restart_delay_ms = { min = 20, max = 200 }
        partition_rate_per_s = 2.0
        partition_duration_ms = { min = 20, max = 200 }

        [workload]
        clients = 2
        write_rate_per_s = 200

        [run]
        duration_ms = 1_000
        heal_ms = 500
        "#,
    )
}

#[test]
fn a_seed_replays_to_the_same_trace_hash() {
    let s = small_crash_scenario();
    let mut hashes = BTreeSet::new();
    for seed in 0..SEEDS {
        let first = run_seed(&s, seed);
        let second = run_seed(&s, seed);
        assert_eq!(
            first.trace_hash, second.trace_hash,
            "seed {seed} ran differently the second time"
        );
        assert_eq!(first.events, second.events, "seed {seed}");
        hashes.insert(first.trace_hash);
    }
    assert!(
        hashes.len() > 1,
        "every seed gave the same trace: the seed is not used"
    );
    assert_eq!(
        hashes.len() as u64,
        SEEDS,
        "two seeds gave the same trace hash"
    );
}

#[test]
fn writing_the_trace_does_not_change_the_run() {
    let s = small_crash_scenario();
    let mut crashed = 0;
    for seed in 0..10 {
        let traced = run_traced(&s, seed);
        assert_eq!(
            traced.outcome.trace_hash,
            run_seed(&s, seed).trace_hash,
            "seed {seed}"
        );
        let end = traced.lines.last().expect("an end line");
        assert_eq!(
            end["trace_hash"].as_str(),
            Some(traced.outcome.trace_hash.as_str()),
            "seed {seed}: the end line carries the run's hash"
        );
        crashed += usize::from(traced.count("crash") > 0 && traced.count("restart") > 0);
    }
    assert!(
        crashed >= 5,
        "only {crashed} of 10 seeds crashed and restarted a node: the scenario is too tame"
    );
}
