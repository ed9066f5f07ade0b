//! A micro-benchmark, not a test: sends and deliveries per second of wall time through the
//! virtual network, driven by the kernel's event queue, with a few hundred messages in
//! flight. Run with `cargo run --release -p sim-net --example net_throughput`.
//!
//! The wall clock is read here, outside any simulation, only to report the rate.

use sim_core::{Dist, EventQueue, NodeId, RngStreams, SimTime};
use sim_net::{NetConfig, Network, Sent, Slot};
use std::time::Instant;

const MESSAGES: u64 = 5_000_000;

fn main() {
    let config = NetConfig {
        latency: Dist::Uniform {
            min_ns: 1e6,
            max_ns: 10e6,
        },
        drop_rate: 0.01,
        duplicate_rate: 0.01,
        reorder: false,
    };
    let mut net: Network<[u64; 4]> =
        Network::new(config, 5, RngStreams::new(1).stream("net"), 4096);
    let mut queue: EventQueue<Slot> = EventQueue::new(4096);
    let mut delivered = 0u64;
    let started = Instant::now();
    for i in 0..MESSAGES {
        let now = SimTime::from_ns(i * 20_000);
        while queue.peek_time().is_some_and(|t| t <= now) {
            let (_, slot) = queue.pop().expect("peeked");
            delivered += u64::from(net.deliver(slot).is_delivered());
        }
        let (from, to) = (
            NodeId::from_index((i % 5) as usize),
            NodeId::from_index(((i + 1 + i / 5 % 4) % 5) as usize),
        );
        if let Sent::Scheduled {
            at,
            slot,
            duplicate,
        } = net.send(now, from, to, [i; 4])
        {
            queue.push(at, slot);
            if let Some((at, slot)) = duplicate {
                queue.push(at, slot);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{MESSAGES} sends, {delivered} deliveries in {secs:.2}s: {:.0} ns per send+deliver (peak in flight {})",
        secs * 1e9 / MESSAGES as f64,
        net.stats().in_flight_peak
    );
}
