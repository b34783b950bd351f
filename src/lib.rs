//! yusuan (预算): one TOML file per department and year → the official-format
//! 部门预算 PDF.
//!
//! Data flows one way: [`load`] (TOML → typed input) → [`validate`] (codes,
//! names, units → a [`validate::Budget`]) → [`compute`] (every subtotal and
//! total → a [`Report`]) → [`reconcile`] (rules R1–R14 against the
//! declared totals) → [`render`] (minijinja templates → Typst source) →
//! [`typeset`] (Typst in-process → PDF).

#![warn(missing_docs)]

pub mod batch;
pub mod catalogue;
pub mod cli;
pub mod compute;
pub mod consolidate;
pub mod diag;
pub mod domain;
pub mod export;
pub mod facts;
pub mod figures;
pub mod import;
pub mod lastyear;
pub mod layout;
pub mod limits;
pub mod lists;
pub mod load;
pub mod model;
pub mod narrative;
pub mod pdfpack;
pub mod profile;
pub mod projects;
pub mod prose;
pub mod reconcile;
pub mod records;
pub mod render;
pub mod serve;
pub mod synthetic;
pub mod tables;
pub mod typeset;
pub mod validate;
pub mod workbook;

use std::path::{Path, PathBuf};

use diag::{Diagnostic, Diagnostics};
pub use diag::{Lang, Text};
use minijinja::Value;

/// Everything a template sees: the computed document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Header data of every table.
    pub department: validate::Department,
    /// The profile's settings.
    pub style: crate::profile::Style,
    /// The nine tables, when the file has budget lines.
    pub tables: Option<compute::Tables>,
    /// The project performance tables, when the file has projects.
    pub projects: Option<crate::projects::ProjectReport>,
    /// The document's text sections and generated paragraphs, when the file has any.
    pub narrative: Option<narrative::Narrative>,
}

/// A checked input: the computed report and every diagnostic (warnings only
/// when the report is usable).
pub struct Checked {
    /// The computed tables.
    pub report: Report,
    /// Warnings (and errors, when [`Diagnostics::has_errors`]).
    pub diags: Diagnostics,
    /// The validated lines, in 元 (what consolidation sums).
    pub budget: validate::Budget,
    /// The file as read: what `--emit xlsx` copies of the document around
    /// the tables (sections, last year's totals, 政府采购, 国有资产).
    pub file: model::BudgetFile,
}

/// Choices that change what is computed or printed.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Print the projects in this layout, whatever the file says.
    pub layout: Option<projects::Layout>,
    /// Print in this regional profile, whatever the file says: a built-in's
    /// name or a profile directory.
    pub profile: Option<String>,
    /// The directory a file's `profile = "dir"` is relative to (the file's own).
    pub base_dir: Option<PathBuf>,
}

/// Loads, validates, computes and reconciles `path`. `Err` holds the
/// diagnostics when the file cannot be read or parsed at all.
pub fn check_file(path: &Path) -> Result<Checked, Diagnostics> {
    check_file_with(path, Options::default())
}

/// [`check_file`] with options.
pub fn check_file_with(path: &Path, options: Options) -> Result<Checked, Diagnostics> {
    let loaded = load::load_file::<model::BudgetFile>(path)?;
    let mut options = options;
    if options.base_dir.is_none() {
        options.base_dir = path.parent().map(Path::to_path_buf);
    }
    Ok(check_loaded(loaded, options))
}

/// Same as [`check_file`] for text already in memory.
pub fn check_str(name: &str, text: &str) -> Result<Checked, Diagnostics> {
    check_str_with(name, text, Options::default())
}

/// [`check_str`] with options.
pub fn check_str_with(name: &str, text: &str, options: Options) -> Result<Checked, Diagnostics> {
    let loaded = load::load_str::<model::BudgetFile>(name, text.to_string())?;
    Ok(check_loaded(loaded, options))
}

