//! The inspector: everything about one clicked object, in a panel beside the picture. Its
//! "why" sentence, owner chain and what it owns come first (each a link to inspect that
//! object), then its events, the files on a volume, and its live YAML.
//!
//! It follows the picture: while looking back on the timeline it shows the object as it was.
//! Escape or the close button closes it.

use kubeplay_core::inspect::{Inspection, Target};
use web_sys::HtmlElement;
use yew::prelude::*;

use super::icon::{Icon, IconName};
use super::inspect_link::InspectLink;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub target: Target,
    pub inspection: Result<Inspection, String>,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let heading = use_node_ref();
    // Focus moves to the panel's heading when it opens on a new object.
    {
        let heading = heading.clone();
        use_effect_with(props.target.clone(), move |_| {
            if let Some(el) = heading.cast::<HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let close = props
        .dispatch
        .reform(|_: MouseEvent| Action::CloseInspector);
    let on_keydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                dispatch.emit(Action::CloseInspector);
            }
        })
    };
    let on_inspect = props.dispatch.reform(Action::Inspect);
    let link = |target: &Target, text: String| {
        html! { <InspectLink target={target.to_string()} text={text} on_inspect={on_inspect.clone()} /> }
    };
    let body = match &props.inspection {
        Err(message) => html! {
            <p class="inspector-gone" role="status">{ message.clone() }</p>
        },
        Ok(i) => html! {
            <>
                if let Some(why) = &i.why {
                    <section class="inspector-section" aria-label="Why">
                        <h3>{ "Why" }</h3>
                        <p class="inspector-why">{ why.clone() }</p>
                    </section>
                }
                if !i.owners.is_empty() {
                    <section class="inspector-section" aria-label="Owners">
                        <h3>{ "Owned by" }</h3>
                        <ol class="inspector-owners">
                            { for i.owners.iter().map(|o| html! {
                                <li class={classes!((!o.exists).then_some("is-gone"))}>
                                    { if o.exists {
                                        link(&o.target, format!("{} {}", o.target.kind, o.target.name))
                                    } else {
                                        html! { <span>{ format!("{} {} (gone)", o.target.kind, o.target.name) }</span> }
                                    } }
                                </li>
                            }) }
                        </ol>
                    </section>
                }
                if !i.children.is_empty() {
                    <section class="inspector-section" aria-label="Owns or uses">
                        <h3>{ "Owns or uses" }</h3>
                        <ul class="inspector-children">
                            { for i.children.iter().map(|c| html! {
                                <li>
                                    { link(&c.target, format!("{} {}", c.target.kind, c.target.name)) }
                                    <span class="detail">{ c.detail.clone() }</span>
                                </li>
                            }) }
                        </ul>
                    </section>
                }
                if !i.files.is_empty() {
                    <section class="inspector-section" aria-label="Files on the volume">
                        <h3>{ format!("Files on the volume ({})", i.files.len()) }</h3>
                        { for i.files.iter().map(|(path, contents)| html! {
                            <details class="inspector-file" open={i.files.len() == 1}>
                                <summary>{ path.clone() }</summary>
                                <pre>{ contents.clone() }</pre>
                            </details>
                        }) }
                    </section>
                }
                <section class="inspector-section" aria-label="Events">
                    <h3>{ format!("Events ({})", i.events.len()) }</h3>
                    if i.events.is_empty() {
                        <p class="empty-note">{ "No events." }</p>
                    } else {
                        <ol class="inspector-events">
                            { for i.events.iter().map(|e| html! {
                                <li class={classes!((e.type_ == "Warning").then_some("is-warning"))}>
                                    <div class="event-head">
                                        <span class="event-reason">{ e.reason.clone() }</span>
                                        <span class="event-meta">{ format!("{} · {} · {}", e.type_, e.age, e.from) }</span>
                                    </div>
                                    <div class="event-message">{ e.message.clone() }</div>
                                </li>
                            }) }
                        </ol>
                    }
                </section>
                <section class="inspector-section" aria-label="YAML">
                    <details class="inspector-yaml">
                        <summary>{ "YAML (kubectl get -o yaml)" }</summary>
                        <pre tabindex="0">{ i.yaml.clone() }</pre>
                    </details>
                </section>
            </>
        },
    };
    let title = match &props.inspection {
        Ok(i) => i.title.clone(),
        Err(_) => format!("{} {}", props.target.kind, props.target.name),
    };
    html! {
        <aside id="inspector" class="inspector panel" role="dialog" aria-modal="false" aria-labelledby="inspector-title"
            data-target={props.target.to_string()} onkeydown={on_keydown}>
            <div class="panel-head">
                <h2 id="inspector-title" tabindex="-1" ref={heading}>{ title }</h2>
                <button type="button" id="inspector-close" class="btn btn-quiet btn-small push-right"
                    aria-label="Close the inspector" onclick={close}>
                    <Icon name={IconName::Clear} />
                </button>
            </div>
            <div class="inspector-body">{ body }</div>
        </aside>
    }
}
