//! NodePorts (`pkg/scheduler/framework/plugins/nodeports/node_ports.go`): a `hostPort` the pod
//! asks for must be free on the node. Ports conflict on the same protocol and port when either
//! side binds every address (`0.0.0.0`, the default) or both bind the same address.

use super::{NodeInfo, Rejection};
use k8s_openapi::api::core::v1::Pod;

pub const ERR_PORTS: &str = "node(s) didn't have free ports for the requested pod ports";

/// A requested host port: (hostIP, protocol, port).
pub type HostPort = (String, String, i32);

/// `GetHostPorts`: the host ports of the pod's containers.
fn host_ports(pod: &Pod) -> Vec<HostPort> {
    pod.spec
        .iter()
        .flat_map(|s| &s.containers)
        .flat_map(|c| c.ports.iter().flatten())
        .filter(|p| p.host_port.unwrap_or(0) > 0)
        .map(|p| {
            (
                p.host_ip
                    .clone()
                    .filter(|ip| !ip.is_empty())
                    .unwrap_or_else(|| "0.0.0.0".into()),
                p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                p.host_port.unwrap_or(0),
            )
        })
        .collect()
}

fn conflicts(a: &HostPort, b: &HostPort) -> bool {
    a.1 == b.1 && a.2 == b.2 && (a.0 == b.0 || a.0 == "0.0.0.0" || b.0 == "0.0.0.0")
}

/// Filter (`Unschedulable`).
/// PreFilter: the host ports the pod wants, read once per cycle rather than once per node.
pub fn pre_filter(pod: &Pod) -> Vec<HostPort> {
    host_ports(pod)
}

/// Filter, with what [`pre_filter`] read.
pub fn filter(wanted: &[HostPort], ni: &NodeInfo) -> Option<Rejection> {
    if wanted.is_empty() {
        return None;
    }
    for other in ni.pods() {
        for used in host_ports(other) {
            if let Some(w) = wanted.iter().find(|w| conflicts(w, &used)) {
                return Some(Rejection::new(
                    ERR_PORTS,
                    true,
                    format!(
                        "host port {}/{} is already used by pod {}",
                        w.2,
                        w.1,
                        other.metadata.name.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_conflict_on_same_protocol_and_port_with_overlapping_addresses() {
        let hp = |ip: &str, proto: &str, port| (ip.to_string(), proto.to_string(), port);
        let cases = [
            (hp("0.0.0.0", "TCP", 80), hp("0.0.0.0", "TCP", 80), true),
            (hp("0.0.0.0", "TCP", 80), hp("10.0.0.1", "TCP", 80), true),
            (hp("10.0.0.2", "TCP", 80), hp("10.0.0.1", "TCP", 80), false),
            (hp("0.0.0.0", "UDP", 80), hp("0.0.0.0", "TCP", 80), false),
            (hp("0.0.0.0", "TCP", 81), hp("0.0.0.0", "TCP", 80), false),
        ];
        for (a, b, want) in cases {
            assert_eq!(conflicts(&a, &b), want, "{a:?} vs {b:?}");
        }
    }
}
