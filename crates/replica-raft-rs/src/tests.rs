//! The adapter's order of operations on a follower, one `Ready` at a time: where its
//! persisted messages go in each persistence path, and what the mutant changes.

use crate::{AdapterMutant, Persistence, RaftRs, RaftRsMessage};
use raft::eraftpb::{Entry as RsEntry, Message, MessageType};
use raft_core::{Action, FlushWait, Input, LogIndex, NodeId, Replica, Term};

fn config() -> raft_core::Config {
    raft_core::Config {
        id: NodeId(1),
        voters: vec![NodeId(1), NodeId(2), NodeId(3)],
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
    }
}

fn node(p: Persistence, m: AdapterMutant) -> RaftRs {
    RaftRs::new(&config(), Default::default(), p, m, 1)
}

/// An AppendEntries from `leader` in `term` with one entry at index 1.
fn append(leader: u64, term: u64) -> Input<RaftRsMessage> {
    let entry = RsEntry {
        index: 1,
        term,
        ..Default::default()
    };
    let msg = Message {
        msg_type: MessageType::MsgAppend,
        from: leader,
        to: 1,
        term,
        entries: vec![entry].into(),
        ..Default::default()
    };
    Input::Message {
        from: NodeId(leader as u8),
        msg: RaftRsMessage(msg),
    }
}

fn step(n: &mut RaftRs, input: Input<RaftRsMessage>) -> Vec<Action<RaftRsMessage>> {
    let mut out = Vec::new();
    n.step(input, &mut out);
    out
}

fn position(out: &[Action<RaftRsMessage>], f: impl Fn(&Action<RaftRsMessage>) -> bool) -> usize {
    out.iter().position(f).expect("the action is there")
}

fn is_send(a: &Action<RaftRsMessage>) -> bool {
    matches!(a, Action::Send { .. })
}

fn is_flush(a: &Action<RaftRsMessage>) -> bool {
    matches!(a, Action::EndOfAppendBatch { .. })
}

#[test]
fn sync_answers_after_the_blocking_flush() {
    let mut n = node(Persistence::Sync, AdapterMutant::None);
    let out = step(&mut n, append(2, 1));
    let flush = position(&out, is_flush);
    assert!(matches!(
        out[flush],
        Action::EndOfAppendBatch {
            flush: FlushWait::Blocking,
            ..
        }
    ));
    assert!(position(&out, |a| matches!(a, Action::Append { .. })) < flush);
    assert!(position(&out, |a| matches!(a, Action::SaveState { .. })) < flush);
    assert!(
        flush < position(&out, is_send),
        "the answer waits for the flush"
    );
}

#[test]
fn async_holds_the_answer_until_the_durable_index_covers_it() {
    let mut n = node(Persistence::Async, AdapterMutant::None);
    let out = step(&mut n, append(2, 1));
    assert!(
        !out.iter().any(is_send),
        "nothing leaves before the flush: {out:?}"
    );
    let flush = position(&out, is_flush);
    assert!(matches!(
        out[flush],
        Action::EndOfAppendBatch {
            flush: FlushWait::Background,
            ..
        }
    ));
    let out = step(&mut n, Input::LogDurable { index: LogIndex(1) });
    let Action::Send { to, msg } = &out[position(&out, is_send)] else {
        unreachable!()
    };
    assert_eq!(*to, NodeId(2));
    assert_eq!(msg.0.get_msg_type(), MessageType::MsgAppendResponse);
    assert_eq!(msg.0.index, 1);
}

#[test]
fn a_truncation_lowers_what_a_held_answer_waits_for() {
    let mut n = node(Persistence::Async, AdapterMutant::None);
    step(&mut n, append(2, 1));
    let out = step(&mut n, append(3, 2));
    assert!(out.iter().any(|a| matches!(
        a,
        Action::WriteAt {
            from: LogIndex(1),
            to: LogIndex(1)
        }
    )));
    assert_eq!(n.entry(LogIndex(1)).map(|e| e.term), Some(Term(2)));
    assert!(!out.iter().any(is_send));
    // The durable index after the new write's flush covers both Readys, in order.
    let out = step(&mut n, Input::LogDurable { index: LogIndex(1) });
    let to: Vec<NodeId> = out
        .iter()
        .filter_map(|a| match a {
            Action::Send { to, .. } => Some(*to),
            _ => None,
        })
        .collect();
    assert_eq!(to, vec![NodeId(2), NodeId(3)]);
}

#[test]
fn the_mutant_answers_before_the_flush() {
    let mut n = node(Persistence::Async, AdapterMutant::PersistedMessagesEarly);
    let out = step(&mut n, append(2, 1));
    assert!(position(&out, is_send) < position(&out, is_flush));
}

#[test]
fn a_restart_loads_exactly_what_was_recovered() {
    let recovered = raft_core::Recovered {
        term: Term(3),
        vote: Some(NodeId(2)),
        log: vec![
            raft_core::Entry {
                term: Term(2),
                payload: raft_core::Payload::Noop,
            };
            2
        ],
        durable_index: LogIndex(2),
        log_first_index: LogIndex(1),
        snapshot: None,
        state_machine: None,
    };
    let n = RaftRs::new(
        &config(),
        recovered,
        Persistence::Sync,
        AdapterMutant::None,
        1,
    );
    assert_eq!(
        (n.last_index(), n.last_term(), n.term()),
        (LogIndex(2), Term(2), Term(3))
    );
    assert_eq!(n.node.raft.vote, 2);
    assert_eq!(n.node.raft.raft_log.last_index(), 2);
    assert_eq!(n.commit_index(), LogIndex(0));
}
