//! What each table *is*, defined once: its id, number, title, columns (key,
//! header, meaning) and the identities between its cells.
//!
//! Everything else derives from these specifications: [`crate::compute`]
//! sums the leaves column by column, the `[declared.<id>]` keys are the column
//! keys, [`crate::reconcile`] checks every `Sum` column as an identity of its
//! table, and the templates receive the column heads with the computed rows.
//! Adding a column is one [`Column`] entry (plus its place in a template);
//! adding a table is one [`TableSpec`] entry plus a template.

use serde::Serialize;

use crate::domain::{Kind, Source};

/// What a column of a table sums.
#[derive(Debug, Clone, Copy)]
pub enum Measure {
    /// The money of 功能分类 lines whose source is in `.0` and kind in `.1`.
    Lines(&'static [Source], &'static [Kind]),
    /// 基本支出 经济分类 lines: 人员经费 (`Some(true)`), 公用经费 (`Some(false)`) or both.
    Economic(Option<bool>),
    /// The sum of the named columns of the same row: an identity of the table.
    Sum(&'static [&'static str]),
}

/// One amount column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Key in `[declared.<table>]` rows and in the template's `cells`.
    pub key: &'static str,
    /// Header as printed.
    pub header: &'static str,
    /// The header spanning this column with its neighbours (`本年收入`), if any.
    pub group: Option<&'static str>,
    /// What the column sums.
    pub measure: Measure,
}

/// One income item of a two-sided table (收支总表, 财政拨款收支总表).
#[derive(Debug, Clone, Copy)]
pub struct IncomeItem {
    /// Key in `[declared.<table>]` (column `income`).
    pub key: &'static str,
    /// Label without its ordinal (templates number the items).
    pub label: &'static str,
    /// 1: a heading item (`一、`), 2: an item under the heading before it (`1.`).
    pub level: u8,
    /// The sources whose money the item counts.
    pub sources: &'static [Source],
}

/// How a table's rows are made.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// The 功能分类 tree 类 → 款 → 项 over the lines whose source is listed.
    Function(&'static [Source]),
    /// The 经济分类 tree 类 → 款 over the basic-expenditure lines.
    Economic,
    /// Income items left, every 功能分类 类 right (with the columns), then totals.
    Pair(&'static [IncomeItem]),
    /// The "三公" table: fixed rows (and a region's extra rows) by fund.
    Sangong,
}

/// One table, defined once.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// Stable id: the template's file name, the `[declared.<id>]` and `[notes]` key.
    pub id: &'static str,
    /// Number in the document (1–9).
    pub number: u8,
    /// Title without the year (a profile's template may add it).
    pub title: &'static str,
    /// How the rows are made.
    pub shape: Shape,
    /// The amount columns, in printing order.
    pub columns: &'static [Column],
    /// The rule id under which the `Sum` columns are checked (R3, R4, R6, R9, R10).
    pub identity_rule: &'static str,
    /// Whether all the money of its rows must show in its columns; money of a
    /// source or kind without a column is an error instead of a silent loss.
    pub complete: bool,
    /// The note printed under the table when it is empty and the file gives none.
    pub empty_note: Option<&'static str>,
}

impl TableSpec {
    /// The column with `key`, or with `key` as its header.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.key == key)
            .or_else(|| self.columns.iter().position(|c| c.header == key))
    }

    /// The keys of the columns, for messages.
    pub fn keys(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.key).collect()
    }
}

/// A column head as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnHead {
    /// Column key.
    pub key: &'static str,
    /// Header.
    pub header: &'static str,
    /// Spanning header, if any.
    pub group: Option<&'static str>,
}

impl From<&Column> for ColumnHead {
    fn from(c: &Column) -> Self {
        ColumnHead {
            key: c.key,
            header: c.header,
            group: c.group,
        }
    }
}

use Kind::{Basic, Operating, Project, ToSubsidiary, ToSuperior};
use Source::{
    Business, CarryFund, CarryGeneral, CarrySoe, Carryover, Fund, General, Other, Soe,
    SpecialAccount, Subsidiary, Superior,
};

