//! Evaluating a [`Check`] against a world.
//!
//! Every evaluation says whether the check holds and, in a few words, what was found
//! ("2 of the 3 wanted", "no such event yet"), so a learner sees how far they are.

use k8s_openapi::api::core::v1::Event;
use serde_json::Value;

use super::{Check, EventMatch, FileCheck, ObjectsCheck, Where};
use crate::files::FsId;
use crate::kubectl::{get, resolve_type, ResType};
use crate::labels::Selector;
use crate::manifest::locate::{parse_path, Seg};
use crate::podutil;
use crate::sim::World;
use crate::store::Key;

/// Whether a check holds, and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub passed: bool,
    pub found: String,
}

impl Evaluation {
    fn new(passed: bool, found: impl Into<String>) -> Evaluation {
        Evaluation {
            passed,
            found: found.into(),
        }
    }
}

/// Evaluates a check (one that [`super::Lesson::parse`] accepted) against the world.
pub fn evaluate(world: &World, check: &Check) -> Evaluation {
    if let Some(o) = &check.objects {
        objects(world, o)
    } else if let Some(f) = &check.file {
        file(world, f)
    } else if let Some(e) = &check.event {
        let times: u64 = world
            .store()
            .events
            .iter()
            .filter(|ev| event_matches(ev, e))
            .map(|ev| ev.count.unwrap_or(1).max(1) as u64)
            .sum();
        let wanted = e.times.unwrap_or(1);
        let found = match (times, wanted) {
            (0, _) => "no such event yet".to_string(),
            (1, 1) => "it happened".to_string(),
            (n, 1) => format!("it happened {n} times"),
            (n, w) => format!("it happened {n} of the {w} times wanted"),
        };
        Evaluation::new(times >= wanted, found)
    } else if let Some(order) = &check.order {
        in_order(world, order)
    } else {
        Evaluation::new(false, "nothing to check")
    }
}

fn objects(world: &World, o: &ObjectsCheck) -> Evaluation {
    let Some(t) = resolve_type(&o.kind) else {
        return Evaluation::new(false, format!("unknown kind {:?}", o.kind));
    };
    let namespaced = match t {
        ResType::Sim(k) => k.namespaced(),
        ResType::Other(..) => true,
    };
    let ns = match o.namespace.as_deref() {
        _ if !namespaced => None,
        Some("*") => None,
        Some(n) => Some(n),
        None => Some("default"),
    };
    let selector = match o.selector.as_deref().map(Selector::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return Evaluation::new(false, e),
        None => None,
    };
    let mut selected = 0u64;
    let mut matched = 0u64;
    for item in get::list(world, t, ns) {
        let meta = item.meta();
        if o.name
            .as_ref()
            .is_some_and(|n| meta.name.as_ref() != Some(n))
        {
            continue;
        }
        if selector
            .as_ref()
            .is_some_and(|s| !s.matches_opt(meta.labels.as_ref()))
        {
            continue;
        }
        selected += 1;
        if holds(&item, &o.where_) {
            matched += 1;
        }
    }
    let (min, max) = match (o.count, o.min, o.max) {
        (Some(c), _, _) => (c, Some(c)),
        (None, None, None) => (1, None),
        (None, min, max) => (min.unwrap_or(0), max),
    };
    let passed = matched >= min && max.is_none_or(|m| matched <= m);
    let wanted = match (min, max) {
        (a, Some(b)) if a == b => format!("{a}"),
        (0, Some(b)) => format!("at most {b}"),
        (a, None) => format!("at least {a}"),
        (a, Some(b)) => format!("{a} to {b}"),
    };
    let found = if o.where_.is_empty() {
        format!("{matched} found, {wanted} wanted")
    } else {
        format!("{matched} of {selected} match, {wanted} wanted")
    };
    Evaluation::new(passed, found)
}

