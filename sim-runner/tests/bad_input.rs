//! Bad input never panics: a table of broken scenario files, each rejected by every command
//! that reads scenarios with exit code 2 and a message naming the file, line and key.

use std::process::Command;

struct Case {
    name: &'static str,
    text: &'static str,
    /// `file:line:column: key` as the message starts (after the file name).
    at: &'static str,
    fragment: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "bad-toml",
        text: "[cluster\nnodes = 3\n",
        at: ":1:",
        fragment: "",
    },
    Case {
        name: "unknown-key",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\nnodez = 4\n",
        at: ":4:1: cluster.nodez",
        fragment: "unknown key",
    },
    Case {
        name: "wrong-type",
        text: "[cluster]\nnodes = \"three\"\nmode = \"sync\"\n",
        at: ":2:9: cluster.nodes",
        fragment: "integer",
    },
    Case {
        name: "out-of-range",
        text: "[cluster]\nnodes = 12\nmode = \"sync\"\n",
        at: ":2:9: cluster.nodes",
        fragment: "9",
    },
    Case {
        name: "missing-cluster",
        text: "[run]\nseeds = 3\n",
        at: ":1:1",
        fragment: "cluster",
    },
    Case {
        name: "bad-enum",
        text: "[cluster]\nnodes = 3\nmode = \"parallel_append\"\n",
        at: ":3:8: cluster.mode",
        fragment: "parallel-append",
    },
    Case {
        name: "key-of-another-mode",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\nclient_ack = \"commit\"\n",
        at: ":4:1: cluster.client_ack",
        fragment: "async-handler",
    },
    Case {
        name: "float-for-integer",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\n[run]\nduration_ms = 10.5\n",
        at: ":5:15: run.duration_ms",
        fragment: "integer",
    },
    Case {
        name: "bad-commit-rule",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\n[raft]\ncommit_rule = \"current_term\"\n",
        at: ":5:15: raft.commit_rule",
        fragment: "current-term",
    },
    Case {
        name: "hint-rate-above-one",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\n[raft]\nnegative_batch_hint_rate = 1.5\n",
        at: ":5:28: raft.negative_batch_hint_rate",
        fragment: "probability",
    },
    Case {
        name: "zero-liveness-timeouts",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\n[run]\nliveness_timeouts = 0\n",
        at: ":5:21: run.liveness_timeouts",
        fragment: "1..=1000",
    },
    Case {
        name: "bad-heal-network",
        text: "[cluster]\nnodes = 3\nmode = \"sync\"\n[run]\nheal_network = \"lossy\"\n",
        at: ":5:16: run.heal_network",
        fragment: "reliable",
    },
];

#[test]
fn every_broken_file_exits_2_with_file_line_and_key() {
    let dir = std::env::temp_dir().join(format!("sim-runner-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for case in CASES {
        let path = dir.join(format!("{}.toml", case.name));
        std::fs::write(&path, case.text).expect("write case");
        let shown = path.display().to_string();
        for cmd in ["check", "show", "run"] {
            let o = Command::new(env!("CARGO_BIN_EXE_sim-runner"))
                .args([cmd, &shown])
                .output()
                .expect("runs");
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{} {}: {err}", cmd, case.name);
            assert!(!err.contains("panicked"), "{}: {err}", case.name);
            let expected = format!("{shown}{}", case.at);
            assert!(
                err.contains(&expected),
                "{cmd} {}: expected `{expected}` in: {err}",
                case.name
            );
            assert!(
                err.contains(case.fragment),
                "{cmd} {}: expected `{}` in: {err}",
                case.name,
                case.fragment
            );
        }
    }
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let o = Command::new(env!("CARGO_BIN_EXE_sim-runner"))
        .args(["run", "no/such/scenario.toml"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/scenario.toml"));
}

#[test]
fn bad_usage_exits_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_sim-runner"))
        .args(["run"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_sim-runner"))
        .args([
            "repro",
            "scenarios/sync-crashes.toml",
            "--seed",
            "minus-one",
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

/// `-j 0` would run nothing; every command that takes it refuses it as bad usage.
#[test]
fn zero_jobs_is_bad_usage() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/sync-crashes.toml"
    );
    for args in [
        vec!["run", file, "-j", "0"],
        vec!["compare", file, "-j", "0"],
        vec!["matrix", file, "-j", "0"],
        vec!["fuzz", file, "--seeds", "1", "-j", "0"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_sim-runner"))
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--jobs"), "{args:?}: {err}");
    }
}
