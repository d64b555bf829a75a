//! Scaling without a rollout (`sync.go`: `sync`, `scale`, `cleanupDeployment`): used while paused
//! and on scaling events, spreading a size change over the ReplicaSets in proportion to their
//! sizes.

use super::util::*;
use super::Pass;
use crate::controllers::Action;
use crate::store::{Key, Kind, Propagation};

impl Pass<'_> {
    /// `sync`: scale, clean up history while paused, write status.
    pub(super) fn sync_scale(&mut self) {
        let new = self.sync_revision(false);
        self.scale(new);
        if Some(&self.d.spec).and_then(|s| s.paused) == Some(true) {
            self.cleanup_deployment(new);
        }
        self.sync_deployment_status(new);
    }

    /// `FindActiveOrLatest`: the only active ReplicaSet, or if none is active the new one (else
    /// the newest old one); `None` when several are active.
    fn find_active_or_latest(&self, new: Option<usize>) -> Option<usize> {
        let active: Vec<usize> = (0..self.rss.len())
            .filter(|&i| rs_replicas(&self.rss[i]) > 0)
            .collect();
        match active.len() {
            0 => new.or_else(|| {
                self.old_indices(new).into_iter().max_by(|&a, &b| {
                    let (ra, rb) = (&self.rss[a].metadata, &self.rss[b].metadata);
                    (&ra.creation_timestamp, &ra.name).cmp(&(&rb.creation_timestamp, &rb.name))
                })
            }),
            1 => Some(active[0]),
            _ => None,
        }
    }

    /// `IsSaturated`.
    fn is_saturated(&self, new: Option<usize>) -> bool {
        let Some(i) = new else { return false };
        let rs = &self.rss[i];
        let want = replicas(&self.d);
        rs_replicas(rs) == want
            && annotation(&rs.metadata, DESIRED_REPLICAS) == Some(want.to_string().as_str())
            && rs_available(rs) == want
    }

    /// `scale`: see the semantics reference §1.7.
    pub(super) fn scale(&mut self, new: Option<usize>) {
        let want = replicas(&self.d);
        if let Some(i) = self.find_active_or_latest(new) {
            if rs_replicas(&self.rss[i]) != want {
                self.scale_to(i, want);
            }
            return;
        }
        if self.is_saturated(new) {
            for i in self.old_indices(new) {
                if rs_replicas(&self.rss[i]) > 0 {
                    self.scale_to(i, 0);
                }
            }
            return;
        }
        if !is_rolling(&self.d) {
            return;
        }
        let mut active: Vec<usize> = (0..self.rss.len())
            .filter(|&i| rs_replicas(&self.rss[i]) > 0)
            .collect();
        let current: i32 = active.iter().map(|&i| rs_replicas(&self.rss[i])).sum();
        let allowed = if want > 0 {
            want + max_surge(&self.d)
        } else {
            0
        };
        let to_add = allowed - current;
        let created = |i: usize| {
            (
                self.rss[i].metadata.creation_timestamp.clone(),
                self.rss[i].metadata.name.clone(),
            )
        };
        let op = if to_add > 0 {
            // ReplicaSetsBySizeNewer: larger first, newer first on ties.
            active.sort_by(|&a, &b| {
                rs_replicas(&self.rss[b])
                    .cmp(&rs_replicas(&self.rss[a]))
                    .then_with(|| created(b).cmp(&created(a)))
            });
            "up"
        } else {
            // ReplicaSetsBySizeOlder: larger first, older first on ties.
            active.sort_by(|&a, &b| {
                rs_replicas(&self.rss[b])
                    .cmp(&rs_replicas(&self.rss[a]))
                    .then_with(|| created(a).cmp(&created(b)))
            });
            "down"
        };
        let mut added = 0;
        let mut sizes: Vec<i32> = Vec::with_capacity(active.len());
        for &i in &active {
            let size = rs_replicas(&self.rss[i]);
            if to_add != 0 {
                let p = self.proportion(i, to_add, added);
                sizes.push(size + p);
                added += p;
            } else {
                sizes.push(size);
            }
        }
        if to_add != 0 && !sizes.is_empty() {
            sizes[0] = (sizes[0] + to_add - added).max(0);
        }
        for (k, &i) in active.iter().enumerate() {
            self.scale_with_op(i, sizes[k], op);
        }
    }

    /// `GetProportion`.
    fn proportion(&self, i: usize, to_add: i32, added: i32) -> i32 {
        let rs = &self.rss[i];
        if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
            return 0;
        }
        let fraction = self.replica_set_fraction(i);
        let allowed = to_add - added;
        if to_add > 0 {
            fraction.min(allowed)
        } else {
            fraction.max(allowed)
        }
    }

    /// `getReplicaSetFraction`: `round(size × (replicas + maxSurge) / max-replicas annotation)`
    /// minus the current size.
    fn replica_set_fraction(&self, i: usize) -> i32 {
        let rs = &self.rss[i];
        let size = rs_replicas(rs);
        let want = replicas(&self.d);
        if want == 0 {
            return -size;
        }
        let deployment_replicas = want + max_surge(&self.d);
        let annotated = annotation(&rs.metadata, MAX_REPLICAS)
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or_else(|| self.d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0));
        if annotated == 0 {
            return 0;
        }
        let new_size = (size as f64 * deployment_replicas as f64) / annotated as f64;
        new_size.round() as i32 - size
    }

    /// `cleanupDeployment`: delete the oldest old ReplicaSets beyond revisionHistoryLimit, if
    /// they are scaled to zero and settled.
    pub(super) fn cleanup_deployment(&mut self, new: Option<usize>) {
        let Some(limit) = Some(&self.d.spec).and_then(|s| s.revision_history_limit) else {
            return;
        };
        if limit == i32::MAX {
            return;
        }
        let mut cleanable: Vec<usize> = self
            .old_indices(new)
            .into_iter()
            .filter(|&i| self.rss[i].metadata.deletion_timestamp.is_none())
            .collect();
        let diff = cleanable.len() as i64 - limit as i64;
        if diff <= 0 {
            return;
        }
        cleanable.sort_by(|&a, &b| {
            let (ra, rb) = (&self.rss[a], &self.rss[b]);
            revision(ra).cmp(&revision(rb)).then_with(|| {
                (&ra.metadata.creation_timestamp, &ra.metadata.name)
                    .cmp(&(&rb.metadata.creation_timestamp, &rb.metadata.name))
            })
        });
        for &i in cleanable.iter().take(diff as usize) {
            let rs = &self.rss[i];
            let settled = rs
                .status
                .as_ref()
                .and_then(|s| s.observed_generation)
                .unwrap_or(0)
                >= rs.metadata.generation.unwrap_or(0);
            if rs_status_replicas(rs) != 0 || rs_replicas(rs) != 0 || !settled {
                continue;
            }
            self.out.push(Action::Delete {
                kind: Kind::ReplicaSet,
                key: Key::of(&rs.metadata),
                grace_seconds: None,
                propagation: Propagation::Background,
                event: None,
            });
        }
    }
}
