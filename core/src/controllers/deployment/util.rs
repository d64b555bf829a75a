//! Pure helpers of the Deployment controller (`pkg/controller/deployment/util/deployment_util.go`,
//! `pkg/controller/controller_utils.go`): fenceposts, hashing, revisions, annotations.

use crate::controllers::replicaset::POD_TEMPLATE_HASH;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
pub const ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// Upper bound of the revision-history annotation (`maxRevHistoryLengthInChars`).
pub const MAX_REV_HISTORY_CHARS: usize = 2000;

/// Deployment annotations never copied to its ReplicaSets (nor back by `rollout undo`).
pub const SKIP_COPY: [&str; 6] = [
    LAST_APPLIED,
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    ROLLBACK_TO,
];

/// `GetValueFromIntOrPercent`: an int, or a percentage of `total` rounded up or down.
pub fn value_from_int_or_percent(
    v: &IntOrString,
    total: i32,
    round_up: bool,
) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let pct: i64 = s
                .strip_suffix('%')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("invalid value for IntOrString: invalid value {s:?}: a valid percent string must be a numeric string followed by an ending '%'"))?;
            // Go computes this in float64 and converts back to int32; saturate instead of
            // wrapping so that an absurd percentage means "as many as possible".
            let scaled = i128::from(pct) * i128::from(total);
            let v = if round_up {
                (scaled + 99).div_euclid(100)
            } else {
                scaled.div_euclid(100)
            };
            Ok(v.clamp(i128::from(i32::MIN), i128::from(i32::MAX)) as i32)
        }
    }
}

/// `ResolveFenceposts`: (maxSurge, maxUnavailable) as absolute numbers. Surge rounds up,
/// unavailable rounds down, and if both end at zero unavailable becomes one.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> (i32, i32) {
    let default = IntOrString::String("25%".into());
    let surge =
        value_from_int_or_percent(max_surge.unwrap_or(&default), desired, true).unwrap_or(0);
    let unavailable =
        value_from_int_or_percent(max_unavailable.unwrap_or(&default), desired, false).unwrap_or(0);
    if surge == 0 && unavailable == 0 {
        return (0, 1);
    }
    (surge, unavailable)
}

pub fn replicas(d: &Deployment) -> i32 {
    d.spec.replicas.unwrap_or(1)
}

pub fn is_rolling(d: &Deployment) -> bool {
    d.spec
        .strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("RollingUpdate")
        == "RollingUpdate"
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let ru = d
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref());
    resolve_fenceposts(
        ru.and_then(|r| r.max_surge.as_ref()),
        ru.and_then(|r| r.max_unavailable.as_ref()),
        replicas(d),
    )
}

/// `MaxUnavailable`: zero unless RollingUpdate with replicas > 0; never above replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

/// `MaxSurge`: zero unless RollingUpdate.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling(d) {
        return 0;
    }
    // Callers add the surge to the replicas; keep the sum an int32.
    fenceposts(d).0.min(i32::MAX - replicas(d).max(0))
}

pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

pub fn rs_status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

pub fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

pub fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0)
}

pub fn annotation<'a>(
    meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) -> Option<&'a str> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// The revision annotation as a number (missing or unparsable: 0).
pub fn revision(rs: &ReplicaSet) -> i64 {
    annotation(&rs.metadata, REVISION)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// FNV-1a, 32 bits.
fn fnv32a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in data {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `ComputeHash`: FNV-32a of the template (and the collision count), printed in decimal with
/// each digit mapped through Kubernetes' safe alphabet (so hashes use only `4-9bcdf`).
/// The input serialisation is this simulator's own (canonical JSON), so names differ from a real
/// cluster's, but the same template always gives the same name.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut data = serde_json::to_vec(template).unwrap_or_default();
    if let Some(c) = collision_count {
        data.extend_from_slice(&(c as u64).to_le_bytes());
    }
    fnv32a(&data)
        .to_string()
        .bytes()
        .map(|b| {
            crate::rng::SUFFIX_ALPHABET[(b as usize) % crate::rng::SUFFIX_ALPHABET.len()] as char
        })
        .collect()
}

/// The template without the `pod-template-hash` label.
pub fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    if let Some(m) = t.metadata.as_mut() {
        if m.labels.as_ref().is_some_and(|l| l.is_empty()) {
            m.labels = None;
        }
    }
    t
}

