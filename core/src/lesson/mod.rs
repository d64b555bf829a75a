//! Lessons: exercises that check themselves from cluster state.
//!
//! A lesson is a YAML file ([`Lesson::parse`]): a title and an introduction, the cluster it
//! starts from (a seed, the default or an empty cluster, manifests applied and commands run
//! before the learner arrives), and steps. Each step has instructions, hints, an optional
//! "predict what happens" question and [`Check`]s: declarative conditions on what the cluster
//! holds (objects and their fields, files in a volume, events and their order), never on
//! which commands were typed. `docs/lessons.md` documents the format; [`builtin`] holds the
//! lessons the page offers.
//!
//! - [`check`] evaluates one check against a world;
//! - [`progress`] follows a learner through the steps and grades a solution script.
//!
//! Architecture invariant: a lesson is data; evaluating it reads the world and never changes
//! it.

pub mod builtin;
pub mod check;
pub mod progress;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::kubectl::{self, NoFiles, ResType};
use crate::labels::Selector;
use crate::manifest::locate;
use crate::session::{Input, Session, Start};
use crate::store::Kind;

/// The lesson format this build reads.
pub const FORMAT: u32 = 1;

/// Largest lesson file accepted, in bytes.
pub const MAX_LESSON_BYTES: usize = 256 * 1024;

/// A lesson, as its file says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Lesson {
    /// The format version: `1`.
    pub lesson: u32,
    /// A short lowercase identifier (`deployments`), unique among the lessons a page offers.
    pub id: String,
    pub title: String,
    /// One line for a menu.
    #[serde(default)]
    pub summary: String,
    /// Markdown shown before the first step.
    #[serde(default)]
    pub introduction: String,
    #[serde(default)]
    pub start: LessonStart,
    pub steps: Vec<Step>,
    /// A reference solution: a kubeplay script (the command language, one command per line,
    /// here-documents for manifests) that passes every check.
    #[serde(default)]
    pub solution: String,
}

/// The cluster a lesson starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LessonStart {
    /// `default` (a control plane and two workers) or `empty` (no nodes).
    #[serde(default)]
    pub cluster: Start,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Manifests applied first (YAML, several documents allowed).
    #[serde(default)]
    pub manifests: String,
    /// Command lines run after the manifests (`sim node add …`, `sim settle`).
    #[serde(default)]
    pub commands: Vec<String>,
}

fn default_seed() -> u64 {
    1
}

impl Default for LessonStart {
    fn default() -> Self {
        LessonStart {
            cluster: Start::Default,
            seed: default_seed(),
            manifests: String::new(),
            commands: Vec::new(),
        }
    }
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Step {
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub instructions: String,
    /// Markdown, shown one at a time on request.
    #[serde(default)]
    pub hints: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predict: Option<Predict>,
    /// All of these must hold at the same moment for the step to be done.
    pub checks: Vec<Check>,
}

/// A "predict what happens" question, answered before acting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Predict {
    pub question: String,
    pub choices: Vec<String>,
    /// The index of the right choice.
    pub answer: usize,
    /// Markdown shown once answered.
    #[serde(default)]
    pub explanation: String,
}

/// A condition on cluster state; exactly one of `objects`, `file`, `event` and `order`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Check {
    /// What the learner sees, e.g. "Five pods of web are Ready".
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<ObjectsCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventMatch>,
    /// Events that happened in this order (each by its first occurrence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<EventMatch>>,
}

/// How many objects of a kind match: by namespace, name, label selector and field conditions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectsCheck {
    /// A type as kubectl names it: `Pod`, `deployment`, `pvc`, …
    pub kind: String,
    /// `default` unless given; `*` for every namespace. Ignored for cluster-scoped kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A label selector, as `kubectl get -l` takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    #[serde(default, rename = "where", skip_serializing_if = "Where::is_empty")]
    pub where_: Where,
    /// Exactly this many match. Without `count`, `min` and `max`: at least one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
}

