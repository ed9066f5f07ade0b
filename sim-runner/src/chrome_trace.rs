//! A run's trace in the Trace Event Format (the JSON that Perfetto and chrome://tracing
//! open): one process; per node a track of its roles and terms (follower, candidate, leader
//! of term T) with its crashes, restarts, commits and truncations as instant events, its
//! flushes as async slices from submit to completion (they overlap: group commit), and a
//! track of its Raft thread's blocks; a track for the cluster with faults, the heal,
//! hazard windows and violations (global instant events). Slices on one track never
//! overlap without nesting, as the format wants.
//!
//! It reads the trace's JSON lines (trace.md), not the simulator, so it serves any
//! implementation that writes the same trace. Times are virtual: microseconds of simulated
//! time, as the format wants.

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The track of events that belong to no node.
const CLUSTER_TID: u64 = 0;
/// Node `n`'s blocks are on track `BLOCKS_TID + n`.
const BLOCKS_TID: u64 = 1000;

/// Converts the trace's lines (in order) into a Trace Event Format document.
pub fn convert(lines: &[Value]) -> Value {
    let mut c = Converter::default();
    for line in lines {
        c.line(line);
    }
    c.finish()
}

#[derive(Default)]
struct Converter {
    events: Vec<Value>,
    nodes: u64,
    /// Per node: its current role slice (role, term, start µs).
    roles: BTreeMap<u64, (String, u64, f64)>,
    /// Per (node, op): a flush in flight (file, start µs).
    flushes: BTreeMap<(u64, u64), (String, f64)>,
    /// Per node: the start of its Raft thread's block and what it waits for.
    blocks: BTreeMap<u64, (String, f64)>,
    last_us: f64,
}

fn us(line: &Value) -> f64 {
    line["t_ns"].as_u64().unwrap_or(0) as f64 / 1e3
}

fn node_of(line: &Value) -> Option<u64> {
    line["node"].as_u64()
}

impl Converter {
    fn line(&mut self, line: &Value) {
        let t = us(line);
        self.last_us = self.last_us.max(t);
        let kind = line["kind"].as_str().unwrap_or_default();
        match kind {
            "run" => self.nodes = line["nodes"].as_u64().unwrap_or(0),
            "role" => self.role(line, t),
            "flush" => {
                if let (Some(n), Some(op)) = (node_of(line), line["op"].as_u64()) {
                    let file = line["file"].as_str().unwrap_or("log").to_string();
                    self.flushes.insert((n, op), (file, t));
                }
            }
            "flush-done" => self.flush_done(line, t),
            "block" => {
                if let Some(n) = node_of(line) {
                    let on = line["on"].as_str().unwrap_or("").to_string();
                    self.blocks.insert(n, (on, t));
                }
            }
            "unblock" => {
                if let Some((on, start)) = node_of(line).and_then(|n| self.blocks.remove(&n)) {
                    let tid = BLOCKS_TID + node_of(line).unwrap_or(0);
                    self.slice(tid, &format!("blocked: {on}"), "block", start, t, json!({}));
                }
            }
            "crash" => self.crash(line, t),
            "restart" | "commit" | "truncate" => self.node_instant(kind, line, t),
            "hazard" => self.hazard(line),
            "violation" => self.instant(CLUSTER_TID, kind, "violation", t, "g", line),
            "heal" | "partition" | "isolate" | "net-heal" | "disk-stall" | "disk-resume" => {
                let tid = if kind.starts_with("disk") {
                    node_of(line).unwrap_or(CLUSTER_TID)
                } else {
                    CLUSTER_TID
                };
                self.instant(tid, kind, "fault", t, "t", line);
            }
            _ => {}
        }
    }

    fn role(&mut self, line: &Value, t: f64) {
        let Some(n) = node_of(line) else { return };
        self.close_role(n, t);
        let role = line["role"].as_str().unwrap_or("follower").to_string();
        let term = line["term"].as_u64().unwrap_or(0);
        self.roles.insert(n, (role, term, t));
    }

    fn close_role(&mut self, n: u64, t: f64) {
        if let Some((role, term, start)) = self.roles.remove(&n) {
            let args = json!({ "term": term });
            self.slice(n, &format!("{role} (term {term})"), "role", start, t, args);
        }
    }

