//! The pipelined follower (`follower_append = "pipelined"`, ClickHouse's NuRaft fork PR
//! #101): the Raft thread never waits for durability; each success answer is held until
//! `LogDurable` covers its match index and then sent, in request order; a truncation or a
//! new term voids held answers. Also the two mutants of this design.
//!
//! Not here: which durable index the log store reports (the world's, sim-cluster) and the
//! crash schedules (scenarios/modes/parallel-append-pipelined-*.toml).

mod common;

use common::*;
use raft_core::{Action, CoreMutant, Durability, Input, LogIndex, Message, NodeId, Term};

fn pipelined() -> Durability {
    Durability::parallel_append_pipelined()
}

/// The match indexes of every AppendResponse in `out`, in order, with their terms.
fn answers(out: &[Action]) -> Vec<(Term, bool, LogIndex)> {
    out.iter()
        .filter_map(|a| match a {
            Action::Send {
                msg:
                    Message::AppendResponse {
                        term,
                        success,
                        match_index,
                        ..
                    },
                ..
            } => Some((*term, *success, *match_index)),
            _ => None,
        })
        .collect()
}

/// An AppendEntries from `leader` (not necessarily node 1).
fn append_from(
    leader: u8,
    term: u64,
    prev: (u64, u64),
    entries: Vec<raft_core::Entry>,
    commit: u64,
) -> Input {
    message(
        leader,
        Message::AppendEntries {
            term: Term(term),
            leader: NodeId(leader),
            prev_index: LogIndex(prev.0),
            prev_term: Term(prev.1),
            entries,
            leader_commit: LogIndex(commit),
        },
    )
}

#[test]
fn an_answer_is_held_until_its_entries_are_durable() {
    let mut f = follower(2, 3, pipelined(), CoreMutant::None);
    let entries = vec![client_entry(1, 2), client_entry(1, 3)];
    let out = step(&mut f, append_entries(1, 1, 1, entries, 3));
    only(&out, "Append", is_append);
    only(&out, "EndOfAppendBatch", is_eob);
    assert!(
        !any(&out, is_wait_durable),
        "the thread does not wait: {out:#?}"
    );
    assert_eq!(first_blocking(&out), None, "{out:#?}");
    assert!(answers(&out).is_empty(), "not durable yet: {out:#?}");
    assert_eq!(committed_to(&out), None, "the commit waits with the answer");

    let out = step(&mut f, log_durable(2));
    assert!(answers(&out).is_empty(), "index 3 is not durable: {out:#?}");

    let out = step(&mut f, log_durable(3));
    assert_eq!(answers(&out), vec![(Term(1), true, LogIndex(3))]);
    assert_eq!(committed_to(&out), Some(LogIndex(3)));
    let commit = only(&out, "Commit", is_commit);
    let answer = only(&out, "AppendResponse", is_send_append_response);
    assert!(commit < answer, "{out:#?}");
}

#[test]
fn requests_go_on_while_the_fsync_runs_and_one_completion_releases_their_answers_in_order() {
    let mut f = follower(2, 3, pipelined(), CoreMutant::None);
    for k in 2..=4 {
        let out = step(
            &mut f,
            append_entries(1, k - 1, 1, vec![client_entry(1, k)], 1),
        );
        assert!(answers(&out).is_empty(), "request {k}: {out:#?}");
    }
    // A heartbeat for what it already holds: the same answer as the last one, coalesced.
    let out = step(&mut f, append_entries(1, 4, 1, vec![], 1));
    assert!(answers(&out).is_empty(), "index 4 is not durable: {out:#?}");

    let out = step(&mut f, log_durable(4));
    assert_eq!(
        answers(&out),
        vec![
            (Term(1), true, LogIndex(2)),
            (Term(1), true, LogIndex(3)),
            (Term(1), true, LogIndex(4)),
        ],
        "{out:#?}"
    );
}

