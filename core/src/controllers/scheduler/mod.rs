//! The scheduler (`pkg/scheduler/schedule_one.go`, `pkg/scheduler/framework`): PreFilter, Filter
//! every node, score the feasible ones, bind the best.
//!
//! One module per plugin of the default profile, each citing its upstream source. Filters run
//! in upstream order and a node stops at its first failing plugin, as `RunFilterPlugins` does:
//! NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, the
//! volume plugins VolumeRestrictions and VolumeBinding ([`super::volumebinding`], which also owns
//! their PreFilter and PreBind steps), PodTopologySpread, InterPodAffinity. Each rejection
//! carries the upstream reason string, whether preemption could help, and a sentence for
//! `sim why`.
//!
//! Scores (0–100 per plugin after normalization) are summed with the default weights:
//! TaintToleration 3, NodeAffinity 2, NodeResourcesFit (LeastAllocated) 1, PodTopologySpread 2,
//! InterPodAffinity 2, NodeResourcesBalancedAllocation 1. ImageLocality is left out: nodes do
//! not report their images here, so it would score every node alike. Among nodes with the
//! highest total the first by name wins (upstream picks one at random), which keeps runs
//! reproducible without consuming the world's random numbers.

mod interpodaffinity;
mod nodeaffinity;
mod nodeports;
mod resources;
mod taints;
mod topologyspread;

pub use nodeaffinity::{node_affinity_matches, term_matches};
pub use resources::{allocatable, allocatable_list, allocatable_resources, node_usage, NodeUsage};
pub use taints::{show_taint, tolerates, untolerated_taint};
pub(crate) use topologyspread::{HOSTNAME, ZONE};

use super::volume::ANN_SELECTED_NODE;
use super::volumebinding::{self, PodClaims};
use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::podutil::{self, Resources};
use crate::store::{Key, Kind, NodeFacts, NodePods, Store};
use crate::time::SimTime;
use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, PodStatus};
use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

pub const ERR_NODE_NAME: &str = "node(s) didn't match the requested node name";

/// Why one filter plugin rejected a node (a `framework.Status` with its reasons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The upstream reason strings, counted in the FailedScheduling histogram.
    pub reasons: Vec<String>,
    /// `Unschedulable` (preemption might help) rather than `UnschedulableAndUnresolvable`.
    pub resolvable: bool,
    /// A sentence for `sim why` naming the rule and the objects involved.
    pub detail: String,
}

impl Rejection {
    pub fn new(reason: &str, resolvable: bool, detail: String) -> Rejection {
        Rejection {
            reasons: vec![reason.to_string()],
            resolvable,
            detail,
        }
    }
}

/// One node as a scheduling cycle sees it (`framework.NodeInfo`), read from the store's
/// placement index.
///
/// A cycle builds one for every node but reads most of them only in part (Filter stops after
/// upstream's share of the nodes), so the pods themselves are listed on first use.
pub struct NodeInfo<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    store: &'a Store,
    /// The store's placement index entry for the node.
    placed: Option<&'a NodePods>,
    pods: OnceCell<Vec<&'a Pod>>,
    /// What the store parsed when the node was written.
    facts: Option<&'a NodeFacts>,
    parsed: OnceCell<Resources>,
}

impl<'a> NodeInfo<'a> {
    /// Pods bound to the node that are not terminal (terminating pods included), in key
    /// order; listed on first use, since most pods need only the usage.
    pub fn pods(&self) -> &[&'a Pod] {
        self.pods
            .get_or_init(|| self.store.pods.on_node(self.name).collect())
    }

    /// The node's allocatable resources, as the store parsed them when the node was written.
    pub fn allocatable(&self) -> &Resources {
        match self.facts {
            Some(f) => &f.allocatable,
            None => self.parsed.get_or_init(|| allocatable_resources(self.node)),
        }
    }

    /// The value of one of the node's labels; the hostname and zone as the store read them.
    pub fn label(&self, key: &str) -> Option<&'a str> {
        match (self.facts, key) {
            (Some(f), HOSTNAME) => f.hostname.as_deref(),
            (Some(f), ZONE) => f.zone.as_deref(),
            _ => self
                .node
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(key))
                .map(String::as_str),
        }
    }

    /// What the pods on the node request together.
    pub fn usage(&self) -> &'a NodeUsage {
        static IDLE: NodeUsage = NodeUsage::EMPTY;
        self.placed.map_or(&IDLE, |p| &p.usage)
    }

    /// How many of the node's pods have an owner reference with this uid.
    pub fn pods_owned_by(&self, uid: &str) -> i64 {
        self.placed
            .and_then(|p| p.owned.get(uid))
            .map_or(0, |n| *n as i64)
    }

    /// The node's pods that have inter-pod (anti-)affinity terms (`PodsWithAffinity`).
    pub fn pods_with_affinity(&self) -> impl Iterator<Item = &'a Pod> + 'a {
        self.store.pods.with_affinity_on(self.name)
    }
}

