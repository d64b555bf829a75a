//! What the API server's service registry adds to a Service (`pkg/registry/core/service`):
//! a ClusterIP from the service CIDR and node ports from the node-port range, both allocated
//! at creation and kept for the Service's life; and the two Services every kubeadm cluster
//! starts with, `default/kubernetes` and `kube-system/kube-dns`, with their Endpoints and
//! EndpointSlices.
//!
//! Allocation follows the upstream bitmap allocators' shape: dynamic allocations come from the
//! upper part of each range (the lower band is kept for addresses and ports chosen by hand),
//! at a position that looks random but is a hash of the seed and the Service's namespace and
//! name, probing upwards past taken values. So a Service gets the same ClusterIP on every run
//! of a seed, whatever else the cluster holds.

use crate::controllers::endpoints::LABEL_HEADLESS;
use crate::controllers::endpointslice::LABEL_SERVICE_NAME;
use crate::store::{Key, Store};
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Service, ServicePort, ServiceSpec,
    ServiceStatus,
};
use k8s_openapi::api::discovery::v1::{self as discovery, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// The service CIDR kubeadm and kind use.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
const CIDR_BASE: u32 = 0x0a60_0000; // 10.96.0.0
const CIDR_SIZE: u32 = 1 << 20;
/// `--service-node-port-range`.
pub const NODE_PORT_MIN: i32 = 30000;
pub const NODE_PORT_MAX: i32 = 32767;
/// The API server's own Service and cluster DNS.
pub const KUBERNETES_IP: &str = "10.96.0.1";
pub const DNS_IP: &str = "10.96.0.10";
/// The cluster domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The secure port of the API server on the control-plane node.
pub const APISERVER_PORT: i32 = 6443;

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether `ip` is a usable address of the service CIDR (not its network or broadcast address).
pub fn in_service_range(ip: &str) -> bool {
    ip.parse::<Ipv4Addr>().is_ok_and(|a| {
        let n = u32::from(a);
        n > CIDR_BASE && n < CIDR_BASE + CIDR_SIZE - 1
    })
}

/// ClusterIPs in use, except by the Service `except`.
pub fn used_cluster_ips(store: &Store, except: Option<&Key>) -> BTreeSet<String> {
    store
        .services
        .iter()
        .filter(|s| except != Some(&Key::of(&s.metadata)))
        .filter_map(|s| s.spec.as_ref()?.cluster_ip.clone())
        .filter(|ip| ip != "None" && !ip.is_empty())
        .collect()
}

/// Node ports in use, except by the Service `except`.
pub fn used_node_ports(store: &Store, except: Option<&Key>) -> BTreeSet<i32> {
    store
        .services
        .iter()
        .filter(|s| except != Some(&Key::of(&s.metadata)))
        .flat_map(|s| {
            s.spec
                .as_ref()
                .and_then(|s| s.ports.clone())
                .unwrap_or_default()
        })
        .filter_map(|p| p.node_port)
        .collect()
}

/// A free ClusterIP for the Service `key`, or `None` when the range is full.
pub fn allocate_cluster_ip(used: &BTreeSet<String>, seed: u64, key: &Key) -> Option<String> {
    // Offsets 1..=size-2; the first 256 are the static band.
    let band = 256u32;
    let dynamic = CIDR_SIZE - 2 - band;
    let start = (fnv(&format!("{seed}/{}/{}", key.namespace, key.name)) % dynamic as u64) as u32;
    (0..CIDR_SIZE - 2)
        .map(|i| {
            if i < dynamic {
                band + 1 + (start + i) % dynamic
            } else {
                1 + (i - dynamic)
            }
        })
        .map(|off| Ipv4Addr::from(CIDR_BASE + off).to_string())
        .find(|ip| !used.contains(ip))
}

/// A free node port for port `index` of the Service `key`.
pub fn allocate_node_port(used: &BTreeSet<i32>, seed: u64, key: &Key, index: usize) -> Option<i32> {
    let size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    let band = 128;
    let dynamic = size - band;
    let start =
        (fnv(&format!("{seed}/{}/{}/{index}", key.namespace, key.name)) % dynamic as u64) as i32;
    (0..size)
        .map(|i| {
            if i < dynamic {
                NODE_PORT_MIN + band + (start + i) % dynamic
            } else {
                NODE_PORT_MIN + (i - dynamic)
            }
        })
        .find(|p| !used.contains(p))
}

/// Whether a Service of this type gets node ports.
pub fn wants_node_ports(svc: &Service) -> bool {
    let spec = svc.spec.as_ref();
    match spec.and_then(|s| s.type_.as_deref()) {
        Some("NodePort") => true,
        Some("LoadBalancer") => spec
            .and_then(|s| s.allocate_load_balancer_node_ports)
            .unwrap_or(true),
        _ => false,
    }
}

/// Fills what the registry allocates: the ClusterIP (unless headless or ExternalName) and the
/// node ports. Values already set are kept.
pub fn allocate(store: &Store, seed: u64, svc: &mut Service) {
    let key = Key::of(&svc.metadata);
    let external_name = svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName");
    let node_ports = wants_node_ports(svc);
    let spec = svc.spec.get_or_insert_with(Default::default);
    if !external_name {
        let ip = match spec.cluster_ip.as_deref() {
            Some(ip) if !ip.is_empty() => Some(ip.to_string()),
            _ => allocate_cluster_ip(&used_cluster_ips(store, Some(&key)), seed, &key),
        };
        if let Some(ip) = ip {
            spec.cluster_ips = Some(vec![ip.clone()]);
            spec.cluster_ip = Some(ip);
        }
    }
    if node_ports {
        let mut used = used_node_ports(store, Some(&key));
        for (i, p) in spec.ports.iter_mut().flatten().enumerate() {
            match p.node_port {
                Some(n) if n != 0 => {
                    used.insert(n);
                }
                _ => {
                    p.node_port = allocate_node_port(&used, seed, &key, i);
                    if let Some(n) = p.node_port {
                        used.insert(n);
                    }
                }
            }
        }
    } else {
        for p in spec.ports.iter_mut().flatten() {
            p.node_port = None;
        }
    }
}

fn port(name: &str, port: i32, protocol: &str, target: i32) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        protocol: Some(protocol.into()),
        target_port: Some(IntOrString::Int(target)),
        ..Default::default()
    }
}

