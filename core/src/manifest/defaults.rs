//! API defaulting for the simulated kinds (`pkg/apis/apps/v1/defaults.go`,
//! `pkg/apis/core/v1/defaults.go`), so stored objects look as they would on a real cluster.

use crate::controllers::registry::default_pull_policy;
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub fn deployment(d: &mut Deployment) {
    let spec = &mut d.spec;
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    let t = strategy
        .type_
        .get_or_insert_with(|| "RollingUpdate".into())
        .clone();
    if t == "RollingUpdate" {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_surge
            .get_or_insert(IntOrString::String("25%".into()));
        ru.max_unavailable
            .get_or_insert(IntOrString::String("25%".into()));
    }
    template(&mut spec.template);
}

/// `SetDefaults_DaemonSet`: RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10.
pub fn daemon_set(d: &mut k8s_openapi::api::apps::v1::DaemonSet) {
    use k8s_openapi::api::apps::v1::RollingUpdateDaemonSet;
    let spec = &mut d.spec;
    let strategy = spec.update_strategy.get_or_insert_with(Default::default);
    if strategy.type_.as_deref().is_none_or(str::is_empty) {
        strategy.type_ = Some("RollingUpdate".into());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    template(&mut spec.template);
}

pub fn replica_set(rs: &mut ReplicaSet) {
    let spec = &mut rs.spec;
    spec.replicas.get_or_insert(1);
    if let Some(t) = spec.template.as_mut() {
        template(t);
    }
}

pub fn template(t: &mut PodTemplateSpec) {
    if let Some(spec) = t.spec.as_mut() {
        pod_spec(spec);
    }
}

pub fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context.get_or_insert_with(Default::default);
    spec.enable_service_links.get_or_insert(true);
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    spec.priority.get_or_insert(0);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        container(c);
    }
}

/// Defaulting and admission for a new pod (templates get neither):
/// - `SetDefaults_Pod` (`pkg/apis/core/v1/defaults.go`): a container resource with a limit but
///   no request gets a request equal to the limit;
/// - `DefaultTolerationSeconds` adds tolerations of the not-ready and unreachable taints for
///   300s unless the pod has its own.
pub fn admit_pod(spec: &mut PodSpec) {
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        let Some(r) = c.resources.as_mut() else {
            continue;
        };
        if let Some(limits) = &r.limits {
            let requests = r.requests.get_or_insert_with(Default::default);
            for (k, v) in limits {
                requests.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let has = spec.tolerations.iter().flatten().any(|t| {
            t.key.as_deref() == Some(key)
                || (t.key.is_none() && t.operator.as_deref() == Some("Exists"))
        });
        if !has {
            spec.tolerations.get_or_insert_with(Vec::new).push(
                k8s_openapi::api::core::v1::Toleration {
                    key: Some(key.to_string()),
                    operator: Some("Exists".into()),
                    effect: Some("NoExecute".into()),
                    toleration_seconds: Some(300),
                    value: None,
                },
            );
        }
    }
}

fn container(c: &mut Container) {
    if let Some(image) = &c.image {
        c.image_pull_policy
            .get_or_insert_with(|| default_pull_policy(image).into());
    }
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    c.resources.get_or_insert_with(Default::default);
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    for p in [
        c.readiness_probe.as_mut(),
        c.liveness_probe.as_mut(),
        c.startup_probe.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        probe(p);
    }
}

fn probe(p: &mut Probe) {
    p.period_seconds.get_or_insert(10);
    p.timeout_seconds.get_or_insert(1);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
}

pub fn persistent_volume_claim(c: &mut k8s_openapi::api::core::v1::PersistentVolumeClaim) {
    let spec = c.spec.get_or_insert_with(Default::default);
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
}

pub fn persistent_volume(v: &mut k8s_openapi::api::core::v1::PersistentVolume) {
    let spec = v.spec.get_or_insert_with(Default::default);
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
    spec.persistent_volume_reclaim_policy
        .get_or_insert_with(|| "Retain".into());
}

pub fn storage_class(c: &mut k8s_openapi::api::storage::v1::StorageClass) {
    c.reclaim_policy.get_or_insert_with(|| "Delete".into());
    c.volume_binding_mode
        .get_or_insert_with(|| "Immediate".into());
}

/// `SetDefaults_Service` and the registry's defaulting at create (`pkg/apis/core/v1/defaults.go`,
/// `pkg/registry/core/service/storage`): type ClusterIP, sessionAffinity None, TCP ports whose
/// targetPort defaults to the port, traffic policies, and single-stack IPv4 families (a headless
/// Service without a selector asks for dual stack, which a single-stack cluster grants as IPv4).
/// `clusterIPs` follows `clusterIP`.
pub fn service(s: &mut k8s_openapi::api::core::v1::Service) {
    let spec = s.spec.get_or_insert_with(Default::default);
    let t = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
    spec.session_affinity.get_or_insert_with(|| "None".into());
    for p in spec.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
        let unset = match &p.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(v)) => v.is_empty(),
            _ => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    if t == "ExternalName" {
        return;
    }
    spec.internal_traffic_policy
        .get_or_insert_with(|| "Cluster".into());
    if t == "NodePort" || t == "LoadBalancer" {
        spec.external_traffic_policy
            .get_or_insert_with(|| "Cluster".into());
    }
    if t == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
    match (&spec.cluster_ip, &spec.cluster_ips) {
        (Some(ip), None) if !ip.is_empty() => spec.cluster_ips = Some(vec![ip.clone()]),
        (None, Some(ips)) => spec.cluster_ip = ips.first().cloned(),
        _ => {}
    }
    let headless = spec.cluster_ip.as_deref() == Some("None");
    let policy = if headless && spec.selector.is_none() {
        "RequireDualStack"
    } else {
        "SingleStack"
    };
    spec.ip_family_policy.get_or_insert_with(|| policy.into());
    spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
}

