//! `kubectl describe` (`pkg/describe/describe.go`): the same sections and alignment.

use super::get::{find, list, namespace_scope, not_found, targets, Item};
use super::{tabwriter, Args, Output, ResType};
use crate::cluster;
use crate::controllers::deployment::util::{
    max_surge, max_unavailable, rs_replicas, rs_status_replicas,
};
use crate::controllers::volume;
use crate::labels::Selector;
use crate::podutil;
use crate::quantity;
use crate::sim::World;
use crate::store::{controller_ref, Kind};
use crate::time::{human_duration, SimTime};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{
    Endpoints, Node, PersistentVolume, PersistentVolumeClaim, Pod, PodTemplateSpec, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Lines with tab-separated cells, aligned at the end with padding 2.
#[derive(Default)]
struct Doc(String);

impl Doc {
    fn line(&mut self, indent: usize, cells: &[&str]) {
        let _ = write!(self.0, "{}{}", " ".repeat(indent), cells.join("\t"));
        self.0.push('\n');
    }
    fn kv(&mut self, indent: usize, k: &str, v: impl AsRef<str>) {
        self.line(indent, &[&format!("{k}:"), v.as_ref()]);
    }
    fn finish(self) -> String {
        tabwriter::align(&self.0, 0, 2)
    }
}

fn map_lines(
    doc: &mut Doc,
    indent: usize,
    key: &str,
    m: Option<&BTreeMap<String, String>>,
    sep: &str,
) {
    let entries: Vec<(String, String)> = m
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if entries.is_empty() {
        doc.kv(indent, key, "<none>");
        return;
    }
    for (i, (k, v)) in entries.iter().enumerate() {
        let cell = format!("{k}{sep}{v}");
        if i == 0 {
            doc.kv(indent, key, &cell);
        } else {
            doc.line(indent, &["", &cell]);
        }
    }
}

/// `Key:  first` then one item per line under it, or `<none>`.
fn list_lines(doc: &mut Doc, indent: usize, key: &str, items: &[String]) {
    match items.split_first() {
        None => doc.kv(indent, key, "<none>"),
        Some((first, rest)) => {
            doc.kv(indent, key, first);
            for item in rest {
                doc.line(indent, &["", item]);
            }
        }
    }
}

/// Tolerations as describe prints them: `key=value:Effect op=Exists for 300s`.
fn toleration_cells(tols: Option<&[k8s_openapi::api::core::v1::Toleration]>) -> Vec<String> {
    tols.into_iter()
        .flatten()
        .map(|t| {
            let mut s = t.key.clone().unwrap_or_default();
            if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
                s.push('=');
                s.push_str(v);
            }
            if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
                s.push(':');
                s.push_str(e);
            }
            if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                s.push_str(" op=Exists");
            }
            if let Some(sec) = t.toleration_seconds {
                s.push_str(&format!(" for {sec}s"));
            }
            s
        })
        .collect()
}

fn created(meta: &ObjectMeta) -> String {
    meta.creation_timestamp
        .as_ref()
        .map(|t| SimTime::from_k8s(t).rfc1123z())
        .unwrap_or_default()
}

/// The `Name`, `Namespace`, `Labels` and `Annotations` lines most describers start with.
fn object_header(doc: &mut Doc, meta: &ObjectMeta) {
    doc.kv(0, "Name", meta.name.clone().unwrap_or_default());
    doc.kv(0, "Namespace", meta.namespace.clone().unwrap_or_default());
    map_lines(doc, 0, "Labels", meta.labels.as_ref(), "=");
    map_lines(
        doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(meta)),
        ": ",
    );
}

fn annotations_for_describe(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != crate::controllers::deployment::util::LAST_APPLIED)
        .collect()
}

/// The `Events:` section: the rows of [`super::get::events_of`] as a tabwriter table.
fn events_section(doc: &mut Doc, world: &World, uid: &str) {
    let rows = super::get::events_of(world, uid);
    if rows.is_empty() {
        doc.kv(0, "Events", "<none>");
        return;
    }
    doc.line(0, &["Events:"]);
    doc.line(2, &["Type", "Reason", "Age", "From", "Message"]);
    doc.line(2, &["----", "------", "----", "----", "-------"]);
    for r in rows {
        doc.line(2, &[&r.type_, &r.reason, &r.age, &r.from, &r.message]);
    }
}

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "<nil>".into(),
    }
}

fn pod_template(doc: &mut Doc, t: &PodTemplateSpec, indent: usize) {
    let meta = t.metadata.clone().unwrap_or_default();
    map_lines(doc, indent, "Labels", meta.labels.as_ref(), "=");
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        map_lines(doc, indent, "Annotations", meta.annotations.as_ref(), ": ");
    }
    let spec = t.spec.clone().unwrap_or_default();
    containers(doc, &spec.containers, None, indent);
    volumes(doc, spec.volumes.as_ref(), indent);
    let sel = crate::labels::format_labels(spec.node_selector.as_ref());
    doc.kv(indent, "Node-Selectors", sel);
    list_lines(
        doc,
        indent,
        "Tolerations",
        &toleration_cells(spec.tolerations.as_deref()),
    );
}

/// A pod template block, indented as under `Pod Template:`.
pub fn template_text(t: &PodTemplateSpec) -> String {
    let mut doc = Doc::default();
    pod_template(&mut doc, t, 2);
    doc.finish()
}

