//! The kinds a trace line may have and what each one's keys must hold, as docs/trace.md
//! lists them: a line's keys become a [`TraceEvent`] for the checkers, or a line the
//! checkers do not read.
//!
//! Three sorts of kinds:
//!
//! * the contract's (SCENARIO.md, "The trace"): every key the table names is required
//!   (`durable`'s `entries` aside, see [`Decoded::Durable`]), with its type and range;
//! * verdicts (`violation`, `hazard`, `final`): the writer's conclusions, not evidence; the
//!   checkers derive their own. Only a `violation`'s `invariant`, `node`, `index`, `term`
//!   and `req` are read, to compare the writer's verdict with the checkers';
//! * the simulator's own (messages, disk operations, timers, faults): never required of
//!   another implementation. Read when present: a delivered `vote-response` (it tells the
//!   story of an election) and the term and vote state's `save-state`, `flush` and
//!   `flush-done` (`term-vote-lost` judges what they made durable); of the others only the
//!   node ids, which must be in the cluster.
//!
//! This file reads one line at a time; what one line implies for the next (a log appended
//! past its end, a request answered twice) is `logs.rs`'s and `requests.rs`'s.

use super::error::Problem;
use super::fields::{Fields, INT_MAX, Int, normalize};
use crate::{
    ClientOp, CrashKind, DurableEntry, FailOutcome, FileKind, MsgSummary, ReadValue, SnapshotIndex,
    TraceEvent,
};
use raft_core::{LogIndex, NodeId, ReqId, Role, Term};
use serde_json::Value;

/// The kinds of the contract (SCENARIO.md), in the order of its table.
pub const CONTRACT_KINDS: [&str; 17] = [
    "run",
    "client-invoke",
    "client-ok",
    "client-fail",
    "role",
    "append",
    "truncate",
    "durable",
    "commit",
    "apply",
    "crash",
    "restart",
    "heal",
    "hazard",
    "violation",
    "final",
    "end",
];

/// The simulator's own kinds (docs/trace.md, "Our own events"): accepted, never required.
pub const SIMULATOR_KINDS: [&str; 22] = [
    "send",
    "deliver",
    "drop",
    "timer",
    "log-write",
    "log-truncate",
    "flush",
    "flush-done",
    "save-state",
    "block",
    "unblock",
    "disk-stall",
    "disk-resume",
    "partition",
    "isolate",
    "net-heal",
    "fault-noop",
    "client-redirect",
    "snapshot",
    "snapshot-durable",
    "compact",
    "compact-durable",
];

/// The simulator's own kinds the checkers read, when a trace has them: a delivered vote
/// (the story of an election) and the term and vote state's writes and flushes
/// (`term-vote-lost`). The others are only checked for their node ids.
pub const SIMULATOR_KINDS_READ: [&str; 8] = [
    "deliver",
    "save-state",
    "flush",
    "flush-done",
    "snapshot",
    "snapshot-durable",
    "compact",
    "compact-durable",
];

/// `kind` as a known kind name with a static lifetime, if it is one.
pub(crate) fn known(kind: &str) -> Option<&'static str> {
    CONTRACT_KINDS
        .iter()
        .chain(SIMULATOR_KINDS.iter())
        .find(|k| **k == kind)
        .copied()
}

/// The error for a kind nobody knows, with the kind meant when it is only spelled
/// differently (`client_ok`, `Append`).
pub(crate) fn unknown(kind: &str) -> Problem {
    let hint =
        known(&normalize(kind)).map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
    Problem::UnknownKind {
        found: kind.to_string(),
        hint,
        known: format!(
            "{}, and the simulator's own {} (docs/trace.md)",
            CONTRACT_KINDS.join(", "),
            SIMULATOR_KINDS.join(", ")
        ),
    }
}

/// A `violation` line as the writer wrote it: what it claims, to compare with what the
/// checkers find. The invariant is kept as written (another implementation may name
/// invariants this checker does not have).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterViolation {
    pub invariant: String,
    pub node: Option<NodeId>,
    pub index: Option<LogIndex>,
    pub term: Option<Term>,
    pub req: Option<ReqId>,
}

