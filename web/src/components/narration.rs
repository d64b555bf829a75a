//! The narration: the newest Events, as the controllers record them, in a live region so a
//! screen reader announces what the cluster just did (each line once: lines are keyed).

use std::rc::Rc;

use kubeplay_core::view::EventLine;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub events: Rc<Vec<EventLine>>,
}

#[component]
pub fn Narration(props: &NarrationProps) -> Html {
    // Every child of the list is keyed, so Yew diffs the lines by key and a line that stays is
    // the same element (it diffs by position, recreating them, when any child is unkeyed).
    let lines: Vec<Html> = if props.events.is_empty() {
        vec![html! { <li class="narration-empty" key="none">{ "Nothing has happened yet." }</li> }]
    } else {
        props
            .events
            .iter()
            .map(|e| {
                html! {
                    <li key={e.id.clone()} class={classes!(e.warning.then_some("is-warning"))}>
                        <span class="narration-clock">{ e.clock.clone() }</span>
                        <span class="narration-text">{ e.text.clone() }</span>
                    </li>
                }
            })
            .collect()
    };
    html! {
        <div class="narration" aria-labelledby="narration-heading">
            <h3 id="narration-heading" class="narration-heading">{ "Latest event" }</h3>
            <ol id="narration" class="narration-lines" role="log" aria-live="polite" aria-relevant="additions">
                { for lines }
            </ol>
        </div>
    }
}
