//! Deployment status and conditions (`sync.go: calculateStatus`, `progress.go`,
//! `util.DeploymentComplete`, `util.DeploymentProgressing`, `util.DeploymentTimedOut`).

use super::util::*;
use super::Pass;
use crate::time::{Dur, SimTime};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus};

pub const TIMED_OUT: &str = "ProgressDeadlineExceeded";
pub const NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";

pub fn has_progress_deadline(d: &Deployment) -> bool {
    Some(&d.spec)
        .and_then(|s| s.progress_deadline_seconds)
        .is_some_and(|s| s != i32::MAX)
}

pub fn condition<'a>(d: &'a Deployment, type_: &str) -> Option<&'a DeploymentCondition> {
    d.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_.as_deref() == Some(type_))
}

fn status_condition<'a>(s: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    s.conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_.as_deref() == Some(type_))
}

/// `SetDeploymentCondition` on a status: unchanged if status and reason are the same; keeps
/// lastTransitionTime when only the reason changes; moves the condition to the end.
fn set_status_condition(s: &mut DeploymentStatus, c: DeploymentCondition) {
    let conds = s.conditions.get_or_insert_with(Vec::new);
    let mut c = c;
    if let Some(cur) = conds.iter().find(|x| x.type_ == c.type_) {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.last_transition_time = cur.last_transition_time.clone();
        }
    }
    conds.retain(|x| x.type_ != c.type_);
    conds.push(c);
}

fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: SimTime,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: Some(type_.into()),
        status: Some(status.into()),
        reason: Some(reason.into()),
        message: Some(message),
        last_update_time: Some(now.to_k8s()),
        last_transition_time: Some(now.to_k8s()),
    }
}

pub fn set_condition(
    d: &mut Deployment,
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: SimTime,
) {
    set_status_condition(
        d.status.get_or_insert_with(Default::default),
        new_condition(type_, status, reason, message, now),
    );
}

/// `DeploymentComplete`.
pub fn deployment_complete(d: &Deployment, s: Option<&DeploymentStatus>) -> bool {
    let want = replicas(d);
    let Some(s) = s else { return false };
    s.updated_replicas.unwrap_or(0) == want
        && s.replicas.unwrap_or(0) == want
        && s.available_replicas.unwrap_or(0) == want
        && s.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// `DeploymentProgressing`: progress compared with the previous status.
fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = old.replicas.unwrap_or(0) - old.updated_replicas.unwrap_or(0);
    let new_old = new.replicas.unwrap_or(0) - new.updated_replicas.unwrap_or(0);
    new.updated_replicas.unwrap_or(0) > old.updated_replicas.unwrap_or(0)
        || new_old < old_old
        || new.ready_replicas.unwrap_or(0) > old.ready_replicas.unwrap_or(0)
        || new.available_replicas.unwrap_or(0) > old.available_replicas.unwrap_or(0)
}

/// `DeploymentTimedOut`.
fn deployment_timed_out(d: &Deployment, new: &DeploymentStatus, now: SimTime) -> bool {
    if !has_progress_deadline(d) {
        return false;
    }
    let Some(c) = status_condition(new, "Progressing") else {
        return false;
    };
    match c.reason.as_deref() {
        Some(NEW_RS_AVAILABLE) => false,
        Some(TIMED_OUT) => true,
        _ => {
            let deadline = Some(&d.spec)
                .and_then(|s| s.progress_deadline_seconds)
                .unwrap_or(600)
                .max(0) as u64;
            c.last_update_time
                .as_ref()
                .is_some_and(|t| SimTime::from_k8s(t) + Dur::secs(deadline) < now)
        }
    }
}

