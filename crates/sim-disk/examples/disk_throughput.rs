//! A micro-benchmark, not a test: how many disk operations per second of wall time the
//! virtual disk handles in a Raft-like steady state (appends of a few hundred bytes, a
//! flush every few appends, the log truncated now and then). Run with
//! `cargo run --release -p sim-disk --example disk_throughput`.
//!
//! The wall clock is read here, outside any simulation, only to report the rate.

use sim_core::{Dist, RngStreams, SimTime};
use sim_disk::{CrashModel, Disk, DiskConfig, FileId};
use std::time::Instant;

const OPS: u64 = 2_000_000;

fn main() {
    let config = DiskConfig {
        write_latency: Dist::Uniform {
            min_ns: 5_000.0,
            max_ns: 50_000.0,
        },
        flush_latency: Dist::LogNormal {
            p50_ns: 100e3,
            p99_ns: 1e6,
        },
        crash_model: CrashModel::TornTail,
        sector_bytes: 512,
        fsync_error_rate: 0.0,
        corruption_rate: 0.0,
        flush_order: sim_disk::FlushOrder::Submission,
        side_files_flush_latency: None,
    };
    let streams = RngStreams::new(1);
    let mut disk = Disk::new(config, 2, streams.stream("lat"), streams.stream("fault"));
    let entry = [0xabu8; 300];
    let mut out = Vec::with_capacity(64);
    let (mut offset_bytes, mut completed) = (0u64, 0u64);
    let started = Instant::now();
    for i in 0..OPS {
        let now = SimTime::from_ns(i * 50_000);
        if offset_bytes > (64 << 20) {
            disk.truncate(now, FileId(0), 0);
            offset_bytes = 0;
        }
        disk.write(now, FileId(0), offset_bytes, &entry);
        offset_bytes += entry.len() as u64;
        if i % 16 == 15 {
            disk.flush(now, FileId(0));
        }
        disk.advance(now, &mut out);
        completed += out.len() as u64;
        out.clear();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{OPS} writes (+ flushes), {completed} completions in {secs:.2}s: {:.1} M completions/s, {:.0} ns per write",
        completed as f64 / secs / 1e6,
        secs * 1e9 / OPS as f64
    );
}
