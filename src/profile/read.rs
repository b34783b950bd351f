//! Reading `profile.toml`: the raw form as written, and its checks, each
//! error located in the file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{Profile, REQUIRED, Style, names};
use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::{KIND_KEYS, Kind, Layout, SPENDING, Source, Unit};
use crate::tables::{Column, IncomeItem, Measure, Shape, TableSpec};
use crate::text;

/// Where a profile comes from, before it is read.
pub(super) struct Origin {
    pub(super) key: String,
    pub(super) file: String,
    pub(super) toml: String,
    pub(super) templates: Vec<(String, String)>,
    pub(super) dir: Option<PathBuf>,
}

/// `profile.toml` as written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// The profile's name.
    pub name: String,
    /// The profile it starts from: a built-in name or a directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Spanned<String>>,
    /// One line for `yusuan profiles`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `list`, `card` or `sheet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Spanned<String>>,
    /// The document it prints: 部门预算 ("budget", default) or 部门决算
    /// ("final"): a final account's two-sided tables take income and
    /// balances from their own facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Spanned<String>>,
    /// `元` or `万元`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_unit: Option<Spanned<String>>,
    /// What a declared cell prints: `declared` (default) or `computed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print: Option<Spanned<String>>,
    /// Table id → unit, for tables printed in another unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_units: Option<BTreeMap<String, Spanned<String>>>,
    /// Number style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<RawStyle>,
    /// Titles that identify a workbook written for this profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognise: Option<Vec<String>>,
    /// How a sentence per 项 quotes its line: quoted, dash, code or codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<Spanned<String>>,
    /// What the document's text must explain (a word of a section's title
    /// or text, or a generated section's kind): `["三公", "政府采购"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_sections: Option<Vec<String>>,
    /// How a check counts in this region: rule id → `error`, `warning` or
    /// `off` (`[checks]\nR13 = "error"`); a rule not named keeps its base's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<BTreeMap<String, Spanned<String>>>,
    /// Printed figures of two tables that must agree; when given, they
    /// replace the base's list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equal: Option<Vec<RawEqual>>,
    /// Tables: a table of the base with the same id is replaced, others added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<RawTable>,
}

/// `[[equal]]`: a cross-table equality of declared figures.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEqual {
    /// The rule id its message carries (`R2`).
    pub rule: Spanned<String>,
    /// One figure.
    pub left: RawCell,
    /// The figure it must equal.
    pub right: RawCell,
    /// Compared only when every line's source is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_sources: Option<Vec<Spanned<String>>>,
    /// Compare the computed figures (true) rather than the declared ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed: Option<bool>,
    /// `=` (default), `<=` or `>=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Spanned<String>>,
}

/// One side of an `[[equal]]`: a declared cell and how messages name it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCell {
    /// The table id.
    pub table: Spanned<String>,
    /// The row key, as `[declared.<table>]` writes it (`合计`, `总计`, a code).
    pub row: Spanned<String>,
    /// The column key.
    pub column: Spanned<String>,
    /// How messages name the figure (`收支总表 支出总计`).
    pub label: String,
}

/// `style = { … }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStyle {
    /// Thousands separators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separators: Option<bool>,
    /// How zero prints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero: Option<Spanned<String>>,
    /// Decimals printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<Spanned<u32>>,
    /// Whether tables print a 序号 column (their rows numbered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_numbers: Option<bool>,
    /// Whether tables print a 栏次 row (their columns numbered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_numbers: Option<bool>,
    /// A 决算's table label (`公开 {nn} 表`, `表{n}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_label: Option<String>,
    /// The word before a 决算 table's unit (`金额单位`, `单位`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_label: Option<String>,
    /// The style of documents up to a year (`[style.until.2022]`): what a
    /// region printed then, where it differs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub until: BTreeMap<String, Spanned<RawStyle>>,
}

/// `by = "economic"` or `by = ["function", "government", "economic"]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One dimension: a tree of its codes.
    One(String),
    /// Several: one row per combination.
    Many(Vec<String>),
}

/// One `[[tables]]` entry.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// Stable id: template name, `[declared.<id>]` and `[notes]` key.
    pub id: Spanned<String>,
    /// Number printed (表N) and place in the document.
    pub number: u8,
    /// Title without the year.
    pub title: String,
    /// `function`, `economic`, `pair` or `sangong`.
    pub rows: Spanned<String>,
    /// For `pivot` rows: the dimension the facts are grouped by (function,
    /// economic, government, unit, project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Spanned<OneOrMany>>,
    /// For `function` rows: the sources whose lines make the rows (default all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Spanned<String>>>,
    /// The rule id its identities are checked under.
    pub rule: String,
    /// Whether all the money of its rows must show in its columns.
    #[serde(default, skip_serializing_if = "is_false")]
    pub complete: bool,
    /// Note printed under the table when it is empty (`{year}` is replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_note: Option<String>,
    /// For `pair` rows: the 类 printed on the spending side, in order (default:
    /// the catalogue's list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Spanned<Vec<String>>>,
    /// How zero prints in this table, over the profile's style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero: Option<Spanned<String>>,
    /// `print = false`: a statutory table the region's document leaves out
    /// (computed and checked, not printed).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub print: bool,
    /// `transpose = true`: a 三公 table printed with its items across and
    /// one row per column (a 三公 table some regions print that way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transpose: Option<Spanned<bool>>,
    /// For `pair` rows: the income items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<RawItem>,
    /// The amount columns, in printing order.
    pub columns: Vec<RawColumn>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One income item of a `pair` table.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    /// Key in `[declared.<table>]`.
    pub key: String,
    /// Label without its ordinal.
    pub label: String,
    /// 1: a heading item, 2: under the heading before it.
    pub level: Spanned<u8>,
    /// The sources it counts.
    pub sources: Vec<Spanned<String>>,
}

