//! The DaemonSet controller (`pkg/controller/daemon/{daemon_controller.go,update.go}`).
//!
//! [`reconcile`] is `syncDaemonSet` read top to bottom: a selector that selects everything is
//! refused with a `SelectingAll` warning; a set being deleted is left to the garbage collector;
//! otherwise the pass claims its ControllerRevisions and builds the history (`constructHistory`:
//! the revision holding the current template, created or renumbered, and the old ones), claims
//! its pods (adopting orphans, releasing pods that stopped matching), then `manage`s every node
//! (`podsShouldBeOnNode`: create missing pods, delete failed ones with a per-node back-off,
//! delete succeeded ones and duplicates, delete pods where the node no longer fits, delete
//! unscheduled pods pinned to vanished nodes). Only when `manage` had nothing to do (upstream's
//! expectations are then satisfied) does the `rollingUpdate` step run, with or without surge.
//! Old revisions beyond `revisionHistoryLimit` are deleted and the status is written from the
//! pods seen at the start of the pass.
//!
//! Files: `util` (node predicates, tolerations, pod template, strategy arithmetic).

pub mod util;

use super::statefulset::history;
use super::{controller_ref_to, Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::labels::Selector;
use crate::podutil;
use crate::store::{Key, Kind, Propagation, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{Node, Pod};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use util::*;

/// `failedPodsBackoff`: 1s doubling to 15 minutes per (set, node).
const BACKOFF_INITIAL: Dur = Dur::secs(1);
const BACKOFF_MAX: Dur = Dur::mins(15);

/// Daemon pods by target node (`getNodesToDaemonPods`), without terminal pods already being
/// deleted.
type PodsByNode<'p> = BTreeMap<String, Vec<&'p Pod>>;

pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(ds) = store.daemonsets.get(key) else {
        return out;
    };
    let regarding = Regarding::of(Kind::DaemonSet, &ds.metadata);
    let selecting_all = ds
        .spec
        .selector
        .match_labels
        .as_ref()
        .is_none_or(|m| m.is_empty())
        && ds
            .spec
            .selector
            .match_expressions
            .as_ref()
            .is_none_or(|m| m.is_empty());
    if selecting_all {
        out.event(EventRecord::warning(
            regarding,
            Component::DaemonSetController,
            "SelectingAll",
            "This daemon set is selecting all pods. A non-empty selector is required.".into(),
        ));
        return out;
    }
    let Ok(selector) = Selector::from_label_selector(&ds.spec.selector) else {
        return out;
    };
    if ds.metadata.deletion_timestamp.is_some() {
        return out;
    }
    let controller = controller_ref_to::<DaemonSet>(&ds.metadata);
    let revisions = history::claim(store, &ds.metadata, &controller, &selector, &mut out);
    let pods = claim_pods(store, ds, &selector, &mut out);
    let predicate = DaemonPredicate::new(ds);
    let should = store
        .nodes
        .iter()
        .map(|n| {
            (
                n.metadata.name.as_deref().unwrap_or_default(),
                predicate.check(n),
            )
        })
        .collect();
    let mut pass = Pass {
        store,
        now,
        ds,
        regarding,
        out,
        should,
    };
    let Some((current, old)) = pass.construct_history(&revisions) else {
        return pass.out;
    };
    let hash = current
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(HASH_LABEL))
        .cloned()
        .unwrap_or_else(|| history::name(&current).to_string());
    let nodes: Vec<&Node> = store.nodes.iter().collect();
    let by_node = nodes_to_daemon_pods(&pods);

    let moved = pass.manage(&nodes, &by_node, &hash);
    let rolling = ds
        .spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        .unwrap_or(ROLLING_UPDATE)
        == ROLLING_UPDATE;
    if !moved && rolling {
        pass.rolling_update(&nodes, &by_node, &hash);
    }
    pass.cleanup_history(&old, &pods);
    pass.update_status(&nodes, &by_node, &hash);
    pass.out
}

