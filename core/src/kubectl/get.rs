//! `kubectl get` and `kubectl events`: tables (`printers.go` columns), `-o wide|yaml|json|name`,
//! selectors, namespaces.

use super::{resolve_type, tabwriter, Args, Output, ResType};
use crate::cluster;
use crate::controllers::volume;
use crate::labels::{format_labels, Selector};
use crate::podutil;
use crate::sim::World;
use crate::store::{Key, Kind, OtherObject};
use crate::time::{human_duration, SimTime};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod,
    PodTemplateSpec, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

/// `<invalid>`-aware AGE of an object.
pub fn age(meta: &ObjectMeta, now: SimTime) -> String {
    meta.creation_timestamp
        .as_ref()
        .map(|t| human_duration(now.since(SimTime::from_k8s(t))))
        .unwrap_or_else(|| "<unknown>".into())
}

/// Which namespaces a command looks at: `None` = all.
pub fn namespace_scope(args: &Args) -> Option<String> {
    if args.bool("all-namespaces") {
        None
    } else {
        Some(args.flag("namespace").unwrap_or("default").to_string())
    }
}

/// One object of any kind, for printing.
/// (`PersistentVolume` holds every volume source inline, so it is far larger than the other
/// variants; values of this enum are short-lived, so boxing would buy nothing measurable.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Item {
    Pod(Pod),
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    Node(Node),
    Namespace(Namespace),
    Event(Event),
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

impl Item {
    pub fn meta(&self) -> ObjectMeta {
        match self {
            Item::Pod(o) => o.metadata.clone(),
            Item::Deployment(o) => o.metadata.clone(),
            Item::ReplicaSet(o) => o.metadata.clone(),
            Item::Node(o) => o.metadata.clone(),
            Item::Namespace(o) => o.metadata.clone(),
            Item::Event(o) => o.metadata.clone(),
            Item::StorageClass(o) => o.metadata.clone(),
            Item::PersistentVolume(o) => o.metadata.clone(),
            Item::PersistentVolumeClaim(o) => o.metadata.clone(),
            Item::Service(o) => o.metadata.clone(),
            Item::Endpoints(o) => o.metadata.clone(),
            Item::EndpointSlice(o) => o.metadata.clone(),
            Item::StatefulSet(o) => o.metadata.clone(),
            Item::ControllerRevision(o) => o.metadata.clone(),
            Item::PodDisruptionBudget(o) => o.metadata.clone(),
            Item::DaemonSet(o) => o.metadata.clone(),
            Item::Other(o) => {
                crate::manifest::decode(o.value.get("metadata").cloned().unwrap_or_default())
                    .unwrap_or_default()
            }
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Item::Pod(o) => serde_json::to_value(o),
            Item::Deployment(o) => serde_json::to_value(o),
            Item::ReplicaSet(o) => serde_json::to_value(o),
            Item::Node(o) => serde_json::to_value(o),
            Item::Namespace(o) => serde_json::to_value(o),
            Item::Event(o) => serde_json::to_value(o),
            Item::StorageClass(o) => serde_json::to_value(o),
            Item::PersistentVolume(o) => serde_json::to_value(o),
            Item::PersistentVolumeClaim(o) => serde_json::to_value(o),
            Item::Service(o) => serde_json::to_value(o),
            Item::Endpoints(o) => serde_json::to_value(o),
            Item::EndpointSlice(o) => serde_json::to_value(o),
            Item::StatefulSet(o) => serde_json::to_value(o),
            Item::ControllerRevision(o) => serde_json::to_value(o),
            Item::PodDisruptionBudget(o) => serde_json::to_value(o),
            Item::DaemonSet(o) => serde_json::to_value(o),
            Item::Other(o) => Ok(o.value.clone()),
        }
        .unwrap_or(Value::Null)
    }

    /// `deployment.apps`, `pod`, `configmap`: the NamePrinter prefix.
    pub fn qualified(&self) -> String {
        match self {
            Item::Pod(_) => Kind::Pod.qualified().into(),
            Item::Deployment(_) => Kind::Deployment.qualified().into(),
            Item::ReplicaSet(_) => Kind::ReplicaSet.qualified().into(),
            Item::Node(_) => Kind::Node.qualified().into(),
            Item::Namespace(_) => Kind::Namespace.qualified().into(),
            Item::Event(_) => Kind::Event.qualified().into(),
            Item::StorageClass(_) => Kind::StorageClass.qualified().into(),
            Item::PersistentVolume(_) => Kind::PersistentVolume.qualified().into(),
            Item::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim.qualified().into(),
            Item::Service(_) => Kind::Service.qualified().into(),
            Item::Endpoints(_) => Kind::Endpoints.qualified().into(),
            Item::EndpointSlice(_) => Kind::EndpointSlice.qualified().into(),
            Item::StatefulSet(_) => Kind::StatefulSet.qualified().into(),
            Item::ControllerRevision(_) => Kind::ControllerRevision.qualified().into(),
            Item::PodDisruptionBudget(_) => Kind::PodDisruptionBudget.qualified().into(),
            Item::DaemonSet(_) => Kind::DaemonSet.qualified().into(),
            Item::Other(o) => match o.api_version.split_once('/') {
                Some((g, _)) => format!("{}.{g}", o.kind.to_lowercase()),
                None => o.kind.to_lowercase(),
            },
        }
    }
}

