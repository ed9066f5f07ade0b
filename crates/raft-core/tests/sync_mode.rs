//! Sync mode's order of operations (NURAFT.md, "Leader: a client write" and "Follower: an
//! AppendEntries request", row `sync`): `end_of_append_batch` flushes and blocks — on the
//! leader only the client path (NuRaft's `cli_lock_`: answers and heartbeats go on), on a
//! follower the Raft thread — so the leader counts and replicates a batch, and a follower
//! answers, only after its flush.
//!
//! Every test reads the action list as the caller must run it: nothing after a blocking
//! action happens before that I/O completes. This file is not about terms and votes
//! (`term_and_vote.rs`) or the catalogue bugs (`mutants.rs`).

mod common;

use common::*;
use raft_core::{
    Action, CoreMutant, Durability, FlushWait, Input, LogIndex, Message, Notice, Role, Term, Timer,
};

fn sync() -> Durability {
    Durability::sync()
}

#[test]
fn leader_flushes_on_the_client_path_then_counts_and_replicates() {
    let mut l = leader(3, sync(), CoreMutant::None);
    let out = step(&mut l, write(2));

    let append = only(&out, "Append", is_append);
    assert_eq!(
        out[append],
        Action::Append {
            from: LogIndex(2),
            to: LogIndex(2)
        }
    );
    let eob = only(&out, "EndOfAppendBatch", is_eob);
    assert_eq!(
        out[eob],
        Action::EndOfAppendBatch {
            start: LogIndex(2),
            count: 1,
            flush: FlushWait::BlockingClient
        }
    );
    assert!(append < eob, "append before end_of_append_batch: {out:#?}");
    assert!(out[eob].blocks_client() && !out[eob].blocks());
    assert_eq!(
        first_blocking(&out),
        None,
        "the Raft thread does not wait for a client's flush: {out:#?}"
    );
    assert!(
        !any(&out, is_send_append_entries),
        "nothing is sent before the flush returns: {out:#?}"
    );

    // The flush returns: the batch counts and goes out.
    let out = step(&mut l, log_durable(2));
    let sends = positions(&out, is_send_append_entries);
    assert_eq!(sends.len(), 2, "one AppendEntries per follower: {out:#?}");
    for &s in &sends {
        let Action::Send {
            msg:
                Message::AppendEntries {
                    prev_index,
                    entries,
                    ..
                },
            ..
        } = &out[s]
        else {
            unreachable!()
        };
        assert_eq!((*prev_index, entries.len()), (LogIndex(1), 1));
    }
    assert_eq!(committed_to(&out), None, "no follower holds entry 2 yet");
}

#[test]
fn answers_and_heartbeats_go_on_during_a_client_flush_but_carry_only_counted_entries() {
    let mut l = leader(3, sync(), CoreMutant::None);
    step(&mut l, write(2));
    // The flush of entry 2 is still running on the client path. A heartbeat is handled,
    // and sends no entry past `precommit_index_` (1): entry 2 does not count yet.
    let out = step(&mut l, Input::Timer(Timer::Heartbeat));
    let sends = positions(&out, is_send_append_entries);
    assert_eq!(sends.len(), 2, "{out:#?}");
    for &s in &sends {
        let Action::Send {
            msg: Message::AppendEntries { entries, .. },
            ..
        } = &out[s]
        else {
            unreachable!()
        };
        assert!(entries.is_empty(), "entry 2 is not sent yet: {out:#?}");
    }
    // A follower's answer is handled too, and commits nothing new.
    let out = step(&mut l, append_ok(2, 1, 1));
    assert_eq!(committed_to(&out), None);
}

