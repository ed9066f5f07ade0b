//! `merge DIR... [-o OUT] [--junit PATH]`: one report from the output folders of several
//! fuzz shards (complete or interrupted), in (scenario, seed) order whatever the order of
//! the folders. A seed found in two folders (overlapping shards) counts once, with a
//! warning. Finding paths are rewritten to where the finding files are now (in their
//! folder, or in OUT with `-o`), so every repro command printed works from here.
//!
//! With `-o OUT`, OUT becomes a fuzz output folder of its own (results.jsonl,
//! findings.jsonl, findings/, summary.json), so merges can be merged. Exits as `fuzz` does.

use crate::Exit;
use crate::cli::MergeArgs;
use crate::finding::{Finding, SeedRecord, without_file};
use crate::load::shown;
use crate::out_dir::{self, OutDir};
use crate::report;
use crate::signature::Signatures;
use crate::summary::{self, Tally};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Key = (String, u64);
type Records = BTreeMap<Key, SeedRecord>;
/// Each finding with where its file is now.
type Findings = BTreeMap<Key, (Finding, PathBuf)>;

pub fn merge(args: MergeArgs) -> anyhow::Result<Exit> {
    let Some((records, findings)) = collect(&args.dirs) else {
        return Ok(Exit::Usage);
    };
    let mut out = match &args.out {
        Some(p) => match OutDir::create(p) {
            Ok(o) => Some((o, p.clone())),
            Err(e) => {
                eprintln!("error: {e:#}");
                return Ok(Exit::Usage);
            }
        },
        None => None,
    };
    let mut tally = Tally::default();
    for r in records.values() {
        tally.record(r);
        if let Some((o, _)) = &mut out {
            o.record(r)?;
        }
    }
    // The same bound as one fuzz run: per signature, the files of the lowest seeds (in
    // (scenario, seed) order here, so the merge keeps the same files whatever the shards).
    let mut signatures = Signatures::default();
    for (mut f, at) in findings.into_values() {
        let keep = !f.finding_file.is_empty() && at.is_file() && signatures.admit(&f).keep_file;
        if !keep {
            // Not kept, or its file is gone (a run killed before it rewrote its lines):
            // the line says how to make the file again.
            without_file(&mut f);
            if let Some((o, _)) = &mut out {
                o.finding(&f, None)?;
            }
            tally.finding(&f);
            continue;
        }
        let dest = match &out {
            Some((_, root)) => OutDir::findings_dir(root).join(file_name(&f.finding_file)),
            None => at.clone(),
        };
        let (f, text) = relocate(f, &at, &dest);
        if let Some((o, _)) = &mut out {
            o.finding(&f, text.as_deref())?;
        }
        tally.finding(&f);
    }
    let mut summary = tally.finish();
    let inputs: Vec<String> = args.dirs.iter().map(|d| d.display().to_string()).collect();
    summary
        .run
        .insert("merged".into(), serde_json::json!(inputs));
    if let Some((_, root)) = &out {
        OutDir::summary(root, &summary)?;
    }
    if let Some(p) = &args.junit.junit {
        report::write_junit_cases(p, &summary::junit_cases(&summary))?;
    }
    print!("{}", summary::text(&summary));
    Ok(summary.exit())
}

/// Every folder's seeds and findings, each (scenario, seed) once; `None` (after printing
/// why) when a folder cannot be read.
fn collect(dirs: &[PathBuf]) -> Option<(Records, Findings)> {
    let mut records = Records::new();
    let mut findings = Findings::new();
    let mut duplicates = 0u64;
    for dir in dirs {
        let c = out_dir::read(dir)
            .map_err(|e| eprintln!("error: {e:#}"))
            .ok()?;
        for w in &c.warnings {
            eprintln!("warning: {w}");
        }
        for r in c.records {
            let key = (r.scenario.clone(), r.seed);
            duplicates += u64::from(records.insert(key, r).is_some());
        }
        for f in c.findings {
            let now_at = OutDir::findings_dir(dir).join(file_name(&f.finding_file));
            findings.insert((f.scenario.clone(), f.seed), (f, now_at));
        }
    }
    if duplicates > 0 {
        eprintln!(
            "warning: {duplicates} seeds appear in more than one folder (overlapping shards?); each counts once"
        );
    }
    Some((records, findings))
}

/// The last component of a recorded finding path.
fn file_name(recorded: &str) -> String {
    Path::new(recorded).file_name().map_or_else(
        || recorded.to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The finding with its paths moved from where it was recorded to `dest`, and the finding
/// file's text (read from `at`) with its commands rewritten the same way.
fn relocate(mut f: Finding, at: &Path, dest: &Path) -> (Finding, Option<String>) {
    let old = shown(Path::new(&f.finding_file));
    let new = shown(dest);
    f.repro = f.repro.replace(&old, &new);
    f.finding_file = dest.display().to_string();
    let text = std::fs::read_to_string(at).ok().map(|t| {
        t.lines()
            .map(|l| {
                if l.starts_with('#') {
                    l.replace(&old, &new)
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    (f, text)
}
