//! The kubelet and container runtime of every node (`pkg/kubelet`): sandbox, image pulls with
//! back-off, container start, readiness, crashes with CrashLoopBackOff, graceful termination,
//! and the pod status and events a real kubelet reports.
//!
//! The runtime's private state ([`PodRuntime`]) lives in the simulation next to the store, the
//! way containerd's state lives next to etcd; [`reconcile`] advances it to `now` and derives the
//! pod's status from it.
//!
//! Durations (defaults, with a stable per-pod variation): sandbox 0.5–1s; image pull by size at
//! about 25 MB/s; create and start 0.2–0.5s; a process that handles SIGTERM stops in 0.2–0.8s,
//! one that does not (a shell running `sleep`) uses the whole grace period.
//!
//! Asking for behaviour in a manifest (pod template annotations):
//! - `kubeplay.dev/crash-after: 5s` — containers exit with code 1 that long after each start;
//! - `kubeplay.dev/exit-code: "0"` — the exit code used by `crash-after` (default 1; 0 exits
//!   "Completed" and is restarted all the same under `restartPolicy: Always`);
//! - `kubeplay.dev/ready-after: 30s` — readiness succeeds only that long after start (`never`
//!   keeps the pod unready);
//! - `kubeplay.dev/shutdown-after: 10s` — time to stop after SIGTERM (capped by the grace period).
//!
//! A container whose shell command ends in `exit N` or `false` crashes (after any `sleep S` before
//! it, e.g. `sh -c "sleep 5; exit 1"`). A
//! real `readinessProbe` is honoured: the first probe runs `initialDelaySeconds` after start.

use super::attachdetach;
use super::registry::{self, PullError};
use super::{Action, Component, EventRecord, Object, Reconcile, Regarding};
use crate::store::{Key, Kind, Store};
use crate::time::{go_duration, parse_duration, Dur, SimTime};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, HostIP, Node, Pod, PodCondition, PodIP, PodSpec,
};
use std::collections::BTreeSet;

pub const CRASH_AFTER: &str = "kubeplay.dev/crash-after";
pub const EXIT_CODE: &str = "kubeplay.dev/exit-code";
pub const READY_AFTER: &str = "kubeplay.dev/ready-after";
pub const SHUTDOWN_AFTER: &str = "kubeplay.dev/shutdown-after";

/// Back-off of restarts and pulls: 10s doubling to 5 minutes.
pub fn backoff(n: u32) -> Dur {
    if n == 0 {
        return Dur::ZERO;
    }
    Dur::secs((10u64 << (n - 1).min(5)).min(300))
}

