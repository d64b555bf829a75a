//! Bad input of every kind gets a clear error naming the problem (and for manifests the
//! document, line and field), and leaves the cluster exactly as it was.

use kubeplay_core::kubectl::{run, run_with_stdin, NoFiles, Output};
use kubeplay_core::manifest;
use kubeplay_core::rng::Rng;
use kubeplay_core::time::Dur;
use kubeplay_core::World;

const GOOD: &str = include_str!("../golden/manifests/nginx-deployment.yaml");

/// A cluster with a settled Deployment, so that updates can be tried too.
fn cluster() -> World {
    let mut w = World::new(5);
    manifest::apply(&mut w, GOOD).expect("valid manifest");
    w.settle(Dur::mins(5));
    w
}

/// Everything observable about the cluster.
fn snapshot(w: &mut World) -> (u64, String) {
    let rv = w.store().resource_version();
    let all = run(
        w,
        "get all,nodes,namespaces,configmaps -A -o json",
        &NoFiles,
    )
    .stdout;
    (rv, all)
}

fn rejected_manifest(text: &str, must_contain: &[&str]) -> manifest::ManifestErrors {
    let mut w = cluster();
    let before = snapshot(&mut w);
    let err = manifest::apply(&mut w, text).expect_err("manifest should be rejected");
    let shown = err.to_string();
    for m in must_contain {
        assert!(shown.contains(m), "error should mention {m:?}:\n{shown}");
    }
    assert_eq!(
        snapshot(&mut w),
        before,
        "a rejected manifest must not change the cluster:\n{shown}"
    );
    err
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let text = GOOD.replace("  replicas: 3", "  replicas: [3");
    let e = rejected_manifest(&text, &["document 1", "error converting YAML to JSON"]);
    assert!(e.errors[0].line.is_some_and(|l| l >= 9), "{e}");
}

#[test]
fn apply_is_atomic_across_documents() {
    let bad = GOOD
        .replace("nginx-deployment", "second")
        .replace("replicas: 3", "replicas: -1");
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n";
    let text = format!("{cm}---\n{}---\n{bad}", GOOD.replace("1.14.2", "1.16.1"));
    let e = rejected_manifest(
        &text,
        &[
            "document 3",
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "The Deployment \"second\" is invalid",
        ],
    );
    // The line is the `replicas:` line of the third document.
    let replicas_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("replicas: -1"))
        .map(|(i, _)| i + 1)
        .next();
    assert_eq!(e.errors[0].line, replicas_line);
}

#[test]
fn removed_api_versions_name_their_replacement() {
    rejected_manifest(
        &GOOD.replace("apps/v1", "extensions/v1beta1"),
        &[
            "no matches for kind \"Deployment\" in version \"extensions/v1beta1\"",
            "apps/v1",
            "v1.16",
        ],
    );
    rejected_manifest(
        &GOOD.replace("apps/v1", "apps/v2"),
        &["no matches for kind \"Deployment\" in version \"apps/v2\""],
    );
}

#[test]
fn selector_must_match_template_labels() {
    let text = GOOD
        .replacen("app: nginx\n  template", "app: web\n  template", 1)
        .replace("      app: nginx\n  template", "      app: web\n  template");
    rejected_manifest(&text, &["`selector` does not match template `labels`"]);
}

#[test]
fn missing_containers_images_and_names() {
    let no_image = GOOD.replace("        image: nginx:1.14.2\n", "");
    rejected_manifest(
        &no_image,
        &["spec.template.spec.containers[0].image: Required value"],
    );
    let bad_name = GOOD.replace("name: nginx-deployment", "name: Nginx_Deployment");
    rejected_manifest(
        &bad_name,
        &[
            "metadata.name: Invalid value: \"Nginx_Deployment\"",
            "RFC 1123",
        ],
    );
    let no_containers =
        GOOD.split("      containers:").next().unwrap().to_string() + "      containers: []\n";
    rejected_manifest(
        &no_containers,
        &["spec.template.spec.containers: Required value"],
    );
}

#[test]
fn scheduling_rules_are_validated() {
    let with =
        |spec: &str| GOOD.replace("      containers:\n", &format!("{spec}      containers:\n"));
    let spread = |fields: &str| {
        with(&format!(
            "      topologySpreadConstraints:\n      - {fields}\n        labelSelector:\n          matchLabels:\n            app: nginx\n"
        ))
    };
    let c = "spec.template.spec.topologySpreadConstraints[0]";
    rejected_manifest(
        &spread("maxSkew: 0\n        topologyKey: kubernetes.io/hostname\n        whenUnsatisfiable: DoNotSchedule"),
        &[&format!("{c}.maxSkew: Invalid value: 0: must be greater than zero")],
    );
    rejected_manifest(
        &spread("maxSkew: 1\n        topologyKey: \"\"\n        whenUnsatisfiable: Sometimes\n        minDomains: 0"),
        &[
            &format!("{c}.topologyKey: Required value: can not be empty"),
            &format!("{c}.whenUnsatisfiable: Unsupported value: \"Sometimes\""),
            &format!("{c}.minDomains: Invalid value: 0: must be greater than zero"),
        ],
    );
    rejected_manifest(
        &with("      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: nginx\n            topologyKey: \"\"\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 0\n            podAffinityTerm:\n              topologyKey: kubernetes.io/hostname\n"),
        &[
            "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
            "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
        ],
    );
    rejected_manifest(
        &with("      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 101\n            preference:\n              matchExpressions:\n              - key: disktype\n                operator: In\n                values: [ssd]\n"),
        &["spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100"],
    );
}

