//! Tab completion for the console: what the word under an end-of-line cursor could become.
//!
//! [`complete`] reads the line the way [`run`](super::run) will: the same quoting, the same
//! optional leading `kubectl`, and the real flag parser ([`Args::parse`]) to tell flags, flag
//! values and positional words apart, so a completion never suggests what the command would then
//! refuse. Candidates come from the command language (verbs, subcommands, resource types, the
//! flags each verb reads) and from the world's store (object, node and namespace names, honouring
//! `-n`/`--namespace` and `-A`). It only reads the world, and never panics: a line it cannot
//! follow simply has no candidates.

use super::get::{find, list, Item};
use super::{resolve_type, Args, ResType, OTHER_TYPES};
use crate::sim::World;
use crate::store::Kind;
use std::collections::BTreeSet;

/// What Tab can do with a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset in the line where the word being completed starts (the line's length when
    /// the cursor follows a space). Always a `char` boundary.
    pub start: usize,
    /// Every full replacement for `line[start..]`, sorted and deduplicated. A candidate ending in
    /// `=` or `/` expects more text (a flag value, an object name).
    pub candidates: Vec<String>,
    /// What Tab inserts: `line[..start] + common` is the completed line. The longest common
    /// prefix of the candidates; with no candidates, the word as typed, so Tab changes nothing.
    pub common: String,
}

/// Completes the last word of `line`, as if the cursor were at its end.
pub fn complete(world: &World, line: &str) -> Completion {
    let Some((earlier, word)) = lex(line) else {
        // The cursor is inside a comment: nothing to complete.
        return unchanged(line, line.len());
    };
    if !word.plain {
        // Quoted or escaped: candidates are raw text, so leave quoting to the person.
        return unchanged(line, word.start);
    }
    let found = candidates(world, &earlier, &word.text);
    let set: BTreeSet<String> = found
        .into_iter()
        .filter(|c| c.starts_with(word.text.as_str()))
        .collect();
    let candidates: Vec<String> = set.into_iter().collect();
    let common = match candidates.as_slice() {
        [] => word.text.clone(),
        [first, rest @ ..] => rest
            .iter()
            .fold(first.clone(), |acc, c| common_prefix(&acc, c).to_string()),
    };
    Completion {
        start: word.start,
        candidates,
        common,
    }
}

fn unchanged(line: &str, start: usize) -> Completion {
    Completion {
        start,
        candidates: Vec::new(),
        common: line.get(start..).unwrap_or("").to_string(),
    }
}

/// The longest prefix of both, cut at a `char` boundary.
fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let end = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map(|((i, _), _)| i)
        .unwrap_or_else(|| a.len().min(b.len()));
    &a[..end]
}

/// One word of the line: where it starts, its text after unquoting, and whether it was typed
/// without quotes or escapes (only such a word is completed).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    start: usize,
    text: String,
    plain: bool,
}

impl Word {
    fn at(start: usize) -> Word {
        Word {
            start,
            text: String::new(),
            plain: true,
        }
    }
}

/// Splits a line as [`tokenize`](super::tokenize) does, keeping each word's offset. Returns the
/// finished words and the word under the cursor (empty after a separator), or `None` when the
/// cursor is inside a `#` comment. An unterminated quote is not an error here: it makes the
/// current word a quoted one.
fn lex(line: &str) -> Option<(Vec<String>, Word)> {
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if cur.is_none() => return None,
            ' ' | '\t' | '\r' | '\n' => {
                if let Some(w) = cur.take() {
                    words.push(w.text);
                }
            }
            '\'' | '"' => {
                let w = cur.get_or_insert_with(|| Word::at(i));
                w.plain = false;
                while let Some((_, ch)) = chars.next() {
                    match ch {
                        _ if ch == c => break,
                        '\\' if c == '"' => {
                            if let Some((_, e)) = chars.next() {
                                w.text.push(e);
                            }
                        }
                        _ => w.text.push(ch),
                    }
                }
            }
            '\\' => {
                let w = cur.get_or_insert_with(|| Word::at(i));
                w.plain = false;
                if let Some((_, ch)) = chars.next() {
                    w.text.push(ch);
                }
            }
            _ => cur.get_or_insert_with(|| Word::at(i)).text.push(c),
        }
    }
    Some((words, cur.unwrap_or_else(|| Word::at(line.len()))))
}

/// Every verb [`run`](super::run) dispatches on.
const VERBS: &[&str] = &[
    "annotate", "apply", "cordon", "create", "delete", "describe", "drain", "events", "exec",
    "get", "help", "label", "patch", "rollout", "run", "scale", "set", "sim", "taint", "uncordon",
    "version",
];