fn service(ns: &str, name: &str, ip: &str, ports: Vec<ServicePort>) -> Service {
    Service {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            cluster_ip: Some(ip.into()),
            cluster_ips: Some(vec![ip.into()]),
            internal_traffic_policy: Some("Cluster".into()),
            ip_families: Some(vec!["IPv4".into()]),
            ip_family_policy: Some("SingleStack".into()),
            ports: Some(ports),
            session_affinity: Some("None".into()),
            type_: Some("ClusterIP".into()),
            ..Default::default()
        }),
        status: Some(ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        }),
    }
}

/// The objects a fresh kubeadm cluster has for its two Services: `default/kubernetes` (the
/// API server on the control plane's `control_plane_ip`, its Endpoints and EndpointSlice
/// written by the API server itself) and `kube-system/kube-dns` (selecting the CoreDNS pods,
/// which the simulation answers for itself, so its Endpoints and slice are empty).
pub fn default_services(
    control_plane_ip: &str,
) -> (Vec<Service>, Vec<Endpoints>, Vec<EndpointSlice>) {
    let mut api = service(
        "default",
        "kubernetes",
        KUBERNETES_IP,
        vec![port("https", 443, "TCP", APISERVER_PORT)],
    );
    api.metadata.labels = Some(BTreeMap::from([
        ("component".to_string(), "apiserver".to_string()),
        ("provider".to_string(), "kubernetes".to_string()),
    ]));
    let mut dns = service(
        "kube-system",
        "kube-dns",
        DNS_IP,
        vec![
            port("dns", 53, "UDP", 53),
            port("dns-tcp", 53, "TCP", 53),
            port("metrics", 9153, "TCP", 9153),
        ],
    );
    let dns_labels = BTreeMap::from([
        ("k8s-app".to_string(), "kube-dns".to_string()),
        (
            "kubernetes.io/cluster-service".to_string(),
            "true".to_string(),
        ),
        ("kubernetes.io/name".to_string(), "CoreDNS".to_string()),
    ]);
    dns.metadata.labels = Some(dns_labels.clone());
    dns.metadata.annotations = Some(BTreeMap::from([
        ("prometheus.io/port".to_string(), "9153".to_string()),
        ("prometheus.io/scrape".to_string(), "true".to_string()),
    ]));
    if let Some(s) = dns.spec.as_mut() {
        s.selector = Some(BTreeMap::from([(
            "k8s-app".to_string(),
            "kube-dns".to_string(),
        )]));
    }
    let api_endpoints = Endpoints {
        metadata: ObjectMeta {
            name: Some("kubernetes".into()),
            namespace: Some("default".into()),
            labels: Some(BTreeMap::from([(
                "endpointslice.kubernetes.io/skip-mirror".to_string(),
                "true".to_string(),
            )])),
            ..Default::default()
        },
        subsets: Some(vec![EndpointSubset {
            addresses: Some(vec![EndpointAddress {
                ip: control_plane_ip.into(),
                ..Default::default()
            }]),
            not_ready_addresses: None,
            ports: Some(vec![EndpointPort {
                name: Some("https".into()),
                port: APISERVER_PORT,
                protocol: Some("TCP".into()),
                app_protocol: None,
            }]),
        }]),
    };
    let dns_endpoints = Endpoints {
        metadata: ObjectMeta {
            name: Some("kube-dns".into()),
            namespace: Some("kube-system".into()),
            labels: Some(dns_labels.clone()),
            ..Default::default()
        },
        subsets: None,
    };
    let api_slice = EndpointSlice {
        metadata: ObjectMeta {
            name: Some("kubernetes".into()),
            namespace: Some("default".into()),
            labels: Some(BTreeMap::from([(
                LABEL_SERVICE_NAME.to_string(),
                "kubernetes".to_string(),
            )])),
            ..Default::default()
        },
        address_type: "IPv4".into(),
        endpoints: Some(vec![discovery::Endpoint {
            addresses: vec![control_plane_ip.into()],
            conditions: Some(discovery::EndpointConditions {
                ready: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ports: Some(vec![discovery::EndpointPort {
            name: Some("https".into()),
            port: Some(APISERVER_PORT),
            protocol: Some("TCP".into()),
            app_protocol: None,
        }]),
    };
    // The slice controller's placeholder for kube-dns. Its name suffix is fixed rather than
    // drawn from the world's RNG, so that every later generated name is as it was.
    let mut dns_slice_labels = dns_labels;
    dns_slice_labels.insert(
        crate::controllers::endpointslice::LABEL_MANAGED_BY.into(),
        crate::controllers::endpointslice::MANAGED_BY.into(),
    );
    dns_slice_labels.insert(LABEL_SERVICE_NAME.into(), "kube-dns".into());
    dns_slice_labels.remove(LABEL_HEADLESS);
    let dns_slice = EndpointSlice {
        metadata: ObjectMeta {
            name: Some("kube-dns-4mhcq".into()),
            generate_name: Some("kube-dns-".into()),
            namespace: Some("kube-system".into()),
            labels: Some(dns_slice_labels),
            ..Default::default()
        },
        address_type: "IPv4".into(),
        endpoints: None,
        ports: None,
    };
    (
        vec![api, dns],
        vec![api_endpoints, dns_endpoints],
        vec![api_slice, dns_slice],
    )
}
