//! One run of a benchmark scenario, for profilers (criterion repeats each many times):
//! `cargo run --profile bench -p kubeplay-core --example settle -- NODES REPLICAS [--idle-hour] [--shrink] [--rolling]`
//! settles a Deployment of REPLICAS on NODES workers (and then, with `--idle-hour`, an hour in
//! which nothing changes; with `--shrink`, each simulated second after it scales down by a
//! tenth; with `--rolling`, its rolling update), printing the time each took, and how long
//! the page's view of the result takes to build (`view::cluster`). More than 10,000 replicas
//! are built as several Deployments of 10,000, one after the other.
//!
//! `settle NODES REPLICAS --stateful-set` settles a StatefulSet of REPLICAS with a claim each
//! instead, and `settle NODES 0 --daemon-set` a DaemonSet on every node.

use kubeplay_core::scenarios::{apply, daemon_set, deployment, stateful_set, workers};
use kubeplay_core::time::Dur;
use std::time::Instant;

/// The largest Deployment built in one go.
const PER_DEPLOYMENT: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> usize {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("usage: settle NODES REPLICAS [--rolling]"))
    };
    let (nodes, replicas) = (number(0), number(1));
    let mut w = workers(nodes);
    let t = Instant::now();
    let other = if args.iter().any(|a| a == "--stateful-set") {
        Some(("StatefulSet", stateful_set(replicas)))
    } else if args.iter().any(|a| a == "--daemon-set") {
        Some(("DaemonSet", daemon_set()))
    } else {
        None
    };
    if let Some((kind, text)) = other {
        apply(&mut w, &text);
        let s = w.settle(Dur::mins(120));
        eprintln!("{kind} on {nodes} nodes: {:.2?} ({s})", t.elapsed());
        return;
    }
    if replicas <= PER_DEPLOYMENT {
        apply(&mut w, &deployment(replicas, "nginx:1.27"));
        let s = w.settle(Dur::mins(120));
        eprintln!(
            "{replicas} pods on {nodes} nodes: {:.2?} ({s})",
            t.elapsed()
        );
    } else {
        // More pods than one instant may start (the world's livelock guard): one Deployment
        // of at most 10,000 at a time, each settled before the next.
        for (i, start) in (0..replicas).step_by(PER_DEPLOYMENT).enumerate() {
            let n = PER_DEPLOYMENT.min(replicas - start);
            let text = deployment(n, "nginx:1.27")
                .replace("name: web", &format!("name: web-{i}"))
                .replace("app: web", &format!("app: web-{i}"));
            apply(&mut w, &text);
            let s = w.settle(Dur::mins(120));
            eprintln!("{} pods: {:.2?} ({s})", start + n, t.elapsed());
        }
    }
    let t = Instant::now();
    let view = kubeplay_core::view::cluster(&w);
    eprintln!("view of {} nodes: {:.2?}", view.nodes.len(), t.elapsed());
    if args.iter().any(|a| a == "--idle-hour") {
        let (steps, t) = (w.steps(), Instant::now());
        w.advance(Dur::mins(60));
        eprintln!(
            "an idle simulated hour: {:.2?} ({} steps)",
            t.elapsed(),
            w.steps() - steps
        );
    }
    if args.iter().any(|a| a == "--shrink") {
        // The page's heaviest tick at 60×: a tenth of the pods finishing terminating.
        // The page keeps a view cache from tick to tick; so does this.
        let mut cache = kubeplay_core::view::ViewCache::default();
        kubeplay_core::view::cluster_with(&w, &mut cache);
        apply(&mut w, &deployment(replicas * 9 / 10, "nginx:1.27"));
        for _ in 0..10 {
            let t = Instant::now();
            w.advance(Dur::secs(1));
            let simulated = t.elapsed();
            let view = kubeplay_core::view::cluster_with(&w, &mut cache);
            eprintln!(
                "1 s ({} nodes): {:.2?} (view {:.2?})",
                view.nodes.len(),
                t.elapsed(),
                t.elapsed() - simulated
            );
        }
    }
    if args.iter().any(|a| a == "--rolling") {
        let t = Instant::now();
        apply(&mut w, &deployment(replicas, "nginx:1.28"));
        let s = w.settle(Dur::mins(120));
        eprintln!("rolling update: {:.2?} ({s})", t.elapsed());
    }
}
