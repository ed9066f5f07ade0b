//! Delivery without faults, duplication, and determinism: with no drop, no duplicate, no
//! cut and no crash every message arrives exactly once (in per-link send order when
//! `reorder` is off); with duplicates no message arrives more than twice; the same seed
//! gives the same schedule.

mod common;

use common::{Step, World, config, node, one_way_partition, partition, send, wait};
use proptest::prelude::*;
use sim_core::SimTime;
use sim_net::{Delivery, Sent};
use std::collections::BTreeMap;

fn sends_and_waits() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(prop_oneof![3 => send(), 1 => wait()], 1..200)
}

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => send(),
        6 => wait(),
        1 => node().prop_map(Step::Crash),
        2 => node().prop_map(Step::Restart),
        1 => node().prop_map(Step::Isolate),
        1 => partition(),
        1 => one_way_partition(),
        1 => Just(Step::Heal),
    ]
}

proptest! {
    #[test]
    fn a_reliable_network_delivers_every_message_exactly_once(
        seed: u64,
        reorder: bool,
        script in sends_and_waits(),
    ) {
        let mut w = World::new(config(reorder, 0.0, 0.0), seed);
        w.run(&script, |_, d| assert!(d.is_delivered(), "lost on a reliable network: {d:?}"));
        for (id, s) in w.sends.iter().enumerate() {
            let single_copy = matches!(s.sent, Sent::Scheduled { duplicate: None, .. });
            prop_assert!(single_copy);
            prop_assert_eq!(w.arrivals(id as u64), 1);
        }
        prop_assert_eq!(w.deliveries.len(), w.sends.len());
        prop_assert!(w.deliveries.windows(2).all(|p| p[0].0 <= p[1].0), "time went backwards");
    }

    #[test]
    fn a_fifo_link_delivers_in_send_order(seed: u64, script in sends_and_waits()) {
        let mut w = World::new(config(false, 0.0, 0.0), seed);
        w.run(&script, |_, _| {});
        let mut last_on_link: BTreeMap<(u8, u8), u64> = BTreeMap::new();
        for (_, d) in &w.deliveries {
            let Delivery::Delivered { from, to, msg } = d else { panic!("lost: {d:?}") };
            if let Some(prev) = last_on_link.insert((from.0, to.0), msg.id) {
                prop_assert!(prev < msg.id, "link {from}->{to}: {} after {prev}", msg.id);
            }
        }
    }

    #[test]
    fn with_duplicates_a_message_arrives_at_most_twice(
        seed: u64,
        reorder: bool,
        script in sends_and_waits(),
    ) {
        let mut w = World::new(config(reorder, 0.2, 0.5), seed);
        w.run(&script, |_, d| assert!(d.is_delivered()));
        for (id, s) in w.sends.iter().enumerate() {
            let expected = match s.sent {
                Sent::Dropped => 0,
                Sent::Scheduled { duplicate: None, .. } => 1,
                Sent::Scheduled { duplicate: Some(_), .. } => 2,
            };
            prop_assert_eq!(w.arrivals(id as u64), expected);
        }
        let stats = w.net.stats();
        prop_assert_eq!(stats.delivered, stats.sent - stats.dropped + stats.duplicated);
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule(
        seed: u64,
        reorder: bool,
        script in prop::collection::vec(any_step(), 1..200),
    ) {
        let run = || {
            let mut w = World::new(config(reorder, 0.1, 0.2), seed);
            w.run(&script, |_, _| {});
            (w.sends, w.deliveries, w.net.stats())
        };
        prop_assert_eq!(run(), run());
    }
}

#[test]
fn with_reorder_messages_overtake() {
    let script: Vec<Step> = (0..50).map(|_| Step::Send { from: 1, to: 2 }).collect();
    let mut w = World::new(config(true, 0.0, 0.0), 3);
    w.run(&script, |_, _| {});
    let ids: Vec<u64> = w.deliveries.iter().map(|(_, d)| d.msg().id).collect();
    assert!(
        ids.windows(2).any(|p| p[0] > p[1]),
        "no message overtook another: {ids:?}"
    );
}

#[test]
fn another_seed_gives_another_schedule() {
    let script: Vec<Step> = (0..20).map(|_| Step::Send { from: 1, to: 2 }).collect();
    let at = |seed| {
        let mut w = World::new(config(true, 0.0, 0.0), seed);
        w.run(&script, |_, _| {});
        w.deliveries
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<SimTime>>()
    };
    assert_ne!(at(1), at(2));
}
