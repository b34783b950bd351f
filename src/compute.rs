//! From a validated budget to the tables: every subtotal and total is derived
//! here from the leaves, column by column as [`crate::tables`] defines them,
//! exactly (no rounding: that is the printer's). Each table is computed in its
//! own printing unit.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::records::{Detail, Dim, Fact, Flow};
use crate::tables::{ColumnHead, IncomeItem, Measure, Shape, TableSpec};
use crate::validate::{Budget, DeclaredRow, Source, Unit};

/// One row of a classification tree table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// Code (empty for the 合计 row).
    pub code: String,
    /// Name.
    pub name: String,
    /// 0 for 合计, 1 for 类, 2 for 款, 3 for 项.
    pub level: u8,
    /// One value per column, in column order, in the table's unit.
    pub values: Vec<Decimal>,
    /// The same values by column key.
    pub cells: BTreeMap<&'static str, Decimal>,
    /// How many typed leaves this row sums (1 for a leaf).
    pub leaves: usize,
    /// The paired 政府经济分类 款 of an economic line, if the file gives it.
    pub government: Option<String>,
    /// Its name ([names]), when it has one.
    pub government_name: Option<String>,
    /// A cross table's row: each dimension's code and name, in `by` order
    /// (empty in other tables and in the 合计 row).
    pub parts: Vec<Part>,
    /// A list table's text cells by column key (empty elsewhere).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
}

impl Row {
    /// A row of `values` (in 元) with no 政府经济 pairing, parts or texts.
    fn plain(code: String, name: String, level: u8, values: Vec<Decimal>, leaves: usize) -> Row {
        Row {
            code,
            name,
            level,
            values,
            cells: BTreeMap::new(),
            leaves,
            government: None,
            government_name: None,
            parts: vec![],
            texts: BTreeMap::new(),
        }
    }
}

/// One dimension's code and name in a cross table's row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Part {
    /// Code ("2010801", "50101", "271001").
    pub code: String,
    /// Name ("行政运行").
    pub name: String,
}

/// A table whose rows are a classification tree (收入总表, 支出总表, the fund tables, 基本支出表).
#[derive(Debug, Clone, Serialize)]
pub struct TreeTable {
    /// How zero prints in this table when it says so itself (`zero = …`
    /// in its `[[tables]]`), over `report.style`.
    pub zero: Option<&'static str>,
    /// Stable id.
    pub id: &'static str,
    /// Table number.
    pub number: u8,
    /// Title (without the year).
    pub title: &'static str,
    /// Printing unit of the table.
    pub unit: Unit,
    /// The amount columns.
    pub columns: Vec<ColumnHead>,
    /// Rows: 合计 first, then the tree in code order.
    pub rows: Vec<Row>,
    /// Whether no line of the file falls in this table.
    pub empty: bool,
    /// Whether its rows are 经济分类 (else 功能分类).
    pub economic: bool,
    /// Whether its rows are typed in the file (`rows = "list"`).
    pub list: bool,
    /// Whether its rows are the 单位 totals the file declares (a table by
    /// 单位 where no amount names its 单位); its 合计 is the ledger's.
    pub declared_rows: bool,
    /// The head of its code and name columns (功能分类科目, 经济分类科目, 预算单位, 项目).
    pub code_head: &'static str,
    /// Note printed under the table.
    pub note: Option<String>,
    /// The definition.
    #[serde(skip)]
    pub spec: &'static TableSpec,
}

impl TreeTable {
    /// The row with `code` (`""`, `"合计"` or `"total"` for the total row).
    pub fn row(&self, code: &str) -> Option<&Row> {
        let code = if is_total(code) { "" } else { code };
        self.rows.iter().find(|r| r.code == code)
    }

    /// The 合计 row.
    pub fn total(&self) -> &Row {
        &self.rows[0]
    }
}

pub use crate::domain::is_total;

/// An income item of a two-sided table.
#[derive(Debug, Clone, Serialize)]
pub struct IncomeRow {
    /// Stable key.
    pub key: &'static str,
    /// Label without ordinal.
    pub label: &'static str,
    /// 1 heading, 2 item under the heading before it.
    pub level: u8,
    /// Amount in the table's unit.
    pub value: Decimal,
}

/// A 功能分类 类 row of a two-sided table.
#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    /// 类 code (empty for 人行科目).
    pub code: String,
    /// Name without ordinal.
    pub name: String,
    /// One value per column.
    pub values: Vec<Decimal>,
    /// Whether every value is zero.
    pub empty: bool,
}

/// A total row of a two-sided table.
#[derive(Debug, Clone, Serialize)]
pub struct TotalRow {
    /// `本年合计`, `结转结余` or `总计`.
    pub key: &'static str,
    /// Left label.
    pub left: &'static str,
    /// Left amount.
    pub left_value: Decimal,
    /// Right label.
    pub right: &'static str,
    /// Right amounts, one per column.
    pub right_values: Vec<Decimal>,
}

/// A two-sided table (收支总表, 财政拨款收支总表): income left, spending by 类 right.
#[derive(Debug, Clone, Serialize)]
pub struct PairTable {
    /// How zero prints in this table when it says so itself (`zero = …`
    /// in its `[[tables]]`), over `report.style`.
    pub zero: Option<&'static str>,
    /// Stable id.
    pub id: &'static str,
    /// Table number.
    pub number: u8,
    /// Title (without the year).
    pub title: &'static str,
    /// Printing unit.
    pub unit: Unit,
    /// Right-hand amount columns.
    pub columns: Vec<ColumnHead>,
    /// Income items in order.
    pub income: Vec<IncomeRow>,
    /// The same items' money carried over from last year (年初结转), where a fund has one.
    pub carried: Vec<IncomeRow>,
    /// Every catalogue 类 (and any other 类 of the file), in order.
    pub classes: Vec<ClassRow>,
    /// 本年合计, 结转结余, 总计.
    pub totals: Vec<TotalRow>,
    /// Note printed under the table.
    pub note: Option<String>,
    /// The definition.
    #[serde(skip)]
    pub spec: &'static TableSpec,
}

