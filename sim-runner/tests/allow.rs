//! `[expect] allow`: a scenario that expects `pass` may tolerate named invariants — the
//! async-handler hazard that fires on every seed — and still fail on anything else, such
//! as a lost write. Checked for `run` and for `fuzz`'s failing findings.

mod common;

use common::*;

/// Async-handler with acknowledgement on commit, `crashes` random crashes per second, and
/// `allow` (TOML) in `[expect]`.
fn scenario(crashes: f64, allow: &str) -> String {
    format!(
        "[cluster]\nnodes = 3\nmode = \"async-handler\"\n\
         [faults]\ncrash_rate_per_s = {crashes}\nrestart_delay_ms = {{ min = 50, max = 500 }}\n\
         [workload]\nclients = 8\nwrite_rate_per_s = 400\n\
         [run]\nduration_ms = 3_000\nheal_ms = 2_000\nseeds = 30\n\
         [expect]\noutcome = \"pass\"\n{allow}\n"
    )
}

fn write(s: &Scratch, name: &str, text: &str) -> String {
    let path = s.path().join(name);
    std::fs::write(&path, text).expect("writes");
    path.display().to_string()
}

#[test]
fn an_allowed_hazard_passes_and_anything_else_still_fails() {
    let s = Scratch::new("allow-run");
    let quiet = write(
        &s,
        "quiet.toml",
        &scenario(0.0, "allow = [\"durability-hazard\"]"),
    );
    let o = run(s.path(), &["run", &quiet]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("expect pass, allow durability-hazard"),
        "{out}"
    );
    assert!(out.contains("PASS (allowed: durability-hazard)"), "{out}");
    assert!(out.contains("durability-hazard on 30 seeds"), "{out}");

    let strict = write(&s, "strict.toml", &scenario(0.0, ""));
    assert_eq!(run(s.path(), &["run", &strict]).status.code(), Some(1));

    // With crashes, acknowledged writes are lost on some seeds: the allowance of the
    // hazard does not cover them.
    let crashing = write(
        &s,
        "crashing.toml",
        &scenario(2.0, "allow = \"durability-hazard\""),
    );
    let o = run(s.path(), &["run", &crashing]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("FAIL: expected no violation"), "{out}");
    assert!(headline_is_a_loss(&out), "the headline is a loss: {out}");
}

/// The seed shown under the table is the most severe: a loss, not the hazard that fires
/// on every seed, with or without an allowance.
#[test]
fn the_headline_names_a_loss_before_the_hazard() {
    let s = Scratch::new("allow-headline");
    let strict = write(&s, "crashing.toml", &scenario(2.0, ""));
    let o = run(s.path(), &["run", &strict]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("durability-hazard on 30 seeds"),
        "the hazard is everywhere: {out}"
    );
    assert!(headline_is_a_loss(&out), "{out}");
}

fn headline_is_a_loss(out: &str) -> bool {
    out.lines()
        .find(|l| l.trim_start().starts_with("failing seed"))
        .is_some_and(|l| l.contains(": durability-loss at") || l.contains(": acked-write-lost at"))
}

#[test]
fn fuzz_counts_a_finding_of_allowed_invariants_as_not_failing() {
    let s = Scratch::new("allow-fuzz");
    let quiet = write(
        &s,
        "quiet.toml",
        &scenario(0.0, "allow = [\"durability-hazard\"]"),
    );
    let o = run(s.path(), &["fuzz", &quiet, "--seeds", "4", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("4 findings, 0 failing"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn allow_is_refused_where_it_does_not_apply() {
    let s = Scratch::new("allow-bad");
    let bad = write(
        &s,
        "bad.toml",
        "[cluster]\nnodes = 3\nmode = \"sync\"\n[expect]\noutcome = \"violation\"\n\
         violation = \"durability-loss\"\nallow = [\"liveness\"]\n",
    );
    let o = run(s.path(), &["check", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml:7:1: expect.allow"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("does not apply"), "{}", stderr(&o));
    let unknown = write(
        &s,
        "unknown.toml",
        "[cluster]\nnodes = 3\nmode = \"sync\"\n[expect]\nallow = [\"hazard\"]\n",
    );
    let o = run(s.path(), &["check", &unknown]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("durability-hazard"), "{}", stderr(&o));
}
