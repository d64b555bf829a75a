//! The Deployment controller (`pkg/controller/deployment`).
//!
//! [`reconcile`] is `syncDeployment`: it reads top to bottom (selector → claim ReplicaSets →
//! deleting → paused conditions → paused or scaling event → strategy) and returns early at each
//! step. A pass works on local copies of the Deployment and its ReplicaSets, turning every write
//! the upstream controller makes into an [`Action`], so the same pass can, for example, create the
//! new ReplicaSet and scale an old one down, exactly as one upstream sync does.
//!
//! Files: `util` (fenceposts, hashing, annotations), `rolling` and `recreate` (strategies),
//! `scale` (proportional scaling and history cleanup), `progress` (status and conditions).

mod progress;
mod recreate;
mod rolling;
mod scale;
pub mod util;

use super::{controller_ref_to, Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::controllers::replicaset::POD_TEMPLATE_HASH;
use crate::labels::Selector;
use crate::store::{controller_ref, Key, Kind, Store};
use crate::time::SimTime;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;
use util::*;

/// `syncDeployment`.
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let Some(d) = store.deployments.get(key) else {
        return Reconcile::done();
    };
    let mut pass = Pass {
        store,
        now,
        original: d.clone(),
        d: d.clone(),
        rss: Vec::new(),
        out: Reconcile::done(),
        aborted: false,
    };
    pass.sync();
    pass.finish()
}

/// One pass over one Deployment.
pub(crate) struct Pass<'a> {
    store: &'a Store,
    now: SimTime,
    original: Deployment,
    /// The Deployment as this pass has updated it (status, revision annotation).
    d: Deployment,
    /// The ReplicaSets this Deployment controls, as this pass has updated them.
    rss: Vec<ReplicaSet>,
    out: Reconcile,
    /// Set when a write must be observed before the pass can go on (hash collision).
    aborted: bool,
}

