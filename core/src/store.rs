//! The object store: what the API server and etcd are to a real cluster.
//!
//! Objects are the real Kubernetes types from `k8s-openapi`, kept in one ordered table per kind
//! (iteration order is by namespace then name, so every controller sees the same order on every
//! run). The store assigns uids, resourceVersions, generations and creation timestamps, implements
//! deletion with grace periods and finalizers, keeps a bounded watch log, and records the list of
//! changes since the simulation last looked ([`Store::take_changes`]), which is how controllers
//! are woken.
//!
//! Architecture invariant: the store never calls a controller. It only records what changed.

use crate::labels::Labels;
use crate::podutil::{NodeUsage, PodFacts, Resources};
use crate::time::SimTime;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::{Metadata, Resource};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;

/// The kinds the simulation stores with their real types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    ReplicaSet,
    Deployment,
    Event,
    StorageClass,
    PersistentVolume,
    PersistentVolumeClaim,
    Service,
    Endpoints,
    EndpointSlice,
    StatefulSet,
    ControllerRevision,
    PodDisruptionBudget,
    DaemonSet,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::Event,
        Kind::StorageClass,
        Kind::PersistentVolume,
        Kind::PersistentVolumeClaim,
        Kind::Service,
        Kind::Endpoints,
        Kind::EndpointSlice,
        Kind::StatefulSet,
        Kind::ControllerRevision,
        Kind::PodDisruptionBudget,
        Kind::DaemonSet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Deployment => "Deployment",
            Kind::Event => "Event",
            Kind::StorageClass => "StorageClass",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::Service => "Service",
            Kind::Endpoints => "Endpoints",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::StatefulSet => "StatefulSet",
            Kind::ControllerRevision => "ControllerRevision",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::DaemonSet => "DaemonSet",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::ReplicaSet
            | Kind::Deployment
            | Kind::StatefulSet
            | Kind::ControllerRevision
            | Kind::DaemonSet => "apps/v1",
            Kind::StorageClass => "storage.k8s.io/v1",
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            Kind::PodDisruptionBudget => "policy/v1",
            _ => "v1",
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(
            self,
            Kind::Namespace | Kind::Node | Kind::StorageClass | Kind::PersistentVolume
        )
    }

    /// `deployment.apps`, `pod`: the prefix kubectl's name printer uses.
    pub fn qualified(self) -> &'static str {
        match self {
            Kind::Namespace => "namespace",
            Kind::Node => "node",
            Kind::Pod => "pod",
            Kind::ReplicaSet => "replicaset.apps",
            Kind::Deployment => "deployment.apps",
            Kind::Event => "event",
            Kind::StorageClass => "storageclass.storage.k8s.io",
            Kind::PersistentVolume => "persistentvolume",
            Kind::PersistentVolumeClaim => "persistentvolumeclaim",
            Kind::Service => "service",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslice.discovery.k8s.io",
            Kind::StatefulSet => "statefulset.apps",
            Kind::ControllerRevision => "controllerrevision.apps",
            Kind::PodDisruptionBudget => "poddisruptionbudget.policy",
            Kind::DaemonSet => "daemonset.apps",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `(namespace, name)`; the namespace is empty for cluster-scoped kinds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Key {
        Key {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
    pub fn cluster(name: impl Into<String>) -> Key {
        Key {
            namespace: String::new(),
            name: name.into(),
        }
    }
    pub fn of(meta: &ObjectMeta) -> Key {
        Key::new(
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        )
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// A reference to one stored object of a simulated kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjRef {
    pub kind: Kind,
    pub key: Key,
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.name().to_lowercase(), self.key.name)
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

/// One entry of the change feed the simulation routes to controllers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub key: Key,
    pub op: ChangeType,
    pub uid: String,
    /// Controller owner uids before and after the change (either may be absent).
    pub owners: Vec<String>,
    /// Labels before and after, once when they are the same (only kept for pods, replica sets,
    /// endpoint slices and controller revisions, for selector routing).
    pub labels: Vec<BTreeMap<String, String>>,
}

/// One line of the watch log: `resourceVersion TYPE kind namespace/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub resource_version: u64,
    pub time: SimTime,
    pub op: ChangeType,
    pub kind: Kind,
    pub key: Key,
}

/// Errors the store returns, phrased as the API server phrases them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    AlreadyExists { kind: Kind, name: String },
    NotFound { kind: Kind, name: String },
    Conflict { kind: Kind, name: String },
    NamespaceNotFound(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::AlreadyExists { kind, name } => write!(f, "{} {name:?} already exists", resource_name(*kind)),
            StoreError::NotFound { kind, name } => write!(f, "{} {name:?} not found", resource_name(*kind)),
            StoreError::Conflict { kind, name } => write!(
                f,
                "Operation cannot be fulfilled on {} {name:?}: the object has been modified; please apply your changes to the latest version and try again",
                resource_name(*kind)
            ),
            StoreError::NamespaceNotFound(ns) => write!(f, "namespaces {ns:?} not found"),
        }
    }
}

/// `deployments.apps`, `pods`: the resource name in API error messages.
pub fn resource_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Namespace => "namespaces",
        Kind::Node => "nodes",
        Kind::Pod => "pods",
        Kind::ReplicaSet => "replicasets.apps",
        Kind::Deployment => "deployments.apps",
        Kind::Event => "events",
        Kind::StorageClass => "storageclasses.storage.k8s.io",
        Kind::PersistentVolume => "persistentvolumes",
        Kind::PersistentVolumeClaim => "persistentvolumeclaims",
        Kind::Service => "services",
        Kind::Endpoints => "endpoints",
        Kind::EndpointSlice => "endpointslices.discovery.k8s.io",
        Kind::StatefulSet => "statefulsets.apps",
        Kind::ControllerRevision => "controllerrevisions.apps",
        Kind::PodDisruptionBudget => "poddisruptionbudgets.policy",
        Kind::DaemonSet => "daemonsets.apps",
    }
}

/// An object of a kind the simulation does not run (ConfigMap, Service, Job, …), kept as JSON so
/// that `get` and `-o yaml` still show it.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherObject {
    pub api_version: String,
    pub kind: String,
    pub namespaced: bool,
    pub value: serde_json::Value,
}

