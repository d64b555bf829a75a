//! The PersistentVolume controller (`pkg/controller/volume/persistentvolume/pv_controller.go`)
//! and the simulation's own volume provisioner.
//!
//! Claims and volumes are synced separately, as upstream's `syncClaim` and `syncVolume`: a
//! claim's key is namespaced and a volume's is not, so one component serves both. A claim binds
//! to the smallest Available volume that fits ([`find_best_match`]), or to a volume pre-bound to
//! it; otherwise a class whose provisioner the simulation owns provisions `pvc-<uid>` after
//! [`PROVISION_DELAY`]. Deleting a bound claim releases its volume; the reclaim policy then
//! deletes it (after [`RECLAIM_DELAY`]) or keeps it Released.
//!
//! `WaitForFirstConsumer` claims stay Pending until the scheduler places a pod using them and
//! sets the `volume.kubernetes.io/selected-node` annotation ([`ANN_SELECTED_NODE`]); then the
//! claim is provisioned (from when that pod was created) or bound as an Immediate one.

use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::labels::Selector;
use crate::quantity;
use crate::store::{Key, Kind, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::{
    ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus,
    PersistentVolumeSpec, PersistentVolumeStatus, Pod,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The provisioner the simulation runs (a host-path provisioner, like kind's `rancher.io/local-path`).
pub const PROVISIONER: &str = "kubeplay.dev/hostpath";
pub const ANN_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
pub const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";

/// How long the provisioner takes to create a volume, from when the claim and its class both
/// exist.
pub const PROVISION_DELAY: Dur = Dur::ms(1500);
/// How long deleting a released volume's backing storage takes.
pub const RECLAIM_DELAY: Dur = Dur::secs(1);

fn ann<'a>(meta: &'a ObjectMeta, k: &str) -> Option<&'a str> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(k))
        .map(String::as_str)
}

fn set_ann(meta: &mut ObjectMeta, k: &str, v: &str) {
    meta.annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(k.into(), v.into());
}

fn has_finalizer(meta: &ObjectMeta, f: &str) -> bool {
    meta.finalizers.iter().flatten().any(|x| x == f)
}

fn without_finalizer(meta: &mut ObjectMeta, f: &str) {
    if let Some(fs) = meta.finalizers.as_mut() {
        fs.retain(|x| x != f);
        if fs.is_empty() {
            meta.finalizers = None;
        }
    }
}

/// The storage a claim requests, in bytes (0 when missing or invalid; validation refuses both).
pub fn claim_request(pvc: &PersistentVolumeClaim) -> i64 {
    pvc.spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| quantity::bytes(&q.0).ok())
        .unwrap_or(0)
}

/// A volume's capacity in bytes.
pub fn volume_capacity(pv: &PersistentVolume) -> i64 {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| quantity::bytes(&q.0).ok())
        .unwrap_or(0)
}

/// A claim's class: `None` when unset, `Some("")` for an explicit "no class".
pub fn claim_class(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
}

/// A volume's class ("" when none).
pub fn volume_class(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .unwrap_or("")
}

pub fn claim_phase(pvc: &PersistentVolumeClaim) -> &str {
    pvc.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

pub fn volume_phase(pv: &PersistentVolume) -> &str {
    pv.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

fn claim_volume_name(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_name.as_deref())
        .filter(|v| !v.is_empty())
}

fn claim_ref(pv: &PersistentVolume) -> Option<&ObjectReference> {
    pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref())
}

fn access_modes(modes: Option<&Vec<String>>) -> Vec<String> {
    modes.cloned().unwrap_or_default()
}