impl Pass<'_> {
    fn regarding(&self) -> Regarding {
        Regarding::of(Kind::Deployment, &self.d.metadata)
    }

    fn name(&self) -> String {
        self.d.metadata.name.clone().unwrap_or_default()
    }

    fn sync(&mut self) {
        let selector = Selector::from_label_selector(&self.d.spec.selector).unwrap_or_default();
        if selector.is_empty() {
            self.out.event(EventRecord::warning(
                self.regarding(),
                Component::DeploymentController,
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.".into(),
            ));
            if let Some(st) = self.d.status.as_mut() {
                st.observed_generation = self.d.metadata.generation;
            }
            return;
        }
        self.claim_replica_sets(&selector);
        if self.d.metadata.deletion_timestamp.is_some() {
            return self.sync_status_only();
        }
        self.check_paused_conditions();
        if self.d.spec.paused == Some(true) {
            return self.sync_scale();
        }
        if self.is_scaling_event() {
            return self.sync_scale();
        }
        if is_rolling(&self.d) {
            self.rollout_rolling();
        } else {
            self.rollout_recreate();
        }
    }

    /// `getReplicaSetsForDeployment`: adopt matching orphans, release owned ones that stopped
    /// matching, ignore those controlled by someone else.
    fn claim_replica_sets(&mut self, selector: &Selector) {
        let uid = self.d.metadata.uid.clone().unwrap_or_default();
        let ns = self.d.metadata.namespace.clone().unwrap_or_default();
        for rs in self.store.replicasets.owned_by(&uid) {
            if selector.matches_opt(rs.metadata.labels.as_ref()) {
                self.rss.push(rs.clone());
            } else if rs.metadata.deletion_timestamp.is_none() {
                let mut released = rs.clone();
                if let Some(refs) = released.metadata.owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                }
                self.out.push(Action::Update(Object::ReplicaSet(released)));
            }
        }
        if self.d.metadata.deletion_timestamp.is_some() {
            return;
        }
        for rs in self.store.replicasets.orphans() {
            if rs.metadata.namespace.as_deref() == Some(ns.as_str())
                && rs.metadata.deletion_timestamp.is_none()
                && selector.matches_opt(rs.metadata.labels.as_ref())
            {
                let mut adopted = rs.clone();
                adopted
                    .metadata
                    .owner_references
                    .get_or_insert_with(Vec::new)
                    .push(controller_ref_to::<Deployment>(&self.d.metadata));
                self.out
                    .push(Action::Update(Object::ReplicaSet(adopted.clone())));
                self.rss.push(adopted);
            }
        }
        self.rss
            .sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    }

    /// `isScalingEvent`: an active ReplicaSet's desired-replicas annotation disagrees with the
    /// Deployment's replicas.
    fn is_scaling_event(&self) -> bool {
        let want = replicas(&self.d).to_string();
        self.rss
            .iter()
            .filter(|rs| rs_replicas(rs) > 0)
            .any(|rs| annotation(&rs.metadata, DESIRED_REPLICAS).is_some_and(|v| v != want))
    }

    fn new_rs_index(&self) -> Option<usize> {
        let new = find_new_replica_set(&self.d, &self.rss)?;
        self.rss
            .iter()
            .position(|r| r.metadata.name == new.metadata.name)
    }

    fn old_indices(&self, new: Option<usize>) -> Vec<usize> {
        (0..self.rss.len()).filter(|i| Some(*i) != new).collect()
    }

    /// `getAllReplicaSetsAndSyncRevision`: finds (and, if asked, creates) the new ReplicaSet,
    /// bringing its revision annotations up to date.
    fn sync_revision(&mut self, create: bool) -> Option<usize> {
        let new = self.new_rs_index();
        let old: Vec<ReplicaSet> = self
            .old_indices(new)
            .into_iter()
            .map(|i| self.rss[i].clone())
            .collect();
        let new_revision = max_revision(&old) + 1;
        if let Some(i) = new {
            let mut rs = self.rss[i].clone();
            let mut changed = set_new_replica_set_annotations(&self.d, &mut rs, new_revision, true);
            let min_ready = Some(&self.d.spec).and_then(|s| s.min_ready_seconds);
            let rs_spec = &mut rs.spec;
            if rs_spec.min_ready_seconds != min_ready {
                rs_spec.min_ready_seconds = min_ready;
                changed = true;
            }
            if changed {
                self.out
                    .push(Action::Update(Object::ReplicaSet(rs.clone())));
                self.rss[i] = rs.clone();
            }
            self.set_deployment_revision(revision(&rs));
            if progress::condition(&self.d, "Progressing").is_none()
                && progress::has_progress_deadline(&self.d)
            {
                let msg = format!(
                    "Found new replica set {:?}",
                    rs.metadata.name.clone().unwrap_or_default()
                );
                progress::set_condition(
                    &mut self.d,
                    "Progressing",
                    "True",
                    "FoundNewReplicaSet",
                    msg,
                    self.now,
                );
            }
            return Some(i);
        }
        if !create {
            return None;
        }
        self.create_new_replica_set(new_revision)
    }

    fn set_deployment_revision(&mut self, rev: i64) {
        let a = self
            .d
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new);
        if a.get(REVISION).map(String::as_str) != Some(rev.to_string().as_str()) {
            a.insert(REVISION.into(), rev.to_string());
        }
    }

    fn create_new_replica_set(&mut self, new_revision: i64) -> Option<usize> {
        let spec = self.d.spec.clone();
        let collision_count = self.d.status.as_ref().and_then(|s| s.collision_count);
        let template = without_hash(&spec.template);
        let hash = compute_hash(&template, collision_count);
        let name = format!("{}-{}", self.name(), hash);
        let ns = self.d.metadata.namespace.clone().unwrap_or_default();

        let mut new_template = template.clone();
        new_template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(POD_TEMPLATE_HASH.into(), hash.clone());
        let mut selector: LabelSelector = spec.selector.clone();
        selector
            .match_labels
            .get_or_insert_with(BTreeMap::new)
            .insert(POD_TEMPLATE_HASH.into(), hash.clone());
        let mut labels = template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        labels.insert(POD_TEMPLATE_HASH.into(), hash.clone());

        let mut rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                labels: Some(labels),
                owner_references: Some(vec![controller_ref_to::<Deployment>(&self.d.metadata)]),
                ..Default::default()
            },
            spec: ReplicaSetSpec {
                replicas: Some(0),
                min_ready_seconds: spec.min_ready_seconds,
                selector,
                template: Some(new_template),
            },
            status: None,
        };
        let new_replicas = self.new_rs_new_replicas(None);
        rs.spec.replicas = Some(new_replicas);
        set_new_replica_set_annotations(&self.d, &mut rs, new_revision, false);

        if let Some(existing) = self.store.replicasets.get(&Key::new(ns, name.clone())) {
            let ours = controller_ref(&existing.metadata)
                .is_some_and(|r| Some(&r.uid) == self.d.metadata.uid.as_ref());
            let same = Some(&existing.spec)
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| equal_ignore_hash(t, &spec.template));
            if ours && same {
                self.rss.push(existing.clone());
                return Some(self.rss.len() - 1);
            }
            // Hash collision: bump collisionCount and try again on the next pass.
            let st = self.d.status.get_or_insert_with(Default::default);
            st.collision_count = Some(st.collision_count.unwrap_or(0) + 1);
            self.aborted = true;
            return None;
        }
        let event = (new_replicas > 0).then(|| {
            EventRecord::normal(
                self.regarding(),
                Component::DeploymentController,
                "ScalingReplicaSet",
                format!("Scaled up replica set {name} to {new_replicas}"),
            )
        });
        self.out.push(Action::Create {
            object: Object::ReplicaSet(rs.clone()),
            event,
        });
        if progress::has_progress_deadline(&self.d) {
            progress::set_condition(
                &mut self.d,
                "Progressing",
                "True",
                "NewReplicaSetCreated",
                format!("Created new replica set {name:?}"),
                self.now,
            );
        }
        self.set_deployment_revision(new_revision);
        self.rss.push(rs);
        Some(self.rss.len() - 1)
    }

    /// `NewRSNewReplicas`: how big the new ReplicaSet may be now.
    fn new_rs_new_replicas(&self, new: Option<usize>) -> i32 {
        let want = replicas(&self.d);
        let new_spec = new.map_or(0, |i| rs_replicas(&self.rss[i]));
        if !is_rolling(&self.d) {
            return want;
        }
        let current: i32 = self.rss.iter().map(rs_replicas).sum();
        let max_total = want + max_surge(&self.d);
        if current >= max_total {
            return new_spec;
        }
        let scale_up = max_total - current;
        new_spec + scale_up.min(want - new_spec)
    }

    /// `scaleReplicaSetAndRecordEvent`: scales if the size differs; returns whether it did.
    fn scale_to(&mut self, i: usize, new_size: i32) -> bool {
        let old = rs_replicas(&self.rss[i]);
        if old == new_size {
            return false;
        }
        let op = if old < new_size { "up" } else { "down" };
        self.scale_with_op(i, new_size, op)
    }

    /// `scaleReplicaSet`: writes size and replica annotations; records the event if the size
    /// changed.
    fn scale_with_op(&mut self, i: usize, new_size: i32, op: &str) -> bool {
        let mut rs = self.rss[i].clone();
        let old = rs_replicas(&rs);
        let size_changed = old != new_size;
        let annotations_changed = set_replicas_annotations(
            &mut rs,
            replicas(&self.d),
            replicas(&self.d) + max_surge(&self.d),
        );
        if !size_changed && !annotations_changed {
            return false;
        }
        rs.spec.replicas = Some(new_size);
        self.out
            .push(Action::Update(Object::ReplicaSet(rs.clone())));
        if size_changed {
            let name = rs.metadata.name.clone().unwrap_or_default();
            self.out.event(EventRecord::normal(
                self.regarding(),
                Component::DeploymentController,
                "ScalingReplicaSet",
                format!("Scaled {op} replica set {name} to {new_size} from {old}"),
            ));
        }
        self.rss[i] = rs;
        size_changed
    }

    /// `checkPausedConditions`.
    fn check_paused_conditions(&mut self) {
        if !progress::has_progress_deadline(&self.d) {
            return;
        }
        let reason = progress::condition(&self.d, "Progressing").and_then(|c| c.reason.clone());
        if reason.as_deref() == Some(progress::TIMED_OUT) {
            return;
        }
        let paused = Some(&self.d.spec).and_then(|s| s.paused) == Some(true);
        let paused_cond = reason.as_deref() == Some("DeploymentPaused");
        if paused && !paused_cond {
            progress::set_condition(
                &mut self.d,
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused".into(),
                self.now,
            );
        } else if !paused && paused_cond {
            progress::set_condition(
                &mut self.d,
                "Progressing",
                "Unknown",
                "DeploymentResumed",
                "Deployment is resumed".into(),
                self.now,
            );
        }
    }

    fn sync_status_only(&mut self) {
        let new = self.sync_revision(false);
        self.sync_deployment_status(new);
    }

    /// Emits the Deployment status write if anything about it changed during the pass.
    fn finish(mut self) -> Reconcile {
        if self.d != self.original {
            self.out
                .push(Action::UpdateStatus(Object::Deployment(self.d.clone())));
        }
        self.out
    }
}

