//! Swarm testing: each seed draws its own fault mix within the scenario's bounds, as
//! TigerBeetle's VOPR does, so a fuzz campaign explores many different kinds of bad day
//! instead of one average one.
//!
//! [`swarm`] takes a scenario and a seed and returns the drawn scenario: a complete,
//! explicit scenario (its [`Scenario::to_toml`] is what a fuzz finding records), which runs
//! with the same seed exactly as it ran during fuzzing. The draw comes from the seed's own
//! `"swarm"` stream, which no simulated component uses, so drawing changes no other draw.
//!
//! The bounds are documented on [`swarm`].
//!
//! This file does not run anything or pick seeds: that is `sim-runner fuzz --swarm`'s.

use crate::model::{Latency, RangeMs, Scenario};
use crate::timing::{election_timeout_scale, timing};
use sim_core::{RngStreams, SimRng};
use std::fmt::Write as _;

/// The name of the seed's stream the draw comes from.
pub const SWARM_STREAM: &str = "swarm";
/// Upper bound of a drawn fraction of process crashes when the scenario's is 0.
const PROCESS_CRASH_FRACTION_MAX: f64 = 1.0;

/// Upper bound of a drawn crash rate when the scenario's rate is 0.
pub const CRASH_RATE_PER_S_MAX: f64 = 2.0;
/// Upper bound of a drawn partition rate when the scenario's rate is 0.
pub const PARTITION_RATE_PER_S_MAX: f64 = 1.0;
/// Upper bound of a drawn message-loss probability when the scenario's is 0.
pub const DROP_RATE_MAX: f64 = 0.05;
/// Upper bound of a drawn duplication probability when the scenario's is 0.
pub const DUPLICATE_RATE_MAX: f64 = 0.05;
/// The smallest factor a latency is multiplied by.
pub const LATENCY_SCALE_MIN: f64 = 0.25;
/// The largest factor a latency is multiplied by.
pub const LATENCY_SCALE_MAX: f64 = 4.0;

/// A drawn scenario and a one-line account of its fault mix.
#[derive(Clone, Debug, PartialEq)]
pub struct SwarmDraw {
    /// The scenario to run with the same seed; its description ends with [`Self::mix`].
    pub scenario: Scenario,
    /// E.g. `crash 1.234/s, partition off, drop 0.0123, ...`.
    pub mix: String,
}

