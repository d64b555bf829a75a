//! Share: a link whose fragment rebuilds exactly this session (cluster, actions, time,
//! lesson and progress).

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareButtonProps {
    /// Makes the payload when asked (it can be long: not computed on every render).
    pub payload: Callback<(), String>,
}

/// The page's address without its fragment, plus `#s=` and the payload.
pub fn link_for(payload: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default();
    format!("{base}#s={payload}")
}

#[component]
pub fn ShareButton(props: &ShareButtonProps) -> Html {
    let link = use_state(|| None::<String>);
    let input = use_node_ref();
    let open = {
        let (link, payload) = (link.clone(), props.payload.clone());
        Callback::from(move |_: MouseEvent| {
            link.set(match *link {
                Some(_) => None,
                None => Some(link_for(&payload.emit(()))),
            })
        })
    };
    {
        // Select the link once shown, ready to copy.
        let input = input.clone();
        use_effect_with(link.is_some(), move |shown| {
            if *shown {
                if let Some(el) = input.cast::<HtmlInputElement>() {
                    let _ = el.focus();
                    el.select();
                }
            }
        });
    }
    let close = {
        let link = link.clone();
        Callback::from(move |_: MouseEvent| link.set(None))
    };
    html! {
        <div class="share">
            <button class="btn btn-small btn-topbar" id="share-button" aria-expanded={link.is_some().to_string()}
                aria-controls="share-popover" onclick={open}>{ "Share" }</button>
            if let Some(url) = &*link {
                <div class="share-popover" id="share-popover" role="dialog" aria-label="Share link">
                    <label for="share-link">{ "This link opens exactly this session:" }</label>
                    <input id="share-link" ref={input} readonly=true value={url.clone()}
                        aria-describedby="share-size" />
                    <p class="share-size" id="share-size">
                        { format!("{} characters. Copy it with Ctrl+C; it is not sent anywhere.", url.len()) }
                    </p>
                    <button class="btn btn-small" onclick={close}>{ "Close" }</button>
                </div>
            }
        </div>
    }
}
