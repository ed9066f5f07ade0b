//! From a resolved scenario to the settings of each part of the world: the Raft core's
//! knobs per mode, where each mutant (docs/bugs.md) is switched on, the disk and the network.

use crate::store::StoreMutant;
use raft_core::{AckRule, CoreBug, Durability, FlushWait, NodeId, ReadPath};
use sim_disk::{CrashModel as DiskCrash, DiskConfig};
use sim_net::NetConfig;
use sim_scenario::{
    Bug, ClientAck, CrashModel, FollowerFlush, LatencyUnit, Mode, ReadPath as ScnReadPath, Scenario,
};

/// Where a mutant (the scenario's `[cluster] bug`) lives, and what it switches on there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BugPlacement {
    pub core: CoreBug,
    pub store: StoreMutant,
    /// `recovery-trusts-volatile`: restart takes the log end from the pre-crash memory.
    pub recovery_trusts_volatile: bool,
}

pub fn place_bug(bug: Bug) -> BugPlacement {
    let mut p = BugPlacement {
        core: CoreBug::None,
        store: StoreMutant::None,
        recovery_trusts_volatile: false,
    };
    match bug {
        Bug::None => {}
        Bug::LeaderCountsUnflushed => p.core = CoreBug::LeaderCountsUnflushed,
        Bug::FollowerAcksBeforeFlush => p.core = CoreBug::FollowerAcksBeforeFlush,
        Bug::VoteNotPersisted => p.core = CoreBug::VoteNotPersisted,
        Bug::TermNotPersisted => p.core = CoreBug::TermNotPersisted,
        Bug::ApplyBeforeDurable => p.core = CoreBug::ApplyBeforeDurable,
        Bug::CommitIndexNotClamped => p.core = CoreBug::CommitIndexNotClamped,
        Bug::AckBeforeCommit => p.core = CoreBug::AckBeforeCommit,
        Bug::DurableIndexReportsAppended => p.store = StoreMutant::DurableIndexReportsAppended,
        Bug::CompletionOvershoots => p.store = StoreMutant::CompletionOvershoots,
        Bug::TruncateNotFlushed => p.store = StoreMutant::TruncateNotFlushed,
        Bug::StaleWriteAfterTruncate => p.store = StoreMutant::StaleWriteAfterTruncate,
        Bug::RecoveryTrustsVolatile => p.recovery_trusts_volatile = true,
    }
    p
}

/// The durability knobs of a scenario's mode (NURAFT.md, "Three knobs, not one").
pub fn durability(s: &Scenario) -> Durability {
    match s.cluster.mode {
        Mode::Sync => Durability::sync(),
        Mode::ParallelAppend => Durability::parallel_append(),
        Mode::AsyncHandler => {
            let ack = match s.cluster.client_ack.unwrap_or(ClientAck::Commit) {
                ClientAck::Commit => AckRule::OnCommit,
                ClientAck::CommitAndFlush => AckRule::OnCommitAndFlush,
            };
            let follower = match s
                .cluster
                .follower_flush
                .unwrap_or(FollowerFlush::Background)
            {
                FollowerFlush::Background => FlushWait::Background,
                FollowerFlush::BeforeAnswer => FlushWait::Blocking,
            };
            Durability::async_handler(ack, follower)
        }
    }
}

/// The Raft core's configuration for node `id`.
pub fn core_config(s: &Scenario, id: NodeId) -> raft_core::Config {
    raft_core::Config {
        id,
        voters: (1..=s.cluster.nodes).map(NodeId).collect(),
        heartbeat_interval_ns: s.raft.heartbeat_interval_ms * 1_000_000,
        election_timeout_min_ns: s.raft.election_timeout_ms.min * 1_000_000,
        election_timeout_max_ns: s.raft.election_timeout_ms.max * 1_000_000,
        max_append_batch: s.raft.max_append_batch,
        durability: durability(s),
        commit_rule: match s.raft.commit_rule {
            sim_scenario::CommitRule::Nuraft => raft_core::CommitRule::Nuraft,
            sim_scenario::CommitRule::CurrentTerm => raft_core::CommitRule::CurrentTerm,
        },
        read_path: match s.workload.read_path {
            ScnReadPath::Log => ReadPath::Log,
            ScnReadPath::LeaderState => ReadPath::LeaderState,
        },
        bug: place_bug(s.cluster.bug).core,
    }
}

pub fn disk_config(s: &Scenario) -> DiskConfig {
    DiskConfig {
        write_latency: s.disk.write_latency_us.to_dist(LatencyUnit::Microseconds),
        flush_latency: s.disk.flush_latency_ms.to_dist(LatencyUnit::Milliseconds),
        crash_model: match s.disk.crash {
            CrashModel::LoseUnflushed => DiskCrash::LoseUnflushed,
            CrashModel::KeepRandomSubset => DiskCrash::KeepRandomSubset,
            CrashModel::TornTail => DiskCrash::TornTail,
        },
        sector_bytes: s.disk.sector_bytes,
        fsync_error_rate: s.disk.fsync_error_rate,
        corruption_rate: s.disk.corruption_rate,
    }
}

pub fn net_config(s: &Scenario) -> NetConfig {
    NetConfig {
        latency: s.network.latency_ms.to_dist(LatencyUnit::Milliseconds),
        drop_rate: s.network.drop_rate,
        duplicate_rate: s.network.duplicate_rate,
        reorder: s.network.reorder,
    }
}
