//! The page: the top bar with the time controls, lessons and sharing; the lesson, the
//! manifest editor and workloads on the left; the cluster picture and the console on the
//! right. The address chooses embed mode, its panels and how the page starts
//! ([`crate::page_options`]); a `#s=` fragment opens a share link.

use yew::prelude::*;

use super::cluster_picture::ClusterPicture;
use super::cluster_table::ClusterTable;
use super::console::Console;
use super::editor::Editor;
use super::inspector::Inspector;
use super::legend::Legend;
use super::lesson_menu::LessonMenu;
use super::lesson_panel::LessonPanel;
use super::narration::Narration;
use super::share_button::ShareButton;
use super::time_controls::TimeControls;
use super::timeline_bar::TimelineBar;
use super::workload_list::WorkloadList;
use crate::autosave;
use crate::hooks::use_playback;
use crate::page_options::{self, PageOptions};
use crate::state::{Action, Playground, TICK_MS};
use kubeplay_core::lesson::MAX_LESSON_BYTES;
use kubeplay_core::share::LessonRef;
use kubeplay_core::templates;

/// The page's fragment, if it holds a share link.
fn share_fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.starts_with("#s=").then_some(hash)
}

/// Takes the share link out of the address once opened, so a reload restores the autosave
/// (which by then holds the opened session and what was done since) rather than the link.
fn forget_fragment() {
    if let Some(window) = web_sys::window() {
        if let (Ok(history), Ok(path), Ok(search)) = (
            window.history(),
            window.location().pathname(),
            window.location().search(),
        ) {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("{path}{search}")),
            );
        }
    }
}

/// The playground the page starts with: a share link, else the address's lesson or example,
/// else (outside embeds) the autosave.
fn initial(options: &PageOptions) -> Playground {
    // Without a link or a lesson the page starts from what this browser saved; an embed
    // never reads or writes it.
    let base = || {
        if options.embed {
            return Playground::default();
        }
        let loaded = autosave::load();
        let mut playground = loaded.playground;
        if let Some(problem) = loaded.problem {
            playground.sim_note = problem;
        }
        playground
    };
    let mut playground = if let Some(fragment) = share_fragment() {
        match Playground::open_link(&fragment) {
            Ok(p) => {
                if !options.embed {
                    forget_fragment();
                }
                p
            }
            Err(e) => {
                let mut p = base();
                p.sim_note =
                    format!("The link could not be opened: {e}. The session here is unchanged.");
                p
            }
        }
    } else if let Some(id) = &options.lesson {
        // An unknown lesson leaves the saved session as it was, with a message.
        let mut p = base();
        p.update(Action::StartLesson(LessonRef::Builtin(id.clone())));
        p
    } else {
        let mut p = base();
        if let Some(t) = options.example.as_deref().and_then(templates::find) {
            p.update(Action::Apply(t.text.to_string()));
        }
        p
    };
    if !options.problems.is_empty() {
        playground.sim_note = format!(
            "{} (address: {})",
            playground.sim_note,
            options.problems.join("; ")
        );
    }
    playground.read_only = options.read_only;
    playground.playing = options.play;
    playground
}

/// Fetches a lesson file from this site.
async fn fetch_lesson(url: String) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    if window.location().protocol().as_deref() == Ok("file:") {
        return Err(format!(
            "a page opened from disk cannot fetch {url}: open it with Open lesson…, or serve \
             the folder from a web server"
        ));
    }
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| format!("the lesson {url} could not be fetched"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("the lesson {url} could not be fetched"))?;
    if !response.ok() {
        return Err(format!(
            "the lesson {url} could not be fetched (HTTP {})",
            response.status()
        ));
    }
    let text = JsFuture::from(response.text().map_err(|_| "no text")?)
        .await
        .map_err(|_| format!("the lesson {url} could not be read"))?
        .as_string()
        .ok_or("not text")?;
    if text.len() > MAX_LESSON_BYTES {
        return Err(format!(
            "the lesson {url} is larger than {} KiB",
            MAX_LESSON_BYTES / 1024
        ));
    }
    Ok(text)
}