/// Draws the fault mix of `seed` within the bounds of `base`.
///
/// What is drawn, and the bounds (every value is drawn on every call, whether its fault
/// is on or off, so one coin never shifts the next draw):
///
/// | key | drawn as |
/// | --- | --- |
/// | `faults.crash_rate_per_s` | on with probability 1/2; then uniform in (0, r], r = the scenario's rate, or 2.0/s when that is 0 |
/// | `faults.partition_rate_per_s` | the same, 1.0/s when 0 |
/// | `network.drop_rate`, `network.duplicate_rate` | the same, 0.05 when 0 |
/// | `disk.fsync_error_rate`, `disk.corruption_rate` | the same, but only when the scenario's rate is above 0: these faults lose data with no bug at all, so swarm never turns them on by itself |
/// | `network.reorder` | on with probability 1/2 |
/// | `disk.write_latency_us`, `disk.flush_latency_ms`, `network.latency_ms` | every parameter multiplied by one factor per latency, log-uniform in [0.25, 4] |
/// | `faults.restart_delay_ms`, `faults.partition_duration_ms` | a sub-range: two uniform draws within the scenario's range, sorted |
/// | `faults.process_crash_fraction` | on with probability 1/2; then uniform in (0, r], r = the scenario's fraction, or 1 when that is 0 (drawn last, so the draws above are those of a swarm before crashes had kinds) |
///
/// Rates and factors are rounded to 4 significant digits so findings stay readable.
/// When the drawn latencies break Raft's timing assumption (`timing.rs`: an election's
/// round trip, two blocking flushes included, above three quarters of the minimum election
/// timeout), `[raft]`'s election timeout is multiplied by the smallest whole factor that
/// restores it, and the account says so.
/// Everything else — `[cluster]` (mode and bug are the user's subject), `[raft]` but for
/// that scaling, the crash model, the explicit `[[faults.schedule]]`, `[workload]`, `[run]`
/// and `[expect]` — is kept as written.
pub fn swarm(base: &Scenario, seed: u64) -> SwarmDraw {
    let mut rng = RngStreams::new(seed).stream(SWARM_STREAM);
    let mut s = base.clone();
    let mut mix = Mix::default();
    let f = &mut s.faults;
    f.crash_rate_per_s = mix.rate(
        &mut rng,
        "crash",
        "/s",
        f.crash_rate_per_s,
        CRASH_RATE_PER_S_MAX,
    );
    f.restart_delay_ms = sub_range(&mut rng, f.restart_delay_ms);
    f.partition_rate_per_s = mix.rate(
        &mut rng,
        "partition",
        "/s",
        f.partition_rate_per_s,
        PARTITION_RATE_PER_S_MAX,
    );
    f.partition_duration_ms = sub_range(&mut rng, f.partition_duration_ms);
    let n = &mut s.network;
    n.drop_rate = mix.rate(&mut rng, "drop", "", n.drop_rate, DROP_RATE_MAX);
    n.duplicate_rate = mix.rate(
        &mut rng,
        "duplicate",
        "",
        n.duplicate_rate,
        DUPLICATE_RATE_MAX,
    );
    n.reorder = coin(&mut rng);
    mix.push("reorder", if n.reorder { "on" } else { "off" });
    let d = &mut s.disk;
    d.fsync_error_rate = mix.rate(&mut rng, "fsync-error", "", d.fsync_error_rate, 0.0);
    d.corruption_rate = mix.rate(&mut rng, "corruption", "", d.corruption_rate, 0.0);
    d.write_latency_us = mix.latency(&mut rng, "write latency", d.write_latency_us);
    d.flush_latency_ms = mix.latency(&mut rng, "flush latency", d.flush_latency_ms);
    n.latency_ms = mix.latency(&mut rng, "network latency", n.latency_ms);
    let f = &mut s.faults;
    f.process_crash_fraction = mix.rate(
        &mut rng,
        "process-crash",
        "",
        f.process_crash_fraction,
        PROCESS_CRASH_FRACTION_MAX,
    );
    keep_timing_assumption(&mut s, &mut mix);
    let mix = mix.0.join(", ");
    let sep = if s.description.is_empty() { "" } else { " " };
    s.description = format!("{}{sep}[swarm draw of seed {seed}: {mix}]", s.description);
    SwarmDraw { scenario: s, mix }
}

/// Scales the election timeout by one whole factor when the drawn latencies break Raft's
/// timing assumption (`timing.rs`), so that liveness stays judged: a draw whose election
/// round trip rivals its election timeout would churn leaders with no fault. No draw is
/// taken, so no later draw shifts. A scenario no factor can help (a minimum election
/// timeout of 0) keeps its timeouts, and the account says the assumption is broken.
fn keep_timing_assumption(s: &mut Scenario, mix: &mut Mix) {
    match election_timeout_scale(&timing(s)) {
        Some(1) => {}
        Some(k) => {
            let r = &mut s.raft;
            r.election_timeout_ms.min *= k;
            r.election_timeout_ms.max *= k;
            mix.push("election timeout", &format!("x{k} (timing assumption)"));
        }
        None => mix.push("timing assumption", "broken"),
    }
}

/// The account of a draw, one `name value` item per drawn key.
#[derive(Default)]
struct Mix(Vec<String>);

impl Mix {
    fn push(&mut self, name: &str, value: &str) {
        self.0.push(format!("{name} {value}"));
    }