fn containers(
    doc: &mut Doc,
    cs: &[k8s_openapi::api::core::v1::Container],
    pod: Option<&Pod>,
    indent: usize,
) {
    doc.line(indent, &["Containers:"]);
    for c in cs {
        doc.line(indent + 1, &[&format!("{}:", c.name)]);
        let i = indent + 2;
        let status = pod
            .and_then(|p| p.status.as_ref())
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|cs| cs.iter().find(|s| s.name == c.name));
        if let Some(st) = status {
            doc.kv(
                i,
                "Container ID",
                st.container_id.clone().unwrap_or_default(),
            );
        }
        doc.kv(i, "Image", c.image.clone().unwrap_or_default());
        if let Some(st) = status {
            doc.kv(i, "Image ID", st.image_id.clone());
        }
        let ports = c.ports.clone().unwrap_or_default();
        match ports.first() {
            Some(p) => {
                let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                doc.kv(i, "Port", format!("{}/{proto}", p.container_port));
                doc.kv(
                    i,
                    "Host Port",
                    format!("{}/{proto}", p.host_port.unwrap_or(0)),
                );
            }
            None => {
                doc.kv(i, "Port", "<none>");
                doc.kv(i, "Host Port", "<none>");
            }
        }
        if let Some(cmd) = &c.command {
            doc.line(i, &["Command:"]);
            for w in cmd {
                doc.line(i + 2, &[w]);
            }
        }
        if let Some(a) = &c.args {
            doc.line(i, &["Args:"]);
            for w in a {
                doc.line(i + 2, &[w]);
            }
        }
        if let Some(st) = status {
            state_lines(doc, i, "State", st.state.as_ref());
            if st
                .last_state
                .as_ref()
                .is_some_and(|s| s.terminated.is_some())
            {
                state_lines(doc, i, "Last State", st.last_state.as_ref());
            }
            doc.kv(i, "Ready", if st.ready { "True" } else { "False" });
            doc.kv(i, "Restart Count", st.restart_count.to_string());
        }
        let r = c.resources.clone().unwrap_or_default();
        for (title, m) in [("Limits", r.limits), ("Requests", r.requests)] {
            if let Some(m) = m.filter(|m| !m.is_empty()) {
                doc.line(i, &[&format!("{title}:")]);
                for (k, v) in m {
                    doc.kv(i + 2, &k, &v.0);
                }
            }
        }
        if let Some(p) = &c.readiness_probe {
            doc.kv(
                i,
                "Readiness",
                format!(
                    "delay={}s timeout={}s period={}s #success={} #failure={}",
                    p.initial_delay_seconds.unwrap_or(0),
                    p.timeout_seconds.unwrap_or(1),
                    p.period_seconds.unwrap_or(10),
                    p.success_threshold.unwrap_or(1),
                    p.failure_threshold.unwrap_or(3)
                ),
            );
        }
        doc.kv(i, "Environment", "<none>");
        let mounts = c.volume_mounts.clone().unwrap_or_default();
        if mounts.is_empty() {
            doc.kv(i, "Mounts", "<none>");
        } else {
            doc.line(i, &["Mounts:"]);
            for m in &mounts {
                let mut flags = if m.read_only == Some(true) {
                    "ro"
                } else {
                    "rw"
                }
                .to_string();
                if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
                    let _ = write!(flags, ",path={sub:?}");
                }
                doc.line(
                    i + 2,
                    &[&format!("{} from {} ({flags})", m.mount_path, m.name)],
                );
            }
        }
    }
}

/// `describeVolumes` for the volume sources the simulation knows.
fn volumes(doc: &mut Doc, vols: Option<&Vec<k8s_openapi::api::core::v1::Volume>>, indent: usize) {
    let vols = vols.cloned().unwrap_or_default();
    if vols.is_empty() {
        doc.kv(indent, "Volumes", "<none>");
        return;
    }
    doc.line(indent, &["Volumes:"]);
    let i = indent + 2;
    for v in &vols {
        doc.line(i, &[&format!("{}:", v.name)]);
        if let Some(c) = &v.persistent_volume_claim {
            doc.kv(i + 2, "Type", "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)");
            doc.kv(i + 2, "ClaimName", &c.claim_name);
            doc.kv(i + 2, "ReadOnly", c.read_only.unwrap_or(false).to_string());
        } else if let Some(e) = &v.empty_dir {
            doc.kv(
                i + 2,
                "Type",
                "EmptyDir (a temporary directory that shares a pod's lifetime)",
            );
            doc.kv(i + 2, "Medium", e.medium.clone().unwrap_or_default());
            doc.kv(
                i + 2,
                "SizeLimit",
                e.size_limit
                    .as_ref()
                    .map_or("<unset>".to_string(), |q| q.0.clone()),
            );
        } else if let Some(h) = &v.host_path {
            doc.kv(i + 2, "Type", "HostPath (bare host directory volume)");
            doc.kv(i + 2, "Path", &h.path);
            doc.kv(i + 2, "HostPathType", h.type_.clone().unwrap_or_default());
        } else {
            doc.kv(i + 2, "Type", "<unknown>");
        }
    }
}

fn state_lines(
    doc: &mut Doc,
    i: usize,
    title: &str,
    s: Option<&k8s_openapi::api::core::v1::ContainerState>,
) {
    let Some(s) = s else { return };
    if let Some(w) = &s.waiting {
        doc.kv(i, title, "Waiting");
        doc.kv(i + 2, "Reason", w.reason.clone().unwrap_or_default());
    } else if let Some(r) = &s.running {
        doc.kv(i, title, "Running");
        doc.kv(
            i + 2,
            "Started",
            r.started_at
                .as_ref()
                .map(|t| SimTime::from_k8s(t).rfc1123z())
                .unwrap_or_default(),
        );
    } else if let Some(t) = &s.terminated {
        doc.kv(i, title, "Terminated");
        doc.kv(i + 2, "Reason", t.reason.clone().unwrap_or_default());
        doc.kv(i + 2, "Exit Code", t.exit_code.to_string());
        doc.kv(
            i + 2,
            "Started",
            t.started_at
                .as_ref()
                .map(|x| SimTime::from_k8s(x).rfc1123z())
                .unwrap_or_default(),
        );
        doc.kv(
            i + 2,
            "Finished",
            t.finished_at
                .as_ref()
                .map(|x| SimTime::from_k8s(x).rfc1123z())
                .unwrap_or_default(),
        );
    }
}

