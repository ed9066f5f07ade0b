//! A run's trace in the Trace Event Format (the JSON that Perfetto and chrome://tracing
//! open): one process; per node a track of its roles and terms (follower, candidate, leader
//! of term T) with its crashes, restarts, commits and truncations as instant events, its
//! flushes as async slices from submit to completion (they overlap: group commit), and a
//! track of its Raft thread's blocks; a track for the cluster with faults, the heal,
//! hazard windows (async: they overlap) and violations (global instant events). Slices on
//! one track never overlap without nesting, as the format wants.
//!
//! It is drawn from the same extract of the trace as the timeline page
//! (`timeline::extract`), so the two always show the same spans. Times are virtual:
//! microseconds of simulated time, as the format wants.

use serde_json::{Value, json};

/// The track of events that belong to no node.
const CLUSTER_TID: u64 = 0;
/// Node `n`'s blocks are on track `BLOCKS_TID + n`.
const BLOCKS_TID: u64 = 1000;

/// Converts the trace's lines (in order) into a Trace Event Format document.
pub fn convert(lines: &[Value]) -> Value {
    let data = crate::timeline::extract(lines);
    let list = |key: &str| data[key].as_array().cloned().unwrap_or_default();
    let end = data["end"].as_f64().unwrap_or(0.0);
    let mut events = metadata(data["nodes"].as_u64().unwrap_or(0));
    for r in list("roles") {
        let name = format!("{} (term {})", r["role"].as_str().unwrap_or("?"), r["term"]);
        events.push(slice(&r, r["node"].as_u64().unwrap_or(0), &name, "role"));
    }
    for b in list("blocks") {
        let tid = BLOCKS_TID + b["node"].as_u64().unwrap_or(0);
        let name = format!("blocked: {}", b["on"].as_str().unwrap_or("?"));
        events.push(slice(&b, tid, &name, "block"));
    }
    for (id, f) in list("flushes").iter().enumerate() {
        let ok = f["ok"].as_bool().unwrap_or(true);
        let file = f["file"].as_str().unwrap_or("log");
        let name = if ok {
            format!("flush {file}")
        } else {
            format!("flush {file} FAILED")
        };
        let tid = f["node"].as_u64().unwrap_or(0);
        async_slice(&mut events, f, tid, &name, "flush", id as u64, end);
    }
    for h in list("hazards") {
        let index = h["index"].as_u64().unwrap_or(0);
        let name = format!("hazard: entry {index}");
        async_slice(&mut events, &h, CLUSTER_TID, &name, "hazard", index, end);
    }
    for m in list("marks") {
        let kind = m["kind"].as_str().unwrap_or("?");
        let tid = m["node"].as_u64().unwrap_or(CLUSTER_TID);
        let cat = if matches!(kind, "commit" | "restart" | "truncate") {
            kind
        } else {
            "fault"
        };
        events.push(instant(&m, tid, kind, cat, "t"));
    }
    for v in list("violations") {
        events.push(instant(&v, CLUSTER_TID, "violation", "violation", "g"));
    }
    json!({ "traceEvents": events, "displayTimeUnit": "ms" })
}

/// The process's and the tracks' names.
fn metadata(nodes: u64) -> Vec<Value> {
    let mut meta = vec![
        json!({ "name": "process_name", "ph": "M", "pid": 1, "args": { "name": "cluster" } }),
        json!({
            "name": "thread_name", "ph": "M", "pid": 1, "tid": CLUSTER_TID,
            "args": { "name": "cluster: faults, hazards, violations" },
        }),
    ];
    for n in 1..=nodes {
        meta.push(json!({
            "name": "thread_name", "ph": "M", "pid": 1, "tid": n,
            "args": { "name": format!("node {n}") },
        }));
        meta.push(json!({
            "name": "thread_name", "ph": "M", "pid": 1, "tid": BLOCKS_TID + n,
            "args": { "name": format!("node {n}: Raft thread blocked") },
        }));
    }
    meta
}

/// A complete slice from a span's `start` and `end`.
fn slice(span: &Value, tid: u64, name: &str, cat: &str) -> Value {
    let start = span["start"].as_f64().unwrap_or(0.0);
    let end = span["end"].as_f64().unwrap_or(start);
    json!({
        "name": name, "cat": cat, "ph": "X", "pid": 1, "tid": tid,
        "ts": start, "dur": (end - start).max(0.0), "args": span,
    })
}

/// An async slice (begin and end events); a span with no end lasts until `end`.
fn async_slice(
    out: &mut Vec<Value>,
    span: &Value,
    tid: u64,
    name: &str,
    cat: &str,
    id: u64,
    end: f64,
) {
    let start = span["start"].as_f64().unwrap_or(0.0);
    let stop = span["end"].as_f64().unwrap_or(end);
    for (ph, ts) in [("b", start), ("e", stop)] {
        out.push(json!({
            "name": name, "cat": cat, "ph": ph, "id": id, "pid": 1, "tid": tid,
            "ts": ts, "args": span,
        }));
    }
}

fn instant(at: &Value, tid: u64, name: &str, cat: &str, scope: &str) -> Value {
    json!({
        "name": name, "cat": cat, "ph": "i", "s": scope, "pid": 1, "tid": tid,
        "ts": at["t"].as_f64().unwrap_or(0.0), "args": at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_flushes_become_slices_and_a_violation_a_global_instant() {
        let doc = convert(&crate::timeline::tests::lines(
            r#"{"kind":"run","t_ns":0,"nodes":2}
{"kind":"role","t_ns":0,"node":1,"role":"follower","term":0}
{"kind":"role","t_ns":2000,"node":1,"role":"leader","term":1}
{"kind":"flush","t_ns":3000,"node":1,"op":7,"file":"log"}
{"kind":"flush-done","t_ns":5000,"node":1,"op":7,"file":"log","ok":true}
{"kind":"violation","t_ns":6000,"invariant":"durability-loss","detail":"x"}
{"kind":"end","t_ns":8000,"events":9,"trace_hash":"00"}"#,
        ));
        let events = doc["traceEvents"].as_array().expect("an array");
        let named = |name: &str| events.iter().find(|e| e["name"] == name).cloned();
        let follower = named("follower (term 0)").expect("a follower slice");
        assert_eq!(
            (follower["ts"].as_f64(), follower["dur"].as_f64()),
            (Some(0.0), Some(2.0))
        );
        let leader = named("leader (term 1)").expect("closed at the end");
        assert_eq!(leader["dur"].as_f64(), Some(6.0));
        let flush: Vec<&Value> = events.iter().filter(|e| e["name"] == "flush log").collect();
        assert_eq!(flush.len(), 2, "an async begin and end");
        assert_eq!(
            (flush[0]["ph"].as_str(), flush[0]["ts"].as_f64()),
            (Some("b"), Some(3.0))
        );
        assert_eq!(
            (flush[1]["ph"].as_str(), flush[1]["ts"].as_f64()),
            (Some("e"), Some(5.0))
        );
        let v = named("violation").expect("the violation");
        assert_eq!((v["ph"].as_str(), v["s"].as_str()), (Some("i"), Some("g")));
        let tracks = events.iter().filter(|e| e["name"] == "thread_name").count();
        assert_eq!(tracks, 5, "the cluster, two nodes and their blocks");
    }
}
