//! One file per command.

mod bench;
mod check;
mod check_trace;
mod compare;
mod explain;
mod fuzz;
mod matrix;
mod merge;
mod repro;
mod run;
mod scale;
mod show;
mod shrink;

use crate::Exit;
use crate::cli::Command;

/// Runs `command`; `verbose` is the global `-v` count (`run` and `fuzz` print the line
/// before each seed with it, `announce.rs`).
pub fn dispatch(command: Command, verbose: u8) -> anyhow::Result<Exit> {
    match command {
        Command::Run(args) => run::run(args, verbose),
        Command::Repro(args) => repro::repro(args),
        Command::Show { file } => show::show(&file),
        Command::Check { files } => check::check(&files),
        Command::CheckTrace(args) => check_trace::check_trace(args),
        Command::Bench(args) => bench::bench(args),
        Command::Fuzz(args) => fuzz::fuzz(args, verbose),
        Command::Merge(args) => merge::merge(args),
        Command::Shrink(args) => shrink::shrink(args),
        Command::Explore(args) => crate::explore::explore(args),
        Command::Compare(args) => compare::compare(args),
        Command::Matrix(args) => matrix::matrix(args),
        Command::List { what } => Ok(explain::list(what)),
        Command::Explain { name } => Ok(explain::explain(&name)),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = crate::cli::Cli::command();
            clap_complete::generate(shell, &mut cmd, "sim-runner", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
    }
}
