//! Commands that change objects: apply, create, scale, set image, label, annotate, delete,
//! cordon. Each validates first and changes nothing when it fails.

use super::get::{find, list, namespace_scope, not_found, targets, Item};
use super::{Args, FileSource, Output, ResType};
use crate::controllers::deployment::util::CHANGE_CAUSE;
use crate::controllers::Object;
use crate::labels::{check_key, check_value, Selector};
use crate::manifest::{self, validate};
use crate::sim::World;
use crate::store::{Key, Kind, Propagation};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

fn read_source(
    args: &Args,
    files: &dyn FileSource,
    stdin: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let paths = args.all("filename");
    if paths.is_empty() {
        return Err("error: must specify one of -f and -k".into());
    }
    paths
        .iter()
        .map(|p| {
            if *p == "-" {
                stdin
                    .map(|s| ("STDIN".to_string(), s.to_string()))
                    .ok_or_else(|| "error: no standard input to read the manifest from".to_string())
            } else {
                files
                    .read(p)
                    .map(|t| (p.to_string(), t))
                    .map_err(|e| format!("error: {e}"))
            }
        })
        .collect()
}

fn manifest_error(source: &str, e: manifest::ManifestErrors) -> String {
    e.errors
        .iter()
        .map(|e| format!("error: {source}: {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `kubectl apply -f`.
pub fn apply(
    world: &mut World,
    args: &Args,
    files: &dyn FileSource,
    stdin: Option<&str>,
) -> Result<Output, String> {
    let sources = read_source(args, files, stdin)?;
    // Validate every file before applying any, so a bad second file changes nothing.
    let text: String = sources.iter().map(|(_, t)| format!("{t}\n---\n")).collect();
    for (name, t) in &sources {
        let (_, errors) = manifest::parse(t);
        if !errors.is_empty() {
            return Err(manifest_error(name, manifest::ManifestErrors { errors }));
        }
    }
    let ns = args.flag("namespace");
    match manifest::apply_in(world, &text, ns) {
        Ok(report) => Ok(Output::out(report.lines.join("\n")).with_warnings(&report.notices)),
        Err(e) => Err(manifest_error(
            &sources
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(","),
            e,
        )),
    }
}

fn container_name(image: &str) -> String {
    let base = image.split('@').next().unwrap_or(image);
    let last = base.rsplit('/').next().unwrap_or(base);
    let name = last.split(':').next().unwrap_or(last);
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// `kubectl create deployment NAME --image=… [--replicas=N] [--port=N]` and `create -f`.
pub fn create(
    world: &mut World,
    args: &Args,
    files: &dyn FileSource,
    stdin: Option<&str>,
) -> Result<Output, String> {
    if !args.all("filename").is_empty() {
        let sources = read_source(args, files, stdin)?;
        for (name, text) in &sources {
            let (docs, errors) = manifest::parse(text);
            if !errors.is_empty() {
                return Err(manifest_error(name, manifest::ManifestErrors { errors }));
            }
            for d in docs {
                let kind = d
                    .raw
                    .get("kind")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let n = d
                    .raw
                    .pointer("/metadata/name")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let ns = d
                    .raw
                    .pointer("/metadata/namespace")
                    .and_then(|v| v.as_str())
                    .or(args.flag("namespace"))
                    .unwrap_or("default");
                if let Some(t) = super::resolve_type(kind) {
                    if find(world, t, ns, n).is_some() {
                        return Err(format!("Error from server (AlreadyExists): error when creating {name:?}: {} {n:?} already exists", plural(t)));
                    }
                }
            }
        }
        let text: String = sources.iter().map(|(_, t)| format!("{t}\n---\n")).collect();
        return match manifest::apply_in(world, &text, args.flag("namespace")) {
            Ok(r) => Ok(Output::out(
                r.lines
                    .join("\n")
                    .replace(" configured", " created")
                    .replace(" unchanged", " created"),
            )
            .with_warnings(&r.notices)),
            Err(e) => Err(manifest_error("STDIN", e)),
        };
    }
    let (what, name) = match args.positional.as_slice() {
        [w, n] => (w.as_str(), n.clone()),
        [w] if w == "deployment" || w == "deploy" => {
            return Err("error: exactly one NAME is required, got 0".into())
        }
        _ => {
            return Err(
                "error: kubeplay can create: deployment NAME --image=IMAGE, or -f FILE".into(),
            )
        }
    };
    if what != "deployment" && what != "deploy" {
        return Err(format!(
            "error: kubeplay cannot create {what:?} from flags; write a manifest and use apply -f"
        ));
    }
    let images = args.all("image");
    if images.is_empty() {
        return Err("error: required flag(s) \"image\" not set".into());
    }
    let replicas = args.int32("replicas")?.unwrap_or(1);
    let port = args.int32("port")?;
    let ns = args.flag("namespace").unwrap_or("default").to_string();
    let labels: BTreeMap<String, String> = [("app".to_string(), name.clone())].into();
    let containers = images
        .iter()
        .map(|img| Container {
            name: container_name(img),
            image: Some(img.to_string()),
            ports: port.map(|p| {
                vec![ContainerPort {
                    container_port: p,
                    ..Default::default()
                }]
            }),
            ..Default::default()
        })
        .collect();
    let d = Deployment {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(ns.clone()),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers,
                    ..Default::default()
                }),
            },
            ..Default::default()
        },
        status: None,
    };
    let mut d = d;
    manifest::defaults::deployment(&mut d);
    let errs = validate::deployment(&d);
    if let Some(e) = errs.first() {
        return Err(format!(
            "error: failed to create deployment: Deployment.apps {name:?} is invalid: {}: {}",
            e.path, e.message
        ));
    }
    if !world.store().namespace_exists(&ns) {
        return Err(format!(
            "error: failed to create deployment: namespaces {ns:?} not found"
        ));
    }
    if world
        .store()
        .deployments
        .get(&Key::new(ns.clone(), name.clone()))
        .is_some()
    {
        return Err(format!(
            "error: failed to create deployment: deployments.apps {name:?} already exists"
        ));
    }
    world.create_object(Object::Deployment(d));
    world.after_user_change();
    Ok(Output::out(format!("deployment.apps/{name} created")))
}

