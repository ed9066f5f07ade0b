//! The node's in-memory view of its log (what `log_store` reads return, durable or not).
//! Index 1 is the first entry ever written. Once a snapshot covers a prefix, the log may be
//! compacted behind it (NuRaft's `log_store::compact`): it then starts at `first`, and the
//! term of the entry just before it (the snapshot's last entry) is kept as `base_term`.

use crate::types::{Entry, LogIndex, Term};

#[derive(Clone, Debug)]
pub struct Log {
    /// The index of `entries[0]`; 1 until a prefix is compacted away.
    first: LogIndex,
    /// The term at `first - 1`: 0 when `first` is 1, the covering snapshot's term after a
    /// compaction; `None` when nothing covers it (a log recovered behind a lost snapshot).
    base_term: Option<Term>,
    entries: Vec<Entry>,
}

impl Default for Log {
    fn default() -> Self {
        Log::from_entries(Vec::new())
    }
}

impl Log {
    /// A log as recovered from disk, from index 1. Terms normally never decrease along a
    /// log, but a log store with a catalogue bug can recover one whose terms do, so this
    /// takes it as it is: the checkers judge it.
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        Log {
            first: LogIndex(1),
            base_term: Some(Term(0)),
            entries,
        }
    }

    /// A log recovered from a compacted store: its entries start at `first`, and the term
    /// at `first - 1` is `base_term` if a snapshot vouches for it.
    pub fn from_compacted(first: LogIndex, base_term: Option<Term>, entries: Vec<Entry>) -> Self {
        assert!(first.0 >= 1, "a log starts at index 1 or later");
        let base_term = if first == LogIndex(1) {
            Some(Term(0))
        } else {
            base_term
        };
        Log {
            first,
            base_term,
            entries,
        }
    }

    /// The first index held (1 until compacted).
    pub fn first_index(&self) -> LogIndex {
        self.first
    }

    pub fn last_index(&self) -> LogIndex {
        self.first.plus(self.entries.len() as u64).prev()
    }

    pub fn last_term(&self) -> Term {
        match self.entries.last() {
            Some(e) => e.term,
            None => self.base_term.unwrap_or(Term(0)),
        }
    }

    /// The term at `index`: the base term just before the first entry, `None` below it
    /// (compacted) and past the end.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == self.first.prev() {
            return self.base_term;
        }
        self.get(index).map(|e| e.term)
    }

    pub fn get(&self, index: LogIndex) -> Option<&Entry> {
        entry_at(
            &self.entries,
            LogIndex(index.0.checked_sub(self.compacted())?),
        )
    }

    pub fn push(&mut self, entry: Entry) -> LogIndex {
        self.entries.push(entry);
        self.last_index()
    }

    /// Removes every entry at `from` and above.
    pub fn truncate_from(&mut self, from: LogIndex) {
        assert!(
            from >= self.first,
            "cannot truncate from {from}, below the first index {}",
            self.first
        );
        self.entries.truncate((from.0 - self.first.0) as usize);
    }

    /// Entries `from..=to` (clamped to the log).
    pub fn slice(&self, from: LogIndex, to: LogIndex) -> &[Entry] {
        let shift = self.compacted();
        entries_between(
            &self.entries,
            LogIndex(from.0.saturating_sub(shift)),
            LogIndex(to.0.saturating_sub(shift)),
        )
    }

    /// How many entries were compacted away before `entries[0]`.
    fn compacted(&self) -> u64 {
        self.first.0 - 1
    }

    /// `log_store::compact(upto)`: drops every entry up to `upto`, whose term becomes the
    /// base term. A log shorter than `upto` ends up empty, starting at `upto + 1` (NuRaft's
    /// log store after installing a snapshot past its end).
    pub fn compact(&mut self, upto: LogIndex, term_at_upto: Term) {
        if upto < self.first {
            return;
        }
        let drop = (upto.0 + 1 - self.first.0).min(self.entries.len() as u64);
        self.entries.drain(..drop as usize);
        self.first = upto.next();
        self.base_term = Some(term_at_upto);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Payload;

    fn e(term: u64) -> Entry {
        Entry {
            term: Term(term),
            payload: Payload::Noop,
        }
    }

    #[test]
    fn a_compacted_log_keeps_its_indexes_and_the_base_term() {
        let mut log = Log::from_entries(vec![e(1), e(1), e(2), e(2), e(3)]);
        log.compact(LogIndex(3), Term(2));
        assert_eq!(log.first_index(), LogIndex(4));
        assert_eq!(log.last_index(), LogIndex(5));
        assert_eq!(log.term_at(LogIndex(3)), Some(Term(2)));
        assert_eq!(log.term_at(LogIndex(2)), None, "compacted away");
        assert_eq!(log.term_at(LogIndex::ZERO), None);
        assert_eq!(log.get(LogIndex(4)).map(|x| x.term), Some(Term(2)));
        assert_eq!(log.slice(LogIndex(1), LogIndex(9)).len(), 2);
        log.truncate_from(LogIndex(5));
        assert_eq!(log.last_index(), LogIndex(4));
        assert_eq!(log.push(e(4)), LogIndex(5));
    }

    #[test]
    fn compacting_past_the_end_leaves_an_empty_log_after_the_snapshot() {
        let mut log = Log::from_entries(vec![e(1), e(1)]);
        log.compact(LogIndex(7), Term(3));
        assert_eq!(log.first_index(), LogIndex(8));
        assert_eq!(log.last_index(), LogIndex(7));
        assert_eq!(log.last_term(), Term(3));
        assert_eq!(log.push(e(3)), LogIndex(8));
    }

    #[test]
    fn a_log_behind_a_lost_snapshot_knows_no_term_before_it() {
        let log = Log::from_compacted(LogIndex(5), None, vec![e(2)]);
        assert_eq!(log.term_at(LogIndex(4)), None);
        assert_eq!(log.last_index(), LogIndex(5));
    }
}
