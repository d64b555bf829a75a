//! The scheduler's volume plugins: VolumeRestrictions
//! (`pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go`) and
//! VolumeBinding (`pkg/scheduler/framework/plugins/volumebinding/{volume_binding,binder}.go`).
//!
//! - PreFilter rejects the pod outright (every node `UnschedulableAndUnresolvable`) when a claim
//!   is missing (`persistentvolumeclaim "x" not found`), Lost, being deleted, or is an unbound
//!   claim of an `Immediate` class (`pod has unbound immediate PersistentVolumeClaims`).
//! - Filter, per node: a ReadWriteOncePod claim already used by a scheduled pod (any node), a
//!   bound volume whose node affinity excludes the node, an unbound `WaitForFirstConsumer` claim
//!   that no Available volume on that node fits and whose class cannot provision.
//! - PreBind: a `WaitForFirstConsumer` claim gets `volume.kubernetes.io/selected-node`; the pod
//!   is bound to that node only once the persistentvolume-controller has bound the claim.

use super::scheduler::term_matches;
use super::volume::{self, ANN_BIND_COMPLETED, ANN_SELECTED_NODE};
use crate::podutil;
use crate::store::{Key, Store};
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;

pub const ERR_RWOP_CONFLICT: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";
pub const ERR_NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
pub const ERR_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
pub const ERR_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
/// The provisioner name that means "static volumes only".
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// The claims a pod uses, sorted out by PreFilter.
#[derive(Debug, Clone, Default)]
pub struct PodClaims<'a> {
    /// Fully bound claims with their volumes.
    pub bound: Vec<(&'a PersistentVolumeClaim, Option<&'a PersistentVolume>)>,
    /// Unbound claims of a `WaitForFirstConsumer` class.
    pub delayed: Vec<(&'a PersistentVolumeClaim, Option<&'a StorageClass>)>,
    /// ReadWriteOncePod claims already used by another scheduled pod.
    pub rwop_in_use: Vec<(&'a str, &'a Pod)>,
    /// The node a `WaitForFirstConsumer` claim was promised to while no scheduled pod uses it
    /// yet: this pod is the consumer waiting in PreBind.
    pub promised_node: Option<&'a str>,
}

impl PodClaims<'_> {
    pub fn selected_node(&self) -> Option<&str> {
        self.promised_node
    }
}

fn ann<'a>(c: &'a PersistentVolumeClaim, k: &str) -> Option<&'a str> {
    c.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(k))
        .map(String::as_str)
}

/// Claim names of a pod's `persistentVolumeClaim` volumes, in spec order.
pub fn claim_names(pod: &Pod) -> Vec<&str> {
    claims_of(pod).collect()
}

fn claims_of(pod: &Pod) -> impl Iterator<Item = &str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| c.claim_name.as_str())
}

/// Whether the pod mounts the claim `name` (of its own namespace). Controllers ask this of
/// every pod in a namespace, so it lists nothing.
pub fn uses_claim(pod: &Pod, name: &str) -> bool {
    claims_of(pod).any(|c| c == name)
}

/// Whether the pod mounts any claim.
pub fn uses_claims(pod: &Pod) -> bool {
    claims_of(pod).next().is_some()
}

/// `isPVCFullyBound`: `spec.volumeName` set and the bind-completed annotation present.
pub fn fully_bound(c: &PersistentVolumeClaim) -> bool {
    c.spec
        .as_ref()
        .and_then(|s| s.volume_name.as_deref())
        .is_some_and(|v| !v.is_empty())
        && ann(c, ANN_BIND_COMPLETED).is_some()
}

fn has_mode(c: &PersistentVolumeClaim, mode: &str) -> bool {
    c.spec
        .as_ref()
        .and_then(|s| s.access_modes.as_ref())
        .is_some_and(|m| m.iter().any(|x| x == mode))
}

/// The first pod of namespace `ns`, other than the pod with `uid`, that is bound to a node and
/// mounts the claim `name`.
fn bound_user<'a>(store: &'a Store, ns: &'a str, uid: Option<&str>, name: &str) -> Option<&'a Pod> {
    store.pods.in_namespace(ns).find(|p| {
        p.metadata.uid.as_deref() != uid && podutil::node_name(p).is_some() && uses_claim(p, name)
    })
}

