//! The kubectl console: a pre-formatted log of commands and their output, and an input line
//! with ↑/↓ history.

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::icon::{Icon, IconName};
use crate::examples::CONSOLE_HINT;
use crate::state::{Action, ConsoleEntry};

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub entries: Vec<ConsoleEntry>,
    pub history: Vec<String>,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let input = use_state(String::new);
    // Position in `history` while browsing with ↑/↓; `None` means editing a new line.
    let cursor = use_state(|| None::<usize>);
    let log = use_node_ref();

    {
        let log = log.clone();
        use_effect_with(props.entries.clone(), move |_| {
            if let Some(el) = log.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let on_input = {
        let (input, cursor) = (input.clone(), cursor.clone());
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            input.set(el.value());
            cursor.set(None);
        })
    };
    let on_submit = {
        let (input, cursor, dispatch) = (input.clone(), cursor.clone(), props.dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !input.trim().is_empty() {
                dispatch.emit(Action::Run((*input).clone()));
            }
            input.set(String::new());
            cursor.set(None);
        })
    };
    let on_keydown = {
        let (input, cursor, history) = (input.clone(), cursor.clone(), props.history.clone());
        Callback::from(move |e: KeyboardEvent| {
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
                    autocapitalize="off" placeholder="get pods" aria-label="kubectl command; Enter runs it, up and down recall history"
                    value={(*input).clone()} oninput={on_input} onkeydown={on_keydown} />
                <button type="submit" class="btn" aria-label="Run command">{ "Run" }</button>
            </form>
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

    #[test]
    fn echo_adds_kubectl_except_for_sim_commands() {
        assert_eq!(echo("get pods"), "kubectl get pods");
        assert_eq!(echo("kubectl get pods"), "kubectl get pods");
        assert_eq!(echo("sim advance 30s"), "sim advance 30s");
    }
}
