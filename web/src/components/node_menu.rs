//! A node's actions: a button at the node box's top right opening a menu (cordon, drain, fail,
//! labels and taints, remove), with small forms for a new label or taint and a confirmation
//! before removing the node.
//!
//! Keyboard: Enter or Space opens the menu on its first item; ↑/↓, Home and End move; Enter
//! chooses; Escape closes and returns focus to the button. Every choice becomes one command line
//! (see [`crate::node_ops`]); a form whose command fails stays open with the error and what was
//! typed.

use std::rc::Rc;

use kubeplay_core::view::NodeView;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::node_ops::{menu, taint_spec, MenuItem, NodeOp, TAINT_EFFECTS};
use crate::state::PictureOutcome;

#[derive(Properties)]
pub struct NodeMenuProps {
    pub node: Rc<NodeView>,
    /// `left:…%;top:…%` of the node box's top right corner in the picture.
    pub anchor: String,
    /// `left:…%;top:…%` of its top left corner: the popup opens rightwards from there when
    /// `opens_right` (nodes at the picture's left edge), else leftwards from `anchor`.
    pub left_anchor: String,
    pub opens_right: bool,
    pub open: bool,
    pub labels_shown: bool,
    pub outcome: Option<PictureOutcome>,
    /// Asks to open (true) or close (false) the menu of the node named.
    pub on_open: Callback<(String, bool)>,
    pub on_run: Callback<String>,
    /// Asks to show or hide the labels of the node named.
    pub on_toggle_labels: Callback<String>,
}

/// The menu reads its node's name, state, labels and taints, not its pods: a pod coming or
/// going redraws the node's box, not its menu.
impl PartialEq for NodeMenuProps {
    fn eq(&self, other: &Self) -> bool {
        let Self {
            node,
            anchor,
            left_anchor,
            opens_right,
            open,
            labels_shown,
            outcome,
            on_open,
            on_run,
            on_toggle_labels,
        } = self;
        fn menu_facts(n: &NodeView) -> (&String, bool, bool, &Vec<String>, &Vec<String>) {
            (&n.name, n.cordoned, n.failed, &n.labels, &n.taints)
        }
        menu_facts(node) == menu_facts(&other.node)
            && *anchor == other.anchor
            && *left_anchor == other.left_anchor
            && *opens_right == other.opens_right
            && *open == other.open
            && *labels_shown == other.labels_shown
            && *outcome == other.outcome
            && *on_open == other.on_open
            && *on_run == other.on_run
            && *on_toggle_labels == other.on_toggle_labels
    }
}

/// What the open popup shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Menu,
    Label,
    Taint,
    Remove,
}

/// Moves focus within the menu: the item after or before `from`, skipping separators, or the
/// first or last item.
fn move_focus(from: &Element, key: &str) -> bool {
    let next = |el: &Element, forward: bool| {
        if forward {
            el.next_element_sibling()
        } else {
            el.previous_element_sibling()
        }
    };
    let is_item = |el: &Element| el.get_attribute("role").as_deref() == Some("menuitem");
    let parent = from.parent_element();
    let (mut candidate, forward) = match key {
        "ArrowDown" => (next(from, true), true),
        "ArrowUp" => (next(from, false), false),
        "Home" => (parent.as_ref().and_then(Element::first_element_child), true),
        "End" => (parent.as_ref().and_then(Element::last_element_child), false),
        _ => return false,
    };
    while let Some(el) = candidate {
        if is_item(&el) {
            if let Ok(el) = el.dyn_into::<HtmlElement>() {
                let _ = el.focus();
            }
            return true;
        }
        candidate = next(&el, forward);
    }
    true
}

/// Which block of the menu an item sits in; a separator goes between blocks.
fn section_of(item: &MenuItem) -> u8 {
    match item {
        MenuItem::Run {
            op: NodeOp::Unlabel(_) | NodeOp::Untaint(_),
            ..
        } => 1,
        MenuItem::ConfirmRemove => 2,
        _ => 0,
    }
}

fn focus(node: &NodeRef) {
    if let Some(el) = node.cast::<HtmlElement>() {
        let _ = el.focus();
    }
}