#[test]
fn unknown_fields_and_wrong_types_are_located() {
    let e = rejected_manifest(
        &GOOD.replace("  replicas: 3", "  replica: 3"),
        &["unknown field \"spec.replica\""],
    );
    assert_eq!(e.errors[0].line, Some(9));
    let e = rejected_manifest(
        &GOOD.replace("replicas: 3", "replicas: three"),
        &["spec.replicas", "invalid type: string \"three\""],
    );
    assert_eq!(
        (e.errors[0].line, e.errors[0].column.is_some()),
        (Some(9), true)
    );
    rejected_manifest(
        &GOOD.replace("containerPort: 80", "containerPort: http"),
        &["containerPort", "invalid type"],
    );
}

#[test]
fn selectors_are_immutable() {
    let text = GOOD.replace("app: nginx", "app: web");
    rejected_manifest(&text, &["spec.selector", "field is immutable"]);
}

#[test]
fn strategy_and_policy_rules() {
    let both_zero = GOOD.replace("  replicas: 3\n", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0\n");
    rejected_manifest(&both_zero, &["may not be 0 when `maxSurge` is 0"]);
    let never = GOOD.replace(
        "      containers:",
        "      restartPolicy: Never\n      containers:",
    );
    rejected_manifest(&never, &["restartPolicy: Unsupported value: \"Never\""]);
    let bad_label = GOOD.replace(
        "  labels:\n    app: nginx\nspec",
        "  labels:\n    app: \"not ok!\"\nspec",
    );
    rejected_manifest(&bad_label, &["metadata.labels[app]"]);
}

#[test]
fn kinds_namespaces_and_shapes() {
    rejected_manifest(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        &[
            "no matches for kind \"Widget\"",
            "ensure CRDs are installed first",
        ],
    );
    rejected_manifest("apiVersion: v1\nmetadata:\n  name: x\n", &["kind not set"]);
    rejected_manifest(
        &GOOD.replace(
            "  name: nginx-deployment\n",
            "  name: nginx-deployment\n  namespace: nowhere\n",
        ),
        &["namespaces \"nowhere\" not found"],
    );
    rejected_manifest("- a\n- b\n", &["must be a mapping"]);
    rejected_manifest("", &["no objects passed to apply"]);
    rejected_manifest("{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"x\"}, \"spec\": {\"replicas\": -2}}", &["spec.replicas"]);
}

#[test]
fn oversized_and_deeply_nested_manifests_are_refused() {
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: \"{}\"\n",
        "x".repeat(manifest::MAX_MANIFEST_BYTES)
    );
    rejected_manifest(&huge, &["the limit is"]);
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}1{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    rejected_manifest(&deep, &["nests deeper than"]);
}

fn rejected_command(line: &str, must_contain: &str) {
    let mut w = cluster();
    let before = snapshot(&mut w);
    let out: Output = run_with_stdin(&mut w, line, &NoFiles, None);
    assert!(!out.ok, "{line:?} should fail, printed {out:?}");
    assert!(
        out.stderr.contains(must_contain),
        "{line:?}: stderr should mention {must_contain:?}, got {:?}",
        out.stderr
    );
    assert_eq!(
        snapshot(&mut w),
        before,
        "{line:?} must not change the cluster"
    );
}

#[test]
fn wrong_commands_get_kubectl_errors_and_change_nothing() {
    for (line, msg) in [
        ("frobnicate pods", "unknown command \"frobnicate\""),
        (
            r#"patch deployment nginx-deployment -p '{"spec":{"replicas":-1}}'"#,
            "The Deployment \"nginx-deployment\" is invalid: spec.replicas",
        ),
        (
            r#"patch deployment nginx-deployment -p '{"spec":{"selector":{"matchLabels":{"x":"y"}}}}'"#,
            "field is immutable",
        ),
        (
            r#"patch deployment nginx-deployment -p '{"spec":'"#,
            "unable to parse",
        ),
        (
            r#"patch deployment nginx-deployment --type=json -p '[{"op":"add","path":"/spec/x/y","value":1}]'"#,
            "doc is missing path: /spec/x/y",
        ),
        (
            r#"patch deployment nginx-deployment --type=json -p '[{"op":"replace","path":"/spec/replicas","value":"three"}]'"#,
            "spec.replicas",
        ),
        (
            r#"patch deployment nginx-deployment -p '{"metadata":{"namespace":"kube-system"}}'"#,
            "does not match the namespace",
        ),
        (
            r#"patch pods nginx-deployment -p '{}'"#,
            "pods \"nginx-deployment\" not found",
        ),
        (
            "run x --image=nginx --restart=Sometimes",
            "invalid restart policy",
        ),
        (
            "run Bad --image=nginx",
            "The Pod \"Bad\" is invalid: [metadata.name",
        ),
        ("run x", "required flag(s) \"image\" not set"),
        ("run -it x --image=busybox --rm", "cannot attach a terminal"),
        (
            "get deployments -o jsonpath='{.items[0'",
            "error parsing jsonpath",
        ),
        (
            "get deployments -o go-template='{{range .items}}'",
            "error parsing template",
        ),
        ("get pods --colour", "unknown flag: --colour"),
        (
            "get widgets",
            "the server doesn't have a resource type \"widgets\"",
        ),
        ("get pod missing", "pods \"missing\" not found"),
        ("get pods -o xml", "unable to match a printer"),
        (
            "describe deployment missing",
            "deployments.apps \"missing\" not found",
        ),
        (
            "scale deployment/nginx-deployment --replicas=-1",
            "--replicas=COUNT is required",
        ),
        (
            "scale deployment/nginx-deployment",
            "--replicas=COUNT is required",
        ),
        (
            "scale deployment/nginx-deployment --replicas=two",
            "invalid argument \"two\"",
        ),
        (
            "set image deployment/nginx-deployment php=php:8",
            "unable to find container named \"php\"",
        ),
        (
            "rollout undo deployment/nginx-deployment --to-revision=7",
            "unable to find specified revision 7",
        ),
        (
            "rollout undo deployment/nginx-deployment",
            "no last revision to roll back to",
        ),
        (
            "rollout sideways deployment/nginx-deployment",
            "unknown rollout subcommand",
        ),
        (
            "delete deployment missing",
            "deployments.apps \"missing\" not found",
        ),
        (
            "delete deployment nginx-deployment --cascade=sometimes",
            "invalid cascade value",
        ),
        (
            "label deployment nginx-deployment app=web",
            "'app' already has a value (nginx), and --overwrite is false",
        ),
        (
            "label deployment nginx-deployment app=\"no way\" --overwrite",
            "invalid label value",
        ),
        (
            "create deployment web",
            "required flag(s) \"image\" not set",
        ),
        (
            "create deployment nginx-deployment --image=nginx",
            "already exists",
        ),
        ("apply -f missing.yaml", "missing.yaml"),
        ("sim advance soon", "invalid duration"),
        ("sim node add worker-1", "already exists"),
        (
            "sim node add gpu --taint=gpu=true:Sometimes",
            "invalid taint effect",
        ),
        (
            "taint nodes worker-1 gpu=true:Sometimes",
            "invalid taint effect",
        ),
        (
            "taint nodes worker-1 gpu=true",
            "invalid taint spec: gpu=true",
        ),
        ("taint nodes worker-1 a:b:NoSchedule", "invalid taint spec"),
        ("taint nodes worker-1 gpu-", "taint \"gpu\" not found"),
        (
            "taint nodes worker-1 a=b:NoSchedule a=c:NoSchedule",
            "duplicated taints with the same key and effect",
        ),
        (
            "taint nodes worker-1 a=b:NoSchedule a-",
            "can not both modify and remove",
        ),
        (
            "taint nodes nowhere a=b:NoSchedule",
            "nodes \"nowhere\" not found",
        ),
        ("taint pods x a=b:NoSchedule", "invalid resource type pods"),
        (
            "taint nodes worker-1",
            "at least one taint update is required",
        ),
        ("drain nowhere", "nodes \"nowhere\" not found"),
        ("drain", "USAGE: drain NODE"),
        ("drain worker-1 --timeout=soon", "--timeout"),
        ("drain worker-1 --pod-selector='a in'", "--pod-selector"),
        ("sim node fail nowhere", "nodes \"nowhere\" not found"),
        ("sim node recover worker-1", "has not failed"),
        ("get pods 'unterminated", "unterminated single quote"),
        ("delete namespace default", "may not be deleted"),
    ] {
        rejected_command(line, msg);
    }
}

