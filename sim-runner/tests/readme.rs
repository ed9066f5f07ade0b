//! The README's sample output is what the binary prints (it had drifted), and `-v` logs
//! are for people: one line per event tagged with its seed, no colour codes when
//! redirected.

mod common;

use common::*;
use std::path::Path;

#[test]
fn the_readmes_sample_is_the_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let command = "$ sim-runner run scenarios/modes/nuraft-379-leader-crash.toml";
    let at = readme.find(command).expect("the README shows the command");
    let sample: Vec<&str> = readme[at..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect();
    assert!(sample.len() > 8);
    let o = bin(&root)
        .args(["run", "scenarios/modes/nuraft-379-leader-crash.toml"])
        .output()
        .expect("runs");
    let real = stdout(&o);
    let real: Vec<&str> = real.lines().collect();
    for (k, line) in sample.iter().enumerate() {
        // The README shortens long lines with "..." and drops the file after the header.
        let head = line.split(", ...").next().unwrap_or(line);
        let head = head.split("  (scenarios").next().unwrap_or(head);
        assert!(
            real.get(k).is_some_and(|r| r.starts_with(head)),
            "README line {k} differs:\n  README: {line}\n  binary: {}",
            real.get(k).unwrap_or(&"<none>")
        );
    }
}

#[test]
fn verbose_logs_are_readable_lines_tagged_with_the_seed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = bin(&root)
        .args(["repro", "scenarios/nuraft/commit-rule-figure-8.toml", "-v"])
        .output()
        .expect("runs");
    let log = stderr(&o);
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("seed 3390  "))
        .collect();
    assert!(lines.len() > 1000, "one line per event: {}", lines.len());
    assert!(!log.contains('\u{1b}'), "no colour codes when redirected");
    assert!(!log.contains("{\"kind\""), "no JSON in the log");
    assert!(
        lines.iter().any(|l| l.contains("node 1  commit")),
        "{:?}",
        &lines[..5]
    );
}

#[test]
fn run_verbose_with_two_jobs_says_which_seed_each_line_is_from() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = bin(&root)
        .args([
            "run",
            "scenarios/sync-no-faults.toml",
            "--seeds",
            "2",
            "-j",
            "2",
            "-v",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let log = stderr(&o);
    let first = log.lines().filter(|l| l.starts_with("seed 1  ")).count();
    let second = log.lines().filter(|l| l.starts_with("seed 2  ")).count();
    assert!(
        first > 100 && second > 100,
        "both seeds tagged: {first} and {second}"
    );
    assert!(!log.contains('\u{1b}'));
}
