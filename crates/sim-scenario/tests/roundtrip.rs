//! `parse_str(s.to_toml()) == s`: what `show` prints (and what `shrink` writes) reads back
//! to the same scenario, for the examples and for any valid scenario proptest generates.

use proptest::prelude::*;
use proptest::sample::select;
use sim_core::NodeId;
use sim_scenario::*;

const FULL: &str = include_str!("data/async-handler-leader-crash.toml");
const MINIMAL: &str = "[cluster]\nnodes = 3\nmode = \"sync\"\n";

fn round_trip(s: &Scenario) -> Result<Scenario, ScenarioError> {
    parse_str(&s.to_toml(), "other-name.toml")
}

#[test]
fn the_examples_round_trip() {
    let actions = format!(
        "{MINIMAL}[[faults.schedule]]\nat_ms = 1\naction = \"partition\"\ngroups = [[3], [1, 2]]\none_way = true\n\
         [[faults.schedule]]\nat_ms = 0\naction = \"isolate\"\nnode = \"random\"\n\
         [disk]\nwrite_latency_us = 7\nflush_latency_ms = {{ dist = \"exponential\", mean = 0.25 }}\n\
         [expect]\noutcome = \"violation\"\nviolation = [\"liveness\", \"linearizability\"]\n"
    );
    for text in [FULL, MINIMAL, actions.as_str()] {
        let s = parse_str(text, "x.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            round_trip(&s).unwrap_or_else(|e| panic!("{e}\n{}", s.to_toml())),
            s
        );
    }
}

#[test]
fn awkward_names_and_descriptions_round_trip() {
    let mut s = Scenario::with_defaults("a \"quoted\" \\ name\twith\ttabs", 1, Mode::AsyncHandler);
    s.description = "line one\nline two\r\n\u{0}\u{1b}[31m é 日本 \u{7f}\u{85}".into();
    assert_eq!(round_trip(&s).unwrap_or_else(|e| panic!("{e}")), s);
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        0.0..1e9f64,
        (0u32..1_000_000).prop_map(|x| f64::from(x) / 1000.0)
    ]
}

fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![
        1e-9..1e9f64,
        (1u32..1_000_000).prop_map(f64::from),
        Just(f64::MIN_POSITIVE)
    ]
}

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64]
}

fn latency() -> impl Strategy<Value = Latency> {
    prop_oneof![
        number().prop_map(|value| Latency::Constant { value }),
        (number(), number()).prop_map(|(a, b)| Latency::Uniform {
            min: a.min(b),
            max: a.max(b)
        }),
        positive().prop_map(|mean| Latency::Exponential { mean }),
        (positive(), positive()).prop_map(|(a, b)| Latency::Lognormal {
            p50: a.min(b),
            p99: a.max(b)
        }),
    ]
}

fn range() -> impl Strategy<Value = RangeMs> {
    let bound = prop_oneof![0u64..10_000, 0..=i64::MAX as u64];
    (bound.clone(), bound).prop_map(|(a, b)| RangeMs {
        min: a.min(b),
        max: a.max(b),
    })
}

fn cluster() -> impl Strategy<Value = Cluster> {
    (
        1..=NODES_MAX,
        select(Mode::ALL.to_vec()),
        select(ClientAck::ALL.to_vec()),
        select(FollowerFlush::ALL.to_vec()),
        select(FollowerAppend::ALL.to_vec()),
        // The model's bugs: each adapter's own is valid only with its library.
        select(
            Bug::ALL
                .into_iter()
                .filter(|b| *b != Bug::PersistedMessagesEarly && *b != Bug::IoFlushedBeforeFsync)
                .collect::<Vec<_>>(),
        ),
        select(StateMachine::ALL.to_vec()),
    )
        .prop_map(|(nodes, mode, ack, flush, append, bug, state_machine)| {
            let async_handler = mode == Mode::AsyncHandler;
            Cluster {
                nodes,
                implementation: Implementation::Model,
                mode,
                client_ack: async_handler.then_some(ack),
                follower_flush: async_handler.then_some(flush),
                follower_append: (mode == Mode::ParallelAppend).then_some(append),
                bug,
                state_machine,
            }
        })
}

