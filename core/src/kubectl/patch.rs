//! `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`.
//!
//! The patch is applied to the live object's JSON here, as the API server does, and the result
//! is written back through [`manifest::replace`], so it is defaulted and validated exactly like
//! an applied manifest (immutable fields included). A patch that fails changes nothing.

use super::get::Item;
use super::{Args, Output};
use crate::manifest::{self, ManifestErrors};
use crate::sim::World;
use serde_json::{Map, Value};

/// `kubectl patch`.
pub fn patch(world: &mut World, args: &Args) -> Result<Output, String> {
    let Some(text) = args.flag("patch") else {
        return Err(
            "error: must specify --patch or --patch-file containing the contents of the patch"
                .into(),
        );
    };
    let kind = args.flag("type").unwrap_or("strategic");
    let (_, name, item) = super::mutate::single(world, args, "patch")?;
    if matches!(item, Item::Other(_) | Item::Event(_)) {
        return Err(format!(
            "error: {} objects are stored but not simulated by kubeplay, so they cannot be patched",
            item.qualified()
        ));
    }
    let patch: Value =
        yaml_serde::from_str(text).map_err(|e| format!("error: unable to parse {text:?}: {e}"))?;
    let live = item.to_json();
    let patched = match kind {
        "strategic" => {
            check_object(&patch, text)?;
            strategic_merge(&live, &patch, "")
        }
        "merge" => {
            check_object(&patch, text)?;
            merge_patch(&live, &patch)
        }
        "json" => json_patch(&live, &patch)?,
        other => {
            return Err(format!(
                "error: --type must be one of [json merge strategic], not {other:?}"
            ))
        }
    };
    let what = format!("{}/{name}", item.qualified());
    for field in ["kind", "apiVersion"] {
        if patched.get(field) != live.get(field) {
            return Err(format!(
                "error: {what}: {field} cannot be changed by a patch"
            ));
        }
    }
    for field in ["name", "namespace", "uid"] {
        if patched["metadata"].get(field) != live["metadata"].get(field) {
            return Err(format!(
                "Error from server (BadRequest): the {field} of the object ({}) does not match the {field} on the URL ({})",
                patched["metadata"][field].as_str().unwrap_or_default(),
                live["metadata"][field].as_str().unwrap_or_default()
            ));
        }
    }
    match manifest::replace(world, &patched) {
        Ok(manifest::Written::Unchanged) => Ok(Output::out(format!("{what} patched (no change)"))),
        Ok(_) => Ok(Output::out(format!("{what} patched"))),
        Err(e) => Err(invalid(&e)),
    }
}

