//! A link-styled button that opens the inspector on one object; the inspector and the table
//! view use it for every object they name.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InspectLinkProps {
    /// `pod/default/web-0`, `node/worker-1`: what [`kubeplay_core::inspect::Target`] parses.
    pub target: AttrValue,
    pub text: AttrValue,
    pub on_inspect: Callback<String>,
}

#[component]
pub fn InspectLink(props: &InspectLinkProps) -> Html {
    let onclick = {
        let target = props.target.to_string();
        props.on_inspect.reform(move |_: MouseEvent| target.clone())
    };
    html! {
        <button type="button" class="link" data-inspect={props.target.clone()} onclick={onclick}>{ props.text.clone() }</button>
    }
}
