//! The version a finding records: a seed reproduces only with the same code.

/// `<crate version> (<git commit>)`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SIM_GIT_COMMIT"), ")");
