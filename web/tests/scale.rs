//! The simulation's scale scenarios compiled to wasm and run in headless Chromium: the same
//! clusters as `core/benches/scale.rs` (built by `kubeplay_core::scenarios`), timed with the
//! page's clock. Benchmarks, so every test is ignored; run them on demand, optimised as the
//! page is (the release profile), with a timeout long enough for the big ones:
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=1200 cargo test --release \
//!   --target wasm32-unknown-unknown -p kubeplay-web --test scale -- --include-ignored --nocapture
//! ```
//!
//! Each figure is printed on the browser's console, which the runner shows with `--nocapture`.
//! One run per scenario: the big ones take seconds, far longer than timer noise.
#![cfg(target_arch = "wasm32")]

use kubeplay_core::scenarios::{apply, daemon_set, deployment, stateful_set, workers};
use kubeplay_core::time::Dur;
use kubeplay_core::World;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Milliseconds on the page's clock.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs `f` once on `w`, prints how long it took and what it settled to, and checks that it
/// settled (a benchmark that stopped half-way would report a meaningless figure).
fn timed(what: &str, w: &mut World, f: impl FnOnce(&mut World) -> String) {
    let steps = w.steps();
    let t = now();
    let outcome = f(w);
    let ms = now() - t;
    console_log!(
        "bench (wasm): {what}: {:.0} ms, {} steps ({outcome})",
        ms,
        w.steps() - steps
    );
}

fn settle(w: &mut World) -> String {
    let s = w.settle(Dur::mins(120));
    assert!(s.settled, "the scenario did not settle: {s}");
    s.to_string()
}

/// A Deployment of `replicas` on `nodes` workers: apply and settle, then its rolling update.
fn deployment_and_rollout(nodes: usize, replicas: usize) {
    let mut w = workers(nodes);
    timed(
        &format!("Deployment of {replicas} on {nodes} nodes: apply and settle"),
        &mut w,
        |w| {
            apply(w, &deployment(replicas, "nginx:1.27"));
            settle(w)
        },
    );
    timed(
        &format!("Deployment of {replicas} on {nodes} nodes: rolling update"),
        &mut w,
        |w| {
            apply(w, &deployment(replicas, "nginx:1.28"));
            settle(w)
        },
    );
    let ready = w
        .store()
        .pods
        .iter()
        .filter(|p| kubeplay_core::podutil::is_ready(p))
        .count();
    assert_eq!(ready, replicas);
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run on demand with --include-ignored"]
fn deployment_of_200_on_10_nodes() {
    deployment_and_rollout(10, 200);
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run on demand with --include-ignored"]
fn deployment_of_2000_on_100_nodes() {
    deployment_and_rollout(100, 2_000);
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run on demand with --include-ignored"]
fn deployment_of_10000_on_1000_nodes() {
    deployment_and_rollout(1_000, 10_000);
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run on demand with --include-ignored"]
fn daemon_set_on_1000_nodes() {
    let mut w = workers(1_000);
    timed("DaemonSet on 1,000 nodes: apply and settle", &mut w, |w| {
        apply(w, &daemon_set());
        settle(w)
    });
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run on demand with --include-ignored"]
fn stateful_set_of_500_on_50_nodes() {
    let mut w = workers(50);
    timed(
        "StatefulSet of 500 with claims on 50 nodes: apply and settle",
        &mut w,
        |w| {
            apply(w, &stateful_set(500));
            settle(w)
        },
    );
}
