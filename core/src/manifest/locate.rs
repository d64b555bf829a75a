//! Finding the line and column of a field path (`spec.template.spec.containers[0].image`) in a
//! YAML or JSON document's text, so that validation errors point at the line to fix.
//!
//! This walks block-style YAML by indentation (and finds keys in flow/JSON text in order); when
//! a path cannot be followed to its end, the deepest ancestor found is returned.

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `a.b[2].c` into segments. Keys containing dots are not expected in field paths we
/// report, except label keys, which are written `metadata.labels[app.kubernetes.io/name]`.
pub fn parse_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    out.push(Seg::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(Seg::Key(std::mem::take(&mut cur)));
                }
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                match inner.parse::<usize>() {
                    Ok(i) => out.push(Seg::Index(i)),
                    Err(_) => out.push(Seg::Key(inner)),
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(Seg::Key(cur));
    }
    out
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Returns the 1-based (line, column) of the path's last key found in `text`.
/// Like [`locate`], but for a field whose value is wrong: when the path ends at a key with its
/// value on the same line (`containerPort: http`), the value's column.
pub fn locate_value(text: &str, path: &str) -> Option<(usize, usize)> {
    let (line, col) = locate(text, path)?;
    let Some(Seg::Key(key)) = parse_path(path).pop() else {
        return Some((line, col));
    };
    let rest = text
        .lines()
        .nth(line.checked_sub(1)?)
        .and_then(|l| l.get(col.checked_sub(1)?..))
        .unwrap_or("");
    let after = rest
        .strip_prefix(key.as_str())
        .or_else(|| rest.strip_prefix(&format!("\"{key}\"")))
        .and_then(|r| r.strip_prefix(':'));
    match after {
        Some(value) if !value.trim().is_empty() && !value.trim_start().starts_with('#') => {
            let skipped = rest.len() - value.trim_start().len();
            Some((line, col + skipped))
        }
        _ => Some((line, col)),
    }
}

pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let segs = parse_path(path);
    let lines: Vec<&str> = text.lines().collect();
    if text.trim_start().starts_with('{') {
        return locate_flow(&lines, &segs);
    }
    // (line index, column where the current node's content starts, indent of the parent)
    let mut line = 0usize;
    let mut parent_indent: isize = -1;
    let mut found: Option<(usize, usize)> = None;
    // Column at which an inline mapping starts on `line` (after "- "), if any.
    let mut inline_col: Option<usize> = None;
    for (si, seg) in segs.iter().enumerate() {
        match seg {
            Seg::Key(k) => {
                let mut hit = None;
                let start = line;
                for (i, l) in lines.iter().enumerate().skip(start) {
                    if is_blank(l) {
                        continue;
                    }
                    let ind = indent_of(l);
                    let (content, col) = if i == start && inline_col.is_some() {
                        let c = inline_col.unwrap_or(ind);
                        (l.get(c..).unwrap_or(""), c)
                    } else {
                        if (ind as isize) <= parent_indent && i != start {
                            break;
                        }
                        if i == start && found.is_some() {
                            continue;
                        }
                        let t = &l[ind..];
                        match t.strip_prefix("- ") {
                            Some(rest) if i != start => (rest, ind + 2),
                            _ => (t, ind),
                        }
                    };
                    let quoted = format!("\"{k}\":");
                    let plain = format!("{k}:");
                    if content.starts_with(&plain) || content.starts_with(&quoted) {
                        hit = Some((i, col));
                        break;
                    }
                }
                let (i, col) = hit?;
                found = Some((i + 1, col + 1));
                parent_indent = col as isize;
                line = i;
                inline_col = None;
                // The value may start on the same line (scalar or flow); children follow below.
                let after = lines[i][col..]
                    .split_once(':')
                    .map(|(_, v)| v.trim())
                    .unwrap_or("");
                if !after.is_empty() && !after.starts_with('#') {
                    inline_col = Some(col);
                }
                // A flow mapping or sequence (`objects: {kind: Pod, …}`): the rest of the
                // path is inside it.
                if (after.starts_with('{') || after.starts_with('[')) && si + 1 < segs.len() {
                    let start: usize =
                        lines[..i].iter().map(|l| l.len() + 1).sum::<usize>() + col + k.len();
                    return locate_in_flow(text, start, &segs[si + 1..]).or(found);
                }
            }
            Seg::Index(n) => {
                let mut count = 0usize;
                let mut hit = None;
                let mut seq_indent: Option<usize> = None;
                for (i, l) in lines.iter().enumerate().skip(line + 1) {
                    if is_blank(l) {
                        continue;
                    }
                    let ind = indent_of(l);
                    if (ind as isize) < parent_indent || (seq_indent.is_some_and(|s| ind < s)) {
                        break;
                    }
                    let t = &l[ind..];
                    if t.starts_with("- ") || t == "-" {
                        let si = *seq_indent.get_or_insert(ind);
                        if ind == si {
                            if count == *n {
                                hit = Some((i, ind + 2));
                                break;
                            }
                            count += 1;
                        }
                    } else if seq_indent.is_none() && (ind as isize) <= parent_indent {
                        break;
                    }
                }
                let (i, col) = hit?;
                found = Some((i + 1, col - 1));
                line = i;
                parent_indent = (col as isize) - 2;
                inline_col = Some(col);
            }
        }
    }
    found
}

