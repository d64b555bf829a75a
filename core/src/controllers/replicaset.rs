//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`).
//!
//! One pass: claim pods (adopt matching orphans, release owned pods that stopped matching),
//! create or delete pods to reach `spec.replicas` (deleting the most deletable first, by
//! `ActivePodsWithRanks`), and write status computed from the pods seen at the start of the pass.

use super::{controller_ref_to, Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::labels::{Requirement, Selector};
use crate::podutil::{self, PodFacts};
use crate::store::{controller_ref, Key, Kind, Propagation, Store};
use crate::time::{Dur, SimTime};
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;

/// At most this many creations or deletions per pass (`burstReplicas`).
pub const BURST_REPLICAS: usize = 500;

/// The label every Deployment-managed ReplicaSet and pod carries.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// Pod annotation that makes a pod cheaper or dearer to delete on scale-down.
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// `syncReplicaSet`.
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(rs) = store.replicasets.get(key) else {
        return out;
    };
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let spec = &rs.spec;
    let Ok(selector) = Selector::from_label_selector(&spec.selector) else {
        return out;
    };
    let deleting = rs.metadata.deletion_timestamp.is_some();

    // Claim: owned pods that still match, plus adoptable orphans. Owned pods are borrowed, not
    // copied: this pass runs on every change to any of them.
    let mut adopted: Vec<(Pod, PodFacts)> = Vec::new();
    if !deleting && !selector.is_empty() {
        for pod in store.pods.orphans() {
            if pod.metadata.namespace.as_deref() == Some(key.namespace.as_str())
                && pod.metadata.deletion_timestamp.is_none()
                && podutil::is_active(pod)
                && selector.matches_opt(pod.metadata.labels.as_ref())
            {
                let mut p = pod.clone();
                p.metadata
                    .owner_references
                    .get_or_insert_with(Vec::new)
                    .push(controller_ref_to::<ReplicaSet>(&rs.metadata));
                out.push(Action::Update(Object::Pod(p.clone())));
                let facts = PodFacts::of(&p);
                adopted.push((p, facts));
            }
        }
    }
    // The owned pods nearly all carry one label set: when every set matches, no pod's labels
    // need reading.
    let all_match = !selector.is_empty()
        && store
            .pods
            .owned_label_sets(&uid)
            .all(|l| selector.matches(l));
    let mut pods: Vec<(&Pod, PodFacts)> = Vec::new();
    for (pod, facts) in store.pods.owned_with_facts(&uid) {
        if all_match || (!selector.is_empty() && selector.matches_opt(pod.metadata.labels.as_ref()))
        {
            pods.push((pod, facts));
        } else if pod.metadata.deletion_timestamp.is_none() {
            out.push(Action::Update(Object::Pod(release(pod, &uid))));
        }
    }
    pods.extend(adopted.iter().map(|(p, f)| (p, *f)));
    let active: Vec<(&Pod, PodFacts)> = pods.iter().copied().filter(|(_, f)| f.active).collect();

    if !deleting {
        manage_replicas(store, rs, &active, now, &mut out);
    }

    // Status from the pods observed at the start of the pass, counted in one walk over them
    // (this pass runs after every batch of changes to any of its pods).
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let template_labels = spec
        .template
        .as_ref()
        .map(podutil::template_labels)
        .unwrap_or_default();
    // Every pod counted matched the selector; when the selector itself requires each template
    // label (a Deployment's ReplicaSets), matching it is being fully labeled, and the pods'
    // labels need not be read again.
    let implied = template_labels.iter().all(|(k, v)| {
        selector
            .requirements
            .iter()
            .any(|r| matches!(r, Requirement::Eq(rk, rv) if rk == k && rv == v))
    });
    let (mut ready, mut available, mut fully_labeled) = (0, 0, 0);
    // When the next ready pod becomes available. Only a pod waiting out minReadySeconds sets
    // it: without them a ready pod is available at once.
    let mut next_available: Option<SimTime> = None;
    for (p, facts) in &active {
        if implied
            || template_labels
                .iter()
                .all(|(k, v)| p.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
        {
            fully_labeled += 1;
        }
        let readiness = facts.readiness;
        if !readiness.ready {
            continue;
        }
        ready += 1;
        if readiness.available(min_ready, now) {
            available += 1;
        } else if let Some(at) = readiness.available_at(min_ready) {
            next_available = Some(next_available.map_or(at, |n| n.min(at)));
        }
    }
    let terminating = pods.iter().filter(|(_, f)| f.terminating).count() as i32;
    let status = ReplicaSetStatus {
        replicas: active.len() as i32,
        fully_labeled_replicas: Some(fully_labeled),
        ready_replicas: Some(ready),
        available_replicas: Some(available),
        terminating_replicas: Some(terminating),
        observed_generation: rs.metadata.generation,
        conditions: None,
    };
    if rs.status.as_ref() != Some(&status) {
        let mut updated = rs.clone();
        updated.status = Some(status);
        out.push(Action::UpdateStatus(Object::ReplicaSet(updated)));
    }
    // Wake up when a ready pod becomes available.
    if let Some(next) = next_available {
        out.requeue(next.since(now).max(Dur::ms(1)));
    }
    out
}

/// `ReleasePod`: drops the owner reference with this uid.
pub(crate) fn release(pod: &Pod, owner_uid: &str) -> Pod {
    let mut p = pod.clone();
    if let Some(refs) = p.metadata.owner_references.as_mut() {
        refs.retain(|r| r.uid != owner_uid);
        if refs.is_empty() {
            p.metadata.owner_references = None;
        }
    }
    p
}

fn manage_replicas(
    store: &Store,
    rs: &ReplicaSet,
    active: &[(&Pod, PodFacts)],
    now: SimTime,
    out: &mut Reconcile,
) {
    let spec = &rs.spec;
    let want = spec.replicas.unwrap_or(1).max(0) as usize;
    let have = active.len();
    let regarding = Regarding::of(Kind::ReplicaSet, &rs.metadata);
    if have < want {
        let n = (want - have).min(BURST_REPLICAS);
        let template = spec.template.clone().unwrap_or_default();
        for _ in 0..n {
            out.push(Action::Create {
                object: Object::Pod(pod_from_template(
                    &template,
                    &rs.metadata,
                    controller_ref_to::<ReplicaSet>(&rs.metadata),
                )),
                event: Some(EventRecord::normal(
                    regarding.clone(),
                    Component::ReplicaSetController,
                    "SuccessfulCreate",
                    "Created pod: {name}".into(),
                )),
            });
        }
    } else if have > want {
        let n = (have - want).min(BURST_REPLICAS);
        for pod in pods_to_delete(store, rs, active, n, now) {
            let name = pod.metadata.name.clone().unwrap_or_default();
            out.push(Action::Delete {
                kind: Kind::Pod,
                key: Key::of(&pod.metadata),
                grace_seconds: pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.termination_grace_period_seconds)
                    .or(Some(30)),
                propagation: Propagation::Background,
                event: Some(EventRecord::normal(
                    regarding.clone(),
                    Component::ReplicaSetController,
                    "SuccessfulDelete",
                    format!("Deleted pod: {name}"),
                )),
            });
        }
    }
}

