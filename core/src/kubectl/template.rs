//! `-o jsonpath=…` and `-o go-template=…` / `--template=…`: kubectl's two template printers,
//! over the object's JSON (a `List` when several objects are printed).
//!
//! JSONPath: text with `{…}` expressions — `.a.b`, `['a']`, `[0]`, `[-1]`, `[*]`, `[1:3]`,
//! `..name`, `[?(@.type=="Ready")]`, `{range …}…{end}` and `{"\n"}` literals; several results
//! print space-separated, and a missing key prints nothing (kubectl's
//! `--allow-missing-template-keys=true`).
//!
//! Go templates: text with `{{…}}` actions — `.a.b`, `$var.a`, `{{range [$i, $c :=] PIPE}}`,
//! `{{if PIPE}}…{{else}}…{{end}}`, `{{index PIPE "key"}}`, `{{len PIPE}}` and string literals;
//! a missing key prints `<no value>` as Go's `text/template` does.

use serde_json::Value;

/// Runs a JSONPath template (`{.metadata.name}`) over a value.
pub fn jsonpath(template: &str, data: &Value) -> Result<String, String> {
    let nodes = parse_jsonpath(template)
        .map_err(|e| format!("error: error parsing jsonpath {template}, {e}"))?;
    let mut out = String::new();
    run_jsonpath(&nodes, data, data, &mut out)
        .map_err(|e| format!("error: error executing jsonpath {template:?}: {e}"))?;
    Ok(out)
}

#[derive(Debug, Clone)]
enum JpNode {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<JpNode>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Root,
    Current,
    Field(String),
    Recursive(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    All,
    Filter(Vec<Step>, Option<(String, Value)>),
}

fn parse_jsonpath(t: &str) -> Result<Vec<JpNode>, String> {
    // Split into text and `{…}` actions, then nest ranges.
    let mut flat: Vec<Result<String, String>> = Vec::new(); // Ok = text, Err = action
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            flat.push(Ok(rest[..open].to_string()));
        }
        let body = &rest[open + 1..];
        let close = matching_brace(body).ok_or("unclosed action")?;
        flat.push(Err(body[..close].trim().to_string()));
        rest = &body[close + 1..];
    }
    if !rest.is_empty() {
        flat.push(Ok(rest.to_string()));
    }
    let mut stack: Vec<(Vec<Step>, Vec<JpNode>)> = vec![(Vec::new(), Vec::new())];
    for part in flat {
        match part {
            Ok(text) => stack
                .last_mut()
                .ok_or("bad template")?
                .1
                .push(JpNode::Text(text)),
            Err(action) => {
                if let Some(r) = action.strip_prefix("range ") {
                    stack.push((parse_path(r.trim())?, Vec::new()));
                } else if action == "end" {
                    if stack.len() < 2 {
                        return Err("not in range, nothing to end".into());
                    }
                    let (path, body) = stack.pop().ok_or("bad template")?;
                    stack
                        .last_mut()
                        .ok_or("bad template")?
                        .1
                        .push(JpNode::Range(path, body));
                } else if let Some(lit) = string_literal(&action) {
                    stack
                        .last_mut()
                        .ok_or("bad template")?
                        .1
                        .push(JpNode::Text(lit));
                } else {
                    let p = parse_path(&action)?;
                    stack
                        .last_mut()
                        .ok_or("bad template")?
                        .1
                        .push(JpNode::Path(p));
                }
            }
        }
    }
    if stack.len() != 1 {
        return Err("unclosed range".into());
    }
    Ok(stack.pop().map(|(_, n)| n).unwrap_or_default())
}

/// The index of the `}` closing an action, skipping quoted strings.
fn matching_brace(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(_), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '}') => return Some(i),
            _ => {}
        }
        escaped = false;
    }
    None
}

/// `"\n"` or `'text'` → the text, with `\n`, `\t` and `\\` escapes.
fn string_literal(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn parse_path(p: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let b = p.as_bytes();
    let mut i = 0;
    let ident_end = |from: usize| {
        let mut j = from;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b"_-/".contains(&b[j])) {
            j += 1;
        }
        j
    };
    while i < b.len() {
        match b[i] {
            b'$' => {
                steps.push(Step::Root);
                i += 1;
            }
            b'@' => {
                steps.push(Step::Current);
                i += 1;
            }
            b'.' if b.get(i + 1) == Some(&b'.') => {
                let end = ident_end(i + 2);
                steps.push(Step::Recursive(p[i + 2..end].to_string()));
                i = end;
            }
            b'.' => {
                let end = ident_end(i + 1);
                if end > i + 1 {
                    steps.push(Step::Field(p[i + 1..end].to_string()));
                }
                i = end;
            }
            b'[' => {
                let close = find_bracket(&p[i..]).ok_or("unterminated [")? + i;
                let inner = p[i + 1..close].trim();
                steps.push(parse_bracket(inner)?);
                i = close + 1;
            }
            b' ' => i += 1,
            _ => {
                let end = ident_end(i);
                if end == i {
                    return Err(format!(
                        "unrecognized character in action: {:?}",
                        b[i] as char
                    ));
                }
                steps.push(Step::Field(p[i..end].to_string()));
                i = end;
            }
        }
    }
    Ok(steps)
}

