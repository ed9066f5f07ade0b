//! One checker per invariant, behind one trait.
//!
//! Each file here judges one [`Invariant`](sim_trace::Invariant) of the run and holds only
//! the state that invariant needs (the leader of each term, the entries applied, the open
//! hazard windows, ...). What several invariants need — each node's log and media, the
//! committed prefix, the client history — is the shared [`View`], which the
//! [`Checker`](crate::Checker) updates once per event before any checker sees it.
//!
//! A checker is shown [`Step`]s: every trace event, then what the view derived from it
//! (entries committed, committed differently, lost), then the end of the trace; and at the
//! very end it gives its verdict in [`InvariantChecker::finish`]. It reports what it finds
//! to [`Findings`]. The order in which the checkers are asked is fixed (`checker.rs`), so
//! the findings of one event always come out in the same order.
//!
//! This module is not the view (it never changes it) and not the story of a lost entry
//! (`story.rs`), which several checkers tell.

mod acked_write_lost;
mod applied_index_regressed;
mod duplicate_append;
mod durability_hazard;
mod durability_loss;
mod election_safety;
mod incompatible_reads;
mod leader_completeness;
mod linearizability;
mod liveness;
mod log_matching;
mod lost_append;
#[cfg(test)]
mod script;
mod state_machine_safety;
mod term_vote_lost;

pub(crate) use acked_write_lost::AckedWriteLost;
pub(crate) use applied_index_regressed::AppliedIndexRegressed;
pub(crate) use duplicate_append::DuplicateAppend;
pub(crate) use durability_hazard::DurabilityHazard;
pub use durability_hazard::HazardSummary;
pub(crate) use durability_loss::DurabilityLoss;
pub(crate) use election_safety::ElectionSafety;
pub(crate) use incompatible_reads::IncompatibleReads;
pub(crate) use leader_completeness::LeaderCompleteness;
pub(crate) use linearizability::Linearizability;
pub(crate) use liveness::Liveness;
pub use liveness::LivenessBound;
pub(crate) use log_matching::LogMatching;
pub(crate) use lost_append::LostAppend;
pub(crate) use state_machine_safety::StateMachineSafety;
pub(crate) use term_vote_lost::TermVoteLost;

use crate::findings::Findings;
use crate::node_view::EntryId;
use crate::view::View;
use raft_core::{LogIndex, NodeId, ReqId};
use sim_trace::{FileKind, Invariant, ReadValue, TraceEvent};

/// What the end of the run checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndChecks {
    /// The run had a heal phase and reached its end: check everything.
    AfterHeal,
    /// No heal phase (`heal_ms = 0`) or the run stopped early: only what holds at any
    /// instant (linearizability, hazards).
    NoHeal,
}

/// One thing a checker is shown, at the view's `now`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step<'a> {
    /// A trace event, after the view took it in.
    Event(&'a TraceEvent),
    /// Derived from the event before: entry `index` joined the committed prefix.
    Committed { index: LogIndex },
    /// Derived: `node` committed `id` at `index`, where the cluster had committed another
    /// entry.
    CommittedOther {
        node: NodeId,
        index: LogIndex,
        id: EntryId,
    },
    /// Derived: the committed entry at `index` is held by no node any more.
    Lost { index: LogIndex },
    /// The trace ended: what is still open stays open.
    End,
}

/// The kinds of [`Step`] a checker reads, a bit each ([`InvariantChecker::READS`]): the
/// checker is asked about those only. `every_checker_reads_what_its_code_names` keeps each
/// checker's list honest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reads(u32);

impl Reads {
    pub const NOTHING: Reads = Reads(0);
    pub const ROLE: Reads = Reads(1 << 0);
    pub const APPEND: Reads = Reads(1 << 1);
    pub const APPLY: Reads = Reads(1 << 2);
    pub const RESTART: Reads = Reads(1 << 3);
    pub const CLIENT_OK: Reads = Reads(1 << 4);
    pub const DURABLE: Reads = Reads(1 << 5);
    pub const COMMIT: Reads = Reads(1 << 6);
    pub const HEAL: Reads = Reads(1 << 7);
    pub const SAVE_STATE: Reads = Reads(1 << 8);
    pub const SNAPSHOT: Reads = Reads(1 << 9);
    /// A `flush` of the state file (the only file whose flushes a checker reads).
    pub const FLUSH: Reads = Reads(1 << 10);
    /// A `flush-done` of the state file.
    pub const FLUSH_DONE: Reads = Reads(1 << 11);
    pub const COMMITTED: Reads = Reads(1 << 12);
    pub const COMMITTED_OTHER: Reads = Reads(1 << 13);
    pub const LOST: Reads = Reads(1 << 14);
    pub const END: Reads = Reads(1 << 15);