/// The CAPACITY and ACCESS MODES cells kubectl shows for a claim: from its status, and empty
/// until it is Bound.
pub fn bound_claim_cells(c: &PersistentVolumeClaim) -> (String, String) {
    let Some(st) = c
        .status
        .as_ref()
        .filter(|st| st.phase.as_deref() == Some("Bound"))
    else {
        return (String::new(), String::new());
    };
    let capacity = st
        .capacity
        .as_ref()
        .and_then(|m| m.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_default();
    (capacity, access_modes_column(st.access_modes.as_ref()))
}

/// `RWO,ROX,RWX,RWOP`: kubectl's abbreviations, in that order.
pub fn access_modes_column(modes: Option<&Vec<String>>) -> String {
    let m = access_modes(modes);
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(full, _)| m.iter().any(|x| x == full))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// The default class (`is-default-class: "true"`); with several, the newest, then by name, as
/// the DefaultStorageClass admission plugin picks since 1.28.
pub fn default_class(store: &Store) -> Option<&StorageClass> {
    store
        .storageclasses
        .iter()
        .filter(|c| ann(&c.metadata, ANN_DEFAULT_CLASS) == Some("true"))
        .max_by_key(|c| {
            (
                c.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(SimTime::from_k8s),
                std::cmp::Reverse(c.metadata.name.clone()),
            )
        })
}

pub fn is_default_class(c: &StorageClass) -> bool {
    ann(&c.metadata, ANN_DEFAULT_CLASS) == Some("true")
}

/// Whether a volume pre-bound by `claimRef` names this claim (uid too, when it has one).
fn prebound_to(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> bool {
    claim_ref(pv).is_some_and(|r| {
        r.name.as_deref() == pvc.metadata.name.as_deref()
            && r.namespace.as_deref() == pvc.metadata.namespace.as_deref()
            && r.uid
                .as_deref()
                .is_none_or(|u| u.is_empty() || Some(u) == pvc.metadata.uid.as_deref())
    })
}

/// Whether a free volume satisfies a claim: class, access modes ⊇ requested, capacity ≥
/// request, volume mode, selector (`checkVolumeSatisfyClaim` and `FindMatchingVolume`).
pub fn volume_fits(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> bool {
    let (spec, pv_spec) = (pvc.spec.as_ref(), pv.spec.as_ref());
    if volume_class(pv) != claim_class(pvc).unwrap_or("") {
        return false;
    }
    let have = pv_spec
        .and_then(|s| s.access_modes.as_deref())
        .unwrap_or_default();
    let want = spec
        .and_then(|s| s.access_modes.as_deref())
        .unwrap_or_default();
    if !want.iter().all(|m| have.contains(m)) {
        return false;
    }
    if volume_capacity(pv) < claim_request(pvc) {
        return false;
    }
    let pv_mode = pv_spec.and_then(|s| s.volume_mode.as_deref());
    let claim_mode = spec.and_then(|s| s.volume_mode.as_deref());
    if pv_mode.unwrap_or("Filesystem") != claim_mode.unwrap_or("Filesystem") {
        return false;
    }
    match spec.and_then(|s| s.selector.as_ref()) {
        Some(sel) => Selector::from_label_selector(sel)
            .is_ok_and(|s| s.matches_opt(pv.metadata.labels.as_ref())),
        None => true,
    }
}

/// `FindMatchingVolume`: a volume pre-bound to the claim if one fits, else the smallest
/// Available unclaimed volume that fits (ties by name).
pub fn find_best_match<'a>(
    volumes: impl Iterator<Item = &'a PersistentVolume>,
    pvc: &PersistentVolumeClaim,
) -> Option<&'a PersistentVolume> {
    let mut best: Option<&PersistentVolume> = None;
    // The cheap tests first: in a cluster of provisioned volumes nearly every one is bound
    // to another claim, and a claim's sync looks at all of them.
    for pv in volumes {
        if pv.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if claim_ref(pv).is_some() {
            if prebound_to(pv, pvc) && volume_fits(pv, pvc) {
                return Some(pv);
            }
            continue;
        }
        if volume_phase(pv) != "Available" && volume_phase(pv) != "Pending" {
            continue;
        }
        if !volume_fits(pv, pvc) {
            continue;
        }
        if best.is_none_or(|b| volume_capacity(pv) < volume_capacity(b)) {
            best = Some(pv);
        }
    }
    best
}

/// Pods that use a claim and have not finished: what `kubernetes.io/pvc-protection` waits for.
pub fn pods_using_claim<'a>(store: &'a Store, pvc: &'a PersistentVolumeClaim) -> Vec<&'a Pod> {
    let ns = pvc.metadata.namespace.as_deref().unwrap_or_default();
    let name = pvc.metadata.name.as_deref();
    store
        .pods
        .in_namespace(ns)
        .filter(|p| !crate::podutil::is_terminal(p))
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .into_iter()
                .flatten()
                .any(|v| {
                    v.persistent_volume_claim
                        .as_ref()
                        .is_some_and(|c| Some(c.claim_name.as_str()) == name)
                })
        })
        .collect()
}

