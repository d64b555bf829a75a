//! Seeded randomized tests: random Deployment operations interleaved with simulated time, with
//! named invariants checked after every single step of the simulation. A failure names the seed
//! that reproduces it; `KUBEPLAY_SEEDS=N` and `KUBEPLAY_OPS=N` run longer.

use kubeplay_core::controllers::deployment::util::{max_surge, max_unavailable, rs_replicas};
use kubeplay_core::controllers::podgc;
use kubeplay_core::kubectl::{run, NoFiles};
use kubeplay_core::podutil;
use kubeplay_core::rng::Rng;
use kubeplay_core::store::{controller_ref, Key};
use kubeplay_core::time::{Dur, SimTime};
use kubeplay_core::World;
use std::collections::BTreeMap;

const NAMES: [&str; 3] = ["alpha", "beta", "gamma"];
const GOOD_IMAGES: [&str; 4] = [
    "nginx:1.25.0",
    "nginx:1.25.1",
    "nginx:1.25.2",
    "nginx:1.25.3",
];
const FENCEPOSTS: [&str; 5] = ["0", "1", "2", "25%", "50%"];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn manifest(name: &str, replicas: u64, surge: &str, unav: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  strategy:\n    rollingUpdate:\n      maxSurge: {surge}\n      maxUnavailable: {unav}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: web\n        image: {image}\n        resources:\n          requests:\n            cpu: 100m\n            memory: 64Mi\n"
    )
}

/// Per-deployment knowledge the checker keeps between steps.
#[derive(Default, Clone)]
struct Tracked {
    /// Set once the Deployment has completed at its current size with only good images and no
    /// disruption since: from then on availability must never drop below the floor.
    clean: bool,
    /// Set when a new strategy may have lowered maxSurge below the surge already made; cleared
    /// once the total is back within the new bound.
    surge_lowered: bool,
}

fn available_pods(world: &World, d: &kubeplay_core::k8s_openapi::api::apps::v1::Deployment) -> i32 {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    world
        .store()
        .replicasets
        .owned_by(&uid)
        .flat_map(|rs| {
            world
                .store()
                .pods
                .owned_by(rs.metadata.uid.as_deref().unwrap_or_default())
        })
        .filter(|p| podutil::is_active(p) && podutil::is_ready(p))
        .count() as i32
}

