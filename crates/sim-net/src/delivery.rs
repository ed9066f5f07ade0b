//! What the network hands back: the outcome of a send ([`Sent`], naming the [`Slot`] of
//! each scheduled copy) and of a delivery ([`Delivery`], with a [`LostReason`] when the
//! message does not arrive).
//!
//! Plain values, so the world can put them into its trace as they are.

use serde::Serialize;
use sim_core::NodeId;

/// Where an in-flight message waits in the network, from its send until its delivery
/// event fires. Valid exactly once: [`crate::Network::deliver`] frees it, and a later send
/// may reuse the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Slot(pub u32);

/// The outcome of a send. For `Scheduled`, the caller schedules one delivery event per
/// (instant, slot) and calls `deliver` with the slot when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Sent {
    /// Lost at once: dropped by chance, or an end was down.
    Dropped,
    Scheduled {
        at: sim_core::SimTime,
        slot: Slot,
        /// A second copy of the message, with its own instant.
        duplicate: Option<(sim_core::SimTime, Slot)>,
    },
}

/// A message on its way ([`crate::Network::send_or_return`]): when it arrives, the slot
/// holding it, and a duplicate's instant and slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub at: sim_core::SimTime,
    pub slot: Slot,
    pub duplicate: Option<(sim_core::SimTime, Slot)>,
}

/// Why a message that was in flight did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LostReason {
    /// The link (from, to) was cut when the message arrived.
    Partitioned,
    /// The receiver was down when the message arrived.
    ReceiverDown,
    /// The sender or the receiver crashed (and maybe restarted) since the send: the
    /// connection the message travelled on is gone.
    Restarted,
}

/// The outcome of a delivery event. The message comes back either way, so the world can
/// trace what was lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Delivery<M> {
    Delivered {
        from: NodeId,
        to: NodeId,
        msg: M,
    },
    Lost {
        from: NodeId,
        to: NodeId,
        msg: M,
        reason: LostReason,
    },
}

impl<M> Delivery<M> {
    /// The message, delivered or not.
    pub fn msg(&self) -> &M {
        match self {
            Delivery::Delivered { msg, .. } | Delivery::Lost { msg, .. } => msg,
        }
    }

    pub fn is_delivered(&self) -> bool {
        matches!(self, Delivery::Delivered { .. })
    }
}