impl PairTable {
    /// The total row `key`.
    pub fn total(&self, key: &str) -> Option<&TotalRow> {
        self.totals.iter().find(|t| t.key == key)
    }
}

/// One row of the 三公 table.
#[derive(Debug, Clone, Serialize)]
pub struct SangongRow {
    /// Stable key for declared checks: `合计`, `小计`, `abroad`, … or the extra row's name.
    pub key: String,
    /// Label as printed (ordinals are the template's: see `level`).
    pub label: String,
    /// 0: 合计/小计 rows, 1: the items (一、…), 2: first 其中 row, 3: further 其中 rows.
    pub level: u8,
    /// One value per column.
    pub values: Vec<Decimal>,
    /// The same values by column key.
    pub cells: BTreeMap<&'static str, Decimal>,
    /// How many typed leaves the row sums.
    pub leaves: usize,
    /// The ledger's 三公 detail keys it sums (where its figures come from).
    #[serde(skip)]
    pub keys: Vec<String>,
}

/// The "三公" table.
#[derive(Debug, Clone, Serialize)]
pub struct SangongTable {
    /// How zero prints in this table when it says so itself (`zero = …`
    /// in its `[[tables]]`), over `report.style`.
    pub zero: Option<&'static str>,
    /// `sangong`.
    pub id: &'static str,
    /// Table number.
    pub number: u8,
    /// Title (without the year).
    pub title: &'static str,
    /// Printing unit.
    pub unit: Unit,
    /// Amount columns.
    pub columns: Vec<ColumnHead>,
    /// Rows.
    pub rows: Vec<SangongRow>,
    /// 机关运行经费, when the file gives it.
    pub running_costs: Option<Decimal>,
    /// Last year's figures, when the file gives them: by row key (abroad,
    /// vehicle, vehicle_purchase, vehicle_operation, reception, 小计) and
    /// running_costs, in the table's unit.
    pub last_year: BTreeMap<&'static str, Decimal>,
    /// Whether the file split 因公出国（境）费 into its two 其中 rows.
    pub abroad_split: bool,
    /// Note printed under the table.
    pub note: Option<String>,
    /// Printed with its items across and a row per column (`transpose = true`).
    pub transpose: bool,
    /// The definition.
    #[serde(skip)]
    pub spec: &'static TableSpec,
}

impl SangongTable {
    /// The row with key `key`.
    pub fn row(&self, key: &str) -> Option<&SangongRow> {
        let key = if is_total(key) { "合计" } else { key };
        self.rows.iter().find(|r| r.key == key)
    }
}

/// The nine tables.
#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    /// 1 收支总表.
    pub summary: PairTable,
    /// 2 收入总表.
    pub income: TreeTable,
    /// 3 支出总表.
    pub expenditure: TreeTable,
    /// 4 财政拨款收支总表.
    pub fiscal: PairTable,
    /// 5 一般公共预算财政拨款支出表.
    pub general: TreeTable,
    /// 6 一般公共预算财政拨款基本支出表.
    pub basic: TreeTable,
    /// 7 政府性基金预算财政拨款支出表.
    pub fund: TreeTable,
    /// 8 国有资本经营预算财政拨款支出表.
    pub soe: TreeTable,
    /// 9 "三公"经费 table.
    pub sangong: SangongTable,
    /// Tables a profile adds, by id (`report.tables[id]` in templates).
    #[serde(flatten)]
    pub added: BTreeMap<&'static str, TreeTable>,
    /// Every table id in document order (by number), for the entry template.
    pub order: Vec<&'static str>,
    /// How zero prints, by the id of each table that says so itself
    /// (`zero = …` in its `[[tables]]`); the others follow `report.style`.
    pub zeros: BTreeMap<&'static str, &'static str>,
}

impl Tables {
    /// The tree table `id`, to change.
    pub fn tree_mut(&mut self, id: &str) -> Option<&mut TreeTable> {
        Some(match id {
            "income" => &mut self.income,
            "expenditure" => &mut self.expenditure,
            "general" => &mut self.general,
            "basic" => &mut self.basic,
            "fund" => &mut self.fund,
            "soe" => &mut self.soe,
            _ => return self.added.get_mut(id),
        })
    }

    /// The tree tables: the statutory six in id order, then the added ones.
    pub fn trees(&self) -> Vec<&TreeTable> {
        let mut out = vec![
            &self.income,
            &self.expenditure,
            &self.general,
            &self.basic,
            &self.fund,
            &self.soe,
        ];
        out.extend(self.added.values());
        out
    }
}

/// A declared figure that prints in its cell instead of the computed sum:
/// the budget system's own rounding of exact 元, checked to agree within
/// its 尾差 (see [`print_declared`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    /// Table id.
    pub table: String,
    /// Row code ("" for 合计).
    pub row: String,
    /// Column key (`income` for a two-sided table's income side).
    pub column: String,
    /// The declared figure, in 元 (exact: declared in the table's own unit).
    pub yuan: Decimal,
}

/// The column index of a two-sided table's income side.
pub const INCOME_SIDE: usize = usize::MAX;

/// The index of column `key` of `spec` ([`INCOME_SIDE`] for `income` on a
/// table without a column of that name).
pub fn column_index(spec: &TableSpec, key: &str) -> Option<usize> {
    spec.column(key)
        .or_else(|| (key == "income").then_some(INCOME_SIDE))
}