fn describe_deployment(world: &World, d: &Deployment) -> String {
    let mut doc = Doc::default();
    let s = d.status.clone().unwrap_or_default();
    let spec = &d.spec;
    doc.kv(0, "Name", d.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        d.metadata.namespace.clone().unwrap_or_default(),
    );
    doc.kv(0, "CreationTimestamp", created(&d.metadata));
    map_lines(&mut doc, 0, "Labels", d.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&d.metadata)),
        ": ",
    );
    doc.kv(
        0,
        "Selector",
        Selector::from_label_selector(&spec.selector)
            .map(|x| x.to_string())
            .unwrap_or_default(),
    );
    let want = spec.replicas.unwrap_or(1);
    doc.kv(
        0,
        "Replicas",
        format!(
            "{want} desired | {} updated | {} total | {} available | {} unavailable",
            s.updated_replicas.unwrap_or(0),
            s.replicas.unwrap_or(0),
            s.available_replicas.unwrap_or(0),
            s.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    let st = strategy
        .type_
        .clone()
        .unwrap_or_else(|| "RollingUpdate".into());
    doc.kv(0, "StrategyType", &st);
    doc.kv(
        0,
        "MinReadySeconds",
        spec.min_ready_seconds.unwrap_or(0).to_string(),
    );
    if st == "RollingUpdate" {
        let ru = strategy.rolling_update.clone().unwrap_or_default();
        doc.kv(
            0,
            "RollingUpdateStrategy",
            format!(
                "{} max unavailable, {} max surge",
                int_or_string(ru.max_unavailable.as_ref()),
                int_or_string(ru.max_surge.as_ref())
            ),
        );
    }
    let _ = (max_surge(d), max_unavailable(d));
    doc.line(0, &["Pod Template:"]);
    pod_template(&mut doc, &spec.template, 2);
    let conds = s.conditions.clone().unwrap_or_default();
    if !conds.is_empty() {
        doc.line(0, &["Conditions:"]);
        doc.line(2, &["Type", "Status", "Reason"]);
        doc.line(2, &["----", "------", "------"]);
        for c in conds {
            doc.line(
                2,
                &[
                    c.type_.as_deref().unwrap_or(""),
                    c.status.as_deref().unwrap_or(""),
                    c.reason.as_deref().unwrap_or(""),
                ],
            );
        }
    }
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let rss: Vec<&ReplicaSet> = world.store().replicasets.owned_by(&uid).collect();
    let new = crate::controllers::deployment::util::find_new_replica_set(
        d,
        &rss.iter().map(|r| (*r).clone()).collect::<Vec<_>>(),
    )
    .map(|r| r.metadata.name.clone());
    let fmt_rs = |r: &ReplicaSet| {
        format!(
            "{} ({}/{} replicas created)",
            r.metadata.name.clone().unwrap_or_default(),
            rs_status_replicas(r),
            rs_replicas(r)
        )
    };
    let old: Vec<String> = rss
        .iter()
        .filter(|r| Some(r.metadata.name.clone()) != new && rs_replicas(r) > 0)
        .map(|r| fmt_rs(r))
        .collect();
    doc.kv(
        0,
        "OldReplicaSets",
        if old.is_empty() {
            "<none>".to_string()
        } else {
            old.join(", ")
        },
    );
    let new_rs = rss.iter().find(|r| Some(r.metadata.name.clone()) == new);
    doc.kv(
        0,
        "NewReplicaSet",
        new_rs.map(|r| fmt_rs(r)).unwrap_or_else(|| "<none>".into()),
    );
    events_section(&mut doc, world, &uid);
    doc.finish()
}

fn pods_status_line(pods: &[&Pod]) -> String {
    let count = |p: &str| pods.iter().filter(|x| podutil::phase(x) == p).count();
    format!(
        "{} Running / {} Waiting / {} Succeeded / {} Failed",
        count("Running"),
        count("Pending"),
        count("Succeeded"),
        count("Failed")
    )
}

fn controlled_by(doc: &mut Doc, meta: &ObjectMeta) {
    if let Some(r) = controller_ref(meta) {
        doc.kv(0, "Controlled By", format!("{}/{}", r.kind, r.name));
    }
}

fn describe_replica_set(world: &World, rs: &ReplicaSet) -> String {
    let mut doc = Doc::default();
    doc.kv(0, "Name", rs.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        rs.metadata.namespace.clone().unwrap_or_default(),
    );
    doc.kv(
        0,
        "Selector",
        Selector::from_label_selector(&rs.spec.selector)
            .map(|x| x.to_string())
            .unwrap_or_default(),
    );
    map_lines(&mut doc, 0, "Labels", rs.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&rs.metadata)),
        ": ",
    );
    controlled_by(&mut doc, &rs.metadata);
    doc.kv(
        0,
        "Replicas",
        format!(
            "{} current / {} desired",
            rs_status_replicas(rs),
            rs_replicas(rs)
        ),
    );
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let pods: Vec<&Pod> = world.store().pods.owned_by(&uid).collect();
    doc.kv(0, "Pods Status", pods_status_line(&pods));
    doc.line(0, &["Pod Template:"]);
    if let Some(t) = &rs.spec.template {
        pod_template(&mut doc, t, 2);
    }
    events_section(&mut doc, world, &uid);
    doc.finish()
}

/// `DaemonSetDescriber`. The count lines have no tab, so (as upstream) they are not aligned
/// with the lines around them.
fn describe_daemon_set(world: &World, ds: &DaemonSet) -> String {
    let mut doc = Doc::default();
    let spec = &ds.spec;
    doc.kv(0, "Name", ds.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        ds.metadata.namespace.clone().unwrap_or_default(),
    );
    doc.kv(
        0,
        "Selector",
        Selector::from_label_selector(&spec.selector)
            .map(|x| x.to_string())
            .unwrap_or_default(),
    );
    doc.kv(
        0,
        "Node-Selector",
        crate::labels::format_labels(
            spec.template
                .spec
                .as_ref()
                .and_then(|s| s.node_selector.as_ref()),
        ),
    );
    map_lines(&mut doc, 0, "Labels", ds.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&ds.metadata)),
        ": ",
    );
    let st = ds.status.clone().unwrap_or_default();
    for (what, n) in [
        (
            "Desired Number of Nodes Scheduled",
            st.desired_number_scheduled,
        ),
        (
            "Current Number of Nodes Scheduled",
            st.current_number_scheduled,
        ),
        (
            "Number of Nodes Scheduled with Up-to-date Pods",
            st.updated_number_scheduled.unwrap_or(0),
        ),
        (
            "Number of Nodes Scheduled with Available Pods",
            st.number_available.unwrap_or(0),
        ),
        ("Number of Nodes Misscheduled", st.number_misscheduled),
    ] {
        doc.line(0, &[&format!("{what}: {n}")]);
    }
    let uid = ds.metadata.uid.clone().unwrap_or_default();
    let pods: Vec<&Pod> = world.store().pods.owned_by(&uid).collect();
    doc.kv(0, "Pods Status", pods_status_line(&pods));
    doc.line(0, &["Pod Template:"]);
    pod_template(&mut doc, &spec.template, 2);
    events_section(&mut doc, world, &uid);
    doc.finish()
}

