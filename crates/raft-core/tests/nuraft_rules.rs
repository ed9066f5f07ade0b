//! The places where NuRaft's rules decide a verdict (NURAFT.md, "Details that decide
//! verdicts"): a new leader's configuration entry is flushed, blocking, in every mode, and
//! so is that entry on a follower; the commit rule counts replicas of entries of earlier
//! terms (`CommitRule::Nuraft`) or only of the leader's own (`CommitRule::CurrentTerm`,
//! Raft §5.4.2); an answer of an earlier term still sets a matched index under NuRaft's
//! rule.
//!
//! Not here: the order of a client write per mode (`sync_mode.rs`, `parallel_append.rs`,
//! `async_handler.rs`).

mod common;

use common::*;
use raft_core::{
    AckRule, Action, CommitRule, CoreMutant, Durability, FlushWait, Input, LogIndex, Message,
    NodeId, Raft, Role, Term, Timer,
};

fn modes() -> [(&'static str, Durability); 3] {
    [
        ("sync", Durability::sync()),
        (
            "async-handler",
            Durability::async_handler(AckRule::OnCommit, FlushWait::Background),
        ),
        ("parallel-append", Durability::parallel_append()),
    ]
}

#[test]
fn a_new_leader_flushes_its_configuration_entry_blocking_in_every_mode_before_sending_it() {
    for (name, d) in modes() {
        let mut l = node(1, 3, d, CoreMutant::None);
        step(&mut l, Input::Timer(Timer::Election));
        let out = step(&mut l, vote_granted(2, 1));
        assert_eq!(l.role(), Role::Leader, "{name}");
        let append = only(&out, "Append", is_append);
        let flush = only(&out, "FlushLog", |a| matches!(a, Action::FlushLog));
        assert!(
            out[flush].blocks(),
            "{name}: the flush blocks the Raft thread"
        );
        assert!(
            !any(&out, is_eob),
            "{name}: no end_of_append_batch: {out:#?}"
        );
        let sends = positions(&out, is_send_append_entries);
        assert_eq!(sends.len(), 2, "{name}: {out:#?}");
        assert!(
            append < flush && sends.iter().all(|&s| s > flush),
            "{name}: write, flush, then send: {out:#?}"
        );
    }
}

#[test]
fn a_follower_flushes_a_configuration_entry_before_writing_the_entries_after_it() {
    for (name, d) in modes() {
        let mut f = follower(2, 3, d, CoreMutant::None);
        let entries = vec![client_entry(1, 2), noop(2), client_entry(2, 4)];
        let out = step(&mut f, append_entries(2, 1, 1, entries, 1));
        let writes: Vec<&Action> = out
            .iter()
            .filter(|a| is_append(a) || matches!(a, Action::FlushLog) || is_eob(a))
            .collect();
        assert!(
            matches!(
                writes.as_slice(),
                [
                    Action::Append {
                        from: LogIndex(2),
                        to: LogIndex(3)
                    },
                    Action::FlushLog,
                    Action::Append {
                        from: LogIndex(4),
                        to: LogIndex(4)
                    },
                    Action::EndOfAppendBatch {
                        start: LogIndex(2),
                        count: 3,
                        ..
                    },
                ]
            ),
            "{name}: {writes:#?}"
        );
        let flush = only(&out, "FlushLog", |a| matches!(a, Action::FlushLog));
        assert!(
            out[flush].blocks(),
            "{name}: the flush blocks the Raft thread"
        );
    }
}

/// Node 1 restarted with entries 1..=3 of term 1 (1 a no-op), none of them committed, and
/// wins term 3 with node 2's vote; node 2 holds entry 1 only. With one entry per request
/// the first request node 2 accepts carries entry 2, of term 1.
fn leader_of_term_3(rule: CommitRule) -> Raft {
    let log = vec![noop(1), client_entry(1, 2), client_entry(1, 3)];
    let mut cfg = config(1, 3, Durability::parallel_append(), CoreMutant::None);
    cfg.commit_rule = rule;
    cfg.max_append_batch = 1;
    let mut l = node_from(cfg, recovered(2, log));
    step(&mut l, Input::Timer(Timer::Election));
    step(&mut l, vote_granted(2, 3));
    assert_eq!((l.role(), l.term()), (Role::Leader, Term(3)));
    step(&mut l, log_durable(4));
    l
}

fn rejected(peer: u8, term: u64, hint: u64) -> Input {
    message(
        peer,
        Message::AppendResponse {
            term: Term(term),
            success: false,
            match_index: LogIndex(hint),
            pause: false,
        },
    )
}

#[test]
fn nuraft_commits_an_earlier_term_entry_by_counting_replicas_current_term_does_not() {
    for (rule, expect) in [
        (CommitRule::Nuraft, Some(LogIndex(2))),
        (CommitRule::CurrentTerm, None),
    ] {
        let mut l = leader_of_term_3(rule);
        // Node 2 lacks entry 3: it rejects, the leader jumps to its hint and sends entry 2.
        let out = step(&mut l, rejected(2, 3, 1));
        let sent = out.iter().find_map(|a| match a {
            Action::Send {
                to: NodeId(2),
                msg: Message::AppendEntries { entries, .. },
            } => Some(entries.clone()),
            _ => None,
        });
        assert_eq!(sent, Some(vec![client_entry(1, 2)]), "{rule:?}: {out:#?}");
        // Node 2 accepts entry 2 (of term 1): leader and node 2 make a quorum at index 2.
        let out = step(&mut l, append_ok(2, 3, 2));
        assert_eq!(committed_to(&out), expect, "{rule:?}: {out:#?}");
    }
}

#[test]
fn nuraft_takes_the_matched_index_of_an_earlier_terms_answer_current_term_ignores_it() {
    for (rule, expect) in [
        (CommitRule::Nuraft, Some(LogIndex(3))),
        (CommitRule::CurrentTerm, None),
    ] {
        let mut l = leader_of_term_3(rule);
        // A late success of term 2 from node 2 that covers entry 3.
        let out = step(&mut l, append_ok(2, 2, 3));
        assert_eq!(committed_to(&out), expect, "{rule:?}: {out:#?}");
    }
}

#[test]
fn current_term_commits_the_earlier_entries_with_its_own() {
    let mut l = leader_of_term_3(CommitRule::CurrentTerm);
    let out = step(&mut l, append_ok(2, 3, 4));
    assert_eq!(committed_to(&out), Some(LogIndex(4)), "{out:#?}");
}

#[test]
fn a_broken_connection_forgets_the_peers_matched_index() {
    // A parallel-append leader whose own write of entries 2 and 3 is not durable yet:
    // node 2's answer (matched 3) cannot commit them alone.
    let run = |broken: bool| {
        let mut l = leader(3, Durability::parallel_append(), CoreMutant::None);
        step(&mut l, write(2));
        step(&mut l, write(3));
        let out = step(&mut l, append_ok(2, 1, 3));
        assert_eq!(committed_to(&out), None, "{out:#?}");
        if broken {
            step(&mut l, Input::PeerUnreachable { peer: NodeId(2) });
        }
        step(&mut l, Input::Timer(Timer::Heartbeat));
        // The leader's write completes: with node 2's matched index it has a quorum at 3.
        committed_to(&step(&mut l, log_durable(3)))
    };
    assert_eq!(run(false), Some(LogIndex(3)));
    assert_eq!(
        run(true),
        None,
        "the re-created connection forgot that node 2 holds entry 3"
    );
}
