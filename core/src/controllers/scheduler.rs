//! The scheduler (`pkg/scheduler`): filter nodes, score the feasible ones, bind.
//!
//! Filters, in upstream plugin order, each with its upstream reason string: NodeUnschedulable,
//! NodeName, TaintToleration, NodeAffinity (nodeSelector and required node affinity),
//! NodeResourcesFit (cpu, memory, pod count), then the volume plugins VolumeRestrictions and
//! VolumeBinding ([`super::volumebinding`], which also owns their PreFilter and PreBind steps).
//! A node stops at its first failing filter, as `RunFilterPlugins` does. Scoring approximates the default profile: the system-default
//! topology spread (fewest pods of the same owner on the node) first, then LeastAllocated with
//! the scheduler's non-zero defaults (100m CPU, 200Mi memory), then the node name.

use super::volume::ANN_SELECTED_NODE;
use super::volumebinding::{self, PodClaims};
use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::podutil;
use crate::store::{controller_ref, Key, Kind, Store};
use crate::time::SimTime;
use k8s_openapi::api::core::v1::{
    Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodCondition, Taint, Toleration,
};
use std::collections::BTreeMap;

/// Requests assumed for scoring when a pod asks for none (`schedutil.DefaultMilliCPURequest`,
/// `DefaultMemoryRequest`).
const NON_ZERO_CPU: i64 = 100;
const NON_ZERO_MEMORY: i64 = 200 << 20;

/// What is already placed on a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeUsage {
    pub cpu_millis: i64,
    pub memory_bytes: i64,
    pub pods: i64,
    /// Scoring view: requests with the non-zero defaults applied.
    pub nonzero_cpu: i64,
    pub nonzero_memory: i64,
}

/// Allocatable (cpu millicores, memory bytes, pods) of a node.
pub fn allocatable(node: &Node) -> (i64, i64, i64) {
    let a = node
        .status
        .as_ref()
        .and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
    let get = |k: &str| a.and_then(|m| m.get(k)).map(|q| q.0.clone());
    (
        get("cpu")
            .and_then(|q| crate::quantity::cpu_millis(&q).ok())
            .unwrap_or(0),
        get("memory")
            .and_then(|q| crate::quantity::bytes(&q).ok())
            .unwrap_or(0),
        get("pods").and_then(|q| q.parse().ok()).unwrap_or(110),
    )
}

/// Requests of the pods bound to each node (terminal pods excluded; terminating pods still count
/// until they are gone, as in the scheduler's cache).
pub fn node_usage(store: &Store) -> BTreeMap<String, NodeUsage> {
    let mut usage: BTreeMap<String, NodeUsage> = BTreeMap::new();
    for pod in store.pods.iter() {
        let Some(node) = podutil::node_name(pod) else {
            continue;
        };
        if podutil::is_terminal(pod) {
            continue;
        }
        let (cpu, mem) = podutil::requests(pod);
        let u = usage.entry(node.to_string()).or_default();
        u.cpu_millis += cpu;
        u.memory_bytes += mem;
        u.pods += 1;
        u.nonzero_cpu += if cpu == 0 { NON_ZERO_CPU } else { cpu };
        u.nonzero_memory += if mem == 0 { NON_ZERO_MEMORY } else { mem };
    }
    usage
}

/// `ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
        if e != taint.effect {
            return false;
        }
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => true,
        _ => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
    }
}

/// The first taint with the given effects that none of the tolerations tolerates.
pub fn untolerated_taint<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
    effects: &[&str],
) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| effects.contains(&t.effect.as_str()))
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

fn node_labels(node: &Node) -> BTreeMap<String, String> {
    node.metadata.labels.clone().unwrap_or_default()
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = r.values.clone().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(bound)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|b| b.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if r.operator == "Gt" {
                v > bound
            } else {
                v < bound
            }
        }
        _ => false,
    }
}

/// A node selector term matches when all its expressions and fields match; an empty term
/// matches nothing.
pub fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    let labels = node_labels(node);
    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs
        .iter()
        .all(|r| requirement_matches(r, labels.get(&r.key)))
        && fields.iter().all(|r| {
            r.key == "metadata.name" && requirement_matches(r, node.metadata.name.as_ref())
        })
}