/// A container's runtime state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CState {
    /// Waiting for the sandbox (shown as ContainerCreating).
    Waiting,
    Pulling {
        until: SimTime,
    },
    /// The last pull failed; `shown_backoff` flips ErrImagePull to ImagePullBackOff.
    PullFailed {
        failed_at: SimTime,
        retry_at: SimTime,
        shown_backoff: bool,
        message: String,
    },
    InvalidName {
        message: String,
    },
    Starting {
        until: SimTime,
    },
    Running {
        since: SimTime,
        ready_at: Option<SimTime>,
        exit_at: Option<SimTime>,
    },
    Exited {
        at: SimTime,
        code: i32,
        since: SimTime,
    },
    BackOff {
        until: SimTime,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastExit {
    pub code: i32,
    pub started: SimTime,
    pub finished: SimTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerRuntime {
    pub name: String,
    pub image: String,
    pub state: CState,
    pub restarts: i32,
    pub pull_failures: u32,
    pub last_exit: Option<LastExit>,
    pub container_seq: u64,
    pub pulled: bool,
}

/// The runtime of one pod on its node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRuntime {
    pub uid: String,
    /// The pod this runtime runs (namespace and name).
    pub pod: Key,
    pub node: String,
    pub host_ip: String,
    pub ip: String,
    pub admitted: SimTime,
    pub sandbox_at: SimTime,
    pub containers: Vec<ContainerRuntime>,
    pub killing_since: Option<SimTime>,
    pub stop_at: Option<SimTime>,
    /// Whether every volume is attached and mounted (the sandbox waits for it).
    pub volumes_mounted: bool,
    /// Since when the volume manager has waited for volumes, and how many timeouts it reported.
    pub mount_wait_since: Option<SimTime>,
    pub mount_failures: u32,
}

/// A stable pseudo-random number for a pod and a purpose, in `0..n`.
fn jitter(uid: &str, salt: &str, n: u64) -> u64 {
    let h = uid
        .bytes()
        .chain(salt.bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
    crate::rng::Rng::new(h).below(n.max(1))
}

impl PodRuntime {
    /// A new runtime for a pod the kubelet has just admitted.
    pub fn admit(pod: &Pod, node: &str, host_ip: String, ip: String, now: SimTime) -> PodRuntime {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let sandbox_at = now + Dur::ms(500 + jitter(&uid, "sandbox", 500));
        let containers = pod
            .spec
            .as_ref()
            .map(|s| {
                s.containers
                    .iter()
                    .map(|c| ContainerRuntime {
                        name: c.name.clone(),
                        image: c.image.clone().unwrap_or_default(),
                        state: CState::Waiting,
                        restarts: 0,
                        pull_failures: 0,
                        last_exit: None,
                        container_seq: 0,
                        pulled: false,
                    })
                    .collect()
            })
            .unwrap_or_default();
        PodRuntime {
            uid,
            pod: Key::of(&pod.metadata),
            node: node.to_string(),
            host_ip,
            ip,
            admitted: now,
            sandbox_at,
            containers,
            killing_since: None,
            stop_at: None,
            volumes_mounted: false,
            mount_wait_since: None,
            mount_failures: 0,
        }
    }
}

/// What one kubelet pass produces besides actions.
#[derive(Debug, Default)]
pub struct KubeletOutput {
    pub reconcile: Reconcile,
    /// The new runtime (None: the pod is gone and its runtime can be dropped).
    pub runtime: Option<PodRuntime>,
    /// Images now present on the node.
    pub pulled: Vec<String>,
}

fn annotation<'a>(pod: &'a Pod, key: &str) -> Option<&'a str> {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// A container whose shell command ends in `exit N` (N ≠ 0) or is `false` crashes: returns the
/// exit code and how long it runs first (a preceding `sleep S` delays it, e.g.
/// `sh -c "sleep 5; exit 1"`).
fn scripted_crash(c: &Container) -> Option<(i32, Dur)> {
    let words: Vec<String> = c
        .command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .flat_map(|s| s.split(|ch: char| ch.is_whitespace() || ch == ';'))
        .map(|w| w.trim_matches(|ch| ch == '"' || ch == '\'').to_string())
        .filter(|w| !w.is_empty())
        .collect();
    let code = match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [.., "exit", code] => code.parse().ok().filter(|c: &i32| *c != 0)?,
        [.., "false"] => 1,
        _ => return None,
    };
    let delay = words
        .windows(2)
        .find(|w| w[0] == "sleep")
        .and_then(|w| w[1].parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e7)
        .map_or(Dur::ms(100), |s| Dur::ms((s * 1000.0) as u64 + 100));
    Some((code, delay))
}

