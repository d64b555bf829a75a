//! One pod: a tile in its workload's colour with a state glyph, short name and status.

use std::rc::Rc;

use kubeplay_core::view::PodView;
use yew::prelude::*;

use super::pod_glyph::{n, PodGlyph};
use crate::format::ellipsize;
use crate::layout::Rect;
use crate::pod_style::{glyph, is_transient, is_trouble, kind_tag, state_name, stroke, tint};

/// Estimated width of one status character (11px sans, bold for trouble).
const STATUS_CHAR_PX: f64 = 6.6;
/// Estimated width of one kind-tag character (8.5px bold sans) and the tag's padding.
const TAG_CHAR_PX: f64 = 5.9;
const TAG_PAD: f64 = 4.0;

#[derive(Properties, PartialEq)]
pub struct PodTileProps {
    pub pod: Rc<PodView>,
    pub rect: Rect,
}

/// The tile, drawn where it stands. Tiles keep their slots as pods come and go
/// ([`crate::layout::assign_slots`]), so a tile is rarely redrawn for moving. Each tile once had
/// a transform of its own, but Chromium gives every SVG transform a node in its property trees,
/// and with one per tile each frame's compositing update (Layerize) took about three times as
/// long during a rollout (BENCHMARKS.md).
#[component]
pub fn PodTile(props: &PodTileProps) -> Html {
    let pod = &props.pod;
    let r = props.rect;
    let state = state_name(pod.state);
    let trouble = is_trouble(pod.state);
    let fill = if is_transient(pod.state) {
        "#ffffff"
    } else {
        tint(pod.color)
    };
    let status = pod.status.as_str();
    let restarts = (pod.restarts > 0).then(|| format!("↻{}", pod.restarts));
    let owner = pod
        .owner
        .as_ref()
        .map(|o| format!("{}/{}", o.kind, o.name))
        .unwrap_or_default();
    let mut tooltip = format!("{}/{}\nstatus: {status}", pod.namespace, pod.name);
    tooltip.push_str(&match pod.owner.as_ref() {
        Some(o) => format!("\n{} pod of {}", o.kind, o.name),
        None => "\nstandalone pod".to_string(),
    });
    if pod.restarts > 0 {
        tooltip.push_str(&format!("\nrestarts: {}", pod.restarts));
    }
    if let Some(node) = &pod.node {
        tooltip.push_str(&format!("\nnode: {node}"));
    }
    if let Some(why) = &pod.why {
        tooltip.push_str(&format!("\n{why}"));
    }
    let kind = pod.owner.as_ref().map(|o| o.kind.as_str());
    let tag = kind_tag(kind);
    let tag_w = 2.0 * TAG_PAD + tag.len() as f64 * TAG_CHAR_PX;
    let tag_x = r.x + r.w - 5.0 - tag_w;
    let chars = ((r.w - 30.0) / 7.6) as usize;
    // Long statuses (CrashLoopBackOff) are squeezed to the tile rather than cut.
    let status_room = r.w - 28.0 - 6.0;
    let squeeze =
        (status.chars().count() as f64 * STATUS_CHAR_PX > status_room).then(|| n(status_room));
    let label_chars = chars
        .saturating_sub(restarts.as_ref().map_or(0, |r| r.chars().count() + 1))
        .saturating_sub((tag_w / 7.6).ceil() as usize + 1);
    html! {
        <g class={classes!("pod", format!("pod--{state}"), trouble.then_some("pod--trouble"))}
            data-pod={pod.name.clone()} data-status={pod.status.clone()} data-state={state}
            data-owner={owner} data-kind={kind.unwrap_or("Pod").to_string()} data-node={pod.node.clone().unwrap_or_default()}
            data-inspect={format!("pod/{}/{}", pod.namespace, pod.name)}
            tabindex="0" role="button" aria-label={format!("{}. Enter inspects it.", tooltip.replace('\n', ", "))}>
            <title>{ tooltip.clone() }</title>
            <rect class="pod-box" x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} rx="6"
                fill={fill} stroke={if trouble { "#b91c1c" } else { stroke(pod.color) }} />
            if trouble {
                <rect x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} rx="6" fill="url(#hatch-trouble)" class="pod-hatch" />
            }
            if matches!(pod.state, kubeplay_core::view::PodState::Creating) {
                <rect x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} rx="6" fill="url(#hatch-creating)" class="pod-hatch" />
            }
            <rect class="pod-stripe" x={n(r.x)} y={n(r.y)} width="4" height={n(r.h)} rx="2" fill={stroke(pod.color)} />
            <PodGlyph glyph={glyph(pod.state)} cx={r.x + 16.0} cy={r.y + r.h / 2.0} />
            <text class="pod-label" x={n(r.x + 28.0)} y={n(r.y + 16.0)}>{ ellipsize(&pod.label, label_chars) }</text>
            <g class={classes!("pod-kind", format!("pod-kind--{}", tag.to_lowercase()))} aria-hidden="true">
                <rect x={n(tag_x)} y={n(r.y + 5.0)} width={n(tag_w)} height="12" rx="3" />
                <text x={n(tag_x + tag_w / 2.0)} y={n(r.y + 14.0)} text-anchor="middle">{ tag }</text>
            </g>
            if let Some(restarts) = restarts {
                <text class="pod-restarts" x={n(tag_x - 4.0)} y={n(r.y + 15.0)} text-anchor="end">{ restarts }</text>
            }
            <text class={classes!("pod-status", trouble.then_some("is-trouble"))} x={n(r.x + 28.0)} y={n(r.y + 30.0)}
                textLength={squeeze.clone()} lengthAdjust={squeeze.is_some().then_some("spacingAndGlyphs")}>
                { ellipsize(status, chars + 3) }
            </text>
        </g>
    }
}