fn claim_event(pvc: &PersistentVolumeClaim, warning: bool, reason: &str, msg: String) -> Action {
    let r = Regarding::of(Kind::PersistentVolumeClaim, &pvc.metadata);
    Action::Event(if warning {
        EventRecord::warning(r, Component::PersistentVolumeController, reason, msg)
    } else {
        EventRecord::normal(r, Component::PersistentVolumeController, reason, msg)
    })
}

fn with_claim_phase(
    pvc: &PersistentVolumeClaim,
    phase: &str,
    pv: Option<&PersistentVolume>,
) -> PersistentVolumeClaim {
    let mut c = pvc.clone();
    let st = c
        .status
        .get_or_insert_with(PersistentVolumeClaimStatus::default);
    st.phase = Some(phase.into());
    if let Some(pv) = pv {
        let spec = pv.spec.clone().unwrap_or_default();
        st.access_modes = spec.access_modes.clone();
        st.capacity = spec.capacity.clone();
    } else if phase == "Pending" {
        st.access_modes = None;
        st.capacity = None;
    }
    c
}

fn with_volume_phase(pv: &PersistentVolume, phase: &str, now: SimTime) -> PersistentVolume {
    let mut v = pv.clone();
    let st = v.status.get_or_insert_with(PersistentVolumeStatus::default);
    if st.phase.as_deref() != Some(phase) {
        st.phase = Some(phase.into());
        st.last_phase_transition_time = Some(now.to_k8s());
    }
    v
}

/// `syncClaim` (claims) or `syncVolume` (volumes): a volume's key has no namespace.
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    if key.namespace.is_empty() {
        sync_volume(store, key, now)
    } else {
        sync_claim(store, key, now)
    }
}

/// `syncClaim`: finish a deletion, keep a bound claim bound (or Lost), bind or provision an
/// unbound one.
pub fn sync_claim(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(pvc) = store.persistentvolumeclaims.get(key) else {
        return out;
    };
    if pvc.metadata.deletion_timestamp.is_some() {
        // pvc-protection: the claim goes once no pod uses it.
        if has_finalizer(&pvc.metadata, PVC_PROTECTION) && pods_using_claim(store, pvc).is_empty() {
            let mut c = pvc.clone();
            without_finalizer(&mut c.metadata, PVC_PROTECTION);
            out.push(Action::Update(Object::PersistentVolumeClaim(c)));
        }
        return out;
    }
    if let Some(vname) = claim_volume_name(pvc) {
        return sync_bound_claim(store, pvc, vname, now);
    }
    if let Some(pv) = find_best_match(store.persistentvolumes.iter(), pvc) {
        bind(&mut out, pvc, pv, now);
        return out;
    }
    let base = with_claim_phase(pvc, "Pending", None);
    if base.status != pvc.status {
        out.push(Action::UpdateStatus(Object::PersistentVolumeClaim(
            base.clone(),
        )));
    }
    let pvc = &base;
    match claim_class(pvc).filter(|c| !c.is_empty()) {
        None => out.push(claim_event(
            pvc,
            false,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set".into(),
        )),
        Some(class) => match store.storageclasses.get(&Key::cluster(class)) {
            None => out.push(claim_event(
                pvc,
                true,
                "ProvisioningFailed",
                format!("storageclass.storage.k8s.io {class:?} not found"),
            )),
            Some(sc) => provision(&mut out, store, pvc, sc, now),
        },
    }
    out
}

