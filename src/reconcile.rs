//! The reconciliation rules (勾稽关系, formats.md §4): declared totals against
//! computed ones, the declared figures against each other, and the tables
//! built from independently typed leaves against each other.
//!
//! A difference that rounding of the summed items can explain — at most
//! (n+1)/2 units of the last printed digit for n items — is a 尾差 warning;
//! a larger one is an error. Tables always print the computed figures.

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;

pub use crate::domain::round;

use crate::compute::{PairTable, SangongTable, Tables, TreeTable, is_total};
use crate::diag::{Diagnostic, Diagnostics, Text};
use crate::model::{DeclaredTable, Money};
use crate::records::{Flow, total};
use crate::tables::{Measure, TableSpec};
use crate::text;
use crate::validate::{Budget, Kind, Source, Unit};

/// Compares two figures; reports a 尾差 warning or an error when they differ.
pub struct Checker<'a> {
    diags: &'a mut Diagnostics,
    decimals: u32,
    /// Whether the figures compared were rounded (typed in 万元, or declared
    /// in a coarser unit than the file's amounts): only then is a small
    /// difference a 尾差; exact figures must agree exactly.
    pub rounded: bool,
    /// How many departments' roundings each amount carries (a consolidated file).
    pub parts: usize,
    /// Declared figures that agree with the computed ones (within 尾差): what
    /// prints in their cells (see [`crate::compute::print_declared`]).
    pub printed: Vec<crate::compute::Printed>,
    /// The decimals the tables print with: a declared figure with fewer
    /// never replaces a sum.
    pub print_places: u32,
    /// The file's lines the next comparison's computed figure sums: a
    /// mismatch names them as related places (taken by [`Checker::equal`]).
    pub related: Vec<Range<usize>>,
}

impl<'a> Checker<'a> {
    /// The 1-based line and column of byte `offset` of the file checked.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.diags.line_col(offset)
    }

    /// A checker comparing at `decimals` printed places; `rounded` says
    /// whether rounding happened (see [`Checker::rounded`]).
    pub fn new(diags: &'a mut Diagnostics, decimals: u32, rounded: bool) -> Checker<'a> {
        Checker {
            diags,
            decimals,
            rounded,
            parts: 1,
            printed: vec![],
            print_places: decimals,
            related: vec![],
        }
    }

    /// Keeps declared cell `c` of `table` to print, when it agreed with its
    /// sum (`agrees`), is in the table's own unit and has the printed places.
    fn print(&mut self, agrees: bool, table: &str, spec: &TableSpec, c: &Cell) {
        if agrees && c.factor == Decimal::ONE && self.decimals >= self.print_places {
            let column = spec
                .columns
                .get(c.col)
                .map_or_else(|| "income".to_string(), |k| k.key.clone());
            self.printed.push(crate::compute::Printed {
                table: table.to_string(),
                row: c.row.clone(),
                column,
                yuan: c.yuan(),
            });
        }
    }

    /// `left` and `right` should be equal. When the figures were rounded, a
    /// difference of at most ±(items+1)/2 units of the last printed digit
    /// (`items` summed rounded items and the rounded total) is a 尾差 warning;
    /// a larger one, or any difference between exact figures, is an error.
    /// Returns whether they agree (exactly, or within the 尾差).
    /// The message reads `{what} {left}，{relation} {right}，相差 …` in
    /// Chinese and `{what} = {left} but {relation} {right} (…)` in English.
    #[allow(clippy::too_many_arguments)]
    pub fn equal(
        &mut self,
        rule: &'static str,
        span: Option<Range<usize>>,
        what: Text,
        left: Decimal,
        relation: Text,
        right: Decimal,
        items: usize,
    ) -> bool {
        // Exactness follows the digits written: a figure written to 6 decimals
        // (万元 exact to the 分, as some regions print) is compared at its digits,
        // with no 尾差, against a figure those digits can hold.
        // (What the file's text holds at the figure: its float lost any trailing zeros.)
        let written = span
            .as_ref()
            .and_then(|s| self.diags.written_places(s))
            .map_or(left.scale(), |p| p.max(left.scale()));
        let exact_digits = written >= 6 && (right.scale() >= 6 || round(right, written) == right);
        let d = if exact_digits {
            self.decimals.max(written.min(right.scale().max(6)))
        } else {
            self.decimals
        };
        let rounded = self.rounded && !exact_digits;
        let (l, r) = (round(left, d), round(right, d));
        if l == r {
            return true;
        }
        let unit = Decimal::new(1, d);
        let diff = (l - r).abs();
        // A consolidated amount sums `parts` departments' rounded figures.
        let tolerance = unit * Decimal::from((items + 1) * self.parts) / Decimal::TWO;
        let (lf, rf, df) = (fmt(l, d), fmt(r, d), fmt(diff, d));
        let tol = fmt(round(tolerance, d + 1).normalize(), d);
        let (what_zh, what_en, rel_zh, rel_en) = (what.zh, what.en, relation.zh, relation.en);
        let zh = format!("{what_zh} {lf}，{rel_zh} {rf}，相差 {df}");
        let en = format!("{what_en} = {lf} but {rel_en} {rf}");
        let plural = if items == 1 { "" } else { "s" };
        let departments = match self.parts {
            1 => String::new(),
            p => format!(" × {p} departments"),
        };
        let items_zh = match self.parts {
            1 => format!("{items} 项"),
            p => format!("{items} 项 × {p} 个部门"),
        };
        let hint = unit_hint(left, right);
        let before = self.diags.items.len();
        if !rounded {
            self.diags.push(Diagnostic::error(
                rule,
                span,
                text!(
                    "{zh}（金额都是精确值，没有经过四舍五入，不能算作尾差）",
                    "{en} (difference {df}; the figures are exact, nothing was rounded, so no 尾差 explains it)"
                ),
            ));
        } else if diff <= tolerance {
            self.diags.push(Diagnostic::warning(
                rule,
                span,
                text!(
                    "{zh}（尾差：{items_zh}四舍五入，允许 ±{tol}）",
                    "{en} (difference {df}: 尾差, within ±{tol} for {items} rounded item{plural}{departments})"
                ),
            ));
        } else {
            self.diags.push(Diagnostic::error(
                rule,
                span,
                text!(
                    "{zh}（超出 {items_zh}四舍五入所能解释的 ±{tol}）",
                    "{en} (difference {df}, more than rounding of {items} item{plural}{departments} can explain: ±{tol})"
                ),
            ));
        }
        let related = std::mem::take(&mut self.related);
        if let Some(d) = self.diags.items.get_mut(before) {
            d.related = related;
            d.figures = Some(crate::diag::Figures {
                declared: l,
                computed: r,
                difference: diff,
                tolerance: if rounded { tolerance } else { Decimal::ZERO },
            });
            if let Some(hint) = hint {
                d.notes.push(hint);
            }
        }
        rounded && diff <= tolerance
    }
}

