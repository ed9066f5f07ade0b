//! The checks every Raft library behind the replica boundary passes (tests/raft_rs.rs,
//! tests/openraft.rs): its scenarios run clean, its trace speaks the model's vocabulary,
//! its adapter mutant is caught and its control is clean, a NuRaft-only key with it is bad
//! usage, and `show` prints it. Each test file names its library once, as a [`Library`].

use crate::common::*;
use crate::world_trace;
use std::collections::BTreeSet;

/// One library under test.
pub struct Library {
    pub implementation: sim_scenario::Implementation,
    /// As `[cluster] implementation` writes it, and its folder under scenarios/.
    pub name: &'static str,
    /// A scenario of its folder with crashes and partitions, traced.
    pub traced: &'static str,
    /// Its adapter mutant (scenarios/bugs/ and scenarios/controls/).
    pub mutant: &'static str,
    /// Mutants of the other libraries and the model, which it must refuse.
    pub foreign_mutants: &'static [(&'static str, &'static str)],
}

pub fn scenarios_run_clean(lib: &Library) {
    for path in toml_files(&format!("scenarios/{}", lib.name)) {
        let s = sim_scenario::load(&path).expect("loads");
        assert_eq!(s.cluster.implementation, lib.implementation);
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

pub fn trace_speaks_the_models_vocabulary(lib: &Library) {
    let path = root().join(format!("scenarios/{}/{}", lib.name, lib.traced));
    let s = sim_scenario::load(&path).expect("loads");
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

pub fn mutant_is_caught_and_its_control_is_clean(lib: &Library) {
    let load = |dir: &str| {
        let path = root().join(format!("scenarios/{dir}/{}.toml", lib.mutant));
        sim_scenario::load(&path).expect("loads")
    };
    let bug = load("bugs");
    let caught = (1..=5).any(|seed| {
        !sim_scenario::run_seed(&sim_scenario::world_config(&bug), seed)
            .violation_counts
            .is_empty()
    });
    assert!(caught, "the mutant escaped 5 seeds");
    let control = load("controls");
    for seed in 1..=5 {
        let o = sim_scenario::run_seed(&sim_scenario::world_config(&control), seed);
        assert!(
            o.violation_counts.is_empty(),
            "seed {seed}: {:?}",
            o.violations
        );
    }
}

pub fn a_nuraft_only_key_is_bad_usage(lib: &Library) {
    let s = Scratch::new(&format!("{}-keys", lib.name));
    let nuraft_only = [
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
    ];
    let implementation = format!("implementation = \"{}\"", lib.name);
    for (body, key) in nuraft_only.iter().chain(lib.foreign_mutants) {
        let file = s.path().join("bad.toml");
        let text = format!("[cluster]\nnodes = 3\n{implementation}\n{body}\n");
        std::fs::write(&file, text).expect("writes");
        let o = run(s.path(), &["check", file.to_str().expect("utf-8")]);
        assert_eq!(o.status.code(), Some(2), "{key}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(key) && err.contains(&implementation),
            "{key}: {err}"
        );
    }
    // Its adapter mutant without it (on the model) is bad usage too.
    let file = s.path().join("model.toml");
    let text = format!(
        "[cluster]\nnodes = 3\nmode = \"sync\"\nbug = \"{}\"\n",
        lib.mutant
    );
    std::fs::write(&file, text).expect("writes");
    let o = run(s.path(), &["check", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

pub fn show_prints_the_implementation(lib: &Library) {
    let s = Scratch::new(&format!("{}-show", lib.name));
    let path = root().join(format!(
        "scenarios/{}/sync-crashes-partitions.toml",
        lib.name
    ));
    let o = run(s.path(), &["show", path.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("implementation = \"{}\"", lib.name)),
        "{out}"
    );
    assert!(out.contains("commit_rule = \"current-term\""), "{out}");
}
