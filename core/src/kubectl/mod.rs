//! The kubectl command language, shared by the web console and the `kubeplay` CLI.
//!
//! [`run`] takes one line as a person types it (`kubectl get pods -o wide`, or without the
//! `kubectl`), runs it against a [`World`] and returns what a terminal would show. Output formats
//! follow kubectl's printers (tables aligned like Go's tabwriter, `-o yaml|json|name|wide`,
//! `describe`, `rollout`). Simulation commands live under `sim` (`sim advance 30s`,
//! `sim settle`, `sim node add`, `sim why pod/NAME`). A wrong command gets a kubectl-like error
//! and changes nothing.

mod args;
pub mod complete;
mod describe;
mod drain;
mod exec;
pub(crate) mod get;
mod mutate;
mod patch;
mod rollout;
mod run;
pub mod script;
mod simcmd;
pub mod tabwriter;
mod taint;
mod template;
mod watch;
pub mod yaml;

use crate::sim::World;
use crate::store::Kind;
pub use args::{tokenize, Args};
pub use complete::{complete, Completion};

/// The warning the API server (v1.33+) sends with every request for v1 Endpoints.
pub const ENDPOINTS_DEPRECATED: &str =
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice";

/// What a command printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub ok: bool,
}

impl Output {
    pub fn out(s: impl Into<String>) -> Output {
        let mut stdout = s.into();
        if !stdout.is_empty() && !stdout.ends_with('\n') {
            stdout.push('\n');
        }
        Output {
            stdout,
            stderr: String::new(),
            ok: true,
        }
    }
    pub fn err(s: impl Into<String>) -> Output {
        let mut stderr = s.into();
        if !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        Output {
            stdout: String::new(),
            stderr,
            ok: false,
        }
    }
    /// Output with warnings on stderr that still succeeded.
    pub fn with_warnings(mut self, warnings: &[String]) -> Output {
        for w in warnings {
            self.stderr.push_str(w);
            self.stderr.push('\n');
        }
        self
    }
}

/// Where `apply -f PATH` reads files from.
pub trait FileSource {
    fn read(&self, path: &str) -> Result<String, String>;
}

/// No files at all (the browser); `-f -` still reads from [`run_with_stdin`].
pub struct NoFiles;

impl FileSource for NoFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        Err(format!("the path {path:?} does not exist (files cannot be read here; paste the manifest into the editor instead)"))
    }
}

/// A resource type named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResType {
    Sim(Kind),
    /// A kind stored but not simulated: (kind, plural, short name).
    Other(&'static str, &'static str),
}

const OTHER_TYPES: &[(&str, &str, &[&str])] = &[
    ("ConfigMap", "configmaps", &["configmap", "cm"]),
    ("Secret", "secrets", &["secret"]),
    (
        "ServiceAccount",
        "serviceaccounts",
        &["serviceaccount", "sa"],
    ),
    ("Job", "jobs", &["job"]),
    ("CronJob", "cronjobs", &["cronjob", "cj"]),
    ("Ingress", "ingresses", &["ingress", "ing"]),
    (
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        &["horizontalpodautoscaler", "hpa"],
    ),
    ("Role", "roles", &["role"]),
    ("RoleBinding", "rolebindings", &["rolebinding"]),
    ("ClusterRole", "clusterroles", &["clusterrole"]),
    (
        "ClusterRoleBinding",
        "clusterrolebindings",
        &["clusterrolebinding"],
    ),
    (
        "NetworkPolicy",
        "networkpolicies",
        &["networkpolicy", "netpol"],
    ),
    ("PriorityClass", "priorityclasses", &["priorityclass", "pc"]),
    ("LimitRange", "limitranges", &["limitrange", "limits"]),
    (
        "ResourceQuota",
        "resourcequotas",
        &["resourcequota", "quota"],
    ),
    (
        "ReplicationController",
        "replicationcontrollers",
        &["replicationcontroller", "rc"],
    ),
    ("Lease", "leases", &["lease"]),
    ("IngressClass", "ingressclasses", &["ingressclass"]),
    (
        "CustomResourceDefinition",
        "customresourcedefinitions",
        &["customresourcedefinition", "crd", "crds"],
    ),
];