/// The profile the document is printed in (`options`' or else the file's)
/// and the file's own (whose units its declared figures are in). An unknown
/// name or a broken profile directory is an error; its own diagnostics
/// (pointing into the profile's files) are added.
fn resolve_profile(
    file: &model::BudgetFile,
    options: &Options,
    diags: &mut Diagnostics,
) -> (&'static profile::Profile, &'static profile::Profile) {
    let default = || profile::find(profile::DEFAULT).expect("the default profile exists");
    let mut resolve = |spec: &str, span: Option<std::ops::Range<usize>>, base: Option<&Path>| {
        profile::resolve(spec, base).unwrap_or_else(|found| {
            // An unknown name is one message; a broken profile directory's
            // problems are each one, at their own file:line:col.
            match found.items.as_slice() {
                [one] if one.span.is_none() && found.source.is_empty() => {
                    diags.push(Diagnostic::error("profile", span, one.message.clone()));
                }
                items => {
                    for d in items {
                        let at = found.location(d);
                        let (zh, en) = (&d.message.zh, &d.message.en);
                        let (rule, sev) = (d.rule, diag::severity_word(d.severity, diag::Lang::Zh));
                        let sev_en = diag::severity_word(d.severity, diag::Lang::En);
                        diags.push(Diagnostic::error(
                            "profile",
                            span.clone(),
                            text!("{at}: {sev}[{rule}]: {zh}", "{at}: {sev_en}[{rule}]: {en}"),
                        ));
                    }
                }
            }
            default()
        })
    };
    let from_file = file.department.get_ref().profile.as_ref();
    let own = match from_file {
        Some(p) => resolve(p.get_ref(), Some(p.span()), options.base_dir.as_deref()),
        None => default(),
    };
    let printed = match &options.profile {
        Some(p) => resolve(p, None, None),
        None => own,
    };
    (printed, own)
}

fn check_loaded(loaded: load::Loaded<model::BudgetFile>, options: Options) -> Checked {
    let mut diags = loaded.diags;
    let mut file = loaded.value;
    let (direct, made) = facts::fold(&mut file, &mut diags);
    lastyear::consistent(&file, &mut diags);
    lastyear::apply(&mut file, options.base_dir.as_deref(), &mut diags);
    let owned = file;
    let file = &owned;
    let (profile, own) = resolve_profile(file, &options, &mut diags);
    let mut budget = validate::validate(file, profile, own, direct, &made, &mut diags);
    let (lists, list_facts) = lists::read(file, profile, &mut diags);
    budget.lists = lists;
    budget.details.extend(list_facts);
    lastyear::budget_from(file, options.base_dir.as_deref(), &mut budget, &mut diags);
    reconcile::given(&budget, file, &mut diags);
    let has_tables = !file.expenditure.is_empty()
        || !file.basic_economic.is_empty()
        || file.sangong.is_some()
        || !file.list.is_empty();
    let mut tables =
        has_tables.then(|| compute::compute(&budget, &profile.tables, &budget.table_units));
    // The declared figures the tables print (the narrative says the same).
    let mut printed_cells = vec![];
    if budget.rejected > 0 {
        // Follow-on errors would only repeat the malformed codes' missing money.
        diags.push(Diagnostic::warning(
            "skipped",
            None,
            {
                let n = budget.rejected;
                text!(
                    "合计未核对：有 {n} 行编码格式不对，不在任何表中；请改正编码后再检查",
                    "the totals were not checked: {n} line(s) with a malformed code are missing from every table; correct the code(s) and check again"
                )
            },
        ));
    } else if let Some(t) = &mut tables {
        // Declared figures are checked against the tables they were copied
        // from: the file's own profile, in its units.
        let own = budget.declared_profile;
        // (A profile directory copied from the file's own prints its tables.)
        let declared_tables = ((own.name != profile.name && own.tables != profile.tables)
            || budget.declared_units != budget.table_units)
            .then(|| compute::compute(&budget, &own.tables, &budget.declared_units));
        let printed = reconcile::reconcile(
            &budget,
            file,
            declared_tables.as_ref().unwrap_or(t),
            &mut diags,
        );
        reconcile::coverage(&budget, t, &mut diags);
        // What the budget system printed prints, in the tables it was
        // declared for (the same profile and units), unless the file (or
        // else its profile) says `print = "computed"`.
        let chosen = file.department.get_ref().print.as_ref();
        let declared_print = chosen.map_or(profile.print_declared, |p| {
            validate::choose(&mut diags, "print", p, domain::PRINT_CHOICES, true)
        });
        if declared_print && declared_tables.is_none() {
            compute::print_declared(t, &printed);
            printed_cells = printed;
        }
    }
    let projects = projects::compute(
        file,
        budget.scale(),
        budget.department.unit,
        options.layout.or(profile.layout),
        &mut diags,
    );
    if let (Some(_), Some(p), 0) = (&tables, &projects, budget.rejected) {
        projects::against_tables(file, &budget, p, &mut diags);
    }
    let style = validate::style(file, profile, &mut diags);
    let narrative = narrative::build(
        file,
        &budget,
        &printed_cells,
        style,
        profile.sentence,
        projects.as_ref(),
        &mut diags,
    );
    narrative::required(file, profile, &mut diags);
    profile::apply_checks(profile, &mut diags);
    if tables.is_none() && projects.is_none() {
        diags.push(Diagnostic::error(
            "empty",
            None,
            text!(
                "文件中既没有预算行（[[expenditure]]、[[basic_economic]]、[sangong]），也没有项目（[[project]]）",
                "the file has neither budget lines ([[expenditure]], [[basic_economic]], [sangong]) nor projects ([[project]])"
            ),
        ));
    }
    let report = Report {
        department: budget.department.clone(),
        style,
        tables,
        projects,
        narrative,
    };
    Checked {
        report,
        diags,
        budget,
        // With the records folded into its lines: what the tables were computed from.
        file: owned,
    }
}

