//! Tests of the linearizability checker, one module per topic: hand-built histories,
//! outcomes (unknown, failed), keys, generated histories (property tests, including a
//! brute-force oracle on small histories), the step bound and determinism.
//!
//! Every hand-built case runs twice, with and without the read pre-check, so that the
//! search itself is tested and the pre-check can never disagree with it.

use sim_check::linearizability::{
    Counterexample, Limits, OpKind, OpOutcome, Operation, Precheck, Verdict, check, check_with,
};

const LIMITS: Limits = Limits {
    steps_max: 1_000_000,
};

/// Builds histories with ids assigned in order of creation; times are in microseconds.
#[derive(Default)]
struct History {
    ops: Vec<Operation>,
}

impl History {
    fn push(
        &mut self,
        client: u32,
        key: u32,
        kind: OpKind,
        invoke_us: u64,
        outcome: OpOutcome,
    ) -> u64 {
        let id = self.ops.len() as u64;
        self.ops.push(Operation {
            client,
            key,
            kind,
            invoke_ns: invoke_us * 1000,
            outcome,
            id,
        });
        id
    }

    fn write(
        &mut self,
        client: u32,
        key: u32,
        value: u64,
        invoke_us: u64,
        complete_us: u64,
    ) -> u64 {
        let outcome = OpOutcome::Ok {
            complete_ns: complete_us * 1000,
            read_value: None,
        };
        self.push(client, key, OpKind::Write { value }, invoke_us, outcome)
    }

    fn read(
        &mut self,
        client: u32,
        key: u32,
        seen: Option<u64>,
        invoke_us: u64,
        complete_us: u64,
    ) -> u64 {
        let outcome = OpOutcome::Ok {
            complete_ns: complete_us * 1000,
            read_value: seen,
        };
        self.push(client, key, OpKind::Read, invoke_us, outcome)
    }

    fn write_ended(
        &mut self,
        client: u32,
        key: u32,
        value: u64,
        invoke_us: u64,
        outcome: OpOutcome,
    ) -> u64 {
        self.push(client, key, OpKind::Write { value }, invoke_us, outcome)
    }
}

/// Checks with and without the pre-check; both must agree on the verdict's kind and key.
fn verdict(history: &[Operation]) -> Verdict {
    let with = check(history, LIMITS);
    let without = check_with(history, LIMITS, Precheck::Disabled);
    match (&with, &without) {
        (Verdict::Linearizable, Verdict::Linearizable) => {}
        (Verdict::NotLinearizable(a), Verdict::NotLinearizable(b)) => assert_eq!(a.key, b.key),
        _ => panic!("pre-check and search disagree:\n{with:?}\n{without:?}"),
    }
    with
}

fn assert_linearizable(history: &[Operation]) {
    let verdict = verdict(history);
    assert_eq!(verdict, Verdict::Linearizable, "history: {history:#?}");
}

fn assert_not_linearizable(history: &[Operation], key: u32) -> Counterexample {
    match verdict(history) {
        Verdict::NotLinearizable(counterexample) => {
            assert_eq!(counterexample.key, key, "{counterexample}");
            assert!(!counterexample.ops.is_empty(), "{counterexample}");
            assert!(!counterexample.explanation.is_empty());
            counterexample
        }
        other => panic!("expected key {key} not linearizable, got {other:?}"),
    }
}

mod basics {
    use super::*;

    #[test]
    fn empty_history_is_linearizable() {
        assert_eq!(check(&[], Limits { steps_max: 0 }), Verdict::Linearizable);
    }