fn plural(t: ResType) -> String {
    match t {
        ResType::Sim(k) => crate::store::resource_name(k).to_string(),
        ResType::Other(_, p) => p.to_string(),
    }
}

/// One `TYPE/NAME` or `TYPE NAME` target that must exist.
pub(super) fn single(
    world: &World,
    args: &Args,
    verb: &str,
) -> Result<(ResType, String, Item), String> {
    let groups = targets(&args.positional)?;
    let ns = args.flag("namespace").unwrap_or("default");
    let [(t, names)] = groups.as_slice() else {
        return Err(format!("error: {verb} needs exactly one resource"));
    };
    let [name] = names.as_slice() else {
        return Err(format!(
            "error: {verb} needs exactly one resource name, e.g. deployment/NAME"
        ));
    };
    let item = find(world, *t, ns, name).ok_or_else(|| not_found(*t, name))?;
    Ok((*t, name.clone(), item))
}

/// `kubectl scale TYPE/NAME --replicas=N`.
pub fn scale(world: &mut World, args: &Args) -> Result<Output, String> {
    let replicas =
        match args.int("replicas")? {
            Some(r) if r >= 0 => r,
            _ => return Err(
                "error: --replicas=COUNT is required, and COUNT must be greater than or equal to 0"
                    .into(),
            ),
        };
    let (_, name, item) = single(world, args, "scale")?;
    // The scale subresource takes an int32 and validates it as the object's own field.
    let kind = match &item {
        Item::Deployment(_) => Some("Deployment"),
        Item::ReplicaSet(_) => Some("ReplicaSet"),
        Item::StatefulSet(_) => Some("StatefulSet"),
        _ => None,
    };
    if let (Some(kind), Some(e)) = (kind, validate::replicas("spec.replicas", Some(replicas))) {
        return Err(format!(
            "The {kind} {name:?} is invalid: {}: {}",
            e.path, e.message
        ));
    }
    let replicas = i32::try_from(replicas).unwrap_or(i32::MAX);
    match item {
        Item::Deployment(mut d) => {
            d.spec.replicas = Some(replicas);
            world
                .update_object(Object::Deployment(d), false)
                .map_err(|e| e.to_string())?;
        }
        Item::ReplicaSet(mut r) => {
            r.spec.replicas = Some(replicas);
            world
                .update_object(Object::ReplicaSet(r), false)
                .map_err(|e| e.to_string())?;
        }
        Item::StatefulSet(mut s) => {
            s.spec.replicas = Some(replicas);
            world
                .update_object(Object::StatefulSet(s), false)
                .map_err(|e| e.to_string())?;
        }
        // A DaemonSet has no scale subresource: the GET of `/scale` is a 404.
        Item::DaemonSet(_) => {
            return Err(
                "Error from server (NotFound): the server could not find the requested resource"
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "error: cannot scale {}: only deployments, replicasets and statefulsets can be scaled here",
                other.qualified()
            ))
        }
    }
    world.after_user_change();
    let q = match args.positional[0]
        .split('/')
        .next()
        .and_then(super::resolve_type)
    {
        Some(ResType::Sim(k)) => k.qualified(),
        _ => "deployment.apps",
    };
    Ok(Output::out(format!("{q}/{name} scaled")))
}

