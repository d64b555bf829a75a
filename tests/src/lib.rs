//! Cross-crate tests of kubeplay. The tests live in `tests/`: golden kubectl transcripts run
//! against `kubeplay-core`, and browser end-to-end tests of the built page (`e2e.rs`).
//!
//! This library only holds what several test files share.

use std::path::PathBuf;

/// The repository's root directory (the parent of this crate).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

pub mod fuzz;
