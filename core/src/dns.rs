//! Cluster DNS: the records CoreDNS's `kubernetes` plugin serves for `cluster.local` (the
//! Kubernetes DNS specification), the search path a `ClusterFirst` pod resolves names with, and
//! `nslookup` as busybox 1.28 prints it.
//!
//! Records:
//! - `<svc>.<ns>.svc.cluster.local`: the Service's ClusterIP; for a headless Service the
//!   addresses of its ready endpoints (none ready: no answer).
//! - `<host>.<svc>.<ns>.svc.cluster.local` for a headless Service: the ready endpoint whose
//!   hostname is `<host>` (pods with `spec.hostname` and `spec.subdomain: <svc>`, as StatefulSet
//!   pods have), or whose address written with dashes is `<host>`.
//! - `<a-b-c-d>.<ns>.pod.cluster.local`: `a.b.c.d` (the `pods insecure` mode kubeadm configures).
//! - Reverse: a ClusterIP names its Service; an endpoint address names
//!   `<hostname or dashed address>.<svc>.<ns>.svc.cluster.local`.
//!
//! A pod's resolver (`/etc/resolv.conf` with `ndots:5`) tries `<name>.<ns>.svc.cluster.local`,
//! `<name>.svc.cluster.local`, `<name>.cluster.local`, then the name itself (a name with five or
//! more dots, or a trailing dot, is tried as given first). Names outside the cluster domain do
//! not resolve: the simulated cluster has no upstream resolver. Every pod is treated as
//! `dnsPolicy: ClusterFirst`.

use crate::controllers::endpoints::is_headless;
use crate::service_registry::{CLUSTER_DOMAIN, DNS_IP};
use crate::sim::World;
use crate::store::{Key, Store};
use k8s_openapi::api::core::v1::{EndpointAddress, Pod, Service};
use std::net::Ipv4Addr;

/// `options ndots:5` in a pod's `/etc/resolv.conf`.
pub const NDOTS: usize = 5;

/// The search domains of a pod in `namespace`.
pub fn search_path(namespace: &str) -> [String; 3] {
    [
        format!("{namespace}.svc.{CLUSTER_DOMAIN}"),
        format!("svc.{CLUSTER_DOMAIN}"),
        CLUSTER_DOMAIN.to_string(),
    ]
}

/// The ready addresses of a Service's Endpoints.
fn ready_addresses<'a>(store: &'a Store, svc: &Service) -> Vec<&'a EndpointAddress> {
    store
        .endpoints
        .get(&Key::of(&svc.metadata))
        .and_then(|e| e.subsets.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|s| s.addresses.iter().flatten())
        .fold(Vec::new(), |mut acc, a| {
            if !acc.iter().any(|x: &&EndpointAddress| x.ip == a.ip) {
                acc.push(a);
            }
            acc
        })
}

/// The name an endpoint address has under its Service: its hostname, or its IP with dashes.
fn endpoint_label(a: &EndpointAddress) -> String {
    a.hostname
        .clone()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| a.ip.replace('.', "-"))
}

/// Answers one fully qualified query (no search path): the A records, or `None` (NXDOMAIN or
/// no data).
pub fn lookup_fqdn(store: &Store, fqdn: &str) -> Option<Vec<String>> {
    let name = fqdn.trim_end_matches('.').to_ascii_lowercase();
    let rest = name.strip_suffix(&format!(".{CLUSTER_DOMAIN}"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => {
            let s = store.services.get(&Key::new(*ns, *svc))?;
            let spec = s.spec.as_ref()?;
            if spec.type_.as_deref() == Some("ExternalName") {
                // A CNAME: followed only when it points back into the cluster.
                let target = spec.external_name.as_deref()?;
                if target.trim_end_matches('.').eq_ignore_ascii_case(&name) {
                    return None;
                }
                return lookup_fqdn(store, target);
            }
            if is_headless(s) {
                let ips: Vec<String> = ready_addresses(store, s)
                    .into_iter()
                    .map(|a| a.ip.clone())
                    .collect();
                return (!ips.is_empty()).then_some(ips);
            }
            spec.cluster_ip
                .clone()
                .filter(|ip| !ip.is_empty())
                .map(|ip| vec![ip])
        }
        [host, svc, ns, "svc"] => {
            let s = store.services.get(&Key::new(*ns, *svc))?;
            if !is_headless(s) {
                return None;
            }
            let ips: Vec<String> = ready_addresses(store, s)
                .into_iter()
                .filter(|a| endpoint_label(a) == *host)
                .map(|a| a.ip.clone())
                .collect();
            (!ips.is_empty()).then_some(ips)
        }
        [dashed, _ns, "pod"] => {
            let ip: Ipv4Addr = dashed.replace('-', ".").parse().ok()?;
            (dashed.matches('-').count() == 3).then(|| vec![ip.to_string()])
        }
        _ => None,
    }
}

/// Resolves `name` as a pod in `from_namespace` would: search path first (unless the name
/// is absolute or has [`NDOTS`] dots), then the name as given. `None` is NXDOMAIN.
pub fn resolve(world: &World, from_namespace: &str, name: &str) -> Option<Vec<String>> {
    resolve_in(world.store(), from_namespace, name)
}

fn resolve_in(store: &Store, from_namespace: &str, name: &str) -> Option<Vec<String>> {
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return Some(vec![ip.to_string()]);
    }
    if name.ends_with('.') {
        return lookup_fqdn(store, name);
    }
    let searched = search_path(from_namespace)
        .into_iter()
        .map(|d| format!("{name}.{d}"));
    if name.matches('.').count() >= NDOTS {
        std::iter::once(name.to_string())
            .chain(searched)
            .find_map(|q| lookup_fqdn(store, &q))
    } else {
        searched
            .chain(std::iter::once(name.to_string()))
            .find_map(|q| lookup_fqdn(store, &q))
    }
}

