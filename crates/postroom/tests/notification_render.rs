//! The default HTML notification as a browser lays it out: headless Chromium (driven by
//! chromedriver over WebDriver, with Chrome's device emulation for the exact widths) opens
//! the rendered mail of a comment, a new issue and a status change at 375 px (a phone)
//! and 1024 px (a desktop client's reading pane) and measures it: nothing is wider than
//! the screen, the summary, the comment's paragraphs and its long unbroken URL are laid
//! out inside it, the characters special in HTML show as text, and the "View" link is
//! there and points at the issue.
//!
//! Needs `chromedriver` and Chromium (`POSTROOM_TEST_CHROMEDRIVER` and
//! `POSTROOM_TEST_CHROMIUM` name others); without them the test is skipped, except under
//! `CI=true`, where that is a failure. `POSTROOM_UPDATE_SCREENSHOTS=1` also writes the
//! full-page screenshots of `docs/notifications/` anew.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "sample/notification.rs"]
mod sample;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use postroom_core::notify::NotifyTemplates;
use serde::Deserialize;
use serde_json::{Value, json};

/// The widths checked: a common phone (iPhone 12 to 15 and most Androids report 360–430)
/// and a desktop client's reading pane.
const WIDTHS: [u32; 2] = [375, 1024];

/// Smallest font size a reader should get, in CSS pixels.
const MIN_FONT_PX: f64 = 12.0;

/// Runs in the page: the layout facts the test asserts, measured by the browser.
const MEASURE: &str = r#"
const [probes, width] = arguments;
const root = document.documentElement;
const box = r => ({left: r.left, right: r.right, top: r.top, width: r.width, height: r.height});
function find(text) {
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const style = getComputedStyle(node.parentElement);
    return {text, found: true, hidden: style.visibility !== 'visible' || style.display === 'none',
            rects: Array.from(range.getClientRects()).map(box)};
  }
  return {text, found: false, hidden: true, rects: []};
}
let widest = 0, minFont = Infinity;
for (const el of document.body.querySelectorAll('*')) {
  widest = Math.max(widest, el.getBoundingClientRect().right);
  const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.data.trim() !== '');
  if (own) minFont = Math.min(minFont, parseFloat(getComputedStyle(el).fontSize));
}
const links = Array.from(document.querySelectorAll('a[href]')).map(a =>
  ({href: a.getAttribute('href'), text: a.textContent.trim(), rect: box(a.getBoundingClientRect())}));
return {viewport: root.clientWidth, scroll_width: root.scrollWidth, widest, min_font: minFont,
        height: document.body.getBoundingClientRect().height, probes: probes.map(find), links, width};
"#;

#[derive(Debug, Deserialize)]
struct Rect {
    left: f64,
    right: f64,
    width: f64,
    height: f64,
}

#[derive(Debug, Deserialize)]
struct Probe {
    text: String,
    found: bool,
    hidden: bool,
    rects: Vec<Rect>,
}

#[derive(Debug, Deserialize)]
struct Link {
    href: String,
    text: String,
    rect: Rect,
}

#[derive(Debug, Deserialize)]
struct Layout {
    viewport: f64,
    scroll_width: f64,
    widest: f64,
    min_font: f64,
    height: f64,
    probes: Vec<Probe>,
    links: Vec<Link>,
}

/// chromedriver with one headless Chromium session; both end when dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    http: reqwest::Client,
}

/// The executable named by `var`, else `default` if it exists.
fn tool(var: &str, default: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from(default)).filter(|p| p.exists()))
}

