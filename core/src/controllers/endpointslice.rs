//! The EndpointSlice controller (`pkg/controller/endpointslice/endpointslice_controller.go`,
//! `staging/src/k8s.io/endpointslice/reconciler.go`).
//!
//! For every Service with a selector, slices named `<service>-<suffix>` (generateName), owned
//! by the Service and labelled `kubernetes.io/service-name` and
//! `endpointslice.kubernetes.io/managed-by`, list every selected pod with an IP, terminating
//! ones included, each with its `ready`/`serving`/`terminating` conditions. Pods offering the
//! same resolved ports share a slice. An existing slice keeps its name and its endpoints' order
//! (new endpoints are appended); a slice no longer wanted is reused for a new port set before
//! anything is created; a Service with no endpoints keeps one empty placeholder slice.
//! Deleting the Service deletes its slices through their owner reference.
//!
//! Simplification: one slice per port set (upstream splits at 100 endpoints per slice).

use super::endpoints::{
    find_port, owned_labels, pod_ip, port_protocol, selected_pods, selector,
    should_pod_be_in_endpoints, should_set_hostname, ANN_TRIGGER_TIME,
};
use super::{controller_ref_to, Action, Object, Reconcile};
use crate::podutil;
use crate::store::{Key, Kind, Propagation, Store};
use crate::time::SimTime;
use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// `discovery.LabelServiceName`.
pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
/// `discovery.LabelManagedBy`.
pub const LABEL_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
/// This controller's value of [`LABEL_MANAGED_BY`].
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";

/// The slices this controller manages for a Service, in name order.
pub fn managed_slices<'a>(store: &'a Store, ns: &'a str, svc: &'a str) -> Vec<&'a EndpointSlice> {
    store
        .endpointslices
        .in_namespace(ns)
        .filter(|s| {
            let l = s.metadata.labels.as_ref();
            l.and_then(|l| l.get(LABEL_SERVICE_NAME))
                .map(String::as_str)
                == Some(svc)
                && l.and_then(|l| l.get(LABEL_MANAGED_BY)).map(String::as_str) == Some(MANAGED_BY)
        })
        .collect()
}

