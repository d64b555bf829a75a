//! What the pod glyphs and node outlines mean.

use yew::prelude::*;

use super::pod_glyph::PodGlyph;
use crate::pod_style::Glyph;

const ENTRIES: [(Glyph, &str); 7] = [
    (Glyph::Disc, "Ready"),
    (Glyph::DotRing, "Running, not ready"),
    (Glyph::DashedRing, "Pending"),
    (Glyph::HalfDisc, "Creating"),
    (Glyph::Minus, "Terminating"),
    (Glyph::Warning, "Crash loop / image error"),
    (Glyph::Cross, "Failed"),
];

#[component]
pub fn Legend() -> Html {
    html! {
        <ul class="legend" aria-label="Legend">
            { for ENTRIES.iter().map(|(glyph, text)| html! {
                <li>
                    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><PodGlyph glyph={*glyph} cx={8.0} cy={8.5} /></svg>
                    { *text }
                </li>
            }) }
            <li><span class="legend-node legend-node--notready" aria-hidden="true"></span>{ "Node NotReady" }</li>
            <li><span class="legend-node legend-node--cordoned" aria-hidden="true"></span>{ "Node cordoned" }</li>
        </ul>
    }
}