/// A hint when one figure is about 10,000 times the other: a 元/万元 mix-up.
fn unit_hint(left: Decimal, right: Decimal) -> Option<Text> {
    if left.is_zero() || right.is_zero() {
        return None;
    }
    let ratio = (left / right).abs();
    // Within 1%: the smaller figure may be a few rounded items.
    let near = |x: Decimal| (x - Decimal::from(10_000)).abs() <= Decimal::from(100);
    if near(ratio) {
        Some(text!(
            "前一个数约是后一个数的 10000 倍：是不是把元写进了以万元为单位的表？",
            "the first figure is about 10,000 times the second: is it written in 元 where the table is in 万元?"
        ))
    } else if near(Decimal::ONE / ratio) {
        Some(text!(
            "后一个数约是前一个数的 10000 倍：前一个数是不是按万元写进了以元为单位的表？",
            "the second figure is about 10,000 times the first: is the first written in 万元 where the table is in 元?"
        ))
    } else {
        None
    }
}

/// `v` rounded to `decimals` places and printed with them, as messages show figures.
pub fn fmt(v: Decimal, decimals: u32) -> String {
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

/// One declared cell: row key (`""` for 合计), column index, value (in the
/// table's unit), where it is in the file.
#[derive(Debug, Clone)]
struct Cell {
    row: String,
    col: usize,
    value: Decimal,
    span: Range<usize>,
    /// Computed figures (in the table's unit) times this are in the declared unit.
    factor: Decimal,
    /// The unit the figure was declared in.
    unit: Unit,
}

impl Cell {
    /// The declared figure in 元.
    fn yuan(&self) -> Decimal {
        self.value * self.unit.yuan()
    }
}

/// Resolves the declared rows of one table to cells. A row key must pass
/// `row_ok`; a column key must be one of the table's (or its header).
/// `extra_columns` are further keys (the 收入 side of two-sided tables).
fn cells(
    diags: &mut Diagnostics,
    (spec, table_unit, unit): (&TableSpec, Unit, Unit),
    declared: &DeclaredTable,
    row_ok: &dyn Fn(&str) -> bool,
    extra_columns: &[&str],
) -> Vec<Cell> {
    let id = spec.id.as_str();
    let factor = table_unit.yuan() / unit.yuan();
    let mut out = vec![];
    for (row, cols) in declared {
        if !row_ok(row) {
            diags.push(Diagnostic::error(
                "declared",
                Some(cols.span()),
                text!(
                    "[declared.{id}] 写了行 \"{row}\"，但表 {id} 没有这一行",
                    "[declared.{id}] names row \"{row}\", which table {id} does not have"
                ),
            ));
            continue;
        }
        for (col, v) in cols.get_ref() {
            let idx = extra_columns
                .iter()
                .position(|k| k == col)
                .map(|i| usize::MAX - i)
                .or_else(|| spec.column(col));
            match idx {
                Some(i) => {
                    let Money(m) = *v.get_ref();
                    let row = if is_total(row) {
                        String::new()
                    } else {
                        row.clone()
                    };
                    out.push(Cell {
                        row,
                        col: i,
                        value: m,
                        span: v.span(),
                        factor,
                        unit,
                    });
                }
                None => {
                    let mut valid = extra_columns.to_vec();
                    valid.extend(spec.keys());
                    diags.push(Diagnostic::error(
                        "declared",
                        Some(v.span()),
                        {
                            let valid = valid.join(", ");
                            text!(
                                "[declared.{id}] 行 \"{row}\"：未知的列 \"{col}\"；可用的列：{valid}",
                                "[declared.{id}] row \"{row}\": unknown column \"{col}\"; valid: {valid}"
                            )
                        },
                    ))
                }
            }
        }
    }
    out
}

/// The column index of the first extra column (`income` of two-sided tables).
const INCOME_COL: usize = crate::compute::INCOME_SIDE;

fn cell<'a>(cells: &'a [Cell], row: &str, col: usize) -> Option<&'a Cell> {
    cells.iter().find(|c| c.row == row && c.col == col)
}

/// The rules on how the file gives its money, checked whatever else fails:
/// R7 (财政拨款 money of 经营/上解/对附属 kinds), R10 (a 三公 row with both an
/// amount and 其中 rows), R11 (因公出国（境）费 given both whole and split).
pub fn given(budget: &Budget, file: &crate::model::BudgetFile, diags: &mut Diagnostics) {
    let mut warned: Vec<usize> = vec![];
    for f in budget.facts.iter().filter(|f| {
        f.spending()
            && f.source.is_fiscal()
            && matches!(
                f.kind,
                Some(Kind::Operating | Kind::ToSuperior | Kind::ToSubsidiary)
            )
    }) {
        if warned.contains(&f.span.start) {
            continue;
        }
        warned.push(f.span.start);
        let code = f.function.clone().unwrap_or_default();
        diags.push(Diagnostic::warning(
            "R7",
            Some(f.span.clone()),
            text!(
                "项 {code}：财政拨款资金通常只用于基本支出或项目支出，它的经营/上解/对附属支出不在表五、表七和表八中",
                "项 {code}: 财政拨款 money is normally 基本支出 or 项目支出 only; its 经营/上解/对附属 amounts are not in tables 5, 7 and 8"
            ),
        ));
    }
    let Some(s) = &file.sangong else { return };
    let g = s.get_ref();
    if let Some(a) = &g.abroad
        && (g.abroad_research != Default::default() || g.abroad_other != Default::default())
    {
        diags.push(Diagnostic::error(
            "R11",
            Some(a.span()),
            text!(
                "因公出国（境）费既给了一个数（abroad），又分项给出（abroad_research、abroad_other）；请只用一种写法",
                "因公出国（境）费 is given both as one figure (abroad) and split (abroad_research, abroad_other); give one or the other"
            ),
        ));
    }
    for e in &g.extra {
        let e_ref = e.get_ref();
        if e_ref.amount.is_some() && !e_ref.items.is_empty() {
            diags.push(Diagnostic::error("R10", Some(e.span()), {
                let name = &e_ref.name;
                text!(
                    "三公行 \"{name}\" 既有金额又有其中项；请只给其中项，该行金额是它们的和",
                    "三公 row \"{name}\" has both an amount and 其中 items; give the items only, its amount is their sum"
                )
            }));
        }
    }
}

