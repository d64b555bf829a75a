//! A session: the seed, the starting cluster and every input given to it, in order, as data.
//!
//! The simulation is deterministic, so replaying a [`Session`] rebuilds its cluster byte for
//! byte. That makes a session what the page autosaves, what a share link carries and how the
//! timeline rebuilds any earlier moment: [`Timeline`] keeps the session, the live world after
//! its last input, and a few checkpoints (clones of the world) to replay from, so rebuilding a
//! moment costs the work since the nearest checkpoint rather than the whole history.
//!
//! Inputs are what a person does: apply manifest text, run a command line, let time pass
//! (playing or settling, recorded as the time that passed), or step one work item. Moments
//! inside an input that runs the simulation itself (`rollout status`, `drain`, `sim advance`)
//! are rebuilt by replaying that input under a horizon ([`World::set_horizon`]) at the moment.

use serde::{Deserialize, Serialize};

use crate::kubectl::{self, NoFiles, Output};
use crate::manifest::{self, ApplyReport, ManifestErrors};
use crate::sim::{Settled, World};
use crate::time::{Dur, SimTime};

/// The session format this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// Work items run between two checkpoints, at least.
const CHECKPOINT_STEPS: u64 = 400;
/// Checkpoints kept; past this, every other one is dropped.
const CHECKPOINTS_KEPT: usize = 48;

/// The cluster a session starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// [`World::new`]: a control plane and two workers.
    #[default]
    Default,
    /// [`World::empty`]: namespaces, no nodes.
    Empty,
}

impl Start {
    fn world(self, seed: u64) -> World {
        match self {
            Start::Default => World::new(seed),
            Start::Empty => World::empty(seed),
        }
    }
}

/// One thing a person did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Input {
    /// Apply manifest text, as the editor's Apply does.
    Apply { text: String },
    /// Run one line of the command language (no files: `apply -f -` has no input here).
    Run { line: String },
    /// Let simulated time pass: playing, or running until settled.
    Advance { ms: u64 },
    /// Run the next scheduled work item only.
    Step,
    /// Run until nothing is scheduled, or until `limit_ms` of simulated time has passed.
    Settle { limit_ms: u64 },
}

impl Input {
    /// Whether this input is a change a person made (an apply or a command), as opposed to
    /// time passing.
    pub fn is_action(&self) -> bool {
        matches!(self, Input::Apply { .. } | Input::Run { .. })
    }
}

/// An input as the session keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub input: Input,
    /// Set on an input that was cut short by rewinding to a moment inside it: it is replayed
    /// with the clock held at this time (milliseconds), and ends there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
}

/// Everything needed to rebuild a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    pub seed: u64,
    #[serde(default)]
    pub start: Start,
    /// Inputs that prepare the starting cluster (a lesson's manifests and commands): run
    /// before the entries, part of the start rather than of the history, so they cannot be
    /// undone or rewound past.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Input>,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

impl Session {
    pub fn new(seed: u64, start: Start) -> Session {
        Session {
            version: VERSION,
            seed,
            start,
            setup: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// The world the session starts from: the start cluster with the setup inputs run.
    pub fn start_world(&self) -> World {
        let mut world = self.start.world(self.seed);
        for input in &self.setup {
            run_entry(
                &mut world,
                &Entry {
                    input: input.clone(),
                    until: None,
                },
            );
        }
        world
    }

    /// The session as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session always serializes")
    }

    /// Reads a session written by [`to_json`](Self::to_json), refusing a newer format.
    pub fn from_json(text: &str) -> Result<Session, SessionError> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let versioned: Versioned =
            serde_json::from_str(text).map_err(|e| SessionError::Unreadable(e.to_string()))?;
        Session::check_version(versioned.version)?;
        serde_json::from_str(text).map_err(|e| SessionError::Unreadable(e.to_string()))
    }

    /// Refuses a session format newer than this build reads.
    pub fn check_version(version: u32) -> Result<(), SessionError> {
        if version > VERSION {
            Err(SessionError::Newer(version))
        } else {
            Ok(())
        }
    }
}

/// Why a saved session cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Not a session, or damaged.
    Unreadable(String),
    /// Written by a newer kubeplay.
    Newer(u32),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Unreadable(e) => write!(f, "not a kubeplay session: {e}"),
            SessionError::Newer(v) => write!(
                f,
                "this session was saved by a newer kubeplay (format {v}; this one reads up to {VERSION})"
            ),
        }
    }
}

