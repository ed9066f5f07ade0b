//! The virtual network: one [`Network`] carries messages of any type `M` between the nodes
//! `1..=nodes` of a simulated cluster, with latency, loss, duplication, reordering,
//! partitions and crashed endpoints.
//!
//! It exists so that a Raft cluster meets the network faults real ones meet, reproducibly
//! from one seed. It is not an event queue and has no clock: `send` says when each copy of
//! a message should arrive and in which [`Slot`] it waits; the world schedules the
//! delivery event and calls `deliver` when it fires.
//!
//! # Semantics
//!
//! * **Latency, loss, duplication.** Each message is delivered after one `latency`
//!   sample. With probability `drop_rate` it is dropped at send ([`Sent::Dropped`]);
//!   otherwise, with probability `duplicate_rate`, a second copy is scheduled with its own
//!   latency sample. A message from or to a node that is down at send is `Dropped` (no
//!   draw is made for it).
//! * **Ordering.** `reorder = false`: each link (from, to) is FIFO. A copy's instant is
//!   the later of its sample and the link's last scheduled instant, so it never overtakes
//!   an earlier one (equal instants keep send order, because the world's event queue
//!   breaks ties by insertion). This applies to duplicates too. `reorder = true`:
//!   independent samples; messages may overtake.
//! * **Partitions are judged at delivery** by the cuts of that moment: a copy whose link
//!   is cut when it arrives is `Lost(Partitioned)`, whatever the cuts were at send.
//!   [`Network::isolate`] cuts a node from everyone both ways, adding to the current cuts;
//!   [`Network::partition`] replaces the cuts (nodes not named form one more group; links
//!   between different groups are cut; with `one_way`, exactly two groups naming every
//!   node, and only group 0 -> group 1 is cut); [`Network::heal`] removes them all.
//! * **Crash and restart.** Each node has an incarnation, bumped by [`Network::crash`]. A
//!   copy records both ends' incarnations at send. At delivery it is
//!   `Lost(ReceiverDown)` if the receiver is down, else `Lost(Restarted)` if either end's
//!   incarnation changed (a TCP-like connection does not survive a crash), else
//!   `Lost(Partitioned)` if the link is cut, else delivered.
//! * **Bounds.** At most `in_flight_max` copies in flight, in a slab whose freed slots are
//!   reused, so the steady state allocates nothing per message. Exceeding the bound is a
//!   bug upstream and panics.
//! * **Determinism.** All draws come from the one stream given to `new`, in call order;
//!   nothing iterates a hash map. Same calls, same seed: same instants and slots.
//!
//! # Example
//!
//! ```
//! use sim_core::{NodeId, RngStreams, SimTime};
//! use sim_net::{Delivery, NetConfig, Network, Sent};
//!
//! let mut net = Network::new(NetConfig::reliable(1e6), 3, RngStreams::new(1).stream("net"), 64);
//! let Sent::Scheduled { at, slot, .. } = net.send(SimTime::ZERO, NodeId(1), NodeId(2), "vote?") else {
//!     unreachable!("a reliable network drops nothing")
//! };
//! assert_eq!(at, SimTime::from_ms(1));
//! net.isolate(NodeId(2)); // cut after the send, before the arrival: the message is lost
//! assert!(matches!(net.deliver(slot), Delivery::Lost { msg: "vote?", .. }));
//! assert_eq!(net.in_flight(), 0);
//! ```

mod config;
mod cuts;
mod delivery;
mod endpoints;
mod network;
mod slab;
mod stats;

pub use config::{NetConfig, NetConfigError};
pub use delivery::{Delivery, LostReason, Scheduled, Sent, Slot};
pub use network::Network;
pub use stats::NetStats;
