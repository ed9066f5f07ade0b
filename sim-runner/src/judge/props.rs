//! Property tests of judging: no trace makes it panic. Two generators: lines drawn loosely
//! (most are refused; the reader's refusals are what is tested), and traces drawn to pass
//! the reader (logs grow at their end, restarts follow crashes, requests end once) while
//! saying odd things a real implementation might — commits past the log, applies of
//! entries never committed, leaders in old terms, reads of values never written — which
//! the checkers must judge, not trip on.

use super::judge;
use proptest::prelude::*;
use serde_json::{Value, json};

const RUN: &str = "{\"kind\":\"run\",\"t_ns\":0,\"nodes\":3}\n";

/// Small numbers mostly, now and then one at the edge of `u64`.
fn int() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => 0u64..5,
        1 => prop_oneof![Just(u64::MAX), Just(u64::MAX - 1), Just(1 << 63), Just((1 << 63) - 1)],
    ]
}

/// A node id, now and then outside the cluster of 3.
fn node() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 1u64..=3, 1 => 0u64..=5]
}

/// A line of one of the kinds the checkers read, its values drawn loosely.
fn loose_line() -> impl Strategy<Value = Value> {
    let op = prop_oneof![
        Just("write"),
        Just("read"),
        Just("append"),
        Just("read-list")
    ];
    let value = prop_oneof![
        Just(Value::Null),
        int().prop_map(Value::from),
        proptest::collection::vec(int(), 0..3).prop_map(Value::from),
    ];
    let role = prop_oneof![Just("follower"), Just("candidate"), Just("leader")];
    let entries = prop::option::of(proptest::collection::vec(
        (int(), prop::option::of(1u64..6)),
        0..3,
    ));
    prop_oneof![
        (node(), role, int())
            .prop_map(|(n, r, t)| json!({"kind": "role", "node": n, "role": r, "term": t})),
        (node(), int(), int(), prop::option::of(1u64..6)).prop_map(|(n, i, t, r)| {
            json!({"kind": "append", "node": n, "index": i, "term": t, "req": r})
        }),
        (node(), int()).prop_map(|(n, i)| json!({"kind": "truncate", "node": n, "from_index": i})),
        (node(), int(), int(), int(), entries).prop_map(|(n, f, i, t, e)| {
            let mut v =
                json!({"kind": "durable", "node": n, "from_index": f, "index": i, "term": t});
            if let Some(e) = e {
                v["entries"] = json!(e);
            }
            v
        }),
        (node(), int()).prop_map(|(n, i)| json!({"kind": "commit", "node": n, "index": i})),
        (node(), int(), int(), prop::option::of(1u64..6)).prop_map(|(n, i, t, r)| {
            json!({"kind": "apply", "node": n, "index": i, "term": t, "req": r})
        }),
        node().prop_map(|n| json!({"kind": "crash", "node": n})),
        (node(), int(), int(), int()).prop_map(|(n, l, t, a)| {
            json!({"kind": "restart", "node": n, "log_first_index": 1, "log_last_index": l,
                   "log_last_term": t, "dropped": 0, "term": t, "vote": null, "applied_index": a})
        }),
        (1u64..3, 1u64..6, op, 0u64..2, int()).prop_map(|(c, r, o, k, v)| {
            json!({"kind": "client-invoke", "client": c, "req": r, "op": o, "key": k, "value": v})
        }),
        (1u64..3, 1u64..6, value)
            .prop_map(|(c, r, v)| json!({"kind": "client-ok", "client": c, "req": r, "value": v})),
        (1u64..3, 1u64..6).prop_map(|(c, r)| {
            json!({"kind": "client-fail", "client": c, "req": r, "outcome": "unknown"})
        }),
        Just(json!({"kind": "heal"})),
    ]
}

/// What the lines so far said, enough to draw the next one so the reader accepts it.
#[derive(Default)]
struct Shadow {
    up: [bool; 3],
    log: [u64; 3],
    durable: [u64; 3],
    /// Requests invoked and not ended: id, client, operation.
    open: Vec<(u64, u64, &'static str)>,
    next_req: u64,
    t_ns: u64,
    healed: bool,
}

const OPS: [&str; 4] = ["write", "read", "append", "read-list"];
const ROLES: [&str; 3] = ["follower", "candidate", "leader"];

impl Shadow {
    fn new() -> Shadow {
        Shadow {
            up: [true; 3],
            next_req: 1,
            ..Shadow::default()
        }
    }

