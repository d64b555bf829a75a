//! The page's one reducer: it owns the session's [`Timeline`] and everything the page shows.
//!
//! Pure apart from the simulation it drives: no DOM, no timers, no wall clock, no storage.
//! Timers live in [`crate::hooks`] and only dispatch [`Action::Advance`] and [`Action::Tick`];
//! components only dispatch actions; [`crate::autosave`] reads [`Playground::session_json`]
//! after changes.
//!
//! Every input (an apply, a command, time passing) is recorded in the timeline, so any earlier
//! moment can be looked at again ([`Action::Scrub`]), resumed from (any input given while
//! looking at the past first rewinds the session there), and the last action undone.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kubeplay_core::inspect::{self, Inspection, Target};
use kubeplay_core::kubectl::{self, Completion};
use kubeplay_core::session::{Input, Outcome, Session, SessionError, Start, Timeline};
use kubeplay_core::share::{self, LessonRef, Shared};
use kubeplay_core::sim::END_OF_TIME;
use kubeplay_core::time::{human_duration, Dur, SimTime};
use kubeplay_core::view::{self, ClusterView, EventLine, ViewCache};
use kubeplay_core::World;
use yew::Reducible;

use crate::lesson_state::{self, ActiveLesson};

/// The seed of every world the page creates, so a page load is reproducible.
pub const SEED: u64 = 1;
/// Wall-clock milliseconds between two ticks while playing (see [`crate::hooks`]).
pub const TICK_MS: u32 = 100;
/// Work items one playback tick may run. Past them the tick stops between two instants and
/// leaves the rest of its simulated time to the next ticks, so a burst (a rollout's pods all
/// starting at once) is spread over frames instead of freezing the page; simulated time runs
/// slower than the chosen speed while it lasts. 60 items are about 4–7 ms in the browser (the
/// [`Action::Advance`] task), which leaves most of a frame to draw it (see BENCHMARKS.md).
pub const TICK_BUDGET: u64 = 60;
/// How far "run until settled" may go before it gives up and reports.
pub const SETTLE_LIMIT: Dur = Dur::mins(30);
/// Console entries kept; older ones scroll away.
pub const CONSOLE_KEEP: usize = 200;
/// Commands kept for ↑/↓.
pub const HISTORY_KEEP: usize = 100;
/// Events the narration keeps (the newest).
pub const EVENTS_SHOWN: usize = 3;
/// Ticks between two autosaves while playing (time passing alone changes little).
pub const TICKS_PER_SAVE: u64 = 10;

/// Playback speed: simulated time per wall-clock time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Speed {
    X1,
    X5,
    X20,
    X60,
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X5, Speed::X20, Speed::X60];

    pub fn factor(self) -> u64 {
        match self {
            Speed::X1 => 1,
            Speed::X5 => 5,
            Speed::X20 => 20,
            Speed::X60 => 60,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speed::X1 => "1x",
            Speed::X5 => "5x",
            Speed::X20 => "20x",
            Speed::X60 => "60x",
        }
    }

    /// Simulated time that passes in one tick.
    pub fn per_tick(self) -> Dur {
        Dur::ms(u64::from(TICK_MS) * self.factor())
    }
}

/// One manifest error as the editor shows it.
#[derive(Clone, PartialEq, Debug)]
pub struct ErrorRow {
    /// 1-based line in the editor's text, when known.
    pub line: Option<usize>,
    pub message: String,
}

/// What the last Apply did.
#[derive(Clone, PartialEq, Debug)]
pub enum ApplyOutcome {
    Applied {
        lines: Vec<String>,
        notices: Vec<String>,
        /// Field by field, what changed in objects that were configured.
        changes: Vec<String>,
    },
    Rejected {
        errors: Vec<ErrorRow>,
    },
}

/// A command typed in the console and what it printed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ConsoleEntry {
    /// The session entry that ran it, so rewinding can drop what it forgets.
    pub entry: usize,
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub ok: bool,
}

/// The last command run from the picture (a node's menu, the "Add node" form) and what it said.
#[derive(Clone, PartialEq, Debug)]
pub struct PictureOutcome {
    /// Counts commands run from the picture, so a form can tell its own result from older ones.
    pub seq: u64,
    pub command: String,
    pub ok: bool,
    /// What the command printed, output then warnings or errors, without trailing blank lines.
    pub message: String,
}

/// An action on the timeline: where it happened and what it was.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Mark {
    pub at: SimTime,
    /// `apply` or the command line.
    pub label: String,
}

/// Everything the reducer can be asked to do.
#[derive(Clone, PartialEq, Debug)]
pub enum Action {
    /// Apply the editor's text.
    Apply(String),
    /// Run one console line.
    Run(String),
    /// Run a command line built by the picture: like a console line, and its result is also
    /// kept in [`Playground::picture`] for the picture to show.
    RunFromPicture(String),
    /// A playback tick: advance by the speed's share of simulated time, and show the result.
    /// After an [`Action::Advance`] it only shows what that advance did.
    Tick,
    /// The first half of a playback tick: advance the simulation and show nothing yet. The
    /// reducer hands back the same state, so nothing is redrawn; the [`Action::Tick`] that
    /// follows (a frame later, see [`crate::hooks::use_playback`]) shows it. A tick's
    /// simulation and its redraw are then two tasks, each short enough to leave the browser
    /// time to draw the frame after it.
    Advance,
    /// Process the next scheduled item only.
    Step,
    /// Run until nothing is scheduled (or [`SETTLE_LIMIT`]).
    Settle,
    TogglePlay,
    SetSpeed(Speed),
    ClearConsole,
    /// Look at the cluster as it was at this moment (milliseconds of simulated time).
    Scrub(u64),
    /// Stop looking at the past: show the live cluster again.
    BackToNow,
    /// Undo the last apply or command that changed something.
    Undo,
    /// Open the inspector on an object (`pod/default/web-0`, `node/worker-1`).
    Inspect(String),
    CloseInspector,
    /// Start again with a fresh default cluster (or, in a lesson, the lesson's cluster).
    Reset,
    /// Start a lesson on its own cluster; the session so far is replaced.
    StartLesson(LessonRef),
    /// Stop following the lesson; the cluster stays as it is.
    LeaveLesson,
    /// Show this step of the lesson (done ones and the current one).
    ShowStep(usize),
    /// Answer the shown step's question with this choice.
    Predict(usize),
    /// Show the shown step's next hint.
    Hint,
    /// Say something in the status line (a file that could not be read, a bad link).
    Note(String),
}