const ALL_KINDS: &[Kind] = &[Basic, Project, Operating, ToSuperior, ToSubsidiary];
const ALL_SOURCES: &[Source] = Source::ALL;
const FISCAL: &[Source] = &[General, Fund, Soe];
/// Every carry-over: of no fund, or of one of the three.
const CARRIED: &[Source] = &[Carryover, CarryGeneral, CarryFund, CarrySoe];
/// Each fund with its carry-over: what its spending table and column hold.
const GENERAL_ALL: &[Source] = &[General, CarryGeneral];
const FUND_ALL: &[Source] = &[Fund, CarryFund];
const SOE_ALL: &[Source] = &[Soe, CarrySoe];

const fn col(key: &'static str, header: &'static str, measure: Measure) -> Column {
    Column {
        key,
        header,
        group: None,
        measure,
    }
}

const fn grouped(
    key: &'static str,
    header: &'static str,
    group: &'static str,
    measure: Measure,
) -> Column {
    Column {
        key,
        header,
        group: Some(group),
        measure,
    }
}

const fn item(
    key: &'static str,
    label: &'static str,
    level: u8,
    sources: &'static [Source],
) -> IncomeItem {
    IncomeItem {
        key,
        label,
        level,
        sources,
    }
}

const fn lines(sources: &'static [Source]) -> Measure {
    Measure::Lines(sources, ALL_KINDS)
}

const fn kind(k: &'static [Kind]) -> Measure {
    Measure::Lines(ALL_SOURCES, k)
}

/// Columns of a one-fund spending table (一般公共预算 / 政府性基金 / 国有资本经营).
const FUND_SPENDING: &[Column] = &[
    col("total", "合计", Measure::Sum(&["basic", "project"])),
    col("basic", "基本支出", Measure::Lines(ALL_SOURCES, &[Basic])),
    col(
        "project",
        "项目支出",
        Measure::Lines(ALL_SOURCES, &[Project]),
    ),
];

const BASIC_COLUMNS: &[Column] = &[
    col("total", "合计", Measure::Sum(&["personnel", "public"])),
    col("personnel", "人员经费", Measure::Economic(Some(true))),
    col("public", "公用经费", Measure::Economic(Some(false))),
];

/// The right side of 财政拨款收支总表 and the columns of the 三公 table.
const BY_FUND: &[Column] = &[
    col("total", "合计", Measure::Sum(&["general", "fund", "soe"])),
    col(
        "general",
        "一般公共预算财政拨款",
        Measure::Lines(GENERAL_ALL, ALL_KINDS),
    ),
    col(
        "fund",
        "政府性基金预算财政拨款",
        Measure::Lines(FUND_ALL, ALL_KINDS),
    ),
    col(
        "soe",
        "国有资本经营预算财政拨款",
        Measure::Lines(SOE_ALL, ALL_KINDS),
    ),
];

const SUMMARY_RIGHT: &[Column] = &[col("expenditure", "预算数", lines(ALL_SOURCES))];

const fn spending(
    id: &'static str,
    number: u8,
    title: &'static str,
    source: &'static [Source],
    empty_note: Option<&'static str>,
) -> TableSpec {
    TableSpec {
        id,
        number,
        title,
        shape: Shape::Function(source),
        columns: FUND_SPENDING,
        identity_rule: "R4",
        complete: false,
        empty_note,
    }
}

