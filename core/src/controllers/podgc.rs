//! The pod garbage collector (pkg/controller/podgc/gc_controller.go), per node:
//! `gcOrphaned` force-deletes the pods bound to a node that no longer exists once the node has
//! been gone for the quarantine, and `gcTerminating` force-deletes the terminating pods of a
//! node that is not ready and carries the `node.kubernetes.io/out-of-service` taint
//! (non-graceful node shutdown). Both first mark the pod `Failed`
//! (`markFailedAndDeletePodWithCondition`). The terminated-pod threshold (12500) is never
//! reached in a playground and is not modelled.

use super::{Action, Object, Reconcile};
use crate::cluster;
use crate::podutil;
use crate::store::{Key, Kind, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::{Pod, PodCondition};

/// `quarantineTime`: how long a missing node stays missing before its pods go.
pub const QUARANTINE: Dur = Dur::secs(40);

/// Whether the node's terminating pods are the collector's: not ready and out of service.
pub fn out_of_service(store: &Store, node: &str) -> bool {
    store.nodes.get(&Key::cluster(node)).is_some_and(|n| {
        cluster::node_ready(n) != Some("True")
            && cluster::taints(n)
                .iter()
                .any(|t| t.key == cluster::TAINT_OUT_OF_SERVICE)
    })
}

pub fn reconcile(store: &Store, node: &Key, now: SimTime) -> Reconcile {
    let mut r = Reconcile::done();
    let gone = store.nodes.get(node).is_none();
    if !gone && !out_of_service(store, &node.name) {
        return r;
    }
    let mut pods: Vec<&Pod> = store
        .pods
        .iter()
        .filter(|p| podutil::node_name(p) == Some(node.name.as_str()))
        .filter(|p| gone || p.metadata.deletion_timestamp.is_some())
        .collect();
    // `byEvictionAndCreationTimestamp`.
    pods.sort_by_key(|p| {
        (
            p.metadata.creation_timestamp.as_ref().map(|t| t.0),
            p.metadata.name.clone(),
        )
    });
    for pod in pods {
        if !podutil::is_terminal(pod) {
            let mut p = pod.clone();
            p.status.get_or_insert_with(Default::default).phase = Some("Failed".into());
            if gone {
                super::scheduler::set_pod_condition(
                    &mut p,
                    PodCondition {
                        type_: "DisruptionTarget".into(),
                        status: "True".into(),
                        reason: Some("DeletionByPodGC".into()),
                        message: Some("PodGC: node no longer exists".into()),
                        ..Default::default()
                    },
                    now,
                );
            }
            r.push(Action::UpdateStatus(Object::Pod(p)));
        }
        r.push(Action::Remove {
            kind: Kind::Pod,
            key: Key::of(&pod.metadata),
        });
    }
    r
}