/// Puts each agreeing declared figure in its cell (a tree row's derived
/// columns follow it). The sums were checked before, so no money moves:
/// each printed figure is within its 尾差 of the exact one.
pub fn print_declared(t: &mut Tables, printed: &[Printed]) {
    for p in printed {
        match p.table.as_str() {
            "summary" | "fiscal" => {
                let pair = if p.table == "summary" {
                    &mut t.summary
                } else {
                    &mut t.fiscal
                };
                print_pair(pair, p);
            }
            "sangong" => {
                let table = &mut t.sangong;
                let key = if is_total(&p.row) { "合计" } else { &p.row };
                let (col, value) = (table.spec.column(&p.column), table.unit.from_yuan(p.yuan));
                if let Some(r) = table.rows.iter_mut().find(|r| r.key == key)
                    && let Some(v) = col.and_then(|i| r.values.get_mut(i))
                {
                    *v = value;
                    r.cells = cells(table.spec, &r.values);
                }
            }
            id => {
                let Some(table) = t.tree_mut(id) else {
                    continue;
                };
                let spec = table.spec;
                let (col, value) = (spec.column(&p.column), table.unit.from_yuan(p.yuan));
                let row = table.rows.iter_mut().find(|r| {
                    if p.row.is_empty() {
                        r.level == 0
                    } else {
                        r.code == p.row
                    }
                });
                if let Some(r) = row
                    && let Some(v) = col.and_then(|i| r.values.get_mut(i))
                {
                    *v = value;
                    derive(spec, &mut r.values);
                    r.cells = cells(spec, &r.values);
                }
            }
        }
    }
}

/// A declared figure into its cell of a two-sided table: a total row (either
/// side), an income item or a 类 row.
fn print_pair(table: &mut PairTable, p: &Printed) {
    let Some(col) = column_index(table.spec, &p.column) else {
        return;
    };
    let value = table.unit.from_yuan(p.yuan);
    if let Some(total) = table.totals.iter_mut().find(|r| r.key == p.row) {
        match total.right_values.get_mut(col) {
            _ if col == INCOME_SIDE => total.left_value = value,
            Some(v) => *v = value,
            None => {}
        }
    } else if let Some(item) = table.income.iter_mut().find(|i| i.key == p.row) {
        if col == INCOME_SIDE {
            item.value = value;
        }
    } else if let Some(class) = table.classes.iter_mut().find(|k| k.code == p.row)
        && let Some(v) = class.values.get_mut(col)
    {
        *v = value;
    }
}

/// Computes the nine tables of `budget` as the table set `specs` defines them,
/// each in its unit from `units` (by table id; the department's unit otherwise).
pub fn compute(
    budget: &Budget,
    specs: &'static [TableSpec],
    units: &BTreeMap<String, Unit>,
) -> Tables {
    let spec = |id: &str| {
        specs
            .iter()
            .find(|s| s.id == id)
            .expect("every set has every id")
    };
    let unit = |id: &str| units.get(id).copied().unwrap_or(budget.department.unit);
    let tree = |id: &str| tree_table(budget, spec(id), unit(id));
    let pair = |id: &str| pair_table(budget, spec(id), unit(id));
    Tables {
        summary: pair("summary"),
        income: tree("income"),
        expenditure: tree("expenditure"),
        fiscal: pair("fiscal"),
        general: tree("general"),
        basic: tree("basic"),
        fund: tree("fund"),
        soe: tree("soe"),
        sangong: sangong_table(budget, spec("sangong"), unit("sangong")),
        added: specs
            .iter()
            .filter(|s| !crate::profile::REQUIRED.contains(&s.id.as_str()))
            .map(|s| (s.id.as_str(), tree_table(budget, s, unit(&s.id))))
            .collect(),
        order: specs
            .iter()
            .filter(|s| s.printed)
            .map(|s| s.id.as_str())
            .collect(),
        zeros: specs
            .iter()
            .filter_map(|s| Some((s.id.as_str(), s.zero?)))
            .collect(),
    }
}

fn note_of(budget: &Budget, spec: &TableSpec, empty: bool) -> Option<String> {
    budget.notes.get(&spec.id).cloned().or_else(|| {
        spec.empty_note
            .as_ref()
            .filter(|_| empty)
            .map(|n| n.replace("{year}", &budget.department.year.to_string()))
    })
}

/// The derived columns of a row (change, percentage) from its other
/// columns, in the printing unit.
pub fn derive(spec: &TableSpec, values: &mut [Decimal]) {
    for (i, c) in spec.columns.iter().enumerate() {
        let (Measure::Change(a, b) | Measure::Percent(a, b)) = &c.measure else {
            continue;
        };
        let (Some(a), Some(b)) = (spec.column(a), spec.column(b)) else {
            continue;
        };
        let (x, y) = (values[a], values[b]);
        values[i] = match c.measure {
            Measure::Change(..) => x - y,
            _ if y.is_zero() => Decimal::ZERO,
            _ => crate::domain::round((x - y) / y * Decimal::ONE_HUNDRED, 2),
        };
    }
}

