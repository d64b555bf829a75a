//! ControllerRevisions of a StatefulSet (`pkg/controller/history/controller_history.go` and the
//! revision parts of `stateful_set_control.go`): what a revision holds, how it is named, and which
//! revisions are current, updated, bumped (a rollback) or truncated.

use super::util::REVISION_LABEL;
use crate::controllers::controller_ref_to;
use crate::controllers::deployment::util::compute_hash;
use crate::controllers::{Action, Object, Reconcile};
use crate::labels::Selector;
use crate::store::{controller_ref, Store};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::{json, Value};

/// `getPatch`: the revision's data, `{"spec":{"template":{…,"$patch":"replace"}}}`.
pub fn patch_for(template: &PodTemplateSpec) -> Value {
    let mut t = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Some(m) = t.as_object_mut() {
        m.insert("$patch".into(), Value::String("replace".into()));
    }
    json!({ "spec": { "template": t } })
}

/// `ApplyRevision`: the pod template a revision restores (`None` if its data is not a template).
pub fn template_of(r: &ControllerRevision) -> Option<PodTemplateSpec> {
    let mut t = r.data.0.pointer("/spec/template")?.clone();
    if let Some(m) = t.as_object_mut() {
        m.remove("$patch");
    }
    crate::manifest::decode(t).ok()
}

pub fn number(r: &ControllerRevision) -> i64 {
    r.revision.unwrap_or(0)
}

pub fn name(r: &ControllerRevision) -> &str {
    r.metadata.name.as_deref().unwrap_or_default()
}

/// `HashControllerRevision`: FNV of the data (and the collision count) in the safe alphabet.
pub fn hash(template: &PodTemplateSpec, collision_count: i32) -> String {
    compute_hash(template, (collision_count > 0).then_some(collision_count))
}

/// `newRevision`: named `<set>-<hash>` (the set's name cut to 223 characters), labelled with the
/// template's labels and the hash, annotated with the set's annotations, owned by the set.
pub fn new_revision(set: &StatefulSet, revision: i64, collision_count: i32) -> ControllerRevision {
    new_revision_for(
        &set.metadata,
        controller_ref_to::<StatefulSet>(&set.metadata),
        &set.spec.template,
        revision,
        collision_count,
    )
}

/// A revision of `template` for any owner (StatefulSet `newRevision`, DaemonSet `snapshot`):
/// `<owner>-<hash>`, the template's labels plus the hash label, the owner's annotations.
pub fn new_revision_for(
    owner: &ObjectMeta,
    controller: OwnerReference,
    template: &PodTemplateSpec,
    revision: i64,
    collision_count: i32,
) -> ControllerRevision {
    let h = hash(template, collision_count);
    let mut prefix = owner.name.clone().unwrap_or_default();
    prefix.truncate(223);
    let mut labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(REVISION_LABEL.into(), h.clone());
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(format!("{prefix}-{h}")),
            namespace: owner.namespace.clone(),
            labels: Some(labels),
            annotations: owner.annotations.clone().filter(|a| !a.is_empty()),
            owner_references: Some(vec![controller]),
            ..Default::default()
        },
        data: RawExtension(patch_for(template)),
        revision: Some(revision),
    }
}

/// `ClaimControllerRevisions` (adoption half): the owner's revisions matching its selector, plus
/// matching orphans, adopted with an update each (none while the owner is being deleted).
pub fn claim(
    store: &Store,
    owner: &ObjectMeta,
    controller: &OwnerReference,
    selector: &Selector,
    out: &mut Reconcile,
) -> Vec<ControllerRevision> {
    let uid = owner.uid.as_deref().unwrap_or_default();
    let deleting = owner.deletion_timestamp.is_some();
    let ns = owner.namespace.as_deref().unwrap_or_default();
    let mut revisions = Vec::new();
    for r in store.controllerrevisions.in_namespace(ns) {
        if !selector.matches_opt(r.metadata.labels.as_ref()) || selector.is_empty() {
            continue;
        }
        match controller_ref(&r.metadata) {
            Some(o) if o.uid == uid => revisions.push(r.clone()),
            None if !deleting => {
                let mut adopted = r.clone();
                adopted
                    .metadata
                    .owner_references
                    .get_or_insert_with(Vec::new)
                    .push(controller.clone());
                out.push(Action::Update(Object::ControllerRevision(adopted.clone())));
                revisions.push(adopted);
            }
            _ => {}
        }
    }
    sort(&mut revisions);
    revisions
}

/// `EqualRevision`: same data.
pub fn equal(a: &ControllerRevision, b: &ControllerRevision) -> bool {
    a.data == b.data
}

/// `SortControllerRevisions`: by revision number, then creation time, then name.
pub fn sort(revisions: &mut [ControllerRevision]) {
    revisions.sort_by(|a, b| {
        (number(a), &a.metadata.creation_timestamp, name(a)).cmp(&(
            number(b),
            &b.metadata.creation_timestamp,
            name(b),
        ))
    });
}

/// `nextRevision`: one more than the largest (revisions sorted), or 1.
pub fn next_number(sorted: &[ControllerRevision]) -> i64 {
    sorted.last().map_or(1, |r| number(r) + 1)
}

