//! The lesson panel: the lesson's steps with their progress, the shown step's instructions,
//! its "predict what happens" question, hints on request, and its checks turning green as
//! the cluster reaches them.

use kubeplay_core::lesson::Lesson;
use kubeplay_core::time::SimTime;
use yew::prelude::*;

use super::markdown::Markdown;
use crate::lesson_state::ActiveLesson;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    pub lesson: ActiveLesson,
    pub dispatch: Callback<Action>,
    /// Embedded read-only: no restart or leave.
    #[prop_or_default]
    pub read_only: bool,
}

#[component]
pub fn LessonPanel(props: &LessonPanelProps) -> Html {
    let l = &props.lesson;
    let lesson: &Lesson = &l.lesson;
    let current = l.progress.current();
    let done = l.progress.done();
    let total = lesson.steps.len();
    let step = &lesson.steps[l.shown];
    let sp = &l.progress.steps[l.shown];
    let act = |a: Action| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a.clone()))
    };
    let intro_open = use_state(|| done == 0);
    let toggle_intro = {
        let intro_open = intro_open.clone();
        Callback::from(move |_: MouseEvent| intro_open.set(!*intro_open))
    };
    html! {
        <section class="panel lesson-panel" id="lesson-panel" aria-labelledby="lesson-heading"
            data-lesson={lesson.id.clone()} data-done={done.to_string()}>
            <div class="panel-head">
                <h2 id="lesson-heading">{ lesson.title.clone() }</h2>
                <span class="panel-meta" id="lesson-progress">{ format!("{done} of {total} {}", if total == 1 { "step" } else { "steps" }) }</span>
            </div>
            <div class="lesson-body">
                <progress class="lesson-bar" max={total.to_string()} value={done.to_string()}
                    aria-label="Steps done" />
                if !lesson.introduction.trim().is_empty() {
                    <button class="btn btn-quiet btn-small lesson-intro-toggle" aria-expanded={intro_open.to_string()}
                        onclick={toggle_intro}>{ if *intro_open { "Hide introduction" } else { "Introduction" } }</button>
                    if *intro_open {
                        <div class="lesson-intro"><Markdown text={lesson.introduction.clone()} /></div>
                    }
                }
                if current.is_none() {
                    <p class="lesson-finished" id="lesson-finished" role="status">
                        { if total == 1 {
                            "Lesson complete: its one step is done.".to_string()
                        } else {
                            format!("Lesson complete: all {total} steps done.")
                        } }
                    </p>
                }
                <ol class="lesson-steps" aria-label="Steps">
                    { for lesson.steps.iter().enumerate().map(|(i, s)| {
                        let state = if l.progress.steps[i].done_at.is_some() { "done" }
                            else if Some(i) == current { "current" } else { "later" };
                        let reachable = state != "later";
                        html! {
                            <li class={classes!("lesson-step", format!("is-{state}"), (i == l.shown).then_some("is-shown"))}
                                data-state={state}>
                                <button class="lesson-step-button" disabled={!reachable}
                                    aria-current={(i == l.shown).then_some("step")}
                                    onclick={act(Action::ShowStep(i))}>
                                    <span class="lesson-step-mark" aria-hidden="true">
                                        { if state == "done" { "✓".to_string() } else { (i + 1).to_string() } }
                                    </span>
                                    <span class="lesson-step-title">{ s.title.clone() }</span>
                                    <span class="visually-hidden">{ format!(" ({state})") }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                <div class="lesson-step-detail" id="lesson-step" data-step={l.shown.to_string()}>
                    <h3>{ format!("Step {}: {}", l.shown + 1, step.title) }</h3>
                    <Markdown text={step.instructions.clone()} />
                    if let Some(q) = &step.predict {
                        <fieldset class="lesson-predict" id="lesson-predict">
                            <legend>{ "Predict: " }{ q.question.clone() }</legend>
                            { for q.choices.iter().enumerate().map(|(i, c)| {
                                let picked = sp.predicted == Some(i);
                                let verdict = sp.predicted.map(|_| if i == q.answer { "right" } else if picked { "wrong" } else { "" });
                                html! {
                                    <button class={classes!("predict-choice", picked.then_some("is-picked"), verdict.map(|v| format!("is-{v}")))}
                                        disabled={sp.predicted.is_some()} aria-pressed={picked.to_string()}
                                        onclick={act(Action::Predict(i))}>{ c.clone() }</button>
                                }
                            }) }
                            if let Some(p) = sp.predicted {
                                <p class="predict-verdict" role="status">
                                    { if p == q.answer { "Right. " } else { "Not quite. " } }
                                </p>
                                <Markdown text={q.explanation.clone()} />
                            }
                        </fieldset>
                    }
                    <ul class="lesson-checks" id="lesson-checks" aria-label="Checks">
                        { for step.checks.iter().enumerate().map(|(i, c)| {
                            let eval = l.evals.get(i);
                            let now = eval.is_some_and(|e| e.passed);
                            let first = sp.checks.get(i).copied().flatten();
                            html! {
                                <li class={classes!("lesson-check", now.then_some("is-passing"))}
                                    data-passing={now.to_string()}>
                                    <span class="lesson-check-mark" aria-hidden="true">{ if now { "✓" } else { "○" } }</span>
                                    <span class="lesson-check-title">{ c.title.clone() }
                                        <span class="visually-hidden">{ if now { " (holds)" } else { " (not yet)" } }</span>
                                    </span>
                                    <span class="lesson-check-found">
                                        { eval.map(|e| e.found.clone()).unwrap_or_default() }
                                        { first.map(|t| format!(" · first at {}", SimTime(t).clock())).unwrap_or_default() }
                                    </span>
                                </li>
                            }
                        }) }
                    </ul>
                    if !step.hints.is_empty() {
                        <div class="lesson-hints">
                            { for step.hints.iter().take(sp.hints).map(|h| html! {
                                <div class="lesson-hint"><Markdown text={h.clone()} /></div>
                            }) }
                            if sp.hints < step.hints.len() {
                                <button class="btn btn-small" id="lesson-hint" onclick={act(Action::Hint)}>
                                    { if sp.hints == 0 { "Show a hint".to_string() } else { format!("Another hint ({} left)", step.hints.len() - sp.hints) } }
                                </button>
                            }
                        </div>
                    }
                </div>
                if !props.read_only {
                    <div class="lesson-actions">
                        <button class="btn btn-small" id="lesson-restart" onclick={act(Action::Reset)}>{ "Restart lesson" }</button>
                        <button class="btn btn-quiet btn-small" id="lesson-leave" onclick={act(Action::LeaveLesson)}>{ "Leave lesson" }</button>
                    </div>
                }
            </div>
        </section>
    }
}
