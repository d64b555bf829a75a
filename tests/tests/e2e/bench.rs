//! On-demand browser benchmark (ignored in the normal run): frame times of the page while it
//! plays at 60× with 200 pods on 10 nodes.
//!
//! `KUBEPLAY_E2E=1 cargo test -p kubeplay-tests --test e2e -- --ignored --nocapture bench`
//! prints frames, median, 95th percentile and worst frame interval, how many intervals
//! exceeded 25 ms (at least one dropped frame at 60 fps), how many frames were dropped in all
//! (an interval of n × 16.7 ms drops n − 1), the length of each playback task (a tick's
//! simulation and, a frame later, its redraw), the browser's long-animation-frame entries, and
//! how many pod tiles were created (a scale-down should create none) and moved within their
//! group. The same is measured at 2,000 pods on 100 nodes and 10,000 on 1,000 (opened from a
//! share link that builds the cluster), and the time from navigation until the page is usable.
//! They report; they do not assert a speed.
//!
//! With `KUBEPLAY_PROFILE=out.cpuprofile` it also records the page's CPU profile (DevTools'
//! sampling profiler, every 100 µs) over the 5 s and writes it there: open it in DevTools'
//! Performance panel. Build with `data-keep-debug` on the rust link for function names.
//!
//! With `KUBEPLAY_CPU_SLOWDOWN=N` the page's main thread runs N times slower while it plays
//! (DevTools' CPU throttling), for a figure that stands for a slower machine and does not
//! move with this one's speed.
//!
//! With `KUBEPLAY_TRACE=out.json` Chromium records its timeline (script, style, layout and
//! paint of every task, with the number of objects laid out) and writes it there 90 s after it
//! started; the benchmark waits for the file. Run one benchmark at a time with it, and open the
//! file in DevTools' Performance panel. `KUBEPLAY_TRACE_CATEGORIES` adds trace categories, such
//! as `disabled-by-default-devtools.timeline.invalidationTracking` (why each object was laid out
//! or restyled again).

use fantoccini::wd::WebDriverCompatibleCommand;

use super::*;

/// A Chrome DevTools Protocol command, sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn cdp(
    client: &Client,
    cmd: &'static str,
    params: serde_json::Value,
) -> Result<serde_json::Value> {
    Ok(client.issue_cmd(Cdp { cmd, params }).await?)
}

/// Waits until Chromium has written its timeline trace (see the module's documentation): the
/// file exists and stopped growing.
async fn wait_for_trace(path: &Path) -> Result<()> {
    let size = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut last = 0;
    for _ in 0..240 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let now = size();
        if now > 0 && now == last {
            eprintln!("bench: timeline trace written to {}", path.display());
            return Ok(());
        }
        last = now;
    }
    Err(format!("no timeline trace at {} after 2 minutes", path.display()).into())
}

/// A Deployment of `replicas` small pods.
fn many(replicas: usize) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: many
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{ app: many }}
  template:
    metadata:
      labels: {{ app: many }}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {{ cpu: 10m, memory: 16Mi }}
"
    )
}