/// The nine tables as the national practice (and Hebei, seed 003) prints them.
pub const NATIONAL: &[TableSpec] = &[
    TableSpec {
        id: "summary",
        number: 1,
        title: "部门预算收支总表",
        shape: Shape::Pair(&[
            item("general", "一般公共预算拨款收入", 1, &[General]),
            item("fund", "政府性基金预算拨款收入", 1, &[Fund]),
            item("soe", "国有资本经营预算拨款收入", 1, &[Soe]),
            item(
                "special_account",
                "财政专户管理资金收入",
                1,
                &[SpecialAccount],
            ),
            item(
                "unit_funds",
                "单位资金",
                1,
                &[Business, Source::Operating, Superior, Subsidiary, Other],
            ),
        ]),
        columns: SUMMARY_RIGHT,
        identity_rule: "R1",
        complete: true,
        empty_note: None,
    },
    TableSpec {
        id: "income",
        number: 2,
        title: "部门预算收入总表",
        shape: Shape::Function(ALL_SOURCES),
        columns: &[
            col("total", "合计", Measure::Sum(&["subtotal", "carryover"])),
            grouped(
                "subtotal",
                "小计",
                "本年收入",
                Measure::Sum(&[
                    "fiscal",
                    "special_account",
                    "business",
                    "operating",
                    "superior",
                    "subsidiary",
                    "other",
                ]),
            ),
            grouped("fiscal", "财政拨款收入", "本年收入", lines(FISCAL)),
            grouped(
                "special_account",
                "财政专户收入",
                "本年收入",
                lines(&[SpecialAccount]),
            ),
            grouped("business", "事业收入", "本年收入", lines(&[Business])),
            grouped(
                "operating",
                "经营收入",
                "本年收入",
                lines(&[Source::Operating]),
            ),
            grouped("superior", "上级补助收入", "本年收入", lines(&[Superior])),
            grouped(
                "subsidiary",
                "附属单位上缴收入",
                "本年收入",
                lines(&[Subsidiary]),
            ),
            grouped("other", "其他收入", "本年收入", lines(&[Other])),
            col("carryover", "上年结转", lines(CARRIED)),
        ],
        identity_rule: "R3",
        complete: true,
        empty_note: None,
    },
    TableSpec {
        id: "expenditure",
        number: 3,
        title: "部门预算支出总表",
        shape: Shape::Function(ALL_SOURCES),
        columns: &[
            col(
                "total",
                "合计",
                Measure::Sum(&[
                    "basic",
                    "project",
                    "operating",
                    "to_superior",
                    "to_subsidiary",
                ]),
            ),
            col("basic", "基本支出", kind(&[Basic])),
            col("project", "项目支出", kind(&[Project])),
            col("operating", "经营支出", kind(&[Operating])),
            col("to_superior", "上解上级支出", kind(&[ToSuperior])),
            col("to_subsidiary", "对附属单位补助支出", kind(&[ToSubsidiary])),
        ],
        identity_rule: "R4",
        complete: true,
        empty_note: None,
    },
    TableSpec {
        id: "fiscal",
        number: 4,
        title: "部门预算财政拨款收支总表",
        shape: Shape::Pair(&[
            item("general", "一般公共预算拨款", 1, &[General]),
            item("fund", "政府性基金预算拨款", 1, &[Fund]),
            item("soe", "国有资本经营预算拨款", 1, &[Soe]),
        ]),
        columns: BY_FUND,
        identity_rule: "R6",
        complete: false,
        empty_note: None,
    },
    spending(
        "general",
        5,
        "部门预算一般公共预算财政拨款支出表",
        GENERAL_ALL,
        None,
    ),
    TableSpec {
        id: "basic",
        number: 6,
        title: "部门预算一般公共预算财政拨款基本支出表",
        shape: Shape::Economic,
        columns: BASIC_COLUMNS,
        identity_rule: "R9",
        complete: true,
        empty_note: None,
    },
    spending(
        "fund",
        7,
        "部门预算政府性基金预算财政拨款支出表",
        FUND_ALL,
        Some("注：无政府性基金预算财政拨款预算，空表列示。"),
    ),
    spending(
        "soe",
        8,
        "部门预算国有资本经营预算财政拨款支出表",
        SOE_ALL,
        Some("注：无国有资本经营预算财政拨款预算，空表列示。"),
    ),
    TableSpec {
        id: "sangong",
        number: 9,
        title: "部门预算财政拨款“三公”经费支出表",
        shape: Shape::Sangong,
        columns: BY_FUND,
        identity_rule: "R10",
        complete: true,
        empty_note: None,
    },
];

