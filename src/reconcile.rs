//! The reconciliation rules (勾稽关系, formats.md §4): declared totals against
//! computed ones, the declared figures against each other, and the tables
//! built from independently typed leaves against each other.
//!
//! A difference that rounding of the summed items can explain — at most
//! (n+1)/2 units of the last printed digit for n items — is a 尾差 warning;
//! a larger one is an error. Tables always print the computed figures.

use std::ops::Range;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::compute::{PairTable, SangongTable, Tables, TreeTable};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{DeclaredTable, Money};
use crate::validate::{Budget, Source};

/// Rounds `v` to `decimals` places the way the tables print (四舍五入).
pub fn round(v: Decimal, decimals: u32) -> Decimal {
    v.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

/// Compares two figures; reports a 尾差 warning or an error when they differ.
pub struct Checker<'a> {
    diags: &'a mut Diagnostics,
    decimals: u32,
}

impl<'a> Checker<'a> {
    /// A checker comparing at `decimals` printed places.
    pub fn new(diags: &'a mut Diagnostics, decimals: u32) -> Checker<'a> {
        Checker { diags, decimals }
    }

    /// `left` and `right` should be equal; `items` summed items explain ±(items+1)/2 units.
    #[allow(clippy::too_many_arguments)]
    pub fn equal(
        &mut self,
        rule: &'static str,
        span: Option<Range<usize>>,
        what: &str,
        left: Decimal,
        relation: &str,
        right: Decimal,
        items: usize,
    ) {
        let d = self.decimals;
        let (l, r) = (round(left, d), round(right, d));
        if l == r {
            return;
        }
        let unit = Decimal::new(1, d);
        let diff = (l - r).abs();
        let tolerance = unit * Decimal::from(items + 1) / Decimal::TWO;
        let base = format!("{what} = {} but {relation} {}", fmt(l, d), fmt(r, d));
        let plural = if items == 1 { "" } else { "s" };
        if diff <= tolerance {
            self.diags.push(Diagnostic::warning(
                rule,
                span,
                format!(
                    "{base} (difference {}: 尾差, within ±{} for {items} rounded item{})",
                    fmt(diff, d),
                    fmt(round(tolerance, d + 1).normalize(), d),
                    plural
                ),
            ));
        } else {
            self.diags.push(Diagnostic::error(
                rule,
                span,
                format!(
                    "{base} (difference {}, more than rounding of {items} item{} can explain: ±{})",
                    fmt(diff, d),
                    plural,
                    fmt(round(tolerance, d + 1).normalize(), d)
                ),
            ));
        }
    }
}

fn fmt(v: Decimal, decimals: u32) -> String {
    let mut s = round(v, decimals.max(v.scale().min(decimals + 1))).to_string();
    if !s.contains('.') && decimals > 0 {
        s.push('.');
    }
    if let Some(dot) = s.find('.') {
        while s.len() - dot - 1 < decimals as usize {
            s.push('0');
        }
    }
    s
}

/// Column keys accepted in `[declared.<table>]` rows, by table id, in column order.
pub fn column_keys(table: &str) -> &'static [&'static str] {
    match table {
        "summary" => &["income", "expenditure"],
        "fiscal" => &["income", "total", "general", "fund", "soe"],
        "income" => &[
            "total",
            "subtotal",
            "fiscal",
            "special_account",
            "business",
            "operating",
            "superior",
            "subsidiary",
            "other",
            "carryover",
        ],
        "expenditure" => &[
            "total",
            "basic",
            "project",
            "operating",
            "to_superior",
            "to_subsidiary",
        ],
        "general" | "fund" | "soe" => &["total", "basic", "project"],
        "basic" => &["total", "personnel", "public"],
        "sangong" => &["total", "general", "fund", "soe"],
        _ => &[],
    }
}

/// Reads one declared cell: (row key, column index, value, span).
type Cell = (String, usize, Decimal, Range<usize>);