    /// Both lists.
    pub const fn and(self, other: Reads) -> Reads {
        Reads(self.0 | other.0)
    }

    /// The list as bits, for a kind that is a constant parameter.
    pub const fn bits(self) -> u32 {
        self.0
    }

    pub const fn from_bits(bits: u32) -> Reads {
        Reads(bits)
    }

    /// Whether this list has `kind` (one bit) on it.
    #[inline]
    pub fn has(self, kind: Reads) -> bool {
        self.0 & kind.0 != 0
    }
}

impl<'a> Step<'a> {
    /// This step's kind, as [`Reads`] lists it. Nothing for an event no checker reads
    /// (messages, timers, disk operations, blocks: most of a run's events), which the
    /// checker then shows to none. A checker that starts reading another kind of event
    /// adds it here; `every_kind_a_checker_reads_has_a_kind` keeps the list honest.
    #[inline]
    pub fn kind(self) -> Reads {
        match self {
            Step::Event(ev) => match ev {
                TraceEvent::Role { .. } => Reads::ROLE,
                TraceEvent::Append { .. } => Reads::APPEND,
                TraceEvent::Apply { .. } => Reads::APPLY,
                TraceEvent::Restart { .. } => Reads::RESTART,
                TraceEvent::ClientOk { .. } => Reads::CLIENT_OK,
                TraceEvent::Durable { .. } => Reads::DURABLE,
                TraceEvent::Commit { .. } => Reads::COMMIT,
                TraceEvent::Heal => Reads::HEAL,
                TraceEvent::SaveState { .. } => Reads::SAVE_STATE,
                TraceEvent::Snapshot { .. } => Reads::SNAPSHOT,
                TraceEvent::Flush {
                    file: FileKind::State,
                    ..
                } => Reads::FLUSH,
                TraceEvent::FlushDone {
                    file: FileKind::State,
                    ..
                } => Reads::FLUSH_DONE,
                _ => Reads::NOTHING,
            },
            Step::Committed { .. } => Reads::COMMITTED,
            Step::CommittedOther { .. } => Reads::COMMITTED_OTHER,
            Step::Lost { .. } => Reads::LOST,
            Step::End => Reads::END,
        }
    }

    /// A list read's answer, if this is one: its request and the elements it returned (what
    /// the list-append checkers judge).
    pub fn list_read(self) -> Option<(ReqId, &'a [u64])> {
        match self {
            Step::Event(TraceEvent::ClientOk {
                req,
                value: ReadValue::List(list),
                ..
            }) => Some((*req, list)),
            _ => None,
        }
    }
}

/// A checker of one invariant.
pub(crate) trait InvariantChecker {
    /// The kinds of step [`observe`](InvariantChecker::observe) reads; it is shown no
    /// other. Every kind its code names must be here (a test reads the code to check), and
    /// a step of a kind it does not name must change nothing in it.
    const READS: Reads;

    /// The invariant it judges; it reports no other.
    fn invariant(&self) -> Invariant;

    /// Watches one step; the view already includes it. It is shown only the kinds it
    /// lists in [`READS`](InvariantChecker::READS), and returns at once on one of those it
    /// does not judge (a `role` that is not a leader's).
    fn observe(&mut self, step: Step<'_>, view: &View, out: &mut Findings<'_>);

