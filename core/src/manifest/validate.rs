//! Validation as the API server does it for the simulated kinds
//! (`pkg/apis/apps/validation`, `pkg/apis/core/validation`). Each error is a field path and an
//! API-style message (`Required value`, `Invalid value: …`, `Unsupported value: …`).

use crate::controllers::deployment::util::value_from_int_or_percent;
use crate::labels::{
    check_dns1123_label, check_dns1123_subdomain, check_key, check_value, Selector,
};
use crate::quantity;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, PodTemplateSpec,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// One validation failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

#[derive(Default)]
struct Errs(Vec<FieldError>);

impl Errs {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            message: message.into(),
        });
    }
    fn required(&mut self, path: &str) {
        self.add(path, "Required value");
    }
    fn invalid(&mut self, path: &str, value: impl std::fmt::Display, why: &str) {
        self.add(path, format!("Invalid value: {value}: {why}"));
    }
}

/// The most replicas a Deployment, ReplicaSet or StatefulSet may ask for here. The API
/// server allows any int32; a playground that simulates every pod stops at a size it can
/// still run at interactive speed (the largest scenario in `BENCHMARKS.md`).
pub const MAX_REPLICAS: i32 = 100_000;

/// `spec.replicas`: not negative (the API server's rule) and within [`MAX_REPLICAS`].
pub fn replicas(path: &str, v: Option<i64>) -> Option<FieldError> {
    let mut e = Errs::default();
    match v {
        Some(v) if v < 0 => e.invalid(path, v, "must be greater than or equal to 0"),
        Some(v) if v > i64::from(MAX_REPLICAS) => e.invalid(
            path,
            v,
            &format!("must be less than or equal to {MAX_REPLICAS} (kubeplay's limit on replicas)"),
        ),
        _ => {}
    }
    e.0.pop()
}

/// Longest allowed annotation total size (256 KiB), as the API server enforces.
const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

/// Object metadata: name (or generateName), labels, annotations.
pub fn metadata(meta: &ObjectMeta, label_name: bool) -> Vec<FieldError> {
    let mut e = Errs::default();
    match meta.name.as_deref() {
        None | Some("") if meta.generate_name.is_none() => e.add(
            "metadata.name",
            "Required value: name or generateName is required",
        ),
        Some(n) if !n.is_empty() => {
            let r = if label_name {
                check_dns1123_label(n)
            } else {
                check_dns1123_subdomain(n)
            };
            if let Err(m) = r {
                e.invalid("metadata.name", format!("{n:?}"), &m);
            }
        }
        _ => {}
    }
    labels(&mut e, "metadata.labels", meta.labels.as_ref());
    let size: usize = meta
        .annotations
        .iter()
        .flatten()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    for k in meta.annotations.iter().flatten().map(|(k, _)| k) {
        if let Err(m) = check_key(k) {
            e.invalid("metadata.annotations", format!("{k:?}"), &m);
        }
    }
    if size > MAX_ANNOTATIONS_BYTES {
        e.add(
            "metadata.annotations",
            format!("Too long: may not be more than {MAX_ANNOTATIONS_BYTES} bytes"),
        );
    }
    e.0
}

fn labels(e: &mut Errs, path: &str, l: Option<&std::collections::BTreeMap<String, String>>) {
    for (k, v) in l.into_iter().flatten() {
        if let Err(m) = check_key(k) {
            e.invalid(path, format!("{k:?}"), &m);
        }
        if let Err(m) = check_value(v) {
            e.invalid(&format!("{path}[{k}]"), format!("{v:?}"), &m);
        }
    }
}

fn selector(
    e: &mut Errs,
    path: &str,
    s: &LabelSelector,
    template: Option<&PodTemplateSpec>,
    kind: &str,
) {
    let empty = s.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && s.match_expressions.as_ref().is_none_or(|m| m.is_empty());
    if empty {
        e.invalid(path, "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}", &format!("empty selector is invalid for {kind}"));
        return;
    }
    labels(e, &format!("{path}.matchLabels"), s.match_labels.as_ref());
    match Selector::from_label_selector(s) {
        Err(m) => e.add(path, m),
        Ok(sel) => {
            let tl = template
                .and_then(|t| t.metadata.as_ref())
                .and_then(|m| m.labels.clone())
                .unwrap_or_default();
            if !sel.matches(&tl) {
                let shown: Vec<String> = tl.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
                e.invalid(
                    "spec.template.metadata.labels",
                    format!("map[string]string{{{}}}", shown.join(", ")),
                    "`selector` does not match template `labels`",
                );
            }
        }
    }
}