/// One line's keys, decoded.
pub(crate) enum Decoded {
    /// A line the checkers read, complete. A `client-ok`'s `value` is as written (absent:
    /// [`ReadValue::Write`], `null`: a read of nothing, an array: a list) until
    /// `requests.rs` holds it against the request's operation.
    Event(TraceEvent),
    /// A `durable` line. Without `entries`, the entries now durable at
    /// `from_index..=index` are the ones the node appended there (`logs.rs` fills them in):
    /// an implementation that cannot tell which write reached the media after a truncation
    /// may leave the key out.
    Durable {
        node: NodeId,
        from_index: LogIndex,
        index: LogIndex,
        term: Term,
        entries: Option<Vec<DurableEntry>>,
    },
    Violation(WriterViolation),
    /// A verdict other than a violation (`hazard`, `final`), or one of the simulator's own
    /// lines the checkers do not read.
    Ignored,
}

const ROLES: [(&str, Role); 3] = [
    ("follower", Role::Follower),
    ("candidate", Role::Candidate),
    ("leader", Role::Leader),
];

const OPS: [(&str, ClientOp); 4] = [
    ("write", ClientOp::Write),
    ("read", ClientOp::Read),
    ("append", ClientOp::Append),
    ("read-list", ClientOp::ReadList),
];

const FILES: [(&str, FileKind); 4] = [
    ("log", FileKind::Log),
    ("state", FileKind::State),
    ("snapshot", FileKind::Snapshot),
    ("log-dir", FileKind::LogDir),
];

const CRASH_KINDS: [(&str, CrashKind); 2] =
    [("power", CrashKind::Power), ("process", CrashKind::Process)];

const OUTCOMES: [(&str, FailOutcome); 2] = [
    ("fail", FailOutcome::Fail),
    ("unknown", FailOutcome::Unknown),
];

/// Decodes the keys of a line of `kind` (a known kind other than `run` and `end`).
pub(crate) fn decode(kind: &'static str, f: &Fields<'_>) -> Result<Decoded, Problem> {
    let ev = match kind {
        "client-invoke" => client_invoke(f)?,
        "client-ok" => TraceEvent::ClientOk {
            client: f.client("client")?,
            req: f.req("req")?,
            value: client_value(f)?,
        },
        "client-fail" => TraceEvent::ClientFail {
            client: f.client("client")?,
            req: f.req("req")?,
            outcome: f.one_of("outcome", &OUTCOMES)?,
        },
        "role" => TraceEvent::Role {
            node: f.node("node")?,
            role: f.one_of("role", &ROLES)?,
            term: f.term("term")?,
        },
        "append" => TraceEvent::Append {
            node: f.node("node")?,
            index: f.index("index")?,
            term: f.term("term")?,
            req: f.nullable_req("req")?,
        },
        "truncate" => TraceEvent::Truncate {
            node: f.node("node")?,
            from_index: f.index("from_index")?,
        },
        "durable" => return durable(f),
        "commit" => TraceEvent::Commit {
            node: f.node("node")?,
            index: f.index_or_zero("index")?,
        },
        "apply" => TraceEvent::Apply {
            node: f.node("node")?,
            index: f.index("index")?,
            term: f.term("term")?,
            req: f.nullable_req("req")?,
        },
        "crash" => TraceEvent::Crash {
            node: f.node("node")?,
            crash: if f.has("crash") {
                f.one_of("crash", &CRASH_KINDS)?
            } else {
                CrashKind::Power
            },
        },
        "restart" => TraceEvent::Restart {
            node: f.node("node")?,
            log_first_index: f.index_or_zero("log_first_index")?,
            log_last_index: f.index_or_zero("log_last_index")?,
            log_last_term: f.term("log_last_term")?,
            dropped: f.int("dropped", Int::Any)?,
            term: f.term("term")?,
            vote: f.nullable_node("vote")?,
            applied_index: f.index_or_zero("applied_index")?,
            snapshot_index: SnapshotIndex(if f.has("snapshot_index") {
                f.index_or_zero("snapshot_index")?
            } else {
                LogIndex::ZERO
            }),
        },
        "snapshot" => TraceEvent::Snapshot {
            node: f.node("node")?,
            index: f.index("index")?,
            term: f.term("term")?,
            installed: f.bool("installed")?,
        },
        "snapshot-durable" => TraceEvent::SnapshotDurable {
            node: f.node("node")?,
            index: f.index("index")?,
        },
        "compact" => TraceEvent::Compact {
            node: f.node("node")?,
            upto: f.index("upto")?,
        },
        "compact-durable" => TraceEvent::CompactDurable {
            node: f.node("node")?,
            upto: f.index("upto")?,
        },
        "heal" => TraceEvent::Heal,
        "save-state" => TraceEvent::SaveState {
            node: f.node("node")?,
            term: f.term("term")?,
            vote: f.nullable_node("vote")?,
        },
        "flush" => TraceEvent::Flush {
            node: f.node("node")?,
            op: f.int("op", Int::Any)?,
            file: f.one_of("file", &FILES)?,
        },
        "flush-done" => TraceEvent::FlushDone {
            node: f.node("node")?,
            op: f.int("op", Int::Any)?,
            file: f.one_of("file", &FILES)?,
            ok: f.bool("ok")?,
        },
        "violation" => return violation(f).map(Decoded::Violation),
        "deliver" => return deliver(f),
        _ => {
            // A verdict or one of the simulator's own lines: only its node ids are read.
            for key in ["node", "from", "to"] {
                f.optional_node(key)?;
            }
            return Ok(Decoded::Ignored);
        }
    };
    Ok(Decoded::Event(ev))
}

