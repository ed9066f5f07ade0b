//! [`Network`]: the messages in flight between the nodes of one cluster, and the rules
//! that decide, at send and at delivery, whether each one arrives.
//!
//! The network does not own a clock or an event queue. [`Network::send`] draws the
//! message's fate at send (drop, latency, duplicate) and returns the instant and [`Slot`]
//! of each copy; the world schedules a delivery event per copy and calls
//! [`Network::deliver`] when it fires. Everything that can change while the message
//! travels (partitions, crashes) is judged then, by the rules of that moment.

use crate::config::NetConfig;
use crate::cuts::Cuts;
use crate::delivery::{Delivery, LostReason, Scheduled, Sent, Slot};
use crate::endpoints::Endpoints;
use crate::slab::Slab;
use crate::stats::NetStats;
use sim_core::{NodeId, Sampler, SimRng, SimTime};

/// One copy of a message in flight.
#[derive(Clone, Debug)]
struct InFlight<M> {
    from: NodeId,
    to: NodeId,
    /// Both ends' incarnations at send.
    from_incarnation: u32,
    to_incarnation: u32,
    msg: M,
}

/// The network of one simulated cluster. See the crate documentation for the semantics.
#[derive(Debug)]
pub struct Network<M> {
    config: NetConfig,
    /// `config.latency`, ready to draw from.
    latency: Sampler,
    rng: SimRng,
    nodes: u8,
    endpoints: Endpoints,
    cuts: Cuts,
    /// Per link (from, to), the latest delivery instant scheduled so far: the FIFO floor
    /// when `reorder` is off. Indexed like the cut matrix.
    link_last_at: Vec<SimTime>,
    in_flight: Slab<InFlight<M>>,
    /// The latest instant passed to `send`; time never goes back.
    clock_floor: SimTime,
    stats: NetStats,
}

