//! What the `yusuan serve` tests share: a server on a free port over a
//! workspace, plain HTTP requests, and a WebDriver client driving headless
//! Chromium (Debian's `chromium` and `chromium-driver`, which `.ci/run`
//! installs).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A `yusuan serve` process, stopped when dropped.
pub struct Server {
    child: Child,
    /// The address it printed (with `?token=` when it made one).
    pub url: String,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

/// The longest any one request of a test may take: a stuck server fails
/// the test instead of hanging CI.
const LIMIT: Duration = Duration::from_secs(180);

impl Server {
    /// Serves `dir` with `args` (`--bind 127.0.0.1:0` unless given).
    pub fn start(dir: &Path, args: &[&str]) -> Server {
        Server::start_with(dir, args, &[])
    }

    /// Serves `dir` with `args` and these environment variables.
    pub fn start_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yusuan"));
        cmd.arg("serve").arg(dir).envs(env.iter().copied());
        if !args.contains(&"--bind") {
            cmd.args(["--bind", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("yusuan serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        let port = url
            .split("//")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|hp| hp.rsplit(':').next())
            .expect("an address with a port")
            .to_string();
        Server {
            child,
            url,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// `GET path`: status and body.
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        answer(
            ureq::get(&format!("{}{path}", self.base))
                .timeout(LIMIT)
                .call(),
        )
    }

    /// `GET path` until `done` takes its JSON, every 50 ms; fails the test
    /// after `limit` rather than hang it.
    pub fn poll(&self, path: &str, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let (_, body) = self.get(path);
            let v = json_of(&body);
            if done(&v) {
                return v;
            }
            assert!(
                start.elapsed() < limit,
                "{path} not done after {limit:?}: {v}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A request from yusuan's page (`X-Yusuan`) with a body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let mut r = ureq::request(method, &format!("{}{path}", self.base))
            .timeout(LIMIT)
            .set("X-Yusuan", "1");
        for (k, v) in headers {
            r = r.set(k, v);
        }
        answer(r.send_bytes(body))
    }
}

impl Server {
    /// Ends the server (as a crash or a closed terminal would).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, Vec<u8>) {
    let response = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = response.status();
    let mut body = vec![];
    std::io::Read::read_to_end(&mut response.into_reader(), &mut body).unwrap();
    (status, body)
}

/// The JSON of a body.
pub fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(body)))
}

/// A headless Chromium session through chromedriver, both stopped when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
}

/// A found element's WebDriver id.
pub type Element = String;

impl Browser {
    /// Starts chromedriver and a headless Chromium window of 1400 × 900.
    pub fn start() -> Browser {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver) is installed: .ci/run installs it");
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,900", "--lang=zh-CN", "--force-device-scale-factor=1"],
            }
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("a session").to_string();
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let r = ureq::request(method, &url);
        let r = match body {
            Some(b) => r.send_json(b),
            None => r.call(),
        };
        let (status, body) = answer(r);
        let v = json_of(&body);
        assert!(status < 300, "WebDriver {method} {path}: {status} {v}");
        v["value"].clone()
    }

    /// The text of the dialog the page shows (`confirm`), if one is open.
    pub fn dialog(&self) -> Option<String> {
        let url = format!("{}/session/{}/alert/text", self.base, self.session);
        let (status, body) = answer(ureq::get(&url).call());
        (status < 300).then(|| json_of(&body)["value"].as_str().unwrap_or("").to_string())
    }

    /// Answers the open dialog: OK (`accept`) or Cancel.
    pub fn answer_dialog(&self, accept: bool) {
        let what = if accept { "accept" } else { "dismiss" };
        self.call("POST", &format!("/alert/{what}"), Some(json!({})));
    }

    /// Opens `url`.
    pub fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    /// The elements `css` selects now.
    pub fn all(&self, css: &str) -> Vec<Element> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .unwrap()
            .iter()
            // The one key of a web element reference (the spec's
            // element-6066-… constant).
            .map(|e| {
                let o = e.as_object().unwrap();
                o.values().next().unwrap().as_str().unwrap().to_string()
            })
            .collect()
    }

    /// The element `css` selects, waited for up to 20 s.
    pub fn find(&self, css: &str) -> Element {
        self.wait(&format!("{css} to appear"), Duration::from_secs(20), || {
            self.all(css).into_iter().next()
        })
    }

    /// Clicks `e`.
    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// Types `text` into `e` (for a file input: the file's path).
    pub fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Replaces what the input `e` holds by `text`, as a user does: Ctrl+A,
    /// Backspace, then the keys.
    pub fn retype(&self, e: &Element, text: &str) {
        self.type_into(e, &format!("\u{E009}a\u{E009}\u{E003}{text}"));
    }

    /// The rendered text of `e`.
    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{e}/text"), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// An attribute (or property) of `e`.
    pub fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.call("GET", &format!("/element/{e}/attribute/{name}"), None)
            .as_str()
            .map(str::to_string)
    }

    /// Runs `script` in the page with `args`; what it returns.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Polls `f` every 50 ms until it gives a value; panics naming `what`
    /// after `limit`.
    pub fn wait<T>(&self, what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A PNG of the window, written to `path`.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let v = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where a browser test's screenshot goes: `docs/` of the repository when
/// `YUSUAN_SCREENSHOTS=docs` (to refresh the README's pictures), else the
/// target directory.
pub fn screenshot_path(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var("YUSUAN_SCREENSHOTS").as_deref() == Ok("docs") {
        root.join("docs").join(name)
    } else {
        root.join("target").join("screenshots").join(name)
    }
}
