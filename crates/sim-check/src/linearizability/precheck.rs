//! The pre-check: cheap, sound rules about single reads of one key, each with an
//! explanation that names the ops involved. A read of absent after a completed write, a
//! read of a value never (successfully) written before it completed, and a read of a value
//! whose only write was overwritten before the read began cannot be linearized.
//!
//! It is not the source of truth: the search decides, and finds everything these rules
//! find. The rules exist to report the common bad reads sooner and more clearly.

use super::explain::{describe, fmt_ns};
use super::key_history::{Action, End, KeyHistory, Op};
use super::{COUNTEREXAMPLE_LIST_MAX, Counterexample};

/// The writes of one key, indexed for the read rules. [`WriteIndex::fill`] reindexes it
/// for another key in the memory it holds ([`super::check_with`] keeps one for all keys).
#[derive(Default)]
pub(super) struct WriteIndex {
    /// Writes (completed or unknown) as (value, index into `ops`), sorted: the writes of
    /// one value are a run ([`Self::writes_of`]). One vector, not one per value: values
    /// are nearly all distinct.
    by_value: Vec<(u64, usize)>,
    /// Completed writes in invocation order, as indices into `ops`.
    completed: Vec<usize>,
    /// `earliest[i]`: the write of `completed[i..]` that completes first.
    earliest: Vec<usize>,
}

impl WriteIndex {
    /// Indexes the writes of `ops`, in the memory this index holds.
    fn fill(&mut self, ops: &[Op]) {
        let WriteIndex {
            by_value,
            completed,
            earliest,
        } = self;
        by_value.clear();
        completed.clear();
        for (index, op) in ops.iter().enumerate() {
            if let Action::Write(value) = op.action {
                by_value.push((value, index));
                if let End::At(_) = op.end {
                    completed.push(index);
                }
            }
        }
        by_value.sort_unstable();
        earliest.clear();
        earliest.extend_from_slice(completed);
        for i in (0..earliest.len().saturating_sub(1)).rev() {
            if complete_ns(&ops[earliest[i + 1]]) < complete_ns(&ops[earliest[i]]) {
                earliest[i] = earliest[i + 1];
            }
        }
    }

    /// The writes of `value`, by index ascending.
    fn writes_of(&self, value: u64) -> impl Iterator<Item = usize> + '_ {
        let start = self.by_value.partition_point(|&(v, _)| v < value);
        self.by_value[start..]
            .iter()
            .take_while(move |&&(v, _)| v == value)
            .map(|&(_, index)| index)
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

/// Checks the reads of one key; `index` is scratch, refilled for this key.
pub(super) fn precheck_key(history: &KeyHistory, index: &mut WriteIndex) -> Option<Counterexample> {
    index.fill(&history.ops);
    let check_read = |read: &Op| match (read.action, read.end) {
        (Action::Read(None), End::At(_)) => absent_after_write(history, index, read),
        (Action::Read(Some(value)), End::At(_)) => unwritten_value(history, index, read, value)
            .or_else(|| overwritten_value(history, index, read, value)),
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
    let mut writers = index.writes_of(value).peekable();
    let Some(&first) = writers.peek() else {
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
        .take(COUNTEREXAMPLE_LIST_MAX)
        .map(|i| &ops[i])
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
    let mut writers = index.writes_of(value);
    let (Some(only), None) = (writers.next(), writers.next()) else {
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