/// Advances one pod's runtime to `now`; returns actions (status write, events, final removal),
/// the runtime to keep, and images pulled.
pub fn reconcile(
    store: &Store,
    key: &Key,
    runtime: Option<&PodRuntime>,
    node_images: &BTreeSet<String>,
    now: SimTime,
) -> KubeletOutput {
    let mut out = KubeletOutput::default();
    let Some(pod) = store.pods.get(key) else {
        return out;
    };
    let Some(mut rt) = runtime.cloned() else {
        return out;
    };
    let regarding = Regarding::of(Kind::Pod, &pod.metadata);
    // Borrowed: this runs on every change to the pod and every timer of its containers.
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    let ev = |c: &str| {
        regarding
            .clone()
            .with_field(format!("spec.containers{{{c}}}"))
    };
    let mut events: Vec<EventRecord> = Vec::new();
    let mut next: Option<SimTime> = None;
    let mut wake = |t: SimTime| next = Some(next.map_or(t, |n: SimTime| n.min(t)));

    // Termination.
    if pod.metadata.deletion_timestamp.is_some() {
        if rt.killing_since.is_none() {
            rt.killing_since = Some(now);
            let grace = pod
                .metadata
                .deletion_grace_period_seconds
                .unwrap_or(30)
                .max(0) as u64;
            let stops = rt.containers.iter().all(|c| {
                registry::resolve(&c.image)
                    .map(|i| i.stops_on_sigterm)
                    .unwrap_or(true)
            });
            let mut stop = if stops {
                Dur::ms(200 + jitter(&rt.uid, "stop", 600))
            } else {
                Dur::secs(grace)
            };
            if let Some(d) = annotation(pod, SHUTDOWN_AFTER).and_then(|v| parse_duration(v).ok()) {
                stop = d;
            }
            stop = stop.min(Dur::secs(grace));
            rt.stop_at = Some(now + stop);
            for c in &rt.containers {
                if matches!(c.state, CState::Running { .. }) {
                    events.push(EventRecord::normal(
                        ev(&c.name),
                        Component::Kubelet,
                        "Killing",
                        format!("Stopping container {}", c.name),
                    ));
                }
            }
        }
        let stop_at = rt.stop_at.unwrap_or(now);
        if now >= stop_at {
            out.reconcile
                .actions
                .extend(events.into_iter().map(Action::Event));
            if rt.volumes_mounted {
                if let Some(n) = unmount(store, pod, &rt.node) {
                    out.reconcile.push(Action::UpdateStatus(Object::Node(n)));
                }
            }
            out.reconcile.push(Action::Remove {
                kind: Kind::Pod,
                key: key.clone(),
            });
            return out;
        }
        out.reconcile
            .actions
            .extend(events.into_iter().map(Action::Event));
        out.reconcile.requeue(stop_at.since(now));
        out.runtime = Some(rt);
        return out;
    }

    // The volume manager: no sandbox until every volume is attached and mounted
    // (`WaitForAttachAndMount`).
    if !rt.volumes_mounted {
        match volumes_ready(store, pod, &rt.node) {
            Err(waiting) => {
                let since = *rt.mount_wait_since.get_or_insert(now);
                let due = |n: u32| {
                    since + MOUNT_TIMEOUT + Dur::ms((MOUNT_TIMEOUT.0 + MOUNT_RETRY.0) * n as u64)
                };
                if now >= due(rt.mount_failures) {
                    rt.mount_failures += 1;
                    out.reconcile.event(EventRecord::warning(
                        regarding.clone(),
                        Component::Kubelet,
                        "FailedMount",
                        format!(
                            "Unable to attach or mount volumes: {waiting}: timed out waiting for the condition"
                        ),
                    ));
                }
                out.reconcile
                    .requeue(due(rt.mount_failures).since(now).max(Dur::ms(1)));
                write_status(pod, &rt, now, &mut out.reconcile, false);
                out.runtime = Some(rt);
                return out;
            }
            Ok(node) => {
                rt.volumes_mounted = true;
                rt.sandbox_at = rt
                    .sandbox_at
                    .max(now + Dur::ms(200 + jitter(&rt.uid, "mount", 300)));
                if let Some(n) = node {
                    out.reconcile.push(Action::UpdateStatus(Object::Node(n)));
                }
            }
        }
    }

    if now < rt.sandbox_at {
        out.reconcile.requeue(rt.sandbox_at.since(now));
        write_status(pod, &rt, now, &mut out.reconcile, false);
        out.runtime = Some(rt);
        return out;
    }

    let restart_always = spec.restart_policy.as_deref().unwrap_or("Always");
    let ready_after = annotation(pod, READY_AFTER);
    let crash_after = annotation(pod, CRASH_AFTER).and_then(|v| parse_duration(v).ok());
    let exit_code: i32 = annotation(pod, EXIT_CODE)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let pod_ref = format!("{}_{}({})", key.name, key.namespace, rt.uid);

    for (i, c) in rt.containers.iter_mut().enumerate() {
        let no_container = Container::default();
        let cspec = spec.containers.get(i).unwrap_or(&no_container);
        let policy = cspec
            .image_pull_policy
            .as_deref()
            .unwrap_or_else(|| registry::default_pull_policy(&c.image));
        // Loop: several transitions can be due at the same instant.
        for _ in 0..8 {
            let state = c.state.clone();
            match state {
                CState::Waiting => match registry::resolve(&c.image) {
                    Err(PullError::InvalidName(m)) => {
                        events.push(EventRecord::warning(
                            ev(&c.name),
                            Component::Kubelet,
                            "InspectFailed",
                            m.clone(),
                        ));
                        events.push(EventRecord::warning(
                            ev(&c.name),
                            Component::Kubelet,
                            "Failed",
                            "Error: InvalidImageName".into(),
                        ));
                        c.state = CState::InvalidName { message: m };
                    }
                    _ if policy != "Always" && (node_images.contains(&c.image) || c.pulled) => {
                        events.push(EventRecord::normal(
                            ev(&c.name),
                            Component::Kubelet,
                            "Pulled",
                            format!("Container image {:?} already present on machine", c.image),
                        ));
                        c.state = CState::Starting {
                            until: now + Dur::ms(200 + jitter(&rt.uid, &c.name, 300)),
                        };
                    }
                    _ => {
                        events.push(EventRecord::normal(
                            ev(&c.name),
                            Component::Kubelet,
                            "Pulling",
                            format!("Pulling image {:?}", c.image),
                        ));
                        c.state = CState::Pulling {
                            until: now + pull_time(&rt.uid, &c.image, c.pull_failures),
                        };
                    }
                },
                CState::Pulling { until } if now >= until => match registry::resolve(&c.image) {
                    Ok(info) => {
                        let took = pull_time(&rt.uid, &c.image, c.pull_failures);
                        events.push(EventRecord::normal(
                            ev(&c.name),
                            Component::Kubelet,
                            "Pulled",
                            format!("Successfully pulled image {:?} in {} ({} including waiting). Image size: {} bytes.", c.image, go_duration(took), go_duration(took), info.size_bytes),
                        ));
                        out.pulled.push(c.image.clone());
                        c.pulled = true;
                        c.state = CState::Starting {
                            until: now + Dur::ms(200 + jitter(&rt.uid, &c.name, 300)),
                        };
                    }
                    Err(e) => {
                        let message = match e {
                            PullError::NotFound { message, .. } => message,
                            PullError::InvalidName(m) => m,
                        };
                        c.pull_failures += 1;
                        events.push(EventRecord::warning(
                            ev(&c.name),
                            Component::Kubelet,
                            "Failed",
                            format!("Failed to pull image {:?}: {message}", c.image),
                        ));
                        events.push(EventRecord::warning(
                            ev(&c.name),
                            Component::Kubelet,
                            "Failed",
                            "Error: ErrImagePull".into(),
                        ));
                        c.state = CState::PullFailed {
                            failed_at: now,
                            retry_at: now + backoff(c.pull_failures),
                            shown_backoff: false,
                            message,
                        };
                    }
                },
                CState::PullFailed {
                    failed_at,
                    retry_at,
                    shown_backoff,
                    message,
                } => {
                    if !shown_backoff && now >= failed_at + Dur::secs(1) {
                        events.push(EventRecord::normal(
                            ev(&c.name),
                            Component::Kubelet,
                            "BackOff",
                            format!("Back-off pulling image {:?}", c.image),
                        ));
                        events.push(EventRecord::warning(
                            ev(&c.name),
                            Component::Kubelet,
                            "Failed",
                            "Error: ImagePullBackOff".into(),
                        ));
                        c.state = CState::PullFailed {
                            failed_at,
                            retry_at,
                            shown_backoff: true,
                            message,
                        };
                    } else if shown_backoff && now >= retry_at {
                        events.push(EventRecord::normal(
                            ev(&c.name),
                            Component::Kubelet,
                            "Pulling",
                            format!("Pulling image {:?}", c.image),
                        ));
                        c.state = CState::Pulling {
                            until: now + pull_time(&rt.uid, &c.image, c.pull_failures),
                        };
                    } else {
                        break;
                    }
                }
                CState::Starting { until } if now >= until => {
                    c.container_seq += 1;
                    events.push(EventRecord::normal(
                        ev(&c.name),
                        Component::Kubelet,
                        "Created",
                        format!("Created container: {}", c.name),
                    ));
                    events.push(EventRecord::normal(
                        ev(&c.name),
                        Component::Kubelet,
                        "Started",
                        format!("Started container {}", c.name),
                    ));
                    let ready_at = ready_time(cspec, ready_after, now);
                    let exit_at = crash_after
                        .map(|d| now + d)
                        .or(scripted_crash(cspec).map(|(_, d)| now + d));
                    c.state = CState::Running {
                        since: now,
                        ready_at,
                        exit_at,
                    };
                }
                CState::Running {
                    since,
                    exit_at: Some(t),
                    ..
                } if now >= t => {
                    let code = match (crash_after, scripted_crash(cspec)) {
                        (None, Some((code, _))) => code,
                        _ => exit_code,
                    };
                    c.last_exit = Some(LastExit {
                        code,
                        started: since,
                        finished: now,
                    });
                    c.state = CState::Exited {
                        at: now,
                        code,
                        since,
                    };
                }
                CState::Exited { at, code, .. } => {
                    let restart = match restart_always {
                        "Always" => true,
                        "OnFailure" => code != 0,
                        _ => false,
                    };
                    if !restart {
                        break;
                    }
                    let settle = at + Dur::secs(1);
                    if now < settle {
                        break;
                    }
                    let wait = backoff(c.restarts as u32);
                    if wait == Dur::ZERO {
                        c.restarts += 1;
                        events.push(EventRecord::normal(
                            ev(&c.name),
                            Component::Kubelet,
                            "Pulled",
                            format!("Container image {:?} already present on machine", c.image),
                        ));
                        c.state = CState::Starting {
                            until: now + Dur::ms(200),
                        };
                    } else {
                        events.push(EventRecord::warning(
                            ev(&c.name),
                            Component::Kubelet,
                            "BackOff",
                            format!(
                                "Back-off restarting failed container {} in pod {pod_ref}",
                                c.name
                            ),
                        ));
                        c.state = CState::BackOff { until: at + wait };
                    }
                }
                CState::BackOff { until } if now >= until => {
                    c.restarts += 1;
                    events.push(EventRecord::normal(
                        ev(&c.name),
                        Component::Kubelet,
                        "Pulled",
                        format!("Container image {:?} already present on machine", c.image),
                    ));
                    c.state = CState::Starting {
                        until: now + Dur::ms(200),
                    };
                }
                _ => break,
            }
        }
        // When to look again for this container.
        match &c.state {
            CState::Pulling { until } | CState::Starting { until } | CState::BackOff { until } => {
                wake(*until)
            }
            CState::PullFailed {
                failed_at,
                retry_at,
                shown_backoff,
                ..
            } => wake(if *shown_backoff {
                *retry_at
            } else {
                *failed_at + Dur::secs(1)
            }),
            CState::Running {
                ready_at, exit_at, ..
            } => {
                if let Some(r) = ready_at.filter(|r| *r > now) {
                    wake(r);
                }
                if let Some(e) = exit_at {
                    wake(*e);
                }
            }
            CState::Exited { at, .. } if restart_always != "Never" => wake(*at + Dur::secs(1)),
            _ => {}
        }
    }
    if let Some(t) = next {
        out.reconcile.requeue(t.since(now).max(Dur::ms(1)));
    }
    out.reconcile
        .actions
        .extend(events.into_iter().map(Action::Event));
    write_status(pod, &rt, now, &mut out.reconcile, true);
    out.runtime = Some(rt);
    out
}

