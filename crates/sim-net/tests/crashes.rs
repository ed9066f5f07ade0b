//! Crashed endpoints: a crash loses every message in flight to or from the node (even if
//! it restarts before the message arrives), and sends from or to a node that is down are
//! dropped at once.

mod common;

use common::{Msg, NODES, Step, World, config, node, send, wait};
use proptest::prelude::*;
use sim_net::{Delivery, LostReason, Network, Sent};

/// The test's own account of the nodes: up or down, and how often each crashed.
#[derive(Clone, Copy)]
struct Account {
    up: [bool; NODES as usize + 1],
    crashes: [u32; NODES as usize + 1],
}

impl Account {
    fn apply(&mut self, step: &Step) {
        match step {
            Step::Crash(n) if self.up[usize::from(*n)] => {
                self.up[usize::from(*n)] = false;
                self.crashes[usize::from(*n)] += 1;
            }
            Step::Restart(n) => self.up[usize::from(*n)] = true,
            _ => {}
        }
    }

    fn crashes_of(&self, from: u8, to: u8) -> (u32, u32) {
        (
            self.crashes[usize::from(from)],
            self.crashes[usize::from(to)],
        )
    }
}

/// What must become of a message whose ends had `at_send` crash counts, judged now.
fn expected(now: &Account, at_send: (u32, u32), from: u8, to: u8) -> Option<LostReason> {
    if !now.up[usize::from(to)] {
        Some(LostReason::ReceiverDown)
    } else if now.crashes_of(from, to) != at_send {
        Some(LostReason::Restarted)
    } else {
        None
    }
}

fn judge(now: &Account, at_send: &[(u32, u32)], d: &Delivery<Msg>) {
    let (from, to, msg, reason) = match d {
        Delivery::Delivered { from, to, msg } => (from.0, to.0, msg, None),
        Delivery::Lost {
            from,
            to,
            msg,
            reason,
        } => (from.0, to.0, msg, Some(*reason)),
    };
    let want = expected(now, at_send[msg.id as usize], from, to);
    assert_eq!(reason, want, "message {} {from}->{to}", msg.id);
}

proptest! {
    #[test]
    fn a_crash_loses_in_flight_messages_to_and_from_the_node(
        seed: u64,
        reorder: bool,
        script in prop::collection::vec(prop_oneof![
            10 => send(),
            5 => wait(),
            1 => node().prop_map(Step::Crash),
            2 => node().prop_map(Step::Restart),
        ], 1..200),
    ) {
        let mut account = Account { up: [true; NODES as usize + 1], crashes: [0; NODES as usize + 1] };
        let mut at_send: Vec<(u32, u32)> = Vec::new();
        let mut w = World::new(config(reorder, 0.0, 0.0), seed);
        for step in &script {
            account.apply(step);
            if let Step::Send { from, to } = step {
                at_send.push(account.crashes_of(*from, *to));
            }
            let (now, sent_so_far) = (account, at_send.clone());
            w.play(step, &mut |_: &Network<Msg>, d: &Delivery<Msg>| judge(&now, &sent_so_far, d));
            if let Step::Send { from, to } = step {
                let both_up = account.up[usize::from(*from)] && account.up[usize::from(*to)];
                let dropped = w.sends.last().unwrap().sent == Sent::Dropped;
                prop_assert_eq!(dropped, !both_up, "send {}->{}", from, to);
            }
        }
        w.finish(&mut |_: &Network<Msg>, d: &Delivery<Msg>| judge(&account, &at_send, d));
    }
}

#[test]
fn messages_sent_before_a_crash_and_restart_are_lost_and_later_ones_arrive() {
    let script = [
        Step::Send { from: 1, to: 2 },
        Step::Send { from: 2, to: 3 },
        Step::Crash(2),
        Step::Send { from: 1, to: 2 },
        Step::Restart(2),
        Step::Send { from: 1, to: 2 },
        Step::Wait { dt_ns: 10_000 },
    ];
    let mut w = World::new(config(false, 0.0, 0.0), 4);
    w.run(&script, |_, _| {});
    assert_eq!(w.sends[2].sent, Sent::Dropped);
    let mut outcome: Vec<(u64, Option<LostReason>)> = w
        .deliveries
        .iter()
        .map(|(_, d)| match d {
            Delivery::Delivered { msg, .. } => (msg.id, None),
            Delivery::Lost { msg, reason, .. } => (msg.id, Some(*reason)),
        })
        .collect();
    outcome.sort_by_key(|(id, _)| *id);
    assert_eq!(
        outcome,
        vec![
            (0, Some(LostReason::Restarted)),
            (1, Some(LostReason::Restarted)),
            (3, None)
        ]
    );
}

#[test]
fn a_message_to_a_node_still_down_is_lost_as_receiver_down() {
    let script = [
        Step::Send { from: 1, to: 2 },
        Step::Crash(2),
        Step::Wait { dt_ns: 10_000 },
    ];
    let mut w = World::new(config(false, 0.0, 0.0), 4);
    w.run(&script, |_, _| {});
    assert!(matches!(
        w.deliveries[0].1,
        Delivery::Lost {
            reason: LostReason::ReceiverDown,
            ..
        }
    ));
}
