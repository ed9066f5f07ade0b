//! The ops of one key, in the checker's terms: [`partition`] validates each recorded
//! [`Operation`] and groups their positions by key; [`Keys::fill`] builds one key's ops,
//! dropping the ops that cannot matter (failed and unknown reads), keeping failed writes
//! apart for explanations, and sorting the rest by invocation.
//!
//! This is not the client history recorder (that is `crate::history`), and it decides
//! nothing: it only shapes the input that the pre-check and the search read.

use std::collections::BTreeMap;

use super::{OpKind, OpOutcome, Operation};

/// The most ops one key may have, so that event indices fit in `u32`.
const OPS_PER_KEY_MAX: usize = (u32::MAX / 4) as usize;

/// What an op does, with the value observed for reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Action {
    Write(u64),
    Read(Option<u64>),
}

/// How an op ended, with the completion time when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    At(u64),
    Unknown,
    Failed,
}

/// One op of one key, in the checker's terms.
#[derive(Clone, Copy, Debug)]
pub(super) struct Op {
    pub(super) id: u64,
    pub(super) client: u32,
    pub(super) action: Action,
    pub(super) invoke_ns: u64,
    pub(super) end: End,
}

/// The ops of one key: `ops` holds the completed ops and the unknown writes, sorted by
/// invocation (ties in input order); failed writes are kept apart for explanations.
#[derive(Default)]
pub(super) struct KeyHistory {
    pub(super) key: u32,
    pub(super) ops: Vec<Op>,
    pub(super) failed_writes: Vec<Op>,
}

/// The history split by key without copying it: the position of each op (4 bytes), grouped
/// by key in ascending order and in input order within a key. [`Keys::fill`] turns one
/// key's positions into its [`KeyHistory`], so only one key's ops are ever copied at once.
pub(super) struct Keys<'a> {
    history: &'a [Operation],
    /// Each key, how many of its ops enter its `ops`, and its positions' range in `order`.
    keys: Vec<(u32, usize, std::ops::Range<usize>)>,
    order: Vec<u32>,
}

/// Whether an op enters its key's `ops` (else it is a failed write, kept apart, or a failed
/// or unknown read, dropped).
fn kept(op: &Op) -> bool {
    !matches!(
        (op.action, op.end),
        (Action::Write(_), End::Failed) | (Action::Read(_), End::Failed | End::Unknown)
    )
}

pub(super) fn partition(history: &[Operation]) -> Keys<'_> {
    assert!(
        u32::try_from(history.len()).is_ok(),
        "{} ops: a history is checked in at most u32::MAX",
        history.len()
    );
    // Each op is validated here, before any key is searched. Counted first, so each key's
    // positions land at their place in one pass.
    let mut counts: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for operation in history {
        let count = counts.entry(operation.key).or_default();
        count.0 += usize::from(kept(&convert(operation)));
        count.1 += 1;
    }
    let mut keys = Vec::with_capacity(counts.len());
    let mut next: BTreeMap<u32, usize> = BTreeMap::new();
    let mut start = 0;
    for (&key, &(kept, total)) in &counts {
        keys.push((key, kept, start..start + total));
        next.insert(key, start);
        start += total;
    }
    let mut order = vec![0u32; history.len()];
    for (pos, operation) in history.iter().enumerate() {
        let at = next.get_mut(&operation.key).expect("a counted key");
        order[*at] = pos as u32;
        *at += 1;
    }
    Keys {
        history,
        keys,
        order,
    }
}

impl Keys<'_> {
    /// How many keys, each with at least one op.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// How many ops of each key, in key order, enter its `ops`.
    pub(super) fn kept_counts(&self) -> impl Iterator<Item = usize> + '_ {
        self.keys.iter().map(|(_, kept, _)| *kept)
    }

    /// Fills `out` with the ops of the `k`-th key (in ascending order).
    pub(super) fn fill(&self, k: usize, out: &mut KeyHistory) {
        let (key, kept_count, range) = &self.keys[k];
        out.key = *key;
        out.ops.clear();
        out.failed_writes.clear();
        out.ops.reserve(*kept_count);
        for &pos in &self.order[range.clone()] {
            let op = convert(&self.history[pos as usize]);
            match (op.action, op.end) {
                (Action::Write(_), End::Failed) => out.failed_writes.push(op),
                (Action::Read(_), End::Failed | End::Unknown) => {}
                _ => out.ops.push(op),
            }
        }
        assert!(
            out.ops.len() <= OPS_PER_KEY_MAX,
            "key {}: {} ops exceed the {OPS_PER_KEY_MAX} one key may have; split the history",
            out.key,
            out.ops.len()
        );
        // Stable: ties stay in input order. A recorded history is in invocation order
        // already, and then the sort (and its scratch allocation) is skipped.
        if !out.ops.is_sorted_by_key(|op| op.invoke_ns) {
            out.ops.sort_by_key(|op| op.invoke_ns);
        }
    }
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
