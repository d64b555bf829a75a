//! The top bar's lesson menu: the built-in lessons, and a teacher's lesson from a file.

use kubeplay_core::lesson::builtin;
use kubeplay_core::lesson::MAX_LESSON_BYTES;
use kubeplay_core::share::LessonRef;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct LessonMenuProps {
    /// The built-in lesson followed, if any.
    pub current: Option<String>,
    pub dispatch: Callback<Action>,
}

/// Reads a chosen file's text, refusing one larger than a lesson may be.
async fn read_file(file: web_sys::File) -> Result<String, String> {
    if file.size() > MAX_LESSON_BYTES as f64 {
        return Err(format!(
            "{} is too large for a lesson (at most {} KiB).",
            file.name(),
            MAX_LESSON_BYTES / 1024
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{} could not be read.", file.name()))?;
    text.as_string()
        .ok_or_else(|| format!("{} is not text.", file.name()))
}

#[component]
pub fn LessonMenu(props: &LessonMenuProps) -> Html {
    // Parsed once: (id, title, summary).
    let lessons = use_memo((), |_| {
        builtin::all()
            .into_iter()
            .map(|l| (l.id, l.title, l.summary))
            .collect::<Vec<_>>()
    });
    let on_pick = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            else {
                return;
            };
            let id = select.value();
            if !id.is_empty() {
                dispatch.emit(Action::StartLesson(LessonRef::Builtin(id)));
            }
            select.set_value("");
        })
    };
    let on_file = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match read_file(file).await {
                    Ok(text) => dispatch.emit(Action::StartLesson(LessonRef::Source(text))),
                    Err(e) => dispatch.emit(Action::Note(e)),
                }
            });
        })
    };
    html! {
        <div class="lesson-menu">
            <label class="visually-hidden" for="lesson-select">{ "Start a lesson" }</label>
            <select id="lesson-select" class="topbar-select" onchange={on_pick}>
                <option value="" selected=true>{ "Lessons…" }</option>
                { for lessons.iter().map(|(id, title, summary)| html! {
                    <option value={id.clone()} title={summary.clone()}
                        disabled={props.current.as_deref() == Some(id.as_str())}>{ title.clone() }</option>
                }) }
            </select>
            <label class="btn btn-small btn-topbar" for="lesson-file" title="Open a lesson file (YAML)">{ "Open lesson…" }</label>
            <input type="file" id="lesson-file" class="visually-hidden" accept=".yaml,.yml,text/yaml"
                onchange={on_file} />
        </div>
    }
}
