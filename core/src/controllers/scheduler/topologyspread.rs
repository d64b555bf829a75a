//! PodTopologySpread (`pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering,
//! scoring}.go`).
//!
//! - Filter, for `whenUnsatisfiable: DoNotSchedule` constraints: a node without the topology
//!   key is rejected (`(missing required label)`); otherwise placing the pod must keep
//!   `matching pods in the node's domain + self − minimum over domains ≤ maxSkew`, where the
//!   minimum is 0 while fewer than `minDomains` domains exist. Domains and counts come from the
//!   nodes that carry every constraint's key and pass the node inclusion policies
//!   (`nodeAffinityPolicy` Honor, `nodeTaintsPolicy` Ignore by default); terminating pods and
//!   pods of other namespaces are not counted.
//! - Score, for `ScheduleAnyway` constraints, or the system defaults (hostname maxSkew 3, zone
//!   maxSkew 5) for a pod without constraints that a Service, ReplicaSet or StatefulSet selects:
//!   fewer matching pods in the node's domains is better.

use super::{nodeaffinity, taints, NodeInfo, Rejection, Snapshot};
use crate::labels::{Requirement, Selector};
use crate::store::controller_ref;
use k8s_openapi::api::core::v1::{Node, Pod, TopologySpreadConstraint};
use std::collections::{BTreeMap, BTreeSet};

pub const ERR_CONSTRAINTS: &str = "node(s) didn't match pod topology spread constraints";
pub const ERR_MISSING_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

pub(crate) const HOSTNAME: &str = "kubernetes.io/hostname";
pub(crate) const ZONE: &str = "topology.kubernetes.io/zone";

/// A constraint with its selector resolved (`topologySpreadConstraint`).
#[derive(Debug, Clone)]
struct Constraint {
    max_skew: i64,
    topology_key: String,
    /// `labelSelector` with `matchLabelKeys` merged in; `None` selects nothing.
    selector: Option<Selector>,
    min_domains: i64,
    honor_affinity: bool,
    honor_taints: bool,
}

impl Constraint {
    fn from_api(c: &TopologySpreadConstraint, pod_labels: &BTreeMap<String, String>) -> Self {
        let mut selector = c
            .label_selector
            .as_ref()
            .and_then(|s| Selector::from_label_selector(s).ok());
        if let Some(sel) = selector.as_mut() {
            for k in c.match_label_keys.iter().flatten() {
                if let Some(v) = pod_labels.get(k) {
                    sel.requirements
                        .push(Requirement::In(k.clone(), vec![v.clone()]));
                }
            }
        }
        Constraint {
            max_skew: i64::from(c.max_skew),
            topology_key: c.topology_key.clone(),
            selector,
            min_domains: i64::from(c.min_domains.unwrap_or(1)),
            honor_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
            honor_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        }
    }

    /// `matchNodeInclusionPolicies`.
    fn includes(&self, pod: &Pod, node: &Node) -> bool {
        if self.honor_affinity && !nodeaffinity::node_affinity_matches(pod, node) {
            return false;
        }
        !(self.honor_taints && taints::filter(pod, node).is_some())
    }

    /// Pods matching the selector among `pods` (`countPodsMatchSelector`); an empty selector
    /// counts nothing.
    fn count(&self, pods: &[&Pod], ns: &str) -> i64 {
        let Some(sel) = self.selector.as_ref().filter(|s| !s.is_empty()) else {
            return 0;
        };
        pods.iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
            .filter(|p| sel.matches_opt(p.metadata.labels.as_ref()))
            .count() as i64
    }

    fn matches_self(&self, pod: &Pod) -> bool {
        self.selector
            .as_ref()
            .is_some_and(|s| s.matches_opt(pod.metadata.labels.as_ref()))
    }
}

fn labels(pod: &Pod) -> BTreeMap<String, String> {
    pod.metadata.labels.clone().unwrap_or_default()
}

fn namespace(pod: &Pod) -> &str {
    pod.metadata.namespace.as_deref().unwrap_or("default")
}

/// The pod's own constraints with the given `whenUnsatisfiable`.
fn pod_constraints(pod: &Pod, action: &str) -> Vec<Constraint> {
    let pod_labels = labels(pod);
    pod.spec
        .iter()
        .flat_map(|s| s.topology_spread_constraints.iter().flatten())
        .filter(|c| c.when_unsatisfiable == action)
        .map(|c| Constraint::from_api(c, &pod_labels))
        .collect()
}

