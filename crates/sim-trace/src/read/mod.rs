//! Reading a trace back: the JSON lines of docs/trace.md, written by `repro --trace` or by
//! another implementation's harness, as the [`TraceEvent`]s the checkers judge — or the
//! first line that breaks the format, with its number, its key and what was expected.
//!
//! Start at [`TraceReader`]: an iterator of [`Record`]s over any `BufRead`. It holds every
//! line to the rules of the format:
//!
//! * the first line is `run`, with `nodes` (1..=`NODES_MAX`); one `run` per trace;
//! * every line is one JSON object with a known `kind` and an integer `t_ns` that never
//!   goes back;
//! * each kind's keys (`kinds.rs`), node ids within the cluster (`fields.rs`);
//! * each line agrees with the ones before it: logs grow at their end, media hold what a
//!   restart recovers, down nodes do nothing (`logs.rs`), requests are invoked once and
//!   end once (`requests.rs`);
//! * nothing follows `end` (which may be left out).
//!
//! It stops at the first line that breaks one ([`TraceError`]). It does not judge the run
//! (that is `sim-check`), re-verify the `end` line's counts, or read the lines the checkers
//! do not (most of the simulator's own messages and disk operations; see `kinds.rs` and
//! [`SIMULATOR_KINDS_READ`]).

mod error;
mod fields;
mod kinds;
mod logs;
mod requests;

pub use error::{Problem, TraceError};
pub use fields::INT_MAX;
pub use kinds::{CONTRACT_KINDS, SIMULATOR_KINDS, SIMULATOR_KINDS_READ, WriterViolation};

use crate::TraceEvent;
use fields::{Fields, Int};
use kinds::Decoded;
use logs::NodeLogs;
use raft_core::NODES_MAX;
use requests::Requests;
use serde_json::{Map, Value};
use sim_core::SimTime;
use std::io::{BufRead, Read};

/// The longest line read, in bytes. Our longest lines (a list read of
/// `raft_core::LIST_ELEMENTS_MAX` elements, the `run` line) are a few tens of kilobytes.
pub const LINE_BYTES_MAX: usize = 1 << 20;

/// One line of a trace, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// 1-based.
    pub line: u64,
    pub t: SimTime,
    pub item: Item,
}

/// What a line is.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// The first line.
    Run(RunLine),
    /// An event the checkers read.
    Event(TraceEvent),
    /// A `violation` line: the writer's verdict, not evidence.
    Violation(WriterViolation),
    /// A line the checkers do not read: a `hazard` or `final` verdict, or one of the
    /// simulator's own events (messages, disk operations, timers, faults).
    Ignored { kind: &'static str },
    /// The last line.
    End(EndLine),
}

/// The `run` line: how many nodes the cluster has, and what the writer says of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunLine {
    /// Required: node ids are `1..=nodes`.
    pub nodes: u8,
    pub seed: Option<u64>,
    pub scenario: Option<String>,
    pub mode: Option<String>,
    pub version: Option<String>,
    /// The resolved scenario, when the writer is this simulator (any JSON object).
    pub resolved: Option<Map<String, Value>>,
}

/// The `end` line. Its counts are the writer's; nothing re-derives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndLine {
    pub events: Option<u64>,
    pub trace_hash: Option<String>,
}

/// Where the reader is in the trace.
enum Stage {
    /// Before the `run` line.
    Start,
    /// After the `run` line at `run_line`.
    Body {
        run_line: u64,
        nodes: u8,
        logs: NodeLogs,
        requests: Requests,
    },
    /// After the `end` line at `line`.
    Ended { line: u64 },
    /// An error was returned: nothing more is read.
    Stopped,
}

/// Reads a trace line by line: an iterator of [`Record`]s that ends after the last line or
/// at the first error.
pub struct TraceReader<R: BufRead> {
    input: R,
    line: u64,
    /// The last line's instant and number.
    previous: (u64, u64),
    stage: Stage,
    buf: Vec<u8>,
}

impl<R: BufRead> TraceReader<R> {
    pub fn new(input: R) -> TraceReader<R> {
        TraceReader {
            input,
            line: 0,
            previous: (0, 0),
            stage: Stage::Start,
            buf: Vec::new(),
        }
    }

