//! Counters of what the network did, for reports and for tests that check a run exercised
//! what it claims to. Counting only: nothing here changes behaviour.

use serde::Serialize;

/// Totals over the network's life. Every send ends as exactly one of `dropped`,
/// `dropped_endpoint_down` or a scheduled message; every scheduled copy (the original and
/// each duplicate) ends as `delivered` or one of the `lost_*` once delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NetStats {
    /// Calls to `send`.
    pub sent: u64,
    /// Dropped by chance at send.
    pub dropped: u64,
    /// Dropped at send because the sender or the receiver was down.
    pub dropped_endpoint_down: u64,
    /// Second copies scheduled.
    pub duplicated: u64,
    pub delivered: u64,
    pub lost_partitioned: u64,
    pub lost_receiver_down: u64,
    pub lost_restarted: u64,
    /// The most messages in flight at once.
    pub in_flight_peak: u64,
}
