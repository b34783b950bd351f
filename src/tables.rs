//! What each table *is*: its id, number, title, columns (key, header,
//! meaning) and the identities between its cells — read from a profile's
//! `[[tables]]` (see [`crate::profile`]); no table is defined in Rust.
//!
//! Everything else derives from these specifications: [`crate::compute`]
//! sums the leaves column by column, the `[declared.<id>]` keys are the column
//! keys, [`crate::reconcile`] checks every `Sum` column as an identity of its
//! table, and the templates receive the column heads with the computed rows.

use serde::Serialize;

use crate::domain::{Kind, Source};

/// What a column of a table sums.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// The money of 功能分类 lines whose source is in `.0` and kind in `.1`.
    Lines(Vec<Source>, Vec<Kind>),
    /// 基本支出 经济分类 lines: 人员经费 (`Some(true)`), 公用经费 (`Some(false)`) or both.
    Economic(Option<bool>),
    /// The sum of the named columns of the same row: an identity of the table.
    Sum(Vec<String>),
    /// `.0 − .1` of the same row (本年 − 上年): derived, never summed.
    Change(String, String),
    /// `(.0 − .1) ÷ .1 × 100` of the same row, in %, 2 decimals; blank when
    /// `.1` is zero (no percentage from nothing): derived, never summed.
    Percent(String, String),
    /// A list table's amount as typed on each of its rows (`[[list.<id>]]`).
    Typed,
    /// A list table's text cell (a name, a category): printed, never summed.
    Text,
    /// This year's 三公 items `.0` (keys of the 三公 table's rows: `abroad`
    /// counts its two 其中, `vehicle` its purchase and operation, `小计` all
    /// six) of the funds `.1`: a 三公 table by 单位 made of the 单位 totals
    /// its file declares, whose 合计 is the ledger's 三公.
    Sangong(Vec<String>, Vec<Source>),
}

impl Measure {
    /// Whether the column is derived from others of its row after the rows
    /// are summed (a change or a percentage), not added up itself.
    pub fn derived(&self) -> bool {
        matches!(self, Measure::Change(..) | Measure::Percent(..))
    }

    /// Whether the column holds text rather than an amount.
    pub fn is_text(&self) -> bool {
        matches!(self, Measure::Text)
    }
}

/// One amount column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Key in `[declared.<table>]` rows and in the template's `cells`.
    pub key: String,
    /// Header as printed.
    pub header: String,
    /// The header spanning this column with its neighbours (`本年收入`), if any.
    pub group: Option<String>,
    /// What the column sums.
    pub measure: Measure,
    /// The flow it counts (spending, or a 决算's income and balances).
    pub flow: crate::records::Flow,
    /// Whether it counts the year's budget (年初预算数) of a 决算.
    pub budgeted: bool,
}

impl Column {
    /// Its name in messages: a header that names no money of its own (小计,
    /// 合计) with the group it stands under (`上年结转结余小计`), so two 小计
    /// columns are never both "小计".
    pub fn label(&self) -> String {
        match &self.group {
            Some(g) if ["小计", "合计", "计"].contains(&self.header.trim()) => {
                format!("{g}{}", self.header)
            }
            _ => self.header.clone(),
        }
    }
}

/// One income item of a two-sided table (收支总表, 财政拨款收支总表).
#[derive(Debug, Clone, PartialEq)]
pub struct IncomeItem {
    /// Key in `[declared.<table>]` (column `income`).
    pub key: String,
    /// Label without its ordinal (templates number the items).
    pub label: String,
    /// 1: a heading item (`一、`), 2: an item under the heading before it (`1.`).
    pub level: u8,
    /// The sources whose money the item counts.
    pub sources: Vec<Source>,
}

/// How a table's rows are made.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The 功能分类 tree 类 → 款 → 项 over the lines whose source is listed.
    Function(Vec<Source>),
    /// The 经济分类 tree 类 → 款 over the basic-expenditure lines.
    Economic,
    /// Income items left, every 功能分类 类 right (with the columns), then totals.
    Pair(Vec<IncomeItem>),
    /// The "三公" table: fixed rows (and a region's extra rows) by fund.
    Sangong,
    /// The facts grouped by one dimension (its 类/款/项 tree for the
    /// classifications, one row per value for 单位 and 项目); columns filter
    /// the facts by source and kind (see [`crate::facts`]).
    Pivot(crate::records::Dim),
    /// The facts grouped by several dimensions at once (`by = ["function",
    /// "government", "economic"]`): one flat row per combination, in code
    /// order, as a 支出总表 keyed by 功能项 | 政府经济 | 部门经济 prints them.
    Cross(Vec<crate::records::Dim>),
    /// Rows typed in the budget file under `[[list.<id>]]`, in file order (a
    /// table no classification makes: 政府购买服务明细, 政府采购 by category);
    /// its amount columns are summed into the 合计 row, its sums checked.
    List,
}

