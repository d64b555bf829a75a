//! InterPodAffinity (`pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}.go`).
//!
//! - Filter, in upstream order: the pod's required affinity (every term needs a pod it
//!   selects in the node's domain, the node needs every term's topology key; the first pod of
//!   a group that selects itself may go anywhere with those keys while no matching pod exists),
//!   the pod's required anti-affinity (no selected pod in the node's domain), and the required
//!   anti-affinity of pods already running (none of them may select this pod from the node's
//!   domain).
//! - Score: preferred affinity (+weight) and anti-affinity (−weight) of the pod towards
//!   existing pods and of existing pods towards it, and existing pods' required affinity
//!   (`hardPodAffinityWeight` 1), summed per topology domain and normalized between the lowest
//!   and the highest node.
//!
//! A term selects pods of its `namespaces` and of the namespaces its `namespaceSelector`
//! matches, or of the pod's own namespace when it has neither; `matchLabelKeys` and
//! `mismatchLabelKeys` add the pod's own label values to the selector.

use super::{NodeInfo, Rejection, Snapshot};
use crate::labels::{Requirement, Selector};
use k8s_openapi::api::core::v1::{Node, Pod, PodAffinityTerm};
use std::collections::{BTreeMap, BTreeSet};

pub const ERR_AFFINITY: &str = "node(s) didn't match pod affinity rules";
pub const ERR_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
pub const ERR_EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";

/// A topology domain: (key, value).
type Domain = (String, String);

/// A `PodAffinityTerm` resolved against the pod that owns it (`framework.AffinityTerm`).
#[derive(Debug, Clone)]
struct Term {
    namespaces: BTreeSet<String>,
    /// `None` selects no namespace by labels.
    namespace_selector: Option<Selector>,
    /// `None` selects no pod.
    selector: Option<Selector>,
    topology_key: String,
    weight: i64,
}

impl Term {
    fn new(owner: &Pod, t: &PodAffinityTerm, weight: i64) -> Term {
        let owner_labels = owner.metadata.labels.clone().unwrap_or_default();
        let mut selector = t
            .label_selector
            .as_ref()
            .and_then(|s| Selector::from_label_selector(s).ok());
        if let Some(sel) = selector.as_mut() {
            for (keys, make) in [
                (&t.match_label_keys, Requirement::In as fn(_, _) -> _),
                (&t.mismatch_label_keys, Requirement::NotIn),
            ] {
                for k in keys.iter().flatten() {
                    if let Some(v) = owner_labels.get(k) {
                        sel.requirements.push(make(k.clone(), vec![v.clone()]));
                    }
                }
            }
        }
        let mut namespaces: BTreeSet<String> = t.namespaces.iter().flatten().cloned().collect();
        if namespaces.is_empty() && t.namespace_selector.is_none() {
            namespaces.insert(namespace(owner).to_string());
        }
        Term {
            namespaces,
            namespace_selector: t
                .namespace_selector
                .as_ref()
                .and_then(|s| Selector::from_label_selector(s).ok()),
            selector,
            topology_key: t.topology_key.clone(),
            weight,
        }
    }

    /// `AffinityTerm.Matches`: namespace and labels.
    fn matches(&self, snapshot: &Snapshot, pod: &Pod) -> bool {
        let ns = namespace(pod);
        let ns_ok = self.namespaces.contains(ns)
            || self.namespace_selector.as_ref().is_some_and(|sel| {
                let labels = snapshot
                    .store
                    .namespaces
                    .get(&crate::store::Key::cluster(ns))
                    .and_then(|n| n.metadata.labels.clone())
                    .unwrap_or_default();
                sel.matches(&labels)
            });
        ns_ok
            && self
                .selector
                .as_ref()
                .is_some_and(|s| s.matches_opt(pod.metadata.labels.as_ref()))
    }

    /// The domain of this term's key on a node.
    fn domain(&self, node: &Node) -> Option<Domain> {
        let v = node.metadata.labels.as_ref()?.get(&self.topology_key)?;
        Some((self.topology_key.clone(), v.clone()))
    }
}

fn namespace(pod: &Pod) -> &str {
    pod.metadata.namespace.as_deref().unwrap_or("default")
}