/// The cluster as a scheduling cycle sees it (`framework.Snapshot`), nodes in name order.
pub struct Snapshot<'a> {
    pub store: &'a Store,
    pub nodes: Vec<NodeInfo<'a>>,
}

impl<'a> Snapshot<'a> {
    /// O(nodes): what is on each node comes from the store's index.
    ///
    /// Nodes and the placement index are both in name order, so one walk through both pairs
    /// them: a lookup per node cost a dozen string comparisons, in every cycle.
    pub fn new(store: &'a Store) -> Snapshot<'a> {
        let mut placed = store.pods.placed().peekable();
        let nodes = store
            .nodes
            .iter_with_node_facts()
            .map(|(node, facts)| {
                let name = node.metadata.name.as_deref().unwrap_or_default();
                // Skip what is placed on nodes that do not exist (pods bound to a name), with
                // one comparison per entry.
                let mut here = None;
                while let Some(&(n, p)) = placed.peek() {
                    match n.cmp(name) {
                        Ordering::Less => {}
                        Ordering::Equal => here = Some(p),
                        Ordering::Greater => break,
                    }
                    placed.next();
                    if here.is_some() {
                        break;
                    }
                }
                NodeInfo {
                    node,
                    name,
                    store,
                    placed: here,
                    pods: OnceCell::new(),
                    facts,
                    parsed: OnceCell::new(),
                }
            })
            .collect();
        Snapshot { store, nodes }
    }

    /// Every pod bound to a node of the snapshot, with its node.
    pub fn pods(&self) -> impl Iterator<Item = (&NodeInfo<'a>, &'a Pod)> + '_ {
        self.nodes
            .iter()
            .flat_map(|ni| ni.pods().iter().map(move |p| (ni, *p)))
    }

    /// Every pod bound to a node of the snapshot that has inter-pod (anti-)affinity terms, with
    /// its node, in the order of [`Snapshot::pods`].
    pub fn pods_with_affinity(&self) -> impl Iterator<Item = (&NodeInfo<'a>, &'a Pod)> + '_ {
        // Usually there are none: then no node needs looking at.
        let any = self.store.pods.any_with_affinity();
        self.nodes
            .iter()
            .take(if any { usize::MAX } else { 0 })
            .flat_map(|ni| ni.pods_with_affinity().map(move |p| (ni, p)))
    }
}

/// What PreFilter computed for one pod (`framework.CycleState`).
pub struct Cycle<'a> {
    pub snapshot: &'a Snapshot<'a>,
    pub pod: &'a Pod,
    pub claims: PodClaims<'a>,
    requests: Resources,
    /// NodeAffinity PreFilter: the only nodes the pod may go to.
    pinned: Option<BTreeSet<String>>,
    /// NodePorts PreFilter: the host ports the pod asks for.
    ports: Vec<nodeports::HostPort>,
    spread: topologyspread::PreFilterState,
    affinity: interpodaffinity::PreFilterState<'a>,
}

/// Runs the PreFilter plugins; `Err` carries the message of the one that rejected the pod.
pub fn pre_filter<'a>(snapshot: &'a Snapshot<'a>, pod: &'a Pod) -> Result<Cycle<'a>, String> {
    let pinned = nodeaffinity::pre_filter(pod)?;
    let claims = volumebinding::pre_filter(snapshot.store, pod)?;
    Ok(Cycle {
        snapshot,
        pod,
        claims,
        requests: Resources::from_list(&podutil::pod_requests(pod, false)),
        pinned,
        ports: nodeports::pre_filter(pod),
        spread: topologyspread::pre_filter(snapshot, pod),
        affinity: interpodaffinity::pre_filter(snapshot, pod),
    })
}

