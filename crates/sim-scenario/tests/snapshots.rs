//! Snapshots of what people read: the full text of a few errors (location line and hint
//! line) and `to_toml()` of the minimal file and of the SCENARIO.md example (what
//! `sim-runner show` prints). Review changes to `tests/snapshots/*.snap` like code.

use sim_scenario::parse_str;

const FULL: &str = include_str!("data/async-handler-leader-crash.toml");
const MINIMAL: &str = "[cluster]\nnodes = 3\nmode = \"sync\"\n";

fn error(text: &str) -> String {
    match parse_str(text, "scenarios/x.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn error_unknown_enum_value() {
    let text = format!("{MINIMAL}\n[disk]\nsector_bytes = 4096\ncrash = \"torn_tail\"\n");
    insta::assert_snapshot!(error(&text));
}

#[test]
fn error_unknown_key() {
    let text =
        format!("{MINIMAL}\n[[faults.schedule]]\nat_ms = 100\naction = \"crash\"\nnod = 2\n");
    insta::assert_snapshot!(error(&text));
}

#[test]
fn error_float_for_integer() {
    insta::assert_snapshot!(error("[cluster]\nnodes = 3.0\nmode = \"sync\"\n"));
}

#[test]
fn error_key_in_wrong_mode() {
    insta::assert_snapshot!(error(&format!(
        "{MINIMAL}client_ack = \"commit-and-flush\"\n"
    )));
}

#[test]
fn error_missing_cluster() {
    insta::assert_snapshot!(error(
        "# nothing here\n[raft]\nheartbeat_interval_ms = 10\n"
    ));
}

#[test]
fn error_parameter_of_another_distribution() {
    let text = format!(
        "{MINIMAL}[network]\nlatency_ms = {{ dist = \"uniform\", min = 1, max = 5, mean = 3 }}\n"
    );
    insta::assert_snapshot!(error(&text));
}

#[test]
fn error_one_way_partition() {
    let text = format!(
        "{MINIMAL}[[faults.schedule]]\nat_ms = 100\naction = \"partition\"\ngroups = [[1], [2], [3]]\none_way = true\n"
    );
    insta::assert_snapshot!(error(&text));
}

#[test]
fn error_syntax() {
    insta::assert_snapshot!(error("[cluster]\nnodes = 3\nmode = sync\n"));
}

#[test]
fn to_toml_minimal() {
    let s = parse_str(MINIMAL, "scenarios/minimal.toml").unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(s.to_toml());
}

#[test]
fn to_toml_full_example() {
    let s = parse_str(FULL, "scenarios/full.toml").unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(s.to_toml());
}

#[test]
fn to_toml_every_action() {
    let text = format!(
        "{MINIMAL}[[faults.schedule]]\nat_ms = 1\naction = \"partition\"\ngroups = [[1, 2], [3]]\none_way = true\n\
         [[faults.schedule]]\nat_ms = 2\naction = \"heal\"\n\
         [[faults.schedule]]\nat_ms = 3\naction = \"disk-stall\"\nnode = 2\n\
         [expect]\noutcome = \"violation\"\nviolation = [\"acked-write-lost\", \"durability-loss\"]\n"
    );
    let s = parse_str(&text, "scenarios/actions.toml").unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(s.to_toml());
}