/// Plays at 60× for 5 s and measures every frame interval; `label` names the run in the report.
async fn frames_while_playing(page: &Page, label: &str) -> Result<()> {
    click(&page.client, "button[data-speed=\"60x\"]").await?;
    // Where a long frame's time goes: each playback task, and the browser's
    // long-animation-frame entries (over 50 ms: total, script, and from the start of rendering).
    script(
        &page.client,
        "window.__ticks = []; window.__long = []; window.__tiles = 0; window.__moved = 0;
         // Pod tiles created while playing (a scale-down should create none), and tiles moved
         // within their group's list (a tile that changes slot).
         const seen = new WeakSet(document.querySelectorAll('#cluster-svg g.pod'));
         // A new tile can be reported twice in one batch: inside its new parent, and again
         // when its body is added to that parent.
         new MutationObserver(ms => { const now = new Set(); ms.forEach(m => m.addedNodes.forEach(n => {
             if (n.nodeType !== 1) return;
             for (const t of n.matches('g.pod') ? [n] : n.querySelectorAll('g.pod')) {
                 if (now.has(t)) continue;
                 now.add(t);
                 if (seen.has(t)) { window.__moved++; } else { window.__tiles++; seen.add(t); }
             }
         })); }).observe(document.getElementById('cluster-svg'), { childList: true, subtree: true });
         new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push([
             Math.round(e.duration),
             Math.round(e.scripts.reduce((a, x) => a + x.duration, 0)),
             Math.round(e.renderStart ? e.startTime + e.duration - e.renderStart : 0)])))
           .observe({ type: 'long-animation-frame' });
         // Playback runs in timeouts queued after a frame (the simulation, then the redraw
         // after the next frame): each task's length, including the redraw's microtasks.
         if (!window.__timed) {
           window.__timed = true;
           const later = window.setTimeout;
           window.setTimeout = (f, ms, ...rest) => later(() => {
               const t0 = performance.now(); f(...rest);
               queueMicrotask(() => window.__ticks.push(Math.round(performance.now() - t0)));
           }, ms);
         }",
        vec![],
    )
    .await?;
    let profile = std::env::var_os("KUBEPLAY_PROFILE");
    if profile.is_some() {
        cdp(&page.client, "Profiler.enable", serde_json::json!({})).await?;
        let every = serde_json::json!({ "interval": 100 });
        cdp(&page.client, "Profiler.setSamplingInterval", every).await?;
        cdp(&page.client, "Profiler.start", serde_json::json!({})).await?;
    }
    let slowdown = std::env::var("KUBEPLAY_CPU_SLOWDOWN")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|r| *r > 1.0);
    if let Some(rate) = slowdown {
        let rate = serde_json::json!({ "rate": rate });
        cdp(&page.client, "Emulation.setCPUThrottlingRate", rate).await?;
    }
    click(&page.client, "#play-button").await?;
    let stats = page
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const times = [];
             const end = performance.now() + 5000;
             function frame(t) {
               times.push(t);
               if (t < end) { requestAnimationFrame(frame); return; }
               const d = times.slice(1).map((x, i) => x - times[i]).sort((a, b) => a - b);
               const q = p => d[Math.min(d.length - 1, Math.floor(p * d.length))];
               // A frame is dropped for each 16.7 ms past the first that an interval lasted.
               const dropped = d.reduce((n, x) => n + Math.max(0, Math.round(x * 60 / 1000) - 1), 0);
               done([d.length, q(0.5), q(0.95), d[d.length - 1], d.filter(x => x > 25).length, dropped]);
             }
             requestAnimationFrame(frame);",
            vec![],
        )
        .await?;
    if slowdown.is_some() {
        let rate = serde_json::json!({ "rate": 1 });
        cdp(&page.client, "Emulation.setCPUThrottlingRate", rate).await?;
    }
    click(&page.client, "#play-button").await?;
    if let Some(path) = profile {
        let taken = cdp(&page.client, "Profiler.stop", serde_json::json!({})).await?;
        std::fs::write(&path, taken["profile"].to_string())?;
        eprintln!("bench: CPU profile written to {}", path.to_string_lossy());
    }
    let ticks = script(&page.client, "return window.__ticks;", vec![]).await?;
    let long = script(&page.client, "return window.__long;", vec![]).await?;
    let tiles = script(
        &page.client,
        "return [window.__tiles, window.__moved];",
        vec![],
    )
    .await?;
    if let Some(path) = std::env::var_os("KUBEPLAY_TRACE") {
        wait_for_trace(Path::new(&path)).await?;
    }
    eprintln!(
        "bench: {label}; while playing at 60x for 5 s{}: \
         [frames, median ms, p95 ms, worst ms, intervals over 25 ms, dropped frames] = {stats}; \
         playback tasks (ms): {ticks}; long animation frames [ms, script ms, render ms]: {long}; \
         [pod tiles created, moved]: {tiles}",
        slowdown.map_or(String::new(), |r| format!(" with the CPU {r}x slower"))
    );
    Ok(())
}

