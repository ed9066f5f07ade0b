//! `check FILES...`: validates scenarios without running them.

use crate::Exit;
use crate::load::load_all;
use std::path::PathBuf;

pub fn check(files: &[PathBuf]) -> anyhow::Result<Exit> {
    match load_all(files) {
        Some(loaded) => {
            for l in &loaded {
                println!("ok: {} ({})", l.path.display(), l.scenario.name);
            }
            Ok(Exit::Ok)
        }
        None => Ok(Exit::Usage),
    }
}
