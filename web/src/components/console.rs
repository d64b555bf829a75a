//! The kubectl console: a pre-formatted log of commands and their output, and an input line
//! with ↑/↓ history.

use std::rc::Rc;

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use kubeplay_core::kubectl::Completion;

use super::icon::{Icon, IconName};
use crate::examples::CONSOLE_HINT;
use crate::state::{Action, ConsoleEntry};

/// Candidates listed under the input at most; the rest are counted.
const CANDIDATES_SHOWN: usize = 40;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub entries: Rc<Vec<ConsoleEntry>>,
    pub history: Rc<Vec<String>>,
    pub dispatch: Callback<Action>,
    /// What Tab may complete a line to.
    pub complete: Callback<String, Completion>,
}

/// The line after Tab: the word being completed replaced by the candidates' common prefix,
/// and a space after it when it is the only candidate and a whole word.
pub fn completed(line: &str, c: &Completion) -> String {
    let start = c.start.min(line.len());
    let head = line.get(..start).unwrap_or(line);
    let mut next = format!("{head}{}", c.common);
    if c.candidates.len() == 1 && !c.common.ends_with(['/', '=']) {
        next.push(' ');
    }
    next
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let input = use_state(String::new);
    // Position in `history` while browsing with ↑/↓; `None` means editing a new line.
    let cursor = use_state(|| None::<usize>);
    let log = use_node_ref();
    // The candidates shown after a Tab that had several.
    let choices = use_state(Vec::<String>::new);

    {
        let log = log.clone();
        use_effect_with(props.entries.clone(), move |_| {
            if let Some(el) = log.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let on_input = {
        let (input, cursor, choices) = (input.clone(), cursor.clone(), choices.clone());
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            input.set(el.value());
            cursor.set(None);
            choices.set(Vec::new());
        })
    };
    let on_submit = {
        let (input, cursor, dispatch, choices) = (
            input.clone(),
            cursor.clone(),
            props.dispatch.clone(),
            choices.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            choices.set(Vec::new());
            if !input.trim().is_empty() {
                dispatch.emit(Action::Run((*input).clone()));
            }
            input.set(String::new());
            cursor.set(None);
        })
    };
    let on_keydown = {
        let (input, cursor, history, choices, complete) = (
            input.clone(),
            cursor.clone(),
            props.history.clone(),
            choices.clone(),
            props.complete.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            // Tab completes the last word; on an empty line, or with Shift, it moves focus as
            // usual so the console is never a keyboard trap.
            if e.key() == "Tab" && !e.shift_key() && !input.trim().is_empty() {
                let c = complete.emit((*input).clone());
                if c.candidates.is_empty() {
                    return;
                }
                e.prevent_default();
                input.set(completed(&input, &c));
                choices.set(if c.candidates.len() > 1 {
                    c.candidates
                } else {
                    Vec::new()
                });
                return;
            }
            if e.key() == "Escape" && !choices.is_empty() {
                choices.set(Vec::new());
                return;
            }
            let next = match e.key().as_str() {
                "ArrowUp" => recall_older(*cursor, history.len()),
                "ArrowDown" => recall_newer(*cursor, history.len()),
                _ => return,
            };
            e.prevent_default();
            if next == *cursor {
                return;
            }
            input.set(
                next.and_then(|i| history.get(i).cloned())
                    .unwrap_or_default(),
            );
            cursor.set(next);
        })
    };
    let on_clear = props.dispatch.reform(|_: MouseEvent| Action::ClearConsole);

    html! {
        <section class="panel console-panel" aria-labelledby="console-heading">
            <div class="panel-head">
                <h2 id="console-heading">{ "Console" }</h2>
                <button class="btn btn-quiet btn-small push-right" aria-label="Clear the console output" onclick={on_clear}>
                    <Icon name={IconName::Clear} /><span>{ "Clear" }</span>
                </button>
            </div>
            <pre id="console-output" data-testid="console-output" class="console-output" ref={log}
                role="log" aria-live="polite" aria-label="Console output" tabindex="0">
                if props.entries.is_empty() {
                    <span class="hint">{ CONSOLE_HINT }</span>
                }
                { for props.entries.iter().map(|entry| html! {
                    <span class={classes!("entry", (!entry.ok).then_some("failed"))}>
                        <span class="prompt">{ "$ " }</span>
                        <span class="command">{ echo(&entry.command) }</span>{ "\n" }
                        if !entry.stdout.is_empty() {
                            <span class="stdout">{ entry.stdout.clone() }</span>
                        }
                        if !entry.stderr.is_empty() {
                            <span class="stderr">{ entry.stderr.clone() }</span>
                        }
                    </span>
                }) }
            </pre>
            <form class="console-form" onsubmit={on_submit}>
                <label for="console-input" class="console-prompt">{ "kubectl" }</label>
                <input id="console-input" data-testid="console-input" type="text" autocomplete="off" spellcheck="false"
                    autocapitalize="off" placeholder="get pods" aria-label="kubectl command; Enter runs it, Tab completes, up and down recall history"
                    value={(*input).clone()} oninput={on_input} onkeydown={on_keydown} />
                <button type="submit" class="btn" aria-label="Run command">{ "Run" }</button>
            </form>
            <div id="console-completions" class="console-completions" aria-live="polite">
                if !choices.is_empty() {
                    <span class="hint">{ format!("{} completions:", choices.len()) }</span>
                    { for choices.iter().take(CANDIDATES_SHOWN).map(|c| html! { <code>{ c.clone() }</code> }) }
                    if choices.len() > CANDIDATES_SHOWN {
                        <span class="hint">{ format!("and {} more", choices.len() - CANDIDATES_SHOWN) }</span>
                    }
                }
            </div>
        </section>
    }
}

