//! Pure helpers of the DaemonSet controller (`pkg/controller/daemon/util/daemonset_util.go` and
//! the predicates of `daemon_controller.go`): which nodes should run a daemon pod, the
//! tolerations every daemon pod gets, the pod template with its revision labels and its node
//! pinned by affinity, and the update-strategy arithmetic.

use crate::controllers::deployment::util::value_from_int_or_percent;
use crate::controllers::scheduler::{node_affinity_matches, untolerated_taint};
use crate::podutil;
use crate::store::DS_TEMPLATE_GENERATION;
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodSpec, PodTemplateSpec, Toleration,
};
use std::cmp::Ordering;

/// `DefaultDaemonSetUniqueLabelKey`: the revision hash on pods and ControllerRevisions.
pub const HASH_LABEL: &str = "controller-revision-hash";
/// `DaemonSetTemplateGenerationKey`: the legacy template generation on pods.
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";

pub const ROLLING_UPDATE: &str = "RollingUpdate";
pub const ON_DELETE: &str = "OnDelete";

/// `AddOrUpdateDaemonPodTolerations`: daemon pods survive not-ready and unreachable nodes for
/// ever, and tolerate the pressure and unschedulable taints (network-unavailable only with host
/// networking).
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.host_network == Some(true) {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    for (key, effect) in wanted {
        add_or_update_toleration(
            spec,
            Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some(effect.into()),
                ..Default::default()
            },
        );
    }
}

/// `AddOrUpdateTolerationInPodSpec`: a toleration matching on key, operator, value and effect
/// is replaced in place; otherwise the new one is appended.
fn add_or_update_toleration(spec: &mut PodSpec, t: Toleration) {
    let list = spec.tolerations.get_or_insert_with(Vec::new);
    let same = |o: &Toleration| {
        o.key == t.key
            && o.effect == t.effect
            && o.operator.as_deref().unwrap_or("Equal") == t.operator.as_deref().unwrap_or("Equal")
            && o.value.as_deref().unwrap_or("") == t.value.as_deref().unwrap_or("")
    };
    match list.iter_mut().find(|o| same(o)) {
        Some(existing) => *existing = t,
        None => list.push(t),
    }
}

/// `NodeShouldRunDaemonPod` for one DaemonSet, prepared once for every node it is asked about:
/// the parts of `NewPod` the predicates read (node selector, affinity, the template's
/// tolerations with the daemon ones added), without copying the rest of the template.
pub struct DaemonPredicate {
    template_node: Option<String>,
    pod: Pod,
    tolerations: Vec<Toleration>,
}

impl DaemonPredicate {
    pub fn new(ds: &DaemonSet) -> DaemonPredicate {
        let t = ds.spec.template.spec.as_ref();
        let mut spec = PodSpec {
            node_selector: t.and_then(|s| s.node_selector.clone()),
            affinity: t.and_then(|s| s.affinity.clone()),
            tolerations: t.and_then(|s| s.tolerations.clone()),
            // The daemon tolerations depend on it.
            host_network: t.and_then(|s| s.host_network),
            ..Default::default()
        };
        add_daemon_tolerations(&mut spec);
        let tolerations = spec.tolerations.take().unwrap_or_default();
        DaemonPredicate {
            template_node: t
                .and_then(|s| s.node_name.clone())
                .filter(|n| !n.is_empty()),
            pod: Pod {
                spec: Some(spec),
                ..Default::default()
            },
            tolerations,
        }
    }

    /// `(shouldRun, shouldContinueRunning)`. A node that fails the node name or node affinity
    /// gives `(false, false)`; untolerated NoSchedule/NoExecute taints stop new pods, and only
    /// an untolerated NoExecute taint removes a running one. Resources, ports and
    /// `spec.unschedulable` are the scheduler's business, not this predicate's.
    pub fn check(&self, node: &Node) -> (bool, bool) {
        let node_name = node.metadata.name.as_deref().unwrap_or_default();
        if self
            .template_node
            .as_deref()
            .is_some_and(|n| n != node_name)
        {
            return (false, false);
        }
        if !node_affinity_matches(&self.pod, node) {
            return (false, false);
        }
        let taints = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default();
        if untolerated_taint(taints, &self.tolerations, &["NoSchedule", "NoExecute"]).is_some() {
            let evicting = untolerated_taint(taints, &self.tolerations, &["NoExecute"]).is_some();
            return (false, !evicting);
        }
        (true, true)
    }
}

