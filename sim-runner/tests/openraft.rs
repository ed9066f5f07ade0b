//! openraft behind the replica boundary, judged by the same checkers: its scenarios run
//! clean, its trace speaks the model's vocabulary, its adapter mutant is caught, and a
//! NuRaft-only key with it is bad usage.

mod common;
mod world_trace;

use common::*;
use std::collections::BTreeSet;

#[test]
fn openraft_scenarios_run_clean() {
    for path in toml_files("scenarios/openraft") {
        let s = sim_scenario::load(&path).expect("loads");
        assert_eq!(
            s.cluster.implementation,
            sim_scenario::Implementation::Openraft
        );
        let config = sim_scenario::world_config(&s);
        let mut acked = 0;
        for seed in 1..=6 {
            let o = sim_scenario::run_seed(&config, seed);
            assert!(
                o.violation_counts.is_empty(),
                "{} seed {seed}: {:?}",
                path.display(),
                o.violations
            );
            acked += o.metrics.writes_acked;
        }
        assert!(
            acked > 100,
            "{}: {acked} writes acknowledged",
            path.display()
        );
    }
}

#[test]
fn an_openraft_trace_speaks_the_models_vocabulary() {
    let s = sim_scenario::load(&root().join("scenarios/openraft/deferred-crashes-partitions.toml"))
        .expect("loads");
    let t = world_trace::run_traced(&s, 3);
    let kinds: BTreeSet<&str> = t.lines.iter().map(world_trace::kind).collect();
    for k in [
        "role",
        "append",
        "durable",
        "commit",
        "apply",
        "client-invoke",
        "client-ok",
        "crash",
        "restart",
        "final",
        "end",
    ] {
        assert!(kinds.contains(k), "no {k} line in {kinds:?}");
    }
    let client_appends = t
        .lines
        .iter()
        .filter(|l| world_trace::kind(l) == "append" && l["req"].is_u64())
        .count();
    assert!(client_appends > 100, "appends carry the request id");
    let again = world_trace::run_traced(&s, 3);
    assert_eq!(
        t.outcome.trace_hash, again.outcome.trace_hash,
        "a seed replays"
    );
}

#[test]
fn io_flushed_before_fsync_is_caught_and_its_control_is_clean() {
    let bug = sim_scenario::load(&root().join("scenarios/bugs/io-flushed-before-fsync.toml"))
        .expect("loads");
    let caught = (1..=5).any(|seed| {
        !sim_scenario::run_seed(&sim_scenario::world_config(&bug), seed)
            .violation_counts
            .is_empty()
    });
    assert!(caught, "the mutant escaped 5 seeds");
    let control =
        sim_scenario::load(&root().join("scenarios/controls/io-flushed-before-fsync.toml"))
            .expect("loads");
    for seed in 1..=5 {
        let o = sim_scenario::run_seed(&sim_scenario::world_config(&control), seed);
        assert!(
            o.violation_counts.is_empty(),
            "seed {seed}: {:?}",
            o.violations
        );
    }
}

#[test]
fn a_nuraft_only_key_with_openraft_is_bad_usage() {
    let s = Scratch::new("openraft-keys");
    let cases = [
        ("mode = \"async-handler\"", "mode"),
        (
            "mode = \"sync\"\nbug = \"follower-acks-before-flush\"",
            "bug",
        ),
        (
            "mode = \"parallel-append\"\nfollower_append = \"pipelined\"",
            "follower_append",
        ),
        (
            "mode = \"sync\"\n[raft]\ncommit_rule = \"nuraft\"",
            "commit_rule",
        ),
        (
            "mode = \"sync\"\n[raft]\nnegative_batch_hint_rate = 0.1",
            "negative_batch_hint_rate",
        ),
        (
            "mode = \"parallel-append\"\nbug = \"persisted-messages-early\"",
            "bug",
        ),
    ];
    for (body, key) in cases {
        let file = s.path().join("bad.toml");
        let text = format!("[cluster]\nnodes = 3\nimplementation = \"openraft\"\n{body}\n");
        std::fs::write(&file, text).expect("writes");
        let o = run(s.path(), &["check", file.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(2), "{key}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(key) && err.contains("implementation = \"openraft\""),
            "{key}: {err}"
        );
    }
    let file = s.path().join("model.toml");
    let text = "[cluster]\nnodes = 3\nmode = \"sync\"\nbug = \"io-flushed-before-fsync\"\n";
    std::fs::write(&file, text).expect("writes");
    let o = run(s.path(), &["check", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn show_prints_the_implementation_and_reads_back() {
    let s = Scratch::new("openraft-show");
    let path = root().join("scenarios/openraft/sync-crashes-partitions.toml");
    let o = run(s.path(), &["show", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("implementation = \"openraft\""), "{out}");
    assert!(out.contains("commit_rule = \"current-term\""), "{out}");
}
