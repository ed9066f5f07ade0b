//! `acked-write-lost`: every acknowledged write is in the log the converged leader
//! committed. Judged once, at the end of a run that had a heal phase, and only when the
//! cluster converged (`convergence.rs`); otherwise `liveness` says why nothing can be
//! judged. A write that ended `unknown` is never counted as acknowledged.

use crate::convergence::converged_log;
use crate::findings::Findings;
use crate::invariants::{EndChecks, InvariantChecker, Step};
use crate::view::View;
use crate::violation::Violation;
use raft_core::{LogIndex, ReqId};
use sim_trace::Invariant;
use std::collections::BTreeSet;

/// Keeps no state: the view's client history and converged log are all it compares.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AckedWriteLost;

impl InvariantChecker for AckedWriteLost {
    fn invariant(&self) -> Invariant {
        Invariant::AckedWriteLost
    }

    fn observe(&mut self, _step: Step<'_>, _view: &View, _out: &mut Findings<'_>) {}

    fn finish(&mut self, checks: EndChecks, view: &View, out: &mut Findings<'_>) {
        if checks != EndChecks::AfterHeal {
            return;
        }
        let Some(reference) = converged_log(view) else {
            return;
        };
        let present: BTreeSet<ReqId> = reference.iter().filter_map(|e| e.req).collect();
        let missing = view
            .history
            .acked_writes()
            .iter()
            .filter(|(r, _, _)| !present.contains(r));
        for &(req, client, acked_at) in missing {
            let story = match view.committed.iter().position(|c| c.id.req == Some(req)) {
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
