//! The virtual disk: one [`Disk`] per node, holding a few files (the caller uses file 0
//! for the Raft log and file 1 for the term/vote state), each a volatile **page cache**
//! over **durable media**, byte-addressed and laid out in sectors of `sector_bytes`.
//!
//! It exists so that the simulator can lose exactly the data a real machine could lose,
//! and nothing else: which writes were durable at a crash decides whether a Raft
//! implementation's durability bug shows.
//!
//! # Semantics
//!
//! * **Timing** (see `lanes.rs`). Two lanes. The *write lane* runs writes and truncates one
//!   at a time in submission order, each taking one `write_latency` sample, starting when
//!   submitted or when the previous one landed, whichever is later. On landing, the bytes
//!   are in the page cache ([`Disk::cached`]), not durable. The *flush lane* runs flushes
//!   one at a time in submission order; a flush starts when the flush lane is free *and*
//!   every write or truncate submitted before it, to any file, has landed, and takes one
//!   `flush_latency` sample. Under [`FlushOrder::PerFile`] each file has a flush lane of
//!   its own and a flush waits only for earlier writes to its file, so fsyncs of different
//!   files complete in either order. On success, every landed change of *its* file
//!   submitted before it becomes durable. Writes submitted after a flush do not wait for it.
//!   Completions come out of [`Disk::advance`] in completion order, ties in submission
//!   order. Every completion instant is fixed at submission.
//! * **File length** is metadata: a write past the end extends the file (the gap reads as
//!   zeros), a truncate sets the length; both become durable only when flushed, or when a
//!   crash model keeps them.
//! * **fsync errors.** With probability `fsync_error_rate` (one draw from the fault stream
//!   per completed flush) a flush completes with `ok == false`: the changes it covered
//!   leave the dirty set without becoming durable. No later flush and no crash model
//!   brings them back, yet [`Disk::cached`] still shows them until a crash (Linux marks the
//!   pages clean: the 2018 "fsyncgate" findings). A flush that covered nothing can fail
//!   too.
//! * **Crash** ([`Disk::crash`], see `crash.rs`). Every operation in flight is cancelled
//!   and its [`OpId`] never completes. The landed-but-unflushed changes are decomposed
//!   into sector writes (one per sector a write touches, each carrying the sector's full
//!   image after that write, in landing order) and survive per [`CrashModel`]. The page
//!   cache is then reset to the durable media. A stall survives a crash. The
//!   [`CrashReport`] counts kept, torn and lost sector writes and lists every unit's fate.
//! * **Corruption** ([`Disk::read_for_recovery`]). Each sector of the durable content
//!   independently reads corrupt with probability `corruption_rate` (one byte flipped,
//!   chosen from the fault stream); the media is not changed.
//! * **Stall** ([`Disk::stall`], [`Disk::resume`]). While stalled nothing completes and
//!   [`Disk::next_wakeup`] is `None`; on resume, operations whose instant passed complete
//!   at the resume instant, later ones keep their instants.
//! * **Determinism.** Latencies are drawn from the latency stream at submission, in
//!   submission order; fsync errors, crash fates and corruption from the fault stream, in
//!   call order. Same calls, same seeds: same results.
//!
//! # Bounds
//!
//! At most [`IN_FLIGHT_OPS_MAX`] operations in flight, [`FILES_MAX`] files, files of at
//! most [`FILE_BYTES_MAX`] bytes: exceeding one is a bug in the caller, and panics.
//! Payloads of pending writes live in one arena per disk, compacted in place, so the
//! steady state allocates nothing per operation.
//!
//! # Example
//!
//! ```
//! use sim_core::{RngStreams, SimTime};
//! use sim_disk::{Disk, DiskConfig, FileId};
//!
//! let streams = RngStreams::new(7);
//! let config = DiskConfig::simple(10_000.0, 1_000_000.0); // 10 us write, 1 ms flush
//! let mut disk = Disk::new(config, 2, streams.stream("disk.lat"), streams.stream("disk.fault"));
//! let log = FileId(0);
//! disk.write(SimTime::ZERO, log, 0, b"entry-1");
//! disk.flush(SimTime::ZERO, log);
//! let mut done = Vec::new();
//! while let Some(at) = disk.next_wakeup() {
//!     disk.advance(at, &mut done);
//! }
//! assert_eq!(done.len(), 2);
//! assert_eq!(disk.durable(log), b"entry-1");
//! disk.write(SimTime::from_ms(5), log, 7, b"entry-2");
//! disk.advance(SimTime::from_ms(6), &mut done);
//! assert_eq!(disk.cached(log), b"entry-1entry-2"); // landed, not flushed
//! disk.crash();
//! assert_eq!(disk.cached(log), b"entry-1"); // lost with the page cache
//! ```
//!
//! This crate is not a file system (no names, no directories, no reads other than whole
//! files) and not a Raft log store: it moves bytes and decides which of them survive.

mod arena;
mod change;
mod config;
mod corruption;
mod crash;
mod disk;
mod lanes;
mod media;
mod op;
mod stats;

pub use config::{
    CrashModel, DiskConfig, DiskConfigError, FlushOrder, SECTOR_BYTES_MAX, SECTOR_BYTES_MIN,
};
pub use crash::{CrashChoice, CrashReport, CrashUnit, Fate, UnitFate};
pub use disk::{Disk, FILES_MAX, RecoveryRead};
pub use lanes::IN_FLIGHT_OPS_MAX;
pub use media::FILE_BYTES_MAX;
pub use op::{Completion, FileId, OpId, OpKind};
pub use stats::DiskStats;
