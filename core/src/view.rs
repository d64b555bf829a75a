//! The view-model: plain rows describing the cluster for any user interface (the web picture,
//! tables, screen readers). No markup here: components only map these rows to elements.

use crate::cluster;
use crate::controllers::volume;
use crate::podutil;
use crate::sim::World;
use crate::store::{controller_ref, Key, Store};
use crate::time::SimTime;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Number of distinct workload colours a UI should provide.
pub const PALETTE_SIZE: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodState {
    /// Not yet placed on a node.
    Pending,
    /// Placed; sandbox, image pull or container start in progress.
    Creating,
    /// Running but not ready.
    Running,
    /// Running and ready.
    Ready,
    Terminating,
    CrashLoop,
    ImageError,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerView {
    /// The workload kind at the top of the owner chain: Deployment, ReplicaSet, StatefulSet, DaemonSet.
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// A short name for drawing: the random suffix for ReplicaSet pods, the whole name otherwise.
    pub label: String,
    /// The kubectl STATUS column.
    pub status: String,
    pub state: PodState,
    pub ready: bool,
    pub restarts: i32,
    pub owner: Option<OwnerView>,
    /// Palette index, stable for a workload.
    pub color: usize,
    /// One sentence on why the pod is not simply running, if it is not.
    pub why: Option<String>,
    pub node: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    /// kubectl STATUS (`Ready`, `NotReady`, `Ready,SchedulingDisabled`).
    pub status: String,
    pub roles: String,
    /// The Ready condition is `True`.
    pub ready: bool,
    /// The Ready condition as the API shows it: `status` (`True`, `False`, `Unknown`) with its
    /// reason and message, e.g. `Unknown` / `NodeStatusUnknown` /
    /// `Kubelet stopped posting node status.`; `None` when the node reports no Ready condition.
    pub condition: Option<ConditionView>,
    /// Its kubelet is unreachable: Ready is `Unknown`, which the node lifecycle controller sets
    /// when heartbeats stop (reference §9.1).
    pub failed: bool,
    /// `spec.unschedulable` (kubectl STATUS `SchedulingDisabled`).
    pub cordoned: bool,
    /// `key[=value]:Effect`, in `spec.taints` order.
    pub taints: Vec<String>,
    /// `key=value`, ordered by key.
    pub labels: Vec<String>,
    pub cpu_capacity_millis: i64,
    pub cpu_requested_millis: i64,
    pub memory_capacity_bytes: i64,
    pub memory_requested_bytes: i64,
    pub pods: Vec<Rc<PodView>>,
}

/// One node condition as `kubectl describe node` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionView {
    /// `True`, `False` or `Unknown`.
    pub status: String,
    pub reason: String,
    pub message: String,
}

impl NodeView {
    /// One line for screen readers and tooltips:
    /// `node worker-1, NotReady (Kubelet stopped posting node status.), SchedulingDisabled,
    /// taints node.kubernetes.io/unreachable:NoSchedule, 3 pods`.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("node {}", self.name)];
        parts.push(match (&self.condition, self.ready) {
            (_, true) => "Ready".to_string(),
            (Some(c), false) if !c.message.is_empty() => format!("NotReady ({})", c.message),
            (Some(c), false) if !c.reason.is_empty() => format!("NotReady ({})", c.reason),
            _ => "NotReady".to_string(),
        });
        if self.cordoned {
            parts.push("SchedulingDisabled".to_string());
        }
        if !self.taints.is_empty() {
            parts.push(format!("taints {}", self.taints.join(", ")));
        }
        parts.push(match self.pods.len() {
            1 => "1 pod".to_string(),
            n => format!("{n} pods"),
        });
        parts.join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadView {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status_line: String,
    pub color: usize,
    /// Desired replicas; `None` for a DaemonSet (one per eligible node).
    pub replicas: Option<i32>,
    /// The pod template's containers: (name, image).
    pub containers: Vec<(String, String)>,
}

/// (name, image) of every container in a pod template, init containers excluded.
fn template_containers(t: &k8s_openapi::api::core::v1::PodTemplateSpec) -> Vec<(String, String)> {
    t.spec
        .iter()
        .flat_map(|s| &s.containers)
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterView {
    /// Simulated time, `h:mm:ss` since the cluster started.
    pub time: String,
    pub nodes: Vec<Rc<NodeView>>,
    /// Pods no node has taken yet (or whose node is gone).
    pub pending: Vec<Rc<PodView>>,
    pub workloads: Vec<WorkloadView>,
    /// Claims, volumes and which pods mount which claims.
    pub storage: StorageView,
}

/// A palette index from a stable hash of the workload's identity.
pub fn color_for(kind: &str, namespace: &str, name: &str) -> usize {
    let h = format!("{kind}/{namespace}/{name}")
        .bytes()
        .fold(0x811c_9dc5u32, |h, b| {
            (h ^ b as u32).wrapping_mul(0x0100_0193)
        });
    (h as usize) % PALETTE_SIZE
}

fn state_of(p: &Pod, status: &str) -> PodState {
    match status {
        "Terminating" => PodState::Terminating,
        "CrashLoopBackOff" | "Error" => PodState::CrashLoop,
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" => PodState::ImageError,
        "Completed" | "Succeeded" => PodState::Succeeded,
        "Failed" | "Evicted" => PodState::Failed,
        "Running" if podutil::is_ready(p) => PodState::Ready,
        "Running" => PodState::Running,
        _ if podutil::node_name(p).is_none() => PodState::Pending,
        _ => PodState::Creating,
    }
}

/// The workload at the top of a pod's owner chain, with its uid.
fn owner_of(world: &World, p: &Pod) -> Option<(OwnerView, String)> {
    let r = controller_ref(&p.metadata)?;
    if let Some(rs) = controlling_replica_set(world.store(), p) {
        if let Some(d) = controller_ref(&rs.metadata).filter(|o| o.kind == "Deployment") {
            let view = OwnerView {
                kind: "Deployment".into(),
                name: d.name.clone(),
            };
            return Some((view, d.uid.clone()));
        }
    }
    Some((
        OwnerView {
            kind: r.kind.clone(),
            name: r.name.clone(),
        },
        r.uid.clone(),
    ))
}

/// The palette slot of a workload: its creation-order slot, else a hash of its identity.
fn workload_color(world: &World, uid: &str, kind: &str, namespace: &str, name: &str) -> usize {
    world
        .workload_color(uid)
        .unwrap_or_else(|| color_for(kind, namespace, name))
}

fn pod_view(world: &World, p: &Pod) -> PodView {
    let name = p.metadata.name.clone().unwrap_or_default();
    let namespace = p.metadata.namespace.clone().unwrap_or_default();
    let status = podutil::display_status(p);
    let state = state_of(p, &status);
    let owner_and_uid = owner_of(world, p);
    let color = match &owner_and_uid {
        Some((o, uid)) => workload_color(world, uid, &o.kind, &namespace, &o.name),
        None => color_for("Pod", &namespace, &name),
    };
    let owner = owner_and_uid.map(|(o, _)| o);
    let label = match &owner {
        Some(o) if o.kind == "Deployment" || o.kind == "ReplicaSet" || o.kind == "DaemonSet" => {
            name.rsplit('-').next().unwrap_or(&name).to_string()
        }
        Some(o) if o.kind == "StatefulSet" => name
            .rsplit('-')
            .next()
            .map(|s| format!("#{s}"))
            .unwrap_or_else(|| name.clone()),
        _ => name.clone(),
    };
    let why = (state != PodState::Ready).then(|| crate::explain::pod(world, p));
    PodView {
        namespace,
        label,
        status,
        state,
        ready: podutil::is_ready(p),
        restarts: podutil::restarts(p),
        owner,
        color,
        why,
        node: podutil::node_name(p).map(String::from),
        name,
    }
}

/// The node's Ready condition, as `kubectl describe node` shows it.
fn ready_condition(node: &Node) -> Option<ConditionView> {
    let c = node
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?;
    Some(ConditionView {
        status: c.status.clone(),
        reason: c.reason.clone().unwrap_or_default(),
        message: c.message.clone().unwrap_or_default(),
    })
}

/// What the last view was built from, so that the next one reuses the rows of pods and nodes
/// that did not change: building a pod's row costs microseconds, and a UI that finds the same
/// `Rc` as before knows without comparing that the row is the same.
///
/// A pod's row is reused while the pod's resourceVersion, and the owner of its ReplicaSet
/// (which decides the workload the row names), are what they were, and only when it says nothing
/// about why the pod waits (that sentence depends on the rest of the cluster). A node's row is
/// reused when it comes out equal.
///
/// When nothing was written since the last view (the store's resourceVersion is the same) and
/// no row of it explained a wait (those sentences count down with the clock), the last view
/// is the view, with the time updated: an idle cluster of thousands of pods costs nothing.
#[derive(Debug, Clone, Default)]
pub struct ViewCache {
    /// In pod key order (namespace, name), as the pods table iterates.
    pods: Vec<CachedPod>,
    nodes: BTreeMap<String, Rc<NodeView>>,
    /// The last view, when it holds no time-dependent sentence, with the store's
    /// resourceVersion it was built at.
    quiet: Option<(u64, ClusterView)>,
}

#[derive(Debug, Clone)]
struct CachedPod {
    resource_version: String,
    owner: Option<String>,
    view: Rc<PodView>,
}

/// The ReplicaSet controlling the pod, if one does (and still exists).
fn controlling_replica_set<'s>(store: &'s Store, p: &Pod) -> Option<&'s ReplicaSet> {
    let r = controller_ref(&p.metadata).filter(|r| r.kind == "ReplicaSet")?;
    let key = Key::new(p.metadata.namespace.as_deref().unwrap_or_default(), &r.name);
    store.replicasets.get(&key)
}