impl Pass<'_> {
    /// `calculateStatus`.
    fn calculate_status(&self, new: Option<usize>) -> DeploymentStatus {
        let available: i32 = self.rss.iter().map(rs_available).sum();
        let total: i32 = self.rss.iter().map(rs_replicas).sum();
        let mut status = DeploymentStatus {
            observed_generation: self.d.metadata.generation,
            replicas: Some(self.rss.iter().map(rs_status_replicas).sum()),
            updated_replicas: Some(new.map_or(0, |i| rs_status_replicas(&self.rss[i]))),
            ready_replicas: Some(self.rss.iter().map(rs_ready).sum()),
            available_replicas: Some(available),
            unavailable_replicas: Some((total - available).max(0)),
            terminating_replicas: Some(
                self.rss
                    .iter()
                    .map(|r| {
                        r.status
                            .as_ref()
                            .and_then(|s| s.terminating_replicas)
                            .unwrap_or(0)
                    })
                    .sum(),
            ),
            collision_count: self.d.status.as_ref().and_then(|s| s.collision_count),
            conditions: self.d.status.as_ref().and_then(|s| s.conditions.clone()),
        };
        let c = if available >= replicas(&self.d) - max_unavailable(&self.d) {
            new_condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
                self.now,
            )
        } else {
            new_condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
                self.now,
            )
        };
        set_status_condition(&mut status, c);
        status
    }

    /// `syncDeploymentStatus`: status without progress evaluation (scaling, paused, deleting).
    pub(super) fn sync_deployment_status(&mut self, new: Option<usize>) {
        let status = self.calculate_status(new);
        self.d.status = Some(status);
    }

    /// `syncRolloutStatus`: status plus the Progressing condition and the deadline check.
    pub(super) fn sync_rollout_status(&mut self, new: Option<usize>) {
        let mut status = self.calculate_status(new);
        let deadline = has_progress_deadline(&self.d);
        if !deadline {
            if let Some(c) = status.conditions.as_mut() {
                c.retain(|c| c.type_.as_deref() != Some("Progressing"));
            }
        }
        let current = condition(&self.d, "Progressing").cloned();
        let complete_recorded = status.replicas == status.updated_replicas
            && current.as_ref().and_then(|c| c.reason.as_deref()) == Some(NEW_RS_AVAILABLE);
        let subject = match new {
            Some(i) => format!(
                "ReplicaSet {:?}",
                self.rss[i].metadata.name.clone().unwrap_or_default()
            ),
            None => format!("Deployment {:?}", self.name()),
        };
        if deadline && !complete_recorded {
            if deployment_complete(&self.d, Some(&status)) {
                set_status_condition(
                    &mut status,
                    new_condition(
                        "Progressing",
                        "True",
                        NEW_RS_AVAILABLE,
                        format!("{subject} has successfully progressed."),
                        self.now,
                    ),
                );
            } else if deployment_progressing(&self.d, &status) {
                let mut c = new_condition(
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    format!("{subject} is progressing."),
                    self.now,
                );
                if let Some(cur) = &current {
                    if cur.status.as_deref() == Some("True") {
                        c.last_transition_time = cur.last_transition_time.clone();
                    }
                    if let Some(cs) = status.conditions.as_mut() {
                        cs.retain(|x| x.type_.as_deref() != Some("Progressing"));
                    }
                }
                set_status_condition(&mut status, c);
            } else if deployment_timed_out(&self.d, &status, self.now) {
                set_status_condition(
                    &mut status,
                    new_condition(
                        "Progressing",
                        "False",
                        TIMED_OUT,
                        format!("{subject} has timed out progressing."),
                        self.now,
                    ),
                );
            }
        }
        // requeueStuckDeployment: look again when the deadline would pass.
        if deadline && !deployment_complete(&self.d, Some(&status)) {
            if let Some(c) = status_condition(&status, "Progressing") {
                if c.reason.as_deref() != Some(TIMED_OUT) {
                    let secs = Some(&self.d.spec)
                        .and_then(|s| s.progress_deadline_seconds)
                        .unwrap_or(600)
                        .max(0) as u64;
                    if let Some(t) = &c.last_update_time {
                        let at = SimTime::from_k8s(t) + Dur::secs(secs + 1);
                        self.out.requeue(at.since(self.now).max(Dur::secs(1)));
                    }
                }
            }
        }
        self.d.status = Some(status);
    }
}

/// `kubectl rollout status deployment/NAME` for the current state: the line it prints, and
/// whether the rollout is finished (`Ok(true)`), still going (`Ok(false)`) or failed (`Err`).
pub fn rollout_status_line(d: &Deployment) -> Result<(String, bool), String> {
    let name = d.metadata.name.clone().unwrap_or_default();
    let s = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) > s.observed_generation.unwrap_or(0) {
        return Ok((
            "Waiting for deployment spec update to be observed...".into(),
            false,
        ));
    }
    if condition(d, "Progressing").and_then(|c| c.reason.as_deref()) == Some(TIMED_OUT) {
        return Err(format!(
            "deployment {name:?} exceeded its progress deadline"
        ));
    }
    let want = replicas(d);
    let updated = s.updated_replicas.unwrap_or(0);
    if updated < want {
        return Ok((format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated..."), false));
    }
    if s.replicas.unwrap_or(0) > updated {
        return Ok((format!("Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...", s.replicas.unwrap_or(0) - updated), false));
    }
    let available = s.available_replicas.unwrap_or(0);
    if available < updated {
        return Ok((format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available..."), false));
    }
    Ok((format!("deployment {name:?} successfully rolled out"), true))
}
