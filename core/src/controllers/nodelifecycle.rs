//! The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go):
//! `monitorNodeHealth` marks a node whose kubelet stopped posting status for longer than the
//! grace period `Unknown` and its pods not ready (`MarkPodsNotReady`); the tainting passes
//! (`doNoScheduleTaintingPass`, `doNoExecuteTaintingPass`) keep the condition taints of
//! [`cluster::condition_taints`] on the node, NoExecute ones with `timeAdded`.
//!
//! The simulation has no Lease objects: the kubelet's heartbeat is the world's knowledge of
//! whether it runs (`stopped_since`), so a healthy cluster schedules no periodic work.

use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::cluster;
use crate::podutil;
use crate::store::{Key, Kind, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::{Node, NodeCondition, Taint};

/// `--node-monitor-grace-period` (50s since v1.32).
pub const NODE_MONITOR_GRACE: Dur = Dur::secs(50);

/// The conditions a silent kubelet's node gets (`nodeConditionTypes` plus Ready).
const UNKNOWN_CONDITIONS: [&str; 4] = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/// Whether a pass has anything to do for this node: it is silent (or will be judged so), or its
/// taints differ from what its conditions call for.
pub fn wants(node: &Node, stopped_since: Option<SimTime>) -> bool {
    stopped_since.is_some() || taints_to_write(node, SimTime(0)).is_some()
}

pub fn reconcile(
    store: &Store,
    key: &Key,
    stopped_since: Option<SimTime>,
    now: SimTime,
) -> Reconcile {
    let mut r = Reconcile::done();
    let Some(node) = store.nodes.get(key) else {
        return r;
    };
    if let Some(since) = stopped_since {
        let due = since + NODE_MONITOR_GRACE;
        if now < due {
            r.requeue(due.since(now));
            return r;
        }
        if let Some(updated) = mark_unknown(node, now) {
            let name = key.name.clone();
            r.push(Action::UpdateStatus(Object::Node(updated)));
            r.event(EventRecord::normal(
                Regarding::of(Kind::Node, &node.metadata),
                Component::NodeLifecycleController,
                "NodeNotReady",
                format!("Node {name} status is now: NodeNotReady"),
            ));
            mark_pods_not_ready(store, &name, now, &mut r);
            // The taints follow when the node change comes back.
            return r;
        }
    }
    if let Some(taints) = taints_to_write(node, now) {
        let mut n = node.clone();
        n.spec.get_or_insert_with(Default::default).taints = (!taints.is_empty()).then_some(taints);
        r.push(Action::Update(Object::Node(n)));
    }
    r
}

/// `tryUpdateNodeHealth` for a node without a heartbeat: every condition the kubelet owns
/// becomes `Unknown` (`NodeStatusUnknown`, `Kubelet stopped posting node status.`); None when
/// they already are.
fn mark_unknown(node: &Node, now: SimTime) -> Option<Node> {
    let mut n = node.clone();
    let conds = n
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    let mut changed = false;
    for t in UNKNOWN_CONDITIONS {
        match conds.iter_mut().find(|c| c.type_ == t) {
            Some(c) if c.status == "Unknown" => {}
            Some(c) => {
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some("Kubelet stopped posting node status.".into());
                c.last_transition_time = Some(now.to_k8s());
                changed = true;
            }
            None => {
                conds.push(NodeCondition {
                    type_: t.into(),
                    status: "Unknown".into(),
                    reason: Some("NodeStatusNeverUpdated".into()),
                    message: Some("Kubelet never posted node status.".into()),
                    last_heartbeat_time: None,
                    last_transition_time: Some(now.to_k8s()),
                });
                changed = true;
            }
        }
    }
    changed.then_some(n)
}

/// `MarkPodsNotReady` (pkg/controller/util/node): the Ready condition of every pod on the node
/// turns False, with a `NodeNotReady` event on each pod changed.
fn mark_pods_not_ready(store: &Store, node: &str, now: SimTime, r: &mut Reconcile) {
    for pod in store
        .pods
        .iter()
        .filter(|p| podutil::node_name(p) == Some(node))
    {
        let Some(ready) = podutil::condition(pod, "Ready").filter(|c| c.status != "False") else {
            continue;
        };
        let mut p = pod.clone();
        let mut c = ready.clone();
        c.status = "False".into();
        super::scheduler::set_pod_condition(&mut p, c, now);
        r.push(Action::UpdateStatus(Object::Pod(p)));
        r.event(EventRecord::warning(
            Regarding::of(Kind::Pod, &pod.metadata),
            Component::NodeLifecycleController,
            "NodeNotReady",
            "Node is not ready".into(),
        ));
    }
}

/// The node's taints with the controller-managed ones brought in line with its conditions:
/// stale ones dropped, missing ones appended (NoExecute with `timeAdded`). None when nothing
/// changes.
fn taints_to_write(node: &Node, now: SimTime) -> Option<Vec<Taint>> {
    let want = cluster::condition_taints(node);
    let have = cluster::taints(node);
    let same = |a: &Taint, b: &Taint| a.key == b.key && a.effect == b.effect;
    let mut out: Vec<Taint> = have
        .iter()
        .filter(|t| !cluster::is_controller_taint(t) || want.iter().any(|w| same(w, t)))
        .cloned()
        .collect();
    for mut w in want {
        if !out.iter().any(|t| same(t, &w)) {
            if w.effect == "NoExecute" {
                w.time_added = Some(now.to_k8s());
            }
            out.push(w);
        }
    }
    (out.len() != have.len() || out.iter().zip(have).any(|(a, b)| !same(a, b))).then_some(out)
}

/// What the kubelet posts when it runs again (`setNodeReadyCondition` and the pressure
/// setters): its conditions healthy, each keeping its transition time if it was already so.
pub fn kubelet_posts_status(node: &Node, now: SimTime) -> Node {
    let mut n = node.clone();
    let status = n.status.get_or_insert_with(Default::default);
    let old = status.conditions.clone().unwrap_or_default();
    let mut fresh = cluster::kubelet_conditions(now);
    for c in &mut fresh {
        if let Some(o) = old
            .iter()
            .find(|o| o.type_ == c.type_ && o.status == c.status)
        {
            c.last_transition_time = o.last_transition_time.clone();
        }
    }
    status.conditions = Some(fresh);
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::NodeSpec;

    #[test]
    fn unknown_ready_brings_both_unreachable_taints_and_recovery_removes_them() {
        let n = cluster::node(&NodeSpec::worker("w"), 1, SimTime(0));
        assert!(taints_to_write(&n, SimTime(0)).is_none());
        let silent = mark_unknown(&n, SimTime(50_000)).unwrap();
        let taints = taints_to_write(&silent, SimTime(50_000)).unwrap();
        let shown: Vec<String> = taints.iter().map(cluster::taint_string).collect();
        assert_eq!(
            shown,
            [
                "node.kubernetes.io/unreachable:NoSchedule",
                "node.kubernetes.io/unreachable:NoExecute"
            ]
        );
        assert!(taints[0].time_added.is_none() && taints[1].time_added.is_some());
        let mut tainted = silent.clone();
        tainted.spec.as_mut().unwrap().taints = Some(taints);
        let back = kubelet_posts_status(&tainted, SimTime(90_000));
        assert_eq!(taints_to_write(&back, SimTime(90_000)), Some(vec![]));
    }
}
