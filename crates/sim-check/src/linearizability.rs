//! The linearizability checker: does a history of client operations on a key-value store
//! have an order, consistent with real time, in which every key behaves as a register?
//!
//! Start at [`check`]. It splits the history by key (sound for a store of independent
//! registers, as Porcupine and Knossos do), then checks each key in ascending order with
//! Wing & Gong's search as improved by Lowe (Porcupine's `checkSingle`): a doubly linked
//! list of call and return events in time order, a depth-first search that linearizes any
//! op whose call comes before the first remaining return, a cache of (linearized set,
//! register value) that prunes states already explored, and backtracking. Before the
//! search, a cheap, sound pre-check ([`Precheck`]) catches the common bad reads (a value
//! never written, absent after a completed write, a value overwritten before the read
//! began) and explains them in terms of the ops involved; the search stays the source of
//! truth for everything the pre-check lets through.
//!
//! Outcomes: `Fail` ops certainly did not happen and are dropped; `Unknown` ops may take
//! effect at any instant after their call, or never, so their return sits at +infinity. An
//! unknown read observed nothing and is dropped. An unknown write whose value no read
//! observed is dropped too: placed last it changes nothing anyone saw, so dropping it
//! loses no linearization, and keeping it would only multiply the search.
//!
//! This is not a general model checker: the only model is a register per key whose initial
//! value is absent, with blind writes and reads. It is bounded: [`Limits::steps_max`] caps
//! the search steps summed over all keys, and the cache holds at most one entry per step,
//! so every call ends (with [`Verdict::Undecided`] if the bound is hit) instead of hanging.
//! It is deterministic: no hash-map iteration, no clock, ties broken by input order, so
//! the same history always yields the same verdict and the same counterexample.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

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
    /// to place an op, or undo one. Time and cache memory grow linearly with it (about 50
    /// bytes per step). Default: 1,000,000.
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

/// The most ops one key may have, so that event indices fit in `u32`.
const OPS_PER_KEY_MAX: usize = (u32::MAX / 4) as usize;
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
    let reserve_of = |k: &KeyHistory| (k.ops.len() as u64).saturating_mul(STEPS_RESERVED_PER_OP);
    let mut reserve = keys
        .values()
        .map(reserve_of)
        .fold(0u64, u64::saturating_add);
    let mut keys_left = keys.len() as u64;
    let mut steps_left = limits.steps_max;
    let mut undecided = None;
    for history in keys.values() {
        reserve -= reserve_of(history);
        if precheck == Precheck::Enabled {
            if let Some(counterexample) = precheck_key(history) {
                return Verdict::NotLinearizable(counterexample);
            }
        }
        let budget = (steps_left / keys_left).max(steps_left.saturating_sub(reserve));
        keys_left -= 1;
        let (outcome, steps) = search_key(history, budget);
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

// ---------------------------------------------------------------------------------------
// Per-key histories.

/// What an op does, with the value observed for reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Write(u64),
    Read(Option<u64>),
}

/// How an op ended, with the completion time when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    At(u64),
    Unknown,
    Failed,
}

/// One op of one key, in the checker's terms.
#[derive(Clone, Copy, Debug)]
struct Op {
    id: u64,
    client: u32,
    action: Action,
    invoke_ns: u64,
    end: End,
}

/// The ops of one key: `ops` holds the completed ops and the unknown writes, sorted by
/// invocation (ties in input order); failed writes are kept apart for explanations.
struct KeyHistory {
    key: u32,
    ops: Vec<Op>,
    failed_writes: Vec<Op>,
}