/// What `getStatefulSetRevisions` decides about the update revision.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateRevision {
    /// The latest revision already holds the template.
    Latest(ControllerRevision),
    /// An older revision holds it: its number is raised to the next one (a rollback).
    Bump(ControllerRevision),
    /// No revision holds it: create this one (the collision count may have grown).
    Create(ControllerRevision, i32),
}

impl UpdateRevision {
    pub fn revision(&self) -> &ControllerRevision {
        match self {
            UpdateRevision::Latest(r) | UpdateRevision::Bump(r) | UpdateRevision::Create(r, _) => r,
        }
    }
}

/// Chooses the update revision among `sorted` (the set's revisions, sorted). `taken` says whether
/// a revision name is already used by an object with other data (a hash collision).
pub fn choose_update(
    set: &StatefulSet,
    sorted: &[ControllerRevision],
    collision_count: i32,
    taken: impl Fn(&str, &ControllerRevision) -> bool,
) -> UpdateRevision {
    let candidate = new_revision(set, next_number(sorted), collision_count);
    let equal_revs: Vec<&ControllerRevision> =
        sorted.iter().filter(|r| equal(r, &candidate)).collect();
    if let (Some(last_equal), Some(last)) = (equal_revs.last(), sorted.last()) {
        if name(last_equal) == name(last) {
            return UpdateRevision::Latest((*last).clone());
        }
        let mut bumped = (*last_equal).clone();
        bumped.revision = candidate.revision;
        return UpdateRevision::Bump(bumped);
    }
    // CreateControllerRevision: on a name taken by other data, count the collision and retry.
    let mut count = collision_count;
    let mut rev = candidate;
    for _ in 0..16 {
        if !taken(name(&rev), &rev) {
            break;
        }
        count = count.saturating_add(1);
        rev = new_revision(set, rev.revision.unwrap_or(1), count);
    }
    UpdateRevision::Create(rev, count)
}

/// `truncateHistory`: the non-live revisions (not current, not update, not any pod's) to delete,
/// oldest first, so that at most `limit` remain.
pub fn to_truncate<'a>(
    sorted: &'a [ControllerRevision],
    live: &[&str],
    limit: i32,
) -> Vec<&'a ControllerRevision> {
    let history: Vec<&ControllerRevision> =
        sorted.iter().filter(|r| !live.contains(&name(r))).collect();
    if limit < 0 || history.len() <= limit as usize {
        return Vec::new();
    }
    history[..history.len() - limit as usize].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Container, PodSpec};

    fn set(image: &str) -> StatefulSet {
        let mut s = StatefulSet::default();
        s.metadata.name = Some("web".into());
        s.metadata.namespace = Some("default".into());
        s.metadata.uid = Some("u".into());
        s.spec.template = PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some([("app".to_string(), "web".to_string())].into()),
                ..Default::default()
            }),
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "nginx".into(),
                    image: Some(image.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        };
        s
    }

    #[test]
    fn revision_names_use_the_hash_alphabet_and_round_trip_the_template() {
        let s = set("nginx:1.25");
        let r = new_revision(&s, 1, 0);
        let n = name(&r);
        let h = n.strip_prefix("web-").unwrap();
        assert!(
            !h.is_empty() && h.chars().all(|c| "456789bcdf".contains(c)),
            "{n}"
        );
        assert_eq!(template_of(&r), Some(s.spec.template.clone()));
        assert_ne!(
            name(&new_revision(&s, 1, 1)),
            n,
            "collisions change the name"
        );
    }

    #[test]
    fn identical_older_revision_is_bumped_and_the_latest_is_reused() {
        let a = new_revision(&set("nginx:1.25"), 1, 0);
        let b = new_revision(&set("nginx:1.26"), 2, 0);
        let sorted = vec![a.clone(), b.clone()];
        let none = |_: &str, _: &ControllerRevision| false;
        assert_eq!(
            choose_update(&set("nginx:1.26"), &sorted, 0, none),
            UpdateRevision::Latest(b.clone())
        );
        let mut bumped = a.clone();
        bumped.revision = Some(3);
        assert_eq!(
            choose_update(&set("nginx:1.25"), &sorted, 0, none),
            UpdateRevision::Bump(bumped)
        );
        match choose_update(&set("nginx:1.27"), &sorted, 0, none) {
            UpdateRevision::Create(r, 0) => assert_eq!(r.revision, Some(3)),
            other => panic!("{other:?}"),
        }
        match choose_update(&set("nginx:1.27"), &sorted, 0, |n, _| {
            n == name(&new_revision(&set("nginx:1.27"), 3, 0))
        }) {
            UpdateRevision::Create(_, 1) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncation_keeps_live_revisions_and_the_newest_history() {
        let revs: Vec<ControllerRevision> = (1..=5)
            .map(|i| new_revision(&set(&format!("nginx:1.{i}")), i, 0))
            .collect();
        let live = [name(&revs[4]), name(&revs[0])];
        let gone: Vec<i64> = to_truncate(&revs, &live, 2)
            .iter()
            .map(|r| number(r))
            .collect();
        assert_eq!(gone, vec![2]);
        assert!(to_truncate(&revs, &live, -1).is_empty());
        assert_eq!(to_truncate(&revs, &[], 0).len(), 5);
    }
}
