//! What an apply changed, field by field: `spec.replicas 3 → 5`.
//!
//! [`changes`] compares two versions of one object's JSON in the parts a person writes: every
//! top-level field except `apiVersion`, `kind` and `status`, and of `metadata` only the labels
//! and annotations (without kubectl's last-applied configuration, which changes with every
//! configured apply and repeats the manifest). Server bookkeeping (`resourceVersion`,
//! `generation`, `managedFields`, timestamps, uids) is never reported.
//!
//! Lists of named items (containers, env, ports, volumes, volume mounts, claim templates) are
//! matched by their key, so reordering them or adding one in the middle reports just that, as
//! `containers[name=nginx].image`; other lists are compared position by position. A value
//! added or removed whole is shown compactly, cut at [`MAX_VALUE_CHARS`].

use crate::controllers::deployment::util::LAST_APPLIED;
use crate::store::DS_TEMPLATE_GENERATION;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt;

/// How many changes a report lists per object; the rest are counted (`…and 7 more`).
pub const MAX_CHANGES: usize = 20;
/// Longest value shown; longer ones end in `…`.
pub const MAX_VALUE_CHARS: usize = 80;

/// One changed field. `before` is `None` for an added field, `after` for a removed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `spec.template.spec.containers[name=nginx].image`, `metadata.labels["app.kubernetes.io/name"]`.
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// `spec.replicas 3 → 5`, `spec.paused added: true`, `metadata.labels.tier removed (was web)`.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => write!(f, "{} {b} → {a}", self.path),
            (None, Some(a)) => write!(f, "{} added: {a}", self.path),
            (Some(b), None) => write!(f, "{} removed (was {b})", self.path),
            (None, None) => f.write_str(&self.path),
        }
    }
}

/// The changes to one object, at most [`MAX_CHANGES`] of them with the rest counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChanges {
    /// `deployment.apps/nginx`, as the apply line names it.
    pub object: String,
    /// The first changes in document order.
    pub changes: Vec<Change>,
    /// How many more there were.
    pub omitted: usize,
}

impl ObjectChanges {
    /// Keeps the first [`MAX_CHANGES`] of `all`.
    pub fn new(object: impl Into<String>, mut all: Vec<Change>) -> ObjectChanges {
        let omitted = all.len().saturating_sub(MAX_CHANGES);
        all.truncate(MAX_CHANGES);
        ObjectChanges {
            object: object.into(),
            changes: all,
            omitted,
        }
    }

    /// One line per change, `deployment.apps/nginx: spec.replicas 3 → 5`, then
    /// `deployment.apps/nginx: …and 7 more` if some were left out.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .changes
            .iter()
            .map(|c| format!("{}: {c}", self.object))
            .collect();
        if self.omitted > 0 {
            out.push(format!("{}: …and {} more", self.object, self.omitted));
        }
        out
    }
}

/// [`ObjectChanges::lines`], one per line.
impl fmt::Display for ObjectChanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// Every user-facing difference between two versions of an object, in document order
/// (metadata first, then the other fields by name). Equal inputs give no changes.
pub fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(
        &mut out,
        String::new(),
        &user_facing(before),
        &user_facing(after),
    );
    out
}

