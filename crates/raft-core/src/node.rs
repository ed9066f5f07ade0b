//! The Raft node: its state, the one entry point [`Raft::step`], role transitions and the
//! persistence of term and vote. Elections, the leader's replication, the follower's
//! AppendEntries handling and apply live in their own files as further `impl Raft` blocks.

use crate::buffers::EntryBuffers;
use crate::config::{Config, CoreMutant, FlushWait};
use crate::io::{Action, ClientResult, Input, Notice, Timer};
use crate::kv::{Kv, ReadResult};
use crate::log::Log;
use crate::message::Message;
use crate::pipeline::HeldAnswer;
use crate::snapshot::Snapshot;
use crate::types::{ClientId, Entry, LogIndex, NodeId, Payload, ReqId, Role, Term};
use std::collections::VecDeque;
use std::sync::Arc;

/// What a node finds on its disk when it starts.
#[derive(Clone, Debug, Default)]
pub struct Recovered {
    pub term: Term,
    pub vote: Option<NodeId>,
    /// The log entries recovered, from [`Recovered::log_first_index`].
    pub log: Vec<Entry>,
    /// The index of the first entry of `log`: 1, or later once the store has compacted
    /// its log behind a snapshot. 0 is taken as 1.
    pub log_first_index: LogIndex,
    /// The last snapshot the state machine holds durably: the state it restarts from.
    pub snapshot: Option<Arc<Snapshot>>,
    /// `last_durable_index()` at start: normally the last recovered entry.
    pub durable_index: LogIndex,
    /// A persistent state machine's state and its last applied index; `None` rebuilds from
    /// the log as entries commit again.
    pub state_machine: Option<(Kv, LogIndex)>,
}

/// The leader's view of one follower.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Peer {
    pub id: NodeId,
    pub next: LogIndex,
    pub matched: LogIndex,
    /// The outstanding AppendEntries, if any.
    pub in_flight: Option<InFlight>,
    /// The follower's last answer asked for a pause (a negative batch-size hint): requests
    /// to it carry no entries, and only heartbeats send them.
    pub paused: bool,
}

/// The one AppendEntries a leader has outstanding to a follower (NuRaft's busy flag).
#[derive(Clone, Copy, Debug)]
pub(crate) struct InFlight {
    pub prev_index: LogIndex,
    /// `prev_index` plus the number of entries: what a success answers with.
    pub last_index: LogIndex,
    /// Heartbeat ticks since it was sent.
    pub ticks: u8,
}

/// A committed, applied entry whose client waits for the leader's flush
/// (`AckRule::OnCommitAndFlush`).
#[derive(Clone, Debug)]
pub(crate) struct AwaitingFlush {
    pub index: LogIndex,
    pub client: ClientId,
    pub req: ReqId,
    pub read: Option<ReadResult>,
}

/// One Raft node as a pure state machine.
#[derive(Clone, Debug)]
pub struct Raft {
    pub(crate) cfg: Config,
    pub(crate) term: Term,
    pub(crate) vote: Option<NodeId>,
    pub(crate) log: Log,
    pub(crate) role: Role,
    pub(crate) leader: Option<NodeId>,
    pub(crate) commit: LogIndex,
    pub(crate) applied: LogIndex,
    pub(crate) kv: Kv,
    /// The log store's `last_durable_index()`, as last reported.
    pub(crate) last_durable: LogIndex,
    /// The leader's own matched index (NuRaft's `precommit_index_`); AppendEntries carry
    /// entries up to it and no further.
    pub(crate) precommit: LogIndex,
    /// A sync leader's client batch whose flush is still running on the client path
    /// ([`FlushWait::BlockingClient`]): its last index, counted and sent once durable.
    pub(crate) client_batch: Option<LogIndex>,
    pub(crate) votes: u16,
    pub(crate) peers: Vec<Peer>,
    pub(crate) awaiting_flush: VecDeque<AwaitingFlush>,
    /// Term changed since it was last saved.
    pub(crate) term_dirty: bool,
    /// Vote changed since it was last saved.
    pub(crate) vote_dirty: bool,
    /// A pipelined follower's success answers waiting for durability, in request order
    /// (`pipeline.rs`); always empty otherwise.
    pub(crate) held: VecDeque<HeldAnswer>,
    /// `completion-before-pending` only: an answer checked but not yet registered.
    pub(crate) registering: Option<HeldAnswer>,
    /// AppendEntries buffers to reuse (`buffers.rs`): memory only.
    pub(crate) buffers: EntryBuffers,
    /// The last snapshot (NuRaft's `last_snapshot_`): created and reported done, or
    /// installed from a leader, or recovered.
    pub(crate) snapshot: Option<Arc<Snapshot>>,
    /// The snapshot the state machine is creating (`snp_in_progress_`).
    pub(crate) creating: Option<Arc<Snapshot>>,
}

