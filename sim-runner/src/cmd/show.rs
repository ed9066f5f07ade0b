//! `show FILE`: the resolved scenario, every default filled in, as a TOML file that parses
//! back to the same scenario.

use crate::Exit;
use std::path::Path;

pub fn show(file: &Path) -> anyhow::Result<Exit> {
    match sim_scenario::load(file) {
        Ok(s) => {
            print!("{}", s.to_toml());
            Ok(Exit::Ok)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(Exit::Usage)
        }
    }
}
