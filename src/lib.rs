//! yusuan (预算): one TOML file per department and year → the official-format
//! 部门预算 PDF.
//!
//! Data flows one way: [`load`] (TOML → typed input) → [`validate`] (codes,
//! names, units → a [`validate::Budget`]) → [`compute`] (every subtotal and
//! total → a [`compute::Report`]) → [`reconcile`] (rules R1–R14 against the
//! declared totals) → [`render`] (minijinja templates → Typst source) →
//! [`typeset`] (Typst in-process → PDF).

#![warn(missing_docs)]

pub mod catalogue;
pub mod cli;
pub mod compute;
pub mod diag;
pub mod import;
pub mod load;
pub mod model;
pub mod projects;
pub mod reconcile;
pub mod render;
pub mod typeset;
pub mod validate;

use std::path::Path;

use diag::{Diagnostic, Diagnostics};
use minijinja::Value;

/// A checked input: the computed report and every diagnostic (warnings only
/// when the report is usable).
pub struct Checked {
    /// The computed tables.
    pub report: compute::Report,
    /// Warnings (and errors, when [`Diagnostics::has_errors`]).
    pub diags: Diagnostics,
}

/// Choices that change what is computed or printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Print the projects in this layout, whatever the file says.
    pub layout: Option<projects::Layout>,
}

/// Loads, validates, computes and reconciles `path`. `Err` holds the
/// diagnostics when the file cannot be read or parsed at all.
pub fn check_file(path: &Path) -> Result<Checked, Diagnostics> {
    check_file_with(path, Options::default())
}

/// [`check_file`] with options.
pub fn check_file_with(path: &Path, options: Options) -> Result<Checked, Diagnostics> {
    let loaded = load::load_file::<model::BudgetFile>(path)?;
    Ok(check_loaded(loaded, options))
}

/// Same as [`check_file`] for text already in memory.
pub fn check_str(name: &str, text: &str) -> Result<Checked, Diagnostics> {
    let loaded = load::load_str::<model::BudgetFile>(name, text.to_string())?;
    Ok(check_loaded(loaded, Options::default()))
}

fn check_loaded(loaded: load::Loaded<model::BudgetFile>, options: Options) -> Checked {
    let mut diags = loaded.diags;
    let file = &loaded.value;
    let budget = validate::validate(file, &mut diags);
    let has_tables =
        !file.expenditure.is_empty() || !file.basic_economic.is_empty() || file.sangong.is_some();
    let tables = has_tables.then(|| compute::compute(&budget));
    if let Some(t) = &tables {
        reconcile::reconcile(&budget, file, t, &mut diags);
    }
    let projects = projects::compute(
        file,
        budget.scale(),
        budget.department.unit,
        options.layout,
        &mut diags,
    );
    if let (Some(t), Some(p)) = (&tables, &projects) {
        projects::check_against_tables(p, t.expenditure.rows[0].values[2], &mut diags);
    }
    if tables.is_none() && projects.is_none() {
        diags.push(Diagnostic::error(
            "empty",
            None,
            "the file has neither budget lines ([[expenditure]], [[basic_economic]], [sangong]) nor projects ([[project]])",
        ));
    }
    let report = compute::Report {
        department: budget.department.clone(),
        tables,
        projects,
    };
    Checked { report, diags }
}

/// The template context of a report: `{ report: … }`.
pub fn context(report: &compute::Report) -> Value {
    minijinja::context! { report => Value::from(minijinja::value::Serde(report)) }
}

/// Reports every character of the report's text that no loaded font can show,
/// naming the field and pointing at its first occurrence in the input file.
pub fn check_glyphs(engine: &typeset::Engine, report: &compute::Report, diags: &mut Diagnostics) {
    let json = serde_json::to_value(report).unwrap_or_default();
    let mut missing: Vec<(char, String)> = vec![];
    walk_strings(&json, &mut String::new(), &mut |path, s| {
        for c in s.chars() {
            if !c.is_whitespace()
                && !c.is_control()
                && !engine.covers(c)
                && !missing.iter().any(|m| m.0 == c)
            {
                missing.push((c, path.to_string()));
            }
        }
    });
    for (c, field) in missing {
        let span = diags.source.find(c).map(|at| at..at + c.len_utf8());
        diags.push(
            Diagnostic::error(
                "glyph",
                span,
                format!("character '{c}' (U+{:04X}) in {field} is in no font, so it would print as a box", c as u32),
            )
            .with_note("add a font that has it with --font-path DIR, or correct the character"),
        );
    }
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

/// A rendered document.
pub struct Rendered {
    /// Warnings about the input.
    pub diags: Diagnostics,
    /// The laid-out pages.
    pub document: typst_layout::PagedDocument,
    /// The PDF bytes.
    pub pdf: Vec<u8>,
}

/// Checks `checked` for glyphs, renders it with `renderer` and typesets it with `engine`.
pub fn render_checked(
    engine: &typeset::Engine,
    renderer: &render::Renderer,
    checked: Checked,
) -> Result<Rendered, RenderError> {
    let mut diags = checked.diags;
    check_glyphs(engine, &checked.report, &mut diags);
    if diags.has_errors() {
        return Err(RenderError::Invalid(diags));
    }
    let source = renderer
        .render(render::ENTRY, context(&checked.report))
        .map_err(RenderError::Template)?;
    let year = checked.report.department.year;
    let document = engine.compile(source, year).map_err(RenderError::Typeset)?;
    let missing = typeset::missing_glyphs(&document);
    if !missing.is_empty() {
        let errs = missing
            .into_iter()
            .map(|text| typeset::TypstError {
                message: format!("no font has a glyph in \"{text}\""),
                position: None,
            })
            .collect();
        return Err(RenderError::Typeset(errs));
    }
    let pdf = engine
        .pdf(&document, &ident(&diags.source), year)
        .map_err(RenderError::Typeset)?;
    Ok(Rendered {
        diags,
        document,
        pdf,
    })
}