/// `EqualIgnoreHash`: the templates are equal once the `pod-template-hash` label is dropped
/// from both. Compared in place: a Deployment's sync asks this of each of its ReplicaSets, and
/// copying two pod templates per question cost more than the rest of the lookup.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    let no_meta = ObjectMeta::default();
    let (ma, mb) = (
        a.metadata.as_ref().unwrap_or(&no_meta),
        b.metadata.as_ref().unwrap_or(&no_meta),
    );
    fn labels(m: &ObjectMeta) -> Vec<(&String, &String)> {
        m.labels
            .iter()
            .flatten()
            .filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH)
            .collect()
    }
    // Apart from the labels, the metadata must be equal as it is: compared with both label
    // sets taken out (a template's metadata is small; its spec is not copied).
    let rest = |m: &ObjectMeta| ObjectMeta {
        labels: None,
        ..m.clone()
    };
    a.spec == b.spec
        && a.metadata.is_some() == b.metadata.is_some()
        && labels(ma) == labels(mb)
        && rest(ma) == rest(mb)
}

/// The new ReplicaSet: the oldest (then by name) whose template equals the Deployment's.
pub fn find_new_replica_set<'a>(d: &Deployment, rss: &'a [ReplicaSet]) -> Option<&'a ReplicaSet> {
    let template = &d.spec.template;
    let mut candidates: Vec<&ReplicaSet> = rss
        .iter()
        .filter(|rs| {
            rs.spec
                .template
                .as_ref()
                .is_some_and(|t| equal_ignore_hash(t, template))
        })
        .collect();
    candidates.sort_by(|a, b| {
        (&a.metadata.creation_timestamp, &a.metadata.name)
            .cmp(&(&b.metadata.creation_timestamp, &b.metadata.name))
    });
    candidates.first().copied()
}

/// Annotations copied from the Deployment to its ReplicaSets.
pub fn copyable_annotations(d: &Deployment) -> BTreeMap<String, String> {
    d.metadata
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| !SKIP_COPY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `SetReplicasAnnotations`: returns whether anything changed.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, v) in [(DESIRED_REPLICAS, desired), (MAX_REPLICAS, max)] {
        let v = v.to_string();
        if a.get(k) != Some(&v) {
            a.insert(k.to_string(), v);
            changed = true;
        }
    }
    changed
}

/// `SetNewReplicaSetAnnotations`: copy the Deployment's annotations and raise the revision to
/// `new_revision` (recording the replaced number in revision-history). Returns whether the
/// annotations changed.
pub fn set_new_replica_set_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let before = rs.metadata.annotations.clone();
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    for (k, v) in copyable_annotations(d) {
        a.insert(k, v);
    }
    let old: i64 = a.get(REVISION).and_then(|v| v.parse().ok()).unwrap_or(0);
    if old < new_revision {
        a.insert(REVISION.into(), new_revision.to_string());
        if exists && old > 0 {
            let hist = match a.get(REVISION_HISTORY) {
                Some(h) if !h.is_empty() => format!("{h},{old}"),
                _ => old.to_string(),
            };
            let hist = if hist.len() > MAX_REV_HISTORY_CHARS {
                hist[hist.len() - MAX_REV_HISTORY_CHARS..]
                    .trim_start_matches(|c| c != ',')
                    .trim_start_matches(',')
                    .to_string()
            } else {
                hist
            };
            a.insert(REVISION_HISTORY.into(), hist);
        }
    }
    if !exists {
        let r = replicas(d);
        a.insert(DESIRED_REPLICAS.into(), r.to_string());
        a.insert(MAX_REPLICAS.into(), (r + max_surge(d)).to_string());
    }
    rs.metadata.annotations != before
}