/// `kubectl set image deployment/NAME CONTAINER=IMAGE…` (`*=IMAGE` sets every container).
pub fn set(world: &mut World, args: &Args) -> Result<Output, String> {
    let Some(("image", rest)) = args.positional.split_first().map(|(a, b)| (a.as_str(), b)) else {
        return Err("error: kubeplay supports `set image TYPE/NAME CONTAINER=IMAGE`".into());
    };
    let (targets_words, pairs): (Vec<String>, Vec<String>) =
        rest.iter().cloned().partition(|w| !w.contains('='));
    if pairs.is_empty() {
        return Err("error: at least one image update is required".into());
    }
    let sub = Args {
        positional: targets_words,
        flags: args.flags.clone(),
    };
    let (_, name, item) = single(world, &sub, "set image")?;
    let qualified = item.qualified();
    let (mut object, template) = match item {
        Item::Deployment(d) => {
            let t = d.spec.template.clone();
            (Object::Deployment(d), t)
        }
        Item::StatefulSet(s) => {
            let t = s.spec.template.clone();
            (Object::StatefulSet(s), t)
        }
        Item::DaemonSet(d) => {
            let t = d.spec.template.clone();
            (Object::DaemonSet(d), t)
        }
        _ => {
            return Err(
                "error: set image works on deployments, statefulsets and daemonsets here".into(),
            )
        }
    };
    let mut template = template;
    let spec = template.spec.get_or_insert_with(Default::default);
    for p in &pairs {
        let (c, img) = p.split_once('=').unwrap_or((p, ""));
        if img.is_empty() {
            return Err(format!(
                "error: invalid image update {p:?}: expected CONTAINER=IMAGE"
            ));
        }
        let mut found = false;
        for container in spec.containers.iter_mut() {
            if c == "*" || container.name == c {
                container.image = Some(img.to_string());
                found = true;
            }
        }
        if !found {
            return Err(format!("error: unable to find container named {c:?}"));
        }
    }
    if args.bool("record") {
        let cause = format!(
            "kubectl set image {} {} --record=true",
            args.positional.get(1).cloned().unwrap_or_default(),
            pairs.join(" ")
        );
        object
            .meta_mut()
            .annotations
            .get_or_insert_with(Default::default)
            .insert(CHANGE_CAUSE.into(), cause);
    }
    match &mut object {
        Object::Deployment(d) => d.spec.template = template,
        Object::StatefulSet(s) => s.spec.template = template,
        Object::DaemonSet(d) => d.spec.template = template,
        _ => {}
    }
    world
        .update_object(object, false)
        .map_err(|e| e.to_string())?;
    world.after_user_change();
    Ok(Output::out(format!("{qualified}/{name} image updated")))
}

