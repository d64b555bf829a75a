//! `kubectl exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]`, with kubectl's checks and
//! messages (`pkg/cmd/exec/exec.go`) and the container runtime's for what cannot start.

use super::{Args, Output};
use crate::controllers::kubelet::CState;
use crate::exec::images::{self, Flavour};
use crate::exec::shell::{Shell, ShellKind};
use crate::exec::{Mount, Proc};
use crate::files::{normalize, FsId};
use crate::podutil;
use crate::sim::World;
use crate::store::Key;
use k8s_openapi::api::core::v1::Pod;

const HELP: &str = "See 'kubectl exec -h' for help and examples";
const FLAGS: &[&str] = &["namespace", "container", "stdin", "tty", "quiet", "help"];

/// Runs `exec` from the words after the verb.
pub fn exec(world: &mut World, words: &[String]) -> Result<Output, String> {
    let dash = words.iter().position(|w| w == "--");
    let (before, command) = match dash {
        Some(i) => (&words[..i], Some(&words[i + 1..])),
        None => (words, None),
    };
    let args = Args::parse(before)
        .map_err(|e| format!("error: {e}\nSee 'kubectl exec --help' for usage."))?;
    if let Some((name, _)) = args
        .flags
        .iter()
        .find(|(n, _)| !FLAGS.contains(&n.as_str()))
    {
        return Err(format!(
            "error: unknown flag: --{name}\nSee 'kubectl exec --help' for usage."
        ));
    }
    if args.bool("help") {
        return Ok(Output::out(
            "Execute a command in a container.\n\nUsage:\n  kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
        ));
    }
    let argv: Vec<String> = match command {
        Some(c) => c.to_vec(),
        None if args.positional.len() > 1 => {
            return Err(format!(
                "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n{HELP}"
            ))
        }
        None => Vec::new(),
    };
    let Some(target) = args.positional.first() else {
        return Err("error: pod, type/name or --filename must be specified".into());
    };
    if argv.is_empty() {
        return Err("error: you must specify at least one command for the container".into());
    }
    let name = match target.split_once('/') {
        Some(("pod" | "pods" | "po", n)) => n,
        Some((t, _)) => {
            return Err(format!(
                "error: kubeplay runs exec in pods only (pod/NAME), not in {t:?}"
            ))
        }
        None => target.as_str(),
    };
    let ns = args.flag("namespace").unwrap_or("default").to_string();
    let pod = world
        .store()
        .pods
        .get(&Key::new(ns.as_str(), name))
        .cloned()
        .ok_or_else(|| format!("Error from server (NotFound): pods {name:?} not found"))?;
    let phase = podutil::phase(&pod);
    if phase == "Succeeded" || phase == "Failed" {
        return Err(format!(
            "error: cannot exec into a container in a completed pod; current phase is {phase}"
        ));
    }
    let spec = pod.spec.clone().unwrap_or_default();
    let mut notes = String::new();
    let container = match args.flag("container") {
        Some(c) => c.to_string(),
        None => {
            let default = pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
                .filter(|d| spec.containers.iter().any(|c| &c.name == *d))
                .cloned();
            let first = spec
                .containers
                .first()
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let chosen = default.clone().unwrap_or(first);
            if default.is_none() && spec.containers.len() > 1 && !args.bool("quiet") {
                let all: Vec<&str> = spec.containers.iter().map(|c| c.name.as_str()).collect();
                notes.push_str(&format!(
                    "Defaulted container {chosen:?} out of: {}\n",
                    all.join(", ")
                ));
            }
            chosen
        }
    };
    let Some(node) = podutil::node_name(&pod).map(String::from) else {
        return Err(format!(
            "Error from server (BadRequest): pod {name} does not have a host assigned"
        ));
    };
    let not_found =
        format!("error: unable to upgrade connection: container not found ({container:?})");
    let Some(cspec) = spec
        .containers
        .iter()
        .find(|c| c.name == container)
        .cloned()
    else {
        return Err(not_found);
    };
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let rt = world.runtime(&uid).cloned();
    let Some(crt) = rt
        .as_ref()
        .and_then(|r| r.containers.iter().find(|c| c.name == container))
    else {
        return Err(not_found);
    };
    match crt.state {
        CState::Running { .. } => {}
        _ if crt.container_seq == 0 => return Err(not_found),
        _ => return Err("error: Internal error occurred: error executing command in container: failed to exec in container: container is in CONTAINER_EXITED state".into()),
    }
    let image = cspec.image.clone().unwrap_or_default();
    let seq = crt.container_seq;
    let pod_ip = pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    let hostname = spec.hostname.clone().unwrap_or_else(|| name.to_string());
    let hosts_line = match spec.subdomain.as_deref().filter(|s| !s.is_empty()) {
        Some(sub) => format!("{pod_ip}\t{hostname}.{sub}.{ns}.svc.cluster.local\t{hostname}"),
        None => format!("{pod_ip}\t{hostname}"),
    };
    let mounts = mounts(world, &pod, &cspec, &node);
    let base = images::initial_files(&image, &hostname, &hosts_line, &ns);
    let flavour = images::flavour(&image);
    let now = world.now();
    let tty = args.bool("tty");
    // The files are taken out of the world while the command runs, so that `nslookup` can read
    // the rest of it.
    let mut files = std::mem::take(world.files_mut());
    let (outcome, wrote) = {
        let world: &World = world;
        let lookup = |n: &str| crate::dns::nslookup(world, &pod, n);
        let mut proc = Proc {
            files: &mut files,
            root: FsId::Layer(uid.clone(), container.clone(), seq),
            base,
            mounts,
            flavour,
            hostname,
            pod_ip,
            nginx: images::nginx_version(&image),
            now,
            wrote: false,
        };
        let kind = match flavour {
            Flavour::Debian => ShellKind::Dash,
            Flavour::Busybox => ShellKind::Ash,
        };
        let mut shell = Shell::new(&mut proc, kind);
        shell.nslookup = Some(&lookup);
        let outcome = shell.run_argv(&argv);
        drop(shell);
        (outcome, proc.wrote)
    };
    *world.files_mut() = files;
    if wrote {
        world.note(&format!("exec {ns}/{name} {container} {}", argv.join(" ")));
    }
    let Some(mut o) = outcome else {
        let prog = &argv[0];
        let why = if prog.contains('/') {
            format!("exec: {prog:?}: stat {prog}: no such file or directory")
        } else {
            format!("exec: {prog:?}: executable file not found in $PATH")
        };
        return Err(format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec {:?}: OCI runtime exec failed: exec failed: unable to start container process: {why}: unknown",
            exec_id(&uid, &argv, now.0)
        ));
    };
    if tty {
        // One terminal: the command's stderr shows among its output.
        let err = std::mem::take(&mut o.stderr);
        o.stdout.push_str(&err);
    }
    let mut stderr = notes;
    stderr.push_str(&o.stderr);
    if o.code != 0 {
        stderr.push_str(&format!("command terminated with exit code {}\n", o.code));
    }
    Ok(Output {
        stdout: o.stdout,
        stderr,
        ok: o.code == 0,
    })
}

