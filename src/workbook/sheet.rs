//! Reading a sheet: cells and amounts, which table a sheet is (by its
//! title, or the names and headers `--emit xlsx` gives), its columns by
//! their headers, and a table sheet's rows.

use std::collections::BTreeMap;
use std::str::FromStr;

use calamine::Data;
use rust_decimal::Decimal;

use super::{Reading, Table, TableRow};
use crate::domain::Unit;
use crate::export::{
    ASSETS_HEADER, ECONOMIC_HEADER, INDICATORS_HEADER, LINES_HEADER, PROCUREMENT_HEADER,
    PROJECTS_HEADER, SECTION_TABLES_HEADER, SECTIONS_HEADER,
};

/// The most cells (empty ones between others included) the rows of one
/// sheet may span once its empty columns are dropped.
pub const MAX_SPAN: usize = 20_000_000;

/// Why a date cell is no amount.
pub(super) const A_DATE: &str = "是日期格式，不是金额（请把单元格格式改为数值）";
/// Why a formula's error value is no amount.
pub(super) const AN_ERROR: &str = "是公式的错误值，不是金额";

/// One cell: its text as shown, and its amount when it reads as one.
#[derive(Debug, Clone, Default)]
pub(super) struct Cell {
    pub(super) text: String,
    /// The text as the cell holds it, untrimmed (a paragraph's indent).
    pub(super) raw: String,
    pub(super) amount: Option<Decimal>,
    /// Why a cell that holds something is no amount (a formula never
    /// calculated, a date, an error value), when it is one of those.
    pub(super) why: Option<&'static str>,
}

impl Cell {
    /// A cell shown as `text` that can never be an amount, for `why`.
    pub(super) fn not_amount(text: &str, why: &'static str) -> Cell {
        Cell {
            text: text.to_string(),
            raw: text.to_string(),
            amount: None,
            why: Some(why),
        }
    }
}

/// How many columns a sheet may span before its empty ones are left out.
const DENSE_COLUMNS: u32 = 256;

/// One sheet's cells, with the position of its first cell. In a sheet
/// wider than [`DENSE_COLUMNS`] columns with nothing in them are left out
/// (`col_at` says where each column is); each row ends at its last cell.
pub struct Grid {
    pub(super) name: String,
    pub(super) row0: u32,
    /// The sheet column of each grid column.
    pub(super) col_at: Vec<u32>,
    pub(super) rows: Vec<Vec<Cell>>,
    /// Where each column of `rows` is in the sheet, when [`Grid::align`]
    /// put the columns in the order yusuan reads them (empty: as they are).
    pub(super) columns: Vec<usize>,
}

impl Grid {
    /// A sheet from the cells that hold something, at their (row, column);
    /// `None` when its rows would span more than
    /// [`MAX_SPAN`] cells.
    pub(super) fn from_cells(name: String, mut cells: Vec<(u32, u32, Cell)>) -> Option<Grid> {
        // Columns as the sheet has them from its first used one, unless they
        // spread past any budget table's width (a stray cell at XFD2000):
        // then the empty ones are left out, the order kept.
        let mut col_at: Vec<u32> = cells.iter().map(|c| c.1).collect();
        col_at.sort_unstable();
        col_at.dedup();
        if let (Some(&first), Some(&last)) = (col_at.first(), col_at.last())
            && last - first < DENSE_COLUMNS
        {
            col_at = (first..=last).collect();
        }
        cells.sort_by_key(|c| (c.0, c.1));
        let row0 = cells.first().map_or(0, |c| c.0);
        let last = cells.last().map_or(0, |c| c.0);
        let mut rows: Vec<Vec<Cell>> = vec![];
        let mut span = 0usize;
        if !cells.is_empty() {
            rows.resize_with((last - row0) as usize + 1, Vec::new);
        }
        for (r, c, cell) in cells {
            let c = col_at.binary_search(&c).unwrap_or_default();
            let row = &mut rows[(r - row0) as usize];
            if row.len() <= c {
                span += c + 1 - row.len();
                if span > MAX_SPAN {
                    return None;
                }
                row.resize_with(c + 1, Cell::default);
            }
            row[c] = cell;
        }
        Some(Grid {
            name,
            row0,
            col_at,
            rows,
            columns: vec![],
        })
    }