#[test]
fn an_answer_behind_a_held_one_waits_for_it() {
    let mut f = follower(2, 3, pipelined(), CoreMutant::None);
    step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1));
    // A duplicate of the first request, already durable: it must not overtake.
    let out = step(&mut f, append_entries(1, 0, 0, vec![noop(1)], 1));
    assert!(answers(&out).is_empty(), "{out:#?}");
    let out = step(&mut f, log_durable(2));
    assert_eq!(
        answers(&out),
        vec![(Term(1), true, LogIndex(2)), (Term(1), true, LogIndex(1))]
    );
}

#[test]
fn a_truncation_by_a_new_leader_voids_the_answers_held_for_the_old_entries() {
    let mut f = follower(2, 3, pipelined(), CoreMutant::None);
    let entries = vec![client_entry(1, 2), client_entry(1, 3)];
    step(&mut f, append_entries(1, 1, 1, entries, 1));
    // Node 3 leads term 2 with its no-op at index 2: entries 2 and 3 are overwritten.
    let out = step(&mut f, append_from(3, 2, (1, 1), vec![noop(2)], 1));
    only(&out, "WriteAt", is_write_at);
    assert!(answers(&out).is_empty(), "{out:#?}");
    assert!(f.last_durable_index() <= LogIndex(1));

    // A completion of the old write reports index 3: only index 2 is in the log now, and
    // the answer for the old entries 2..=3 must never go out.
    let out = step(&mut f, log_durable(3));
    assert_eq!(f.last_durable_index(), LogIndex(2));
    assert_eq!(
        answers(&out),
        vec![(Term(2), true, LogIndex(2))],
        "{out:#?}"
    );
    let to = out.iter().find_map(|a| match a {
        Action::Send { to, .. } => Some(*to),
        _ => None,
    });
    assert_eq!(to, Some(NodeId(3)), "to the new leader");
}

#[test]
fn a_new_term_drops_held_answers_so_no_stale_success_reaches_a_new_leader() {
    let mut f = follower(2, 3, pipelined(), CoreMutant::None);
    step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1));
    // Node 3 asks for votes in term 2 (its log is as long): the follower moves on.
    let out = step(&mut f, vote_request(3, 2, 2, 1));
    assert!(answers(&out).is_empty(), "{out:#?}");
    assert_eq!(f.term(), Term(2));

    let out = step(&mut f, log_durable(2));
    assert!(
        answers(&out).is_empty(),
        "the answer to term 1's leader is void in term 2: {out:#?}"
    );

    // The new leader's heartbeat covers index 2, now durable: answered at once.
    let out = step(&mut f, append_from(3, 2, (2, 1), vec![], 1));
    assert_eq!(answers(&out), vec![(Term(2), true, LogIndex(2))]);
}

#[test]
fn a_request_without_entries_is_held_while_what_it_matches_is_not_durable() {
    let mut f = follower(2, 3, pipelined(), CoreMutant::None);
    step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1));
    // A new leader in term 2 (the held answer is dropped); its first request carries
    // nothing but matches index 2, which is still in flight to the disk.
    let out = step(&mut f, append_from(3, 2, (2, 1), vec![], 1));
    assert!(
        answers(&out).is_empty(),
        "answering now would claim a non-durable entry: {out:#?}"
    );
    let out = step(&mut f, log_durable(2));
    assert_eq!(answers(&out), vec![(Term(2), true, LogIndex(2))]);
}

