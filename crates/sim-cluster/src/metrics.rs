//! What a run cost: client-visible commit latency, throughput, flushes and messages.

use serde::Serialize;

/// Counters and latencies gathered during one run.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Submit-to-acknowledgement latency of each acknowledged write, in nanoseconds.
    pub write_latencies_ns: Vec<u64>,
    pub writes_invoked: u64,
    pub reads_invoked: u64,
    pub writes_acked: u64,
    pub reads_acked: u64,
    pub failed: u64,
    pub unknown: u64,
    pub redirects: u64,
}

/// The summary of [`Metrics`] a report shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MetricsSummary {
    pub writes_invoked: u64,
    pub writes_acked: u64,
    pub reads_acked: u64,
    /// Requests that certainly failed (turned away by a non-leader).
    pub failed: u64,
    /// Requests that ended indeterminate (timeout, crash, lost leadership).
    pub unknown: u64,
    pub commit_latency_p50_us: f64,
    pub commit_latency_p99_us: f64,
    pub commit_latency_max_us: f64,
    /// Acknowledged writes per simulated second of the workload phase.
    pub acked_writes_per_s: f64,
    pub flushes: u64,
    pub messages: u64,
}

/// The `q`-quantile (nearest rank) of sorted values.
pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Metrics {
    pub fn summarize(&self, workload_s: f64, flushes: u64, messages: u64) -> MetricsSummary {
        let mut lat = self.write_latencies_ns.clone();
        lat.sort_unstable();
        let us = |ns: u64| ns as f64 / 1e3;
        MetricsSummary {
            writes_invoked: self.writes_invoked,
            writes_acked: self.writes_acked,
            reads_acked: self.reads_acked,
            failed: self.failed,
            unknown: self.unknown,
            commit_latency_p50_us: us(quantile(&lat, 0.50)),
            commit_latency_p99_us: us(quantile(&lat, 0.99)),
            commit_latency_max_us: us(lat.last().copied().unwrap_or(0)),
            acked_writes_per_s: if workload_s > 0.0 {
                self.writes_acked as f64 / workload_s
            } else {
                0.0
            },
            flushes,
            messages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), 50);
        assert_eq!(quantile(&v, 0.99), 99);
        assert_eq!(quantile(&v, 1.0), 100);
        assert_eq!(quantile(&[], 0.5), 0);
        assert_eq!(quantile(&[7], 0.99), 7);
    }
}
