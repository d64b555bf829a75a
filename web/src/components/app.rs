//! The page: the top bar with the time controls; the manifest editor and workloads on the
//! left; the cluster picture and the console on the right.

use yew::prelude::*;

use super::cluster_picture::ClusterPicture;
use super::console::Console;
use super::editor::Editor;
use super::legend::Legend;
use super::time_controls::TimeControls;
use super::workload_list::WorkloadList;
use crate::hooks::use_interval;
use crate::state::{Action, Playground, TICK_MS};

#[component]
pub fn App() -> Html {
    let state = use_reducer(Playground::default);
    let dispatch: Callback<Action> = state.dispatcher().to_callback();
    use_interval(state.playing, TICK_MS, dispatch.reform(|()| Action::Tick));

    let pod_count =
        state.view.nodes.iter().map(|n| n.pods.len()).sum::<usize>() + state.view.pending.len();
    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M12 2 21 7v10l-9 5-9-5V7z" />
                        <circle cx="12" cy="12" r="3.2" />
                    </svg>
                    <h1>{ "kubeplay" }</h1>
                    <span class="tagline">{ "Kubernetes workloads, simulated in your browser" }</span>
                </div>
                <TimeControls
                    clock={state.view.time.clone()}
                    playing={state.playing}
                    speed={state.speed}
                    next_event={state.next_event.clone()}
                    dispatch={dispatch.clone()}
                />
            </header>
            <main class="layout">
                <div class="column column-left">
                    <Editor
                        outcome={state.apply.clone()}
                        apply_count={state.apply_count}
                        on_apply={dispatch.reform(Action::Apply)}
                    />
                    <WorkloadList workloads={state.view.workloads.clone()} />
                </div>
                <div class="column column-right">
                    <section class="panel cluster-panel" aria-labelledby="cluster-heading">
                        <div class="panel-head">
                            <h2 id="cluster-heading">{ "Cluster" }</h2>
                            <span class="panel-meta" id="cluster-summary">
                                { format!("{} nodes · {} pods · {} pending", state.view.nodes.len(), pod_count, state.view.pending.len()) }
                            </span>
                            <p class="sim-note push-right" id="sim-note" role="status" title={state.sim_note.clone()}>{ state.sim_note.clone() }</p>
                        </div>
                        <p id="picture-result" role="status"
                            class={classes!("picture-result", state.picture.as_ref().map(|o| if o.ok { "ok" } else { "failed" }))}
                            data-seq={state.picture.as_ref().map(|o| o.seq.to_string())}>
                            if let Some(outcome) = &state.picture {
                                <span class="picture-result-command">{ format!("$ {}", outcome.command) }</span>
                                <span class="picture-result-message">{ outcome.message.clone() }</span>
                            }
                        </p>
                        <ClusterPicture view={state.view.clone()} outcome={state.picture.clone()}
                            on_run={dispatch.reform(Action::RunFromPicture)} />
                        <Legend storage={!state.view.storage.is_empty()} />
                    </section>
                    <Console
                        entries={state.console.clone()}
                        history={state.history.clone()}
                        dispatch={dispatch.clone()}
                    />
                </div>
            </main>
        </div>
    }
}