    /// Puts a data sheet's columns in the order of `expected` by their
    /// headers (row 1), so that a column moved, added or removed by hand
    /// in Excel is still read by its header, never by its place; a missing
    /// header reads as empty cells. Columns after `expected` stay in order.
    pub(super) fn align(&mut self, expected: &[&str]) {
        let head: Vec<String> = self
            .rows
            .first()
            .map_or(vec![], |r| r.iter().map(|c| c.text.clone()).collect());
        let mut columns: Vec<usize> = expected
            .iter()
            .map(|h| head.iter().position(|x| x == h).unwrap_or(usize::MAX))
            .collect();
        // A variable tail (a section table's cells) keeps its order.
        let last = columns.iter().filter(|c| **c != usize::MAX).max().copied();
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        columns.extend(last.map_or(0, |l| l + 1)..width);
        self.rows = self
            .rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .map(|c| row.get(*c).cloned().unwrap_or_default())
                    .collect()
            })
            .collect();
        self.columns = columns;
    }

    /// The cell's Excel address, `C7`.
    pub(super) fn a1(&self, r: usize, c: usize) -> String {
        let c = self.columns.get(c).copied().unwrap_or(c);
        let mut col = self.col_at.get(c).map_or(c, |x| *x as usize) + 1;
        let mut letters = vec![];
        while col > 0 {
            letters.push(char::from(b'A' + ((col - 1) % 26) as u8));
            col = (col - 1) / 26;
        }
        let l: String = letters.into_iter().rev().collect();
        format!("{l}{}", self.row0 as usize + r + 1)
    }

    /// The trimmed text of a cell ("" outside the sheet).
    pub(super) fn text(&self, r: usize, c: usize) -> &str {
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .map_or("", |c| c.text.as_str())
    }

    /// The texts of the first rows before any amount: title, unit, department.
    pub(super) fn head_texts(&self) -> Vec<String> {
        self.rows
            .iter()
            .take(6)
            .flat_map(|r| r.iter().map(|c| c.text.clone()))
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// "10,055.70", "-", "" → an amount (a dash or nothing is zero), read as
/// strictly as the TOML loader reads one: commas only between groups of
/// three digits, one decimal point, a sign only in front. "10,5" and
/// "4,52.03" are no amounts.
pub(super) fn amount_of(text: &str) -> Option<Decimal> {
    let t = text.trim();
    match t {
        "" | "-" | "—" | "－" | "--" => Some(Decimal::ZERO),
        t => {
            let t = t.replace('－', "-");
            let digits = t.strip_prefix('-').unwrap_or(&t);
            let shape = !digits.is_empty()
                && digits
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
                && digits.matches('.').count() <= 1
                && !digits.starts_with(['.', ','])
                && !digits.ends_with(['.', ','])
                && !digits.contains(",.")
                && crate::model::well_grouped(&t);
            if shape {
                Decimal::from_str(&t.replace(',', "")).ok()
            } else {
                None
            }
        }
    }
}

/// A cell as calamine reads it: its text, and its amount when it is one.
pub(super) fn cell_of(d: &Data) -> Cell {
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
        // The serial number the date format hides: what was typed.
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    };
    let why = match d {
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Some(A_DATE),
        Data::Error(_) => Some(AN_ERROR),
        _ => None,
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
    Cell {
        text,
        raw,
        amount,
        why,
    }
}

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Settings,
    Lines,
    Economic,
    /// Budget-system records, one amount per row with its dimensions.
    Facts,
    Projects,
    Indicators,
    Sections,
    SectionTables,
    Procurement,
    Assets,
    /// The file's `[declared.*]` figures as written.
    Declared,
    /// One of the nine tables, by its id.
    Table(&'static str),
    /// A 项目支出绩效目标表 in the list layout.
    ProjectList,
    Unknown,
}

impl Kind {
    /// What the sheet holds, in a message.
    pub(super) fn describe(self) -> String {
        match self {
            Kind::Table(id) => match id {
                "summary" => "收支总表",
                "income" => "收入总表",
                "expenditure" => "支出总表",
                "fiscal" => "财政拨款收支总表",
                "general" => "一般公共预算支出表",
                "basic" => "一般公共预算基本支出表",
                "fund" => "政府性基金预算支出表",
                "soe" => "国有资本经营预算支出表",
                "sangong" => "“三公”经费支出表",
                other => other,
            }
            .to_string(),
            other => format!("{other:?}"),
        }
    }

    /// The header `--emit xlsx` writes for this data sheet, in the order
    /// yusuan reads its columns.
    pub(super) fn header(self) -> Option<&'static [&'static str]> {
        Some(match self {
            Kind::Settings => &crate::export::SETTINGS_HEADER,
            Kind::Lines => &LINES_HEADER,
            Kind::Economic => &ECONOMIC_HEADER,
            Kind::Facts => &crate::export::FACTS_HEADER,
            Kind::Projects => &PROJECTS_HEADER,
            Kind::Indicators => &INDICATORS_HEADER,
            Kind::Sections => &SECTIONS_HEADER,
            Kind::SectionTables => &SECTION_TABLES_HEADER,
            Kind::Procurement => &PROCUREMENT_HEADER,
            Kind::Assets => &ASSETS_HEADER,
            Kind::Declared => &crate::export::DECLARED_HEADER,
            _ => return None,
        })
    }
}

