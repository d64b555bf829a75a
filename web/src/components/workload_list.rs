//! Every workload with its kubectl-style status line, in its picture colour, and its quick
//! actions behind an "Actions" toggle (one workload's open at a time).

use kubeplay_core::inspect::Target;
use kubeplay_core::view::WorkloadView;
use yew::prelude::*;

use super::workload_actions::WorkloadActions;
use crate::pod_style::stroke;
use crate::state::PictureOutcome;

#[derive(Properties, PartialEq)]
pub struct WorkloadListProps {
    pub workloads: Vec<WorkloadView>,
    pub outcome: Option<PictureOutcome>,
    pub on_run: Callback<String>,
    /// Asks to inspect a workload: `deployment/default/web`.
    pub on_inspect: Callback<String>,
}

fn key_of(w: &WorkloadView) -> String {
    format!("{}/{}/{}", w.kind, w.namespace, w.name)
}

#[component]
pub fn WorkloadList(props: &WorkloadListProps) -> Html {
    let open = use_state(|| None::<String>);
    html! {
        <section class="panel workloads-panel" aria-labelledby="workloads-heading">
            <div class="panel-head">
                <h2 id="workloads-heading">{ "Workloads" }</h2>
                <span class="panel-meta">{ format!("{}", props.workloads.len()) }</span>
            </div>
            if props.workloads.is_empty() {
                <p class="empty-note" id="workloads-empty">{ "No workloads yet. Apply a manifest to create one." }</p>
            } else {
                <ul class="workloads" id="workload-list">
                    { for props.workloads.iter().map(|w| {
                        let key = key_of(w);
                        let target = Target::new(&w.kind, Some(w.namespace.as_str()), &w.name).to_string();
                        let is_open = open.as_deref() == Some(key.as_str());
                        let panel_id = format!("wl-actions-{}-{}-{}", w.kind, w.namespace, w.name).to_lowercase();
                        let toggle = {
                            let (open, key) = (open.clone(), key.clone());
                            Callback::from(move |_: MouseEvent| {
                                open.set(if is_open { None } else { Some(key.clone()) })
                            })
                        };
                        html! {
                            <li class={classes!("workload", is_open.then_some("is-open"))} key={key.clone()}
                                data-workload={format!("{}/{}", w.kind, w.name)}>
                                <div class="workload-row">
                                    <span class="swatch" style={format!("background:{}", stroke(w.color))} aria-hidden="true"></span>
                                    <span class="workload-kind">{ w.kind.clone() }</span>
                                    <button type="button" class="link workload-name"
                                        data-inspect={target.clone()}
                                        aria-label={format!("Inspect {} {}", w.kind, w.name)}
                                        onclick={props.on_inspect.reform(move |_: MouseEvent| target.clone())}>
                                        { if w.namespace == "default" { w.name.clone() } else { format!("{}/{}", w.namespace, w.name) } }
                                    </button>
                                    <button type="button" class="btn btn-quiet btn-small workload-toggle"
                                        aria-expanded={is_open.to_string()} aria-controls={panel_id.clone()}
                                        aria-label={format!("Actions on {} {}", w.kind, w.name)} onclick={toggle}>
                                        { "Actions" }<span class="chevron" aria-hidden="true">{ if is_open { "▴" } else { "▾" } }</span>
                                    </button>
                                    <span class="workload-status">{ w.status_line.clone() }</span>
                                </div>
                                if is_open {
                                    <WorkloadActions workload={w.clone()} id={panel_id} outcome={props.outcome.clone()} on_run={props.on_run.clone()} />
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}
