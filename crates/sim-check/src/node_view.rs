//! What the checker knows of one node, rebuilt from the trace alone: its in-memory log, its
//! durable media, its role and its commit index. The cluster of them is the [`View`]
//! (`view.rs`); this file knows nothing of the other nodes.
//!
//! A log or the media is kept as [`Entries`]: a prefix that is the cluster's committed
//! entries, told by its length only (the view keeps the committed entries once, for every
//! node), and a tail kept entry by entry. Which entries are in which part changes nothing
//! a reader sees: the representation is exact, and every reader passes the committed
//! entries along.
//!
//! [`View`]: crate::view::View

use raft_core::{LogIndex, Role, Term};
use sim_core::SimTime;
use sim_trace::DurableEntry;

/// The identity of an entry: its term and the request that wrote it. Two entries with the
/// same index and identity are the same entry.
pub type EntryId = DurableEntry;

#[derive(Clone, Debug)]
pub struct NodeView {
    pub up: bool,
    pub role: Role,
    pub term: Term,
    /// The in-memory log, from index 1.
    pub log: Entries,
    /// The durable media, from index 1. Up to `snapshot_durable` the snapshot stands for
    /// the committed entries; a place compacted away with nothing to stand for it holds
    /// [`EntryId::HOLE`].
    pub durable: Entries,
    /// The last index of the snapshot the media hold (0: none).
    pub snapshot_durable: LogIndex,
    pub commit: LogIndex,
    pub last_crash: Option<SimTime>,
    pub last_restart: Option<SimTime>,
}

impl Default for NodeView {
    fn default() -> Self {
        NodeView {
            up: true,
            role: Role::Follower,
            term: Term(0),
            log: Entries::default(),
            durable: Entries::default(),
            snapshot_durable: LogIndex::ZERO,
            commit: LogIndex::ZERO,
            last_crash: None,
            last_restart: None,
        }
    }
}

impl NodeView {
    /// Whether this node still has `id` at `index` somewhere it can recover or serve it
    /// from: its memory when up, its media when down.
    pub fn holds(&self, committed: &[EntryId], index: LogIndex, id: &EntryId) -> bool {
        let copy = if self.up {
            self.log.at(committed, index)
        } else {
            self.durable.at(committed, index)
        };
        copy == Some(id)
    }
}

/// A node's log or media, from index 1: positions `0..base` hold the cluster's committed
/// entries there (not kept here: `committed`, passed in by every reader, has them), the
/// positions from `base` on are in `tail`. Only [`Entries::forget_committed`] and
/// [`Entries::cover`] move `base` up, each over positions that hold the committed entry;
/// a write below `base` that differs from it moves `base` back down first.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    base: usize,
    tail: Vec<EntryId>,
}

impl Entries {
    /// How many entries: the last index.
    pub fn len(&self) -> usize {
        self.base + self.tail.len()
    }

    /// How many leading entries are the committed ones, told by length only.
    pub fn base(&self) -> usize {
        self.base
    }

