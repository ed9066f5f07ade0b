//! Wing & Gong's search as improved by Lowe (Porcupine's `checkSingle`), over the events
//! of one key: a depth-first search that places any op whose call comes before the first
//! remaining return, prunes positions already explored (or dominated) through the cache,
//! and backtracks. It records the deepest dead end it meets for the explanation.
//!
//! It is not the pre-check, and it does not write text: [`super::explain`] turns its
//! dead end into a counterexample. It only stops, with a [`RunEnd`], when the key is
//! linearized, every order failed, or the budget it was given ran out.

use std::collections::BTreeMap;

use super::COUNTEREXAMPLE_LIST_MAX;
use super::bitset::Bitset;
use super::cache::{Cache, CacheKey, Spent};
use super::events::{EventKind, EventList, HEAD, NIL};
use super::key_history::{Action, End, KeyHistory, Op};

/// The ops the search must order: everything but unknown writes whose value no read saw.
/// Written into `out`; `observed` is scratch (both keep their memory for the next key).
pub(super) fn search_ops(history: &KeyHistory, observed: &mut Vec<u64>, out: &mut Vec<Op>) {
    observed.clear();
    observed.extend(history.ops.iter().filter_map(|op| match op.action {
        Action::Read(value) => value,
        Action::Write(_) => None,
    }));
    observed.sort_unstable();
    let keep = |op: &&Op| match (op.action, op.end) {
        (Action::Write(value), End::Unknown) => observed.binary_search(&value).is_ok(),
        _ => true,
    };
    out.clear();
    out.extend(history.ops.iter().filter(keep).copied());
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
pub(super) struct DeadEnd {
    depth: usize,
    pub(super) placed: usize,
    pub(super) stuck: u32,
    pub(super) state: Option<u64>,
    pub(super) writer: Option<u32>,
    pub(super) tail: Vec<u32>,
    pub(super) pending: Vec<u32>,
}

/// How [`Search::run`] ended; a dead end is explained from [`Search::deepest`].
pub(super) enum RunEnd {
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
pub(super) struct Search<'a> {
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
    cache: Cache,
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
    pub(super) deepest: Option<DeadEnd>,
}

/// Groups the unknown writes of `ops` by value into `groups`, and sets, per op, the group
/// a completed read draws on (or `NIL`) in `group_of`.
fn unknown_groups(
    ops: &[Op],
    list: &EventList,
    groups: &mut Vec<UnknownGroup>,
    group_of: &mut Vec<u32>,
) {
    let mut group_by_value: BTreeMap<u64, u32> = BTreeMap::new();
    groups.clear();
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
    group_of.clear();
    group_of.resize(ops.len(), NIL);
    for (index, op) in ops.iter().enumerate() {
        let (Action::Read(Some(value)), End::At(_)) = (op.action, op.end) else {
            continue;
        };
        if let Some(&group) = group_by_value.get(&value) {
            group_of[index] = group;
            groups[group as usize].reads_left += 1;
        }
    }
}

/// The memory of a search, kept from one key to the next ([`super::check_with`]): a
/// history of many keys allocates about as much as its largest key, not once per key.
#[derive(Default)]
pub(super) struct SearchMemory {
    list: EventList,
    placed: Bitset,
    groups: Vec<UnknownGroup>,
    group_of: Vec<u32>,
    cache: Cache,
    stack: Vec<Frame>,
}

impl<'a> Search<'a> {
    /// A search of `ops`, in `memory` (emptied and refilled).
    pub(super) fn new(ops: &'a [Op], memory: SearchMemory) -> Self {
        let SearchMemory {
            mut list,
            mut placed,
            mut groups,
            mut group_of,
            mut cache,
            mut stack,
        } = memory;
        let count = u32::try_from(ops.len()).expect("op count bounded by OPS_PER_KEY_MAX");
        list.fill(ops);
        unknown_groups(ops, &list, &mut groups, &mut group_of);
        placed.reset(count);
        for (index, op) in (0..count).zip(ops) {
            if op.end == End::Unknown {
                // Kept out of the list for good, so scans never walk over them; their
                // call nodes still order them against the events left in it.
                placed.insert(index);
                list.lift(list.call_of[index as usize]);
            }
        }
        let completed = ops.iter().filter(|op| matches!(op.end, End::At(_))).count();
        cache.clear();
        stack.clear();
        stack.reserve(completed);
        Search {
            ops,
            frontier: placed.next_absent(0),
            list,
            placed,
            groups,
            group_of,
            live: BTreeMap::new(),
            used: 0,
            cache,
            stack,
            state: None,
            writer: None,
            high: 0,
            completed,
            completed_left: completed,
            deepest: None,
        }
    }

    /// The memory this search used, for the next key's.
    pub(super) fn into_memory(self) -> SearchMemory {
        SearchMemory {
            list: self.list,
            placed: self.placed,
            groups: self.groups,
            group_of: self.group_of,
            cache: self.cache,
            stack: self.stack,
        }
    }

    /// Searches for at most `budget` steps; returns how it ended and the steps taken.
    pub(super) fn run(&mut self, budget: u64) -> (RunEnd, u64) {
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
        if !seen.record(spent) {
            self.pop();
            return false;
        }
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