/// Ten nodes and a settled Deployment of 200 pods; then `change` runs and the page plays.
/// `what` names the change in the report.
async fn bench_200_pods(name: &str, change: &str, what: &str, shot: &str) {
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        // The default cluster has three nodes; seven more make ten.
        for i in 3..=9 {
            page.console(&format!("sim node add worker-{i}")).await?;
            page.wait_console(&format!("node/worker-{i} created"))
                .await?;
        }
        page.apply_created(&many(200), 1).await?;
        page.settle().await?;
        let running = page
            .pods()
            .await?
            .iter()
            .filter(|p| p.1 == "Running")
            .count();
        // The change is made before playing, so the picture keeps changing while it plays.
        page.console(change).await?;
        frames_while_playing(
            &page,
            &format!("{running} running pods on 10 nodes, {what}"),
        )
        .await?;
        page.shot(shot).await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
#[ignore = "a benchmark: run on demand with --ignored"]
async fn bench_frames_while_playing_200_pods_on_10_nodes() {
    bench_200_pods(
        "bench-frames",
        "scale deployment many --replicas=150",
        "scaled to 150",
        "90-bench-200-pods",
    )
    .await;
}

#[tokio::test]
#[ignore = "a benchmark: run on demand with --ignored"]
async fn bench_frames_during_a_rolling_update_of_200_pods_on_10_nodes() {
    bench_200_pods(
        "bench-rolling",
        "set image deployment/many web=nginx:1.28",
        "rolling update to nginx:1.28",
        "91-bench-200-pods-rolling",
    )
    .await;
}

/// A share link to `nodes` workers and a settled Deployment of `replicas`: the page builds the
/// cluster itself when it opens the link.
fn big_cluster_link(nodes: usize, replicas: usize) -> String {
    use kubeplay_core::session::{Entry, Input, Session, Start};
    use kubeplay_core::share::{self, Shared};
    let mut session = Session::new(kubeplay_core::scenarios::SEED, Start::Empty);
    session.setup = (1..=nodes)
        .map(|i| Input::Run {
            line: format!("sim node add node-{i:04}"),
        })
        .collect();
    let entry = |input| Entry { input, until: None };
    session.entries = vec![
        entry(Input::Apply {
            text: many(replicas),
        }),
        entry(Input::Settle {
            limit_ms: 30 * 60 * 1000,
        }),
    ];
    let shared = Shared {
        session,
        lesson: None,
        progress: None,
    };
    format!("#s={}", share::encode(&shared))
}

/// Opens the big cluster, reports how long the page took to build it, then plays while the
/// Deployment scales down by a tenth.
async fn bench_big_cluster(name: &str, nodes: usize, replicas: usize, shot: &str) {
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let link = big_cluster_link(nodes, replicas);
        let base = page.base.trim_end_matches('/').to_string();
        let started = std::time::Instant::now();
        // A full load: the page reads a link only when it starts.
        page.client.goto("about:blank").await?;
        page.client.goto(&format!("{base}/{link}")).await?;
        wait_for(
            "the big cluster",
            std::time::Duration::from_secs(600),
            || async {
                let text = text_of(&page.client, "#cluster-summary")
                    .await
                    .unwrap_or_default();
                let done = text.contains(&format!("{nodes} nodes · {replicas} pods"));
                Ok((done.then_some(()), text))
            },
        )
        .await?;
        let built = started.elapsed();
        page.console(&format!(
            "scale deployment many --replicas={}",
            replicas * 9 / 10
        ))
        .await?;
        frames_while_playing(
            &page,
            &format!(
                "{replicas} pods on {nodes} nodes (opened and built in {built:.1?}), scaled to {}",
                replicas * 9 / 10
            ),
        )
        .await?;
        page.shot(shot).await?;
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}

#[tokio::test]
#[ignore = "a benchmark: run on demand with --ignored"]
async fn bench_frames_while_playing_2000_pods_on_100_nodes() {
    bench_big_cluster("bench-2000", 100, 2_000, "91-bench-2000-pods").await;
}

#[tokio::test]
#[ignore = "a benchmark: run on demand with --ignored"]
async fn bench_frames_while_playing_10000_pods_on_1000_nodes() {
    bench_big_cluster("bench-10000", 1_000, 10_000, "92-bench-10000-pods").await;
}

/// From navigation to a usable page: the app marks `kubeplay-ready` once its first render is
/// on the screen. Five fresh loads (a new page, nothing saved) of the default cluster.
#[tokio::test]
#[ignore = "a benchmark: run on demand with --ignored"]
async fn bench_navigation_to_a_usable_page() {
    let name = "bench-load";
    let Some(page) = Page::open(name, 1400, 900).await else {
        return;
    };
    let outcome = async {
        let mut figures = Vec::new();
        for _ in 0..5 {
            script(&page.client, "localStorage.clear();", vec![]).await?;
            page.load().await?;
            let v = script(
                &page.client,
                "const n = performance.getEntriesByType('navigation')[0];
                 const ready = performance.getEntriesByName('kubeplay-ready')[0];
                 return [Math.round(n.responseEnd), Math.round(n.domContentLoadedEventEnd),
                         Math.round(ready ? ready.startTime : -1)];",
                vec![],
            )
            .await?;
            figures.push(v);
        }
        eprintln!(
            "bench: navigation to a usable page, five fresh loads \
             [response end ms, DOMContentLoaded ms, app ready ms]: {}",
            serde_json::Value::Array(figures)
        );
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
