//! YAML syntax highlighting for the manifest editor: every line cut into coloured spans.
//!
//! [`highlight`] is a forgiving, line-based tokenizer, not a parser: any text at all (half-typed,
//! broken, not YAML) comes back as spans that join into exactly the input, one [`Line`] per
//! `\n`-separated line, so an editor can lay the coloured text over the plain text without
//! anything shifting. The little it carries from one line to the next is what YAML carries:
//! a block scalar (`|`, `>`) whose more-indented lines are text, a quoted string left open, and
//! the depth of flow collections (`{ … }`, `[ … ]`). Parsing proper, with errors, is
//! [`manifest::parse`](crate::manifest::parse)'s job.

/// What a span of text is, for choosing its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Token {
    /// A mapping key (`name` in `name: web`), plain or quoted.
    Key,
    /// A quoted scalar, or the text of a block scalar.
    String,
    /// An integer or float as YAML 1.2's core schema reads it (`3`, `-1.5e3`, `0x1F`, `.inf`).
    Number,
    /// `true`, `false`, `null` and `~` in their accepted spellings.
    Bool,
    /// From a `#` that starts a comment to the end of the line.
    Comment,
    /// Indicators: `-` `:` `---` `...` `?` `|` `>` `{` `}` `[` `]` `,`.
    Punct,
    /// Anchors, aliases and tags: `&x`, `*x`, `!!str`, `!tag`.
    Anchor,
    /// Any other unquoted scalar (`nginx:1.27`, `250m`, `apps/v1`).
    Plain,
    /// Spaces, tabs and carriage returns.
    Space,
}

/// A run of text of one kind; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: Token,
    pub text: String,
}

/// One line of the input, without its `\n`. Its spans' texts joined give the line back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub spans: Vec<Span>,
}

/// Cuts `text` into lines of spans: as many lines as `text.split('\n')` gives.
pub fn highlight(text: &str) -> Vec<Line> {
    let mut state = State::default();
    text.split('\n')
        .map(|l| Line {
            spans: line_spans(l, &mut state),
        })
        .collect()
}

/// What one line leaves for the next.
#[derive(Debug, Default)]
struct State {
    /// Inside a block scalar: lines indented deeper than this column are its text.
    block: Option<isize>,
    /// Inside a quoted scalar that the previous line left open.
    quote: Option<char>,
    /// How many `{`/`[` are open.
    flow: usize,
}

/// The spans of one line so far, and where the next one starts.
struct Lexer<'a> {
    s: &'a str,
    i: usize,
    spans: Vec<Span>,
}

impl<'a> Lexer<'a> {
    /// Emits `s[i..end]` as `kind` (nothing if empty) and moves on.
    fn push(&mut self, kind: Token, end: usize) {
        let end = end.min(self.s.len());
        if end > self.i {
            self.spans.push(Span {
                kind,
                text: self.s[self.i..end].to_string(),
            });
            self.i = end;
        }
    }
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    /// The character after the next one.
    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }
    fn prev_is_space(&self) -> bool {
        self.s[..self.i].chars().next_back().is_none_or(is_space)
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r')
}

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// Whether a `:` (or `-`, `?`) followed by `next` is an indicator rather than part of a scalar.
fn ends_indicator(next: Option<char>, in_flow: bool) -> bool {
    next.is_none_or(|c| is_space(c) || (in_flow && is_flow_indicator(c)))
}

/// Width of the leading blanks.
fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// `---` or `...` at column 0, alone or followed by a blank: a document boundary.
fn is_document_marker(s: &str) -> bool {
    ["---", "..."].iter().any(|m| {
        s.strip_prefix(m)
            .is_some_and(|r| r.chars().next().is_none_or(is_space))
    })
}

