//! `repro --timeline PATH.html`: one self-contained HTML page (no network, no CDN) that
//! draws a run against virtual time, as Maelstrom's timelines and Lamport diagrams do: a
//! lane per node and one for the clients and one for the cluster; each node's roles and
//! terms, its flushes in flight (a bar from submit to completion), its blocks, crashes,
//! restarts, truncations and commits; the faults, the heal and the hazard windows; the
//! messages that carried the entry a violation is about, as arrows; and the violation,
//! marked. Wheel to zoom, drag to pan, hover for details; a legend says what is what.
//!
//! It reads the trace's JSON lines, so it serves any implementation's trace. This file
//! extracts the data (`extract`, which `chrome_trace.rs` draws from too) and wraps it in
//! the page; the drawing is the page's own script (`timeline.js`, included at build time).

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Client ticks drawn at most; a longer run keeps the first ones (the page says so).
const CLIENT_TICKS_MAX: usize = 20_000;
/// Appends drawn at most, likewise.
const APPENDS_MAX: usize = 50_000;

/// The whole page for the trace's `lines`.
pub fn page(lines: &[Value]) -> String {
    let data = extract(lines);
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    // Nothing in the data may end the script element or open a comment in it (`</script>`,
    // `<!--`), nor break a line for JavaScript: those characters only occur inside JSON
    // strings, where their \u escapes mean the same.
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                safe.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => safe.push(c),
        }
    }
    // The script first: the data, inserted last, is never scanned for a placeholder.
    TEMPLATE
        .replacen("/*SCRIPT*/", SCRIPT, 1)
        .replacen("/*DATA*/", &safe, 1)
}

const TEMPLATE: &str = include_str!("timeline.html");
const SCRIPT: &str = include_str!("timeline.js");

fn us(line: &Value) -> f64 {
    line["t_ns"].as_u64().unwrap_or(0) as f64 / 1e3
}

/// What the page draws, from the trace.
pub fn extract(lines: &[Value]) -> Value {
    let mut x = Extract::default();
    for line in lines {
        x.line(line);
    }
    x.finish()
}

#[derive(Default)]
struct Extract {
    title: String,
    nodes: u64,
    end: f64,
    roles: Vec<Value>,
    open_roles: BTreeMap<u64, (String, u64, f64)>,
    flushes: Vec<Value>,
    open_flushes: BTreeMap<(u64, u64), (String, f64)>,
    blocks: Vec<Value>,
    open_blocks: BTreeMap<u64, (String, f64)>,
    marks: Vec<Value>,
    hazards: Vec<Value>,
    clients: Vec<Value>,
    clients_dropped: usize,
    appends: Vec<Value>,
    appends_dropped: usize,
    violations: Vec<Value>,
    /// Sends of AppendEntries, kept to match their deliveries: (from, to, msg) -> sent at.
    sends: BTreeMap<(u64, u64, String), Vec<f64>>,
    messages: Vec<Value>,
}

impl Extract {
    fn line(&mut self, line: &Value) {
        let t = us(line);
        self.end = self.end.max(t);
        let node = line["node"].as_u64();
        match line["kind"].as_str().unwrap_or_default() {
            "run" => {
                self.nodes = line["nodes"].as_u64().unwrap_or(0);
                self.title = format!(
                    "{} seed {} ({}, {} nodes)",
                    line["scenario"].as_str().unwrap_or("?"),
                    line["seed"],
                    line["mode"].as_str().unwrap_or("?"),
                    self.nodes
                );
            }
            "role" => self.role(node, line, t),
            "flush" => {
                if let (Some(n), Some(op)) = (node, line["op"].as_u64()) {
                    let file = line["file"].as_str().unwrap_or("log").to_string();
                    self.open_flushes.insert((n, op), (file, t));
                }
            }
            "flush-done" => self.flush_done(node, line, t),
            "block" => {
                if let Some(n) = node {
                    let on = line["on"].as_str().unwrap_or("").to_string();
                    self.open_blocks.insert(n, (on, t));
                }
            }
            "unblock" => {
                if let Some((on, start)) = node.and_then(|n| self.open_blocks.remove(&n)) {
                    self.blocks
                        .push(json!({"node": node, "start": start, "end": t, "on": on}));
                }
            }
            "crash" => self.crash(node, t),
            kind @ ("restart" | "truncate" | "commit") => self.mark(node, kind, t, line),
            kind @ ("partition" | "isolate" | "net-heal" | "heal" | "disk-stall"
            | "disk-resume") => self.mark(node, kind, t, line),
            "hazard" => self.hazards.push(json!({
                "start": line["opened_t_ns"].as_u64().unwrap_or(0) as f64 / 1e3,
                "end": line["closed_t_ns"].as_u64().map(|e| e as f64 / 1e3),
                "index": line["index"], "durable": line["durable_nodes"],
            })),
            kind @ ("client-ok" | "client-fail") => self.client(kind, t, line),
            "violation" => self.violations.push(json!({
                "t": t, "invariant": line["invariant"], "index": line["index"],
                "node": line["node"], "detail": line["detail"],
            })),
            "append" if self.appends.len() < APPENDS_MAX => self.appends.push(json!({
                "node": node, "t": t, "index": line["index"], "term": line["term"],
                "req": line["req"],
            })),
            "append" => self.appends_dropped += 1,
            "send" => self.send(line, t),
            "deliver" => self.deliver(line, t),
            _ => {}
        }
    }