/// What a pod's row takes from the ReplicaSet controlling it, if one does: the uid of that
/// ReplicaSet's controller (empty when it has none). Not the ReplicaSet's resourceVersion,
/// which changes with its status, that is with every change to any of its pods: rows keyed on
/// it were all rebuilt whenever one pod changed.
fn owner_identity<'s>(store: &'s Store, p: &Pod) -> Option<&'s str> {
    let rs = controlling_replica_set(store, p)?;
    Some(controller_ref(&rs.metadata).map_or("", |o| o.uid.as_str()))
}

/// Builds the whole view.
pub fn cluster(world: &World) -> ClusterView {
    cluster_with(world, &mut ViewCache::default())
}

/// Builds the whole view, reusing what `cache` kept of the last one, and keeps this one there.
pub fn cluster_with(world: &World, cache: &mut ViewCache) -> ClusterView {
    let store = world.store();
    let version = store.resource_version();
    if let Some((at, view)) = &cache.quiet {
        if *at == version {
            return ClusterView {
                time: world.now().clock(),
                ..view.clone()
            };
        }
    }
    let view = build(world, cache);
    let quiet = view.pending.iter().all(|p| p.why.is_none())
        && view
            .nodes
            .iter()
            .all(|n| n.pods.iter().all(|p| p.why.is_none()))
        && view.storage.claims.iter().all(|c| c.why.is_none())
        && view.storage.mounts.iter().all(|m| m.why.is_none());
    cache.quiet = quiet.then(|| (version, view.clone()));
    view
}

fn build(world: &World, cache: &mut ViewCache) -> ClusterView {
    let store = world.store();
    let node_names: BTreeSet<&str> = store
        .nodes
        .iter()
        .filter_map(|n| n.metadata.name.as_deref())
        .collect();
    let mut by_node: BTreeMap<&str, Vec<Rc<PodView>>> = BTreeMap::new();
    let mut pending = Vec::new();
    let mut old = std::mem::take(&mut cache.pods).into_iter().peekable();
    for (key, p) in store.pods.entries() {
        // Both are in key order: walk them together.
        let behind = |c: &CachedPod| {
            (c.view.namespace.as_str(), c.view.name.as_str())
                < (key.namespace.as_str(), key.name.as_str())
        };
        while old.peek().is_some_and(behind) {
            old.next();
        }
        let previous =
            old.next_if(|c| c.view.namespace == key.namespace && c.view.name == key.name);
        let version = p.metadata.resource_version.as_deref().unwrap_or_default();
        let owner = owner_identity(store, p);
        let v = match previous {
            // A reused row was cached because it explains no wait: it stays cached as it is.
            Some(c) if c.resource_version == version && c.owner.as_deref() == owner => {
                let v = Rc::clone(&c.view);
                cache.pods.push(c);
                v
            }
            _ => {
                let v = Rc::new(pod_view(world, p));
                if v.why.is_none() {
                    cache.pods.push(CachedPod {
                        resource_version: version.to_string(),
                        owner: owner.map(str::to_string),
                        view: Rc::clone(&v),
                    });
                }
                v
            }
        };
        match podutil::node_name(p).filter(|n| node_names.contains(n)) {
            Some(n) => by_node.entry(n).or_default().push(v),
            None => pending.push(v),
        }
    }
    let mut previous_nodes = std::mem::take(&mut cache.nodes);
    let nodes = store
        .nodes
        .iter()
        .map(|n| {
            let name = n.metadata.name.clone().unwrap_or_default();
            let (cpu, mem, _) = crate::controllers::scheduler::allocatable(n);
            let u = store.pods.usage_on(&name).cloned().unwrap_or_default();
            let mut pods = by_node.remove(name.as_str()).unwrap_or_default();
            pods.sort_by(|a, b| {
                (a.owner.as_ref().map(|o| (&o.kind, &o.name)), &a.name)
                    .cmp(&(b.owner.as_ref().map(|o| (&o.kind, &o.name)), &b.name))
            });
            let condition = ready_condition(n);
            let fresh = NodeView {
                status: cluster::node_status_column(n),
                roles: cluster::node_roles(n),
                ready: cluster::node_ready(n) == Some("True"),
                failed: cluster::node_ready(n) == Some("Unknown"),
                condition,
                cordoned: n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true),
                taints: cluster::node_taints(n),
                labels: n
                    .metadata
                    .labels
                    .iter()
                    .flatten()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect(),
                cpu_capacity_millis: cpu,
                cpu_requested_millis: u.cpu_millis,
                memory_capacity_bytes: mem,
                memory_requested_bytes: u.memory_bytes,
                pods,
                name,
            };
            let view = match previous_nodes.remove(&fresh.name) {
                Some(old) if *old == fresh => old,
                _ => Rc::new(fresh),
            };
            cache.nodes.insert(view.name.clone(), Rc::clone(&view));
            view
        })
        .collect();
    let mut workloads = Vec::new();
    for d in store.deployments.iter() {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let name = d.metadata.name.clone().unwrap_or_default();
        let s = d.status.clone().unwrap_or_default();
        let mut line = format!(
            "{}/{} ready, {} up-to-date, {} available",
            s.ready_replicas.unwrap_or(0),
            d.spec.replicas.unwrap_or(1),
            s.updated_replicas.unwrap_or(0),
            s.available_replicas.unwrap_or(0)
        );
        if d.spec.paused == Some(true) {
            line.push_str(" (paused)");
        }
        workloads.push(WorkloadView {
            kind: "Deployment".into(),
            color: workload_color(
                world,
                d.metadata.uid.as_deref().unwrap_or_default(),
                "Deployment",
                &ns,
                &name,
            ),
            namespace: ns,
            name,
            status_line: line,
            replicas: Some(d.spec.replicas.unwrap_or(1)),
            containers: template_containers(&d.spec.template),
        });
    }
    for set in store.statefulsets.iter() {
        let ns = set.metadata.namespace.clone().unwrap_or_default();
        let name = set.metadata.name.clone().unwrap_or_default();
        let s = set.status.clone().unwrap_or_default();
        workloads.push(WorkloadView {
            kind: "StatefulSet".into(),
            color: workload_color(
                world,
                set.metadata.uid.as_deref().unwrap_or_default(),
                "StatefulSet",
                &ns,
                &name,
            ),
            status_line: format!(
                "{}/{} ready, {} up-to-date",
                s.ready_replicas.unwrap_or(0),
                set.spec.replicas.unwrap_or(1),
                s.updated_replicas.unwrap_or(0)
            ),
            namespace: ns,
            name,
            replicas: Some(set.spec.replicas.unwrap_or(1)),
            containers: template_containers(&set.spec.template),
        });
    }
    for ds in store.daemonsets.iter() {
        let ns = ds.metadata.namespace.clone().unwrap_or_default();
        let name = ds.metadata.name.clone().unwrap_or_default();
        let s = ds.status.clone().unwrap_or_default();
        let mut line = format!(
            "{}/{} nodes ready, {} up-to-date, {} available",
            s.number_ready,
            s.desired_number_scheduled,
            s.updated_number_scheduled.unwrap_or(0),
            s.number_available.unwrap_or(0)
        );
        if s.number_misscheduled > 0 {
            line.push_str(&format!(", {} misscheduled", s.number_misscheduled));
        }
        workloads.push(WorkloadView {
            kind: "DaemonSet".into(),
            color: workload_color(
                world,
                ds.metadata.uid.as_deref().unwrap_or_default(),
                "DaemonSet",
                &ns,
                &name,
            ),
            status_line: line,
            namespace: ns,
            name,
            replicas: None,
            containers: template_containers(&ds.spec.template),
        });
    }
    for rs in store
        .replicasets
        .iter()
        .filter(|r| controller_ref(&r.metadata).is_none())
    {
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let name = rs.metadata.name.clone().unwrap_or_default();
        let s = rs.status.clone().unwrap_or_default();
        workloads.push(WorkloadView {
            kind: "ReplicaSet".into(),
            color: workload_color(
                world,
                rs.metadata.uid.as_deref().unwrap_or_default(),
                "ReplicaSet",
                &ns,
                &name,
            ),
            status_line: format!(
                "{}/{} ready, {} current",
                s.ready_replicas.unwrap_or(0),
                rs.spec.replicas.unwrap_or(1),
                s.replicas
            ),
            namespace: ns,
            name,
            replicas: Some(rs.spec.replicas.unwrap_or(1)),
            containers: rs
                .spec
                .template
                .as_ref()
                .map(template_containers)
                .unwrap_or_default(),
        });
    }
    ClusterView {
        time: world.now().clock(),
        nodes,
        pending,
        workloads,
        storage: storage(world),
    }
}

