//! Valid scenarios: the full example of SCENARIO.md reads exactly as written, a minimal file
//! gets every documented default, and the less common spellings the format allows are
//! accepted (bare latencies and ranges, lists of violations, dotted keys, ...).

use sim_core::NodeId;
use std::path::Path;

use sim_scenario::*;

const FULL: &str = include_str!("data/async-handler-leader-crash.toml");
const MINIMAL: &str = "[cluster]\nnodes = 3\nmode = \"sync\"\n";

fn parse(text: &str) -> Scenario {
    parse_str(text, "scenarios/t.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_full_example_reads_every_value_as_written() {
    let s = parse(FULL);
    assert_eq!(s.name, "async-handler-leader-crash");
    assert_eq!(
        s.description,
        "Leader crashes while its own flush is in flight."
    );
    let c = &s.cluster;
    assert_eq!((c.nodes, c.mode), (3, Mode::AsyncHandler));
    assert_eq!(c.client_ack, Some(ClientAck::CommitAndFlush));
    assert_eq!(c.follower_flush, Some(FollowerFlush::Background));
    assert_eq!(
        (c.bug, c.state_machine),
        (Bug::None, StateMachine::Volatile)
    );
    assert_eq!(s.raft.heartbeat_interval_ms, 50);
    assert_eq!(s.raft.election_timeout_ms, RangeMs { min: 150, max: 300 });
    assert_eq!(s.raft.max_append_batch, 64);
    assert_eq!(s.raft.commit_rule, CommitRule::Nuraft);
    let d = &s.disk;
    assert_eq!(
        d.write_latency_us,
        Latency::Uniform {
            min: 5.0,
            max: 50.0
        }
    );
    assert_eq!(
        d.flush_latency_ms,
        Latency::Lognormal {
            p50: 2.0,
            p99: 30.0
        }
    );
    assert_eq!((d.crash, d.sector_bytes), (CrashModel::LoseUnflushed, 512));
    assert_eq!((d.fsync_error_rate, d.corruption_rate), (0.0, 0.0));
    assert_eq!(d.fsync_error_policy, FsyncErrorPolicy::Crash);
    let n = &s.network;
    assert_eq!(
        n.latency_ms,
        Latency::Uniform {
            min: 1.0,
            max: 10.0
        }
    );
    assert_eq!(
        (n.drop_rate, n.duplicate_rate, n.reorder),
        (0.01, 0.0, true)
    );
    let f = &s.faults;
    assert_eq!((f.crash_rate_per_s, f.partition_rate_per_s), (0.5, 0.1));
    assert_eq!(f.restart_delay_ms, RangeMs { min: 50, max: 2000 });
    assert_eq!(
        f.partition_duration_ms,
        RangeMs {
            min: 100,
            max: 3000
        }
    );
    let crash = ScheduledFault {
        at_ms: 1500,
        action: FaultAction::Crash {
            node: NodeSel::Leader,
            kind: CrashKind::Power,
        },
    };
    assert_eq!(f.schedule, vec![crash]);
    let w = &s.workload;
    assert_eq!(
        (w.clients, w.write_rate_per_s, w.read_fraction),
        (4, 500.0, 0.2)
    );
    assert_eq!(
        (w.read_path, w.keys, w.request_timeout_ms),
        (ReadPath::Log, 16, 1000)
    );
    let r = &s.run;
    assert_eq!(
        (r.duration_ms, r.heal_ms, r.seeds, r.seed),
        (10_000, 5_000, 200, 1)
    );
    assert_eq!(r.max_events, 5_000_000);
    assert_eq!(
        (r.liveness_timeouts, r.heal_network),
        (20, HealNetwork::Reliable)
    );
    assert_eq!(s.expect.outcome, Outcome::Violation);
    assert_eq!(s.expect.violation, vec![Invariant::DurabilityHazard]);
    assert_eq!(s.expect.within_seeds, Some(20));
}

#[test]
fn a_minimal_file_gets_every_documented_default() {
    let s = parse(MINIMAL);
    let expected = Scenario {
        name: "t".into(),
        description: String::new(),
        cluster: Cluster {
            implementation: Implementation::Model,
            nodes: 3,
            mode: Mode::Sync,
            client_ack: None,
            follower_flush: None,
            follower_append: None,
            bug: Bug::None,
            state_machine: StateMachine::Volatile,
        },
        raft: Raft {
            heartbeat_interval_ms: 50,
            election_timeout_ms: RangeMs { min: 150, max: 300 },
            max_append_batch: 64,
            commit_rule: CommitRule::Nuraft,
            negative_batch_hint_rate: 0.0,
            snapshot_distance: 0,
            reserved_log_items: 0,
        },
        disk: Disk {
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
        },
        network: Network {
            latency_ms: Latency::Uniform {
                min: 1.0,
                max: 10.0,
            },
            drop_rate: 0.0,
            duplicate_rate: 0.0,
            reorder: false,
        },
        faults: Faults {
            crash_rate_per_s: 0.0,
            process_crash_fraction: 0.0,
            restart_delay_ms: RangeMs { min: 50, max: 2000 },
            partition_rate_per_s: 0.0,
            partition_duration_ms: RangeMs {
                min: 100,
                max: 3000,
            },
            schedule: vec![],
        },
        workload: Workload {
            kind: WorkloadKind::Register,
            clients: 4,
            write_rate_per_s: 200.0,
            read_fraction: 0.0,
            read_path: ReadPath::Log,
            keys: 16,
            request_timeout_ms: 1000,
        },
        run: Run {
            duration_ms: 10_000,
            heal_ms: 5_000,
            seeds: 100,
            seed: 1,
            max_events: 5_000_000,
            liveness_timeouts: 20,
            heal_network: HealNetwork::Reliable,
        },
        expect: Expect {
            outcome: Outcome::Pass,
            violation: vec![],
            allow: vec![],
            within_seeds: None,
        },
    };
    assert_eq!(s, expected);
    assert_eq!(s, Scenario::with_defaults("t", 3, Mode::Sync));
}

#[test]
fn async_handler_mode_defaults_its_own_keys() {
    let s = parse("[cluster]\nnodes = 5\nmode = \"async-handler\"\n");
    assert_eq!(s.cluster.client_ack, Some(ClientAck::Commit));
    assert_eq!(s.cluster.follower_flush, Some(FollowerFlush::Background));
    let s = parse("[cluster]\nnodes = 5\nmode = \"parallel-append\"\n");
    assert_eq!(
        (s.cluster.client_ack, s.cluster.follower_flush),
        (None, None)
    );
}

#[test]
fn the_name_defaults_to_the_file_stem() {
    assert_eq!(
        parse_str(MINIMAL, "a/b/leader-crash.toml")
            .map(|s| s.name)
            .ok(),
        Some("leader-crash".into())
    );
    assert_eq!(
        parse_str(MINIMAL, "plain").map(|s| s.name).ok(),
        Some("plain".into())
    );
    let named = format!("name = \"given\"\n{MINIMAL}");
    assert_eq!(
        parse_str(&named, "x.toml").map(|s| s.name).ok(),
        Some("given".into())
    );
}

#[test]
fn bare_numbers_are_constant_latencies_and_point_ranges() {
    let s = parse(&format!(
        "{MINIMAL}[disk]\nwrite_latency_us = 20\nflush_latency_ms = 1.5\n\
         [raft]\nelection_timeout_ms = 200\n[network]\nlatency_ms = {{ dist = \"exponential\", mean = 3 }}\n"
    ));
    assert_eq!(s.disk.write_latency_us, Latency::Constant { value: 20.0 });
    assert_eq!(s.disk.flush_latency_ms, Latency::Constant { value: 1.5 });
    assert_eq!(s.raft.election_timeout_ms, RangeMs { min: 200, max: 200 });
    assert_eq!(s.network.latency_ms, Latency::Exponential { mean: 3.0 });
}

#[test]
fn float_keys_take_integers_and_constants_take_tables() {
    let s = parse(&format!(
        "{MINIMAL}[network]\ndrop_rate = 1\nlatency_ms = {{ dist = \"constant\", value = 0 }}\n\
         [workload]\nwrite_rate_per_s = 0\nclients = 0\nread_fraction = 1\n"
    ));
    assert_eq!(s.network.drop_rate, 1.0);
    assert_eq!(s.network.latency_ms, Latency::Constant { value: 0.0 });
    assert_eq!((s.workload.clients, s.workload.write_rate_per_s), (0, 0.0));
}

#[test]
fn every_schedule_action_reads() {
    let s = parse(&format!(
        "{MINIMAL}[[faults.schedule]]\nat_ms = 0\naction = \"crash\"\nnode = 2\n\
         [[faults.schedule]]\nat_ms = 10\naction = \"restart\"\nnode = \"random\"\n\
         [[faults.schedule]]\nat_ms = 20\naction = \"isolate\"\nnode = \"follower\"\n\
         [[faults.schedule]]\nat_ms = 30\naction = \"partition\"\ngroups = [[1, 2], [3]]\none_way = true\n\
         [[faults.schedule]]\nat_ms = 40\naction = \"heal\"\n\
         [[faults.schedule]]\nat_ms = 50\naction = \"disk-stall\"\nnode = \"leader\"\n\
         [[faults.schedule]]\nat_ms = 9999\naction = \"disk-resume\"\nnode = 3\n\
         [[faults.schedule]]\nat_ms = 5\naction = \"partition\"\ngroups = [[2]]\n"
    ));
    let actions: Vec<FaultAction> = s.faults.schedule.iter().map(|f| f.action.clone()).collect();
    assert_eq!(
        actions,
        vec![
            FaultAction::Crash {
                node: NodeSel::Id(NodeId(2)),
                kind: CrashKind::Power,
            },
            FaultAction::Restart {
                node: NodeSel::Random
            },
            FaultAction::Isolate {
                node: NodeSel::Follower
            },
            FaultAction::Partition {
                groups: vec![vec![NodeId(1), NodeId(2)], vec![NodeId(3)]],
                one_way: true
            },
            FaultAction::Heal,
            FaultAction::DiskStall {
                node: NodeSel::Leader
            },
            FaultAction::DiskResume {
                node: NodeSel::Id(NodeId(3))
            },
            FaultAction::Partition {
                groups: vec![vec![NodeId(2)]],
                one_way: false
            },
        ]
    );
    // Written order is kept (the runner stable-sorts by time).
    assert_eq!(s.faults.schedule.last().map(|f| f.at_ms), Some(5));
}

#[test]
fn what_the_contract_says_is_not_an_error_is_accepted() {
    // Crashing a node twice, restarting one that is up, within_seeds above seeds.
    let s = parse(&format!(
        "{MINIMAL}[[faults.schedule]]\nat_ms = 1\naction = \"crash\"\nnode = 1\n\
         [[faults.schedule]]\nat_ms = 2\naction = \"crash\"\nnode = 1\n\
         [[faults.schedule]]\nat_ms = 3\naction = \"restart\"\nnode = 2\n\
         [run]\nseeds = 5\nheal_ms = 0\nseed = 9223372036854775807\n\
         [expect]\noutcome = \"violation\"\nviolation = [\"acked-write-lost\", \"durability-loss\"]\nwithin_seeds = 50\n"
    ));
    assert_eq!(s.expect.within_seeds, Some(50));
    assert_eq!(
        s.expect.violation,
        vec![Invariant::AckedWriteLost, Invariant::DurabilityLoss]
    );
    assert_eq!((s.run.heal_ms, s.run.seed), (0, i64::MAX as u64));
}

#[test]
fn crlf_line_endings_read_the_same() {
    assert_eq!(parse(&FULL.replace('\n', "\r\n")), parse(FULL));
}

#[test]
fn dotted_keys_and_inline_tables_mean_the_same() {
    let dotted = parse("cluster.nodes = 3\ncluster.mode = \"sync\"\nraft.max_append_batch = 8\n");
    let inline =
        parse("cluster = { nodes = 3, mode = \"sync\" }\nraft = { max_append_batch = 8 }\n");
    assert_eq!(dotted, inline);
    assert_eq!(dotted.raft.max_append_batch, 8);
}

#[test]
fn every_bug_and_invariant_name_reads() {
    for bug in Bug::ALL {
        let cluster = match bug {
            Bug::PersistedMessagesEarly => {
                "[cluster]\nnodes = 3\nimplementation = \"raft-rs\"\nmode = \"sync\"\n"
            }
            Bug::IoFlushedBeforeFsync => {
                "[cluster]\nnodes = 3\nimplementation = \"openraft\"\nmode = \"parallel-append\"\n"
            }
            _ => MINIMAL,
        };
        // A snapshot mutant needs snapshots (`errors.rs` checks the refusal without them).
        let raft = if bug.needs_snapshots() {
            "[raft]\nsnapshot_distance = 50\n"
        } else {
            ""
        };
        let s = parse(&format!("{cluster}bug = \"{}\"\n{raft}", bug.name()));
        assert_eq!(s.cluster.bug, bug);
    }
    for inv in Invariant::ALL {
        let text = format!(
            "{MINIMAL}[expect]\noutcome = \"violation\"\nviolation = \"{}\"\n",
            inv.name()
        );
        assert_eq!(parse(&text).expect.violation, vec![inv]);
    }
}

#[test]
fn load_reads_a_file_and_names_the_scenario_after_it() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/async-handler-leader-crash.toml");
    let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s, parse(FULL));
    let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/no-such-file.toml");
    let err = load(&missing).unwrap_err();
    assert!(matches!(err, ScenarioError::Read { .. }));
    assert!(err.to_string().contains("no-such-file.toml"), "{err}");
}

#[test]
fn to_json_is_the_serde_form() {
    let json = parse(FULL).to_json();
    assert_eq!(json["cluster"]["mode"], "async-handler");
    assert_eq!(json["disk"]["flush_latency_ms"]["dist"], "lognormal");
    assert_eq!(json["faults"]["schedule"][0]["action"], "crash");
    assert_eq!(json["faults"]["schedule"][0]["node"], "leader");
    assert_eq!(json["expect"]["violation"][0], "durability-hazard");
}