fn partition(history: &[Operation]) -> BTreeMap<u32, KeyHistory> {
    let mut keys: BTreeMap<u32, KeyHistory> = BTreeMap::new();
    for operation in history {
        let op = convert(operation);
        let entry = keys.entry(operation.key).or_insert_with(|| KeyHistory {
            key: operation.key,
            ops: Vec::new(),
            failed_writes: Vec::new(),
        });
        match (op.action, op.end) {
            (Action::Write(_), End::Failed) => entry.failed_writes.push(op),
            (Action::Read(_), End::Failed | End::Unknown) => {}
            _ => entry.ops.push(op),
        }
    }
    for history in keys.values_mut() {
        assert!(
            history.ops.len() <= OPS_PER_KEY_MAX,
            "key {}: {} ops exceed the {OPS_PER_KEY_MAX} one key may have; split the history",
            history.key,
            history.ops.len()
        );
        history.ops.sort_by_key(|op| op.invoke_ns); // Stable: ties stay in input order.
    }
    keys
}

fn convert(operation: &Operation) -> Op {
    let id = operation.id;
    let (end, read_value) = match operation.outcome {
        OpOutcome::Ok {
            complete_ns,
            read_value,
        } => {
            assert!(
                complete_ns >= operation.invoke_ns,
                "op #{id}: completes at {complete_ns}ns, before its invocation at {}ns; \
                 the history recorder swapped or lost a timestamp",
                operation.invoke_ns
            );
            (End::At(complete_ns), read_value)
        }
        OpOutcome::Fail => (End::Failed, None),
        OpOutcome::Unknown => (End::Unknown, None),
    };
    let action = match operation.kind {
        OpKind::Write { value } => {
            assert!(
                read_value.is_none(),
                "op #{id}: a write reports a read value"
            );
            Action::Write(value)
        }
        OpKind::Read => Action::Read(read_value),
    };
    Op {
        id,
        client: operation.client,
        action,
        invoke_ns: operation.invoke_ns,
        end,
    }
}

/// The ops the search must order: everything but unknown writes whose value no read saw.
fn search_ops(history: &KeyHistory) -> Vec<Op> {
    let observed: BTreeSet<u64> = history
        .ops
        .iter()
        .filter_map(|op| match op.action {
            Action::Read(value) => value,
            Action::Write(_) => None,
        })
        .collect();
    let keep = |op: &&Op| match (op.action, op.end) {
        (Action::Write(value), End::Unknown) => observed.contains(&value),
        _ => true,
    };
    history.ops.iter().filter(keep).copied().collect()
}

// ---------------------------------------------------------------------------------------
// The pre-check: sound rules about single reads, each with an explanation.

/// The writes of one key, indexed for the read rules.
struct WriteIndex {
    /// Writes (completed or unknown) by value, as indices into `ops`.
    by_value: BTreeMap<u64, Vec<usize>>,
    /// Completed writes in invocation order, as indices into `ops`.
    completed: Vec<usize>,
    /// `earliest[i]`: the write of `completed[i..]` that completes first.
    earliest: Vec<usize>,
}

impl WriteIndex {
    fn new(ops: &[Op]) -> Self {
        let mut by_value: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        let mut completed = Vec::new();
        for (index, op) in ops.iter().enumerate() {
            if let Action::Write(value) = op.action {
                by_value.entry(value).or_default().push(index);
                if let End::At(_) = op.end {
                    completed.push(index);
                }
            }
        }
        let mut earliest = completed.clone();
        for i in (0..earliest.len().saturating_sub(1)).rev() {
            if complete_ns(&ops[earliest[i + 1]]) < complete_ns(&ops[earliest[i]]) {
                earliest[i] = earliest[i + 1];
            }
        }
        WriteIndex {
            by_value,
            completed,
            earliest,
        }
    }

    /// The completed write invoked after `after_ns` that completes first.
    fn first_completed_after(&self, ops: &[Op], after_ns: u64) -> Option<usize> {
        let start = self
            .completed
            .partition_point(|&i| ops[i].invoke_ns <= after_ns);
        self.earliest.get(start).copied()
    }
}

fn complete_ns(op: &Op) -> u64 {
    match op.end {
        End::At(ns) => ns,
        End::Unknown | End::Failed => u64::MAX,
    }
}

