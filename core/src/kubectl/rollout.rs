//! `kubectl rollout status|history|undo|pause|resume|restart` for Deployments, StatefulSets and
//! DaemonSets
//! (`pkg/cmd/rollout`, `pkg/polymorphichelpers/{rollout_status,history,rollback}.go`).

use super::get::Item;
use super::{tabwriter, Args, Output};
use crate::controllers::daemonset;
use crate::controllers::deployment::rollout_status_line;
use crate::controllers::deployment::util::{
    revision, without_hash, CHANGE_CAUSE, REVISION, SKIP_COPY,
};
use crate::controllers::statefulset::{self, history as sts_history};
use crate::controllers::Object;
use crate::sim::World;
use crate::store::{Key, Kind};
use crate::time::{parse_duration, Dur};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The object a rollout command works on.
enum Target {
    Deployment(Deployment),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
}

impl Target {
    fn meta(&self) -> &ObjectMeta {
        match self {
            Target::Deployment(d) => &d.metadata,
            Target::StatefulSet(s) => &s.metadata,
            Target::DaemonSet(d) => &d.metadata,
        }
    }

    fn name(&self) -> String {
        self.meta().name.clone().unwrap_or_default()
    }

    fn kind(&self) -> Kind {
        match self {
            Target::Deployment(_) => Kind::Deployment,
            Target::StatefulSet(_) => Kind::StatefulSet,
            Target::DaemonSet(_) => Kind::DaemonSet,
        }
    }

    /// `deployment.apps/web`.
    fn qualified(&self) -> String {
        format!("{}/{}", self.kind().qualified(), self.name())
    }

    fn template_mut(&mut self) -> &mut PodTemplateSpec {
        match self {
            Target::Deployment(d) => &mut d.spec.template,
            Target::StatefulSet(s) => &mut s.spec.template,
            Target::DaemonSet(d) => &mut d.spec.template,
        }
    }

    fn into_object(self) -> Object {
        match self {
            Target::Deployment(d) => Object::Deployment(d),
            Target::StatefulSet(s) => Object::StatefulSet(s),
            Target::DaemonSet(d) => Object::DaemonSet(d),
        }
    }
}

fn target(world: &World, args: &Args) -> Result<Target, String> {
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
    let rt = match super::resolve_type(&t) {
        Some(rt @ super::ResType::Sim(Kind::Deployment | Kind::StatefulSet | Kind::DaemonSet)) => {
            rt
        }
        Some(_) => {
            return Err(format!(
                "error: no rollout support for {t:?} here yet (deployments, statefulsets and daemonsets only)"
            ))
        }
        None => return Err(super::get::unknown_type(&t)),
    };
    let ns = args.flag("namespace").unwrap_or("default");
    match super::get::find(world, rt, ns, &name) {
        Some(Item::Deployment(d)) => Ok(Target::Deployment(d)),
        Some(Item::StatefulSet(s)) => Ok(Target::StatefulSet(s)),
        Some(Item::DaemonSet(d)) => Ok(Target::DaemonSet(d)),
        _ => Err(super::get::not_found(rt, &name)),
    }
}

/// Writes a changed target back and routes the change.
fn write(world: &mut World, t: Target) -> Result<(), String> {
    world
        .update_object(t.into_object(), false)
        .map_err(|e| e.to_string())?;
    world.after_user_change();
    Ok(())
}

fn owned_replica_sets(world: &World, d: &Deployment) -> Vec<ReplicaSet> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut v: Vec<ReplicaSet> = world.store().replicasets.owned_by(&uid).cloned().collect();
    v.sort_by_key(revision);
    v
}

/// `controlledHistory`: the owner's revisions, by revision number.
fn owned_revisions(world: &World, owner: &ObjectMeta) -> Vec<ControllerRevision> {
    let uid = owner.uid.clone().unwrap_or_default();
    let mut v: Vec<ControllerRevision> = world
        .store()
        .controllerrevisions
        .owned_by(&uid)
        .cloned()
        .collect();
    sts_history::sort(&mut v);
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
    let t = target(world, args)?;
    let watch = args.flag("watch").is_none_or(|w| w != "false");
    let timeout = match args.flag("timeout") {
        Some(t) if t != "0" && t != "0s" => parse_duration(t).map_err(|e| format!("error: {e}"))?,
        _ => Dur::mins(60),
    };
    let (kind, key) = match &t {
        Target::Deployment(d) => {
            if let Some(r) = args.int("revision")? {
                let current =
                    crate::controllers::deployment::util::annotation(&d.metadata, REVISION)
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0);
                if r != current {
                    return Err(format!(
                        "error: desired revision ({r}) is different from the running revision ({current})"
                    ));
                }
            }
            ("deployment", Key::of(&d.metadata))
        }
        Target::StatefulSet(s) => ("statefulset", Key::of(&s.metadata)),
        Target::DaemonSet(d) => ("daemonset", Key::of(&d.metadata)),
    };
    let line_of = |world: &World| -> Option<Result<(String, bool), String>> {
        let s = world.store();
        match kind {
            "deployment" => s.deployments.get(&key).map(rollout_status_line),
            "daemonset" => s.daemonsets.get(&key).map(daemonset::rollout_status_line),
            _ => s
                .statefulsets
                .get(&key)
                .map(statefulset::rollout_status_line),
        }
    };
    let deadline = world.now() + timeout;
    let mut out = String::new();
    let mut last = String::new();
    loop {
        let Some(line) = line_of(world) else {
            return Err(format!("{out}error: {kind} {:?} was deleted", key.name));
        };
        match line {
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
                let why = if kind == "deployment" {
                    "is the deployment paused?"
                } else {
                    "is a pod stuck unready?"
                };
                return Err(format!("{out}error: the rollout is not progressing and nothing is scheduled to change it ({why})"));
            }
        }
    }
}

