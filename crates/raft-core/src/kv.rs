//! The replicated state machine: a small key-value store of registers (`Write`/`Read`) and
//! of append-only lists (`Append`/`ReadList`, the list-append workload of Jepsen's Elle).
//!
//! A register overwritten with the value it holds does not change, so a state machine that
//! applies an entry twice looks the same as one that applies it once; a list shows it (the
//! element is there twice). That is why the list workload exists.

use crate::types::{Command, Key, Value};
use std::collections::BTreeMap;

/// Elements one list may hold. The workload stops appending to a key long before
/// (`sim_cluster`'s clients read it instead), so only a state machine that applies entries
/// many times over can reach it.
pub const LIST_ELEMENTS_MAX: usize = 4096;

/// What a read returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReadResult {
    /// A register's value; `None`: never written.
    Register(Option<Value>),
    /// A list's elements, in the order they were appended (empty: never appended to).
    List(Vec<Value>),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kv {
    /// The registers, sorted by key (keys distinct): a workload has a handful of keys, and
    /// every node applies every write, so a search of a short sorted array beats a tree's
    /// walk from node to node.
    data: Vec<(Key, Value)>,
    lists: BTreeMap<Key, Vec<Value>>,
}

impl Kv {
    /// Applies a command; a read returns what it saw.
    pub fn apply(&mut self, command: Command) -> Option<ReadResult> {
        match command {
            Command::Write { key, value } => {
                match self.register(key) {
                    Ok(at) => self.data[at].1 = value,
                    Err(at) => self.data.insert(at, (key, value)),
                }
                None
            }
            Command::Read { key } => Some(ReadResult::Register(self.get(key))),
            Command::Append { key, element } => {
                let list = self.lists.entry(key).or_default();
                assert!(
                    list.len() < LIST_ELEMENTS_MAX,
                    "list {key} is full ({LIST_ELEMENTS_MAX} elements): entries applied over and over"
                );
                list.push(element);
                None
            }
            Command::ReadList { key } => Some(ReadResult::List(self.list(key).to_vec())),
        }
    }

    pub fn get(&self, key: Key) -> Option<Value> {
        let at = self.register(key).ok()?;
        Some(self.data[at].1)
    }

    /// Where register `key` is in `data`, or where it would go.
    fn register(&self, key: Key) -> Result<usize, usize> {
        self.data.binary_search_by_key(&key, |&(k, _)| k)
    }

    /// The list at `key` (empty: never appended to).
    pub fn list(&self, key: Key) -> &[Value] {
        self.lists.get(&key).map_or(&[], Vec::as_slice)
    }

    /// What a read of `command`'s key returns now, without going through the log (a
    /// leader answering from its state); `None` for a command that is not a read.
    pub fn read(&self, command: Command) -> Option<ReadResult> {
        match command {
            Command::Read { key } => Some(ReadResult::Register(self.get(key))),
            Command::ReadList { key } => Some(ReadResult::List(self.list(key).to_vec())),
            Command::Write { .. } | Command::Append { .. } => None,
        }
    }

    /// Every register and its value, by key: what a snapshot stores.
    pub fn registers(&self) -> impl Iterator<Item = (Key, Value)> + '_ {
        self.data.iter().copied()
    }

    /// Every list and its elements, by key: what a snapshot stores.
    pub fn lists(&self) -> impl Iterator<Item = (Key, &[Value])> + '_ {
        self.lists.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// A state machine holding `registers` and `lists` (as read back from a snapshot).
    pub fn from_parts(
        registers: impl IntoIterator<Item = (Key, Value)>,
        lists: impl IntoIterator<Item = (Key, Vec<Value>)>,
    ) -> Kv {
        // Through a map, as before: sorted by key, the last value of a key repeated wins.
        let data: BTreeMap<Key, Value> = registers.into_iter().collect();
        Kv {
            data: data.into_iter().collect(),
            lists: lists.into_iter().collect(),
        }
    }

    /// Registers and lists held.
    pub fn len(&self) -> usize {
        self.data.len() + self.lists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.lists.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_keeps_its_appends_in_order_and_shows_one_applied_twice() {
        let mut kv = Kv::default();
        assert_eq!(
            kv.apply(Command::ReadList { key: 1 }),
            Some(ReadResult::List(vec![]))
        );
        for element in [5, 9, 5] {
            assert_eq!(kv.apply(Command::Append { key: 1, element }), None);
        }
        assert_eq!(
            kv.apply(Command::ReadList { key: 1 }),
            Some(ReadResult::List(vec![5, 9, 5]))
        );
        assert_eq!(kv.list(2), &[] as &[Value]);
    }

    /// Registers read what was last written to them, list their keys in order, and two
    /// state machines with the same registers are equal whatever the order of the writes.
    #[test]
    fn registers_keep_the_last_write_in_key_order() {
        let mut a = Kv::default();
        for (key, value) in [(7, 1), (2, 5), (9, 3), (2, 6), (7, 4)] {
            a.apply(Command::Write { key, value });
        }
        assert_eq!(a.get(2), Some(6));
        assert_eq!(a.get(7), Some(4));
        assert_eq!(a.get(3), None);
        assert_eq!(a.registers().collect::<Vec<_>>(), [(2, 6), (7, 4), (9, 3)]);
        let b = Kv::from_parts([(9, 3), (7, 4), (2, 1), (2, 6)], []);
        assert_eq!(a, b);
    }

    #[test]
    fn registers_are_untouched_by_lists() {
        let mut kv = Kv::default();
        kv.apply(Command::Write { key: 1, value: 3 });
        kv.apply(Command::Append { key: 1, element: 4 });
        assert_eq!(
            kv.apply(Command::Read { key: 1 }),
            Some(ReadResult::Register(Some(3)))
        );
        assert_eq!(kv.len(), 2);
    }
}