/// A field selector (`metadata.name=x,status.phase!=Running`): each term compares the value at
/// a dotted path of the object's JSON; a missing field compares as the empty string.
pub fn field_filter(spec: &str) -> Result<impl Fn(&Item) -> bool, String> {
    let mut terms = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (path, value, negate) = if let Some((p, v)) = part.split_once("!=") {
            (p, v, true)
        } else if let Some((p, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            (p, v, false)
        } else {
            return Err(format!(
                "error: invalid selector: {part:?}; expected KEY=VALUE or KEY!=VALUE"
            ));
        };
        terms.push((
            format!("/{}", path.trim().replace('.', "/")),
            value.trim().to_string(),
            negate,
        ));
    }
    Ok(move |i: &Item| {
        let json = i.to_json();
        terms.iter().all(|(ptr, want, negate)| {
            let got = match json.pointer(ptr) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            };
            (got == *want) != *negate
        })
    })
}

/// Lists the objects of a type in scope, in name order.
pub fn list(world: &World, t: ResType, ns: Option<&str>) -> Vec<Item> {
    let s = world.store();
    let in_ns = |m: &ObjectMeta| ns.is_none_or(|n| m.namespace.as_deref() == Some(n));
    match t {
        ResType::Sim(Kind::Pod) => s
            .pods
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::Pod)
            .collect(),
        ResType::Sim(Kind::Deployment) => s
            .deployments
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::Deployment)
            .collect(),
        ResType::Sim(Kind::ReplicaSet) => s
            .replicasets
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::ReplicaSet)
            .collect(),
        ResType::Sim(Kind::Node) => s.nodes.iter().cloned().map(Item::Node).collect(),
        ResType::Sim(Kind::Namespace) => {
            s.namespaces.iter().cloned().map(Item::Namespace).collect()
        }
        ResType::Sim(Kind::Event) => {
            let mut evs: Vec<Event> = s
                .events
                .iter()
                .filter(|o| in_ns(&o.metadata))
                .cloned()
                .collect();
            evs.sort_by(|a, b| {
                (
                    a.last_timestamp.as_ref().map(SimTime::from_k8s),
                    &a.metadata.name,
                )
                    .cmp(&(
                        b.last_timestamp.as_ref().map(SimTime::from_k8s),
                        &b.metadata.name,
                    ))
            });
            evs.into_iter().map(Item::Event).collect()
        }
        ResType::Sim(Kind::StorageClass) => s
            .storageclasses
            .iter()
            .cloned()
            .map(Item::StorageClass)
            .collect(),
        ResType::Sim(Kind::PersistentVolume) => s
            .persistentvolumes
            .iter()
            .cloned()
            .map(Item::PersistentVolume)
            .collect(),
        ResType::Sim(Kind::PersistentVolumeClaim) => s
            .persistentvolumeclaims
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::PersistentVolumeClaim)
            .collect(),
        ResType::Sim(Kind::Service) => s
            .services
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::Service)
            .collect(),
        ResType::Sim(Kind::Endpoints) => s
            .endpoints
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::Endpoints)
            .collect(),
        ResType::Sim(Kind::EndpointSlice) => s
            .endpointslices
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::EndpointSlice)
            .collect(),
        ResType::Sim(Kind::StatefulSet) => s
            .statefulsets
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::StatefulSet)
            .collect(),
        ResType::Sim(Kind::ControllerRevision) => s
            .controllerrevisions
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::ControllerRevision)
            .collect(),
        ResType::Sim(Kind::PodDisruptionBudget) => s
            .poddisruptionbudgets
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::PodDisruptionBudget)
            .collect(),
        ResType::Sim(Kind::DaemonSet) => s
            .daemonsets
            .iter()
            .filter(|o| in_ns(&o.metadata))
            .cloned()
            .map(Item::DaemonSet)
            .collect(),
        ResType::Other(kind, _) => s
            .others
            .iter()
            .filter(|((k, key), o)| {
                k == kind && (!o.namespaced || ns.is_none_or(|n| key.namespace == n))
            })
            .map(|(_, o)| Item::Other(o.clone()))
            .collect(),
    }
}

/// One object by name.
pub fn find(world: &World, t: ResType, ns: &str, name: &str) -> Option<Item> {
    let s = world.store();
    let key = Key::new(ns, name);
    let ckey = Key::cluster(name);
    match t {
        ResType::Sim(Kind::Pod) => s.pods.get(&key).cloned().map(Item::Pod),
        ResType::Sim(Kind::Deployment) => s.deployments.get(&key).cloned().map(Item::Deployment),
        ResType::Sim(Kind::ReplicaSet) => s.replicasets.get(&key).cloned().map(Item::ReplicaSet),
        ResType::Sim(Kind::Node) => s.nodes.get(&ckey).cloned().map(Item::Node),
        ResType::Sim(Kind::Namespace) => s.namespaces.get(&ckey).cloned().map(Item::Namespace),
        ResType::Sim(Kind::Event) => s.events.get(&key).cloned().map(Item::Event),
        ResType::Sim(Kind::StorageClass) => {
            s.storageclasses.get(&ckey).cloned().map(Item::StorageClass)
        }
        ResType::Sim(Kind::PersistentVolume) => s
            .persistentvolumes
            .get(&ckey)
            .cloned()
            .map(Item::PersistentVolume),
        ResType::Sim(Kind::PersistentVolumeClaim) => s
            .persistentvolumeclaims
            .get(&key)
            .cloned()
            .map(Item::PersistentVolumeClaim),
        ResType::Sim(Kind::Service) => s.services.get(&key).cloned().map(Item::Service),
        ResType::Sim(Kind::Endpoints) => s.endpoints.get(&key).cloned().map(Item::Endpoints),
        ResType::Sim(Kind::EndpointSlice) => {
            s.endpointslices.get(&key).cloned().map(Item::EndpointSlice)
        }
        ResType::Sim(Kind::StatefulSet) => s.statefulsets.get(&key).cloned().map(Item::StatefulSet),
        ResType::Sim(Kind::ControllerRevision) => s
            .controllerrevisions
            .get(&key)
            .cloned()
            .map(Item::ControllerRevision),
        ResType::Sim(Kind::PodDisruptionBudget) => s
            .poddisruptionbudgets
            .get(&key)
            .cloned()
            .map(Item::PodDisruptionBudget),
        ResType::Sim(Kind::DaemonSet) => s.daemonsets.get(&key).cloned().map(Item::DaemonSet),
        ResType::Other(kind, _) => {
            let namespaced = s.others.contains_key(&(kind.to_string(), key.clone()));
            let k = if namespaced { key } else { ckey };
            s.others
                .get(&(kind.to_string(), k))
                .cloned()
                .map(Item::Other)
        }
    }
}

