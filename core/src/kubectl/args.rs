//! Command-line words and flags, as kubectl (cobra) reads them.

/// Splits a line into words with shell quoting: `'…'`, `"…"` and backslash escapes. A `#`
/// at the start of a word begins a comment.
pub fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => break,
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch) => cur.push(ch),
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(ch) => cur.push(ch),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    cur.push(ch);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Flags that take a value (as `--flag=value` or `--flag value`), with their short forms.
const VALUE_FLAGS: &[(&str, &str)] = &[
    ("namespace", "n"),
    ("output", "o"),
    ("selector", "l"),
    ("filename", "f"),
    ("replicas", ""),
    ("image", ""),
    ("to-revision", ""),
    ("revision", ""),
    ("cascade", ""),
    ("grace-period", ""),
    ("port", ""),
    ("timeout", ""),
    ("cpu", ""),
    ("memory", ""),
    ("pods", ""),
    ("label", ""),
    ("taint", ""),
    ("limit", ""),
    ("container", "c"),
    ("field-selector", ""),
    ("sort-by", ""),
    ("patch", "p"),
    ("type", ""),
    ("template", ""),
    ("request-timeout", ""),
    ("restart", ""),
    ("labels", ""),
    ("env", ""),
    ("pod-selector", ""),
];

/// Flags without a value.
const BOOL_FLAGS: &[(&str, &str)] = &[
    ("all-namespaces", "A"),
    ("show-labels", ""),
    ("no-headers", ""),
    ("overwrite", ""),
    ("all", ""),
    ("ignore-daemonsets", ""),
    ("delete-emptydir-data", ""),
    ("disable-eviction", ""),
    ("force", ""),
    ("now", ""),
    ("ignore-not-found", ""),
    ("wait", ""),
    ("record", ""),
    ("dry-run", ""),
    ("help", "h"),
    ("watch", "w"),
    ("watch-only", ""),
    ("rm", ""),
    ("stdin", "i"),
    ("tty", "t"),
    ("attach", ""),
    ("command", ""),
];

/// Parsed positional words and flags. Repeated flags keep every value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    pub positional: Vec<String>,
    pub flags: Vec<(String, String)>,
}

