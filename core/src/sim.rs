//! The simulation: one [`World`] owning the store, the simulated clock, the work queue, the
//! seeded RNG and the node runtimes.
//!
//! Time is discrete-event: work items sit in a queue ordered by (time, sequence number), so ties
//! break by insertion order; [`World::step`] jumps the clock to the next item and runs it.
//! Every store change is routed to the components that watch it (the informer pattern), and a
//! component's [`Reconcile`] is applied here. Nothing reads a wall clock and every choice that
//! looks random comes from the world's one RNG, so a seed and a list of actions rebuild the same
//! cluster byte for byte.

use crate::cluster::{self, NodeSpec};
use crate::controllers::kubelet::{self, PodRuntime};
use crate::controllers::{
    attachdetach, daemonset, deployment, disruption, endpoints, endpointslice, gc, nodelifecycle,
    podgc, replicaset, scheduler, statefulset, tainteviction, volume, volumebinding, Action,
    Component, EventRecord, Object, Reconcile, Regarding,
};
use crate::files::Files;
use crate::labels::Selector;
use crate::podutil;
use crate::rng::Rng;
use crate::service_registry;
use crate::store::{
    Change, ChangeType, Deleted, Key, Kind, ObjRef, Propagation, Store, StoreError,
};
use crate::time::{human_duration, Dur, SimTime};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, EventSource, Namespace, Node, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Adds a protection finalizer, as the StorageObjectInUseProtection admission plugin does.
fn protect(meta: &mut ObjectMeta, finalizer: &str) {
    let fs = meta.finalizers.get_or_insert_with(Vec::new);
    if !fs.iter().any(|f| f == finalizer) {
        fs.push(finalizer.into());
    }
}

/// How long a change to a pod waits before it wakes the controller that owns it (ReplicaSet,
/// StatefulSet or DaemonSet).
/// A real controller's sync takes time, and the pod events that arrive meanwhile are folded
/// into its next sync by the work queue; without a window, a ReplicaSet of N pods would count
/// all N after each of their N×5 status changes. The window stands for that sync time.
pub const POD_EVENT_BATCH: Dur = Dur::ms(20);

/// A unit of work on the queue.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Work {
    Sync(Component, Key),
    Gc(ObjRef),
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Work::Sync(c, k) => write!(f, "{} {k}", c.event_source()),
            Work::Gc(r) => write!(f, "garbage-collector {}", r),
        }
    }
}

/// A queue ordered by (time, insertion sequence) that keeps one entry per work item, at its
/// earliest requested time (a later request for a queued item is dropped).
#[derive(Debug, Clone, Default)]
struct Queue {
    by_time: BTreeMap<(SimTime, u64), Work>,
    index: BTreeMap<Work, (SimTime, u64)>,
    seq: u64,
}

impl Queue {
    fn push(&mut self, work: Work, at: SimTime) {
        if let Some(&(t, s)) = self.index.get(&work) {
            if t <= at {
                return;
            }
            self.by_time.remove(&(t, s));
        }
        self.seq += 1;
        self.by_time.insert((at, self.seq), work.clone());
        self.index.insert(work, (at, self.seq));
    }

    fn peek_time(&self) -> Option<SimTime> {
        self.by_time.keys().next().map(|(t, _)| *t)
    }

    fn pop(&mut self) -> Option<(SimTime, Work)> {
        let (&(t, s), _) = self.by_time.iter().next()?;
        let work = self.by_time.remove(&(t, s))?;
        self.index.remove(&work);
        Some((t, work))
    }

    fn len(&self) -> usize {
        self.by_time.len()
    }
}

/// The outcome of [`World::settle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// Whether the queue emptied (true) or the limit was reached (false).
    pub settled: bool,
    pub elapsed: Dur,
    pub steps: u64,
    /// For a stall: the work still scheduled, soonest first (at most a few).
    pub pending: Vec<String>,
}

impl fmt::Display for Settled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.settled {
            write!(
                f,
                "settled after {} ({} steps)",
                crate::time::go_duration(self.elapsed),
                self.steps
            )
        } else {
            write!(
                f,
                "not settled after {}: still scheduled: {}",
                human_duration(self.elapsed),
                self.pending.join("; ")
            )
        }
    }
}

/// Where the simulated clock stops: seven days after the cluster starts (kubeplay's limit).
/// Work due later never runs, [`World::advance`] and [`World::settle`] stop there, and
/// `sim advance` refuses to go past it. Whatever a session, a link or a script asks for, a
/// world therefore does a bounded amount of work: a pod crash-looping for a week is some
/// thousands of work items, not an unbounded number.
pub const END_OF_TIME: SimTime = SimTime(7 * 24 * 3_600_000);

/// Largest number of work items run at one instant before the world reports a livelock.
const MAX_STEPS_PER_INSTANT: u64 = 200_000;

/// The simulated cluster.
#[derive(Debug, Clone)]
pub struct World {
    pub(crate) store: Store,
    now: SimTime,
    seed: u64,
    rng: Rng,
    queue: Queue,
    runtimes: BTreeMap<String, PodRuntime>,
    /// What volumes and container layers hold (see [`crate::files`]).
    files: Files,
    node_images: BTreeMap<String, BTreeSet<String>>,
    next_pod_ip: BTreeMap<String, u32>,
    unschedulable: BTreeMap<Key, (u32, SimTime)>,
    /// The event each aggregation key last created, by the key's hash, as the stamp that names
    /// it (`<object>.<stamp in hex>`): the key itself (the object's uid, the source, reason,
    /// field path, message and type) is read back from the event it names.
    event_index: BTreeMap<u64, u64>,
    event_seq: u64,
    steps: u64,
    steps_at_instant: u64,
    trace_hash: u64,
    /// Palette slots given to workloads in the order they were created (by uid), so a
    /// workload keeps its colour whatever else comes and goes.
    workload_colors: BTreeMap<String, usize>,
    next_color: usize,
    /// Nodes whose kubelet has stopped (`sim node fail`), and since when.
    stopped_kubelets: BTreeMap<String, SimTime>,
    /// The taint eviction controller's queue: pods with an eviction pending, and since when.
    taint_evictions: BTreeMap<Key, SimTime>,
    /// A moment time may not pass (see [`World::set_horizon`]).
    horizon: Option<SimTime>,
    /// The scheduler's `nextStartNodeIndex`: where its next walk over the nodes begins.
    scheduler_next_start: usize,
}

impl World {
    /// The default cluster: `control-plane` (tainted), `worker-1`, `worker-2`, and the four
    /// standard namespaces.
    pub fn new(seed: u64) -> World {
        let mut w = World::empty(seed);
        for spec in cluster::default_nodes() {
            w.add_node(spec).expect("default nodes are valid");
        }
        w.run_due();
        w
    }

    /// A cluster with namespaces but no nodes.
    pub fn empty(seed: u64) -> World {
        let mut w = World {
            store: Store::default(),
            now: SimTime(0),
            seed,
            rng: Rng::new(seed),
            queue: Queue::default(),
            runtimes: BTreeMap::new(),
            files: Files::default(),
            node_images: BTreeMap::new(),
            next_pod_ip: BTreeMap::new(),
            unschedulable: BTreeMap::new(),
            event_index: BTreeMap::new(),
            event_seq: 0,
            steps: 0,
            steps_at_instant: 0,
            trace_hash: 0xcbf2_9ce4_8422_2325,
            workload_colors: BTreeMap::new(),
            next_color: 0,
            stopped_kubelets: BTreeMap::new(),
            taint_evictions: BTreeMap::new(),
            horizon: None,
            scheduler_next_start: 0,
        };
        for ns in cluster::DEFAULT_NAMESPACES {
            let n = Namespace {
                metadata: ObjectMeta {
                    name: Some(ns.to_string()),
                    labels: Some(
                        [("kubernetes.io/metadata.name".to_string(), ns.to_string())].into(),
                    ),
                    ..Default::default()
                },
                ..Default::default()
            };
            w.store
                .create(cluster::namespace_with_status(n), SimTime(0))
                .expect("fresh store");
        }
        w.store
            .create_bootstrap(cluster::default_storage_class(), SimTime(0), 0)
            .expect("fresh store");
        w.create_default_services();
        w.store.take_changes();
        w
    }