/// How long the volume manager waits for attach and mount before reporting `FailedMount`
/// (`podAttachAndMountTimeout`), and the pod worker's pause before it tries again.
pub const MOUNT_TIMEOUT: Dur = Dur::ms(123_000);
pub const MOUNT_RETRY: Dur = Dur::secs(10);

/// Whether a pod's volumes can be mounted on its node: claims bound, attachable volumes attached.
/// `Ok` carries the node with its `volumesInUse` updated (when that changes); `Err` the
/// `unmounted volumes=[…], unattached volumes=[…], failed to process volumes=[…]` summary.
fn volumes_ready(store: &Store, pod: &Pod, node_name: &str) -> Result<Option<Node>, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let node = store.nodes.get(&Key::cluster(node_name));
    let (mut unmounted, mut unattached, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    let mut in_use = Vec::new();
    for v in pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
    {
        let Some(claim) = v.persistent_volume_claim.as_ref() else {
            continue;
        };
        let pv = store
            .persistentvolumeclaims
            .get(&Key::new(ns, claim.claim_name.as_str()))
            .filter(|c| super::volume::claim_phase(c) == "Bound")
            .and_then(|c| c.spec.as_ref()?.volume_name.as_deref())
            .and_then(|n| store.persistentvolumes.get(&Key::cluster(n)));
        let Some(pv) = pv else {
            unmounted.push(v.name.clone());
            failed.push(v.name.clone());
            continue;
        };
        if !attachdetach::attachable(pv) {
            continue;
        }
        let unique = attachdetach::unique_name(pv.metadata.name.as_deref().unwrap_or_default());
        let attached = node.is_some_and(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.volumes_attached.as_ref())
                .is_some_and(|l| l.iter().any(|a| a.name == unique))
        });
        if attached {
            in_use.push(unique);
        } else {
            unmounted.push(v.name.clone());
            unattached.push(v.name.clone());
        }
    }
    if !unmounted.is_empty() {
        for l in [&mut unmounted, &mut unattached, &mut failed] {
            l.sort();
        }
        return Err(format!(
            "unmounted volumes=[{}], unattached volumes=[{}], failed to process volumes=[{}]",
            unmounted.join(" "),
            unattached.join(" "),
            failed.join(" ")
        ));
    }
    let Some(node) = node else {
        return Ok(None);
    };
    let mut n = node.clone();
    let st = n.status.get_or_insert_with(Default::default);
    let list = st.volumes_in_use.get_or_insert_with(Vec::new);
    let before = list.len();
    for u in in_use {
        if !list.contains(&u) {
            list.push(u);
        }
    }
    list.sort();
    Ok((list.len() != before).then_some(n))
}