    /// How many entries are kept one by one.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.tail.len()
    }

    /// The entry at position `i` (index `i + 1`).
    pub fn get<'a>(&'a self, committed: &'a [EntryId], i: usize) -> Option<&'a EntryId> {
        if i < self.base {
            Some(&committed[i])
        } else {
            self.tail.get(i - self.base)
        }
    }

    /// The entry at `index`.
    pub fn at<'a>(&'a self, committed: &'a [EntryId], index: LogIndex) -> Option<&'a EntryId> {
        let i = usize::try_from(index.0).ok()?.checked_sub(1)?;
        self.get(committed, i)
    }

    /// Every entry, from index 1.
    pub fn iter<'a>(&'a self, committed: &'a [EntryId]) -> impl Iterator<Item = &'a EntryId> {
        committed[..self.base].iter().chain(&self.tail)
    }

    pub fn push(&mut self, id: EntryId) {
        self.tail.push(id);
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        if len <= self.base {
            self.base = len;
            self.tail.clear();
        } else {
            self.tail.truncate(len - self.base);
        }
    }

    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// The first `len` entries, as entries of their own.
    pub fn prefix(&self, len: usize) -> Entries {
        assert!(
            len <= self.len(),
            "a prefix of {len} of {} entries",
            self.len()
        );
        let base = self.base.min(len);
        Entries {
            base,
            tail: self.tail[..len - base].to_vec(),
        }
    }

    /// Writes `id` at position `i`, which is in the entries or right after them.
    pub fn set(&mut self, committed: &[EntryId], i: usize, id: EntryId) {
        assert!(
            i <= self.len(),
            "a write at {i} past {} entries",
            self.len()
        );
        if i < self.base {
            if committed[i] == id {
                return;
            }
            // Kept one by one again from `i` on: the tail starts with the committed entries
            // the write keeps, then what the write changes.
            self.tail
                .splice(0..0, committed[i..self.base].iter().copied());
            self.base = i;
        }
        match self.tail.get_mut(i - self.base) {
            Some(slot) => *slot = id,
            None => self.tail.push(id),
        }
    }

    /// From now on the committed entries stand for positions `0..upto` (a snapshot of
    /// them): what was there is replaced, and the entries grow to `upto` if shorter.
    /// `upto` is at most `committed.len()`.
    pub fn cover(&mut self, committed: &[EntryId], upto: usize) {
        assert!(
            upto <= committed.len(),
            "a snapshot past the committed prefix"
        );
        if upto <= self.base {
            return;
        }
        let covered = (upto - self.base).min(self.tail.len());
        self.tail.drain(..covered);
        self.base = upto;
    }

    /// Stops keeping one by one the leading tail entries that are the committed entries
    /// there. Costs what it forgets plus one comparison, and the tail's move.
    pub fn forget_committed(&mut self, committed: &[EntryId]) {
        let rest = committed.get(self.base..).unwrap_or(&[]);
        let same = self
            .tail
            .iter()
            .zip(rest)
            .take_while(|(a, b)| a == b)
            .count();
        if same > 0 {
            self.tail.drain(..same);
            self.base += same;
        }
    }

    /// The first position below `len` where these entries end or differ from `other`'s
    /// (which hold at least `len`), if any. The positions both tell by length agree.
    pub fn first_difference(
        &self,
        other: &Entries,
        committed: &[EntryId],
        len: usize,
    ) -> Option<usize> {
        assert!(other.len() >= len, "compared past the other's end");
        let agreed = self.base.min(other.base).min(len);
        (agreed..len).find(|&i| self.get(committed, i) != other.get(committed, i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::ReqId;

    fn id(term: u64, req: u64) -> EntryId {
        DurableEntry {
            term: Term(term),
            req: Some(ReqId(req)),
        }
    }

    fn all(e: &Entries, committed: &[EntryId]) -> Vec<EntryId> {
        e.iter(committed).copied().collect()
    }

    /// Forgetting, covering, truncating and writing below the base read back exactly as a
    /// plain list would.
    #[test]
    fn entries_read_back_as_a_plain_list() {
        let committed: Vec<EntryId> = (1..=6).map(|i| id(1, i)).collect();
        let mut e = Entries::default();
        let mut plain = Vec::new();
        for i in 1..=8 {
            let x = if i <= 5 { id(1, i) } else { id(2, i) };
            e.push(x);
            plain.push(x);
        }
        e.forget_committed(&committed);
        assert_eq!(
            (e.base(), e.kept()),
            (5, 3),
            "entry 6 differs from the committed"
        );
        assert_eq!(all(&e, &committed), plain);
        // A write below the base that changes an entry keeps it one by one again.
        e.set(&committed, 2, EntryId::HOLE);
        plain[2] = EntryId::HOLE;
        assert_eq!(all(&e, &committed), plain);
        assert_eq!(e.base(), 2);
        // One that writes the committed entry changes nothing.
        e.set(&committed, 1, id(1, 2));
        assert_eq!(all(&e, &committed), plain);
        // A snapshot stands for the committed entries.
        e.cover(&committed, 4);
        plain[..4].copy_from_slice(&committed[..4]);
        assert_eq!(all(&e, &committed), plain);
        assert_eq!(e.prefix(6).iter(&committed).count(), 6);
        e.truncate(3);
        plain.truncate(3);
        assert_eq!(all(&e, &committed), plain);
        e.cover(&committed, 6);
        assert_eq!(all(&e, &committed), committed);
    }

    #[test]
    fn the_first_difference_looks_past_the_common_base_only() {
        let committed: Vec<EntryId> = (1..=4).map(|i| id(1, i)).collect();
        let mut a = Entries::default();
        let mut b = Entries::default();
        for x in &committed {
            a.push(*x);
            b.push(*x);
        }
        b.push(id(2, 9));
        a.push(id(3, 9));
        a.forget_committed(&committed);
        assert_eq!(a.first_difference(&b, &committed, 4), None);
        assert_eq!(a.first_difference(&b, &committed, 5), Some(4));
        a.truncate(2);
        assert_eq!(a.first_difference(&b, &committed, 4), Some(2));
    }
}