fn precheck_key(history: &KeyHistory) -> Option<Counterexample> {
    let index = WriteIndex::new(&history.ops);
    history
        .ops
        .iter()
        .find_map(|read| match (read.action, read.end) {
            (Action::Read(value), End::At(_)) => precheck_read(history, &index, read, value),
            _ => None,
        })
}

fn precheck_read(
    history: &KeyHistory,
    index: &WriteIndex,
    read: &Op,
    value: Option<u64>,
) -> Option<Counterexample> {
    let ops = &history.ops;
    let Some(value) = value else {
        let write = &ops[*index.earliest.first()?];
        if complete_ns(write) >= read.invoke_ns {
            return None;
        }
        let why = format!(
            "{} completed at {}, before the read began; once written, a key is never absent again",
            describe(write),
            fmt_ns(complete_ns(write))
        );
        return Some(read_counterexample(history.key, read, &[write], &why));
    };
    let writers: Vec<&Op> = index
        .by_value
        .get(&value)
        .into_iter()
        .flatten()
        .map(|&i| &ops[i])
        .collect();
    if writers.is_empty() {
        let failed: Vec<&Op> = history
            .failed_writes
            .iter()
            .filter(|op| op.action == Action::Write(value))
            .collect();
        let why = match failed.first() {
            None => format!("no write of {value} was ever issued"),
            Some(op) => format!("the only writes of {value} failed, e.g. {}", describe(op)),
        };
        return Some(read_counterexample(history.key, read, &failed, &why));
    }
    if writers.iter().all(|w| w.invoke_ns > complete_ns(read)) {
        let why = format!(
            "every write of {value} began after the read completed, e.g. {}",
            describe(writers[0])
        );
        return Some(read_counterexample(history.key, read, &writers, &why));
    }
    let [writer] = writers[..] else { return None };
    let End::At(written_ns) = writer.end else {
        return None;
    };
    let later = &ops[index.first_completed_after(ops, written_ns)?];
    if complete_ns(later) >= read.invoke_ns {
        return None;
    }
    let why = format!(
        "{} ran entirely after {} (the only write of {value}) and before the read began; \
         no write of {value} can come after it",
        describe(later),
        describe(writer)
    );
    Some(read_counterexample(
        history.key,
        read,
        &[later, writer],
        &why,
    ))
}

fn read_counterexample(key: u32, read: &Op, cause: &[&Op], why: &str) -> Counterexample {
    let mut ops = vec![read.id];
    ops.extend(cause.iter().take(COUNTEREXAMPLE_LIST_MAX).map(|op| op.id));
    let explanation = format!("key {key}: {},\nbut {why}.", describe(read));
    Counterexample {
        key,
        ops,
        explanation,
    }
}

// ---------------------------------------------------------------------------------------
// The search.

const HEAD: u32 = 0;
const NIL: u32 = u32::MAX;

/// Whether an event is an op's call or its return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EventKind {
    Call,
    Return,
}

/// The call and return events of one key in time order, as a doubly linked list (node 0
/// is the head) from which the search lifts an op's two events and puts them back.
struct EventList {
    op: Vec<u32>,
    kind: Vec<EventKind>,
    /// For a call: its return node.
    partner: Vec<u32>,
    prev: Vec<u32>,
    next: Vec<u32>,
}

impl EventList {
    /// Sorted by time; at one instant calls come before returns (ops that touch are
    /// concurrent), and unknown returns come after everything.
    fn new(ops: &[Op]) -> Self {
        let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(2 * ops.len());
        for (index, op) in ops.iter().enumerate() {
            let index = u32::try_from(index).expect("op count bounded by OPS_PER_KEY_MAX");
            events.push((op.invoke_ns, 0, index));
            events.push(match op.end {
                End::At(ns) => (ns, 1, index),
                End::Unknown => (u64::MAX, 2, index),
                End::Failed => unreachable!("failed ops are dropped before the search"),
            });
        }
        events.sort_unstable();
        let nodes = events.len() + 1;
        let mut list = EventList {
            op: vec![NIL; nodes],
            kind: vec![EventKind::Call; nodes],
            partner: vec![NIL; nodes],
            prev: (0..nodes as u32).map(|n| n.wrapping_sub(1)).collect(),
            next: (1..=nodes as u32)
                .map(|n| if n as usize == nodes { NIL } else { n })
                .collect(),
        };
        let mut call_node = vec![NIL; ops.len()];
        for (position, &(_, rank, index)) in events.iter().enumerate() {
            let node = position as u32 + 1;
            list.op[node as usize] = index;
            if rank == 0 {
                call_node[index as usize] = node;
            } else {
                let call = call_node[index as usize];
                assert!(call != NIL, "op {index}: its return sorts before its call");
                list.kind[node as usize] = EventKind::Return;
                list.partner[call as usize] = node;
            }
        }
        list
    }

