//! `explore`: every crash point of a small scenario. A correct mode explores clean (exit 0)
//! and says how much it covered; a mutant is found at a crash point whose printed `repro`
//! command replays the violation; the bound on runs is said and fails the exploration; bad
//! input is exit 2; the same exploration prints the same report.

mod common;

use common::*;
use std::path::Path;

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/explore")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_correct_mode_explores_every_point_clean() {
    let scratch = Scratch::new("explore-clean");
    let dir = scratch.path();
    let o = run(dir, &["explore", &scenario("sync-small.toml")]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    // Every point counted was run and reached, and keep-random-subset had more outcomes.
    let line = out
        .lines()
        .find(|l| l.contains("explored"))
        .expect("a coverage line");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[1], words[3], "all points explored: {line}");
    let runs: u64 = words[words
        .iter()
        .position(|w| w.starts_with("runs"))
        .expect("runs")
        - 1]
    .trim_end_matches(',')
    .parse()
    .expect("a run count");
    let points: u64 = words[1].parse().expect("a point count");
    assert!(
        points > 100,
        "a small run still has many boundaries: {line}"
    );
    assert!(
        runs > points,
        "subsets of unflushed writes were explored too: {line}"
    );
    assert!(
        out.contains("no crash point violates an invariant"),
        "{out}"
    );
}

#[test]
fn a_mutant_is_found_and_its_crash_point_replays() {
    let scratch = Scratch::new("explore-mutant");
    let dir = scratch.path();
    let file = scenario("follower-acks-before-flush-small.toml");
    let o = run(dir, &["explore", &file, "--power-loss"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("durability-loss on "),
        "the loss itself: {out}"
    );
    let repro = out
        .lines()
        .filter(|l| l.contains("--crash-point"))
        .find_map(|l| l.trim().strip_prefix("reproduce: sim-runner "))
        .expect("a reproduce line of a crash point");
    let args: Vec<&str> = repro.split_whitespace().collect();
    assert!(args.contains(&"--crash-point"), "{repro}");
    let point = args[args.len() - 1];
    assert!(point.starts_with("all@"), "a power-loss point: {point}");
    let again = run(dir, &args);
    let replay = stdout(&again);
    assert_eq!(
        again.status.code(),
        Some(1),
        "the replay finds it too: {replay}"
    );
    assert!(replay.contains("violation: "), "{replay}");
    // The same exploration prints the same report.
    let twice = run(dir, &["explore", &file, "--power-loss"]);
    assert_eq!(stdout(&twice), out);
}

/// A crash that leaves only a durability hazard is followed up with a power loss at each
/// later boundary; the pair that loses the entry replays with two `--crash-point` flags.
#[test]
fn a_hazard_is_followed_up_into_a_loss_that_replays() {
    let scratch = Scratch::new("explore-follow-up");
    let dir = scratch.path();
    let file = scenario("truncate-keeps-durable-index-small.toml");
    let o = run(dir, &["explore", &file]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("power losses following up a hazard"), "{out}");
    assert!(
        out.contains("durability-loss on "),
        "the loss itself: {out}"
    );
    let pair = out
        .lines()
        .find(|l| l.contains(" then all@") && l.contains("durability-loss"))
        .expect("a crash, then a power loss, that loses an entry");
    assert!(pair.contains(",last="), "{pair}");
    let repro = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("reproduce: sim-runner "))
        .find(|l| l.matches("--crash-point").count() == 2)
        .expect("a reproduce line of two crash points");
    let args: Vec<&str> = repro.split_whitespace().collect();
    let again = run(dir, &args);
    let replay = stdout(&again);
    assert_eq!(again.status.code(), Some(1), "{replay}");
    assert!(replay.contains("violation: durability-loss"), "{replay}");
    // Without the power loss the same crash only opens the hazard.
    let first = args
        .iter()
        .position(|a| *a == "--crash-point")
        .expect("a point");
    let alone = run(dir, &args[..first + 2]);
    let alone_out = stdout(&alone);
    assert!(
        !alone_out.contains("violation: durability-loss"),
        "{alone_out}"
    );
    assert!(
        alone_out.contains("violation: durability-hazard"),
        "{alone_out}"
    );
}

