//! The path a user takes from a fuzz finding to a checked-in regression scenario: a
//! mutant scenario is fuzzed, the finding is written, `repro` of it fails with the same
//! invariant and trace hash, `shrink` makes it smaller and it still fails, and `run` of
//! the shrunk scenario meets its expectation.

mod common;

use common::*;

/// "faults 9 -> 1, events 1046 -> 782, ..." → ((9, 1), (1046, 782)).
fn sizes(report: &str) -> ((u64, u64), (u64, u64)) {
    let line = report
        .lines()
        .find(|l| l.starts_with("faults "))
        .unwrap_or_else(|| panic!("no sizes line in {report}"));
    let pair = |name: &str| {
        let rest = line.split(&format!("{name} ")).nth(1).expect(name);
        let mut it = rest.split(" -> ");
        let a = it.next().unwrap().trim().parse().unwrap();
        let b = it
            .next()
            .unwrap()
            .split([',', ' '])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        (a, b)
    };
    (pair("faults"), pair("events"))
}

#[test]
fn a_fuzz_finding_reproduces_shrinks_and_checks_in() {
    let s = Scratch::new("end-to-end");
    let fuzz = run(
        s.path(),
        &[
            "fuzz",
            &data("fuzz-mutant.toml"),
            "--seeds",
            "4",
            "--out",
            "out",
        ],
    );
    assert_eq!(
        fuzz.status.code(),
        Some(0),
        "expected findings pass: {}",
        stderr(&fuzz)
    );
    let findings = jsonl(&s.path().join("out/findings.jsonl"));
    let f = findings
        .first()
        .expect("the mutant is found within 4 seeds");
    let (file, seed) = (
        f["finding_file"].as_str().unwrap(),
        f["seed"].as_u64().unwrap(),
    );
    let hash = f["trace_hash"].as_str().unwrap();
    assert_eq!(f["invariants"][0], "acked-write-lost", "{f}");
    assert!(
        f["version"]
            .as_str()
            .unwrap()
            .starts_with(env!("CARGO_PKG_VERSION"))
    );

    let repro = run(
        s.path(),
        &[
            "repro",
            file,
            "--seed",
            &seed.to_string(),
            "--expect-hash",
            hash,
        ],
    );
    assert_eq!(repro.status.code(), Some(1), "{}", stderr(&repro));
    assert!(stdout(&repro).contains(&format!("trace hash: {hash}")));
    assert!(stdout(&repro).contains("violation: acked-write-lost"));
    assert!(!stderr(&repro).contains("differs"), "{}", stderr(&repro));
    // The finding file records its seed: `--seed` may be left out.
    let again = run(s.path(), &["repro", file, "--expect-hash", hash]);
    assert_eq!(stdout(&again), stdout(&repro));
    // A hash that is not this run's fails, with an error that says why.
    let other = run(
        s.path(),
        &["repro", file, "--expect-hash", "0000000000000000"],
    );
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("error: the trace hash differs"),
        "{}",
        stderr(&other)
    );

    let shrink = run(
        s.path(),
        &["shrink", file, "-o", "regression.toml", "--max-runs", "200"],
    );
    assert_eq!(shrink.status.code(), Some(0), "{}", stderr(&shrink));
    let report = stdout(&shrink);
    let ((faults_before, faults_after), (events_before, events_after)) = sizes(&report);
    let results = jsonl(&s.path().join("out/results.jsonl"));
    let record = results
        .iter()
        .find(|r| r["seed"] == seed)
        .expect("its seed line");
    assert_eq!(
        Some(events_before),
        record["events"].as_u64(),
        "the same run"
    );
    // ack-before-commit needs no fault at all to lose an acknowledged write (an ack of an
    // entry that never commits), so the shrinker may drop every fault.
    assert!(faults_after < faults_before, "{report}");
    assert!(events_after > 0 && events_after < events_before, "{report}");

    check_shrunk(&s.path().join("regression.toml"), seed, faults_after);

    let check = run(s.path(), &["run", "regression.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(stdout(&check).contains("PASS: acked-write-lost found"));
}

/// The shrunk scenario: explicit faults only, no longer than the original, narrowed to the
/// seed, expecting the invariant, named after its file.
fn check_shrunk(path: &std::path::Path, seed: u64, faults_after: u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let shrunk = sim_scenario::parse_str(&text, "regression.toml").expect("parses");
    let original = sim_scenario::load(std::path::Path::new(&data("fuzz-mutant.toml"))).unwrap();
    assert_eq!(shrunk.faults.crash_rate_per_s, 0.0);
    assert_eq!(shrunk.faults.schedule.len() as u64, faults_after);
    assert!(shrunk.run.duration_ms <= original.run.duration_ms);
    assert_eq!((shrunk.run.seed, shrunk.run.seeds), (seed, 1));
    assert_eq!(
        shrunk.expect.violation,
        [sim_scenario::Invariant::AckedWriteLost]
    );
    assert_eq!(shrunk.name, "regression");
}
