//! Plugin tables over small hand-built clusters: which filter rejects which node, and which node
//! the scores choose.

use super::*;
use crate::time::SimTime;
use k8s_openapi::api::core::v1::Namespace;
use serde_json::{json, Value};

fn node(name: &str, labels: &[(&str, &str)], extra: Value) -> Node {
    let mut l: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    l.insert("kubernetes.io/hostname".into(), name.into());
    let mut v = json!({
        "metadata": {"name": name, "labels": l},
        "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
    });
    merge(&mut v, extra);
    serde_json::from_value(v).unwrap()
}

fn pod(name: &str, node: Option<&str>, labels: &[(&str, &str)], spec: Value) -> Pod {
    let l: BTreeMap<&str, &str> = labels.iter().copied().collect();
    let mut v = json!({
        "metadata": {"name": name, "namespace": "default", "labels": l},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}
    });
    if let Some(n) = node {
        v["spec"]["nodeName"] = json!(n);
    }
    merge(&mut v["spec"], spec);
    serde_json::from_value(v).unwrap()
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        for (k, v) in b {
            match a.get_mut(&k) {
                Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                _ => {
                    a.insert(k, v);
                }
            }
        }
    }
}

fn store(nodes: Vec<Node>, pods: Vec<Pod>, namespaces: &[(&str, &[(&str, &str)])]) -> Store {
    let mut s = Store::default();
    for (ns, labels) in [("default", &[][..])].iter().chain(namespaces) {
        let l: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let n: Namespace =
            serde_json::from_value(json!({"metadata": {"name": ns, "labels": l}})).unwrap();
        s.create(n, SimTime(0)).unwrap();
    }
    for n in nodes {
        s.create(n, SimTime(0)).unwrap();
    }
    for p in pods {
        s.create(p, SimTime(0)).unwrap();
    }
    s
}

/// The first reason each node is rejected with, or `None` when it fits.
fn reasons(s: &Store, p: &Pod) -> Vec<(String, Option<String>)> {
    let snapshot = Snapshot::new(s);
    let cycle = pre_filter(&snapshot, p).unwrap();
    diagnose(&cycle)
        .into_iter()
        .map(|(ni, r)| (ni.name.to_string(), r.map(|r| r.reasons[0].clone())))
        .collect()
}

fn chosen(s: &Store, p: &Pod) -> Result<String, String> {
    let snapshot = Snapshot::new(s);
    let cycle = pre_filter(&snapshot, p)?;
    select_host(&cycle, &mut 0)
}

fn expect(s: &Store, p: &Pod, want: &[(&str, Option<&str>)]) {
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(n, r)| (n.to_string(), r.map(String::from)))
        .collect();
    assert_eq!(reasons(s, p), want, "pod {:?}", p.metadata.name);
}

fn web_term(key: &str) -> Value {
    json!([{"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": key}])
}

const HOST: &str = "kubernetes.io/hostname";
const ZONE: &str = "topology.kubernetes.io/zone";

