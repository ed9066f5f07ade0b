//! The node's in-memory view of its log (what `log_store` reads return, durable or not).
//! Index 1 is the first entry; there are no snapshots yet, so nothing is compacted.

use crate::types::{Entry, LogIndex, Term};

#[derive(Clone, Debug, Default)]
pub struct Log {
    entries: Vec<Entry>,
}

impl Log {
    /// A log as recovered from disk. Terms normally never decrease along a log, but a
    /// log store with a catalogue bug can recover one whose terms do, so this takes it as
    /// it is: the checkers judge it.
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        Log { entries }
    }

    pub fn last_index(&self) -> LogIndex {
        LogIndex(self.entries.len() as u64)
    }

    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(Term(0), |e| e.term)
    }

    /// The term at `index`; index 0 has term 0; `None` past the end.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == LogIndex::ZERO {
            return Some(Term(0));
        }
        self.get(index).map(|e| e.term)
    }

    pub fn get(&self, index: LogIndex) -> Option<&Entry> {
        entry_at(&self.entries, index)
    }

    pub fn push(&mut self, entry: Entry) -> LogIndex {
        self.entries.push(entry);
        self.last_index()
    }

    /// Removes every entry at `from` and above.
    pub fn truncate_from(&mut self, from: LogIndex) {
        assert!(from.0 >= 1, "cannot truncate from index 0");
        self.entries.truncate((from.0 - 1) as usize);
    }

    /// Entries `from..=to` (clamped to the log).
    pub fn slice(&self, from: LogIndex, to: LogIndex) -> &[Entry] {
        entries_between(&self.entries, from, to)
    }
}

/// Entry `index` of a log held as a slice from index 1 (also the library adapters' mirror
/// of their library's log); `None` for index 0 and past the end.
pub fn entry_at(entries: &[Entry], index: LogIndex) -> Option<&Entry> {
    let i = usize::try_from(index.0).ok()?.checked_sub(1)?;
    entries.get(i)
}

/// Entries `from..=to` of a log held as a slice from index 1, clamped to it.
pub fn entries_between(entries: &[Entry], from: LogIndex, to: LogIndex) -> &[Entry] {
    let lo = (from.0.max(1) - 1) as usize;
    let hi = (to.0 as usize).min(entries.len());
    if lo >= hi { &[] } else { &entries[lo..hi] }
}