/// `GetPodFromTemplate`: a pod with `generateName "<owner>-"`, the template's labels,
/// annotations and spec, and a controller reference.
pub fn pod_from_template(
    template: &PodTemplateSpec,
    owner: &ObjectMeta,
    controller: OwnerReference,
) -> Pod {
    let tmeta = template.metadata.clone().unwrap_or_default();
    let owner_name = owner.name.clone().unwrap_or_default();
    // The API server truncates the prefix so that prefix + 5 random characters fit in 63.
    let mut prefix = format!("{owner_name}-");
    if prefix.len() > 58 {
        prefix.truncate(58);
    }
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(prefix),
            namespace: owner.namespace.clone(),
            labels: tmeta.labels,
            annotations: tmeta.annotations,
            finalizers: tmeta.finalizers,
            owner_references: Some(vec![controller]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// Chooses which pods to delete on scale-down: the first `n` of `ActivePodsWithRanks` order.
fn pods_to_delete<'a>(
    store: &Store,
    rs: &ReplicaSet,
    active: &[(&'a Pod, PodFacts)],
    n: usize,
    now: SimTime,
) -> Vec<&'a Pod> {
    if n >= active.len() {
        return active.iter().map(|(p, _)| *p).collect();
    }
    let ranks = related_pods_per_node(store, rs);
    let mut ranked: Vec<(DeletionKey, &Pod)> = active
        .iter()
        .map(|&(p, _)| {
            let rank = podutil::node_name(p)
                .and_then(|n| ranks.get(n))
                .copied()
                .unwrap_or(0);
            (deletion_key(p, rank, now), p)
        })
        .collect();
    // The keys are a total order (the uid breaks ties), so choosing the first `n` and sorting
    // only those gives what sorting everything would.
    if n > 0 {
        ranked.select_nth_unstable_by(n - 1, |a, b| a.0.cmp(&b.0));
    }
    ranked.truncate(n);
    ranked.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    ranked.into_iter().map(|(_, p)| p).collect()
}

/// Active pods per node among the pods related to this ReplicaSet: those of every ReplicaSet
/// owned by the same Deployment, or of this ReplicaSet alone if it has no owner.
fn related_pods_per_node(store: &Store, rs: &ReplicaSet) -> BTreeMap<String, usize> {
    let mut related_rs: Vec<String> = vec![rs.metadata.uid.clone().unwrap_or_default()];
    if let Some(owner) = controller_ref(&rs.metadata) {
        related_rs = store
            .replicasets
            .owned_by(&owner.uid)
            .filter_map(|r| r.metadata.uid.clone())
            .collect();
    }
    let mut counts = BTreeMap::new();
    for uid in &related_rs {
        for p in store.pods.owned_by(uid).filter(|p| podutil::is_active(p)) {
            if let Some(n) = podutil::node_name(p) {
                *counts.entry(n.to_string()).or_insert(0) += 1;
            }
        }
    }
    counts
}

fn phase_ordinal(p: &Pod) -> u8 {
    match podutil::phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 3,
    }
}

fn deletion_cost(p: &Pod) -> i32 {
    p.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(POD_DELETION_COST))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `floor(log2(duration in ns))`, the LogarithmicScaleDown bucket of an age.
fn log_bucket(since: Option<SimTime>, now: SimTime) -> i64 {
    match since {
        Some(t) => {
            let ns = (now.since(t).0 as u128 * 1_000_000).max(1);
            127 - ns.leading_zeros() as i64
        }
        None => i64::MAX,
    }
}

fn max_restarts(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().map(|c| c.restart_count).max())
        .unwrap_or(0)
}

