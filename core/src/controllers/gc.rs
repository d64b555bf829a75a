//! The garbage collector (`pkg/controller/garbagecollector`): deletes objects whose owners are
//! all gone, and finishes foreground and orphan deletions of owners.
//!
//! Dependents are found through the store's controller-owner index; the simulation routes a
//! deleted owner's uid to its dependents, and a dependent's deletion back to an owner that is
//! waiting in foreground deletion.

use super::{Action, Object, Reconcile};
use crate::store::{Key, Kind, ObjRef, Propagation, Store, FINALIZER_FOREGROUND, FINALIZER_ORPHAN};
use crate::time::SimTime;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn meta_of<'a>(store: &'a Store, r: &ObjRef) -> Option<&'a ObjectMeta> {
    match r.kind {
        Kind::Pod => store.pods.get(&r.key).map(|o| &o.metadata),
        Kind::ReplicaSet => store.replicasets.get(&r.key).map(|o| &o.metadata),
        Kind::Deployment => store.deployments.get(&r.key).map(|o| &o.metadata),
        Kind::Node => store.nodes.get(&r.key).map(|o| &o.metadata),
        Kind::Namespace => store.namespaces.get(&r.key).map(|o| &o.metadata),
        Kind::StorageClass => store.storageclasses.get(&r.key).map(|o| &o.metadata),
        Kind::PersistentVolume => store.persistentvolumes.get(&r.key).map(|o| &o.metadata),
        Kind::PersistentVolumeClaim => store
            .persistentvolumeclaims
            .get(&r.key)
            .map(|o| &o.metadata),
        Kind::Service => store.services.get(&r.key).map(|o| &o.metadata),
        Kind::Endpoints => store.endpoints.get(&r.key).map(|o| &o.metadata),
        Kind::EndpointSlice => store.endpointslices.get(&r.key).map(|o| &o.metadata),
        Kind::StatefulSet => store.statefulsets.get(&r.key).map(|o| &o.metadata),
        Kind::ControllerRevision => store.controllerrevisions.get(&r.key).map(|o| &o.metadata),
        Kind::PodDisruptionBudget => store.poddisruptionbudgets.get(&r.key).map(|o| &o.metadata),
        Kind::DaemonSet => store.daemonsets.get(&r.key).map(|o| &o.metadata),
        Kind::Event => None,
    }
}

/// Objects (of the kinds that have owners) whose controller owner has this uid.
pub fn dependents(store: &Store, uid: &str) -> Vec<ObjRef> {
    let mut out: Vec<ObjRef> = store
        .replicasets
        .owned_by(uid)
        .map(|o| ObjRef {
            kind: Kind::ReplicaSet,
            key: Key::of(&o.metadata),
        })
        .collect();
    out.extend(store.pods.owned_by(uid).map(|o| ObjRef {
        kind: Kind::Pod,
        key: Key::of(&o.metadata),
    }));
    out.extend(store.endpointslices.owned_by(uid).map(|o| ObjRef {
        kind: Kind::EndpointSlice,
        key: Key::of(&o.metadata),
    }));
    out.extend(store.controllerrevisions.owned_by(uid).map(|o| ObjRef {
        kind: Kind::ControllerRevision,
        key: Key::of(&o.metadata),
    }));
    // Claims a StatefulSet's retention policy handed to the set or to one of its pods.
    out.extend(store.persistentvolumeclaims.owned_by(uid).map(|o| ObjRef {
        kind: Kind::PersistentVolumeClaim,
        key: Key::of(&o.metadata),
    }));
    out
}