/// Resolves `pods`, `po`, `deploy`, `deployments.apps`, … to a type.
pub fn resolve_type(s: &str) -> Option<ResType> {
    let l = s.to_ascii_lowercase();
    let sim = match l.as_str() {
        "pods" | "pod" | "po" => Some(Kind::Pod),
        "deployments" | "deployment" | "deploy" | "deployments.apps" | "deployment.apps" => {
            Some(Kind::Deployment)
        }
        "replicasets" | "replicaset" | "rs" | "replicasets.apps" | "replicaset.apps" => {
            Some(Kind::ReplicaSet)
        }
        "nodes" | "node" | "no" => Some(Kind::Node),
        "namespaces" | "namespace" | "ns" => Some(Kind::Namespace),
        "events" | "event" | "ev" => Some(Kind::Event),
        "persistentvolumeclaims" | "persistentvolumeclaim" | "pvc" => {
            Some(Kind::PersistentVolumeClaim)
        }
        "persistentvolumes" | "persistentvolume" | "pv" => Some(Kind::PersistentVolume),
        "statefulsets" | "statefulset" | "sts" | "statefulsets.apps" | "statefulset.apps" => {
            Some(Kind::StatefulSet)
        }
        "controllerrevisions"
        | "controllerrevision"
        | "controllerrevisions.apps"
        | "controllerrevision.apps" => Some(Kind::ControllerRevision),
        "daemonsets" | "daemonset" | "ds" | "daemonsets.apps" | "daemonset.apps" => {
            Some(Kind::DaemonSet)
        }
        "storageclasses"
        | "storageclass"
        | "sc"
        | "storageclasses.storage.k8s.io"
        | "storageclass.storage.k8s.io" => Some(Kind::StorageClass),
        "services" | "service" | "svc" => Some(Kind::Service),
        "endpoints" | "ep" => Some(Kind::Endpoints),
        "endpointslices"
        | "endpointslice"
        | "endpointslices.discovery.k8s.io"
        | "endpointslice.discovery.k8s.io" => Some(Kind::EndpointSlice),
        "poddisruptionbudgets"
        | "poddisruptionbudget"
        | "pdb"
        | "poddisruptionbudgets.policy"
        | "poddisruptionbudget.policy" => Some(Kind::PodDisruptionBudget),
        _ => None,
    };
    if let Some(k) = sim {
        return Some(ResType::Sim(k));
    }
    OTHER_TYPES
        .iter()
        .find(|(k, plural, aliases)| {
            l == k.to_ascii_lowercase() || l == *plural || aliases.contains(&l.as_str())
        })
        .map(|(k, p, _)| ResType::Other(k, p))
}

/// Runs one command line. `files` serves `apply -f PATH`.
pub fn run(world: &mut World, line: &str, files: &dyn FileSource) -> Output {
    run_with_stdin(world, line, files, None)
}