/// `getDaemonPods` (`ClaimPods`): owned pods that still match, plus adopted orphans; owned pods
/// that stopped matching are released.
fn claim_pods<'s>(
    store: &'s Store,
    ds: &DaemonSet,
    selector: &Selector,
    out: &mut Reconcile,
) -> Vec<Cow<'s, Pod>> {
    let uid = ds.metadata.uid.clone().unwrap_or_default();
    let ns = ds.metadata.namespace.as_deref().unwrap_or_default();
    let mut pods = Vec::new();
    for pod in store.pods.owned_by(&uid) {
        if selector.matches_opt(pod.metadata.labels.as_ref()) {
            pods.push(Cow::Borrowed(pod));
        } else if pod.metadata.deletion_timestamp.is_none() {
            out.push(Action::Update(Object::Pod(super::replicaset::release(
                pod, &uid,
            ))));
        }
    }
    for pod in store.pods.orphans() {
        if pod.metadata.namespace.as_deref() == Some(ns)
            && pod.metadata.deletion_timestamp.is_none()
            && selector.matches_opt(pod.metadata.labels.as_ref())
        {
            let mut p = pod.clone();
            p.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(controller_ref_to::<DaemonSet>(&ds.metadata));
            out.push(Action::Update(Object::Pod(p.clone())));
            pods.push(Cow::Owned(p));
        }
    }
    pods
}