/// The node with this pod's attachable volumes removed from `volumesInUse`, unless another
/// unfinished pod on the node still uses them (when anything changes).
fn unmount(store: &Store, pod: &Pod, node_name: &str) -> Option<Node> {
    let node = store.nodes.get(&Key::cluster(node_name))?;
    let mine: Vec<String> = attachdetach::pod_volumes(store, pod)
        .into_iter()
        .filter(|(_, pv)| attachdetach::attachable(pv))
        .map(|(_, pv)| attachdetach::unique_name(pv.metadata.name.as_deref().unwrap_or_default()))
        .collect();
    if mine.is_empty() {
        return None;
    }
    // The placement index holds exactly the node's unfinished pods.
    let still: Vec<String> = store
        .pods
        .on_node(node_name)
        .filter(|p| p.metadata.uid != pod.metadata.uid)
        .flat_map(|p| attachdetach::pod_volumes(store, p))
        .map(|(_, pv)| attachdetach::unique_name(pv.metadata.name.as_deref().unwrap_or_default()))
        .collect();
    let mut n = node.clone();
    let list = n.status.as_mut()?.volumes_in_use.as_mut()?;
    let before = list.len();
    list.retain(|u| !mine.contains(u) || still.contains(u));
    if list.len() == before {
        return None;
    }
    if list.is_empty() {
        n.status.as_mut()?.volumes_in_use = None;
    }
    Some(n)
}

