//! One PersistentVolume not bound to a claim (Available, Released, Failed, or reserved for a
//! claim that is not bound to it yet): a drive shape with its name, size and reclaim policy.

use kubeplay_core::view::VolumeView;
use yew::prelude::*;

use super::pod_glyph::n;
use super::volume_glyph::{Shape, VolumeGlyph};
use crate::format::ellipsize;
use crate::layout::Rect;
use crate::storage_layout::{SHAPE_H, SHAPE_W, SHAPE_X, SHAPE_Y, TEXT_X};
use crate::storage_style::{size_line, volume_look, Look};

#[derive(Properties, PartialEq)]
pub struct VolumeSlotProps {
    pub volume: VolumeView,
    pub rect: Rect,
}

#[component]
pub fn VolumeSlot(props: &VolumeSlotProps) -> Html {
    let v = &props.volume;
    let r = props.rect;
    let look = volume_look(v);
    let (fill, stroke) = match look {
        Look::Solid => ("#f0fdf4", "#15803d"),
        Look::Crossed => ("#fef2f2", "#b91c1c"),
        Look::Hatched => ("#fffbeb", "#b45309"),
        Look::Dashed => ("#ffffff", "#64748b"),
    };
    let room = r.w - TEXT_X - 8.0;
    let mut status = v.phase.clone();
    if let Some(claim) = &v.claim {
        status.push_str(&format!(
            " · {}",
            claim.strip_prefix("default/").unwrap_or(claim)
        ));
    }
    html! {
        <g class={classes!("pv", format!("pv--{}", look.name()))} data-pv={v.name.clone()} data-phase={v.phase.clone()}
            data-inspect={format!("persistentvolume/{}", v.name)}
            transform={format!("translate({} {})", n(r.x), n(r.y))}
            role="img" tabindex="0" aria-label={v.summary()}>
            <title>{ v.summary() }</title>
            <rect class="slot-card" width={n(r.w)} height={n(r.h)} rx="8" />
            <VolumeGlyph shape={Shape::Drive} look={look} x={SHAPE_X} y={SHAPE_Y + 2.0} w={SHAPE_W} h={SHAPE_H - 4.0}
                fill={fill} stroke={stroke} />
            <text class="slot-name" x={n(TEXT_X)} y="20">{ ellipsize(&v.name, (room / 7.6) as usize) }</text>
            <text class="slot-detail" x={n(TEXT_X)} y="36">
                { ellipsize(&size_line(&v.capacity, &v.access_modes, &v.reclaim_policy), (room / 6.1) as usize) }
            </text>
            <text class="slot-status" x={n(TEXT_X)} y="52">{ ellipsize(&status, (room / 6.1) as usize) }</text>
        </g>
    }
}
