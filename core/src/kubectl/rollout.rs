//! `kubectl rollout status|history|undo|pause|resume|restart` for Deployments
//! (`pkg/cmd/rollout`, `pkg/polymorphichelpers/{rollout_status,history,rollback}.go`).

use super::get::Item;
use super::{tabwriter, Args, Output};
use crate::controllers::deployment::rollout_status_line;
use crate::controllers::deployment::util::{
    revision, without_hash, CHANGE_CAUSE, REVISION, SKIP_COPY,
};
use crate::controllers::Object;
use crate::sim::World;
use crate::store::Key;
use crate::time::{parse_duration, Dur};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

fn deployment(world: &World, args: &Args) -> Result<Deployment, String> {
    let target = args
        .positional
        .get(1)
        .ok_or("error: required resource not specified")?;
    let (t, name) = match target.split_once('/') {
        Some((t, n)) => (t.to_string(), n.to_string()),
        None => (
            target.clone(),
            args.positional
                .get(2)
                .cloned()
                .ok_or("error: required resource not specified")?,
        ),
    };
    match super::resolve_type(&t) {
        Some(super::ResType::Sim(crate::store::Kind::Deployment)) => {}
        Some(_) => {
            return Err(format!(
                "error: no rollout support for {t:?} here yet (deployments only)"
            ))
        }
        None => return Err(super::get::unknown_type(&t)),
    }
    let ns = args.flag("namespace").unwrap_or("default");
    match super::get::find(
        world,
        super::ResType::Sim(crate::store::Kind::Deployment),
        ns,
        &name,
    ) {
        Some(Item::Deployment(d)) => Ok(d),
        _ => Err(format!(
            "Error from server (NotFound): deployments.apps {name:?} not found"
        )),
    }
}

fn owned_replica_sets(world: &World, d: &Deployment) -> Vec<ReplicaSet> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut v: Vec<ReplicaSet> = world.store().replicasets.owned_by(&uid).cloned().collect();
    v.sort_by_key(revision);
    v
}

pub fn rollout(world: &mut World, args: &Args) -> Result<Output, String> {
    let sub = args.positional.first().map(String::as_str).unwrap_or("");
    match sub {
        "status" => status(world, args),
        "history" => history(world, args),
        "undo" => undo(world, args),
        "pause" | "resume" => pause(world, args, sub == "pause"),
        "restart" => restart(world, args),
        "" => Err(
            "error: rollout needs a subcommand: status, history, undo, pause, resume or restart"
                .into(),
        ),
        other => Err(format!("error: unknown rollout subcommand {other:?}")),
    }
}

/// Watches the rollout like kubectl does, running the simulation until it finishes, fails
/// (progress deadline) or the timeout passes; prints each distinct waiting line once.
fn status(world: &mut World, args: &Args) -> Result<Output, String> {
    let d = deployment(world, args)?;
    let key = Key::of(&d.metadata);
    let watch = args.flag("watch").is_none_or(|w| w != "false");
    let timeout = match args.flag("timeout") {
        Some(t) if t != "0" && t != "0s" => parse_duration(t).map_err(|e| format!("error: {e}"))?,
        _ => Dur::mins(60),
    };
    if let Some(r) = args.int("revision")? {
        let current = crate::controllers::deployment::util::annotation(&d.metadata, REVISION)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        if r != current {
            return Err(format!(
                "error: desired revision ({r}) is different from the running revision ({current})"
            ));
        }
    }
    let deadline = world.now() + timeout;
    let mut out = String::new();
    let mut last = String::new();
    loop {
        let Some(d) = world.store().deployments.get(&key).cloned() else {
            return Err(format!("{out}error: deployment {:?} was deleted", key.name));
        };
        match rollout_status_line(&d) {
            Err(e) => return Err(format!("{out}error: {e}")),
            Ok((line, done)) => {
                if line != last {
                    out.push_str(&line);
                    out.push('\n');
                    last = line;
                }
                if done || !watch {
                    return Ok(Output::out(out));
                }
            }
        }
        if world.now() >= deadline {
            return Err(format!("{out}error: timed out waiting for the condition"));
        }
        match world.next_event_at() {
            Some(t) if t <= deadline => {
                world.step();
            }
            _ => {
                return Err(format!("{out}error: the rollout is not progressing and nothing is scheduled to change it (is the deployment paused?)"));
            }
        }
    }
}