fn pull_time(uid: &str, image: &str, attempt: u32) -> Dur {
    match registry::resolve(image) {
        Ok(info) => Dur::ms(info.size_bytes / 25_000 + 300 + jitter(uid, image, 400)),
        Err(_) => Dur::ms(600 + jitter(uid, &format!("{image}{attempt}"), 600)),
    }
}

/// When a started container becomes ready.
fn ready_time(c: &Container, ready_after: Option<&str>, started: SimTime) -> Option<SimTime> {
    if ready_after == Some("never") {
        return None;
    }
    let mut at = started;
    if let Some(p) = &c.readiness_probe {
        at = started + Dur::secs(p.initial_delay_seconds.unwrap_or(0).max(0) as u64);
        if let Some(d) = ready_after.and_then(|v| parse_duration(v).ok()) {
            // Probes run every periodSeconds; the first success after ready-after counts.
            let period = Dur::secs(p.period_seconds.unwrap_or(10).max(1) as u64);
            while at < started + d {
                at = at + period;
            }
        }
    } else if let Some(d) = ready_after.and_then(|v| parse_duration(v).ok()) {
        at = started + d;
    }
    Some(at)
}

fn hex_id(seed: &str, n: u64) -> String {
    let mut r = crate::rng::Rng::new(
        seed.bytes()
            .fold(n, |h, b| h.wrapping_mul(131).wrapping_add(b as u64)),
    );
    // Written digit by digit: the kubelet writes ids on every status write, and `{:016x}`
    // formatting cost more than the rest of the id.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(64);
    for _ in 0..4 {
        let word = r.next_u64();
        for shift in (0..16).rev() {
            id.push(HEX[(word >> (shift * 4)) as usize & 0xf] as char);
        }
    }
    id
}

