//! On-demand browser benchmark (ignored in the normal run): frame times of the page while it
//! plays at 60× with 200 pods on 10 nodes.
//!
//! `KUBEPLAY_E2E=1 cargo test -p kubeplay-tests --test e2e -- --ignored --nocapture bench`
//! prints frames, median, 95th percentile and worst frame interval, how many intervals
//! exceeded 25 ms (a dropped frame at 60 fps), each playback tick's handler time, and the
//! browser's long-animation-frame entries. It reports; it does not assert a speed.
//!
//! With `KUBEPLAY_PROFILE=out.cpuprofile` it also records the page's CPU profile (DevTools'
//! sampling profiler, every 100 µs) over the 5 s and writes it there: open it in DevTools'
//! Performance panel. Build with `data-keep-debug` on the rust link for function names.

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

#[tokio::test]
#[ignore = "a benchmark: run on demand with --ignored"]
async fn bench_frames_while_playing_200_pods_on_10_nodes() {
    let name = "bench-frames";
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
        // Scale up and down while playing, so the picture keeps changing.
        page.console("scale deployment many --replicas=150").await?;
        click(&page.client, "button[data-speed=\"60x\"]").await?;
        // Where a long frame's time goes: each playback tick's handler (the reducer and the
        // redraw it triggers), and the browser's long-animation-frame entries (over 50 ms:
        // total, script, and from the start of rendering).
        script(
            &page.client,
            "window.__ticks = []; window.__long = [];
             new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push([
                 Math.round(e.duration),
                 Math.round(e.scripts.reduce((a, x) => a + x.duration, 0)),
                 Math.round(e.renderStart ? e.startTime + e.duration - e.renderStart : 0)])))
               .observe({ type: 'long-animation-frame' });
             const every = window.setInterval;
             window.setInterval = (f, ms) => every(() => {
                 const t0 = performance.now(); f();
                 window.__ticks.push(Math.round(performance.now() - t0));
             }, ms);",
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
                   done([d.length, q(0.5), q(0.95), d[d.length - 1], d.filter(x => x > 25).length]);
                 }
                 requestAnimationFrame(frame);",
                vec![],
            )
            .await?;
        click(&page.client, "#play-button").await?;
        if let Some(path) = profile {
            let taken = cdp(&page.client, "Profiler.stop", serde_json::json!({})).await?;
            std::fs::write(&path, taken["profile"].to_string())?;
            eprintln!("bench: CPU profile written to {}", path.to_string_lossy());
        }
        let ticks = script(&page.client, "return window.__ticks;", vec![]).await?;
        let long = script(&page.client, "return window.__long;", vec![]).await?;
        page.shot("90-bench-200-pods").await?;
        eprintln!(
            "bench: {running} running pods on 10 nodes; while playing at 60x for 5 s: \
             [frames, median ms, p95 ms, worst ms, intervals over 25 ms] = {stats}; \
             tick handlers (ms): {ticks}; long animation frames [ms, script ms, render ms]: {long}"
        );
        Ok(())
    }
    .await;
    page.finish(name, outcome).await;
}