/// Inside flow YAML from byte `pos`: each key (plain or quoted, followed by `:`) in order.
fn locate_in_flow(text: &str, mut pos: usize, segs: &[Seg]) -> Option<(usize, usize)> {
    let mut found = None;
    for seg in segs {
        let Seg::Key(k) = seg else { continue };
        let idx = [format!("{k}:"), format!("\"{k}\":")]
            .iter()
            .filter_map(|needle| {
                let mut from = pos;
                while let Some(i) = text.get(from..)?.find(needle.as_str()) {
                    let at = from + i;
                    let before = text[..at].chars().next_back();
                    if before.is_none_or(|c| matches!(c, '{' | ',' | ' ' | '\n' | '\t')) {
                        return Some(at);
                    }
                    from = at + needle.len();
                }
                None
            })
            .min()?;
        pos = idx + k.len();
        let line = text[..idx].matches('\n').count() + 1;
        let col = idx - text[..idx].rfind('\n').map_or(0, |p| p + 1) + 1;
        found = Some((line, col));
    }
    found
}

/// JSON (or flow YAML): find each key in order after the previous one.
fn locate_flow(lines: &[&str], segs: &[Seg]) -> Option<(usize, usize)> {
    let text = lines.join("\n");
    let mut pos = 0usize;
    let mut found = None;
    for seg in segs {
        if let Seg::Key(k) = seg {
            let needle = format!("\"{k}\"");
            let idx = text[pos..].find(&needle)? + pos;
            pos = idx + needle.len();
            let line = text[..idx].matches('\n').count() + 1;
            let col = idx - text[..idx].rfind('\n').map_or(0, |p| p + 1) + 1;
            found = Some((line, col));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_continue_into_flow_mappings() {
        let text = "steps:\n  - title: t\n    checks:\n      - title: c\n        objects: {kind: Pod, where: {ready: true}, selector: app=web}\n";
        assert_eq!(
            locate(text, "steps[0].checks[0].objects.selector"),
            Some((5, 52))
        );
        assert_eq!(
            locate(text, "steps[0].checks[0].objects.where.ready"),
            Some((5, 38))
        );
    }

    const DOC: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: -1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
      - name: sidecar
        image: busybox
        ports:
        - containerPort: 80
";

    #[test]
    fn finds_nested_keys_and_list_items() {
        assert_eq!(locate(DOC, "spec.replicas"), Some((8, 3)));
        assert_eq!(
            locate(DOC, "spec.template.spec.containers[0].image"),
            Some((19, 9))
        );
        assert_eq!(
            locate(DOC, "spec.template.spec.containers[1].name"),
            Some((20, 9))
        );
        assert_eq!(
            locate(
                DOC,
                "spec.template.spec.containers[1].ports[0].containerPort"
            ),
            Some((23, 11))
        );
        assert_eq!(locate(DOC, "metadata.labels"), Some((5, 3)));
    }

    #[test]
    fn a_wrong_value_is_pointed_at_rather_than_its_key() {
        assert_eq!(locate_value(DOC, "spec.replicas"), Some((8, 13)));
        let json = "{\n  \"spec\": {\n    \"replicas\": \"x\"\n  }\n}";
        assert_eq!(locate_value(json, "spec.replicas"), Some((3, 17)));
        // A key whose value is on the next lines stays where it is.
        assert_eq!(
            locate_value(DOC, "spec.template"),
            locate(DOC, "spec.template")
        );
    }

    #[test]
    fn missing_paths_are_none_and_json_works() {
        assert_eq!(locate(DOC, "spec.strategy"), None);
        let json = "{\n  \"kind\": \"Deployment\",\n  \"spec\": {\n    \"replicas\": -1\n  }\n}";
        assert_eq!(locate(json, "spec.replicas"), Some((4, 5)));
    }

    #[test]
    fn paths_parse_with_indices_and_bracketed_keys() {
        assert_eq!(
            parse_path("a.b[2].c"),
            vec![
                Seg::Key("a".into()),
                Seg::Key("b".into()),
                Seg::Index(2),
                Seg::Key("c".into())
            ]
        );
        assert_eq!(
            parse_path("metadata.labels[app.kubernetes.io/name]"),
            vec![
                Seg::Key("metadata".into()),
                Seg::Key("labels".into()),
                Seg::Key("app.kubernetes.io/name".into())
            ]
        );
    }
}
