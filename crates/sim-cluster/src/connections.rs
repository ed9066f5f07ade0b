//! The connections between nodes, as far as NuRaft's leader sees them: a peer's connection
//! breaks when a request to it fails (the peer is down or cut off), and NuRaft re-creates
//! it before its next request, forgetting what the peer was known to hold (its matched
//! index: `request_append_entries` -> `reconnect_client` -> `set_matched_idx(0)`). NuRaft
//! also re-creates a connection that has been inactive — no answer and no failure — for
//! more than 50 heartbeat intervals (`raft_limits_.reconnect_limit_`); a node that becomes
//! leader after a long time as a follower does so for every peer it has not heard from.
//!
//! The world tells the replica through [`Input::PeerUnreachable`]. This file keeps when
//! each node last heard from each peer; it does not deliver or drop anything (`sim-net`).

use crate::wire::Wire;
use crate::world::World;
use raft_core::{Input, NodeId};
use sim_core::{SimDuration, SimTime};

/// NuRaft's `reconnect_limit_`: heartbeat intervals of inactivity after which a leader
/// re-creates a peer's connection.
pub const RECONNECT_LIMIT_HEARTBEATS: u64 = 50;

impl<M: Wire> World<M> {
    /// Node `n` heard an answer from `peer` (or learnt that its request failed): the
    /// connection is active.
    pub(crate) fn peer_active(&mut self, n: usize, peer: NodeId) {
        let now = self.k.now();
        self.nodes[n].peer_active_at[peer.index()] = now;
    }

    /// A message `from` -> `to` arrived: an answer is activity of `to`'s connection to
    /// `from`.
    pub(crate) fn on_answer_delivered(&mut self, from: NodeId, to: NodeId, msg: &M) {
        if msg.is_answer() {
            self.peer_active(to.index(), from);
        }
    }

    /// A request from node `n` to `peer` failed: its connection breaks.
    pub(crate) fn connection_broke(&mut self, n: usize, peer: NodeId) {
        self.peer_active(n, peer);
        self.input_quiet(n, Input::PeerUnreachable { peer });
    }

    /// Node `n` became leader: every peer it has not heard from for longer than the
    /// reconnect limit gets a new connection.
    pub(crate) fn reconnect_inactive_peers(&mut self, n: usize) {
        let heartbeat = self.config.heartbeat();
        let limit =
            SimDuration::from_ns(heartbeat.as_ns().saturating_mul(RECONNECT_LIMIT_HEARTBEATS));
        let now = self.k.now();
        for p in 0..self.nodes.len() {
            let at = self.nodes[n].peer_active_at[p];
            if p != n && now.since(at) > limit {
                self.connection_broke(n, NodeId::from_index(p));
            }
        }
    }

    /// A node (re)starts: a new process with no connections yet, all of them fresh.
    pub(crate) fn reset_connections(&mut self, n: usize, now: SimTime) {
        for at in &mut self.nodes[n].peer_active_at {
            *at = now;
        }
    }
}
