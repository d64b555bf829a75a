//! The lessons the page offers, read from `core/lessons/*.yaml` at build time.
//!
//! Each is parsed when first asked for; the tests check that each parses, that its reference
//! solution passes every check, and that its untouched starting cluster passes none of its
//! steps.

use super::Lesson;

/// `(id, file text)`, in the order a menu lists them.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "stateless-vs-stateful",
        include_str!("../../lessons/stateless-vs-stateful.yaml"),
    ),
    (
        "deployments",
        include_str!("../../lessons/deployments.yaml"),
    ),
    (
        "shared-volume",
        include_str!("../../lessons/shared-volume.yaml"),
    ),
    (
        "statefulsets",
        include_str!("../../lessons/statefulsets.yaml"),
    ),
    ("daemonsets", include_str!("../../lessons/daemonsets.yaml")),
];

/// The built-in lesson with this id.
pub fn find(id: &str) -> Option<Lesson> {
    let (_, text) = SOURCES.iter().find(|(i, _)| *i == id)?;
    Lesson::parse(text).ok()
}

/// Every built-in lesson, parsed.
pub fn all() -> Vec<Lesson> {
    SOURCES
        .iter()
        .filter_map(|(_, text)| Lesson::parse(text).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::progress::{evaluate_step, grade, Progress};

    #[test]
    fn every_builtin_lesson_parses_with_its_own_id() {
        for (id, text) in SOURCES {
            let lesson = Lesson::parse(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(lesson.id, *id);
            assert!(!lesson.solution.trim().is_empty(), "{id} has a solution");
        }
    }

    #[test]
    fn every_reference_solution_passes_every_check() {
        for lesson in all() {
            let report = grade(&lesson, &lesson.solution).expect("the solution reads");
            assert!(
                report.passed,
                "{}: {}",
                lesson.id,
                serde_json::to_string_pretty(&report).unwrap()
            );
            assert_eq!(report.failed_commands, 0, "{}: {report:#?}", lesson.id);
        }
    }

    #[test]
    fn an_untouched_cluster_fails_every_step() {
        for lesson in all() {
            // Nothing done, and time left to pass: no step is done by waiting.
            let report = grade(&lesson, "sim advance 30m").expect("grades");
            assert_eq!(report.steps_done, 0, "{}: {report:#?}", lesson.id);
            let mut world = lesson.session().start_world();
            let mut p = Progress::new(&lesson);
            world.settle(crate::time::Dur::mins(30));
            p.observe(&lesson, &world);
            assert_eq!(p.done(), 0, "{}", lesson.id);
            // Nor does any later step already hold on the untouched cluster.
            for (i, step) in lesson.steps.iter().enumerate() {
                let evals = evaluate_step(&lesson, i, &world);
                assert!(
                    evals.iter().any(|e| !e.passed),
                    "{}: step {i} ({}) holds untouched: {evals:?}",
                    lesson.id,
                    step.title
                );
            }
        }
    }
}
