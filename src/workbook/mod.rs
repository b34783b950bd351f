//! `yusuan import BOOK.xlsx`: a budget workbook → one budget TOML file.
//!
//! Two kinds of workbook are read, sheet by sheet, whatever the sheets'
//! order or names:
//! - the nine tables as a budget system exports them, each recognised by
//!   its title (`收入总表`, `基本支出`, `三公` …) and its column headers (the
//!   table definitions' headers of every profile), its unit read from the
//!   `单位：` line. The 项 lines are rebuilt from the 收入总表 (money by
//!   source), the 支出总表 (by 基本/项目) and the three fund tables; the
//!   基本支出 经济分类 款 from the 基本支出表; the 三公 rows by their labels.
//!   Every total the workbook prints (合计, 类, 款) is kept under
//!   `[declared.*]`, so that `yusuan check` compares it with the lines.
//! - the workbook `--emit xlsx` writes, which adds the file's own data
//!   (`department`, `lines`, `economic`, `projects`, `indicators`,
//!   `sections`, `section-tables`, `procurement`, `assets` sheets): then
//!   everything is read as written, unrounded, and the tables only give the
//!   declared totals.
//!
//! `sheet` reads cells, recognises sheets and reads a table sheet's rows;
//! `write` turns what was read into the TOML file. A 项目支出绩效目标表 in
//! the list layout is read by [`crate::import`].
//! Whatever cannot be read is reported with its sheet and cell and kept in
//! the TOML as a `# NOT IMPORTED` comment.

mod cells;
mod sheet;
mod write;

pub use cells::{is_workbook, read_in_child, worker};

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::Unit;
use crate::import::{Imported, Origin, toml_str};
use crate::text;

use sheet::{Grid, Kind, TABLE_IDS, classify, split_code};

/// One data row of a table sheet: its code (or `合计`), name and amounts by column key.
struct TableRow {
    row: usize,
    code: String,
    name: String,
    /// 2 for an item under the row above (`其中：`, an indented label, a `row/item` key).
    level: u8,
    /// Whether the row sums others: the 合计, or a 类/款 with longer codes under it.
    parent: bool,
    values: BTreeMap<&'static str, Decimal>,
    /// The column each value was read from.
    cols: BTreeMap<&'static str, usize>,
}

/// A table sheet read: its rows, the unit and what could not be read.
struct Table {
    sheet: usize,
    unit: Option<Unit>,
    rows: Vec<TableRow>,
}

/// Everything read from the workbook, in 元.
#[derive(Default)]
struct Book {
    settings: BTreeMap<String, String>,
    tables: BTreeMap<&'static str, Table>,
    not_imported: Vec<String>,
    title_year: Option<i32>,
    department: Option<String>,
    /// Notes printed under the tables, by table id.
    notes: BTreeMap<&'static str, String>,
}

/// A cell's name set into the TOML being written, just before the value
/// read from it; [`unmark`] takes it out. (Control characters never stand
/// in the TOML itself: strings escape them.)
fn mark(cell: &str) -> String {
    format!("\u{1}{cell}\u{2}")
}

/// The TOML without its marks, and where each mark stood.
fn unmark(marked: &str) -> (String, Vec<Origin>) {
    let mut toml = String::with_capacity(marked.len());
    let mut origins = vec![];
    for (i, line) in marked.split('\n').enumerate() {
        if i > 0 {
            toml.push('\n');
        }
        let start = toml.len();
        let mut rest = line;
        while let Some(a) = rest.find('\u{1}') {
            toml.push_str(&rest[..a]);
            let after = &rest[a + 1..];
            let b = after.find('\u{2}').unwrap_or(after.len());
            origins.push(Origin {
                line: i + 1,
                col: toml.len() - start,
                cell: after[..b].to_string(),
            });
            rest = after.get(b + 1..).unwrap_or("");
        }
        toml.push_str(rest);
    }
    (toml, origins)
}

