//! "Why?": one-sentence explanations of what a pod or controller is waiting for, computed from
//! the same state and rules the controllers use.

use crate::cluster;
use crate::controllers::deployment::util::{
    find_new_replica_set, max_surge, max_unavailable, rs_available, rs_replicas,
};
use crate::controllers::kubelet::CState;
use crate::controllers::{scheduler, volumebinding};
use crate::kubectl::{resolve_type, ResType};
use crate::podutil;
use crate::sim::World;
use crate::store::{Key, Kind};
use crate::time::{go_duration, human_duration, SimTime};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;

/// Explains `TYPE/NAME` in a namespace.
pub fn explain(world: &World, target: &str, ns: &str) -> Result<String, String> {
    let (t, name) = target
        .split_once('/')
        .ok_or_else(|| format!("error: expected TYPE/NAME, got {target:?}"))?;
    let t = resolve_type(t).ok_or_else(|| crate::kubectl::get::unknown_type(t))?;
    let s = world.store();
    match t {
        ResType::Sim(Kind::Pod) => s
            .pods
            .get(&Key::new(ns, name))
            .map(|p| pod(world, p))
            .ok_or_else(|| format!("Error from server (NotFound): pods {name:?} not found")),
        ResType::Sim(Kind::Deployment) => s
            .deployments
            .get(&Key::new(ns, name))
            .map(|d| deployment(world, d))
            .ok_or_else(|| {
                format!("Error from server (NotFound): deployments.apps {name:?} not found")
            }),
        ResType::Sim(Kind::ReplicaSet) => s
            .replicasets
            .get(&Key::new(ns, name))
            .map(|rs| {
                let st = rs.status.clone().unwrap_or_default();
                format!(
                    "replicaset {name}: {} of {} pods exist, {} ready, {} available",
                    st.replicas,
                    rs_replicas(rs),
                    st.ready_replicas.unwrap_or(0),
                    st.available_replicas.unwrap_or(0)
                )
            })
            .ok_or_else(|| {
                format!("Error from server (NotFound): replicasets.apps {name:?} not found")
            }),
        ResType::Sim(Kind::Node) => s
            .nodes
            .get(&Key::cluster(name))
            .map(|n| {
                let pods = s
                    .pods
                    .iter()
                    .filter(|p| podutil::node_name(p) == Some(name) && !podutil::is_terminal(p))
                    .count();
                format!(
                    "node {name} is {} with {pods} pods",
                    cluster::node_status_column(n)
                )
            })
            .ok_or_else(|| format!("Error from server (NotFound): nodes {name:?} not found")),
        ResType::Sim(Kind::PersistentVolumeClaim) => s
            .persistentvolumeclaims
            .get(&Key::new(ns, name))
            .map(|c| crate::controllers::volume::why_pending(s, c))
            .ok_or_else(|| {
                format!("Error from server (NotFound): persistentvolumeclaims {name:?} not found")
            }),
        _ => Err(format!("error: kubeplay cannot explain {target} yet")),
    }
}

