//! The disruption controller (pkg/controller/disruption/disruption.go, `trySync`) and the
//! eviction subresource's budget check (pkg/registry/core/pod/storage/eviction.go).
//!
//! A PodDisruptionBudget's status says how many of its pods are healthy (Ready and not being
//! deleted or just evicted), how many must stay so, and therefore how many voluntary
//! disruptions are allowed now. An eviction of a covered pod consumes one: the API server
//! decrements `disruptionsAllowed` and records the pod in `disruptedPods` before deleting it, so
//! two evictions cannot both spend the last allowance.

use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::labels::Selector;
use crate::podutil;
use crate::store::{controller_ref, Key, Kind, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// `DeletionTimeout`: how long an evicted pod is expected to take to get its deletionTimestamp.
pub const DELETION_TIMEOUT: Dur = Dur::secs(120);

/// The message of the API server's 429 for an eviction the budget refuses.
pub const VIOLATION: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

/// The budget's selector (policy/v1: an empty selector selects every pod of the namespace, a
/// missing one none).
fn selector(pdb: &PodDisruptionBudget) -> Option<Selector> {
    let sel = pdb.spec.as_ref()?.selector.as_ref()?;
    Selector::from_label_selector(sel).ok()
}

/// The budgets of the pod's namespace whose selector matches its labels.
pub fn budgets_for<'a>(
    store: &'a Store,
    ns: &'a str,
    labels: &BTreeMap<String, String>,
) -> Vec<&'a PodDisruptionBudget> {
    store
        .poddisruptionbudgets
        .in_namespace(ns)
        .filter(|b| selector(b).is_some_and(|s| s.matches(labels)))
        .collect()
}

/// `GetScaledValueFromIntOrPercent` (rounding up, as both budget fields do).
pub fn scaled(v: &IntOrString, total: i32) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let p: i64 = s
                .strip_suffix('%')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("invalid value for IntOrString: invalid value {s:?}"))?;
            Ok(((p * total as i64 + 99) / 100) as i32)
        }
    }
}

/// `getExpectedScale`: the summed scale of the pods' controllers (each counted once);
/// pods without a controller are the "unmanaged" ones.
fn expected_scale(store: &Store, pods: &[&Pod]) -> (i32, Vec<String>) {
    let mut scales: BTreeMap<String, i32> = BTreeMap::new();
    let mut unmanaged = Vec::new();
    for p in pods {
        let Some(r) = controller_ref(&p.metadata) else {
            unmanaged.push(p.metadata.name.clone().unwrap_or_default());
            continue;
        };
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let found = match r.kind.as_str() {
            "ReplicaSet" => store
                .replicasets
                .get(&Key::new(ns.clone(), r.name.clone()))
                .filter(|rs| rs.metadata.uid.as_deref() == Some(r.uid.as_str()))
                .map(
                    |rs| match controller_ref(&rs.metadata).filter(|d| d.kind == "Deployment") {
                        Some(d) => store
                            .deployments
                            .get(&Key::new(ns.clone(), d.name.clone()))
                            .map(|dep| (d.uid.clone(), dep.spec.replicas.unwrap_or(1)))
                            .unwrap_or((r.uid.clone(), 0)),
                        None => (r.uid.clone(), rs.spec.replicas.unwrap_or(1)),
                    },
                ),
            "StatefulSet" => store
                .statefulsets
                .get(&Key::new(ns.clone(), r.name.clone()))
                .map(|s| (r.uid.clone(), s.spec.replicas.unwrap_or(1))),
            _ => None,
        };
        if let Some((uid, n)) = found {
            scales.insert(uid, n);
        }
    }
    (scales.values().sum(), unmanaged)
}

