//! Pure helpers of the StatefulSet controller (`pkg/controller/statefulset/stateful_set_utils.go`):
//! ordinals, identity, storage, claim ownership for the retention policy, and the rolling-update
//! arithmetic.

use crate::controllers::deployment::util::value_from_int_or_percent;
use crate::podutil;
use crate::time::SimTime;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// `apps.StatefulSetPodNameLabel`.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// `apps.PodIndexLabel`.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
/// `apps.StatefulSetRevisionLabel` (also `ControllerRevisionHashLabelKey`).
pub const REVISION_LABEL: &str = "controller-revision-hash";

pub const ORDERED_READY: &str = "OrderedReady";
pub const PARALLEL: &str = "Parallel";
pub const ROLLING_UPDATE: &str = "RollingUpdate";
pub const ON_DELETE: &str = "OnDelete";
pub const RETAIN: &str = "Retain";
pub const DELETE: &str = "Delete";

/// `getParentNameAndOrdinal`: `(.*)-([0-9]+)$`, the ordinal parsed as an int32. `None` when the
/// name does not have that shape or the number does not fit.
pub fn parent_and_ordinal(name: &str) -> Option<(&str, i32)> {
    let (parent, digits) = name.rsplit_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i32>().ok().map(|o| (parent, o))
}

/// `getOrdinal` of a pod (`None` for -1).
pub fn ordinal(pod: &Pod) -> Option<i32> {
    parent_and_ordinal(pod.metadata.name.as_deref().unwrap_or_default()).map(|(_, o)| o)
}

/// `isMemberOf`: the pod's name parses as `<set>-<ordinal>`.
pub fn is_member_of(set: &StatefulSet, pod: &Pod) -> bool {
    parent_and_ordinal(pod.metadata.name.as_deref().unwrap_or_default())
        .is_some_and(|(p, _)| Some(p) == set.metadata.name.as_deref())
}

pub fn replicas(set: &StatefulSet) -> i32 {
    set.spec.replicas.unwrap_or(1).max(0)
}

/// `getStartOrdinal`.
pub fn start_ordinal(set: &StatefulSet) -> i32 {
    set.spec
        .ordinals
        .as_ref()
        .and_then(|o| o.start)
        .unwrap_or(0)
        .max(0)
}

/// `getEndOrdinal` (inclusive; `start - 1` when there are no replicas).
pub fn end_ordinal(set: &StatefulSet) -> i32 {
    start_ordinal(set).saturating_add(replicas(set)) - 1
}

/// `podInOrdinalRange`.
pub fn in_ordinal_range(pod: &Pod, set: &StatefulSet) -> bool {
    ordinal(pod).is_some_and(|o| o >= start_ordinal(set) && o <= end_ordinal(set))
}

pub fn pod_name(set: &StatefulSet, ordinal: i32) -> String {
    format!(
        "{}-{ordinal}",
        set.metadata.name.as_deref().unwrap_or_default()
    )
}

/// `getPersistentVolumeClaimName`: `<template>-<set>-<ordinal>`.
pub fn claim_name(set: &StatefulSet, template: &PersistentVolumeClaim, ordinal: i32) -> String {
    format!(
        "{}-{}-{ordinal}",
        template.metadata.name.as_deref().unwrap_or_default(),
        set.metadata.name.as_deref().unwrap_or_default()
    )
}

pub fn claim_templates(set: &StatefulSet) -> &[PersistentVolumeClaim] {
    set.spec.volume_claim_templates.as_deref().unwrap_or(&[])
}

/// `getPersistentVolumeClaims`: the claims a pod of this ordinal uses, in template order, each
/// named for the pod and labelled with the template's labels plus the selector's matchLabels.
pub fn claims_for(set: &StatefulSet, ordinal: i32) -> Vec<PersistentVolumeClaim> {
    claim_templates(set)
        .iter()
        .map(|t| {
            let mut c = t.clone();
            c.metadata.name = Some(claim_name(set, t, ordinal));
            c.metadata.namespace = set.metadata.namespace.clone();
            let mut labels = c.metadata.labels.take().unwrap_or_default();
            for (k, v) in set.spec.selector.match_labels.iter().flatten() {
                labels.insert(k.clone(), v.clone());
            }
            c.metadata.labels = (!labels.is_empty()).then_some(labels);
            c.metadata.uid = None;
            c.metadata.resource_version = None;
            c.metadata.creation_timestamp = None;
            c.status = None;
            c
        })
        .collect()
}

