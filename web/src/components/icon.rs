//! Small inline icons for buttons, drawn as SVG so no icon font is needed.

use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IconName {
    Play,
    Pause,
    Step,
    Settle,
    Reset,
    Apply,
    Clear,
    Undo,
    Now,
}

#[derive(Properties, PartialEq)]
pub struct IconProps {
    pub name: IconName,
}

/// A 16×16 icon that inherits the text colour; hidden from assistive technology because the
/// button around it carries the label.
#[component]
pub fn Icon(props: &IconProps) -> Html {
    let shape = match props.name {
        IconName::Play => html! { <path d="M5 3.5v9l7.5-4.5z" class="fill" /> },
        IconName::Pause => {
            html! { <><rect x="4" y="3.5" width="3" height="9" rx="0.8" class="fill" /><rect x="9" y="3.5" width="3" height="9" rx="0.8" class="fill" /></> }
        }
        IconName::Step => {
            html! { <><path d="M3.5 3.5v9l6.5-4.5z" class="fill" /><rect x="10.5" y="3.5" width="2" height="9" rx="0.6" class="fill" /></> }
        }
        IconName::Settle => {
            html! { <><path d="M2 3.5v9l5.5-4.5zM8 3.5v9l5.5-4.5z" class="fill" /><rect x="13.5" y="3.5" width="1.6" height="9" rx="0.5" class="fill" /></> }
        }
        IconName::Reset => {
            html! { <><path d="M3.5 8a4.5 4.5 0 1 0 1.4-3.3" /><path d="M3.2 2.5v2.8H6" /></> }
        }
        IconName::Apply => html! { <path d="M3 8.5l3.2 3.2L13 4.8" /> },
        IconName::Clear => html! { <path d="M4 4l8 8M12 4l-8 8" /> },
        IconName::Undo => {
            html! { <><path d="M5.5 3.5 2.5 6.5l3 3" /><path d="M2.8 6.5H10a3.5 3.5 0 0 1 0 7H7" /></> }
        }
        IconName::Now => {
            html! { <><path d="M3 3.5l5 4.5-5 4.5" /><path d="M9 3.5l5 4.5-5 4.5" /></> }
        }
    };
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">{ shape }</svg>
    }
}
