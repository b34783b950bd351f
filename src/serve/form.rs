//! The budget file as forms and tables: what the page's form view shows, read
//! from the TOML text with the line of every value (so a diagnostic finds its
//! cell), and the edits the form sends back, written through `toml_edit` so
//! the file keeps its comments, order and spacing.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use toml_edit::{DocumentMut, Item, Table};

use crate::diag::Text;
use crate::text;

/// What a cell holds, which decides how a typed value is written.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// An amount: a decimal number, written as the digits typed.
    Amount,
    /// A whole number (a year).
    Whole,
    /// A 功能分类 code (its catalogue name shown beside it).
    Function,
    /// A 经济分类 code.
    Economic,
    /// A line of text.
    Line,
    /// Paragraphs.
    Long,
    /// A true/false switch.
    Switch,
    /// An inline table or array: edited in the TOML view only.
    Nested,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Amount => "amount",
            Kind::Whole => "whole",
            Kind::Function => "function",
            Kind::Economic => "economic",
            Kind::Line => "line",
            Kind::Long => "long",
            Kind::Switch => "switch",
            Kind::Nested => "nested",
        }
    }
}

/// One column of a table (or one field of a form): its key, heading and kind.
struct Col(&'static str, &'static str, &'static str, Kind);

/// How a part of the file is shown.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// One record as labelled fields (`[department]`).
    Fields,
    /// An array of records as a table (`[[expenditure]]`).
    Grid,
    /// An array of records, each as fields with its own sub-table (`[[project]]`).
    Cards,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Fields => "fields",
            Shape::Grid => "grid",
            Shape::Cards => "cards",
        }
    }
}

/// A part of the budget file the form shows.
struct Part {
    path: &'static [&'static str],
    zh: &'static str,
    en: &'static str,
    shape: Shape,
    cols: &'static [Col],
}

use Kind::*;

const INDICATOR: &[Col] = &[
    Col("level1", "一级指标", "level 1", Line),
    Col("level2", "二级指标", "level 2", Line),
    Col("name", "三级指标", "indicator", Line),
    Col("nature", "指标性质", "nature", Line),
    Col("value", "指标值", "value", Line),
    Col("measure_unit", "度量单位", "unit", Line),
    Col("weight", "权重", "weight", Amount),
    Col("period_value", "实施周期指标值", "period value", Line),
    Col("description", "指标描述", "description", Line),
    Col("basis", "确定依据", "basis", Line),
];

