//! The same cluster as the picture, as tables: nodes, pods (with why a pod is not simply
//! running), and claims. For screen readers, keyboard users and anyone who reads faster
//! than they look. Every row can be inspected.

use std::rc::Rc;

use kubeplay_core::view::ClusterView;
use yew::prelude::*;

use super::inspect_link::InspectLink;
use crate::format::{cpu, memory};

#[derive(Properties, PartialEq)]
pub struct ClusterTableProps {
    pub view: Rc<ClusterView>,
    pub on_inspect: Callback<String>,
}

#[component]
pub fn ClusterTable(props: &ClusterTableProps) -> Html {
    let view = &props.view;
    let link = |target: String, text: String| {
        html! { <InspectLink target={target} text={text} on_inspect={props.on_inspect.clone()} /> }
    };
    let pods = view
        .pending
        .iter()
        .chain(view.nodes.iter().flat_map(|n| &n.pods));
    html! {
        <div id="cluster-table" class="cluster-table">
            <table>
                <caption>{ format!("Nodes ({})", view.nodes.len()) }</caption>
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "CPU requested" }</th><th scope="col">{ "Memory requested" }</th><th scope="col">{ "Pods" }</th></tr></thead>
                <tbody>
                    { for view.nodes.iter().map(|n| html! {
                        <tr key={n.name.clone()} data-node={n.name.clone()}>
                            <th scope="row">{ link(format!("node/{}", n.name), n.name.clone()) }</th>
                            <td>{ n.status.clone() }</td>
                            <td>{ format!("{} / {}", cpu(n.cpu_requested_millis), cpu(n.cpu_capacity_millis)) }</td>
                            <td>{ format!("{} / {}", memory(n.memory_requested_bytes), memory(n.memory_capacity_bytes)) }</td>
                            <td>{ n.pods.len() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <table>
                <caption>{ format!("Pods ({})", view.pending.len() + view.nodes.iter().map(|n| n.pods.len()).sum::<usize>()) }</caption>
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Node" }</th><th scope="col">{ "Owner" }</th><th scope="col">{ "Why" }</th></tr></thead>
                <tbody>
                    { for pods.map(|p| html! {
                        <tr key={format!("{}/{}", p.namespace, p.name)} data-pod={p.name.clone()}>
                            <th scope="row">{ link(format!("pod/{}/{}", p.namespace, p.name), p.name.clone()) }</th>
                            <td>{ p.status.clone() }</td>
                            <td>{ p.node.clone().unwrap_or_else(|| "(not scheduled)".to_string()) }</td>
                            <td>{ p.owner.as_ref().map(|o| format!("{} {}", o.kind, o.name)).unwrap_or_else(|| "none".to_string()) }</td>
                            <td>{ p.why.clone().unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if !view.storage.claims.is_empty() {
                <table>
                    <caption>{ format!("Claims ({})", view.storage.claims.len()) }</caption>
                    <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "State" }</th></tr></thead>
                    <tbody>
                        { for view.storage.claims.iter().map(|c| html! {
                            <tr key={c.key()}>
                                <th scope="row">{ link(format!("persistentvolumeclaim/{}/{}", c.namespace, c.name), c.name.clone()) }</th>
                                <td>{ c.summary() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}
