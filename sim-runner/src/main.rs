//! `sim-runner`: the command line of the Raft durability simulator.
//!
//! A thin `main`: parse the command line ([`cli`]), run the command (`cmd/`), map the
//! result to an exit code — 0 every expectation holds, 1 an expectation failed (or `repro`
//! or `check-trace` found a violation), 2 bad usage, a bad scenario or a trace that cannot
//! be judged, 3 the simulator panicked, 4 nondeterminism, 130 interrupted by Ctrl-C (after
//! writing the reports of what finished); [`exit`] has the table and which wins when
//! several apply.

mod alloc_count;
mod announce;
mod catalogue;
mod chrome_trace;
mod cli;
mod cmd;
mod duration;
mod exit;
mod expect;
mod explore;
mod finding;
mod interrupt;
mod judge;
mod load;
mod out_dir;
mod panic;
mod plan;
mod pool;
mod progress;
mod report;
mod seeds;
mod self_test;
mod shard;
mod shrink;
mod signature;
mod summary;
mod timeline;
mod trace_config;
mod version;

use clap::Parser;
use std::process::ExitCode;

pub use exit::Exit;

#[global_allocator]
static ALLOC: alloc_count::CountingAlloc = alloc_count::CountingAlloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    cli::init_logging(cli.verbose);
    if let Err(e) = self_test::init() {
        eprintln!("error: {e}");
        return ExitCode::from(Exit::Usage as u8);
    }
    let result = cmd::dispatch(cli.command, cli.verbose);
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(Exit::Usage as u8)
        }
    }
}