fn client_invoke(f: &Fields<'_>) -> Result<TraceEvent, Problem> {
    let op = f.one_of("op", &OPS)?;
    let value = f.optional_int("value", Int::Any)?;
    if value.is_none() && matches!(op, ClientOp::Write | ClientOp::Append) {
        return Err(Problem::missing(
            "value",
            "an integer >= 0 (the value a write or an append writes)",
        ));
    }
    Ok(TraceEvent::ClientInvoke {
        client: f.client("client")?,
        req: f.req("req")?,
        op,
        key: f.u32("key")?,
        value,
    })
}

/// A `client-ok`'s `value` as written: absent, `null`, an integer or a list of integers.
fn client_value(f: &Fields<'_>) -> Result<ReadValue, Problem> {
    let expected = "an integer, null or an array of integers";
    let Some(v) = f.get("value") else {
        return Ok(if f.has("value") {
            ReadValue::Read(None)
        } else {
            ReadValue::Write
        });
    };
    if let Some(n) = v.as_u64() {
        return Ok(ReadValue::Read(Some(n)));
    }
    let Some(items) = v.as_array() else {
        return Err(Problem::wrong("value", expected, v));
    };
    let list = items
        .iter()
        .map(|e| {
            e.as_u64()
                .ok_or_else(|| Problem::wrong("value", expected, v))
        })
        .collect::<Result<Vec<u64>, Problem>>()?;
    Ok(ReadValue::List(list))
}

fn durable(f: &Fields<'_>) -> Result<Decoded, Problem> {
    let entries = match f.get("entries") {
        None => None,
        Some(v) => Some(entries(v)?),
    };
    Ok(Decoded::Durable {
        node: f.node("node")?,
        from_index: f.index("from_index")?,
        index: f.index_or_zero("index")?,
        term: f.term("term")?,
        entries,
    })
}

/// `entries`: `[[term, req], ...]`, `req` null for an entry no client wrote.
fn entries(v: &Value) -> Result<Vec<DurableEntry>, Problem> {
    let expected = "an array of [term, req] pairs (req null for an entry no client wrote)";
    let wrong = || Problem::wrong("entries", expected, v);
    let int = |n: &Value| n.as_u64().filter(|n| *n <= INT_MAX).ok_or_else(wrong);
    let items = v.as_array().ok_or_else(wrong)?;
    items
        .iter()
        .map(|e| match e.as_array().map(Vec::as_slice) {
            Some([term, req]) => Ok(DurableEntry {
                term: Term(int(term)?),
                req: match req {
                    Value::Null => None,
                    r => Some(ReqId(int(r)?)),
                },
            }),
            _ => Err(wrong()),
        })
        .collect()
}