/// Imports the workbook `bytes` (named `name` in messages). `year` and
/// `profile` win over what the workbook says (a budget system's workbook
/// does not name its region; a profile whose `recognise` titles the sheets
/// carry is chosen, else the default profile is written).
pub fn import_workbook(
    name: &str,
    bytes: &[u8],
    year: Option<i32>,
    profile: Option<&'static crate::profile::Profile>,
) -> Imported {
    let mut diags = Diagnostics::new(name, "");
    let fail = |mut diags: Diagnostics, t: crate::diag::Text| {
        diags.push(Diagnostic::error("import", None, t));
        Imported {
            toml: String::new(),
            diags,
            projects: 0,
            origins: vec![],
        }
    };
    let sheets = match cells::read_sheets(bytes) {
        Ok(s) => s,
        Err(t) => return fail(diags, t),
    };
    let mut grids = vec![];
    let mut hidden = vec![];
    for sheet in sheets {
        match sheet.grid {
            Ok(g) => {
                hidden.push(sheet.hidden);
                grids.push(g);
            }
            // A sheet that cannot be read may hold a table: nothing is
            // imported rather than a document with that table empty.
            Err(t) => diags.push(Diagnostic::error("import", None, t)),
        }
    }
    if diags.has_errors() {
        return Imported {
            toml: String::new(),
            diags,
            projects: 0,
            origins: vec![],
        };
    }
    let mut reading = Reading::new(grids, diags);
    reading.profile = profile;
    if reading.twice(&hidden) {
        return Imported {
            toml: String::new(),
            diags: reading.diags,
            projects: 0,
            origins: vec![],
        };
    }
    reading.run(name, year)
}

/// The state of one import.
struct Reading {
    grids: Vec<Grid>,
    kinds: Vec<Kind>,
    diags: Diagnostics,
    book: Book,
    /// The profile asked for, if any.
    profile: Option<&'static crate::profile::Profile>,
}

impl Reading {
    fn new(mut grids: Vec<Grid>, diags: Diagnostics) -> Self {
        let kinds: Vec<Kind> = grids.iter().map(classify).collect();
        for (g, k) in grids.iter_mut().zip(&kinds) {
            if let Some(expected) = k.header() {
                g.align(expected);
            }
        }
        Reading {
            grids,
            kinds,
            diags,
            book: Book::default(),
            profile: None,
        }
    }

    fn sheet(&self, k: Kind) -> Option<&Grid> {
        self.kinds
            .iter()
            .position(|x| *x == k)
            .map(|i| &self.grids[i])
    }

    /// Whether two sheets hold the same table or data (a hidden older copy
    /// beside the real one): each such pair is an error naming both, since
    /// either could be the one meant.
    fn twice(&mut self, hidden: &[bool]) -> bool {
        let mut found = false;
        for i in 0..self.kinds.len() {
            if self.kinds[i] == Kind::Unknown || self.kinds[i] == Kind::ProjectList {
                continue;
            }
            // Detail sheets are records: two with no row in common (one per
            // 单位) are both read; one row in both is a copy.
            let twin = |j: &usize| {
                self.kinds[*j] == self.kinds[i]
                    && (self.kinds[i] != Kind::Facts || self.share_a_row(i, *j))
            };
            let Some(j) = (0..i).find(twin) else {
                continue;
            };
            let (a, b) = (&self.grids[j].name, &self.grids[i].name);
            let note = |h: bool| if h { "（隐藏）" } else { "" };
            let (ha, hb) = (note(hidden[j]), note(hidden[i]));
            let what = self.kinds[i].describe();
            self.diags.push(Diagnostic::error(
                "import",
                None,
                text!(
                    "工作表「{a}」{ha}和「{b}」{hb}是同一张表（{what}），不知道该用哪一张；请删除多余的一张后再导入",
                    "sheets \"{a}\" and \"{b}\" hold the same table ({what}); yusuan cannot tell which one is meant: delete the other and import again"
                ),
            ));
            found = true;
        }
        found
    }

