//! The StatefulSet controller (`pkg/controller/statefulset`).
//!
//! [`reconcile`] is `sync` → `syncStatefulSet` → `UpdateStatefulSet`: claim revisions and pods
//! (adopting orphans whose names parse as `<set>-<ordinal>`, releasing pods that stop matching),
//! choose the current and update revisions (`history`), then `updateStatefulSet` read top to
//! bottom: partition pods into replicas and condemned, process each replica in ordinal order
//! (OrderedReady stops at the first that blocks and creates one pod per pass; Parallel goes
//! through all of them in slow-start batches), fix claim owners for the retention policy, delete
//! condemned pods from the highest ordinal, and finally roll outdated pods from the highest
//! ordinal down to the partition, `maxUnavailable` at a time (the MaxUnavailableStatefulSet path,
//! on by default since 1.35). Status is computed from the pods seen at the start of the pass, as
//! upstream does, and history beyond `revisionHistoryLimit` is truncated.
//!
//! Files: `util` (ordinals, identity, storage, claim ownership, arithmetic), `history`
//! (ControllerRevisions).

pub mod history;
pub mod util;

use super::{controller_ref_to, Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::labels::Selector;
use crate::podutil;
use crate::store::{Key, Kind, Propagation, Store};
use crate::time::{Dur, SimTime};
use history::UpdateRevision;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use std::borrow::Cow;
use util::*;

/// Upper bound of one slow-start batch (`MaxBatchSize`).
const MAX_BATCH_SIZE: usize = 500;

/// `sync` for one StatefulSet.
/// How soon a set whose pod could not be created (its name still taken) is synced again: the
/// work queue's per-item back-off, simplified to a constant.
const CREATE_RETRY: Dur = Dur::secs(1);

pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(set) = store.statefulsets.get(key) else {
        return out;
    };
    let Ok(selector) = Selector::from_label_selector(&set.spec.selector) else {
        return out;
    };
    let deleting = set.metadata.deletion_timestamp.is_some();

    // ListRevisions + AdoptOrphanRevisions.
    let controller = controller_ref_to::<StatefulSet>(&set.metadata);
    let revisions = history::claim(store, &set.metadata, &controller, &selector, &mut out);

    let pods = claim_pods(store, set, &selector, deleting, &mut out);
    let mut pass = Pass {
        store,
        now,
        set,
        regarding: Regarding::of(Kind::StatefulSet, &set.metadata),
        out,
    };
    pass.update(&revisions, &pods);
    pass.out
}

/// `getPodsForStatefulSet` (`ClaimPods` with the `isMemberOf` filter): owned pods that still
/// match, plus adopted orphans; owned pods that stopped matching are released.
///
/// The pods the set already owns are borrowed from the store: a sync reads every pod of the
/// set, and copying each one cost more than all the rest of the sync.
fn claim_pods<'a>(
    store: &'a Store,
    set: &StatefulSet,
    selector: &Selector,
    deleting: bool,
    out: &mut Reconcile,
) -> Vec<Cow<'a, Pod>> {
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let matches = |p: &Pod| {
        !selector.is_empty()
            && selector.matches_opt(p.metadata.labels.as_ref())
            && is_member_of(set, p)
    };
    let mut pods = Vec::new();
    for pod in store.pods.owned_by(&uid) {
        if matches(pod) {
            pods.push(Cow::Borrowed(pod));
        } else if pod.metadata.deletion_timestamp.is_none() && !deleting {
            let mut p = pod.clone();
            if let Some(refs) = p.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
                if refs.is_empty() {
                    p.metadata.owner_references = None;
                }
            }
            out.push(Action::Update(Object::Pod(p)));
        }
    }
    if !deleting {
        let ns = set.metadata.namespace.as_deref().unwrap_or_default();
        for pod in store.pods.orphans() {
            if pod.metadata.namespace.as_deref() == Some(ns)
                && pod.metadata.deletion_timestamp.is_none()
                && matches(pod)
            {
                let mut p = pod.clone();
                p.metadata
                    .owner_references
                    .get_or_insert_with(Vec::new)
                    .push(controller_ref_to::<StatefulSet>(&set.metadata));
                out.push(Action::Update(Object::Pod(p.clone())));
                pods.push(Cow::Owned(p));
            }
        }
    }
    pods
}