fn violation(f: &Fields<'_>) -> Result<WriterViolation, Problem> {
    Ok(WriterViolation {
        invariant: f.str("invariant")?.to_string(),
        node: f.optional_node("node")?,
        index: f.optional_int("index", Int::Any)?.map(LogIndex),
        term: f.optional_int("term", Int::Any)?.map(Term),
        req: f.optional_int("req", Int::Any)?.map(ReqId),
    })
}

/// A delivered message: the checkers read only a vote granted (who voted for whom, for the
/// story of an election); any other message is ignored, whatever its shape.
fn deliver(f: &Fields<'_>) -> Result<Decoded, Problem> {
    let from = f.optional_node("from")?;
    let to = f.optional_node("to")?;
    let vote = f
        .get("msg")
        .and_then(Value::as_object)
        .filter(|m| m.get("type").and_then(Value::as_str) == Some("vote-response"));
    let (Some(from), Some(to), Some(msg)) = (from, to, vote) else {
        return Ok(Decoded::Ignored);
    };
    let m = Fields::new(msg, 0);
    Ok(Decoded::Event(TraceEvent::Deliver {
        from,
        to,
        msg: MsgSummary::VoteResponse {
            term: m.term("term").map_err(|p| in_msg(p, msg))?,
            granted: m.bool("granted").map_err(|p| in_msg(p, msg))?,
        },
    }))
}