#[component]
pub fn App() -> Html {
    let options = use_memo((), |_| page_options::from_location());
    let state = {
        let options = options.clone();
        use_reducer(move || initial(&options))
    };
    // Callbacks are made once: a child handed the same callback (and the same `Rc`s of state)
    // as before is not redrawn, which matters while playing, when the state changes ten times
    // a second.
    let dispatch: Callback<Action> = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |_| dispatcher.to_callback())).clone()
    };
    let (on_apply, on_run_from_picture, on_inspect) = {
        let dispatch = dispatch.clone();
        (*use_memo((), move |_| {
            (
                dispatch.reform(Action::Apply),
                dispatch.reform(Action::RunFromPicture),
                dispatch.reform(Action::Inspect),
            )
        }))
        .clone()
    };
    // Tab completion asks the state of the moment it is pressed, through a cell updated on
    // every render, so the console keeps one callback.
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    let complete = use_callback((), move |line: String, _| latest.borrow().complete(&line));
    {
        let (options, dispatch) = (options.clone(), dispatch.clone());
        use_effect_with((), move |_| {
            if let Some(url) = options.lesson_url.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match fetch_lesson(url).await {
                        Ok(text) => dispatch.emit(Action::StartLesson(LessonRef::Source(text))),
                        Err(e) => dispatch.emit(Action::Note(format!(
                            "The lesson could not be loaded: {e}."
                        ))),
                    }
                });
            }
        });
    }
    let (advance, tick) = (*use_memo((), {
        let dispatch = dispatch.clone();
        move |_| {
            (
                dispatch.reform(|()| Action::Advance),
                dispatch.reform(|()| Action::Tick),
            )
        }
    }))
    .clone();
    use_playback(state.playing, TICK_MS, advance, tick);
    // The first render is on the screen: the page is usable (the load benchmark reads this).
    use_effect_with((), |_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("kubeplay-ready");
        }
    });

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
        let embed = options.embed;
        use_effect_with(state.save_seq, move |_| {
            if embed {
                return;
            }
            let problem = autosave::save(&state.session_json()).err();
            if *storage_problem != problem {
                storage_problem.set(problem);
            }
        });
    }

    let panels = options.panels;
    let share_payload = {
        let state = state.clone();
        Callback::from(move |()| state.share_payload())
    };
    let current_lesson = state.lesson.as_ref().and_then(|l| match &l.source {
        LessonRef::Builtin(id) => Some(id.clone()),
        LessonRef::Source(_) => None,
    });
    let has_left = (panels.lesson && state.lesson.is_some())
        || (panels.editor && !state.read_only)
        || panels.workloads;
    let pod_count =
        state.view.nodes.iter().map(|n| n.pods.len()).sum::<usize>() + state.view.pending.len();
    html! {
        <div class={classes!("app", options.embed.then_some("is-embed"), state.read_only.then_some("is-read-only"))}>
            <header class="topbar">
                <div class="brand">
                    <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M12 2 21 7v10l-9 5-9-5V7z" />
                        <circle cx="12" cy="12" r="3.2" />
                    </svg>
                    <h1>{ "kubeplay" }</h1>
                    if !options.embed {
                        <span class="tagline">{ "Kubernetes workloads, simulated in your browser" }</span>
                    }
                </div>
                if !options.embed && !state.read_only {
                    <LessonMenu current={current_lesson} dispatch={dispatch.clone()} />
                }
                if !options.embed {
                    <ShareButton payload={share_payload} />
                }
                <TimeControls
                    clock={state.clock.clone()}
                    playing={state.playing}
                    speed={state.speed}
                    next_event={state.next_event.clone()}
                    dispatch={dispatch.clone()}
                />
            </header>
            if panels.timeline {
                <TimelineBar begin={state.begin} end={state.end} viewing={state.viewing}
                    marks={state.marks.clone()} can_undo={state.can_undo && !state.read_only} dispatch={dispatch.clone()} />
            }
            if let Some(problem) = &*storage_problem {
                <p class="storage-problem" id="storage-problem" role="alert">{ problem.clone() }</p>
            }
            <main class={classes!("layout", (!has_left).then_some("is-single"))}>
                if has_left {
                <div class="column column-left">
                    if let (true, Some(lesson)) = (panels.lesson, &state.lesson) {
                        <LessonPanel lesson={lesson.clone()} dispatch={dispatch.clone()} read_only={state.read_only} />
                    }
                    if panels.editor && !state.read_only {
                        <Editor
                            outcome={state.apply.clone()}
                            apply_count={state.apply_count}
                            on_apply={on_apply.clone()}
                        />
                    }
                    if panels.workloads {
                        <WorkloadList workloads={state.view.workloads.clone()} outcome={state.picture.clone()}
                            on_run={on_run_from_picture.clone()}
                            on_inspect={on_inspect.clone()} />
                    }
                </div>
                }
                <div class="column column-right">
                    if panels.cluster {
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
                            <ClusterTable view={state.view.clone()} on_inspect={on_inspect.clone()} />
                        } else {
                        <ClusterPicture view={state.view.clone()} outcome={state.picture.clone()}
                                on_run={on_run_from_picture.clone()}
                                on_inspect={on_inspect.clone()} />
                        }
                        <Narration events={state.events.clone()} />
                        <Legend storage={!state.view.storage.is_empty()} />
                    </section>
                    }
                    if panels.console && !state.read_only {
                    <Console
                        complete={complete.clone()}
                        entries={state.console.clone()}
                        history={state.history.clone()}
                        dispatch={dispatch.clone()}
                    />
                    }
                </div>
            </main>
            if let (Some(target), Some(inspection)) = (&state.inspecting, &state.inspection) {
                <Inspector target={target.clone()} inspection={inspection.clone()} dispatch={dispatch.clone()} />
            }
        </div>
    }
}