/// What an input printed or reported.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Applied(Result<ApplyReport, ManifestErrors>),
    Ran(Output),
    /// Time passed; `false` for a step with nothing scheduled.
    Time(bool),
    /// Run until settled, and how that ended.
    Settled(Settled),
}

/// What one entry did when it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct Done {
    /// The clock when it began and when it ended.
    pub start: SimTime,
    pub end: SimTime,
    /// Whether anything changed: an object, the work run, a file, or the clock.
    pub changed: bool,
    pub outcome: Outcome,
}

/// A world rebuilt after the first `entries` entries, or, when `partial`, in the middle of
/// entry `entries` (always an [`Input::Advance`]: time passing is checkpointed as it goes).
#[derive(Clone, Debug)]
struct Checkpoint {
    entries: usize,
    partial: bool,
    world: World,
}

impl Checkpoint {
    /// Whether this checkpoint comes before every effect of entry `index`.
    fn before_entry(&self, index: usize) -> bool {
        self.entries < index || (self.entries == index && !self.partial)
    }
}

/// A session with its live world, what each entry did, and checkpoints for rebuilding any
/// moment of it.
#[derive(Clone, Debug)]
pub struct Timeline {
    session: Session,
    done: Vec<Done>,
    world: World,
    checkpoints: Vec<Checkpoint>,
}

/// Runs one entry on `world`; the clock never passes `entry.until`.
fn run_entry(world: &mut World, entry: &Entry) -> Done {
    let start = world.now();
    let before = (world.store().resource_version(), world.trace_hash());
    let until = entry.until.map(SimTime);
    if until.is_some() {
        world.set_horizon(until);
    }
    let outcome = match &entry.input {
        Input::Apply { text } => Outcome::Applied(manifest::apply(world, text)),
        Input::Run { line } => Outcome::Ran(kubectl::run(world, line, &NoFiles)),
        Input::Advance { ms } => {
            world.advance(Dur::ms(*ms));
            Outcome::Time(true)
        }
        Input::Step => Outcome::Time(world.step()),
        Input::Settle { limit_ms } => Outcome::Settled(world.settle(Dur::ms(*limit_ms))),
    };
    if let Some(until) = until {
        world.set_horizon(None);
        if world.now() < until {
            world.advance(until.since(world.now()));
        }
    }
    let after = (world.store().resource_version(), world.trace_hash());
    Done {
        start,
        end: world.now(),
        changed: before != after || world.now() != start,
        outcome,
    }
}

impl Timeline {
    /// A new session on a fresh cluster.
    pub fn new(seed: u64, start: Start) -> Timeline {
        Timeline::replay(Session::new(seed, start))
    }