    /// `default/kubernetes` and `kube-system/kube-dns` with their Endpoints and slices, as a
    /// fresh kubeadm cluster has them (bootstrap uids, so later uids are unchanged). The
    /// control plane's address is the one the first node registers with.
    fn create_default_services(&mut self) {
        let cp_ip =
            cluster::internal_ip(&cluster::node(&cluster::default_nodes()[0], 0, SimTime(0)));
        let (services, endpoints, slices) = service_registry::default_services(&cp_ip);
        let mut slot = 1;
        let mut owners = BTreeMap::new();
        for svc in services {
            let key = Key::of(&svc.metadata);
            let created = self
                .store
                .create_bootstrap(svc, SimTime(0), slot)
                .expect("fresh store");
            owners.insert(key, created.metadata.clone());
            slot += 1;
        }
        for ep in endpoints {
            self.store
                .create_bootstrap(ep, SimTime(0), slot)
                .expect("fresh store");
            slot += 1;
        }
        for mut slice in slices {
            let managed = slice
                .metadata
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key(endpointslice::LABEL_MANAGED_BY));
            let owner = owners.get(&Key::new(
                slice.metadata.namespace.clone().unwrap_or_default(),
                slice
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(endpointslice::LABEL_SERVICE_NAME))
                    .cloned()
                    .unwrap_or_default(),
            ));
            if let (true, Some(m)) = (managed, owner) {
                slice.metadata.owner_references =
                    Some(vec![crate::controllers::controller_ref_to::<Service>(m)]);
            }
            self.store
                .create_bootstrap(slice, SimTime(0), slot)
                .expect("fresh store");
            slot += 1;
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Work items run so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// A digest of every work item run (time and item), for determinism checks.
    pub fn trace_hash(&self) -> u64 {
        self.trace_hash
    }

    /// When the next queued item is due (none beyond the horizon).
    pub fn next_event_at(&self) -> Option<SimTime> {
        self.queue.peek_time().filter(|t| self.before_horizon(*t))
    }

    /// Stops the clock from passing `horizon` (or lets it run free again with `None`): until
    /// it is lifted, [`step`](Self::step) runs nothing due later, and
    /// [`advance`](Self::advance) and [`settle`](Self::settle) stop there. Rebuilding a session
    /// up to a moment inside a command that runs the simulation (`rollout status`, `drain`)
    /// replays the command under a horizon; such commands end early when the clock cannot
    /// move. A horizon earlier than now holds the clock where it is.
    pub fn set_horizon(&mut self, horizon: Option<SimTime>) {
        self.horizon = horizon;
    }

    fn before_horizon(&self, t: SimTime) -> bool {
        t <= END_OF_TIME && self.horizon.is_none_or(|h| t <= h)
    }

    /// `t`, or the horizon or [`END_OF_TIME`] if one comes first (never earlier than now).
    fn capped(&self, t: SimTime) -> SimTime {
        let end = self.horizon.map_or(END_OF_TIME, |h| h.min(END_OF_TIME));
        t.min(end.max(self.now))
    }

    /// Number of queued work items.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The runtime of a pod (image pulls, restarts) if its kubelet has admitted it.
    pub fn runtime(&self, uid: &str) -> Option<&PodRuntime> {
        self.runtimes.get(uid)
    }

    /// Every pod runtime the kubelets hold (containers that exist on some node).
    pub fn runtimes(&self) -> impl Iterator<Item = &PodRuntime> {
        self.runtimes.values()
    }

    /// The contents of volumes and container layers.
    pub fn files(&self) -> &Files {
        &self.files
    }

    pub(crate) fn files_mut(&mut self) -> &mut Files {
        &mut self.files
    }

    /// Folds a change made from outside the queue (a write through `kubectl exec`) into the
    /// trace hash, so runs that differ only in what they wrote differ in their trace.
    pub(crate) fn note(&mut self, what: &str) {
        self.fold_trace(self.now, &what);
    }

    /// Folds the line `"<ms> <what>"` into the trace hash (FNV-1a over its bytes), formatting
    /// straight into the hash: this runs once per step.
    fn fold_trace(&mut self, at: SimTime, what: &dyn fmt::Display) {
        struct Fnv(u64);
        impl fmt::Write for Fnv {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = s
                    .bytes()
                    .fold(self.0, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
                Ok(())
            }
        }
        let mut hash = Fnv(self.trace_hash);
        // Writing into the hash cannot fail.
        let _ = fmt::Write::write_fmt(&mut hash, format_args!("{} {what}", at.0));
        self.trace_hash = hash.0;
    }

    /// Images present on a node.
    pub fn node_images(&self, node: &str) -> impl Iterator<Item = &String> {
        self.node_images.get(node).into_iter().flatten()
    }

    /// Runs the next queued item, moving the clock to its time. Returns false when nothing is
    /// queued.
    pub fn step(&mut self) -> bool {
        if self.next_event_at().is_none() {
            return false;
        }
        let Some((at, work)) = self.queue.pop() else {
            return false;
        };
        if at > self.now {
            self.now = at;
            self.steps_at_instant = 0;
        }
        self.steps += 1;
        self.steps_at_instant += 1;
        self.fold_trace(at, &work);
        self.run(work);
        true
    }

    /// Runs every item due at or before `now + d`, then sets the clock to `now + d`.
    pub fn advance(&mut self, d: Dur) {
        self.advance_within(d, u64::MAX);
    }

    /// Like [`advance`](Self::advance), but once `budget` work items have run it stops at the
    /// end of the instant it is at, and returns how far the clock moved (all of `d` when the
    /// budget lasted). Every item due at that instant has run, so advancing the rest later
    /// builds the same world as advancing all of `d` at once: a page can spread a burst of
    /// work over several frames and still record plain advances.
    pub fn advance_within(&mut self, d: Dur, budget: u64) -> Dur {
        let start = self.now;
        let until = self.capped(self.now + d);
        let first = self.steps;
        while let Some(t) = self.queue.peek_time().filter(|&t| t <= until) {
            if self.steps - first >= budget && t > self.now {
                self.steps_at_instant = 0;
                return self.now.since(start);
            }
            // `step` refuses work beyond a horizon held below now, or beyond the end of time.
            if self.steps_at_instant > MAX_STEPS_PER_INSTANT || !self.step() {
                break;
            }
        }
        self.now = until;
        self.steps_at_instant = 0;
        until.since(start)
    }

    /// Runs everything already due at the current instant.
    pub fn run_due(&mut self) {
        self.advance(Dur::ZERO);
    }

    /// Runs until nothing is queued, or until `limit` of simulated time has passed.
    pub fn settle(&mut self, limit: Dur) -> Settled {
        let start = self.now;
        let steps = self.steps;
        let deadline = self.capped(start + limit);
        while let Some(t) = self.queue.peek_time() {
            // Work that `step` refuses (beyond a horizon held below now, or the end of time)
            // ends the run unsettled, like work beyond the deadline.
            if t > deadline
                || self.steps_at_instant > MAX_STEPS_PER_INSTANT
                || self.next_event_at().is_none()
            {
                self.now = self.now.max(deadline.min(t));
                let pending = self
                    .queue
                    .by_time
                    .iter()
                    .take(3)
                    .map(|((t, _), w)| format!("{w} at +{}", human_duration(t.since(start))))
                    .collect();
                return Settled {
                    settled: false,
                    elapsed: self.now.since(start),
                    steps: self.steps - steps,
                    pending,
                };
            }
            self.step();
        }
        Settled {
            settled: true,
            elapsed: self.now.since(start),
            steps: self.steps - steps,
            pending: Vec::new(),
        }
    }

    fn enqueue(&mut self, work: Work, after: Dur) {
        self.queue.push(work, self.now + after);
    }

