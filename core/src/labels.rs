//! Labels and label selectors: matching, kubectl's `-l` syntax, and API validation of keys and
//! values (`k8s.io/apimachinery/pkg/labels`, `pkg/util/validation`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed selector: all requirements must hold. An empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

impl Requirement {
    fn matches(&self, labels: &Labels) -> bool {
        match self {
            Requirement::Eq(k, v) => labels.get(k) == Some(v),
            Requirement::NotEq(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

impl Selector {
    pub fn everything() -> Selector {
        Selector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Matches an optional label map (missing labels are an empty map).
    pub fn matches_opt(&self, labels: Option<&Labels>) -> bool {
        static EMPTY: Labels = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }

    /// From an API `LabelSelector` (`metav1.LabelSelectorAsSelector`). `None` selects nothing,
    /// which callers express by not calling this.
    pub fn from_label_selector(ls: &LabelSelector) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for (k, v) in ls.match_labels.iter().flatten() {
            requirements.push(Requirement::Eq(k.clone(), v.clone()));
        }
        for (i, e) in ls.match_expressions.iter().flatten().enumerate() {
            requirements.push(
                requirement_from_expression(e)
                    .map_err(|m| format!("matchExpressions[{i}]: {m}"))?,
            );
        }
        Ok(Selector { requirements })
    }

    /// Parses kubectl's selector syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(s) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(p)?);
        }
        Ok(Selector { requirements })
    }
}

impl std::fmt::Display for Selector {
    /// kubectl's rendering, e.g. `app=nginx,tier in (a,b)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r {
                Requirement::Eq(k, v) => format!("{k}={v}"),
                Requirement::NotEq(k, v) => format!("{k}!={v}"),
                Requirement::In(k, vs) => format!("{k} in ({})", vs.join(",")),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
                Requirement::Exists(k) => k.clone(),
                Requirement::DoesNotExist(k) => format!("!{k}"),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

fn requirement_from_expression(e: &LabelSelectorRequirement) -> Result<Requirement, String> {
    let values = e.values.clone().unwrap_or_default();
    match e.operator.as_str() {
        "In" | "NotIn" if values.is_empty() => Err(format!(
            "values: Required value: must be specified when `operator` is '{}'",
            e.operator
        )),
        "In" => Ok(Requirement::In(e.key.clone(), values)),
        "NotIn" => Ok(Requirement::NotIn(e.key.clone(), values)),
        "Exists" | "DoesNotExist" if !values.is_empty() => Err(format!(
            "values: Forbidden: may not be specified when `operator` is '{}'",
            e.operator
        )),
        "Exists" => Ok(Requirement::Exists(e.key.clone())),
        "DoesNotExist" => Ok(Requirement::DoesNotExist(e.key.clone())),
        other => Err(format!(
            "operator: Invalid value: {other:?}: not a valid selector operator"
        )),
    }
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn parse_requirement(p: &str) -> Result<Requirement, String> {
    let err = |why: &str| format!("unable to parse requirement: {why}: {p:?}");
    if let Some(k) = p.strip_prefix('!') {
        let k = k.trim();
        check_key(k).map_err(|m| err(&m))?;
        return Ok(Requirement::DoesNotExist(k.to_string()));
    }
    for (op, neg) in [(" notin ", true), (" in ", false)] {
        if let Some(idx) = p.find(op) {
            let key = p[..idx].trim();
            let rest = p[idx + op.len()..].trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| err("expected a parenthesised value list"))?;
            let values: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            check_key(key).map_err(|m| err(&m))?;
            for v in &values {
                check_value(v).map_err(|m| err(&m))?;
            }
            return Ok(if neg {
                Requirement::NotIn(key.into(), values)
            } else {
                Requirement::In(key.into(), values)
            });
        }
    }
    let (key, value, op) = if let Some((k, v)) = p.split_once("!=") {
        (k, Some(v), "!=")
    } else if let Some((k, v)) = p.split_once("==") {
        (k, Some(v), "=")
    } else if let Some((k, v)) = p.split_once('=') {
        (k, Some(v), "=")
    } else {
        (p, None, "")
    };
    let key = key.trim();
    check_key(key).map_err(|m| err(&m))?;
    match value {
        None => Ok(Requirement::Exists(key.to_string())),
        Some(v) => {
            let v = v.trim();
            check_value(v).map_err(|m| err(&m))?;
            Ok(if op == "!=" {
                Requirement::NotEq(key.into(), v.into())
            } else {
                Requirement::Eq(key.into(), v.into())
            })
        }
    }
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters (a qualified name's name part).
fn check_name_part(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err("name part must be non-empty".into());
    }
    if b.len() > 63 {
        return Err("name part must be no more than 63 characters".into());
    }
    if !is_alnum(b[0])
        || !is_alnum(b[b.len() - 1])
        || !b
            .iter()
            .all(|&c| is_alnum(c) || c == b'-' || c == b'_' || c == b'.')
    {
        return Err("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into());
    }
    Ok(())
}

/// A DNS-1123 subdomain: lower-case alphanumerics, `-` and `.`, at most 253 characters.
pub fn check_dns1123_subdomain(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.len() > 253 {
        return Err("must be no more than 253 characters".into());
    }
    let ok = !b.is_empty()
        && s.split('.').all(|l| {
            let lb = l.as_bytes();
            !lb.is_empty()
                && lb[0].is_ascii_lowercase() | lb[0].is_ascii_digit()
                && (lb[lb.len() - 1].is_ascii_lowercase() || lb[lb.len() - 1].is_ascii_digit())
                && lb
                    .iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        });
    if !ok {
        return Err("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".into());
    }
    Ok(())
}

/// A DNS-1123 label: lower-case alphanumerics and `-`, at most 63 characters.
pub fn check_dns1123_label(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.len() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    let ok = !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if !ok {
        return Err("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".into());
    }
    Ok(())
}

/// A label key: an optional DNS subdomain prefix and `/`, then a name part.
pub fn check_key(k: &str) -> Result<(), String> {
    match k.split_once('/') {
        Some((prefix, name)) => {
            if prefix.is_empty() {
                return Err("prefix part must be non-empty".into());
            }
            check_dns1123_subdomain(prefix).map_err(|m| format!("prefix part {m}"))?;
            check_name_part(name)
        }
        None => check_name_part(k),
    }
}

/// A label value: empty, or a name part.
pub fn check_value(v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Ok(());
    }
    if v.len() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    check_name_part(v).map_err(|_| "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string())
}

/// `k=v,k2=v2`, or `<none>` when empty, as kubectl prints label maps.
pub fn format_labels(labels: Option<&Labels>) -> String {
    match labels {
        Some(l) if !l.is_empty() => l
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kubectl_selector_syntax_parses_and_matches() {
        let s = Selector::parse("app=nginx,tier!=db,env in (prod, staging),!legacy,track").unwrap();
        assert!(s.matches(&labels(&[
            ("app", "nginx"),
            ("env", "prod"),
            ("track", "x")
        ])));
        assert!(!s.matches(&labels(&[("app", "nginx"), ("env", "dev"), ("track", "x")])));
        assert!(!s.matches(&labels(&[
            ("app", "nginx"),
            ("env", "prod"),
            ("track", "x"),
            ("legacy", "")
        ])));
        assert_eq!(
            s.to_string(),
            "app=nginx,tier!=db,env in (prod,staging),!legacy,track"
        );
    }

    #[test]
    fn empty_selector_matches_everything() {
        assert!(Selector::parse("").unwrap().matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn label_selector_expressions_are_checked() {
        let ls = LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Near".into(),
                values: None,
            }]),
            ..Default::default()
        };
        assert!(Selector::from_label_selector(&ls)
            .unwrap_err()
            .contains("not a valid selector operator"));
    }

    #[test]
    fn keys_and_values_follow_api_rules() {
        assert!(check_key("app").is_ok());
        assert!(check_key("app.kubernetes.io/name").is_ok());
        assert!(check_key("-app").is_err());
        assert!(check_key("/app").is_err());
        assert!(check_key(&"a".repeat(64)).is_err());
        assert!(check_value("").is_ok());
        assert!(check_value("v1.2_3").is_ok());
        assert!(check_value("bad value").is_err());
        assert!(check_dns1123_subdomain("nginx-deployment").is_ok());
        assert!(check_dns1123_subdomain("Nginx").is_err());
        assert!(check_dns1123_label("web.0").is_err());
    }
}
