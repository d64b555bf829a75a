//! The `kubeplay` binary as a teacher's script would use it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kubeplay(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubeplay runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("script written");
    child.wait_with_output().expect("kubeplay finishes")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kubeplay-cli-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
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
        image: nginx:1.25.3
";

#[test]
fn runs_a_script_with_files_relative_to_the_working_directory() {
    let dir = temp_dir("files");
    std::fs::write(dir.join("web.yaml"), DEPLOYMENT).unwrap();
    let out = kubeplay(
        &["run", "-"],
        "# a comment\napply -f web.yaml\nrollout status deployment/web\nget deployment web\n",
        &dir,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("deployment.apps/web created"), "{stdout}");
    assert!(
        stdout.contains("deployment \"web\" successfully rolled out"),
        "{stdout}"
    );
    assert!(stdout.contains("web    2/2     2            2"), "{stdout}");
}

#[test]
fn a_failed_command_goes_to_stderr_the_run_goes_on_and_the_exit_code_is_one() {
    let dir = temp_dir("fail");
    let out = kubeplay(
        &["run", "-"],
        "get pod nope\ncreate deployment web --image=nginx:1.25.3\n",
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pods \"nope\" not found"));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("deployment.apps/web created"),
        "the run goes on after a failure"
    );
}

#[test]
fn empty_cluster_and_echo() {
    let dir = temp_dir("empty");
    let out = kubeplay(&["run", "-", "--empty", "--echo"], "get nodes\n", &dir);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "$ get nodes\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("No resources found"));
}

#[test]
fn the_same_seed_prints_the_same_transcript_and_another_seed_differs() {
    let dir = temp_dir("seed");
    let script =
        "create deployment web --image=nginx:1.25.3 --replicas=3\nsim settle\nget pods -o wide\n";
    let a = kubeplay(&["run", "-", "--seed", "7"], script, &dir);
    let b = kubeplay(&["run", "-", "--seed=7"], script, &dir);
    let c = kubeplay(&["run", "-", "--seed", "8"], script, &dir);
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout, "pod names come from the seed");
}

#[test]
fn usage_errors_exit_two() {
    let dir = temp_dir("usage");
    assert_eq!(kubeplay(&["run"], "", &dir).status.code(), Some(2));
    assert_eq!(
        kubeplay(&["run", "-", "--seed", "x"], "", &dir)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(kubeplay(&["frobnicate"], "", &dir).status.code(), Some(2));
    assert_eq!(
        kubeplay(&["run", "missing-script.kp"], "", &dir)
            .status
            .code(),
        Some(2)
    );
    let unclosed = kubeplay(&["run", "-"], "apply -f - <<EOF\nkind: X\n", &dir);
    assert_eq!(unclosed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unclosed.stderr).contains("here-document not closed"));
}

#[test]
fn lesson_check_grades_a_solution_and_prints_a_json_report() {
    let dir = temp_dir("lesson-check");
    let pass = kubeplay(
        &["lesson", "check", "deployments", "--run", "-"],
        "kubectl scale deployment web --replicas=5\nsim settle\nkubectl set image deployment/web nginx=nginx:1.26\nkubectl rollout status deployment/web\nkubectl set image deployment/web nginx=nginx:1.266\nsim advance 2m\nkubectl rollout undo deployment/web\n",
        &dir,
    );
    assert_eq!(
        pass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&pass.stdout).expect("JSON");
    assert_eq!(report["passed"], true);
    assert_eq!(report["steps_done"], 4);
    assert_eq!(
        report["steps"][0]["line"], 2,
        "step 1 was done after `sim settle`"
    );
    assert!(report["steps"][1]["checks"][0]["at"].is_string());

    let partial = kubeplay(
        &["lesson", "check", "deployments", "--run", "-"],
        "kubectl scale deployment web --replicas=5\n",
        &dir,
    );
    assert_eq!(partial.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&partial.stdout).expect("JSON");
    assert_eq!(report["steps_done"], 1);
    assert_eq!(report["steps"][1]["passed"], false);
    assert_eq!(report["steps"][2]["checks"][0]["found"], "not reached");
}

#[test]
fn lesson_files_are_validated_with_their_line_and_field() {
    let dir = temp_dir("lesson-file");
    let good = "lesson: 1\nid: mine\ntitle: Mine\nsteps:\n  - title: Make a pod\n    checks:\n      - title: A pod runs\n        objects: {kind: Pod, name: p, where: {phase: Running}}\nsolution: |\n  kubectl run p --image=nginx\n";
    std::fs::write(dir.join("mine.yaml"), good).expect("written");
    std::fs::write(dir.join("sol.kp"), "kubectl run p --image=nginx\n").expect("written");
    let out = kubeplay(&["lesson", "validate", "mine.yaml"], "", &dir);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 steps, 1 checks"));
    let out = kubeplay(&["lesson", "check", "mine.yaml", "--run=sol.kp"], "", &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    std::fs::write(dir.join("bad.yaml"), good.replace("kind: Pod", "kind: Pdo")).expect("written");
    let out = kubeplay(
        &["lesson", "check", "bad.yaml", "--run", "sol.kp"],
        "",
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 8 column")
            && err.contains("steps[0].checks[0].objects.kind: unknown kind \"Pdo\""),
        "{err}"
    );
    let out = kubeplay(
        &["lesson", "check", "no-such-lesson", "--run", "sol.kp"],
        "",
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("built-in: stateless-vs-stateful"));
    let out = kubeplay(&["lesson", "list"], "", &dir);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
}
