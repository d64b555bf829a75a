//! Geometry of the storage band under the nodes: a slot per claim (in the view-model's order,
//! so a claim keeps its slot while pods come and go), then a slot per unbound volume, in rows;
//! and one link per mount from the pod's tile to its claim's cylinder.
//!
//! A link curves from the bottom of the pod's tile to the top of the band, drops down the gap
//! left of its claim's column and turns into the cylinder's side, so it never crosses a slot.
//!
//! Pure, like [`crate::layout`], which places the band below the node boxes.

use std::collections::BTreeMap;

use kubeplay_core::view::StorageView;

use crate::layout::{Rect, NODE_PAD};

/// A claim or volume slot.
pub const SLOT_W: f64 = 220.0;
pub const SLOT_H: f64 = 62.0;
/// Space between slots, across and down.
pub const SLOT_GAP: f64 = 12.0;
pub const ROW_GAP: f64 = 10.0;
/// Height of the band's title row.
pub const BAND_TITLE: f64 = 28.0;
/// The cylinder (or volume) shape inside a slot: left, top, width, height, and the half-height
/// of the cylinder's end ellipses.
pub const SHAPE_X: f64 = 10.0;
pub const SHAPE_Y: f64 = 10.0;
pub const SHAPE_W: f64 = 32.0;
pub const SHAPE_H: f64 = 42.0;
pub const SHAPE_RY: f64 = 5.0;
/// Where the text beside the shape starts, from the slot's left.
pub const TEXT_X: f64 = 52.0;
/// Horizontal spread between links that share a pod or a claim.
const FAN: f64 = 8.0;

/// The storage band.
#[derive(Clone, PartialEq, Debug)]
pub struct StorageLayout {
    pub frame: Rect,
    /// One per `storage.claims`, same order.
    pub claims: Vec<Rect>,
    /// (index into `storage.volumes`, slot) per unbound volume.
    pub volumes: Vec<(usize, Rect)>,
    pub links: Vec<Link>,
}

/// One mount drawn as a line from a pod's tile to its claim.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Link {
    /// Index into `storage.mounts`.
    pub mount: usize,
    /// The pod's tile, for highlighting.
    pub pod: Rect,
    /// On the tile's bottom edge.
    pub from: (f64, f64),
    /// Where the link enters the band: the top of the gap left of the claim's column.
    pub entry: (f64, f64),
    /// On the left side of the claim's cylinder.
    pub to: (f64, f64),
}

/// Radius of the corner where a link turns from the gap into its claim.
const CORNER: f64 = 4.0;

impl Link {
    /// An SVG path: an S-curve from the pod down to the band, straight down the gap, then a
    /// rounded turn into the cylinder.
    pub fn path(&self) -> String {
        let ((x1, y1), (gx, gy), (x2, y2)) = (self.from, self.entry, self.to);
        let bend = ((gy - y1) * 0.5).max(12.0);
        format!(
            "M{x1:.1} {y1:.1}C{x1:.1} {:.1} {gx:.1} {:.1} {gx:.1} {gy:.1}V{:.1}Q{gx:.1} {y2:.1} {:.1} {y2:.1}H{x2:.1}",
            y1 + bend,
            gy - bend,
            y2 - CORNER,
            gx + CORNER,
        )
    }
}

/// Slots per row in a band of inner width `inner`.
fn columns(inner: f64) -> usize {
    (((inner + SLOT_GAP) / (SLOT_W + SLOT_GAP)).floor() as usize).max(1)
}

/// Places the band with its top at `top`, `width` wide; `None` when there is no claim and no
/// volume, so an empty cluster's picture does not change.
pub fn band(storage: &StorageView, x: f64, top: f64, width: f64) -> Option<StorageLayout> {
    if storage.is_empty() {
        return None;
    }
    let inner = width - 2.0 * NODE_PAD;
    let cols = columns(inner);
    let slot_w = ((inner - (cols as f64 - 1.0) * SLOT_GAP) / cols as f64).min(SLOT_W * 1.25);
    let slot = |i: usize| Rect {
        x: x + NODE_PAD + (i % cols) as f64 * (slot_w + SLOT_GAP),
        y: top + BAND_TITLE + (i / cols) as f64 * (SLOT_H + ROW_GAP),
        w: slot_w,
        h: SLOT_H,
    };
    let claims: Vec<Rect> = (0..storage.claims.len()).map(slot).collect();
    let volumes: Vec<(usize, Rect)> = storage
        .volumes
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.bound)
        .enumerate()
        .map(|(k, (i, _))| (i, slot(claims.len() + k)))
        .collect();
    let count = claims.len() + volumes.len();
    let rows = count.div_ceil(cols) as f64;
    let frame = Rect {
        x,
        y: top,
        w: width,
        h: BAND_TITLE + rows * SLOT_H + (rows - 1.0).max(0.0) * ROW_GAP + NODE_PAD,
    };
    Some(StorageLayout {
        frame,
        claims,
        volumes,
        links: Vec::new(),
    })
}