    fn next(&self, node: u32) -> u32 {
        self.next[node as usize]
    }

    /// Takes a call and its return out of the list.
    fn lift(&mut self, call: u32) {
        debug_assert_eq!(self.kind[call as usize], EventKind::Call);
        self.unlink(call);
        self.unlink(self.partner[call as usize]);
    }

    /// Puts back what the matching `lift` took out (lifts are undone last-in first-out).
    fn unlift(&mut self, call: u32) {
        self.relink(self.partner[call as usize]);
        self.relink(call);
    }

    fn unlink(&mut self, node: u32) {
        let (prev, next) = (self.prev[node as usize], self.next[node as usize]);
        self.next[prev as usize] = next;
        if next != NIL {
            self.prev[next as usize] = prev;
        }
    }

    fn relink(&mut self, node: u32) {
        let (prev, next) = (self.prev[node as usize], self.next[node as usize]);
        self.next[prev as usize] = node;
        if next != NIL {
            self.prev[next as usize] = node;
        }
    }
}

/// A fixed-size set of op indices.
struct Bitset {
    words: Vec<u64>,
    len: u32,
}

impl Bitset {
    fn new(len: u32) -> Self {
        Bitset {
            words: vec![0; (len as usize).div_ceil(64)],
            len,
        }
    }

    fn contains(&self, i: u32) -> bool {
        self.words[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    fn insert(&mut self, i: u32) {
        assert!(
            i < self.len && !self.contains(i),
            "bitset: {i} already in or out of range"
        );
        self.words[(i / 64) as usize] |= 1 << (i % 64);
    }

    fn remove(&mut self, i: u32) {
        assert!(self.contains(i), "bitset: {i} is not in the set");
        self.words[(i / 64) as usize] &= !(1 << (i % 64));
    }

    /// The first index at or after `from` not in the set, or `len`.
    fn next_absent(&self, from: u32) -> u32 {
        let mut word = (from / 64) as usize;
        let mut free = !self.words.get(word).copied().unwrap_or(0) & (u64::MAX << (from % 64));
        while free == 0 && word + 1 < self.words.len() {
            word += 1;
            free = !self.words[word];
        }
        let found = if free == 0 {
            self.len
        } else {
            word as u32 * 64 + free.trailing_zeros()
        };
        found.min(self.len)
    }

    /// Appends the indices in `from..to` that are not in the set.
    fn absent_in(&self, from: u32, to: u32, out: &mut Vec<u32>) {
        let mut i = self.next_absent(from);
        while i < to {
            out.push(i);
            i = self.next_absent(i + 1);
        }
    }
}

/// The register model: the value after `action`, or `None` if `action` cannot happen in
/// `state`.
fn apply(state: Option<u64>, action: Action) -> Option<Option<u64>> {
    match action {
        Action::Write(value) => Some(Some(value)),
        Action::Read(observed) => (observed == state).then_some(state),
    }
}

/// A linearized set and register value already explored. The set is exactly
/// `0..high` minus `holes`; `holes` stays small because an op below `high` can be left
/// out only while it overlaps the op at `high - 1` (or is unknown).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    high: u32,
    holes: Vec<u32>,
    state: Option<u64>,
}

/// A fixed-key multiply-rotate hash (rustc's FxHash), so the cache behaves the same on
/// every run. The cache is only probed, never iterated.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// What the search must restore when it undoes the op lifted at `call`.
struct Frame {
    call: u32,
    state: Option<u64>,
    writer: Option<u32>,
    frontier: u32,
    high: u32,
}

/// The deepest dead end the search met: where it had placed the most ops.
struct DeadEnd {
    depth: usize,
    stuck: u32,
    state: Option<u64>,
    writer: Option<u32>,
    tail: Vec<u32>,
    pending: Vec<u32>,
}

enum SearchOutcome {
    Linearizable,
    Stuck(Counterexample),
    OutOfSteps,
}

/// How [`Search::run`] ended; a dead end is explained from [`Search::deepest`].
enum RunEnd {
    Linearizable,
    Stuck,
    OutOfSteps,
}

struct Search<'a> {
    ops: &'a [Op],
    list: EventList,
    linearized: Bitset,
    cache: HashSet<CacheKey, BuildHasherDefault<FxHasher>>,
    stack: Vec<Frame>,
    /// The register value after the ops on the stack.
    state: Option<u64>,
    /// The op on the stack that wrote `state`.
    writer: Option<u32>,
    /// The lowest op index not linearized.
    frontier: u32,
    /// One past the highest op index linearized.
    high: u32,
    /// Completed ops not yet linearized; at zero the rest are unknown writes, which can
    /// all go last (or never), so the key is linearizable.
    completed_left: usize,
    deepest: Option<DeadEnd>,
}

