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

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
        reserve = reserve.saturating_sub(reserve_of(history));
        let early = match precheck {
            Precheck::Enabled => precheck_key(history),
            Precheck::Disabled => None,
        };
        if let Some(counterexample) = early {
            return Verdict::NotLinearizable(counterexample);
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
    let check_read = |read: &Op| match (read.action, read.end) {
        (Action::Read(None), End::At(_)) => absent_after_write(history, &index, read),
        (Action::Read(Some(value)), End::At(_)) => unwritten_value(history, &index, read, value)
            .or_else(|| overwritten_value(history, &index, read, value)),
        _ => None,
    };
    history.ops.iter().find_map(check_read)
}

/// A read of absent that began after some write completed.
fn absent_after_write(
    history: &KeyHistory,
    index: &WriteIndex,
    read: &Op,
) -> Option<Counterexample> {
    let write = &history.ops[*index.earliest.first()?];
    if complete_ns(write) >= read.invoke_ns {
        return None;
    }
    let why = format!(
        "{} completed at {}, before the read began; once written, a key is never absent again",
        describe(write),
        fmt_ns(complete_ns(write))
    );
    Some(read_counterexample(history.key, read, &[write], &why))
}

/// A read of a value that no write which took effect (or may have) wrote before the read
/// completed.
fn unwritten_value(
    history: &KeyHistory,
    index: &WriteIndex,
    read: &Op,
    value: u64,
) -> Option<Counterexample> {
    let ops = &history.ops;
    // Indices ascend with invocation, so the first writer is the earliest invoked.
    let writers: &[usize] = index.by_value.get(&value).map_or(&[], Vec::as_slice);
    let Some(&first) = writers.first() else {
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
    };
    if ops[first].invoke_ns <= complete_ns(read) {
        return None;
    }
    let why = format!(
        "every write of {value} began after the read completed, e.g. {}",
        describe(&ops[first])
    );
    let cause: Vec<&Op> = writers
        .iter()
        .take(COUNTEREXAMPLE_LIST_MAX)
        .map(|&i| &ops[i])
        .collect();
    Some(read_counterexample(history.key, read, &cause, &why))
}

