//! From a resolved scenario to the world it describes: a `sim_cluster::WorldConfig`. This
//! is where the file's names meet the simulator's types — a mode becomes the Raft core's
//! durability knobs (NURAFT.md, "Three knobs, not one"), a catalogue bug its place in the
//! core, the log store or recovery, latencies in the file's units become distributions in
//! nanoseconds.

use crate::model::{
    Bug, ClientAck, CommitRule, CrashModel, FlushOrder, FollowerAppend, FollowerFlush, LatencyUnit,
    Mode, ReadPath, Scenario,
};
use raft_core::{AckRule, CoreMutant, Durability, FlushWait};
use sim_cluster::config::{AdapterMutant, MutantPlacement, WorkloadConfig};
use sim_cluster::{SnapshotMutant, StoreMutant, WorldConfig};
use sim_disk::{CrashModel as DiskCrash, DiskConfig, FlushOrder as DiskFlushOrder};
use sim_net::NetConfig;

/// The world a scenario describes. The scenario was validated when it was read, so the
/// world's own validation holds.
pub fn world_config(s: &Scenario) -> WorldConfig {
    let w = &s.workload;
    let c = WorldConfig::builder(s.cluster.nodes, durability(s))
        .heartbeat_interval_ms(s.raft.heartbeat_interval_ms)
        .election_timeout_ms(
            s.raft.election_timeout_ms.min,
            s.raft.election_timeout_ms.max,
        )
        .max_append_batch(s.raft.max_append_batch)
        .commit_rule(match s.raft.commit_rule {
            CommitRule::Nuraft => raft_core::CommitRule::Nuraft,
            CommitRule::CurrentTerm => raft_core::CommitRule::CurrentTerm,
        })
        .read_path(match w.read_path {
            ReadPath::Log => raft_core::ReadPath::Log,
            ReadPath::LeaderState => raft_core::ReadPath::LeaderState,
        })
        .negative_batch_hint_rate(s.raft.negative_batch_hint_rate)
        .snapshots(s.raft.snapshot_distance, s.raft.reserved_log_items)
        .implementation(s.cluster.implementation)
        .mutant(place_mutant(s.cluster.bug))
        .state_machine(s.cluster.state_machine)
        .disk(disk_config(s))
        .fsync_error_policy(s.disk.fsync_error_policy)
        .net(net_config(s))
        .faults(s.faults.clone())
        .workload(WorkloadConfig {
            kind: w.kind,
            clients: w.clients,
            write_rate_per_s: w.write_rate_per_s,
            read_fraction: w.read_fraction,
            keys: w.keys,
            request_timeout_ms: w.request_timeout_ms,
        })
        .timing_note(crate::timing(s).note())
        .duration_ms(s.run.duration_ms)
        .heal_ms(s.run.heal_ms)
        .max_events(s.run.max_events)
        .liveness_timeouts(s.run.liveness_timeouts)
        .heal_network(s.run.heal_network);
    c.build().unwrap_or_else(|e| {
        panic!(
            "scenario {} passed validation but its world does not: {e}",
            s.name
        )
    })
}

