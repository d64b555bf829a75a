//! The cluster's shape: the default nodes and namespaces, and how a node object is built from a
//! [`NodeSpec`] (as `kubeadm` and a registering kubelet would create it).

use crate::quantity;
use crate::time::SimTime;
use k8s_openapi::api::core::v1::{
    Namespace, NamespaceStatus, Node, NodeAddress, NodeCondition, NodeSpec as K8sNodeSpec,
    NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The default StorageClass `standard`: the simulation's host-path provisioner, `Delete`,
/// `Immediate` (as kind ships `standard` with `rancher.io/local-path`).
pub fn default_storage_class() -> k8s_openapi::api::storage::v1::StorageClass {
    use crate::controllers::volume::{ANN_DEFAULT_CLASS, PROVISIONER};
    k8s_openapi::api::storage::v1::StorageClass {
        metadata: ObjectMeta {
            name: Some("standard".into()),
            annotations: Some([(ANN_DEFAULT_CLASS.to_string(), "true".to_string())].into()),
            ..Default::default()
        },
        provisioner: PROVISIONER.into(),
        reclaim_policy: Some("Delete".into()),
        volume_binding_mode: Some("Immediate".into()),
        allow_volume_expansion: None,
        ..Default::default()
    }
}

pub const DEFAULT_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// The Kubernetes version the simulated nodes report.
pub const KUBELET_VERSION: &str = "v1.35.0";

/// What a node is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    pub cpu_millis: i64,
    pub memory_bytes: i64,
    pub pods: i64,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
}

impl NodeSpec {
    /// A worker with the default size: 4 CPU, 16Gi memory, 110 pods.
    pub fn worker(name: &str) -> NodeSpec {
        NodeSpec {
            name: name.to_string(),
            cpu_millis: 4000,
            memory_bytes: 16 << 30,
            pods: 110,
            labels: BTreeMap::new(),
            taints: Vec::new(),
        }
    }
}

/// `control-plane`, `worker-1`, `worker-2`.
pub fn default_nodes() -> Vec<NodeSpec> {
    let mut cp = NodeSpec::worker("control-plane");
    cp.labels.insert(
        "node-role.kubernetes.io/control-plane".into(),
        String::new(),
    );
    cp.taints.push(Taint {
        key: "node-role.kubernetes.io/control-plane".into(),
        effect: "NoSchedule".into(),
        ..Default::default()
    });
    vec![
        cp,
        NodeSpec::worker("worker-1"),
        NodeSpec::worker("worker-2"),
    ]
}

/// `parseTaint` of kubectl's pkg/cmd/taint/utils.go: `key=value:Effect`, `key:Effect` or a bare
/// `key` (the effect is then empty; only removals may use it).
pub fn parse_taint_spec(st: &str) -> Result<Taint, String> {
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => (*key, None, ""),
        [kv, effect] => {
            if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) {
                return Err(format!(
                    "invalid taint effect: {effect}, unsupported taint effect"
                ));
            }
            match kv.split('=').collect::<Vec<_>>().as_slice() {
                [key] => (*key, None, *effect),
                [key, value] => {
                    crate::labels::check_value(value)
                        .map_err(|m| format!("invalid taint spec: {st}, {m}"))?;
                    (*key, Some(value.to_string()), *effect)
                }
                _ => return Err(format!("invalid taint spec: {st}")),
            }
        }
        _ => return Err(format!("invalid taint spec: {st}")),
    };
    crate::labels::check_key(key).map_err(|m| format!("invalid taint spec: {st}, {m}"))?;
    Ok(Taint {
        key: key.into(),
        value,
        effect: effect.into(),
        time_added: None,
    })
}

/// A taint to add: [`parse_taint_spec`] with the effect required.
pub fn parse_taint(s: &str) -> Result<Taint, String> {
    let t = parse_taint_spec(s)?;
    if t.effect.is_empty() {
        return Err(format!("invalid taint spec: {s}"));
    }
    Ok(t)
}