const ROLLOUT_SUBCOMMANDS: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];
const SIM_SUBCOMMANDS: &[&str] = &[
    "advance", "explain", "node", "settle", "step", "time", "why",
];
const SIM_NODE_SUBCOMMANDS: &[&str] = &["add", "fail", "recover"];

/// A stand-in for the word under the cursor while the earlier words are parsed: it cannot start
/// with `-`, so the parser takes it as a positional word unless a flag is waiting for a value.
const CURSOR: &str = "\u{1}cursor";

/// The raw candidates for `word` after `earlier` (filtered by prefix later).
fn candidates(world: &World, earlier: &[String], word: &str) -> Vec<String> {
    let prefixed = earlier.first().is_some_and(|w| w == "kubectl" || w == "k");
    let earlier = if prefixed { &earlier[1..] } else { earlier };
    let Some((verb, rest)) = earlier.split_first() else {
        let mut v = strings(VERBS);
        if !prefixed {
            v.push("kubectl".into());
        }
        return v;
    };
    let verb = verb.as_str();
    if verb == "exec" && rest.iter().any(|w| w == "--") {
        // exec passes everything after `--` to the container.
        return Vec::new();
    }
    let after_dashes = rest.iter().any(|w| w == "--");
    let mut before: Vec<String> = rest.to_vec();
    before.push(CURSOR.to_string());
    let Ok(args) = Args::parse(&before) else {
        return Vec::new();
    };
    let positional: Vec<&str> = args
        .positional
        .iter()
        .map(String::as_str)
        .take_while(|w| *w != CURSOR)
        .collect();
    let Some(flags) = verb_flags(verb, &positional) else {
        return Vec::new();
    };
    let ctx = Ctx {
        world,
        verb,
        args: &args,
    };
    if let Some((name, _)) = args.flags.iter().find(|(_, v)| v == CURSOR) {
        return flag_values(&ctx, name, "");
    }
    if word.starts_with('-') && !after_dashes {
        let Some((typed, _)) = word.split_once('=') else {
            return flag_names(flags, &args);
        };
        // `--output=ya`: the value, after the flag as typed.
        return match flags.iter().find(|f| {
            typed == format!("--{}", f.long)
                || (!f.short.is_empty() && typed == format!("-{}", f.short))
        }) {
            Some(f) if f.takes != Takes::Bool => flag_values(&ctx, f.long, &format!("{typed}=")),
            _ => Vec::new(),
        };
    }
    positional_candidates(&ctx, &positional, word)
}

/// What the positional completers need.
struct Ctx<'a> {
    world: &'a World,
    verb: &'a str,
    args: &'a Args,
}