/// Runs every rule; problems go to `diags`.
pub fn reconcile(
    budget: &Budget,
    file: &crate::model::BudgetFile,
    t: &Tables,
    diags: &mut Diagnostics,
) -> Vec<crate::compute::Printed> {
    // Declared figures are compared at the places their own profile prints.
    let decimals = budget.declared_decimals;
    let none = DeclaredTable::new();
    let declared = |id: &str| file.declared.table(id).unwrap_or(&none);
    let units = |spec: &'static TableSpec, table_unit: Unit| {
        let unit = budget
            .declared_units
            .get(&spec.id)
            .copied()
            .unwrap_or(table_unit);
        (spec, table_unit, unit)
    };
    let trees: Vec<(&TreeTable, Vec<Cell>)> = t
        .trees()
        .into_iter()
        .map(|table| {
            let code_lengths: &[usize] = if table.spec.shape == crate::tables::Shape::Economic {
                &[3, 5]
            } else {
                &[3, 5, 7]
            };
            let row_ok = |r: &str| {
                is_total(r)
                    || table.row(r).is_some()
                    || (r.chars().all(|c| c.is_ascii_digit()) && code_lengths.contains(&r.len()))
            };
            let c = cells(
                diags,
                units(table.spec, table.unit),
                declared(table.id),
                &row_ok,
                &[],
            );
            (table, c)
        })
        .collect();
    let summary_cells = pair_cells(
        diags,
        &t.summary,
        units(t.summary.spec, t.summary.unit),
        declared("summary"),
    );
    let fiscal_cells = pair_cells(
        diags,
        &t.fiscal,
        units(t.fiscal.spec, t.fiscal.unit),
        declared("fiscal"),
    );
    let sangong_cells = {
        let exists = |r: &str| t.sangong.row(r).is_some();
        cells(
            diags,
            units(t.sangong.spec, t.sangong.unit),
            declared("sangong"),
            &exists,
            &[],
        )
    };
    // Rounding happened where the file's amounts are in 万元 (rounded from 元
    // by the budget system), or where figures were declared in a coarser unit.
    let input_rounded = budget.input_unit.rounds_typed_amounts();
    let rounded_for = |unit: Unit| input_rounded || unit.yuan() > budget.input_unit.yuan();
    let declared_unit = |id: &str| {
        budget
            .declared_units
            .get(id)
            .copied()
            .unwrap_or(budget.department.unit)
    };
    let mut ck = Checker::new(diags, decimals, input_rounded);
    ck.parts = budget.parts;
    ck.print_places = budget.department.decimals;

    for (table, cells) in &trees {
        ck.rounded = rounded_for(declared_unit(table.id));
        tree_rules(&mut ck, budget, table, cells);
        if table.declared_rows {
            unit_rows_conserved(&mut ck, table, cells);
        }
    }
    ck.rounded = input_rounded;

    r8(&mut ck, budget, file, t);
    let facts = &budget.facts;

    // R1, R2 on the 收支总表; R6 on the 财政拨款收支总表.
    let sum_items = t.expenditure.total().leaves;
    ck.rounded = rounded_for(declared_unit("summary"));
    pair_rules(&mut ck, &t.summary, &summary_cells, "R2", sum_items);
    ck.rounded = rounded_for(declared_unit("fiscal"));
    pair_rules(&mut ck, &t.fiscal, &fiscal_cells, "R6", sum_items);
    // R1, R2, R7 and whatever else the profile declares: printed figures
    // of two tables that must agree (`[[equal]]`), where both are declared.
    let mut declared_cells: BTreeMap<&str, (&TableSpec, &[Cell])> = trees
        .iter()
        .map(|(t, c)| (t.id, (t.spec, c.as_slice())))
        .collect();
    declared_cells.insert("summary", (t.summary.spec, summary_cells.as_slice()));
    declared_cells.insert("fiscal", (t.fiscal.spec, fiscal_cells.as_slice()));
    declared_cells.insert("sangong", (t.sangong.spec, sangong_cells.as_slice()));
    let find = |c: &crate::profile::CellRef| -> Option<&Cell> {
        let (spec, cells) = declared_cells.get(c.table.as_str())?;
        let col = crate::compute::column_index(spec, &c.column)?;
        let row = if is_total(&c.row) { "" } else { c.row.as_str() };
        cell(cells, row, col)
    };
    for e in &budget.declared_profile.equalities {
        let (a, b) = (&e.left.label, &e.right.label);
        if !e.when_sources.is_empty()
            && !facts
                .iter()
                .filter(|f| f.function.is_some())
                .all(|f| e.when_sources.contains(&f.source))
        {
            let sources = e
                .when_sources
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join("、");
            ck.diags.skipped.push((
                e.rule,
                text!(
                    "{a} = {b}：只在每一行的资金来源都是 {sources} 时比较，本文件还有其他来源",
                    "{a} = {b}: compared only when every line's source is {sources}; this file has others"
                ),
            ));
            continue;
        }
        if e.computed {
            computed_relation(ck.diags, t, e);
            continue;
        }
        let (Some(l), Some(r)) = (find(&e.left), find(&e.right)) else {
            let missing = [(&e.left, find(&e.left)), (&e.right, find(&e.right))]
                .into_iter()
                .filter(|(_, c)| c.is_none())
                .map(|(c, _)| format!("[declared.{}] {} {}", c.table, c.row, c.column))
                .collect::<Vec<_>>()
                .join(", ");
            ck.diags.skipped.push((
                e.rule,
                text!(
                    "{a} = {b}：只比较申报了的数，本文件没有申报 {missing}",
                    "{a} = {b}: only declared figures are compared, and this file declares no {missing}"
                ),
            ));
            continue;
        };
        ck.rounded = rounded_for(declared_unit(&e.left.table));
        ck.equal(
            e.rule,
            Some(l.span.clone()),
            text!("{a}：申报", "{a} (declared)"),
            l.value,
            text!("{b}申报", "{b} (declared) is"),
            l.unit.from_yuan(r.yuan()),
            1,
        );
    }

    // R10, R11 on the 三公 table.
    ck.rounded = rounded_for(declared_unit("sangong"));
    sangong_rules(&mut ck, budget, &t.sangong, &sangong_cells);

    r12(&mut ck, budget, t);

    r14(&mut ck, file, t);
    ck.printed
}
/// R8: basic expenditure by function (一般公共预算) = 基本支出表 合计, and by
/// part when every 项 splits it.
fn r8(ck: &mut Checker, budget: &Budget, file: &crate::model::BudgetFile, t: &Tables) {
    let facts = &budget.facts;
    if facts.iter().any(|f| f.basic_economic().is_some()) {
        // The 一般公共预算 基本支出 of the 项: summed whole here, by part below.
        let general: Vec<&crate::records::Fact> = facts
            .iter()
            .filter(|f| {
                f.spending()
                    && matches!(f.source, Source::General | Source::CarryGeneral)
                    && matches!(f.kind, Some(Kind::Basic | Kind::Personnel | Kind::Public))
            })
            .collect();
        let general_basic: Decimal = general.iter().map(|f| f.amount).sum();
        let mut places: Vec<usize> = general.iter().map(|f| f.span.start).collect();
        places.sort_unstable();
        places.dedup();
        let economic = facts.iter().filter(|f| f.basic_economic().is_some());
        let items = places.len() + economic.count();
        let span = file.basic_economic.first().map(|l| l.span());
        ck.equal(
            "R8",
            span,
            text!(
                "支出总表 一般公共预算 基本支出",
                "支出总表 一般公共预算 基本支出"
            ),
            t.basic.unit.from_yuan(general_basic),
            text!("基本支出表 合计", "基本支出表 合计 is"),
            t.basic.total().values[0],
            items,
        );
        // The same for 人员经费 and 公用经费 when every 一般公共预算 基本支出
        // of a 项 is split (a shift between the two must not pass).
        if !general.is_empty() && general.iter().all(|f| f.kind != Some(Kind::Basic)) {
            for (kind, personnel, zh) in [
                (Kind::Personnel, true, "人员经费"),
                (Kind::Public, false, "公用经费"),
            ] {
                let by_line: Decimal = general
                    .iter()
                    .filter(|f| f.kind == Some(kind))
                    .map(|f| f.amount)
                    .sum();
                let by_class = total(facts, |f| f.basic_economic() == Some(personnel));
                let span = general.first().map(|f| f.span.clone());
                ck.equal(
                    "R8",
                    span,
                    text!(
                        "支出总表 一般公共预算 各项的{zh}",
                        "支出总表 一般公共预算 lines' {zh}"
                    ),
                    t.basic.unit.from_yuan(by_line),
                    text!("基本支出表 {zh}", "基本支出表 {zh} is"),
                    t.basic.unit.from_yuan(by_class),
                    items,
                );
            }
        }
    }
}

