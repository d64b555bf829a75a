//! Browser end-to-end tests of the built page.
//!
//! Each test serves `dist/` (or `$KUBEPLAY_DIST`) from a std-only server, starts chromedriver
//! and headless Chromium, and uses the page as a person would: paste or type a manifest, press
//! Apply, move simulated time with the page's own buttons, read the picture and the console.
//! Screenshots go to `target/screenshots/`.
//!
//! Without a build the browser tests are skipped with a note, unless `CI` is set or
//! `KUBEPLAY_E2E=1`, when a missing build fails them. `KUBEPLAY_E2E=0` always skips them
//! (scripts/test.sh uses it for the native step, before the page is built).

#[path = "e2e/bench.rs"]
mod bench;
#[path = "e2e/browser.rs"]
mod browser;
#[path = "e2e/inspect.rs"]
mod inspect;
#[path = "e2e/lessons.rs"]
mod lessons;
#[path = "e2e/nodes.rs"]
mod nodes;
#[path = "e2e/reliability.rs"]
mod reliability;
#[path = "e2e/static_server.rs"]
mod static_server;
#[path = "e2e/timeline.rs"]
mod timeline;
#[path = "e2e/workloads.rs"]
mod workloads;

use std::path::{Path, PathBuf};

use browser::{
    click, script, tap, text_of, wait_for, Driver, Result, TempDir, DOM_TIMEOUT, LOAD_TIMEOUT,
};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use static_server::StaticServer;

/// A Deployment of three nginx pods, as a person would paste it.
const HELLO: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 3
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests:
              cpu: 100m
              memory: 32Mi
";

/// A manifest whose only fault is `replicas` on line 6: a string where a number belongs.
const BAD_REPLICAS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  replicas: three
  selector:
    matchLabels:
      app: broken
  template:
    metadata:
      labels:
        app: broken
    spec:
      containers:
        - name: web
          image: nginx:1.27
";
const BAD_LINE: usize = 6;

/// Four workloads: one healthy, one with a tag that does not exist, one whose container exits
/// at once, and one asking for more CPU than any node has.
const TROUBLE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: { cpu: 250m, memory: 64Mi }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: typo
spec:
  replicas: 2
  selector:
    matchLabels: { app: typo }
  template:
    metadata:
      labels: { app: typo }
    spec:
      containers:
        - name: web
          image: nginx:1.161
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: crasher
spec:
  replicas: 1
  selector:
    matchLabels: { app: crasher }
  template:
    metadata:
      labels: { app: crasher }
    spec:
      containers:
        - name: main
          image: busybox:1.36
          command: [sh, -c, exit 1]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: huge