/// Where a catalogue bug lives, and what it switches on there.
pub fn place_mutant(bug: Bug) -> MutantPlacement {
    let mut p = MutantPlacement::NONE;
    match bug {
        Bug::None => {}
        Bug::LeaderCountsUnflushed => p.core = CoreMutant::LeaderCountsUnflushed,
        Bug::FollowerAcksBeforeFlush => p.core = CoreMutant::FollowerAcksBeforeFlush,
        Bug::VoteNotPersisted => p.core = CoreMutant::VoteNotPersisted,
        Bug::TermNotPersisted => p.core = CoreMutant::TermNotPersisted,
        Bug::ApplyBeforeDurable => p.core = CoreMutant::ApplyBeforeDurable,
        Bug::CommitIndexNotClamped => p.core = CoreMutant::CommitIndexNotClamped,
        Bug::AckBeforeCommit => p.core = CoreMutant::AckBeforeCommit,
        Bug::CompletionBeforePending => p.core = CoreMutant::CompletionBeforePending,
        Bug::DurableIndexStartsAtZero => p.core = CoreMutant::DurableIndexStartsAtZero,
        Bug::FollowerAcksEmptyRequest => p.core = CoreMutant::FollowerAcksEmptyRequest,
        Bug::DurableIndexReportsAppended => p.store = StoreMutant::DurableIndexReportsAppended,
        Bug::CompletionOvershoots => p.store = StoreMutant::CompletionOvershoots,
        Bug::TruncateNotFlushed => p.store = StoreMutant::TruncateNotFlushed,
        Bug::StaleWriteAfterTruncate => p.store = StoreMutant::StaleWriteAfterTruncate,
        Bug::RecoveryTrustsVolatile => p.recovery_trusts_volatile = true,
        Bug::TruncateKeepsDurableIndex => p.store = StoreMutant::TruncateKeepsDurableIndex,
        Bug::EndOfBatchSkippedForConfig => {
            // Two halves of one mistake: the core skips the call, and the store's own
            // flush() (NuRaft's configuration-entry flush) never moves its durable index.
            p.core = CoreMutant::EndOfBatchSkippedForConfig;
            p.store = StoreMutant::FlushLeavesDurableIndex;
        }
        Bug::FlushErrorNeverCompletes => p.store = StoreMutant::FlushErrorNeverCompletes,
        Bug::StateFileNotAtomic => p.state_file_not_atomic = true,
        Bug::NewLeaderMarksTailFlushed => p.core = CoreMutant::NewLeaderMarksTailFlushed,
        Bug::SnapshotDirNotFsynced => p.snapshot = SnapshotMutant::DirNotFsynced,
        Bug::CompactBeforeSnapshotDurable => p.snapshot = SnapshotMutant::CompactBeforeDurable,
        Bug::InstallAckedBeforeDurable => p.snapshot = SnapshotMutant::InstallAckedBeforeDurable,
        Bug::PersistedMessagesEarly => p.adapter = AdapterMutant::PersistedMessagesEarly,
        Bug::IoFlushedBeforeFsync => p.adapter = AdapterMutant::IoFlushedBeforeFsync,
    }
    p
}

/// The durability knobs of a scenario's mode (NURAFT.md, "Three knobs, not one").
pub fn durability(s: &Scenario) -> Durability {
    match s.cluster.mode {
        Mode::Sync => Durability::sync(),
        Mode::ParallelAppend => match s.cluster.follower_append {
            Some(FollowerAppend::Pipelined) => Durability::parallel_append_pipelined(),
            Some(FollowerAppend::Blocking) | None => Durability::parallel_append(),
        },
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

fn disk_config(s: &Scenario) -> DiskConfig {
    DiskConfig {
        write_latency: s.disk.write_latency_us.to_dist(LatencyUnit::Microseconds),
        flush_latency: s.disk.flush_latency_ms.to_dist(LatencyUnit::Milliseconds),
        side_files_flush_latency: s
            .disk
            .state_flush_latency_ms
            .as_ref()
            .map(|l| l.to_dist(LatencyUnit::Milliseconds)),
        crash_model: match s.disk.crash {
            CrashModel::LoseUnflushed => DiskCrash::LoseUnflushed,
            CrashModel::KeepRandomSubset => DiskCrash::KeepRandomSubset,
            CrashModel::TornTail => DiskCrash::TornTail,
        },
        sector_bytes: s.disk.sector_bytes,
        fsync_error_rate: s.disk.fsync_error_rate,
        corruption_rate: s.disk.corruption_rate,
        flush_order: match s.disk.flush_order {
            FlushOrder::Submission => DiskFlushOrder::Submission,
            FlushOrder::PerFile => DiskFlushOrder::PerFile,
        },
    }
}

fn net_config(s: &Scenario) -> NetConfig {
    NetConfig {
        latency: s.network.latency_ms.to_dist(LatencyUnit::Milliseconds),
        drop_rate: s.network.drop_rate,
        duplicate_rate: s.network.duplicate_rate,
        reorder: s.network.reorder,
    }
}
