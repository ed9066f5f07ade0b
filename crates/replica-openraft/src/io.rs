//! [`NodeIo`]: what openraft's storage, state machine and network share with the adapter
//! in one node — the log as the simulator's entries, the saved term and vote, the
//! `IOFlushed` callbacks waiting for a durable index, the actions for the world, the state
//! machine, and the RPCs awaiting an answer. Shared as `Rc<RefCell<..>>` (one thread).
//!
//! The callbacks: `append` holds its `IOFlushed` with the last index it wrote (`need`).
//! When the world reports a durable index that covers it (`LogDurable`), callbacks complete
//! oldest first. A truncation that cuts into a waiting callback's entries makes it wait for
//! the next write's flush instead (a flush covers every earlier write; the truncated entries
//! will never be durable on their own), as raft-rs's held `Ready`s do.

use crate::types::{Cfg, OrVote};
use crate::wire::{OpenraftMessage, Reply as WireReply};
use openraft::storage::IOFlushed;
use raft_core::{Action, Entry, FlushWait, Kv, LogIndex, NodeId, Notice, ReqId, Role, Term};
use sim_cluster::config::AdapterMutant;
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

pub type Shared = Rc<RefCell<NodeIo>>;

/// `need` of a callback whose entries a truncation cut: it waits for the next write.
pub const NEED_NEXT_WRITE: LogIndex = LogIndex(u64::MAX);
/// Callbacks waiting at once (openraft bounds its in-flight log I/O well below this).
pub const FLUSHES_MAX: usize = 1 << 16;
/// RPCs awaiting an answer at once.
pub const RPCS_MAX: usize = 1 << 16;

pub struct PendingFlush {
    pub need: LogIndex,
    pub callback: IOFlushed<Cfg>,
}

/// A client request this node took (as leader, or not yet knowing it is not).
pub struct ClientReq {
    /// Its entry entered this node's log: a failure now may still commit (`Dropped`).
    pub appended: bool,
}

/// How `append` makes its entries durable (docs/implementations.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// `append` flushes, blocking, before it returns, and completes `IOFlushed` at once.
    Sync,
    /// `append` returns once the entries are written; `IOFlushed` completes when the
    /// flush covering them is durable.
    Deferred,
}

pub struct NodeIo {
    pub id: NodeId,
    pub persistence: Persistence,
    pub mutant: AdapterMutant,
    /// The log, index `i` at `log[i - 1]`.
    pub log: Vec<Entry>,
    /// The lowest index written or cut since the adapter last copied the log.
    pub log_changed_from: Option<LogIndex>,
    /// The state machine changed since the adapter last copied it.
    pub kv_changed: bool,
    pub vote: Option<OrVote>,
    /// Term and vote last handed to the state file.
    pub saved: (Term, Option<NodeId>),
    /// The durable index the world last reported, lowered by our truncations.
    pub durable: LogIndex,
    pub flushes: VecDeque<PendingFlush>,
    /// Actions for the world, in the order openraft performed them.
    pub out: Vec<Action<OpenraftMessage>>,
    pub kv: Kv,
    pub applied: LogIndex,
    pub commit: LogIndex,
    pub role: Role,
    pub term: Term,
    pub next_rpc: u64,
    pub rpcs: BTreeMap<u64, (NodeId, crate::rt::OneshotSender<Rc<WireReply>>)>,
    pub clients: BTreeMap<ReqId, ClientReq>,
}

impl NodeIo {
    pub fn new(
        id: NodeId,
        persistence: Persistence,
        mutant: AdapterMutant,
        recovered: &raft_core::Recovered,
    ) -> NodeIo {
        NodeIo {
            id,
            persistence,
            mutant,
            log: recovered.log.clone(),
            log_changed_from: None,
            kv_changed: false,
            vote: None,
            saved: (recovered.term, recovered.vote),
            durable: LogIndex(recovered.log.len() as u64),
            flushes: VecDeque::new(),
            out: Vec::new(),
            kv: Kv::default(),
            applied: LogIndex::ZERO,
            commit: LogIndex::ZERO,
            role: Role::Follower,
            term: recovered.term,
            next_rpc: 0,
            rpcs: BTreeMap::new(),
            clients: BTreeMap::new(),
        }
    }

    pub fn last_index(&self) -> LogIndex {
        LogIndex(self.log.len() as u64)
    }

