//! The replica boundary carries an implementation's own message type. A replica that
//! wraps this project's core and speaks its own wire type (here: an envelope with a
//! sequence number the core never sees) runs in the same world, draw for draw: the trace
//! hash is the one of the core run directly, so the boundary adds and changes nothing.

use raft_core::{
    Action, Config, Entry, Input, Kv, LogIndex, Message, Raft, Recovered, Replica, Role, Term,
};
use sim_cluster::config::FaultPlan;
use sim_cluster::{RunOptions, Wire, World, WorldConfig};
use sim_trace::MsgSummary;

/// Another implementation's message: the core's message inside an envelope of its own.
#[derive(Clone, Debug)]
struct Envelope {
    /// Bumped by the sender; the world never looks at it.
    seq: u64,
    body: Message,
}

impl Wire for Envelope {
    fn summary(&self) -> MsgSummary {
        self.body.summary()
    }
    fn pause_hint(&mut self) -> Option<&mut bool> {
        self.body.pause_hint()
    }
}

/// The core behind an adapter, as raft-rs or openraft would sit behind one.
struct Adapter {
    core: Raft,
    sent: u64,
    scratch: Vec<Action>,
}

impl Adapter {
    fn wrap(&mut self, out: &mut Vec<Action<Envelope>>) {
        for a in self.scratch.drain(..) {
            out.push(a.map_message(|body| {
                self.sent += 1;
                Envelope {
                    seq: self.sent,
                    body,
                }
            }));
        }
    }
}

impl Replica for Adapter {
    type Message = Envelope;
    fn start(&mut self, out: &mut Vec<Action<Envelope>>) {
        self.core.start(&mut self.scratch);
        self.wrap(out);
    }
    fn step(&mut self, input: Input<Envelope>, out: &mut Vec<Action<Envelope>>) {
        let input = input.map_message(|e| {
            assert!(e.seq > 0, "the envelope arrives as it was sent");
            e.body
        });
        self.core.step(input, &mut self.scratch);
        self.wrap(out);
    }
    fn first_index(&self) -> LogIndex {
        Replica::first_index(&self.core)
    }
    fn last_index(&self) -> LogIndex {
        self.core.last_index()
    }
    fn entry(&self, index: LogIndex) -> Option<&Entry> {
        self.core.entry(index)
    }
    fn entries_between(&self, from: LogIndex, to: LogIndex) -> &[Entry] {
        self.core.entries_between(from, to)
    }
    fn role(&self) -> Role {
        self.core.role()
    }
    fn term(&self) -> Term {
        self.core.term()
    }
    fn commit_index(&self) -> LogIndex {
        self.core.commit_index()
    }
    fn applied_index(&self) -> LogIndex {
        self.core.applied_index()
    }
    fn state_machine(&self) -> &Kv {
        self.core.state_machine()
    }
}

fn adapter(
    cfg: Config,
    recovered: Recovered,
    _rng: sim_core::SimRng,
) -> Box<dyn Replica<Message = Envelope>> {
    Box::new(Adapter {
        core: Raft::new(cfg, recovered),
        sent: 0,
        scratch: Vec::new(),
    })
}

#[test]
fn an_implementation_with_its_own_messages_runs_the_same_world() {
    let config = WorldConfig::builder(3, raft_core::Durability::parallel_append())
        .negative_batch_hint_rate(0.1)
        .faults(FaultPlan {
            crash_rate_per_s: 2.0,
            partition_rate_per_s: 1.0,
            ..FaultPlan::none()
        })
        .duration_ms(2_000)
        .heal_ms(1_000)
        .build()
        .expect("a valid world");
    let mut acked = 0;
    for seed in 0..20 {
        let direct = World::new(config.clone(), seed, RunOptions::default()).run();
        let options = RunOptions {
            trace: None,
            replica: adapter,
            count_boundaries: false,
            crash_points: Vec::new(),
        };
        let wrapped = World::new(config.clone(), seed, options).run();
        assert_eq!(direct.trace_hash, wrapped.trace_hash, "seed {seed}");
        assert_eq!(direct.events, wrapped.events, "seed {seed}");
        acked += direct.metrics.writes_acked;
    }
    assert!(
        acked > 100,
        "the clusters served their clients: {acked} writes"
    );
}