/// What processing one pod says about the rest of the pass.
enum Step {
    Continue,
    /// Stop here this pass (OrderedReady), or a batch item that asked to stop (ignored in
    /// Parallel).
    Exit,
    /// A write failed: stop in both modes.
    Failed,
}

struct Pass<'a> {
    store: &'a Store,
    now: SimTime,
    set: &'a StatefulSet,
    regarding: Regarding,
    out: Reconcile,
}

/// `isCreated`: the API server gave the pod a phase.
fn is_created(p: &Pod) -> bool {
    p.status.as_ref().is_some_and(|s| s.phase.is_some())
}

impl<'a> Pass<'a> {
    fn name(&self) -> &str {
        self.set.metadata.name.as_deref().unwrap_or_default()
    }

    fn ns(&self) -> &str {
        self.set.metadata.namespace.as_deref().unwrap_or_default()
    }

    fn min_ready(&self) -> i32 {
        self.set.spec.min_ready_seconds.unwrap_or(0)
    }

    fn event(&mut self, warning: bool, reason: &str, message: String) {
        let e = if warning {
            EventRecord::warning(
                self.regarding.clone(),
                Component::StatefulSetController,
                reason,
                message,
            )
        } else {
            EventRecord::normal(
                self.regarding.clone(),
                Component::StatefulSetController,
                reason,
                message,
            )
        };
        self.out.event(e);
    }

