//! The shrinking steps. Each proposes smaller scenarios to [`Shrinker::attempt`], which
//! runs them and keeps those on which the target still fires; a step never assumes a
//! candidate fails without running it. Searches over a number are binary searches whose
//! upper end is always a verified failing value, so they end on a failing scenario even
//! where failing is not monotonic in that number.

use super::Shrinker;
use super::schedule::{fits, highest_node};
use sim_scenario::{FaultAction, Scenario};

/// Drops faults: chunks of half the schedule, then quarters, ... then one at a time.
pub(crate) fn drop_faults(sh: &mut Shrinker) {
    let mut chunk = (sh.best().faults.schedule.len() / 2).max(1);
    loop {
        let mut i = 0;
        while i < sh.best().faults.schedule.len() && !sh.out_of_runs() {
            let mut c = sh.best().clone();
            let end = (i + chunk).min(c.faults.schedule.len());
            c.faults.schedule.drain(i..end);
            if !sh.attempt(c) {
                i += chunk;
            }
        }
        if chunk == 1 || sh.out_of_runs() {
            return;
        }
        chunk /= 2;
    }
}

/// Drops a fault together with the one that undoes it: a crash and the next restart of
/// that node, a stall and the next resume, a partition or isolation and the next heal.
/// (Dropping either alone leaves the other a no-op or the node down for good.)
pub(crate) fn drop_pairs(sh: &mut Shrinker) {
    let mut i = 0;
    while i < sh.best().faults.schedule.len() && !sh.out_of_runs() {
        let schedule = &sh.best().faults.schedule;
        let Some(j) =
            (i + 1..schedule.len()).find(|j| undoes(&schedule[*j].action, &schedule[i].action))
        else {
            i += 1;
            continue;
        };
        let mut c = sh.best().clone();
        c.faults.schedule.remove(j);
        c.faults.schedule.remove(i);
        if !sh.attempt(c) {
            i += 1;
        }
    }
}

/// Whether `later` undoes `fault`.
fn undoes(later: &FaultAction, fault: &FaultAction) -> bool {
    use FaultAction::*;
    match (fault, later) {
        (Crash { node: a, .. }, Restart { node: b })
        | (DiskStall { node: a }, DiskResume { node: b }) => a == b,
        (Partition { .. } | Isolate { .. }, Heal) => true,
        _ => false,
    }
}

/// Shortens the fault phase (to no less than just after the last scheduled fault), then
/// the heal phase (possibly to none).
pub(crate) fn shorten_run(sh: &mut Shrinker) {
    let after_last = sh
        .best()
        .faults
        .schedule
        .iter()
        .map(|f| f.at_ms + 1)
        .max()
        .unwrap_or(1);
    lower(
        sh,
        after_last,
        |s| s.run.duration_ms,
        |s, v| s.run.duration_ms = v,
    );
    lower(sh, 0, |s| s.run.heal_ms, |s, v| s.run.heal_ms = v);
}

/// Fewer clients, then a lower write rate (in whole operations per second).
pub(crate) fn lower_workload(sh: &mut Shrinker) {
    lower(
        sh,
        0,
        |s| u64::from(s.workload.clients),
        |s, v| s.workload.clients = v as u32,
    );
    if sh.best().workload.clients > 0 && sh.best().workload.write_rate_per_s >= 2.0 {
        lower(
            sh,
            1,
            |s| s.workload.write_rate_per_s.ceil() as u64,
            |s, v| s.workload.write_rate_per_s = v as f64,
        );
    }
}

/// The smallest cluster, from the highest node the schedule names up, that still fails.
pub(crate) fn fewer_nodes(sh: &mut Shrinker) {
    let nodes = sh.best().cluster.nodes;
    let lowest = highest_node(&sh.best().faults.schedule).max(1);
    for n in lowest..nodes {
        if sh.out_of_runs() {
            return;
        }
        if !fits(&sh.best().faults.schedule, n) {
            continue;
        }
        let mut c = sh.best().clone();
        c.cluster.nodes = n;
        if sh.attempt(c) {
            return;
        }
    }
}

/// Binary search for the smallest value in `lo..=current` on which the target fires.
fn lower(sh: &mut Shrinker, lo: u64, get: fn(&Scenario) -> u64, set: fn(&mut Scenario, u64)) {
    let mut lo = lo;
    let mut hi = get(sh.best());
    while lo < hi && !sh.out_of_runs() {
        let mid = lo + (hi - lo) / 2;
        let mut c = sh.best().clone();
        set(&mut c, mid);
        if sh.attempt(c) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
}
