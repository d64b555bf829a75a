//! Geometry of the cluster picture: where each node box, workload group and pod tile goes.
//!
//! A pure function of the view-model, so it is tested natively; the SVG components only map
//! these rectangles to markup. Sizes are in SVG user units of a fixed-width viewBox that the
//! browser scales to the panel.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use kubeplay_core::inspect::Target;
use kubeplay_core::view::{ClusterView, NodeView, PodState, PodView};

use crate::storage_layout::{self, StorageLayout};

/// Width of the picture's viewBox.
pub const WIDTH: f64 = 960.0;
/// Outer margin around everything.
pub const MARGIN: f64 = 12.0;
/// Space between node boxes.
pub const GAP: f64 = 14.0;
/// Node boxes per row.
pub const COLUMNS: usize = 3;
/// Height of a node's header (name, status, roles, two resource bars) without chips.
pub const NODE_HEADER: f64 = 104.0;
/// Where a node's chips (taints, and labels when shown) start, below the resource bars.
pub const CHIPS_TOP: f64 = 90.0;
/// A taint or label chip, and the space between chips.
pub const CHIP_H: f64 = 16.0;
pub const CHIP_GAP: f64 = 4.0;
/// Estimated width of one chip character (10px monospace) and a chip's side padding.
pub const CHIP_CHAR: f64 = 6.1;
pub const CHIP_PAD: f64 = 8.0;
/// Room for the icon in front of a taint chip's text.
pub const TAINT_ICON: f64 = 12.0;
/// Room at a node's top right for its menu button.
pub const MENU_ROOM: f64 = 40.0;
/// Height of the "Add node" slot when it starts a row of its own.
pub const ADD_SLOT_H: f64 = 64.0;
/// Padding inside a node box around its pods.
pub const NODE_PAD: f64 = 10.0;
/// A pod tile.
pub const POD_W_MIN: f64 = 120.0;
pub const POD_H: f64 = 38.0;
/// Space between pod tiles.
pub const POD_GAP: f64 = 6.0;
/// Height of a workload group's caption.
pub const CAPTION: f64 = 18.0;
/// Height of the Pending lane's title row, and of its placeholder when empty.
pub const LANE_TITLE: f64 = 26.0;
pub const LANE_EMPTY: f64 = 22.0;
/// Height of an empty node's "no pods" line.
pub const EMPTY_NODE: f64 = 26.0;
/// Above this many pods the picture summarises: each workload's pods on a node become one bar
/// split by state with its counts, and the Pending lane one row per workload. Thousands of
/// tiles would be unreadable, and too slow to redraw while the simulation plays.
pub const TILE_LIMIT: usize = 300;
/// Once the picture draws tiles it keeps them up to this many pods, so that it does not switch
/// to bars and back while a rollout briefly surges past [`TILE_LIMIT`]: a 240-replica
/// Deployment's rolling update peaks near 360 pods with the surge and the terminating ones, and
/// each switch redraws every pod at once.
pub const TILE_KEEP: usize = TILE_LIMIT * 3 / 2;
/// A summary bar's height, and the height of a summarised group (caption and bar).
pub const SUMMARY_BAR: f64 = 12.0;
pub const SUMMARY_GROUP: f64 = CAPTION + SUMMARY_BAR + 8.0;
/// The order of states along a summary bar: settled first, trouble last.
pub const SUMMARY_ORDER: [PodState; 9] = [
    PodState::Ready,
    PodState::Running,
    PodState::Creating,
    PodState::Pending,
    PodState::Terminating,
    PodState::CrashLoop,
    PodState::ImageError,
    PodState::Failed,
    PodState::Succeeded,
];

/// An axis-aligned rectangle in viewBox units.
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether `inner` lies entirely inside `self`.
    #[cfg(test)]
    pub fn contains(&self, inner: &Rect) -> bool {
        inner.x >= self.x
            && inner.y >= self.y
            && inner.x + inner.w <= self.x + self.w
            && inner.y + inner.h <= self.y + self.h
    }

    /// Whether the two rectangles share any area.
    #[cfg(test)]
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// The whole picture.
#[derive(Clone, PartialEq, Debug)]
pub struct ClusterLayout {
    pub width: f64,
    pub height: f64,
    /// Whether pods are summarised per workload rather than drawn one by one ([`TILE_LIMIT`]).
    pub summarised: bool,
    pub lane: LaneLayout,
    /// One per `view.nodes`, same order (shared, as the node boxes take them).
    pub nodes: Vec<Rc<NodeLayout>>,
    /// The storage band under the nodes, when there is a claim or a volume.
    pub storage: Option<StorageLayout>,
    /// Where the "Add node" control goes: the grid cell after the last node.
    pub add_slot: Rect,
}

/// The Pending lane: one row per unscheduled pod, tile at the left, reason beside it; or, when
/// the picture summarises, one row per workload.
#[derive(Clone, PartialEq, Debug)]
pub struct LaneLayout {
    pub frame: Rect,
    /// One per `view.pending`, same order (none when summarised).
    pub pods: Vec<Rect>,
    /// When summarised: one per workload with pending pods.
    pub groups: Vec<LaneGroup>,
}

