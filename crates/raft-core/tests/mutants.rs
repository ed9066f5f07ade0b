//! The catalogue bugs that live in the core (`CoreMutant`): each changes exactly the step its
//! documentation names, and nothing else.
//!
//! Each test runs the same inputs with `CoreMutant::None` and with the bug and compares the
//! action lists: the difference must be the documented one. A mutant that changed more
//! (or less) would make the simulator's findings about it meaningless. The last test runs
//! one leader and one follower script in every mode and checks where each bug is inert.

mod common;

use common::*;
use raft_core::{
    AckRule, Action, ClientResult, Command, CoreMutant, Durability, FlushWait, Input, LogIndex,
    ReqId, Timer,
};

fn sync() -> Durability {
    Durability::sync()
}

fn parallel() -> Durability {
    Durability::parallel_append()
}

/// `actions` without the ones matching `pred`.
fn without(actions: &[Action], pred: impl Fn(&Action) -> bool) -> Vec<Action> {
    actions.iter().filter(|a| !pred(a)).cloned().collect()
}

fn is_commit_apply_or_reply(a: &Action) -> bool {
    is_commit(a) || is_apply(a) || is_reply(a)
}

#[test]
fn leader_counts_unflushed_commits_with_one_follower_ack_before_log_durable() {
    let run = |bug| {
        let mut l = leader(3, parallel(), bug);
        step(&mut l, write(2));
        step(&mut l, append_ok(2, 1, 2))
    };
    let (good, bad) = (
        run(CoreMutant::None),
        run(CoreMutant::LeaderCountsUnflushed),
    );
    assert_eq!(committed_to(&good), None, "{good:#?}");
    assert_eq!(committed_to(&bad), Some(LogIndex(2)), "{bad:#?}");
    only(&bad, "Ok reply", is_ok_reply(2));
    assert_eq!(
        without(&bad, is_commit_apply_or_reply),
        good,
        "only the commit (and what follows it) differs"
    );
}

#[test]
fn follower_acks_before_flush_makes_the_sync_batch_background() {
    let run = |bug| {
        let mut f = follower(2, 3, sync(), bug);
        step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1))
    };
    let (good, bad) = (
        run(CoreMutant::None),
        run(CoreMutant::FollowerAcksBeforeFlush),
    );
    let eob = only(&good, "blocking EOB", is_eob_with(FlushWait::Blocking));
    let mut expected = good.clone();
    let Action::EndOfAppendBatch { flush, .. } = &mut expected[eob] else {
        unreachable!()
    };
    *flush = FlushWait::Background;
    assert_eq!(bad, expected, "only the batch's flush changes");
    assert_eq!(first_blocking(&bad), None, "it answers before the flush");
}

#[test]
fn follower_acks_before_flush_drops_the_parallel_wait() {
    let run = |bug| {
        let mut f = follower(2, 3, parallel(), bug);
        step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 1))
    };
    let (good, bad) = (
        run(CoreMutant::None),
        run(CoreMutant::FollowerAcksBeforeFlush),
    );
    only(&good, "WaitDurable", is_wait_durable);
    assert!(!any(&bad, is_wait_durable), "{bad:#?}");
    assert_eq!(bad, without(&good, is_wait_durable));
}

#[test]
fn apply_before_durable_applies_before_the_follower_batch_ends() {
    for mode in [sync(), parallel()] {
        let run = |bug| {
            let mut f = follower(2, 3, mode, bug);
            step(&mut f, append_entries(1, 1, 1, vec![client_entry(1, 2)], 2))
        };
        let (good, bad) = (run(CoreMutant::None), run(CoreMutant::ApplyBeforeDurable));
        let apply = |out: &[Action]| positions(out, is_apply);
        let eob = |out: &[Action]| only(out, "EOB", is_eob);
        assert_eq!(apply(&bad).len(), 2, "entries 1 and 2: {bad:#?}");
        assert!(apply(&bad).iter().all(|&a| a < eob(&bad)), "{bad:#?}");
        assert!(apply(&good).iter().all(|&a| a > eob(&good)), "{good:#?}");
        if let Some(wait) = positions(&good, is_wait_durable).first() {
            assert!(apply(&good).iter().all(|&a| a > *wait), "{good:#?}");
        }
        // The same actions, only moved.
        let is_c_or_a = |a: &Action| is_commit(a) || is_apply(a);
        assert_eq!(without(&bad, is_c_or_a), without(&good, is_c_or_a));
        let moved = |out: &[Action]| -> Vec<Action> {
            out.iter().filter(|a| is_c_or_a(a)).cloned().collect()
        };
        assert_eq!(moved(&bad), moved(&good));
    }
}

