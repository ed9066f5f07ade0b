//! Virtual time: nanoseconds since the start of a run, as newtypes so an instant is never
//! confused with a duration or a count.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant of virtual time, in nanoseconds since the run began.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct SimTime(u64);

/// A span of virtual time, in nanoseconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct SimDuration(u64);

const NS_PER_US: u64 = 1_000;
const NS_PER_MS: u64 = 1_000_000;
const NS_PER_S: u64 = 1_000_000_000;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The latest representable instant; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_ns(ns: u64) -> Self {
        SimTime(ns)
    }
    pub const fn from_ms(ms: u64) -> Self {
        SimTime(ms.saturating_mul(NS_PER_MS))
    }
    pub const fn as_ns(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
    /// The instant `d` after `self`, saturating at [`SimTime::MAX`].
    pub const fn after(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
    /// The time from `earlier` to `self`; zero if `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_ns(ns: u64) -> Self {
        SimDuration(ns)
    }
    pub const fn from_us(us: u64) -> Self {
        SimDuration(us.saturating_mul(NS_PER_US))
    }
    pub const fn from_ms(ms: u64) -> Self {
        SimDuration(ms.saturating_mul(NS_PER_MS))
    }
    pub const fn as_ns(self) -> u64 {
        self.0
    }
    pub fn as_us_f64(self) -> f64 {
        self.0 as f64 / NS_PER_US as f64
    }
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / NS_PER_MS as f64
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }
}

impl fmt::Display for SimTime {
    /// Seconds with microsecond precision, e.g. `1.500000s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:06}s",
            self.0 / NS_PER_S,
            (self.0 % NS_PER_S) / NS_PER_US
        )
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= NS_PER_S {
            write!(f, "{:.3}s", self.as_secs_f64())
        } else if self.0 >= NS_PER_MS {
            write!(f, "{:.3}ms", self.as_ms_f64())
        } else {
            write!(f, "{:.3}us", self.as_us_f64())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX.after(SimDuration::from_ms(1)), SimTime::MAX);
        assert_eq!(SimTime::ZERO.since(SimTime::from_ms(5)), SimDuration::ZERO);
        assert_eq!(
            SimTime::from_ms(3).since(SimTime::from_ms(1)),
            SimDuration::from_ms(2)
        );
    }

    #[test]
    fn display_is_seconds_with_microseconds() {
        assert_eq!(SimTime::from_ns(1_500_000_123).to_string(), "1.500000s");
        assert_eq!(SimDuration::from_us(1500).to_string(), "1.500ms");
    }
}