impl Ctx<'_> {
    /// The namespace names are listed from: `-A` means every namespace.
    fn scope(&self) -> Option<String> {
        if self.args.bool("all-namespaces") {
            return None;
        }
        Some(
            self.args
                .flag("namespace")
                .filter(|n| *n != CURSOR)
                .unwrap_or("default")
                .to_string(),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    Bool,
    Value,
    /// A value flag that may be given again (`--label a=1 --label b=2`).
    Many,
    /// A flag without a value unless one is written after `=` (`--dry-run=client`).
    Inline,
}

/// A flag a verb reads, under the name [`Args::parse`] gives it.
#[derive(Debug, Clone, Copy)]
struct Flag {
    long: &'static str,
    short: &'static str,
    takes: Takes,
}

const fn flag(long: &'static str, short: &'static str, takes: Takes) -> Flag {
    Flag { long, short, takes }
}

const NS: Flag = flag("namespace", "n", Takes::Value);
const ALL_NS: Flag = flag("all-namespaces", "A", Takes::Bool);
const SELECTOR: Flag = flag("selector", "l", Takes::Value);
const FIELD_SELECTOR: Flag = flag("field-selector", "", Takes::Value);
const FILENAME: Flag = flag("filename", "f", Takes::Many);
const OUTPUT: Flag = flag("output", "o", Takes::Value);
const GRACE: Flag = flag("grace-period", "", Takes::Value);
const TIMEOUT: Flag = flag("timeout", "", Takes::Value);
const FORCE: Flag = flag("force", "", Takes::Bool);
const ALL: Flag = flag("all", "", Takes::Bool);
const OVERWRITE: Flag = flag("overwrite", "", Takes::Bool);
const IGNORE_NOT_FOUND: Flag = flag("ignore-not-found", "", Takes::Bool);
const PORT: Flag = flag("port", "", Takes::Value);
const IMAGE: Flag = flag("image", "", Takes::Many);
const REPLICAS: Flag = flag("replicas", "", Takes::Value);
const REVISION: Flag = flag("revision", "", Takes::Value);

const GET_FLAGS: &[Flag] = &[
    NS,
    ALL_NS,
    OUTPUT,
    SELECTOR,
    FIELD_SELECTOR,
    flag("show-labels", "", Takes::Bool),
    flag("no-headers", "", Takes::Bool),
    IGNORE_NOT_FOUND,
    flag("template", "", Takes::Value),
    flag("watch", "w", Takes::Bool),
    flag("watch-only", "", Takes::Bool),
    flag("request-timeout", "", Takes::Value),
];
const DESCRIBE_FLAGS: &[Flag] = &[NS, ALL_NS, SELECTOR, FIELD_SELECTOR];
const EVENTS_FLAGS: &[Flag] = &[NS, ALL_NS];
const APPLY_FLAGS: &[Flag] = &[FILENAME, NS];
const CREATE_FLAGS: &[Flag] = &[FILENAME, NS, IMAGE, REPLICAS, PORT];
const SCALE_FLAGS: &[Flag] = &[REPLICAS, NS];
const SET_FLAGS: &[Flag] = &[NS, flag("record", "", Takes::Bool)];
const PATCH_FLAGS: &[Flag] = &[
    flag("patch", "p", Takes::Value),
    flag("type", "", Takes::Value),
    NS,
];
// `--rm`, `-i`, `-t` and `--attach` parse, but `run` refuses them, so they are not offered.
const RUN_FLAGS: &[Flag] = &[
    IMAGE,
    flag("restart", "", Takes::Value),
    NS,
    flag("labels", "", Takes::Value),
    flag("command", "", Takes::Bool),
    PORT,
    flag("env", "", Takes::Many),
    flag("dry-run", "", Takes::Inline),
    OUTPUT,
];
const LABEL_FLAGS: &[Flag] = &[NS, SELECTOR, ALL, OVERWRITE];
const DELETE_FLAGS: &[Flag] = &[
    FILENAME,
    NS,
    SELECTOR,
    ALL,
    flag("cascade", "", Takes::Value),
    GRACE,
    FORCE,
    flag("now", "", Takes::Bool),
    IGNORE_NOT_FOUND,
];
const TAINT_FLAGS: &[Flag] = &[ALL, OVERWRITE, SELECTOR];
const DRAIN_FLAGS: &[Flag] = &[
    flag("ignore-daemonsets", "", Takes::Bool),
    flag("delete-emptydir-data", "", Takes::Bool),
    FORCE,
    GRACE,
    TIMEOUT,
    flag("disable-eviction", "", Takes::Bool),
    flag("pod-selector", "", Takes::Value),
];
const EXEC_FLAGS: &[Flag] = &[
    NS,
    flag("container", "c", Takes::Value),
    flag("stdin", "i", Takes::Bool),
    flag("tty", "t", Takes::Bool),
];
const ROLLOUT_STATUS_FLAGS: &[Flag] = &[NS, flag("watch", "w", Takes::Bool), TIMEOUT, REVISION];
const ROLLOUT_HISTORY_FLAGS: &[Flag] = &[NS, REVISION];
const ROLLOUT_UNDO_FLAGS: &[Flag] = &[NS, flag("to-revision", "", Takes::Value)];
const NS_ONLY: &[Flag] = &[NS];
const SIM_SETTLE_FLAGS: &[Flag] = &[flag("limit", "", Takes::Value)];
const SIM_NODE_ADD_FLAGS: &[Flag] = &[
    flag("cpu", "", Takes::Value),
    flag("memory", "", Takes::Value),
    flag("pods", "", Takes::Value),
    flag("label", "", Takes::Many),
    flag("taint", "", Takes::Many),
];

/// The flags `verb` reads, given its positional words so far (rollout and sim read different
/// flags per subcommand); `None` for an unknown verb.
fn verb_flags(verb: &str, sub: &[&str]) -> Option<&'static [Flag]> {
    Some(match verb {
        "get" => GET_FLAGS,
        "describe" => DESCRIBE_FLAGS,
        "events" => EVENTS_FLAGS,
        "apply" => APPLY_FLAGS,
        "create" => CREATE_FLAGS,
        "scale" => SCALE_FLAGS,
        "set" => SET_FLAGS,
        "patch" => PATCH_FLAGS,
        "run" => RUN_FLAGS,
        "label" | "annotate" => LABEL_FLAGS,
        "delete" => DELETE_FLAGS,
        "taint" => TAINT_FLAGS,
        "drain" => DRAIN_FLAGS,
        "exec" => EXEC_FLAGS,
        "cordon" | "uncordon" | "version" | "help" => &[],
        "rollout" => match sub.first() {
            Some(&"status") => ROLLOUT_STATUS_FLAGS,
            Some(&"history") => ROLLOUT_HISTORY_FLAGS,
            Some(&"undo") => ROLLOUT_UNDO_FLAGS,
            _ => NS_ONLY,
        },
        "sim" => match sub {
            ["settle", ..] => SIM_SETTLE_FLAGS,
            ["why" | "explain", ..] => NS_ONLY,
            ["node", "add", ..] => SIM_NODE_ADD_FLAGS,
            _ => &[],
        },
        _ => return None,
    })
}

