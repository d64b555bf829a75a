//! Simulation commands: `sim advance|step|settle|time|why|node add|fail|recover`.

use super::{Args, Output};
use crate::cluster::{parse_taint, NodeSpec};
use crate::quantity;
use crate::sim::{World, END_OF_TIME};
use crate::time::{human_duration, parse_duration, Dur};

/// Why the clock cannot go on: it stops at [`END_OF_TIME`].
fn end_of_time(world: &World) -> String {
    let left = END_OF_TIME.since(world.now());
    format!(
        "error: the simulated clock stops {} after the cluster starts (kubeplay's limit); {} (start a new session to go on)",
        human_duration(Dur(END_OF_TIME.0)),
        if left == Dur::ZERO {
            "it is there now".to_string()
        } else {
            format!("{} are left", human_duration(left))
        }
    )
}

pub fn sim(world: &mut World, args: &Args) -> Result<Output, String> {
    let words: Vec<&str> = args.positional.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["advance", d] | ["advance", d, ..] => {
            let d = parse_duration(d).map_err(|e| format!("error: {e}"))?;
            let left = END_OF_TIME.since(world.now());
            if d > left {
                return Err(end_of_time(world));
            }
            world.advance(d);
            Ok(Output::out(format!(
                "advanced {} to {}",
                human_duration(d),
                world.now().clock()
            )))
        }
        ["advance"] => Err("error: sim advance needs a duration, e.g. sim advance 30s".into()),
        ["step"] | ["step", ..] => {
            let n: u64 = match words.get(1) {
                Some(v) => v
                    .parse()
                    .map_err(|_| format!("error: invalid step count {v:?}"))?,
                None => 1,
            };
            let mut ran = 0;
            for _ in 0..n {
                if !world.step() {
                    break;
                }
                ran += 1;
            }
            Ok(Output::out(format!(
                "ran {ran} step{} to {}",
                if ran == 1 { "" } else { "s" },
                world.now().clock()
            )))
        }
        ["settle"] => {
            let limit = match args.flag("limit") {
                Some(l) => parse_duration(l).map_err(|e| format!("error: {e}"))?,
                None => Dur::mins(15),
            };
            let s = world.settle(limit);
            let mut msg = format!("{s} (clock {})", world.now().clock());
            if !s.settled && world.now() >= END_OF_TIME {
                msg = format!("{msg}; {}", end_of_time(world).trim_start_matches("error: "));
            }
            if s.settled {
                Ok(Output::out(msg))
            } else {
                Ok(Output::out("").with_warnings(&[format!("warning: {msg}")]))
            }
        }
        ["time"] => Ok(Output::out(format!(
            "{} ({} elapsed since the cluster started)",
            world.now().rfc3339(),
            human_duration(Dur(world.now().0))
        ))),
        ["why", target] | ["explain", target] => {
            let ns = args.flag("namespace").unwrap_or("default");
            crate::explain::explain(world, target, ns).map(Output::out)
        }
        ["why"] | ["explain"] => {
            Err("error: sim why needs an object, e.g. sim why pod/web-0".into())
        }
        ["node", "add", name] => {
            let mut spec = NodeSpec::worker(name);
            if let Some(c) = args.flag("cpu") {
                spec.cpu_millis =
                    quantity::cpu_millis(c).map_err(|e| format!("error: --cpu: {e}"))?;
            }
            if let Some(m) = args.flag("memory") {
                spec.memory_bytes =
                    quantity::bytes(m).map_err(|e| format!("error: --memory: {e}"))?;
            }
            if let Some(p) = args.int("pods")? {
                spec.pods = p;
            }
            if spec.cpu_millis <= 0 || spec.memory_bytes <= 0 || spec.pods <= 0 {
                return Err("error: a node needs positive --cpu, --memory and --pods".into());
            }
            crate::labels::check_dns1123_subdomain(name)
                .map_err(|m| format!("error: invalid node name {name:?}: {m}"))?;
            for l in args.all("label") {
                let (k, v) = l.split_once('=').unwrap_or((l, ""));
                crate::labels::check_key(k)
                    .map_err(|m| format!("error: invalid label key {k:?}: {m}"))?;
                crate::labels::check_value(v)
                    .map_err(|m| format!("error: invalid label value {v:?}: {m}"))?;
                spec.labels.insert(k.into(), v.into());
            }
            for t in args.all("taint") {
                spec.taints
                    .push(parse_taint(t).map_err(|e| format!("error: {e}"))?);
            }
            world
                .add_node(spec)
                .map_err(|e| format!("Error from server (AlreadyExists): {e}"))?;
            Ok(Output::out(format!("node/{name} created")))
        }
        ["node", "add"] => Err("error: sim node add needs a name".into()),
        ["node", "fail", name] => {
            world.fail_node(name)?;
            Ok(Output::out(format!(
                "node/{name} failed: its kubelet stopped posting status"
            )))
        }
        ["node", "recover", name] => {
            world.recover_node(name)?;
            Ok(Output::out(format!(
                "node/{name} recovered: its kubelet is posting status again"
            )))
        }
        ["node", verb @ ("fail" | "recover")] => Err(format!("error: sim node {verb} needs a name")),
        [] => {
            Err("error: sim needs a subcommand: advance, step, settle, time, why, node add|fail|recover".into())
        }
        other => Err(format!(
            "error: unknown sim command {:?}; run help",
            other.join(" ")
        )),
    }
}