fn find_bracket(s: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn parse_bracket(inner: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::All);
    }
    if let Some(lit) = string_literal(inner) {
        return Ok(Step::Field(lit));
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|x| x.strip_suffix(')')) {
        for op in ["==", "!="] {
            if let Some((l, r)) = f.split_once(op) {
                let want = match string_literal(r) {
                    Some(s) => Value::String(s),
                    None => serde_json::from_str(r.trim())
                        .map_err(|_| format!("unrecognized filter value {r:?}"))?,
                };
                let key = if op == "==" { "==" } else { "!=" };
                return Ok(Step::Filter(
                    parse_path(l.trim())?,
                    Some((key.to_string(), want)),
                ));
            }
        }
        return Ok(Step::Filter(parse_path(f.trim())?, None));
    }
    if let Some((a, b)) = inner.split_once(':') {
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("invalid array index {s:?}"))
            }
        };
        let b = b.split(':').next().unwrap_or_default();
        return Ok(Step::Slice(num(a)?, num(b)?));
    }
    inner
        .parse()
        .map(Step::Index)
        .map_err(|_| format!("invalid array index {inner:?}"))
}

fn eval_steps<'a>(steps: &[Step], root: &'a Value, cur: &'a Value) -> Vec<&'a Value> {
    let mut vals: Vec<&Value> = vec![cur];
    for s in steps {
        let mut next = Vec::new();
        for v in vals {
            match s {
                Step::Root => next.push(root),
                Step::Current => next.push(v),
                Step::Field(f) => {
                    if let Some(x) = v.get(f) {
                        next.push(x);
                    }
                }
                Step::Recursive(f) => collect_recursive(v, f, &mut next),
                Step::Index(i) => {
                    if let Some(a) = v.as_array() {
                        let at = if *i < 0 { a.len() as i64 + i } else { *i };
                        if let Some(x) = usize::try_from(at).ok().and_then(|at| a.get(at)) {
                            next.push(x);
                        }
                    }
                }
                Step::Slice(from, to) => {
                    if let Some(a) = v.as_array() {
                        let len = a.len() as i64;
                        let norm =
                            |x: i64| (if x < 0 { len + x } else { x }).clamp(0, len) as usize;
                        let (f, t) = (norm(from.unwrap_or(0)), norm(to.unwrap_or(len)));
                        if f < t {
                            next.extend(a[f..t].iter());
                        }
                    }
                }
                Step::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Filter(path, cmp) => {
                    if let Some(a) = v.as_array() {
                        for item in a {
                            let got = eval_steps(path, root, item);
                            let keep = match cmp {
                                None => !got.is_empty(),
                                Some((op, want)) => {
                                    let eq = got.first().is_some_and(|g| *g == want);
                                    if op == "==" {
                                        eq
                                    } else {
                                        !eq
                                    }
                                }
                            };
                            if keep {
                                next.push(item);
                            }
                        }
                    }
                }
            }
        }
        vals = next;
    }
    vals
}

fn collect_recursive<'a>(v: &'a Value, f: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(f) {
                out.push(x);
            }
            for c in m.values() {
                collect_recursive(c, f, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_recursive(c, f, out)),
        _ => {}
    }
}