// ---------- events ----------

/// One Event as the page narrates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    /// Changes when the recorder bumps the event's count, so a repeat reads as new.
    pub id: String,
    /// When it (last) happened, `h:mm:ss`.
    pub clock: String,
    pub warning: bool,
    /// `Scheduled pod/web-0: Successfully assigned default/web-0 to worker-1`.
    pub text: String,
}

/// The `limit` most recently written Events, oldest first: what the controllers just did.
///
/// resourceVersion orders writes, so an aggregated repeat counts as recent. The page asks on
/// every tick, so the newest writes are read back from the store's watch log (a few entries)
/// rather than by sorting every Event; only when the log no longer reaches back far enough are
/// all Events sorted.
pub fn recent_events(world: &World, limit: usize) -> Vec<EventLine> {
    let store = world.store();
    let mut newest: Vec<&k8s_openapi::api::core::v1::Event> = Vec::new();
    let mut seen: BTreeSet<&Key> = BTreeSet::new();
    for entry in store.watch_log().rev() {
        if newest.len() == limit {
            break;
        }
        // The first entry met for an Event, walking back, is its latest write.
        if entry.kind == crate::store::Kind::Event && seen.insert(&entry.key) {
            newest.extend(store.events.get(&entry.key));
        }
    }
    if newest.len() < limit && !store.watch_log_complete() {
        let version = |e: &k8s_openapi::api::core::v1::Event| {
            e.metadata
                .resource_version
                .as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let mut all: Vec<_> = store.events.iter().map(|e| (version(e), e)).collect();
        all.sort_unstable_by_key(|(v, _)| std::cmp::Reverse(*v));
        newest = all.into_iter().take(limit).map(|(_, e)| e).collect();
    }
    newest
        .into_iter()
        .rev()
        .map(|e| {
            let o = &e.involved_object;
            let count = e.count.unwrap_or(1);
            let at = e
                .last_timestamp
                .as_ref()
                .or(e.first_timestamp.as_ref())
                .map(SimTime::from_k8s)
                .unwrap_or(world.now());
            let mut text = format!(
                "{} {}/{}: {}",
                e.reason.as_deref().unwrap_or_default(),
                o.kind.as_deref().unwrap_or_default().to_lowercase(),
                o.name.as_deref().unwrap_or_default(),
                e.message.as_deref().unwrap_or_default()
            );
            if count > 1 {
                text.push_str(&format!(" (x{count})"));
            }
            EventLine {
                id: format!("{}#{count}", e.metadata.name.as_deref().unwrap_or_default()),
                clock: at.clock(),
                warning: e.type_.as_deref() == Some("Warning"),
                text,
            }
        })
        .collect()
}

// ---------- storage ----------

/// A claim's `status.phase`. Being deleted is separate ([`ClaimView::terminating`]): a claim
/// stays Bound while `kubernetes.io/pvc-protection` holds it for the pods using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimPhase {
    Pending,
    Bound,
    Lost,
}

impl ClaimPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimPhase::Pending => "Pending",
            ClaimPhase::Bound => "Bound",
            ClaimPhase::Lost => "Lost",
        }
    }
}

/// One PersistentVolumeClaim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimView {
    pub namespace: String,
    pub name: String,
    pub phase: ClaimPhase,
    /// Deleted, and held by its protection finalizer while pods still use it.
    pub terminating: bool,
    /// The bound volume's capacity once Bound (kubectl's CAPACITY), the request before.
    pub capacity: String,
    /// kubectl's abbreviations: `RWO`, `ROX`, `RWX`, `RWOP`, comma-separated.
    pub access_modes: String,
    /// `spec.storageClassName` ("" for none).
    pub storage_class: String,
    /// The volume it is bound to (or, while Pending, the one it asks for by `spec.volumeName`).
    pub volume: Option<String>,
    /// The workload it belongs to: its controller (or first) owner reference, else the
    /// StatefulSet of a pod that mounts it under the `<template>-<pod>` claim name.
    pub owner: Option<OwnerView>,
    /// That workload's palette index; `None` draws the claim in neutral colours.
    pub color: Option<usize>,
    /// Unfinished pods that name it in `spec.volumes`, in name order.
    pub used_by: Vec<String>,
    /// One sentence on why it is not simply Bound, if it is not.
    pub why: Option<String>,
    /// Its volume is attached to one node and cannot be attached to another, so pods elsewhere
    /// wait in ContainerCreating (the attach/detach controller's Multi-Attach error).
    pub conflict: Option<String>,
}

