//! The network's configuration: latency, loss, duplication and ordering.
//!
//! Documented data, not behaviour. [`NetConfig::validate`] states what a valid config is;
//! `Network::new` panics on one that fails it, because the scenario layer validates first
//! and reaching `new` with a bad config is a bug.

use serde::{Deserialize, Serialize};
use sim_core::Dist;

/// The parameters of the network, the same for every link.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetConfig {
    /// One-way delivery latency of a message, in nanoseconds.
    pub latency: Dist,
    /// Probability in `[0, 1]` that a message is dropped when sent.
    pub drop_rate: f64,
    /// Probability in `[0, 1]` that a message not dropped is delivered a second time.
    pub duplicate_rate: f64,
    /// `false`: each link (from, to) delivers in send order (FIFO). `true`: messages on a
    /// link may overtake each other.
    pub reorder: bool,
}

/// Why a [`NetConfig`] is not valid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NetConfigError {
    #[error("network latency: {0}")]
    Latency(sim_core::DistError),
    #[error("network {name} = {value}: must be a probability from 0 to 1")]
    Probability { name: &'static str, value: f64 },
}

impl NetConfig {
    /// A reliable FIFO network with a constant latency in nanoseconds: the starting point of
    /// tests and examples.
    pub fn reliable(latency_ns: f64) -> NetConfig {
        NetConfig {
            latency: Dist::constant_ns(latency_ns),
            drop_rate: 0.0,
            duplicate_rate: 0.0,
            reorder: false,
        }
    }

    /// Checks every field; the first broken rule is the error.
    pub fn validate(&self) -> Result<(), NetConfigError> {
        self.latency.validate().map_err(NetConfigError::Latency)?;
        for (name, value) in [
            ("drop_rate", self.drop_rate),
            ("duplicate_rate", self.duplicate_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(NetConfigError::Probability { name, value });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reliable_is_valid_and_bad_rates_are_not() {
        assert_eq!(NetConfig::reliable(1e6).validate(), Ok(()));
        let c = NetConfig {
            drop_rate: -0.1,
            ..NetConfig::reliable(1.0)
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("drop_rate = -0.1")
        );
        let c = NetConfig {
            duplicate_rate: f64::NAN,
            ..NetConfig::reliable(1.0)
        };
        assert!(c.validate().is_err());
        let c = NetConfig {
            latency: Dist::Exponential { mean_ns: 0.0 },
            ..NetConfig::reliable(1.0)
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .starts_with("network latency")
        );
    }
}