/// An unbound claim of an existing class with no volume to bind: wait for a consumer, or
/// provision.
fn provision(
    out: &mut Reconcile,
    store: &Store,
    pvc: &PersistentVolumeClaim,
    sc: &StorageClass,
    now: SimTime,
) {
    let wait = sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer");
    if wait && ann(&pvc.metadata, ANN_SELECTED_NODE).is_none() {
        out.push(claim_event(
            pvc,
            false,
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding".into(),
        ));
        return;
    }
    if sc.provisioner != PROVISIONER {
        out.push(claim_event(pvc, false, "ExternalProvisioning", format!("Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", sc.provisioner)));
        return;
    }
    if ann(&pvc.metadata, ANN_STORAGE_PROVISIONER) != Some(PROVISIONER) {
        let mut c = pvc.clone();
        set_ann(&mut c.metadata, ANN_STORAGE_PROVISIONER, PROVISIONER);
        set_ann(&mut c.metadata, ANN_BETA_STORAGE_PROVISIONER, PROVISIONER);
        out.push(Action::Update(Object::PersistentVolumeClaim(c)));
        out.push(claim_event(pvc, false, "ExternalProvisioning", format!("Waiting for a volume to be created either by the external provisioner '{PROVISIONER}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.")));
    }
    let uid = pvc.metadata.uid.clone().unwrap_or_default();
    let name = format!("pvc-{uid}");
    if store
        .persistentvolumes
        .get(&Key::cluster(name.clone()))
        .is_some()
    {
        return;
    }
    // Provisioning starts when both the claim and its class exist.
    let created = |m: &ObjectMeta| {
        m.creation_timestamp
            .as_ref()
            .map(SimTime::from_k8s)
            .unwrap_or(now)
    };
    // A WaitForFirstConsumer claim also waits for its first consumer (the scheduler marks it
    // with the selected node when that pod is placed).
    let consumer = if wait {
        pods_using_claim(store, pvc)
            .iter()
            .map(|p| created(&p.metadata))
            .min()
            .unwrap_or(now)
    } else {
        SimTime(0)
    };
    let ready = created(&pvc.metadata)
        .max(created(&sc.metadata))
        .max(consumer)
        + PROVISION_DELAY;
    if now < ready {
        out.requeue(ready.since(now));
        return;
    }
    let spec = pvc.spec.clone().unwrap_or_default();
    let request = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .cloned()
        .unwrap_or_else(|| Quantity("0".into()));
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            annotations: Some([(ANN_PROVISIONED_BY.to_string(), PROVISIONER.to_string())].into()),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: Some([("storage".to_string(), request)].into()),
            claim_ref: Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                name: pvc.metadata.name.clone(),
                namespace: pvc.metadata.namespace.clone(),
                uid: pvc.metadata.uid.clone(),
                resource_version: pvc.metadata.resource_version.clone(),
                ..Default::default()
            }),
            persistent_volume_reclaim_policy: Some(
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
            ),
            storage_class_name: pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone()),
            volume_mode: Some(spec.volume_mode.unwrap_or_else(|| "Filesystem".into())),
            host_path: Some(k8s_openapi::api::core::v1::HostPathVolumeSource {
                path: format!(
                    "/var/local-path-provisioner/{name}_{}_{}",
                    pvc.metadata.namespace.as_deref().unwrap_or_default(),
                    pvc.metadata.name.as_deref().unwrap_or_default()
                ),
                type_: Some("DirectoryOrCreate".into()),
            }),
            ..Default::default()
        }),
        status: Some(PersistentVolumeStatus {
            phase: Some("Pending".into()),
            last_phase_transition_time: Some(now.to_k8s()),
            ..Default::default()
        }),
    };
    let r = Regarding::of(Kind::PersistentVolumeClaim, &pvc.metadata);
    out.push(Action::Create {
        object: Object::PersistentVolume(pv),
        event: Some(EventRecord::normal(
            r,
            Component::Provisioner,
            "ProvisioningSucceeded",
            format!("Successfully provisioned volume {name}"),
        )),
    });
}

