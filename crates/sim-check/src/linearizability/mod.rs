//! The linearizability checker: does a history of client operations on a key-value store
//! have an order, consistent with real time, in which every key behaves as a register?
//!
//! Start at [`check`]. It splits the history by key (sound for a store of independent
//! registers, as Porcupine and Knossos do) and checks each key in ascending order. First a
//! cheap, sound pre-check ([`Precheck`]) catches the common bad reads (a value never
//! written, absent after a completed write, a value overwritten before the read began) and
//! explains them by the ops involved. Then Wing & Gong's search as improved by Lowe
//! (Porcupine's `checkSingle`) decides: a doubly linked list of call and return events in
//! time order, a depth-first search that places any op whose call comes before the first
//! remaining return, a cache of (placed set, register value) that prunes positions already
//! explored, and backtracking. The search is the source of truth; the pre-check only
//! reports sooner, and more clearly, what the search would also find.
//!
//! Outcomes: `Fail` ops certainly did not happen and are dropped. `Unknown` ops may take
//! effect at any instant after their call, or never (their return is at +infinity). An
//! unknown read observed nothing and is dropped. An unknown write is never placed on its
//! own: only right before a read of its value, when the register holds another. Any
//! linearization can be rewritten that way, because an unknown write nobody reads right
//! after can be dropped (or was never needed) without changing what any op observed. So
//! unknown writes do not branch the search, and those whose value no read returned are
//! dropped up front. Writes of one value are interchangeable, so the search spends them in
//! call order, and a position that spent fewer of them is never worse than one that spent
//! more: the cache prunes by that dominance, not just by equality.
//!
//! This is not a general model checker: the only model is a register per key whose initial
//! value is absent, with blind writes and reads. It is bounded: [`Limits::steps_max`] caps
//! the search steps summed over all keys, and the cache grows by at most one entry per
//! step, so every call ends (with [`Verdict::Undecided`] if the bound is hit) instead of
//! hanging. Mostly sequential histories (a few concurrent clients) cost a few steps per op;
//! a history that is not linearizable makes the search exhaust every order of the ops
//! before the stuck one, which grows exponentially with how many ops overlap.
//! It is deterministic: no hash-map iteration, no clock, ties broken by input order, so
//! the same history always yields the same verdict and the same counterexample.
//!
//! Where each part lives: `key_history.rs` splits the history by key, `precheck.rs` holds
//! the read rules, `search.rs` the search over the call/return list of `events.rs` (with
//! the `cache.rs` of explored positions and the `bitset.rs` of placed ops), and
//! `explain.rs` turns a dead end into text. This file holds the public types and the
//! per-key driver that shares the step budget; the helpers are pure and know nothing of
//! other keys.

mod bitset;
mod cache;
mod events;
mod explain;
mod key_history;
mod precheck;
mod search;

use std::fmt;

use explain::explain_dead_end;
use key_history::{KeyHistory, Op, partition};
use precheck::{WriteIndex, precheck_key};
use search::{RunEnd, Search, SearchMemory, search_ops};

/// One client operation on one key, as recorded by the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The client that issued it; a client has at most one operation in flight.
    pub client: u32,
    /// The register it reads or writes.
    pub key: u32,
    /// Read or write.
    pub kind: OpKind,
    /// When the client sent it, in nanoseconds of simulated time.
    pub invoke_ns: u64,
    /// How it ended.
    pub outcome: OpOutcome,
    /// The caller's request id, echoed in counterexamples.
    pub id: u64,
}

/// What an operation does to its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// Set the key to `value`.
    Write { value: u64 },
    /// Observe the key.
    Read,
}

/// How an operation ended, as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpOutcome {
    /// It took effect at some instant between its invocation and `complete_ns`.
    Ok {
        /// When the client got the answer, in nanoseconds; at least `invoke_ns`.
        complete_ns: u64,
        /// Reads: the value observed, `None` for absent. Writes: always `None`.
        read_value: Option<u64>,
    },
    /// It certainly did not take effect.
    Fail,
    /// Indeterminate (timeout, crash): it may take effect at any instant after its
    /// invocation, or never.
    Unknown,
}

/// Bounds on one [`check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most search steps summed over all keys. A step is one move of the search: try
    /// to place an op, or undo one. Time and cache memory grow at most linearly with it:
    /// in a release build, 10,000,000 steps took 1.5 to 3.5 s and under 0.5 GB. Default:
    /// 1,000,000.
    pub steps_max: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            steps_max: 1_000_000,
        }
    }
}

/// The answer of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every key has a linearization.
    Linearizable,
    /// Some key has none; this is the lowest such key found.
    NotLinearizable(Counterexample),
    /// No key was found non-linearizable, but the search of `key` (the lowest such key)
    /// ran out of its share of [`Limits::steps_max`] after `steps` steps.
    Undecided { key: u32, steps: u64 },
}