/// `--long` (with `=` when it takes a value) and `-s` for every flag not given yet.
fn flag_names(flags: &[Flag], args: &Args) -> Vec<String> {
    let mut out = Vec::new();
    for f in flags {
        if f.takes != Takes::Many && args.flags.iter().any(|(n, _)| n == f.long) {
            continue;
        }
        let eq = if f.takes == Takes::Bool { "" } else { "=" };
        out.push(format!("--{}{eq}", f.long));
        if !f.short.is_empty() {
            out.push(format!("-{}", f.short));
        }
    }
    out
}

/// Values for the flag `name`, each after `prefix` (`--output=` when typed inline).
fn flag_values(ctx: &Ctx, name: &str, prefix: &str) -> Vec<String> {
    let values: Vec<String> = match name {
        "namespace" => names(ctx.world, ResType::Sim(Kind::Namespace), None),
        "output" if ctx.verb == "run" => strings(&["json", "yaml"]),
        "output" => strings(&["go-template=", "json", "jsonpath=", "name", "wide", "yaml"]),
        "cascade" => strings(&["background", "foreground", "orphan"]),
        "type" => strings(&["json", "merge", "strategic"]),
        "restart" => strings(&["Always", "Never", "OnFailure"]),
        "dry-run" => strings(&["client", "none", "server"]),
        "container" => containers(ctx),
        _ => Vec::new(),
    };
    values.into_iter().map(|v| format!("{prefix}{v}")).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The containers of the pod `exec` names.
fn containers(ctx: &Ctx) -> Vec<String> {
    let Some(target) = ctx.args.positional.first().filter(|p| *p != CURSOR) else {
        return Vec::new();
    };
    let name = target.split_once('/').map_or(target.as_str(), |(_, n)| n);
    let ns = ctx.scope().unwrap_or_else(|| "default".into());
    match find(ctx.world, ResType::Sim(Kind::Pod), &ns, name) {
        Some(Item::Pod(p)) => p
            .spec
            .map(|s| s.containers.into_iter().map(|c| c.name).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Which resource types a position accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Types {
    /// Everything `get` can list, simulated or only stored.
    Any,
    /// Simulated kinds whose objects can be written (patch).
    Writable,
    Only(&'static [Kind]),
}

const ROLLOUT_KINDS: &[Kind] = &[Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet];
const SCALE_KINDS: &[Kind] = &[Kind::Deployment, Kind::ReplicaSet, Kind::StatefulSet];
const WHY_KINDS: &[Kind] = &[
    Kind::Pod,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::Node,
    Kind::PersistentVolumeClaim,
];
const POD_KINDS: &[Kind] = &[Kind::Pod];

impl Types {
    fn accepts(self, t: ResType) -> bool {
        match (self, t) {
            (Types::Any, _) => true,
            (Types::Writable, ResType::Sim(k)) => k != Kind::Event,
            (Types::Writable, ResType::Other(..)) => false,
            (Types::Only(kinds), ResType::Sim(k)) => kinds.contains(&k),
            (Types::Only(_), ResType::Other(..)) => false,
        }
    }
}

/// The names `resolve_type` accepts for each simulated kind, as a person types them: plural,
/// singular and short names (the `.group` spellings are left out to keep the list readable).
const SIM_TYPE_NAMES: &[(Kind, &[&str])] = &[
    (Kind::Namespace, &["namespaces", "namespace", "ns"]),
    (Kind::Node, &["nodes", "node", "no"]),
    (Kind::Pod, &["pods", "pod", "po"]),
    (Kind::ReplicaSet, &["replicasets", "replicaset", "rs"]),
    (Kind::Deployment, &["deployments", "deployment", "deploy"]),
    (Kind::Event, &["events", "event", "ev"]),
    (
        Kind::StorageClass,
        &["storageclasses", "storageclass", "sc"],
    ),
    (
        Kind::PersistentVolume,
        &["persistentvolumes", "persistentvolume", "pv"],
    ),
    (
        Kind::PersistentVolumeClaim,
        &["persistentvolumeclaims", "persistentvolumeclaim", "pvc"],
    ),
    (Kind::Service, &["services", "service", "svc"]),
    (Kind::Endpoints, &["endpoints", "ep"]),
    (Kind::EndpointSlice, &["endpointslices", "endpointslice"]),
    (Kind::StatefulSet, &["statefulsets", "statefulset", "sts"]),
    (
        Kind::ControllerRevision,
        &["controllerrevisions", "controllerrevision"],
    ),
    (
        Kind::PodDisruptionBudget,
        &["poddisruptionbudgets", "poddisruptionbudget", "pdb"],
    ),
    (Kind::DaemonSet, &["daemonsets", "daemonset", "ds"]),
];

/// Every type word `types` accepts.
fn type_words(types: Types) -> Vec<String> {
    let sim = SIM_TYPE_NAMES
        .iter()
        .filter(|(k, _)| types.accepts(ResType::Sim(*k)))
        .flat_map(|(_, names)| names.iter());
    let other = OTHER_TYPES
        .iter()
        .filter(|(k, p, _)| types.accepts(ResType::Other(k, p)))
        .flat_map(|(_, plural, aliases)| std::iter::once(plural).chain(aliases.iter()));
    sim.chain(other).map(|s| s.to_string()).collect()
}

/// The singular name `TYPE/NAME` candidates use for a kind.
fn singular(kind: Kind) -> &'static str {
    SIM_TYPE_NAMES
        .iter()
        .find(|(k, _)| *k == kind)
        .and_then(|(_, names)| names.get(1).or(names.first()))
        .copied()
        .unwrap_or("")
}

/// Names of the objects of type `t` in scope (`None`: every namespace), in name order.
fn names(world: &World, t: ResType, scope: Option<&str>) -> Vec<String> {
    list(world, t, scope)
        .iter()
        .filter_map(|i| i.meta().name)
        .collect()
}

/// Candidates for the word at positional index `positional.len()`.
fn positional_candidates(ctx: &Ctx, positional: &[&str], word: &str) -> Vec<String> {
    let at = positional.len();
    match (ctx.verb, at) {
        ("get", _) => resources(ctx, positional, word, Types::Any, true),
        ("describe" | "delete" | "label" | "annotate", _) => {
            resources(ctx, positional, word, Types::Any, false)
        }
        ("patch", 0 | 1) => resources(ctx, positional, word, Types::Writable, false),
        ("scale", 0 | 1) => single(ctx, positional, word, SCALE_KINDS),
        ("create", 0) => strings(&["deploy", "deployment"]),
        ("exec", 0) => single(ctx, positional, word, POD_KINDS)
            .into_iter()
            .chain(names(
                ctx.world,
                ResType::Sim(Kind::Pod),
                ctx.scope().as_deref(),
            ))
            .collect(),
        ("cordon" | "uncordon" | "drain", 0) => nodes(ctx.world, word),
        ("taint", 0) => strings(&["node", "nodes"]),
        ("taint", _) if !positional.iter().skip(1).any(|w| is_taint_spec(w)) => {
            unlisted(names(ctx.world, ResType::Sim(Kind::Node), None), positional)
        }
        ("rollout", 0) => strings(ROLLOUT_SUBCOMMANDS),
        ("rollout", 1 | 2) if ROLLOUT_SUBCOMMANDS.contains(&positional[0]) => {
            single(ctx, &positional[1..], word, ROLLOUT_KINDS)
        }
        ("set", 0) => strings(&["image"]),
        ("set", 1 | 2) if positional[0] == "image" => {
            single(ctx, &positional[1..], word, ROLLOUT_KINDS)
        }
        ("sim", _) => sim(ctx, positional, word),
        _ => Vec::new(),
    }
}

/// A `taint` word that is a change (`key=value:Effect`, `key:Effect`, `key-`), as `taint`
/// tells them from node names.
fn is_taint_spec(w: &str) -> bool {
    w.contains('=') || w.contains(':') || w.ends_with('-')
}

/// Names not already on the line.
fn unlisted(names: Vec<String>, positional: &[&str]) -> Vec<String> {
    names
        .into_iter()
        .filter(|n| !positional.contains(&n.as_str()))
        .collect()
}

/// Node names, or `node/NAME` when the word starts that way (cordon and drain accept both).
fn nodes(world: &World, word: &str) -> Vec<String> {
    let all = names(world, ResType::Sim(Kind::Node), None);
    match word.split_once('/') {
        Some((t @ ("node" | "nodes"), _)) => all.iter().map(|n| format!("{t}/{n}")).collect(),
        _ => all,
    }
}

/// `TYPE/NAME` for the typed type, when it is one `types` accepts.
fn type_slash_name(ctx: &Ctx, word: &str, types: Types) -> Vec<String> {
    let Some((t, _)) = word.split_once('/') else {
        return Vec::new();
    };
    match resolve_type(t) {
        Some(rt) if types.accepts(rt) => names(ctx.world, rt, ctx.scope().as_deref())
            .into_iter()
            .map(|n| format!("{t}/{n}"))
            .collect(),
        _ => Vec::new(),
    }
}

/// Verbs taking `TYPE[,TYPE] NAME...` or `TYPE/NAME...` (get, describe, delete, label, patch).
fn resources(ctx: &Ctx, positional: &[&str], word: &str, types: Types, all: bool) -> Vec<String> {
    if word.contains('/') {
        if positional.iter().all(|p| p.contains('/')) {
            return type_slash_name(ctx, word, types);
        }
        return Vec::new();
    }
    match positional.first() {
        None => {
            // `pods,svc`: complete the last type of a comma list.
            let (done, _) = word.rsplit_once(',').unwrap_or(("", word));
            let lead = if word.contains(',') {
                format!("{done},")
            } else {
                String::new()
            };
            let mut words = type_words(types);
            if all && lead.is_empty() {
                words.push("all".into());
            }
            words.into_iter().map(|w| format!("{lead}{w}")).collect()
        }
        Some(first) if first.contains('/') || first.contains(',') => Vec::new(),
        Some(first) => match resolve_type(first) {
            Some(rt) if types.accepts(rt) => unlisted(
                names(ctx.world, rt, ctx.scope().as_deref()),
                &positional[1..],
            ),
            _ => Vec::new(),
        },
    }
}

/// Verbs naming one object, written `TYPE/NAME` (offered for every existing object of the kinds)
/// or `TYPE NAME` (names once the type is typed).
fn single(ctx: &Ctx, positional: &[&str], word: &str, kinds: &'static [Kind]) -> Vec<String> {
    let types = Types::Only(kinds);
    match positional {
        [] if word.contains('/') => type_slash_name(ctx, word, types),
        [] => kinds
            .iter()
            .flat_map(|k| {
                names(ctx.world, ResType::Sim(*k), ctx.scope().as_deref())
                    .into_iter()
                    .map(move |n| format!("{}/{n}", singular(*k)))
            })
            .collect(),
        [t] if !t.contains('/') => match resolve_type(t) {
            Some(rt) if types.accepts(rt) => names(ctx.world, rt, ctx.scope().as_deref()),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `sim` subcommands and their objects.
fn sim(ctx: &Ctx, positional: &[&str], word: &str) -> Vec<String> {
    match positional {
        [] => strings(SIM_SUBCOMMANDS),
        ["node"] => strings(SIM_NODE_SUBCOMMANDS),
        ["node", verb @ ("fail" | "recover")] => {
            // Only nodes it would change: running ones fail, failed ones recover.
            let failing = *verb == "fail";
            names(ctx.world, ResType::Sim(Kind::Node), None)
                .into_iter()
                .filter(|n| ctx.world.kubelet_stopped_since(n).is_none() == failing)
                .collect()
        }
        ["why" | "explain"] if word.contains('/') => {
            type_slash_name(ctx, word, Types::Only(WHY_KINDS))
        }
        ["why" | "explain"] => type_words(Types::Only(WHY_KINDS))
            .into_iter()
            .map(|t| format!("{t}/"))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::{run, NoFiles};
    use crate::manifest;
    use crate::time::Dur;

    const NGINX: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  replicas: 2
  selector:
    matchLabels: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
";

    fn world() -> World {
        let mut w = World::new(1);
        manifest::apply(&mut w, NGINX).expect("valid manifest");
        assert!(w.settle(Dur::mins(5)).settled);
        w
    }

    fn cands(w: &World, line: &str) -> Vec<String> {
        complete(w, line).candidates
    }

    fn pod_names(w: &World) -> Vec<String> {
        names(w, ResType::Sim(Kind::Pod), Some("default"))
    }

    #[test]
    fn completes_verbs_and_the_optional_kubectl() {
        let w = world();
        let c = complete(&w, "ge");
        assert_eq!(
            (c.start, c.candidates, c.common),
            (0, vec!["get".into()], "get".into())
        );
        assert_eq!(cands(&w, "kubectl ro"), vec!["rollout"]);
        assert_eq!(cands(&w, "ku"), vec!["kubectl"]);
        assert_eq!(cands(&w, "kubectl ku"), Vec::<String>::new());
        assert_eq!(complete(&w, "c").common, "c");
        assert_eq!(cands(&w, "c"), vec!["cordon", "create"]);
    }

    #[test]
    fn every_offered_verb_is_one_run_knows() {
        for verb in VERBS {
            let mut w = World::new(1);
            let out = run(&mut w, verb, &NoFiles);
            assert!(!out.stderr.contains("unknown command"), "{verb}: {out:?}");
        }
    }

    #[test]
    fn completes_resource_types_with_short_names() {
        let w = world();
        let c = cands(&w, "get po");
        for t in ["po", "pod", "pods", "poddisruptionbudget", "pdb"] {
            assert_eq!(c.contains(&t.to_string()), t != "pdb", "{t} in {c:?}");
        }
        assert_eq!(complete(&w, "get dep").common, "deploy");
        assert_eq!(cands(&w, "get pods,sv"), vec!["pods,svc"]);
        assert!(cands(&w, "get al").contains(&"all".to_string()));
        assert!(cands(&w, "get configm").contains(&"configmaps".to_string()));
        assert_eq!(cands(&w, "scale d"), vec!["deployment/nginx"]);
    }

    #[test]
    fn every_type_word_resolves_to_its_kind() {
        for (kind, words) in SIM_TYPE_NAMES {
            for w in *words {
                assert_eq!(resolve_type(w), Some(ResType::Sim(*kind)), "{w}");
            }
        }
        assert_eq!(SIM_TYPE_NAMES.len(), Kind::ALL.len());
    }

    #[test]
    fn completes_object_names_from_the_store() {
        let w = world();
        let pods = pod_names(&w);
        assert_eq!(pods.len(), 2);
        assert_eq!(cands(&w, "get pods ng"), pods);
        assert_eq!(cands(&w, "describe po "), pods);
        // Names already on the line are not offered again.
        assert_eq!(
            cands(&w, &format!("get pods {} ", pods[0])),
            vec![pods[1].clone()]
        );
        assert_eq!(cands(&w, "get deployment/ng"), vec!["deployment/nginx"]);
        assert_eq!(cands(&w, "delete deploy/"), vec!["deploy/nginx"]);
        assert_eq!(cands(&w, "get sc "), vec!["standard"]);
        assert_eq!(complete(&w, "get pods ng").start, 9);
    }

    #[test]
    fn names_follow_the_namespace_flags() {
        let w = world();
        assert!(cands(&w, "get pods -n kube-system ng").is_empty());
        assert_eq!(cands(&w, "get pods -A ng"), pod_names(&w));
        assert_eq!(cands(&w, "get pods --all-namespaces ng"), pod_names(&w));
        assert_eq!(
            cands(&w, "get pods -n kube-"),
            vec!["kube-node-lease", "kube-public", "kube-system"]
        );
        assert_eq!(
            cands(&w, "get pods --namespace=kube-s"),
            vec!["--namespace=kube-system"]
        );
        assert!(cands(&w, "rollout status -n kube-system d").is_empty());
    }

    #[test]
    fn completes_rollout_subcommands_and_targets() {
        let w = world();
        assert_eq!(cands(&w, "rollout re"), vec!["restart", "resume"]);
        assert_eq!(
            cands(&w, "rollout undo deployment/"),
            vec!["deployment/nginx"]
        );
        assert_eq!(cands(&w, "rollout status "), vec!["deployment/nginx"]);
        assert_eq!(cands(&w, "rollout history deploy ng"), vec!["nginx"]);
        assert!(cands(&w, "rollout history pod/").is_empty());
        assert_eq!(cands(&w, "set image dep"), vec!["deployment/nginx"]);
    }

    #[test]
    fn completes_node_names_for_node_verbs() {
        let w = world();
        let workers = vec!["worker-1".to_string(), "worker-2".to_string()];
        assert_eq!(cands(&w, "cordon w"), workers);
        assert_eq!(cands(&w, "drain node/c"), vec!["node/control-plane"]);
        assert_eq!(cands(&w, "taint no"), vec!["node", "nodes"]);
        assert_eq!(cands(&w, "taint nodes worker-1 w"), vec!["worker-2"]);
        assert!(cands(&w, "taint nodes worker-1 k=v:NoSchedule w").is_empty());
        assert_eq!(cands(&w, "label nodes w"), workers);
        assert_eq!(cands(&w, "sim node fail w"), workers);
        assert!(cands(&w, "sim node recover w").is_empty());
    }

    #[test]
    fn completes_sim_subcommands() {
        let w = world();
        assert_eq!(cands(&w, "sim s"), vec!["settle", "step"]);
        assert_eq!(cands(&w, "sim node "), vec!["add", "fail", "recover"]);
        assert_eq!(cands(&w, "sim why deployment/"), vec!["deployment/nginx"]);
        assert!(cands(&w, "sim why p").contains(&"pvc/".to_string()));
        assert_eq!(cands(&w, "sim settle --"), vec!["--limit="]);
    }

    #[test]
    fn offers_only_the_flags_a_verb_reads() {
        let w = world();
        let get = cands(&w, "get pods --");
        assert!(get.contains(&"--output=".to_string()));
        assert!(get.contains(&"--show-labels".to_string()));
        assert!(!get.contains(&"--replicas=".to_string()));
        assert_eq!(cands(&w, "get pods -o wide --o"), Vec::<String>::new());
        assert_eq!(
            cands(&w, "drain worker-1 --ig"),
            vec!["--ignore-daemonsets"]
        );
        assert_eq!(
            cands(&w, "scale deployment/nginx --"),
            vec!["--namespace=", "--replicas="]
        );
        assert_eq!(cands(&w, "get pods -o y"), vec!["yaml"]);
        assert_eq!(cands(&w, "get pods --no"), vec!["--no-headers"]);
        assert_eq!(
            cands(&w, "delete pods --cascade=o"),
            vec!["--cascade=orphan"]
        );
        assert_eq!(cands(&w, "exec -c "), Vec::<String>::new());
        let pod = &pod_names(&w)[0];
        assert_eq!(cands(&w, &format!("exec {pod} -c ")), vec!["nginx"]);
        assert!(cands(&w, &format!("exec {pod} -- ls -")).is_empty());
        assert!(cands(&w, "cordon --").is_empty());
    }

    #[test]
    fn every_flag_parses_as_declared() {
        let tables = [
            GET_FLAGS,
            DESCRIBE_FLAGS,
            EVENTS_FLAGS,
            APPLY_FLAGS,
            CREATE_FLAGS,
            SCALE_FLAGS,
            SET_FLAGS,
            PATCH_FLAGS,
            RUN_FLAGS,
            LABEL_FLAGS,
            DELETE_FLAGS,
            TAINT_FLAGS,
            DRAIN_FLAGS,
            EXEC_FLAGS,
            ROLLOUT_STATUS_FLAGS,
            ROLLOUT_HISTORY_FLAGS,
            ROLLOUT_UNDO_FLAGS,
            SIM_SETTLE_FLAGS,
            SIM_NODE_ADD_FLAGS,
        ];
        for f in tables.iter().flat_map(|t| t.iter()) {
            let mut spellings = vec![format!("--{}", f.long)];
            if !f.short.is_empty() {
                spellings.push(format!("-{}", f.short));
            }
            for s in spellings {
                let a = Args::parse(&[s.clone(), "x".into()]).expect("known flag");
                assert_eq!(a.flags[0].0, f.long, "{s}");
                let consumes = matches!(f.takes, Takes::Value | Takes::Many);
                assert_eq!(a.positional.is_empty(), consumes, "{s}");
            }
        }
    }

    #[test]
    fn unknown_verbs_quotes_and_comments_have_no_candidates() {
        let w = world();
        assert!(cands(&w, "frobnicate po").is_empty());
        assert!(cands(&w, "get pods 'ng").is_empty());
        assert!(cands(&w, "get pods # ng").is_empty());
        assert!(cands(&w, "get pods --bogus ng").is_empty());
        let c = complete(&w, "get pods \"ng");
        assert_eq!((c.start, c.common.as_str()), (9, "\"ng"));
    }

    #[test]
    fn never_panics_and_tab_only_extends_the_word() {
        let w = world();
        let lines = [
            "",
            " ",
            "\t",
            "é",
            "get pods é",
            "日本語 ",
            "get 日本",
            "get pods -n 日本 ",
            "kubectl",
            "kubectl ",
            "k",
            "-",
            "--",
            "get -",
            "get --=",
            "get -=x",
            "'",
            "\"\\",
            "\\",
            "get pods \\",
            "rollout",
            "rollout undo /",
            "sim why /",
            "set image ",
            "exec --",
            "get ,",
            "get ,,p",
            "taint -",
            "sim node add x --",
            "get pods -o=",
            "label pods a=b ",
            "get pods -- -",
            "run x --image=nginx --restart=N",
        ];
        for line in lines {
            let c = complete(&w, line);
            assert!(line.is_char_boundary(c.start), "{line:?}");
            let typed = &line[c.start..];
            assert!(c.common.starts_with(typed), "{line:?}: {c:?}");
            assert!(
                c.candidates.iter().all(|x| x.starts_with(&c.common)),
                "{line:?}"
            );
            assert!(c.candidates.windows(2).all(|p| p[0] < p[1]), "{line:?}");
        }
        // Every prefix of some real and some broken lines, as they are typed.
        let typed = [
            "kubectl get pods -n kube-system -o wide --show-labels",
            "rollout undo deployment/nginx --to-revision=1",
            "exec -it nginx-x -c nginx -- sh -c 'echo \"é\"' # ok",
            "sim node add worker-3 --cpu=2 --label=zone=日本 --taint=a=b:NoSchedule",
            "taint nodes worker-1 dedicated=db:NoSchedule --overwrite",
            "delete pods,svc -l app=nginx --cascade=orphan --grace-period=0 --force",
            "get\t'po\\\"ds é",
        ];
        for line in typed {
            for (i, _) in line.char_indices().chain([(line.len(), ' ')]) {
                let c = complete(&w, &line[..i]);
                assert!(c.common.starts_with(&line[c.start..i]), "{:?}", &line[..i]);
            }
        }
        assert_eq!(
            cands(&w, "run x --image=nginx --restart=N"),
            vec!["--restart=Never"]
        );
        assert_eq!(complete(&w, "").candidates.len(), VERBS.len() + 1);
    }
}
