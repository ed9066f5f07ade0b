//! The documented default of every key, in one place.
//!
//! The parser starts each section from its `Default` and overwrites the keys the file
//! gives, so what `show` prints for a key left out is exactly what is written here. Each
//! value matches the field's doc comment in `model.rs` (a test in `tests/examples.rs`
//! checks a minimal file against the documented defaults).

use crate::model::{
    Bug, ClientAck, Cluster, CommitRule, CrashModel, Disk, Expect, Faults, FlushOrder,
    FollowerAppend, FollowerFlush, FsyncErrorPolicy, HealNetwork, Implementation, Latency, Mode,
    Network, Outcome, Raft, RangeMs, ReadPath, Run, Scenario, StateMachine, Workload, WorkloadKind,
};

impl Cluster {
    /// A cluster of `nodes` in `mode` with every other key at its default; `client_ack` and
    /// `follower_flush` are set (to `commit` and `background`) only in async-handler mode,
    /// `follower_append` (to `blocking`) only in parallel-append mode.
    pub fn new(nodes: u8, mode: Mode) -> Cluster {
        let async_handler = mode == Mode::AsyncHandler;
        Cluster {
            nodes,
            implementation: Implementation::Model,
            mode,
            client_ack: async_handler.then_some(ClientAck::Commit),
            follower_flush: async_handler.then_some(FollowerFlush::Background),
            follower_append: (mode == Mode::ParallelAppend).then_some(FollowerAppend::Blocking),
            bug: Bug::None,
            state_machine: StateMachine::Volatile,
        }
    }
}

impl Scenario {
    /// The scenario a file with only `name` and `[cluster] nodes, mode` describes.
    pub fn with_defaults(name: impl Into<String>, nodes: u8, mode: Mode) -> Scenario {
        Scenario {
            name: name.into(),
            description: String::new(),
            cluster: Cluster::new(nodes, mode),
            raft: Raft::default(),
            disk: Disk::default(),
            network: Network::default(),
            faults: Faults::default(),
            workload: Workload::default(),
            run: Run::default(),
            expect: Expect::default(),
        }
    }
}

impl Default for Raft {
    fn default() -> Raft {
        Raft {
            heartbeat_interval_ms: 50,
            election_timeout_ms: RangeMs { min: 150, max: 300 },
            max_append_batch: 64,
            commit_rule: CommitRule::Nuraft,
            negative_batch_hint_rate: 0.0,
            snapshot_distance: 0,
            reserved_log_items: 0,
        }
    }
}

impl Default for Disk {
    fn default() -> Disk {
        Disk {
            write_latency_us: Latency::Uniform {
                min: 5.0,
                max: 50.0,
            },
            flush_latency_ms: Latency::Lognormal {
                p50: 2.0,
                p99: 30.0,
            },
            state_flush_latency_ms: None,
            crash: CrashModel::LoseUnflushed,
            sector_bytes: 512,
            fsync_error_rate: 0.0,
            corruption_rate: 0.0,
            fsync_error_policy: FsyncErrorPolicy::Crash,
            flush_order: FlushOrder::Submission,
        }
    }
}

impl Default for Network {
    fn default() -> Network {
        Network {
            latency_ms: Latency::Uniform {
                min: 1.0,
                max: 10.0,
            },
            drop_rate: 0.0,
            duplicate_rate: 0.0,
            reorder: false,
        }
    }
}

impl Default for Workload {
    fn default() -> Workload {
        Workload {
            kind: WorkloadKind::Register,
            clients: 4,
            write_rate_per_s: 200.0,
            read_fraction: 0.0,
            read_path: ReadPath::Log,
            keys: 16,
            request_timeout_ms: 1000,
        }
    }
}

impl Default for Run {
    fn default() -> Run {
        Run {
            duration_ms: 10_000,
            heal_ms: 5_000,
            seeds: 100,
            seed: 1,
            max_events: 5_000_000,
            liveness_timeouts: 20,
            heal_network: HealNetwork::Reliable,
        }
    }
}

impl Default for Expect {
    fn default() -> Expect {
        Expect {
            outcome: Outcome::Pass,
            violation: Vec::new(),
            allow: Vec::new(),
            within_seeds: None,
        }
    }
}
