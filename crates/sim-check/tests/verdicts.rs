//! Verdicts of the checker on hand-written traces: leader completeness (only leaders of a
//! *higher* term than the commit must hold a committed entry) and liveness after healing
//! (converged, stalled, one node lagging).
//!
//! Each test replays a short sequence of trace events through a [`Checker`] via [`Script`]
//! and asserts the exact findings: which invariant, how many, which node, and what the
//! finding says.

use raft_core::{LogIndex, NodeId, ReqId, Role, Term};
use sim_check::{CheckConfig, Checker, Converged, EndChecks, Violation};
use sim_core::{SimDuration, SimTime};
use sim_trace::{DurableEntry, Invariant, TraceEvent};

/// A checker fed events by hand, in order of strictly increasing time (milliseconds).
struct Script {
    checker: Checker,
    /// What the checker put in the trace (violations, closed hazard windows).
    found: Vec<TraceEvent>,
    last_ms: Option<u64>,
}

impl Script {
    fn new(nodes: u8) -> Script {
        Script::with_config(CheckConfig::new(nodes))
    }

    fn with_config(cfg: CheckConfig) -> Script {
        Script {
            checker: Checker::new(cfg),
            found: Vec::new(),
            last_ms: None,
        }
    }

    /// Feeds one event at `t_ms`, which must be later than the previous one.
    fn event(&mut self, t_ms: u64, ev: TraceEvent) {
        if let Some(last) = self.last_ms {
            assert!(
                t_ms > last,
                "script time goes back: {t_ms} ms after {last} ms"
            );
        }
        self.last_ms = Some(t_ms);
        self.checker
            .observe(SimTime::from_ms(t_ms), &ev, &mut self.found);
    }

    fn role(&mut self, t_ms: u64, node: u8, role: Role, term: u64) {
        self.event(
            t_ms,
            TraceEvent::Role {
                node: NodeId(node),
                role,
                term: Term(term),
            },
        );
    }

    /// A candidacy followed, one millisecond later, by winning it.
    fn elected(&mut self, t_ms: u64, node: u8, term: u64) {
        self.role(t_ms, node, Role::Candidate, term);
        self.role(t_ms + 1, node, Role::Leader, term);
    }

    /// Entry `index` of `term` enters `node`'s in-memory log. Entries carry no request
    /// (leader no-ops): the checker tells entries apart by term at an index.
    fn append(&mut self, t_ms: u64, node: u8, index: u64, term: u64) {
        self.event(
            t_ms,
            TraceEvent::Append {
                node: NodeId(node),
                index: LogIndex(index),
                term: Term(term),
                req: None,
            },
        );
    }

    /// Entry `index` of `term` reaches `node`'s media (a one-entry write at the log's end).
    fn durable(&mut self, t_ms: u64, node: u8, index: u64, term: u64) {
        self.event(
            t_ms,
            TraceEvent::Durable {
                node: NodeId(node),
                from_index: LogIndex(index),
                index: LogIndex(index),
                term: Term(term),
                entries: vec![DurableEntry {
                    term: Term(term),
                    req: None::<ReqId>,
                }],
            },
        );
    }

    /// Entry `index` of `term` is appended and made durable on each of `nodes`, one
    /// millisecond apart, from `t_ms` on; returns the time after the last event.
    fn replicate(&mut self, t_ms: u64, index: u64, term: u64, nodes: &[u8]) -> u64 {
        let mut t = t_ms;
        for &n in nodes {
            self.append(t, n, index, term);
            self.durable(t + 1, n, index, term);
            t += 2;
        }
        t
    }

    fn commit(&mut self, t_ms: u64, node: u8, index: u64) {
        self.event(
            t_ms,
            TraceEvent::Commit {
                node: NodeId(node),
                index: LogIndex(index),
            },
        );
    }

    fn heal(&mut self, t_ms: u64) {
        self.event(t_ms, TraceEvent::Heal);
    }

    /// The end of a run that had a heal phase.
    fn finish(&mut self, t_ms: u64) {
        self.checker.finish(
            SimTime::from_ms(t_ms),
            EndChecks::AfterHeal,
            &mut self.found,
        );
    }

    /// The violations of `inv` reported in full.
    fn violations_of(&self, inv: Invariant) -> Vec<&Violation> {
        self.checker
            .violations()
            .iter()
            .filter(|v| v.invariant == inv)
            .collect()
    }

    /// How many violations of `inv` were seen, reported or only counted.
    fn count(&self, inv: Invariant) -> u64 {
        self.checker.counts().get(&inv).copied().unwrap_or(0)
    }

