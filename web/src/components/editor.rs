//! The manifest editor: a textarea with a line-number gutter, Apply (button or Ctrl+Enter),
//! and the outcome: created/configured lines, or errors marked on their lines.

use std::collections::BTreeMap;

use kubeplay_core::highlight::{highlight, Line, Token};
use kubeplay_core::templates::{self, TEMPLATES};
use web_sys::{HtmlElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::icon::{Icon, IconName};
use crate::autosave;
use crate::examples::NGINX_DEPLOYMENT;
use crate::state::ApplyOutcome;

/// Height of one editor line in CSS pixels; the stylesheet uses the same value.
const LINE_PX: i32 = 20;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub outcome: Option<ApplyOutcome>,
    pub apply_count: u64,
    pub on_apply: Callback<String>,
}

#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let text = use_state(|| autosave::load_draft().unwrap_or_else(|| NGINX_DEPLOYMENT.to_string()));
    let textarea = use_node_ref();
    let scroller = use_node_ref();
    let colours = use_node_ref();
    let lines = use_memo((*text).clone(), |text| highlight(text));
    // The textarea scrolls sideways on its own when the caret passes its edge; the coloured
    // copy under it follows.
    let on_scroll = {
        let colours = colours.clone();
        Callback::from(move |e: Event| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            if let Some(pre) = colours.cast::<HtmlElement>() {
                let _ = pre.style().set_property(
                    "transform",
                    &format!("translateX({}px)", -area.scroll_left()),
                );
            }
        })
    };

    let apply = {
        let (text, on_apply) = (text.clone(), props.on_apply.clone());
        move || on_apply.emit((*text).clone())
    };
    let on_click = {
        let apply = apply.clone();
        Callback::from(move |_: MouseEvent| apply())
    };
    let on_keydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            apply();
        }
    });
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            let value = area.value();
            autosave::save_draft(&value);
            text.set(value);
        })
    };
    let on_template = {
        let text = text.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(t) = templates::find(&select.value()) {
                autosave::save_draft(t.text);
                text.set(t.text.to_string());
            }
            select.set_value("");
        })
    };

    // A new rejection scrolls its first marked line into view.
    {
        let scroller = scroller.clone();
        let first = first_error_line(&props.outcome);
        use_effect_with(props.apply_count, move |_| {
            if let (Some(line), Some(scroll)) = (first, scroller.cast::<HtmlElement>()) {
                scroll_to_line(&scroll, line);
            }
        });
    }

    // Errors by line, for the gutter; several errors on one line share a mark.
    let mut marks: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    if let Some(ApplyOutcome::Rejected { errors }) = &props.outcome {
        for e in errors {
            if let Some(line) = e.line {
                marks.entry(line).or_default().push(e.message.clone());
            }
        }
    }
    let line_count = text.split('\n').count().max(1);
    let jump = |line: usize| {
        let (text, textarea, scroller) = (text.clone(), textarea.clone(), scroller.clone());
        Callback::from(move |_: MouseEvent| select_line(&text, line, &textarea, &scroller))
    };

    html! {
        <section class="panel editor-panel" aria-labelledby="editor-heading">
            <div class="panel-head">
                <h2 id="editor-heading">{ "Manifest" }</h2>
                <span class="panel-meta">{ "YAML · several documents may be separated by ---" }</span>
            </div>
            <div class="code" ref={scroller.clone()}>
                <div class="gutter" aria-hidden="true">
                    { for (1..=line_count).map(|line| match marks.get(&line) {
                        Some(messages) => html! {
                            <div class="gutter-line error" data-line={line.to_string()} title={messages.join("\n")}>{ line }</div>
                        },
                        None => html! { <div class="gutter-line" data-line={line.to_string()}>{ line }</div> },
                    }) }
                </div>
                <div class="code-body">
                    { for marks.keys().map(|line| html! {
                        <div class="error-band" style={format!("top: {}px", (*line as i32 - 1) * LINE_PX + 8)} aria-hidden="true"></div>
                    }) }
                    <pre class="code-colours" aria-hidden="true" ref={colours}>
                        { for lines.iter().map(coloured_line) }
                    </pre>
                    <textarea id="yaml-editor" data-testid="yaml-editor" ref={textarea.clone()}
                        aria-label="Manifest YAML" aria-describedby="apply-result"
                        spellcheck="false" autocomplete="off" wrap="off"
                        style={format!("--lines: {line_count}")}
                        value={(*text).clone()} oninput={on_input} onkeydown={on_keydown} onscroll={on_scroll} />
                </div>
            </div>
            <div class="editor-actions">
                <button id="apply-button" data-testid="apply-button" class="btn btn-primary"
                    aria-label="Apply manifest (Ctrl+Enter)" onclick={on_click}>
                    <Icon name={IconName::Apply} /><span>{ "Apply" }</span>
                </button>
                <span class="kbd-hint" aria-hidden="true"><kbd>{ "Ctrl" }</kbd>{ "+" }<kbd>{ "Enter" }</kbd></span>
                <select id="template-select" class="template-select push-right"
                    aria-label="Replace the editor text with a template" onchange={on_template}>
                    <option value="" selected=true>{ "Templates…" }</option>
                    { for TEMPLATES.iter().map(|t| html! { <option value={t.id}>{ t.label }</option> }) }
                </select>
            </div>
            <div id="apply-result" class="apply-result" role="status" aria-live="polite" data-apply-count={props.apply_count.to_string()}>
                { match &props.outcome {
                    None => html! { <p class="empty-note">{ "Edit the manifest, then Apply to create or update its objects." }</p> },
                    Some(ApplyOutcome::Applied { lines, notices, changes }) => html! {
                        <>
                            <ul class="apply-lines" id="apply-lines">
                                { for lines.iter().map(|l| html! { <li class="ok">{ l.clone() }</li> }) }
                                { for notices.iter().map(|l| html! { <li class="notice">{ l.clone() }</li> }) }
                            </ul>
                            if !changes.is_empty() {
                                <ul class="apply-changes" id="apply-changes" aria-label="What changed">
                                    { for changes.iter().map(|l| html! { <li>{ l.clone() }</li> }) }
                                </ul>
                            }
                        </>
                    },
                    Some(ApplyOutcome::Rejected { errors }) => html! {
                        <ul class="apply-errors" id="apply-errors">
                            { for errors.iter().map(|e| match e.line {
                                Some(line) => html! {
                                    <li class="error" data-line={line.to_string()}>
                                        <button class="line-link" aria-label={format!("Go to line {line}")} onclick={jump(line)}>
                                            { format!("line {line}") }
                                        </button>
                                        <span>{ e.message.clone() }</span>
                                    </li>
                                },
                                None => html! { <li class="error"><span>{ e.message.clone() }</span></li> },
                            }) }
                        </ul>
                    },
                } }
            </div>
        </section>
    }
}