    /// On with probability 1/2, then uniform in (0, bound], bound = `base`, or
    /// `max` when `base` is 0 (a `max` of 0 keeps the fault off). `unit` is for the account.
    fn rate(&mut self, rng: &mut SimRng, name: &str, unit: &str, base: f64, max: f64) -> f64 {
        let on = coin(rng);
        let u = rng.unit_f64();
        let bound = if base > 0.0 { base } else { max };
        let rate = if on && bound > 0.0 {
            round_sig(bound * (1.0 - u)).min(bound)
        } else {
            0.0
        };
        debug_assert!((0.0..=bound.max(0.0)).contains(&rate));
        if rate > 0.0 {
            self.push(name, &format!("{rate}{unit}"));
        } else {
            self.push(name, "off");
        }
        rate
    }

    /// Every parameter times one log-uniform factor in [LATENCY_SCALE_MIN, LATENCY_SCALE_MAX].
    fn latency(&mut self, rng: &mut SimRng, name: &str, l: Latency) -> Latency {
        let (lo, hi) = (LATENCY_SCALE_MIN.ln(), LATENCY_SCALE_MAX.ln());
        let k = round_sig((lo + rng.unit_f64() * (hi - lo)).exp())
            .clamp(LATENCY_SCALE_MIN, LATENCY_SCALE_MAX);
        let mut text = String::new();
        let _ = write!(text, "x{k}");
        self.push(name, &text);
        let x = |v: f64| round_sig(v * k);
        match l {
            Latency::Constant { value } => Latency::Constant { value: x(value) },
            Latency::Uniform { min, max } => Latency::Uniform {
                min: x(min),
                max: x(max),
            },
            Latency::Exponential { mean } => Latency::Exponential { mean: x(mean) },
            Latency::Lognormal { p50, p99 } => Latency::Lognormal {
                p50: x(p50),
                p99: x(p99),
            },
        }
    }
}

fn coin(rng: &mut SimRng) -> bool {
    rng.below(2) == 1
}

/// Two uniform draws within `r`, sorted.
fn sub_range(rng: &mut SimRng, r: RangeMs) -> RangeMs {
    let a = rng.range_inclusive(r.min, r.max);
    let b = rng.range_inclusive(r.min, r.max);
    RangeMs {
        min: a.min(b),
        max: a.max(b),
    }
}

