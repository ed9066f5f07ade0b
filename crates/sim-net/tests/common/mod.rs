//! A small world for the network's integration tests: a script of steps (sends, waits,
//! crashes, partitions) played against a [`Network`] and a kernel [`EventQueue`] of
//! delivery events, with every send and delivery recorded for the tests to judge.

#![allow(dead_code)] // each test binary uses its own part of the harness

use proptest::prelude::*;
use sim_core::{Dist, EventQueue, NodeId, RngStreams, SimTime};
use sim_net::{Delivery, NetConfig, Network, Sent, Slot};

pub const NODES: u8 = 5;

/// A message: its id is its send number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub id: u64,
}

#[derive(Clone, Debug)]
pub enum Step {
    Send { from: u8, to: u8 },
    Wait { dt_ns: u64 },
    Crash(u8),
    Restart(u8),
    Isolate(u8),
    Partition { groups: Vec<Vec<u8>>, one_way: bool },
    Heal,
}

/// One send and what the network said.
#[derive(Clone, Debug, PartialEq)]
pub struct SendRecord {
    pub at: SimTime,
    pub from: u8,
    pub to: u8,
    pub sent: Sent,
}

pub struct World {
    pub net: Network<Msg>,
    queue: EventQueue<Slot>,
    pub now: SimTime,
    pub sends: Vec<SendRecord>,
    pub deliveries: Vec<(SimTime, Delivery<Msg>)>,
}

pub fn config(reorder: bool, drop_rate: f64, duplicate_rate: f64) -> NetConfig {
    NetConfig {
        latency: Dist::Uniform {
            min_ns: 10.0,
            max_ns: 500.0,
        },
        drop_rate,
        duplicate_rate,
        reorder,
    }
}

impl World {
    pub fn new(config: NetConfig, seed: u64) -> World {
        World {
            net: Network::new(config, NODES, RngStreams::new(seed).stream("net"), 10_000),
            queue: EventQueue::new(10_000),
            now: SimTime::ZERO,
            sends: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// Plays the script, then delivers everything still in flight. `check` sees each
    /// delivery with the network as it is at that moment.
    pub fn run(&mut self, script: &[Step], mut check: impl FnMut(&Network<Msg>, &Delivery<Msg>)) {
        for step in script {
            self.play(step, &mut check);
        }
        self.finish(&mut check);
    }

    /// Delivers everything still in flight.
    pub fn finish(&mut self, check: &mut impl FnMut(&Network<Msg>, &Delivery<Msg>)) {
        self.deliver_until(SimTime::MAX, check);
        assert_eq!(
            self.net.in_flight(),
            0,
            "every scheduled copy was delivered or lost"
        );
    }

    /// Plays one step; a wait delivers what arrives during it.
    pub fn play(&mut self, step: &Step, check: &mut impl FnMut(&Network<Msg>, &Delivery<Msg>)) {
        match step {
            Step::Send { from, to } => {
                let id = self.sends.len() as u64;
                let sent = self
                    .net
                    .send(self.now, NodeId(*from), NodeId(*to), Msg { id });
                if let Sent::Scheduled {
                    at,
                    slot,
                    duplicate,
                } = sent
                {
                    self.queue.push(at, slot);
                    if let Some((dup_at, dup_slot)) = duplicate {
                        self.queue.push(dup_at, dup_slot);
                    }
                }
                self.sends.push(SendRecord {
                    at: self.now,
                    from: *from,
                    to: *to,
                    sent,
                });
            }
            Step::Wait { dt_ns } => {
                let until = SimTime::from_ns(self.now.as_ns() + dt_ns);
                self.deliver_until(until, check);
                self.now = until;
            }
            Step::Crash(n) => self.net.crash(NodeId(*n)),
            Step::Restart(n) => self.net.restart(NodeId(*n)),
            Step::Isolate(n) => self.net.isolate(NodeId(*n)),
            Step::Partition { groups, one_way } => {
                let groups: Vec<Vec<NodeId>> = groups
                    .iter()
                    .map(|g| g.iter().copied().map(NodeId).collect())
                    .collect();
                self.net.partition(&groups, *one_way)
            }
            Step::Heal => self.net.heal(),
        }
    }

    fn deliver_until(
        &mut self,
        until: SimTime,
        check: &mut impl FnMut(&Network<Msg>, &Delivery<Msg>),
    ) {
        while self.queue.peek_time().is_some_and(|t| t <= until) {
            let (at, slot) = self.queue.pop().expect("peeked");
            let d = self.net.deliver(slot);
            check(&self.net, &d);
            self.deliveries.push((at, d));
        }
    }

    /// How many copies of message `id` arrived.
    pub fn arrivals(&self, id: u64) -> usize {
        self.deliveries
            .iter()
            .filter(|(_, d)| d.is_delivered() && d.msg().id == id)
            .count()
    }
}

pub fn node() -> impl Strategy<Value = u8> {
    1..=NODES
}

pub fn send() -> impl Strategy<Value = Step> {
    (node(), node())
        .prop_filter("no self-sends", |(a, b)| a != b)
        .prop_map(|(from, to)| Step::Send { from, to })
}

pub fn wait() -> impl Strategy<Value = Step> {
    (0..300u64).prop_map(|dt_ns| Step::Wait { dt_ns })
}

/// A symmetric partition: up to three groups drawn from the nodes (some left unnamed).
pub fn partition() -> impl Strategy<Value = Step> {
    prop::collection::vec(0..4usize, NODES as usize).prop_map(|assign| {
        let mut groups = vec![Vec::new(); 3];
        for (i, g) in assign.iter().enumerate() {
            if *g < 3 {
                groups[*g].push(NodeId::from_index(i).0);
            }
        }
        Step::Partition {
            groups,
            one_way: false,
        }
    })
}

/// A one-way partition: two groups naming every node.
pub fn one_way_partition() -> impl Strategy<Value = Step> {
    prop::collection::vec(any::<bool>(), NODES as usize).prop_map(|side| {
        let mut groups = vec![Vec::new(), Vec::new()];
        for (i, s) in side.iter().enumerate() {
            groups[usize::from(*s)].push(NodeId::from_index(i).0);
        }
        Step::Partition {
            groups,
            one_way: true,
        }
    })
}