/// A problem with a key of `msg`, said as one with `msg` itself.
fn in_msg(p: Problem, msg: &serde_json::Map<String, Value>) -> Problem {
    Problem::wrong(
        "msg",
        format!("a vote-response with \"term\" and \"granted\" ({p})"),
        &Value::Object(msg.clone()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode_json(kind: &'static str, v: Value) -> Result<Decoded, Problem> {
        decode(kind, &Fields::new(v.as_object().expect("object"), 3))
    }

    fn event(kind: &'static str, v: Value) -> TraceEvent {
        match decode_json(kind, v) {
            Ok(Decoded::Event(ev)) => ev,
            Ok(_) => panic!("not an event"),
            Err(p) => panic!("{p}"),
        }
    }

    /// The kinds in the first column of a Markdown table under `heading` in `doc`.
    fn table_kinds(doc: &str, heading: &str) -> Vec<String> {
        let at = doc.find(heading).expect("the heading");
        doc[at..]
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .flat_map(|l| {
                let cell = l.split('|').nth(1).expect("a first cell");
                cell.split(',')
                    .map(|k| k.trim().trim_matches('`').to_string())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The reader knows exactly the kinds docs/trace.md lists, and every kind the
    /// simulator writes (`TraceEvent::kind`) is one of them.
    #[test]
    fn the_known_kinds_are_the_documented_ones_and_the_written_ones() {
        let doc = include_str!("../../../../docs/trace.md");
        assert_eq!(table_kinds(doc, "## The contract"), CONTRACT_KINDS);
        assert_eq!(table_kinds(doc, "## Our own events"), SIMULATOR_KINDS);
        let event = include_str!("../event.rs");
        let kind_fn = &event[event.find("pub fn kind(&self)").expect("TraceEvent::kind")..];
        let written: Vec<&str> = kind_fn
            .lines()
            .take_while(|l| !l.starts_with("    }"))
            .filter_map(|l| l.split("=> \"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(written.len(), 37, "{written:?}");
        for k in written {
            assert!(
                known(k).is_some(),
                "the simulator writes {k:?}, which the reader refuses"
            );
        }
    }

    #[test]
    fn every_kind_is_listed_once() {
        let mut all: Vec<&str> = CONTRACT_KINDS
            .iter()
            .chain(&SIMULATOR_KINDS)
            .copied()
            .collect();
        all.sort_unstable();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn a_client_ok_value_keeps_its_shape_until_its_request_is_known() {
        let ok = |v: Value| match event("client-ok", v) {
            TraceEvent::ClientOk { value, .. } => value,
            other => panic!("{other:?}"),
        };
        assert_eq!(ok(json!({"client": 1, "req": 2})), ReadValue::Write);
        assert_eq!(
            ok(json!({"client": 1, "req": 2, "value": null})),
            ReadValue::Read(None)
        );
        assert_eq!(
            ok(json!({"client": 1, "req": 2, "value": 7})),
            ReadValue::Read(Some(7))
        );
        assert_eq!(
            ok(json!({"client": 1, "req": 2, "value": [4, 9]})),
            ReadValue::List(vec![4, 9])
        );
        assert!(
            decode_json(
                "client-ok",
                json!({"client": 1, "req": 2, "value": [4, "9"]})
            )
            .is_err()
        );
    }

    #[test]
    fn a_write_needs_its_value() {
        let e = decode_json(
            "client-invoke",
            json!({"client": 1, "req": 2, "op": "write", "key": 0}),
        )
        .err()
        .expect("an error");
        assert!(e.to_string().starts_with(r#"key "value": missing"#), "{e}");
    }

    #[test]
    fn durable_entries_are_term_and_request_pairs() {
        let v = json!({"node": 1, "from_index": 1, "index": 2, "term": 1, "entries": [[1, null], [1, 5]]});
        match decode_json("durable", v) {
            Ok(Decoded::Durable { entries, .. }) => assert_eq!(
                entries,
                Some(vec![
                    DurableEntry {
                        term: Term(1),
                        req: None
                    },
                    DurableEntry {
                        term: Term(1),
                        req: Some(ReqId(5))
                    }
                ])
            ),
            _ => panic!("a durable line"),
        }
        let bad = json!({"node": 1, "from_index": 1, "index": 1, "term": 1, "entries": [[1]]});
        assert!(decode_json("durable", bad).is_err());
    }

    #[test]
    fn only_a_delivered_vote_is_read_and_other_messages_are_ignored() {
        let vote = json!({"from": 2, "to": 1, "msg": {"type": "vote-response", "term": 3, "granted": true}});
        assert!(matches!(
            event("deliver", vote),
            TraceEvent::Deliver {
                msg: MsgSummary::VoteResponse { granted: true, .. },
                ..
            }
        ));
        let other = json!({"from": 2, "to": 1, "msg": {"type": "install-snapshot"}});
        assert!(matches!(
            decode_json("deliver", other),
            Ok(Decoded::Ignored)
        ));
        let outside = json!({"from": 7, "to": 1, "msg": {}});
        assert!(decode_json("deliver", outside).is_err());
        let timer = json!({"node": 4, "timer": "election"});
        assert!(decode_json("timer", timer).is_err(), "node 4 of 3");
    }

    #[test]
    fn the_state_files_writes_and_flushes_are_read() {
        let save = json!({"node": 1, "term": 4, "vote": null});
        assert_eq!(
            event("save-state", save),
            TraceEvent::SaveState {
                node: NodeId(1),
                term: Term(4),
                vote: None
            }
        );
        let done = json!({"node": 2, "op": 7, "file": "state", "ok": true});
        assert_eq!(
            event("flush-done", done),
            TraceEvent::FlushDone {
                node: NodeId(2),
                op: 7,
                file: FileKind::State,
                ok: true
            }
        );
        let bad = json!({"node": 2, "op": 7, "file": "wal"});
        assert!(decode_json("flush", bad).is_err());
    }

    #[test]
    fn a_misspelt_kind_is_suggested() {
        let e = unknown("client_ok").to_string();
        assert!(
            e.contains(r#"unknown kind "client_ok" (did you mean "client-ok"?)"#),
            "{e}"
        );
        assert!(e.contains("known kinds: run, client-invoke"), "{e}");
    }
}
