//! One node: name, Ready/NotReady badge, SchedulingDisabled badge when cordoned, roles, CPU and
//! memory requested against capacity, taint chips (and label chips on demand), and its pods
//! grouped by workload. A NotReady node is greyed and hatched with its pods dimmed; a cordoned
//! one has a dashed amber outline. Each state has its own badge text and mark, not just colour.

use std::rc::Rc;

use kubeplay_core::view::NodeView;
use yew::prelude::*;

use super::pod_glyph::n;
use super::pod_tile::PodTile;
use crate::format::{cpu, ellipsize, fraction, memory};
use crate::layout::{
    ChipKind, ChipLayout, NodeLayout, Rect, SummaryLayout, EMPTY_NODE, MENU_ROOM, NODE_PAD,
};
use crate::pod_style::{state_name, stroke, tint};
use kubeplay_core::view::PodState;

#[derive(Properties, PartialEq)]
pub struct NodeBoxProps {
    pub node: Rc<NodeView>,
    pub layout: Rc<NodeLayout>,
}

/// Width of a badge with this text (11px bold) and its mark.
fn badge_width(text: &str) -> f64 {
    30.0 + 7.0 * text.chars().count() as f64
}

#[component]
pub fn NodeBox(props: &NodeBoxProps) -> Html {
    let node = &props.node;
    // Everything inside is drawn relative to the box's corner and the box is moved into place,
    // so when a box above grows and this one moves, one attribute changes, not every tile's.
    let at = props.layout.frame;
    let f = Rect {
        x: 0.0,
        y: 0.0,
        ..at
    };
    let local = |r: Rect| Rect {
        x: r.x - at.x,
        y: r.y - at.y,
        ..r
    };
    let header = props.layout.header;
    let (condition, badge) = if node.ready {
        ("ready", "Ready")
    } else {
        ("notready", "NotReady")
    };
    let roles = if node.roles.is_empty() || node.roles == "<none>" {
        "worker".to_string()
    } else {
        node.roles.clone()
    };
    let mut facts = vec![roles];
    if let Some(c) = node.condition.as_ref().filter(|_| !node.ready) {
        facts.push(if c.message.is_empty() {
            c.reason.clone()
        } else {
            c.message.clone()
        });
    }
    match node.labels.len() {
        0 => {}
        1 => facts.push("1 label".to_string()),
        k => facts.push(format!("{k} labels")),
    }
    let badge_w = badge_width(badge);
    let badge_x = f.x + f.w - NODE_PAD - MENU_ROOM - badge_w;
    let name_chars = ((badge_x - f.x - NODE_PAD - 6.0) / 8.6) as usize;
    let cordon_w = badge_width("SchedulingDisabled");
    let cordon_x = f.x + f.w - NODE_PAD - MENU_ROOM - cordon_w;
    let facts_room = if node.cordoned {
        cordon_x - 6.0
    } else {
        f.x + f.w - NODE_PAD - MENU_ROOM
    };
    let facts_chars = ((facts_room - f.x - NODE_PAD) / 6.4) as usize;
    let inner_w = f.w - 2.0 * NODE_PAD;
    html! {
        <g class={classes!("node", format!("node--{condition}"), node.cordoned.then_some("node--cordoned"))}
            data-node={node.name.clone()} data-status={node.status.clone()}
            data-ready={node.ready.to_string()} data-cordoned={node.cordoned.to_string()}
            data-inspect={format!("node/{}", node.name)} tabindex="0"
            transform={format!("translate({} {})", n(at.x), n(at.y))}
            role="group" aria-label={format!("{}. Enter inspects the node.", node.summary())}>
            <title>{ node.summary() }</title>
            <rect class="node-frame" x={n(f.x)} y={n(f.y)} width={n(f.w)} height={n(f.h)} rx="10" />
            if !node.ready {
                <rect x={n(f.x)} y={n(f.y)} width={n(f.w)} height={n(f.h)} rx="10" fill="url(#hatch-down)" class="node-hatch" />
            }
            <text class="node-name" x={n(f.x + NODE_PAD)} y={n(f.y + 22.0)}>{ ellipsize(&node.name, name_chars) }</text>
            <g class="node-badge" data-badge={badge}>
                <rect x={n(badge_x)} y={n(f.y + 9.0)} width={n(badge_w)} height="18" rx="9" />
                <NodeMark mark={condition} cx={badge_x + 11.0} cy={f.y + 18.0} />
                <text x={n(badge_x + badge_w - 9.0)} y={n(f.y + 22.0)} text-anchor="end">{ badge }</text>
            </g>
            if node.cordoned {
                <g class="node-badge node-badge--cordoned" data-badge="SchedulingDisabled">
                    <rect x={n(cordon_x)} y={n(f.y + 29.0)} width={n(cordon_w)} height="16" rx="8" />
                    <NodeMark mark="cordoned" cx={cordon_x + 11.0} cy={f.y + 37.0} />
                    <text x={n(cordon_x + cordon_w - 9.0)} y={n(f.y + 41.0)} text-anchor="end">{ "SchedulingDisabled" }</text>
                </g>
            }
            <text class="node-roles" x={n(f.x + NODE_PAD)} y={n(f.y + 40.0)}>{ ellipsize(&facts.join(" · "), facts_chars) }</text>
            <UsageBar label="CPU" y={f.y + 52.0} x={f.x + NODE_PAD} w={inner_w}
                used={node.cpu_requested_millis} capacity={node.cpu_capacity_millis}
                text={format!("{} / {}", cpu(node.cpu_requested_millis), cpu(node.cpu_capacity_millis))} />
            <UsageBar label="Memory" y={f.y + 74.0} x={f.x + NODE_PAD} w={inner_w}
                used={node.memory_requested_bytes} capacity={node.memory_capacity_bytes}
                text={format!("{} / {}", memory(node.memory_requested_bytes), memory(node.memory_capacity_bytes))} />
            { for props.layout.chips.iter().map(|chip| html! {
                <Chip chip={ChipLayout { rect: local(chip.rect), ..chip.clone() }} />
            }) }
            <line class="node-rule" x1={n(f.x + NODE_PAD)} x2={n(f.x + f.w - NODE_PAD)} y1={n(f.y + header - 6.0)} y2={n(f.y + header - 6.0)} />
            if node.pods.is_empty() {
                <text class="node-empty" x={n(f.x + NODE_PAD)} y={n(f.y + header + EMPTY_NODE - 10.0)}>{ "No pods" }</text>
            }
            { for props.layout.groups.iter().map(|group| match &group.summary {
                Some(summary) => html! {
                    <GroupSummary caption={group.caption.clone()} color={group.color}
                        workload={group.workload.clone()}
                        at={(group.caption_x - at.x, group.caption_y - at.y)}
                        summary={SummaryLayout {
                            bar: local(summary.bar),
                            parts: summary.parts.iter().map(|&(state, count, r)| (state, count, local(r))).collect(),
                        }}
                        node={node.name.clone()} />
                },
                None => {
                    // Tiles are placed relative to the group's first row, which moves as one.
                    let (gx, gy) = (at.x + NODE_PAD, group.top);
                    html! {
                        <g class="workload-group" data-workload={group.caption.clone()}>
                            <text class="group-caption" x={n(group.caption_x - at.x)} y={n(group.caption_y - at.y)} fill={stroke(group.color)}>
                                { format!("{} · {}", group.caption, group.pods.len()) }
                            </text>
                            // The keyed tiles get a parent of their own: Yew diffs children by key
                            // only when all of them are keyed, and beside the caption it patched
                            // tiles by position, recreating every tile after one that left.
                            <g class="group-pods" transform={format!("translate({} {})", n(NODE_PAD), n(gy - at.y))}>
                                { for group.pods.iter().filter_map(|(i, r)| node.pods.get(*i).map(|pod| html! {
                                    <PodTile key={pod.name.clone()} pod={pod.clone()}
                                        rect={Rect { x: r.x - gx, y: r.y - gy, ..*r }} />
                                })) }
                            </g>
                        </g>
                    }
                },
            }) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct ChipProps {
    chip: ChipLayout,
}

/// A taint (amber, with a "keep out" bar) or a label (grey) of the node.
#[component]
fn Chip(props: &ChipProps) -> Html {
    let ChipLayout {
        kind,
        full,
        text,
        rect: r,
    } = &props.chip;
    let (class, text_x) = match kind {
        ChipKind::Taint => ("chip chip--taint", r.x + 8.0 + crate::layout::TAINT_ICON),
        ChipKind::Label => ("chip chip--label", r.x + 8.0),
    };
    let what = if *kind == ChipKind::Taint {
        "taint"
    } else {
        "label"
    };
    html! {
        <g class={class} data-taint={(*kind == ChipKind::Taint).then(|| full.clone())}
            data-label={(*kind == ChipKind::Label).then(|| full.clone())}>
            <title>{ format!("{what} {full}") }</title>
            <rect x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} rx="4" />
            if *kind == ChipKind::Taint {
                <g class="chip-icon" aria-hidden="true">
                    <circle cx={n(r.x + 11.0)} cy={n(r.y + r.h / 2.0)} r="4.5" />
                    <path d={format!("M{} {}h5", n(r.x + 8.5), n(r.y + r.h / 2.0))} />
                </g>
            }
            <text x={n(text_x)} y={n(r.y + r.h - 4.5)}>{ text.clone() }</text>
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct NodeMarkProps {
    mark: &'static str,
    cx: f64,
    cy: f64,
}

/// The badge's shape: a check when ready, a cross when not, a no-entry sign when cordoned.
#[component]
fn NodeMark(props: &NodeMarkProps) -> Html {
    let (cx, cy) = (props.cx, props.cy);
    let path = match props.mark {
        "notready" => format!("M{} {}l6 6m0 -6l-6 6", n(cx - 3.0), n(cy - 3.0)),
        "cordoned" => format!("M{} {}l7 -7", n(cx - 3.5), n(cy + 3.5)),
        _ => format!("M{} {}l2.3 2.3 4.2-4.6", n(cx - 3.4), n(cy + 0.2)),
    };
    html! {
        <g class="node-mark" aria-hidden="true">
            if props.mark == "cordoned" {
                <circle cx={n(cx)} cy={n(cy)} r="5" />
            }
            <path d={path} />
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct UsageBarProps {
    label: &'static str,
    x: f64,
    y: f64,
    w: f64,
    used: i64,
    capacity: i64,
    text: String,
}

/// "CPU [████░░░░] 650m / 4": requests against allocatable capacity; red past 90 %.
#[component]
fn UsageBar(props: &UsageBarProps) -> Html {
    let label_w = 52.0;
    let text_w = 96.0;
    let bar = Rect {
        x: props.x + label_w,
        y: props.y,
        w: props.w - label_w - text_w,
        h: 8.0,
    };
    let share = fraction(props.used, props.capacity);
    let level = if share > 0.9 {
        "is-high"
    } else if share > 0.7 {
        "is-mid"
    } else {
        "is-low"
    };
    html! {
        <g class="usage" data-usage={props.label}>
            <text class="usage-label" x={n(props.x)} y={n(props.y + 8.0)}>{ props.label }</text>
            <rect class="usage-track" x={n(bar.x)} y={n(bar.y)} width={n(bar.w)} height={n(bar.h)} rx="4" />
            <rect class={classes!("usage-fill", level)} x={n(bar.x)} y={n(bar.y)} width={n(bar.w * share)} height={n(bar.h)} rx="4" />
            <text class="usage-text" x={n(props.x + props.w)} y={n(props.y + 8.0)} text-anchor="end">{ props.text.clone() }</text>
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct GroupSummaryProps {
    caption: String,
    color: usize,
    workload: Option<String>,
    /// The caption's baseline position.
    at: (f64, f64),
    summary: SummaryLayout,
    node: AttrValue,
}

/// A workload's pods on the node when the picture summarises: the caption with the count, and
/// one bar split by state. Each part carries its state's class (the same fills and patterns as
/// the tiles), and the counts are written out, so the bar reads without colour.
#[component]
fn GroupSummary(props: &GroupSummaryProps) -> Html {
    let summary = &props.summary;
    let total: usize = summary.parts.iter().map(|(_, n, _)| n).sum();
    let counts = summary.counts();
    let label = format!(
        "{} on {}: {total} pods, {counts}",
        props.caption, props.node
    );
    let b = summary.bar;
    let chars = (b.w / 6.4) as usize;
    html! {
        <g class="workload-group workload-summary" data-workload={props.caption.clone()}
            data-count={total.to_string()} data-inspect={props.workload.clone()}
            tabindex={props.workload.is_some().then_some("0")} role="img" aria-label={label.clone()}>
            <title>{ label }</title>
            <text class="group-caption" x={n(props.at.0)} y={n(props.at.1)} fill={stroke(props.color)}>
                { ellipsize(&format!("{} · {total} · {counts}", props.caption), chars) }
            </text>
            <rect class="summary-track" x={n(b.x)} y={n(b.y)} width={n(b.w)} height={n(b.h)} rx="3" />
            { for summary.parts.iter().map(|(state, count, r)| html! {
                <rect class={classes!("summary-part", format!("pod--{}", state_name(*state)))}
                    data-state={state_name(*state)} data-count={count.to_string()}
                    x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)}
                    fill={match state { PodState::Ready => stroke(props.color), PodState::Running => tint(props.color), _ => "#ffffff" }}
                    stroke={stroke(props.color)} />
            }) }
        </g>
    }
}