/// The PTR answer for an address: a Service's ClusterIP names the Service; an endpoint
/// address names its endpoint (the first Service in namespace-and-name order that has it).
pub fn reverse(world: &World, ip: &str) -> Option<String> {
    reverse_in(world.store(), ip)
}

fn reverse_in(store: &Store, ip: &str) -> Option<String> {
    let fq = |svc: &Service| {
        format!(
            "{}.{}.svc.{CLUSTER_DOMAIN}",
            svc.metadata.name.as_deref().unwrap_or_default(),
            svc.metadata.namespace.as_deref().unwrap_or_default()
        )
    };
    if let Some(s) = store.services.iter().find(|s| {
        !is_headless(s) && s.spec.as_ref().and_then(|sp| sp.cluster_ip.as_deref()) == Some(ip)
    }) {
        return Some(fq(s));
    }
    store.services.iter().find_map(|s| {
        ready_addresses(store, s)
            .into_iter()
            .find(|a| a.ip == ip)
            .map(|a| format!("{}.{}", endpoint_label(a), fq(s)))
    })
}

/// `printf("%-10s %s\n")` then one `Address N: ip[ name]` line per address, as busybox 1.28's
/// `print_host` writes them.
fn print_host(store: &Store, out: &mut String, header: &str, host: &str, addrs: &[String]) {
    out.push_str(&format!("{header:<10} {host}\n"));
    for (i, a) in addrs.iter().enumerate() {
        match reverse_in(store, a) {
            Some(n) => out.push_str(&format!("Address {}: {a} {n}\n", i + 1)),
            None => out.push_str(&format!("Address {}: {a}\n", i + 1)),
        }
    }
}

const USAGE: &str = "BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.

Usage: nslookup [HOST] [SERVER]

Query the nameserver for the IP address of the given HOST
optionally using a specified DNS server
";

