//! Manifests: multi-document YAML or JSON in, typed objects out, applied atomically.
//!
//! Parsing never stops at the first problem: [`parse`] returns every document it could read and
//! every error it found, each naming the document, line, column and field path. [`apply`]
//! defaults, validates and merges every document against the live objects first (as
//! `kubectl apply` does with its last-applied configuration), and only if all are valid writes
//! them; otherwise the cluster is untouched.
//!
//! Kinds outside the simulation (ConfigMap, Service, Job, …) are stored as JSON with a warning
//! that they are not simulated; they never fail the rest of the file. Unknown kinds and removed
//! API versions are refused as the API server refuses them.

pub mod defaults;
pub mod diff;
pub mod locate;
pub mod validate;

use crate::cluster;
use crate::controllers::deployment::util::LAST_APPLIED;
use crate::controllers::Object;
use crate::sim::World;
use crate::store::{Key, Kind, OtherObject};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{
    Endpoints, Namespace, PersistentVolume, PersistentVolumeClaim, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// Largest manifest accepted (bytes): the API server's request limit is 3 MiB.
pub const MAX_MANIFEST_BYTES: usize = 3 * 1024 * 1024;
/// Deepest nesting accepted in a document.
pub const MAX_DEPTH: usize = 64;

/// One problem in a manifest, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// 1-based document number within the file.
    pub document: usize,
    /// 1-based line and column in the whole text.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The object, e.g. `Deployment "web"`, when known.
    pub object: Option<String>,
    /// Field path, e.g. `spec.replicas`.
    pub path: Option<String>,
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}", self.document)?;
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, " (line {l}, column {c})")?,
            (Some(l), None) => write!(f, " (line {l})")?,
            _ => {}
        }
        f.write_str(": ")?;
        if let Some(o) = &self.object {
            write!(f, "The {o} is invalid: ")?;
        }
        if let Some(p) = &self.path {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every error of a rejected manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestErrors {
    pub errors: Vec<ManifestError>,
}

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ManifestErrors {}

/// What an apply did, line by line as kubectl prints it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// `deployment.apps/web created`, `… configured`, `… unchanged`.
    pub lines: Vec<String>,
    /// Warnings, e.g. kinds stored but not simulated.
    pub notices: Vec<String>,
    /// For each `configured` object, in the order of `lines`, the fields the apply changed
    /// ([`diff::changes`] between the stored object before and after). Created and unchanged
    /// objects have no entry, nor does a configured one whose changes are all server fields.
    pub changes: Vec<diff::ObjectChanges>,
}

/// A parsed document's object.
/// (`PersistentVolume` holds every volume source inline, so it is far larger than the other
/// variants; values of this enum are short-lived, so boxing would buy nothing measurable.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    Pod(Pod),
    Namespace(Namespace),
    StorageClass(StorageClass),
    PersistentVolume(PersistentVolume),
    PersistentVolumeClaim(PersistentVolumeClaim),
    Service(Service),
    Endpoints(Endpoints),
    EndpointSlice(EndpointSlice),
    StatefulSet(StatefulSet),
    ControllerRevision(ControllerRevision),
    PodDisruptionBudget(PodDisruptionBudget),
    DaemonSet(DaemonSet),
    Other(OtherObject),
}

/// One document of a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 1-based document number.
    pub index: usize,
    /// 1-based line where the document's text starts.
    pub first_line: usize,
    /// The document's own text (for locating fields).
    pub text: String,
    /// The document as given.
    pub raw: Value,
    pub object: Parsed,
}

/// A kind the API server knows: (kind, apiVersion, namespaced).
const KNOWN_OTHER: &[(&str, &str, bool)] = &[
    ("ConfigMap", "v1", true),
    ("Secret", "v1", true),
    ("ServiceAccount", "v1", true),
    ("LimitRange", "v1", true),
    ("ResourceQuota", "v1", true),
    ("ReplicationController", "v1", true),
    ("Job", "batch/v1", true),
    ("CronJob", "batch/v1", true),
    ("HorizontalPodAutoscaler", "autoscaling/v2", true),
    ("HorizontalPodAutoscaler", "autoscaling/v1", true),
    ("Ingress", "networking.k8s.io/v1", true),
    ("IngressClass", "networking.k8s.io/v1", false),
    ("NetworkPolicy", "networking.k8s.io/v1", true),
    ("Role", "rbac.authorization.k8s.io/v1", true),
    ("RoleBinding", "rbac.authorization.k8s.io/v1", true),
    ("ClusterRole", "rbac.authorization.k8s.io/v1", false),
    ("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", false),
    ("PriorityClass", "scheduling.k8s.io/v1", false),
    ("CustomResourceDefinition", "apiextensions.k8s.io/v1", false),
    ("Lease", "coordination.k8s.io/v1", true),
];