spec:
  replicas: 2
  selector:
    matchLabels: { app: huge }
  template:
    metadata:
      labels: { app: huge }
    spec:
      containers:
        - name: main
          image: nginx:1.27
          resources:
            requests: { cpu: \"64\" }
";

// One browser at a time: two cores are not enough for several Chromiums and a fair timeout.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the environment asks for when the build or the browser is missing.
fn e2e_required() -> Option<bool> {
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match set("KUBEPLAY_E2E").as_deref() {
        Some("0") | Some("false") | Some("skip") => None,
        Some(_) => Some(true),
        None => Some(set("CI").is_some_and(|v| v != "0" && v != "false")),
    }
}

fn dist_dir() -> PathBuf {
    std::env::var_os("KUBEPLAY_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| kubeplay_tests::repo_root().join("dist"))
}

fn screenshot_dir() -> PathBuf {
    kubeplay_tests::repo_root()
        .join("target")
        .join("screenshots")
}

fn tool(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// The page, served and open in a fresh headless browser.
struct Page {
    client: Client,
    base: String,
    _server: StaticServer,
    _driver: Driver,
    _profile: TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Page {
    /// Opens the page, or returns `None` (after printing why) when the test should be skipped.
    async fn open(test: &str, width: u32, height: u32) -> Option<Page> {
        Page::open_as(test, width, height, false).await
    }

    /// Opens the page as a touch tablet would show it.
    async fn open_touch(test: &str, width: u32, height: u32) -> Option<Page> {
        Page::open_as(test, width, height, true).await
    }

    async fn open_as(test: &str, width: u32, height: u32, touch: bool) -> Option<Page> {
        Page::open_with(test, width, height, touch, false).await
    }

    /// Opens the page in a browser that refuses to let sites store data.
    async fn open_without_storage(test: &str, width: u32, height: u32) -> Option<Page> {
        Page::open_with(test, width, height, false, true).await
    }

    async fn open_with(
        test: &str,
        width: u32,
        height: u32,
        touch: bool,
        block_storage: bool,
    ) -> Option<Page> {
        let required = match e2e_required() {
            None => {
                eprintln!("note: {test} skipped: KUBEPLAY_E2E=0");
                return None;
            }
            Some(required) => required,
        };
        let dist = dist_dir();
        let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("CHROME_BIN", "/usr/bin/chromium");
        let missing = if !dist.join("index.html").is_file() {
            Some(format!(
                "no built page at {} (run `trunk build --release`, or bash scripts/test.sh)",
                dist.display()
            ))
        } else if !chromedriver.is_file() || !chromium.is_file() {
            Some(format!(
                "no {} or {} (run bash scripts/setup.sh)",
                chromedriver.display(),
                chromium.display()
            ))
        } else {
            None
        };
        if let Some(missing) = missing {
            assert!(
                !required,
                "{test}: {missing}. Browser tests are required because CI or KUBEPLAY_E2E is set."
            );
            eprintln!(
                "note: {test} skipped: {missing}. Set KUBEPLAY_E2E=1 to make this a failure."
            );
            return None;
        }
        Some(
            Page::start(
                &dist,
                &chromedriver,
                &chromium,
                width,
                height,
                touch,
                block_storage,
            )
            .await
            .unwrap_or_else(|e| panic!("{test}: cannot open the page: {e}")),
        )
    }

    async fn start(
        dist: &Path,
        chromedriver: &Path,
        chromium: &Path,
        width: u32,
        height: u32,
        touch: bool,
        block_storage: bool,
    ) -> Result<Page> {
        let turn = ONE_BROWSER.lock().await;
        let server = StaticServer::start(dist.to_path_buf())?;
        let driver = Driver::start(chromedriver)?;
        let profile = TempDir::new("kubeplay-chromium")?;
        let client = browser::connect(
            &driver,
            chromium,
            profile.path(),
            width,
            height,
            touch,
            block_storage,
        )
        .await?;
        let page = Page {
            client,
            base: server.url(),
            _server: server,
            _driver: driver,
            _profile: profile,
            _turn: turn,
        };
        page.load().await?;
        Ok(page)
    }

    /// (Re)loads the page and waits until the app has drawn the cluster.
    async fn load(&self) -> Result<()> {
        self.client.goto(&self.base).await?;
        wait_for("the app to draw the cluster", LOAD_TIMEOUT, || async {
            let nodes = script(
                &self.client,
                "return document.querySelectorAll('#cluster-svg g.node').length;",
                vec![],
            )
            .await?;
            let count = nodes.as_u64().unwrap_or(0);
            Ok(((count > 0).then_some(()), format!("{count} nodes drawn")))
        })
        .await
    }

    /// Ends the test: on failure a screenshot (`<name>-failed.png`) and a panic with the error;
    /// either way the browser session is closed.
    async fn finish(self, name: &str, outcome: Result<()>) {
        let saved = match &outcome {
            Ok(()) => None,
            Err(_) => Some(
                browser::screenshot(&self.client, &screenshot_dir(), &format!("{name}-failed"))
                    .await,
            ),
        };
        let _ = self.client.clone().close().await;
        if let Err(e) = outcome {
            panic!("{name}: {e}\n(screenshot: {saved:?})");
        }
    }

    async fn shot(&self, name: &str) -> Result<()> {
        let path = browser::screenshot(&self.client, &screenshot_dir(), name).await?;
        eprintln!("screenshot: {}", path.display());
        Ok(())
    }

    /// Replaces the editor's text the way a paste does: one input event.
    async fn paste_manifest(&self, text: &str) -> Result<()> {
        script(
            &self.client,
            "const e = document.getElementById('yaml-editor'); e.focus(); e.value = arguments[0];
             e.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
             return e.value.length;",
            vec![json!(text)],
        )
        .await?;
        Ok(())
    }

    /// Every pod drawn: (name, status, drawn inside a node box rather than the Pending lane).
    async fn pods(&self) -> Result<Vec<(String, String, bool)>> {
        let v = script(
            &self.client,
            "return Array.from(document.querySelectorAll('#cluster-svg g.pod'))
                .map(p => [p.dataset.pod, p.dataset.status, p.closest('g.node') !== null]);",
            vec![],
        )
        .await?;
        let rows = v.as_array().cloned().unwrap_or_default();
        Ok(rows
            .iter()
            .map(|r| {
                let s = |i: usize| {
                    r.get(i)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                (
                    s(0),
                    s(1),
                    r.get(2).and_then(Value::as_bool).unwrap_or(false),
                )
            })
            .collect())
    }

    /// Applies `HELLO` with the Apply button and waits for the created line.
    async fn apply_hello(&self) -> Result<()> {
        self.paste_manifest(HELLO).await?;
        click(&self.client, "#apply-button").await?;
        wait_for("the apply result", DOM_TIMEOUT, || async {
            let text = text_of(&self.client, "#apply-result").await?;
            Ok((
                text.contains("deployment.apps/hello created").then_some(()),
                text,
            ))
        })
        .await
    }

    /// Waits until the status line's whole message (its tooltip holds the full text when the
    /// line is cut short) contains `needle`, and returns it.
    async fn wait_note(&self, needle: &str, timeout: std::time::Duration) -> Result<String> {
        wait_for(
            &format!("{needle:?} in the status line"),
            timeout,
            || async {
                let note = script(
                    &self.client,
                    "const n = document.getElementById('sim-note');
                 return n ? (n.title || n.textContent) : '';",
                    vec![],
                )
                .await?;
                let note = note.as_str().unwrap_or_default().to_string();
                Ok((note.contains(needle).then(|| note.clone()), note))
            },
        )
        .await
    }

    /// Presses "run until settled" and waits for the page to say it settled.
    async fn settle(&self) -> Result<String> {
        click(&self.client, "#settle-button").await?;
        wait_for("the settled note", DOM_TIMEOUT, || async {
            let note = text_of(&self.client, "#sim-note").await?;
            Ok((
                note.to_lowercase()
                    .contains("settled")
                    .then(|| note.clone()),
                note,
            ))
        })
        .await
    }
}

fn running_hello(pods: &[(String, String, bool)]) -> usize {
    pods.iter()
        .filter(|(name, status, on_node)| {
            name.starts_with("hello-") && status == "Running" && *on_node
        })
        .count()
}

#[tokio::test]
async fn applying_a_deployment_and_settling_draws_three_running_pods() {
    let name = "deployment";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.shot("01-initial").await?;
        if script(&page.client, "return document.getElementById('loading') === null;", vec![]).await? != json!(true) {
            return Err("the loading note is still in the page after the app started".into());
        }
        let nodes = text_of(&page.client, "#cluster-svg").await?;
        for node in ["control-plane", "worker-1", "worker-2"] {
            if !nodes.contains(node) {
                return Err(format!("node {node} not drawn in the initial picture").into());
            }
        }

        page.apply_hello().await?;
        let created = page.pods().await?;
        if running_hello(&created) != 0 {
            return Err(format!("pods ran before any simulated time passed: {created:?}").into());
        }
        page.shot("02-applied").await?;

        click(&page.client, "#step-button").await?;
        let stepped = wait_for("the step note", DOM_TIMEOUT, || async {
            let note = text_of(&page.client, "#sim-note").await?;
            Ok((note.starts_with("Stepped").then(|| note.clone()), note))
        })
        .await?;
        eprintln!("after one step: {stepped}");

        let settled = page.settle().await?;
        eprintln!(
            "{settled}; clock {}",
            text_of(&page.client, "#sim-clock").await?
        );
        let pods = wait_for("three running hello pods on nodes", DOM_TIMEOUT, || async {
            let pods = page.pods().await?;
            Ok((
                (running_hello(&pods) == 3).then(|| pods.clone()),
                format!("{pods:?}"),
            ))
        })
        .await?;
        let hello: Vec<_> = pods.iter().filter(|p| p.0.starts_with("hello-")).collect();
        if hello.len() != 3 {
            return Err(format!("expected exactly 3 hello pods, drew {hello:?}").into());
        }
        if text_of(&page.client, "#sim-clock").await? == "0:00:00" {
            return Err("settling did not move the simulated clock".into());
        }
        let workloads = text_of(&page.client, "#workload-list").await?;
        if !workloads.contains("hello") {
            return Err(format!("workload list lacks hello: {workloads:?}").into());
        }
        page.shot("03-settled").await?;

        // Playback: at 60x the clock visibly moves; pause stops the timer.
        click(&page.client, "button[data-speed=\"60x\"]").await?;
        let before = text_of(&page.client, "#sim-clock").await?;
        click(&page.client, "#play-button").await?;
        wait_for("the clock to run while playing", DOM_TIMEOUT, || async {
            let now = text_of(&page.client, "#sim-clock").await?;
            Ok(((now != before).then_some(()), now))
        })
        .await?;
        click(&page.client, "#play-button").await?;
        let pressed = script(
            &page.client,
            "return [document.getElementById('play-button').getAttribute('aria-pressed'),
                     document.querySelector('button[data-speed=\"60x\"]').getAttribute('aria-pressed')];",
            vec![],
        )
        .await?;
        if pressed != json!(["false", "true"]) {
            return Err(format!("after pause, play/60x aria-pressed are {pressed}").into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

/// When pods leave, the others' tiles stay the same elements: Yew diffs a list by key only when
/// every child of its parent is keyed, and otherwise recreates them by position (each tile's
/// appearing animation replayed, and the redraw cost the longest frame while playing).
#[tokio::test]
async fn scaling_down_keeps_the_remaining_pods_tiles() {
    let name = "keyed";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.console("create deployment many --image=nginx:1.27 --replicas=8")
            .await?;
        page.wait_console("deployment.apps/many created").await?;
        page.settle().await?;
        script(
            &page.client,
            "document.querySelectorAll('#cluster-svg g.pod').forEach(e => e.kept = true);
             window.created = 0;
             new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {
                 if (n.nodeType === 1) window.created += n.matches('g.pod') ? 1 : n.querySelectorAll('g.pod').length;
             }))).observe(document.getElementById('cluster-svg'), { childList: true, subtree: true });",
            vec![],
        )
        .await?;
        page.console("scale deployment many --replicas=3").await?;
        page.wait_console("deployment.apps/many scaled").await?;
        page.settle().await?;
        let found = script(
            &page.client,
            "const tiles = [...document.querySelectorAll(\"#cluster-svg g.pod[data-owner='Deployment/many']\")];
             return [tiles.length, tiles.filter(t => !t.kept).length, window.created];",
            vec![],
        )
        .await?;
        // Three tiles, none of them new, and no tile created on the way.
        if found != json!([3, 0, 0]) {
            return Err(format!("[tiles, new tiles, tiles created] = {found}").into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn broken_pods_pending_pods_and_a_cordoned_node_look_different() {
    let name = "trouble";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.paste_manifest(TROUBLE).await?;
        click(&page.client, "#apply-button").await?;
        wait_for("four created lines", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, "#apply-result").await?;
            Ok(((text.matches("created").count() == 4).then_some(()), text))
        })
        .await?;
        page.settle().await?;
        let input = page.client.find(Locator::Id("console-input")).await?;
        input.send_keys("cordon worker-2\u{E007}").await?;
        wait_for("worker-2 drawn as cordoned", DOM_TIMEOUT, || async {
            let class = script(
                &page.client,
                "const n = document.querySelector('g.node[data-node=\"worker-2\"]'); return n ? n.getAttribute('class') + ' ' + n.dataset.status : '';",
                vec![],
            )
            .await?;
            let class = class.as_str().unwrap_or_default().to_string();
            Ok((class.contains("node--cordoned").then_some(()), class))
        })
        .await?;

        let states = script(
            &page.client,
            "return Array.from(document.querySelectorAll('#cluster-svg g.pod'))
                .map(p => [p.dataset.pod, p.dataset.state, p.dataset.status, p.closest('#pending-lane') !== null]);",
            vec![],
        )
        .await?;
        let rows: Vec<Vec<String>> = states
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| (0..4).map(|i| r.get(i).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).unwrap_or_default()).collect())
            .collect();
        let with = |prefix: &str, state: &str| rows.iter().filter(|r| r[0].starts_with(prefix) && r[1] == state).count();
        if with("typo-", "imageerror") != 2 {
            return Err(format!("expected 2 typo pods in image error, drew {rows:?}").into());
        }
        if with("crasher-", "crashloop") + with("crasher-", "creating") + with("crasher-", "running") == 0 {
            return Err(format!("no crasher pod drawn: {rows:?}").into());
        }
        let pending: Vec<_> = rows.iter().filter(|r| r[0].starts_with("huge-")).collect();
        if pending.len() != 2 || pending.iter().any(|r| r[1] != "pending" || r[3] != "true") {
            return Err(format!("expected 2 huge pods in the Pending lane, drew {pending:?}").into());
        }
        let lane = text_of(&page.client, "#pending-lane").await?;
        if !lane.to_lowercase().contains("cpu") {
            return Err(format!("the Pending lane does not say why (cpu): {lane:?}").into());
        }
        if with("web-", "ready") != 4 {
            return Err(format!("expected 4 ready web pods, drew {rows:?}").into());
        }
        let marks = script(&page.client, "return document.querySelectorAll('g.pod--trouble .glyph-warn').length;", vec![]).await?;
        if marks.as_u64().unwrap_or(0) < 2 {
            return Err(format!("broken pods lack their warning glyph ({marks})").into());
        }
        page.shot("07-trouble").await
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn an_invalid_manifest_marks_its_line_and_leaves_the_picture_unchanged() {
    let name = "yaml-error";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        let picture = || async { script(&page.client, "return document.getElementById('cluster-svg').outerHTML;", vec![]).await };
        let before = picture().await?;

        // Type it as a person would: select all, type, then Ctrl+Enter.
        let editor = page.client.find(Locator::Id("yaml-editor")).await?;
        editor.send_keys("\u{E009}a\u{E000}").await?;
        editor.send_keys(BAD_REPLICAS).await?;
        let typed = script(&page.client, "return document.getElementById('yaml-editor').value;", vec![]).await?;
        if typed.as_str() != Some(BAD_REPLICAS) {
            return Err(format!("the editor holds {typed} after typing").into());
        }
        editor.send_keys("\u{E009}\u{E007}\u{E000}").await?;

        let errors = wait_for("the error list", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, "#apply-errors").await?;
            Ok(((!text.is_empty()).then(|| text.clone()), text))
        })
        .await?;
        let marked = script(
            &page.client,
            "return Array.from(document.querySelectorAll('.gutter-line.error')).map(e => Number(e.dataset.line));",
            vec![],
        )
        .await?;
        if marked != json!([BAD_LINE]) {
            return Err(format!("gutter marks lines {marked}, expected [{BAD_LINE}]; errors: {errors}").into());
        }
        if !errors.contains(&format!("line {BAD_LINE}")) || !errors.contains("replicas") {
            return Err(format!("error list does not name line {BAD_LINE} and replicas: {errors:?}").into());
        }
        if text_of(&page.client, "#apply-result").await?.contains("created") {
            return Err("the rejected manifest still shows created lines".into());
        }
        if picture().await? != before {
            return Err("the picture changed although the manifest was rejected".into());
        }
        page.shot("04-yaml-error").await
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn console_get_pods_prints_the_pods_and_recalls_history() {
    let name = "console";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        let input = page.client.find(Locator::Id("console-input")).await?;
        input.send_keys("get pods\u{E007}").await?;
        let out = wait_for("get pods output", DOM_TIMEOUT, || async {
            let text = text_of(&page.client, "#console-output").await?;
            let done = text.contains("NAME") && text.matches("hello-").count() >= 3;
            Ok((done.then(|| text.clone()), text))
        })
        .await?;
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("hello-")).collect();
        if rows.len() != 3 || !rows.iter().all(|r| r.contains("Running")) {
            return Err(format!("expected 3 Running hello rows, got {rows:?} in {out:?}").into());
        }
        if !input.prop("value").await?.unwrap_or_default().is_empty() {
            return Err("the input was not cleared after running".into());
        }
        input.send_keys("\u{E013}").await?;
        let recalled = input.prop("value").await?.unwrap_or_default();
        if recalled != "get pods" {
            return Err(format!("↑ recalled {recalled:?}, expected \"get pods\"").into());
        }
        page.shot("05-console").await
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn the_page_fits_a_768_pixel_window() {
    let name = "narrow";
    let Some(page) = Page::open(name, 768, 1000).await else {
        return;
    };
    let outcome = async {
        page.apply_hello().await?;
        page.settle().await?;
        let overflow = script(
            &page.client,
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await?;
        let (scroll, client) = (overflow[0].as_u64().unwrap_or(0), overflow[1].as_u64().unwrap_or(0));
        if scroll > client {
            return Err(format!("the page scrolls sideways at 768 px: {scroll} > {client}").into());
        }
        for id in ["yaml-editor", "apply-button", "console-input", "cluster-svg", "settle-button", "play-button"] {
            let shown = script(
                &page.client,
                "const r = document.getElementById(arguments[0]).getBoundingClientRect(); return r.width > 0 && r.right <= window.innerWidth + 1;",
                vec![json!(id)],
            )
            .await?;
            if shown != json!(true) {
                return Err(format!("#{id} is hidden or cut off at 768 px").into());
            }
        }
        page.shot("06-narrow").await
    }
    .await;
    page.finish(name, outcome).await;
}

#[test]
fn static_server_serves_files_with_their_mime_types_and_refuses_escapes() {
    use std::io::{Read, Write};
    let root = TempDir::new("kubeplay-static").expect("temp dir");
    std::fs::write(root.path().join("index.html"), "<p>hi</p>").expect("write");
    std::fs::write(root.path().join("app_bg.wasm"), [0u8, 97, 115, 109]).expect("write");
    let server = StaticServer::start(root.path().to_path_buf()).expect("server");
    let get = |path: &str| {
        let addr = server
            .url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("send");
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).expect("read");
        String::from_utf8_lossy(&reply).into_owned()
    };
    let index = get("/");
    assert!(
        index.starts_with("HTTP/1.1 200")
            && index.contains("text/html")
            && index.ends_with("<p>hi</p>"),
        "{index}"
    );
    let wasm = get("/app_bg.wasm?v=1");
    assert!(
        wasm.contains("Content-Type: application/wasm") && wasm.contains("Content-Length: 4"),
        "{wasm}"
    );
    assert!(get("/missing.js").starts_with("HTTP/1.1 404"));
    assert!(get("/../etc/passwd").starts_with("HTTP/1.1 404"));
    assert!(get("/%2e%2e/etc/passwd").starts_with("HTTP/1.1 404"));
}

#[test]
fn resolve_maps_directories_to_index_and_rejects_parent_paths() {
    let root = Path::new("/srv/site");
    assert_eq!(
        static_server::resolve(root, "/a%20b.js"),
        Some(root.join("a b.js"))
    );
    assert_eq!(
        static_server::resolve(root, "/x.css#top"),
        Some(root.join("x.css"))
    );
    assert_eq!(static_server::resolve(root, "/../x"), None);
    assert_eq!(static_server::resolve(root, "/%zz"), None);
    assert_eq!(
        static_server::mime_type(Path::new("a.wasm")),
        "application/wasm"
    );
}

/// A claim every replica of a Deployment mounts (ReadWriteMany, so two nodes may share it).
const SHARED_CLAIM: &str = "\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: files
spec:
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: files
spec:
  replicas: 2
  selector:
    matchLabels: { app: files }
  template:
    metadata:
      labels: { app: files }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          volumeMounts:
            - { name: data, mountPath: /usr/share/nginx/html }
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: files
";

/// Storage in every state: a shared claim, a claim whose class does not exist (Pending, so its
/// pod's link waits), four unused claims, and a volume nobody claims.
const MANY_CLAIMS: &str = "\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: disk-archive
spec:
  capacity: { storage: 20Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: /data/archive }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: logs
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources:
    requests: { storage: 5Gi }
---
apiVersion: v1
kind: Pod
metadata:
  name: collector
spec:
  containers:
    - name: main
      image: busybox:1.36
      command: [sleep, infinity]
  volumes:
    - name: logs
      persistentVolumeClaim: { claimName: logs }
    - name: files
      persistentVolumeClaim: { claimName: files }
";

/// Claims as drawn: (data-claim, data-phase, transform), in document order.
async fn claims(page: &Page) -> Result<Vec<(String, String, String)>> {
    let v = script(
        &page.client,
        "return Array.from(document.querySelectorAll('#cluster-svg g.claim'))
            .map(c => [c.dataset.claim, c.dataset.phase, c.getAttribute('transform')]);",
        vec![],
    )
    .await?;
    Ok(v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let s = |i: usize| {
                r.get(i)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (s(0), s(1), s(2))
        })
        .collect())
}

/// Mount links as drawn: (data-pod, data-claim, data-state, whether the line starts on the
/// bottom edge of that pod's tile).
async fn mounts(page: &Page) -> Result<Vec<(String, String, String, bool)>> {
    let v = script(
        &page.client,
        "return Array.from(document.querySelectorAll('#cluster-svg path.mount')).map(m => {
            const tile = document.querySelector(`g.pod[data-pod=\"${m.dataset.pod}\"] rect.pod-box`);
            let onTile = false;
            if (tile) {
                // The line's start in the tile's own coordinates (tiles are moved by a transform).
                const toTile = tile.getCTM().inverse().multiply(m.getCTM());
                const start = new DOMPoint(m.getPointAtLength(0).x, m.getPointAtLength(0).y).matrixTransform(toTile);
                const b = tile.getBBox();
                onTile = start.x > b.x && start.x < b.x + b.width && Math.abs(start.y - (b.y + b.height)) < 1;
            }
            return [m.dataset.pod, m.dataset.claim, m.dataset.state, onTile];
        });",
        vec![],
    )
    .await?;
    Ok(v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let s = |i: usize| {
                r.get(i)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (
                s(0),
                s(1),
                s(2),
                r.get(3).and_then(Value::as_bool).unwrap_or(false),
            )
        })
        .collect())
}