/// A kind with its own table in the store.
pub trait Stored: Clone + Resource + Metadata<Ty = ObjectMeta> + Serialize + PartialEq {
    const STORED_KIND: Kind;
    fn table(store: &Store) -> &Table<Self>;
    fn table_mut(store: &mut Store) -> &mut Table<Self>;
    /// Whether `metadata.generation` is maintained (objects with a spec that controllers observe).
    const HAS_GENERATION: bool = false;
    /// Whether the change from `old` to `new` bumps `metadata.generation`.
    fn bumps_generation(_old: &Self, _new: &Self) -> bool {
        false
    }
    /// The API server's `PrepareForCreate` (`old` is `None`) / `PrepareForUpdate` beyond
    /// generation: fields the server owns.
    fn prepare(_old: Option<&Self>, _new: &mut Self) {}
    /// Where the object sits on a node, for the placement index ([`Table::on_node`]); only
    /// pods have one.
    fn placement(&self) -> Option<Placement> {
        None
    }
    /// Whether [`Stored::placement`] is sure to be the same for `other` (a new version of the
    /// object): reading that is cheaper than parsing the placement.
    fn same_placement(&self, _other: &Self) -> bool {
        true
    }
    /// What a scheduling cycle reads of the object, parsed once per write
    /// ([`Table::iter_with_node_facts`]); only nodes have them.
    fn node_facts(&self) -> Option<NodeFacts> {
        None
    }
    /// What controllers read of the object on every pass, parsed once per write
    /// ([`Table::owned_with_facts`]); only pods have them.
    fn pod_facts(&self) -> Option<PodFacts> {
        None
    }
}

/// What a scheduling cycle reads of every node it looks at, parsed once per write of the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFacts {
    pub allocatable: Resources,
    /// The `kubernetes.io/hostname` and `topology.kubernetes.io/zone` labels: the default
    /// topology spread constraints look both up on every node in every cycle.
    pub hostname: Option<String>,
    pub zone: Option<String>,
}

/// A pod bound to a node and not terminal: what the scheduler's cache holds about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub node: String,
    pub usage: NodeUsage,
    /// It has inter-pod (anti-)affinity terms, which other pods' scheduling must look at.
    pub affinity: bool,
    /// The uids of its owner references, each once.
    pub owners: Vec<String>,
}

/// The pods on one node, kept up to date on every write (`framework.NodeInfo` in the
/// scheduler's cache): scheduling a pod reads it instead of summing every pod in the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodePods {
    pub keys: BTreeSet<Key>,
    pub usage: NodeUsage,
    /// The subset with inter-pod (anti-)affinity terms (`PodsWithAffinity`).
    pub with_affinity: BTreeSet<Key>,
    /// How many of them have an owner reference with each uid (for spreading by owner).
    pub owned: BTreeMap<String, usize>,
}

/// One kind's objects, ordered by key, with an index from controller-owner uid to owned keys
/// and, for pods, the placement index by node.
///
/// Objects are shared (`Arc`) between clones of a table: the session's checkpoints clone the
/// whole world, and a write replaces one object instead of copying every other one.
#[derive(Debug, Clone)]
pub struct Table<T> {
    items: BTreeMap<Key, Entry<T>>,
    /// The objects again by controller-owner uid: a controller's sync walks its children
    /// without looking each one up.
    by_owner: BTreeMap<String, Owned<T>>,
    placed: BTreeMap<Key, Placement>,
    by_node: BTreeMap<String, NodePods>,
    /// How many placed objects have inter-pod (anti-)affinity terms, in all.
    with_affinity: usize,
}

/// The objects with one controller owner, and the distinct label sets among them.
#[derive(Debug)]
struct Owned<T> {
    entries: BTreeMap<Key, Entry<T>>,
    /// How many of the entries carry each label set (a missing map counts as empty). The pods
    /// of a ReplicaSet nearly all share one: its pass matches its selector against each set
    /// once instead of reading every pod's labels again.
    label_sets: BTreeMap<Labels, usize>,
}

impl<T> Default for Owned<T> {
    fn default() -> Self {
        Owned {
            entries: BTreeMap::new(),
            label_sets: BTreeMap::new(),
        }
    }
}

impl<T> Clone for Owned<T> {
    fn clone(&self) -> Self {
        Owned {
            entries: self.entries.clone(),
            label_sets: self.label_sets.clone(),
        }
    }
}

fn labels_of(meta: &ObjectMeta) -> &Labels {
    static EMPTY: Labels = BTreeMap::new();
    meta.labels.as_ref().unwrap_or(&EMPTY)
}

/// A stored object with what is parsed from it once per write.
#[derive(Debug)]
struct Entry<T> {
    obj: Arc<T>,
    /// [`Stored::node_facts`]: a scheduling cycle reads every node's, and parsing the
    /// quantities each time cost more than the rest of the filter.
    node: Option<Arc<NodeFacts>>,
    /// [`Stored::pod_facts`], or the default for other kinds.
    facts: PodFacts,
}

impl<T> Clone for Entry<T> {
    fn clone(&self) -> Self {
        Entry {
            obj: Arc::clone(&self.obj),
            node: self.node.clone(),
            facts: self.facts,
        }
    }
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: BTreeMap::new(),
            by_owner: BTreeMap::new(),
            placed: BTreeMap::new(),
            by_node: BTreeMap::new(),
            with_affinity: 0,
        }
    }
}