    #[test]
    fn sequential_write_then_read() {
        let mut h = History::default();
        h.write(1, 0, 5, 0, 10);
        h.read(1, 0, Some(5), 20, 30);
        h.write(2, 0, 6, 40, 50);
        h.read(1, 0, Some(6), 60, 70);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn stale_read_after_a_completed_later_write() {
        let mut h = History::default();
        let old = h.write(1, 0, 5, 0, 10);
        let new = h.write(1, 0, 6, 20, 30);
        let read = h.read(2, 0, Some(5), 40, 50);
        let counterexample = assert_not_linearizable(&h.ops, 0);
        assert_eq!(counterexample.ops, vec![read, new, old]);
        assert!(
            counterexample
                .explanation
                .contains("read #2 by client 2 (returned 5)"),
            "{counterexample}"
        );
        let search = check_with(&h.ops, LIMITS, Precheck::Disabled);
        let Verdict::NotLinearizable(search) = search else {
            panic!("{search:?}")
        };
        assert_eq!(search.ops[0], read, "{search}");
    }

    #[test]
    fn read_overlapping_a_write_may_see_either_value() {
        for seen in [Some(5), Some(6)] {
            let mut h = History::default();
            h.write(1, 0, 5, 0, 10);
            h.write(1, 0, 6, 20, 40);
            h.read(2, 0, seen, 30, 50);
            assert_linearizable(&h.ops);
        }
    }

    #[test]
    fn overlapping_reads_may_see_old_then_new() {
        let mut h = History::default();
        h.write(1, 0, 6, 0, 100);
        h.read(2, 0, None, 10, 20);
        h.read(2, 0, Some(6), 30, 40);
        h.read(3, 0, None, 15, 25);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn new_then_old_is_not_linearizable() {
        let mut h = History::default();
        h.write(1, 0, 6, 0, 100);
        h.read(2, 0, Some(6), 10, 20);
        h.read(3, 0, None, 30, 40);
        assert_not_linearizable(&h.ops, 0);
    }

    #[test]
    fn two_readers_see_concurrent_writes_in_opposite_orders() {
        let mut h = History::default();
        h.write(1, 0, 1, 0, 100);
        h.write(2, 0, 2, 0, 100);
        h.read(3, 0, Some(1), 10, 20);
        h.read(3, 0, Some(2), 30, 40);
        h.read(4, 0, Some(2), 10, 20);
        let last = h.read(4, 0, Some(1), 30, 40);
        let counterexample = assert_not_linearizable(&h.ops, 0);
        // Only the search can see this one.
        let search = check_with(&h.ops, LIMITS, Precheck::Disabled);
        assert_eq!(search, Verdict::NotLinearizable(counterexample.clone()));
        assert!(
            counterexample.ops.contains(&last) || counterexample.ops.contains(&3),
            "{counterexample}"
        );
    }

    #[test]
    fn same_order_for_both_readers_is_linearizable() {
        let mut h = History::default();
        h.write(1, 0, 1, 0, 100);
        h.write(2, 0, 2, 0, 100);
        h.read(3, 0, Some(1), 10, 20);
        h.read(3, 0, Some(2), 30, 40);
        h.read(4, 0, Some(1), 10, 20);
        h.read(4, 0, Some(2), 30, 40);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn reads_of_absent() {
        let mut h = History::default();
        h.read(1, 0, None, 0, 10);
        h.read(2, 0, None, 5, 25);
        h.write(3, 0, 7, 20, 30);
        h.read(1, 0, Some(7), 40, 50);
        assert_linearizable(&h.ops);

        let mut h = History::default();
        h.write(1, 0, 7, 0, 10);
        let read = h.read(2, 0, None, 20, 30);
        let counterexample = assert_not_linearizable(&h.ops, 0);
        assert_eq!(counterexample.ops[0], read);
        assert!(
            counterexample.explanation.contains("never absent"),
            "{counterexample}"
        );
    }

    #[test]
    fn read_of_a_value_never_written() {
        let mut h = History::default();
        h.write(1, 0, 7, 0, 10);
        let read = h.read(2, 0, Some(8), 20, 30);
        let counterexample = assert_not_linearizable(&h.ops, 0);
        assert_eq!(counterexample.ops, vec![read]);
        assert!(
            counterexample.explanation.contains("no write of 8"),
            "{counterexample}"
        );
    }

    #[test]
    fn read_before_its_write_began() {
        let mut h = History::default();
        let read = h.read(2, 0, Some(7), 0, 10);
        h.write(1, 0, 7, 11, 20);
        let counterexample = assert_not_linearizable(&h.ops, 0);
        assert_eq!(counterexample.ops[0], read);
    }

    #[test]
    fn duplicate_values_are_not_assumed_unique() {
        let mut h = History::default();
        h.write(1, 0, 5, 0, 10);
        h.write(1, 0, 6, 20, 30);
        h.write(2, 0, 5, 40, 50);
        h.read(3, 0, Some(5), 60, 70);
        assert_linearizable(&h.ops);

        let mut h = History::default();
        h.write(1, 0, 5, 0, 10);
        h.write(1, 0, 6, 20, 30);
        h.write(1, 0, 5, 80, 90);
        h.read(3, 0, Some(5), 60, 70);
        assert_not_linearizable(&h.ops, 0);
    }

    #[test]
    fn equal_timestamps_are_concurrent() {
        // The read starts the instant the write completes: either order.
        let mut h = History::default();
        h.write(1, 0, 1, 0, 10);
        h.read(2, 0, None, 10, 20);
        assert_linearizable(&h.ops);

        // One nanosecond later it must see the write.
        let mut h = History::default();
        h.write(1, 0, 1, 0, 10);
        let outcome = OpOutcome::Ok {
            complete_ns: 20_000,
            read_value: None,
        };
        h.ops.push(Operation {
            client: 2,
            key: 0,
            kind: OpKind::Read,
            invoke_ns: 10_001,
            outcome,
            id: 9,
        });
        assert_not_linearizable(&h.ops, 0);

        // A write touching the read may come after it.
        let mut h = History::default();
        h.write(1, 0, 1, 0, 10);
        h.write(2, 0, 2, 10, 20);
        h.read(3, 0, Some(1), 20, 30);
        assert_linearizable(&h.ops);
    }

    #[test]
    #[should_panic(expected = "before its invocation")]
    fn completion_before_invocation_is_a_recorder_bug() {
        let mut h = History::default();
        h.write(1, 0, 1, 10, 5);
        check(&h.ops, LIMITS);
    }
}

mod outcomes {
    use super::*;

    #[test]
    fn unknown_write_whose_value_is_read_took_effect() {
        let mut h = History::default();
        h.read(2, 0, None, 5, 10);
        h.write_ended(1, 0, 7, 0, OpOutcome::Unknown);
        h.read(2, 0, Some(7), 50, 60);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn unknown_write_may_take_effect_long_after_later_writes() {
        let mut h = History::default();
        h.write_ended(1, 0, 7, 0, OpOutcome::Unknown);
        h.write(2, 0, 8, 10, 20);
        h.read(3, 0, Some(8), 30, 40);
        h.read(3, 0, Some(7), 50, 60);
        h.read(4, 0, Some(7), 70, 80);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn unknown_write_takes_effect_at_most_once() {
        let mut h = History::default();
        h.write_ended(1, 0, 7, 0, OpOutcome::Unknown);
        h.write(2, 0, 8, 10, 20);
        h.read(3, 0, Some(7), 30, 40);
        h.write(2, 0, 9, 50, 60);
        h.read(3, 0, Some(7), 70, 80);
        assert_not_linearizable(&h.ops, 0);
    }

    /// Regression: the cache must tell apart two searches that reach the same completed
    /// ops and value, one having spent the unknown write and one still holding it.
    #[test]
    fn unknown_write_spent_early_is_not_confused_with_one_still_held() {
        let mut h = History::default();
        h.write_ended(1, 0, 7, 0, OpOutcome::Unknown);
        h.read(2, 0, Some(7), 0, 10);
        h.write(3, 0, 7, 1, 10);
        h.write(3, 0, 8, 20, 30);
        h.read(2, 0, Some(8), 40, 50);
        h.read(2, 0, Some(7), 60, 70);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn unknown_write_whose_value_is_never_read_never_happened() {
        let mut h = History::default();
        h.write_ended(1, 0, 7, 0, OpOutcome::Unknown);
        h.read(2, 0, None, 50, 60);
        h.read(2, 0, None, 70, 80);
        assert_linearizable(&h.ops);
    }

    #[test]
    fn unknown_write_cannot_take_effect_before_its_call() {
        let mut h = History::default();
        h.read(2, 0, Some(7), 0, 10);
        h.write_ended(1, 0, 7, 20, OpOutcome::Unknown);
        assert_not_linearizable(&h.ops, 0);
    }

    #[test]
    fn failed_write_whose_value_is_read_is_not_linearizable() {
        let mut h = History::default();
        let failed = h.write_ended(1, 0, 7, 0, OpOutcome::Fail);
        let read = h.read(2, 0, Some(7), 20, 30);
        let counterexample = assert_not_linearizable(&h.ops, 0);
        assert_eq!(counterexample.ops, vec![read, failed]);
        assert!(
            counterexample.explanation.contains("failed"),
            "{counterexample}"
        );
    }

    #[test]
    fn unknown_and_failed_reads_are_ignored() {
        let mut h = History::default();
        h.write(1, 0, 1, 0, 10);
        h.push(2, 0, OpKind::Read, 20, OpOutcome::Unknown);
        h.push(3, 0, OpKind::Read, 20, OpOutcome::Fail);
        h.write(1, 0, 2, 30, 40);
        h.read(4, 0, Some(2), 50, 60);
        assert_linearizable(&h.ops);
    }
}

mod keys {
    use super::*;

    #[test]
    fn counterexample_names_the_bad_key() {
        let mut h = History::default();
        for key in [3, 1, 2] {
            h.write(1, key, 10 + u64::from(key), 0, 10);
            h.read(2, key, Some(10 + u64::from(key)), 20, 30);
        }
        h.write(1, 2, 99, 40, 50);
        h.read(2, 2, Some(12), 60, 70);
        assert_not_linearizable(&h.ops, 2);
    }

    #[test]
    fn lowest_bad_key_is_reported() {
        let mut h = History::default();
        for key in [9, 4, 7] {
            h.write(1, key, 1, 0, 10);
            h.read(2, key, None, 20, 30);
        }
        assert_not_linearizable(&h.ops, 4);
    }

    #[test]
    fn values_do_not_leak_across_keys() {
        let mut h = History::default();
        h.write(1, 1, 5, 0, 10);
        h.read(2, 2, Some(5), 20, 30);
        assert_not_linearizable(&h.ops, 2);
    }
}

mod bounds {
    use super::*;
    use std::time::{Duration, Instant};

    /// `writers` concurrent writes, then reads after all of them that no order explains:
    /// the search tries the orders of the writes one by one.
    fn pathological(key: u32, writers: u64) -> Vec<Operation> {
        let mut h = History::default();
        for value in 1..=writers {
            h.write(value as u32, key, value, 0, 1000);
        }
        for value in 1..=writers {
            h.read(0, key, Some(value), 1000 + 10 * value, 1005 + 10 * value);
        }
        h.ops
    }

    #[test]
    fn tiny_step_bound_ends_undecided_quickly() {
        let history = pathological(5, 24);
        let started = Instant::now();
        for precheck in [Precheck::Enabled, Precheck::Disabled] {
            let verdict = check_with(&history, Limits { steps_max: 10_000 }, precheck);
            assert_eq!(
                verdict,
                Verdict::Undecided {
                    key: 5,
                    steps: 10_000
                }
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn zero_steps_decide_nothing_but_the_precheck() {
        let mut h = History::default();
        h.write(1, 0, 1, 0, 10);
        assert_eq!(
            check(&h.ops, Limits { steps_max: 0 }),
            Verdict::Undecided { key: 0, steps: 0 }
        );
        h.read(2, 0, Some(2), 20, 30);
        assert!(matches!(
            check(&h.ops, Limits { steps_max: 0 }),
            Verdict::NotLinearizable(_)
        ));
    }

    #[test]
    fn a_hard_key_does_not_starve_later_keys() {
        let mut history = pathological(1, 24);
        let mut h = History { ops: Vec::new() };
        for i in 0..200 {
            h.write(1, 2, i, 10 * i, 10 * i + 5);
        }
        h.ops.iter_mut().for_each(|op| op.id += 1000);
        history.extend(h.ops.iter().copied());
        let verdict = check_with(&history, Limits { steps_max: 20_000 }, Precheck::Disabled);
        let Verdict::Undecided { key: 1, steps } = verdict else {
            panic!("{verdict:?}")
        };
        assert!(steps <= 20_000 - 4 * 200, "key 1 took {steps} steps");

        // Key 3 is bad; the search (not the pre-check) must still get to it.
        let mut bad = History::default();
        bad.write(1, 3, 1, 0, 100);
        bad.write(2, 3, 2, 0, 100);
        bad.read(3, 3, Some(1), 110, 120);
        bad.read(3, 3, Some(2), 130, 140);
        bad.ops.iter_mut().for_each(|op| op.id += 2000);
        history.extend(bad.ops.iter().copied());
        let verdict = check_with(&history, Limits { steps_max: 20_000 }, Precheck::Disabled);
        let Verdict::NotLinearizable(counterexample) = verdict else {
            panic!("{verdict:?}")
        };
        assert_eq!(counterexample.key, 3);
    }

    #[test]
    fn first_undecided_key_is_reported() {
        let mut history = pathological(8, 20);
        history.extend(pathological(6, 20));
        let verdict = check(&history, Limits { steps_max: 5_000 });
        assert!(
            matches!(verdict, Verdict::Undecided { key: 6, .. }),
            "{verdict:?}"
        );
    }

    #[test]
    fn long_sequential_history_fits_a_modest_bound() {
        let mut h = History::default();
        for i in 0..5_000 {
            h.write(1, 0, i, 100 * i, 100 * i + 60);
            h.read(2, 0, Some(i), 100 * i + 70, 100 * i + 90);
        }
        let verdict = check_with(&h.ops, Limits { steps_max: 20_000 }, Precheck::Disabled);
        assert_eq!(verdict, Verdict::Linearizable);
    }
}

mod determinism {
    use super::*;

    #[test]
    fn same_history_same_counterexample() {
        let mut h = History::default();
        for i in 0..50 {
            h.write(1 + (i % 3) as u32, 0, i, 10 * i, 10 * i + 25);
            h.read(
                4 + (i % 2) as u32,
                0,
                Some(i.saturating_sub(1)),
                10 * i + 3,
                10 * i + 30,
            );
        }
        h.write(1, 0, 1, 1000, 1010);
        h.read(9, 0, Some(0), 1020, 1030);
        for precheck in [Precheck::Enabled, Precheck::Disabled] {
            let first = check_with(&h.ops, LIMITS, precheck);
            assert!(matches!(first, Verdict::NotLinearizable(_)), "{first:?}");
            for _ in 0..3 {
                assert_eq!(check_with(&h.ops, LIMITS, precheck), first);
            }
        }
    }
}

/// Histories generated from a sequential execution of a random register program, with
/// intervals around each op's linearization point.
mod generated {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// What happened to a generated op.
    #[derive(Clone, Copy, Debug)]
    enum Fate {
        /// Took effect, client saw the answer.
        Ok,
        /// Took effect, client timed out.
        UnknownApplied,
        /// Never took effect, client timed out.
        UnknownLost,
        /// Never took effect, client was told so.
        Failed,
    }

    #[derive(Clone, Debug)]
    struct Step {
        client: usize,
        key: u32,
        write: bool,
        small_value: u64,
        gap_ns: u64,
        before_ns: u64,
        after_ns: u64,
        fate: Fate,
    }

    fn step(clients: usize, keys: u32) -> impl Strategy<Value = Step> {
        let fate = prop_oneof![
            12 => Just(Fate::Ok),
            2 => Just(Fate::UnknownApplied),
            1 => Just(Fate::UnknownLost),
            1 => Just(Fate::Failed),
        ];
        (
            0..clients,
            0..keys,
            any::<bool>(),
            0..4u64,
            1..20u64,
            0..60u64,
            0..60u64,
            fate,
        )
            .prop_map(
                |(client, key, write, small_value, gap_ns, before_ns, after_ns, fate)| Step {
                    client,
                    key,
                    write,
                    small_value,
                    gap_ns,
                    before_ns,
                    after_ns,
                    fate,
                },
            )
    }

    /// (history, whether write values are unique).
    fn history() -> impl Strategy<Value = (Vec<Operation>, bool)> {
        (1..6usize, 1..4u32, any::<bool>())
            .prop_flat_map(|(clients, keys, unique)| {
                (
                    proptest::collection::vec(step(clients, keys), 0..200),
                    Just(clients),
                    Just(unique),
                )
            })
            .prop_map(|(steps, clients, unique)| (execute(&steps, clients, unique), unique))
    }

    /// Runs the program sequentially at strictly increasing linearization points and
    /// records each op with an interval containing its point.
    fn execute(steps: &[Step], clients: usize, unique: bool) -> Vec<Operation> {
        let mut registers = std::collections::BTreeMap::<u32, u64>::new();
        let mut busy_until: Vec<Option<u64>> = vec![None; clients];
        let mut client_ids: Vec<u32> = (0..clients as u32).collect();
        let mut next_client_id = clients as u32;
        let mut history = Vec::new();
        let mut point_ns = 1_000;
        for (i, step) in steps.iter().enumerate() {
            point_ns += step.gap_ns;
            let free = |c: &usize| busy_until[*c].is_none_or(|busy| busy < point_ns);
            let Some(slot) = (0..clients).map(|c| (step.client + c) % clients).find(free) else {
                continue;
            };
            let earliest = busy_until[slot].map_or(0, |busy| busy + 1);
            let invoke_ns = point_ns.saturating_sub(step.before_ns).max(earliest);
            let complete_ns = point_ns + step.after_ns;
            let applies = matches!(step.fate, Fate::Ok | Fate::UnknownApplied);
            let kind = if step.write {
                let value = if unique {
                    100 + i as u64
                } else {
                    step.small_value
                };
                if applies {
                    registers.insert(step.key, value);
                }
                OpKind::Write { value }
            } else {
                OpKind::Read
            };
            let outcome = match step.fate {
                Fate::Ok => {
                    let read_value = if step.write {
                        None
                    } else {
                        registers.get(&step.key).copied()
                    };
                    OpOutcome::Ok {
                        complete_ns,
                        read_value,
                    }
                }
                Fate::UnknownApplied | Fate::UnknownLost => OpOutcome::Unknown,
                Fate::Failed => OpOutcome::Fail,
            };
            let client = client_ids[slot];
            busy_until[slot] = Some(complete_ns);
            if let OpOutcome::Unknown = outcome {
                // A client that timed out comes back as a new client.
                client_ids[slot] = next_client_id;
                next_client_id += 1;
            }
            history.push(Operation {
                client,
                key: step.key,
                kind,
                invoke_ns,
                outcome,
                id: i as u64,
            });
        }
        history
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn executions_are_linearizable((history, _unique) in history()) {
            for precheck in [Precheck::Enabled, Precheck::Disabled] {
                let verdict = check_with(&history, LIMITS, precheck);
                prop_assert_eq!(verdict, Verdict::Linearizable);
            }
        }

        #[test]
        fn a_read_of_a_value_never_written_is_caught((history, _unique) in history(), pick in any::<Index>()) {
            let reads: Vec<usize> = history
                .iter()
                .enumerate()
                .filter(|(_, op)| op.kind == OpKind::Read && matches!(op.outcome, OpOutcome::Ok { .. }))
                .map(|(i, _)| i)
                .collect();
            prop_assume!(!reads.is_empty());
            let mut history = history;
            let target = reads[pick.index(reads.len())];
            let OpOutcome::Ok { complete_ns, .. } = history[target].outcome else { unreachable!() };
            history[target].outcome = OpOutcome::Ok { complete_ns, read_value: Some(u64::MAX) };
            let (key, id) = (history[target].key, history[target].id);
            for precheck in [Precheck::Enabled, Precheck::Disabled] {
                let verdict = check_with(&history, LIMITS, precheck);
                let Verdict::NotLinearizable(counterexample) = verdict else {
                    return Err(TestCaseError::fail(format!("{precheck:?}: {verdict:?}")));
                };
                prop_assert_eq!(counterexample.key, key);
                if precheck == Precheck::Enabled {
                    prop_assert_eq!(counterexample.ops[0], id);
                }
            }
        }
    }
}

/// Small random histories, most not linearizable, checked against exhaustive search.
mod oracle {
    use super::*;
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Operation> {
        let kind = prop_oneof![
            (0..3u64).prop_map(|value| OpKind::Write { value }),
            Just(OpKind::Read)
        ];
        let seen = prop_oneof![Just(None), (0..3u64).prop_map(Some)];
        let end = prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)];
        (0..2u32, kind, 0..20u64, 0..10u64, seen, end).prop_map(
            |(key, kind, invoke_ns, length_ns, seen, end)| {
                let outcome = match end {
                    0 => OpOutcome::Ok {
                        complete_ns: invoke_ns + length_ns,
                        read_value: if kind == OpKind::Read { seen } else { None },
                    },
                    1 => OpOutcome::Unknown,
                    _ => OpOutcome::Fail,
                };
                Operation {
                    client: 0,
                    key,
                    kind,
                    invoke_ns,
                    outcome,
                    id: 0,
                }
            },
        )
    }

    /// Whether `ops` (one key) has a linearization, trying every order of every subset
    /// of its unknown writes.
    fn brute_force(ops: &[Operation]) -> bool {
        let ops: Vec<Operation> = ops
            .iter()
            .filter(|op| {
                !matches!(
                    (op.kind, op.outcome),
                    (_, OpOutcome::Fail) | (OpKind::Read, OpOutcome::Unknown)
                )
            })
            .copied()
            .collect();
        let complete = |op: &Operation| match op.outcome {
            OpOutcome::Ok { complete_ns, .. } => complete_ns,
            _ => u64::MAX,
        };
        let precedes = |a: &Operation, b: &Operation| complete(a) < b.invoke_ns;
        fn place(
            ops: &[Operation],
            placed: u32,
            state: Option<u64>,
            precedes: &dyn Fn(&Operation, &Operation) -> bool,
        ) -> bool {
            let all_ok_placed = ops
                .iter()
                .enumerate()
                .all(|(i, op)| placed & (1 << i) != 0 || op.outcome == OpOutcome::Unknown);
            if all_ok_placed {
                return true; // The unknown writes left never happen.
            }
            (0..ops.len()).any(|i| {
                let op = &ops[i];
                let ready = placed & (1 << i) == 0
                    && (0..ops.len()).all(|j| placed & (1 << j) != 0 || !precedes(&ops[j], op));
                let next = match (op.kind, op.outcome) {
                    (OpKind::Write { value }, _) => Some(Some(value)),
                    (OpKind::Read, OpOutcome::Ok { read_value, .. }) => {
                        (read_value == state).then_some(state)
                    }
                    _ => None,
                };
                match next {
                    Some(next) if ready => place(ops, placed | (1 << i), next, precedes),
                    _ => false,
                }
            })
        }
        place(&ops, 0, None, &precedes)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_exhaustive_search(mut history in proptest::collection::vec(op(), 0..8)) {
            for (i, op) in history.iter_mut().enumerate() {
                op.id = i as u64;
                op.client = i as u32;
            }
            let expected = [0, 1].iter().all(|&key| {
                let ops: Vec<Operation> = history.iter().filter(|op| op.key == key).copied().collect();
                brute_force(&ops)
            });
            for precheck in [Precheck::Enabled, Precheck::Disabled] {
                let verdict = check_with(&history, LIMITS, precheck);
                prop_assert_eq!(verdict == Verdict::Linearizable, expected, "{:?}: {:?}", precheck, verdict);
                let undecided = matches!(verdict, Verdict::Undecided { .. });
                prop_assert!(!undecided, "{:?}", verdict);
            }
        }
    }
}
