//! NodeResourcesFit (`pkg/scheduler/framework/plugins/noderesources/fit.go`, scoring strategy
//! LeastAllocated in `least_allocated.go`) and NodeResourcesBalancedAllocation
//! (`balanced_allocation.go`).
//!
//! The filter compares the pod's requests ([`podutil::pod_requests`]) with what the node has
//! left: allocatable minus the requests of the pods bound to it. Scoring uses the non-zero view
//! (100m CPU / 200Mi memory for a container that requests nothing) for LeastAllocated, and the
//! real requests for BalancedAllocation, which skips best-effort pods.

use super::Rejection;
pub use crate::podutil::NodeUsage;
use crate::podutil::{self, ResourceList, Resources};
use crate::quantity;
use k8s_openapi::api::core::v1::Node;
use std::collections::BTreeMap;

/// The pod capacity a node reports when it says nothing (`--max-pods`).
const DEFAULT_MAX_PODS: i64 = 110;

/// Every allocatable resource of a node (capacity when allocatable is missing); `pods`
/// defaults to 110.
pub fn allocatable_list(node: &Node) -> ResourceList {
    let st = node.status.as_ref();
    let mut list =
        podutil::resource_list(st.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref())));
    list.entry("pods".into()).or_insert(DEFAULT_MAX_PODS);
    list
}

/// [`allocatable_list`] with the standard resources in fields, as a scheduling cycle reads it.
pub fn allocatable_resources(node: &Node) -> Resources {
    Resources::from_list(&allocatable_list(node))
}

/// Allocatable (cpu millicores, memory bytes, pods) of a node.
pub fn allocatable(node: &Node) -> (i64, i64, i64) {
    let a = allocatable_resources(node);
    (a.cpu, a.memory, a.pods.unwrap_or(0))
}

/// Requests of the pods bound to each node (terminal pods excluded; terminating pods still count
/// until they are gone, as in the scheduler's cache). Pods bound to a node that does not exist
/// are counted too, under that name. Read from the store's index, not recomputed.
pub fn node_usage(store: &crate::store::Store) -> BTreeMap<String, NodeUsage> {
    store
        .pods
        .placed_nodes()
        .map(|(node, usage)| (node.to_string(), usage.clone()))
        .collect()
}

/// A quantity of one resource for people: `1500m`, `512Mi`, `2`.
fn show(resource: &str, v: i64) -> String {
    match resource {
        "cpu" => quantity::format_cpu(v),
        "memory" | "ephemeral-storage" => quantity::format_bytes(v),
        _ if resource.starts_with("hugepages-") => quantity::format_bytes(v),
        _ => v.to_string(),
    }
}

/// `fitsRequest`: the pod count, then cpu, memory, ephemeral-storage and the extended
/// resources the pod requests, each `Insufficient <resource>`; all `Unschedulable`.
pub fn filter(req: &Resources, alloc: &Resources, u: &NodeUsage) -> Option<Rejection> {
    // A cycle filters hundreds of nodes and most of them fit: answer those without building
    // the reasons.
    if fits(req, alloc, u) {
        return None;
    }
    insufficient(req, alloc, u)
}

/// Whether the pod fits the node: what [`filter`] decides, with nothing built.
fn fits(req: &Resources, alloc: &Resources, u: &NodeUsage) -> bool {
    let room = |r: &str, want: i64| want <= 0 || want <= alloc.get(r) - u.requested(r);
    u.pods < alloc.pods.unwrap_or(DEFAULT_MAX_PODS)
        && (req.cpu <= 0 || req.cpu <= alloc.cpu - u.cpu_millis)
        && (req.memory <= 0 || req.memory <= alloc.memory - u.memory_bytes)
        && room("ephemeral-storage", req.ephemeral_storage)
        && req.other.iter().all(|(r, &want)| room(r, want))
}

/// The reasons the pod does not fit the node, in upstream's order.
fn insufficient(req: &Resources, alloc: &Resources, u: &NodeUsage) -> Option<Rejection> {
    let mut reasons = Vec::new();
    let mut details = Vec::new();
    let max_pods = alloc.pods.unwrap_or(DEFAULT_MAX_PODS);
    if u.pods + 1 > max_pods {
        reasons.push("Too many pods".to_string());
        details.push(format!(
            "Too many pods ({} of {max_pods} pods already bound)",
            u.pods
        ));
    }
    // CPU and memory from the fields, without looking them up by name: this runs for every
    // node the cycle filters, and most pods ask for nothing else.
    let mut check = |r: &str, want: i64, total: i64, used: i64| {
        let free = total - used;
        if want > 0 && want > free {
            reasons.push(format!("Insufficient {r}"));
            details.push(format!(
                "Insufficient {r} (requests {}, {} of {} free)",
                show(r, want),
                show(r, free.max(0)),
                show(r, total)
            ));
        }
    };
    check("cpu", req.cpu, alloc.cpu, u.cpu_millis);
    check("memory", req.memory, alloc.memory, u.memory_bytes);
    let named = [("ephemeral-storage", &req.ephemeral_storage)]
        .into_iter()
        .chain(req.other.iter().map(|(k, v)| (k.as_str(), v)));
    for (r, &want) in named.filter(|&(_, &want)| want > 0) {
        check(r, want, alloc.get(r), u.requested(r));
    }
    (!reasons.is_empty()).then(|| Rejection {
        reasons,
        resolvable: true,
        detail: details.join(", "),
    })
}

/// `leastRequestedScore` for cpu and memory with weight 1 each, in the non-zero view.
pub fn least_allocated(nonzero_req: &Resources, alloc: &Resources, u: &NodeUsage) -> i64 {
    let score = |capacity: i64, requested: i64| {
        if capacity == 0 || requested > capacity {
            0
        } else {
            (capacity - requested) * 100 / capacity
        }
    };
    (score(alloc.cpu, u.nonzero_cpu + nonzero_req.cpu)
        + score(alloc.memory, u.nonzero_memory + nonzero_req.memory))
        / 2
}