fn search_key(history: &KeyHistory, budget: u64) -> (SearchOutcome, u64) {
    let ops = search_ops(history);
    let mut search = Search::new(&ops);
    let (end, steps) = search.run(budget);
    let outcome = match end {
        RunEnd::Linearizable => SearchOutcome::Linearizable,
        RunEnd::OutOfSteps => SearchOutcome::OutOfSteps,
        RunEnd::Stuck => {
            let dead_end = search
                .deepest
                .take()
                .expect("a failed search met a dead end");
            SearchOutcome::Stuck(explain_dead_end(history.key, &ops, &dead_end))
        }
    };
    (outcome, steps)
}

impl<'a> Search<'a> {
    fn new(ops: &'a [Op]) -> Self {
        let count = u32::try_from(ops.len()).expect("op count bounded by OPS_PER_KEY_MAX");
        Search {
            ops,
            list: EventList::new(ops),
            linearized: Bitset::new(count),
            cache: HashSet::default(),
            stack: Vec::with_capacity(ops.len()),
            state: None,
            writer: None,
            frontier: 0,
            high: 0,
            completed_left: ops.iter().filter(|op| matches!(op.end, End::At(_))).count(),
            deepest: None,
        }
    }

    /// Searches for at most `budget` steps; returns how it ended and the steps taken.
    fn run(&mut self, budget: u64) -> (RunEnd, u64) {
        let mut steps = 0;
        let mut entry = self.list.next(HEAD);
        loop {
            if self.completed_left == 0 {
                return (RunEnd::Linearizable, steps);
            }
            if steps >= budget {
                return (RunEnd::OutOfSteps, steps);
            }
            steps += 1;
            assert!(
                entry != NIL,
                "search: the list ended with completed ops unplaced"
            );
            entry = match self.list.kind[entry as usize] {
                EventKind::Call => self.try_linearize(entry),
                EventKind::Return => match self.backtrack(entry) {
                    Some(next) => next,
                    None => return (RunEnd::Stuck, steps),
                },
            };
        }
    }

