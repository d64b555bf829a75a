//! `kubectl drain NODE`, as kubectl's pkg/cmd/drain/drain.go and pkg/drain/{drain,filters}.go:
//! cordon, pick the node's pods through the filters (DaemonSet-managed, mirror, local storage,
//! unreplicated), then evict them through the eviction subresource (or delete them with
//! `--disable-eviction`), retrying refusals every 5s and waiting for each pod to be gone. The
//! command runs the simulation forward while it waits, like `rollout status`.

use super::get::not_found;
use super::{Args, Output, ResType};
use crate::controllers::disruption::EvictionRefused;
use crate::labels::Selector;
use crate::podutil;
use crate::sim::World;
use crate::store::{controller_ref, Key, Kind};
use crate::time::{go_duration, parse_duration, Dur, SimTime};
use k8s_openapi::api::core::v1::Pod;

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str =
    "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "Pods declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// How long kubectl waits before retrying a refused eviction.
const RETRY: Dur = Dur::secs(5);
/// How often kubectl polls for an evicted pod to be gone.
const POLL: Dur = Dur::secs(1);
/// How long a drain without `--timeout` waits. kubectl would wait for ever; a simulation that
/// runs inside one command cannot, so it gives up here with its own message.
pub const WAIT_LIMIT: Dur = Dur::mins(15);