/// `nodeSelector` and required node affinity (terms are ORed).
pub fn node_affinity_matches(pod: &Pod, node: &Node) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return true;
    };
    let labels = node_labels(node);
    if let Some(sel) = &spec.node_selector {
        if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| {
            na.required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    match required {
        Some(r) => r.node_selector_terms.iter().any(|t| term_matches(t, node)),
        None => true,
    }
}

/// Why a node cannot take the pod: the failing filter's reasons, or empty if it fits.
/// The second value says whether preemption could help (`Unschedulable`) or not
/// (`UnschedulableAndUnresolvable`).
pub fn filter(pod: &Pod, node: &Node, usage: &NodeUsage) -> (Vec<String>, bool) {
    let spec = pod.spec.clone().unwrap_or_default();
    let tolerations = spec.tolerations.clone().unwrap_or_default();
    let node_spec = node.spec.clone().unwrap_or_default();
    let node_name = node.metadata.name.clone().unwrap_or_default();
    if node_spec.unschedulable == Some(true) {
        let unsched = Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        if !tolerations.iter().any(|t| tolerates(t, &unsched)) {
            return (vec!["node(s) were unschedulable".into()], false);
        }
    }
    if let Some(n) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        if n != node_name {
            return (
                vec!["node(s) didn't match the requested node name".into()],
                false,
            );
        }
    }
    let taints = node_spec.taints.clone().unwrap_or_default();
    if untolerated_taint(&taints, &tolerations, &["NoSchedule", "NoExecute"]).is_some() {
        return (vec!["node(s) had untolerated taint(s)".into()], false);
    }
    if !node_affinity_matches(pod, node) {
        return (
            vec!["node(s) didn't match Pod's node affinity/selector".into()],
            false,
        );
    }
    let (cpu, mem, pods) = allocatable(node);
    let (req_cpu, req_mem) = podutil::requests(pod);
    let mut reasons = Vec::new();
    if usage.pods + 1 > pods {
        reasons.push("Too many pods".to_string());
    }
    if req_cpu > 0 && req_cpu > cpu - usage.cpu_millis {
        reasons.push("Insufficient cpu".into());
    }
    if req_mem > 0 && req_mem > mem - usage.memory_bytes {
        reasons.push("Insufficient memory".into());
    }
    (reasons, true)
}

/// Every filter for one node, the volume plugins included (`claims` from
/// [`volumebinding::pre_filter`]).
pub fn filter_all(
    store: &Store,
    pod: &Pod,
    claims: &PodClaims,
    node: &Node,
    usage: &NodeUsage,
) -> (Vec<String>, bool) {
    let (reasons, resolvable) = filter(pod, node, usage);
    if !reasons.is_empty() {
        return (reasons, resolvable);
    }
    match volumebinding::filter(store, claims, node) {
        Some((r, resolvable)) => (vec![r], resolvable),
        None => (Vec::new(), true),
    }
}

