//! Side effects as hooks: the playback timer.

use gloo::timers::callback::Interval;
use yew::prelude::*;

/// Calls `on_tick` every `period_ms` of wall-clock time while `active` is true.
///
/// The interval is dropped (and so cancelled) when `active` turns false or the component
/// goes away. The callback only dispatches; the reducer decides what a tick means.
#[hook]
pub fn use_interval(active: bool, period_ms: u32, on_tick: Callback<()>) {
    use_effect_with((active, period_ms), move |&(active, period_ms)| {
        let interval = active.then(|| Interval::new(period_ms, move || on_tick.emit(())));
        move || drop(interval)
    });
}
