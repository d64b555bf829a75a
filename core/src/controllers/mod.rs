//! The controllers, scheduler, kubelet and garbage collector.
//!
//! Architecture invariant: a reconcile function is pure. It reads a `&Store` (and, for the
//! kubelet, the node runtime it owns) and the current simulated time, and returns a
//! [`Reconcile`]: objects to create, update or delete, events to record, and when to look again.
//! The simulation ([`crate::sim`]) applies the result. Reconcilers are level-triggered: they are
//! not told what woke them, and they make one move per pass, so every intermediate state of a
//! rollout is observable.

pub mod attachdetach;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpoints;
pub mod endpointslice;
pub mod gc;
pub mod kubelet;
pub mod nodelifecycle;
pub mod podgc;
pub mod registry;
pub mod replicaset;
pub mod scheduler;
pub mod statefulset;
pub mod tainteviction;
pub mod volume;
pub mod volumebinding;

use crate::store::{Key, Kind, Propagation};
use crate::time::Dur;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{
    Endpoints, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::Resource;

/// The components that act on the cluster, named as they sign their events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    DeploymentController,
    ReplicaSetController,
    Scheduler,
    Kubelet,
    GarbageCollector,
    PersistentVolumeController,
    /// The simulation's volume provisioner ([`volume::PROVISIONER`]).
    Provisioner,
    AttachDetachController,
    EndpointController,
    EndpointSliceController,
    StatefulSetController,
    NodeLifecycleController,
    TaintEvictionController,
    PodGarbageCollector,
    DisruptionController,
    DaemonSetController,
}

impl Component {
    /// `source.component` of the events it records.
    pub fn event_source(self) -> &'static str {
        match self {
            Component::DeploymentController => "deployment-controller",
            Component::ReplicaSetController => "replicaset-controller",
            Component::Scheduler => "default-scheduler",
            Component::Kubelet => "kubelet",
            Component::GarbageCollector => "garbage-collector-controller",
            Component::PersistentVolumeController => "persistentvolume-controller",
            Component::Provisioner => volume::PROVISIONER,
            Component::AttachDetachController => "attachdetach-controller",
            Component::EndpointController => "endpoint-controller",
            Component::EndpointSliceController => "endpointslice-controller",
            Component::StatefulSetController => "statefulset-controller",
            Component::NodeLifecycleController => "node-controller",
            Component::TaintEvictionController => "taint-eviction-controller",
            Component::PodGarbageCollector => "pod-garbage-collector",
            // The disruption controller's recorder signs as the controller manager.
            Component::DisruptionController => "controllermanager",
            Component::DaemonSetController => "daemonset-controller",
        }
    }
}

/// Any object of a simulated kind, for actions.
/// (`PersistentVolume` holds every volume source inline, so it is far larger than the other
/// variants; values of this enum are short-lived, so boxing would buy nothing measurable.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Namespace(Namespace),
    Node(Node),
    Pod(Pod),
    ReplicaSet(ReplicaSet),
    Deployment(Deployment),
    StorageClass(StorageClass),
    PersistentVolume(PersistentVolume),
    PersistentVolumeClaim(PersistentVolumeClaim),
    Service(Service),
    Endpoints(Endpoints),
    EndpointSlice(EndpointSlice),
    StatefulSet(StatefulSet),
    ControllerRevision(ControllerRevision),
    PodDisruptionBudget(PodDisruptionBudget),
    DaemonSet(DaemonSet),
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Node(_) => Kind::Node,
            Object::Pod(_) => Kind::Pod,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::Deployment(_) => Kind::Deployment,
            Object::StorageClass(_) => Kind::StorageClass,
            Object::PersistentVolume(_) => Kind::PersistentVolume,
            Object::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim,
            Object::Service(_) => Kind::Service,
            Object::Endpoints(_) => Kind::Endpoints,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::StatefulSet(_) => Kind::StatefulSet,
            Object::ControllerRevision(_) => Kind::ControllerRevision,
            Object::PodDisruptionBudget(_) => Kind::PodDisruptionBudget,
            Object::DaemonSet(_) => Kind::DaemonSet,
        }
    }

    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => &o.metadata,
            Object::Node(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::ReplicaSet(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::StorageClass(o) => &o.metadata,
            Object::PersistentVolume(o) => &o.metadata,
            Object::PersistentVolumeClaim(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::Endpoints(o) => &o.metadata,
            Object::EndpointSlice(o) => &o.metadata,
            Object::StatefulSet(o) => &o.metadata,
            Object::ControllerRevision(o) => &o.metadata,
            Object::PodDisruptionBudget(o) => &o.metadata,
            Object::DaemonSet(o) => &o.metadata,
        }
    }

    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Namespace(o) => &mut o.metadata,
            Object::Node(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::ReplicaSet(o) => &mut o.metadata,
            Object::Deployment(o) => &mut o.metadata,
            Object::StorageClass(o) => &mut o.metadata,
            Object::PersistentVolume(o) => &mut o.metadata,
            Object::PersistentVolumeClaim(o) => &mut o.metadata,
            Object::Service(o) => &mut o.metadata,
            Object::Endpoints(o) => &mut o.metadata,
            Object::EndpointSlice(o) => &mut o.metadata,
            Object::StatefulSet(o) => &mut o.metadata,
            Object::ControllerRevision(o) => &mut o.metadata,
            Object::PodDisruptionBudget(o) => &mut o.metadata,
            Object::DaemonSet(o) => &mut o.metadata,
        }
    }
}

