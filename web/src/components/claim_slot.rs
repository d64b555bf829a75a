//! One PersistentVolumeClaim: a cylinder in its workload's colour (slate without one), its
//! name, size, access modes and class, and its phase with the volume bound to it. Focusable;
//! hovering or focusing it highlights the pods that mount it.

use kubeplay_core::view::ClaimView;
use yew::prelude::*;

use super::pod_glyph::n;
use super::volume_glyph::{Shape, VolumeGlyph};
use crate::format::ellipsize;
use crate::layout::Rect;
use crate::storage_layout::{SHAPE_H, SHAPE_RY, SHAPE_W, SHAPE_X, SHAPE_Y, TEXT_X};
use crate::storage_style::{
    claim_colors, claim_look, claim_status, claim_title, claim_tooltip, size_line,
};

#[derive(Properties, PartialEq)]
pub struct ClaimSlotProps {
    pub claim: ClaimView,
    pub rect: Rect,
    pub highlighted: bool,
    /// `Some(key)` when the pointer or focus arrives, `None` when it leaves.
    pub on_highlight: Callback<Option<String>>,
}

#[component]
pub fn ClaimSlot(props: &ClaimSlotProps) -> Html {
    let c = &props.claim;
    let r = props.rect;
    let key = c.key();
    let look = claim_look(c);
    let (fill, stroke) = claim_colors(c);
    let enter = {
        let (on, key) = (props.on_highlight.clone(), key.clone());
        move || on.emit(Some(key.clone()))
    };
    let leave = {
        let on = props.on_highlight.clone();
        move || on.emit(None)
    };
    let (e1, e2, l1, l2) = (enter.clone(), enter, leave.clone(), leave);
    // Characters that fit beside the cylinder: 12.5px monospace names, 11px sans details.
    let room = r.w - TEXT_X - 8.0;
    let name_chars = (room / 7.6) as usize;
    let detail_chars = (room / 6.1) as usize;
    html! {
        <g class={classes!("claim", format!("claim--{}", look.name()), props.highlighted.then_some("is-highlighted"),
                c.conflict.is_some().then_some("has-conflict"))}
            data-claim={key} data-phase={c.phase.as_str()} data-terminating={c.terminating.to_string()}
            data-volume={c.volume.clone().unwrap_or_default()}
            data-inspect={format!("persistentvolumeclaim/{}/{}", c.namespace, c.name)}
            transform={format!("translate({} {})", n(r.x), n(r.y))}
            role="img" tabindex="0" aria-label={c.summary()}
            onmouseenter={Callback::from(move |_: MouseEvent| e1())}
            onmouseleave={Callback::from(move |_: MouseEvent| l1())}
            onfocus={Callback::from(move |_: FocusEvent| e2())}
            onblur={Callback::from(move |_: FocusEvent| l2())}>
            <title>{ claim_tooltip(c) }</title>
            <rect class="slot-card" width={n(r.w)} height={n(r.h)} rx="8" />
            <VolumeGlyph shape={Shape::Cylinder} look={look} x={SHAPE_X} y={SHAPE_Y} w={SHAPE_W} h={SHAPE_H} ry={SHAPE_RY}
                fill={fill} stroke={stroke} />
            <text class="slot-name" x={n(TEXT_X)} y="20">{ ellipsize(&claim_title(c), name_chars) }</text>
            <text class="slot-detail" x={n(TEXT_X)} y="36">
                { ellipsize(&size_line(&c.capacity, &c.access_modes, &c.storage_class), detail_chars) }
            </text>
            <text class="slot-status" x={n(TEXT_X)} y="52">{ ellipsize(&claim_status(c), detail_chars) }</text>
            if c.conflict.is_some() {
                <g class="slot-warning" aria-hidden="true">
                    <path d={format!("M{} 3l7 12.5h-14z", n(r.w - 13.0))} class="glyph-warn" />
                    <path d={format!("M{} 7.5v4", n(r.w - 13.0))} class="glyph-mark" />
                    <circle cx={n(r.w - 13.0)} cy="13.6" r="0.9" class="glyph-dot" />
                </g>
            }
        </g>
    }
}