    fn run(&mut self, work: Work) {
        let now = self.now;
        match work {
            Work::Sync(Component::DeploymentController, key) => {
                let r = deployment::reconcile(&self.store, &key, now);
                self.apply(
                    Component::DeploymentController,
                    r,
                    Work::Sync(Component::DeploymentController, key),
                );
            }
            Work::Sync(Component::ReplicaSetController, key) => {
                let r = replicaset::reconcile(&self.store, &key, now);
                self.apply(
                    Component::ReplicaSetController,
                    r,
                    Work::Sync(Component::ReplicaSetController, key),
                );
            }
            Work::Sync(Component::Scheduler, key) => {
                let r =
                    scheduler::reconcile(&self.store, &key, now, &mut self.scheduler_next_start);
                let failed = r
                    .actions
                    .iter()
                    .any(|a| matches!(a, Action::Event(e) if e.reason == "FailedScheduling"));
                if failed {
                    let e = self.unschedulable.entry(key.clone()).or_insert((0, now));
                    *e = (e.0 + 1, now);
                } else {
                    self.unschedulable.remove(&key);
                }
                self.apply(
                    Component::Scheduler,
                    r,
                    Work::Sync(Component::Scheduler, key),
                );
            }
            Work::Sync(Component::Kubelet, key) => self.run_kubelet(key),
            Work::Sync(Component::GarbageCollector | Component::Provisioner, _) => {}
            Work::Sync(Component::AttachDetachController, key) => {
                let r = attachdetach::reconcile(&self.store, &key, now);
                self.apply(
                    Component::AttachDetachController,
                    r,
                    Work::Sync(Component::AttachDetachController, key),
                );
            }
            Work::Sync(Component::PersistentVolumeController, key) => {
                let r = volume::reconcile(&self.store, &key, now);
                self.apply(
                    Component::PersistentVolumeController,
                    r,
                    Work::Sync(Component::PersistentVolumeController, key),
                );
            }
            Work::Sync(Component::EndpointController, key) => {
                let r = endpoints::reconcile(&self.store, &key, now);
                self.apply(
                    Component::EndpointController,
                    r,
                    Work::Sync(Component::EndpointController, key),
                );
            }
            Work::Sync(Component::EndpointSliceController, key) => {
                let r = endpointslice::reconcile(&self.store, &key, now);
                self.apply(
                    Component::EndpointSliceController,
                    r,
                    Work::Sync(Component::EndpointSliceController, key),
                );
            }
            Work::Sync(Component::StatefulSetController, key) => {
                let r = statefulset::reconcile(&self.store, &key, now);
                self.apply(
                    Component::StatefulSetController,
                    r,
                    Work::Sync(Component::StatefulSetController, key),
                );
            }
            Work::Sync(Component::NodeLifecycleController, key) => {
                let stopped = self.stopped_kubelets.get(&key.name).copied();
                let r = nodelifecycle::reconcile(&self.store, &key, stopped, now);
                self.apply(
                    Component::NodeLifecycleController,
                    r,
                    Work::Sync(Component::NodeLifecycleController, key),
                );
            }
            Work::Sync(Component::TaintEvictionController, key) => {
                let scheduled = self.taint_evictions.get(&key).copied();
                let out = tainteviction::reconcile(&self.store, &key, scheduled, now);
                match out.scheduled {
                    Some(t) => self.taint_evictions.insert(key.clone(), t),
                    None => self.taint_evictions.remove(&key),
                };
                self.apply(
                    Component::TaintEvictionController,
                    out.reconcile,
                    Work::Sync(Component::TaintEvictionController, key),
                );
            }
            Work::Sync(Component::DisruptionController, key) => {
                let r = disruption::reconcile(&self.store, &key, now);
                self.apply(
                    Component::DisruptionController,
                    r,
                    Work::Sync(Component::DisruptionController, key),
                );
            }
            Work::Sync(Component::PodGarbageCollector, key) => {
                let r = podgc::reconcile(&self.store, &key, now);
                self.apply(
                    Component::PodGarbageCollector,
                    r,
                    Work::Sync(Component::PodGarbageCollector, key),
                );
            }
            Work::Sync(Component::DaemonSetController, key) => {
                let r = daemonset::reconcile(&self.store, &key, now);
                self.apply(
                    Component::DaemonSetController,
                    r,
                    Work::Sync(Component::DaemonSetController, key),
                );
            }
            Work::Gc(r) => {
                let rec = gc::reconcile(&self.store, &r, now);
                self.apply(Component::GarbageCollector, rec, Work::Gc(r));
            }
        }
    }

    fn run_kubelet(&mut self, key: Key) {
        let Some(pod) = self.store.pods.shared(&key) else {
            return;
        };
        let Some(node) = podutil::node_name(&pod).map(String::from) else {
            return;
        };
        if self.stopped_kubelets.contains_key(&node) {
            // A stopped kubelet does nothing: its containers stay as they are.
            return;
        }
        let Some(node_obj) = self.store.nodes.shared(&Key::cluster(node.clone())) else {
            return;
        };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if !self.runtimes.contains_key(&uid) {
            if pod.metadata.deletion_timestamp.is_some() {
                // Never started here: nothing to stop.
                let _ = self.store.remove::<Pod>(&key, self.now);
                self.route_changes();
                return;
            }
            let host_ip = cluster::internal_ip(&node_obj);
            let ip = self.allocate_pod_ip(&node_obj);
            self.runtimes.insert(
                uid.clone(),
                PodRuntime::admit(&pod, &node, host_ip, ip, self.now),
            );
        }
        let empty = BTreeSet::new();
        let images = self.node_images.get(&node).unwrap_or(&empty);
        let out = kubelet::reconcile(&self.store, &key, self.runtimes.get(&uid), images, self.now);
        match out.runtime {
            Some(rt) => {
                self.runtimes.insert(uid.clone(), rt);
            }
            None => {
                self.runtimes.remove(&uid);
            }
        }
        for image in out.pulled {
            self.node_images
                .entry(node.clone())
                .or_default()
                .insert(image);
        }
        self.apply(
            Component::Kubelet,
            out.reconcile,
            Work::Sync(Component::Kubelet, key),
        );
    }

    fn allocate_pod_ip(&mut self, node: &Node) -> String {
        let name = node.metadata.name.clone().unwrap_or_default();
        let cidr = node
            .spec
            .as_ref()
            .and_then(|s| s.pod_cidr.clone())
            .unwrap_or_else(|| "10.244.0.0/24".into());
        let base: Vec<&str> = cidr
            .split('/')
            .next()
            .unwrap_or("10.244.0.0")
            .split('.')
            .collect();
        let n = self.next_pod_ip.entry(name).or_insert(1);
        *n = if *n >= 254 { 2 } else { *n + 1 };
        format!(
            "{}.{}.{}.{}",
            base.first().unwrap_or(&"10"),
            base.get(1).unwrap_or(&"244"),
            base.get(2).unwrap_or(&"0"),
            n
        )
    }

    /// Applies a reconcile result and routes the changes it made.
    fn apply(&mut self, component: Component, r: Reconcile, again: Work) {
        let now = self.now;
        for action in r.actions {
            match action {
                Action::Create { object, event } => {
                    let name = self.create_object(object);
                    if let (Some(name), Some(mut e)) = (name, event) {
                        e.message = e.message.replace("{name}", &name);
                        self.record_event(e);
                    }
                }
                Action::Update(obj) => {
                    let _ = self.update_object(obj, false);
                }
                Action::UpdateStatus(obj) => {
                    let _ = self.update_object(obj, true);
                }
                Action::Delete {
                    kind,
                    key,
                    grace_seconds,
                    propagation,
                    event,
                } => {
                    if self
                        .delete_object(kind, &key, grace_seconds, propagation)
                        .is_ok()
                    {
                        if let Some(e) = event {
                            self.record_event(e);
                        }
                    }
                }
                Action::Remove { kind, key } => {
                    let _ = match kind {
                        Kind::Pod => self.store.remove::<Pod>(&key, now).map(|_| ()),
                        Kind::ReplicaSet => self.store.remove::<ReplicaSet>(&key, now).map(|_| ()),
                        Kind::Deployment => self.store.remove::<Deployment>(&key, now).map(|_| ()),
                        Kind::PersistentVolume => {
                            self.store.remove::<PersistentVolume>(&key, now).map(|_| ())
                        }
                        Kind::PersistentVolumeClaim => self
                            .store
                            .remove::<PersistentVolumeClaim>(&key, now)
                            .map(|_| ()),
                        Kind::Service => self.store.remove::<Service>(&key, now).map(|_| ()),
                        Kind::Endpoints => self.store.remove::<Endpoints>(&key, now).map(|_| ()),
                        Kind::EndpointSlice => {
                            self.store.remove::<EndpointSlice>(&key, now).map(|_| ())
                        }
                        Kind::StatefulSet => {
                            self.store.remove::<StatefulSet>(&key, now).map(|_| ())
                        }
                        Kind::ControllerRevision => self
                            .store
                            .remove::<ControllerRevision>(&key, now)
                            .map(|_| ()),
                        Kind::PodDisruptionBudget => self
                            .store
                            .remove::<PodDisruptionBudget>(&key, now)
                            .map(|_| ()),
                        Kind::DaemonSet => self.store.remove::<DaemonSet>(&key, now).map(|_| ()),
                        _ => Ok(()),
                    };
                }
                Action::Event(e) => self.record_event(e),
            }
            self.route_changes();
        }
        if let Some(after) = r.requeue_after {
            self.enqueue(again, after);
        }
        let _ = component;
    }