/// The parts in the order the page shows them; what no part names stays in
/// the TOML view (the page says which keys).
const PARTS: &[Part] = &[
    Part {
        path: &["department"],
        zh: "部门",
        en: "Department",
        shape: Shape::Fields,
        cols: &[
            Col("name", "部门名称", "name", Line),
            Col("code", "部门编码", "code", Line),
            Col("year", "预算年度", "year", Whole),
            Col("unit", "金额单位", "unit of the amounts", Line),
            Col("print_unit", "印制单位", "printed unit", Line),
            Col("profile", "格式", "layout", Line),
            Col("catalogue", "科目目录", "catalogue", Whole),
        ],
    },
    Part {
        path: &["expenditure"],
        zh: "支出功能分类（项）",
        en: "Spending by function (项)",
        shape: Shape::Grid,
        cols: &[
            Col("code", "科目编码", "code", Function),
            Col("name", "科目名称", "name", Line),
            Col("source", "资金来源", "source", Line),
            Col("basic", "基本支出", "basic", Amount),
            Col("project", "项目支出", "projects", Amount),
            Col("personnel", "人员经费", "personnel", Amount),
            Col("public", "公用经费", "running", Amount),
            Col("last_year", "上年数", "last year", Amount),
        ],
    },
    Part {
        path: &["basic_economic"],
        zh: "基本支出经济分类（款）",
        en: "Basic spending by economic class (款)",
        shape: Shape::Grid,
        cols: &[
            Col("code", "科目编码", "code", Economic),
            Col("name", "科目名称", "name", Line),
            Col("amount", "金额", "amount", Amount),
            Col("kind", "人员/公用", "kind", Line),
            Col("government", "政府经济分类", "government class", Economic),
        ],
    },
    Part {
        path: &["fact"],
        zh: "支出明细",
        en: "Spending records",
        shape: Shape::Grid,
        cols: &[
            Col("unit", "单位", "unit", Line),
            Col("function", "功能分类", "function", Function),
            Col("name", "科目名称", "name", Line),
            Col("economic", "经济分类", "economic", Economic),
            Col("government", "政府经济分类", "government", Economic),
            Col("source", "资金来源", "source", Line),
            Col("kind", "类型", "kind", Line),
            Col("project", "项目", "project", Line),
            Col("amount", "金额", "amount", Amount),
        ],
    },
    Part {
        path: &["sangong"],
        zh: "“三公”经费",
        en: "The three public expenses",
        shape: Shape::Fields,
        cols: &[
            Col("abroad", "因公出国（境）费", "travel abroad", Amount),
            Col(
                "abroad_research",
                "其中：学术交流",
                "of which research",
                Amount,
            ),
            Col("abroad_other", "其中：其他出国", "of which other", Amount),
            Col(
                "vehicle_purchase",
                "公务用车购置费",
                "vehicle purchase",
                Amount,
            ),
            Col(
                "vehicle_operation",
                "公务用车运行费",
                "vehicle operation",
                Amount,
            ),
            Col("reception", "公务接待费", "reception", Amount),
            Col("running_costs", "机关运行经费", "running costs", Amount),
        ],
    },
    Part {
        path: &["sangong", "extra"],
        zh: "“三公”表的其他行",
        en: "Other rows of the 三公 table",
        shape: Shape::Grid,
        cols: &[
            Col("name", "名称", "name", Line),
            Col("amount", "金额", "amount", Amount),
        ],
    },
    Part {
        path: &["procurement"],
        zh: "政府采购",
        en: "Government purchases",
        shape: Shape::Grid,
        cols: &[
            Col("project", "项目", "project", Line),
            Col("item", "采购品目", "item", Line),
            Col("kind", "类别", "kind", Line),
            Col("quantity", "数量", "quantity", Amount),
            Col("amount", "金额", "amount", Amount),
        ],
    },
    Part {
        path: &["project"],
        zh: "项目",
        en: "Projects",
        shape: Shape::Cards,
        cols: &[
            Col("name", "项目名称", "name", Line),
            Col("code", "项目编码", "code", Line),
            Col("unit", "实施单位", "unit", Line),
            Col("fiscal", "财政拨款", "fiscal", Amount),
            Col("special_account", "财政专户", "special account", Amount),
            Col("other", "其他资金", "other", Amount),
            Col("total", "合计", "total", Amount),
            Col("period", "实施周期", "period", Line),
            Col("purpose", "项目概述", "purpose", Long),
            Col("goal", "绩效目标", "goal", Long),
        ],
    },
    Part {
        path: &["section"],
        zh: "文字部分",
        en: "The text",
        shape: Shape::Cards,
        cols: &[
            Col("title", "标题", "title", Line),
            Col("text", "正文", "text", Long),
        ],
    },
    Part {
        path: &["last_year"],
        zh: "上年数",
        en: "Last year",
        shape: Shape::Fields,
        cols: &[],
    },
    Part {
        path: &["names"],
        zh: "科目名称（目录没有的）",
        en: "Names the catalogue lacks",
        shape: Shape::Fields,
        cols: &[],
    },
];

/// Columns a table shows even when no row fills them yet.
const CORE: &[&str] = &[
    "code", "name", "basic", "project", "amount", "level1", "level2", "value", "title", "text",
];

/// The sub-table of a card part: `[[project.indicator]]`.
const SUBGRID: (&str, &str, &str, &[Col]) = ("indicator", "绩效指标", "Indicators", INDICATOR);

