//! The same seeds and the same calls give the same completions, instants, crash fates and
//! corrupt sectors; a different seed gives a different run.

use sim_core::{Dist, RngStreams, SimTime};
use sim_disk::{CrashModel, CrashReport, Disk, DiskConfig, FileId};

#[derive(Debug, PartialEq)]
struct Run {
    completions: Vec<(u64, u64, bool)>,
    crash: CrashReport,
    corrupt: Vec<u64>,
    durable: Vec<u8>,
}

fn run(seed: u64) -> Run {
    let config = DiskConfig {
        write_latency: Dist::LogNormal {
            p50_ns: 20_000.0,
            p99_ns: 200_000.0,
        },
        flush_latency: Dist::Exponential {
            mean_ns: 1_000_000.0,
        },
        crash_model: CrashModel::KeepRandomSubset,
        sector_bytes: 512,
        fsync_error_rate: 0.1,
        corruption_rate: 0.05,
        flush_order: sim_disk::FlushOrder::Submission,
        side_files_flush_latency: None,
    };
    let s = RngStreams::new(seed);
    let mut disk = Disk::new(config, 2, s.stream("disk.lat"), s.stream("disk.fault"));
    let mut out = Vec::new();
    let mut completions = Vec::new();
    for i in 0..400u64 {
        let now = SimTime::from_ns(i * 50_000);
        disk.write(now, FileId(0), i * 300, &[i as u8; 300]);
        if i % 5 == 0 {
            disk.flush(now, FileId(0));
        }
        disk.advance(now, &mut out);
        completions.extend(out.drain(..).map(|c| (now.as_ns(), c.op.0, c.ok)));
    }
    let crash = disk.crash();
    let mut bytes = Vec::new();
    let corrupt = disk.read_for_recovery(FileId(0), &mut bytes);
    Run {
        completions,
        crash,
        corrupt,
        durable: disk.durable(FileId(0)).to_vec(),
    }
}

#[test]
fn same_seed_same_run() {
    let a = run(42);
    assert!(
        a.completions.iter().any(|c| !c.2),
        "the run should see a failed flush"
    );
    assert!(a.crash.sector_writes_kept > 0 && a.crash.sector_writes_lost > 0);
    assert!(!a.corrupt.is_empty());
    assert_eq!(a, run(42));
}

#[test]
fn another_seed_another_run() {
    assert_ne!(run(1), run(2));
}
