//! The inspector: everything the page shows about one clicked object, as plain data.
//!
//! An [`Inspection`] gathers what a person would otherwise piece together from several
//! commands: the live YAML exactly as `kubectl get KIND NAME -o yaml` prints it, the Events
//! section of `kubectl describe`, the owner chain (`ownerReferences` followed to the root), what
//! the object owns or uses, the `sim why` sentence and, for storage, the files on the volume.
//! Each part is computed by the same code the command uses, so the inspector and the console
//! never disagree.
//!
//! Architecture invariant: a pure function of the [`World`]; looking never changes the cluster.

use crate::controllers::deployment::util::{rs_replicas, REVISION};
use crate::controllers::{statefulset, volume};
use crate::files::{Entry, FsId};
use crate::kubectl::get::{self, Item};
use crate::kubectl::{resolve_type, ResType};
use crate::podutil;
use crate::sim::World;
use crate::store::controller_ref;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeSet;
use std::fmt;

pub use crate::kubectl::get::EventRow;

/// How many owners are followed at most. Real chains are at most three long (Pod → ReplicaSet →
/// Deployment); the bound keeps a hand-written cycle of ownerReferences from looping.
pub const MAX_OWNER_DEPTH: usize = 8;

/// Which object to inspect.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    /// The kind as the API names it (`Pod`, `Deployment`, `PersistentVolumeClaim`); any type name
    /// `kubectl get` accepts (`po`, `deploy`, `pvc`) also works.
    pub kind: String,
    /// `None` means `default` for namespaced kinds; ignored for cluster-scoped ones.
    pub namespace: Option<String>,
    pub name: String,
}

impl Target {
    pub fn new(
        kind: impl Into<String>,
        namespace: Option<&str>,
        name: impl Into<String>,
    ) -> Target {
        Target {
            kind: kind.into(),
            namespace: namespace.map(str::to_string),
            name: name.into(),
        }
    }

    /// Parses `TYPE/NAME` or `TYPE/NAMESPACE/NAME` (`pod/default/web-0`, `node/worker-1`,
    /// `deploy/web`). The kind is normalised to the API's name (`Pod`), so a parsed target
    /// compares equal to one built from an object; a namespace given for a cluster-scoped kind
    /// is dropped, as kubectl ignores `-n` for them. Errors are kubectl's words.
    pub fn parse(s: &str) -> Result<Target, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let (t, namespace, name) = match parts.as_slice() {
            [t, name] => (*t, None, *name),
            [t, ns, name] if !ns.is_empty() => (*t, Some(*ns), *name),
            _ => {
                return Err(format!(
                    "error: expected TYPE/NAME or TYPE/NAMESPACE/NAME, got {s:?}"
                ))
            }
        };
        if name.is_empty() {
            return Err(format!(
                "error: expected TYPE/NAME or TYPE/NAMESPACE/NAME, got {s:?}"
            ));
        }
        let rt = resolve_type(t).ok_or_else(|| get::unknown_type(t))?;
        let namespace = namespace.filter(|_| !matches!(rt, ResType::Sim(k) if !k.namespaced()));
        Ok(Target::new(kind_name(rt), namespace, name))
    }

    /// The target naming an object of this kind.
    fn of(kind: &str, meta: &ObjectMeta) -> Target {
        Target::new(
            kind,
            meta.namespace.as_deref().filter(|n| !n.is_empty()),
            meta.name.clone().unwrap_or_default(),
        )
    }
}

/// `pod/default/web-0`, `node/worker-1`: what [`Target::parse`] reads back.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.kind.to_lowercase())?;
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}/")?;
        }
        f.write_str(&self.name)
    }
}

/// One step up the owner chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerLink {
    pub target: Target,
    /// Whether an object with the reference's uid still exists (an orphan's owner may be gone
    /// before the garbage collector has caught up, or a reference may name a recreated object).
    pub exists: bool,
}