fn with_meta(store: &Store, r: &ObjRef, f: impl FnOnce(&mut ObjectMeta)) -> Option<Object> {
    let mut obj = match r.kind {
        Kind::Pod => Object::Pod(store.pods.get(&r.key)?.clone()),
        Kind::ReplicaSet => Object::ReplicaSet(store.replicasets.get(&r.key)?.clone()),
        Kind::Deployment => Object::Deployment(store.deployments.get(&r.key)?.clone()),
        Kind::StatefulSet => Object::StatefulSet(store.statefulsets.get(&r.key)?.clone()),
        Kind::DaemonSet => Object::DaemonSet(store.daemonsets.get(&r.key)?.clone()),
        Kind::ControllerRevision => {
            Object::ControllerRevision(store.controllerrevisions.get(&r.key)?.clone())
        }
        Kind::PersistentVolumeClaim => {
            Object::PersistentVolumeClaim(store.persistentvolumeclaims.get(&r.key)?.clone())
        }
        _ => return None,
    };
    f(obj.meta_mut());
    Some(obj)
}

/// One look at one object: as an owner being deleted, and as a dependent whose owners may be
/// gone.
pub fn reconcile(store: &Store, r: &ObjRef, _now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(meta) = meta_of(store, r) else {
        return out;
    };
    let uid = meta.uid.clone().unwrap_or_default();
    let finalizers = meta.finalizers.clone().unwrap_or_default();

    if meta.deletion_timestamp.is_some() && finalizers.iter().any(|f| f == FINALIZER_ORPHAN) {
        for dep in dependents(store, &uid) {
            if let Some(obj) = with_meta(store, &dep, |m| {
                if let Some(refs) = m.owner_references.as_mut() {
                    refs.retain(|o| o.uid != uid);
                    if refs.is_empty() {
                        m.owner_references = None;
                    }
                }
            }) {
                out.push(Action::Update(obj));
            }
        }
        if let Some(obj) = with_meta(store, r, |m| remove_finalizer(m, FINALIZER_ORPHAN)) {
            out.push(Action::Update(obj));
        }
        return out;
    }

    if meta.deletion_timestamp.is_some() && finalizers.iter().any(|f| f == FINALIZER_FOREGROUND) {
        let deps = dependents(store, &uid);
        if deps.is_empty() {
            if let Some(obj) = with_meta(store, r, |m| remove_finalizer(m, FINALIZER_FOREGROUND)) {
                out.push(Action::Update(obj));
            }
        }
        for dep in deps {
            let dm = meta_of(store, &dep);
            if dm.is_some_and(|m| m.deletion_timestamp.is_none()) {
                // Leaves (pods, revisions, claims) own nothing: no need to wait on them.
                let propagation = if matches!(
                    dep.kind,
                    Kind::Pod | Kind::ControllerRevision | Kind::PersistentVolumeClaim
                ) {
                    Propagation::Background
                } else {
                    Propagation::Foreground
                };
                let grace = grace_for(store, &dep);
                out.push(Action::Delete {
                    kind: dep.kind,
                    key: dep.key.clone(),
                    grace_seconds: grace,
                    propagation,
                    event: None,
                });
            }
        }
        return out;
    }

    // attemptToDeleteItem: every owner gone (by uid) ⇒ delete.
    let owners = meta.owner_references.clone().unwrap_or_default();
    if !owners.is_empty()
        && meta.deletion_timestamp.is_none()
        && owners.iter().all(|o| store.by_uid(&o.uid).is_none())
    {
        out.push(Action::Delete {
            kind: r.kind,
            key: r.key.clone(),
            grace_seconds: grace_for(store, r),
            propagation: Propagation::Background,
            event: None,
        });
    }
    out
}

fn grace_for(store: &Store, r: &ObjRef) -> Option<i64> {
    if r.kind != Kind::Pod {
        return None;
    }
    store.pods.get(&r.key).map(|p| {
        p.spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds)
            .unwrap_or(30)
    })
}

fn remove_finalizer(m: &mut ObjectMeta, f: &str) {
    if let Some(fs) = m.finalizers.as_mut() {
        fs.retain(|x| x != f);
        if fs.is_empty() {
            m.finalizers = None;
        }
    }
}
