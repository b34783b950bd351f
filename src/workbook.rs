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
//!   (`department`, `lines`, `economic`, `projects`, `indicators` sheets):
//!   then the lines are read as written, unrounded, and the tables only give
//!   the declared totals.
//!
//! A 项目支出绩效目标表 in the list layout is read by [`crate::import`].
//! Whatever cannot be read is reported with its sheet and cell and kept in
//! the TOML as a `# NOT IMPORTED` comment.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader};
use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::{KIND_KEYS, KINDS, Source, Unit};
use crate::export::{
    ASSETS_HEADER, ECONOMIC_HEADER, INDICATORS_HEADER, LINES_HEADER, PROCUREMENT_HEADER,
    PROJECTS_HEADER, SECTION_TABLES_HEADER, SECTIONS_HEADER,
};
use crate::import::{Imported, toml_str};
use crate::tables::{Measure, Shape};
use crate::text;

/// One cell: its text as shown, and its amount when it reads as one.
#[derive(Debug, Clone, Default)]
struct Cell {
    text: String,
    /// The text as the cell holds it, untrimmed (a paragraph's indent).
    raw: String,
    amount: Option<Decimal>,
}

/// One sheet's cells, with the position of its first cell.
struct Grid {
    name: String,
    row0: u32,
    col0: u32,
    rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// The cell's Excel address, `C7`.
    fn a1(&self, r: usize, c: usize) -> String {
        let mut col = self.col0 as usize + c + 1;
        let mut letters = vec![];
        while col > 0 {
            letters.push(char::from(b'A' + ((col - 1) % 26) as u8));
            col = (col - 1) / 26;
        }
        let l: String = letters.into_iter().rev().collect();
        format!("{l}{}", self.row0 as usize + r + 1)
    }

    fn text(&self, r: usize, c: usize) -> &str {
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", |c| c.text.as_str())
    }

    /// The texts of the first rows before any amount: title, unit, department.
    fn head_texts(&self) -> Vec<String> {
        self.rows
            .iter()
            .take(6)
            .flat_map(|r| r.iter().map(|c| c.text.clone()))
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// "10,055.70", "-", "" → an amount (a dash or nothing is zero); anything
/// else is not an amount.
fn amount_of(text: &str) -> Option<Decimal> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    match t.as_str() {
        "" | "-" | "—" | "－" | "--" => Some(Decimal::ZERO),
        t => {
            let t = t.replace('－', "-");
            if t.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
            {
                Decimal::from_str(&t).ok()
            } else {
                None
            }
        }
    }
}

fn cell_of(d: &Data) -> Cell {
    let raw = match d {
        Data::String(s) => s.clone(),
        _ => String::new(),
    };
    let text = match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        // The shortest decimal that reads back to the stored double: what
        // Excel shows, read once, with no arithmetic.
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    };
    let amount = match d {
        Data::Float(_) | Data::Int(_) => Decimal::from_str(&text).ok(),
        Data::String(_) => {
            let a = amount_of(&text);
            // A lone dash is a zero only where an amount is expected; as text it stays text.
            a.filter(|_| text.chars().any(|c| c.is_ascii_digit()) || text.is_empty())
        }
        _ => None,
    };
    let raw = if raw.is_empty() { text.clone() } else { raw };
    Cell { text, raw, amount }
}

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Settings,
    Lines,
    Economic,
    Projects,
    Indicators,
    Sections,
    SectionTables,
    Procurement,
    Assets,
    /// One of the nine tables, by its id.
    Table(&'static str),
    /// A 项目支出绩效目标表 in the list layout.
    ProjectList,
    Unknown,
}

fn first_row(g: &Grid) -> Vec<&str> {
    g.rows
        .first()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .unwrap_or_default()
}

fn classify(g: &Grid) -> Kind {
    let head = first_row(g);
    let starts = |h: &[&str]| {
        head.len() >= h.len().min(3) && head.iter().zip(h).take(3).all(|(a, b)| a == b)
    };
    if starts(&crate::export::SETTINGS_HEADER) {
        return Kind::Settings;
    }
    if starts(&LINES_HEADER) {
        return Kind::Lines;
    }
    if starts(&ECONOMIC_HEADER) {
        return Kind::Economic;
    }
    if starts(&PROJECTS_HEADER) && head.len() > 7 {
        return Kind::Projects;
    }
    if starts(&INDICATORS_HEADER) {
        return Kind::Indicators;
    }
    if starts(&SECTIONS_HEADER) {
        return Kind::Sections;
    }
    if starts(&SECTION_TABLES_HEADER) {
        return Kind::SectionTables;
    }
    if starts(&PROCUREMENT_HEADER) {
        return Kind::Procurement;
    }
    if starts(&ASSETS_HEADER) {
        return Kind::Assets;
    }
    // `--emit xlsx` names its table sheets `<number>-<id>`.
    if let Some((_, id)) = g.name.split_once('-')
        && let Some(id) = TABLE_IDS.iter().find(|t| **t == id)
    {
        return Kind::Table(id);
    }
    // The title: the first rows' cells that name a 表 (not the column heads).
    let title: Vec<String> = g
        .head_texts()
        .into_iter()
        .filter(|t| t.contains('表'))
        .collect();
    table_of_title(&(title.join(" ") + " " + &g.name))
}

const TABLE_IDS: [&str; 9] = [
    "summary",
    "income",
    "expenditure",
    "fiscal",
    "general",
    "basic",
    "fund",
    "soe",
    "sangong",
];

