//! The bug catalogue proves the checkers: every mutant has a scenario, each scenario meets
//! its expectation (the mutant is caught within its seed budget, or — for one the model
//! masks, should there be one — stays silent), and the same scenarios with `bug = "none"`
//! find nothing, so what fires is the mutant's doing.

mod common;

use common::*;
use sim_scenario::{Bug, Outcome};
use std::path::PathBuf;

fn bug_files() -> Vec<PathBuf> {
    toml_files("scenarios/bugs")
}

/// The mutants no invariant can see in this model: none since
/// `new-leader-marks-tail-flushed` shows on a disk whose fsyncs of different files complete
/// independently (docs/bugs.md, "Rare, or needing a schedule or a particular disk").
/// Anything not caught is a checker that failed.
const MASKED: [Bug; 0] = [];

#[test]
fn every_mutant_has_a_scenario_named_after_it() {
    let files = bug_files();
    for bug in Bug::ALL.into_iter().filter(|b| *b != Bug::None) {
        let path = root().join(format!("scenarios/bugs/{}.toml", bug.name()));
        let s = sim_scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            s.cluster.bug,
            bug,
            "{} switches on another bug",
            path.display()
        );
        let expected = if MASKED.contains(&bug) {
            Outcome::Pass
        } else {
            Outcome::Violation
        };
        assert_eq!(s.expect.outcome, expected, "{}", path.display());
    }
    assert_eq!(
        files.len(),
        Bug::ALL.len() - 1,
        "one scenario per mutant, no more"
    );
}

#[test]
fn every_mutant_is_caught_within_its_budget() {
    let (code, out) = run_scenarios(&bug_files());
    assert_eq!(code, Some(0), "a mutant escaped its checkers:\n{out}");
    let caught = out.matches("found\n").count();
    assert_eq!(caught, Bug::ALL.len() - 1 - MASKED.len(), "{out}");
}

#[test]
fn without_the_bug_the_same_scenarios_find_nothing() {
    for path in bug_files() {
        let mut s = sim_scenario::load(&path).expect("loads");
        s.cluster.bug = Bug::None;
        for seed in s.run.seed..s.run.seed + 8 {
            let o = sim_scenario::run_seed(&sim_scenario::world_config(&s), seed);
            assert!(
                o.violation_counts.is_empty(),
                "{} seed {seed} without its bug: {:?}",
                path.display(),
                o.violations
            );
        }
    }
}
