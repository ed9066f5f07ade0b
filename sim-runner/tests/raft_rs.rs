//! raft-rs behind the replica boundary, judged by the same checkers: its scenarios run
//! clean, its trace speaks the model's vocabulary, its adapter mutant is caught, and a
//! NuRaft-only key with it is bad usage (the checks: tests/library/).

mod common;
mod library;
mod world_trace;

use library::Library;

const RAFT_RS: Library = Library {
    implementation: sim_scenario::Implementation::RaftRs,
    name: "raft-rs",
    traced: "async-crashes-partitions.toml",
    mutant: "persisted-messages-early",
    foreign_mutants: &[(
        "mode = \"parallel-append\"\nbug = \"io-flushed-before-fsync\"",
        "bug",
    )],
};

#[test]
fn raft_rs_scenarios_run_clean() {
    library::scenarios_run_clean(&RAFT_RS);
}

#[test]
fn a_raft_rs_trace_speaks_the_models_vocabulary() {
    library::trace_speaks_the_models_vocabulary(&RAFT_RS);
}

#[test]
fn persisted_messages_early_is_caught_and_its_control_is_clean() {
    library::mutant_is_caught_and_its_control_is_clean(&RAFT_RS);
}

#[test]
fn a_nuraft_only_key_with_raft_rs_is_bad_usage() {
    library::a_nuraft_only_key_is_bad_usage(&RAFT_RS);
}

#[test]
fn show_prints_the_implementation_and_reads_back() {
    library::show_prints_the_implementation(&RAFT_RS);
}
