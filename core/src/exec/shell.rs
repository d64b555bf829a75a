//! A small POSIX-like shell and the commands it runs, against a container's [`Proc`].
//!
//! The language: `;`, newlines, `&&`, `||`, `|` (a command's output becomes the next one's
//! input), single and double quotes, backslash escapes, `$VAR`, `${VAR}`, `$?`, `$(…)` and
//! backquote substitution, `NAME=value`, redirections `>`, `>>`, `<`, `2>`, `2>>`, `2>&1`
//! (`/dev/null` discards), and `#` comments. The commands: `echo`, `cat`, `ls [-l] [-a]`,
//! `hostname [-i]`, `rm [-f] [-r]`, `mkdir [-p]`, `touch`, `test`/`[` (`-f -d -e -s -z -n = !=
//! !`), `true`, `false`, `pwd`, `cd`, `exit`, `sleep` (returns at once: exec does not move the
//! simulated clock), `whoami`, `wc -l`, `curl http://localhost[/path]`, and `nslookup NAME` in
//! busybox images ([`crate::dns::nslookup`]). Errors use the wording of the image's tools ([`Flavour`]) and of the shell
//! that runs the script (`dash`, `ash` or `bash`).
//!
//! Never panics: budgets bound the commands run ([`MAX_COMMANDS`]), nesting
//! ([`MAX_DEPTH`]) and output ([`MAX_OUTPUT`]).

use super::images::{self, Flavour};
use super::Proc;
use crate::files::{normalize, FsError};
use std::collections::BTreeMap;

pub const MAX_COMMANDS: usize = 2000;
pub const MAX_DEPTH: usize = 8;
pub const MAX_OUTPUT: usize = 256 * 1024;

/// Which shell interprets a script (its error messages differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellKind {
    Dash,
    Ash,
    Bash,
}

/// A word part.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    /// Quoted text (no field splitting, no expansion left).
    Quoted(String),
    /// `$(…)`, quoted or not.
    Subst(String, bool),
    /// `$NAME`, quoted or not.
    Var(String, bool),
}

type Word = Vec<Part>;

#[derive(Debug, Clone, PartialEq)]
enum Redir {
    Out(Word, bool),
    Err(Word, bool),
    ErrToOut,
    In(Word),
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Simple {
    words: Vec<Word>,
    redirs: Vec<Redir>,
    line: usize,
}

/// A pipeline of simple commands.
type Pipeline = Vec<Simple>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Seq,
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Newline,
}

/// A syntax error, in the words of each shell.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Syntax {
    Unterminated(char),
    Unexpected(String),
    EndOfFile,
}

fn syntax_message(kind: ShellKind, e: &Syntax, line: usize) -> String {
    match (kind, e) {
        (ShellKind::Dash, Syntax::Unterminated(_)) => {
            format!("sh: {line}: Syntax error: Unterminated quoted string")
        }
        (ShellKind::Dash, Syntax::Unexpected(t)) => {
            format!("sh: {line}: Syntax error: \"{t}\" unexpected")
        }
        (ShellKind::Dash, Syntax::EndOfFile) => {
            format!("sh: {line}: Syntax error: end of file unexpected")
        }
        (ShellKind::Ash, Syntax::Unterminated(_)) => {
            "sh: syntax error: unterminated quoted string".into()
        }
        (ShellKind::Ash, Syntax::Unexpected(t)) => format!("sh: syntax error: unexpected \"{t}\""),
        (ShellKind::Ash, Syntax::EndOfFile) => "sh: syntax error: unexpected end of file".into(),
        (ShellKind::Bash, Syntax::Unterminated(q)) => {
            format!("bash: -c: line {line}: unexpected EOF while looking for matching `{q}'")
        }
        (ShellKind::Bash, Syntax::Unexpected(t)) => {
            format!("bash: -c: line {line}: syntax error near unexpected token `{t}'")
        }
        (ShellKind::Bash, Syntax::EndOfFile) => {
            format!("bash: -c: line {line}: syntax error: unexpected end of file")
        }
    }
}

