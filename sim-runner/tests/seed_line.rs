//! The line printed before a seed runs (src/announce.rs): the seed, the scenario, what was
//! drawn from the seed and the command that reproduces it, on stderr, before the run — so
//! it is there even when the run never finishes (here: a seed that panics on purpose).

mod common;

use common::*;
use std::path::Path;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed_lines(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| l.starts_with("seed ") && l.contains(": scenario "))
        .collect()
}

#[test]
fn repro_prints_the_line_first_with_its_own_command() {
    let o = run(
        &root(),
        &["repro", "scenarios/sync-crashes.toml", "--seed", "3"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.lines().next(),
        Some(
            "seed 3: scenario sync-crashes (scenarios/sync-crashes.toml), mode sync, 3 nodes, \
             bug none, swarm off; reproduce: sim-runner repro scenarios/sync-crashes.toml --seed 3"
        ),
        "{err}"
    );
    assert!(!stdout(&o).contains(": scenario "), "stdout is unchanged");
}

#[test]
fn the_line_comes_before_the_run_so_a_run_that_dies_still_has_it() {
    let o = bin(&root())
        .env("SIM_RUNNER_SELF_TEST", "panic:3")
        .args(["repro", "scenarios/sync-crashes.toml", "--seed", "3"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(seed_lines(&stderr(&o)).len(), 1, "{}", stderr(&o));
    // With -v it heads the seed's event log.
    let o = run(
        &root(),
        &["repro", "scenarios/sync-crashes.toml", "--seed", "3", "-v"],
    );
    let err = stderr(&o);
    let line = err.find("seed 3: scenario").expect("the line");
    let first_event = err.find("seed 3  ").expect("an event line");
    assert!(line < first_event, "{}", &err[..first_event.min(600)]);
}

#[test]
fn run_prints_it_for_a_single_seed_or_with_v_only() {
    let file = "scenarios/sync-crashes.toml";
    let one = run(&root(), &["run", file, "--seed", "5", "--seeds", "1"]);
    assert_eq!(
        seed_lines(&stderr(&one)),
        [format!(
            "seed 5: scenario sync-crashes ({file}), mode sync, 3 nodes, bug none, swarm off; \
         reproduce: sim-runner repro {file} --seed 5"
        )]
    );
    let many = run(&root(), &["run", file, "--seeds", "3"]);
    assert!(seed_lines(&stderr(&many)).is_empty(), "{}", stderr(&many));
    let verbose = run(&root(), &["run", file, "--seeds", "3", "-v", "-j", "1"]);
    assert_eq!(seed_lines(&stderr(&verbose)).len(), 3);
}

#[test]
fn shrink_prints_it_before_shrinking() {
    let s = Scratch::new("seed-line-shrink");
    let o = run(
        s.path(),
        &[
            "shrink",
            &data("fuzz-mutant.toml"),
            "--seed",
            "1",
            "--max-runs",
            "1",
        ],
    );
    let err = stderr(&o);
    let lines = seed_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("seed 1: scenario "), "{}", lines[0]);
    assert!(lines[0].ends_with("--seed 1"), "{}", lines[0]);
}

#[test]
fn fuzz_swarm_prints_the_drawn_mix_and_a_command_that_draws_it_again() {
    let s = Scratch::new("seed-line-swarm");
    let file = data("fuzz-mutant.toml");
    let o = run(
        s.path(),
        &[
            "fuzz", &file, "--swarm", "--seeds", "1", "--seed", "4", "--out", "o",
        ],
    );
    let err = stderr(&o);
    let lines = seed_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    let records = jsonl(&s.path().join("o/results.jsonl"));
    let mix = records[0]["swarm"].as_str().expect("the drawn mix");
    assert!(
        lines[0].contains(&format!("swarm [{mix}];")),
        "{}",
        lines[0]
    );
    let command = lines[0].split("; reproduce: ").nth(1).expect("a command");
    assert!(
        command.starts_with(&format!(
            "sim-runner fuzz {file} --swarm --seed 4 --seeds 1"
        )),
        "{command}"
    );
    // The printed command draws the same mix again.
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let again = run(s.path(), &words);
    assert_eq!(seed_lines(&stderr(&again)), lines);
    // Many seeds without -v: no line per seed.
    let many = run(
        s.path(),
        &["fuzz", &file, "--swarm", "--seeds", "3", "--out", "o3"],
    );
    assert!(seed_lines(&stderr(&many)).is_empty(), "{}", stderr(&many));
}