/// The page's state. The reducer clones it for every action, playback ticks included, so
/// everything large is shared: the timeline, and behind `Rc`s the view, the console, the
/// history, the marks and the events (replaced or copied on write, so a component handed the
/// same `Rc` as before knows it has not changed).
#[derive(Clone)]
pub struct Playground {
    timeline: Rc<RefCell<Timeline>>,
    /// What the last view was built from (see [`ViewCache`]); forgotten whenever the timeline
    /// is rewritten (rewound, undone), since a resourceVersion may then mean another object.
    view_cache: Rc<RefCell<ViewCache>>,
    /// The moment shown while looking at the past; `None` shows the live cluster.
    pub viewing: Option<SimTime>,
    /// The cluster shown. Kept (the same `Rc`) while only the clock moved, so that the
    /// picture of an idle cluster is not redrawn on every tick; its `time` is then the moment
    /// it was built, and [`Playground::clock`] the moment shown.
    pub view: Rc<ClusterView>,
    /// The simulated time shown, `h:mm:ss`.
    pub clock: String,
    pub playing: bool,
    pub speed: Speed,
    /// When the next scheduled item is due, as a clock string.
    pub next_event: Option<String>,
    /// One line about the last time control used ("settled after 12.5s").
    pub sim_note: String,
    pub apply: Option<ApplyOutcome>,
    /// Counts applies, so the editor can tell a new outcome from an equal old one.
    pub apply_count: u64,
    pub console: Rc<Vec<ConsoleEntry>>,
    pub history: Rc<Vec<String>>,
    pub picture: Option<PictureOutcome>,
    /// The session's span of simulated time, for the timeline.
    pub begin: SimTime,
    pub end: SimTime,
    /// The actions taken, in order, for the timeline.
    pub marks: Rc<Vec<Mark>>,
    /// Whether there is an action to undo.
    pub can_undo: bool,
    /// The object the inspector shows, and what it found (in the world the picture shows).
    pub inspecting: Option<Target>,
    pub inspection: Option<Result<Inspection, String>>,
    /// What the controllers did last, for the narration.
    pub events: Rc<Vec<EventLine>>,
    /// Bumped whenever the session changed enough to be worth saving.
    pub save_seq: u64,
    /// The lesson followed, if any.
    pub lesson: Option<ActiveLesson>,
    /// Embedded read-only: nothing that changes the cluster is accepted.
    pub read_only: bool,
    ticks: u64,
    /// Set by an [`Action::Advance`] not shown yet: whether it ran out of budget before the
    /// speed's share of time (the cluster is busy).
    ahead: Cell<Option<bool>>,
    /// The world at the moment looked at, rebuilt once per moment rather than on every action
    /// while looking (keyed by the moment and the session's length).
    past: Option<Past>,
}

#[derive(Clone)]
struct Past {
    at: SimTime,
    entries: usize,
    world: Rc<World>,
}

impl Default for Playground {
    fn default() -> Self {
        Playground::with_timeline(Timeline::new(SEED, Start::Default))
    }
}

impl Playground {
    /// A playground on a fresh cluster of the given kind (tests use empty ones).
    #[cfg(test)]
    pub fn with_start(start: Start) -> Self {
        Playground::with_timeline(Timeline::new(SEED, start))
    }

    /// A playground continuing a timeline, with its console rebuilt from the commands in it.
    pub fn with_timeline(timeline: Timeline) -> Self {
        let console = console_of(&timeline);
        let mut playground = Playground {
            timeline: Rc::new(RefCell::new(timeline)),
            view_cache: Rc::default(),
            viewing: None,
            view: Rc::default(),
            clock: String::new(),
            playing: false,
            speed: Speed::X5,
            next_event: None,
            sim_note: "Paused. Press play, step, or run until settled.".to_string(),
            apply: None,
            apply_count: 0,
            console: Rc::new(console),
            history: Rc::default(),
            picture: None,
            begin: SimTime(0),
            end: SimTime(0),
            marks: Rc::default(),
            can_undo: false,
            inspecting: None,
            inspection: None,
            events: Rc::default(),
            save_seq: 0,
            lesson: None,
            read_only: false,
            ticks: 0,
            ahead: Cell::new(None),
            past: None,
        };
        playground.refresh();
        playground
    }

    /// Rebuilds a saved session. A session that cannot be read starts a fresh cluster, and the
    /// error says why.
    pub fn restore(json: &str) -> Result<Self, SessionError> {
        // Saves hold a session with its lesson and progress; older ones a bare session.
        let shared = match Shared::from_json(json) {
            Ok(shared) => shared,
            Err(e @ SessionError::Newer(_)) => return Err(e),
            Err(SessionError::Unreadable(_)) => Shared {
                session: Session::from_json(json)?,
                lesson: None,
                progress: None,
            },
        };
        let mut playground = Playground::from_shared(shared, "the session saved in this browser")
            .map_err(SessionError::Unreadable)?;
        playground.sim_note = format!("{} Reset starts over.", playground.sim_note);
        Ok(playground)
    }

    /// Rebuilds what a share link (or a save) holds. `what` names it in the status line.
    pub fn from_shared(shared: Shared, what: &str) -> Result<Self, String> {
        let lesson = match &shared.lesson {
            Some(source) => Some(ActiveLesson::new(
                lesson_state::resolve(source)?,
                source.clone(),
                shared.progress.clone(),
            )),
            None => None,
        };
        let session = shared.session;
        let actions = session
            .entries
            .iter()
            .filter(|e| e.input.is_action())
            .count();
        let mut playground = Playground::with_timeline(Timeline::replay(session));
        let mut history: Vec<String> = playground
            .console
            .iter()
            .map(|e| e.command.clone())
            .collect();
        history.dedup();
        trim_front(&mut history, HISTORY_KEEP);
        playground.history = Rc::new(history);
        playground.sim_note = format!(
            "Restored {what} ({actions} action{}, clock {}).",
            if actions == 1 { "" } else { "s" },
            playground.end.clock()
        );
        playground.lesson = lesson;
        playground.refresh();
        Ok(playground)
    }

    /// Opens a share link's payload (`k1.…`, or the whole `#s=…` fragment).
    pub fn open_link(payload: &str) -> Result<Self, String> {
        let shared = share::decode(payload).map_err(|e| e.to_string())?;
        Playground::from_shared(shared, "the shared session")
    }

    /// Everything a share link or a save carries.
    pub fn shared(&self) -> Shared {
        Shared {
            session: self.timeline.borrow().session().clone(),
            lesson: self.lesson.as_ref().map(|l| l.source.clone()),
            progress: self.lesson.as_ref().map(|l| l.progress.clone()),
        }
    }

    /// The share link's payload for the fragment (`#s=` + this).
    pub fn share_payload(&self) -> String {
        share::encode(&self.shared())
    }

