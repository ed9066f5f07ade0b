//! [`RaftRs`]: one raft-rs `RawNode` behind the replica boundary. It keeps raft-rs's own
//! storage (`MemStorage`, what raft-rs reads back) and a mirror of the log as the
//! simulator's entries (what the world writes to the virtual disk and traces), feeds the
//! world's inputs to the `RawNode`, and turns each `Ready` into actions (`ready.rs`).
//!
//! It is not a log store: what survives a crash is what the world's store made durable,
//! handed back at restart as [`Recovered`] and loaded into a fresh `MemStorage`.

use crate::payload;
use crate::ready::Held;
use crate::timing::{self, Ticks};
use crate::wire::RaftRsMessage;
use raft::eraftpb::{ConfState, Entry as RsEntry, HardState};
use raft::{RawNode, StateRole, storage::MemStorage};
use raft_core::{
    Action, ClientId, ClientResult, Entry, Input, Kv, LogIndex, NodeId, Notice, Recovered, ReqId,
    Role, Term, Timer,
};
use sim_cluster::config::AdapterMutant;
use std::collections::{BTreeMap, VecDeque};

/// How the adapter persists a `Ready` (docs/implementations.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// Write entries, then term and vote, flush blocking, then `advance`.
    Sync,
    /// Write and flush in the background: `advance_append_async`, and `on_persist_ready`
    /// when the flush covers the `Ready`; its persisted messages wait until then.
    Async,
}

/// Roughly the bytes of one entry in a message, to turn the scenario's entries per
/// AppendEntries into raft-rs's `max_size_per_msg`.
const ENTRY_BYTES_APPROX: u64 = 48;
/// raft-rs's `max_inflight_msgs`.
const INFLIGHT_MESSAGES_MAX: usize = 256;

pub struct RaftRs {
    pub(crate) node: RawNode<MemStorage>,
    pub(crate) persistence: Persistence,
    pub(crate) mutant: AdapterMutant,
    pub(crate) ticks: Ticks,
    /// The world's key for this node and incarnation: the election timeouts' source.
    timeout_key: u64,
    /// The log as the simulator's entries, index `i` at `log[i - 1]`.
    pub(crate) log: Vec<Entry>,
    pub(crate) kv: Kv,
    pub(crate) applied: LogIndex,
    pub(crate) commit: LogIndex,
    role: Role,
    term: Term,
    /// Term and vote last handed to the state file.
    pub(crate) saved: (Term, Option<NodeId>),
    /// The durable index the world last reported (lowered by our own truncations).
    pub(crate) durable: LogIndex,
    /// Readys written but not yet known durable (async persistence), oldest first.
    pub(crate) held: VecDeque<Held>,
    /// Client requests this node proposed as leader, not yet answered.
    pub(crate) proposed: BTreeMap<ReqId, ClientId>,
    /// Under an adapter mutant, raft-rs stopped on a `fatal!` (a state it knows to be
    /// impossible, such as a leader committing past this node's log after the node lost
    /// entries it had acknowledged): the node takes no more input, as a process that
    /// aborted would not.
    halted: Option<String>,
}