    /// The next line's bytes, without its line end; `None` at the end of the input.
    fn next_line(&mut self) -> Result<Option<&str>, Problem> {
        self.buf.clear();
        let limit = LINE_BYTES_MAX as u64 + 2;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| Problem::Io(e.to_string()))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > LINE_BYTES_MAX {
            return Err(Problem::TooLong {
                max: LINE_BYTES_MAX,
            });
        }
        std::str::from_utf8(&self.buf)
            .map(Some)
            .map_err(|_| Problem::NotUtf8)
    }

    /// Reads one line, or says why it cannot be read.
    fn read(&mut self) -> Result<Option<Record>, Problem> {
        let Some(text) = self.next_line()? else {
            return match self.stage {
                Stage::Start => Err(Problem::Empty),
                _ => Ok(None),
            };
        };
        let value: Value = serde_json::from_str(text).map_err(|e| Problem::Json(e.to_string()))?;
        let Value::Object(obj) = value else {
            return Err(Problem::NotObject {
                found: error::shown(&value),
            });
        };
        let line = self.line;
        let head = Fields::new(&obj, 0);
        let kind = head.str("kind")?;
        if let Stage::Ended { line: end } = self.stage {
            return Err(Problem::AfterEnd {
                kind: kind.to_string(),
                end,
            });
        }
        let t_ns = head.int("t_ns", Int::Any)?;
        let (previous, previous_line) = self.previous;
        if t_ns < previous {
            return Err(Problem::TimeBackwards {
                t_ns,
                previous,
                previous_line,
            });
        }
        let item = self.item(kind, &obj, line)?;
        self.previous = (t_ns, line);
        Ok(Some(Record {
            line,
            t: SimTime::from_ns(t_ns),
            item,
        }))
    }

    /// What line `line` of `kind` is, given the lines before it.
    fn item(&mut self, kind: &str, obj: &Map<String, Value>, line: u64) -> Result<Item, Problem> {
        match (&mut self.stage, kind) {
            (Stage::Start, "run") => {
                let run = run_line(obj)?;
                self.stage = Stage::Body {
                    run_line: line,
                    nodes: run.nodes,
                    logs: NodeLogs::new(run.nodes),
                    requests: Requests::default(),
                };
                Ok(Item::Run(run))
            }
            (Stage::Start, other) => Err(Problem::RunNotFirst {
                found: other.to_string(),
            }),
            (Stage::Body { run_line, .. }, "run") => {
                Err(Problem::DuplicateRun { first: *run_line })
            }
            (Stage::Body { nodes, .. }, "end") => {
                let end = end_line(&Fields::new(obj, *nodes))?;
                self.stage = Stage::Ended { line };
                Ok(Item::End(end))
            }
            (
                Stage::Body {
                    nodes,
                    logs,
                    requests,
                    ..
                },
                kind,
            ) => {
                let kind = kinds::known(kind).ok_or_else(|| kinds::unknown(kind))?;
                let decoded = kinds::decode(kind, &Fields::new(obj, *nodes))?;
                agree(decoded, kind, line, logs, requests)
            }
            (Stage::Ended { .. } | Stage::Stopped, _) => unreachable!("the reader stopped"),
        }
    }
}

impl<R: BufRead> Iterator for TraceReader<R> {
    type Item = Result<Record, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if matches!(self.stage, Stage::Stopped) {
            return None;
        }
        match self.read() {
            Ok(Some(record)) => Some(Ok(record)),
            Ok(None) => {
                self.stage = Stage::Stopped;
                None
            }
            Err(problem) => {
                self.stage = Stage::Stopped;
                Some(Err(problem.at(self.line)))
            }
        }
    }
}

/// Holds a decoded line to what the lines before it said of the logs and requests.
fn agree(
    decoded: Decoded,
    kind: &'static str,
    line: u64,
    logs: &mut NodeLogs,
    requests: &mut Requests,
) -> Result<Item, Problem> {
    let ev = match decoded {
        Decoded::Ignored => return Ok(Item::Ignored { kind }),
        Decoded::Violation(v) => return Ok(Item::Violation(v)),
        Decoded::Durable {
            node,
            from_index,
            index,
            term,
            entries,
        } => TraceEvent::Durable {
            node,
            from_index,
            index,
            term,
            entries: logs.durable(node, from_index, index, entries)?,
        },
        Decoded::Event(ev) => ev,
    };
    let ev = match ev {
        TraceEvent::ClientInvoke { .. }
        | TraceEvent::ClientOk { .. }
        | TraceEvent::ClientFail { .. } => requests.agree(ev, line)?,
        other => {
            logs.agree(&other, kind, line)?;
            other
        }
    };
    Ok(Item::Event(ev))
}

