//! Ctrl-C: `fuzz` stops starting seeds, lets the running ones finish, writes summary.json
//! and the JUnit report of what finished, and exits 130; `run` writes the reports of the
//! scenarios that finished. (Unix: the test sends SIGINT with `kill`.)

mod common;

use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Starts `args`, waits until `ready` exists (or a bound), sends SIGINT, and waits.
fn interrupt(s: &Scratch, args: &[&str], ready: &str) -> std::process::Output {
    let child = start(s, args);
    let until = Instant::now() + Duration::from_secs(30);
    while !s.path().join(ready).exists() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    sigint_and_wait(child)
}

/// Starts `args`, sends SIGINT after `wait`, and waits for the end.
fn interrupt_after(s: &Scratch, args: &[&str], wait: Duration) -> std::process::Output {
    let child = start(s, args);
    std::thread::sleep(wait);
    sigint_and_wait(child)
}

fn start(s: &Scratch, args: &[&str]) -> std::process::Child {
    bin(s.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts")
}

fn sigint_and_wait(child: std::process::Child) -> std::process::Output {
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    child.wait_with_output().expect("ends")
}

#[test]
fn ctrl_c_during_fuzz_writes_the_summary_and_junit_and_exits_130() {
    let s = Scratch::new("interrupt-fuzz");
    let file = data("fuzz-mutant.toml");
    let o = interrupt(
        &s,
        &[
            "fuzz", &file, "--time", "10m", "--out", "out", "--junit", "j.xml", "-j", "1",
        ],
        "out/results.jsonl",
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(s.path().join("out/summary.json")).expect("summary.json"),
    )
    .expect("json");
    let seeds_run = summary["seeds_run"].as_u64().expect("a count");
    assert!(seeds_run >= 1, "{summary}");
    let records = std::fs::read_to_string(s.path().join("out/results.jsonl")).unwrap();
    assert_eq!(
        records.lines().count() as u64,
        seeds_run,
        "every finished seed"
    );
    assert!(s.path().join("j.xml").exists(), "the JUnit report");
}

#[test]
fn ctrl_c_during_run_leaves_the_cut_scenario_unjudged_and_exits_130() {
    let s = Scratch::new("interrupt-run");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/sync-no-faults.toml"
    );
    let o = interrupt_after(
        &s,
        &[
            "run", file, "--seeds", "1000000", "-j", "1", "--junit", "j.xml",
        ],
        Duration::from_millis(800),
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("interrupted after"), "{out}");
    assert!(out.contains("not judged"), "{out}");
    assert!(
        s.path().join("j.xml").exists(),
        "the JUnit report of what finished"
    );
}
