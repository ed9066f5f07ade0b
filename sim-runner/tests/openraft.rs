//! openraft behind the replica boundary, judged by the same checkers: its scenarios run
//! clean, its trace speaks the model's vocabulary, its adapter mutant is caught, and a
//! NuRaft-only key with it is bad usage (the checks: tests/library/).

mod common;
mod library;
mod world_trace;

use library::Library;

const OPENRAFT: Library = Library {
    implementation: sim_scenario::Implementation::Openraft,
    name: "openraft",
    traced: "deferred-crashes-partitions.toml",
    mutant: "io-flushed-before-fsync",
    foreign_mutants: &[(
        "mode = \"parallel-append\"\nbug = \"persisted-messages-early\"",
        "bug",
    )],
};

#[test]
fn openraft_scenarios_run_clean() {
    library::scenarios_run_clean(&OPENRAFT);
}

#[test]
fn an_openraft_trace_speaks_the_models_vocabulary() {
    library::trace_speaks_the_models_vocabulary(&OPENRAFT);
}

#[test]
fn io_flushed_before_fsync_is_caught_and_its_control_is_clean() {
    library::mutant_is_caught_and_its_control_is_clean(&OPENRAFT);
}

#[test]
fn a_nuraft_only_key_with_openraft_is_bad_usage() {
    library::a_nuraft_only_key_is_bad_usage(&OPENRAFT);
}

#[test]
fn show_prints_the_implementation_and_reads_back() {
    library::show_prints_the_implementation(&OPENRAFT);
}