/// A read of a value with a single, completed writer, after which another write ran
/// entirely before the read began.
fn overwritten_value(
    history: &KeyHistory,
    index: &WriteIndex,
    read: &Op,
    value: u64,
) -> Option<Counterexample> {
    let ops = &history.ops;
    let [only] = index.by_value.get(&value)?[..] else {
        return None;
    };
    let writer = &ops[only];
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
    let explanation = format!("{},\nbut {why}.", describe(read));
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
    /// For an op: its call node.
    call_of: Vec<u32>,
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
            call_of: vec![NIL; ops.len()],
            prev: (0..nodes as u32).map(|n| n.wrapping_sub(1)).collect(),
            next: (1..=nodes as u32)
                .map(|n| if n as usize == nodes { NIL } else { n })
                .collect(),
        };
        for (position, &(_, rank, index)) in events.iter().enumerate() {
            let node = position as u32 + 1;
            list.op[node as usize] = index;
            if rank == 0 {
                list.call_of[index as usize] = node;
            } else {
                let call = list.call_of[index as usize];
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

/// A set of completed ops placed and a register value. The set is exactly `0..high`
/// minus `holes` (unknown writes never count as holes); `holes` stays small because a
/// completed op below `high` can be left out only while it overlaps the op at `high - 1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    high: u32,
    holes: Vec<u32>,
    state: Option<u64>,
}

/// For each unknown-write group that some unplaced read may still draw on, how many of
/// its writes are spent, ascending by group (spent writes that no unplaced read can use
/// change nothing). Spending fewer is never worse: whatever order completes the search
/// after spending more also completes it after spending fewer, drawing earlier writes.
type Spent = Vec<(u32, u32)>;

/// Whether `a` spends no more of any group than `b`.
fn spends_no_more(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    let mut b = b.iter().peekable();
    a.iter().all(|&(group, used)| {
        while b.next_if(|&&(other, _)| other < group).is_some() {}
        b.peek()
            .is_some_and(|&&(other, spent)| other == group && spent >= used)
    })
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

/// The unknown writes of one value, by call node ascending, and the completed reads of
/// that value. The search only ever spends the first `used` writes: same-value unknown
/// writes are interchangeable, and the earliest called is callable whenever a later one is.
struct UnknownGroup {
    calls: Vec<u32>,
    used: u32,
    reads_left: u32,
}

/// What the search must restore when it undoes the op lifted at `call` (and the unknown
/// write lifted at `supplier` to give a read its value).
struct Frame {
    call: u32,
    supplier: Option<u32>,
    state: Option<u64>,
    writer: Option<u32>,
    frontier: u32,
    high: u32,
}

/// The deepest dead end the search met: where it had placed the most ops.
struct DeadEnd {
    depth: usize,
    placed: usize,
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

/// Wing & Gong's search with Lowe's cache, over the events of one key.
///
/// Unknown writes are never placed alone, only right before a read of their value when
/// the register holds another: in any linearization, an unknown write not immediately
/// followed by a read of its value, or whose value the register already held, can be
/// dropped without changing what any op observed. So they never branch the search.
struct Search<'a> {
    ops: &'a [Op],
    list: EventList,
    /// Completed ops placed, plus every unknown write (so they are never holes).
    placed: Bitset,
    groups: Vec<UnknownGroup>,
    /// For each completed read of a value some unknown write wrote: that group.
    group_of: Vec<u32>,
    /// Groups with writes spent and reads left: group to writes spent.
    live: BTreeMap<u32, u32>,
    /// Unknown writes spent.
    used: usize,
    /// Positions explored and failed (or on the stack): per placed set and value, the
    /// spendings seen, none spending no more than another.
    cache: HashMap<CacheKey, Vec<Spent>, BuildHasherDefault<FxHasher>>,
    stack: Vec<Frame>,
    /// The register value after the ops on the stack.
    state: Option<u64>,
    /// The op on the stack that wrote `state`.
    writer: Option<u32>,
    /// The lowest completed op not placed.
    frontier: u32,
    /// One past the highest completed op placed.
    high: u32,
    completed: usize,
    /// Completed ops not yet placed; at zero the key is linearizable (unknown writes left
    /// over never happen).
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

/// Groups the unknown writes of `ops` by value; returns the groups and, per op, the group
/// a completed read draws on (or `NIL`).
fn unknown_groups(ops: &[Op], list: &EventList) -> (Vec<UnknownGroup>, Vec<u32>) {
    let mut group_by_value: BTreeMap<u64, u32> = BTreeMap::new();
    let mut groups: Vec<UnknownGroup> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        if let (Action::Write(value), End::Unknown) = (op.action, op.end) {
            let group = *group_by_value.entry(value).or_insert_with(|| {
                groups.push(UnknownGroup {
                    calls: Vec::new(),
                    used: 0,
                    reads_left: 0,
                });
                groups.len() as u32 - 1
            });
            groups[group as usize].calls.push(list.call_of[index]);
        }
    }
    let mut group_of = vec![NIL; ops.len()];
    for (index, op) in ops.iter().enumerate() {
        let (Action::Read(Some(value)), End::At(_)) = (op.action, op.end) else {
            continue;
        };
        if let Some(&group) = group_by_value.get(&value) {
            group_of[index] = group;
            groups[group as usize].reads_left += 1;
        }
    }
    (groups, group_of)
}

impl<'a> Search<'a> {
    fn new(ops: &'a [Op]) -> Self {
        let count = u32::try_from(ops.len()).expect("op count bounded by OPS_PER_KEY_MAX");
        let mut list = EventList::new(ops);
        let (groups, group_of) = unknown_groups(ops, &list);
        let mut placed = Bitset::new(count);
        for (index, op) in (0..count).zip(ops) {
            if op.end == End::Unknown {
                // Kept out of the list for good, so scans never walk over them; their
                // call nodes still order them against the events left in it.
                placed.insert(index);
                list.lift(list.call_of[index as usize]);
            }
        }
        let completed = ops.iter().filter(|op| matches!(op.end, End::At(_))).count();
        Search {
            ops,
            frontier: placed.next_absent(0),
            list,
            placed,
            groups,
            group_of,
            live: BTreeMap::new(),
            used: 0,
            cache: HashMap::default(),
            stack: Vec::with_capacity(completed),
            state: None,
            writer: None,
            high: 0,
            completed,
            completed_left: completed,
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
                EventKind::Call => self.try_call(entry),
                EventKind::Return => {
                    // The op returning here was not placed in time: undo the last placement.
                    self.note_dead_end(entry);
                    match self.pop() {
                        Some(call) => self.list.next(call),
                        None => return (RunEnd::Stuck, steps),
                    }
                }
            };
        }
    }

    /// Tries to place the op called at `call` next; returns the entry to look at next.
    fn try_call(&mut self, call: u32) -> u32 {
        let index = self.list.op[call as usize];
        let op = self.ops[index as usize];
        let placed = match (op.action, op.end) {
            (Action::Write(_), End::Unknown) => unreachable!("unknown writes are not listed"),
            (Action::Write(value), _) => self.place(call, None, Some(value)),
            (Action::Read(seen), _) if seen == self.state => self.place(call, None, seen),
            (Action::Read(seen), _) => match self.supplier(call, index) {
                Some(supplier) => self.place(call, Some(supplier), seen),
                None => false,
            },
        };
        if placed {
            self.list.next(HEAD)
        } else {
            self.list.next(call)
        }
    }

    /// The unknown write that can supply the value read by the op called at `call`: the
    /// first unspent one of its group, if it is callable (no return before its call).
    fn supplier(&self, call: u32, index: u32) -> Option<u32> {
        let group = self.groups.get(self.group_of[index as usize] as usize)?;
        let &supplier = group.calls.get(group.used as usize)?;
        // Everything before `call` in the list is a call, so an earlier one is callable;
        // a later one is if no return is listed between them.
        let mut node = self.list.next(call);
        while node < supplier {
            if self.list.kind[node as usize] == EventKind::Return {
                return None;
            }
            node = self.list.next(node);
        }
        Some(supplier)
    }

    /// Places the op called at `call` (right after `supplier`, if any), leaving the
    /// register at `state`, unless the search was in the same position, or one that
    /// spent no more unknown writes, before: that one failed, so this one would.
    fn place(&mut self, call: u32, supplier: Option<u32>, state: Option<u64>) -> bool {
        self.push(call, supplier, state);
        let mut holes = Vec::new();
        self.placed.absent_in(self.frontier, self.high, &mut holes);
        let spent: Spent = self
            .live
            .iter()
            .map(|(&group, &used)| (group, used))
            .collect();
        let seen = self
            .cache
            .entry(CacheKey {
                high: self.high,
                holes,
                state,
            })
            .or_default();
        if seen.iter().any(|old| spends_no_more(old, &spent)) {
            self.pop();
            return false;
        }
        seen.retain(|old| !spends_no_more(&spent, old));
        seen.push(spent);
        true
    }

    fn push(&mut self, call: u32, supplier: Option<u32>, state: Option<u64>) {
        let index = self.list.op[call as usize];
        let (frontier, high, writer) = (self.frontier, self.high, self.writer);
        self.stack.push(Frame {
            call,
            supplier,
            state: self.state,
            writer,
            frontier,
            high,
        });
        self.placed.insert(index);
        if index == self.frontier {
            self.frontier = self.placed.next_absent(index + 1);
        }
        self.high = self.high.max(index + 1);
        self.state = state;
        self.completed_left -= 1;
        let group = self.group_of[index as usize];
        if let Some(supplier) = supplier {
            let spent = &mut self.groups[group as usize];
            assert_eq!(
                spent.calls[spent.used as usize], supplier,
                "unknown writes are spent in call order"
            );
            spent.used += 1;
            self.used += 1;
            self.writer = Some(self.list.op[supplier as usize]);
        } else if let Action::Write(_) = self.ops[index as usize].action {
            self.writer = Some(index);
        }
        if group != NIL {
            self.groups[group as usize].reads_left -= 1;
            self.refresh_live(group);
        }
        self.list.lift(call);
    }

    /// Undoes the last `push`; returns its call node, or `None` if nothing is placed.
    fn pop(&mut self) -> Option<u32> {
        let frame = self.stack.pop()?;
        let index = self.list.op[frame.call as usize];
        self.list.unlift(frame.call);
        let group = self.group_of[index as usize];
        if let Some(supplier) = frame.supplier {
            let spent = &mut self.groups[group as usize];
            spent.used -= 1;
            assert_eq!(
                spent.calls[spent.used as usize], supplier,
                "unknown writes are unspent in order"
            );
            self.used -= 1;
        }
        if group != NIL {
            self.groups[group as usize].reads_left += 1;
            self.refresh_live(group);
        }
        self.placed.remove(index);
        self.state = frame.state;
        self.writer = frame.writer;
        self.frontier = frame.frontier;
        self.high = frame.high;
        self.completed_left += 1;
        debug_assert!(
            self.frontier <= index,
            "op {index} is below the restored frontier"
        );
        Some(frame.call)
    }

    fn refresh_live(&mut self, group: u32) {
        let UnknownGroup {
            used, reads_left, ..
        } = self.groups[group as usize];
        if used > 0 && reads_left > 0 {
            self.live.insert(group, used);
        } else {
            self.live.remove(&group);
        }
    }

    fn note_dead_end(&mut self, ret: u32) {
        let depth = self.stack.len();
        if self.deepest.as_ref().is_some_and(|d| d.depth >= depth) {
            return;
        }
        let stuck = self.list.op[ret as usize];
        let mut tail: Vec<u32> = Vec::new();
        for frame in self.stack.iter().rev().take(COUNTEREXAMPLE_LIST_MAX) {
            tail.push(self.list.op[frame.call as usize]);
            tail.extend(frame.supplier.map(|s| self.list.op[s as usize]));
        }
        tail.truncate(COUNTEREXAMPLE_LIST_MAX);
        tail.reverse();
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
        let placed = self.completed - self.completed_left + self.used;
        let (state, writer) = (self.state, self.writer);
        self.deepest = Some(DeadEnd {
            depth,
            placed,
            stuck,
            state,
            writer,
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
        "No order of its {} ops is consistent; the longest consistent order found places {}.",
        ops.len(),
        dead_end.placed
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
            "it returned {}, and no other order of the ops before it leaves that value",
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
    fn spending_fewer_unknown_writes_dominates() {
        assert!(spends_no_more(&[], &[]));
        assert!(spends_no_more(&[], &[(3, 1)]));
        assert!(!spends_no_more(&[(3, 1)], &[]));
        assert!(spends_no_more(&[(1, 2), (5, 1)], &[(0, 4), (1, 2), (5, 3)]));
        assert!(!spends_no_more(&[(1, 2), (5, 1)], &[(1, 1), (5, 3)]));
        assert!(!spends_no_more(&[(1, 2), (5, 1)], &[(1, 2), (6, 1)]));
    }

    #[test]
    fn times_print_as_milliseconds() {
        assert_eq!(fmt_ns(0), "0ms");
        assert_eq!(fmt_ns(1_200_000), "1.2ms");
        assert_eq!(fmt_ns(1_234_567), "1.234567ms");
        assert_eq!(fmt_ns(500), "0.0005ms");
    }
}