/// Where a pod sorts in `ActivePodsWithRanks`: smaller keys are deleted first. The rules, in
/// order (the semantics reference §2.3 lists them):
/// 1. unassigned before assigned;
/// 2. Pending < Unknown < Running;
/// 3. not ready before ready;
/// 4. lower deletion cost first;
/// 5. doubled-up pods (higher rank) first;
/// 6. among ready pods, ready more recently first (log2 buckets of the time since ready);
/// 7. more restarts first;
/// 8. newer first (log2 buckets of age), then lower uid.
///
/// Computed once per pod, so that sorting thousands of pods does not re-read each pod's
/// conditions and re-parse its timestamps at every comparison.
pub type DeletionKey<'a> = (
    bool,
    u8,
    bool,
    i32,
    Reverse<usize>,
    i64,
    Reverse<i32>,
    i64,
    &'a str,
);

pub fn deletion_key(p: &Pod, rank: usize, now: SimTime) -> DeletionKey<'_> {
    let ready = podutil::is_ready(p);
    // Rule 6 only compares two ready pods; rule 3 has already ordered a ready pod against an
    // unready one, so unready pods may all share one bucket here.
    let ready_bucket = if ready {
        log_bucket(podutil::ready_since(p), now)
    } else {
        0
    };
    let created = p
        .metadata
        .creation_timestamp
        .as_ref()
        .map(SimTime::from_k8s);
    (
        podutil::node_name(p).is_some(),
        phase_ordinal(p),
        ready,
        deletion_cost(p),
        Reverse(rank),
        ready_bucket,
        Reverse(max_restarts(p)),
        log_bucket(created, now),
        p.metadata.uid.as_deref().unwrap_or_default(),
    )
}