#[test]
fn completion_before_pending_loses_the_completion_that_came_before_the_registration() {
    let run = |bug| {
        // Holding the leader's no-op, durable, and no answer held (the `follower` helper
        // would itself lose a completion under the mutant).
        let mut f = node_from(config(2, 3, pipelined(), bug), recovered(1, vec![noop(1)]));
        step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1));
        let at_completion = answers(&step(&mut f, log_durable(2)));
        // Nothing new is written, so no later completion for index 2: only a new write
        // (index 3) and its completion release it.
        let heartbeat = answers(&step(&mut f, append_entries(1, 2, 1, vec![], 1)));
        step(&mut f, append_entries(1, 2, 1, vec![client_entry(1, 3)], 1));
        let later = answers(&step(&mut f, log_durable(3)));
        (at_completion, heartbeat, later)
    };
    let (good_now, good_heartbeat, _) = run(CoreMutant::None);
    assert_eq!(good_now, vec![(Term(1), true, LogIndex(2))]);
    assert_eq!(good_heartbeat, vec![(Term(1), true, LogIndex(2))]);

    let (bad_now, bad_heartbeat, bad_later) = run(CoreMutant::CompletionBeforePending);
    assert!(
        bad_now.is_empty(),
        "the completion found nothing to release"
    );
    assert!(
        bad_heartbeat.is_empty(),
        "answers stay in order behind the lost one"
    );
    assert_eq!(
        bad_later,
        vec![(Term(1), true, LogIndex(2))],
        "a later completion releases it, and loses the answer for its own write the same way"
    );
}

#[test]
fn durable_index_starts_at_zero_holds_a_restarted_followers_heartbeat_answers() {
    let log = vec![noop(1), client_entry(1, 2), client_entry(1, 3)];
    let run = |bug| {
        let mut f = node_from(config(2, 3, pipelined(), bug), recovered(1, log.clone()));
        let durable = f.last_durable_index();
        let out = step(&mut f, append_entries(1, 3, 1, vec![], 3));
        (durable, answers(&out))
    };
    assert_eq!(
        run(CoreMutant::None),
        (LogIndex(3), vec![(Term(1), true, LogIndex(3))])
    );
    assert_eq!(
        run(CoreMutant::DurableIndexStartsAtZero),
        (LogIndex::ZERO, vec![]),
        "nothing new is written, so nothing will ever complete"
    );
}

#[test]
fn the_blocking_follower_is_unchanged_by_either_mutant() {
    for bug in [
        CoreMutant::CompletionBeforePending,
        CoreMutant::DurableIndexStartsAtZero,
    ] {
        let mut f = follower(2, 3, Durability::parallel_append(), bug);
        let mut g = follower(2, 3, Durability::parallel_append(), CoreMutant::None);
        let input = append_entries(1, 1, 1, vec![client_entry(1, 2)], 1);
        assert_eq!(step(&mut f, input.clone()), step(&mut g, input), "{bug:?}");
    }
}

/// `follower-acks-empty-request` (YugabyteDB #32875): a resend of entries the follower
/// already appended, and a heartbeat, bring nothing new, and the mutant answers them at once
/// with the whole match index, although entry 3 is still on its way to the disk; the
/// correct follower holds both answers until the flush covers them.
#[test]
fn follower_acks_empty_request_answers_a_resend_before_its_entries_are_durable() {
    for mutant in [CoreMutant::None, CoreMutant::FollowerAcksEmptyRequest] {
        let mut f = follower(2, 3, pipelined(), mutant);
        let entries = || vec![client_entry(1, 2), client_entry(1, 3)];
        let out = step(&mut f, append_entries(1, 1, 1, entries(), 1));
        assert!(
            answers(&out).is_empty(),
            "{mutant:?}: not durable: {out:#?}"
        );
        let resend = step(&mut f, append_entries(1, 1, 1, entries(), 1));
        assert!(
            !any(&resend, is_append),
            "{mutant:?}: nothing new is written"
        );
        let heartbeat = step(&mut f, append_from(1, 1, (3, 1), vec![], 1));
        let early = [answers(&resend), answers(&heartbeat)].concat();
        if mutant == CoreMutant::None {
            assert!(early.is_empty(), "held until durable: {early:?}");
            let out = step(&mut f, log_durable(3));
            assert_eq!(answers(&out), vec![(Term(1), true, LogIndex(3))]);
        } else {
            assert_eq!(
                early,
                vec![(Term(1), true, LogIndex(3)), (Term(1), true, LogIndex(3))],
                "the mutant claims index 3 before it is durable"
            );
        }
    }
}