#[test]
fn one_node_leader_commits_only_after_its_client_flush() {
    let mut l = node(1, 1, sync(), CoreMutant::None);
    step(&mut l, Input::Timer(Timer::Election));
    assert_eq!(l.role(), Role::Leader);
    assert_eq!(l.commit_index(), LogIndex(1), "the no-op commits alone");

    let out = step(&mut l, write(2));
    only(
        &out,
        "EndOfAppendBatch",
        is_eob_with(FlushWait::BlockingClient),
    );
    assert_eq!(committed_to(&out), None, "{out:#?}");
    let out = step(&mut l, log_durable(2));
    let commit = only(&out, "Commit", is_commit);
    let reply = only(&out, "Ok reply", is_ok_reply(2));
    assert_eq!(
        out[commit],
        Action::Notice(Notice::Commit { index: LogIndex(2) })
    );
    assert!(commit < reply, "commit, then the client's answer: {out:#?}");
}

#[test]
fn leader_counts_itself_once_flushed_so_one_follower_ack_commits() {
    let mut l = leader(3, sync(), CoreMutant::None);
    step(&mut l, write(2));
    step(&mut l, log_durable(2));

    let out = step(&mut l, append_ok(2, 1, 2));
    assert_eq!(committed_to(&out), Some(LogIndex(2)), "{out:#?}");
    let apply = only(&out, "Apply", is_apply);
    let reply = only(&out, "Ok reply", is_ok_reply(2));
    assert!(apply < reply, "applied, then acknowledged: {out:#?}");
}

#[test]
fn follower_appends_flushes_blocking_then_answers() {
    let mut f = follower(2, 3, sync(), CoreMutant::None);
    let entries = vec![client_entry(1, 2), client_entry(1, 3)];
    let out = step(&mut f, append_entries(1, 1, 1, entries, 1));

    let append = only(&out, "Append", is_append);
    assert_eq!(
        out[append],
        Action::Append {
            from: LogIndex(2),
            to: LogIndex(3)
        }
    );
    let eob = only(&out, "EndOfAppendBatch", is_eob);
    assert_eq!(
        out[eob],
        Action::EndOfAppendBatch {
            start: LogIndex(2),
            count: 2,
            flush: FlushWait::Blocking
        }
    );
    let response = only(&out, "AppendResponse", is_send_append_response);
    assert!(
        append < eob && eob < response,
        "append, flush, then answer: {out:#?}"
    );
    assert_eq!(first_blocking(&out), Some(eob), "{out:#?}");
    assert_eq!(append_response(&out), (true, LogIndex(3)));
    assert!(
        !any(&out, is_wait_durable),
        "no parallel-append wait in sync mode"
    );
}

#[test]
fn follower_rewrites_a_conflict_then_flushes_blocking_then_answers() {
    // Node 2 holds entries 2 and 3 of term 1 that the new leader of term 2 never had.
    let log = vec![noop(1), client_entry(1, 2), client_entry(1, 3)];
    let mut f = node_from(config(2, 3, sync(), CoreMutant::None), recovered(1, log));
    let out = step(&mut f, append_entries(2, 1, 1, vec![noop(2)], 1));

    assert!(
        !any(&out, is_append),
        "a conflict is not an append: {out:#?}"
    );
    let write_at = only(&out, "WriteAt", is_write_at);
    assert_eq!(
        out[write_at],
        Action::WriteAt {
            from: LogIndex(2),
            to: LogIndex(2)
        }
    );
    let eob = only(&out, "EndOfAppendBatch", is_eob_with(FlushWait::Blocking));
    let response = only(&out, "AppendResponse", is_send_append_response);
    assert!(write_at < eob && eob < response, "{out:#?}");
    assert_eq!(append_response(&out), (true, LogIndex(2)));
    assert_eq!(f.last_index(), LogIndex(2));
    assert_eq!(f.entry(LogIndex(2)).map(|e| e.term), Some(Term(2)));
}

#[test]
fn follower_commits_and_applies_only_after_its_flush() {
    let mut f = follower(2, 3, sync(), CoreMutant::None);
    let out = step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 2));

    let eob = only(&out, "EndOfAppendBatch", is_eob_with(FlushWait::Blocking));
    let commit = only(&out, "Commit", is_commit);
    let apply = positions(&out, is_apply);
    assert_eq!(
        out[commit],
        Action::Notice(Notice::Commit { index: LogIndex(2) })
    );
    assert!(eob < commit, "{out:#?}");
    assert!(apply.iter().all(|&a| a > eob), "{out:#?}");
}
