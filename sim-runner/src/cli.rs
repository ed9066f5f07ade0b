//! The command line, as clap derives it. Every flag has one sentence of help.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "sim-runner", version = crate::version::VERSION, about = "Deterministic simulation of Raft log durability: finds the crash timings that lose committed data.", after_help = crate::exit::HELP)]
pub struct Cli {
    /// Log every simulator event to stderr (-v; meant for `repro`), or set RUST_LOG.
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
    /// What each mode costs and buys: a Markdown table of latency, throughput and safety.
    Compare(CompareArgs),
    /// The mutation matrix of bug scenarios: what fired, seeds to detection, the control.
    Matrix(MatrixArgs),
    /// Many seeds, optionally with a random fault mix per seed (--swarm), sharded for CI;
    /// every finding saved to --out with its repro command. Exit 1 on a finding that fails
    /// (3 if the simulator panicked, 4 on nondeterminism).
    Fuzz(FuzzArgs),
    /// Combine the output folders of several fuzz shards into one report.
    Merge(MergeArgs),
    /// Minimise a failing seed to an explicit fault schedule and write it as a scenario.
    Shrink(ShrinkArgs),
    /// Crash every node at every disk-I/O boundary of one seed of a small scenario (and
    /// every crash outcome its crash model allows there); exit 1 on a violation or when
    /// the bound on runs cuts the exploration short, 0 when everything was explored clean.
    Explore(ExploreArgs),
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Judge a trace (JSON lines, docs/trace.md) written by `repro --trace` or by another
    /// implementation, with the same checkers; exit 1 on a violation, 2 if it is broken.
    CheckTrace(CheckTraceArgs),
    /// List the invariants, mutants or modes by name, one line each.
    List {
        /// What to list.
        what: ListWhat,
    },
    /// What an invariant, mutant or mode means, the real bugs it mirrors, a scenario showing it.
    Explain {
        /// An invariant, mutant or mode name (see `list`).
        name: String,
    },
    /// Print a shell completion script, e.g. `sim-runner completions bash > ~/.local/share/bash-completion/completions/sim-runner`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// What `list` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListWhat {
    Invariants,
    Mutants,
    Modes,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub range: SeedRange,
    #[command(flatten)]
    pub jobs: Jobs,
    /// Write a JSON report here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub junit: Junit,
    #[command(flatten)]
    pub determinism: CheckDeterminism,
}

#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// Mutant scenario files (scenarios/bugs/*.toml).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seeds per mutant, from each scenario's `run.seed` (default: its `run.seeds`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: Option<u64>,
    /// Also explore a small variant of each mutant's scenario (no random faults, about 20
    /// writes): every crash point of one node, then of the whole cluster, and say what
    /// `explore` finds and how long it took.
    #[arg(long)]
    pub explore: bool,
    #[command(flatten)]
    pub jobs: Jobs,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario files, one table row each, in this order.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub range: SeedRange,
    #[command(flatten)]
    pub jobs: Jobs,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Seeds of the cluster benchmark, run one after another on one core.
    #[arg(long, default_value_t = 40)]
    pub seeds: u64,
    /// Benchmark this scenario instead of the built-in crash scenario; repeat it to
    /// measure several (e.g. one per implementation) in one run.
    #[arg(long)]
    pub scenario: Vec<PathBuf>,
    /// Events of the kernel benchmark.
    #[arg(long, default_value_t = 20_000_000)]
    pub kernel_events: u64,
    /// Measure the kernel and the cluster this many times, in turns, and report each
    /// round and the medians: one round on a shared machine moves by a third.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub rounds: u16,
    /// Also run the same seeds on one thread and then on this many (as `run --jobs`), and
    /// report the speed-up; 1 skips it.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Measure how cost grows with a run's length instead: one seed of the long-run
    /// scenario (scenarios/snapshots/long-run.toml, or --scenario) stretched to each of
    /// --scale-seconds, each in a process of its own so its peak memory is its own.
    #[arg(long)]
    pub scale: bool,
    /// The simulated lengths --scale runs, in seconds (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [10u64, 1_000, 3_600], value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub scale_seconds: Vec<u64>,
    /// One length of --scale, in this process (what --scale runs in each child).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub scale_one: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct ReproArgs {
    #[command(flatten)]
    pub target: OneSeed,
    /// Write every event as JSON lines here.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// Write the run as one self-contained HTML page here: a lane per node, roles, flushes,
    /// crashes, commits, hazard windows, the violation; zoom, pan, hover.
    #[arg(long)]
    pub timeline: Option<PathBuf>,
    /// Write the run in the Trace Event Format here, for Perfetto or chrome://tracing: a
    /// track per node (roles, flushes, blocks, crashes, commits) and one for the cluster.
    #[arg(long)]
    pub chrome_trace: Option<PathBuf>,
    /// Fail (exit 1) if the run's trace hash differs from this one (from a finding).
    #[arg(long)]
    pub expect_hash: Option<String>,
    /// Crash a node at one of its disk-I/O boundaries, as `explore` prints it:
    /// [all@]NODE:BOUNDARY[:OUTCOME] (all@: the whole cluster loses power there). Give it
    /// twice for a crash and the power loss that follows it (boundaries of the second are
    /// counted in the run the first made).
    #[arg(long)]
    pub crash_point: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct CheckTraceArgs {
    /// The trace: one JSON object per line, `run` first (`-` reads standard input).
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// A small scenario (e.g. 3 nodes, 10-20 writes): its own random faults still fire.
    pub file: PathBuf,
    /// The first seed (default: the scenario's `run.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Seeds to explore, from the first: each seed's crash points, one seed after another.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub seeds: u64,
    /// At most this many runs in all; past it the rest is left unexplored (and said).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub runs_max: u64,
    /// At most this many crash outcomes per point (subsets kept, sector torn), in order.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub outcomes_max: u64,
    /// At each point the whole cluster loses power (every node crashes), not one node.
    #[arg(long)]
    pub power_loss: bool,
    #[command(flatten)]
    pub jobs: Jobs,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("budget").args(["seeds", "time"]).required(true).multiple(true)))]