impl ClaimView {
    /// `namespace/name`, the claim's identity in the picture and in [`MountView::claim_key`].
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// One line for screen readers and tooltips:
    /// `claim www-web-0, Bound to pvc-…, 1Gi RWO, used by web-0`.
    pub fn summary(&self) -> String {
        let mut parts = vec![if self.namespace == "default" {
            format!("claim {}", self.name)
        } else {
            format!("claim {} in namespace {}", self.name, self.namespace)
        }];
        let volume = self.volume.as_deref().unwrap_or_default();
        parts.push(match self.phase {
            ClaimPhase::Bound => format!("Bound to {volume}"),
            ClaimPhase::Pending => "Pending".to_string(),
            ClaimPhase::Lost => format!("Lost (volume {volume} is gone)"),
        });
        if self.terminating {
            parts.push("terminating".to_string());
        }
        let size = [self.capacity.as_str(), self.access_modes.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if !size.is_empty() {
            parts.push(size);
        }
        parts.push(if self.used_by.is_empty() {
            "not used by any pod".to_string()
        } else {
            format!("used by {}", self.used_by.join(", "))
        });
        let mut line = parts.join(", ");
        if let Some(conflict) = &self.conflict {
            line.push_str(&format!("; {conflict}"));
        }
        line
    }
}

/// One PersistentVolume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeView {
    pub name: String,
    /// `status.phase`: Pending, Available, Bound, Released or Failed.
    pub phase: String,
    pub capacity: String,
    pub access_modes: String,
    /// `Delete` or `Retain`.
    pub reclaim_policy: String,
    pub storage_class: String,
    /// `namespace/name` of the claim in its `claimRef` (bound, reserved or released).
    pub claim: Option<String>,
    /// Its claim exists and is bound to it: a picture shows it as part of that claim.
    pub bound: bool,
    pub terminating: bool,
}

impl VolumeView {
    /// One line for screen readers and tooltips.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("volume {}", self.name), self.phase.clone()];
        if self.terminating {
            parts.push("terminating".to_string());
        }
        let size = format!("{} {}", self.capacity, self.access_modes);
        if !size.trim().is_empty() {
            parts.push(size.trim().to_string());
        }
        if !self.storage_class.is_empty() {
            parts.push(format!("class {}", self.storage_class));
        }
        parts.push(format!("reclaim policy {}", self.reclaim_policy));
        if let Some(claim) = &self.claim {
            parts.push(match self.phase.as_str() {
                "Released" | "Failed" => format!("was claimed by {claim}"),
                _ => format!("reserved for {claim}"),
            });
        }
        parts.join(", ")
    }
}

/// Whether a pod can use a claim it mounts yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountState {
    /// The claim is Bound and the pod's containers have started.
    Ok,
    /// The claim is missing, not Bound or being deleted, or the pod is not running yet.
    Waiting,
}

/// One `spec.volumes[].persistentVolumeClaim` of an unfinished pod: an edge pod → claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountView {
    pub pod_namespace: String,
    pub pod: String,
    /// The claim's name, in the pod's namespace.
    pub claim: String,
    /// The volume's name inside the pod (`spec.volumes[].name`).
    pub volume: String,
    pub read_only: bool,
    pub state: MountState,
    /// Why the pod cannot use it yet, while [`MountState::Waiting`].
    pub why: Option<String>,
}

impl MountView {
    /// The claim's `namespace/name`, as [`ClaimView::key`].
    pub fn claim_key(&self) -> String {
        format!("{}/{}", self.pod_namespace, self.claim)
    }
}

/// Storage in the cluster.
///
/// Claims come in creation order (then namespace and name, numbers in names compared as
/// numbers), so a claim keeps its place while pods come and go; volumes likewise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StorageView {
    pub claims: Vec<ClaimView>,
    pub volumes: Vec<VolumeView>,
    pub mounts: Vec<MountView>,
}

impl StorageView {
    /// No claims and no volumes: nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty() && self.volumes.is_empty()
    }

    /// Volumes not shown as part of a claim (Available, Released, Failed, or reserved for a
    /// claim that is not bound to them), in order.
    pub fn unbound_volumes(&self) -> impl Iterator<Item = &VolumeView> {
        self.volumes.iter().filter(|v| !v.bound)
    }
}

/// Creation time, then namespace, then name with a trailing number compared as a number
/// (`www-web-2` before `www-web-10`).
fn creation_order(meta: &ObjectMeta) -> (Option<SimTime>, String, String, u64, String) {
    let name = meta.name.clone().unwrap_or_default();
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let number = name[stem.len()..].parse().unwrap_or(0);
    (
        meta.creation_timestamp.as_ref().map(SimTime::from_k8s),
        meta.namespace.clone().unwrap_or_default(),
        stem.to_string(),
        number,
        name,
    )
}

/// The claims a pod mounts: (volume name in the pod, claim name, read-only).
fn pod_claims(p: &Pod) -> Vec<(String, String, bool)> {
    p.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let c = v.persistent_volume_claim.as_ref()?;
            Some((
                v.name.clone(),
                c.claim_name.clone(),
                c.read_only == Some(true),
            ))
        })
        .collect()
}

