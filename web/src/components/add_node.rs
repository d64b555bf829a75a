//! The "Add node" control in the grid cell after the last node, and its form: name (the next
//! free `worker-N`), CPU, memory, pod capacity, labels and taints, run as one `sim node add`.
//! A command that fails leaves the form open with the error and everything typed.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::node_ops::NewNode;
use crate::state::PictureOutcome;

#[derive(Properties, PartialEq)]
pub struct AddNodeProps {
    /// `left/top/width/height` of the slot, in percentages of the picture.
    pub slot: String,
    /// Where the form opens, in percentages of the picture: its top left corner, or its top
    /// right corner when `opens_left` (a slot at the picture's right edge).
    pub anchor: String,
    pub opens_left: bool,
    pub suggested: String,
    pub open: bool,
    pub outcome: Option<PictureOutcome>,
    pub on_open: Callback<bool>,
    pub on_run: Callback<String>,
}

/// One field of the form: which part of [`NewNode`] it edits.
type Field = fn(&mut NewNode) -> &mut String;

const FIELDS: [(&str, &str, &str, Field); 6] = [
    ("name", "Name", "worker-3", |f| &mut f.name),
    ("cpu", "CPU", "4", |f| &mut f.cpu),
    ("memory", "Memory", "16Gi", |f| &mut f.memory),
    ("pods", "Pods", "110", |f| &mut f.pods),
    ("labels", "Labels", "disktype=ssd, zone=a", |f| {
        &mut f.labels
    }),
    ("taints", "Taints", "dedicated=gpu:NoSchedule", |f| {
        &mut f.taints
    }),
];

#[component]
pub fn AddNode(props: &AddNodeProps) -> Html {
    let form = use_state(|| NewNode::named(props.suggested.clone()));
    let awaiting = use_state(|| None::<u64>);
    let error = use_state(|| None::<String>);
    let button = use_node_ref();
    let popup = use_node_ref();

    {
        let popup = popup.clone();
        use_effect_with(props.open, move |open| {
            if *open {
                if let Some(input) = popup
                    .cast::<Element>()
                    .and_then(|p| p.query_selector("input").ok().flatten())
                    .and_then(|el| el.dyn_into::<HtmlInputElement>().ok())
                {
                    let _ = input.focus();
                    input.select();
                }
            }
        });
    }
    {
        let (awaiting, error, on_open, button) = (
            awaiting.clone(),
            error.clone(),
            props.on_open.clone(),
            button.clone(),
        );
        use_effect_with(props.outcome.clone(), move |outcome| {
            if let (Some(want), Some(got)) = (*awaiting, outcome.as_ref()) {
                if got.seq == want {
                    awaiting.set(None);
                    if got.ok {
                        error.set(None);
                        on_open.emit(false);
                        if let Some(el) = button.cast::<HtmlElement>() {
                            let _ = el.focus();
                        }
                    } else {
                        error.set(Some(got.message.clone()));
                    }
                }
            }
        });
    }

    let close = {
        let (on_open, button, error) = (props.on_open.clone(), button.clone(), error.clone());
        Callback::from(move |()| {
            on_open.emit(false);
            error.set(None);
            if let Some(el) = button.cast::<HtmlElement>() {
                let _ = el.focus();
            }
        })
    };
    let on_button = {
        let (on_open, form, suggested, open) = (
            props.on_open.clone(),
            form.clone(),
            props.suggested.clone(),
            props.open,
        );
        Callback::from(move |_: MouseEvent| {
            if !open {
                form.set(NewNode::named(suggested.clone()));
            }
            on_open.emit(!open);
        })
    };
    let on_submit = {
        let (form, awaiting, on_run) = (form.clone(), awaiting.clone(), props.on_run.clone());
        let next_seq = props.outcome.as_ref().map_or(0, |o| o.seq) + 1;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            awaiting.set(Some(next_seq));
            on_run.emit(form.command());
        })
    };
    let on_key = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                close.emit(());
            }
        })
    };

    html! {
        <>
            <button type="button" id="add-node-button" ref={button} class={classes!("add-node-slot", props.open.then_some("is-open"))}
                style={props.slot.clone()} aria-haspopup="dialog" aria-expanded={props.open.to_string()}
                onclick={on_button}>
                <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
                    <path d="M8 3v10M3 8h10" />
                </svg>
                <span>{ "Add node" }</span>
            </button>
            if props.open {
                <div class="popup-backdrop" onclick={close.reform(|_: MouseEvent| ())}></div>
                <div class={classes!("node-popup", "add-node-popup", props.opens_left.then_some("opens-left"))} ref={popup} style={props.anchor.clone()}
                    role="dialog" aria-labelledby="add-node-title" onkeydown={on_key}>
                    <form class="node-form" id="add-node-form" onsubmit={on_submit}>
                        <h3 id="add-node-title">{ "Add a node" }</h3>
                        <div class="node-form-grid">
                            { for FIELDS.iter().map(|(key, label, placeholder, field)| {
                                let id = format!("add-node-{key}");
                                let value = field(&mut (*form).clone()).clone();
                                let form = form.clone();
                                let field = *field;
                                let oninput = Callback::from(move |e: InputEvent| {
                                    let el: HtmlInputElement = e.target_unchecked_into();
                                    let mut next = (*form).clone();
                                    *field(&mut next) = el.value();
                                    form.set(next);
                                });
                                html! {
                                    <div class={classes!("node-form-field", format!("field-{key}"))}>
                                        <label for={id.clone()}>{ *label }</label>
                                        <input id={id} class="node-form-input" type="text" placeholder={*placeholder}
                                            autocomplete="off" spellcheck="false" autocapitalize="off"
                                            value={value} oninput={oninput} />
                                    </div>
                                }
                            }) }
                        </div>
                        if let Some(message) = (*error).clone() {
                            <p class="node-form-error" id="add-node-error" role="alert">{ message }</p>
                        }
                        <div class="node-form-actions">
                            <button type="button" class="btn btn-quiet" onclick={close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                            <button type="submit" class="btn btn-primary" id="add-node-submit">{ "Add node" }</button>
                        </div>
                    </form>
                </div>
            }
        </>
    }
}
