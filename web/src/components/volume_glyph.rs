//! The shapes of storage: a cylinder for a claim, a drive for a volume on its own, each with
//! its outline style (see [`crate::storage_style::Look`]).

use yew::prelude::*;

use super::pod_glyph::n;
use crate::storage_style::Look;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    Cylinder,
    Drive,
}

#[derive(Properties, PartialEq)]
pub struct VolumeGlyphProps {
    pub shape: Shape,
    pub look: Look,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Half-height of a cylinder's end ellipses.
    #[prop_or(5.0)]
    pub ry: f64,
    pub fill: AttrValue,
    pub stroke: AttrValue,
}

#[component]
pub fn VolumeGlyph(props: &VolumeGlyphProps) -> Html {
    let (x, y, w, h, ry) = (props.x, props.y, props.w, props.h, props.ry);
    let class = classes!("vol-shape", format!("vol-shape--{}", props.look.name()));
    let (fill, stroke) = (props.fill.clone(), props.stroke.clone());
    let (outline, inner) = match props.shape {
        Shape::Cylinder => (
            format!(
                "M{} {}v{}a{} {} 0 0 0 {} 0v{}",
                n(x),
                n(y + ry),
                n(h - 2.0 * ry),
                n(w / 2.0),
                n(ry),
                n(w),
                n(-(h - 2.0 * ry))
            ),
            html! {
                <ellipse class="vol-top" cx={n(x + w / 2.0)} cy={n(y + ry)} rx={n(w / 2.0)} ry={n(ry)}
                    fill={fill.clone()} stroke={stroke.clone()} />
            },
        ),
        Shape::Drive => (
            format!("M{} {}h{}v{}h{}z", n(x), n(y), n(w), n(h), n(-w)),
            html! { <>
                <path class="vol-detail" d={format!("M{} {}h{}", n(x + 5.0), n(y + h * 0.62), n(w - 10.0))} stroke={stroke.clone()} />
                <circle class="vol-detail-dot" cx={n(x + w - 8.0)} cy={n(y + h * 0.8)} r="2" fill={stroke.clone()} />
            </> },
        ),
    };
    let cross = format!(
        "M{} {}L{} {}M{} {}L{} {}",
        n(x + 3.0),
        n(y + 3.0),
        n(x + w - 3.0),
        n(y + h - 3.0),
        n(x + w - 3.0),
        n(y + 3.0),
        n(x + 3.0),
        n(y + h - 3.0)
    );
    html! {
        <g class={class} aria-hidden="true">
            <path class="vol-body" d={outline.clone()} fill={fill} stroke={stroke} />
            if props.look == Look::Hatched {
                <path class="vol-hatch" d={outline} fill="url(#hatch-released)" />
            }
            { inner }
            if props.look == Look::Crossed {
                <path class="vol-cross" d={cross} />
            }
        </g>
    }
}