fn storage_quantity(map: Option<&BTreeMap<String, Quantity>>) -> String {
    map.and_then(|m| m.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_default()
}

/// The workload a claim belongs to, with its palette index.
fn claim_owner(
    world: &World,
    pvc: &PersistentVolumeClaim,
    users: &[&Pod],
) -> Option<(OwnerView, usize)> {
    let ns = pvc.metadata.namespace.as_deref().unwrap_or_default();
    let name = pvc.metadata.name.as_deref().unwrap_or_default();
    let owner_ref =
        controller_ref(&pvc.metadata).or_else(|| pvc.metadata.owner_references.as_ref()?.first());
    if let Some(r) = owner_ref {
        let color = workload_color(world, &r.uid, &r.kind, ns, &r.name);
        let view = OwnerView {
            kind: r.kind.clone(),
            name: r.name.clone(),
        };
        return Some((view, color));
    }
    // A StatefulSet's claims are named `<template>-<pod>` and carry no owner by default.
    users.iter().find_map(|p| {
        let r = controller_ref(&p.metadata).filter(|r| r.kind == "StatefulSet")?;
        let pod = p.metadata.name.as_deref()?;
        let template = name.strip_suffix(pod)?.strip_suffix('-')?;
        let ordinal = pod.strip_prefix(r.name.as_str())?.strip_prefix('-')?;
        if template.is_empty() || ordinal.is_empty() || !ordinal.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let color = workload_color(world, &r.uid, "StatefulSet", ns, &r.name);
        let view = OwnerView {
            kind: "StatefulSet".into(),
            name: r.name.clone(),
        };
        Some((view, color))
    })
}

/// The Multi-Attach problem of a claim's volume, if pods using it are blocked by it.
fn multi_attach(world: &World, pvc: &PersistentVolumeClaim, users: &[&Pod]) -> Option<String> {
    let volume = pvc.spec.as_ref()?.volume_name.as_deref()?;
    let mut node = String::new();
    let blocked: Vec<&str> = users
        .iter()
        .filter_map(|p| {
            let (pv, holder) = multi_attach_blocked(world, p)?;
            (pv == volume).then(|| {
                node = holder;
                p.metadata.name.as_deref().unwrap_or_default()
            })
        })
        .collect();
    (!blocked.is_empty()).then(|| {
        format!(
            "Multi-Attach error: volume {volume} is attached to {node}, so {} {} in ContainerCreating",
            blocked.join(", "),
            if blocked.len() == 1 { "waits" } else { "wait" }
        )
    })
}

fn claim_view(world: &World, pvc: &PersistentVolumeClaim) -> ClaimView {
    let store = world.store();
    let users = volume::pods_using_claim(store, pvc);
    let phase = match volume::claim_phase(pvc) {
        "Bound" => ClaimPhase::Bound,
        "Lost" => ClaimPhase::Lost,
        _ => ClaimPhase::Pending,
    };
    let terminating = pvc.metadata.deletion_timestamp.is_some();
    let spec = pvc.spec.as_ref();
    let (capacity, access_modes) = match volume::bound_claim_cells(pvc) {
        (c, m) if phase == ClaimPhase::Bound && !c.is_empty() => (c, m),
        _ => (
            storage_quantity(spec.and_then(|s| s.resources.as_ref()?.requests.as_ref())),
            volume::access_modes_column(spec.and_then(|s| s.access_modes.as_ref())),
        ),
    };
    let owner = claim_owner(world, pvc, &users);
    let mut used_by: Vec<String> = users
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    used_by.sort();
    ClaimView {
        namespace: pvc.metadata.namespace.clone().unwrap_or_default(),
        name: pvc.metadata.name.clone().unwrap_or_default(),
        phase,
        terminating,
        capacity,
        access_modes,
        storage_class: volume::claim_class(pvc).unwrap_or_default().to_string(),
        volume: spec
            .and_then(|s| s.volume_name.clone())
            .filter(|v| !v.is_empty()),
        color: owner.as_ref().map(|(_, c)| *c),
        owner: owner.map(|(o, _)| o),
        used_by,
        why: (phase != ClaimPhase::Bound || terminating).then(|| volume::why_pending(store, pvc)),
        conflict: multi_attach(world, pvc, &users),
    }
}

fn volume_view(store: &Store, pv: &PersistentVolume) -> VolumeView {
    let spec = pv.spec.as_ref();
    let claim_ref = spec.and_then(|s| s.claim_ref.as_ref());
    let claim = claim_ref.map(|r| {
        format!(
            "{}/{}",
            r.namespace.as_deref().unwrap_or_default(),
            r.name.as_deref().unwrap_or_default()
        )
    });
    let name = pv.metadata.name.clone().unwrap_or_default();
    let bound = claim_ref
        .and_then(|r| {
            let key = Key::new(r.namespace.clone()?, r.name.clone()?);
            store.persistentvolumeclaims.get(&key)
        })
        .is_some_and(|c| {
            c.spec.as_ref().and_then(|s| s.volume_name.as_deref()) == Some(name.as_str())
        });
    VolumeView {
        phase: volume::volume_phase(pv).to_string(),
        capacity: storage_quantity(spec.and_then(|s| s.capacity.as_ref())),
        access_modes: volume::access_modes_column(spec.and_then(|s| s.access_modes.as_ref())),
        reclaim_policy: spec
            .and_then(|s| s.persistent_volume_reclaim_policy.clone())
            .unwrap_or_else(|| "Retain".into()),
        storage_class: volume::volume_class(pv).to_string(),
        claim,
        bound,
        terminating: pv.metadata.deletion_timestamp.is_some(),
        name,
    }
}

/// Whether `pod` can use `claim` yet, and if not, why.
fn mount_state(
    world: &World,
    pod: &Pod,
    claim_name: &str,
    claim: Option<&PersistentVolumeClaim>,
) -> (MountState, Option<String>) {
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let waiting = |why: String| (MountState::Waiting, Some(why));
    let Some(claim) = claim else {
        return waiting(format!("persistentvolumeclaim \"{claim_name}\" not found"));
    };
    let state = state_of(pod, &podutil::display_status(pod));
    if claim.metadata.deletion_timestamp.is_some() && state == PodState::Pending {
        return waiting(format!(
            "persistentvolumeclaim \"{claim_name}\" is being deleted"
        ));
    }
    match volume::claim_phase(claim) {
        "Bound" => {}
        phase => return waiting(format!("persistentvolumeclaim \"{claim_name}\" is {phase}")),
    }
    match state {
        PodState::Pending => waiting(format!("pod {pod_name} has no node yet")),
        PodState::Creating => match multi_attach_blocked(world, pod) {
            Some((pv, node))
                if claim.spec.as_ref().and_then(|s| s.volume_name.as_deref())
                    == Some(pv.as_str()) =>
            {
                waiting(format!(
                    "Multi-Attach error: volume {pv} is attached to {node}"
                ))
            }
            _ => waiting(format!("pod {pod_name} is still being created")),
        },
        _ => (MountState::Ok, None),
    }
}

/// The storage part of the view: every claim and volume in creation order, and one mount per
/// claim reference of every unfinished pod (pods in namespace and name order).
pub fn storage(world: &World) -> StorageView {
    let store = world.store();
    let mut claims: Vec<&PersistentVolumeClaim> = store.persistentvolumeclaims.iter().collect();
    claims.sort_by_cached_key(|c| creation_order(&c.metadata));
    let mut volumes: Vec<&PersistentVolume> = store.persistentvolumes.iter().collect();
    volumes.sort_by_cached_key(|v| creation_order(&v.metadata));
    let mut mounts = Vec::new();
    for p in store.pods.iter().filter(|p| !podutil::is_terminal(p)) {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        for (volume, claim, read_only) in pod_claims(p) {
            let pvc = store
                .persistentvolumeclaims
                .get(&Key::new(ns.clone(), claim.clone()));
            let (state, why) = mount_state(world, p, &claim, pvc);
            mounts.push(MountView {
                pod_namespace: ns.clone(),
                pod: p.metadata.name.clone().unwrap_or_default(),
                claim,
                volume,
                read_only,
                state,
                why,
            });
        }
    }
    StorageView {
        claims: claims.into_iter().map(|c| claim_view(world, c)).collect(),
        volumes: volumes.into_iter().map(|v| volume_view(store, v)).collect(),
        mounts,
    }
}

#[cfg(test)]
mod storage_tests {
    use super::*;
    use crate::kubectl::{run, NoFiles};
    use crate::manifest::apply;
    use crate::time::Dur;

    fn claim(name: &str, modes: &str, class: Option<&str>) -> String {
        let class = class
            .map(|c| format!("  storageClassName: \"{c}\"\n"))
            .unwrap_or_default();
        format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n{class}  accessModes: [{modes}]\n  resources:\n    requests:\n      storage: 1Gi\n"
        )
    }

    fn deployment(name: &str, replicas: u32, claim: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{ app: {name} }}\n  template:\n    metadata:\n      labels: {{ app: {name} }}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25.3\n      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: {claim}\n"
        )
    }

    fn applied(w: &mut World, text: &str) {
        if let Err(e) = apply(w, text) {
            panic!("apply failed: {e:?}\n{text}");
        }
    }

    fn sh(w: &mut World, line: &str) {
        let out = run(w, line, &NoFiles);
        assert!(out.ok, "{line}: {}", out.stderr);
    }

    /// A ReadWriteMany claim mounted by a Deployment of two, settled.
    fn shared_claim_world() -> World {
        let mut w = World::new(1);
        applied(&mut w, &claim("shared", "ReadWriteMany", None));
        applied(&mut w, &deployment("web", 2, "shared"));
        w.settle(Dur::mins(5));
        w
    }

    fn pods_of(v: &StorageView) -> Vec<String> {
        v.mounts.iter().map(|m| m.pod.clone()).collect()
    }

    #[test]
    fn a_bound_claim_lists_its_volume_size_modes_and_the_pods_mounting_it() {
        let v = storage(&shared_claim_world());
        assert_eq!(v.claims.len(), 1);
        let c = &v.claims[0];
        assert_eq!(
            (c.namespace.as_str(), c.name.as_str()),
            ("default", "shared")
        );
        assert_eq!(c.phase, ClaimPhase::Bound);
        assert!(!c.terminating);
        assert_eq!(
            (
                c.capacity.as_str(),
                c.access_modes.as_str(),
                c.storage_class.as_str()
            ),
            ("1Gi", "RWX", "standard")
        );
        let pv = c.volume.clone().unwrap_or_default();
        assert!(pv.starts_with("pvc-"), "{pv}");
        assert_eq!(c.used_by.len(), 2);
        assert!(c.why.is_none() && c.conflict.is_none(), "{c:?}");
        assert_eq!(
            c.owner, None,
            "a Deployment's claim has no owner of its own"
        );
        assert_eq!(
            c.summary(),
            format!(
                "claim shared, Bound to {pv}, 1Gi RWX, used by {}",
                c.used_by.join(", ")
            )
        );

        assert_eq!(v.mounts.len(), 2);
        let mut mounted = pods_of(&v);
        mounted.sort();
        assert_eq!(mounted, c.used_by);
        for m in &v.mounts {
            assert_eq!(
                (m.claim_key().as_str(), m.volume.as_str()),
                ("default/shared", "data")
            );
            assert_eq!((m.state, m.why.as_deref()), (MountState::Ok, None));
        }

        assert_eq!(v.volumes.len(), 1);
        let vol = &v.volumes[0];
        assert_eq!(vol.name, pv);
        assert!(vol.bound, "the provisioned volume is drawn with its claim");
        assert_eq!(vol.claim.as_deref(), Some("default/shared"));
        assert_eq!(
            (vol.phase.as_str(), vol.reclaim_policy.as_str()),
            ("Bound", "Delete")
        );
        assert_eq!(v.unbound_volumes().count(), 0);
    }

    #[test]
    fn claims_keep_their_order_while_pods_are_deleted_and_replaced() {
        let mut w = World::new(1);
        // Created first, so listed first although it sorts after the others by name.
        applied(&mut w, &claim("zeta", "ReadWriteMany", None));
        w.advance(Dur::secs(5));
        applied(
            &mut w,
            &format!(
                "{}---\n{}",
                claim("alpha", "ReadWriteMany", None),
                claim("beta", "ReadWriteMany", None)
            ),
        );
        applied(&mut w, &deployment("web", 2, "beta"));
        w.settle(Dur::mins(5));
        let before = storage(&w);
        let order = |v: &StorageView| v.claims.iter().map(ClaimView::key).collect::<Vec<_>>();
        assert_eq!(
            order(&before),
            ["default/zeta", "default/alpha", "default/beta"]
        );

        let gone = before.mounts[0].pod.clone();
        sh(&mut w, &format!("delete pod {gone}"));
        w.run_due();
        let during = storage(&w);
        assert_eq!(order(&during), order(&before));
        w.settle(Dur::mins(5));
        let after = storage(&w);
        assert_eq!(order(&after), order(&before));
        assert_eq!(after.mounts.len(), 2);
        assert!(!pods_of(&after).contains(&gone), "{:?}", after.mounts);
        assert!(after
            .mounts
            .iter()
            .all(|m| m.claim == "beta" && m.state == MountState::Ok));
        assert_eq!(after.claims[2].used_by, {
            let mut p = pods_of(&after);
            p.sort();
            p
        });
        assert_eq!(
            storage(&w),
            after,
            "the view is a pure function of the world"
        );
    }

    #[test]
    fn numbered_claims_made_together_sort_by_number() {
        let mut w = World::new(1);
        let docs: Vec<String> = [10, 2, 1]
            .iter()
            .map(|i| claim(&format!("www-web-{i}"), "ReadWriteOnce", None))
            .collect();
        applied(&mut w, &docs.join("---\n"));
        let names: Vec<String> = storage(&w).claims.into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["www-web-1", "www-web-2", "www-web-10"]);
    }

    #[test]
    fn unbound_volumes_stand_apart_and_released_ones_remember_their_claim() {
        let mut w = World::new(1);
        applied(
            &mut w,
            "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: disk-a\nspec:\n  capacity:\n    storage: 5Gi\n  accessModes: [ReadWriteOnce]\n  storageClassName: manual\n  persistentVolumeReclaimPolicy: Retain\n  hostPath:\n    path: /data/a\n",
        );
        w.settle(Dur::mins(1));
        let v = storage(&w);
        assert!(v.claims.is_empty() && !v.is_empty());
        let loose: Vec<&VolumeView> = v.unbound_volumes().collect();
        assert_eq!(loose.len(), 1);
        assert_eq!(
            (
                loose[0].phase.as_str(),
                loose[0].capacity.as_str(),
                loose[0].access_modes.as_str()
            ),
            ("Available", "5Gi", "RWO")
        );
        assert_eq!(loose[0].claim, None);
        assert_eq!(
            loose[0].summary(),
            "volume disk-a, Available, 5Gi RWO, class manual, reclaim policy Retain"
        );

        applied(&mut w, &claim("logs", "ReadWriteOnce", Some("manual")));
        w.settle(Dur::mins(1));
        let v = storage(&w);
        assert_eq!(v.claims[0].phase, ClaimPhase::Bound);
        assert_eq!(v.claims[0].volume.as_deref(), Some("disk-a"));
        assert_eq!(
            v.claims[0].capacity, "5Gi",
            "a bound claim shows its volume's size"
        );
        assert_eq!(v.unbound_volumes().count(), 0);

        sh(&mut w, "delete pvc logs");
        w.settle(Dur::mins(1));
        let v = storage(&w);
        assert!(v.claims.is_empty());
        let loose: Vec<&VolumeView> = v.unbound_volumes().collect();
        assert_eq!(loose.len(), 1);
        assert_eq!(loose[0].phase, "Released");
        assert_eq!(loose[0].claim.as_deref(), Some("default/logs"));
        assert!(loose[0].summary().ends_with("was claimed by default/logs"));
    }

    #[test]
    fn a_pending_claim_keeps_its_pods_waiting_and_says_why() {
        let mut w = World::new(1);
        applied(&mut w, &claim("later", "ReadWriteOnce", Some("fast")));
        applied(&mut w, &deployment("db", 1, "later"));
        applied(&mut w, &deployment("typo", 1, "missing"));
        w.settle(Dur::mins(1));
        let v = storage(&w);
        let c = &v.claims[0];
        assert_eq!((c.phase, c.volume.as_deref()), (ClaimPhase::Pending, None));
        assert!(
            c.why.as_deref().unwrap_or("").contains("does not exist"),
            "{:?}",
            c.why
        );
        assert!(
            c.summary()
                .starts_with("claim later, Pending, 1Gi RWO, used by db-"),
            "{}",
            c.summary()
        );
        let waiting = |claim: &str| {
            v.mounts
                .iter()
                .find(|m| m.claim == claim)
                .map(|m| (m.state, m.why.clone().unwrap_or_default()))
        };
        assert_eq!(
            waiting("later"),
            Some((
                MountState::Waiting,
                "persistentvolumeclaim \"later\" is Pending".into()
            ))
        );
        assert_eq!(
            waiting("missing"),
            Some((
                MountState::Waiting,
                "persistentvolumeclaim \"missing\" not found".into()
            ))
        );
    }

    #[test]
    fn a_deleted_claim_in_use_is_terminating_and_lost_when_its_volume_goes() {
        let mut w = shared_claim_world();
        sh(&mut w, "delete pvc shared");
        w.settle(Dur::mins(1));
        let v = storage(&w);
        let c = &v.claims[0];
        assert!(c.terminating && c.phase == ClaimPhase::Bound, "{c:?}");
        assert!(c.summary().contains(", terminating, "), "{}", c.summary());
        assert!(
            v.mounts.iter().all(|m| m.state == MountState::Ok),
            "running pods keep using it"
        );

        // Force the volume away (as an administrator removing its finalizer would).
        let mut w = shared_claim_world();
        let pv = w.store().persistentvolumes.iter().next().cloned().unwrap();
        let key = Key::of(&pv.metadata);
        w.delete_object(
            crate::store::Kind::PersistentVolume,
            &key,
            None,
            Default::default(),
        )
        .unwrap();
        let mut pv = w.store().persistentvolumes.get(&key).cloned().unwrap();
        pv.metadata.finalizers = None;
        w.update_object(crate::controllers::Object::PersistentVolume(pv), false)
            .unwrap();
        w.after_user_change();
        w.settle(Dur::mins(1));
        // The controller finds out at its next look at the claim (upstream: the periodic resync).
        let relabelled = claim("shared", "ReadWriteMany", None).replace(
            "  name: shared\n",
            "  name: shared\n  labels: { resync: \"1\" }\n",
        );
        applied(&mut w, &relabelled);
        w.settle(Dur::mins(1));
        let v = storage(&w);
        assert!(v.volumes.is_empty(), "{:?}", v.volumes);
        assert_eq!(v.claims[0].phase, ClaimPhase::Lost);
        assert!(
            v.claims[0].summary().contains("Lost (volume pvc-"),
            "{}",
            v.claims[0].summary()
        );
        assert!(v.mounts.iter().all(|m| m.state == MountState::Waiting));
    }

    #[test]
    fn a_read_write_once_claim_attached_elsewhere_holds_the_second_pod_back() {
        let mut w = World::new(1);
        applied(&mut w, &claim("data", "ReadWriteOnce", None));
        applied(&mut w, &deployment("web", 2, "data"));
        w.settle(Dur::mins(5));
        let v = storage(&w);
        let nodes: std::collections::BTreeSet<String> = w
            .store()
            .pods
            .iter()
            .filter_map(|p| podutil::node_name(p).map(String::from))
            .collect();
        assert_eq!(nodes.len(), 2, "replicas spread over two nodes");
        let conflict = v.claims[0].conflict.clone().unwrap_or_default();
        assert!(
            conflict.starts_with("Multi-Attach error: volume pvc-")
                && conflict.ends_with("waits in ContainerCreating"),
            "{conflict:?}"
        );
        assert!(v.claims[0].summary().ends_with(&conflict));
        let mut states: Vec<(MountState, String)> = v
            .mounts
            .iter()
            .map(|m| (m.state, m.why.clone().unwrap_or_default()))
            .collect();
        states.sort_by_key(|(s, _)| *s == MountState::Waiting);
        assert_eq!(states[0], (MountState::Ok, String::new()));
        assert_eq!(states[1].0, MountState::Waiting);
        assert!(
            states[1].1.starts_with("Multi-Attach error: volume pvc-"),
            "{states:?}"
        );
    }

    #[test]
    fn owned_claims_take_their_workload_colour() {
        let mut w = World::new(1);
        applied(&mut w, &deployment("app", 1, "app-data"));
        let uid = w
            .store()
            .deployments
            .iter()
            .next()
            .and_then(|d| d.metadata.uid.clone())
            .unwrap();
        applied(
            &mut w,
            &format!(
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: app-data\n  ownerReferences:\n    - {{ apiVersion: apps/v1, kind: Deployment, name: app, uid: {uid} }}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n"
            ),
        );
        w.settle(Dur::mins(1));
        let view = cluster(&w);
        let pod = view.nodes.iter().flat_map(|n| &n.pods).next().unwrap();
        let c = &view.storage.claims[0];
        assert_eq!(c.owner, pod.owner);
        assert_eq!(c.color, Some(pod.color));
    }

    #[test]
    fn a_statefulset_claim_is_known_by_its_name_and_the_pod_that_mounts_it() {
        let w = World::new(1);
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {
                "name": "web-0",
                "namespace": "default",
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                    "uid": "u-web", "controller": true
                }]
            },
            "spec": { "containers": [{ "name": "web", "image": "nginx" }] }
        }))
        .unwrap();
        let pvc = |name: &str| PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let sts = OwnerView {
            kind: "StatefulSet".into(),
            name: "web".into(),
        };
        let color = color_for("StatefulSet", "default", "web");
        assert_eq!(
            claim_owner(&w, &pvc("www-web-0"), &[&pod]),
            Some((sts, color))
        );
        for other in ["web-0", "-web-0", "www-web-1", "www-web-0x", "data"] {
            assert_eq!(claim_owner(&w, &pvc(other), &[&pod]), None, "{other}");
        }
    }

    #[test]
    fn no_storage_means_an_empty_storage_view() {
        let v = storage(&World::new(1));
        assert!(v.is_empty() && v.mounts.is_empty());
    }
}