/// Conditions on one object; all given must hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Where {
    /// `status.phase`: `Running`, `Pending`, `Bound`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Pods only: the STATUS column of `kubectl get pods` (`Running`, `ContainerCreating`,
    /// `ErrImagePull`, `Terminating`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Pods and nodes: whether the `Ready` condition is `True`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// Whether deletion has begun (`metadata.deletionTimestamp` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminating: Option<bool>,
    /// Some container (of the pod, or of the workload's pod template) runs this image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Pods: `spec.nodeName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// A status condition of this type has this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ConditionMatch>,
    /// Field paths (`status.readyReplicas`, `spec.template.spec.containers[0].image`,
    /// `metadata.labels[app.kubernetes.io/name]`) and the values they must hold; `null` for
    /// absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl Where {
    fn is_empty(&self) -> bool {
        *self == Where::default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConditionMatch {
    #[serde(rename = "type")]
    pub type_: String,
    /// `True` unless given.
    #[serde(default = "true_status")]
    pub status: String,
}

fn true_status() -> String {
    "True".into()
}

/// A file in a persistent volume: by the claim bound to it or by the volume's name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// The claim's namespace: `default` unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Absolute, inside the volume (not where a pod mounts it).
    pub path: String,
    /// The file holds this text somewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// The file holds exactly this (a trailing newline aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
}

/// An event that happened: every field given must match.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The kind of the object it is about (`Pod`, `StatefulSet`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The name of the object it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Text the message contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// At least this many times (the events' counts added up): 1 unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

/// A problem in a lesson file, at a field and, where it can be found, a line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The field path, e.g. `steps[1].checks[0].objects.selector`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            if let Some(col) = self.column {
                write!(f, " column {col}")?;
            }
            write!(f, ": ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)
    }
}

/// Every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonErrors(pub Vec<LessonError>);

impl std::fmt::Display for LessonErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl Lesson {
    /// Reads and checks a lesson file: its fields, its checks (kinds, selectors, paths) and
    /// that its starting cluster can be built.
    pub fn parse(text: &str) -> Result<Lesson, LessonErrors> {
        let error = |path: &str, message: String| {
            let loc = locate::locate(text, path);
            LessonError {
                line: loc.map(|(l, _)| l),
                column: loc.map(|(_, c)| c),
                path: path.to_string(),
                message,
            }
        };
        if text.len() > MAX_LESSON_BYTES {
            return Err(LessonErrors(vec![LessonError {
                line: None,
                column: None,
                path: String::new(),
                message: format!(
                    "the lesson is {} KiB; lessons may be at most {} KiB",
                    text.len().div_ceil(1024),
                    MAX_LESSON_BYTES / 1024
                ),
            }]));
        }
        let de = yaml_serde::Deserializer::from_str(text);
        let lesson: Lesson = serde_path_to_error::deserialize(de).map_err(|e| {
            let loc = e.inner().location().map(|l| (l.line(), l.column()));
            let path = e.path().to_string();
            let msg = e.inner().to_string();
            let msg = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            LessonErrors(vec![LessonError {
                line: loc.map(|(l, _)| l),
                column: loc.map(|(_, c)| c),
                path: if path == "." { String::new() } else { path },
                message: msg,
            }])
        })?;
        let mut errors = Vec::new();
        lesson.validate(&mut |path, message| errors.push(error(path, message)));
        if errors.is_empty() {
            Ok(lesson)
        } else {
            Err(LessonErrors(errors))
        }
    }

    fn validate(&self, err: &mut dyn FnMut(&str, String)) {
        if self.lesson > FORMAT {
            err(
                "lesson",
                format!(
                    "this lesson is written for a newer kubeplay (format {}; this one reads format {FORMAT})",
                    self.lesson
                ),
            );
            return;
        }
        if self.lesson != FORMAT {
            err("lesson", format!("the format version must be {FORMAT}"));
        }
        if let Err(e) = crate::labels::check_dns1123_label(&self.id) {
            err("id", format!("invalid lesson id {:?}: {e}", self.id));
        }
        if self.title.trim().is_empty() {
            err("title", "a lesson needs a title".into());
        }
        if self.steps.is_empty() {
            err("steps", "a lesson needs at least one step".into());
        }
        for (i, step) in self.steps.iter().enumerate() {
            let at = format!("steps[{i}]");
            if step.checks.is_empty() {
                err(
                    &format!("{at}.checks"),
                    "a step needs at least one check".into(),
                );
            }
            if let Some(p) = &step.predict {
                if p.choices.len() < 2 {
                    err(
                        &format!("{at}.predict.choices"),
                        "a question needs at least two choices".into(),
                    );
                } else if p.answer >= p.choices.len() {
                    err(
                        &format!("{at}.predict.answer"),
                        format!(
                            "the answer is an index into choices: 0 to {}",
                            p.choices.len() - 1
                        ),
                    );
                }
            }
            for (j, c) in step.checks.iter().enumerate() {
                c.validate(&format!("{at}.checks[{j}]"), err);
            }
        }
        self.validate_start(err);
    }