/// `ActivePodsWithRanks.Less`: `Less` means "delete first" (see [`deletion_key`]).
pub fn compare_for_deletion(
    a: &Pod,
    rank_a: usize,
    b: &Pod,
    rank_b: usize,
    now: SimTime,
) -> Ordering {
    deletion_key(a, rank_a, now).cmp(&deletion_key(b, rank_b, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodSpec, PodStatus};

    fn pod(
        name: &str,
        node: Option<&str>,
        phase: &str,
        ready_at: Option<u64>,
        created: u64,
        restarts: i32,
    ) -> Pod {
        let mut conditions = vec![];
        if let Some(t) = ready_at {
            conditions.push(PodCondition {
                type_: "Ready".into(),
                status: "True".into(),
                last_transition_time: Some(SimTime(t).to_k8s()),
                ..Default::default()
            });
        }
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(name.into()),
                creation_timestamp: Some(SimTime(created).to_k8s()),
                ..Default::default()
            },
            spec: Some(PodSpec {
                node_name: node.map(String::from),
                ..Default::default()
            }),
            status: Some(PodStatus {
                phase: Some(phase.into()),
                conditions: Some(conditions),
                container_statuses: Some(vec![k8s_openapi::api::core::v1::ContainerStatus {
                    restart_count: restarts,
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    fn order(pods: &[(Pod, usize)], now: u64) -> Vec<String> {
        let mut v: Vec<&(Pod, usize)> = pods.iter().collect();
        v.sort_by(|a, b| compare_for_deletion(&a.0, a.1, &b.0, b.1, SimTime(now)));
        v.iter()
            .map(|(p, _)| p.metadata.name.clone().unwrap())
            .collect()
    }

    #[test]
    fn deletion_ranking_follows_upstream_rules_in_order() {
        let now = 10_000_000;
        type Case = (&'static str, Vec<(Pod, usize)>, Vec<&'static str>);
        let cases: Vec<Case> = vec![
            (
                "unassigned first",
                vec![
                    (pod("a", Some("n1"), "Pending", None, 0, 0), 0),
                    (pod("b", None, "Pending", None, 0, 0), 0),
                ],
                vec!["b", "a"],
            ),
            (
                "pending before running",
                vec![
                    (pod("a", Some("n1"), "Running", None, 0, 0), 0),
                    (pod("b", Some("n1"), "Pending", None, 0, 0), 0),
                ],
                vec!["b", "a"],
            ),
            (
                "not ready before ready",
                vec![
                    (pod("a", Some("n1"), "Running", Some(5), 0, 0), 0),
                    (pod("b", Some("n1"), "Running", None, 0, 0), 0),
                ],
                vec!["b", "a"],
            ),
            (
                "doubled-up first",
                vec![
                    (pod("a", Some("n1"), "Running", Some(5), 0, 0), 1),
                    (pod("b", Some("n2"), "Running", Some(5), 0, 0), 2),
                ],
                vec!["b", "a"],
            ),
            (
                "ready more recently first",
                vec![
                    (pod("a", Some("n1"), "Running", Some(1_000), 0, 0), 1),
                    (pod("b", Some("n1"), "Running", Some(9_000_000), 0, 0), 1),
                ],
                vec!["b", "a"],
            ),
            (
                "more restarts first",
                vec![
                    (pod("a", Some("n1"), "Running", None, 0, 0), 1),
                    (pod("b", Some("n1"), "Running", None, 0, 3), 1),
                ],
                vec!["b", "a"],
            ),
            (
                "newer first",
                vec![
                    (pod("a", Some("n1"), "Running", None, 0, 0), 1),
                    (pod("b", Some("n1"), "Running", None, 9_000_000, 0), 1),
                ],
                vec!["b", "a"],
            ),
        ];
        for (name, pods, want) in cases {
            assert_eq!(order(&pods, now), want, "{name}");
        }
    }

    /// A ReplicaSet of three whose template carries `labels` and whose selector is `app: web`,
    /// beside a bare pod `app: web` created first, which it adopts: its status after settling.
    fn adopting(template_labels: &str) -> ReplicaSetStatus {
        use crate::manifest;
        use crate::sim::World;
        let mut w = World::new(5);
        let text = format!(
            "apiVersion: v1
kind: Pod
metadata:
  name: stray
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
{template_labels}    spec:
      containers:
      - name: web
        image: nginx:1.27
"
        );
        manifest::apply(&mut w, &text).expect("valid manifests");
        w.advance(Dur::secs(60));
        w.store()
            .replicasets
            .get(&Key::new("default", "web"))
            .and_then(|rs| rs.status.clone())
            .expect("the controller wrote a status")
    }

    #[test]
    fn fully_labeled_counts_pods_with_every_template_label() {
        // The template asks for a label the selector does not: the adopted stray lacks it.
        let status = adopting("        app: web\n        tier: front\n");
        assert_eq!(status.replicas, 3);
        assert_eq!(status.fully_labeled_replicas, Some(2));
        // The selector requires the template's only label: every pod it counts has it.
        let status = adopting("        app: web\n");
        assert_eq!(status.replicas, 3);
        assert_eq!(status.fully_labeled_replicas, Some(3));
    }

    #[test]
    fn deletion_cost_annotation_is_honoured() {
        let mut a = pod("a", Some("n1"), "Running", Some(5), 0, 0);
        let b = pod("b", Some("n1"), "Running", Some(5), 0, 0);
        a.metadata.annotations = Some([(POD_DELETION_COST.to_string(), "-10".to_string())].into());
        assert_eq!(order(&[(b, 0), (a, 0)], 100), vec!["a", "b"]);
    }
}