/// R12: the 三公 table holds the basic expenditure's 30231 and 30217; and
/// 机关运行经费 is within the 公用经费.
fn r12(ck: &mut Checker, budget: &Budget, t: &Tables) {
    let (facts, decimals) = (&budget.facts, ck.decimals);
    if let Some(sg) = &budget.sangong {
        let sangong = crate::figures::Sangong::of(budget);
        for (key, code, name) in [
            ("vehicle_operation", "30231", "公务用车运行维护费"),
            ("reception", "30217", "公务接待费"),
        ] {
            let econ = total(facts, |f| {
                f.basic_economic().is_some() && f.economic.as_deref() == Some(code)
            });
            let econ = t.sangong.unit.from_yuan(econ);
            // This year's 一般公共预算 figure of the item (whatever columns
            // the region's 三公 table prints).
            let value = sangong
                .as_ref()
                .map_or(Decimal::ZERO, |g| g.this_year_funds(key)[0]);
            let value = t.sangong.unit.from_yuan(value);
            if round(value, decimals) < round(econ, decimals) {
                ck.diags.push(Diagnostic::error(
                    "R12",
                    Some(sg.span.clone()),
                    {
                        let (v, b) = (fmt(value, decimals), fmt(econ, decimals));
                        text!(
                            "三公 {name} {v}，但基本支出 {code} {name} 为 {b}：三公经费表必须包含它",
                            "三公 {name} = {v} but basic expenditure {code} {name} is {b}: the 三公 table must include it"
                        )
                    },
                ));
            }
        }
        // 机关运行经费 is part of the 公用经费 of basic expenditure.
        let economic = facts.iter().any(|f| f.basic_economic().is_some());
        if let (Some(running), true) = (t.sangong.running_costs, economic) {
            let public = total(facts, |f| f.basic_economic() == Some(false));
            let u = t.sangong.unit;
            // As printed: 171.01 万元 of 机关运行经费 fits 1,710,062 元 of 公用经费.
            if round(running, decimals) > round(u.from_yuan(public), decimals) {
                ck.diags.push(Diagnostic::warning(
                    "running-costs",
                    Some(sg.span.clone()),
                    {
                        let (a, b, u) = (
                            fmt(running, decimals),
                            fmt(u.from_yuan(public), decimals),
                            u.label(),
                        );
                        text!(
                            "机关运行经费 {a} {u}，而基本支出表的公用经费只有 {b} {u}：机关运行经费是行政单位和参公事业单位的日常公用经费，不能超过它",
                            "机关运行经费 = {a} {u} but the 基本支出表's 公用经费 is only {b} {u}: 机关运行经费 is the 日常公用经费 of 行政单位 and 参公事业单位, so it cannot exceed it"
                        )
                    },
                ));
            }
        }
    }
}

/// R14: a 空表 note only under an empty table, whatever the table.
fn r14(ck: &mut Checker, file: &crate::model::BudgetFile, t: &Tables) {
    let has_money = |id: &str| -> Option<(&str, bool)> {
        if let Some(tree) = t.trees().into_iter().find(|x| x.id == id) {
            return Some((tree.title, !tree.empty));
        }
        if id == "sangong" {
            let money = t
                .sangong
                .rows
                .iter()
                .any(|r| r.values.iter().any(|v| !v.is_zero()))
                || t.sangong.running_costs.is_some_and(|v| !v.is_zero());
            return Some((t.sangong.title, money));
        }
        let pair = if id == "summary" {
            &t.summary
        } else {
            &t.fiscal
        };
        let money = pair.totals.iter().any(|r| !r.left_value.is_zero());
        Some((pair.title, money))
    };
    for (id, note) in &file.notes {
        if note.get_ref().contains("空表")
            && let Some((title, true)) = has_money(id)
        {
            ck.diags.push(Diagnostic::error(
                "R14",
                Some(note.span()),
                text!(
                    "{title}有数，但它的注写着是空表",
                    "{title} is not empty but its note says it is (空表)"
                ),
            ));
        }
    }
}

