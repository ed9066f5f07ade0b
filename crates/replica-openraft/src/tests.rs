//! The adapter's own tests: the runtime's order of wake-ups and timers, and one node driven
//! by a minimal stand-in for the world (its timer, its disk's flush reports).

use crate::rt::{Executor, SimInstant, SimRuntime};
use crate::{AdapterMutant, OpenRaft, OpenraftMessage};
use openraft::AsyncRuntime;
use raft_core::{Action, Input, LogIndex, NodeId, Recovered, Replica, Role, Timer};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

fn rng(seed: u64) -> sim_core::SimRng {
    sim_core::RngStreams::new(seed).stream("test")
}

#[test]
fn timers_fire_in_deadline_order_and_only_when_time_reaches_them() {
    let exec = Executor::new(0, rng(1));
    let log = Rc::new(RefCell::new(Vec::new()));
    exec.enter(|| {
        for (name, ms) in [("b", 20u64), ("a", 10), ("c", 30)] {
            let log = log.clone();
            exec.spawn(async move {
                SimRuntime::sleep(Duration::from_millis(ms)).await;
                log.borrow_mut().push(name);
            });
        }
    });
    exec.run_until_idle();
    assert!(log.borrow().is_empty());
    assert_eq!(exec.next_deadline(), Some(10_000_000));
    exec.set_now(25_000_000);
    exec.run_until_idle();
    assert_eq!(*log.borrow(), vec!["a", "b"]);
    assert_eq!(exec.next_deadline(), Some(30_000_000));
}

#[test]
fn a_timeout_loses_to_a_future_ready_at_its_deadline() {
    let exec = Executor::new(0, rng(1));
    let out = Rc::new(RefCell::new(None));
    let o = out.clone();
    exec.enter(|| {
        exec.spawn(async move {
            let r = SimRuntime::timeout_at(SimInstant(5), std::future::ready(7)).await;
            *o.borrow_mut() = Some(r.is_ok());
        })
    });
    exec.run_until_idle();
    assert_eq!(*out.borrow(), Some(true));
}

#[test]
fn watch_waiters_wake_in_the_order_they_waited() {
    use openraft::async_runtime::watch::{Watch, WatchReceiver, WatchSender};
    let exec = Executor::new(0, rng(1));
    let order = Rc::new(RefCell::new(Vec::new()));
    let (tx, rx) = <SimRuntime as AsyncRuntime>::Watch::channel(0u32);
    exec.enter(|| {
        for k in 0..4 {
            let mut rx = rx.clone();
            let order = order.clone();
            exec.spawn(async move {
                rx.changed().await.expect("sender alive");
                order.borrow_mut().push(k);
            });
        }
    });
    exec.run_until_idle();
    tx.send(1).expect("receivers alive");
    exec.run_until_idle();
    assert_eq!(*order.borrow(), vec![0, 1, 2, 3]);
}

/// One node and a stand-in for the world: its timer and its disk's flush reports.
struct Rig {
    node: OpenRaft,
    now_ns: u64,
    timer_at: Option<u64>,
    flushes: usize,
    actions: Vec<Action<OpenraftMessage>>,
}

impl Rig {
    fn new(mutant: AdapterMutant) -> Rig {
        let mut cfg = raft_core::Config {
            id: NodeId(1),
            voters: vec![NodeId(1)],
            heartbeat_interval_ns: 50_000_000,
            election_timeout_min_ns: 150_000_000,
            election_timeout_max_ns: 300_000_000,
            max_append_batch: 64,
            durability: raft_core::Durability::sync(),
            commit_rule: raft_core::CommitRule::CurrentTerm,
            read_path: raft_core::ReadPath::Log,
            mutant: raft_core::CoreMutant::None,
            snapshot_distance: 0,
            reserved_log_items: 0,
        };
        cfg.durability.parallel_append = raft_core::ParallelAppend::On;
        let node = OpenRaft::new(&cfg, Recovered::default(), mutant, rng(3));
        let mut r = Rig {
            node,
            now_ns: 0,
            timer_at: None,
            flushes: 0,
            actions: Vec::new(),
        };
        let mut out = Vec::new();
        r.node.set_time(0);
        r.node.start(&mut out);
        r.take(out);
        r
    }

    fn take(&mut self, out: Vec<Action<OpenraftMessage>>) {
        for a in &out {
            match a {
                Action::SetTimer { min_ns, .. } => self.timer_at = Some(self.now_ns + min_ns),
                Action::CancelTimer { .. } => self.timer_at = None,
                Action::EndOfAppendBatch { .. } => self.flushes += 1,
                _ => {}
            }
        }
        self.actions.extend(out);
    }

    fn step(&mut self, input: Input<OpenraftMessage>) {
        let mut out = Vec::new();
        self.node.set_time(self.now_ns);
        self.node.step(input, &mut out);
        self.take(out);
    }

    /// Fires the timer, or reports the log durable when a flush is pending.
    fn advance(&mut self) {
        if self.flushes > 0 {
            self.flushes = 0;
            let last = self.node.last_index();
            self.now_ns += 1_000_000;
            self.step(Input::LogDurable { index: last });
            return;
        }
        let at = self
            .timer_at
            .take()
            .expect("a node always has a timer armed");
        self.now_ns = at;
        self.step(Input::Timer(Timer::Heartbeat));
    }
}

#[test]
fn a_single_node_elects_itself_and_applies_its_blank_entry_once_durable() {
    let mut r = Rig::new(AdapterMutant::None);
    for _ in 0..200 {
        if r.node.applied_index() == LogIndex(1) {
            break;
        }
        r.advance();
    }
    assert_eq!(r.node.role(), Role::Leader);
    assert_eq!(r.node.applied_index(), LogIndex(1));
    let save = r
        .actions
        .iter()
        .position(|a| matches!(a, Action::SaveState { .. }))
        .expect("the vote is saved");
    let append = r
        .actions
        .iter()
        .position(|a| matches!(a, Action::Append { .. }))
        .expect("the blank entry is written");
    assert!(save < append, "the vote is saved before the leader writes");
}

#[test]
fn the_election_timeout_is_the_runs_same_seed_same_instant() {
    let leader_at = |_: u8| {
        let mut r = Rig::new(AdapterMutant::None);
        while r.node.role() != Role::Leader {
            r.advance();
        }
        r.now_ns
    };
    assert_eq!(leader_at(1), leader_at(2));
}

#[test]
fn without_a_durable_report_nothing_commits_but_the_mutant_commits_anyway() {
    for (mutant, commits) in [
        (AdapterMutant::None, false),
        (AdapterMutant::IoFlushedBeforeFsync, true),
    ] {
        let mut r = Rig::new(mutant);
        for _ in 0..200 {
            if r.node.last_index() >= LogIndex(1) {
                break;
            }
            let at = r.timer_at.take().expect("armed");
            r.now_ns = at;
            r.step(Input::Timer(Timer::Heartbeat));
        }
        // Time passes, the disk never reports the flush.
        for _ in 0..20 {
            let at = r.timer_at.take().expect("armed");
            r.now_ns = at;
            r.step(Input::Timer(Timer::Heartbeat));
        }
        assert_eq!(r.node.commit_index() >= LogIndex(1), commits, "{mutant:?}");
    }
}