/// One table, defined once.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    /// Stable id: the template's file name, the `[declared.<id>]` and `[notes]` key.
    pub id: String,
    /// Number in the document.
    pub number: u8,
    /// Title without the year (a profile's template may add it).
    pub title: String,
    /// How the rows are made.
    pub shape: Shape,
    /// The amount columns, in printing order.
    pub columns: Vec<Column>,
    /// The rule id under which the `Sum` columns are checked (R3, R4, R6, R9, R10).
    pub identity_rule: String,
    /// Whether all the money of its rows must show in its columns; money of a
    /// source or kind without a column is an error instead of a silent loss.
    pub complete: bool,
    /// The note printed under the table when it is empty and the file gives none.
    pub empty_note: Option<String>,
    /// For a two-sided table: the 功能分类 类 its spending side lists, in
    /// order, even when empty (a region's list); `None`: the catalogue's.
    pub classes: Option<Vec<String>>,
    /// How zero prints in this table, over the document's style.
    pub zero: Option<&'static str>,
    /// Whether the document prints it: a statutory table a region's document
    /// leaves out is still computed and checked, never printed.
    pub printed: bool,
    /// A 三公 table printed transposed: its items across, a row per column.
    pub transpose: bool,
}

impl TableSpec {
    /// The column with `key`, or with `key` as its header; on a two-sided
    /// table `total` and `expenditure` both name its first spending column
    /// (one vocabulary: 收支总表 calls it `expenditure`, 财政拨款收支总表 `total`).
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.key == key)
            .or_else(|| self.columns.iter().position(|c| c.header == key))
            .or_else(|| {
                (matches!(self.shape, Shape::Pair(_)) && matches!(key, "total" | "expenditure"))
                    .then_some(0)
            })
    }

    /// The keys of the columns, for messages.
    pub fn keys(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.key.as_str()).collect()
    }

    /// Whether `key` can name a row of this table, judged from its shape
    /// alone: a row made from the file's data (a code, a unit) passes when
    /// it has that row's form. `Err` describes the keys that can.
    pub fn row_key(&self, key: &str) -> Result<(), crate::diag::Text> {
        use crate::diag::Text;
        use crate::records::Dim;
        let total = matches!(key, "合计" | "total");
        let digits = |lengths: &[usize]| {
            key.chars().all(|c| c.is_ascii_digit()) && lengths.contains(&key.chars().count())
        };
        let (ok, valid) = match &self.shape {
            Shape::Function(_) | Shape::Pivot(Dim::Function) => (
                total || digits(&[3, 5, 7]),
                Text::new(
                    "合计，或 3、5、7 位的功能分类代码",
                    "合计, or a 功能分类 code of 3, 5 or 7 digits",
                ),
            ),
            Shape::Economic | Shape::Pivot(Dim::Economic | Dim::Government) => (
                total || digits(&[3, 5]),
                Text::new(
                    "合计，或 3、5 位的经济分类代码",
                    "合计, or an 经济分类 code of 3 or 5 digits",
                ),
            ),
            Shape::Pivot(_) => (
                total || (!key.trim().is_empty() && !key.contains('|')),
                Text::new(
                    "合计，或单位、项目、品目、类别的代码",
                    "合计, or a unit's, project's, 品目's or 类别's code",
                ),
            ),
            Shape::Cross(dims) => (
                total || {
                    let parts: Vec<&str> = key.split('|').collect();
                    parts.len() == dims.len() && parts.iter().all(|p| !p.trim().is_empty())
                },
                {
                    let n = dims.len();
                    crate::text!(
                        "合计，或以 | 连接的 {n} 个代码",
                        "合计, or {n} codes joined by |"
                    )
                },
            ),
            Shape::Pair(items) => {
                let mut valid: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
                valid.extend(PAIR_TOTALS);
                (valid.contains(&key) || digits(&[3]), {
                    let valid = valid.join("、");
                    crate::text!(
                        "{valid}，或 3 位的功能分类类代码",
                        "{valid}, or a 功能分类 类 code of 3 digits"
                    )
                })
            }
            Shape::Sangong => (total || SANGONG_ROWS.contains(&key), {
                let valid = SANGONG_ROWS.join("、");
                crate::text!("合计、{valid}", "合计, {valid}")
            }),
            Shape::List => (total, Text::new("合计", "合计")),
        };
        if ok { Ok(()) } else { Err(valid) }
    }
}

/// The total rows of a two-sided table, by key.
pub const PAIR_TOTALS: [&str; 3] = ["本年合计", "结转结余", "总计"];

/// The fixed rows of the "三公" table, by key (a region's extra rows are
/// named by the file).
pub const SANGONG_ROWS: [&str; 8] = [
    "小计",
    "abroad",
    "abroad_research",
    "abroad_other",
    "vehicle",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
];

/// Whether 三公 item `key` (a column's, one of [`SANGONG_ROWS`]) counts the
/// ledger's 三公 detail `detail` (`abroad_other`, `reception`, …).
pub fn sangong_counts(key: &str, detail: &str) -> bool {
    match key {
        "小计" => SANGONG_ROWS[1..].contains(&detail),
        "abroad" => detail.starts_with("abroad"),
        "vehicle" => detail.starts_with("vehicle"),
        k => k == detail,
    }
}

/// A column head as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnHead {
    /// Column key.
    pub key: String,
    /// Header.
    pub header: String,
    /// Spanning header, if any.
    pub group: Option<String>,
    /// Whether it is a text column (a list table's names), not an amount.
    pub text: bool,
}

impl From<&Column> for ColumnHead {
    fn from(c: &Column) -> Self {
        ColumnHead {
            key: c.key.clone(),
            header: c.header.clone(),
            group: c.group.clone(),
            text: c.measure.is_text(),
        }
    }
}