/// `nslookup NAME` run in `pod` from a busybox 1.28 image: what the terminal shows and the exit
/// code. The server block comes first; a name that does not resolve ends with busybox's
/// `nslookup: can't resolve 'NAME'` (written to standard error) and exit code 1. Without the
/// `kube-system/kube-dns` Service nothing answers, so every lookup fails.
pub fn nslookup(world: &World, pod: &Pod, name: &str) -> (String, i32) {
    let store = world.store();
    if name.is_empty() {
        return (USAGE.to_string(), 1);
    }
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let dns_service = store
        .services
        .get(&Key::new("kube-system", "kube-dns"))
        .and_then(|s| s.spec.as_ref()?.cluster_ip.clone());
    let server = dns_service.clone().unwrap_or_else(|| DNS_IP.to_string());
    let mut out = String::new();
    print_host(
        store,
        &mut out,
        "Server:",
        &server,
        std::slice::from_ref(&server),
    );
    out.push('\n');
    let answer = dns_service.and_then(|_| resolve_in(store, ns, name));
    match answer {
        Some(addrs) => {
            print_host(store, &mut out, "Name:", name, &addrs);
            (out, 0)
        }
        None => {
            out.push_str(&format!("nslookup: can't resolve '{name}'\n"));
            (out, 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;
    use crate::time::Dur;

    const HEADLESS: &str = "apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector:
    app: nginx
  ports:
  - name: web
    port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: team
spec:
  selector:
    app: api
  ports:
  - port: 8080
";

    fn pod(name: &str, ns: &str, app: &str, extra: &str) -> String {
        format!(
            "apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {app}
{extra}spec:
  hostname: {name}
  subdomain: nginx
  containers:
  - name: c
    image: nginx:1.25.3
"
        )
    }

    /// `web-0` and `web-1` behind the headless `nginx` (web-1 never ready), `api` in `team`.
    fn world() -> (World, Pod) {
        let mut w = World::new(3);
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n";
        manifest::apply(&mut w, ns).expect("namespace");
        let text = [
            HEADLESS.to_string(),
            pod("web-0", "default", "nginx", ""),
            pod(
                "web-1",
                "default",
                "nginx",
                "  annotations:\n    kubeplay.dev/ready-after: never\n",
            ),
            pod("api-0", "team", "api", ""),
            pod("client", "default", "client", ""),
        ]
        .join("---\n");
        manifest::apply(&mut w, &text).expect("valid manifests");
        w.advance(Dur::secs(30));
        let client = w
            .store()
            .pods
            .get(&Key::new("default", "client"))
            .cloned()
            .expect("client pod");
        (w, client)
    }

    fn ip_of(w: &World, ns: &str, name: &str) -> String {
        crate::controllers::endpoints::pod_ip(w.store().pods.get(&Key::new(ns, name)).expect("pod"))
            .expect("pod has an IP")
            .to_string()
    }

    #[test]
    fn headless_pod_records_resolve_through_the_search_path() {
        let (w, _) = world();
        let web0 = ip_of(&w, "default", "web-0");
        assert_eq!(
            resolve(&w, "default", "web-0.nginx"),
            Some(vec![web0.clone()])
        );
        assert_eq!(
            resolve(&w, "team", "web-0.nginx.default.svc.cluster.local"),
            Some(vec![web0.clone()])
        );
        assert_eq!(resolve(&w, "default", "nginx"), Some(vec![web0.clone()]));
        assert_eq!(
            resolve(&w, "team", "nginx"),
            None,
            "other namespaces need <svc>.<ns>"
        );
        assert_eq!(resolve(&w, "team", "nginx.default"), Some(vec![web0]));
    }

    #[test]
    fn not_ready_pods_are_not_resolvable() {
        let (w, _) = world();
        assert_eq!(resolve(&w, "default", "web-1.nginx"), None);
        let web1 = ip_of(&w, "default", "web-1");
        assert!(!resolve(&w, "default", "nginx")
            .unwrap_or_default()
            .contains(&web1));
    }

    #[test]
    fn cluster_ip_services_resolve_to_their_cluster_ip() {
        let (w, _) = world();
        let api_ip = w
            .store()
            .services
            .get(&Key::new("team", "api"))
            .and_then(|s| s.spec.as_ref()?.cluster_ip.clone())
            .expect("allocated");
        assert_eq!(resolve(&w, "team", "api"), Some(vec![api_ip.clone()]));
        assert_eq!(resolve(&w, "default", "api.team.svc"), Some(vec![api_ip]));
        assert_eq!(
            resolve(&w, "default", "kubernetes"),
            Some(vec!["10.96.0.1".to_string()])
        );
        assert_eq!(
            resolve(&w, "default", "kube-dns.kube-system"),
            Some(vec!["10.96.0.10".to_string()])
        );
        assert_eq!(
            resolve(&w, "default", "api-0.api.team.svc.cluster.local"),
            None,
            "pod names exist only under headless Services"
        );
    }

    #[test]
    fn unknown_names_are_nxdomain() {
        let (w, _) = world();
        for name in [
            "web-9.nginx",
            "nope",
            "nginx.nowhere",
            "example.com",
            "",
            "a.b.c.d.e.f.g",
        ] {
            assert_eq!(resolve(&w, "default", name), None, "{name}");
        }
        assert_eq!(
            resolve(&w, "default", "10-244-1-9.default.pod.cluster.local"),
            Some(vec!["10.244.1.9".to_string()])
        );
    }

    #[test]
    fn nslookup_prints_what_busybox_1_28_prints() {
        let (w, client) = world();
        let web0 = ip_of(&w, "default", "web-0");
        let (out, code) = nslookup(&w, &client, "web-0.nginx");
        assert_eq!(code, 0);
        assert_eq!(
            out,
            format!(
                "Server:    10.96.0.10\n\
                 Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\
                 \n\
                 Name:      web-0.nginx\n\
                 Address 1: {web0} web-0.nginx.default.svc.cluster.local\n"
            )
        );
        let (out, code) = nslookup(&w, &client, "kubernetes.default");
        assert_eq!(code, 0);
        assert!(out.ends_with(
            "Name:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n"
        ));
    }

    #[test]
    fn nslookup_of_an_unknown_name_fails_with_exit_code_1() {
        let (w, client) = world();
        let (out, code) = nslookup(&w, &client, "web-1.nginx");
        assert_eq!(code, 1);
        assert_eq!(
            out,
            "Server:    10.96.0.10\n\
             Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\
             \n\
             nslookup: can't resolve 'web-1.nginx'\n"
        );
        assert_eq!(nslookup(&w, &client, "").1, 1);
    }

    #[test]
    fn an_address_without_a_name_prints_bare() {
        let (w, client) = world();
        let own = ip_of(&w, "default", "client");
        let (out, code) = nslookup(&w, &client, &own);
        assert_eq!(code, 0);
        assert!(
            out.ends_with(&format!("Name:      {own}\nAddress 1: {own}\n")),
            "{out}"
        );
    }
}
