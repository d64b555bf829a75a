//! One run of a benchmark scenario, for profilers (criterion repeats each many times):
//! `cargo run --profile bench -p kubeplay-core --example settle -- NODES REPLICAS [--rolling]`
//! settles a Deployment of REPLICAS on NODES workers (and then, with `--rolling`, its rolling
//! update), printing the time each took.

use kubeplay_core::scenarios::{apply, deployment, workers};
use kubeplay_core::time::Dur;
use std::time::Instant;

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
    apply(&mut w, &deployment(replicas, "nginx:1.27"));
    let s = w.settle(Dur::mins(120));
    eprintln!(
        "{replicas} pods on {nodes} nodes: {:.2?} ({s})",
        t.elapsed()
    );
    if args.iter().any(|a| a == "--rolling") {
        let t = Instant::now();
        apply(&mut w, &deployment(replicas, "nginx:1.28"));
        let s = w.settle(Dur::mins(120));
        eprintln!("rolling update: {:.2?} ({s})", t.elapsed());
    }
}