    /// No finding at all: none reported, none traced.
    fn assert_clean(&self) {
        assert!(
            self.checker.violations().is_empty(),
            "unexpected findings: {:?}",
            self.checker.violations()
        );
        assert_eq!(self.traced_violations(), vec![]);
    }

    /// The invariants of the `violation` events the checker put in the trace, in order.
    fn traced_violations(&self) -> Vec<(Invariant, Option<NodeId>)> {
        self.found
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Violation {
                    invariant, node, ..
                } => Some((*invariant, *node)),
                _ => None,
            })
            .collect()
    }
}

/// The common start of the leader-completeness tests (3 nodes): node 1 stands as candidate
/// in term 18; node 3 wins term 19 and node 2 follows it; node 3 replicates entry 1 of term
/// 19 to itself and node 2 and commits it, so the entry is committed in term 19 by node 3.
/// Returns the next free time.
fn entry_committed_in_term_19() -> (Script, u64) {
    let mut s = Script::new(3);
    s.role(10, 1, Role::Candidate, 18);
    s.elected(20, 3, 19);
    s.role(22, 2, Role::Follower, 19);
    let t = s.replicate(30, 1, 19, &[3, 2]);
    s.commit(t, 3, 1);
    assert!(s.checker.violations().is_empty(), "the start is clean");
    (s, t + 10)
}

/// A late leader of a *lower* term: node 1's candidacy of term 18 wins (its vote grants were
/// delayed) after node 3 already committed entry 1 in term 19. Node 1 lacks the entry, but
/// Leader Completeness binds only leaders of terms above 19, so there is no finding.
#[test]
fn late_lower_term_leader_without_the_entry_is_no_finding() {
    let (mut s, t) = entry_committed_in_term_19();
    s.role(t, 1, Role::Leader, 18);
    assert_eq!(s.count(Invariant::LeaderCompleteness), 0);
    s.assert_clean();
}

/// A leader of a *higher* term without a committed entry: node 1 wins term 20 without
/// entry 1, committed in term 19. Exactly one leader-completeness finding, naming node 1,
/// the entry (index 1, term 19), and who committed it in which term.
#[test]
fn higher_term_leader_without_a_committed_entry_is_a_finding() {
    let (mut s, t) = entry_committed_in_term_19();
    s.elected(t, 1, 20);
    assert_eq!(s.count(Invariant::LeaderCompleteness), 1);
    let found = s.violations_of(Invariant::LeaderCompleteness);
    assert_eq!(found.len(), 1);
    let v = found[0];
    assert_eq!(v.node, Some(NodeId(1)));
    assert_eq!(v.index, Some(LogIndex(1)));
    assert_eq!(v.term, Some(Term(19)));
    assert_eq!(v.t, SimTime::from_ms(t + 1));
    assert!(
        v.detail
            .contains("node 1 became leader of term 20 with 0 entries"),
        "detail: {}",
        v.detail
    );
    assert!(
        v.detail.contains("committed in term 19 by node 3"),
        "detail: {}",
        v.detail
    );
    assert_eq!(s.checker.violations().len(), 1, "no other finding");
    assert_eq!(
        s.traced_violations(),
        vec![(Invariant::LeaderCompleteness, Some(NodeId(1)))]
    );
}

/// The control of the previous test: node 1 first receives entry 1 of term 19, then wins
/// term 20. It holds the committed entry, so there is no finding.
#[test]
fn higher_term_leader_holding_the_committed_entry_is_no_finding() {
    let (mut s, t) = entry_committed_in_term_19();
    s.role(t, 1, Role::Follower, 19);
    let t = s.replicate(t + 1, 1, 19, &[1]);
    s.elected(t, 1, 20);
    assert_eq!(s.count(Invariant::LeaderCompleteness), 0);
    assert!(
        s.checker.violations().is_empty(),
        "unexpected findings: {:?}",
        s.checker.violations()
    );
}