    /// A playground on a lesson's starting cluster.
    fn for_lesson(source: LessonRef) -> Result<Self, String> {
        let lesson = lesson_state::resolve(&source)?;
        let mut playground = Playground::with_timeline(Timeline::replay(lesson.session()));
        playground.sim_note = format!("Lesson: {}. Paused; press play when ready.", lesson.title);
        playground.lesson = Some(ActiveLesson::new(lesson, source, None));
        playground.refresh();
        Ok(playground)
    }

    /// What Tab may complete the console line to, from the cluster the picture shows.
    pub fn complete(&self, line: &str) -> Completion {
        match &self.past {
            Some(past) => kubectl::complete(&past.world, line),
            None => kubectl::complete(self.timeline.borrow().world(), line),
        }
    }

    /// The session with its lesson and progress as JSON, for autosave.
    pub fn session_json(&self) -> String {
        serde_json::to_string(&self.shared()).expect("a session always serializes")
    }

    /// Carries out one action in place.
    pub fn update(&mut self, action: Action) {
        if self.read_only
            && matches!(
                action,
                Action::Apply(_)
                    | Action::Run(_)
                    | Action::RunFromPicture(_)
                    | Action::Undo
                    | Action::StartLesson(_)
                    | Action::LeaveLesson
            )
        {
            self.sim_note = "This embedded cluster is read-only.".to_string();
            return;
        }
        let changes_session = matches!(
            action,
            Action::Apply(_)
                | Action::Run(_)
                | Action::RunFromPicture(_)
                | Action::Step
                | Action::Settle
                | Action::Undo
                | Action::Reset
        );
        if changes_session && !matches!(action, Action::Reset) {
            self.resume_from_viewed_moment();
        }
        match action {
            Action::Apply(text) => self.apply_text(text),
            Action::Run(line) => {
                self.run_line(line);
            }
            Action::RunFromPicture(line) => {
                let entry = self.run_line(line);
                let seq = self.picture.as_ref().map_or(0, |p| p.seq) + 1;
                self.picture = entry.map(|entry| PictureOutcome {
                    seq,
                    message: [entry.stdout.trim_end(), entry.stderr.trim_end()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("\n"),
                    command: entry.command,
                    ok: entry.ok,
                });
            }
            Action::Advance => {
                self.advance_ahead();
                return;
            }
            Action::Tick => {
                if !self.playing {
                    return;
                }
                self.resume_from_viewed_moment();
                let busy = match self.ahead.take() {
                    Some(busy) => busy,
                    None => self.advance(),
                };
                let busy_note = format!(
                    "Playing at {}, slower while the cluster is busy.",
                    self.speed.label()
                );
                if busy && self.sim_note != busy_note {
                    self.sim_note = busy_note;
                } else if !busy && self.sim_note == busy_note {
                    self.sim_note = format!("Playing at {}.", self.speed.label());
                }
                if self.timeline.borrow().world().now() >= END_OF_TIME {
                    self.playing = false;
                    self.sim_note = format!(
                        "Paused: the simulated clock stops {} after the cluster starts (kubeplay's limit).",
                        human_duration(Dur(END_OF_TIME.0))
                    );
                    self.save_seq += 1;
                }
                self.ticks += 1;
                if self.ticks.is_multiple_of(TICKS_PER_SAVE) {
                    self.save_seq += 1;
                }
            }
            Action::Step => {
                let mut timeline = self.timeline.borrow_mut();
                let done = timeline.record(Input::Step);
                self.sim_note = if matches!(done.outcome, Outcome::Time(true)) {
                    format!("Stepped to {}.", done.end.clock())
                } else {
                    "Nothing is scheduled: the cluster is idle.".to_string()
                };
            }
            Action::Settle => {
                let mut timeline = self.timeline.borrow_mut();
                let done = timeline.record(Input::Settle {
                    limit_ms: SETTLE_LIMIT.0,
                });
                if let Outcome::Settled(settled) = &done.outcome {
                    self.sim_note = capitalize(&settled.to_string());
                }
            }
            Action::TogglePlay => {
                self.playing = !self.playing;
                self.sim_note = if self.playing {
                    format!("Playing at {}.", self.speed.label())
                } else {
                    "Paused.".to_string()
                };
            }
            Action::SetSpeed(speed) => {
                self.speed = speed;
                if self.playing {
                    self.sim_note = format!("Playing at {}.", speed.label());
                }
            }
            Action::ClearConsole => self.console = Rc::default(),
            Action::Scrub(ms) => {
                self.playing = false;
                let at = SimTime(ms).clamp(self.begin, self.end);
                if at >= self.end {
                    self.viewing = None;
                    self.sim_note = "Back to now.".to_string();
                } else {
                    self.viewing = Some(at);
                    self.sim_note = format!(
                        "Looking back at {}. Play or act to carry on from here; Back to now returns.",
                        at.clock()
                    );
                }
            }
            Action::BackToNow => {
                self.viewing = None;
                self.sim_note = "Back to now.".to_string();
            }
            Action::Undo => {
                let undone = self.timeline.borrow_mut().undo();
                self.sim_note = match undone.map(|e| e.input) {
                    Some(Input::Apply { .. }) => {
                        self.apply = None;
                        "Undid the last apply.".to_string()
                    }
                    Some(Input::Run { line }) => format!("Undid `{line}`."),
                    Some(_) | None => "Nothing to undo.".to_string(),
                };
                self.forget_console_past_session();
                self.forget_views();
            }
            Action::Inspect(target) => match Target::parse(&target) {
                Ok(target) => self.inspecting = Some(target),
                Err(e) => self.sim_note = e,
            },
            Action::CloseInspector => {
                self.inspecting = None;
                self.inspection = None;
            }
            Action::Reset => {
                let lesson = self.lesson.as_ref().map(|l| l.source.clone());
                let (fresh, note) = match lesson.map(Playground::for_lesson) {
                    Some(Ok(p)) => (p, "Started the lesson again."),
                    _ => (Playground::default(), "Started a fresh cluster."),
                };
                self.replace_with(fresh);
                self.sim_note = note.to_string();
            }
            Action::StartLesson(source) => match Playground::for_lesson(source) {
                Ok(fresh) => {
                    let note = fresh.sim_note.clone();
                    self.replace_with(fresh);
                    self.sim_note = note;
                    self.save_seq += 1;
                }
                Err(e) => self.sim_note = e,
            },
            Action::LeaveLesson => {
                self.lesson = None;
                self.sim_note = "Left the lesson; the cluster stays as it is.".to_string();
                self.save_seq += 1;
            }
            Action::ShowStep(i) => {
                if let Some(l) = &mut self.lesson {
                    if i <= l.progress.current().unwrap_or(usize::MAX) && i < l.lesson.steps.len() {
                        l.shown = i;
                    }
                }
            }
            Action::Predict(choice) => {
                if let Some(l) = &mut self.lesson {
                    let step = &mut l.progress.steps[l.shown];
                    if step.predicted.is_none() {
                        step.predicted = Some(choice);
                        self.save_seq += 1;
                    }
                    l.progress.fit(&l.lesson);
                }
            }
            Action::Hint => {
                if let Some(l) = &mut self.lesson {
                    let step = &mut l.progress.steps[l.shown];
                    step.hints += 1;
                    l.progress.fit(&l.lesson);
                    self.save_seq += 1;
                }
            }
            Action::Note(note) => self.sim_note = note,
        }
        if changes_session {
            self.save_seq += 1;
        }
        self.refresh();
    }

    /// Starts over as `fresh`, keeping what belongs to the page rather than the session.
    fn replace_with(&mut self, fresh: Playground) {
        *self = Playground {
            history: Rc::clone(&self.history),
            speed: self.speed,
            save_seq: self.save_seq,
            read_only: self.read_only,
            ..fresh
        };
    }

    /// When looking at the past, makes that moment the present: what came after is forgotten.
    fn resume_from_viewed_moment(&mut self) {
        let Some(at) = self.viewing.take() else {
            return;
        };
        self.timeline.borrow_mut().truncate_at(at);
        self.forget_console_past_session();
        self.forget_views();
        self.save_seq += 1;
    }

    /// Drops console entries whose session entry was rewound or undone.
    fn forget_console_past_session(&mut self) {
        let kept = self.timeline.borrow().session().entries.len();
        if self.console.iter().any(|e| e.entry >= kept) {
            Rc::make_mut(&mut self.console).retain(|e| e.entry < kept);
        }
    }

    /// Starts the next view from scratch: the timeline was rewritten.
    fn forget_views(&mut self) {
        self.view_cache = Rc::default();
    }

    fn apply_text(&mut self, text: String) {
        self.apply_count += 1;
        let mut timeline = self.timeline.borrow_mut();
        let done = timeline.record(Input::Apply { text: text.clone() });
        let Outcome::Applied(result) = &done.outcome else {
            return;
        };
        self.apply = Some(match result {
            Ok(report) => ApplyOutcome::Applied {
                lines: report.lines.clone(),
                notices: report.notices.clone(),
                changes: report.changes.iter().flat_map(|c| c.lines()).collect(),
            },
            Err(failed) => ApplyOutcome::Rejected {
                errors: failed
                    .errors
                    .iter()
                    .map(|e| ErrorRow {
                        line: e.line,
                        message: e.to_string(),
                    })
                    .collect(),
            },
        });
    }

    /// Runs one line into the console; returns its entry (none for blank lines and `clear`).
    fn run_line(&mut self, line: String) -> Option<ConsoleEntry> {
        let command = line.trim().to_string();
        if command.is_empty() {
            return None;
        }
        if self.history.last() != Some(&command) {
            let history = Rc::make_mut(&mut self.history);
            history.push(command.clone());
            trim_front(history, HISTORY_KEEP);
        }
        if command == "clear" {
            self.console = Rc::default();
            return None;
        }
        let mut timeline = self.timeline.borrow_mut();
        let entry = timeline.session().entries.len();
        let done = timeline.record(Input::Run {
            line: command.clone(),
        });
        let Outcome::Ran(out) = &done.outcome else {
            return None;
        };
        let entry = ConsoleEntry {
            entry,
            command,
            stdout: out.stdout.clone(),
            stderr: out.stderr.clone(),
            ok: out.ok,
        };
        let console = Rc::make_mut(&mut self.console);
        console.push(entry.clone());
        trim_front(console, CONSOLE_KEEP);
        Some(entry)
    }

    /// Advances a playing simulation by the speed's share of time, or less when it runs out of
    /// [`TICK_BUDGET`]; returns whether it did (the cluster is busy).
    fn advance(&self) -> bool {
        let ms = self.speed.per_tick().0;
        let mut timeline = self.timeline.borrow_mut();
        let before = timeline.world().now();
        timeline.advance_within(ms, TICK_BUDGET);
        timeline.world().now().since(before).0 < ms
    }

    /// [`Action::Advance`]: the simulation part of a tick, shown by the next [`Action::Tick`].
    /// While looking at the past it does nothing: resuming from there is the tick's to do.
    fn advance_ahead(&self) {
        if !self.playing || self.viewing.is_some() {
            return;
        }
        let busy = self.advance();
        self.ahead
            .set(Some(self.ahead.get().unwrap_or(false) || busy));
    }

    /// Recomputes what the page shows from the timeline.
    fn refresh(&mut self) {
        // Whatever was advanced ahead is shown now.
        self.ahead.set(None);
        let timeline = self.timeline.borrow();
        self.begin = timeline.begin();
        self.end = timeline.end();
        let marks = marks_of(&timeline);
        if *self.marks != marks {
            self.marks = Rc::new(marks);
        }
        self.can_undo = !self.marks.is_empty();
        let entries = timeline.session().entries.len();
        self.past = self.viewing.map(|at| match self.past.take() {
            Some(past) if past.at == at && past.entries == entries => past,
            _ => Past {
                at,
                entries,
                world: Rc::new(timeline.world_at(at)),
            },
        });
        let world = match &self.past {
            Some(past) => &*past.world,
            None => timeline.world(),
        };
        let mut fresh = view::cluster_with(world, &mut self.view_cache.borrow_mut());
        // Rows that did not change are the same `Rc`s, so this is cheap when little changed.
        let clock = std::mem::replace(&mut fresh.time, self.view.time.clone());
        if fresh != *self.view {
            fresh.time = clock.clone();
            self.view = Rc::new(fresh);
        }
        self.clock = clock;
        let events = view::recent_events(world, EVENTS_SHOWN);
        if *self.events != events {
            self.events = Rc::new(events);
        }
        if let Some(lesson) = &mut self.lesson {
            if lesson.refresh(world, self.past.is_none()) {
                self.save_seq += 1;
            }
        }
        self.inspection = self
            .inspecting
            .as_ref()
            .map(|target| inspect::inspect(world, target));
        self.next_event = world.next_event_at().map(|t| t.clock());
    }
}

/// The actions that changed something, as the timeline marks them.
fn marks_of(timeline: &Timeline) -> Vec<Mark> {
    timeline
        .actions()
        .map(|(_, entry, done)| Mark {
            at: done.start,
            label: match &entry.input {
                Input::Run { line } => line.clone(),
                _ => "apply".to_string(),
            },
        })
        .collect()
}

/// The console as the session's commands printed it (the newest [`CONSOLE_KEEP`]).
fn console_of(timeline: &Timeline) -> Vec<ConsoleEntry> {
    let mut console: Vec<ConsoleEntry> = timeline
        .entries()
        .filter_map(|(i, entry, done)| match (&entry.input, &done.outcome) {
            (Input::Run { line }, Outcome::Ran(out)) => Some(ConsoleEntry {
                entry: i,
                command: line.clone(),
                stdout: out.stdout.clone(),
                stderr: out.stderr.clone(),
                ok: out.ok,
            }),
            _ => None,
        })
        .collect();
    trim_front(&mut console, CONSOLE_KEEP);
    console
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if action == Action::Advance {
            // Handing back the same state redraws nothing.
            self.advance_ahead();
            return self;
        }
        let mut next = (*self).clone();
        next.update(action);
        Rc::new(next)
    }
}

