//! The attach/detach controller (`pkg/controller/volume/attachdetach`, its `reconciler`).
//!
//! Volumes made by the simulation's provisioner (and CSI volumes) behave like network block
//! disks: they must be attached to a node before a pod there can mount them. The desired state
//! is "attached to every node with a scheduled, unfinished pod using the volume"; the actual
//! state is each node's `status.volumesAttached`, which this controller writes (the kubelet
//! writes `status.volumesInUse` while a pod has the volume mounted). One pass per volume:
//! - detach from nodes where no pod needs it any more and the kubelet no longer reports it in
//!   use;
//! - attach to nodes that need it, unless the volume cannot be multi-attached (no
//!   ReadWriteMany/ReadOnlyMany access mode) and is attached elsewhere: then each waiting pod
//!   gets one Warning `FailedAttachVolume` "Multi-Attach error …" (`reportMultiAttachError`).
//!
//! The simulation wakes this controller [`ATTACH_DELAY`] after a change, which stands for the
//! time an attach operation takes.

use super::volume::{ANN_PROVISIONED_BY, PROVISIONER};
use super::volumebinding::uses_claim;
use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::podutil;
use crate::store::{Key, Kind, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::{AttachedVolume, Node, PersistentVolume, Pod};
use std::collections::BTreeMap;

/// How long after a change the controller acts (an attach or detach operation's duration).
pub const ATTACH_DELAY: Dur = Dur::secs(1);

/// The unique volume name kubelets and the controller use (`kubernetes.io/csi/<driver>^<handle>`).
pub fn unique_name(pv_name: &str) -> String {
    format!("kubernetes.io/csi/{PROVISIONER}^{pv_name}")
}

/// The volume a unique name stands for.
pub fn pv_of_unique_name(name: &str) -> Option<&str> {
    name.strip_prefix(&format!("kubernetes.io/csi/{PROVISIONER}^"))
}

/// Whether a volume must be attached before use: provisioned by the simulation, or CSI.
pub fn attachable(pv: &PersistentVolume) -> bool {
    pv.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(ANN_PROVISIONED_BY))
        .is_some_and(|p| p == PROVISIONER)
        || pv.spec.as_ref().is_some_and(|s| s.csi.is_some())
}

/// `isMultiAttachAllowed`: volumes with ReadWriteMany or ReadOnlyMany (or no access modes).
pub fn multi_attach_allowed(pv: &PersistentVolume) -> bool {
    let modes = pv
        .spec
        .as_ref()
        .and_then(|s| s.access_modes.clone())
        .unwrap_or_default();
    modes.is_empty()
        || modes
            .iter()
            .any(|m| m == "ReadWriteMany" || m == "ReadOnlyMany")
}

fn attached_names(node: &Node) -> impl Iterator<Item = &str> {
    node.status
        .as_ref()
        .and_then(|s| s.volumes_attached.as_ref())
        .into_iter()
        .flatten()
        .map(|v| v.name.as_str())
}

/// Whether the kubelet of a node reports a volume in use (mounted).
pub fn in_use_on(node: &Node, unique: &str) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.volumes_in_use.as_ref())
        .is_some_and(|v| v.iter().any(|x| x == unique))
}

/// Nodes a volume is attached to, by name.
pub fn attached_nodes<'a>(store: &'a Store, pv_name: &str) -> Vec<&'a str> {
    let unique = unique_name(pv_name);
    store
        .nodes
        .iter()
        .filter(|n| attached_names(n).any(|x| x == unique))
        .filter_map(|n| n.metadata.name.as_deref())
        .collect()
}

/// The volume a pod's claim is bound to, per pod volume name.
pub fn pod_volumes<'a>(store: &'a Store, pod: &Pod) -> Vec<(String, &'a PersistentVolume)> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let claim = v.persistent_volume_claim.as_ref()?;
            let pvc = store
                .persistentvolumeclaims
                .get(&Key::new(ns, claim.claim_name.as_str()))?;
            let pv_name = pvc.spec.as_ref()?.volume_name.as_deref()?;
            let pv = store.persistentvolumes.get(&Key::cluster(pv_name))?;
            Some((v.name.clone(), pv))
        })
        .collect()
}

/// Scheduled, unfinished pods that use a volume, by node (the desired state of the world).
pub fn desired<'a>(store: &'a Store, pv: &'a PersistentVolume) -> BTreeMap<String, Vec<&'a Pod>> {
    let mut out: BTreeMap<String, Vec<&Pod>> = BTreeMap::new();
    for (n, p) in users_on_nodes(store, pv) {
        out.entry(n.to_string()).or_default().push(p);
    }
    out
}