#[test]
fn fit_error_histogram_is_sorted_lexicographically() {
    let failures = vec![
        (vec!["node(s) had untolerated taint(s)".to_string()], false),
        (vec!["Insufficient cpu".to_string()], true),
        (vec!["Insufficient cpu".to_string()], true),
    ];
    assert_eq!(
        fit_error(3, &failures),
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    assert_eq!(fit_error(0, &[]), "no nodes available to schedule pods");
}

#[test]
fn required_anti_affinity_rejects_the_domains_of_selected_pods() {
    let nodes = || {
        vec![
            node("a", &[(ZONE, "z1")], json!({})),
            node("b", &[(ZONE, "z1")], json!({})),
            node("c", &[(ZONE, "z2")], json!({})),
        ]
    };
    let existing = pod("web-1", Some("a"), &[("app", "web")], json!({}));
    let anti = |key| {
        pod(
            "web-2",
            None,
            &[("app", "web")],
            json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": web_term(key)}}}),
        )
    };
    let s = store(nodes(), vec![existing.clone()], &[]);
    expect(
        &s,
        &anti(HOST),
        &[
            ("a", Some(interpodaffinity::ERR_ANTI_AFFINITY)),
            ("b", None),
            ("c", None),
        ],
    );
    expect(
        &s,
        &anti(ZONE),
        &[
            ("a", Some(interpodaffinity::ERR_ANTI_AFFINITY)),
            ("b", Some(interpodaffinity::ERR_ANTI_AFFINITY)),
            ("c", None),
        ],
    );
    // The existing pod's own anti-affinity keeps a plain web pod out of its domain.
    let guard = pod(
        "guard",
        Some("c"),
        &[("app", "guard")],
        json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": web_term(ZONE)}}}),
    );
    let s = store(nodes(), vec![existing, guard], &[]);
    expect(
        &s,
        &pod("plain", None, &[("app", "web")], json!({})),
        &[
            ("a", None),
            ("b", None),
            ("c", Some(interpodaffinity::ERR_EXISTING_ANTI_AFFINITY)),
        ],
    );
    let rejection = {
        let snapshot = Snapshot::new(&s);
        let p = anti(HOST);
        let cycle = pre_filter(&snapshot, &p).unwrap();
        filter(&cycle, &snapshot.nodes[0]).unwrap()
    };
    assert!(rejection.resolvable);
    assert_eq!(
        rejection.detail,
        "anti-affinity with pod web-1 (app=web) on kubernetes.io/hostname=a"
    );
}

#[test]
fn required_affinity_needs_a_matching_pod_in_the_domain_except_for_the_first_of_a_group() {
    let nodes = || {
        vec![
            node("a", &[(ZONE, "z1")], json!({})),
            node("b", &[(ZONE, "z1")], json!({})),
            node("c", &[], json!({})),
        ]
    };
    let follower = |selector: &str| {
        pod(
            "web",
            None,
            &[("app", "web")],
            json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": selector}}, "topologyKey": ZONE}
            ]}}}),
        )
    };
    let cache = pod("cache", Some("a"), &[("app", "cache")], json!({}));
    let s = store(nodes(), vec![cache], &[]);
    let no_label = Some(interpodaffinity::ERR_AFFINITY);
    expect(
        &s,
        &follower("cache"),
        &[("a", None), ("b", None), ("c", no_label)],
    );
    // Nothing matches `app=db`: the pod does not select itself, so it waits.
    expect(
        &s,
        &follower("db"),
        &[("a", no_label), ("b", no_label), ("c", no_label)],
    );
    // A pod selecting its own labels may start the group anywhere with the key.
    expect(
        &s,
        &follower("web"),
        &[("a", None), ("b", None), ("c", no_label)],
    );
}

#[test]
fn affinity_terms_select_pods_of_their_namespaces() {
    let mut other = pod("web-prod", Some("a"), &[("app", "web")], json!({}));
    other.metadata.namespace = Some("prod".into());
    let nodes = || vec![node("a", &[], json!({})), node("b", &[], json!({}))];
    let s = store(nodes(), vec![other], &[("prod", &[("env", "prod")])]);
    let anti = |extra: Value| {
        let mut term = web_term(HOST);
        merge(&mut term[0], extra);
        pod(
            "web",
            None,
            &[("app", "web")],
            json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": term}}}),
        )
    };
    let blocked = Some(interpodaffinity::ERR_ANTI_AFFINITY);
    expect(&s, &anti(json!({})), &[("a", None), ("b", None)]);
    expect(
        &s,
        &anti(json!({"namespaces": ["prod"]})),
        &[("a", blocked), ("b", None)],
    );
    expect(
        &s,
        &anti(json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}})),
        &[("a", blocked), ("b", None)],
    );
    expect(
        &s,
        &anti(json!({"namespaceSelector": {}})),
        &[("a", blocked), ("b", None)],
    );
}

fn spread(max_skew: i32, key: &str, extra: Value) -> Value {
    let mut c = json!({
        "maxSkew": max_skew,
        "topologyKey": key,
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}}
    });
    merge(&mut c, extra);
    json!({"topologySpreadConstraints": [c]})
}