/// `SetDefaults_EndpointPort`: TCP.
pub fn endpoints(e: &mut k8s_openapi::api::core::v1::Endpoints) {
    for s in e.subsets.iter_mut().flatten() {
        for p in s.ports.iter_mut().flatten() {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
    }
}

/// `SetDefaults_EndpointPort` (discovery): TCP, and an empty name.
pub fn endpoint_slice(e: &mut k8s_openapi::api::discovery::v1::EndpointSlice) {
    for p in e.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
        p.name.get_or_insert_with(String::new);
    }
}

/// `normalizeClusterIPs` on update: a client that changed only `clusterIP` meant the first of
/// `clusterIPs` too (validation then refuses the change).
pub fn normalize_cluster_ips(
    old: &k8s_openapi::api::core::v1::Service,
    new: &mut k8s_openapi::api::core::v1::Service,
) {
    let old_spec = old.spec.clone().unwrap_or_default();
    let Some(spec) = new.spec.as_mut() else {
        return;
    };
    if old_spec.cluster_ip != spec.cluster_ip && old_spec.cluster_ips == spec.cluster_ips {
        match spec.cluster_ip.clone().filter(|ip| !ip.is_empty()) {
            None => spec.cluster_ips = None,
            Some(ip) => match spec.cluster_ips.as_mut().and_then(|v| v.first_mut()) {
                Some(first) => *first = ip,
                None => spec.cluster_ips = Some(vec![ip]),
            },
        }
    }
}
/// `SetDefaults_StatefulSet` (with MaxUnavailableStatefulSet on, as since 1.35), and the claim
/// templates' `SetDefaults_PersistentVolumeClaim`.
pub fn stateful_set(s: &mut k8s_openapi::api::apps::v1::StatefulSet) {
    use k8s_openapi::api::apps::v1::{
        RollingUpdateStatefulSetStrategy, StatefulSetPersistentVolumeClaimRetentionPolicy,
    };
    let spec = &mut s.spec;
    spec.pod_management_policy
        .get_or_insert_with(|| "OrderedReady".into());
    let strategy = spec.update_strategy.get_or_insert_with(Default::default);
    if strategy.type_.as_deref().is_none_or(str::is_empty) {
        strategy.type_ = Some("RollingUpdate".into());
        strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        if let Some(ru) = strategy.rolling_update.as_mut() {
            ru.partition.get_or_insert(0);
            ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        }
    }
    let policy = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    policy.when_deleted.get_or_insert_with(|| "Retain".into());
    policy.when_scaled.get_or_insert_with(|| "Retain".into());
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    template(&mut spec.template);
    for c in spec.volume_claim_templates.iter_mut().flatten() {
        persistent_volume_claim(c);
        c.status
            .get_or_insert_with(Default::default)
            .phase
            .get_or_insert_with(|| "Pending".into());
    }
}