/// `bind`: the volume first (claimRef, then its phase), then the claim (volumeName, then its
/// phase), as upstream writes them.
fn bind(out: &mut Reconcile, pvc: &PersistentVolumeClaim, pv: &PersistentVolume, now: SimTime) {
    let mut v = pv.clone();
    let spec = v.spec.get_or_insert_with(Default::default);
    let by_controller = spec.claim_ref.is_none();
    spec.claim_ref = Some(ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: pvc.metadata.name.clone(),
        namespace: pvc.metadata.namespace.clone(),
        uid: pvc.metadata.uid.clone(),
        resource_version: pvc.metadata.resource_version.clone(),
        ..Default::default()
    });
    if by_controller {
        set_ann(&mut v.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
    }
    out.push(Action::Update(Object::PersistentVolume(v.clone())));
    let v = with_volume_phase(&v, "Bound", now);
    out.push(Action::UpdateStatus(Object::PersistentVolume(v.clone())));
    let mut c = pvc.clone();
    c.spec.get_or_insert_with(Default::default).volume_name = v.metadata.name.clone();
    set_ann(&mut c.metadata, ANN_BIND_COMPLETED, "yes");
    set_ann(&mut c.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
    out.push(Action::Update(Object::PersistentVolumeClaim(c.clone())));
    out.push(Action::UpdateStatus(Object::PersistentVolumeClaim(
        with_claim_phase(&c, "Bound", Some(&v)),
    )));
}

/// A claim with `spec.volumeName`: bound (or binding, when pre-bound by the user) or Lost.
fn sync_bound_claim(
    store: &Store,
    pvc: &PersistentVolumeClaim,
    vname: &str,
    now: SimTime,
) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(pv) = store.persistentvolumes.get(&Key::cluster(vname)) else {
        if claim_phase(pvc) == "Bound" {
            out.push(Action::UpdateStatus(Object::PersistentVolumeClaim(
                with_claim_phase(pvc, "Lost", None),
            )));
            out.push(claim_event(
                pvc,
                true,
                "ClaimLost",
                "Bound claim has lost its PersistentVolume. Data on the volume is lost!".into(),
            ));
        } else if claim_phase(pvc) != "Lost" {
            out.push(Action::UpdateStatus(Object::PersistentVolumeClaim(
                with_claim_phase(pvc, "Pending", None),
            )));
            out.push(claim_event(
                pvc,
                false,
                "FailedBinding",
                format!("volume {vname:?} not found"),
            ));
        }
        return out;
    };
    match claim_ref(pv) {
        Some(r)
            if r.uid.as_deref() == pvc.metadata.uid.as_deref()
                && claim_request(pvc) > volume_capacity(pv) =>
        {
            // Expansion (admitted only for classes that allow it): the resizer grows the
            // volume; the claim's status follows on the next pass.
            let mut v = pv.clone();
            let request = pvc
                .spec
                .as_ref()
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .cloned();
            if let (Some(q), Some(spec)) = (request, v.spec.as_mut()) {
                spec.capacity
                    .get_or_insert_with(BTreeMap::new)
                    .insert("storage".into(), q);
                out.push(Action::Update(Object::PersistentVolume(v)));
            }
        }
        Some(r) if r.uid.as_deref() == pvc.metadata.uid.as_deref() => {
            // Bound both ways: make sure the claim says so.
            let want = with_claim_phase(pvc, "Bound", Some(pv));
            let mut want = want;
            set_ann(&mut want.metadata, ANN_BIND_COMPLETED, "yes");
            if want.metadata != pvc.metadata {
                out.push(Action::Update(Object::PersistentVolumeClaim(want.clone())));
            }
            if want.status != pvc.status {
                out.push(Action::UpdateStatus(Object::PersistentVolumeClaim(want)));
            }
        }
        None if volume_fits(pv, pvc) || claim_class(pvc).is_none() => {
            // The user pre-bound the claim to a free volume: complete the volume side.
            let mut v = pv.clone();
            v.spec.get_or_insert_with(Default::default).claim_ref = Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                name: pvc.metadata.name.clone(),
                namespace: pvc.metadata.namespace.clone(),
                uid: pvc.metadata.uid.clone(),
                resource_version: pvc.metadata.resource_version.clone(),
                ..Default::default()
            });
            set_ann(&mut v.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
            out.push(Action::Update(Object::PersistentVolume(v.clone())));
            out.push(Action::UpdateStatus(Object::PersistentVolume(
                with_volume_phase(&v, "Bound", now),
            )));
        }
        _ => {
            // The volume belongs to another claim (or does not fit): wait.
            if claim_phase(pvc) != "Pending" || pvc.status.is_none() {
                out.push(Action::UpdateStatus(Object::PersistentVolumeClaim(
                    with_claim_phase(pvc, "Pending", None),
                )));
            }
            out.push(claim_event(
                pvc,
                false,
                "FailedBinding",
                format!("volume {vname:?} already bound to a different claim."),
            ));
        }
    }
    out
}

