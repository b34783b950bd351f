//! `yusuan serve`: a workspace in the browser. One local HTTP server, one
//! page embedded in the binary (`assets/`), a JSON API over the same
//! library the commands use:
//!
//! | request | what |
//! |---|---|
//! | `GET /api/files` | the department files with their status |
//! | `GET /api/file?name=` | a file's text, version and imported cells |
//! | `PUT /api/file?name=` (`X-Base-Version`) | save; a stale version is refused |
//! | `POST /api/upload?name=[&replace=VERSION]` | a workbook (imported) or a TOML file |
//! | `POST /api/preview` | check and lay out unsaved text: diagnostics, page names |
//! | `GET /api/page?doc=&n=` | one page as Typst's SVG |
//! | `GET /api/download?name=&format=` | pdf, pdfa, xlsx, json, csv (zip) of the saved file |
//! | `POST`/`GET /api/render-all` | render every file (the batch engine), progress |
//! | `GET /api/zip` | the PDFs of the last "render all", one zip |
//! | `GET /api/district` | the district summaries (one per region and year) |
//! | `GET /api/district/download?profile=&year=&format=` | its file, PDF, summary PDF, CSV |
//! | `GET /api/profiles`, `/api/stamp?profile=` | profiles; a profile directory's stamp |
//!
//! Safe by default: it listens on 127.0.0.1; any other address needs a
//! token (given, or made and printed). Names are checked by
//! [`workspace::Workspace::path`]; writes are atomic; uploads are capped.

mod batch;
mod form;
mod preview;
pub mod workspace;

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response};

use crate::diag::{Lang, Text};
use crate::import::Origin;
use crate::text;
use workspace::{MAX_UPLOAD, Workspace, version};

/// The page and its script and style, compiled in.
const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// How `yusuan serve` was started.
pub struct Settings {
    /// The workspace directory.
    pub dir: std::path::PathBuf,
    /// The address to listen on.
    pub bind: SocketAddr,
    /// The token every request must carry (required beyond loopback).
    pub token: Option<String>,
    /// More fonts, as for render.
    pub font_path: Vec<std::path::PathBuf>,
}

/// What every request shares.
struct State {
    ws: Workspace,
    token: Option<String>,
    /// The port, for the Host check of a loopback server.
    port: u16,
    loopback: bool,
    previewer: Arc<preview::Previewer>,
    font_path: Vec<std::path::PathBuf>,
    /// One save at a time: the version compared is the version replaced.
    saving: Mutex<()>,
    batch: Arc<Mutex<batch::Progress>>,
    /// Each profile directory's stamp when last used: an edited one is read again.
    stamps: Mutex<BTreeMap<std::path::PathBuf, String>>,
}

