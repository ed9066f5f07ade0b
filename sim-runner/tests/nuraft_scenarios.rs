//! The scenarios that answer questions about NuRaft's own rules (`scenarios/nuraft/`) and
//! the regressions of fixed false alarms (`scenarios/regressions/`): each meets its
//! expectation, and each finding of NuRaft's commit rule has a control — the same file with
//! Raft's rule — that passes, so what fires is the rule's doing.

mod common;

use common::*;
use sim_scenario::{CommitRule, Outcome, Scenario};
use std::path::{Path, PathBuf};

fn files(folder: &str) -> Vec<PathBuf> {
    toml_files(folder)
}

fn load(path: &Path) -> Scenario {
    sim_scenario::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_nuraft_and_regression_scenario_meets_its_expectation() {
    let all: Vec<PathBuf> = [files("scenarios/nuraft"), files("scenarios/regressions")].concat();
    let expecting = all
        .iter()
        .filter(|p| load(p).expect.outcome == Outcome::Violation)
        .count();
    assert!(
        expecting >= 3,
        "the Figure 8, random-fault and stale-matched findings"
    );
    let (code, out) = run_scenarios(&all);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches("found\n").count(), expecting, "{out}");
}

#[test]
fn each_finding_of_nuraft_rule_has_a_current_term_control_with_the_same_schedule() {
    let mut pairs = 0;
    for path in files("scenarios/nuraft") {
        let s = load(&path);
        if s.raft.commit_rule != CommitRule::Nuraft || s.expect.outcome != Outcome::Violation {
            continue;
        }
        let control_path = path.with_file_name(format!("{}-current-term.toml", s.name));
        if !control_path.exists() {
            // A random-fault demonstration has no fixed schedule to replay.
            assert!(s.faults.schedule.is_empty(), "{}", path.display());
            continue;
        }
        let c = load(&control_path);
        assert_eq!(c.raft.commit_rule, CommitRule::CurrentTerm);
        assert_eq!(c.expect.outcome, Outcome::Pass);
        assert_eq!(
            (
                &c.cluster,
                &c.disk,
                &c.network,
                &c.faults,
                &c.workload,
                &c.run
            ),
            (
                &s.cluster,
                &s.disk,
                &s.network,
                &s.faults,
                &s.workload,
                &s.run
            ),
            "{} differs from its finding in more than the commit rule",
            control_path.display()
        );
        pairs += 1;
    }
    assert!(
        pairs >= 2,
        "Figure 8 and the stale matched index have controls"
    );
}