    /// Places the op called at `call` next, if the model allows it and the resulting
    /// state is new; returns the entry to look at next.
    fn try_linearize(&mut self, call: u32) -> u32 {
        let index = self.list.op[call as usize];
        let op = &self.ops[index as usize];
        let Some(state) = apply(self.state, op.action) else {
            return self.list.next(call);
        };
        self.linearized.insert(index);
        let frontier = if index == self.frontier {
            self.linearized.next_absent(index + 1)
        } else {
            self.frontier
        };
        let high = self.high.max(index + 1);
        let mut holes = Vec::new();
        self.linearized.absent_in(frontier, high, &mut holes);
        if !self.cache.insert(CacheKey { high, holes, state }) {
            self.linearized.remove(index);
            return self.list.next(call);
        }
        self.stack.push(Frame {
            call,
            state: self.state,
            writer: self.writer,
            frontier: self.frontier,
            high: self.high,
        });
        if let Action::Write(_) = op.action {
            self.writer = Some(index);
        }
        self.state = state;
        self.frontier = frontier;
        self.high = high;
        if let End::At(_) = op.end {
            self.completed_left -= 1;
        }
        self.list.lift(call);
        self.list.next(HEAD)
    }

    /// The op returning at `ret` was not placed in time: undo the last placement and try
    /// what follows it. `None` when nothing is left to undo.
    fn backtrack(&mut self, ret: u32) -> Option<u32> {
        self.note_dead_end(ret);
        let frame = self.stack.pop()?;
        let index = self.list.op[frame.call as usize];
        self.list.unlift(frame.call);
        self.linearized.remove(index);
        self.state = frame.state;
        self.writer = frame.writer;
        self.frontier = frame.frontier;
        self.high = frame.high;
        if let End::At(_) = self.ops[index as usize].end {
            self.completed_left += 1;
        }
        debug_assert!(
            self.frontier <= index,
            "op {index} is below the restored frontier"
        );
        Some(self.list.next(frame.call))
    }

    fn note_dead_end(&mut self, ret: u32) {
        let depth = self.stack.len();
        if self.deepest.as_ref().is_some_and(|d| d.depth >= depth) {
            return;
        }
        let stuck = self.list.op[ret as usize];
        let tail_start = depth.saturating_sub(COUNTEREXAMPLE_LIST_MAX);
        let tail = self.stack[tail_start..]
            .iter()
            .map(|f| self.list.op[f.call as usize])
            .collect();
        let mut pending = Vec::new();
        let mut node = self.list.next(HEAD);
        while node != ret && pending.len() < COUNTEREXAMPLE_LIST_MAX {
            debug_assert_eq!(
                self.list.kind[node as usize],
                EventKind::Call,
                "{ret} is the first return"
            );
            if self.list.op[node as usize] != stuck {
                pending.push(self.list.op[node as usize]);
            }
            node = self.list.next(node);
        }
        self.deepest = Some(DeadEnd {
            depth,
            stuck,
            state: self.state,
            writer: self.writer,
            tail,
            pending,
        });
    }
}

fn explain_dead_end(key: u32, ops: &[Op], dead_end: &DeadEnd) -> Counterexample {
    let op = |index: u32| &ops[index as usize];
    let stuck = op(dead_end.stuck);
    let mut ids = vec![stuck.id];
    let mut lines = vec![format!(
        "key {key}: no order of its {} ops is consistent; the longest consistent order found places {}.",
        ops.len(),
        dead_end.depth
    )];
    if !dead_end.tail.is_empty() {
        let tail: Vec<String> = dead_end.tail.iter().map(|&i| describe(op(i))).collect();
        lines.push(format!("It ends: {}.", tail.join(", then ")));
        ids.extend(dead_end.tail.iter().map(|&i| op(i).id));
    }
    lines.push(match dead_end.writer {
        None => "The register is then absent.".to_string(),
        Some(w) => {
            if !dead_end.tail.contains(&w) {
                ids.push(op(w).id);
            }
            format!(
                "The register then holds {}, from {}.",
                fmt_value(dead_end.state),
                describe(op(w))
            )
        }
    });
    let reason = match stuck.action {
        Action::Read(observed) if observed != dead_end.state => format!(
            "it returned {} and no pending write can supply that without breaking another op",
            fmt_value(observed)
        ),
        _ => "every way to place it among the pending ops leads to a dead end".to_string(),
    };
    lines.push(format!(
        "{} cannot be placed before it returns: {reason}.",
        describe(stuck)
    ));
    if dead_end.pending.is_empty() {
        lines.push("No other op is pending then.".to_string());
    } else {
        let pending: Vec<String> = dead_end.pending.iter().map(|&i| describe(op(i))).collect();
        lines.push(format!("Pending then: {}.", pending.join("; ")));
        ids.extend(dead_end.pending.iter().map(|&i| op(i).id));
    }
    Counterexample {
        key,
        ops: ids,
        explanation: lines.join("\n"),
    }
}

