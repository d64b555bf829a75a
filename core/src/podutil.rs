//! Pure helpers over pods and their status (`k8s.io/kubernetes/pkg/api/v1/pod`,
//! `pkg/controller/controller_utils.go`).

use crate::quantity;
use crate::time::{Dur, SimTime};
use k8s_openapi::api::core::v1::{Container, Pod, PodCondition, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// `IsPodActive`: not terminal and not being deleted. Controllers count only active pods.
pub fn is_active(pod: &Pod) -> bool {
    let phase = phase(pod);
    phase != "Succeeded" && phase != "Failed" && pod.metadata.deletion_timestamp.is_none()
}

pub fn is_terminal(pod: &Pod) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed")
}

pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

pub fn node_name(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}

pub fn condition<'a>(pod: &'a Pod, type_: &str) -> Option<&'a PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

/// `Ready=True`.
pub fn is_ready(pod: &Pod) -> bool {
    condition(pod, "Ready").is_some_and(|c| c.status == "True")
}

/// When the pod last became ready.
pub fn ready_since(pod: &Pod) -> Option<SimTime> {
    condition(pod, "Ready")
        .filter(|c| c.status == "True")
        .and_then(|c| c.last_transition_time.as_ref())
        .map(SimTime::from_k8s)
}

/// `IsPodAvailable`: ready, and for at least `min_ready_seconds` (strictly before `now`).
pub fn is_available(pod: &Pod, min_ready_seconds: i32, now: SimTime) -> bool {
    Readiness::of(pod).available(min_ready_seconds, now)
}

/// When a ready pod becomes available (for requeueing), if not yet.
pub fn available_at(pod: &Pod, min_ready_seconds: i32) -> Option<SimTime> {
    Readiness::of(pod).available_at(min_ready_seconds)
}

/// A pod's Ready condition: whether it is `True`, and since when. Availability is decided from
/// this alone, whether it is read from the pod or from its [`PodFacts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Readiness {
    /// [`is_ready`].
    pub ready: bool,
    /// [`ready_since`].
    pub since: Option<SimTime>,
}

impl Readiness {
    pub fn of(pod: &Pod) -> Readiness {
        let ready = condition(pod, "Ready").filter(|c| c.status == "True");
        Readiness {
            ready: ready.is_some(),
            since: ready
                .and_then(|c| c.last_transition_time.as_ref())
                .map(SimTime::from_k8s),
        }
    }

    /// [`is_available`].
    pub fn available(&self, min_ready_seconds: i32, now: SimTime) -> bool {
        self.ready
            && (min_ready_seconds <= 0
                || self
                    .since
                    .is_some_and(|t| t + Dur::secs(min_ready_seconds as u64) < now))
    }

    /// [`available_at`].
    pub fn available_at(&self, min_ready_seconds: i32) -> Option<SimTime> {
        self.since
            .map(|t| t + Dur::secs(min_ready_seconds.max(0) as u64) + Dur::ms(1))
    }
}

/// What the controllers read of a pod on every pass over a workload's pods, parsed once per
/// write of the pod ([`crate::store::Table::owned_with_facts`]): a ReplicaSet's pass reads
/// these for each of its pods, and finding them in the status by name cost more than the rest
/// of the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PodFacts {
    /// [`is_active`]: neither Succeeded nor Failed, and not being deleted.
    pub active: bool,
    /// Being deleted and not yet Succeeded or Failed.
    pub terminating: bool,
    pub readiness: Readiness,
}

impl PodFacts {
    pub fn of(pod: &Pod) -> PodFacts {
        PodFacts {
            active: is_active(pod),
            terminating: pod.metadata.deletion_timestamp.is_some() && !is_terminal(pod),
            readiness: Readiness::of(pod),
        }
    }
}

/// Sum of container restart counts.
pub fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum())
}

/// A resource list in integers: cpu in millicores, every other resource in whole units (bytes
/// for memory and ephemeral-storage, a count for extended resources).
pub type ResourceList = std::collections::BTreeMap<String, i64>;

/// A [`ResourceList`] with the resources the scheduler checks on every node it looks at held in
/// fields: a scheduling cycle of 10,000 pods on 1,000 nodes made millions of lookups by name,
/// each a few string comparisons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    pub cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    /// `pods`, when the list names it.
    pub pods: Option<i64>,
    /// Every other resource (extended resources, hugepages), by name.
    pub other: ResourceList,
}

impl Resources {
    pub fn from_list(list: &ResourceList) -> Resources {
        let mut r = Resources::default();
        for (name, &v) in list {
            match name.as_str() {
                "cpu" => r.cpu = v,
                "memory" => r.memory = v,
                "ephemeral-storage" => r.ephemeral_storage = v,
                "pods" => r.pods = Some(v),
                _ => {
                    r.other.insert(name.clone(), v);
                }
            }
        }
        r
    }

