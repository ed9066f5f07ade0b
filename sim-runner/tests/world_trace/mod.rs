//! Reading a run's trace in the tests of the world (`world_*.rs`: a scenario in, the
//! world's behaviour out): run a scenario with the JSON-lines trace captured in memory,
//! parse every line into a `serde_json::Value`, and follow what the lines say about each
//! node's log in memory and on durable media.
//!
//! The trace format is SCENARIO.md's "The trace" plus the world's own kinds
//! (sim-trace's `event.rs`). This reads it as a user's analysis would; it is not the
//! checker (sim-check) and shares no code with it, so the two can disagree.

#![allow(dead_code)] // each test binary uses its own part of the helper

use serde_json::Value;
use sim_cluster::{RunOptions, RunOutcome};
use sim_scenario::Scenario;
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// A scenario from TOML text; panics with the parser's message on a bad one.
pub fn scenario(toml: &str) -> Scenario {
    sim_scenario::parse_str(toml, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// A run's outcome and its trace, one parsed JSON object per line.
pub struct Trace {
    pub outcome: RunOutcome,
    pub lines: Vec<Value>,
}

/// A `Write` whose bytes the test keeps after the world that owned it is gone.
#[derive(Clone, Default)]
struct SharedBuffer(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs one seed of a scenario, without a trace file.
pub fn run_seed(scenario: &Scenario, seed: u64) -> RunOutcome {
    sim_scenario::run_seed(&sim_scenario::world_config(scenario), seed)
}

/// Runs one seed with the trace captured.
pub fn run_traced(scenario: &Scenario, seed: u64) -> Trace {
    let buffer = SharedBuffer::default();
    let options = RunOptions {
        trace: Some(Box::new(buffer.clone())),
        ..RunOptions::default()
    };
    let outcome =
        sim_scenario::run_world(sim_scenario::world_config(scenario), seed, options, None);
    assert_eq!(outcome.trace_error, None, "the trace was written");
    let text = String::from_utf8(buffer.0.take()).expect("the trace is UTF-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(
        lines.last().map(kind),
        Some("end"),
        "the trace ends with its end line"
    );
    Trace { outcome, lines }
}

impl Trace {
    /// The lines of one kind.
    pub fn of_kind<'a>(&'a self, k: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.lines.iter().filter(move |l| kind(l) == k)
    }

    pub fn count(&self, k: &str) -> usize {
        self.of_kind(k).count()
    }
}

// --- Fields ------------------------------------------------------------------------------

pub fn kind(line: &Value) -> &str {
    line["kind"].as_str().expect("every line has a kind")
}

/// An integer field; panics if it is missing or not an integer.
pub fn int(line: &Value, field: &str) -> u64 {
    line[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no integer `{field}` in {line}"))
}

/// An integer field that may be `null`.
pub fn opt_int(line: &Value, field: &str) -> Option<u64> {
    let v = &line[field];
    if v.is_null() {
        None
    } else {
        Some(int(line, field))
    }
}

/// The node a line is about: `node`, or `from` for a message sent.
pub fn node(line: &Value) -> Option<u8> {
    let field = if kind(line) == "send" { "from" } else { "node" };
    line[field].as_u64().map(|n| n as u8)
}

/// The message type of a `send`/`deliver`/`drop` line (`"append-response"`, ...).
pub fn msg_type(line: &Value) -> &str {
    line["msg"]["type"].as_str().expect("a message line")
}

// --- What the lines say about the logs ----------------------------------------------------

/// The identity of a log entry: its term and the request that wrote it.
pub type EntryId = (u64, Option<u64>);

/// Each node's log in memory (from `append`/`truncate`) and on durable media (from
/// `durable`), and each node's role, as the trace has told them so far.
pub struct Logs {
    memory: Vec<Vec<EntryId>>,
    durable: Vec<Vec<EntryId>>,
    roles: Vec<String>,
}

impl Logs {
    pub fn new(nodes: u8) -> Logs {
        let n = usize::from(nodes);
        Logs {
            memory: vec![Vec::new(); n],
            durable: vec![Vec::new(); n],
            roles: vec!["follower".to_string(); n],
        }
    }

    /// Takes in one line (lines of other kinds are ignored).
    pub fn observe(&mut self, line: &Value) {
        let Some(n) = node(line) else { return };
        let n = usize::from(n) - 1;
        match kind(line) {
            "append" => {
                let index = int(line, "index") as usize;
                let mem = &mut self.memory[n];
                assert_eq!(index, mem.len() + 1, "appends continue the log: {line}");
                mem.push((int(line, "term"), opt_int(line, "req")));
            }
            "truncate" => {
                let from = int(line, "from_index") as usize;
                self.memory[n].truncate(from - 1);
            }
            "restart" => {
                let last = int(line, "log_last_index") as usize;
                self.memory[n] = self.durable[n].clone();
                self.memory[n].truncate(last);
            }
            "durable" => self.observe_durable(n, line),
            "role" => self.roles[n] = line["role"].as_str().expect("a role").to_string(),
            "crash" => self.roles[n] = "down".to_string(),
            _ => {}
        }
    }

    /// A `durable` line: entries written at `from_index..`, or a truncation to `index`.
    fn observe_durable(&mut self, n: usize, line: &Value) {
        let from = int(line, "from_index") as usize;
        let entries = line["entries"].as_array().expect("durable entries");
        let log = &mut self.durable[n];
        if entries.is_empty() {
            log.truncate(int(line, "index") as usize);
        } else if from <= log.len() + 1 {
            for (k, e) in entries.iter().enumerate() {
                let id = (
                    e[0].as_u64().expect("a term"),
                    e[1].as_u64(), // null for a no-op
                );
                match log.get_mut(from - 1 + k) {
                    Some(slot) => *slot = id,
                    None => log.push(id),
                }
            }
        }
        assert_eq!(
            log.len() as u64,
            int(line, "index"),
            "the durable log as read so far ends where the line says: {line}"
        );
    }

    /// The entry at `index` (from 1) in node `n`'s memory.
    pub fn in_memory(&self, n: u8, index: u64) -> Option<EntryId> {
        self.memory[usize::from(n) - 1]
            .get(index as usize - 1)
            .copied()
    }

    /// Whether node `n`'s durable media hold `id` at `index`.
    pub fn durable_holds(&self, n: u8, index: u64, id: EntryId) -> bool {
        self.durable[usize::from(n) - 1].get(index as usize - 1) == Some(&id)
    }

    /// The last index on node `n`'s durable media.
    pub fn durable_last(&self, n: u8) -> u64 {
        self.durable[usize::from(n) - 1].len() as u64
    }

    /// How many nodes hold `id` at `index` durably.
    pub fn durable_copies(&self, index: u64, id: EntryId) -> usize {
        (1..=self.durable.len() as u8)
            .filter(|&n| self.durable_holds(n, index, id))
            .count()
    }

    pub fn role(&self, n: u8) -> &str {
        &self.roles[usize::from(n) - 1]
    }

    /// Node `n`'s durable entries `1..=index` are the ones it holds in memory there.
    pub fn durable_prefix_matches_memory(&self, n: u8, index: u64) -> bool {
        (1..=index).all(|i| {
            self.in_memory(n, i)
                .is_some_and(|id| self.durable_holds(n, i, id))
        })
    }
}
