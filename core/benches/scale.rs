//! The simulation at scale (see BENCHMARKS.md): `cargo bench -p kubeplay-core --bench scale`.
//!
//! Each benchmark starts from a cluster built once and cloned per iteration, so only the
//! measured work is timed. Before the timings it prints the simulation state kept per pod,
//! counted by a global allocator.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kubeplay_core::scenarios::{apply, daemon_set, deployment, stateful_set, workers};
use kubeplay_core::session::{Input, Start, Timeline};
use kubeplay_core::time::Dur;
use kubeplay_core::World;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::OnceCell;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn settled(nodes: usize, manifest: &str) -> World {
    let mut w = workers(nodes);
    apply(&mut w, manifest);
    let s = w.settle(Dur::mins(120));
    assert!(s.settled, "{s}");
    w
}

fn settle_all(w: &mut World) {
    let s = w.settle(Dur::mins(120));
    assert!(s.settled, "{s}");
}

/// Bytes of simulation state per pod in a settled cluster of `nodes` and `replicas`.
fn state_per_pod(nodes: usize, replicas: usize) {
    let before = LIVE.load(Ordering::Relaxed);
    let t = Instant::now();
    let w = settled(nodes, &deployment(replicas, "nginx:1.27"));
    let built = t.elapsed();
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    let pods = w.store().pods.len();
    // What the pod objects and the events take, measured by copying each object (cloning a
    // table would only copy its index: it holds its objects as shared `Arc`s).
    let table = |f: &dyn Fn() -> Box<dyn std::any::Any>| {
        let before = LIVE.load(Ordering::Relaxed);
        let copy = f();
        let bytes = LIVE.load(Ordering::Relaxed) - before;
        drop(copy);
        bytes as f64 / pods as f64
    };
    let pod_bytes = table(&|| Box::new(w.store().pods.iter().cloned().collect::<Vec<_>>()));
    let event_bytes = table(&|| Box::new(w.store().events.iter().cloned().collect::<Vec<_>>()));
    eprintln!(
        "state: {nodes} nodes, {pods} pods: {:.1} MiB live, {:.0} bytes per pod \
         (pod objects {pod_bytes:.0}, {} events {event_bytes:.0}); built in {built:.2?}, {} steps",
        bytes as f64 / (1 << 20) as f64,
        bytes as f64 / pods as f64,
        w.store().events.len(),
        w.steps()
    );
    drop(w);
}

fn deployments(c: &mut Criterion) {
    let mut g = c.benchmark_group("deployment");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (nodes, replicas) in [(10, 200), (100, 2_000), (1_000, 10_000)] {
        // Built on first use, so that a filtered run builds only what it measures.
        let empty = OnceCell::new();
        g.bench_function(format!("settle {replicas} pods on {nodes} nodes"), |b| {
            b.iter_batched(
                || empty.get_or_init(|| workers(nodes)).clone(),
                |mut w| {
                    apply(&mut w, &deployment(replicas, "nginx:1.27"));
                    settle_all(&mut w);
                    w
                },
                BatchSize::LargeInput,
            )
        });
        let ready = OnceCell::new();
        g.bench_function(
            format!("rolling update {replicas} pods on {nodes} nodes"),
            |b| {
                b.iter_batched(
                    || {
                        ready
                            .get_or_init(|| settled(nodes, &deployment(replicas, "nginx:1.27")))
                            .clone()
                    },
                    |mut w| {
                        apply(&mut w, &deployment(replicas, "nginx:1.28"));
                        settle_all(&mut w);
                        w
                    },
                    BatchSize::LargeInput,
                )
            },
        );
    }
    g.finish();
}

fn idle(c: &mut Criterion) {
    let mut g = c.benchmark_group("idle");
    g.sample_size(10);
    let (nodes, replicas) = (5_000, 100_000);
    let ready = OnceCell::new();
    g.bench_function(format!("one hour, {replicas} pods on {nodes} nodes"), |b| {
        b.iter_batched(
            || {
                ready
                    .get_or_init(|| {
                        state_per_pod(nodes, replicas);
                        settled(nodes, &deployment(replicas, "nginx:1.27"))
                    })
                    .clone()
            },
            |mut w| {
                w.advance(Dur::mins(60));
                w
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// The state kept per pod, at the two sizes in between; printed when the filter is `memory`.
fn memory(_: &mut Criterion) {
    if !std::env::args().any(|a| a == "memory") {
        return;
    }
    state_per_pod(100, 2_000);
    state_per_pod(1_000, 10_000);
}

fn sets(c: &mut Criterion) {
    let mut g = c.benchmark_group("sets");
    g.sample_size(10);
    let many = OnceCell::new();
    g.bench_function("daemon set on 1000 nodes", |b| {
        b.iter_batched(
            || many.get_or_init(|| workers(1_000)).clone(),
            |mut w| {
                apply(&mut w, &daemon_set());
                settle_all(&mut w);
                w
            },
            BatchSize::LargeInput,
        )
    });
    let some = OnceCell::new();
    g.bench_function("stateful set of 500 with claims on 50 nodes", |b| {
        b.iter_batched(
            || some.get_or_init(|| workers(50)).clone(),
            |mut w| {
                apply(&mut w, &stateful_set(500));
                settle_all(&mut w);
                w
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// The page's heaviest tick while playing at 60× (6 simulated seconds per 100 ms frame), doing
/// what the page does per tick: record the time passing in the session's timeline and rebuild
/// the picture's view. 200 pods on 10 nodes (the page's default three plus seven) scaled to
/// 150: the heaviest tick is the one in which the 50 deleted pods finish terminating.
fn heaviest_tick(c: &mut Criterion) {
    const TICK: u64 = 6_000;
    let record = |t: &mut Timeline| {
        t.record(Input::Advance { ms: TICK });
        kubeplay_core::view::cluster(t.world())
    };
    let find = || {
        let mut t = Timeline::new(1, Start::Default);
        for i in 3..=9 {
            t.record(Input::Run {
                line: format!("sim node add worker-{i}"),
            });
        }
        t.record(Input::Apply {
            text: deployment(200, "nginx:1.27"),
        });
        t.record(Input::Settle {
            limit_ms: 1_800_000,
        });
        t.record(Input::Run {
            line: "kubectl scale deployment web --replicas=150".to_string(),
        });
        // The tick that takes longest, and the timeline just before it.
        let mut heaviest = (Duration::ZERO, 0, t.clone());
        for _ in 0..20 {
            let before = t.clone();
            let steps = t.world().steps();
            let clock = Instant::now();
            std::hint::black_box(record(&mut t));
            let took = clock.elapsed();
            if took > heaviest.0 {
                heaviest = (took, t.world().steps() - steps, before);
            }
        }
        eprintln!(
            "heaviest tick: {} steps, {:.2?} once",
            heaviest.1, heaviest.0
        );
        heaviest.2
    };
    let before = OnceCell::new();
    c.bench_function(
        "heaviest 60x tick, 200 pods on 10 nodes scaled to 150",
        |b| {
            b.iter_batched(
                || before.get_or_init(find).clone(),
                |mut t| {
                    let view = record(&mut t);
                    (t, view)
                },
                BatchSize::LargeInput,
            )
        },
    );
}

criterion_group!(benches, deployments, sets, idle, heaviest_tick);
criterion_group!(state, memory);
criterion_main!(benches, state);
