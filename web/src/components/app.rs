//! The page: the top bar with the time controls; the manifest editor and workloads on the
//! left; the cluster picture and the console on the right.

use yew::prelude::*;

use super::cluster_picture::ClusterPicture;
use super::cluster_table::ClusterTable;
use super::console::Console;
use super::editor::Editor;
use super::inspector::Inspector;
use super::legend::Legend;
use super::narration::Narration;
use super::time_controls::TimeControls;
use super::timeline_bar::TimelineBar;
use super::workload_list::WorkloadList;
use crate::autosave;
use crate::hooks::use_interval;
use crate::state::{Action, TICK_MS};

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let loaded = autosave::load();
        let mut playground = loaded.playground;
        if let Some(problem) = loaded.problem {
            playground.sim_note = problem;
        }
        playground
    });
    let dispatch: Callback<Action> = state.dispatcher().to_callback();
    use_interval(state.playing, TICK_MS, dispatch.reform(|()| Action::Tick));

    // The picture, or the same state as tables.
    let as_table = use_state(|| false);
    let show = |table: bool| {
        let as_table = as_table.clone();
        Callback::from(move |_: MouseEvent| as_table.set(table))
    };

    // Autosave after every change to the session (and now and then while playing).
    let storage_problem = use_state(|| None::<String>);
    {
        let (state, storage_problem) = (state.clone(), storage_problem.clone());
        use_effect_with(state.save_seq, move |_| {
            let problem = autosave::save(&state.session_json()).err();
            if *storage_problem != problem {
                storage_problem.set(problem);
            }
        });
    }

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
            <TimelineBar begin={state.begin} end={state.end} viewing={state.viewing}
                marks={state.marks.clone()} can_undo={state.can_undo} dispatch={dispatch.clone()} />
            if let Some(problem) = &*storage_problem {
                <p class="storage-problem" id="storage-problem" role="alert">{ problem.clone() }</p>
            }
            <main class="layout">
                <div class="column column-left">
                    <Editor
                        outcome={state.apply.clone()}
                        apply_count={state.apply_count}
                        on_apply={dispatch.reform(Action::Apply)}
                    />
                    <WorkloadList workloads={state.view.workloads.clone()} outcome={state.picture.clone()}
                        on_run={dispatch.reform(Action::RunFromPicture)}
                        on_inspect={dispatch.reform(Action::Inspect)} />
                </div>
                <div class="column column-right">
                    <section class={classes!("panel", "cluster-panel", state.viewing.is_some().then_some("is-past"))}
                        aria-labelledby="cluster-heading" data-viewing={state.viewing.map(|t| t.0.to_string())}>
                        <div class="panel-head">
                            <h2 id="cluster-heading">{ "Cluster" }</h2>
                            <span class="panel-meta" id="cluster-summary">
                                { format!("{} nodes · {} pods · {} pending", state.view.nodes.len(), pod_count, state.view.pending.len()) }
                            </span>
                            <p class="sim-note push-right" id="sim-note" role="status" title={state.sim_note.clone()}>{ state.sim_note.clone() }</p>
                            <div class="segmented segmented-light" role="group" aria-label="Show the cluster as">
                                <button id="show-picture" class={classes!("seg", (!*as_table).then_some("is-active"))}
                                    aria-pressed={(!*as_table).to_string()} onclick={show(false)}>{ "Picture" }</button>
                                <button id="show-table" class={classes!("seg", as_table.then_some("is-active"))}
                                    aria-pressed={as_table.to_string()} onclick={show(true)}>{ "Table" }</button>
                            </div>
                        </div>
                        if let Some(at) = state.viewing {
                            <p class="past-banner" id="past-banner">
                                { format!("The picture shows the cluster at {}. Play or change something to carry on from here; what came after is then discarded.", at.clock()) }
                            </p>
                        }
                        <p id="picture-result" role="status"
                            class={classes!("picture-result", state.picture.as_ref().map(|o| if o.ok { "ok" } else { "failed" }))}
                            data-seq={state.picture.as_ref().map(|o| o.seq.to_string())}>
                            if let Some(outcome) = &state.picture {
                                <span class="picture-result-command">{ format!("$ {}", outcome.command) }</span>
                                <span class="picture-result-message">{ outcome.message.clone() }</span>
                            }
                        </p>
                        if *as_table {
                            <ClusterTable view={state.view.clone()} on_inspect={dispatch.reform(Action::Inspect)} />
                        } else {
                        <ClusterPicture view={state.view.clone()} outcome={state.picture.clone()}
                                on_run={dispatch.reform(Action::RunFromPicture)}
                                on_inspect={dispatch.reform(Action::Inspect)} />
                        }
                        <Narration events={state.events.clone()} />
                        <Legend storage={!state.view.storage.is_empty()} />
                    </section>
                    <Console
                        complete={{
                            let state = state.clone();
                            Callback::from(move |line: String| state.complete(&line))
                        }}
                        entries={state.console.clone()}
                        history={state.history.clone()}
                        dispatch={dispatch.clone()}
                    />
                </div>
            </main>
            if let (Some(target), Some(inspection)) = (&state.inspecting, &state.inspection) {
                <Inspector target={target.clone()} inspection={inspection.clone()} dispatch={dispatch.clone()} />
            }
        </div>
    }
}