pub struct FuzzArgs {
    /// Scenario files (each is fuzzed over the same seed indexes).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seed indexes 0..N per scenario, split among the shards (with --time: at most N).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: Option<u64>,
    /// Stop starting seeds after this long, e.g. 90s, 10m, 1h30m.
    #[arg(long, value_parser = crate::duration::parse_duration)]
    pub time: Option<std::time::Duration>,
    /// Each seed first draws its own fault mix within the scenario's bounds.
    #[arg(long)]
    pub swarm: bool,
    /// Run only shard I of N: seed indexes k with k % N == I (default: from the
    /// environment, see docs/ci.md; else the whole seed space).
    #[arg(long, value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,
    #[command(flatten)]
    pub jobs: Jobs,
    /// The output folder: results.jsonl, findings.jsonl, findings/*.toml, summary.json.
    #[arg(long, short, default_value = "fuzz-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub junit: Junit,
    #[command(flatten)]
    pub determinism: CheckDeterminism,
    /// First seed: seed index k runs seed S + k (default: each scenario's `run.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Output folders of `fuzz` (one per shard).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Write the merged folder here (summary.json, results.jsonl, findings.jsonl, findings/).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub junit: Junit,
}

#[derive(Debug, clap::Args)]
pub struct ShrinkArgs {
    #[command(flatten)]
    pub target: OneSeed,
    /// Keep this invariant firing (default: the most severe one the seed violates).
    #[arg(long)]
    pub invariant: Option<String>,
    /// Write the shrunk scenario here (default: <name>-seed-<S>-shrunk.toml).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// At most this many candidate runs; the best scenario so far is written when it is hit.
    #[arg(long, default_value_t = 500)]
    pub max_runs: u32,
}

// The arguments several commands share, each defined once and flattened into the commands
// that take it, so a flag means the same and reads the same wherever it appears.

/// `--jobs J`: how many threads run seeds.
#[derive(Debug, clap::Args)]
pub struct Jobs {
    /// Threads running seeds; what is reported does not depend on it (default: available cores).
    #[arg(long, short, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

impl Jobs {
    /// The threads to run seeds on: as asked, or one per available core.
    pub fn threads(&self) -> usize {
        crate::seeds::jobs(self.jobs)
    }
}

/// `--seeds N --seed S`: which seeds of each scenario run.
#[derive(Debug, clap::Args)]
pub struct SeedRange {
    /// Seeds per scenario (default: each scenario's `run.seeds`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: Option<u64>,
    /// First seed (default: each scenario's `run.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `FILE --seed S`: one seed of one scenario.
#[derive(Debug, clap::Args)]
pub struct OneSeed {
    /// The scenario file (e.g. a fuzz finding).
    pub file: PathBuf,
    /// The seed (default: the scenario's `run.seed`, which is a finding's seed).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `--junit PATH`.
#[derive(Debug, clap::Args)]
pub struct Junit {
    /// Write a JUnit XML report here (one test case per scenario).
    #[arg(long)]
    pub junit: Option<PathBuf>,
}

/// `--check-determinism`.
#[derive(Debug, clap::Args)]
pub struct CheckDeterminism {
    /// Run every seed twice; a trace-hash mismatch is a finding (nondeterminism).
    #[arg(long)]
    pub check_determinism: bool,
}

/// `-v` turns on the simulator's event log; `RUST_LOG` overrides. openraft's own log (its
/// warnings about failed RPCs, which the simulator causes on purpose) shows from `-v` on.
pub fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn,openraft=off",
        1 => "sim=debug,info,openraft=warn",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colour only on a terminal, and never with NO_COLOR set (no-color.org).
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .with_level(false)
        .without_time()
        .try_init();
}