/// Why one key cannot be linearized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    /// The key.
    pub key: u32,
    /// Ids of the ops involved. `ops[0]` is the op that could not be placed; then the ops
    /// that ruled it out (pre-check), or the end of the longest consistent order the
    /// search found, the write that set the register there, and the ops still pending.
    pub ops: Vec<u64>,
    /// A few lines a person can follow, naming ops by id, client, value and interval.
    pub explanation: String,
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "key {} is not linearizable (ops {:?}):\n{}",
            self.key, self.ops, self.explanation
        )
    }
}

/// Whether [`check_with`] runs the cheap read pre-check before the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precheck {
    /// Pre-check first: faster, and clearer explanations for the common bad reads.
    Enabled,
    /// Search only: for testing the search itself.
    Disabled,
}

/// Steps set aside per op for keys not yet checked, so one hard key cannot starve them.
const STEPS_RESERVED_PER_OP: u64 = 4;
/// How many ops of each kind a counterexample lists at most.
const COUNTEREXAMPLE_LIST_MAX: usize = 8;

/// Checks `history` against a register per key, with the pre-check enabled.
///
/// # Panics
/// On a malformed history (a bug in its recorder): an op that completes before it was
/// invoked, a write that reports a read value, or more than `u32::MAX / 4` ops on a key.
pub fn check(history: &[Operation], limits: Limits) -> Verdict {
    check_with(history, limits, Precheck::Enabled)
}

/// [`check`], choosing whether the read pre-check runs before the search.
///
/// Keys are checked in ascending order. Each key may use the steps left minus a reserve
/// of a few steps per op of the keys after it (but at least an even share), so a hard key
/// yields `Undecided` while later keys are still checked.
pub fn check_with(history: &[Operation], limits: Limits, precheck: Precheck) -> Verdict {
    let keys = partition(history);
    let reserve_of = |ops: usize| (ops as u64).saturating_mul(STEPS_RESERVED_PER_OP);
    let mut reserve = keys
        .kept_counts()
        .map(reserve_of)
        .fold(0u64, u64::saturating_add);
    let mut keys_left = keys.len() as u64;
    let mut steps_left = limits.steps_max;
    let mut undecided = None;
    let mut scratch = KeyScratch::default();
    // One key's ops at a time, in one reused buffer.
    let mut key_history = KeyHistory::default();
    for k in 0..keys.len() {
        keys.fill(k, &mut key_history);
        let history = &key_history;
        reserve = reserve.saturating_sub(reserve_of(history.ops.len()));
        let early = match precheck {
            Precheck::Enabled => precheck_key(history, &mut scratch.writes),
            Precheck::Disabled => None,
        };
        if let Some(counterexample) = early {
            return Verdict::NotLinearizable(counterexample);
        }
        let budget = (steps_left / keys_left).max(steps_left.saturating_sub(reserve));
        keys_left -= 1;
        let (outcome, steps) = search_key(history, budget, &mut scratch);
        assert!(
            steps <= budget,
            "key {}: search used {steps} > {budget} steps",
            history.key
        );
        steps_left -= steps;
        match outcome {
            SearchOutcome::Linearizable => {}
            SearchOutcome::Stuck(counterexample) => {
                return Verdict::NotLinearizable(counterexample);
            }
            SearchOutcome::OutOfSteps => {
                undecided.get_or_insert(Verdict::Undecided {
                    key: history.key,
                    steps,
                });
            }
        }
    }
    undecided.unwrap_or(Verdict::Linearizable)
}

/// How the search of one key ended, with the counterexample when it is stuck.
enum SearchOutcome {
    Linearizable,
    Stuck(Counterexample),
    OutOfSteps,
}

/// The buffers of one key's search, kept from key to key.
#[derive(Default)]
struct KeyScratch {
    writes: WriteIndex,
    ops: Vec<Op>,
    observed: Vec<u64>,
    memory: SearchMemory,
}

/// Searches one key for at most `budget` steps; returns how it ended and the steps taken.
fn search_key(history: &KeyHistory, budget: u64, scratch: &mut KeyScratch) -> (SearchOutcome, u64) {
    search_ops(history, &mut scratch.observed, &mut scratch.ops);
    let ops = &scratch.ops;
    let mut search = Search::new(ops, std::mem::take(&mut scratch.memory));
    let (end, steps) = search.run(budget);
    let outcome = match end {
        RunEnd::Linearizable => SearchOutcome::Linearizable,
        RunEnd::OutOfSteps => SearchOutcome::OutOfSteps,
        RunEnd::Stuck => {
            let dead_end = search
                .deepest
                .take()
                .expect("a failed search met a dead end");
            SearchOutcome::Stuck(explain_dead_end(history.key, ops, &dead_end))
        }
    };
    scratch.memory = search.into_memory();
    (outcome, steps)
}