impl<T: Stored> Table<T> {
    pub fn get(&self, key: &Key) -> Option<&T> {
        self.items.get(key).map(|e| &*e.obj)
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.values().map(|e| &*e.obj)
    }
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.items.keys()
    }
    /// Every object with its key, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &T)> {
        self.items.iter().map(|(k, e)| (k, &*e.obj))
    }
    /// Objects in one namespace, in name order.
    pub fn in_namespace<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a T> + 'a {
        let start = Key::new(ns, "");
        self.items
            .range(start..)
            .take_while(move |(k, _)| k.namespace == ns)
            .map(|(_, e)| &*e.obj)
    }
    /// Objects whose controller owner has this uid, in key order (never events: they are not
    /// indexed by owner).
    pub fn owned_by<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a T> + 'a {
        self.by_owner
            .get(uid)
            .into_iter()
            .flat_map(|owned| owned.entries.values().map(|e| &*e.obj))
    }

    /// The distinct label sets among the objects whose controller owner has this uid.
    pub fn owned_label_sets<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a Labels> + 'a {
        self.by_owner
            .get(uid)
            .into_iter()
            .flat_map(|owned| owned.label_sets.keys())
    }

    /// [`Table::owned_by`] with each object's [`PodFacts`] (the default for kinds other than
    /// pods).
    pub fn owned_with_facts<'a>(
        &'a self,
        uid: &str,
    ) -> impl Iterator<Item = (&'a T, PodFacts)> + 'a {
        self.by_owner
            .get(uid)
            .into_iter()
            .flat_map(|owned| owned.entries.values().map(|e| (&*e.obj, e.facts)))
    }

    /// The objects placed on `node` (pods bound to it and not terminal), in key order.
    pub fn on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a T> + 'a {
        self.by_node
            .get(node)
            .into_iter()
            .flat_map(|n| &n.keys)
            .filter_map(|k| self.get(k))
    }

    /// Every object in key order with its [`NodeFacts`], if it has them.
    pub fn iter_with_node_facts(&self) -> impl Iterator<Item = (&T, Option<&NodeFacts>)> {
        self.items.values().map(|e| (&*e.obj, e.node.as_deref()))
    }

    /// Whether any placed object has inter-pod (anti-)affinity terms.
    pub fn any_with_affinity(&self) -> bool {
        self.with_affinity > 0
    }

    /// The placed objects on `node` that have inter-pod (anti-)affinity terms, in key order.
    pub fn with_affinity_on<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a T> + 'a {
        self.by_node
            .get(node)
            .into_iter()
            .flat_map(|n| &n.with_affinity)
            .filter_map(|k| self.get(k))
    }

    /// How many objects placed on `node` have an owner reference with this uid.
    pub fn count_owned_on(&self, node: &str, uid: &str) -> usize {
        self.by_node
            .get(node)
            .and_then(|n| n.owned.get(uid))
            .copied()
            .unwrap_or(0)
    }

    /// What the objects placed on `node` request together.
    pub fn usage_on(&self, node: &str) -> Option<&NodeUsage> {
        self.by_node.get(node).map(|n| &n.usage)
    }

    /// Every node something is placed on (existing or not), in name order, with what the
    /// index holds about it.
    pub fn placed(&self) -> impl Iterator<Item = (&str, &NodePods)> {
        self.by_node.iter().map(|(n, p)| (n.as_str(), p))
    }

    /// Every node something is placed on (existing or not), in name order, with its usage.
    pub fn placed_nodes(&self) -> impl Iterator<Item = (&str, &NodeUsage)> {
        self.placed().map(|(n, p)| (n, &p.usage))
    }

    /// Objects without a controller owner, in key order (candidates for adoption).
    pub fn orphans<'a>(&'a self) -> impl Iterator<Item = &'a T> + 'a {
        self.owned_by("")
    }

    fn owner_uid(obj: &T) -> String {
        controller_ref(obj.metadata())
            .map(|r| r.uid.clone())
            .unwrap_or_default()
    }

    /// The stored object itself, shared: a handle that outlives borrows of the store.
    pub fn shared(&self, key: &Key) -> Option<Arc<T>> {
        self.items.get(key).map(|e| Arc::clone(&e.obj))
    }

    fn insert(&mut self, key: Key, obj: Arc<T>) -> Option<Arc<T>> {
        // Events have no owners, and nothing lists them by owner: indexing them would keep a
        // second map of every event under the empty uid.
        if T::STORED_KIND == Kind::Event {
            let entry = Entry {
                node: None,
                facts: PodFacts::default(),
                obj,
            };
            return self.items.insert(key, entry).map(|e| e.obj);
        }
        let owner = Self::owner_uid(&obj);
        let entry = Entry {
            node: obj.node_facts().map(Arc::new),
            facts: obj.pod_facts().unwrap_or_default(),
            obj,
        };
        let shared = entry.clone();
        let old = self.items.insert(key.clone(), entry).map(|e| e.obj);
        // Parsing the placement (the pod's requests) cost more than the rest of a status
        // write, and a status write leaves it as it was: `None` here means "as before".
        let placement = match &old {
            Some(old) if old.same_placement(&shared.obj) => None,
            _ => Some(shared.obj.placement()),
        };
        if let Some(old) = &old {
            // Most writes (a pod's status on its way to Ready) change neither the owner nor
            // what is placed on a node: then only the owner index's handle is swapped, instead
            // of taking the object out of four string-keyed indexes and putting it back.
            if Self::owner_uid(old) == owner
                && placement
                    .as_ref()
                    .is_none_or(|p| self.placed.get(&key) == p.as_ref())
                && old.metadata().labels == shared.obj.metadata().labels
            {
                if let Some(slot) = self
                    .by_owner
                    .get_mut(&owner)
                    .and_then(|m| m.entries.get_mut(&key))
                {
                    *slot = shared;
                    return Some(Arc::clone(old));
                }
            }
            self.unindex(&key, old);
        }
        if let Some(p) = placement.unwrap_or_else(|| shared.obj.placement()) {
            let on = self.by_node.entry(p.node.clone()).or_default();
            on.keys.insert(key.clone());
            on.usage.merge(&p.usage, 1);
            if p.affinity {
                on.with_affinity.insert(key.clone());
                self.with_affinity += 1;
            }
            for uid in &p.owners {
                *on.owned.entry(uid.clone()).or_default() += 1;
            }
            self.placed.insert(key.clone(), p);
        }
        let owned = self.by_owner.entry(owner).or_default();
        let labels = labels_of(shared.obj.metadata());
        match owned.label_sets.get_mut(labels) {
            Some(n) => *n += 1,
            None => {
                owned.label_sets.insert(labels.clone(), 1);
            }
        }
        owned.entries.insert(key, shared);
        old
    }

    fn unindex(&mut self, key: &Key, obj: &T) {
        let owner = Self::owner_uid(obj);
        if let Some(owned) = self.by_owner.get_mut(&owner) {
            if owned.entries.remove(key).is_some() {
                let labels = labels_of(obj.metadata());
                if let Some(n) = owned.label_sets.get_mut(labels) {
                    *n -= 1;
                    if *n == 0 {
                        owned.label_sets.remove(labels);
                    }
                }
            }
            if owned.entries.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
        if let Some(p) = self.placed.remove(key) {
            if p.affinity {
                self.with_affinity -= 1;
            }
            if let Some(on) = self.by_node.get_mut(&p.node) {
                on.keys.remove(key);
                on.with_affinity.remove(key);
                on.usage.merge(&p.usage, -1);
                for uid in &p.owners {
                    if let Some(n) = on.owned.get_mut(uid) {
                        *n -= 1;
                        if *n == 0 {
                            on.owned.remove(uid);
                        }
                    }
                }
                if on.keys.is_empty() {
                    self.by_node.remove(&p.node);
                }
            }
        }
    }

    fn remove(&mut self, key: &Key) -> Option<Arc<T>> {
        let old = self.items.remove(key)?.obj;
        self.unindex(key, &old);
        Some(old)
    }
}