#[test]
fn commit_index_not_clamped_commits_to_the_followers_log_end() {
    // Node 2 holds entries 2 and 3 of term 1; the leader of term 2 vouches for index 3
    // of its own log but sends only what matches at index 1.
    let run = |bug| {
        let log = vec![noop(1), client_entry(1, 2), client_entry(1, 3)];
        let mut f = node_from(config(2, 3, sync(), bug), recovered(1, log));
        step(&mut f, append_entries(2, 1, 1, Vec::new(), 3))
    };
    let (good, bad) = (
        run(CoreMutant::None),
        run(CoreMutant::CommitIndexNotClamped),
    );
    assert_eq!(
        committed_to(&good),
        Some(LogIndex(1)),
        "min(leader commit, last new index): {good:#?}"
    );
    assert_eq!(
        committed_to(&bad),
        Some(LogIndex(3)),
        "past the request, to the log end: {bad:#?}"
    );
    assert_eq!(positions(&bad, is_apply).len(), 3, "{bad:#?}");
    assert_eq!(
        without(&bad, |a| is_commit(a) || is_apply(a)),
        without(&good, |a| is_commit(a) || is_apply(a))
    );
    assert_eq!(append_response(&bad), append_response(&good));
}

#[test]
fn ack_before_commit_answers_a_write_right_after_appending() {
    let bug = CoreMutant::AckBeforeCommit;
    let mut good_leader = leader(3, sync(), CoreMutant::None);
    let mut bad_leader = leader(3, sync(), bug);

    let good = step(&mut good_leader, write(2));
    let bad = step(&mut bad_leader, write(2));
    let reply = only(&bad, "Ok reply", is_ok_reply(2));
    assert!(only(&bad, "Append", is_append) < reply, "{bad:#?}");
    assert_eq!(committed_to(&bad), None, "answered before any commit");
    assert_eq!(without(&bad, is_reply), good);
    // The client-path flush returns on both.
    step(&mut good_leader, log_durable(2));
    step(&mut bad_leader, log_durable(2));

    // At the commit, the answer it already gave is not given again.
    let good = step(&mut good_leader, append_ok(2, 1, 2));
    let bad = step(&mut bad_leader, append_ok(2, 1, 2));
    only(&good, "Ok reply", is_ok_reply(2));
    assert!(!any(&bad, is_reply), "{bad:#?}");
    assert_eq!(bad, without(&good, is_reply));

    // A read is still answered when applied.
    let read = Input::ClientRequest {
        client: CLIENT,
        req: ReqId(3),
        command: Command::Read { key: 1 },
    };
    let out = step(&mut bad_leader, read);
    assert!(!any(&out, is_reply), "{out:#?}");
    step(&mut bad_leader, log_durable(3));
    let out = step(&mut bad_leader, append_ok(2, 1, 3));
    let i = only(&out, "reply", is_reply);
    assert!(
        matches!(
            out[i],
            Action::ClientReply {
                result: ClientResult::Ok {
                    read: Some(Some(2))
                },
                ..
            }
        ),
        "{out:#?}"
    );
}

#[test]
fn vote_and_term_bugs_change_only_the_wait_of_the_save() {
    let background = |out: &[Action]| -> Vec<Action> {
        out.iter()
            .cloned()
            .map(|a| match a {
                Action::SaveState { term, vote, .. } => Action::SaveState {
                    term,
                    vote,
                    wait: FlushWait::Background,
                },
                a => a,
            })
            .collect()
    };
    let grant = |bug| step(&mut node(2, 3, sync(), bug), vote_request(1, 1, 0, 0));
    assert_eq!(
        grant(CoreMutant::VoteNotPersisted),
        background(&grant(CoreMutant::None))
    );
    let adopt = |bug| {
        let mut f = node(2, 3, sync(), bug);
        step(&mut f, append_entries(1, 0, 0, vec![noop(1)], 0))
    };
    assert_eq!(
        adopt(CoreMutant::TermNotPersisted),
        background(&adopt(CoreMutant::None))
    );
}