/// [`run`], with text available to `apply -f -`.
pub fn run_with_stdin(
    world: &mut World,
    line: &str,
    files: &dyn FileSource,
    stdin: Option<&str>,
) -> Output {
    let tokens = match tokenize(line) {
        Ok(t) => t,
        Err(e) => return Output::err(format!("error: {e}")),
    };
    let mut words: &[String] = &tokens;
    if words.first().is_some_and(|w| w == "kubectl" || w == "k") {
        words = &words[1..];
    }
    let Some(verb) = words.first() else {
        return Output::default_ok();
    };
    let rest = &words[1..];
    if verb == "exec" {
        // exec keeps the words after `--` for the container, flags included.
        let result = exec::exec(world, rest);
        world.run_due();
        return result.unwrap_or_else(Output::err);
    }
    let parsed = match Args::parse(rest) {
        Ok(a) => a,
        Err(e) => {
            return Output::err(format!(
                "error: {e}\nSee 'kubectl {verb} --help' for usage."
            ))
        }
    };
    let result = match verb.as_str() {
        "get" if parsed.bool("watch") || parsed.bool("watch-only") => {
            watch::watch(world, &parsed)
        }
        "get" => get::get(world, &parsed),
        "describe" => describe::describe(world, &parsed),
        "events" => get::events_command(world, &parsed),
        "apply" => mutate::apply(world, &parsed, files, stdin),
        "create" => mutate::create(world, &parsed, files, stdin),
        "scale" => mutate::scale(world, &parsed),
        "set" => mutate::set(world, &parsed),
        "patch" => patch::patch(world, &parsed),
        "run" => run::run(world, &parsed),
        "label" => mutate::label(world, &parsed, true),
        "annotate" => mutate::label(world, &parsed, false),
        "delete" => mutate::delete(world, &parsed, files),
        "cordon" | "uncordon" => mutate::cordon(world, &parsed, verb == "cordon"),
        "taint" => taint::taint(world, &parsed),
        "drain" => drain::drain(world, &parsed),
        "rollout" => rollout::rollout(world, &parsed),
        "sim" => simcmd::sim(world, &parsed),
        "version" => Ok(Output::out(format!("Client Version: {v}\nKustomize Version: v5.7.1\nServer Version: {v}", v = crate::cluster::KUBELET_VERSION))),
        "help" | "--help" | "-h" => Ok(Output::out(HELP)),
        other => Err(format!("error: unknown command {other:?} for \"kubectl\"\n\nRun 'help' for the commands kubeplay understands.")),
    };
    world.run_due();
    match result {
        Ok(o) => o,
        Err(e) => Output::err(e),
    }
}

impl Output {
    fn default_ok() -> Output {
        Output {
            ok: true,
            ..Default::default()
        }
    }
}

/// A pod template as `describe` prints it (used by `rollout history --revision`).
pub fn describe_template(t: &k8s_openapi::api::core::v1::PodTemplateSpec) -> String {
    describe::template_text(t)
}

/// The commands, as `help` prints them.
pub const HELP: &str = "kubeplay understands these kubectl commands (the leading `kubectl` is optional):

  get TYPE [NAME...] [-o wide|yaml|json|name|jsonpath=T|go-template=T] [-l SELECTOR] [-n NS | -A] [--show-labels] [--no-headers]
  get TYPE [NAME...] -w       list, then print each change until the cluster settles (--request-timeout, 15m)
  describe TYPE [NAME]
  events [-n NS | -A]
  apply -f FILE|-            create -f FILE|-
  create deployment NAME --image=IMAGE [--replicas=N] [--port=N]
  scale TYPE/NAME --replicas=N
  set image deployment|statefulset|daemonset/NAME CONTAINER=IMAGE...
  patch TYPE NAME -p PATCH [--type=strategic|merge|json]
  run NAME --image=IMAGE [--restart=Never] [--labels=k=v] [--port=N] [--env=K=V] [--command] [-- ARGS...]
  rollout status|history|undo|pause|resume|restart deployment|statefulset|daemonset/NAME [--to-revision=N] [--revision=N]
  delete TYPE NAME... | TYPE/NAME | -l SELECTOR | --all  [--cascade=background|foreground|orphan] [--grace-period=N] [--force]
  label|annotate TYPE NAME KEY=VALUE... KEY- [--overwrite]
  exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]   (sh -c 'SCRIPT', cat, ls, echo, curl…)
  cordon|uncordon NODE
  drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--grace-period=N] [--timeout=D] [--disable-eviction] [--pod-selector=SEL]
  taint node NAME... KEY[=VALUE]:EFFECT | KEY:EFFECT- | KEY-  [--overwrite] [--all] [-l SELECTOR]
  version

Simulation commands:
  sim advance DURATION        run the cluster for 30s, 5m, 1h30m...
  sim step [N]                run the next N scheduled actions
  sim settle [--limit=15m]    run until nothing is left to do
  sim time                    show the simulated clock
  sim why TYPE/NAME           explain why a pod is not running, a controller is waiting or a claim is Pending
  sim node add NAME [--cpu=4] [--memory=16Gi] [--pods=110] [--label=k=v]... [--taint=k=v:Effect]...
  sim node fail NAME          stop the node's kubelet (no heartbeats; its containers freeze)
  sim node recover NAME       start it again
";