/// The controller owner reference (`controller: true`), if any.
pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
}

macro_rules! stored {
    ($ty:ty, $kind:expr, $field:ident) => {
        impl Stored for $ty {
            const STORED_KIND: Kind = $kind;
            fn table(store: &Store) -> &Table<Self> {
                &store.$field
            }
            fn table_mut(store: &mut Store) -> &mut Table<Self> {
                &mut store.$field
            }
        }
    };
    ($ty:ty, $kind:expr, $field:ident, generation: $bump:expr) => {
        impl Stored for $ty {
            const STORED_KIND: Kind = $kind;
            const HAS_GENERATION: bool = true;
            fn table(store: &Store) -> &Table<Self> {
                &store.$field
            }
            fn table_mut(store: &mut Store) -> &mut Table<Self> {
                &mut store.$field
            }
            fn bumps_generation(old: &Self, new: &Self) -> bool {
                #[allow(clippy::redundant_closure_call)]
                ($bump)(old, new)
            }
        }
    };
}

stored!(Namespace, Kind::Namespace, namespaces);
impl Stored for Node {
    const STORED_KIND: Kind = Kind::Node;
    fn table(store: &Store) -> &Table<Self> {
        &store.nodes
    }
    fn table_mut(store: &mut Store) -> &mut Table<Self> {
        &mut store.nodes
    }
    fn node_facts(&self) -> Option<NodeFacts> {
        let label = |key: &str| {
            self.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(key))
                .cloned()
        };
        Some(NodeFacts {
            allocatable: crate::controllers::scheduler::allocatable_resources(self),
            hostname: label(crate::controllers::scheduler::HOSTNAME),
            zone: label(crate::controllers::scheduler::ZONE),
        })
    }
}
impl Stored for Pod {
    const STORED_KIND: Kind = Kind::Pod;
    fn table(store: &Store) -> &Table<Self> {
        &store.pods
    }
    fn table_mut(store: &mut Store) -> &mut Table<Self> {
        &mut store.pods
    }
    fn pod_facts(&self) -> Option<PodFacts> {
        Some(PodFacts::of(self))
    }
    /// The placement reads the spec, the owner references and whether the pod is terminal.
    fn same_placement(&self, other: &Self) -> bool {
        crate::podutil::is_terminal(self) == crate::podutil::is_terminal(other)
            && self.metadata.owner_references == other.metadata.owner_references
            && self.spec == other.spec
    }
    fn placement(&self) -> Option<Placement> {
        if crate::podutil::is_terminal(self) {
            return None;
        }
        let node = crate::podutil::node_name(self)?;
        let affinity = self
            .spec
            .as_ref()
            .and_then(|s| s.affinity.as_ref())
            .is_some_and(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some());
        let mut owners: Vec<String> = self
            .metadata
            .owner_references
            .iter()
            .flatten()
            .map(|r| r.uid.clone())
            .collect();
        owners.sort();
        owners.dedup();
        Some(Placement {
            node: node.to_string(),
            usage: NodeUsage::of(self),
            affinity,
            owners,
        })
    }
}
stored!(Event, Kind::Event, events);
stored!(StorageClass, Kind::StorageClass, storageclasses);
stored!(PersistentVolume, Kind::PersistentVolume, persistentvolumes);
stored!(
    PersistentVolumeClaim,
    Kind::PersistentVolumeClaim,
    persistentvolumeclaims
);
stored!(Service, Kind::Service, services);
stored!(Endpoints, Kind::Endpoints, endpoints);
// The EndpointSlice strategy bumps generation for any change outside metadata.
stored!(EndpointSlice, Kind::EndpointSlice, endpointslices, generation: |o: &EndpointSlice, n: &EndpointSlice| {
    o.endpoints != n.endpoints || o.ports != n.ports || o.address_type != n.address_type
});
stored!(
    ControllerRevision,
    Kind::ControllerRevision,
    controllerrevisions
);
stored!(
    PodDisruptionBudget,
    Kind::PodDisruptionBudget,
    poddisruptionbudgets,
    generation: |o: &PodDisruptionBudget, n: &PodDisruptionBudget| o.spec != n.spec
);
stored!(StatefulSet, Kind::StatefulSet, statefulsets, generation: |o: &StatefulSet, n: &StatefulSet| o.spec != n.spec);

/// `spec.templateGeneration` of the internal DaemonSet, which apps/v1 carries as this annotation.
pub const DS_TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

impl Stored for DaemonSet {
    const STORED_KIND: Kind = Kind::DaemonSet;
    const HAS_GENERATION: bool = true;
    fn table(store: &Store) -> &Table<Self> {
        &store.daemonsets
    }
    fn table_mut(store: &mut Store) -> &mut Table<Self> {
        &mut store.daemonsets
    }
    fn bumps_generation(old: &Self, new: &Self) -> bool {
        old.spec != new.spec
    }
    /// `daemonSetStrategy.PrepareForCreate/PrepareForUpdate`: the template generation starts at
    /// 1 and grows by one whenever the pod template changes; clients cannot set it on update.
    fn prepare(old: Option<&Self>, new: &mut Self) {
        let generation_of = |d: &DaemonSet| {
            d.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DS_TEMPLATE_GENERATION))
                .and_then(|v| v.parse::<i64>().ok())
        };
        let value = match old {
            None => generation_of(new).filter(|g| *g >= 1).unwrap_or(1),
            Some(o) => {
                let g = generation_of(o).unwrap_or(1);
                if o.spec.template != new.spec.template {
                    g + 1
                } else {
                    g
                }
            }
        };
        new.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(DS_TEMPLATE_GENERATION.into(), value.to_string());
    }
}
stored!(ReplicaSet, Kind::ReplicaSet, replicasets, generation: |o: &ReplicaSet, n: &ReplicaSet| o.spec != n.spec);
// Deployment annotations are copied to its ReplicaSets, so the apiserver bumps generation for them too.
stored!(Deployment, Kind::Deployment, deployments, generation: |o: &Deployment, n: &Deployment| {
    o.spec != n.spec || o.metadata.annotations != n.metadata.annotations
});

