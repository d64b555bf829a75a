//! Replays every input in `fuzz/corpus/` (the seeds and what the fuzzers kept for coverage)
//! and in `fuzz/regressions/` (each input that once crashed or froze a target, kept out of
//! reach of `cargo fuzz cmin`) through the fuzz targets' bodies, on stable Rust and without
//! libFuzzer. A finding fixed once stays fixed.

use std::fs;
use std::path::PathBuf;

use kubeplay_tests::{fuzz, repo_root};

fn files(dir: &str, target: &str) -> Vec<PathBuf> {
    let dir = repo_root().join("fuzz").join(dir).join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn corpus(target: &str) -> Vec<PathBuf> {
    let mut all = files("corpus", target);
    assert!(
        all.len() >= 20,
        "fuzz/corpus/{target}: a corpus this small has lost its seeds"
    );
    all.extend(files("regressions", target));
    all
}

fn replay(target: &str, body: fn(&[u8])) {
    for path in corpus(target) {
        let data = fs::read(&path).expect("readable corpus file");
        if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!(
                "{target} failed on {}: {why}\nreproduce: cargo fuzz run {target} {} (see scripts/fuzz.sh)",
                path.display(),
                path.display()
            );
        }
    }
}

#[test]
fn manifest_corpus() {
    replay("manifest", fuzz::manifest);
}

#[test]
fn command_corpus() {
    replay("command", fuzz::command);
}

#[test]
fn share_link_corpus() {
    replay("share_link", fuzz::share_link);
}

#[test]
fn lesson_corpus() {
    replay("lesson", fuzz::lesson);
}
