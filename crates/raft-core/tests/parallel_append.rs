//! Parallel-append mode's order of operations (NURAFT.md, "Parallel log appending: the
//! contract the log store must keep"): the leader replicates while its write is in flight
//! and counts itself only up to `last_durable_index()`; a follower waits until its write is
//! durable before it answers; `write_at` lowers the durable index below the truncation.
//!
//! Not here: the log store's side of the contract (which completions it reports), which
//! the world implements and `tests/modes.rs` of sim-cluster checks on real traces.

mod common;

use common::*;
use raft_core::{Action, CoreMutant, Durability, FlushWait, LogIndex, Term};

fn parallel() -> Durability {
    Durability::parallel_append()
}

#[test]
fn leader_starts_its_write_and_replicates_at_once() {
    let mut l = leader(3, parallel(), CoreMutant::None);
    let out = step(&mut l, write(2));

    let eob = only(
        &out,
        "background EndOfAppendBatch",
        is_eob_with(FlushWait::Background),
    );
    let sends = positions(&out, is_send_append_entries);
    assert_eq!(sends.len(), 2, "{out:#?}");
    assert!(sends.iter().all(|&s| s > eob), "{out:#?}");
    assert_eq!(
        first_blocking(&out),
        None,
        "the leader never waits: {out:#?}"
    );
    assert!(!any(&out, is_wait_durable), "{out:#?}");
}

#[test]
fn one_follower_ack_commits_only_once_the_leader_is_durable() {
    let mut l = leader(3, parallel(), CoreMutant::None);
    step(&mut l, write(2));

    let out = step(&mut l, append_ok(2, 1, 2));
    assert_eq!(
        committed_to(&out),
        None,
        "the leader's volatile copy does not count: {out:#?}"
    );
    assert!(!any(&out, is_reply), "{out:#?}");

    let out = step(&mut l, log_durable(1));
    assert_eq!(
        committed_to(&out),
        None,
        "durable below the entry: {out:#?}"
    );

    let out = step(&mut l, log_durable(2));
    assert_eq!(committed_to(&out), Some(LogIndex(2)), "{out:#?}");
    let apply = only(&out, "Apply", is_apply);
    let reply = only(&out, "Ok reply", is_ok_reply(2));
    assert!(apply < reply, "{out:#?}");
}

#[test]
fn the_leaders_durability_alone_does_not_commit() {
    let mut l = leader(3, parallel(), CoreMutant::None);
    step(&mut l, write(2));
    let out = step(&mut l, log_durable(2));
    assert_eq!(
        committed_to(&out),
        None,
        "one of three is no quorum: {out:#?}"
    );
}

#[test]
fn two_follower_acks_commit_without_the_leaders_durability() {
    let mut l = leader(3, parallel(), CoreMutant::None);
    step(&mut l, write(2));
    let out = step(&mut l, append_ok(2, 1, 2));
    assert_eq!(committed_to(&out), None, "{out:#?}");

    let out = step(&mut l, append_ok(3, 1, 2));
    assert_eq!(
        committed_to(&out),
        Some(LogIndex(2)),
        "a quorum of other nodes holds it durably: {out:#?}"
    );
    only(&out, "Ok reply", is_ok_reply(2));
    assert_eq!(l.last_durable_index(), LogIndex::ZERO);
}

#[test]
fn follower_waits_for_durability_of_the_whole_request_before_answering() {
    let mut f = follower(2, 3, parallel(), CoreMutant::None);
    let entries = vec![client_entry(1, 2), client_entry(1, 3)];
    let out = step(&mut f, append_entries(1, 1, 1, entries, 1));

    let append = only(&out, "Append", is_append);
    let eob = only(
        &out,
        "background EndOfAppendBatch",
        is_eob_with(FlushWait::Background),
    );
    let wait = only(&out, "WaitDurable", is_wait_durable);
    assert_eq!(
        out[wait],
        Action::WaitDurable { index: LogIndex(3) },
        "the request's last index"
    );
    let response = only(&out, "AppendResponse", is_send_append_response);
    assert!(append < eob && eob < wait && wait < response, "{out:#?}");
    assert_eq!(
        first_blocking(&out),
        Some(wait),
        "the wait is what blocks, so no caller can answer before the completion: {out:#?}"
    );
    assert_eq!(append_response(&out), (true, LogIndex(3)));
}

#[test]
fn a_conflict_is_rewritten_with_write_at_and_lowers_the_durable_index() {
    // Node 2 holds entries 2 and 3 of term 1, durable; the leader of term 2 has its no-op
    // at index 2.
    let log = vec![noop(1), client_entry(1, 2), client_entry(1, 3)];
    let mut f = node_from(
        config(2, 3, parallel(), CoreMutant::None),
        recovered(1, log),
    );
    assert_eq!(f.last_durable_index(), LogIndex(3));

    let out = step(&mut f, append_entries(2, 1, 1, vec![noop(2)], 1));
    assert!(!any(&out, is_append), "{out:#?}");
    let write_at = only(&out, "WriteAt", is_write_at);
    assert_eq!(
        out[write_at],
        Action::WriteAt {
            from: LogIndex(2),
            to: LogIndex(2)
        }
    );
    assert!(
        f.last_durable_index() < LogIndex(2),
        "the durable index drops below the truncation point, got {}",
        f.last_durable_index()
    );
    let eob = only(&out, "EndOfAppendBatch", is_eob);
    let wait = only(&out, "WaitDurable", is_wait_durable);
    assert_eq!(out[wait], Action::WaitDurable { index: LogIndex(2) });
    let response = only(&out, "AppendResponse", is_send_append_response);
    assert!(write_at < eob && eob < wait && wait < response, "{out:#?}");

    // The new entry 2 becomes durable: the wait is over.
    step(&mut f, log_durable(2));
    assert_eq!(f.last_durable_index(), LogIndex(2));
    assert_eq!(f.entry(LogIndex(2)).map(|e| e.term), Some(Term(2)));
}