/// `The StatefulSet "web" is invalid: spec.replicas: Invalid value: …`; several field errors
/// are aggregated as the API server does (`[a, b]`).
pub(super) fn invalid(e: &ManifestErrors) -> String {
    let field = |e: &manifest::ManifestError| match &e.path {
        Some(p) => format!("{p}: {}", e.message),
        None => e.message.clone(),
    };
    match e.errors.first().and_then(|f| f.object.clone()) {
        Some(object) => {
            let causes: Vec<String> = e.errors.iter().map(field).collect();
            if causes.len() == 1 {
                format!("The {object} is invalid: {}", causes[0])
            } else {
                format!("The {object} is invalid: [{}]", causes.join(", "))
            }
        }
        None => e
            .errors
            .iter()
            .map(|e| format!("error: {}", field(e)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn check_object(patch: &Value, text: &str) -> Result<(), String> {
    if patch.is_object() {
        Ok(())
    } else {
        Err(format!(
            "error: unable to parse {text:?}: a merge patch must be a JSON object"
        ))
    }
}

/// JSON merge patch (RFC 7386): objects merge key by key, `null` removes a key, anything
/// else replaces.
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut out = match target {
        Value::Object(t) => t.clone(),
        _ => Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            out.remove(k);
        } else {
            let merged = merge_patch(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

/// The merge key of a list field, from the `patchMergeKey` tags of the Kubernetes API types
/// (the list's field name, and for `ports` which list it is). Lists without one are replaced.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "ownerReferences" => "uid",
        "conditions" => "type",
        "topologySpreadConstraints" => "topologyKey",
        // ContainerPort lists merge on containerPort, ServicePort lists on port.
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => "containerPort",
        "ports" => "port",
        _ => return None,
    })
}

/// Strategic merge patch: a merge patch whose lists of objects with a merge key are merged
/// item by item (`$patch: delete` removes an item, `$patch: replace` replaces the list), and
/// whose `finalizers` list is merged as a set. Other lists are replaced.
pub fn strategic_merge(target: &Value, patch: &Value, field: &str) -> Value {
    match patch {
        Value::Object(p) => {
            if p.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut p = p.clone();
                p.remove("$patch");
                return Value::Object(p);
            }
            let mut out = match target {
                Value::Object(t) => t.clone(),
                _ => Map::new(),
            };
            for (k, v) in p {
                if k.starts_with('$') {
                    continue;
                }
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = strategic_merge(out.get(k).unwrap_or(&Value::Null), v, k);
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let live = target.as_array().cloned().unwrap_or_default();
            if field == "finalizers" {
                let mut out = live;
                for i in items {
                    if !out.contains(i) {
                        out.push(i.clone());
                    }
                }
                return Value::Array(out);
            }
            if items
                .iter()
                .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
            {
                return Value::Array(
                    items
                        .iter()
                        .filter(|i| i.get("$patch").is_none())
                        .cloned()
                        .collect(),
                );
            }
            let Some(key) = merge_key(field, items).filter(|_| items.iter().all(Value::is_object))
            else {
                return patch.clone();
            };
            let mut out = live;
            for i in items {
                let id = i.get(key);
                let pos = id.and_then(|id| out.iter().position(|l| l.get(key) == Some(id)));
                let delete = i.get("$patch").and_then(Value::as_str) == Some("delete");
                match (pos, delete) {
                    (Some(at), true) => {
                        out.remove(at);
                    }
                    (None, true) => {}
                    (Some(at), false) => out[at] = strategic_merge(&out[at], i, ""),
                    (None, false) => out.push(strategic_merge(&Value::Null, i, "")),
                }
            }
            Value::Array(out)
        }
        _ => patch.clone(),
    }
}

/// JSON patch (RFC 6902): `add`, `remove`, `replace`, `move`, `copy` and `test`, applied in
/// order; any failing operation rejects the whole patch.
pub fn json_patch(target: &Value, patch: &Value) -> Result<Value, String> {
    let Value::Array(ops) = patch else {
        return Err("error: a JSON patch must be a list of operations, e.g. [{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 3}]".into());
    };
    let mut doc = target.clone();
    for (i, op) in ops.iter().enumerate() {
        let fail = |msg: String| format!("error: JSON patch operation {}: {msg}", i + 1);
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| fail("missing \"op\"".into()))?;
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| fail("missing \"path\"".into()))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| fail(format!("{name} needs a \"value\"")))
        };
        let from = || {
            op.get("from")
                .and_then(Value::as_str)
                .ok_or_else(|| fail(format!("{name} needs a \"from\"")))
        };
        match name {
            "add" => add(&mut doc, path, value()?).map_err(fail)?,
            "remove" => {
                remove(&mut doc, path).map_err(fail)?;
            }
            "replace" => {
                remove(&mut doc, path).map_err(|_| {
                    fail(format!(
                        "replace operation does not apply: doc is missing key: {path}"
                    ))
                })?;
                add(&mut doc, path, value()?).map_err(fail)?;
            }
            "move" => {
                let v = remove(&mut doc, from()?).map_err(fail)?;
                add(&mut doc, path, v).map_err(fail)?;
            }
            "copy" => {
                let v = doc
                    .pointer(from()?)
                    .cloned()
                    .ok_or_else(|| fail(format!("copy from {:?}: no such path", from())))?;
                add(&mut doc, path, v).map_err(fail)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(fail(format!(
                        "test failed: {path} does not hold that value"
                    )));
                }
            }
            other => return Err(fail(format!("unknown operation {other:?}"))),
        }
    }
    Ok(doc)
}