/// `getNodesToDaemonPods(includeDeletedTerminal=false)`.
fn nodes_to_daemon_pods<'p>(pods: &'p [Cow<'_, Pod>]) -> PodsByNode<'p> {
    let mut by_node: PodsByNode = BTreeMap::new();
    for pod in pods {
        let pod: &Pod = pod;
        if podutil::is_terminal(pod) && pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if let Some(node) = target_node(pod) {
            by_node.entry(node).or_default().push(pod);
        }
    }
    by_node
}

fn is_deleting(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

fn name_of(pod: &Pod) -> String {
    pod.metadata.name.clone().unwrap_or_default()
}

struct Pass<'a> {
    store: &'a Store,
    now: SimTime,
    ds: &'a DaemonSet,
    regarding: Regarding,
    out: Reconcile,
    /// `nodeShouldRunDaemonPod` of every node, worked out once per sync.
    should: BTreeMap<&'a str, (bool, bool)>,
}

impl Pass<'_> {
    fn should_run(&self, node: &Node) -> (bool, bool) {
        let name = node.metadata.name.as_deref().unwrap_or_default();
        self.should.get(name).copied().unwrap_or((false, false))
    }

    fn min_ready(&self) -> i32 {
        self.ds.spec.min_ready_seconds.unwrap_or(0)
    }

    fn available(&self, pod: &Pod) -> bool {
        podutil::is_available(pod, self.min_ready(), self.now)
    }

    fn event(&mut self, warning: bool, reason: &str, message: String) {
        let (r, c) = (self.regarding.clone(), Component::DaemonSetController);
        self.out.event(if warning {
            EventRecord::warning(r, c, reason, message)
        } else {
            EventRecord::normal(r, c, reason, message)
        });
    }

    /// `constructHistory`: the revision holding the current template (created by `snapshot`, or
    /// renumbered past the old ones when the template came back to it) and the old revisions.
    /// `None` when a hash collision was found: the collision count is raised and the next pass
    /// tries another name.
    fn construct_history(
        &mut self,
        revisions: &[ControllerRevision],
    ) -> Option<(ControllerRevision, Vec<ControllerRevision>)> {
        let ds = self.ds;
        let patch = history::patch_for(&ds.spec.template);
        let (mut current, old): (Vec<ControllerRevision>, Vec<ControllerRevision>) =
            revisions.iter().cloned().partition(|r| r.data.0 == patch);
        let next = old.iter().map(history::number).max().unwrap_or(0) + 1;
        let Some(mut cur) = current.pop() else {
            return self.snapshot(next).map(|cur| (cur, old));
        };
        // dedupCurHistories: keep the highest revision, drop the duplicates.
        for dup in current {
            self.out.push(Action::Delete {
                kind: Kind::ControllerRevision,
                key: Key::of(&dup.metadata),
                grace_seconds: None,
                propagation: Propagation::Background,
                event: None,
            });
        }
        if history::number(&cur) < next {
            cur.revision = Some(next);
            self.out
                .push(Action::Update(Object::ControllerRevision(cur.clone())));
        }
        Some((cur, old))
    }

    /// `snapshot`: a new ControllerRevision `<ds>-<hash>` for the current template.
    fn snapshot(&mut self, revision: i64) -> Option<ControllerRevision> {
        let ds = self.ds;
        let collision = ds
            .status
            .as_ref()
            .and_then(|s| s.collision_count)
            .unwrap_or(0);
        let candidate = history::new_revision_for(
            &ds.metadata,
            controller_ref_to::<DaemonSet>(&ds.metadata),
            &ds.spec.template,
            revision,
            collision,
        );
        let key = Key::of(&candidate.metadata);
        match self.store.controllerrevisions.get(&key) {
            Some(existing) if history::equal(existing, &candidate) => Some(existing.clone()),
            Some(_) => {
                let mut updated = ds.clone();
                updated
                    .status
                    .get_or_insert_with(Default::default)
                    .collision_count = Some(collision.saturating_add(1));
                self.out
                    .push(Action::UpdateStatus(Object::DaemonSet(updated)));
                None
            }
            None => {
                self.out.push(Action::Create {
                    object: Object::ControllerRevision(candidate.clone()),
                    event: None,
                });
                Some(candidate)
            }
        }
    }

    /// `manage` with `podsShouldBeOnNode` per node; returns whether it created or deleted
    /// anything (then upstream's expectations are pending and the rolling update waits).
    fn manage(&mut self, nodes: &[&Node], by_node: &PodsByNode, hash: &str) -> bool {
        let mut create: Vec<String> = Vec::new();
        let mut delete: Vec<&Pod> = Vec::new();
        for node in nodes {
            self.pods_should_be_on_node(node, by_node, hash, &mut create, &mut delete);
        }
        // getUnscheduledPodsWithoutNode: the pod GC never sees these.
        let names: BTreeSet<&str> = nodes
            .iter()
            .filter_map(|n| n.metadata.name.as_deref())
            .collect();
        for (node, pods) in by_node {
            if names.contains(node.as_str()) {
                continue;
            }
            delete.extend(
                pods.iter()
                    .copied()
                    .filter(|p| podutil::node_name(p).is_none() && !is_deleting(p)),
            );
        }
        self.sync_nodes(&delete, &create, hash)
    }

    /// `podsShouldBeOnNode`.
    fn pods_should_be_on_node<'p>(
        &mut self,
        node: &Node,
        by_node: &PodsByNode<'p>,
        hash: &str,
        create: &mut Vec<String>,
        delete: &mut Vec<&'p Pod>,
    ) {
        let node_name = node.metadata.name.clone().unwrap_or_default();
        let (should_run, should_continue) = self.should_run(node);
        let pods = by_node.get(&node_name);
        match pods {
            None if should_run => create.push(node_name),
            None => {}
            Some(pods) if !should_continue => {
                delete.extend(pods.iter().copied().filter(|p| !is_deleting(p)));
            }
            Some(pods) => {
                let mut running: Vec<&Pod> = Vec::new();
                for &pod in pods {
                    if is_deleting(pod) {
                        continue;
                    }
                    match podutil::phase(pod) {
                        "Failed" => {
                            if let Some(wait) = self.failed_pod_backoff(&node_name) {
                                self.out.requeue(wait);
                                continue;
                            }
                            let msg = format!(
                                "Found failed daemon pod {}/{} on node {node_name}, will try to kill it",
                                pod.metadata.namespace.as_deref().unwrap_or_default(),
                                name_of(pod)
                            );
                            self.event(true, "FailedDaemonPod", msg);
                            delete.push(pod);
                        }
                        "Succeeded" => {
                            let msg = format!(
                                "Found succeeded daemon pod {}/{} on node {node_name}, will try to delete it",
                                pod.metadata.namespace.as_deref().unwrap_or_default(),
                                name_of(pod)
                            );
                            self.event(false, "SucceededDaemonPod", msg);
                            delete.push(pod);
                        }
                        _ => running.push(pod),
                    }
                }
                running.sort_by(|a, b| oldest_first(a, b));
                if !allows_surge(self.ds) {
                    // Keep the oldest; delete the rest.
                    delete.extend(running.iter().skip(1).copied());
                    return;
                }
                if running.len() <= 1 {
                    if running.is_empty() && should_run {
                        create.push(node_name);
                    }
                    return;
                }
                // With surge: at most the oldest new pod and the oldest old pod; the old one goes
                // once it is not ready or the new one is available.
                let (mut oldest_new, mut oldest_old): (Option<&Pod>, Option<&Pod>) = (None, None);
                for pod in running {
                    let slot = if label_of(pod, HASH_LABEL) == Some(hash) {
                        &mut oldest_new
                    } else {
                        &mut oldest_old
                    };
                    if slot.is_none() {
                        *slot = Some(pod);
                    } else {
                        delete.push(pod);
                    }
                }
                if let (Some(new), Some(old)) = (oldest_new, oldest_old) {
                    if !podutil::is_ready(old) || self.available(new) {
                        delete.push(old);
                    }
                }
            }
        }
    }

    /// The per-node failed-pod back-off (`failedPodsBackoff`), replayed from this set's
    /// `FailedDaemonPod` events for the node: how long to wait before deleting another failed
    /// pod there, if at all.
    fn failed_pod_backoff(&self, node: &str) -> Option<Dur> {
        let ns = self.ds.metadata.namespace.as_deref().unwrap_or_default();
        let uid = self.ds.metadata.uid.as_deref();
        let suffix = format!(" on node {node}, will try to kill it");
        let mut times: Vec<SimTime> = self
            .store
            .events
            .in_namespace(ns)
            .filter(|e| {
                e.involved_object.uid.as_deref() == uid
                    && e.reason.as_deref() == Some("FailedDaemonPod")
                    && e.message.as_deref().is_some_and(|m| m.ends_with(&suffix))
            })
            .filter_map(|e| e.last_timestamp.as_ref().map(SimTime::from_k8s))
            .collect();
        times.sort();
        let expired = |since: Dur| since.0 > 2 * BACKOFF_MAX.0;
        let mut delay = BACKOFF_INITIAL;
        let mut last: Option<SimTime> = None;
        for t in times {
            delay = match last {
                Some(l) if !expired(t.since(l)) => {
                    Dur(delay.0.saturating_mul(2).min(BACKOFF_MAX.0))
                }
                _ => BACKOFF_INITIAL,
            };
            last = Some(t);
        }
        let since = self.now.since(last?);
        (!expired(since) && since < delay).then(|| Dur(delay.0 - since.0))
    }

    /// `syncNodes`: create a pod pinned to each node that needs one, then delete; returns
    /// whether anything was asked for.
    fn sync_nodes(&mut self, delete: &[&Pod], create: &[String], hash: &str) -> bool {
        let ds = self.ds;
        let template = pod_template(ds, hash);
        for node in create {
            let mut pod = super::replicaset::pod_from_template(
                &template,
                &ds.metadata,
                controller_ref_to::<DaemonSet>(&ds.metadata),
            );
            let spec = pod.spec.get_or_insert_with(Default::default);
            spec.affinity = Some(pin_to_node(spec.affinity.take(), node));
            self.out.push(Action::Create {
                object: Object::Pod(pod),
                event: Some(EventRecord::normal(
                    self.regarding.clone(),
                    Component::DaemonSetController,
                    "SuccessfulCreate",
                    "Created pod: {name}".into(),
                )),
            });
        }
        for pod in delete {
            self.out.push(Action::Delete {
                kind: Kind::Pod,
                key: Key::of(&pod.metadata),
                grace_seconds: None,
                propagation: Propagation::Background,
                event: Some(EventRecord::normal(
                    self.regarding.clone(),
                    Component::DaemonSetController,
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", name_of(pod)),
                )),
            });
        }
        !create.is_empty() || !delete.is_empty()
    }

    /// `rollingUpdate` (update.go): without surge, delete old pods while at most maxUnavailable
    /// nodes lack an available pod; with surge, start a new pod beside an old one on up to
    /// maxSurge nodes and delete the old pod once the new one is available. Nodes are visited in
    /// name order (upstream walks a map).
    fn rolling_update(&mut self, nodes: &[&Node], by_node: &PodsByNode, hash: &str) {
        let ds = self.ds;
        let generation = template_generation(ds);
        // updatedDesiredNodeCounts: every node that should run a pod has an entry.
        let mut per_node: BTreeMap<String, Vec<&Pod>> = by_node.clone();
        let mut desired = 0;
        let mut node_by_name: BTreeMap<&str, &Node> = BTreeMap::new();
        for node in nodes {
            let name = node.metadata.name.as_deref().unwrap_or_default();
            node_by_name.insert(name, node);
            if self.should_run(node).0 {
                desired += 1;
                per_node.entry(name.to_string()).or_default();
            }
        }
        let (max_surge, max_unavailable) = surge_and_unavailable(ds, desired);
        let should = self.should.clone();
        let should_run =
            |name: &str| node_by_name.contains_key(name) && should.get(name).is_some_and(|s| s.0);

        if max_surge == 0 {
            let mut unavailable = 0;
            let mut replacements: Vec<&Pod> = Vec::new();
            let mut candidates: Vec<&Pod> = Vec::new();
            for pods in per_node.values() {
                let Some((new, old)) = find_updated_pods_on_node(pods, hash, generation) else {
                    unavailable += 1;
                    continue;
                };
                match (new, old) {
                    (None, None) | (Some(_), Some(_)) => unavailable += 1,
                    (Some(new), None) => {
                        if !self.available(new) {
                            unavailable += 1;
                        }
                    }
                    (None, Some(old)) => {
                        if !self.available(old) {
                            replacements.push(old);
                            unavailable += 1;
                        } else if unavailable < max_unavailable {
                            candidates.push(old);
                        }
                    }
                }
            }
            let remaining = (max_unavailable - unavailable).max(0) as usize;
            replacements.extend(candidates.into_iter().take(remaining));
            self.sync_nodes(&replacements, &[], hash);
            return;
        }

        let mut old_to_delete: Vec<&Pod> = Vec::new();
        let mut should_not_run: Vec<&Pod> = Vec::new();
        let mut candidate_nodes: Vec<String> = Vec::new();
        let mut allowed_nodes: Vec<String> = Vec::new();
        let (mut surge, mut available) = (0, 0);
        for (node, pods) in &per_node {
            let Some((new, old)) = find_updated_pods_on_node(pods, hash, generation) else {
                surge += 1;
                continue;
            };
            if let Some(p) = old.or(new) {
                if self.available(p) {
                    available += 1;
                }
            }
            match (new, old) {
                (_, None) => {}
                (None, Some(old)) if !self.available(old) => {
                    if should_run(node) {
                        allowed_nodes.push(node.clone());
                    } else {
                        old_to_delete.push(old);
                    }
                }
                (None, Some(old)) => {
                    if !should_run(node) {
                        should_not_run.push(old);
                    } else if surge < max_surge {
                        candidate_nodes.push(node.clone());
                    }
                }
                (Some(new), Some(old)) => {
                    if self.available(new) {
                        old_to_delete.push(old);
                    } else {
                        surge += 1;
                    }
                }
            }
        }
        let remaining = (max_surge - surge).max(0) as usize;
        // Pods on nodes that no longer fit go only when enough are available elsewhere.
        let deletable = (available - desired).max(0) as usize;
        old_to_delete.extend(
            should_not_run
                .into_iter()
                .take(deletable)
                .filter(|p| !is_deleting(p)),
        );
        allowed_nodes.extend(candidate_nodes.into_iter().take(remaining));
        self.sync_nodes(&old_to_delete, &allowed_nodes, hash);
    }

    /// `cleanupHistory`: delete the oldest old revisions beyond `revisionHistoryLimit` that no
    /// pod (terminal ones included) still carries.
    fn cleanup_history(&mut self, old: &[ControllerRevision], pods: &[Cow<'_, Pod>]) {
        let limit = self.ds.spec.revision_history_limit.unwrap_or(10).max(0) as usize;
        let mut to_kill = old.len().saturating_sub(limit);
        if to_kill == 0 {
            return;
        }
        let live: BTreeSet<&str> = pods
            .iter()
            .filter_map(|p| label_of(p, HASH_LABEL))
            .collect();
        let mut sorted: Vec<&ControllerRevision> = old.iter().collect();
        sorted.sort_by_key(|r| history::number(r));
        for r in sorted {
            if to_kill == 0 {
                break;
            }
            let hash = r.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL));
            if hash.is_some_and(|h| live.contains(h.as_str())) {
                continue;
            }
            self.out.push(Action::Delete {
                kind: Kind::ControllerRevision,
                key: Key::of(&r.metadata),
                grace_seconds: None,
                propagation: Propagation::Background,
                event: None,
            });
            to_kill -= 1;
        }
    }

    /// `updateDaemonSetStatus`: per node that should run a pod, its oldest pod decides ready,
    /// available and updated; pods on nodes that should not run one are misscheduled.
    fn update_status(&mut self, nodes: &[&Node], by_node: &PodsByNode, hash: &str) {
        let ds = self.ds;
        let generation = template_generation(ds);
        let (mut desired, mut current, mut misscheduled) = (0, 0, 0);
        let (mut ready, mut available, mut updated) = (0, 0, 0);
        for node in nodes {
            let name = node.metadata.name.as_deref().unwrap_or_default();
            let (should_run, _) = self.should_run(node);
            let oldest = by_node
                .get(name)
                .and_then(|pods| pods.iter().copied().min_by(|a, b| oldest_first(a, b)));
            match (should_run, oldest) {
                (true, None) => desired += 1,
                (true, Some(pod)) => {
                    desired += 1;
                    current += 1;
                    if podutil::is_ready(pod) {
                        ready += 1;
                        if self.available(pod) {
                            available += 1;
                        }
                    }
                    if is_pod_updated(pod, hash, generation) {
                        updated += 1;
                    }
                }
                (false, Some(_)) => misscheduled += 1,
                (false, None) => {}
            }
        }
        let old = ds.status.clone().unwrap_or_default();
        let non_zero = |n: i32| (n != 0).then_some(n);
        let status = DaemonSetStatus {
            current_number_scheduled: current,
            desired_number_scheduled: desired,
            number_misscheduled: misscheduled,
            number_ready: ready,
            number_available: non_zero(available),
            number_unavailable: non_zero(desired - available),
            updated_number_scheduled: non_zero(updated),
            observed_generation: ds.metadata.generation,
            collision_count: old.collision_count,
            conditions: old.conditions.clone(),
        };
        if ds.status.as_ref() != Some(&status) {
            let mut written = ds.clone();
            written.status = Some(status);
            self.out
                .push(Action::UpdateStatus(Object::DaemonSet(written)));
        }
        // Look again when a ready pod becomes available: upstream requeues after
        // minReadySeconds; a surge pod (not the oldest on its node) needs the same look.
        let next_available = by_node
            .values()
            .flatten()
            .filter(|p| podutil::is_ready(p) && !self.available(p))
            .filter_map(|p| podutil::available_at(p, self.min_ready()))
            .min();
        if let Some(at) = next_available {
            self.out.requeue(at.since(self.now).max(Dur::ms(1)));
        }
    }
}