/// One amount column.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    /// Key in `[declared.<table>]` and the template's cells.
    pub key: Spanned<String>,
    /// Header as printed.
    pub header: String,
    /// Header spanning it and its neighbours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The columns of the same row it adds up (an identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<Vec<Spanned<String>>>,
    /// `[a, b]`: the change a − b of the same row (本年 − 上年).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Spanned<Vec<String>>>,
    /// `[a, b]`: the percentage (a − b) ÷ b of the same row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Spanned<Vec<String>>>,
    /// `personnel`, `public` or `all`: 经济分类 lines of 基本支出.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economic: Option<Spanned<String>>,
    /// 功能分类 lines of these sources (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Spanned<String>>>,
    /// Their money of these kinds (default: the five kinds of spending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<Spanned<String>>>,
    /// This year's 三公 items it counts (keys of the 三公 table's rows), in a
    /// table by 单位 made of declared 单位 totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sangong: Option<Vec<Spanned<String>>>,
    /// In a `list` table: a column of text (names, categories), not amounts.
    #[serde(default, skip_serializing_if = "is_false")]
    pub text: bool,
    /// The flow it counts: spending (default), or in a 部门决算 income,
    /// opening, closing, use_of_balance, distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<Spanned<String>>,
    /// Whether it counts the year's budget (年初预算数) of a 决算, not its
    /// final figures.
    #[serde(default, skip_serializing_if = "is_false")]
    pub budget: bool,
}

