//! What the pod glyphs, node outlines and (when there is storage) claim shapes and links mean.

use yew::prelude::*;

use super::pod_glyph::PodGlyph;
use super::volume_glyph::{Shape, VolumeGlyph};
use crate::pod_style::Glyph;
use crate::storage_style::Look;

const ENTRIES: [(Glyph, &str); 7] = [
    (Glyph::Disc, "Ready"),
    (Glyph::DotRing, "Running, not ready"),
    (Glyph::DashedRing, "Pending"),
    (Glyph::HalfDisc, "Creating"),
    (Glyph::Minus, "Terminating"),
    (Glyph::Warning, "Crash loop / image error"),
    (Glyph::Cross, "Failed"),
];

/// The kind tags on pod tiles and what they stand for.
const KINDS: [(&str, &str); 4] = [
    ("DEP", "Deployment"),
    ("STS", "StatefulSet"),
    ("DS", "DaemonSet"),
    ("POD", "standalone"),
];

const STORAGE: [(Shape, Look, &str); 4] = [
    (Shape::Cylinder, Look::Solid, "Claim Bound"),
    (Shape::Cylinder, Look::Dashed, "Claim Pending"),
    (Shape::Cylinder, Look::Crossed, "Claim Lost / deleting"),
    (Shape::Drive, Look::Solid, "Volume without a claim"),
];

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    /// Whether the picture shows storage, so its shapes need explaining.
    #[prop_or_default]
    pub storage: bool,
}

#[component]
pub fn Legend(props: &LegendProps) -> Html {
    html! {
        <ul class="legend" aria-label="Legend">
            { for ENTRIES.iter().map(|(glyph, text)| html! {
                <li>
                    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><PodGlyph glyph={*glyph} cx={8.0} cy={8.5} /></svg>
                    { *text }
                </li>
            }) }
            <li><span class="legend-node legend-node--notready" aria-hidden="true"></span>{ "Node NotReady (pods dimmed)" }</li>
            <li><span class="legend-node legend-node--cordoned" aria-hidden="true"></span>{ "Node cordoned (SchedulingDisabled)" }</li>
            <li><span class="legend-chip" aria-hidden="true">{ "key:Effect" }</span>{ "Taint" }</li>
            { for KINDS.iter().map(|(tag, kind)| html! {
                <li>
                    <span class={classes!("legend-kind", format!("legend-kind--{}", tag.to_lowercase()))} aria-hidden="true">{ *tag }</span>
                    { format!("{kind} pod") }
                </li>
            }) }
            if props.storage {
                { for STORAGE.iter().map(|(shape, look, text)| html! {
                    <li class="legend-storage">
                        <svg viewBox="0 0 16 18" width="14" height="16" aria-hidden="true">
                            <VolumeGlyph shape={*shape} look={*look} x={1.5} y={1.5} w={13.0} h={15.0} ry={2.5}
                                fill={if *look == Look::Solid { "#e2e8f0" } else { "#ffffff" }} stroke="#475569" />
                        </svg>
                        { *text }
                    </li>
                }) }
                <li class="legend-storage">
                    <svg viewBox="0 0 22 10" width="22" height="10" aria-hidden="true"><path class="legend-mount mount--ok" d="M1 5h20" /></svg>
                    { "Pod mounts claim" }
                </li>
                <li class="legend-storage">
                    <svg viewBox="0 0 22 10" width="22" height="10" aria-hidden="true"><path class="legend-mount mount--waiting" d="M1 5h20" /></svg>
                    { "Mount waiting" }
                </li>
            }
        </ul>
    }
}
