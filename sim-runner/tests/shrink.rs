//! `shrink` at its edges: nothing to shrink, an invariant the seed does not violate, and
//! the bound on runs, which still leaves a scenario that fails.

mod common;

use common::*;

#[test]
fn a_seed_that_violates_nothing_has_nothing_to_shrink() {
    let s = Scratch::new("shrink-nothing");
    // Seed 1 of the mutant violates nothing (seed 2 does).
    let o = run(
        s.path(),
        &["shrink", &data("fuzz-mutant.toml"), "--seed", "1"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("nothing to shrink"), "{}", stderr(&o));
}

#[test]
fn an_invariant_the_seed_does_not_violate_is_refused() {
    let s = Scratch::new("shrink-invariant");
    for (name, says) in [("liveness", "does not fire"), ("lost", "unknown invariant")] {
        let o = run(
            s.path(),
            &[
                "shrink",
                &data("fuzz-mutant.toml"),
                "--seed",
                "2",
                "--invariant",
                name,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
        assert!(stderr(&o).contains("acked-write-lost"), "names what fires");
    }
}

#[test]
fn the_bound_on_runs_stops_shrinking_with_a_scenario_that_still_fails() {
    let s = Scratch::new("shrink-bound");
    let o = run(
        s.path(),
        &[
            "shrink",
            &data("fuzz-mutant.toml"),
            "--seed",
            "2",
            "--max-runs",
            "3",
            "-o",
            "b.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("stopped by the bound of 3 runs"),
        "{}",
        stdout(&o)
    );
    let check = run(s.path(), &["run", "b.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}