/// Reads and checks one profile, layered over its base.
pub(super) fn build(
    source: Origin,
    base_of: &dyn Fn(&str) -> Option<&'static Profile>,
) -> Result<Profile, Diagnostics> {
    let loaded = crate::load::load_str::<RawProfile>(&source.file, source.toml.clone())?;
    let mut diags = loaded.diags;
    let raw = loaded.value;
    let mut err = |span: Option<Range<usize>>, m| diags.push(Diagnostic::error("profile", span, m));

    let base = match &raw.base {
        Some(b) => {
            let found = base_of(b.get_ref());
            if found.is_none() {
                let (name, valid) = (b.get_ref(), names().join(", "));
                err(
                    Some(b.span()),
                    text!(
                        "未知的基础样式 \"{name}\"（或它的 base 又绕回这里）；可用：{valid}，或同级样式目录的路径",
                        "unknown base profile \"{name}\" (or its bases lead back here); valid: {valid}, or the path of a profile directory"
                    ),
                );
            }
            found
        }
        None => None,
    };
    let layout = match &raw.layout {
        Some(l) => match l.get_ref().as_str() {
            "list" => Some(Layout::List),
            "card" => Some(Layout::Card),
            "sheet" => Some(Layout::Sheet),
            other => {
                err(
                    Some(l.span()),
                    text!(
                        "未知的项目表样式 \"{other}\"；可用：list, card, sheet",
                        "unknown layout \"{other}\"; valid: list, card, sheet"
                    ),
                );
                None
            }
        },
        None => base.and_then(|b| b.layout),
    };
    let print_declared = match &raw.print {
        Some(p) => {
            let given = p.get_ref().trim();
            let choice = crate::domain::PRINT_CHOICES
                .iter()
                .find(|(names, _)| names.contains(&given));
            if choice.is_none() {
                let valid = crate::domain::PRINT_CHOICES
                    .iter()
                    .map(|(names, _)| names[0])
                    .collect::<Vec<_>>()
                    .join(", ");
                err(
                    Some(p.span()),
                    text!(
                        "未知的打印方式 \"{given}\"；可用：{valid}",
                        "unknown print \"{given}\"; valid: {valid}"
                    ),
                );
            }
            choice.is_none_or(|c| c.1)
        }
        None => base.is_none_or(|b| b.print_declared),
    };
    let mut unit = |u: &Spanned<String>| {
        Unit::parse(u.get_ref()).or_else(|| {
            let name = u.get_ref();
            err(
                Some(u.span()),
                text!(
                    "未知的金额单位 \"{name}\"；可用：元, 万元",
                    "unknown unit \"{name}\"; valid: 元, 万元"
                ),
            );
            None
        })
    };
    let print_unit = raw
        .print_unit
        .as_ref()
        .and_then(&mut unit)
        .or(base.map(|b| b.print_unit))
        .unwrap_or(Unit::Wanyuan);
    let table_units = match &raw.table_units {
        Some(map) => map
            .iter()
            .filter_map(|(id, u)| unit(u).map(|u| (id.clone(), u)))
            .collect(),
        None => base.map(|b| b.table_units.clone()).unwrap_or_default(),
    };
    let base_style = base.map(|b| b.style).unwrap_or(Style {
        separators: false,
        zero: "",
        decimals: 2,
        row_numbers: true,
        column_numbers: true,
        table_label: "公开 {nn} 表",
        unit_label: "金额单位",
    });
    let final_account = match &raw.document {
        None => base.is_some_and(|b| b.final_account),
        Some(d) => match d.get_ref().as_str() {
            "budget" | "预算" | "部门预算" => false,
            "final" | "决算" | "部门决算" => true,
            other => {
                err(
                    Some(d.span()),
                    text!(
                        "document 只能是 \"budget\"（部门预算）或 \"final\"（部门决算），不是 \"{other}\"",
                        "document is \"budget\" (部门预算) or \"final\" (部门决算), not \"{other}\""
                    ),
                );
                false
            }
        },
    };
    let style = raw
        .style
        .as_ref()
        .map_or(base_style, |s| style_of(s, base_style, &mut err));
    // Earlier years' styles: each over this one (a base's apply where the
    // profile names none).
    let mut style_until: Vec<(i32, Style)> = vec![];
    for (year, s) in raw.style.iter().flat_map(|s| &s.until) {
        let Some(y) = year
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
        else {
            err(
                Some(s.span()),
                text!(
                    "[style.until] 的键应是年份（如 2022），不是 \"{year}\"",
                    "the keys of [style.until] are years (such as 2022), not \"{year}\""
                ),
            );
            continue;
        };
        if !s.get_ref().until.is_empty() {
            err(
                Some(s.span()),
                text!(
                    "[style.until] 不能再嵌套 until",
                    "[style.until] cannot nest another until"
                ),
            );
        }
        style_until.push((y, style_of(s.get_ref(), style, &mut err)));
    }
    if raw.style.as_ref().is_none_or(|s| s.until.is_empty()) {
        style_until = base.map(|b| b.style_until.clone()).unwrap_or_default();
    }
    style_until.sort_by_key(|(y, _)| *y);

    let mut tables: Vec<TableSpec> = base.map(|b| b.tables.clone()).unwrap_or_default();
    let mut seen: Vec<&str> = vec![];
    for t in &raw.tables {
        let id = t.id.get_ref();
        if seen.contains(&id.as_str()) {
            err(
                Some(t.id.span()),
                text!("表 \"{id}\" 定义了两次", "table \"{id}\" is defined twice"),
            );
            continue;
        }
        seen.push(id);
        if let Some(spec) = table(t, &mut err) {
            match tables.iter_mut().find(|s| s.id == spec.id) {
                // A table that must show all its money stays so when a
                // region replaces it: completeness is no switch to turn off.
                Some(old) => {
                    let complete = spec.complete || old.complete;
                    *old = spec;
                    old.complete = complete;
                }
                None => tables.push(spec),
            }
        }
    }
    tables.sort_by_key(|t| t.number);
    // With its base unreadable, the tables it would give are not missing.
    let base_failed = raw.base.is_some() && base.is_none();
    for id in REQUIRED.iter().filter(|_| !base_failed) {
        if !tables.iter().any(|t| t.id == *id) {
            err(
                None,
                text!(
                    "缺少表 \"{id}\"：核对规则要用到它（写 base = \"national\" 继承它，或自己定义）",
                    "table \"{id}\" is missing: the reconciliation rules need it (inherit it with base = \"national\", or define it)"
                ),
            );
        }
    }
    for (id, _) in &table_units {
        if !tables.iter().any(|t| &t.id == id) {
            err(
                None,
                text!(
                    "table_units 中的表 \"{id}\" 不存在",
                    "table_units names table \"{id}\", which does not exist"
                ),
            );
        }
    }

    let sentence = match &raw.sentence {
        None => base.map_or("quoted", |b| b.sentence),
        Some(s) => crate::narrative::SENTENCES
            .iter()
            .find(|(names, _)| names.contains(&s.get_ref().trim()))
            .map(|(_, v)| *v)
            .unwrap_or_else(|| {
                let v = s.get_ref();
                err(
                    Some(s.span()),
                    text!(
                        "未知的句式 \"{v}\"；可用：quoted, dash, code, codes",
                        "unknown sentence \"{v}\"; valid: quoted, dash, code, codes"
                    ),
                );
                "quoted"
            }),
    };
    let mut checks = base.map(|b| b.checks.clone()).unwrap_or_default();
    for (rule, level) in raw.checks.iter().flatten() {
        if !super::ADJUSTABLE.contains(&rule.as_str()) {
            let valid = super::ADJUSTABLE.join(", ");
            err(
                Some(level.span()),
                text!(
                    "[checks] 中的规则 \"{rule}\" 不能调整；可调整的规则：{valid}",
                    "[checks] names rule \"{rule}\", which cannot be adjusted; adjustable: {valid}"
                ),
            );
            continue;
        }
        let parsed = match level.get_ref().trim() {
            "error" | "错误" => Some(super::Level::Error),
            "warning" | "警告" => Some(super::Level::Warning),
            "off" | "关闭" => Some(super::Level::Off),
            _ => None,
        };
        match parsed {
            Some(l) => {
                checks.retain(|(r, _)| r != rule);
                checks.push((rule.clone(), l));
            }
            None => {
                let v = level.get_ref();
                err(
                    Some(level.span()),
                    text!(
                        "[checks] {rule} = \"{v}\"：应为 error、warning 或 off",
                        "[checks] {rule} = \"{v}\": must be error, warning or off"
                    ),
                );
            }
        }
    }
    checks.sort();
    let equalities = match &raw.equal {
        None => base.map(|b| b.equalities.clone()).unwrap_or_default(),
        Some(list) => list
            .iter()
            .filter_map(|e| equality(e, &tables, &mut err))
            .collect(),
    };
    let templates = source.templates;

    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Profile {
        name: source.key,
        title: raw.name.clone(),
        description: raw
            .description
            .clone()
            .or(base.map(|b| b.description.clone()))
            .unwrap_or_default(),
        base,
        tables,
        layout,
        print_unit,
        print_declared,
        table_units,
        style,
        style_until,
        final_account,
        templates,
        recognise: raw
            .recognise
            .clone()
            .or(base.map(|b| b.recognise.clone()))
            .unwrap_or_default(),
        sentence,
        required_sections: raw
            .required_sections
            .clone()
            .or(base.map(|b| b.required_sections.clone()))
            .unwrap_or_default(),
        checks,
        equalities,
        dir: source.dir,
        source: source.toml,
    })
}

