//! What the page's address asks for: embed mode and its panels, read-only, playing, a lesson
//! to start, an example to apply. Documented for authors in `docs/embed.md`.
//!
//! Parsing is pure, so it is tested natively; [`from_location`] only reads the address.

use kubeplay_core::templates;

/// The panels a page can show.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Panels {
    pub editor: bool,
    pub workloads: bool,
    pub cluster: bool,
    pub console: bool,
    pub lesson: bool,
    pub timeline: bool,
}

impl Panels {
    const NAMES: [&'static str; 6] = [
        "editor",
        "workloads",
        "cluster",
        "console",
        "lesson",
        "timeline",
    ];

    fn all() -> Panels {
        Panels {
            editor: true,
            workloads: true,
            cluster: true,
            console: true,
            lesson: true,
            timeline: true,
        }
    }

    fn none() -> Panels {
        Panels {
            editor: false,
            workloads: false,
            cluster: false,
            console: false,
            lesson: false,
            timeline: false,
        }
    }

    fn set(&mut self, name: &str) -> bool {
        let slot = match name {
            "editor" => &mut self.editor,
            "workloads" => &mut self.workloads,
            "cluster" | "picture" => &mut self.cluster,
            "console" => &mut self.console,
            "lesson" => &mut self.lesson,
            "timeline" => &mut self.timeline,
            _ => return false,
        };
        *slot = true;
        true
    }
}

/// What the address asks for.
#[derive(Clone, PartialEq, Debug)]
pub struct PageOptions {
    /// Minimal chrome for an iframe; no autosave (an embed must not overwrite the reader's
    /// own session).
    pub embed: bool,
    pub panels: Panels,
    /// Nothing may change the cluster; time controls still work.
    pub read_only: bool,
    /// Start playing rather than paused.
    pub play: bool,
    /// A built-in lesson to start.
    pub lesson: Option<String>,
    /// A lesson file to fetch, relative to the page (same origin only).
    pub lesson_url: Option<String>,
    /// A template (see the editor's Templates) to apply at the start.
    pub example: Option<String>,
    /// What in the address could not be used, for the status line.
    pub problems: Vec<String>,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            embed: false,
            panels: Panels::all(),
            read_only: false,
            play: false,
            lesson: None,
            lesson_url: None,
            example: None,
            problems: Vec::new(),
        }
    }
}

/// Decodes `%XX` and `+` in a query value; malformed escapes are kept as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn truthy(v: &str) -> Option<bool> {
    match v {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Whether a lesson address stays on the page's own origin: a relative path, no scheme, no
/// `//host`, no backslashes.
pub fn same_origin_path(url: &str) -> bool {
    let u = url.trim();
    !u.is_empty()
        && !u.starts_with("//")
        && !u.contains('\\')
        && !u.chars().any(char::is_control)
        && !u.split(['/', '?', '#']).next().unwrap_or("").contains(':')
}

/// Reads a query string (`?embed=1&panels=cluster,lesson`, with or without the `?`).
pub fn parse(query: &str) -> PageOptions {
    let mut o = PageOptions::default();
    let mut panels: Option<Panels> = None;
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(key), percent_decode(value));
        let flag =
            |o: &mut PageOptions, slot: fn(&mut PageOptions) -> &mut bool| match truthy(&value) {
                Some(b) => *slot(o) = b,
                None => o.problems.push(format!("{key}={value}: expected 1 or 0")),
            };
        match key.as_str() {
            "embed" => flag(&mut o, |o| &mut o.embed),
            "readonly" | "read-only" => flag(&mut o, |o| &mut o.read_only),
            "play" => flag(&mut o, |o| &mut o.play),
            "paused" => match truthy(&value) {
                Some(b) => o.play = !b,
                None => o.problems.push(format!("paused={value}: expected 1 or 0")),
            },
            "panels" => {
                let mut p = Panels::none();
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if !p.set(name) {
                        o.problems.push(format!(
                            "unknown panel {name:?} (panels: {})",
                            Panels::NAMES.join(", ")
                        ));
                    }
                }
                panels = Some(p);
            }
            "lesson" => o.lesson = Some(value),
            "lesson-url" => {
                if same_origin_path(&value) {
                    o.lesson_url = Some(value);
                } else {
                    o.problems.push(format!(
                        "lesson-url {value:?} refused: only a path on this site is loaded"
                    ));
                }
            }
            "example" => {
                if templates::find(&value).is_some() {
                    o.example = Some(value);
                } else {
                    let ids: Vec<&str> = templates::TEMPLATES.iter().map(|t| t.id).collect();
                    o.problems.push(format!(
                        "unknown example {value:?} (examples: {})",
                        ids.join(", ")
                    ));
                }
            }
            _ => o.problems.push(format!("unknown parameter {key:?}")),
        }
    }
    o.panels = match panels {
        Some(p) => p,
        // An embed shows the cluster and, with a lesson, the lesson; the page shows all.
        None if o.embed => Panels {
            cluster: true,
            timeline: true,
            lesson: o.lesson.is_some() || o.lesson_url.is_some(),
            ..Panels::none()
        },
        None => Panels::all(),
    };
    o
}

/// The options in the page's address.
pub fn from_location() -> PageOptions {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse(&search)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_page_shows_everything() {
        let o = parse("");
        assert!(!o.embed && !o.read_only && !o.play);
        assert_eq!(o.panels, Panels::all());
        assert!(o.problems.is_empty());
    }

    #[test]
    fn embed_defaults_to_the_cluster_and_the_lesson() {
        let o = parse("?embed=1&lesson=daemonsets");
        assert!(o.embed);
        assert_eq!(o.lesson.as_deref(), Some("daemonsets"));
        assert!(o.panels.cluster && o.panels.lesson && o.panels.timeline);
        assert!(!o.panels.editor && !o.panels.console && !o.panels.workloads);
        let o = parse("embed");
        assert!(o.embed && !o.panels.lesson);
    }

    #[test]
    fn panels_flags_and_examples_are_read() {
        let o = parse(
            "embed=true&panels=cluster%2Cconsole,+editor&readonly=1&paused=0&example=statefulset",
        );
        assert!(o.panels.cluster && o.panels.console && o.panels.editor);
        assert!(!o.panels.lesson && !o.panels.timeline);
        assert!(o.read_only && o.play);
        assert_eq!(o.example.as_deref(), Some("statefulset"));
        assert!(o.problems.is_empty(), "{:?}", o.problems);
    }

    #[test]
    fn what_cannot_be_used_is_reported_not_fatal() {
        let o = parse("panels=cluster,sidebar&play=maybe&example=nope&colour=red&lesson-url=https://evil.example/x.yaml");
        assert_eq!(o.problems.len(), 5, "{:?}", o.problems);
        assert!(o.panels.cluster && !o.panels.editor);
        assert!(o.lesson_url.is_none());
    }

    #[test]
    fn lesson_urls_stay_on_this_site() {
        for ok in [
            "lessons/mine.yaml",
            "./x.yaml",
            "../course/a.yaml",
            "/lessons/a.yaml",
            "a.yaml?v=2:3",
        ] {
            assert!(same_origin_path(ok), "{ok}");
        }
        for bad in [
            "https://x/a.yaml",
            "//x/a.yaml",
            "javascript:alert(1)",
            "data:text/plain,x",
            "\\\\x\\a",
            "",
            " http:x",
        ] {
            assert!(!same_origin_path(bad), "{bad}");
        }
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_survive() {
        assert_eq!(percent_decode("a%2Cb+c"), "a,b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%BC"), "ü");
    }
}