/// Reads up to the `)` matching an opened `$(`, honouring quotes and nesting.
fn read_subst(chars: &[char], i: &mut usize) -> Result<String, Syntax> {
    let mut depth = 1;
    let mut out = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        *i += 1;
        match c {
            '\'' => {
                out.push(c);
                loop {
                    let Some(&d) = chars.get(*i) else {
                        return Err(Syntax::Unterminated('\''));
                    };
                    *i += 1;
                    out.push(d);
                    if d == '\'' {
                        break;
                    }
                }
            }
            '"' => {
                out.push(c);
                loop {
                    let Some(&d) = chars.get(*i) else {
                        return Err(Syntax::Unterminated('"'));
                    };
                    *i += 1;
                    out.push(d);
                    if d == '\\' {
                        if let Some(&e) = chars.get(*i) {
                            *i += 1;
                            out.push(e);
                        }
                    } else if d == '"' {
                        break;
                    }
                }
            }
            '\\' => {
                out.push(c);
                if let Some(&d) = chars.get(*i) {
                    *i += 1;
                    out.push(d);
                }
            }
            '(' => {
                depth += 1;
                out.push(c);
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(out);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Err(Syntax::EndOfFile)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `$…` at `chars[*i]` (just after the `$`).
fn read_dollar(chars: &[char], i: &mut usize, quoted: bool) -> Result<Part, Syntax> {
    match chars.get(*i) {
        Some('(') => {
            *i += 1;
            Ok(Part::Subst(read_subst(chars, i)?, quoted))
        }
        Some('{') => {
            let start = *i + 1;
            let end = chars[start..]
                .iter()
                .position(|&c| c == '}')
                .ok_or(Syntax::EndOfFile)?;
            *i = start + end + 1;
            Ok(Part::Var(
                chars[start..start + end].iter().collect(),
                quoted,
            ))
        }
        Some('?') => {
            *i += 1;
            Ok(Part::Var("?".into(), quoted))
        }
        Some(&c) if is_name_char(c) => {
            let start = *i;
            while chars.get(*i).is_some_and(|&c| is_name_char(c)) {
                *i += 1;
            }
            Ok(Part::Var(chars[start..*i].iter().collect(), quoted))
        }
        _ => Ok(if quoted {
            Part::Quoted("$".into())
        } else {
            Part::Lit("$".into())
        }),
    }
}

fn lex(script: &str) -> Result<Vec<(Tok, usize)>, (Syntax, usize)> {
    let chars: Vec<char> = script.chars().collect();
    let mut toks = Vec::new();
    let mut word: Word = Vec::new();
    let mut in_word = false;
    let mut line = 1;
    let mut i = 0;
    macro_rules! end_word {
        () => {
            if in_word {
                toks.push((Tok::Word(std::mem::take(&mut word)), line));
                in_word = false;
            }
        };
    }
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ' ' | '\t' | '\r' => end_word!(),
            '\n' => {
                end_word!();
                toks.push((Tok::Newline, line));
                line += 1;
            }
            ';' => {
                end_word!();
                toks.push((Tok::Op(";"), line));
            }
            '&' => {
                end_word!();
                if chars.get(i) == Some(&'&') {
                    i += 1;
                    toks.push((Tok::Op("&&"), line));
                } else {
                    toks.push((Tok::Op("&"), line));
                }
            }
            '|' => {
                end_word!();
                if chars.get(i) == Some(&'|') {
                    i += 1;
                    toks.push((Tok::Op("||"), line));
                } else {
                    toks.push((Tok::Op("|"), line));
                }
            }
            '>' | '<' => {
                // `2>`, `2>>`, `2>&1` when the word so far is exactly "2".
                let fd2 = in_word && word == vec![Part::Lit("2".into())];
                if fd2 {
                    word.clear();
                    in_word = false;
                } else {
                    end_word!();
                }
                let op = match (c, chars.get(i), fd2) {
                    ('>', Some('&'), true) if chars.get(i + 1) == Some(&'1') => {
                        i += 2;
                        "2>&1"
                    }
                    ('>', Some('>'), true) => {
                        i += 1;
                        "2>>"
                    }
                    ('>', _, true) => "2>",
                    ('>', Some('>'), false) => {
                        i += 1;
                        ">>"
                    }
                    ('>', _, false) => ">",
                    _ => "<",
                };
                toks.push((Tok::Op(op), line));
            }
            '(' | ')' => {
                return Err((Syntax::Unexpected(c.to_string()), line));
            }
            '\'' => {
                in_word = true;
                let start = i;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err((Syntax::Unterminated('\''), line));
                }
                let s: String = chars[start..i].iter().collect();
                line += s.matches('\n').count();
                word.push(Part::Quoted(s));
                i += 1;
            }
            '"' => {
                in_word = true;
                let mut text = String::new();
                // An empty "" still makes a word.
                word.push(Part::Quoted(String::new()));
                loop {
                    let Some(&d) = chars.get(i) else {
                        return Err((Syntax::Unterminated('"'), line));
                    };
                    i += 1;
                    match d {
                        '"' => break,
                        '\\' => match chars.get(i) {
                            Some(&e) if matches!(e, '"' | '\\' | '$' | '`' | '\n') => {
                                i += 1;
                                if e != '\n' {
                                    text.push(e);
                                }
                            }
                            _ => text.push('\\'),
                        },
                        '$' => {
                            let part = read_dollar(&chars, &mut i, true).map_err(|e| (e, line))?;
                            if !text.is_empty() {
                                word.push(Part::Quoted(std::mem::take(&mut text)));
                            }
                            word.push(part);
                        }
                        '`' => {
                            let start = i;
                            while i < chars.len() && chars[i] != '`' {
                                i += 1;
                            }
                            if i >= chars.len() {
                                return Err((Syntax::Unterminated('`'), line));
                            }
                            if !text.is_empty() {
                                word.push(Part::Quoted(std::mem::take(&mut text)));
                            }
                            word.push(Part::Subst(chars[start..i].iter().collect(), true));
                            i += 1;
                        }
                        '\n' => {
                            line += 1;
                            text.push(d);
                        }
                        _ => text.push(d),
                    }
                }
                if !text.is_empty() {
                    word.push(Part::Quoted(text));
                }
            }
            '\\' => {
                in_word = true;
                match chars.get(i) {
                    Some('\n') => i += 1,
                    Some(&d) => {
                        i += 1;
                        word.push(Part::Quoted(d.to_string()));
                    }
                    None => word.push(Part::Lit("\\".into())),
                }
            }
            '$' => {
                in_word = true;
                let part = read_dollar(&chars, &mut i, false).map_err(|e| (e, line))?;
                word.push(part);
            }
            '`' => {
                in_word = true;
                let start = i;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err((Syntax::Unterminated('`'), line));
                }
                word.push(Part::Subst(chars[start..i].iter().collect(), false));
                i += 1;
            }
            _ => {
                in_word = true;
                match word.last_mut() {
                    Some(Part::Lit(s)) => s.push(c),
                    _ => word.push(Part::Lit(c.to_string())),
                }
            }
        }
    }
    if in_word {
        toks.push((Tok::Word(word), line));
    }
    Ok(toks)
}