impl<M: Clone> Network<M> {
    /// A network of nodes `1..=nodes`, all up, no cuts, holding at most `in_flight_max`
    /// messages in flight. Panics on an invalid config (validated upstream), zero nodes or
    /// a zero bound.
    pub fn new(config: NetConfig, nodes: u8, rng: SimRng, in_flight_max: usize) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid network config reached Network::new: {e}");
        }
        assert!(nodes >= 1, "a network needs at least one node");
        assert!(nodes <= sim_core::NODES_MAX, "more than NODES_MAX nodes");
        let side = usize::from(nodes);
        Network {
            latency: config.latency.sampler(),
            config,
            rng,
            nodes,
            endpoints: Endpoints::new(nodes),
            cuts: Cuts::new(nodes),
            link_last_at: vec![SimTime::ZERO; side * side],
            in_flight: Slab::new(in_flight_max),
            clock_floor: SimTime::ZERO,
            stats: NetStats::default(),
        }
    }

    /// Sends `msg` from `from` to `to` at `now`. Draws, in this order: the drop (unless an
    /// end is down: then `Dropped` with no draw), the latency, the duplicate, and the
    /// duplicate's latency. `from == to` is a loopback link, never cut. Panics if the
    /// copies would exceed `in_flight_max`.
    pub fn send(&mut self, now: SimTime, from: NodeId, to: NodeId, msg: M) -> Sent {
        match self.send_or_return(now, from, to, msg) {
            Ok(Scheduled {
                at,
                slot,
                duplicate,
            }) => Sent::Scheduled {
                at,
                slot,
                duplicate,
            },
            Err(_) => Sent::Dropped,
        }
    }

    /// [`Network::send`], except that a message dropped at send comes back as `Err`, so
    /// the caller can reuse its memory. The same draws.
    pub fn send_or_return(
        &mut self,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        msg: M,
    ) -> Result<Scheduled, M> {
        self.check_node(from);
        self.check_node(to);
        assert!(
            now >= self.clock_floor,
            "network: time went backwards ({now} < {})",
            self.clock_floor
        );
        self.clock_floor = now;
        self.stats.sent += 1;
        if !self.endpoints.is_up(from) || !self.endpoints.is_up(to) {
            self.stats.dropped_endpoint_down += 1;
            return Err(msg);
        }
        if self.rng.chance(self.config.drop_rate) {
            self.stats.dropped += 1;
            return Err(msg);
        }
        let at = self.arrival(now, from, to);
        let duplicate_at = self
            .rng
            .chance(self.config.duplicate_rate)
            .then(|| self.arrival(now, from, to));
        let copies = 1 + usize::from(duplicate_at.is_some());
        assert!(
            self.in_flight.has_room_for(copies),
            "network: more than in_flight_max ({}) messages in flight",
            self.in_flight.len_max()
        );
        let copy = duplicate_at.map(|_| msg.clone());
        let slot = self.hold(from, to, msg);
        let duplicate = duplicate_at.zip(copy).map(|(dup_at, copy)| {
            self.stats.duplicated += 1;
            (dup_at, self.hold(from, to, copy))
        });
        self.stats.in_flight_peak = self.stats.in_flight_peak.max(self.in_flight.len() as u64);
        Ok(Scheduled {
            at,
            slot,
            duplicate,
        })
    }

    /// The delivery event of `slot` fired: frees the slot and judges the message by the
    /// state of this moment. In order: the receiver is down (`ReceiverDown`); either end
    /// crashed since the send (`Restarted`); the link is cut (`Partitioned`); else
    /// `Delivered`. Panics if `slot` holds no message.
    pub fn deliver(&mut self, slot: Slot) -> Delivery<M> {
        let m = self.in_flight.take(slot.0);
        let (from, to, msg) = (m.from, m.to, m.msg);
        let reason = if !self.endpoints.is_up(to) {
            Some(LostReason::ReceiverDown)
        } else if self.endpoints.incarnation(from) != m.from_incarnation
            || self.endpoints.incarnation(to) != m.to_incarnation
        {
            Some(LostReason::Restarted)
        } else if self.cuts.is_cut(from, to) {
            Some(LostReason::Partitioned)
        } else {
            None
        };
        match reason {
            None => {
                self.stats.delivered += 1;
                Delivery::Delivered { from, to, msg }
            }
            Some(reason) => {
                *match reason {
                    LostReason::Partitioned => &mut self.stats.lost_partitioned,
                    LostReason::ReceiverDown => &mut self.stats.lost_receiver_down,
                    LostReason::Restarted => &mut self.stats.lost_restarted,
                } += 1;
                Delivery::Lost {
                    from,
                    to,
                    msg,
                    reason,
                }
            }
        }
    }

    /// The node goes down: messages in flight to or from it will be lost, and sends from or
    /// to it are dropped until it restarts. Crashing a node that is down changes nothing.
    pub fn crash(&mut self, node: NodeId) {
        self.check_node(node);
        if self.endpoints.crash(node) {
            // Its connections are gone: new ones need not queue behind lost messages.
            for other in NodeId::all(self.nodes) {
                let (a, b) = (self.link(node, other), self.link(other, node));
                self.link_last_at[a] = SimTime::ZERO;
                self.link_last_at[b] = SimTime::ZERO;
            }
        }
    }

    /// The node comes back up, in the incarnation its crash started. Restarting a node
    /// that is up changes nothing.
    pub fn restart(&mut self, node: NodeId) {
        self.check_node(node);
        self.endpoints.restart(node);
    }

    pub fn is_up(&self, node: NodeId) -> bool {
        self.check_node(node);
        self.endpoints.is_up(node)
    }

    /// Cuts `node` from every other node, both ways, on top of the current cuts.
    pub fn isolate(&mut self, node: NodeId) {
        self.check_node(node);
        self.cuts.isolate(node);
    }

    /// Replaces the current cuts. Nodes not named form one more group; every link between
    /// different groups is cut. With `one_way`, `groups` must be exactly two groups naming
    /// every node, and only links from group 0 to group 1 are cut. Panics on a node named
    /// twice or out of range.
    pub fn partition(&mut self, groups: &[Vec<NodeId>], one_way: bool) {
        self.cuts.partition(groups, one_way);
    }

    /// Removes every cut.
    pub fn heal(&mut self) {
        self.cuts.heal();
    }

    /// From now on no message is lost or duplicated at random (the heal phase of a
    /// scenario whose network heals); latency and reordering stay as configured.
    pub fn stop_random_faults(&mut self) {
        self.config.drop_rate = 0.0;
        self.config.duplicate_rate = 0.0;
    }

    /// Whether a message from `from` arriving at `to` now would be lost to a cut.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cuts.is_cut(from, to)
    }

    /// Messages (copies) in flight: sent, not yet delivered.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    pub fn stats(&self) -> NetStats {
        self.stats
    }

    pub fn nodes(&self) -> u8 {
        self.nodes
    }

    pub fn config(&self) -> &NetConfig {
        &self.config
    }

    /// The delivery instant of a new copy on link (from, to): one latency sample, and with
    /// `reorder` off no earlier than the link's last scheduled delivery (FIFO).
    fn arrival(&mut self, now: SimTime, from: NodeId, to: NodeId) -> SimTime {
        let sampled = now.after(self.latency.sample(&mut self.rng));
        if self.config.reorder {
            return sampled;
        }
        let link = self.link(from, to);
        let at = sampled.max(self.link_last_at[link]);
        self.link_last_at[link] = at;
        at
    }

    fn hold(&mut self, from: NodeId, to: NodeId, msg: M) -> Slot {
        let m = InFlight {
            from,
            to,
            from_incarnation: self.endpoints.incarnation(from),
            to_incarnation: self.endpoints.incarnation(to),
            msg,
        };
        Slot(self.in_flight.insert(m))
    }

    fn link(&self, from: NodeId, to: NodeId) -> usize {
        from.index() * usize::from(self.nodes) + to.index()
    }

    fn check_node(&self, node: NodeId) {
        assert!(
            (1..=self.nodes).contains(&node.0),
            "no node {node}: ids are 1..={}",
            self.nodes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Dist, RngStreams};

    fn net(config: NetConfig, in_flight_max: usize) -> Network<u32> {
        Network::new(config, 3, RngStreams::new(9).stream("net"), in_flight_max)
    }

    fn t(ns: u64) -> SimTime {
        SimTime::from_ns(ns)
    }

    fn scheduled(s: Sent) -> (SimTime, Slot) {
        match s {
            Sent::Scheduled {
                at,
                slot,
                duplicate: None,
            } => (at, slot),
            other => panic!("expected one scheduled copy, got {other:?}"),
        }
    }

    #[test]
    fn fifo_links_never_let_a_message_overtake() {
        let config = NetConfig {
            latency: Dist::Uniform {
                min_ns: 0.0,
                max_ns: 1000.0,
            },
            ..NetConfig::reliable(0.0)
        };
        let mut n = net(config, 1000);
        let mut last = SimTime::ZERO;
        for i in 0..200 {
            let (at, _) = scheduled(n.send(t(i), NodeId(1), NodeId(2), i as u32));
            assert!(at >= last);
            last = at;
        }
    }

    #[test]
    fn a_message_to_or_from_a_down_node_is_dropped_without_a_draw() {
        let mut n = net(
            NetConfig {
                drop_rate: 0.5,
                ..NetConfig::reliable(10.0)
            },
            8,
        );
        n.crash(NodeId(2));
        let before = n.rng.clone().next_u64();
        assert_eq!(n.send(t(0), NodeId(1), NodeId(2), 0), Sent::Dropped);
        assert_eq!(n.send(t(0), NodeId(2), NodeId(1), 0), Sent::Dropped);
        assert_eq!(n.rng.clone().next_u64(), before);
        assert_eq!(n.stats().dropped_endpoint_down, 2);
    }

    #[test]
    fn a_crash_loses_what_was_in_flight_to_and_from_the_node() {
        let mut n = net(NetConfig::reliable(10.0), 8);
        let (_, to_2) = scheduled(n.send(t(0), NodeId(1), NodeId(2), 1));
        let (_, from_2) = scheduled(n.send(t(0), NodeId(2), NodeId(3), 2));
        let (_, to_2_later) = scheduled(n.send(t(0), NodeId(3), NodeId(2), 3));
        let (_, bystander) = scheduled(n.send(t(0), NodeId(1), NodeId(3), 4));
        n.crash(NodeId(2));
        assert!(matches!(
            n.deliver(to_2),
            Delivery::Lost {
                reason: LostReason::ReceiverDown,
                ..
            }
        ));
        assert!(matches!(
            n.deliver(from_2),
            Delivery::Lost {
                reason: LostReason::Restarted,
                ..
            }
        ));
        n.restart(NodeId(2));
        assert!(matches!(
            n.deliver(to_2_later),
            Delivery::Lost {
                reason: LostReason::Restarted,
                ..
            }
        ));
        assert!(n.deliver(bystander).is_delivered());
        let (_, fresh) = scheduled(n.send(t(1), NodeId(3), NodeId(2), 5));
        assert!(n.deliver(fresh).is_delivered());
        let s = n.stats();
        assert_eq!(
            (s.lost_receiver_down, s.lost_restarted, s.delivered),
            (1, 2, 2)
        );
    }

    #[test]
    fn a_crash_resets_the_fifo_floor_of_the_nodes_links() {
        let mut n = net(NetConfig::reliable(1000.0), 8);
        n.send(t(0), NodeId(1), NodeId(2), 0);
        n.send(t(0), NodeId(3), NodeId(1), 0);
        n.crash(NodeId(2));
        assert_eq!(n.link_last_at[n.link(NodeId(1), NodeId(2))], SimTime::ZERO);
        assert_eq!(
            n.link_last_at[n.link(NodeId(3), NodeId(1))],
            t(1000),
            "links of other nodes keep theirs"
        );
    }

    #[test]
    fn a_duplicate_is_a_second_copy_with_its_own_slot() {
        let mut n = net(
            NetConfig {
                duplicate_rate: 1.0,
                ..NetConfig::reliable(10.0)
            },
            8,
        );
        let Sent::Scheduled {
            at,
            slot,
            duplicate: Some((dup_at, dup_slot)),
        } = n.send(t(0), NodeId(1), NodeId(2), 7)
        else {
            panic!("duplicate_rate 1 duplicates");
        };
        assert!(dup_at >= at && dup_slot != slot);
        assert_eq!(n.in_flight(), 2);
        assert_eq!(n.deliver(slot).msg(), &7);
        assert_eq!(n.deliver(dup_slot).msg(), &7);
        assert_eq!((n.stats().duplicated, n.stats().delivered), (1, 2));
    }

    #[test]
    fn partitions_are_judged_at_delivery() {
        let mut n = net(NetConfig::reliable(10.0), 8);
        n.partition(&[vec![NodeId(1)], vec![NodeId(2), NodeId(3)]], false);
        let (_, slot) = scheduled(n.send(t(0), NodeId(1), NodeId(2), 0));
        n.heal();
        assert!(
            n.deliver(slot).is_delivered(),
            "cut at send, healed at delivery"
        );
        let (_, slot) = scheduled(n.send(t(0), NodeId(1), NodeId(2), 0));
        n.isolate(NodeId(1));
        assert!(matches!(
            n.deliver(slot),
            Delivery::Lost {
                reason: LostReason::Partitioned,
                ..
            }
        ));
    }

    #[test]
    #[should_panic(expected = "in_flight_max")]
    fn the_in_flight_bound_is_a_hard_one() {
        let mut n = net(NetConfig::reliable(10.0), 2);
        for i in 0..3 {
            n.send(t(0), NodeId(1), NodeId(2), i);
        }
    }

    #[test]
    #[should_panic(expected = "holds nothing")]
    fn delivering_a_slot_twice_is_a_bug() {
        let mut n = net(NetConfig::reliable(10.0), 2);
        let (_, slot) = scheduled(n.send(t(0), NodeId(1), NodeId(2), 0));
        n.deliver(slot);
        n.deliver(slot);
    }

    #[test]
    #[should_panic(expected = "no node 4")]
    fn an_unknown_node_is_a_bug() {
        net(NetConfig::reliable(10.0), 2).send(t(0), NodeId(1), NodeId(4), 0);
    }
}