// ---------------------------------------------------------------------------------------
// Formatting.

/// "read #17 by client 2 (returned 5) at [1.2ms, 1.4ms]".
fn describe(op: &Op) -> String {
    let what = match op.action {
        Action::Write(value) => format!("write #{} by client {} (value {value})", op.id, op.client),
        Action::Read(observed) => {
            format!(
                "read #{} by client {} (returned {})",
                op.id,
                op.client,
                fmt_value(observed)
            )
        }
    };
    let end = match op.end {
        End::At(ns) => fmt_ns(ns),
        End::Unknown => "unknown".to_string(),
        End::Failed => "failed".to_string(),
    };
    format!("{what} at [{}, {end}]", fmt_ns(op.invoke_ns))
}

fn fmt_value(value: Option<u64>) -> String {
    value.map_or_else(|| "absent".to_string(), |v| v.to_string())
}

/// Nanoseconds as milliseconds without trailing zeros: 1_200_000 is "1.2ms".
fn fmt_ns(ns: u64) -> String {
    let (ms, rest) = (ns / 1_000_000, ns % 1_000_000);
    if rest == 0 {
        return format!("{ms}ms");
    }
    let fraction = format!("{rest:06}");
    format!("{ms}.{}ms", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_finds_absent_indices() {
        let mut set = Bitset::new(130);
        for i in 0..130 {
            if i != 3 && i != 64 && i != 129 {
                set.insert(i);
            }
        }
        assert_eq!(set.next_absent(0), 3);
        assert_eq!(set.next_absent(4), 64);
        assert_eq!(set.next_absent(65), 129);
        let mut holes = Vec::new();
        set.absent_in(0, 129, &mut holes);
        assert_eq!(holes, vec![3, 64]);
        set.insert(129);
        assert_eq!(set.next_absent(65), 130);
        set.remove(10);
        assert_eq!(set.next_absent(4), 10);
    }

    #[test]
    fn lift_and_unlift_restore_the_list() {
        let op = |invoke_ns, end| Op {
            id: 0,
            client: 0,
            action: Action::Read(None),
            invoke_ns,
            end,
        };
        let ops = [op(0, End::At(10)), op(5, End::Unknown), op(10, End::At(10))];
        let mut list = EventList::new(&ops);
        let walk = |list: &EventList| {
            let mut out = Vec::new();
            let mut node = list.next(HEAD);
            while node != NIL {
                out.push((list.op[node as usize], list.kind[node as usize]));
                node = list.next(node);
            }
            out
        };
        let before = walk(&list);
        use EventKind::{Call, Return};
        assert_eq!(
            before,
            vec![
                (0, Call),
                (1, Call),
                (2, Call),
                (0, Return),
                (2, Return),
                (1, Return)
            ]
        );
        let first = list.next(HEAD);
        list.lift(first);
        let second = list.next(HEAD);
        list.lift(second);
        assert_eq!(walk(&list), vec![(2, Call), (2, Return)]);
        list.unlift(second);
        list.unlift(first);
        assert_eq!(walk(&list), before);
    }

    #[test]
    fn times_print_as_milliseconds() {
        assert_eq!(fmt_ns(0), "0ms");
        assert_eq!(fmt_ns(1_200_000), "1.2ms");
        assert_eq!(fmt_ns(1_234_567), "1.234567ms");
        assert_eq!(fmt_ns(500), "0.0005ms");
    }
}