fn cells(spec: &'static TableSpec, values: &[Decimal]) -> BTreeMap<&'static str, Decimal> {
    spec.columns
        .iter()
        .zip(values)
        .map(|(c, v)| (c.key.as_str(), *v))
        .collect()
}

fn add_into(acc: &mut [Decimal], v: &[Decimal]) {
    for (a, b) in acc.iter_mut().zip(v) {
        *a += *b;
    }
}

/// The value of column `i` for one fact, in 元: the one place an amount
/// meets a column.
pub fn fact_value(spec: &TableSpec, i: usize, f: &Fact) -> Decimal {
    let column = &spec.columns[i];
    let counts = column.flow == f.flow && column.budgeted == f.budgeted;
    match &column.measure {
        Measure::Lines(sources, kinds) if counts && f.matches(sources, kinds) => f.amount,
        Measure::Economic(part) => match (f.basic_economic(), part) {
            (Some(_), None) => f.amount,
            (Some(p), Some(want)) if p == *want => f.amount,
            _ => Decimal::ZERO,
        },
        Measure::Typed => match &f.detail {
            Some(Detail::List { column, .. }) if *column == spec.columns[i].key => f.amount,
            _ => Decimal::ZERO,
        },
        Measure::Sum(parts) => parts
            .iter()
            .filter_map(|p| spec.column(p))
            .map(|j| fact_value(spec, j, f))
            .sum(),
        Measure::Sangong(keys, sources) => match &f.detail {
            Some(Detail::Sangong(d))
                if !f.last_year
                    && !f.budgeted
                    && sources.contains(&f.source)
                    && keys.iter().any(|k| crate::tables::sangong_counts(k, d)) =>
            {
                f.amount
            }
            _ => Decimal::ZERO,
        },
        _ => Decimal::ZERO,
    }
}

/// Groups the ledger into rows: for each key `key` gives a fact (a fact
/// it gives none is not this grouping's), the sum of every column over
/// those facts, in 元. The one function that adds money into table rows.
pub fn group<K: Ord>(
    budget: &Budget,
    spec: &TableSpec,
    key: impl Fn(&Fact) -> Option<K>,
) -> BTreeMap<K, Vec<Decimal>> {
    group_facts(&budget.facts, spec, key)
}

/// [`group`] over the facts `facts` (the spending, or the details).
pub fn group_facts<K: Ord>(
    facts: &[Fact],
    spec: &TableSpec,
    key: impl Fn(&Fact) -> Option<K>,
) -> BTreeMap<K, Vec<Decimal>> {
    let n = spec.columns.len();
    let mut out: BTreeMap<K, Vec<Decimal>> = BTreeMap::new();
    for f in facts {
        let Some(k) = key(f) else { continue };
        let values = out.entry(k).or_insert_with(|| vec![Decimal::ZERO; n]);
        for (i, v) in values.iter_mut().enumerate() {
            *v += fact_value(spec, i, f);
        }
    }
    out
}

/// The name of a code of `dim`: the file's, else the catalogue's; a 单位 or
/// 项目 is its own name.
fn dim_name(budget: &Budget, dim: crate::records::Dim, code: &str) -> String {
    use crate::records::Dim;
    let own = || budget.names.get(code).cloned();
    match dim {
        Dim::Function => budget
            .lines
            .iter()
            .find(|l| l.code == code)
            .map(|l| l.name.clone())
            .or_else(own)
            .or_else(|| budget.catalogue.function_name(code)),
        Dim::Economic => budget
            .economic
            .iter()
            .find(|e| e.code == code)
            .map(|e| e.name.clone())
            .or_else(own)
            .or_else(|| budget.catalogue.economic_name(code)),
        Dim::Government => own(),
        // A 单位's name from [names] ("271001" = "…"), else its code.
        Dim::Unit => own().or_else(|| Some(code.to_string())),
        Dim::Project | Dim::Procurement | Dim::Category => Some(code.to_string()),
    }
    .unwrap_or_default()
}

/// The dimensions a tree table's rows are keyed by.
fn row_dims(shape: &Shape) -> Vec<Dim> {
    match shape {
        Shape::Function(_) => vec![Dim::Function],
        Shape::Economic => vec![Dim::Economic],
        Shape::Pivot(dim) => vec![*dim],
        Shape::Cross(dims) => dims.clone(),
        Shape::Pair(_) | Shape::Sangong | Shape::List => vec![],
    }
}

/// Leaves (codes by dimension, values in 元) of a tree table, merged by
/// their codes. A statutory 功能 table keeps a row for every 项 of its
/// sources (even one no column counts); a pivot, only rows with money.
fn tree_leaves(budget: &Budget, spec: &TableSpec) -> Vec<(Vec<String>, Vec<Decimal>)> {
    let dims = row_dims(&spec.shape);
    let codes = |f: &Fact| -> Option<Vec<String>> {
        dims.iter().map(|d| f.get(*d).map(str::to_string)).collect()
    };
    let leaves = match &spec.shape {
        Shape::Function(sources) => group(budget, spec, |f| {
            // A 决算's income, balances and budget figures make rows where
            // a column counts them.
            let counted = || (0..spec.columns.len()).any(|i| !fact_value(spec, i, f).is_zero());
            let other = (f.flow != Flow::Spending || f.budgeted) && f.function.is_some();
            (f.spending() || f.last_year || (other && counted()))
                .then_some(())
                .filter(|_| sources.contains(&f.source))
                .and_then(|_| codes(f))
        }),
        Shape::Economic => group(budget, spec, |f| f.basic_economic().and_then(|_| codes(f))),
        _ if dims.is_empty() => BTreeMap::new(),
        _ => {
            let mut all = group(budget, spec, codes);
            // A fact no column counts makes no row.
            all.retain(|_, v| v.iter().any(|x| !x.is_zero()));
            all
        }
    };
    leaves.into_iter().collect()
}

/// Builds 合计 + the tree (类 → 款 → 项, or 类 → 款) of a tree table.
fn tree_table(budget: &Budget, spec: &'static TableSpec, unit: Unit) -> TreeTable {
    if matches!(spec.shape, Shape::List) {
        return list_table(budget, spec, unit);
    }
    if let Some(declared) = unit_totals(budget, spec) {
        return declared_unit_table(budget, spec, unit, declared);
    }
    let leaves = tree_leaves(budget, spec);
    let flat = match &spec.shape {
        Shape::Pivot(d) => d.is_flat(),
        Shape::Cross(_) => true,
        _ => false,
    };
    let economic_rows = matches!(
        spec.shape,
        Shape::Economic | Shape::Pivot(Dim::Economic | Dim::Government)
    );
    let levels: &[usize] = match spec.shape {
        // 类 → 款, and → 项 when the file gives 7-digit economic lines.
        _ if economic_rows && leaves.iter().all(|(c, _)| c[0].len() <= 5) => &[3, 5],
        _ => &[3, 5, 7],
    };
    let dims = row_dims(&spec.shape);
    let n = spec.columns.len();
    let new_row = |code: String, name: String, level: u8| Row {
        code,
        name,
        level,
        values: vec![Decimal::ZERO; n],
        cells: BTreeMap::new(),
        leaves: 0,
        government: None,
        government_name: None,
        parts: vec![],
        texts: BTreeMap::new(),
    };
    let mut total = new_row(String::new(), "合计".into(), 0);
    // A BTreeMap over codes gives depth-first order: a parent's code is a
    // prefix of its children's.
    let mut rows: BTreeMap<Vec<String>, Row> = BTreeMap::new();
    for (codes, values) in &leaves {
        add_into(&mut total.values, values);
        total.leaves += 1;
        if flat {
            let row = rows.entry(codes.clone()).or_insert_with(|| {
                // The row's printed key; its codes stay apart in `parts`.
                let mut r = new_row(codes.join("|"), dim_name(budget, dims[0], &codes[0]), 1);
                if dims.len() > 1 {
                    r.parts = dims
                        .iter()
                        .zip(codes)
                        .map(|(d, c)| Part {
                            code: c.clone(),
                            name: dim_name(budget, *d, c),
                        })
                        .collect();
                }
                r
            });
            add_into(&mut row.values, values);
            row.leaves += 1;
            continue;
        }
        let code = &codes[0];
        for (depth, &len) in levels.iter().enumerate() {
            if len > code.len() {
                break; // a 款 line among 项 lines is a leaf one level up
            }
            let key = code[..len].to_string();
            let is_leaf = len == code.len();
            let row = rows.entry(vec![key.clone()]).or_insert_with(|| {
                let name = match spec.shape {
                    _ if is_leaf => dim_name(budget, dims[0], &key),
                    Shape::Pivot(dim) => dim_name(budget, dim, &key),
                    _ => budget.names.get(&key).cloned().unwrap_or_default(),
                };
                new_row(key, name, depth as u8 + 1)
            });
            add_into(&mut row.values, values);
            row.leaves += 1;
        }
    }
    let mut out = vec![total];
    out.extend(rows.into_values());
    let statutory_economic = matches!(spec.shape, Shape::Economic);
    for r in &mut out {
        finish_row(spec, unit, r);
        if (statutory_economic || matches!(spec.shape, Shape::Pivot(Dim::Economic))) && r.level > 0
        {
            // The 政府经济 款 of a 部门经济 row, when its amounts name one.
            let mut paired = budget
                .facts
                .iter()
                .filter(|f| f.economic.as_deref() == Some(r.code.as_str()))
                .filter(|f| !statutory_economic || f.basic_economic().is_some())
                .filter_map(|f| f.government.as_deref());
            if let Some(first) = paired.next()
                && paired.all(|g| g == first)
            {
                r.government = Some(first.to_string());
            }
        }
        r.government_name = r
            .government
            .as_ref()
            .and_then(|g| budget.names.get(g).cloned());
    }
    let empty = leaves.is_empty();
    TreeTable {
        id: &spec.id,
        number: spec.number,
        title: &spec.title,
        unit,
        columns: spec.columns.iter().map(ColumnHead::from).collect(),
        rows: out,
        empty,
        economic: economic_rows,
        list: false,
        declared_rows: false,
        code_head: match spec.shape {
            Shape::Pivot(Dim::Unit) => "预算单位",
            Shape::Pivot(Dim::Project) => "项目",
            Shape::Pivot(Dim::Procurement) => "政府采购品目",
            Shape::Pivot(Dim::Category) => "项目类别",
            Shape::Pivot(Dim::Government) => "政府预算支出经济分类科目",
            Shape::Cross(_) => "科目",
            _ if economic_rows => "经济分类科目",
            _ => "功能分类科目",
        },
        note: note_of(budget, spec, empty),
        zero: spec.zero,
        spec,
    }
}

/// The 单位 totals a file declares for `spec`, where they make its rows: a
/// table by 单位 when no amount names its 单位 (the split is not given).
pub fn unit_totals<'a>(budget: &'a Budget, spec: &TableSpec) -> Option<&'a [DeclaredRow]> {
    let by_unit = matches!(spec.shape, Shape::Pivot(Dim::Unit));
    let split = budget.facts.iter().any(|f| f.get(Dim::Unit).is_some());
    (by_unit && !split)
        .then(|| budget.declared_rows.get(&spec.id))
        .flatten()
        .map(Vec::as_slice)
}

