//! A workload's quick actions: scale, change image, restart, undo and delete, each one command
//! line (see [`crate::workload_ops`]). A form whose command fails keeps what was typed and
//! shows the error; Delete asks once more before it runs.

use kubeplay_core::view::WorkloadView;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::PictureOutcome;
use crate::workload_ops::{offers, WorkloadOp};

#[derive(Properties, PartialEq)]
pub struct WorkloadActionsProps {
    pub workload: WorkloadView,
    /// The id the panel's toggle button controls.
    pub id: AttrValue,
    pub outcome: Option<PictureOutcome>,
    pub on_run: Callback<String>,
}

#[component]
pub fn WorkloadActions(props: &WorkloadActionsProps) -> Html {
    let w = &props.workload;
    let replicas = use_state(|| w.replicas.unwrap_or(1).to_string());
    let container = use_state(|| {
        w.containers
            .first()
            .map(|c| c.0.clone())
            .unwrap_or_default()
    });
    let image = {
        let current = w
            .containers
            .iter()
            .find(|c| c.0 == *container)
            .map(|c| c.1.clone())
            .unwrap_or_default();
        use_state(move || current)
    };
    let confirm_delete = use_state(|| false);
    // The picture outcome number this panel's last command will get.
    let awaiting = use_state(|| None::<u64>);
    let offer = offers(w);

    let run = {
        let (on_run, awaiting, outcome, w) = (
            props.on_run.clone(),
            awaiting.clone(),
            props.outcome.clone(),
            w.clone(),
        );
        Callback::from(move |op: WorkloadOp| {
            awaiting.set(Some(outcome.as_ref().map_or(0, |o| o.seq) + 1));
            on_run.emit(op.command(&w));
        })
    };
    let on_scale = {
        let (run, replicas) = (run.clone(), replicas.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            run.emit(WorkloadOp::Scale((*replicas).clone()));
        })
    };
    let on_image = {
        let (run, container, image) = (run.clone(), container.clone(), image.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            run.emit(WorkloadOp::Image {
                container: (*container).clone(),
                image: (*image).clone(),
            });
        })
    };
    let on_replicas = {
        let replicas = replicas.clone();
        Callback::from(move |e: InputEvent| {
            replicas.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_image_input = {
        let image = image.clone();
        Callback::from(move |e: InputEvent| {
            image.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_container = {
        let (container, image, containers) =
            (container.clone(), image.clone(), w.containers.clone());
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some((_, current)) = containers.iter().find(|c| c.0 == name) {
                image.set(current.clone());
            }
            container.set(name);
        })
    };
    let button = |label: &'static str, op: WorkloadOp, title: String| {
        let run = run.clone();
        html! {
            <button type="button" class="btn btn-small" data-op={label.to_lowercase()} title={title}
                onclick={Callback::from(move |_: MouseEvent| run.emit(op.clone()))}>{ label }</button>
        }
    };
    let on_delete = {
        let (run, confirm_delete) = (run.clone(), confirm_delete.clone());
        Callback::from(move |_: MouseEvent| {
            if *confirm_delete {
                confirm_delete.set(false);
                run.emit(WorkloadOp::Delete);
            } else {
                confirm_delete.set(true);
            }
        })
    };
    let mine = props
        .outcome
        .as_ref()
        .filter(|o| Some(o.seq) == *awaiting)
        .cloned();
    let what = format!("{} {}", w.kind, w.name);

    html! {
        <div class="workload-actions" id={props.id.clone()} role="group" aria-label={format!("Actions on {what}")}>
            if offer.scale {
                <form class="wl-form" data-form="scale" novalidate={true} onsubmit={on_scale}>
                    <label>
                        <span>{ "Replicas" }</span>
                        <input type="number" min="0" inputmode="numeric" class="wl-replicas" value={(*replicas).clone()}
                            aria-label={format!("Replicas of {what}")} oninput={on_replicas} />
                    </label>
                    <button type="submit" class="btn btn-small btn-primary">{ "Scale" }</button>
                </form>
            }
            if offer.image {
                <form class="wl-form" data-form="image" onsubmit={on_image}>
                    <label>
                        <span>{ "Image" }</span>
                        if w.containers.len() > 1 {
                            <select aria-label={format!("Container of {what}")} onchange={on_container}>
                                { for w.containers.iter().map(|(name, _)| html! {
                                    <option value={name.clone()} selected={*name == *container}>{ name.clone() }</option>
                                }) }
                            </select>
                        }
                        <input type="text" class="wl-image" spellcheck="false" autocomplete="off" value={(*image).clone()}
                            aria-label={format!("Image of container {} in {what}", *container)} oninput={on_image_input} />
                    </label>
                    <button type="submit" class="btn btn-small btn-primary">{ "Set image" }</button>
                </form>
            }
            <div class="wl-buttons">
                if offer.restart {
                    { button("Restart", WorkloadOp::Restart, format!("kubectl rollout restart: replace every pod of {what}")) }
                }
                if offer.undo {
                    { button("Undo", WorkloadOp::Undo, format!("kubectl rollout undo: back to the previous revision of {what}")) }
                }
                <button type="button" data-op="delete"
                    class={classes!("btn", "btn-small", "btn-danger", (*confirm_delete).then_some("is-confirming"))}
                    aria-label={if *confirm_delete { format!("Confirm: delete {what}") } else { format!("Delete {what}") }}
                    onclick={on_delete}>
                    { if *confirm_delete { "Confirm delete" } else { "Delete…" } }
                </button>
            </div>
            if let Some(outcome) = mine {
                <p class={classes!("wl-result", if outcome.ok { "ok" } else { "failed" })}
                    role={if outcome.ok { "status" } else { "alert" }}>{ outcome.message }</p>
            }
        </div>
    }
}