/// `syncVolume`: phase from the claim it points to, reclaim of released volumes,
/// `pv-protection`.
pub fn sync_volume(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(pv) = store.persistentvolumes.get(key) else {
        return out;
    };
    let claim = claim_ref(pv).and_then(|r| {
        let k = Key::new(
            r.namespace.clone().unwrap_or_default(),
            r.name.clone().unwrap_or_default(),
        );
        store.persistentvolumeclaims.get(&k).filter(|c| {
            r.uid
                .as_deref()
                .is_none_or(|u| u.is_empty() || Some(u) == c.metadata.uid.as_deref())
        })
    });
    let bound = claim.is_some_and(|c| claim_volume_name(c) == pv.metadata.name.as_deref());
    if pv.metadata.deletion_timestamp.is_some() {
        // pv-protection: a volume goes once no claim is bound to it.
        if has_finalizer(&pv.metadata, PV_PROTECTION) && !bound {
            let mut v = pv.clone();
            without_finalizer(&mut v.metadata, PV_PROTECTION);
            out.push(Action::Update(Object::PersistentVolume(v)));
        }
        return out;
    }
    let Some(r) = claim_ref(pv) else {
        if volume_phase(pv) != "Available" {
            out.push(Action::UpdateStatus(Object::PersistentVolume(
                with_volume_phase(pv, "Available", now),
            )));
        }
        return out;
    };
    let has_uid = r.uid.as_deref().is_some_and(|u| !u.is_empty());
    if !has_uid {
        // Pre-bound by the administrator to a claim that has not bound yet.
        if volume_phase(pv) != "Available" {
            out.push(Action::UpdateStatus(Object::PersistentVolume(
                with_volume_phase(pv, "Available", now),
            )));
        }
        return out;
    }
    if let Some(c) = claim {
        if bound && volume_phase(pv) != "Bound" {
            out.push(Action::UpdateStatus(Object::PersistentVolume(
                with_volume_phase(pv, "Bound", now),
            )));
        }
        if !bound
            && claim_volume_name(c).is_some()
            && ann(&pv.metadata, ANN_BOUND_BY_CONTROLLER).is_some()
        {
            // The claim went to another volume: this one is free again.
            let mut v = pv.clone();
            v.spec.get_or_insert_with(Default::default).claim_ref = None;
            out.push(Action::Update(Object::PersistentVolume(v.clone())));
            out.push(Action::UpdateStatus(Object::PersistentVolume(
                with_volume_phase(&v, "Available", now),
            )));
        }
        return out;
    }
    // The claim is gone: released, then reclaimed.
    if volume_phase(pv) != "Released" && volume_phase(pv) != "Failed" {
        out.push(Action::UpdateStatus(Object::PersistentVolume(
            with_volume_phase(pv, "Released", now),
        )));
        if reclaim_policy(pv) == "Delete" {
            out.requeue(RECLAIM_DELAY);
        }
        return out;
    }
    if volume_phase(pv) == "Released" && reclaim_policy(pv) == "Delete" {
        if ann(&pv.metadata, ANN_PROVISIONED_BY) != Some(PROVISIONER) {
            // `updateVolumePhaseWithEvent`: the message goes to status.message too.
            let name = pv.metadata.name.clone().unwrap_or_default();
            let mut failed = with_volume_phase(pv, "Failed", now);
            if let Some(st) = failed.status.as_mut() {
                st.message = Some(format!("error getting deleter volume plugin for volume {name:?}: no deletable volume plugin matched"));
            }
            out.push(Action::UpdateStatus(Object::PersistentVolume(failed)));
            out.push(Action::Event(EventRecord::warning(
                Regarding::of(Kind::PersistentVolume, &pv.metadata),
                Component::PersistentVolumeController,
                "VolumeFailedDelete",
                format!("error getting deleter volume plugin for volume {name:?}: no deletable volume plugin matched"),
            )));
            return out;
        }
        let since = pv
            .status
            .as_ref()
            .and_then(|s| s.last_phase_transition_time.as_ref())
            .map(SimTime::from_k8s)
            .unwrap_or(now);
        let due = since + RECLAIM_DELAY;
        if now < due {
            out.requeue(due.since(now));
            return out;
        }
        out.push(Action::Delete {
            kind: Kind::PersistentVolume,
            key: key.clone(),
            grace_seconds: None,
            propagation: Default::default(),
            event: None,
        });
    }
    out
}