/// A node object as the kubelet registers it: capacity, allocatable, Ready, addresses, info.
pub fn node(spec: &NodeSpec, index: u32, now: SimTime) -> Node {
    let mut labels = BTreeMap::from([
        ("beta.kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("beta.kubernetes.io/os".to_string(), "linux".to_string()),
        ("kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("kubernetes.io/hostname".to_string(), spec.name.clone()),
        ("kubernetes.io/os".to_string(), "linux".to_string()),
    ]);
    labels.extend(spec.labels.clone());
    let resources = BTreeMap::from([
        (
            "cpu".to_string(),
            Quantity(quantity::format_cpu(spec.cpu_millis)),
        ),
        ("ephemeral-storage".to_string(), Quantity("100Gi".into())),
        (
            "memory".to_string(),
            Quantity(quantity::format_bytes(spec.memory_bytes)),
        ),
        ("pods".to_string(), Quantity(spec.pods.to_string())),
    ]);
    Node {
        metadata: ObjectMeta {
            name: Some(spec.name.clone()),
            labels: Some(labels),
            annotations: Some(BTreeMap::from([(
                "node.alpha.kubernetes.io/ttl".to_string(),
                "0".to_string(),
            )])),
            ..Default::default()
        },
        spec: Some(K8sNodeSpec {
            pod_cidr: Some(format!("10.244.{index}.0/24")),
            pod_cidrs: Some(vec![format!("10.244.{index}.0/24")]),
            taints: (!spec.taints.is_empty()).then(|| spec.taints.clone()),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            capacity: Some(resources.clone()),
            allocatable: Some(resources),
            conditions: Some(kubelet_conditions(now)),
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: format!("172.18.0.{}", index + 2),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: spec.name.clone(),
                },
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: String::new(),
                container_runtime_version: "containerd://2.1.4".into(),
                kernel_version: "6.12.48-1-amd64".into(),
                kube_proxy_version: String::new(),
                kubelet_version: KUBELET_VERSION.into(),
                machine_id: String::new(),
                operating_system: "linux".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                system_uuid: String::new(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

/// The conditions a healthy kubelet posts (`setNodeReadyCondition` and the pressure condition
/// setters of pkg/kubelet/nodestatus/setters.go), all observed at `now`.
pub fn kubelet_conditions(now: SimTime) -> Vec<NodeCondition> {
    [
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        (
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
        ),
        (
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        (
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        ),
    ]
    .into_iter()
    .map(|(t, status, reason, message)| NodeCondition {
        type_: t.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(now.to_k8s()),
        last_transition_time: Some(now.to_k8s()),
    })
    .collect()
}

/// Taint keys the node lifecycle controller manages.
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
pub const TAINT_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";

/// `nodeConditionToTaintKeyStatusMap` (NoSchedule, TaintNodesByCondition) and the NoExecute
/// taints of taint-based eviction, from pkg/controller/nodelifecycle: which condition status
/// brings which taint. The one place that says so.
const CONDITION_TAINTS: [(&str, &str, &str, &[&str]); 6] = [
    (
        "Ready",
        "False",
        TAINT_NOT_READY,
        &["NoSchedule", "NoExecute"],
    ),
    (
        "Ready",
        "Unknown",
        TAINT_UNREACHABLE,
        &["NoSchedule", "NoExecute"],
    ),
    (
        "MemoryPressure",
        "True",
        "node.kubernetes.io/memory-pressure",
        &["NoSchedule"],
    ),
    (
        "DiskPressure",
        "True",
        "node.kubernetes.io/disk-pressure",
        &["NoSchedule"],
    ),
    (
        "PIDPressure",
        "True",
        "node.kubernetes.io/pid-pressure",
        &["NoSchedule"],
    ),
    (
        "NetworkUnavailable",
        "True",
        "node.kubernetes.io/network-unavailable",
        &["NoSchedule"],
    ),
];

/// Whether a taint is one the node lifecycle controller adds and removes.
pub fn is_controller_taint(t: &Taint) -> bool {
    (t.key == TAINT_UNSCHEDULABLE && t.effect == "NoSchedule")
        || CONDITION_TAINTS
            .iter()
            .any(|(_, _, key, effects)| t.key == *key && effects.contains(&t.effect.as_str()))
}

/// The controller-managed taints a node should carry for its conditions and
/// `spec.unschedulable` (without `timeAdded`).
pub fn condition_taints(node: &Node) -> Vec<Taint> {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    let status_of = |t: &str| {
        conditions
            .into_iter()
            .flatten()
            .find(|c| c.type_ == t)
            .map(|c| c.status.as_str())
    };
    let mut taints: Vec<Taint> = Vec::new();
    for (cond, status, key, effects) in CONDITION_TAINTS {
        if status_of(cond) == Some(status) {
            for effect in effects {
                taints.push(Taint {
                    key: key.into(),
                    effect: (*effect).into(),
                    ..Default::default()
                });
            }
        }
    }
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        taints.push(Taint {
            key: TAINT_UNSCHEDULABLE.into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        });
    }
    taints
}

/// A node's taints.
pub fn taints(node: &Node) -> &[Taint] {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or(&[])
}

/// `Taint.ToString`: `key=value:Effect`, `key:Effect`, `key=value:` or `key`.
pub fn taint_string(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    match (value.is_empty(), t.effect.is_empty()) {
        (true, true) => t.key.clone(),
        (false, true) => format!("{}={value}:", t.key),
        (true, false) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={value}:{}", t.key, t.effect),
    }
}

/// A node's taints as kubectl prints them: `key=value:Effect`.
pub fn node_taints(node: &Node) -> Vec<String> {
    taints(node).iter().map(taint_string).collect()
}

/// The node's InternalIP.
pub fn internal_ip(node: &Node) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address.clone())
        .unwrap_or_default()
}

pub fn namespace_with_status(mut n: Namespace) -> Namespace {
    n.spec = Some(k8s_openapi::api::core::v1::NamespaceSpec {
        finalizers: Some(vec!["kubernetes".into()]),
    });
    n.status = Some(NamespaceStatus {
        phase: Some("Active".into()),
        conditions: None,
    });
    n
}

/// `Ready` condition status of a node (`True`, `False`, `Unknown`), if it has one.
pub fn node_ready(node: &Node) -> Option<&str> {
    node.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.as_str())
}

/// The `kubectl get nodes` STATUS column.
pub fn node_status_column(node: &Node) -> String {
    let mut s = match node_ready(node) {
        Some("True") => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// The ROLES column: `node-role.kubernetes.io/<role>` labels, sorted, or `<none>`.
pub fn node_roles(node: &Node) -> String {
    let mut roles: Vec<String> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
                Some(r.to_string())
            } else if k == "kubernetes.io/role" {
                Some(v.clone())
            } else {
                None
            }
        })
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taint_syntax() {
        let t = parse_taint("dedicated=gpu:NoSchedule").unwrap();
        assert_eq!(
            (t.key.as_str(), t.value.as_deref(), t.effect.as_str()),
            ("dedicated", Some("gpu"), "NoSchedule")
        );
        assert_eq!(
            parse_taint("node-role.kubernetes.io/control-plane:NoSchedule")
                .unwrap()
                .value,
            None
        );
        assert!(parse_taint("k=v").is_err());
        assert!(parse_taint("k=v:Sometimes").is_err());
    }

    #[test]
    fn default_nodes_look_like_kubeadm() {
        let nodes = default_nodes();
        let cp = node(&nodes[0], 0, SimTime(0));
        assert_eq!(node_roles(&cp), "control-plane");
        assert_eq!(node_status_column(&cp), "Ready");
        let w = node(&nodes[1], 1, SimTime(0));
        assert_eq!(node_roles(&w), "<none>");
        assert_eq!(internal_ip(&w), "172.18.0.3");
    }
}