#[component]
pub fn NodeMenu(props: &NodeMenuProps) -> Html {
    let mode = use_state(|| Mode::Menu);
    let label = use_state(String::new);
    let taint = use_state(String::new);
    let effect = use_state(|| TAINT_EFFECTS[0].to_string());
    // The outcome number a form waits for, and the error of its last attempt.
    let awaiting = use_state(|| None::<u64>);
    let error = use_state(|| None::<String>);
    let button = use_node_ref();
    let popup = use_node_ref();
    let name = props.node.name.clone();
    // The picture hands every node's menu the same callbacks, so that a menu whose node did
    // not change is not redrawn; this one names its node.
    let on_open = {
        let (f, name) = (props.on_open.clone(), name.clone());
        Callback::from(move |want: bool| f.emit((name.clone(), want)))
    };
    let on_toggle_labels = {
        let (f, name) = (props.on_toggle_labels.clone(), name.clone());
        Callback::from(move |()| f.emit(name.clone()))
    };
    let menu_id = format!("node-menu-{name}");

    // Focus the first item or field whenever the popup opens or changes mode.
    {
        let popup = popup.clone();
        use_effect_with((props.open, *mode), move |(open, _)| {
            if *open {
                if let Some(first) = popup
                    .cast::<Element>()
                    .and_then(|p| {
                        p.query_selector("[role=menuitem], input, .node-form-submit")
                            .ok()
                            .flatten()
                    })
                    .and_then(|el| el.dyn_into::<HtmlElement>().ok())
                {
                    let _ = first.focus();
                }
            }
        });
    }
    // A form's own result: close on success, keep the form and show the error otherwise.
    {
        let (awaiting, error, on_open, button) = (
            awaiting.clone(),
            error.clone(),
            on_open.clone(),
            button.clone(),
        );
        let (label, taint) = (label.clone(), taint.clone());
        use_effect_with(props.outcome.clone(), move |outcome| {
            if let (Some(want), Some(got)) = (*awaiting, outcome.as_ref()) {
                if got.seq == want {
                    awaiting.set(None);
                    if got.ok {
                        error.set(None);
                        label.set(String::new());
                        taint.set(String::new());
                        on_open.emit(false);
                        focus(&button);
                    } else {
                        error.set(Some(got.message.clone()));
                    }
                }
            }
        });
    }

    let next_seq = props.outcome.as_ref().map_or(0, |o| o.seq) + 1;
    let close = {
        let (on_open, button, mode, error) =
            (on_open.clone(), button.clone(), mode.clone(), error.clone());
        Callback::from(move |()| {
            on_open.emit(false);
            mode.set(Mode::Menu);
            error.set(None);
            focus(&button);
        })
    };
    let on_button = {
        let (on_open, open, mode, error) =
            (on_open.clone(), props.open, mode.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            mode.set(Mode::Menu);
            error.set(None);
            on_open.emit(!open);
        })
    };
    let on_button_key = {
        let (on_open, mode) = (on_open.clone(), mode.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "ArrowDown" {
                e.prevent_default();
                mode.set(Mode::Menu);
                on_open.emit(true);
            }
        })
    };
    let on_popup_key = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                e.stop_propagation();
                close.emit(());
                return;
            }
            let target: Option<Element> = e.target().and_then(|t| t.dyn_into().ok());
            if let Some(target) =
                target.filter(|t| t.get_attribute("role").as_deref() == Some("menuitem"))
            {
                if move_focus(&target, &e.key()) {
                    e.prevent_default();
                }
            }
        })
    };
    let on_popup_focusout = {
        let (popup, on_open) = (popup.clone(), on_open.clone());
        Callback::from(move |e: FocusEvent| {
            // Tabbing out of the menu closes it; moving between its own items does not.
            let inside = e
                .related_target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .zip(popup.cast::<web_sys::Node>())
                .is_some_and(|(to, popup)| popup.contains(Some(&to)));
            if e.related_target().is_some() && !inside {
                on_open.emit(false);
            }
        })
    };
    let choose = {
        let (on_run, on_toggle, mode, close) = (
            props.on_run.clone(),
            on_toggle_labels.clone(),
            mode.clone(),
            close.clone(),
        );
        let name = name.clone();
        move |item: MenuItem| {
            let (on_run, on_toggle, mode, close, name) = (
                on_run.clone(),
                on_toggle.clone(),
                mode.clone(),
                close.clone(),
                name.clone(),
            );
            Callback::from(move |_: MouseEvent| match &item {
                MenuItem::Run { op, .. } => {
                    on_run.emit(op.command(&name));
                    close.emit(());
                }
                MenuItem::ToggleLabels { .. } => {
                    on_toggle.emit(());
                    close.emit(());
                }
                MenuItem::AddLabel => mode.set(Mode::Label),
                MenuItem::AddTaint => mode.set(Mode::Taint),
                MenuItem::ConfirmRemove => mode.set(Mode::Remove),
            })
        }
    };
    let submit = |op: Box<dyn Fn() -> NodeOp>| {
        let (on_run, awaiting, name) = (props.on_run.clone(), awaiting.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            awaiting.set(Some(next_seq));
            on_run.emit(op().command(&name));
        })
    };
    let on_cancel = close.reform(|_: MouseEvent| ());
    let text_input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            state.set(el.value());
        })
    };
    // One child node whether or not there is an error: Yew matches unkeyed siblings from the
    // end, so an error paragraph spliced in as an extra sibling would make it rebuild the
    // form's input (losing focus) instead of inserting the paragraph.
    let error_line = html! {
        if let Some(message) = (*error).clone() {
            <p class="node-form-error" role="alert">{ message }</p>
        }
    };

    let popup_body = match *mode {
        Mode::Menu => html! {
            <div class="node-menu" role="menu" id={menu_id.clone()} aria-label={format!("Actions for node {name}")}>
                { for menu(&props.node, props.labels_shown).into_iter().scan(0, |section, item| {
                    let separator = *section != section_of(&item);
                    *section = section_of(&item);
                    Some((separator, item))
                }).map(|(separator, item)| {
                    let text = item.text();
                    let class = classes!("node-menu-item", item.is_destructive().then_some("is-destructive"));
                    let command = match &item {
                        MenuItem::Run { op, .. } => Some(op.command(&name)),
                        _ => None,
                    };
                    let has_popup = matches!(&item, MenuItem::AddLabel | MenuItem::AddTaint | MenuItem::ConfirmRemove);
                    html! { <>
                        if separator {
                            <div class="node-menu-sep" role="separator"></div>
                        }
                        <button type="button" role="menuitem" tabindex="-1" class={class} title={command}
                            aria-haspopup={has_popup.then_some("dialog")} onclick={choose(item)}>{ text }</button>
                    </> }
                }) }
            </div>
        },
        Mode::Label => html! {
            <form class="node-form" aria-label={format!("Add a label to node {name}")}
                onsubmit={submit({ let label = (*label).clone(); Box::new(move || NodeOp::Label(label.clone())) })}>
                <label for={format!("label-{name}")}>{ format!("New label on {name}") }</label>
                <input id={format!("label-{name}")} class="node-form-input" type="text" placeholder="disktype=ssd"
                    autocomplete="off" spellcheck="false" autocapitalize="off"
                    value={(*label).clone()} oninput={text_input(&label)} />
                { error_line.clone() }
                <div class="node-form-actions">
                    <button type="button" class="btn btn-quiet" onclick={on_cancel.clone()}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary">{ "Add label" }</button>
                </div>
            </form>
        },
        Mode::Taint => html! {
            <form class="node-form" aria-label={format!("Add a taint to node {name}")}
                onsubmit={submit({
                    let (taint, effect) = ((*taint).clone(), (*effect).clone());
                    Box::new(move || NodeOp::Taint(taint_spec(&taint, &effect)))
                })}>
                <label for={format!("taint-{name}")}>{ format!("New taint on {name}: key or key=value") }</label>
                <input id={format!("taint-{name}")} class="node-form-input" type="text" placeholder="dedicated=gpu"
                    autocomplete="off" spellcheck="false" autocapitalize="off"
                    value={(*taint).clone()} oninput={text_input(&taint)} />
                <fieldset class="node-form-effects">
                    <legend>{ "Effect" }</legend>
                    { for TAINT_EFFECTS.iter().map(|e| {
                        let effect_state = effect.clone();
                        let value = e.to_string();
                        html! {
                            <label class="node-form-radio">
                                <input type="radio" name={format!("effect-{name}")} value={*e}
                                    checked={*effect == *e}
                                    onchange={Callback::from(move |_: Event| effect_state.set(value.clone()))} />
                                { *e }
                            </label>
                        }
                    }) }
                </fieldset>
                { error_line.clone() }
                <div class="node-form-actions">
                    <button type="button" class="btn btn-quiet" onclick={on_cancel.clone()}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary">{ "Add taint" }</button>
                </div>
            </form>
        },
        Mode::Remove => html! {
            <form class="node-form" aria-label={format!("Remove node {name}")}
                onsubmit={submit(Box::new(|| NodeOp::Remove))}>
                <p class="node-form-question">{ format!("Remove node {name}? Pods bound to it are deleted by the pod garbage collector.") }</p>
                { error_line.clone() }
                <div class="node-form-actions">
                    <button type="button" class="btn btn-quiet" onclick={on_cancel.clone()}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-danger node-form-submit">{ "Remove node" }</button>
                </div>
            </form>
        },
    };

    html! {
        <>
            <button type="button" ref={button.clone()} class={classes!("node-menu-button", props.open.then_some("is-open"))}
                style={props.anchor.clone()} data-node={name.clone()}
                aria-label={format!("Actions for node {name}")} aria-haspopup="menu"
                aria-expanded={props.open.to_string()} aria-controls={props.open.then(|| menu_id.clone())}
                onclick={on_button} onkeydown={on_button_key}>
                <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
                    <circle cx="3.5" cy="8" r="1.5" class="fill" />
                    <circle cx="8" cy="8" r="1.5" class="fill" />
                    <circle cx="12.5" cy="8" r="1.5" class="fill" />
                </svg>
            </button>
            if props.open {
                <div class="popup-backdrop" onclick={close.reform(|_: MouseEvent| ())}></div>
                <div class={classes!("node-popup", props.opens_right.then_some("opens-right"))} ref={popup}
                    style={if props.opens_right { props.left_anchor.clone() } else { props.anchor.clone() }} data-node={name}
                    onkeydown={on_popup_key} onfocusout={on_popup_focusout}>
                    { popup_body }
                </div>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::NGINX_DEPLOYMENT;
    use crate::state::{Action, Playground};

    /// A node as the picture sees it now.
    fn node_named(p: &Playground, name: &str) -> Rc<NodeView> {
        let node = p.view.nodes.iter().find(|n| n.name == name);
        Rc::clone(node.expect("the node exists"))
    }

    #[test]
    fn a_menu_is_redrawn_when_its_node_changes_and_not_when_its_pods_do() {
        let (on_open, on_run, on_toggle_labels) =
            (Callback::noop(), Callback::noop(), Callback::noop());
        let props = |node: Rc<NodeView>| NodeMenuProps {
            node,
            anchor: "left:50%;top:10%".into(),
            left_anchor: "left:20%;top:10%".into(),
            opens_right: false,
            open: false,
            labels_shown: false,
            outcome: None,
            on_open: on_open.clone(),
            on_run: on_run.clone(),
            on_toggle_labels: on_toggle_labels.clone(),
        };
        let mut p = Playground::default();
        p.update(Action::Apply(NGINX_DEPLOYMENT.to_string()));
        p.update(Action::Settle);
        let busy = p.view.nodes.iter().find(|n| !n.pods.is_empty());
        let name = busy.expect("a node runs a pod").name.clone();
        let before = node_named(&p, &name);

        p.update(Action::Run(
            "kubectl scale deployment nginx --replicas=12".into(),
        ));
        p.update(Action::Settle);
        let more_pods = node_named(&p, &name);
        assert_ne!(
            more_pods.pods, before.pods,
            "the scale-up put pods on the node"
        );
        assert!(props(before) == props(more_pods));

        for change in [
            format!("kubectl cordon {name}"),
            format!("kubectl label node {name} disk=ssd"),
            format!("kubectl taint node {name} gpu=yes:NoSchedule"),
        ] {
            let old = node_named(&p, &name);
            p.update(Action::Run(change.clone()));
            assert!(
                props(old) != props(node_named(&p, &name)),
                "{change} changes the menu"
            );
        }
    }
}