/// Something the inspected object owns or uses, with a one-line state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub target: Target,
    /// `revision 2: 3 desired, 3 current, 3 ready`, `Running on worker-1`, `Bound`.
    pub detail: String,
}

/// `replicaset/web-5d4f: revision 2: 3 desired, 3 current, 3 ready`.
impl fmt::Display for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}: {}",
            self.target.kind.to_lowercase(),
            self.target.name,
            self.detail
        )
    }
}

/// Everything the inspector shows about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// `Pod default/web-0`, `Node worker-1`.
    pub title: String,
    /// Exactly what `kubectl get KIND NAME -o yaml` prints.
    pub yaml: String,
    /// The Events section of `kubectl describe`, oldest first.
    pub events: Vec<EventRow>,
    /// Nearest owner first: for a Deployment's pod, its ReplicaSet then the Deployment.
    pub owners: Vec<OwnerLink>,
    /// What it owns or uses: a Deployment's ReplicaSets (newest revision first), the pods of a
    /// ReplicaSet, StatefulSet (in ordinal order) or DaemonSet, a claim's pods and volume, a
    /// volume's claim, a node's pods, the pods a Service selects, the claims a pod mounts.
    pub children: Vec<Child>,
    /// The `sim why` explanation, for the kinds it explains.
    pub why: Option<String>,
    /// For a claim (once bound) or a volume: the files stored on the volume, `(path, contents)`
    /// in path order. Directories are not listed; bounded by [`crate::files::MAX_FS_BYTES`].
    pub files: Vec<(String, String)>,
}

/// Inspects one object. Errors are kubectl's: an unknown type, or
/// `Error from server (NotFound): pods "web-0" not found` once the object is gone.
pub fn inspect(world: &World, target: &Target) -> Result<Inspection, String> {
    let t = resolve_type(&target.kind).ok_or_else(|| get::unknown_type(&target.kind))?;
    let ns = target.namespace.as_deref().unwrap_or("default");
    let item =
        get::find(world, t, ns, &target.name).ok_or_else(|| get::not_found(t, &target.name))?;
    let meta = item.meta();
    let kind = kind_name(t);
    let name = meta.name.clone().unwrap_or_default();
    let title = match meta.namespace.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => format!("{kind} {n}/{name}"),
        None => format!("{kind} {name}"),
    };
    let events = match meta.uid.as_deref() {
        Some(uid) if !uid.is_empty() => get::events_of(world, uid),
        _ => Vec::new(),
    };
    Ok(Inspection {
        title,
        yaml: get::to_yaml_string(&item.to_json()),
        events,
        owners: owner_chain(world, &meta),
        children: children(world, &item),
        why: crate::explain::explain(world, &format!("{kind}/{name}"), ns).ok(),
        files: volume_files(world, &item),
    })
}

/// The API's name for a type: `Pod`, `Deployment`, `ConfigMap`.
fn kind_name(t: ResType) -> &'static str {
    match t {
        ResType::Sim(k) => k.name(),
        ResType::Other(k, _) => k,
    }
}

/// Follows the controller reference (or, without one, the first owner reference) up to an
/// object with no owner, an owner that is gone, or [`MAX_OWNER_DEPTH`].
fn owner_chain(world: &World, meta: &ObjectMeta) -> Vec<OwnerLink> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<String> = meta.uid.iter().cloned().collect();
    let mut cur = meta.clone();
    while out.len() < MAX_OWNER_DEPTH {
        let Some(r) = controller_ref(&cur)
            .or_else(|| cur.owner_references.as_ref().and_then(|v| v.first()))
            .cloned()
        else {
            break;
        };
        let ns = cur.namespace.clone().unwrap_or_default();
        let rt = resolve_type(&r.kind);
        let found = rt
            .and_then(|t| get::find(world, t, &ns, &r.name))
            .map(|i| i.meta())
            .filter(|m| m.uid.as_deref() == Some(r.uid.as_str()));
        let cluster_scoped = matches!(rt, Some(ResType::Sim(k)) if !k.namespaced());
        let namespace = match &found {
            Some(m) => m.namespace.clone().filter(|n| !n.is_empty()),
            None => Some(ns).filter(|n| !n.is_empty() && !cluster_scoped),
        };
        out.push(OwnerLink {
            target: Target::new(r.kind.clone(), namespace.as_deref(), r.name.clone()),
            exists: found.is_some(),
        });
        match found {
            Some(m) if seen.insert(r.uid.clone()) => cur = m,
            _ => break,
        }
    }
    out
}

