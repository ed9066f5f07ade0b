//! `fuzz` and `merge` as CI runs them: findings that do not depend on threads, shards that
//! split the seeds and merge back to the whole, an output folder that survives a kill,
//! exit codes, JUnit, and bad arguments.

mod common;

use common::*;
use std::time::{Duration, Instant};

const MUTANT: &str = "fuzz-mutant.toml";
const CLAIMS_PASS: &str = "fuzz-claims-pass.toml";

#[test]
fn findings_do_not_depend_on_jobs() {
    let s = Scratch::new("fuzz-jobs");
    let mut outs = Vec::new();
    for jobs in ["1", "4"] {
        let dir = s.path().join(format!("j{jobs}"));
        std::fs::create_dir_all(&dir).unwrap();
        let o = run(
            &dir,
            &[
                "fuzz",
                &data(MUTANT),
                "--seeds",
                "16",
                "--swarm",
                "--jobs",
                jobs,
                "--out",
                "out",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        outs.push(dir.join("out"));
    }
    let (a, b) = (&outs[0], &outs[1]);
    let findings = sorted_lines(&a.join("findings.jsonl"));
    assert!(!findings.is_empty(), "the mutant is found within 16 seeds");
    assert_eq!(findings, sorted_lines(&b.join("findings.jsonl")));
    assert_eq!(
        sorted_lines(&a.join("results.jsonl")),
        sorted_lines(&b.join("results.jsonl"))
    );
    for f in jsonl(&a.join("findings.jsonl")) {
        let name = f["finding_file"]
            .as_str()
            .unwrap()
            .trim_start_matches("out/");
        let text = |dir: &std::path::Path| std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(text(a), text(b), "{name}");
        assert!(
            f["swarm"].as_str().is_some_and(|m| m.contains("crash")),
            "{f}"
        );
    }
}

#[test]
fn shards_cover_disjoint_seeds_and_merge_to_the_unsharded_run() {
    let s = Scratch::new("fuzz-shards");
    let file = data(CLAIMS_PASS);
    let fuzz = |out: &str, shard: &[&str], env: &[(&str, &str)]| {
        let mut c = bin(s.path());
        c.args(["fuzz", &file, "--seeds", "12", "--jobs", "2", "--out", out]);
        c.args(shard);
        c.envs(env.iter().copied());
        let o = c.output().expect("runs");
        assert_eq!(
            o.status.code(),
            Some(1),
            "a finding on a pass scenario: {}",
            stderr(&o)
        );
        jsonl(&s.path().join(out).join("results.jsonl"))
    };
    let whole = fuzz("whole", &[], &[]);
    let zero = fuzz("s0", &["--shard", "0/2"], &[("SIM_SHARD", "1/2")]);
    let one = fuzz(
        "s1",
        &[],
        &[("JOB_COMPLETION_INDEX", "1"), ("SIM_SHARDS", "2")],
    );
    let (z, o) = (seeds_of(&zero), seeds_of(&one));
    assert!(z.iter().all(|x| !o.contains(x)), "disjoint: {z:?} {o:?}");
    assert!(
        zero.iter().all(|r| r["index"].as_u64().unwrap() % 2 == 0),
        "the flag wins"
    );
    let mut union = [z, o].concat();
    union.sort();
    assert_eq!(union, seeds_of(&whole));

    let m = run(
        s.path(),
        &["merge", "s1", "s0", "-o", "merged", "--junit", "merged.xml"],
    );
    assert_eq!(m.status.code(), Some(1), "{}", stderr(&m));
    let essence = |dir: &str| {
        let mut v: Vec<String> = jsonl(&s.path().join(dir).join("findings.jsonl"))
            .iter()
            .map(finding_essence)
            .collect();
        v.sort();
        v
    };
    assert!(!essence("whole").is_empty());
    assert_eq!(essence("merged"), essence("whole"));
    let merged_results = sorted_lines(&s.path().join("merged/results.jsonl"));
    assert_eq!(
        merged_results,
        sorted_lines(&s.path().join("whole/results.jsonl"))
    );
    for f in jsonl(&s.path().join("merged/findings.jsonl")) {
        let path = f["finding_file"].as_str().unwrap();
        assert!(path.starts_with("merged/findings/"), "{path}");
        assert!(f["repro"].as_str().unwrap().contains(path));
        let text = std::fs::read_to_string(s.path().join(path)).unwrap();
        assert!(text.contains(&format!("# reproduce: sim-runner repro {path}")));
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(s.path().join("merged/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["seeds_run"], 12);
    let junit = std::fs::read_to_string(s.path().join("merged.xml")).unwrap();
    assert!(junit.contains(r#"name="fuzz-claims-pass""#) && junit.contains("<failure"));
}

/// A child process killed when the test ends, even by a failed assertion.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_killed_fuzz_run_leaves_a_readable_folder() {
    let s = Scratch::new("fuzz-kill");
    let child = bin(s.path())
        .args([
            "fuzz",
            &data(MUTANT),
            "--time",
            "60s",
            "--jobs",
            "1",
            "--out",
            "out",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawns");
    let mut child = KillOnDrop(child);
    let out = s.path().join("out");
    let started = Instant::now();
    let has_lines =
        |name: &str| std::fs::read_to_string(out.join(name)).is_ok_and(|t| t.lines().count() >= 2);
    while !(has_lines("results.jsonl") && has_lines("findings.jsonl")) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no results after 30 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.0.kill().expect("killed");
    child.0.wait().expect("reaped");
    assert!(!out.join("summary.json").exists(), "killed before the end");
    let m = run(s.path(), &["merge", "out"]);
    assert_eq!(m.status.code(), Some(0), "readable: {}", stderr(&m));
    let text = std::fs::read_to_string(out.join("findings.jsonl")).unwrap();
    let complete = text
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok());
    let mut files = 0;
    for f in complete {
        let f: serde_json::Value = serde_json::from_str(f).unwrap();
        let path = s.path().join(f["finding_file"].as_str().unwrap());
        let scenario = std::fs::read_to_string(&path).expect("the finding file is there");
        sim_scenario::parse_str(&scenario, "finding.toml").unwrap_or_else(|e| panic!("{e}"));
        files += 1;
    }
    assert!(files >= 2);
    for entry in std::fs::read_dir(out.join("findings")).unwrap() {
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        sim_scenario::parse_str(&text, "f.toml").unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
}

#[test]
fn a_finding_on_a_scenario_claiming_pass_fails_with_its_repro_command_and_junit() {
    let s = Scratch::new("fuzz-claims");
    let o = run(
        s.path(),
        &[
            "fuzz",
            &data(CLAIMS_PASS),
            "--seeds",
            "3",
            "--out",
            "out",
            "--junit",
            "j.xml",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(
        report.contains("FINDING fuzz-claims-pass seed 2: acked-write-lost"),
        "{report}"
    );
    assert!(report.contains("reproduce: sim-runner repro out/findings/fuzz-claims-pass-seed-2.toml --seed 2 --expect-hash "));
    let junit = std::fs::read_to_string(s.path().join("j.xml")).unwrap();
    assert!(junit.contains("<failure"), "{junit}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["seeds_run"], 3);
    assert!(summary["failing"].as_u64().unwrap() >= 1);
    // The run's settings are typed, under snake_case keys.
    let run = &summary["run"];
    assert_eq!(
        (run["seeds_per_scenario"].as_u64(), run["swarm"].as_bool()),
        (Some(3), Some(false))
    );
    assert!(run["jobs"].is_u64() && run["first_seed"].is_null(), "{run}");
    assert!(junit.contains("failing finding"), "{junit}");
    assert!(summary["timing"]["seeds_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn check_determinism_runs_every_seed_twice_and_finds_it_deterministic() {
    let s = Scratch::new("fuzz-determinism");
    let o = run(
        s.path(),
        &[
            "fuzz",
            &data(MUTANT),
            "--seeds",
            "4",
            "--swarm",
            "--check-determinism",
            "--out",
            "o",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for r in jsonl(&s.path().join("o/results.jsonl")) {
        assert_ne!(r["outcome"], "nondeterminism", "{r}");
    }
}

#[test]
fn bad_fuzz_arguments_exit_2_and_say_what_to_do() {
    let s = Scratch::new("fuzz-bad");
    let file = data(MUTANT);
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 6] = [
        (&["--time", "10x"], &[], "unknown time unit"),
        (&["--time", "90"], &[], "e.g. 90s"),
        (&[], &[], "--seeds"),
        (&["--seeds", "2", "--shard", "2/2"], &[], "not below"),
        (
            &["--seeds", "2"],
            &[("JOB_COMPLETION_INDEX", "0")],
            "SIM_SHARDS",
        ),
        (
            &["--seeds", "2", "--seed", "9223372036854775808"],
            &[],
            "smaller --seed",
        ),
    ];
    for (args, env, says) in cases {
        let o = bin(s.path())
            .args(["fuzz", &file, "--out", "o"])
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(
        run(s.path(), &["fuzz", &file, "--seeds", "1", "--out", "o"])
            .status
            .code(),
        Some(0)
    );
    let again = run(s.path(), &["fuzz", &file, "--seeds", "1", "--out", "o"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already holds the results"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn help_of_fuzz_merge_and_shrink() {
    let s = Scratch::new("fuzz-help");
    for cmd in ["fuzz", "merge", "shrink"] {
        let o = run(s.path(), &[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        insta::assert_snapshot!(format!("help_{cmd}"), stdout(&o));
    }
}

/// A scenario where every seed finds the same thing does not flood: each signature keeps
/// the finding files of its lowest seeds (the same ones whatever `--jobs`), prints a few
/// lines, and every finding keeps its line — the others with a command that makes the
/// file again. `merge` takes such a folder without a warning.
#[test]
fn findings_of_one_signature_keep_a_bounded_number_of_files() {
    let s = Scratch::new("fuzz-signatures");
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/modes/async-handler-no-faults.toml"
    );
    let mut kept = Vec::new();
    for jobs in ["1", "2"] {
        let out = format!("out-{jobs}");
        let o = run(
            s.path(),
            &["fuzz", file, "--seeds", "12", "-j", jobs, "--out", &out],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            stderr(&o).matches("reproduce:").count(),
            3,
            "{}",
            stderr(&o)
        );
        let mut files: Vec<String> = std::fs::read_dir(s.path().join(&out).join("findings"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        kept.push(files);
        let lines = jsonl(&s.path().join(&out).join("findings.jsonl"));
        assert_eq!(lines.len(), 12, "every finding has its line");
        let without: Vec<&serde_json::Value> =
            lines.iter().filter(|l| l["finding_file"] == "").collect();
        assert_eq!(without.len(), 7);
        assert!(without.iter().all(|l| {
            l["repro"]
                .as_str()
                .unwrap()
                .starts_with("sim-runner repro ")
        }));
    }
    assert_eq!(kept[0], kept[1], "the same files whatever --jobs");
    assert_eq!(kept[0].len(), 5, "{:?}", kept[0]);
    let o = run(s.path(), &["merge", "out-1", "out-2", "-o", "merged"]);
    assert!(!stderr(&o).contains("missing"), "{}", stderr(&o));
    let merged = std::fs::read_dir(s.path().join("merged/findings"))
        .unwrap()
        .count();
    assert_eq!(merged, 5, "a merge keeps the same bound");
}

/// A seed that hits `run.max_events` before its end was not judged after it: like `run`,
/// `fuzz` fails a scenario that expects `pass` on it (a finding of kind `event-limit`).
#[test]
fn a_seed_cut_by_max_events_fails_a_pass_scenario() {
    let s = Scratch::new("fuzz-event-limit");
    let file = s.path().join("short.toml");
    std::fs::write(
        &file,
        "[cluster]\nnodes = 3\nmode = \"sync\"\n[run]\nmax_events = 2000\n",
    )
    .unwrap();
    let f = file.display().to_string();
    let o = run(s.path(), &["fuzz", &f, "--seeds", "2", "--out", "out"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("event-limit on 2 seeds"),
        "{}",
        stdout(&o)
    );
    let findings = jsonl(&s.path().join("out/findings.jsonl"));
    assert_eq!(findings.len(), 2);
    assert!(
        findings
            .iter()
            .all(|f| f["kind"] == "event-limit" && f["fails"] == true)
    );
    let r = run(s.path(), &["run", &f, "--seeds", "2"]);
    assert_eq!(r.status.code(), Some(1), "run agrees: {}", stdout(&r));
}