#[test]
fn bad_disruption_budgets_are_refused_with_their_fields() {
    let pdb = |spec: &str| {
        format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n{spec}")
    };
    rejected_manifest(
        &pdb("  minAvailable: 1\n  maxUnavailable: 1\n"),
        &[
            "spec: Invalid value",
            "minAvailable and maxUnavailable cannot be both set",
        ],
    );
    rejected_manifest(
        &pdb("  minAvailable: -1\n"),
        &["spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"],
    );
    rejected_manifest(
        &pdb("  maxUnavailable: 150%\n"),
        &["spec.maxUnavailable", "must not be greater than 100%"],
    );
    rejected_manifest(
        &pdb("  maxUnavailable: half\n"),
        &["spec.maxUnavailable", "a valid percent string"],
    );
    rejected_manifest(
        &pdb("  minAvailable: 1\n  unhealthyPodEvictionPolicy: Never\n"),
        &["spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\""],
    );
    rejected_manifest(
        &pdb("  minAvailable: 1\n  selector:\n    matchLabels:\n      app: \"no way\"\n"),
        &["spec.selector.matchLabels"],
    );
}

#[test]
fn bad_manifest_through_the_console_changes_nothing() {
    let mut w = cluster();
    let before = snapshot(&mut w);
    let out = run_with_stdin(
        &mut w,
        "apply -f -",
        &NoFiles,
        Some(&GOOD.replace("replicas: 3", "replicas: -3")),
    );
    assert!(!out.ok);
    assert!(out.stderr.contains("error: STDIN: document 1 (line 9, column 3): The Deployment \"nginx-deployment\" is invalid: spec.replicas"), "{}", out.stderr);
    assert_eq!(snapshot(&mut w), before);
}

/// Random command lines from a vocabulary of real and broken words: nothing may panic, and a
/// failed command never changes the cluster.
#[test]
fn random_command_lines_never_panic() {
    let words = [
        "get",
        "exec",
        "--",
        "sh -c",
        "'echo $(hostname) > /x'",
        "patch",
        "-p",
        "'{\"spec\":{\"replicas\":2}}'",
        "--type=json",
        "-w",
        "-o=jsonpath={.items[*].metadata.name}",
        "--template={{range .items}}{{.x}}{{end}}",
        "describe",
        "apply",
        "-f",
        "-",
        "scale",
        "rollout",
        "undo",
        "status",
        "history",
        "pause",
        "resume",
        "restart",
        "delete",
        "label",
        "annotate",
        "sim",
        "advance",
        "settle",
        "step",
        "node",
        "add",
        "why",
        "deployment/nginx-deployment",
        "pvc",
        "pv",
        "sc",
        "pvc/data",
        "standard",
        "deployment",
        "deploy",
        "pods",
        "pod",
        "rs",
        "nodes",
        "all",
        "events",
        "nginx-deployment",
        "--replicas=3",
        "--replicas=-1",
        "--replicas=",
        "-o",
        "yaml",
        "json",
        "wide",
        "name",
        "-l",
        "app=nginx",
        "app!=",
        "-n",
        "kube-system",
        "-A",
        "--cascade=orphan",
        "--force",
        "--grace-period=0",
        "a=b",
        "a-",
        "--to-revision=1",
        "--to-revision=x",
        "'",
        "\"",
        "10s",
        "1h",
        "x=y:NoSchedule",
        "--taint=x=y:NoSchedule",
        "set",
        "image",
        "nginx=nginx:1.25",
        "*=busybox",
        "create",
        "--image=nginx",
        "cordon",
        "uncordon",
        "worker-1",
        "=",
        "/",
        "pod/",
        "--field-selector",
        "status.phase=Running",
        "metadata.name!=x",
        "",
        "--watch=false",
        "--timeout=1s",
        "version",
        "help",
        "#",
    ];
    let mut rng = Rng::new(99);
    let mut w = cluster();
    for _ in 0..3000 {
        let n = rng.between(1, 6) as usize;
        let line: Vec<&str> = (0..n)
            .map(|_| words[rng.below(words.len() as u64) as usize])
            .collect();
        let line = line.join(" ");
        let before = snapshot(&mut w);
        let out = run(&mut w, &line, &NoFiles);
        if !out.ok && !line.contains("rollout status") {
            let after = snapshot(&mut w);
            assert_eq!(
                after.1, before.1,
                "failed command {line:?} changed the cluster: {}",
                out.stderr
            );
        }
    }
}

