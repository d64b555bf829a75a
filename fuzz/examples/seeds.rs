//! Writes the seed corpus (`fuzz/corpus/<target>/seed-*`) from what the project already
//! holds: the golden manifests and scripts, the editor's templates and the built-in lessons,
//! each with broken variants, and share links made from real sessions.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds` (see `scripts/fuzz.sh`). A seed
//! is named by its content and never written twice; `cargo fuzz cmin` renames and thins the
//! corpus afterwards, so running this again re-adds the seeds it dropped.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use kubeplay_core::kubectl::script;
use kubeplay_core::lesson::{builtin, progress::Progress};
use kubeplay_core::session::{Entry, Input, Session, Start};
use kubeplay_core::share::{self, LessonRef, Shared};
use kubeplay_core::templates::TEMPLATES;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_dir(dir: &Path, ext: &str) -> Vec<String> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| fs::read_to_string(p).expect("utf-8 file"))
        .collect()
}

/// Broken versions of a YAML document, the kinds of mistakes people paste.
fn broken_yaml(text: &str) -> Vec<String> {
    let mut out = vec![
        text[..text.len() / 2].to_string(),
        text.replacen("  ", "\t", 1),
        text.replacen(": ", ":", 1),
        text.replacen("replicas: ", "replicas: -", 1),
        text.replacen("replicas: ", "replicas: 99999999", 1),
        text.replacen("name: ", &format!("name: {}", "a".repeat(300)), 1),
        text.replacen("metadata:", "metadata:\n  bogus: 1", 1),
        text.replacen("apps/v1", "extensions/v1beta1", 1),
    ];
    out.retain(|t| t != text);
    out
}

const HOSTILE_YAML: &[&str] = &[
    // An alias bomb.
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [x,x,x,x,x,x,x,x,x]\n  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n  f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
    // Deep nesting.
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
    // A self-referencing alias.
    "a: &a [*a]\n",
    // Tags, merge keys and a List.
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: &m {name: one}\n  data: !!map {<<: {k: v}}\n- {apiVersion: v1, kind: ConfigMap, metadata: *m}\n",
    "---\n---\n...\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: 2147483647, selector: {matchLabels: {a: b}}, strategy: {rollingUpdate: {maxSurge: 2147483647%}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n",
];

fn write(dir: &Path, seeds: impl IntoIterator<Item = Vec<u8>>) -> usize {
    fs::create_dir_all(dir).expect("corpus dir");
    let mut n = 0;
    let unique: BTreeSet<Vec<u8>> = seeds.into_iter().collect();
    for s in unique {
        // FNV-1a: a stable name from the content, with no extra dependency.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in &s {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
        }
        let path = dir.join(format!("seed-{h:016x}"));
        if !path.exists() {
            fs::write(path, &s).expect("write seed");
            n += 1;
        }
    }
    n
}