/// Nothing lost, nothing counted twice, where a table by 单位 is made of the
/// 单位 totals the file declares (no amount names its 单位): each amount
/// column's rows add up to the ledger's total of that column. A column whose
/// 合计 the file declares too is left to the declared 合计's own checks
/// (against the ledger and against its rows), so a slip is named once; a
/// `sum` column follows its parts.
fn unit_rows_conserved(ck: &mut Checker, table: &TreeTable, cells: &[Cell]) {
    let spec = table.spec;
    let title = short_title(table.title);
    let total = table.total();
    let Some(anywhere) = cells.iter().map(|c| c.span.clone()).min_by_key(|s| s.start) else {
        return;
    };
    for (i, column) in spec.columns.iter().enumerate() {
        let declares_total = cells.iter().any(|c| c.row.is_empty() && c.col == i);
        if declares_total || column.measure.derived() || matches!(column.measure, Measure::Sum(_)) {
            continue;
        }
        // As declared (their digits say whether they were rounded).
        let sum: Decimal = cells
            .iter()
            .filter(|c| c.col == i && !c.row.is_empty())
            .map(|c| c.value)
            .sum();
        let factor = cells.first().map_or(Decimal::ONE, |c| c.factor);
        // Which unit's figure is wrong the ledger cannot say: the first is
        // the place, every one of the column a related place.
        let mut spans: Vec<Range<usize>> = cells
            .iter()
            .filter(|c| c.col == i && !c.row.is_empty())
            .map(|c| c.span.clone())
            .collect();
        spans.sort_by_key(|s| s.start);
        let span = spans.first().cloned().unwrap_or_else(|| anywhere.clone());
        ck.related = spans.into_iter().skip(1).collect();
        let (label, n) = (column.label(), table.rows.len() - 1);
        ck.equal(
            spec.identity_rule.as_str(),
            Some(span),
            text!(
                "{title}{label}：{n} 个单位申报之和",
                "{title} {label}: the {n} units declared sum to"
            ),
            sum,
            text!("全部金额的合计为", "the ledger's total is"),
            total.values[i] * factor,
            n,
        );
    }
}

/// R5 on every declared cell; the table's identities (R3, R4, R9) on every
/// declared row; a declared parent against its declared children.
fn tree_rules(ck: &mut Checker, budget: &Budget, table: &TreeTable, cells: &[Cell]) {
    let spec = table.spec;
    let title = short_title(table.title);
    let label = |code: &str| row_name(table, code);
    let computed = |code: &str, col: usize| {
        table
            .row(code)
            .map_or((Decimal::ZERO, 0), |r| (r.values[col], r.leaves))
    };
    let factor = cells.first().map_or(Decimal::ONE, |c| c.factor);
    for c in cells {
        let (value, leaves) = computed(&c.row, c.col);
        let what = format!(
            "{title}{}",
            cell_label(&label(&c.row), &spec.columns[c.col].label())
        );
        // A 项 is the sum of the file's amounts of that code: name them,
        // each once at its place (a split line is one amount here).
        let mut lines: BTreeMap<(usize, Source), Decimal> = BTreeMap::new();
        // A 项's amounts, or a 经济分类 款's (the basic spending typed by 款).
        let sums: Box<dyn Fn(&crate::records::Fact) -> bool> = match &spec.shape {
            crate::tables::Shape::Function(sources) => Box::new(move |f| {
                f.function.as_deref() == Some(c.row.as_str()) && sources.contains(&f.source)
            }),
            crate::tables::Shape::Economic if c.row.len() == 5 => Box::new(|f| {
                f.basic_economic().is_some() && f.economic.as_deref() == Some(c.row.as_str())
            }),
            _ => Box::new(|_| false),
        };
        for f in budget.facts.iter().filter(|f| sums(f)) {
            let v = crate::compute::fact_value(spec, c.col, f);
            if !v.is_zero() {
                *lines.entry((f.span.start, f.source)).or_default() += v;
            }
        }
        let relation = if table.list && !c.row.is_empty() {
            let id = table.id;
            text!(
                "[[list.{id}]] 中这一行写的是",
                "its [[list.{id}]] row holds"
            )
        } else {
            lines_relation(ck, &lines, table.unit, factor)
        };
        let agrees = ck.equal(
            "R5",
            Some(c.span.clone()),
            text!("{what}：申报", "{what}"),
            c.value,
            relation,
            value * factor,
            leaves,
        );
        // What the budget system printed (from exact 元) prints.
        ck.print(agrees, table.id, table.spec, c);
    }
    let declared_or_computed = |code: &str, col: usize| {
        cell(cells, code, col).map_or_else(|| computed(code, col).0 * factor, |c| c.value)
    };
    let rows: std::collections::BTreeSet<&String> = cells.iter().map(|c| &c.row).collect();
    for row in rows {
        for (i, column) in spec.columns.iter().enumerate() {
            let Measure::Sum(parts) = &column.measure else {
                continue;
            };
            let Some(total) = cell(cells, row, i) else {
                continue;
            };
            let idx: Vec<usize> = parts.iter().filter_map(|p| spec.column(p)).collect();
            if idx
                .iter()
                .filter(|j| cell(cells, row, **j).is_some())
                .count()
                < 2
            {
                continue;
            }
            let names: Vec<String> = idx.iter().map(|j| spec.columns[*j].label()).collect();
            let sum: Decimal = idx.iter().map(|j| declared_or_computed(row, *j)).sum();
            let what = format!("{title}{}", cell_label(&label(row), &column.label()));
            let names = names.join(" + ");
            ck.equal(
                spec.identity_rule.as_str(),
                Some(total.span.clone()),
                text!("{what}：申报", "{what} (declared)"),
                total.value,
                text!("{names} 之和", "{names} sum to"),
                sum,
                idx.len(),
            );
        }
    }
    // A declared parent against its children, declared where given: the
    // children are the rows one level down, whatever classification put
    // their lines in this column (kind overrides included).
    for c in cells {
        if spec.columns[c.col].measure.derived() {
            continue; // a change or a percentage is not the sum of its children's
        }
        let depth = table.row(&c.row).map_or(99, |r| r.level);
        let children: Vec<&crate::compute::Row> = table
            .rows
            .iter()
            .filter(|r| r.level == depth + 1 && r.code.starts_with(&c.row))
            .collect();
        if !children
            .iter()
            .any(|r| cell(cells, &r.code, c.col).is_some())
        {
            continue;
        }
        let used: Vec<(&str, Decimal)> = children
            .iter()
            .map(|r| (r.code.as_str(), declared_or_computed(&r.code, c.col)))
            .filter(|(_, v)| !v.is_zero())
            .collect();
        let sum: Decimal = used.iter().map(|(_, v)| v).sum();
        let codes: Vec<&str> = used.iter().map(|(c, _)| *c).collect();
        // Rows that are no classification's are named one by one.
        let flat = match &spec.shape {
            crate::tables::Shape::List | crate::tables::Shape::Cross(_) => true,
            crate::tables::Shape::Pivot(d) => d.is_flat(),
            _ => false,
        };
        let (kind, codes) = match depth {
            _ if flat => (
                "",
                codes
                    .iter()
                    .map(|c| row_name(table, c).trim().to_string())
                    .collect(),
            ),
            0 => ("类", codes.iter().map(|c| c.to_string()).collect()),
            1 => ("款", codes.iter().map(|c| c.to_string()).collect()),
            _ => (
                "项",
                codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            ),
        };
        let what = format!(
            "{title}{}",
            cell_label(&label(&c.row), &spec.columns[c.col].label())
        );
        let rule = if spec.shape == crate::tables::Shape::Economic {
            "R9"
        } else {
            "R5"
        };
        let codes = format!("{kind} {}", codes.join(" + ")).trim().to_string();
        ck.equal(
            rule,
            Some(c.span.clone()),
            text!("{what}：申报", "{what} (declared)"),
            c.value,
            text!("{codes} 之和", "{codes} sum to"),
            sum,
            used.len().max(1),
        );
    }
}