/// Splits `/a/b~1c` into its parent pointer and last, unescaped token.
fn split_pointer(path: &str) -> Result<(&str, String), String> {
    if !path.starts_with('/') {
        return Err(format!("path {path:?} must start with /"));
    }
    let at = path.rfind('/').unwrap_or(0);
    let token = path[at + 1..].replace("~1", "/").replace("~0", "~");
    Ok((&path[..at], token))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, token) = split_pointer(path)?;
    let missing = || format!("add operation does not apply: doc is missing path: {path}");
    match doc.pointer_mut(parent).ok_or_else(missing)? {
        Value::Object(m) => {
            m.insert(token, value);
            Ok(())
        }
        Value::Array(a) => {
            let at = if token == "-" {
                a.len()
            } else {
                token
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i <= a.len())
                    .ok_or_else(|| format!("add operation does not apply: index {token:?} is out of range at {path}"))?
            };
            a.insert(at, value);
            Ok(())
        }
        _ => Err(missing()),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, token) = split_pointer(path)?;
    let missing = || format!("remove operation does not apply: doc is missing key: {path}");
    match doc.pointer_mut(parent).ok_or_else(missing)? {
        Value::Object(m) => m.remove(&token).ok_or_else(missing),
        Value::Array(a) => match token.parse::<usize>() {
            Ok(i) if i < a.len() => Ok(a.remove(i)),
            _ => Err(missing()),
        },
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_merges_objects_and_removes_nulls() {
        let live = json!({"spec": {"replicas": 2, "paused": true, "template": {"a": 1}}});
        let p = json!({"spec": {"replicas": 3, "paused": null}});
        assert_eq!(
            merge_patch(&live, &p),
            json!({"spec": {"replicas": 3, "template": {"a": 1}}})
        );
    }

    #[test]
    fn strategic_merge_merges_containers_by_name_and_ports_by_key() {
        let live = json!({"containers": [
            {"name": "a", "image": "x:1", "ports": [{"containerPort": 80, "name": "web"}]},
            {"name": "b", "image": "y:1"}
        ]});
        let p = json!({"containers": [
            {"name": "b", "image": "y:2"},
            {"name": "a", "ports": [{"containerPort": 8080}]},
            {"name": "c", "image": "z:1"}
        ]});
        let out = strategic_merge(&live, &p, "");
        assert_eq!(out["containers"][0]["image"], "x:1");
        assert_eq!(
            out["containers"][0]["ports"],
            json!([{"containerPort": 80, "name": "web"}, {"containerPort": 8080}])
        );
        assert_eq!(out["containers"][1]["image"], "y:2");
        assert_eq!(out["containers"][2]["name"], "c");
        // Lists without a merge key are replaced; `$patch: delete` removes an item.
        let out = strategic_merge(
            &json!({"args": ["a", "b"], "volumes": [{"name": "v"}, {"name": "w"}]}),
            &json!({"args": ["c"], "volumes": [{"name": "v", "$patch": "delete"}]}),
            "",
        );
        assert_eq!(out, json!({"args": ["c"], "volumes": [{"name": "w"}]}));
    }

    #[test]
    fn json_patch_operations_and_failures() {
        let live = json!({"spec": {"containers": [{"image": "a"}], "replicas": 1}});
        let out = json_patch(
            &live,
            &json!([
                {"op": "replace", "path": "/spec/containers/0/image", "value": "b"},
                {"op": "add", "path": "/spec/containers/-", "value": {"image": "c"}},
                {"op": "remove", "path": "/spec/replicas"},
                {"op": "test", "path": "/spec/containers/1/image", "value": "c"}
            ]),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"spec": {"containers": [{"image": "b"}, {"image": "c"}]}})
        );
        let err = json_patch(
            &live,
            &json!([{"op": "replace", "path": "/spec/nope", "value": 1}]),
        )
        .unwrap_err();
        assert!(
            err.contains("operation 1") && err.contains("/spec/nope"),
            "{err}"
        );
        assert!(json_patch(&live, &json!({"op": "add"})).is_err());
        assert!(json_patch(&live, &json!([{"op": "add", "path": "x", "value": 1}])).is_err());
    }
}