    /// Creates an object, naming it from `generateName` when needed. Returns its name.
    pub(crate) fn create_object(&mut self, mut object: Object) -> Option<String> {
        let now = self.now;
        let generate = object.meta().name.is_none() && object.meta().generate_name.is_some();
        for _ in 0..8 {
            if generate {
                let prefix = object.meta().generate_name.clone().unwrap_or_default();
                let suffix = self.rng.name_suffix(5);
                object.meta_mut().name = Some(format!("{prefix}{suffix}"));
            }
            let name = object.meta().name.clone().unwrap_or_default();
            let res = match object.clone() {
                Object::Namespace(o) => self.store.create(o, now).map(|_| ()),
                Object::Node(o) => self.store.create(o, now).map(|_| ()),
                Object::Pod(mut o) => {
                    // The API server starts every pod in phase Pending with its QoS class.
                    let qos = kubelet::qos_class(&o).to_string();
                    if let Some(spec) = o.spec.as_mut() {
                        crate::manifest::defaults::admit_pod(spec);
                    }
                    let st = o.status.get_or_insert_with(Default::default);
                    st.phase.get_or_insert_with(|| "Pending".into());
                    st.qos_class.get_or_insert(qos);
                    self.store.create(o, now).map(|_| ())
                }
                Object::ReplicaSet(o) => self.store.create(o, now).map(|_| ()),
                Object::Deployment(o) => self.store.create(o, now).map(|_| ()),
                Object::StorageClass(o) => self.store.create(o, now).map(|_| ()),
                Object::PersistentVolume(mut o) => {
                    // StorageObjectInUseProtection admission, and phase Pending until synced.
                    protect(&mut o.metadata, volume::PV_PROTECTION);
                    o.status
                        .get_or_insert_with(Default::default)
                        .phase
                        .get_or_insert_with(|| "Pending".into());
                    self.store.create(o, now).map(|_| ())
                }
                Object::PersistentVolumeClaim(mut o) => {
                    // DefaultStorageClass and StorageObjectInUseProtection admission.
                    let spec = o.spec.get_or_insert_with(Default::default);
                    if spec.storage_class_name.is_none() {
                        spec.storage_class_name = volume::default_class(&self.store)
                            .and_then(|c| c.metadata.name.clone());
                    }
                    protect(&mut o.metadata, volume::PVC_PROTECTION);
                    o.status
                        .get_or_insert_with(Default::default)
                        .phase
                        .get_or_insert_with(|| "Pending".into());
                    self.store.create(o, now).map(|_| ())
                }
                Object::Service(mut o) => {
                    service_registry::allocate(&self.store, self.seed, &mut o);
                    o.status
                        .get_or_insert_with(Default::default)
                        .load_balancer
                        .get_or_insert_with(Default::default);
                    self.store.create(o, now).map(|_| ())
                }
                Object::Endpoints(o) => self.store.create(o, now).map(|_| ()),
                Object::EndpointSlice(o) => self.store.create(o, now).map(|_| ()),
                Object::StatefulSet(o) => self.store.create(o, now).map(|_| ()),
                Object::ControllerRevision(o) => self.store.create(o, now).map(|_| ()),
                Object::PodDisruptionBudget(mut o) => {
                    // The registry's PrepareForCreate starts the status empty.
                    o.status = Some(Default::default());
                    self.store.create(o, now).map(|_| ())
                }
                Object::DaemonSet(o) => self.store.create(o, now).map(|_| ()),
            };
            match res {
                Ok(()) => return Some(name),
                Err(StoreError::AlreadyExists { .. }) if generate => continue,
                Err(_) => return None,
            }
        }
        None
    }

    pub(crate) fn update_object(&mut self, object: Object, status: bool) -> Result<(), StoreError> {
        let now = self.now;
        macro_rules! write {
            ($o:expr) => {
                if status {
                    self.store.update_status($o, now).map(|_| ())
                } else {
                    self.store.update($o, now).map(|_| ())
                }
            };
        }
        match object {
            Object::Namespace(o) => write!(o),
            Object::Node(o) => write!(o),
            Object::Pod(o) => write!(o),
            Object::ReplicaSet(o) => write!(o),
            Object::Deployment(o) => write!(o),
            Object::StorageClass(o) => write!(o),
            Object::PersistentVolume(o) => write!(o),
            Object::PersistentVolumeClaim(o) => write!(o),
            Object::Service(mut o) => {
                service_registry::allocate(&self.store, self.seed, &mut o);
                write!(o)
            }
            Object::Endpoints(o) => write!(o),
            Object::EndpointSlice(o) => write!(o),
            Object::StatefulSet(o) => write!(o),
            Object::ControllerRevision(o) => write!(o),
            Object::PodDisruptionBudget(o) => write!(o),
            Object::DaemonSet(o) => write!(o),
        }
    }

    /// Deletes an object as the API server would (see [`Store::delete`]). An unbound pod goes at
    /// once; a bound one waits for its kubelet.
    pub(crate) fn delete_object(
        &mut self,
        kind: Kind,
        key: &Key,
        grace: Option<i64>,
        propagation: Propagation,
    ) -> Result<Deleted, StoreError> {
        let now = self.now;
        match kind {
            Kind::Pod => {
                let pod = self
                    .store
                    .pods
                    .get(key)
                    .ok_or_else(|| StoreError::NotFound {
                        kind,
                        name: key.name.clone(),
                    })?;
                // The API server deletes at once only what no kubelet can be running: a pod
                // not yet admitted by a live kubelet. One bound to a stopped or vanished
                // kubelet waits for it (or for the pod garbage collector).
                let bound = podutil::node_name(pod).is_some_and(|n| {
                    self.runtimes
                        .contains_key(pod.metadata.uid.as_deref().unwrap_or_default())
                        || self.stopped_kubelets.contains_key(n)
                        || self.store.nodes.get(&Key::cluster(n)).is_none()
                });
                let grace = if bound {
                    grace
                        .or(pod
                            .spec
                            .as_ref()
                            .and_then(|s| s.termination_grace_period_seconds))
                        .or(Some(30))
                } else {
                    Some(0)
                };
                self.store.delete::<Pod>(key, now, grace, propagation)
            }
            Kind::ReplicaSet => self.store.delete::<ReplicaSet>(key, now, None, propagation),
            Kind::Deployment => self.store.delete::<Deployment>(key, now, None, propagation),
            Kind::Node => self.store.delete::<Node>(key, now, None, propagation),
            Kind::Namespace => self.store.delete::<Namespace>(key, now, None, propagation),
            Kind::Event => self.store.delete::<Event>(key, now, None, propagation),
            Kind::StorageClass => self
                .store
                .delete::<StorageClass>(key, now, None, propagation),
            Kind::PersistentVolume => {
                self.store
                    .delete::<PersistentVolume>(key, now, None, propagation)
            }
            Kind::PersistentVolumeClaim => {
                self.store
                    .delete::<PersistentVolumeClaim>(key, now, None, propagation)
            }
            Kind::Service => self.store.delete::<Service>(key, now, None, propagation),
            Kind::Endpoints => self.store.delete::<Endpoints>(key, now, None, propagation),
            Kind::EndpointSlice => self
                .store
                .delete::<EndpointSlice>(key, now, None, propagation),
            Kind::StatefulSet => self
                .store
                .delete::<StatefulSet>(key, now, None, propagation),
            Kind::ControllerRevision => {
                self.store
                    .delete::<ControllerRevision>(key, now, None, propagation)
            }
            Kind::PodDisruptionBudget => {
                self.store
                    .delete::<PodDisruptionBudget>(key, now, None, propagation)
            }
            Kind::DaemonSet => self.store.delete::<DaemonSet>(key, now, None, propagation),
        }
    }

