//! `acked-write-lost`: every acknowledged write is in the log the converged leader
//! committed. Judged once, at the end of a run that had a heal phase, and only when the
//! cluster converged (`convergence.rs`); otherwise `liveness` says why nothing can be
//! judged. A write that ended `unknown` is never counted as acknowledged.

use crate::convergence::converged_log;
use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Reads, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, ReqId};
use sim_trace::Invariant;

/// Keeps no state: the view's client history and converged log are all it compares.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AckedWriteLost;

impl InvariantChecker for AckedWriteLost {
    const READS: Reads = Reads::NOTHING;

    fn invariant(&self) -> Invariant {
        Invariant::AckedWriteLost
    }

    fn observe(&mut self, _step: Step<'_>, _view: &View, _out: &mut Findings<'_>) {}

    fn finish(&mut self, checks: EndChecks, view: &View, out: &mut Findings<'_>) {
        if checks != EndChecks::AfterHeal {
            return;
        }
        let Some((len, reference)) = converged_log(view) else {
            return;
        };
        let mut present: Vec<ReqId> = Vec::with_capacity(len);
        present.extend(reference.filter_map(|e| e.req));
        present.sort_unstable();
        let missing = view
            .history
            .acked_writes()
            .iter()
            .filter(|(r, _, _)| present.binary_search(r).is_err());
        for &(req, client, acked_at) in missing {
            let story = match view
                .committed_ids()
                .iter()
                .position(|id| id.req == Some(req))
            {
                Some(i) => view.entry_story(LogIndex(i as u64 + 1)),
                None => Vec::new(),
            };
            let detail = format!(
                "write request {req} of client {client}, acknowledged at {acked_at}, is not in the cluster's committed log after healing"
            );
            let mut v = Violation::new(Invariant::AckedWriteLost, view.now, detail).story(story);
            v.req = Some(req);
            out.violation(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invariants::script::Script;
    use sim_trace::{FailOutcome, ReadValue};

    /// Node 1 leads term 1 and appends write request 5 (memory only) and crashes; node 2
    /// wins term 2 and commits its own entry 1 on nodes 2 and 3; the heal follows. The
    /// cluster converged on a log without request 5.
    fn converged_without_request_5(s: &mut Script<AckedWriteLost>) {
        s.elected(10, 1, 1);
        s.write_invoked(20, 5);
        s.append_req(21, 1, 1, 1, Some(5));
        s.crash(30, 1);
        s.elected(40, 2, 2);
        let t = s.replicate(50, 1, 2, &[2, 3]);
        s.commit(t, 2, 1);
        s.heal(100);
    }

    #[test]
    fn an_acknowledged_write_missing_after_healing_is_a_finding() {
        let mut s = Script::new(3, AckedWriteLost);
        s.elected(10, 1, 1);
        s.write_invoked(20, 5);
        s.append_req(21, 1, 1, 1, Some(5));
        s.ok(22, 5, sim_trace::ReadValue::Write);
        s.crash(30, 1);
        s.elected(40, 2, 2);
        let t = s.replicate(50, 1, 2, &[2, 3]);
        s.commit(t, 2, 1);
        s.heal(100);
        s.finish(200, EndChecks::AfterHeal);
        let v = s.only_violation();
        assert_eq!(v.req, Some(ReqId(5)));
        assert_eq!(
            v.detail,
            "write request 5 of client 1, acknowledged at 0.022000s, is not in the cluster's committed log after healing"
        );
    }

    /// Near miss: the write ended `unknown`, so it may never have happened.
    #[test]
    fn an_indeterminate_write_missing_is_no_finding() {
        let mut s = Script::new(3, AckedWriteLost);
        converged_without_request_5(&mut s);
        s.failed(150, 5, FailOutcome::Unknown);
        s.finish(200, EndChecks::AfterHeal);
        s.assert_clean();
    }

    /// Near misses: an acknowledged write in the converged log; and a missing one in a run
    /// without a heal phase (nothing is judged) or a cluster that did not converge
    /// (liveness says so).
    #[test]
    fn a_write_in_the_log_or_a_run_not_judged_is_no_finding() {
        let mut s = Script::new(3, AckedWriteLost);
        s.elected(10, 1, 1);
        s.write_invoked(20, 5);
        for n in 1..=3 {
            s.append_req(20 + u64::from(n), n, 1, 1, Some(5));
        }
        s.commit(30, 1, 1);
        s.ok(31, 5, ReadValue::Write);
        s.finish(200, EndChecks::AfterHeal);
        s.assert_clean();

        let mut s = Script::new(3, AckedWriteLost);
        converged_without_request_5(&mut s);
        s.ok(150, 5, ReadValue::Write);
        s.finish(200, EndChecks::NoHeal);
        s.assert_clean();

        let mut s = Script::new(3, AckedWriteLost);
        converged_without_request_5(&mut s);
        s.ok(150, 5, ReadValue::Write);
        s.role(160, 3, raft_core::Role::Candidate, 3);
        s.finish(200, EndChecks::AfterHeal);
        s.assert_clean();
    }
}