/// API versions that no longer exist, with the release that removed them and the replacement.
const REMOVED: &[(&str, &str, &str, &str)] = &[
    ("Deployment", "extensions/v1beta1", "v1.16", "apps/v1"),
    ("Deployment", "apps/v1beta1", "v1.16", "apps/v1"),
    ("Deployment", "apps/v1beta2", "v1.16", "apps/v1"),
    ("ReplicaSet", "extensions/v1beta1", "v1.16", "apps/v1"),
    ("ReplicaSet", "apps/v1beta2", "v1.16", "apps/v1"),
    ("DaemonSet", "extensions/v1beta1", "v1.16", "apps/v1"),
    ("DaemonSet", "apps/v1beta2", "v1.16", "apps/v1"),
    ("StatefulSet", "apps/v1beta1", "v1.16", "apps/v1"),
    ("StatefulSet", "apps/v1beta2", "v1.16", "apps/v1"),
    (
        "Ingress",
        "extensions/v1beta1",
        "v1.22",
        "networking.k8s.io/v1",
    ),
    (
        "Ingress",
        "networking.k8s.io/v1beta1",
        "v1.22",
        "networking.k8s.io/v1",
    ),
    ("CronJob", "batch/v1beta1", "v1.25", "batch/v1"),
    (
        "PodDisruptionBudget",
        "policy/v1beta1",
        "v1.25",
        "policy/v1",
    ),
    (
        "HorizontalPodAutoscaler",
        "autoscaling/v2beta1",
        "v1.25",
        "autoscaling/v2",
    ),
    (
        "HorizontalPodAutoscaler",
        "autoscaling/v2beta2",
        "v1.26",
        "autoscaling/v2",
    ),
    (
        "CustomResourceDefinition",
        "apiextensions.k8s.io/v1beta1",
        "v1.22",
        "apiextensions.k8s.io/v1",
    ),
];