/// The `rollout history` table (`printHistory`) from (revision, change-cause) pairs, or one
/// revision's pod template.
fn print_history(
    qualified: &str,
    rows: &[(i64, Option<String>, PodTemplateSpec)],
    revision: Option<i64>,
) -> Result<Output, String> {
    if let Some(r) = revision {
        let (_, _, t) = rows
            .iter()
            .find(|(n, _, _)| *n == r)
            .ok_or_else(|| format!("error: unable to find the specified revision {r}"))?;
        let mut doc = format!("{qualified} with revision #{r}\nPod Template:\n");
        doc.push_str(&super::describe_template(t));
        return Ok(Output::out(doc));
    }
    if rows.is_empty() {
        return Ok(Output::out(format!(
            "{qualified} \nNo rollout history found."
        )));
    }
    let mut text = String::from("REVISION\tCHANGE-CAUSE\n");
    for (n, cause, _) in rows {
        text.push_str(&format!("{n}\t{}\n", cause.as_deref().unwrap_or("<none>")));
    }
    Ok(Output::out(format!(
        "{qualified} \n{}\n",
        tabwriter::align(&text, 0, 2)
    )))
}

fn history(world: &mut World, args: &Args) -> Result<Output, String> {
    let t = target(world, args)?;
    let cause = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        crate::controllers::deployment::util::annotation(m, CHANGE_CAUSE).map(String::from)
    };
    let rows: Vec<(i64, Option<String>, PodTemplateSpec)> = match &t {
        Target::Deployment(d) => owned_replica_sets(world, d)
            .iter()
            .filter(|rs| revision(rs) > 0)
            .map(|rs| {
                (
                    revision(rs),
                    cause(&rs.metadata),
                    rs.spec.template.clone().unwrap_or_default(),
                )
            })
            .collect(),
        Target::StatefulSet(_) | Target::DaemonSet(_) => owned_revisions(world, t.meta())
            .iter()
            .map(|r| {
                (
                    sts_history::number(r),
                    cause(&r.metadata),
                    sts_history::template_of(r).unwrap_or_default(),
                )
            })
            .collect(),
    };
    print_history(&t.qualified(), &rows, args.int("revision")?)
}

/// Client-side rollback, as kubectl does it for apps/v1.
fn undo(world: &mut World, args: &Args) -> Result<Output, String> {
    match target(world, args)? {
        Target::Deployment(d) => undo_deployment(world, args, d),
        t @ (Target::StatefulSet(_) | Target::DaemonSet(_)) => undo_from_revisions(world, args, t),
    }
}

fn undo_deployment(world: &mut World, args: &Args, d: Deployment) -> Result<Output, String> {
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
    write(world, Target::Deployment(nd))?;
    Ok(Output::out(format!("deployment.apps/{name} rolled back")))
}

/// `StatefulSetRollbacker` / `DaemonSetRollbacker`: copies the chosen revision's template into
/// the set; the controller then sees an old template and bumps that revision.
fn undo_from_revisions(world: &mut World, args: &Args, mut t: Target) -> Result<Output, String> {
    let q = t.qualified();
    let to = args.int("to-revision")?.unwrap_or(0);
    if to < 0 {
        return Err(format!(
            "error: unable to find specified revision {to} in history"
        ));
    }
    let revisions = owned_revisions(world, t.meta());
    if to == 0 && revisions.len() <= 1 {
        return Err("error: no last revision to roll back to".into());
    }
    let chosen = if to == 0 {
        revisions.get(revisions.len() - 2)
    } else {
        revisions.iter().find(|r| sts_history::number(r) == to)
    };
    let Some(template) = chosen.and_then(sts_history::template_of) else {
        return Err(format!(
            "error: unable to find specified revision {to} in history"
        ));
    };
    if *t.template_mut() == template {
        return Ok(Output::out(format!(
            "{q} skipped rollback (current template already matches revision {to})"
        )));
    }
    *t.template_mut() = template;
    write(world, t)?;
    Ok(Output::out(format!("{q} rolled back")))
}

fn pause(world: &mut World, args: &Args, on: bool) -> Result<Output, String> {
    let verb = if on { "paused" } else { "resumed" };
    let mut d = match target(world, args)? {
        Target::Deployment(d) => d,
        t => {
            return Err(format!(
                "error: {} {:?} {} is not supported",
                crate::store::resource_name(t.kind()),
                t.name(),
                if on { "pausing" } else { "resuming" }
            ))
        }
    };
    let name = d.metadata.name.clone().unwrap_or_default();
    if d.spec.paused.unwrap_or(false) == on {
        return Ok(Output::out(format!(
            "deployment.apps/{name} already {verb}"
        )));
    }
    d.spec.paused = if on { Some(true) } else { None };
    write(world, Target::Deployment(d))?;
    Ok(Output::out(format!("deployment.apps/{name} {verb}")))
}

fn restart(world: &mut World, args: &Args) -> Result<Output, String> {
    let mut t = target(world, args)?;
    if let Target::Deployment(d) = &t {
        if d.spec.paused == Some(true) {
            return Err(format!("error: deployments.apps {:?} can't restart paused deployment (run rollout resume first)", t.name()));
        }
    }
    let now = world.now().rfc3339();
    t.template_mut()
        .metadata
        .get_or_insert_with(Default::default)
        .annotations
        .get_or_insert_with(Default::default)
        .insert("kubectl.kubernetes.io/restartedAt".into(), now);
    let q = t.qualified();
    write(world, t)?;
    Ok(Output::out(format!("{q} restarted")))
}