/// Where each column of [`crate::export::FACT_COLUMNS`] stands in a header
/// row, when any does.
pub(super) fn fact_columns(head: &[&str]) -> Option<[Option<usize>; 12]> {
    let mut out = [None; 12];
    for (i, names) in crate::export::FACT_COLUMNS.iter().enumerate() {
        out[i] = head
            .iter()
            .position(|h| names.contains(&without_unit(&norm(h)).0));
    }
    out.iter().any(Option::is_some).then_some(out)
}

/// A header without the unit it names (`金额（元）` → `金额`, 元).
pub(super) fn without_unit(h: &str) -> (&str, Option<crate::domain::Unit>) {
    use crate::domain::Unit;
    if let Some(x) = h.strip_suffix("万元") {
        (x, Some(Unit::Wanyuan))
    } else if let Some(x) = h.strip_suffix("元") {
        (x, Some(Unit::Yuan))
    } else {
        (h, None)
    }
}

/// The unit a facts sheet's amount headers name (`金额（元）`), if any.
pub(super) fn fact_unit(head: &[&str], cols: &[Option<usize>; 12]) -> Option<crate::domain::Unit> {
    [8, 9]
        .iter()
        .filter_map(|&i| cols[i].and_then(|c| head.get(c)))
        .find_map(|h| without_unit(&norm(h)).1)
}

/// The texts of a sheet's first row (the header of `--emit xlsx`'s sheets).
pub(super) fn first_row(g: &Grid) -> Vec<&str> {
    g.rows
        .first()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .unwrap_or_default()
}

