//! Snapshots and log compaction, in NuRaft's order (`snapshot_and_compact`,
//! `on_snapshot_completed`, `handle_snapshot_sync_req`):
//!
//! * **Creation.** After each entry applied, once the log holds `snapshot_distance`
//!   entries past its start and past the last snapshot, the node asks its state machine
//!   for a snapshot of what it has applied ([`Action::CreateSnapshot`]). The state machine
//!   persists it in the background and reports it done ([`Input::SnapshotCreated`]): only
//!   then does it become the node's last snapshot, and the log is compacted up to its
//!   index minus `reserved_log_items` ([`Action::Compact`]).
//! * **Installation.** A leader whose follower needs an entry it has compacted away sends
//!   its last snapshot instead (one message: NuRaft sends it in chunks). The follower saves
//!   it (`save_logical_snp_obj`, on the Raft thread, blocking: [`Action::InstallSnapshot`]),
//!   compacts its log up to it, takes its state, commits and applies up to its index, and
//!   answers as to an AppendEntries that matched up to the snapshot's index.
//!
//! Whether a snapshot is durable when its state machine says it is done is the state
//! machine's business (the world's): the core trusts the report, as NuRaft does.
//!
//! [`Action::CreateSnapshot`]: crate::Action::CreateSnapshot
//! [`Input::SnapshotCreated`]: crate::Input::SnapshotCreated
//! [`Action::Compact`]: crate::Action::Compact
//! [`Action::InstallSnapshot`]: crate::Action::InstallSnapshot

use crate::io::{Action, Notice};
use crate::kv::Kv;
use crate::message::Message;
use crate::node::{InFlight, Raft};
use crate::types::{LogIndex, NodeId, Term};
use std::sync::Arc;

/// A snapshot of the state machine: everything applied up to `index` (whose entry has
/// `term`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub index: LogIndex,
    pub term: Term,
    pub kv: Kv,
}

impl Raft {
    /// `snapshot_and_compact(sm_commit_index)`, called after each entry applied.
    pub(crate) fn maybe_snapshot(&mut self, out: &mut Vec<Action>) {
        let distance = self.cfg.snapshot_distance;
        if distance == 0 || self.creating.is_some() {
            return;
        }
        let applied = self.applied;
        let first = self.log.first_index();
        // The log must hold `distance` entries from its start up to what is applied ...
        if applied.0 + 1 < first.0 + distance {
            return;
        }
        // ... and the last snapshot must be `distance` behind.
        if self
            .snapshot
            .as_ref()
            .is_some_and(|s| applied.0 < s.index.0 + distance)
        {
            return;
        }
        let Some(term) = self.log.term_at(applied) else {
            return;
        };
        let snapshot = Arc::new(Snapshot {
            index: applied,
            term,
            kv: self.kv.clone(),
        });
        self.creating = Some(Arc::clone(&snapshot));
        out.push(Action::CreateSnapshot { snapshot });
    }

    /// `on_snapshot_completed(result = true)`: the snapshot being created is the last
    /// snapshot now, and the log is compacted behind it.
    pub(crate) fn on_snapshot_created(&mut self, index: LogIndex, out: &mut Vec<Action>) {
        let Some(s) = self.creating.take_if(|s| s.index == index) else {
            return;
        };
        let newer = self.snapshot.as_ref().is_none_or(|old| old.index < s.index);
        if !newer {
            return;
        }
        self.snapshot = Some(Arc::clone(&s));
        let reserved = self.cfg.reserved_log_items;
        if s.index.0 > reserved {
            let upto = LogIndex(s.index.0 - reserved);
            self.compact_log(upto, out);
        }
    }

    /// Compacts the in-memory log and the store up to `upto`, if that removes anything.
    fn compact_log(&mut self, upto: LogIndex, out: &mut Vec<Action>) {
        if upto < self.log.first_index() {
            return;
        }
        let term = match self.log.term_at(upto) {
            Some(t) => t,
            // Past the end of the log: only a snapshot installed beyond it gets here.
            None => match &self.snapshot {
                Some(s) if s.index == upto => s.term,
                _ => return,
            },
        };
        self.log.compact(upto, term);
        out.push(Action::Compact { upto });
    }

    /// Whether the leader must send a snapshot to reach a follower whose next index is
    /// `next`: the entry before it is compacted away.
    pub(crate) fn needs_snapshot(&self, next: LogIndex) -> bool {
        next.prev() < self.log.first_index().prev()
    }

    /// The leader's `create_sync_snapshot_req`: its last snapshot to peer `peer`, or
    /// nothing if it has none ("neither snapshot nor log exists": NuRaft sends nothing, to
    /// protect the leader).
    pub(crate) fn send_snapshot(&mut self, peer: usize, out: &mut Vec<Action>) {
        let Some(snapshot) = self.snapshot.clone() else {
            return;
        };
        let p = &mut self.peers[peer];
        p.in_flight = Some(InFlight {
            prev_index: snapshot.index,
            last_index: snapshot.index,
            ticks: 0,
        });
        let msg = Message::InstallSnapshot {
            term: self.term,
            leader: self.cfg.id,
            snapshot,
        };
        out.push(Action::Send { to: p.id, msg });
    }

    /// A follower receives a snapshot (`handle_install_snapshot_req`).
    pub(crate) fn on_install_snapshot(
        &mut self,
        term: Term,
        leader: NodeId,
        snapshot: Arc<Snapshot>,
        out: &mut Vec<Action>,
    ) {
        if !self.accept_leader(term, leader, out) {
            return;
        }
        let index = snapshot.index;
        // Already committed here: nothing to install; the committed prefix matches the
        // leader's up to the snapshot's index.
        if index <= self.commit {
            self.reply_append(leader, true, index, out);
            return;
        }
        out.push(Action::InstallSnapshot {
            snapshot: Arc::clone(&snapshot),
        });
        // `log_store_->compact(idx)`, then `apply_snapshot`: the state machine is the
        // snapshot's, and commit and apply indexes jump to it.
        self.drop_held_answers_from(LogIndex(1));
        self.snapshot = Some(Arc::clone(&snapshot));
        let upto_term = snapshot.term;
        self.log.compact(index, upto_term);
        out.push(Action::Compact { upto: index });
        self.last_durable = self.last_durable.max(index);
        self.kv = snapshot.kv.clone();
        self.applied = index;
        self.commit = index;
        out.push(Action::Notice(Notice::Commit { index }));
        self.reply_append(leader, true, index, out);
    }
}