/// The command as echoed in the log: always with its `kubectl` prefix unless it is a `sim` one.
fn echo(command: &str) -> String {
    if command.starts_with("kubectl ") || command.starts_with("sim ") || command == "sim" {
        command.to_string()
    } else {
        format!("kubectl {command}")
    }
}

/// ↑: from a new line go to the newest command; otherwise one older, stopping at the oldest.
fn recall_older(cursor: Option<usize>, len: usize) -> Option<usize> {
    match cursor {
        _ if len == 0 => None,
        None => Some(len - 1),
        Some(i) => Some(i.saturating_sub(1)),
    }
}

/// ↓: one newer; past the newest, back to an empty new line.
fn recall_newer(cursor: Option<usize>, len: usize) -> Option<usize> {
    match cursor {
        Some(i) if i + 1 < len => Some(i + 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_walks_back_to_the_oldest_and_down_returns_to_a_new_line() {
        assert_eq!(recall_older(None, 0), None);
        assert_eq!(recall_older(None, 3), Some(2));
        assert_eq!(recall_older(Some(2), 3), Some(1));
        assert_eq!(recall_older(Some(0), 3), Some(0));
        assert_eq!(recall_newer(Some(0), 3), Some(1));
        assert_eq!(recall_newer(Some(2), 3), None);
        assert_eq!(recall_newer(None, 3), None);
    }

    fn completion(start: usize, candidates: &[&str], common: &str) -> Completion {
        Completion {
            start,
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            common: common.into(),
        }
    }

    #[test]
    fn tab_puts_in_the_common_prefix_and_a_space_after_a_whole_word() {
        assert_eq!(completed("ge", &completion(0, &["get"], "get")), "get ");
        assert_eq!(
            completed(
                "get po",
                &completion(4, &["pods", "poddisruptionbudgets"], "pod")
            ),
            "get pod"
        );
        assert_eq!(
            completed(
                "rollout undo deploy",
                &completion(13, &["deployment/"], "deployment/")
            ),
            "rollout undo deployment/"
        );
        // A start past the end (never produced, but never a panic either).
        assert_eq!(completed("x", &completion(9, &["y"], "y")), "xy ");
    }

    #[test]
    fn echo_adds_kubectl_except_for_sim_commands() {
        assert_eq!(echo("get pods"), "kubectl get pods");
        assert_eq!(echo("kubectl get pods"), "kubectl get pods");
        assert_eq!(echo("sim advance 30s"), "sim advance 30s");
    }
}