/// One line of the coloured copy: a span per token, classed by its kind.
fn coloured_line(line: &Line) -> Html {
    html! {
        <div class="hl-line">
            { for line.spans.iter().map(|span| match token_class(span.kind) {
                Some(class) => html! { <span class={class}>{ span.text.clone() }</span> },
                None => html! { { span.text.clone() } },
            }) }
        </div>
    }
}

fn token_class(token: Token) -> Option<&'static str> {
    Some(match token {
        Token::Key => "tok-key",
        Token::String => "tok-string",
        Token::Number => "tok-number",
        Token::Bool => "tok-bool",
        Token::Comment => "tok-comment",
        Token::Punct => "tok-punct",
        Token::Anchor => "tok-anchor",
        Token::Plain => "tok-plain",
        Token::Space => return None,
    })
}

/// Puts the caret on `line` (1-based), selects it and scrolls it into view.
fn select_line(text: &str, line: usize, textarea: &NodeRef, scroller: &NodeRef) {
    let Some(area) = textarea.cast::<HtmlTextAreaElement>() else {
        return;
    };
    // The DOM counts UTF-16 code units.
    let start: usize = text
        .split('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.encode_utf16().count() + 1)
        .sum();
    let len = text
        .split('\n')
        .nth(line.saturating_sub(1))
        .map_or(0, |l| l.encode_utf16().count());
    let _ = area.focus();
    let _ = area.set_selection_range(start as u32, (start + len) as u32);
    if let Some(scroll) = scroller.cast::<HtmlElement>() {
        scroll_to_line(&scroll, line);
    }
}

/// Scrolls the editor so `line` (1-based) sits a few lines below the top.
fn scroll_to_line(scroll: &HtmlElement, line: usize) {
    let line = i32::try_from(line).unwrap_or(i32::MAX);
    scroll.set_scroll_top(line.saturating_sub(4).saturating_mul(LINE_PX).max(0));
}

fn first_error_line(outcome: &Option<ApplyOutcome>) -> Option<usize> {
    match outcome {
        Some(ApplyOutcome::Rejected { errors }) => errors.iter().filter_map(|e| e.line).min(),
        _ => None,
    }
}
