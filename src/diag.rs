//! Diagnostics: every problem found in an input file, with its location.
//!
//! Every stage (load, validate, render, typeset) reports into a [`Diagnostics`]
//! list instead of stopping at the first problem, so that `yusuan check` can
//! show a finance officer everything that is wrong with her file at once.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

/// How bad a problem is: errors stop a render, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Printed, but the document still renders.
    Warning,
    /// The document is not rendered.
    Error,
}

/// One problem, tied to a byte range of the input file when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The rule broken: `R5`, `syntax`, `unknown-code`, … (stable, used by tests).
    pub rule: &'static str,
    /// The message, one sentence, with both figures where figures disagree.
    pub message: String,
    /// Where in the input file, as a byte range; `None` for whole-file problems.
    pub span: Option<Range<usize>>,
    /// Extra lines of help.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error for `rule` with `message` at `span`.
    pub fn error(
        rule: &'static str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            rule,
            message: message.into(),
            span,
            notes: vec![],
        }
    }

    /// A warning for `rule` with `message` at `span`.
    pub fn warning(
        rule: &'static str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            rule,
            message: message.into(),
            span,
            notes: vec![],
        }
    }

    /// Adds a line of help.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// All diagnostics of one input file, with the file's text to locate them.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The file name as the user gave it.
    pub file: String,
    /// The file's text.
    pub source: String,
    /// The problems, in the order found.
    pub items: Vec<Diagnostic>,
    /// Byte offsets where lines start, computed once on first use: locating
    /// 10,000 diagnostics must not count newlines 10,000 times.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl Diagnostics {
    /// An empty list for `file` whose text is `source`.
    pub fn new(file: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            source: source.into(),
            items: vec![],
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any error (not warning) was found.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        (errors, self.items.len() - errors)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.source, offset.min(self.source.len()));
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.source.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        (line, self.source[start..offset].chars().count() + 1)
    }

    /// `file:line:col` of a diagnostic, or just `file`.
    pub fn location(&self, d: &Diagnostic) -> String {
        match &d.span {
            Some(span) => {
                let (line, col) = self.line_col(span.start);
                format!("{}:{line}:{col}", self.file)
            }
            None => self.file.clone(),
        }
    }

    /// One line per diagnostic: `file:line:col: error[R5]: message`.
    pub fn to_short_string(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!(
                "{}: {sev}[{}]: {}\n",
                printable(&self.location(d)),
                d.rule,
                printable(&d.message)
            ));
        }
        out
    }

    /// The codespan-style report: each problem with the source line under it.
    pub fn to_report_string(&self) -> String {
        let shown = visible(&self.source);
        let name = printable(&self.file);
        let file = SimpleFile::new(name.as_str(), shown.as_str());
        let config = Config::default();
        let mut out = String::new();
        for d in &self.items {
            let cs = match d.severity {
                Severity::Error => CsDiagnostic::error(),
                Severity::Warning => CsDiagnostic::warning(),
            };
            let mut labels = vec![];
            if let Some(span) = &d.span {
                let start = floor_char_boundary(&self.source, span.start);
                let end = floor_char_boundary(&self.source, span.end.max(start));
                labels.push(Label::primary((), start..end));
            }
            let cs = cs
                .with_code(d.rule)
                .with_message(printable(&format!("{}  ({})", d.message, self.location(d))))
                .with_labels(labels)
                .with_notes(d.notes.iter().map(|n| printable(n)).collect());
            match term::emit_into_string(&config, &file, &cs) {
                Ok(s) => out.push_str(&s),
                Err(_) => out.push_str(&self.to_short_string()),
            }
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_short_string())
    }
}

/// Whether `c` would act on a terminal or not show at all: control
/// characters and invisible format characters (zero-width, bidi, BOM).
pub fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c as u32, 0x00AD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF)
}

/// `s` with every invisible or control character written as `\u{1b}`: a
/// message never clears a terminal or hides text.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_invisible(c) || c == '\n' {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `s` with each invisible character replaced by a visible one of the same
/// byte length, so that spans into `s` still point at the same text.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_invisible(c) {
                match c.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => '\u{FFFD}',
                }
            } else {
                c
            }
        })
        .collect()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