fn pod_spec(e: &mut Errs, path: &str, spec: &PodSpec, workload: bool) {
    if spec.containers.is_empty() {
        e.required(&format!("{path}.containers"));
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, c) in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .enumerate()
    {
        let (list, idx) = if i < spec.containers.len() {
            ("containers", i)
        } else {
            ("initContainers", i - spec.containers.len())
        };
        let cp = format!("{path}.{list}[{idx}]");
        if c.name.is_empty() {
            e.required(&format!("{cp}.name"));
        } else if let Err(m) = check_dns1123_label(&c.name) {
            e.invalid(&format!("{cp}.name"), format!("{:?}", c.name), &m);
        } else if !names.insert(c.name.clone()) {
            e.add(
                format!("{cp}.name"),
                format!("Duplicate value: {:?}", c.name),
            );
        }
        match c.image.as_deref() {
            None | Some("") => e.required(&format!("{cp}.image")),
            Some(img) if img.trim() != img => e.invalid(
                &format!("{cp}.image"),
                format!("{img:?}"),
                "must not have leading or trailing whitespace",
            ),
            _ => {}
        }
        for (j, p) in c.ports.iter().flatten().enumerate() {
            if !(1..=65535).contains(&p.container_port) {
                e.invalid(
                    &format!("{cp}.ports[{j}].containerPort"),
                    p.container_port,
                    "must be between 1 and 65535, inclusive",
                );
            }
            if let Some(proto) = p.protocol.as_deref() {
                if !["TCP", "UDP", "SCTP"].contains(&proto) {
                    e.add(format!("{cp}.ports[{j}].protocol"), format!("Unsupported value: {proto:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""));
                }
            }
        }
        if let Some(r) = &c.resources {
            for (which, m) in [("limits", &r.limits), ("requests", &r.requests)] {
                for (name, q) in m.iter().flatten() {
                    let parsed = if name == "cpu" {
                        quantity::cpu_millis(&q.0)
                    } else {
                        quantity::bytes(&q.0)
                    };
                    match parsed {
                        Err(err) => e.invalid(
                            &format!("{cp}.resources.{which}[{name}]"),
                            format!("{:?}", q.0),
                            &err.0,
                        ),
                        Ok(v) if v < 0 => e.invalid(
                            &format!("{cp}.resources.{which}[{name}]"),
                            &q.0,
                            "must be greater than or equal to 0",
                        ),
                        _ => {}
                    }
                }
            }
            if let (Some(req), Some(lim)) = (&r.requests, &r.limits) {
                for (name, q) in req {
                    let (Some(l), true) = (lim.get(name), name == "cpu" || name == "memory") else {
                        continue;
                    };
                    let f = if name == "cpu" {
                        quantity::cpu_millis
                    } else {
                        quantity::bytes
                    };
                    if let (Ok(a), Ok(b)) = (f(&q.0), f(&l.0)) {
                        if a > b {
                            e.invalid(
                                &format!("{cp}.resources.requests"),
                                &q.0,
                                &format!("must be less than or equal to {name} limit of {}", l.0),
                            );
                        }
                    }
                }
            }
        }
        if let Some(pp) = c.image_pull_policy.as_deref() {
            if !["Always", "IfNotPresent", "Never"].contains(&pp) {
                e.add(format!("{cp}.imagePullPolicy"), format!("Unsupported value: {pp:?}: supported values: \"Always\", \"IfNotPresent\", \"Never\""));
            }
        }
    }
    if let Some(rp) = spec.restart_policy.as_deref() {
        if workload && rp != "Always" {
            e.add(
                format!("{path}.restartPolicy"),
                format!("Unsupported value: {rp:?}: supported values: \"Always\""),
            );
        } else if !["Always", "OnFailure", "Never"].contains(&rp) {
            e.add(format!("{path}.restartPolicy"), format!("Unsupported value: {rp:?}: supported values: \"Always\", \"OnFailure\", \"Never\""));
        }
    }
    if let Some(g) = spec.termination_grace_period_seconds {
        if g < 0 {
            e.invalid(
                &format!("{path}.terminationGracePeriodSeconds"),
                g,
                "must be greater than or equal to 0",
            );
        }
    }
    for (i, t) in spec.tolerations.iter().flatten().enumerate() {
        if let Some(op) = t.operator.as_deref() {
            if op != "Exists" && op != "Equal" {
                e.add(
                    format!("{path}.tolerations[{i}].operator"),
                    format!("Unsupported value: {op:?}: supported values: \"Equal\", \"Exists\""),
                );
            }
            if op == "Exists" && t.value.as_deref().is_some_and(|v| !v.is_empty()) {
                e.invalid(
                    &format!("{path}.tolerations[{i}].operator"),
                    format!("{:?}", t.value.clone().unwrap_or_default()),
                    "value must be empty when `operator` is 'Exists'",
                );
            }
        }
        if let Some(eff) = t.effect.as_deref() {
            if !["", "NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&eff) {
                e.add(format!("{path}.tolerations[{i}].effect"), format!("Unsupported value: {eff:?}: supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""));
            }
        }
    }
    labels(
        e,
        &format!("{path}.nodeSelector"),
        spec.node_selector.as_ref(),
    );
    scheduling_rules(e, path, spec);
}

/// Topology spread constraints and pod (anti-)affinity terms (`validateTopologySpreadConstraints`,
/// `validatePodAffinityTerm`, `validateWeightedPodAffinityTerms`).
fn scheduling_rules(e: &mut Errs, path: &str, spec: &PodSpec) {
    for (i, c) in spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .enumerate()
    {
        let cp = format!("{path}.topologySpreadConstraints[{i}]");
        if c.max_skew <= 0 {
            e.invalid(
                &format!("{cp}.maxSkew"),
                c.max_skew,
                "must be greater than zero",
            );
        }
        if c.topology_key.is_empty() {
            e.add(
                format!("{cp}.topologyKey"),
                "Required value: can not be empty",
            );
        }
        if !["DoNotSchedule", "ScheduleAnyway"].contains(&c.when_unsatisfiable.as_str()) {
            e.add(
                format!("{cp}.whenUnsatisfiable"),
                format!("Unsupported value: {:?}: supported values: \"DoNotSchedule\", \"ScheduleAnyway\"", c.when_unsatisfiable),
            );
        }
        if let Some(m) = c.min_domains.filter(|m| *m <= 0) {
            e.invalid(&format!("{cp}.minDomains"), m, "must be greater than zero");
        }
        if let Some(ls) = &c.label_selector {
            if let Err(m) = Selector::from_label_selector(ls) {
                e.add(format!("{cp}.labelSelector"), m);
            }
        }
    }
    let affinity = spec.affinity.as_ref();
    let rules = [
        (
            "podAffinity",
            affinity.and_then(|a| a.pod_affinity.as_ref()).map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            affinity
                .and_then(|a| a.pod_anti_affinity.as_ref())
                .map(|a| {
                    (
                        &a.required_during_scheduling_ignored_during_execution,
                        &a.preferred_during_scheduling_ignored_during_execution,
                    )
                }),
        ),
    ];
    for (name, rule) in rules {
        let Some((required, preferred)) = rule else {
            continue;
        };
        let ap = format!("{path}.affinity.{name}");
        let term = |e: &mut Errs, tp: String, t: &k8s_openapi::api::core::v1::PodAffinityTerm| {
            if t.topology_key.is_empty() {
                e.add(
                    format!("{tp}.topologyKey"),
                    "Required value: can not be empty",
                );
            }
            if let Some(Err(m)) = t.label_selector.as_ref().map(Selector::from_label_selector) {
                e.add(format!("{tp}.labelSelector"), m);
            }
        };
        for (i, t) in required.iter().flatten().enumerate() {
            term(
                e,
                format!("{ap}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"),
                t,
            );
        }
        for (i, w) in preferred.iter().flatten().enumerate() {
            let wp = format!("{ap}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            if !(1..=100).contains(&w.weight) {
                e.invalid(
                    &format!("{wp}.weight"),
                    w.weight,
                    "must be in the range 1-100",
                );
            }
            term(e, format!("{wp}.podAffinityTerm"), &w.pod_affinity_term);
        }
    }
    let preferred_nodes = affinity
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| {
            n.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        });
    for (i, w) in preferred_nodes.into_iter().flatten().enumerate() {
        if !(1..=100).contains(&w.weight) {
            e.invalid(
                &format!("{path}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}].weight"),
                w.weight,
                "must be in the range 1-100",
            );
        }
    }
}

fn template(e: &mut Errs, t: Option<&PodTemplateSpec>) {
    let Some(t) = t else {
        e.required("spec.template");
        return;
    };
    if let Some(m) = &t.metadata {
        labels(e, "spec.template.metadata.labels", m.labels.as_ref());
    }
    match &t.spec {
        Some(spec) => pod_spec(e, "spec.template.spec", spec, true),
        None => e.required("spec.template.spec.containers"),
    }
}

fn non_negative(e: &mut Errs, path: &str, v: Option<i32>) {
    if let Some(v) = v.filter(|v| *v < 0) {
        e.invalid(path, v, "must be greater than or equal to 0");
    }
}

fn int_or_percent(e: &mut Errs, path: &str, v: Option<&IntOrString>) -> Option<i32> {
    let v = v?;
    match v {
        IntOrString::Int(i) if *i < 0 => {
            e.invalid(path, i, "must be greater than or equal to 0");
            None
        }
        IntOrString::String(s) => match value_from_int_or_percent(v, 100, false) {
            Err(_) => {
                e.invalid(path, format!("{s:?}"), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
                None
            }
            Ok(p) if p > 100 => {
                e.invalid(path, format!("{s:?}"), "must not be greater than 100%");
                None
            }
            Ok(p) => Some(p),
        },
        IntOrString::Int(i) => Some(*i),
    }
}

pub fn deployment(d: &Deployment) -> Vec<FieldError> {
    let mut e = Errs(metadata(&d.metadata, false));
    let Some(spec) = Some(&d.spec) else {
        e.required("spec");
        return e.0;
    };
    e.0.extend(replicas("spec.replicas", spec.replicas.map(i64::from)));
    non_negative(&mut e, "spec.minReadySeconds", spec.min_ready_seconds);
    non_negative(
        &mut e,
        "spec.revisionHistoryLimit",
        spec.revision_history_limit,
    );
    selector(
        &mut e,
        "spec.selector",
        &spec.selector,
        Some(&spec.template),
        "deployment",
    );
    template(&mut e, Some(&spec.template));
    if let Some(p) = spec.progress_deadline_seconds {
        non_negative(&mut e, "spec.progressDeadlineSeconds", Some(p));
        if p <= spec.min_ready_seconds.unwrap_or(0) {
            e.invalid(
                "spec.progressDeadlineSeconds",
                p,
                "must be greater than minReadySeconds",
            );
        }
    }
    if let Some(st) = &spec.strategy {
        match st.type_.as_deref() {
            Some("Recreate") if st.rolling_update.is_some() => e.add("spec.strategy.rollingUpdate", "Forbidden: may not be specified when strategy `type` is 'Recreate'"),
            Some("RollingUpdate") | Some("Recreate") | None => {}
            Some(other) => e.add("spec.strategy.type", format!("Unsupported value: {other:?}: supported values: \"Recreate\", \"RollingUpdate\"")),
        }
        if let Some(ru) = &st.rolling_update {
            let surge = int_or_percent(
                &mut e,
                "spec.strategy.rollingUpdate.maxSurge",
                ru.max_surge.as_ref(),
            );
            let unav = int_or_percent(
                &mut e,
                "spec.strategy.rollingUpdate.maxUnavailable",
                ru.max_unavailable.as_ref(),
            );
            if surge == Some(0) && unav == Some(0) {
                e.invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    0,
                    "may not be 0 when `maxSurge` is 0",
                );
            }
        }
    }
    if spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .is_some_and(|r| r != "Always")
    {
        // Reported by pod_spec already.
    }
    e.0
}

pub fn replica_set(rs: &ReplicaSet) -> Vec<FieldError> {
    let mut e = Errs(metadata(&rs.metadata, false));
    let Some(spec) = Some(&rs.spec) else {
        e.required("spec");
        return e.0;
    };
    e.0.extend(replicas("spec.replicas", spec.replicas.map(i64::from)));
    non_negative(&mut e, "spec.minReadySeconds", spec.min_ready_seconds);
    selector(
        &mut e,
        "spec.selector",
        &spec.selector,
        spec.template.as_ref(),
        "replicaset",
    );
    template(&mut e, spec.template.as_ref());
    e.0
}

pub fn pod(p: &Pod) -> Vec<FieldError> {
    let mut e = Errs(metadata(&p.metadata, false));
    match &p.spec {
        Some(spec) => pod_spec(&mut e, "spec", spec, false),
        None => e.required("spec.containers"),
    }
    e.0
}

/// Fields that may not change on update.
pub fn deployment_update(old: &Deployment, new: &Deployment) -> Vec<FieldError> {
    let (a, b) = (
        Some(&old.spec).map(|s| &s.selector),
        Some(&new.spec).map(|s| &s.selector),
    );
    if a != b {
        let shown = b
            .map(|s| {
                Selector::from_label_selector(s)
                    .map(|x| x.to_string())
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        return vec![FieldError {
            path: "spec.selector".into(),
            message: format!("Invalid value: v1.LabelSelector{{{shown}}}: field is immutable"),
        }];
    }
    Vec::new()
}

pub fn replica_set_update(old: &ReplicaSet, new: &ReplicaSet) -> Vec<FieldError> {
    let (a, b) = (
        Some(&old.spec).map(|s| &s.selector),
        Some(&new.spec).map(|s| &s.selector),
    );
    if a != b {
        return vec![FieldError {
            path: "spec.selector".into(),
            message: "Invalid value: field is immutable".into(),
        }];
    }
    Vec::new()
}

/// Pods are mostly immutable: only images, activeDeadlineSeconds, tolerations (additions) and
/// metadata may change.
pub fn pod_update(old: &Pod, new: &Pod) -> Vec<FieldError> {
    let strip = |p: &Pod| {
        let mut s = p.spec.clone().unwrap_or_default();
        for c in s.containers.iter_mut() {
            c.image = None;
        }
        s.node_name = None;
        s.tolerations = None;
        s.active_deadline_seconds = None;
        s
    };
    if strip(old) != strip(new) {
        return vec![FieldError {
            path: "spec".into(),
            message: "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
        }];
    }
    Vec::new()
}

/// `ValidateStatefulSet` (`pkg/apis/apps/validation`), with the claim templates checked as
/// claims so that a bad template is refused here rather than failing every claim creation later.
pub fn stateful_set(set: &StatefulSet) -> Vec<FieldError> {
    let mut e = Errs(metadata(&set.metadata, false));
    let spec = &set.spec;
    match spec.pod_management_policy.as_deref() {
        None | Some("") => e.required("spec.podManagementPolicy"),
        Some("OrderedReady") | Some("Parallel") => {}
        Some(p) => e.invalid(
            "spec.podManagementPolicy",
            format!("{p:?}"),
            "must be 'OrderedReady' or 'Parallel'",
        ),
    }
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    match strategy.type_.as_deref() {
        None | Some("") => e.required("spec.updateStrategy"),
        Some("OnDelete") => {
            if strategy.rolling_update.is_some() {
                e.add(
                    "spec.updateStrategy.rollingUpdate",
                    "Invalid value: only allowed for updateStrategy 'RollingUpdate'",
                );
            }
        }
        Some("RollingUpdate") => {
            if let Some(ru) = &strategy.rolling_update {
                non_negative(
                    &mut e,
                    "spec.updateStrategy.rollingUpdate.partition",
                    ru.partition,
                );
                let path = "spec.updateStrategy.rollingUpdate.maxUnavailable";
                if let Some(v) = int_or_percent(&mut e, path, ru.max_unavailable.as_ref()) {
                    if v == 0 {
                        let shown = match &ru.max_unavailable {
                            Some(IntOrString::String(s)) => format!("{s:?}"),
                            _ => "0".into(),
                        };
                        e.invalid(path, shown, "must be greater than 0");
                    }
                }
            }
        }
        Some(other) => e.add(
            "spec.updateStrategy.type",
            format!(
                "Unsupported value: {other:?}: supported values: \"OnDelete\", \"RollingUpdate\""
            ),
        ),
    }
    e.0.extend(replicas("spec.replicas", spec.replicas.map(i64::from)));
    non_negative(&mut e, "spec.minReadySeconds", spec.min_ready_seconds);
    non_negative(
        &mut e,
        "spec.revisionHistoryLimit",
        spec.revision_history_limit,
    );
    if let Some(o) = &spec.ordinals {
        non_negative(&mut e, "spec.ordinals.start", o.start);
    }
    if let Some(p) = &spec.persistent_volume_claim_retention_policy {
        for (field, v) in [
            ("whenDeleted", &p.when_deleted),
            ("whenScaled", &p.when_scaled),
        ] {
            if let Some(v) = v.as_deref().filter(|v| *v != "Retain" && *v != "Delete") {
                e.add(
                    format!("spec.persistentVolumeClaimRetentionPolicy.{field}"),
                    format!("Unsupported value: {v:?}: supported values: \"Retain\", \"Delete\""),
                );
            }
        }
    }
    if let Some(name) = spec.service_name.as_deref().filter(|n| !n.is_empty()) {
        if let Err(m) = check_dns1123_label(name) {
            e.invalid("spec.serviceName", format!("{name:?}"), &m);
        }
    }
    selector(
        &mut e,
        "spec.selector",
        &spec.selector,
        Some(&spec.template),
        "statefulset",
    );
    template(&mut e, Some(&spec.template));
    if let Some(d) = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.active_deadline_seconds)
    {
        e.invalid(
            "spec.template.spec.activeDeadlineSeconds",
            d,
            "must not be specified",
        );
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, c) in spec.volume_claim_templates.iter().flatten().enumerate() {
        let path = format!("spec.volumeClaimTemplates[{i}]");
        match c.metadata.name.as_deref() {
            None | Some("") => e.required(&format!("{path}.metadata.name")),
            Some(n) => {
                if let Err(m) = check_dns1123_label(n) {
                    e.invalid(&format!("{path}.metadata.name"), format!("{n:?}"), &m);
                } else if !names.insert(n.to_string()) {
                    e.add(
                        format!("{path}.metadata.name"),
                        format!("Duplicate value: {n:?}"),
                    );
                }
            }
        }
        let claim_spec = c.spec.clone().unwrap_or_default();
        access_modes(
            &mut e,
            &format!("{path}.spec.accessModes"),
            claim_spec.access_modes.as_ref(),
        );
        let request = claim_spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"));
        storage_quantity(
            &mut e,
            &format!("{path}.spec.resources[storage]"),
            &format!("{path}.spec.resources.requests[storage]"),
            request,
        );
        volume_mode(
            &mut e,
            &format!("{path}.spec.volumeMode"),
            claim_spec.volume_mode.as_ref(),
        );
    }
    e.0
}

/// `ValidateStatefulSetUpdate`: only some spec fields may change.
pub fn stateful_set_update(old: &StatefulSet, new: &StatefulSet) -> Vec<FieldError> {
    let strip = |s: &StatefulSet| {
        let mut spec = s.spec.clone();
        spec.replicas = None;
        spec.ordinals = None;
        spec.template = Default::default();
        spec.update_strategy = None;
        spec.revision_history_limit = None;
        spec.persistent_volume_claim_retention_policy = None;
        spec.min_ready_seconds = None;
        spec
    };
    if strip(old) != strip(new) {
        return vec![FieldError {
            path: "spec".into(),
            message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden".into(),
        }];
    }
    Vec::new()
}

/// `%#v` of an `intstr.IntOrString`, as the API server prints an invalid one.
fn int_or_string_go(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => format!("intstr.IntOrString{{Type:0, IntVal:{i}, StrVal:\"\"}}"),
        IntOrString::String(s) => {
            format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{s:?}}}")
        }
    }
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent`.
fn budget_value(e: &mut Errs, path: &str, v: &IntOrString) {
    match v {
        IntOrString::Int(i) if *i < 0 => e.invalid(path, i, "must be greater than or equal to 0"),
        IntOrString::Int(_) => {}
        IntOrString::String(s) => {
            let percent = s
                .strip_suffix('%')
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            match percent {
                None => e.invalid(
                    path,
                    int_or_string_go(v),
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                ),
                Some(n) if n.parse::<u64>().map_or(true, |n| n > 100) => {
                    e.invalid(path, int_or_string_go(v), "must not be greater than 100%")
                }
                Some(_) => {}
            }
        }
    }
}

/// `ValidatePodDisruptionBudget` (policy/v1): at most one of minAvailable and maxUnavailable,
/// each a non-negative integer or a percentage up to 100%, a valid selector, a supported
/// unhealthy-pod eviction policy.
pub fn pod_disruption_budget(b: &PodDisruptionBudget) -> Vec<FieldError> {
    let mut e = Errs(metadata(&b.metadata, false));
    let spec = b.spec.clone().unwrap_or_default();
    if let (Some(min), Some(max)) = (&spec.min_available, &spec.max_unavailable) {
        let show = |v: &IntOrString| match v {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => format!("{s:?}"),
        };
        e.invalid(
            "spec",
            format!(
                "policy.PodDisruptionBudgetSpec{{MinAvailable:{}, MaxUnavailable:{}}}",
                show(min),
                show(max)
            ),
            "minAvailable and maxUnavailable cannot be both set",
        );
    }
    if let Some(v) = &spec.min_available {
        budget_value(&mut e, "spec.minAvailable", v);
    }
    if let Some(v) = &spec.max_unavailable {
        budget_value(&mut e, "spec.maxUnavailable", v);
    }
    if let Some(sel) = &spec.selector {
        labels(
            &mut e,
            "spec.selector.matchLabels",
            sel.match_labels.as_ref(),
        );
        if let Err(m) = Selector::from_label_selector(sel) {
            e.add("spec.selector", m);
        }
    }
    if let Some(p) = spec
        .unhealthy_pod_eviction_policy
        .as_deref()
        .filter(|p| !["AlwaysAllow", "IfHealthyBudget"].contains(p))
    {
        e.add(
            "spec.unhealthyPodEvictionPolicy",
            format!(
                "Unsupported value: {p:?}: supported values: \"AlwaysAllow\", \"IfHealthyBudget\""
            ),
        );
    }
    e.0
}

/// `ValidateDaemonSet` / `ValidateDaemonSetSpec`.
pub fn daemon_set(ds: &DaemonSet) -> Vec<FieldError> {
    let mut e = Errs(metadata(&ds.metadata, false));
    let spec = &ds.spec;
    selector(
        &mut e,
        "spec.selector",
        &spec.selector,
        Some(&spec.template),
        "daemonset",
    );
    template(&mut e, Some(&spec.template));
    if spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.active_deadline_seconds)
        .is_some()
    {
        e.add(
            "spec.template.spec.activeDeadlineSeconds",
            "Forbidden: activeDeadlineSeconds in DaemonSet is not Supported",
        );
    }
    non_negative(&mut e, "spec.minReadySeconds", spec.min_ready_seconds);
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    match strategy.type_.as_deref() {
        Some("OnDelete") => {}
        Some("RollingUpdate") => match &strategy.rolling_update {
            None => e.required("spec.updateStrategy.rollingUpdate"),
            Some(ru) => {
                let base = "spec.updateStrategy.rollingUpdate";
                let unav = int_or_percent(
                    &mut e,
                    &format!("{base}.maxUnavailable"),
                    ru.max_unavailable.as_ref(),
                );
                let surge =
                    int_or_percent(&mut e, &format!("{base}.maxSurge"), ru.max_surge.as_ref());
                let has_unavailable = unav.unwrap_or(0) != 0;
                let has_surge = surge.unwrap_or(0) != 0;
                if has_unavailable && has_surge {
                    let shown = match &ru.max_surge {
                        Some(IntOrString::String(s)) => format!("{s:?}"),
                        Some(IntOrString::Int(i)) => i.to_string(),
                        None => "0".into(),
                    };
                    e.invalid(
                        &format!("{base}.maxSurge"),
                        shown,
                        "may not be set when maxUnavailable is non-zero",
                    );
                } else if !has_unavailable && !has_surge {
                    e.add(
                        format!("{base}.maxUnavailable"),
                        "Required value: cannot be 0 when maxSurge is 0",
                    );
                }
            }
        },
        other => {
            let shown = other
                .map(|t| format!("{t:?}"))
                .unwrap_or_else(|| "\"\"".into());
            e.add(
                "spec.updateStrategy",
                format!(
                    "Unsupported value: {shown}: supported values: \"RollingUpdate\", \"OnDelete\""
                ),
            );
        }
    }
    non_negative(
        &mut e,
        "spec.revisionHistoryLimit",
        spec.revision_history_limit,
    );
    e.0
}

/// `ValidateDaemonSetUpdate`: the selector may not change.
pub fn daemon_set_update(old: &DaemonSet, new: &DaemonSet) -> Vec<FieldError> {
    if old.spec.selector != new.spec.selector {
        let shown = Selector::from_label_selector(&new.spec.selector)
            .map(|x| x.to_string())
            .unwrap_or_default();
        return vec![FieldError {
            path: "spec.selector".into(),
            message: format!("Invalid value: v1.LabelSelector{{{shown}}}: field is immutable"),
        }];
    }
    Vec::new()
}

/// `ValidateControllerRevision`.
pub fn controller_revision(r: &ControllerRevision) -> Vec<FieldError> {
    let mut e = Errs(metadata(&r.metadata, false));
    if r.data.0.is_null() {
        e.add("data", "Required value: data is mandatory");
    }
    if let Some(v) = r.revision.filter(|v| *v < 0) {
        e.invalid("revision", v, "must be greater than or equal to 0");
    }
    e.0
}

/// `ValidateControllerRevisionUpdate`: the data may not change.
pub fn controller_revision_update(
    old: &ControllerRevision,
    new: &ControllerRevision,
) -> Vec<FieldError> {
    if old.data != new.data {
        return vec![FieldError {
            path: "data".into(),
            message: "Invalid value: field is immutable".into(),
        }];
    }
    Vec::new()
}

const ACCESS_MODES: [&str; 4] = [
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// `ValidatePersistentVolumeClaimSpec`/`ValidatePersistentVolumeSpec` access modes.
fn access_modes(e: &mut Errs, path: &str, modes: Option<&Vec<String>>) {
    let modes = modes.cloned().unwrap_or_default();
    if modes.is_empty() {
        e.add(path, "Required value: at least 1 access mode is required");
        return;
    }
    for m in &modes {
        if !ACCESS_MODES.contains(&m.as_str()) {
            e.add(
                path,
                format!("Unsupported value: {m:?}: supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""),
            );
        }
    }
    if modes.len() > 1 && modes.iter().any(|m| m == "ReadWriteOncePod") {
        e.add(
            path,
            "Forbidden: may not use ReadWriteOncePod with other access modes",
        );
    }
}

/// A storage quantity: required, valid, positive.
fn storage_quantity(
    e: &mut Errs,
    required_path: &str,
    path: &str,
    q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
) {
    match q {
        None => e.required(required_path),
        Some(q) => match quantity::bytes(&q.0) {
            Err(err) => e.invalid(path, format!("{:?}", q.0), &err.0),
            Ok(v) if v <= 0 => e.invalid(path, format!("{:?}", q.0), "must be greater than zero"),
            _ => {}
        },
    }
}

fn volume_mode(e: &mut Errs, path: &str, m: Option<&String>) {
    if let Some(m) = m {
        if m != "Filesystem" && m != "Block" {
            e.add(
                path,
                format!("Unsupported value: {m:?}: supported values: \"Block\", \"Filesystem\""),
            );
        }
    }
}

pub fn persistent_volume_claim(c: &PersistentVolumeClaim) -> Vec<FieldError> {
    let mut e = Errs(metadata(&c.metadata, false));
    let spec = c.spec.clone().unwrap_or_default();
    access_modes(&mut e, "spec.accessModes", spec.access_modes.as_ref());
    if let Some(sel) = &spec.selector {
        if let Err(m) = Selector::from_label_selector(sel) {
            e.add("spec.selector", m);
        }
    }
    let request = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"));
    storage_quantity(
        &mut e,
        "spec.resources[storage]",
        "spec.resources.requests[storage]",
        request,
    );
    volume_mode(&mut e, "spec.volumeMode", spec.volume_mode.as_ref());
    if let Some(class) = spec.storage_class_name.as_deref().filter(|c| !c.is_empty()) {
        if let Err(m) = check_dns1123_subdomain(class) {
            e.invalid("spec.storageClassName", format!("{class:?}"), &m);
        }
    }
    e.0
}

/// `ValidatePersistentVolumeClaimUpdate`: the spec is fixed at creation, except that a bound
/// claim may ask for more storage.
pub fn persistent_volume_claim_update(
    old: &PersistentVolumeClaim,
    new: &PersistentVolumeClaim,
) -> Vec<FieldError> {
    let mut e = Errs::default();
    let bound = old.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    let request = |c: &PersistentVolumeClaim| {
        c.spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .cloned()
    };
    let mut a = old.spec.clone().unwrap_or_default();
    let mut b = new.spec.clone().unwrap_or_default();
    if bound {
        a.resources = None;
        b.resources = None;
    }
    // The class may be set once on a claim created without one (legacy annotation path).
    if a.storage_class_name.is_none() {
        b.storage_class_name = None;
    }
    if a != b {
        e.add("spec", "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims");
    } else if bound {
        let size = |q: Option<k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
            q.and_then(|q| quantity::bytes(&q.0).ok()).unwrap_or(0)
        };
        if size(request(new)) < size(request(old)) {
            e.add(
                "spec.resources.requests.storage",
                "Forbidden: field can not be less than previous value",
            );
        }
    }
    e.0
}

pub fn persistent_volume(v: &PersistentVolume) -> Vec<FieldError> {
    let mut e = Errs(metadata(&v.metadata, false));
    let spec = v.spec.clone().unwrap_or_default();
    access_modes(&mut e, "spec.accessModes", spec.access_modes.as_ref());
    match spec.capacity.as_ref() {
        None => e.required("spec.capacity"),
        Some(c) => storage_quantity(
            &mut e,
            "spec.capacity[storage]",
            "spec.capacity[storage]",
            c.get("storage"),
        ),
    }
    if let Some(p) = spec.persistent_volume_reclaim_policy.as_deref() {
        if !["Delete", "Recycle", "Retain"].contains(&p) {
            e.add(
                "spec.persistentVolumeReclaimPolicy",
                format!("Unsupported value: {p:?}: supported values: \"Delete\", \"Recycle\", \"Retain\""),
            );
        }
    }
    volume_mode(&mut e, "spec.volumeMode", spec.volume_mode.as_ref());
    e.0
}

/// `ValidatePersistentVolumeUpdate`: the volume mode is fixed.
pub fn persistent_volume_update(old: &PersistentVolume, new: &PersistentVolume) -> Vec<FieldError> {
    let mode = |v: &PersistentVolume| v.spec.as_ref().and_then(|s| s.volume_mode.clone());
    if mode(old) != mode(new) {
        return vec![FieldError {
            path: "spec.volumeMode".into(),
            message: format!(
                "Invalid value: {:?}: field is immutable",
                mode(new).unwrap_or_default()
            ),
        }];
    }
    Vec::new()
}

pub fn storage_class(c: &StorageClass) -> Vec<FieldError> {
    let mut e = Errs(metadata(&c.metadata, false));
    if c.provisioner.is_empty() {
        e.required("provisioner");
    } else if let Err(m) = check_key(&c.provisioner.to_lowercase()) {
        e.invalid("provisioner", format!("{:?}", c.provisioner), &m);
    }
    if let Some(p) = c.reclaim_policy.as_deref() {
        if p != "Delete" && p != "Retain" {
            e.add(
                "reclaimPolicy",
                format!("Unsupported value: {p:?}: supported values: \"Delete\", \"Retain\""),
            );
        }
    }
    if let Some(m) = c.volume_binding_mode.as_deref() {
        if m != "Immediate" && m != "WaitForFirstConsumer" {
            e.add(
                "volumeBindingMode",
                format!("Unsupported value: {m:?}: supported values: \"Immediate\", \"WaitForFirstConsumer\""),
            );
        }
    }
    e.0
}

/// `ValidateStorageClassUpdate`: parameters, provisioner, reclaim policy and binding mode are fixed.
pub fn storage_class_update(old: &StorageClass, new: &StorageClass) -> Vec<FieldError> {
    let mut e = Errs::default();
    if old.parameters != new.parameters {
        e.add(
            "parameters",
            "Forbidden: updates to parameters are forbidden.",
        );
    }
    if old.provisioner != new.provisioner {
        e.add(
            "provisioner",
            "Forbidden: updates to provisioner are forbidden.",
        );
    }
    if old.reclaim_policy != new.reclaim_policy {
        e.add(
            "reclaimPolicy",
            "Forbidden: updates to reclaimPolicy are forbidden.",
        );
    }
    if old.volume_binding_mode != new.volume_binding_mode {
        e.invalid(
            "volumeBindingMode",
            format!("{:?}", new.volume_binding_mode.clone().unwrap_or_default()),
            "field is immutable",
        );
    }
    e.0
}

/// `IsDNS1035Label`: what a Service name must be.
fn check_dns1035_label(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    if b.len() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if !ok {
        return Err("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".into());
    }
    Ok(())
}

/// `IsValidPortName`: an IANA service name.
fn check_port_name(s: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.len() > 15 {
        out.push("must be no more than 15 characters");
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        out.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        out.push("must contain at least one letter (a-z)");
    }
    if s.contains("--") {
        out.push("must not contain consecutive hyphens");
    }
    if s.starts_with('-') || s.ends_with('-') {
        out.push("must not begin or end with a hyphen");
    }
    out
}

const PORT_RANGE: &str = "must be between 1 and 65535, inclusive";
const VALID_IP: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

fn go_strings(v: &[String]) -> String {
    let q: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
    format!("[]string{{{}}}", q.join(", "))
}

/// Go's `%#v` of a `core.ServicePort`, as the API server prints a duplicate one.
fn go_service_port(p: &k8s_openapi::api::core::v1::ServicePort) -> String {
    let target = match &p.target_port {
        Some(IntOrString::Int(n)) => {
            format!("intstr.IntOrString{{Type:0, IntVal:{n}, StrVal:\"\"}}")
        }
        Some(IntOrString::String(s)) => {
            format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{s:?}}}")
        }
        None => "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}".into(),
    };
    format!(
        "core.ServicePort{{Name:{:?}, Protocol:{:?}, AppProtocol:(*string)(nil), Port:{}, TargetPort:{target}, NodePort:{}}}",
        p.name.clone().unwrap_or_default(),
        p.protocol.clone().unwrap_or_default(),
        p.port,
        p.node_port.unwrap_or(0)
    )
}

