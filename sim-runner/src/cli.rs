//! The command line, as clap derives it. Every flag has one sentence of help.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "sim-runner", version = crate::version::VERSION, about = "Deterministic simulation of Raft log durability: finds the crash timings that lose committed data.")]
pub struct Cli {
    /// Log every simulator event of `repro` (-v), or set RUST_LOG for finer control.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run each scenario over its seeds and check its [expect]; exit 1 if one does not hold.
    Run(RunArgs),
    /// Run one seed exactly, print what it found and its trace hash; exit 1 on a violation.
    Repro(ReproArgs),
    /// Print the resolved scenario, every default filled in.
    Show {
        /// The scenario file.
        file: PathBuf,
    },
    /// The performance figures: kernel limit, events/s, simulated-time ratio, seeds/s.
    Bench(BenchArgs),
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seeds per scenario (default: each scenario's `run.seeds`).
    #[arg(long)]
    pub seeds: Option<u64>,
    /// First seed (default: each scenario's `run.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Threads running seeds; results do not depend on it (default: available cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Write a JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report here (one test case per scenario).
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Run every seed twice and report a trace-hash mismatch as a finding.
    #[arg(long)]
    pub check_determinism: bool,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Seeds of the cluster benchmark, run one after another on one core.
    #[arg(long, default_value_t = 40)]
    pub seeds: u64,
    /// Benchmark this scenario instead of the built-in crash scenario.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Events of the kernel benchmark.
    #[arg(long, default_value_t = 20_000_000)]
    pub kernel_events: u64,
}

#[derive(Debug, clap::Args)]
pub struct ReproArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// The seed to run.
    #[arg(long)]
    pub seed: u64,
    /// Write every event as JSON lines here.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// Warn if the run's trace hash differs from this one (from a finding).
    #[arg(long)]
    pub expect_hash: Option<String>,
}

/// `-v` turns on the simulator's event log; `RUST_LOG` overrides.
pub fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "sim=debug,info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
