//! The workload's clients. Each has at most one request in flight, sends it to the node it
//! believes leads, and ends it as the contract says: `client-ok` on success, `client-fail`
//! with `fail` when a node turned it away (certainly not applied), `unknown` when the
//! answer never came or the leader lost its leadership (it may still take effect).
//!
//! Client links have the network's latency and never lose a message. A request reaches
//! its node only if that node is still the incarnation it was sent to.

use crate::config::{WorkloadConfig, WorkloadKind};
use crate::event::Event;
use crate::kernel::Kernel;
use crate::node::NodeSlot;
use raft_core::{ClientId, ClientResult, Command, Input, NodeId, ReqId, Value};
use sim_core::{Dist, RngStreams, Sampler, SimDuration, SimRng, SimTime};
use sim_trace::{ClientOp, FailOutcome, ReadValue, TraceEvent};
use std::collections::BTreeMap;

/// Immediate retries after a "not leader" answer before a client waits for its next turn.
const REDIRECTS_MAX: u32 = 3;

/// Appends the clients invoke on one key of the list-append workload; then they only read
/// it. Well below `raft_core::LIST_ELEMENTS_MAX`, so a state machine that applies entries
/// twice has room to show it, and a list read stays a line of a few kilobytes.
pub const LIST_APPENDS_PER_KEY_MAX: u32 = 1024;

/// A node's answer on its way to a client: [`ClientResult`] without a list read's
/// elements, which wait in [`Clients`] so the queue's events stay small and `Copy`.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Ok {
        read: Option<Option<Value>>,
    },
    /// A list read succeeded; its elements are kept by [`Clients::reply`].
    OkList,
    NotLeader {
        hint: Option<NodeId>,
    },
    Dropped,
}

#[derive(Clone, Copy, Debug)]
struct InFlight {
    req: ReqId,
    command: Command,
    node: NodeId,
    /// The node's incarnation when the request was sent: a crash in between loses it.
    incarnation: u32,
    invoked: SimTime,
    redirects: u32,
}

struct Client {
    id: ClientId,
    rng: SimRng,
    leader_guess: NodeId,
    in_flight: Option<InFlight>,
}

impl Client {
    fn random_node(&mut self, nodes: u8) -> NodeId {
        draw_node(&mut self.rng, nodes)
    }
}

/// A node of `nodes`, uniformly.
fn draw_node(rng: &mut SimRng, nodes: u8) -> NodeId {
    NodeId(rng.range_inclusive(1, u64::from(nodes)) as u8)
}

/// Every client, the client links' random stream, and the run's request numbering.
pub struct Clients {
    clients: Vec<Client>,
    cfg: WorkloadConfig,
    nodes: u8,
    /// Latency of client <-> node messages (the network's distribution).
    latency: Sampler,
    net_rng: SimRng,
    next_req: u64,
    /// Clients issue requests until then.
    until: SimTime,
    /// List-append: appends invoked per key (bounded by [`LIST_APPENDS_PER_KEY_MAX`]).
    appends_per_key: BTreeMap<u32, u32>,
    /// List reads' elements on their way to their client, one per [`Answer::OkList`] event
    /// in the queue.
    lists_in_flight: Vec<(ClientId, ReqId, Vec<Value>)>,
}

impl Clients {
    pub fn new(
        cfg: &WorkloadConfig,
        nodes: u8,
        latency: Dist,
        until: SimTime,
        streams: &RngStreams,
    ) -> Clients {
        let clients = (0..cfg.clients)
            .map(|c| {
                let mut rng = streams.stream(&format!("client.{c}"));
                let leader_guess = draw_node(&mut rng, nodes);
                Client {
                    id: ClientId(c),
                    rng,
                    leader_guess,
                    in_flight: None,
                }
            })
            .collect();
        Clients {
            clients,
            cfg: cfg.clone(),
            nodes,
            latency: latency.sampler(),
            net_rng: streams.stream("clients.net"),
            next_req: 1,
            until,
            appends_per_key: BTreeMap::new(),
            lists_in_flight: Vec::new(),
        }
    }

    pub fn start(&mut self, k: &mut Kernel) {
        for c in 0..self.clients.len() {
            self.schedule_tick(c, k);
        }
    }