    /// Saves term and vote, blocking, when either changed (openraft's `save_vote` must be
    /// durable before it returns: every action after this one waits for the flush).
    pub fn save_vote(&mut self, vote: &OrVote) {
        self.vote = Some(*vote);
        let term = Term(vote.leader_id.term);
        let voted = NodeId(u8::try_from(crate::types::voted_for(vote)).expect("node ids fit u8"));
        if (term, Some(voted)) == self.saved {
            return;
        }
        self.saved = (term, Some(voted));
        self.out.push(Action::SaveState {
            term,
            vote: Some(voted),
            wait: FlushWait::Blocking,
        });
    }

    /// Writes entries `from..` (`from` is the log end + 1: a truncation came first).
    pub fn append(&mut self, from: LogIndex, entries: Vec<Entry>, callback: IOFlushed<Cfg>) {
        assert_eq!(
            from,
            self.last_index().next(),
            "openraft appends at the log end"
        );
        let to = from.plus(entries.len() as u64 - 1);
        for e in &entries {
            if let raft_core::Payload::Client { req, .. } = e.payload {
                if let Some(c) = self.clients.get_mut(&req) {
                    c.appended = true;
                }
            }
        }
        self.log.extend(entries);
        self.mark_log_changed(from);
        self.out.push(Action::Append { from, to });
        let flush = match self.persistence {
            Persistence::Sync => FlushWait::Blocking,
            Persistence::Deferred => FlushWait::Background,
        };
        self.out.push(Action::EndOfAppendBatch {
            start: from,
            count: to.0 - from.0 + 1,
            flush,
        });
        for f in &mut self.flushes {
            if f.need == NEED_NEXT_WRITE {
                f.need = to;
            }
        }
        if self.persistence == Persistence::Sync
            || self.mutant == AdapterMutant::IoFlushedBeforeFsync
        {
            // Sync: the flush above blocks the node, so whatever openraft does on this
            // completion reaches the world after the flush. The mutant (hiqlite #361): the
            // callback completes when the write is handed over, before the flush returns.
            callback.io_completed(Ok(()));
            return;
        }
        assert!(
            self.flushes.len() < FLUSHES_MAX,
            "{FLUSHES_MAX} log writes waiting"
        );
        self.flushes.push_back(PendingFlush { need: to, callback });
    }

    /// Removes entries after `keep` (our index; 0 empties the log).
    pub fn truncate_after(&mut self, keep: LogIndex) {
        if keep >= self.last_index() {
            return;
        }
        let from = keep.next();
        self.log.truncate(keep.0 as usize);
        self.mark_log_changed(from);
        self.durable = self.durable.min(keep);
        for f in &mut self.flushes {
            if f.need >= from {
                f.need = NEED_NEXT_WRITE;
            }
        }
        self.out.push(Action::WriteAt { from, to: keep });
    }

    /// The world reports `last_durable_index() == index`.
    pub fn on_durable(&mut self, index: LogIndex) -> Vec<IOFlushed<Cfg>> {
        self.durable = index;
        self.release()
    }

    /// The callbacks the durable index covers, oldest first (to complete outside the borrow).
    pub fn release(&mut self) -> Vec<IOFlushed<Cfg>> {
        let mut done = Vec::new();
        while let Some(f) = self.flushes.front() {
            if f.need > self.durable {
                break;
            }
            done.push(self.flushes.pop_front().expect("peeked").callback);
        }
        done
    }

    /// A truncation no write followed in this step: its cut callbacks wait for the flush of
    /// the truncation itself.
    pub fn settle_truncations(&mut self) {
        let cut = self.last_index();
        let mut any = false;
        for f in &mut self.flushes {
            if f.need == NEED_NEXT_WRITE {
                f.need = cut;
                any = true;
            }
        }
        if any {
            self.out.push(Action::EndOfAppendBatch {
                start: cut.next(),
                count: 0,
                flush: FlushWait::Background,
            });
        }
    }

    fn mark_log_changed(&mut self, from: LogIndex) {
        self.log_changed_from = Some(self.log_changed_from.map_or(from, |f| f.min(from)));
    }

    pub fn note_commit(&mut self, index: LogIndex) {
        if index > self.commit {
            self.commit = index;
            self.out.push(Action::Notice(Notice::Commit { index }));
        }
    }
}
