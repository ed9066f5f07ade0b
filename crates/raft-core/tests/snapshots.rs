//! Snapshots and log compaction in NuRaft's order (`snapshot_and_compact`,
//! `on_snapshot_completed`, `handle_snapshot_sync_req`), step by step: when a snapshot is
//! asked for, that the log is compacted only after the state machine reports it done, that
//! a leader sends its snapshot to a follower whose next entry it compacted away, and that
//! a follower answers an installed snapshot only after its save, which blocks.

mod common;

use common::*;
use raft_core::{
    Action, Config, CoreMutant, Durability, Input, Kv, LogIndex, Message, NodeId, Notice,
    Recovered, Snapshot, Term,
};
use std::sync::Arc;

/// Node `id` of 3, sync, a snapshot every `distance` entries with `reserved` kept.
fn snapshotting(id: u8, distance: u64, reserved: u64) -> Config {
    let mut cfg = config(id, 3, Durability::sync(), CoreMutant::None);
    cfg.snapshot_distance = distance;
    cfg.reserved_log_items = reserved;
    cfg
}

/// Leader 1's InstallSnapshot of `snapshot` in term 1.
fn install(snapshot: Arc<Snapshot>) -> Input {
    message(
        1,
        Message::InstallSnapshot {
            term: Term(1),
            leader: NodeId(1),
            snapshot,
        },
    )
}

fn created(actions: &[Action]) -> Vec<LogIndex> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::CreateSnapshot { snapshot } => Some(snapshot.index),
            _ => None,
        })
        .collect()
}

fn compacted(actions: &[Action]) -> Vec<LogIndex> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Compact { upto } => Some(*upto),
            _ => None,
        })
        .collect()
}

/// A follower asks for a snapshot once it has applied `snapshot_distance` entries from
/// its log's start, compacts only when the state machine reports it done (keeping
/// `reserved_log_items`), and asks for the next one `snapshot_distance` later.
#[test]
fn a_snapshot_is_asked_for_at_the_distance_and_compacts_only_once_reported() {
    let mut f = node_from(snapshotting(2, 4, 1), Recovered::default());
    let entries = [noop(1), client_entry(1, 1), client_entry(1, 2)];
    let out = step(&mut f, append_entries(1, 0, 0, entries.to_vec(), 3));
    assert!(created(&out).is_empty(), "3 applied entries: not yet");
    let out = step(&mut f, append_entries(1, 3, 1, vec![client_entry(1, 3)], 4));
    assert_eq!(f.applied_index(), LogIndex(4));
    assert_eq!(created(&out), [LogIndex(4)], "the 4th applied entry asks");
    assert!(
        compacted(&out).is_empty(),
        "nothing compacted before the report"
    );
    // While it is being created, no other is asked for.
    let more: Vec<_> = (4..9).map(|r| client_entry(1, r)).collect();
    let out = step(&mut f, append_entries(1, 4, 1, more, 9));
    assert!(created(&out).is_empty(), "one snapshot at a time");
    assert_eq!(f.first_index(), LogIndex(1));
    let out = step(&mut f, Input::SnapshotCreated { index: LogIndex(4) });
    assert_eq!(
        compacted(&out),
        [LogIndex(3)],
        "up to 4, one entry reserved"
    );
    assert_eq!(f.first_index(), LogIndex(4));
    // The next one comes `distance` past this one, at the next entry applied.
    let out = step(
        &mut f,
        append_entries(1, 9, 1, vec![client_entry(1, 9)], 10),
    );
    assert_eq!(created(&out), [LogIndex(10)]);
}

/// A leader whose follower needs an entry it compacted away sends its last snapshot.
#[test]
fn a_leader_sends_its_snapshot_to_a_follower_behind_its_compacted_log() {
    let mut l = node_from(snapshotting(1, 2, 0), Recovered::default());
    step(&mut l, Input::Timer(raft_core::Timer::Election));
    step(&mut l, vote_granted(2, 1));
    step(&mut l, log_durable(1));
    step(&mut l, append_ok(2, 1, 1));
    step(&mut l, write(1));
    step(&mut l, log_durable(2));
    let out = step(&mut l, append_ok(2, 1, 2));
    assert_eq!(l.commit_index(), LogIndex(2));
    assert_eq!(created(&out), [LogIndex(2)]);
    let out = step(&mut l, Input::SnapshotCreated { index: LogIndex(2) });
    assert_eq!(compacted(&out), [LogIndex(2)]);
    // Node 3 never answered: its next entry (1) is gone; the resend after two unanswered
    // heartbeats sends the snapshot instead.
    let out: Vec<Action> = (0..3)
        .flat_map(|_| step(&mut l, Input::Timer(raft_core::Timer::Heartbeat)))
        .collect();
    let sent: Vec<(NodeId, LogIndex)> = out
        .iter()
        .filter_map(|a| match a {
            Action::Send {
                to,
                msg: Message::InstallSnapshot { snapshot, .. },
            } => Some((*to, snapshot.index)),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [(NodeId(3), LogIndex(2))]);
}

/// A follower installs a leader's snapshot: the save first (blocking), then the log
/// compacted to it, the state machine replaced, commit and apply at its index, and only
/// then the answer, matched up to the snapshot.
#[test]
fn a_follower_answers_an_installed_snapshot_after_saving_it() {
    let mut f = follower(2, 3, Durability::sync(), CoreMutant::None);
    let snapshot = Arc::new(Snapshot {
        index: LogIndex(10),
        term: Term(1),
        kv: Kv::default(),
    });
    let out = step(&mut f, install(Arc::clone(&snapshot)));
    let save = only(&out, "save", |a| {
        matches!(a, Action::InstallSnapshot { .. })
    });
    let compact = only(
        &out,
        "compact",
        |a| matches!(a, Action::Compact { upto } if *upto == LogIndex(10)),
    );
    let commit = only(
        &out,
        "commit",
        |a| matches!(a, Action::Notice(Notice::Commit { index }) if *index == LogIndex(10)),
    );
    let answer = only(&out, "answer", |a| {
        matches!(
            a,
            Action::Send {
                msg: Message::AppendResponse { success: true, match_index, .. },
                ..
            } if *match_index == LogIndex(10)
        )
    });
    assert!(
        save < compact && compact < commit && commit < answer,
        "{out:#?}"
    );
    assert_eq!(
        (f.commit_index(), f.applied_index()),
        (LogIndex(10), LogIndex(10))
    );
    assert_eq!(
        (f.first_index(), f.last_index()),
        (LogIndex(11), LogIndex(10))
    );
    // A snapshot it has already committed past is answered without installing it.
    let out = step(&mut f, install(snapshot));
    assert!(!any(&out, |a| matches!(a, Action::InstallSnapshot { .. })));
}