/// The node a persistent volume is attached to (the first, for ReadWriteMany/ReadOnlyMany
/// volumes attached to several), for drawing volumes.
pub fn volume_attachment(world: &World, pv: &str) -> Option<String> {
    crate::controllers::attachdetach::attachment_of(world.store(), pv)
}

/// If a pod waits in ContainerCreating because one of its ReadWriteOnce volumes is attached to
/// another node (Multi-Attach): that volume and the node holding it.
pub fn multi_attach_blocked(
    world: &World,
    pod: &k8s_openapi::api::core::v1::Pod,
) -> Option<(String, String)> {
    crate::controllers::attachdetach::multi_attach_blocked(world.store(), pod)
}

#[cfg(test)]
mod event_tests {
    use super::*;

    #[test]
    fn recent_events_are_the_newest_writes_oldest_first() {
        let mut w = World::new(1);
        crate::manifest::apply(
            &mut w,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n",
        )
        .unwrap();
        w.settle(crate::time::Dur::mins(5));
        let all = recent_events(&w, 100);
        let reasons: Vec<_> = all
            .iter()
            .map(|e| e.text.split(' ').next().unwrap_or_default())
            .collect();
        assert_eq!(
            reasons,
            ["Scheduled", "Pulling", "Pulled", "Created", "Started"],
            "{all:?}"
        );
        assert!(all[0]
            .text
            .starts_with("Scheduled pod/solo: Successfully assigned default/solo to "));
        assert!(all.iter().all(|e| !e.warning));
        let last_two = recent_events(&w, 2);
        assert_eq!(last_two, all[3..].to_vec());
        assert!(recent_events(&World::empty(1), 5).is_empty());
    }