    fn flush_done(&mut self, line: &Value, t: f64) {
        let (Some(n), Some(op)) = (node_of(line), line["op"].as_u64()) else {
            return;
        };
        if let Some((file, start)) = self.flushes.remove(&(n, op)) {
            let ok = line["ok"].as_bool().unwrap_or(true);
            let name = if ok {
                format!("flush {file}")
            } else {
                format!("flush {file} FAILED")
            };
            for (ph, ts) in [("b", start), ("e", t)] {
                self.events.push(json!({
                    "name": name, "cat": "flush", "ph": ph, "id": op, "pid": 1, "tid": n,
                    "ts": ts, "args": { "op": op, "ok": ok },
                }));
            }
        }
    }

    fn crash(&mut self, line: &Value, t: f64) {
        let Some(n) = node_of(line) else { return };
        self.close_role(n, t);
        self.blocks.remove(&n);
        self.flushes.retain(|(m, _), _| *m != n);
        self.instant(n, "crash", "fault", t, "t", line);
    }

    fn node_instant(&mut self, kind: &str, line: &Value, t: f64) {
        let tid = node_of(line).unwrap_or(CLUSTER_TID);
        let name = match (kind, line["index"].as_u64(), line["from_index"].as_u64()) {
            ("commit", Some(i), _) => format!("commit {i}"),
            ("truncate", _, Some(i)) => format!("truncate from {i}"),
            _ => kind.to_string(),
        };
        self.instant(tid, &name, kind, t, "t", line);
    }

    fn hazard(&mut self, line: &Value) {
        let start = line["opened_t_ns"].as_u64().unwrap_or(0) as f64 / 1e3;
        let end = line["closed_t_ns"]
            .as_u64()
            .map_or(self.last_us, |e| e as f64 / 1e3);
        let index = line["index"].as_u64().unwrap_or(0);
        let args = json!({ "index": index, "durable_nodes": line["durable_nodes"].clone() });
        // Async: hazard windows overlap one another.
        let name = format!("hazard: entry {index}");
        for (ph, ts) in [("b", start), ("e", end)] {
            self.events.push(json!({
                "name": name, "cat": "hazard", "ph": ph, "id": index, "pid": 1,
                "tid": CLUSTER_TID, "ts": ts, "args": args,
            }));
        }
    }

    fn slice(&mut self, tid: u64, name: &str, cat: &str, start: f64, end: f64, args: Value) {
        self.events.push(json!({
            "name": name, "cat": cat, "ph": "X", "pid": 1, "tid": tid,
            "ts": start, "dur": (end - start).max(0.0), "args": args,
        }));
    }

    fn instant(&mut self, tid: u64, name: &str, cat: &str, t: f64, scope: &str, line: &Value) {
        let mut args = line.clone();
        if let Some(o) = args.as_object_mut() {
            o.remove("resolved");
        }
        self.events.push(json!({
            "name": name, "cat": cat, "ph": "i", "s": scope, "pid": 1, "tid": tid,
            "ts": t, "args": args,
        }));
    }

    /// Closes what is still open at the end, and names the process and the tracks.
    fn finish(mut self) -> Value {
        let end = self.last_us;
        let open: Vec<u64> = self.roles.keys().copied().collect();
        for n in open {
            self.close_role(n, end);
        }
        let mut meta = vec![json!({
            "name": "process_name", "ph": "M", "pid": 1, "args": { "name": "cluster" },
        })];
        meta.push(json!({
            "name": "thread_name", "ph": "M", "pid": 1, "tid": CLUSTER_TID,
            "args": { "name": "cluster: faults, hazards, violations" },
        }));
        for n in 1..=self.nodes {
            meta.push(json!({
                "name": "thread_name", "ph": "M", "pid": 1, "tid": n,
                "args": { "name": format!("node {n}") },
            }));
            meta.push(json!({
                "name": "thread_name", "ph": "M", "pid": 1, "tid": BLOCKS_TID + n,
                "args": { "name": format!("node {n}: Raft thread blocked") },
            }));
        }
        meta.extend(self.events);
        json!({ "traceEvents": meta, "displayTimeUnit": "ms" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    }

    #[test]
    fn roles_and_flushes_become_slices_and_a_violation_a_global_instant() {
        let doc = convert(&lines(
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