/// Whether any scheduled, unfinished pod uses the volume (the desired state is not empty).
pub fn is_desired(store: &Store, pv: &PersistentVolume) -> bool {
    users_on_nodes(store, pv).next().is_some()
}

/// Whether this pod is one of the volume's users in [`desired`].
pub fn is_user(store: &Store, pv: &PersistentVolume, pod: &Pod) -> bool {
    bound_claim(store, pv).is_some_and(|(ns, claim)| {
        pod.metadata.namespace.as_deref() == Some(ns) && node_of_user(pod, claim).is_some()
    })
}

/// The scheduled, unfinished pods that use a volume through the claim it is bound to, with
/// their nodes.
fn users_on_nodes<'a>(
    store: &'a Store,
    pv: &'a PersistentVolume,
) -> impl Iterator<Item = (&'a str, &'a Pod)> + 'a {
    bound_claim(store, pv)
        .into_iter()
        .flat_map(move |(ns, claim)| {
            store
                .pods
                .in_namespace(ns)
                .filter_map(move |p| node_of_user(p, claim).map(|n| (n, p)))
        })
}

/// The claim (namespace and name) the volume is bound to, both ways round.
fn bound_claim<'a>(store: &Store, pv: &'a PersistentVolume) -> Option<(&'a str, &'a str)> {
    pv.spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .and_then(|r| Some((r.namespace.as_deref()?, r.name.as_deref()?)))
        .filter(|(ns, claim)| {
            store
                .persistentvolumeclaims
                .get(&Key::new(*ns, *claim))
                .and_then(|c| c.spec.as_ref())
                .and_then(|s| s.volume_name.as_deref())
                == pv.metadata.name.as_deref()
        })
}

/// The node of a scheduled, unfinished pod that mounts the claim.
fn node_of_user<'p>(pod: &'p Pod, claim: &str) -> Option<&'p str> {
    if podutil::is_terminal(pod) || !uses_claim(pod, claim) {
        return None;
    }
    podutil::node_name(pod)
}

/// For the web view: the node a volume is attached to (the first, for multi-attach volumes).
pub fn attachment_of(store: &Store, pv_name: &str) -> Option<String> {
    attached_nodes(store, pv_name)
        .first()
        .map(|s| s.to_string())
}

/// For the web view: if a pod waits because one of its volumes is attached to another node and
/// cannot be multi-attached, that volume and the node holding it.
pub fn multi_attach_blocked(store: &Store, pod: &Pod) -> Option<(String, String)> {
    let node = podutil::node_name(pod)?;
    for (_, pv) in pod_volumes(store, pod) {
        if !attachable(pv) || multi_attach_allowed(pv) {
            continue;
        }
        let name = pv.metadata.name.clone().unwrap_or_default();
        let nodes = attached_nodes(store, &name);
        if !nodes.contains(&node) {
            if let Some(other) = nodes.first() {
                return Some((name, other.to_string()));
            }
        }
    }
    None
}

/// `maxWaitForUnmountDuration`: how long the reconciler waits for an unhealthy node's kubelet
/// to unmount before it detaches anyway.
pub const MAX_WAIT_FOR_UNMOUNT: Dur = Dur::secs(360);

/// When a volume still in use on an unhealthy node may be force-detached: at once when the node
/// is tainted out-of-service, else the wait after the node became unhealthy (the reconciler
/// times from the detach request; the node's transition stands in for it). None for a healthy
/// node.
fn force_detach_at(node: &Node) -> Option<SimTime> {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))?;
    if ready.status == "True" {
        return None;
    }
    if crate::cluster::taints(node)
        .iter()
        .any(|t| t.key == crate::cluster::TAINT_OUT_OF_SERVICE)
    {
        return Some(SimTime(0));
    }
    let since = ready
        .last_transition_time
        .as_ref()
        .map(SimTime::from_k8s)
        .unwrap_or(SimTime(0));
    Some(since + MAX_WAIT_FOR_UNMOUNT)
}