    /// Builds the starting cluster once, so a lesson whose manifests or commands fail is
    /// refused when it is loaded rather than when a learner opens it.
    fn validate_start(&self, err: &mut dyn FnMut(&str, String)) {
        let mut world = self.start.cluster_world();
        if !self.start.manifests.trim().is_empty() {
            if let Err(e) = crate::manifest::apply(&mut world, &self.start.manifests) {
                err(
                    "start.manifests",
                    format!("the starting manifests do not apply: {e}"),
                );
            }
        }
        for (i, line) in self.start.commands.iter().enumerate() {
            let out = kubectl::run(&mut world, line, &NoFiles);
            if !out.ok {
                err(
                    &format!("start.commands[{i}]"),
                    format!("{line:?} failed: {}", out.stderr.trim()),
                );
            }
        }
    }

    /// The session a learner starts in: the lesson's cluster, prepared, with no history.
    pub fn session(&self) -> Session {
        let mut session = Session::new(self.start.seed, self.start.cluster);
        if !self.start.manifests.trim().is_empty() {
            session.setup.push(Input::Apply {
                text: self.start.manifests.clone(),
            });
        }
        session.setup.extend(
            self.start
                .commands
                .iter()
                .map(|line| Input::Run { line: line.clone() }),
        );
        session
    }
}

impl LessonStart {
    fn cluster_world(&self) -> crate::World {
        Session::new(self.seed, self.cluster).start_world()
    }
}

impl Check {
    fn validate(&self, at: &str, err: &mut dyn FnMut(&str, String)) {
        let given = [
            self.objects.is_some(),
            self.file.is_some(),
            self.event.is_some(),
            self.order.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            err(
                at,
                format!(
                    "a check needs exactly one of objects, file, event or order ({given} given)"
                ),
            );
        }
        if self.title.trim().is_empty() {
            err(&format!("{at}.title"), "a check needs a title".into());
        }
        if let Some(o) = &self.objects {
            let at = format!("{at}.objects");
            let t = kubectl::resolve_type(&o.kind);
            if t.is_none() {
                err(&format!("{at}.kind"), format!("unknown kind {:?}", o.kind));
            }
            if let Some(s) = &o.selector {
                if let Err(e) = Selector::parse(s) {
                    err(&format!("{at}.selector"), e);
                }
            }
            if o.count.is_some() && (o.min.is_some() || o.max.is_some()) {
                err(
                    &format!("{at}.count"),
                    "give count, or min and max, not both".into(),
                );
            }
            if let (Some(min), Some(max)) = (o.min, o.max) {
                if min > max {
                    err(
                        &format!("{at}.min"),
                        format!("min {min} is above max {max}"),
                    );
                }
            }
            let w = &o.where_;
            let kind = match t {
                Some(ResType::Sim(k)) => Some(k),
                Some(ResType::Other(..)) => None,
                // Already reported.
                None => return,
            };
            if w.status.is_some() && kind != Some(Kind::Pod) {
                err(
                    &format!("{at}.where.status"),
                    "status (the STATUS column) is for pods; use phase or condition".into(),
                );
            }
            if w.node.is_some() && kind != Some(Kind::Pod) {
                err(&format!("{at}.where.node"), "node is for pods".into());
            }
            if w.ready.is_some() && !matches!(kind, Some(Kind::Pod | Kind::Node)) {
                err(
                    &format!("{at}.where.ready"),
                    "ready is for pods and nodes; use condition or fields".into(),
                );
            }
            for path in w.fields.keys() {
                if locate::parse_path(path).is_empty() {
                    err(
                        &format!("{at}.where.fields"),
                        format!("{path:?} is not a field path"),
                    );
                }
            }
        }
        if let Some(f) = &self.file {
            let at = format!("{at}.file");
            if f.claim.is_some() == f.volume.is_some() {
                err(
                    &at,
                    "a file check needs exactly one of claim or volume".into(),
                );
            }
            if !f.path.starts_with('/') {
                err(
                    &format!("{at}.path"),
                    format!("{:?} must be an absolute path inside the volume", f.path),
                );
            }
            if f.contains.is_some() && f.equals.is_some() {
                err(&at, "give contains or equals, not both".into());
            }
        }
        let check_event = |e: &EventMatch, at: &str, err: &mut dyn FnMut(&str, String)| {
            if (EventMatch {
                times: None,
                ..e.clone()
            }) == EventMatch::default()
            {
                err(
                    at,
                    "an event needs at least one of reason, kind, name, message or type".into(),
                );
            }
            if let Some(k) = &e.kind {
                if kubectl::resolve_type(k).is_none() {
                    err(&format!("{at}.kind"), format!("unknown kind {k:?}"));
                }
            }
        };
        if let Some(e) = &self.event {
            check_event(e, &format!("{at}.event"), err);
        }
        if let Some(order) = &self.order {
            if order.len() < 2 {
                err(
                    &format!("{at}.order"),
                    "an order needs at least two events".into(),
                );
            }
            for (i, e) in order.iter().enumerate() {
                check_event(e, &format!("{at}.order[{i}]"), err);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "lesson: 1
id: small
title: A small lesson
start:
  manifests: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx:1.25}]}
steps:
  - title: Scale to three
    checks:
      - title: Three web pods are Ready
        objects:
          kind: Pod
          selector: app=web
          where: {ready: true}
          count: 3
";