/// VolumeRestrictions and VolumeBinding PreFilter: the pod's claims, or the message that
/// rejects the pod on every node.
pub fn pre_filter<'a>(store: &'a Store, pod: &'a Pod) -> Result<PodClaims<'a>, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let names = claim_names(pod);
    let mut claims = Vec::new();
    // VolumeRestrictions: every claim must exist to read its access modes.
    for n in &names {
        match store.persistentvolumeclaims.get(&Key::new(ns, *n)) {
            Some(c) => claims.push(c),
            None => return Err(format!("persistentvolumeclaim {n:?} not found")),
        }
    }
    let mut out = PodClaims::default();
    let uid = pod.metadata.uid.as_deref();
    for c in &claims {
        if has_mode(c, "ReadWriteOncePod") {
            let name = c.metadata.name.as_deref().unwrap_or_default();
            if let Some(user) = bound_user(store, ns, uid, name) {
                out.rwop_in_use.push((name, user));
            }
        }
    }
    // VolumeBinding (podHasPVCs, then GetPodVolumeClaims).
    for c in &claims {
        let name = c.metadata.name.as_deref().unwrap_or_default();
        if volume::claim_phase(c) == "Lost" {
            return Err(format!(
                "persistentvolumeclaim {name:?} bound to non-existent persistentvolume {:?}",
                c.spec
                    .as_ref()
                    .and_then(|s| s.volume_name.clone())
                    .unwrap_or_default()
            ));
        }
        if c.metadata.deletion_timestamp.is_some() {
            return Err(format!("persistentvolumeclaim {name:?} is being deleted"));
        }
    }
    let mut unbound_immediate = false;
    for c in &claims {
        let name = c.metadata.name.as_deref().unwrap_or_default();
        if out.promised_node.is_none() && bound_user(store, ns, uid, name).is_none() {
            out.promised_node = ann(c, ANN_SELECTED_NODE);
        }
    }
    for c in claims {
        if fully_bound(c) {
            let pv = c
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.as_deref())
                .and_then(|v| store.persistentvolumes.get(&Key::cluster(v)));
            out.bound.push((c, pv));
            continue;
        }
        let class = volume::claim_class(c)
            .filter(|n| !n.is_empty())
            .and_then(|n| store.storageclasses.get(&Key::cluster(n)));
        let delay = class
            .is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"));
        if delay {
            out.delayed.push((c, class));
        } else {
            unbound_immediate = true;
        }
    }
    if unbound_immediate {
        return Err(ERR_UNBOUND_IMMEDIATE.into());
    }
    Ok(out)
}

/// Whether a volume's required node affinity admits a node (`CheckNodeAffinity`).
pub fn volume_fits_node(pv: &PersistentVolume, node: &Node) -> bool {
    let required = pv
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref());
    match required {
        Some(sel) => sel
            .node_selector_terms
            .iter()
            .any(|t| term_matches(t, node)),
        None => true,
    }
}

/// VolumeRestrictions and VolumeBinding Filter for one node: the failing reason, if any, and
/// whether preemption could help (only the ReadWriteOncePod conflict is `Unschedulable`).
pub fn filter(store: &Store, claims: &PodClaims, node: &Node) -> Option<(String, bool)> {
    if !claims.rwop_in_use.is_empty() {
        return Some((ERR_RWOP_CONFLICT.into(), true));
    }
    for (_, pv) in &claims.bound {
        if pv.is_some_and(|pv| !volume_fits_node(pv, node)) {
            return Some((ERR_NODE_CONFLICT.into(), false));
        }
    }
    for (c, class) in &claims.delayed {
        if !delayed_claim_fits(store, c, *class, node) {
            return Some((ERR_BIND_CONFLICT.into(), false));
        }
    }
    None
}

/// An unbound `WaitForFirstConsumer` claim can be satisfied on a node by an Available volume
/// that fits it and the node, or by provisioning (`findMatchingVolumes`,
/// `checkVolumeProvisions`).
fn delayed_claim_fits(
    store: &Store,
    c: &PersistentVolumeClaim,
    class: Option<&StorageClass>,
    node: &Node,
) -> bool {
    let static_fit = store.persistentvolumes.iter().any(|pv| {
        pv.metadata.deletion_timestamp.is_none()
            && pv
                .spec
                .as_ref()
                .and_then(|s| s.claim_ref.as_ref())
                .is_none()
            && volume::volume_phase(pv) == "Available"
            && volume::volume_fits(pv, c)
            && volume_fits_node(pv, node)
    });
    if static_fit {
        return true;
    }
    let Some(sc) = class else {
        return false;
    };
    if sc.provisioner == NO_PROVISIONER {
        return false;
    }
    match &sc.allowed_topologies {
        Some(terms) if !terms.is_empty() => {
            let labels = node.metadata.labels.clone().unwrap_or_default();
            terms.iter().any(|t| {
                t.match_label_expressions.iter().flatten().all(|e| {
                    labels
                        .get(&e.key)
                        .is_some_and(|v| e.values.iter().any(|x| x == v))
                })
            })
        }
        _ => true,
    }
}

/// A human explanation of a volume reason for one node (used by `sim why`).
pub fn explain(claims: &PodClaims, reason: &str, node: &Node) -> String {
    let node_name = node.metadata.name.clone().unwrap_or_default();
    if reason == ERR_RWOP_CONFLICT {
        let (claim, user) = claims.rwop_in_use[0];
        return format!(
            "claim {claim} is ReadWriteOncePod and pod {} already uses it",
            user.metadata.name.clone().unwrap_or_default()
        );
    }
    if reason == ERR_NODE_CONFLICT {
        let names: Vec<String> = claims
            .bound
            .iter()
            .filter_map(|(c, pv)| {
                pv.filter(|pv| !volume_fits_node(pv, node))
                    .map(|pv| (c, pv))
            })
            .map(|(c, pv)| {
                format!(
                    "volume {} (claim {}) may only be used on nodes its node affinity selects",
                    pv.metadata.name.clone().unwrap_or_default(),
                    c.metadata.name.clone().unwrap_or_default()
                )
            })
            .collect();
        return names.join(", ");
    }
    if reason == ERR_BIND_CONFLICT {
        let names: Vec<String> = claims
            .delayed
            .iter()
            .map(|(c, _)| c.metadata.name.clone().unwrap_or_default())
            .collect();
        return format!(
            "no Available volume on {node_name} fits claim(s) {} and their class cannot provision one",
            names.join(", ")
        );
    }
    reason.to_string()
}
