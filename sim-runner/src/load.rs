//! Loading scenario files for a command: every file is read and validated before anything
//! runs, and every error is printed, so one run reports all broken files at once.

use sim_scenario::Scenario;
use std::path::{Path, PathBuf};

/// A scenario with the path it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub scenario: Scenario,
}

/// Loads all `files`; on any error prints every error and returns `None`.
pub fn load_all(files: &[PathBuf]) -> Option<Vec<Loaded>> {
    let mut ok = Vec::new();
    let mut failed = false;
    for f in files {
        match sim_scenario::load(f) {
            Ok(scenario) => ok.push(Loaded {
                path: f.clone(),
                scenario,
            }),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    (!failed).then_some(ok)
}

/// The path as a user would type it in a repro command.
pub fn shown(path: &Path) -> String {
    let s = path.display().to_string();
    if s.contains(' ') { format!("'{s}'") } else { s }
}