/// `x` rounded to 4 significant digits; monotonic, positive stays positive, 0 stays 0.
fn round_sig(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.log10().floor() as i32 - 3;
    let rounded = if e >= 0 {
        let p = 10f64.powi(e);
        (x / p).round() * p
    } else {
        let p = 10f64.powi(-e);
        (x * p).round() / p
    };
    if rounded > 0.0 { rounded } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bug, Mode};

    fn base() -> Scenario {
        let text = "[cluster]\nnodes = 3\nmode = \"sync\"\nbug = \"ack-before-commit\"\n\
                    [faults]\ncrash_rate_per_s = 0.5\n[disk]\ncorruption_rate = 0.01\n\
                    [[faults.schedule]]\nat_ms = 100\naction = \"crash\"\nnode = \"leader\"\n\
                    [expect]\noutcome = \"violation\"\nviolation = \"acked-write-lost\"\n";
        crate::parse_str(text, "b.toml").expect("valid")
    }

    #[test]
    fn the_same_seed_draws_the_same_mix_and_others_differ() {
        let b = base();
        assert_eq!(swarm(&b, 7), swarm(&b, 7));
        let mixes: std::collections::BTreeSet<String> =
            (0..50).map(|seed| swarm(&b, seed).mix).collect();
        assert!(mixes.len() > 40, "{mixes:?}");
    }

    #[test]
    fn draws_stay_within_bounds_and_keep_the_subject() {
        let b = base();
        for seed in 0..500 {
            let d = swarm(&b, seed);
            let s = &d.scenario;
            assert!(
                (0.0..=0.5).contains(&s.faults.crash_rate_per_s),
                "{}",
                d.mix
            );
            let p = s.faults.partition_rate_per_s;
            assert!((0.0..=PARTITION_RATE_PER_S_MAX).contains(&p));
            assert!((0.0..=DROP_RATE_MAX).contains(&s.network.drop_rate));
            assert!((0.0..=DUPLICATE_RATE_MAX).contains(&s.network.duplicate_rate));
            assert_eq!(s.disk.fsync_error_rate, 0.0, "never turned on by swarm");
            assert!((0.0..=0.01).contains(&s.disk.corruption_rate));
            let r = s.faults.restart_delay_ms;
            assert!(50 <= r.min && r.min <= r.max && r.max <= 2000);
            let Latency::Uniform { min, max } = s.network.latency_ms else {
                panic!("the distribution is kept")
            };
            let k = min / 1.0;
            assert!((LATENCY_SCALE_MIN..=LATENCY_SCALE_MAX).contains(&k), "{k}");
            assert!(min <= max && (max / 10.0 - k).abs() < 1e-3 * k);
            assert_eq!(s.cluster, b.cluster);
            assert_eq!(s.cluster.bug, Bug::AckBeforeCommit);
            assert!(timing(s).holds(), "{}", d.mix);
            let k = s.raft.election_timeout_ms.min / b.raft.election_timeout_ms.min;
            assert_eq!(k > 1, d.mix.contains("election timeout x"), "{}", d.mix);
            let et = (s.raft.election_timeout_ms.max, s.raft.heartbeat_interval_ms);
            assert_eq!(
                et,
                (
                    b.raft.election_timeout_ms.max * k,
                    b.raft.heartbeat_interval_ms
                )
            );
            assert_eq!(s.raft.max_append_batch, b.raft.max_append_batch);
            assert_eq!(
                (&s.workload, &s.run, &s.expect),
                (&b.workload, &b.run, &b.expect)
            );
            assert_eq!(s.faults.schedule, b.faults.schedule);
            assert_eq!(s.disk.crash, b.disk.crash);
        }
    }

    #[test]
    fn every_kind_is_sometimes_on_and_sometimes_off() {
        let b = base();
        let draws: Vec<Scenario> = (0..200).map(|seed| swarm(&b, seed).scenario).collect();
        type IsOn = fn(&Scenario) -> bool;
        let kinds: [(&str, IsOn); 6] = [
            ("crash", |s| s.faults.crash_rate_per_s > 0.0),
            ("partition", |s| s.faults.partition_rate_per_s > 0.0),
            ("drop", |s| s.network.drop_rate > 0.0),
            ("duplicate", |s| s.network.duplicate_rate > 0.0),
            ("reorder", |s| s.network.reorder),
            ("corruption", |s| s.disk.corruption_rate > 0.0),
        ];
        for (name, on) in kinds {
            let n = draws.iter().filter(|s| on(s)).count();
            assert!((50..=150).contains(&n), "{name} on in {n} of 200");
        }
    }

    #[test]
    fn a_draw_is_a_complete_scenario_that_reads_back_equal() {
        let b = Scenario::with_defaults("d", 5, Mode::AsyncHandler);
        for seed in [0, 1, 2, 99, u64::MAX] {
            let d = swarm(&b, seed);
            let back = crate::parse_str(&d.scenario.to_toml(), "d.toml")
                .unwrap_or_else(|e| panic!("{e}\n{}", d.scenario.to_toml()));
            assert_eq!(back, d.scenario);
            assert!(d.scenario.description.contains(&d.mix));
        }
    }

    #[test]
    fn rounding_keeps_four_digits_and_order() {
        assert_eq!(round_sig(0.012_345_6), 0.012_35);
        assert_eq!(round_sig(123_456.0), 123_500.0);
        assert_eq!(round_sig(1.0), 1.0);
        assert_eq!(round_sig(0.0), 0.0);
        assert!(round_sig(1e-300) > 0.0);
        assert!(round_sig(2.000_04) <= round_sig(2.000_06));
    }
}
