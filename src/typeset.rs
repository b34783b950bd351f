//! Typst, in-process: fonts loaded once per process, one cheap world per
//! document, fixed virtual paths, comemo eviction, deterministic PDF export.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// Fonts shipped inside the binary (SIL OFL; see fonts/README.md).
const EMBEDDED_FONTS: &[&[u8]] = &[
    include_bytes!("../fonts/NotoSerifCJKsc-Regular-subset.otf"),
    SANS_REGULAR,
    SANS_BOLD,
];

/// The embedded sans-serif face (`yusuan serve`'s page is set in it too:
/// a browser without Chinese fonts still shows Chinese).
pub const SANS_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular-subset.otf");

/// Its bold.
pub const SANS_BOLD: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Bold-subset.otf");

/// Every document uses the same virtual path: FileIds are a global, capped interner.
static MAIN_ID: LazyLock<FileId> = LazyLock::new(|| {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new("/main.typ").expect("valid path"),
    )
    .intern()
});

/// A problem Typst reported, located in the generated source.
#[derive(Debug, Clone)]
pub struct TypstError {
    /// The message with its hints.
    pub message: String,
    /// 1-based line and column in the generated main.typ, when known.
    pub position: Option<(usize, usize)>,
    /// Byte offset in the generated main.typ, when known.
    pub offset: Option<usize>,
    /// The template file and line that wrote the offending source, when traced.
    pub template: Option<(String, usize)>,
}

impl std::fmt::Display for TypstError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.template, self.position) {
            (Some((name, line)), _) => write!(f, "{name}:{line}: {}", self.message),
            (None, Some((l, c))) => write!(f, "main.typ:{l}:{c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// The shared, read-only part of typesetting: library and fonts.
pub struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    archival: bool,
    caches: Caches,
}

/// What becomes of Typst's caches after a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caches {
    /// Emptied: the next document shares little, and a batch worker's
    /// memory stays flat.
    Evict,
    /// Kept for documents like the last (entries unused for ten documents
    /// are dropped).
    Warm,
    /// Left alone: the process renders one document and ends (emptying
    /// them costs time for nothing: 50 ms of kaiping's 365).
    Keep,
}

impl Engine {
    /// Loads the embedded fonts and every font file found in `font_paths`.
    pub fn new(font_paths: &[PathBuf]) -> Result<Engine, String> {
        let mut fonts: Vec<Font> = EMBEDDED_FONTS
            .iter()
            .flat_map(|b| Font::iter(Bytes::new(*b)))
            .collect();
        for dir in font_paths {
            load_font_dir(dir, &mut fonts)?;
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Engine {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            archival: false,
            caches: Caches::Evict,
        })
    }

    /// Writes PDF/A-2b (for archives) instead of plain PDF 1.7.
    pub fn archival(mut self, on: bool) -> Engine {
        self.archival = on;
        self
    }

    /// Keeps Typst's caches from one document to the next (`yusuan serve`:
    /// the same document again after a one-figure edit is laid out anew only
    /// where it changed); entries unused for ten documents are dropped.
    pub fn warm(mut self, on: bool) -> Engine {
        self.caches = if on { Caches::Warm } else { Caches::Evict };
        self
    }

    /// For a process that renders one document and ends: Typst's caches
    /// are not emptied after it.
    pub fn single(mut self) -> Engine {
        self.caches = Caches::Keep;
        self
    }