/// A made token: 128 bits from the system's random source.
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = f.read_exact(&mut bytes);
    }
    if bytes == [0; 16] {
        // No /dev/urandom: the std hasher's random keys.
        use std::hash::{BuildHasher, Hasher};
        for chunk in bytes.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts the server; `ready` gets the address to open (with the token)
/// once it listens. Returns only on a failure to start.
pub fn run(settings: Settings, ready: &dyn Fn(&str)) -> Result<(), Text> {
    let ws = Workspace::open(&settings.dir)?;
    // A profile name is looked for beside the file only, and no profile is
    // read from outside the workspace.
    crate::profile::confine_search(&settings.dir);
    let loopback = settings.bind.ip().is_loopback();
    let token = match settings.token {
        Some(t) if t.len() < 16 => {
            return Err(text!(
                "--token 至少 16 个字符",
                "--token must be at least 16 characters"
            ));
        }
        Some(t) => Some(t),
        None if loopback => None,
        None => Some(new_token()),
    };
    let previewer =
        preview::Previewer::new(&settings.font_path).map_err(|e| text!("{e}", "{e}"))?;
    let server = tiny_http::Server::http(settings.bind).map_err(|e| {
        let b = settings.bind;
        text!("无法监听 {b}：{e}", "cannot listen on {b}: {e}")
    })?;
    let addr = server.server_addr().to_ip().unwrap_or(settings.bind);
    let state = Arc::new(State {
        ws,
        token: token.clone(),
        port: addr.port(),
        loopback,
        previewer: Arc::new(previewer),
        font_path: settings.font_path,
        saving: Mutex::new(()),
        batch: Arc::new(Mutex::new(batch::Progress::default())),
        stamps: Mutex::new(BTreeMap::new()),
    });
    // Bound to every address (0.0.0.0, ::): this computer opens it at its
    // loopback address, others at this computer's own.
    let shown = if addr.ip().is_unspecified() {
        let local: std::net::IpAddr = if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        };
        std::net::SocketAddr::new(local, addr.port())
    } else {
        addr
    };
    let url = match &token {
        Some(t) => format!("http://{shown}/?token={t}"),
        None => format!("http://{shown}/"),
    };
    ready(&url);
    let server = Arc::new(server);
    // Enough threads that a quick request (the file list, a profile) is
    // answered while previews and page images are being made: those are
    // bounded on their own (`preview::AT_ONCE`).
    let workers: Vec<_> = (0..REQUEST_THREADS)
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(&state, request);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

/// How many requests are served at once.
const REQUEST_THREADS: usize = 16;

/// A response: status, content type, body, extra headers.
struct Reply {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn json(status: u16, v: Value) -> Reply {
        Reply {
            status,
            kind: "application/json; charset=utf-8",
            body: v.to_string().into_bytes(),
            headers: vec![],
        }
    }

    /// A refusal: `{error: {zh, en}}`.
    fn refuse(status: u16, t: Text) -> Reply {
        Reply::json(status, json!({"error": {"zh": t.zh, "en": t.en}}))
    }

    fn bytes(kind: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            kind,
            body,
            headers: vec![],
        }
    }

    /// A file to save, named `name` (RFC 5987, for Chinese names).
    fn download(kind: &'static str, body: Vec<u8>, name: &str) -> Reply {
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let mut r = Reply::bytes(kind, body);
        r.headers.push((
            "Content-Disposition".into(),
            format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}"),
        ));
        r
    }
}

/// The decoded query parameters of `url`.
fn query(url: &str) -> BTreeMap<String, String> {
    let Some((_, q)) = url.split_once('?') else {
        return BTreeMap::new();
    };
    q.split('&')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Percent-decoding (`+` is a space); `None` when not UTF-8.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Whether `request` may be answered: the token when one is set, a Host
/// naming this loopback server (a page of another site resolving its own
/// name to 127.0.0.1 is refused), and for a change the `X-Yusuan` header no
/// other site's page can send without asking.
fn allowed(state: &State, request: &Request, q: &BTreeMap<String, String>) -> Result<(), Reply> {
    if let Some(t) = &state.token {
        let cookie = header(request, "Cookie").is_some_and(|c| {
            c.split(';')
                .any(|kv| kv.trim() == format!("yusuan_token={t}"))
        });
        let given = q.get("token") == Some(t)
            || header(request, "X-Yusuan-Token") == Some(t.as_str())
            || cookie;
        if !given {
            return Err(Reply::refuse(
                403,
                text!(
                    "需要令牌：请用 yusuan serve 打印的完整地址（含 ?token=）打开",
                    "a token is needed: open the full address yusuan serve printed (with ?token=)"
                ),
            ));
        }
    } else if state.loopback {
        let host = header(request, "Host").unwrap_or("");
        let port = state.port;
        // Any loopback address with this port (127.0.0.2 too, as bound), or localhost.
        let ok = host == format!("localhost:{port}")
            || host
                .parse::<std::net::SocketAddr>()
                .is_ok_and(|a| a.ip().is_loopback() && a.port() == port);
        if !ok {
            return Err(Reply::refuse(
                403,
                text!(
                    "请求的主机名 {host} 不是本机地址",
                    "the requested host {host} is not this computer's address"
                ),
            ));
        }
    }
    if *request.method() != Method::Get && header(request, "X-Yusuan").is_none() {
        return Err(Reply::refuse(
            403,
            text!(
                "修改请求须来自 yusuan 的页面",
                "changes must come from yusuan's own page"
            ),
        ));
    }
    Ok(())
}

/// The refusal of a body or text past [`MAX_UPLOAD`].
fn too_big() -> Reply {
    let mb = MAX_UPLOAD >> 20;
    Reply::refuse(
        413,
        text!(
            "文件太大：最多 {mb} MB",
            "the file is too large: {mb} MB at most"
        ),
    )
}

/// The body, refused past [`MAX_UPLOAD`] (before reading it when the
/// request says its length).
fn body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    if request.body_length().is_some_and(|n| n as u64 > MAX_UPLOAD) {
        return Err(too_big());
    }
    let mut buf = vec![];
    request
        .as_reader()
        .take(MAX_UPLOAD + 1)
        .read_to_end(&mut buf)
        .map_err(|e| {
            Reply::refuse(
                400,
                text!("读取请求失败：{e}", "cannot read the request: {e}"),
            )
        })?;
    if buf.len() as u64 > MAX_UPLOAD {
        return Err(too_big());
    }
    Ok(buf)
}