fn run_line(obj: &Map<String, Value>) -> Result<RunLine, Problem> {
    let f = Fields::new(obj, NODES_MAX);
    let expected = format!("an integer in 1..={NODES_MAX} (how many nodes the cluster has)");
    let nodes = match obj.get("nodes") {
        None => return Err(Problem::missing("nodes", expected)),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=u64::from(NODES_MAX)).contains(&n) => n as u8,
            _ => return Err(Problem::wrong("nodes", expected, v)),
        },
    };
    let resolved = match f.get("resolved") {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(v) => {
            return Err(Problem::wrong(
                "resolved",
                "an object (the resolved scenario)",
                v,
            ));
        }
    };
    Ok(RunLine {
        nodes,
        seed: f.optional_int("seed", Int::Wide)?,
        scenario: f.optional_str("scenario")?.map(str::to_string),
        mode: f.optional_str("mode")?.map(str::to_string),
        version: f.optional_str("version")?.map(str::to_string),
        resolved,
    })
}

fn end_line(f: &Fields<'_>) -> Result<EndLine, Problem> {
    Ok(EndLine {
        events: f.optional_int("events", Int::Wide)?,
        trace_hash: f.optional_str("trace_hash")?.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonl::{JsonlWriter, RunHeader};
    use crate::{ClientOp, CrashKind, DurableEntry, ReadValue, TimerKind};
    use raft_core::{ClientId, LogIndex, NodeId, ReqId, Role, Term};

    const N1: NodeId = NodeId(1);

    fn header() -> RunHeader {
        RunHeader {
            seed: 7,
            scenario: "s".into(),
            resolved: serde_json::json!({"cluster": {"nodes": 3}}),
            nodes: 3,
            mode: "sync".into(),
            version: "test".into(),
        }
    }

    /// Every record of `text`, or the first error.
    fn read(text: &str) -> Result<Vec<Record>, TraceError> {
        TraceReader::new(text.as_bytes()).collect()
    }

    fn error(text: &str) -> String {
        match read(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    const RUN: &str = r#"{"kind":"run","t_ns":0,"nodes":3}"#;

    /// `RUN`, then `lines`, one per line.
    fn trace(lines: &[&str]) -> String {
        let mut s = format!("{RUN}\n");
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    #[test]
    fn what_the_simulator_writes_reads_back_as_the_same_events() {
        let events = vec![
            TraceEvent::Role {
                node: N1,
                role: Role::Leader,
                term: Term(1),
            },
            TraceEvent::ClientInvoke {
                client: ClientId(2),
                req: ReqId(5),
                op: ClientOp::Write,
                key: 3,
                value: Some(9),
            },
            TraceEvent::Append {
                node: N1,
                index: LogIndex(1),
                term: Term(1),
                req: Some(ReqId(5)),
            },
            TraceEvent::Durable {
                node: N1,
                from_index: LogIndex(1),
                index: LogIndex(1),
                term: Term(1),
                entries: vec![DurableEntry {
                    term: Term(1),
                    req: Some(ReqId(5)),
                }],
            },
            TraceEvent::Commit {
                node: N1,
                index: LogIndex(1),
            },
            TraceEvent::Apply {
                node: N1,
                index: LogIndex(1),
                term: Term(1),
                req: Some(ReqId(5)),
            },
            TraceEvent::ClientOk {
                client: ClientId(2),
                req: ReqId(5),
                value: ReadValue::Write,
            },
            TraceEvent::ClientInvoke {
                client: ClientId(2),
                req: ReqId(6),
                op: ClientOp::Read,
                key: 4,
                value: None,
            },
            TraceEvent::ClientOk {
                client: ClientId(2),
                req: ReqId(6),
                value: ReadValue::Read(None),
            },
            TraceEvent::Crash {
                node: N1,
                crash: crate::CrashKind::Power,
            },
            TraceEvent::Restart {
                node: N1,
                log_first_index: LogIndex(1),
                log_last_index: LogIndex(1),
                log_last_term: Term(1),
                dropped: 0,
                term: Term(1),
                vote: Some(N1),
                applied_index: LogIndex::ZERO,
                snapshot_index: Default::default(),
            },
            TraceEvent::Heal,
        ];
        let mut w = JsonlWriter::new(Vec::new());
        w.header(&header()).unwrap();
        for (i, ev) in events.iter().enumerate() {
            w.event(SimTime::from_ns(i as u64), ev).unwrap();
        }
        let timer = TraceEvent::Timer {
            node: N1,
            timer: TimerKind::Election,
        };
        w.event(SimTime::from_ns(99), &timer).unwrap();
        w.end(SimTime::from_ns(100), 13, "abc").unwrap();
        let text = String::from_utf8(w.into_inner()).unwrap();
        let records = read(&text).expect("our own trace reads");
        let Item::Run(run) = &records[0].item else {
            panic!("run first")
        };
        assert_eq!((run.nodes, run.seed), (3, Some(7)));
        assert_eq!(run.mode.as_deref(), Some("sync"));
        assert!(run.resolved.is_some());
        let read_events: Vec<TraceEvent> = records
            .iter()
            .filter_map(|r| match &r.item {
                Item::Event(ev) => Some(ev.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(read_events, events);
        let n = records.len();
        assert_eq!(records[n - 2].item, Item::Ignored { kind: "timer" });
        assert_eq!(
            records[n - 1].item,
            Item::End(EndLine {
                events: Some(13),
                trace_hash: Some("abc".into())
            })
        );
        assert_eq!(records[n - 1].line, n as u64);
        assert_eq!(records[n - 1].t, SimTime::from_ns(100));
    }

    #[test]
    fn a_crash_line_says_its_kind_and_leaving_it_out_is_a_power_loss() {
        let records = read(&trace(&[
            r#"{"kind":"crash","t_ns":1,"node":1}"#,
            r#"{"kind":"crash","t_ns":2,"node":2,"crash":"process"}"#,
            r#"{"kind":"crash","t_ns":3,"node":3,"crash":"power"}"#,
        ]))
        .expect("a good trace");
        let kinds: Vec<CrashKind> = records
            .iter()
            .filter_map(|r| match r.item {
                Item::Event(TraceEvent::Crash { crash, .. }) => Some(crash),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            [CrashKind::Power, CrashKind::Process, CrashKind::Power]
        );
        let e = error(&trace(&[
            r#"{"kind":"crash","t_ns":1,"node":1,"crash":"Process"}"#,
        ]));
        assert!(e.contains(r#"did you mean "process""#), "{e}");
    }

    #[test]
    fn the_run_line_comes_first_once_and_says_how_many_nodes() {
        assert_eq!(
            error(""),
            "line 0: the trace is empty: expected a first line of kind \"run\" with \"nodes\" (docs/trace.md)"
        );
        let e = error(r#"{"kind":"crash","t_ns":0,"node":1}"#);
        assert!(
            e.starts_with(r#"line 1: key "kind": expected "run" on the first line"#),
            "{e}"
        );
        let e = error(r#"{"kind":"run","t_ns":0}"#);
        assert!(e.starts_with(r#"line 1: key "nodes": missing"#), "{e}");
        let e = error(r#"{"kind":"run","t_ns":0,"nodes":10}"#);
        assert!(e.contains("expected an integer in 1..=9"), "{e}");
        let e = error(&trace(&[RUN]));
        assert!(
            e.starts_with("line 2: key \"kind\": a second \"run\" line (the first is line 1)"),
            "{e}"
        );
    }

    #[test]
    fn nothing_follows_the_end_line() {
        let e = error(&trace(&[
            r#"{"kind":"end","t_ns":5}"#,
            r#"{"kind":"heal","t_ns":5}"#,
        ]));
        assert_eq!(
            e,
            "line 3: a \"heal\" line after the \"end\" line (line 2); \"end\" is the last line"
        );
        // `end` may be left out.
        assert!(read(&trace(&[r#"{"kind":"heal","t_ns":5}"#])).is_ok());
    }

    #[test]
    fn time_never_goes_back() {
        let e = error(&trace(&[
            r#"{"kind":"heal","t_ns":5}"#,
            r#"{"kind":"crash","t_ns":4,"node":1}"#,
        ]));
        assert_eq!(
            e,
            "line 3: key \"t_ns\": 4 is before the previous line's 5 (line 2); time never goes back in a trace"
        );
        let e = error(&trace(&[r#"{"kind":"heal","t_ns":-1}"#]));
        assert!(
            e.contains(r#"key "t_ns": expected an integer >= 0, found -1"#),
            "{e}"
        );
        let e = error(&trace(&[r#"{"kind":"heal"}"#]));
        assert!(e.contains(r#"key "t_ns": missing"#), "{e}");
    }

    #[test]
    fn lines_are_json_objects_with_a_known_kind() {
        let e = error(&trace(&[r#"{"kind":"crash","t_ns":1,"node":1"#]));
        assert!(e.starts_with("line 2: not JSON: "), "{e}");
        let e = error(&trace(&["[1, 2]"]));
        assert!(
            e.starts_with("line 2: expected one JSON object per line, found [1,2]"),
            "{e}"
        );
        let e = error(&trace(&[""]));
        assert!(e.starts_with("line 2: not JSON"), "{e}");
        let e = error(&trace(&[r#"{"kind":"checkpoint","t_ns":1}"#]));
        assert!(
            e.starts_with(r#"line 2: key "kind": unknown kind "checkpoint"; known kinds: run,"#),
            "{e}"
        );
        let e = error(&trace(&[r#"{"kind":7,"t_ns":1}"#]));
        assert!(
            e.contains(r#"key "kind": expected a string, found 7"#),
            "{e}"
        );
    }

    #[test]
    fn a_node_outside_the_cluster_is_refused_on_any_kind() {
        for line in [
            r#"{"kind":"crash","t_ns":1,"node":4}"#,
            r#"{"kind":"crash","t_ns":1,"node":0}"#,
            r#"{"kind":"flush","t_ns":1,"node":4,"op":1,"file":"log"}"#,
            r#"{"kind":"final","t_ns":1,"node":4,"up":false}"#,
        ] {
            let e = error(&trace(&[line]));
            assert!(
                e.contains(r#"key "node": expected a node id in 1..=3"#),
                "{e}"
            );
        }
    }

    #[test]
    fn a_line_against_the_ones_before_is_refused() {
        let e = error(&trace(&[
            r#"{"kind":"append","t_ns":1,"node":1,"index":2,"term":1,"req":null}"#,
        ]));
        assert!(
            e.starts_with(r#"line 2: key "index": node 1 appends entry 2 to a log of 0 entries"#),
            "{e}"
        );
        let e = error(&trace(&[
            r#"{"kind":"client-ok","t_ns":1,"client":1,"req":3}"#,
        ]));
        assert!(
            e.contains("request 3 ends but no client-invoke line invoked it"),
            "{e}"
        );
    }

    #[test]
    fn windows_line_ends_are_read_and_overlong_lines_refused() {
        let text = format!("{RUN}\r\n{{\"kind\":\"heal\",\"t_ns\":1}}\r\n");
        assert_eq!(read(&text).expect("CRLF reads").len(), 2);
        let long = format!("{RUN}\n{}\n", " ".repeat(LINE_BYTES_MAX + 1));
        assert!(error(&long).starts_with("line 2: the line is longer than"));
        let bytes = [RUN.as_bytes(), b"\n\xff\n"].concat();
        let e: Result<Vec<Record>, TraceError> = TraceReader::new(&bytes[..]).collect();
        assert_eq!(
            e.unwrap_err().to_string(),
            "line 2: the line is not UTF-8 text"
        );
    }

    proptest::proptest! {
        /// Any bytes after a run line are read or refused, never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(
            lines in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60), 0..8),
        ) {
            let mut bytes = format!("{RUN}\n").into_bytes();
            for l in lines {
                bytes.extend(l);
                bytes.push(b'\n');
            }
            for record in TraceReader::new(&bytes[..]) {
                if record.is_err() {
                    break;
                }
            }
        }
    }
}
