//! `check-trace`: a trace judged after the fact finds what the run found — for passing
//! scenarios and for mutants that violate — a broken trace is refused with exit 2 and the
//! line and key at fault, and a trace written by hand from the contract's kinds alone (as
//! another implementation's harness would) is judged like one of ours.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;

/// `repro FILE --seed S --trace DIR/t.jsonl` from the workspace root: exit code, stdout.
fn repro(file: &str, seed: u64, trace: &Path) -> (Option<i32>, String) {
    let o = bin(&root())
        .args(["repro", file, "--seed", &seed.to_string(), "--trace"])
        .arg(trace)
        .output()
        .expect("sim-runner runs");
    (o.status.code(), stdout(&o))
}

/// `check-trace PATH`: exit code, stdout, stderr.
fn check_trace(trace: &Path) -> (Option<i32>, String, String) {
    let o = bin(&root())
        .arg("check-trace")
        .arg(trace)
        .output()
        .expect("sim-runner runs");
    (o.status.code(), stdout(&o), stderr(&o))
}

/// The per-invariant counts a report ends with (`  durability-loss: 3`), in order.
fn counts(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| {
            l.strip_prefix("  ").is_some_and(|rest| {
                rest.split_once(": ").is_some_and(|(name, n)| {
                    sim_trace::Invariant::from_name(name).is_some() && n.parse::<u64>().is_ok()
                })
            })
        })
        .map(str::to_string)
        .collect()
}

/// The violations reported in full: invariant, instant and detail, without where in the
/// trace `check-trace` found them.
fn violations(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("violation: ") || l.starts_with("    "))
        .map(|l| {
            let Some(open) = l.find(" (line ").or_else(|| l.find(" (end of trace")) else {
                return l.to_string();
            };
            let close = open + l[open..].find("):").expect("the place closes") + 1;
            format!("{}{}", &l[..open], &l[close..])
        })
        .collect()
}

/// (scenario, seed): passing scenarios, and mutants each violating something else —
/// acknowledged writes, committed entries and linearizability, liveness, the list-append
/// workload's lost appends, a term and vote lost (judged from the state file's
/// `save-state`, `flush` and `flush-done` lines), and process crashes (`"crash": "process"`,
/// the restart's sync as `durable` lines).
const RUNS: [(&str, u64); 10] = [
    ("scenarios/sync-crashes.toml", 1),
    ("scenarios/sync-partitions.toml", 1),
    (
        "scenarios/modes/sync-list-append-crashes-partitions.toml",
        1,
    ),
    ("scenarios/bugs/ack-before-commit.toml", 3),
    ("scenarios/bugs/completion-overshoots.toml", 1),
    ("scenarios/bugs/durable-index-starts-at-zero.toml", 2),
    ("scenarios/bugs/stale-write-after-truncate.toml", 1),
    ("scenarios/modes/nuraft-379-list-append.toml", 9),
    ("scenarios/bugs/state-file-not-atomic.toml", 2),
    ("scenarios/faults/process-crash.toml", 1),
];

#[test]
fn a_trace_of_ours_is_judged_as_its_run_was() {
    let s = Scratch::new("check-trace-same");
    let mut violating = 0;
    for (file, seed) in RUNS {
        let trace = s.path().join(format!("seed-{seed}.jsonl"));
        let (run_code, run_out) = repro(file, seed, &trace);
        let (code, out, err) = check_trace(&trace);
        assert_eq!(code, run_code, "{file} seed {seed}: {err}\n{out}");
        assert_eq!(counts(&out), counts(&run_out), "{file} seed {seed}:\n{out}");
        assert_eq!(
            violations(&out),
            violations(&run_out),
            "{file} seed {seed}: the same findings, told the same way"
        );
        assert!(
            out.contains("checked with the bounds of its resolved scenario"),
            "{out}"
        );
        if run_code == Some(1) {
            violating += 1;
            assert!(
                out.contains("agree with the violations reported here"),
                "{file} seed {seed}: the trace's own verdicts agree:\n{out}"
            );
        } else {
            assert!(out.ends_with("no violation\n"), "{out}");
        }
        let beyond_hazard = counts(&run_out)
            .iter()
            .filter(|c| !c.contains("durability-hazard"))
            .count();
        assert_eq!(
            beyond_hazard > 0,
            file.contains("bugs/") || file.contains("nuraft-379"),
            "{file} seed {seed} is meant to {}: {run_out}",
            if file.contains("bugs/") {
                "violate"
            } else {
                "pass"
            }
        );
    }
    assert_eq!(violating, 6);
}

