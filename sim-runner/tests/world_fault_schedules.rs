//! Property: the correct modes lose nothing under any fault schedule. Random explicit
//! schedules of crashes (power losses and process crashes), restarts, isolations, partitions (one-way too), heals and disk
//! stalls, over sync and parallel-append, on random seeds: no invariant fires.

mod world_trace;

use proptest::prelude::*;
use sim_core::NodeId;
use sim_scenario::{CrashKind, FaultAction, Mode, NodeSel, ScheduledFault};

const DURATION_MS: u64 = 2_000;

fn node_sel() -> impl Strategy<Value = NodeSel> {
    prop_oneof![
        (1u8..=3).prop_map(|id| NodeSel::Id(NodeId(id))),
        Just(NodeSel::Leader),
        Just(NodeSel::Follower),
        Just(NodeSel::Random),
    ]
}

fn action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        2 => node_sel().prop_map(|node| FaultAction::Crash { node, kind: CrashKind::Power }),
        1 => node_sel().prop_map(|node| FaultAction::Crash { node, kind: CrashKind::Process }),
        3 => node_sel().prop_map(|node| FaultAction::Restart { node }),
        1 => node_sel().prop_map(|node| FaultAction::Isolate { node }),
        1 => Just(FaultAction::Partition { groups: vec![vec![NodeId(1)], vec![NodeId(2), NodeId(3)]], one_way: false }),
        1 => Just(FaultAction::Partition { groups: vec![vec![NodeId(1), NodeId(2)], vec![NodeId(3)]], one_way: true }),
        2 => Just(FaultAction::Heal),
        1 => node_sel().prop_map(|node| FaultAction::DiskStall { node }),
        1 => node_sel().prop_map(|node| FaultAction::DiskResume { node }),
    ]
}

fn schedule() -> impl Strategy<Value = Vec<ScheduledFault>> {
    proptest::collection::vec((0..DURATION_MS, action()), 0..16).prop_map(|v| {
        v.into_iter()
            .map(|(at_ms, action)| ScheduledFault { at_ms, action })
            .collect()
    })
}

fn base(mode: &str) -> sim_scenario::Scenario {
    world_trace::scenario(&format!(
        "[cluster]\nnodes = 3\nmode = \"{mode}\"\n\
         [workload]\nclients = 4\nwrite_rate_per_s = 200\nread_fraction = 0.2\n\
         [run]\nduration_ms = {DURATION_MS}\nheal_ms = 2000\n"
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn correct_modes_lose_nothing_under_any_schedule(
        parallel in any::<bool>(),
        faults in schedule(),
        seed in 0u64..1_000_000,
    ) {
        let mut s = base(if parallel { "parallel-append" } else { "sync" });
        s.faults.schedule = faults;
        prop_assert!(matches!(s.cluster.mode, Mode::Sync | Mode::ParallelAppend));
        let o = world_trace::run_seed(&s, seed);
        prop_assert!(o.violation_counts.is_empty(), "seed {seed}: {:#?}\n{}", o.violations, s.to_toml());
    }
}
