//! The oracle: one [`Checker`] watches every event of a run and reports each invariant it
//! sees broken. It knows only the trace ([`TraceEvent`]), never the simulator's internals,
//! so it judges any Raft implementation that emits the same events.
//!
//! It judges nothing itself. Per event it updates the shared [`View`] once, then asks each
//! invariant checker (`invariants/`, one file per invariant) about the event and about what
//! the view derived from it, in one fixed order; at the end it closes the trace and asks
//! each for its verdict, in the same order. The order is part of the trace: findings are
//! traced as they come, so it is written down here and never depends on a map's order.

use crate::findings::{Findings, Reports};
use crate::invariants::{
    AckedWriteLost, AppliedIndexRegressed, DuplicateAppend, DurabilityHazard, DurabilityLoss,
    ElectionSafety, EndChecks, HazardSummary, IncompatibleReads, InvariantChecker,
    LeaderCompleteness, Linearizability, Liveness, LivenessBound, LogMatching, LostAppend, Reads,
    StateMachineSafety, Step, TermVoteLost,
};
use crate::view::View;
use crate::violation::Violation;
use crate::{Converged, convergence};
use sim_core::SimTime;
use sim_trace::{Invariant, TraceEvent};
use std::collections::BTreeMap;

/// Bounds of the checker.
#[derive(Clone, Debug)]
pub struct CheckConfig {
    pub nodes: u8,
    /// Violations of one invariant reported in full; more are only counted.
    pub reports_per_invariant_max: u32,
    /// Search steps the linearizability check may take before it says "undecided".
    pub linearizability_steps_max: u64,
    /// The liveness bound and what the finding says of the scenario's timing.
    pub liveness: LivenessBound,
    /// Whether `applied-index-regressed` is judged.
    pub applied_index: AppliedIndexCheck,
}

/// Whether `applied-index-regressed` is judged. The world turns it on with the list-append
/// workload, whose state machine is not idempotent: on registers an entry applied twice
/// changes nothing, and judging it there would move the verdicts of runs pinned before the
/// check existed (three of them, all already losing committed data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppliedIndexCheck {
    Off,
    On,
}

impl CheckConfig {
    pub fn new(nodes: u8) -> Self {
        CheckConfig {
            nodes,
            reports_per_invariant_max: 3,
            linearizability_steps_max: 2_000_000,
            liveness: LivenessBound::default(),
            applied_index: AppliedIndexCheck::On,
        }
    }
}

/// The invariant checkers, one per invariant.
struct Checkers {
    election_safety: ElectionSafety,
    leader_completeness: LeaderCompleteness,
    log_matching: LogMatching,
    state_machine_safety: StateMachineSafety,
    liveness: Liveness,
    acked_write_lost: AckedWriteLost,
    linearizability: Linearizability,
    durability_hazard: DurabilityHazard,
    durability_loss: DurabilityLoss,
    applied_index_regressed: AppliedIndexRegressed,
    duplicate_append: DuplicateAppend,
    incompatible_reads: IncompatibleReads,
    lost_append: LostAppend,
    term_vote_lost: TermVoteLost,
}

/// Something done to every invariant checker in turn, each called by its own type so the
/// compiler sees through it: the test of a checker's `READS` against a step's kind is a
/// constant mask, and a virtual call per checker per step would cost more than most of
/// them do.
trait Visit {
    fn visit<C: InvariantChecker>(&mut self, c: &mut C);
}

impl Checkers {
    /// Visits every checker in the order in which they are asked, at every step and at the
    /// end. It is the order the findings of one run have always been traced in: election
    /// safety before leader completeness (one election); a hazard window a loss closes
    /// before the loss; at the end liveness, then acknowledged writes, linearizability,
    /// and the hazard summary. The state machine's, the list workload's and the term/vote
    /// file's checkers came later and go last, so that the traces of runs they find nothing
    /// in stay as they were.
    fn each_in_order(&mut self, v: &mut impl Visit) {
        v.visit(&mut self.election_safety);
        v.visit(&mut self.leader_completeness);
        v.visit(&mut self.log_matching);
        v.visit(&mut self.state_machine_safety);
        v.visit(&mut self.liveness);
        v.visit(&mut self.acked_write_lost);
        v.visit(&mut self.linearizability);
        v.visit(&mut self.durability_hazard);
        v.visit(&mut self.durability_loss);
        v.visit(&mut self.applied_index_regressed);
        v.visit(&mut self.duplicate_append);
        v.visit(&mut self.incompatible_reads);
        v.visit(&mut self.lost_append);
        v.visit(&mut self.term_vote_lost);
    }
}

/// `Ask`'s `KIND` when the step's kind is known only at run time (`Ask::kind`).
const KIND_AT_RUN_TIME: u32 = u32::MAX;