/// A run that stops at `max_events` after its heal was not judged on liveness and
/// acknowledged writes; its trace is not either.
#[test]
fn a_run_that_hit_max_events_is_not_judged_at_its_end() {
    let s = Scratch::new("check-trace-max-events");
    let file = "scenarios/bugs/durable-index-starts-at-zero.toml";
    let full = s.path().join("full.jsonl");
    let (_, full_out) = repro(file, 2, &full);
    assert!(counts(&full_out).iter().any(|c| c.contains("liveness")));
    let events = common::jsonl(&full)
        .last()
        .and_then(|end| end["events"].as_u64())
        .expect("the end line counts events");
    let shown = bin(&root()).args(["show", file]).output().expect("runs");
    let cut = stdout(&shown).replace(
        "max_events = 5000000",
        &format!("max_events = {}", events - 1),
    );
    let cut_file = s.path().join("cut.toml");
    std::fs::write(&cut_file, cut).unwrap();
    let trace = s.path().join("cut.jsonl");
    let (run_code, run_out) = repro(cut_file.to_str().unwrap(), 2, &trace);
    assert!(
        !counts(&run_out).iter().any(|c| c.contains("liveness")),
        "{run_out}"
    );
    let (code, out, _) = check_trace(&trace);
    assert_eq!(code, run_code);
    assert_eq!(counts(&out), counts(&run_out));
    assert!(out.contains("the run hit its max_events"), "{out}");
}

/// One broken line: what to do to a good trace, and what the message must say.
struct Broken {
    name: &'static str,
    /// The line (1-based) the message names, given the good trace's lines.
    line: fn(&[Value]) -> usize,
    breaks: fn(&mut Vec<String>, &[Value]),
    says: &'static str,
}

/// The first line (1-based) of `kind`.
fn first(lines: &[Value], kind: &str) -> usize {
    1 + lines
        .iter()
        .position(|l| l["kind"] == kind)
        .unwrap_or_else(|| panic!("the trace has a {kind} line"))
}

/// The first line (1-based) whose predecessor's instant is not 0.
fn first_later(lines: &[Value]) -> usize {
    1 + (1..lines.len())
        .find(|&i| lines[i - 1]["t_ns"].as_u64() > Some(0))
        .expect("time passes")
}

/// The line (1-based) of the second append of the node of the first append.
fn second_append(lines: &[Value]) -> usize {
    let at = first(lines, "append");
    let node = &lines[at - 1]["node"];
    1 + (at..lines.len())
        .find(|&i| lines[i]["kind"] == "append" && lines[i]["node"] == *node)
        .expect("a second append of that node")
}

/// Line `n` (1-based) of `text`, changed by `f`.
fn edit(text: &mut [String], n: usize, f: impl FnOnce(&mut serde_json::Map<String, Value>)) {
    let mut v: Value = serde_json::from_str(&text[n - 1]).unwrap();
    f(v.as_object_mut().unwrap());
    text[n - 1] = v.to_string();
}