impl Browser {
    async fn start() -> Option<Self> {
        let driver = tool("POSTROOM_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("POSTROOM_TEST_CHROMIUM", "/usr/bin/chromium");
        let (Some(driver), Some(chromium)) = (driver, chromium) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "chromedriver or Chromium is missing under CI=true: the layout check must run"
            );
            eprintln!("chromedriver or Chromium is missing: skipping the browser check");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut browser = Browser {
            driver: child,
            port,
            session: String::new(),
            http: reqwest::Client::new(),
        };
        let started = Instant::now();
        while browser.get("/status").await.is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let created = browser
            .post(
                "/session",
                json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                    "binary": chromium,
                    // --no-sandbox: test machines and containers often run as root.
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"],
                }}}}),
            )
            .await;
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Some(browser)
    }

    async fn get(&self, path: &str) -> Option<Value> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let response = self.http.get(url).send().await.ok()?;
        response
            .json::<Value>()
            .await
            .ok()
            .map(|v| v["value"].clone())
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let response = self.http.post(url).json(&body).send().await.unwrap();
        let status = response.status();
        let value: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {value}");
        value["value"].clone()
    }

    async fn command(&self, cmd: &str, params: Value) -> Value {
        let path = format!("/session/{}/goog/cdp/execute", self.session);
        self.post(&path, json!({"cmd": cmd, "params": params}))
            .await
    }

    /// Emulates a screen `width` CSS pixels wide; below 600 px as a phone does (the
    /// template's viewport meta applies).
    async fn resize(&self, width: u32, height: u32) {
        self.command(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        )
        .await;
    }

    /// Opens `file` at `width` and measures where the texts `probes` are laid out.
    async fn open(&self, file: &Path, width: u32, probes: &[&str]) -> Layout {
        self.resize(width, 900).await;
        let path = format!("/session/{}/url", self.session);
        self.post(&path, json!({"url": format!("file://{}", file.display())}))
            .await;
        let path = format!("/session/{}/execute/sync", self.session);
        let measured = self
            .post(&path, json!({"script": MEASURE, "args": [probes, width]}))
            .await;
        serde_json::from_value(measured.clone()).unwrap_or_else(|e| panic!("{e}: {measured}"))
    }

    /// A PNG of the whole mail at `width`, as tall as its content.
    async fn screenshot(&self, width: u32, height: f64) -> Vec<u8> {
        self.resize(width, height.ceil() as u32).await;
        let shot = self
            .command("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium; killing chromedriver alone would leave it.
        if !self.session.is_empty()
            && let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port))
        {
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\
                 Connection: close\r\n\r\n",
                self.session
            );
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = stream.write_all(request.as_bytes());
            let _ = stream.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The texts a sample's mail must show on screen.
fn shown(name: &str) -> Vec<&'static str> {
    let mut texts = vec![sample::SUMMARY];
    match name {
        "comment" => texts.extend([
            sample::COMMENT_OPENING,
            sample::LONG_URL,
            sample::COMMENT_MARKUP,
            sample::COMMENT_CLOSING,
            sample::LONG_FILE_NAME,
            sample::LINKED_FILE_NAME,
        ]),
        "created" => texts.push("was opened. We will get back to you here."),
        _ => texts.push("Status changed from In Progress to Waiting for customer."),
    }
    texts
}

fn check(name: &str, width: u32, layout: &Layout) {
    let at = format!("{name} at {width} px");
    let width = f64::from(width);
    assert_eq!(layout.viewport, width, "{at}: the emulated viewport");
    assert!(
        layout.scroll_width <= width,
        "{at}: the page scrolls sideways ({} px wide)",
        layout.scroll_width
    );
    assert!(
        layout.widest <= width + 0.5,
        "{at}: an element reaches {} px",
        layout.widest
    );
    assert!(
        layout.min_font >= MIN_FONT_PX,
        "{at}: text at {} px",
        layout.min_font
    );
    for probe in &layout.probes {
        assert!(
            probe.found && !probe.hidden,
            "{at}: {:?} is not shown",
            probe.text
        );
        assert!(!probe.rects.is_empty(), "{at}: {:?} has no box", probe.text);
        for rect in &probe.rects {
            assert!(
                rect.width > 0.0 && rect.height > 0.0 && rect.left >= 0.0 && rect.right <= width,
                "{at}: {:?} is laid out outside the screen: {rect:?}",
                probe.text
            );
        }
    }
    let link = format!("{}/browse/{}", sample::SITE, sample::ISSUE_KEY);
    let view = layout
        .links
        .iter()
        .find(|l| l.href == link)
        .unwrap_or_else(|| panic!("{at}: no link to {link}: {:?}", layout.links));
    assert_eq!(view.text, format!("View {}", sample::ISSUE_KEY), "{at}");
    assert!(
        view.rect.height >= 32.0 && view.rect.right <= width && view.rect.left >= 0.0,
        "{at}: the View link is not a comfortable target on screen: {:?}",
        view.rect
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn default_html_notifications_fit_a_phone_and_a_desktop() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let update = std::env::var("POSTROOM_UPDATE_SCREENSHOTS").as_deref() == Ok("1");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/notifications");
    let dir = tempfile::tempdir().unwrap();
    let templates = NotifyTemplates::defaults().unwrap();
    let issue = sample::issue_context();
    for sample in sample::samples() {
        let words = sample.render(&issue, &templates);
        let file = dir.path().join(format!("{}.html", sample.name));
        std::fs::write(&file, &words.html).unwrap();
        for width in WIDTHS {
            let layout = browser.open(&file, width, &shown(sample.name)).await;
            check(sample.name, width, &layout);
            if update {
                let png = browser.screenshot(width, layout.height).await;
                std::fs::create_dir_all(&docs).unwrap();
                std::fs::write(docs.join(format!("{}-{width}.png", sample.name)), png).unwrap();
            }
        }
    }
}