/// The script as lists of pipelines joined by `;`, `&&`, `||`.
fn parse(script: &str) -> Result<Vec<(Join, Pipeline)>, (Syntax, usize)> {
    let toks = lex(script)?;
    let mut out: Vec<(Join, Pipeline)> = Vec::new();
    let mut pipeline: Pipeline = Vec::new();
    let mut cmd = Simple::default();
    let mut join = Join::Seq;
    // An operator that still needs a command after it.
    let mut pending: Option<&'static str> = None;
    let mut last_line = 1;
    let empty = |c: &Simple| c.words.is_empty() && c.redirs.is_empty();
    let mut it = toks.into_iter();
    while let Some((t, line)) = it.next() {
        last_line = line;
        if empty(&cmd) {
            cmd.line = line;
        }
        match t {
            Tok::Word(w) => {
                cmd.words.push(w);
                pending = None;
            }
            Tok::Op(op @ (">" | ">>" | "2>" | "2>>" | "<")) => {
                match it.next() {
                    Some((Tok::Word(w), _)) => cmd.redirs.push(match op {
                        ">" => Redir::Out(w, false),
                        ">>" => Redir::Out(w, true),
                        "2>" => Redir::Err(w, false),
                        "2>>" => Redir::Err(w, true),
                        _ => Redir::In(w),
                    }),
                    Some((Tok::Op(o), l)) => return Err((Syntax::Unexpected(o.into()), l)),
                    Some((Tok::Newline, l)) => {
                        return Err((Syntax::Unexpected("newline".into()), l))
                    }
                    None => return Err((Syntax::Unexpected("newline".into()), line)),
                }
                pending = None;
            }
            Tok::Op("2>&1") => cmd.redirs.push(Redir::ErrToOut),
            Tok::Op("|") => {
                if empty(&cmd) {
                    return Err((Syntax::Unexpected("|".into()), line));
                }
                pipeline.push(std::mem::take(&mut cmd));
                pending = Some("|");
            }
            Tok::Op(op @ (";" | "&&" | "||")) => {
                if empty(&cmd) {
                    return Err((Syntax::Unexpected(op.into()), line));
                }
                pipeline.push(std::mem::take(&mut cmd));
                out.push((join, std::mem::take(&mut pipeline)));
                join = match op {
                    "&&" => Join::And,
                    "||" => Join::Or,
                    _ => Join::Seq,
                };
                pending = (op != ";").then_some(op);
            }
            Tok::Op(op) => return Err((Syntax::Unexpected(op.into()), line)),
            Tok::Newline => {
                if !empty(&cmd) {
                    pipeline.push(std::mem::take(&mut cmd));
                    out.push((join, std::mem::take(&mut pipeline)));
                    join = Join::Seq;
                }
            }
        }
    }
    if !empty(&cmd) {
        pipeline.push(cmd);
    }
    if pending.is_some() {
        return Err((Syntax::EndOfFile, last_line));
    }
    if !pipeline.is_empty() {
        out.push((join, pipeline));
    }
    Ok(out)
}

/// Output of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Answers `nslookup NAME`: output and exit code.
pub type Lookup<'a> = dyn Fn(&str) -> (String, i32) + 'a;

/// The interpreter state of one `kubectl exec`.
pub struct Shell<'p, 'f> {
    pub proc: &'p mut Proc<'f>,
    pub kind: ShellKind,
    pub cwd: String,
    vars: BTreeMap<String, String>,
    status: i32,
    commands: usize,
    depth: usize,
    exited: Option<i32>,
    line: usize,
    /// Resolves `nslookup NAME` (the cluster's DNS), when the cluster has one.
    pub nslookup: Option<&'p Lookup<'p>>,
}

/// Where a command's output goes while it runs.
#[derive(Default)]
struct Io {
    out: String,
    err: String,
}

impl Io {
    fn out(&mut self, s: &str) {
        if self.out.len() + s.len() <= MAX_OUTPUT {
            self.out.push_str(s);
        }
    }
    /// A message line.
    fn err(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.err_raw(s);
        if !s.ends_with('\n') {
            self.err.push('\n');
        }
    }
    /// Standard error passed on as it is.
    fn err_raw(&mut self, s: &str) {
        if self.err.len() + s.len() <= MAX_OUTPUT {
            self.err.push_str(s);
        }
    }
}

impl<'p, 'f> Shell<'p, 'f> {
    pub fn new(proc: &'p mut Proc<'f>, kind: ShellKind) -> Shell<'p, 'f> {
        let mut vars = BTreeMap::new();
        vars.insert("HOSTNAME".to_string(), proc.hostname.clone());
        vars.insert("HOME".to_string(), "/root".to_string());
        vars.insert(
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        );
        Shell {
            proc,
            kind,
            cwd: "/".into(),
            vars,
            status: 0,
            commands: 0,
            depth: 0,
            exited: None,
            line: 1,
            nslookup: None,
        }
    }

    fn prefix(&self) -> String {
        match self.kind {
            ShellKind::Dash => format!("sh: {}: ", self.line),
            ShellKind::Ash => "sh: ".into(),
            ShellKind::Bash => format!("bash: line {}: ", self.line),
        }
    }

    /// Runs a script (`sh -c SCRIPT`).
    pub fn run_script(&mut self, script: &str) -> Outcome {
        let mut io = Io::default();
        let code = self.script(script, "", &mut io);
        Outcome {
            stdout: io.out,
            stderr: io.err,
            code,
        }
    }

    /// Runs one command without a shell (`kubectl exec POD -- cat /x`); `None` when the program
    /// does not exist.
    pub fn run_argv(&mut self, argv: &[String]) -> Option<Outcome> {
        let mut io = Io::default();
        let name = argv.first()?;
        if !self.known(name) {
            return None;
        }
        let code = self.command(argv, "", &mut io);
        Some(Outcome {
            stdout: io.out,
            stderr: io.err,
            code,
        })
    }