/// Waits until `claim` is drawn Bound with `count` usable links, every link starting on its pod;
/// returns the usable ones.
async fn wait_for_bound_mounts(
    page: &Page,
    claim: &str,
    count: usize,
) -> Result<Vec<(String, String, String, bool)>> {
    wait_for(
        &format!("{claim} Bound with {count} usable links"),
        DOM_TIMEOUT,
        || async {
            let drawn = claims(page).await?;
            let links: Vec<_> = mounts(page)
                .await?
                .into_iter()
                .filter(|m| m.1 == claim)
                .collect();
            let usable: Vec<_> = links.iter().filter(|m| m.2 == "ok").cloned().collect();
            let bound = drawn.iter().any(|c| c.0 == claim && c.1 == "Bound");
            let ok = bound && usable.len() == count && links.iter().all(|m| m.3);
            Ok((
                ok.then(|| usable.clone()),
                format!("claims {drawn:?}, links {links:?}"),
            ))
        },
    )
    .await
}

impl Page {
    /// Applies `text` and waits for `created` lines, one per document.
    async fn apply_created(&self, text: &str, created: usize) -> Result<()> {
        self.paste_manifest(text).await?;
        click(&self.client, "#apply-button").await?;
        wait_for("the created lines", DOM_TIMEOUT, || async {
            let text = text_of(&self.client, "#apply-result").await?;
            Ok((
                (text.matches("created").count() == created).then_some(()),
                text,
            ))
        })
        .await
    }