    fn role(&mut self, node: Option<u64>, line: &Value, t: f64) {
        let Some(n) = node else { return };
        self.close_role(n, t);
        let role = line["role"].as_str().unwrap_or("follower").to_string();
        let term = line["term"].as_u64().unwrap_or(0);
        self.open_roles.insert(n, (role, term, t));
    }

    fn close_role(&mut self, n: u64, t: f64) {
        if let Some((role, term, start)) = self.open_roles.remove(&n) {
            self.roles
                .push(json!({"node": n, "start": start, "end": t, "role": role, "term": term}));
        }
    }

    fn flush_done(&mut self, node: Option<u64>, line: &Value, t: f64) {
        let (Some(n), Some(op)) = (node, line["op"].as_u64()) else {
            return;
        };
        if let Some((file, start)) = self.open_flushes.remove(&(n, op)) {
            let ok = line["ok"].as_bool().unwrap_or(true);
            self.flushes
                .push(json!({"node": n, "start": start, "end": t, "file": file, "ok": ok}));
        }
    }

    fn crash(&mut self, node: Option<u64>, t: f64) {
        let Some(n) = node else { return };
        self.close_role(n, t);
        self.open_blocks.remove(&n);
        let cut: Vec<(u64, u64)> = self
            .open_flushes
            .keys()
            .filter(|(m, _)| *m == n)
            .copied()
            .collect();
        for k in cut {
            if let Some((file, start)) = self.open_flushes.remove(&k) {
                self.flushes.push(json!({"node": n, "start": start, "end": t, "file": file, "ok": false, "cut": true}));
            }
        }
        self.marks
            .push(json!({"node": n, "t": t, "kind": "crash", "detail": "crash"}));
    }

    fn mark(&mut self, node: Option<u64>, kind: &str, t: f64, line: &Value) {
        let mut detail = line.clone();
        if let Some(o) = detail.as_object_mut() {
            o.remove("t_ns");
            o.remove("kind");
        }
        self.marks
            .push(json!({"node": node, "t": t, "kind": kind, "detail": detail.to_string()}));
    }

    fn client(&mut self, kind: &str, t: f64, line: &Value) {
        if self.clients.len() >= CLIENT_TICKS_MAX {
            self.clients_dropped += 1;
            return;
        }
        let outcome = match (kind, line["outcome"].as_str()) {
            ("client-ok", _) => "ok",
            (_, Some("unknown")) => "unknown",
            _ => "fail",
        };
        self.clients.push(
            json!({"t": t, "outcome": outcome, "req": line["req"], "client": line["client"]}),
        );
    }

    fn msg_key(line: &Value) -> Option<(u64, u64, String)> {
        let msg = &line["msg"];
        (msg["type"] == "append-entries").then(|| {
            (
                line["from"].as_u64().unwrap_or(0),
                line["to"].as_u64().unwrap_or(0),
                msg.to_string(),
            )
        })
    }

    fn send(&mut self, line: &Value, t: f64) {
        if let Some(k) = Self::msg_key(line) {
            self.sends.entry(k).or_default().push(t);
        }
    }

