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

/// A coordinate as an attribute value, one decimal: `12.5`, `-3.0`.
///
/// Written from the value counted in tenths, with integer formatting: `format!("{:.1}")` takes
/// float formatting's exact path, which for many values falls back to big-number arithmetic,
/// and a redraw of the picture formats thousands of coordinates. A value exactly halfway
/// between two tenths rounds away from zero (`{:.1}` rounds it to even); no one sees 0.05 of a
/// picture unit.
pub fn n(v: f64) -> String {
    let tenths = (v * 10.0).round();
    // Far beyond any picture's size, and not-a-number: the standard formatting.
    if tenths.is_nan() || tenths.abs() >= 1e15 {
        return format!("{v:.1}");
    }
    let t = tenths as i64;
    let sign = if t < 0 { "-" } else { "" };
    let t = t.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}

#[cfg(test)]
mod tests {
    use super::n;

    #[test]
    fn coordinates_are_written_with_one_decimal_like_the_standard_formatting() {
        for v in [
            0.0,
            1.0,
            -1.0,
            12.34,
            -12.36,
            959.96,
            0.04,
            1e6 + 0.3,
            123.45678,
        ] {
            assert_eq!(n(v), format!("{v:.1}"), "{v}");
        }
        // Halfway values round away from zero; the standard formatting rounds them to even.
        assert_eq!(n(0.25), "0.3");
        assert_eq!(n(-0.25), "-0.3");
        // A value that rounds to zero has no sign.
        assert_eq!(n(-0.04), "0.0");
        assert_eq!(n(f64::NAN), "NaN");
        assert_eq!(n(1e300), format!("{:.1}", 1e300));
    }

    #[test]
    fn every_tenth_over_the_picture_reads_back_as_itself() {
        for i in -20_000i64..20_000 {
            let v = i as f64 / 10.0;
            let written = n(v);
            assert_eq!(written.parse::<f64>().unwrap(), v, "{written}");
        }
    }
}