/// `kubectl label` / `kubectl annotate`.
pub fn label(world: &mut World, args: &Args, labels: bool) -> Result<Output, String> {
    let (changes, words): (Vec<String>, Vec<String>) =
        args.positional.iter().cloned().partition(|w| {
            w.contains('=') || (w.ends_with('-') && !w.contains('/') && w.len() > 1)
        });
    if changes.is_empty() {
        return Err(format!(
            "error: at least one {} update is required",
            if labels { "label" } else { "annotation" }
        ));
    }
    let mut set: Vec<(String, String)> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for c in &changes {
        if let Some((k, v)) = c.split_once('=') {
            check_key(k).map_err(|m| {
                format!(
                    "error: invalid {} key {k:?}: {m}",
                    if labels { "label" } else { "annotation" }
                )
            })?;
            if labels {
                check_value(v).map_err(|m| format!("error: invalid label value: {c:?}: {m}"))?;
            }
            set.push((k.into(), v.into()));
        } else {
            remove.push(c.trim_end_matches('-').to_string());
        }
    }
    let sub = Args {
        positional: words,
        flags: args.flags.clone(),
    };
    let groups = targets(&sub.positional)?;
    let ns = args.flag("namespace").unwrap_or("default").to_string();
    let mut items = Vec::new();
    for (t, names) in &groups {
        if names.is_empty() {
            let sel = args
                .flag("selector")
                .map(Selector::parse)
                .transpose()
                .map_err(|e| format!("error: {e}"))?;
            if sel.is_none() && !args.bool("all") {
                return Err("error: resource(s) were provided, but no name was specified".into());
            }
            items.extend(list(world, *t, Some(&ns)).into_iter().filter(|i| {
                sel.as_ref()
                    .is_none_or(|s| s.matches_opt(i.meta().labels.as_ref()))
            }));
        }
        for n in names {
            items.push(find(world, *t, &ns, n).ok_or_else(|| not_found(*t, n))?);
        }
    }
    let overwrite = args.bool("overwrite");
    // Check everything first: nothing changes if one object refuses.
    for i in &items {
        let meta = i.meta();
        let current = if labels {
            meta.labels.clone()
        } else {
            meta.annotations.clone()
        }
        .unwrap_or_default();
        for (k, v) in &set {
            if let Some(old) = current.get(k) {
                if old != v && !overwrite {
                    return Err(format!(
                        "error: '{k}' already has a value ({old}), and --overwrite is false"
                    ));
                }
            }
        }
        // The API server validates the whole metadata: 256 KiB of annotations at most.
        let mut after = meta.clone();
        let map = if labels {
            after.labels.get_or_insert_with(BTreeMap::new)
        } else {
            after.annotations.get_or_insert_with(BTreeMap::new)
        };
        map.extend(set.iter().cloned());
        remove.iter().for_each(|k| {
            map.remove(k);
        });
        let field = if labels {
            "metadata.labels"
        } else {
            "metadata.annotations"
        };
        if let Some(e) = validate::metadata(&after, false)
            .into_iter()
            .find(|e| e.path.starts_with(field))
        {
            let kind = i.to_json()["kind"].as_str().unwrap_or("object").to_string();
            return Err(format!(
                "The {kind} {:?} is invalid: {}: {}",
                meta.name.unwrap_or_default(),
                e.path,
                e.message
            ));
        }
    }
    let mut lines = Vec::new();
    for i in items {
        let name = i.meta().name.unwrap_or_default();
        let qualified = i.qualified();
        let edit = |m: &mut ObjectMeta| {
            let target = if labels {
                &mut m.labels
            } else {
                &mut m.annotations
            };
            let map = target.get_or_insert_with(BTreeMap::new);
            let before = map.clone();
            for (k, v) in &set {
                map.insert(k.clone(), v.clone());
            }
            for k in &remove {
                map.remove(k);
            }
            if map.is_empty() {
                *target = None;
            }
            let after = target.clone().unwrap_or_default();
            // kubectl compares the object's JSON before and after: a change that leaves it
            // shorter, without --overwrite, is reported as "unlabeled".
            let size = |m: &BTreeMap<String, String>| -> usize {
                m.iter().map(|(k, v)| k.len() + v.len() + 6).sum()
            };
            (before != after, size(&after) < size(&before))
        };
        let (changed, obj) = match i {
            Item::Pod(mut o) => (edit(&mut o.metadata), Some(Object::Pod(o))),
            Item::Deployment(mut o) => (edit(&mut o.metadata), Some(Object::Deployment(o))),
            Item::ReplicaSet(mut o) => (edit(&mut o.metadata), Some(Object::ReplicaSet(o))),
            Item::Node(mut o) => (edit(&mut o.metadata), Some(Object::Node(o))),
            Item::Namespace(mut o) => (edit(&mut o.metadata), Some(Object::Namespace(o))),
            Item::StatefulSet(mut o) => (edit(&mut o.metadata), Some(Object::StatefulSet(o))),
            Item::DaemonSet(mut o) => (edit(&mut o.metadata), Some(Object::DaemonSet(o))),
            _ => {
                return Err(format!(
                    "error: kubeplay cannot {} {qualified}",
                    if labels { "label" } else { "annotate" }
                ))
            }
        };
        let (changed, shorter) = changed;
        if let Some(o) = obj.filter(|_| changed) {
            world.update_object(o, false).map_err(|e| e.to_string())?;
            world.after_user_change();
        }
        let verb = match (labels, changed) {
            (true, true) if shorter && !overwrite => "unlabeled",
            (true, true) => "labeled",
            (true, false) => "not labeled",
            (false, true) => "annotated",
            (false, false) => "not annotated",
        };
        lines.push(format!("{qualified}/{name} {verb}"));
    }
    Ok(Output::out(lines.join("\n")))
}

