//! The timeline: a slider over the session's simulated time with a mark for every action,
//! "Back to now" while looking at the past, and Undo.
//!
//! Dragging the slider (or its arrow keys) dispatches [`Action::Scrub`]; the reducer rebuilds
//! the cluster at that moment from the recorded session.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::icon::{Icon, IconName};
use crate::state::{Action, Mark};
use kubeplay_core::time::SimTime;

/// Slider resolution in milliseconds of simulated time.
const STEP_MS: u64 = 100;

#[derive(Properties, PartialEq)]
pub struct TimelineBarProps {
    pub begin: SimTime,
    pub end: SimTime,
    pub viewing: Option<SimTime>,
    pub marks: Rc<Vec<Mark>>,
    pub can_undo: bool,
    pub dispatch: Callback<Action>,
}

/// Where `at` sits along the track, in percent.
fn percent(begin: SimTime, end: SimTime, at: SimTime) -> f64 {
    let span = end.0.saturating_sub(begin.0);
    if span == 0 {
        return 100.0;
    }
    (at.0.saturating_sub(begin.0) as f64 / span as f64 * 100.0).clamp(0.0, 100.0)
}

#[component]
pub fn TimelineBar(props: &TimelineBarProps) -> Html {
    // The range snaps to whole steps from `min`, so its top is the end rounded up: there the
    // reducer shows the live cluster.
    let top = props.end.0.div_ceil(STEP_MS) * STEP_MS;
    let shown = props.viewing.map_or(top, |t| t.0);
    let on_input = props.dispatch.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Action::Scrub(input.value().parse::<u64>().unwrap_or(u64::MAX))
    });
    let on_now = props.dispatch.reform(|_: MouseEvent| Action::BackToNow);
    let on_undo = props.dispatch.reform(|_: MouseEvent| Action::Undo);
    let jump = |at: SimTime| {
        props
            .dispatch
            .reform(move |_: MouseEvent| Action::Scrub(at.0))
    };
    let valuetext = match props.viewing {
        Some(at) => format!("{} of {}, looking back", at.clock(), props.end.clock()),
        None => format!("{}, now", props.end.clock()),
    };
    html! {
        <div class={classes!("timeline", props.viewing.is_some().then_some("is-past"))} role="group" aria-label="Timeline">
            <button id="undo-button" class="btn btn-small" disabled={!props.can_undo}
                aria-label="Undo the last action" title={props.marks.last().map(|m| format!("Undo: {}", m.label))}
                onclick={on_undo}>
                <Icon name={IconName::Undo} /><span>{ "Undo" }</span>
            </button>
            <span class="timeline-begin" aria-hidden="true">{ props.begin.clock() }</span>
            <div class="timeline-track">
                <div class="timeline-marks" aria-hidden="true">
                    { for props.marks.iter().enumerate().map(|(i, mark)| html! {
                        <button class="timeline-mark" tabindex="-1" key={i} data-at={mark.at.0.to_string()}
                            style={format!("left: {:.3}%", percent(props.begin, props.end, mark.at))}
                            title={format!("{} · {}", mark.at.clock(), mark.label)}
                            onclick={jump(mark.at)}></button>
                    }) }
                </div>
                <input id="timeline" type="range" class="timeline-range"
                    min={props.begin.0.to_string()} max={top.to_string()} step={STEP_MS.to_string()}
                    value={shown.to_string()}
                    aria-label="Timeline: the moment of simulated time the picture shows"
                    aria-valuetext={valuetext}
                    disabled={props.end == props.begin}
                    oninput={on_input} />
            </div>
            <output id="timeline-clock" class={classes!("timeline-clock", props.viewing.is_some().then_some("is-past"))}>
                { match props.viewing {
                    Some(at) => format!("{} / {}", at.clock(), props.end.clock()),
                    None => format!("{} now", props.end.clock()),
                } }
            </output>
            if props.viewing.is_some() {
                <button id="back-to-now" class="btn btn-small btn-primary" aria-label="Back to now: show the live cluster" onclick={on_now}>
                    <Icon name={IconName::Now} /><span>{ "Back to now" }</span>
                </button>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_sit_in_proportion_along_the_track() {
        assert_eq!(percent(SimTime(0), SimTime(0), SimTime(0)), 100.0);
        assert_eq!(percent(SimTime(1000), SimTime(3000), SimTime(2000)), 50.0);
        assert_eq!(percent(SimTime(1000), SimTime(3000), SimTime(0)), 0.0);
        assert_eq!(percent(SimTime(1000), SimTime(3000), SimTime(9000)), 100.0);
    }
}