impl Args {
    pub fn parse(words: &[String]) -> Result<Args, String> {
        let mut a = Args::default();
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            i += 1;
            if w == "--" {
                a.positional.extend(words[i..].iter().cloned());
                break;
            }
            let (name, inline) = if let Some(long) = w.strip_prefix("--") {
                match long.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (long.to_string(), None),
                }
            } else if w.len() > 1 && w.starts_with('-') && w != "-" {
                let short = &w[1..];
                // Bundled boolean shorthands, as in `-it`.
                if short.len() > 1
                    && !short.contains('=')
                    && short.chars().all(|c| {
                        BOOL_FLAGS
                            .iter()
                            .any(|(_, sh)| sh.len() == 1 && sh.starts_with(c))
                    })
                {
                    for c in short.chars() {
                        if let Some((l, _)) = BOOL_FLAGS
                            .iter()
                            .find(|(_, sh)| sh.len() == 1 && sh.starts_with(c))
                        {
                            a.flags.push((l.to_string(), "true".into()));
                        }
                    }
                    continue;
                }
                // The first character (a shorthand is one character, of any width).
                let first = short.chars().next().map_or(0, char::len_utf8);
                let (s, v) = match short.split_once('=') {
                    Some((s, v)) => (s, Some(v.to_string())),
                    None if short.len() > first
                        && VALUE_FLAGS.iter().any(|(_, sh)| *sh == &short[..first]) =>
                    {
                        (&short[..first], Some(short[first..].to_string()))
                    }
                    None => (short, None),
                };
                let long = VALUE_FLAGS
                    .iter()
                    .chain(BOOL_FLAGS)
                    .find(|(_, sh)| !sh.is_empty() && *sh == s)
                    .map(|(l, _)| l.to_string());
                match long {
                    Some(l) => (l, v),
                    None => {
                        return Err(format!(
                            "unknown shorthand flag: '{}' in {w}",
                            &short[..first]
                        ))
                    }
                }
            } else {
                a.positional.push(w.clone());
                continue;
            };
            if VALUE_FLAGS.iter().any(|(l, _)| *l == name) {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        let v = words
                            .get(i)
                            .ok_or_else(|| format!("flag needs an argument: --{name}"))?
                            .clone();
                        i += 1;
                        v
                    }
                };
                a.flags.push((name, v));
            } else if BOOL_FLAGS.iter().any(|(l, _)| *l == name) {
                a.flags
                    .push((name, inline.unwrap_or_else(|| "true".into())));
            } else {
                return Err(format!("unknown flag: --{name}"));
            }
        }
        Ok(a)
    }

    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn bool(&self, name: &str) -> bool {
        self.flag(name).is_some_and(|v| v != "false")
    }

    /// An integer flag, with kubectl's error for a bad value.
    pub fn int(&self, name: &str) -> Result<Option<i64>, String> {
        match self.flag(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|e: std::num::ParseIntError| {
                let why = match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                        "value out of range"
                    }
                    _ => "invalid syntax",
                };
                format!("error: invalid argument {v:?} for \"--{name}\" flag: strconv.ParseInt: parsing {v:?}: {why}")
            }),
        }
    }

    /// An int32 flag (`--replicas` of `create deployment`, `--port`), refused as kubectl's
    /// flag parsing refuses it when out of range.
    pub fn int32(&self, name: &str) -> Result<Option<i32>, String> {
        match self.int(name)? {
            None => Ok(None),
            Some(n) => i32::try_from(n).map(Some).map_err(|_| {
                let v = self.flag(name).unwrap_or_default();
                format!("error: invalid argument {v:?} for \"--{name}\" flag: strconv.ParseInt: parsing {v:?}: value out of range")
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokenize(s).unwrap()
    }

    #[test]
    fn tokenizes_quotes_and_comments() {
        assert_eq!(
            words(r#"exec web-0 -- sh -c 'echo "$(hostname)" > /x' # note"#),
            vec![
                "exec",
                "web-0",
                "--",
                "sh",
                "-c",
                "echo \"$(hostname)\" > /x"
            ]
        );
        assert!(tokenize("echo 'oops").is_err());
    }

    #[test]
    fn a_shorthand_of_any_width_is_one_character() {
        // Found by the command fuzzer: slicing the first byte of `-Ӑ…` panicked.
        assert_eq!(
            Args::parse(&words("get pods -\u{4d0}how-labels")).unwrap_err(),
            "unknown shorthand flag: '\u{4d0}' in -\u{4d0}how-labels"
        );
        assert_eq!(
            Args::parse(&words("get pods -é")).unwrap_err(),
            "unknown shorthand flag: 'é' in -é"
        );
    }

    #[test]
    fn parses_long_short_and_inline_flags() {
        let a = Args::parse(&words(
            "pods -n kube-system -owide --show-labels -l app=web --replicas=3 x",
        ))
        .unwrap();
        assert_eq!(a.positional, vec!["pods", "x"]);
        assert_eq!(a.flag("namespace"), Some("kube-system"));
        assert_eq!(a.flag("output"), Some("wide"));
        assert_eq!(a.flag("selector"), Some("app=web"));
        assert_eq!(a.flag("replicas"), Some("3"));
        assert!(a.bool("show-labels"));
        assert!(Args::parse(&words("--bogus"))
            .unwrap_err()
            .contains("unknown flag: --bogus"));
        let it = Args::parse(&words("exec -it web-0 -- sh")).unwrap();
        assert!(it.bool("stdin") && it.bool("tty"));
        assert_eq!(it.positional, vec!["exec", "web-0", "sh"]);
        assert!(Args::parse(&words("-iz")).is_err());
        assert!(Args::parse(&words("-n"))
            .unwrap_err()
            .contains("needs an argument"));
    }
}
