//! The lane of pods no node has been chosen for yet, each with the scheduler's reason.

use std::rc::Rc;

use kubeplay_core::view::PodView;
use yew::prelude::*;

use super::pod_glyph::n;
use super::pod_tile::PodTile;
use crate::format::{ellipsize, wrap};
use crate::layout::{LaneLayout, LANE_TITLE, NODE_PAD};
use crate::pod_style::stroke;

#[derive(Properties, PartialEq)]
pub struct PendingLaneProps {
    pub pods: Vec<Rc<PodView>>,
    pub layout: LaneLayout,
}

#[component]
pub fn PendingLane(props: &PendingLaneProps) -> Html {
    let f = props.layout.frame;
    let busy = !props.pods.is_empty();
    html! {
        <g class={classes!("pending-lane", busy.then_some("has-pods"))} id="pending-lane">
            <rect class="lane-frame" x={n(f.x)} y={n(f.y)} width={n(f.w)} height={n(f.h)} rx="10" />
            <text class="lane-title" x={n(f.x + NODE_PAD)} y={n(f.y + 18.0)}>
                { format!("Pending · not scheduled ({})", props.pods.len()) }
            </text>
            if !busy {
                <text class="lane-empty" x={n(f.x + NODE_PAD)} y={n(f.y + LANE_TITLE + 12.0)}>
                    { "Every pod has a node." }
                </text>
            }
            // Summarised: one row per workload, with how many of its pods wait and why the
            // first of them does. Each keyed list has a parent of its own, so that Yew diffs it
            // by key (it does only when all of a parent's children are keyed).
            <g class="pending-groups">
            { for props.layout.groups.iter().map(|g| {
                let r = g.rect;
                let reason_x = r.x + r.w + 12.0;
                let chars = ((f.x + f.w - NODE_PAD - reason_x) / 6.6) as usize;
                let why = props.pods.get(g.first).and_then(|p| p.why.clone())
                    .unwrap_or_else(|| "Waiting for the scheduler.".to_string());
                let lines = wrap(&why, chars, 2);
                let first_y = if lines.len() > 1 { r.y + 15.0 } else { r.y + r.h / 2.0 + 4.0 };
                let label = format!("{}: {} pods waiting. {why}", g.caption, g.count);
                html! {
                    <g class="pending-row pending-summary" key={g.caption.clone()} data-workload={g.caption.clone()}
                        data-count={g.count.to_string()} role="img" aria-label={label.clone()}>
                        <title>{ label }</title>
                        <rect class="pod-box pod--pending" x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} rx="6"
                            fill="#ffffff" stroke={stroke(g.color)} />
                        <text class="pod-label" x={n(r.x + 10.0)} y={n(r.y + 16.0)}>{ ellipsize(&g.caption, 18) }</text>
                        <text class="pod-status" x={n(r.x + 10.0)} y={n(r.y + 31.0)}>{ format!("{} waiting", g.count) }</text>
                        <text class="pending-why" x={n(reason_x)} y={n(first_y)}>
                            { for lines.iter().enumerate().map(|(i, line)| html! {
                                <tspan x={n(reason_x)} dy={if i == 0 { "0" } else { "15" }}>{ line.clone() }</tspan>
                            }) }
                        </text>
                    </g>
                }
            }) }
            </g>
            <g class="pending-pods">
            { for props.pods.iter().zip(&props.layout.pods).map(|(pod, rect)| {
                let reason_x = rect.x + rect.w + 12.0;
                let chars = ((f.x + f.w - NODE_PAD - reason_x) / 6.6) as usize;
                let why = pod.why.clone().unwrap_or_else(|| "Waiting for the scheduler.".to_string());
                let lines = wrap(&why, chars, 2);
                let first_y = if lines.len() > 1 { rect.y + 15.0 } else { rect.y + rect.h / 2.0 + 4.0 };
                html! {
                    <g class="pending-row" key={pod.name.clone()}>
                        <PodTile pod={pod.clone()} rect={*rect} />
                        <text class="pending-why" x={n(reason_x)} y={n(first_y)}>
                            <title>{ why.clone() }</title>
                            { for lines.iter().enumerate().map(|(i, line)| html! {
                                <tspan x={n(reason_x)} dy={if i == 0 { "0" } else { "15" }}>{ line.clone() }</tspan>
                            }) }
                        </text>
                    </g>
                }
            }) }
            </g>
        </g>
    }
}