/// The table a title names, by the words every region's titles share.
fn table_of_title(title: &str) -> Kind {
    let t: String = title.chars().filter(|c| !c.is_whitespace()).collect();
    let has = |w: &str| t.contains(w);
    if has("绩效目标") {
        Kind::ProjectList
    } else if has("三公") {
        Kind::Table("sangong")
    } else if has("基本支出") && !has("收入") {
        Kind::Table("basic")
    } else if has("政府性基金") && has("支出") && !has("收支") {
        Kind::Table("fund")
    } else if has("国有资本经营") && has("支出") && !has("收支") {
        Kind::Table("soe")
    } else if has("一般公共预算") && has("支出") && !has("收支") {
        Kind::Table("general")
    } else if has("财政拨款收支") {
        Kind::Table("fiscal")
    } else if has("收支") {
        Kind::Table("summary")
    } else if has("收入") && (has("总表") || has("预算表")) {
        Kind::Table("income")
    } else if has("支出") && (has("总表") || has("预算表")) {
        Kind::Table("expenditure")
    } else {
        Kind::Unknown
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !"（）()“”\"：:".contains(*c))
        .collect()
}

/// The column key of a header of table `id`, from every profile's definition
/// of that table: the same header first, else the longest one contained.
fn column_key(id: &str, header: &str) -> Option<&'static str> {
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for p in crate::profile::PROFILES {
        for spec in p.tables.iter().filter(|s| s.id == id) {
            for c in spec.columns {
                let ch = norm(c.header);
                if ch == h {
                    return Some(c.key);
                }
                let close = h.contains(&ch) || ch.contains(&h);
                if close && best.is_none_or(|(n, _)| ch.len() > n) {
                    best = Some((ch.len(), c.key));
                }
            }
        }
    }
    best.map(|b| b.1)
}

/// The unit a sheet's `单位：` line names.
fn unit_of(g: &Grid) -> Option<Unit> {
    g.head_texts().iter().find_map(|t| {
        let i = t.find("单位")?;
        let rest = t[i + "单位".len()..].trim_start_matches([':', '：', ' ']);
        if rest.starts_with("万元") {
            Some(Unit::Wanyuan)
        } else if rest.starts_with('元') {
            Some(Unit::Yuan)
        } else {
            None
        }
    })
}

/// `单位：万元`, `金额单位:元`: the unit line, not a column's header.
fn is_unit_line(t: &str) -> bool {
    t.contains("单位：") || t.contains("单位:")
}

fn is_code(s: &str, lens: &[usize]) -> bool {
    s.chars().all(|c| c.is_ascii_digit()) && lens.contains(&s.len())
}

