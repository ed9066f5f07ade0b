//! The fuzz output folder (docs/ci.md, "The output folder"):
//!
//! ```text
//! DIR/results.jsonl       one line per seed completed (finding.rs: SeedRecord)
//! DIR/findings.jsonl      one line per finding (finding.rs: Finding)
//! DIR/findings/<scenario>-seed-<S>.toml   the finding as a scenario to repro and shrink
//! DIR/summary.json        written once at the end (summary.rs), atomically
//! ```
//!
//! Lines are appended and handed to the OS as each seed completes, and a finding file is
//! written (atomically) before its line, so a run that is killed keeps every seed already
//! done; at worst its last line is cut short, which [`read`] skips with a warning. No fsync:
//! a killed process loses nothing the OS holds, and a power cut only costs re-running seeds.
//!
//! Writing is [`OutDir`]'s; reading a folder back (for `merge`) is [`read`]'s.

use crate::finding::{Finding, SeedRecord};
use crate::report::write_atomically;
use anyhow::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const RESULTS: &str = "results.jsonl";
pub const FINDINGS: &str = "findings.jsonl";
pub const FINDINGS_DIR: &str = "findings";
pub const SUMMARY: &str = "summary.json";

/// An output folder being written.
pub struct OutDir {
    root: PathBuf,
    results: File,
    findings: File,
}

impl OutDir {
    /// Creates `root` (and `root/findings`); refuses a folder that already holds results,
    /// so two runs never mix in one folder.
    pub fn create(root: &Path) -> anyhow::Result<OutDir> {
        let results_path = root.join(RESULTS);
        if results_path.exists() {
            anyhow::bail!(
                "{} already holds the results of a run: pass another --out, or remove it first",
                root.display()
            );
        }
        std::fs::create_dir_all(root.join(FINDINGS_DIR))
            .with_context(|| format!("cannot create the output folder {}", root.display()))?;
        let open = |name: &str| {
            let p = root.join(name);
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&p)
                .with_context(|| format!("cannot open {} for appending", p.display()))
        };
        Ok(OutDir {
            root: root.to_path_buf(),
            results: open(RESULTS)?,
            findings: open(FINDINGS)?,
        })
    }

    pub fn findings_dir(root: &Path) -> PathBuf {
        root.join(FINDINGS_DIR)
    }

    /// Appends one seed's line.
    pub fn record(&mut self, r: &SeedRecord) -> anyhow::Result<()> {
        append_line(&mut self.results, r).with_context(|| self.failed(RESULTS))
    }

    /// Writes the finding file `text` (if given), then appends the finding's line.
    pub fn finding(&mut self, f: &Finding, text: Option<&str>) -> anyhow::Result<()> {
        if let Some(text) = text {
            write_atomically(Path::new(&f.finding_file), text.as_bytes())
                .with_context(|| format!("cannot write the finding file {}", f.finding_file))?;
        }
        append_line(&mut self.findings, f).with_context(|| self.failed(FINDINGS))
    }

    /// At the end of a run: the findings whose files were not kept (`is_kept` says no) lose
    /// their file — deleted if it is there — and their line in findings.jsonl says how to
    /// make it again (`finding::without_file`). The rewrite is atomic.
    pub fn drop_unkept_files(
        root: &Path,
        is_kept: &dyn Fn(&Finding) -> bool,
    ) -> anyhow::Result<()> {
        let path = root.join(FINDINGS);
        let mut warnings = Vec::new();
        let mut findings: Vec<Finding> = read_lines(&path, &mut warnings)?;
        let mut changed = false;
        for f in &mut findings {
            if !f.finding_file.is_empty() && !is_kept(f) {
                let _ = std::fs::remove_file(&f.finding_file);
                crate::finding::without_file(f);
                changed = true;
            }
        }
        if !changed {
            return Ok(());
        }
        let mut text = String::new();
        for f in &findings {
            text.push_str(&serde_json::to_string(f)?);
            text.push('\n');
        }
        write_atomically(&path, text.as_bytes())
            .with_context(|| format!("cannot rewrite {}", path.display()))
    }

    /// Writes `summary.json` (atomically).
    pub fn summary(root: &Path, summary: &impl Serialize) -> anyhow::Result<()> {
        let p = root.join(SUMMARY);
        let text = serde_json::to_string_pretty(summary)?;
        write_atomically(&p, format!("{text}\n").as_bytes())
            .with_context(|| format!("cannot write {}", p.display()))
    }

    fn failed(&self, name: &str) -> String {
        format!("cannot append to {}", self.root.join(name).display())
    }
}

/// One JSON object and a newline, in one write, handed to the OS at once.
fn append_line(file: &mut File, value: &impl Serialize) -> anyhow::Result<()> {
    let mut line = serde_json::to_string(value)?;
    line.push('\n');
    file.write_all(line.as_bytes())?;
    file.flush()?;
    Ok(())
}

/// What a folder holds: its seeds and findings, and what could not be read.
#[derive(Debug, Default)]
pub struct Contents {
    pub records: Vec<SeedRecord>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

/// Reads a fuzz output folder, complete or interrupted. A line that does not parse is
/// skipped with a warning (a cut-short last line is expected after a kill).
pub fn read(root: &Path) -> anyhow::Result<Contents> {
    let results = root.join(RESULTS);
    if !results.exists() {
        anyhow::bail!(
            "{} is not a fuzz output folder: it has no {RESULTS}",
            root.display()
        );
    }
    let mut c = Contents::default();
    c.records = read_lines(&results, &mut c.warnings)?;
    let findings = root.join(FINDINGS);
    if findings.exists() {
        c.findings = read_lines(&findings, &mut c.warnings)?;
    }
    Ok(c)
}

fn read_lines<T: DeserializeOwned>(
    path: &Path,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(v) => out.push(v),
            Err(e) => {
                let last = if i + 1 == lines.len() && !text.ends_with('\n') {
                    " (the last line, cut short: the run was interrupted)"
                } else {
                    ""
                };
                warnings.push(format!("{}:{}: skipped{last}: {e}", path.display(), i + 1));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Kind;

    fn record(seed: u64) -> SeedRecord {
        SeedRecord {
            scenario: "s".into(),
            file: "s.toml".into(),
            index: seed,
            seed,
            outcome: Kind::Ok,
            invariants: vec![],
            trace_hash: Some("ab".into()),
            events: Some(10),
            swarm: None,
        }
    }

    #[test]
    fn a_folder_reads_back_and_a_cut_short_line_is_skipped() {
        let root = std::env::temp_dir().join(format!("sim-out-dir-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut out = OutDir::create(&root).expect("created");
        out.record(&record(1)).unwrap();
        out.record(&record(2)).unwrap();
        drop(out);
        let mut f = OpenOptions::new()
            .append(true)
            .open(root.join(RESULTS))
            .unwrap();
        f.write_all(b"{\"scenario\": \"s\", \"fi").unwrap();
        let c = read(&root).expect("readable");
        assert_eq!(c.records, [record(1), record(2)]);
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("cut short"), "{:?}", c.warnings);
        let again = OutDir::create(&root).err().expect("refused");
        assert!(again.to_string().contains("already holds"), "{again}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