/// A container runtime exec id: 64 hex digits, stable for the same request.
fn exec_id(uid: &str, argv: &[String], now: u64) -> String {
    let seed = uid
        .bytes()
        .chain(argv.join(" ").bytes())
        .fold(now ^ 0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
    let mut r = crate::rng::Rng::new(seed);
    (0..4).map(|_| format!("{:016x}", r.next_u64())).collect()
}

/// The container's volume mounts, longest path first.
fn mounts(
    world: &World,
    pod: &Pod,
    c: &k8s_openapi::api::core::v1::Container,
    node: &str,
) -> Vec<Mount> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let vols = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for m in c.volume_mounts.iter().flatten() {
        let Some(v) = vols.iter().find(|v| v.name == m.name) else {
            continue;
        };
        let mut read_only = m.read_only == Some(true);
        let (fs, sub) = if let Some(claim) = &v.persistent_volume_claim {
            read_only |= claim.read_only == Some(true);
            let pv = world
                .store()
                .persistentvolumeclaims
                .get(&Key::new(ns, claim.claim_name.as_str()))
                .and_then(|c| c.spec.as_ref()?.volume_name.clone());
            let Some(pv) = pv else {
                continue;
            };
            (FsId::Volume(pv), "/".to_string())
        } else if let Some(h) = &v.host_path {
            (FsId::Host(node.to_string()), normalize("/", &h.path))
        } else {
            // emptyDir, and (empty, read-only here) configMap/secret/projected volumes.
            read_only |= v.empty_dir.is_none();
            (FsId::EmptyDir(uid.clone(), v.name.clone()), "/".to_string())
        };
        let sub = match m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            Some(sp) => normalize(&sub, sp),
            None => sub,
        };
        out.push(Mount {
            path: normalize("/", &m.mount_path),
            fs,
            sub,
            read_only,
        });
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.path.len()));
    out
}