    /// Rebuilds a session by running every entry.
    pub fn replay(session: Session) -> Timeline {
        let world = session.start_world();
        let mut timeline = Timeline {
            session: Session {
                entries: Vec::new(),
                ..session.clone()
            },
            done: Vec::new(),
            checkpoints: vec![Checkpoint {
                entries: 0,
                partial: false,
                world: world.clone(),
            }],
            world,
        };
        for entry in session.entries {
            timeline.push(entry);
        }
        timeline
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The world after the last entry.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// What each entry did, in order.
    pub fn done(&self) -> &[Done] {
        &self.done
    }

    /// The clock at the start of the session.
    pub fn begin(&self) -> SimTime {
        self.checkpoints[0].world.now()
    }

    /// The clock after the last entry.
    pub fn end(&self) -> SimTime {
        self.world.now()
    }

    /// Runs an input on the live world and keeps it. Time passing right after time passing
    /// extends the same entry, so playing for an hour is one entry.
    pub fn record(&mut self, input: Input) -> &Done {
        if let Input::Advance { ms } = input {
            if self.ends_in_advance() {
                return self.extend_advance(|world| {
                    world.advance(Dur::ms(ms));
                    ms
                });
            }
        }
        self.push(Entry { input, until: None });
        self.done.last().expect("just pushed")
    }

    /// Lets up to `ms` of simulated time pass, stopping between two instants once `budget`
    /// work items have run ([`World::advance_within`]), and keeps the time that passed as an
    /// ordinary advance: where a budgeted advance stops depends only on the world, so the
    /// session replays to the same moment.
    pub fn advance_within(&mut self, ms: u64, budget: u64) -> &Done {
        if !self.ends_in_advance() {
            // A new entry starts as an advance of nothing. That runs only what is due at the
            // current instant, which the budgeted advance would run too: it stops only between
            // instants.
            self.push(Entry {
                input: Input::Advance { ms: 0 },
                until: None,
            });
        }
        self.extend_advance(|world| world.advance_within(Dur::ms(ms), budget).0)
    }

    /// Whether the last entry is time passing that more time passing may extend.
    fn ends_in_advance(&self) -> bool {
        matches!(
            self.session.entries.last(),
            Some(Entry {
                input: Input::Advance { .. },
                until: None,
            })
        )
    }

    /// Extends the last entry, an advance, by the milliseconds `run` lets pass on the world.
    fn extend_advance(&mut self, run: impl FnOnce(&mut World) -> u64) -> &Done {
        let ms = run(&mut self.world);
        if let Some(Entry {
            input: Input::Advance { ms: total },
            ..
        }) = self.session.entries.last_mut()
        {
            *total += ms;
        }
        let done = self.done.last_mut().expect("one per entry");
        done.end = self.world.now();
        done.changed |= ms > 0;
        self.maybe_checkpoint(self.session.entries.len() - 1, true);
        self.done.last().expect("one per entry")
    }

    fn push(&mut self, entry: Entry) {
        let done = run_entry(&mut self.world, &entry);
        self.session.entries.push(entry);
        self.done.push(done);
        self.maybe_checkpoint(self.session.entries.len(), false);
    }

    /// Keeps a clone of the live world when enough work ran since the last checkpoint.
    fn maybe_checkpoint(&mut self, entries: usize, partial: bool) {
        let last = self.checkpoints.last().expect("the start is kept");
        if self.world.steps() < last.world.steps() + CHECKPOINT_STEPS {
            return;
        }
        self.checkpoints.push(Checkpoint {
            entries,
            partial,
            world: self.world.clone(),
        });
        if self.checkpoints.len() > CHECKPOINTS_KEPT {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
    }

    /// Replays from the latest checkpoint that `usable` accepts: the rest of a partial
    /// checkpoint's time passing, then entries from there while `next` says to run entry `i`
    /// (with the clock held at its `Some` horizon).
    fn replay_from(
        &self,
        usable: impl Fn(&Checkpoint) -> bool,
        next: impl Fn(usize) -> Option<Option<SimTime>>,
    ) -> World {
        let cp = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| usable(c))
            .unwrap_or(&self.checkpoints[0]);
        let mut world = cp.world.clone();
        let mut i = cp.entries;
        if cp.partial {
            let Some(horizon) = next(i) else {
                return world;
            };
            let end = horizon.map_or(self.done[i].end, |h| h.min(self.done[i].end));
            world.advance(end.since(world.now()));
            i += 1;
        }
        while i < self.session.entries.len() {
            let Some(horizon) = next(i) else {
                break;
            };
            let mut entry = self.session.entries[i].clone();
            if let Some(h) = horizon {
                entry.until = Some(entry.until.map_or(h.0, |u| u.min(h.0)));
            }
            run_entry(&mut world, &entry);
            i += 1;
        }
        world
    }

    /// The cluster as it was at `at` (clamped to the session), after every input that began
    /// at or before it.
    pub fn world_at(&self, at: SimTime) -> World {
        let at = at.clamp(self.begin(), self.end());
        if at == self.end() {
            return self.world.clone();
        }
        let mut world = self.replay_from(
            |c| c.world.now() <= at,
            |i| {
                let done = &self.done[i];
                (done.start <= at).then_some((done.end > at).then_some(at))
            },
        );
        if world.now() < at {
            world.advance(at.since(world.now()));
        }
        world
    }

    /// The world after the first `count` entries.
    fn world_after(&self, count: usize) -> World {
        if count >= self.session.entries.len() {
            return self.world.clone();
        }
        self.replay_from(|c| c.before_entry(count), |i| (i < count).then_some(None))
    }

    /// Rewinds to `at`: what came after is forgotten, an input under way at that moment is
    /// cut short there, and the live world is the one [`world_at`](Self::world_at) gives.
    pub fn truncate_at(&mut self, at: SimTime) {
        let at = at.clamp(self.begin(), self.end());
        if at == self.end() {
            return;
        }
        let world = self.world_at(at);
        let keep = self.done.iter().take_while(|d| d.start <= at).count();
        self.session.entries.truncate(keep);
        self.done.truncate(keep);
        if let (Some(entry), Some(done)) = (self.session.entries.last_mut(), self.done.last_mut()) {
            if done.end > at {
                match &mut entry.input {
                    Input::Advance { ms } => *ms = at.since(done.start).0,
                    _ => entry.until = Some(at.0),
                }
                done.end = at;
            }
        }
        self.checkpoints
            .retain(|c| c.world.now() <= at && c.before_entry(keep));
        self.world = world;
    }

    /// Each entry with what it did: `(index, entry, done)`, in order.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = (usize, &Entry, &Done)> {
        self.session
            .entries
            .iter()
            .zip(&self.done)
            .enumerate()
            .map(|(i, (e, d))| (i, e, d))
    }

