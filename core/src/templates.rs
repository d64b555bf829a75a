//! Manifest templates the editor offers: one idiomatic, commented example per workload kind.
//!
//! Each is written for a learner to read top to bottom (the comments say what a field does and
//! what the simulation will do with it) and is tested to apply cleanly to [`World::new`] and
//! reach its steady state, so every template the page offers is known to work.
//!
//! [`World::new`]: crate::World::new

/// One manifest the editor can start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// Stable identifier, e.g. for a menu's value; unique among [`TEMPLATES`].
    pub id: &'static str,
    /// What a menu shows.
    pub label: &'static str,
    /// The YAML.
    pub text: &'static str,
}

/// Every template, in the order a menu lists them.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "deployment",
        label: "Deployment",
        text: DEPLOYMENT,
    },
    Template {
        id: "service",
        label: "Service (for the Deployment)",
        text: SERVICE,
    },
    Template {
        id: "statefulset",
        label: "StatefulSet (with its headless Service)",
        text: STATEFULSET,
    },
    Template {
        id: "daemonset",
        label: "DaemonSet",
        text: DAEMONSET,
    },
    Template {
        id: "pvc",
        label: "PersistentVolumeClaim",
        text: PERSISTENT_VOLUME_CLAIM,
    },
];

/// The template with this id.
pub fn find(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

const DEPLOYMENT: &str = "\
# A Deployment keeps a number of identical pods running, and replaces them
# gradually when you change the pod template (a rolling update).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: 3
  # Which pods belong to this Deployment. It must match the template's labels.
  selector:
    matchLabels:
      app: nginx
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # During an update, at most 1 pod above `replicas` may exist...
      maxSurge: 1
      # ...and at most 1 pod below `replicas` may be unavailable.
      maxUnavailable: 1
  # Every pod is made from this template.
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
          # What the scheduler reserves on a node for each pod.
          resources:
            requests:
              cpu: 250m
              memory: 64Mi
";

const SERVICE: &str = "\
# A Service gives the Deployment's pods one stable name and virtual IP.
# Its endpoints are the ready pods whose labels match the selector.
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  type: ClusterIP
  selector:
    app: nginx
  ports:
    - name: http
      port: 80          # the Service's port
      targetPort: 80    # the container's port
";

const STATEFULSET: &str = "\
# A headless Service (clusterIP: None) gives each StatefulSet pod its own
# DNS name: web-0.web, web-1.web, ...
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - name: http
      port: 80
---
# A StatefulSet runs pods with stable names (web-0, web-1, ...), creates them
# one at a time in order, and gives each its own PersistentVolumeClaim.
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web   # the headless Service above
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 80
          volumeMounts:
            - name: www
              mountPath: /usr/share/nginx/html
  # One claim per pod, named www-web-0, www-web-1, ...; it outlives the pod,
  # so web-1 gets the same volume back after a restart.
  volumeClaimTemplates:
    - metadata:
        name: www
      spec:
        accessModes: [ReadWriteOnce]
        # The cluster's default StorageClass: it provisions a volume at once.
        storageClassName: standard
        resources:
          requests:
            storage: 1Gi
";

const DAEMONSET: &str = "\
# A DaemonSet runs one pod on every eligible node: the usual shape of log
# collectors, monitoring agents and network plugins.
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-agent
  labels:
    app: log-agent
spec:
  selector:
    matchLabels:
      app: log-agent
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        app: log-agent
    spec:
      # The control-plane node is tainted so ordinary pods stay off it; a log
      # agent should run there too, so it tolerates the taint.
      tolerations:
        - key: node-role.kubernetes.io/control-plane
          operator: Exists
          effect: NoSchedule
      containers:
        - name: agent
          image: fluent/fluent-bit:3.2
          resources:
            requests:
              cpu: 50m
              memory: 32Mi
          # Reads the node's own log directory.
          volumeMounts:
            - name: varlog
              mountPath: /var/log
              readOnly: true
      volumes:
        - name: varlog
          hostPath:
            path: /var/log
";

const PERSISTENT_VOLUME_CLAIM: &str = "\
# A PersistentVolumeClaim asks for storage. The StorageClass provisions a
# PersistentVolume for it and binds the two; a pod then mounts the claim
# by name (volumes: - name: data, persistentVolumeClaim: {claimName: data}).
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
    - ReadWriteOnce   # mounted read-write by one node at a time
  # Leave storageClassName out to use the default class (here: standard).
  resources:
    requests:
      storage: 1Gi
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;
    use crate::store::Key;
    use crate::time::Dur;
    use crate::World;
    use std::collections::BTreeSet;

    /// A default cluster with `texts` applied and settled.
    fn settled(texts: &[&str]) -> World {
        let mut w = World::new(1);
        for t in texts {
            if let Err(e) = manifest::apply(&mut w, t) {
                panic!("template does not apply: {e:?}\n{t}");
            }
        }
        let s = w.settle(Dur::mins(15));
        assert!(s.settled, "{s}");
        w
    }

    fn text(id: &str) -> &'static str {
        find(id).expect("template exists").text
    }

    fn running(w: &World, prefix: &str) -> Vec<String> {
        w.store()
            .pods
            .iter()
            .filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with(prefix))
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .filter_map(|p| p.metadata.name.clone())
            .collect()
    }

    fn claim_phase(w: &World, name: &str) -> Option<String> {
        w.store()
            .persistentvolumeclaims
            .get(&Key::new("default", name))
            .and_then(|c| c.status.as_ref()?.phase.clone())
    }

    #[test]
    fn template_ids_are_unique_and_every_template_is_found_by_id() {
        let ids: BTreeSet<&str> = TEMPLATES.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), TEMPLATES.len());
        for t in TEMPLATES {
            assert_eq!(find(t.id), Some(t));
            assert!(!t.label.is_empty());
        }
        assert_eq!(find("nope"), None);
    }

    #[test]
    fn every_template_applies_cleanly_without_warnings() {
        for t in TEMPLATES {
            let mut w = World::new(1);
            let report =
                manifest::apply(&mut w, t.text).unwrap_or_else(|e| panic!("{}: {e:?}", t.id));
            assert!(report.notices.is_empty(), "{}: {:?}", t.id, report.notices);
            assert!(
                report.lines.iter().all(|l| l.ends_with(" created")),
                "{}",
                t.id
            );
        }
    }

    #[test]
    fn the_deployment_runs_all_its_replicas() {
        let w = settled(&[text("deployment")]);
        assert_eq!(running(&w, "nginx-").len(), 3);
        let d = w
            .store()
            .deployments
            .get(&Key::new("default", "nginx"))
            .expect("deployment");
        let st = d.status.clone().unwrap_or_default();
        assert_eq!(st.available_replicas, Some(3));
    }

    #[test]
    fn the_service_has_the_deployments_pods_as_endpoints() {
        let w = settled(&[text("deployment"), text("service")]);
        let ep = w
            .store()
            .endpoints
            .get(&Key::new("default", "nginx"))
            .expect("endpoints");
        let addresses: usize = ep
            .subsets
            .iter()
            .flatten()
            .map(|s| s.addresses.as_ref().map_or(0, Vec::len))
            .sum();
        assert_eq!(addresses, 3);
        // Alone it applies too, with no endpoints yet.
        let w = settled(&[text("service")]);
        assert!(w
            .store()
            .services
            .get(&Key::new("default", "nginx"))
            .is_some());
    }

    #[test]
    fn the_statefulset_runs_its_ordinals_with_bound_claims() {
        let w = settled(&[text("statefulset")]);
        let pods: BTreeSet<String> = running(&w, "web-").into_iter().collect();
        let want: BTreeSet<String> = (0..3).map(|i| format!("web-{i}")).collect();
        assert_eq!(pods, want);
        for i in 0..3 {
            assert_eq!(
                claim_phase(&w, &format!("www-web-{i}")).as_deref(),
                Some("Bound")
            );
        }
        let svc = w
            .store()
            .services
            .get(&Key::new("default", "web"))
            .expect("service");
        assert_eq!(
            svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()),
            Some("None")
        );
    }

    #[test]
    fn the_daemonset_runs_one_pod_on_every_node_control_plane_included() {
        let w = settled(&[text("daemonset")]);
        let nodes: Vec<String> = w
            .store()
            .nodes
            .iter()
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        assert_eq!(nodes.len(), 3);
        let mut on: Vec<String> = w
            .store()
            .pods
            .iter()
            .filter(|p| {
                p.metadata
                    .name
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("log-agent-")
            })
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .filter_map(|p| p.spec.as_ref()?.node_name.clone())
            .collect();
        on.sort();
        assert_eq!(on, nodes);
    }

    #[test]
    fn the_claim_is_bound() {
        let w = settled(&[text("pvc")]);
        assert_eq!(claim_phase(&w, "data").as_deref(), Some("Bound"));
    }

    #[test]
    fn templates_apply_together() {
        let all: Vec<&str> = TEMPLATES.iter().map(|t| t.text).collect();
        let w = settled(&all);
        assert_eq!(running(&w, "nginx-").len(), 3);
        assert_eq!(running(&w, "web-").len(), 3);
        assert_eq!(running(&w, "log-agent-").len(), 3);
    }
}