    /// The next turn of client `c`: Poisson arrivals at the workload's rate shared by all.
    fn schedule_tick(&mut self, c: usize, k: &mut Kernel) {
        let rate = self.cfg.write_rate_per_s;
        if rate <= 0.0 {
            return;
        }
        let mean_s = self.clients.len() as f64 / rate;
        let u = self.clients[c].rng.unit_f64();
        let gap = SimDuration::from_ns((-(1.0 - u).ln() * mean_s * 1e9).min(3.6e12) as u64);
        let at = k.now().after(gap);
        if at < self.until {
            let client = self.clients[c].id;
            k.push(at, Event::ClientTick { client });
        }
    }

    /// Client `c`'s turn: a new operation if none is in flight (while the workload runs).
    pub fn on_tick<M>(
        &mut self,
        c: ClientId,
        running: bool,
        k: &mut Kernel,
        nodes: &[NodeSlot<M>],
    ) {
        let c = c.0 as usize;
        if !running {
            return;
        }
        if self.clients[c].in_flight.is_none() {
            let (keys, read_fraction) = (u64::from(self.cfg.keys), self.cfg.read_fraction);
            let client = &mut self.clients[c];
            let key = client.rng.below(keys) as u32;
            let read = client.rng.unit_f64() < read_fraction;
            let command = match self.cfg.kind {
                WorkloadKind::Register if read => Command::Read { key },
                WorkloadKind::Register => Command::Write {
                    key,
                    value: self.next_req,
                },
                WorkloadKind::ListAppend if read || self.list_full(key) => {
                    Command::ReadList { key }
                }
                WorkloadKind::ListAppend => Command::Append {
                    key,
                    element: self.next_req,
                },
            };
            self.invoke(c, command, 0, k, nodes);
        }
        self.schedule_tick(c, k);
    }

    /// Whether the clients have appended to `key` as often as they may.
    fn list_full(&self, key: u32) -> bool {
        self.appends_per_key.get(&key).copied().unwrap_or(0) >= LIST_APPENDS_PER_KEY_MAX
    }

    /// Sends a new request carrying `command` (a retry is a new request).
    fn invoke<M>(
        &mut self,
        c: usize,
        command: Command,
        redirects: u32,
        k: &mut Kernel,
        nodes: &[NodeSlot<M>],
    ) {
        let req = ReqId(self.next_req);
        self.next_req += 1;
        // A write's value is its request id, unique in the run.
        let (op, key, value, command) = match command {
            Command::Write { key, .. } => (
                ClientOp::Write,
                key,
                Some(req.0),
                Command::Write { key, value: req.0 },
            ),
            Command::Read { key } => (ClientOp::Read, key, None, command),
            // An element is its request id, unique in the run.
            Command::Append { key, .. } => {
                *self.appends_per_key.entry(key).or_insert(0) += 1;
                (
                    ClientOp::Append,
                    key,
                    Some(req.0),
                    Command::Append {
                        key,
                        element: req.0,
                    },
                )
            }
            Command::ReadList { key } => (ClientOp::ReadList, key, None, command),
        };
        match op {
            ClientOp::Write | ClientOp::Append => k.metrics.writes_invoked += 1,
            ClientOp::Read | ClientOp::ReadList => k.metrics.reads_invoked += 1,
        }
        let client = self.clients[c].id;
        k.emit(TraceEvent::ClientInvoke {
            client,
            req,
            op,
            key,
            value,
        });
        let node = self.clients[c].leader_guess;
        let incarnation = nodes[node.index()].incarnation;
        let now = k.now();
        self.clients[c].in_flight = Some(InFlight {
            req,
            command,
            node,
            incarnation,
            invoked: now,
            redirects,
        });
        let arrive = now.after(self.latency_sample());
        k.push(arrive, Event::ClientArrive { client, req });
        let timeout = now.after(SimDuration::from_ms(self.cfg.request_timeout_ms));
        k.push(timeout, Event::ClientTimeout { client, req });
    }

    /// Client `c`'s request `req` reaches its node: the node and the input it takes, unless
    /// the request was lost with the node (the client will time out).
    pub fn on_arrive<M>(
        &self,
        c: ClientId,
        req: ReqId,
        nodes: &[NodeSlot<M>],
    ) -> Option<(NodeId, Input<M>)> {
        let f = self.clients[c.0 as usize]
            .in_flight
            .filter(|f| f.req == req)?;
        let node = &nodes[f.node.index()];
        if node.incarnation != f.incarnation || !node.is_up() {
            return None;
        }
        let input = Input::ClientRequest {
            client: c,
            req,
            command: f.command,
        };
        Some((f.node, input))
    }