/// Derives the pod status from the runtime and writes it if it changed.
fn write_status(
    pod: &Pod,
    rt: &PodRuntime,
    now: SimTime,
    out: &mut Reconcile,
    sandbox_ready: bool,
) {
    // The status is built apart from the pod, and the pod's current status is copied only when
    // the new one differs: about half the syncs (those that follow the kubelet's own writes)
    // change nothing.
    let mut statuses = Vec::new();
    let mut all_ready = true;
    let mut any_started = false;
    let mut all_started = true;
    let mut unready = Vec::new();
    for c in &rt.containers {
        let container_id = format!("containerd://{}", hex_id(&rt.uid, c.container_seq));
        let waiting = |reason: &str, message: Option<String>| ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.into()),
                message,
            }),
            ..Default::default()
        };
        let (state, ready, started) = match &c.state {
            CState::Waiting | CState::Pulling { .. } | CState::Starting { .. } => {
                (waiting("ContainerCreating", None), false, false)
            }
            CState::PullFailed {
                shown_backoff: false,
                message,
                ..
            } => (waiting("ErrImagePull", Some(message.clone())), false, false),
            CState::PullFailed {
                shown_backoff: true,
                ..
            } => (
                waiting(
                    "ImagePullBackOff",
                    Some(format!("Back-off pulling image {:?}", c.image)),
                ),
                false,
                false,
            ),
            CState::InvalidName { message } => (
                waiting("InvalidImageName", Some(message.clone())),
                false,
                false,
            ),
            CState::Running {
                since, ready_at, ..
            } => (
                ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(since.to_k8s()),
                    }),
                    ..Default::default()
                },
                ready_at.is_some_and(|r| r <= now),
                true,
            ),
            CState::Exited { at, code, since } => {
                (terminated(*code, *since, *at, &container_id), false, false)
            }
            CState::BackOff { .. } => (
                waiting(
                    "CrashLoopBackOff",
                    Some(format!(
                        "back-off {} restarting failed container={} pod={}_{}({})",
                        go_duration(backoff(c.restarts as u32)),
                        c.name,
                        pod.metadata.name.clone().unwrap_or_default(),
                        pod.metadata.namespace.clone().unwrap_or_default(),
                        rt.uid
                    )),
                ),
                false,
                false,
            ),
        };
        let ever_started = started || c.restarts > 0 || c.last_exit.is_some();
        any_started |= ever_started;
        all_started &= ever_started;
        all_ready &= ready;
        if !ready {
            unready.push(c.name.clone());
        }
        let last_state = c
            .last_exit
            .as_ref()
            .map(|e| terminated(e.code, e.started, e.finished, &container_id));
        // The image is resolved only once the status shows its id: before the pull it shows
        // none, and most status writes of a starting pod come before it.
        let image_id = (c.pulled || started || c.container_seq > 0)
            .then(|| registry::resolve(&c.image).ok())
            .flatten()
            .map(|i| {
                let digest = hex_id(&i.reference, 7);
                format!(
                    "{}@sha256:{}",
                    i.reference
                        .rsplit_once(':')
                        .map(|(r, _)| r)
                        .unwrap_or(&i.reference),
                    digest
                )
            });
        statuses.push(ContainerStatus {
            name: c.name.clone(),
            image: c.image.clone(),
            image_id: image_id.unwrap_or_default(),
            container_id: (c.container_seq > 0).then_some(container_id),
            ready,
            started: Some(started),
            restart_count: c.restarts,
            state: Some(state),
            last_state: Some(last_state.unwrap_or_default()),
            ..Default::default()
        });
    }
    let phase = if any_started && all_started {
        "Running"
    } else {
        "Pending"
    };
    let start_time = rt.admitted.to_k8s();
    let qos = qos_class(pod);
    let cond = |t: &str, ok: bool, reason: Option<String>, message: Option<String>| PodCondition {
        type_: t.into(),
        status: if ok { "True" } else { "False" }.into(),
        reason: if ok { None } else { reason },
        message: if ok { None } else { message },
        ..Default::default()
    };
    let msg = format!("containers with unready status: [{}]", unready.join(" "));
    let conditions = [
        cond("PodReadyToStartContainers", sandbox_ready, None, None),
        cond("Initialized", true, None, None),
        cond(
            "ContainersReady",
            all_ready,
            Some("ContainersNotReady".into()),
            Some(msg.clone()),
        ),
        cond(
            "Ready",
            all_ready,
            Some("ContainersNotReady".into()),
            Some(msg),
        ),
    ];
    let unchanged = pod.status.as_ref().is_some_and(|old| {
        old.phase.as_deref() == Some(phase)
            && old.host_ip.as_deref() == Some(rt.host_ip.as_str())
            && matches!(old.host_ips.as_deref(), Some([h]) if h.ip == rt.host_ip)
            && (!sandbox_ready
                || (old.pod_ip.as_deref() == Some(rt.ip.as_str())
                    && matches!(old.pod_ips.as_deref(), Some([p]) if p.ip == rt.ip)))
            && old.start_time.as_ref() == Some(&start_time)
            && old.qos_class.as_deref() == Some(qos)
            && old.container_statuses.as_deref() == Some(&statuses[..])
            && conditions
                .iter()
                .all(|c| super::scheduler::condition_unchanged(old.conditions.as_deref(), c))
    });
    let build = |statuses: Vec<ContainerStatus>, conditions: [PodCondition; 4]| {
        let mut status = pod.status.clone().unwrap_or_default();
        status.phase = Some(phase.into());
        status.host_ip = Some(rt.host_ip.clone());
        status.host_ips = Some(host_ips(&rt.host_ip));
        if sandbox_ready {
            status.pod_ip = Some(rt.ip.clone());
            status.pod_ips = Some(vec![PodIP { ip: rt.ip.clone() }]);
        }
        status.start_time = Some(start_time.clone());
        status.qos_class = Some(qos.into());
        status.container_statuses = Some(statuses);
        for c in conditions {
            super::scheduler::set_condition(&mut status, c, now);
        }
        status
    };
    if unchanged {
        debug_assert_eq!(
            pod.status.as_ref(),
            Some(&build(statuses.clone(), conditions.clone())),
            "the quick check found no change where building the status finds one"
        );
        return;
    }
    let status = build(statuses, conditions);
    if pod.status.as_ref() != Some(&status) {
        out.push(Action::UpdateStatus(Object::Pod(Pod {
            metadata: pod.metadata.clone(),
            spec: pod.spec.clone(),
            status: Some(status),
        })));
    }
}

