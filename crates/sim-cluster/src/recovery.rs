//! What a restarting node recovers, as a pure function of what its disk holds: the valid
//! prefix of its log file (a corrupt or torn tail is discarded, as a real log store does),
//! and, under the `recovery-trusts-volatile` mutant, the log it believed it had before the
//! crash. The state file's term and vote are read by `StateFile::recover`.
//!
//! `lifecycle.rs` applies the result: it reopens the log store, cuts the discarded tail
//! from the file, and builds the replica.

use crate::codec;
use raft_core::{Entry, LogIndex};

/// The log a node restarts with.
#[derive(Debug, PartialEq)]
pub struct LogRecovery {
    /// The log the replica starts from (the media's valid prefix, or with the mutant the
    /// pre-crash memory).
    pub log: Vec<Entry>,
    /// The last index of the media's valid prefix.
    pub kept: LogIndex,
    /// Records after the valid prefix, discarded.
    pub dropped: u64,
    /// Records in the file, valid or not.
    pub file_records: u64,
    /// The mutant took the pre-crash memory instead of the media.
    pub trusted_volatile: bool,
}

/// Recovers the log from `log_bytes`, the log file from record `first` on (past a
/// snapshot and a compaction; 1 without them), in a file of `file_records` records;
/// `pre_crash_log` is what the node held in memory, used only when `trusts_volatile` (the
/// mutant), the log was never compacted, and it is longer.
///
/// `known` is the valid prefix of `log_bytes` when the caller already holds it decoded (the
/// log store keeps its last read of the media, `LogStore::media_records`); `None` decodes
/// the bytes here. Debug builds check that the two agree.
pub fn recover_log(
    log_bytes: &[u8],
    first: LogIndex,
    file_records: u64,
    known: Option<&[Entry]>,
    pre_crash_log: &[Entry],
    trusts_volatile: bool,
) -> LogRecovery {
    let decoded = match known {
        Some(entries) => {
            debug_assert_eq!(
                entries,
                codec::decode_log_from(log_bytes, first).entries,
                "the caller's decoded log differs from the bytes"
            );
            codec::DecodedLog {
                entries: entries.to_vec(),
                dropped: log_bytes.len() as u64 / codec::RECORD_BYTES - entries.len() as u64,
            }
        }
        None => codec::decode_log_from(log_bytes, first),
    };
    let kept = first.prev().plus(decoded.entries.len() as u64);
    let trusted_volatile =
        trusts_volatile && first == LogIndex(1) && pre_crash_log.len() > decoded.entries.len();
    let log = if trusted_volatile {
        pre_crash_log.to_vec()
    } else {
        decoded.entries
    };
    LogRecovery {
        log,
        kept,
        dropped: decoded.dropped,
        file_records,
        trusted_volatile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::{Entry, Payload, Term};

    fn log(n: u64) -> Vec<Entry> {
        (1..=n)
            .map(|_| Entry {
                term: Term(1),
                payload: Payload::Noop,
            })
            .collect()
    }

    fn bytes(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            codec::encode_record(LogIndex(i as u64 + 1), e, &mut out);
        }
        out
    }

    #[test]
    fn a_corrupt_tail_is_discarded_and_counted() {
        let mut b = bytes(&log(3));
        let last = b.len() - 1;
        b[last] ^= 0xff;
        let r = recover_log(&b, LogIndex(1), 3, None, &[], false);
        assert_eq!((r.kept, r.dropped, r.file_records), (LogIndex(2), 1, 3));
        assert_eq!(r.log, log(2));
        assert!(!r.trusted_volatile);
    }

    /// Past a compaction the bytes start at the first record kept; indexes count on.
    #[test]
    fn a_compacted_log_is_read_from_its_first_record() {
        let all = bytes(&log(5));
        let from_4 = &all[3 * codec::RECORD_BYTES as usize..];
        let r = recover_log(from_4, LogIndex(4), 5, None, &[], false);
        assert_eq!((r.kept, r.dropped, r.file_records), (LogIndex(5), 0, 5));
        assert_eq!(r.log, log(2));
        // A record of another index there is not taken for record 4.
        let r = recover_log(
            &all[..2 * codec::RECORD_BYTES as usize],
            LogIndex(4),
            5,
            None,
            &[],
            false,
        );
        assert_eq!((r.kept, r.dropped), (LogIndex(3), 2));
    }

    #[test]
    fn the_mutant_trusts_a_longer_memory_only() {
        let b = bytes(&log(2));
        let r = recover_log(&b, LogIndex(1), 2, None, &log(4), true);
        assert!(r.trusted_volatile);
        assert_eq!((r.log.len(), r.kept), (4, LogIndex(2)));
        let r = recover_log(&b, LogIndex(1), 2, None, &log(1), true);
        assert!(!r.trusted_volatile);
        assert_eq!(r.log, log(2));
        assert_eq!(
            recover_log(&b, LogIndex(1), 2, None, &log(4), false).log,
            log(2)
        );
    }

    /// A valid prefix the caller already decoded is taken as it is, with the discarded
    /// tail counted from the bytes as when they are decoded here.
    #[test]
    fn a_known_prefix_recovers_what_decoding_recovers() {
        let mut b = bytes(&log(3));
        let last = b.len() - 1;
        b[last] ^= 0xff;
        let decoded = recover_log(&b, LogIndex(1), 3, None, &[], false);
        let known = recover_log(&b, LogIndex(1), 3, Some(&log(2)), &[], false);
        assert_eq!(known, decoded);
        assert_eq!((known.kept, known.dropped), (LogIndex(2), 1));
    }
}
