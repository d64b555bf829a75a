//! The SVG picture of the cluster: the Pending lane, then one box per node with its pods, then
//! (when there is storage) the band of claims and volumes with links from the pods that mount them.

use kubeplay_core::view::ClusterView;
use yew::prelude::*;

use super::node_box::NodeBox;
use super::pending_lane::PendingLane;
use super::pod_glyph::n;
use super::storage_band::StorageBand;
use crate::layout;

#[derive(Properties, PartialEq)]
pub struct ClusterPictureProps {
    pub view: ClusterView,
}

#[component]
pub fn ClusterPicture(props: &ClusterPictureProps) -> Html {
    let view = &props.view;
    let geometry = use_memo(view.clone(), layout::cluster);
    let pods: usize = view.nodes.iter().map(|node| node.pods.len()).sum();
    let mut description = format!(
        "{} nodes running {} pods; {} pods waiting for a node.",
        view.nodes.len(),
        pods,
        view.pending.len()
    );
    if !view.storage.claims.is_empty() {
        description.push_str(&format!(
            " {} persistent volume claims, listed below the nodes.",
            view.storage.claims.len()
        ));
    }
    description.push_str(" Hover a pod for details.");
    html! {
        <div class="picture-scroll">
            <svg id="cluster-svg" data-testid="cluster-svg" class="cluster-svg" role="group" aria-label={description}
                viewBox={format!("0 0 {} {}", n(geometry.width), n(geometry.height))}
                preserveAspectRatio="xMidYMin meet">
                <defs>
                    <pattern id="hatch-down" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="10" height="10" fill="#fef2f2" />
                        <line x1="0" y1="0" x2="0" y2="10" stroke="#fca5a5" stroke-width="4" />
                    </pattern>
                    <pattern id="hatch-trouble" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <line x1="0" y1="0" x2="0" y2="6" stroke="#dc2626" stroke-opacity="0.28" stroke-width="2.5" />
                    </pattern>
                    <pattern id="hatch-released" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <line x1="0" y1="0" x2="0" y2="6" stroke="#b45309" stroke-opacity="0.35" stroke-width="2" />
                    </pattern>
                    <pattern id="hatch-creating" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
                        <line x1="0" y1="0" x2="0" y2="8" stroke="#64748b" stroke-opacity="0.16" stroke-width="3" />
                    </pattern>
                </defs>
                <PendingLane pods={view.pending.clone()} layout={geometry.lane.clone()} />
                if view.nodes.is_empty() {
                    <text class="node-empty" x={n(layout::MARGIN)} y={n(geometry.lane.frame.y + geometry.lane.frame.h + 30.0)}>
                        { "This cluster has no nodes." }
                    </text>
                }
                { for view.nodes.iter().zip(&geometry.nodes).map(|(node, placed)| html! {
                    <NodeBox key={node.name.clone()} node={node.clone()} layout={placed.clone()} />
                }) }
                if let Some(band) = &geometry.storage {
                    <StorageBand storage={view.storage.clone()} layout={band.clone()} />
                }
            </svg>
        </div>
    }
}