/// How dependents are treated when an owner is deleted (`DeleteOptions.propagationPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// The result of a delete request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// The object is gone.
    Removed,
    /// The object now has a deletionTimestamp and waits for its kubelet or finalizers.
    Pending,
}

/// Number of watch-log entries kept (older ones are dropped, as etcd compacts).
pub const WATCH_LOG_CAPACITY: usize = 5_000;

pub const FINALIZER_FOREGROUND: &str = "foregroundDeletion";
pub const FINALIZER_ORPHAN: &str = "orphan";

/// All objects of the cluster.
#[derive(Debug, Clone, Default)]
pub struct Store {
    pub namespaces: Table<Namespace>,
    pub nodes: Table<Node>,
    pub pods: Table<Pod>,
    pub replicasets: Table<ReplicaSet>,
    pub deployments: Table<Deployment>,
    pub events: Table<Event>,
    pub storageclasses: Table<StorageClass>,
    pub persistentvolumes: Table<PersistentVolume>,
    pub persistentvolumeclaims: Table<PersistentVolumeClaim>,
    pub services: Table<Service>,
    pub endpoints: Table<Endpoints>,
    pub endpointslices: Table<EndpointSlice>,
    pub statefulsets: Table<StatefulSet>,
    pub controllerrevisions: Table<ControllerRevision>,
    pub poddisruptionbudgets: Table<PodDisruptionBudget>,
    pub daemonsets: Table<DaemonSet>,
    /// Kinds outside the simulation, by (kind, namespace, name).
    pub others: BTreeMap<(String, Key), OtherObject>,
    resource_version: u64,
    uid_counter: u64,
    /// Every stored object of a simulated kind (events excluded) by uid.
    by_uid: BTreeMap<String, ObjRef>,
    watch: VecDeque<WatchEntry>,
    changes: Vec<Change>,
}

impl Store {
    pub fn get<T: Stored>(&self, key: &Key) -> Option<&T> {
        T::table(self).get(key)
    }

    /// The object with this uid, if it still exists.
    pub fn by_uid(&self, uid: &str) -> Option<&ObjRef> {
        self.by_uid.get(uid)
    }

    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The most recent watch-log entries, oldest first.
    pub fn watch_log(&self) -> impl DoubleEndedIterator<Item = &WatchEntry> {
        self.watch.iter()
    }

    /// Whether the watch log still holds every write since the store began.
    pub fn watch_log_complete(&self) -> bool {
        self.watch.len() < WATCH_LOG_CAPACITY
    }