/// The form view of `text`, or `None` when it is not TOML (the TOML view
/// says where).
pub fn view(text: &str) -> Option<Value> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let lines = Lines::new(text);
    let root = doc.as_table();
    let names = Names::of(root);
    let mut parts = Vec::new();
    for part in PARTS {
        if let Some(v) = part_view(root, part, &lines, &names) {
            parts.push(v);
        }
    }
    // A declared table is titled as its profile prints it: the file's, when
    // it names a built-in (a directory is not read here), else national's.
    let profile = root
        .get("department")
        .and_then(|d| d.get("profile"))
        .and_then(Item::as_str)
        .and_then(crate::profile::find)
        .filter(|p| p.dir.is_none())
        .or_else(|| crate::profile::find("national"));
    let declared = root.get("declared").and_then(Item::as_table);
    for (sub, item) in declared.iter().flat_map(|t| t.iter()) {
        let Some(table) = item.as_table() else {
            continue;
        };
        let title = profile
            .and_then(|p| p.tables.iter().find(|t| t.id == sub))
            .map_or(sub, |t| t.title.as_str());
        parts.push(fields_view(
            table,
            &[json!("declared"), json!(sub)],
            (
                format!("表上印的合计：{title}"),
                format!("Printed totals: {title} ({sub})"),
            ),
            &[],
            &lines,
            &names,
        ));
    }
    let shown: Vec<&str> = PARTS
        .iter()
        .map(|p| p.path[0])
        .chain(["declared"])
        .collect();
    let elsewhere: Vec<&str> = root
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !shown.contains(k))
        .collect();
    Some(json!({"parts": parts, "elsewhere": elsewhere}))
}