/// Resolves the declared rows of one table to cells; unknown keys are errors.
fn cells(
    diags: &mut Diagnostics,
    id: &str,
    declared: &DeclaredTable,
    row_exists: &dyn Fn(&str) -> bool,
    scale: Decimal,
    headers: &[&str],
) -> Vec<Cell> {
    let keys = column_keys(id);
    let mut out = vec![];
    for (row, cols) in declared {
        if !row_exists(row) {
            diags.push(Diagnostic::error(
                "declared",
                Some(cols.span()),
                format!("[declared.{id}] names row \"{row}\", which table {id} does not have"),
            ));
            continue;
        }
        for (col, v) in cols.get_ref() {
            let idx = keys
                .iter()
                .position(|k| k == col)
                .or_else(|| headers.iter().position(|h| h == col));
            match idx {
                Some(i) => {
                    let Money(m) = *v.get_ref();
                    out.push((row.clone(), i, m * scale, v.span()));
                }
                None => diags.push(Diagnostic::error(
                    "declared",
                    Some(v.span()),
                    format!(
                        "[declared.{id}] row \"{row}\": unknown column \"{col}\"; valid: {}",
                        keys.join(", ")
                    ),
                )),
            }
        }
    }
    out
}

fn cell(cells: &[Cell], row: &str, col: usize) -> Option<(Decimal, Range<usize>)> {
    cells
        .iter()
        .find(|c| c.0 == row && c.1 == col)
        .map(|c| (c.2, c.3.clone()))
}

fn is_total(row: &str) -> bool {
    matches!(row, "合计" | "total")
}

