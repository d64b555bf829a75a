//! Side effects as hooks: the playback timer.

use std::cell::Cell;
use std::rc::Rc;

use gloo::timers::callback::Interval;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Runs `f` in a task of its own just after the browser has drawn its next frame, so that the
/// task has most of a frame's time before the browser draws again. (A `requestAnimationFrame`
/// callback runs just *before* the frame is drawn, and its work delays that frame; the timeout
/// it queues runs after.) Without a window `f` runs at once.
fn after_next_frame(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        f();
        return;
    };
    let queue = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let task = Closure::once_into_js(f);
            let _ = window.set_timeout_with_callback(task.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(queue.unchecked_ref());
}

/// Plays: every `period_ms` of wall-clock time while `active` is true, emits `on_advance` just
/// after a frame is drawn and `on_tick` just after the next one.
///
/// `on_advance` runs the simulation and `on_tick` shows it (`Action::Advance` and
/// `Action::Tick`): as two tasks in two frames, each leaves the browser time to draw, where the
/// simulation and the redraw together took longer than a frame. A tick still on its way when
/// the next one is due skips that one, so a page in a background tab (where frames stop) does
/// not pile ticks up. The interval is dropped (and so cancelled) when `active` turns false or
/// the component goes away; a tick on its way then finds the reducer paused and does nothing.
#[hook]
pub fn use_playback(active: bool, period_ms: u32, on_advance: Callback<()>, on_tick: Callback<()>) {
    use_effect_with((active, period_ms), move |&(active, period_ms)| {
        let in_flight = Rc::new(Cell::new(false));
        let interval = active.then(|| {
            Interval::new(period_ms, move || {
                if in_flight.replace(true) {
                    return;
                }
                let (on_advance, on_tick, in_flight) =
                    (on_advance.clone(), on_tick.clone(), Rc::clone(&in_flight));
                after_next_frame(move || {
                    on_advance.emit(());
                    after_next_frame(move || {
                        in_flight.set(false);
                        on_tick.emit(());
                    });
                });
            })
        });
        move || drop(interval)
    });
}