/// The four term lists of a pod: required affinity, required anti-affinity, preferred
/// affinity, preferred anti-affinity.
struct Terms {
    affinity: Vec<Term>,
    anti: Vec<Term>,
    preferred: Vec<Term>,
    preferred_anti: Vec<Term>,
}

impl Terms {
    fn of(pod: &Pod) -> Terms {
        let a = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
        let pa = a.and_then(|a| a.pod_affinity.as_ref());
        let paa = a.and_then(|a| a.pod_anti_affinity.as_ref());
        let required = |r: Option<&Vec<PodAffinityTerm>>| -> Vec<Term> {
            r.into_iter()
                .flatten()
                .map(|t| Term::new(pod, t, 1))
                .collect()
        };
        let preferred = |r: Option<&Vec<k8s_openapi::api::core::v1::WeightedPodAffinityTerm>>| {
            r.into_iter()
                .flatten()
                .map(|w| Term::new(pod, &w.pod_affinity_term, i64::from(w.weight)))
                .collect::<Vec<_>>()
        };
        Terms {
            affinity: required(pa.and_then(|p| {
                p.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            anti: required(paa.and_then(|p| {
                p.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            preferred: preferred(pa.and_then(|p| {
                p.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            preferred_anti: preferred(paa.and_then(|p| {
                p.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
        }
    }

    fn is_empty(&self) -> bool {
        self.affinity.is_empty()
            && self.anti.is_empty()
            && self.preferred.is_empty()
            && self.preferred_anti.is_empty()
    }
}

fn pod_name(p: &Pod) -> &str {
    p.metadata.name.as_deref().unwrap_or_default()
}

/// PreFilter state (`preFilterState`), keeping one pod per domain for `sim why`.
pub struct PreFilterState<'a> {
    affinity: Vec<Term>,
    anti: Vec<Term>,
    /// Domains holding pods that match every required affinity term, with their count.
    affinity_counts: BTreeMap<Domain, i64>,
    /// Domains holding a pod one of the required anti-affinity terms selects.
    anti_pods: BTreeMap<Domain, &'a Pod>,
    /// Domains where an existing pod's required anti-affinity selects this pod.
    existing_anti: BTreeMap<Domain, &'a Pod>,
    /// The pod matches all of its own required affinity terms.
    self_affine: bool,
}

/// `PreFilter`.
pub fn pre_filter<'a>(snapshot: &'a Snapshot<'a>, pod: &Pod) -> PreFilterState<'a> {
    let own = Terms::of(pod);
    let mut state = PreFilterState {
        self_affine: !own.affinity.is_empty()
            && own.affinity.iter().all(|t| t.matches(snapshot, pod)),
        affinity: own.affinity,
        anti: own.anti,
        affinity_counts: BTreeMap::new(),
        anti_pods: BTreeMap::new(),
        existing_anti: BTreeMap::new(),
    };
    // Pods without terms of their own only matter to a pod that has terms: otherwise only the
    // pods with affinity need looking at (the scheduler's `PodsWithRequiredAntiAffinity`).
    let existing: Box<dyn Iterator<Item = _>> =
        if state.affinity.is_empty() && state.anti.is_empty() {
            Box::new(snapshot.pods_with_affinity())
        } else {
            Box::new(snapshot.pods())
        };
    for (ni, existing) in existing {
        for t in Terms::of(existing).anti {
            if t.matches(snapshot, pod) {
                if let Some(d) = t.domain(ni.node) {
                    state.existing_anti.entry(d).or_insert(existing);
                }
            }
        }
        if !state.affinity.is_empty()
            && state.affinity.iter().all(|t| t.matches(snapshot, existing))
        {
            for d in state.affinity.iter().filter_map(|t| t.domain(ni.node)) {
                *state.affinity_counts.entry(d).or_default() += 1;
            }
        }
        for t in state.anti.iter().filter(|t| t.matches(snapshot, existing)) {
            if let Some(d) = t.domain(ni.node) {
                state.anti_pods.entry(d).or_insert(existing);
            }
        }
    }
    state
}

fn show_domain(d: &Domain) -> String {
    format!("{}={}", d.0, d.1)
}

fn show_pod(p: &Pod) -> String {
    format!(
        "pod {} ({})",
        pod_name(p),
        crate::labels::format_labels(p.metadata.labels.as_ref())
    )
}

/// `Filter`: affinity (`UnschedulableAndUnresolvable`), then anti-affinity and existing pods'
/// anti-affinity (`Unschedulable`).
pub fn filter(state: &PreFilterState, ni: &NodeInfo) -> Option<Rejection> {
    let mut pods_exist = true;
    for t in &state.affinity {
        let Some(d) = t.domain(ni.node) else {
            return Some(Rejection::new(
                ERR_AFFINITY,
                false,
                format!(
                    "the node has no {} label, which the pod's affinity needs",
                    t.topology_key
                ),
            ));
        };
        if state.affinity_counts.get(&d).copied().unwrap_or(0) <= 0 {
            pods_exist = false;
        }
    }
    // The first pod of a group with affinity to itself may start anywhere.
    let first_of_group = state.affinity_counts.is_empty() && state.self_affine;
    if !(pods_exist || first_of_group) {
        let sel: Vec<String> = state
            .affinity
            .iter()
            .map(|t| {
                let s = t
                    .selector
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                format!("{s} in its {} domain", t.topology_key)
            })
            .collect();
        return Some(Rejection::new(
            ERR_AFFINITY,
            false,
            format!(
                "affinity needs a pod matching {} and none runs there",
                sel.join(" and ")
            ),
        ));
    }
    for t in &state.anti {
        if let Some((d, p)) = t
            .domain(ni.node)
            .and_then(|d| state.anti_pods.get(&d).map(|p| (d, p)))
        {
            return Some(Rejection::new(
                ERR_ANTI_AFFINITY,
                true,
                format!("anti-affinity with {} on {}", show_pod(p), show_domain(&d)),
            ));
        }
    }
    // Usually no existing pod's anti-affinity selects this one: then no label is copied.
    if state.existing_anti.is_empty() {
        return None;
    }
    for (k, v) in ni.node.metadata.labels.iter().flatten() {
        let d = (k.clone(), v.clone());
        if let Some(p) = state.existing_anti.get(&d) {
            return Some(Rejection::new(
                ERR_EXISTING_ANTI_AFFINITY,
                true,
                format!(
                    "{} on {} has anti-affinity against this pod",
                    show_pod(p),
                    show_domain(&d)
                ),
            ));
        }
    }
    None
}

/// `PreScore`, `Score` and `NormalizeScore`; `None` (skip) when no term is involved.
pub fn score(snapshot: &Snapshot, pod: &Pod, feasible: &[&NodeInfo]) -> Option<Vec<i64>> {
    let own = Terms::of(pod);
    let mut domains: BTreeMap<Domain, i64> = BTreeMap::new();
    let mut add = |terms: &[Term], target: &Pod, node: &Node, sign: i64| {
        for t in terms.iter().filter(|t| t.matches(snapshot, target)) {
            if let Some(d) = t.domain(node) {
                *domains.entry(d).or_default() += sign * t.weight;
            }
        }
    };
    let mut involved = !own.preferred.is_empty() || !own.preferred_anti.is_empty();
    let existing: Box<dyn Iterator<Item = _>> = if !involved {
        Box::new(snapshot.pods_with_affinity())
    } else {
        Box::new(snapshot.pods())
    };
    for (ni, existing) in existing {
        let theirs = Terms::of(existing);
        if theirs.is_empty() && own.preferred.is_empty() && own.preferred_anti.is_empty() {
            continue;
        }
        involved = true;
        add(&own.preferred, existing, ni.node, 1);
        add(&own.preferred_anti, existing, ni.node, -1);
        add(&theirs.affinity, pod, ni.node, 1);
        add(&theirs.preferred, pod, ni.node, 1);
        add(&theirs.preferred_anti, pod, ni.node, -1);
    }
    if !involved || domains.is_empty() {
        return None;
    }
    let raw: Vec<i64> = feasible
        .iter()
        .map(|ni| {
            ni.node
                .metadata
                .labels
                .iter()
                .flatten()
                .map(|(k, v)| domains.get(&(k.clone(), v.clone())).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let min = raw.iter().copied().min().unwrap_or(0);
    let max = raw.iter().copied().max().unwrap_or(0);
    Some(
        raw.iter()
            .map(|s| {
                if max > min {
                    (100.0 * ((s - min) as f64 / (max - min) as f64)) as i64
                } else {
                    0
                }
            })
            .collect(),
    )
}
