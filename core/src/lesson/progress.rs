//! Following a learner through a lesson, and grading a solution script.
//!
//! Steps are taken in order. [`Progress::observe`] evaluates the current step's checks
//! against the world; the step is done once all of them hold at the same moment, and the
//! next step is evaluated at once (the same moment may finish it too). Each check remembers
//! the simulated time it first held. A finished step stays finished: rewinding the cluster
//! does not take progress away.

use serde::{Deserialize, Serialize};

use super::check::{evaluate, Evaluation};
use super::Lesson;
use crate::kubectl::{self, script, NoFiles};
use crate::sim::World;
use crate::time::{Dur, SimTime};

/// Where a learner is in a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Progress {
    pub steps: Vec<StepProgress>,
}

/// One step's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct StepProgress {
    /// When the step was done (simulated milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<u64>,
    /// When each check first held.
    #[serde(default)]
    pub checks: Vec<Option<u64>>,
    /// The choice picked for the step's question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted: Option<usize>,
    /// How many hints have been shown.
    #[serde(default)]
    pub hints: usize,
}

impl Progress {
    /// No step done.
    pub fn new(lesson: &Lesson) -> Progress {
        let mut p = Progress::default();
        p.fit(lesson);
        p
    }

    /// Shapes progress read from elsewhere (a link, local storage) to the lesson: one entry
    /// per step and per check, answers and hints within range, and done steps only in order.
    pub fn fit(&mut self, lesson: &Lesson) {
        self.steps.resize_with(lesson.steps.len(), Default::default);
        let mut earlier_done = true;
        for (sp, step) in self.steps.iter_mut().zip(&lesson.steps) {
            sp.checks.resize(step.checks.len(), None);
            if !earlier_done {
                sp.done_at = None;
            }
            earlier_done = sp.done_at.is_some();
            if sp
                .predicted
                .is_some_and(|p| step.predict.as_ref().is_none_or(|q| p >= q.choices.len()))
            {
                sp.predicted = None;
            }
            sp.hints = sp.hints.min(step.hints.len());
        }
    }

    /// The first step not yet done.
    pub fn current(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.done_at.is_none())
    }

    pub fn finished(&self) -> bool {
        self.current().is_none()
    }

    /// Steps done.
    pub fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.done_at.is_some()).count()
    }

    /// Evaluates the current step against the world, recording what first holds now and
    /// moving on while steps are done. Returns whether anything was recorded.
    pub fn observe(&mut self, lesson: &Lesson, world: &World) -> bool {
        self.observe_with(lesson, world, |_, _| {})
    }

    /// [`observe`](Self::observe), handing each step's evaluations to `seen` as they are made.
    pub fn observe_with(
        &mut self,
        lesson: &Lesson,
        world: &World,
        mut seen: impl FnMut(usize, &[Evaluation]),
    ) -> bool {
        let now = world.now().0;
        let mut changed = false;
        while let Some(i) = self.current() {
            let evals = evaluate_step(lesson, i, world);
            seen(i, &evals);
            let sp = &mut self.steps[i];
            for (at, e) in sp.checks.iter_mut().zip(&evals) {
                if e.passed && at.is_none() {
                    *at = Some(now);
                    changed = true;
                }
            }
            if evals.iter().all(|e| e.passed) {
                sp.done_at = Some(now);
                changed = true;
            } else {
                break;
            }
        }
        changed
    }
}

/// Each check of step `i`, evaluated now.
pub fn evaluate_step(lesson: &Lesson, i: usize, world: &World) -> Vec<Evaluation> {
    lesson.steps[i]
        .checks
        .iter()
        .map(|c| evaluate(world, c))
        .collect()
}

/// What grading a script found: every step and check, whether and when it passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub lesson: String,
    /// Every step done.
    pub passed: bool,
    pub steps_done: usize,
    pub steps_total: usize,
    /// Commands run, and how many failed (a failed command does not stop grading).
    pub commands: usize,
    pub failed_commands: usize,
    /// The simulated clock when grading ended.
    pub ended_at: String,
    pub steps: Vec<StepReport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    pub title: String,
    pub passed: bool,
    /// The simulated time the step was done (`00:01:30`), and the script line then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub checks: Vec<CheckReport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub title: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// What the check showed when its step was last evaluated (the moment it was done, or
    /// the end for a step not done); `not reached` for a step never reached.
    pub found: String,
}