fn reclaim_policy(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
        .unwrap_or("Retain")
}

/// The PersistentVolumeClaimResize admission plugin: a claim may only grow when it was
/// provisioned by a class that allows expansion.
pub fn admit_resize(
    store: &Store,
    old: &PersistentVolumeClaim,
    new: &PersistentVolumeClaim,
) -> Result<(), String> {
    if claim_request(new) <= claim_request(old) {
        return Ok(());
    }
    let expandable = claim_class(old)
        .filter(|c| !c.is_empty())
        .and_then(|c| store.storageclasses.get(&Key::cluster(c)))
        .is_some_and(|c| c.allow_volume_expansion == Some(true));
    if expandable {
        return Ok(());
    }
    let name = old.metadata.name.clone().unwrap_or_default();
    Err(format!("Error from server (Forbidden): persistentvolumeclaims {name:?} is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"))
}

/// Why a claim is Pending, in one sentence (for `sim why`).
pub fn why_pending(store: &Store, pvc: &PersistentVolumeClaim) -> String {
    let name = pvc.metadata.name.clone().unwrap_or_default();
    if pvc.metadata.deletion_timestamp.is_some() {
        let pods = pods_using_claim(store, pvc);
        return format!("persistentvolumeclaim/{name} is terminating and waits for {} pod(s) using it to finish (finalizer {PVC_PROTECTION}).", pods.len());
    }
    match claim_phase(pvc) {
        "Bound" => {
            return format!(
                "persistentvolumeclaim/{name} is Bound to persistentvolume/{}.",
                claim_volume_name(pvc).unwrap_or_default()
            )
        }
        "Lost" => {
            return format!(
                "persistentvolumeclaim/{name} is Lost: its volume {} no longer exists.",
                claim_volume_name(pvc).unwrap_or_default()
            )
        }
        _ => {}
    }
    if let Some(v) = claim_volume_name(pvc) {
        return format!("persistentvolumeclaim/{name} is Pending: it asks for volume {v}, which does not exist or is bound to another claim.");
    }
    match claim_class(pvc).filter(|c| !c.is_empty()) {
        None => format!("persistentvolumeclaim/{name} is Pending: no Available persistent volume without a storage class fits it (access modes, capacity, selector) and no storage class is set to provision one."),
        Some(class) => match store.storageclasses.get(&Key::cluster(class)) {
            None => format!("persistentvolumeclaim/{name} is Pending: storage class {class:?} does not exist; create it and the claim will be provisioned."),
            Some(sc) if sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer") => format!("persistentvolumeclaim/{name} is Pending: storage class {class:?} waits for the first pod using the claim to be scheduled before binding (volumeBindingMode WaitForFirstConsumer)."),
            Some(sc) if sc.provisioner != PROVISIONER => format!("persistentvolumeclaim/{name} is Pending: storage class {class:?} uses provisioner {:?}, which does not run in this cluster, and no Available volume fits.", sc.provisioner),
            Some(_) => format!("persistentvolumeclaim/{name} is Pending: the {PROVISIONER} provisioner is creating its volume."),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PersistentVolumeClaimSpec, VolumeResourceRequirements};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    fn pv(
        name: &str,
        size: &str,
        modes: &[&str],
        class: Option<&str>,
        labels: &[(&str, &str)],
    ) -> PersistentVolume {
        PersistentVolume {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            spec: Some(PersistentVolumeSpec {
                capacity: Some([("storage".to_string(), Quantity(size.into()))].into()),
                access_modes: Some(modes.iter().map(|m| m.to_string()).collect()),
                storage_class_name: class.map(String::from),
                ..Default::default()
            }),
            status: Some(PersistentVolumeStatus {
                phase: Some("Available".into()),
                ..Default::default()
            }),
        }
    }

    fn pvc(
        size: &str,
        modes: &[&str],
        class: Option<&str>,
        selector: Option<(&str, &str)>,
    ) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some("data".into()),
                namespace: Some("default".into()),
                uid: Some("u1".into()),
                ..Default::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(modes.iter().map(|m| m.to_string()).collect()),
                resources: Some(VolumeResourceRequirements {
                    requests: Some([("storage".to_string(), Quantity(size.into()))].into()),
                    ..Default::default()
                }),
                storage_class_name: class.map(String::from),
                selector: selector.map(|(k, v)| LabelSelector {
                    match_labels: Some([(k.to_string(), v.to_string())].into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            status: None,
        }
    }

    const RWO: &str = "ReadWriteOnce";
    const RWX: &str = "ReadWriteMany";

    #[test]
    fn find_best_match_picks_the_smallest_fitting_volume() {
        let vols = [
            pv("big", "10Gi", &[RWO], Some(""), &[]),
            pv("small", "1Gi", &[RWO], Some(""), &[]),
            pv("exact", "2Gi", &[RWO], Some(""), &[]),
            pv("rwx", "2Gi", &[RWO, RWX], Some(""), &[("tier", "fast")]),
            pv("classed", "2Gi", &[RWO], Some("standard"), &[]),
            pv("noclass", "3Gi", &[RWO], None, &[]),
        ];
        #[allow(clippy::type_complexity)]
        let cases: &[(&str, PersistentVolumeClaim, Option<&str>)] = &[
            (
                "smallest that fits wins",
                pvc("2Gi", &[RWO], Some(""), None),
                Some("exact"),
            ),
            (
                "tiny request takes the smallest",
                pvc("500Mi", &[RWO], Some(""), None),
                Some("small"),
            ),
            (
                "access modes must be a superset",
                pvc("1Gi", &[RWX], Some(""), None),
                Some("rwx"),
            ),
            (
                "selector filters by labels",
                pvc("1Gi", &[RWO], Some(""), Some(("tier", "fast"))),
                Some("rwx"),
            ),
            (
                "selector with no match",
                pvc("1Gi", &[RWO], Some(""), Some(("tier", "slow"))),
                None,
            ),
            (
                "too large for all",
                pvc("20Gi", &[RWO], Some(""), None),
                None,
            ),
            (
                "class must be equal",
                pvc("1Gi", &[RWO], Some("standard"), None),
                Some("classed"),
            ),
            (
                "unset class matches volumes without class",
                pvc("3Gi", &[RWO], None, None),
                Some("noclass"),
            ),
            (
                "empty class matches volumes without class",
                pvc("3Gi", &[RWO], Some(""), None),
                Some("noclass"),
            ),
            (
                "unknown class matches nothing",
                pvc("1Gi", &[RWO], Some("fast"), None),
                None,
            ),
        ];
        for (name, claim, want) in cases {
            let got = find_best_match(vols.iter(), claim).and_then(|v| v.metadata.name.as_deref());
            assert_eq!(got, *want, "{name}");
        }
    }

    #[test]
    fn prebound_volume_wins_and_is_refused_to_other_claims() {
        let mut reserved = pv("reserved", "5Gi", &[RWO], Some(""), &[]);
        reserved.spec.as_mut().unwrap().claim_ref = Some(ObjectReference {
            name: Some("data".into()),
            namespace: Some("default".into()),
            ..Default::default()
        });
        let vols = [pv("small", "1Gi", &[RWO], Some(""), &[]), reserved];
        let claim = pvc("1Gi", &[RWO], Some(""), None);
        assert_eq!(
            find_best_match(vols.iter(), &claim).and_then(|v| v.metadata.name.as_deref()),
            Some("reserved")
        );
        let mut other = claim.clone();
        other.metadata.name = Some("other".into());
        assert_eq!(
            find_best_match(vols.iter(), &other).and_then(|v| v.metadata.name.as_deref()),
            Some("small")
        );
    }

    #[test]
    fn access_modes_column_uses_kubectl_order() {
        let m = vec![
            "ReadWriteOncePod".to_string(),
            "ReadOnlyMany".into(),
            "ReadWriteOnce".into(),
        ];
        assert_eq!(access_modes_column(Some(&m)), "RWO,ROX,RWOP");
        assert_eq!(access_modes_column(None), "");
    }
}
