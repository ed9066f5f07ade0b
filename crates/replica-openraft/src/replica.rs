//! [`OpenRaft`]: one openraft node behind the replica boundary. It owns the node's
//! executor (`rt/`), the I/O state openraft's storage and network share with it (`io.rs`),
//! and openraft's `Raft` handle. Each input is handed to openraft — a message to its RPC
//! handler, an answer to the call waiting for it, a client's request to `client_write`, a
//! durable index to the `IOFlushed` callbacks it covers — then every task runs until none
//! can progress, and what openraft did comes out as the world's actions, in order.
//!
//! Time: the world's clock is the executor's; the node asks the world for one timer (its
//! heartbeat slot) at the earliest deadline any task sleeps to, and steps when it fires.
//!
//! It is not a log store: what survives a crash is what the world's store made durable,
//! handed back at restart as [`Recovered`]. A crash drops this value and every task in it.

use crate::io::{ClientReq, NodeIo, Persistence, Shared};
use crate::log_store::LogStore;
use crate::network::Factory;
use crate::rt::Executor;
use crate::state_machine::StateMachine;
use crate::types::{Cfg, Cmd, OrVote};
use crate::wire::{OpenraftMessage, Reply, Request};
use openraft::async_runtime::WatchReceiver;
use openraft::errors::{ClientWriteError, RaftError};
use openraft::{Raft, ServerState};
use raft_core::{
    Action, ClientId, ClientResult, Command, Entry, Input, Kv, LogIndex, NodeId, Notice, Recovered,
    ReqId, Role, Term, Timer,
};
use sim_cluster::config::AdapterMutant;
use sim_core::SimRng;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

type Handle = Rc<RefCell<Option<Raft<Cfg, StateMachine>>>>;
type Out = Vec<Action<OpenraftMessage>>;

pub struct OpenRaft {
    exec: Rc<Executor>,
    io: Shared,
    raft: Handle,
    config: Arc<openraft::Config>,
    voters: BTreeSet<u64>,
    /// The world timer's deadline we asked for, if armed.
    armed_ns: Option<u64>,
    /// Copies of what the world reads by reference (kept in step with `io` after each step).
    log: Vec<Entry>,
    kv: Kv,
    role: Role,
    term: Term,
}

/// openraft's configuration from the scenario's timing (milliseconds, rounded up; the
/// election timeout's range is half-open in openraft, so its top is one above ours).
pub fn openraft_config(cfg: &raft_core::Config) -> openraft::Config {
    let ms = |ns: u64| ns.div_ceil(1_000_000).max(1);
    let min = ms(cfg.election_timeout_min_ns);
    let max = ms(cfg.election_timeout_max_ns).max(min) + 1;
    openraft::Config {
        cluster_name: "sim".to_string(),
        heartbeat_interval: ms(cfg.heartbeat_interval_ns),
        election_timeout_min: min,
        election_timeout_max: max,
        max_payload_entries: u64::from(cfg.max_append_batch),
        snapshot_policy: openraft::SnapshotPolicy::Never,
        enable_pre_vote: Some(false),
        ..Default::default()
    }
}

impl OpenRaft {
    pub fn new(
        cfg: &raft_core::Config,
        recovered: Recovered,
        mutant: AdapterMutant,
        rng: SimRng,
    ) -> OpenRaft {
        assert!(
            recovered.state_machine.is_none(),
            "openraft runs with a volatile state machine"
        );
        let persistence = if cfg.durability.parallel_append == raft_core::ParallelAppend::Off {
            Persistence::Sync
        } else {
            Persistence::Deferred
        };
        let mut io = NodeIo::new(cfg.id, persistence, mutant, &recovered);
        io.vote = match (recovered.term, recovered.vote) {
            (Term(0), None) => None,
            (term, Some(v)) => Some(OrVote::new(term.0, u64::from(v.0))),
            (term, None) => {
                panic!("openraft always saves a vote with its term; found term {term} without one")
            }
        };
        let config = openraft_config(cfg)
            .validate()
            .expect("a valid openraft configuration");
        OpenRaft {
            exec: Executor::new(0, rng),
            log: recovered.log.clone(),
            io: Rc::new(RefCell::new(io)),
            raft: Rc::new(RefCell::new(None)),
            config: Arc::new(config),
            voters: cfg.voters.iter().map(|v| u64::from(v.0)).collect(),
            armed_ns: None,
            kv: Kv::default(),
            role: Role::Follower,
            term: recovered.term,
        }
    }