/// `trySync`: the status a budget should have now, the events to record, and when the
/// controller must look again (an evicted pod not deleted within [`DELETION_TIMEOUT`]).
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut r = Reconcile::done();
    let Some(pdb) = store.poddisruptionbudgets.get(key) else {
        return r;
    };
    let regarding = Regarding::of(Kind::PodDisruptionBudget, &pdb.metadata);
    let spec = pdb.spec.clone().unwrap_or_default();
    let pods: Vec<&Pod> = match selector(pdb) {
        Some(sel) => store
            .pods
            .in_namespace(&key.namespace)
            .filter(|p| sel.matches(&p.metadata.labels.clone().unwrap_or_default()))
            .collect(),
        None => Vec::new(),
    };
    if pods.is_empty() {
        r.event(EventRecord::normal(
            regarding.clone(),
            Component::DisruptionController,
            "NoPods",
            "No matching pods found".into(),
        ));
    }
    // `getExpectedPodCount`.
    let (expected, desired) = match (&spec.max_unavailable, &spec.min_available) {
        (Some(max), _) => {
            let (expected, _) = expected_scale(store, &pods);
            let max = scaled(max, expected).unwrap_or(0);
            (expected, (expected - max).max(0))
        }
        (None, Some(IntOrString::Int(min))) => (pods.len() as i32, *min),
        (None, Some(min)) => {
            let (expected, _) = expected_scale(store, &pods);
            (expected, scaled(min, expected).unwrap_or(0))
        }
        (None, None) => (pods.len() as i32, 0),
    };
    // `buildDisruptedPodMap`: evicted pods still expected to be deleted.
    let recorded = pdb
        .status
        .as_ref()
        .and_then(|s| s.disrupted_pods.clone())
        .unwrap_or_default();
    let mut disrupted: BTreeMap<String, Time> = BTreeMap::new();
    for p in &pods {
        if p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let name = p.metadata.name.clone().unwrap_or_default();
        let Some(at) = recorded.get(&name) else {
            continue;
        };
        let due = SimTime::from_k8s(at) + DELETION_TIMEOUT;
        if due <= now {
            r.event(EventRecord::warning(
                Regarding::of(Kind::Pod, &p.metadata),
                Component::DisruptionController,
                "NotDeleted",
                format!(
                    "Pod was expected by PDB {}/{} to be deleted but it wasn't",
                    key.namespace, key.name
                ),
            ));
        } else {
            r.requeue(due.since(now));
            disrupted.insert(name, at.clone());
        }
    }
    // `countHealthyPods`.
    let healthy = pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| !disrupted.contains_key(p.metadata.name.as_deref().unwrap_or_default()))
        .filter(|p| podutil::is_ready(p))
        .count() as i32;
    let mut allowed = healthy - desired;
    if expected <= 0 || allowed <= 0 {
        allowed = 0;
    }
    let mut new = pdb.clone();
    let old = pdb.status.clone().unwrap_or_default();
    let generation = pdb.metadata.generation;
    let (status, reason) = if allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    let transition = old
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "DisruptionAllowed" && c.status == status)
        .map(|c| c.last_transition_time.clone())
        .unwrap_or(Time(now.to_k8s().0));
    new.status = Some(PodDisruptionBudgetStatus {
        current_healthy: Some(healthy),
        desired_healthy: Some(desired),
        disruptions_allowed: Some(allowed),
        expected_pods: Some(expected),
        observed_generation: generation,
        disrupted_pods: (!disrupted.is_empty()).then_some(disrupted),
        conditions: Some(vec![Condition {
            type_: "DisruptionAllowed".into(),
            status: status.into(),
            reason: reason.into(),
            message: String::new(),
            observed_generation: generation,
            last_transition_time: transition,
        }]),
    });
    if new != *pdb {
        r.push(Action::UpdateStatus(Object::PodDisruptionBudget(new)));
    }
    r
}

/// Why the eviction subresource refuses to evict a pod, as the API server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvictionRefused {
    /// 429 TooManyRequests: the budget allows no disruption now (retry later).
    TooManyRequests(String),
    /// 500: more than one budget covers the pod.
    MultipleBudgets,
}

impl std::fmt::Display for EvictionRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvictionRefused::TooManyRequests(_) => f.write_str(VIOLATION),
            EvictionRefused::MultipleBudgets => f.write_str(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ),
        }
    }
}

/// The eviction subresource's decision for a pod: Ok with the budget to write back (its
/// allowance spent and the pod recorded as disrupted), or the refusal.
pub fn check_eviction(
    store: &Store,
    pod: &Pod,
    now: SimTime,
) -> Result<Option<PodDisruptionBudget>, EvictionRefused> {
    // A terminal or already terminating pod disrupts nothing more.
    if podutil::is_terminal(pod) || pod.metadata.deletion_timestamp.is_some() {
        return Ok(None);
    }
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let budgets = budgets_for(store, &ns, &labels);
    let pdb = match budgets.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        _ => return Err(EvictionRefused::MultipleBudgets),
    };
    let status = pdb.status.clone().unwrap_or_default();
    let current = status.current_healthy.unwrap_or(0);
    let desired = status.desired_healthy.unwrap_or(0);
    let always = pdb
        .spec
        .as_ref()
        .and_then(|s| s.unhealthy_pod_eviction_policy.as_deref())
        == Some("AlwaysAllow");
    // An unready pod does not count towards the healthy ones: evicting it spends nothing if
    // the budget is met (IfHealthyBudget) or always (AlwaysAllow).
    if !podutil::is_ready(pod) && (always || (current >= desired && desired > 0)) {
        return Ok(None);
    }
    let name = format!("{}/{}", ns, pdb.metadata.name.clone().unwrap_or_default());
    if status.observed_generation.unwrap_or(0) < pdb.metadata.generation.unwrap_or(0) {
        return Err(EvictionRefused::TooManyRequests(format!(
            "The disruption budget {name} is still being processed by the server."
        )));
    }
    if status.disruptions_allowed.unwrap_or(0) <= 0 {
        return Err(EvictionRefused::TooManyRequests(format!(
            "The disruption budget {name} needs {} healthy pods and has {} currently",
            desired, current
        )));
    }
    let mut spent = pdb.clone();
    let st = spent.status.get_or_insert_with(Default::default);
    let left = st.disruptions_allowed.unwrap_or(0) - 1;
    st.disruptions_allowed = Some(left);
    if left == 0 {
        for c in st.conditions.iter_mut().flatten() {
            if c.type_ == "DisruptionAllowed" {
                c.status = "False".into();
                c.reason = "InsufficientPods".into();
                c.last_transition_time = Time(now.to_k8s().0);
            }
        }
    }
    st.disrupted_pods.get_or_insert_with(BTreeMap::new).insert(
        pod.metadata.name.clone().unwrap_or_default(),
        Time(now.to_k8s().0),
    );
    Ok(Some(spent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(&IntOrString::String("50%".into()), 3), Ok(2));
        assert_eq!(scaled(&IntOrString::String("34%".into()), 3), Ok(2));
        assert_eq!(scaled(&IntOrString::String("0%".into()), 3), Ok(0));
        assert_eq!(scaled(&IntOrString::Int(4), 3), Ok(4));
    }
}