    /// The amount of one resource (0 when the list does not name it).
    pub fn get(&self, resource: &str) -> i64 {
        match resource {
            "cpu" => self.cpu,
            "memory" => self.memory,
            "ephemeral-storage" => self.ephemeral_storage,
            "pods" => self.pods.unwrap_or(0),
            r => self.other.get(r).copied().unwrap_or(0),
        }
    }
}

/// What is already placed on a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeUsage {
    pub cpu_millis: i64,
    pub memory_bytes: i64,
    pub pods: i64,
    /// Scoring view: requests with the non-zero defaults applied.
    pub nonzero_cpu: i64,
    pub nonzero_memory: i64,
    /// Requests of every other resource (ephemeral-storage, extended resources).
    pub other: ResourceList,
}

impl NodeUsage {
    /// Nothing placed.
    pub const EMPTY: NodeUsage = NodeUsage {
        cpu_millis: 0,
        memory_bytes: 0,
        pods: 0,
        nonzero_cpu: 0,
        nonzero_memory: 0,
        other: ResourceList::new(),
    };

    /// What one pod adds to its node.
    pub fn of(pod: &Pod) -> NodeUsage {
        let mut u = NodeUsage::default();
        u.add(pod);
        u
    }

    /// Counts one more pod on the node (`NodeInfo.AddPod`).
    pub fn add(&mut self, pod: &Pod) {
        let mut r = pod_requests(pod, false);
        let nz = pod_requests(pod, true);
        self.cpu_millis += r.remove("cpu").unwrap_or(0);
        self.memory_bytes += r.remove("memory").unwrap_or(0);
        self.nonzero_cpu += nz.get("cpu").copied().unwrap_or(0);
        self.nonzero_memory += nz.get("memory").copied().unwrap_or(0);
        self.pods += 1;
        for (k, v) in r {
            *self.other.entry(k).or_default() += v;
        }
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) what [`NodeUsage::of`] a pod gave; a resource
    /// that drops to nothing is forgotten, so adding and removing a pod leaves no trace.
    pub fn merge(&mut self, u: &NodeUsage, sign: i64) {
        self.cpu_millis += sign * u.cpu_millis;
        self.memory_bytes += sign * u.memory_bytes;
        self.nonzero_cpu += sign * u.nonzero_cpu;
        self.nonzero_memory += sign * u.nonzero_memory;
        self.pods += sign * u.pods;
        for (k, v) in &u.other {
            let e = self.other.entry(k.clone()).or_default();
            *e += sign * v;
            if *e == 0 {
                self.other.remove(k);
            }
        }
    }

    /// Requested amount of one resource.
    pub fn requested(&self, resource: &str) -> i64 {
        match resource {
            "cpu" => self.cpu_millis,
            "memory" => self.memory_bytes,
            "pods" => self.pods,
            r => self.other.get(r).copied().unwrap_or(0),
        }
    }
}

/// Requests the scheduler assumes for scoring when a container asks for none
/// (`schedutil.DefaultMilliCPURequest`, `DefaultMemoryRequest`).
pub const NON_ZERO_CPU: i64 = 100;
pub const NON_ZERO_MEMORY: i64 = 200 << 20;

/// Parses an API resource list. Unparseable quantities are left out (validation refuses them
/// before they reach the store).
pub fn resource_list(m: Option<&std::collections::BTreeMap<String, Quantity>>) -> ResourceList {
    m.into_iter()
        .flatten()
        .filter_map(|(name, q)| {
            let v = if name == "cpu" {
                quantity::cpu_millis(&q.0)
            } else {
                quantity::bytes(&q.0)
            };
            v.ok().map(|v| (name.clone(), v))
        })
        .collect()
}

fn add_into(total: &mut ResourceList, r: &ResourceList) {
    for (k, v) in r {
        *total.entry(k.clone()).or_default() += v;
    }
}

fn max_into(total: &mut ResourceList, r: &ResourceList) {
    for (k, v) in r {
        let e = total.entry(k.clone()).or_default();
        *e = (*e).max(*v);
    }
}

/// Requests of a pod as the scheduler counts them (`resourcehelper.PodRequests`): app containers
/// and restartable init containers (sidecars) are summed; each ordinary init container runs next
/// to the sidecars started before it, and the pod needs at least the largest such step;
/// `spec.overhead` is added. With `non_zero`, a container that does not request cpu or memory
/// counts [`NON_ZERO_CPU`] / [`NON_ZERO_MEMORY`] (the scoring view, `NonMissingContainerRequests`).
pub fn pod_requests(pod: &Pod, non_zero: bool) -> ResourceList {
    let Some(spec) = pod.spec.as_ref() else {
        return ResourceList::new();
    };
    let of = |c: &Container| {
        let mut r = resource_list(c.resources.as_ref().and_then(|r| r.requests.as_ref()));
        if non_zero {
            r.entry("cpu".into()).or_insert(NON_ZERO_CPU);
            r.entry("memory".into()).or_insert(NON_ZERO_MEMORY);
        }
        r
    };
    let mut reqs = ResourceList::new();
    for c in &spec.containers {
        add_into(&mut reqs, &of(c));
    }
    let mut sidecars = ResourceList::new();
    let mut init = ResourceList::new();
    for c in spec.init_containers.iter().flatten() {
        let mut step = of(c);
        if c.restart_policy.as_deref() == Some("Always") {
            add_into(&mut reqs, &step);
            add_into(&mut sidecars, &step);
            step = sidecars.clone();
        } else {
            add_into(&mut step, &sidecars);
        }
        max_into(&mut init, &step);
    }
    max_into(&mut reqs, &init);
    add_into(&mut reqs, &resource_list(spec.overhead.as_ref()));
    reqs
}

