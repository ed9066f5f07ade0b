//! A process crash keeps the page cache; a power loss does not. The same schedule of leader
//! crashes that loses acknowledged writes under async-handler when each crash is a power
//! loss (NuRaft #379) loses none when each is a process crash: what the dead leader wrote
//! and never flushed is still in the page cache, and its restart syncs it. The fired
//! schedule keeps each crash's kind, so `shrink` writes it back; random crashes mix both
//! kinds at the scenario's fraction; a crash of either kind replays to the same hash.

use sim_scenario::{CrashKind, FaultAction, Invariant, Scenario};
use std::path::Path;

fn nuraft_379(kind: CrashKind) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/modes/nuraft-379-leader-crash.toml");
    let mut s = sim_scenario::load(&path).expect("the bundled scenario");
    for f in &mut s.faults.schedule {
        if let FaultAction::Crash { kind: k, .. } = &mut f.action {
            *k = kind;
        }
    }
    s
}

const LOSSES: [Invariant; 2] = [Invariant::AckedWriteLost, Invariant::DurabilityLoss];

#[test]
fn leader_crashes_lose_acknowledged_writes_only_when_they_are_power_losses() {
    let seeds = 1..=12;
    let lost = |kind| {
        let s = nuraft_379(kind);
        let config = sim_scenario::world_config(&s);
        seeds
            .clone()
            .filter(|seed| {
                let o = sim_scenario::run_seed(&config, *seed);
                LOSSES.iter().any(|i| o.violated(*i))
            })
            .count()
    };
    assert!(lost(CrashKind::Power) > 0, "the power losses lose writes");
    assert_eq!(lost(CrashKind::Process), 0, "the page cache survives");
}

#[test]
fn the_fired_schedule_keeps_each_crashs_kind_and_the_run_replays() {
    let s = nuraft_379(CrashKind::Process);
    let config = sim_scenario::world_config(&s);
    let a = sim_scenario::run_seed(&config, 3);
    let b = sim_scenario::run_seed(&config, 3);
    assert_eq!(a.trace_hash, b.trace_hash);
    let kinds: Vec<CrashKind> = a
        .fired_faults
        .iter()
        .filter_map(|f| match f.action {
            FaultAction::Crash { kind, .. } => Some(kind),
            _ => None,
        })
        .collect();
    assert!(!kinds.is_empty());
    assert!(kinds.iter().all(|k| *k == CrashKind::Process), "{kinds:?}");
    let power = sim_scenario::run_seed(
        &sim_scenario::world_config(&nuraft_379(CrashKind::Power)),
        3,
    );
    assert_ne!(a.trace_hash, power.trace_hash, "the kind is in the trace");
}

#[test]
fn random_crashes_mix_both_kinds_at_the_scenarios_fraction() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/sync-crashes.toml");
    let base = sim_scenario::load(&path).expect("the bundled scenario");
    let count = |fraction: f64| {
        let mut s = base.clone();
        s.faults.process_crash_fraction = fraction;
        let config = sim_scenario::world_config(&s);
        let (mut power, mut process) = (0, 0);
        for seed in 1..=20 {
            let o = sim_scenario::run_seed(&config, seed);
            assert!(o.violation_counts.is_empty(), "sync loses nothing: {o:?}");
            for f in &o.fired_faults {
                match f.action {
                    FaultAction::Crash {
                        kind: CrashKind::Power,
                        ..
                    } => power += 1,
                    FaultAction::Crash {
                        kind: CrashKind::Process,
                        ..
                    } => process += 1,
                    _ => {}
                }
            }
        }
        (power, process)
    };
    let (power, process) = count(0.0);
    assert!(power > 0 && process == 0);
    let (power, process) = count(1.0);
    assert!(power == 0 && process > 0);
    let (power, process) = count(0.5);
    let share = process as f64 / (power + process) as f64;
    assert!(
        (0.35..=0.65).contains(&share),
        "{power} power, {process} process"
    );
}