/// `helper.DefaultSelector`: the selectors of the Services selecting the pod, and of its
/// controlling ReplicaSet or StatefulSet, merged.
fn default_selector(snapshot: &Snapshot, pod: &Pod) -> Selector {
    let store = snapshot.store;
    let ns = namespace(pod);
    let pod_labels = labels(pod);
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    for svc in store.services.iter() {
        if svc.metadata.namespace.as_deref() != Some(ns) {
            continue;
        }
        let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            continue;
        };
        if !sel.is_empty() && sel.iter().all(|(k, v)| pod_labels.get(k) == Some(v)) {
            merged.extend(sel.clone());
        }
    }
    let mut selector = Selector {
        requirements: merged
            .into_iter()
            .map(|(k, v)| Requirement::Eq(k, v))
            .collect(),
    };
    let owner_selector = controller_ref(&pod.metadata).and_then(|r| {
        let key = crate::store::Key::new(ns, &r.name);
        match r.kind.as_str() {
            "ReplicaSet" => store
                .replicasets
                .get(&key)
                .map(|rs| rs.spec.selector.clone()),
            "StatefulSet" => store
                .statefulsets
                .get(&key)
                .map(|ss| ss.spec.selector.clone()),
            _ => None,
        }
    });
    if let Some(sel) = owner_selector.and_then(|s| Selector::from_label_selector(&s).ok()) {
        selector.requirements.extend(sel.requirements);
    }
    selector
}

/// `buildDefaultConstraints`: the system defaults, when the pod is selected by something.
fn default_constraints(snapshot: &Snapshot, pod: &Pod) -> Vec<Constraint> {
    let selector = default_selector(snapshot, pod);
    if selector.is_empty() {
        return Vec::new();
    }
    [(HOSTNAME, 3), (ZONE, 5)]
        .into_iter()
        .map(|(key, skew)| Constraint {
            max_skew: skew,
            topology_key: key.into(),
            selector: Some(selector.clone()),
            min_domains: 1,
            honor_affinity: true,
            honor_taints: false,
        })
        .collect()
}

fn has_all_keys(node: &Node, constraints: &[Constraint]) -> bool {
    let labels = node.metadata.labels.as_ref();
    constraints
        .iter()
        .all(|c| labels.is_some_and(|l| l.contains_key(&c.topology_key)))
}

/// PreFilter state: the `DoNotSchedule` constraints and, per constraint, the matching pods per
/// topology value over the eligible nodes.
pub struct PreFilterState {
    constraints: Vec<Constraint>,
    counts: Vec<BTreeMap<String, i64>>,
}

/// `calPreFilterState`. A pod with no constraints of its own gets none here: the system
/// defaults are all `ScheduleAnyway`.
pub fn pre_filter(snapshot: &Snapshot, pod: &Pod) -> PreFilterState {
    let constraints = pod_constraints(pod, "DoNotSchedule");
    let mut counts = vec![BTreeMap::new(); constraints.len()];
    for ni in &snapshot.nodes {
        if !has_all_keys(ni.node, &constraints) {
            continue;
        }
        for (i, c) in constraints.iter().enumerate() {
            if !c.includes(pod, ni.node) {
                continue;
            }
            let value = ni.label(&c.topology_key).unwrap_or_default().to_string();
            *counts[i].entry(value).or_default() += c.count(ni.pods(), namespace(pod));
        }
    }
    PreFilterState {
        constraints,
        counts,
    }
}

/// Filter: `UnschedulableAndUnresolvable` for a missing key, `Unschedulable` for too much skew.
pub fn filter(state: &PreFilterState, pod: &Pod, ni: &NodeInfo) -> Option<Rejection> {
    for (c, counts) in state.constraints.iter().zip(&state.counts) {
        let Some(value) = ni.label(&c.topology_key) else {
            return Some(Rejection::new(
                ERR_MISSING_LABEL,
                false,
                format!(
                    "the node has no {} label, which a topology spread constraint needs",
                    c.topology_key
                ),
            ));
        };
        let min = if (counts.len() as i64) < c.min_domains {
            0
        } else {
            counts.values().copied().min().unwrap_or(i64::MAX / 2)
        };
        let matching = counts.get(value).copied().unwrap_or(0);
        let skew = matching + i64::from(c.matches_self(pod)) - min;
        if skew > c.max_skew {
            return Some(Rejection::new(
                ERR_CONSTRAINTS,
                true,
                format!(
                    "{}={value} already has {matching} matching pod(s) and the emptiest domain {min}: placing the pod here makes the skew {skew}, above maxSkew {}",
                    c.topology_key, c.max_skew
                ),
            ));
        }
    }
    None
}