/// `StatefulSetDescriber`.
fn describe_stateful_set(world: &World, set: &StatefulSet) -> String {
    let mut doc = Doc::default();
    let spec = &set.spec;
    doc.kv(0, "Name", set.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        set.metadata.namespace.clone().unwrap_or_default(),
    );
    doc.kv(0, "CreationTimestamp", created(&set.metadata));
    doc.kv(
        0,
        "Selector",
        Selector::from_label_selector(&spec.selector)
            .map(|x| x.to_string())
            .unwrap_or_default(),
    );
    map_lines(&mut doc, 0, "Labels", set.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&set.metadata)),
        ": ",
    );
    doc.kv(
        0,
        "Replicas",
        format!(
            "{} desired | {} total",
            spec.replicas.unwrap_or(1),
            set.status.as_ref().map_or(0, |s| s.replicas)
        ),
    );
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    doc.kv(
        0,
        "Update Strategy",
        strategy.type_.clone().unwrap_or_default(),
    );
    if let Some(p) = strategy
        .rolling_update
        .as_ref()
        .and_then(|r| r.partition.map(|p| (p, r.max_unavailable.clone())))
    {
        doc.kv(2, "Partition", p.0.to_string());
        if p.1.is_some() {
            doc.kv(2, "MaxUnavailable", int_or_string(p.1.as_ref()));
        }
    }
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let pods: Vec<&Pod> = world.store().pods.owned_by(&uid).collect();
    doc.kv(0, "Pods Status", pods_status_line(&pods));
    doc.line(0, &["Pod Template:"]);
    pod_template(&mut doc, &spec.template, 2);
    let claims = spec.volume_claim_templates.clone().unwrap_or_default();
    if claims.is_empty() {
        doc.kv(0, "Volume Claims", "<none>");
    } else {
        doc.line(0, &["Volume Claims:"]);
        for c in &claims {
            let cs = c.spec.clone().unwrap_or_default();
            doc.kv(2, "Name", c.metadata.name.clone().unwrap_or_default());
            doc.kv(
                2,
                "StorageClass",
                cs.storage_class_name.clone().unwrap_or_default(),
            );
            map_lines(&mut doc, 2, "Labels", c.metadata.labels.as_ref(), "=");
            map_lines(
                &mut doc,
                2,
                "Annotations",
                c.metadata.annotations.as_ref(),
                "=",
            );
            doc.kv(
                2,
                "Capacity",
                cs.resources
                    .as_ref()
                    .and_then(|r| r.requests.as_ref())
                    .and_then(|r| r.get("storage"))
                    .map(|q| q.0.clone())
                    .unwrap_or_else(|| "<default>".into()),
            );
            doc.kv(
                2,
                "Access Modes",
                format!("[{}]", cs.access_modes.unwrap_or_default().join(" ")),
            );
        }
    }
    events_section(&mut doc, world, &uid);
    doc.finish()
}