/// Money a printed table cannot show: a source or a kind of spending without
/// a column in a table that must show all of it (a profile's narrower table).
pub fn coverage(budget: &Budget, t: &Tables, diags: &mut Diagnostics) {
    // A pivot by a dimension no amount of the file has cannot be printed
    // (but from the 单位 totals the file declares).
    for table in t.trees().into_iter().filter(|t| !t.declared_rows) {
        let dims = match &table.spec.shape {
            crate::tables::Shape::Pivot(dim) => vec![*dim],
            crate::tables::Shape::Cross(dims) => dims.clone(),
            _ => vec![],
        };
        for dim in dims {
            if budget.facts.is_empty() || budget.facts.iter().any(|f| f.get(dim).is_some()) {
                continue;
            }
            let (title, what, key) = (table.title, dim.label(), dim.key());
            diags.push(Diagnostic::error(
                "dimension",
                None,
                text!(
                    "{title}按{what}成行，而文件中没有一笔金额带有{what}（在 [[fact]] 中写 {key} = \"…\"）",
                    "{title} has a row per {what}, and no amount of the file has one (write {key} = \"…\" in its [[fact]] records)"
                ),
            ));
        }
    }
    // Conservation: an amount a pivot's columns count but that lacks one of
    // its dimensions would be left out of it without a word.
    for table in t.trees() {
        let dims = match &table.spec.shape {
            crate::tables::Shape::Pivot(dim) => vec![*dim],
            crate::tables::Shape::Cross(dims) => dims.clone(),
            _ => continue,
        };
        if dims
            .iter()
            .any(|d| budget.facts.iter().all(|f| f.get(*d).is_none()))
        {
            continue; // a dimension no amount has: said above, once for the table
        }
        for f in &budget.facts {
            if dims.iter().any(|d| !d.covers_all() && f.get(*d).is_none()) {
                continue; // not a purchase: not in a table of purchases
            }
            let Some(missing) = dims.iter().find(|d| f.get(**d).is_none()) else {
                continue;
            };
            if covered_elsewhere(f, &dims) {
                continue;
            }
            let n = table.spec.columns.len();
            let counted = (0..n).any(|i| !crate::compute::fact_value(table.spec, i, f).is_zero());
            if !counted {
                continue;
            }
            let (title, what, key, amount) = (
                table.title,
                missing.label(),
                missing.key(),
                fmt(f.amount, 2),
            );
            diags.push(Diagnostic::error(
                "dimension",
                Some(f.span.clone()),
                text!(
                    "这笔金额（{amount} 元）没有{what}，{title}按{what}成行：它会从表中漏掉；请把它写成带 {key} = \"…\" 的 [[fact]] 记录",
                    "this amount ({amount} 元) has no {what}, and {title} has a row per {what}: it would be left out of the table; write it as a [[fact]] record with {key} = \"…\""
                ),
            ));
        }
    }
    for table in t.trees() {
        if !table.spec.complete {
            continue;
        }
        let Some(total_col) = table.spec.column("total") else {
            continue;
        };
        let crate::tables::Shape::Function(sources) = &table.spec.shape else {
            continue;
        };
        // Each amount of the table's sources, by 项 and place: all of it
        // must reach the table's 合计 column.
        let mut amounts: BTreeMap<(usize, String, Source), (Decimal, Decimal)> = BTreeMap::new();
        // The flows its columns count (a 决算's 收入决算表 counts income):
        // every amount of them must show.
        let flows: Vec<Flow> = table
            .spec
            .columns
            .iter()
            .filter(|c| matches!(c.measure, crate::tables::Measure::Lines(..)))
            .map(|c| c.flow)
            .collect();
        let of_flows = |f: &crate::records::Fact| {
            flows.contains(&f.flow)
                && if f.flow == Flow::Spending {
                    f.spending()
                } else {
                    f.function.is_some() && !f.budgeted && !f.last_year
                }
        };
        for f in budget
            .facts
            .iter()
            .filter(|f| of_flows(f) && sources.contains(&f.source))
        {
            let code = f.function.clone().unwrap_or_default();
            let e = amounts.entry((f.span.start, code, f.source)).or_default();
            e.0 += f.amount;
            e.1 += crate::compute::fact_value(table.spec, total_col, f);
        }
        for ((at, code, source), (total, shown)) in amounts {
            if shown != total {
                let span = budget
                    .facts
                    .iter()
                    .find(|f| f.span.start == at)
                    .map(|f| f.span.clone());
                diags.push(Diagnostic::error(
                    "columns",
                    span,
                    {
                        let (lost, source, title, profile) = (
                            fmt(total - shown, 2),
                            source.label(),
                            table.title,
                            budget.department.profile,
                        );
                        text!(
                            "项 {code} 有 {lost} 元{source}资金或某类支出，而地区样式 \"{profile}\" 的{title}没有对应的列；请换一个资金来源或支出类型，或改用有这一列的地区样式（national 列出所有来源和类型）",
                            "项 {code} has {lost} 元 of {source} money or of a kind of spending that {title} in profile \"{profile}\" has no column for; give it another source or kind, or print in a profile whose table has that column (national prints every source and kind)"
                        )
                    },
                ));
            }
        }
    }
    // The 决算 identity, in total and for the 财政拨款: what the year began
    // with and received is what it spent and ended with.
    for pair in [&t.summary, &t.fiscal]
        .into_iter()
        .filter(|_| budget.department.final_account)
    {
        if let Some(total) = pair.total("总计")
            && total.left_value != total.right_values[0]
        {
            let (title, income, spending) = (
                pair.title,
                fmt(total.left_value, 2),
                fmt(total.right_values[0], 2),
            );
            // Where to look: the year's closing balance, else its opening one.
            let at = [Flow::Closing, Flow::Opening].iter().find_map(|flow| {
                budget
                    .facts
                    .iter()
                    .find(|f| f.flow == *flow)
                    .map(|f| f.span.clone())
            });
            diags.push(Diagnostic::error(
                "balance",
                at,
                text!(
                    "{title}：收入总计 {income}（年初结转和结余 + 本年收入 + 使用非财政拨款结余）不等于支出总计 {spending}（本年支出 + 结余分配 + 年末结转和结余）",
                    "{title}: 收入总计 {income} (年初结转和结余 + 本年收入 + 使用非财政拨款结余) differs from 支出总计 {spending} (本年支出 + 结余分配 + 年末结转和结余)"
                ),
            ));
        }
    }
    let total = t.summary.total("总计");
    if budget.department.final_account {
        // said above
    } else if let Some(total) = total
        && total.left_value != total.right_values[0]
    {
        diags.push(Diagnostic::error(
            "columns",
            None,
            {
                let (title, profile, income, spending) = (
                    t.summary.title,
                    budget.department.profile,
                    fmt(total.left_value, 2),
                    fmt(total.right_values[0], 2),
                );
                text!(
                    "地区样式 \"{profile}\" 的{title}：收入总计将印为 {income}，支出总计为 {spending}：有些收入在这个样式的表中没有行（如上级补助、附属单位上缴、财政专户或上年结转资金）",
                    "{title} in profile \"{profile}\": 收入总计 would print {income} but 支出总计 {spending}: some income has no row in this profile's table (for example 上级补助, 附属单位上缴, 财政专户 or 上年结转 money)"
                )
            },
        ));
    }
}