/// One `[[equal]]` entry checked against the profile's `tables`: its rule
/// a known id, its tables and columns existing, its sources known.
fn equality(
    e: &RawEqual,
    tables: &[TableSpec],
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Option<super::Equality> {
    let mut ok = true;
    let rule = crate::diag::RULES
        .iter()
        .find(|(id, ..)| *id == e.rule.get_ref().as_str())
        .map(|(id, ..)| *id);
    if rule.is_none() {
        let r = e.rule.get_ref();
        err(
            Some(e.rule.span()),
            text!(
                "[[equal]] 的规则 \"{r}\" 不存在（yusuan explain 列出全部规则）",
                "[[equal]] names rule \"{r}\", which does not exist (yusuan explain lists them)"
            ),
        );
        ok = false;
    }
    let mut side = |c: &RawCell, err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text)| {
        let id = c.table.get_ref();
        let Some(spec) = tables.iter().find(|t| &t.id == id) else {
            let valid = tables
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            err(
                Some(c.table.span()),
                text!(
                    "[[equal]] 的表 \"{id}\" 不存在；可用：{valid}",
                    "[[equal]] names table \"{id}\", which does not exist; valid: {valid}"
                ),
            );
            ok = false;
            return None;
        };
        let col = c.column.get_ref();
        let pair = matches!(spec.shape, crate::tables::Shape::Pair { .. });
        if spec.column(col).is_none() && !(pair && col == "income") {
            let valid = spec.keys().join(", ");
            err(
                Some(c.column.span()),
                text!(
                    "[[equal]] 的列 \"{col}\" 不在表 {id} 中；可用：{valid}",
                    "[[equal]] names column \"{col}\", which table {id} does not have; valid: {valid}"
                ),
            );
            ok = false;
            return None;
        }
        let row = c.row.get_ref();
        if let Err(valid) = spec.row_key(row) {
            err(Some(c.row.span()), {
                let (zh, en) = (valid.zh, valid.en);
                text!(
                    "[[equal]] 的行 \"{row}\" 不在表 {id} 中：可用 {zh}",
                    "[[equal]] names row \"{row}\", which table {id} does not have: valid are {en}"
                )
            });
            ok = false;
            return None;
        }
        Some(super::CellRef {
            table: id.clone(),
            row: row.clone(),
            column: col.clone(),
            label: c.label.clone(),
        })
    };
    let left = side(&e.left, err);
    let right = side(&e.right, err);
    let mut when_sources = vec![];
    for s in e.when_sources.iter().flatten() {
        match Source::parse(s.get_ref()) {
            Some(src) => when_sources.push(src),
            None => {
                let name = s.get_ref();
                err(
                    Some(s.span()),
                    text!("未知的资金来源 \"{name}\"", "unknown source \"{name}\""),
                );
                ok = false;
            }
        }
    }
    let relation = match e.relation.as_ref().map(|r| (r, r.get_ref().trim())) {
        None | Some((_, "=")) => super::Relation::Equal,
        Some((_, "<=")) => super::Relation::AtMost,
        Some((_, ">=")) => super::Relation::AtLeast,
        Some((r, other)) => {
            err(
                Some(r.span()),
                text!(
                    "[[equal]] 的 relation \"{other}\" 不可用；可用：=、<=、>=",
                    "[[equal]] relation \"{other}\" is not one of =, <=, >="
                ),
            );
            ok = false;
            super::Relation::Equal
        }
    };
    let computed = e.computed.unwrap_or(false);
    if !computed
        && relation != super::Relation::Equal
        && let Some(r) = &e.relation
    {
        err(
            Some(r.span()),
            text!(
                "申报的数只比较是否相等：relation 只用于 computed = true",
                "declared figures are only compared for equality: relation needs computed = true"
            ),
        );
        ok = false;
    }
    Some(super::Equality {
        rule: rule?,
        left: left?,
        right: right?,
        when_sources,
        computed,
        relation,
    })
    .filter(|_| ok)
}