    /// The line `(k, a, b, c)` stands for, if there is one the reader accepts now.
    fn line(&mut self, (k, a, b, c): (u8, u64, u64, u64)) -> Option<Value> {
        self.t_ns += c % 3;
        let i = (a % 3) as usize;
        let n = i + 1;
        let req = |x: u64| (x % 4 != 0).then_some(x % 5 + 1);
        let line = match k % 14 {
            0 if self.up[i] => {
                json!({"kind": "role", "node": n, "role": ROLES[(b % 3) as usize], "term": c % 5})
            }
            1 if self.up[i] => {
                self.log[i] += 1;
                json!({"kind": "append", "node": n, "index": self.log[i], "term": b % 5, "req": req(c)})
            }
            2 if self.up[i] => {
                let from = 1 + b % (self.log[i] + 1);
                self.log[i] = self.log[i].min(from - 1);
                json!({"kind": "truncate", "node": n, "from_index": from})
            }
            3 => {
                let from = 1 + b % (self.durable[i] + 1);
                let count = c % 3;
                let entries: Vec<Value> =
                    (0..count).map(|x| json!([x + b % 4, req(c + x)])).collect();
                let len = self.durable[i].max(from - 1 + count);
                let index = if count == 0 {
                    c % (self.durable[i] + 1)
                } else {
                    len - c % 2
                };
                self.durable[i] = index;
                json!({"kind": "durable", "node": n, "from_index": from, "index": index, "term": b % 5, "entries": entries})
            }
            4 if self.up[i] => json!({"kind": "commit", "node": n, "index": b % (self.log[i] + 3)}),
            5 if self.up[i] => {
                json!({"kind": "apply", "node": n, "index": 1 + b % (self.log[i] + 2), "term": c % 5, "req": req(b)})
            }
            6 if self.up[i] => {
                self.up[i] = false;
                self.log[i] = 0;
                json!({"kind": "crash", "node": n})
            }
            7 if !self.up[i] => {
                self.up[i] = true;
                self.log[i] = b % (self.durable[i] + 1);
                json!({"kind": "restart", "node": n, "log_first_index": 1, "log_last_index": self.log[i],
                       "log_last_term": 1, "dropped": 0, "term": c % 5, "vote": null, "applied_index": c % 4})
            }
            8 => {
                let req = self.next_req;
                self.next_req += 1;
                let op = OPS[(b % 4) as usize];
                self.open.push((req, a % 2 + 1, op));
                json!({"kind": "client-invoke", "client": a % 2 + 1, "req": req, "op": op, "key": c % 2, "value": c % 3 + 1})
            }
            9 | 10 if !self.open.is_empty() => {
                let (req, client, op) = self.open.remove((b as usize) % self.open.len());
                if k % 14 == 10 {
                    let outcome = if c % 2 == 0 { "fail" } else { "unknown" };
                    return Some(self.at(json!({"kind": "client-fail", "client": client, "req": req, "outcome": outcome})));
                }
                let value = match op {
                    "read" => json!((c % 3 != 0).then_some(c % 4)),
                    "read-list" => json!((0..c % 3).map(|x| (x + a) % 5 + 1).collect::<Vec<_>>()),
                    _ => Value::Null,
                };
                json!({"kind": "client-ok", "client": client, "req": req, "value": value})
            }
            12 if self.up[i] => {
                json!({"kind": "save-state", "node": n, "term": b % 6, "vote": (c % 4 != 0).then_some(c % 3 + 1)})
            }
            13 => {
                let file = if b % 3 == 0 { "log" } else { "state" };
                let kind = if c % 2 == 0 { "flush" } else { "flush-done" };
                json!({"kind": kind, "node": n, "op": b % 4, "file": file, "ok": c % 5 != 0})
            }
            11 if !self.healed => {
                self.healed = true;
                json!({"kind": "heal"})
            }
            _ => return None,
        };
        Some(self.at(line))
    }

    fn at(&self, mut line: Value) -> Value {
        line["t_ns"] = json!(self.t_ns);
        line
    }
}

proptest! {
    /// Lines drawn loosely are judged or refused, never a panic.
    #[test]
    fn loose_lines_never_make_judging_panic(
        lines in proptest::collection::vec(loose_line(), 0..40),
        base in prop_oneof![Just(0u64), Just(1u64 << 62), Just(u64::MAX - 100)],
    ) {
        let mut text = String::from(RUN);
        for (i, mut l) in lines.into_iter().enumerate() {
            l["t_ns"] = json!(base.saturating_add(i as u64));
            text.push_str(&l.to_string());
            text.push('\n');
        }
        let _ = judge(text.as_bytes());
    }

    /// Traces the reader accepts, however odd what they say, are judged without a panic.
    #[test]
    fn accepted_traces_never_make_judging_panic(
        steps in proptest::collection::vec((any::<u8>(), any::<u64>(), any::<u64>(), any::<u64>()), 0..120),
    ) {
        let mut shadow = Shadow::new();
        let mut text = String::from(RUN);
        for step in steps {
            if let Some(line) = shadow.line(step) {
                text.push_str(&line.to_string());
                text.push('\n');
            }
        }
        let judged = judge(text.as_bytes());
        prop_assert!(judged.is_ok(), "refused: {}\n{text}", judged.err().map(|e| e.to_string()).unwrap_or_default());
    }
}

/// The first panic the loose lines found: a commit index of `u64::MAX` made the checker's
/// `index + 1` overflow. Indexes are bounded by `i64::MAX` now, and this one is refused.
#[test]
fn a_commit_index_of_u64_max_is_refused() {
    let text = format!(
        "{RUN}{}\n{}\n",
        json!({"kind": "commit", "t_ns": 0, "node": 3, "index": u64::MAX}),
        json!({"kind": "commit", "t_ns": 0, "node": 3, "index": 0}),
    );
    let e = judge(text.as_bytes()).err().expect("refused");
    assert_eq!(e.line, 2);
    assert!(e.to_string().contains("at most 9223372036854775807"), "{e}");
}
