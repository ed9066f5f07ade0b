//! One exit code per kind of outcome (0 holds, 1 an expectation failed, 2 bad input, 3 the
//! simulator panicked, 4 nondeterminism) and which wins when a run meets several.
//!
//! A real simulator neither panics nor diverges on purpose, so codes 3 and 4 are reached
//! through the runner's self-test hook (`SIM_RUNNER_SELF_TEST`, src/self_test.rs): a seed
//! that panics inside the simulator's catch, and a second run under `--check-determinism`
//! that runs another seed, so the detector compares two real trace hashes.

mod common;

use common::*;
use std::path::Path;
use std::process::Output;

/// A short fault-free scenario that holds on every seed (seeds 1, 2, 3).
const CLEAN: &str = "name = \"clean\"\n[cluster]\nnodes = 3\nmode = \"sync\"\n\
    [workload]\nclients = 1\nwrite_rate_per_s = 50\n\
    [run]\nduration_ms = 300\nheal_ms = 300\nseeds = 3\nseed = 1\n";

/// The same, expecting a violation it cannot get (an expectation that fails: exit 1).
const UNMET: &str = "name = \"unmet\"\n[cluster]\nnodes = 3\nmode = \"sync\"\n\
    [workload]\nclients = 1\nwrite_rate_per_s = 50\n\
    [run]\nduration_ms = 300\nheal_ms = 300\nseeds = 3\nseed = 1\n\
    [expect]\noutcome = \"violation\"\nviolation = \"election-safety\"\n";

fn with(dir: &Path, self_test: &str, args: &[&str]) -> Output {
    bin(dir)
        .env("SIM_RUNNER_SELF_TEST", self_test)
        .args(args)
        .output()
        .expect("sim-runner runs")
}

fn scratch(name: &str) -> Scratch {
    let s = Scratch::new(name);
    std::fs::write(s.path().join("clean.toml"), CLEAN).expect("write");
    std::fs::write(s.path().join("unmet.toml"), UNMET).expect("write");
    s
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

#[test]
fn a_clean_run_exits_0_and_an_unmet_expectation_1() {
    let s = scratch("exit-0-1");
    let o = run(s.path(), &["run", "clean.toml"]);
    assert_eq!(code(&o), Some(0), "{}", stdout(&o));
    let o = run(s.path(), &["run", "unmet.toml"]);
    assert_eq!(code(&o), Some(1), "{}", stdout(&o));
}

#[test]
fn a_simulator_panic_exits_3_from_every_command_that_runs_seeds() {
    let s = scratch("exit-3");
    let o = with(s.path(), "panic:2", &["run", "clean.toml"]);
    assert_eq!(code(&o), Some(3), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("SIMULATOR PANICKED on 1 seed"),
        "{}",
        stdout(&o)
    );
    let o = with(s.path(), "panic:2", &["repro", "clean.toml", "--seed", "2"]);
    assert_eq!(code(&o), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("self-test: seed 2 panics on purpose"));
    let o = with(
        s.path(),
        "panic:2",
        &["shrink", "clean.toml", "--seed", "2"],
    );
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    let o = with(
        s.path(),
        "panic:2",
        &["fuzz", "clean.toml", "--seeds", "3", "--out", "o"],
    );
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    let o = with(
        s.path(),
        "panic:2",
        &["compare", "clean.toml", "--seeds", "3"],
    );
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    // The other seeds are unaffected: repro of seed 1 is clean.
    let o = with(s.path(), "panic:2", &["repro", "clean.toml", "--seed", "1"]);
    assert_eq!(code(&o), Some(0), "{}", stdout(&o));
}

#[test]
fn nondeterminism_exits_4_and_only_under_check_determinism() {
    let s = scratch("exit-4");
    let o = with(
        s.path(),
        "nondeterminism:2",
        &["run", "clean.toml", "--check-determinism"],
    );
    assert_eq!(code(&o), Some(4), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("NONDETERMINISM on 1 seed"),
        "{}",
        stdout(&o)
    );
    let o = with(
        s.path(),
        "nondeterminism:2",
        &[
            "fuzz",
            "clean.toml",
            "--seeds",
            "3",
            "--check-determinism",
            "--out",
            "o",
        ],
    );
    assert_eq!(code(&o), Some(4), "{}", stderr(&o));
    // Without the check, the hook changes nothing.
    let o = with(s.path(), "nondeterminism:2", &["run", "clean.toml"]);
    assert_eq!(code(&o), Some(0), "{}", stdout(&o));
}

#[test]
fn nondeterminism_wins_over_a_panic_which_wins_over_a_failed_expectation() {
    let s = scratch("exit-precedence");
    let both = "panic:1,nondeterminism:2";
    let o = with(
        s.path(),
        both,
        &["run", "clean.toml", "--check-determinism"],
    );
    assert_eq!(code(&o), Some(4), "{}", stdout(&o));
    let o = with(s.path(), "panic:1", &["run", "unmet.toml"]);
    assert_eq!(code(&o), Some(3), "{}", stdout(&o));
    let o = with(s.path(), "panic:1", &["run", "unmet.toml", "clean.toml"]);
    assert_eq!(code(&o), Some(3), "{}", stdout(&o));
}

#[test]
fn a_malformed_self_test_is_bad_usage() {
    let s = scratch("exit-self-test-bad");
    let o = with(s.path(), "panic:two", &["run", "clean.toml"]);
    assert_eq!(code(&o), Some(2));
    assert!(stderr(&o).contains("`panic:SEED`"), "{}", stderr(&o));
}

#[test]
fn help_lists_the_exit_codes() {
    let s = scratch("exit-help");
    let o = run(s.path(), &["--help"]);
    assert_eq!(code(&o), Some(0));
    let help = stdout(&o);
    for line in [
        "Exit codes:",
        "  3    the simulator panicked",
        "  4    nondeterminism",
        "the first in this order wins: 130, 4, 3, 1, 0",
    ] {
        assert!(help.contains(line), "{line:?} in:\n{help}");
    }
}