    /// Changes since the last call, in the order they happened.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        self.namespaces.get(&Key::cluster(ns)).is_some()
    }

    fn next_rv(&mut self) -> u64 {
        self.resource_version += 1;
        self.resource_version
    }

    /// A deterministic uid in UUID form (version-4 layout), unique within this store.
    fn next_uid(&mut self) -> String {
        self.uid_counter += 1;
        Self::uid_for(self.uid_counter)
    }

    fn uid_for(n: u64) -> String {
        let mut r = crate::rng::Rng::new(n.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let a = r.next_u64();
        let b = r.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    fn log(&mut self, now: SimTime, op: ChangeType, kind: Kind, key: &Key, rv: u64) {
        if self.watch.len() == WATCH_LOG_CAPACITY {
            self.watch.pop_front();
        }
        self.watch.push_back(WatchEntry {
            resource_version: rv,
            time: now,
            op,
            kind,
            key: key.clone(),
        });
    }

    fn record_change<T: Stored>(
        &mut self,
        op: ChangeType,
        key: &Key,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        if T::STORED_KIND == Kind::Event {
            return;
        }
        let meta = after
            .or(before)
            .map(|o| o.metadata())
            .expect("a change has an object");
        let mut owners = Vec::new();
        let mut labels = Vec::new();
        let routed_by_labels = matches!(
            T::STORED_KIND,
            Kind::Pod | Kind::ReplicaSet | Kind::EndpointSlice | Kind::ControllerRevision
        );
        let mut last_labels = None;
        for m in [before, after].into_iter().flatten().map(|o| o.metadata()) {
            if let Some(r) = controller_ref(m) {
                if !owners.contains(&r.uid) {
                    owners.push(r.uid.clone());
                }
            }
            // Most writes (a pod's status) keep the labels: the same set routes only once.
            if routed_by_labels && last_labels != Some(&m.labels) {
                labels.push(m.labels.clone().unwrap_or_default());
                last_labels = Some(&m.labels);
            }
        }
        self.changes.push(Change {
            kind: T::STORED_KIND,
            key: key.clone(),
            op,
            uid: meta.uid.clone().unwrap_or_default(),
            owners,
            labels,
        });
    }

    /// Creates an object. `metadata.name` must be set (see [`Store::create_generated`] for
    /// `generateName`). Fills uid, resourceVersion, creationTimestamp and generation.
    pub fn create<T: Stored>(&mut self, obj: T, now: SimTime) -> Result<Arc<T>, StoreError> {
        self.create_inner(obj, now, None)
    }

    /// Creates an object the cluster ships with (after the namespaces), with a uid outside the
    /// counter's sequence, so that adding one leaves every later uid (and so every timing jitter
    /// derived from pod uids) as it was.
    pub fn create_bootstrap<T: Stored>(
        &mut self,
        obj: T,
        now: SimTime,
        slot: u64,
    ) -> Result<Arc<T>, StoreError> {
        self.create_inner(obj, now, Some(Self::uid_for(u64::MAX - slot)))
    }

    fn create_inner<T: Stored>(
        &mut self,
        mut obj: T,
        now: SimTime,
        uid: Option<String>,
    ) -> Result<Arc<T>, StoreError> {
        let key = Key::of(obj.metadata());
        if T::STORED_KIND.namespaced()
            && T::STORED_KIND != Kind::Event
            && !self.namespace_exists(&key.namespace)
        {
            return Err(StoreError::NamespaceNotFound(key.namespace));
        }
        if T::table(self).get(&key).is_some() {
            return Err(StoreError::AlreadyExists {
                kind: T::STORED_KIND,
                name: key.name,
            });
        }
        T::prepare(None, &mut obj);
        let rv = self.next_rv();
        let uid = match uid {
            Some(u) => u,
            None => self.next_uid(),
        };
        let meta = obj.metadata_mut();
        meta.uid = Some(uid);
        meta.resource_version = Some(rv.to_string());
        meta.creation_timestamp = Some(now.to_k8s());
        meta.deletion_timestamp = None;
        if T::HAS_GENERATION {
            meta.generation = Some(1);
        }
        if T::STORED_KIND != Kind::Event {
            self.by_uid.insert(
                obj.metadata().uid.clone().unwrap_or_default(),
                ObjRef {
                    kind: T::STORED_KIND,
                    key: key.clone(),
                },
            );
        }
        self.record_change::<T>(ChangeType::Added, &key, None, Some(&obj));
        self.log(now, ChangeType::Added, T::STORED_KIND, &key, rv);
        let obj = Arc::new(obj);
        T::table_mut(self).insert(key, Arc::clone(&obj));
        Ok(obj)
    }

    /// Replaces an object. Identity fields (uid, creationTimestamp) are kept from the stored
    /// copy; generation is bumped when the spec changed. Writing an identical object is a no-op
    /// (no new resourceVersion), as the API server does. If the object is being deleted and the
    /// update removed its last finalizer, it is removed.
    pub fn update<T: Stored>(&mut self, obj: T, now: SimTime) -> Result<Arc<T>, StoreError> {
        self.write(obj, now, true)
    }

    /// Writes through the status subresource: like [`Store::update`], but never bumps the
    /// generation (the apiserver's status strategy keeps the stored spec's generation).
    pub fn update_status<T: Stored>(&mut self, obj: T, now: SimTime) -> Result<Arc<T>, StoreError> {
        self.write(obj, now, false)
    }

    fn write<T: Stored>(
        &mut self,
        mut obj: T,
        now: SimTime,
        may_bump_generation: bool,
    ) -> Result<Arc<T>, StoreError> {
        let key = Key::of(obj.metadata());
        let Some(old) = T::table(self).shared(&key) else {
            return Err(StoreError::NotFound {
                kind: T::STORED_KIND,
                name: key.name,
            });
        };
        let old: &T = &old;
        {
            let om = old.metadata();
            let meta = obj.metadata_mut();
            meta.uid = om.uid.clone();
            meta.creation_timestamp = om.creation_timestamp.clone();
            meta.deletion_timestamp = om
                .deletion_timestamp
                .clone()
                .or(meta.deletion_timestamp.take());
            meta.resource_version = om.resource_version.clone();
            meta.generation = om.generation;
        }
        if may_bump_generation {
            T::prepare(Some(old), &mut obj);
        }
        if may_bump_generation && T::HAS_GENERATION && T::bumps_generation(old, &obj) {
            obj.metadata_mut().generation = Some(old.metadata().generation.unwrap_or(1) + 1);
        }
        if obj == *old {
            return Ok(Arc::new(obj));
        }
        let rv = self.next_rv();
        obj.metadata_mut().resource_version = Some(rv.to_string());
        let being_deleted = obj.metadata().deletion_timestamp.is_some();
        if being_deleted
            && obj
                .metadata()
                .finalizers
                .as_ref()
                .is_none_or(|f| f.is_empty())
            && T::STORED_KIND != Kind::Pod
        {
            self.record_change::<T>(ChangeType::Deleted, &key, Some(old), None);
            self.log(now, ChangeType::Deleted, T::STORED_KIND, &key, rv);
            T::table_mut(self).remove(&key);
            self.by_uid
                .remove(old.metadata().uid.as_deref().unwrap_or_default());
            return Ok(Arc::new(obj));
        }
        self.record_change::<T>(ChangeType::Modified, &key, Some(old), Some(&obj));
        self.log(now, ChangeType::Modified, T::STORED_KIND, &key, rv);
        let obj = Arc::new(obj);
        T::table_mut(self).insert(key, Arc::clone(&obj));
        Ok(obj)
    }

    /// Applies `f` to a stored object and writes it back if it changed.
    pub fn modify<T: Stored>(
        &mut self,
        key: &Key,
        now: SimTime,
        f: impl FnOnce(&mut T),
    ) -> Result<Arc<T>, StoreError> {
        let mut obj = T::table(self)
            .get(key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                kind: T::STORED_KIND,
                name: key.name.clone(),
            })?;
        f(&mut obj);
        self.update(obj, now)
    }

    /// Deletes an object. Pods bound to a node with a positive grace period, and objects with
    /// finalizers or a foreground/orphan propagation, get a deletionTimestamp and stay until
    /// their kubelet or the garbage collector finishes; everything else is removed at once.
    pub fn delete<T: Stored>(
        &mut self,
        key: &Key,
        now: SimTime,
        grace_seconds: Option<i64>,
        propagation: Propagation,
    ) -> Result<Deleted, StoreError> {
        let Some(old) = T::table(self).shared(key) else {
            return Err(StoreError::NotFound {
                kind: T::STORED_KIND,
                name: key.name.clone(),
            });
        };
        let old: &T = &old;
        let mut obj = old.clone();
        let meta = obj.metadata_mut();
        let mut finalizers = meta.finalizers.clone().unwrap_or_default();
        match propagation {
            Propagation::Foreground if !finalizers.iter().any(|f| f == FINALIZER_FOREGROUND) => {
                finalizers.push(FINALIZER_FOREGROUND.into())
            }
            Propagation::Orphan if !finalizers.iter().any(|f| f == FINALIZER_ORPHAN) => {
                finalizers.push(FINALIZER_ORPHAN.into())
            }
            _ => {}
        }
        let graceful_pod = T::STORED_KIND == Kind::Pod && grace_seconds.unwrap_or(0) > 0;
        if finalizers.is_empty() && !graceful_pod {
            return self.remove::<T>(key, now).map(|_| Deleted::Removed);
        }
        if meta.deletion_timestamp.is_some() {
            // Already terminating: a shorter grace period may still be applied.
            if let (Some(g), Some(old_g)) = (grace_seconds, meta.deletion_grace_period_seconds) {
                if T::STORED_KIND == Kind::Pod && g < old_g {
                    meta.deletion_grace_period_seconds = Some(g);
                    meta.deletion_timestamp =
                        Some((now + crate::time::Dur::secs(g as u64)).to_k8s());
                }
            }
        } else {
            let g = if T::STORED_KIND == Kind::Pod {
                grace_seconds.unwrap_or(0).max(0) as u64
            } else {
                0
            };
            meta.deletion_timestamp = Some((now + crate::time::Dur::secs(g)).to_k8s());
            meta.deletion_grace_period_seconds = Some(g as i64);
        }
        meta.finalizers = if finalizers.is_empty() {
            None
        } else {
            Some(finalizers)
        };
        if obj == *old {
            return Ok(Deleted::Pending);
        }
        let rv = self.next_rv();
        obj.metadata_mut().resource_version = Some(rv.to_string());
        self.record_change::<T>(ChangeType::Modified, key, Some(old), Some(&obj));
        self.log(now, ChangeType::Modified, T::STORED_KIND, key, rv);
        T::table_mut(self).insert(key.clone(), Arc::new(obj));
        Ok(Deleted::Pending)
    }

    /// Removes an object immediately, whatever its finalizers (the kubelet's final delete, or
    /// `--force --grace-period=0`). Returns the object removed, still shared with any clone
    /// of the store (a checkpoint) that holds it.
    pub fn remove<T: Stored>(&mut self, key: &Key, now: SimTime) -> Result<Arc<T>, StoreError> {
        let Some(old) = T::table_mut(self).remove(key) else {
            return Err(StoreError::NotFound {
                kind: T::STORED_KIND,
                name: key.name.clone(),
            });
        };
        let rv = self.next_rv();
        self.by_uid
            .remove(old.metadata().uid.as_deref().unwrap_or_default());
        self.record_change::<T>(ChangeType::Deleted, key, Some(&old), None);
        self.log(now, ChangeType::Deleted, T::STORED_KIND, key, rv);
        Ok(old)
    }

    /// Stores an object of a kind outside the simulation; returns whether it was new or changed
    /// (`created`, `configured`, `unchanged`).
    pub fn put_other(
        &mut self,
        mut obj: OtherObject,
        now: SimTime,
    ) -> Result<&'static str, StoreError> {
        let meta = obj.value.get("metadata").cloned().unwrap_or_default();
        let name = meta
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let ns = if obj.namespaced {
            meta.get("namespace")
                .and_then(|v| v.as_str())
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        if obj.namespaced && !self.namespace_exists(&ns) {
            return Err(StoreError::NamespaceNotFound(ns));
        }
        let key = (obj.kind.clone(), Key::new(ns.clone(), name));
        let existing = self.others.get(&key).cloned();
        let rv = self.next_rv();
        let (uid, created, verb) = match &existing {
            Some(e) => {
                let m = &e.value["metadata"];
                let unchanged = strip_server_fields(&e.value) == strip_server_fields(&obj.value);
                if unchanged {
                    return Ok("unchanged");
                }
                (
                    m["uid"].clone(),
                    m["creationTimestamp"].clone(),
                    "configured",
                )
            }
            None => (
                serde_json::Value::String(self.next_uid()),
                serde_json::Value::String(now.rfc3339()),
                "created",
            ),
        };
        if let Some(m) = obj
            .value
            .get_mut("metadata")
            .and_then(|m| m.as_object_mut())
        {
            m.insert("uid".into(), uid);
            m.insert("creationTimestamp".into(), created);
            m.insert(
                "resourceVersion".into(),
                serde_json::Value::String(rv.to_string()),
            );
            if obj.namespaced {
                m.insert("namespace".into(), serde_json::Value::String(ns));
            }
        }
        self.others.insert(key, obj);
        Ok(verb)
    }
}