/// `kubectl delete`.
pub fn delete(world: &mut World, args: &Args, files: &dyn FileSource) -> Result<Output, String> {
    let mut warnings = Vec::new();
    let propagation = match args.flag("cascade").unwrap_or("background") {
        "background" | "true" => {
            if args.flag("cascade") == Some("true") {
                warnings.push("warning: --cascade=true is deprecated (boolean value) and can be replaced with --cascade=background.".to_string());
            }
            Propagation::Background
        }
        "foreground" => Propagation::Foreground,
        "orphan" | "false" => {
            if args.flag("cascade") == Some("false") {
                warnings.push("warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.".to_string());
            }
            Propagation::Orphan
        }
        other => return Err(format!("error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\"")),
    };
    let force = args.bool("force");
    let mut grace = args.int("grace-period")?;
    if args.bool("now") {
        grace = Some(1);
    }
    if grace == Some(0) && !force {
        grace = Some(1);
    }
    if force && grace.is_none() {
        grace = Some(0);
    }
    if force && grace == Some(0) {
        warnings.push("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.".into());
    }
    let ns = namespace_scope(args).unwrap_or_else(|| "default".into());
    let mut items: Vec<Item> = Vec::new();
    let mut errors = Vec::new();
    if !args.all("filename").is_empty() {
        for p in args.all("filename") {
            let text = files.read(p).map_err(|e| format!("error: {e}"))?;
            let (docs, errs) = manifest::parse(&text);
            if !errs.is_empty() {
                return Err(manifest_error(p, manifest::ManifestErrors { errors: errs }));
            }
            for d in docs {
                let kind = d
                    .raw
                    .get("kind")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let n = d
                    .raw
                    .pointer("/metadata/name")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let dns = d
                    .raw
                    .pointer("/metadata/namespace")
                    .and_then(|v| v.as_str())
                    .unwrap_or(&ns);
                let t = super::resolve_type(kind).ok_or_else(|| super::get::unknown_type(kind))?;
                match find(world, t, dns, n) {
                    Some(i) => items.push(i),
                    None => errors.push(not_found(t, n)),
                }
            }
        }
    } else {
        if args.positional.is_empty() {
            return Err(
                "error: You must provide one or more resources by argument or filename.".into(),
            );
        }
        let sel = args
            .flag("selector")
            .map(Selector::parse)
            .transpose()
            .map_err(|e| format!("error: {e}"))?;
        for (t, names) in targets(&args.positional)? {
            if names.is_empty() {
                if sel.is_none() && !args.bool("all") {
                    return Err(
                        "error: resource(s) were provided, but no name was specified".into(),
                    );
                }
                items.extend(list(world, t, Some(&ns)).into_iter().filter(|i| {
                    sel.as_ref()
                        .is_none_or(|s| s.matches_opt(i.meta().labels.as_ref()))
                }));
            }
            for n in names {
                match find(world, t, &ns, &n) {
                    Some(i) => items.push(i),
                    None if args.bool("ignore-not-found") => {}
                    None => errors.push(not_found(t, &n)),
                }
            }
        }
    }
    let mut lines = Vec::new();
    for i in items {
        let meta = i.meta();
        let name = meta.name.clone().unwrap_or_default();
        let key = Key::of(&meta);
        let kind = match &i {
            Item::Pod(_) => Some(Kind::Pod),
            Item::Deployment(_) => Some(Kind::Deployment),
            Item::ReplicaSet(_) => Some(Kind::ReplicaSet),
            Item::Node(_) => Some(Kind::Node),
            Item::Namespace(_) => Some(Kind::Namespace),
            Item::Event(_) => Some(Kind::Event),
            Item::StorageClass(_) => Some(Kind::StorageClass),
            Item::PersistentVolume(_) => Some(Kind::PersistentVolume),
            Item::PersistentVolumeClaim(_) => Some(Kind::PersistentVolumeClaim),
            Item::Service(_) => Some(Kind::Service),
            Item::Endpoints(_) => Some(Kind::Endpoints),
            Item::EndpointSlice(_) => Some(Kind::EndpointSlice),
            Item::StatefulSet(_) => Some(Kind::StatefulSet),
            Item::ControllerRevision(_) => Some(Kind::ControllerRevision),
            Item::PodDisruptionBudget(_) => Some(Kind::PodDisruptionBudget),
            Item::DaemonSet(_) => Some(Kind::DaemonSet),
            Item::Other(_) => None,
        };
        let plural_q = i
            .qualified()
            .split_once('.')
            .map(|(k, g)| format!("{k}.{g}"))
            .unwrap_or_else(|| i.qualified());
        match kind {
            Some(Kind::Pod) if force && grace == Some(0) => {
                world
                    .store
                    .remove::<k8s_openapi::api::core::v1::Pod>(&key, world.now())
                    .map_err(|e| e.to_string())?;
                lines.push(format!("pod {name:?} force deleted"));
            }
            Some(Kind::Namespace)
                if ["default", "kube-system", "kube-public", "kube-node-lease"]
                    .contains(&name.as_str()) =>
            {
                errors.push(format!("Error from server (Forbidden): namespaces {name:?} is forbidden: this namespace may not be deleted"));
            }
            Some(k) => {
                world
                    .delete_object(k, &key, grace, propagation)
                    .map_err(|e| e.to_string())?;
                lines.push(format!("{plural_q} {name:?} deleted"));
            }
            None => {
                if let Item::Other(o) = &i {
                    let k = (
                        o.kind.clone(),
                        Key::new(
                            if o.namespaced {
                                meta.namespace.clone().unwrap_or_default()
                            } else {
                                String::new()
                            },
                            name.clone(),
                        ),
                    );
                    world.store.others.remove(&k);
                    lines.push(format!("{plural_q} {name:?} deleted"));
                }
            }
        }
        world.after_user_change();
    }
    let mut out = Output::out(lines.join("\n")).with_warnings(&warnings);
    if lines.is_empty() && errors.is_empty() {
        out.stderr.push_str("No resources found\n");
    }
    if !errors.is_empty() {
        out.ok = false;
        out.stderr.push_str(&(errors.join("\n") + "\n"));
    }
    Ok(out)
}

/// `kubectl cordon|uncordon NODE`.
pub fn cordon(world: &mut World, args: &Args, on: bool) -> Result<Output, String> {
    let Some(name) = args.positional.first() else {
        return Err("error: node name is required".into());
    };
    let name = name
        .trim_start_matches("node/")
        .trim_start_matches("nodes/")
        .to_string();
    let Some(mut node) = world
        .store()
        .nodes
        .get(&Key::cluster(name.clone()))
        .cloned()
    else {
        return Err(not_found(ResType::Sim(Kind::Node), &name));
    };
    let spec = node.spec.get_or_insert_with(Default::default);
    let already = spec.unschedulable.unwrap_or(false) == on;
    spec.unschedulable = if on { Some(true) } else { None };
    let verb = if on { "cordoned" } else { "uncordoned" };
    if already {
        return Ok(Output::out(format!("node/{name} already {verb}")));
    }
    world
        .update_object(Object::Node(node), false)
        .map_err(|e| e.to_string())?;
    world.after_user_change();
    Ok(Output::out(format!("node/{name} {verb}")))
}