fn main() {
    let root = root();
    let corpus = root.join("fuzz/corpus");
    let scripts = read_dir(&root.join("tests/golden"), "kp");
    let lessons: Vec<&str> = builtin::SOURCES.iter().map(|(_, t)| *t).collect();

    // Manifests: every file, template, lesson start and here-document, and broken variants.
    let mut manifests: Vec<String> = read_dir(&root.join("tests/golden/manifests"), "yaml");
    manifests.extend(TEMPLATES.iter().map(|t| t.text.to_string()));
    manifests.extend(
        builtin::all()
            .into_iter()
            .map(|l| l.start.manifests)
            .filter(|m| !m.is_empty()),
    );
    for s in &scripts {
        let cmds = script::parse_script(s).expect("golden scripts parse");
        manifests.extend(cmds.into_iter().filter_map(|c| c.stdin));
    }
    let mut all: Vec<String> = manifests.iter().flat_map(|m| broken_yaml(m)).collect();
    all.extend(manifests);
    all.extend(HOSTILE_YAML.iter().map(|s| s.to_string()));
    let n = write(
        &corpus.join("manifest"),
        all.into_iter().map(String::into_bytes),
    );
    eprintln!("manifest: {n} new seeds");

    // Commands: every golden script, and each in pieces of a few commands.
    let mut commands: Vec<String> = scripts.clone();
    for s in &scripts {
        let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
        for chunk in lines.chunks(6) {
            let piece = chunk.join("\n");
            if script::parse_script(&piece).is_ok() {
                commands.push(piece);
            }
        }
    }
    let n = write(
        &corpus.join("command"),
        commands.into_iter().map(String::into_bytes),
    );
    eprintln!("command: {n} new seeds");

    // Share links: sessions built from the lessons and the golden scripts, as whole links
    // (mode byte 0) and as their JSON (mode byte 1), with damaged links.
    let mut shared = Vec::new();
    for l in builtin::all() {
        let mut session = l.session();
        let solution = script::parse_script(&l.solution).expect("solutions parse");
        for c in solution.iter().take(12) {
            session.entries.push(match &c.stdin {
                Some(text) => Entry {
                    input: Input::Apply { text: text.clone() },
                    until: None,
                },
                None => Entry {
                    input: Input::Run {
                        line: c.text.clone(),
                    },
                    until: None,
                },
            });
            session.entries.push(Entry {
                input: Input::Advance { ms: 30_000 },
                until: None,
            });
        }
        shared.push(Shared {
            progress: Some(Progress::new(&l)),
            lesson: Some(LessonRef::Builtin(l.id.clone())),
            session,
        });
    }
    for (i, s) in scripts.iter().enumerate().take(12) {
        let mut session = Session::new(
            i as u64,
            if i % 3 == 0 {
                Start::Empty
            } else {
                Start::Default
            },
        );
        for c in script::parse_script(s)
            .expect("golden scripts parse")
            .into_iter()
            .take(16)
        {
            if c.stdin.is_some() {
                continue;
            }
            session.entries.push(Entry {
                input: Input::Run { line: c.text },
                until: None,
            });
            session.entries.push(Entry {
                input: Input::Settle { limit_ms: 60_000 },
                until: Some(40_000),
            });
        }
        shared.push(Shared {
            session,
            lesson: None,
            progress: None,
        });
    }
    shared.push(Shared {
        session: Session::new(3, Start::Default),
        lesson: Some(LessonRef::Source(lessons[0].to_string())),
        progress: None,
    });
    let mut links = Vec::new();
    for s in &shared {
        let link = share::encode(s);
        let mut flipped = link.clone().into_bytes();
        let mid = flipped.len() / 2;
        flipped[mid] = if flipped[mid] == b'A' { b'B' } else { b'A' };
        for l in [
            link.clone(),
            link[..link.len() / 2].to_string(),
            String::from_utf8(flipped).expect("ascii"),
            link.replacen("k1.", "k9.", 1),
            format!("#s={link}"),
        ] {
            links.push([&[0u8][..], l.as_bytes()].concat());
        }
        let json = serde_json::to_string(s).expect("serializes");
        links.push([&[1u8][..], json.as_bytes()].concat());
        links.push(
            [
                &[1u8][..],
                json.replacen("\"version\":1", "\"version\":2", 1)
                    .as_bytes(),
            ]
            .concat(),
        );
    }
    let n = write(&corpus.join("share_link"), links);
    eprintln!("share_link: {n} new seeds");

    // Lessons: each built-in lesson and broken variants.
    let mut files: Vec<String> = Vec::new();
    for l in &lessons {
        files.push(l.to_string());
        files.push(l[..l.len() / 2].to_string());
        files.push(l.replacen("title:", "titel:", 1));
        files.push(l.replacen("lesson: 1", "lesson: 7", 1));
        files.push(l.replacen("checks:", "checks: 3\n  x:", 1));
        files.push(format!("{l}\n[click](javascript:alert(1)) <script>alert(1)</script> ![x](http://example.com/x.png)\n"));
    }
    let n = write(
        &corpus.join("lesson"),
        files.into_iter().map(String::into_bytes),
    );
    eprintln!("lesson: {n} new seeds");
}