fn label_of<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

/// `findUpdatedPodsOnNode`: the node's one new and one old pod (pods being deleted ignored), or
/// `None` if it has more than one of either.
fn find_updated_pods_on_node<'p>(
    pods: &[&'p Pod],
    hash: &str,
    generation: Option<i64>,
) -> Option<(Option<&'p Pod>, Option<&'p Pod>)> {
    let (mut new, mut old) = (None, None);
    for &pod in pods.iter().filter(|p| !is_deleting(p)) {
        let slot = if is_pod_updated(pod, hash, generation) {
            &mut new
        } else {
            &mut old
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(pod);
    }
    Some((new, old))
}

/// The `kubectl rollout status` line for a DaemonSet (`DaemonSetStatusViewer`), and whether the
/// rollout is done.
pub fn rollout_status_line(ds: &DaemonSet) -> Result<(String, bool), String> {
    let strategy = ds
        .spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        .unwrap_or(ROLLING_UPDATE);
    if strategy != ROLLING_UPDATE {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let name = ds.metadata.name.clone().unwrap_or_default();
    let s = ds.status.clone().unwrap_or_default();
    if ds.metadata.generation.unwrap_or(0) > s.observed_generation.unwrap_or(0) {
        return Ok((
            "Waiting for daemon set spec update to be observed...".into(),
            false,
        ));
    }
    let desired = s.desired_number_scheduled;
    let updated = s.updated_number_scheduled.unwrap_or(0);
    if updated < desired {
        return Ok((format!("Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."), false));
    }
    let available = s.number_available.unwrap_or(0);
    if available < desired {
        return Ok((format!("Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."), false));
    }
    Ok((format!("daemon set {name:?} successfully rolled out"), true))
}