/// Shows one step to a checker. `KIND` is the step's kind as a constant
/// ([`Reads`]`.0`), so that each kind's walk over the checkers is compiled with only the
/// checkers that read it: the test of a checker's `READS` against the kind costs nothing
/// and mispredicts nothing. [`KIND_AT_RUN_TIME`] tests `kind` instead.
struct Ask<'a, 'e, const KIND: u32> {
    step: Step<'e>,
    /// `step.kind()`.
    kind: Reads,
    view: &'a View,
    reports: &'a mut Reports,
    found: &'a mut Vec<TraceEvent>,
}

impl<const KIND: u32> Visit for Ask<'_, '_, KIND> {
    #[inline]
    fn visit<C: InvariantChecker>(&mut self, c: &mut C) {
        let read = if KIND == KIND_AT_RUN_TIME {
            C::READS.has(self.kind)
        } else {
            C::READS.has(Reads::from_bits(KIND))
        };
        if !read {
            return;
        }
        let mut out = Findings::new(c.invariant(), self.reports, self.found);
        c.observe(self.step, self.view, &mut out);
    }
}

/// Asks a checker for its verdict at the end.
struct Finish<'a> {
    checks: EndChecks,
    view: &'a View,
    reports: &'a mut Reports,
    found: &'a mut Vec<TraceEvent>,
}

impl Visit for Finish<'_> {
    fn visit<C: InvariantChecker>(&mut self, c: &mut C) {
        let mut out = Findings::new(c.invariant(), self.reports, self.found);
        c.finish(self.checks, self.view, &mut out);
    }
}

pub struct Checker {
    view: View,
    checkers: Checkers,
    reports: Reports,
    /// What the view derived from the current event (reused between events).
    /// Empty between events.
    derived: Vec<Step<'static>>,
}

impl Checker {
    pub fn new(cfg: CheckConfig) -> Checker {
        Checker {
            view: View::new(cfg.nodes),
            checkers: Checkers {
                election_safety: ElectionSafety::default(),
                leader_completeness: LeaderCompleteness,
                log_matching: LogMatching::default(),
                state_machine_safety: StateMachineSafety::default(),
                liveness: Liveness::new(cfg.liveness),
                acked_write_lost: AckedWriteLost,
                linearizability: Linearizability::new(cfg.linearizability_steps_max),
                durability_hazard: DurabilityHazard::default(),
                durability_loss: DurabilityLoss,
                applied_index_regressed: AppliedIndexRegressed::new(cfg.nodes, cfg.applied_index),
                duplicate_append: DuplicateAppend::default(),
                incompatible_reads: IncompatibleReads,
                lost_append: LostAppend::default(),
                term_vote_lost: TermVoteLost::new(cfg.nodes),
            },
            reports: Reports::new(cfg.reports_per_invariant_max),
            derived: Vec::new(),
        }
    }

    /// Watches one event; findings to put in the trace (violations, closed hazard windows)
    /// are appended to `found`.
    pub fn observe(&mut self, t: SimTime, ev: &TraceEvent, found: &mut Vec<TraceEvent>) {
        debug_assert!(self.derived.is_empty());
        self.view.apply(t, ev, &mut self.derived);
        self.ask(Step::Event(ev), found);
        if !self.derived.is_empty() {
            self.ask_derived(found);
        }
    }

    /// Shows the steps the view derived from the event to the checkers, in order.
    #[inline(never)]
    fn ask_derived(&mut self, found: &mut Vec<TraceEvent>) {
        for i in 0..self.derived.len() {
            let step = self.derived[i];
            self.ask(step, found);
        }
        self.derived.clear();
    }

    /// Shows one step to every checker that reads its kind, in order (an event of a kind
    /// none reads, to none).
    #[inline]
    fn ask(&mut self, step: Step<'_>, found: &mut Vec<TraceEvent>) {
        /// Each kind's own walk over the checkers (see `Ask`).
        macro_rules! walk {
            ($kind:expr, [$($k:ident),*]) => {
                match $kind {
                    Reads::NOTHING => {}
                    $(Reads::$k => self.walk::<{ Reads::$k.bits() }>(step, $kind, found),)*
                    other => self.walk::<KIND_AT_RUN_TIME>(step, other, found),
                }
            };
        }
        walk!(
            step.kind(),
            [
                ROLE,
                APPEND,
                APPLY,
                RESTART,
                CLIENT_OK,
                DURABLE,
                COMMIT,
                HEAL,
                SAVE_STATE,
                SNAPSHOT,
                FLUSH,
                FLUSH_DONE,
                COMMITTED,
                COMMITTED_OTHER,
                LOST,
                END
            ]
        );
    }

    fn walk<const KIND: u32>(&mut self, step: Step<'_>, kind: Reads, found: &mut Vec<TraceEvent>) {
        self.checkers.each_in_order(&mut Ask::<KIND> {
            step,
            kind,
            view: &self.view,
            reports: &mut self.reports,
            found,
        });
    }

