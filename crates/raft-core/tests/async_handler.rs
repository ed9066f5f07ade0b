//! Async-handler mode's order of operations (NURAFT.md, row `async-handler`, and "Consequence
//! for async-handler"): the leader's `end_of_append_batch` hands the flush to the
//! background, so the leader counts its own entry before any durability report, and the
//! acknowledgement rule decides whether the client hears of the commit alone
//! (`AckRule::OnCommit`) or of the commit and the leader's flush (`OnCommitAndFlush`).
//! Followers flush in the background or before answering (`FlushWait`).
//!
//! Not here: the hazard this opens in a real run (sim-cluster's `tests/modes.rs`).

mod common;

use common::*;
use raft_core::{AckRule, Action, CoreMutant, Durability, FlushWait, LogIndex};

fn on_commit() -> Durability {
    Durability::async_handler(AckRule::OnCommit, FlushWait::Background)
}

fn on_commit_and_flush() -> Durability {
    Durability::async_handler(AckRule::OnCommitAndFlush, FlushWait::Background)
}

#[test]
fn leader_flushes_in_the_background_and_replicates_at_once() {
    let mut l = leader(3, on_commit(), CoreMutant::None);
    let out = step(&mut l, write(2));

    let append = only(&out, "Append", is_append);
    let eob = only(
        &out,
        "background EndOfAppendBatch",
        is_eob_with(FlushWait::Background),
    );
    let sends = positions(&out, is_send_append_entries);
    assert_eq!(sends.len(), 2, "{out:#?}");
    assert!(append < eob && sends.iter().all(|&s| s > eob), "{out:#?}");
    assert_eq!(
        first_blocking(&out),
        None,
        "nothing waits for the disk on the leader: {out:#?}"
    );
}

#[test]
fn leader_counts_itself_before_its_flush_and_acks_on_commit() {
    let mut l = leader(3, on_commit(), CoreMutant::None);
    let out = step(&mut l, write(2));
    assert_eq!(committed_to(&out), None, "the leader alone is no quorum");

    let out = step(&mut l, append_ok(2, 1, 2));
    assert_eq!(
        committed_to(&out),
        Some(LogIndex(2)),
        "leader + one follower is a quorum, durable or not: {out:#?}"
    );
    let apply = only(&out, "Apply", is_apply);
    let reply = only(&out, "Ok reply", is_ok_reply(2));
    assert!(apply < reply, "{out:#?}");
    assert_eq!(
        l.last_durable_index(),
        LogIndex::ZERO,
        "acknowledged while the leader's copy is still volatile"
    );
}

#[test]
fn commit_and_flush_withholds_the_ack_until_the_leader_flush_covers_the_entry() {
    let mut l = leader(3, on_commit_and_flush(), CoreMutant::None);
    step(&mut l, write(2));
    // The second write goes out with the follower's next request, after its answer.
    step(&mut l, write(3));

    let out = step(&mut l, append_ok(2, 1, 2));
    assert_eq!(committed_to(&out), Some(LogIndex(2)), "{out:#?}");
    assert!(any(&out, is_apply), "applied at commit: {out:#?}");
    assert!(!any(&out, is_reply), "no answer before the flush: {out:#?}");
    let out = step(&mut l, append_ok(2, 1, 3));
    assert_eq!(committed_to(&out), Some(LogIndex(3)), "{out:#?}");
    assert!(!any(&out, is_reply), "{out:#?}");

    let out = step(&mut l, log_durable(1));
    assert!(
        !any(&out, is_reply),
        "a flush below the entry is not enough: {out:#?}"
    );

    let out = step(&mut l, log_durable(2));
    assert_eq!(
        positions(&out, is_reply),
        vec![only(&out, "Ok reply", is_ok_reply(2))],
        "exactly one answer, for entry 2 only: {out:#?}"
    );

    let out = step(&mut l, log_durable(3));
    assert_eq!(
        positions(&out, is_reply),
        vec![only(&out, "Ok reply", is_ok_reply(3))],
        "{out:#?}"
    );
    let out = step(&mut l, log_durable(3));
    assert!(!any(&out, is_reply), "answered once: {out:#?}");
}

#[test]
fn commit_and_flush_acks_at_commit_when_the_flush_came_first() {
    let mut l = leader(3, on_commit_and_flush(), CoreMutant::None);
    step(&mut l, write(2));
    let out = step(&mut l, log_durable(2));
    assert!(!any(&out, is_reply), "durable but not committed: {out:#?}");

    let out = step(&mut l, append_ok(3, 1, 2));
    let commit = only(&out, "Commit", is_commit);
    let reply = only(&out, "Ok reply", is_ok_reply(2));
    assert!(commit < reply, "{out:#?}");
}

#[test]
fn on_commit_never_waits_for_a_durability_report() {
    // The same run as above, under OnCommit: the answer comes with the commit.
    let mut l = leader(3, on_commit(), CoreMutant::None);
    step(&mut l, write(2));
    step(&mut l, write(3));
    for index in [2, 3] {
        let out = step(&mut l, append_ok(2, 1, index));
        assert_eq!(committed_to(&out), Some(LogIndex(index)), "{out:#?}");
        assert_eq!(
            positions(&out, is_reply),
            vec![only(&out, "Ok reply", is_ok_reply(index))],
            "answered at commit: {out:#?}"
        );
    }
    let out = step(&mut l, log_durable(3));
    assert!(!any(&out, is_reply), "no second answer: {out:#?}");
}

#[test]
fn background_followers_answer_right_after_their_batch() {
    let mut f = follower(2, 3, on_commit(), CoreMutant::None);
    let out = step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1));

    let eob = only(
        &out,
        "background EndOfAppendBatch",
        is_eob_with(FlushWait::Background),
    );
    let response = only(&out, "AppendResponse", is_send_append_response);
    assert!(eob < response, "{out:#?}");
    assert_eq!(
        first_blocking(&out),
        None,
        "the answer leaves before the data is durable: {out:#?}"
    );
    assert_eq!(append_response(&out), (true, LogIndex(2)));
    assert_eq!(
        f.last_durable_index(),
        LogIndex(1),
        "entry 2 is not durable"
    );
}

#[test]
fn blocking_followers_answer_after_their_flush() {
    let mode = Durability::async_handler(AckRule::OnCommit, FlushWait::Blocking);
    let mut f = follower(2, 3, mode, CoreMutant::None);
    let out = step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1));

    let eob = only(
        &out,
        "blocking EndOfAppendBatch",
        is_eob_with(FlushWait::Blocking),
    );
    let response = only(&out, "AppendResponse", is_send_append_response);
    assert!(eob < response, "{out:#?}");
    assert_eq!(first_blocking(&out), Some(eob), "{out:#?}");
    assert!(!any(&out, is_wait_durable), "{out:#?}");

    // The leader's side is unchanged by the follower policy: still background.
    let mut l = leader(3, mode, CoreMutant::None);
    let out = step(&mut l, write(2));
    assert!(any(&out, is_eob_with(FlushWait::Background)), "{out:#?}");
    assert!(
        !out.iter().any(Action::blocks),
        "the leader never blocks: {out:#?}"
    );
}