/// A filter's verdict on a pod (`PodDeleteStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Okay,
    Skip,
    Warning(bool, &'static str),
    Fatal(&'static str),
}

impl Status {
    fn deletes(&self) -> bool {
        matches!(self, Status::Okay | Status::Warning(true, _))
    }
}

struct Options {
    ignore_daemonsets: bool,
    delete_emptydir_data: bool,
    force: bool,
    disable_eviction: bool,
    grace: Option<i64>,
    timeout: Option<Dur>,
}

/// The filters of `makeFilters`, in order; the last verdict stands, the first refusal stops.
fn filter(pod: &Pod, o: &Options) -> Status {
    let finished = podutil::is_terminal(pod);
    let controller = controller_ref(&pod.metadata);
    let daemon = || {
        if controller.is_none_or(|r| r.kind != "DaemonSet") || finished {
            Status::Okay
        } else if !o.ignore_daemonsets {
            Status::Fatal(DAEMONSET_FATAL)
        } else {
            Status::Warning(false, DAEMONSET_WARNING)
        }
    };
    let mirror = || {
        let mirrored = pod
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
        if mirrored {
            Status::Skip
        } else {
            Status::Okay
        }
    };
    let local_storage = || {
        let local = pod
            .spec
            .as_ref()
            .and_then(|s| s.volumes.as_ref())
            .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
        if !local || finished {
            Status::Okay
        } else if !o.delete_emptydir_data {
            Status::Fatal(LOCAL_STORAGE_FATAL)
        } else {
            Status::Warning(true, LOCAL_STORAGE_WARNING)
        }
    };
    let unreplicated = || {
        if finished || controller.is_some() {
            Status::Okay
        } else if o.force {
            Status::Warning(true, UNMANAGED_WARNING)
        } else {
            Status::Fatal(UNMANAGED_FATAL)
        }
    };
    let filters: [&dyn Fn() -> Status; 4] = [&daemon, &mirror, &local_storage, &unreplicated];
    let mut status = Status::Okay;
    for f in filters {
        status = f();
        if !status.deletes() {
            break;
        }
    }
    status
}

/// `ns/name, ns/name` per message, in the order the messages first appear.
fn grouped(items: &[(String, &'static str)]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (pod, msg) in items {
        match out.iter_mut().find(|(m, _)| m == msg) {
            Some((_, pods)) => pods.push(pod.clone()),
            None => out.push((msg, vec![pod.clone()])),
        }
    }
    out.into_iter().map(|(m, p)| (m, p.join(", "))).collect()
}

pub fn drain(world: &mut World, args: &Args) -> Result<Output, String> {
    let name = match args.positional.as_slice() {
        [n] => n
            .trim_start_matches("node/")
            .trim_start_matches("nodes/")
            .to_string(),
        [] => return Err("error: USAGE: drain NODE [flags]".into()),
        _ => return Err("error: kubeplay drains one node at a time".into()),
    };
    let grace = args.int("grace-period")?.filter(|g| *g >= 0);
    let timeout = match args.flag("timeout") {
        Some(t) => {
            let d = parse_duration(t).map_err(|e| {
                format!("error: invalid argument {t:?} for \"--timeout\" flag: {e}")
            })?;
            (d > Dur::ZERO).then_some(d)
        }
        None => None,
    };
    let pod_selector = args
        .flag("pod-selector")
        .map(Selector::parse)
        .transpose()
        .map_err(|_| {
            "error: --pod-selector=<pod_selector> must be a valid label selector".to_string()
        })?;
    let o = Options {
        ignore_daemonsets: args.bool("ignore-daemonsets"),
        delete_emptydir_data: args.bool("delete-emptydir-data"),
        force: args.bool("force"),
        disable_eviction: args.bool("disable-eviction"),
        grace,
        timeout,
    };
    if world
        .store()
        .nodes
        .get(&Key::cluster(name.clone()))
        .is_none()
    {
        return Err(not_found(ResType::Sim(Kind::Node), &name));
    }
    let mut out = Output::out("");
    let cordon = super::mutate::cordon(
        world,
        &Args {
            positional: vec![name.clone()],
            flags: Vec::new(),
        },
        true,
    )?;
    out.stdout.push_str(&cordon.stdout);
    // `GetPodsForDeletion`.
    let pods: Vec<Pod> = world
        .store()
        .pods
        .iter()
        .filter(|p| podutil::node_name(p) == Some(name.as_str()))
        .filter(|p| {
            pod_selector
                .as_ref()
                .is_none_or(|s| s.matches_opt(p.metadata.labels.as_ref()))
        })
        .cloned()
        .collect();
    let mut fatal = Vec::new();
    let mut warnings = Vec::new();
    let mut to_delete = Vec::new();
    for p in pods {
        let id = format!(
            "{}/{}",
            p.metadata.namespace.as_deref().unwrap_or_default(),
            p.metadata.name.as_deref().unwrap_or_default()
        );
        match filter(&p, &o) {
            Status::Fatal(m) => fatal.push((id, m)),
            Status::Warning(deletes, m) => {
                warnings.push((id, m));
                if deletes {
                    to_delete.push(p);
                }
            }
            Status::Okay => to_delete.push(p),
            Status::Skip => {}
        }
    }
    if !fatal.is_empty() {
        let errors: Vec<String> = grouped(&fatal)
            .into_iter()
            .map(|(m, pods)| format!("cannot delete {m}: {pods}"))
            .collect();
        return Ok(failure(out, &name, &errors));
    }
    if !warnings.is_empty() {
        let w: Vec<String> = grouped(&warnings)
            .into_iter()
            .map(|(m, pods)| format!("{m}: {pods}"))
            .collect();
        out.stderr.push_str(&format!("Warning: {}\n", w.join("; ")));
    }
    match evict_all(world, &to_delete, &o, &mut out) {
        Ok(()) => {
            out.stdout.push_str(&format!("node/{name} drained\n"));
            Ok(out)
        }
        Err((error, pending)) => {
            out.stderr.push_str(&format!(
                "There are pending pods in node {name:?} when an error occurred: {error}\n"
            ));
            for p in pending {
                out.stderr.push_str(&format!("pod/{p}\n"));
            }
            Ok(failure(out, &name, &[error]))
        }
    }
}

/// `RunDrain`'s report of a node it could not drain, ending with the error kubectl exits with
/// (an aggregate prints one error per line).
fn failure(mut out: Output, node: &str, errors: &[String]) -> Output {
    let agg = match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    out.stderr.push_str(&format!(
        "error: unable to drain node {node:?} due to error: {agg}, continuing command...\nThere are pending nodes to be drained:\n {node}\n{}\n",
        errors.join("\n")
    ));
    out.ok = false;
    out
}

/// One pod's eviction as kubectl's goroutine runs it.
struct Eviction {
    key: Key,
    uid: String,
    /// When to try (again); None once the eviction was accepted.
    next_try: Option<SimTime>,
    done: bool,
}

/// `evictPods` / `deletePods`: every pod in parallel, refusals retried every 5s, each waited for
/// until it is gone; runs the simulation forward meanwhile.
fn evict_all(
    world: &mut World,
    pods: &[Pod],
    o: &Options,
    out: &mut Output,
) -> Result<(), (String, Vec<String>)> {
    let start = world.now();
    let deadline = start + o.timeout.unwrap_or(WAIT_LIMIT);
    let mut evictions: Vec<Eviction> = pods
        .iter()
        .map(|p| Eviction {
            key: Key::of(&p.metadata),
            uid: p.metadata.uid.clone().unwrap_or_default(),
            next_try: Some(start),
            done: false,
        })
        .collect();
    let verb = if o.disable_eviction {
        "deleted"
    } else {
        "evicted"
    };
    loop {
        let now = world.now();
        for e in evictions.iter_mut().filter(|e| !e.done) {
            if e.next_try.is_some_and(|t| t <= now) {
                if !o.disable_eviction {
                    out.stdout.push_str(&format!(
                        "evicting pod {}/{}\n",
                        e.key.namespace, e.key.name
                    ));
                }
                match world.evict_pod(&e.key, &e.uid, o.grace, o.disable_eviction) {
                    Ok(()) => e.next_try = None,
                    Err(EvictionRefused::TooManyRequests(_)) => {
                        out.stderr.push_str(&format!(
                            "error when evicting pods/{:?} -n {:?} (will retry after 5s): {}\n",
                            e.key.name,
                            e.key.namespace,
                            crate::controllers::disruption::VIOLATION
                        ));
                        e.next_try = Some(now + RETRY);
                    }
                    Err(other) => {
                        let msg = format!(
                            "error when evicting pods/{:?} -n {:?}: {other}",
                            e.key.name, e.key.namespace
                        );
                        return Err((msg, pending(&evictions)));
                    }
                }
            }
        }
        world.run_due();
        for e in evictions
            .iter_mut()
            .filter(|e| !e.done && e.next_try.is_none())
        {
            let gone = world
                .store()
                .pods
                .get(&e.key)
                .is_none_or(|p| p.metadata.uid.as_deref() != Some(e.uid.as_str()));
            if gone {
                e.done = true;
                out.stdout.push_str(&format!("pod/{} {verb}\n", e.key.name));
            }
        }
        if evictions.iter().all(|e| e.done) {
            return Ok(());
        }
        let next = evictions
            .iter()
            .filter(|e| !e.done)
            .map(|e| e.next_try.unwrap_or(world.now() + POLL))
            .min()
            .unwrap_or(world.now() + POLL);
        let stop = next.min(deadline);
        world.advance(stop.since(world.now()));
        let reason = if world.now() < stop {
            // The clock is held (a session rebuilt up to a moment inside this drain).
            Some("the simulation stopped here".to_string())
        } else if next > deadline {
            Some(match o.timeout {
                Some(t) => format!("global timeout reached: {}", go_duration(t)),
                None => format!(
                    "the simulation stopped waiting after {} (kubectl drain without --timeout waits for ever)",
                    go_duration(WAIT_LIMIT)
                ),
            })
        } else {
            None
        };
        if let Some(reason) = reason {
            let e = evictions.iter().find(|e| !e.done).expect("one is pending");
            let msg = format!(
                "error when evicting pods/{:?} -n {:?}: {reason}",
                e.key.name, e.key.namespace
            );
            return Err((msg, pending(&evictions)));
        }
    }
}

fn pending(evictions: &[Eviction]) -> Vec<String> {
    evictions
        .iter()
        .filter(|e| !e.done)
        .map(|e| e.key.name.clone())
        .collect()
}