/// One data row of a table sheet: its code (or `合计`), name and amounts by column key.
struct TableRow {
    row: usize,
    code: String,
    name: String,
    /// 2 for an item under the row above (`其中：`, an indented label, a `row/item` key).
    level: u8,
    values: BTreeMap<&'static str, Decimal>,
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

/// Imports the workbook `bytes` (named `name` in messages). `year` and
/// `profile` win over what the workbook says (a budget system's workbook
/// does not name its region; Shanghai's titles are recognised, else the
/// national profile is written).
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
        }
    };
    let mut book = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                diags,
                text!("无法读取工作簿：{e}", "cannot read the workbook: {e}"),
            );
        }
    };
    let mut grids = vec![];
    for sheet in book.sheet_names() {
        match book.worksheet_range(&sheet) {
            Ok(range) => {
                let (row0, col0) = range.start().unwrap_or((0, 0));
                let rows = range
                    .rows()
                    .map(|r| r.iter().map(cell_of).collect())
                    .collect();
                grids.push(Grid {
                    name: sheet,
                    row0,
                    col0,
                    rows,
                });
            }
            Err(e) => diags.push(Diagnostic::warning(
                "import",
                None,
                text!(
                    "工作表「{sheet}」无法读取：{e}",
                    "sheet \"{sheet}\" cannot be read: {e}"
                ),
            )),
        }
    }
    let mut reading = Reading::new(grids, diags);
    reading.profile = profile;
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
    fn new(grids: Vec<Grid>, diags: Diagnostics) -> Self {
        let kinds = grids.iter().map(classify).collect();
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

    /// A cell that could not be read: reported and kept as a comment.
    fn unread(&mut self, g: usize, r: usize, c: usize, why: &str) {
        let grid = &self.grids[g];
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
                    "工作簿中没有预算年度，请用 --year 给出",
                    "no budget year in the workbook; give it with --year"
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
        Imported {
            toml: out,
            diags: self.diags,
            projects,
        }
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

    fn profile(&self) -> &'static crate::profile::Profile {
        let named = self
            .book
            .settings
            .get("区域格式")
            .and_then(|p| crate::profile::find(p));
        let shanghai = self.grids.iter().any(|g| {
            g.head_texts()
                .iter()
                .any(|t| t.contains("部门财务收支预算总表"))
        });
        self.profile
            .or(named)
            .or_else(|| shanghai.then(|| crate::profile::find("shanghai")).flatten())
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

    /// Reads table sheet `g` (table `id`): the header rows, then every row
    /// with a code or a 合计.
    fn read_table(&mut self, g: usize, id: &'static str) {
        let grid = &self.grids[g];
        // A note under the table (`注：无政府性基金预算财政拨款预算，空表列示。`).
        if let Some(note) = grid
            .rows
            .iter()
            .flatten()
            .map(|c| c.text.as_str())
            .find(|t| t.starts_with("注：") || t.starts_with("注:"))
        {
            self.book.notes.insert(id, note.to_string());
        }
        if id == "summary" || id == "fiscal" {
            // Two-sided tables: every figure in them is a sum of the others'
            // lines, which `check` recomputes; only their unit is read.
            let unit = unit_of(grid);
            let table = Table {
                sheet: g,
                unit,
                rows: vec![],
            };
            self.book.tables.insert(id, table);
            return;
        }
        // 功能分类 类/款/项 and 经济分类 类/款/7-digit codes alike.
        let lens: &[usize] = &[3, 5, 7];
        let width = grid.rows.iter().map(Vec::len).max().unwrap_or(0);
        // The code column: the one with the most codes (or `类`/`款`/`项` columns).
        let code_col = (0..width).max_by_key(|c| {
            let n = grid
                .rows
                .iter()
                .filter(|r| {
                    r.get(*c)
                        .is_some_and(|x| is_code(split_code(&x.text).0, lens))
                })
                .count();
            (n, usize::MAX - c)
        });
        // The first row with an amount and a code or a 合计: the rows above are the headers.
        let first_data = grid.rows.iter().position(|r| {
            let labelled = r.iter().any(|c| is_code(split_code(&c.text).0, lens))
                || r.iter().any(|c| is_total(&c.text));
            labelled
                && r.iter()
                    .any(|c| c.amount.is_some() && !c.text.is_empty() && !is_code(&c.text, lens))
        });
        let (Some(code_col), Some(first_data)) = (code_col, first_data) else {
            return;
        };
        // 类 | 款 | 项 in columns of their own.
        let parts: Vec<usize> = (0..width)
            .filter(|c| (0..first_data).any(|r| ["类", "款", "项"].contains(&grid.text(r, *c))))
            .collect();
        let code_cols = if parts.len() >= 2 {
            parts
        } else {
            vec![code_col]
        };
        // The name column: a header with 名称 (not the `部门名称：` line).
        let name_col = (0..width).find(|c| {
            !code_cols.contains(c)
                && (0..first_data).any(|r| {
                    let t = grid.text(r, *c);
                    t.contains("名称") && !t.contains(['：', ':'])
                })
        });
        // Each amount column's key, from its lowest header cell.
        let mut keys: BTreeMap<usize, &'static str> = BTreeMap::new();
        for c in 0..width {
            if code_cols.contains(&c) || Some(c) == name_col {
                continue;
            }
            let header = (0..first_data)
                .rev()
                .map(|r| grid.text(r, c))
                .find(|t| !t.is_empty() && !is_unit_line(t) && !t.ends_with('表'));
            if let Some(k) = header.and_then(|h| column_key(id, h))
                && !keys.values().any(|v| *v == k)
            {
                keys.insert(c, k);
            }
        }
        let sangong = id == "sangong";
        let first_amount = keys.keys().next().copied().unwrap_or(width);
        let mut rows = vec![];
        let mut parts = vec![String::new(); code_cols.len()];
        let mut unread = vec![];
        for r in first_data..grid.rows.len() {
            let (mut code, mut name) = if code_cols.len() > 1 {
                // A 款 or 项 written alone is under the 类 (and 款) of the rows above.
                let cells: Vec<&str> = code_cols.iter().map(|c| grid.text(r, *c)).collect();
                let code = match cells.iter().rposition(|t| !t.is_empty()) {
                    Some(deepest)
                        if cells.iter().all(|t| t.chars().all(|c| c.is_ascii_digit())) =>
                    {
                        for (i, t) in cells.iter().enumerate().take(deepest + 1) {
                            if !t.is_empty() {
                                parts[i] = t.to_string();
                                parts[i + 1..].iter_mut().for_each(String::clear);
                            }
                        }
                        parts[..=deepest].concat()
                    }
                    _ => cells.concat(),
                };
                (code, String::new())
            } else {
                let (c, n) = split_code(grid.text(r, code_col));
                (c.to_string(), n.to_string())
            };
            if let Some(nc) = name_col {
                name = grid.text(r, nc).to_string();
            }
            let mut level = 1;
            if sangong {
                // The label is the last text before the amounts; the first cell
                // is `--emit xlsx`'s key, if any.
                let raw = (0..first_amount)
                    .rev()
                    .map(|c| grid.rows[r].get(c).map_or("", |x| x.text.as_str()))
                    .find(|t| !t.is_empty() && amount_of(t).is_none())
                    .unwrap_or("");
                code = grid.text(r, 0).to_string();
                name = raw.to_string();
                if name.is_empty() {
                    continue;
                }
                if raw.starts_with(['　', ' '])
                    || norm(raw).starts_with("其中")
                    || code.contains('/')
                {
                    level = 2;
                }
                let bare = raw.trim_start_matches(['　', ' ']);
                let bare = bare
                    .strip_prefix("其中")
                    .map_or(bare, |b| b.trim_start_matches(['：', ':']));
                name = bare.to_string();
            }
            let total = is_total(&code) || is_total(&name);
            if !total && !is_code(&code, lens) && !sangong {
                continue;
            }
            let mut values = BTreeMap::new();
            for (c, k) in &keys {
                match grid.rows[r].get(*c) {
                    Some(cell) if cell.amount.is_some() => {
                        values.insert(*k, cell.amount.unwrap_or_default());
                    }
                    Some(cell) if !cell.text.is_empty() && amount_of(&cell.text).is_none() => {
                        unread.push((r, *c));
                    }
                    _ => {
                        values.insert(*k, Decimal::ZERO);
                    }
                }
            }
            rows.push(TableRow {
                row: r,
                code: if total { "合计".into() } else { code },
                name: name.trim_start_matches(['　', ' ']).to_string(),
                level,
                values,
            });
        }
        let unit = unit_of(grid);
        for (r, c) in unread {
            self.unread(g, r, c, "不是金额");
        }
        self.book.tables.insert(
            id,
            Table {
                sheet: g,
                unit,
                rows,
            },
        );
    }

    /// Writes the `[[expenditure]]` lines; false when there are none.
    fn write_lines(&mut self, out: &mut String, unit: Unit) -> bool {
        let lines = match self.kinds.iter().position(|k| *k == Kind::Lines) {
            Some(g) => {
                let mut bad = vec![];
                let lines = read_lines_sheet(&self.grids[g], unit, &mut bad);
                for (r, c, why) in bad {
                    self.unread(g, r, c, why);
                }
                lines
            }
            None => self.rebuild_lines(),
        };
        for l in &lines {
            let _ = writeln!(
                out,
                "\n[[expenditure]]\ncode = \"{}\"\nname = {}\nsource = {}",
                l.code,
                toml_str(&l.name),
                toml_str(l.source.label())
            );
            for (key, v) in KIND_KEYS.iter().zip(&l.kinds) {
                if let Some(v) = v {
                    let _ = writeln!(out, "{key} = {}", money(unit.from_yuan(*v)));
                }
            }
            if let Some(u) = &l.uses {
                let _ = writeln!(out, "uses = {}", toml_str(u));
            }
            if let Some(r) = &l.reason {
                let _ = writeln!(out, "reason = {}", toml_str(r));
            }
        }
        !lines.is_empty()
    }

    /// The 项 lines rebuilt from the tables: the three fund tables give the
    /// 财政拨款 lines with their 基本/项目 split; the 收入总表's other columns
    /// give the other sources, whose 基本/项目 split is what the 支出总表
    /// leaves once the fund tables are taken off (in source order when two
    /// sources share a 项: the tables print the same either way).
    fn rebuild_lines(&mut self) -> Vec<LineOut> {
        let leaves = |t: Option<&Table>,
                      unit: Unit|
         -> BTreeMap<String, (String, BTreeMap<&'static str, Decimal>)> {
            let Some(t) = t else { return BTreeMap::new() };
            let codes: Vec<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
            t.rows
                .iter()
                .filter(|r| r.code != "合计")
                .filter(|r| {
                    !codes
                        .iter()
                        .any(|c| c.len() > r.code.len() && c.starts_with(&r.code))
                })
                .map(|r| {
                    let v = r
                        .values
                        .iter()
                        .map(|(k, v)| (*k, *v * unit.yuan()))
                        .collect();
                    (r.code.clone(), (r.name.clone(), v))
                })
                .collect()
        };
        let unit = |id: &str| self.table_unit(id).unwrap_or(Unit::Wanyuan);
        let income = leaves(self.book.tables.get("income"), unit("income"));
        let spending = leaves(self.book.tables.get("expenditure"), unit("expenditure"));
        let funds = [
            (
                Source::General,
                leaves(self.book.tables.get("general"), unit("general")),
            ),
            (
                Source::Fund,
                leaves(self.book.tables.get("fund"), unit("fund")),
            ),
            (
                Source::Soe,
                leaves(self.book.tables.get("soe"), unit("soe")),
            ),
        ];
        let have_funds = self.book.tables.contains_key("general");
        // The income columns' sources, from the file's profile's definition.
        let profile = self.profile();
        let income_spec = profile.tables.iter().find(|s| s.id == "income");
        let source_of = |key: &str| -> Option<Source> {
            let c = income_spec?.columns.iter().find(|c| c.key == key)?;
            match c.measure {
                Measure::Lines(s, _) if s.contains(&Source::General) => Some(Source::General),
                Measure::Lines(s, _) if s.contains(&Source::Carryover) => Some(Source::Carryover),
                Measure::Lines(s, _) => s.first().copied(),
                _ => None,
            }
        };
        let spending_keys = [
            "basic",
            "project",
            "operating",
            "to_superior",
            "to_subsidiary",
        ];
        let mut codes: Vec<&String> = income.keys().chain(spending.keys()).collect();
        for (_, f) in &funds {
            codes.extend(f.keys());
        }
        codes.sort();
        codes.dedup();
        let mut out = vec![];
        for code in codes {
            let name = [&income, &spending]
                .iter()
                .chain(funds.iter().map(|f| &f.1).collect::<Vec<_>>().iter())
                .find_map(|m| m.get(code).map(|x| x.0.clone()))
                .unwrap_or_default();
            let get = |m: &BTreeMap<String, (String, BTreeMap<&'static str, Decimal>)>, k: &str| {
                m.get(code)
                    .and_then(|x| x.1.get(k))
                    .copied()
                    .unwrap_or_default()
            };
            let mut rest: Vec<Decimal> = spending_keys.iter().map(|k| get(&spending, k)).collect();
            let mut line = |source: Source, kinds: [Decimal; 5]| {
                if kinds.iter().all(Decimal::is_zero) {
                    return;
                }
                let mut k = [None; KINDS];
                for (slot, v) in k.iter_mut().zip(kinds) {
                    *slot = Some(v).filter(|v| !v.is_zero());
                }
                out.push(LineOut {
                    code: code.clone(),
                    name: name.clone(),
                    source,
                    kinds: k,
                    uses: None,
                    reason: None,
                });
            };
            if have_funds {
                for (source, m) in &funds {
                    let (b, p) = (get(m, "basic"), get(m, "project"));
                    rest[0] -= b;
                    rest[1] -= p;
                    line(*source, [b, p, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO]);
                }
            }
            let mut sources: Vec<(Source, Decimal)> = vec![];
            if let Some((_, (_, values))) = income.get_key_value(code) {
                for (key, v) in values {
                    let Some(s) = source_of(key) else { continue };
                    if (s == Source::General && have_funds) || v.is_zero() {
                        continue;
                    }
                    sources.push((s, *v));
                }
            } else if !have_funds {
                sources.push((Source::General, rest.iter().sum()));
            }
            // 西北角: each source takes the kinds in order until it is spent.
            let mut j = 0;
            for (s, mut left) in sources {
                let mut kinds = [Decimal::ZERO; 5];
                while !left.is_zero() {
                    while j < rest.len() && rest[j] <= Decimal::ZERO {
                        j += 1;
                    }
                    if j == rest.len() {
                        kinds[0] += left;
                        break;
                    }
                    let take = left.min(rest[j]);
                    kinds[j] += take;
                    rest[j] -= take;
                    left -= take;
                }
                line(s, kinds);
            }
        }
        out
    }

    /// The `[[basic_economic]]` lines: the `economic` sheet, else the
    /// 基本支出表's 款 rows (人员经费 or 公用经费 by the column their money is in).
    fn write_economic(&mut self, out: &mut String, unit: Unit) {
        // (code, name, 人员经费?, amount in 元, 政府经济分类)
        let mut lines: Vec<(String, String, bool, Decimal, String)> = vec![];
        if let Some(g) = self.kinds.iter().position(|k| *k == Kind::Economic) {
            let from = self
                .book
                .settings
                .get("录入单位")
                .and_then(|u| Unit::parse(u))
                .unwrap_or(unit);
            let mut bad = vec![];
            for (r, row) in self.grids[g].rows.iter().enumerate().skip(1) {
                let text = |c: usize| row.get(c).map_or(String::new(), |x| x.text.clone());
                if text(0).is_empty() {
                    continue;
                }
                match row.get(3).and_then(|x| x.amount) {
                    Some(v) => lines.push((
                        text(0),
                        text(1),
                        text(2) == "人员经费",
                        v * from.yuan(),
                        text(4),
                    )),
                    None => bad.push((r, 3)),
                }
            }
            for (r, c) in bad {
                self.unread(g, r, c, "不是金额");
            }
        } else if let Some(t) = self.book.tables.get("basic") {
            let u = self.table_unit("basic").unwrap_or(unit).yuan();
            let codes: Vec<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
            let mut both = vec![];
            for r in &t.rows {
                let leaf = r.code != "合计"
                    && !codes
                        .iter()
                        .any(|c| c.len() > r.code.len() && c.starts_with(&r.code));
                if !leaf {
                    continue;
                }
                let p = r.values.get("personnel").copied().unwrap_or_default();
                let q = r.values.get("public").copied().unwrap_or_default();
                let total = r.values.get("total").copied().unwrap_or(p + q);
                let personnel = if p.is_zero() && q.is_zero() {
                    r.code.starts_with("301") || r.code.starts_with("303")
                } else {
                    q.is_zero()
                };
                if !p.is_zero() && !q.is_zero() {
                    both.push((t.sheet, r.row));
                }
                let amount = if p.is_zero() && q.is_zero() {
                    total
                } else {
                    p + q
                };
                lines.push((
                    r.code.clone(),
                    r.name.clone(),
                    personnel,
                    amount * u,
                    String::new(),
                ));
            }
            for (g, r) in both {
                self.unread(g, r, 0, "一个款既有人员经费又有公用经费，已按公用经费写入");
            }
        }
        for (code, name, personnel, amount, government) in lines {
            let kind = if personnel {
                "人员经费"
            } else {
                "公用经费"
            };
            let _ = writeln!(
                out,
                "\n[[basic_economic]]\ncode = {}\nname = {}\namount = {}\nkind = \"{kind}\"",
                toml_str(&code),
                toml_str(&name),
                money(unit.from_yuan(amount))
            );
            if !government.is_empty() {
                let _ = writeln!(out, "government = {}", toml_str(&government));
            }
        }
    }

    /// `[sangong]` from the 三公 table's rows, by their keys (`--emit xlsx`)
    /// or labels.
    fn write_sangong(&mut self, out: &mut String, unit: Unit) {
        let Some(t) = self.book.tables.get("sangong") else {
            return;
        };
        let u = self.table_unit("sangong").unwrap_or(unit).yuan();
        let funds = |r: &TableRow| -> [Decimal; 3] {
            let v = |k: &str| r.values.get(k).copied().unwrap_or_default() * u;
            if ["general", "fund", "soe"]
                .iter()
                .any(|k| r.values.contains_key(k))
            {
                [v("general"), v("fund"), v("soe")]
            } else {
                [v("total"), Decimal::ZERO, Decimal::ZERO]
            }
        };
        let toml_funds = |f: [Decimal; 3]| {
            if f[1].is_zero() && f[2].is_zero() {
                money(unit.from_yuan(f[0]))
            } else {
                format!(
                    "{{ general = {}, fund = {}, soe = {} }}",
                    money(unit.from_yuan(f[0])),
                    money(unit.from_yuan(f[1])),
                    money(unit.from_yuan(f[2]))
                )
            }
        };
        let mut main = vec![];
        // A region's own rows: name, amount, 其中 items (name, amount).
        type Extra = (String, String, Vec<(String, String)>);
        let mut extras: Vec<Extra> = vec![];
        let mut split = false;
        for r in &t.rows {
            let label = norm(&r.name).trim_start_matches("其中").to_string();
            let key = match (r.code.as_str(), label.as_str()) {
                ("合计", _) | (_, "三公经费小计") | (_, "小计") => continue,
                (_, l) if l.contains("教学科研") => "abroad_research",
                (_, l) if l.contains("其他因公出国") => "abroad_other",
                (_, l) if l.contains("因公出国") => "abroad",
                (_, l) if l.contains("购置及运") || l.contains("购置和运") => continue,
                (_, l) if l.contains("公务用车购置") => "vehicle_purchase",
                (_, l) if l.contains("公务用车运行") => "vehicle_operation",
                (_, l) if l.contains("公务接待") => "reception",
                (_, l) if l.contains("机关运行经费") => "running_costs",
                _ => "",
            };
            if key.starts_with("abroad_") {
                split = true;
            }
            if key.is_empty() {
                // A region's own row (会议费, 培训费) or one of its 其中 items.
                let item = r.level > 1;
                match extras.last_mut() {
                    Some(e) if item => e.2.push((r.name.clone(), toml_funds(funds(r)))),
                    _ => extras.push((r.name.clone(), toml_funds(funds(r)), vec![])),
                }
            } else {
                let f = if key == "running_costs" {
                    let all = r.values.get("total").copied().unwrap_or_default() * u;
                    [all, Decimal::ZERO, Decimal::ZERO]
                } else {
                    funds(r)
                };
                main.push((key, f));
            }
        }
        let _ = writeln!(out, "\n[sangong]");
        // Last year's figures, as the file wrote them (its own unit).
        let last: Vec<String> = self
            .book
            .settings
            .iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix("三公上年.")?;
                Some(format!("{key} = {}", money(amount_of(v)?)))
            })
            .collect();
        if !last.is_empty() {
            let _ = writeln!(out, "last_year = {{ {} }}", last.join(", "));
        }
        for (key, f) in &main {
            if *key == "abroad" && split {
                continue;
            }
            if *key == "running_costs" {
                let _ = writeln!(
                    out,
                    "running_costs = {}",
                    money(unit.from_yuan(f.iter().sum()))
                );
            } else {
                let _ = writeln!(out, "{key} = {}", toml_funds(*f));
            }
        }
        for (name, amount, items) in extras {
            let _ = writeln!(out, "\n[[sangong.extra]]\nname = {}", toml_str(&name));
            if items.is_empty() {
                let _ = writeln!(out, "amount = {amount}");
            } else {
                let _ = writeln!(out, "items = [");
                for (n, a) in items {
                    let _ = writeln!(out, "  {{ name = {}, amount = {a} }},", toml_str(&n));
                }
                let _ = writeln!(out, "]");
            }
        }
    }

    /// `[names]` of the 类 and 款 rows, and `[declared.<id>]` of every total
    /// row the tables print (in each table's own unit).
    fn write_names_and_declared(&mut self, out: &mut String) {
        let profile = self.profile();
        let mut names = BTreeMap::new();
        let mut declared = String::new();
        for (id, t) in &self.book.tables {
            let Some(spec) = profile.tables.iter().find(|s| s.id == *id) else {
                continue;
            };
            if !matches!(spec.shape, Shape::Function(_) | Shape::Economic) {
                continue;
            }
            let codes: Vec<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
            let mut rows = vec![];
            for r in &t.rows {
                let parent = r.code == "合计"
                    || codes
                        .iter()
                        .any(|c| c.len() > r.code.len() && c.starts_with(&r.code));
                if !parent {
                    continue;
                }
                if r.code != "合计" && !r.name.is_empty() && *id != "basic" {
                    names.entry(r.code.clone()).or_insert(r.name.clone());
                }
                let cells: Vec<String> = spec
                    .columns
                    .iter()
                    .filter_map(|c| {
                        r.values
                            .get(c.key)
                            .map(|v| format!("{} = {}", c.key, money(*v)))
                    })
                    .collect();
                if !cells.is_empty() {
                    rows.push(format!(
                        "{} = {{ {} }}",
                        toml_str(&r.code),
                        cells.join(", ")
                    ));
                }
            }
            if !rows.is_empty() {
                let _ = writeln!(declared, "\n[declared.{id}]");
                for r in rows {
                    let _ = writeln!(declared, "{r}");
                }
            }
        }
        let mut notes: BTreeMap<&str, &String> =
            self.book.notes.iter().map(|(k, v)| (*k, v)).collect();
        for (k, v) in &self.book.settings {
            if let Some(id) = k.strip_prefix("表注.") {
                notes.insert(id, v);
            }
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "\n[notes]");
            for (k, v) in notes {
                let _ = writeln!(out, "{} = {}", toml_str(k), toml_str(v));
            }
        }
        if !names.is_empty() {
            let _ = writeln!(out, "\n[names]");
            for (code, n) in names {
                let _ = writeln!(out, "{} = {}", toml_str(&code), toml_str(&n));
            }
        }
        out.push_str(&declared);
    }

    /// The document around the tables, from the sheets `--emit xlsx` writes:
    /// `[last_year]`, the sections and their tables, 政府采购, 国有资产.
    fn write_document(&mut self, out: &mut String) {
        let s = &self.book.settings;
        let last: Vec<(&str, &String)> = s
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("上年.")?, v)))
            .collect();
        if !last.is_empty() {
            let _ = writeln!(out, "\n[last_year]");
            for (key, v) in last {
                match amount_of(v).filter(|_| key != "basis") {
                    Some(a) => {
                        let _ = writeln!(out, "{key} = {}", money(a));
                    }
                    None => {
                        let _ = writeln!(out, "{key} = {}", toml_str(v));
                    }
                }
            }
        }
        let rows_of = |k: Kind| -> Vec<Vec<String>> {
            self.kinds
                .iter()
                .position(|x| *x == k)
                .map(|g| {
                    self.grids[g]
                        .rows
                        .iter()
                        .skip(1)
                        .map(|r| r.iter().map(|c| c.raw.clone()).collect())
                        .collect()
                })
                .unwrap_or_default()
        };
        let get = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
        let tables = rows_of(Kind::SectionTables);
        for r in rows_of(Kind::Sections) {
            let _ = writeln!(out, "\n[[section]]\ntitle = {}", toml_str(&get(&r, 1)));
            for (i, key) in [(2, "place"), (3, "text"), (4, "generate")] {
                if !get(&r, i).is_empty() {
                    let _ = writeln!(out, "{key} = {}", toml_str(&get(&r, i)));
                }
            }
            if !get(&r, 5).is_empty() {
                let _ = writeln!(out, "generate_after_text = true");
            }
            let mine: Vec<&Vec<String>> =
                tables.iter().filter(|t| get(t, 0) == get(&r, 0)).collect();
            if let Some(head) = mine.iter().find(|t| get(t, 1) == "表头") {
                let cells = |t: &Vec<String>| {
                    let mut c: Vec<String> = t[2..].to_vec();
                    // The sheet is rectangular: a shorter row's empty tail is not its cells.
                    while c.last().is_some_and(String::is_empty) {
                        c.pop();
                    }
                    c.iter().map(|x| toml_str(x)).collect::<Vec<_>>().join(", ")
                };
                let _ = writeln!(out, "[section.table]");
                if !get(&r, 6).is_empty() {
                    let _ = writeln!(out, "caption = {}", toml_str(&get(&r, 6)));
                }
                let _ = writeln!(out, "header = [{}]", cells(head));
                let rows: Vec<String> = mine
                    .iter()
                    .filter(|t| get(t, 1) == "行")
                    .map(|t| format!("  [{}],", cells(t)))
                    .collect();
                let _ = writeln!(out, "rows = [\n{}\n]", rows.join("\n"));
            }
        }
        for r in rows_of(Kind::Procurement) {
            let _ = writeln!(
                out,
                "\n[[procurement]]\nproject = {}",
                toml_str(&get(&r, 0))
            );
            let _ = writeln!(out, "item = {}", toml_str(&get(&r, 2)));
            for (i, key) in [(3, "catalogue_code"), (4, "kind"), (5, "unit")] {
                if !get(&r, i).is_empty() {
                    let _ = writeln!(out, "{key} = {}", toml_str(&get(&r, i)));
                }
            }
            for (i, key) in [
                (1, "project_budget"),
                (6, "quantity"),
                (7, "price"),
                (8, "amount"),
                (9, "sme"),
            ] {
                if let Some(a) = amount_of(&get(&r, i)).filter(|_| !get(&r, i).is_empty()) {
                    let _ = writeln!(out, "{key} = \"{a}\"");
                }
            }
        }
        if let Some(date) = s.get("资产.date") {
            let _ = writeln!(out, "\n[assets]\ndate = {}", toml_str(date));
            if let Some(p) = s.get("资产.planned").and_then(|p| amount_of(p)) {
                let _ = writeln!(out, "planned = {}", money(p));
            }
            let _ = writeln!(out, "item = [");
            for r in rows_of(Kind::Assets) {
                let mut fields = vec![format!("name = {}", toml_str(&get(&r, 0)))];
                if !get(&r, 1).is_empty() {
                    fields.push(format!("count = {}", get(&r, 1)));
                }
                if let Some(v) = amount_of(&get(&r, 2)).filter(|_| !get(&r, 2).is_empty()) {
                    fields.push(format!("value = {}", money(v)));
                }
                if !get(&r, 3).is_empty() {
                    fields.push("within = true".into());
                }
                let _ = writeln!(out, "  {{ {} }},", fields.join(", "));
            }
            let _ = writeln!(out, "]");
        }
    }

    /// The projects: the `projects` and `indicators` sheets, else a list
    /// layout's 绩效目标表 (read by [`crate::import::import_list`]).
    fn write_projects(
        &mut self,
        out: &mut String,
        name: &str,
        year: Option<i32>,
        unit: Unit,
    ) -> usize {
        let s = self.book.settings.clone();
        if let Some(g) = self.kinds.iter().position(|k| *k == Kind::Projects) {
            let _ = writeln!(out, "\n[projects]");
            for (label, key) in [
                ("项目表格式", "layout"),
                ("项目表标题", "title"),
                ("项目表部门", "department"),
                ("项目表表头", "heading"),
                ("指标写法", "indicator_style"),
            ] {
                if let Some(v) = s.get(label) {
                    let _ = writeln!(out, "{key} = {}", toml_str(v));
                }
            }
            let from = s
                .get("项目金额单位")
                .and_then(|u| Unit::parse(u))
                .unwrap_or(unit);
            let mut indicators: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
            if let Some(i) = self.kinds.iter().position(|k| *k == Kind::Indicators) {
                for row in self.grids[i].rows.iter().skip(1) {
                    let cells: Vec<String> = row.iter().map(|c| c.text.clone()).collect();
                    if let Some(n) = cells.first() {
                        indicators.entry(n.clone()).or_default().push(cells);
                    }
                }
            }
            let mut count = 0;
            let mut bad = vec![];
            for (r, row) in self.grids[g].rows.iter().enumerate().skip(1) {
                let text = |c: usize| row.get(c).map_or(String::new(), |x| x.text.clone());
                if text(2).is_empty() {
                    continue;
                }
                count += 1;
                let _ = writeln!(out, "\n[[project]]");
                for (c, key) in [(0, "unit"), (1, "code"), (2, "name")] {
                    if !text(c).is_empty() {
                        let _ = writeln!(out, "{key} = {}", toml_str(&text(c)));
                    }
                }
                for (c, key) in [
                    (3, "total"),
                    (4, "fiscal"),
                    (5, "special_account"),
                    (6, "other"),
                ] {
                    match row.get(c).and_then(|x| x.amount) {
                        Some(v) if c == 3 || !v.is_zero() => {
                            let _ =
                                writeln!(out, "{key} = {}", money(unit.from_yuan(v * from.yuan())));
                        }
                        Some(_) => {}
                        None if text(c).is_empty() => {}
                        None => bad.push((r, c)),
                    }
                }
                for (c, key) in [
                    (7, "supervisor_code"),
                    (8, "supervisor"),
                    (9, "implementer_code"),
                    (10, "implementer"),
                    (11, "attribute"),
                    (12, "period"),
                    (13, "purpose"),
                    (15, "goal"),
                ] {
                    if !text(c).is_empty() {
                        let _ = writeln!(out, "{key} = {}", toml_str(&text(c)));
                    }
                }
                if !text(14).is_empty() {
                    let plan: Vec<String> = text(14)
                        .split('；')
                        .map(|p| {
                            amount_of(p.trim_end_matches('%')).map_or_else(|| toml_str(p), money)
                        })
                        .collect();
                    let _ = writeln!(out, "plan = [{}]", plan.join(", "));
                }
                for ind in indicators.get(&count.to_string()).into_iter().flatten() {
                    let get = |c: usize| ind.get(c).cloned().unwrap_or_default();
                    let _ = writeln!(out, "[[project.indicator]]");
                    for (c, key) in [(2, "level1"), (3, "level2"), (4, "name"), (5, "value")] {
                        let _ = writeln!(out, "{key} = {}", toml_str(&get(c)));
                    }
                    if get(6) != get(5) {
                        let _ = writeln!(out, "period_value = {}", toml_str(&get(6)));
                    }
                    for (c, key) in [(7, "description"), (8, "basis")] {
                        if !get(c).is_empty() {
                            let _ = writeln!(out, "{key} = {}", toml_str(&get(c)));
                        }
                    }
                }
            }
            for (r, c) in bad {
                self.unread(g, r, c, "不是金额");
            }
            return count;
        }
        let Some(g) = self.kinds.iter().position(|k| *k == Kind::ProjectList) else {
            return 0;
        };
        // The list layout, as tab-separated text: its line numbers are the sheet's rows.
        let grid = &self.grids[g];
        let mut text = String::new();
        for _ in 0..grid.row0 {
            text.push('\n');
        }
        for row in &grid.rows {
            let mut cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
            // The range is rectangular: a title row's empty cells are not cells of a row.
            while cells.last().is_some_and(|c| c.is_empty()) {
                cells.pop();
            }
            text.push_str(&cells.join("\t").replace('\n', " "));
            text.push('\n');
        }
        let sheet = format!("{name}!{}", grid.name);
        let imported = crate::import::import_list(&sheet, &text, year);
        for mut d in imported.diags.items {
            d.span = None;
            self.diags.push(d);
        }
        if let Some(i) = imported.toml.find("\n[projects]") {
            out.push_str(&imported.toml[i..]);
        }
        imported.projects
    }
}

