//! Latency distributions: constant, uniform, exponential and log-normal (given by its
//! median and 99th percentile, the two numbers people know about their disks).
//!
//! Parameters are stored in nanoseconds; the scenario layer converts from the unit in the
//! key's name. Every sample is finite, non-negative and at most [`Dist::SAMPLE_MAX_NS`]
//! (one hour), so a heavy tail cannot push an event past the end of time.

use crate::rng::SimRng;
use crate::time::SimDuration;
use serde::{Deserialize, Serialize};

/// z-score of the 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_841;

/// A distribution of durations, parameters in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Dist {
    Constant {
        value_ns: f64,
    },
    Uniform {
        min_ns: f64,
        max_ns: f64,
    },
    Exponential {
        mean_ns: f64,
    },
    /// Log-normal with median `p50_ns` and 99th percentile `p99_ns`.
    LogNormal {
        p50_ns: f64,
        p99_ns: f64,
    },
}

/// A distribution whose parameters break its rules.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

impl Dist {
    /// The largest duration a sample may take: one hour.
    pub const SAMPLE_MAX_NS: f64 = 3_600e9;

    pub fn constant_ns(value_ns: f64) -> Dist {
        Dist::Constant { value_ns }
    }

    /// Checks the rules of SCENARIO.md: finite, non-negative, `min <= max`,
    /// `0 < p50 <= p99`, `mean > 0`.
    pub fn validate(&self) -> Result<(), DistError> {
        let finite_nonneg = |name: &str, v: f64| {
            if !v.is_finite() {
                Err(DistError(format!(
                    "{name} must be a finite number, got {v}"
                )))
            } else if v < 0.0 {
                Err(DistError(format!("{name} must be >= 0, got {v}")))
            } else {
                Ok(())
            }
        };
        match *self {
            Dist::Constant { value_ns } => finite_nonneg("value", value_ns),
            Dist::Uniform { min_ns, max_ns } => {
                finite_nonneg("min", min_ns)?;
                finite_nonneg("max", max_ns)?;
                if min_ns > max_ns {
                    return Err(DistError("min must be <= max".into()));
                }
                Ok(())
            }
            Dist::Exponential { mean_ns } => {
                finite_nonneg("mean", mean_ns)?;
                if mean_ns <= 0.0 {
                    return Err(DistError("mean must be > 0".into()));
                }
                Ok(())
            }
            Dist::LogNormal { p50_ns, p99_ns } => {
                finite_nonneg("p50", p50_ns)?;
                finite_nonneg("p99", p99_ns)?;
                if p50_ns <= 0.0 {
                    return Err(DistError("p50 must be > 0".into()));
                }
                if p50_ns > p99_ns {
                    return Err(DistError("p50 must be <= p99".into()));
                }
                Ok(())
            }
        }
    }

    /// Draws one duration. Draws the same number of values from `rng` for a given variant,
    /// whatever the parameters. A caller that draws often keeps a [`Sampler`] instead,
    /// which draws the same durations without recomputing the parameters' logarithms.
    pub fn sample(&self, rng: &mut SimRng) -> SimDuration {
        self.sampler().sample(rng)
    }

    /// This distribution ready to draw from.
    pub fn sampler(&self) -> Sampler {
        let (ln_p50, sigma) = match *self {
            Dist::LogNormal { p50_ns, p99_ns } => (p50_ns.ln(), lognormal_sigma(p50_ns, p99_ns)),
            _ => (0.0, 0.0),
        };
        Sampler {
            dist: *self,
            ln_p50,
            sigma,
        }
    }

    /// The mean of the distribution in nanoseconds (before clamping), for reports.
    pub fn mean_ns(&self) -> f64 {
        match *self {
            Dist::Constant { value_ns } => value_ns,
            Dist::Uniform { min_ns, max_ns } => (min_ns + max_ns) / 2.0,
            Dist::Exponential { mean_ns } => mean_ns,
            Dist::LogNormal { p50_ns, p99_ns } => {
                let sigma = lognormal_sigma(p50_ns, p99_ns);
                p50_ns * (sigma * sigma / 2.0).exp()
            }
        }
    }
}

/// A [`Dist`] with what every draw would compute again (a log-normal's log-median and
/// sigma) computed once: the latency of every disk operation and message is drawn through
/// one, and three of a log-normal draw's four logarithms were of its fixed parameters.
/// It draws exactly what [`Dist::sample`] draws, bit for bit.
#[derive(Clone, Copy, Debug)]
pub struct Sampler {
    dist: Dist,
    /// `ln(p50_ns)` of a log-normal (0 for the other kinds).
    ln_p50: f64,
    /// `(ln(p99_ns) - ln(p50_ns)) / z_p99` of a log-normal (0 for the other kinds).
    sigma: f64,
}

impl Sampler {
    /// Draws one duration: see [`Dist::sample`].
    pub fn sample(&self, rng: &mut SimRng) -> SimDuration {
        let ns = match self.dist {
            Dist::Constant { value_ns } => value_ns,
            Dist::Uniform { min_ns, max_ns } => min_ns + (max_ns - min_ns) * rng.unit_f64(),
            Dist::Exponential { mean_ns } => -mean_ns * (1.0 - rng.unit_f64()).ln(),
            Dist::LogNormal { .. } => (self.ln_p50 + self.sigma * rng.standard_normal()).exp(),
        };
        let ns = if ns.is_finite() {
            ns.clamp(0.0, Dist::SAMPLE_MAX_NS)
        } else {
            Dist::SAMPLE_MAX_NS
        };
        SimDuration::from_ns(round_half_away(ns))
    }
}