/// A pod's state for a child row: the STATUS column and where it runs.
fn pod_child(p: &Pod) -> Child {
    let status = podutil::display_status(p);
    let detail = match podutil::node_name(p) {
        Some(n) => format!("{status} on {n}, {} ready", podutil::ready_column(p)),
        None => format!("{status}, not scheduled"),
    };
    Child {
        target: Target::of("Pod", &p.metadata),
        detail,
    }
}

/// What the object owns or uses (see [`Inspection::children`]).
fn children(world: &World, item: &Item) -> Vec<Child> {
    let s = world.store();
    let uid = item.meta().uid.unwrap_or_default();
    let owned_pods = || -> Vec<&Pod> { s.pods.owned_by(&uid).collect() };
    match item {
        Item::Deployment(_) => {
            let mut rss: Vec<_> = s.replicasets.owned_by(&uid).collect();
            let revision = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| {
                rs.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(REVISION))
                    .and_then(|r| r.parse::<i64>().ok())
                    .unwrap_or(0)
            };
            rss.sort_by(|a, b| {
                revision(b)
                    .cmp(&revision(a))
                    .then_with(|| a.metadata.name.cmp(&b.metadata.name))
            });
            rss.into_iter()
                .map(|rs| {
                    let st = rs.status.clone().unwrap_or_default();
                    Child {
                        target: Target::of("ReplicaSet", &rs.metadata),
                        detail: format!(
                            "revision {}: {} desired, {} current, {} ready",
                            revision(rs),
                            rs_replicas(rs),
                            st.replicas,
                            st.ready_replicas.unwrap_or(0)
                        ),
                    }
                })
                .collect()
        }
        Item::ReplicaSet(_) | Item::DaemonSet(_) => {
            owned_pods().into_iter().map(pod_child).collect()
        }
        Item::StatefulSet(_) => {
            let mut pods = owned_pods();
            pods.sort_by_key(|p| {
                (
                    statefulset::util::ordinal(p).unwrap_or(i32::MAX),
                    p.metadata.name.clone(),
                )
            });
            pods.into_iter().map(pod_child).collect()
        }
        Item::Pod(p) => {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            p.spec
                .iter()
                .flat_map(|sp| sp.volumes.iter().flatten())
                .filter_map(|v| v.persistent_volume_claim.as_ref())
                .map(|c| {
                    let claim = s
                        .persistentvolumeclaims
                        .get(&crate::store::Key::new(ns.clone(), c.claim_name.clone()));
                    Child {
                        target: Target::new("PersistentVolumeClaim", Some(&ns), &c.claim_name),
                        detail: claim.map_or_else(|| "not found".to_string(), claim_detail),
                    }
                })
                .collect()
        }
        Item::PersistentVolumeClaim(c) => {
            let mut out: Vec<Child> = volume::pods_using_claim(s, c)
                .into_iter()
                .map(pod_child)
                .collect();
            if let Some(pv) = c.spec.as_ref().and_then(|sp| sp.volume_name.as_ref()) {
                let live = s
                    .persistentvolumes
                    .get(&crate::store::Key::cluster(pv.clone()));
                out.push(Child {
                    target: Target::new("PersistentVolume", None, pv.clone()),
                    detail: live.map_or_else(
                        || "not found".to_string(),
                        |v| volume::volume_phase(v).to_string(),
                    ),
                });
            }
            out
        }
        Item::PersistentVolume(v) => v
            .spec
            .as_ref()
            .and_then(|sp| sp.claim_ref.as_ref())
            .map(|r| {
                let ns = r.namespace.clone().unwrap_or_default();
                let name = r.name.clone().unwrap_or_default();
                let claim = s
                    .persistentvolumeclaims
                    .get(&crate::store::Key::new(ns.clone(), name.clone()))
                    .filter(|c| r.uid.is_none() || c.metadata.uid == r.uid);
                Child {
                    target: Target::new("PersistentVolumeClaim", Some(&ns), name),
                    detail: claim.map_or_else(|| "not found".to_string(), claim_detail),
                }
            })
            .into_iter()
            .collect(),
        Item::Node(n) => {
            let name = n.metadata.name.clone().unwrap_or_default();
            s.pods
                .iter()
                .filter(|p| podutil::node_name(p) == Some(name.as_str()))
                .map(pod_child)
                .collect()
        }
        Item::Service(svc) => crate::controllers::endpoints::selected_pods(s, svc)
            .into_iter()
            .map(pod_child)
            .collect(),
        _ => Vec::new(),
    }
}