    /// The verdict at the end of the run, after [`Step::End`].
    fn finish(&mut self, _checks: EndChecks, _view: &View, _out: &mut Findings<'_>) {}
}

#[cfg(test)]
mod kind_tests {
    /// Every checker's file (its name without `.rs`) and its source.
    const CHECKERS: [(&str, &str); 14] = [
        ("acked_write_lost", include_str!("acked_write_lost.rs")),
        (
            "applied_index_regressed",
            include_str!("applied_index_regressed.rs"),
        ),
        ("duplicate_append", include_str!("duplicate_append.rs")),
        ("durability_hazard", include_str!("durability_hazard.rs")),
        ("durability_loss", include_str!("durability_loss.rs")),
        ("election_safety", include_str!("election_safety.rs")),
        ("incompatible_reads", include_str!("incompatible_reads.rs")),
        (
            "leader_completeness",
            include_str!("leader_completeness.rs"),
        ),
        ("linearizability", include_str!("linearizability.rs")),
        ("liveness", include_str!("liveness.rs")),
        ("log_matching", include_str!("log_matching.rs")),
        ("lost_append", include_str!("lost_append.rs")),
        (
            "state_machine_safety",
            include_str!("state_machine_safety.rs"),
        ),
        ("term_vote_lost", include_str!("term_vote_lost.rs")),
    ];

    /// Every `TraceEvent` kind a checker's code names (outside its tests), except the kinds
    /// checkers only build (`Hazard`, `Violation`), is one `Step::kind` gives a kind: a
    /// checker that starts reading a new kind fails this until the list names it.
    #[test]
    fn every_kind_a_checker_reads_has_a_kind() {
        let this = include_str!("mod.rs");
        let list = &this[this.find("pub fn kind(self)").expect("Step::kind")..];
        let list = &list[..list.find("\n    }\n").expect("its end")];
        // The steps this file reads for the checkers (`Step::list_read`).
        let helpers = &this[this.find("impl<'a> Step<'a>").expect("Step's helpers")..];
        let helpers = &helpers[..helpers.find("\n}").expect("their end")];
        for src in CHECKERS.map(|(_, src)| src).into_iter().chain([helpers]) {
            let code = src.split("#[cfg(test)]").next().expect("code");
            for (at, _) in code.match_indices("TraceEvent::") {
                let name: String = code[at + 12..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                if ["Hazard", "Violation"].contains(&name.as_str()) {
                    continue;
                }
                assert!(
                    list.contains(&format!("TraceEvent::{name}")),
                    "a checker reads TraceEvent::{name}, which `Step::kind` gives no kind"
                );
            }
        }
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/invariants"))
            .expect("the invariants folder")
            .count();
        // The checkers above, this file and the test script.
        assert_eq!(
            files,
            CHECKERS.len() + 2,
            "a new checker file is missing from this test"
        );
    }

    /// The names `name` follows in `code`, whole (`Step::Committed` is not
    /// `Step::CommittedOther`).
    fn names_after<'c>(code: &'c str, prefix: &str) -> Vec<&'c str> {
        code.match_indices(prefix)
            .map(|(at, _)| {
                let rest = &code[at + prefix.len()..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    /// `ClientOk` as `CLIENT_OK`.
    fn screaming(name: &str) -> String {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    /// Each checker's `READS` names exactly the steps its code reads (outside its tests):
    /// the events it matches, the derived steps it matches, and a list read's answer when
    /// it calls `list_read`. One it forgot would never reach it, and its invariant would go
    /// unjudged without a word.
    #[test]
    fn every_checker_reads_what_its_code_names() {
        for (file, src) in CHECKERS {
            let code = src.split("#[cfg(test)]").next().expect("code");
            let decl = &code[code.find("const READS: Reads =").expect("a READS list")..];
            let decl = &decl[..decl.find(';').expect("its end")];
            let mut declared: Vec<String> = names_after(decl, "Reads::")
                .into_iter()
                .filter(|n| *n != "NOTHING")
                .map(str::to_string)
                .collect();
            let mut read: Vec<String> = names_after(code, "TraceEvent::")
                .into_iter()
                .filter(|n| !["Hazard", "Violation"].contains(n))
                .chain(
                    names_after(code, "Step::")
                        .into_iter()
                        .filter(|n| *n != "Event"),
                )
                .map(screaming)
                .chain(
                    code.contains("list_read()")
                        .then(|| "CLIENT_OK".to_string()),
                )
                .collect();
            declared.sort();
            declared.dedup();
            read.sort();
            read.dedup();
            assert_eq!(
                declared, read,
                "{file}.rs: READS against what its code reads"
            );
        }
    }
}