fn handle(state: &State, mut request: Request) {
    let url = request.url().to_string();
    let q = query(&url);
    let path = url.split('?').next().unwrap_or("").to_string();
    let reply = match allowed(state, &request, &q) {
        Err(r) => r,
        // A panic in a handler is answered 500, and this request thread lives
        // on to answer the next request (the server has only four).
        Ok(()) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            panic_for_tests(&path);
            route(state, &mut request, &path, &q).unwrap_or_else(|r| r)
        }))
        .unwrap_or_else(|cause| {
            let what = cause
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| cause.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let what = crate::diag::printable(&what);
            Reply::refuse(
                500,
                text!(
                    "内部错误（{path}）：{what}。这是 yusuan 的缺陷，请报告；服务器仍在运行",
                    "internal error ({path}): {what}. This is a defect of yusuan, please report it; the server goes on"
                ),
            )
        }),
    };
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type".to_string(), reply.kind.to_string()),
        ("X-Content-Type-Options".into(), "nosniff".into()),
        (
            "Content-Security-Policy".into(),
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; font-src 'self'; frame-ancestors 'none'"
                .into(),
        ),
    ];
    // The token travels in the address once, then as a cookie.
    if let (Some(t), true) = (&state.token, q.contains_key("token") && path == "/") {
        headers.push((
            "Set-Cookie".into(),
            format!("yusuan_token={t}; HttpOnly; SameSite=Strict; Path=/"),
        ));
    }
    if !reply.headers.iter().any(|(k, _)| k == "Cache-Control") {
        headers.push(("Cache-Control".into(), "no-store".into()));
    }
    headers.extend(reply.headers);
    for (k, v) in headers {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

/// In a debug build (the tests'), `YUSUAN_SERVE_PANIC=/api/x` makes a
/// request for that path panic, so the tests can show a panic is survived.
pub(crate) fn panic_for_tests(path: &str) {
    if cfg!(debug_assertions)
        && std::env::var("YUSUAN_SERVE_PANIC").is_ok_and(|p| !p.is_empty() && p == path)
    {
        panic!("YUSUAN_SERVE_PANIC {path}");
    }
}

fn route(
    state: &State,
    request: &mut Request,
    path: &str,
    q: &BTreeMap<String, String>,
) -> Result<Reply, Reply> {
    let get = *request.method() == Method::Get;
    let name = || q.get("name").map(String::as_str).unwrap_or("");
    Ok(match (request.method().clone(), path) {
        (Method::Get, "/") => Reply::bytes("text/html; charset=utf-8", INDEX.into()),
        (Method::Get, "/app.js") => Reply::bytes("text/javascript; charset=utf-8", SCRIPT.into()),
        (Method::Get, "/app.css") => Reply::bytes("text/css; charset=utf-8", STYLE.into()),
        (Method::Get, "/font/sans.otf") => font(crate::typeset::SANS_REGULAR),
        (Method::Get, "/font/sans-bold.otf") => font(crate::typeset::SANS_BOLD),
        (Method::Get, "/api/files") => files(state),
        (Method::Get, "/api/file") => open(state, name())?,
        (Method::Put, "/api/file") => {
            let base = header(request, "X-Base-Version").unwrap_or("").to_string();
            let bytes = body(request)?;
            save(state, name(), &base, bytes)?
        }
        (Method::Post, "/api/upload") => {
            let bytes = body(request)?;
            let year = match q.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
                None => None,
                Some(y) => Some(
                    y.parse::<i32>()
                        .ok()
                        .filter(|y| (1900..=2999).contains(y))
                        .ok_or_else(|| {
                            let y = crate::diag::printable(y);
                            Reply::refuse(
                                400,
                                text!(
                                    "预算年度「{y}」不是年份",
                                    "the budget year \"{y}\" is not a year"
                                ),
                            )
                        })?,
                ),
            };
            upload(
                state,
                name(),
                q.get("replace").map(String::as_str),
                year,
                bytes,
            )?
        }
        (Method::Post, "/api/edit") => edit(&json_body(body(request)?)?)?,
        (Method::Post, "/api/preview") => preview(state, &json_body(body(request)?)?)?,
        (Method::Get, "/api/page") => {
            let n = q.get("n").and_then(|n| n.parse().ok()).unwrap_or(0);
            let doc = q.get("doc").map(String::as_str).unwrap_or("");
            let png = q.get("png").and_then(|s| s.parse::<f32>().ok());
            match state.previewer.page(doc, n, png.filter(|s| s.is_finite())) {
                Some((kind, bytes)) => Reply::bytes(kind, bytes),
                None => Reply::refuse(404, text!("没有这一页", "no such page")),
            }
        }
        (Method::Get, "/api/download") => download(
            state,
            name(),
            q.get("format").map(String::as_str).unwrap_or("pdf"),
            options(state, q)?,
        )?,
        (Method::Post, "/api/render-all") => batch::start(state)?,
        (Method::Get, "/api/render-all") => batch::status(state),
        (Method::Get, "/api/zip") => batch::zip(state)?,
        (Method::Get, "/api/district") => batch::district(state),
        (Method::Get, "/api/district/download") => batch::district_download(state, q)?,
        (Method::Get, "/api/profiles") => Reply::json(
            200,
            json!({
                "builtins": crate::profile::builtins().iter().map(|p| json!({"name": p.name, "description": p.description})).collect::<Vec<_>>(),
                "dirs": state.ws.profile_dirs(),
            }),
        ),
        (Method::Get, "/api/stamp") => {
            let dir = state
                .ws
                .profile_dir(q.get("profile").map_or("", String::as_str));
            let dir = dir.map_err(|t| Reply::refuse(403, t))?;
            Reply::json(200, json!({"stamp": dir_stamp(&dir)}))
        }
        _ if get => Reply::refuse(404, text!("没有这个地址", "no such address")),
        _ => Reply::refuse(
            405,
            text!("不支持这个请求", "this request is not supported"),
        ),
    })
}