/// A workload's pending pods in a summarised lane.
#[derive(Clone, PartialEq, Debug)]
pub struct LaneGroup {
    pub caption: String,
    pub color: usize,
    pub count: usize,
    /// Index into `view.pending` of its first pod, whose reason the row shows.
    pub first: usize,
    pub rect: Rect,
}

/// A node box and its pods grouped by workload.
#[derive(Clone, PartialEq, Debug)]
pub struct NodeLayout {
    /// The node's name, which the next layout uses to find this one.
    pub name: String,
    pub frame: Rect,
    /// Height of the header, chips included; the pods start below it.
    pub header: f64,
    /// Taint chips, then (when shown) label chips.
    pub chips: Vec<ChipLayout>,
    pub groups: Vec<GroupLayout>,
}

/// What a chip shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChipKind {
    Taint,
    Label,
}

/// One taint or label of a node, drawn as a small rounded chip.
#[derive(Clone, PartialEq, Debug)]
pub struct ChipLayout {
    pub kind: ChipKind,
    /// The whole taint or label, for the tooltip.
    pub full: String,
    /// What fits in the chip.
    pub text: String,
    pub rect: Rect,
}

/// The pods of one workload on one node, under a caption.
#[derive(Clone, PartialEq, Debug)]
pub struct GroupLayout {
    /// Baseline position of the caption.
    pub caption_x: f64,
    pub caption_y: f64,
    pub caption: String,
    pub color: usize,
    /// Where the tiles start: the top of the first row.
    pub top: f64,
    /// (index into the node's `pods`, tile) in the node's order of pods (by name, as kubectl
    /// lists them), whatever their slots: a tile that changes slot then changes one attribute
    /// and is not moved in the document. None when summarised.
    pub pods: Vec<(usize, Rect)>,
    /// Each pod's slot (`namespace/name` → slot), which the next layout keeps where it can.
    pub slots: BTreeMap<String, usize>,
    /// When the picture summarises: the group's bar.
    pub summary: Option<SummaryLayout>,
    /// `kind/namespace/name` of the workload, for the inspector (none for standalone pods).
    pub workload: Option<String>,
}

/// A summarised group: its pods counted by state, each state a part of one bar.
#[derive(Clone, PartialEq, Debug)]
pub struct SummaryLayout {
    pub bar: Rect,
    /// The states present, in [`SUMMARY_ORDER`], with their count and their part of the bar.
    pub parts: Vec<(PodState, usize, Rect)>,
}

