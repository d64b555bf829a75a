//! The state glyph of a pod, drawn with SVG shapes centred on (cx, cy).

use yew::prelude::*;

use crate::pod_style::Glyph;

#[derive(Properties, PartialEq)]
pub struct PodGlyphProps {
    pub glyph: Glyph,
    pub cx: f64,
    pub cy: f64,
}

const R: f64 = 6.0;

#[component]
pub fn PodGlyph(props: &PodGlyphProps) -> Html {
    let (cx, cy) = (props.cx, props.cy);
    let ring =
        |class: &'static str| html! { <circle cx={n(cx)} cy={n(cy)} r={n(R)} class={class} /> };
    let shape = match props.glyph {
        Glyph::Disc => html! { <circle cx={n(cx)} cy={n(cy)} r={n(R)} class="glyph-solid" /> },
        Glyph::DotRing => {
            html! { <>{ ring("glyph-ring") }<circle cx={n(cx)} cy={n(cy)} r="2.2" class="glyph-solid" /></> }
        }
        Glyph::DashedRing => ring("glyph-ring glyph-dashed"),
        Glyph::HalfDisc => html! { <>
            { ring("glyph-ring") }
            <path d={format!("M{} {}a{R} {R} 0 0 1 0 {}z", n(cx), n(cy - R), n(2.0 * R))} class="glyph-solid" />
        </> },
        Glyph::Minus => {
            html! { <>{ ring("glyph-ring") }<path d={format!("M{} {}h7", n(cx - 3.5), n(cy))} class="glyph-line" /></> }
        }
        Glyph::Warning => html! { <>
            <path d={format!("M{} {}l7 12.5h-14z", n(cx), n(cy - 7.0))} class="glyph-warn" />
            <path d={format!("M{} {}v4", n(cx), n(cy - 2.5))} class="glyph-mark" />
            <circle cx={n(cx)} cy={n(cy + 3.6)} r="0.9" class="glyph-dot" />
        </> },
        Glyph::Cross => html! { <>
            <circle cx={n(cx)} cy={n(cy)} r={n(R)} class="glyph-bad" />
            <path d={format!("M{} {}l5 5m0 -5l-5 5", n(cx - 2.5), n(cy - 2.5))} class="glyph-mark" />
        </> },
        Glyph::Check => html! { <>
            { ring("glyph-ring") }
            <path d={format!("M{} {}l2.2 2.2 4-4.4", n(cx - 3.2), n(cy + 0.2))} class="glyph-line" />
        </> },
    };
    html! { <g class="glyph" aria-hidden="true">{ shape }</g> }
}

/// A coordinate as an attribute value, one decimal.
pub fn n(v: f64) -> String {
    format!("{:.1}", v)
}
