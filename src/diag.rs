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

/// Every rule id a diagnostic can carry, with what it checks and why
/// (`yusuan explain`). The R rules are those of formats.md §4.
pub const RULES: &[(&str, &str)] = &[
    (
        "R1",
        "收支总表: 收入总计 = 支出总计. A budget balances: every yuan received is planned to be spent or carried over.",
    ),
    (
        "R2",
        "收支总表 totals = 收入总表 合计 = 支出总表 合计. The summary and the detailed tables describe the same money.",
    ),
    (
        "R3",
        "收入总表, each row: 合计 = Σ its source columns (+ 上年结转). The total of a row is its sources, nothing more.",
    ),
    (
        "R4",
        "支出总表 and the fund tables, each row: 合计 = 基本支出 + 项目支出 (+ 经营, 上解, 对附属). Spending is basic or project spending.",
    ),
    (
        "R5",
        "In every tree, 类 = Σ 款, 款 = Σ 项, 合计 = Σ 类: a declared figure equals the sum of the items under it.",
    ),
    (
        "R6",
        "财政拨款收支总表: 合计 = 一般公共预算 + 政府性基金 + 国有资本经营, per row and in total, = 财政拨款 income.",
    ),
    (
        "R7",
        "一般公共预算支出表 = the 一般公共预算 part of the 支出总表 (equal when all money is 一般公共预算); 财政拨款 money is normally 基本 or 项目 spending only.",
    ),
    (
        "R8",
        "支出总表 基本支出 of 一般公共预算 = 基本支出表 合计: the basic spending by function and by economic class are the same money.",
    ),
    (
        "R9",
        "基本支出表, each row: 合计 = 人员经费 + 公用经费, with each 经济分类 line counted where the tables count it (kind overrides included).",
    ),
    (
        "R10",
        "三公 table: 合计 = 因公出国（境）+ 公务用车购置及运维 + 公务接待 (+ rows a region adds); each row = its 其中 rows.",
    ),
    (
        "R11",
        "三公 table: 公务用车购置及运维费 = 购置 + 运行维护; 因公出国（境）费 = its two 其中 rows, or one figure, not both.",
    ),
    (
        "R12",
        "三公 公务用车运行维护费 ≥ basic 30231 and 公务接待费 ≥ basic 30217: the 三公 table counts project money too, never less than the basic lines.",
    ),
    (
        "R14",
        "A 空表 note stands only under a table without money; an empty 政府性基金/国有资本 table may carry one.",
    ),
    (
        "R16",
        "Σ project budgets (绩效目标表) = 项目支出 of the 支出总表: all of it, or with [projects] scope = \"fiscal\" its 当年财政拨款 part (a table listing only projects paid from this year's 财政拨款 leaves out 事业收入 and 上年结转 money).",
    ),
    (
        "R17",
        "资金支出计划: cumulative percentages, never decreasing, ending at 100%.",
    ),
    ("amount", "Amounts are never negative."),
    (
        "catalogue",
        "Which classification catalogue names the codes: the budget year's, the nearest older built-in one, or the file's own.",
    ),
    (
        "code",
        "A 功能分类 项 code has 7 digits, a 经济分类 款 code 5, a department code letters and digits.",
    ),
    (
        "columns",
        "Money a profile's table has no column for (a source or kind of spending) would be lost: choose another source or profile.",
    ),
    (
        "declared",
        "A [declared.*] table, row or column must exist in the table definitions.",
    ),
    (
        "decimals",
        "At most 2 decimals in 元 (the 分), 6 in 万元 (元-exact).",
    ),
    (
        "duplicate",
        "A line, an economic class or a 项目编码 is given once.",
    ),
    ("empty", "Names and files are not empty."),
    ("encoding", "The file is UTF-8 text."),
    (
        "funding-unit",
        "A 资金使用单位 listed under [[units]] has projects.",
    ),
    (
        "glyph",
        "Every character has a glyph in some font; otherwise it would print as a box.",
    ),
    (
        "import",
        "A pasted table's cell that could not be read; kept in the TOML as # NOT IMPORTED.",
    ),
    (
        "indicator_style",
        "The list's 绩效指标 cell is written ascii (`,` `;`) or fullwidth (`；` `。`).",
    ),
    ("kind", "An economic line's kind is 人员经费 or 公用经费."),
    ("layout", "The project layout is list, card or sheet."),
    (
        "indicator",
        "Indicator levels are known, 二级 under its 一级, 产出 and 效益 indicators present.",
    ),
    (
        "invisible",
        "No invisible or control character (zero-width space, bidi marks, ESC): they print as nothing or move text.",
    ),
    (
        "io",
        "The file can be read and is not absurdly large (64 MiB).",
    ),
    (
        "layout-check",
        "Nothing printed over other text, across a table rule or off the page.",
    ),
    (
        "line-split",
        "A line's 人员经费 and 公用经费 add up to its 基本支出.",
    ),
    ("notes", "A note belongs to a table that exists."),
    ("profile", "The regional profile exists."),
    (
        "project-subtotal",
        "A 资金使用单位's declared subtotal, and the list's 合计, equal the sum of its projects.",
    ),
    (
        "project-total",
        "A project's (or subtotal's) 总计 = 财政拨款 + 财政专户拨款 + 其他资金.",
    ),
    (
        "running-costs",
        "机关运行经费 is the 日常公用经费 of 行政单位 and 参公事业单位: at most the 基本支出表's 公用经费.",
    ),
    (
        "scope",
        "Which money the project table lists, for R16: all, or fiscal (当年财政拨款 only).",
    ),
    (
        "skipped",
        "The totals are not checked while lines with malformed codes are left out (their errors would only repeat the missing money).",
    ),
    ("source", "The source of money is one of the known ones."),
    ("syntax", "The file is valid TOML."),
    ("table-units", "A table given its own unit exists."),
    (
        "type",
        "Each value has the type its key needs (an amount, a code as a string, …).",
    ),
    ("unit", "Units are 元 or 万元."),
    (
        "unknown-code",
        "A code the catalogue does not know needs its name in the file: names are never guessed.",
    ),
    (
        "unknown-key",
        "Every key is one yusuan knows (a typo would otherwise be silently ignored).",
    ),
    ("year", "The budget year is a year."),
];

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
    /// The figures compared, when the problem is two figures that disagree.
    pub figures: Option<Figures>,
}