/// The object an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regarding {
    pub kind: Kind,
    pub key: Key,
    pub uid: String,
    /// `spec.containers{nginx}` for container-level kubelet events.
    pub field_path: Option<String>,
}

impl Regarding {
    pub fn of(kind: Kind, meta: &ObjectMeta) -> Regarding {
        Regarding {
            kind,
            key: Key::of(meta),
            uid: meta.uid.clone().unwrap_or_default(),
            field_path: None,
        }
    }
    pub fn with_field(mut self, path: String) -> Regarding {
        self.field_path = Some(path);
        self
    }
}

/// An event to record (`Normal` or `Warning`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub regarding: Regarding,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    pub component: Component,
}

impl EventRecord {
    pub fn normal(
        regarding: Regarding,
        component: Component,
        reason: &str,
        message: String,
    ) -> EventRecord {
        EventRecord {
            regarding,
            warning: false,
            reason: reason.into(),
            message,
            component,
        }
    }
    pub fn warning(
        regarding: Regarding,
        component: Component,
        reason: &str,
        message: String,
    ) -> EventRecord {
        EventRecord {
            regarding,
            warning: true,
            reason: reason.into(),
            message,
            component,
        }
    }
}

/// One change a reconciler asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Create an object. If it has `generateName` and no name, the API server names it; the
    /// optional event is then recorded with `{name}` in its message replaced by that name.
    Create {
        object: Object,
        event: Option<EventRecord>,
    },
    /// Write an object back (spec or metadata; bumps generation on spec changes).
    Update(Object),
    /// Write an object through its status subresource (never bumps generation).
    UpdateStatus(Object),
    /// Delete an object, with an optional grace period (pods) and propagation policy.
    Delete {
        kind: Kind,
        key: Key,
        grace_seconds: Option<i64>,
        propagation: Propagation,
        event: Option<EventRecord>,
    },
    /// Remove a pod object for good (the kubelet's final delete after termination).
    Remove {
        kind: Kind,
        key: Key,
    },
    Event(EventRecord),
}

/// What a reconcile pass returns: plain data, applied by the simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconcile {
    pub actions: Vec<Action>,
    /// Look at this object again after this long, even if nothing changes.
    pub requeue_after: Option<Dur>,
}

impl Reconcile {
    pub fn done() -> Reconcile {
        Reconcile::default()
    }
    pub fn push(&mut self, a: Action) {
        self.actions.push(a);
    }
    pub fn event(&mut self, e: EventRecord) {
        self.actions.push(Action::Event(e));
    }
    /// Requeue no later than `after` (keeps the earliest of several requests).
    pub fn requeue(&mut self, after: Dur) {
        self.requeue_after = Some(self.requeue_after.map_or(after, |d| d.min(after)));
    }
}

/// `metav1.NewControllerRef`.
pub fn controller_ref_to<T: Resource>(meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: T::API_VERSION.to_string(),
        kind: T::KIND.to_string(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