/// `pods "x" not found`, as the API server words it.
pub fn not_found(t: ResType, name: &str) -> String {
    let plural = match t {
        ResType::Sim(k) => crate::store::resource_name(k).to_string(),
        ResType::Other(_, p) => p.to_string(),
    };
    format!("Error from server (NotFound): {plural} {name:?} not found")
}

pub fn unknown_type(t: &str) -> String {
    format!("error: the server doesn't have a resource type {t:?}")
}

/// Parses `TYPE NAME...`, `TYPE/NAME ...` or `TYPE1,TYPE2` into (type, names) groups.
pub fn targets(positional: &[String]) -> Result<Vec<(ResType, Vec<String>)>, String> {
    let Some(first) = positional.first() else {
        return Err("error: you must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.".into());
    };
    if first.contains('/') {
        let mut out: Vec<(ResType, Vec<String>)> = Vec::new();
        for p in positional {
            let (t, n) = p.split_once('/').ok_or_else(|| "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".to_string())?;
            let rt = resolve_type(t).ok_or_else(|| unknown_type(t))?;
            match out.iter_mut().find(|(x, _)| *x == rt) {
                Some((_, names)) => names.push(n.to_string()),
                None => out.push((rt, vec![n.to_string()])),
            }
        }
        return Ok(out);
    }
    let names: Vec<String> = positional[1..].to_vec();
    let mut out = Vec::new();
    for t in first.split(',') {
        if t == "all" {
            for k in [
                "pods",
                "services",
                "daemonsets",
                "deployments",
                "replicasets",
                "statefulsets",
                "jobs",
                "cronjobs",
            ] {
                out.push((resolve_type(k).expect("known type"), names.clone()));
            }
            continue;
        }
        out.push((
            resolve_type(t).ok_or_else(|| unknown_type(t))?,
            names.clone(),
        ));
    }
    Ok(out)
}

