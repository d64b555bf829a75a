//! The SVG picture of the cluster: the Pending lane, then one box per node with its pods, then
//! (when there is storage) the band of claims and volumes with links from the pods that mount them.
//! Over it, an HTML layer with each node's action menu and the "Add node" control, placed in
//! percentages of the picture so they follow it as it scales.

use std::collections::BTreeSet;
use std::rc::Rc;

use kubeplay_core::view::ClusterView;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::add_node::AddNode;
use super::node_box::NodeBox;
use super::node_menu::NodeMenu;
use super::pending_lane::PendingLane;
use super::pod_glyph::n;
use super::storage_band::StorageBand;
use crate::layout::{self, ClusterLayout, Rect};
use crate::node_ops::next_worker_name;
use crate::state::PictureOutcome;

/// The popup key of the "Add node" form (node names cannot start with `+`).
const ADD_NODE: &str = "+add";

#[derive(Properties, PartialEq)]
pub struct ClusterPictureProps {
    pub view: Rc<ClusterView>,
    /// The last command run from the picture, for the forms to see their result.
    pub outcome: Option<PictureOutcome>,
    pub on_run: Callback<String>,
    /// Asks to inspect an object: `pod/default/web-0`, `node/worker-1`.
    pub on_inspect: Callback<String>,
}

/// The `data-inspect` target of the nearest inspectable element around an event's target.
fn inspect_target(e: &Event) -> Option<String> {
    let el: Element = e.target()?.dyn_into().ok()?;
    el.closest("[data-inspect]")
        .ok()??
        .get_attribute("data-inspect")
}

/// The SVG's drawing area is this many picture units tall, or a multiple of it for a picture
/// taller than that, and the part below the picture is cut off by the stage around it.
///
/// When an SVG's size or `viewBox` changes, the browser lays out everything in it again: at 200
/// pods that was most of a frame, and every change that added or removed a row of pods paid it.
/// With the SVG's size fixed this way, only the stage (an HTML box) follows the picture's
/// height, and a change lays out only what changed.
const DRAWN_STEP: f64 = 4096.0;

/// The height of the SVG's drawing area (its `viewBox`).
fn drawn_height(geometry: &ClusterLayout) -> f64 {
    (geometry.height / DRAWN_STEP).ceil().max(1.0) * DRAWN_STEP
}

/// `left`/`top` of a point of the picture, in percentages of the overlay.
fn point(geometry: &ClusterLayout, x: f64, y: f64) -> String {
    format!(
        "left:{:.3}%;top:{:.3}%",
        100.0 * x / geometry.width,
        100.0 * y / geometry.height
    )
}

/// A rectangle of the picture as `left`/`top`/`width`/`height` percentages of the overlay.
fn area(geometry: &ClusterLayout, r: Rect) -> String {
    format!(
        "{};width:{:.3}%;height:{:.3}%",
        point(geometry, r.x, r.y),
        100.0 * r.w / geometry.width,
        100.0 * r.h / geometry.height
    )
}