/// A table by 单位 from the 单位 totals the file declares: its 合计 is the
/// ledger's (every amount its columns count), its rows the declared figures
/// (a column a row leaves out is zero); `reconcile::coverage` checks that
/// the rows add up to the 合计.
fn declared_unit_table(
    budget: &Budget,
    spec: &'static TableSpec,
    unit: Unit,
    declared: &[DeclaredRow],
) -> TreeTable {
    let n = spec.columns.len();
    // A sum column adds its parts (a declared one is compared with it).
    fn summed(spec: &TableSpec, i: usize, values: &[Decimal]) -> Decimal {
        match &spec.columns[i].measure {
            Measure::Sum(parts) => parts
                .iter()
                .filter_map(|p| spec.column(p))
                .map(|j| summed(spec, j, values))
                .sum(),
            _ => values[i],
        }
    }
    // The ledger's: spending for spending columns, the 三公 details for 三公 ones.
    let zeros = vec![Decimal::ZERO; n];
    let spending = group(budget, spec, |_| Some(()));
    let details = group_facts(&budget.details, spec, |_| Some(()));
    let total: Vec<Decimal> = (0..n)
        .map(|i| match spec.columns[i].measure {
            Measure::Sangong(..) => details.get(&()).unwrap_or(&zeros)[i],
            _ => spending.get(&()).unwrap_or(&zeros)[i],
        })
        .collect();
    let total = (0..n).map(|i| summed(spec, i, &total)).collect();
    let mut out = vec![Row::plain(
        String::new(),
        "合计".into(),
        0,
        total,
        declared.len(),
    )];
    for d in declared {
        let mut values = vec![Decimal::ZERO; n];
        for (key, yuan) in &d.yuan {
            if let Some(i) = spec.column(key)
                && !matches!(spec.columns[i].measure, Measure::Sum(_))
            {
                values[i] = *yuan;
            }
        }
        let values: Vec<Decimal> = (0..n).map(|i| summed(spec, i, &values)).collect();
        let name = dim_name(budget, Dim::Unit, &d.key);
        out.push(Row::plain(d.key.clone(), name, 1, values, 1));
    }
    made_table(budget, spec, unit, out, Made::DeclaredUnits)
}