/// NodeName Filter (`UnschedulableAndUnresolvable`).
fn filter_node_name(pod: &Pod, ni: &NodeInfo) -> Option<Rejection> {
    let want = pod
        .spec
        .as_ref()?
        .node_name
        .as_deref()
        .filter(|n| !n.is_empty())?;
    (want != ni.name).then(|| {
        Rejection::new(
            ERR_NODE_NAME,
            false,
            format!("the pod asks for node {want} in spec.nodeName"),
        )
    })
}

/// Every Filter plugin for one node, in upstream order; the first rejection wins.
pub fn filter(cycle: &Cycle, ni: &NodeInfo) -> Option<Rejection> {
    let pod = cycle.pod;
    let store = cycle.snapshot.store;
    if let Some(names) = cycle.pinned.as_ref().filter(|n| !n.contains(ni.name)) {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        return Some(Rejection::new(
            nodeaffinity::ERR_NOT_PINNED,
            false,
            format!(
                "the pod's node affinity pins it to {} (matchFields metadata.name)",
                names.join(", ")
            ),
        ));
    }
    taints::filter_unschedulable(pod, ni.node)
        .or_else(|| filter_node_name(pod, ni))
        .or_else(|| taints::filter(pod, ni.node))
        .or_else(|| nodeaffinity::filter(pod, ni.node))
        .or_else(|| nodeports::filter(&cycle.ports, ni))
        .or_else(|| resources::filter(&cycle.requests, ni.allocatable(), ni.usage()))
        .or_else(|| {
            volumebinding::filter(store, &cycle.claims, ni.node).map(|(r, resolvable)| {
                let detail = volumebinding::explain(&cycle.claims, &r, ni.node);
                Rejection::new(&r, resolvable, detail)
            })
        })
        .or_else(|| topologyspread::filter(&cycle.spread, pod, ni))
        .or_else(|| interpodaffinity::filter(&cycle.affinity, ni))
}

/// `helper.DefaultNormalizeScore` with a maximum of 100.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0).max(0);
    for s in scores.iter_mut() {
        *s = match (max, reverse) {
            (0, true) => 100,
            (0, false) => *s,
            (m, _) => {
                let v = 100 * *s / m;
                if reverse {
                    100 - v
                } else {
                    v
                }
            }
        };
    }
}

/// Weighted total score of every feasible node (`RunScorePlugins`); skipped plugins add nothing.
fn score(cycle: &Cycle, feasible: &[&NodeInfo]) -> Vec<i64> {
    let pod = cycle.pod;
    let nonzero = Resources::from_list(&podutil::pod_requests(pod, true));
    let per_node =
        |f: &dyn Fn(&NodeInfo) -> i64| -> Vec<i64> { feasible.iter().map(|&ni| f(ni)).collect() };
    let plugins: Vec<(i64, Option<Vec<i64>>)> = vec![
        (3, Some(taints::score(pod, feasible))),
        (2, nodeaffinity::score(pod, feasible)),
        (
            1,
            Some(per_node(&|ni| {
                resources::least_allocated(&nonzero, ni.allocatable(), ni.usage())
            })),
        ),
        (2, topologyspread::score(cycle.snapshot, pod, feasible)),
        (2, interpodaffinity::score(cycle.snapshot, pod, feasible)),
        (
            1,
            (!resources::is_best_effort(&cycle.requests)).then(|| {
                per_node(&|ni| {
                    resources::balanced_allocation(&cycle.requests, ni.allocatable(), ni.usage())
                })
            }),
        ),
    ];
    let mut total = vec![0; feasible.len()];
    for (weight, scores) in plugins {
        for (t, s) in total.iter_mut().zip(scores.iter().flatten()) {
            *t += weight * s;
        }
    }
    total
}

/// Filters every node for a pod that passed PreFilter: each node with its rejection, if any.
pub fn diagnose<'a>(cycle: &Cycle<'a>) -> Vec<(&'a NodeInfo<'a>, Option<Rejection>)> {
    cycle
        .snapshot
        .nodes
        .iter()
        .map(|ni| (ni, filter(cycle, ni)))
        .collect()
}

/// `numFeasibleNodesToFind` with the default `percentageOfNodesToScore`: every node below 100;
/// above, an adaptive share (50% less 1% per 125 nodes, at least 5%) but never fewer than 100.
pub fn feasible_nodes_to_find(all: usize) -> usize {
    const MIN_NODES: usize = 100;
    if all < MIN_NODES {
        return all;
    }
    let percentage = 50usize.saturating_sub(all / 125).max(5);
    (all * percentage / 100).max(MIN_NODES)
}