/// A value as kubectl's template printers print it: strings bare, everything else as JSON.
fn print_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn run_jsonpath(
    nodes: &[JpNode],
    root: &Value,
    cur: &Value,
    out: &mut String,
) -> Result<(), String> {
    for n in nodes {
        match n {
            JpNode::Text(t) => out.push_str(t),
            JpNode::Path(p) => {
                let vals = eval_steps(p, root, cur);
                out.push_str(
                    &vals
                        .iter()
                        .map(|v| print_value(v))
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
            JpNode::Range(p, body) => {
                for v in eval_steps(p, root, cur) {
                    run_jsonpath(body, root, v, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Runs a Go template (`{{.metadata.name}}`) over a value.
pub fn go_template(template: &str, data: &Value) -> Result<String, String> {
    let nodes = parse_go(template).map_err(|e| {
        format!("error: error parsing template {template}, template: output:1: {e}")
    })?;
    let mut out = String::new();
    let mut vars: Vec<(String, Value)> = vec![("$".into(), data.clone())];
    run_go(&nodes, data, &mut vars, &mut out).map_err(|e| {
        format!("error: error executing template {template:?}: template: output:1: {e}")
    })?;
    Ok(out)
}

#[derive(Debug, Clone)]
enum GoNode {
    Text(String),
    Print(Pipe),
    Range {
        vars: Vec<String>,
        pipe: Pipe,
        body: Vec<GoNode>,
        otherwise: Vec<GoNode>,
    },
    If {
        pipe: Pipe,
        then: Vec<GoNode>,
        otherwise: Vec<GoNode>,
    },
}

/// A pipeline, limited to one command: a value, or `index`/`len` applied to values.
#[derive(Debug, Clone)]
enum Pipe {
    Value(Operand),
    Index(Operand, Vec<Operand>),
    Len(Operand),
}

#[derive(Debug, Clone)]
enum Operand {
    Dot(Vec<String>),
    Var(String, Vec<String>),
    Str(String),
    Num(i64),
}

fn parse_go(t: &str) -> Result<Vec<GoNode>, String> {
    let mut tokens: Vec<Result<String, String>> = Vec::new(); // Ok text, Err action
    let mut rest = t;
    while let Some(open) = rest.find("{{") {
        let mut text = &rest[..open];
        let mut body = &rest[open + 2..];
        if let Some(b) = body.strip_prefix('-') {
            text = text.trim_end();
            body = b;
        }
        if !text.is_empty() {
            tokens.push(Ok(text.to_string()));
        }
        let close = body.find("}}").ok_or("unclosed action")?;
        let mut action = &body[..close];
        rest = &body[close + 2..];
        if let Some(a) = action.strip_suffix('-') {
            action = a;
            rest = rest.trim_start();
        }
        tokens.push(Err(action.trim().to_string()));
    }
    if !rest.is_empty() {
        tokens.push(Ok(rest.to_string()));
    }
    let mut pos = 0;
    let (nodes, end) = parse_go_list(&tokens, &mut pos)?;
    match end.as_deref() {
        None => Ok(nodes),
        Some(e) => Err(format!("unexpected {{{{{e}}}}}")),
    }
}

/// Parses nodes until `{{end}}` or `{{else}}` (returned) or the end of input.
fn parse_go_list(
    tokens: &[Result<String, String>],
    pos: &mut usize,
) -> Result<(Vec<GoNode>, Option<String>), String> {
    let mut nodes = Vec::new();
    while let Some(tok) = tokens.get(*pos) {
        *pos += 1;
        match tok {
            Ok(text) => nodes.push(GoNode::Text(text.clone())),
            Err(a) if a == "end" || a == "else" => return Ok((nodes, Some(a.clone()))),
            Err(a) if a.starts_with("/*") => {}
            Err(a) => {
                if let Some(r) = a.strip_prefix("range ") {
                    let (vars, pipe) = match r.split_once(":=") {
                        Some((v, p)) => (
                            v.split(',').map(|x| x.trim().to_string()).collect(),
                            p.trim(),
                        ),
                        None => (Vec::new(), r.trim()),
                    };
                    if vars.len() > 2 || vars.iter().any(|v| !v.starts_with('$')) {
                        return Err(format!("range can only declare $index, $element: {r}"));
                    }
                    let pipe = parse_pipe(pipe)?;
                    let (body, end) = parse_go_list(tokens, pos)?;
                    let otherwise = match end.as_deref() {
                        Some("else") => expect_end(tokens, pos)?,
                        Some(_) => Vec::new(),
                        None => return Err("unexpected EOF in range".into()),
                    };
                    nodes.push(GoNode::Range {
                        vars,
                        pipe,
                        body,
                        otherwise,
                    });
                } else if let Some(c) = a.strip_prefix("if ") {
                    let pipe = parse_pipe(c.trim())?;
                    let (then, end) = parse_go_list(tokens, pos)?;
                    let otherwise = match end.as_deref() {
                        Some("else") => expect_end(tokens, pos)?,
                        Some(_) => Vec::new(),
                        None => return Err("unexpected EOF in if".into()),
                    };
                    nodes.push(GoNode::If {
                        pipe,
                        then,
                        otherwise,
                    });
                } else {
                    nodes.push(GoNode::Print(parse_pipe(a)?));
                }
            }
        }
    }
    Ok((nodes, None))
}

fn expect_end(tokens: &[Result<String, String>], pos: &mut usize) -> Result<Vec<GoNode>, String> {
    let (nodes, end) = parse_go_list(tokens, pos)?;
    match end.as_deref() {
        Some("end") => Ok(nodes),
        Some(other) => Err(format!("unexpected {{{{{other}}}}}")),
        None => Err("unexpected EOF".into()),
    }
}

fn parse_pipe(s: &str) -> Result<Pipe, String> {
    let words = go_words(s)?;
    match words.first().map(String::as_str) {
        Some("index") if words.len() >= 3 => Ok(Pipe::Index(
            parse_operand(&words[1])?,
            words[2..]
                .iter()
                .map(|w| parse_operand(w))
                .collect::<Result<_, _>>()?,
        )),
        Some("len") if words.len() == 2 => Ok(Pipe::Len(parse_operand(&words[1])?)),
        Some(w) if words.len() == 1 => Ok(Pipe::Value(parse_operand(w)?)),
        Some(f) if !f.starts_with(['.', '$', '"']) => Err(format!("function {f:?} not defined")),
        _ => Err(format!("unsupported pipeline {s:?}")),
    }
}

fn go_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' => {
                cur.push(c);
                loop {
                    match chars.next() {
                        Some('\\') if c == '"' => {
                            cur.push('\\');
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        Some(x) if x == c => {
                            cur.push(x);
                            break;
                        }
                        Some(x) => cur.push(x),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
            }
            ' ' | '\t' | '\n' => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    Ok(words)
}

fn parse_operand(w: &str) -> Result<Operand, String> {
    let fields = |rest: &str| -> Vec<String> {
        rest.split('.')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect()
    };
    if w == "." {
        return Ok(Operand::Dot(Vec::new()));
    }
    if let Some(rest) = w.strip_prefix('.') {
        return Ok(Operand::Dot(fields(rest)));
    }
    if w.starts_with('$') {
        let (name, rest) = w.split_once('.').unwrap_or((w, ""));
        return Ok(Operand::Var(name.to_string(), fields(rest)));
    }
    if let Some(s) = w.strip_prefix('`').and_then(|x| x.strip_suffix('`')) {
        return Ok(Operand::Str(s.to_string()));
    }
    if w.starts_with('"') {
        return string_literal(w)
            .map(Operand::Str)
            .ok_or_else(|| format!("bad string {w}"));
    }
    w.parse()
        .map(Operand::Num)
        .map_err(|_| format!("function {w:?} not defined"))
}

fn field_path(v: &Value, fields: &[String]) -> Option<Value> {
    let mut cur = v;
    for f in fields {
        cur = cur.get(f)?;
    }
    Some(cur.clone())
}

fn operand(o: &Operand, dot: &Value, vars: &[(String, Value)]) -> Result<Option<Value>, String> {
    Ok(match o {
        Operand::Dot(f) => field_path(dot, f),
        Operand::Var(name, f) => {
            let v = vars
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .ok_or_else(|| format!("undefined variable: {name}"))?;
            field_path(&v.1, f)
        }
        Operand::Str(s) => Some(Value::String(s.clone())),
        Operand::Num(n) => Some(Value::from(*n)),
    })
}

fn pipe_value(p: &Pipe, dot: &Value, vars: &[(String, Value)]) -> Result<Option<Value>, String> {
    match p {
        Pipe::Value(o) => operand(o, dot, vars),
        Pipe::Len(o) => match operand(o, dot, vars)? {
            Some(Value::Array(a)) => Ok(Some(Value::from(a.len()))),
            Some(Value::Object(m)) => Ok(Some(Value::from(m.len()))),
            Some(Value::String(s)) => Ok(Some(Value::from(s.len()))),
            _ => Err("error calling len: len of nil pointer".into()),
        },
        Pipe::Index(o, keys) => {
            let mut cur = operand(o, dot, vars)?;
            for k in keys {
                let key = operand(k, dot, vars)?;
                cur = match (cur, key) {
                    (Some(Value::Object(m)), Some(Value::String(k))) => m.get(&k).cloned(),
                    (Some(Value::Array(a)), Some(Value::Number(n))) => {
                        let i = n.as_u64().unwrap_or(u64::MAX) as usize;
                        Some(a.get(i).cloned().ok_or_else(|| {
                            format!("error calling index: index out of range: {n}")
                        })?)
                    }
                    _ => None,
                };
            }
            Ok(cur)
        }
    }
}

fn truthy(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::Bool(true)) => true,
    }
}

/// Go's `fmt.Print` of an unstructured value: `map[k:v]`, `[a b]`.
fn go_print(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_print(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        other => other.to_string(),
    }
}

fn run_go(
    nodes: &[GoNode],
    dot: &Value,
    vars: &mut Vec<(String, Value)>,
    out: &mut String,
) -> Result<(), String> {
    for n in nodes {
        match n {
            GoNode::Text(t) => out.push_str(t),
            GoNode::Print(p) => match pipe_value(p, dot, vars)? {
                Some(v) => out.push_str(&go_print(&v)),
                None => out.push_str("<no value>"),
            },
            GoNode::If {
                pipe,
                then,
                otherwise,
            } => {
                let branch = if truthy(&pipe_value(pipe, dot, vars)?) {
                    then
                } else {
                    otherwise
                };
                run_go(branch, dot, vars, out)?;
            }
            GoNode::Range {
                vars: names,
                pipe,
                body,
                otherwise,
            } => {
                let items: Vec<(Value, Value)> = match pipe_value(pipe, dot, vars)? {
                    Some(Value::Array(a)) => a
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (Value::from(i), v))
                        .collect(),
                    Some(Value::Object(m)) => {
                        m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
                    }
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => {
                        return Err(format!("range can't iterate over {}", go_print(&other)))
                    }
                };
                if items.is_empty() {
                    run_go(otherwise, dot, vars, out)?;
                }
                for (k, v) in items {
                    let depth = vars.len();
                    match names.as_slice() {
                        [e] => vars.push((e.clone(), v.clone())),
                        [i, e] => {
                            vars.push((i.clone(), k));
                            vars.push((e.clone(), v.clone()));
                        }
                        _ => {}
                    }
                    run_go(body, &v, vars, out)?;
                    vars.truncate(depth);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({"metadata": {"name": "web-0", "labels": {"app": "nginx"}},
               "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"},
                                       {"name": "side", "image": "busybox"}]},
               "status": {"conditions": [{"type": "Ready", "status": "True"},
                                         {"type": "Initialized", "status": "True"}]}})
    }

    #[test]
    fn jsonpath_fields_wildcards_filters_and_ranges() {
        let p = pod();
        assert_eq!(jsonpath("{.metadata.name}", &p).unwrap(), "web-0");
        assert_eq!(
            jsonpath("{.spec.containers[*].image}", &p).unwrap(),
            "nginx:1.25 busybox"
        );
        assert_eq!(jsonpath("{.spec.containers[-1].name}", &p).unwrap(), "side");
        assert_eq!(
            jsonpath(r#"{.status.conditions[?(@.type=="Ready")].status}"#, &p).unwrap(),
            "True"
        );
        assert_eq!(
            jsonpath(
                r#"{range .spec.containers[*]}{.name}{"\t"}{.image}{"\n"}{end}"#,
                &p
            )
            .unwrap(),
            "nginx\tnginx:1.25\nside\tbusybox\n"
        );
        assert_eq!(jsonpath("{..image}", &p).unwrap(), "nginx:1.25 busybox");
        assert_eq!(
            jsonpath("name: {.metadata['name']}", &p).unwrap(),
            "name: web-0"
        );
        assert_eq!(jsonpath("{.metadata.missing}", &p).unwrap(), "");
        assert!(jsonpath("{.metadata.name", &p).is_err());
        assert!(jsonpath("{range .items[*]}{.x}", &p).is_err());
    }

    #[test]
    fn go_templates_as_the_statefulset_tutorial_uses_them() {
        let p = pod();
        assert_eq!(
            go_template(
                "{{range $i, $c := .spec.containers}}{{$c.image}}{{end}}",
                &p
            )
            .unwrap(),
            "nginx:1.25busybox"
        );
        assert_eq!(go_template("{{.metadata.name}}", &p).unwrap(), "web-0");
        assert_eq!(
            go_template(
                r#"{{index .metadata.labels "app"}} {{len .spec.containers}}"#,
                &p
            )
            .unwrap(),
            "nginx 2"
        );
        assert_eq!(
            go_template("{{if .spec.nope}}yes{{else}}no{{end}} {{.spec.nope}}", &p).unwrap(),
            "no <no value>"
        );
        assert_eq!(
            go_template(r#"{{range .spec.containers}}{{.name}}{{"\n"}}{{end}}"#, &p).unwrap(),
            "nginx\nside\n"
        );
        assert!(go_template("{{range .x}}", &p).is_err());
        assert!(go_template("{{printf \"%s\" .x}}", &p)
            .unwrap_err()
            .contains("function \"printf\" not defined"));
        assert!(go_template("{{$nope.x}}", &p).is_err());
    }
}
