//! One run of a world, whichever implementation its nodes run: where the scenario's
//! `[cluster] implementation` meets the replica that implements it. Every command that
//! runs a scenario (run, fuzz, repro, shrink, explore, bench) comes through here; the world
//! itself is generic over the implementation's message type and never chooses.

use sim_cluster::config::{AdapterMutant, Implementation};
use sim_cluster::{RunOptions, RunOutcome, World, WorldConfig};
use sim_trace::jsonl::RunHeader;

/// Runs one seed of `config` without a trace file.
pub fn run_seed(config: &WorldConfig, seed: u64) -> RunOutcome {
    run_world(config.clone(), seed, RunOptions::default(), None)
}

/// Runs one seed of `config` with `options` (their replica is replaced by the one
/// `config.implementation` names), writing `header` first when given.
pub fn run_world(
    config: WorldConfig,
    seed: u64,
    options: RunOptions,
    header: Option<&RunHeader>,
) -> RunOutcome {
    match config.implementation {
        Implementation::Model => go(World::new(config, seed, options), header),
        Implementation::RaftRs => {
            let factory = match config.mutant.adapter {
                AdapterMutant::None => replica_raft_rs::factory,
                AdapterMutant::PersistedMessagesEarly => {
                    replica_raft_rs::factory_persisted_messages_early
                }
                AdapterMutant::IoFlushedBeforeFsync => {
                    unreachable!("validation keeps openraft's mutant to openraft")
                }
            };
            let options = options.with_replica(factory);
            go(World::new(config, seed, options), header)
        }
        Implementation::Openraft => {
            let factory = match config.mutant.adapter {
                AdapterMutant::None => replica_openraft::factory,
                AdapterMutant::IoFlushedBeforeFsync => {
                    replica_openraft::factory_io_flushed_before_fsync
                }
                AdapterMutant::PersistedMessagesEarly => {
                    unreachable!("validation keeps raft-rs's mutant to raft-rs")
                }
            };
            let options = options.with_replica(factory);
            go(World::new(config, seed, options), header)
        }
    }
}

fn go<M: sim_cluster::Wire>(mut world: World<M>, header: Option<&RunHeader>) -> RunOutcome {
    if let Some(h) = header {
        world.write_header(h);
    }
    world.run()
}
