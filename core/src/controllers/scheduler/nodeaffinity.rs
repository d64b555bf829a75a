//! NodeAffinity (`pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`,
//! `k8s.io/component-helpers/scheduling/corev1/nodeaffinity`).
//!
//! - PreFilter: required terms that all name nodes through `matchFields` `metadata.name In`
//!   (DaemonSet pods) restrict the cycle to those nodes; the others are reported as
//!   `node(s) didn't satisfy plugin(s) [NodeAffinity]`.
//! - Filter: `nodeSelector` and required node affinity (terms ORed, expressions ANDed).
//! - Score: the summed weights of the preferred terms a node matches, normalized.

use super::{default_normalize, NodeInfo, Rejection};
use k8s_openapi::api::core::v1::{Node, NodeSelectorRequirement, NodeSelectorTerm, Pod};
use std::collections::BTreeSet;

pub const ERR_MISMATCH: &str = "node(s) didn't match Pod's node affinity/selector";
pub const ERR_NOT_PINNED: &str = "node(s) didn't satisfy plugin(s) [NodeAffinity]";
pub const ERR_CONFLICT: &str = "pod affinity terms conflict";

/// The node's label `key`, borrowed: these run for every node of every scheduling cycle.
fn node_label<'a>(node: &'a Node, key: &str) -> Option<&'a String> {
    node.metadata.labels.as_ref()?.get(key)
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(bound)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|b| b.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if r.operator == "Gt" {
                v > bound
            } else {
                v < bound
            }
        }
        _ => false,
    }
}

/// A node selector term matches when all its expressions and fields match; an empty term
/// matches nothing.
pub fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs
        .iter()
        .all(|r| requirement_matches(r, node_label(node, &r.key)))
        && fields.iter().all(|r| {
            r.key == "metadata.name" && requirement_matches(r, node.metadata.name.as_ref())
        })
}

fn required_terms(pod: &Pod) -> Option<&[NodeSelectorTerm]> {
    pod.spec
        .as_ref()?
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()
        .map(|r| r.node_selector_terms.as_slice())
}

/// `nodeSelector` and required node affinity (terms are ORed).
pub fn node_affinity_matches(pod: &Pod, node: &Node) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return true;
    };
    if let Some(sel) = &spec.node_selector {
        if !sel.iter().all(|(k, v)| node_label(node, k) == Some(v)) {
            return false;
        }
    }
    match required_terms(pod) {
        Some(terms) => terms.iter().any(|t| term_matches(t, node)),
        None => true,
    }
}

/// PreFilter: the nodes the pod is pinned to by `metadata.name In` match fields, if every
/// required term names nodes; `Err` when the terms name no node at all.
pub fn pre_filter(pod: &Pod) -> Result<Option<BTreeSet<String>>, String> {
    let Some(terms) = required_terms(pod) else {
        return Ok(None);
    };
    let mut names: Option<BTreeSet<String>> = None;
    for t in terms {
        let mut term_names: Option<BTreeSet<String>> = None;
        for r in t.match_fields.iter().flatten() {
            if r.key == "metadata.name" && r.operator == "In" {
                let s: BTreeSet<String> = r.values.iter().flatten().cloned().collect();
                term_names = Some(match term_names {
                    None => s,
                    Some(prev) => prev.intersection(&s).cloned().collect(),
                });
            }
        }
        // A term without a name restriction makes every node eligible (terms are ORed).
        let Some(term_names) = term_names else {
            return Ok(None);
        };
        names.get_or_insert_with(BTreeSet::new).extend(term_names);
    }
    match names {
        Some(n) if n.is_empty() => Err(ERR_CONFLICT.into()),
        n => Ok(n),
    }
}

/// Filter (`UnschedulableAndUnresolvable`).
pub fn filter(pod: &Pod, node: &Node) -> Option<Rejection> {
    if node_affinity_matches(pod, node) {
        return None;
    }
    Some(Rejection::new(
        ERR_MISMATCH,
        false,
        "its labels do not match the pod's nodeSelector or required node affinity".into(),
    ))
}

/// Score: summed weights of the matching preferred terms, normalized to 0–100; `None` (the
/// plugin skips) when the pod has no preferred terms.
pub fn score(pod: &Pod, nodes: &[&NodeInfo]) -> Option<Vec<i64>> {
    let preferred = pod
        .spec
        .as_ref()?
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .preferred_during_scheduling_ignored_during_execution
        .as_ref()
        .filter(|p| !p.is_empty())?;
    let mut scores: Vec<i64> = nodes
        .iter()
        .map(|ni| {
            preferred
                .iter()
                .filter(|t| t.weight != 0 && term_matches(&t.preference, ni.node))
                .map(|t| i64::from(t.weight))
                .sum()
        })
        .collect();
    default_normalize(&mut scores, false);
    Some(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Affinity, NodeAffinity, NodeSelector, PodSpec};

    fn pinned(terms: Vec<Vec<(&str, &str, Vec<&str>)>>) -> Pod {
        let terms = terms
            .into_iter()
            .map(|fields| NodeSelectorTerm {
                match_fields: Some(
                    fields
                        .into_iter()
                        .map(|(k, op, vs)| NodeSelectorRequirement {
                            key: k.into(),
                            operator: op.into(),
                            values: Some(vs.into_iter().map(String::from).collect()),
                        })
                        .collect(),
                ),
                ..Default::default()
            })
            .collect();
        Pod {
            spec: Some(PodSpec {
                affinity: Some(Affinity {
                    node_affinity: Some(NodeAffinity {
                        required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                            node_selector_terms: terms,
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn pre_filter_pins_pods_to_named_nodes() {
        let set = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
        let cases = vec![
            (
                vec![vec![("metadata.name", "In", vec!["a"])]],
                Ok(set(&["a"])),
            ),
            (
                vec![
                    vec![("metadata.name", "In", vec!["a"])],
                    vec![("metadata.name", "In", vec!["b"])],
                ],
                Ok(set(&["a", "b"])),
            ),
            (
                vec![vec![
                    ("metadata.name", "In", vec!["a", "b"]),
                    ("metadata.name", "In", vec!["b"]),
                ]],
                Ok(set(&["b"])),
            ),
            (vec![vec![("metadata.name", "NotIn", vec!["a"])]], Ok(None)),
            (
                vec![vec![
                    ("metadata.name", "In", vec!["a"]),
                    ("metadata.name", "In", vec!["b"]),
                ]],
                Err(ERR_CONFLICT.to_string()),
            ),
        ];
        for (terms, want) in cases {
            assert_eq!(pre_filter(&pinned(terms.clone())), want, "{terms:?}");
        }
        assert_eq!(pre_filter(&Pod::default()), Ok(None));
    }
}