/// Whether BalancedAllocation skips the pod: it requests neither cpu nor memory.
pub fn is_best_effort(req: &Resources) -> bool {
    req.cpu == 0 && req.memory == 0
}

/// `balancedResourceScorer`: `(1 − std) × 100` of the cpu and memory fractions after placing
/// the pod (real requests, each fraction capped at 1).
pub fn balanced_allocation(req: &Resources, alloc: &Resources, u: &NodeUsage) -> i64 {
    let fraction = |capacity: i64, requested: i64| {
        (capacity != 0).then(|| (requested as f64 / capacity as f64).min(1.0))
    };
    let fractions = [
        fraction(alloc.cpu, u.cpu_millis + req.cpu),
        fraction(alloc.memory, u.memory_bytes + req.memory),
    ];
    let std = match fractions {
        [Some(a), Some(b)] => ((a - b) / 2.0).abs(),
        _ => 0.0,
    };
    ((1.0 - std) * 100.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeStatus;
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

    fn node(cpu: &str, mem: &str, pods: &str) -> Node {
        let list: BTreeMap<String, Quantity> = [("cpu", cpu), ("memory", mem), ("pods", pods)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
            .collect();
        Node {
            status: Some(NodeStatus {
                allocatable: Some(list),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn req(cpu: i64, mem: i64) -> Resources {
        Resources {
            cpu,
            memory: mem,
            ..Default::default()
        }
    }

    #[test]
    fn filter_reports_every_insufficient_resource_with_the_pod_count_first() {
        let n = node("4", "8Gi", "2");
        let used = NodeUsage {
            cpu_millis: 3000,
            memory_bytes: 7 << 30,
            pods: 2,
            ..Default::default()
        };
        let cases: &[(Resources, &NodeUsage, Option<Vec<&str>>)] = &[
            (req(1000, 1 << 30), &NodeUsage::default(), None),
            (
                req(2000, 2 << 30),
                &used,
                Some(vec![
                    "Too many pods",
                    "Insufficient cpu",
                    "Insufficient memory",
                ]),
            ),
            (req(0, 0), &used, Some(vec!["Too many pods"])),
            (
                Resources::from_list(&[("example.com/gpu".to_string(), 1)].into_iter().collect()),
                &NodeUsage::default(),
                Some(vec!["Insufficient example.com/gpu"]),
            ),
        ];
        for (r, u, want) in cases {
            let got = filter(r, &allocatable_resources(&n), u).map(|rej| {
                assert!(rej.resolvable);
                rej.reasons
            });
            let want = want
                .as_ref()
                .map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, want, "requests {r:?}");
        }
        let rej = filter(&req(2000, 0), &allocatable_resources(&n), &used).unwrap();
        assert_eq!(
            rej.detail,
            "Too many pods (2 of 2 pods already bound), Insufficient cpu (requests 2, 1 of 4 free)"
        );
    }

    #[test]
    fn the_quick_answer_agrees_with_the_reasons() {
        let alloc = Resources::from_list(
            &[
                ("cpu".to_string(), 4000),
                ("memory".to_string(), 8 << 30),
                ("pods".to_string(), 3),
                ("ephemeral-storage".to_string(), 10 << 30),
                ("example.com/gpu".to_string(), 2),
            ]
            .into_iter()
            .collect(),
        );
        let mut checked = 0;
        for pods in [0, 2, 3] {
            for cpu in [0, 3000, 4000, 5000] {
                for gpu in [0, 1, 2] {
                    let used = NodeUsage {
                        cpu_millis: cpu,
                        memory_bytes: 6 << 30,
                        pods,
                        other: [("example.com/gpu".to_string(), gpu)].into_iter().collect(),
                        ..Default::default()
                    };
                    for want_cpu in [0, 500, 1000, 1500] {
                        for want_mem in [0, 1 << 30, 3 << 30] {
                            for (eph, want_gpu) in [(0, 0), (1 << 30, 1), (11 << 30, 0)] {
                                let mut r = req(want_cpu, want_mem);
                                r.ephemeral_storage = eph;
                                if want_gpu > 0 {
                                    r.other.insert("example.com/gpu".into(), want_gpu);
                                }
                                assert_eq!(
                                    fits(&r, &alloc, &used),
                                    insufficient(&r, &alloc, &used).is_none(),
                                    "{r:?} on {used:?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 3 * 4 * 3 * 4 * 3 * 3);
    }

    #[test]
    fn least_allocated_averages_free_fractions_and_balanced_prefers_even_use() {
        let n = node("4", "8Gi", "110");
        let empty = NodeUsage::default();
        // cpu (4000-1000)/4000 = 75, memory (8-2)/8 = 75.
        assert_eq!(
            least_allocated(&req(1000, 2 << 30), &allocatable_resources(&n), &empty),
            75
        );
        // Over capacity scores 0 for that resource.
        assert_eq!(
            least_allocated(&req(5000, 0), &allocatable_resources(&n), &empty),
            50
        );
        // Fractions 0.25 and 0.25: perfectly balanced; 0.5 and 0: std 0.25.
        assert_eq!(
            balanced_allocation(&req(1000, 2 << 30), &allocatable_resources(&n), &empty),
            100
        );
        assert_eq!(
            balanced_allocation(&req(2000, 0), &allocatable_resources(&n), &empty),
            75
        );
        assert!(is_best_effort(&Resources::default()));
        assert!(!is_best_effort(&req(1, 0)));
    }
}