const CLAIM: &str = "apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
";

/// A cluster with a claim bound to a provisioned volume.
fn storage_cluster() -> World {
    let mut w = cluster();
    manifest::apply(&mut w, CLAIM).expect("valid claim");
    w.settle(Dur::mins(1));
    let json = run(&mut w, "get pvc data -o json", &NoFiles).stdout;
    assert!(json.contains("\"phase\": \"Bound\""), "{json}");
    w
}

fn storage_snapshot(w: &mut World) -> (u64, String) {
    let rv = w.store().resource_version();
    let all = run(w, "get pvc,pv,sc,events -A -o json", &NoFiles).stdout;
    (rv, all)
}

fn rejected_storage(mut w: World, text: &str, must_contain: &[&str]) {
    let before = storage_snapshot(&mut w);
    let err = manifest::apply(&mut w, text).expect_err("manifest should be rejected");
    let shown = err.to_string();
    for m in must_contain {
        assert!(shown.contains(m), "error should mention {m:?}:\n{shown}");
    }
    assert_eq!(
        storage_snapshot(&mut w),
        before,
        "a rejected manifest must not change the cluster:\n{shown}"
    );
}

#[test]
fn claims_with_an_invalid_access_mode_are_refused() {
    let text = CLAIM.replace("[ReadWriteOnce]", "[ReadWriteSometimes]");
    rejected_storage(
        cluster(),
        &text,
        &[
            "The PersistentVolumeClaim \"data\" is invalid",
            "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
            "document 1 (line 6, column 3)",
        ],
    );
    let none = CLAIM.replace("  accessModes: [ReadWriteOnce]\n", "");
    rejected_storage(
        cluster(),
        &none,
        &["spec.accessModes: Required value: at least 1 access mode is required"],
    );
}

#[test]
fn claims_without_a_valid_storage_request_are_refused() {
    let text = CLAIM.replace(
        "    requests:\n      storage: 1Gi\n",
        "    limits:\n      storage: 1Gi\n",
    );
    rejected_storage(
        cluster(),
        &text,
        &["spec.resources[storage]: Required value"],
    );
    let bad = CLAIM.replace("storage: 1Gi", "storage: lots");
    rejected_storage(
        cluster(),
        &bad,
        &["spec.resources.requests[storage]: Invalid value: \"lots\": quantities must match"],
    );
}

#[test]
fn a_bound_claims_class_cannot_change() {
    let text = CLAIM.replace("spec:\n", "spec:\n  storageClassName: other\n");
    rejected_storage(
        storage_cluster(),
        &text,
        &["spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"],
    );
}

#[test]
fn a_bound_claim_grows_only_with_an_expandable_class_and_never_shrinks() {
    rejected_storage(
        storage_cluster(),
        &CLAIM.replace("storage: 1Gi", "storage: 500Mi"),
        &["spec.resources.requests.storage: Forbidden: field can not be less than previous value"],
    );
    rejected_storage(
        storage_cluster(),
        &CLAIM.replace("storage: 1Gi", "storage: 2Gi"),
        &["persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"],
    );
    let mut w = cluster();
    let class = "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: grow
provisioner: kubeplay.dev/hostpath
allowVolumeExpansion: true
";
    let claim = CLAIM.replace("spec:\n", "spec:\n  storageClassName: grow\n");
    manifest::apply(&mut w, &format!("{class}---\n{claim}")).expect("valid");
    w.settle(Dur::mins(1));
    manifest::apply(&mut w, &claim.replace("storage: 1Gi", "storage: 2Gi"))
        .expect("an expandable class lets a bound claim grow");
    w.settle(Dur::mins(1));
    let pv = run(&mut w, "get pv", &NoFiles).stdout;
    assert!(
        pv.contains(" 2Gi "),
        "the volume grows with its claim:\n{pv}"
    );
    let pvc = run(&mut w, "get pvc data", &NoFiles).stdout;
    assert!(
        pvc.contains(" 2Gi "),
        "the claim's capacity follows:\n{pvc}"
    );
}

#[test]
fn storage_classes_and_volumes_are_validated() {
    let sc = "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: \"\"
reclaimPolicy: Keep
volumeBindingMode: Later
";
    rejected_storage(
        cluster(),
        sc,
        &[
            "provisioner: Required value",
            "reclaimPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", \"Retain\"",
            "volumeBindingMode: Unsupported value: \"Later\"",
        ],
    );
    let params = "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
provisioner: kubeplay.dev/hostpath
parameters:
  type: ssd
";
    rejected_storage(
        cluster(),
        params,
        &["parameters: Forbidden: updates to parameters are forbidden."],
    );
    let pv = "apiVersion: v1
kind: PersistentVolume
metadata:
  name: disk
spec:
  accessModes: [ReadWriteOnce]
";
    rejected_storage(cluster(), pv, &["spec.capacity: Required value"]);
}

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: nginx
  ports:
  - port: 80
";