/// An embedded font, kept by the browser for a day.
fn font(bytes: &'static [u8]) -> Reply {
    let mut r = Reply::bytes("font/otf", bytes.to_vec());
    r.headers
        .push(("Cache-Control".into(), "max-age=86400".into()));
    r
}

/// Everything in a profile directory that a render reads (names, sizes,
/// times), hashed: an edit changes it.
fn dir_stamp(dir: &std::path::Path) -> String {
    crate::ident(&crate::batch::dir_stamp(dir))
}

/// The options a request names: `profile` (a built-in, or a profile
/// directory inside the workspace, read again when edited) and `layout`.
fn options(state: &State, q: &BTreeMap<String, String>) -> Result<crate::Options, Reply> {
    let mut o = crate::Options {
        base_dir: Some(state.ws.dir.clone()),
        ..Default::default()
    };
    match q.get("profile").map(String::as_str) {
        None | Some("") => {}
        Some(p) if crate::profile::find(p).is_some() => o.profile = Some(p.to_string()),
        Some(p) => {
            let dir = state.ws.profile_dir(p).map_err(|t| Reply::refuse(403, t))?;
            let stamp = dir_stamp(&dir);
            let mut stamps = state.stamps.lock().unwrap_or_else(|p| p.into_inner());
            if stamps.get(&dir).is_some_and(|s| *s != stamp) {
                crate::profile::forget_loaded();
            }
            stamps.insert(dir.clone(), stamp);
            o.profile = Some(dir.display().to_string());
        }
    }
    if let Some(l) = q.get("layout").filter(|l| !l.is_empty()) {
        use clap::ValueEnum;
        o.layout = Some(crate::projects::Layout::from_str(l, true).map_err(|_| {
            Reply::refuse(
                400,
                text!("未知的项目表格式 {l}", "unknown project layout {l}"),
            )
        })?);
    }
    Ok(o)
}

/// The cells a file's values were imported from, while its lines are
/// still those imported.
fn origins(state: &State, name: &str, text: &str) -> Vec<Origin> {
    #[derive(serde::Deserialize)]
    struct Kept {
        lines: usize,
        origins: Vec<Origin>,
    }
    std::fs::read(state.ws.origins_path(name))
        .ok()
        .and_then(|b| serde_json::from_slice::<Kept>(&b).ok())
        .filter(|k| k.lines == text.lines().count())
        .map(|k| k.origins)
        .unwrap_or_default()
}

