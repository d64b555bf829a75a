//! The bodies of the fuzz targets in `fuzz/`, one function per input kubeplay reads from
//! people. Each takes arbitrary bytes, feeds them where the page and the CLI would, and
//! panics only when a property fails (or when the code under test panics, which is the bug
//! being looked for). libFuzzer calls them from `fuzz/fuzz_targets/`; the corpus replay test
//! (`tests/fuzz_corpus.rs`) calls them on every input in `fuzz/corpus/`, so whatever a
//! fuzzer once found stays tested on stable Rust.

use std::sync::OnceLock;

use kubeplay_core::kubectl::{complete::complete, run, run_with_stdin, script, NoFiles};
use kubeplay_core::lesson::{builtin, progress::Progress, Lesson};
use kubeplay_core::markdown::{self, Block, Inline};
use kubeplay_core::session::Timeline;
use kubeplay_core::share::{self, LessonRef, Shared};
use kubeplay_core::time::Dur;
use kubeplay_core::{manifest, World};

/// The cluster manifests and commands are tried on: the default three nodes running a
/// Deployment behind a Service, a StatefulSet with a claim per pod and a DaemonSet, settled.
pub fn cluster() -> &'static World {
    static CLUSTER: OnceLock<World> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let mut w = World::new(7);
        manifest::apply(&mut w, include_str!("../golden/manifests/web-and-db.yaml"))
            .expect("the seed cluster applies");
        w.settle(Dur::mins(10));
        w
    })
}

/// Everything `kubectl get` can show about the cluster, with the store's resource version.
fn snapshot(w: &mut World) -> (u64, String) {
    let rv = w.store().resource_version();
    let all = run(w, "get all,nodes,pvc,pv,configmaps -A -o json", &NoFiles).stdout;
    (rv, all)
}

/// Manifest text, as pasted into the editor or given to `kubectl apply -f`: highlighted,
/// parsed, validated and applied, then simulated for a while. A rejected manifest has a
/// message and leaves the cluster exactly as it was.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    kubeplay_core::highlight::highlight(text);
    let mut w = cluster().clone();
    match manifest::apply(&mut w, text) {
        Ok(_) => w.advance(Dur::secs(20)),
        Err(e) => {
            assert!(!e.errors.is_empty(), "a refused manifest with no message");
            assert!(
                !e.to_string().is_empty(),
                "a refused manifest with no message"
            );
            let mut untouched = cluster().clone();
            assert_eq!(
                snapshot(&mut w),
                snapshot(&mut untouched),
                "a refused manifest changed the cluster: {e}"
            );
        }
    }
}

/// A script of the command language, as typed into the console (every prefix completed) or
/// run by `kubeplay run`, with time passing between commands. A failed command says why.
pub fn command(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(commands) = script::parse_script(text) else {
        return;
    };
    let mut w = cluster().clone();
    for cmd in commands.iter().take(32) {
        for (i, _) in cmd.text.char_indices().step_by(7) {
            complete(&w, &cmd.text[..i]);
        }
        let out = run_with_stdin(&mut w, &cmd.text, &NoFiles, cmd.stdin.as_deref());
        assert!(
            out.ok || !out.stderr.trim().is_empty(),
            "a failed command with no message: {:?}",
            cmd.text
        );
        w.advance(Dur::secs(5));
    }
}

/// A share link or an autosave. The first byte chooses the layer: a whole link (base64 of
/// zlib of JSON, checksummed) or the JSON inside one, so that the fuzzer reaches the replay
/// without forging checksums. A link either opens or is refused with a message; one that
/// opens survives a round trip and is replayed as the page would open it, lesson included.
pub fn share_link(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let shared = if mode % 2 == 0 {
        share::decode(text).map_err(|e| e.to_string())
    } else {
        Shared::from_json(text).map_err(|e| e.to_string())
    };
    let shared = match shared {
        Ok(s) => s,
        Err(message) => {
            assert!(!message.is_empty(), "a refused link with no message");
            return;
        }
    };
    let again = share::decode(&share::encode(&shared)).expect("a link this build wrote opens");
    assert_eq!(again, shared, "a round trip changed the session");
    let timeline = Timeline::replay(shared.session.clone());
    let lesson = match &shared.lesson {
        Some(LessonRef::Builtin(id)) => builtin::find(id),
        Some(LessonRef::Source(text)) => Lesson::parse(text).ok(),
        None => None,
    };
    if let Some(lesson) = lesson {
        let mut progress = shared
            .progress
            .clone()
            .unwrap_or_else(|| Progress::new(&lesson));
        progress.fit(&lesson);
        progress.observe(&lesson, timeline.world());
    }
}

/// A lesson file, as a teacher loads it: parsed and validated; one that reads has its
/// starting cluster built and its checks evaluated, and its Markdown (and the raw text's)
/// becomes a tree that holds no link a page could run.
pub fn lesson(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    safe_blocks(&markdown::parse(text));
    let lesson = match Lesson::parse(text) {
        Ok(l) => l,
        Err(e) => {
            assert!(!e.0.is_empty(), "a refused lesson with no message");
            return;
        }
    };
    safe_blocks(&markdown::parse(&lesson.introduction));
    for step in &lesson.steps {
        safe_blocks(&markdown::parse(&step.instructions));
        for h in &step.hints {
            safe_blocks(&markdown::parse(h));
        }
        if let Some(p) = &step.predict {
            safe_blocks(&markdown::parse(&p.explanation));
        }
    }
    let world = lesson.session().start_world();
    let mut progress = Progress::new(&lesson);
    progress.observe(&lesson, &world);
}

fn safe_blocks(blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Paragraph(i) | Block::Heading(_, i) => safe_inlines(i),
            Block::List { items, .. } => items.iter().for_each(|i| safe_blocks(i)),
            Block::Quote(b) => safe_blocks(b),
            Block::Code { .. } | Block::Rule => {}
        }
    }
}

fn safe_inlines(inlines: &[Inline]) {
    for i in inlines {
        match i {
            Inline::Link { href, children } => {
                if let Some(h) = href {
                    assert!(markdown::safe_href(h), "an unsafe link was kept: {h:?}");
                    let squashed: String = h
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    for scheme in ["javascript:", "data:", "vbscript:"] {
                        assert!(
                            !squashed.starts_with(scheme),
                            "a script link was kept: {h:?}"
                        );
                    }
                }
                safe_inlines(children);
            }
            Inline::Emphasis(c) | Inline::Strong(c) => safe_inlines(c),
            Inline::Text(_) | Inline::Code(_) | Inline::Break => {}
        }
    }
}