fn containers_images(t: Option<&PodTemplateSpec>) -> (String, String) {
    let cs = t
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    (
        cs.iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn selector_string(s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector) -> String {
    Selector::from_label_selector(s)
        .map(|x| x.to_string())
        .unwrap_or_default()
}

/// RESTARTS: `0`, or `3 (45s ago)`.
pub fn restarts_column(pod: &Pod, now: SimTime) -> String {
    let n = podutil::restarts(pod);
    if n == 0 {
        return "0".into();
    }
    let last = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| {
            c.last_state
                .as_ref()?
                .terminated
                .as_ref()?
                .finished_at
                .as_ref()
                .map(SimTime::from_k8s)
        })
        .max();
    match last {
        Some(t) => format!("{n} ({} ago)", human_duration(now.since(t))),
        None => n.to_string(),
    }
}

/// Column headers and cells for one type.
pub fn table(
    items: &[Item],
    t: ResType,
    wide: bool,
    now: SimTime,
) -> (Vec<String>, Vec<Vec<String>>) {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut rows = Vec::new();
    let headers = match t {
        ResType::Sim(Kind::Pod) => {
            for i in items {
                if let Item::Pod(p) = i {
                    let mut r = vec![
                        p.metadata.name.clone().unwrap_or_default(),
                        podutil::ready_column(p),
                        podutil::display_status(p),
                        restarts_column(p, now),
                        age(&p.metadata, now),
                    ];
                    if wide {
                        r.push(
                            p.status
                                .as_ref()
                                .and_then(|s| s.pod_ip.clone())
                                .unwrap_or_else(|| "<none>".into()),
                        );
                        r.push(podutil::node_name(p).unwrap_or("<none>").to_string());
                        r.push(
                            p.status
                                .as_ref()
                                .and_then(|s| s.nominated_node_name.clone())
                                .unwrap_or_else(|| "<none>".into()),
                        );
                        r.push("<none>".into());
                    }
                    rows.push(r);
                }
            }
            if wide {
                h(&[
                    "NAME",
                    "READY",
                    "STATUS",
                    "RESTARTS",
                    "AGE",
                    "IP",
                    "NODE",
                    "NOMINATED NODE",
                    "READINESS GATES",
                ])
            } else {
                h(&["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
            }
        }
        ResType::Sim(Kind::Deployment) => {
            for i in items {
                if let Item::Deployment(d) = i {
                    let s = d.status.clone().unwrap_or_default();
                    let mut r = vec![
                        d.metadata.name.clone().unwrap_or_default(),
                        format!(
                            "{}/{}",
                            s.ready_replicas.unwrap_or(0),
                            d.spec.replicas.unwrap_or(1)
                        ),
                        s.updated_replicas.unwrap_or(0).to_string(),
                        s.available_replicas.unwrap_or(0).to_string(),
                        age(&d.metadata, now),
                    ];
                    if wide {
                        let (c, im) = containers_images(Some(&d.spec.template));
                        r.extend([c, im, selector_string(&d.spec.selector)]);
                    }
                    rows.push(r);
                }
            }
            if wide {
                h(&[
                    "NAME",
                    "READY",
                    "UP-TO-DATE",
                    "AVAILABLE",
                    "AGE",
                    "CONTAINERS",
                    "IMAGES",
                    "SELECTOR",
                ])
            } else {
                h(&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
            }
        }
        ResType::Sim(Kind::ReplicaSet) => {
            for i in items {
                if let Item::ReplicaSet(rs) = i {
                    let s = rs.status.clone().unwrap_or_default();
                    let mut r = vec![
                        rs.metadata.name.clone().unwrap_or_default(),
                        rs.spec.replicas.unwrap_or(1).to_string(),
                        s.replicas.to_string(),
                        s.ready_replicas.unwrap_or(0).to_string(),
                        age(&rs.metadata, now),
                    ];
                    if wide {
                        let (c, im) = containers_images(rs.spec.template.as_ref());
                        r.extend([c, im, selector_string(&rs.spec.selector)]);
                    }
                    rows.push(r);
                }
            }
            if wide {
                h(&[
                    "NAME",
                    "DESIRED",
                    "CURRENT",
                    "READY",
                    "AGE",
                    "CONTAINERS",
                    "IMAGES",
                    "SELECTOR",
                ])
            } else {
                h(&["NAME", "DESIRED", "CURRENT", "READY", "AGE"])
            }
        }
        ResType::Sim(Kind::Node) => {
            for i in items {
                if let Item::Node(n) = i {
                    let info = n
                        .status
                        .as_ref()
                        .and_then(|s| s.node_info.clone())
                        .unwrap_or_default();
                    let mut r = vec![
                        n.metadata.name.clone().unwrap_or_default(),
                        cluster::node_status_column(n),
                        cluster::node_roles(n),
                        age(&n.metadata, now),
                        info.kubelet_version.clone(),
                    ];
                    if wide {
                        r.extend([
                            cluster::internal_ip(n),
                            "<none>".into(),
                            info.os_image.clone(),
                            info.kernel_version.clone(),
                            info.container_runtime_version.clone(),
                        ]);
                    }
                    rows.push(r);
                }
            }
            if wide {
                h(&[
                    "NAME",
                    "STATUS",
                    "ROLES",
                    "AGE",
                    "VERSION",
                    "INTERNAL-IP",
                    "EXTERNAL-IP",
                    "OS-IMAGE",
                    "KERNEL-VERSION",
                    "CONTAINER-RUNTIME",
                ])
            } else {
                h(&["NAME", "STATUS", "ROLES", "AGE", "VERSION"])
            }
        }
        ResType::Sim(Kind::Namespace) => {
            for i in items {
                if let Item::Namespace(n) = i {
                    let phase = if n.metadata.deletion_timestamp.is_some() {
                        "Terminating".to_string()
                    } else {
                        n.status
                            .as_ref()
                            .and_then(|s| s.phase.clone())
                            .unwrap_or_else(|| "Active".into())
                    };
                    rows.push(vec![
                        n.metadata.name.clone().unwrap_or_default(),
                        phase,
                        age(&n.metadata, now),
                    ]);
                }
            }
            h(&["NAME", "STATUS", "AGE"])
        }
        ResType::Sim(Kind::Event) => {
            for i in items {
                if let Item::Event(e) = i {
                    rows.push(event_row(e, now));
                }
            }
            h(&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        }
        ResType::Sim(Kind::StorageClass) => {
            for i in items {
                if let Item::StorageClass(c) = i {
                    rows.push(storage_class_row(c, now));
                }
            }
            h(&[
                "NAME",
                "PROVISIONER",
                "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION",
                "AGE",
            ])
        }
        ResType::Sim(Kind::PersistentVolume) => {
            for i in items {
                if let Item::PersistentVolume(v) = i {
                    rows.push(volume_row(v, wide, now));
                }
            }
            let mut hs = h(&[
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ]);
            if wide {
                hs.push("VOLUMEMODE".into());
            }
            hs
        }
        ResType::Sim(Kind::PersistentVolumeClaim) => {
            for i in items {
                if let Item::PersistentVolumeClaim(c) = i {
                    rows.push(claim_row(c, wide, now));
                }
            }
            let mut hs = h(&[
                "NAME",
                "STATUS",
                "VOLUME",
                "CAPACITY",
                "ACCESS MODES",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "AGE",
            ]);
            if wide {
                hs.push("VOLUMEMODE".into());
            }
            hs
        }
        ResType::Sim(Kind::Service) => {
            for i in items {
                if let Item::Service(svc) = i {
                    rows.push(service_row(svc, wide, now));
                }
            }
            let mut hs = h(&[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ]);
            if wide {
                hs.push("SELECTOR".into());
            }
            hs
        }
        ResType::Sim(Kind::Endpoints) => {
            for i in items {
                if let Item::Endpoints(ep) = i {
                    rows.push(vec![
                        ep.metadata.name.clone().unwrap_or_default(),
                        format_endpoints(ep),
                        age(&ep.metadata, now),
                    ]);
                }
            }
            h(&["NAME", "ENDPOINTS", "AGE"])
        }
        ResType::Sim(Kind::EndpointSlice) => {
            for i in items {
                if let Item::EndpointSlice(sl) = i {
                    rows.push(vec![
                        sl.metadata.name.clone().unwrap_or_default(),
                        sl.address_type.clone(),
                        format_discovery_ports(sl),
                        format_discovery_endpoints(sl),
                        age(&sl.metadata, now),
                    ]);
                }
            }
            h(&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"])
        }
        ResType::Sim(Kind::StatefulSet) => {
            for i in items {
                if let Item::StatefulSet(set) = i {
                    let s = set.status.clone().unwrap_or_default();
                    let mut r = vec![
                        set.metadata.name.clone().unwrap_or_default(),
                        format!(
                            "{}/{}",
                            s.ready_replicas.unwrap_or(0),
                            set.spec.replicas.unwrap_or(1)
                        ),
                        age(&set.metadata, now),
                    ];
                    if wide {
                        let (c, im) = containers_images(Some(&set.spec.template));
                        r.extend([c, im]);
                    }
                    rows.push(r);
                }
            }
            if wide {
                h(&["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"])
            } else {
                h(&["NAME", "READY", "AGE"])
            }
        }
        ResType::Sim(Kind::ControllerRevision) => {
            for i in items {
                if let Item::ControllerRevision(r) = i {
                    rows.push(vec![
                        r.metadata.name.clone().unwrap_or_default(),
                        controller_column(&r.metadata),
                        r.revision.unwrap_or(0).to_string(),
                        age(&r.metadata, now),
                    ]);
                }
            }
            h(&["NAME", "CONTROLLER", "REVISION", "AGE"])
        }
        ResType::Sim(Kind::PodDisruptionBudget) => {
            // `printPodDisruptionBudget`.
            let cell = |v: Option<&IntOrString>| match v {
                Some(IntOrString::Int(i)) => i.to_string(),
                Some(IntOrString::String(s)) => s.clone(),
                None => "N/A".into(),
            };
            for i in items {
                if let Item::PodDisruptionBudget(b) = i {
                    let spec = b.spec.clone().unwrap_or_default();
                    rows.push(vec![
                        b.metadata.name.clone().unwrap_or_default(),
                        cell(spec.min_available.as_ref()),
                        cell(spec.max_unavailable.as_ref()),
                        b.status
                            .as_ref()
                            .and_then(|s| s.disruptions_allowed)
                            .unwrap_or(0)
                            .to_string(),
                        age(&b.metadata, now),
                    ]);
                }
            }
            h(&[
                "NAME",
                "MIN AVAILABLE",
                "MAX UNAVAILABLE",
                "ALLOWED DISRUPTIONS",
                "AGE",
            ])
        }
        ResType::Sim(Kind::DaemonSet) => {
            for i in items {
                if let Item::DaemonSet(ds) = i {
                    rows.push(daemon_set_row(ds, wide, now));
                }
            }
            let mut hs = h(&[
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
            ]);
            if wide {
                hs.extend(["CONTAINERS".into(), "IMAGES".into(), "SELECTOR".into()]);
            }
            hs
        }
        ResType::Other(..) => {
            for i in items {
                rows.push(vec![i.meta().name.unwrap_or_default(), age(&i.meta(), now)]);
            }
            h(&["NAME", "AGE"])
        }
    };
    (headers, rows)
}

/// `printService`: ClusterIP (or `None`), external addresses by type, `port[:nodePort]/proto`.
fn service_row(svc: &Service, wide: bool, now: SimTime) -> Vec<String> {
    let spec = svc.spec.clone().unwrap_or_default();
    let t = spec.type_.clone().unwrap_or_default();
    let cluster_ip = spec
        .cluster_ips
        .as_ref()
        .and_then(|ips| ips.first().cloned())
        .unwrap_or_else(|| "<none>".into());
    let external = spec.external_ips.clone().unwrap_or_default();
    let external_ip = match t.as_str() {
        "ClusterIP" | "NodePort" if !external.is_empty() => external.join(","),
        "ClusterIP" | "NodePort" => "<none>".into(),
        "LoadBalancer" => {
            let mut ips: Vec<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| i.ip.clone().or(i.hostname.clone()))
                .collect();
            ips.extend(external);
            if ips.is_empty() {
                "<pending>".into()
            } else {
                ips.join(",")
            }
        }
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".into(),
    };
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_default();
            match p.node_port.filter(|n| *n > 0) {
                Some(np) => format!("{}:{np}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    let mut r = vec![
        svc.metadata.name.clone().unwrap_or_default(),
        t,
        cluster_ip,
        external_ip,
        if ports.is_empty() {
            "<none>".into()
        } else {
            ports.join(",")
        },
        age(&svc.metadata, now),
    ];
    if wide {
        r.push(format_labels(spec.selector.as_ref()));
    }
    r
}

/// `formatEndpoints`: up to three `ip:port` of ready addresses, then `+ N more...`; `<none>`
/// without subsets (and an empty cell when every address is not ready).
pub fn format_endpoints(ep: &Endpoints) -> String {
    let subsets = ep.subsets.clone().unwrap_or_default();
    if subsets.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in &subsets {
        let addrs = ss.addresses.clone().unwrap_or_default();
        let ports = ss.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            count += addrs.len();
            for a in &addrs {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for p in &ports {
            count += addrs.len();
            for a in &addrs {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(format!("{}:{}", a.ip, p.port));
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else {
        ret
    }
}

/// `listWithMoreString`: `<unset>` for an empty list.
fn list_with_more(list: Vec<String>, more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else if ret.is_empty() {
        "<unset>".into()
    } else {
        ret
    }
}

/// `formatDiscoveryPorts`.
fn format_discovery_ports(s: &EndpointSlice) -> String {
    let (max, mut list, mut more, mut count) = (3, Vec::new(), false, 0);
    for p in s.ports.iter().flatten() {
        if list.len() < max {
            list.push(match (p.port, &p.name) {
                (Some(n), _) => n.to_string(),
                (None, Some(name)) => name.clone(),
                (None, None) => "*".into(),
            });
        } else if list.len() == max {
            more = true;
        }
        count += 1;
    }
    list_with_more(list, more, count, max)
}

/// `formatDiscoveryEndpoints`: every address, ready or not.
fn format_discovery_endpoints(s: &EndpointSlice) -> String {
    let (max, mut list, mut more, mut count) = (3, Vec::new(), false, 0);
    for e in s.endpoints.iter().flatten() {
        for a in &e.addresses {
            if list.len() < max {
                list.push(a.clone());
            } else if list.len() == max {
                more = true;
            }
            count += 1;
        }
    }
    list_with_more(list, more, count, max)
}

/// `printDaemonSet`: the status counts, the template's node selector (`<none>` if empty).
fn daemon_set_row(ds: &DaemonSet, wide: bool, now: SimTime) -> Vec<String> {
    let s = ds.status.clone().unwrap_or_default();
    let node_selector = crate::labels::format_labels(
        ds.spec
            .template
            .spec
            .as_ref()
            .and_then(|p| p.node_selector.as_ref()),
    );
    let mut r = vec![
        ds.metadata.name.clone().unwrap_or_default(),
        s.desired_number_scheduled.to_string(),
        s.current_number_scheduled.to_string(),
        s.number_ready.to_string(),
        s.updated_number_scheduled.unwrap_or(0).to_string(),
        s.number_available.unwrap_or(0).to_string(),
        node_selector,
        age(&ds.metadata, now),
    ];
    if wide {
        let (c, im) = containers_images(Some(&ds.spec.template));
        r.extend([c, im, selector_string(&ds.spec.selector)]);
    }
    r
}

/// `printControllerRevision`'s CONTROLLER cell: `statefulset.apps/web`, or `<none>`.
fn controller_column(meta: &ObjectMeta) -> String {
    match crate::store::controller_ref(meta) {
        Some(r) => {
            let group = r
                .api_version
                .split_once('/')
                .map(|(g, _)| format!(".{g}"))
                .unwrap_or_default();
            format!("{}{group}/{}", r.kind.to_lowercase(), r.name)
        }
        None => "<none>".into(),
    }
}

/// `printStorageClass`: the default class is named `NAME (default)`.
fn storage_class_row(c: &StorageClass, now: SimTime) -> Vec<String> {
    let mut name = c.metadata.name.clone().unwrap_or_default();
    if volume::is_default_class(c) {
        name.push_str(" (default)");
    }
    vec![
        name,
        c.provisioner.clone(),
        c.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
        c.volume_binding_mode
            .clone()
            .unwrap_or_else(|| "Immediate".into()),
        c.allow_volume_expansion.unwrap_or(false).to_string(),
        age(&c.metadata, now),
    ]
}

/// `printPersistentVolume`.
fn volume_row(v: &PersistentVolume, wide: bool, now: SimTime) -> Vec<String> {
    let spec = v.spec.clone().unwrap_or_default();
    let status = if v.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        volume::volume_phase(v).to_string()
    };
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|r| {
            format!(
                "{}/{}",
                r.namespace.clone().unwrap_or_default(),
                r.name.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let mut r = vec![
        v.metadata.name.clone().unwrap_or_default(),
        spec.capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone())
            .unwrap_or_default(),
        volume::access_modes_column(spec.access_modes.as_ref()),
        spec.persistent_volume_reclaim_policy
            .clone()
            .unwrap_or_default(),
        status,
        claim,
        spec.storage_class_name.clone().unwrap_or_default(),
        spec.volume_attributes_class_name
            .clone()
            .unwrap_or_else(|| "<unset>".into()),
        v.status
            .as_ref()
            .and_then(|s| s.reason.clone())
            .unwrap_or_default(),
        age(&v.metadata, now),
    ];
    if wide {
        r.push(spec.volume_mode.unwrap_or_else(|| "Filesystem".into()));
    }
    r
}

/// `printPersistentVolumeClaim`: capacity and access modes only once bound.
fn claim_row(c: &PersistentVolumeClaim, wide: bool, now: SimTime) -> Vec<String> {
    let spec = c.spec.clone().unwrap_or_default();
    let status = if c.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        volume::claim_phase(c).to_string()
    };
    let (capacity, access_modes) = volume::bound_claim_cells(c);
    let mut r = vec![
        c.metadata.name.clone().unwrap_or_default(),
        status,
        spec.volume_name.clone().unwrap_or_default(),
        capacity,
        access_modes,
        spec.storage_class_name.clone().unwrap_or_default(),
        spec.volume_attributes_class_name
            .clone()
            .unwrap_or_else(|| "<unset>".into()),
        age(&c.metadata, now),
    ];
    if wide {
        r.push(spec.volume_mode.unwrap_or_else(|| "Filesystem".into()));
    }
    r
}

/// One row of the `Events:` section `kubectl describe` prints for an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// `Normal` or `Warning`.
    pub type_: String,
    pub reason: String,
    /// `5m`, or `2m (x3 over 10m)` for an event the recorder aggregated.
    pub age: String,
    /// The reporting component (`default-scheduler`, `kubelet`, …).
    pub from: String,
    /// Prefixed with the field path (`spec.containers{nginx}: `) when the event names one.
    pub message: String,
}

/// The events about the object with this uid, oldest first (by first timestamp, then name), as
/// `describe` shows them. Shared by `describe` and the inspector so both read the same.
pub fn events_of(world: &World, uid: &str) -> Vec<EventRow> {
    let now = world.now();
    let mut evs: Vec<&Event> = world
        .store()
        .events
        .iter()
        .filter(|e| e.involved_object.uid.as_deref() == Some(uid))
        .collect();
    evs.sort_by_key(|e| {
        (
            e.first_timestamp.as_ref().map(SimTime::from_k8s),
            e.metadata.name.clone(),
        )
    });
    evs.into_iter()
        .map(|e| {
            let last = e
                .last_timestamp
                .as_ref()
                .map(SimTime::from_k8s)
                .unwrap_or(now);
            let first = e
                .first_timestamp
                .as_ref()
                .map(SimTime::from_k8s)
                .unwrap_or(last);
            let count = e.count.unwrap_or(1);
            let age = if count > 1 {
                format!(
                    "{} (x{count} over {})",
                    human_duration(now.since(last)),
                    human_duration(now.since(first))
                )
            } else {
                human_duration(now.since(first))
            };
            let text = e.message.clone().unwrap_or_default();
            let message = match &e.involved_object.field_path {
                Some(fp) if !fp.is_empty() => format!("{fp}: {text}"),
                _ => text,
            };
            EventRow {
                type_: e.type_.clone().unwrap_or_default(),
                reason: e.reason.clone().unwrap_or_default(),
                age,
                from: e
                    .source
                    .as_ref()
                    .and_then(|s| s.component.clone())
                    .unwrap_or_default(),
                message: message.trim_end().to_string(),
            }
        })
        .collect()
}

pub fn event_row(e: &Event, now: SimTime) -> Vec<String> {
    let last = e
        .last_timestamp
        .as_ref()
        .map(|t| human_duration(now.since(SimTime::from_k8s(t))))
        .unwrap_or_else(|| "<unknown>".into());
    let io = &e.involved_object;
    vec![
        last,
        e.type_.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        format!(
            "{}/{}",
            io.kind.clone().unwrap_or_default().to_lowercase(),
            io.name.clone().unwrap_or_default()
        ),
        e.message.clone().unwrap_or_default(),
    ]
}

/// Renders a table with kubectl's tabwriter settings.
pub fn render(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut text = headers.join("\t");
    text.push('\n');
    text.push_str(&rows_text(rows));
    tabwriter::align(&text, 6, 3)
}

/// Renders a table's rows alone (`--no-headers`): the columns are as wide as the rows need.
pub fn render_rows(rows: &[Vec<String>]) -> String {
    tabwriter::align(&rows_text(rows), 6, 3)
}

fn rows_text(rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    for r in rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    text
}

/// kubectl's JSON: keys sorted, four-space indentation.
pub fn to_json_string(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    use serde::Serialize;
    let _ = v.serialize(&mut ser);
    String::from_utf8(buf).unwrap_or_default()
}

pub fn to_yaml_string(v: &Value) -> String {
    super::yaml::to_yaml(v)
}

fn list_value(items: Vec<Value>) -> Value {
    serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// `kubectl get`.
pub fn get(world: &World, args: &Args) -> Result<Output, String> {
    let ns = namespace_scope(args);
    let output = args.flag("output").unwrap_or("");
    let template = template_printer(output, args.flag("template"))?;
    let output = if template.is_some() {
        "template"
    } else {
        output
    };
    if !["", "wide", "yaml", "json", "name", "template"].contains(&output) {
        return Err(format!("error: unable to match a printer suitable for the output format {output:?}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-file,name,template,templatefile,wide,yaml"));
    }
    if let Some(n) = &ns {
        if !args.bool("all-namespaces")
            && world
                .store()
                .namespaces
                .get(&Key::cluster(n.clone()))
                .is_none()
            && args.flag("namespace").is_some()
        {
            return Ok(
                Output::out("").with_warnings(&[format!("No resources found in {n} namespace.")])
            );
        }
    }
    let selector = match args.flag("selector") {
        Some(s) => Some(Selector::parse(s).map_err(|e| format!("error: {e}"))?),
        None => None,
    };
    let fields = args.flag("field-selector").map(field_filter).transpose()?;
    let groups = targets(&args.positional)?;
    let multi = groups.len() > 1 || args.positional.first().is_some_and(|p| p == "all");
    let ns_name = ns.clone().unwrap_or_default();
    let mut errors = Vec::new();
    let mut sections: Vec<(ResType, Vec<Item>)> = Vec::new();
    for (t, names) in &groups {
        let items: Vec<Item> = if names.is_empty() {
            list(world, *t, ns.as_deref())
                .into_iter()
                .filter(|i| {
                    selector
                        .as_ref()
                        .is_none_or(|s| s.matches_opt(i.meta().labels.as_ref()))
                })
                .filter(|i| fields.as_ref().is_none_or(|f| f(i)))
                .collect()
        } else {
            let mut v = Vec::new();
            for n in names {
                match find(world, *t, &ns_name, n) {
                    Some(i) => v.push(i),
                    None if args.bool("ignore-not-found") => {}
                    None => errors.push(not_found(*t, n)),
                }
            }
            v
        };
        sections.push((*t, items));
    }
    let all_items: Vec<&Item> = sections.iter().flat_map(|(_, i)| i.iter()).collect();
    let named = groups.iter().any(|(_, n)| !n.is_empty());
    let mut out = String::new();
    match output {
        "yaml" | "json" | "template" => {
            let values: Vec<Value> = all_items.iter().map(|i| i.to_json()).collect();
            let v = if named && values.len() == 1 && groups.len() == 1 && groups[0].1.len() == 1 {
                values.into_iter().next().unwrap_or_default()
            } else {
                list_value(values)
            };
            if let Some(t) = &template {
                out = t.run(&v)?;
            } else if !(named && all_items.is_empty()) {
                out = if output == "json" {
                    to_json_string(&v) + "\n"
                } else {
                    to_yaml_string(&v)
                };
            }
        }
        "name" => {
            for i in &all_items {
                out.push_str(&format!(
                    "{}/{}\n",
                    i.qualified(),
                    i.meta().name.unwrap_or_default()
                ));
            }
        }
        _ => {
            let wide = output == "wide";
            let mut blocks = Vec::new();
            for (t, items) in &sections {
                if items.is_empty() {
                    continue;
                }
                let (headers, rows) = table_of(world, *t, items, args, wide, multi);
                blocks.push(if args.bool("no-headers") {
                    render_rows(&rows)
                } else {
                    render(&headers, &rows)
                });
            }
            out = blocks.join("\n");
        }
    }
    let mut result = Output::out(out);
    if groups
        .iter()
        .any(|(t, _)| *t == ResType::Sim(Kind::Endpoints))
    {
        result.stderr.push_str(super::ENDPOINTS_DEPRECATED);
        result.stderr.push('\n');
    }
    if all_items.is_empty() && errors.is_empty() && !named {
        let msg = match &ns {
            Some(n) => format!("No resources found in {n} namespace."),
            None => "No resources found".to_string(),
        };
        result.stderr.push_str(&msg);
        result.stderr.push('\n');
    }
    if !errors.is_empty() {
        result.ok = false;
        for e in errors {
            result.stderr.push_str(&e);
            result.stderr.push('\n');
        }
    }
    Ok(result)
}

/// A template printer chosen by `-o jsonpath=…`, `-o go-template=…` or `--template`.
enum TemplatePrinter {
    JsonPath(String),
    Go(String),
}

impl TemplatePrinter {
    fn run(&self, v: &Value) -> Result<String, String> {
        match self {
            TemplatePrinter::JsonPath(t) => super::template::jsonpath(t, v),
            TemplatePrinter::Go(t) => super::template::go_template(t, v),
        }
    }
}

fn template_printer(output: &str, flag: Option<&str>) -> Result<Option<TemplatePrinter>, String> {
    let (format, inline) = match output.split_once('=') {
        Some((f, t)) => (f, Some(t)),
        None => (output, None),
    };
    let text = || {
        inline
            .or(flag)
            .map(str::to_string)
            .ok_or_else(|| "error: template format specified but no template given".to_string())
    };
    Ok(match format {
        "jsonpath" => Some(TemplatePrinter::JsonPath(text()?)),
        "go-template" | "template" => Some(TemplatePrinter::Go(text()?)),
        "" if flag.is_some() => Some(TemplatePrinter::Go(text()?)),
        "jsonpath-file" | "go-template-file" | "templatefile" => {
            return Err(format!("error: -o {format} reads a local file, which kubeplay cannot; give the template inline with -o {}=…", format.trim_end_matches("-file").trim_end_matches("file")))
        }
        _ => None,
    })
}

/// One type's table as `get` prints it: kubectl's columns, with `TYPE/` name prefixes when
/// several types are listed, LABELS with `--show-labels` and NAMESPACE with `-A`.
pub(super) fn table_of(
    world: &World,
    t: ResType,
    items: &[Item],
    args: &Args,
    wide: bool,
    multi: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    let (mut headers, mut rows) = table(items, t, wide, world.now());
    if multi {
        for (r, i) in rows.iter_mut().zip(items) {
            r[0] = format!("{}/{}", i.qualified(), r[0]);
        }
    }
    if args.bool("show-labels") {
        headers.push("LABELS".into());
        for (r, i) in rows.iter_mut().zip(items) {
            r.push(format_labels(i.meta().labels.as_ref()));
        }
    }
    if namespace_scope(args).is_none() && !matches!(t, ResType::Sim(k) if !k.namespaced()) {
        headers.insert(0, "NAMESPACE".into());
        for (r, i) in rows.iter_mut().zip(items) {
            r.insert(0, i.meta().namespace.unwrap_or_default());
        }
    }
    (headers, rows)
}

/// `kubectl events`: events sorted by time, like `get events`.
pub fn events_command(world: &World, args: &Args) -> Result<Output, String> {
    let ns = namespace_scope(args);
    let items = list(world, ResType::Sim(Kind::Event), ns.as_deref());
    if items.is_empty() {
        return Ok(Output::out("").with_warnings(&[match &ns {
            Some(n) => format!("No events found in {n} namespace."),
            None => "No events found.".to_string(),
        }]));
    }
    let (mut headers, mut rows) = table(&items, ResType::Sim(Kind::Event), false, world.now());
    if ns.is_none() {
        headers.insert(0, "NAMESPACE".into());
        for (r, i) in rows.iter_mut().zip(&items) {
            r.insert(0, i.meta().namespace.unwrap_or_default());
        }
    }
    Ok(Output::out(render(&headers, &rows)))
}