/// Filter and Score: the node to bind the pod to, or the FailedScheduling message
/// (`schedulePod`, `findNodesThatPassFilters`, `selectHost`). As upstream, Filter stops once
/// [`feasible_nodes_to_find`] nodes passed, and the next cycle starts after the last node this
/// one looked at (`nextStartNodeIndex`), so large clusters are sampled in turn.
fn select_host(cycle: &Cycle, next_start: &mut usize) -> Result<String, String> {
    let nodes = &cycle.snapshot.nodes;
    // A PreFilter result (a DaemonSet pod's pinned node) narrows the nodes before Filter.
    let candidates: Vec<&NodeInfo> = match &cycle.pinned {
        Some(names) => nodes.iter().filter(|ni| names.contains(ni.name)).collect(),
        None => nodes.iter().collect(),
    };
    let n = candidates.len();
    let want = feasible_nodes_to_find(nodes.len());
    let start = if n == 0 { 0 } else { *next_start % n };
    let mut feasible: Vec<&NodeInfo> = Vec::new();
    let mut processed = 0;
    for i in 0..n {
        let ni = candidates[(start + i) % n];
        processed += 1;
        if filter(cycle, ni).is_none() {
            feasible.push(ni);
            if feasible.len() >= want {
                break;
            }
        }
    }
    if n > 0 {
        *next_start = (start + processed) % n;
    }
    if feasible.is_empty() {
        let failures: Vec<(Vec<String>, bool)> = diagnose(cycle)
            .into_iter()
            .filter_map(|(_, r)| r.map(|r| (r.reasons, r.resolvable)))
            .collect();
        return Err(fit_error(nodes.len(), &failures));
    }
    // Score in node order, so that ties go to the same node whichever node the walk began at.
    // The snapshot's nodes are in name order, so their places order them without comparing
    // names.
    feasible.sort_by_key(|ni| std::ptr::from_ref::<NodeInfo>(ni).addr());
    // The node this pod's WaitForFirstConsumer claims were promised to.
    if let Some(n) = cycle.claims.selected_node() {
        if feasible.iter().any(|ni| ni.name == n) {
            return Ok(n.to_string());
        }
    }
    let scores = score(cycle, &feasible);
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    Ok(feasible[best].name.to_string())
}

/// `FitError.Error()` when a PreFilter plugin rejected the pod: every node is
/// `UnschedulableAndUnresolvable`, so preemption is not helpful anywhere.
pub fn prefilter_fit_error(node_count: usize, msg: &str) -> String {
    if node_count == 0 {
        return "no nodes available to schedule pods".into();
    }
    format!("0/{node_count} nodes are available: {msg}. preemption: 0/{node_count} nodes are available: {node_count} Preemption is not helpful for scheduling.")
}

/// `FitError.Error()`: `0/N nodes are available: <sorted histogram>. preemption: …`.
pub fn fit_error(node_count: usize, failures: &[(Vec<String>, bool)]) -> String {
    if node_count == 0 {
        return "no nodes available to schedule pods".into();
    }
    let mut hist: BTreeMap<String, usize> = BTreeMap::new();
    let mut preempt: BTreeMap<&str, usize> = BTreeMap::new();
    for (reasons, resolvable) in failures {
        for r in reasons {
            *hist.entry(r.clone()).or_default() += 1;
        }
        *preempt
            .entry(if *resolvable {
                "No preemption victims found for incoming pod"
            } else {
                "Preemption is not helpful for scheduling"
            })
            .or_default() += 1;
    }
    let sorted = |h: Vec<String>| {
        let mut v = h;
        v.sort();
        v.join(", ")
    };
    let reasons = sorted(hist.iter().map(|(r, n)| format!("{n} {r}")).collect());
    let pre = sorted(preempt.iter().map(|(r, n)| format!("{n} {r}")).collect());
    format!("0/{node_count} nodes are available: {reasons}. preemption: 0/{node_count} nodes are available: {pre}.")
}

