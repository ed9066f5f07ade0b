//! Each durability mode's order of operations, as it shows in the traces of real runs:
//! three nodes, a couple of virtual seconds, a steady write workload, no faults, fixed
//! seeds. The sans-IO order is pinned in raft-core's tests; these check that the world
//! executes it (blocks where the core blocks, reports durability when the disk says so)
//! and that what the modes promise about durability holds, or in async-handler mode is
//! visibly broken.
//!
//! Not here: crashes and the checker's verdicts on them (the scenario catalogue), or
//! determinism (`determinism.rs`).

mod world_trace;

use serde_json::Value;
use sim_scenario::Scenario;
use world_trace::*;

const SEEDS: [u64; 3] = [1, 2, 3];

/// Three nodes in `mode` (with its extra `[cluster]` keys), two clients writing 100/s
/// each for 2 s, no faults, no heal phase; disk and network at their defaults.
fn scenario_in(cluster: &str) -> Scenario {
    scenario(&format!(
        "[cluster]\nnodes = 3\n{cluster}\n\n\
         [workload]\nclients = 2\nwrite_rate_per_s = 100\n\n\
         [run]\nduration_ms = 2_000\nheal_ms = 0\n"
    ))
}

fn sync() -> Scenario {
    scenario_in("mode = \"sync\"")
}

fn parallel() -> Scenario {
    scenario_in("mode = \"parallel-append\"")
}

fn async_handler(client_ack: &str, follower_flush: &str) -> Scenario {
    scenario_in(&format!(
        "mode = \"async-handler\"\nclient_ack = \"{client_ack}\"\n\
         follower_flush = \"{follower_flush}\""
    ))
}

/// The lines that are a node's own doing: what its Raft thread did or started. A blocked
/// node may still receive (`deliver`, `timer`) and see its disk complete (`flush-done`,
/// `durable`), but it does none of these.
fn own_action(line: &Value) -> Option<u8> {
    match kind(line) {
        "send" | "append" | "truncate" | "commit" | "apply" | "role" | "log-write"
        | "log-truncate" | "flush" | "save-state" => node(line),
        _ => None,
    }
}

/// A run made progress: some writes were acknowledged. Keeps the checks below from
/// passing on an idle cluster.
fn assert_progress(t: &Trace, seed: u64) {
    let acked = t.count("client-ok");
    assert!(acked >= 20, "seed {seed}: only {acked} writes acknowledged");
}

/// Every commit, on any node, of entries a majority does not hold durably: (node, index,
/// durable copies). Checked when the `commit` line is read, so a later flush cannot hide
/// it.
fn commits_without_majority_durable(t: &Trace) -> Vec<(u8, u64, usize)> {
    let mut logs = Logs::new(3);
    let mut commit = [0u64; 3];
    let mut bad = Vec::new();
    for line in &t.lines {
        logs.observe(line);
        if kind(line) != "commit" {
            continue;
        }
        let n = node(line).expect("a commit has a node");
        let index = int(line, "index");
        for i in commit[usize::from(n) - 1] + 1..=index {
            let id = logs.in_memory(n, i).expect("a node commits what it holds");
            let copies = logs.durable_copies(i, id);
            if copies < 2 {
                bad.push((n, i, copies));
            }
        }
        commit[usize::from(n) - 1] = index;
    }
    bad
}

#[test]
fn sync_a_blocked_node_does_nothing_until_its_flush_returns() {
    for seed in SEEDS {
        let t = run_traced(&sync(), seed);
        assert_progress(&t, seed);
        // Per node: what it is blocked on, and whether the flush it waits for finished.
        let mut blocked: [Option<(String, bool)>; 3] = Default::default();
        let mut leading = [false; 3];
        let (mut log_blocks, mut delivered_while_blocked) = (0, 0);
        for line in &t.lines {
            let k = kind(line);
            if k == "role" {
                let n = int(line, "node") as usize;
                leading[n - 1] = line["role"] == "leader";
            }
            if k == "deliver" {
                let to = int(line, "to") as usize;
                if blocked[to - 1].is_some() {
                    delivered_while_blocked += 1;
                }
                continue;
            }
            if let Some(n) = own_action(line) {
                assert!(
                    blocked[usize::from(n) - 1].is_none(),
                    "seed {seed}: node {n} acted while blocked: {line}"
                );
            }
            let Some(n) = node(line) else { continue };
            let slot = &mut blocked[usize::from(n) - 1];
            match k {
                "block" => {
                    let on = line["on"].as_str().expect("block reason").to_string();
                    assert!(slot.is_none(), "seed {seed}: blocked twice: {line}");
                    assert!(
                        on == "log-flush" || on == "save-state" || on == "config-flush",
                        "seed {seed}: sync mode never waits for anything else: {line}"
                    );
                    // The leader's batches flush on the client path (NuRaft's
                    // `cli_lock_`): its Raft thread never waits for one.
                    assert!(
                        !(on == "log-flush" && leading[usize::from(n) - 1]),
                        "seed {seed}: the leader's Raft thread blocked on a batch: {line}"
                    );
                    log_blocks += usize::from(on == "log-flush");
                    *slot = Some((on, false));
                }
                "flush-done" => {
                    if let Some((on, done)) = slot {
                        let file = if on == "save-state" { "state" } else { "log" };
                        *done |= line["file"] == file && line["ok"] == true;
                    }
                }
                "unblock" => {
                    let (on, done) = slot.take().expect("unblock follows a block");
                    assert!(
                        done,
                        "seed {seed}: node {n} unblocked before its {on} completed: {line}"
                    );
                }
                "crash" => *slot = None,
                _ => {}
            }
        }
        assert!(
            log_blocks >= 50,
            "seed {seed}: {log_blocks} blocking flushes"
        );
        assert!(
            delivered_while_blocked > 0,
            "seed {seed}: no message ever reached a blocked node; the check saw nothing"
        );
    }
}