/// The nine tables as every Shanghai 区 department prints them (seed 005):
/// titles as published (the template adds the year), the five-column 收入总表,
/// 收支总表 income split as 财政拨款收入 (三 funds), 事业收入, 事业单位经营收入, 其他收入.
pub const SHANGHAI: &[TableSpec] = &[
    TableSpec {
        id: "summary",
        number: 1,
        title: "部门财务收支预算总表",
        shape: Shape::Pair(&[
            item("fiscal", "财政拨款收入", 1, FISCAL),
            item("general", "一般公共预算资金", 2, &[General]),
            item("fund", "政府性基金", 2, &[Fund]),
            item("soe", "国有资本经营预算", 2, &[Soe]),
            item("business", "事业收入", 1, &[Business]),
            item("operating", "事业单位经营收入", 1, &[Source::Operating]),
            item("other", "其他收入", 1, &[Other]),
        ]),
        columns: SUMMARY_RIGHT,
        identity_rule: "R1",
        complete: true,
        empty_note: None,
    },
    TableSpec {
        id: "income",
        number: 2,
        title: "部门收入预算总表",
        shape: Shape::Function(ALL_SOURCES),
        columns: &[
            col(
                "total",
                "合计",
                Measure::Sum(&["fiscal", "business", "operating", "other"]),
            ),
            col("fiscal", "财政拨款收入", lines(FISCAL)),
            col("business", "事业收入", lines(&[Business])),
            col("operating", "事业单位经营收入", lines(&[Source::Operating])),
            col("other", "其他收入", lines(&[Other])),
        ],
        identity_rule: "R3",
        complete: true,
        empty_note: None,
    },
    TableSpec {
        id: "expenditure",
        number: 3,
        title: "部门支出预算总表",
        shape: Shape::Function(ALL_SOURCES),
        columns: &[
            col("total", "合计", Measure::Sum(&["basic", "project"])),
            col("basic", "基本支出", kind(&[Basic])),
            col("project", "项目支出", kind(&[Project])),
        ],
        identity_rule: "R4",
        complete: true,
        empty_note: None,
    },
    TableSpec {
        id: "fiscal",
        number: 4,
        title: "部门财政拨款收支预算总表",
        shape: Shape::Pair(&[
            item("general", "一般公共预算资金", 1, &[General]),
            item("fund", "政府性基金", 1, &[Fund]),
            item("soe", "国有资本经营预算", 1, &[Soe]),
        ]),
        columns: &[
            col("total", "合计", Measure::Sum(&["general", "fund", "soe"])),
            col(
                "general",
                "一般公共预算",
                Measure::Lines(&[General], ALL_KINDS),
            ),
            col("fund", "政府性基金预算", Measure::Lines(&[Fund], ALL_KINDS)),
            col("soe", "国有资本经营预算", Measure::Lines(&[Soe], ALL_KINDS)),
        ],
        identity_rule: "R6",
        complete: false,
        empty_note: None,
    },
    spending(
        "general",
        5,
        "部门一般公共预算支出功能分类预算表",
        GENERAL_ALL,
        None,
    ),
    TableSpec {
        id: "basic",
        number: 8,
        title: "部门一般公共预算基本支出部门预算经济分类预算表",
        shape: Shape::Economic,
        columns: BASIC_COLUMNS,
        identity_rule: "R9",
        complete: true,
        empty_note: None,
    },
    spending(
        "fund",
        6,
        "部门政府性基金预算支出功能分类预算表",
        FUND_ALL,
        Some("注:本部门{year}年无政府性基金预算财政拨款安排的预算，故本表为空表。"),
    ),
    spending(
        "soe",
        7,
        "部门国有资本经营预算支出功能分类预算表",
        SOE_ALL,
        Some("注:本部门{year}年无国有资本经营预算财政拨款安排的预算，故本表为空表。"),
    ),
    TableSpec {
        id: "sangong",
        number: 9,
        title: "部门“三公”经费和机关运行经费预算表",
        shape: Shape::Sangong,
        columns: BY_FUND,
        identity_rule: "R10",
        complete: true,
        empty_note: None,
    },
];

/// The table ids, in the order of [`NATIONAL`] (every table set has the same ids).
pub fn ids() -> Vec<&'static str> {
    NATIONAL.iter().map(|t| t.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `Sum` names columns of its own table, and every set has the same ids.
    #[test]
    fn identities_name_existing_columns() {
        for set in [NATIONAL, SHANGHAI] {
            assert_eq!(set.iter().map(|t| t.id).collect::<Vec<_>>(), ids());
            for t in set {
                for c in t.columns {
                    if let Measure::Sum(parts) = c.measure {
                        for p in parts {
                            assert!(t.column(p).is_some(), "{} {} names {p}", t.id, c.key);
                        }
                    }
                }
            }
        }
    }
}