/// Why a pod is where it is.
pub fn pod(world: &World, p: &Pod) -> String {
    let name = p.metadata.name.clone().unwrap_or_default();
    let now = world.now();
    if let Some(why) = node_trouble(world, p) {
        return why;
    }
    if let Some(t) = &p.metadata.deletion_timestamp {
        let left = SimTime::from_k8s(t).since(now);
        return format!("pod {name} is terminating: its containers were sent SIGTERM and have up to {} more of their grace period to stop", human_duration(left));
    }
    let Some(node) = podutil::node_name(p) else {
        if let Ok(claims) = volumebinding::pre_filter(world.store(), p) {
            if let (Some(n), false) = (claims.selected_node(), claims.delayed.is_empty()) {
                return format!("pod {name} is Pending: the scheduler chose {n} and waits for its WaitForFirstConsumer claim(s) to be provisioned and bound there before binding the pod");
            }
        }
        let cond = podutil::condition(p, "PodScheduled");
        let Some(msg) = cond.and_then(|c| c.message.clone()) else {
            return format!("pod {name} is Pending: waiting for the scheduler to place it");
        };
        let snapshot = scheduler::Snapshot::new(world.store());
        let cycle = match scheduler::pre_filter(&snapshot, p) {
            Ok(c) => c,
            Err(why) => {
                return format!(
                    "pod {name} is Pending because no node can take it ({msg}) — {}",
                    prefilter_hint(&why)
                )
            }
        };
        // The summary sentence, then one line per node naming the filter that rejects it.
        let per_node: String = scheduler::diagnose(&cycle)
            .into_iter()
            .filter_map(|(ni, r)| r.map(|r| format!("\n  {}: {}", ni.name, r.detail)))
            .collect();
        return format!("pod {name} is Pending because no node can take it ({msg}){per_node}");
    };
    let uid = p.metadata.uid.clone().unwrap_or_default();
    let Some(rt) = world.runtime(&uid) else {
        return format!("pod {name} is bound to {node}; its kubelet has not started it yet");
    };
    if !rt.volumes_mounted {
        let store = world.store();
        if let Some((pv, other)) = crate::controllers::attachdetach::multi_attach_blocked(store, p)
        {
            return format!("pod {name} on {node} is stuck in ContainerCreating: volume {pv} is ReadWriteOnce and attached to {other}, where other pods use it (Multi-Attach); it can attach here only once no pod on {other} uses it — use one node, `strategy: Recreate`, a ReadWriteMany claim or a StatefulSet with a claim per pod");
        }
        return format!("pod {name} on {node} waits for its volumes: every claim must be bound and its volume attached to {node} and mounted before the containers start");
    }
    let mut parts = Vec::new();
    for c in &rt.containers {
        let s = match &c.state {
            CState::Waiting => format!("container {} waits for the pod sandbox", c.name),
            CState::Pulling { until } => format!("container {} is pulling image {:?} ({} left)", c.name, c.image, go_duration(until.since(now))),
            CState::PullFailed { retry_at, message, .. } => format!("image {:?} cannot be pulled ({message}); the kubelet retries in {} (back-off doubles up to 5m)", c.image, human_duration(retry_at.since(now))),
            CState::InvalidName { message } => format!("image {:?} is not a valid reference: {message}", c.image),
            CState::Starting { .. } => format!("container {} is being created and started", c.name),
            CState::Running { ready_at, .. } => match ready_at {
                Some(r) if *r <= now => format!("container {} is running and ready", c.name),
                Some(r) => format!("container {} is running but not ready yet: its readiness check passes in {}", c.name, human_duration(r.since(now))),
                None => format!("container {} is running but never becomes ready (its readiness check keeps failing)", c.name),
            },
            CState::Exited { code, .. } => format!("container {} exited with code {code} and will be restarted", c.name),
            CState::BackOff { until } => format!("container {} keeps crashing (restarted {} times); CrashLoopBackOff waits {} before the next start", c.name, c.restarts, human_duration(until.since(now))),
        };
        parts.push(s);
    }
    format!("pod {name} on {node}: {}", parts.join("; "))
}

/// Why a pod bound to a failed, unreachable or vanished node is stuck, and what it waits for.
fn node_trouble(world: &World, p: &Pod) -> Option<String> {
    let name = p.metadata.name.clone().unwrap_or_default();
    let node = podutil::node_name(p)?;
    let now = world.now();
    let sts = crate::store::controller_ref(&p.metadata).filter(|r| r.kind == "StatefulSet");
    let waiting = |what: &str| match &sts {
        Some(r) => format!(
            " The StatefulSet {} does not replace it while it exists (one pod per identity): it \
             goes when {what}, or on `kubectl delete pod {name} --force --grace-period=0`.",
            r.name
        ),
        None => String::new(),
    };
    let Some(n) = world.store().nodes.get(&Key::cluster(node)) else {
        return Some(format!(
            "pod {name} is bound to node {node}, which no longer exists; the pod garbage \
             collector deletes it once the node has been gone for {}.",
            human_duration(crate::controllers::podgc::QUARANTINE)
        ));
    };
    let stopped = world.kubelet_stopped_since(node);
    let ready = cluster::node_ready(n);
    let eviction = pending_eviction(world, p);
    if stopped.is_none() && ready == Some("True") {
        return eviction
            .map(|e| format!("pod {name} on {node} tolerates its NoExecute taints for now.{e}"));
    }
    let state = match (stopped, ready) {
        (Some(since), Some("True")) => {
            let due = since + crate::controllers::nodelifecycle::NODE_MONITOR_GRACE;
            return Some(format!(
                "pod {name} is on {node}, whose kubelet stopped {} ago; the node lifecycle \
                 controller marks the node NotReady in {} (grace period {}).",
                human_duration(now.since(since)),
                human_duration(due.since(now)),
                human_duration(crate::controllers::nodelifecycle::NODE_MONITOR_GRACE)
            ));
        }
        (Some(_), _) => "unreachable (its kubelet stopped posting status)",
        (None, _) => "NotReady",
    };
    if p.metadata.deletion_timestamp.is_some() {
        return Some(format!(
            "pod {name} is Terminating on {node}, which is {state}: no kubelet confirms that \
             its containers stopped, so the pod object stays.{}",
            waiting(&format!(
                "{node} recovers, the Node object is deleted, or {node} is tainted \
                 node.kubernetes.io/out-of-service:NoExecute"
            ))
        ));
    }
    let eviction = eviction.unwrap_or_default();
    Some(format!(
        "pod {name} is on {node}, which is {state}: the pod is not Ready and gets no \
         traffic.{eviction}"
    ))
}

