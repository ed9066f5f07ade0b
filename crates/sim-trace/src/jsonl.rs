//! The JSON-lines form of a trace (`repro --trace PATH.jsonl`): a `run` line, one line per
//! event in processing order, and an `end` line with the trace hash.
//!
//! Every line is one JSON object whose first keys are `kind` and `t_ns`; the other keys
//! follow in sorted order. Fields and kinds are documented in docs/trace.md.

use crate::TraceEvent;
use serde::Serialize;
use sim_core::{SimTime, TraceHasher};
use std::hash::Hash;
use std::io::{self, Write};

/// Feeds one event, at its instant, into the running trace hash.
#[inline]
pub fn hash_event(hasher: &mut TraceHasher, t: SimTime, ev: &TraceEvent) {
    hasher.word(t.as_ns());
    ev.hash(hasher);
}

/// The first line of a trace.
#[derive(Clone, Debug, Serialize)]
pub struct RunHeader {
    pub seed: u64,
    /// The scenario's name.
    pub scenario: String,
    /// The full resolved scenario.
    pub resolved: serde_json::Value,
    pub nodes: u8,
    pub mode: String,
    /// The simulator's version (crate version and git commit when known).
    pub version: String,
}

/// Writes trace lines to any `Write` (usually a `BufWriter<File>`).
pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter { out }
    }

    pub fn header(&mut self, run: &RunHeader) -> io::Result<()> {
        self.line(
            "run",
            SimTime::ZERO,
            &serde_json::to_value(run).map_err(io::Error::other)?,
        )
    }

    pub fn event(&mut self, t: SimTime, ev: &TraceEvent) -> io::Result<()> {
        let value = serde_json::to_value(ev).map_err(io::Error::other)?;
        self.line(ev.kind(), t, &value)
    }

    /// The last line, then flushes.
    pub fn end(&mut self, t: SimTime, events: u64, trace_hash: &str) -> io::Result<()> {
        let value = serde_json::json!({ "events": events, "trace_hash": trace_hash });
        self.line("end", t, &value)?;
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, kind: &str, t: SimTime, fields: &serde_json::Value) -> io::Result<()> {
        write!(self.out, "{{\"kind\":\"{kind}\",\"t_ns\":{}", t.as_ns())?;
        if let serde_json::Value::Object(map) = fields {
            for (k, v) in map {
                if k == "kind" {
                    continue;
                }
                write!(self.out, ",{}:{}", serde_json::Value::String(k.clone()), v)?;
            }
        }
        self.out.write_all(b"}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientOp, NodeSet, ReadValue};
    use raft_core::{ClientId, LogIndex, NodeId, ReqId, Term};

    fn render(events: &[TraceEvent]) -> String {
        let mut w = JsonlWriter::new(Vec::new());
        for (i, e) in events.iter().enumerate() {
            w.event(SimTime::from_ns(i as u64 * 10), e).unwrap();
        }
        String::from_utf8(w.into_inner()).unwrap()
    }

    #[test]
    fn contract_lines_have_the_documented_shape() {
        let mut durable = NodeSet::default();
        durable.insert(NodeId(2));
        let text = render(&[
            TraceEvent::ClientInvoke {
                client: ClientId(1),
                req: ReqId(7),
                op: ClientOp::Write,
                key: 3,
                value: Some(70),
            },
            TraceEvent::ClientOk {
                client: ClientId(1),
                req: ReqId(7),
                value: ReadValue::Write,
            },
            TraceEvent::ClientOk {
                client: ClientId(1),
                req: ReqId(8),
                value: ReadValue::Read(None),
            },
            TraceEvent::Append {
                node: NodeId(1),
                index: LogIndex(4),
                term: Term(2),
                req: None,
            },
            TraceEvent::Hazard {
                index: LogIndex(4),
                term: Term(2),
                opened_t_ns: 5,
                closed_t_ns: None,
                durable_nodes: durable,
            },
            TraceEvent::Heal,
        ]);
        insta::assert_snapshot!(text, @r#"
        {"kind":"client-invoke","t_ns":0,"client":1,"key":3,"op":"write","req":7,"value":70}
        {"kind":"client-ok","t_ns":10,"client":1,"req":7}
        {"kind":"client-ok","t_ns":20,"client":1,"req":8,"value":null}
        {"kind":"append","t_ns":30,"index":4,"node":1,"req":null,"term":2}
        {"kind":"hazard","t_ns":40,"closed_t_ns":null,"durable_nodes":[2],"index":4,"opened_t_ns":5,"term":2}
        {"kind":"heal","t_ns":50}
        "#);
    }

    #[test]
    fn list_append_lines_carry_the_element_and_the_list() {
        let text = render(&[
            TraceEvent::ClientInvoke {
                client: ClientId(2),
                req: ReqId(9),
                op: ClientOp::Append,
                key: 1,
                value: Some(9),
            },
            TraceEvent::ClientInvoke {
                client: ClientId(3),
                req: ReqId(10),
                op: ClientOp::ReadList,
                key: 1,
                value: None,
            },
            TraceEvent::ClientOk {
                client: ClientId(3),
                req: ReqId(10),
                value: ReadValue::List(vec![4, 9]),
            },
            TraceEvent::ClientOk {
                client: ClientId(3),
                req: ReqId(11),
                value: ReadValue::List(vec![]),
            },
        ]);
        insta::assert_snapshot!(text, @r#"
        {"kind":"client-invoke","t_ns":0,"client":2,"key":1,"op":"append","req":9,"value":9}
        {"kind":"client-invoke","t_ns":10,"client":3,"key":1,"op":"read-list","req":10}
        {"kind":"client-ok","t_ns":20,"client":3,"req":10,"value":[4,9]}
        {"kind":"client-ok","t_ns":30,"client":3,"req":11,"value":[]}
        "#);
    }

    #[test]
    fn every_line_parses_back_as_json_with_kind_and_time() {
        let text = render(&[
            TraceEvent::Crash {
                node: NodeId(3),
                crash: crate::CrashKind::Power,
            },
            TraceEvent::NetHeal,
        ]);
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v["kind"].is_string());
            assert!(v["t_ns"].is_u64());
        }
    }

    #[test]
    fn hashing_depends_on_time_and_content() {
        let ev = TraceEvent::Crash {
            node: NodeId(3),
            crash: crate::CrashKind::Power,
        };
        let mut a = TraceHasher::new();
        hash_event(&mut a, SimTime::from_ns(1), &ev);
        let mut b = TraceHasher::new();
        hash_event(&mut b, SimTime::from_ns(2), &ev);
        let mut c = TraceHasher::new();
        hash_event(
            &mut c,
            SimTime::from_ns(1),
            &TraceEvent::Crash {
                node: NodeId(2),
                crash: crate::CrashKind::Power,
            },
        );
        assert_ne!(a.hex(), b.hex());
        assert_ne!(a.hex(), c.hex());
    }
}
