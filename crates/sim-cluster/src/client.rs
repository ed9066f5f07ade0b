//! The workload's clients. Each has at most one request in flight, sends it to the node it
//! believes leads, and ends it as the contract says: `client-ok` on success, `client-fail`
//! with `fail` when a node turned it away (certainly not applied), `unknown` when the
//! answer never came or the leader lost its leadership (it may still take effect).

use crate::event::Event;
use crate::world::{Phase, World};
use raft_core::{ClientId, ClientResult, Command, Input, NodeId, ReqId};
use sim_core::{SimDuration, SimRng, SimTime};
use sim_trace::{ClientOp, FailOutcome, ReadValue, TraceEvent};

/// Immediate retries after a "not leader" answer before a client waits for its next turn.
const REDIRECTS_MAX: u32 = 3;

#[derive(Clone, Copy, Debug)]
pub struct InFlight {
    pub req: ReqId,
    pub command: Command,
    pub node: NodeId,
    /// The node's incarnation when the request was sent: a crash in between loses it.
    pub incarnation: u32,
    pub invoked: SimTime,
    pub redirects: u32,
}

pub struct Client {
    pub id: ClientId,
    pub rng: SimRng,
    pub leader_guess: NodeId,
    pub in_flight: Option<InFlight>,
    nodes: u8,
}

impl Client {
    pub fn new(index: u32, mut rng: SimRng, nodes: u8) -> Client {
        let guess = NodeId(rng.range_inclusive(1, u64::from(nodes)) as u8);
        Client {
            id: ClientId(index),
            rng,
            leader_guess: guess,
            in_flight: None,
            nodes,
        }
    }

    fn random_node(&mut self) -> NodeId {
        NodeId(self.rng.range_inclusive(1, u64::from(self.nodes)) as u8)
    }
}

impl World {
    pub(crate) fn start_clients(&mut self) {
        for c in 0..self.clients.len() {
            self.schedule_tick(c);
        }
    }

    /// The next turn of client `c`: Poisson arrivals at the workload's rate shared by all.
    fn schedule_tick(&mut self, c: usize) {
        let rate = self.scenario.workload.write_rate_per_s;
        if rate <= 0.0 {
            return;
        }
        let mean_s = self.clients.len() as f64 / rate;
        let u = self.clients[c].rng.unit_f64();
        let gap = SimDuration::from_ns((-(1.0 - u).ln() * mean_s * 1e9).min(3.6e12) as u64);
        let at = self.now().after(gap);
        if at < SimTime::from_ms(self.scenario.run.duration_ms) {
            self.queue.push(at, Event::ClientTick { client: c as u32 });
        }
    }

    pub(crate) fn on_client_tick(&mut self, c: u32) {
        let c = c as usize;
        if self.phase != Phase::Running {
            return;
        }
        if self.clients[c].in_flight.is_none() {
            let w = &self.scenario.workload;
            let (keys, read_fraction) = (u64::from(w.keys), w.read_fraction);
            let client = &mut self.clients[c];
            let key = client.rng.below(keys) as u32;
            let read = client.rng.unit_f64() < read_fraction;
            let req = ReqId(self.next_req);
            let command = if read {
                Command::Read { key }
            } else {
                Command::Write { key, value: req.0 }
            };
            self.invoke(c, command, 0);
        }
        self.schedule_tick(c);
    }