impl RaftRs {
    /// A node from its configuration and what recovery found; `timeout_key` comes from the
    /// run's seed.
    pub fn new(
        cfg: &raft_core::Config,
        recovered: Recovered,
        persistence: Persistence,
        mutant: AdapterMutant,
        timeout_key: u64,
    ) -> RaftRs {
        assert!(
            recovered.state_machine.is_none(),
            "raft-rs runs with a volatile state machine"
        );
        let ticks = Ticks::new(
            cfg.heartbeat_interval_ns,
            cfg.election_timeout_min_ns,
            cfg.election_timeout_max_ns,
        );
        let voters: Vec<u64> = cfg.voters.iter().map(|v| u64::from(v.0)).collect();
        let storage = MemStorage::new_with_conf_state(ConfState::from((voters, Vec::<u64>::new())));
        let rs_entries: Vec<RsEntry> = recovered
            .log
            .iter()
            .enumerate()
            .map(|(i, e)| to_rs_entry(LogIndex(i as u64 + 1), e))
            .collect();
        {
            let mut core = storage.wl();
            core.set_hardstate(HardState {
                term: recovered.term.0,
                vote: recovered.vote.map_or(0, |v| u64::from(v.0)),
                ..Default::default()
            });
            core.append(&rs_entries)
                .expect("recovered entries continue the log");
        }
        let rs_cfg = raft::Config {
            id: u64::from(cfg.id.0),
            election_tick: ticks.election_min,
            heartbeat_tick: timing::HEARTBEAT_TICKS,
            min_election_tick: ticks.election_min,
            max_election_tick: ticks.election_max + 1,
            max_size_per_msg: u64::from(cfg.max_append_batch) * ENTRY_BYTES_APPROX,
            max_inflight_msgs: INFLIGHT_MESSAGES_MAX,
            check_quorum: true,
            applied: 0,
            ..Default::default()
        };
        let logger = slog::Logger::root(slog::Discard, slog::o!());
        let node = RawNode::new(&rs_cfg, storage, &logger).expect("a valid raft-rs config");
        let durable = LogIndex(recovered.log.len() as u64);
        let mut r = RaftRs {
            node,
            persistence,
            mutant,
            ticks,
            timeout_key,
            log: recovered.log,
            kv: Kv::default(),
            applied: LogIndex::ZERO,
            commit: LogIndex::ZERO,
            role: Role::Follower,
            term: recovered.term,
            saved: (recovered.term, recovered.vote),
            durable,
            held: VecDeque::new(),
            proposed: BTreeMap::new(),
            halted: None,
        };
        r.fix_election_timeout();
        r
    }

    /// Overrides raft-rs's thread-RNG election timeout with the seeded one for the node's
    /// term and role (timing.rs).
    fn fix_election_timeout(&mut self) {
        let raft = &mut self.node.raft;
        let want = timing::election_ticks(self.ticks, self.timeout_key, raft.term, raft.state);
        if raft.randomized_election_timeout() != want {
            raft.set_randomized_election_timeout(want);
        }
    }

    fn arm_tick(&self, out: &mut Vec<Action<RaftRsMessage>>) {
        out.push(Action::SetTimer {
            timer: Timer::Heartbeat,
            min_ns: self.ticks.tick_ns,
            max_ns: self.ticks.tick_ns,
        });
    }

    fn on_client(
        &mut self,
        client: ClientId,
        req: ReqId,
        command: raft_core::Command,
        out: &mut Vec<Action<RaftRsMessage>>,
    ) {
        let leader = self.node.raft.state == StateRole::Leader;
        if leader
            && self
                .node
                .propose(Vec::new(), payload::encode(client, req, command))
                .is_ok()
        {
            self.proposed.insert(req, client);
            return;
        }
        let hint = match self.node.raft.leader_id {
            0 => None,
            id => u8::try_from(id).ok().map(NodeId),
        };
        out.push(Action::ClientReply {
            client,
            req,
            result: ClientResult::NotLeader { hint },
        });
    }

    /// Reports a change of role or term; a node that stops leading drops the requests it
    /// had proposed (they may still commit, or not).
    fn note_role(&mut self, out: &mut Vec<Action<RaftRsMessage>>) {
        let raft = &self.node.raft;
        let role = match raft.state {
            StateRole::Leader => Role::Leader,
            StateRole::Candidate | StateRole::PreCandidate => Role::Candidate,
            StateRole::Follower => Role::Follower,
        };
        let term = Term(raft.term);
        if (role, term) == (self.role, self.term) {
            return;
        }
        if self.role == Role::Leader && role != Role::Leader {
            for (req, client) in std::mem::take(&mut self.proposed) {
                out.push(Action::ClientReply {
                    client,
                    req,
                    result: ClientResult::Dropped,
                });
            }
        }
        self.role = role;
        self.term = term;
        out.push(Action::Notice(Notice::RoleChanged { role, term }));
    }
}