fn node_sel(nodes: u8) -> impl Strategy<Value = NodeSel> {
    prop_oneof![
        (1..=nodes).prop_map(|id| NodeSel::Id(NodeId(id))),
        Just(NodeSel::Leader),
        Just(NodeSel::Follower),
        Just(NodeSel::Random),
    ]
}

/// Groups from a per-node assignment (0 = not named); empty groups are dropped and at
/// least one group is kept.
fn groups_from(assignment: &[u8]) -> Vec<Vec<NodeId>> {
    let mut groups: Vec<Vec<NodeId>> = (1..=3)
        .map(|g| {
            (1..)
                .zip(assignment)
                .filter(|(_, a)| **a == g)
                .map(|(id, _)| NodeId(id))
                .collect()
        })
        .filter(|g: &Vec<NodeId>| !g.is_empty())
        .collect();
    if groups.is_empty() {
        groups.push(vec![NodeId(1)]);
    }
    groups
}

fn partition(nodes: u8) -> BoxedStrategy<FaultAction> {
    let n = usize::from(nodes);
    let free = proptest::collection::vec(0u8..=3, n).prop_map(|a| FaultAction::Partition {
        groups: groups_from(&a),
        one_way: false,
    });
    if nodes < 2 {
        return free.boxed();
    }
    let one_way = proptest::collection::vec(1u8..=2, n).prop_map(move |mut a| {
        if a.iter().all(|g| *g == a[0]) {
            a[n - 1] = 3 - a[0];
        }
        FaultAction::Partition {
            groups: groups_from(&a),
            one_way: true,
        }
    });
    prop_oneof![free, one_way].boxed()
}

fn action(nodes: u8) -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        (node_sel(nodes), select(CrashKind::ALL.to_vec()))
            .prop_map(|(node, kind)| FaultAction::Crash { node, kind }),
        node_sel(nodes).prop_map(|node| FaultAction::Restart { node }),
        node_sel(nodes).prop_map(|node| FaultAction::Isolate { node }),
        node_sel(nodes).prop_map(|node| FaultAction::DiskStall { node }),
        node_sel(nodes).prop_map(|node| FaultAction::DiskResume { node }),
        Just(FaultAction::Heal),
        partition(nodes),
    ]
}

fn expect() -> impl Strategy<Value = Expect> {
    let violation = (
        proptest::collection::vec(select(Invariant::ALL.to_vec()), 1..4),
        proptest::option::of(1u64..=i64::MAX as u64),
    )
        .prop_map(|(violation, within_seeds)| Expect {
            outcome: Outcome::Violation,
            violation,
            allow: vec![],
            within_seeds,
        });
    let pass =
        proptest::collection::vec(select(Invariant::ALL.to_vec()), 0..3).prop_map(|allow| Expect {
            outcome: Outcome::Pass,
            violation: vec![],
            allow,
            within_seeds: None,
        });
    prop_oneof![pass, violation]
}

