//! Play/pause, single step, speed, run-until-settled, reset, and the simulated clock.

use yew::prelude::*;

use super::icon::{Icon, IconName};
use crate::state::{Action, Speed};

#[derive(Properties, PartialEq)]
pub struct TimeControlsProps {
    pub clock: AttrValue,
    pub playing: bool,
    pub speed: Speed,
    pub next_event: Option<String>,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn TimeControls(props: &TimeControlsProps) -> Html {
    let send = |action: Action| props.dispatch.reform(move |_: MouseEvent| action.clone());
    let (play_icon, play_label, play_text) = if props.playing {
        (IconName::Pause, "Pause the simulation", "Pause")
    } else {
        (IconName::Play, "Play the simulation", "Play")
    };
    let next = match &props.next_event {
        Some(at) => format!("next event at {at}"),
        None => "nothing scheduled".to_string(),
    };
    html! {
        <div class="time-controls" role="toolbar" aria-label="Simulated time">
            <button id="play-button" class={classes!("btn", "btn-primary", props.playing.then_some("is-playing"))}
                aria-label={play_label} aria-pressed={props.playing.to_string()} onclick={send(Action::TogglePlay)}>
                <Icon name={play_icon} /><span>{ play_text }</span>
            </button>
            <button id="step-button" class="btn" aria-label="Step to the next scheduled event" title="Step to the next event"
                onclick={send(Action::Step)}>
                <Icon name={IconName::Step} /><span>{ "Step" }</span>
            </button>
            <div class="segmented" role="group" aria-label="Playback speed">
                { for Speed::ALL.iter().map(|&speed| html! {
                    <button class={classes!("seg", (speed == props.speed).then_some("is-active"))}
                        data-speed={speed.label()}
                        aria-label={format!("Speed {}", speed.label())}
                        aria-pressed={(speed == props.speed).to_string()}
                        onclick={send(Action::SetSpeed(speed))}>
                        { speed.label() }
                    </button>
                }) }
            </div>
            <button id="settle-button" class="btn" aria-label="Run until settled" title="Run until nothing is scheduled"
                onclick={send(Action::Settle)}>
                <Icon name={IconName::Settle} /><span>{ "Settle" }</span>
            </button>
            <button id="reset-button" class="btn btn-quiet" aria-label="Reset to a fresh cluster" title="Start again with a fresh cluster"
                onclick={send(Action::Reset)}>
                <Icon name={IconName::Reset} />
            </button>
            <div class="clock">
                <output id="sim-clock" class="clock-value" aria-label="Simulated time">{ props.clock.clone() }</output>
                <div class="clock-meta">
                    <span class="clock-label">{ "simulated time" }</span>
                    <span class="clock-next" id="sim-next">{ next }</span>
                </div>
            </div>
        </div>
    }
}