/// `NodeShouldRunDaemonPod` for one node (see [`DaemonPredicate::check`]).
pub fn node_should_run_daemon_pod(node: &Node, ds: &DaemonSet) -> (bool, bool) {
    DaemonPredicate::new(ds).check(node)
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required node affinity becomes one term that
/// selects this node by `metadata.name`; other affinity types are kept.
pub fn pin_to_node(affinity: Option<Affinity>, node_name: &str) -> Affinity {
    let term = NodeSelectorTerm {
        match_fields: Some(vec![NodeSelectorRequirement {
            key: "metadata.name".into(),
            operator: "In".into(),
            values: Some(vec![node_name.to_string()]),
        }]),
        match_expressions: None,
    };
    let mut affinity = affinity.unwrap_or_default();
    let node_affinity = affinity
        .node_affinity
        .get_or_insert_with(NodeAffinity::default);
    node_affinity.required_during_scheduling_ignored_during_execution = Some(NodeSelector {
        node_selector_terms: vec![term],
    });
    affinity
}

/// `GetTemplateGeneration`: the template generation the API server keeps in an annotation.
pub fn template_generation(ds: &DaemonSet) -> Option<i64> {
    ds.metadata
        .annotations
        .as_ref()?
        .get(DS_TEMPLATE_GENERATION)?
        .parse()
        .ok()
}

/// `CreatePodTemplate`: the template with the daemon tolerations and the template-generation
/// and hash labels.
pub fn pod_template(ds: &DaemonSet, hash: &str) -> PodTemplateSpec {
    let mut t = ds.spec.template.clone();
    add_daemon_tolerations(t.spec.get_or_insert_with(Default::default));
    let labels = t
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(Default::default);
    if let Some(g) = template_generation(ds) {
        labels.insert(TEMPLATE_GENERATION_LABEL.into(), g.to_string());
    }
    if !hash.is_empty() {
        labels.insert(HASH_LABEL.into(), hash.to_string());
    }
    t
}

fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

/// `IsPodUpdated`: the pod carries the current hash, or the current template generation.
pub fn is_pod_updated(pod: &Pod, hash: &str, generation: Option<i64>) -> bool {
    let template_matches = generation
        .is_some_and(|g| label(pod, TEMPLATE_GENERATION_LABEL) == Some(g.to_string().as_str()));
    let hash_matches = !hash.is_empty() && label(pod, HASH_LABEL) == Some(hash);
    hash_matches || template_matches
}

/// `GetTargetNodeName`: `spec.nodeName`, or the node an unscheduled pod is pinned to.
pub fn target_node(pod: &Pod) -> Option<String> {
    if let Some(n) = podutil::node_name(pod) {
        return Some(n.to_string());
    }
    let terms = &pod
        .spec
        .as_ref()?
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    terms.iter().find_map(|t| {
        t.match_fields.iter().flatten().find_map(|r| {
            (r.key == "metadata.name" && r.operator == "In")
                .then(|| r.values.as_ref().and_then(|v| v.first().cloned()))
                .flatten()
        })
    })
}

/// `podByCreationTimestampAndPhase`: scheduled pods first, then the oldest, then by name.
pub fn oldest_first(a: &Pod, b: &Pod) -> Ordering {
    let unscheduled = |p: &Pod| podutil::node_name(p).is_none();
    unscheduled(a)
        .cmp(&unscheduled(b))
        .then_with(|| {
            a.metadata
                .creation_timestamp
                .cmp(&b.metadata.creation_timestamp)
        })
        .then_with(|| a.metadata.name.cmp(&b.metadata.name))
}

/// `AllowsSurge`: a rolling update with a non-zero maxSurge.
pub fn allows_surge(ds: &DaemonSet) -> bool {
    let strategy = ds.spec.update_strategy.as_ref();
    let rolling = strategy
        .and_then(|s| s.type_.as_deref())
        .unwrap_or(ROLLING_UPDATE)
        == ROLLING_UPDATE;
    rolling
        && strategy
            .and_then(|s| s.rolling_update.as_ref())
            .and_then(|r| r.max_surge.as_ref())
            .and_then(|v| value_from_int_or_percent(v, 100, true).ok())
            .is_some_and(|v| v != 0)
}

/// `SurgeCount` and `UnavailableCount` against the desired number of nodes (percentages round
/// up), with `updatedDesiredNodeCounts`' rule that both zero means one unavailable.
pub fn surge_and_unavailable(ds: &DaemonSet, desired: i32) -> (i32, i32) {
    let ru = ds
        .spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref());
    let resolve = |v: Option<&k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| {
        v.and_then(|v| value_from_int_or_percent(v, desired, true).ok())
            .unwrap_or(0)
    };
    let surge = if allows_surge(ds) {
        resolve(ru.and_then(|r| r.max_surge.as_ref()))
    } else {
        0
    };
    let mut unavailable = resolve(ru.and_then(|r| r.max_unavailable.as_ref()));
    if desired > 0 && surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeSpec, Taint};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn node(name: &str, labels: &[(&str, &str)], taints: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                taints: Some(
                    taints
                        .iter()
                        .map(|(k, e)| Taint {
                            key: k.to_string(),
                            effect: e.to_string(),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            status: None,
        }
    }

    fn ds(selector: &[(&str, &str)]) -> DaemonSet {
        let mut d = DaemonSet::default();
        let spec = d.spec.template.spec.get_or_insert_with(Default::default);
        if !selector.is_empty() {
            spec.node_selector = Some(
                selector
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
        }
        d
    }

    #[test]
    fn taints_stop_new_pods_and_only_no_execute_removes_running_ones() {
        let d = ds(&[]);
        assert_eq!(
            node_should_run_daemon_pod(&node("a", &[], &[]), &d),
            (true, true)
        );
        let no_schedule = node("a", &[], &[("dedicated", "NoSchedule")]);
        assert_eq!(node_should_run_daemon_pod(&no_schedule, &d), (false, true));
        let no_execute = node("a", &[], &[("dedicated", "NoExecute")]);
        assert_eq!(node_should_run_daemon_pod(&no_execute, &d), (false, false));
        let prefer = node("a", &[], &[("dedicated", "PreferNoSchedule")]);
        assert_eq!(node_should_run_daemon_pod(&prefer, &d), (true, true));
        // The tolerations every daemon pod gets.
        for (key, effect) in [
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
            ("node.kubernetes.io/not-ready", "NoExecute"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ] {
            let n = node("a", &[], &[(key, effect)]);
            assert_eq!(node_should_run_daemon_pod(&n, &d), (true, true), "{key}");
        }
        let net = node(
            "a",
            &[],
            &[("node.kubernetes.io/network-unavailable", "NoSchedule")],
        );
        assert_eq!(node_should_run_daemon_pod(&net, &d), (false, true));
        let mut host = ds(&[]);
        host.spec.template.spec.as_mut().unwrap().host_network = Some(true);
        assert_eq!(node_should_run_daemon_pod(&net, &host), (true, true));
    }

    #[test]
    fn node_selector_and_template_node_name_decide_placement() {
        let d = ds(&[("color", "blue")]);
        assert_eq!(
            node_should_run_daemon_pod(&node("a", &[("color", "blue")], &[]), &d),
            (true, true)
        );
        assert_eq!(
            node_should_run_daemon_pod(&node("a", &[("color", "green")], &[]), &d),
            (false, false)
        );
        let mut pinned = ds(&[]);
        pinned.spec.template.spec.as_mut().unwrap().node_name = Some("b".into());
        assert_eq!(
            node_should_run_daemon_pod(&node("a", &[], &[]), &pinned),
            (false, false)
        );
        assert_eq!(
            node_should_run_daemon_pod(&node("b", &[], &[]), &pinned),
            (true, true)
        );
    }

    #[test]
    fn pinned_pods_name_their_node_and_percentages_round_up() {
        let affinity = pin_to_node(None, "worker-1");
        let pod = Pod {
            spec: Some(PodSpec {
                affinity: Some(affinity),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(target_node(&pod).as_deref(), Some("worker-1"));
        let mut d = ds(&[]);
        d.spec.update_strategy = Some(k8s_openapi::api::apps::v1::DaemonSetUpdateStrategy {
            type_: Some(ROLLING_UPDATE.into()),
            rolling_update: Some(k8s_openapi::api::apps::v1::RollingUpdateDaemonSet {
                max_surge: Some(IntOrString::String("20%".into())),
                max_unavailable: Some(IntOrString::Int(0)),
            }),
        });
        assert_eq!(surge_and_unavailable(&d, 3), (1, 0));
        assert_eq!(surge_and_unavailable(&d, 6), (2, 0));
        d.spec.update_strategy.as_mut().unwrap().rolling_update =
            Some(k8s_openapi::api::apps::v1::RollingUpdateDaemonSet {
                max_surge: Some(IntOrString::Int(0)),
                max_unavailable: Some(IntOrString::String("0%".into())),
            });
        assert_eq!(surge_and_unavailable(&d, 3), (0, 1));
        assert_eq!(surge_and_unavailable(&d, 0), (0, 0));
    }
}