/// `GET /api/files`: every department file, checked (in parallel), with
/// the pages and time of its last rendering.
fn files(state: &State) -> Reply {
    use rayon::prelude::*;
    let rendered = batch::last_outcomes(state);
    let list: Vec<Value> = state
        .ws
        .files()
        .par_iter()
        .map(|name| {
            let path = state.ws.dir.join(name);
            let bytes = std::fs::read(&path).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            let refused = match state.ws.unreadable(name) {
                Some(t) => Err(t),
                None => state.ws.refs_inside(name, &text),
            };
            if let Err(t) = refused {
                return json!({
                    "name": name, "version": version(&bytes), "errors": 1, "warnings": 0,
                    "first_error": t.zh, "pages": null, "rendered": null,
                });
            }
            let (errors, warnings, first) = match crate::check_str_with(
                name,
                &text,
                crate::Options {
                    base_dir: path.parent().map(|p| p.to_path_buf()),
                    ..Default::default()
                },
            ) {
                Ok(c) => {
                    let (e, w) = c.diags.counts();
                    (e, w, preview::first_error(&c.diags, Lang::Zh))
                }
                Err(d) => {
                    let (e, w) = d.counts();
                    (e, w, preview::first_error(&d, Lang::Zh))
                }
            };
            let last = rendered.get(name);
            json!({
                "name": name,
                "version": version(&bytes),
                "errors": errors,
                "warnings": warnings,
                "first_error": first,
                "pages": last.map(|o| o.0),
                "rendered": last.map(|o| o.1),
            })
        })
        .collect();
    Reply::json(
        200,
        json!({"files": list, "dir": state.ws.dir.display().to_string()}),
    )
}

/// A file that is no UTF-8 text (a TOML file saved in GBK, say), named.
fn not_utf8(name: &str, status: u16) -> Reply {
    let n = crate::diag::printable(name);
    Reply::refuse(
        status,
        text!(
            "「{n}」不是 UTF-8 文本：请在编辑器中以 UTF-8 编码另存后再上传",
            "\"{n}\" is not UTF-8 text: save it as UTF-8 in an editor and upload it again"
        ),
    )
}

fn not_found(name: &str) -> Reply {
    let n = crate::diag::printable(name);
    Reply::refuse(404, text!("没有文件「{n}」", "no file \"{n}\""))
}

/// `GET /api/file`: the text, its version and the imported cells.
fn open(state: &State, name: &str) -> Result<Reply, Reply> {
    if let Some(t) = state.ws.unreadable(name) {
        return Err(Reply::refuse(422, t));
    }
    let path = state
        .ws
        .path(name, &["toml"])
        .map_err(|t| Reply::refuse(400, t))?;
    let bytes = std::fs::read(&path).map_err(|_| not_found(name))?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| not_utf8(name, 422))?;
    let cells = origins(state, name, &text);
    Ok(Reply::json(
        200,
        json!({"name": name, "text": text, "version": version(&bytes), "imported": !cells.is_empty()}),
    ))
}

/// `PUT /api/file`: saves when `base` is the version on disk (`new` for a
/// file that must not exist yet); else refuses, never overwriting a save
/// made meanwhile in another tab.
fn save(state: &State, name: &str, base: &str, bytes: Vec<u8>) -> Result<Reply, Reply> {
    let path = state
        .ws
        .path(name, &["toml"])
        .map_err(|t| Reply::refuse(400, t))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Reply::refuse(422, text!("内容不是 UTF-8 文本", "the text is not UTF-8")))?;
    let _one = state.saving.lock().unwrap_or_else(|p| p.into_inner());
    let current = std::fs::read(&path).ok().map(|b| version(&b));
    let expected = (base != "new").then(|| base.to_string());
    if current != expected {
        return Err(Reply::refuse(
            409,
            text!(
                "未保存：这个文件已在别处（另一个标签页或程序）改过并保存。请先复制你的修改，重新打开文件后再改",
                "not saved: this file was changed and saved elsewhere (another tab or program). Copy your changes, open the file again and redo them"
            ),
        ));
    }
    crate::write_files(&[(path.clone(), text.as_bytes().to_vec())])
        .map_err(|e| Reply::refuse(500, e))?;
    Ok(Reply::json(
        200,
        json!({"name": name, "version": version(text.as_bytes())}),
    ))
}