/// A hazard whose window holds no disk boundary: a new leader counts its unflushed tail
/// (the `new-leader-marks-tail-flushed` mutant, on a disk whose log fsync can outlast an
/// election timeout and whose state file syncs on its own). The follow-up power losses at
/// commit steps (`all@N:cK`) reach inside that window; the pair replays, and the same
/// exploration without the bug is clean, one node and whole-cluster power loss alike.
#[test]
fn a_power_loss_at_a_commit_step_turns_a_new_leaders_counted_tail_into_a_loss() {
    let scratch = Scratch::new("explore-commit-step");
    let dir = scratch.path();
    let file = scenario("new-leader-marks-tail-flushed-small.toml");
    let o = run(dir, &["explore", &file]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("durability-loss on "), "{out}");
    let at_commit = out
        .lines()
        .find(|l| l.contains("durability-loss at") && l.contains(" then all@") && l.contains(":c"))
        .expect("a loss whose power loss falls on a commit step");
    let (crash, rest) = at_commit
        .trim()
        .strip_prefix("crash points ")
        .and_then(|l| l.split_once(" then "))
        .expect("two points");
    // `all@1:c13:0,last=3: durability-loss at ...`: the point is its first three fields.
    let power_loss = rest.split(':').take(3).collect::<Vec<_>>().join(":");
    let replay = run(
        dir,
        &[
            "repro",
            &file,
            "--crash-point",
            crash,
            "--crash-point",
            &power_loss,
        ],
    );
    let replay_out = stdout(&replay);
    assert_eq!(replay.status.code(), Some(1), "{replay_out}");
    assert!(
        replay_out.contains("violation: durability-loss"),
        "{power_loss}: {replay_out}"
    );

    let text = std::fs::read_to_string(&file).expect("the bundled scenario");
    let control = dir.join("control.toml");
    std::fs::write(
        &control,
        text.replace("bug = \"new-leader-marks-tail-flushed\"", "bug = \"none\""),
    )
    .expect("write the control");
    let control = control.display().to_string();
    for scope in [&[][..], &["--power-loss"][..]] {
        let mut args = vec!["explore", control.as_str()];
        args.extend_from_slice(scope);
        let o = run(dir, &args);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{scope:?}: {out}");
    }
}

/// apply-before-durable needs a divergence random faults almost never build (docs/bugs.md);
/// the small scenario's schedule builds it, and one node's crash between the mutant's early
/// apply and the truncation's flush makes the next truncation apply the entry again. The
/// crash point replays, and the run without it holds.
#[test]
fn apply_before_durable_is_found_where_its_follower_crashes_and_replays() {
    let scratch = Scratch::new("explore-apply-before-durable");
    let dir = scratch.path();
    let file = scenario("apply-before-durable-small.toml");
    let o = run(dir, &["explore", &file]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("applied-index-regressed on "), "{out}");
    let repro = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("reproduce: sim-runner "))
        .find(|l| l.contains("--crash-point"))
        .expect("a reproduce line of a crash point");
    let args: Vec<&str> = repro.split_whitespace().collect();
    let point = args
        .iter()
        .position(|a| *a == "--crash-point")
        .expect("a point");
    // The follower that held the newer leader's configuration entry: node 4 or 5.
    let crashed = args[point + 1];
    assert!(
        crashed.starts_with("4:") || crashed.starts_with("5:"),
        "{crashed}"
    );
    let again = run(dir, &args);
    let replay = stdout(&again);
    assert_eq!(again.status.code(), Some(1), "{replay}");
    assert!(
        replay.contains("violation: applied-index-regressed"),
        "{replay}"
    );
    let alone = run(dir, &args[..point]);
    assert_eq!(alone.status.code(), Some(0), "{}", stdout(&alone));
}

/// The same schedule without the mutant: every crash point of every node holds.
#[test]
fn without_its_mutant_the_apply_before_durable_schedule_explores_clean() {
    let scratch = Scratch::new("explore-apply-before-durable-control");
    let dir = scratch.path();
    let text = std::fs::read_to_string(scenario("apply-before-durable-small.toml"))
        .expect("the scenario reads");
    let control = text.replacen("bug = \"apply-before-durable\"", "bug = \"none\"", 1);
    assert_ne!(control, text, "the scenario switches its mutant on");
    let file = dir.join("control.toml");
    std::fs::write(&file, control).expect("the control writes");
    let file = file.display().to_string();
    let o = run(dir, &["explore", &file]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("no crash point violates an invariant"),
        "{out}"
    );
}

#[test]
fn the_bound_on_runs_is_said_and_fails() {
    let scratch = Scratch::new("explore-bound");
    let dir = scratch.path();
    let o = run(
        dir,
        &["explore", &scenario("sync-small.toml"), "--runs-max", "10"],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("explored 10 of "), "{out}");
    assert!(out.contains("raise --runs-max"), "{out}");
}

#[test]
fn bad_input_is_a_usage_error() {
    let scratch = Scratch::new("explore-bad");
    let dir = scratch.path();
    let o = run(dir, &["explore", "no-such-file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        dir,
        &[
            "repro",
            &scenario("sync-small.toml"),
            "--crash-point",
            "7:1",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no node 7"), "{err}");
    let three: Vec<&str> = ["1:1", "1:2", "all@1:3"]
        .iter()
        .flat_map(|p| ["--crash-point", p])
        .collect();
    let sync_small = scenario("sync-small.toml");
    let mut args = vec!["repro", sync_small.as_str()];
    args.extend(three);
    let o = run(dir, &args);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("at most 2"), "{err}");
}