fn sections() -> impl Strategy<Value = (Raft, Disk, Network, Workload)> {
    let raft = (
        1u64..=i64::MAX as u64,
        range(),
        1u32..=u32::MAX,
        select(CommitRule::ALL.to_vec()),
        probability(),
        (0u64..5000, 0u64..100),
    )
        .prop_map(
            |(hb, et, batch, commit_rule, hint, (distance, reserved))| Raft {
                heartbeat_interval_ms: hb,
                election_timeout_ms: et,
                max_append_batch: batch,
                commit_rule,
                negative_batch_hint_rate: hint,
                snapshot_distance: distance,
                // Written only with snapshots on.
                reserved_log_items: if distance == 0 { 0 } else { reserved },
            },
        );
    let disk = (
        (
            latency(),
            latency(),
            select(CrashModel::ALL.to_vec()),
            9u32..=16,
        ),
        (
            probability(),
            probability(),
            select(FsyncErrorPolicy::ALL.to_vec()),
        ),
        (
            proptest::option::of(latency()),
            select(FlushOrder::ALL.to_vec()),
        ),
    )
        .prop_map(
            |((w, f, crash, shift), (fsync, corruption, policy), (state, order))| Disk {
                write_latency_us: w,
                flush_latency_ms: f,
                state_flush_latency_ms: state,
                crash,
                sector_bytes: 1 << shift,
                fsync_error_rate: fsync,
                corruption_rate: corruption,
                fsync_error_policy: policy,
                flush_order: order,
            },
        );
    let network = (latency(), probability(), probability(), any::<bool>()).prop_map(
        |(latency_ms, drop_rate, duplicate_rate, reorder)| Network {
            latency_ms,
            drop_rate,
            duplicate_rate,
            reorder,
        },
    );
    let workload = (
        select(WorkloadKind::ALL.to_vec()),
        0u32..=sim_scenario::CLIENTS_MAX,
        number(),
        probability(),
        select(ReadPath::ALL.to_vec()),
        1u32..=u32::MAX,
        1u64..=i64::MAX as u64,
    )
        .prop_map(
            |(kind, clients, rate, reads, read_path, keys, timeout)| Workload {
                kind,
                clients,
                write_rate_per_s: rate,
                read_fraction: reads,
                read_path,
                keys,
                request_timeout_ms: timeout,
            },
        );
    (raft, disk, network, workload)
}

fn run() -> impl Strategy<Value = Run> {
    let at_least_1 = || prop_oneof![1u64..100_000, 1..=i64::MAX as u64];
    (
        (
            at_least_1(),
            0..=i64::MAX as u64,
            at_least_1(),
            0..=i64::MAX as u64,
            at_least_1(),
        ),
        (
            1u64..=LIVENESS_TIMEOUTS_MAX,
            select(HealNetwork::ALL.to_vec()),
        ),
    )
        .prop_map(
            |((duration_ms, heal_ms, seeds, seed, max_events), (liveness, heal_network))| Run {
                duration_ms,
                heal_ms,
                seeds,
                seed,
                max_events,
                liveness_timeouts: liveness,
                heal_network,
            },
        )
}

prop_compose! {
    fn faults(nodes: u8, duration_ms: u64)(
        crash_rate_per_s in number(),
        process_crash_fraction in probability(),
        restart_delay_ms in range(),
        partition_rate_per_s in number(),
        partition_duration_ms in range(),
        schedule in proptest::collection::vec((0..duration_ms, action(nodes)), 0..6),
    ) -> Faults {
        let schedule = schedule
            .into_iter()
            .map(|(at_ms, action)| ScheduledFault { at_ms, action })
            .collect();
        Faults {
            crash_rate_per_s,
            process_crash_fraction,
            restart_delay_ms,
            partition_rate_per_s,
            partition_duration_ms,
            schedule,
        }
    }
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (".*", ".*", cluster(), run(), sections(), expect()).prop_flat_map(
        |(name, description, cluster, run, (raft, disk, network, workload), expect)| {
            faults(cluster.nodes, run.duration_ms).prop_map(move |faults| Scenario {
                name: name.clone(),
                description: description.clone(),
                cluster: cluster.clone(),
                raft: raft.clone(),
                disk: disk.clone(),
                network: network.clone(),
                faults,
                workload: workload.clone(),
                run: run.clone(),
                expect: expect.clone(),
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_valid_scenario_round_trips(s in scenario()) {
        let text = s.to_toml();
        match parse_str(&text, "generated.toml") {
            Ok(back) => prop_assert_eq!(back, s),
            Err(e) => prop_assert!(false, "{e}\n{text}"),
        }
    }
}