/// What sheet `g` holds: one of `--emit xlsx`'s sheets by its header, a
/// table by its name or title, else nothing yusuan knows.
pub(super) fn classify(g: &Grid) -> Kind {
    let head = first_row(g);
    // The first headers `--emit xlsx` writes, wherever they now stand.
    let starts = |h: &[&str]| h.iter().take(3).all(|x| head.contains(x));
    if starts(&crate::export::SETTINGS_HEADER) {
        return Kind::Settings;
    }
    if starts(&LINES_HEADER) {
        return Kind::Lines;
    }
    if starts(&ECONOMIC_HEADER) {
        return Kind::Economic;
    }
    if let Some(cols) = fact_columns(&head)
        && cols[5].is_some()
        && cols[8].is_some()
        && (cols[1].is_some() || cols[2].is_some())
    {
        return Kind::Facts;
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
    if starts(&crate::export::DECLARED_HEADER) {
        return Kind::Declared;
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

/// The ids of the nine tables, as `--emit xlsx` names its sheets.
pub(super) const TABLE_IDS: &[&str] = crate::profile::REQUIRED;

/// The table a title names, by the words every region's titles share.
pub(super) fn table_of_title(title: &str) -> Kind {
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

/// A header or label without spaces, brackets, quotes and colons.
pub(super) fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !"（）()“”\"：:".contains(*c))
        .collect()
}

/// The column key of a header of table `id`, from every profile's definition
/// of that table: the same header first, else the longest one contained.
pub(super) fn column_key(id: &str, header: &str) -> Option<&'static str> {
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for p in crate::profile::builtins() {
        for spec in p.tables.iter().filter(|s| s.id == id) {
            for c in &spec.columns {
                let ch = norm(&c.header);
                if ch == h {
                    return Some(c.key.as_str());
                }
                let close = h.contains(&ch) || ch.contains(&h);
                if close && best.is_none_or(|(n, _)| ch.len() > n) {
                    best = Some((ch.len(), c.key.as_str()));
                }
            }
        }
    }
    best.map(|b| b.1)
}

/// The unit a sheet's `单位：` line names.
pub(super) fn unit_of(g: &Grid) -> Option<Unit> {
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
pub(super) fn is_unit_line(t: &str) -> bool {
    t.contains("单位：") || t.contains("单位:")
}

/// Whether `s` is a code of one of the lengths `lens`.
pub(super) fn is_code(s: &str, lens: &[usize]) -> bool {
    s.chars().all(|c| c.is_ascii_digit()) && lens.contains(&s.len())
}

impl Reading {
    /// Reads table sheet `g` (table `id`): the header rows, then every row
    /// with a code or a 合计.
    pub(super) fn read_table(&mut self, g: usize, id: &'static str) {
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
        // The code column (or `类`/`款`/`项` columns): the one headed as codes
        // (编码, 代码) that has some, else the one with codes of the most
        // lengths, then the most codes — an amount column of 100s is no code
        // column.
        let code_col = (0..width).max_by_key(|c| {
            let mut found: Vec<usize> = grid
                .rows
                .iter()
                .filter_map(|r| r.get(*c))
                .map(|x| split_code(&x.text).0)
                .filter(|t| is_code(t, lens))
                .map(str::len)
                .collect();
            let n = found.len();
            found.sort_unstable();
            found.dedup();
            let headed = grid.rows.iter().take(6).any(|r| {
                r.get(*c)
                    .is_some_and(|x| x.text.contains("编码") || x.text.contains("代码"))
            });
            (n > 0 && headed, found.len(), n, usize::MAX - c)
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
                // Not the title, the unit line or the 栏次 row's numbers.
                .find(|t| {
                    !t.is_empty()
                        && !is_unit_line(t)
                        && !t.ends_with('表')
                        && !t.chars().all(|c| c.is_ascii_digit())
                        && *t != "栏次"
                });
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
                                // A 款 or 项 stored as a number lost its
                                // leading zero: 1 is 项 01.
                                parts[i] = if i > 0 && t.len() == 1 {
                                    format!("0{t}")
                                } else {
                                    t.to_string()
                                };
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
            let mut cols = BTreeMap::new();
            for (c, k) in &keys {
                cols.insert(*k, *c);
                match grid.rows[r].get(*c) {
                    Some(cell) if cell.amount.is_some() => {
                        values.insert(*k, cell.amount.unwrap_or_default());
                    }
                    Some(cell)
                        if cell.why.is_some()
                            || (!cell.text.is_empty() && amount_of(&cell.text).is_none()) =>
                    {
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
                parent: total,
                values,
                cols,
            });
        }
        // The same code on two rows: which one is meant cannot be told.
        if !sangong {
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            let mut twice = vec![];
            for row in &rows {
                if row.code == "合计" {
                    continue;
                }
                if let Some(first) = seen.insert(&row.code, row.row) {
                    twice.push((row.code.clone(), first, row.row));
                }
            }
            let (s, row0) = (self.grids[g].name.clone(), self.grids[g].row0 as usize);
            for (code, a, b) in twice {
                let (a, b) = (row0 + a + 1, row0 + b + 1);
                self.diags.push(crate::diag::Diagnostic::error(
                    "import",
                    None,
                    crate::text!(
                        "工作表「{s}」第 {a} 行和第 {b} 行是同一个编码 {code}，不知道该用哪一行；请合并或删除后再导入",
                        "sheet \"{s}\" rows {a} and {b} have the same code {code}; yusuan cannot tell which is meant: merge or delete one and import again"
                    ),
                ));
            }
        }
        // A row sums others when a longer code starts with its own: every
        // proper prefix of every code, once (linear in the rows).
        let mut prefixes = std::collections::HashSet::new();
        for r in &rows {
            for (i, _) in r.code.char_indices().skip(1) {
                prefixes.insert(r.code[..i].to_string());
            }
        }
        for r in &mut rows {
            r.parent |= prefixes.contains(&r.code);
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
}

/// "2013201 行政运行" → ("2013201", "行政运行"); a code alone → (code, "").
pub(super) fn split_code(s: &str) -> (&str, &str) {
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

/// Whether a label is a table's total row.
pub(super) fn is_total(s: &str) -> bool {
    let t = norm(s);
    t == "合计" || t == "总计" || t == "支出合计"
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