/// The parts of an object compared: see the module documentation.
fn user_facing(v: &Value) -> Value {
    let Some(m) = v.as_object() else {
        return Value::Null;
    };
    let mut out = Map::new();
    if let Some(meta) = m.get("metadata").and_then(Value::as_object) {
        let mut kept = Map::new();
        if let Some(l) = meta.get("labels") {
            kept.insert("labels".into(), l.clone());
        }
        if let Some(Value::Object(a)) = meta.get("annotations") {
            let mut a = a.clone();
            a.remove(LAST_APPLIED);
            // Set by the server (the DaemonSet strategy), not by the person applying.
            a.remove(DS_TEMPLATE_GENERATION);
            kept.insert("annotations".into(), Value::Object(a));
        }
        out.insert("metadata".into(), Value::Object(kept));
    }
    for (k, v) in m {
        if !["apiVersion", "kind", "metadata", "status"].contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// A missing field, `null`, an empty list and a map of nothing but such fields all read as
/// "not set", as the API server's defaulting and `omitempty` make them indistinguishable to the
/// person who wrote the manifest.
fn is_unset(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.values().all(|v| is_unset(Some(v))),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn walk(out: &mut Vec<Change>, path: String, before: &Value, after: &Value) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            // metadata first, so labels lead the report as they lead the manifest.
            let ordered = keys
                .iter()
                .filter(|k| k.as_str() == "metadata")
                .chain(keys.iter().filter(|k| k.as_str() != "metadata"));
            for k in ordered {
                field(out, join(&path, k), b.get(*k), a.get(*k));
            }
        }
        (Value::Array(b), Value::Array(a)) => match list_key(b, a) {
            Some(key) => named_items(out, &path, key, b, a),
            None => {
                for i in 0..b.len().max(a.len()) {
                    field(out, format!("{path}[{i}]"), b.get(i), a.get(i));
                }
            }
        },
        _ => out.push(Change {
            path,
            before: Some(show(before)),
            after: Some(show(after)),
        }),
    }
}

/// One field that may be missing on either side.
fn field(out: &mut Vec<Change>, path: String, before: Option<&Value>, after: Option<&Value>) {
    match (is_unset(before), is_unset(after)) {
        (true, true) => {}
        (true, false) => out.push(Change {
            path,
            before: None,
            after: after.map(show),
        }),
        (false, true) => out.push(Change {
            path,
            before: before.map(show),
            after: None,
        }),
        (false, false) => {
            if let (Some(b), Some(a)) = (before, after) {
                walk(out, path, b, a);
            }
        }
    }
}

/// The fields that name list items, tried in order: a list is matched by the first one that
/// every item on both sides has, with no repeats on either side (`volumeMounts` may mount one
/// volume twice, so it falls back to `mountPath`).
const ITEM_KEYS: &[(&str, &str)] = &[
    ("/name", "name"),
    ("/metadata/name", "name"),
    ("/mountPath", "mountPath"),
    ("/containerPort", "containerPort"),
    ("/port", "port"),
    ("/type", "type"),
];

fn item_key(item: &Value, pointer: &str) -> Option<String> {
    match item.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list_key(b: &[Value], a: &[Value]) -> Option<(&'static str, &'static str)> {
    ITEM_KEYS.iter().copied().find(|(pointer, _)| {
        [b, a].iter().all(|items| {
            let keys: Option<Vec<String>> = items.iter().map(|i| item_key(i, pointer)).collect();
            keys.is_some_and(|k| k.iter().collect::<BTreeSet<_>>().len() == k.len())
        })
    })
}

/// Items matched by key: changed and added ones in the new order, then removed ones.
fn named_items(
    out: &mut Vec<Change>,
    path: &str,
    (pointer, label): (&str, &str),
    b: &[Value],
    a: &[Value],
) {
    let find = |items: &[Value], k: &str| -> Option<usize> {
        items
            .iter()
            .position(|i| item_key(i, pointer).as_deref() == Some(k))
    };
    for item in a {
        let k = item_key(item, pointer).unwrap_or_default();
        let old = find(b, &k).map(|i| &b[i]);
        field(out, format!("{path}[{label}={k}]"), old, Some(item));
    }
    for item in b {
        let k = item_key(item, pointer).unwrap_or_default();
        if find(a, &k).is_none() {
            field(out, format!("{path}[{label}={k}]"), Some(item), None);
        }
    }
}

/// `spec.replicas`; keys that are not plain words (`app.kubernetes.io/name`) in brackets.
fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", serde_json::to_string(key).unwrap_or_default()),
    }
}

