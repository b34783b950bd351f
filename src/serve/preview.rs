//! The preview: one warm engine (Typst's caches kept between documents, so
//! a one-figure edit lays out again only what changed), the last documents
//! laid out, each page as Typst's own SVG, made when asked for and named by
//! the hash of its content (a page that did not change keeps its name and
//! is not fetched again).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::diag::{Diagnostics, Lang};
use crate::import::Origin;
use crate::render::Renderer;
use crate::typeset::Engine;

/// How many laid-out documents are kept for their pages to be fetched.
const KEPT: usize = 6;

/// A laid-out document and its pages' names.
struct Laid {
    id: String,
    document: Arc<typst_layout::PagedDocument>,
    pages: Vec<String>,
}

/// The warm engine and the documents it laid out last.
pub struct Previewer {
    engine: Engine,
    /// One document typeset at a time: Typst's own layout is parallel.
    busy: Mutex<()>,
    laid: Mutex<Vec<Laid>>,
    /// Previews running or waiting for the engine.
    pending: std::sync::atomic::AtomicUsize,
}

/// What to preview: the text being edited and how to print it.
pub struct Request {
    /// The file name (messages name it).
    pub name: String,
    /// The TOML text, saved or not.
    pub text: String,
    /// Check and print with these options (profile, layout, base directory).
    pub options: crate::Options,
    /// The workbook cells the file's values were imported from.
    pub origins: Vec<Origin>,
}

/// How long a preview may take before the page hears that it was given up
/// (a batch document's own limit is `render --timeout`).
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// At most this many previews at once, running or waiting for the engine:
/// a page sends one at a time, so more is a client gone wrong.
pub const AT_ONCE: usize = 4;

/// Why a preview was not made.
pub enum NotMade {
    /// It took longer than [`TIMEOUT`] (the layout goes on in the background
    /// and frees the engine when done).
    TooLong,
    /// [`AT_ONCE`] previews are already under way.
    Busy,
    /// The preview stopped on a defect (a panic): its slot is free again.
    Failed,
}

/// One of the [`AT_ONCE`] preview slots, given back when dropped — also
/// when the preview panics, so a defect never leaks a slot.
struct Slot(Arc<Previewer>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0
            .pending
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// [`Previewer::preview`] on its own thread, given up after [`TIMEOUT`].
pub fn preview_within(previewer: &Arc<Previewer>, req: Request) -> Result<Value, NotMade> {
    use std::sync::atomic::Ordering;
    if previewer.pending.fetch_add(1, Ordering::SeqCst) >= AT_ONCE {
        previewer.pending.fetch_sub(1, Ordering::SeqCst);
        return Err(NotMade::Busy);
    }
    let slot = Slot(previewer.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let slot = slot;
        super::panic_for_tests("preview");
        let out = slot.0.preview(req);
        drop(slot);
        let _ = tx.send(out);
    });
    rx.recv_timeout(TIMEOUT).map_err(|e| match e {
        std::sync::mpsc::RecvTimeoutError::Timeout => NotMade::TooLong,
        // The thread ended without an answer: it panicked.
        std::sync::mpsc::RecvTimeoutError::Disconnected => NotMade::Failed,
    })
}

