//! Browser tests of lessons, share links and embedding: a lesson followed in the page with
//! its checks turning green, a share link reopening exactly that session (and a damaged one
//! refused without touching it), and embed URLs with their panels, read-only mode and a
//! lesson fetched from the site.

use super::*;

impl Page {
    /// Opens an address on the test server (`?embed=1`, `#s=…`) and waits for the cluster.
    async fn visit(&self, rest: &str) -> Result<()> {
        let base = self.base.trim_end_matches('/');
        self.client.goto(&format!("{base}/{rest}")).await?;
        wait_for("the app to draw the cluster", LOAD_TIMEOUT, || async {
            let n = self.node_count().await?;
            Ok(((n > 0).then_some(()), format!("{n} nodes drawn")))
        })
        .await
    }

    async fn node_count(&self) -> Result<u64> {
        let v = script(
            &self.client,
            "return document.querySelectorAll('#cluster-svg g.node').length;",
            vec![],
        )
        .await?;
        Ok(v.as_u64().unwrap_or(0))
    }

    /// Waits until the lesson panel shows `lesson` with `done` steps done.
    async fn wait_lesson(&self, lesson: &str, done: usize) -> Result<()> {
        wait_for(
            &format!("lesson {lesson} with {done} steps done"),
            DOM_TIMEOUT,
            || async {
                let v = script(
                    &self.client,
                    "const p = document.getElementById('lesson-panel');
                     return p ? [p.dataset.lesson, Number(p.dataset.done)] : null;",
                    vec![],
                )
                .await?;
                let ok = v[0].as_str() == Some(lesson) && v[1].as_u64() == Some(done as u64);
                Ok((ok.then_some(()), format!("{v}")))
            },
        )
        .await
    }

    /// Each shown check: whether it holds now.
    async fn checks(&self) -> Result<Vec<bool>> {
        let v = script(
            &self.client,
            "return Array.from(document.querySelectorAll('#lesson-checks .lesson-check'))
                .map(c => c.dataset.passing === 'true');",
            vec![],
        )
        .await?;
        Ok(v.as_array()
            .map(|a| a.iter().map(|b| b.as_bool() == Some(true)).collect())
            .unwrap_or_default())
    }

    /// Chooses `path` in the "Open lesson…" file picker, as a person picking that file does.
    async fn pick_lesson_file(&self, path: &Path) -> Result<()> {
        let input = self.client.find(Locator::Css("#lesson-file")).await?;
        input.send_keys(&path.display().to_string()).await?;
        Ok(())
    }

    async fn present(&self, selector: &str) -> Result<bool> {
        let v = script(
            &self.client,
            "return document.querySelector(arguments[0]) !== null;",
            vec![json!(selector)],
        )
        .await?;
        Ok(v.as_bool() == Some(true))
    }
}

