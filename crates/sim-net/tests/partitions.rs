//! Partitions, judged at delivery: nothing crosses a link that is cut (in the cut
//! direction) at the moment it arrives, everything else does; a one-way cut lets the other
//! direction through.

mod common;

use common::{Step, World, config, node, one_way_partition, partition, send, wait};
use proptest::prelude::*;
use sim_net::{Delivery, LostReason};

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        10 => send(),
        5 => wait(),
        1 => node().prop_map(Step::Isolate),
        1 => partition(),
        1 => one_way_partition(),
        1 => Just(Step::Heal),
    ];
    prop::collection::vec(step, 1..200)
}

proptest! {
    #[test]
    fn nothing_crosses_an_active_cut_and_nothing_else_is_lost(
        seed: u64,
        reorder: bool,
        script in steps(),
    ) {
        let mut w = World::new(config(reorder, 0.0, 0.0), seed);
        w.run(&script, |net, d| match d {
            Delivery::Delivered { from, to, .. } => {
                assert!(!net.is_cut(*from, *to), "{from}->{to} delivered across a cut");
            }
            Delivery::Lost { from, to, reason, .. } => {
                assert_eq!(*reason, LostReason::Partitioned, "only cuts lose messages here");
                assert!(net.is_cut(*from, *to), "{from}->{to} lost to a cut that is not there");
            }
        });
        prop_assert_eq!(w.deliveries.len(), w.sends.len());
    }

    #[test]
    fn a_one_way_cut_lets_the_other_direction_through(
        seed: u64,
        cut in one_way_partition(),
        script in prop::collection::vec(prop_oneof![3 => send(), 1 => wait()], 1..150),
    ) {
        let Step::Partition { groups, .. } = &cut else { unreachable!() };
        let group_of = |n: u8| usize::from(groups[1].contains(&n));
        let mut w = World::new(config(false, 0.0, 0.0), seed);
        w.run(&[&[cut.clone()][..], &script].concat(), |_, d| {
            let (from, to) = match d {
                Delivery::Delivered { from, to, .. } | Delivery::Lost { from, to, .. } => (from.0, to.0),
            };
            let should_cut = group_of(from) == 0 && group_of(to) == 1;
            assert_eq!(!d.is_delivered(), should_cut, "{from}->{to} in groups {groups:?}");
        });
        prop_assert_eq!(w.deliveries.len(), w.sends.len());
    }
}

#[test]
fn isolate_adds_to_a_partition_and_heal_clears_everything() {
    let script = [
        Step::Partition {
            groups: vec![vec![1, 2], vec![3, 4, 5]],
            one_way: false,
        },
        Step::Isolate(1),
        Step::Send { from: 1, to: 2 },
        Step::Send { from: 2, to: 1 },
        Step::Send { from: 3, to: 4 },
        Step::Send { from: 2, to: 3 },
        Step::Heal,
        Step::Send { from: 1, to: 5 },
    ];
    let mut w = World::new(config(false, 0.0, 0.0), 1);
    w.run(&script, |_, _| {});
    let delivered: Vec<bool> = (0..5).map(|id| w.arrivals(id) == 1).collect();
    // Heal happens before any delivery: everything sent arrives.
    assert_eq!(delivered, vec![true; 5]);
    let mut w = World::new(config(false, 0.0, 0.0), 1);
    w.run(&script[..6], |_, _| {});
    let delivered: Vec<bool> = (0..4).map(|id| w.arrivals(id) == 1).collect();
    assert_eq!(delivered, vec![false, false, true, false]);
}