/// `ValidateService` (`pkg/apis/core/validation/validation.go`), after defaulting.
pub fn service(s: &k8s_openapi::api::core::v1::Service) -> Vec<FieldError> {
    let mut e = Errs(metadata(&s.metadata, false));
    e.0.retain(|x| x.path != "metadata.name");
    if let Some(n) = s.metadata.name.as_deref().filter(|n| !n.is_empty()) {
        if let Err(m) = check_dns1035_label(n) {
            e.invalid("metadata.name", format!("{n:?}"), &m);
        }
    } else if s.metadata.generate_name.is_none() {
        e.add(
            "metadata.name",
            "Required value: name or generateName is required",
        );
    }
    let spec = s.spec.clone().unwrap_or_default();
    let t = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    if !["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"].contains(&t.as_str()) {
        e.add("spec.type", format!("Unsupported value: {t:?}: supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
    }
    let cluster_ip = spec.cluster_ip.clone().unwrap_or_default();
    let headless = cluster_ip == "None";
    let ports = spec.ports.clone().unwrap_or_default();
    if t == "ExternalName" {
        match spec.external_name.as_deref() {
            None | Some("") => e.required("spec.externalName"),
            Some(n) => {
                if let Err(m) = check_dns1123_subdomain(n.trim_end_matches('.')) {
                    e.invalid("spec.externalName", format!("{n:?}"), &m);
                }
            }
        }
        if !cluster_ip.is_empty() {
            e.add(
                "spec.clusterIPs",
                "Invalid value: \"ExternalName\": may not be set for ExternalName services",
            );
        }
    } else if ports.is_empty() && !headless {
        e.required("spec.ports");
    }
    if headless && (t == "NodePort" || t == "LoadBalancer") {
        e.invalid(
            "spec.clusterIPs[0]",
            "\"None\"",
            &format!("may not be set to 'None' for {t} services"),
        );
    }
    if !cluster_ip.is_empty() && !headless && cluster_ip.parse::<std::net::IpAddr>().is_err() {
        e.invalid("spec.clusterIPs[0]", format!("{cluster_ip:?}"), VALID_IP);
    }
    if let (Some(ips), false) = (spec.cluster_ips.as_ref(), cluster_ip.is_empty()) {
        if ips.first() != Some(&cluster_ip) {
            e.invalid(
                "spec.clusterIPs",
                go_strings(ips),
                "first value must match `clusterIP`",
            );
        }
    }
    let mut names = std::collections::BTreeSet::new();
    let mut seen: Vec<(i32, String)> = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let path = format!("spec.ports[{i}]");
        let name = p.name.clone().unwrap_or_default();
        if name.is_empty() {
            if ports.len() > 1 {
                e.required(&format!("{path}.name"));
            }
        } else {
            if let Err(m) = check_dns1123_label(&name) {
                e.invalid(&format!("{path}.name"), format!("{name:?}"), &m);
            }
            if !names.insert(name.clone()) {
                e.add(format!("{path}.name"), format!("Duplicate value: {name:?}"));
            }
        }
        if !(1..=65535).contains(&p.port) {
            e.invalid(&format!("{path}.port"), p.port, PORT_RANGE);
        }
        let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        if !["SCTP", "TCP", "UDP"].contains(&proto.as_str()) {
            e.add(
                format!("{path}.protocol"),
                format!(
                    "Unsupported value: {proto:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""
                ),
            );
        }
        match &p.target_port {
            Some(IntOrString::Int(n)) if !(1..=65535).contains(n) => {
                e.invalid(&format!("{path}.targetPort"), n, PORT_RANGE)
            }
            Some(IntOrString::String(v)) => {
                for m in check_port_name(v) {
                    e.invalid(&format!("{path}.targetPort"), format!("{v:?}"), m);
                }
            }
            _ => {}
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if t == "ClusterIP" || t == "ExternalName" {
                e.add(
                    format!("{path}.nodePort"),
                    format!("Forbidden: may not be used when `type` is '{t}'"),
                );
            } else if !(1..=65535).contains(&np) {
                e.invalid(&format!("{path}.nodePort"), np, PORT_RANGE);
            }
        }
        if seen.contains(&(p.port, proto.clone())) {
            e.add(
                path.clone(),
                format!("Duplicate value: {}", go_service_port(p)),
            );
        }
        seen.push((p.port, proto));
    }
    if let Some(sel) = &spec.selector {
        for (k, v) in sel {
            if let Err(m) = check_key(k) {
                e.invalid("spec.selector", format!("{k:?}"), &m);
            }
            if let Err(m) = check_value(v) {
                e.invalid("spec.selector", format!("{v:?}"), &m);
            }
        }
    }
    if let Some(a) = spec.session_affinity.as_deref() {
        if a != "ClientIP" && a != "None" {
            e.add(
                "spec.sessionAffinity",
                format!("Unsupported value: {a:?}: supported values: \"ClientIP\", \"None\""),
            );
        }
    }
    for (path, v) in [
        (
            "spec.internalTrafficPolicy",
            spec.internal_traffic_policy.as_deref(),
        ),
        (
            "spec.externalTrafficPolicy",
            spec.external_traffic_policy.as_deref(),
        ),
    ] {
        if let Some(v) = v {
            if v != "Cluster" && v != "Local" {
                e.add(
                    path,
                    format!("Unsupported value: {v:?}: supported values: \"Cluster\", \"Local\""),
                );
            }
        }
    }
    e.0
}

/// `ValidateServiceUpdate`: the ClusterIP is fixed once allocated (unless the Service is or
/// becomes ExternalName, or stays headless).
pub fn service_update(
    old: &k8s_openapi::api::core::v1::Service,
    new: &k8s_openapi::api::core::v1::Service,
) -> Vec<FieldError> {
    let mut e = Errs::default();
    let ty = |s: &k8s_openapi::api::core::v1::Service| {
        s.spec
            .as_ref()
            .and_then(|s| s.type_.clone())
            .unwrap_or_default()
    };
    if ty(old) == "ExternalName" || ty(new) == "ExternalName" {
        return e.0;
    }
    let ips = |s: &k8s_openapi::api::core::v1::Service| {
        s.spec
            .as_ref()
            .and_then(|s| {
                s.cluster_ips
                    .clone()
                    .or_else(|| s.cluster_ip.clone().map(|ip| vec![ip]))
            })
            .unwrap_or_default()
    };
    let (a, b) = (ips(old), ips(new));
    if a.first().map(String::as_str) == Some("None")
        && b.first().map(String::as_str) == Some("None")
    {
        return e.0;
    }
    if a.first() != b.first() {
        e.invalid(
            "spec.clusterIPs[0]",
            go_strings(&b),
            "may not change once set",
        );
    }
    e.0
}

/// The registry's allocation checks for addresses and ports chosen by hand: inside the
/// service CIDR and the node-port range, and not taken by another Service.
pub fn service_allocation(
    store: &crate::store::Store,
    s: &k8s_openapi::api::core::v1::Service,
) -> Vec<FieldError> {
    use crate::service_registry as reg;
    let mut e = Errs::default();
    let key = crate::store::Key::of(&s.metadata);
    let live = store.services.get(&key);
    let spec = s.spec.clone().unwrap_or_default();
    let ip = spec.cluster_ip.clone().unwrap_or_default();
    let live_ip = live
        .and_then(|l| l.spec.as_ref())
        .and_then(|l| l.cluster_ip.clone());
    if !ip.is_empty()
        && ip != "None"
        && live_ip.as_deref() != Some(ip.as_str())
        && ip.parse::<std::net::IpAddr>().is_ok()
    {
        let shown = go_strings(
            spec.cluster_ips
                .as_deref()
                .unwrap_or(std::slice::from_ref(&ip)),
        );
        if !reg::in_service_range(&ip) {
            e.invalid("spec.clusterIPs", &shown, &format!("failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {}", reg::SERVICE_CIDR));
        } else if reg::used_cluster_ips(store, Some(&key)).contains(&ip) {
            e.invalid(
                "spec.clusterIPs",
                &shown,
                &format!("failed to allocate IP {ip}: provided IP is already allocated"),
            );
        }
    }
    let used = reg::used_node_ports(store, Some(&key));
    let mut mine = std::collections::BTreeSet::new();
    for (i, p) in spec.ports.iter().flatten().enumerate() {
        let Some(np) = p.node_port.filter(|n| *n != 0) else {
            continue;
        };
        if !(1..=65535).contains(&np) {
            continue;
        }
        let path = format!("spec.ports[{i}].nodePort");
        if !(reg::NODE_PORT_MIN..=reg::NODE_PORT_MAX).contains(&np) {
            e.invalid(
                &path,
                np,
                &format!(
                    "provided port is not in the valid range. The range of valid ports is {}-{}",
                    reg::NODE_PORT_MIN,
                    reg::NODE_PORT_MAX
                ),
            );
        } else if used.contains(&np) || !mine.insert(np) {
            e.invalid(&path, np, "provided port is already allocated");
        }
    }
    e.0
}

fn ip_errors(e: &mut Errs, path: &str, ip: &str) {
    if ip.parse::<std::net::IpAddr>().is_err() {
        e.invalid(path, format!("{ip:?}"), VALID_IP);
    }
}

/// `ValidateEndpoints`: addresses are IPs, ports are in range.
pub fn endpoints(ep: &k8s_openapi::api::core::v1::Endpoints) -> Vec<FieldError> {
    let mut e = Errs(metadata(&ep.metadata, false));
    for (i, ss) in ep.subsets.iter().flatten().enumerate() {
        for (field, list) in [
            ("addresses", ss.addresses.as_ref()),
            ("notReadyAddresses", ss.not_ready_addresses.as_ref()),
        ] {
            for (j, a) in list.into_iter().flatten().enumerate() {
                ip_errors(&mut e, &format!("subsets[{i}].{field}[{j}].ip"), &a.ip);
            }
        }
        for (j, p) in ss.ports.iter().flatten().enumerate() {
            if !(1..=65535).contains(&p.port) {
                e.invalid(&format!("subsets[{i}].ports[{j}].port"), p.port, PORT_RANGE);
            }
        }
    }
    e.0
}

pub fn endpoints_update(
    _old: &k8s_openapi::api::core::v1::Endpoints,
    _new: &k8s_openapi::api::core::v1::Endpoints,
) -> Vec<FieldError> {
    Vec::new()
}

/// `ValidateEndpointSlice`: a known address type, addresses of that type, ports in range.
pub fn endpoint_slice(s: &k8s_openapi::api::discovery::v1::EndpointSlice) -> Vec<FieldError> {
    let mut e = Errs(metadata(&s.metadata, false));
    let t = s.address_type.as_str();
    if !["FQDN", "IPv4", "IPv6"].contains(&t) {
        e.add(
            "addressType",
            format!("Unsupported value: {t:?}: supported values: \"FQDN\", \"IPv4\", \"IPv6\""),
        );
    }
    for (i, ep) in s.endpoints.iter().flatten().enumerate() {
        if ep.addresses.is_empty() {
            e.required(&format!("endpoints[{i}].addresses"));
        }
        for (j, a) in ep.addresses.iter().enumerate() {
            let path = format!("endpoints[{i}].addresses[{j}]");
            match t {
                "IPv4" if a.parse::<std::net::Ipv4Addr>().is_err() => {
                    e.invalid(&path, format!("{a:?}"), "must be a valid IPv4 address")
                }
                "IPv6" if a.parse::<std::net::Ipv6Addr>().is_err() => {
                    e.invalid(&path, format!("{a:?}"), "must be a valid IPv6 address")
                }
                _ => {}
            }
        }
    }
    for (i, p) in s.ports.iter().flatten().enumerate() {
        if let Some(n) = p.port.filter(|n| !(1..=65535).contains(n)) {
            e.invalid(&format!("ports[{i}].port"), n, PORT_RANGE);
        }
    }
    e.0
}

/// `ValidateEndpointSliceUpdate`: the address type is fixed.
pub fn endpoint_slice_update(
    old: &k8s_openapi::api::discovery::v1::EndpointSlice,
    new: &k8s_openapi::api::discovery::v1::EndpointSlice,
) -> Vec<FieldError> {
    if old.address_type != new.address_type {
        return vec![FieldError {
            path: "addressType".into(),
            message: format!("Invalid value: {:?}: field is immutable", new.address_type),
        }];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DeploymentSpec;
    use k8s_openapi::api::core::v1::Container;

    fn dep(replicas: i32, sel: &str, tmpl: &str) -> Deployment {
        Deployment {
            metadata: ObjectMeta {
                name: Some("web".into()),
                ..Default::default()
            },
            spec: DeploymentSpec {
                replicas: Some(replicas),
                selector: LabelSelector {
                    match_labels: Some([("app".to_string(), sel.to_string())].into()),
                    ..Default::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some([("app".to_string(), tmpl.to_string())].into()),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: "nginx".into(),
                            image: Some("nginx".into()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                },
                ..Default::default()
            },
            status: None,
        }
    }

    fn paths(errs: &[FieldError]) -> Vec<&str> {
        errs.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn valid_deployment_passes() {
        assert!(deployment(&dep(3, "web", "web")).is_empty());
    }

    #[test]
    fn negative_replicas_and_selector_mismatch_are_reported() {
        let errs = deployment(&dep(-1, "web", "api"));
        assert_eq!(
            paths(&errs),
            vec!["spec.replicas", "spec.template.metadata.labels"]
        );
        assert_eq!(
            errs[0].message,
            "Invalid value: -1: must be greater than or equal to 0"
        );
        assert!(errs[1]
            .message
            .ends_with("`selector` does not match template `labels`"));
    }

    #[test]
    fn missing_containers_and_names() {
        let mut d = dep(1, "web", "web");
        d.spec.template.spec.as_mut().unwrap().containers = vec![Container::default()];
        let errs = deployment(&d);
        assert_eq!(
            paths(&errs),
            vec![
                "spec.template.spec.containers[0].name",
                "spec.template.spec.containers[0].image"
            ]
        );
        d.spec.template.spec.as_mut().unwrap().containers.clear();
        assert_eq!(
            paths(&deployment(&d)),
            vec!["spec.template.spec.containers"]
        );
    }

    #[test]
    fn bad_names_and_both_zero_fenceposts() {
        let mut d = dep(1, "web", "web");
        d.metadata.name = Some("Web_App".into());
        d.spec.strategy = Some(k8s_openapi::api::apps::v1::DeploymentStrategy {
            type_: Some("RollingUpdate".into()),
            rolling_update: Some(k8s_openapi::api::apps::v1::RollingUpdateDeployment {
                max_surge: Some(IntOrString::Int(0)),
                max_unavailable: Some(IntOrString::String("0%".into())),
            }),
        });
        let errs = deployment(&d);
        assert_eq!(
            paths(&errs),
            vec![
                "metadata.name",
                "spec.strategy.rollingUpdate.maxUnavailable"
            ]
        );
    }

    #[test]
    fn selector_is_immutable() {
        let a = dep(1, "web", "web");
        let b = dep(1, "api", "api");
        assert_eq!(paths(&deployment_update(&a, &b)), vec!["spec.selector"]);
        assert!(deployment_update(&a, &a).is_empty());
    }
}
