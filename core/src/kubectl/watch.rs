//! `kubectl get … -w` / `--watch-only`: the listing, then one line per change as the cluster
//! runs.
//!
//! A real watch never ends; here the command runs the simulation until nothing is left to do
//! (or `--request-timeout`, 15 minutes of simulated time by default, passes), printing each
//! watched object whenever it changes, as kubectl prints watch events: a row per event, each
//! aligned on its own, and a deleted object's last state once more when it goes.

use super::get::{self, find, namespace_scope, targets, Item};
use super::{tabwriter, Args, Output, ResType};
use crate::labels::Selector;
use crate::sim::World;
use crate::store::Key;
use crate::time::{parse_duration, Dur};
use std::collections::BTreeMap;

/// `kubectl get TYPE [NAME…] -w`.
pub fn watch(world: &mut World, args: &Args) -> Result<Output, String> {
    let groups = targets(&args.positional)?;
    let [(t, names)] = groups.as_slice() else {
        return Err(format!("error: watch is only supported on individual resources and resource collections, but {} resources were found", groups.len()));
    };
    let (t, names) = (*t, names.clone());
    let output = args.flag("output").unwrap_or("");
    if !["", "wide", "name", "yaml", "json"].contains(&output) {
        return Err(format!(
            "error: unable to match a printer suitable for the output format {output:?} while watching, allowed formats are: json,name,wide,yaml"
        ));
    }
    let limit = match args.flag("request-timeout") {
        Some(t) if t != "0" && t != "0s" => parse_duration(t).map_err(|e| format!("error: {e}"))?,
        _ => Dur::mins(15),
    };
    let selector = match args.flag("selector") {
        Some(s) => Some(Selector::parse(s).map_err(|e| format!("error: {e}"))?),
        None => None,
    };
    let ns = namespace_scope(args);
    let watched = |world: &World, key: &Key| -> Option<Item> {
        if ns
            .as_deref()
            .is_some_and(|n| t_namespaced(t) && key.namespace != n)
        {
            return None;
        }
        if !names.is_empty() && !names.contains(&key.name) {
            return None;
        }
        let item = find(world, t, &key.namespace, &key.name)?;
        selector
            .as_ref()
            .is_none_or(|s| s.matches_opt(item.meta().labels.as_ref()))
            .then_some(item)
    };

    let mut result = if args.bool("watch-only") {
        Output::out("")
    } else {
        get::get(world, args)?
    };
    // The objects currently shown, so a deletion can print the object's last state.
    let mut shown: BTreeMap<Key, Item> = BTreeMap::new();
    if let ResType::Sim(kind) = t {
        let keys: Vec<Key> = get::list(world, t, None)
            .iter()
            .map(|i| Key::of(&i.meta()))
            .collect();
        for key in keys {
            if let Some(item) = watched(world, &key) {
                shown.insert(key, item);
            }
        }
        let deadline = world.now() + limit;
        let mut seen_rv = world.store().resource_version();
        while world.next_event_at().is_some_and(|at| at <= deadline) {
            world.step();
            let mut changed: Vec<Key> = Vec::new();
            for e in world.store().watch_log() {
                if e.resource_version > seen_rv && e.kind == kind && !changed.contains(&e.key) {
                    changed.push(e.key.clone());
                }
            }
            seen_rv = world.store().resource_version();
            for key in changed {
                let item = match watched(world, &key) {
                    Some(item) => {
                        shown.insert(key, item.clone());
                        item
                    }
                    None => match shown.remove(&key) {
                        Some(last) => last,
                        None => continue,
                    },
                };
                result
                    .stdout
                    .push_str(&event_text(world, t, &item, args, output));
            }
        }
    }
    Ok(result)
}

fn t_namespaced(t: ResType) -> bool {
    match t {
        ResType::Sim(k) => k.namespaced(),
        ResType::Other(..) => true,
    }
}

/// One watch event as kubectl prints it in each output format.
fn event_text(world: &World, t: ResType, item: &Item, args: &Args, output: &str) -> String {
    match output {
        "name" => format!(
            "{}/{}\n",
            item.qualified(),
            item.meta().name.unwrap_or_default()
        ),
        "yaml" => format!("---\n{}", get::to_yaml_string(&item.to_json())),
        "json" => get::to_json_string(&item.to_json()) + "\n",
        _ => {
            let (_, rows) = get::table_of(
                world,
                t,
                std::slice::from_ref(item),
                args,
                output == "wide",
                false,
            );
            let text: String = rows.iter().map(|r| r.join("\t") + "\n").collect();
            tabwriter::align(&text, 6, 3)
        }
    }
}
