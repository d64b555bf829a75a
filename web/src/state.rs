//! The page's one reducer: it owns the simulated [`World`] and everything the page shows.
//!
//! Pure apart from the simulation it drives: no DOM, no timers, no wall clock. Timers live in
//! [`crate::hooks`] and only dispatch [`Action::Tick`]; components only dispatch actions.

use std::cell::RefCell;
use std::rc::Rc;

use kubeplay_core::kubectl::{self, NoFiles};
use kubeplay_core::manifest;
use kubeplay_core::time::Dur;
use kubeplay_core::view::{self, ClusterView};
use kubeplay_core::World;
use yew::Reducible;

/// The seed of every world the page creates, so a page load is reproducible.
pub const SEED: u64 = 1;
/// Wall-clock milliseconds between two ticks while playing (see [`crate::hooks`]).
pub const TICK_MS: u32 = 100;
/// How far "run until settled" may go before it gives up and reports.
pub const SETTLE_LIMIT: Dur = Dur::mins(30);
/// Console entries kept; older ones scroll away.
pub const CONSOLE_KEEP: usize = 200;
/// Commands kept for ↑/↓.
pub const HISTORY_KEEP: usize = 100;

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
    },
    Rejected {
        errors: Vec<ErrorRow>,
    },
}

/// A command typed in the console and what it printed.
#[derive(Clone, PartialEq, Debug)]
pub struct ConsoleEntry {
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
    /// A playback tick: advance by the speed's share of simulated time.
    Tick,
    /// Process the next scheduled item only.
    Step,
    /// Run until nothing is scheduled (or [`SETTLE_LIMIT`]).
    Settle,
    TogglePlay,
    SetSpeed(Speed),
    ClearConsole,
    /// Start again with a fresh default cluster.
    Reset,
}

/// The page's state. Cloning is cheap apart from the view: the world is shared.
#[derive(Clone)]
pub struct Playground {
    world: Rc<RefCell<World>>,
    pub view: ClusterView,
    pub playing: bool,
    pub speed: Speed,
    /// When the next scheduled item is due, as a clock string.
    pub next_event: Option<String>,
    /// One line about the last time control used ("settled after 12.5s").
    pub sim_note: String,
    pub apply: Option<ApplyOutcome>,
    /// Counts applies, so the editor can tell a new outcome from an equal old one.
    pub apply_count: u64,
    pub console: Vec<ConsoleEntry>,
    pub history: Vec<String>,
    pub picture: Option<PictureOutcome>,
}

impl Default for Playground {
    fn default() -> Self {
        Playground::with_world(World::new(SEED))
    }
}

impl Playground {
    /// A playground around an existing world (tests use small ones).
    pub fn with_world(world: World) -> Self {
        let mut playground = Playground {
            world: Rc::new(RefCell::new(world)),
            view: ClusterView::default(),
            playing: false,
            speed: Speed::X5,
            next_event: None,
            sim_note: "Paused. Press play, step, or run until settled.".to_string(),
            apply: None,
            apply_count: 0,
            console: vec![],
            history: vec![],
            picture: None,
        };
        playground.refresh();
        playground
    }

    /// Carries out one action in place.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Apply(text) => self.apply_text(&text),
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
            Action::Tick => {
                if self.playing {
                    self.world.borrow_mut().advance(self.speed.per_tick());
                }
            }
            Action::Step => {
                let stepped = self.world.borrow_mut().step();
                self.sim_note = if stepped {
                    format!("Stepped to {}.", self.world.borrow().now().clock())
                } else {
                    "Nothing is scheduled: the cluster is idle.".to_string()
                };
            }
            Action::Settle => {
                let settled = self.world.borrow_mut().settle(SETTLE_LIMIT);
                self.sim_note = capitalize(&settled.to_string());
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
            Action::ClearConsole => self.console.clear(),
            Action::Reset => {
                *self = Playground {
                    history: std::mem::take(&mut self.history),
                    ..Playground::default()
                };
                self.sim_note = "Started a fresh cluster.".to_string();
            }
        }
        self.refresh();
    }

    fn apply_text(&mut self, text: &str) {
        self.apply_count += 1;
        let result = manifest::apply(&mut self.world.borrow_mut(), text);
        self.apply = Some(match result {
            Ok(report) => ApplyOutcome::Applied {
                lines: report.lines,
                notices: report.notices,
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
            self.history.push(command.clone());
            trim_front(&mut self.history, HISTORY_KEEP);
        }
        if command == "clear" {
            self.console.clear();
            return None;
        }
        let out = kubectl::run(&mut self.world.borrow_mut(), &command, &NoFiles);
        let entry = ConsoleEntry {
            command,
            stdout: out.stdout,
            stderr: out.stderr,
            ok: out.ok,
        };
        self.console.push(entry.clone());
        trim_front(&mut self.console, CONSOLE_KEEP);
        Some(entry)
    }

    /// Recomputes what the page shows from the world.
    fn refresh(&mut self) {
        let world = self.world.borrow();
        self.view = view::cluster(&world);
        self.next_event = world.next_event_at().map(|t| t.clock());
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
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
            Some(ApplyOutcome::Applied { lines, .. }) => {
                assert_eq!(lines, &["deployment.apps/nginx created"])
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
        assert_eq!(p.view.time, World::new(SEED).now().clock());
        p.update(Action::SetSpeed(Speed::X60));
        p.update(Action::TogglePlay);
        for _ in 0..10 {
            p.update(Action::Tick);
        }
        let mut expected = World::new(SEED);
        expected.advance(Dur::secs(60));
        assert_eq!(p.view.time, expected.now().clock());
    }

    #[test]
    fn console_keeps_output_and_history_without_repeats() {
        let mut p = Playground::default();
        p.update(Action::Run("get nodes".into()));
        p.update(Action::Run("  get nodes ".into()));
        p.update(Action::Run("frobnicate".into()));
        assert_eq!(p.history, ["get nodes", "frobnicate"]);
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
        let mut p = Playground::with_world(World::empty(SEED));
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
        assert_eq!(p.history, ["get pods"]);
        assert!(p.apply.is_none());
    }

    #[test]
    fn trim_front_keeps_the_newest() {
        let mut v: Vec<u32> = (0..10).collect();
        trim_front(&mut v, 3);
        assert_eq!(v, [7, 8, 9]);
    }
}