fn line_spans(s: &str, st: &mut State) -> Vec<Span> {
    let mut lx = Lexer {
        s,
        i: 0,
        spans: Vec::new(),
    };
    let indent = indent_of(s);
    if let Some(parent) = st.block {
        if s.trim_matches([' ', '\t', '\r']).is_empty() {
            lx.push(Token::Space, s.len());
            return lx.spans;
        }
        if indent as isize > parent && !is_document_marker(s) {
            lx.push(Token::Space, indent);
            lx.push(Token::String, s.len());
            return lx.spans;
        }
        st.block = None;
    }
    let mut key_ok = true;
    if let Some(q) = st.quote {
        let (end, closed) = quoted_end(s, 0, q);
        lx.push(Token::String, end);
        if !closed {
            return lx.spans;
        }
        st.quote = None;
        key_ok = st.flow > 0;
    }
    tokens(&mut lx, st, indent, key_ok);
    lx.spans
}

/// The rest of a line, token by token. `key_ok`: a mapping key may start here (at the start of
/// a block node, after `- ` or `? `, or after `{`, `[`, `,` in a flow collection).
fn tokens(lx: &mut Lexer, st: &mut State, indent: usize, mut key_ok: bool) {
    // The column a block scalar's text must be indented past: its key's, or its `-`'s.
    let mut node_col = indent as isize - 1;
    while let Some(c) = lx.peek() {
        let in_flow = st.flow > 0;
        let start = lx.i;
        match c {
            _ if is_space(c) => {
                let n = lx.rest().len() - lx.rest().trim_start_matches(is_space).len();
                lx.push(Token::Space, start + n);
            }
            '#' if lx.prev_is_space() => {
                lx.push(Token::Comment, lx.s.len());
            }
            '-' | '.' if start == 0 && is_document_marker(lx.s) => {
                lx.push(Token::Punct, 3);
                node_col = -1;
                key_ok = true;
            }
            '-' | '?' if !in_flow && key_ok && ends_indicator(lx.peek2(), false) => {
                lx.push(Token::Punct, start + 1);
                node_col = start as isize;
            }
            '{' | '[' => {
                lx.push(Token::Punct, start + 1);
                st.flow += 1;
                key_ok = true;
            }
            '}' | ']' => {
                lx.push(Token::Punct, start + 1);
                st.flow = st.flow.saturating_sub(1);
                key_ok = false;
            }
            ',' if in_flow => {
                lx.push(Token::Punct, start + 1);
                key_ok = true;
            }
            ':' if ends_indicator(lx.peek2(), in_flow) => {
                lx.push(Token::Punct, start + 1);
                key_ok = false;
            }
            '"' | '\'' => {
                let (end, closed) = quoted_end(lx.s, start + 1, c);
                let kind = if closed && key_ok && key_colon_at(lx.s, end, in_flow) {
                    node_col = start as isize;
                    Token::Key
                } else {
                    Token::String
                };
                lx.push(kind, end);
                if !closed {
                    st.quote = Some(c);
                }
                key_ok = false;
            }
            '&' | '*' | '!' => {
                let end = lx
                    .rest()
                    .find(|ch: char| is_space(ch) || (in_flow && is_flow_indicator(ch)))
                    .map_or(lx.s.len(), |n| start + n);
                lx.push(Token::Anchor, end);
            }
            '|' | '>' if !in_flow && block_indicator_len(lx.rest()).is_some() => {
                let n = block_indicator_len(lx.rest()).unwrap_or(1);
                lx.push(Token::Punct, start + n);
                st.block = Some(node_col);
                key_ok = false;
            }
            _ => {
                let end = plain_end(lx.s, start, in_flow);
                let kind = if key_ok && key_colon_at(lx.s, end, in_flow) {
                    node_col = start as isize;
                    Token::Key
                } else {
                    scalar_kind(&lx.s[start..end])
                };
                lx.push(kind, end);
                key_ok = false;
            }
        }
        if lx.i == start {
            // Never reached, but a tokenizer that cannot move must not loop: take one char.
            let n = c.len_utf8();
            lx.push(Token::Plain, start + n);
        }
    }
}