/// Whether one object meets every condition given.
fn holds(item: &get::Item, w: &Where) -> bool {
    let json = item.to_json();
    let pod = match item {
        get::Item::Pod(p) => Some(p),
        _ => None,
    };
    let str_at = |ptr: &str| json.pointer(ptr).and_then(Value::as_str);
    if let Some(phase) = &w.phase {
        if str_at("/status/phase") != Some(phase) {
            return false;
        }
    }
    if let Some(status) = &w.status {
        if pod.is_none_or(|p| podutil::display_status(p) != *status) {
            return false;
        }
    }
    if let Some(ready) = w.ready {
        if (condition_status(&json, "Ready").as_deref() == Some("True")) != ready {
            return false;
        }
    }
    if let Some(t) = w.terminating {
        if json.pointer("/metadata/deletionTimestamp").is_some() != t {
            return false;
        }
    }
    if let Some(image) = &w.image {
        let runs = ["/spec/containers", "/spec/template/spec/containers"]
            .iter()
            .filter_map(|p| json.pointer(p).and_then(Value::as_array))
            .flatten()
            .any(|c| c.get("image").and_then(Value::as_str) == Some(image));
        if !runs {
            return false;
        }
    }
    if let Some(node) = &w.node {
        if str_at("/spec/nodeName") != Some(node) {
            return false;
        }
    }
    if let Some(c) = &w.condition {
        if condition_status(&json, &c.type_).as_deref() != Some(c.status.as_str()) {
            return false;
        }
    }
    w.fields
        .iter()
        .all(|(path, want)| same_value(value_at(&json, path), want))
}

fn condition_status(json: &Value, type_: &str) -> Option<String> {
    json.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
        .and_then(|c| c.get("status")?.as_str().map(String::from))
}

/// The value at a field path (`a.b[0].c`, `metadata.labels[app.kubernetes.io/name]`).
pub fn value_at<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = json;
    for seg in parse_path(path) {
        v = match seg {
            Seg::Key(k) => v.get(k.as_str())?,
            Seg::Index(i) => v.get(i)?,
        };
    }
    Some(v)
}

/// Compares a field with what a lesson wrote: numbers by value, a string against a scalar by
/// its text (`"3"` matches `3`), `null` matches an absent field.
fn same_value(got: Option<&Value>, want: &Value) -> bool {
    match (got, want) {
        (None | Some(Value::Null), Value::Null) => true,
        (None, _) => false,
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Some(Value::String(a)), Value::Number(_) | Value::Bool(_)) => {
            serde_json::from_str::<Value>(a).ok().as_ref() == Some(want)
        }
        (Some(a @ (Value::Number(_) | Value::Bool(_))), Value::String(b)) => {
            serde_json::from_str::<Value>(b).ok().as_ref() == Some(a)
        }
        (Some(a), b) => a == b,
    }
}

fn file(world: &World, f: &FileCheck) -> Evaluation {
    let volume = match (&f.volume, &f.claim) {
        (Some(v), _) => v.clone(),
        (None, Some(claim)) => {
            let ns = f.namespace.as_deref().unwrap_or("default");
            let Some(pvc) = world
                .store()
                .persistentvolumeclaims
                .get(&Key::new(ns, claim.as_str()))
            else {
                return Evaluation::new(false, format!("no claim {claim}"));
            };
            match pvc.spec.as_ref().and_then(|s| s.volume_name.clone()) {
                Some(v) if !v.is_empty() => v,
                _ => return Evaluation::new(false, format!("claim {claim} is not bound")),
            }
        }
        (None, None) => return Evaluation::new(false, "no volume named"),
    };
    let Some(fs) = world.files().get(&FsId::Volume(volume.clone())) else {
        return Evaluation::new(false, format!("volume {volume} holds no files"));
    };
    let Ok(data) = fs.read(&f.path) else {
        return Evaluation::new(false, format!("no file {} in volume {volume}", f.path));
    };
    let passed = match (&f.contains, &f.equals) {
        (Some(c), _) => data.contains(c.as_str()),
        (None, Some(e)) => data.trim_end_matches('\n') == e.trim_end_matches('\n'),
        (None, None) => true,
    };
    let shown: String = data.chars().take(40).collect();
    let more = if data.chars().count() > 40 { "…" } else { "" };
    Evaluation::new(passed, format!("{} holds {shown:?}{more}", f.path))
}