/// `identityMatches`.
pub fn identity_matches(set: &StatefulSet, pod: &Pod) -> bool {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    match parent_and_ordinal(name) {
        Some((parent, o)) => {
            o >= 0
                && Some(parent) == set.metadata.name.as_deref()
                && name == pod_name(set, o)
                && pod.metadata.namespace == set.metadata.namespace
                && label(pod, POD_NAME_LABEL) == Some(name)
        }
        None => false,
    }
}

/// `storageMatches`: every claim template has a volume of its name pointing at the pod's claim.
pub fn storage_matches(set: &StatefulSet, pod: &Pod) -> bool {
    let Some(o) = ordinal(pod) else {
        return false;
    };
    let volumes: BTreeMap<&str, &Volume> = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .map(|v| (v.name.as_str(), v))
        .collect();
    claim_templates(set).iter().all(|t| {
        volumes
            .get(t.metadata.name.as_deref().unwrap_or_default())
            .and_then(|v| v.persistent_volume_claim.as_ref())
            .is_some_and(|c| c.claim_name == claim_name(set, t, o))
    })
}

pub fn label<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(key))
        .map(String::as_str)
}

/// `updateIdentity`: name label and index label (the name and namespace are the pod's own).
pub fn update_identity(pod: &mut Pod, ordinal: i32) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(POD_NAME_LABEL.into(), name);
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
}

/// `updateStorage`: one volume per claim template (replacing a template volume of the same
/// name), then the template's other volumes.
pub fn update_storage(set: &StatefulSet, pod: &mut Pod, ordinal: i32) {
    let claims = claims_for(set, ordinal);
    let spec = pod.spec.get_or_insert_with(Default::default);
    let current = spec.volumes.take().unwrap_or_default();
    let mut volumes: Vec<Volume> = claim_templates(set)
        .iter()
        .zip(&claims)
        .map(|(t, c)| Volume {
            name: t.metadata.name.clone().unwrap_or_default(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: c.metadata.name.clone().unwrap_or_default(),
                read_only: None,
            }),
            ..Default::default()
        })
        .collect();
    for v in current {
        if !volumes.iter().any(|c| c.name == v.name) {
            volumes.push(v);
        }
    }
    spec.volumes = (!volumes.is_empty()).then_some(volumes);
}

/// `isRunningAndReady`.
pub fn is_running_and_ready(pod: &Pod) -> bool {
    podutil::phase(pod) == "Running" && podutil::is_ready(pod)
}

/// `isRunningAndAvailable` (`IsPodAvailable` with minReadySeconds).
pub fn is_running_and_available(pod: &Pod, min_ready: i32, now: SimTime) -> bool {
    podutil::is_available(pod, min_ready, now)
}

pub fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// `isHealthy`-style check used by the rolling update: not available, or terminating.
pub fn is_unavailable(pod: &Pod, min_ready: i32, now: SimTime) -> bool {
    !is_running_and_available(pod, min_ready, now) || is_terminating(pod)
}

pub fn revision_of(pod: &Pod) -> &str {
    label(pod, REVISION_LABEL).unwrap_or_default()
}

/// `getStatefulSetMaxUnavailable`: an int, or a percentage of replicas rounded down; at least 1.
pub fn max_unavailable(v: Option<&IntOrString>, replicas: i32) -> i32 {
    let v = v.cloned().unwrap_or(IntOrString::Int(1));
    value_from_int_or_percent(&v, replicas, false)
        .unwrap_or(1)
        .max(1)
}

/// The retention policy with both fields defaulted to Retain.
pub fn retention(set: &StatefulSet) -> (&str, &str) {
    let p = set.spec.persistent_volume_claim_retention_policy.as_ref();
    (
        p.and_then(|p| p.when_deleted.as_deref()).unwrap_or(RETAIN),
        p.and_then(|p| p.when_scaled.as_deref()).unwrap_or(RETAIN),
    )
}

