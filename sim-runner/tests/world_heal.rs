//! The heal phase and the liveness bound, as the world runs them: the network stops losing
//! messages at the heal unless the scenario keeps its faults; a cluster that converges
//! after `heal_ms` but within the bound ends the run the moment it converges, with no
//! finding; one that cannot converge runs to the bound and is a liveness finding.
//!
//! The checker's own verdicts on hand-written event sequences are sim-check's
//! `tests/verdicts.rs`.

mod world_trace;

use sim_core::SimTime;
use sim_trace::Invariant;
use world_trace::*;

/// Three sync nodes, a lossy network, and `extra` appended to `[run]`.
fn lossy(heal_network: &str) -> sim_scenario::Scenario {
    scenario(&format!(
        "[cluster]\nnodes = 3\nmode = \"sync\"\n\
         [network]\ndrop_rate = 0.3\n\
         [workload]\nclients = 2\nwrite_rate_per_s = 50\n\
         [run]\nduration_ms = 1_000\nheal_ms = 2_000\nheal_network = \"{heal_network}\"\n"
    ))
}

/// Random losses after the `heal` line.
fn random_drops_after_heal(t: &Trace) -> usize {
    let heal = t
        .lines
        .iter()
        .position(|l| kind(l) == "heal")
        .expect("a heal line");
    t.lines[heal..]
        .iter()
        .filter(|l| kind(l) == "drop" && l["reason"] == "random")
        .count()
}

#[test]
fn the_heal_makes_the_network_reliable_unless_the_scenario_keeps_its_faults() {
    for seed in 1..=3 {
        let reliable = run_traced(&lossy("reliable"), seed);
        assert!(
            reliable.count("drop") > 0,
            "seed {seed}: the run phase loses"
        );
        assert_eq!(random_drops_after_heal(&reliable), 0, "seed {seed}");
        let kept = run_traced(&lossy("keep-faults"), seed);
        assert!(random_drops_after_heal(&kept) > 0, "seed {seed}");
    }
}

/// Every node crashes just before the heal and restarts at it: the cluster needs an
/// election after the heal phase ends. `extra` goes at the top level of the file.
fn all_crash_before_heal(election_timeout: &str, extra: &str) -> sim_scenario::Scenario {
    let mut text = format!(
        "[cluster]\nnodes = 3\nmode = \"sync\"\n\
         [raft]\nelection_timeout_ms = {election_timeout}\n\
         {extra}\
         [workload]\nclients = 2\nwrite_rate_per_s = 50\n\
         [run]\nduration_ms = 1_000\nheal_ms = 10\n"
    );
    for node in 1..=3 {
        text.push_str(&format!(
            "[[faults.schedule]]\nat_ms = 990\naction = \"crash\"\nnode = {node}\n"
        ));
    }
    scenario(&text)
}

#[test]
fn a_cluster_that_converges_after_the_heal_phase_but_within_the_bound_is_live() {
    // A 10 ms heal phase; an election takes at least 150 ms; the bound is 20 x 300 ms.
    let s = all_crash_before_heal("{ min = 150, max = 300 }", "");
    for seed in 1..=5 {
        let t = run_traced(&s, seed);
        let end = t.outcome.end_time;
        assert!(
            end > SimTime::from_ms(1_150) && end < SimTime::from_ms(7_000),
            "seed {seed}: ended at {end}"
        );
        assert!(
            !t.outcome.violated(Invariant::Liveness),
            "seed {seed}: {:?}",
            t.outcome.violations
        );
        let last = t.lines.last().expect("an end line");
        assert_eq!(
            int(last, "t_ns"),
            end.as_ns(),
            "the run ends when it converges"
        );
    }
}

#[test]
fn a_cluster_that_cannot_converge_runs_to_the_bound_and_is_a_liveness_finding() {
    // The same restart with one fixed election timeout and every latency constant: every
    // node times out at the same instant, votes for itself and splits the vote, forever.
    let constant = "[disk]\nwrite_latency_us = 10.0\nflush_latency_ms = 2.0\n\
                    [network]\nlatency_ms = 1.0\n";
    let s = all_crash_before_heal("150", constant);
    let t = run_traced(&s, 1);
    assert_eq!(
        t.outcome.end_time,
        SimTime::from_ms(1_000 + 20 * 150),
        "the bound: max(heal_ms, 20 election timeouts) after the heal"
    );
    let v = t
        .outcome
        .violations
        .iter()
        .find(|v| v.invariant == Invariant::Liveness)
        .expect("a liveness finding");
    assert!(
        v.detail.contains("did not converge within 3000 ms"),
        "{}",
        v.detail
    );
    assert!(
        v.story.iter().any(|l| l.contains("candidacies")),
        "{:?}",
        v.story
    );
}
