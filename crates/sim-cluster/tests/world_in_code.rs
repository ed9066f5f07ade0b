//! Worlds built in code, with no scenario file: the configuration the cluster owns
//! (`WorldConfig` and its builder) is enough to run, replay and judge a cluster.
//!
//! Not here: scenario files in, behaviour out (sim-runner's `world_*.rs` tests).

use raft_core::{CoreMutant, Durability, NodeId};
use sim_cluster::config::{FaultAction, FaultPlan, MutantPlacement, NodeSel};
use sim_cluster::{World, WorldConfig, run_seed};
use sim_trace::Invariant;
use std::collections::BTreeSet;

/// Three nodes under `durability`, 2 s of workload with a leader crash every 0.3 s or so,
/// a scheduled isolation of node 2, and a heal phase.
fn crashing(durability: Durability) -> WorldConfig {
    WorldConfig::builder(3, durability)
        .heartbeat_interval_ms(20)
        .election_timeout_ms(60, 120)
        .faults(FaultPlan {
            crash_rate_per_s: 3.0,
            ..FaultPlan::none()
        })
        .fault(
            500,
            FaultAction::Isolate {
                node: NodeSel::Id(NodeId(2)),
            },
        )
        .fault(900, FaultAction::Heal)
        .duration_ms(2_000)
        .heal_ms(1_000)
        .build()
        .expect("a valid world")
}

#[test]
fn a_world_built_in_code_runs_replays_and_holds() {
    let config = crashing(Durability::sync());
    let mut hashes = BTreeSet::new();
    let mut acked = 0;
    for seed in 0..30 {
        let first = run_seed(&config, seed);
        let again = run_seed(&config, seed);
        assert_eq!(first.trace_hash, again.trace_hash, "seed {seed} replays");
        assert!(
            first.violation_counts.is_empty(),
            "sync mode loses nothing (seed {seed}): {:?}",
            first.violations
        );
        assert!(
            first.fired_faults.iter().any(|f| f.at_ms == 500),
            "the scheduled isolation fired (seed {seed})"
        );
        acked += first.metrics.writes_acked;
        hashes.insert(first.trace_hash);
    }
    assert_eq!(hashes.len(), 30, "every seed is its own run");
    assert!(
        acked > 300,
        "the cluster served its clients: {acked} writes"
    );
}

#[test]
fn a_mutant_placed_in_code_is_caught() {
    let mutant = MutantPlacement {
        core: CoreMutant::LeaderCountsUnflushed,
        ..MutantPlacement::NONE
    };
    let mut config = crashing(Durability::parallel_append());
    config.mutant = mutant;
    let caught = (0..30).any(|seed| {
        let o = run_seed(&config, seed);
        o.violated(Invariant::DurabilityLoss)
            || o.violated(Invariant::AckedWriteLost)
            || o.violated(Invariant::DurabilityHazard)
    });
    assert!(caught, "leader-counts-unflushed is caught within 30 seeds");
}

#[test]
#[should_panic(expected = "invalid world configuration")]
fn a_world_refuses_a_configuration_that_does_not_validate() {
    let mut config = crashing(Durability::sync());
    config.nodes = 0;
    World::new(config, 1, Default::default());
}
