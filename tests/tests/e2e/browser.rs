//! Headless Chromium through chromedriver: processes, a session, and DOM helpers.
//!
//! Waiting here is for the browser (a page to load, the DOM to update), polled with a time
//! limit. Simulated time is never waited for: the tests drive it with the page's buttons.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

/// How long the page may take to load and start.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one DOM update may take to show.
pub const DOM_TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A chromedriver process on a free loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start(chromedriver: &Path) -> Result<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let mut driver = Driver { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(format!("chromedriver exited early ({status})").into());
            }
            if started.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not open its port within 20 s".into());
            }
            std::thread::sleep(POLL);
        }
        driver.port = port;
        Ok(driver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a headless Chromium session with a fresh profile.
pub async fn connect(
    driver: &Driver,
    chromium: &Path,
    profile: &Path,
    width: u32,
    height: u32,
    touch: bool,
    block_storage: bool,
) -> Result<Client> {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-dev-shm-usage".to_string(),
        "--disable-background-networking".to_string(),
        "--disable-component-update".to_string(),
        "--disable-sync".to_string(),
        "--no-first-run".to_string(),
        "--hide-scrollbars".to_string(),
        "--force-device-scale-factor=1".to_string(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    // For the benchmarks: Chromium records its own timeline (each task's script, style, layout
    // and paint) for 90 s from its start, keeping the newest events when its buffer is full,
    // and writes it as JSON to the file named by KUBEPLAY_TRACE.
    if let Some(file) = std::env::var_os("KUBEPLAY_TRACE") {
        args.extend([
            format!(
                "--trace-startup=devtools.timeline,disabled-by-default-devtools.timeline{}",
                std::env::var("KUBEPLAY_TRACE_CATEGORIES")
                    .map(|c| format!(",{c}"))
                    .unwrap_or_default()
            ),
            format!("--trace-startup-file={}", Path::new(&file).display()),
            "--trace-startup-duration=90".to_string(),
            "--trace-startup-format=json".to_string(),
            "--trace-startup-record-mode=record-continuously".to_string(),
        ]);
    }
    let mut options = json!({ "binary": chromium.display().to_string(), "args": args });
    if touch {
        // A tablet: touch input and a coarse pointer, at the window's size.
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true }
        });
    }
    if block_storage {
        // "Don't allow sites to save data": local storage throws, as when a person or a
        // policy disables it.
        options["prefs"] = json!({ "profile.default_content_setting_values.cookies": 2 });
    }
    let caps = json!({ "browserName": "chrome", "goog:chromeOptions": options });
    let Value::Object(caps) = caps else {
        unreachable!("json! of an object literal")
    };
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url())
        .await?;
    Ok(client)
}

/// Polls `probe` until it yields `Some`, or fails after `timeout` saying what was awaited and
/// what was last seen.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(Option<T>, String)>>,
{
    let started = Instant::now();
    loop {
        let (found, seen) = probe().await?;
        if let Some(value) = found {
            return Ok(value);
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "timed out after {timeout:?} waiting for {what}; last seen: {seen}"
            )
            .into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Runs a script in the page and returns its JSON result.
pub async fn script(client: &Client, source: &str, args: Vec<Value>) -> Result<Value> {
    Ok(client.execute(source, args).await?)
}

/// Clicks the element matching `css`.
pub async fn click(client: &Client, css: &str) -> Result<()> {
    client
        .find(Locator::Css(css))
        .await
        .map_err(|e| format!("no element {css}: {e}"))?
        .click()
        .await?;
    Ok(())
}

/// Taps the element matching `css` with a touch pointer (down and up at its centre).
pub async fn tap(client: &Client, css: &str) -> Result<()> {
    use fantoccini::actions::{InputSource, PointerAction, TouchActions, MOUSE_BUTTON_LEFT};
    let element = client
        .find(Locator::Css(css))
        .await
        .map_err(|e| format!("no element {css}: {e}"))?;
    let finger = TouchActions::new("finger".into())
        .then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(finger).await?;
    Ok(())
}

/// The text content of the element matching `css` ("" when absent).
pub async fn text_of(client: &Client, css: &str) -> Result<String> {
    let v = script(
        client,
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
        vec![json!(css)],
    )
    .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Saves a PNG screenshot as `<dir>/<name>.png`.
pub async fn screenshot(client: &Client, dir: &Path, name: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let png = client.screenshot().await?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}