    async fn console(&self, line: &str) -> Result<()> {
        let input = self.client.find(Locator::Id("console-input")).await?;
        input.send_keys(&format!("{line}\u{E007}")).await?;
        Ok(())
    }

    /// Waits until the console output contains `needle`.
    pub(crate) async fn wait_console(&self, needle: &str) -> Result<()> {
        wait_for(
            &format!("{needle:?} in the console"),
            DOM_TIMEOUT,
            || async {
                let out = text_of(&self.client, "#console-output").await?;
                Ok((out.contains(needle).then_some(()), out))
            },
        )
        .await
    }

    async fn scroll_to_storage(&self) -> Result<()> {
        script(
            &self.client,
            "document.getElementById('storage-band').scrollIntoView({ block: 'center' });",
            vec![],
        )
        .await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_claim_keeps_its_place_and_relinks_when_a_pod_is_replaced() {
    let name = "storage";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let none = script(&page.client, "return document.querySelectorAll('#storage-band, g.claim, path.mount').length;", vec![]).await?;
        if none != json!(0) {
            return Err(format!("a cluster without storage draws {none} storage elements").into());
        }
        page.apply_created(SHARED_CLAIM, 2).await?;
        page.settle().await?;
        let first = wait_for_bound_mounts(&page, "default/files", 2).await?;
        let before = claims(&page).await?;
        let label = script(
            &page.client,
            "return document.querySelector('g.claim[data-claim=\"default/files\"]').getAttribute('aria-label');",
            vec![],
        )
        .await?;
        let label = label.as_str().unwrap_or_default().to_string();
        if !label.starts_with("claim files, Bound to pvc-") || !label.contains("1Gi RWX, used by files-") {
            return Err(format!("the claim's label does not read as a sentence: {label:?}").into());
        }

        // Keyboard focus highlights the claim's pods.
        let focused = script(
            &page.client,
            "const c = document.querySelector('g.claim[data-claim=\"default/files\"]'); c.focus();
             return document.activeElement === c;",
            vec![],
        )
        .await?;
        if focused != json!(true) {
            return Err("the claim cannot take keyboard focus".into());
        }
        let rings = wait_for("rings around the claim's two pods", DOM_TIMEOUT, || async {
            let v = script(&page.client, "return Array.from(document.querySelectorAll('rect.pod-ring')).map(r => r.dataset.pod).sort();", vec![]).await?;
            let n = v.as_array().map_or(0, Vec::len);
            Ok(((n == 2).then(|| v.clone()), v.to_string()))
        })
        .await?;
        eprintln!("highlighted pods: {rings}");
        page.scroll_to_storage().await?;
        // Scrolling the band into view moves the picture and its HTML layer together: the
        // drawing never slides under the "Add node" control.
        let apart = script(
            &page.client,
            "const a = document.getElementById('add-node-button').getBoundingClientRect();
             const c = document.querySelector('g.claim[data-claim=\"default/files\"]').getBoundingClientRect();
             const clear = a.bottom <= c.top || c.bottom <= a.top || a.right <= c.left || c.right <= a.left;
             return [clear, document.querySelector('.picture-clip').scrollTop];",
            vec![],
        )
        .await?;
        if apart != json!([true, 0]) {
            return Err(format!(
                "after scrolling to the storage band, [the Add node control clears the claim, the clip's scroll] = {apart}"
            )
            .into());
        }
        page.shot("08-storage-focused").await?;
        script(&page.client, "document.activeElement.blur();", vec![]).await?;

        let gone = first[0].0.clone();
        page.console(&format!("delete pod {gone}")).await?;
        page.wait_console(&format!("pod \"{gone}\" deleted")).await?;
        page.settle().await?;
        let after = wait_for("a replacement pod linked to the claim", DOM_TIMEOUT, || async {
            let links = wait_for_bound_mounts(&page, "default/files", 2).await?;
            let replaced = links.iter().all(|m| m.0 != gone);
            Ok((replaced.then(|| links.clone()), format!("{links:?}")))
        })
        .await?;
        let pods: Vec<String> = page.pods().await?.into_iter().map(|p| p.0).collect();
        for link in &after {
            if !pods.contains(&link.0) {
                return Err(format!("link from {} but no such pod is drawn: {pods:?}", link.0).into());
            }
        }
        let now = claims(&page).await?;
        if now != before {
            return Err(format!("the claim moved: before {before:?}, after {now:?}").into());
        }
        page.scroll_to_storage().await?;
        page.shot("09-storage-replaced").await
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn storage_in_every_state_fits_a_768_pixel_window() {
    let name = "storage-narrow";
    let Some(page) = Page::open(name, 768, 1000).await else {
        return;
    };
    let outcome = async {
        page.apply_created(SHARED_CLAIM, 2).await?;
        let mut many = MANY_CLAIMS.to_string();
        for i in 0..4 {
            many.push_str(&format!(
                "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: cache-{i}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests: {{ storage: 512Mi }}\n"
            ));
        }
        page.apply_created(&many, 7).await?;
        page.settle().await?;
        wait_for_bound_mounts(&page, "default/files", 2).await?;
        // The collector cannot be scheduled while logs is Pending: both its links wait.
        let waiting = wait_for("the collector's links waiting", DOM_TIMEOUT, || async {
            let all = mounts(&page).await?;
            let collector: Vec<_> = all.iter().filter(|m| m.0 == "collector").cloned().collect();
            let ok = collector.len() == 2 && collector.iter().all(|m| m.2 == "waiting" && m.3);
            Ok((ok.then_some(()), format!("{all:?}")))
        });
        waiting.await?;
        let drawn = claims(&page).await?;
        let phases: Vec<(&str, &str)> = drawn.iter().map(|c| (c.0.as_str(), c.1.as_str())).collect();
        if phases.len() != 6 || !phases.contains(&("default/logs", "Pending")) {
            return Err(format!("expected 6 claims with logs Pending, drew {phases:?}").into());
        }
        let geometry = script(
            &page.client,
            "const boxes = Array.from(document.querySelectorAll('g.claim .slot-card, g.pv .slot-card'))
                .map(e => e.getBoundingClientRect());
             let overlaps = 0;
             for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                 const a = boxes[i], b = boxes[j];
                 if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps++;
             }
             const rows = new Set(boxes.map(b => Math.round(b.top))).size;
             const pv = document.querySelectorAll('g.pv[data-pv=\"disk-archive\"]').length;
             return [boxes.length, overlaps, rows, pv, document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await?;
        let g: Vec<u64> = geometry.as_array().cloned().unwrap_or_default().iter().map(|v| v.as_u64().unwrap_or(u64::MAX)).collect();
        if g.len() != 6 || g[0] != 7 || g[1] != 0 || g[2] < 2 || g[3] != 1 || g[4] > g[5] {
            return Err(format!("expected 7 slots in 2+ rows without overlaps, the unbound volume drawn, no sideways scroll: [slots, overlaps, rows, pv, scrollWidth, clientWidth] = {g:?}").into());
        }
        page.scroll_to_storage().await?;
        page.shot("10-storage-narrow").await?;

        // A claim deleted while pods use it stays, crossed out, until they are gone.
        page.console("delete pvc files").await?;
        wait_for("files drawn as terminating", DOM_TIMEOUT, || async {
            let t = script(&page.client, "const c = document.querySelector('g.claim[data-claim=\"default/files\"]'); return c ? c.dataset.terminating + ' ' + c.getAttribute('class') : '';", vec![]).await?;
            let t = t.as_str().unwrap_or_default().to_string();
            Ok(((t.contains("true") && t.contains("claim--crossed")).then_some(()), t))
        })
        .await?;
        page.scroll_to_storage().await?;
        page.shot("11-storage-terminating").await
    }
    .await;
    page.finish(name, outcome).await;
}

/// A StatefulSet of three with a claim template: one claim per replica, `www-web-N`.
const STATEFUL: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts:
            - { name: www, mountPath: /usr/share/nginx/html }
  volumeClaimTemplates:
    - metadata:
        name: www
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
";

#[tokio::test]
async fn a_statefulset_draws_one_claim_per_replica_in_its_colour() {
    let name = "statefulset-storage";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        page.apply_created(STATEFUL, 1).await?;
        page.settle().await?;
        for i in 0..3 {
            let links = wait_for_bound_mounts(&page, &format!("default/www-web-{i}"), 1).await?;
            if links[0].0 != format!("web-{i}") {
                return Err(format!("www-web-{i} is linked to {links:?}").into());
            }
        }
        let colours = script(
            &page.client,
            "return [0, 1, 2].map(i => [
                document.querySelector(`g.claim[data-claim=\"default/www-web-${i}\"] .vol-body`).getAttribute('stroke'),
                document.querySelector(`g.pod[data-pod=\"web-${i}\"] rect.pod-stripe`).getAttribute('fill')]);",
            vec![],
        )
        .await?;
        let pairs = colours.as_array().cloned().unwrap_or_default();
        if pairs.len() != 3 || pairs.iter().any(|p| p.get(0) != p.get(1)) {
            return Err(format!("claims are not drawn in their StatefulSet's colour: {colours}").into());
        }
        page.scroll_to_storage().await?;
        page.shot("12-statefulset-claims").await
    }
    .await;
    page.finish(name, outcome).await;
}
