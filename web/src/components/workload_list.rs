//! Every workload with its kubectl-style status line, in its picture colour.

use kubeplay_core::view::WorkloadView;
use yew::prelude::*;

use crate::pod_style::stroke;

#[derive(Properties, PartialEq)]
pub struct WorkloadListProps {
    pub workloads: Vec<WorkloadView>,
}

#[component]
pub fn WorkloadList(props: &WorkloadListProps) -> Html {
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
                    { for props.workloads.iter().map(|w| html! {
                        <li class="workload" key={format!("{}/{}/{}", w.kind, w.namespace, w.name)}
                            data-workload={format!("{}/{}", w.kind, w.name)}>
                            <span class="swatch" style={format!("background:{}", stroke(w.color))} aria-hidden="true"></span>
                            <span class="workload-kind">{ w.kind.clone() }</span>
                            <span class="workload-name">
                                { if w.namespace == "default" { w.name.clone() } else { format!("{}/{}", w.namespace, w.name) } }
                            </span>
                            <span class="workload-status">{ w.status_line.clone() }</span>
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}