/// Churning but converging (3 nodes): node 1 leads term 1 and commits entry 1 on all nodes;
/// after the heal node 2 wins term 2, node 3 stands in terms 3 and 4 without winning, and
/// node 1 wins term 5. Until node 1 commits an entry of term 5 the cluster has not
/// converged; once entry 2 of term 5 is on every node and committed, it has: leader 1,
/// term 5, commit 2, and the end of the run reports nothing at all.
#[test]
fn churning_elections_that_converge_are_no_finding() {
    let mut s = Script::new(3);
    s.elected(10, 1, 1);
    s.role(12, 2, Role::Follower, 1);
    s.role(13, 3, Role::Follower, 1);
    let t = s.replicate(20, 1, 1, &[1, 2, 3]);
    s.commit(t, 1, 1);

    s.heal(100);
    s.elected(200, 2, 2);
    s.role(210, 1, Role::Follower, 2);
    s.role(211, 3, Role::Follower, 2);
    s.role(400, 3, Role::Candidate, 3);
    s.role(410, 1, Role::Follower, 3);
    s.role(411, 2, Role::Follower, 3);
    s.role(600, 3, Role::Candidate, 4);
    assert_eq!(s.checker.convergence(), None, "no leader in term 4");

    s.role(800, 1, Role::Candidate, 5);
    s.role(805, 2, Role::Follower, 5);
    s.role(806, 3, Role::Follower, 5);
    s.role(810, 1, Role::Leader, 5);
    assert_eq!(
        s.checker.convergence(),
        None,
        "leader 1 has not committed an entry of term 5"
    );
    let t = s.replicate(820, 2, 5, &[1, 2, 3]);
    s.commit(t, 1, 2);
    assert_eq!(
        s.checker.convergence(),
        Some(Converged {
            leader: NodeId(1),
            term: Term(5),
            commit: LogIndex(2),
        })
    );

    s.finish(2000);
    assert_eq!(s.count(Invariant::Liveness), 0);
    s.assert_clean();
}

/// The bound text and duration the stalled tests configure.
const BOUND_TEXT: &str = "7 election timeouts (2100 ms)";

fn stalled_config() -> CheckConfig {
    let mut cfg = CheckConfig::new(3);
    cfg.liveness.text = BOUND_TEXT.into();
    cfg.liveness.within = SimDuration::from_ms(2100);
    cfg
}

/// Before the heal (3 nodes): node 1 leads term 2 and commits entry 1 of term 2, held
/// durably by every node.
fn committed_before_heal(cfg: CheckConfig) -> Script {
    let mut s = Script::with_config(cfg);
    s.elected(10, 1, 2);
    s.role(12, 2, Role::Follower, 2);
    s.role(13, 3, Role::Follower, 2);
    let t = s.replicate(20, 1, 2, &[1, 2, 3]);
    s.commit(t, 1, 1);
    s
}

/// Stalled by split votes: after the heal at 1000 ms the nodes stand as candidates in terms
/// 5, 6, 7 and 8 and nobody wins; the run ends at the bound (3100 ms). One liveness finding:
/// its detail gives the configured bound and says no node leads term 8; its story counts
/// the 4 candidacies (and no leader) of the last 3000 ms and names the last commit. No node
/// lags a leader, so the finding names none.
#[test]
fn repeated_candidacies_without_a_leader_are_a_liveness_finding() {
    let mut s = committed_before_heal(stalled_config());
    s.heal(1000);
    s.role(1200, 1, Role::Candidate, 5);
    s.role(1500, 2, Role::Candidate, 6);
    s.role(1800, 3, Role::Candidate, 7);
    s.role(2100, 1, Role::Candidate, 8);
    assert_eq!(s.checker.convergence(), None);

    s.finish(3100);
    assert_eq!(s.count(Invariant::Liveness), 1);
    let found = s.violations_of(Invariant::Liveness);
    assert_eq!(found.len(), 1);
    let v = found[0];
    assert_eq!(v.t, SimTime::from_ms(3100));
    assert_eq!(v.node, None);
    assert!(
        v.detail
            .contains(&format!("did not converge within {BOUND_TEXT}")),
        "detail: {}",
        v.detail
    );
    assert!(
        v.detail.contains("no leader in term 8"),
        "detail: {}",
        v.detail
    );
    assert!(
        v.story[0].contains("4 candidacies, 0 leaders elected"),
        "story: {:?}",
        v.story
    );
    assert!(
        v.story
            .iter()
            .any(|l| l.starts_with("last commit: node 1 committed up to 1")),
        "story: {:?}",
        v.story
    );
    assert_eq!(s.checker.violations().len(), 1, "no other finding");
    assert_eq!(s.traced_violations(), vec![(Invariant::Liveness, None)]);
}