/// The leader script: election, the no-op acknowledged, a write acknowledged by one
/// follower, its durability, the second follower's ack.
fn leader_script(mode: Durability, bug: CoreMutant) -> Vec<Vec<Action>> {
    let mut l = node(1, 3, mode, bug);
    let inputs = [
        Input::Timer(Timer::Election),
        vote_granted(2, 1),
        append_ok(2, 1, 1),
        append_ok(3, 1, 1),
        write(2),
        append_ok(2, 1, 2),
        log_durable(2),
        append_ok(3, 1, 2),
    ];
    inputs.into_iter().map(|i| step(&mut l, i)).collect()
}

/// The follower script: the no-op, its durability, a write with the no-op's commit, its
/// durability, a heartbeat committing the write.
fn follower_script(mode: Durability, bug: CoreMutant) -> Vec<Vec<Action>> {
    let mut f = node(2, 3, mode, bug);
    let inputs = [
        append_entries(1, 0, 0, vec![noop(1)], 0),
        log_durable(1),
        append_entries(1, 1, 1, vec![client_entry(1, 2)], 1),
        log_durable(2),
        append_entries(1, 2, 1, Vec::new(), 2),
    ];
    inputs.into_iter().map(|i| step(&mut f, i)).collect()
}

#[test]
fn each_bug_is_inert_outside_the_step_it_breaks() {
    let modes = [
        ("sync", sync()),
        (
            "async/background",
            Durability::async_handler(AckRule::OnCommit, FlushWait::Background),
        ),
        (
            "async/before-answer",
            Durability::async_handler(AckRule::OnCommitAndFlush, FlushWait::Blocking),
        ),
        ("parallel", parallel()),
    ];
    // (bug, modes in which the leader script differs, modes in which the follower's does)
    let table: [(CoreMutant, &[&str], &[&str]); 7] = [
        (CoreMutant::LeaderCountsUnflushed, &["parallel"], &[]),
        (
            CoreMutant::FollowerAcksBeforeFlush,
            &[],
            &["sync", "async/before-answer", "parallel"],
        ),
        (
            CoreMutant::VoteNotPersisted,
            &[
                "sync",
                "async/background",
                "async/before-answer",
                "parallel",
            ],
            &[],
        ),
        (
            CoreMutant::TermNotPersisted,
            &[],
            &[
                "sync",
                "async/background",
                "async/before-answer",
                "parallel",
            ],
        ),
        (
            CoreMutant::ApplyBeforeDurable,
            &[],
            &[
                "sync",
                "async/background",
                "async/before-answer",
                "parallel",
            ],
        ),
        (CoreMutant::CommitIndexNotClamped, &[], &[]),
        (
            CoreMutant::AckBeforeCommit,
            &[
                "sync",
                "async/background",
                "async/before-answer",
                "parallel",
            ],
            &[],
        ),
    ];
    for (bug, leader_differs, follower_differs) in table {
        for (name, mode) in modes {
            if bug == CoreMutant::TermNotPersisted {
                // The leader script's only term change is the candidate's own, saved with
                // its self-vote: whether the bug covers that save is its definition's
                // business (see term_and_vote.rs), so that column is not pinned.
            } else {
                let leader_changed =
                    leader_script(mode, bug) != leader_script(mode, CoreMutant::None);
                assert_eq!(
                    leader_changed,
                    leader_differs.contains(&name),
                    "{bug:?} on the leader in {name}"
                );
            }
            let follower_changed =
                follower_script(mode, bug) != follower_script(mode, CoreMutant::None);
            assert_eq!(
                follower_changed,
                follower_differs.contains(&name),
                "{bug:?} on a follower in {name}"
            );
        }
    }
}