fn with_attached(node: &Node, unique: &str, attach: bool) -> Node {
    let mut n = node.clone();
    let st = n.status.get_or_insert_with(Default::default);
    let list = st.volumes_attached.get_or_insert_with(Vec::new);
    list.retain(|v| v.name != unique);
    if attach {
        list.push(AttachedVolume {
            name: unique.to_string(),
            device_path: String::new(),
        });
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    if list.is_empty() {
        st.volumes_attached = None;
    }
    n
}

/// One pass over one volume (keyed by the volume's name).
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let unique = unique_name(&key.name);
    let mut attached: Vec<String> = attached_nodes(store, &key.name)
        .into_iter()
        .map(String::from)
        .collect();
    let pv = store.persistentvolumes.get(key).filter(|pv| attachable(pv));
    let desired = pv.map(|pv| desired(store, pv)).unwrap_or_default();
    // Detach where nothing needs it and the kubelet has unmounted it, or, from an unhealthy
    // node whose kubelet cannot say, after `maxWaitForUnmountDuration` (at once if the node
    // is out of service).
    for name in attached.clone() {
        let Some(node) = store.nodes.get(&Key::cluster(name.as_str())) else {
            continue;
        };
        if desired.contains_key(&name) {
            continue;
        }
        let force_at = force_detach_at(node);
        if !in_use_on(node, &unique) || force_at.is_some_and(|t| now >= t) {
            out.push(Action::UpdateStatus(Object::Node(with_attached(
                node, &unique, false,
            ))));
            attached.retain(|n| n != &name);
        } else if let Some(t) = force_at {
            out.requeue(t.since(now));
        }
    }
    let Some(pv) = pv else {
        return out;
    };
    let pv_name = key.name.as_str();
    // Attach where pods wait for it, oldest pod first.
    let mut wanted: Vec<(&String, &Vec<&Pod>)> = desired
        .iter()
        .filter(|(n, _)| !attached.contains(n))
        .collect();
    wanted.sort_by_key(|(n, pods)| {
        (
            pods.iter()
                .filter_map(|p| p.metadata.creation_timestamp.as_ref())
                .map(SimTime::from_k8s)
                .min(),
            (*n).clone(),
        )
    });
    for (node_name, pods) in wanted {
        let Some(node) = store.nodes.get(&Key::cluster(node_name.as_str())) else {
            continue;
        };
        if !multi_attach_allowed(pv) && !attached.is_empty() {
            report_multi_attach(store, &mut out, pv_name, &desired, &attached, pods);
            continue;
        }
        out.push(Action::UpdateStatus(Object::Node(with_attached(
            node, &unique, true,
        ))));
        attached.push(node_name.clone());
        for p in pods {
            out.event(EventRecord::normal(
                Regarding::of(Kind::Pod, &p.metadata),
                Component::AttachDetachController,
                "SuccessfulAttachVolume",
                format!("AttachVolume.Attach succeeded for volume {pv_name:?}"),
            ));
        }
    }
    out
}

/// `reportMultiAttachError`: once per waiting pod, naming the pods (of its namespace) that use
/// the volume on the nodes it is attached to.
fn report_multi_attach(
    store: &Store,
    out: &mut Reconcile,
    pv_name: &str,
    desired: &BTreeMap<String, Vec<&Pod>>,
    attached: &[String],
    waiting: &[&Pod],
) {
    let mut users: Vec<&Pod> = attached
        .iter()
        .filter_map(|n| desired.get(n))
        .flatten()
        .copied()
        .collect();
    users.sort_by_key(|p| p.metadata.name.clone());
    for pod in waiting {
        let ns = pod.metadata.namespace.as_deref();
        let local: Vec<&str> = users
            .iter()
            .filter(|u| u.metadata.namespace.as_deref() == ns)
            .filter_map(|u| u.metadata.name.as_deref())
            .collect();
        let others = users.len() - local.len();
        let detail = if users.is_empty() {
            "Volume is already exclusively attached to one node and can't be attached to another"
                .to_string()
        } else if local.is_empty() {
            format!("Volume is already used by {others} pod(s) in different namespaces")
        } else if others > 0 {
            format!(
                "Volume is already used by pod(s) {} and {others} pod(s) in different namespaces",
                local.join(", ")
            )
        } else {
            format!("Volume is already used by pod(s) {}", local.join(", "))
        };
        let message = format!("Multi-Attach error for volume {pv_name:?} {detail}");
        let uid = pod.metadata.uid.as_deref();
        let reported = store.events.iter().any(|e| {
            e.involved_object.uid.as_deref() == uid
                && e.reason.as_deref() == Some("FailedAttachVolume")
        });
        if !reported {
            out.event(EventRecord::warning(
                Regarding::of(Kind::Pod, &pod.metadata),
                Component::AttachDetachController,
                "FailedAttachVolume",
                message,
            ));
        }
    }
}