fn event_matches(e: &Event, m: &EventMatch) -> bool {
    let io = &e.involved_object;
    let kind_ok = m.kind.as_deref().is_none_or(|k| {
        let want = match resolve_type(k) {
            Some(ResType::Sim(kind)) => kind.name().to_string(),
            Some(ResType::Other(kind, _)) => kind.to_string(),
            None => k.to_string(),
        };
        io.kind.as_deref() == Some(want.as_str())
    });
    kind_ok
        && m.name
            .as_deref()
            .is_none_or(|n| io.name.as_deref() == Some(n))
        && m.namespace
            .as_deref()
            .is_none_or(|n| io.namespace.as_deref() == Some(n))
        && m.reason
            .as_deref()
            .is_none_or(|r| e.reason.as_deref() == Some(r))
        && m.type_
            .as_deref()
            .is_none_or(|t| e.type_.as_deref() == Some(t))
        && m.message
            .as_deref()
            .is_none_or(|t| e.message.as_deref().is_some_and(|msg| msg.contains(t)))
}

/// When an event was first recorded, as an orderable stamp: the hexadecimal nanoseconds the
/// recorder puts in every Event's name (`web-0.18a2…`), which orders events within a second.
fn stamp(e: &Event) -> u128 {
    e.metadata
        .name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .and_then(|(_, hex)| u128::from_str_radix(hex, 16).ok())
        .unwrap_or(u128::MAX)
}

/// The earliest matching event's stamp.
fn first_occurrence(world: &World, m: &EventMatch) -> Option<u128> {
    world
        .store()
        .events
        .iter()
        .filter(|e| event_matches(e, m))
        .map(stamp)
        .min()
}

fn describe(m: &EventMatch) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &m.reason {
        parts.push(r.clone());
    }
    match (&m.kind, &m.name) {
        (Some(k), Some(n)) => parts.push(format!("{k}/{n}")),
        (Some(k), None) => parts.push(k.clone()),
        (None, Some(n)) => parts.push(n.clone()),
        (None, None) => {}
    }
    if let Some(t) = &m.message {
        parts.push(format!("{t:?}"));
    }
    parts.join(" ")
}