/// A cluster with the Deployment and a Service in front of it.
fn service_cluster() -> World {
    let mut w = cluster();
    manifest::apply(&mut w, SERVICE).expect("valid service");
    w.settle(Dur::mins(1));
    w
}

fn service_snapshot(w: &mut World) -> (u64, String) {
    let rv = w.store().resource_version();
    let all = run(w, "get svc,ep,endpointslices,events -A -o json", &NoFiles).stdout;
    (rv, all)
}

fn rejected_service(mut w: World, text: &str, must_contain: &[&str]) {
    let before = service_snapshot(&mut w);
    let err = manifest::apply(&mut w, text).expect_err("manifest should be rejected");
    let shown = err.to_string();
    for m in must_contain {
        assert!(shown.contains(m), "error should mention {m:?}:\n{shown}");
    }
    assert_eq!(
        service_snapshot(&mut w),
        before,
        "a rejected manifest must not change the cluster:\n{shown}"
    );
}

#[test]
fn service_ports_are_validated() {
    rejected_service(
        cluster(),
        &SERVICE.replace("port: 80", "port: 70000"),
        &[
            "The Service \"web\" is invalid",
            "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "document 1 (line 9",
        ],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("port: 80", "port: 80\n    targetPort: http_web"),
        &["spec.ports[0].targetPort: Invalid value: \"http_web\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("port: 80", "port: 80\n    protocol: HTTP"),
        &["spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("  - port: 80\n", "  - port: 80\n  - port: 443\n"),
        &[
            "spec.ports[0].name: Required value",
            "spec.ports[1].name: Required value",
        ],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("  ports:\n  - port: 80\n", ""),
        &["spec.ports: Required value"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("port: 80", "port: 80\n    nodePort: 30080"),
        &["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("spec:\n", "spec:\n  type: NodePort\n").replace("port: 80", "port: 80\n    nodePort: 8080"),
        &["spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"],
    );
}

#[test]
fn a_service_cluster_ip_is_checked_and_fixed_once_allocated() {
    rejected_service(
        service_cluster(),
        &SERVICE.replace("spec:\n", "spec:\n  clusterIP: 10.96.0.99\n"),
        &["spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.99\"}: may not change once set"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("spec:\n", "spec:\n  clusterIP: 10.96.0.10\n"),
        &["spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("spec:\n", "spec:\n  clusterIP: 192.168.0.1\n"),
        &["the provided IP (192.168.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("spec:\n", "spec:\n  clusterIP: 10.96.0.300\n"),
        &["spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("spec:\n", "spec:\n  type: NodePort\n  clusterIP: None\n"),
        &["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    );
}

#[test]
fn service_selector_type_errors_name_the_field() {
    rejected_service(
        cluster(),
        &SERVICE.replace("    app: nginx\n", "    matchLabels:\n      app: nginx\n"),
        &[
            "spec.selector.matchLabels",
            "invalid type: map, expected a string",
        ],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("  selector:\n    app: nginx\n", "  selector: [app]\n"),
        &["spec.selector", "invalid type: sequence, expected a map"],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("    app: nginx\n", "    app: \"not valid!\"\n"),
        &["spec.selector: Invalid value: \"not valid!\""],
    );
    rejected_service(
        cluster(),
        &SERVICE.replace("name: web", "name: 1web"),
        &["metadata.name: Invalid value: \"1web\": a DNS-1035 label"],
    );
}

/// A cluster with a running nginx pod (`web-0`) and a busybox pod (`box`).
fn exec_cluster() -> World {
    let mut w = World::new(9);
    let pods = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-0\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.25.3\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: box\nspec:\n  containers:\n  - name: box\n    image: busybox:1.36\n    command: [sleep, \"3600\"]\n";
    manifest::apply(&mut w, pods).expect("valid pods");
    w.advance(Dur::secs(30));
    w
}

fn rejected_exec(line: &str, must_contain: &str) {
    let mut w = exec_cluster();
    let before = snapshot(&mut w);
    let out = run(&mut w, line, &NoFiles);
    assert!(!out.ok, "{line:?} should fail, printed {out:?}");
    assert!(
        out.stderr.contains(must_contain),
        "{line:?}: stderr should mention {must_contain:?}, got {:?}",
        out.stderr
    );
    assert_eq!(
        snapshot(&mut w),
        before,
        "{line:?} must not change the cluster"
    );
}

#[test]
fn exec_errors_are_kubectls() {
    rejected_exec(
        "kubectl exec nope -- ls",
        "Error from server (NotFound): pods \"nope\" not found",
    );
    rejected_exec(
        "kubectl exec web-0 -c other -- ls",
        "error: unable to upgrade connection: container not found (\"other\")",
    );
    rejected_exec(
        "kubectl exec web-0 ls",
        "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead",
    );
    rejected_exec(
        "kubectl exec web-0",
        "error: you must specify at least one command for the container",
    );
    rejected_exec(
        "kubectl exec",
        "error: pod, type/name or --filename must be specified",
    );
    rejected_exec(
        "kubectl exec web-0 --replicas=3 -- ls",
        "unknown flag: --replicas",
    );
    rejected_exec("kubectl exec web-0 -z -- ls", "unknown shorthand flag");
    rejected_exec(
        "kubectl exec web-0 -- sh -c 'echo \"open'",
        "sh: 1: Syntax error: Unterminated quoted string",
    );
    rejected_exec(
        "kubectl exec box -- sh -c 'echo \"open'",
        "sh: syntax error: unterminated quoted string",
    );
    rejected_exec("kubectl exec web-0 -- sh -c 'echo \"open", "unterminated");
    rejected_exec(
        "kubectl exec web-0 -- nosuch",
        "exec: \"nosuch\": executable file not found in $PATH: unknown",
    );
    rejected_exec(
        "kubectl exec web-0 -- cat /x",
        "cat: /x: No such file or directory",
    );
    rejected_exec(
        "kubectl exec box -- cat /x",
        "cat: can't open '/x': No such file or directory",
    );
    rejected_exec(
        "kubectl exec box -- sh -c 'exit 3'",
        "command terminated with exit code 3",
    );
    rejected_exec(
        "kubectl exec web-0 -- sh -c '&& ls'",
        "Syntax error: \"&&\" unexpected",
    );
}

#[test]
fn exec_into_a_pod_that_is_not_running() {
    let mut w = World::new(9);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    resources:\n      requests:\n        cpu: \"64\"\n";
    manifest::apply(&mut w, pod).expect("valid pod");
    w.advance(Dur::secs(5));
    let out = run(&mut w, "exec big -- ls", &NoFiles);
    assert_eq!(
        out.stderr,
        "Error from server (BadRequest): pod big does not have a host assigned\n"
    );
}

#[test]
fn random_shell_scripts_never_panic() {
    let pieces = [
        "echo",
        "cat",
        "ls",
        "-l",
        "-la",
        "rm",
        "-rf",
        "mkdir",
        "-p",
        "touch",
        "test",
        "[",
        "]",
        "-f",
        "-d",
        "hostname",
        "curl",
        "http://localhost/",
        "http://localhost",
        "/",
        "/tmp",
        "/tmp/a",
        "/usr/share/nginx/html",
        "x",
        "\"",
        "'",
        "$(",
        ")",
        "`",
        "$",
        "$?",
        "${",
        "}",
        ";",
        "&&",
        "||",
        "|",
        "&",
        ">",
        ">>",
        "<",
        "2>",
        "2>&1",
        "#",
        "\\",
        "\n",
        "exit",
        "cd",
        "..",
        "wc",
        "-l",
        "sh",
        "-c",
        "bash",
        "a=b",
        "$a",
        "(",
        "nslookup",
        "ü",
        "\t",
    ];
    let mut w = exec_cluster();
    let mut rng = Rng::new(77);
    for i in 0..3000 {
        let n = rng.between(0, 12);
        let script: Vec<&str> = (0..n)
            .map(|_| pieces[rng.below(pieces.len() as u64) as usize])
            .collect();
        let script = script.join(if rng.below(3) == 0 { "" } else { " " });
        let pod = if i % 2 == 0 { "web-0" } else { "box" };
        let quoted = script.replace('\'', "'\\''");
        let _ = run(&mut w, &format!("exec {pod} -- sh -c '{quoted}'"), &NoFiles);
        let argv = script.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = run(&mut w, &format!("exec {pod} -- {argv}"), &NoFiles);
    }
}

const STS: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [\"ReadWriteOnce\"]
      resources:
        requests:
          storage: 1Gi
";

fn sts_cluster() -> World {
    let mut w = World::new(5);
    manifest::apply(&mut w, STS).expect("valid StatefulSet");
    w.settle(Dur::mins(5));
    w
}

fn sts_snapshot(w: &mut World) -> (u64, String) {
    let rv = w.store().resource_version();
    let all = run(
        w,
        "get sts,pods,pvc,controllerrevisions -A -o json",
        &NoFiles,
    )
    .stdout;
    (rv, all)
}

fn rejected_stateful_set(text: &str, must_contain: &[&str]) {
    let mut w = sts_cluster();
    let before = sts_snapshot(&mut w);
    let err = manifest::apply(&mut w, text).expect_err("manifest should be rejected");
    let shown = err.to_string();
    for m in must_contain {
        assert!(shown.contains(m), "error should mention {m:?}:\n{shown}");
    }
    assert_eq!(
        sts_snapshot(&mut w),
        before,
        "a rejected manifest must not change the cluster:\n{shown}"
    );
}

#[test]
fn stateful_set_spec_fields_other_than_the_mutable_ones_are_forbidden() {
    rejected_stateful_set(
        &STS.replace("serviceName: nginx", "serviceName: other"),
        &[
            "The StatefulSet \"web\" is invalid",
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ],
    );
    rejected_stateful_set(
        &STS.replace("storage: 1Gi", "storage: 2Gi"),
        &["spec: Forbidden: updates to statefulset spec"],
    );
}

#[test]
fn stateful_set_selector_must_match_its_template() {
    rejected_stateful_set(
        &STS.replace("name: web\n", "name: other\n").replace(
            "        app: nginx\n    spec:",
            "        app: web\n    spec:",
        ),
        &[
            "spec.template.metadata.labels",
            "`selector` does not match template `labels`",
        ],
    );
}

#[test]
fn bad_volume_claim_templates_and_policies_are_refused() {
    let other = STS.replace("name: web\n", "name: other\n");
    rejected_stateful_set(
        &other.replace("      accessModes: [\"ReadWriteOnce\"]\n", ""),
        &[
            "spec.volumeClaimTemplates[0].spec.accessModes",
            "Required value",
        ],
    );
    rejected_stateful_set(
        &other.replace("storage: 1Gi", "storage: lots"),
        &["spec.volumeClaimTemplates[0].spec.resources.requests[storage]"],
    );
    rejected_stateful_set(
        &other.replace(
            "  - metadata:\n      name: www\n",
            "  - metadata:\n      name: Www_1\n",
        ),
        &["spec.volumeClaimTemplates[0].metadata.name"],
    );
    rejected_stateful_set(
        &other.replace(
            "  replicas: 2\n",
            "  replicas: 2\n  podManagementPolicy: Sometimes\n",
        ),
        &[
            "spec.podManagementPolicy",
            "must be 'OrderedReady' or 'Parallel'",
        ],
    );
    rejected_stateful_set(
        &other.replace(
            "  replicas: 2\n",
            "  replicas: 2\n  persistentVolumeClaimRetentionPolicy:\n    whenScaled: Keep\n",
        ),
        &[
            "spec.persistentVolumeClaimRetentionPolicy.whenScaled",
            "Unsupported value: \"Keep\"",
        ],
    );
    rejected_stateful_set(
        &other.replace(
            "  replicas: 2\n",
            "  replicas: 2\n  ordinals:\n    start: -1\n",
        ),
        &["spec.ordinals.start", "must be greater than or equal to 0"],
    );
    rejected_stateful_set(
        &other.replace(
            "  replicas: 2\n",
            "  replicas: 2\n  updateStrategy:\n    type: OnDelete\n    rollingUpdate:\n      partition: 1\n",
        ),
        &["spec.updateStrategy.rollingUpdate", "only allowed for updateStrategy 'RollingUpdate'"],
    );
}

#[test]
fn stateful_set_commands_refuse_what_kubectl_refuses() {
    let mut w = sts_cluster();
    let before = sts_snapshot(&mut w);
    for (line, want) in [
        ("rollout undo sts/web", "no last revision to roll back to"),
        (
            "rollout undo sts/web --to-revision=5",
            "unable to find specified revision 5 in history",
        ),
        ("rollout pause sts/web", "pausing is not supported"),
        (
            "scale sts/nope --replicas=2",
            "statefulsets.apps \"nope\" not found",
        ),
        (
            "set image sts/web nope=nginx:1.26",
            "unable to find container named \"nope\"",
        ),
    ] {
        let out = run(&mut w, line, &NoFiles);
        assert!(!out.ok, "{line} should fail");
        assert!(out.stderr.contains(want), "{line}: {}", out.stderr);
    }
    assert_eq!(sts_snapshot(&mut w), before);
}

const DS: &str = "\
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
      containers:
      - name: agent
        image: busybox:1.36
        command: [\"sh\", \"-c\", \"sleep 3600\"]
";

fn ds_cluster() -> World {
    let mut w = World::new(5);
    manifest::apply(&mut w, DS).expect("valid DaemonSet");
    w.settle(Dur::mins(5));
    w
}

fn ds_snapshot(w: &mut World) -> (u64, String) {
    let rv = w.store().resource_version();
    let all = run(w, "get ds,pods,controllerrevisions -A -o json", &NoFiles).stdout;
    (rv, all)
}

fn rejected_daemon_set(text: &str, must_contain: &[&str]) {
    let mut w = ds_cluster();
    let before = ds_snapshot(&mut w);
    let err = manifest::apply(&mut w, text).expect_err("manifest should be rejected");
    let shown = err.to_string();
    for m in must_contain {
        assert!(shown.contains(m), "error should mention {m:?}:\n{shown}");
    }
    assert_eq!(
        ds_snapshot(&mut w),
        before,
        "a rejected manifest must not change the cluster:\n{shown}"
    );
}

#[test]
fn daemon_set_selector_is_immutable_and_must_match_its_template() {
    rejected_daemon_set(
        &DS.replace(
            "      app: agent\n  template",
            "      app: agent\n      tier: node\n  template",
        )
        .replace(
            "        app: agent\n    spec",
            "        app: agent\n        tier: node\n    spec",
        ),
        &[
            "The DaemonSet \"agent\" is invalid",
            "spec.selector: Invalid value",
            "field is immutable",
        ],
    );
    let other = DS.replace("name: agent\n", "name: other\n");
    rejected_daemon_set(
        &other.replace("        app: agent\n    spec", "        app: web\n    spec"),
        &[
            "spec.template.metadata.labels",
            "`selector` does not match template `labels`",
        ],
    );
    rejected_daemon_set(
        &other.replace(
            "    matchLabels:\n      app: agent\n",
            "    matchLabels: {}\n",
        ),
        &["spec.selector", "empty selector is invalid for daemonset"],
    );
}

#[test]
fn daemon_set_pod_template_and_strategy_are_validated() {
    let other = DS.replace("name: agent\n", "name: other\n");
    rejected_daemon_set(
        &other.replace(
            "    spec:\n      containers",
            "    spec:\n      restartPolicy: Never\n      containers",
        ),
        &[
            "spec.template.spec.restartPolicy",
            "Unsupported value: \"Never\": supported values: \"Always\"",
        ],
    );
    rejected_daemon_set(
        &other.replace(
            "    spec:\n      containers",
            "    spec:\n      activeDeadlineSeconds: 10\n      containers",
        ),
        &[
            "spec.template.spec.activeDeadlineSeconds",
            "Forbidden: activeDeadlineSeconds in DaemonSet is not Supported",
        ],
    );
    let strategy = |s: &str| {
        other.replace(
            "spec:\n  selector",
            &format!("spec:\n  updateStrategy:\n{s}  selector"),
        )
    };
    rejected_daemon_set(
        &strategy("    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 0\n      maxSurge: 0\n"),
        &[
            "spec.updateStrategy.rollingUpdate.maxUnavailable",
            "Required value: cannot be 0 when maxSurge is 0",
        ],
    );
    rejected_daemon_set(
        &strategy("    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 1\n      maxSurge: 1\n"),
        &[
            "spec.updateStrategy.rollingUpdate.maxSurge",
            "Invalid value: 1: may not be set when maxUnavailable is non-zero",
        ],
    );
    rejected_daemon_set(
        &strategy("    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 120%\n"),
        &[
            "spec.updateStrategy.rollingUpdate.maxUnavailable",
            "must not be greater than 100%",
        ],
    );
    rejected_daemon_set(
        &strategy("    type: Sometimes\n"),
        &[
            "spec.updateStrategy",
            "Unsupported value: \"Sometimes\": supported values: \"RollingUpdate\", \"OnDelete\"",
        ],
    );
    rejected_daemon_set(
        &other.replace(
            "spec:\n  selector",
            "spec:\n  minReadySeconds: -1\n  selector",
        ),
        &["spec.minReadySeconds", "must be greater than or equal to 0"],
    );
}

#[test]
fn daemon_set_commands_refuse_what_kubectl_refuses() {
    let mut w = ds_cluster();
    let before = ds_snapshot(&mut w);
    for (line, want) in [
        ("rollout undo ds/agent", "no last revision to roll back to"),
        (
            "rollout undo daemonset/agent --to-revision=7",
            "unable to find specified revision 7 in history",
        ),
        (
            "rollout pause ds/agent",
            "daemonsets.apps \"agent\" pausing is not supported",
        ),
        (
            "rollout history ds/agent --revision=3",
            "unable to find the specified revision 3",
        ),
        (
            "rollout status ds/nope",
            "daemonsets.apps \"nope\" not found",
        ),
        (
            "scale ds/agent --replicas=2",
            "the server could not find the requested resource",
        ),
        (
            "set image ds/agent nope=busybox:1.37",
            "unable to find container named \"nope\"",
        ),
    ] {
        let out = run(&mut w, line, &NoFiles);
        assert!(!out.ok, "{line} should fail");
        assert!(out.stderr.contains(want), "{line}: {}", out.stderr);
    }
    assert_eq!(ds_snapshot(&mut w), before);
}

#[test]
fn replicas_beyond_the_playground_limit_are_refused() {
    let limit = manifest::validate::MAX_REPLICAS;
    let over = limit + 1;
    let text = GOOD.replace("replicas: 3", &format!("replicas: {over}"));
    rejected_manifest(
        &text,
        &[
            &format!("spec.replicas: Invalid value: {over}: must be less than or equal to {limit}"),
            "kubeplay's limit on replicas",
        ],
    );
    rejected_stateful_set(
        &STS.replace("replicas: 2", &format!("replicas: {over}")),
        &["spec.replicas", "kubeplay's limit on replicas"],
    );
    let mut w = sts_cluster();
    let before = sts_snapshot(&mut w);
    let out = run(
        &mut w,
        &format!("scale statefulset web --replicas={over}"),
        &NoFiles,
    );
    assert!(
        !out.ok
            && out
                .stderr
                .contains("The StatefulSet \"web\" is invalid: spec.replicas"),
        "{out:?}"
    );
    assert_eq!(sts_snapshot(&mut w), before);
    // At the limit is allowed (and checked without running the cluster to it).
    let mut w = cluster();
    manifest::apply(
        &mut w,
        &GOOD.replace("replicas: 3", &format!("replicas: {limit}")),
    )
    .expect("the limit itself is allowed");
    for (line, msg) in [
        (
            format!("scale deployment nginx-deployment --replicas={over}"),
            format!("The Deployment \"nginx-deployment\" is invalid: spec.replicas: Invalid value: {over}: must be less than or equal to {limit}"),
        ),
        // Beyond int32 the value is still reported as typed, not wrapped.
        (
            "scale deployment nginx-deployment --replicas=4294967299".into(),
            "Invalid value: 4294967299: must be less than or equal to".into(),
        ),
        (
            "scale deployment nginx-deployment --replicas=99999999999999999999".into(),
            "parsing \"99999999999999999999\": value out of range".into(),
        ),
        (
            format!("create deployment big --image=nginx --replicas={over}"),
            format!("spec.replicas: Invalid value: {over}"),
        ),
        (
            "create deployment big --image=nginx --replicas=4294967297".into(),
            "invalid argument \"4294967297\" for \"--replicas\" flag: strconv.ParseInt: parsing \"4294967297\": value out of range".into(),
        ),
        (
            "create deployment big --image=nginx --port=4294967376".into(),
            "value out of range".into(),
        ),
    ] {
        rejected_command(&line, &msg);
    }
}

#[test]
fn yaml_alias_bombs_are_refused() {
    // A billion laughs: nine levels of nine aliases each would expand to 387 million strings.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("  {}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    let e = rejected_manifest(&text, &["document 1", "repetition limit exceeded"]);
    assert_eq!(e.errors.len(), 1, "{e}");
}

#[test]
fn long_names_and_values_are_refused_as_the_api_server_refuses_them() {
    let long_name = "a".repeat(254);
    rejected_manifest(
        &GOOD.replace("name: nginx-deployment", &format!("name: {long_name}")),
        &["metadata.name", "must be no more than 253 characters"],
    );
    rejected_manifest(
        &GOOD.replace("app: nginx", &format!("app: {}", "v".repeat(64))),
        &["must be no more than 63 characters"],
    );
    let big = "v".repeat(256 * 1024 + 1);
    rejected_command(
        &format!("annotate deployment nginx-deployment note={big}"),
        "The Deployment \"nginx-deployment\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes",
    );
    rejected_command(
        &format!("label node worker-1 app={}", "v".repeat(64)),
        "must be no more than 63 characters",
    );
}

#[test]
fn the_simulated_clock_stops_at_the_end_of_time() {
    use kubeplay_core::sim::END_OF_TIME;
    // A pod that crash-loops forever keeps the queue busy; the clock still stops at the end.
    let mut w = cluster();
    run(
        &mut w,
        "run loop --image=busybox --restart=Always -- false",
        &NoFiles,
    );
    rejected_command(
        "sim advance 169h",
        "the simulated clock stops 7d after the cluster starts",
    );
    w.advance(Dur::ms(u64::MAX));
    assert_eq!(w.now(), END_OF_TIME);
    let steps = w.steps();
    assert!(!w.step(), "work past the end of time ran");
    let settled = w.settle(Dur::ms(u64::MAX));
    assert!(!settled.settled);
    assert_eq!((w.now(), w.steps()), (END_OF_TIME, steps));
    let out = run(&mut w, "sim settle", &NoFiles);
    assert!(out.stderr.contains("it is there now"), "{out:?}");
    let before = snapshot(&mut w);
    let out = run(&mut w, "sim advance 1s", &NoFiles);
    assert!(
        !out.ok && out.stderr.contains("kubeplay's limit"),
        "{out:?}"
    );
    assert_eq!(snapshot(&mut w), before);
}
