//! `kubectl taint node NAME... key[=value]:Effect | key:Effect- | key-`, as kubectl's
//! pkg/cmd/taint/{taint.go,utils.go}: every node is checked before any is written.

use super::get::not_found;
use super::{Args, Output, ResType};
use crate::cluster::{parse_taint_spec, taint_string};
use crate::controllers::Object;
use crate::labels::Selector;
use crate::sim::World;
use crate::store::{Key, Kind};
use k8s_openapi::api::core::v1::{Node, Taint};

/// `parseTaints`: taints to add (effect required, unique by key and effect) and to remove.
fn parse_taints(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let (mut add, mut remove): (Vec<Taint>, Vec<Taint>) = (Vec::new(), Vec::new());
    for spec in specs {
        if let Some(s) = spec.strip_suffix('-') {
            let t = parse_taint_spec(s)?;
            remove.push(Taint {
                key: t.key,
                effect: t.effect,
                ..Default::default()
            });
        } else {
            let t = parse_taint_spec(spec)?;
            if t.effect.is_empty() {
                return Err(format!("invalid taint spec: {spec}"));
            }
            if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
                return Err(format!(
                    "duplicated taints with the same key and effect: {}",
                    taint_string(&t)
                ));
            }
            add.push(t);
        }
    }
    Ok((add, remove))
}

/// `reorganizeTaints`: the new taints first, then the old ones not replaced, minus removals;
/// the operation word kubectl prints.
fn reorganize(
    old: &[Taint],
    overwrite: bool,
    add: &[Taint],
    remove: &[Taint],
) -> Result<(&'static str, Vec<Taint>), String> {
    let mut new: Vec<Taint> = add.to_vec();
    for o in old {
        if !new.iter().any(|t| t.key == o.key && t.effect == o.effect) {
            new.push(o.clone());
        }
    }
    let added = old.len() != new.len();
    let mut errors = Vec::new();
    let mut deleted = false;
    for r in remove {
        let before = new.len();
        new.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = new.len() != before;
        if !deleted {
            errors.push(format!("taint {:?} not found", taint_string(r)));
        }
    }
    if !errors.is_empty() {
        return Err(errors.join(", "));
    }
    let op = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    Ok((op, new))
}

pub fn taint(world: &mut World, args: &Args) -> Result<Output, String> {
    let mut resources: Vec<String> = Vec::new();
    let mut specs: Vec<String> = Vec::new();
    for w in &args.positional {
        let is_taint = w.contains('=') || w.contains(':') || w.ends_with('-');
        match (is_taint, specs.is_empty()) {
            (true, _) => specs.push(w.clone()),
            (false, true) => resources.push(w.clone()),
            (false, false) => {
                return Err(format!(
                    "error: all resources must be specified before taint changes: {w}"
                ))
            }
        }
    }
    if resources.is_empty() {
        return Err("error: one or more resources must be specified as <resource> <name>".into());
    }
    if specs.is_empty() {
        return Err("error: at least one taint update is required".into());
    }
    let (add, remove) = parse_taints(&specs).map_err(|e| format!("error: {e}"))?;
    let kind = resources[0].to_ascii_lowercase();
    if kind != "node" && kind != "nodes" {
        return Err(format!(
            "error: invalid resource type {}, only [\"node\" \"nodes\"] are supported",
            resources[0]
        ));
    }
    let conflicts: Vec<String> = add
        .iter()
        .flat_map(|a| {
            remove
                .iter()
                .filter(move |r| r.key == a.key && (r.effect.is_empty() || r.effect == a.effect))
        })
        .map(|r| format!("{{\"{}\":\"{}\"}}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return Err(format!(
            "error: can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        ));
    }
    let all = args.bool("all");
    let selector = args.flag("selector");
    if all && selector.is_some() {
        return Err(
            "error: setting 'all' parameter with a non empty selector is prohibited.".into(),
        );
    }
    let nodes: Vec<Node> = if all || selector.is_some() {
        let sel = selector
            .map(Selector::parse)
            .transpose()
            .map_err(|e| format!("error: {e}"))?;
        world
            .store()
            .nodes
            .iter()
            .filter(|n| {
                sel.as_ref()
                    .is_none_or(|s| s.matches_opt(n.metadata.labels.as_ref()))
            })
            .cloned()
            .collect()
    } else {
        if resources.len() < 2 {
            return Err("error: at least one resource name must be specified since 'all' parameter is not set".into());
        }
        resources[1..]
            .iter()
            .map(|name| {
                world
                    .store()
                    .nodes
                    .get(&Key::cluster(name.clone()))
                    .cloned()
                    .ok_or_else(|| not_found(ResType::Sim(Kind::Node), name))
            })
            .collect::<Result<_, _>>()?
    };
    let overwrite = args.bool("overwrite");
    // Check every node before writing any.
    let mut updates = Vec::new();
    for mut node in nodes {
        let name = node.metadata.name.clone().unwrap_or_default();
        let old = crate::cluster::taints(&node).to_vec();
        if !overwrite {
            let exists: Vec<&str> = add
                .iter()
                .filter(|a| old.iter().any(|o| o.key == a.key && o.effect == a.effect))
                .map(|a| a.key.as_str())
                .collect();
            if !exists.is_empty() {
                return Err(format!(
                    "error: node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                    exists.join(",")
                ));
            }
        }
        let (op, new) =
            reorganize(&old, overwrite, &add, &remove).map_err(|e| format!("error: {e}"))?;
        node.spec.get_or_insert_with(Default::default).taints = (!new.is_empty()).then_some(new);
        updates.push((name, op, node));
    }
    let mut lines = Vec::new();
    for (name, op, node) in updates {
        world
            .update_object(Object::Node(node), false)
            .map_err(|e| e.to_string())?;
        world.after_user_change();
        lines.push(format!("node/{name} {op}"));
    }
    Ok(Output::out(lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &str, value: Option<&str>, effect: &str) -> Taint {
        Taint {
            key: key.into(),
            value: value.map(String::from),
            effect: effect.into(),
            time_added: None,
        }
    }

    #[test]
    fn reorganize_puts_new_taints_first_and_names_the_operation() {
        let old = vec![t("a", None, "NoSchedule")];
        let (op, new) = reorganize(&old, false, &[t("b", Some("1"), "NoExecute")], &[]).unwrap();
        assert_eq!(op, "tainted");
        assert_eq!(
            new,
            vec![t("b", Some("1"), "NoExecute"), t("a", None, "NoSchedule")]
        );
        let (op, new) = reorganize(&old, false, &[], &[t("a", None, "")]).unwrap();
        assert_eq!((op, new.len()), ("untainted", 0));
        let (op, _) = reorganize(&old, true, &[t("a", Some("x"), "NoSchedule")], &[]).unwrap();
        assert_eq!(op, "modified");
        assert_eq!(
            reorganize(&old, false, &[], &[t("a", None, "NoExecute")]).unwrap_err(),
            "taint \"a:NoExecute\" not found"
        );
    }
}