/// The middle of the left side of a slot's cylinder.
pub fn cylinder_side(slot: &Rect) -> (f64, f64) {
    (slot.x + SHAPE_X, slot.y + SHAPE_Y + SHAPE_H / 2.0)
}

/// `i`-th of `n` offsets centred on zero, `FAN` apart, within `half` either side.
fn fan(i: usize, n: usize, half: f64) -> f64 {
    let spread = FAN.min(2.0 * half / n.max(1) as f64);
    (i as f64 - (n as f64 - 1.0) / 2.0) * spread
}

/// Links for every mount whose pod is drawn (`tiles` by namespace and name) and whose claim
/// exists. Several claims of one pod leave its tile side by side; several pods of one claim
/// arrive one above the other on its cylinder.
pub fn links(
    storage: &StorageView,
    band: &StorageLayout,
    tiles: &BTreeMap<(String, String), Rect>,
) -> Vec<Link> {
    let slots: BTreeMap<String, Rect> = storage
        .claims
        .iter()
        .zip(&band.claims)
        .map(|(c, r)| (c.key(), *r))
        .collect();
    let drawn: Vec<(usize, Rect, Rect)> = storage
        .mounts
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let tile = tiles.get(&(m.pod_namespace.clone(), m.pod.clone()))?;
            Some((i, *tile, *slots.get(&m.claim_key())?))
        })
        .collect();
    let mut per_pod: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut per_claim: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (i, _, _) in &drawn {
        let m = &storage.mounts[*i];
        per_pod
            .entry((m.pod_namespace.clone(), m.pod.clone()))
            .or_default()
            .1 += 1;
        per_claim.entry(m.claim_key()).or_default().1 += 1;
    }
    drawn
        .into_iter()
        .map(|(i, tile, slot)| {
            let m = &storage.mounts[i];
            let mut from = per_pod
                .get_mut(&(m.pod_namespace.clone(), m.pod.clone()))
                .map(|(k, n)| {
                    *k += 1;
                    fan(*k - 1, *n, tile.w / 2.0 - 8.0)
                })
                .unwrap_or(0.0);
            from += tile.x + tile.w / 2.0;
            let (cx, cy) = cylinder_side(&slot);
            let to = per_claim
                .get_mut(&m.claim_key())
                .map(|(k, n)| {
                    *k += 1;
                    fan(*k - 1, *n, SHAPE_H / 2.0 - SHAPE_RY - 4.0)
                })
                .unwrap_or(0.0);
            Link {
                mount: i,
                pod: tile,
                from: (from, tile.y + tile.h),
                entry: (slot.x - SLOT_GAP.min(NODE_PAD) / 2.0, band.frame.y),
                to: (cx, cy + to),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{cluster, MARGIN, WIDTH};
    use kubeplay_core::view::{
        ClaimPhase, ClaimView, ClusterView, MountState, MountView, NodeView, OwnerView, PodState,
        PodView, VolumeView,
    };
    use std::rc::Rc;

    fn pod(name: &str) -> PodView {
        PodView {
            namespace: "default".into(),
            name: name.into(),
            label: name.into(),
            status: "Running".into(),
            state: PodState::Ready,
            ready: true,
            restarts: 0,
            owner: Some(OwnerView {
                kind: "Deployment".into(),
                name: "web".into(),
            }),
            color: 0,
            why: None,
            node: Some("a".into()),
        }
    }

    fn node(name: &str, pods: Vec<PodView>) -> NodeView {
        NodeView {
            name: name.into(),
            status: "Ready".into(),
            roles: "<none>".into(),
            ready: true,
            condition: None,
            failed: false,
            cordoned: false,
            taints: vec![],
            labels: vec![],
            cpu_capacity_millis: 4000,
            cpu_requested_millis: 0,
            memory_capacity_bytes: 8 << 30,
            memory_requested_bytes: 0,
            pods: pods.into_iter().map(Rc::new).collect(),
        }
    }

    fn claim(name: &str) -> ClaimView {
        ClaimView {
            namespace: "default".into(),
            name: name.into(),
            phase: ClaimPhase::Bound,
            terminating: false,
            capacity: "1Gi".into(),
            access_modes: "RWX".into(),
            storage_class: "standard".into(),
            volume: Some(format!("pvc-{name}")),
            owner: None,
            color: None,
            used_by: vec![],
            why: None,
            conflict: None,
        }
    }

    fn mount(pod: &str, claim: &str) -> MountView {
        MountView {
            pod_namespace: "default".into(),
            pod: pod.into(),
            claim: claim.into(),
            volume: "data".into(),
            read_only: false,
            state: MountState::Ok,
            why: None,
        }
    }

    fn volume(name: &str, bound: bool) -> VolumeView {
        VolumeView {
            name: name.into(),
            phase: if bound { "Bound" } else { "Available" }.into(),
            capacity: "5Gi".into(),
            access_modes: "RWO".into(),
            reclaim_policy: "Retain".into(),
            storage_class: "".into(),
            claim: None,
            bound,
            terminating: false,
        }
    }

    /// Two nodes, pods `pods` on the first, claims `c0..cN`, each pod mounting `c1`.
    fn view(pods: &[&str], claims: usize) -> ClusterView {
        let mut v = ClusterView {
            nodes: vec![
                Rc::new(node("a", pods.iter().map(|p| pod(p)).collect())),
                Rc::new(node("b", vec![])),
            ],
            ..Default::default()
        };
        v.storage.claims = (0..claims).map(|i| claim(&format!("c{i}"))).collect();
        v.storage.mounts = pods.iter().map(|p| mount(p, "c1")).collect();
        v
    }

    #[test]
    fn without_storage_the_picture_is_unchanged_and_a_claim_adds_a_band_below() {
        let plain = cluster(&view(&["p1"], 0));
        assert!(plain.storage.is_none());
        let with = cluster(&view(&["p1"], 2));
        assert_eq!(with.nodes, plain.nodes, "node boxes do not move");
        assert_eq!(with.lane, plain.lane);
        let band = with.storage.as_ref().unwrap();
        let nodes_bottom = plain
            .nodes
            .iter()
            .map(|n| n.frame.y + n.frame.h)
            .fold(0.0, f64::max);
        assert!(band.frame.y > nodes_bottom);
        assert!(with.height >= band.frame.y + band.frame.h + MARGIN - 1e-9);
        assert!(with.height > plain.height);
    }

    #[test]
    fn many_claims_wrap_into_rows_inside_the_band_without_overlapping() {
        let mut v = view(&["p1"], 11);
        v.storage.volumes = vec![volume("bound", true), volume("free", false)];
        let layout = cluster(&v);
        let band = layout.storage.unwrap();
        assert_eq!(band.claims.len(), 11);
        assert_eq!(band.volumes.len(), 1, "only the unbound volume gets a slot");
        assert_eq!(band.volumes[0].0, 1);
        let mut slots = band.claims.clone();
        slots.extend(band.volumes.iter().map(|(_, r)| *r));
        let rows: Vec<f64> = slots.iter().map(|r| r.y).collect();
        assert!(
            rows.windows(2).all(|w| w[0] <= w[1]),
            "slots fill row by row"
        );
        assert!(
            slots.iter().any(|r| r.y > slots[0].y),
            "11 claims need more than one row"
        );
        for (i, a) in slots.iter().enumerate() {
            assert!(
                band.frame.contains(a),
                "slot {i} {a:?} outside {:?}",
                band.frame
            );
            assert!(a.x + a.w <= WIDTH - MARGIN);
            for b in &slots[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(
            band.volumes[0].1, slots[11],
            "unbound volumes follow the claims"
        );
    }

    #[test]
    fn links_run_from_the_bottom_of_each_pod_down_the_gap_into_its_claim() {
        let layout = cluster(&view(&["p1", "p2"], 3));
        let band = layout.storage.unwrap();
        assert_eq!(band.links.len(), 2);
        let tiles: Vec<Rect> = layout.nodes[0]
            .groups
            .iter()
            .flat_map(|g| g.pods.iter().map(|(_, r)| *r))
            .collect();
        let target = band.claims[1];
        for (link, tile) in band.links.iter().zip(&tiles) {
            assert_eq!(link.pod, *tile);
            assert!(link.from.0 > tile.x && link.from.0 < tile.x + tile.w);
            assert_eq!(link.from.1, tile.y + tile.h);
            assert_eq!(
                link.entry.1, band.frame.y,
                "links enter at the top of the band"
            );
            assert!(
                link.entry.0 < target.x && link.entry.0 > band.claims[0].x + band.claims[0].w,
                "and drop down the gap left of their claim"
            );
            assert_eq!(link.to.0, target.x + SHAPE_X);
            assert!(
                link.to.1 > target.y + SHAPE_Y + SHAPE_RY
                    && link.to.1 < target.y + SHAPE_Y + SHAPE_H - SHAPE_RY
            );
            let path = link.path();
            assert!(path.starts_with(&format!("M{:.1} {:.1}", link.from.0, link.from.1)));
            assert!(path.ends_with(&format!("H{:.1}", link.to.0)));
        }
        assert_ne!(
            band.links[0].to, band.links[1].to,
            "two pods arrive one above the other"
        );
    }

    #[test]
    fn a_claim_keeps_its_slot_when_its_pod_is_replaced() {
        let before = cluster(&view(&["web-aaaaa"], 3)).storage.unwrap();
        let after = cluster(&view(&["web-zzzzz"], 3)).storage.unwrap();
        assert_eq!(before.claims, after.claims);
        assert_eq!(before.links[0].to, after.links[0].to);
    }

    #[test]
    fn mounts_of_missing_claims_or_pods_are_not_drawn() {
        let mut v = view(&["p1"], 1);
        v.storage.mounts.push(mount("gone", "c0"));
        let band = cluster(&v).storage.unwrap();
        assert!(band.links.is_empty(), "p1 mounts c1, which does not exist");
    }
}