/// The computed figure of cell `c`, in 元 (`None` when its row is not in
/// the table: a 类 the file has no money in).
fn computed_cell(t: &Tables, c: &crate::profile::CellRef) -> Option<Decimal> {
    let in_yuan = |unit: Unit, v: Decimal| v * unit.yuan();
    match c.table.as_str() {
        "summary" | "fiscal" => {
            let pair = if c.table == "summary" {
                &t.summary
            } else {
                &t.fiscal
            };
            let col = pair.spec.column(&c.column);
            let value = if let Some(total) = pair.total(&c.row) {
                match col {
                    None => total.left_value,
                    Some(i) => *total.right_values.get(i)?,
                }
            } else if let Some(item) = pair.income.iter().find(|i| i.key == c.row) {
                item.value
            } else {
                let class = pair.classes.iter().find(|k| k.code == c.row)?;
                *class.values.get(col?)?
            };
            Some(in_yuan(pair.unit, value))
        }
        "sangong" => {
            let col = t.sangong.spec.column(&c.column)?;
            let row = t.sangong.row(&c.row)?;
            Some(in_yuan(t.sangong.unit, *row.values.get(col)?))
        }
        id => {
            let table = t.trees().into_iter().find(|x| x.id == id)?;
            let col = table.spec.column(&c.column)?;
            Some(in_yuan(table.unit, *table.row(&c.row)?.values.get(col)?))
        }
    }
}

/// An `[[equal]]` on computed figures: an identity of the region's tables,
/// exact (both sides are sums of the same ledger).
fn computed_relation(diags: &mut Diagnostics, t: &Tables, e: &crate::profile::Equality) {
    let (a, b) = (&e.left.label, &e.right.label);
    let value = |c| computed_cell(t, c).unwrap_or_default();
    let (l, r) = (value(&e.left), value(&e.right));
    if e.relation.holds(l, r) {
        return;
    }
    let (sign, zh) = e.relation.words();
    let (lf, rf) = (fmt(l, 2), fmt(r, 2));
    diags.push(Diagnostic::error(
        e.rule,
        None,
        text!(
            "{a} 计算为 {lf} 元，{b} 为 {rf} 元：前者{zh}后者（地区样式的 [[equal]]）",
            "{a} computes to {lf} 元 and {b} to {rf} 元, but the profile's [[equal]] says left {sign} right"
        ),
    ));
}

/// Whether today's forms give `f`'s money a second time, with the
/// dimensions it lacks: a 经济分类 line's money is in the 项 lines too, and
/// a 项 line's 一般公共预算 基本支出 in the 经济分类 lines (R8 checks both
/// agree), so a pivot by 经济分类 alone reads it there.
fn covered_elsewhere(f: &crate::records::Fact, dims: &[crate::records::Dim]) -> bool {
    use crate::records::Dim;
    if f.record {
        return false;
    }
    let economic_only = dims
        .iter()
        .all(|d| matches!(d, Dim::Economic | Dim::Government));
    let basic = matches!(f.kind, Some(Kind::Basic | Kind::Personnel | Kind::Public));
    let general = matches!(f.source, Source::General | Source::CarryGeneral);
    f.function.is_none() || (economic_only && basic && general && !f.last_year)
}

/// Declared cells of a two-sided table: income items (column `income`),
/// 类 rows (the right-hand columns) and the total rows (both).
fn pair_cells(
    diags: &mut Diagnostics,
    table: &PairTable,
    units: (&TableSpec, Unit, Unit),
    declared: &DeclaredTable,
) -> Vec<Cell> {
    let exists = |r: &str| {
        table.income.iter().any(|i| i.key == r)
            || table.classes.iter().any(|c| c.code == r && !r.is_empty())
            || table.total(r).is_some()
    };
    cells(diags, units, declared, &exists, &["income"])
}

