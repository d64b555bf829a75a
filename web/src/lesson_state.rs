//! The lesson a playground follows: the lesson, where it came from, the learner's progress,
//! and how the current step's checks stand in the cluster the page shows.

use std::rc::Rc;

use kubeplay_core::lesson::check::Evaluation;
use kubeplay_core::lesson::progress::{evaluate_step, Progress};
use kubeplay_core::lesson::{builtin, Lesson};
use kubeplay_core::share::LessonRef;
use kubeplay_core::World;

#[derive(Clone, PartialEq, Debug)]
pub struct ActiveLesson {
    pub lesson: Rc<Lesson>,
    /// How a share link or an autosave names it again.
    pub source: LessonRef,
    pub progress: Progress,
    /// The step the panel shows (the current one, or an earlier one looked back at).
    pub shown: usize,
    /// The shown step's checks, evaluated against the cluster the picture shows.
    pub evals: Vec<Evaluation>,
}

/// Finds or reads a lesson; the error is for a person.
pub fn resolve(source: &LessonRef) -> Result<Lesson, String> {
    match source {
        LessonRef::Builtin(id) => {
            builtin::find(id).ok_or_else(|| format!("there is no built-in lesson {id:?}"))
        }
        LessonRef::Source(text) => {
            Lesson::parse(text).map_err(|e| format!("the lesson cannot be used:\n{e}"))
        }
    }
}

impl ActiveLesson {
    pub fn new(lesson: Lesson, source: LessonRef, progress: Option<Progress>) -> ActiveLesson {
        let mut progress = progress.unwrap_or_default();
        progress.fit(&lesson);
        ActiveLesson {
            shown: progress
                .current()
                .unwrap_or(lesson.steps.len().saturating_sub(1)),
            lesson: Rc::new(lesson),
            source,
            progress,
            evals: Vec::new(),
        }
    }

    /// Records progress in the live world (when `live`) and re-evaluates the shown step in
    /// `world`. Returns whether progress changed.
    pub fn refresh(&mut self, world: &World, live: bool) -> bool {
        let before = self.progress.current();
        let changed = live && self.progress.observe(&self.lesson, world);
        // Follow the learner to the next step when one is done.
        if changed && before != self.progress.current() && Some(self.shown) == before {
            self.shown = self
                .progress
                .current()
                .unwrap_or(self.lesson.steps.len().saturating_sub(1));
        }
        self.shown = self.shown.min(self.lesson.steps.len().saturating_sub(1));
        self.evals = evaluate_step(&self.lesson, self.shown, world);
        changed
    }
}