#[test]
fn topology_spread_filter_keeps_skew_within_max_skew() {
    let nodes = || {
        vec![
            node("a", &[(ZONE, "z1"), ("disk", "ssd")], json!({})),
            node("b", &[(ZONE, "z2"), ("disk", "ssd")], json!({})),
            node("c", &[], json!({})),
        ]
    };
    let web = |n: &str, at: &str| pod(n, Some(at), &[("app", "web")], json!({}));
    let s = store(nodes(), vec![web("w1", "a")], &[]);
    let skew = Some(topologyspread::ERR_CONSTRAINTS);
    let missing = Some(topologyspread::ERR_MISSING_LABEL);
    let incoming = |spec: Value| pod("new", None, &[("app", "web")], spec);
    // Hostname: c has no pod and is a domain too.
    expect(
        &s,
        &incoming(spread(1, HOST, json!({}))),
        &[("a", skew), ("b", None), ("c", None)],
    );
    // Zone: c lacks the key and does not count as a domain.
    expect(
        &s,
        &incoming(spread(1, ZONE, json!({}))),
        &[("a", skew), ("b", None), ("c", missing)],
    );
    // minDomains above the number of domains makes the global minimum 0.
    let s2 = store(nodes(), vec![web("w1", "a"), web("w2", "b")], &[]);
    expect(
        &s2,
        &incoming(spread(1, ZONE, json!({"minDomains": 3}))),
        &[("a", skew), ("b", skew), ("c", missing)],
    );
    // A pod the selector does not match adds no skew itself.
    expect(
        &s,
        &pod(
            "other",
            None,
            &[("app", "other")],
            spread(1, HOST, json!({})),
        ),
        &[("a", None), ("b", None), ("c", None)],
    );
    // nodeAffinityPolicy Honor (the default) leaves nodes the pod cannot use out of the
    // domains: with c excluded the minimum is b's 1.
    let s3 = store(nodes(), vec![web("w1", "a"), web("w2", "b")], &[]);
    let mut on_ssd = spread(1, HOST, json!({}));
    on_ssd["nodeSelector"] = json!({"disk": "ssd"});
    expect(
        &s3,
        &incoming(on_ssd.clone()),
        &[
            ("a", None),
            ("b", None),
            ("c", Some(nodeaffinity::ERR_MISMATCH)),
        ],
    );
    on_ssd["topologySpreadConstraints"][0]["nodeAffinityPolicy"] = json!("Ignore");
    expect(
        &s3,
        &incoming(on_ssd),
        &[
            ("a", skew),
            ("b", skew),
            ("c", Some(nodeaffinity::ERR_MISMATCH)),
        ],
    );
}

#[test]
fn scores_choose_preferred_untainted_and_spread_nodes() {
    let taint = json!({"spec": {"taints": [{"key": "k", "effect": "PreferNoSchedule"}]}});
    // Ties go to the first node by name, so each case makes `a` lose.
    let s = store(
        vec![node("a", &[], taint), node("b", &[], json!({}))],
        vec![],
        &[],
    );
    assert_eq!(chosen(&s, &pod("p", None, &[], json!({}))), Ok("b".into()));
    let s = store(
        vec![
            node("a", &[], json!({})),
            node("b", &[("disk", "ssd")], json!({})),
        ],
        vec![],
        &[],
    );
    let prefers_ssd = json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 10, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}
    ]}}});
    assert_eq!(
        chosen(&s, &pod("p", None, &[], prefers_ssd)),
        Ok("b".into())
    );
    assert_eq!(chosen(&s, &pod("p", None, &[], json!({}))), Ok("a".into()));
    // Preferred pod affinity towards a cache pod on b.
    let s = store(
        vec![node("a", &[], json!({})), node("b", &[], json!({}))],
        vec![pod("cache", Some("b"), &[("app", "cache")], json!({}))],
        &[],
    );
    let near_cache = json!({"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 50, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": HOST}}
    ]}}});
    assert_eq!(chosen(&s, &pod("p", None, &[], near_cache)), Ok("b".into()));
}

