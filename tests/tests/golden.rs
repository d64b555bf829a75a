//! Golden transcripts: every `tests/golden/*.kp` script runs against a fresh default cluster
//! (seed from a `# seed: N` line, default 1; `# empty` for no nodes) and its transcript must equal
//! the checked-in `*.out` file. Set `UPDATE_GOLDEN=1` to rewrite the expectations after a
//! deliberate change, then review the diff.

use kubeplay_core::kubectl::{script, FileSource};
use std::path::{Path, PathBuf};

struct Fixtures(PathBuf);

impl FileSource for Fixtures {
    fn read(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(self.0.join(path))
            .map_err(|e| format!("the path {path:?} cannot be read: {e}"))
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")
}

fn transcript(script_text: &str, dir: &Path) -> String {
    script::transcript(script_text, &Fixtures(dir.to_path_buf()), false)
}

#[test]
fn golden_transcripts_match() {
    let dir = golden_dir();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .collect();
    scripts.sort();
    assert!(
        !scripts.is_empty(),
        "no golden scripts found in {}",
        dir.display()
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for path in &scripts {
        let text = std::fs::read_to_string(path).expect("readable script");
        let got = transcript(&text, &dir);
        let expected_path = path.with_extension("out");
        if update {
            std::fs::write(&expected_path, &got).expect("writable golden file");
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            let first = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
            failures.push(format!(
                "{}: transcript differs from {} at line {}\n  got:  {:?}\n  want: {:?}",
                path.display(),
                expected_path.display(),
                first + 1,
                got.lines().nth(first).unwrap_or("<end>"),
                want.lines().nth(first).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden transcript(s) differ (UPDATE_GOLDEN=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn transcripts_are_deterministic() {
    let dir = golden_dir();
    let text = std::fs::read_to_string(dir.join("deployment-docs-walkthrough.kp"))
        .expect("walkthrough script");
    assert_eq!(transcript(&text, &dir), transcript(&text, &dir));
}

/// The traced transcript of `golden/determinism/mixed.kp` (every controller at once, with the
/// simulated clock, the step count and the digest of every work item after each command)
/// equals the checked-in one. The browser component tests run the same script in wasm
/// against the same file, so native and wasm runs are byte-identical.
#[test]
fn traced_transcript_matches_natively() {
    let dir = golden_dir().join("determinism");
    let text = std::fs::read_to_string(dir.join("mixed.kp")).expect("determinism script");
    let got = script::transcript(&text, &Fixtures(dir.clone()), true);
    assert!(
        !got.lines()
            .any(|l| l.starts_with("! error") || l.starts_with("! Error")),
        "every command of the script should succeed:\n{got}"
    );
    let expected = dir.join("mixed.trace");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected, &got).expect("writable golden file");
        return;
    }
    let want = std::fs::read_to_string(&expected).unwrap_or_default();
    assert!(
        got == want,
        "the traced transcript differs from {} (UPDATE_GOLDEN=1 rewrites it)",
        expected.display()
    );
    // And again in the same process: no state leaks between runs.
    assert_eq!(script::transcript(&text, &Fixtures(dir), true), got);
}
