//! The storage band under the nodes: every claim as a cylinder, every volume without a claim
//! as a drive, and the links from pods to the claims they mount. Owns which claim is
//! highlighted (by pointer or keyboard focus).

use kubeplay_core::view::StorageView;
use yew::prelude::*;

use super::claim_slot::ClaimSlot;
use super::mount_links::{MountLinks, PodRings};
use super::pod_glyph::n;
use super::volume_slot::VolumeSlot;
use crate::layout::NODE_PAD;
use crate::storage_layout::StorageLayout;

#[derive(Properties, PartialEq)]
pub struct StorageBandProps {
    pub storage: StorageView,
    pub layout: StorageLayout,
}

#[component]
pub fn StorageBand(props: &StorageBandProps) -> Html {
    let highlight = use_state(|| None::<String>);
    let on_highlight = {
        let highlight = highlight.clone();
        Callback::from(move |key: Option<String>| highlight.set(key))
    };
    let s = &props.storage;
    let f = props.layout.frame;
    let loose = props.layout.volumes.len();
    let mut title = format!(
        "Storage · {} claim{}",
        s.claims.len(),
        if s.claims.len() == 1 { "" } else { "s" }
    );
    if loose > 0 {
        title.push_str(&format!(
            " · {loose} volume{} without a claim",
            if loose == 1 { "" } else { "s" }
        ));
    }
    html! {
        <g class={classes!("storage-band", highlight.is_some().then_some("has-highlight"))} id="storage-band">
            <rect class="band-frame" x={n(f.x)} y={n(f.y)} width={n(f.w)} height={n(f.h)} rx="10" />
            <g class="claims" role="list" aria-label="Persistent volume claims">
                { for s.claims.iter().zip(&props.layout.claims).map(|(claim, rect)| {
                    let key = claim.key();
                    html! {
                        <g role="listitem" key={key.clone()}>
                            <ClaimSlot claim={claim.clone()} rect={*rect}
                                highlighted={highlight.as_deref() == Some(key.as_str())}
                                on_highlight={on_highlight.clone()} />
                        </g>
                    }
                }) }
            </g>
            if loose > 0 {
                <g class="volumes" role="list" aria-label="Persistent volumes without a claim">
                    { for props.layout.volumes.iter().filter_map(|(i, rect)| s.volumes.get(*i).map(|v| html! {
                        <g role="listitem" key={v.name.clone()}>
                            <VolumeSlot volume={v.clone()} rect={*rect} />
                        </g>
                    })) }
                </g>
            }
            // Over the slots, which links never cross; the title has a halo where links pass it.
            <MountLinks mounts={s.mounts.clone()} links={props.layout.links.clone()} highlight={(*highlight).clone()} />
            <text class="band-title" x={n(f.x + NODE_PAD)} y={n(f.y + 19.0)}>{ title }</text>
            <PodRings mounts={s.mounts.clone()} links={props.layout.links.clone()} highlight={(*highlight).clone()} />
        </g>
    }
}
