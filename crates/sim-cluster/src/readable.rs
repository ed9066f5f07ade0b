//! One readable line per trace event, for `-v` logs: the node (or `from -> to` for a
//! message) first, the kind, then the event's fields as `name value`, nested messages
//! flattened (`msg append-entries entries 2 leader_commit 41 ...`). The JSON stays in
//! `--trace`; this is for a person reading a run.
//!
//! It formats only; whether and where the line is written is the caller's (`world.rs`).

use serde_json::Value;
use sim_trace::TraceEvent;
use std::fmt;

/// A trace event as one line: `node 2  append  index 418 term 18 req 869`.
pub struct Readable<'a>(pub &'a TraceEvent);

impl fmt::Display for Readable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = serde_json::to_value(self.0).map_err(|_| fmt::Error)?;
        let kind = v["kind"].as_str().unwrap_or("?");
        match (v["node"].as_u64(), v["from"].as_u64(), v["to"].as_u64()) {
            (Some(n), _, _) => write!(f, "node {n}  {kind:<13}")?,
            (None, Some(a), Some(b)) => write!(f, "{:<8}{kind:<13}", format!("{a} -> {b}"))?,
            _ => write!(f, "{:<8}{kind:<13}", "")?,
        }
        if let Value::Object(fields) = &v {
            for (name, value) in fields {
                let skip = ["kind", "node", "t_ns", "resolved", "from", "to"];
                if skip.contains(&name.as_str()) {
                    continue;
                }
                write_field(f, name, value)?;
            }
        }
        Ok(())
    }
}

fn write_field(f: &mut fmt::Formatter<'_>, name: &str, value: &Value) -> fmt::Result {
    match value {
        Value::Null => Ok(()),
        Value::String(s) => write!(f, " {name} {s}"),
        Value::Object(inner) => {
            let kind = inner.get("type").and_then(Value::as_str).unwrap_or("");
            write!(f, " {name} {kind}")?;
            for (k, v) in inner {
                if k != "type" {
                    write_field(f, k, v)?;
                }
            }
            Ok(())
        }
        other => write!(f, " {name} {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::{LogIndex, NodeId, ReqId, Term};
    use sim_trace::MsgSummary;

    #[test]
    fn a_node_event_reads_as_a_line() {
        let ev = TraceEvent::Append {
            node: NodeId(2),
            index: LogIndex(418),
            term: Term(18),
            req: Some(ReqId(869)),
        };
        assert_eq!(
            Readable(&ev).to_string(),
            "node 2  append        index 418 req 869 term 18"
        );
        let send = TraceEvent::Send {
            from: NodeId(1),
            to: NodeId(3),
            msg: MsgSummary::VoteResponse {
                term: Term(4),
                granted: true,
            },
        };
        let line = Readable(&send).to_string();
        assert!(line.starts_with("1 -> 3  send"), "{line}");
        assert!(
            line.contains("msg vote-response granted true term 4"),
            "{line}"
        );
        assert!(!line.contains('{') && !line.contains('"'), "{line}");
    }
}