/// raft-rs's entry for one of ours at `index`.
pub(crate) fn to_rs_entry(index: LogIndex, e: &Entry) -> RsEntry {
    let mut rs = RsEntry {
        index: index.0,
        term: e.term.0,
        ..Default::default()
    };
    if let raft_core::Payload::Client {
        client,
        req,
        command,
    } = e.payload
    {
        rs.data = payload::encode(client, req, command).into();
    }
    rs
}

/// Our entry for one of raft-rs's.
pub(crate) fn from_rs_entry(e: &RsEntry) -> Entry {
    Entry {
        term: Term(e.term),
        payload: payload::decode(e.get_data()),
    }
}

impl raft_core::Replica for RaftRs {
    type Message = RaftRsMessage;

    fn start(&mut self, out: &mut Vec<Action<RaftRsMessage>>) {
        out.push(Action::Notice(Notice::RoleChanged {
            role: self.role,
            term: self.term,
        }));
        self.arm_tick(out);
    }

    fn step(&mut self, input: Input<RaftRsMessage>, out: &mut Vec<Action<RaftRsMessage>>) {
        if self.halted.is_some() {
            return;
        }
        if self.mutant == AdapterMutant::None {
            // A correct adapter gives raft-rs no impossible state: a `fatal!` here is a
            // finding about raft-rs (or a fault model that loses acknowledged data), and it
            // stops the run loudly with its seed instead of hiding in a halted node.
            self.step_raft(input, out);
            return;
        }
        let mut actions = Vec::new();
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.step_raft(input, &mut actions)
        }));
        match run {
            Ok(()) => out.append(&mut actions),
            Err(panic) => {
                let text = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.halted = Some(text);
            }
        }
    }

    fn first_index(&self) -> LogIndex {
        LogIndex(1)
    }
    fn last_index(&self) -> LogIndex {
        LogIndex(self.log.len() as u64)
    }
    fn entry(&self, index: LogIndex) -> Option<&Entry> {
        raft_core::entry_at(&self.log, index)
    }
    fn entries_between(&self, from: LogIndex, to: LogIndex) -> &[Entry] {
        raft_core::entries_between(&self.log, from, to)
    }
    fn role(&self) -> Role {
        self.role
    }
    fn term(&self) -> Term {
        self.term
    }
    fn commit_index(&self) -> LogIndex {
        self.commit
    }
    fn applied_index(&self) -> LogIndex {
        self.applied
    }
    fn state_machine(&self) -> &Kv {
        &self.kv
    }
}

impl RaftRs {
    /// Why raft-rs stopped this node, if it did.
    pub fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    fn step_raft(&mut self, input: Input<RaftRsMessage>, out: &mut Vec<Action<RaftRsMessage>>) {
        match input {
            Input::Timer(Timer::Heartbeat) => {
                self.node.tick();
                self.arm_tick(out);
            }
            Input::Timer(Timer::Election) => {}
            Input::Message { msg, .. } => {
                // Errors are messages raft-rs ignores (from an unknown peer, a stale one).
                let _ = self.node.step(msg.0);
            }
            Input::ClientRequest {
                client,
                req,
                command,
            } => self.on_client(client, req, command, out),
            Input::LogDurable { index } => self.on_durable(index, out),
            Input::PeerUnreachable { peer } => self.node.report_unreachable(u64::from(peer.0)),
            // The adapter takes no snapshots (`snapshot_distance` is refused for it).
            Input::SnapshotCreated { .. } => {}
        }
        self.fix_election_timeout();
        while self.node.has_ready() {
            self.note_role(out);
            self.handle_ready(out);
            self.fix_election_timeout();
        }
        self.note_role(out);
    }
}