    /// Whether sheets `a` and `b` hold one row of the same texts (headers apart).
    fn share_a_row(&self, a: usize, b: usize) -> bool {
        let texts = |g: usize| -> std::collections::BTreeSet<Vec<String>> {
            self.grids[g]
                .rows
                .iter()
                .skip(1)
                .map(|r| {
                    r.iter()
                        .map(|c| c.text.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|r: &Vec<String>| r.iter().any(|t| !t.is_empty()))
                .collect()
        };
        !texts(a).is_disjoint(&texts(b))
    }

    /// A cell that could not be read: reported and kept as a comment.
    fn unread(&mut self, g: usize, r: usize, c: usize, why: &str) {
        let grid = &self.grids[g];
        // A formula never calculated, a date: the cell says why itself.
        let why = grid
            .rows
            .get(r)
            .and_then(|row| row.get(c))
            .and_then(|x| x.why)
            .unwrap_or(why);
        let (s, a, t) = (
            grid.name.clone(),
            grid.a1(r, c),
            grid.text(r, c).to_string(),
        );
        self.diags.push(Diagnostic::warning(
            "import",
            None,
            text!(
                "工作表「{s}」单元格 {a}：{why}，未导入：{t}",
                "sheet \"{s}\" cell {a}: {why}, not imported: {t}"
            ),
        ));
        self.book.not_imported.push(format!(
            "# NOT IMPORTED {s}!{a} ({why}): {}",
            t.replace('\n', " ")
        ));
    }

    fn run(mut self, name: &str, year: Option<i32>) -> Imported {
        if let Some(g) = self.sheet(Kind::Settings) {
            let settings = g
                .rows
                .iter()
                .skip(1)
                .filter_map(|r| match r.as_slice() {
                    [k, v, ..] => Some((k.text.clone(), v.text.clone())),
                    _ => None,
                })
                .collect();
            self.book.settings = settings;
        }
        // Decided once: the profile asked for, the workbook's own, or guessed.
        self.profile = Some(self.resolve_profile());
        for i in 0..self.grids.len() {
            match self.kinds[i] {
                Kind::Table(id) => self.read_table(i, id),
                Kind::Unknown => {
                    let s = self.grids[i].name.clone();
                    if self.grids[i]
                        .rows
                        .iter()
                        .flatten()
                        .any(|c| !c.text.is_empty())
                    {
                        self.diags.push(Diagnostic::warning(
                            "import",
                            None,
                            text!(
                                "工作表「{s}」不是可识别的预算表（标题或表头不符），未导入",
                                "sheet \"{s}\" is not a budget table yusuan knows (title or headers), not imported"
                            ),
                        ));
                        self.book.not_imported.push(format!(
                            "# NOT IMPORTED sheet {s}: not a table yusuan knows"
                        ));
                    }
                }
                _ => {}
            }
        }
        for g in &self.grids {
            for t in g.head_texts() {
                if self.book.title_year.is_none() {
                    self.book.title_year = crate::import::find_year(&t);
                }
                for label in ["部门名称", "编制部门", "单位名称", "预算单位"] {
                    if let Some(rest) = t.strip_prefix(label) {
                        let n = rest.trim_start_matches([':', '：', ' ']).trim();
                        if !n.is_empty() && self.book.department.is_none() {
                            self.book.department = Some(n.to_string());
                        }
                    }
                }
            }
        }
        let mut out = String::new();
        let _ = writeln!(out, "# Imported by `yusuan import` from {name}.");
        let _ = writeln!(
            out,
            "# The totals the workbook prints are kept under [declared.*]: `yusuan check` compares them with the lines."
        );
        let year = year.or_else(|| {
            self.book
                .settings
                .get("预算年度")
                .and_then(|y| y.parse().ok())
        });
        let year = year.or(self.book.title_year);
        let lines_unit = self.input_unit();
        self.write_department(&mut out, year, lines_unit);
        let has_lines = self.write_lines(&mut out, lines_unit);
        let has_lines = self.write_facts(&mut out, lines_unit) > 0 || has_lines;
        self.write_economic(&mut out, lines_unit);
        self.write_sangong(&mut out, lines_unit);
        self.write_names_and_declared(&mut out);
        let projects = self.write_projects(&mut out, name, year, lines_unit);
        self.write_document(&mut out);
        if !self.book.not_imported.is_empty() {
            let _ = writeln!(out);
            for n in &self.book.not_imported {
                let _ = writeln!(out, "{n}");
            }
        }
        if year.is_none() {
            self.diags.push(Diagnostic::error(
                "import",
                None,
                text!(
                    "工作簿中没有预算年度，请给出（命令行用 --year，网页上填“预算年度”）",
                    "no budget year in the workbook; give it (--year on the command line, “预算年度” on the page)"
                ),
            ));
        }
        if !has_lines && projects == 0 {
            self.diags.push(Diagnostic::error(
                "import",
                None,
                text!(
                    "工作簿中没有可识别的预算表或项目表",
                    "the workbook has no budget table or project table yusuan knows"
                ),
            ));
        }
        let (toml, origins) = unmark(&out);
        Imported {
            toml,
            diags: self.diags,
            projects,
            origins,
        }
    }

    /// `sheet!A1` of cell (`r`, `c`) of grid `g`, marked for [`unmark`].
    fn mark(&self, g: usize, r: usize, c: usize) -> String {
        let grid = &self.grids[g];
        mark(&format!("{}!{}", grid.name, grid.a1(r, c)))
    }

    /// The unit the file's amounts are written in: the `lines` sheet's, else
    /// 元 when any table is in 元 (exact), else 万元.
    fn input_unit(&self) -> Unit {
        if let Some(u) = self
            .book
            .settings
            .get("录入单位")
            .and_then(|u| Unit::parse(u))
        {
            return u;
        }
        if self
            .book
            .tables
            .values()
            .any(|t| t.unit == Some(Unit::Yuan))
        {
            Unit::Yuan
        } else {
            Unit::Wanyuan
        }
    }

    /// The unit a table prints in: its sheet's `单位：` line, else the
    /// settings, else the profile's.
    fn table_unit(&self, id: &str) -> Option<Unit> {
        self.book.tables.get(id).and_then(|t| t.unit).or_else(|| {
            self.book
                .settings
                .get(&format!("表格单位.{id}"))
                .or(self.book.settings.get("金额单位"))
                .and_then(|u| Unit::parse(u))
        })
    }

    /// The profile the file is written for (see [`Reading::resolve_profile`]).
    fn profile(&self) -> &'static crate::profile::Profile {
        self.profile.unwrap_or_else(|| self.resolve_profile())
    }

    /// The profile asked for, else the `department` sheet's, else the first
    /// built-in whose `recognise` titles are seen, else the default one.
    fn resolve_profile(&self) -> &'static crate::profile::Profile {
        let named = self
            .book
            .settings
            .get("区域格式")
            .and_then(|p| crate::profile::find(p));
        let recognised = || {
            let heads: Vec<String> = self.grids.iter().flat_map(|g| g.head_texts()).collect();
            crate::profile::builtins().into_iter().find(|p| {
                p.recognise
                    .iter()
                    .any(|title| heads.iter().any(|t| t.contains(title.as_str())))
            })
        };
        self.profile
            .or(named)
            .or_else(recognised)
            .or_else(|| crate::profile::find(crate::profile::DEFAULT))
            .expect("the default profile exists")
    }