#[test]
fn sync_commits_only_what_a_majority_holds_durably() {
    for seed in SEEDS {
        let t = run_traced(&sync(), seed);
        assert_progress(&t, seed);
        assert_eq!(commits_without_majority_durable(&t), [], "seed {seed}");
        assert_eq!(t.count("hazard"), 0, "seed {seed}");
        assert_eq!(t.outcome.hazards.windows, 0, "seed {seed}");
    }
}

#[test]
fn parallel_followers_answer_only_what_they_hold_durably() {
    for seed in SEEDS {
        let t = run_traced(&parallel(), seed);
        assert_progress(&t, seed);
        let mut logs = Logs::new(3);
        let mut answers = 0;
        for line in &t.lines {
            logs.observe(line);
            if kind(line) != "send" || msg_type(line) != "append-response" {
                continue;
            }
            if line["msg"]["success"] != true {
                continue;
            }
            let n = node(line).expect("a sender");
            let m = int(&line["msg"], "match_index");
            assert!(
                logs.durable_prefix_matches_memory(n, m),
                "seed {seed}: node {n} answered match {m} with durable media to {}: {line}",
                logs.durable_last(n)
            );
            answers += 1;
        }
        assert!(answers >= 50, "seed {seed}: {answers} answers");
        assert!(
            t.count("block") > 0,
            "seed {seed}: followers sometimes wait for durability"
        );
    }
}

#[test]
fn parallel_leader_commits_only_what_a_majority_holds_durably() {
    for seed in SEEDS {
        let t = run_traced(&parallel(), seed);
        assert_progress(&t, seed);
        assert_eq!(commits_without_majority_durable(&t), [], "seed {seed}");
        assert_eq!(t.outcome.hazards.windows, 0, "seed {seed}");
    }
}

#[test]
fn async_handler_on_commit_opens_hazard_windows_without_any_crash() {
    for seed in SEEDS {
        let t = run_traced(&async_handler("commit", "background"), seed);
        assert_progress(&t, seed);
        assert_eq!(
            t.count("crash"),
            0,
            "seed {seed}: no faults in this scenario"
        );
        assert!(
            t.outcome.hazards.windows > 0,
            "seed {seed}: the leader counts its volatile copy, so the checker must see it"
        );
        assert!(
            t.count("hazard") > 0,
            "seed {seed}: windows are in the trace"
        );
        assert!(
            !commits_without_majority_durable(&t).is_empty(),
            "seed {seed}: this file's own reading of the trace agrees"
        );
    }
}

#[test]
fn async_handler_commit_and_flush_acks_only_what_the_leader_holds_durably() {
    for seed in SEEDS {
        let t = run_traced(&async_handler("commit-and-flush", "background"), seed);
        assert_progress(&t, seed);
        let mut logs = Logs::new(3);
        // Request -> (leader, index, entry) as the leader appended it.
        let mut appended = std::collections::BTreeMap::new();
        let mut acks = 0;
        for line in &t.lines {
            logs.observe(line);
            match kind(line) {
                "append" => {
                    let n = node(line).expect("a node");
                    if let (Some(req), "leader") = (opt_int(line, "req"), logs.role(n)) {
                        let index = int(line, "index");
                        let id = (int(line, "term"), Some(req));
                        appended.insert(req, (n, index, id));
                    }
                }
                "client-ok" => {
                    let req = int(line, "req");
                    let (n, index, id) = appended[&req];
                    assert!(
                        logs.durable_holds(n, index, id),
                        "seed {seed}: request {req} acknowledged before leader {n} \
                         held its entry {index} durably: {line}"
                    );
                    acks += 1;
                }
                _ => {}
            }
        }
        assert!(acks >= 20, "seed {seed}: {acks} acknowledgements");
    }
}
