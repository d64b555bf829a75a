//! `kubectl run NAME --image=IMAGE [flags] [-- ARGS…]`: one bare pod, as kubectl builds it.

use super::get::{find, to_json_string, to_yaml_string};
use super::{Args, Output, ResType};
use crate::manifest::{self, Written};
use crate::sim::World;
use crate::store::Kind;
use serde_json::{json, Map, Value};

/// `kubectl run`.
pub fn run(world: &mut World, args: &Args) -> Result<Output, String> {
    let Some(name) = args.positional.first().cloned() else {
        return Err("error: NAME is required for run".into());
    };
    let Some(image) = args.flag("image") else {
        return Err("error: required flag(s) \"image\" not set".into());
    };
    if args.bool("rm") || args.bool("stdin") || args.bool("tty") || args.bool("attach") {
        return Err("error: kubeplay cannot attach a terminal to a pod: run it without -i, -t, --attach and --rm, then use `kubectl exec NAME -- COMMAND`".into());
    }
    let restart = args.flag("restart").unwrap_or("Always");
    if !["Always", "OnFailure", "Never"].contains(&restart) {
        return Err(format!("error: invalid restart policy: {restart}"));
    }
    let ns = args.flag("namespace").unwrap_or("default").to_string();
    let mut labels = Map::new();
    match args.flag("labels") {
        Some(l) => {
            for pair in l.split(',').filter(|p| !p.is_empty()) {
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(format!("error: invalid label spec: {pair}"));
                };
                labels.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
        None => {
            labels.insert("run".into(), Value::String(name.clone()));
        }
    }
    let mut container = json!({"name": name, "image": image, "resources": {}});
    let rest: Vec<Value> = args.positional[1..]
        .iter()
        .map(|a| Value::String(a.clone()))
        .collect();
    if !rest.is_empty() {
        let field = if args.bool("command") {
            "command"
        } else {
            "args"
        };
        container[field] = Value::Array(rest);
    }
    if let Some(port) = args.int("port")? {
        container["ports"] = json!([{"containerPort": port}]);
    }
    let env: Vec<Value> = args
        .all("env")
        .iter()
        .map(|e| {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            json!({"name": k, "value": v})
        })
        .collect();
    if !env.is_empty() {
        container["env"] = Value::Array(env);
    }
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
    });
    match args.flag("dry-run") {
        None | Some("none") | Some("false") => {}
        Some("client") | Some("true") | Some("server") => {
            let mut shown = pod.clone();
            shown["metadata"]["creationTimestamp"] = Value::Null;
            shown["status"] = json!({});
            return Ok(match args.flag("output").unwrap_or("") {
                "yaml" => Output::out(to_yaml_string(&shown)),
                "json" => Output::out(to_json_string(&shown)),
                _ => Output::out(format!("pod/{name} created (dry run)")),
            });
        }
        Some(other) => {
            let allowed = "Must be \"none\", \"server\", or \"client\".";
            return Err(format!("error: Invalid dry-run value ({other}). {allowed}"));
        }
    }
    if find(world, ResType::Sim(Kind::Pod), &ns, &name).is_some() {
        return Err(format!(
            "Error from server (AlreadyExists): pods {name:?} already exists"
        ));
    }
    if !world.store().namespace_exists(&ns) {
        return Err(format!(
            "Error from server (NotFound): namespaces {ns:?} not found"
        ));
    }
    match manifest::replace(world, &pod) {
        Ok(Written::Created) => Ok(Output::out(format!("pod/{name} created"))),
        Ok(_) => Err(format!(
            "Error from server (AlreadyExists): pods {name:?} already exists"
        )),
        Err(e) => Err(super::patch::invalid(&e)),
    }
}
