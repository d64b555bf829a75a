//! The taint eviction controller (pkg/controller/tainteviction/taint_eviction.go,
//! `processPodOnNode`): a pod on a node with NoExecute taints is deleted at once if one of them
//! is not tolerated, after the smallest `tolerationSeconds` of the tolerations used if all are,
//! and never if one of those tolerations has no `tolerationSeconds`. The eviction queue's state
//! (when a pod's eviction was first scheduled) is the world's; the reconcile gets and returns it.

use super::scheduler::tolerates;
use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::cluster;
use crate::podutil;
use crate::store::{Key, Kind, Propagation, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::{Node, PodCondition, Taint, Toleration};

/// What one pass decided, besides its actions.
pub struct Outcome {
    pub reconcile: Reconcile,
    /// When the pod's pending eviction was scheduled (None: nothing pending).
    pub scheduled: Option<SimTime>,
}

/// The NoExecute taints of a pod's node, if it is bound to one that exists.
fn no_execute_taints<'a>(store: &'a Store, node: &str) -> Option<Vec<&'a Taint>> {
    let n = store.nodes.get(&Key::cluster(node))?;
    Some(
        cluster::taints(n)
            .iter()
            .filter(|t| t.effect == "NoExecute")
            .collect(),
    )
}

/// Whether a node has NoExecute taints (so its pods concern this controller).
pub fn node_has_no_execute(store: &Store, node: &str) -> bool {
    store
        .nodes
        .get(&Key::cluster(node))
        .is_some_and(has_no_execute)
}

/// Whether this node has NoExecute taints.
pub fn has_no_execute(node: &Node) -> bool {
    cluster::taints(node)
        .iter()
        .any(|t| t.effect == "NoExecute")
}

/// `getMinTolerationTime`: None for "forever" (a used toleration without tolerationSeconds).
fn min_toleration_time(used: &[&Toleration]) -> Option<Dur> {
    let secs = used.iter().filter_map(|t| t.toleration_seconds).min();
    match secs {
        Some(s) => Some(Dur::secs(s.max(0) as u64)),
        None if used.is_empty() => Some(Dur::ZERO),
        None => None,
    }
}

pub fn reconcile(store: &Store, key: &Key, scheduled: Option<SimTime>, now: SimTime) -> Outcome {
    let mut r = Reconcile::done();
    let done = |reconcile, scheduled| Outcome {
        reconcile,
        scheduled,
    };
    let Some(pod) = store.pods.get(key) else {
        return done(r, None);
    };
    if pod.metadata.deletion_timestamp.is_some() {
        return done(r, None);
    }
    let Some(node) = podutil::node_name(pod) else {
        return done(r, scheduled);
    };
    let Some(taints) = no_execute_taints(store, node) else {
        // A node that went away keeps whatever was scheduled, as the taint cache does.
        return done(r, scheduled);
    };
    let regarding = Regarding::of(Kind::Pod, &pod.metadata);
    let name = format!("{}/{}", key.namespace, key.name);
    let cancel = |r: &mut Reconcile| {
        if scheduled.is_some() {
            r.event(EventRecord::normal(
                regarding.clone(),
                Component::TaintEvictionController,
                "TaintManagerEviction",
                format!("Cancelling deletion of Pod {name}"),
            ));
        }
    };
    if taints.is_empty() {
        cancel(&mut r);
        return done(r, None);
    }
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.clone())
        .unwrap_or_default();
    // `GetMatchingTolerations`: every taint needs one; the first matching is the one used.
    let mut used: Vec<&Toleration> = Vec::new();
    let mut all_tolerated = true;
    for taint in &taints {
        match tolerations.iter().find(|t| tolerates(t, taint)) {
            Some(t) => used.push(t),
            None => all_tolerated = false,
        }
    }
    let trigger = if all_tolerated {
        match min_toleration_time(&used) {
            None => {
                cancel(&mut r);
                return done(r, None);
            }
            Some(d) => scheduled.unwrap_or(now) + d,
        }
    } else {
        now
    };
    let start = scheduled.unwrap_or(now);
    if now < trigger {
        r.requeue(trigger.since(now));
        return done(r, Some(start));
    }
    // `addConditionAndDeletePod`, with the event `deletePodHandler` records first.
    r.event(EventRecord::normal(
        regarding,
        Component::TaintEvictionController,
        "TaintManagerEviction",
        format!("Marking for deletion Pod {name}"),
    ));
    let mut p = pod.clone();
    super::scheduler::set_pod_condition(
        &mut p,
        PodCondition {
            type_: "DisruptionTarget".into(),
            status: "True".into(),
            reason: Some("DeletionByTaintManager".into()),
            message: Some("Taint manager: deleting due to NoExecute taint".into()),
            ..Default::default()
        },
        now,
    );
    r.push(Action::UpdateStatus(Object::Pod(p)));
    r.push(Action::Delete {
        kind: Kind::Pod,
        key: key.clone(),
        grace_seconds: None,
        propagation: Propagation::Background,
        event: None,
    });
    done(r, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: &str, secs: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: secs,
            value: None,
        }
    }

    #[test]
    fn min_toleration_time_is_the_smallest_and_forever_without_seconds() {
        let (a, b, c) = (tol("a", Some(300)), tol("b", Some(30)), tol("c", None));
        assert_eq!(min_toleration_time(&[&a, &b]), Some(Dur::secs(30)));
        assert_eq!(min_toleration_time(&[&c]), None);
        assert_eq!(min_toleration_time(&[&a, &c]), Some(Dur::secs(300)));
        assert_eq!(min_toleration_time(&[]), Some(Dur::ZERO));
    }
}