/// A terminated container state (`Completed` for exit code 0, else `Error`).
fn terminated(
    code: i32,
    started: SimTime,
    finished: SimTime,
    container_id: &str,
) -> ContainerState {
    ContainerState {
        terminated: Some(ContainerStateTerminated {
            exit_code: code,
            reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
            started_at: Some(started.to_k8s()),
            finished_at: Some(finished.to_k8s()),
            container_id: Some(container_id.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `Guaranteed`, `Burstable` or `BestEffort`.
pub fn qos_class(pod: &Pod) -> &'static str {
    let containers = pod.spec.as_ref().map_or(&[][..], |s| &s.containers);
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in containers {
        let r = c.resources.as_ref();
        let req = r.and_then(|r| r.requests.as_ref());
        let lim = r.and_then(|r| r.limits.as_ref());
        any |= req.is_some_and(|m| !m.is_empty()) || lim.is_some_and(|m| !m.is_empty());
        for k in ["cpu", "memory"] {
            let limit = lim.and_then(|m| m.get(k));
            match (req.and_then(|m| m.get(k)).or(limit), limit) {
                (Some(a), Some(b)) if a == b => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The node's addresses for `hostIP`.
pub fn host_ips(ip: &str) -> Vec<HostIP> {
    vec![HostIP { ip: ip.to_string() }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_64_hex_digits_of_the_seeded_stream() {
        let id = hex_id("uid-1", 3);
        let mut r = crate::rng::Rng::new(
            "uid-1"
                .bytes()
                .fold(3, |h, b| h.wrapping_mul(131).wrapping_add(b as u64)),
        );
        let want: String = (0..4).map(|_| format!("{:016x}", r.next_u64())).collect();
        assert_eq!(id, want);
        assert_ne!(hex_id("uid-1", 4), id);
    }

    fn container(cmd: &[&str]) -> Container {
        Container {
            name: "c".into(),
            command: Some(cmd.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    /// Resource amounts by name.
    type Amounts<'a> = &'a [(&'a str, &'a str)];

    /// A pod of containers, each with (requests, limits).
    fn pod_with(resources: &[(Amounts, Amounts)]) -> Pod {
        use k8s_openapi::api::core::v1::{PodSpec, ResourceRequirements};
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        let list = |pairs: Amounts| {
            (!pairs.is_empty()).then(|| {
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
                    .collect()
            })
        };
        Pod {
            spec: Some(PodSpec {
                containers: resources
                    .iter()
                    .map(|(req, lim)| Container {
                        name: "c".into(),
                        resources: Some(ResourceRequirements {
                            requests: list(req),
                            limits: list(lim),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn qos_class_follows_requests_and_limits() {
        let both: Amounts = &[("cpu", "100m"), ("memory", "64Mi")];
        assert_eq!(qos_class(&pod_with(&[(&[], &[])])), "BestEffort");
        assert_eq!(qos_class(&pod_with(&[(both, both)])), "Guaranteed");
        // Requests default to the limits.
        assert_eq!(qos_class(&pod_with(&[(&[], both)])), "Guaranteed");
        assert_eq!(qos_class(&pod_with(&[(both, &[])])), "Burstable");
        assert_eq!(
            qos_class(&pod_with(&[(&[("cpu", "50m"), ("memory", "64Mi")], both)])),
            "Burstable"
        );
        assert_eq!(qos_class(&pod_with(&[(&[], &[("cpu", "1")])])), "Burstable");
        // Every container must be guaranteed.
        assert_eq!(
            qos_class(&pod_with(&[(both, both), (&[], &[])])),
            "Burstable"
        );
    }

    #[test]
    fn shell_commands_that_exit_crash_after_their_sleep() {
        assert_eq!(
            scripted_crash(&container(&["sh", "-c", "sleep 5; exit 1"])),
            Some((1, Dur::ms(5100)))
        );
        assert_eq!(
            scripted_crash(&container(&["sh", "-c", "exit 3"])),
            Some((3, Dur::ms(100)))
        );
        assert_eq!(
            scripted_crash(&container(&["false"])),
            Some((1, Dur::ms(100)))
        );
        assert_eq!(scripted_crash(&container(&["sh", "-c", "exit 0"])), None);
        assert_eq!(
            scripted_crash(&container(&["nginx", "-g", "daemon off;"])),
            None
        );
    }

    #[test]
    fn back_off_doubles_to_five_minutes() {
        let secs: Vec<u64> = (0..8).map(|n| backoff(n).0 / 1000).collect();
        assert_eq!(secs, vec![0, 10, 20, 40, 80, 160, 300, 300]);
    }
}