/// Length of a block scalar header (`|`, `>-`, `|+2`…) at the start of `rest`, if what follows
/// it is a blank, a comment or the end of the line.
fn block_indicator_len(rest: &str) -> Option<usize> {
    let n = 1 + rest[1..]
        .chars()
        .take_while(|c| matches!(c, '-' | '+' | '0'..='9'))
        .count();
    rest[n..].chars().next().is_none_or(is_space).then_some(n)
}

/// Where a quoted scalar opened before `from` ends (just past its closing quote), and whether it
/// closed on this line. Double quotes take backslash escapes; single quotes escape as `''`.
fn quoted_end(s: &str, from: usize, q: char) -> (usize, bool) {
    let mut chars = s[from.min(s.len())..].char_indices();
    while let Some((i, c)) = chars.next() {
        if q == '"' && c == '\\' {
            chars.next();
        } else if c == q {
            if q == '\'' && s[from + i + 1..].starts_with('\'') {
                chars.next();
                continue;
            }
            return (from + i + 1, true);
        }
    }
    (s.len(), false)
}

/// Whether blanks then a `:` indicator follow position `at`: the scalar before it is a key.
fn key_colon_at(s: &str, at: usize, in_flow: bool) -> bool {
    let rest = s[at..].trim_start_matches(is_space);
    let mut chars = rest.chars();
    chars.next() == Some(':') && ends_indicator(chars.next(), in_flow)
}

/// End of a plain scalar starting at `from`: before a `:` indicator, a ` #` comment or (in a
/// flow collection) a flow indicator, with trailing blanks left out.
fn plain_end(s: &str, from: usize, in_flow: bool) -> usize {
    let mut end = s.len();
    let mut prev_space = false;
    let mut chars = s[from..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        let stop = (c == ':' && ends_indicator(next, in_flow))
            || (c == '#' && prev_space)
            || (in_flow && is_flow_indicator(c));
        if stop && i > 0 {
            end = from + i;
            break;
        }
        prev_space = is_space(c);
    }
    let trimmed = s[from..end].trim_end_matches(is_space).len();
    from + trimmed.max(s[from..].chars().next().map_or(0, char::len_utf8))
}

