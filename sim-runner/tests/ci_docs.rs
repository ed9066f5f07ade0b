//! The fuzz commands docs/ci.md tells users to put in their CI run on the bundled
//! catalogue: every scenario name is unique (findings are filed by name) and the command is
//! accepted. Each documented command runs with one seed per scenario instead of its time
//! budget, in a scratch folder.

mod common;

use common::*;
use std::path::Path;

/// The `sim-runner fuzz` invocations of docs/ci.md, continuation lines joined.
fn documented_fuzz_commands() -> Vec<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("docs/ci.md")).expect("docs/ci.md");
    let mut commands = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(at) = line.find("sim-runner fuzz ") else {
            continue;
        };
        let mut command = line[at..].trim_end().to_string();
        while command.ends_with('\\') {
            command.pop();
            command.push(' ');
            command.push_str(lines.next().expect("a continuation").trim());
        }
        commands.push(command.split_whitespace().map(str::to_string).collect());
    }
    commands
}

/// `words` made runnable here: the catalogue's globs expanded from the workspace root (as
/// `/scenarios/...` in the Kubernetes example), one seed instead of a time budget, a
/// scratch output folder, no shell variables.
fn runnable(words: &[String], root: &Path) -> Vec<String> {
    let mut args = Vec::new();
    let mut i = 1; // after `sim-runner`
    while i < words.len() {
        let w = words[i].as_str();
        match w {
            "--time" | "--seed" | "--out" | "--junit" | "--jobs" => {
                // Skip the value, a quoted shell expression of several words included.
                i += 1;
                if words[i].starts_with('"') {
                    while !(words[i].len() > 1 && words[i].ends_with('"')) {
                        i += 1;
                    }
                }
            }
            _ if w.contains('*') => args.extend(glob(root, w.trim_start_matches('/'))),
            _ => args.push(w.to_string()),
        }
        i += 1;
    }
    args.extend(["--seeds", "1", "--jobs", "2", "--out", "ci-out"].map(str::to_string));
    args
}

/// `scenarios/*.toml` or `scenarios/*/*.toml`, sorted.
fn glob(root: &Path, pattern: &str) -> Vec<String> {
    let depth = pattern.matches('/').count();
    let mut out = Vec::new();
    let mut dirs = vec![root.join("scenarios")];
    for _ in 1..depth {
        dirs = dirs
            .iter()
            .flat_map(|d| std::fs::read_dir(d).expect("a folder"))
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_dir())
            .collect();
    }
    for d in dirs {
        for e in std::fs::read_dir(d).expect("a folder") {
            let p = e.expect("an entry").path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_documented_ci_fuzz_commands_run_on_the_bundled_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let commands = documented_fuzz_commands();
    assert!(
        commands.len() >= 2,
        "docs/ci.md shows GitHub and Kubernetes: {commands:?}"
    );
    for (k, words) in commands.iter().enumerate() {
        let s = Scratch::new(&format!("ci-docs-{k}"));
        let args = runnable(words, &root);
        assert!(args.len() > 40, "the whole catalogue: {args:?}");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(s.path(), &refs);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}\n{}\n{}",
            words.join(" "),
            stderr(&o),
            stdout(&o)
        );
    }
}