/// Schedules one pod: binds it to the best feasible node, or records why it cannot be placed.
///
/// `next_start` is the scheduler's `nextStartNodeIndex`, kept between cycles by the caller.
pub fn reconcile(store: &Store, key: &Key, now: SimTime, next_start: &mut usize) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(pod) = store.pods.get(key) else {
        return out;
    };
    if podutil::node_name(pod).is_some()
        || pod.metadata.deletion_timestamp.is_some()
        || podutil::is_terminal(pod)
    {
        return out;
    }
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.scheduler_name.as_deref())
        .is_some_and(|s| s != "default-scheduler")
    {
        return out;
    }
    let snapshot = Snapshot::new(store);
    let node = pre_filter(&snapshot, pod)
        .map_err(|msg| prefilter_fit_error(store.nodes.len(), &msg))
        .and_then(|cycle| select_host(&cycle, next_start).map(|node| (node, cycle)));
    match node {
        Ok((node, cycle)) if !cycle.claims.delayed.is_empty() => {
            // PreBind: promise each unbound claim to the node and wait for the
            // persistentvolume-controller to bind it; the claim's change wakes this pod.
            for (c, _) in &cycle.claims.delayed {
                let selected = c
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(ANN_SELECTED_NODE));
                if selected != Some(&node) {
                    let mut c = (*c).clone();
                    c.metadata
                        .annotations
                        .get_or_insert_with(Default::default)
                        .insert(ANN_SELECTED_NODE.into(), node.clone());
                    out.push(Action::Update(Object::PersistentVolumeClaim(c)));
                }
            }
        }
        Ok((node, _)) => {
            let mut updated = pod.clone();
            updated.spec.get_or_insert_with(Default::default).node_name = Some(node.clone());
            set_pod_condition(
                &mut updated,
                PodCondition {
                    type_: "PodScheduled".into(),
                    status: "True".into(),
                    ..Default::default()
                },
                now,
            );
            out.push(Action::Update(Object::Pod(updated)));
            out.event(EventRecord::normal(
                Regarding::of(Kind::Pod, &pod.metadata),
                Component::Scheduler,
                "Scheduled",
                format!(
                    "Successfully assigned {}/{} to {node}",
                    key.namespace, key.name
                ),
            ));
        }
        Err(msg) => {
            unschedulable(&mut out, pod, msg, now);
            // No periodic retry: the simulation sees every change that could make room (a node
            // added or changed, a pod removed, a claim or volume changed) and requeues
            // unschedulable pods then; the real scheduler's 5-minute flush only exists to catch
            // what it might have missed.
        }
    }
    out
}

/// Records a scheduling failure: `PodScheduled=False` and a `FailedScheduling` event.
fn unschedulable(out: &mut Reconcile, pod: &Pod, msg: String, now: SimTime) {
    let mut updated = pod.clone();
    set_pod_condition(
        &mut updated,
        PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some(msg.clone()),
            ..Default::default()
        },
        now,
    );
    out.push(Action::UpdateStatus(Object::Pod(updated)));
    out.event(EventRecord::warning(
        Regarding::of(Kind::Pod, &pod.metadata),
        Component::Scheduler,
        "FailedScheduling",
        msg,
    ));
}

/// Sets a pod condition, keeping lastTransitionTime when the status did not change.
pub fn set_pod_condition(pod: &mut Pod, c: PodCondition, now: SimTime) {
    set_condition(pod.status.get_or_insert_with(Default::default), c, now);
}

/// [`set_pod_condition`] on a status being built.
pub fn set_condition(status: &mut PodStatus, mut c: PodCondition, now: SimTime) {
    let conds = status.conditions.get_or_insert_with(Vec::new);
    match conds.iter_mut().find(|x| x.type_ == c.type_) {
        Some(cur) => {
            if cur.status != c.status {
                c.last_transition_time = Some(now.to_k8s());
            } else {
                c.last_transition_time = cur.last_transition_time.clone();
            }
            *cur = c;
        }
        None => {
            c.last_transition_time = Some(now.to_k8s());
            conds.push(c);
        }
    }
}

/// Whether [`set_condition`] would leave `conditions` as they are: the condition is there with
/// the same status, and everything else but its transition time (which a condition keeping its
/// status keeps) is the same.
pub fn condition_unchanged(conditions: Option<&[PodCondition]>, c: &PodCondition) -> bool {
    // Every field named, so that a field added to the type cannot be missed here.
    let PodCondition {
        type_,
        status,
        reason,
        message,
        last_probe_time,
        last_transition_time: _,
        observed_generation,
    } = c;
    conditions
        .and_then(|all| all.iter().find(|x| &x.type_ == type_))
        .is_some_and(|cur| {
            &cur.status == status
                && &cur.reason == reason
                && &cur.message == message
                && &cur.last_probe_time == last_probe_time
                && &cur.observed_generation == observed_generation
        })
}

#[cfg(test)]
mod tests;
