//! Ctrl-C (SIGINT): the first one stops starting seeds — the seeds running finish, and
//! `fuzz` and `run` write what they have (summary, JUnit, JSON) and exit 130; a second one
//! ends the process at once. Nothing already written is lost either way: findings and
//! seed records are written the moment they are made.
//!
//! This file only keeps the flag; the commands decide what to write.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once; a second call changes nothing).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(crate::Exit::Interrupted as i32);
        }
        eprintln!(
            "\ninterrupted: finishing the seeds running, then writing the reports (Ctrl-C again to quit now)"
        );
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