/// Runs every rule; problems go to `diags`.
pub fn reconcile(
    budget: &Budget,
    file: &crate::model::BudgetFile,
    t: &Tables,
    diags: &mut Diagnostics,
) {
    let decimals = budget.department.decimals;
    let unit_scale = budget.scale();
    let mut trees: Vec<(&TreeTable, Vec<Cell>)> = vec![];
    for table in [
        &t.income,
        &t.expenditure,
        &t.general,
        &t.basic,
        &t.fund,
        &t.soe,
    ] {
        let declared = file.declared.table(table.id).expect("known id");
        let row_exists = |r: &str| table.row(if is_total(r) { "" } else { r }).is_some();
        let c = cells(
            diags,
            table.id,
            declared,
            &row_exists,
            unit_scale,
            &table.columns,
        );
        trees.push((table, c));
    }
    let summary_cells = pair_cells(diags, &t.summary, &file.declared.summary, unit_scale);
    let fiscal_cells = pair_cells(diags, &t.fiscal, &file.declared.fiscal, unit_scale);
    let sangong_cells = {
        let exists = |r: &str| is_total(r) || t.sangong.row(r).is_some();
        cells(
            diags,
            "sangong",
            &file.declared.sangong,
            &exists,
            unit_scale,
            &t.sangong.columns,
        )
    };

    let mut ck = Checker { diags, decimals };

    // R5: every declared tree row against the sum of its items.
    for (table, cells) in &trees {
        for (row, col, value, span) in cells {
            let r = table
                .row(if is_total(row) { "" } else { row })
                .expect("checked");
            let what = format!(
                "{}{} {}",
                short_title(&table.title),
                row_label(r.level, &r.code),
                column_label(table, *col)
            );
            ck.equal(
                "R5",
                Some(span.clone()),
                &what,
                *value,
                "its items sum to",
                r.values[*col],
                r.leaves,
            );
        }
    }
    // R3, R4, R9 on declared rows: the total column against the declared parts.
    for (table, cells) in &trees {
        let (rule, parts): (&str, &[usize]) = match table.id {
            "income" => ("R3", &[1, 9]),
            "expenditure" => ("R4", &[1, 2, 3, 4, 5]),
            "basic" => ("R9", &[1, 2]),
            "general" | "fund" | "soe" => ("R4", &[1, 2]),
            _ => continue,
        };
        let rows: std::collections::BTreeSet<&String> = cells.iter().map(|c| &c.0).collect();
        for row in rows {
            let Some((total, span)) = cell(cells, row, 0) else {
                continue;
            };
            let declared_parts: Vec<Decimal> = parts
                .iter()
                .filter_map(|p| cell(cells, row, *p).map(|c| c.0))
                .collect();
            if declared_parts.len() < 2 {
                continue;
            }
            let r = table
                .row(if is_total(row) { "" } else { row })
                .expect("checked");
            let names: Vec<&str> = parts.iter().map(|p| table.columns[*p]).collect();
            let sum: Decimal = parts
                .iter()
                .map(|p| cell(cells, row, *p).map_or_else(|| r.values[*p], |c| c.0))
                .sum();
            let what = format!(
                "{}{} 合计 (declared)",
                short_title(&table.title),
                row_label(r.level, &r.code)
            );
            ck.equal(
                rule,
                Some(span),
                &what,
                total,
                &format!("{} sum to", names.join(" + ")),
                sum,
                parts.len(),
            );
        }
    }
    // 人员经费 = 301 + 303 on the declared 合计 row of table 6.
    if let Some((_, cells)) = trees.iter().find(|(t, _)| t.id == "basic")
        && let Some((personnel, span)) = cells
            .iter()
            .find(|c| is_total(&c.0) && c.1 == 1)
            .map(|c| (c.2, c.3.clone()))
    {
        let basic = &t.basic;
        let class_value = |code: &str| {
            cells
                .iter()
                .find(|c| c.0 == code && c.1 == 0)
                .map(|c| c.2)
                .or_else(|| basic.row(code).map(|r| r.values[0]))
                .unwrap_or_default()
        };
        let sum = class_value("301") + class_value("303");
        ck.equal(
            "R9",
            Some(span),
            "基本支出表 合计 人员经费 (declared)",
            personnel,
            "类 301 + 303 sum to",
            sum,
            2,
        );
    }

    // R8: basic expenditure by function (table 3, 一般公共预算) = table 6 合计.
    if !budget.economic.is_empty() {
        let general_basic: Decimal = budget
            .lines
            .iter()
            .filter(|l| l.source == Source::General)
            .map(|l| l.kinds[0])
            .sum();
        let items = budget
            .lines
            .iter()
            .filter(|l| l.source == Source::General && !l.kinds[0].is_zero())
            .count()
            + budget.economic.len();
        let span = file.basic_economic.first().map(|l| l.span());
        ck.equal(
            "R8",
            span,
            "支出总表 一般公共预算 基本支出",
            general_basic,
            "基本支出表 合计 is",
            t.basic.rows[0].values[0],
            items,
        );
    }

    // R1, R2 on table 1.
    let sum_items = t.expenditure.rows[0].leaves;
    for (row, col, value, span) in &summary_cells {
        let r = t
            .summary
            .rows
            .iter()
            .find(|r| &r.key == row)
            .expect("checked");
        let computed = if *col == 0 {
            r.left_value.unwrap_or_default()
        } else {
            r.right_values[0]
        };
        let label = if *col == 0 { &r.left } else { &r.right };
        let what = format!("收支总表 {label}");
        ck.equal(
            "R2",
            Some(span.clone()),
            &what,
            *value,
            "the computed figure is",
            computed,
            sum_items,
        );
    }
    if let (Some((inc, span)), Some((exp, _))) = (
        cell(&summary_cells, "总计", 0),
        cell(&summary_cells, "总计", 1),
    ) {
        ck.equal(
            "R1",
            Some(span),
            "收支总表 收入总计 (declared)",
            inc,
            "支出总计 (declared) is",
            exp,
            1,
        );
    }
    let total_of = |id: &str| {
        trees
            .iter()
            .find(|(t, _)| t.id == id)
            .and_then(|(_, c)| cell(c, "合计", 0).or_else(|| cell(c, "total", 0)))
    };
    if let Some((sum_total, span)) = cell(&summary_cells, "总计", 1) {
        for (id, name) in [("income", "收入总表"), ("expenditure", "支出总表")] {
            if let Some((v, _)) = total_of(id) {
                ck.equal(
                    "R2",
                    Some(span.clone()),
                    "收支总表 支出总计 (declared)",
                    sum_total,
                    &format!("{name} 合计 (declared) is"),
                    v,
                    1,
                );
            }
        }
    }
    // R7: table 5 = table 3 when every line is 一般公共预算.
    if budget.lines.iter().all(|l| l.source == Source::General)
        && let (Some((g, span)), Some((e, _))) = (total_of("general"), total_of("expenditure"))
    {
        ck.equal(
            "R7",
            Some(span),
            "一般公共预算财政拨款支出表 合计 (declared)",
            g,
            "支出总表 合计 (declared) is",
            e,
            1,
        );
    }

    // R6 on table 4.
    for (row, col, value, span) in &fiscal_cells {
        let r = t
            .fiscal
            .rows
            .iter()
            .find(|r| &r.key == row)
            .expect("checked");
        let computed = if *col == 0 {
            r.left_value.unwrap_or_default()
        } else {
            r.right_values[*col - 1]
        };
        let what = format!(
            "财政拨款收支总表 {} {}",
            if *col == 0 { &r.left } else { &r.right },
            column_keys("fiscal")[*col]
        );
        ck.equal(
            "R6",
            Some(span.clone()),
            &what,
            *value,
            "the computed figure is",
            computed,
            sum_items,
        );
    }
    let keys: std::collections::BTreeSet<&String> = fiscal_cells.iter().map(|c| &c.0).collect();
    for row in keys {
        if let Some((total, span)) = cell(&fiscal_cells, row, 1) {
            let parts: Vec<Decimal> = (2..5)
                .filter_map(|c| cell(&fiscal_cells, row, c).map(|x| x.0))
                .collect();
            if parts.len() == 3 {
                let what = format!("财政拨款收支总表 row {row} 合计 (declared)");
                ck.equal(
                    "R6",
                    Some(span),
                    &what,
                    total,
                    "its three funds sum to",
                    parts.iter().sum(),
                    3,
                );
            }
        }
    }

    // R10, R11 on table 9.
    sangong_rules(&mut ck, &t.sangong, &sangong_cells);

    // R12: 三公 vs basic expenditure lines.
    if budget.sangong.is_some() {
        let span = budget.sangong.as_ref().map(|s| s.span.clone());
        for (key, code, name) in [
            ("vehicle_operation", "30231", "公务用车运行维护费"),
            ("reception", "30217", "公务接待费"),
        ] {
            let econ: Decimal = budget
                .economic
                .iter()
                .filter(|e| e.code == code)
                .map(|e| e.amount)
                .sum();
            let sg = t.sangong.row(key).map_or(Decimal::ZERO, |r| r.values[1]);
            if round(sg, decimals) < round(econ, decimals) {
                ck.diags.push(Diagnostic::error(
                    "R12",
                    span.clone(),
                    format!(
                        "三公 {name} = {} but basic expenditure {code} {name} is {}: the 三公 table must include it",
                        fmt(sg, decimals),
                        fmt(econ, decimals)
                    ),
                ));
            }
        }
    }

    // R14: the 空表 note.
    for table in [&t.fund, &t.soe] {
        if !table.is_empty()
            && let Some(note) = file.notes.get(table.id)
            && note.get_ref().contains("空表")
        {
            ck.diags.push(Diagnostic::error(
                "R14",
                Some(note.span()),
                format!(
                    "{} is not empty but its note says it is (空表)",
                    table.title
                ),
            ));
        }
    }
}

