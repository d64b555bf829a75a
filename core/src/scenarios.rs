//! The clusters the benchmarks measure, built the same way natively and in the browser: a
//! number of plain workers and one workload of small pods (10m CPU, 16Mi memory), so that
//! the nodes' capacity never decides the outcome.

use crate::cluster::NodeSpec;
use crate::manifest;
use crate::World;

/// The benchmarks' seed.
pub const SEED: u64 = 7;

/// A cluster of `n` default-sized workers named `node-0001`… and no control plane.
pub fn workers(n: usize) -> World {
    let mut w = World::empty(SEED);
    for i in 1..=n {
        w.add_node(NodeSpec::worker(&format!("node-{i:04}")))
            .expect("benchmark nodes are valid");
    }
    w.run_due();
    w
}

const POD_SPEC: &str = "      containers:
      - name: web
        image: IMAGE
        resources:
          requests:
            cpu: 10m
            memory: 16Mi
";

fn pod_spec(image: &str) -> String {
    POD_SPEC.replace("IMAGE", image)
}

/// A Deployment `web` of `replicas` pods running `image`.
pub fn deployment(replicas: usize, image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
{}",
        pod_spec(image)
    )
}

/// A StatefulSet `db` of `replicas` pods, each with a 1Gi claim from the default class.
pub fn stateful_set(replicas: usize) -> String {
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: {replicas}
  serviceName: db
  podManagementPolicy: Parallel
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
{}        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
",
        pod_spec("postgres:16")
    )
}

/// A DaemonSet `agent` on every node.
pub fn daemon_set() -> String {
    format!(
        "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
{}",
        pod_spec("fluent-bit:3.0")
    )
}

/// Applies a manifest the benchmarks wrote; they are valid by construction.
pub fn apply(w: &mut World, text: &str) {
    manifest::apply(w, text).expect("benchmark manifests are valid");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Dur;

    fn running(w: &World) -> usize {
        w.store()
            .pods
            .iter()
            .filter(|p| crate::podutil::is_ready(p))
            .count()
    }

    #[test]
    fn each_scenario_settles_with_every_pod_ready() {
        let mut w = workers(4);
        apply(&mut w, &deployment(12, "nginx:1.27"));
        apply(&mut w, &stateful_set(3));
        apply(&mut w, &daemon_set());
        assert!(w.settle(Dur::mins(10)).settled);
        assert_eq!(running(&w), 12 + 3 + 4);
        assert_eq!(w.store().persistentvolumeclaims.len(), 3);
        apply(&mut w, &deployment(12, "nginx:1.28"));
        assert!(w.settle(Dur::mins(10)).settled);
        let images: Vec<_> = w
            .store()
            .pods
            .iter()
            .filter(|p| {
                p.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("web-"))
            })
            .map(|p| {
                p.spec.as_ref().unwrap().containers[0]
                    .image
                    .clone()
                    .unwrap()
            })
            .collect();
        assert_eq!(images, vec!["nginx:1.28".to_string(); 12]);
    }
}