    /// Whether some loaded font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
    }

    /// Family names of the loaded fonts, deduplicated.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        v.dedup();
        v
    }

    /// Compiles Typst `source` to a laid-out document.
    pub fn compile(&self, source: String, year: i32) -> Result<PagedDocument, Vec<TypstError>> {
        self.compile_warned(source, year).0
    }

    /// [`Engine::compile`], with Typst's warnings (a font fallback, an
    /// unknown font family, …) beside the result.
    pub fn compile_warned(
        &self,
        source: String,
        year: i32,
    ) -> (Result<PagedDocument, Vec<TypstError>>, Vec<TypstError>) {
        let world = DocWorld {
            engine: self,
            main: Source::new(*MAIN_ID, source),
            today: Datetime::from_ymd(year, 1, 1),
        };
        let result = typst::compile::<PagedDocument>(&world);
        let warnings = result
            .warnings
            .iter()
            .map(|e| to_error(&world, e))
            .collect();
        let out = result
            .output
            .map_err(|errors| errors.iter().map(|e| to_error(&world, e)).collect());
        // In a batch, Typst's caches are cleared after every document: the
        // next one shares little with it (measured: no slower), and a long
        // document's layout caches are freed before the PDF export needs
        // memory (a 215-page document of 10,000 lines peaks at 866 MB
        // instead of 909 MB). A single render keeps them: it ends next.
        match self.caches {
            Caches::Evict => typst::comemo::evict(0),
            Caches::Warm => typst::comemo::evict(10),
            Caches::Keep => {}
        }
        (out, warnings)
    }

    /// Exports `doc` to PDF bytes; `ident` and `year` fix the identifiers and dates.
    pub fn pdf(
        &self,
        doc: &PagedDocument,
        ident: &str,
        year: i32,
    ) -> Result<Vec<u8>, Vec<TypstError>> {
        let pdf = self.pdf_unpacked(doc, ident, year)?;
        // Its small objects in compressed object streams (a third of the size).
        Ok(crate::pdfpack::pack(&pdf).unwrap_or(pdf))
    }

    /// [`Engine::pdf`] as the PDF writer writes it, before packing.
    pub fn pdf_unpacked(
        &self,
        doc: &PagedDocument,
        ident: &str,
        year: i32,
    ) -> Result<Vec<u8>, Vec<TypstError>> {
        let timestamp = Datetime::from_ymd_hms(year, 1, 1, 0, 0, 0).map(Timestamp::new_utc);
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some("yusuan".to_string())),
            timestamp,
            standards: if self.archival {
                typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b]).map_err(|e| {
                    vec![TypstError {
                        message: e.message().to_string(),
                        position: None,
                        offset: None,
                        template: None,
                    }]
                })?
            } else {
                typst_pdf::PdfStandards::default()
            },
            ..PdfOptions::default()
        };
        typst_pdf::pdf(doc, &options).map_err(|errors| {
            errors
                .iter()
                .map(|e| TypstError {
                    message: e.message.to_string(),
                    position: None,
                    offset: None,
                    template: None,
                })
                .collect::<Vec<_>>()
        })
    }
}

fn load_font_dir(dir: &Path, fonts: &mut Vec<Font>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read font directory {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            load_font_dir(&path, fonts)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
            let data = std::fs::read(&path)
                .map_err(|e| format!("cannot read font {}: {e}", path.display()))?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
    }
    Ok(())
}

fn to_error(world: &DocWorld, e: &SourceDiagnostic) -> TypstError {
    use typst::WorldExt;
    let offset = world.range(e.span).map(|r| r.start);
    let position = world.range(e.span).map(|r| {
        let text = world.main.text();
        let start = r.start.min(text.len());
        let before = &text[..start];
        (
            before.matches('\n').count() + 1,
            before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
        )
    });
    let mut message = match e.severity {
        TypstSeverity::Error => e.message.to_string(),
        TypstSeverity::Warning => format!("warning: {}", e.message),
    };
    for hint in &e.hints {
        message.push_str(&format!(" (hint: {})", hint.v));
    }
    TypstError {
        message,
        position,
        offset,
        template: None,
    }
}

/// One document's world: the generated source plus the shared engine.
struct DocWorld<'a> {
    engine: &'a Engine,
    main: Source,
    today: Option<Datetime>,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// The laid-out text of each page, as runs in frame order.
///
/// This is what the reader sees, read back from Typst's frames: tests assert
/// on it, and [`missing_glyphs`] uses the same walk.
pub fn page_runs(doc: &PagedDocument) -> Vec<Vec<String>> {
    doc.pages()
        .iter()
        .map(|p| {
            let mut runs = vec![];
            walk_text(&p.frame, &mut |t| runs.push(t.text.to_string()));
            runs
        })
        .collect()
}

/// Runs of text that were set with a missing glyph (a box in the PDF).
pub fn missing_glyphs(doc: &PagedDocument) -> Vec<String> {
    let mut out = vec![];
    for p in doc.pages() {
        walk_text(&p.frame, &mut |t| {
            if t.glyphs.iter().any(|g| g.id == 0) {
                out.push(t.text.to_string());
            }
        });
    }
    out
}

fn walk_text(frame: &typst::layout::Frame, f: &mut dyn FnMut(&typst::text::TextItem)) {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(g) => walk_text(&g.frame, f),
            typst::layout::FrameItem::Text(t) => f(t),
            _ => {}
        }
    }
}
