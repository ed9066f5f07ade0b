//! Timing of the two lanes, seen from outside: a flush waits for earlier writes (to any
//! file) but later writes do not wait for a flush; flushes serialize; a stall holds
//! completions back and a resume releases them; `next_wakeup` is exactly the instant at
//! which `advance` next completes something.

use proptest::prelude::*;
use sim_core::{Dist, RngStreams, SimTime};
use sim_disk::{Completion, Disk, DiskConfig, FileId, OpId};

const LOG: FileId = FileId(0);
const VOTE: FileId = FileId(1);

fn disk(write_ns: f64, flush_ns: f64) -> Disk {
    let s = RngStreams::new(1);
    Disk::new(
        DiskConfig::simple(write_ns, flush_ns),
        2,
        s.stream("lat"),
        s.stream("fault"),
    )
}

fn t(ns: u64) -> SimTime {
    SimTime::from_ns(ns)
}

/// Runs to idle; returns each completed op with the instant it completed.
fn timeline(d: &mut Disk) -> Vec<(SimTime, OpId)> {
    let mut out: Vec<Completion> = Vec::new();
    let mut result = Vec::new();
    while let Some(at) = d.next_wakeup() {
        out.clear();
        d.advance(at, &mut out);
        assert!(!out.is_empty(), "next_wakeup promised a completion at {at}");
        result.extend(out.iter().map(|c| (at, c.op)));
    }
    result
}

#[test]
fn a_flush_waits_for_every_earlier_write_to_any_file() {
    let mut d = disk(100.0, 10.0);
    let w_log = d.write(t(0), LOG, 0, b"a");
    let w_vote = d.write(t(0), VOTE, 0, b"b");
    let f = d.flush(t(0), LOG);
    assert_eq!(
        timeline(&mut d),
        vec![(t(100), w_log), (t(200), w_vote), (t(210), f)]
    );
}

#[test]
fn a_write_after_a_flush_does_not_wait_for_it() {
    let mut d = disk(100.0, 500.0);
    let w1 = d.write(t(0), LOG, 0, b"a");
    let f = d.flush(t(0), LOG);
    let w2 = d.write(t(1), LOG, 1, b"b");
    assert_eq!(
        timeline(&mut d),
        vec![(t(100), w1), (t(200), w2), (t(600), f)]
    );
    assert_eq!(
        d.durable(LOG),
        b"a",
        "the later write is not covered by the flush"
    );
}

#[test]
fn flushes_run_one_at_a_time_in_submission_order() {
    let mut d = disk(10.0, 50.0);
    let f1 = d.flush(t(0), LOG);
    let f2 = d.flush(t(0), VOTE);
    let w = d.write(t(0), LOG, 0, b"x");
    let f3 = d.flush(t(0), LOG);
    assert_eq!(
        timeline(&mut d),
        vec![(t(10), w), (t(50), f1), (t(100), f2), (t(150), f3)]
    );
}

#[test]
fn ties_complete_in_submission_order() {
    let mut d = disk(0.0, 0.0);
    let ops = [
        d.write(t(5), LOG, 0, b"a"),
        d.flush(t(5), LOG),
        d.truncate(t(5), LOG, 0),
        d.flush(t(5), LOG),
    ];
    let order: Vec<OpId> = timeline(&mut d).into_iter().map(|(_, op)| op).collect();
    assert_eq!(order, ops);
}

#[test]
fn a_stall_holds_everything_and_resume_releases_what_is_overdue() {
    let mut d = disk(100.0, 100.0);
    let w1 = d.write(t(0), LOG, 0, b"a"); // 100
    let f = d.flush(t(0), LOG); // 200
    let w2 = d.write(t(0), LOG, 1, b"b"); // 200
    let w3 = d.write(t(0), LOG, 2, b"c"); // 300
    d.stall(t(50));
    let mut out = Vec::new();
    d.advance(t(250), &mut out);
    assert!(out.is_empty() && d.next_wakeup().is_none());
    d.resume(t(250));
    assert_eq!(
        timeline(&mut d),
        vec![(t(250), w1), (t(250), f), (t(250), w2), (t(300), w3)]
    );
    assert_eq!(d.durable(LOG), b"a");
}

proptest! {
    /// With random latencies and submissions, `advance` at `next_wakeup` always completes
    /// something and `advance` just before it completes nothing.
    #[test]
    fn next_wakeup_is_exactly_the_next_completion(
        seed: u64,
        script in prop::collection::vec((0u8..3, 0u64..30), 1..60),
    ) {
        let s = RngStreams::new(seed);
        let config = DiskConfig {
            write_latency: Dist::Exponential { mean_ns: 20.0 },
            flush_latency: Dist::Uniform { min_ns: 1.0, max_ns: 80.0 },
            ..DiskConfig::simple(1.0, 1.0)
        };
        let mut d = Disk::new(config, 2, s.stream("lat"), s.stream("fault"));
        let mut now = t(0);
        let mut out = Vec::new();
        for (what, dt) in script {
            match what {
                0 => { d.write(now, LOG, dt, &[1; 7]); }
                1 => { d.flush(now, LOG); }
                _ => {
                    let target = t(now.as_ns() + dt);
                    while let Some(at) = d.next_wakeup().filter(|at| *at <= target) {
                        prop_assert!(at >= now);
                        if at > now {
                            d.advance(t(at.as_ns() - 1), &mut out);
                            prop_assert!(out.is_empty(), "completed before next_wakeup");
                        }
                        d.advance(at, &mut out);
                        prop_assert!(!out.is_empty(), "nothing completed at next_wakeup");
                        out.clear();
                        now = at;
                    }
                    now = target;
                    d.advance(now, &mut out);
                    prop_assert!(out.is_empty());
                }
            }
        }
    }
}