/// What owns a claim, from the claim's point of view: the set and the pod by name and uid.
pub struct Owners<'a> {
    pub set_name: &'a str,
    pub set_uid: &'a str,
    pub pod_name: &'a str,
    /// Empty for a pod not created yet.
    pub pod_uid: &'a str,
    pub scaled_down: bool,
}

fn matches_set(r: &OwnerReference, o: &Owners) -> bool {
    r.api_version == "apps/v1" && r.kind == "StatefulSet" && r.name == o.set_name
}

fn matches_pod(r: &OwnerReference, o: &Owners) -> bool {
    r.api_version == "v1" && r.kind == "Pod" && r.name == o.pod_name
}

fn refs(c: &PersistentVolumeClaim) -> &[OwnerReference] {
    c.metadata.owner_references.as_deref().unwrap_or(&[])
}

fn has_ref(c: &PersistentVolumeClaim, uid: &str) -> bool {
    !uid.is_empty() && refs(c).iter().any(|r| r.uid == uid)
}

/// `hasStaleOwnerRef` for the set or the pod: a ref with the right name but another uid.
pub fn has_stale_ref(c: &PersistentVolumeClaim, o: &Owners, pod: bool) -> bool {
    let found = refs(c).iter().find(|r| {
        if pod {
            matches_pod(r, o)
        } else {
            matches_set(r, o)
        }
    });
    found.is_some_and(|r| r.uid != if pod { o.pod_uid } else { o.set_uid })
}

/// `hasUnexpectedController`: under a Delete policy, another controller owns the claim (or our
/// own refs carry another uid).
fn has_unexpected_controller(c: &PersistentVolumeClaim, o: &Owners, policy: (&str, &str)) -> bool {
    if policy == (RETAIN, RETAIN) {
        return false;
    }
    refs(c).iter().any(|r| {
        if matches_set(r, o) {
            r.uid != o.set_uid
        } else if matches_pod(r, o) {
            r.uid != o.pod_uid
        } else {
            r.controller == Some(true)
        }
    })
}

/// `hasNonControllerOwner`.
fn has_non_controller_owner(c: &PersistentVolumeClaim, o: &Owners) -> bool {
    refs(c).iter().any(|r| {
        (r.uid == o.set_uid || (!o.pod_uid.is_empty() && r.uid == o.pod_uid))
            && r.controller != Some(true)
    })
}

/// `isClaimOwnerUpToDate`.
pub fn claim_owner_up_to_date(c: &PersistentVolumeClaim, o: &Owners, policy: (&str, &str)) -> bool {
    if has_stale_ref(c, o, false) || has_stale_ref(c, o, true) {
        return true;
    }
    if has_unexpected_controller(c, o, policy) {
        return !(has_ref(c, o.set_uid) || has_ref(c, o.pod_uid));
    }
    if has_non_controller_owner(c, o) {
        return false;
    }
    let (set_ref, pod_ref) = (has_ref(c, o.set_uid), has_ref(c, o.pod_uid));
    match policy {
        (DELETE, RETAIN) => set_ref && !pod_ref,
        (RETAIN, DELETE) => !set_ref && o.scaled_down == pod_ref,
        (DELETE, DELETE) => o.scaled_down != set_ref && o.scaled_down == pod_ref,
        _ => !set_ref && !pod_ref,
    }
}