#[test]
fn daemon_pods_are_pinned_at_pre_filter_and_host_ports_conflict() {
    let s = store(
        vec![node("a", &[], json!({})), node("b", &[], json!({}))],
        vec![pod(
            "proxy",
            Some("a"),
            &[],
            json!({"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}),
        )],
        &[],
    );
    let pinned = pod(
        "ds",
        None,
        &[],
        json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]}
        ]}}}}),
    );
    expect(
        &s,
        &pinned,
        &[("a", Some(nodeaffinity::ERR_NOT_PINNED)), ("b", None)],
    );
    let wants_port = pod(
        "p",
        None,
        &[],
        json!({"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}),
    );
    expect(
        &s,
        &wants_port,
        &[("a", Some(nodeports::ERR_PORTS)), ("b", None)],
    );
}

#[test]
fn large_clusters_filter_a_share_of_the_nodes_as_upstream() {
    // numFeasibleNodesToFind with the default percentageOfNodesToScore.
    for (all, want) in [
        (3, 3),
        (99, 99),
        (100, 100),
        (250, 120),
        (1_000, 420),
        (5_000, 500),
        (6_000, 300),
    ] {
        assert_eq!(feasible_nodes_to_find(all), want, "{all} nodes");
    }
}

#[test]
fn each_cycle_starts_where_the_last_walk_over_the_nodes_stopped() {
    // 250 nodes; the first 120 that fit (48%) are enough, so a cycle looks at 120 nodes when all fit.
    let nodes: Vec<Node> = (0..250)
        .map(|i| node(&format!("n{i:03}"), &[], json!({})))
        .collect();
    let s = store(nodes, vec![], &[]);
    let p = pod("p", None, &[], json!({}));
    let snapshot = Snapshot::new(&s);
    let cycle = pre_filter(&snapshot, &p).unwrap();
    let mut next = 0;
    // Equal scores go to the first of the sampled nodes by name.
    assert_eq!(select_host(&cycle, &mut next).unwrap(), "n000");
    assert_eq!(next, 120);
    assert_eq!(select_host(&cycle, &mut next).unwrap(), "n120");
    assert_eq!(next, 240);
    // The walk wraps around the end of the node list.
    assert_eq!(select_host(&cycle, &mut next).unwrap(), "n000");
    assert_eq!(next, 110);
    // A pod that fits nowhere is diagnosed on every node, whatever the start.
    let big = pod(
        "big",
        None,
        &[],
        json!({"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "64"}}}]}),
    );
    let cycle = pre_filter(&snapshot, &big).unwrap();
    let err = select_host(&cycle, &mut next).unwrap_err();
    assert!(
        err.starts_with("0/250 nodes are available: 250 Insufficient cpu."),
        "{err}"
    );
}

#[test]
fn schedule_anyway_spread_prefers_the_emptier_zone() {
    let nodes = vec![
        node("a", &[(ZONE, "z1")], json!({})),
        node("b", &[(ZONE, "z1")], json!({})),
        node("c", &[(ZONE, "z2")], json!({})),
    ];
    let s = store(
        nodes,
        vec![pod("w1", Some("a"), &[("app", "web")], json!({}))],
        &[],
    );
    let incoming = |spec: Value| pod("new", None, &[("app", "web")], spec);
    // Without spreading, b and c tie and the first by name wins.
    assert_eq!(chosen(&s, &incoming(json!({}))), Ok("b".into()));
    let anyway = spread(1, ZONE, json!({"whenUnsatisfiable": "ScheduleAnyway"}));
    assert_eq!(chosen(&s, &incoming(anyway)), Ok("c".into()));
}

#[test]
fn a_cycle_reads_the_hostname_and_zone_a_node_has_now() {
    let mut s = store(
        vec![
            node("a", &[(ZONE, "z1")], json!({})),
            node("b", &[], json!({})),
        ],
        vec![],
        &[],
    );
    let labels = |s: &Store| -> Vec<(Option<String>, Option<String>, Option<String>)> {
        let snapshot = Snapshot::new(s);
        snapshot
            .nodes
            .iter()
            .map(|ni| {
                let get = |k| ni.label(k).map(String::from);
                (get(HOST), get(ZONE), get("kubernetes.io/os"))
            })
            .collect()
    };
    assert_eq!(
        labels(&s),
        [
            (Some("a".into()), Some("z1".into()), None),
            (Some("b".into()), None, None)
        ]
    );
    // Relabelled: the zone moves, the hostname goes, another label comes.
    let mut a = s.get::<Node>(&Key::cluster("a")).unwrap().clone();
    let l = a.metadata.labels.as_mut().unwrap();
    l.insert(ZONE.into(), "z2".into());
    l.remove(HOST);
    l.insert("kubernetes.io/os".into(), "linux".into());
    s.update(a, SimTime(1)).unwrap();
    let mut b = s.get::<Node>(&Key::cluster("b")).unwrap().clone();
    b.metadata
        .labels
        .as_mut()
        .unwrap()
        .insert(ZONE.into(), "z1".into());
    s.update(b, SimTime(1)).unwrap();
    assert_eq!(
        labels(&s),
        [
            (None, Some("z2".into()), Some("linux".into())),
            (Some("b".into()), Some("z1".into()), None)
        ]
    );
}

#[test]
fn a_condition_is_unchanged_exactly_when_setting_it_changes_nothing() {
    let cond = |t: &str, s: &str, reason: Option<&str>| PodCondition {
        type_: t.into(),
        status: s.into(),
        reason: reason.map(String::from),
        ..Default::default()
    };
    let mut status = PodStatus::default();
    set_condition(
        &mut status,
        cond("Ready", "False", Some("Waiting")),
        SimTime(1_000),
    );
    set_condition(
        &mut status,
        cond("Initialized", "True", None),
        SimTime(1_000),
    );
    let cases = [
        cond("Ready", "False", Some("Waiting")),
        cond("Ready", "False", Some("Other")),
        cond("Ready", "True", None),
        cond("Initialized", "True", None),
        cond("ContainersReady", "True", None),
        PodCondition {
            observed_generation: Some(2),
            ..cond("Initialized", "True", None)
        },
    ];
    for c in cases {
        let mut set = status.clone();
        set_condition(&mut set, c.clone(), SimTime(5_000));
        assert_eq!(
            condition_unchanged(status.conditions.as_deref(), &c),
            set == status,
            "{c:?}"
        );
    }
    assert!(condition_unchanged(
        status.conditions.as_deref(),
        &cond("Ready", "False", Some("Waiting"))
    ));
    assert!(!condition_unchanged(None, &cond("Ready", "True", None)));
}
