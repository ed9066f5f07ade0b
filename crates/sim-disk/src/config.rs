//! The disk's configuration: latencies, crash model, sector size and fault rates.
//!
//! This is documented data, not behaviour: [`crate::Disk`] reads it, the scenario layer
//! fills it in (and validates it first, so the user sees a message, not a panic).
//! [`DiskConfig::validate`] is the single statement of what a valid config is; `Disk::new`
//! panics on a config that fails it, because reaching it with one is a bug upstream.

use serde::{Deserialize, Serialize};
use sim_core::Dist;

/// The smallest sector a disk may have: a torn write keeps half a sector, so there must be
/// two halves.
pub const SECTOR_BYTES_MIN: u32 = 2;
/// The largest sector a disk may have (64 KiB, the largest page size in common use).
pub const SECTOR_BYTES_MAX: u32 = 65_536;

/// How the landed-but-unflushed writes of a disk survive a power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrashModel {
    /// Nothing that was not flushed survives: the disk holds its last flushed state.
    LoseUnflushed,
    /// Each unflushed sector write (and each unflushed truncate) survives independently
    /// with probability 1/2; survivors are applied in landing order.
    KeepRandomSubset,
    /// The device wrote a prefix of the unflushed sector writes in landing order and lost
    /// power in the middle of the next one: that sector keeps its first half new and its
    /// second half old; the rest are lost.
    TornTail,
}

/// In which order the flushes of a disk complete.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlushOrder {
    /// One flush at a time for the whole disk, in submission order; a flush also waits
    /// for every write submitted before it to any file.
    #[default]
    Submission,
    /// One flush at a time per file, in submission order within the file; flushes of
    /// different files run side by side and may complete in either order.
    PerFile,
}

/// The parameters of one node's disk.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskConfig {
    /// Time for a write or a truncate to land in the page cache, in nanoseconds.
    pub write_latency: Dist,
    /// Time for a flush (fsync) once it has started, in nanoseconds.
    pub flush_latency: Dist,
    /// Time for a flush of any file but file 0, when it differs from `flush_latency`. The
    /// cluster keeps its log in file 0 and its one-sector term-and-vote file in file 1,
    /// whose fsync is usually much cheaper than a log batch's.
    #[serde(default)]
    pub side_files_flush_latency: Option<Dist>,
    /// What survives a crash among the landed-but-unflushed writes.
    pub crash_model: CrashModel,
    /// The unit in which the media is written: a power of two in
    /// [`SECTOR_BYTES_MIN`]`..=`[`SECTOR_BYTES_MAX`].
    pub sector_bytes: u32,
    /// Probability in `[0, 1]` that a flush fails and drops the dirty pages it covered.
    pub fsync_error_rate: f64,
    /// Probability in `[0, 1]` that one sector reads corrupt at recovery.
    pub corruption_rate: f64,
    /// Whether fsyncs of different files complete in submission order or independently.
    #[serde(default)]
    pub flush_order: FlushOrder,
}

/// Why a [`DiskConfig`] is not valid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DiskConfigError {
    #[error("disk write_latency: {0}")]
    WriteLatency(sim_core::DistError),
    #[error("disk flush_latency: {0}")]
    FlushLatency(sim_core::DistError),
    #[error(
        "disk sector_bytes = {0}: must be a power of two from {SECTOR_BYTES_MIN} to \
         {SECTOR_BYTES_MAX} (512 and 4096 are the usual values)"
    )]
    SectorBytes(u32),
    #[error("disk {name} = {value}: must be a probability from 0 to 1")]
    Probability { name: &'static str, value: f64 },
}

impl DiskConfig {
    /// A fault-free disk with constant latencies (in nanoseconds), 512-byte sectors and
    /// the [`CrashModel::LoseUnflushed`] model: the starting point of tests and examples.
    pub fn simple(write_latency_ns: f64, flush_latency_ns: f64) -> DiskConfig {
        DiskConfig {
            write_latency: Dist::constant_ns(write_latency_ns),
            flush_latency: Dist::constant_ns(flush_latency_ns),
            side_files_flush_latency: None,
            crash_model: CrashModel::LoseUnflushed,
            sector_bytes: 512,
            fsync_error_rate: 0.0,
            corruption_rate: 0.0,
            flush_order: FlushOrder::Submission,
        }
    }

    /// Checks every field; the first broken rule is the error.
    pub fn validate(&self) -> Result<(), DiskConfigError> {
        self.write_latency
            .validate()
            .map_err(DiskConfigError::WriteLatency)?;
        self.flush_latency
            .validate()
            .map_err(DiskConfigError::FlushLatency)?;
        if let Some(d) = self.side_files_flush_latency {
            d.validate().map_err(DiskConfigError::FlushLatency)?;
        }
        let s = self.sector_bytes;
        if !s.is_power_of_two() || !(SECTOR_BYTES_MIN..=SECTOR_BYTES_MAX).contains(&s) {
            return Err(DiskConfigError::SectorBytes(s));
        }
        probability("fsync_error_rate", self.fsync_error_rate)?;
        probability("corruption_rate", self.corruption_rate)?;
        Ok(())
    }
}

fn probability(name: &'static str, value: f64) -> Result<(), DiskConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(DiskConfigError::Probability { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simple_config_is_valid() {
        assert_eq!(DiskConfig::simple(10.0, 100.0).validate(), Ok(()));
    }

    #[test]
    fn sector_size_must_be_a_power_of_two_in_range() {
        for bad in [0, 1, 3, 500, 131_072] {
            let c = DiskConfig {
                sector_bytes: bad,
                ..DiskConfig::simple(1.0, 1.0)
            };
            assert_eq!(
                c.validate(),
                Err(DiskConfigError::SectorBytes(bad)),
                "{bad}"
            );
        }
        for good in [2, 512, 4096, 65_536] {
            let c = DiskConfig {
                sector_bytes: good,
                ..DiskConfig::simple(1.0, 1.0)
            };
            assert_eq!(c.validate(), Ok(()), "{good}");
        }
    }

    #[test]
    fn rates_must_be_probabilities() {
        let c = DiskConfig {
            fsync_error_rate: 1.5,
            ..DiskConfig::simple(1.0, 1.0)
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("fsync_error_rate = 1.5")
        );
        let c = DiskConfig {
            corruption_rate: f64::NAN,
            ..DiskConfig::simple(1.0, 1.0)
        };
        assert!(c.validate().is_err());
        let c = DiskConfig {
            write_latency: Dist::constant_ns(-1.0),
            ..DiskConfig::simple(1.0, 1.0)
        };
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .starts_with("disk write_latency")
        );
    }
}