    /// Sends a new request carrying `command` (a retry is a new request).
    fn invoke(&mut self, c: usize, command: Command, redirects: u32) {
        let req = ReqId(self.next_req);
        self.next_req += 1;
        let (op, key, value) = match command {
            Command::Write { key, value } => (ClientOp::Write, key, Some(value)),
            Command::Read { key } => (ClientOp::Read, key, None),
        };
        // A write's value is its request id, unique in the run.
        let command = match command {
            Command::Write { key, .. } => Command::Write { key, value: req.0 },
            read => read,
        };
        let value = value.map(|_| req.0);
        match op {
            ClientOp::Write => self.metrics.writes_invoked += 1,
            ClientOp::Read => self.metrics.reads_invoked += 1,
        }
        let client = self.clients[c].id;
        self.emit(TraceEvent::ClientInvoke {
            client,
            req,
            op,
            key,
            value,
        });
        let node = self.clients[c].leader_guess;
        let incarnation = self.nodes[usize::from(node.0) - 1].incarnation;
        let now = self.now();
        self.clients[c].in_flight = Some(InFlight {
            req,
            command,
            node,
            incarnation,
            invoked: now,
            redirects,
        });
        let arrive = now.after(self.scenario_latency());
        self.queue.push(
            arrive,
            Event::ClientArrive {
                client: c as u32,
                req,
            },
        );
        let timeout = now.after(SimDuration::from_ms(
            self.scenario.workload.request_timeout_ms,
        ));
        self.queue.push(
            timeout,
            Event::ClientTimeout {
                client: c as u32,
                req,
            },
        );
    }

    pub(crate) fn on_client_arrive(&mut self, c: u32, req: ReqId) {
        let Some(f) = self.clients[c as usize].in_flight.filter(|f| f.req == req) else {
            return;
        };
        let n = usize::from(f.node.0) - 1;
        if self.nodes[n].incarnation != f.incarnation || !self.nodes[n].is_up() {
            return; // lost with the node; the client will time out
        }
        let client = self.clients[c as usize].id;
        self.input(
            n,
            Input::ClientRequest {
                client,
                req,
                command: f.command,
            },
        );
    }

    pub(crate) fn on_client_reply(&mut self, c: u32, req: ReqId, result: ClientResult) {
        let ci = c as usize;
        let Some(f) = self.clients[ci].in_flight.filter(|f| f.req == req) else {
            return;
        };
        let client = self.clients[ci].id;
        self.clients[ci].in_flight = None;
        match result {
            ClientResult::Ok { read } => {
                let value = match f.command {
                    Command::Write { .. } => {
                        self.metrics.writes_acked += 1;
                        self.metrics
                            .write_latencies_ns
                            .push(self.now().since(f.invoked).as_ns());
                        ReadValue::Write
                    }
                    Command::Read { .. } => {
                        self.metrics.reads_acked += 1;
                        ReadValue::Read(read.flatten())
                    }
                };
                self.emit(TraceEvent::ClientOk { client, req, value });
            }
            ClientResult::NotLeader { hint } => {
                self.metrics.failed += 1;
                self.metrics.redirects += 1;
                self.emit(TraceEvent::ClientRedirect {
                    client,
                    req,
                    node: f.node,
                });
                self.emit(TraceEvent::ClientFail {
                    client,
                    req,
                    outcome: FailOutcome::Fail,
                });
                let next = hint
                    .filter(|h| *h != f.node)
                    .unwrap_or_else(|| self.clients[ci].random_node());
                self.clients[ci].leader_guess = next;
                if f.redirects < REDIRECTS_MAX && self.phase == Phase::Running {
                    self.invoke(ci, f.command, f.redirects + 1);
                }
            }
            ClientResult::Dropped => {
                self.metrics.unknown += 1;
                self.emit(TraceEvent::ClientFail {
                    client,
                    req,
                    outcome: FailOutcome::Unknown,
                });
                self.clients[ci].leader_guess = self.clients[ci].random_node();
            }
        }
    }

    pub(crate) fn on_client_timeout(&mut self, c: u32, req: ReqId) {
        let ci = c as usize;
        if self.clients[ci].in_flight.is_none_or(|f| f.req != req) {
            return;
        }
        self.clients[ci].in_flight = None;
        self.metrics.unknown += 1;
        let client = self.clients[ci].id;
        self.emit(TraceEvent::ClientFail {
            client,
            req,
            outcome: FailOutcome::Unknown,
        });
        self.clients[ci].leader_guess = self.clients[ci].random_node();
    }
}
