//! The lines from pods to the claims they mount: solid once the pod can use the claim, dashed
//! while it waits. While a claim is highlighted its links stand out, the others fade, and its
//! pods get a ring.

use kubeplay_core::view::MountView;
use yew::prelude::*;

use super::pod_glyph::n;
use crate::storage_layout::Link;
use crate::storage_style::mount_name;

#[derive(Properties, PartialEq)]
pub struct MountLinksProps {
    pub mounts: Vec<MountView>,
    pub links: Vec<Link>,
    /// The highlighted claim's `namespace/name`.
    pub highlight: Option<String>,
}

#[component]
pub fn MountLinks(props: &MountLinksProps) -> Html {
    let lit = |m: &MountView| props.highlight.as_ref().map(|h| *h == m.claim_key());
    let drawn: Vec<(&MountView, &Link)> = props
        .links
        .iter()
        .filter_map(|l| props.mounts.get(l.mount).map(|m| (m, l)))
        .collect();
    html! {
        <g class="mounts" aria-hidden="true">
            { for drawn.iter().map(|(m, link)| {
                let state = mount_name(m.state);
                let emphasis = match lit(m) {
                    Some(true) => Some("is-highlighted"),
                    Some(false) => Some("is-dimmed"),
                    None => None,
                };
                html! {
                    <g class={classes!("mount-link", format!("mount-link--{state}"), emphasis)}>
                        <path class={classes!("mount", format!("mount--{state}"))} d={link.path()}
                            data-pod={m.pod.clone()} data-claim={m.claim_key()} data-state={state} />
                        <circle class="mount-end" cx={n(link.from.0)} cy={n(link.from.1)} r="2.6" />
                    </g>
                }
            }) }
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct PodRingsProps {
    pub mounts: Vec<MountView>,
    pub links: Vec<Link>,
    pub highlight: Option<String>,
}

/// Rings around the pods of the highlighted claim, drawn over everything else.
#[component]
pub fn PodRings(props: &PodRingsProps) -> Html {
    let Some(claim) = &props.highlight else {
        return html! {};
    };
    html! {
        <g class="pod-rings" aria-hidden="true">
            { for props.links.iter()
                .filter(|l| props.mounts.get(l.mount).is_some_and(|m| m.claim_key() == *claim))
                .map(|l| {
                    let r = l.pod;
                    html! {
                        <rect class="pod-ring" x={n(r.x - 3.0)} y={n(r.y - 3.0)} width={n(r.w + 6.0)} height={n(r.h + 6.0)} rx="8"
                            data-pod={props.mounts.get(l.mount).map(|m| m.pod.clone()).unwrap_or_default()} />
                    }
                }) }
        </g>
    }
}
