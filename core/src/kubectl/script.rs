//! Scripts: one command per line, `#` comments, and here-documents for inline manifests:
//!
//! ```text
//! apply -f - <<EOF
//! apiVersion: apps/v1
//! ...
//! EOF
//! ```

use super::{run_with_stdin, FileSource, Output};
use crate::sim::World;

/// One command of a script with its 1-based line number and here-document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptCommand {
    pub line: usize,
    pub text: String,
    pub stdin: Option<String>,
}

/// Splits a script into commands. A here-document that never ends is an error naming its line.
pub fn parse_script(text: &str) -> Result<Vec<ScriptCommand>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        i += 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(pos) = t.find("<<") {
            let marker = t[pos + 2..]
                .trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .to_string();
            if marker.is_empty() || marker.contains(' ') {
                return Err(format!(
                    "line {line_no}: a here-document needs a single marker word, e.g. <<EOF"
                ));
            }
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim() == marker {
                    closed = true;
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            if !closed {
                return Err(format!(
                    "line {line_no}: here-document not closed: expected a line {marker:?}"
                ));
            }
            out.push(ScriptCommand {
                line: line_no,
                text: t[..pos].trim().to_string(),
                stdin: Some(body),
            });
        } else {
            out.push(ScriptCommand {
                line: line_no,
                text: t.to_string(),
                stdin: None,
            });
        }
    }
    Ok(out)
}

/// Runs every command of a script, calling `each` with the command and what it printed.
pub fn run_script(
    world: &mut World,
    text: &str,
    files: &dyn FileSource,
    mut each: impl FnMut(&ScriptCommand, &Output),
) -> Result<bool, String> {
    let cmds = parse_script(text)?;
    let mut all_ok = true;
    for c in &cmds {
        let out = run_with_stdin(world, &c.text, files, c.stdin.as_deref());
        all_ok &= out.ok;
        each(c, &out);
    }
    Ok(all_ok)
}

/// The cluster a script starts on: a `# seed: N` line chooses the seed (default 1), and an
/// `# empty` line starts with no nodes.
pub fn world_for(text: &str) -> World {
    let seed = text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("# seed:")
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(1);
    if text.lines().any(|l| l.trim() == "# empty") {
        World::empty(seed)
    } else {
        World::new(seed)
    }
}

/// Runs a script on the cluster [`world_for`] gives and renders the transcript: `$ command`, then what it
/// printed, with standard error's lines prefixed by `! `. With `traced`, each command is
/// followed by a `# at=… steps=… trace=… rv=…` line: the simulated clock (milliseconds), the
/// work items run so far, the digest of every one of them (time and item) and the store's
/// resource version. Two runs that agree on every such line took the same steps in the
/// same order; the determinism tests compare them natively and in the browser's wasm.
pub fn transcript(text: &str, files: &dyn FileSource, traced: bool) -> String {
    let mut world = world_for(text);
    let mut out = String::new();
    let cmds = match parse_script(text) {
        Ok(c) => c,
        Err(e) => return format!("!! script error: {e}\n"),
    };
    for c in &cmds {
        let o = run_with_stdin(&mut world, &c.text, files, c.stdin.as_deref());
        out.push_str(&format!("$ {}\n", c.text));
        out.push_str(&o.stdout);
        for l in o.stderr.lines() {
            out.push_str(&format!("! {l}\n"));
        }
        if traced {
            out.push_str(&format!(
                "# at={} steps={} trace={:016x} rv={}\n",
                world.now().0,
                world.steps(),
                world.trace_hash(),
                world.store().resource_version()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_documents_and_comments() {
        let s = "# setup\nget pods\napply -f - <<EOF\nkind: X\nEOF\n\nsim settle\n";
        let c = parse_script(s).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[1].text, "apply -f -");
        assert_eq!(c[1].stdin.as_deref(), Some("kind: X\n"));
        assert_eq!(c[2].line, 7);
        assert!(parse_script("apply -f - <<EOF\nkind: X\n")
            .unwrap_err()
            .contains("line 1"));
    }
}
