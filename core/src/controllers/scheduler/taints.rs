//! TaintToleration (`pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`) and
//! NodeUnschedulable (`nodeunschedulable/node_unschedulable.go`).
//!
//! Filter: a `NoSchedule` or `NoExecute` taint that no toleration tolerates rejects the node.
//! Score: the fewer untolerated `PreferNoSchedule` taints the better (normalized in reverse).

use super::{default_normalize, NodeInfo, Rejection};
use k8s_openapi::api::core::v1::{Node, Pod, Taint, Toleration};

pub const ERR_UNTOLERATED: &str = "node(s) had untolerated taint(s)";
pub const ERR_UNSCHEDULABLE: &str = "node(s) were unschedulable";

/// `ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
        if e != taint.effect {
            return false;
        }
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => true,
        _ => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
    }
}

/// The first taint with the given effects that none of the tolerations tolerates.
pub fn untolerated_taint<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
    effects: &[&str],
) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| effects.contains(&t.effect.as_str()))
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

/// `key[=value]:effect`, as kubectl shows a taint.
pub fn show_taint(t: &Taint) -> String {
    let value = t
        .value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| format!("={v}"))
        .unwrap_or_default();
    format!("{}{value}:{}", t.key, t.effect)
}

fn tolerations(pod: &Pod) -> &[Toleration] {
    pod.spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or(&[])
}

fn taints(node: &Node) -> &[Taint] {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or(&[])
}

/// NodeUnschedulable: a cordoned node takes only pods tolerating
/// `node.kubernetes.io/unschedulable:NoSchedule`.
pub fn filter_unschedulable(pod: &Pod, node: &Node) -> Option<Rejection> {
    if node.spec.as_ref().and_then(|s| s.unschedulable) != Some(true) {
        return None;
    }
    let cordon = Taint {
        key: "node.kubernetes.io/unschedulable".into(),
        effect: "NoSchedule".into(),
        ..Default::default()
    };
    if tolerations(pod).iter().any(|t| tolerates(t, &cordon)) {
        return None;
    }
    Some(Rejection::new(
        ERR_UNSCHEDULABLE,
        false,
        "the node is cordoned (unschedulable)".into(),
    ))
}

/// TaintToleration Filter (`UnschedulableAndUnresolvable`).
pub fn filter(pod: &Pod, node: &Node) -> Option<Rejection> {
    let t = untolerated_taint(taints(node), tolerations(pod), &["NoSchedule", "NoExecute"])?;
    Some(Rejection::new(
        ERR_UNTOLERATED,
        false,
        format!("untolerated taint {}", show_taint(t)),
    ))
}

/// TaintToleration Score: untolerated `PreferNoSchedule` taints per node, counting only
/// tolerations whose effect is empty or `PreferNoSchedule`, normalized in reverse.
pub fn score(pod: &Pod, nodes: &[&NodeInfo]) -> Vec<i64> {
    let tols: Vec<Toleration> = tolerations(pod)
        .iter()
        .filter(|t| {
            matches!(
                t.effect.as_deref(),
                None | Some("") | Some("PreferNoSchedule")
            )
        })
        .cloned()
        .collect();
    let mut scores: Vec<i64> = nodes
        .iter()
        .map(|ni| {
            taints(ni.node)
                .iter()
                .filter(|t| t.effect == "PreferNoSchedule")
                .filter(|taint| !tols.iter().any(|t| tolerates(t, taint)))
                .count() as i64
        })
        .collect();
    default_normalize(&mut scores, true);
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toleration_matching() {
        let taint = Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        let exists = Toleration {
            key: Some("node-role.kubernetes.io/control-plane".into()),
            operator: Some("Exists".into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        };
        let wrong_effect = Toleration {
            effect: Some("NoExecute".into()),
            ..exists.clone()
        };
        let everything = Toleration {
            operator: Some("Exists".into()),
            ..Default::default()
        };
        assert!(tolerates(&exists, &taint));
        assert!(!tolerates(&wrong_effect, &taint));
        assert!(tolerates(&everything, &taint));
        let eq = Toleration {
            key: Some("k".into()),
            value: Some("v".into()),
            ..Default::default()
        };
        let with_value = |v: &str| Taint {
            key: "k".into(),
            value: Some(v.into()),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        assert!(tolerates(&eq, &with_value("v")));
        assert!(!tolerates(&eq, &with_value("w")));
        assert_eq!(show_taint(&with_value("v")), "k=v:NoSchedule");
        assert_eq!(
            show_taint(&taint),
            "node-role.kubernetes.io/control-plane:NoSchedule"
        );
    }
}