    #[test]
    fn a_lesson_parses_and_starts_from_its_manifests() {
        let lesson = Lesson::parse(SMALL).expect("valid");
        assert_eq!(
            lesson.steps[0].checks[0].objects.as_ref().unwrap().count,
            Some(3)
        );
        let world = lesson.session().start_world();
        assert!(world
            .store()
            .deployments
            .get(&crate::store::Key::new("default", "web"))
            .is_some());
    }

    #[test]
    fn a_type_error_names_its_line_column_and_field() {
        let text = SMALL.replace("count: 3", "count: three");
        let e = Lesson::parse(&text).unwrap_err();
        let e = &e.0[0];
        assert_eq!(e.path, "steps[0].checks[0].objects.count");
        assert_eq!(e.line, Some(23));
        assert!(e.column.is_some());
        assert!(e.message.contains("invalid type"), "{e}");
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let text = SMALL.replace("count: 3", "cuont: 3");
        let e = Lesson::parse(&text).unwrap_err();
        assert!(e.to_string().contains("unknown field `cuont`"), "{e}");
    }

    #[test]
    fn bad_checks_are_each_reported_at_their_line() {
        let text = SMALL
            .replace("selector: app=web", "selector: app in (web")
            .replace("kind: Pod", "kind: Podz")
            .replace("title: Scale to three", "title: Scale to three\n    predict:\n      question: q\n      choices: [a, b]\n      answer: 2");
        let e = Lesson::parse(&text).unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "steps[0].predict.answer",
                "steps[0].checks[0].objects.kind",
                "steps[0].checks[0].objects.selector"
            ]
        );
        assert!(e.0.iter().all(|e| e.line.is_some()), "{e}");
    }

    #[test]
    fn a_check_needs_exactly_one_condition() {
        let text = SMALL.replace(
            "        objects:",
            "        event: {reason: ScalingReplicaSet}\n        objects:",
        );
        let e = Lesson::parse(&text).unwrap_err();
        assert!(e.to_string().contains("exactly one of objects"), "{e}");
    }

    #[test]
    fn a_newer_format_is_refused_with_its_version() {
        let e = Lesson::parse(&SMALL.replace("lesson: 1", "lesson: 9")).unwrap_err();
        assert!(e.to_string().contains("newer kubeplay (format 9"), "{e}");
    }

    #[test]
    fn starting_manifests_that_fail_are_refused_at_load() {
        let text = SMALL.replace("replicas: 2", "replicas: -2");
        let e = Lesson::parse(&text).unwrap_err();
        assert_eq!(e.0[0].path, "start.manifests");
        let text = SMALL.replace(
            "steps:",
            "  commands: [\"kubectl scale deployment nope --replicas=1\"]\nsteps:",
        );
        let e = Lesson::parse(&text).unwrap_err();
        assert_eq!(e.0[0].path, "start.commands[0]");
        assert!(e.0[0].message.contains("not found"), "{e}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "[",
            "lesson: [1",
            "- a\n- b",
            ":\n  :",
            "lesson: 1\nsteps: 3",
        ] {
            assert!(Lesson::parse(text).is_err(), "{text:?}");
        }
        let huge = "#".repeat(MAX_LESSON_BYTES + 1);
        assert!(Lesson::parse(&huge)
            .unwrap_err()
            .to_string()
            .contains("at most 256 KiB"));
    }
}