/// `POST /api/upload`: a workbook is imported, in budget year `year` when
/// given (refused, writing nothing, when the import fails); a TOML file is kept as it is. An existing file
/// is replaced only when `replace` names its version.
fn upload(
    state: &State,
    name: &str,
    replace: Option<&str>,
    year: Option<i32>,
    bytes: Vec<u8>,
) -> Result<Reply, Reply> {
    let bad = |t| Reply::refuse(400, t);
    // The name as given, then the file it becomes.
    let given = state
        .ws
        .path(name, &["toml", "xlsx", "xls", "ods"])
        .map_err(bad)?;
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let target = format!("{stem}.toml");
    let path = state.ws.path(&target, &["toml"]).map_err(bad)?;
    let (toml, cells, diags) = if name.to_lowercase().ends_with(".toml") {
        let text = String::from_utf8(bytes).map_err(|_| not_utf8(name, 400))?;
        (text, vec![], None)
    } else {
        let file = given
            .file_name()
            .map_or(name.to_string(), |f| f.to_string_lossy().to_string());
        let imported = crate::workbook::import_workbook(&file, &bytes, year, None);
        if imported.diags.has_errors() {
            return Err(Reply::json(
                422,
                preview::outcome(&imported.diags, &[], None),
            ));
        }
        (imported.toml, imported.origins, Some(imported.diags))
    };
    let _one = state.saving.lock().unwrap_or_else(|p| p.into_inner());
    if let Ok(existing) = std::fs::read(&path)
        && replace != Some(version(&existing).as_str())
    {
        // The refusal names the version a confirmed replacement must give.
        let t = crate::diag::printable(&target);
        let why = text!(
            "工作目录里已有「{t}」；要替换它请确认",
            "\"{t}\" is already in the workspace; confirm to replace it"
        );
        return Err(Reply::json(
            409,
            json!({"error": {"zh": why.zh, "en": why.en}, "version": version(&existing)}),
        ));
    }
    let kept = json!({"lines": toml.lines().count(), "origins": cells});
    let mut writes = vec![(path.clone(), toml.clone().into_bytes())];
    let cells_path = state.ws.origins_path(&target);
    if let Some(dir) = cells_path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    writes.push((cells_path, kept.to_string().into_bytes()));
    crate::write_files(&writes).map_err(|e| Reply::refuse(500, e))?;
    let import_notes = diags.map(|d| preview::outcome(&d, &[], None));
    Ok(Reply::json(
        200,
        json!({"name": target, "version": version(toml.as_bytes()), "import": import_notes}),
    ))
}

fn json_body(bytes: Vec<u8>) -> Result<Value, Reply> {
    serde_json::from_slice(&bytes).map_err(|e| {
        Reply::refuse(
            400,
            text!("请求不是 JSON：{e}", "the request is not JSON: {e}"),
        )
    })
}

/// `POST /api/edit {text, edits}`: the form's edits written into the text
/// (comments and order kept), the refused ones with their reason, and the
/// form of the new text. Without edits, the form of the text.
fn edit(v: &Value) -> Result<Reply, Reply> {
    let text = v.get("text").and_then(Value::as_str).unwrap_or("");
    if text.len() as u64 > MAX_UPLOAD {
        return Err(too_big());
    }
    let edits = v
        .get("edits")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let (text, refused) = if edits.is_empty() {
        (text.to_string(), vec![])
    } else {
        form::apply(text, edits).map_err(|t| Reply::refuse(422, t))?
    };
    let form = form::view(&text);
    Ok(Reply::json(
        200,
        json!({"text": text, "refused": refused, "form": form}),
    ))
}