    #[test]
    fn the_newest_events_read_from_the_watch_log_agree_with_sorting_them_all() {
        let mut w = crate::scenarios::workers(8);
        crate::scenarios::apply(&mut w, &crate::scenarios::deployment(600, "nginx:1.27"));
        w.settle(crate::time::Dur::mins(5));
        assert!(!w.store().watch_log_complete(), "the log must have wrapped");
        // Asking for more than the log reaches back to sorts every Event.
        let all = recent_events(&w, usize::MAX);
        assert_eq!(all.len(), w.store().events.len());
        for n in [1, 3, 50] {
            assert_eq!(recent_events(&w, n), all[all.len() - n..].to_vec(), "{n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::{run, NoFiles};
    use crate::time::Dur;

    fn world_with(names: &[&str]) -> World {
        let mut w = World::new(1);
        for n in names {
            run(
                &mut w,
                &format!("create deployment {n} --image=nginx:1.25.3 --replicas=2"),
                &NoFiles,
            );
        }
        w.settle(Dur::mins(5));
        w
    }

    fn rows(v: &ClusterView) -> BTreeMap<String, Rc<PodView>> {
        v.nodes
            .iter()
            .flat_map(|n| &n.pods)
            .chain(&v.pending)
            .map(|p| (p.name.clone(), Rc::clone(p)))
            .collect()
    }

    #[test]
    fn a_cached_view_reuses_unchanged_rows_and_equals_a_fresh_one() {
        let mut w = world_with(&["web", "api"]);
        let mut cache = ViewCache::default();
        let first = cluster_with(&w, &mut cache);
        w.advance(Dur::mins(1));
        let idle = cluster_with(&w, &mut cache);
        assert_eq!(idle, cluster(&w));
        for (a, b) in first.nodes.iter().zip(&idle.nodes) {
            assert!(Rc::ptr_eq(a, b), "node {} did not change", a.name);
        }
        run(&mut w, "scale deployment web --replicas=3", &NoFiles);
        w.settle(Dur::mins(5));
        let scaled = cluster_with(&w, &mut cache);
        assert_eq!(scaled, cluster(&w));
        let (before, after) = (rows(&idle), rows(&scaled));
        assert_eq!(after.len(), before.len() + 1);
        // Every pod that was there keeps its row: web's ReplicaSet changed (its status), but
        // not what a row takes from it.
        for (name, row) in &before {
            assert!(Rc::ptr_eq(row, &after[name]), "{name}");
        }
        let changed = idle
            .nodes
            .iter()
            .zip(&scaled.nodes)
            .filter(|(a, b)| !Rc::ptr_eq(a, b))
            .count();
        assert_eq!(changed, 1, "only the node given the new pod has a new row");
    }

    #[test]
    fn a_cached_view_renames_the_workload_when_its_replica_set_is_orphaned() {
        let mut w = world_with(&["web"]);
        let mut cache = ViewCache::default();
        let first = cluster_with(&w, &mut cache);
        let owners = |v: &ClusterView| -> Vec<OwnerView> {
            v.nodes
                .iter()
                .flat_map(|n| &n.pods)
                .filter_map(|p| p.owner.clone())
                .collect()
        };
        assert!(owners(&first).iter().all(|o| o.kind == "Deployment"));
        run(&mut w, "delete deployment web --cascade=orphan", &NoFiles);
        w.settle(Dur::mins(5));
        let orphaned = cluster_with(&w, &mut cache);
        assert_eq!(orphaned, cluster(&w));
        let now = owners(&orphaned);
        assert!(
            !now.is_empty() && now.iter().all(|o| o.kind == "ReplicaSet"),
            "{now:?}"
        );
    }

    #[test]
    fn a_cached_view_keeps_counting_down_what_a_waiting_pod_waits_for() {
        let mut w = world_with(&["web"]);
        run(&mut w, "run broken --image=nginx:1.161", &NoFiles);
        w.advance(Dur::secs(20));
        let mut cache = ViewCache::default();
        let before = cluster_with(&w, &mut cache);
        let why = |v: &ClusterView| {
            rows(v)["broken"]
                .why
                .clone()
                .expect("the pod waits for its image")
        };
        // Nothing is written for a while, but the sentence counts down.
        w.advance(Dur::secs(1));
        let after = cluster_with(&w, &mut cache);
        assert_eq!(after, cluster(&w));
        assert_ne!(why(&before), why(&after));
        // Once nothing waits, an unchanged store gives the same rows with the new time.
        run(&mut w, "delete pod broken", &NoFiles);
        w.settle(Dur::mins(5));
        let quiet = cluster_with(&w, &mut cache);
        w.advance(Dur::mins(10));
        let later = cluster_with(&w, &mut cache);
        assert_eq!(later, cluster(&w));
        assert_ne!(later.time, quiet.time);
        assert!(Rc::ptr_eq(&later.nodes[0], &quiet.nodes[0]));
    }

    #[test]
    fn pods_are_drawn_in_their_nodes_with_their_workload() {
        let v = cluster(&world_with(&["web"]));
        assert_eq!(v.nodes.len(), 3);
        let pods: Vec<&PodView> = v.nodes.iter().flat_map(|n| &n.pods).map(|p| &**p).collect();
        assert_eq!(pods.len(), 2);
        assert!(pods
            .iter()
            .all(|p| p.state == PodState::Ready && p.why.is_none()));
        assert!(pods.iter().all(|p| p.owner
            == Some(OwnerView {
                kind: "Deployment".into(),
                name: "web".into()
            })));
        assert_eq!(
            v.workloads[0].status_line,
            "2/2 ready, 2 up-to-date, 2 available"
        );
        assert!(v.pending.is_empty());
    }

    #[test]
    fn workload_colours_are_distinct_and_stable() {
        let names = ["a", "b", "c", "d", "e", "f"];
        let v = cluster(&world_with(&names));
        let colors: Vec<usize> = v.workloads.iter().map(|w| w.color).collect();
        let mut unique = colors.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{colors:?}");
        let mut w = world_with(&names);
        run(&mut w, "create deployment g --image=nginx:1.25.3", &NoFiles);
        run(&mut w, "delete deployment b", &NoFiles);
        let after = cluster(&w);
        for wl in &after.workloads {
            if let Some(before) = v.workloads.iter().find(|x| x.name == wl.name) {
                assert_eq!(before.color, wl.color, "{} kept its colour", wl.name);
            }
        }
    }

    fn node<'v>(v: &'v ClusterView, name: &str) -> &'v NodeView {
        v.nodes.iter().find(|n| n.name == name).expect("node drawn")
    }

    #[test]
    fn a_new_node_shows_its_labels_taints_and_ready_condition() {
        let mut w = World::new(1);
        let out = run(
            &mut w,
            "sim node add edge-1 --cpu 2 --memory 4Gi --label zone=a --taint gpu=yes:NoSchedule",
            &NoFiles,
        );
        assert!(out.ok, "{}", out.stderr);
        let v = cluster(&w);
        let n = node(&v, "edge-1");
        assert!(n.ready && !n.failed && !n.cordoned);
        assert_eq!(n.taints, ["gpu=yes:NoSchedule"]);
        assert!(n.labels.contains(&"zone=a".to_string()), "{:?}", n.labels);
        assert_eq!(n.cpu_capacity_millis, 2000);
        let c = n.condition.as_ref().expect("a Ready condition");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "KubeletReady")
        );
        assert_eq!(
            n.summary(),
            "node edge-1, Ready, taints gpu=yes:NoSchedule, 0 pods"
        );
    }

    #[test]
    fn a_cordoned_node_is_marked_and_keeps_its_pods() {
        let mut w = world_with(&["web"]);
        let busy = cluster(&w)
            .nodes
            .iter()
            .find(|n| !n.pods.is_empty())
            .map(|n| n.name.clone())
            .expect("a node with pods");
        assert!(run(&mut w, &format!("cordon {busy}"), &NoFiles).ok);
        let v = cluster(&w);
        let n = node(&v, &busy);
        assert!(n.cordoned && n.ready && !n.failed);
        assert_eq!(n.status, "Ready,SchedulingDisabled");
        assert!(!n.pods.is_empty());
        assert!(
            n.summary().contains("Ready, SchedulingDisabled"),
            "{}",
            n.summary()
        );
    }

    #[test]
    fn a_node_whose_kubelet_stopped_posting_is_failed_with_the_conditions_message() {
        let mut w = world_with(&["web"]);
        let key = crate::store::Key::cluster("worker-1".to_string());
        let mut n = w.store().nodes.get(&key).cloned().expect("worker-1");
        for c in n.status.as_mut().unwrap().conditions.as_mut().unwrap() {
            if c.type_ == "Ready" {
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some("Kubelet stopped posting node status.".into());
            }
        }
        let now = w.now();
        w.store.update_status(n, now).expect("status written");
        let v = cluster(&w);
        let n = node(&v, "worker-1");
        assert!(n.failed && !n.ready);
        assert_eq!(n.status, "NotReady");
        assert_eq!(
            n.condition.as_ref().map(|c| c.reason.as_str()),
            Some("NodeStatusUnknown")
        );
        assert!(
            n.summary()
                .starts_with("node worker-1, NotReady (Kubelet stopped posting node status.)"),
            "{}",
            n.summary()
        );
        assert!(!node(&v, "worker-2").failed);
    }

    #[test]
    fn unschedulable_pods_wait_in_the_pending_lane_with_a_reason() {
        let mut w = World::new(1);
        run(
            &mut w,
            "create deployment big --image=nginx:1.25.3",
            &NoFiles,
        );
        run(
            &mut w,
            "set image deployment/big nginx=nginx:1.25.3",
            &NoFiles,
        );
        let mut d = w.store().deployments.iter().next().cloned().unwrap();
        d.spec.template.spec.as_mut().unwrap().containers[0].resources =
            Some(k8s_openapi::api::core::v1::ResourceRequirements {
                requests: Some(
                    [(
                        "cpu".to_string(),
                        k8s_openapi::apimachinery::pkg::api::resource::Quantity("64".into()),
                    )]
                    .into(),
                ),
                ..Default::default()
            });
        w.update_object(crate::controllers::Object::Deployment(d), false)
            .unwrap();
        w.after_user_change();
        w.settle(Dur::mins(1));
        let v = cluster(&w);
        assert_eq!(v.pending.len(), 1);
        assert_eq!(v.pending[0].state, PodState::Pending);
        assert!(
            v.pending[0]
                .why
                .as_deref()
                .unwrap_or("")
                .contains("Insufficient cpu"),
            "{:?}",
            v.pending[0].why
        );
    }
}