/// A summed row (in 元) into the table's unit, with its derived columns
/// (change, percentage) and its cells by key.
fn finish_row(spec: &'static TableSpec, unit: Unit, r: &mut Row) {
    for v in &mut r.values {
        *v = unit.from_yuan(*v);
    }
    derive(spec, &mut r.values);
    r.cells = cells(spec, &r.values);
}

/// 合计, then the rows typed under `[[list.<id>]]` in file order.
fn list_table(budget: &Budget, spec: &'static TableSpec, unit: Unit) -> TreeTable {
    let typed = budget.lists.get(&spec.id).map_or(&[][..], Vec::as_slice);
    let n = spec.columns.len();
    let in_table = |f: &Fact| match &f.detail {
        Some(Detail::List { table, row, .. }) if *table == spec.id => Some(*row),
        _ => None,
    };
    let by_row = group_facts(&budget.details, spec, in_table);
    let zeros = vec![Decimal::ZERO; n];
    let all = group_facts(&budget.details, spec, |f| in_table(f).map(|_| ()));
    let total = all.get(&()).unwrap_or(&zeros).clone();
    let mut out = vec![Row::plain(
        String::new(),
        "合计".into(),
        0,
        total,
        typed.len(),
    )];
    for (k, r) in typed.iter().enumerate() {
        let values = by_row.get(&k).unwrap_or(&zeros).clone();
        let name = spec
            .columns
            .iter()
            .find(|c| c.measure.is_text())
            .and_then(|c| r.texts.get(&c.key).cloned())
            .unwrap_or_default();
        let mut row = Row::plain((k + 1).to_string(), name, 1, values, 1);
        row.texts = r.texts.clone();
        out.push(row);
    }
    made_table(budget, spec, unit, out, Made::List)
}

/// Where the rows of a table not made from a classification come from.
#[derive(PartialEq)]
enum Made {
    /// Typed under `[[list.<id>]]`.
    List,
    /// The 单位 totals under `[declared.<id>]`.
    DeclaredUnits,
}

/// A table of rows made one by one (a list, declared 单位 totals), each
/// finished in the table's unit.
fn made_table(
    budget: &Budget,
    spec: &'static TableSpec,
    unit: Unit,
    mut rows: Vec<Row>,
    made: Made,
) -> TreeTable {
    for r in &mut rows {
        finish_row(spec, unit, r);
    }
    let list = made == Made::List;
    let empty = list && rows.len() == 1;
    TreeTable {
        id: &spec.id,
        number: spec.number,
        title: &spec.title,
        unit,
        columns: spec.columns.iter().map(ColumnHead::from).collect(),
        rows,
        empty,
        economic: false,
        list,
        declared_rows: !list,
        code_head: if list { "序号" } else { "预算单位" },
        note: note_of(budget, spec, empty),
        zero: spec.zero,
        spec,
    }
}

/// Every 类 to print on the right of a two-sided table: the table's own list
/// (named from [names] or the catalogue) or the catalogue's, then any other
/// 类 of the file, so that no money disappears.
fn classes(budget: &Budget, own: Option<&[String]>) -> Vec<(String, String)> {
    let name = |code: &str| {
        budget
            .names
            .get(code)
            .cloned()
            .or_else(|| budget.catalogue.function_name(code))
            .unwrap_or_default()
    };
    let mut out: Vec<(String, String)> = match own {
        Some(list) => list.iter().map(|c| (c.clone(), name(c))).collect(),
        None => budget.catalogue.classes.clone(),
    };
    let mut extra: Vec<&str> = budget
        .facts
        .iter()
        .filter_map(|f| f.function.as_deref())
        .map(|c| &c[..3])
        .collect();
    extra.sort_unstable();
    extra.dedup();
    for code in extra {
        if !out.iter().any(|(c, _)| c == code) {
            let name = budget.names.get(code).cloned().unwrap_or_default();
            out.push((code.to_string(), name));
        }
    }
    out
}

/// This year's spending of the sources `keep` admits, in 元.
fn spent_from(budget: &Budget, keep: impl Fn(Source) -> bool) -> Decimal {
    budget
        .facts
        .iter()
        .filter(|f| f.spending() && keep(f.source))
        .map(|f| f.amount)
        .sum()
}

fn income_value(budget: &Budget, item: &IncomeItem) -> Decimal {
    spent_from(budget, |s| item.sources.contains(&s))
}

/// The 元 of one flow over the sources a filter admits.
type FlowTotal<'a> = &'a dyn Fn(Flow, &dyn Fn(Source) -> bool) -> Decimal;

