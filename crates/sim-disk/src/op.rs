//! The names of things a caller holds: which file ([`FileId`]), which operation
//! ([`OpId`]), what kind it was ([`OpKind`]) and how it ended ([`Completion`]).
//!
//! Plain values with no behaviour, so they can go into traces and events as they are.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A file of one disk, numbered from 0. By convention the caller uses file 0 for the Raft
/// log and file 1 for the term/vote state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileId(pub u8);

/// One submitted operation. Ids increase in submission order and are never reused by the
/// same [`crate::Disk`], crashes included, so a completion can never be mistaken for one
/// from before a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId(pub u64);

/// What an operation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpKind {
    Write,
    Truncate,
    Flush,
}

/// An operation that finished. Only a flush can fail (`ok == false`: an fsync error);
/// writes and truncates always land.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Completion {
    pub op: OpId,
    pub file: FileId,
    pub kind: OpKind,
    pub ok: bool,
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "file{}", self.0)
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op#{}", self.0)
    }
}