/// Byte offsets to 1-based line numbers.
struct Lines<'t>(Vec<usize>, &'t str);

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
            text,
        )
    }

    fn raw(&self, span: std::ops::Range<usize>) -> &'t str {
        self.1.get(span).unwrap_or("")
    }

    fn at(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// Codes' names: the file's `[names]`, else its year's catalogue.
struct Names {
    own: Vec<(String, String)>,
    catalogue: std::sync::Arc<crate::catalogue::Catalogue>,
}

impl Names {
    fn of(root: &Table) -> Names {
        let own = root
            .get("names")
            .and_then(Item::as_table)
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let dept = root.get("department").and_then(Item::as_table);
        let year = |k: &str| {
            dept.and_then(|d| d.get(k))
                .and_then(Item::as_integer)
                .and_then(|y| i32::try_from(y).ok())
        };
        let year = year("catalogue").or(year("year")).unwrap_or(2026);
        Names {
            own,
            catalogue: crate::catalogue::for_year(year).0,
        }
    }

    fn name(&self, kind: Kind, code: &str) -> Option<String> {
        if let Some((_, n)) = self.own.iter().find(|(c, _)| c == code) {
            return Some(n.clone());
        }
        match kind {
            Function => self.catalogue.function_name(code),
            Economic => self.catalogue.economic_name(code),
            _ => None,
        }
    }
}

fn part_view(root: &Table, part: &Part, lines: &Lines, names: &Names) -> Option<Value> {
    let (head, rest) = part.path.split_first()?;
    let mut item = root.get(head)?;
    for key in rest {
        item = item.as_table()?.get(key)?;
    }
    let path: Vec<Value> = part.path.iter().map(|k| json!(k)).collect();
    let title = (part.zh.to_string(), part.en.to_string());
    match part.shape {
        Shape::Fields => Some(fields_view(
            item.as_table()?,
            &path,
            title,
            part.cols,
            lines,
            names,
        )),
        Shape::Grid | Shape::Cards => {
            let tables = item.as_array_of_tables()?;
            let mut rows = Vec::new();
            for (i, t) in tables.iter().enumerate() {
                let mut at = path.clone();
                at.push(json!(i));
                let mut row = row_view(t, &at, part.cols, lines, names);
                if part.shape == Shape::Cards && part.path == ["project"] {
                    let (key, zh, en, cols) = SUBGRID;
                    let mut sub_path = at.clone();
                    sub_path.push(json!(key));
                    let sub = t
                        .get(key)
                        .and_then(Item::as_array_of_tables)
                        .map(|a| {
                            a.iter()
                                .enumerate()
                                .map(|(j, s)| {
                                    let mut p = sub_path.clone();
                                    p.push(json!(j));
                                    row_view(s, &p, cols, lines, names)
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    row["sub"] = json!({
                        "path": sub_path,
                        "title": {"zh": zh, "en": en},
                        "columns": columns(cols, &[]),
                        "rows": sub,
                    });
                }
                rows.push(row);
            }
            let extra: Vec<String> = tables
                .iter()
                .flat_map(|t| t.iter().map(|(k, _)| k.to_string()))
                .collect();
            Some(json!({
                "path": path,
                "title": {"zh": title.0, "en": title.1},
                "shape": part.shape.name(),
                "columns": columns(part.cols, &extra)
                    .into_iter()
                    .filter(|c| {
                        let key = c["key"].as_str().unwrap_or("");
                        CORE.contains(&key) || extra.iter().any(|e| e == key)
                    })
                    .collect::<Vec<_>>(),
                "rows": rows,
            }))
        }
    }
}

/// The part's columns, then any other key its rows hold (in file order).
fn columns(cols: &[Col], present: &[String]) -> Vec<Value> {
    let mut out: Vec<Value> = cols
        .iter()
        .map(|c| json!({"key": c.0, "title": {"zh": c.1, "en": c.2}, "kind": c.3.name()}))
        .collect();
    let mut seen: Vec<&str> = cols.iter().map(|c| c.0).collect();
    seen.push(SUBGRID.0);
    for key in present {
        if !seen.contains(&key.as_str()) {
            seen.push(key);
            out.push(json!({"key": key, "title": {"zh": key, "en": key}, "kind": "line"}));
        }
    }
    out
}

fn fields_view(
    table: &Table,
    path: &[Value],
    title: (String, String),
    cols: &[Col],
    lines: &Lines,
    names: &Names,
) -> Value {
    let present: Vec<String> = table
        .iter()
        .filter(|(_, v)| !v.is_table() && !v.is_array_of_tables())
        .map(|(k, _)| k.to_string())
        .collect();
    let row = row_view(table, path, cols, lines, names);
    json!({
        "path": path,
        "title": {"zh": title.0, "en": title.1},
        "shape": Shape::Fields.name(),
        "columns": columns(cols, &present),
        "rows": [row],
    })
}

/// One record: each key's value as text, with its line and kind.
fn row_view(table: &Table, path: &[Value], cols: &[Col], lines: &Lines, names: &Names) -> Value {
    let mut cells = serde_json::Map::new();
    let mut first = table.span().map(|s| lines.at(s.start));
    let mut last = first;
    for (key, item) in table.iter() {
        if item.is_table() || item.is_array_of_tables() {
            continue;
        }
        let k = table.key(key);
        let at = k
            .and_then(|k| k.span())
            .or_else(|| item.span())
            .map(|s| lines.at(s.start));
        let end = item.span().map(|s| lines.at(s.end.saturating_sub(1)));
        first = [first, at].into_iter().flatten().min();
        last = [last, end, at].into_iter().flatten().max();
        let declared = cols.iter().find(|c| c.0 == key).map(|c| c.3);
        let (value, kind) = shown(item, declared);
        // Numbers as written (1936.00, not 1936.0): exactness follows the digits.
        let value = match (kind, item.span()) {
            (Amount | Whole | Nested, Some(s)) => lines.raw(s).trim().replace('_', ""),
            _ => value,
        };
        let mut cell = json!({"value": value, "kind": kind.name(), "line": at});
        if matches!(kind, Function | Economic)
            && let Some(n) = names.name(kind, &value)
        {
            cell["name"] = json!(n);
        }
        cells.insert(key.to_string(), cell);
    }
    json!({"path": path, "lines": [first, last], "cells": cells})
}

/// A value as the form shows it, and its kind.
fn shown(item: &Item, declared: Option<Kind>) -> (String, Kind) {
    let Some(v) = item.as_value() else {
        return (item.to_string().trim().to_string(), Nested);
    };
    match v {
        // A string stays a string (`catalogue = "codes.txt"`, a code).
        toml_edit::Value::String(s) => (
            s.value().clone(),
            match declared {
                Some(Amount | Whole | Switch | Nested) | None => Line,
                Some(k) => k,
            },
        ),
        toml_edit::Value::Integer(_) | toml_edit::Value::Float(_) => (
            v.to_string().trim().replace('_', ""),
            match declared {
                Some(Whole) => Whole,
                _ => Amount,
            },
        ),
        toml_edit::Value::Boolean(b) => (b.value().to_string(), Switch),
        _ => (v.to_string().trim().to_string(), Nested),
    }
}

/// Applies the form's edits to `text`: each `{path, value}` sets a value
/// (an empty value removes the key), `{path, add: true}` appends a record to
/// an array, `{path, remove: true}` removes the record. Returns the new text
/// and, for each edit refused, `{path, message}`; the others are applied.
pub fn apply(text: &str, edits: &[Value]) -> Result<(String, Vec<Value>), Text> {
    let mut doc = DocumentMut::from_str(text).map_err(|_| {
        text!(
            "文件不是合法的 TOML：先在「TOML 文本」里改正标出的行",
            "the file is not valid TOML: mend the marked line in the TOML text first"
        )
    })?;
    let mut refused = Vec::new();
    for edit in edits {
        let path = edit.get("path").and_then(Value::as_array);
        let outcome = match path {
            None => Err(text!("修改没有位置", "an edit without a path")),
            Some(path) => apply_one(&mut doc, path, edit),
        };
        if let Err(message) = outcome {
            refused.push(
                json!({"path": edit.get("path"), "message": {"zh": message.zh, "en": message.en}}),
            );
        }
    }
    Ok((doc.to_string(), refused))
}

fn apply_one(doc: &mut DocumentMut, path: &[Value], edit: &Value) -> Result<(), Text> {
    let nowhere = || text!("表里没有这个位置", "no such place in the file");
    if edit.get("add").and_then(Value::as_bool) == Some(true) {
        let array = array_at(doc, path).ok_or_else(nowhere)?;
        array.push(Table::new());
        return Ok(());
    }
    let (last, parent) = path.split_last().ok_or_else(nowhere)?;
    if edit.get("remove").and_then(Value::as_bool) == Some(true) {
        let i = last.as_u64().ok_or_else(nowhere)? as usize;
        let array = array_at(doc, parent).ok_or_else(nowhere)?;
        if i >= array.len() {
            return Err(nowhere());
        }
        array.remove(i);
        return Ok(());
    }
    let key = last.as_str().ok_or_else(nowhere)?;
    let typed = edit.get("value").and_then(Value::as_str).unwrap_or("");
    let declared = kind_of(path);
    let table = table_at(doc, parent).ok_or_else(nowhere)?;
    // What the file holds decides (a string stays a string), else the part's column.
    let current = table.get(key).map(|i| shown(i, declared).1);
    let kind = current.or(declared).unwrap_or(Line);
    if typed.trim().is_empty() && kind != Long {
        table.remove(key);
        return Ok(());
    }
    let value = written(typed, kind)?;
    match table.get_mut(key).and_then(Item::as_value_mut) {
        // Keep what surrounds the old value (spacing, a trailing comment).
        Some(old) => {
            let decor = old.decor().clone();
            *old = value;
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
    Ok(())
}

/// What a cell's kind is, from the part it belongs to.
fn kind_of(path: &[Value]) -> Option<Kind> {
    let keys: Vec<&str> = path.iter().filter_map(Value::as_str).collect();
    let (key, parents) = keys.split_last()?;
    if parents.len() >= 2 && parents[0] == "project" && parents[1] == SUBGRID.0 {
        return SUBGRID.3.iter().find(|c| c.0 == *key).map(|c| c.3);
    }
    if parents.first() == Some(&"declared") {
        return Some(Amount);
    }
    let part = PARTS.iter().find(|p| p.path == parents)?;
    part.cols.iter().find(|c| c.0 == *key).map(|c| c.3)
}

/// A typed value as TOML, or why it cannot be.
fn written(typed: &str, kind: Kind) -> Result<toml_edit::Value, Text> {
    match kind {
        Amount => {
            let digits = amount_digits(typed).ok_or_else(|| {
                text!(
                    "「{typed}」不是金额：请只写数字，如 452.03",
                    "\"{typed}\" is not an amount: write digits only, as 452.03"
                )
            })?;
            digits
                .parse::<toml_edit::Value>()
                .map_err(|_| text!("「{typed}」不是金额", "\"{typed}\" is not an amount"))
        }
        Whole => {
            let digits = amount_digits(typed).filter(|d| !d.contains('.'));
            let n = digits
                .and_then(|d| d.parse::<i64>().ok())
                .ok_or_else(|| text!("「{typed}」不是整数", "\"{typed}\" is not a whole number"))?;
            Ok(toml_edit::Value::from(n))
        }
        Switch => match typed.trim() {
            "true" | "是" => Ok(toml_edit::Value::from(true)),
            "false" | "否" => Ok(toml_edit::Value::from(false)),
            _ => Err(text!("请写「是」或「否」", "write true or false")),
        },
        Nested => Err(text!(
            "这一格请在「TOML 文本」里修改",
            "edit this cell in the TOML text"
        )),
        Function | Economic | Line => Ok(toml_edit::Value::from(typed.trim())),
        Long => Ok(toml_edit::Value::from(typed)),
    }
}

/// The digits of a typed amount: separators and spaces dropped, full-width
/// digits read; at most 15 significant digits (what a file may hold).
fn amount_digits(typed: &str) -> Option<String> {
    let mut s = String::new();
    for c in typed.chars() {
        match c {
            '0'..='9' | '.' | '-' => s.push(c),
            '０'..='９' => s.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '．' => s.push('.'),
            '－' => s.push('-'),
            ',' | '，' | ' ' | '\u{3000}' | '_' => {}
            _ => return None,
        }
    }
    Decimal::from_str_exact(&s).ok()?;
    let significant = s.trim_start_matches('-').trim_start_matches(['0', '.']);
    if significant.chars().filter(char::is_ascii_digit).count() > 15 {
        return None;
    }
    // The digits as typed (452.030 stays 452.030): exactness follows them.
    Some(s)
}

fn table_at<'a>(doc: &'a mut DocumentMut, path: &[Value]) -> Option<&'a mut Table> {
    let mut table = doc.as_table_mut();
    let mut i = 0;
    while i < path.len() {
        let key = path[i].as_str()?;
        let item = table.get_mut(key)?;
        if item.is_array_of_tables() {
            let n = path.get(i + 1)?.as_u64()? as usize;
            table = item.as_array_of_tables_mut()?.get_mut(n)?;
            i += 2;
        } else {
            table = item.as_table_mut()?;
            i += 1;
        }
    }
    Some(table)
}

fn array_at<'a>(
    doc: &'a mut DocumentMut,
    path: &[Value],
) -> Option<&'a mut toml_edit::ArrayOfTables> {
    let (last, parent) = path.split_last()?;
    let table = table_at(doc, parent)?;
    let key = last.as_str()?;
    if !table.contains_key(key) {
        table.insert(key, Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    }
    table.get_mut(key)?.as_array_of_tables_mut()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# a comment kept\n[department]\nname = \"部\"\nyear = 2024\n\n[[expenditure]]\ncode = \"2013201\"  # 行政运行\nbasic = 452.03\n\n[[expenditure]]\ncode = \"2013299\"\nproject = 1936.00\n";

    #[test]
    fn cells_know_their_lines_and_codes_their_names() {
        let v = view(FILE).unwrap();
        let exp = &v["parts"][1];
        assert_eq!(exp["path"], json!(["expenditure"]));
        let first = &exp["rows"][0];
        assert_eq!(first["cells"]["basic"]["line"], json!(8));
        assert_eq!(first["cells"]["basic"]["value"], json!("452.03"));
        assert_eq!(first["cells"]["code"]["name"], json!("行政运行"));
        assert_eq!(first["lines"], json!([6, 8]));
        assert_eq!(
            exp["rows"][1]["cells"]["project"]["value"],
            json!("1936.00")
        );
    }

    /// A declared table is titled as the file's profile prints it.
    #[test]
    fn declared_tables_take_their_profiles_titles() {
        let title = |profile: &str| {
            let text = format!(
                "[department]\nname = \"部\"\nyear = 2026\n{profile}\n[declared.summary]\n\"总计\" = {{ income = 1 }}\n"
            );
            let v = view(&text).unwrap();
            let parts = v["parts"].as_array().unwrap();
            let part = parts
                .iter()
                .find(|p| p["path"] == json!(["declared", "summary"]))
                .unwrap();
            part["title"]["zh"].as_str().unwrap().to_string()
        };
        assert_eq!(title(""), "表上印的合计：部门预算收支总表");
        // Every built-in that titles its 收支总表 otherwise (one prints
        // "预算01表 收支总表") is shown with its own title.
        let mut own = 0;
        for p in crate::profile::builtins() {
            let summary = p.tables.iter().find(|t| t.id == "summary");
            if let Some(t) = summary.filter(|t| t.title != "部门预算收支总表") {
                let want = format!("表上印的合计：{}", t.title);
                assert_eq!(title(&format!("profile = \"{}\"", p.name)), want);
                own += 1;
            }
        }
        assert!(own > 0, "no built-in titles its 收支总表 otherwise");
        assert!(
            crate::profile::builtins()
                .iter()
                .filter_map(|p| p.tables.iter().find(|t| t.id == "summary"))
                .any(|t| t.title == "预算01表 收支总表")
        );
        // A directory is not read by the form: national's title.
        assert_eq!(
            title("profile = \"./mine\""),
            "表上印的合计：部门预算收支总表"
        );
    }

    /// The form reads any text and any typed value: random files built from
    /// budget-file pieces, random paths and values, never a panic.
    #[test]
    fn random_files_and_edits_never_panic() {
        let pieces = [
            "[department]\n",
            "name = \"部\"\n",
            "year = 2024\n",
            "[[expenditure]]\n",
            "code = \"2013201\"\n",
            "basic = 452.03\n",
            "basic = { general = 1 }\n",
            "[[project]]\n",
            "[[project.indicator]]\n",
            "level1 = \"产出\"\n",
            "[declared.basic]\n",
            "\"合计\" = 1.5\n",
            "[names]\n",
            "\"2013201\" = \"行政运行\"\n",
            "text = '''\n多行\n'''\n",
            "[sangong]\n",
            "[[sangong.extra]]\n",
            "items = [{ name = \"x\", amount = 0 }]\n",
            "# 注释\n",
            "= broken\n",
            "\u{3000}\n",
            "catalogue = 99999999999\n",
        ];
        let values = [
            "",
            "1",
            "-0.5",
            "１２．３",
            "1,234.5",
            "abc",
            "9999999999999999",
            "是",
            "\u{0}",
            "'''",
            "\"",
            "2013201",
        ];
        let keys = [
            json!("expenditure"),
            json!("project"),
            json!("indicator"),
            json!("basic"),
            json!("code"),
            json!("declared"),
            json!("合计"),
            json!(0),
            json!(1),
            json!(7),
            json!(-1),
            json!(null),
            json!("sangong"),
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut applied = 0;
        for _ in 0..3000 {
            let text: String = (0..next(12)).map(|_| pieces[next(pieces.len())]).collect();
            let _ = view(&text);
            let edits: Vec<Value> = (0..next(4))
                .map(|_| {
                    let path: Vec<Value> = (0..next(5))
                        .map(|_| keys[next(keys.len())].clone())
                        .collect();
                    match next(3) {
                        0 => json!({"path": path, "add": true}),
                        1 => json!({"path": path, "remove": true}),
                        _ => json!({"path": path, "value": values[next(values.len())]}),
                    }
                })
                .collect();
            if let Ok((new, _)) = apply(&text, &edits) {
                applied += 1;
                let _ = view(&new);
            }
        }
        // Enough of the random files are TOML for the edits to be tried.
        assert!(applied > 500, "{applied}");
    }

    #[test]
    fn edits_keep_comments_and_digits() {
        let edits = [
            json!({"path": ["expenditure", 0, "basic"], "value": "1,234.560"}),
            json!({"path": ["expenditure", 1, "basic"], "value": "１２"}),
            json!({"path": ["expenditure", 1, "project"], "value": "abc"}),
            json!({"path": ["expenditure"], "add": true}),
            json!({"path": ["expenditure", 2, "code"], "value": "2080505"}),
        ];
        let (text, refused) = apply(FILE, &edits).unwrap();
        assert!(text.starts_with("# a comment kept\n"));
        assert!(text.contains("code = \"2013201\"  # 行政运行\nbasic = 1234.560\n"));
        assert!(text.contains("project = 1936.00\nbasic = 12\n"));
        assert!(text.ends_with("[[expenditure]]\ncode = \"2080505\"\n"));
        assert_eq!(refused.len(), 1);
        assert_eq!(
            refused[0]["message"]["zh"],
            json!("「abc」不是金额：请只写数字，如 452.03")
        );
        // A string stays a string where a number is usual (a catalogue file).
        let (cat, refused) = apply(
            "[department]\ncatalogue = \"codes.txt\"\n",
            &[json!({"path": ["department", "catalogue"], "value": "other.txt"})],
        )
        .unwrap();
        assert!(refused.is_empty());
        assert_eq!(cat, "[department]\ncatalogue = \"other.txt\"\n");
        let removed = apply(
            &text,
            &[json!({"path": ["expenditure", 2], "remove": true})],
        )
        .unwrap();
        assert!(!removed.0.contains("2080505"));
    }
}