/// The highest revision among the given ReplicaSets.
pub fn max_revision(rss: &[ReplicaSet]) -> i64 {
    rss.iter().map(revision).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    #[test]
    fn templates_equal_ignoring_the_hash_label_exactly_when_they_are_equal_without_it() {
        use k8s_openapi::api::core::v1::PodSpec;
        let meta = |labels: Option<&[(&str, &str)]>, annotation: Option<&str>| ObjectMeta {
            labels: labels.map(|l| {
                l.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            annotations: annotation.map(|a| [("note".to_string(), a.to_string())].into()),
            ..Default::default()
        };
        let spec = |image: &str| {
            Some(PodSpec {
                containers: vec![k8s_openapi::api::core::v1::Container {
                    name: "c".into(),
                    image: Some(image.into()),
                    ..Default::default()
                }],
                ..Default::default()
            })
        };
        let hash = (POD_TEMPLATE_HASH, "abc");
        let templates: Vec<PodTemplateSpec> = [
            (None, "a"),
            (Some(meta(None, None)), "a"),
            (Some(meta(Some(&[]), None)), "a"),
            (Some(meta(Some(&[hash]), None)), "a"),
            (Some(meta(Some(&[("app", "web")]), None)), "a"),
            (Some(meta(Some(&[("app", "web"), hash]), None)), "a"),
            (
                Some(meta(
                    Some(&[("app", "web"), (POD_TEMPLATE_HASH, "x")]),
                    None,
                )),
                "a",
            ),
            (Some(meta(Some(&[("app", "db"), hash]), None)), "a"),
            (Some(meta(Some(&[("app", "web"), hash]), Some("n"))), "a"),
            (Some(meta(Some(&[("app", "web")]), Some("n"))), "a"),
            (Some(meta(Some(&[("app", "web"), hash]), None)), "b"),
        ]
        .into_iter()
        .map(|(metadata, image)| PodTemplateSpec {
            metadata,
            spec: spec(image),
        })
        .collect();
        let mut equal_pairs = 0;
        for a in &templates {
            for b in &templates {
                let want = without_hash(a) == without_hash(b);
                assert_eq!(equal_ignore_hash(a, b), want, "{a:?} vs {b:?}");
                equal_pairs += usize::from(want);
            }
        }
        // Not only the diagonal: several templates differ only in the hash label.
        assert!(equal_pairs > templates.len(), "{equal_pairs}");
    }

    #[test]
    fn fenceposts_match_the_reference_table() {
        // (replicas, surge, unavailable) with the 25%/25% defaults.
        for (replicas, surge, unav) in [
            (1, 1, 0),
            (2, 1, 0),
            (3, 1, 0),
            (4, 1, 1),
            (5, 2, 1),
            (10, 3, 2),
            (20, 5, 5),
            (0, 0, 1),
        ] {
            assert_eq!(
                resolve_fenceposts(None, None, replicas),
                (surge, unav),
                "replicas {replicas}"
            );
        }
    }

    #[test]
    fn absurd_surges_saturate_instead_of_overflowing() {
        assert_eq!(
            value_from_int_or_percent(&pct("9223372036854775807%"), 100_000, true),
            Ok(i32::MAX)
        );
        let mut d = Deployment::default();
        d.spec.replicas = Some(100_000);
        d.spec.strategy = Some(k8s_openapi::api::apps::v1::DeploymentStrategy {
            rolling_update: Some(k8s_openapi::api::apps::v1::RollingUpdateDeployment {
                max_surge: Some(IntOrString::Int(i32::MAX)),
                max_unavailable: None,
            }),
            type_: None,
        });
        assert_eq!(replicas(&d).checked_add(max_surge(&d)), Some(i32::MAX));
    }

    #[test]
    fn fenceposts_with_explicit_values() {
        assert_eq!(
            resolve_fenceposts(Some(&IntOrString::Int(0)), Some(&IntOrString::Int(0)), 5),
            (0, 1),
            "both zero forces one unavailable"
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("0%")), Some(&pct("10%")), 5),
            (0, 1),
            "10% of 5 floors to 0"
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("10%")), Some(&pct("0%")), 5),
            (1, 0),
            "10% of 5 rounds up to 1"
        );
        assert_eq!(
            resolve_fenceposts(Some(&IntOrString::Int(3)), Some(&IntOrString::Int(2)), 10),
            (3, 2)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("100%")), Some(&pct("100%")), 7),
            (7, 7)
        );
    }

    #[test]
    fn percent_parsing_refuses_garbage() {
        assert!(value_from_int_or_percent(&pct("25"), 4, true).is_err());
        assert!(value_from_int_or_percent(&pct("x%"), 4, true).is_err());
    }

    #[test]
    fn hashes_use_the_safe_digit_alphabet_and_are_stable() {
        let t = PodTemplateSpec::default();
        let h = compute_hash(&t, None);
        assert!(!h.is_empty() && h.len() <= 10);
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_eq!(h, compute_hash(&t, None));
        assert_ne!(h, compute_hash(&t, Some(1)));
    }
}