impl Raft {
    /// A node starting (or restarting) from what its disk holds. Call [`Raft::start`] next.
    pub fn new(cfg: Config, recovered: Recovered) -> Raft {
        cfg.validate();
        let first = LogIndex(recovered.log_first_index.0.max(1));
        let snapshot = recovered.snapshot;
        // The term before the log's first entry: the snapshot's, if it ends right there.
        // A log that starts past the snapshot's end has lost entries nothing vouches for.
        let base_term = snapshot
            .as_ref()
            .filter(|s| s.index == first.prev())
            .map(|s| s.term);
        let mut log = Log::from_compacted(first, base_term, recovered.log);
        assert!(
            recovered.durable_index <= log.last_index(),
            "durable index past the log"
        );
        if let Some(s) = &snapshot {
            // What the snapshot covers is compacted again (the store's compaction may not
            // have reached the media); a log that disagrees with the snapshot at its index
            // is dropped whole.
            if log.term_at(s.index).is_some_and(|t| t != s.term) {
                log = Log::from_compacted(s.index.next(), Some(s.term), Vec::new());
            } else if s.index >= first {
                log.compact(s.index, s.term);
            }
        }
        let durable_index = recovered
            .durable_index
            .max(log.first_index().prev())
            .min(log.last_index());
        // The state machine restarts from its snapshot, or from what it persisted if that
        // is newer (a persistent state machine), or empty.
        let from_snapshot = snapshot.as_ref().map(|s| (s.kv.clone(), s.index));
        let (kv, applied) = match (recovered.state_machine, from_snapshot) {
            (Some(sm), Some(snap)) => {
                if sm.1 >= snap.1 {
                    sm
                } else {
                    snap
                }
            }
            (sm, snap) => sm.or(snap).unwrap_or_default(),
        };
        let peers = cfg
            .voters
            .iter()
            .filter(|v| **v != cfg.id)
            .map(|&id| Peer {
                id,
                next: LogIndex(1),
                matched: LogIndex::ZERO,
                in_flight: None,
                paused: false,
            })
            .collect();
        Raft {
            term: recovered.term,
            vote: recovered.vote,
            role: Role::Follower,
            leader: None,
            commit: applied,
            applied,
            kv,
            // `durable-index-starts-at-zero`: the restarted node forgets what is durable.
            last_durable: if cfg.mutant == CoreMutant::DurableIndexStartsAtZero {
                LogIndex::ZERO
            } else {
                durable_index
            },
            precommit: LogIndex::ZERO,
            client_batch: None,
            votes: 0,
            peers,
            awaiting_flush: VecDeque::new(),
            term_dirty: false,
            vote_dirty: false,
            held: VecDeque::new(),
            registering: None,
            buffers: EntryBuffers::default(),
            snapshot,
            creating: None,
            log,
            cfg,
        }
    }

    /// The actions of a node that has just started: announce its role, arm its timer.
    pub fn start(&mut self, out: &mut Vec<Action>) {
        out.push(Action::Notice(Notice::RoleChanged {
            role: self.role,
            term: self.term,
        }));
        self.reset_election_timer(out);
    }

    /// Feeds one input; the effects are appended to `out`, to be executed in order.
    pub fn step(&mut self, input: Input, out: &mut Vec<Action>) {
        if !matches!(input, Input::LogDurable { .. }) {
            self.register_late();
        }
        match input {
            Input::Timer(Timer::Election) => self.on_election_timeout(out),
            Input::Timer(Timer::Heartbeat) => self.on_heartbeat(out),
            Input::Message { from, msg } => self.on_message(from, msg, out),
            Input::ClientRequest {
                client,
                req,
                command,
            } => self.on_client_request(client, req, command, out),
            Input::LogDurable { index } => {
                self.on_log_durable(index, out);
                // `completion-before-pending`: this completion came between the check and
                // the registration of the answer before it, and found nothing to release.
                self.register_late();
            }
            Input::PeerUnreachable { peer } => self.forget_peer(peer),
            Input::SnapshotCreated { index } => self.on_snapshot_created(index, out),
        }
        debug_assert!(
            self.applied <= self.commit.max(self.applied),
            "applied past commit"
        );
        debug_assert!(
            !(self.term_dirty || self.vote_dirty),
            "term/vote changed but not saved"
        );
    }

    fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Vec<Action>) {
        if msg.term() > self.term {
            let leader = matches!(msg, Message::AppendEntries { .. }).then_some(from);
            self.become_follower(msg.term(), leader, out);
        }
        match msg {
            Message::AppendEntries {
                term,
                leader,
                prev_index,
                prev_term,
                entries,
                leader_commit,
            } => {
                self.on_append_entries(
                    term,
                    leader,
                    prev_index,
                    prev_term,
                    &entries,
                    leader_commit,
                    out,
                );
                self.buffers.spent(entries);
            }
            Message::AppendResponse {
                term,
                success,
                match_index,
                pause,
            } => self.on_append_response(from, term, success, match_index, pause, out),
            Message::VoteRequest {
                term,
                candidate,
                last_index,
                last_term,
            } => self.on_vote_request(term, candidate, last_index, last_term, out),
            Message::VoteResponse { term, granted } => {
                self.on_vote_response(from, term, granted, out)
            }
            Message::InstallSnapshot {
                term,
                leader,
                snapshot,
            } => self.on_install_snapshot(term, leader, snapshot, out),
        }
        self.persist_state(out);
    }

    /// Steps down to follower, adopting `term` if it is newer (which clears the vote).
    /// A leader that steps down tells its waiting clients their requests are in doubt.
    pub(crate) fn become_follower(
        &mut self,
        term: Term,
        leader: Option<NodeId>,
        out: &mut Vec<Action>,
    ) {
        assert!(term >= self.term, "stepping down to an older term");
        let was_leader = self.role == Role::Leader;
        let old_term = self.term;
        let changed = term > self.term || self.role != Role::Follower;
        if changed || self.leader != leader {
            self.drop_held_answers();
        }
        if term > self.term {
            self.term = term;
            self.vote = None;
            self.term_dirty = true;
            self.vote_dirty = true;
        }
        self.role = Role::Follower;
        self.leader = leader;
        if changed {
            out.push(Action::Notice(Notice::RoleChanged {
                role: Role::Follower,
                term: self.term,
            }));
        }
        if was_leader {
            out.push(Action::CancelTimer {
                timer: Timer::Heartbeat,
            });
            self.drop_pending_clients(old_term, out);
        }
        self.reset_election_timer(out);
    }

    /// The connection to `peer` broke: what it was known to hold is forgotten. NuRaft
    /// forgets it when it re-creates the connection, before its next request; forgetting
    /// at once can only count fewer replicas, never more.
    fn forget_peer(&mut self, peer: NodeId) {
        if let Some(p) = self.peers.iter_mut().find(|p| p.id == peer) {
            p.matched = LogIndex::ZERO;
        }
    }

    /// Saves term and vote if they changed: blocking, as `save_state` must be, unless a
    /// catalogue bug makes it asynchronous.
    pub(crate) fn persist_state(&mut self, out: &mut Vec<Action>) {
        if !(self.term_dirty || self.vote_dirty) {
            return;
        }
        // The catalogue's persistence bugs: a vote (`vote-not-persisted`), or whatever a
        // higher term brought with it, the vote included (`term-not-persisted`), is
        // answered before it is flushed.
        let vote_changed = self.vote_dirty && self.vote.is_some();
        let wait = match self.cfg.mutant {
            CoreMutant::VoteNotPersisted if vote_changed => FlushWait::Background,
            CoreMutant::TermNotPersisted if self.term_dirty => FlushWait::Background,
            _ => FlushWait::Blocking,
        };
        out.push(Action::SaveState {
            term: self.term,
            vote: self.vote,
            wait,
        });
        self.term_dirty = false;
        self.vote_dirty = false;
    }

    pub(crate) fn reset_election_timer(&self, out: &mut Vec<Action>) {
        out.push(Action::SetTimer {
            timer: Timer::Election,
            min_ns: self.cfg.election_timeout_min_ns,
            max_ns: self.cfg.election_timeout_max_ns,
        });
    }

    /// Every request this leader appended in its term `term` and has not answered: in
    /// doubt now, since the entry may still commit under another leader.
    fn drop_pending_clients(&mut self, term: Term, out: &mut Vec<Action>) {
        for w in self.awaiting_flush.drain(..) {
            out.push(Action::ClientReply {
                client: w.client,
                req: w.req,
                result: ClientResult::Dropped,
            });
        }
        let from = self.applied.next();
        let to = self.log.last_index();
        for e in self.log.slice(from, to) {
            if let Payload::Client { client, req, .. } = e.payload {
                if e.term == term {
                    out.push(Action::ClientReply {
                        client,
                        req,
                        result: ClientResult::Dropped,
                    });
                }
            }
        }
    }

    // --- Read access for the harness and the checker ---------------------------------

    pub fn id(&self) -> NodeId {
        self.cfg.id
    }
    pub fn config(&self) -> &Config {
        &self.cfg
    }
    pub fn term(&self) -> Term {
        self.term
    }
    pub fn vote(&self) -> Option<NodeId> {
        self.vote
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    pub fn commit_index(&self) -> LogIndex {
        self.commit
    }
    pub fn applied_index(&self) -> LogIndex {
        self.applied
    }
    pub fn last_durable_index(&self) -> LogIndex {
        self.last_durable
    }
    pub fn last_index(&self) -> LogIndex {
        self.log.last_index()
    }
    /// The first index the in-memory log holds (1 until compacted).
    pub fn first_index(&self) -> LogIndex {
        self.log.first_index()
    }
    /// The last snapshot, if any.
    pub fn last_snapshot(&self) -> Option<&Arc<Snapshot>> {
        self.snapshot.as_ref()
    }
    pub fn last_term(&self) -> Term {
        self.log.last_term()
    }
    pub fn entry(&self, index: LogIndex) -> Option<&Entry> {
        self.log.get(index)
    }
    /// Entries `from..=to` of the in-memory log (clamped to it).
    pub fn entries_between(&self, from: LogIndex, to: LogIndex) -> &[Entry] {
        self.log.slice(from, to)
    }
    pub fn state_machine(&self) -> &Kv {
        &self.kv
    }
}