/// `POST /api/preview {name, text, profile, layout}`.
fn preview(state: &State, v: &Value) -> Result<Reply, Reply> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let (name, text) = (s("name"), s("text"));
    if text.len() as u64 > MAX_UPLOAD {
        return Err(too_big());
    }
    let mut q = BTreeMap::new();
    q.insert("profile".to_string(), s("profile"));
    q.insert("layout".to_string(), s("layout"));
    let mut options = options(state, &q)?;
    if let Ok(path) = state.ws.path(&name, &["toml"]) {
        options.base_dir = path.parent().map(|p| p.to_path_buf());
    }
    state
        .ws
        .refs_inside(&name, &text)
        .map_err(|t| Reply::refuse(403, t))?;
    let cells = origins(state, &name, &text);
    let req = preview::Request {
        name,
        text,
        options,
        origins: cells,
    };
    match preview::preview_within(&state.previewer, req) {
        Ok(out) => Ok(Reply::json(200, out)),
        Err(preview::NotMade::TooLong) => {
            let s = preview::TIMEOUT.as_secs();
            Err(Reply::refuse(
                504,
                text!(
                    "排版超过 {s} 秒，已放弃（文件太大，或模板里有很长的循环）",
                    "laying out took more than {s} s and was given up (a very large file, or a long loop in a template)"
                ),
            ))
        }
        Err(preview::NotMade::Failed) => Err(Reply::refuse(
            500,
            text!(
                "预览时出现内部错误：这是 yusuan 的缺陷，请报告；其他预览不受影响",
                "the preview stopped on an internal error: a defect of yusuan, please report it; other previews go on"
            ),
        )),
        Err(preview::NotMade::Busy) => {
            let n = preview::AT_ONCE;
            Err(Reply::refuse(
                503,
                text!(
                    "已有 {n} 个预览在排版，请稍候再试",
                    "{n} previews are already being laid out; try again shortly"
                ),
            ))
        }
    }
}

/// The PDF of `checked`, as `yusuan render` writes it (a fresh engine: the
/// same bytes whatever was previewed before).
fn pdf_of(state: &State, checked: crate::Checked, archival: bool) -> Result<Vec<u8>, String> {
    let engine = crate::typeset::Engine::new(&state.font_path)?.archival(archival);
    let profile = crate::profile::find(checked.report.department.profile)
        .expect("a checked report's profile exists");
    let renderer = crate::render::Renderer::for_profile(profile, None)?;
    let rendered = crate::render_checked(&engine, &renderer, checked).map_err(|e| e.to_string())?;
    Ok(rendered.pdf)
}

/// `GET /api/download`: the saved file rendered or exported as the
/// commands do (the PDF is byte for byte `yusuan render`'s).
fn download(
    state: &State,
    name: &str,
    format: &str,
    options: crate::Options,
) -> Result<Reply, Reply> {
    let path = state
        .ws
        .path(name, &["toml"])
        .map_err(|t| Reply::refuse(400, t))?;
    if !path.is_file() {
        return Err(not_found(name));
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    state
        .ws
        .refs_inside(name, &text)
        .map_err(|t| Reply::refuse(403, t))?;
    let mut options = options;
    options.base_dir = path.parent().map(|p| p.to_path_buf());
    let invalid = |d: &crate::diag::Diagnostics| {
        Reply::json(
            422,
            preview::outcome(d, &[], Some(d.to_short_string(Lang::Zh))),
        )
    };
    let checked = crate::check_file_with(&path, options).map_err(|d| invalid(&d))?;
    if checked.diags.has_errors() {
        return Err(invalid(&checked.diags));
    }
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.strip_suffix(".toml").unwrap_or(stem);
    let failed = |e: String| Reply::refuse(500, text!("{e}", "{e}"));
    Ok(match format {
        "pdf" | "pdfa" => Reply::download(
            "application/pdf",
            pdf_of(state, checked, format == "pdfa").map_err(failed)?,
            &format!("{stem}.pdf"),
        ),
        "xlsx" => Reply::download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            crate::export::xlsx(&checked).map_err(failed)?,
            &format!("{stem}.xlsx"),
        ),
        "json" => Reply::download(
            "application/json",
            crate::context_json(&checked.report).into_bytes(),
            &format!("{stem}.json"),
        ),
        "csv" => {
            let files: Vec<(String, Vec<u8>)> = crate::export::csv(&checked)
                .into_iter()
                .map(|f| (f.name, f.text.into_bytes()))
                .collect();
            Reply::download(
                "application/zip",
                batch::zip_of(&files).map_err(failed)?,
                &format!("{stem}-csv.zip"),
            )
        }
        other => {
            let o = crate::diag::printable(other);
            return Err(Reply::refuse(
                400,
                text!(
                    "未知的下载格式 {o}（pdf、pdfa、xlsx、json、csv）",
                    "unknown format {o} (pdf, pdfa, xlsx, json, csv)"
                ),
            ));
        }
    })
}
