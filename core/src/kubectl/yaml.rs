//! YAML as kubectl prints it (`sigs.k8s.io/yaml` over go-yaml): keys sorted, sequences at the
//! indentation of their key, strings quoted with double quotes only when they would otherwise
//! read as something else, multi-line strings as literal blocks.

use serde_json::Value;

/// Renders a JSON value as kubectl's YAML.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize) {
    for (k, v) in m {
        pad(out, indent);
        out.push_str(&string(k, indent));
        out.push(':');
        value_after_key(out, v, indent);
    }
}

fn value_after_key(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(c) if !c.is_empty() => {
            out.push('\n');
            map(out, c, indent + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            seq(out, a, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 2));
            out.push('\n');
        }
    }
}

fn seq(out: &mut String, a: &[Value], indent: usize) {
    for v in a {
        pad(out, indent);
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first key follows the dash; the rest align under it.
                let mut first = true;
                for (k, val) in m {
                    if !first {
                        pad(out, indent + 2);
                    }
                    first = false;
                    out.push_str(&string(k, indent + 2));
                    out.push(':');
                    value_after_key(out, val, indent + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                seq(out, inner, indent + 2);
            }
            other => {
                out.push_str(&scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, indent),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Would a plain scalar with this text read back as something other than this string?
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
        "+.inf",
    ]
    .contains(&lower.as_str())
    {
        return true;
    }
    if s.parse::<f64>().is_ok() || looks_numeric(s) || looks_like_timestamp(s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    let special_start = match first {
        '-' | '?' | ':' => s.len() == 1 || s[1..].starts_with(' '),
        c => ",[]{}#&*!|>'\"%@`".contains(c),
    };
    if special_start {
        return true;
    }
    s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control())
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    (t.starts_with("0x") || t.starts_with("0o")) && t.len() > 2
        || (!t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
            && t.chars().any(|c| c.is_ascii_digit()))
}

fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

fn string(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.chars().any(|c| c.is_control() && c != '\n') && !s.starts_with(' ') {
        let mut out = String::from(if s.ends_with('\n') { "|" } else { "|-" });
        for line in s.trim_end_matches('\n').split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&" ".repeat(indent));
                out.push_str(line);
            }
        }
        return out;
    }
    if !needs_quotes(s) {
        return s.to_string();
    }
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_like_kubectl() {
        let v = json!({
            "apiVersion": "apps/v1",
            "metadata": {"annotations": {"a": "1", "note": "x\ny\n"}, "creationTimestamp": "2026-01-01T00:00:00Z", "name": "web", "resourceVersion": "26", "labels": {}},
            "spec": {"containers": [{"name": "nginx", "ports": [{"containerPort": 80}], "args": ["-g", "daemon off;"]}], "paused": false, "empty": "", "on": "on"}
        });
        let want = r#"apiVersion: apps/v1
metadata:
  annotations:
    a: "1"
    note: |
      x
      y
  creationTimestamp: "2026-01-01T00:00:00Z"
  labels: {}
  name: web
  resourceVersion: "26"
spec:
  containers:
  - args:
    - -g
    - daemon off;
    name: nginx
    ports:
    - containerPort: 80
  empty: ""
  "on": "on"
  paused: false
"#;
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn output_reads_back_to_the_same_value() {
        let v = json!({"a": ["x: y", "#c", "- d", "1e3", "true", "  s", "ok", null, 1.5, {"k": []}], "b": {"c": {"d": "e"}}});
        let back: Value = yaml_serde::from_str(&to_yaml(&v)).unwrap();
        assert_eq!(back, v);
    }
}