    /// Records an event, aggregating repeats (same object, reason, message and source) into
    /// one Event object with a count, as the event recorder does.
    pub(crate) fn record_event(&mut self, e: EventRecord) {
        let now = self.now;
        let ns = if e.regarding.kind.namespaced() {
            e.regarding.key.namespace.clone()
        } else {
            "default".to_string()
        };
        let agg = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (
                &e.regarding.uid,
                e.component.event_source(),
                &e.reason,
                &e.regarding.field_path,
                &e.message,
                e.warning,
            )
                .hash(&mut h);
            h.finish()
        };
        let key_for = |stamp: u64| Key::new(&ns, format!("{}.{stamp:x}", e.regarding.key.name));
        if let Some(k) = self.event_index.get(&agg).map(|s| key_for(*s)) {
            let same = self.store.events.get(&k).is_some_and(|ev| {
                ev.involved_object.uid.as_ref() == Some(&e.regarding.uid)
                    && ev.source.as_ref().and_then(|s| s.component.as_deref())
                        == Some(e.component.event_source())
                    && ev.reason.as_ref() == Some(&e.reason)
                    && ev.involved_object.field_path == e.regarding.field_path
                    && ev.message.as_ref() == Some(&e.message)
                    && (ev.type_.as_deref() == Some("Warning")) == e.warning
            });
            if same {
                let _ = self.store.modify::<Event>(&k, now, |ev| {
                    ev.count = Some(ev.count.unwrap_or(1) + 1);
                    ev.last_timestamp = Some(now.to_k8s());
                });
                return;
            }
        }
        self.event_seq += 1;
        let stamp = (crate::time::EPOCH_UNIX_SECS as u64 * 1_000_000_000 + now.0 * 1_000_000)
            + self.event_seq;
        let key = key_for(stamp);
        let host = if e.component == Component::Kubelet {
            self.store
                .pods
                .get(&e.regarding.key)
                .and_then(podutil::node_name)
                .map(String::from)
        } else {
            None
        };
        let event = Event {
            metadata: ObjectMeta {
                name: Some(key.name),
                namespace: Some(ns),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some(e.regarding.kind.api_version().into()),
                kind: Some(e.regarding.kind.name().into()),
                name: Some(e.regarding.key.name.clone()),
                namespace: e
                    .regarding
                    .kind
                    .namespaced()
                    .then(|| e.regarding.key.namespace.clone()),
                uid: Some(e.regarding.uid.clone()),
                field_path: e.regarding.field_path.clone(),
                ..Default::default()
            },
            reason: Some(e.reason.clone()),
            message: Some(e.message.clone()),
            source: Some(EventSource {
                component: Some(e.component.event_source().into()),
                host: host.clone(),
            }),
            first_timestamp: Some(now.to_k8s()),
            last_timestamp: Some(now.to_k8s()),
            count: Some(1),
            type_: Some(if e.warning { "Warning" } else { "Normal" }.into()),
            reporting_component: Some(e.component.event_source().into()),
            reporting_instance: Some(host.unwrap_or_else(|| e.component.event_source().into())),
            ..Default::default()
        };
        if self.store.create(event, now).is_ok() {
            self.event_index.insert(agg, stamp);
        }
    }

    /// Routes every change the store recorded to the components watching it.
    pub(crate) fn route_changes(&mut self) {
        for change in self.store.take_changes() {
            self.route(change);
        }
    }

    fn controller_key_for_uid(&self, uid: &str, kind: Kind) -> Option<Key> {
        self.store
            .by_uid(uid)
            .filter(|r| r.kind == kind)
            .map(|r| r.key.clone())
    }

    fn route(&mut self, c: Change) {
        let key = c.key.clone();
        let this = ObjRef {
            kind: c.kind,
            key: key.clone(),
        };
        match c.kind {
            Kind::Deployment => {
                self.assign_color(&c);
                self.enqueue(Work::Sync(Component::DeploymentController, key), Dur::ZERO);
                self.route_gc(&c, this);
            }
            Kind::ReplicaSet => {
                if c.owners.is_empty() || c.op == ChangeType::Deleted {
                    self.assign_color(&c);
                }
                self.enqueue(
                    Work::Sync(Component::ReplicaSetController, key.clone()),
                    Dur::ZERO,
                );
                let mut owners = 0;
                for uid in &c.owners {
                    if let Some(d) = self.controller_key_for_uid(uid, Kind::Deployment) {
                        owners += 1;
                        self.enqueue(Work::Sync(Component::DeploymentController, d), Dur::ZERO);
                    }
                }
                if owners == 0 && c.op != ChangeType::Deleted {
                    self.wake_selecting_deployments(&key.namespace, &c.labels);
                }
                self.route_gc(&c, this);
            }
            Kind::StatefulSet => {
                self.assign_color(&c);
                self.enqueue(Work::Sync(Component::StatefulSetController, key), Dur::ZERO);
                self.route_gc(&c, this);
            }
            Kind::DaemonSet => {
                self.assign_color(&c);
                self.enqueue(Work::Sync(Component::DaemonSetController, key), Dur::ZERO);
                self.route_gc(&c, this);
            }
            Kind::ControllerRevision => {
                let mut owned = false;
                for uid in &c.owners {
                    if let Some(s) = self.controller_key_for_uid(uid, Kind::StatefulSet) {
                        owned = true;
                        self.enqueue(Work::Sync(Component::StatefulSetController, s), Dur::ZERO);
                    }
                    if let Some(d) = self.controller_key_for_uid(uid, Kind::DaemonSet) {
                        owned = true;
                        self.enqueue(Work::Sync(Component::DaemonSetController, d), Dur::ZERO);
                    }
                }
                if !owned && c.op != ChangeType::Deleted {
                    self.wake_selecting_stateful_sets(&key.namespace, &c.labels);
                    self.wake_selecting_daemon_sets(&key.namespace, &c.labels);
                }
                self.route_gc(&c, this);
            }
            Kind::Pod => {
                let pod = self.store.pods.shared(&key);
                let mut owned = false;
                for uid in &c.owners {
                    if let Some(s) = self.controller_key_for_uid(uid, Kind::StatefulSet) {
                        owned = true;
                        self.enqueue(
                            Work::Sync(Component::StatefulSetController, s),
                            POD_EVENT_BATCH,
                        );
                    }
                    if let Some(d) = self.controller_key_for_uid(uid, Kind::DaemonSet) {
                        owned = true;
                        self.enqueue(
                            Work::Sync(Component::DaemonSetController, d),
                            POD_EVENT_BATCH,
                        );
                    }
                    if let Some(rs) = self.controller_key_for_uid(uid, Kind::ReplicaSet) {
                        owned = true;
                        self.enqueue(
                            Work::Sync(Component::ReplicaSetController, rs.clone()),
                            POD_EVENT_BATCH,
                        );
                        // The Deployment hears of its pods through its ReplicaSets' status, so
                        // that it never acts on a count older than the pods. The one exception,
                        // as upstream: a Recreate Deployment waits for its last old pod to go.
                        if c.op == ChangeType::Deleted {
                            if let Some(dk) = self
                                .store
                                .replicasets
                                .get(&rs)
                                .and_then(|r| crate::store::controller_ref(&r.metadata))
                                .and_then(|r| self.controller_key_for_uid(&r.uid, Kind::Deployment))
                                .filter(|dk| {
                                    self.store.deployments.get(dk).is_some_and(|d| {
                                        d.spec.strategy.as_ref().and_then(|s| s.type_.as_deref())
                                            == Some("Recreate")
                                    })
                                })
                            {
                                self.enqueue(
                                    Work::Sync(Component::DeploymentController, dk),
                                    Dur::ZERO,
                                );
                            }
                        }
                    }
                }
                if !owned && c.op != ChangeType::Deleted {
                    self.wake_selecting_replica_sets(&key.namespace, &c.labels);
                    self.wake_selecting_stateful_sets(&key.namespace, &c.labels);
                    self.wake_selecting_daemon_sets(&key.namespace, &c.labels);
                }
                match &pod {
                    Some(p) if podutil::node_name(p).is_none() => {
                        if c.op == ChangeType::Added {
                            self.enqueue(Work::Sync(Component::Scheduler, key.clone()), Dur::ZERO);
                        }
                    }
                    Some(_) => self.enqueue(Work::Sync(Component::Kubelet, key.clone()), Dur::ZERO),
                    None => {
                        self.unschedulable.remove(&key);
                        self.runtimes.remove(&c.uid);
                        self.files.forget_pod(&c.uid);
                        self.retry_unschedulable();
                        // A claim deleted while this pod used it may now lose its protection.
                        let terminating: Vec<Key> = self
                            .store
                            .persistentvolumeclaims
                            .in_namespace(&key.namespace)
                            .filter(|c| c.metadata.deletion_timestamp.is_some())
                            .map(|c| Key::of(&c.metadata))
                            .collect();
                        for k in terminating {
                            self.enqueue(
                                Work::Sync(Component::PersistentVolumeController, k),
                                Dur::ZERO,
                            );
                        }
                    }
                }
                if pod.as_deref().is_some_and(podutil::is_terminal) {
                    self.retry_unschedulable();
                }
                self.route_pod_node(&key, pod.as_deref());
                self.wake_budgets(&key.namespace, &c.labels);
                self.route_pod_volumes(pod.as_deref());
                self.wake_selecting_services(&key.namespace, &c.labels);
                self.route_gc(&c, this);
            }
            Kind::Node => {
                self.retry_unschedulable();
                // The daemonset-controller watches every node (addNode/updateNode/deleteNode).
                let daemon_sets: Vec<Key> = self.store.daemonsets.keys().cloned().collect();
                for k in daemon_sets {
                    self.enqueue(Work::Sync(Component::DaemonSetController, k), Dur::ZERO);
                }
                if c.op == ChangeType::Deleted {
                    self.node_images.remove(&key.name);
                    self.files.forget_node(&key.name);
                    self.stopped_kubelets.remove(&key.name);
                    // gcOrphaned: the node's pods go once it has stayed gone.
                    self.enqueue(
                        Work::Sync(Component::PodGarbageCollector, key.clone()),
                        podgc::QUARANTINE,
                    );
                } else if podgc::out_of_service(&self.store, &key.name) {
                    self.enqueue(
                        Work::Sync(Component::PodGarbageCollector, key.clone()),
                        Dur::ZERO,
                    );
                }
                self.route_node_lifecycle(&key.name);
                self.route_node_volumes(&key.name);
            }
            Kind::Namespace | Kind::Event => {}
            Kind::PodDisruptionBudget => {
                self.enqueue(Work::Sync(Component::DisruptionController, key), Dur::ZERO);
            }
            Kind::PersistentVolumeClaim => {
                let sync = |k: Key| Work::Sync(Component::PersistentVolumeController, k);
                self.enqueue(sync(key.clone()), Dur::ZERO);
                self.wake_claim_users(&key.namespace, &key.name);
                // A StatefulSet whose claim changed (a Pending pod may need it back, a stale
                // claim may be gone).
                for s in statefulset::sets_for_claim(&self.store, &key) {
                    self.enqueue(Work::Sync(Component::StatefulSetController, s), Dur::ZERO);
                }
                self.route_gc(&c, this);
                // The volume it is bound to (or was: a deleted claim releases its volume).
                let volumes: Vec<Key> = self
                    .store
                    .persistentvolumes
                    .iter()
                    .filter(|v| {
                        v.spec
                            .as_ref()
                            .and_then(|s| s.claim_ref.as_ref())
                            .is_some_and(|r| {
                                r.name.as_deref() == Some(key.name.as_str())
                                    && r.namespace.as_deref() == Some(key.namespace.as_str())
                            })
                    })
                    .map(|v| Key::of(&v.metadata))
                    .collect();
                for v in volumes {
                    self.enqueue(sync(v), Dur::ZERO);
                }
            }
            Kind::PersistentVolume => {
                self.enqueue(
                    Work::Sync(Component::PersistentVolumeController, key.clone()),
                    Dur::ZERO,
                );
                self.wake_attach(&key.name, false);
                if c.op == ChangeType::Deleted {
                    // The volume's data goes with it.
                    self.files.forget_volume(&key.name);
                }
                let pv = self.store.persistentvolumes.get(&key);
                let claim = pv
                    .and_then(|v| v.spec.as_ref())
                    .and_then(|s| s.claim_ref.as_ref())
                    .map(|r| {
                        Key::new(
                            r.namespace.clone().unwrap_or_default(),
                            r.name.clone().unwrap_or_default(),
                        )
                    });
                match claim {
                    Some(k) if !k.namespace.is_empty() => {
                        self.wake_claim_users(&k.namespace, &k.name);
                        self.enqueue(
                            Work::Sync(Component::PersistentVolumeController, k),
                            Dur::ZERO,
                        )
                    }
                    // A free (or deleted) volume may be what an unbound claim waits for.
                    _ => self.wake_unbound_claims(None),
                }
            }
            Kind::StorageClass => {
                if c.op != ChangeType::Deleted {
                    self.wake_unbound_claims(Some(&key.name));
                }
            }
            Kind::Service => {
                self.enqueue(
                    Work::Sync(Component::EndpointController, key.clone()),
                    Dur::ZERO,
                );
                self.enqueue(
                    Work::Sync(Component::EndpointSliceController, key.clone()),
                    Dur::ZERO,
                );
                self.route_gc(&c, this);
            }
            Kind::Endpoints => {
                // onEndpointsDelete: a Service's Endpoints deleted by hand come back.
                if c.op == ChangeType::Deleted {
                    self.enqueue(Work::Sync(Component::EndpointController, key), Dur::ZERO);
                }
            }
            Kind::EndpointSlice => {
                // A managed slice changed or went: its Service's slices are looked at again.
                let services: BTreeSet<String> = c
                    .labels
                    .iter()
                    .filter(|l| {
                        l.get(endpointslice::LABEL_MANAGED_BY).map(String::as_str)
                            == Some(endpointslice::MANAGED_BY)
                    })
                    .filter_map(|l| l.get(endpointslice::LABEL_SERVICE_NAME).cloned())
                    .collect();
                for svc in services {
                    self.enqueue(
                        Work::Sync(
                            Component::EndpointSliceController,
                            Key::new(key.namespace.clone(), svc),
                        ),
                        Dur::ZERO,
                    );
                }
                self.route_gc(&c, this);
            }
        }
    }

    /// A node changed: the lifecycle controller if its conditions or taints call for it, and
    /// the taint eviction controller for its pods if it has NoExecute taints or evictions are
    /// pending there.
    fn route_node_lifecycle(&mut self, node: &str) {
        let stopped = self.stopped_kubelets.get(node).copied();
        if self
            .store
            .nodes
            .get(&Key::cluster(node))
            .is_some_and(|n| nodelifecycle::wants(n, stopped))
        {
            self.enqueue(
                Work::Sync(Component::NodeLifecycleController, Key::cluster(node)),
                Dur::ZERO,
            );
        }
        let tainted = tainteviction::node_has_no_execute(&self.store, node);
        let pods: Vec<Key> = self
            .store
            .pods
            .iter()
            .filter(|p| podutil::node_name(p) == Some(node))
            .map(|p| Key::of(&p.metadata))
            .filter(|k| tainted || self.taint_evictions.contains_key(k))
            .collect();
        for k in pods {
            self.enqueue(Work::Sync(Component::TaintEvictionController, k), Dur::ZERO);
        }
    }

    /// A pod changed: the taint eviction controller looks at it if its node has NoExecute
    /// taints (or it had an eviction pending); the pod garbage collector if it is bound to a
    /// node that does not exist.
    fn route_pod_node(&mut self, key: &Key, pod: Option<&Pod>) {
        let Some(node) = pod.and_then(podutil::node_name) else {
            self.taint_evictions.remove(key);
            return;
        };
        // One lookup of the node for both questions: this runs for every write of a bound pod.
        let bound_to = self.store.nodes.get(&Key::cluster(node));
        let exists = bound_to.is_some();
        if bound_to.is_some_and(tainteviction::has_no_execute)
            || self.taint_evictions.contains_key(key)
        {
            self.enqueue(
                Work::Sync(Component::TaintEvictionController, key.clone()),
                Dur::ZERO,
            );
        }
        if !exists {
            self.enqueue(
                Work::Sync(Component::PodGarbageCollector, Key::cluster(node)),
                podgc::QUARANTINE,
            );
        }
    }

    /// Wakes the disruption controller for the budgets selecting a pod's old or new labels.
    fn wake_budgets(&mut self, ns: &str, labels: &[BTreeMap<String, String>]) {
        let mut keys: BTreeSet<Key> = BTreeSet::new();
        for l in labels {
            for b in disruption::budgets_for(&self.store, ns, l) {
                keys.insert(Key::of(&b.metadata));
            }
        }
        for k in keys {
            self.enqueue(Work::Sync(Component::DisruptionController, k), Dur::ZERO);
        }
    }

    /// Wakes the endpoint controllers for the Services whose selector matches a pod's labels
    /// before or after its change.
    fn wake_selecting_services(&mut self, ns: &str, labels: &[BTreeMap<String, String>]) {
        let keys: Vec<Key> = self
            .store
            .services
            .in_namespace(ns)
            .filter(|s| labels.iter().any(|l| endpoints::selects(s, l)))
            .map(|s| Key::of(&s.metadata))
            .collect();
        for k in keys {
            self.enqueue(
                Work::Sync(Component::EndpointController, k.clone()),
                Dur::ZERO,
            );
            self.enqueue(Work::Sync(Component::EndpointSliceController, k), Dur::ZERO);
        }
    }

    /// A claim (or its volume) changed: the scheduler reconsiders unbound pods using it (after
    /// their back-off, if they failed before), kubelets recheck bound ones, and the attach/detach
    /// controller rechecks its volume.
    fn wake_claim_users(&mut self, ns: &str, claim: &str) {
        let users: Vec<(Key, bool)> = self
            .store
            .pods
            .in_namespace(ns)
            .filter(|p| volumebinding::uses_claim(p, claim))
            .map(|p| (Key::of(&p.metadata), podutil::node_name(p).is_some()))
            .collect();
        for (k, bound) in users {
            if bound {
                self.enqueue(Work::Sync(Component::Kubelet, k), Dur::ZERO);
            } else {
                let at = match self.unschedulable.get(&k) {
                    Some((attempts, last)) => {
                        let backoff =
                            Dur::secs((1u64 << (attempts.saturating_sub(1)).min(4)).min(10));
                        (*last + backoff).max(self.now)
                    }
                    None => self.now,
                };
                self.queue.push(Work::Sync(Component::Scheduler, k), at);
            }
        }
        let pv = self
            .store
            .persistentvolumeclaims
            .get(&Key::new(ns, claim))
            .and_then(|c| c.spec.as_ref())
            .and_then(|s| s.volume_name.clone())
            .filter(|v| !v.is_empty());
        if let Some(pv) = pv {
            self.wake_attach(&pv, false);
        }
    }

    /// Wakes the attach/detach controller for a volume, if it has anything to do with it: the
    /// volume is attachable and used by a pod, or attached somewhere.
    ///
    /// `in_use`: the volume is already known to be used by a pod or attached to a node.
    fn wake_attach(&mut self, pv: &str, in_use: bool) {
        let relevant = match self.store.persistentvolumes.get(&Key::cluster(pv)) {
            Some(v) => {
                attachdetach::attachable(v)
                    && (in_use
                        || attachdetach::is_desired(&self.store, v)
                        || !attachdetach::attached_nodes(&self.store, pv).is_empty())
            }
            None => in_use || !attachdetach::attached_nodes(&self.store, pv).is_empty(),
        };
        if relevant {
            self.enqueue(
                Work::Sync(Component::AttachDetachController, Key::cluster(pv)),
                attachdetach::ATTACH_DELAY,
            );
        }
    }

    /// A pod changed (or went away): the attach/detach controller rechecks the volumes it uses,
    /// and every volume currently attached (a removed pod may have released one).
    fn route_pod_volumes(&mut self, pod: Option<&Pod>) {
        // Each volume, and whether it is known to be in use: this pod needs it attached, or it
        // is attached somewhere. Then the controller has work whatever the other pods do, and
        // they need not be looked through.
        let mut volumes: BTreeMap<String, bool> = BTreeMap::new();
        match pod {
            Some(p) => {
                for (_, pv) in attachdetach::pod_volumes(&self.store, p) {
                    if let Some(name) = &pv.metadata.name {
                        let used = attachdetach::is_user(&self.store, pv, p);
                        *volumes.entry(name.clone()).or_default() |= used;
                    }
                }
            }
            None => {
                for n in self.store.nodes.iter() {
                    for v in n
                        .status
                        .as_ref()
                        .and_then(|s| s.volumes_attached.as_ref())
                        .into_iter()
                        .flatten()
                    {
                        if let Some(pv) = attachdetach::pv_of_unique_name(&v.name) {
                            volumes.insert(pv.to_string(), true);
                        }
                    }
                }
            }
        }
        for (v, in_use) in volumes {
            self.wake_attach(&v, in_use);
        }
    }

    /// A node changed: kubelets of its pods that use claims recheck their volumes, and the
    /// attach/detach controller rechecks volumes attached there (the kubelet may have unmounted
    /// one).
    fn route_node_volumes(&mut self, node: &str) {
        let pods: Vec<Key> = self
            .store
            .pods
            .iter()
            .filter(|p| podutil::node_name(p) == Some(node) && volumebinding::uses_claims(p))
            .map(|p| Key::of(&p.metadata))
            .collect();
        for k in pods {
            self.enqueue(Work::Sync(Component::Kubelet, k), Dur::ZERO);
        }
        let attached: Vec<String> = self
            .store
            .nodes
            .get(&Key::cluster(node))
            .and_then(|n| n.status.as_ref())
            .and_then(|s| s.volumes_attached.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|v| attachdetach::pv_of_unique_name(&v.name).map(String::from))
            .collect();
        for v in attached {
            self.wake_attach(&v, true);
        }
    }

    /// Wakes the claims that have no volume yet (of one class, or all).
    fn wake_unbound_claims(&mut self, class: Option<&str>) {
        let keys: Vec<Key> = self
            .store
            .persistentvolumeclaims
            .iter()
            .filter(|c| {
                let spec = c.spec.as_ref();
                spec.and_then(|s| s.volume_name.as_deref())
                    .is_none_or(str::is_empty)
                    && class.is_none_or(|n| {
                        spec.and_then(|s| s.storage_class_name.as_deref()) == Some(n)
                    })
            })
            .map(|c| Key::of(&c.metadata))
            .collect();
        for k in keys {
            self.enqueue(
                Work::Sync(Component::PersistentVolumeController, k),
                Dur::ZERO,
            );
        }
    }

    fn assign_color(&mut self, c: &Change) {
        match c.op {
            ChangeType::Added => {
                self.workload_colors.insert(c.uid.clone(), self.next_color);
                self.next_color += 1;
            }
            ChangeType::Deleted => {
                self.workload_colors.remove(&c.uid);
            }
            ChangeType::Modified => {}
        }
    }

    /// The palette slot of a workload (by uid), if it has one; see [`crate::view::PALETTE_SIZE`].
    pub fn workload_color(&self, uid: &str) -> Option<usize> {
        self.workload_colors
            .get(uid)
            .map(|n| n % crate::view::PALETTE_SIZE)
    }

    /// Garbage-collector interest: dependents of a deleted owner, an owner finishing a
    /// foreground or orphan deletion, and new dependents whose owners may already be gone.
    fn route_gc(&mut self, c: &Change, this: ObjRef) {
        match c.op {
            ChangeType::Deleted => {
                for dep in gc::dependents(&self.store, &c.uid) {
                    self.enqueue(Work::Gc(dep), Dur::ZERO);
                }
                for uid in &c.owners {
                    if let Some(owner) = self.store.by_uid(uid).cloned() {
                        self.enqueue(Work::Gc(owner), Dur::ZERO);
                    }
                }
            }
            ChangeType::Added => {
                if !c.owners.is_empty() && c.owners.iter().any(|u| self.store.by_uid(u).is_none()) {
                    self.enqueue(Work::Gc(this), Dur::ZERO);
                }
            }
            ChangeType::Modified => {
                let deleting = match this.kind {
                    Kind::Deployment => self.store.deployments.get(&this.key).map(|o| &o.metadata),
                    Kind::ReplicaSet => self.store.replicasets.get(&this.key).map(|o| &o.metadata),
                    Kind::Pod => self.store.pods.get(&this.key).map(|o| &o.metadata),
                    Kind::StatefulSet => {
                        self.store.statefulsets.get(&this.key).map(|o| &o.metadata)
                    }
                    Kind::DaemonSet => self.store.daemonsets.get(&this.key).map(|o| &o.metadata),
                    _ => None,
                }
                .is_some_and(|m| {
                    m.deletion_timestamp.is_some()
                        && m.finalizers.as_ref().is_some_and(|f| !f.is_empty())
                });
                if deleting {
                    self.enqueue(Work::Gc(this), Dur::ZERO);
                }
            }
        }
    }

    fn wake_selecting_deployments(&mut self, ns: &str, labels: &[BTreeMap<String, String>]) {
        let keys: Vec<Key> = self
            .store
            .deployments
            .in_namespace(ns)
            .filter(|d| {
                let sel = Some(&d.spec)
                    .and_then(|s| Selector::from_label_selector(&s.selector).ok())
                    .unwrap_or_default();
                !sel.is_empty() && labels.iter().any(|l| sel.matches(l))
            })
            .map(|d| Key::of(&d.metadata))
            .collect();
        for k in keys {
            self.enqueue(Work::Sync(Component::DeploymentController, k), Dur::ZERO);
        }
    }

    fn wake_selecting_stateful_sets(&mut self, ns: &str, labels: &[BTreeMap<String, String>]) {
        let keys: Vec<Key> = self
            .store
            .statefulsets
            .in_namespace(ns)
            .filter(|s| {
                let sel = Selector::from_label_selector(&s.spec.selector).unwrap_or_default();
                !sel.is_empty() && labels.iter().any(|l| sel.matches(l))
            })
            .map(|s| Key::of(&s.metadata))
            .collect();
        for k in keys {
            self.enqueue(Work::Sync(Component::StatefulSetController, k), Dur::ZERO);
        }
    }

    fn wake_selecting_daemon_sets(&mut self, ns: &str, labels: &[BTreeMap<String, String>]) {
        let keys: Vec<Key> = self
            .store
            .daemonsets
            .in_namespace(ns)
            .filter(|d| {
                let sel = Selector::from_label_selector(&d.spec.selector).unwrap_or_default();
                !sel.is_empty() && labels.iter().any(|l| sel.matches(l))
            })
            .map(|d| Key::of(&d.metadata))
            .collect();
        for k in keys {
            self.enqueue(Work::Sync(Component::DaemonSetController, k), Dur::ZERO);
        }
    }

    fn wake_selecting_replica_sets(&mut self, ns: &str, labels: &[BTreeMap<String, String>]) {
        let keys: Vec<Key> = self
            .store
            .replicasets
            .in_namespace(ns)
            .filter(|r| {
                let sel = Some(&r.spec)
                    .and_then(|s| Selector::from_label_selector(&s.selector).ok())
                    .unwrap_or_default();
                !sel.is_empty() && labels.iter().any(|l| sel.matches(l))
            })
            .map(|r| Key::of(&r.metadata))
            .collect();
        for k in keys {
            self.enqueue(Work::Sync(Component::ReplicaSetController, k), Dur::ZERO);
        }
    }

    /// Moves unschedulable pods back to the active queue after their back-off (1s doubling to
    /// 10s since their last attempt).
    fn retry_unschedulable(&mut self) {
        let now = self.now;
        let due: Vec<(Key, SimTime)> = self
            .unschedulable
            .iter()
            .map(|(k, (attempts, last))| {
                let backoff = Dur::secs((1u64 << (attempts.saturating_sub(1)).min(4)).min(10));
                (k.clone(), (*last + backoff).max(now))
            })
            .collect();
        for (k, at) in due {
            self.queue.push(Work::Sync(Component::Scheduler, k), at);
        }
    }

    /// Adds a node (as `kubeadm join` and the kubelet registering would).
    pub fn add_node(&mut self, spec: NodeSpec) -> Result<(), StoreError> {
        let index = self.store.nodes.len() as u32;
        let node = cluster::node(&spec, index, self.now);
        self.store.create(node, self.now)?;
        self.route_changes();
        Ok(())
    }

    /// `sim node fail`: the node's kubelet stops. It posts no status and does nothing more for
    /// its pods; the node lifecycle controller notices after the grace period.
    pub fn fail_node(&mut self, name: &str) -> Result<(), String> {
        if self.store.nodes.get(&Key::cluster(name)).is_none() {
            return Err(format!(
                "Error from server (NotFound): nodes {name:?} not found"
            ));
        }
        if self.stopped_kubelets.contains_key(name) {
            return Err(format!("error: node {name} has already failed"));
        }
        self.stopped_kubelets.insert(name.to_string(), self.now);
        self.note(&format!("node {name} fails"));
        self.route_node_lifecycle(name);
        Ok(())
    }

    /// `sim node recover`: the kubelet runs again, posts a healthy status (event `NodeReady`)
    /// and takes up its pods where it left them.
    pub fn recover_node(&mut self, name: &str) -> Result<(), String> {
        let Some(node) = self.store.nodes.get(&Key::cluster(name)).cloned() else {
            return Err(format!(
                "Error from server (NotFound): nodes {name:?} not found"
            ));
        };
        if self.stopped_kubelets.remove(name).is_none() {
            return Err(format!("error: node {name} has not failed"));
        }
        self.note(&format!("node {name} recovers"));
        let posted = nodelifecycle::kubelet_posts_status(&node, self.now);
        let became_ready = cluster::node_ready(&node) != Some("True");
        let _ = self.update_object(Object::Node(posted), true);
        if became_ready {
            self.record_event(EventRecord::normal(
                Regarding::of(Kind::Node, &node.metadata),
                Component::Kubelet,
                "NodeReady",
                format!("Node {name} status is now: NodeReady"),
            ));
        }
        self.route_changes();
        let pods: Vec<Key> = self
            .store
            .pods
            .iter()
            .filter(|p| podutil::node_name(p) == Some(name))
            .map(|p| Key::of(&p.metadata))
            .collect();
        for k in pods {
            self.enqueue(Work::Sync(Component::Kubelet, k), Dur::ZERO);
        }
        Ok(())
    }

    /// The eviction subresource (`pods/eviction`), or a plain delete with `disable_eviction`:
    /// checks the pod's disruption budget, spends one of its allowed disruptions, then deletes
    /// the pod with the given grace period. A pod already gone (or replaced) is Ok.
    pub(crate) fn evict_pod(
        &mut self,
        key: &Key,
        uid: &str,
        grace: Option<i64>,
        disable_eviction: bool,
    ) -> Result<(), crate::controllers::disruption::EvictionRefused> {
        let Some(pod) = self
            .store
            .pods
            .get(key)
            .filter(|p| p.metadata.uid.as_deref() == Some(uid))
            .cloned()
        else {
            return Ok(());
        };
        if !disable_eviction {
            if let Some(pdb) =
                crate::controllers::disruption::check_eviction(&self.store, &pod, self.now)?
            {
                let _ = self.update_object(Object::PodDisruptionBudget(pdb), true);
            }
        }
        let _ = self.delete_object(Kind::Pod, key, grace, Propagation::Background);
        self.route_changes();
        Ok(())
    }

    /// When a node's kubelet stopped, if it has (`sim node fail`).
    pub fn kubelet_stopped_since(&self, node: &str) -> Option<SimTime> {
        self.stopped_kubelets.get(node).copied()
    }

    /// When the taint eviction controller will delete a pod, if an eviction is pending.
    pub fn taint_eviction_since(&self, key: &Key) -> Option<SimTime> {
        self.taint_evictions.get(key).copied()
    }

    /// Applies a change made by a user (kubectl): routes the changes and runs what is due now.
    pub(crate) fn after_user_change(&mut self) {
        self.route_changes();
    }
}