fn strip_server_fields(v: &serde_json::Value) -> serde_json::Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        for f in ["uid", "creationTimestamp", "resourceVersion", "namespace"] {
            m.remove(f);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(name: &str) -> Namespace {
        Namespace {
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn pod(name: &str) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn store() -> Store {
        let mut s = Store::default();
        s.create(ns("default"), SimTime(0)).unwrap();
        s.take_changes();
        s
    }

    #[test]
    fn create_assigns_identity_and_refuses_duplicates() {
        let mut s = store();
        let p = s.create(pod("a"), SimTime(5000)).unwrap();
        assert!(p.metadata.uid.is_some());
        assert_eq!(p.metadata.creation_timestamp, Some(SimTime(5000).to_k8s()));
        assert_eq!(
            s.create(pod("a"), SimTime(6000)),
            Err(StoreError::AlreadyExists {
                kind: Kind::Pod,
                name: "a".into()
            })
        );
        assert_eq!(s.take_changes().len(), 1);
    }

    #[test]
    fn create_in_missing_namespace_fails() {
        let mut s = store();
        let mut p = pod("a");
        p.metadata.namespace = Some("nope".into());
        assert_eq!(
            s.create(p, SimTime(0)),
            Err(StoreError::NamespaceNotFound("nope".into()))
        );
    }

    #[test]
    fn uids_are_unique_and_uuid_shaped() {
        let mut s = store();
        let mut seen = BTreeSet::new();
        for i in 0..200 {
            let p = s.create(pod(&format!("p{i}")), SimTime(0)).unwrap();
            let uid = p.metadata.uid.clone().unwrap();
            assert_eq!(uid.len(), 36);
            assert!(seen.insert(uid));
        }
    }

    #[test]
    fn identical_update_is_a_no_op_and_spec_change_bumps_generation() {
        let mut s = store();
        let d = Deployment {
            metadata: ObjectMeta {
                name: Some("d".into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let d = Deployment::clone(&s.create(d, SimTime(0)).unwrap());
        let rv = s.resource_version();
        s.update(d.clone(), SimTime(1)).unwrap();
        assert_eq!(s.resource_version(), rv);
        let mut d2 = d.clone();
        d2.spec.replicas = Some(3);
        let d2 = Deployment::clone(&s.update(d2, SimTime(2)).unwrap());
        assert_eq!(d2.metadata.generation, Some(2));
        let mut d3 = d2.clone();
        d3.status = Some(Default::default());
        let d3 = Deployment::clone(&s.update(d3, SimTime(3)).unwrap());
        assert_eq!(
            d3.metadata.generation,
            Some(2),
            "status writes keep the generation"
        );
        let mut d4 = d3.clone();
        d4.metadata.annotations = Some(
            [(
                "deployment.kubernetes.io/revision".to_string(),
                "1".to_string(),
            )]
            .into(),
        );
        assert_eq!(
            s.update_status(d4.clone(), SimTime(4))
                .unwrap()
                .metadata
                .generation,
            Some(2)
        );
        d4.metadata.annotations = Some([("team".to_string(), "a".to_string())].into());
        assert_eq!(
            s.update(d4, SimTime(5)).unwrap().metadata.generation,
            Some(3),
            "annotation edits bump a Deployment's generation"
        );
    }

    #[test]
    fn graceful_pod_delete_waits_and_owner_index_follows() {
        let mut s = store();
        let mut p = pod("a");
        p.metadata.owner_references = Some(vec![OwnerReference {
            uid: "rs-1".into(),
            controller: Some(true),
            ..Default::default()
        }]);
        s.create(p, SimTime(0)).unwrap();
        assert_eq!(s.pods.owned_by("rs-1").count(), 1);
        assert_eq!(
            s.delete::<Pod>(
                &Key::new("default", "a"),
                SimTime(0),
                Some(30),
                Propagation::Background
            ),
            Ok(Deleted::Pending)
        );
        assert!(s
            .pods
            .get(&Key::new("default", "a"))
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some());
        s.remove::<Pod>(&Key::new("default", "a"), SimTime(1))
            .unwrap();
        assert_eq!(s.pods.owned_by("rs-1").count(), 0);
    }

    #[test]
    fn every_write_reaches_the_owner_and_placement_indexes() {
        use k8s_openapi::api::core::v1::{PodCondition, PodSpec, PodStatus};
        let mut s = store();
        let key = Key::new("default", "a");
        let mut p = pod("a");
        p.metadata.owner_references = Some(vec![OwnerReference {
            uid: "rs-1".into(),
            controller: Some(true),
            ..Default::default()
        }]);
        p.spec = Some(PodSpec {
            node_name: Some("n1".into()),
            ..Default::default()
        });
        s.create(p, SimTime(0)).unwrap();
        let phase = |s: &Store| {
            s.pods
                .owned_by("rs-1")
                .map(|p| crate::podutil::phase(p).to_string())
                .collect::<Vec<_>>()
        };
        // A status write leaves owner and node alone: the owner index hands out the new object.
        s.modify::<Pod>(&key, SimTime(1), |p| {
            p.status = Some(PodStatus {
                phase: Some("Running".into()),
                ..Default::default()
            })
        })
        .unwrap();
        assert_eq!(phase(&s), vec!["Running"]);
        assert_eq!(s.pods.on_node("n1").count(), 1);
        assert_eq!(s.pods.count_owned_on("n1", "rs-1"), 1);
        // The owner index's facts are the new object's, parsed at the write.
        s.modify::<Pod>(&key, SimTime(1), |p| {
            p.status.as_mut().unwrap().conditions = Some(vec![PodCondition {
                type_: "Ready".into(),
                status: "True".into(),
                last_transition_time: Some(SimTime(2_000).to_k8s()),
                ..Default::default()
            }])
        })
        .unwrap();
        let facts: Vec<_> = s.pods.owned_with_facts("rs-1").map(|(_, f)| f).collect();
        assert_eq!(
            facts,
            vec![crate::podutil::PodFacts {
                active: true,
                terminating: false,
                readiness: crate::podutil::Readiness {
                    ready: true,
                    since: Some(SimTime(2_000)),
                },
            }]
        );
        // A label write moves the pod from one label set to another.
        let sets = |s: &Store| s.pods.owned_label_sets("rs-1").cloned().collect::<Vec<_>>();
        assert_eq!(sets(&s), vec![Labels::new()]);
        s.modify::<Pod>(&key, SimTime(1), |p| {
            p.metadata.labels = Some([("app".to_string(), "web".to_string())].into())
        })
        .unwrap();
        assert_eq!(
            sets(&s),
            vec![Labels::from([("app".to_string(), "web".to_string())])]
        );
        // A spec write re-reads what the pod asks of its node; a status write keeps it.
        let cpu = |s: &Store| {
            s.pods
                .placed_nodes()
                .map(|(n, u)| (n.to_string(), u.cpu_millis))
                .collect::<Vec<_>>()
        };
        assert_eq!(cpu(&s), vec![("n1".to_string(), 0)]);
        s.modify::<Pod>(&key, SimTime(1), |p| {
            let c: k8s_openapi::api::core::v1::Container = serde_json::from_value(
                serde_json::json!({"name": "c", "resources": {"requests": {"cpu": "250m"}}}),
            )
            .unwrap();
            p.spec.as_mut().unwrap().containers = vec![c];
        })
        .unwrap();
        assert_eq!(cpu(&s), vec![("n1".to_string(), 250)]);
        s.modify::<Pod>(&key, SimTime(1), |p| {
            p.status.as_mut().unwrap().pod_ip = Some("10.0.0.1".into())
        })
        .unwrap();
        assert_eq!(cpu(&s), vec![("n1".to_string(), 250)]);
        // A terminal phase takes it off its node; released, it leaves its owner's list.
        s.modify::<Pod>(&key, SimTime(2), |p| {
            p.status.as_mut().unwrap().phase = Some("Succeeded".into())
        })
        .unwrap();
        assert_eq!(phase(&s), vec!["Succeeded"]);
        assert_eq!(s.pods.on_node("n1").count(), 0);
        s.modify::<Pod>(&key, SimTime(3), |p| p.metadata.owner_references = None)
            .unwrap();
        assert!(phase(&s).is_empty());
        assert!(sets(&s).is_empty());
        assert_eq!(s.pods.orphans().count(), 1);
        assert_eq!(s.pods.owned_label_sets("").count(), 1);
    }

    #[test]
    fn foreground_delete_keeps_owner_until_finalizer_removed() {
        let mut s = store();
        let d = Deployment {
            metadata: ObjectMeta {
                name: Some("d".into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        s.create(d, SimTime(0)).unwrap();
        let key = Key::new("default", "d");
        assert_eq!(
            s.delete::<Deployment>(&key, SimTime(1), None, Propagation::Foreground),
            Ok(Deleted::Pending)
        );
        s.modify::<Deployment>(&key, SimTime(2), |d| d.metadata.finalizers = None)
            .unwrap();
        assert!(s.deployments.get(&key).is_none());
    }

    #[test]
    fn watch_log_is_bounded() {
        let mut s = store();
        for i in 0..(WATCH_LOG_CAPACITY + 10) {
            s.create(pod(&format!("p{i}")), SimTime(0)).unwrap();
        }
        assert_eq!(s.watch_log().count(), WATCH_LOG_CAPACITY);
    }
}