/// How YAML 1.2's core schema reads a plain scalar.
fn scalar_kind(text: &str) -> Token {
    match text {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "null" | "Null" | "NULL" | "~" => {
            Token::Bool
        }
        _ if is_number(text) => Token::Number,
        _ => Token::Plain,
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `0x…`, `0o…`, `[-+]?.inf`, `.nan`.
fn is_number(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(t, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if t.len() == text.len() {
        if let Some(h) = t.strip_prefix("0x") {
            return !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
        }
        if let Some(o) = t.strip_prefix("0o") {
            return !o.is_empty() && o.chars().all(|c| ('0'..='7').contains(&c));
        }
    }
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use Token::String as Str;
    use Token::{Anchor, Bool, Comment, Key, Number, Plain, Punct, Space};

    const DEPLOYMENT: &str = "\
# A web server.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: \"front end\"}
  annotations:
    note: |
      Two lines: of text
      # not a comment
    other: 'it''s'   # a comment
spec:
  replicas: 3
  paused: false
  template:
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          args: [\"-g\", daemon off]
          ports:
            - containerPort: 80
          resources:
            requests: {cpu: 250m, memory: 64Mi}
---
base: &defaults
  timeout: 1.5e3
copy: *defaults
tagged: !!str 0x1F
empty: ~
";

    /// The spans of line `n` (0-based), as (kind, text) pairs.
    fn spans(text: &str, n: usize) -> Vec<(Token, String)> {
        highlight(text)[n]
            .spans
            .iter()
            .map(|s| (s.kind, s.text.clone()))
            .collect()
    }

    /// The non-blank spans of line `n`.
    fn solid(text: &str, n: usize) -> Vec<(Token, String)> {
        spans(text, n)
            .into_iter()
            .filter(|(k, _)| *k != Space)
            .collect()
    }

    fn p(pairs: &[(Token, &str)]) -> Vec<(Token, String)> {
        pairs.iter().map(|(k, t)| (*k, t.to_string())).collect()
    }

    /// The property every input must keep: the lines match `split('\n')`, the spans join into
    /// each line exactly, and no span is empty.
    fn check_round_trip(text: &str) {
        let lines = highlight(text);
        let want: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), want.len(), "{text:?}");
        for (line, want) in lines.iter().zip(want) {
            let joined: String = line.spans.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(joined, want, "{text:?}");
            assert!(line.spans.iter().all(|s| !s.text.is_empty()), "{text:?}");
        }
    }

    #[test]
    fn highlights_a_deployment() {
        let d = DEPLOYMENT;
        assert_eq!(solid(d, 0), p(&[(Comment, "# A web server.")]));
        assert_eq!(
            solid(d, 1),
            p(&[(Key, "apiVersion"), (Punct, ":"), (Plain, "apps/v1")])
        );
        assert_eq!(
            solid(d, 5),
            p(&[
                (Key, "labels"),
                (Punct, ":"),
                (Punct, "{"),
                (Key, "app"),
                (Punct, ":"),
                (Plain, "web"),
                (Punct, ","),
                (Key, "tier"),
                (Punct, ":"),
                (Str, "\"front end\""),
                (Punct, "}"),
            ])
        );
        assert_eq!(solid(d, 7), p(&[(Key, "note"), (Punct, ":"), (Punct, "|")]));
        assert_eq!(solid(d, 8), p(&[(Str, "Two lines: of text")]));
        assert_eq!(solid(d, 9), p(&[(Str, "# not a comment")]));
        assert_eq!(
            solid(d, 10),
            p(&[
                (Key, "other"),
                (Punct, ":"),
                (Str, "'it''s'"),
                (Comment, "# a comment")
            ])
        );
        assert_eq!(
            solid(d, 12),
            p(&[(Key, "replicas"), (Punct, ":"), (Number, "3")])
        );
        assert_eq!(
            solid(d, 13),
            p(&[(Key, "paused"), (Punct, ":"), (Bool, "false")])
        );
        assert_eq!(
            solid(d, 17),
            p(&[(Punct, "-"), (Key, "name"), (Punct, ":"), (Plain, "nginx")])
        );
        assert_eq!(
            solid(d, 18),
            p(&[(Key, "image"), (Punct, ":"), (Plain, "nginx:1.27")])
        );
        assert_eq!(
            solid(d, 19),
            p(&[
                (Key, "args"),
                (Punct, ":"),
                (Punct, "["),
                (Str, "\"-g\""),
                (Punct, ","),
                (Plain, "daemon off"),
                (Punct, "]"),
            ])
        );
        assert_eq!(
            solid(d, 21),
            p(&[
                (Punct, "-"),
                (Key, "containerPort"),
                (Punct, ":"),
                (Number, "80")
            ])
        );
        assert_eq!(solid(d, 24), p(&[(Punct, "---")]));
        assert_eq!(
            solid(d, 25),
            p(&[(Key, "base"), (Punct, ":"), (Anchor, "&defaults")])
        );
        assert_eq!(
            solid(d, 26),
            p(&[(Key, "timeout"), (Punct, ":"), (Number, "1.5e3")])
        );
        assert_eq!(
            solid(d, 27),
            p(&[(Key, "copy"), (Punct, ":"), (Anchor, "*defaults")])
        );
        assert_eq!(
            solid(d, 28),
            p(&[
                (Key, "tagged"),
                (Punct, ":"),
                (Anchor, "!!str"),
                (Number, "0x1F")
            ])
        );
        assert_eq!(
            solid(d, 29),
            p(&[(Key, "empty"), (Punct, ":"), (Bool, "~")])
        );
        assert_eq!(spans(d, 30), vec![]);
        check_round_trip(d);
    }

    #[test]
    fn keeps_indentation_and_blanks_as_space() {
        assert_eq!(
            spans("  - a: 1 \r", 0),
            p(&[
                (Space, "  "),
                (Punct, "-"),
                (Space, " "),
                (Key, "a"),
                (Punct, ":"),
                (Space, " "),
                (Number, "1"),
                (Space, " \r"),
            ])
        );
    }

    #[test]
    fn a_block_scalar_ends_at_the_first_line_not_indented_past_its_key() {
        let t = "a:\n  script: >-\n    echo: hi\n\n    - x\n  next: 'y'\n";
        assert_eq!(solid(t, 2), p(&[(Str, "echo: hi")]));
        assert_eq!(spans(t, 3), vec![]);
        assert_eq!(solid(t, 4), p(&[(Str, "- x")]));
        assert_eq!(solid(t, 5), p(&[(Key, "next"), (Punct, ":"), (Str, "'y'")]));
        let seq = "- |\n  text\n- b";
        assert_eq!(solid(seq, 1), p(&[(Str, "text")]));
        assert_eq!(solid(seq, 2), p(&[(Punct, "-"), (Plain, "b")]));
        let doc = "--- |\ntext\n---\nk: v";
        assert_eq!(solid(doc, 1), p(&[(Str, "text")]));
        assert_eq!(solid(doc, 2), p(&[(Punct, "---")]));
        assert_eq!(solid(doc, 3), p(&[(Key, "k"), (Punct, ":"), (Plain, "v")]));
    }

    #[test]
    fn classifies_plain_scalars_by_the_core_schema() {
        for n in [
            "0", "-3", "+4.5", ".5", "1.", "1e10", "2E-3", "0x1f", "0o17", ".inf", "-.Inf", ".nan",
        ] {
            assert_eq!(scalar_kind(n), Number, "{n}");
        }
        for b in ["true", "False", "NULL", "~"] {
            assert_eq!(scalar_kind(b), Bool, "{b}");
        }
        for s in [
            "250m", "64Mi", "1.2.3", "e5", "-", "0x", "yes", "1e", "-.nan", ".", "tRue",
        ] {
            assert_eq!(scalar_kind(s), Plain, "{s}");
        }
    }

    #[test]
    fn broken_input_is_coloured_without_losing_text() {
        // An open quote runs on to the next line and closes there.
        let t = "a: \"one\n two\" : x\nb: 1";
        assert_eq!(solid(t, 0), p(&[(Key, "a"), (Punct, ":"), (Str, "\"one")]));
        assert_eq!(solid(t, 1)[0], (Str, " two\"".to_string()));
        assert_eq!(solid(t, 2), p(&[(Key, "b"), (Punct, ":"), (Number, "1")]));
        // Unbalanced brackets neither underflow nor swallow the rest.
        let t = "]]\n}: x\na: [1,\n  2]\nb: 2";
        assert_eq!(solid(t, 4), p(&[(Key, "b"), (Punct, ":"), (Number, "2")]));
        for garbage in [
            "\"",
            "'",
            "'''",
            "\\\"",
            ": : :",
            "- - -",
            "-",
            "?",
            "|",
            ">",
            "|+9x",
            "&",
            "!",
            "#",
            "a#b",
            "a #b",
            "{",
            "[{]}",
            ",,,",
            "key:value",
            "::",
            "é: ü",
            "日本: 語 # コメント",
            "\t\tkey:\t1",
            "\r",
            "---x",
            "...",
            "--- # c",
            "- |-\n\t\u{0}\n",
        ] {
            check_round_trip(garbage);
        }
    }

    #[test]
    fn every_input_round_trips() {
        // Every prefix of a real manifest, as someone types it.
        for (i, _) in DEPLOYMENT.char_indices() {
            check_round_trip(&DEPLOYMENT[..i]);
        }
        // And seeded garbage over YAML's significant characters and some multi-byte ones.
        let alphabet: Vec<char> = " \t\r\n-:#'\"\\|>{}[],&*!?~.0159aeEx日é".chars().collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(x % 40) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            x = x.wrapping_add(1);
            check_round_trip(&s);
        }
    }
}