/// The pods on a node that count for the pod's spreading when scoring: with owner references,
/// the pods sharing its first owner (`PodsWithOwnerRef`), otherwise the selector's matches.
fn score_count(c: &Constraint, pod: &Pod, ni: &NodeInfo) -> i64 {
    match pod
        .metadata
        .owner_references
        .as_ref()
        .and_then(|o| o.first())
    {
        // Counted by the store's placement index rather than by looking at every pod.
        Some(owner) => ni.pods_owned_by(&owner.uid),
        None => c.count(ni.pods(), namespace(pod)),
    }
}

/// PreScore, Score and NormalizeScore; `None` (skip) without soft constraints.
pub fn score(snapshot: &Snapshot, pod: &Pod, feasible: &[&NodeInfo]) -> Option<Vec<i64>> {
    let own = pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .is_some_and(|c| !c.is_empty());
    let constraints = if own {
        pod_constraints(pod, "ScheduleAnyway")
    } else {
        default_constraints(snapshot, pod)
    };
    if constraints.is_empty() {
        return None;
    }
    // Only the system defaults let nodes lacking a zone label still be scored by hostname.
    let require_all = own;
    let ignored: BTreeSet<&str> = feasible
        .iter()
        .filter(|ni| require_all && !has_all_keys(ni.node, &constraints))
        .map(|ni| ni.name)
        .collect();
    // Topology values of the scored nodes, per constraint (hostname counts are per node).
    // A node without a constraint's key has no domain for it (`initPreScoreState`).
    let mut counts: Vec<BTreeMap<&str, i64>> = vec![BTreeMap::new(); constraints.len()];
    for ni in feasible.iter().filter(|ni| !ignored.contains(ni.name)) {
        for (i, c) in constraints.iter().enumerate() {
            if c.topology_key == HOSTNAME {
                continue;
            }
            if let Some(value) = ni.label(&c.topology_key) {
                counts[i].entry(value).or_insert(0);
            }
        }
    }
    let weights: Vec<f64> = constraints
        .iter()
        .zip(&counts)
        .map(|(c, values)| {
            let size = if c.topology_key == HOSTNAME {
                feasible.len() - ignored.len()
            } else {
                values.len()
            };
            ((size + 2) as f64).ln()
        })
        .collect();
    // Every node of the cluster counts towards the scored domains (PreScore walks all nodes).
    // This runs for every node in every cycle: the cheap label lookups decide first, and the
    // inclusion policy (the pod's node affinity against the node) only for nodes in a domain.
    if counts.iter().any(|c| !c.is_empty()) {
        for ni in &snapshot.nodes {
            if require_all && !has_all_keys(ni.node, &constraints) {
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if c.topology_key == HOSTNAME {
                    continue;
                }
                let Some(value) = ni.label(&c.topology_key) else {
                    continue;
                };
                let Some(n) = counts[i].get_mut(value) else {
                    continue;
                };
                if c.includes(pod, ni.node) {
                    *n += score_count(c, pod, ni);
                }
            }
        }
    }
    let raw: Vec<Option<i64>> = feasible
        .iter()
        .map(|ni| {
            if ignored.contains(ni.name) {
                return None;
            }
            let mut s = 0.0;
            for (i, c) in constraints.iter().enumerate() {
                // No scored node has this key (the zone, on nodes without zones), so neither
                // has this one: skip looking it up again, for every node of every cycle.
                if c.topology_key != HOSTNAME && counts[i].is_empty() {
                    continue;
                }
                let Some(value) = ni.label(&c.topology_key) else {
                    continue;
                };
                let cnt = if c.topology_key == HOSTNAME {
                    score_count(c, pod, ni)
                } else {
                    counts[i].get(value).copied().unwrap_or(0)
                };
                s += cnt as f64 * weights[i] + (c.max_skew - 1) as f64;
            }
            Some(s.round() as i64)
        })
        .collect();
    let present = raw.iter().flatten();
    let min = present.clone().copied().min().unwrap_or(0);
    let max = present.copied().max().unwrap_or(0);
    Some(
        raw.into_iter()
            .map(|s| match s {
                None => 0,
                Some(_) if max == 0 => 100,
                Some(s) => 100 * (max + min - s) / max,
            })
            .collect(),
    )
}