/// `updateClaimOwnerRefForSetAndPod`: scrub our refs, then add controller refs as the policy
/// says (none if another controller owns the claim).
pub fn update_claim_owner_refs(
    c: &mut PersistentVolumeClaim,
    o: &Owners,
    policy: (&str, &str),
    set_ref: OwnerReference,
    pod_ref: Option<OwnerReference>,
) {
    let unexpected = has_unexpected_controller(c, o, policy);
    let mut list: Vec<OwnerReference> = refs(c)
        .iter()
        .filter(|r| !matches_set(r, o) && !matches_pod(r, o))
        .cloned()
        .collect();
    if !unexpected {
        let want_set = match policy {
            (DELETE, RETAIN) => true,
            (DELETE, DELETE) => !o.scaled_down,
            _ => false,
        };
        let want_pod = o.scaled_down && policy.1 == DELETE;
        if want_set {
            list.push(set_ref);
        }
        if let (true, Some(p)) = (want_pod, pod_ref) {
            list.push(p);
        }
    }
    c.metadata.owner_references = (!list.is_empty()).then_some(list);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_parse_like_the_upstream_regex() {
        assert_eq!(parent_and_ordinal("web-0"), Some(("web", 0)));
        assert_eq!(parent_and_ordinal("my-web-12"), Some(("my-web", 12)));
        assert_eq!(parent_and_ordinal("web-"), None);
        assert_eq!(parent_and_ordinal("web"), None);
        assert_eq!(parent_and_ordinal("web-1a"), None);
        assert_eq!(parent_and_ordinal("web--3"), Some(("web-", 3)));
        // Does not fit an int32: no ordinal, as ParseInt(…, 32) fails.
        assert_eq!(parent_and_ordinal("web-99999999999"), None);
        assert_eq!(parent_and_ordinal("-7"), Some(("", 7)));
    }

    #[test]
    fn max_unavailable_rounds_percentages_down_with_a_minimum_of_one() {
        let pct = |s: &str| IntOrString::String(s.into());
        assert_eq!(max_unavailable(None, 5), 1);
        assert_eq!(max_unavailable(Some(&IntOrString::Int(3)), 5), 3);
        assert_eq!(max_unavailable(Some(&pct("50%")), 5), 2);
        assert_eq!(max_unavailable(Some(&pct("10%")), 5), 1);
        assert_eq!(max_unavailable(Some(&pct("100%")), 4), 4);
        assert_eq!(max_unavailable(Some(&pct("1%")), 0), 1);
        assert_eq!(max_unavailable(Some(&pct("bad")), 4), 1);
    }

    fn claim(refs: Vec<OwnerReference>) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                owner_references: (!refs.is_empty()).then_some(refs),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn r(api: &str, kind: &str, name: &str, uid: &str, controller: bool) -> OwnerReference {
        OwnerReference {
            api_version: api.into(),
            kind: kind.into(),
            name: name.into(),
            uid: uid.into(),
            controller: Some(controller),
            block_owner_deletion: Some(true),
        }
    }

    #[test]
    fn claim_owners_follow_the_retention_policy() {
        let o = Owners {
            set_name: "web",
            set_uid: "s1",
            pod_name: "web-2",
            pod_uid: "p1",
            scaled_down: true,
        };
        let set_ref = r("apps/v1", "StatefulSet", "web", "s1", true);
        let pod_ref = r("v1", "Pod", "web-2", "p1", true);
        for (policy, want_set, want_pod) in [
            ((RETAIN, RETAIN), false, false),
            ((DELETE, RETAIN), true, false),
            ((RETAIN, DELETE), false, true),
            ((DELETE, DELETE), false, true),
        ] {
            let mut c = claim(vec![]);
            assert_eq!(
                claim_owner_up_to_date(&c, &o, policy),
                !want_set && !want_pod
            );
            update_claim_owner_refs(&mut c, &o, policy, set_ref.clone(), Some(pod_ref.clone()));
            assert_eq!(has_ref(&c, "s1"), want_set, "{policy:?}");
            assert_eq!(has_ref(&c, "p1"), want_pod, "{policy:?}");
            assert!(claim_owner_up_to_date(&c, &o, policy), "{policy:?}");
        }
    }

    #[test]
    fn another_controller_keeps_the_claim() {
        let o = Owners {
            set_name: "web",
            set_uid: "s1",
            pod_name: "web-0",
            pod_uid: "p1",
            scaled_down: false,
        };
        let foreign = r("v1", "ConfigMap", "other", "x", true);
        let mut c = claim(vec![foreign.clone()]);
        assert!(claim_owner_up_to_date(&c, &o, (DELETE, DELETE)));
        update_claim_owner_refs(
            &mut c,
            &o,
            (DELETE, DELETE),
            r("apps/v1", "StatefulSet", "web", "s1", true),
            None,
        );
        assert_eq!(refs(&c), &[foreign]);
        // A ref to an earlier pod of the same name is stale: it blocks that pod's creation.
        let stale = claim(vec![r("v1", "Pod", "web-0", "old", true)]);
        let fresh = Owners { pod_uid: "", ..o };
        assert!(has_stale_ref(&stale, &fresh, true));
    }
}