/// CPU (millicores) and memory (bytes) requests of a pod, see [`pod_requests`].
pub fn requests(pod: &Pod) -> (i64, i64) {
    let r = pod_requests(pod, false);
    (
        r.get("cpu").copied().unwrap_or(0),
        r.get("memory").copied().unwrap_or(0),
    )
}

/// The template's labels.
pub fn template_labels(t: &PodTemplateSpec) -> std::collections::BTreeMap<String, String> {
    t.metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

/// The kubectl `get pods` STATUS column (`printPod`, see the semantics reference §7.6).
pub fn display_status(pod: &Pod) -> String {
    let status = pod.status.as_ref();
    let mut reason = status
        .and_then(|s| s.reason.clone())
        .unwrap_or_else(|| phase(pod).to_string());
    if let Some(c) = condition(pod, "PodScheduled") {
        if c.reason.as_deref() == Some("SchedulingGated") {
            reason = "SchedulingGated".into();
        }
    }
    let mut initializing = false;
    if let Some(ics) = status.and_then(|s| s.init_container_statuses.as_ref()) {
        let total = pod
            .spec
            .as_ref()
            .and_then(|s| s.init_containers.as_ref())
            .map_or(0, |v| v.len());
        for (i, c) in ics.iter().enumerate() {
            let state = c.state.as_ref();
            if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                if t.exit_code == 0 {
                    continue;
                }
                reason = match &t.reason {
                    Some(r) if !r.is_empty() => format!("Init:{r}"),
                    _ => format!("Init:ExitCode:{}", t.exit_code),
                };
            } else if let Some(w) = state.and_then(|s| s.waiting.as_ref()).filter(|w| {
                w.reason
                    .as_deref()
                    .is_some_and(|r| !r.is_empty() && r != "PodInitializing")
            }) {
                reason = format!("Init:{}", w.reason.clone().unwrap_or_default());
            } else {
                reason = format!("Init:{i}/{total}");
            }
            initializing = true;
            break;
        }
    }
    if !initializing {
        let mut has_running = false;
        for c in status
            .and_then(|s| s.container_statuses.as_ref())
            .into_iter()
            .flatten()
            .rev()
        {
            let state = c.state.as_ref();
            if let Some(w) = state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = w;
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                reason = match &t.reason {
                    Some(r) if !r.is_empty() => r.clone(),
                    _ if t.signal.unwrap_or(0) != 0 => format!("Signal:{}", t.signal.unwrap_or(0)),
                    _ => format!("ExitCode:{}", t.exit_code),
                };
            } else if c.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            reason = if is_ready(pod) {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".into();
        } else if !is_terminal(pod) {
            reason = "Terminating".into();
        }
    }
    reason
}

/// `ready/total` containers.
pub fn ready_column(pod: &Pod) -> String {
    let total = pod.spec.as_ref().map_or(0, |s| s.containers.len());
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map_or(0, |cs| cs.iter().filter(|c| c.ready).count());
    format!("{ready}/{total}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateWaiting, ContainerStatus, PodStatus,
    };

    fn waiting_pod(reason: &str) -> Pod {
        Pod {
            status: Some(PodStatus {
                phase: Some("Pending".into()),
                container_statuses: Some(vec![ContainerStatus {
                    name: "c".into(),
                    state: Some(ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: Some(reason.into()),
                            message: None,
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn status_column_prefers_container_waiting_reason() {
        assert_eq!(
            display_status(&waiting_pod("ContainerCreating")),
            "ContainerCreating"
        );
        assert_eq!(
            display_status(&waiting_pod("ImagePullBackOff")),
            "ImagePullBackOff"
        );
        assert_eq!(display_status(&Pod::default()), "Pending");
    }

    #[test]
    fn deleting_pod_shows_terminating() {
        let mut p = waiting_pod("ContainerCreating");
        p.metadata.deletion_timestamp = Some(SimTime(0).to_k8s());
        assert_eq!(display_status(&p), "Terminating");
    }

    #[test]
    fn availability_needs_min_ready_seconds_strictly_elapsed() {
        let p = Pod {
            status: Some(PodStatus {
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: "True".into(),
                    last_transition_time: Some(SimTime(10_000).to_k8s()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(is_available(&p, 0, SimTime(10_000)));
        assert!(!is_available(&p, 5, SimTime(15_000)));
        assert!(is_available(&p, 5, SimTime(15_001)));
    }
}