impl Previewer {
    /// A previewer whose engine has the embedded fonts and `font_paths`.
    pub fn new(font_paths: &[std::path::PathBuf]) -> Result<Previewer, String> {
        Ok(Previewer {
            engine: Engine::new(font_paths)?.warm(true),
            busy: Mutex::new(()),
            laid: Mutex::new(vec![]),
            pending: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Checks and lays out `req`: `{diagnostics, errors, warnings, doc,
    /// pages: [page names], texts: [each page's text], failure}`. A
    /// document with errors is not laid out (`doc` is null).
    pub fn preview(&self, req: Request) -> Value {
        let origins = req.origins.as_slice();
        let (base_dir, layout) = (req.options.base_dir.clone(), req.options.layout);
        let checked = match crate::check_str_with(&req.name, &req.text, req.options) {
            Ok(c) => c,
            Err(diags) => return outcome(&diags, origins, None),
        };
        if checked.diags.has_errors() {
            return outcome(&checked.diags, origins, None);
        }
        let profile = crate::profile::find(checked.report.department.profile)
            .expect("a checked report's profile exists");
        // A workspace profile's own templates are tried first in a bounded
        // child: a loop in one stops its preview, never the server.
        if let Some(dir) = profile.foreign_templates()
            && let Err(failure) = tried(&req.text, base_dir.as_deref(), profile, layout, &dir)
        {
            return outcome(&checked.diags, origins, Some(failure));
        }
        let renderer = match Renderer::for_profile(profile, None) {
            Ok(r) => r,
            Err(e) => {
                return outcome(&checked.diags, origins, Some(e));
            }
        };
        let id = crate::ident(&format!(
            "{}\u{0}{}\u{0}{:?}",
            req.text, profile.name, checked.report.department.profile
        ));
        let source_diags = checked.diags.clone();
        let _busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        match crate::typeset_checked(&self.engine, &renderer, checked) {
            Ok((diags, document, _)) => {
                let pages: Vec<String> = document
                    .pages()
                    .iter()
                    .map(|p| format!("{:032x}", typst::utils::hash128(&p.frame)))
                    .collect();
                let texts: Vec<String> = crate::typeset::page_runs(&document)
                    .into_iter()
                    .map(|runs| runs.join(" "))
                    .collect();
                let mut laid = self.laid.lock().unwrap_or_else(|p| p.into_inner());
                laid.retain(|l| l.id != id);
                laid.push(Laid {
                    id: id.clone(),
                    document: Arc::new(document),
                    pages: pages.clone(),
                });
                if laid.len() > KEPT {
                    laid.remove(0);
                }
                let mut v = outcome(&diags, origins, None);
                v["doc"] = json!(id);
                v["pages"] = json!(pages);
                v["texts"] = json!(texts);
                v
            }
            Err(crate::RenderError::Invalid(d)) => outcome(&d, origins, None),
            Err(e) => outcome(&source_diags, origins, Some(e.to_string())),
        }
    }

    /// Page `n` (from 1) of the laid-out document `doc`, when that document
    /// is still kept: as PNG at `scale` pixels per point (what the page
    /// shows: a browser paints it at once, where a CJK page's SVG of glyph
    /// outlines costs it some 200 ms), else as SVG.
    pub fn page(&self, doc: &str, n: usize, png: Option<f32>) -> Option<(&'static str, Vec<u8>)> {
        let document = {
            let laid = self.laid.lock().unwrap_or_else(|p| p.into_inner());
            let l = laid.iter().find(|l| l.id == doc)?;
            l.pages.get(n.checked_sub(1)?)?;
            l.document.clone()
        };
        let page = document.pages().get(n - 1)?;
        match png {
            Some(scale) => {
                let options = typst_render::RenderOptions {
                    pixel_per_pt: f64::from(scale.clamp(0.5, 4.0)).into(),
                    ..Default::default()
                };
                let pixmap = typst_render::render(page, &options);
                Some(("image/png", png_of(&pixmap)?))
            }
            None => Some((
                "image/svg+xml",
                typst_svg::svg(page, &typst_svg::SvgOptions::default()).into_bytes(),
            )),
        }
    }
}

/// Renders `text` with `profile` in a bounded child (`yusuan render` on a
/// hidden copy beside the file, so that what it names resolves alike);
/// `Err` says why the templates of `dir` cannot be laid out here.
fn tried(
    text: &str,
    base: Option<&std::path::Path>,
    profile: &crate::profile::Profile,
    layout: Option<crate::projects::Layout>,
    dir: &std::path::Path,
) -> Result<(), String> {
    use crate::limits::{Ended, TEMPLATE_MEMORY_MB, run_bounded};
    // A name of its own per try: two previews of one text never share (and
    // remove) each other's copy.
    static TRIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = TRIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let id = format!("{}-{}-{n}", crate::ident(text), std::process::id());
    let base = base.map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
    let input = base.join(format!(".yusuan-try-{id}.toml"));
    let output = std::env::temp_dir().join(format!("yusuan-try-{id}.pdf"));
    std::fs::write(&input, text).map_err(|e| e.to_string())?;
    let mut args: Vec<std::ffi::OsString> = vec![
        "render".into(),
        input.clone().into(),
        "-o".into(),
        output.clone().into(),
        "--profile".into(),
        profile.name.clone().into(),
    ];
    if let Some(l) = layout {
        use clap::ValueEnum;
        if let Some(v) = l.to_possible_value() {
            args.extend(["--layout".into(), v.get_name().into()]);
        }
    }
    let ended = run_bounded(&args, TIMEOUT / 2, false);
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    let d = dir.display();
    match ended {
        Ok(Ended::OutOfMemory) => {
            let mb = TEMPLATE_MEMORY_MB;
            Err(format!(
                "用 {d} 里的模板排版时用尽了 {mb} MB 内存，已停止（模板里可能有极大的循环、字符串或数组） / laying out with the templates in {d} used up {mb} MB of memory and was stopped"
            ))
        }
        Ok(Ended::TimedOut) => {
            let s = (TIMEOUT / 2).as_secs();
            Err(format!(
                "用 {d} 里的模板排版超过 {s} 秒，已停止（模板里可能有极长的循环） / laying out with the templates in {d} took more than {s} s and was stopped"
            ))
        }
        // Other failures (a template error) are found and located in-process.
        Ok(Ended::Exited(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// A rendered page as an opaque RGB PNG, compressed fast: it crosses the
/// loopback once, where time counts and size hardly does.
fn png_of(pixmap: &tiny_skia::Pixmap) -> Option<Vec<u8>> {
    let mut rgb = Vec::with_capacity(pixmap.data().len() / 4 * 3);
    for px in pixmap.pixels() {
        // Pages are opaque (white paper); what is not is laid on white.
        let c = px.demultiply();
        let a = u32::from(c.alpha());
        let on_white = |v: u8| ((u32::from(v) * a + 255 * (255 - a)) / 255) as u8;
        rgb.extend([on_white(c.red()), on_white(c.green()), on_white(c.blue())]);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&rgb).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// The JSON of a check's outcome: every diagnostic with its line and
/// column, the workbook cell its value came from, the figures compared and
/// what the rule checks, in both languages.
pub fn outcome(diags: &Diagnostics, origins: &[Origin], failure: Option<String>) -> Value {
    let (errors, warnings) = diags.counts();
    let items: Vec<Value> = diags
        .items
        .iter()
        .map(|d| {
            let at = d.span.as_ref().map(|s| diags.line_col(s.start));
            let cell = d
                .span
                .as_ref()
                .and_then(|s| crate::import::origin_of(origins, &diags.source, s.start))
                .map(|o| o.cell.clone());
            let explain = crate::diag::RULES
                .iter()
                .find(|(id, ..)| *id == d.rule)
                .map(|(_, zh, en)| json!({"zh": zh, "en": en}));
            let notes: Vec<Value> = d
                .notes
                .iter()
                .map(|n| json!({"zh": n.zh, "en": n.en}))
                .collect();
            json!({
                "severity": d.severity,
                "rule": d.rule,
                "line": at.map(|a| a.0),
                "column": at.map(|a| a.1),
                "cell": cell,
                "message": {"zh": d.message.zh, "en": d.message.en},
                "notes": notes,
                "figures": d.figures.as_ref().map(|f| json!({
                    "declared": f.declared.to_string(),
                    "computed": f.computed.to_string(),
                    "difference": f.difference.to_string(),
                    "tolerance": f.tolerance.normalize().to_string(),
                })),
                "explain": explain,
                // The lines a mismatched total sums: where a mistyped figure may be.
                "related": d.related.iter().map(|r| diags.line_col(r.start).0).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "errors": errors,
        "warnings": warnings,
        "diagnostics": items,
        "doc": null,
        "pages": [],
        "texts": [],
        "failure": failure,
    })
}

/// The first error of `diags` with its place, in `lang` (the workspace list shows it).
pub fn first_error(diags: &Diagnostics, lang: Lang) -> Option<String> {
    diags
        .items
        .iter()
        .find(|d| d.severity == crate::diag::Severity::Error)
        .map(|d| format!("{}: {}", diags.location(d), d.message.get(lang)))
}