fn pair_cells(
    diags: &mut Diagnostics,
    table: &PairTable,
    declared: &DeclaredTable,
    scale: Decimal,
) -> Vec<Cell> {
    let exists = |r: &str| table.rows.iter().any(|row| row.key == r);
    let mut headers = vec!["收入"];
    headers.extend(table.columns.iter());
    cells(diags, table.id, declared, &exists, scale, &headers)
}

fn sangong_rules(ck: &mut Checker, table: &SangongTable, cells: &[Cell]) {
    for (row, col, value, span) in cells {
        let key = if is_total(row) {
            "合计"
        } else {
            row.as_str()
        };
        let r = table.row(key).expect("checked");
        let what = format!("三公经费表 {} {}", r.label, table.columns[*col]);
        let rule = if r.level == 1 && (key == "vehicle" || key == "abroad") {
            "R11"
        } else {
            "R10"
        };
        ck.equal(
            rule,
            Some(span.clone()),
            &what,
            *value,
            "its items sum to",
            r.values[*col],
            r.leaves,
        );
    }
}

fn short_title(title: &str) -> &str {
    let t = title.strip_prefix("部门预算").unwrap_or(title);
    t.strip_prefix("一般公共预算财政拨款").map_or(t, |rest| {
        if rest == "基本支出表" {
            "基本支出表"
        } else {
            t
        }
    })
}

fn row_label(level: u8, code: &str) -> String {
    match level {
        0 => " 合计".to_string(),
        1 => format!(" 类 {code}"),
        2 => format!(" 款 {code}"),
        _ => format!(" 项 {code}"),
    }
}

fn column_label(table: &TreeTable, col: usize) -> &'static str {
    table.columns[col]
}
