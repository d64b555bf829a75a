//! The endpoint controller (`pkg/controller/endpoint/endpoints_controller.go`, `syncService`),
//! and the helpers it shares with the EndpointSlice controller
//! (`staging/src/k8s.io/endpointslice/util/controller_utils.go`, `pkg/api/v1/pod/util.go`).
//!
//! For every Service with a selector, one `Endpoints` object of the same name lists the selected
//! pods that have an IP: ready ones under `addresses`, the others under `notReadyAddresses`
//! (all under `addresses` with `publishNotReadyAddresses`), terminating ones not at all, one
//! port per service port whose target port the pod has. The subsets are repacked as
//! `RepackSubsets` does: addresses that offer the same ports share a subset. A Service that
//! is gone takes its Endpoints with it.

use super::{Action, Object, Reconcile};
use crate::labels::Selector;
use crate::podutil;
use crate::store::{Key, Kind, Propagation, Store};
use crate::time::SimTime;
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
    ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// `v1.EndpointsLastChangeTriggerTime`.
pub const ANN_TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// `v1.IsHeadlessService`: set on the Endpoints and EndpointSlices of a headless Service.
pub const LABEL_HEADLESS: &str = "service.kubernetes.io/headless";

/// `clusterIP: None`.
pub fn is_headless(svc: &Service) -> bool {
    svc.spec
        .as_ref()
        .and_then(|s| s.cluster_ip.as_deref())
        .is_some_and(|ip| ip == "None")
}

/// The Service's type (`ClusterIP` when unset).
pub fn service_type(svc: &Service) -> &str {
    svc.spec
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("ClusterIP")
}

/// The selector the endpoint controllers act on: none for Services without one (their
/// endpoints are written by hand) and for ExternalName Services.
pub fn selector(svc: &Service) -> Option<Selector> {
    if service_type(svc) == "ExternalName" {
        return None;
    }
    let sel = svc.spec.as_ref()?.selector.as_ref()?;
    // `labels.Set(selector).AsSelectorPreValidated()`: equality on every pair.
    let text: Vec<String> = sel.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Selector::parse(&text.join(",")).ok()
}

/// Whether the Service (with a selector) selects pods with these labels.
pub fn selects(svc: &Service, labels: &BTreeMap<String, String>) -> bool {
    selector(svc).is_some_and(|s| s.matches(labels))
}

/// The pods of the Service's namespace its selector matches, in name order.
pub fn selected_pods<'a>(store: &'a Store, svc: &'a Service) -> Vec<&'a Pod> {
    let Some(sel) = selector(svc) else {
        return Vec::new();
    };
    let ns = svc.metadata.namespace.as_deref().unwrap_or_default();
    store
        .pods
        .in_namespace(ns)
        .filter(|p| sel.matches_opt(p.metadata.labels.as_ref()))
        .collect()
}

/// The pod's first IP, if the kubelet has reported one.
pub fn pod_ip(pod: &Pod) -> Option<&str> {
    let st = pod.status.as_ref()?;
    st.pod_ips
        .as_ref()
        .and_then(|ips| ips.first())
        .map(|p| p.ip.as_str())
        .or(st.pod_ip.as_deref())
        .filter(|ip| !ip.is_empty())
}

/// `ShouldPodBeInEndpoints`: not terminal, has an IP, and not terminating unless terminating
/// pods are wanted.
pub fn should_pod_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    !podutil::is_terminal(pod)
        && pod_ip(pod).is_some()
        && (include_terminating || pod.metadata.deletion_timestamp.is_none())
}

/// `ShouldSetHostname`: the pod names a hostname and this Service as its subdomain.
pub fn should_set_hostname(pod: &Pod, svc: &Service) -> bool {
    let spec = pod.spec.as_ref();
    spec.and_then(|s| s.hostname.as_deref())
        .is_some_and(|h| !h.is_empty())
        && spec.and_then(|s| s.subdomain.as_deref()) == svc.metadata.name.as_deref()
        && pod.metadata.namespace == svc.metadata.namespace
}