/// Stalled with a leader: after the heal node 3 stands in term 3 and loses, node 2 wins
/// term 3 and replicates entry 2 of term 3 to nodes 2 and 1, but never commits it; it only
/// commits the old entry 1 of term 2, which is not convergence (a leader must commit an
/// entry of its own term). One liveness finding: leader 2 of term 3 has not committed an
/// entry of its term; the story counts 2 candidacies and 1 leader.
#[test]
fn leader_that_never_commits_its_own_term_is_a_liveness_finding() {
    let mut s = committed_before_heal(stalled_config());
    s.heal(1000);
    s.role(1200, 3, Role::Candidate, 3);
    s.elected(1500, 2, 3);
    s.role(1510, 1, Role::Follower, 3);
    s.role(1511, 3, Role::Follower, 3);
    s.replicate(1520, 2, 3, &[2, 1]);
    s.commit(1600, 2, 1);
    assert_eq!(s.checker.convergence(), None);

    s.finish(3100);
    assert_eq!(s.count(Invariant::Liveness), 1);
    let found = s.violations_of(Invariant::Liveness);
    assert_eq!(found.len(), 1);
    let v = found[0];
    assert!(v.detail.contains(BOUND_TEXT), "detail: {}", v.detail);
    assert!(
        v.detail
            .contains("leader 2 of term 3 has not committed an entry of its term (commit index 1)"),
        "detail: {}",
        v.detail
    );
    assert!(
        v.story[0].contains("2 candidacies, 1 leaders elected"),
        "story: {:?}",
        v.story
    );
    assert_eq!(s.checker.violations().len(), 1, "no other finding");
}

/// A lagging node: node 1 leads term 2 and commits entries 1 and 2 (held by nodes 1 and 2),
/// but node 3 only ever received entry 1. After the heal nothing changes. One liveness
/// finding naming node 3: the detail says node 3 does not hold the committed entries, and
/// the story's line for node 3 says it lacks entry 2.
#[test]
fn a_node_lacking_the_committed_log_is_a_liveness_finding_naming_it() {
    let mut s = committed_before_heal(CheckConfig::new(3));
    let t = s.replicate(50, 2, 2, &[1, 2]);
    s.commit(t, 1, 2);
    s.heal(1000);
    assert_eq!(s.checker.convergence(), None, "node 3 lacks entry 2");

    s.finish(3000);
    assert_eq!(s.count(Invariant::Liveness), 1);
    let found = s.violations_of(Invariant::Liveness);
    assert_eq!(found.len(), 1);
    let v = found[0];
    assert_eq!(v.node, Some(NodeId(3)));
    assert!(
        v.detail
            .contains("leader 1 of term 2 committed 2 entries, but node(s) 3 do not hold them"),
        "detail: {}",
        v.detail
    );
    let line = v
        .story
        .iter()
        .find(|l| l.starts_with("node 3 "))
        .expect("a story line for node 3");
    assert!(
        line.contains("it lacks entries 2..=2 of the leader's committed log"),
        "story line: {line}"
    );
    assert_eq!(s.checker.violations().len(), 1, "no other finding");
    assert_eq!(
        s.traced_violations(),
        vec![(Invariant::Liveness, Some(NodeId(3)))]
    );
}

/// The story of a lost entry names its cause: node 1 commits entry 2 held in memory by
/// nodes 1 and 2, durable nowhere; node 1 crashes before its copy is durable; node 3 wins
/// term 2 with node 2's vote without the entry; node 2 drops it. The loss is reported with
/// each of those steps.
#[test]
fn the_story_of_a_lost_entry_tells_the_crash_and_the_election_that_lost_it() {
    let mut s = Script::new(3);
    s.elected(1, 1, 1);
    let t = s.replicate(3, 1, 1, &[1, 2, 3]);
    s.commit(t, 1, 1);
    s.append(t + 1, 1, 2, 1);
    s.append(t + 2, 2, 2, 1);
    s.commit(t + 3, 1, 2);
    s.event(
        t + 4,
        TraceEvent::Crash {
            node: NodeId(1),
            crash: sim_trace::CrashKind::Power,
        },
    );
    s.role(t + 5, 2, Role::Follower, 2);
    s.role(t + 6, 3, Role::Candidate, 2);
    s.event(
        t + 7,
        TraceEvent::Deliver {
            from: NodeId(2),
            to: NodeId(3),
            msg: sim_trace::MsgSummary::VoteResponse {
                term: Term(2),
                granted: true,
            },
        },
    );
    s.role(t + 8, 3, Role::Leader, 2);
    s.event(
        t + 9,
        TraceEvent::Truncate {
            node: NodeId(2),
            from_index: LogIndex(2),
        },
    );
    let lost = s.violations_of(Invariant::DurabilityLoss);
    let story = lost.first().expect("entry 2 is lost").story.join("\n");
    assert!(
        story.contains("held by {1, 2} (in memory), durable on 0 of 3 nodes"),
        "{story}"
    );
    assert!(
        story.contains("node 1 crashed at") && story.contains("before its copy was durable"),
        "{story}"
    );
    assert!(
        story.contains("node 3 became leader of term 2")
            && story.contains("without it, with the vote of node 2 and its own"),
        "{story}"
    );
    assert!(story.contains("node 2 dropped it"), "{story}");
}