/// The totals of a 决算's two-sided table: 本年收入合计 | 本年支出合计,
/// 使用非财政拨款结余 | 结余分配 (the 收支总表 only), 年初 | 年末结转和结余,
/// 总计 — each from its own facts (the 财政拨款 table's of the fiscal
/// sources; its closing balance by column).
fn final_totals(
    spec: &'static TableSpec,
    unit: Unit,
    this_year: Decimal,
    spent: &[Decimal],
    flow_of: FlowTotal,
) -> Vec<TotalRow> {
    let n = spec.columns.len();
    let scope = |s: Source| spec.complete || s.is_fiscal();
    // A flow's 元 under column `i` (a sum column: its parts').
    fn column_flow(
        spec: &TableSpec,
        i: usize,
        flow: Flow,
        flow_of: FlowTotal,
        scope: &dyn Fn(Source) -> bool,
    ) -> Decimal {
        match &spec.columns[i].measure {
            Measure::Lines(sources, _) => flow_of(flow, &|s| scope(s) && sources.contains(&s)),
            Measure::Sum(parts) => parts
                .iter()
                .filter_map(|p| spec.column(p))
                .map(|j| column_flow(spec, j, flow, flow_of, scope))
                .sum(),
            _ => Decimal::ZERO,
        }
    }
    let by_column = |flow: Flow| -> Vec<Decimal> {
        (0..n)
            .map(|i| unit.from_yuan(column_flow(spec, i, flow, flow_of, &scope)))
            .collect()
    };
    let opening = unit.from_yuan(flow_of(Flow::Opening, &scope));
    let used = unit.from_yuan(flow_of(Flow::UseOfBalance, &scope));
    let closing = by_column(Flow::Closing);
    let distributed = by_column(Flow::Distribution);
    let sum = |a: &[Decimal], b: &[Decimal], c: &[Decimal]| -> Vec<Decimal> {
        (0..n).map(|i| a[i] + b[i] + c[i]).collect()
    };
    let mut out = vec![TotalRow {
        key: "本年合计",
        left: "本年收入合计",
        left_value: this_year,
        right: "本年支出合计",
        right_values: spent.to_vec(),
    }];
    if spec.complete {
        out.push(TotalRow {
            key: "结余使用",
            left: "使用非财政拨款结余",
            left_value: used,
            right: "结余分配",
            right_values: distributed.clone(),
        });
    }
    let (left, right) = if spec.complete {
        ("年初结转和结余", "年末结转和结余")
    } else {
        ("年初财政拨款结转和结余", "年末财政拨款结转和结余")
    };
    out.push(TotalRow {
        key: "结转结余",
        left,
        left_value: opening,
        right,
        right_values: closing.clone(),
    });
    out.push(TotalRow {
        key: "总计",
        left: "总计",
        left_value: this_year + used + opening,
        right: "总计",
        right_values: sum(spent, &distributed, &closing),
    });
    out
}

fn pair_table(budget: &Budget, spec: &'static TableSpec, unit: Unit) -> PairTable {
    let Shape::Pair(items) = &spec.shape else {
        unreachable!("pair tables are defined with Shape::Pair")
    };
    let n = spec.columns.len();
    // The right side: the 功能 项 money by 类.
    let by_class = group(budget, spec, |f| {
        f.function.as_ref().map(|c| c[..3].to_string())
    });
    let in_unit =
        |v: &[Decimal]| -> Vec<Decimal> { v.iter().map(|x| unit.from_yuan(*x)).collect() };
    // A 决算's income is its own facts (本年收入); a budget's is its spending
    // by source.
    let flow_of = |flow: Flow, keep: &dyn Fn(Source) -> bool| -> Decimal {
        crate::records::total(&budget.facts, |f| {
            f.flow == flow && !f.budgeted && !f.last_year && keep(f.source)
        })
    };
    let income: Vec<IncomeRow> = items
        .iter()
        .map(|item| IncomeRow {
            key: &item.key,
            label: &item.label,
            level: item.level,
            value: unit.from_yuan(if budget.department.final_account {
                flow_of(Flow::Income, &|s| item.sources.contains(&s))
            } else {
                income_value(budget, item)
            }),
        })
        .collect();
    let classes = classes(budget, spec.classes.as_deref())
        .into_iter()
        .map(|(code, name)| {
            let values = match by_class.get(&code) {
                Some(v) => in_unit(v),
                None => vec![Decimal::ZERO; n],
            };
            let empty = values.iter().all(|v| v.is_zero());
            ClassRow {
                code,
                name,
                values,
                empty,
            }
        })
        .collect();
    let this_year: Decimal = income
        .iter()
        .filter(|i| i.level == 1)
        .map(|i| i.value)
        .sum();
    // 上年结转: every carry-over in the 收支总表, the funds' own in the 财政拨款 table.
    let carried_of =
        |keep: &dyn Fn(Source) -> bool| -> Decimal { unit.from_yuan(spent_from(budget, keep)) };
    // A carry-over an income item already counts (a region that prints each
    // fund's inside its row) is not counted again.
    let in_items = |s: Source| items.iter().any(|i| i.level == 1 && i.sources.contains(&s));
    let carry = if spec.complete {
        carried_of(&|s| s.is_carryover() && !in_items(s))
    } else {
        carried_of(&|s| s.is_carryover() && s.is_fiscal() && !in_items(s))
    };
    let carried = items
        .iter()
        .map(|item| IncomeRow {
            key: &item.key,
            label: &item.label,
            level: item.level,
            value: if budget.department.final_account {
                unit.from_yuan(flow_of(Flow::Opening, &|s| item.sources.contains(&s)))
            } else {
                carried_of(&|s| item.sources.iter().any(|i| i.carried() == Some(s)))
            },
        })
        .collect();
    let mut spent = vec![Decimal::ZERO; n];
    for v in by_class.values() {
        add_into(&mut spent, v);
    }
    let spent = in_unit(&spent);
    let totals = if budget.department.final_account {
        final_totals(spec, unit, this_year, &spent, &flow_of)
    } else {
        let (this_label, carry_left, carry_right) = if spec.complete {
            ("本年收入合计", "上年结转结余", "年终结转结余")
        } else {
            (
                "本年收入合计",
                "年初财政拨款结转和结余",
                "年末财政拨款结转和结余",
            )
        };
        let totals = vec![
            TotalRow {
                key: "本年合计",
                left: this_label,
                left_value: this_year,
                right: "本年支出合计",
                right_values: spent.clone(),
            },
            TotalRow {
                key: "结转结余",
                left: carry_left,
                left_value: carry,
                right: carry_right,
                right_values: vec![Decimal::ZERO; n],
            },
            TotalRow {
                key: "总计",
                left: "收入总计",
                left_value: this_year + carry,
                right: "支出总计",
                right_values: spent,
            },
        ];
        totals
    };
    PairTable {
        id: &spec.id,
        number: spec.number,
        title: &spec.title,
        unit,
        columns: spec.columns.iter().map(ColumnHead::from).collect(),
        income,
        carried,
        classes,
        totals,
        note: note_of(budget, spec, false),
        zero: spec.zero,
        spec,
    }
}