/// The store's placement index (pods by node with their summed requests, and the ones with
/// inter-pod affinity), which the scheduler reads instead of every pod, equals what summing
/// every pod from scratch gives.
fn check_placement_index(world: &World) -> Result<(), String> {
    use kubeplay_core::podutil::{self, NodeUsage};
    let s = world.store();
    let mut usage: BTreeMap<String, NodeUsage> = BTreeMap::new();
    let mut pods: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut affine: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in s.pods.iter().filter(|p| !podutil::is_terminal(p)) {
        let Some(node) = podutil::node_name(p) else {
            continue;
        };
        usage.entry(node.into()).or_default().add(p);
        let name = p.metadata.name.clone().unwrap_or_default();
        pods.entry(node.into()).or_default().push(name.clone());
        let a = p.spec.as_ref().and_then(|s| s.affinity.as_ref());
        if a.is_some_and(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some()) {
            affine.entry(node.into()).or_default().push(name);
        }
    }
    let indexed: BTreeMap<String, NodeUsage> = s
        .pods
        .placed_nodes()
        .map(|(n, u)| (n.to_string(), u.clone()))
        .collect();
    if indexed != usage {
        return Err(format!(
            "placement index: usage {indexed:?} but the pods sum to {usage:?}"
        ));
    }
    let names = |it: &mut dyn Iterator<Item = &kubeplay_core::k8s_openapi::api::core::v1::Pod>| {
        it.map(|p| p.metadata.name.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let mut owned: BTreeMap<(String, String), usize> = BTreeMap::new();
    for p in s.pods.iter().filter(|p| !podutil::is_terminal(p)) {
        let Some(node) = podutil::node_name(p) else {
            continue;
        };
        let mut uids: Vec<&String> = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .map(|r| &r.uid)
            .collect();
        uids.dedup();
        for uid in uids {
            *owned.entry((node.to_string(), uid.clone())).or_default() += 1;
        }
    }
    for ((node, uid), n) in &owned {
        let indexed = s.pods.count_owned_on(node, uid);
        if indexed != *n {
            return Err(format!(
                "placement index: {node} has {indexed} pods of {uid}, not {n}"
            ));
        }
    }
    for node in usage.keys() {
        let on = names(&mut s.pods.on_node(node));
        if on != pods[node] {
            return Err(format!(
                "placement index: {node} lists {on:?}, not {:?}",
                pods[node]
            ));
        }
        let with = names(&mut s.pods.with_affinity_on(node));
        if with != affine.get(node).cloned().unwrap_or_default() {
            return Err(format!(
                "placement index: {node} lists {with:?} with affinity"
            ));
        }
    }
    Ok(())
}

/// The named invariants, checked after every step.
fn check(world: &World, tracked: &mut BTreeMap<String, Tracked>) -> Result<(), String> {
    check_deployments(world, tracked, true, false)
}

/// The Deployment invariants; a Deployment starts being held to its availability floor only when
/// `may_become_clean` (callers that disturb nodes pass false until the disturbance is over).
/// Callers that delete nodes pass `nodes_may_go` and check the pods left on them with
/// `check_nodes`.
fn check_deployments(
    world: &World,
    tracked: &mut BTreeMap<String, Tracked>,
    may_become_clean: bool,
    nodes_may_go: bool,
) -> Result<(), String> {
    check_placement_index(world)?;
    let s = world.store();
    // one controller per pod
    for p in s.pods.iter() {
        let n = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .filter(|r| r.controller == Some(true))
            .count();
        if n > 1 {
            return Err(format!(
                "one controller per pod: {} has {n}",
                p.metadata.name.clone().unwrap_or_default()
            ));
        }
    }
    // no pod bound to a node that does not exist; nodes never over-committed by requests
    let usage = kubeplay_core::controllers::scheduler::node_usage(s);
    for (node, u) in &usage {
        let Some(n) = s
            .nodes
            .get(&kubeplay_core::store::Key::cluster(node.clone()))
        else {
            if nodes_may_go {
                continue;
            }
            return Err(format!("pod bound to missing node {node}"));
        };
        let (cpu, mem, pods) = kubeplay_core::controllers::scheduler::allocatable(n);
        if u.cpu_millis > cpu || u.memory_bytes > mem || u.pods > pods {
            return Err(format!("node {node} over-committed: {u:?}"));
        }
    }
    for d in s.deployments.iter() {
        let name = d.metadata.name.clone().unwrap_or_default();
        let want = d.spec.replicas.unwrap_or(1);
        let observed =
            d.status.as_ref().and_then(|st| st.observed_generation) == d.metadata.generation;
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let total: i32 = s.replicasets.owned_by(&uid).map(rs_replicas).sum();
        // rolling update keeps total ≤ replicas + maxSurge (once the controller has seen the spec)
        // (A smaller maxSurge applied mid-rollout is not a scaling event: upstream leaves the
        // surplus until old pods may go without breaking maxUnavailable.)
        let t = tracked.entry(name.clone()).or_default();
        if total <= want + max_surge(d) {
            t.surge_lowered = false;
        }
        if observed
            && d.spec.paused != Some(true)
            && !t.surge_lowered
            && total > want + max_surge(d)
        {
            return Err(format!("rolling update keeps total ≤ replicas + maxSurge: {name} has {total} > {want} + {}", max_surge(d)));
        }
        // rolling update keeps available ≥ replicas − maxUnavailable (while undisturbed)
        let st = d.status.clone().unwrap_or_default();
        let complete = st.updated_replicas == Some(want)
            && st.replicas == Some(want)
            && st.available_replicas == Some(want)
            && observed;
        // The status trails the pods by a sync, so a disturbance is over only once the pods
        // themselves agree that every replica is available again.
        if may_become_clean && complete && available_pods(world, d) >= want {
            t.clean = true;
        }
        if t.clean {
            let avail = available_pods(world, d);
            let floor = want - max_unavailable(d);
            if avail < floor {
                return Err(format!("rolling update keeps available ≥ replicas − maxUnavailable: {name} has {avail} < {floor}"));
            }
        }
    }
    // every ReplicaSet-controlled pod matches its ReplicaSet's selector
    for p in s.pods.iter() {
        if let Some(r) = controller_ref(&p.metadata).filter(|r| r.kind == "ReplicaSet") {
            if let Some(rs) = s.replicasets.get(&kubeplay_core::store::Key::new(
                p.metadata.namespace.clone().unwrap_or_default(),
                r.name.clone(),
            )) {
                let sel = kubeplay_core::labels::Selector::from_label_selector(&rs.spec.selector)
                    .unwrap_or_default();
                if !sel.matches_opt(p.metadata.labels.as_ref()) {
                    return Err(format!(
                        "owned pod {} does not match its ReplicaSet's selector",
                        p.metadata.name.clone().unwrap_or_default()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Runs one seeded scenario; returns a digest of the final state.
fn scenario(seed: u64, ops: usize) -> Result<String, String> {
    let mut world = World::new(seed);
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut tracked: BTreeMap<String, Tracked> = BTreeMap::new();
    let mut log = Vec::new();
    for op in 0..ops {
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        let exists = world
            .store()
            .deployments
            .iter()
            .any(|d| d.metadata.name.as_deref() == Some(name));
        let cmd = match rng.below(10) {
            0 | 1 if !exists => {
                let (surge, unav) = loop {
                    let s = FENCEPOSTS[rng.below(5) as usize];
                    let u = FENCEPOSTS[rng.below(5) as usize];
                    if !(s == "0" && u == "0") {
                        break (s, u);
                    }
                };
                let text = manifest(
                    name,
                    rng.below(7),
                    surge,
                    unav,
                    GOOD_IMAGES[rng.below(4) as usize],
                );
                let r = kubeplay_core::manifest::apply(&mut world, &text)
                    .map_err(|e| format!("seed {seed}: apply failed: {e}"))?;
                log.push(format!("{op}: apply {name}: {}", r.lines.join(",")));
                None
            }
            0..=2 => Some(format!(
                "set image deployment/{name} web={}",
                GOOD_IMAGES[rng.below(4) as usize]
            )),
            3 => {
                tracked.remove(name);
                Some(format!(
                    "scale deployment/{name} --replicas={}",
                    rng.below(9)
                ))
            }
            4 => Some(format!("rollout pause deployment/{name}")),
            5 => Some(format!("rollout resume deployment/{name}")),
            6 => {
                tracked.remove(name);
                let pods: Vec<String> = world
                    .store()
                    .pods
                    .iter()
                    .filter_map(|p| p.metadata.name.clone())
                    .filter(|n| n.starts_with(name))
                    .collect();
                if pods.is_empty() {
                    None
                } else {
                    Some(format!(
                        "delete pod {}",
                        pods[rng.below(pods.len() as u64) as usize]
                    ))
                }
            }
            7 => Some(format!("rollout undo deployment/{name}")),
            8 if rng.below(4) == 0 => {
                tracked.remove(name);
                Some(format!("delete deployment {name}"))
            }
            _ => None,
        };
        if let Some(c) = cmd {
            let out = run(&mut world, &c, &NoFiles);
            log.push(format!("{op}: {c} -> ok={}", out.ok));
        }
        check(&world, &mut tracked)
            .map_err(|e| format!("seed {seed}, after op {op}: {e}\n{}", log.join("\n")))?;
        // Let time pass, checking after every step.
        let until = world.now() + Dur::ms(rng.between(50, 15_000));
        while world.next_event_at().is_some_and(|t| t <= until) {
            world.step();
            check(&world, &mut tracked).map_err(|e| {
                format!(
                    "seed {seed}, during op {op} at {}: {e}\n{}",
                    world.now().clock(),
                    log.join("\n")
                )
            })?;
        }
        world.advance(Dur::ZERO);
    }
    // Eventually: resume everything, settle, and every Deployment is complete on one ReplicaSet.
    for name in NAMES {
        run(
            &mut world,
            &format!("rollout resume deployment/{name}"),
            &NoFiles,
        );
    }
    let settled = world.settle(Dur::mins(30));
    if !settled.settled {
        return Err(format!("seed {seed}: did not settle: {settled}"));
    }
    check(&world, &mut tracked).map_err(|e| format!("seed {seed}, after settling: {e}"))?;
    for d in world.store().deployments.iter() {
        let want = d.spec.replicas.unwrap_or(1);
        let st = d.status.clone().unwrap_or_default();
        let name = d.metadata.name.clone().unwrap_or_default();
        if st.updated_replicas != Some(want)
            || st.available_replicas != Some(want)
            || st.replicas != Some(want)
        {
            return Err(format!(
                "seed {seed}: eventually complete: {name} status {st:?} wants {want}"
            ));
        }
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let active = world
            .store()
            .replicasets
            .owned_by(&uid)
            .filter(|r| rs_replicas(r) > 0)
            .count();
        if want > 0 && active != 1 {
            return Err(format!(
                "seed {seed}: eventually one active ReplicaSet: {name} has {active}"
            ));
        }
    }
    let dump = run(&mut world, "get all -A -o json", &NoFiles).stdout
        + &run(&mut world, "get events -A", &NoFiles).stdout;
    Ok(format!("{:016x}\n{dump}", world.trace_hash()))
}

#[test]
fn deployment_invariants_hold_after_every_step() {
    let seeds = env_usize("KUBEPLAY_SEEDS", 12);
    let ops = env_usize("KUBEPLAY_OPS", 40);
    for seed in 1..=seeds as u64 {
        if let Err(e) = scenario(seed, ops) {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    for seed in [3, 7] {
        let a = scenario(seed, 25).expect("scenario runs");
        let b = scenario(seed, 25).expect("scenario runs");
        assert_eq!(a, b, "seed {seed} is not deterministic");
    }
    assert_ne!(
        scenario(3, 25).unwrap(),
        scenario(4, 25).unwrap(),
        "different seeds should give different runs"
    );
}

/// Storage invariants, after every simulation step: binding is one-to-one (a volume is bound to
/// at most one claim, and a Bound claim's volume names it back); a volume never shrinks below
/// its claim's request.
fn check_storage(w: &World) -> Result<(), String> {
    let s = w.store();
    let mut bound_to: BTreeMap<String, String> = BTreeMap::new();
    for c in s.persistentvolumeclaims.iter() {
        let name = c.metadata.name.clone().unwrap_or_default();
        let phase = c.status.as_ref().and_then(|st| st.phase.clone());
        let vol = c.spec.as_ref().and_then(|sp| sp.volume_name.clone());
        if phase.as_deref() != Some("Bound") {
            continue;
        }
        let Some(v) = vol else {
            return Err(format!("claim {name} is Bound without spec.volumeName"));
        };
        if let Some(other) = bound_to.insert(v.clone(), name.clone()) {
            return Err(format!("volume {v} is bound to both {other} and {name}"));
        }
        let pv = s
            .persistentvolumes
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(v.as_str()))
            .ok_or_else(|| format!("claim {name} is Bound to missing volume {v}"))?;
        let back = pv
            .spec
            .as_ref()
            .and_then(|sp| sp.claim_ref.as_ref())
            .and_then(|r| r.uid.clone());
        if back != c.metadata.uid {
            return Err(format!(
                "claim {name} is Bound to {v}, whose claimRef is {back:?}"
            ));
        }
        let cap = kubeplay_core::controllers::volume::volume_capacity(pv);
        let req = kubeplay_core::controllers::volume::claim_request(c);
        if cap < req {
            return Err(format!(
                "volume {v} ({cap}) is smaller than claim {name} ({req})"
            ));
        }
    }
    Ok(())
}

#[test]
fn storage_binding_is_one_to_one_under_random_operations() {
    let mut bound_seen = 0;
    for seed in 0..env_usize("KUBEPLAY_STORAGE_SEEDS", 8) as u64 {
        let mut rng = Rng::new(seed);
        let mut w = World::new(seed);
        for op in 0..40 {
            let n = rng.below(6);
            let size = ["1Gi", "2Gi", "5Gi"][rng.below(3) as usize];
            let class = ["", "standard", "manual"][rng.below(3) as usize];
            let line = match rng.below(4) {
                0 => format!(
                    "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv-{n}\nspec:\n  capacity:\n    storage: {size}\n  accessModes: [ReadWriteOnce]\n  storageClassName: \"{class}\"\n"
                ),
                1 | 2 => format!(
                    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c-{n}\nspec:\n  storageClassName: \"{class}\"\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {size}\n"
                ),
                _ => String::new(),
            };
            // Volumes are created, never edited, here: the API server lets an administrator
            // change a bound volume's capacity, which would break the capacity invariant by hand.
            let pv_exists = w
                .store()
                .persistentvolumes
                .iter()
                .any(|p| p.metadata.name.as_deref() == Some(format!("pv-{n}").as_str()));
            if line.contains("kind: PersistentVolume\n") && pv_exists {
                continue;
            }
            if line.is_empty() {
                let what = if rng.below(2) == 0 { "pvc" } else { "pv" };
                let prefix = if what == "pvc" { "c" } else { "pv" };
                run(&mut w, &format!("delete {what} {prefix}-{n}"), &NoFiles);
            } else {
                // Updates of existing claims may be refused (immutable spec): that is fine.
                let _ = kubeplay_core::manifest::apply(&mut w, &line);
            }
            for _ in 0..rng.between(0, 20) {
                if !w.step() {
                    break;
                }
                if let Err(e) = check_storage(&w) {
                    panic!("seed {seed}, operation {op}: {e}");
                }
            }
        }
        let settled = w.settle(Dur::mins(5));
        assert!(settled.settled, "seed {seed}: {settled}");
        check_storage(&w).unwrap_or_else(|e| panic!("seed {seed} at the end: {e}"));
        // Eventually: every claim of the default class is Bound (it provisions on demand).
        for c in w.store().persistentvolumeclaims.iter() {
            let class = c.spec.as_ref().and_then(|s| s.storage_class_name.clone());
            let phase = c.status.as_ref().and_then(|s| s.phase.clone());
            if phase.as_deref() == Some("Bound") {
                bound_seen += 1;
            }
            if class.as_deref() == Some("standard") && c.metadata.deletion_timestamp.is_none() {
                assert_eq!(
                    phase.as_deref(),
                    Some("Bound"),
                    "seed {seed}: claim {:?} of class standard",
                    c.metadata.name
                );
            }
        }
    }
    assert!(bound_seen > 0, "the operations should bind some claims");
}

fn volume_deployment(name: &str, claim: &str, replicas: u64, recreate: bool) -> String {
    let strategy = if recreate {
        "  strategy:\n    type: Recreate\n"
    } else {
        ""
    };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n{strategy}  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        volumeMounts:\n        - name: data\n          mountPath: /data\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: {claim}\n"
    )
}

fn claim(name: &str, mode: &str) -> String {
    format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  accessModes: [{mode}]\n  resources:\n    requests:\n      storage: 1Gi\n")
}

/// Attach invariants, after every step: a volume that cannot be multi-attached (ReadWriteOnce,
/// ReadWriteOncePod) is attached to at most one node; a pod whose containers have started has
/// every attachable volume attached to its own node.
fn check_attach(w: &World) -> Result<(), String> {
    use kubeplay_core::controllers::attachdetach;
    let s = w.store();
    for pv in s.persistentvolumes.iter() {
        let name = pv.metadata.name.clone().unwrap_or_default();
        // The router's shortcut (one pod's own answer) agrees with the desired state.
        let users: Vec<_> = attachdetach::desired(s, pv)
            .into_values()
            .flatten()
            .map(|p| p.metadata.uid.clone())
            .collect();
        for p in s.pods.iter() {
            if attachdetach::is_user(s, pv, p) != users.contains(&p.metadata.uid) {
                return Err(format!(
                    "pod {:?} and volume {name}: is_user disagrees with the desired state",
                    p.metadata.name
                ));
            }
        }
        if attachdetach::is_desired(s, pv) == users.is_empty() {
            return Err(format!(
                "volume {name}: is_desired disagrees with the desired state"
            ));
        }
        let nodes = attachdetach::attached_nodes(s, &name);
        if !attachdetach::multi_attach_allowed(pv) && nodes.len() > 1 {
            return Err(format!(
                "a ReadWriteOnce volume is attached to one node at most: {name} is attached to {nodes:?}"
            ));
        }
    }
    for p in s.pods.iter() {
        let Some(node) = podutil::node_name(p) else {
            continue;
        };
        let started = w
            .runtime(p.metadata.uid.as_deref().unwrap_or_default())
            .is_some_and(|rt| rt.containers.iter().any(|c| c.container_seq > 0));
        // A pod left on a deleted node is the pod garbage collector's (`check_nodes`).
        let node_exists = s.nodes.get(&Key::cluster(node)).is_some();
        if !started || p.metadata.deletion_timestamp.is_some() || !node_exists {
            continue;
        }
        for (_, pv) in attachdetach::pod_volumes(s, p) {
            let name = pv.metadata.name.clone().unwrap_or_default();
            if attachdetach::attachable(pv)
                && !attachdetach::attached_nodes(s, &name).contains(&node)
            {
                return Err(format!(
                    "pod {:?} runs on {node} without its volume {name} attached there",
                    p.metadata.name
                ));
            }
        }
    }
    Ok(())
}

/// Random scaling, restarts and pod deletions of Deployments sharing claims, checking the
/// attach invariants after every step; `each_op` and `each_step` add checks of their own.
fn volume_scenario(
    seed: u64,
    ops: usize,
    mut each_op: impl FnMut(&mut World, &mut Rng, usize) -> Result<(), String>,
    mut each_step: impl FnMut(&World) -> Result<(), String>,
) -> Result<(), String> {
    let mut w = World::new(seed);
    let mut rng = Rng::new(seed ^ 0xd15c);
    let mut log = Vec::new();
    let setup = [
        claim("solo", "ReadWriteOnce"),
        claim("many", "ReadWriteMany"),
        volume_deployment("one", "solo", 1 + rng.below(3), rng.below(2) == 0),
        volume_deployment("two", "many", 1 + rng.below(3), false),
    ]
    .join("---\n");
    kubeplay_core::manifest::apply(&mut w, &setup).map_err(|e| format!("setup: {e}"))?;
    for op in 0..ops {
        let name = ["one", "two"][rng.below(2) as usize];
        let cmd = match rng.below(5) {
            0 => Some(format!(
                "scale deployment/{name} --replicas={}",
                rng.below(4)
            )),
            1 => Some(format!("rollout restart deployment/{name}")),
            2 => {
                let pods: Vec<String> = w
                    .store()
                    .pods
                    .iter()
                    .filter_map(|p| p.metadata.name.clone())
                    .filter(|n| n.starts_with(name))
                    .collect();
                (!pods.is_empty())
                    .then(|| format!("delete pod {}", pods[rng.below(pods.len() as u64) as usize]))
            }
            _ => None,
        };
        if let Some(c) = cmd {
            let out = run(&mut w, &c, &NoFiles);
            log.push(format!("{op}: {c} -> ok={}", out.ok));
        }
        each_op(&mut w, &mut rng, op)
            .map_err(|e| format!("seed {seed}, op {op}: {e}\n{}", log.join("\n")))?;
        let until = w.now() + Dur::ms(rng.between(100, 40_000));
        while w.next_event_at().is_some_and(|t| t <= until) {
            w.step();
            check_attach(&w).and_then(|_| each_step(&w)).map_err(|e| {
                format!(
                    "seed {seed}, during op {op} at {}: {e}\n{}",
                    w.now().clock(),
                    log.join("\n")
                )
            })?;
        }
        w.advance(Dur::ZERO);
    }
    Ok(())
}

#[test]
fn a_read_write_once_volume_is_never_attached_to_two_nodes() {
    let seeds = env_usize("KUBEPLAY_SEEDS", 8);
    let ops = env_usize("KUBEPLAY_OPS", 30);
    for seed in 1..=seeds as u64 {
        if let Err(e) = volume_scenario(seed, ops, |_, _, _| Ok(()), |_| Ok(())) {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
}

/// After settling, every Endpoints object lists exactly the ready, non-terminating selected
/// pods' IPs under `addresses`, and every managed EndpointSlice of the Service lists each
/// selected pod with an IP once.
fn check_services_settled(w: &World) -> Result<(), String> {
    use kubeplay_core::controllers::{endpoints, endpointslice};
    use std::collections::BTreeSet;
    let s = w.store();
    for svc in s.services.iter() {
        if endpoints::selector(svc).is_none() {
            continue;
        }
        let key = kubeplay_core::store::Key::of(&svc.metadata);
        let publish = svc
            .spec
            .as_ref()
            .and_then(|sp| sp.publish_not_ready_addresses)
            .unwrap_or(false);
        let want: BTreeSet<String> = endpoints::selected_pods(s, svc)
            .into_iter()
            .filter(|p| endpoints::should_pod_be_in_endpoints(p, publish))
            .filter(|p| publish || podutil::is_ready(p))
            .filter_map(|p| endpoints::pod_ip(p).map(String::from))
            .collect();
        let ep = s
            .endpoints
            .get(&key)
            .ok_or_else(|| format!("service {key} has no Endpoints"))?;
        let got: BTreeSet<String> = ep
            .subsets
            .iter()
            .flatten()
            .flat_map(|ss| ss.addresses.iter().flatten())
            .map(|a| a.ip.clone())
            .collect();
        if got != want {
            return Err(format!(
                "Endpoints {key} lists {got:?}, the ready selected pods are {want:?}"
            ));
        }
        let in_slices: Vec<String> = endpointslice::managed_slices(s, &key.namespace, &key.name)
            .into_iter()
            .flat_map(|sl| sl.endpoints.iter().flatten())
            .flat_map(|e| e.addresses.iter().cloned())
            .collect();
        let with_ip: BTreeSet<String> = endpoints::selected_pods(s, svc)
            .into_iter()
            .filter(|p| endpoints::should_pod_be_in_endpoints(p, true))
            .filter_map(|p| endpoints::pod_ip(p).map(String::from))
            .collect();
        let unique: BTreeSet<String> = in_slices.iter().cloned().collect();
        if unique.len() != in_slices.len() || unique != with_ip {
            return Err(format!(
                "slices of {key} list {in_slices:?}, the selected pods with IPs are {with_ip:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn endpoints_list_exactly_the_ready_selected_pods_after_settling() {
    for seed in 0..env_usize("KUBEPLAY_SERVICE_SEEDS", 6) as u64 {
        let mut rng = Rng::new(seed);
        let mut w = World::new(seed);
        for op in 0..25 {
            let name = NAMES[rng.below(3) as usize];
            let line = match rng.below(7) {
                0 | 1 => manifest(
                    name,
                    rng.below(5),
                    "25%",
                    "25%",
                    GOOD_IMAGES[rng.below(4) as usize],
                ),
                2 => format!(
                    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n  ports:\n  - port: 80\n"
                ),
                3 => format!(
                    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}-headless\nspec:\n  clusterIP: None\n  publishNotReadyAddresses: {}\n  selector:\n    app: {name}\n",
                    rng.below(2) == 0
                ),
                4 => format!(
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: extra-{op}\n  labels:\n    app: {name}\n  annotations:\n    kubeplay.dev/ready-after: {}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25.3\n",
                    ["never", "3s", "0s"][rng.below(3) as usize]
                ),
                5 => {
                    let cmd = match rng.below(3) {
                        0 => format!("delete svc {name}"),
                        1 => format!("delete deployment {name}"),
                        _ => format!("delete pod -l app={name}"),
                    };
                    run(&mut w, &cmd, &NoFiles);
                    String::new()
                }
                _ => {
                    run(&mut w, &format!("delete endpoints {name}"), &NoFiles);
                    String::new()
                }
            };
            if !line.is_empty() {
                let _ = kubeplay_core::manifest::apply(&mut w, &line);
            }
            for _ in 0..rng.between(0, 30) {
                if !w.step() {
                    break;
                }
            }
        }
        let settled = w.settle(Dur::mins(10));
        assert!(settled.settled, "seed {seed}: {settled}");
        check_services_settled(&w).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// The volume a claim is bound to.
fn volume_of(w: &World, claim: &str) -> Option<String> {
    w.store()
        .persistentvolumeclaims
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some(claim))
        .and_then(|c| c.spec.as_ref()?.volume_name.clone())
}

#[test]
fn data_written_to_a_volume_is_never_lost_while_the_volume_exists() {
    use kubeplay_core::files::FsId;
    use std::cell::RefCell;
    let seeds = env_usize("KUBEPLAY_SEEDS", 8);
    let ops = env_usize("KUBEPLAY_OPS", 30);
    let mut writes = 0;
    for seed in 1..=seeds as u64 {
        // What each volume must hold: the lines written to /data/log, in order.
        let expected: RefCell<BTreeMap<String, String>> = RefCell::new(BTreeMap::new());
        let result = volume_scenario(
            seed,
            ops,
            |w, rng, op| {
                let (dep, claim) = [("one", "solo"), ("two", "many")][rng.below(2) as usize];
                let running: Vec<String> = w
                    .store()
                    .pods
                    .iter()
                    .filter(|p| {
                        p.metadata
                            .name
                            .as_deref()
                            .is_some_and(|n| n.starts_with(dep))
                            && podutil::is_ready(p)
                            && p.metadata.deletion_timestamp.is_none()
                    })
                    .filter_map(|p| p.metadata.name.clone())
                    .collect();
                let Some(pod) = running.first() else {
                    return Ok(());
                };
                let Some(pv) = volume_of(w, claim) else {
                    return Ok(());
                };
                let line = format!("op {op} via {pod}");
                let out = run(
                    w,
                    &format!("exec {pod} -- sh -c 'echo \"{line}\" >> /data/log'"),
                    &NoFiles,
                );
                if !out.ok {
                    return Err(format!("write through {pod} failed: {out:?}"));
                }
                writes += 1;
                let mut exp = expected.borrow_mut();
                let want = exp.entry(pv).or_default();
                want.push_str(&line);
                want.push('\n');
                let back = run(w, &format!("exec {pod} -- cat /data/log"), &NoFiles);
                if back.stdout != *want {
                    return Err(format!(
                        "read back through {pod}: {:?}, want {want:?}",
                        back.stdout
                    ));
                }
                Ok(())
            },
            |w| {
                for (pv, want) in expected.borrow().iter() {
                    let exists = w
                        .store()
                        .persistentvolumes
                        .iter()
                        .any(|v| v.metadata.name.as_deref() == Some(pv.as_str()));
                    if !exists {
                        continue;
                    }
                    let got = w
                        .files()
                        .get(&FsId::Volume(pv.clone()))
                        .and_then(|fs| fs.read("/log").ok())
                        .unwrap_or_default();
                    if got != want {
                        return Err(format!(
                            "data written to a volume is never lost: {pv} holds {got:?}, want {want:?}"
                        ));
                    }
                }
                Ok(())
            },
        );
        if let Err(e) = result {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
    assert!(writes > 0, "the scenario should write some data");
}

/// A StatefulSet `db` with one claim template, a random pod management policy and retention.
fn stateful_set(replicas: u64, parallel: bool, when_deleted: &str, when_scaled: &str) -> String {
    let policy = if parallel { "Parallel" } else { "OrderedReady" };
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: {replicas}
  podManagementPolicy: {policy}
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: {when_deleted}
    whenScaled: {when_scaled}
  selector:
    matchLabels: {{app: db}}
  template:
    metadata:
      labels: {{app: db}}
    spec:
      containers:
      - name: db
        image: nginx:1.25.3
        volumeMounts:
        - {{name: data, mountPath: /data}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 1Gi}}}}
"
    )
}

fn ordinal(name: &str) -> Option<i64> {
    name.strip_prefix("db-")?.parse().ok()
}

/// What the StatefulSet invariants remember between steps.
#[derive(Default)]
struct StsTracked {
    pods: BTreeMap<String, String>,
    claims: BTreeMap<String, bool>,
    /// Claims the user deleted, and whether the set itself was deleted by the user.
    user_deleted: Vec<String>,
    set_deleted: bool,
    /// The set's spec when the claim was last seen alive: (replicas, whenDeleted, whenScaled).
    spec: Option<(i64, String, String, bool)>,
    /// Whether any version of the set had a Delete retention policy: a claim the controller gave
    /// an owner under it goes with that owner, even after the policy changes back to Retain.
    delete_policy_seen: bool,
}

fn check_stateful_set(w: &World, t: &mut StsTracked) -> Result<(), String> {
    let s = w.store();
    let set = s
        .statefulsets
        .get(&kubeplay_core::store::Key::new("default", "db"));
    if let Some(set) = set {
        let policy = set
            .spec
            .persistent_volume_claim_retention_policy
            .clone()
            .unwrap_or_default();
        t.spec = Some((
            set.spec.replicas.unwrap_or(1) as i64,
            policy.when_deleted.unwrap_or_else(|| "Retain".into()),
            policy.when_scaled.unwrap_or_else(|| "Retain".into()),
            set.spec.pod_management_policy.as_deref() == Some("Parallel"),
        ));
        let spec = t.spec.as_ref().expect("just set");
        t.delete_policy_seen |= spec.1 == "Delete" || spec.2 == "Delete";
    }
    // Never two live pods with one identity, and each pod mounts its own claim only.
    let mut live: BTreeMap<String, String> = BTreeMap::new();
    for p in s.pods.iter() {
        let name = p.metadata.name.clone().unwrap_or_default();
        let Some(n) = ordinal(&name) else { continue };
        let index = p
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("apps.kubernetes.io/pod-index"))
            .cloned();
        if p.metadata.deletion_timestamp.is_none() {
            if let Some(i) = &index {
                if let Some(other) = live.insert(i.clone(), name.clone()) {
                    return Err(format!(
                        "identity {i} is held by two live pods: {other} and {name}"
                    ));
                }
            }
        }
        for v in p.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
            if let Some(c) = &v.persistent_volume_claim {
                if c.claim_name != format!("data-db-{n}") {
                    return Err(format!("{name} mounts {}, not its own claim", c.claim_name));
                }
            }
        }
        // OrderedReady: a new pod N appears only when pods 0..N-1 are Running and Ready.
        let uid = p.metadata.uid.clone().unwrap_or_default();
        if t.pods.get(&name) != Some(&uid) {
            t.pods.insert(name.clone(), uid);
            let parallel = t.spec.as_ref().is_some_and(|s| s.3);
            if set.is_some() && !parallel {
                for k in 0..n {
                    let pred = s.pods.get(&kubeplay_core::store::Key::new(
                        "default",
                        format!("db-{k}"),
                    ));
                    let ok = pred.is_some_and(|q| {
                        podutil::phase(q) == "Running"
                            && podutil::is_ready(q)
                            && q.metadata.deletion_timestamp.is_none()
                    });
                    if !ok {
                        return Err(format!(
                            "{name} was created while db-{k} was not Running and Ready"
                        ));
                    }
                }
            }
        }
    }
    // A claim is deleted only by the user or when the retention policy says so.
    for c in s.persistentvolumeclaims.iter() {
        let name = c.metadata.name.clone().unwrap_or_default();
        let Some(n) = name.strip_prefix("data-").and_then(ordinal) else {
            continue;
        };
        let deleting = c.metadata.deletion_timestamp.is_some();
        let was = t.claims.insert(name.clone(), deleting);
        if deleting && was != Some(true) && !t.user_deleted.contains(&name) {
            let Some((replicas, when_deleted, when_scaled, _)) = &t.spec else {
                return Err(format!("claim {name} deleted with no set"));
            };
            let by_delete = t.set_deleted && when_deleted == "Delete";
            let by_scale = when_scaled == "Delete" && n >= *replicas;
            let by_earlier_owner = t.delete_policy_seen && c.metadata.owner_references.is_some();
            if !by_delete && !by_scale && !by_earlier_owner {
                return Err(format!(
                    "claim {name} deleted although the policy is whenDeleted={when_deleted}, whenScaled={when_scaled} (replicas {replicas}, set deleted: {}); owners {:?}",
                    t.set_deleted,
                    c.metadata.owner_references
                ));
            }
        }
    }
    Ok(())
}

fn stateful_scenario(seed: u64, ops: usize) -> Result<(), String> {
    let mut w = World::new(seed);
    let mut rng = Rng::new(seed ^ 0x5757);
    let mut t = StsTracked::default();
    let mut log = Vec::new();
    let retain = ["Retain", "Delete"];
    let make = |rng: &mut Rng| {
        stateful_set(
            rng.below(4),
            rng.below(2) == 0,
            retain[rng.below(2) as usize],
            retain[rng.below(2) as usize],
        )
    };
    kubeplay_core::manifest::apply(&mut w, &make(&mut rng)).map_err(|e| format!("setup: {e}"))?;
    for op in 0..ops {
        let exists = w.store().statefulsets.iter().next().is_some();
        let cmd = match rng.below(8) {
            _ if !exists && rng.below(2) == 0 => {
                let m = make(&mut rng);
                kubeplay_core::manifest::apply(&mut w, &m).map_err(|e| format!("apply: {e}"))?;
                t.set_deleted = false;
                log.push(format!("{op}: apply a new set"));
                None
            }
            0 | 1 => Some(format!("scale sts/db --replicas={}", rng.below(5))),
            2 => Some(format!("set image sts/db db=nginx:1.25.{}", rng.below(4))),
            3 => Some(format!(
                "patch sts db -p '{{\"spec\":{{\"updateStrategy\":{{\"rollingUpdate\":{{\"partition\":{}}}}}}}}}'",
                rng.below(3)
            )),
            4 => Some(format!("delete pod db-{}", rng.below(4))),
            5 => {
                let c = format!("data-db-{}", rng.below(4));
                t.user_deleted.push(c.clone());
                Some(format!("delete pvc {c} --wait=false"))
            }
            6 if rng.below(3) == 0 => {
                t.set_deleted = true;
                Some("delete sts db".to_string())
            }
            _ => None,
        };
        if let Some(c) = cmd {
            let out = run(&mut w, &c, &NoFiles);
            log.push(format!("{op}: {c} -> ok={}", out.ok));
        }
        check_stateful_set(&w, &mut t)
            .map_err(|e| format!("seed {seed}, after op {op}: {e}\n{}", log.join("\n")))?;
        let until = w.now() + Dur::ms(rng.between(100, 30_000));
        while w.next_event_at().is_some_and(|at| at <= until) {
            w.step();
            check_stateful_set(&w, &mut t).map_err(|e| {
                format!(
                    "seed {seed}, during op {op} at {}: {e}\n{}",
                    w.now().clock(),
                    log.join("\n")
                )
            })?;
        }
        w.advance(Dur::ZERO);
    }
    Ok(())
}

#[test]
fn stateful_set_identities_order_and_claims_hold_under_random_operations() {
    let seeds = env_usize("KUBEPLAY_SEEDS", 8);
    let ops = env_usize("KUBEPLAY_OPS", 30);
    for seed in 1..=seeds as u64 {
        if let Err(e) = stateful_scenario(seed, ops) {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
}

/// Node invariants, after every simulation step: no pod stays bound to a node that no longer
/// exists once the pod garbage collector's quarantine has passed since the node went (upstream
/// collects every 20s after the same quarantine, so between 40s and 80s; the simulation at
/// exactly 40s); no node's allocatable is exceeded by the requests of the pods bound to it; no
/// StatefulSet identity is held by two unfinished pods.
fn check_nodes(w: &World, gone: &BTreeMap<String, SimTime>) -> Result<(), String> {
    let s = w.store();
    for p in s.pods.iter() {
        let Some(n) = podutil::node_name(p) else {
            continue;
        };
        if s.nodes.get(&Key::cluster(n)).is_some() {
            continue;
        }
        let name = p.metadata.name.clone().unwrap_or_default();
        match gone.get(n) {
            None => return Err(format!("pod {name} is bound to {n}, which never existed")),
            Some(since) if w.now() > *since + podgc::QUARANTINE => {
                return Err(format!(
                    "pod {name} is still bound to {n}, gone since {}",
                    since.clock()
                ))
            }
            Some(_) => {}
        }
    }
    let usage = kubeplay_core::controllers::scheduler::node_usage(s);
    for n in s.nodes.iter() {
        let name = n.metadata.name.clone().unwrap_or_default();
        let (cpu, mem, pods) = kubeplay_core::controllers::scheduler::allocatable(n);
        if let Some(u) = usage.get(&name) {
            if u.cpu_millis > cpu || u.memory_bytes > mem || u.pods > pods {
                return Err(format!("node {name} over-committed: {u:?}"));
            }
        }
    }
    // Containers exist for a pod only while its object does, so a StatefulSet's replacement
    // never runs next to the pod it replaces.
    let mut identities: BTreeMap<&Key, usize> = BTreeMap::new();
    for rt in w.runtimes() {
        *identities.entry(&rt.pod).or_default() += 1;
    }
    if let Some((pod, n)) = identities.iter().find(|(_, n)| **n > 1) {
        return Err(format!("pod identity {pod} is held by {n} running pods"));
    }
    Ok(())
}

const NODE_WORKLOADS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25.0
        resources:
          requests:
            cpu: 300m
            memory: 256Mi
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: nginx:1.25.0
        resources:
          requests:
            cpu: 300m
            memory: 256Mi
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      terminationGracePeriodSeconds: 3
      containers:
      - name: agent
        image: nginx:1.25.0
";

/// One seeded run of node operations (add, remove, label, taint, cordon, drain, fail, recover)
/// interleaved with scaling and image changes of a Deployment and a StatefulSet, with a
/// DaemonSet that must follow the nodes: never two pods on a node, and after recovery and
/// settling exactly one ready pod on every eligible node.
fn node_scenario(seed: u64, ops: usize) -> Result<(), String> {
    let mut w = World::new(seed);
    let mut rng = Rng::new(seed ^ 0x0de5);
    let mut gone: BTreeMap<String, SimTime> = BTreeMap::new();
    let mut log = Vec::new();
    kubeplay_core::manifest::apply(&mut w, NODE_WORKLOADS)
        .map_err(|e| format!("seed {seed}: {e}"))?;
    let mut added = 0;
    for op in 0..ops {
        let workers: Vec<String> = w
            .store()
            .nodes
            .iter()
            .filter_map(|n| n.metadata.name.clone())
            .filter(|n| n != "control-plane")
            .collect();
        let pick = |rng: &mut Rng| -> Option<String> {
            (!workers.is_empty()).then(|| workers[rng.below(workers.len() as u64) as usize].clone())
        };
        let image = GOOD_IMAGES[rng.below(4) as usize];
        let cmd = match rng.below(14) {
            0 => {
                added += 1;
                Some(format!("sim node add w{added} --cpu=1 --memory=2Gi"))
            }
            1 => pick(&mut rng).map(|n| format!("delete node {n}")),
            2 => pick(&mut rng).map(|n| format!("label node {n} disk=ssd --overwrite")),
            3 => pick(&mut rng).map(|n| {
                let effect = ["NoSchedule", "NoExecute", "PreferNoSchedule"][rng.below(3) as usize];
                format!("taint nodes {n} dedicated=x:{effect} --overwrite")
            }),
            4 => pick(&mut rng).map(|n| format!("taint nodes {n} dedicated-")),
            5 => pick(&mut rng).map(|n| format!("cordon {n}")),
            6 => pick(&mut rng).map(|n| format!("uncordon {n}")),
            7 => pick(&mut rng).map(|n| {
                format!(
                    "drain {n} --ignore-daemonsets --delete-emptydir-data --force --timeout=40s"
                )
            }),
            8 => pick(&mut rng).map(|n| format!("sim node fail {n}")),
            9 => pick(&mut rng).map(|n| format!("sim node recover {n}")),
            10 => Some(format!("scale deployment web --replicas={}", rng.below(6))),
            11 => Some(format!("scale statefulset db --replicas={}", rng.below(4))),
            12 => Some(format!("set image deployment/web web={image}")),
            _ => Some(format!("set image statefulset/db db={image}")),
        };
        if let Some(c) = cmd {
            let removed = c.strip_prefix("delete node ").map(String::from);
            let out = run(&mut w, &c, &NoFiles);
            if let (Some(n), true) = (removed, out.ok) {
                gone.insert(n, w.now());
            }
            if let Some(n) = c
                .strip_prefix("sim node add ")
                .and_then(|r| r.split(' ').next())
            {
                gone.remove(n);
            }
            log.push(format!("{op} at {}: {c} -> ok={}", w.now().clock(), out.ok));
        }
        check_nodes(&w, &gone)
            .and_then(|()| check_daemon_set(&w, false))
            .and_then(|()| check_placement_index(&w))
            .map_err(|e| format!("seed {seed}, after op {op}: {e}\n{}", log.join("\n")))?;
        let until = w.now() + Dur::ms(rng.between(1_000, 120_000));
        while w.next_event_at().is_some_and(|t| t <= until) {
            w.step();
            check_nodes(&w, &gone)
                .and_then(|()| check_daemon_set(&w, false))
                .and_then(|()| check_placement_index(&w))
                .map_err(|e| {
                    format!(
                        "seed {seed}, during op {op} at {}: {e}\n{}",
                        w.now().clock(),
                        log.join("\n")
                    )
                })?;
        }
        w.advance(Dur::ZERO);
    }
    // Once every failed kubelet is back and the cluster has settled, every eligible node runs
    // exactly one ready daemon pod and no other node runs one.
    let nodes: Vec<String> = w
        .store()
        .nodes
        .iter()
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    for n in nodes {
        run(&mut w, &format!("sim node recover {n}"), &NoFiles);
    }
    run(&mut w, "sim settle", &NoFiles);
    check_daemon_set_settled(&w)
        .map_err(|e| format!("seed {seed}, after settling: {e}\n{}", log.join("\n")))?;
    Ok(())
}

#[test]
fn node_operations_keep_pods_on_existing_nodes_within_capacity_and_identities_unique() {
    for seed in 1..=env_usize("KUBEPLAY_NODE_SEEDS", 6) as u64 {
        if let Err(e) = node_scenario(seed, env_usize("KUBEPLAY_NODE_OPS", 40)) {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
}

/// A Deployment `name` with one scheduling rule: 0 required anti-affinity to its own pods per
/// host, 1 a DoNotSchedule hostname spread (maxSkew 1), 2 preferred anti-affinity, 3 required
/// affinity to `alpha` pods per host.
fn rule_manifest(name: &str, replicas: u64, rule: u64) -> String {
    let own = format!("labelSelector:\n              matchLabels:\n                app: {name}\n            topologyKey: kubernetes.io/hostname");
    let rules = match rule {
        0 => format!("affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - {own}\n"),
        1 => format!("topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: kubernetes.io/hostname\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector:\n          matchLabels:\n            app: {name}\n"),
        2 => format!("affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n              {}\n", own.replace("\n            ", "\n              ")),
        _ => "affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: alpha\n            topologyKey: kubernetes.io/hostname\n".to_string(),
    };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      {rules}      containers:\n      - name: web\n        image: nginx:1.25.3\n        resources:\n          requests:\n            cpu: 100m\n            memory: 64Mi\n"
    )
}

/// Scheduling invariants after every step: no node over-committed by requests; no required
/// anti-affinity violated among scheduled pods; a pod bound by this step kept the skew of its
/// DoNotSchedule hostname constraints within maxSkew (counted without itself, over the nodes
/// it could use).
fn check_scheduling(w: &World, bound: &mut BTreeMap<String, String>) -> Result<(), String> {
    check_placement_index(w)?;
    use kubeplay_core::labels::Selector;
    let s = w.store();
    let usage = kubeplay_core::controllers::scheduler::node_usage(s);
    for n in s.nodes.iter() {
        let name = n.metadata.name.clone().unwrap_or_default();
        let u = usage.get(&name).cloned().unwrap_or_default();
        let (cpu, mem, pods) = kubeplay_core::controllers::scheduler::allocatable(n);
        if u.cpu_millis > cpu || u.memory_bytes > mem || u.pods > pods {
            return Err(format!("node {name} over-committed: {u:?}"));
        }
    }
    let placed: Vec<(&kubeplay_core::k8s_openapi::api::core::v1::Pod, &str)> = s
        .pods
        .iter()
        .filter(|p| !podutil::is_terminal(p))
        .filter_map(|p| podutil::node_name(p).map(|n| (p, n)))
        .collect();
    let selects = |term_sel: &Option<
        kubeplay_core::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    >,
                   p: &kubeplay_core::k8s_openapi::api::core::v1::Pod| {
        term_sel
            .as_ref()
            .and_then(|ls| Selector::from_label_selector(ls).ok())
            .is_some_and(|sel| sel.matches_opt(p.metadata.labels.as_ref()))
    };
    for (p, node) in &placed {
        let terms = p
            .spec
            .as_ref()
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.pod_anti_affinity.as_ref())
            .and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .clone()
            })
            .unwrap_or_default();
        for t in terms
            .iter()
            .filter(|t| t.topology_key == "kubernetes.io/hostname")
        {
            if let Some((other, _)) = placed.iter().find(|(o, on)| {
                on == node && o.metadata.uid != p.metadata.uid && selects(&t.label_selector, o)
            }) {
                return Err(format!(
                    "no required anti-affinity violated: {} and {} share {node}",
                    p.metadata.name.clone().unwrap_or_default(),
                    other.metadata.name.clone().unwrap_or_default()
                ));
            }
        }
    }
    let now_bound: BTreeMap<String, String> = placed
        .iter()
        .map(|(p, n)| (p.metadata.uid.clone().unwrap_or_default(), n.to_string()))
        .collect();
    for (p, node) in &placed {
        let uid = p.metadata.uid.clone().unwrap_or_default();
        if bound.contains_key(&uid) {
            continue;
        }
        for c in p
            .spec
            .as_ref()
            .and_then(|s| s.topology_spread_constraints.clone())
            .unwrap_or_default()
            .iter()
            .filter(|c| c.when_unsatisfiable == "DoNotSchedule")
        {
            let mut counts: BTreeMap<String, i64> = s
                .nodes
                .iter()
                .filter_map(|n| n.metadata.name.clone())
                .map(|n| (n, 0))
                .collect();
            for (o, on) in &placed {
                if o.metadata.uid != p.metadata.uid
                    && o.metadata.deletion_timestamp.is_none()
                    && selects(&c.label_selector, o)
                {
                    if let Some(n) = counts.get_mut(*on) {
                        *n += 1;
                    }
                }
            }
            let min = counts.values().copied().min().unwrap_or(0);
            let skew = counts.get(*node).copied().unwrap_or(0) + 1 - min;
            if skew > i64::from(c.max_skew) {
                return Err(format!(
                    "topology skew within maxSkew: {} bound to {node} with skew {skew} ({counts:?})",
                    p.metadata.name.clone().unwrap_or_default()
                ));
            }
        }
    }
    *bound = now_bound;
    Ok(())
}

fn scheduling_scenario(seed: u64, ops: usize) -> Result<(), String> {
    let mut world = World::new(seed);
    let mut rng = Rng::new(seed ^ 0xaff1);
    let mut bound = BTreeMap::new();
    let mut log = Vec::new();
    let mut extra_nodes = 0;
    for op in 0..ops {
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        let cmd = match rng.below(8) {
            0 | 1 => {
                let text = rule_manifest(name, rng.below(6), rng.below(4));
                let r = kubeplay_core::manifest::apply(&mut world, &text);
                log.push(format!("{op}: apply {name}: {:?}", r.map(|r| r.lines)));
                None
            }
            2 => Some(format!(
                "scale deployment/{name} --replicas={}",
                rng.below(7)
            )),
            3 => {
                let pods: Vec<String> = world
                    .store()
                    .pods
                    .iter()
                    .filter_map(|p| p.metadata.name.clone())
                    .collect();
                (!pods.is_empty())
                    .then(|| format!("delete pod {}", pods[rng.below(pods.len() as u64) as usize]))
            }
            4 if extra_nodes < 3 => {
                extra_nodes += 1;
                Some(format!("sim node add worker-{}", 2 + extra_nodes))
            }
            5 => Some(format!("cordon worker-{}", 1 + rng.below(2))),
            6 => Some(format!("uncordon worker-{}", 1 + rng.below(2))),
            7 if rng.below(3) == 0 => Some(format!("delete deployment {name}")),
            _ => None,
        };
        if let Some(c) = cmd {
            let out = run(&mut world, &c, &NoFiles);
            log.push(format!("{op}: {c} -> ok={}", out.ok));
        }
        let until = world.now() + Dur::ms(rng.between(50, 15_000));
        loop {
            check_scheduling(&world, &mut bound).map_err(|e| {
                format!(
                    "seed {seed}, op {op} at {}: {e}\n{}",
                    world.now().clock(),
                    log.join("\n")
                )
            })?;
            if world.next_event_at().is_none_or(|t| t > until) {
                break;
            }
            world.step();
        }
        world.advance(Dur::ZERO);
    }
    Ok(())
}

#[test]
fn scheduling_rules_hold_under_random_operations() {
    let seeds = env_usize("KUBEPLAY_SEEDS", 12);
    let ops = env_usize("KUBEPLAY_OPS", 40);
    for seed in 1..=seeds as u64 {
        if let Err(e) = scheduling_scenario(seed, ops) {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
}

fn daemon_set(image: &str, surge: bool, selector: Option<&str>) -> String {
    let strategy = if surge {
        "  minReadySeconds: 3\n  updateStrategy:\n    rollingUpdate:\n      maxSurge: 50%\n      maxUnavailable: 0\n"
    } else {
        "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 2\n"
    };
    let node_selector = selector
        .map(|s| format!("      nodeSelector:\n        color: {s}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n{strategy}  selector:\n    matchLabels:\n      app: agent\n  template:\n    metadata:\n      labels:\n        app: agent\n    spec:\n{node_selector}      terminationGracePeriodSeconds: 3\n      containers:\n      - name: agent\n        image: {image}\n"
    )
}

/// Whether a node should run the agent, judged from the objects alone: it carries the template's
/// node selector and no NoSchedule/NoExecute taint (the template tolerates none; the controller's
/// own tolerations cover only the `node.kubernetes.io/*` condition taints).
fn eligible(
    ds: &kubeplay_core::k8s_openapi::api::apps::v1::DaemonSet,
    node: &kubeplay_core::k8s_openapi::api::core::v1::Node,
) -> bool {
    may_keep(ds, node, &["NoSchedule", "NoExecute"])
}

/// Whether a daemon pod already on the node may stay: the node selector matches and no NoExecute
/// taint is untolerated (a NoSchedule taint added later keeps the pod, as upstream's
/// `shouldContinueRunning`).
fn may_keep(
    ds: &kubeplay_core::k8s_openapi::api::apps::v1::DaemonSet,
    node: &kubeplay_core::k8s_openapi::api::core::v1::Node,
    effects: &[&str],
) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let selector = ds
        .spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.clone())
        .unwrap_or_default();
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
        && !taints.iter().any(|t| {
            effects.contains(&t.effect.as_str()) && !t.key.starts_with("node.kubernetes.io/")
        })
}

/// The daemon pods (active: not terminal, not being deleted) per node they are bound or pinned to.
fn daemon_pods_per_node(w: &World, uid: &str) -> BTreeMap<String, Vec<String>> {
    let mut per: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in w
        .store()
        .pods
        .owned_by(uid)
        .filter(|p| podutil::is_active(p))
    {
        let node = podutil::node_name(p).map(String::from).or_else(|| {
            p.spec
                .as_ref()?
                .affinity
                .as_ref()?
                .node_affinity
                .as_ref()?
                .required_during_scheduling_ignored_during_execution
                .as_ref()?
                .node_selector_terms
                .first()?
                .match_fields
                .as_ref()?
                .first()?
                .values
                .as_ref()?
                .first()
                .cloned()
        });
        per.entry(node.unwrap_or_default())
            .or_default()
            .push(p.metadata.name.clone().unwrap_or_default());
    }
    per
}

/// Always: at most one daemon pod per node, two while surging, never more.
fn check_daemon_set(w: &World, surge: bool) -> Result<(), String> {
    let Some(ds) = w.store().daemonsets.iter().next() else {
        return Ok(());
    };
    let limit = if surge { 2 } else { 1 };
    for (node, pods) in daemon_pods_per_node(w, ds.metadata.uid.as_deref().unwrap_or_default()) {
        if pods.len() > limit {
            return Err(format!(
                "at most {limit} daemon pod(s) per node: {node} has {pods:?}"
            ));
        }
    }
    Ok(())
}

/// Eventually: exactly one ready daemon pod with the current image on every eligible node, at
/// most one on a node it may stay on, and none on any other node.
fn check_daemon_set_settled(w: &World) -> Result<(), String> {
    let Some(ds) = w.store().daemonsets.iter().next() else {
        return Ok(());
    };
    let image = ds
        .spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.containers[0].image.clone());
    let uid = ds.metadata.uid.as_deref().unwrap_or_default();
    let per = daemon_pods_per_node(w, uid);
    for node in w.store().nodes.iter() {
        let name = node.metadata.name.clone().unwrap_or_default();
        let pods = per.get(&name).cloned().unwrap_or_default();
        if !eligible(ds, node) {
            let limit = usize::from(may_keep(ds, node, &["NoExecute"]));
            if pods.len() > limit {
                return Err(format!(
                    "no daemon pod on an ineligible node: {name} has {pods:?}"
                ));
            }
            continue;
        }
        let [pod] = pods.as_slice() else {
            return Err(format!(
                "exactly one daemon pod on eligible node {name}: {pods:?}"
            ));
        };
        let p = w
            .store()
            .pods
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(pod.as_str()))
            .ok_or("pod vanished")?;
        let pod_image = p.spec.as_ref().and_then(|s| s.containers[0].image.clone());
        if pod_image != image || !podutil::is_ready(p) {
            return Err(format!(
                "the daemon pod on {name} is updated and ready: {pod} runs {pod_image:?} (want {image:?}), ready={}",
                podutil::is_ready(p)
            ));
        }
    }
    Ok(())
}

fn daemon_scenario(seed: u64, ops: usize) -> Result<(), String> {
    let mut w = World::new(seed);
    let mut rng = Rng::new(seed ^ 0xd5d5);
    let surge = rng.below(2) == 0;
    let colors = ["blue", "green"];
    let images = ["nginx:1.25.0", "nginx:1.25.1", "nginx:1.25.2"];
    let mut log = Vec::new();
    let first = daemon_set(images[0], surge, None);
    kubeplay_core::manifest::apply(&mut w, &first).map_err(|e| format!("setup: {e}"))?;
    let mut extra_nodes = 0;
    for op in 0..ops {
        let nodes: Vec<String> = w
            .store()
            .nodes
            .iter()
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        let node = nodes[rng.below(nodes.len() as u64) as usize].clone();
        let cmd = match rng.below(9) {
            0 => Some(format!(
                "set image ds/agent agent={}",
                images[rng.below(3) as usize]
            )),
            1 => {
                let selector = match rng.below(3) {
                    0 => "null".to_string(),
                    i => format!("{{\"color\":\"{}\"}}", colors[i as usize - 1]),
                };
                Some(format!(
                    "patch ds agent --type=merge -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"nodeSelector\":{selector}}}}}}}}}'"
                ))
            }
            2 | 3 => Some(format!(
                "label node {node} color={} --overwrite",
                colors[rng.below(2) as usize]
            )),
            4 => Some(format!("label node {node} color-")),
            5 => Some(format!(
                "{} {node}",
                if rng.below(2) == 0 {
                    "cordon"
                } else {
                    "uncordon"
                }
            )),
            6 if extra_nodes < 3 => {
                extra_nodes += 1;
                let taint = if rng.below(3) == 0 {
                    " --taint=dedicated=db:NoSchedule"
                } else {
                    ""
                };
                Some(format!(
                    "sim node add extra-{extra_nodes} --label=color={}{taint}",
                    colors[rng.below(2) as usize]
                ))
            }
            7 => {
                let pods: Vec<String> = w
                    .store()
                    .pods
                    .iter()
                    .filter_map(|p| p.metadata.name.clone())
                    .filter(|n| n.starts_with("agent-"))
                    .collect();
                (!pods.is_empty()).then(|| {
                    format!(
                        "delete pod {} --wait=false",
                        pods[rng.below(pods.len() as u64) as usize]
                    )
                })
            }
            _ => None,
        };
        if let Some(c) = cmd {
            let out = run(&mut w, &c, &NoFiles);
            log.push(format!("{op}: {c} -> ok={} {}", out.ok, out.stderr.trim()));
        }
        check_daemon_set(&w, surge)
            .map_err(|e| format!("seed {seed}, after op {op}: {e}\n{}", log.join("\n")))?;
        let until = w.now() + Dur::ms(rng.between(100, 20_000));
        while w.next_event_at().is_some_and(|at| at <= until) {
            w.step();
            check_daemon_set(&w, surge).map_err(|e| {
                format!(
                    "seed {seed}, during op {op} at {}: {e}\n{}",
                    w.now().clock(),
                    log.join("\n")
                )
            })?;
        }
        w.advance(Dur::ZERO);
        if rng.below(4) == 0 || op + 1 == ops {
            let settled = w.settle(Dur::mins(15));
            if !settled.settled {
                return Err(format!(
                    "seed {seed}, op {op}: did not settle\n{}",
                    log.join("\n")
                ));
            }
            check_daemon_set_settled(&w).map_err(|e| {
                format!(
                    "seed {seed}, settled after op {op}: {e}\n{}",
                    log.join("\n")
                )
            })?;
        }
    }
    Ok(())
}

#[test]
fn daemon_sets_keep_one_pod_per_eligible_node_under_random_node_and_set_changes() {
    let seeds = env_usize("KUBEPLAY_SEEDS", 8);
    let ops = env_usize("KUBEPLAY_OPS", 30);
    for seed in 1..=seeds as u64 {
        if let Err(e) = daemon_scenario(seed, ops) {
            panic!("invariant violated (reproduce with this seed): {e}");
        }
    }
}

/// One seeded run that mixes every operation the playground offers: applying and editing
/// manifests, scaling, image changes, rollout undo, pausing, pod and claim deletions, and every
/// node operation (add, remove, label, taint, cordon, drain, fail, recover), over a Deployment,
/// a Deployment sharing a ReadWriteOnce claim, a StatefulSet with claims and a DaemonSet. Every
/// named invariant of the scenarios above is checked after every simulation step.
fn every_operation_scenario(seed: u64, ops: usize) -> Result<usize, String> {
    let mut w = World::new(seed);
    let mut rng = Rng::new(seed ^ 0xa110);
    let mut log = Vec::new();
    let mut tracked: BTreeMap<String, Tracked> = BTreeMap::new();
    let mut sts = StsTracked::default();
    let mut gone: BTreeMap<String, SimTime> = BTreeMap::new();
    // A Deployment is held to its availability floor only once nothing has disturbed its pods
    // for long enough: a failed kubelet is noticed after the grace period, its pods evicted
    // minutes later.
    let mut quiet_from = SimTime(0);
    let mut added = 0;
    let mut steps = 0;
    let setup = [
        manifest("web", 3, "25%", "25%", GOOD_IMAGES[0]),
        claim("shared-data", "ReadWriteOnce"),
        volume_deployment("shared", "shared-data", 1, false),
        stateful_set(2, false, "Retain", "Retain"),
        daemon_set(GOOD_IMAGES[0], false, None),
    ];
    for m in &setup {
        kubeplay_core::manifest::apply(&mut w, m).map_err(|e| format!("seed {seed}: {e}"))?;
    }
    let check_all = |w: &World,
                     tracked: &mut BTreeMap<String, Tracked>,
                     sts: &mut StsTracked,
                     gone: &BTreeMap<String, SimTime>,
                     quiet_from: SimTime| {
        check_deployments(w, tracked, w.now() >= quiet_from, true)?;
        check_storage(w)?;
        check_attach(w)?;
        check_stateful_set(w, sts)?;
        check_nodes(w, gone)?;
        check_daemon_set(w, false)
    };
    for op in 0..ops {
        let workers: Vec<String> = w
            .store()
            .nodes
            .iter()
            .filter_map(|n| n.metadata.name.clone())
            .filter(|n| n != "control-plane")
            .collect();
        let pick = |rng: &mut Rng| -> Option<String> {
            (!workers.is_empty()).then(|| workers[rng.below(workers.len() as u64) as usize].clone())
        };
        let image = GOOD_IMAGES[rng.below(4) as usize];
        let which = rng.below(26);
        // Image changes, edits, undo and pause are what the availability floor is about; every
        // other operation may take pods away, so the floor waits until the cluster is quiet.
        if !matches!(which, 1 | 3..=5) {
            tracked.clear();
            quiet_from = w.now() + Dur::mins(10);
        }
        let mut apply = |w: &mut World, text: String, what: &str| {
            let r = kubeplay_core::manifest::apply(w, &text);
            log.push(format!("{op}: apply {what}: ok={}", r.is_ok()));
            None
        };
        let cmd = match which {
            0 => {
                let surge = FENCEPOSTS[1 + rng.below(4) as usize];
                let unav = FENCEPOSTS[rng.below(5) as usize];
                tracked.entry("web".into()).or_default().surge_lowered = true;
                apply(&mut w, manifest("web", rng.below(7), surge, unav, image), "web")
            }
            1 => Some(format!(
                "patch deployment web -p '{{\"spec\":{{\"template\":{{\"metadata\":{{\"annotations\":{{\"edit\":\"{}\"}}}}}}}}}}'",
                rng.below(5)
            )),
            2 => Some(format!("scale deployment web --replicas={}", rng.below(7))),
            3 => Some(format!("set image deployment/web web={image}")),
            4 => Some("rollout undo deployment/web".to_string()),
            5 => Some(format!(
                "rollout {} deployment/web",
                ["pause", "resume"][rng.below(2) as usize]
            )),
            6 => Some(format!("scale deployment shared --replicas={}", rng.below(3))),
            7 => {
                let recreate = rng.below(2) == 0;
                apply(&mut w, claim("shared-data", "ReadWriteOnce"), "claim");
                let m = volume_deployment("shared", "shared-data", rng.below(3), recreate);
                apply(&mut w, m, "shared")
            }
            8 => Some(format!("scale sts/db --replicas={}", rng.below(5))),
            9 => Some(format!("set image sts/db db={image}")),
            10 => {
                let policy = ["Retain", "Delete"];
                let m = stateful_set(
                    rng.below(4),
                    false,
                    policy[rng.below(2) as usize],
                    policy[rng.below(2) as usize],
                );
                sts.set_deleted = false;
                apply(&mut w, m, "db")
            }
            11 => {
                let pods: Vec<String> = w
                    .store()
                    .pods
                    .iter()
                    .filter_map(|p| p.metadata.name.clone())
                    .collect();
                (!pods.is_empty())
                    .then(|| format!("delete pod {}", pods[rng.below(pods.len() as u64) as usize]))
            }
            12 => {
                let c = if rng.below(3) == 0 {
                    "shared-data".to_string()
                } else {
                    format!("data-db-{}", rng.below(4))
                };
                sts.user_deleted.push(c.clone());
                Some(format!("delete pvc {c} --wait=false"))
            }
            13 => Some(format!("set image ds/agent agent={image}")),
            14 | 15 => {
                added += 1;
                Some(format!("sim node add w{added} --cpu=2 --memory=4Gi"))
            }
            16 => pick(&mut rng).map(|n| format!("delete node {n}")),
            17 => pick(&mut rng).map(|n| format!("label node {n} disk=ssd --overwrite")),
            18 => pick(&mut rng).map(|n| {
                let effect = ["NoSchedule", "NoExecute", "PreferNoSchedule"][rng.below(3) as usize];
                format!("taint nodes {n} dedicated=x:{effect} --overwrite")
            }),
            19 => pick(&mut rng).map(|n| format!("taint nodes {n} dedicated-")),
            20 => pick(&mut rng).map(|n| format!("cordon {n}")),
            21 => pick(&mut rng).map(|n| format!("uncordon {n}")),
            22 => pick(&mut rng).map(|n| {
                format!(
                    "drain {n} --ignore-daemonsets --delete-emptydir-data --force --timeout=40s"
                )
            }),
            23 => pick(&mut rng).map(|n| format!("sim node fail {n}")),
            24 => pick(&mut rng).map(|n| format!("sim node recover {n}")),
            _ if rng.below(2) == 0 => Some("delete deployment web".to_string()),
            _ => {
                sts.set_deleted = true;
                Some("delete sts db".to_string())
            }
        };
        if let Some(c) = cmd {
            let removed = c.strip_prefix("delete node ").map(String::from);
            let out = run(&mut w, &c, &NoFiles);
            if let (Some(n), true) = (removed, out.ok) {
                gone.insert(n, w.now());
            }
            log.push(format!("{op} at {}: {c} -> ok={}", w.now().clock(), out.ok));
        }
        check_all(&w, &mut tracked, &mut sts, &gone, quiet_from)
            .map_err(|e| format!("seed {seed}, after op {op}: {e}\n{}", log.join("\n")))?;
        let until = w.now() + Dur::ms(rng.between(100, 60_000));
        while w.next_event_at().is_some_and(|t| t <= until) {
            w.step();
            steps += 1;
            check_all(&w, &mut tracked, &mut sts, &gone, quiet_from).map_err(|e| {
                format!(
                    "seed {seed}, during op {op} at {}: {e}\n{}",
                    w.now().clock(),
                    log.join("\n")
                )
            })?;
        }
        w.advance(Dur::ZERO);
    }
    // Eventually, with every kubelet back: one ready, current daemon pod per eligible node, and
    // the invariants still hold.
    let nodes: Vec<String> = w
        .store()
        .nodes
        .iter()
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    for n in nodes {
        run(&mut w, &format!("sim node recover {n}"), &NoFiles);
    }
    run(&mut w, "rollout resume deployment/web", &NoFiles);
    w.settle(Dur::mins(30));
    check_daemon_set_settled(&w)
        .and_then(|()| check_all(&w, &mut tracked, &mut sts, &gone, quiet_from))
        .map_err(|e| format!("seed {seed}, after settling: {e}\n{}", log.join("\n")))?;
    Ok(steps)
}

/// `KUBEPLAY_ALL_SEEDS` × `KUBEPLAY_ALL_OPS` operations; `KUBEPLAY_ALL_FIRST_SEED` starts
/// elsewhere, so a long run on demand covers new ground.
#[test]
fn every_operation_mixed_keeps_every_invariant_after_every_step() {
    let first = env_usize("KUBEPLAY_ALL_FIRST_SEED", 1) as u64;
    let seeds = env_usize("KUBEPLAY_ALL_SEEDS", 10) as u64;
    let ops = env_usize("KUBEPLAY_ALL_OPS", 1_000);
    let mut steps = 0;
    for seed in first..first + seeds {
        match every_operation_scenario(seed, ops) {
            Ok(n) => steps += n,
            Err(e) => panic!("invariant violated (reproduce with KUBEPLAY_ALL_FIRST_SEED={seed} KUBEPLAY_ALL_SEEDS=1): {e}"),
        }
    }
    eprintln!(
        "every operation: {seeds} seeds × {ops} operations, {steps} simulation steps checked"
    );
    assert!(
        steps > seeds as usize * ops,
        "the operations should make the simulation work"
    );
}