fn describe_pod(world: &World, p: &Pod) -> String {
    let mut doc = Doc::default();
    let now = world.now();
    let st = p.status.clone().unwrap_or_default();
    doc.kv(0, "Name", p.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        p.metadata.namespace.clone().unwrap_or_default(),
    );
    doc.kv(
        0,
        "Priority",
        p.spec
            .as_ref()
            .and_then(|s| s.priority)
            .unwrap_or(0)
            .to_string(),
    );
    doc.kv(0, "Service Account", "default");
    let node = podutil::node_name(p)
        .map(|n| format!("{n}/{}", st.host_ip.clone().unwrap_or_default()))
        .unwrap_or_else(|| "<none>".into());
    doc.kv(0, "Node", node);
    if let Some(t) = &st.start_time {
        doc.kv(0, "Start Time", SimTime::from_k8s(t).rfc1123z());
    }
    map_lines(&mut doc, 0, "Labels", p.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&p.metadata)),
        ": ",
    );
    let status = match &p.metadata.deletion_timestamp {
        Some(t) => format!(
            "Terminating (lasts {})",
            human_duration(
                now.since(SimTime::from_k8s(t))
                    .max(SimTime::from_k8s(t).since(now))
            )
        ),
        None => podutil::phase(p).to_string(),
    };
    doc.kv(0, "Status", status);
    if let Some(r) = &st.reason {
        doc.kv(0, "Reason", r);
    }
    doc.kv(0, "IP", st.pod_ip.clone().unwrap_or_default());
    if let Some(ips) = &st.pod_ips {
        doc.line(0, &["IPs:"]);
        for ip in ips {
            doc.kv(2, "IP", &ip.ip);
        }
    } else {
        doc.kv(0, "IPs", "<none>");
    }
    controlled_by(&mut doc, &p.metadata);
    let spec = p.spec.clone().unwrap_or_default();
    containers(&mut doc, &spec.containers, Some(p), 0);
    let conds = st.conditions.clone().unwrap_or_default();
    if !conds.is_empty() {
        doc.line(0, &["Conditions:"]);
        doc.line(2, &["Type", "Status"]);
        for c in &conds {
            doc.line(2, &[&c.type_, &c.status]);
        }
    }
    volumes(&mut doc, spec.volumes.as_ref(), 0);
    doc.kv(
        0,
        "QoS Class",
        st.qos_class
            .clone()
            .unwrap_or_else(|| crate::controllers::kubelet::qos_class(p).into()),
    );
    let sel = crate::labels::format_labels(spec.node_selector.as_ref());
    doc.kv(0, "Node-Selectors", sel);
    list_lines(
        &mut doc,
        0,
        "Tolerations",
        &toleration_cells(spec.tolerations.as_deref()),
    );
    events_section(
        &mut doc,
        world,
        p.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

fn describe_node(world: &World, n: &Node) -> String {
    let mut doc = Doc::default();
    let name = n.metadata.name.clone().unwrap_or_default();
    doc.kv(0, "Name", &name);
    doc.kv(0, "Roles", cluster::node_roles(n));
    map_lines(&mut doc, 0, "Labels", n.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        n.metadata.annotations.as_ref(),
        ": ",
    );
    doc.kv(0, "CreationTimestamp", created(&n.metadata));
    list_lines(&mut doc, 0, "Taints", &cluster::node_taints(n));
    doc.kv(
        0,
        "Unschedulable",
        if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
            "true"
        } else {
            "false"
        },
    );
    let st = n.status.clone().unwrap_or_default();
    doc.line(0, &["Conditions:"]);
    doc.line(
        2,
        &[
            "Type",
            "Status",
            "LastHeartbeatTime",
            "LastTransitionTime",
            "Reason",
            "Message",
        ],
    );
    doc.line(
        2,
        &[
            "----",
            "------",
            "-----------------",
            "------------------",
            "------",
            "-------",
        ],
    );
    for c in st.conditions.iter().flatten() {
        let t = |x: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
            x.as_ref()
                .map(|x| SimTime::from_k8s(x).rfc1123z())
                .unwrap_or_default()
        };
        doc.line(
            2,
            &[
                &c.type_,
                &c.status,
                &t(&c.last_heartbeat_time),
                &t(&c.last_transition_time),
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or(""),
            ],
        );
    }
    doc.line(0, &["Addresses:"]);
    for a in st.addresses.iter().flatten() {
        doc.kv(2, &a.type_, &a.address);
    }
    for (title, m) in [("Capacity", &st.capacity), ("Allocatable", &st.allocatable)] {
        doc.line(0, &[&format!("{title}:")]);
        for (k, v) in m.iter().flatten() {
            doc.kv(2, k, &v.0);
        }
    }
    let info = st.node_info.clone().unwrap_or_default();
    doc.line(0, &["System Info:"]);
    doc.kv(2, "Kernel Version", &info.kernel_version);
    doc.kv(2, "OS Image", &info.os_image);
    doc.kv(2, "Operating System", &info.operating_system);
    doc.kv(2, "Architecture", &info.architecture);
    doc.kv(
        2,
        "Container Runtime Version",
        &info.container_runtime_version,
    );
    doc.kv(2, "Kubelet Version", &info.kubelet_version);
    let pods: Vec<&Pod> = world
        .store()
        .pods
        .iter()
        .filter(|p| podutil::node_name(p) == Some(name.as_str()) && !podutil::is_terminal(p))
        .collect();
    doc.kv(
        0,
        "Non-terminated Pods",
        format!("({} in total)", pods.len()),
    );
    doc.line(
        2,
        &[
            "Namespace",
            "Name",
            "CPU Requests",
            "CPU Limits",
            "Memory Requests",
            "Memory Limits",
            "Age",
        ],
    );
    doc.line(
        2,
        &[
            "---------",
            "----",
            "------------",
            "----------",
            "---------------",
            "-------------",
            "---",
        ],
    );
    let (acpu, amem, _) = crate::controllers::scheduler::allocatable(n);
    let (mut tc, mut tm) = (0, 0);
    for p in &pods {
        let (c, m) = podutil::requests(p);
        tc += c;
        tm += m;
        let pct = |v: i64, a: i64| if a > 0 { v * 100 / a } else { 0 };
        doc.line(
            2,
            &[
                p.metadata.namespace.as_deref().unwrap_or(""),
                p.metadata.name.as_deref().unwrap_or(""),
                &format!("{} ({}%)", quantity::format_cpu(c), pct(c, acpu)),
                "0 (0%)",
                &format!("{} ({}%)", quantity::format_bytes(m), pct(m, amem)),
                "0 (0%)",
                &super::get::age(&p.metadata, world.now()),
            ],
        );
    }
    doc.line(0, &["Allocated resources:"]);
    doc.line(
        2,
        &["(Total limits may be over 100 percent, i.e., overcommitted.)"],
    );
    doc.line(2, &["Resource", "Requests", "Limits"]);
    doc.line(2, &["--------", "--------", "------"]);
    let pct = |v: i64, a: i64| if a > 0 { v * 100 / a } else { 0 };
    doc.line(
        2,
        &[
            "cpu",
            &format!("{} ({}%)", quantity::format_cpu(tc), pct(tc, acpu)),
            "0 (0%)",
        ],
    );
    doc.line(
        2,
        &[
            "memory",
            &format!("{} ({}%)", quantity::format_bytes(tm), pct(tm, amem)),
            "0 (0%)",
        ],
    );
    events_section(
        &mut doc,
        world,
        n.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

/// `PodDisruptionBudgetDescriber`.
fn describe_budget(world: &World, b: &PodDisruptionBudget) -> String {
    let mut doc = Doc::default();
    let spec = b.spec.clone().unwrap_or_default();
    let st = b.status.clone().unwrap_or_default();
    let show = |v: &IntOrString| match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    doc.kv(0, "Name", b.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        b.metadata.namespace.clone().unwrap_or_default(),
    );
    if let Some(v) = &spec.min_available {
        doc.kv(0, "Min available", show(v));
    } else if let Some(v) = &spec.max_unavailable {
        doc.kv(0, "Max unavailable", show(v));
    }
    match &spec.selector {
        Some(sel) => doc.kv(
            0,
            "Selector",
            Selector::from_label_selector(sel)
                .map(|x| x.to_string())
                .unwrap_or_default(),
        ),
        None => doc.kv(0, "Selector", "<unset>"),
    }
    if let Some(p) = &spec.unhealthy_pod_eviction_policy {
        doc.kv(0, "Unhealthy Pod Eviction Policy", p);
    }
    doc.line(0, &["Status:"]);
    doc.kv(
        4,
        "Allowed disruptions",
        st.disruptions_allowed.unwrap_or(0).to_string(),
    );
    doc.kv(4, "Current", st.current_healthy.unwrap_or(0).to_string());
    doc.kv(4, "Desired", st.desired_healthy.unwrap_or(0).to_string());
    doc.kv(4, "Total", st.expected_pods.unwrap_or(0).to_string());
    events_section(
        &mut doc,
        world,
        b.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

/// `StorageClassDescriber`.
fn describe_storage_class(world: &World, c: &StorageClass) -> String {
    let mut doc = Doc::default();
    doc.kv(0, "Name", c.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "IsDefaultClass",
        if volume::is_default_class(c) {
            "Yes"
        } else {
            "No"
        },
    );
    // `labels.FormatLabels`: one line, `k=v` comma-joined.
    doc.kv(
        0,
        "Annotations",
        crate::labels::format_labels(Some(&annotations_for_describe(&c.metadata))),
    );
    doc.kv(0, "Provisioner", &c.provisioner);
    map_lines(&mut doc, 0, "Parameters", c.parameters.as_ref(), "=");
    doc.kv(
        0,
        "AllowVolumeExpansion",
        c.allow_volume_expansion
            .map(|b| if b { "True" } else { "False" })
            .unwrap_or("<unset>"),
    );
    doc.kv(
        0,
        "MountOptions",
        c.mount_options
            .as_ref()
            .filter(|m| !m.is_empty())
            .map(|m| m.join(", "))
            .unwrap_or_else(|| "<none>".into()),
    );
    doc.kv(
        0,
        "ReclaimPolicy",
        c.reclaim_policy.clone().unwrap_or_default(),
    );
    doc.kv(
        0,
        "VolumeBindingMode",
        c.volume_binding_mode.clone().unwrap_or_default(),
    );
    events_section(
        &mut doc,
        world,
        c.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

fn finalizers_cell(meta: &ObjectMeta) -> String {
    format!(
        "[{}]",
        meta.finalizers.clone().unwrap_or_default().join(" ")
    )
}

/// `PersistentVolumeDescriber` (for the volume sources the simulation creates).
fn describe_volume(world: &World, v: &PersistentVolume) -> String {
    let mut doc = Doc::default();
    let spec = v.spec.clone().unwrap_or_default();
    doc.kv(0, "Name", v.metadata.name.clone().unwrap_or_default());
    map_lines(&mut doc, 0, "Labels", v.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&v.metadata)),
        ": ",
    );
    doc.kv(0, "Finalizers", finalizers_cell(&v.metadata));
    doc.kv(
        0,
        "StorageClass",
        spec.storage_class_name.clone().unwrap_or_default(),
    );
    let status = if v.metadata.deletion_timestamp.is_some() {
        format!(
            "Terminating (lasts {})",
            human_duration(
                world.now().since(
                    v.metadata
                        .deletion_timestamp
                        .as_ref()
                        .map(SimTime::from_k8s)
                        .unwrap_or(world.now()),
                )
            )
        )
    } else {
        volume::volume_phase(v).to_string()
    };
    doc.kv(0, "Status", status);
    doc.kv(
        0,
        "Claim",
        spec.claim_ref
            .as_ref()
            .map(|r| {
                format!(
                    "{}/{}",
                    r.namespace.clone().unwrap_or_default(),
                    r.name.clone().unwrap_or_default()
                )
            })
            .unwrap_or_default(),
    );
    doc.kv(
        0,
        "Reclaim Policy",
        spec.persistent_volume_reclaim_policy
            .clone()
            .unwrap_or_default(),
    );
    doc.kv(
        0,
        "Access Modes",
        volume::access_modes_column(spec.access_modes.as_ref()),
    );
    doc.kv(
        0,
        "VolumeMode",
        spec.volume_mode
            .clone()
            .unwrap_or_else(|| "Filesystem".into()),
    );
    doc.kv(
        0,
        "Capacity",
        spec.capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone())
            .unwrap_or_default(),
    );
    doc.kv(0, "Node Affinity", "<none>");
    doc.kv(
        0,
        "Message",
        v.status
            .as_ref()
            .and_then(|s| s.message.clone())
            .unwrap_or_default(),
    );
    doc.line(0, &["Source:"]);
    match &spec.host_path {
        Some(h) => {
            doc.kv(4, "Type", "HostPath (bare host directory volume)");
            doc.kv(4, "Path", &h.path);
            doc.kv(4, "HostPathType", h.type_.clone().unwrap_or_default());
        }
        None => doc.kv(4, "Type", "<none> (the simulation stores no volume source)"),
    }
    events_section(
        &mut doc,
        world,
        v.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

/// `PersistentVolumeClaimDescriber`.
fn describe_claim(world: &World, c: &PersistentVolumeClaim) -> String {
    let mut doc = Doc::default();
    let spec = c.spec.clone().unwrap_or_default();
    doc.kv(0, "Name", c.metadata.name.clone().unwrap_or_default());
    doc.kv(
        0,
        "Namespace",
        c.metadata.namespace.clone().unwrap_or_default(),
    );
    doc.kv(
        0,
        "StorageClass",
        spec.storage_class_name.clone().unwrap_or_default(),
    );
    let status = if c.metadata.deletion_timestamp.is_some() {
        format!(
            "Terminating (lasts {})",
            human_duration(
                world.now().since(
                    c.metadata
                        .deletion_timestamp
                        .as_ref()
                        .map(SimTime::from_k8s)
                        .unwrap_or(world.now()),
                )
            )
        )
    } else {
        volume::claim_phase(c).to_string()
    };
    doc.kv(0, "Status", status);
    doc.kv(0, "Volume", spec.volume_name.clone().unwrap_or_default());
    map_lines(&mut doc, 0, "Labels", c.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&c.metadata)),
        ": ",
    );
    doc.kv(0, "Finalizers", finalizers_cell(&c.metadata));
    let (capacity, access_modes) = volume::bound_claim_cells(c);
    doc.kv(0, "Capacity", capacity);
    doc.kv(0, "Access Modes", access_modes);
    doc.kv(
        0,
        "VolumeMode",
        spec.volume_mode
            .clone()
            .unwrap_or_else(|| "Filesystem".into()),
    );
    let users: Vec<String> = volume::pods_using_claim(world.store(), c)
        .iter()
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect();
    if users.is_empty() {
        doc.kv(0, "Used By", "<none>");
    } else {
        for (i, u) in users.iter().enumerate() {
            if i == 0 {
                doc.kv(0, "Used By", u);
            } else {
                doc.line(0, &["", u]);
            }
        }
    }
    events_section(
        &mut doc,
        world,
        c.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

/// `formatEndpointSlices` for one service port: ready endpoints' `ip:port`, at most three.
fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let (max, mut list, mut more, mut count) = (3, Vec::<String>::new(), false, 0);
    for s in slices {
        let ports = s.ports.clone().unwrap_or_default();
        let eps = s.endpoints.clone().unwrap_or_default();
        let ready = |e: &k8s_openapi::api::discovery::v1::Endpoint| {
            e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true)
        };
        if ports.is_empty() {
            for e in &eps {
                if list.len() == max {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(e.addresses.first().cloned().unwrap_or_default());
                }
                count += 1;
            }
            continue;
        }
        for p in ports
            .iter()
            .filter(|p| p.name.as_deref().unwrap_or_default() == port_name)
        {
            for e in &eps {
                if list.len() == max {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(format!(
                        "{}:{}",
                        e.addresses.first().cloned().unwrap_or_default(),
                        p.port.unwrap_or(0)
                    ));
                }
                count += 1;
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

/// `ServiceDescriber`: the Service with the endpoints of its slices, per port.
fn describe_service(world: &World, svc: &Service) -> String {
    let mut doc = Doc::default();
    let spec = svc.spec.clone().unwrap_or_default();
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    doc.kv(0, "Name", &name);
    doc.kv(0, "Namespace", &ns);
    map_lines(&mut doc, 0, "Labels", svc.metadata.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&svc.metadata)),
        ": ",
    );
    doc.kv(
        0,
        "Selector",
        crate::labels::format_labels(spec.selector.as_ref()),
    );
    doc.kv(0, "Type", spec.type_.clone().unwrap_or_default());
    if let Some(p) = &spec.ip_family_policy {
        doc.kv(0, "IP Family Policy", p);
    }
    doc.kv(
        0,
        "IP Families",
        spec.ip_families
            .as_ref()
            .filter(|f| !f.is_empty())
            .map(|f| f.join(","))
            .unwrap_or_else(|| "<none>".into()),
    );
    doc.kv(0, "IP", spec.cluster_ip.clone().unwrap_or_default());
    doc.kv(
        0,
        "IPs",
        spec.cluster_ips
            .as_ref()
            .filter(|f| !f.is_empty())
            .map(|f| f.join(","))
            .unwrap_or_else(|| "<none>".into()),
    );
    if let Some(ips) = spec.external_ips.as_ref().filter(|i| !i.is_empty()) {
        doc.kv(0, "External IPs", ips.join(","));
    }
    if let Some(n) = spec.external_name.as_ref().filter(|n| !n.is_empty()) {
        doc.kv(0, "External Name", n);
    }
    let slices: Vec<&EndpointSlice> = world
        .store()
        .endpointslices
        .in_namespace(&ns)
        .filter(|s| {
            s.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(crate::controllers::endpointslice::LABEL_SERVICE_NAME))
                == Some(&name)
        })
        .collect();
    for p in spec.ports.iter().flatten() {
        let pname = p.name.clone().filter(|n| !n.is_empty());
        let shown = pname.clone().unwrap_or_else(|| "<unset>".into());
        let proto = p.protocol.clone().unwrap_or_default();
        doc.line(0, &["Port:", &shown, &format!("{}/{proto}", p.port)]);
        let target = match &p.target_port {
            Some(IntOrString::Int(n)) => n.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => "0".into(),
        };
        doc.kv(0, "TargetPort", format!("{target}/{proto}"));
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            doc.line(0, &["NodePort:", &shown, &format!("{np}/{proto}")]);
        }
        doc.kv(
            0,
            "Endpoints",
            format_endpoint_slices(&slices, pname.as_deref().unwrap_or_default()),
        );
    }
    doc.kv(
        0,
        "Session Affinity",
        spec.session_affinity.clone().unwrap_or_default(),
    );
    if let Some(p) = spec
        .external_traffic_policy
        .as_ref()
        .filter(|p| !p.is_empty())
    {
        doc.kv(0, "External Traffic Policy", p);
    }
    if let Some(p) = &spec.internal_traffic_policy {
        doc.kv(0, "Internal Traffic Policy", p);
    }
    events_section(
        &mut doc,
        world,
        svc.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

/// `EndpointsDescriber`.
fn describe_endpoints(world: &World, ep: &Endpoints) -> String {
    let mut doc = Doc::default();
    object_header(&mut doc, &ep.metadata);
    doc.line(0, &["Subsets:"]);
    for ss in ep.subsets.iter().flatten() {
        let ips = |a: Option<&Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let v: Vec<String> = a.into_iter().flatten().map(|a| a.ip.clone()).collect();
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(",")
            }
        };
        doc.kv(2, "Addresses", ips(ss.addresses.as_ref()));
        doc.kv(2, "NotReadyAddresses", ips(ss.not_ready_addresses.as_ref()));
        if let Some(ports) = ss.ports.as_ref().filter(|p| !p.is_empty()) {
            doc.line(2, &["Ports:"]);
            doc.line(4, &["Name", "Port", "Protocol"]);
            doc.line(4, &["----", "----", "--------"]);
            for p in ports {
                let name = p
                    .name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "<unset>".into());
                doc.line(
                    4,
                    &[
                        &name,
                        &p.port.to_string(),
                        p.protocol.as_deref().unwrap_or_default(),
                    ],
                );
            }
        }
        doc.0.push('\n');
    }
    events_section(
        &mut doc,
        world,
        ep.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

/// `describeEndpointSliceV1`.
fn describe_endpoint_slice(world: &World, s: &EndpointSlice) -> String {
    let mut doc = Doc::default();
    object_header(&mut doc, &s.metadata);
    doc.kv(0, "AddressType", &s.address_type);
    match s.ports.as_ref().filter(|p| !p.is_empty()) {
        None => doc.line(0, &["Ports: <unset>"]),
        Some(ports) => {
            doc.line(0, &["Ports:"]);
            doc.line(2, &["Name", "Port", "Protocol"]);
            doc.line(2, &["----", "----", "--------"]);
            for p in ports {
                let name = p
                    .name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "<unset>".into());
                let port = p
                    .port
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "<unset>".into());
                doc.line(
                    2,
                    &[&name, &port, p.protocol.as_deref().unwrap_or_default()],
                );
            }
        }
    }
    match s.endpoints.as_ref().filter(|e| !e.is_empty()) {
        None => doc.line(0, &["Endpoints: <none>"]),
        Some(eps) => {
            doc.line(0, &["Endpoints:"]);
            let unset = || "<unset>".to_string();
            for e in eps {
                let addrs = if e.addresses.is_empty() {
                    "<none>".to_string()
                } else {
                    e.addresses.join(", ")
                };
                doc.kv(2, "- Addresses", addrs);
                doc.line(4, &["Conditions:"]);
                doc.kv(
                    6,
                    "Ready",
                    e.conditions
                        .as_ref()
                        .and_then(|c| c.ready)
                        .map(|b| b.to_string())
                        .unwrap_or_else(unset),
                );
                doc.kv(4, "Hostname", e.hostname.clone().unwrap_or_else(unset));
                if let Some(r) = &e.target_ref {
                    doc.kv(
                        4,
                        "TargetRef",
                        format!(
                            "{}/{}",
                            r.kind.clone().unwrap_or_default(),
                            r.name.clone().unwrap_or_default()
                        ),
                    );
                }
                doc.kv(4, "NodeName", e.node_name.clone().unwrap_or_else(unset));
                doc.kv(4, "Zone", e.zone.clone().unwrap_or_else(unset));
            }
        }
    }
    events_section(
        &mut doc,
        world,
        s.metadata.uid.as_deref().unwrap_or_default(),
    );
    doc.finish()
}

fn describe_generic(world: &World, item: &Item) -> String {
    let mut doc = Doc::default();
    let meta = item.meta();
    doc.kv(0, "Name", meta.name.clone().unwrap_or_default());
    if let Some(ns) = &meta.namespace {
        doc.kv(0, "Namespace", ns);
    }
    map_lines(&mut doc, 0, "Labels", meta.labels.as_ref(), "=");
    map_lines(
        &mut doc,
        0,
        "Annotations",
        Some(&annotations_for_describe(&meta)),
        ": ",
    );
    if let Item::Namespace(n) = item {
        doc.kv(
            0,
            "Status",
            n.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default(),
        );
    }
    events_section(&mut doc, world, meta.uid.as_deref().unwrap_or_default());
    doc.finish()
}

/// `kubectl describe TYPE [NAME...]`.
pub fn describe(world: &World, args: &Args) -> Result<Output, String> {
    let ns = namespace_scope(args).unwrap_or_else(|| "default".into());
    let groups = targets(&args.positional)?;
    let fields = args
        .flag("field-selector")
        .map(super::get::field_filter)
        .transpose()?;
    let mut blocks = Vec::new();
    let mut errors = Vec::new();
    for (t, names) in groups {
        let items: Vec<Item> = if names.is_empty() {
            let all = list(world, t, namespace_scope(args).as_deref());
            let sel = args
                .flag("selector")
                .map(Selector::parse)
                .transpose()
                .map_err(|e| format!("error: {e}"))?;
            all.into_iter()
                .filter(|i| {
                    sel.as_ref()
                        .is_none_or(|s| s.matches_opt(i.meta().labels.as_ref()))
                })
                .filter(|i| fields.as_ref().is_none_or(|f| f(i)))
                .collect()
        } else {
            names
                .iter()
                .filter_map(|n| match find(world, t, &ns, n) {
                    Some(i) => Some(i),
                    None => {
                        errors.push(not_found(t, n));
                        None
                    }
                })
                .collect()
        };
        for i in items {
            blocks.push(match (&i, t) {
                (Item::Deployment(d), _) => describe_deployment(world, d),
                (Item::ReplicaSet(r), _) => describe_replica_set(world, r),
                (Item::Pod(p), _) => describe_pod(world, p),
                (Item::Node(n), _) => describe_node(world, n),
                (Item::StorageClass(c), _) => describe_storage_class(world, c),
                (Item::PersistentVolume(v), _) => describe_volume(world, v),
                (Item::PersistentVolumeClaim(c), _) => describe_claim(world, c),
                (Item::Service(s), _) => describe_service(world, s),
                (Item::Endpoints(e), _) => describe_endpoints(world, e),
                (Item::EndpointSlice(e), _) => describe_endpoint_slice(world, e),
                (Item::StatefulSet(set), _) => describe_stateful_set(world, set),
                (Item::PodDisruptionBudget(b), _) => describe_budget(world, b),
                (Item::DaemonSet(ds), _) => describe_daemon_set(world, ds),
                (_, ResType::Sim(Kind::Event)) | (_, _) => describe_generic(world, &i),
            });
        }
    }
    let mut out = Output::out(blocks.join("\n\n"));
    if targets(&args.positional)?
        .iter()
        .any(|(t, _)| *t == ResType::Sim(Kind::Endpoints))
    {
        out.stderr = format!("{}\n", super::ENDPOINTS_DEPRECATED);
    }
    if !errors.is_empty() {
        out.ok = false;
        out.stderr.push_str(&(errors.join("\n") + "\n"));
    }
    Ok(out)
}
