//! Autosave: the session and the editor's draft kept in the browser's local storage, so a
//! reload brings back the same cluster.
//!
//! Storage can be missing (disabled by the browser), full, or hold something this build
//! cannot read; each case gives a message and the page goes on without it. Nothing here
//! throws: every `web_sys` call that can fail is matched.

use web_sys::Storage;

use crate::state::Playground;

/// Where the session is kept. The session carries its own format version.
pub const SESSION_KEY: &str = "kubeplay.session";
/// Where the editor's text is kept.
pub const DRAFT_KEY: &str = "kubeplay.editor";
/// Set by the panic hook: the message of a panic that stopped the page.
pub const CRASH_KEY: &str = "kubeplay.crashed";
/// Where "Start over" on the crash screen moves the session, so that it is not lost.
pub const SET_ASIDE_KEY: &str = "kubeplay.session.before-crash";

fn storage() -> Result<Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match window.local_storage() {
        Ok(Some(storage)) => Ok(storage),
        Ok(None) | Err(_) => Err("this browser does not allow local storage here".to_string()),
    }
}

/// What loading found: the playground to start with, and a message when the saved session
/// could not be used.
pub struct Loaded {
    pub playground: Playground,
    pub problem: Option<String>,
}

/// The saved session, or a fresh cluster (with a message saying why, when one was saved but
/// cannot be read).
pub fn load() -> Loaded {
    let saved = match storage().map(|s| s.get_item(SESSION_KEY)) {
        Ok(Ok(saved)) => saved,
        Ok(Err(_)) | Err(_) => {
            return Loaded {
                playground: Playground::default(),
                problem: Some(
                    "Autosave is off: this browser does not allow local storage here.".to_string(),
                ),
            }
        }
    };
    let crashed = take_crash();
    match saved.map(|json| Playground::restore(&json)) {
        None => Loaded {
            playground: Playground::default(),
            problem: crashed.map(|_| {
                "kubeplay stopped after an internal error; started a fresh cluster.".to_string()
            }),
        },
        Some(Ok(playground)) => Loaded {
            playground,
            problem: crashed.map(|_| {
                "kubeplay stopped after an internal error; your session was restored from its last autosave."
                    .to_string()
            }),
        },
        Some(Err(e)) => Loaded {
            playground: Playground::default(),
            problem: Some(format!(
                "The session saved in this browser could not be restored ({e}); started a fresh cluster."
            )),
        },
    }
}

/// Saves the session; the error says why it could not be. After a panic nothing is saved:
/// the state in memory may be half-updated, and the last good save must survive.
pub fn save(json: &str) -> Result<(), String> {
    if crate::crash::panicked() {
        return Ok(());
    }
    let storage = storage()
        .map_err(|e| format!("Autosave is off: {e}; this session will not survive a reload."))?;
    storage.set_item(SESSION_KEY, json).map_err(|_| {
        "Autosave failed: local storage is full or disabled; this session will not survive a reload."
            .to_string()
    })
}

/// The editor's saved text, if any.
pub fn load_draft() -> Option<String> {
    storage().ok()?.get_item(DRAFT_KEY).ok().flatten()
}

/// Saves the editor's text; failures are reported by [`save`], which runs as often.
pub fn save_draft(text: &str) {
    if crate::crash::panicked() {
        return;
    }
    if let Ok(storage) = storage() {
        let _ = storage.set_item(DRAFT_KEY, text);
    }
}

/// Records that a panic stopped the page, for the next start to say so.
pub fn mark_crash(message: &str) {
    if let Ok(storage) = storage() {
        let _ = storage.set_item(CRASH_KEY, message);
    }
}

/// The recorded panic, if any, cleared so that it is told once.
fn take_crash() -> Option<String> {
    let storage = storage().ok()?;
    let message = storage.get_item(CRASH_KEY).ok().flatten()?;
    let _ = storage.remove_item(CRASH_KEY);
    Some(message)
}

/// "Start over" after a crash: the saved session moves to [`SET_ASIDE_KEY`] (replacing an
/// older one there) and the next start is a fresh cluster.
pub fn set_aside() {
    if let Ok(storage) = storage() {
        if let Ok(Some(saved)) = storage.get_item(SESSION_KEY) {
            let _ = storage.set_item(SET_ASIDE_KEY, &saved);
        }
        let _ = storage.remove_item(SESSION_KEY);
    }
}