/// Splits a multi-document text at `---` lines: (first line number, text) per document.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        let is_sep =
            line == "---" || line.starts_with("--- ") || line.starts_with("---\t") || line == "...";
        if is_sep {
            docs.push((start, std::mem::take(&mut cur)));
            start = i + 2;
            // Content after `--- ` on the same line belongs to the next document.
            if let Some(rest) = line.strip_prefix("--- ") {
                cur.push_str(&" ".repeat(4));
                cur.push_str(rest);
                cur.push('\n');
                start = i + 1;
            }
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    docs.push((start, cur));
    docs
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Keys present (non-null) in `raw` that the typed round trip dropped: unknown fields.
fn unknown_fields(raw: &Value, typed: &Value, path: &str, out: &mut Vec<String>) {
    match (raw, typed) {
        (Value::Object(r), Value::Object(t)) => {
            for (k, v) in r {
                if v.is_null() {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match t.get(k) {
                    Some(tv) => unknown_fields(v, tv, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Value::Array(r), Value::Array(t)) => {
            for (i, (rv, tv)) in r.iter().zip(t).enumerate() {
                unknown_fields(rv, tv, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Decodes a typed object from JSON, tracking the field path for errors.
///
/// Every typed object the simulation reads (manifests, merged applies, patches, revisions) is
/// decoded through this one function, from a `serde_json::Value`: each Kubernetes type's
/// `Deserialize` is then compiled once, which keeps the page's WebAssembly small.
pub fn decode<T: DeserializeOwned>(
    value: Value,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(value)
}

/// A typed decoding failure: position (if known), field path, message.
type DecodeError = (Option<(usize, usize)>, String, String);

struct DocCtx<'a> {
    index: usize,
    first_line: usize,
    text: &'a str,
    errors: &'a mut Vec<ManifestError>,
    /// Write the object as given (a PUT, for `kubectl patch`), instead of merging it into the
    /// live object as `kubectl apply` does.
    replace: bool,
}

impl DocCtx<'_> {
    fn error(&mut self, object: Option<String>, path: Option<String>, message: String) {
        let loc = path.as_deref().and_then(|p| locate::locate(self.text, p));
        self.errors.push(ManifestError {
            document: self.index,
            line: Some(loc.map_or(self.first_line, |(l, _)| l + self.first_line - 1)),
            column: loc.map(|(_, c)| c),
            object,
            path,
            message,
        });
    }

    /// Deserializes a typed object from the document's JSON value (as kubectl converts YAML to
    /// JSON before decoding), then checks for unknown fields. Errors are placed in the text by
    /// their field path.
    fn typed<T: DeserializeOwned + Serialize>(&mut self, raw: &Value) -> Option<T> {
        let result: Result<T, DecodeError> = decode(raw.clone()).map_err(|e| {
            let path = e.path().to_string();
            (
                locate::locate_value(self.text, &path),
                path,
                e.inner().to_string(),
            )
        });
        match result {
            Ok(obj) => {
                let back = serde_json::to_value(&obj).unwrap_or(Value::Null);
                let mut unknown = Vec::new();
                unknown_fields(raw, &back, "", &mut unknown);
                if unknown.is_empty() {
                    return Some(obj);
                }
                for u in unknown {
                    let msg = format!("strict decoding error: unknown field {u:?}");
                    self.error(None, Some(u), msg);
                }
                None
            }
            Err((loc, path, msg)) => {
                let path = (path != ".").then_some(path);
                // yaml_serde already prefixes its message with the path; say it once.
                let msg = match &path {
                    Some(p) => msg
                        .strip_prefix(&format!("{p}: "))
                        .map(str::to_string)
                        .unwrap_or(msg),
                    None => msg,
                };
                match loc {
                    Some((l, c)) => self.errors.push(ManifestError {
                        document: self.index,
                        line: Some(l + self.first_line - 1),
                        column: Some(c),
                        object: None,
                        path,
                        message: msg,
                    }),
                    None => self.error(None, path, msg),
                }
                None
            }
        }
    }
}

/// Parses a manifest. Returns the documents that parsed and every error found.
pub fn parse(text: &str) -> (Vec<Document>, Vec<ManifestError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    if text.len() > MAX_MANIFEST_BYTES {
        errors.push(ManifestError {
            document: 1,
            line: None,
            column: None,
            object: None,
            path: None,
            message: format!("manifest is {} bytes; the limit is {MAX_MANIFEST_BYTES} bytes (the API server's request size limit)", text.len()),
        });
        return (docs, errors);
    }
    let mut index = 0;
    for (first_line, seg) in split_documents(text) {
        if seg
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            continue;
        }
        index += 1;
        let raw: Value = match yaml_serde::from_str::<Value>(&seg) {
            Ok(v) => v,
            Err(e) => {
                let loc = e.location();
                errors.push(ManifestError {
                    document: index,
                    line: Some(
                        loc.as_ref()
                            .map_or(first_line, |l| l.line() + first_line - 1),
                    ),
                    column: loc.as_ref().map(|l| l.column()),
                    object: None,
                    path: None,
                    message: format!(
                        "error converting YAML to JSON: {}",
                        strip_location(&e.to_string())
                    ),
                });
                continue;
            }
        };
        if raw.is_null() {
            index -= 1;
            continue;
        }
        let mut ctx = DocCtx {
            index,
            first_line,
            text: &seg,
            errors: &mut errors,
            replace: false,
        };
        if depth(&raw) > MAX_DEPTH {
            ctx.error(
                None,
                None,
                format!("document nests deeper than {MAX_DEPTH} levels"),
            );
            continue;
        }
        let Value::Object(map) = &raw else {
            ctx.error(
                None,
                None,
                "a document must be a mapping with apiVersion and kind".into(),
            );
            continue;
        };
        if map.get("kind").and_then(Value::as_str) == Some("List") {
            for (i, item) in map
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let path = format!("items[{i}]");
                let before = ctx.errors.len();
                if let Some(obj) = parse_object(&mut ctx, item) {
                    docs.push(Document {
                        index,
                        first_line,
                        text: seg.clone(),
                        raw: item.clone(),
                        object: obj,
                    });
                }
                for e in ctx.errors[before..].iter_mut() {
                    e.path = Some(match &e.path {
                        Some(p) => format!("{path}.{p}"),
                        None => path.clone(),
                    });
                }
            }
            continue;
        }
        if let Some(obj) = parse_object(&mut ctx, &raw) {
            docs.push(Document {
                index,
                first_line,
                text: seg.clone(),
                raw,
                object: obj,
            });
        }
    }
    (docs, errors)
}

fn parse_object(ctx: &mut DocCtx<'_>, raw: &Value) -> Option<Parsed> {
    let api_version = raw.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = raw.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = raw
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set");
    }
    if kind.is_empty() {
        missing.push("kind not set");
    }
    if !missing.is_empty() {
        ctx.error(
            None,
            None,
            format!("error validating data: [{}]", missing.join(", ")),
        );
        return None;
    }
    if let Some((_, _, removed_in, replacement)) = REMOVED
        .iter()
        .find(|(k, v, _, _)| *k == kind && *v == api_version)
    {
        ctx.error(
            None,
            Some("apiVersion".into()),
            format!(
                "resource mapping not found for name: {name:?}: no matches for kind {kind:?} in version {api_version:?}: {kind} in {api_version} was removed in Kubernetes {removed_in}; use apiVersion: {replacement}"
            ),
        );
        return None;
    }
    match (kind, api_version) {
        ("Deployment", "apps/v1") => ctx.typed(raw).map(Parsed::Deployment),
        ("ReplicaSet", "apps/v1") => ctx.typed(raw).map(Parsed::ReplicaSet),
        ("Pod", "v1") => ctx.typed(raw).map(Parsed::Pod),
        ("Namespace", "v1") => ctx.typed(raw).map(Parsed::Namespace),
        ("StorageClass", "storage.k8s.io/v1") => ctx.typed(raw).map(Parsed::StorageClass),
        ("PersistentVolume", "v1") => ctx.typed(raw).map(Parsed::PersistentVolume),
        ("PersistentVolumeClaim", "v1") => ctx.typed(raw).map(Parsed::PersistentVolumeClaim),
        ("Service", "v1") => ctx.typed(raw).map(Parsed::Service),
        ("Endpoints", "v1") => ctx.typed(raw).map(Parsed::Endpoints),
        ("EndpointSlice", "discovery.k8s.io/v1") => ctx.typed(raw).map(Parsed::EndpointSlice),
        ("StatefulSet", "apps/v1") => ctx.typed(raw).map(Parsed::StatefulSet),
        ("ControllerRevision", "apps/v1") => ctx.typed(raw).map(Parsed::ControllerRevision),
        ("PodDisruptionBudget", "policy/v1") => ctx.typed(raw).map(Parsed::PodDisruptionBudget),
        ("DaemonSet", "apps/v1") => ctx.typed(raw).map(Parsed::DaemonSet),
        ("Node", "v1") => {
            ctx.error(None, Some("kind".into()), "nodes join the cluster by registering their kubelet; add one with `sim node add NAME`".into());
            None
        }
        _ => match KNOWN_OTHER
            .iter()
            .find(|(k, v, _)| *k == kind && *v == api_version)
        {
            Some((_, _, namespaced)) => {
                if name.is_empty() {
                    ctx.error(
                        None,
                        Some("metadata.name".into()),
                        "Required value: name or generateName is required".into(),
                    );
                    return None;
                }
                Some(Parsed::Other(OtherObject {
                    api_version: api_version.into(),
                    kind: kind.into(),
                    namespaced: *namespaced,
                    value: raw.clone(),
                }))
            }
            None => {
                let known_kind = KNOWN_OTHER.iter().any(|(k, _, _)| *k == kind)
                    || [
                        "Deployment",
                        "ReplicaSet",
                        "Pod",
                        "Namespace",
                        "StorageClass",
                        "PersistentVolume",
                        "PersistentVolumeClaim",
                        "Service",
                        "Endpoints",
                        "EndpointSlice",
                        "StatefulSet",
                        "ControllerRevision",
                        "PodDisruptionBudget",
                        "DaemonSet",
                    ]
                    .contains(&kind);
                let hint = if known_kind {
                    ""
                } else {
                    "\nensure CRDs are installed first"
                };
                ctx.error(None, Some("apiVersion".into()), format!("resource mapping not found for name: {name:?}: no matches for kind {kind:?} in version {api_version:?}{hint}"));
                None
            }
        },
    }
}

/// `kubectl apply -f`: parse, merge with live objects, default, validate, then write all or
/// nothing. `namespace` is the `-n` flag, if given.
pub fn apply(world: &mut World, text: &str) -> Result<ApplyReport, ManifestErrors> {
    apply_in(world, text, None)
}

/// [`apply`] with a namespace flag.
pub fn apply_in(
    world: &mut World,
    text: &str,
    namespace: Option<&str>,
) -> Result<ApplyReport, ManifestErrors> {
    let (docs, mut errors) = parse(text);
    if docs.is_empty() && errors.is_empty() {
        errors.push(ManifestError {
            document: 1,
            line: None,
            column: None,
            object: None,
            path: None,
            message: "no objects passed to apply".into(),
        });
    }
    let mut plan: Vec<(Object, Option<OtherObject>)> = Vec::new();
    let mut new_namespaces: Vec<String> = Vec::new();
    for doc in &docs {
        let before = errors.len();
        let mut ctx = DocCtx {
            index: doc.index,
            first_line: doc.first_line,
            text: &doc.text,
            errors: &mut errors,
            replace: false,
        };
        match prepare(world, doc, namespace, &new_namespaces, &mut ctx) {
            Some(Prepared::Object(o)) => {
                let o = *o;
                if let Object::Namespace(n) = &o {
                    new_namespaces.push(n.metadata.name.clone().unwrap_or_default());
                }
                plan.push((o, None));
            }
            Some(Prepared::Other(o)) => {
                plan.push((Object::Namespace(Namespace::default()), Some(o)))
            }
            None => debug_assert!(errors.len() > before, "a rejected document must say why"),
        }
    }
    if !errors.is_empty() {
        return Err(ManifestErrors { errors });
    }
    let mut report = ApplyReport::default();
    let now = world.now();
    for (obj, other) in plan {
        if let Some(o) = other {
            let kind = o.kind.clone();
            let name = o
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let group = o
                .api_version
                .split_once('/')
                .map(|(g, _)| format!(".{g}"))
                .unwrap_or_default();
            let other_key = (kind.clone(), other_key(&o));
            let before = world.store.others.get(&other_key).map(|x| x.value.clone());
            match world.store.put_other(o, now) {
                Ok(verb) => {
                    let object = format!("{}{group}/{name}", kind.to_lowercase());
                    let after = world.store.others.get(&other_key).map(|x| &x.value);
                    if let (Some(b), Some(a), "configured") = (&before, after, verb) {
                        let found = diff::changes(b, a);
                        if !found.is_empty() {
                            report
                                .changes
                                .push(diff::ObjectChanges::new(object.clone(), found));
                        }
                    }
                    report.lines.push(format!("{object} {verb}"));
                    report.notices.push(format!(
                        "Warning: {kind} {name:?} is stored but not simulated by kubeplay"
                    ));
                }
                Err(e) => report
                    .notices
                    .push(format!("Warning: {kind} {name:?} was not stored: {e}")),
            }
            continue;
        }
        let kind = obj.kind();
        let key = Key::of(obj.meta());
        let before = live_json(world, kind, &key);
        let rv = world.store.resource_version();
        let verb = if let Some(before) = before {
            let _ = world.update_object(obj, false);
            if world.store.resource_version() == rv {
                "unchanged"
            } else {
                let after = live_json(world, kind, &key).unwrap_or_default();
                let object = format!("{}/{}", kind.qualified(), key.name);
                let found = diff::changes(&before, &after);
                if !found.is_empty() {
                    report.changes.push(diff::ObjectChanges::new(object, found));
                }
                "configured"
            }
        } else {
            world.create_object(obj);
            "created"
        };
        report
            .lines
            .push(format!("{}/{} {verb}", kind.qualified(), key.name));
        world.after_user_change();
    }
    Ok(report)
}

/// The stored object of a simulated kind as JSON, if it exists: what [`diff::changes`] compares.
fn live_json(world: &World, kind: Kind, key: &Key) -> Option<Value> {
    fn json<T: Serialize>(o: Option<&T>) -> Option<Value> {
        o.and_then(|o| serde_json::to_value(o).ok())
    }
    let s = &world.store;
    match kind {
        Kind::Deployment => json(s.deployments.get(key)),
        Kind::ReplicaSet => json(s.replicasets.get(key)),
        Kind::Pod => json(s.pods.get(key)),
        Kind::Namespace => json(s.namespaces.get(key)),
        Kind::StorageClass => json(s.storageclasses.get(key)),
        Kind::PersistentVolume => json(s.persistentvolumes.get(key)),
        Kind::PersistentVolumeClaim => json(s.persistentvolumeclaims.get(key)),
        Kind::Service => json(s.services.get(key)),
        Kind::Endpoints => json(s.endpoints.get(key)),
        Kind::EndpointSlice => json(s.endpointslices.get(key)),
        Kind::StatefulSet => json(s.statefulsets.get(key)),
        Kind::ControllerRevision => json(s.controllerrevisions.get(key)),
        Kind::PodDisruptionBudget => json(s.poddisruptionbudgets.get(key)),
        Kind::DaemonSet => json(s.daemonsets.get(key)),
        _ => None,
    }
}

/// Where [`crate::store::Store::put_other`] keeps an object of a kind outside the simulation.
fn other_key(o: &OtherObject) -> Key {
    let meta = o.value.get("metadata");
    let field = |f: &str| meta.and_then(|m| m.get(f)).and_then(Value::as_str);
    let name = field("name").unwrap_or_default();
    if o.namespaced {
        Key::new(field("namespace").unwrap_or("default"), name)
    } else {
        Key::cluster(name)
    }
}

/// What [`replace`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

/// Writes a whole object as given, as an API `POST` (new object) or `PUT` (existing one) does:
/// `kubectl patch` sends the patched object this way and `kubectl run` a new pod. It is defaulted
/// and validated exactly as `apply` validates it, immutable fields included, but nothing is
/// merged and no last-applied annotation is written. On error nothing is written.
pub fn replace(world: &mut World, value: &Value) -> Result<Written, ManifestErrors> {
    let single = |message: String| ManifestErrors {
        errors: vec![ManifestError {
            document: 1,
            line: None,
            column: None,
            object: None,
            path: None,
            message,
        }],
    };
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let (docs, mut errors) = parse(&text);
    let mut prepared = None;
    if let [doc] = docs.as_slice() {
        let mut ctx = DocCtx {
            index: doc.index,
            first_line: doc.first_line,
            text: &doc.text,
            errors: &mut errors,
            replace: true,
        };
        let ns = value.pointer("/metadata/namespace").and_then(Value::as_str);
        prepared = prepare(world, doc, ns, &[], &mut ctx);
    }
    let obj = match prepared {
        Some(Prepared::Object(o)) if errors.is_empty() => *o,
        Some(Prepared::Other(_)) => {
            return Err(single(
                "objects of kinds kubeplay does not simulate cannot be written this way".into(),
            ))
        }
        _ => return Err(ManifestErrors { errors }),
    };
    let rv = world.store.resource_version();
    let exists = world
        .store
        .by_uid(obj.meta().uid.as_deref().unwrap_or(""))
        .is_some();
    let written = if exists {
        world
            .update_object(obj, false)
            .map_err(|e| single(e.to_string()))?;
        if world.store.resource_version() == rv {
            Written::Unchanged
        } else {
            Written::Updated
        }
    } else {
        world.create_object(obj);
        Written::Created
    };
    world.after_user_change();
    Ok(written)
}

enum Prepared {
    Object(Box<Object>),
    Other(OtherObject),
}

/// The simplified three-way merge of `kubectl apply`: fields in the new manifest win; fields
/// that were in the last applied manifest but are gone from the new one are removed; anything
/// else (set by other means, e.g. `kubectl scale`, or defaulted) is kept. Lists are replaced.
fn three_way(live: &Value, last: Option<&Value>, new: &Value) -> Value {
    match (live, new) {
        (Value::Object(l), Value::Object(n)) => {
            let mut out = l.clone();
            for (k, nv) in n {
                let merged = match l.get(k) {
                    Some(lv) => three_way(lv, last.and_then(|x| x.get(k)), nv),
                    None => nv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            if let Some(Value::Object(la)) = last {
                for k in la.keys() {
                    if !n.contains_key(k) {
                        out.remove(k);
                    }
                }
            }
            Value::Object(out)
        }
        _ => new.clone(),
    }
}

fn set_namespace(raw: &mut Value, flag: Option<&str>, ctx: &mut DocCtx<'_>) -> Option<String> {
    let given = raw
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(String::from);
    let ns = match (given, flag) {
        (Some(g), Some(f)) if g != f => {
            ctx.error(None, Some("metadata.namespace".into()), format!("the namespace from the provided object {g:?} does not match the namespace {f:?}. You must pass '--namespace={g}' to perform this operation."));
            return None;
        }
        (Some(g), _) => g,
        (None, Some(f)) => f.to_string(),
        (None, None) => "default".to_string(),
    };
    if let Some(m) = raw.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("namespace".into(), Value::String(ns.clone()));
    }
    Some(ns)
}

fn prepare(
    world: &World,
    doc: &Document,
    flag: Option<&str>,
    new_namespaces: &[String],
    ctx: &mut DocCtx<'_>,
) -> Option<Prepared> {
    let mut raw = doc.raw.clone();
    let namespaced = !matches!(
        doc.object,
        Parsed::Namespace(_) | Parsed::StorageClass(_) | Parsed::PersistentVolume(_)
    ) && !matches!(&doc.object, Parsed::Other(o) if !o.namespaced);
    if !namespaced {
        // A namespace given for a cluster-scoped object is ignored, as kubectl does.
        if let Some(m) = raw.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("namespace");
        }
    }
    if namespaced {
        let ns = set_namespace(&mut raw, flag, ctx)?;
        if !world.store.namespace_exists(&ns) && !new_namespaces.contains(&ns) {
            ctx.error(
                None,
                Some("metadata.namespace".into()),
                format!("namespaces {ns:?} not found"),
            );
            return None;
        }
    }
    if let Parsed::Other(o) = &doc.object {
        let mut o = o.clone();
        o.value = raw;
        return Some(Prepared::Other(o));
    }
    // Record the manifest as the last-applied configuration.
    let mut applied = raw.clone();
    if let Some(m) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(a) = m.get_mut("annotations").and_then(Value::as_object_mut) {
            a.remove(LAST_APPLIED);
        }
    }
    // kubectl stores the manifest as compact JSON with a trailing newline.
    let last_applied_text = serde_json::to_string(&applied).unwrap_or_default() + "\n";
    let kind_name = raw
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = raw
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let what = format!("{kind_name} {name:?}");
    let key = Key::new(
        if namespaced {
            raw.pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("default")
        } else {
            ""
        },
        name.clone(),
    );

    macro_rules! merged {
        ($ty:ty, $table:ident, $default:expr, $validate:expr, $validate_update:expr, $variant:ident) => {{
            let live: Option<&$ty> = world.store.$table.get(&key);
            let merged_value = match live {
                Some(l) if !ctx.replace => {
                    let mut live_json = serde_json::to_value(l).unwrap_or(Value::Null);
                    if let Some(o) = live_json.as_object_mut() {
                        o.remove("status");
                    }
                    let last: Option<Value> = l
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get(LAST_APPLIED))
                        .and_then(|s| serde_json::from_str(s).ok());
                    three_way(&live_json, last.as_ref(), &raw)
                }
                Some(_) | None => raw.clone(),
            };
            let mut obj: $ty = match decode(merged_value) {
                Ok(o) => o,
                Err(e) => {
                    ctx.error(Some(what.clone()), None, e.to_string());
                    return None;
                }
            };
            if !ctx.replace {
                obj.metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(LAST_APPLIED.into(), last_applied_text.clone());
            }
            #[allow(clippy::redundant_closure_call)]
            ($default)(&mut obj);
            let mut errs = $validate(&obj);
            if let Some(l) = live {
                obj.keep_status(l);
                errs.extend($validate_update(l, &obj));
            }
            if !errs.is_empty() {
                for e in errs {
                    ctx.error(Some(what.clone()), Some(e.path), e.message);
                }
                return None;
            }
            Some(Prepared::Object(Box::new(Object::$variant(obj))))
        }};
    }

    match &doc.object {
        Parsed::Deployment(_) => merged!(
            Deployment,
            deployments,
            defaults::deployment,
            validate::deployment,
            validate::deployment_update,
            Deployment
        ),
        Parsed::ReplicaSet(_) => merged!(
            ReplicaSet,
            replicasets,
            defaults::replica_set,
            validate::replica_set,
            validate::replica_set_update,
            ReplicaSet
        ),
        Parsed::Pod(_) => merged!(
            Pod,
            pods,
            |p: &mut Pod| {
                if let Some(s) = p.spec.as_mut() {
                    defaults::pod_spec(s)
                }
            },
            validate::pod,
            validate::pod_update,
            Pod
        ),
        Parsed::Namespace(_) => {
            let mut n: Namespace = match decode(raw.clone()) {
                Ok(n) => n,
                Err(e) => {
                    ctx.error(Some(what), None, e.to_string());
                    return None;
                }
            };
            let errs = validate::metadata(&n.metadata, true);
            if !errs.is_empty() {
                for e in errs {
                    ctx.error(Some(what.clone()), Some(e.path), e.message);
                }
                return None;
            }
            n.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert("kubernetes.io/metadata.name".into(), name.clone());
            n.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(LAST_APPLIED.into(), last_applied_text);
            Some(Prepared::Object(Box::new(Object::Namespace(
                cluster::namespace_with_status(n),
            ))))
        }
        Parsed::StorageClass(_) => merged!(
            StorageClass,
            storageclasses,
            defaults::storage_class,
            validate::storage_class,
            validate::storage_class_update,
            StorageClass
        ),
        Parsed::PersistentVolume(_) => merged!(
            PersistentVolume,
            persistentvolumes,
            defaults::persistent_volume,
            validate::persistent_volume,
            validate::persistent_volume_update,
            PersistentVolume
        ),
        Parsed::PersistentVolumeClaim(_) => {
            let prepared = merged!(
                PersistentVolumeClaim,
                persistentvolumeclaims,
                defaults::persistent_volume_claim,
                validate::persistent_volume_claim,
                validate::persistent_volume_claim_update,
                PersistentVolumeClaim
            );
            if let Some(Prepared::Object(o)) = &prepared {
                if let (Object::PersistentVolumeClaim(new), Some(live)) =
                    (&**o, world.store.persistentvolumeclaims.get(&key))
                {
                    if let Err(m) =
                        crate::controllers::volume::admit_resize(&world.store, live, new)
                    {
                        ctx.error(None, None, m);
                        return None;
                    }
                }
            }
            prepared
        }
        Parsed::Service(_) => {
            let live_service = world.store.services.get(&key);
            let prepared = merged!(
                Service,
                services,
                |s: &mut Service| {
                    if let Some(old) = live_service {
                        defaults::normalize_cluster_ips(old, s);
                    }
                    defaults::service(s)
                },
                validate::service,
                validate::service_update,
                Service
            );
            if let Some(Prepared::Object(o)) = &prepared {
                if let Object::Service(svc) = &**o {
                    let errs = validate::service_allocation(&world.store, svc);
                    if !errs.is_empty() {
                        for e in errs {
                            ctx.error(Some(what.clone()), Some(e.path), e.message);
                        }
                        return None;
                    }
                }
            }
            prepared
        }
        Parsed::Endpoints(_) => merged!(
            Endpoints,
            endpoints,
            defaults::endpoints,
            validate::endpoints,
            validate::endpoints_update,
            Endpoints
        ),
        Parsed::EndpointSlice(_) => merged!(
            EndpointSlice,
            endpointslices,
            defaults::endpoint_slice,
            validate::endpoint_slice,
            validate::endpoint_slice_update,
            EndpointSlice
        ),
        Parsed::StatefulSet(_) => merged!(
            StatefulSet,
            statefulsets,
            defaults::stateful_set,
            validate::stateful_set,
            validate::stateful_set_update,
            StatefulSet
        ),
        Parsed::ControllerRevision(_) => merged!(
            ControllerRevision,
            controllerrevisions,
            |_: &mut ControllerRevision| {},
            validate::controller_revision,
            validate::controller_revision_update,
            ControllerRevision
        ),
        Parsed::PodDisruptionBudget(_) => merged!(
            PodDisruptionBudget,
            poddisruptionbudgets,
            |_: &mut PodDisruptionBudget| {},
            validate::pod_disruption_budget,
            |_: &PodDisruptionBudget, _: &PodDisruptionBudget| Vec::new(),
            PodDisruptionBudget
        ),
        Parsed::DaemonSet(_) => merged!(
            DaemonSet,
            daemonsets,
            defaults::daemon_set,
            validate::daemon_set,
            validate::daemon_set_update,
            DaemonSet
        ),
        Parsed::Other(_) => None,
    }
}

/// An apply never writes status: the live object's status is kept.
trait KeepStatus {
    fn keep_status(&mut self, live: &Self);
}

macro_rules! keep_status {
    ($($ty:ty),*) => {$(
        impl KeepStatus for $ty {
            fn keep_status(&mut self, live: &Self) {
                self.status = live.status.clone();
            }
        }
    )*};
}

keep_status!(
    Deployment,
    ReplicaSet,
    Pod,
    PersistentVolume,
    PersistentVolumeClaim,
    Service,
    StatefulSet,
    PodDisruptionBudget,
    DaemonSet
);

macro_rules! no_status {
    ($($ty:ty),*) => {$(
        impl KeepStatus for $ty {
            fn keep_status(&mut self, _live: &Self) {}
        }
    )*};
}

no_status!(StorageClass, Endpoints, EndpointSlice, ControllerRevision);

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
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
";

    #[test]
    fn documents_are_split_with_their_first_lines() {
        let text = format!(
            "# comment\n---\n{GOOD}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        );
        let (docs, errors) = parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].index, 1);
        assert_eq!(docs[0].first_line, 3);
        assert_eq!(docs[1].index, 2);
        assert!(matches!(docs[1].object, Parsed::Other(_)));
    }

    #[test]
    fn type_errors_carry_line_column_and_path() {
        let bad = GOOD.replace("replicas: 2", "replicas: two");
        let text = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\n{bad}");
        let (_, errors) = parse(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert_eq!(
            (e.document, e.line, e.path.as_deref()),
            (2, Some(11), Some("spec.replicas"))
        );
        assert!(
            e.message.contains("invalid type: string \"two\""),
            "{}",
            e.message
        );
        assert!(
            e.message.starts_with("invalid type"),
            "the path is said once: {}",
            e.message
        );
    }

    #[test]
    fn unknown_fields_are_strict_errors_at_their_line() {
        let bad = GOOD.replace("  replicas: 2", "  replica: 2");
        let (_, errors) = parse(&bad);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path.as_deref(), Some("spec.replica"));
        assert_eq!(errors[0].line, Some(6));
        assert_eq!(
            errors[0].message,
            "strict decoding error: unknown field \"spec.replica\""
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let (_, errors) = parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].line.is_some());
        assert!(errors[0]
            .message
            .starts_with("error converting YAML to JSON"));
    }

    #[test]
    fn removed_api_versions_name_the_replacement() {
        let (_, errors) = parse(&GOOD.replace("apps/v1", "extensions/v1beta1"));
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .message
            .contains("no matches for kind \"Deployment\" in version \"extensions/v1beta1\""));
        assert!(errors[0].message.contains("use apiVersion: apps/v1"));
        assert_eq!(errors[0].line, Some(1));
    }

    #[test]
    fn unknown_kinds_are_refused_like_missing_crds() {
        let (_, errors) = parse("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
        assert!(errors[0]
            .message
            .ends_with("ensure CRDs are installed first"));
    }

    #[test]
    fn json_and_lists_parse() {
        let json = serde_json::to_string(&yaml_serde::from_str::<Value>(GOOD).unwrap()).unwrap();
        let (docs, errors) = parse(&json);
        assert!(errors.is_empty());
        assert!(matches!(docs[0].object, Parsed::Deployment(_)));
        let list = format!("{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{json},{json}]}}");
        assert_eq!(parse(&list).0.len(), 2);
    }

    #[test]
    fn three_way_merge_keeps_fields_set_elsewhere() {
        let live = serde_json::json!({"spec": {"replicas": 5, "paused": false}});
        let last = serde_json::json!({"spec": {"paused": false}});
        let new = serde_json::json!({"spec": {}});
        assert_eq!(
            three_way(&live, Some(&last), &new),
            serde_json::json!({"spec": {"replicas": 5}})
        );
    }

    fn nginx(replicas: u32, image: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: nginx}}\n  template:\n    metadata:\n      labels: {{app: nginx}}\n    spec:\n      containers:\n      - name: nginx\n        image: {image}\n"
        )
    }

    fn change_lines(r: &ApplyReport) -> Vec<String> {
        r.changes.iter().flat_map(|c| c.lines()).collect()
    }

    #[test]
    fn a_reapply_reports_exactly_the_fields_it_changed() {
        let mut w = World::new(1);
        let created = apply(&mut w, &nginx(3, "nginx:1.25.3")).unwrap();
        assert_eq!(created.lines, vec!["deployment.apps/nginx created"]);
        assert!(created.changes.is_empty());
        w.settle(crate::time::Dur::mins(5));

        let scaled = apply(&mut w, &nginx(5, "nginx:1.25.3")).unwrap();
        assert_eq!(scaled.lines, vec!["deployment.apps/nginx configured"]);
        assert_eq!(
            change_lines(&scaled),
            vec!["deployment.apps/nginx: spec.replicas 3 → 5"]
        );
        w.settle(crate::time::Dur::mins(5));

        let rolled = apply(&mut w, &nginx(5, "nginx:1.26.0")).unwrap();
        assert_eq!(
            rolled.changes,
            vec![diff::ObjectChanges {
                object: "deployment.apps/nginx".into(),
                changes: vec![diff::Change {
                    path: "spec.template.spec.containers[name=nginx].image".into(),
                    before: Some("nginx:1.25.3".into()),
                    after: Some("nginx:1.26.0".into()),
                }],
                omitted: 0,
            }]
        );
        w.settle(crate::time::Dur::mins(5));

        let same = apply(&mut w, &nginx(5, "nginx:1.26.0")).unwrap();
        assert_eq!(same.lines, vec!["deployment.apps/nginx unchanged"]);
        assert!(same.changes.is_empty());
    }

    #[test]
    fn objects_outside_the_simulation_report_their_changes_too() {
        let mut w = World::new(1);
        let cm = |v: &str| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  level: {v}\n")
        };
        let first = apply(
            &mut w,
            &format!("{}---\n{}", cm("debug"), nginx(1, "nginx:1.25.3")),
        )
        .unwrap();
        assert!(first.changes.is_empty());
        let second = apply(
            &mut w,
            &format!("{}---\n{}", cm("info"), nginx(1, "nginx:1.25.3")),
        )
        .unwrap();
        assert_eq!(
            second.lines,
            vec!["configmap/c configured", "deployment.apps/nginx unchanged"]
        );
        assert_eq!(
            change_lines(&second),
            vec!["configmap/c: data.level debug → info"]
        );
    }
}
