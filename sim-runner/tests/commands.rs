//! The commands as a user runs them: `show`, `check`, `run` and `repro` on real files,
//! their output (insta snapshots) and their exit codes (0 holds, 1 fails, 2 bad input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sim-runner"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn run_in_root(args: &[&str]) -> Output {
    bin()
        .current_dir(root())
        .args(args)
        .output()
        .expect("sim-runner runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn show_prints_the_resolved_scenario() {
    let o = run_in_root(&["show", "scenarios/sync-crashes.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("show_sync_crashes", stdout(&o));
}

#[test]
fn show_output_parses_back_to_the_same_scenario() {
    let o = run_in_root(&["show", "scenarios/sync-partitions.toml"]);
    let again =
        sim_scenario::parse_str(&stdout(&o), "sync-partitions.toml").expect("show output parses");
    let original =
        sim_scenario::load(&root().join("scenarios/sync-partitions.toml")).expect("loads");
    assert_eq!(again, original);
}

#[test]
fn run_summary_of_one_fixed_seed() {
    let o = run_in_root(&[
        "run",
        "scenarios/sync-crashes.toml",
        "--seed",
        "7",
        "--seeds",
        "1",
        "--jobs",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("run_sync_crashes_seed_7", stdout(&o));
}

#[test]
fn run_output_does_not_depend_on_jobs() {
    let args = |j: &'static str| {
        [
            "run",
            "scenarios/sync-partitions.toml",
            "--seeds",
            "6",
            "--jobs",
            j,
        ]
    };
    let one = run_in_root(&args("1"));
    let three = run_in_root(&args("3"));
    assert_eq!(stdout(&one), stdout(&three));
}

#[test]
fn repro_prints_the_trace_hash_and_writes_a_trace() {
    let dir = tempdir();
    let trace = dir.join("t.jsonl");
    let o = run_in_root(&[
        "repro",
        "scenarios/sync-crashes.toml",
        "--seed",
        "3",
        "--trace",
        trace.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("trace hash: "))
        .expect("hash printed")
        .to_string();
    let text = std::fs::read_to_string(&trace).expect("trace written");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines[0]["kind"], "run");
    assert_eq!(lines[0]["seed"], 3);
    let last = lines.last().expect("non-empty");
    assert_eq!(last["kind"], "end");
    assert_eq!(last["trace_hash"], hash.as_str());
    let mut prev = 0;
    for l in &lines {
        let t = l["t_ns"].as_u64().expect("t_ns");
        assert!(t >= prev, "time went backwards in the trace");
        prev = t;
    }
    // The same seed again: the same hash.
    let again = run_in_root(&["repro", "scenarios/sync-crashes.toml", "--seed", "3"]);
    assert!(stdout(&again).contains(&format!("trace hash: {hash}")));
}

#[test]
fn a_failing_expectation_exits_1_and_prints_the_repro_command() {
    let dir = tempdir();
    let f = dir.join("expects-a-violation-it-cannot-get.toml");
    std::fs::write(
        &f,
        "[cluster]\nnodes = 3\nmode = \"sync\"\n[run]\nduration_ms = 500\nheal_ms = 500\nseeds = 2\n\
         [expect]\noutcome = \"violation\"\nviolation = \"election-safety\"\n",
    )
    .expect("write");
    let o = bin()
        .args(["run", f.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("FAIL: expected election-safety within 2 seeds"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_found_violation_names_its_repro_command() {
    let o = run_in_root(&["run", "sim-runner/tests/data/ack-before-commit.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "reproduce: sim-runner repro sim-runner/tests/data/ack-before-commit.toml --seed"
        ),
        "{out}"
    );
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sim-runner-test-{}-{}",
        std::process::id(),
        unique()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

#[test]
fn the_mode_comparison_is_deterministic() {
    let args = [
        "compare",
        "scenarios/modes/compare-sync.toml",
        "scenarios/modes/compare-parallel-append.toml",
        "scenarios/modes/compare-async-handler-commit-and-flush.toml",
        "scenarios/modes/compare-async-handler-commit.toml",
        "--seeds",
        "1",
        "--seed",
        "3",
    ];
    let o = run_in_root(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("compare_modes_seed_3", stdout(&o));
}

/// `bench --rounds` measures the kernel and the cluster in turns and prints every round,
/// then the median, which lies within the rounds' range.
#[test]
fn bench_rounds_prints_each_round_and_their_median() {
    let o = run_in_root(&[
        "bench",
        "--seeds",
        "2",
        "--jobs",
        "1",
        "--kernel-events",
        "1000",
        "--rounds",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let figure = |l: &str, after: &str| -> f64 {
        let rest = &l[l.find(after).expect("the figure") + after.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    let rounds: Vec<f64> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("round "))
        .map(|l| figure(l, ": "))
        .collect();
    assert_eq!(rounds.len(), 3, "{out}");
    let median_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("median ") && l.contains("M events/s"))
        .expect("the median line");
    let median = figure(median_line, "median ");
    let (lo, hi) = rounds
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    assert!((lo..=hi).contains(&median), "{out}");
    assert!(
        out.contains("of the kernel's limit (each round against its own kernel)"),
        "{out}"
    );
    let o = run_in_root(&["bench", "--rounds", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `bench --scale` runs each length in a child process of its own and prints one row per
/// length: the simulated seconds it was stretched to (plus the heal phase), its events,
/// and its events per second against the first row's.
#[test]
fn bench_scale_prints_one_row_per_length() {
    let o = run_in_root(&["bench", "--scale", "--scale-seconds", "1,2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    // The long-run scenario heals for 3 s after its faults.
    assert_eq!((rows[0][0], rows[1][0]), ("4", "5"), "{out}");
    assert_eq!(rows[0][4], "100%", "{out}");
    assert!(rows[1][1].parse::<u64>().unwrap() > rows[0][1].parse::<u64>().unwrap());
    let o = run_in_root(&[
        "bench",
        "--scale",
        "--scenario",
        "a.toml",
        "--scenario",
        "b.toml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("give --scenario at most once"),
        "{}",
        stderr(&o)
    );
}
