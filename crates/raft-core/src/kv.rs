//! The replicated state machine: a small key-value store of registers.

use crate::types::{Command, Key, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kv {
    data: BTreeMap<Key, Value>,
}

impl Kv {
    /// Applies a command; a read returns the value it saw.
    pub fn apply(&mut self, command: Command) -> Option<Option<Value>> {
        match command {
            Command::Write { key, value } => {
                self.data.insert(key, value);
                None
            }
            Command::Read { key } => Some(self.data.get(&key).copied()),
        }
    }

    pub fn get(&self, key: Key) -> Option<Value> {
        self.data.get(&key).copied()
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}