    /// The end of the run. Violations and the last hazard windows go to `found`.
    pub fn finish(&mut self, t: SimTime, checks: EndChecks, found: &mut Vec<TraceEvent>) {
        self.view.now = t;
        self.ask(Step::End, found);
        self.checkers.each_in_order(&mut Finish {
            checks,
            view: &self.view,
            reports: &mut self.reports,
            found,
        });
    }

    /// Whether the cluster has converged now (`convergence.rs`): the world asks it after
    /// the heal phase, to end the run early.
    pub fn convergence(&self) -> Option<Converged> {
        convergence::convergence(&self.view)
    }

    /// The violations reported in full, in order.
    pub fn violations(&self) -> &[Violation] {
        &self.reports.violations
    }

    /// How many violations of each invariant were seen (reported or only counted).
    pub fn counts(&self) -> &BTreeMap<Invariant, u64> {
        &self.reports.counts
    }

    /// A note when the linearizability search hit its bound.
    pub fn linearizability_undecided(&self) -> Option<&str> {
        self.checkers.linearizability.undecided()
    }

    /// What the run's hazard windows added up to.
    pub fn hazard_summary(&self) -> HazardSummary {
        self.checkers.durability_hazard.summary()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::{LogIndex, NodeId, Role, Term};

    fn feed(c: &mut Checker, t_ms: u64, ev: TraceEvent) -> Vec<TraceEvent> {
        let mut found = Vec::new();
        c.observe(SimTime::from_ms(t_ms), &ev, &mut found);
        found
    }

    fn kinds(found: &[TraceEvent]) -> Vec<String> {
        found
            .iter()
            .map(|e| match e {
                TraceEvent::Violation { invariant, .. } => invariant.to_string(),
                other => other.kind().to_string(),
            })
            .collect()
    }

    /// The order is part of the trace: when one crash loses two committed entries whose
    /// hazard windows are open, each window's closing comes right before its loss.
    #[test]
    fn a_loss_is_traced_right_after_the_hazard_window_it_closes() {
        let mut c = Checker::new(CheckConfig::new(3));
        let node = NodeId(1);
        feed(
            &mut c,
            1,
            TraceEvent::Role {
                node,
                role: Role::Leader,
                term: Term(1),
            },
        );
        for i in 1..=2 {
            let index = LogIndex(i);
            feed(
                &mut c,
                1 + i,
                TraceEvent::Append {
                    node,
                    index,
                    term: Term(1),
                    req: None,
                },
            );
        }
        feed(
            &mut c,
            5,
            TraceEvent::Commit {
                node,
                index: LogIndex(2),
            },
        );
        let found = feed(
            &mut c,
            6,
            TraceEvent::Crash {
                node,
                crash: sim_trace::CrashKind::Power,
            },
        );
        assert_eq!(
            kinds(&found),
            ["hazard", "durability-loss", "hazard", "durability-loss"]
        );
    }

    /// One election can break two invariants: election safety is traced first.
    #[test]
    fn election_safety_is_traced_before_leader_completeness() {
        let mut c = Checker::new(CheckConfig::new(3));
        let (n1, n2) = (NodeId(1), NodeId(2));
        feed(
            &mut c,
            1,
            TraceEvent::Role {
                node: n1,
                role: Role::Leader,
                term: Term(1),
            },
        );
        feed(
            &mut c,
            2,
            TraceEvent::Append {
                node: n1,
                index: LogIndex(1),
                term: Term(1),
                req: None,
            },
        );
        feed(
            &mut c,
            3,
            TraceEvent::Commit {
                node: n1,
                index: LogIndex(1),
            },
        );
        feed(
            &mut c,
            4,
            TraceEvent::Role {
                node: n1,
                role: Role::Leader,
                term: Term(2),
            },
        );
        let found = feed(
            &mut c,
            5,
            TraceEvent::Role {
                node: n2,
                role: Role::Leader,
                term: Term(2),
            },
        );
        assert_eq!(kinds(&found), ["election-safety", "leader-completeness"]);
    }

    /// Every kind of step has its own walk over the checkers in `ask`: a kind left out
    /// is still asked correctly (through the walk that tests at run time), but slowly.
    #[test]
    fn every_kind_has_its_own_walk() {
        let kinds_src = include_str!("invariants/mod.rs");
        let walk_src = include_str!("checker.rs");
        let walk_list = walk_src
            .split("walk!(\n            step.kind(),")
            .nth(1)
            .and_then(|rest| rest.split(");").next())
            .expect("ask's walk! list");
        let mut kinds = 0;
        for line in kinds_src.lines() {
            let Some(rest) = line.trim().strip_prefix("pub const ") else {
                continue;
            };
            let Some((name, value)) = rest.split_once(": Reads = ") else {
                continue;
            };
            if !value.starts_with("Reads(1 <<") {
                continue;
            }
            kinds += 1;
            assert!(
                walk_list
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .any(|w| w == name),
                "kind {name} has no walk of its own in Checker::ask"
            );
        }
        assert_eq!(kinds, 16, "the kinds of Reads as this test reads them");
    }
}