/// The template context of a report: `{ report: … }`.
pub fn context(report: &Report) -> Value {
    minijinja::context! { report => Value::from(minijinja::value::Serde(report)) }
}

/// The template context as JSON (what `yusuan context` prints).
pub fn context_json(report: &Report) -> String {
    let value = serde_json::json!({ "report": report });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Reports every character of the report's text that no loaded font can show,
/// and every invisible or control character, naming the field and pointing
/// at its first occurrence in the input file. `check` and `render` both run it.
pub fn check_glyphs(engine: &typeset::Engine, report: &Report, diags: &mut Diagnostics) {
    // A quick pass over the report as JSON text: nearly always every
    // character is printable and covered, and the fields need not be named.
    // (serde_json writes control characters as `\u…` escapes.)
    let text = serde_json::to_string(report).unwrap_or_default();
    let mut known = vec![0u64; (char::MAX as usize >> 6) + 1];
    let clean = !text.contains("\\u")
        && text.chars().all(|c| {
            let (word, bit) = (c as usize >> 6, 1u64 << (c as usize & 63));
            if known[word] & bit != 0 {
                return true;
            }
            known[word] |= bit;
            !diag::is_invisible(c) && (spaced(c) || engine.covers(c))
        });
    if clean {
        return;
    }
    let json = serde_json::to_value(report).unwrap_or_default();
    let mut missing: Vec<(char, String)> = vec![];
    // Each distinct character is looked up once: a document repeats few. A
    // bit per code point (139 KB) beats hashing millions of characters.
    let mut seen = vec![0u64; (char::MAX as usize >> 6) + 1];
    let mut invisible: Vec<(char, String)> = vec![];
    walk_strings(&json, &mut String::new(), &mut |path, s| {
        for c in s.chars() {
            let (word, bit) = (c as usize >> 6, 1u64 << (c as usize & 63));
            if seen[word] & bit != 0 {
                continue;
            }
            seen[word] |= bit;
            if diag::is_invisible(c) {
                invisible.push((c, path.to_string()));
            } else if !spaced(c) && !engine.covers(c) {
                missing.push((c, path.to_string()));
            }
        }
    });
    for (c, field) in invisible {
        let span = diags.source.find(c).map(|at| at..at + c.len_utf8());
        diags.push(Diagnostic::error(
            "invisible",
            span,
            {
                let cp = format!("U+{:04X}", c as u32);
                text!(
                    "{field} 中有不可见字符 {cp}：它印不出来，或会挪动周围的文字；请删除",
                    "an invisible character {cp} is in {field}: it prints as nothing or moves the text around it; delete it"
                )
            },
        ));
    }
    for (c, field) in missing {
        let span = diags.source.find(c).map(|at| at..at + c.len_utf8());
        diags.push(
            Diagnostic::error("glyph", span, {
                let cp = format!("U+{:04X}", c as u32);
                text!(
                    "{field} 中的字符 '{c}'（{cp}）没有任何字体包含，会印成方框",
                    "character '{c}' ({cp}) in {field} is in no font, so it would print as a box"
                )
            })
            .with_note(text!(
                "用 --font-path 目录 加入包含它的字体，或改正这个字",
                "add a font that has it with --font-path DIR, or correct the character"
            )),
        );
    }
}

/// Whether Typst sets `c` as a space without a font's glyph: every
/// Unicode space but U+1680 OGHAM SPACE MARK, which is drawn (and is in
/// none of the embedded fonts).
fn spaced(c: char) -> bool {
    c.is_whitespace() && c != '\u{1680}'
}

fn walk_strings(v: &serde_json::Value, path: &mut String, f: &mut dyn FnMut(&str, &str)) {
    match v {
        serde_json::Value::String(s) => f(path, s),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_strings(item, path, f);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                walk_strings(item, path, f);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// A stable identifier of an input, for the PDF's document id.
pub fn ident(text: &str) -> String {
    // FNV-1a: stable across Rust versions, unlike DefaultHasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("yusuan-{h:016x}")
}

/// Why a document was not rendered.
#[derive(Debug)]
pub enum RenderError {
    /// The input has errors (the diagnostics hold them, with warnings).
    Invalid(Diagnostics),
    /// A template failed (names the template and line).
    Template(String),
    /// Typst rejected the generated source, or a glyph is missing.
    Typeset(Vec<typeset::TypstError>),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Invalid(d) => write!(f, "{d}"),
            RenderError::Template(m) => f.write_str(m),
            RenderError::Typeset(errs) => {
                for e in errs {
                    writeln!(f, "typesetting failed: {e}")?;
                }
                Ok(())
            }
        }
    }
}

/// Traces Typst errors back to the template lines that wrote them: renders
/// again with line markers and compiles that (only after a failure, so a
/// good document pays nothing).
fn trace(
    engine: &typeset::Engine,
    renderer: &render::Renderer,
    report: &Report,
    errors: Vec<typeset::TypstError>,
    warnings: bool,
) -> Vec<typeset::TypstError> {
    let Ok(marked) = renderer.render_marked(render::ENTRY, context(report)) else {
        return errors;
    };
    let (result, warned) = engine.compile_warned(marked.clone(), report.department.year);
    let found = match result {
        Err(traced) if !warnings => traced,
        _ if warnings => warned,
        _ => vec![],
    };
    match found {
        traced if traced.len() == errors.len() => traced
            .into_iter()
            .zip(errors)
            .map(|(t, mut e)| {
                e.template = t.offset.and_then(|o| render::template_origin(&marked, o));
                e
            })
            .collect(),
        _ => errors,
    }
}

/// A rendered document.
pub struct Rendered {
    /// Warnings about the input.
    pub diags: Diagnostics,
    /// The laid-out pages.
    pub document: typst_layout::PagedDocument,
    /// The PDF bytes.
    pub pdf: Vec<u8>,
}

/// The first half of [`render_checked`], what a preview needs: the glyph
/// check, the templates and Typst's layout. The diagnostics (with Typst's
/// warnings), the laid-out pages and the budget year.
pub fn typeset_checked(
    engine: &typeset::Engine,
    renderer: &render::Renderer,
    checked: Checked,
) -> Result<(Diagnostics, typst_layout::PagedDocument, i32), RenderError> {
    let mut diags = checked.diags;
    // The glyph check runs beside the template (on a second core when there is one).
    let (glyphs, source) = std::thread::scope(|s| {
        let glyphs = s.spawn(|| {
            let mut found = Diagnostics::new(diags.file.clone(), diags.source.clone());
            check_glyphs(engine, &checked.report, &mut found);
            found.items
        });
        let source = renderer.render(render::ENTRY, context(&checked.report));
        let glyphs = glyphs
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (glyphs, source)
    });
    diags.items.extend(glyphs);
    if diags.has_errors() {
        return Err(RenderError::Invalid(diags));
    }
    let source = source.map_err(RenderError::Template)?;
    let year = checked.report.department.year;
    let (compiled, warnings) = engine.compile_warned(source, year);
    // Typst's warnings, at the template line that wrote the source they are about.
    if !warnings.is_empty() {
        for w in trace(engine, renderer, &checked.report, warnings, true) {
            let w = w.to_string().replacen("warning: ", "", 1);
            diags.push(Diagnostic::warning(
                "typst",
                None,
                text!("排版警告：{w}", "typesetting warning: {w}"),
            ));
        }
    }
    match compiled {
        Ok(document) => Ok((diags, document, year)),
        Err(errors) => Err(RenderError::Typeset(trace(
            engine,
            renderer,
            &checked.report,
            errors,
            false,
        ))),
    }
}

/// Checks `checked` for glyphs, renders it with `renderer` and typesets it with `engine`.
pub fn render_checked(
    engine: &typeset::Engine,
    renderer: &render::Renderer,
    checked: Checked,
) -> Result<Rendered, RenderError> {
    let (mut diags, document, year) = typeset_checked(engine, renderer, checked)?;
    // The page checks run beside the PDF export (on a second core when there
    // is one); the PDF is kept only when they pass.
    let ident = ident(&diags.source);
    let ((missing, problems), pdf) = std::thread::scope(|s| {
        let checks = s.spawn(|| {
            (
                typeset::missing_glyphs(&document),
                layout::problems(&document),
            )
        });
        let pdf = engine.pdf(&document, &ident, year);
        let checked = checks
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (checked, pdf)
    });
    if !missing.is_empty() {
        let errs = missing
            .into_iter()
            .map(|text| typeset::TypstError {
                message: format!("no font has a glyph in \"{text}\""),
                position: None,
                offset: None,
                template: None,
            })
            .collect();
        return Err(RenderError::Typeset(errs));
    }
    if !problems.is_empty() {
        let mut pages: Vec<usize> = problems.iter().map(|p| p.page).collect();
        pages.dedup();
        let sample: String = problems.iter().take(12).map(|p| p.text.as_str()).collect();
        diags.push(Diagnostic::warning(
            "layout-check",
            None,
            {
                let summary = layout::summary(&problems);
                let pages = pages
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                text!(
                    "第 {pages} 页有无法看清的文字：{summary}（在 \"{sample}\" 附近）；模板印的内容超出了单元格",
                    "text that cannot be read on page(s) [{pages}]: {summary} (around \"{sample}\"); the template prints more than its cells hold"
                )
            },
        ));
    }
    let pdf = pdf.map_err(RenderError::Typeset)?;
    Ok(Rendered {
        diags,
        document,
        pdf,
    })
}

/// The district summary table (one row per department, 合计 first) as a
/// PDF, headed with the district `report`'s name and year.
pub fn district_summary_pdf(report: &Report, rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let renderer = render::Renderer::new(None)?;
    let mut department = serde_json::to_value(&report.department).map_err(|e| e.to_string())?;
    department["unit"] = "万元".into();
    department["code"] = "".into();
    let context = minijinja::context! {
        report => minijinja::Value::from(minijinja::value::Serde(serde_json::json!({
            "department": department,
            "style": report.style,
        }))),
        district => minijinja::context! { rows => rows.to_vec() },
    };
    let source = renderer.render("district.typ.j2", context)?;
    let engine = typeset::Engine::new(&[])?;
    let year = report.department.year;
    let joined = |e: Vec<typeset::TypstError>| {
        e.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let doc = engine.compile(source, year).map_err(joined)?;
    engine
        .pdf(&doc, &ident(&format!("{rows:?}")), year)
        .map_err(joined)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it: a
/// failure never leaves a half-written file behind. The file gets the
/// permissions any tool gives (0666 less the umask), not a temp file's 0600.
pub fn write_atomically(path: &Path, bytes: &[u8], lang: Lang) -> Result<(), String> {
    write_all_or_none(&[(path.to_path_buf(), bytes.to_vec())], lang)
}

/// Writes every file, or none: each goes to a temporary file beside its
/// path first (its directory must exist), and only when all are written whole
/// are they renamed into place. A failure removes the temporary files and
/// leaves every old file as it was.
pub fn write_all_or_none(
    files: &[(std::path::PathBuf, Vec<u8>)],
    lang: Lang,
) -> Result<(), String> {
    write_files(files).map_err(|t| t.get(lang).to_string())
}

/// [`write_all_or_none`], its failure said in both languages (what the
/// server answers).
pub fn write_files(files: &[(std::path::PathBuf, Vec<u8>)]) -> Result<(), Text> {
    // Something that is no file where one goes (a directory) fails the
    // whole set before anything is written.
    for (path, _) in files {
        if let Ok(m) = std::fs::symlink_metadata(path)
            && !m.is_file()
        {
            let p = path.display();
            return Err(text!(
                "无法写入 {p}：那里已有一个同名的目录或非普通文件",
                "cannot write {p}: a directory or other non-file stands there"
            ));
        }
    }
    let mut temps: Vec<std::path::PathBuf> = vec![];
    for (path, bytes) in files {
        match write_temp(path, bytes) {
            Ok(t) => temps.push(t),
            Err(e) => {
                for t in &temps {
                    let _ = std::fs::remove_file(t);
                }
                return Err(e);
            }
        }
    }
    // Old files are set aside first, so that a failed rename can put every
    // one of them back.
    let mut backups: Vec<(std::path::PathBuf, std::path::PathBuf)> = vec![];
    let mut placed: Vec<&Path> = vec![];
    let mut failure = None;
    for ((path, _), tmp) in files.iter().zip(&temps) {
        if path.exists() {
            let backup = tmp.with_extension("old");
            if let Err(e) = std::fs::rename(path, &backup) {
                failure = Some(cannot_write(path, e));
                break;
            }
            backups.push((path.clone(), backup));
        }
        if let Err(e) = std::fs::rename(tmp, path) {
            failure = Some(cannot_write(path, e));
            break;
        }
        placed.push(path);
    }
    match failure {
        None => {
            for (_, b) in &backups {
                let _ = std::fs::remove_file(b);
            }
            Ok(())
        }
        Some(e) => {
            for p in placed {
                let _ = std::fs::remove_file(p);
            }
            for (p, b) in &backups {
                let _ = std::fs::rename(b, p);
            }
            for t in &temps {
                let _ = std::fs::remove_file(t);
            }
            Err(e)
        }
    }
}

/// Writes `bytes` to a new temporary file beside `path` and returns its path.
fn write_temp(path: &Path, bytes: &[u8]) -> Result<std::path::PathBuf, Text> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // The name's first 100 bytes at most: a 255-byte name must still leave
    // room for the temporary file's own (names are limited to 255 bytes).
    let mut cut = name.len().min(100);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let tmp = dir.join(format!(".{}.{}.{n}.tmp", &name[..cut], std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| {
            let d = dir.display();
            text!("无法写入目录 {d}：{e}", "cannot write into {d}: {e}")
        })?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(cannot_write(path, e));
    }
    Ok(tmp)
}

fn cannot_write(path: &Path, e: std::io::Error) -> Text {
    let p = path.display();
    text!("无法写入 {p}：{e}", "cannot write {p}: {e}")
}