/// `Bound to pvc-…`, `Pending`.
fn claim_detail(c: &k8s_openapi::api::core::v1::PersistentVolumeClaim) -> String {
    let phase = volume::claim_phase(c);
    match c.spec.as_ref().and_then(|s| s.volume_name.as_ref()) {
        Some(v) if phase == "Bound" => format!("Bound to {v}"),
        _ => phase.to_string(),
    }
}

/// The files on the volume behind a claim or of a volume.
fn volume_files(world: &World, item: &Item) -> Vec<(String, String)> {
    let pv = match item {
        Item::PersistentVolume(v) => v.metadata.name.clone(),
        Item::PersistentVolumeClaim(c) => c.spec.as_ref().and_then(|s| s.volume_name.clone()),
        _ => None,
    };
    let Some(fs) = pv.and_then(|pv| world.files().get(&FsId::Volume(pv))) else {
        return Vec::new();
    };
    fs.entries()
        .filter_map(|(path, e)| match e {
            Entry::File { data, .. } => Some((path.to_string(), data.clone())),
            Entry::Dir { .. } => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::{run, NoFiles};
    use crate::time::Dur;

    fn sh(w: &mut World, line: &str) -> String {
        let out = run(w, line, &NoFiles);
        assert!(out.ok, "{line}: {}", out.stderr);
        out.stdout
    }

    fn applied(w: &mut World, text: &str) {
        if let Err(e) = crate::manifest::apply(w, text) {
            panic!("apply failed: {e}\n{text}");
        }
    }

    fn look(w: &World, target: &str) -> Inspection {
        let t = Target::parse(target).unwrap_or_else(|e| panic!("{target}: {e}"));
        inspect(w, &t).unwrap_or_else(|e| panic!("{target}: {e}"))
    }

    fn pod_names(w: &World, prefix: &str) -> Vec<String> {
        w.store()
            .pods
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .filter(|n| n.starts_with(prefix))
            .collect()
    }

    fn deployment_world() -> World {
        let mut w = World::new(1);
        sh(
            &mut w,
            "create deployment web --image=nginx:1.25.3 --replicas=2",
        );
        w.settle(Dur::mins(5));
        w
    }

    #[test]
    fn a_deployment_pod_shows_its_yaml_events_and_owner_chain() {
        let mut w = deployment_world();
        let pod = pod_names(&w, "web-")[0].clone();
        let yaml = sh(&mut w, &format!("get pod {pod} -o yaml"));
        let i = look(&w, &format!("pod/default/{pod}"));
        assert_eq!(i.title, format!("Pod default/{pod}"));
        assert_eq!(i.yaml, yaml);
        let reasons: Vec<&str> = i.events.iter().map(|e| e.reason.as_str()).collect();
        for r in ["Scheduled", "Pulled", "Started"] {
            assert!(reasons.contains(&r), "{r} missing from {reasons:?}");
        }
        assert_eq!(i.events[0].reason, "Scheduled");
        assert_eq!(i.events[0].from, "default-scheduler");
        let rs = w
            .store()
            .replicasets
            .iter()
            .find_map(|r| r.metadata.name.clone())
            .unwrap_or_default();
        assert_eq!(
            i.owners,
            vec![
                OwnerLink {
                    target: Target::new("ReplicaSet", Some("default"), rs.as_str()),
                    exists: true
                },
                OwnerLink {
                    target: Target::new("Deployment", Some("default"), "web"),
                    exists: true
                },
            ]
        );
        assert!(i
            .why
            .as_deref()
            .is_some_and(|y| y.contains("running and ready")));
        assert!(i.files.is_empty());
    }

    #[test]
    fn events_read_as_the_describe_section_does() {
        let mut w = deployment_world();
        let pod = pod_names(&w, "web-")[0].clone();
        let described = sh(&mut w, &format!("describe pod {pod}"));
        let i = look(&w, &format!("pod/{pod}"));
        for e in &i.events {
            let line = described
                .lines()
                .find(|l| l.contains(&e.message) && l.contains(&e.reason));
            assert!(line.is_some(), "{e:?} not in\n{described}");
        }
    }

    #[test]
    fn a_deployment_lists_its_replica_sets_newest_revision_first() {
        let mut w = deployment_world();
        sh(&mut w, "set image deployment/web nginx=nginx:1.26.0");
        w.settle(Dur::mins(5));
        let i = look(&w, "deploy/web");
        assert_eq!(i.title, "Deployment default/web");
        assert!(i.owners.is_empty());
        let details: Vec<String> = i.children.iter().map(|c| c.detail.clone()).collect();
        assert_eq!(
            details,
            vec![
                "revision 2: 2 desired, 2 current, 2 ready",
                "revision 1: 0 desired, 0 current, 0 ready"
            ]
        );
        assert!(i.children.iter().all(|c| c.target.kind == "ReplicaSet"));
        assert!(i.why.as_deref().is_some_and(|y| y.contains("complete")));
    }

    #[test]
    fn a_pending_pod_says_why_it_cannot_be_scheduled() {
        let mut w = World::new(1);
        applied(
            &mut w,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25.3\n    resources:\n      requests:\n        cpu: \"64\"\n",
        );
        w.settle(Dur::mins(1));
        let i = look(&w, "pod/big");
        let why = i.why.unwrap_or_default();
        assert!(
            why.contains("Pending") && why.contains("Insufficient cpu"),
            "{why}"
        );
        assert!(i
            .events
            .iter()
            .any(|e| e.reason == "FailedScheduling" && e.type_ == "Warning"));
        assert!(i.owners.is_empty() && i.children.is_empty());
    }

    const STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
";

    #[test]
    fn a_stateful_set_claim_shows_its_pod_volume_and_files() {
        let mut w = World::new(1);
        applied(&mut w, STS);
        w.settle(Dur::mins(5));
        sh(
            &mut w,
            "exec web-0 -- sh -c 'echo hello > /usr/share/nginx/html/index.html'",
        );
        let set = look(&w, "sts/web");
        let pods: Vec<&str> = set
            .children
            .iter()
            .map(|c| c.target.name.as_str())
            .collect();
        assert_eq!(pods, vec!["web-0", "web-1"]);
        assert!(
            set.children[0].detail.starts_with("Running on "),
            "{:?}",
            set.children
        );

        let claim = look(&w, "pvc/default/www-web-0");
        let pv = w
            .store()
            .persistentvolumeclaims
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some("www-web-0"))
            .and_then(|c| c.spec.as_ref()?.volume_name.clone())
            .unwrap_or_default();
        let kids: Vec<String> = claim
            .children
            .iter()
            .map(|c| c.target.to_string())
            .collect();
        assert_eq!(
            kids,
            vec![
                "pod/default/web-0".to_string(),
                format!("persistentvolume/{pv}")
            ]
        );
        assert_eq!(claim.children[1].detail, "Bound");
        let files = vec![("/index.html".to_string(), "hello\n".to_string())];
        assert_eq!(claim.files, files);
        assert!(claim.why.is_some());

        let volume = look(&w, &format!("pv/{pv}"));
        assert_eq!(volume.title, format!("PersistentVolume {pv}"));
        assert_eq!(volume.files, files);
        assert_eq!(
            volume.children[0].to_string(),
            format!("persistentvolumeclaim/www-web-0: Bound to {pv}")
        );

        let pod = look(&w, "pod/web-0");
        assert_eq!(
            pod.owners,
            vec![OwnerLink {
                target: Target::new("StatefulSet", Some("default"), "web"),
                exists: true
            }]
        );
        assert_eq!(
            pod.children[0].target,
            Target::new("PersistentVolumeClaim", Some("default"), "www-web-0")
        );
    }

    #[test]
    fn a_node_shows_its_pods_and_its_state() {
        let mut w = deployment_world();
        let node = w
            .store()
            .pods
            .iter()
            .find_map(|p| podutil::node_name(p).map(str::to_string))
            .unwrap_or_default();
        let yaml = sh(&mut w, &format!("get node {node} -o yaml"));
        let i = look(&w, &format!("node/{node}"));
        assert_eq!(i.title, format!("Node {node}"));
        assert_eq!(i.yaml, yaml);
        assert!(i.owners.is_empty());
        assert!(!i.children.is_empty());
        assert!(i.children.iter().all(|c| c.target.kind == "Pod"));
        assert!(i
            .why
            .as_deref()
            .is_some_and(|y| y.starts_with(&format!("node {node} is Ready"))));
    }

    #[test]
    fn a_missing_object_is_not_found_as_kubectl_says() {
        let w = World::new(1);
        assert_eq!(
            inspect(&w, &Target::new("Pod", Some("default"), "nope")),
            Err("Error from server (NotFound): pods \"nope\" not found".to_string())
        );
        assert_eq!(
            inspect(&w, &Target::new("Deployment", None, "gone")),
            Err("Error from server (NotFound): deployments.apps \"gone\" not found".to_string())
        );
        assert!(inspect(&w, &Target::new("Widget", None, "x"))
            .is_err_and(|e| e.contains("doesn't have a resource type")));
    }

    #[test]
    fn an_owner_that_is_gone_ends_the_chain() {
        let mut w = deployment_world();
        sh(&mut w, "delete deployment web --cascade=orphan");
        let rs = w
            .store()
            .replicasets
            .iter()
            .find_map(|r| r.metadata.name.clone())
            .unwrap_or_default();
        let i = look(&w, &format!("rs/{rs}"));
        assert!(i.owners.iter().all(|o| !o.exists), "{:?}", i.owners);
        assert_eq!(i.children.len(), 2);
    }

    #[test]
    fn targets_parse_and_print_back() {
        let t = Target::parse("po/default/web-0").unwrap();
        assert_eq!(t, Target::new("Pod", Some("default"), "web-0"));
        assert_eq!(Target::parse(&t.to_string()), Ok(t));
        assert_eq!(
            Target::parse("node/kube-system/worker-1"),
            Ok(Target::new("Node", None, "worker-1"))
        );
        assert_eq!(
            Target::parse("deploy/web"),
            Ok(Target::new("Deployment", None, "web"))
        );
        for bad in ["", "pod", "pod/", "a/b/c/d", "pod//x"] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
    }
}
