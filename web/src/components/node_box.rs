//! One node: name, status badge, roles and taints, CPU and memory requested vs capacity, and
//! its pods grouped by workload. A NotReady node is hatched red; a cordoned one is dashed amber.

use kubeplay_core::view::NodeView;
use yew::prelude::*;

use super::pod_glyph::n;
use super::pod_tile::PodTile;
use crate::format::{cpu, ellipsize, fraction, memory};
use crate::layout::{NodeLayout, Rect, EMPTY_NODE, NODE_HEADER, NODE_PAD};
use crate::pod_style::stroke;

#[derive(Properties, PartialEq)]
pub struct NodeBoxProps {
    pub node: NodeView,
    pub layout: NodeLayout,
}

#[component]
pub fn NodeBox(props: &NodeBoxProps) -> Html {
    let node = &props.node;
    let f = props.layout.frame;
    let condition = if !node.ready {
        "notready"
    } else if node.cordoned {
        "cordoned"
    } else {
        "ready"
    };
    let badge = match condition {
        "notready" => "NotReady",
        "cordoned" => "Cordoned",
        _ => "Ready",
    };
    let roles = if node.roles.is_empty() || node.roles == "<none>" {
        "worker".to_string()
    } else {
        node.roles.clone()
    };
    let mut facts = vec![roles];
    if !node.ready && node.cordoned {
        facts.push("cordoned".to_string());
    }
    match node.taints.as_slice() {
        [] => {}
        [taint] => facts.push(format!(
            "taint {}",
            taint.rsplit(':').next().unwrap_or_default()
        )),
        taints => facts.push(format!("{} taints", taints.len())),
    }
    let badge_w = 30.0 + 7.0 * badge.chars().count() as f64;
    let badge_x = f.x + f.w - NODE_PAD - badge_w;
    let name_chars = ((badge_x - f.x - NODE_PAD - 6.0) / 8.6) as usize;
    let inner_w = f.w - 2.0 * NODE_PAD;
    html! {
        <g class={classes!("node", format!("node--{condition}"))} data-node={node.name.clone()} data-status={node.status.clone()}>
            <title>{ format!("{}\n{}\n{}", node.name, node.status, node.taints.join("\n")) }</title>
            <rect class="node-frame" x={n(f.x)} y={n(f.y)} width={n(f.w)} height={n(f.h)} rx="10" />
            if !node.ready {
                <rect x={n(f.x)} y={n(f.y)} width={n(f.w)} height={n(f.h)} rx="10" fill="url(#hatch-down)" class="node-hatch" />
            }
            <text class="node-name" x={n(f.x + NODE_PAD)} y={n(f.y + 22.0)}>{ ellipsize(&node.name, name_chars) }</text>
            <g class="node-badge">
                <rect x={n(badge_x)} y={n(f.y + 9.0)} width={n(badge_w)} height="18" rx="9" />
                <NodeMark condition={condition} cx={badge_x + 11.0} cy={f.y + 18.0} />
                <text x={n(badge_x + badge_w - 9.0)} y={n(f.y + 22.0)} text-anchor="end">{ badge }</text>
            </g>
            <text class="node-roles" x={n(f.x + NODE_PAD)} y={n(f.y + 40.0)}>{ ellipsize(&facts.join(" · "), 44) }</text>
            <UsageBar label="CPU" y={f.y + 52.0} x={f.x + NODE_PAD} w={inner_w}
                used={node.cpu_requested_millis} capacity={node.cpu_capacity_millis}
                text={format!("{} / {}", cpu(node.cpu_requested_millis), cpu(node.cpu_capacity_millis))} />
            <UsageBar label="Memory" y={f.y + 74.0} x={f.x + NODE_PAD} w={inner_w}
                used={node.memory_requested_bytes} capacity={node.memory_capacity_bytes}
                text={format!("{} / {}", memory(node.memory_requested_bytes), memory(node.memory_capacity_bytes))} />
            <line class="node-rule" x1={n(f.x + NODE_PAD)} x2={n(f.x + f.w - NODE_PAD)} y1={n(f.y + NODE_HEADER - 6.0)} y2={n(f.y + NODE_HEADER - 6.0)} />
            if node.pods.is_empty() {
                <text class="node-empty" x={n(f.x + NODE_PAD)} y={n(f.y + NODE_HEADER + EMPTY_NODE - 10.0)}>{ "No pods" }</text>
            }
            { for props.layout.groups.iter().map(|group| html! {
                <g class="workload-group" data-workload={group.caption.clone()}>
                    <text class="group-caption" x={n(group.caption_x)} y={n(group.caption_y)} fill={stroke(group.color)}>
                        { format!("{} · {}", group.caption, group.pods.len()) }
                    </text>
                    { for group.pods.iter().filter_map(|(i, rect)| node.pods.get(*i).map(|pod| html! {
                        <PodTile key={pod.name.clone()} pod={pod.clone()} rect={*rect} />
                    })) }
                </g>
            }) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct NodeMarkProps {
    condition: &'static str,
    cx: f64,
    cy: f64,
}

/// The badge's shape: a check when ready, a cross when not, a no-entry sign when cordoned.
#[component]
fn NodeMark(props: &NodeMarkProps) -> Html {
    let (cx, cy) = (props.cx, props.cy);
    let path = match props.condition {
        "notready" => format!("M{} {}l6 6m0 -6l-6 6", n(cx - 3.0), n(cy - 3.0)),
        "cordoned" => format!("M{} {}l7 -7", n(cx - 3.5), n(cy + 3.5)),
        _ => format!("M{} {}l2.3 2.3 4.2-4.6", n(cx - 3.4), n(cy + 0.2)),
    };
    html! {
        <g class="node-mark" aria-hidden="true">
            if props.condition == "cordoned" {
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
