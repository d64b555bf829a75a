//! Recreate (`pkg/controller/deployment/recreate.go`): scale every old ReplicaSet to zero, wait
//! for their pods to be gone, then scale the new one to full size. Old and new pods never run
//! together.

use super::util::*;
use super::Pass;
use crate::podutil;

impl Pass<'_> {
    /// `rolloutRecreate`.
    pub(super) fn rollout_recreate(&mut self) {
        let new = self.sync_revision(false);
        let active_old: Vec<usize> = self
            .old_indices(new)
            .into_iter()
            .filter(|&i| rs_replicas(&self.rss[i]) > 0)
            .collect();
        let mut scaled_down = false;
        for i in active_old {
            scaled_down |= self.scale_to(i, 0);
        }
        if scaled_down {
            return self.sync_rollout_status(new);
        }
        if self.old_pods_running(new) {
            return self.sync_rollout_status(new);
        }
        let new = match new {
            Some(i) => i,
            None => match self.sync_revision(true) {
                Some(i) => i,
                None => return,
            },
        };
        if self.scale_to(new, replicas(&self.d)) {
            return self.sync_rollout_status(Some(new));
        }
        if super::progress::deployment_complete(&self.d, self.d.status.as_ref()) {
            self.cleanup_deployment(Some(new));
        }
        self.sync_rollout_status(Some(new));
    }

    /// `oldPodsRunning`: any old ReplicaSet still reports pods, or any pod of an old ReplicaSet
    /// (terminating ones included) is not yet Succeeded or Failed.
    fn old_pods_running(&self, new: Option<usize>) -> bool {
        let old = self.old_indices(new);
        if old.iter().any(|&i| rs_status_replicas(&self.rss[i]) > 0) {
            return true;
        }
        old.iter().any(|&i| {
            let uid = self.rss[i].metadata.uid.clone().unwrap_or_default();
            self.store
                .pods
                .owned_by(&uid)
                .any(|p| !podutil::is_terminal(p))
        })
    }
}