/// A human explanation of the failing filter for one node, naming the rule (used by "why").
pub fn explain_filter(
    store: &Store,
    pod: &Pod,
    claims: &PodClaims,
    node: &Node,
    usage: &NodeUsage,
) -> Option<String> {
    let (reasons, _) = filter_all(store, pod, claims, node, usage);
    let first = reasons.first()?;
    if volumebinding::filter(store, claims, node).is_some_and(|(r, _)| &r == first) {
        return Some(volumebinding::explain(claims, first, node));
    }
    let spec = pod.spec.clone().unwrap_or_default();
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let detail = if first.contains("taint") {
        let t = untolerated_taint(
            &taints,
            spec.tolerations.as_deref().unwrap_or(&[]),
            &["NoSchedule", "NoExecute"],
        );
        t.map(|t| {
            format!(
                "taint {}{}:{} is not tolerated",
                t.key,
                t.value
                    .as_deref()
                    .map(|v| format!("={v}"))
                    .unwrap_or_default(),
                t.effect
            )
        })
        .unwrap_or_else(|| first.clone())
    } else if first.starts_with("Insufficient") || first == "Too many pods" {
        let (cpu, mem, _) = allocatable(node);
        let (rc, rm) = podutil::requests(pod);
        format!(
            "{} (requests {} CPU / {} memory; free {} CPU / {} memory)",
            reasons.join(", "),
            crate::quantity::format_cpu(rc),
            crate::quantity::format_bytes(rm),
            crate::quantity::format_cpu((cpu - usage.cpu_millis).max(0)),
            crate::quantity::format_bytes((mem - usage.memory_bytes).max(0))
        )
    } else if first.contains("affinity/selector") {
        "its labels do not match the pod's nodeSelector or required node affinity".to_string()
    } else if first.contains("unschedulable") {
        "the node is cordoned (unschedulable)".to_string()
    } else {
        first.clone()
    };
    Some(detail)
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
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
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
    let claims = match volumebinding::pre_filter(store, pod) {
        Ok(c) => c,
        Err(msg) => {
            unschedulable(
                &mut out,
                pod,
                prefilter_fit_error(store.nodes.len(), &msg),
                now,
            );
            return out;
        }
    };
    let usage = node_usage(store);
    let empty = NodeUsage::default();
    let owner = controller_ref(&pod.metadata).map(|r| r.uid.clone());
    // Active pods of the same owner per node, for spreading replicas.
    let mut siblings: BTreeMap<&str, i64> = BTreeMap::new();
    for p in owner.iter().flat_map(|o| store.pods.owned_by(o)) {
        if let Some(n) = podutil::node_name(p).filter(|_| podutil::is_active(p)) {
            *siblings.entry(n).or_default() += 1;
        }
    }
    let mut failures = Vec::new();
    let mut best: Option<(i64, i64, String)> = None;
    for node in store.nodes.iter() {
        let name = node.metadata.name.clone().unwrap_or_default();
        let u = usage.get(&name).unwrap_or(&empty);
        let (reasons, resolvable) = filter_all(store, pod, &claims, node, u);
        if !reasons.is_empty() {
            failures.push((reasons, resolvable));
            continue;
        }
        if claims.selected_node() == Some(name.as_str()) {
            // The node this pod's WaitForFirstConsumer claims were promised to.
            best = Some((i64::MAX, i64::MAX, name));
            continue;
        }
        let same_owner = siblings.get(name.as_str()).copied().unwrap_or(0);
        let score = least_allocated(pod, node, u);
        let candidate = (-same_owner, score, name);
        let better = match &best {
            None => true,
            Some((o, s, n)) => {
                (candidate.0, candidate.1) > (*o, *s)
                    || ((candidate.0, candidate.1) == (*o, *s) && candidate.2 < *n)
            }
        };
        if better {
            best = Some(candidate);
        }
    }
    let regarding = Regarding::of(Kind::Pod, &pod.metadata);
    let mut updated = pod.clone();
    match best {
        Some((_, _, node)) if !claims.delayed.is_empty() => {
            // PreBind: promise each unbound claim to the node and wait for the
            // persistentvolume-controller to bind it; the claim's change wakes this pod.
            for (c, _) in &claims.delayed {
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
        Some((_, _, node)) => {
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
                regarding,
                Component::Scheduler,
                "Scheduled",
                format!(
                    "Successfully assigned {}/{} to {node}",
                    key.namespace, key.name
                ),
            ));
        }
        None => {
            unschedulable(&mut out, pod, fit_error(store.nodes.len(), &failures), now);
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

/// LeastAllocated: mean free fraction of cpu and memory after placing the pod, 0–100.
fn least_allocated(pod: &Pod, node: &Node, u: &NodeUsage) -> i64 {
    let (cpu, mem, _) = allocatable(node);
    let (rc, rm) = podutil::requests(pod);
    let rc = if rc == 0 { NON_ZERO_CPU } else { rc };
    let rm = if rm == 0 { NON_ZERO_MEMORY } else { rm };
    let score = |alloc: i64, used: i64| {
        if alloc <= 0 {
            0
        } else {
            ((alloc - used).max(0) * 100) / alloc
        }
    };
    (score(cpu, u.nonzero_cpu + rc) + score(mem, u.nonzero_memory + rm)) / 2
}

/// Sets a pod condition, keeping lastTransitionTime when the status did not change.
pub fn set_pod_condition(pod: &mut Pod, mut c: PodCondition, now: SimTime) {
    let status = pod.status.get_or_insert_with(Default::default);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_error_histogram_is_sorted_lexicographically() {
        let failures = vec![
            (vec!["node(s) had untolerated taint(s)".to_string()], false),
            (vec!["Insufficient cpu".to_string()], true),
            (vec!["Insufficient cpu".to_string()], true),
        ];
        assert_eq!(
            fit_error(3, &failures),
            "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
        );
        assert_eq!(fit_error(0, &[]), "no nodes available to schedule pods");
    }

    #[test]
    fn toleration_matching() {
        let taint = Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        let exists = Toleration {
            key: Some("node-role.kubernetes.io/control-plane".into()),
            operator: Some("Exists".into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        };
        let wrong_effect = Toleration {
            effect: Some("NoExecute".into()),
            ..exists.clone()
        };
        let everything = Toleration {
            operator: Some("Exists".into()),
            ..Default::default()
        };
        assert!(tolerates(&exists, &taint));
        assert!(!tolerates(&wrong_effect, &taint));
        assert!(tolerates(&everything, &taint));
        let eq = Toleration {
            key: Some("k".into()),
            value: Some("v".into()),
            ..Default::default()
        };
        assert!(tolerates(
            &eq,
            &Taint {
                key: "k".into(),
                value: Some("v".into()),
                effect: "NoSchedule".into(),
                ..Default::default()
            }
        ));
        assert!(!tolerates(
            &eq,
            &Taint {
                key: "k".into(),
                value: Some("w".into()),
                effect: "NoSchedule".into(),
                ..Default::default()
            }
        ));
    }
}