    /// The actions that can be undone: applies and commands that changed something, in order.
    pub fn actions(&self) -> impl DoubleEndedIterator<Item = (usize, &Entry, &Done)> {
        self.entries()
            .filter(|(_, e, d)| e.input.is_action() && d.changed)
    }

    /// Undoes the last action (an apply or a command that changed something): the session
    /// goes back to the moment before it, as if it had not been taken; time that passed after
    /// it is forgotten too. Returns the entry undone, or `None` when there is none.
    pub fn undo(&mut self) -> Option<Entry> {
        let (last, _, _) = self.actions().next_back()?;
        let world = self.world_after(last);
        let undone = self.session.entries[last].clone();
        self.session.entries.truncate(last);
        self.done.truncate(last);
        self.checkpoints.retain(|c| c.before_entry(last));
        self.world = world;
        Some(undone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.25.3
";

    fn fingerprint(w: &World) -> String {
        format!("{w:?}")
    }

    fn run(line: &str) -> Input {
        Input::Run { line: line.into() }
    }

    fn advance(secs: u64) -> Input {
        Input::Advance { ms: secs * 1000 }
    }

    fn sample() -> Timeline {
        let mut t = Timeline::new(7, Start::Default);
        t.record(Input::Apply { text: WEB.into() });
        t.record(advance(20));
        t.record(advance(25));
        t.record(run("set image deployment/web web=nginx:1.26.0"));
        t.record(run("rollout status deployment/web"));
        t.record(Input::Step);
        t.record(run("scale deployment web --replicas=1"));
        t.record(advance(30));
        t
    }

    #[test]
    fn time_passing_twice_in_a_row_is_one_entry() {
        let t = sample();
        let kinds: Vec<_> = t.session().entries.iter().map(|e| &e.input).collect();
        assert_eq!(kinds.len(), 7, "{kinds:?}");
        assert_eq!(t.session().entries[1].input, advance(45));
    }

    #[test]
    fn budgeted_time_passing_builds_the_same_world_as_plain_time_passing() {
        let start = |t: &mut Timeline| {
            t.record(Input::Apply {
                text: WEB.replace("replicas: 3", "replicas: 40"),
            });
            t.record(advance(30));
            t.record(run("set image deployment/web web=nginx:1.26.0"));
        };
        let mut plain = Timeline::new(7, Start::Default);
        start(&mut plain);
        plain.record(advance(60));
        let mut budgeted = Timeline::new(7, Start::Default);
        start(&mut budgeted);
        // Ticks of 6 s with room for 25 work items each, until 60 s have passed.
        let begin = budgeted.world().now();
        let mut short_ticks = 0;
        while budgeted.world().now() < begin + Dur::secs(60) {
            let left = (begin + Dur::secs(60)).since(budgeted.world().now()).0;
            let want = left.min(6_000);
            let before = budgeted.world().now();
            budgeted.advance_within(want, 25);
            let moved = budgeted.world().now().since(before).0;
            assert!(moved > 0, "every tick moves the clock");
            if moved < want {
                short_ticks += 1;
                // It stopped between instants: nothing due is left behind.
                assert!(budgeted.world().next_event_at() > Some(budgeted.world().now()));
            }
        }
        assert!(
            short_ticks > 3,
            "the rollout's work was spread: {short_ticks}"
        );
        assert_eq!(fingerprint(budgeted.world()), fingerprint(plain.world()));
        // The session holds one plain advance, and replays to the same world.
        assert_eq!(budgeted.session().entries, plain.session().entries);
        let replayed = Timeline::replay(budgeted.session().clone());
        assert_eq!(fingerprint(replayed.world()), fingerprint(plain.world()));
    }

    #[test]
    fn replaying_a_session_rebuilds_the_same_world() {
        let t = sample();
        let json = t.session().to_json();
        let again = Timeline::replay(Session::from_json(&json).expect("reads back"));
        assert_eq!(fingerprint(again.world()), fingerprint(t.world()));
        assert_eq!(again.done(), t.done());
    }

    #[test]
    fn a_horizon_held_below_the_clock_never_hangs() {
        // Found by the share-link fuzzer: an entry cut at a moment before the clock, with
        // work due now, looped forever (the queue had work due, `step` refused it).
        let mut s = Session::new(11, Start::Default);
        s.entries = vec![
            Entry {
                input: advance(40),
                until: None,
            },
            Entry {
                input: Input::Run {
                    line: "run web --image=nginx".into(),
                },
                until: Some(39_999),
            },
            Entry {
                input: Input::Settle { limit_ms: 60_000 },
                until: Some(39_999),
            },
            Entry {
                input: Input::Run {
                    line: "run db --image=nginx".into(),
                },
                until: None,
            },
        ];
        let t = Timeline::replay(s);
        assert_eq!(t.world().now(), SimTime(40_000));
        let mut w = t.world().clone();
        w.set_horizon(Some(SimTime(1)));
        w.advance(Dur::secs(5));
        assert!(!w.settle(Dur::secs(5)).settled);
        assert_eq!(
            w.now(),
            SimTime(40_000),
            "a horizon below now holds the clock"
        );
    }

    #[test]
    fn a_moment_rebuilt_equals_the_world_that_paused_there() {
        let mut t = Timeline::new(3, Start::Default);
        t.record(Input::Apply { text: WEB.into() });
        t.record(advance(120));
        for secs in [0, 1, 7, 30, 61, 119] {
            let at = SimTime(secs * 1000);
            let mut paused = World::new(3);
            manifest::apply(&mut paused, WEB).unwrap();
            paused.advance(Dur::secs(secs));
            assert_eq!(
                fingerprint(&t.world_at(at)),
                fingerprint(&paused),
                "at {secs}s"
            );
        }
    }

    #[test]
    fn a_moment_inside_a_command_is_rebuilt_under_a_horizon() {
        let t = sample();
        let rollout = &t.done()[3];
        assert!(
            rollout.end > rollout.start,
            "rollout status ran the simulation"
        );
        let mid = SimTime((rollout.start.0 + rollout.end.0) / 2);
        let world = t.world_at(mid);
        assert_eq!(world.now(), mid);
        // Rewinding there and replaying the shortened session gives the same world.
        let mut cut = t.clone();
        cut.truncate_at(mid);
        assert_eq!(cut.session().entries.len(), 4);
        assert_eq!(cut.session().entries[3].until, Some(mid.0));
        assert_eq!(fingerprint(cut.world()), fingerprint(&world));
        let replayed = Timeline::replay(cut.session().clone());
        assert_eq!(fingerprint(replayed.world()), fingerprint(&world));
    }

    #[test]
    fn settling_is_replayed_and_can_be_rewound_into() {
        let mut t = Timeline::new(5, Start::Default);
        t.record(Input::Apply { text: WEB.into() });
        let done = t.record(Input::Settle { limit_ms: 600_000 }).clone();
        assert!(
            matches!(&done.outcome, Outcome::Settled(s) if s.settled),
            "{done:?}"
        );
        assert!(done.end > done.start);
        let replayed = Timeline::replay(t.session().clone());
        assert_eq!(fingerprint(replayed.world()), fingerprint(t.world()));
        let mid = SimTime((done.start.0 + done.end.0) / 2);
        let want = t.world_at(mid);
        assert_eq!(want.now(), mid);
        t.truncate_at(mid);
        assert_eq!(t.session().entries[1].until, Some(mid.0));
        assert_eq!(fingerprint(t.world()), fingerprint(&want));
        let replayed = Timeline::replay(t.session().clone());
        assert_eq!(fingerprint(replayed.world()), fingerprint(&want));
    }

    #[test]
    fn rewinding_into_time_passing_shortens_it() {
        let mut t = sample();
        let at = SimTime(t.done()[1].start.0 + 10_000);
        let want = t.world_at(at);
        t.truncate_at(at);
        assert_eq!(t.session().entries.len(), 2);
        assert_eq!(t.session().entries[1].input, advance(10));
        assert_eq!(fingerprint(t.world()), fingerprint(&want));
        // And the session goes on from there.
        t.record(run("scale deployment web --replicas=5"));
        let replayed = Timeline::replay(t.session().clone());
        assert_eq!(fingerprint(replayed.world()), fingerprint(t.world()));
    }

    #[test]
    fn undo_goes_back_to_before_the_last_change() {
        let mut t = sample();
        let before_scale = t.done()[5].end;
        t.record(run("get pods"));
        let undone = t.undo().expect("something to undo");
        assert_eq!(undone.input, run("scale deployment web --replicas=1"));
        assert_eq!(t.session().entries.len(), 5);
        assert_eq!(t.world().now(), before_scale);
        let replayed = Timeline::replay(t.session().clone());
        assert_eq!(fingerprint(replayed.world()), fingerprint(t.world()));
        let deployment = t
            .world()
            .store()
            .deployments
            .iter()
            .next()
            .and_then(|d| d.spec.replicas);
        assert_eq!(deployment, Some(3));
    }

    #[test]
    fn undo_skips_commands_that_changed_nothing() {
        let mut t = Timeline::new(1, Start::Default);
        t.record(run("get pods"));
        t.record(run("frobnicate"));
        assert!(t.undo().is_none());
        t.record(run("label node worker-1 disk=ssd"));
        t.record(run("get nodes"));
        assert_eq!(
            t.undo().map(|e| e.input),
            Some(run("label node worker-1 disk=ssd"))
        );
        assert_eq!(t.session().entries.len(), 2);
    }

    #[test]
    fn moments_rebuild_from_checkpoints_the_same_as_from_the_start() {
        let mut t = Timeline::new(5, Start::Default);
        t.record(Input::Apply {
            text: WEB.replace("replicas: 3", "replicas: 40"),
        });
        for i in 0..30 {
            t.record(advance(7));
            if i % 5 == 0 {
                t.record(run(&format!(
                    "set image deployment/web web=nginx:1.25.{}",
                    i % 3
                )));
            }
        }
        assert!(
            t.checkpoints.len() > 2,
            "{} checkpoints",
            t.checkpoints.len()
        );
        let mut fresh = t.clone();
        fresh.checkpoints.truncate(1);
        for secs in [3, 50, 111, 170, 209] {
            let at = SimTime(secs * 1000);
            assert_eq!(
                fingerprint(&t.world_at(at)),
                fingerprint(&fresh.world_at(at)),
                "at {secs}s"
            );
        }
    }

    #[test]
    fn a_newer_or_damaged_session_is_refused() {
        let newer = format!("{{\"version\":{},\"seed\":1,\"entries\":[]}}", VERSION + 1);
        assert_eq!(
            Session::from_json(&newer),
            Err(SessionError::Newer(VERSION + 1))
        );
        assert!(matches!(
            Session::from_json("{\"version\":1,\"seed\":\"x\"}"),
            Err(SessionError::Unreadable(_))
        ));
        assert!(matches!(
            Session::from_json("not json"),
            Err(SessionError::Unreadable(_))
        ));
    }

    #[test]
    fn the_format_is_stable() {
        let mut s = Session::new(9, Start::Default);
        s.entries.push(Entry {
            input: Input::Apply { text: "x".into() },
            until: None,
        });
        s.entries.push(Entry {
            input: run("get pods"),
            until: Some(5),
        });
        s.entries.push(Entry {
            input: advance(1),
            until: None,
        });
        s.entries.push(Entry {
            input: Input::Step,
            until: None,
        });
        s.entries.push(Entry {
            input: Input::Settle { limit_ms: 60_000 },
            until: None,
        });
        assert_eq!(
            s.to_json(),
            r#"{"version":1,"seed":9,"start":"default","entries":[{"op":"apply","text":"x"},{"op":"run","line":"get pods","until":5},{"op":"advance","ms":1000},{"op":"step"},{"op":"settle","limit_ms":60000}]}"#
        );
    }
}
