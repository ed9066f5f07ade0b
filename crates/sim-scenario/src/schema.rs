//! The keys each table of a scenario file may hold, in the order `show` prints them.
//!
//! Only names: what each key means is in `model.rs`, how its value is read is in
//! `parse.rs`, `latency.rs` and `schedule.rs`. Kept in one place so an unknown key can be
//! told where it belongs ("`heartbeat_interval_ms` belongs in [raft]").

pub(crate) const TOP: &[&str] = &[
    "name",
    "description",
    "cluster",
    "raft",
    "disk",
    "network",
    "faults",
    "workload",
    "run",
    "expect",
];

pub(crate) const CLUSTER: &[&str] = &[
    "nodes",
    "implementation",
    "mode",
    "client_ack",
    "follower_flush",
    "follower_append",
    "bug",
    "state_machine",
];

pub(crate) const RAFT: &[&str] = &[
    "heartbeat_interval_ms",
    "election_timeout_ms",
    "max_append_batch",
    "commit_rule",
    "negative_batch_hint_rate",
    "snapshot_distance",
    "reserved_log_items",
];

pub(crate) const DISK: &[&str] = &[
    "write_latency_us",
    "flush_latency_ms",
    "state_flush_latency_ms",
    "crash",
    "sector_bytes",
    "fsync_error_rate",
    "corruption_rate",
    "fsync_error_policy",
    "flush_order",
];

pub(crate) const NETWORK: &[&str] = &["latency_ms", "drop_rate", "duplicate_rate", "reorder"];

pub(crate) const FAULTS: &[&str] = &[
    "crash_rate_per_s",
    "process_crash_fraction",
    "restart_delay_ms",
    "partition_rate_per_s",
    "partition_duration_ms",
    "schedule",
];

pub(crate) const SCHEDULE_ENTRY: &[&str] =
    &["at_ms", "action", "node", "kind", "groups", "one_way"];

pub(crate) const WORKLOAD: &[&str] = &[
    "kind",
    "clients",
    "write_rate_per_s",
    "read_fraction",
    "read_path",
    "keys",
    "request_timeout_ms",
];

pub(crate) const RUN: &[&str] = &[
    "duration_ms",
    "heal_ms",
    "seeds",
    "seed",
    "max_events",
    "liveness_timeouts",
    "heal_network",
];

pub(crate) const EXPECT: &[&str] = &["outcome", "violation", "allow", "within_seeds"];

/// Every key a latency table may hold; each distribution takes a subset (`latency.rs`).
pub(crate) const LATENCY: &[&str] = &["dist", "value", "min", "max", "mean", "p50", "p99"];

pub(crate) const RANGE: &[&str] = &["min", "max"];

/// The sections, by path, with their keys.
const SECTIONS: &[(&str, &[&str])] = &[
    ("", TOP),
    ("cluster", CLUSTER),
    ("raft", RAFT),
    ("disk", DISK),
    ("network", NETWORK),
    ("faults", FAULTS),
    ("[faults.schedule]", SCHEDULE_ENTRY),
    ("workload", WORKLOAD),
    ("run", RUN),
    ("expect", EXPECT),
];

/// A hint for a key that is unknown at `table` but valid in another section.
pub(crate) fn belongs_elsewhere(key: &str, table: &str) -> Option<String> {
    let (home, _) = SECTIONS
        .iter()
        .filter(|(path, _)| *path != table)
        .find(|(_, keys)| keys.contains(&key))?;
    Some(match *home {
        "" => format!("`{key}` is a top-level key; move it above the first [table]"),
        home if home.starts_with('[') => format!("`{key}` belongs in a [{home}] entry"),
        home => format!("`{key}` belongs in [{home}]"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misplaced_key_is_told_its_section() {
        assert_eq!(
            belongs_elsewhere("heartbeat_interval_ms", "cluster").as_deref(),
            Some("`heartbeat_interval_ms` belongs in [raft]")
        );
        assert_eq!(
            belongs_elsewhere("nodes", "").as_deref(),
            Some("`nodes` belongs in [cluster]")
        );
        assert_eq!(belongs_elsewhere("nodes", "cluster"), None);
        assert_eq!(belongs_elsewhere("banana", "cluster"), None);
    }
}