/// The sigma of the log-normal with median `p50_ns` and 99th percentile `p99_ns`.
fn lognormal_sigma(p50_ns: f64, p99_ns: f64) -> f64 {
    (p99_ns.ln() - p50_ns.ln()) / Z_P99
}

/// `ns.round() as u64` for `0 <= ns <= SAMPLE_MAX_NS`, without the call into libm that
/// `round` is on baseline x86-64: below 2^52 the integer part converts exactly and the
/// fraction subtracts exactly, so comparing it with one half rounds as `round` does (half
/// away from zero).
#[inline]
fn round_half_away(ns: f64) -> u64 {
    debug_assert!((0.0..=Dist::SAMPLE_MAX_NS).contains(&ns));
    let whole = ns as u64;
    whole + u64::from(ns - whole as f64 >= 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::RngStreams;

    fn samples(d: Dist, n: usize) -> Vec<u64> {
        let mut rng = RngStreams::new(11).stream("dist");
        let mut v: Vec<u64> = (0..n).map(|_| d.sample(&mut rng).as_ns()).collect();
        v.sort_unstable();
        v
    }

    proptest::proptest! {
        /// The sampler's rounding is `round`'s, on random values and on every value next
        /// to a half.
        #[test]
        fn rounding_is_rounds(whole in 0u64..3_600_000_000_000, frac in 0.0f64..1.0) {
            let ns = (whole as f64 + frac).min(Dist::SAMPLE_MAX_NS);
            proptest::prop_assert_eq!(round_half_away(ns), ns.round() as u64);
            let half = whole as f64 + 0.5;
            if half <= Dist::SAMPLE_MAX_NS {
                for v in [half, half.next_down(), half.next_up()] {
                    proptest::prop_assert_eq!(round_half_away(v), v.round() as u64);
                }
            }
        }
    }

    /// The sampler draws what the distribution's own formula draws, for every kind: the
    /// figures of every run drawn before it existed depend on it.
    #[test]
    fn the_sampler_draws_what_the_formula_draws() {
        let kinds = [
            Dist::constant_ns(42.4),
            Dist::Uniform {
                min_ns: 100.0,
                max_ns: 2e6,
            },
            Dist::Exponential { mean_ns: 1e6 },
            Dist::LogNormal {
                p50_ns: 2e6,
                p99_ns: 30e6,
            },
        ];
        for d in kinds {
            let mut a = RngStreams::new(5).stream("dist");
            let mut b = RngStreams::new(5).stream("dist");
            let sampler = d.sampler();
            for _ in 0..5000 {
                let ns = match d {
                    Dist::Constant { value_ns } => value_ns,
                    Dist::Uniform { min_ns, max_ns } => min_ns + (max_ns - min_ns) * a.unit_f64(),
                    Dist::Exponential { mean_ns } => -mean_ns * (1.0 - a.unit_f64()).ln(),
                    Dist::LogNormal { p50_ns, p99_ns } => {
                        let sigma = (p99_ns.ln() - p50_ns.ln()) / Z_P99;
                        (p50_ns.ln() + sigma * a.standard_normal()).exp()
                    }
                };
                let want = ns.clamp(0.0, Dist::SAMPLE_MAX_NS).round() as u64;
                assert_eq!(sampler.sample(&mut b).as_ns(), want, "{d:?}");
            }
        }
    }

    #[test]
    fn constant_and_uniform_stay_in_bounds() {
        assert!(
            samples(Dist::constant_ns(42.0), 10)
                .iter()
                .all(|v| *v == 42)
        );
        let u = samples(
            Dist::Uniform {
                min_ns: 100.0,
                max_ns: 200.0,
            },
            1000,
        );
        assert!(u[0] >= 100 && u[999] <= 200);
    }

    #[test]
    fn lognormal_matches_its_percentiles() {
        let d = Dist::LogNormal {
            p50_ns: 2e6,
            p99_ns: 30e6,
        };
        let v = samples(d, 20_000);
        let p50 = v[10_000] as f64;
        let p99 = v[19_800] as f64;
        assert!((p50 / 2e6 - 1.0).abs() < 0.05, "p50 {p50}");
        assert!((p99 / 30e6 - 1.0).abs() < 0.15, "p99 {p99}");
    }

    #[test]
    fn exponential_mean_is_close() {
        let v = samples(Dist::Exponential { mean_ns: 1000.0 }, 20_000);
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        assert!((mean / 1000.0 - 1.0).abs() < 0.05, "{mean}");
    }

    #[test]
    fn validation_rejects_what_the_contract_rejects() {
        assert!(
            Dist::Uniform {
                min_ns: 5.0,
                max_ns: 1.0
            }
            .validate()
            .is_err()
        );
        assert!(
            Dist::LogNormal {
                p50_ns: 0.0,
                p99_ns: 1.0
            }
            .validate()
            .is_err()
        );
        assert!(
            Dist::LogNormal {
                p50_ns: 3.0,
                p99_ns: 1.0
            }
            .validate()
            .is_err()
        );
        assert!(Dist::Exponential { mean_ns: 0.0 }.validate().is_err());
        assert!(Dist::constant_ns(f64::NAN).validate().is_err());
        assert!(Dist::constant_ns(-1.0).validate().is_err());
        assert!(
            Dist::LogNormal {
                p50_ns: 2.0,
                p99_ns: 2.0
            }
            .validate()
            .is_ok()
        );
    }
}
