//! Term and vote persistence (NURAFT.md, "Term and vote": `save_state` is synchronous by
//! contract) in every durability mode, the two catalogue bugs that break it, and the
//! up-to-date check a vote depends on.
//!
//! The rule in action-list form: a `SaveState { wait: Blocking }` carrying the new term or
//! vote comes before any `Send` of the step, so nothing leaves before it is durable.

mod common;

use common::*;
use raft_core::{
    AckRule, Action, CoreMutant, Durability, FlushWait, Input, LogIndex, Message, NodeId, Raft,
    Role, Term, Timer,
};

/// Every mode the core knows, with its name for messages.
fn modes() -> [(&'static str, Durability); 4] {
    [
        ("sync", Durability::sync()),
        (
            "async-handler/commit",
            Durability::async_handler(AckRule::OnCommit, FlushWait::Background),
        ),
        (
            "async-handler/commit-and-flush, flush before answer",
            Durability::async_handler(AckRule::OnCommitAndFlush, FlushWait::Blocking),
        ),
        ("parallel-append", Durability::parallel_append()),
    ]
}

/// The only SaveState of the step: (term, vote, wait) and its position.
fn saved(out: &[Action]) -> (usize, Term, Option<NodeId>, FlushWait) {
    let i = only(out, "SaveState", is_save_state);
    let Action::SaveState { term, vote, wait } = out[i] else {
        unreachable!()
    };
    (i, term, vote, wait)
}

/// The step saved (`term`, `vote`) blocking, before any message left.
fn assert_saved_before_sending(out: &[Action], term: u64, vote: Option<u8>, mode: &str) {
    let (i, t, v, wait) = saved(out);
    assert_eq!(
        (t, v, wait),
        (Term(term), vote.map(NodeId), FlushWait::Blocking),
        "{mode}: {out:#?}"
    );
    assert_eq!(first_blocking(out), Some(i), "{mode}: {out:#?}");
    assert!(
        positions(out, is_send).iter().all(|&s| s > i),
        "{mode}: a message left before term and vote were durable: {out:#?}"
    );
}

/// The VoteResponse of the step: granted or not.
fn vote_answer(out: &[Action]) -> bool {
    let i = only(out, "VoteResponse", is_send_vote_response);
    let Action::Send {
        msg: Message::VoteResponse { granted, .. },
        ..
    } = &out[i]
    else {
        unreachable!()
    };
    *granted
}

/// A node 2 of term 1 holding entries 1 and 2 of term 1, all durable.
fn node2_with_two_entries(mode: Durability, bug: CoreMutant) -> Raft {
    let log = vec![noop(1), client_entry(1, 2)];
    node_from(config(2, 3, mode, bug), recovered(1, log))
}

#[test]
fn a_vote_is_saved_blocking_before_it_is_granted() {
    for (name, mode) in modes() {
        let mut f = node(2, 3, mode, CoreMutant::None);
        let out = step(&mut f, vote_request(1, 1, 0, 0));
        assert!(vote_answer(&out), "{name}: {out:#?}");
        assert_saved_before_sending(&out, 1, Some(1), name);
        assert_eq!(f.vote(), Some(NodeId(1)));
    }
}

#[test]
fn a_vote_is_given_once_per_term_and_repeated_without_a_new_save() {
    for (name, mode) in modes() {
        let mut f = node(2, 3, mode, CoreMutant::None);
        step(&mut f, vote_request(1, 1, 0, 0));

        let out = step(&mut f, vote_request(3, 1, 0, 0));
        assert!(!vote_answer(&out), "{name}: already voted for 1: {out:#?}");
        let out = step(&mut f, vote_request(1, 1, 0, 0));
        assert!(vote_answer(&out), "{name}: same candidate again: {out:#?}");
        assert!(!any(&out, is_save_state), "{name}: nothing new to save");
    }
}

#[test]
fn a_higher_term_in_an_append_request_is_saved_before_the_answer() {
    for (name, mode) in modes() {
        let mut f = node(2, 3, mode, CoreMutant::None);
        let out = step(&mut f, append_entries(3, 0, 0, vec![noop(3)], 0));
        assert_saved_before_sending(&out, 3, None, name);
        let save = saved(&out).0;
        let write = only(&out, "Append", is_append);
        assert!(save < write, "{name}: the term before the log: {out:#?}");
        assert_eq!(append_response(&out), (true, LogIndex(1)), "{name}");
    }
}

#[test]
fn a_higher_term_in_a_refused_vote_request_is_saved_before_the_refusal() {
    for (name, mode) in modes() {
        let mut f = node2_with_two_entries(mode, CoreMutant::None);
        // Candidate 3's log is shorter: refused, but its term is adopted.
        let out = step(&mut f, vote_request(3, 2, 1, 1));
        assert!(!vote_answer(&out), "{name}: {out:#?}");
        assert_saved_before_sending(&out, 2, None, name);
        assert_eq!((f.term(), f.vote()), (Term(2), None));
    }
}

#[test]
fn a_higher_term_in_a_response_is_saved_as_the_leader_steps_down() {
    for (name, mode) in modes() {
        let mut l = leader(3, mode, CoreMutant::None);
        let out = step(
            &mut l,
            message(
                2,
                Message::AppendResponse {
                    term: Term(4),
                    success: false,
                    match_index: LogIndex(0),
                    pause: false,
                },
            ),
        );
        assert_saved_before_sending(&out, 4, None, name);
        assert!(!any(&out, is_send), "{name}: nothing to answer: {out:#?}");
        assert_eq!(l.role(), Role::Follower, "{name}");
    }
}

#[test]
fn a_higher_term_in_a_vote_response_is_saved_as_the_candidate_steps_down() {
    for (name, mode) in modes() {
        let mut c = node(1, 3, mode, CoreMutant::None);
        step(&mut c, Input::Timer(Timer::Election));
        let out = step(
            &mut c,
            message(
                2,
                Message::VoteResponse {
                    term: Term(3),
                    granted: false,
                },
            ),
        );
        assert_saved_before_sending(&out, 3, None, name);
        assert_eq!((c.role(), c.term()), (Role::Follower, Term(3)), "{name}");
    }
}

#[test]
fn a_candidate_saves_its_own_vote_before_asking_for_votes() {
    for (name, mode) in modes() {
        let mut c = node(1, 3, mode, CoreMutant::None);
        let out = step(&mut c, Input::Timer(Timer::Election));
        assert_eq!(positions(&out, is_send_vote_request).len(), 2, "{name}");
        assert_saved_before_sending(&out, 1, Some(1), name);
        assert_eq!(c.role(), Role::Candidate);
    }
}

#[test]
fn vote_not_persisted_saves_votes_in_the_background_only() {
    for (name, mode) in modes() {
        let bug = CoreMutant::VoteNotPersisted;
        let mut f = node(2, 3, mode, bug);
        let out = step(&mut f, vote_request(1, 1, 0, 0));
        assert!(vote_answer(&out), "{name}");
        assert_eq!(saved(&out).3, FlushWait::Background, "{name}: {out:#?}");
        assert_eq!(first_blocking(&out), None, "{name}: {out:#?}");

        let mut c = node(1, 3, mode, bug);
        let out = step(&mut c, Input::Timer(Timer::Election));
        assert_eq!(saved(&out).3, FlushWait::Background, "{name}: self-vote");

        // A term adopted without a vote is still saved blocking.
        let mut f = node(2, 3, mode, bug);
        let out = step(&mut f, append_entries(1, 0, 0, Vec::new(), 0));
        assert_saved_before_sending(&out, 1, None, name);
    }
}

#[test]
fn term_not_persisted_saves_term_only_changes_in_the_background() {
    for (name, mode) in modes() {
        let bug = CoreMutant::TermNotPersisted;
        let mut f = node(2, 3, mode, bug);
        let out = step(&mut f, append_entries(1, 0, 0, Vec::new(), 0));
        let (_, term, vote, wait) = saved(&out);
        assert_eq!(
            (term, vote, wait),
            (Term(1), None, FlushWait::Background),
            "{name}: {out:#?}"
        );

        // A refused vote in a higher term is a term-only change too.
        let mut f = node2_with_two_entries(mode, bug);
        let out = step(&mut f, vote_request(3, 2, 1, 1));
        assert_eq!(saved(&out).3, FlushWait::Background, "{name}: {out:#?}");

        // A vote in the node's current term is no term change: still saved blocking.
        // (Whether a vote granted together with a new term counts as the term's or the
        // vote's save is the bug's own definition, not pinned here.)
        let mut f = node_from(config(2, 3, mode, bug), recovered(1, Vec::new()));
        let out = step(&mut f, vote_request(1, 1, 0, 0));
        assert_saved_before_sending(&out, 1, Some(1), name);
    }
}

#[test]
fn a_candidate_with_a_shorter_log_of_the_same_last_term_is_refused() {
    let mode = Durability::sync();
    // Node 2's log: entries 1 and 2 of term 1.
    let cases = [
        // (candidate's last index, last term, granted)
        (1, 1, false), // same last term, shorter
        (3, 0, false), // longer, older last term
        (2, 1, true),  // equal
        (3, 1, true),  // same last term, longer
        (1, 2, true),  // shorter, newer last term
    ];
    for (last_index, last_term, granted) in cases {
        let mut f = node2_with_two_entries(mode, CoreMutant::None);
        let out = step(&mut f, vote_request(3, 2, last_index, last_term));
        assert_eq!(
            vote_answer(&out),
            granted,
            "candidate with last entry {last_index} of term {last_term}: {out:#?}"
        );
        assert_eq!(f.vote(), granted.then_some(NodeId(3)));
    }
}