/// The protocol of a service port (`TCP` when unset).
pub fn port_protocol(p: &ServicePort) -> &str {
    p.protocol.as_deref().unwrap_or("TCP")
}

/// `podutil.FindPort`: a numeric target port as given; a named one looked up among the pod's
/// container ports with the same protocol.
pub fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => {
            let spec = pod.spec.as_ref()?;
            let sidecars = spec
                .init_containers
                .iter()
                .flatten()
                .filter(|c| c.restart_policy.as_deref() == Some("Always"));
            spec.containers
                .iter()
                .chain(sidecars)
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| {
                    p.name.as_deref() == Some(name.as_str())
                        && p.protocol.as_deref().unwrap_or("TCP") == port_protocol(sp)
                })
                .map(|p| p.container_port)
        }
    }
}

/// The labels of a Service's Endpoints and EndpointSlices: the Service's own, plus the
/// headless label for headless Services.
pub fn owned_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut l = svc.metadata.labels.clone().unwrap_or_default();
    if is_headless(svc) {
        l.insert(LABEL_HEADLESS.into(), String::new());
    } else {
        l.remove(LABEL_HEADLESS);
    }
    l
}

fn address(pod: &Pod, svc: &Service) -> Option<EndpointAddress> {
    Some(EndpointAddress {
        ip: pod_ip(pod)?.to_string(),
        hostname: should_set_hostname(pod, svc)
            .then(|| pod.spec.as_ref().and_then(|s| s.hostname.clone()))
            .flatten(),
        node_name: Some(podutil::node_name(pod).unwrap_or_default().to_string()),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            namespace: pod.metadata.namespace.clone(),
            name: pod.metadata.name.clone(),
            uid: pod.metadata.uid.clone(),
            ..Default::default()
        }),
    })
}

/// (ip, uid): the identity `RepackSubsets` uses for an address.
type AddrKey = (String, String);

fn addr_key(a: &EndpointAddress) -> AddrKey {
    (
        a.ip.clone(),
        a.target_ref
            .as_ref()
            .and_then(|r| r.uid.clone())
            .unwrap_or_default(),
    )
}

/// (name, port, protocol): a port's identity when repacking.
type PortKey = (String, i32, String);

fn port_key(p: &EndpointPort) -> PortKey {
    (
        p.name.clone().unwrap_or_default(),
        p.port,
        p.protocol.clone().unwrap_or_default(),
    )
}

/// The subsets the Service should have now, repacked.
pub fn desired_subsets(store: &Store, svc: &Service) -> Vec<EndpointSubset> {
    let spec = svc.spec.clone().unwrap_or_default();
    let publish = spec.publish_not_ready_addresses.unwrap_or(false);
    let ports = spec.ports.clone().unwrap_or_default();
    // Per port (None for a headless Service without ports): address → ready.
    let mut by_port: BTreeMap<Option<PortKey>, BTreeMap<AddrKey, bool>> = BTreeMap::new();
    let mut port_values: BTreeMap<PortKey, EndpointPort> = BTreeMap::new();
    let mut addrs: BTreeMap<AddrKey, EndpointAddress> = BTreeMap::new();
    for pod in selected_pods(store, svc) {
        if !should_pod_be_in_endpoints(pod, publish) {
            continue;
        }
        let Some(epa) = address(pod, svc) else {
            continue;
        };
        let ready = publish || podutil::is_ready(pod);
        let key = addr_key(&epa);
        let mut offered = Vec::new();
        if ports.is_empty() {
            if is_headless(svc) {
                offered.push(None);
            }
        } else {
            for sp in &ports {
                let Some(n) = find_port(pod, sp) else {
                    continue;
                };
                let epp = EndpointPort {
                    name: Some(sp.name.clone().unwrap_or_default()).filter(|n| !n.is_empty()),
                    port: n,
                    protocol: Some(port_protocol(sp).to_string()),
                    app_protocol: sp.app_protocol.clone(),
                };
                let pk = port_key(&epp);
                port_values.insert(pk.clone(), epp);
                offered.push(Some(pk));
            }
        }
        if offered.is_empty() {
            continue;
        }
        addrs.insert(key.clone(), epa);
        for p in offered {
            let set = by_port.entry(p).or_default();
            // Once not ready for a port, an address stays not ready for it.
            let was = set.get(&key).copied().unwrap_or(true);
            set.insert(key.clone(), was && ready);
        }
    }
    // Ports that share exactly the same addresses (and readiness) share a subset.
    let mut groups: BTreeMap<Vec<(AddrKey, bool)>, Vec<Option<PortKey>>> = BTreeMap::new();
    for (port, set) in by_port {
        let members: Vec<(AddrKey, bool)> = set.into_iter().collect();
        groups.entry(members).or_default().push(port);
    }
    let mut subsets: Vec<EndpointSubset> = groups
        .into_iter()
        .map(|(members, ports)| {
            let pick = |want: bool| -> Option<Vec<EndpointAddress>> {
                let v: Vec<EndpointAddress> = members
                    .iter()
                    .filter(|(_, r)| *r == want)
                    .filter_map(|(k, _)| addrs.get(k).cloned())
                    .collect();
                (!v.is_empty()).then_some(v)
            };
            let ports: Vec<EndpointPort> = ports
                .into_iter()
                .flatten()
                .filter_map(|k| port_values.get(&k).cloned())
                .collect();
            EndpointSubset {
                addresses: pick(true),
                not_ready_addresses: pick(false),
                ports: (!ports.is_empty()).then_some(ports),
            }
        })
        .collect();
    subsets.sort_by_key(|s| {
        s.addresses
            .iter()
            .chain(s.not_ready_addresses.iter())
            .flatten()
            .map(addr_key)
            .next()
    });
    subsets
}