    fn raft(&self) -> Option<Raft<Cfg, StateMachine>> {
        self.raft.borrow().clone()
    }

    /// Runs every task until none can progress, then hands the world what they did.
    fn settle(&mut self, out: &mut Out) {
        self.exec.run_until_idle();
        let mut io = self.io.borrow_mut();
        io.settle_truncations();
        self.note_role(&mut io);
        // The timer first: the world sets it now, not after a blocking flush in the list
        // (the node's timers keep running while its thread waits).
        let now = self.exec.now_ns();
        match self.exec.next_deadline() {
            Some(at) if self.armed_ns != Some(at) => {
                assert!(at > now, "due timers fired");
                out.push(Action::SetTimer {
                    timer: Timer::Heartbeat,
                    min_ns: at - now,
                    max_ns: at - now,
                });
                self.armed_ns = Some(at);
            }
            Some(_) => {}
            None if self.armed_ns.is_some() => {
                out.push(Action::CancelTimer {
                    timer: Timer::Heartbeat,
                });
                self.armed_ns = None;
            }
            None => {}
        }
        out.append(&mut io.out);
        if let Some(from) = io.log_changed_from.take() {
            let keep = (from.0 - 1) as usize;
            self.log.truncate(keep);
            self.log
                .extend_from_slice(&io.log[keep.min(io.log.len())..]);
        }
        if std::mem::take(&mut io.kv_changed) {
            self.kv.clone_from(&io.kv);
        }
        self.role = io.role;
        self.term = io.term;
    }

    /// Reports a change of role or term from openraft's metrics.
    fn note_role(&self, io: &mut NodeIo) {
        let Some(raft) = self.raft() else {
            return;
        };
        let (role, term) = {
            let m = raft.metrics();
            let m = m.borrow_watched();
            let role = match m.state {
                ServerState::Leader => Role::Leader,
                ServerState::Candidate => Role::Candidate,
                _ => Role::Follower,
            };
            (role, Term(m.current_term))
        };
        if (role, term) != (io.role, io.term) {
            io.role = role;
            io.term = term;
            io.out
                .push(Action::Notice(Notice::RoleChanged { role, term }));
        }
    }

    fn on_message(&self, from: NodeId, msg: OpenraftMessage) {
        match msg {
            OpenraftMessage::Answer { rpc, body, .. } => {
                let waiting = self.io.borrow_mut().rpcs.remove(&rpc);
                if let Some((_, tx)) = waiting {
                    let _ = tx.send(body);
                }
            }
            OpenraftMessage::Request { rpc, body, .. } => {
                let Some(raft) = self.raft() else {
                    return; // still starting: the caller times out and retries
                };
                let io = self.io.clone();
                self.exec.spawn(async move {
                    let reply = match &*body {
                        Request::Append(r) => {
                            raft.append_entries(r.clone()).await.map(Reply::Append)
                        }
                        Request::Vote(r) => raft.vote(r.clone()).await.map(Reply::Vote),
                    };
                    // An error is openraft shutting down: like a dead process, no answer.
                    if let Ok(reply) = reply {
                        let summary = reply.summary(&body);
                        io.borrow_mut().out.push(Action::Send {
                            to: from,
                            msg: OpenraftMessage::Answer {
                                rpc,
                                body: Rc::new(reply),
                                summary,
                            },
                        });
                    }
                });
            }
        }
    }

