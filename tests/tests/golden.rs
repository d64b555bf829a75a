//! Golden transcripts: every `tests/golden/*.kp` script runs against a fresh default cluster
//! (seed from a `# seed: N` line, default 1; `# empty` for no nodes) and its transcript must equal
//! the checked-in `*.out` file. Set `UPDATE_GOLDEN=1` to rewrite the expectations after a
//! deliberate change, then review the diff.

use kubeplay_core::kubectl::{script, FileSource};
use kubeplay_core::World;
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

/// Runs a script and renders the transcript: `$ command`, then stdout, then stderr lines
/// prefixed with `! `.
pub fn transcript(script_text: &str, dir: &Path) -> String {
    let seed = script_text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("# seed:")
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(1);
    let mut world = if script_text.lines().any(|l| l.trim() == "# empty") {
        World::empty(seed)
    } else {
        World::new(seed)
    };
    let mut out = String::new();
    let res = script::run_script(
        &mut world,
        script_text,
        &Fixtures(dir.to_path_buf()),
        |cmd, o| {
            out.push_str(&format!("$ {}\n", cmd.text));
            out.push_str(&o.stdout);
            for l in o.stderr.lines() {
                out.push_str(&format!("! {l}\n"));
            }
        },
    );
    if let Err(e) = res {
        out.push_str(&format!("!! script error: {e}\n"));
    }
    out
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