/// One 功能分类 line to write, amounts in 元 (`None`: not given).
struct LineOut {
    code: String,
    name: String,
    source: Source,
    kinds: [Option<Decimal>; KINDS],
    uses: Option<String>,
    reason: Option<String>,
}

/// The `lines` sheet `--emit xlsx` writes, amounts in `unit`.
fn read_lines_sheet(
    g: &Grid,
    unit: Unit,
    reading: &mut Vec<(usize, usize, &'static str)>,
) -> Vec<LineOut> {
    let mut out = vec![];
    for (r, row) in g.rows.iter().enumerate().skip(1) {
        let text = |c: usize| row.get(c).map_or("", |x| x.text.as_str());
        if text(0).is_empty() {
            continue;
        }
        let Some(source) = Source::parse(text(2)) else {
            reading.push((r, 2, "不是资金来源"));
            continue;
        };
        let mut kinds = [None; KINDS];
        for (k, slot) in kinds.iter_mut().enumerate() {
            let c = 3 + k;
            if text(c).is_empty() {
                continue;
            }
            match row.get(c).and_then(|x| x.amount) {
                Some(v) => *slot = Some(v * unit.yuan()),
                None => reading.push((r, c, "不是金额")),
            }
        }
        let opt = |c: usize| Some(text(c).to_string()).filter(|t| !t.is_empty());
        out.push(LineOut {
            code: text(0).to_string(),
            name: text(1).to_string(),
            source,
            kinds,
            uses: opt(3 + KINDS),
            reason: opt(4 + KINDS),
        });
    }
    out
}

/// "2013201 行政运行" → ("2013201", "行政运行"); a code alone → (code, "").
fn split_code(s: &str) -> (&str, &str) {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(s.len(), |(i, _)| i);
    if s[end..].starts_with(['.', ',']) {
        // A figure such as 171.01, not a code.
        return ("", s);
    }
    (&s[..end], s[end..].trim())
}

fn is_total(s: &str) -> bool {
    let t = norm(s);
    t == "合计" || t == "总计" || t == "支出合计"
}

/// An amount as a TOML value: a bare number when it has at most 15
/// significant digits (read back exactly), else a string.
fn money(v: Decimal) -> String {
    let mut v = v.normalize();
    if v.scale() < 2 {
        v.rescale(2);
    }
    let digits = v.normalize().mantissa().unsigned_abs().to_string().len();
    if digits <= 15 {
        v.to_string()
    } else {
        format!("\"{v}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers read as the columns every profile's tables define, in the
    /// budget systems' shorter words too.
    #[test]
    fn headers_name_their_columns() {
        for (id, header, key) in [
            ("income", "事业单位经营收入", "operating"),
            ("income", "事业收入", "business"),
            ("income", "财政拨款", "fiscal"),
            ("income", "财政专户", "special_account"),
            ("income", "上年结转", "carryover"),
            ("sangong", "合计", "total"),
            ("sangong", "一般公共预算财政拨款", "general"),
            ("basic", "人员经费", "personnel"),
        ] {
            assert_eq!(column_key(id, header), Some(key), "{id} {header}");
        }
    }

    /// An amount is not a code followed by a name.
    #[test]
    fn codes_split_from_names_but_not_from_decimals() {
        assert_eq!(split_code("2013201 行政运行"), ("2013201", "行政运行"));
        assert_eq!(split_code("201"), ("201", ""));
        assert_eq!(split_code("171.01"), ("", "171.01"));
        assert_eq!(split_code("1,234.00"), ("", "1,234.00"));
    }
}