/// A value as the report shows it: strings bare (quoted when empty or when they hold line
/// breaks or surrounding spaces), anything else as compact JSON; cut at [`MAX_VALUE_CHARS`].
fn show(v: &Value) -> String {
    let text = match v {
        Value::String(s) if !s.is_empty() && s.trim() == s && !s.chars().any(char::is_control) => {
            s.clone()
        }
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(before: Value, after: Value) -> Vec<String> {
        changes(&before, &after)
            .iter()
            .map(|c| c.to_string())
            .collect()
    }

    #[test]
    fn scalars_changed_added_and_removed_are_named_by_path() {
        let got = lines(
            json!({"spec": {"replicas": 3, "paused": false, "minReadySeconds": 5}}),
            json!({"spec": {"replicas": 5, "paused": false, "revisionHistoryLimit": 2}}),
        );
        assert_eq!(
            got,
            vec![
                "spec.minReadySeconds removed (was 5)",
                "spec.replicas 3 → 5",
                "spec.revisionHistoryLimit added: 2",
            ]
        );
    }

    #[test]
    fn named_list_items_are_matched_by_name_not_position() {
        let before = json!({"spec": {"containers": [
            {"name": "a", "image": "x:1"},
            {"name": "b", "image": "y:1", "env": [{"name": "K", "value": "1"}]}
        ]}});
        let after = json!({"spec": {"containers": [
            {"name": "b", "image": "y:1", "env": [{"name": "K", "value": "2"}]},
            {"name": "c", "image": "z:1"}
        ]}});
        assert_eq!(
            lines(before, after),
            vec![
                "spec.containers[name=b].env[name=K].value 1 → 2",
                r#"spec.containers[name=c] added: {"image":"z:1","name":"c"}"#,
                r#"spec.containers[name=a] removed (was {"image":"x:1","name":"a"})"#,
            ]
        );
    }

    #[test]
    fn unnamed_lists_compare_by_position() {
        assert_eq!(
            lines(
                json!({"spec": {"args": ["-a", "-b"]}}),
                json!({"spec": {"args": ["-a", "-c", "-d"]}})
            ),
            vec!["spec.args[1] -b → -c", "spec.args[2] added: -d"]
        );
    }

    #[test]
    fn server_fields_status_and_last_applied_are_not_changes() {
        let before = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "resourceVersion": "5", "generation": 1,
                         "annotations": {LAST_APPLIED: "{}", DS_TEMPLATE_GENERATION: "1"}, "labels": {"app": "web"}},
            "status": {"replicas": 1}
        });
        let after = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "resourceVersion": "9", "generation": 2,
                         "annotations": {LAST_APPLIED: "{\"x\":1}", DS_TEMPLATE_GENERATION: "2"},
                         "labels": {"app": "web", "app.kubernetes.io/part-of": "shop"}},
            "status": {"replicas": 2}
        });
        assert_eq!(
            lines(before.clone(), after),
            vec![r#"metadata.labels["app.kubernetes.io/part-of"] added: shop"#]
        );
        assert!(changes(&before, &before).is_empty());
    }

    #[test]
    fn long_values_are_cut_and_long_reports_counted() {
        let long = "x".repeat(200);
        let c = changes(&json!({"data": {"a": "1"}}), &json!({"data": {"a": long}}));
        assert_eq!(
            c[0].after.as_ref().map(|s| s.chars().count()),
            Some(MAX_VALUE_CHARS)
        );
        let before: Map<String, Value> = (0..30).map(|i| (format!("k{i:02}"), json!(i))).collect();
        let after: Map<String, Value> = (0..30)
            .map(|i| (format!("k{i:02}"), json!(i + 1)))
            .collect();
        let all = changes(&json!({ "data": before }), &json!({ "data": after }));
        assert_eq!(all.len(), 30);
        let report = ObjectChanges::new("configmap/c", all);
        let lines = report.lines();
        assert_eq!(lines.len(), MAX_CHANGES + 1);
        assert_eq!(lines[0], "configmap/c: data.k00 0 → 1");
        assert_eq!(lines[MAX_CHANGES], "configmap/c: …and 10 more");
    }

    #[test]
    fn empty_and_missing_read_the_same() {
        assert!(changes(
            &json!({"metadata": {"labels": {}}}),
            &json!({"metadata": {}})
        )
        .is_empty());
        assert!(changes(&json!({"spec": {"x": null}}), &json!({"spec": {}})).is_empty());
        assert!(changes(&json!(null), &json!("odd")).is_empty());
    }
}