fn sangong_table(budget: &Budget, spec: &'static TableSpec, unit: Unit) -> SangongTable {
    let s = budget.sangong.clone().unwrap_or_default();
    let n = spec.columns.len();
    let zeros = vec![Decimal::ZERO; n];
    // Each leaf's columns in 元 (this year's, and last year's in a last-year
    // column): the ledger's 三公 details grouped.
    let leaf = |f: &Fact| match &f.detail {
        Some(Detail::Sangong(k)) => Some(k.clone()),
        _ => None,
    };
    let by_leaf = group_facts(&budget.details, spec, leaf);
    let sum_of = |keys: &[String]| -> Vec<Decimal> {
        let mut v = zeros.clone();
        for k in keys {
            if let Some(x) = by_leaf.get(k) {
                add_into(&mut v, x);
            }
        }
        v
    };
    let leaves = |key: &str| -> Vec<String> {
        crate::records::sangong_leaves(key)
            .into_iter()
            .map(String::from)
            .collect()
    };
    let abroad_split = !s.abroad_whole;
    let abroad_leaves = if abroad_split { 2 } else { 1 };
    // A region's row: its own amount, or its 其中 rows'.
    let extra_keys = |e: &crate::validate::SangongExtra| -> Vec<String> {
        if e.items.is_empty() {
            vec![e.name.clone()]
        } else {
            e.items.iter().map(|i| format!("{}/{i}", e.name)).collect()
        }
    };
    let mut rows = Vec::new();
    let mut row = |key: &str, label: &str, level: u8, keys: Vec<String>, leaves: usize| {
        let mut values = sum_of(&keys);
        for v in &mut values {
            *v = unit.from_yuan(*v);
        }
        derive(spec, &mut values);
        rows.push(SangongRow {
            key: key.into(),
            label: label.into(),
            level,
            cells: cells(spec, &values),
            values,
            leaves,
            keys,
        });
    };
    let mut all = leaves("小计");
    all.extend(s.extra.iter().flat_map(extra_keys));
    let subtotal_leaves = abroad_leaves + 3;
    let extra_leaves: usize = s.extra.iter().map(|e| e.items.len().max(1)).sum();
    row("合计", "合计", 0, all, subtotal_leaves + extra_leaves);
    row("小计", "“三公”经费小计", 0, leaves("小计"), subtotal_leaves);
    row(
        "abroad",
        "因公出国（境）费",
        1,
        leaves("abroad"),
        abroad_leaves,
    );
    if abroad_split {
        let research = leaves("abroad_research");
        row(
            "abroad_research",
            "教学科研人员因公出国（境）费",
            2,
            research,
            1,
        );
        row(
            "abroad_other",
            "其他因公出国（境）费",
            3,
            leaves("abroad_other"),
            1,
        );
    }
    row("vehicle", "公务用车购置及运维费", 1, leaves("vehicle"), 2);
    let purchase = leaves("vehicle_purchase");
    row("vehicle_purchase", "公务用车购置费", 2, purchase, 1);
    let operation = leaves("vehicle_operation");
    row("vehicle_operation", "公务用车运行维护费", 3, operation, 1);
    row("reception", "公务接待费", 1, leaves("reception"), 1);
    for e in &s.extra {
        let keys = extra_keys(e);
        row(&e.name, &e.name, 1, keys.clone(), e.items.len().max(1));
        for (j, (item, key)) in e.items.iter().zip(keys).enumerate() {
            row(&key, item, if j == 0 { 2 } else { 3 }, vec![key.clone()], 1);
        }
    }
    // 机关运行经费 and last year's figures: the ledger's, by leaf.
    let detail_total = |key: &str, last_year: bool| {
        crate::records::total(&budget.details, |f| {
            f.last_year == last_year
                && !f.budgeted
                && f.detail == Some(Detail::Sangong(key.to_string()))
        })
    };
    let given_last: Vec<&str> = budget
        .details
        .iter()
        .filter(|f| f.last_year)
        .filter_map(|f| match &f.detail {
            Some(Detail::Sangong(k)) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    let mut last_year: BTreeMap<&'static str, Decimal> = crate::records::SANGONG_LAST_YEAR
        .iter()
        .filter(|k| given_last.contains(k))
        .map(|k| (*k, unit.from_yuan(detail_total(k, true))))
        .collect();
    if !last_year.is_empty() {
        let get = |k: &str| last_year.get(k).copied().unwrap_or_default();
        let vehicle = get("vehicle_purchase") + get("vehicle_operation");
        let subtotal = get("abroad") + vehicle + get("reception");
        last_year.insert("vehicle", vehicle);
        last_year.insert("小计", subtotal);
    }
    SangongTable {
        id: &spec.id,
        number: spec.number,
        title: &spec.title,
        unit,
        columns: spec.columns.iter().map(ColumnHead::from).collect(),
        rows,
        running_costs: s
            .running_costs
            .then(|| unit.from_yuan(detail_total("running_costs", false))),
        last_year,
        abroad_split,
        note: note_of(budget, spec, false),
        zero: spec.zero,
        transpose: spec.transpose,
        spec,
    }
}
