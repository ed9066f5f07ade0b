//! openraft's type configuration for the simulator, and the translation between its
//! entries and the simulator's.
//!
//! Index mapping: openraft's log starts at index 0 and ours at 1. Every node starts from
//! the same virtual snapshot at openraft index 0 — the cluster's membership, applied and
//! purged — so openraft index `i >= 1` is our index `i`, no `initialize` call writes a
//! membership entry, and every entry on the simulated disk is a leader's blank entry or a
//! client's command (`Payload::Noop` and `Payload::Client`).

use openraft::EntryPayload;
use raft_core::{ClientId, Command, Entry, LogIndex, Payload, ReqId, Term};
use std::fmt;

#[cfg(not(feature = "alpha24-api"))]
openraft::declare_raft_types!(
    /// openraft's types in the simulator: standard Raft leader ids (one leader per term,
    /// which the checkers' election safety assumes), our command and answer, our runtime.
    pub Cfg:
        D = Cmd,
        R = Reply,
        NodeId = u64,
        Node = openraft::impls::EmptyNode,
        LeaderId = openraft::impls::leader_id_std::LeaderId<u64, u64>,
        AsyncRuntime = crate::rt::SimRuntime,
);

// The same for the older API (0.10.0-alpha.24 and .25): the snapshot's data type is part of
// the type configuration there.
#[cfg(feature = "alpha24-api")]
openraft::declare_raft_types!(
    /// openraft's types in the simulator (the older API): see above.
    pub Cfg:
        D = Cmd,
        R = Reply,
        NodeId = u64,
        Node = openraft::impls::EmptyNode,
        LeaderId = openraft::impls::leader_id_std::LeaderId<u64, u64>,
        SnapshotData = (),
        AsyncRuntime = crate::rt::SimRuntime,
);

/// A snapshot whose data is nothing (the only one is the base snapshot at index 0).
#[cfg(not(feature = "alpha24-api"))]
pub type Snap = openraft::alias::SnapshotOf<Cfg, ()>;
#[cfg(feature = "alpha24-api")]
pub type Snap = openraft::alias::SnapshotOf<Cfg>;

/// The node a vote is for (the older API's standard leader id holds an `Option`).
pub fn voted_for(vote: &OrVote) -> u64 {
    #[cfg(not(feature = "alpha24-api"))]
    let v = vote.leader_id.voted_for;
    #[cfg(feature = "alpha24-api")]
    let v = vote
        .leader_id
        .voted_for
        .expect("openraft saves a vote for a node");
    v
}

pub type OrEntry = openraft::alias::EntryOf<Cfg>;
pub type OrLogId = openraft::alias::LogIdOf<Cfg>;
pub type OrVote = openraft::alias::VoteOf<Cfg>;

/// A client's command with the request that carried it: openraft's application data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cmd {
    pub client: ClientId,
    pub req: ReqId,
    pub command: Command,
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client {} req {} {:?}",
            self.client.0, self.req.0, self.command
        )
    }
}

/// What the state machine answers a command with (a read's result, if it read).
#[derive(Debug)]
pub struct Reply(pub Option<raft_core::ReadResult>);

/// openraft's log id of our entry `e` at `index`.
pub fn log_id(index: LogIndex, term: Term) -> OrLogId {
    OrLogId::new_term_index(term.0, index.0)
}

/// The virtual snapshot's log id (openraft index 0, term 0).
pub fn base_log_id() -> OrLogId {
    OrLogId::new_term_index(0, 0)
}

/// openraft's entry for ours at `index`.
pub fn to_openraft(index: LogIndex, e: &Entry) -> OrEntry {
    let payload = match e.payload {
        Payload::Noop => EntryPayload::Blank,
        Payload::Client {
            client,
            req,
            command,
        } => EntryPayload::Normal(Cmd {
            client,
            req,
            command,
        }),
    };
    OrEntry {
        log_id: log_id(index, e.term),
        payload,
    }
}

/// Our entry for openraft's; panics on a membership entry (no membership change runs).
pub fn from_openraft(e: &OrEntry) -> (LogIndex, Entry) {
    let payload = match &e.payload {
        EntryPayload::Blank => Payload::Noop,
        EntryPayload::Normal(c) => Payload::Client {
            client: c.client,
            req: c.req,
            command: c.command,
        },
        EntryPayload::Membership(_) => {
            panic!("no membership change runs in the simulator, yet openraft wrote one")
        }
    };
    let term = Term(e.log_id.leader_id.term);
    (LogIndex(e.log_id.index), Entry { term, payload })
}