/// The taint eviction controller's pending deletion of a pod, as a sentence.
fn pending_eviction(world: &World, p: &Pod) -> Option<String> {
    let since = world.taint_eviction_since(&Key::of(&p.metadata))?;
    let secs = p
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.as_ref())
        .into_iter()
        .flatten()
        .filter(|t| t.effect.as_deref().is_none_or(|e| e == "NoExecute"))
        .filter_map(|t| t.toleration_seconds)
        .min()
        .unwrap_or(0)
        .max(0) as u64;
    let at = since + crate::time::Dur::secs(secs);
    Some(format!(
        " The taint eviction controller deletes it in {} (tolerationSeconds {secs}).",
        human_duration(at.since(world.now()))
    ))
}

/// Why a Deployment's rollout is where it is.
pub fn deployment(world: &World, d: &Deployment) -> String {
    let name = d.metadata.name.clone().unwrap_or_default();
    let want = d.spec.replicas.unwrap_or(1);
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let rss: Vec<_> = world.store().replicasets.owned_by(&uid).cloned().collect();
    let st = d.status.clone().unwrap_or_default();
    if d.spec.paused == Some(true) {
        return format!("deployment {name} is paused: template changes wait until `kubectl rollout resume deployment/{name}`; scaling still applies");
    }
    let progressing = crate::controllers::deployment::conditions(d)
        .into_iter()
        .find(|c| c.type_.as_deref() == Some("Progressing"));
    if progressing.as_ref().and_then(|c| c.reason.as_deref()) == Some("ProgressDeadlineExceeded") {
        return format!(
            "deployment {name} exceeded its progress deadline ({}s without progress); the rollout is not rolled back automatically — fix the template or `kubectl rollout undo deployment/{name}`",
            d.spec.progress_deadline_seconds.unwrap_or(600)
        );
    }
    let Some(new) = find_new_replica_set(d, &rss) else {
        return format!("deployment {name}: waiting for the controller to create a ReplicaSet for the current template");
    };
    let new_name = new.metadata.name.clone().unwrap_or_default();
    let total: i32 = rss.iter().map(rs_replicas).sum();
    let available: i32 = rss.iter().map(rs_available).sum();
    let old_total = total - rs_replicas(new);
    let (surge, unav) = (max_surge(d), max_unavailable(d));
    let new_avail = rs_available(new);
    if old_total == 0
        && new_avail >= want
        && st.updated_replicas.unwrap_or(0) == want
        && st.replicas.unwrap_or(0) == want
    {
        return format!("deployment {name} is complete: {want}/{want} pods of ReplicaSet {new_name} are available");
    }
    if old_total == 0 {
        return format!("deployment {name}: {new_avail} of {want} pods of ReplicaSet {new_name} are available; waiting for the rest to become ready");
    }
    let min_available = want - unav;
    if rs_replicas(new) < want && total >= want + surge && available <= min_available {
        return format!(
            "rollout waiting: {new_avail} of {} new pods available; maxSurge {surge} allows no more pods (total {total}) and maxUnavailable {unav} allows no old pod to be removed until more new pods are available",
            rs_replicas(new)
        );
    }
    if available <= min_available {
        return format!("rollout waiting: {available} pods available and maxUnavailable {unav} requires at least {min_available}, so no old pod can be removed yet; {new_avail} of {} new pods available", rs_replicas(new));
    }
    format!("rollout in progress: {} new and {old_total} old pods ({available} available, at least {min_available} must stay available, up to {} may exist)", rs_replicas(new), want + surge)
}

/// What to do about a volume PreFilter rejection.
fn prefilter_hint(why: &str) -> String {
    if why == volumebinding::ERR_UNBOUND_IMMEDIATE {
        "every node is ruled out until its claims of an Immediate storage class are bound (see `sim why pvc/NAME`)".into()
    } else if why.ends_with("not found") {
        format!("{why}: the pod waits until the claim is created")
    } else if why.ends_with("is being deleted") {
        format!("{why}: a pod cannot start with a claim that is going away")
    } else {
        why.to_string()
    }
}
