//! What the page does when the wasm code panics: a panic stops the simulation for good, so
//! instead of a page that silently stops answering, a modal says what happened and offers a
//! reload. The last autosave is kept untouched (autosave stops writing once a panic has
//! happened, so a half-updated state is never saved), and the reload restores it.
//!
//! The screen is drawn with plain DOM calls, not Yew: after a panic the component tree can no
//! longer be trusted. Text goes in as text nodes, never as HTML.

use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::autosave;

static PANICKED: AtomicBool = AtomicBool::new(false);

/// Whether a panic has happened in this page.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// Installs the panic hook, through Yew so that its renderer does not replace it with its
/// default (which only logs to the console). Safe to call more than once.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let first = !PANICKED.swap(true, Ordering::SeqCst);
        let message = info.to_string();
        web_sys::console::error_1(&format!("kubeplay panicked: {message}").into());
        if first {
            autosave::mark_crash(&message);
            let _ = show(&message);
        }
    }));
}

/// Draws the crash screen over the page.
fn show(message: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let body = document.body()?;
    let el = |tag: &str| document.create_element(tag).ok();
    let overlay = el("div")?;
    overlay.set_id("crash");
    overlay.set_class_name("crash");
    let dialog = el("div")?;
    dialog.set_class_name("crash-dialog");
    dialog.set_attribute("role", "alertdialog").ok()?;
    dialog.set_attribute("aria-modal", "true").ok()?;
    dialog
        .set_attribute("aria-labelledby", "crash-title")
        .ok()?;
    dialog
        .set_attribute("aria-describedby", "crash-text")
        .ok()?;
    let title = el("h2")?;
    title.set_id("crash-title");
    title.set_text_content(Some("kubeplay stopped after an internal error"));
    let text = el("p")?;
    text.set_id("crash-text");
    text.set_text_content(Some(
        "The simulation cannot go on in this page. Your session as last autosaved is kept in \
         this browser: reload to continue from it. If the error comes back, start over; the \
         saved session is then kept aside, not deleted.",
    ));
    let details = el("details")?;
    let summary = el("summary")?;
    summary.set_text_content(Some("Error details"));
    let pre = el("pre")?;
    pre.set_id("crash-message");
    pre.set_text_content(Some(message));
    details.append_child(&summary).ok()?;
    details.append_child(&pre).ok()?;
    let actions = el("div")?;
    actions.set_class_name("crash-actions");
    let reload = button(&document, "crash-reload", "Reload", false)?;
    let over = button(&document, "crash-start-over", "Start over", true)?;
    actions.append_child(&reload).ok()?;
    actions.append_child(&over).ok()?;
    for child in [&title, &text, &details, &actions] {
        dialog.append_child(child).ok()?;
    }
    overlay.append_child(&dialog).ok()?;
    body.append_child(&overlay).ok()?;
    if let Some(b) = reload.dyn_ref::<web_sys::HtmlElement>() {
        let _ = b.focus();
    }
    Some(())
}

fn button(
    document: &web_sys::Document,
    id: &str,
    label: &str,
    start_over: bool,
) -> Option<web_sys::Element> {
    let b = document.create_element("button").ok()?;
    b.set_id(id);
    b.set_attribute("type", "button").ok()?;
    b.set_class_name(if start_over { "secondary" } else { "primary" });
    b.set_text_content(Some(label));
    // The handlers do as little as possible in wasm: set storage aside, then reload.
    let click = Closure::<dyn FnMut()>::new(move || {
        if start_over {
            autosave::set_aside();
        }
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    b.add_event_listener_with_callback("click", click.as_ref().unchecked_ref())
        .ok()?;
    click.forget();
    Some(b)
}

/// Panics, for the end-to-end test of this screen: `window.wasmBindings.simulate_panic()`
/// from the page's own JavaScript (a WebDriver script). Nothing in the page calls it, and no
/// address, link or lesson can reach it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn simulate_panic() {
    panic!("simulated panic: window.wasmBindings.simulate_panic() was called");
}