const BROKEN: &[Broken] = &[
    Broken {
        name: "bad JSON",
        line: |_| 5,
        breaks: |t, _| t[4] = r#"{"kind":"append","t_ns":"#.into(),
        says: "not JSON",
    },
    Broken {
        name: "no run line",
        line: |_| 1,
        breaks: |t, _| {
            t.remove(0);
        },
        says: r#"key "kind": expected "run" on the first line"#,
    },
    Broken {
        name: "unknown kind",
        line: |l| first(l, "append"),
        breaks: |t, l| {
            edit(t, first(l, "append"), |o| {
                o.insert("kind".into(), json!("checkpoint"));
            })
        },
        says: r#"key "kind": unknown kind "checkpoint""#,
    },
    Broken {
        name: "missing field",
        line: |l| first(l, "append"),
        breaks: |t, l| {
            edit(t, first(l, "append"), |o| {
                o.remove("term");
            })
        },
        says: r#"key "term": missing; expected an integer >= 0"#,
    },
    Broken {
        name: "t_ns decreasing",
        line: first_later,
        breaks: |t, l| {
            edit(t, first_later(l), |o| {
                o.insert("t_ns".into(), json!(0));
            })
        },
        says: r#"key "t_ns": 0 is before the previous line's"#,
    },
    Broken {
        name: "node out of range",
        line: |l| first(l, "commit"),
        breaks: |t, l| {
            edit(t, first(l, "commit"), |o| {
                o.insert("node".into(), json!(4));
            })
        },
        says: r#"key "node": expected a node id in 1..=3 (the run line's "nodes"), found 4"#,
    },
    Broken {
        name: "node 0",
        line: |l| first(l, "role"),
        breaks: |t, l| {
            edit(t, first(l, "role"), |o| {
                o.insert("node".into(), json!(0));
            })
        },
        says: r#"key "node": expected a node id in 1..=3"#,
    },
    Broken {
        name: "a line after end",
        line: |l| l.len() + 1,
        breaks: |t, l| {
            let t_ns = l.last().unwrap()["t_ns"].as_u64().unwrap();
            t.push(format!(r#"{{"kind":"heal","t_ns":{t_ns}}}"#));
        },
        says: r#"a "heal" line after the "end" line"#,
    },
    Broken {
        name: "a second run line",
        line: |_| 3,
        breaks: |t, _| t.insert(2, r#"{"kind":"run","t_ns":0,"nodes":3}"#.into()),
        says: r#"a second "run" line (the first is line 1)"#,
    },
    Broken {
        name: "an append past the end of the log",
        line: second_append,
        breaks: |t, l| {
            // The node's first append gone, its second lands past the end of its log.
            let at = first(l, "append");
            t[at - 1] = json!({"kind": "net-heal", "t_ns": l[at - 1]["t_ns"]}).to_string();
        },
        says: r#"key "index": node "#,
    },
];

#[test]
fn a_broken_trace_is_refused_with_its_line_and_key() {
    let s = Scratch::new("check-trace-broken");
    let good = s.path().join("good.jsonl");
    let (code, _) = repro("scenarios/sync-no-faults.toml", 1, &good);
    assert_eq!(code, Some(0));
    let (code, _, err) = check_trace(&good);
    assert_eq!(code, Some(0), "the good trace is judged: {err}");
    let lines = common::jsonl(&good);
    let text: Vec<String> = std::fs::read_to_string(&good)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    for case in BROKEN {
        let mut broken = text.clone();
        (case.breaks)(&mut broken, &lines);
        let path = s
            .path()
            .join(format!("{}.jsonl", case.name.replace(' ', "-")));
        std::fs::write(&path, broken.join("\n") + "\n").unwrap();
        let (code, out, err) = check_trace(&path);
        assert_eq!(code, Some(2), "{}: {err}{out}", case.name);
        let at = format!("{}:{}: ", path.display(), (case.line)(&lines));
        assert!(
            err.starts_with(&format!("error: {at}")) && err.contains(case.says),
            "{}: expected `{at}...{}`, got:\n{err}",
            case.name,
            case.says
        );
        assert!(out.is_empty(), "{}: nothing judged: {out}", case.name);
    }
}

/// A panic while judging is a bug of the checker: exit 3, said as such (the self-test makes
/// the trace of seed 7 panic where it is judged).
#[test]
fn a_panic_while_judging_exits_3() {
    let s = Scratch::new("check-trace-panic");
    let path = s.path().join("seed-7.jsonl");
    std::fs::write(
        &path,
        "{\"kind\":\"run\",\"t_ns\":0,\"nodes\":3,\"seed\":7}\n",
    )
    .unwrap();
    let o = bin(&root())
        .args(["check-trace"])
        .arg(&path)
        .env("SIM_RUNNER_SELF_TEST", "panic:7")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("the checker panicked") && stdout(&o).contains("self-test"),
        "{}",
        stdout(&o)
    );
    let (code, _, _) = check_trace(&path);
    assert_eq!(
        code,
        Some(0),
        "without the self-test the same trace is clean"
    );
}

#[test]
fn an_empty_or_missing_trace_is_refused() {
    let s = Scratch::new("check-trace-empty");
    let empty = s.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = check_trace(&empty);
    assert_eq!(code, Some(2));
    assert!(err.contains("the trace is empty"), "{err}");
    let (code, _, err) = check_trace(&s.path().join("nope.jsonl"));
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read"), "{err}");
}

/// A millisecond in `t_ns`.
const MS: u64 = 1_000_000;

/// A trace of another implementation, written from the contract's kinds alone: no
/// messages, no disk operations, no resolved scenario, no verdicts. Node 1 leads term 1,
/// writes request 1 to its log and node 2's, commits and acknowledges it; then both crash
/// before either copy is durable (`durable` is the flag), and node 3 leads term 2 without it.
fn foreign(durable: bool) -> String {
    let mut lines = vec![
        json!({"kind": "run", "t_ns": 0, "nodes": 3, "mode": "nuraft-async"}),
        json!({"kind": "role", "t_ns": 10 * MS, "node": 1, "role": "leader", "term": 1}),
        json!({"kind": "client-invoke", "t_ns": 20 * MS, "client": 1, "req": 1, "op": "write", "key": 0, "value": 7}),
        json!({"kind": "append", "t_ns": 30 * MS, "node": 1, "index": 1, "term": 1, "req": 1}),
        json!({"kind": "append", "t_ns": 40 * MS, "node": 2, "index": 1, "term": 1, "req": 1}),
    ];
    if durable {
        for node in [1, 2] {
            lines.push(json!({"kind": "durable", "t_ns": 45 * MS, "node": node, "from_index": 1, "index": 1, "term": 1}));
        }
    }
    lines.extend([
        json!({"kind": "commit", "t_ns": 50 * MS, "node": 1, "index": 1}),
        json!({"kind": "apply", "t_ns": 50 * MS, "node": 1, "index": 1, "term": 1, "req": 1}),
        json!({"kind": "client-ok", "t_ns": 60 * MS, "client": 1, "req": 1}),
        json!({"kind": "crash", "t_ns": 70 * MS, "node": 1}),
        json!({"kind": "crash", "t_ns": 80 * MS, "node": 2}),
        json!({"kind": "restart", "t_ns": 90 * MS, "node": 1, "log_first_index": 1, "log_last_index": if durable { 1 } else { 0 }, "log_last_term": if durable { 1 } else { 0 }, "dropped": 0, "term": 1, "vote": 1, "applied_index": 0}),
        json!({"kind": "restart", "t_ns": 90 * MS, "node": 2, "log_first_index": 1, "log_last_index": if durable { 1 } else { 0 }, "log_last_term": if durable { 1 } else { 0 }, "dropped": 0, "term": 1, "vote": 1, "applied_index": 0}),
        json!({"kind": "heal", "t_ns": 100 * MS}),
    ]);
    // The new leader: node 1 when the entry survived (node 3 never had it, so it cannot
    // win), else node 3; its term's first entry on every node, durable, committed.
    let leader = if durable { 1 } else { 3 };
    let next = if durable { 2 } else { 1 };
    lines.push(
        json!({"kind": "role", "t_ns": 110 * MS, "node": leader, "role": "leader", "term": 2}),
    );
    for node in [1, 2, 3] {
        if node == 3 && durable {
            lines.push(
                json!({"kind": "append", "t_ns": 120 * MS, "node": 3, "index": 1, "term": 1, "req": 1}),
            );
        }
        lines.push(json!({"kind": "append", "t_ns": 120 * MS, "node": node, "index": next, "term": 2, "req": null}));
        lines.push(json!({"kind": "durable", "t_ns": 120 * MS, "node": node, "from_index": 1, "index": next, "term": 2}));
    }
    lines.push(json!({"kind": "commit", "t_ns": 140 * MS, "node": leader, "index": next}));
    lines.push(json!({"kind": "end", "t_ns": 150 * MS}));
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn a_foreign_trace_that_loses_a_committed_entry_is_caught() {
    let s = Scratch::new("check-trace-foreign");
    let lossy = s.path().join("lossy.jsonl");
    std::fs::write(&lossy, foreign(false)).unwrap();
    let (code, out, err) = check_trace(&lossy);
    assert_eq!(code, Some(1), "{err}{out}");
    assert_eq!(
        counts(&out),
        [
            "  leader-completeness: 1",
            "  durability-loss: 2",
            "  acked-write-lost: 1",
            "  durability-hazard: 1"
        ],
        "lost when node 2 crashed, replaced when node 3 committed its own entry 1:\n{out}"
    );
    assert!(
        out.contains("violation: durability-loss at 0.080000s (line 10, t_ns 80000000; index 1, term 1, req 1): committed entry 1 (term 1, request 1) is held by no node any more"),
        "{out}"
    );
    assert!(
        out.contains("checked with the checker's defaults: the run line has no \"resolved\""),
        "{out}"
    );
    assert!(!out.contains("the trace's own violation lines"), "{out}");

    // The same history with both copies durable before the commit loses nothing.
    let safe = s.path().join("safe.jsonl");
    std::fs::write(&safe, foreign(true)).unwrap();
    let (code, out, err) = check_trace(&safe);
    assert_eq!(code, Some(0), "{err}{out}");
    assert!(out.ends_with("no violation\n"), "{out}");

    // Standard input reads the same.
    let mut child = bin(&root())
        .args(["check-trace", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(foreign(false).as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(counts(&stdout(&o)).contains(&"  durability-loss: 2".to_string()));
}

/// The writer's `violation`, `hazard` and `final` lines are not evidence: without them the
/// checkers find the same, and a `violation` line that says something else is reported as
/// disagreeing, not believed.
#[test]
fn the_writers_verdicts_are_not_evidence() {
    let s = Scratch::new("check-trace-verdicts");
    let trace = s.path().join("t.jsonl");
    let (run_code, run_out) = repro("scenarios/bugs/ack-before-commit.toml", 3, &trace);
    assert_eq!(run_code, Some(1));
    let text = std::fs::read_to_string(&trace).unwrap();
    let verdict = |l: &&str| {
        ["violation", "hazard", "final"]
            .iter()
            .any(|k| l.starts_with(&format!("{{\"kind\":\"{k}\"")))
    };
    let without: String = text
        .lines()
        .filter(|l| !verdict(l))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(without.len() < text.len(), "the trace has verdicts");
    let stripped = s.path().join("stripped.jsonl");
    std::fs::write(&stripped, without).unwrap();
    let (code, out, _) = check_trace(&stripped);
    assert_eq!(code, Some(1));
    assert_eq!(counts(&out), counts(&run_out));
    assert!(!out.contains("the trace's own violation lines"), "{out}");

    let claimed = text.replacen(
        "\"invariant\":\"acked-write-lost\"",
        "\"invariant\":\"election-safety\"",
        1,
    );
    assert_ne!(claimed, text);
    let edited = s.path().join("claimed.jsonl");
    std::fs::write(&edited, claimed).unwrap();
    let (code, out, _) = check_trace(&edited);
    assert_eq!(code, Some(1));
    assert_eq!(counts(&out), counts(&run_out), "the claim changes nothing");
    assert!(
        out.contains("the trace's own violation lines differ from the violations reported here: it says acked-write-lost x2, election-safety x1; reported here: acked-write-lost x3"),
        "{out}"
    );
}

/// The minimal foreign trace docs/trace.md shows is judged as it says.
#[test]
fn the_documented_minimal_trace_is_judged_as_documented() {
    let doc = std::fs::read_to_string(root().join("docs/trace.md")).expect("docs/trace.md");
    let at = doc
        .find("A minimal trace of another implementation")
        .expect("shown");
    let block = &doc[at..];
    let start = block.find("```\n").expect("a block") + 4;
    let end = start + block[start..].find("```").expect("its end");
    let s = Scratch::new("check-trace-doc");
    let path = s.path().join("minimal.jsonl");
    std::fs::write(&path, &block[start..end]).unwrap();
    let (code, out, err) = check_trace(&path);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        counts(&out),
        ["  durability-loss: 1", "  durability-hazard: 1"],
        "{out}"
    );
    assert!(
        out.contains("violation: durability-loss at 0.080000s (line 9, t_ns 80000000; index 1, term 1, req 1): "),
        "{out}"
    );
}

/// `Flush` -> `flush`, `FlushDone` -> `flush-done`: a `TraceEvent` variant's kind.
fn kebab(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Every kind the checkers read (`Step::kind` in sim-check's invariants, and the view's
/// `apply`) is one the reader reads from a trace, not one it skips: a checker that starts
/// reading another of the simulator's own kinds fails this until the reader decodes it.
#[test]
fn every_kind_the_checkers_read_is_read_from_a_trace() {
    let src = |p: &str| std::fs::read_to_string(root().join(p)).expect(p);
    let invariants = src("crates/sim-check/src/invariants/mod.rs");
    let kinds = &invariants[invariants.find("pub fn kind(self)").expect("Step::kind")..];
    let kinds = &kinds[..kinds.find("\n    }\n").expect("its end")];
    let view = src("crates/sim-check/src/view.rs");
    let apply = &view[view.find("pub fn apply").expect("View::apply")..];
    let apply = &apply[..apply.find("\n    }\n").expect("its end")];
    let mut read = Vec::new();
    for code in [kinds, apply] {
        for (at, _) in code.match_indices("TraceEvent::") {
            let name: String = code[at + 12..]
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            read.push(kebab(&name));
        }
    }
    assert!(read.contains(&"save-state".to_string()), "{read:?}");
    for kind in read {
        let contract = sim_trace::read::CONTRACT_KINDS.contains(&kind.as_str());
        let ours = sim_trace::read::SIMULATOR_KINDS_READ.contains(&kind.as_str());
        assert!(
            contract || ours,
            "the checkers read {kind:?} lines, which the reader skips"
        );
    }
}
