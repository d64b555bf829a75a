//! kubeplay's page: a Yew shell over `kubeplay_core`.
//!
//! Architecture invariant: this crate only maps the core's view-model to markup and user input
//! to core calls. The reducer ([`state`]) owns the world; layout ([`layout`]) is a pure function
//! tested natively; each component in [`components`] is one file with small props.
//!
//! It is a library so that the browser component tests (`web/tests/`) can mount single
//! components; `main.rs` only starts [`components::app::App`].

pub mod autosave;
pub mod components;
pub mod crash;
pub mod examples;
pub mod format;
pub mod hooks;
pub mod layout;
pub mod lesson_state;
pub mod node_ops;
pub mod page_options;
pub mod pod_style;
pub mod state;
pub mod storage_layout;
pub mod storage_style;
pub mod workload_ops;

/// Installs the crash screen ([`crash`]) and mounts the page on the document body.
pub fn start() {
    crash::install();
    yew::Renderer::<components::app::App>::new().render();
}
