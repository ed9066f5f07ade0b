//! The ops of one key, in the checker's terms: [`partition`] validates each recorded
//! [`Operation`], drops the ops that cannot matter (failed and unknown reads), keeps failed
//! writes apart for explanations, and sorts the rest by invocation.
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
pub(super) struct KeyHistory {
    pub(super) key: u32,
    pub(super) ops: Vec<Op>,
    pub(super) failed_writes: Vec<Op>,
}

pub(super) fn partition(history: &[Operation]) -> BTreeMap<u32, KeyHistory> {
    // Counted first, so each key's list is allocated once, at its size.
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for operation in history {
        *counts.entry(operation.key).or_default() += 1;
    }
    let mut keys: BTreeMap<u32, KeyHistory> = BTreeMap::new();
    for operation in history {
        let op = convert(operation);
        let entry = keys.entry(operation.key).or_insert_with(|| KeyHistory {
            key: operation.key,
            ops: Vec::with_capacity(counts[&operation.key]),
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
        // Stable: ties stay in input order. A recorded history is in invocation order
        // already, and then the sort (and its scratch allocation) is skipped.
        if !history.ops.is_sorted_by_key(|op| op.invoke_ns) {
            history.ops.sort_by_key(|op| op.invoke_ns);
        }
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