/// `podToEndpoint`.
fn endpoint(pod: &Pod, svc: &Service) -> Option<Endpoint> {
    let publish = svc
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    let serving = podutil::is_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    Some(Endpoint {
        addresses: vec![pod_ip(pod)?.to_string()],
        conditions: Some(EndpointConditions {
            ready: Some(publish || (serving && !terminating)),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname: should_set_hostname(pod, svc)
            .then(|| pod.spec.as_ref().and_then(|s| s.hostname.clone()))
            .flatten(),
        node_name: podutil::node_name(pod).map(String::from),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            namespace: pod.metadata.namespace.clone(),
            name: pod.metadata.name.clone(),
            uid: pod.metadata.uid.clone(),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// `getEndpointPorts`: the service ports this pod offers, resolved to its port numbers.
fn endpoint_ports(pod: &Pod, svc: &Service) -> Vec<EndpointPort> {
    svc.spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|sp| {
            Some(EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: Some(find_port(pod, sp)?),
                protocol: Some(port_protocol(sp).to_string()),
                app_protocol: sp.app_protocol.clone(),
            })
        })
        .collect()
}

/// An empty list is left out, as the API server's JSON leaves it.
fn some<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn target_uid(e: &Endpoint) -> Option<&str> {
    e.target_ref.as_ref().and_then(|r| r.uid.as_deref())
}

/// A new slice for the Service (named by the API server from `<service>-`).
fn new_slice(svc: &Service, ports: Vec<EndpointPort>) -> EndpointSlice {
    EndpointSlice {
        metadata: ObjectMeta {
            generate_name: Some(format!(
                "{}-",
                svc.metadata.name.clone().unwrap_or_default()
            )),
            namespace: svc.metadata.namespace.clone(),
            owner_references: Some(vec![controller_ref_to::<Service>(&svc.metadata)]),
            ..Default::default()
        },
        address_type: "IPv4".into(),
        endpoints: None,
        ports: (!ports.is_empty()).then_some(ports),
    }
}

/// The slice's labels as this controller keeps them.
fn slice_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut l = owned_labels(svc);
    l.insert(
        LABEL_SERVICE_NAME.into(),
        svc.metadata.name.clone().unwrap_or_default(),
    );
    l.insert(LABEL_MANAGED_BY.into(), MANAGED_BY.into());
    l
}

/// Existing endpoints that are still wanted keep their place, with their new values; wanted
/// endpoints not there yet are appended.
fn merge_endpoints(existing: &[Endpoint], wanted: &[Endpoint]) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = existing
        .iter()
        .filter_map(|e| {
            wanted
                .iter()
                .find(|w| target_uid(w) == target_uid(e) && w.addresses == e.addresses)
                .cloned()
        })
        .collect();
    for w in wanted {
        if !out
            .iter()
            .any(|e| target_uid(e) == target_uid(w) && e.addresses == w.addresses)
        {
            out.push(w.clone());
        }
    }
    out
}

/// `syncService` → `reconcile`: one look at one Service's slices.
pub fn reconcile(store: &Store, key: &Key, now: SimTime) -> Reconcile {
    let mut out = Reconcile::done();
    let Some(svc) = store.services.get(key) else {
        return out;
    };
    if selector(svc).is_none() {
        return out;
    }
    // Desired endpoints grouped by the ports their pod offers, in pod-name order.
    let mut groups: Vec<(Vec<EndpointPort>, Vec<Endpoint>)> = Vec::new();
    for pod in selected_pods(store, svc) {
        if !should_pod_be_in_endpoints(pod, true) {
            continue;
        }
        let ports = endpoint_ports(pod, svc);
        let has_ports = svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .is_some_and(|p| !p.is_empty());
        if has_ports && ports.is_empty() {
            continue;
        }
        let Some(ep) = endpoint(pod, svc) else {
            continue;
        };
        match groups.iter_mut().find(|(p, _)| *p == ports) {
            Some((_, eps)) => eps.push(ep),
            None => groups.push((ports, vec![ep])),
        }
    }
    let existing = managed_slices(store, &key.namespace, &key.name);
    let mut unclaimed: Vec<&EndpointSlice> = existing.clone();
    let mut writes: Vec<(Option<&EndpointSlice>, EndpointSlice)> = Vec::new();
    let mut creates: Vec<EndpointSlice> = Vec::new();
    for (ports, eps) in &groups {
        let same = unclaimed
            .iter()
            .position(|s| s.ports.clone().unwrap_or_default() == *ports);
        match same {
            Some(i) => {
                let cur = unclaimed.remove(i);
                let mut next = cur.clone();
                next.endpoints = some(merge_endpoints(
                    cur.endpoints.as_deref().unwrap_or_default(),
                    eps,
                ));
                writes.push((Some(cur), next));
            }
            None => {
                let mut s = new_slice(svc, ports.clone());
                s.endpoints = some(eps.clone());
                creates.push(s);
            }
        }
    }
    if groups.is_empty() {
        // A placeholder keeps the Service visible to slice consumers.
        let placeholder = unclaimed.iter().position(|s| {
            s.endpoints.as_ref().is_none_or(|e| e.is_empty())
                && s.ports.as_ref().is_none_or(|p| p.is_empty())
        });
        match placeholder {
            Some(i) => {
                let cur = unclaimed.remove(i);
                writes.push((Some(cur), cur.clone()));
            }
            None => creates.push(new_slice(svc, Vec::new())),
        }
    }
    // Slices no longer wanted are reused for new port sets before anything is created.
    for mut c in creates {
        if unclaimed.is_empty() {
            writes.push((None, c));
            continue;
        }
        let old = unclaimed.remove(0);
        let mut next = old.clone();
        next.ports = c.ports.take();
        next.metadata.generate_name = old.metadata.generate_name.clone();
        next.endpoints = c.endpoints.take();
        writes.push((Some(old), next));
    }
    let labels = slice_labels(svc);
    for (old, mut next) in writes {
        next.metadata.labels = Some(labels.clone());
        if let Some(o) = old {
            if *o == next {
                continue;
            }
        }
        next.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(ANN_TRIGGER_TIME.into(), now.rfc3339());
        out.push(match old {
            Some(_) => Action::Update(Object::EndpointSlice(next)),
            None => Action::Create {
                object: Object::EndpointSlice(next),
                event: None,
            },
        });
    }
    for old in unclaimed {
        out.push(Action::Delete {
            kind: Kind::EndpointSlice,
            key: Key::of(&old.metadata),
            grace_seconds: None,
            propagation: Propagation::Background,
            event: None,
        });
    }
    out
}