    fn print_unit(&self) -> Unit {
        let s = &self.book.settings;
        s.get("金额单位")
            .and_then(|u| Unit::parse(u))
            .or_else(|| {
                ["income", "expenditure", "summary", "general", "basic"]
                    .iter()
                    .find_map(|id| self.book.tables.get(id).and_then(|t| t.unit))
            })
            .unwrap_or(self.profile().print_unit)
    }

    fn write_department(&mut self, out: &mut String, year: Option<i32>, unit: Unit) {
        let s = &self.book.settings;
        let _ = writeln!(out, "\n[department]");
        if let Some(c) = s.get("部门编码") {
            let _ = writeln!(out, "code = {}", toml_str(c));
        }
        // `203中国共产党…`: the code the tables print before the name.
        let printed = self.book.department.clone().unwrap_or_default();
        let (code, printed) = split_code(&printed);
        if !s.contains_key("部门编码") && !code.is_empty() {
            let _ = writeln!(out, "code = {}", toml_str(code));
        }
        let name = s.get("部门名称").cloned().unwrap_or(printed.to_string());
        let _ = writeln!(out, "name = {}", toml_str(&name));
        let _ = writeln!(out, "year = {}", year.unwrap_or(0));
        let print = self.print_unit();
        let profile = self.profile();
        let _ = writeln!(out, "unit = \"{}\"", unit.label());
        let _ = writeln!(out, "print_unit = \"{}\"", print.label());
        let _ = writeln!(out, "profile = \"{}\"", profile.name);
        let mut units = vec![];
        for id in TABLE_IDS {
            if let Some(u) = self.table_unit(id)
                && u != print
            {
                units.push(format!("{id} = \"{}\"", u.label()));
            }
        }
        if !units.is_empty() {
            let _ = writeln!(out, "table_units = {{ {} }}", units.join(", "));
        }
        if name.is_empty() {
            self.diags.push(Diagnostic::warning(
                "import",
                None,
                text!(
                    "工作簿中没有部门名称（“部门名称：”一行），请在 [department] name 中填写",
                    "no department name in the workbook (a \"部门名称：\" line); fill in [department] name"
                ),
            ));
        }
    }
}