fn trim_front<T>(items: &mut Vec<T>, keep: usize) {
    if items.len() > keep {
        items.drain(..items.len() - keep);
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::NGINX_DEPLOYMENT;
    use crate::node_ops::{next_worker_name, NewNode, NodeOp};

    fn nginx_replicas(p: &Playground) -> usize {
        pods(p)
            .iter()
            .filter(|(name, status)| name.starts_with("nginx-") && status == "Running")
            .count()
    }

    fn settled_nginx() -> Playground {
        let mut p = Playground::default();
        p.update(Action::Apply(NGINX_DEPLOYMENT.to_string()));
        p.update(Action::Settle);
        p
    }

    fn pods(p: &Playground) -> Vec<(String, String)> {
        p.view
            .nodes
            .iter()
            .flat_map(|n| &n.pods)
            .chain(&p.view.pending)
            .map(|pod| (pod.name.clone(), pod.status.clone()))
            .collect()
    }

    #[test]
    fn applying_the_example_then_settling_runs_three_nginx_pods() {
        let mut p = Playground::default();
        p.update(Action::Apply(NGINX_DEPLOYMENT.to_string()));
        match &p.apply {
            Some(ApplyOutcome::Applied { lines, changes, .. }) => {
                assert_eq!(lines, &["deployment.apps/nginx created"]);
                assert!(changes.is_empty(), "{changes:?}");
            }
            other => panic!("apply failed: {other:?}"),
        }
        p.update(Action::Settle);
        let running: Vec<_> = pods(&p)
            .into_iter()
            .filter(|(name, status)| name.starts_with("nginx-") && status == "Running")
            .collect();
        assert_eq!(running.len(), 3, "pods: {:?}", pods(&p));
        assert!(p.view.pending.is_empty());
        assert!(p.sim_note.starts_with("Settled"), "{}", p.sim_note);
    }

    #[test]
    fn applying_again_says_what_changed() {
        let mut p = settled_nginx();
        let edited = NGINX_DEPLOYMENT
            .replace("replicas: 3", "replicas: 5")
            .replace("image: nginx:1.27", "image: nginx:1.28");
        p.update(Action::Apply(edited));
        let Some(ApplyOutcome::Applied { lines, changes, .. }) = &p.apply else {
            panic!("not applied: {:?}", p.apply)
        };
        assert_eq!(lines, &["deployment.apps/nginx configured"]);
        assert_eq!(
            changes,
            &[
                "deployment.apps/nginx: spec.replicas 3 → 5",
                "deployment.apps/nginx: spec.template.spec.containers[name=nginx].image nginx:1.27 → nginx:1.28",
            ]
        );
    }

    #[test]
    fn a_bad_manifest_is_rejected_with_its_line_and_changes_nothing() {
        let mut p = Playground::default();
        let before = p.view.clone();
        let bad = NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: three");
        p.update(Action::Apply(bad));
        let Some(ApplyOutcome::Rejected { errors }) = &p.apply else {
            panic!("accepted: {:?}", p.apply)
        };
        let line = NGINX_DEPLOYMENT
            .lines()
            .position(|l| l.contains("replicas"))
            .map(|i| i + 1);
        assert!(errors.iter().any(|e| e.line == line), "errors: {errors:?}");
        assert_eq!(p.view, before);
    }

    #[test]
    fn errors_in_a_later_document_point_at_the_editors_line() {
        let mut p = Playground::default();
        let bad = NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: three");
        let text = format!("{NGINX_DEPLOYMENT}---\n{bad}");
        p.update(Action::Apply(text.clone()));
        let Some(ApplyOutcome::Rejected { errors }) = &p.apply else {
            panic!("accepted: {:?}", p.apply)
        };
        let line = text
            .lines()
            .position(|l| l.contains("replicas: three"))
            .map(|i| i + 1);
        assert!(
            errors.iter().any(|e| e.line == line),
            "want line {line:?}: {errors:?}"
        );
    }

    #[test]
    fn ticks_advance_the_clock_only_while_playing() {
        let mut p = Playground::default();
        p.update(Action::Tick);
        assert_eq!(p.clock, World::new(SEED).now().clock());
        p.update(Action::SetSpeed(Speed::X60));
        p.update(Action::TogglePlay);
        for _ in 0..10 {
            p.update(Action::Tick);
        }
        let mut expected = World::new(SEED);
        expected.advance(Dur::secs(60));
        assert_eq!(p.clock, expected.now().clock());
    }

    #[test]
    fn an_advance_redraws_nothing_and_the_tick_after_it_shows_what_one_tick_would() {
        let start = || {
            let mut p = settled_nginx();
            p.update(Action::Run("scale deployment nginx --replicas=40".into()));
            p.update(Action::SetSpeed(Speed::X60));
            p.update(Action::TogglePlay);
            p
        };
        let now = |p: &Playground| p.timeline.borrow().world().now();
        // The page's way: Advance, then Tick, through the reducer.
        let mut split = Rc::new(start());
        // A tick on its own.
        let mut whole = start();
        let mut busy = false;
        for _ in 0..12 {
            let (clock, view) = (split.clock.clone(), Rc::clone(&split.view));
            let before = now(&split);
            let advanced = Rc::clone(&split).reduce(Action::Advance);
            assert!(
                Rc::ptr_eq(&advanced, &split),
                "an advance hands back the same state, so nothing is redrawn"
            );
            assert!(now(&advanced) > before, "the simulation moved on");
            assert_eq!((&advanced.clock, &advanced.view), (&clock, &view));
            split = advanced.reduce(Action::Tick);
            whole.update(Action::Tick);
            assert_eq!(now(&split), now(&whole), "the tick did not advance again");
            assert_eq!(split.clock, whole.clock);
            assert_eq!(pods(&split), pods(&whole));
            assert_eq!(split.sim_note, whole.sim_note);
            busy |= split.sim_note.contains("slower while the cluster is busy");
        }
        assert!(busy, "the scale-up kept some ticks busy");
    }

    #[test]
    fn an_advance_does_nothing_while_paused_or_looking_at_the_past() {
        let mut p = settled_nginx();
        p.update(Action::Run("scale deployment nginx --replicas=6".into()));
        let now = |p: &Playground| p.timeline.borrow().world().now();
        let paused = now(&p);
        p.update(Action::Advance);
        assert_eq!(now(&p), paused);
        p.update(Action::TogglePlay);
        p.update(Action::Tick);
        let end = now(&p);
        p.update(Action::Scrub(0));
        p.update(Action::TogglePlay);
        p.update(Action::Advance);
        assert_eq!(now(&p), end, "resuming from the past is the tick's to do");
    }

    #[test]
    fn a_busy_tick_lets_less_time_pass_says_so_and_changes_nothing_else() {
        let mut p = settled_nginx();
        p.update(Action::Run("scale deployment nginx --replicas=60".into()));
        p.update(Action::SetSpeed(Speed::X60));
        p.update(Action::TogglePlay);
        let now = |p: &Playground| p.timeline.borrow().world().now();
        let start = now(&p);
        p.update(Action::Tick);
        assert!(
            now(&p).since(start) < Speed::X60.per_tick(),
            "57 new pods are more work than one tick runs"
        );
        assert!(
            p.sim_note.contains("slower while the cluster is busy"),
            "{}",
            p.sim_note
        );
        let mut ticks = 1;
        while now(&p).since(start) < Dur::secs(60) {
            p.update(Action::Tick);
            ticks += 1;
        }
        assert!(ticks > 10, "60 s took {ticks} ticks of 6 s");
        let nginx = pods(&p)
            .iter()
            .filter(|(name, _)| name.starts_with("nginx-"))
            .count();
        assert_eq!(nginx, 60);
        assert_eq!(p.sim_note, format!("Playing at {}.", Speed::X60.label()));
        // The session records plain time passing, and replays to the same world.
        let timeline = p.timeline.borrow();
        let replayed = Timeline::replay(timeline.session().clone());
        assert_eq!(
            format!("{:?}", replayed.world()),
            format!("{:?}", timeline.world())
        );
    }

    #[test]
    fn an_idle_cluster_keeps_its_view_while_the_clock_moves() {
        let mut p = settled_nginx();
        let settled = Rc::clone(&p.view);
        let clock = p.clock.clone();
        p.update(Action::SetSpeed(Speed::X60));
        p.update(Action::TogglePlay);
        for _ in 0..10 {
            p.update(Action::Tick);
        }
        assert_ne!(p.clock, clock);
        assert!(
            Rc::ptr_eq(&p.view, &settled),
            "nothing changed but the time"
        );
        // A change gives a new view, with the time it was built at.
        p.update(Action::Run("scale deployment nginx --replicas=4".into()));
        assert!(!Rc::ptr_eq(&p.view, &settled));
        assert_eq!(p.view.time, p.clock);
    }

    #[test]
    fn playing_pauses_where_the_simulated_clock_stops() {
        let mut p = Playground::default();
        p.update(Action::Run("sim advance 167h59m".into()));
        p.update(Action::SetSpeed(Speed::X60));
        p.update(Action::TogglePlay);
        for _ in 0..20 {
            p.update(Action::Tick);
        }
        assert!(!p.playing, "playing went on past the end of simulated time");
        assert!(
            p.sim_note.contains("the simulated clock stops 7d"),
            "{}",
            p.sim_note
        );
        assert_eq!(p.clock, "168:00:00");
    }

    #[test]
    fn console_keeps_output_and_history_without_repeats() {
        let mut p = Playground::default();
        p.update(Action::Run("get nodes".into()));
        p.update(Action::Run("  get nodes ".into()));
        p.update(Action::Run("frobnicate".into()));
        assert_eq!(*p.history, ["get nodes", "frobnicate"]);
        assert_eq!(p.console.len(), 3);
        assert!(
            p.console[0].ok && p.console[0].stdout.contains("worker-1"),
            "{:?}",
            p.console[0]
        );
        assert!(
            !p.console[2].ok && !p.console[2].stderr.is_empty(),
            "{:?}",
            p.console[2]
        );
        p.update(Action::Run("clear".into()));
        assert!(p.console.is_empty());
    }

    #[test]
    fn a_node_added_from_the_picture_is_drawn_and_the_result_kept() {
        let mut p = Playground::default();
        let mut form = NewNode::named(next_worker_name(&p.view.nodes));
        form.labels = "disk=ssd".into();
        p.update(Action::RunFromPicture(form.command()));
        let outcome = p.picture.clone().expect("an outcome");
        assert!(outcome.ok, "{outcome:?}");
        assert_eq!(outcome.seq, 1);
        assert_eq!(outcome.message, "node/worker-3 created");
        let node = p
            .view
            .nodes
            .iter()
            .find(|n| n.name == "worker-3")
            .expect("drawn");
        assert!(node.labels.contains(&"disk=ssd".to_string()));
        assert_eq!(
            p.console.last().map(|e| e.command.as_str()),
            Some(form.command().as_str())
        );
        assert_eq!(p.history.last(), Some(&form.command()));
    }

    #[test]
    fn a_failed_picture_command_reports_its_error_and_changes_nothing() {
        let mut p = Playground::default();
        p.update(Action::RunFromPicture(NodeOp::Cordon.command("worker-1")));
        let before = p.view.clone();
        p.update(Action::RunFromPicture(
            NodeOp::Label("bad key!=x".into()).command("worker-1"),
        ));
        let outcome = p.picture.clone().expect("an outcome");
        assert!(!outcome.ok);
        assert_eq!(outcome.seq, 2);
        assert!(!outcome.message.is_empty());
        assert_eq!(p.view, before);
        let worker = p.view.nodes.iter().find(|n| n.name == "worker-1").unwrap();
        assert!(worker.cordoned, "the cordon before the error stays");
    }

    #[test]
    fn stepping_an_idle_cluster_says_so() {
        let mut p = Playground::with_start(Start::Empty);
        p.update(Action::Settle);
        p.update(Action::Step);
        assert!(p.sim_note.contains("idle"), "{}", p.sim_note);
    }

    #[test]
    fn reset_forgets_the_cluster_but_keeps_history() {
        let mut p = Playground::default();
        p.update(Action::Apply(NGINX_DEPLOYMENT.to_string()));
        p.update(Action::Run("get pods".into()));
        p.update(Action::Reset);
        assert_eq!(p.view, Playground::default().view);
        assert_eq!(*p.history, ["get pods"]);
        assert!(p.apply.is_none());
    }

    #[test]
    fn scrubbing_back_shows_the_earlier_cluster_and_back_to_now_the_live_one() {
        let mut p = settled_nginx();
        let live = p.view.clone();
        assert_eq!(nginx_replicas(&p), 3);
        p.update(Action::Scrub(p.begin.0));
        assert_eq!(p.viewing, Some(p.begin));
        assert_eq!(nginx_replicas(&p), 0, "nothing ran at the start");
        assert_eq!(p.clock, p.begin.clock());
        p.update(Action::BackToNow);
        assert_eq!(p.viewing, None);
        assert_eq!(p.view, live);
        // Scrubbing to the end is the same as coming back.
        p.update(Action::Scrub(0));
        p.update(Action::Scrub(p.end.0 + 5_000));
        assert_eq!(p.viewing, None);
        assert_eq!(p.view, live);
    }

    #[test]
    fn acting_while_looking_back_carries_on_from_that_moment() {
        let mut p = settled_nginx();
        let applied_at = p.marks[0].at;
        p.update(Action::Run("scale deployment nginx --replicas=1".into()));
        p.update(Action::Settle);
        assert_eq!(nginx_replicas(&p), 1);
        assert_eq!(p.marks.len(), 2);
        // Back to just after the apply, before the scale, and act there.
        let moment = p.marks[1].at.0 - 1;
        p.update(Action::Scrub(moment));
        p.update(Action::Run("get deployments".into()));
        assert_eq!(p.viewing, None);
        assert_eq!(p.marks.len(), 1, "the scale is forgotten");
        assert_eq!(p.marks[0].at, applied_at);
        assert_eq!(
            p.console
                .iter()
                .map(|e| e.command.as_str())
                .collect::<Vec<_>>(),
            ["get deployments"],
            "the scale's output went with it"
        );
        p.update(Action::Settle);
        assert_eq!(nginx_replicas(&p), 3);
    }

    #[test]
    fn undo_takes_back_the_last_change_and_its_output() {
        let mut p = settled_nginx();
        p.update(Action::Run("scale deployment nginx --replicas=5".into()));
        p.update(Action::Run("get pods".into()));
        p.update(Action::Settle);
        assert_eq!(nginx_replicas(&p), 5);
        assert!(p.can_undo);
        p.update(Action::Undo);
        assert_eq!(p.sim_note, "Undid `scale deployment nginx --replicas=5`.");
        assert_eq!(nginx_replicas(&p), 3);
        assert!(p.console.is_empty(), "{:?}", p.console);
        p.update(Action::Undo);
        assert_eq!(p.sim_note, "Undid the last apply.");
        assert!(p.apply.is_none());
        assert!(p.view.workloads.is_empty());
        assert!(!p.can_undo);
        p.update(Action::Undo);
        assert_eq!(p.sim_note, "Nothing to undo.");
    }

    /// The view the page shows is the view of the world shown, however it was reached: rows
    /// kept from earlier views never outlive a rewritten timeline.
    /// What the page shows: the view at the clock (a kept view carries the time it was built).
    fn shown(p: &Playground) -> ClusterView {
        ClusterView {
            time: p.clock.clone(),
            ..(*p.view).clone()
        }
    }

    fn fresh_view(p: &Playground) -> ClusterView {
        let timeline = p.timeline.borrow();
        match &p.past {
            Some(past) => view::cluster(&past.world),
            None => view::cluster(timeline.world()),
        }
    }

    #[test]
    fn views_kept_between_actions_never_show_an_undone_or_rewound_cluster() {
        let mut p = settled_nginx();
        p.update(Action::Run(
            "set image deployment/nginx nginx=nginx:1.26".into(),
        ));
        p.update(Action::Settle);
        assert_eq!(shown(&p), fresh_view(&p));
        // Undo, then the same command with another image: the same objects, resourceVersions
        // and names come back with other contents.
        p.update(Action::Undo);
        assert_eq!(shown(&p), fresh_view(&p));
        p.update(Action::Run(
            "set image deployment/nginx nginx=nginx:1.27".into(),
        ));
        p.update(Action::Settle);
        assert_eq!(shown(&p), fresh_view(&p));
        // Looking back, then acting from there.
        p.update(Action::Scrub(p.begin.0 + 1));
        assert_eq!(shown(&p), fresh_view(&p));
        p.update(Action::Apply(
            NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 4"),
        ));
        p.update(Action::Settle);
        assert_eq!(shown(&p), fresh_view(&p));
        assert_eq!(nginx_replicas(&p), 4);
    }

    #[test]
    fn a_saved_session_restores_the_same_cluster_console_and_history() {
        let mut p = settled_nginx();
        p.update(Action::Run("scale deployment nginx --replicas=2".into()));
        p.update(Action::SetSpeed(Speed::X60));
        p.update(Action::TogglePlay);
        for _ in 0..25 {
            p.update(Action::Tick);
        }
        let saved = p.session_json();
        let back = Playground::restore(&saved).expect("restores");
        assert_eq!(shown(&back), shown(&p));
        assert_eq!(back.console, p.console);
        assert_eq!(*back.history, ["scale deployment nginx --replicas=2"]);
        assert_eq!(back.marks, p.marks);
        assert!(!back.playing, "a restored session starts paused");
        assert!(back.sim_note.starts_with("Restored"), "{}", back.sim_note);
    }

    #[test]
    fn autosave_is_asked_for_after_changes_and_now_and_then_while_playing() {
        let mut p = Playground::default();
        let seq = p.save_seq;
        p.update(Action::Run("get nodes".into()));
        assert!(p.save_seq > seq);
        let seq = p.save_seq;
        p.update(Action::TogglePlay);
        for _ in 0..TICKS_PER_SAVE - 1 {
            p.update(Action::Tick);
        }
        assert_eq!(p.save_seq, seq, "not on every tick");
        p.update(Action::Tick);
        assert_eq!(p.save_seq, seq + 1);
    }

    #[test]
    fn a_damaged_saved_session_is_refused() {
        assert!(Playground::restore("{\"version\":1,\"seed\":").is_err());
        assert!(Playground::restore("{\"version\":99,\"seed\":1}").is_err());
    }

    #[test]
    fn the_inspector_follows_the_object_live_and_in_the_past() {
        let mut p = settled_nginx();
        let pod = pods(&p)
            .into_iter()
            .find(|(name, _)| name.starts_with("nginx-"))
            .map(|(name, _)| name)
            .expect("a pod");
        p.update(Action::Inspect(format!("pod/default/{pod}")));
        let Some(Ok(found)) = &p.inspection else {
            panic!("not inspected: {:?}", p.inspection)
        };
        assert_eq!(found.title, format!("Pod default/{pod}"));
        assert_eq!(found.owners.len(), 2, "{:?}", found.owners);
        // Once the pod is deleted it is not found; looking back before that finds it again.
        let before_delete = p.end.0;
        p.update(Action::Run(format!("delete pod {pod}")));
        p.update(Action::Settle);
        assert!(
            matches!(&p.inspection, Some(Err(e)) if e.contains("not found")),
            "{:?}",
            p.inspection
        );
        p.update(Action::Scrub(before_delete));
        assert!(matches!(&p.inspection, Some(Ok(i)) if i.yaml.contains("phase: Running")));
        // At the very start the pod had just been created.
        p.update(Action::Scrub(0));
        assert!(matches!(&p.inspection, Some(Ok(i)) if i.yaml.contains("phase: Pending")));
        p.update(Action::BackToNow);
        assert!(matches!(&p.inspection, Some(Err(_))));
        p.update(Action::CloseInspector);
        assert!(p.inspection.is_none() && p.inspecting.is_none());
        // A target that cannot be read says why and changes nothing.
        p.update(Action::Inspect("frobs/x".into()));
        assert!(p.inspecting.is_none());
        assert!(!p.sim_note.is_empty());
    }

    #[test]
    fn trim_front_keeps_the_newest() {
        let mut v: Vec<u32> = (0..10).collect();
        trim_front(&mut v, 3);
        assert_eq!(v, [7, 8, 9]);
    }

    fn start_daemonsets() -> Playground {
        let mut p = Playground::default();
        p.update(Action::StartLesson(LessonRef::Builtin("daemonsets".into())));
        p
    }

    #[test]
    fn a_lesson_starts_on_its_cluster_and_its_checks_follow_the_cluster() {
        let mut p = start_daemonsets();
        let l = p.lesson.as_ref().expect("in the lesson");
        assert_eq!(l.lesson.id, "daemonsets");
        assert_eq!((l.shown, l.progress.done()), (0, 0));
        assert!(l.evals.iter().any(|e| !e.passed));
        assert!(!p.can_undo, "the lesson's setup is not an undoable action");
        p.update(Action::Run("sim node add worker-3".into()));
        p.update(Action::Settle);
        let l = p.lesson.as_ref().expect("in the lesson");
        assert_eq!(l.progress.done(), 1);
        assert_eq!(l.shown, 1, "the panel moves on to the next step");
        // Looking back at the start does not undo progress.
        p.update(Action::Scrub(0));
        assert_eq!(p.lesson.as_ref().unwrap().progress.done(), 1);
        p.update(Action::BackToNow);
        p.update(Action::ShowStep(0));
        assert_eq!(p.lesson.as_ref().unwrap().shown, 0);
        p.update(Action::ShowStep(2));
        assert_eq!(
            p.lesson.as_ref().unwrap().shown,
            0,
            "a later step cannot be shown yet"
        );
    }

    #[test]
    fn predictions_and_hints_are_kept_once() {
        let mut p = start_daemonsets();
        p.update(Action::Predict(2));
        p.update(Action::Predict(1));
        p.update(Action::Hint);
        p.update(Action::Hint);
        let sp = &p.lesson.as_ref().unwrap().progress.steps[0];
        assert_eq!(sp.predicted, Some(2), "the first answer stands");
        assert_eq!(sp.hints, 0, "step 1 of this lesson has no hints");
        p.update(Action::Run("sim node add worker-3".into()));
        p.update(Action::Settle);
        p.update(Action::Hint);
        assert_eq!(p.lesson.as_ref().unwrap().progress.steps[1].hints, 1);
    }

    #[test]
    fn a_share_link_and_an_autosave_bring_back_the_cluster_lesson_and_progress() {
        let mut p = start_daemonsets();
        p.update(Action::Run("sim node add worker-3".into()));
        p.update(Action::Settle);
        p.update(Action::Hint);
        let link = p.share_payload();
        let opened = Playground::open_link(&format!("#s={link}")).expect("opens");
        assert_eq!(shown(&opened), shown(&p));
        assert_eq!(opened.end, p.end);
        assert_eq!(
            opened.lesson.as_ref().map(|l| &l.progress),
            p.lesson.as_ref().map(|l| &l.progress)
        );
        let restored = Playground::restore(&p.session_json()).expect("restores");
        assert_eq!(shown(&restored), shown(&p));
        assert_eq!(restored.lesson.as_ref().unwrap().progress.done(), 1);
        // A save from before lessons (a bare session) still restores.
        let bare = p.timeline.borrow().session().to_json();
        let old = Playground::restore(&bare).expect("restores");
        assert!(old.lesson.is_none());
        assert_eq!(shown(&old), shown(&p));
    }

    #[test]
    fn a_bad_link_is_refused_with_a_reason() {
        let p = start_daemonsets();
        let link = p.share_payload();
        let e = Playground::open_link(&link[..link.len() / 2])
            .err()
            .expect("refused");
        assert!(e.contains("damaged or cut short"), "{e}");
        let e = Playground::open_link("k7.abc").err().expect("refused");
        assert!(e.contains("newer kubeplay"), "{e}");
    }

    #[test]
    fn a_lesson_from_text_is_checked_and_a_bad_one_leaves_the_session_alone() {
        let mut p = settled_nginx();
        let before = p.view.clone();
        p.update(Action::StartLesson(LessonRef::Source(
            "lesson: 1\nid: x\ntitle: X\nsteps: []\n".into(),
        )));
        assert!(p.lesson.is_none());
        assert_eq!(p.view, before);
        assert!(p.sim_note.contains("at least one step"), "{}", p.sim_note);
        p.update(Action::StartLesson(LessonRef::Builtin("no-such".into())));
        assert!(p.sim_note.contains("no built-in lesson"), "{}", p.sim_note);
        assert_eq!(p.view, before);
    }

    #[test]
    fn reset_in_a_lesson_restarts_the_lesson() {
        let mut p = start_daemonsets();
        p.update(Action::Run("sim node add worker-3".into()));
        p.update(Action::Settle);
        p.update(Action::Reset);
        let l = p.lesson.as_ref().expect("still in the lesson");
        assert_eq!(l.progress.done(), 0);
        assert_eq!(p.view.nodes.len(), 3);
        p.update(Action::LeaveLesson);
        assert!(p.lesson.is_none());
        assert_eq!(p.view.nodes.len(), 3, "leaving keeps the cluster");
    }

    #[test]
    fn read_only_refuses_changes_but_time_still_runs() {
        let mut p = settled_nginx();
        p.read_only = true;
        let (before, end) = (p.view.clone(), p.end);
        p.update(Action::Run("scale deployment nginx --replicas=1".into()));
        p.update(Action::Apply(
            NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 1"),
        ));
        p.update(Action::RunFromPicture("cordon worker-1".into()));
        assert_eq!(p.view, before);
        assert!(p.sim_note.contains("read-only"));
        p.update(Action::TogglePlay);
        p.update(Action::Tick);
        assert!(p.end > end);
    }
}