    /// `UpdateStatefulSet`: revisions, `updateStatefulSet`, status, history.
    fn update(&mut self, revisions: &[ControllerRevision], pods: &[Cow<'a, Pod>]) {
        let set = self.set;
        let deleting = set.metadata.deletion_timestamp.is_some();
        let collision = set
            .status
            .as_ref()
            .and_then(|s| s.collision_count)
            .unwrap_or(0);
        let choice = history::choose_update(set, revisions, collision, |n, rev| {
            self.store
                .controllerrevisions
                .get(&Key::new(self.ns(), n))
                .is_some_and(|e| !history::equal(e, rev))
        });
        let mut collision_count = collision;
        if !deleting {
            match &choice {
                UpdateRevision::Latest(_) => {}
                UpdateRevision::Bump(r) => {
                    self.out
                        .push(Action::Update(Object::ControllerRevision(r.clone())));
                }
                UpdateRevision::Create(r, count) => {
                    collision_count = *count;
                    self.out.push(Action::Create {
                        object: Object::ControllerRevision(r.clone()),
                        event: None,
                    });
                }
            }
        }
        let update_rev = choice.revision().clone();
        let current_name = set
            .status
            .as_ref()
            .and_then(|s| s.current_revision.as_deref());
        let current_rev = revisions
            .iter()
            .find(|r| Some(history::name(r)) == current_name)
            .cloned()
            .unwrap_or_else(|| update_rev.clone());

        let mut status = self.update_stateful_set(&current_rev, &update_rev, collision_count, pods);
        complete_rolling_update(set, &mut status);
        status.conditions = set.status.as_ref().and_then(|s| s.conditions.clone());
        if set.status.as_ref() != Some(&status) {
            let mut updated = set.clone();
            updated.status = Some(status);
            self.out
                .push(Action::UpdateStatus(Object::StatefulSet(updated)));
        }

        // truncateHistory.
        if !deleting {
            let mut live: Vec<&str> = vec![history::name(&current_rev), history::name(&update_rev)];
            live.extend(pods.iter().map(|p| revision_of(p)));
            let limit = set.spec.revision_history_limit.unwrap_or(10);
            for r in history::to_truncate(revisions, &live, limit) {
                self.out.push(Action::Delete {
                    kind: Kind::ControllerRevision,
                    key: Key::of(&r.metadata),
                    grace_seconds: None,
                    propagation: Propagation::Background,
                    event: None,
                });
            }
        }

        // Look again when a ready pod becomes available.
        let min_ready = self.min_ready();
        if min_ready > 0 {
            if let Some(next) = pods
                .iter()
                .filter(|p| podutil::is_ready(p) && !podutil::is_available(p, min_ready, self.now))
                .filter_map(|p| podutil::available_at(p, min_ready))
                .min()
            {
                self.out.requeue(next.since(self.now).max(Dur::ms(1)));
            }
        }
    }

    /// `newVersionedStatefulSetPod`: ordinals below the partition (or, without a rollingUpdate
    /// struct, below the current replicas) are built from the current revision.
    fn new_pod(
        &self,
        ordinal: i32,
        current: &ControllerRevision,
        update: &ControllerRevision,
    ) -> Pod {
        let set = self.set;
        let strategy = set.spec.update_strategy.clone().unwrap_or_default();
        let rolling = strategy.type_.as_deref().unwrap_or(ROLLING_UPDATE) == ROLLING_UPDATE;
        let start = start_ordinal(set);
        let from_current = match &strategy.rolling_update {
            None => {
                rolling
                    && ordinal
                        < start.saturating_add(
                            set.status
                                .as_ref()
                                .and_then(|s| s.current_replicas)
                                .unwrap_or(0),
                        )
            }
            Some(ru) => ordinal < start.saturating_add(ru.partition.unwrap_or(0)),
        };
        let (rev, template) = if from_current {
            (
                current,
                history::template_of(current).unwrap_or_else(|| set.spec.template.clone()),
            )
        } else {
            (update, set.spec.template.clone())
        };
        let mut pod = stateful_pod(set, &template, ordinal);
        pod.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert(REVISION_LABEL.into(), history::name(rev).to_string());
        pod
    }

    /// `updateStatefulSet`.
    fn update_stateful_set(
        &mut self,
        current: &ControllerRevision,
        update: &ControllerRevision,
        collision_count: i32,
        pods: &[Cow<'a, Pod>],
    ) -> StatefulSetStatus {
        let set = self.set;
        let min_ready = self.min_ready();
        let mut status = StatefulSetStatus {
            observed_generation: set.metadata.generation,
            current_revision: Some(history::name(current).to_string()),
            update_revision: Some(history::name(update).to_string()),
            collision_count: Some(collision_count),
            ..Default::default()
        };
        if set.metadata.deletion_timestamp.is_some() {
            fill_counts(
                &mut status,
                pods.iter().map(|p| &**p),
                min_ready,
                self.now,
                current,
                update,
            );
            return status;
        }
        let start = start_ordinal(set);
        let count = replicas(set) as usize;
        let mut slots: Vec<Option<Cow<'a, Pod>>> = vec![None; count];
        let mut condemned: Vec<Cow<'a, Pod>> = Vec::new();
        for pod in pods {
            match ordinal(pod) {
                Some(_) if in_ordinal_range(pod, set) => {
                    let i = (ordinal(pod).unwrap_or(start) - start) as usize;
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(pod.clone());
                    }
                }
                Some(_) => condemned.push(pod.clone()),
                None => {}
            }
        }
        let replicas_list: Vec<Cow<'a, Pod>> = slots
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                p.unwrap_or_else(|| Cow::Owned(self.new_pod(start + i as i32, current, update)))
            })
            .collect();
        condemned.sort_by_key(|p| std::cmp::Reverse(ordinal(p).unwrap_or(-1)));
        let first_unhealthy: Option<String> = replicas_list
            .iter()
            .chain(condemned.iter().rev())
            .find(|p| is_unavailable(p, min_ready, self.now))
            .and_then(|p| p.metadata.name.clone());

        let monotonic = set.spec.pod_management_policy.as_deref() != Some(PARALLEL);
        let now = self.now;
        let counts = |status: &mut StatefulSetStatus| {
            fill_counts(
                status,
                replicas_list.iter().chain(condemned.iter()).map(|p| &**p),
                min_ready,
                now,
                current,
                update,
            )
        };

