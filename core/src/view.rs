//! The view-model: plain rows describing the cluster for any user interface (the web picture,
//! tables, screen readers). No markup here: components only map these rows to elements.

use crate::cluster;
use crate::podutil;
use crate::sim::World;
use crate::store::controller_ref;
use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;

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
    pub ready: bool,
    pub cordoned: bool,
    pub taints: Vec<String>,
    pub labels: Vec<String>,
    pub cpu_capacity_millis: i64,
    pub cpu_requested_millis: i64,
    pub memory_capacity_bytes: i64,
    pub memory_requested_bytes: i64,
    pub pods: Vec<PodView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadView {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status_line: String,
    pub color: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterView {
    /// Simulated time, `h:mm:ss` since the cluster started.
    pub time: String,
    pub nodes: Vec<NodeView>,
    /// Pods no node has taken yet (or whose node is gone).
    pub pending: Vec<PodView>,
    pub workloads: Vec<WorkloadView>,
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
    if r.kind == "ReplicaSet" {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let key = crate::store::Key::new(ns, r.name.clone());
        if let Some(rs) = world.store().replicasets.get(&key) {
            if let Some(d) = controller_ref(&rs.metadata).filter(|o| o.kind == "Deployment") {
                let view = OwnerView {
                    kind: "Deployment".into(),
                    name: d.name.clone(),
                };
                return Some((view, d.uid.clone()));
            }
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

/// Builds the whole view.
pub fn cluster(world: &World) -> ClusterView {
    let store = world.store();
    let usage = crate::controllers::scheduler::node_usage(store);
    let mut by_node: BTreeMap<String, Vec<PodView>> = BTreeMap::new();
    let mut pending = Vec::new();
    for p in store.pods.iter() {
        let v = pod_view(world, p);
        match &v.node {
            Some(n)
                if store
                    .nodes
                    .get(&crate::store::Key::cluster(n.clone()))
                    .is_some() =>
            {
                by_node.entry(n.clone()).or_default().push(v)
            }
            _ => pending.push(v),
        }
    }
    let nodes = store
        .nodes
        .iter()
        .map(|n| {
            let name = n.metadata.name.clone().unwrap_or_default();
            let (cpu, mem, _) = crate::controllers::scheduler::allocatable(n);
            let u = usage.get(&name).cloned().unwrap_or_default();
            let mut pods = by_node.remove(&name).unwrap_or_default();
            pods.sort_by(|a, b| {
                (a.owner.as_ref().map(|o| (&o.kind, &o.name)), &a.name)
                    .cmp(&(b.owner.as_ref().map(|o| (&o.kind, &o.name)), &b.name))
            });
            NodeView {
                status: cluster::node_status_column(n),
                roles: cluster::node_roles(n),
                ready: cluster::node_ready(n) == Some("True"),
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
            }
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
        });
    }
    ClusterView {
        time: world.now().clock(),
        nodes,
        pending,
        workloads,
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

    #[test]
    fn pods_are_drawn_in_their_nodes_with_their_workload() {
        let v = cluster(&world_with(&["web"]));
        assert_eq!(v.nodes.len(), 3);
        let pods: Vec<&PodView> = v.nodes.iter().flat_map(|n| &n.pods).collect();
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