    fn deliver(&mut self, line: &Value, t: f64) {
        let Some(k) = Self::msg_key(line) else { return };
        let Some(sent) = self
            .sends
            .get_mut(&k)
            .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
        else {
            return;
        };
        let msg = &line["msg"];
        let prev = msg["prev_index"].as_u64().unwrap_or(0);
        let entries = msg["entries"].as_u64().unwrap_or(0);
        self.messages.push(json!({
            "from": k.0, "to": k.1, "sent": sent, "at": t,
            "first": prev + 1, "last": prev + entries, "term": msg["term"],
        }));
    }

    fn finish(mut self) -> Value {
        let end = self.end;
        let open: Vec<u64> = self.open_roles.keys().copied().collect();
        for n in open {
            self.close_role(n, end);
        }
        // Arrows only for the messages that carried an entry a violation names.
        let indexes: Vec<u64> = self
            .violations
            .iter()
            .filter_map(|v| v["index"].as_u64())
            .collect();
        let messages: Vec<Value> = self
            .messages
            .into_iter()
            .filter(|m| {
                let (a, b) = (
                    m["first"].as_u64().unwrap_or(0),
                    m["last"].as_u64().unwrap_or(0),
                );
                indexes.iter().any(|i| a <= *i && *i <= b)
            })
            .collect();
        json!({
            "title": self.title, "nodes": self.nodes, "end": end,
            "roles": self.roles, "flushes": self.flushes, "blocks": self.blocks,
            "marks": self.marks, "hazards": self.hazards, "clients": self.clients,
            "clients_dropped": self.clients_dropped, "violations": self.violations,
            "appends": self.appends, "appends_dropped": self.appends_dropped,
            "messages": messages,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A trace's lines from its text (for this file's and chrome_trace.rs's tests).
    pub(crate) fn lines(text: &str) -> Vec<Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    }

    #[test]
    fn the_entry_of_a_violation_keeps_its_messages_and_the_page_is_self_contained() {
        let trace = lines(
            r#"{"kind":"run","t_ns":0,"nodes":2,"scenario":"s","seed":7,"mode":"sync"}
{"kind":"role","t_ns":0,"node":1,"role":"leader","term":1}
{"kind":"send","t_ns":1000,"from":1,"to":2,"msg":{"type":"append-entries","term":1,"prev_index":4,"prev_term":1,"entries":2,"leader_commit":4}}
{"kind":"send","t_ns":1500,"from":1,"to":2,"msg":{"type":"append-entries","term":1,"prev_index":9,"prev_term":1,"entries":1,"leader_commit":4}}
{"kind":"deliver","t_ns":3000,"from":1,"to":2,"msg":{"type":"append-entries","term":1,"prev_index":4,"prev_term":1,"entries":2,"leader_commit":4}}
{"kind":"deliver","t_ns":3500,"from":1,"to":2,"msg":{"type":"append-entries","term":1,"prev_index":9,"prev_term":1,"entries":1,"leader_commit":4}}
{"kind":"violation","t_ns":9000,"invariant":"durability-loss","index":6,"detail":"lost </script> <!-- /*SCRIPT*/ /*DATA*/"}
{"kind":"end","t_ns":9000,"events":5,"trace_hash":"00"}"#,
        );
        let data = extract(&trace);
        let messages = data["messages"].as_array().expect("messages");
        assert_eq!(
            messages.len(),
            1,
            "only the one carrying entry 6: {messages:?}"
        );
        assert_eq!(
            (messages[0]["sent"].as_f64(), messages[0]["at"].as_f64()),
            (Some(1.0), Some(3.0))
        );
        assert_eq!(
            data["roles"][0]["end"].as_f64(),
            Some(9.0),
            "closed at the end"
        );
        let html = page(&trace);
        assert!(html.starts_with("<!DOCTYPE html>"));
        for fetch in ["src=\"http", "href=\"http", "<link", "import("] {
            assert!(!html.contains(fetch), "no network: {fetch}");
        }
        assert!(
            !html.contains("lost </script>"),
            "the data cannot close the script"
        );
        assert!(!html.contains("const DATA = /*DATA*/"), "the data is in");
        assert_eq!(
            html.matches("\"use strict\"").count(),
            1,
            "the script is in, once"
        );
    }
}
