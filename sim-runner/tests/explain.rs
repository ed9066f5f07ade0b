//! Discoverability: `list` names every invariant, mutant and mode; `explain` tells one
//! (what it means, what real bug it mirrors, a scenario that shows it); an unknown name is
//! bad usage with the close names as a hint; `completions` prints a shell script.

mod common;

use common::*;

#[test]
fn list_names_every_invariant_mutant_and_mode() {
    let s = Scratch::new("explain-list");
    let o = run(s.path(), &["list", "invariants"]);
    assert_eq!(o.status.code(), Some(0));
    for i in sim_trace::Invariant::ALL {
        assert!(stdout(&o).contains(i.name()), "{}", i.name());
    }
    let o = run(s.path(), &["list", "mutants"]);
    for b in sim_scenario::Bug::ALL.iter().skip(1) {
        assert!(stdout(&o).contains(b.name()), "{}", b.name());
    }
    let o = run(s.path(), &["list", "modes"]);
    assert_eq!(stdout(&o).lines().take(3).count(), 3);
    assert_eq!(run(s.path(), &["list", "bugs"]).status.code(), Some(2));
}

#[test]
fn explain_tells_meaning_real_bug_and_scenario_and_hints_on_a_typo() {
    let s = Scratch::new("explain-one");
    let o = run(s.path(), &["explain", "follower-acks-before-flush"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("(mutant)") && out.contains("camunda/camunda #4160"),
        "{out}"
    );
    assert!(
        out.contains("sim-runner run scenarios/bugs/follower-acks-before-flush.toml"),
        "{out}"
    );
    let o = run(s.path(), &["explain", "hazard"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean durability-hazard"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn completions_print_a_script_for_each_shell() {
    let s = Scratch::new("explain-completions");
    for shell in ["bash", "zsh", "fish"] {
        let o = run(s.path(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(
            stdout(&o).contains("explain"),
            "{shell}: the subcommands are in it"
        );
    }
}