/// `syncService`: one look at one Service's Endpoints.
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let current = store.endpoints.get(key);
    let Some(svc) = store.services.get(key) else {
        // The Service is gone: so are its Endpoints.
        if current.is_some() {
            out.push(Action::Delete {
                kind: Kind::Endpoints,
                key: key.clone(),
                grace_seconds: None,
                propagation: Propagation::Background,
                event: None,
            });
        }
        return out;
    };
    if selector(svc).is_none() {
        return out;
    }
    let subsets = desired_subsets(store, svc);
    let labels = owned_labels(svc);
    let subsets_opt = (!subsets.is_empty()).then_some(subsets);
    let labels_opt = (!labels.is_empty()).then_some(labels);
    if let Some(cur) = current {
        let same_subsets = cur.subsets.clone().filter(|s| !s.is_empty()) == subsets_opt;
        if same_subsets && cur.metadata.labels == labels_opt {
            return out;
        }
    }
    let mut ep = current.cloned().unwrap_or_else(|| Endpoints {
        metadata: ObjectMeta {
            name: Some(key.name.clone()),
            namespace: Some(key.namespace.clone()),
            ..Default::default()
        },
        ..Default::default()
    });
    ep.subsets = subsets_opt;
    ep.metadata.labels = labels_opt;
    ep.metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(ANN_TRIGGER_TIME.into(), now.rfc3339());
    out.push(if current.is_some() {
        Action::Update(Object::Endpoints(ep))
    } else {
        Action::Create {
            object: Object::Endpoints(ep),
            event: None,
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;
    use crate::sim::World;
    use crate::time::Dur;
    use k8s_openapi::api::discovery::v1::EndpointSlice;

    fn pod(name: &str, extra_meta: &str, extra_spec: &str, port: i32) -> String {
        format!(
            "apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels:
    app: db
{extra_meta}spec:
{extra_spec}  containers:
  - name: c
    image: nginx:1.25.3
    ports:
    - name: sql
      containerPort: {port}
"
        )
    }

    fn service(extra: &str) -> String {
        format!(
            "apiVersion: v1
kind: Service
metadata:
  name: db
spec:
{extra}  selector:
    app: db
  ports:
  - name: sql
    port: 5432
    targetPort: sql
"
        )
    }

    fn world(svc_extra: &str) -> World {
        let mut w = World::new(11);
        let text = [
            service(svc_extra),
            pod("db-0", "", "  hostname: db-0\n  subdomain: db\n", 5432),
            pod("db-1", "", "  hostname: db-1\n  subdomain: other\n", 6432),
            pod(
                "db-2",
                "  annotations:\n    kubeplay.dev/ready-after: never\n",
                "",
                5432,
            ),
        ]
        .join("---\n");
        manifest::apply(&mut w, &text).expect("valid manifests");
        w.advance(Dur::secs(30));
        w
    }

    fn endpoints_of(w: &World) -> Endpoints {
        w.store()
            .endpoints
            .get(&Key::new("default", "db"))
            .cloned()
            .expect("the controller wrote Endpoints")
    }

    fn ip(w: &World, name: &str) -> String {
        pod_ip(w.store().pods.get(&Key::new("default", name)).expect("pod"))
            .expect("an IP")
            .to_string()
    }

    #[test]
    fn named_target_ports_resolve_per_pod_and_split_subsets() {
        let w = world("");
        let ep = endpoints_of(&w);
        let subsets = ep.subsets.clone().unwrap_or_default();
        assert_eq!(subsets.len(), 2, "{subsets:?}");
        let by_port: Vec<(i32, Vec<String>, Vec<String>)> = subsets
            .iter()
            .map(|s| {
                let ips = |a: &Option<Vec<EndpointAddress>>| {
                    a.iter().flatten().map(|a| a.ip.clone()).collect::<Vec<_>>()
                };
                (
                    s.ports.as_ref().unwrap()[0].port,
                    ips(&s.addresses),
                    ips(&s.not_ready_addresses),
                )
            })
            .collect();
        assert!(by_port.contains(&(5432, vec![ip(&w, "db-0")], vec![ip(&w, "db-2")])));
        assert!(by_port.contains(&(6432, vec![ip(&w, "db-1")], vec![])));
    }

    #[test]
    fn hostname_only_when_the_subdomain_is_the_service() {
        let w = world("");
        let ep = endpoints_of(&w);
        let addrs: Vec<&EndpointAddress> = ep
            .subsets
            .iter()
            .flatten()
            .flat_map(|s| s.addresses.iter().flatten())
            .collect();
        let host = |ip: String| {
            addrs
                .iter()
                .find(|a| a.ip == ip)
                .and_then(|a| a.hostname.clone())
        };
        assert_eq!(host(ip(&w, "db-0")), Some("db-0".into()));
        assert_eq!(host(ip(&w, "db-1")), None);
    }

    #[test]
    fn publish_not_ready_addresses_lists_unready_pods_as_ready() {
        let w = world("  publishNotReadyAddresses: true\n");
        let ep = endpoints_of(&w);
        assert!(ep
            .subsets
            .iter()
            .flatten()
            .all(|s| s.not_ready_addresses.is_none()));
        let all: Vec<String> = ep
            .subsets
            .iter()
            .flatten()
            .flat_map(|s| s.addresses.iter().flatten())
            .map(|a| a.ip.clone())
            .collect();
        assert!(all.contains(&ip(&w, "db-2")));
    }

    #[test]
    fn terminating_pods_leave_endpoints_but_stay_in_slices_as_terminating() {
        let mut w = world("");
        let db0 = ip(&w, "db-0");
        crate::kubectl::run(&mut w, "delete pod db-0", &crate::kubectl::NoFiles);
        let ep = endpoints_of(&w);
        assert!(!ep
            .subsets
            .iter()
            .flatten()
            .flat_map(|s| s
                .addresses
                .iter()
                .flatten()
                .chain(s.not_ready_addresses.iter().flatten()))
            .any(|a| a.ip == db0));
        let slices: Vec<&EndpointSlice> =
            w.store().endpointslices.in_namespace("default").collect();
        let e = slices
            .iter()
            .flat_map(|s| s.endpoints.iter().flatten())
            .find(|e| e.addresses == vec![db0.clone()])
            .expect("a terminating pod stays in its slice");
        let c = e.conditions.clone().unwrap_or_default();
        assert_eq!((c.ready, c.terminating), (Some(false), Some(true)));
    }
}