    fn on_client(&self, client: ClientId, req: ReqId, command: Command, out: &mut Out) {
        let Some(raft) = self.raft() else {
            out.push(Action::ClientReply {
                client,
                req,
                result: ClientResult::NotLeader { hint: None },
            });
            return;
        };
        self.io
            .borrow_mut()
            .clients
            .insert(req, ClientReq { appended: false });
        let io = self.io.clone();
        self.exec.spawn(async move {
            let res = raft
                .client_write(Cmd {
                    client,
                    req,
                    command,
                })
                .await;
            let mut io = io.borrow_mut();
            let appended = io.clients.remove(&req).is_some_and(|c| c.appended);
            let result = match res {
                Ok(r) => ClientResult::ok(r.data.0),
                Err(_) if appended => ClientResult::Dropped,
                Err(RaftError::APIError(ClientWriteError::ForwardToLeader(f))) => {
                    ClientResult::NotLeader {
                        hint: f.leader_id.and_then(|l| u8::try_from(l).ok()).map(NodeId),
                    }
                }
                Err(_) => ClientResult::Dropped,
            };
            io.out.push(Action::ClientReply {
                client,
                req,
                result,
            });
        });
    }

    fn on_durable(&self, index: LogIndex) {
        let done = self.io.borrow_mut().on_durable(index);
        self.exec.enter(|| {
            for cb in done {
                cb.io_completed(Ok(()));
            }
        });
    }

    fn on_unreachable(&self, peer: NodeId) {
        // Dropping the senders fails the waiting calls with `Unreachable`.
        let dropped: Vec<_> = {
            let mut io = self.io.borrow_mut();
            let rpcs: Vec<u64> = io
                .rpcs
                .iter()
                .filter(|(_, (to, _))| *to == peer)
                .map(|(rpc, _)| *rpc)
                .collect();
            rpcs.iter().filter_map(|r| io.rpcs.remove(r)).collect()
        };
        self.exec.enter(|| drop(dropped));
    }
}

impl Drop for OpenRaft {
    fn drop(&mut self) {
        let raft = self.raft.borrow_mut().take();
        let exec = self.exec.clone();
        exec.enter(|| drop(raft));
        exec.shut_down();
        let rest = std::mem::take(&mut self.io.borrow_mut().flushes);
        exec.enter(|| drop(rest));
    }
}

impl raft_core::Replica for OpenRaft {
    type Message = OpenraftMessage;

    fn set_time(&mut self, now_ns: u64) {
        self.exec.set_now(now_ns);
    }

    fn start(&mut self, out: &mut Out) {
        out.push(Action::Notice(Notice::RoleChanged {
            role: self.role,
            term: self.term,
        }));
        let id = u64::from(self.io.borrow().id.0);
        let (io, raft, config) = (self.io.clone(), self.raft.clone(), self.config.clone());
        let sm = StateMachine {
            io: io.clone(),
            voters: self.voters.clone(),
        };
        self.exec.spawn(async move {
            let node = Raft::new(id, config, Factory(io.clone()), LogStore(io), sm)
                .await
                .expect("openraft starts from the recovered state");
            *raft.borrow_mut() = Some(node);
        });
        self.settle(out);
    }

    fn step(&mut self, input: Input<OpenraftMessage>, out: &mut Out) {
        match input {
            Input::Timer(Timer::Heartbeat) => self.armed_ns = None,
            Input::Timer(Timer::Election) => {}
            Input::Message { from, msg } => self.on_message(from, msg),
            Input::ClientRequest {
                client,
                req,
                command,
            } => self.on_client(client, req, command, out),
            Input::LogDurable { index } => self.on_durable(index),
            Input::PeerUnreachable { peer } => self.on_unreachable(peer),
            // The adapter takes no snapshots (`snapshot_distance` is refused for it).
            Input::SnapshotCreated { .. } => {}
        }
        self.settle(out);
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
        self.io.borrow().commit
    }
    fn applied_index(&self) -> LogIndex {
        self.io.borrow().applied
    }
    fn state_machine(&self) -> &Kv {
        &self.kv
    }
}