    fn script(&mut self, script: &str, stdin: &str, io: &mut Io) -> i32 {
        let list = match parse(script) {
            Ok(l) => l,
            Err((e, line)) => {
                io.err(&syntax_message(self.kind, &e, line));
                self.status = 2;
                return 2;
            }
        };
        for (join, pipeline) in list {
            if self.exited.is_some() {
                break;
            }
            let run = match join {
                Join::Seq => true,
                Join::And => self.status == 0,
                Join::Or => self.status != 0,
            };
            if !run {
                continue;
            }
            self.status = self.pipeline(&pipeline, stdin, io);
        }
        self.exited.unwrap_or(self.status)
    }

    fn pipeline(&mut self, p: &Pipeline, stdin: &str, io: &mut Io) -> i32 {
        let mut input = stdin.to_string();
        let mut code = 0;
        for (i, cmd) in p.iter().enumerate() {
            let last = i + 1 == p.len();
            let mut sub = Io::default();
            code = self.simple(cmd, &input, &mut sub);
            io.err_raw(&sub.err);
            if last {
                io.out(&sub.out);
            } else {
                input = sub.out;
            }
            if self.exited.is_some() {
                break;
            }
        }
        code
    }

    fn expand_word(&mut self, w: &Word, io: &mut Io) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut have = false;
        for part in w {
            match part {
                Part::Lit(s) | Part::Quoted(s) => {
                    cur.push_str(s);
                    have = true;
                }
                Part::Var(name, quoted) => {
                    let v = self.var(name);
                    self.splice(&v, *quoted, &mut cur, &mut fields, &mut have);
                }
                Part::Subst(script, quoted) => {
                    let v = self.substitute(script, io);
                    self.splice(&v, *quoted, &mut cur, &mut fields, &mut have);
                }
            }
        }
        if have || !cur.is_empty() {
            fields.push(cur);
        }
        fields
    }

    fn splice(
        &self,
        v: &str,
        quoted: bool,
        cur: &mut String,
        fields: &mut Vec<String>,
        have: &mut bool,
    ) {
        if quoted {
            cur.push_str(v);
            *have = true;
            return;
        }
        let mut pieces = v.split_whitespace().peekable();
        if v.starts_with(char::is_whitespace) && (*have || !cur.is_empty()) {
            fields.push(std::mem::take(cur));
            *have = false;
        }
        while let Some(p) = pieces.next() {
            cur.push_str(p);
            *have = true;
            if pieces.peek().is_some() {
                fields.push(std::mem::take(cur));
            }
        }
        if v.ends_with(char::is_whitespace) && !v.trim().is_empty() {
            fields.push(std::mem::take(cur));
            *have = false;
        }
    }

    fn var(&self, name: &str) -> String {
        if name == "?" {
            return self.status.to_string();
        }
        if name == "PWD" {
            return self.cwd.clone();
        }
        self.vars.get(name).cloned().unwrap_or_default()
    }

    fn substitute(&mut self, script: &str, io: &mut Io) -> String {
        if self.depth >= MAX_DEPTH {
            io.err(&format!(
                "{}command substitution nested too deeply",
                self.prefix()
            ));
            return String::new();
        }
        self.depth += 1;
        let saved_exit = self.exited.take();
        let saved_line = self.line;
        let mut sub = Io::default();
        self.script(script, "", &mut sub);
        self.exited = saved_exit;
        self.line = saved_line;
        self.depth -= 1;
        io.err_raw(&sub.err);
        sub.out.trim_end_matches('\n').to_string()
    }

    fn path(&self, p: &str) -> String {
        normalize(&self.cwd, p)
    }

    fn simple(&mut self, cmd: &Simple, stdin: &str, io: &mut Io) -> i32 {
        self.commands += 1;
        self.line = cmd.line;
        if self.commands > MAX_COMMANDS {
            io.err(&format!("{}too many commands", self.prefix()));
            self.exited = Some(2);
            return 2;
        }
        let mut argv: Vec<String> = Vec::new();
        for w in &cmd.words {
            argv.extend(self.expand_word(w, io));
        }
        // Leading NAME=value assignments.
        let mut assigned = 0;
        for a in &argv {
            match a.split_once('=') {
                Some((n, _))
                    if !n.is_empty()
                        && n.chars().all(is_name_char)
                        && !n.starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    assigned += 1
                }
                _ => break,
            }
        }
        if assigned == argv.len() {
            for a in &argv {
                if let Some((n, v)) = a.split_once('=') {
                    self.vars.insert(n.to_string(), v.to_string());
                }
            }
            if cmd.redirs.is_empty() {
                return 0;
            }
        }
        let argv = argv[assigned.min(argv.len())..].to_vec();
        // Redirections, opened in order before the command runs.
        let mut out_to: Option<(String, bool)> = None;
        let mut err_to: Option<(String, bool)> = None;
        let mut err_to_out = false;
        let mut input = stdin.to_string();
        for r in &cmd.redirs {
            match r {
                Redir::Out(w, append) | Redir::Err(w, append) => {
                    let target = self.expand_word(w, io).join(" ");
                    let is_out = matches!(r, Redir::Out(..));
                    if target != "/dev/null" && target != "/dev/stdout" && target != "/dev/stderr" {
                        let p = self.path(&target);
                        let opened = if *append {
                            self.proc.write(&p, "", true)
                        } else {
                            self.proc.write(&p, "", false)
                        };
                        if let Err(e) = opened {
                            io.err(&self.cannot_create(&target, e));
                            return if self.kind == ShellKind::Dash { 2 } else { 1 };
                        }
                    }
                    let slot = (target, *append);
                    if is_out {
                        out_to = Some(slot);
                    } else {
                        err_to = Some(slot);
                    }
                }
                Redir::ErrToOut => err_to_out = true,
                Redir::In(w) => {
                    let target = self.expand_word(w, io).join(" ");
                    match self.proc.read(&self.path(&target)) {
                        Ok(s) => input = s,
                        Err(e) => {
                            io.err(&self.cannot_open(&target, e));
                            return if self.kind == ShellKind::Dash { 2 } else { 1 };
                        }
                    }
                }
            }
        }
        let mut sub = Io::default();
        let code = if argv.is_empty() {
            0
        } else {
            self.command(&argv, &input, &mut sub)
        };
        if err_to_out {
            let e = std::mem::take(&mut sub.err);
            sub.out.push_str(&e);
        }
        for (slot, text, is_out) in [(out_to, sub.out, true), (err_to, sub.err, false)] {
            match slot {
                Some((t, _)) if t == "/dev/null" => {}
                Some((t, _)) if t == "/dev/stdout" => io.out(&text),
                Some((t, _)) if t == "/dev/stderr" => io.err_raw(&text),
                Some((t, _)) => {
                    let p = self.path(&t);
                    if let Err(e) = self.proc.write(&p, &text, true) {
                        io.err(&format!("{}write error: {}", self.prefix(), e.text()));
                    }
                }
                None if is_out => io.out(&text),
                None => io.err_raw(&text),
            }
        }
        code
    }

    fn cannot_create(&self, target: &str, e: FsError) -> String {
        match (self.kind, e) {
            (ShellKind::Dash, FsError::NotFound) => {
                format!(
                    "{}cannot create {target}: Directory nonexistent",
                    self.prefix()
                )
            }
            (ShellKind::Dash, e) => {
                format!("{}cannot create {target}: {}", self.prefix(), e.text())
            }
            (ShellKind::Ash, FsError::NotFound) => {
                format!("sh: can't create {target}: nonexistent directory")
            }
            (ShellKind::Ash, e) => format!("sh: can't create {target}: {}", e.text()),
            (ShellKind::Bash, e) => format!("{}{target}: {}", self.prefix(), e.text()),
        }
    }

    fn cannot_open(&self, target: &str, e: FsError) -> String {
        match (self.kind, e) {
            (ShellKind::Dash, FsError::NotFound) => {
                format!("{}cannot open {target}: No such file", self.prefix())
            }
            (ShellKind::Dash, e) => format!("{}cannot open {target}: {}", self.prefix(), e.text()),
            (ShellKind::Ash, e) => format!("sh: can't open '{target}': {}", e.text()),
            (ShellKind::Bash, e) => format!("{}{target}: {}", self.prefix(), e.text()),
        }
    }

    /// The program a name runs (`/bin/cat` → `cat`), if the image has it.
    fn program<'a>(&self, name: &'a str) -> Option<&'a str> {
        let base = match name.rsplit_once('/') {
            Some(("/bin" | "/usr/bin" | "/sbin" | "/usr/sbin" | "/usr/local/bin", b)) => b,
            Some(_) => return None,
            None => name,
        };
        let debian = self.proc.flavour == Flavour::Debian;
        let ok = match base {
            "echo" | "cat" | "ls" | "hostname" | "rm" | "mkdir" | "touch" | "test" | "["
            | "true" | "false" | "pwd" | "sleep" | "whoami" | "wc" | "sh" => true,
            "bash" => debian,
            "curl" => self.proc.nginx.is_some() || debian,
            "nslookup" => self.nslookup.is_some() && !debian,
            _ => false,
        };
        ok.then_some(base)
    }

    fn known(&self, name: &str) -> bool {
        self.program(name).is_some()
    }

    fn command(&mut self, argv: &[String], stdin: &str, io: &mut Io) -> i32 {
        let name = argv[0].as_str();
        let args = &argv[1..];
        // Shell builtins.
        match name {
            "cd" => return self.cd(args, io),
            "exit" => {
                let code = args
                    .first()
                    .map(|a| a.parse::<i64>().map(|n| (n & 0xff) as i32).unwrap_or(2))
                    .unwrap_or(self.status);
                self.exited = Some(code);
                return code;
            }
            "pwd" => {
                io.out(&format!("{}\n", self.cwd));
                return 0;
            }
            "echo" => return self.echo(args, io),
            "true" | ":" => return 0,
            "false" => return 1,
            "test" => return self.test(args, io, false),
            "[" => return self.test(args, io, true),
            _ => {}
        }
        let Some(prog) = self.program(name) else {
            io.err(&match self.kind {
                ShellKind::Dash => format!("{}{name}: not found", self.prefix()),
                ShellKind::Ash => format!("sh: {name}: not found"),
                ShellKind::Bash => format!("{}{name}: command not found", self.prefix()),
            });
            return 127;
        };
        let debian = self.proc.flavour == Flavour::Debian;
        match prog {
            "cat" => self.cat(args, stdin, io),
            "ls" => self.ls(args, io),
            "hostname" => {
                let v = if args.first().is_some_and(|a| a == "-i") {
                    self.proc.pod_ip.clone()
                } else {
                    self.proc.hostname.clone()
                };
                io.out(&format!("{v}\n"));
                0
            }
            "rm" => self.rm(args, io),
            "mkdir" => self.mkdir(args, io),
            "touch" => self.touch(args, io),
            "sleep" | "true" => 0,
            "whoami" => {
                io.out("root\n");
                0
            }
            "wc" => {
                let n = stdin.matches('\n').count();
                if args.iter().any(|a| a == "-l") {
                    io.out(&format!("{n}\n"));
                } else {
                    let words = stdin.split_whitespace().count();
                    if debian {
                        io.out(&format!("{n} {words} {}\n", stdin.len()));
                    } else {
                        io.out(&format!("{n:>9} {words:>9} {:>9}\n", stdin.len()));
                    }
                }
                0
            }
            "sh" | "bash" => self.nested_shell(prog, args, io),
            "curl" => self.curl(args, io),
            "nslookup" => match (self.nslookup, args.first()) {
                (Some(f), Some(n)) => {
                    let (out, code) = f(n);
                    io.out(&out);
                    code
                }
                _ => {
                    io.err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup HOST [DNS_SERVER]");
                    1
                }
            },
            _ => 0,
        }
    }

    fn nested_shell(&mut self, prog: &str, args: &[String], io: &mut Io) -> i32 {
        match args.split_first() {
            Some((c, rest)) if c == "-c" => {
                let Some(script) = rest.first() else {
                    io.err(&format!("{prog}: -c: option requires an argument"));
                    return 2;
                };
                let saved = self.kind;
                self.kind = match (prog, self.proc.flavour) {
                    ("bash", _) => ShellKind::Bash,
                    (_, Flavour::Debian) => ShellKind::Dash,
                    _ => ShellKind::Ash,
                };
                let saved_exit = self.exited.take();
                let saved_cwd = self.cwd.clone();
                let code = self.script(script, "", io);
                self.exited = saved_exit;
                self.cwd = saved_cwd;
                self.kind = saved;
                code
            }
            _ => {
                io.err(&format!(
                    "{prog}: kubeplay runs shells only as `{prog} -c 'COMMANDS'` (there is no interactive terminal)"
                ));
                2
            }
        }
    }

    fn cd(&mut self, args: &[String], io: &mut Io) -> i32 {
        let target = args.first().cloned().unwrap_or_else(|| "/root".into());
        let p = self.path(&target);
        if self.proc.is_dir(&p) {
            self.cwd = p;
            return 0;
        }
        let why = if self.proc.exists(&p) {
            FsError::NotDir
        } else {
            FsError::NotFound
        };
        io.err(&match self.kind {
            ShellKind::Dash => format!("{}cd: can't cd to {target}", self.prefix()),
            ShellKind::Ash => format!("sh: cd: can't cd to {target}: {}", why.text()),
            ShellKind::Bash => format!("{}cd: {target}: {}", self.prefix(), why.text()),
        });
        if self.kind == ShellKind::Dash {
            2
        } else {
            1
        }
    }

    fn echo(&mut self, args: &[String], io: &mut Io) -> i32 {
        let mut newline = true;
        let mut escapes = self.kind == ShellKind::Dash;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-n" => newline = false,
                "-e" if self.kind != ShellKind::Dash => escapes = true,
                "-E" if self.kind != ShellKind::Dash => escapes = false,
                _ => break,
            }
            i += 1;
        }
        let mut text = args[i..].join(" ");
        if escapes {
            let mut out = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('\\') => out.push('\\'),
                    Some('c') => {
                        newline = false;
                        break;
                    }
                    Some(o) => {
                        out.push('\\');
                        out.push(o);
                    }
                    None => out.push('\\'),
                }
            }
            text = out;
        }
        if newline {
            text.push('\n');
        }
        io.out(&text);
        0
    }

    fn test(&mut self, args: &[String], io: &mut Io, bracket: bool) -> i32 {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        if bracket {
            if args.last() != Some(&"]") {
                io.err(&match self.kind {
                    ShellKind::Dash => format!("{}[: missing ]", self.prefix()),
                    ShellKind::Ash => "sh: missing ]".to_string(),
                    ShellKind::Bash => format!("{}[: missing `]'", self.prefix()),
                });
                return 2;
            }
            args.pop();
        }
        let mut negate = false;
        if args.first() == Some(&"!") {
            negate = true;
            args.remove(0);
        }
        let ok = match args.as_slice() {
            [] => false,
            [s] => !s.is_empty(),
            ["-n", s] => !s.is_empty(),
            ["-z", s] => s.is_empty(),
            [op @ ("-f" | "-d" | "-e" | "-s"), p] => {
                let p = self.path(p);
                match *op {
                    "-f" => self.proc.exists(&p) && !self.proc.is_dir(&p),
                    "-d" => self.proc.is_dir(&p),
                    "-e" => self.proc.exists(&p),
                    _ => self.proc.exists(&p) && self.proc.size(&p) > 0,
                }
            }
            [a, "=", b] | [a, "==", b] => a == b,
            [a, "!=", b] => a != b,
            _ => {
                io.err(&format!("{}test: unknown operand", self.prefix()));
                return 2;
            }
        };
        i32::from(ok == negate)
    }

    /// `cat: can't open 'x': …` (busybox) or `cat: x: …` (coreutils).
    fn tool_error(&self, tool: &str, verb: &str, target: &str, e: FsError) -> String {
        match self.proc.flavour {
            Flavour::Busybox => match (tool, verb) {
                ("cat", _) if e == FsError::IsDir => "cat: read error: Is a directory".into(),
                ("cat", _) => format!("cat: can't open '{target}': {}", e.text()),
                ("ls", _) | ("touch", _) => format!("{tool}: {target}: {}", e.text()),
                _ => format!("{tool}: can't {verb} '{target}': {}", e.text()),
            },
            Flavour::Debian => match (tool, verb) {
                ("cat", _) => format!("cat: {target}: {}", e.text()),
                ("ls", _) => format!("ls: cannot access '{target}': {}", e.text()),
                _ => format!("{tool}: cannot {verb} '{target}': {}", e.text()),
            },
        }
    }

    fn bad_option(&self, tool: &str, opt: char, io: &mut Io) -> i32 {
        match self.proc.flavour {
            Flavour::Debian => {
                io.err(&format!(
                    "{tool}: invalid option -- '{opt}'\nTry '{tool} --help' for more information."
                ));
                if tool == "ls" {
                    2
                } else {
                    1
                }
            }
            Flavour::Busybox => {
                io.err(&format!("{tool}: unrecognized option: {opt}\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."));
                1
            }
        }
    }

    /// Splits `-rf`-style options (from a set) from operands.
    fn options(
        &self,
        tool: &str,
        args: &[String],
        allowed: &str,
        io: &mut Io,
    ) -> Result<(String, Vec<String>), i32> {
        let mut opts = String::new();
        let mut rest = Vec::new();
        let mut done = false;
        for a in args {
            if !done && a == "--" {
                done = true;
            } else if !done && a.len() > 1 && a.starts_with('-') && !a.starts_with("--") {
                for c in a[1..].chars() {
                    if !allowed.contains(c) {
                        return Err(self.bad_option(tool, c, io));
                    }
                    opts.push(c);
                }
            } else {
                rest.push(a.clone());
            }
        }
        Ok((opts, rest))
    }

    fn cat(&mut self, args: &[String], stdin: &str, io: &mut Io) -> i32 {
        let (_, files) = match self.options("cat", args, "uAnvE", io) {
            Ok(x) => x,
            Err(c) => return c,
        };
        if files.is_empty() {
            io.out(stdin);
            return 0;
        }
        let mut code = 0;
        for f in &files {
            if f == "-" {
                io.out(stdin);
                continue;
            }
            match self.proc.read(&self.path(f)) {
                Ok(s) => io.out(&s),
                Err(e) => {
                    io.err(&self.tool_error("cat", "open", f, e));
                    code = 1;
                }
            }
        }
        code
    }

    fn ls(&mut self, args: &[String], io: &mut Io) -> i32 {
        let (opts, mut targets) = match self.options("ls", args, "la1AhF", io) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let long = opts.contains('l');
        let all = opts.contains('a');
        if targets.is_empty() {
            targets.push(".".into());
        }
        let mut code = 0;
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for t in &targets {
            let p = self.path(t);
            if !self.proc.exists(&p) {
                io.err(&self.tool_error("ls", "access", t, FsError::NotFound));
                code = if self.proc.flavour == Flavour::Debian {
                    2
                } else {
                    1
                };
            } else if self.proc.is_dir(&p) {
                dirs.push((t.clone(), p));
            } else {
                files.push(super::Listed {
                    name: t.clone(),
                    dir: false,
                    size: self.proc.size(&p),
                    mtime: self.proc.mtime(&p),
                });
            }
        }
        let mut sections = Vec::new();
        if !files.is_empty() {
            sections.push(self.format_listing(&files, long, false));
        }
        let headers = targets.len() > 1;
        for (t, p) in dirs {
            let mut entries = self.proc.list(&p).unwrap_or_default();
            if !all {
                entries.retain(|e| !e.name.starts_with('.'));
            } else {
                let dot = |n: &str| super::Listed {
                    name: n.into(),
                    dir: true,
                    size: 4096,
                    mtime: self.proc.now,
                };
                entries.insert(0, dot(".."));
                entries.insert(0, dot("."));
            }
            let body = self.format_listing(&entries, long, true);
            sections.push(if headers {
                format!("{t}:\n{body}")
            } else {
                body
            });
        }
        io.out(&sections.join("\n"));
        code
    }

    fn format_listing(&self, entries: &[super::Listed], long: bool, total: bool) -> String {
        if !long {
            return entries.iter().map(|e| format!("{}\n", e.name)).collect();
        }
        let stamp = |e: &super::Listed| {
            // "Thu, 01 Jan 2026 00:05:00 +0000" → "Jan  1 00:05".
            let r = e.mtime.rfc1123z();
            let parts: Vec<&str> = r.split_whitespace().collect();
            let day: u32 = parts.get(1).and_then(|d| d.parse().ok()).unwrap_or(1);
            let month = parts.get(2).copied().unwrap_or("Jan");
            let hm = parts
                .get(4)
                .map(|t| &t[..t.len().min(5)])
                .unwrap_or("00:00");
            format!("{month} {day:>2} {hm}")
        };
        let mode = |e: &super::Listed| if e.dir { "drwxr-xr-x" } else { "-rw-r--r--" };
        let links = |e: &super::Listed| if e.dir { 2 } else { 1 };
        let mut out = String::new();
        if total {
            let blocks: usize = entries
                .iter()
                .map(|e| if e.dir { 4 } else { e.size.div_ceil(4096) * 4 })
                .sum();
            out.push_str(&format!("total {blocks}\n"));
        }
        match self.proc.flavour {
            Flavour::Debian => {
                let sw = entries
                    .iter()
                    .map(|e| e.size.to_string().len())
                    .max()
                    .unwrap_or(1);
                for e in entries {
                    out.push_str(&format!(
                        "{} {} root root {:>sw$} {} {}\n",
                        mode(e),
                        links(e),
                        e.size,
                        stamp(e),
                        e.name
                    ));
                }
            }
            Flavour::Busybox => {
                for e in entries {
                    out.push_str(&format!(
                        "{} {:>4} root     root     {:>9} {} {}\n",
                        mode(e),
                        links(e),
                        e.size,
                        stamp(e),
                        e.name
                    ));
                }
            }
        }
        out
    }

    fn rm(&mut self, args: &[String], io: &mut Io) -> i32 {
        let (opts, targets) = match self.options("rm", args, "frRiv", io) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let force = opts.contains('f');
        let recursive = opts.contains('r') || opts.contains('R');
        if targets.is_empty() && !force {
            io.err(match self.proc.flavour {
                Flavour::Debian => "rm: missing operand\nTry 'rm --help' for more information.",
                Flavour::Busybox => "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: rm [-irf] FILE...",
            });
            return 1;
        }
        let mut code = 0;
        for t in &targets {
            match self.proc.remove(&self.path(t), recursive) {
                Ok(()) => {}
                Err(FsError::NotFound) if force => {}
                Err(e) => {
                    io.err(&self.tool_error("rm", "remove", t, e));
                    code = 1;
                }
            }
        }
        code
    }

    fn mkdir(&mut self, args: &[String], io: &mut Io) -> i32 {
        let (opts, targets) = match self.options("mkdir", args, "pv", io) {
            Ok(x) => x,
            Err(c) => return c,
        };
        if targets.is_empty() {
            io.err(match self.proc.flavour {
                Flavour::Debian => {
                    "mkdir: missing operand\nTry 'mkdir --help' for more information."
                }
                Flavour::Busybox => "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: mkdir [-m MODE] [-p] DIRECTORY...",
            });
            return 1;
        }
        let mut code = 0;
        for t in &targets {
            if let Err(e) = self.proc.mkdir(&self.path(t), opts.contains('p')) {
                io.err(&self.tool_error("mkdir", "create directory", t, e));
                code = 1;
            }
        }
        code
    }

    fn touch(&mut self, args: &[String], io: &mut Io) -> i32 {
        let (_, targets) = match self.options("touch", args, "acm", io) {
            Ok(x) => x,
            Err(c) => return c,
        };
        if targets.is_empty() {
            io.err("touch: missing file operand\nTry 'touch --help' for more information.");
            return 1;
        }
        let mut code = 0;
        for t in &targets {
            if let Err(e) = self.proc.touch(&self.path(t)) {
                io.err(&self.tool_error("touch", "touch", t, e));
                code = 1;
            }
        }
        code
    }

    /// `curl URL`: nginx on localhost serves `/usr/share/nginx/html`, through this container's
    /// mounts; nothing else is reachable yet.
    fn curl(&mut self, args: &[String], io: &mut Io) -> i32 {
        let mut fail = false;
        let mut silent = false;
        let mut show_error = false;
        let mut url = None;
        for a in args {
            if let Some(flags) = a.strip_prefix('-').filter(|f| !f.starts_with('-')) {
                for c in flags.chars() {
                    match c {
                        'f' => fail = true,
                        's' => silent = true,
                        'S' => show_error = true,
                        'L' | 'v' | 'k' => {}
                        other => {
                            io.err(&format!("curl: option -{other}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information"));
                            return 2;
                        }
                    }
                }
            } else if a.starts_with("--") {
                match a.as_str() {
                    "--fail" => fail = true,
                    "--silent" => silent = true,
                    "--show-error" => show_error = true,
                    _ => {}
                }
            } else {
                url = Some(a.clone());
            }
        }
        let report = !silent || show_error;
        let Some(url) = url else {
            io.err("curl: try 'curl --help' or 'curl --manual' for more information");
            return 2;
        };
        let rest = url.strip_prefix("http://").unwrap_or(&url);
        if url.contains("://") && !url.starts_with("http://") {
            if report {
                let scheme = url.split("://").next().unwrap_or("");
                io.err(&format!("curl: (1) Protocol \"{scheme}\" not supported"));
            }
            return 1;
        }
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().unwrap_or(0)),
            None => (hostport, 80),
        };
        let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]")
            || host == self.proc.hostname
            || host == self.proc.pod_ip;
        if !local {
            if report {
                io.err(&format!("curl: (6) Could not resolve host: {host}"));
            }
            return 6;
        }
        let Some(server) = self.proc.nginx.clone().filter(|_| port == 80) else {
            if report {
                io.err(&format!("curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"));
            }
            return 7;
        };
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let root = "/usr/share/nginx/html";
        let file = normalize(root, &format!(".{path}"));
        let (status, body) = if path.ends_with('/') {
            let index = normalize(&file, "index.html");
            match self.proc.read(&index) {
                Ok(s) => (200, s),
                Err(_) if self.proc.is_dir(&file) => {
                    (403, images::nginx_error_page("403 Forbidden", &server))
                }
                Err(_) => (404, images::nginx_error_page("404 Not Found", &server)),
            }
        } else if self.proc.is_dir(&file) {
            (
                301,
                images::nginx_error_page("301 Moved Permanently", &server),
            )
        } else {
            match self.proc.read(&file) {
                Ok(s) => (200, s),
                Err(_) => (404, images::nginx_error_page("404 Not Found", &server)),
            }
        };
        if fail && status >= 400 {
            if report {
                io.err(&format!(
                    "curl: (22) The requested URL returned error: {status}"
                ));
            }
            return 22;
        }
        io.out(&body);
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_redirections() {
        let l = parse("echo a > /x; cat /x && rm /x || echo no").unwrap();
        assert_eq!(l.len(), 4);
        assert_eq!(l[1].0, Join::Seq);
        assert_eq!(l[2].0, Join::And);
        assert_eq!(l[3].0, Join::Or);
        assert!(matches!(l[0].1[0].redirs[0], Redir::Out(_, false)));
        assert!(parse("echo 'a").is_err());
        assert!(parse("&& echo").is_err());
        assert!(parse("echo a &&").is_err());
        assert!(parse("echo $(hostname").is_err());
    }

    #[test]
    fn dash_and_ash_word_their_syntax_errors() {
        assert_eq!(
            syntax_message(ShellKind::Dash, &Syntax::Unterminated('\''), 1),
            "sh: 1: Syntax error: Unterminated quoted string"
        );
        assert_eq!(
            syntax_message(ShellKind::Ash, &Syntax::Unterminated('"'), 1),
            "sh: syntax error: unterminated quoted string"
        );
    }
}
