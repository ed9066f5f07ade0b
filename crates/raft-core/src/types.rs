//! The domain's numbers as newtypes, and the log entry. An index is not a count, a term is
//! not an index: the compiler keeps them apart.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A node of the cluster: the simulator's one node identity (1-based, at most
/// `NODES_MAX`), shared with the disk, network and checker so no layer renumbers nodes.
pub use sim_core::{NODES_MAX, NodeId};

/// A Raft term. Term 0 is the term before any election.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Term(pub u64);

/// A position in the log; the first entry is at index 1, index 0 means "none".
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct LogIndex(pub u64);

/// A client of the workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(pub u32);

/// A client request, unique within a run (a retry is a new request).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReqId(pub u64);

impl LogIndex {
    pub const ZERO: LogIndex = LogIndex(0);

    pub fn next(self) -> LogIndex {
        LogIndex(self.0 + 1)
    }
    /// The index before; `LogIndex::ZERO` stays zero.
    pub fn prev(self) -> LogIndex {
        LogIndex(self.0.saturating_sub(1))
    }
    /// The index `n` entries after `self`.
    pub fn plus(self, n: u64) -> LogIndex {
        LogIndex(self.0 + n)
    }
}

impl Term {
    pub fn next(self) -> Term {
        Term(self.0 + 1)
    }
}

macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}
display_inner!(Term, LogIndex, ClientId, ReqId);

/// A key of the key-value state machine.
pub type Key = u32;
/// A value of the key-value state machine. The workload writes unique values.
pub type Value = u64;

/// What a client asks the state machine to do. A workload uses either the register
/// commands (`Write`, `Read`) or the list commands (`Append`, `ReadList`, Elle's
/// list-append), never both on one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Command {
    Write {
        key: Key,
        value: Value,
    },
    Read {
        key: Key,
    },
    /// Appends `element` to the key's list. The workload appends unique elements.
    Append {
        key: Key,
        element: Value,
    },
    /// Reads the key's whole list.
    ReadList {
        key: Key,
    },
}

impl Command {
    /// Whether the command changes the state machine (a write or an append).
    pub fn is_update(&self) -> bool {
        matches!(self, Command::Write { .. } | Command::Append { .. })
    }
}

/// The payload of a log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Payload {
    /// A new leader's first entry of its term.
    Noop,
    /// A client's command, with the request that carried it.
    Client {
        client: ClientId,
        req: ReqId,
        command: Command,
    },
}

/// One log entry. Its index is its position in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub term: Term,
    pub payload: Payload,
}

impl Entry {
    /// The client request that wrote this entry, if any.
    pub fn req(&self) -> Option<ReqId> {
        match self.payload {
            Payload::Noop => None,
            Payload::Client { req, .. } => Some(req),
        }
    }
}

/// A node's role in its current term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}