/// The two figures of a failed comparison, as printed (rounded to the
/// compared decimals), their difference and the 尾差 tolerance (zero when
/// nothing was rounded).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// The declared (or first) figure.
    pub declared: rust_decimal::Decimal,
    /// The computed (or second) figure.
    pub computed: rust_decimal::Decimal,
    /// |declared − computed|.
    pub difference: rust_decimal::Decimal,
    /// The largest difference rounding explains.
    pub tolerance: rust_decimal::Decimal,
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
            figures: None,
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
            figures: None,
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

    /// One JSON object per line and diagnostic, for editors and CI: file,
    /// line, column, end_line, end_column (1-based; null without a place),
    /// severity, rule, message, notes, and for figures that disagree
    /// declared, computed, difference and tolerance.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let (start, end) = match &d.span {
                Some(s) => (Some(self.line_col(s.start)), Some(self.line_col(s.end))),
                None => (None, None),
            };
            let mut v = serde_json::json!({
                "file": self.file,
                "line": start.map(|p| p.0),
                "column": start.map(|p| p.1),
                "end_line": end.map(|p| p.0),
                "end_column": end.map(|p| p.1),
                "severity": d.severity,
                "rule": d.rule,
                "message": d.message,
                "notes": d.notes,
            });
            if let Some(f) = &d.figures {
                for (k, x) in [
                    ("declared", f.declared),
                    ("computed", f.computed),
                    ("difference", f.difference),
                    ("tolerance", f.tolerance),
                ] {
                    v[k] = serde_json::Value::String(x.to_string());
                }
            }
            out.push_str(&v.to_string());
            out.push('\n');
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