impl SummaryLayout {
    /// `16 ready, 2 creating`.
    pub fn counts(&self) -> String {
        self.parts
            .iter()
            .map(|(state, n, _)| format!("{n} {}", state_word(*state)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a state reads in a summary's counts.
pub fn state_word(state: PodState) -> &'static str {
    match state {
        PodState::Pending => "pending",
        PodState::Creating => "creating",
        PodState::Running => "running (not ready)",
        PodState::Ready => "ready",
        PodState::Terminating => "terminating",
        PodState::CrashLoop => "crash-looping",
        PodState::ImageError => "image errors",
        PodState::Succeeded => "completed",
        PodState::Failed => "failed",
    }
}

/// Splits `bar` among the states of `pods`, in proportion to their counts.
fn summarise(pods: &[Rc<PodView>], members: &[usize], bar: Rect) -> SummaryLayout {
    let total = members.len().max(1) as f64;
    let mut x = bar.x;
    let parts = SUMMARY_ORDER
        .iter()
        .filter_map(|&state| {
            let n = members.iter().filter(|&&i| pods[i].state == state).count();
            (n > 0).then(|| {
                let w = bar.w * n as f64 / total;
                let part = Rect { x, w, ..bar };
                x += w;
                (state, n, part)
            })
        })
        .collect();
    SummaryLayout { bar, parts }
}

/// The inspector's name for a pod's workload (`deployment/default/web`).
fn workload_target(pod: &PodView) -> Option<String> {
    pod.owner
        .as_ref()
        .map(|o| Target::new(&o.kind, Some(pod.namespace.as_str()), &o.name).to_string())
}

/// A workload's pods on one node, before placement.
#[derive(Clone, PartialEq, Debug)]
pub struct Group {
    pub caption: String,
    pub color: usize,
    pub members: Vec<usize>,
}

/// The short kind prefix kubectl uses (`deploy/nginx`).
pub fn owner_caption(pod: &PodView) -> String {
    match &pod.owner {
        Some(owner) => {
            let kind = match owner.kind.as_str() {
                "Deployment" => "deploy",
                "ReplicaSet" => "rs",
                "StatefulSet" => "sts",
                "DaemonSet" => "ds",
                "Job" => "job",
                other => other,
            };
            format!("{kind}/{}", owner.name)
        }
        None => "standalone pods".to_string(),
    }
}

/// Groups pods by owning workload: groups ordered by caption (standalone pods last), members
/// keep their order in `pods`.
pub fn group_pods(pods: &[Rc<PodView>]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (i, pod) in pods.iter().enumerate() {
        let caption = owner_caption(pod);
        match groups.iter_mut().find(|g| g.caption == caption) {
            Some(group) => group.members.push(i),
            None => groups.push(Group {
                caption,
                color: pod.color,
                members: vec![i],
            }),
        }
    }
    groups.sort_by(|a, b| {
        let standalone = |g: &Group| g.members.first().is_some_and(|&i| pods[i].owner.is_none());
        (standalone(a), &a.caption).cmp(&(standalone(b), &b.caption))
    });
    groups
}

/// Width of a node box.
pub fn node_width() -> f64 {
    (WIDTH - 2.0 * MARGIN - (COLUMNS as f64 - 1.0) * GAP) / COLUMNS as f64
}

/// Width of a pod tile: two columns inside a node box.
pub fn pod_width() -> f64 {
    ((node_width() - 2.0 * NODE_PAD - POD_GAP) / 2.0).max(POD_W_MIN)
}

fn rows(count: usize) -> usize {
    count.div_ceil(2)
}

/// `text` shortened to `max` characters; a taint keeps its `:Effect`, cutting the key instead.
pub fn chip_text(text: &str, kind: ChipKind, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    match (kind, text.rsplit_once(':')) {
        (ChipKind::Taint, Some((head, effect))) if effect.len() + 2 < max => {
            let keep = max - effect.chars().count() - 2;
            format!("{}…:{effect}", head.chars().take(keep).collect::<String>())
        }
        _ => format!(
            "{}…",
            text.chars().take(max.saturating_sub(1)).collect::<String>()
        ),
    }
}

/// A node's chips, wrapped into rows inside the box: taints always, labels when `labels`.
fn place_chips(node: &NodeView, frame: Rect, labels: bool) -> Vec<ChipLayout> {
    let inner_w = frame.w - 2.0 * NODE_PAD;
    let shown = node.taints.iter().map(|t| (ChipKind::Taint, t));
    let shown = shown.chain(
        node.labels
            .iter()
            .filter(|_| labels)
            .map(|l| (ChipKind::Label, l)),
    );
    let (mut x, mut y) = (0.0, frame.y + CHIPS_TOP);
    let mut chips = Vec::new();
    for (kind, full) in shown {
        let icon = if kind == ChipKind::Taint {
            TAINT_ICON
        } else {
            0.0
        };
        let max = ((inner_w - 2.0 * CHIP_PAD - icon) / CHIP_CHAR) as usize;
        let text = chip_text(full, kind, max);
        let w = 2.0 * CHIP_PAD + icon + text.chars().count() as f64 * CHIP_CHAR;
        if x > 0.0 && x + w > inner_w {
            x = 0.0;
            y += CHIP_H + CHIP_GAP;
        }
        chips.push(ChipLayout {
            kind,
            full: full.clone(),
            text,
            rect: Rect {
                x: frame.x + NODE_PAD + x,
                y,
                w,
                h: CHIP_H,
            },
        });
        x += w + CHIP_GAP;
    }
    chips
}

/// Header height for these chips: the fixed header, plus the chip rows below the bars.
fn header_height(frame: Rect, chips: &[ChipLayout]) -> f64 {
    match chips.last() {
        None => NODE_HEADER,
        Some(last) => last.rect.y + CHIP_H - frame.y + (NODE_HEADER - CHIPS_TOP),
    }
}

fn body_height(groups: &[Group], summarised: bool) -> f64 {
    if groups.is_empty() {
        return EMPTY_NODE + NODE_PAD;
    }
    let body: f64 = groups
        .iter()
        .map(|g| match summarised {
            true => SUMMARY_GROUP,
            false => CAPTION + rows(g.members.len()) as f64 * (POD_H + POD_GAP),
        })
        .sum();
    body + NODE_PAD
}

/// Slots for a group's pods (`keys`, in the group's order) that move as few tiles as possible
/// from the slots they had (`before`): the slots fill a group's rows, two per row, and a group
/// has as many rows as its pods need. A pod keeps its slot while that still lies within them;
/// the others (new pods, and those in rows that went away) take the lowest free slots. So when
/// pods come and go the rest stay put, and a new pod fills the gap a leaving one left. With no
/// slots before, pods take the slots in their order.
pub fn assign_slots(keys: &[String], before: Option<&BTreeMap<String, usize>>) -> Vec<usize> {
    let capacity = 2 * rows(keys.len());
    let mut taken = vec![false; capacity];
    let mut slots: Vec<Option<usize>> = keys
        .iter()
        .map(|key| {
            let slot = *before?.get(key)?;
            (slot < capacity && !taken[slot]).then(|| {
                taken[slot] = true;
                slot
            })
        })
        .collect();
    let mut free = (0..capacity).filter(|&slot| !taken[slot]);
    for slot in slots.iter_mut().filter(|s| s.is_none()) {
        *slot = free.next();
    }
    slots.into_iter().flatten().collect()
}

/// Lays out one node at the top of `frame` (its height is the row's, set later); its pods keep
/// the slots they had in `before`, the same node's previous layout.
fn place_node(
    node: &NodeView,
    frame: Rect,
    labels: bool,
    summarised: bool,
    before: Option<&NodeLayout>,
) -> NodeLayout {
    let pod_w = pod_width();
    let chips = place_chips(node, frame, labels);
    let header = header_height(frame, &chips);
    let mut y = frame.y + header;
    let mut groups = Vec::new();
    let grouped = group_pods(&node.pods);
    let body = body_height(&grouped, summarised);
    for group in grouped {
        let caption_y = y + CAPTION - 5.0;
        y += CAPTION;
        let workload = workload_target(&node.pods[group.members[0]]);
        if summarised {
            let bar = Rect {
                x: frame.x + NODE_PAD,
                y,
                w: frame.w - 2.0 * NODE_PAD,
                h: SUMMARY_BAR,
            };
            y += SUMMARY_GROUP - CAPTION;
            groups.push(GroupLayout {
                caption_x: frame.x + NODE_PAD,
                caption_y,
                top: y,
                summary: Some(summarise(&node.pods, &group.members, bar)),
                caption: group.caption,
                color: group.color,
                pods: Vec::new(),
                slots: BTreeMap::new(),
                workload,
            });
            continue;
        }
        let keys: Vec<String> = group
            .members
            .iter()
            .map(|&i| format!("{}/{}", node.pods[i].namespace, node.pods[i].name))
            .collect();
        let had = before
            .and_then(|b| b.groups.iter().find(|g| g.caption == group.caption))
            .map(|g| &g.slots);
        let assigned = assign_slots(&keys, had);
        let top = y;
        let pods = group
            .members
            .iter()
            .zip(&assigned)
            .map(|(&pod, &slot)| {
                let col = (slot % 2) as f64;
                let row = (slot / 2) as f64;
                (
                    pod,
                    Rect {
                        x: frame.x + NODE_PAD + col * (pod_w + POD_GAP),
                        y: top + row * (POD_H + POD_GAP),
                        w: pod_w,
                        h: POD_H,
                    },
                )
            })
            .collect();
        y += rows(group.members.len()) as f64 * (POD_H + POD_GAP);
        groups.push(GroupLayout {
            caption_x: frame.x + NODE_PAD,
            caption_y,
            top,
            caption: group.caption,
            color: group.color,
            pods,
            slots: keys.into_iter().zip(assigned).collect(),
            summary: None,
            workload,
        });
    }
    NodeLayout {
        name: node.name.clone(),
        frame: Rect {
            h: header + body,
            ..frame
        },
        header,
        chips,
        groups,
    }
}

/// Lays out the whole picture with every node's labels hidden, as a first drawing.
#[cfg(test)]
pub fn cluster(view: &ClusterView) -> ClusterLayout {
    cluster_with_labels(view, &BTreeSet::new(), draws_summary(view, None), None)
}

/// The pods the picture draws: pending ones and those on nodes.
pub fn pod_count(view: &ClusterView) -> usize {
    view.pending.len() + view.nodes.iter().map(|n| n.pods.len()).sum::<usize>()
}

/// Whether the picture summarises, given whether the drawing before did (`None` for a first
/// drawing): above [`TILE_LIMIT`] pods, except that a picture of tiles keeps them up to
/// [`TILE_KEEP`].
pub fn draws_summary(view: &ClusterView, before: Option<bool>) -> bool {
    let limit = match before {
        Some(false) => TILE_KEEP,
        Some(true) | None => TILE_LIMIT,
    };
    pod_count(view) > limit
}

/// Lays out the whole picture: the Pending lane on top, then node boxes in rows of
/// [`COLUMNS`], each row as tall as its tallest node, then the "Add node" slot, then the
/// storage band if there is storage. The nodes named in `labels` show their label chips; pods
/// are drawn as tiles unless `summarised` (see [`draws_summary`]), and keep the slots they had
/// in `before`, the previous drawing's layout (see [`assign_slots`]).
pub fn cluster_with_labels(
    view: &ClusterView,
    labels: &BTreeSet<String>,
    summarised: bool,
    before: Option<&ClusterLayout>,
) -> ClusterLayout {
    let inner_w = WIDTH - 2.0 * MARGIN;
    let lane_groups: Vec<Group> = if summarised {
        group_pods(&view.pending)
    } else {
        Vec::new()
    };
    let lane_rows = if summarised {
        lane_groups.len()
    } else {
        view.pending.len()
    };
    let lane_body = match lane_rows {
        0 => LANE_EMPTY,
        n => n as f64 * (POD_H + POD_GAP) - POD_GAP,
    };
    let lane_frame = Rect {
        x: MARGIN,
        y: MARGIN,
        w: inner_w,
        h: LANE_TITLE + lane_body + NODE_PAD,
    };
    let row = |i: usize| Rect {
        x: MARGIN + NODE_PAD,
        y: MARGIN + LANE_TITLE + i as f64 * (POD_H + POD_GAP),
        w: pod_width(),
        h: POD_H,
    };
    let lane_pods = match summarised {
        true => Vec::new(),
        false => (0..view.pending.len()).map(row).collect(),
    };
    let lane_groups = lane_groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| LaneGroup {
            caption: g.caption,
            color: g.color,
            count: g.members.len(),
            first: g.members[0],
            rect: row(i),
        })
        .collect();

    // The previous layout's nodes by name, found once each rather than searched for.
    let drawn: BTreeMap<&str, &NodeLayout> = before
        .iter()
        .flat_map(|b| &b.nodes)
        .map(|n| (n.name.as_str(), &**n))
        .collect();
    let node_w = node_width();
    let mut y = lane_frame.y + lane_frame.h + GAP;
    let mut nodes = Vec::with_capacity(view.nodes.len());
    let mut last_row_h = ADD_SLOT_H;
    for row in view.nodes.chunks(COLUMNS) {
        let mut placed: Vec<NodeLayout> = row
            .iter()
            .enumerate()
            .map(|(col, node)| {
                let frame = Rect {
                    x: MARGIN + col as f64 * (node_w + GAP),
                    y,
                    w: node_w,
                    h: 0.0,
                };
                place_node(
                    node,
                    frame,
                    labels.contains(&node.name),
                    summarised,
                    drawn.get(node.name.as_str()).copied(),
                )
            })
            .collect();
        let row_h = placed.iter().map(|p| p.frame.h).fold(0.0, f64::max);
        for p in &mut placed {
            p.frame.h = row_h;
        }
        nodes.extend(placed.into_iter().map(Rc::new));
        last_row_h = row_h;
        y += row_h + GAP;
    }
    // The slot after the last node: beside it in a row with room, else a short row of its own.
    let col = view.nodes.len() % COLUMNS;
    let add_slot = if col == 0 {
        let slot = Rect {
            x: MARGIN,
            y,
            w: node_w,
            h: ADD_SLOT_H,
        };
        y += ADD_SLOT_H + GAP;
        slot
    } else {
        Rect {
            x: MARGIN + col as f64 * (node_w + GAP),
            y: y - GAP - last_row_h,
            w: node_w,
            h: last_row_h,
        }
    };
    let mut bottom = y - GAP;
    let lane = LaneLayout {
        frame: lane_frame,
        pods: lane_pods,
        groups: lane_groups,
    };
    let storage =
        storage_layout::band(&view.storage, MARGIN, bottom + GAP, inner_w).map(|mut band| {
            band.links =
                storage_layout::links(&view.storage, &band, &pod_tiles(view, &lane, &nodes));
            bottom = band.frame.y + band.frame.h;
            band
        });
    ClusterLayout {
        width: WIDTH,
        height: bottom + MARGIN,
        summarised,
        lane,
        nodes,
        storage,
        add_slot,
    }
}

/// Every pod's tile by (namespace, name): in its node box, or in the Pending lane.
fn pod_tiles(
    view: &ClusterView,
    lane: &LaneLayout,
    nodes: &[Rc<NodeLayout>],
) -> BTreeMap<(String, String), Rect> {
    let key = |p: &Rc<PodView>| (p.namespace.clone(), p.name.clone());
    let mut tiles: BTreeMap<(String, String), Rect> = view
        .pending
        .iter()
        .map(key)
        .zip(lane.pods.iter().copied())
        .collect();
    for (node, placed) in view.nodes.iter().zip(nodes) {
        for (i, rect) in placed.groups.iter().flat_map(|g| &g.pods) {
            if let Some(pod) = node.pods.get(*i) {
                tiles.insert(key(pod), *rect);
            }
        }
    }
    tiles
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::view::{OwnerView, PodState};

    fn pod(name: &str, owner: Option<(&str, &str)>, color: usize) -> PodView {
        PodView {
            namespace: "default".into(),
            name: name.into(),
            label: name.into(),
            status: "Running".into(),
            state: PodState::Ready,
            ready: true,
            restarts: 0,
            owner: owner.map(|(kind, name)| OwnerView {
                kind: kind.into(),
                name: name.into(),
            }),
            color,
            why: None,
            node: None,
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

    fn view(nodes: Vec<NodeView>, pending: Vec<PodView>) -> ClusterView {
        ClusterView {
            time: "0:00:00".into(),
            nodes: nodes.into_iter().map(Rc::new).collect(),
            pending: pending.into_iter().map(Rc::new).collect(),
            ..Default::default()
        }
    }

    fn web(n: usize) -> Vec<PodView> {
        (0..n)
            .map(|i| pod(&format!("web-{i}"), Some(("Deployment", "web")), 0))
            .collect()
    }

    #[test]
    fn pods_are_grouped_by_owner_with_standalone_pods_last() {
        let pods = vec![
            pod("solo", None, 7),
            pod("web-a", Some(("Deployment", "web")), 0),
            pod("db-0", Some(("StatefulSet", "db")), 1),
            pod("web-b", Some(("Deployment", "web")), 0),
        ];
        let groups = group_pods(&pods.into_iter().map(Rc::new).collect::<Vec<_>>());
        let captions: Vec<_> = groups.iter().map(|g| g.caption.as_str()).collect();
        assert_eq!(captions, ["deploy/web", "sts/db", "standalone pods"]);
        assert_eq!(groups[0].members, [1, 3]);
        assert_eq!(groups[0].color, 0);
    }

    #[test]
    fn every_pod_tile_lies_inside_its_node_and_tiles_never_overlap() {
        let mut mixed = web(5);
        mixed.extend((0..3).map(|i| pod(&format!("db-{i}"), Some(("StatefulSet", "db")), 1)));
        let v = view(
            vec![
                node("a", mixed),
                node("b", web(1)),
                node("c", vec![]),
                node("d", web(7)),
            ],
            vec![],
        );
        let layout = cluster(&v);
        assert_eq!(layout.nodes.len(), 4);
        for (n, node) in layout.nodes.iter().enumerate() {
            let tiles: Vec<Rect> = node
                .groups
                .iter()
                .flat_map(|g| g.pods.iter().map(|(_, r)| *r))
                .collect();
            assert_eq!(
                tiles.len(),
                v.nodes[n].pods.len(),
                "node {n} draws every pod once"
            );
            for (i, a) in tiles.iter().enumerate() {
                assert!(
                    node.frame.contains(a),
                    "node {n} tile {i} {a:?} outside {:?}",
                    node.frame
                );
                for b in &tiles[i + 1..] {
                    assert!(!a.overlaps(b), "node {n}: {a:?} overlaps {b:?}");
                }
            }
        }
    }

    #[test]
    fn node_boxes_do_not_overlap_and_wrap_after_three_columns() {
        let v = view(
            (0..5).map(|i| node(&format!("n{i}"), web(i))).collect(),
            vec![],
        );
        let layout = cluster(&v);
        for (i, a) in layout.nodes.iter().enumerate() {
            assert!(a.frame.x + a.frame.w <= WIDTH - MARGIN + 1e-9);
            assert!(a.frame.y + a.frame.h <= layout.height);
            assert!(!a.frame.overlaps(&layout.lane.frame));
            for b in &layout.nodes[i + 1..] {
                assert!(
                    !a.frame.overlaps(&b.frame),
                    "{:?} overlaps {:?}",
                    a.frame,
                    b.frame
                );
            }
        }
        assert_eq!(
            layout.nodes[0].frame.y, layout.nodes[2].frame.y,
            "first row shares a top"
        );
        assert!(
            layout.nodes[3].frame.y > layout.nodes[0].frame.y + layout.nodes[0].frame.h,
            "fourth node starts a new row"
        );
    }

    #[test]
    fn a_row_is_as_tall_as_its_fullest_node() {
        let layout = cluster(&view(vec![node("a", web(1)), node("b", web(6))], vec![]));
        assert_eq!(layout.nodes[0].frame.h, layout.nodes[1].frame.h);
        let small = cluster(&view(vec![node("a", web(1)), node("b", web(1))], vec![]));
        assert!(small.nodes[0].frame.h < layout.nodes[0].frame.h);
    }

    #[test]
    fn pending_pods_get_one_row_each_inside_the_lane_and_push_the_nodes_down() {
        let empty = cluster(&view(vec![node("a", vec![])], vec![]));
        let busy = cluster(&view(vec![node("a", vec![])], web(3)));
        assert_eq!(busy.lane.pods.len(), 3);
        for (i, tile) in busy.lane.pods.iter().enumerate() {
            assert!(
                busy.lane.frame.contains(tile),
                "pending tile {i} {tile:?} outside {:?}",
                busy.lane.frame
            );
        }
        assert!(busy.lane.pods[0].y + POD_H <= busy.lane.pods[1].y);
        assert!(busy.nodes[0].frame.y > empty.nodes[0].frame.y);
        assert!(busy.height > empty.height);
    }

    #[test]
    fn taint_chips_wrap_inside_the_header_and_push_the_pods_down() {
        let mut tainted = node("a", web(2));
        tainted.taints = (0..6)
            .map(|i| format!("dedicated-{i}=team:NoSchedule"))
            .collect();
        tainted.labels = vec!["disk=ssd".into(), "zone=a".into()];
        let v = view(vec![tainted, node("b", web(2))], vec![]);
        let hidden = cluster(&v);
        let a = &hidden.nodes[0];
        assert_eq!(a.chips.len(), 6, "labels stay hidden");
        assert!(a.chips.iter().all(|c| c.kind == ChipKind::Taint));
        assert!(
            a.chips
                .iter()
                .map(|c| c.rect.y)
                .any(|y| y > a.chips[0].rect.y),
            "chips wrap"
        );
        for (i, c) in a.chips.iter().enumerate() {
            assert!(a.frame.contains(&c.rect), "chip {i} {:?} outside", c.rect);
            assert!(c.rect.y + c.rect.h <= a.frame.y + a.header);
            for d in &a.chips[i + 1..] {
                assert!(
                    !c.rect.overlaps(&d.rect),
                    "{:?} overlaps {:?}",
                    c.rect,
                    d.rect
                );
            }
        }
        let first_pod = a.groups[0].pods[0].1;
        assert!(first_pod.y >= a.frame.y + a.header);
        assert_eq!(
            hidden.nodes[1].header, NODE_HEADER,
            "a node without chips keeps its header"
        );

        let shown = cluster_with_labels(&v, &BTreeSet::from(["a".to_string()]), false, None);
        let a2 = &shown.nodes[0];
        let labels: Vec<_> = a2
            .chips
            .iter()
            .filter(|c| c.kind == ChipKind::Label)
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(labels, ["disk=ssd", "zone=a"]);
        assert_eq!(a2.chips.len(), 8);
        assert!(a2.header >= a.header);
        assert!(shown.height >= hidden.height);
    }

    #[test]
    fn a_long_taint_keeps_its_effect_when_shortened() {
        let t = "node-role.kubernetes.io/control-plane-with-a-much-longer-name:NoSchedule";
        let short = chip_text(t, ChipKind::Taint, 30);
        assert_eq!(short.chars().count(), 30);
        assert!(short.ends_with("…:NoSchedule"), "{short}");
        assert_eq!(chip_text("a=b", ChipKind::Label, 30), "a=b");
        assert_eq!(chip_text("abcdefgh", ChipKind::Label, 5), "abcd…");
    }

    #[test]
    fn the_add_node_slot_takes_the_cell_after_the_last_node() {
        let two = cluster(&view(vec![node("a", web(1)), node("b", web(4))], vec![]));
        let slot = two.add_slot;
        assert_eq!(slot.y, two.nodes[1].frame.y);
        assert_eq!(slot.h, two.nodes[1].frame.h);
        assert!(slot.x > two.nodes[1].frame.x + two.nodes[1].frame.w);
        assert!(slot.x + slot.w <= WIDTH - MARGIN + 1e-9);

        let three = cluster(&view(
            (0..3).map(|i| node(&format!("n{i}"), web(1))).collect(),
            vec![],
        ));
        let slot = three.add_slot;
        assert_eq!(slot.x, MARGIN);
        assert!(slot.y > three.nodes[0].frame.y + three.nodes[0].frame.h);
        assert!(slot.y + slot.h <= three.height);
        for node in &three.nodes {
            assert!(!node.frame.overlaps(&slot));
        }
    }

    #[test]
    fn layout_is_deterministic() {
        let v = view(vec![node("a", web(4)), node("b", web(2))], web(2));
        assert_eq!(cluster(&v), cluster(&v));
    }

    #[test]
    fn many_pods_are_summarised_per_workload_and_state() {
        let with_state = |mut p: PodView, state| {
            p.state = state;
            p
        };
        // 200 web pods on each of two nodes, the last 30 of a node still creating; a few pods of
        // another workload; and many pending pods of two workloads.
        let mut a = web(200);
        for p in &mut a[170..] {
            p.state = PodState::Creating;
        }
        a.push(pod("db-0", Some(("StatefulSet", "db")), 1));
        let b = web(200);
        let mut pending: Vec<PodView> = (0..40)
            .map(|i| {
                with_state(
                    pod(&format!("big-{i}"), Some(("Deployment", "big")), 2),
                    PodState::Pending,
                )
            })
            .collect();
        pending.push(with_state(pod("solo", None, 3), PodState::Pending));
        let v = view(vec![node("a", a), node("b", b)], pending);
        let layout = cluster(&v);
        assert!(layout.summarised);
        // The lane: one row per workload, standalone pods last.
        let lane: Vec<(&str, usize)> = layout
            .lane
            .groups
            .iter()
            .map(|g| (g.caption.as_str(), g.count))
            .collect();
        assert_eq!(lane, [("deploy/big", 40), ("standalone pods", 1)]);
        assert!(layout.lane.pods.is_empty());
        assert!(layout.lane.frame.contains(&layout.lane.groups[1].rect));
        // Node a: web's bar is split 170 ready / 30 creating; db has a bar of its own.
        let groups = &layout.nodes[0].groups;
        assert_eq!(groups.len(), 2);
        let web_bar = groups[0].summary.as_ref().expect("summarised");
        let parts: Vec<(PodState, usize)> =
            web_bar.parts.iter().map(|(s, n, _)| (*s, *n)).collect();
        assert_eq!(parts, [(PodState::Ready, 170), (PodState::Creating, 30)]);
        assert_eq!(web_bar.counts(), "170 ready, 30 creating");
        let width: f64 = web_bar.parts.iter().map(|(_, _, r)| r.w).sum();
        assert!(
            (width - web_bar.bar.w).abs() < 1e-9,
            "the parts fill the bar"
        );
        assert!(web_bar.parts[1].2.x > web_bar.parts[0].2.x);
        assert!(groups.iter().all(|g| g.pods.is_empty()));
        assert_eq!(
            groups[0].workload.as_deref(),
            Some("deployment/default/web")
        );
        assert_eq!(
            groups[1].workload.as_deref(),
            Some("statefulset/default/db")
        );
        // Boxes no longer grow with their pods: two bars are as tall as one tile row.
        assert!(layout.nodes[0].frame.h < NODE_HEADER + 3.0 * SUMMARY_GROUP);
        for g in groups {
            assert!(layout.nodes[0]
                .frame
                .contains(&g.summary.as_ref().unwrap().bar));
        }
        // At or below the limit every pod keeps its tile.
        let small = cluster(&view(vec![node("a", web(TILE_LIMIT))], vec![]));
        assert!(!small.summarised);
        assert!(small.nodes[0].groups.iter().all(|g| g.summary.is_none()));
    }

    #[test]
    fn pods_keep_their_slots_and_new_ones_fill_the_gaps() {
        let keys = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let map = |pairs: &[(&str, usize)]| {
            pairs
                .iter()
                .map(|(k, s)| (k.to_string(), *s))
                .collect::<BTreeMap<_, _>>()
        };
        // A first drawing: slots in order.
        assert_eq!(assign_slots(&keys(&["a", "b", "c"]), None), [0, 1, 2]);
        // b left and d came: d takes b's slot, a and c stay.
        let before = map(&[("a", 0), ("b", 1), ("c", 2)]);
        assert_eq!(
            assign_slots(&keys(&["a", "c", "d"]), Some(&before)),
            [0, 2, 1]
        );
        // a left: two pods need one row, so c (in the second row) moves to the free slot 0.
        assert_eq!(assign_slots(&keys(&["b", "c"]), Some(&before)), [1, 0]);
        // One pod of three left and one of the two remaining has its slot in the first row:
        // an odd count keeps one free slot, wherever it is.
        let five = map(&[("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4)]);
        assert_eq!(
            assign_slots(&keys(&["a", "c", "d", "e"]), Some(&five)),
            [0, 2, 3, 1],
            "e moves up from the third row into b's slot"
        );
        assert_eq!(
            assign_slots(&keys(&["b", "c", "e"]), Some(&five)),
            [1, 2, 0]
        );
        // Every slot is used once and the group needs no more rows than its pods.
        for n in 0..7 {
            let names: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
            let mut got = assign_slots(&names, Some(&five));
            got.sort();
            got.dedup();
            assert_eq!(got.len(), n);
            assert!(got.iter().all(|&s| s < 2 * rows(n)));
        }
    }

    #[test]
    fn a_pod_that_leaves_moves_no_other_tile_and_its_successor_takes_its_place() {
        let names = ["web-d", "web-a", "web-c", "web-b", "web-e"];
        let pods = |names: &[&str]| {
            names
                .iter()
                .map(|n| pod(n, Some(("Deployment", "web")), 0))
                .collect::<Vec<_>>()
        };
        let first = cluster(&view(vec![node("a", pods(&names))], vec![]));
        let tiles = |layout: &ClusterLayout, v: &ClusterView| -> BTreeMap<String, Rect> {
            layout.nodes[0].groups[0]
                .pods
                .iter()
                .map(|(i, r)| (v.nodes[0].pods[*i].name.clone(), *r))
                .collect()
        };
        let v1 = view(vec![node("a", pods(&names))], vec![]);
        let before = tiles(&first, &v1);
        // web-c leaves and web-f (which sorts last) arrives, as in a rolling update.
        let v2 = view(
            vec![node(
                "a",
                pods(&["web-d", "web-a", "web-b", "web-e", "web-f"]),
            )],
            vec![],
        );
        let second = cluster_with_labels(&v2, &BTreeSet::new(), false, Some(&first));
        let after = tiles(&second, &v2);
        for name in ["web-a", "web-b", "web-d", "web-e"] {
            assert_eq!(before[name], after[name], "{name} stayed put");
        }
        assert_eq!(after["web-f"], before["web-c"]);
        // Listed in the node's order whatever the slots, so no tile moves in the document.
        let order: Vec<usize> = second.nodes[0].groups[0]
            .pods
            .iter()
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(order, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn tiles_are_kept_past_the_limit_until_the_keep_limit() {
        let with = |pods: usize| view(vec![node("a", web(pods))], vec![]);
        let limit = with(TILE_LIMIT);
        let past = with(TILE_LIMIT + 1);
        let kept = with(TILE_KEEP);
        let beyond = with(TILE_KEEP + 1);
        // A first drawing, and one after bars, summarise past TILE_LIMIT.
        for before in [None, Some(true)] {
            assert!(!draws_summary(&limit, before));
            assert!(draws_summary(&past, before));
            assert!(draws_summary(&beyond, before));
        }
        // After tiles, only past TILE_KEEP.
        assert!(!draws_summary(&past, Some(false)));
        assert!(!draws_summary(&kept, Some(false)));
        assert!(draws_summary(&beyond, Some(false)));
        // Pending pods count as well.
        let lane = view(vec![node("a", web(TILE_LIMIT))], web(1));
        assert!(draws_summary(&lane, None));
    }
}