fn in_order(world: &World, order: &[EventMatch]) -> Evaluation {
    let mut last: Option<u128> = None;
    for (i, m) in order.iter().enumerate() {
        let Some(at) = first_occurrence(world, m) else {
            return Evaluation::new(false, format!("{} has not happened yet", describe(m)));
        };
        if last.is_some_and(|l| at <= l) {
            return Evaluation::new(
                false,
                format!("{} came before {}", describe(m), describe(&order[i - 1])),
            );
        }
        last = Some(at);
    }
    Evaluation::new(true, "in that order")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{ConditionMatch, FileCheck};
    use crate::time::Dur;

    fn world_with_web() -> World {
        let mut w = World::new(3);
        crate::manifest::apply(
            &mut w,
            "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 2
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.25}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
",
        )
        .expect("applies");
        w.settle(Dur::mins(5));
        w
    }

    fn objects(o: ObjectsCheck) -> Check {
        Check {
            title: "t".into(),
            objects: Some(o),
            file: None,
            event: None,
            order: None,
        }
    }

    #[test]
    fn counts_pods_by_selector_and_readiness() {
        let w = world_with_web();
        let mut o = ObjectsCheck {
            kind: "pods".into(),
            selector: Some("app=web".into()),
            where_: Where {
                ready: Some(true),
                image: Some("nginx:1.25".into()),
                ..Default::default()
            },
            count: Some(2),
            ..Default::default()
        };
        let e = evaluate(&w, &objects(o.clone()));
        assert!(e.passed, "{e:?}");
        assert_eq!(e.found, "2 of 2 match, 2 wanted");
        o.count = Some(3);
        assert!(!evaluate(&w, &objects(o.clone())).passed);
        o.where_.image = Some("nginx:1.26".into());
        o.count = Some(0);
        assert!(evaluate(&w, &objects(o)).passed);
    }

    #[test]
    fn fields_conditions_and_phases() {
        let w = world_with_web();
        let sts = ObjectsCheck {
            kind: "sts".into(),
            name: Some("web".into()),
            where_: Where {
                fields: [
                    ("status.readyReplicas".to_string(), Value::from(2)),
                    (
                        "spec.template.spec.containers[0].image".to_string(),
                        Value::from("nginx:1.25"),
                    ),
                    ("spec.paused".to_string(), Value::Null),
                ]
                .into(),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(evaluate(&w, &objects(sts)).passed);
        let claims = ObjectsCheck {
            kind: "PersistentVolumeClaim".into(),
            where_: Where {
                phase: Some("Bound".into()),
                ..Default::default()
            },
            count: Some(2),
            ..Default::default()
        };
        assert!(evaluate(&w, &objects(claims)).passed);
        let nodes = ObjectsCheck {
            kind: "node".into(),
            namespace: Some("ignored-for-nodes".into()),
            where_: Where {
                condition: Some(ConditionMatch {
                    type_: "Ready".into(),
                    status: "True".into(),
                }),
                ..Default::default()
            },
            count: Some(3),
            ..Default::default()
        };
        assert!(evaluate(&w, &objects(nodes)).passed);
    }

    #[test]
    fn files_are_read_through_their_claim() {
        let mut w = world_with_web();
        let out = crate::kubectl::run(
            &mut w,
            "exec web-0 -- sh -c 'echo hello > /usr/share/nginx/html/index.html'",
            &crate::kubectl::NoFiles,
        );
        // The pod template mounts nothing: the write lands in the container layer.
        assert!(out.ok, "{out:?}");
        let check = |path: &str, contains: Option<&str>| Check {
            title: "t".into(),
            objects: None,
            file: Some(FileCheck {
                claim: Some("data-web-0".into()),
                path: path.into(),
                contains: contains.map(String::from),
                ..Default::default()
            }),
            event: None,
            order: None,
        };
        let e = evaluate(&w, &check("/index.html", None));
        assert!(!e.passed);
        assert!(
            e.found.contains("holds no files") || e.found.contains("no file"),
            "{e:?}"
        );
        let e = evaluate(
            &w,
            &Check {
                file: Some(FileCheck {
                    claim: Some("data-web-7".into()),
                    path: "/x".into(),
                    ..Default::default()
                }),
                ..check("/x", None)
            },
        );
        assert_eq!(e.found, "no claim data-web-7");
    }

    #[test]
    fn field_values_compare_by_value_across_text_and_numbers() {
        use serde_json::json;
        assert!(same_value(Some(&json!("4")), &json!(4)));
        assert!(same_value(Some(&json!(4)), &json!("4")));
        assert!(same_value(Some(&json!(true)), &json!("true")));
        assert!(same_value(Some(&json!(2.0)), &json!(2)));
        assert!(same_value(None, &Value::Null));
        assert!(!same_value(None, &json!(0)));
        assert!(!same_value(Some(&json!("4x")), &json!(4)));
        assert!(!same_value(Some(&json!(3)), &json!("three")));
    }

    #[test]
    fn events_and_their_order() {
        let w = world_with_web();
        let created = |pod: &str| EventMatch {
            reason: Some("SuccessfulCreate".into()),
            kind: Some("statefulset".into()),
            message: Some(format!("Pod {pod} ")),
            ..Default::default()
        };
        let order = |a, b| Check {
            title: "t".into(),
            objects: None,
            file: None,
            event: None,
            order: Some(vec![created(a), created(b)]),
        };
        let e = evaluate(&w, &order("web-0", "web-1"));
        assert!(e.passed, "{e:?}");
        let e = evaluate(&w, &order("web-1", "web-0"));
        assert!(!e.passed);
        assert!(e.found.contains("came before"), "{e:?}");
        let e = evaluate(&w, &order("web-0", "web-2"));
        assert!(e.found.contains("has not happened yet"), "{e:?}");
    }
}