pub use progress::rollout_status_line;

/// Conditions of a Deployment, for printers.
pub fn conditions(d: &Deployment) -> Vec<DeploymentCondition> {
    d.status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{
        DeploymentSpec, DeploymentStrategy, ReplicaSetStatus, RollingUpdateDeployment,
    };
    use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn template(image: &str) -> PodTemplateSpec {
        PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some([("app".to_string(), "web".to_string())].into()),
                ..Default::default()
            }),
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "web".into(),
                    image: Some(image.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        }
    }

    fn deployment(replicas: i32, surge: i32, unav: i32, image: &str) -> Deployment {
        Deployment {
            metadata: ObjectMeta {
                name: Some("web".into()),
                namespace: Some("default".into()),
                uid: Some("d".into()),
                ..Default::default()
            },
            spec: DeploymentSpec {
                replicas: Some(replicas),
                selector: LabelSelector {
                    match_labels: Some([("app".to_string(), "web".to_string())].into()),
                    ..Default::default()
                },
                strategy: Some(DeploymentStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: Some(RollingUpdateDeployment {
                        max_surge: Some(IntOrString::Int(surge)),
                        max_unavailable: Some(IntOrString::Int(unav)),
                    }),
                }),
                template: template(image),
                ..Default::default()
            },
            status: None,
        }
    }

    /// A ReplicaSet of `size` replicas (all available if `available`), created at `created` s,
    /// last scaled by a Deployment of `desired` replicas and `max` max-replicas.
    fn rs(
        name: &str,
        image: &str,
        size: i32,
        available: i32,
        created: u64,
        desired: i32,
        max: i32,
    ) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.into()),
                creation_timestamp: Some(SimTime(created * 1000).to_k8s()),
                annotations: Some(
                    [
                        (DESIRED_REPLICAS.to_string(), desired.to_string()),
                        (MAX_REPLICAS.to_string(), max.to_string()),
                    ]
                    .into(),
                ),
                ..Default::default()
            },
            spec: ReplicaSetSpec {
                replicas: Some(size),
                template: Some(template(image)),
                ..Default::default()
            },
            status: Some(ReplicaSetStatus {
                replicas: size,
                available_replicas: Some(available),
                ..Default::default()
            }),
        }
    }

    fn scaled(d: Deployment, rss: Vec<ReplicaSet>) -> Vec<i32> {
        let store = Store::default();
        let mut pass = Pass {
            store: &store,
            now: SimTime(100_000),
            original: d.clone(),
            d,
            rss,
            out: Reconcile::done(),
            aborted: false,
        };
        let new = pass.new_rs_index();
        pass.scale(new);
        pass.rss.iter().map(rs_replicas).collect()
    }

    #[test]
    fn proportional_scaling_table() {
        // (case, deployment replicas, [(old size, old avail), (new size, new avail)], annotations (desired, max), want)
        let cases = [
            (
                "e2e: scale 10 → 30 mid-rollout",
                30,
                [(8, 8), (5, 0)],
                (10, 13),
                vec![20, 13],
            ),
            (
                "and back down to 10",
                10,
                [(20, 20), (13, 0)],
                (30, 33),
                vec![8, 5],
            ),
            ("to zero", 0, [(20, 20), (13, 0)], (30, 33), vec![0, 0]),
            (
                "leftover goes to the largest",
                11,
                [(8, 8), (5, 0)],
                (10, 13),
                vec![9, 5],
            ),
        ];
        for (name, replicas, sizes, (desired, max), want) in cases {
            let d = deployment(replicas, 3, 2, "new");
            let rss = vec![
                rs("web-old", "old", sizes[0].0, sizes[0].1, 0, desired, max),
                rs("web-new", "new", sizes[1].0, sizes[1].1, 10, desired, max),
            ];
            assert_eq!(scaled(d, rss), want, "{name}");
        }
    }

    #[test]
    fn a_single_active_replica_set_is_scaled_directly() {
        let d = deployment(7, 1, 0, "new");
        assert_eq!(
            scaled(
                d,
                vec![
                    rs("web-new", "new", 3, 3, 0, 3, 4),
                    rs("web-old", "old", 0, 0, 0, 3, 4)
                ]
            ),
            vec![7, 0]
        );
    }

    #[test]
    fn saturated_new_replica_set_scales_old_ones_to_zero() {
        let d = deployment(5, 1, 0, "new");
        assert_eq!(
            scaled(
                d,
                vec![
                    rs("web-new", "new", 5, 5, 10, 5, 6),
                    rs("web-old", "old", 2, 2, 0, 5, 6)
                ]
            ),
            vec![5, 0]
        );
    }
}
