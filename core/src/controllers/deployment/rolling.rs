//! RollingUpdate (`pkg/controller/deployment/rolling.go`): one move per pass, bounded by
//! maxSurge and maxUnavailable.

use super::util::*;
use super::Pass;

impl Pass<'_> {
    /// `rolloutRolling`.
    pub(super) fn rollout_rolling(&mut self) {
        let new = self.sync_revision(true);
        if self.aborted {
            return;
        }
        let Some(new) = new else { return };
        if self.reconcile_new_replica_set(new) {
            return self.sync_rollout_status(Some(new));
        }
        if self.reconcile_old_replica_sets(new) {
            return self.sync_rollout_status(Some(new));
        }
        if super::progress::deployment_complete(&self.d, self.d.status.as_ref()) {
            self.cleanup_deployment(Some(new));
        }
        self.sync_rollout_status(Some(new));
    }

    /// `reconcileNewReplicaSet`: scale the new ReplicaSet up within maxSurge (or down to the
    /// Deployment's size if it is above it).
    fn reconcile_new_replica_set(&mut self, new: usize) -> bool {
        let want = replicas(&self.d);
        let have = rs_replicas(&self.rss[new]);
        if have == want {
            return false;
        }
        if have > want {
            return self.scale_to(new, want);
        }
        let target = self.new_rs_new_replicas(Some(new));
        self.scale_to(new, target)
    }

    /// `reconcileOldReplicaSets`: scale old ReplicaSets down as far as availability allows,
    /// unhealthy replicas first.
    fn reconcile_old_replica_sets(&mut self, new: usize) -> bool {
        let old = self.active_old_oldest_first(new);
        let old_pods: i32 = old.iter().map(|&i| rs_replicas(&self.rss[i])).sum();
        if old_pods == 0 {
            return false;
        }
        let all_pods: i32 = self.rss.iter().map(rs_replicas).sum();
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let new_unavailable = rs_replicas(&self.rss[new]) - rs_available(&self.rss[new]);
        let max_scaled_down = all_pods - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        let cleaned = self.cleanup_unhealthy_replicas(&old, max_scaled_down);
        let scaled = self.scale_down_old_for_rolling_update(&old);
        cleaned + scaled > 0
    }

    /// Active old ReplicaSets sorted oldest first (`ReplicaSetsByCreationTimestamp`).
    fn active_old_oldest_first(&self, new: usize) -> Vec<usize> {
        let mut old: Vec<usize> = self
            .old_indices(Some(new))
            .into_iter()
            .filter(|&i| rs_replicas(&self.rss[i]) > 0)
            .collect();
        old.sort_by(|&a, &b| {
            let (ra, rb) = (&self.rss[a].metadata, &self.rss[b].metadata);
            (&ra.creation_timestamp, &ra.name).cmp(&(&rb.creation_timestamp, &rb.name))
        });
        old
    }

    /// `cleanupUnhealthyReplicas`.
    fn cleanup_unhealthy_replicas(&mut self, old: &[usize], max_cleanup: i32) -> i32 {
        let mut total = 0;
        for &i in old {
            if total >= max_cleanup {
                break;
            }
            let spec = rs_replicas(&self.rss[i]);
            let available = rs_available(&self.rss[i]);
            if spec == 0 || spec == available {
                continue;
            }
            let n = (max_cleanup - total).min(spec - available);
            self.scale_to(i, spec - n);
            total += n;
        }
        total
    }

    /// `scaleDownOldReplicaSetsForRollingUpdate`.
    fn scale_down_old_for_rolling_update(&mut self, old: &[usize]) -> i32 {
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let available: i32 = self.rss.iter().map(rs_available).sum();
        if available <= min_available {
            return 0;
        }
        let to_scale_down = available - min_available;
        let mut total = 0;
        for &i in old {
            if total >= to_scale_down {
                break;
            }
            let spec = rs_replicas(&self.rss[i]);
            if spec == 0 {
                continue;
            }
            let n = spec.min(to_scale_down - total);
            self.scale_to(i, spec - n);
            total += n;
        }
        total
    }
}
