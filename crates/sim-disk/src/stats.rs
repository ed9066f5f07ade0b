//! Counters of what one disk did, for reports and for tests that check a run exercised
//! what it claims to. Counting only: nothing here changes behaviour.

use serde::Serialize;

/// Totals over the disk's whole life, crashes included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiskStats {
    pub writes_submitted: u64,
    pub truncates_submitted: u64,
    pub flushes_submitted: u64,
    /// Payload bytes of all submitted writes.
    pub bytes_written: u64,
    /// Operations that completed (appeared in `advance`'s output).
    pub ops_completed: u64,
    /// Flushes that completed with `ok == false`.
    pub flushes_failed: u64,
    /// Writes and truncates made durable by a successful flush.
    pub changes_made_durable: u64,
    /// Writes and truncates dropped from the dirty set by a failed flush.
    pub changes_dropped: u64,
    pub crashes: u64,
    /// Crashes of the process alone (the page cache survived).
    pub process_crashes: u64,
    /// Operations in flight at a crash (of either kind), which never completed.
    pub ops_cancelled: u64,
    pub sector_writes_kept: u64,
    pub sector_writes_torn: u64,
    pub sector_writes_lost: u64,
    pub truncates_kept: u64,
    pub truncates_lost: u64,
    /// Recovery reads and the sectors among them that read corrupt.
    pub recovery_reads: u64,
    pub sectors_read_corrupt: u64,
    pub stalls: u64,
}