fn history(world: &mut World, args: &Args) -> Result<Output, String> {
    let d = deployment(world, args)?;
    let name = d.metadata.name.clone().unwrap_or_default();
    let rss = owned_replica_sets(world, &d);
    if let Some(r) = args.int("revision")? {
        let rs = rss
            .iter()
            .find(|rs| revision(rs) == r)
            .ok_or_else(|| format!("error: unable to find the specified revision {r}"))?;
        let mut doc = format!("deployment.apps/{name} with revision #{r}\nPod Template:\n");
        let t = rs.spec.template.clone().unwrap_or_default();
        let desc = super::describe_template(&t);
        doc.push_str(&desc);
        return Ok(Output::out(doc));
    }
    if rss.is_empty() {
        return Ok(Output::out(format!(
            "deployment.apps/{name} \nNo rollout history found."
        )));
    }
    let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
    for rs in rss.iter().filter(|rs| revision(rs) > 0) {
        let cause = crate::controllers::deployment::util::annotation(&rs.metadata, CHANGE_CAUSE)
            .unwrap_or("<none>");
        text.push_str(&format!("{}\t{cause}\n", revision(rs)));
    }
    Ok(Output::out(format!(
        "deployment.apps/{name} \n{}\n",
        tabwriter::align(&text, 0, 2)
    )))
}

/// Client-side rollback, as kubectl does it for apps/v1.
fn undo(world: &mut World, args: &Args) -> Result<Output, String> {
    let d = deployment(world, args)?;
    let name = d.metadata.name.clone().unwrap_or_default();
    if d.spec.paused == Some(true) {
        return Err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into());
    }
    let rss = owned_replica_sets(world, &d);
    if rss.is_empty() {
        return Err(format!(
            "error: no rollout history found for deployment {name:?}"
        ));
    }
    let to = args.int("to-revision")?.unwrap_or(0);
    let target = if to == 0 {
        let mut revs: Vec<i64> = rss.iter().map(revision).collect();
        revs.sort();
        revs.dedup();
        if revs.len() < 2 {
            return Err("error: no last revision to roll back to".into());
        }
        let prev = revs[revs.len() - 2];
        rss.iter().find(|r| revision(r) == prev)
    } else {
        rss.iter().find(|r| revision(r) == to)
    };
    let Some(rs) = target else {
        return Err(format!(
            "error: unable to find specified revision {to} in history"
        ));
    };
    let template = without_hash(&rs.spec.template.clone().unwrap_or_default());
    if without_hash(&d.spec.template) == template {
        return Ok(Output::out(format!("deployment.apps/{name} skipped rollback (current template already matches revision {})", revision(rs))));
    }
    let mut nd = d.clone();
    nd.spec.template = template;
    let annotations = nd.metadata.annotations.get_or_insert_with(Default::default);
    for (k, v) in rs.metadata.annotations.iter().flatten() {
        if !SKIP_COPY.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    world
        .update_object(Object::Deployment(nd), false)
        .map_err(|e| e.to_string())?;
    world.after_user_change();
    Ok(Output::out(format!("deployment.apps/{name} rolled back")))
}

fn pause(world: &mut World, args: &Args, on: bool) -> Result<Output, String> {
    let mut d = deployment(world, args)?;
    let name = d.metadata.name.clone().unwrap_or_default();
    let verb = if on { "paused" } else { "resumed" };
    if d.spec.paused.unwrap_or(false) == on {
        return Ok(Output::out(format!(
            "deployment.apps/{name} already {verb}"
        )));
    }
    d.spec.paused = if on { Some(true) } else { None };
    world
        .update_object(Object::Deployment(d), false)
        .map_err(|e| e.to_string())?;
    world.after_user_change();
    Ok(Output::out(format!("deployment.apps/{name} {verb}")))
}

fn restart(world: &mut World, args: &Args) -> Result<Output, String> {
    let mut d = deployment(world, args)?;
    let name = d.metadata.name.clone().unwrap_or_default();
    if d.spec.paused == Some(true) {
        return Err(format!("error: deployments.apps {name:?} can't restart paused deployment (run rollout resume first)"));
    }
    let now = world.now().rfc3339();
    d.spec
        .template
        .metadata
        .get_or_insert_with(Default::default)
        .annotations
        .get_or_insert_with(Default::default)
        .insert("kubectl.kubernetes.io/restartedAt".into(), now);
    world
        .update_object(Object::Deployment(d), false)
        .map_err(|e| e.to_string())?;
    world.after_user_change();
    Ok(Output::out(format!("deployment.apps/{name} restarted")))
}
