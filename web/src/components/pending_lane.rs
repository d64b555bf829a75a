//! The lane of pods no node has been chosen for yet, each with the scheduler's reason.

use kubeplay_core::view::PodView;
use yew::prelude::*;

use super::pod_glyph::n;
use super::pod_tile::PodTile;
use crate::format::wrap;
use crate::layout::{LaneLayout, LANE_TITLE, NODE_PAD};

#[derive(Properties, PartialEq)]
pub struct PendingLaneProps {
    pub pods: Vec<PodView>,
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
    }
}