#[tokio::test]
async fn a_lesson_is_followed_in_the_page_and_a_share_link_reopens_it() {
    let name = "lesson-share";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        // Start the DaemonSet lesson from the menu.
        script(
            &page.client,
            "const s = document.getElementById('lesson-select'); s.value = 'daemonsets';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await?;
        page.wait_lesson("daemonsets", 0).await?;
        if page.checks().await? != vec![false, false] {
            return Err(format!(
                "the first step's checks hold already: {:?}",
                page.checks().await?
            )
            .into());
        }
        // Answer the prediction, then do the step from the console.
        click(
            &page.client,
            "#lesson-predict .predict-choice:nth-of-type(2)",
        )
        .await?;
        let verdict = text_of(&page.client, "#lesson-predict .predict-verdict").await?;
        if !verdict.starts_with("Right") {
            return Err(format!("the right answer was judged {verdict:?}").into());
        }
        page.shot("40-lesson-start").await?;
        page.console("sim node add worker-3").await?;
        page.wait_console("node/worker-3 created").await?;
        page.settle().await?;
        page.wait_lesson("daemonsets", 1).await?;
        let step = script(
            &page.client,
            "return document.getElementById('lesson-step').dataset.step;",
            vec![],
        )
        .await?;
        if step.as_str() != Some("1") {
            return Err(format!("the panel did not move on to step 2: {step}").into());
        }
        click(&page.client, "#lesson-hint").await?;
        page.shot("41-lesson-step-done").await?;

        // Share it, then open the link in a browser with nothing saved.
        click(&page.client, "#share-button").await?;
        let link = script(
            &page.client,
            "return document.getElementById('share-link').value;",
            vec![],
        )
        .await?;
        let link = link.as_str().unwrap_or_default().to_string();
        if !link.contains("#s=k1.") {
            return Err(format!("no share link: {link:?}").into());
        }
        page.shot("42-share-popover").await?;
        let clock = text_of(&page.client, "#sim-clock").await?;
        script(&page.client, "localStorage.clear();", vec![]).await?;
        page.client.goto("about:blank").await?;
        let fragment = &link[link.find('#').unwrap_or(0)..];
        page.visit(fragment).await?;
        page.wait_lesson("daemonsets", 1).await?;
        if page.node_count().await? != 4 {
            return Err(format!(
                "the link's cluster has {} nodes, not 4",
                page.node_count().await?
            )
            .into());
        }
        let clock_after = text_of(&page.client, "#sim-clock").await?;
        if clock_after != clock {
            return Err(format!("the clock was {clock}, the link shows {clock_after}").into());
        }
        let hints = script(
            &page.client,
            "return document.querySelectorAll('.lesson-hint').length;",
            vec![],
        )
        .await?;
        if hints.as_u64() != Some(1) {
            return Err(format!("the shown hint did not travel with the link: {hints}").into());
        }
        let hash = script(&page.client, "return location.hash;", vec![]).await?;
        if hash.as_str() != Some("") {
            return Err(format!("the link stays in the address: {hash}").into());
        }
        page.shot("43-share-link-opened").await?;

        // A damaged link is refused and the session here is kept.
        let cut = &fragment[..fragment.len() - 12];
        page.client.goto("about:blank").await?;
        page.visit(cut).await?;
        let note = text_of(&page.client, "#sim-note").await?;
        if !note.contains("The link could not be opened") || !note.contains("damaged or cut short")
        {
            return Err(format!("no refusal: {note:?}").into());
        }
        page.wait_lesson("daemonsets", 1).await?;
        if page.node_count().await? != 4 {
            return Err("the refused link changed the session".into());
        }
        page.shot("44-damaged-link").await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn embed_urls_choose_the_lesson_panels_and_read_only() {
    let name = "embed";
    let Some(page) = Page::open(name, 900, 640).await else {
        return;
    };
    let outcome = async {
        script(&page.client, "localStorage.clear();", vec![]).await?;
        page.visit("?embed=1&lesson=statefulsets").await?;
        page.wait_lesson("statefulsets", 0).await?;
        for absent in [
            "#yaml-editor",
            "#console-input",
            "#lesson-select",
            "#share-button",
            ".tagline",
        ] {
            if page.present(absent).await? {
                return Err(format!("{absent} is shown in the embed").into());
            }
        }
        for shown in ["#cluster-svg", "#timeline", "#lesson-panel", "#play-button"] {
            if !page.present(shown).await? {
                return Err(format!("{shown} is missing from the embed").into());
            }
        }
        page.shot("45-embed-lesson").await?;

        page.visit("?embed=1&example=statefulset&readonly=1&panels=cluster,workloads")
            .await?;
        wait_for("the example's pods", DOM_TIMEOUT, || async {
            click(&page.client, "#settle-button").await?;
            let pods = page.pods().await?;
            let running = pods.iter().filter(|p| p.1 == "Running").count();
            Ok(((running >= 2).then_some(()), format!("{pods:?}")))
        })
        .await?;
        let classes = script(
            &page.client,
            "return document.querySelector('.app').className;",
            vec![],
        )
        .await?;
        if !classes
            .as_str()
            .unwrap_or_default()
            .contains("is-read-only")
        {
            return Err(format!("not read-only: {classes}").into());
        }
        if page.present("#yaml-editor").await? || page.present("#console-input").await? {
            return Err("a read-only embed offers the editor or the console".into());
        }
        if !page.present("#workload-list").await? {
            return Err("the workloads panel asked for is missing".into());
        }
        page.shot("46-embed-read-only").await?;

        // A lesson file from this site, by its address; one from elsewhere is refused.
        page.visit("?embed=1&lesson-url=lessons/shared-volume.yaml")
            .await?;
        page.wait_lesson("shared-volume", 0).await?;
        page.visit("?embed=1&lesson-url=https://example.com/x.yaml")
            .await?;
        let note = text_of(&page.client, "#sim-note").await?;
        let title = script(
            &page.client,
            "return document.getElementById('sim-note').title;",
            vec![],
        )
        .await?;
        if !title
            .as_str()
            .unwrap_or_default()
            .contains("only a path on this site is loaded")
        {
            return Err(format!("an other-origin lesson was not refused: {note:?} {title}").into());
        }
        if page.present("#lesson-panel").await? {
            return Err("an other-origin lesson was loaded".into());
        }
        // An embed never writes the reader's own autosave.
        let saved = script(
            &page.client,
            "return localStorage.getItem('kubeplay.session');",
            vec![],
        )
        .await?;
        if !saved.is_null() {
            return Err("the embed wrote an autosave".into());
        }
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

/// A teacher's own lesson, as a file.
const OWN_LESSON: &str = "\
lesson: 1
id: my-scaling
title: Scale the web Deployment
summary: A teacher's lesson, opened from a file.
introduction: |
  The Deployment `web` runs **two** pods.
start:
  seed: 5
  manifests: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.27
  commands:
    - sim settle
steps:
  - title: Scale to four
    instructions: |
      `kubectl scale deployment web --replicas=4`
    checks:
      - title: Four web pods are Ready
        objects: {kind: Pod, selector: app=web, where: {ready: true}, count: 4}
solution: |
  kubectl scale deployment web --replicas=4
  sim settle
";

#[tokio::test]
async fn a_lesson_file_opened_from_the_picker_starts_and_a_broken_one_is_refused() {
    let name = "lesson-file";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let dir = TempDir::new("kubeplay-lesson-file")?;
        let own = dir.path().join("my-scaling.yaml");
        std::fs::write(&own, OWN_LESSON)?;
        // The same lesson with a misspelt kind on line 33: refused, naming where.
        let broken = dir.path().join("broken.yaml");
        std::fs::write(&broken, OWN_LESSON.replace("{kind: Pod,", "{kind: Pdo,"))?;

        page.pick_lesson_file(&own).await?;
        page.wait_lesson("my-scaling", 0).await?;
        if page.checks().await? != [false] {
            return Err("the new lesson's check holds before anything was done".into());
        }
        page.console("kubectl scale deployment web --replicas=4")
            .await?;
        page.wait_console("deployment.apps/web scaled").await?;
        page.settle().await?;
        page.wait_lesson("my-scaling", 1).await?;
        page.shot("47-lesson-from-file").await?;

        page.pick_lesson_file(&broken).await?;
        let note = page.wait_note("Pdo", DOM_TIMEOUT).await?;
        if !note.contains("line 33") {
            return Err(format!("the refusal does not name the line: {note:?}").into());
        }
        // The lesson being followed, and its progress, are untouched.
        page.wait_lesson("my-scaling", 1).await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
async fn the_built_site_runs_from_a_sub_path() {
    let name = "sub-path";
    let Some(page) = Page::open(name, 1200, 800).await else {
        return;
    };
    let outcome = async {
        // A documentation site with the built folder at /docs/play/.
        let site = TempDir::new("kubeplay-site")?;
        std::fs::create_dir_all(site.path().join("docs"))?;
        std::os::unix::fs::symlink(dist_dir().canonicalize()?, site.path().join("docs/play"))?;
        let server = StaticServer::start(site.path().to_path_buf())?;
        let url = format!(
            "{}docs/play/?embed=1&lesson-url=lessons/daemonsets.yaml",
            server.url()
        );
        page.client.goto(&url).await?;
        // Its scripts, wasm and the lesson file all load relative to the sub-path.
        page.wait_lesson("daemonsets", 0).await?;
        let v = script(
            &page.client,
            "return [location.pathname,
                     Array.from(document.scripts).map(s => new URL(s.src).pathname)];",
            vec![],
        )
        .await?;
        let scripts = v[1].as_array().cloned().unwrap_or_default();
        if scripts.is_empty()
            || scripts
                .iter()
                .any(|s| !s.as_str().unwrap_or_default().starts_with("/docs/play/"))
        {
            return Err(format!("a script was not loaded from the sub-path: {v}").into());
        }
        if page.node_count().await? == 0 {
            return Err("no cluster drawn under the sub-path".into());
        }
        page.shot("48-sub-path").await?;
        drop(server);
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