    /// A node's answer reaches client `c`.
    pub fn on_reply<M>(
        &mut self,
        c: ClientId,
        req: ReqId,
        answer: Answer,
        running: bool,
        k: &mut Kernel,
        nodes: &[NodeSlot<M>],
    ) {
        let ci = c.0 as usize;
        let list = matches!(answer, Answer::OkList).then(|| self.take_list(c, req));
        let Some(f) = self.clients[ci].in_flight.filter(|f| f.req == req) else {
            return;
        };
        self.clients[ci].in_flight = None;
        match answer {
            Answer::Ok { .. } | Answer::OkList => {
                let value = match f.command {
                    Command::Write { .. } | Command::Append { .. } => {
                        k.metrics.writes_acked += 1;
                        let latency_ns = k.now().since(f.invoked).as_ns();
                        k.metrics.write_latencies_ns.push(latency_ns);
                        ReadValue::Write
                    }
                    Command::Read { .. } => {
                        k.metrics.reads_acked += 1;
                        let Answer::Ok { read } = answer else {
                            panic!("a register read of request {req} answered with a list")
                        };
                        ReadValue::Read(read.flatten())
                    }
                    Command::ReadList { .. } => {
                        k.metrics.reads_acked += 1;
                        ReadValue::List(list.unwrap_or_else(|| {
                            panic!("a list read of request {req} answered without a list")
                        }))
                    }
                };
                k.emit(TraceEvent::ClientOk {
                    client: c,
                    req,
                    value,
                });
            }
            Answer::NotLeader { hint } => {
                k.metrics.failed += 1;
                k.metrics.redirects += 1;
                k.emit(TraceEvent::ClientRedirect {
                    client: c,
                    req,
                    node: f.node,
                });
                k.emit(TraceEvent::ClientFail {
                    client: c,
                    req,
                    outcome: FailOutcome::Fail,
                });
                let nodes_n = self.nodes;
                let next = hint
                    .filter(|h| *h != f.node)
                    .unwrap_or_else(|| self.clients[ci].random_node(nodes_n));
                self.clients[ci].leader_guess = next;
                if f.redirects < REDIRECTS_MAX && running {
                    self.invoke(ci, f.command, f.redirects + 1, k, nodes);
                }
            }
            Answer::Dropped => {
                k.metrics.unknown += 1;
                k.emit(TraceEvent::ClientFail {
                    client: c,
                    req,
                    outcome: FailOutcome::Unknown,
                });
                self.clients[ci].leader_guess = self.clients[ci].random_node(self.nodes);
            }
        }
    }

    /// Client `c` gives up waiting for `req`.
    pub fn on_timeout(&mut self, c: ClientId, req: ReqId, k: &mut Kernel) {
        let ci = c.0 as usize;
        if self.clients[ci].in_flight.is_none_or(|f| f.req != req) {
            return;
        }
        self.clients[ci].in_flight = None;
        k.metrics.unknown += 1;
        k.emit(TraceEvent::ClientFail {
            client: c,
            req,
            outcome: FailOutcome::Unknown,
        });
        self.clients[ci].leader_guess = self.clients[ci].random_node(self.nodes);
    }

    /// Sends a node's answer to a client: it arrives after a client-link latency.
    pub fn reply(&mut self, client: ClientId, req: ReqId, result: ClientResult, k: &mut Kernel) {
        let at = k.now().after(self.latency_sample());
        let answer = match result {
            ClientResult::Ok { read } => Answer::Ok { read },
            ClientResult::OkList { list } => {
                assert!(
                    self.lists_in_flight.len() < self.clients.len().max(1) * 4,
                    "{} list reads in flight to {} clients",
                    self.lists_in_flight.len(),
                    self.clients.len()
                );
                self.lists_in_flight.push((client, req, list));
                Answer::OkList
            }
            ClientResult::NotLeader { hint } => Answer::NotLeader { hint },
            ClientResult::Dropped => Answer::Dropped,
        };
        k.push(
            at,
            Event::ClientReply {
                client,
                req,
                answer,
            },
        );
    }

    /// The elements of the list read `req` whose answer has reached client `c`.
    fn take_list(&mut self, c: ClientId, req: ReqId) -> Vec<Value> {
        let i = self
            .lists_in_flight
            .iter()
            .position(|(cl, r, _)| *cl == c && *r == req)
            .unwrap_or_else(|| panic!("no list in flight for request {req} of client {c}"));
        self.lists_in_flight.swap_remove(i).2
    }

    /// One client-link latency sample.
    fn latency_sample(&mut self) -> SimDuration {
        self.latency.sample(&mut self.net_rng)
    }
}