        // Replicas, in ordinal order.
        if self.run_for_all(replicas_list.len(), monotonic, |pass, i| {
            pass.process_replica(&replicas_list[i], monotonic)
        }) {
            counts(&mut status);
            return status;
        }
        // Claims of condemned pods, for the retention policy.
        if self.run_for_all(condemned.len(), monotonic, |pass, i| {
            pass.fix_claims(&condemned[i]);
            Step::Continue
        }) {
            counts(&mut status);
            return status;
        }
        // Condemned pods, from the highest ordinal.
        if self.run_for_all(condemned.len(), monotonic, |pass, i| {
            pass.process_condemned(&condemned[i], first_unhealthy.as_deref(), monotonic)
        }) {
            counts(&mut status);
            return status;
        }
        counts(&mut status);
        let strategy = set.spec.update_strategy.clone().unwrap_or_default();
        if strategy.type_.as_deref() == Some(ON_DELETE) {
            return status;
        }
        // updateStatefulSetAfterInvariantEstablished.
        let (partition, max_unavail) = match &strategy.rolling_update {
            Some(ru) => (
                ru.partition.unwrap_or(0).max(0) as usize,
                max_unavailable(ru.max_unavailable.as_ref(), count as i32),
            ),
            None => (0, 1),
        };
        let unavailable = replicas_list
            .iter()
            .filter(|p| is_unavailable(p, min_ready, self.now))
            .count() as i32;
        if unavailable > max_unavail {
            return status;
        }
        let mut to_delete = max_unavail - unavailable;
        for target in (partition..replicas_list.len()).rev() {
            if to_delete <= 0 {
                break;
            }
            let pod = &replicas_list[target];
            if revision_of(pod) != history::name(update) && !is_terminating(pod) {
                if is_created(pod) {
                    self.delete_pod(pod);
                }
                to_delete -= 1;
                status.current_replicas = Some(status.current_replicas.unwrap_or(0) - 1);
            }
        }
        status
    }

    /// `runForAll`: sequentially until something blocks (OrderedReady), or in slow-start batches
    /// of 1, 2, 4… where only a failure stops the rest (Parallel). Returns whether to stop.
    fn run_for_all(
        &mut self,
        n: usize,
        monotonic: bool,
        mut f: impl FnMut(&mut Self, usize) -> Step,
    ) -> bool {
        if monotonic {
            for i in 0..n {
                if !matches!(f(self, i), Step::Continue) {
                    return true;
                }
            }
            return false;
        }
        let mut i = 0;
        let mut batch = 1usize.min(n);
        while batch > 0 {
            let mut failed = false;
            for _ in 0..batch {
                if matches!(f(self, i), Step::Failed) {
                    failed = true;
                }
                i += 1;
            }
            if failed {
                return true;
            }
            batch = (batch * 2).min(n - i).min(MAX_BATCH_SIZE);
        }
        false
    }

    /// `processReplica`.
    fn process_replica(&mut self, pod: &Pod, monotonic: bool) -> Step {
        let min_ready = self.min_ready();
        let name = pod.metadata.name.clone().unwrap_or_default();
        if is_created(pod) && podutil::is_terminal(pod) {
            if !is_terminating(pod) {
                self.delete_pod(pod);
            }
            return Step::Exit;
        }
        if !is_created(pod) {
            if self.claim_is_stale(pod) {
                return Step::Exit;
            }
            if self.store.pods.get(&Key::new(self.ns(), &name)).is_some() {
                // AlreadyExists: a pod of that name that is not ours (an orphan, or one still
                // terminating). The create fails, and the work queue retries the set with
                // back-off until the name is free; orphans going away wake no controller.
                let set_name = self.name().to_string();
                self.event(
                    true,
                    "FailedCreate",
                    format!(
                        "create Pod {name} in StatefulSet {set_name} failed error: pods {name:?} already exists"
                    ),
                );
                self.out.requeue(CREATE_RETRY);
                return Step::Failed;
            }
            if !self.create_pod(pod) {
                return Step::Failed;
            }
            if monotonic {
                return Step::Exit;
            }
        }
        if is_created(pod) && podutil::phase(pod) == "Pending" && !self.create_claims(pod) {
            return Step::Failed;
        }
        if is_terminating(pod) && monotonic {
            return Step::Exit;
        }
        if monotonic && !is_running_and_ready(pod) {
            return Step::Exit;
        }
        if monotonic && !is_running_and_available(pod, min_ready, self.now) {
            return Step::Exit;
        }
        if !is_created(pod) {
            return Step::Continue;
        }
        let retention_ok = self.claims_match_policy(pod);
        if identity_matches(self.set, pod) && storage_matches(self.set, pod) && retention_ok {
            return Step::Continue;
        }
        self.update_pod(pod, retention_ok)
    }

    /// `UpdateStatefulPod`: identity labels, claims, claim owners; one update event.
    fn update_pod(&mut self, pod: &Pod, retention_ok: bool) -> Step {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let set_name = self.name().to_string();
        if !storage_matches(self.set, pod) {
            // Volumes of a pod cannot change: the API server refuses, as it would upstream.
            self.create_claims(pod);
            self.event(true, "FailedUpdate", format!("update Pod {name} in StatefulSet {set_name} failed error: Pod {name:?} is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
            return Step::Failed;
        }
        let mut updated = pod.clone();
        if !identity_matches(self.set, pod) {
            update_identity(&mut updated, ordinal(pod).unwrap_or(0));
        }
        if !retention_ok {
            self.update_claims_for_policy(pod);
        }
        if updated != *pod {
            self.out.push(Action::Update(Object::Pod(updated)));
        }
        self.event(
            false,
            "SuccessfulUpdate",
            format!("update Pod {name} in StatefulSet {set_name} successful"),
        );
        Step::Continue
    }

    /// `processCondemned`.
    fn process_condemned(
        &mut self,
        pod: &Pod,
        first_unhealthy: Option<&str>,
        monotonic: bool,
    ) -> Step {
        let min_ready = self.min_ready();
        if is_terminating(pod) {
            return if monotonic {
                Step::Exit
            } else {
                Step::Continue
            };
        }
        let is_first = pod.metadata.name.as_deref() == first_unhealthy;
        if monotonic && !is_first && !is_running_and_ready(pod) {
            return Step::Exit;
        }
        if monotonic && !is_first && !is_running_and_available(pod, min_ready, self.now) {
            return Step::Exit;
        }
        self.delete_pod(pod);
        Step::Exit
    }

    fn delete_pod(&mut self, pod: &Pod) {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let set_name = self.name().to_string();
        self.out.push(Action::Delete {
            kind: Kind::Pod,
            key: Key::of(&pod.metadata),
            grace_seconds: None,
            propagation: Propagation::Background,
            event: Some(EventRecord::normal(
                self.regarding.clone(),
                Component::StatefulSetController,
                "SuccessfulDelete",
                format!("delete Pod {name} in StatefulSet {set_name} successful"),
            )),
        });
    }

    /// `CreateStatefulPod`: the claims first, then the pod. Returns false on failure.
    fn create_pod(&mut self, pod: &Pod) -> bool {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let set_name = self.name().to_string();
        if let Err(e) = self.create_claims_checked(pod) {
            self.event(
                true,
                "FailedCreate",
                format!("create Pod {name} in StatefulSet {set_name} failed error: {e}"),
            );
            return false;
        }
        self.out.push(Action::Create {
            object: Object::Pod(pod.clone()),
            event: Some(EventRecord::normal(
                self.regarding.clone(),
                Component::StatefulSetController,
                "SuccessfulCreate",
                format!("create Pod {name} in StatefulSet {set_name} successful"),
            )),
        });
        // Set claim owners as far as possible now (the pod has no uid yet).
        self.update_claims_for_policy(pod);
        true
    }

    /// `createMissingPersistentVolumeClaims` for a Pending pod. Returns false on failure.
    fn create_claims(&mut self, pod: &Pod) -> bool {
        if self.create_claims_checked(pod).is_err() {
            return false;
        }
        self.update_claims_for_policy(pod);
        true
    }

    /// `createPersistentVolumeClaims`: creates the pod's missing claims (with their owners as the
    /// retention policy wants them); a claim being deleted is an error.
    fn create_claims_checked(&mut self, pod: &Pod) -> Result<(), String> {
        let Some(o) = ordinal(pod) else {
            return Ok(());
        };
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let set_name = self.name().to_string();
        let mut errors = Vec::new();
        for mut claim in claims_for(self.set, o) {
            let cname = claim.metadata.name.clone().unwrap_or_default();
            match self
                .store
                .persistentvolumeclaims
                .get(&Key::new(self.ns(), &cname))
            {
                Some(existing) => {
                    if existing.metadata.deletion_timestamp.is_some() {
                        errors.push(format!("pvc {cname} is being deleted"));
                    }
                }
                None => {
                    let owners = Owners {
                        set_name: &set_name,
                        set_uid: self.set.metadata.uid.as_deref().unwrap_or_default(),
                        pod_name: &pod_name,
                        pod_uid: pod.metadata.uid.as_deref().unwrap_or_default(),
                        scaled_down: !in_ordinal_range(pod, self.set),
                    };
                    update_claim_owner_refs(
                        &mut claim,
                        &owners,
                        retention(self.set),
                        controller_ref_to::<StatefulSet>(&self.set.metadata),
                        pod_ref(pod),
                    );
                    self.out.push(Action::Create {
                        object: Object::PersistentVolumeClaim(claim),
                        event: Some(EventRecord::normal(
                            self.regarding.clone(),
                            Component::StatefulSetController,
                            "SuccessfulCreate",
                            format!(
                                "create Claim {cname} Pod {pod_name} in StatefulSet {set_name} success"
                            ),
                        )),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else if errors.len() == 1 {
            Err(errors.remove(0))
        } else {
            Err(format!("[{}]", errors.join(", ")))
        }
    }

    fn owners<'b>(&'b self, pod: &'b Pod, pod_name: &'b str) -> Owners<'b> {
        Owners {
            set_name: self.name(),
            set_uid: self.set.metadata.uid.as_deref().unwrap_or_default(),
            pod_name,
            pod_uid: pod.metadata.uid.as_deref().unwrap_or_default(),
            scaled_down: !in_ordinal_range(pod, self.set),
        }
    }

    /// The pod's existing claims.
    fn existing_claims(&self, pod: &Pod) -> Vec<&'_ PersistentVolumeClaim> {
        let Some(o) = ordinal(pod) else {
            return Vec::new();
        };
        claim_templates(self.set)
            .iter()
            .filter_map(|t| {
                self.store
                    .persistentvolumeclaims
                    .get(&Key::new(self.ns(), claim_name(self.set, t, o)))
            })
            .collect()
    }

    /// `ClaimsMatchRetentionPolicy` (a missing claim matches: it is picked up later).
    fn claims_match_policy(&self, pod: &Pod) -> bool {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let owners = self.owners(pod, &pod_name);
        let policy = retention(self.set);
        self.existing_claims(pod)
            .iter()
            .all(|c| claim_owner_up_to_date(c, &owners, policy))
    }

    /// `UpdatePodClaimForRetentionPolicy`.
    fn update_claims_for_policy(&mut self, pod: &Pod) {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let policy = retention(self.set);
        let mut updates = Vec::new();
        {
            let owners = self.owners(pod, &pod_name);
            for c in self.existing_claims(pod) {
                if claim_owner_up_to_date(c, &owners, policy) {
                    continue;
                }
                let mut c = c.clone();
                update_claim_owner_refs(
                    &mut c,
                    &owners,
                    policy,
                    controller_ref_to::<StatefulSet>(&self.set.metadata),
                    pod_ref(pod),
                );
                updates.push(c);
            }
        }
        for c in updates {
            self.out
                .push(Action::Update(Object::PersistentVolumeClaim(c)));
        }
    }

    /// The `fixPodClaim` step for a condemned pod.
    fn fix_claims(&mut self, pod: &Pod) {
        if !self.claims_match_policy(pod) {
            self.update_claims_for_policy(pod);
        }
    }

    /// `PodClaimIsStale`: under whenScaled=Delete, a claim still owned by an earlier pod of the
    /// same name blocks creating the pod until the garbage collector removes it.
    fn claim_is_stale(&self, pod: &Pod) -> bool {
        if retention(self.set).1 == RETAIN {
            return false;
        }
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let owners = self.owners(pod, &pod_name);
        self.existing_claims(pod)
            .iter()
            .any(|c| has_stale_ref(c, &owners, true))
    }
}

/// An owner reference to a created pod (`None` before it has a uid).
fn pod_ref(pod: &Pod) -> Option<OwnerReference> {
    pod.metadata.uid.as_ref()?;
    Some(controller_ref_to::<Pod>(&pod.metadata))
}

/// `newStatefulSetPod`: `GetPodFromTemplate`, then identity (name, labels, hostname, subdomain)
/// and storage (a volume per claim template).
pub fn stateful_pod(set: &StatefulSet, template: &PodTemplateSpec, ordinal: i32) -> Pod {
    let mut pod = crate::controllers::replicaset::pod_from_template(
        template,
        &set.metadata,
        controller_ref_to::<StatefulSet>(&set.metadata),
    );
    let name = pod_name(set, ordinal);
    pod.metadata.name = Some(name.clone());
    update_identity(&mut pod, ordinal);
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.hostname = Some(name);
    spec.subdomain = set.spec.service_name.clone().filter(|s| !s.is_empty());
    update_storage(set, &mut pod, ordinal);
    pod
}

/// `updateStatus` over the given pods.
fn fill_counts<'p>(
    status: &mut StatefulSetStatus,
    pods: impl Iterator<Item = &'p Pod>,
    min_ready: i32,
    now: SimTime,
    current: &ControllerRevision,
    update: &ControllerRevision,
) {
    let (mut replicas, mut ready, mut available, mut cur, mut upd) = (0, 0, 0, 0, 0);
    for pod in pods {
        if is_created(pod) {
            replicas += 1;
        }
        if is_running_and_ready(pod) {
            ready += 1;
            if is_running_and_available(pod, min_ready, now) {
                available += 1;
            }
        }
        if is_created(pod) && !is_terminating(pod) {
            let r = revision_of(pod);
            if r == history::name(current) {
                cur += 1;
            }
            if r == history::name(update) {
                upd += 1;
            }
        }
    }
    status.replicas = replicas;
    status.ready_replicas = Some(ready);
    status.available_replicas = Some(available);
    status.current_replicas = Some(cur);
    status.updated_replicas = Some(upd);
}

/// `completeRollingUpdate`.
fn complete_rolling_update(set: &StatefulSet, status: &mut StatefulSetStatus) {
    let strategy = set.spec.update_strategy.as_ref();
    let rolling = strategy
        .and_then(|s| s.type_.as_deref())
        .unwrap_or(ROLLING_UPDATE)
        == ROLLING_UPDATE;
    let want = replicas(set);
    if rolling
        && status.updated_replicas == Some(want)
        && status.ready_replicas == Some(want)
        && status.replicas == want
    {
        status.current_replicas = status.updated_replicas;
        status.current_revision = status.update_revision.clone();
    }
}

/// StatefulSets that may own a claim of this name (`<template>-<set>-<ordinal>`).
pub fn sets_for_claim(store: &Store, claim: &Key) -> Vec<Key> {
    store
        .statefulsets
        .in_namespace(&claim.namespace)
        .filter(|s| {
            claim_templates(s).iter().any(|t| {
                let prefix = format!(
                    "{}-{}-",
                    t.metadata.name.as_deref().unwrap_or_default(),
                    s.metadata.name.as_deref().unwrap_or_default()
                );
                claim.name.strip_prefix(&prefix).is_some_and(|rest| {
                    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
                })
            })
        })
        .map(|s| Key::of(&s.metadata))
        .collect()
}

/// The `kubectl rollout status` line for a StatefulSet (`StatefulSetStatusViewer`), and whether
/// the rollout is done.
pub fn rollout_status_line(set: &StatefulSet) -> Result<(String, bool), String> {
    let strategy = set.spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref().unwrap_or(ROLLING_UPDATE) != ROLLING_UPDATE {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let s = set.status.clone().unwrap_or_default();
    let generation = set.metadata.generation.unwrap_or(0);
    let observed = s.observed_generation.unwrap_or(0);
    if observed == 0 || generation > observed {
        return Ok((
            "Waiting for statefulset spec update to be observed...".into(),
            false,
        ));
    }
    let want = set.spec.replicas.unwrap_or(1);
    let ready = s.ready_replicas.unwrap_or(0);
    if ready < want {
        return Ok((
            format!("Waiting for {} pods to be ready...", want - ready),
            false,
        ));
    }
    let updated = s.updated_replicas.unwrap_or(0);
    if let Some(ru) = &strategy.rolling_update {
        if let Some(p) = ru.partition {
            if updated < want - p {
                return Ok((format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...", want - p), false));
            }
        }
        return Ok((
            format!("partitioned roll out complete: {updated} new pods have been updated..."),
            true,
        ));
    }
    let rev = s.update_revision.clone().unwrap_or_default();
    if s.update_revision != s.current_revision {
        return Ok((format!("waiting for statefulset rolling update to complete {updated} pods at revision {rev}..."), false));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {rev}...",
            s.current_replicas.unwrap_or(0)
        ),
        true,
    ))
}