#[component]
pub fn ClusterPicture(props: &ClusterPictureProps) -> Html {
    let view = &props.view;
    // Which popup is open (a node's name, or `ADD_NODE`), and which nodes show their labels.
    let open = use_state(|| None::<String>);
    let labels = use_state(BTreeSet::<String>::new);
    // The layout depends on the nodes, the pending pods, the storage and the labels shown, not
    // on the clock: recomputed only when one of those changed (nodes and pods are compared by
    // `Rc` first, so unchanged ones cost a pointer comparison). The layout drawn last is kept:
    // pods keep their slots in it (`layout::assign_slots`), and tiles or bars are chosen against
    // it, so that a surge just past the limit does not switch the picture back and forth
    // (`layout::draws_summary`).
    let drawn = use_mut_ref(|| None::<Rc<ClusterLayout>>);
    let summarised = {
        let before = drawn.borrow().as_ref().map(|g| g.summarised);
        layout::draws_summary(view, before)
    };
    let geometry = {
        let view = Rc::clone(view);
        let drawn = Rc::clone(&drawn);
        use_memo(
            (
                view.nodes.clone(),
                view.pending.clone(),
                view.storage.clone(),
                (*labels).clone(),
                summarised,
            ),
            move |(.., labels, summarised)| {
                let before = drawn.borrow();
                layout::cluster_with_labels(&view, labels, *summarised, before.as_deref())
            },
        )
    };
    *drawn.borrow_mut() = Some(Rc::clone(&geometry));
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
    description.push_str(
        " Hover a pod for details, click it or press Enter on it to inspect it; each node has an actions menu.",
    );
    // One pair of handlers for the whole picture: the element clicked (or focused when Enter
    // or Space is pressed) names what to inspect in its `data-inspect`.
    let on_click = {
        let on_inspect = props.on_inspect.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(target) = inspect_target(&e) {
                on_inspect.emit(target);
            }
        })
    };
    let on_keydown = {
        let on_inspect = props.on_inspect.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" && e.key() != " " {
                return;
            }
            if let Some(target) = inspect_target(&e) {
                e.prevent_default();
                e.stop_propagation();
                on_inspect.emit(target);
            }
        })
    };
    // One callback of each for every node's menu, kept across renders so that a menu whose
    // node did not change is not redrawn.
    let on_open = {
        let open = open.clone();
        use_callback((), move |(key, want): (String, bool), _| {
            open.set(want.then_some(key))
        })
    };
    let on_toggle_labels = {
        let labels = labels.clone();
        use_callback((*labels).clone(), move |name: String, shown| {
            let mut next = shown.clone();
            if !next.remove(&name) {
                next.insert(name);
            }
            labels.set(next);
        })
    };
    let on_add_open = {
        let open = open.clone();
        use_callback((), move |want: bool, _| {
            open.set(want.then(|| ADD_NODE.to_string()))
        })
    };
    let slot = geometry.add_slot;
    let right_edge = slot.x + slot.w > geometry.width * 2.0 / 3.0;
    html! {
        <>
        if geometry.summarised {
            <p class="picture-note" id="picture-summarised">
                { format!("More than {} pods: each node counts its pods per workload and state. \
                    The table view lists every pod; a bar opens its workload.", layout::TILE_LIMIT) }
            </p>
        }
        <div class="picture-scroll">
          <div class="picture-stage" style={format!("aspect-ratio:{}/{}", n(geometry.width), n(geometry.height))}>
            <div class="picture-clip">
              <svg id="cluster-svg" data-testid="cluster-svg" class="cluster-svg" role="group" aria-label={description}
                  viewBox={format!("0 0 {} {}", n(geometry.width), n(drawn_height(&geometry)))}
                  preserveAspectRatio="xMidYMin meet" onclick={on_click} onkeydown={on_keydown}>
                  <defs>
                      <pattern id="hatch-down" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                          <rect width="10" height="10" fill="#f1f5f9" />
                          <line x1="0" y1="0" x2="0" y2="10" stroke="#cbd5e1" stroke-width="4" />
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
                      <text class="node-empty" x={n(slot.x + slot.w + layout::GAP)} y={n(slot.y + slot.h / 2.0 + 4.0)}>
                          { "This cluster has no nodes." }
                      </text>
                  }
                  // Keyed lists get their own parent: Yew diffs a parent's children by key only
                  // when all of them are keyed, so a node added or removed keeps every other
                  // node's component (and the open menu's state) with its own node.
                  <g class="nodes">
                      { for view.nodes.iter().zip(&geometry.nodes).map(|(node, placed)| html! {
                          <NodeBox key={node.name.clone()} node={Rc::clone(node)} layout={Rc::clone(placed)} />
                      }) }
                  </g>
                  if let Some(band) = &geometry.storage {
                      <StorageBand storage={view.storage.clone()} layout={band.clone()} />
                  }
              </svg>
            </div>
            <div class="picture-overlay">
                <div class="node-menus">
                { for view.nodes.iter().zip(&geometry.nodes).map(|(node, placed)| {
                    let f = placed.frame;
                    html! {
                        <NodeMenu key={node.name.clone()} node={Rc::clone(node)}
                            anchor={point(&geometry, f.x + f.w - 6.0, f.y + 6.0)}
                            left_anchor={point(&geometry, f.x + 6.0, f.y + 6.0)}
                            opens_right={f.x < layout::MARGIN + 1.0}
                            open={open.as_deref() == Some(node.name.as_str())}
                            labels_shown={labels.contains(&node.name)}
                            outcome={props.outcome.clone()}
                            on_open={on_open.clone()}
                            on_run={props.on_run.clone()}
                            on_toggle_labels={on_toggle_labels.clone()} />
                    }
                }) }
                </div>
                <AddNode slot={area(&geometry, Rect { x: slot.x + 8.0, y: slot.y + 8.0, w: slot.w - 16.0, h: (slot.h - 16.0).min(48.0) })}
                    anchor={if right_edge { point(&geometry, slot.x + slot.w - 8.0, slot.y + 8.0) } else { point(&geometry, slot.x + 8.0, slot.y + 8.0) }}
                    opens_left={right_edge}
                    suggested={next_worker_name(&view.nodes)}
                    open={open.as_deref() == Some(ADD_NODE)}
                    outcome={props.outcome.clone()}
                    on_open={on_add_open.clone()}
                    on_run={props.on_run.clone()} />
            </div>
          </div>
        </div>
        </>
    }
}