fn pair_rules(
    ck: &mut Checker,
    table: &PairTable,
    cells: &[Cell],
    rule: &'static str,
    items: usize,
) {
    let title = short_title(table.title);
    for c in cells {
        let (label, computed) = if let Some(t) = table.total(&c.row) {
            if c.col == INCOME_COL {
                (t.left, t.left_value)
            } else {
                (t.right, t.right_values[c.col])
            }
        } else if let Some(i) = table.income.iter().find(|i| i.key == c.row) {
            if c.col != INCOME_COL {
                ck.diags.push(Diagnostic::error(
                    "declared",
                    Some(c.span.clone()),
                    {
                        let (id, row) = (table.id, &c.row);
                        text!(
                            "[declared.{id}] 行 \"{row}\" 是收入项：请写成 income = …",
                            "[declared.{id}] row \"{row}\" is an income item: give its amount as income = …"
                        )
                    },
                ));
                continue;
            }
            (i.label, i.value)
        } else {
            let class = table
                .classes
                .iter()
                .find(|k| k.code == c.row)
                .expect("checked");
            if c.col == INCOME_COL {
                ck.diags
                    .push(Diagnostic::error("declared", Some(c.span.clone()), {
                        let (id, row) = (table.id, &c.row);
                        text!(
                            "[declared.{id}] 行 \"{row}\" 是支出的类：它没有收入",
                            "[declared.{id}] row \"{row}\" is a 类 of spending: it has no income"
                        )
                    }));
                continue;
            }
            (class.name.as_str(), class.values[c.col])
        };
        let what = if table.spec.columns.len() > 1 && c.col != INCOME_COL {
            format!("{title} {label} {}", table.spec.columns[c.col].label())
        } else {
            format!("{title} {label}")
        };
        let agrees = ck.equal(
            rule,
            Some(c.span.clone()),
            text!("{what}：申报", "{what}"),
            c.value,
            text!("计算", "the computed figure is"),
            computed * c.factor,
            items,
        );
        ck.print(agrees, table.id, table.spec, c);
    }
    // The table's identity on declared rows (合计 = Σ funds).
    let rows: std::collections::BTreeSet<&String> = cells.iter().map(|c| &c.row).collect();
    for row in rows {
        for (i, column) in table.spec.columns.iter().enumerate() {
            let Measure::Sum(parts) = &column.measure else {
                continue;
            };
            let Some(total) = cell(cells, row, i) else {
                continue;
            };
            let idx: Vec<usize> = parts.iter().filter_map(|p| table.spec.column(p)).collect();
            let declared: Vec<Decimal> = idx
                .iter()
                .filter_map(|j| cell(cells, row, *j).map(|c| c.value))
                .collect();
            if declared.len() == idx.len() {
                let header = column.label();
                let parts = idx
                    .iter()
                    .map(|j| table.spec.columns[*j].label())
                    .collect::<Vec<_>>()
                    .join(" + ");
                ck.equal(
                    table.spec.identity_rule.as_str(),
                    Some(total.span.clone()),
                    text!(
                        "{title} {row} 行 {header}：申报",
                        "{title} row {row} {header} (declared)"
                    ),
                    total.value,
                    text!("{parts} 之和", "{parts} sum to"),
                    declared.iter().sum(),
                    idx.len(),
                );
            }
        }
    }
}

/// How a computed figure is named in a mismatch: the file's lines it sums
/// (amounts in 元 by place and source), each at its line, so that a figure
/// mistyped on a line is found there; "its items" when it sums none or many.
fn lines_relation(
    ck: &mut Checker,
    lines: &BTreeMap<(usize, Source), Decimal>,
    unit: crate::domain::Unit,
    factor: Decimal,
) -> crate::diag::Text {
    if lines.is_empty() || lines.len() > 6 {
        return text!("各项合计", "its items sum to");
    }
    ck.related = lines.keys().map(|(at, _)| *at..*at + 1).collect();
    let parts: Vec<(String, String)> = lines
        .iter()
        .map(|((at, source), v)| {
            let v = unit.from_yuan(*v) * factor;
            let (n, _) = ck.line_col(*at);
            let (src, v) = (source.label(), fmt(v, ck.decimals));
            (
                format!("{src} {v}（第 {n} 行）"),
                format!("{src} {v} (line {n})"),
            )
        })
        .collect();
    let zh = parts
        .iter()
        .map(|p| p.0.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let en = parts
        .iter()
        .map(|p| p.1.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    text!("文件中的行 {zh}，合计", "the file's lines {en} sum to")
}

fn sangong_rules(ck: &mut Checker, budget: &Budget, table: &SangongTable, cells: &[Cell]) {
    for c in cells {
        let key = if c.row.is_empty() {
            "合计"
        } else {
            c.row.as_str()
        };
        let r = table.row(key).expect("checked");
        let what = format!(
            "三公经费表 {}",
            cell_label(&r.label, &table.spec.columns[c.col].label())
        );
        let rule = if r.level == 1 && (key == "vehicle" || key == "abroad") {
            "R11"
        } else {
            "R10"
        };
        // The file's 三公 lines this figure sums, named at their places.
        let mut lines: BTreeMap<(usize, Source), Decimal> = BTreeMap::new();
        for f in budget.details.iter().filter(
            |f| matches!(&f.detail, Some(crate::records::Detail::Sangong(k)) if r.keys.contains(k)),
        ) {
            let v = crate::compute::fact_value(table.spec, c.col, f);
            if !v.is_zero() {
                *lines.entry((f.span.start, f.source)).or_default() += v;
            }
        }
        let relation = lines_relation(ck, &lines, table.unit, c.factor);
        let agrees = ck.equal(
            rule,
            Some(c.span.clone()),
            text!("{what}：申报", "{what}"),
            c.value,
            relation,
            r.values[c.col] * c.factor,
            r.leaves,
        );
        ck.print(agrees, table.id, table.spec, c);
    }
}

fn short_title(title: &str) -> &str {
    let t = title
        .strip_prefix("部门预算")
        .or_else(|| title.strip_prefix("部门"))
        .unwrap_or(title);
    t.strip_prefix("一般公共预算财政拨款").map_or(t, |rest| {
        if rest == "基本支出表" {
            "基本支出表"
        } else {
            t
        }
    })
}

/// A row's label and a column's header, without "合计 合计" for the 合计 column of the 合计 row.
fn cell_label(row: &str, header: &str) -> String {
    if row.trim() == header {
        row.to_string()
    } else {
        format!("{row} {header}")
    }
}

/// How a message names row `code` of `table`: 类/款/项 by the code's length
/// in a classification's table, 第 N 行 of a list, the dimension's name
/// before the key in a table by 单位, 项目, 品目 or 项目类别.
fn row_name(table: &TreeTable, code: &str) -> String {
    use crate::tables::Shape;
    match &table.spec.shape {
        _ if is_total(code) => row_label(0, code),
        Shape::List => format!(" 第 {code} 行"),
        Shape::Pivot(d) if d.is_flat() => format!(" {} {code}", d.label()),
        Shape::Cross(_) => format!(" {code}"),
        _ => {
            let level = match code.len() {
                3 => 1,
                5 => 2,
                _ => 3,
            };
            row_label(level, code)
        }
    }
}

fn row_label(level: u8, code: &str) -> String {
    match level {
        0 => " 合计".to_string(),
        1 => format!(" 类 {code}"),
        2 => format!(" 款 {code}"),
        _ => format!(" 项 {code}"),
    }
}