/// Runs `solution` (a kubeplay script) on the lesson's starting cluster, observing progress
/// after every command, then lets the cluster settle (up to 15 simulated minutes) and
/// observes once more. Only a script that cannot be read is an error.
pub fn grade(lesson: &Lesson, solution: &str) -> Result<Report, String> {
    let commands = script::parse_script(solution)?;
    let mut world = lesson.session().start_world();
    let mut progress = Progress::new(lesson);
    let mut lines: Vec<Option<usize>> = vec![None; lesson.steps.len()];
    // What each check showed when its step was last evaluated.
    let mut found: Vec<Vec<String>> = lesson
        .steps
        .iter()
        .map(|s| vec!["not reached".to_string(); s.checks.len()])
        .collect();
    let mut failed = 0;
    let mut observe = |progress: &mut Progress, world: &World, line: Option<usize>| {
        progress.observe_with(lesson, world, |i, evals| {
            found[i] = evals.iter().map(|e| e.found.clone()).collect();
        });
        for (l, sp) in lines.iter_mut().zip(&progress.steps) {
            if l.is_none() && sp.done_at.is_some() {
                *l = line;
            }
        }
    };
    observe(&mut progress, &world, None);
    for cmd in &commands {
        let out = kubectl::run_with_stdin(&mut world, &cmd.text, &NoFiles, cmd.stdin.as_deref());
        if !out.ok {
            failed += 1;
        }
        observe(&mut progress, &world, Some(cmd.line));
    }
    world.settle(Dur::mins(15));
    observe(&mut progress, &world, None);

    let clock = |ms: Option<u64>| ms.map(|m| SimTime(m).clock());
    let steps = lesson
        .steps
        .iter()
        .zip(&progress.steps)
        .enumerate()
        .map(|(i, (step, sp))| {
            StepReport {
                title: step.title.clone(),
                passed: sp.done_at.is_some(),
                at: clock(sp.done_at),
                // The script line after which the step was done; none if it took the final
                // settling.
                line: lines[i],
                checks: step
                    .checks
                    .iter()
                    .zip(&sp.checks)
                    .zip(&found[i])
                    .map(|((c, at), found)| CheckReport {
                        title: c.title.clone(),
                        passed: at.is_some(),
                        at: clock(*at),
                        found: found.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Report {
        lesson: lesson.id.clone(),
        passed: progress.finished(),
        steps_done: progress.done(),
        steps_total: lesson.steps.len(),
        commands: commands.len(),
        failed_commands: failed,
        ended_at: world.now().clock(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_STEPS: &str = "lesson: 1
id: two
title: Two steps
start:
  commands: [\"create deployment web --image=nginx:1.25 --replicas=1\", \"sim settle\"]
steps:
  - title: Scale to three
    predict: {question: q, choices: [a, b], answer: 1}
    hints: [one, two]
    checks:
      - title: Three web pods are Ready
        objects: {kind: Pod, selector: app=web, where: {ready: true}, count: 3}
  - title: Roll out nginx 1.26
    checks:
      - title: The Deployment asks for 1.26
        objects: {kind: deploy, name: web, where: {image: \"nginx:1.26\"}}
      - title: Three pods run 1.26
        objects: {kind: Pod, selector: app=web, where: {image: \"nginx:1.26\", ready: true}, count: 3}
";

    #[test]
    fn steps_are_done_in_order_and_stay_done() {
        let lesson = Lesson::parse(TWO_STEPS).expect("valid");
        let mut world = lesson.session().start_world();
        let mut p = Progress::new(&lesson);
        assert!(!p.observe(&lesson, &world));
        assert_eq!(p.current(), Some(0));
        // Doing step 2's change first does not skip step 1.
        kubectl::run(
            &mut world,
            "set image deployment/web nginx=nginx:1.26",
            &NoFiles,
        );
        world.settle(Dur::mins(5));
        p.observe(&lesson, &world);
        assert_eq!(p.current(), Some(0));
        kubectl::run(&mut world, "scale deployment web --replicas=3", &NoFiles);
        world.settle(Dur::mins(5));
        assert!(p.observe(&lesson, &world));
        // One moment finishes both steps.
        assert!(p.finished(), "{p:?}");
        assert_eq!(p.steps[0].done_at, p.steps[1].done_at);
        kubectl::run(&mut world, "scale deployment web --replicas=1", &NoFiles);
        world.settle(Dur::mins(5));
        assert!(!p.observe(&lesson, &world));
        assert!(p.finished());
    }

    #[test]
    fn progress_from_elsewhere_is_fitted_to_the_lesson() {
        let lesson = Lesson::parse(TWO_STEPS).expect("valid");
        let mut p = Progress {
            steps: vec![
                StepProgress {
                    done_at: None,
                    checks: vec![Some(1), Some(2), Some(3)],
                    predicted: Some(7),
                    hints: 9,
                },
                StepProgress {
                    done_at: Some(5),
                    ..Default::default()
                },
                StepProgress::default(),
            ],
        };
        p.fit(&lesson);
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.steps[0].checks, vec![Some(1)]);
        assert_eq!(p.steps[0].predicted, None);
        assert_eq!(p.steps[0].hints, 2);
        assert_eq!(
            p.steps[1].done_at, None,
            "a step after an undone one is not done"
        );
        assert_eq!(p.steps[1].checks.len(), 2);
    }

    #[test]
    fn grading_reports_when_each_check_passed() {
        let lesson = Lesson::parse(TWO_STEPS).expect("valid");
        let report = grade(
            &lesson,
            "scale deployment web --replicas=3\nsim settle\n# now the image\nset image deployment/web nginx=nginx:1.26\nrollout status deployment/web\n",
        )
        .expect("grades");
        assert!(report.passed, "{report:#?}");
        assert_eq!(report.steps_done, 2);
        assert_eq!(report.commands, 4);
        assert_eq!(report.failed_commands, 0);
        assert_eq!(report.steps[0].line, Some(2));
        assert_eq!(report.steps[1].line, Some(5));
        assert!(report.steps[1].checks[0].at <= report.steps[1].checks[1].at);

        let report = grade(&lesson, "scale deployment nope --replicas=3\n").expect("grades");
        assert!(!report.passed);
        assert_eq!(report.failed_commands, 1);
        assert_eq!(report.steps_done, 0);
        assert_eq!(report.steps[0].checks[0].found, "1 of 1 match, 3 wanted");

        assert!(grade(&lesson, "apply -f - <<EOF\nkind: Pod\n").is_err());
    }
}
