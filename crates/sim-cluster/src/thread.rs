//! A node's Raft thread, as the durability modes compete for it: the inputs waiting for it
//! (its inbox), what it is blocked on, the actions parked behind that, and the client path
//! a sync leader's flush holds (NuRaft's `cli_lock_`).
//!
//! This file keeps the thread's state and its rules of order; `exec.rs` runs the thread.

use crate::timers::TimerSlot;
use raft_core::{Action, Input, LogIndex, NodeId};
use sim_disk::OpId;
use sim_trace::BlockReason;
use std::collections::VecDeque;

/// Inputs waiting for a busy Raft thread; more is a bug (a node that never unblocks).
pub const INBOX_MAX: usize = 100_000;

/// What a blocked Raft thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// A flush (of the log in `end_of_append_batch`, or of `save_state`).
    Flush { op: OpId, reason: BlockReason },
    /// `last_durable_index() >= index` (parallel-append follower).
    Durable { index: LogIndex },
    /// A snapshot from the leader being saved (`save_logical_snp_obj`).
    Snapshot,
}

impl Blocked {
    /// What the trace says the thread blocked on.
    pub fn reason(self) -> BlockReason {
        match self {
            Blocked::Flush { reason, .. } => reason,
            Blocked::Durable { .. } => BlockReason::Durable,
            Blocked::Snapshot => BlockReason::Snapshot,
        }
    }
}

pub struct Thread<M> {
    pub blocked: Option<Blocked>,
    /// The rest of the action list, to run once unblocked.
    pub suspended: Vec<Action<M>>,
    /// An emptied list that takes `suspended`'s place while it runs (`exec.rs`).
    pub spare_suspended: Vec<Action<M>>,
    inbox: VecDeque<Input<M>>,
    /// A sync leader's client-path flush (`end_of_append_batch` under NuRaft's
    /// `cli_lock_`): while it runs, client requests wait in `client_queue` and every other
    /// input goes on.
    pub client_flush: Option<OpId>,
    client_queue: VecDeque<Input<M>>,
}

impl<M> Default for Thread<M> {
    fn default() -> Self {
        Thread {
            blocked: None,
            suspended: Vec::new(),
            spare_suspended: Vec::new(),
            inbox: VecDeque::new(),
            client_flush: None,
            client_queue: VecDeque::new(),
        }
    }
}

impl<M> Thread<M> {
    /// Queues an input behind the others.
    pub fn push(&mut self, node: NodeId, input: Input<M>) {
        assert!(
            self.inbox.len() < INBOX_MAX,
            "node {node} has {INBOX_MAX} inputs waiting"
        );
        self.inbox.push_back(input);
    }

    /// The next input the thread takes, if it is free to take one: a client request while
    /// the client path is busy waits for it, and a timer re-armed while its firing waited
    /// in the inbox is no timeout.
    pub fn next(&mut self, node: NodeId, timers: &[TimerSlot; 2]) -> Option<Input<M>> {
        if self.blocked.is_some() {
            return None;
        }
        while let Some(input) = self.inbox.pop_front() {
            if self.client_flush.is_some() && matches!(input, Input::ClientRequest { .. }) {
                assert!(
                    self.client_queue.len() < INBOX_MAX,
                    "node {node} has {INBOX_MAX} client requests waiting"
                );
                self.client_queue.push_back(input);
                continue;
            }
            if let Input::Timer(t) = input {
                if timers[crate::timers::timer_index(t)].is_set() {
                    continue;
                }
            }
            return Some(input);
        }
        None
    }

    /// Blocks the thread on `b`; `rest` runs once it is unblocked.
    pub fn park(&mut self, b: Blocked, rest: impl Iterator<Item = Action<M>>) {
        debug_assert!(self.suspended.is_empty(), "blocked twice");
        self.suspended.extend(rest);
        self.blocked = Some(b);
    }

    /// The client-path flush returned: the core learns the durable index first, before any
    /// input waiting in the inbox (the client requests behind it must find the batch
    /// counted), then the requests that waited for the client path go on.
    pub fn end_client_flush(&mut self, durable: LogIndex) {
        self.client_flush = None;
        self.inbox.push_front(Input::LogDurable { index: durable });
        // Drained, not taken: both queues keep their memory for the next flush.
        self.inbox.extend(self.client_queue.drain(..));
    }

    /// The process died: nothing of its thread survives.
    pub fn clear(&mut self) {
        self.blocked = None;
        self.suspended.clear();
        self.inbox.clear();
        self.client_flush = None;
        self.client_queue.clear();
    }
}
