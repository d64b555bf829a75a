//! kubeplay's page: a Yew shell over `kubeplay_core`.
//!
//! Architecture invariant: this crate only maps the core's view-model to markup and user input
//! to core calls. The reducer ([`state`]) owns the world; layout ([`layout`]) is a pure function
//! tested natively; each component in [`components`] is one file with small props.

mod autosave;
mod components;
mod examples;
mod format;
mod hooks;
mod layout;
mod lesson_state;
mod node_ops;
mod page_options;
mod pod_style;
mod state;
mod storage_layout;
mod storage_style;
mod workload_ops;

fn main() {
    yew::Renderer::<components::app::App>::new().render();
}