/// One table from its `[[tables]]` entry; errors go to `err`.
fn table(
    t: &RawTable,
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Option<TableSpec> {
    let id = t.id.get_ref().clone();
    let shape = shape_of(t, err)?;
    let mut ok = shape_fits(t, &id, &shape, err);
    let mut columns = vec![];
    for c in &t.columns {
        let key = c.key.get_ref().clone();
        if columns.iter().any(|x: &Column| x.key == key) {
            err(
                Some(c.key.span()),
                text!(
                    "表 \"{id}\" 的列 \"{key}\" 定义了两次",
                    "column \"{key}\" of table \"{id}\" is defined twice"
                ),
            );
            continue;
        }
        if c.text && !matches!(shape, Shape::List) {
            err(
                Some(c.key.span()),
                text!(
                    "text 列只用于 rows = \"list\" 的表（其他表的行由分类生成）",
                    "a text column belongs to a table with rows = \"list\" (other tables' rows come from the classifications)"
                ),
            );
        }
        let measure = measure_of(t, c, &shape, &mut ok, err);
        let flow = match &c.flow {
            Some(f) => crate::records::Flow::parse(f.get_ref()).unwrap_or_else(|| {
                let (v, valid) = (f.get_ref(), crate::records::Flow::valid());
                err(
                    Some(f.span()),
                    text!(
                        "未知的收支类别 \"{v}\"；可用：{valid}",
                        "unknown flow \"{v}\"; valid: {valid}"
                    ),
                );
                ok = false;
                crate::records::Flow::Spending
            }),
            None => crate::records::Flow::Spending,
        };
        columns.push(Column {
            key,
            header: c.header.clone(),
            group: c.group.clone(),
            measure,
            flow,
            budgeted: c.budget,
        });
    }
    ok &= sums_resolve(t, &id, &columns, err);
    let zero = t.zero.as_ref().and_then(|z| zero_of(z, err));
    let transpose = t.transpose.as_ref().is_some_and(|x| *x.get_ref());
    if let Some(x) = &t.transpose
        && *x.get_ref()
        && !matches!(shape, Shape::Sangong)
    {
        err(
            Some(x.span()),
            text!(
                "transpose 只用于 rows = \"sangong\" 的表（三公的各项横排，每列一行）",
                "transpose belongs to a table with rows = \"sangong\" (its items across, a row per column)"
            ),
        );
        ok = false;
    }
    if columns.is_empty() {
        err(
            Some(t.id.span()),
            text!("表 \"{id}\" 没有列", "table \"{id}\" has no columns"),
        );
        ok = false;
    }
    ok.then(|| TableSpec {
        id,
        number: t.number,
        title: t.title.clone(),
        shape,
        columns,
        identity_rule: t.rule.clone(),
        complete: t.complete,
        empty_note: t.empty_note.clone(),
        classes: t.classes.as_ref().map(|c| c.get_ref().clone()),
        zero,
        printed: t.print,
        transpose,
    })
}

/// The sources a list names; an unknown name is an error at its place.
fn sources(
    list: &[Spanned<String>],
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Vec<Source> {
    list.iter()
        .filter_map(|s| {
            let found = Source::parse(s.get_ref());
            if found.is_none() {
                let name = s.get_ref();
                let valid = Source::ALL
                    .iter()
                    .map(|s| {
                        Source::NAMES
                            .iter()
                            .find(|(x, _)| x == s)
                            .map_or("", |(_, n)| n[n.len() - 1])
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                err(
                    Some(s.span()),
                    text!(
                        "未知的资金来源 \"{name}\"；可用：{valid}",
                        "unknown source \"{name}\"; valid: {valid}"
                    ),
                );
            }
            found
        })
        .collect()
}

/// The shape `rows = …` (and `by`, `items`, `sources`) declare.
fn shape_of(
    t: &RawTable,
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Option<Shape> {
    let shape = match t.rows.get_ref().as_str() {
        "function" => Shape::Function(match &t.sources {
            Some(list) => sources(list, err),
            None => Source::ALL.to_vec(),
        }),
        "economic" => Shape::Economic,
        "pair" => {
            let items = t
                .items
                .iter()
                .map(|i| {
                    if !matches!(i.level.get_ref(), 1 | 2) {
                        err(
                            Some(i.level.span()),
                            text!("level 只能是 1 或 2", "level is 1 or 2"),
                        );
                    }
                    IncomeItem {
                        key: i.key.clone(),
                        label: i.label.clone(),
                        level: *i.level.get_ref(),
                        sources: sources(&i.sources, err),
                    }
                })
                .collect::<Vec<_>>();
            if items.is_empty() {
                err(
                    Some(t.rows.span()),
                    text!(
                        "rows = \"pair\" 的表需要 items（左侧的收入项目）",
                        "a table with rows = \"pair\" needs items (the income side)"
                    ),
                );
            }
            Shape::Pair(items)
        }
        "sangong" => Shape::Sangong,
        "list" => Shape::List,
        "pivot" => {
            let Some(by) = &t.by else {
                err(Some(t.rows.span()), {
                    let valid = crate::records::Dim::valid();
                    text!(
                        "rows = \"pivot\" 的表需要 by（按哪个维度成行：{valid}）",
                        "a table with rows = \"pivot\" needs by (the dimension of its rows: {valid})"
                    )
                });
                return None;
            };
            let names: Vec<&str> = match by.get_ref() {
                OneOrMany::One(s) => vec![s.as_str()],
                OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
            };
            let mut dims = vec![];
            for v in &names {
                match crate::records::Dim::parse(v) {
                    Some(d) if !dims.contains(&d) => dims.push(d),
                    _ => {
                        err(Some(by.span()), {
                            let valid = crate::records::Dim::valid();
                            text!(
                                "未知或重复的维度 \"{v}\"；可用：{valid}",
                                "unknown or repeated dimension \"{v}\"; valid: {valid}"
                            )
                        });
                        return None;
                    }
                }
            }
            match dims.as_slice() {
                [] => {
                    err(Some(by.span()), text!("by 是空的", "by is empty"));
                    return None;
                }
                [one] => Shape::Pivot(*one),
                _ => Shape::Cross(dims),
            }
        }
        other => {
            err(
                Some(t.rows.span()),
                text!(
                    "未知的行类型 \"{other}\"；可用：function（功能分类 类/款/项）, economic（经济分类 类/款）, pair（收支对照）, sangong（三公）, pivot（按 by 维度汇总的事实）, list（在 [[list.<id>]] 中逐行填写）",
                    "unknown rows \"{other}\"; valid: function (功能分类 类/款/项), economic (经济分类 类/款), pair (income beside spending), sangong (三公), pivot (facts grouped by the dimension `by`), list (rows typed under [[list.<id>]])"
                ),
            );
            return None;
        }
    };
    Some(shape)
}

/// Whether `shape` fits table `id`: an added table is never pair or sangong,
/// a statutory one has the shape its rules read; `by` and `items` only where
/// they apply (those two are reported, not refused).
fn shape_fits(
    t: &RawTable,
    id: &str,
    shape: &Shape,
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> bool {
    let mut ok = true;
    if !REQUIRED.contains(&id)
        && !matches!(
            *shape,
            Shape::Function(_) | Shape::Economic | Shape::Pivot(_) | Shape::Cross(_) | Shape::List
        )
    {
        err(
            Some(t.rows.span()),
            text!(
                "新增的表只能按 function、economic、pivot 或 list 成行（pair 与 sangong 只用于规定的表）",
                "an added table's rows are function, economic, pivot or list (pair and sangong belong to the statutory tables)"
            ),
        );
        ok = false;
    }
    let statutory = match id {
        "summary" | "fiscal" => Some(("pair", matches!(*shape, Shape::Pair(_)))),
        "sangong" => Some(("sangong", matches!(*shape, Shape::Sangong))),
        i if REQUIRED.contains(&i) => Some((
            "function, economic or pivot",
            !matches!(*shape, Shape::Pair(_) | Shape::Sangong | Shape::List),
        )),
        _ => None,
    };
    if let Some((want, false)) = statutory {
        err(
            Some(t.rows.span()),
            text!(
                "表 \"{id}\" 是规定的表，核对规则按它的形状读它：rows 应为 {want}",
                "table \"{id}\" is a statutory table the rules read by its shape: rows must be {want}"
            ),
        );
        ok = false;
    }
    if t.by.is_some() && !matches!(*shape, Shape::Pivot(_) | Shape::Cross(_)) {
        err(
            Some(t.rows.span()),
            text!(
                "by 只用于 rows = \"pivot\" 的表",
                "by belongs to tables with rows = \"pivot\""
            ),
        );
    }
    if !t.items.is_empty() && !matches!(*shape, Shape::Pair(_)) {
        err(
            Some(t.rows.span()),
            text!(
                "items 只用于 rows = \"pair\" 的表",
                "items belong to tables with rows = \"pair\""
            ),
        );
    }
    ok
}

/// The measure column `c` of table `t` declares (`ok` is cleared when the
/// table cannot be used).
fn measure_of(
    t: &RawTable,
    c: &RawColumn,
    shape: &Shape,
    ok: &mut bool,
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Measure {
    let key = c.key.get_ref();
    let list = matches!(shape, Shape::List);
    let derived = c
        .change
        .as_ref()
        .map(|p| (p, true))
        .or(c.percent.as_ref().map(|p| (p, false)));
    let economic_rows = matches!(shape, Shape::Economic);
    if list && (c.economic.is_some() || c.sources.is_some() || c.kinds.is_some()) {
        err(
            Some(c.key.span()),
            text!(
                "rows = \"list\" 的表逐行填写金额，列 \"{key}\" 的筛选（sources/kinds/economic）永远用不上",
                "a table with rows = \"list\" has its amounts typed row by row: the filter of column \"{key}\" (sources/kinds/economic) never applies"
            ),
        );
        Measure::Typed
    } else if list && c.text {
        Measure::Text
    } else if list && c.sum.is_none() && derived.is_none() {
        Measure::Typed
    } else if let Some((pair, change)) = derived {
        let names = pair.get_ref();
        let known = |n: &String| {
            t.columns
                .iter()
                .any(|x| x.key.get_ref() == n && x.change.is_none() && x.percent.is_none())
        };
        if names.len() != 2 || !names.iter().all(known) {
            let valid = t
                .columns
                .iter()
                .filter(|x| x.change.is_none() && x.percent.is_none())
                .map(|x| x.key.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(", ");
            err(
                Some(pair.span()),
                text!(
                    "change/percent 需要同一张表中的两个非派生列 [本年, 上年]；可用：{valid}",
                    "change/percent takes two columns of the same table that are not derived themselves, [this, last]; valid: {valid}"
                ),
            );
            *ok = false;
        }
        if matches!(shape, Shape::Pair(_)) {
            err(
                Some(pair.span()),
                text!(
                    "change/percent 列只用于 function、economic、pivot 或 sangong 的表",
                    "change/percent columns belong to function, economic, pivot or sangong tables"
                ),
            );
            *ok = false;
        }
        let (a, b) = (
            names.first().cloned().unwrap_or_default(),
            names.get(1).cloned().unwrap_or_default(),
        );
        if change {
            Measure::Change(a, b)
        } else {
            Measure::Percent(a, b)
        }
    } else if let Some(items) = &c.sangong {
        if !matches!(shape, Shape::Pivot(crate::records::Dim::Unit)) {
            err(
                Some(c.key.span()),
                text!(
                    "sangong 列只用于按预算单位成行的表（rows = \"pivot\"，by = \"unit\"），其行是文件申报的各单位合计",
                    "a sangong column belongs to a table by 单位 (rows = \"pivot\", by = \"unit\"), whose rows are the 单位 totals the file declares"
                ),
            );
            *ok = false;
        }
        for k in items {
            if !crate::tables::SANGONG_ROWS.contains(&k.get_ref().as_str()) {
                let (name, valid) = (k.get_ref(), crate::tables::SANGONG_ROWS.join(", "));
                err(
                    Some(k.span()),
                    text!(
                        "未知的三公项目 \"{name}\"；可用：{valid}",
                        "unknown 三公 item \"{name}\"; valid: {valid}"
                    ),
                );
                *ok = false;
            }
        }
        let srcs = match &c.sources {
            Some(list) => sources(list, err),
            None => Source::ALL.to_vec(),
        };
        Measure::Sangong(items.iter().map(|k| k.get_ref().clone()).collect(), srcs)
    } else if let Some(parts) = &c.sum {
        if c.economic.is_some() || c.sources.is_some() || c.kinds.is_some() {
            err(
                Some(c.key.span()),
                text!(
                    "列 \"{key}\" 既是 sum 又有筛选；sum 列只把同一行的其他列相加",
                    "column \"{key}\" has both sum and a filter; a sum column only adds other columns of its row"
                ),
            );
        }
        Measure::Sum(parts.iter().map(|p| p.get_ref().clone()).collect())
    } else if let Some(e) = &c.economic {
        if !economic_rows {
            err(
                Some(e.span()),
                text!(
                    "economic 列只在 rows = \"economic\" 的表里有数：这一列永远为零",
                    "an economic column has money only in a table with rows = \"economic\": this one is always zero"
                ),
            );
        }
        Measure::Economic(match e.get_ref().as_str() {
            "personnel" | "人员经费" => Some(true),
            "public" | "公用经费" => Some(false),
            "all" => None,
            other => {
                err(
                    Some(e.span()),
                    text!(
                        "未知的经济分类列 \"{other}\"；可用：personnel, public, all",
                        "unknown economic column \"{other}\"; valid: personnel, public, all"
                    ),
                );
                None
            }
        })
    } else {
        if economic_rows {
            err(
                Some(c.key.span()),
                text!(
                    "rows = \"economic\" 的表按经济分类成行，功能分类的筛选列永远为零；用 economic = …",
                    "a table with rows = \"economic\" has 经济分类 rows: a 功能分类 filter is always zero there; use economic = …"
                ),
            );
        }
        let srcs = match &c.sources {
            Some(list) => sources(list, err),
            None => Source::ALL.to_vec(),
        };
        let kinds = match &c.kinds {
            Some(list) => list
                .iter()
                .filter_map(|k| {
                    let found = KIND_KEYS.iter().position(|x| x == k.get_ref()).map(kind);
                    if found.is_none() {
                        let (name, valid) = (k.get_ref(), KIND_KEYS.join(", "));
                        err(
                            Some(k.span()),
                            text!(
                                "未知的支出类型 \"{name}\"；可用：{valid}",
                                "unknown kind \"{name}\"; valid: {valid}"
                            ),
                        );
                    }
                    found
                })
                .collect(),
            None => (0..SPENDING).map(kind).collect(),
        };
        if let Shape::Function(rows) = &shape
            && !srcs.iter().any(|s| rows.contains(s))
        {
            err(
                Some(c.key.span()),
                text!(
                    "列 \"{key}\" 的资金来源与表的 sources 没有交集：这一列永远为零",
                    "column \"{key}\" filters sources the table's rows never have: it is always zero"
                ),
            );
        }
        Measure::Lines(srcs, kinds)
    }
}

/// Whether every `sum` names columns of the table that are not derived,
/// and none adds itself back through others (a cycle would have no value).
fn sums_resolve(
    t: &RawTable,
    id: &str,
    columns: &[Column],
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> bool {
    let mut ok = true;
    // Sums name columns of the table, and never themselves through others
    // (a cycle would have no value).
    for c in &t.columns {
        let Some(parts) = &c.sum else { continue };
        for p in parts {
            let name = p.get_ref();
            if columns
                .iter()
                .any(|x| &x.key == name && x.measure.derived())
            {
                err(
                    Some(p.span()),
                    text!(
                        "sum 不能加派生列 \"{name}\"（增减额或百分比不能相加）",
                        "sum cannot add the derived column \"{name}\" (a change or a percentage does not add up)"
                    ),
                );
                ok = false;
            } else if !columns.iter().any(|x| &x.key == name) {
                let valid = columns
                    .iter()
                    .map(|x| x.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                err(
                    Some(p.span()),
                    text!(
                        "sum 中的列 \"{name}\" 不在表 \"{id}\" 中；表中的列：{valid}",
                        "sum names column \"{name}\", which table \"{id}\" does not have; its columns: {valid}"
                    ),
                );
                ok = false;
            }
        }
        if ok && reaches(columns, c.key.get_ref(), c.key.get_ref(), &mut vec![]) {
            let key = c.key.get_ref();
            err(
                Some(c.key.span()),
                text!(
                    "列 \"{key}\" 的 sum 经由其他列又加回自己",
                    "column \"{key}\"'s sum adds itself back through other columns"
                ),
            );
            ok = false;
        }
    }
    ok
}

/// Whether a `sum` starting at column `from` reaches column `target`. A
/// column met twice on the way is a cycle of others, not of `target`
/// (a → b → c → b: b's, reported at b, never at a).
fn reaches<'a>(
    columns: &'a [Column],
    from: &'a str,
    target: &str,
    seen: &mut Vec<&'a str>,
) -> bool {
    if seen.contains(&from) {
        return false;
    }
    seen.push(from);
    let Some(c) = columns.iter().find(|c| c.key == from) else {
        return false;
    };
    let Measure::Sum(parts) = &c.measure else {
        return false;
    };
    parts
        .iter()
        .any(|p| p == target || reaches(columns, p, target, seen))
}

fn kind(i: usize) -> Kind {
    [
        Kind::Basic,
        Kind::Project,
        Kind::Operating,
        Kind::ToSuperior,
        Kind::ToSubsidiary,
        Kind::Personnel,
        Kind::Public,
        Kind::LastYear,
    ][i]
}

/// A `[style]` table over `base`: what it names, else the base's.
fn style_of(
    s: &RawStyle,
    base: Style,
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Style {
    Style {
        row_numbers: s.row_numbers.unwrap_or(base.row_numbers),
        // Leaked once per profile read: a profile lives as long as the process.
        table_label: s
            .table_label
            .as_ref()
            .map_or(base.table_label, |l| Box::leak(l.clone().into_boxed_str())),
        unit_label: s
            .unit_label
            .as_ref()
            .map_or(base.unit_label, |l| Box::leak(l.clone().into_boxed_str())),
        column_numbers: s.column_numbers.unwrap_or(base.column_numbers),
        separators: s.separators.unwrap_or(base.separators),
        zero: s
            .zero
            .as_ref()
            .map_or(base.zero, |z| zero_of(z, err).unwrap_or(base.zero)),
        decimals: match &s.decimals {
            Some(d) if *d.get_ref() <= 6 => *d.get_ref(),
            Some(d) => {
                err(
                    Some(d.span()),
                    text!("小数位数最多 6 位", "at most 6 decimals"),
                );
                base.decimals
            }
            None => base.decimals,
        },
    }
}

/// A zero style as written (`zero = "0.00"`), or an error at it.
fn zero_of(
    z: &Spanned<String>,
    err: &mut dyn FnMut(Option<Range<usize>>, crate::diag::Text),
) -> Option<&'static str> {
    let found = crate::domain::zero_style(z.get_ref());
    if found.is_none() {
        err(Some(z.span()), unknown_zero(z.get_ref()));
    }
    found
}

/// The message for a zero style `v` that is none of [`crate::domain::ZERO_STYLES`].
pub fn unknown_zero(v: &str) -> crate::diag::Text {
    text!(
        "零的写法 \"{v}\" 不可用；可用：\"\"（空白）、\"0\"、\"0.00\"、\"-\"、\"—\"",
        "zero style \"{v}\" is not one of \"\" (blank), \"0\", \"0.00\", \"-\", \"—\""
    )
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}
