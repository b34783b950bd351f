//! The input model: what one department's TOML file says, typed.
//!
//! The user types leaves only; every subtotal and total is derived in
//! [`crate::compute`]. Totals a budget system exports may be given under
//! `[declared.*]`; they are checked, never printed.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::text;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

/// An exact amount of money as typed in the file (in the file's input unit).
///
/// Accepts a TOML integer, float or string. A float is read back through its
/// shortest round-trip form, so `5464.38` is exactly 5464.38; amounts with more
/// than 15 significant digits must be written as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub Decimal);

/// The largest amount accepted (10^15, in any unit): sums of many lines stay far
/// from Decimal's limits, so no total can overflow.
const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = Self::deserialize_unchecked(d)?;
        if m.0.abs() > Decimal::from(MAX_AMOUNT) {
            let v = m.0;
            return Err(de::Error::custom(both(text!(
                "金额 {v} 过大（最大 10^15）",
                "amount {v} is too large (at most 10^15)"
            ))));
        }
        if m.0.normalize().scale() > MAX_PLACES {
            let v = m.0;
            return Err(de::Error::custom(both(text!(
                "金额 {v} 的小数多于 {MAX_PLACES} 位：预算金额最多写到 {MAX_PLACES} 位小数",
                "amount {v} has more than {MAX_PLACES} decimal places: budget amounts have at most {MAX_PLACES}"
            ))));
        }
        Ok(m)
    }
}

/// The most decimal places an amount is written with: tolerances of
/// `5 × 10^-(places+1)` and unit changes stay inside Decimal's 28 places.
const MAX_PLACES: u32 = 10;

impl Money {
    fn deserialize_unchecked<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount such as 5464.38 or \"5464.38\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
                // TOML float literal → exact Decimal, no arithmetic
                if !v.is_finite() {
                    return Err(E::custom(both(text!(
                        "金额必须是有限的数",
                        "an amount must be a finite number"
                    ))));
                }
                // Display of f64 is the shortest string that reads back to the
                // same float: for a literal of ≤15 significant digits, the literal.
                // Longer ones may have been changed by the float: refuse them.
                let text = format!("{v}");
                let significant = text
                    .trim_start_matches(['-', '0', '.'])
                    .chars()
                    .filter(char::is_ascii_digit)
                    .count();
                if significant > 15 {
                    return Err(E::custom(both(text!(
                        "金额 {text} 超过 15 位有效数字，读取后可能已不是所写的数；请写成字符串 \"…\"",
                        "amount {text} has more than 15 significant digits and may not be what was written; write it as a string, \"…\""
                    ))));
                }
                Decimal::from_str(&text)
                    .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
                    .map(Money)
                    .map_err(|_| {
                        E::custom(both(text!(
                            "金额 {v} 超出范围",
                            "amount {v} is out of range"
                        )))
                    })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                let t = v.trim();
                if !well_grouped(t) {
                    return Err(E::custom(both(text!(
                        "\"{v}\" 不是金额（千分位逗号只能隔开三位一组的数字：\"1,234,567.89\"）",
                        "\"{v}\" is not an amount (thousands separators only between groups of three digits: \"1,234,567.89\")"
                    ))));
                }
                Decimal::from_str(&t.replace(',', ""))
                    .map(Money)
                    .map_err(|_| {
                        E::custom(both(text!("\"{v}\" 不是金额", "\"{v}\" is not an amount")))
                    })
            }
        }
        d.deserialize_any(V)
    }
}

/// A message in both languages carried through serde's one string:
/// [`crate::load`] splits it again at [`BOTH`].
fn both(t: crate::diag::Text) -> String {
    format!("{}{BOTH}{}", t.zh, t.en)
}

/// Separates the Chinese and English parts of a custom serde message.
pub const BOTH: char = '\u{1e}';

/// Whether `t` is a number whose commas, if any, separate groups of three
/// digits: `1234.5`, `1,234.5`, `-12,345,678` — not `4,52.03`.
pub(crate) fn well_grouped(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let int = t.split_once('.').map_or(t, |(i, _)| i);
    if !int.contains(',') {
        return true;
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

/// Amounts split by fund, as the 三公 table and declared rows use them.
///
/// Written either as a plain number (all 一般公共预算) or as a table
/// `{ general = 1.0, fund = 2.0, soe = 0 }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundAmounts {
    /// 一般公共预算财政拨款.
    pub general: Decimal,
    /// 政府性基金预算拨款.
    pub fund: Decimal,
    /// 国有资本经营预算财政拨款.
    pub soe: Decimal,
}

impl<'de> Deserialize<'de> for FundAmounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Split {
            #[serde(default)]
            general: Money,
            #[serde(default)]
            fund: Money,
            #[serde(default)]
            soe: Money,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FundAmounts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an amount, or a table { general = …, fund = …, soe = … } of amounts by fund",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FundAmounts, E> {
                Money::deserialize(de::value::I64Deserializer::new(v)).map(FundAmounts::general)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FundAmounts, E> {
                Money::deserialize(de::value::U64Deserializer::new(v)).map(FundAmounts::general)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<FundAmounts, E> {
                Money::deserialize(de::value::F64Deserializer::new(v)).map(FundAmounts::general)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FundAmounts, E> {
                Money::deserialize(de::value::StrDeserializer::new(v)).map(FundAmounts::general)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<FundAmounts, A::Error> {
                let s = Split::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(FundAmounts {
                    general: s.general.0,
                    fund: s.fund.0,
                    soe: s.soe.0,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl FundAmounts {
    fn general(m: Money) -> FundAmounts {
        FundAmounts {
            general: m.0,
            ..FundAmounts::default()
        }
    }

    /// Whether any fund's amount is negative.
    pub fn has_negative(&self) -> bool {
        [self.general, self.fund, self.soe]
            .iter()
            .any(|v| v.is_sign_negative() && !v.is_zero())
    }
}

/// One department's budget file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetFile {
    /// Who and which year.
    pub department: Spanned<Department>,
    /// 功能分类 项-level lines, one per (code, source).
    #[serde(default)]
    pub expenditure: Vec<Spanned<FunctionLine>>,
    /// 一般公共预算基本支出 by 经济分类 款 (table 6).
    #[serde(default)]
    pub basic_economic: Vec<Spanned<EconomicLine>>,
    /// Budget-system detail: one record per amount with its dimensions
    /// (`[[fact]]`, what a 预算管理一体化 export holds).
    #[serde(default)]
    pub fact: Vec<Spanned<FactRow>>,
    /// The 三公 amounts (table 9).
    pub sangong: Option<Spanned<Sangong>>,
    /// Totals as a budget system exports them; checked against the computed ones.
    #[serde(default)]
    pub declared: Declared,
    /// Per-table notes printed under a table, keyed by table id (`fund`, `soe`, …).
    #[serde(default)]
    pub notes: BTreeMap<String, Spanned<String>>,
    /// Names for 类 and 款 codes the catalogue lacks or names differently.
    #[serde(default)]
    pub names: BTreeMap<String, Spanned<String>>,
    /// How the project performance tables print.
    #[serde(default)]
    pub projects: ProjectsConfig,
    /// 资金使用单位 with their declared subtotals (list layout).
    #[serde(default)]
    pub units: Vec<Spanned<UnitDecl>>,
    /// Spending projects with their performance targets.
    #[serde(default)]
    pub project: Vec<Spanned<Project>>,
    /// The document's text sections (情况说明, 名词解释, …), in order.
    #[serde(default)]
    pub section: Vec<Spanned<Section>>,
    /// Last year's figures the narrative compares with (比上年).
    pub last_year: Option<Spanned<LastYear>>,
    /// In a 部门决算: the year's 部门预算 file, whose figures are the
    /// 年初预算数 beside the final ones.
    pub budget: Option<Spanned<BudgetFrom>>,
    /// 政府采购 items (the 部门政府采购预算 table and its paragraph).
    #[serde(default)]
    pub procurement: Vec<Spanned<Purchase>>,
    /// 国有资产: the fixed assets held (the 部门固定资产占用情况表).
    pub assets: Option<Spanned<Assets>>,
    /// The rows of the profile's `rows = "list"` tables, by table id
    /// (`[[list.services]]`): each a map from column key to a text or amount.
    #[serde(default)]
    pub list: BTreeMap<String, Vec<Spanned<ListRowCells>>>,
}

/// One typed row of a list table: its cells by column key.
pub type ListRowCells = BTreeMap<String, Spanned<ListCell>>;

/// One cell of a list table's row: an amount (a TOML number) or a text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ListCell {
    /// A number: an amount in the file's unit.
    Amount(Money),
    /// A string: a text cell, or an amount written as a string.
    Text(String),
}

/// One section of the document's text: a title, and hand-written text, a
/// generated paragraph, or a small table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The heading, as printed (`一、部门职责及机构设置情况`); a PDF bookmark.
    pub title: String,
    /// `back` (after the tables, the default), `front` (before them) or
    /// `end` (after the project tables).
    #[serde(default)]
    pub place: Option<Spanned<String>>,
    /// Hand-written text: paragraphs separated by blank lines. Its figures,
    /// years and names are checked against the tables (rule R13).
    #[serde(default)]
    pub text: Option<Spanned<String>>,
    /// A paragraph written from the figures instead: `overview`, `lines`,
    /// `running_costs`, `sangong`, `procurement`, `assets`, `projects`,
    /// `glossary` (the profile's 名词解释).
    #[serde(default)]
    pub generate: Option<Spanned<String>>,
    /// Print the generated paragraph after the text instead of before it.
    #[serde(default)]
    pub generate_after_text: bool,
    /// How the sentence per 项 quotes its line (`generate = "lines"`):
    /// `quoted` “类（类）款（款）项（项）”, `dash` “类-款-项”科目, `code`
    /// 项（2014001）, `codes` 类（208类）款（05款）项（01项); default the profile's.
    #[serde(default)]
    pub sentence: Option<Spanned<String>>,
    /// A small table printed after the text: a header row and rows of cells.
    #[serde(default)]
    pub table: Option<SectionTable>,
}

/// A table of text cells inside a section (a list of units, …).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionTable {
    /// Optional caption above it.
    #[serde(default)]
    pub caption: Option<String>,
    /// The header cells.
    pub header: Vec<String>,
    /// The rows, each as many cells as the header.
    #[serde(default)]
    pub rows: Vec<Vec<String>>,
}

/// `[budget] from = "…"` of a 部门决算.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetFrom {
    /// The year's 部门预算 file (relative to this one).
    pub from: Spanned<String>,
}

/// Last year's totals, in the file's unit: what the narrative compares
/// with, as last year's budget or its execution (`basis`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastYear {
    /// Last year's budget file (relative to this one): every last-year
    /// figure not typed here is taken from it, every typed one checked.
    #[serde(default)]
    pub from: Option<Spanned<String>>,
    /// What the figures are: `预算` (the default) or `预算执行数`.
    #[serde(default)]
    pub basis: Option<String>,
    /// 收入合计 (= 支出合计 unless `expenditure` is given).
    #[serde(default)]
    pub income: Option<Spanned<Money>>,
    /// 支出合计.
    #[serde(default)]
    pub expenditure: Option<Spanned<Money>>,
    /// 财政拨款 (all three funds).
    #[serde(default)]
    pub fiscal: Option<Spanned<Money>>,
    /// 一般公共预算.
    #[serde(default)]
    pub general: Option<Spanned<Money>>,
    /// 基本支出.
    #[serde(default)]
    pub basic: Option<Spanned<Money>>,
    /// 人员经费.
    #[serde(default)]
    pub personnel: Option<Spanned<Money>>,
    /// 公用经费.
    #[serde(default)]
    pub public: Option<Spanned<Money>>,
    /// 项目支出.
    #[serde(default)]
    pub project: Option<Spanned<Money>>,
}

/// One item of the 政府采购 budget.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purchase {
    /// The project (or 公用经费) paying for it.
    pub project: String,
    /// That project's budget, as the table prints it.
    #[serde(default)]
    pub project_budget: Option<Spanned<Money>>,
    /// 采购物品名称.
    pub item: String,
    /// 政府采购目录序号 (A02010105 …).
    #[serde(default)]
    pub catalogue_code: Option<String>,
    /// 货物, 工程 or 服务 (default 货物).
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    /// 计量单位.
    #[serde(default)]
    pub unit: Option<String>,
    /// 数量.
    #[serde(default)]
    pub quantity: Option<Spanned<Money>>,
    /// 单价.
    #[serde(default)]
    pub price: Option<Spanned<Money>>,
    /// 政府采购金额 (from 一般公共预算拨款).
    pub amount: Spanned<Money>,
    /// 预留中小微企业份额.
    #[serde(default)]
    pub sme: Option<Spanned<Money>>,
}

/// The fixed assets a department holds at a date.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assets {
    /// 截止时间 (`2023-12-31`).
    pub date: String,
    /// The rows (房屋, 车辆, 设备, …) with count and value; 资产总额 is their sum.
    #[serde(default)]
    pub item: Vec<Spanned<AssetRow>>,
    /// 本年度拟购置固定资产总额.
    #[serde(default)]
    pub planned: Option<Spanned<Money>>,
}

/// One row of the fixed-assets table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetRow {
    /// The row's label (`2、车辆（台、辆）`).
    pub name: String,
    /// How many.
    #[serde(default)]
    pub count: Option<u64>,
    /// Their value.
    #[serde(default)]
    pub value: Option<Spanned<Money>>,
    /// A 其中 row: printed indented, not summed into 资产总额.
    #[serde(default)]
    pub within: bool,
}

/// The `[projects]` table: layout and the list layout's header.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectsConfig {
    /// "list", "card" or "sheet" (default list); `--layout` overrides.
    #[serde(default)]
    pub layout: Option<Spanned<String>>,
    /// Title of the list table (default: `<name> <year>年项目支出绩效目标表（含转移支付项目）`).
    #[serde(default)]
    pub title: Option<String>,
    /// 部门名称 printed by the list layout (default: the department name).
    #[serde(default)]
    pub department: Option<String>,
    /// Separators of the list's 绩效指标 cell: "ascii" (`,` `;`, seed 000; default) or
    /// "fullwidth" (`；` `。`, seeds 001 and 002).
    #[serde(default)]
    pub indicator_style: Option<Spanned<String>>,
    /// A heading printed before the project tables (e.g. "七、部门项目预算安排情况及绩效目标").
    #[serde(default)]
    pub heading: Option<String>,
    /// Declared 合计 row of the list table.
    #[serde(default)]
    pub declared: Option<Spanned<ProjectAmounts>>,
    /// Whether the document lists every project ("all", default) or only
    /// some ("partial", 部分): then R16 checks that the listed projects do
    /// not exceed the 支出总表's 项目支出, not that they equal it.
    #[serde(default)]
    pub listed: Option<Spanned<String>>,
    /// Which money the project table lists, for R16: "all" (default) or
    /// "fiscal" (当年财政拨款 only: no 事业收入, 其他 or 上年结转 money).
    #[serde(default)]
    pub scope: Option<Spanned<String>>,
}

/// A 资金使用单位 and its declared subtotal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDecl {
    /// The unit's name as projects name it.
    pub name: String,
    /// The subtotal a budget system printed.
    #[serde(default)]
    pub declared: Option<Spanned<ProjectAmounts>>,
}

/// Amounts of a project or unit by source, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectAmounts {
    /// 总计.
    #[serde(default)]
    pub total: Option<Spanned<Money>>,
    /// 财政拨款.
    #[serde(default)]
    pub fiscal: Option<Spanned<Money>>,
    /// 财政专户拨款.
    #[serde(default)]
    pub special_account: Option<Spanned<Money>>,
    /// 其他资金.
    #[serde(default)]
    pub other: Option<Spanned<Money>>,
}

/// One spending project.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// 项目编码.
    #[serde(default)]
    pub code: Option<String>,
    /// A 子项目: a part of the project before it with the same 项目编码
    /// (its money is in the parent's; it is printed, not summed again).
    #[serde(default)]
    pub subproject: bool,
    /// 项目名称.
    pub name: Spanned<String>,
    /// 资金使用单位 (default: the department).
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
    /// 财政拨款.
    #[serde(default)]
    pub fiscal: Option<Spanned<Money>>,
    /// 财政专户拨款.
    #[serde(default)]
    pub special_account: Option<Spanned<Money>>,
    /// 其他资金.
    #[serde(default)]
    pub other: Option<Spanned<Money>>,
    /// Declared 总计, checked against fiscal + special_account + other.
    #[serde(default)]
    pub total: Option<Spanned<Money>>,
    /// 资金用途 (card).
    #[serde(default)]
    pub purpose: Option<String>,
    /// Cumulative spending plan in % at the end of March, June, October, December (card).
    #[serde(default)]
    pub plan: Option<Spanned<Vec<Money>>>,
    /// 绩效目标 / 年度总体目标.
    #[serde(default)]
    pub goal: Option<String>,
    /// 主管部门代码 (sheet), e.g. "074".
    #[serde(default)]
    pub supervisor_code: Option<String>,
    /// 主管部门 (sheet; default: the department).
    #[serde(default)]
    pub supervisor: Option<String>,
    /// 实施单位代码 (sheet), e.g. "074001".
    #[serde(default)]
    pub implementer_code: Option<String>,
    /// 实施单位 (sheet; default: the unit).
    #[serde(default)]
    pub implementer: Option<String>,
    /// 项目属性 (sheet), e.g. "01-新增一次性项目".
    #[serde(default)]
    pub attribute: Option<String>,
    /// 项目期 (sheet), e.g. "2022-2022".
    #[serde(default)]
    pub period: Option<String>,
    /// Performance indicators.
    #[serde(default)]
    pub indicator: Vec<Spanned<Indicator>>,
}

/// One performance indicator (三级指标).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// 一级指标: name or code ("产出指标", "1").
    pub level1: Spanned<String>,
    /// 二级指标: name or code ("数量指标", "11").
    pub level2: Spanned<String>,
    /// 三级指标 name.
    pub name: String,
    /// 绩效指标描述 (card).
    #[serde(default)]
    pub description: Option<String>,
    /// 指标值 / 年度指标值.
    #[serde(default)]
    pub value: Option<String>,
    /// 实施周期指标值 (list; default: the 年度 value).
    #[serde(default)]
    pub period_value: Option<String>,
    /// 指标值确定依据 (card).
    #[serde(default)]
    pub basis: Option<String>,
    /// 指标性质 (2021 framework): ＝, ≥, ≤ or 定性.
    #[serde(default)]
    pub nature: Option<Spanned<String>>,
    /// 度量单位 (万元, %, 个…).
    #[serde(default)]
    pub measure_unit: Option<String>,
    /// 权重.
    #[serde(default)]
    pub weight: Option<Spanned<Money>>,
}

/// The `[department]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Department code printed before the name, e.g. "203" (may be omitted).
    #[serde(default)]
    pub code: Option<Spanned<String>>,
    /// Full department name.
    pub name: Spanned<String>,
    /// Budget year, e.g. 2024.
    pub year: Spanned<i32>,
    /// Unit the file's amounts are written in: "元" or "万元" (default 万元).
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
    /// Unit the tables print in: "元" or "万元" (default: the profile's, 万元 for most).
    #[serde(default)]
    pub print_unit: Option<Spanned<String>>,
    /// Tables printed in a unit of their own, by table id: `{ sangong = "万元" }`.
    #[serde(default)]
    pub table_units: BTreeMap<String, Spanned<String>>,
    /// The regional profile: a built-in's name (`yusuan profiles` lists them;
    /// `national` by default) or a profile directory, relative to this file.
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    /// Classification catalogue: a year of the built-in ones (default: the
    /// budget year), or the path of a catalogue file (relative to this file).
    #[serde(default)]
    pub catalogue: Option<Spanned<CatalogueRef>>,
    /// How many department files `yusuan consolidate` summed into this one:
    /// each amount then carries that many roundings, and the 尾差 bounds widen
    /// with it.
    #[serde(default)]
    pub consolidated: Option<u32>,
    /// What prints in a cell whose figure the file declares: "declared"
    /// (default: the budget system's rounding, when it agrees within 尾差)
    /// or "computed" (the sum of the file's amounts, rounded once).
    #[serde(default)]
    pub print: Option<Spanned<String>>,
    /// How a zero amount prints in this document's tables, over its
    /// profile's style: "" (blank), "0", "0.00", "-" or "—".
    #[serde(default)]
    pub zero: Option<Spanned<String>>,
    /// The department's 经费形式 (全额, 差额, 自收自支…), for layouts that
    /// group a 汇总's rows under it; nothing prints where it is not given.
    #[serde(default)]
    pub funding: Option<Spanned<String>>,
}

/// Which catalogue names the codes: a built-in year or a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum CatalogueRef {
    /// A year: the built-in catalogue of that year (or the nearest older one).
    Year(i32),
    /// A catalogue file in the format of `catalogue/2024.txt`.
    File(String),
}

/// One 功能分类 项 line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionLine {
    /// 7-digit 项 code.
    pub code: Spanned<String>,
    /// Name; filled from the catalogue when omitted.
    #[serde(default)]
    pub name: Option<String>,
    /// Fund or source of the money (default 一般公共预算).
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    /// 基本支出.
    #[serde(default)]
    pub basic: Option<Spanned<Money>>,
    /// 项目支出.
    #[serde(default)]
    pub project: Option<Spanned<Money>>,
    /// 经营支出.
    #[serde(default)]
    pub operating: Option<Spanned<Money>>,
    /// 上解上级支出.
    #[serde(default)]
    pub to_superior: Option<Spanned<Money>>,
    /// 对附属单位补助支出.
    #[serde(default)]
    pub to_subsidiary: Option<Spanned<Money>>,
    /// 人员经费 part of `basic` (with `public`, a split some regions print per line).
    #[serde(default)]
    pub personnel: Option<Spanned<Money>>,
    /// 公用经费 part of `basic`.
    #[serde(default)]
    pub public: Option<Spanned<Money>>,
    /// Last year's figure for the line (the `2025年预算数` column; the narrative's 比上年).
    #[serde(default)]
    pub last_year: Option<Spanned<Money>>,
    /// 主要用于…: what the line's money is for (the narrative's sentence per 项).
    #[serde(default)]
    pub uses: Option<String>,
    /// 主要原因是…: why it changed from last year.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One amount with its dimensions, as a budget system holds it. A dimension
/// the record does not have is left out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactRow {
    /// The budget unit (单位) code, e.g. "271001".
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
    /// 功能分类 项 (7 digits).
    #[serde(default)]
    pub function: Option<Spanned<String>>,
    /// The name of its 功能分类 项, where the catalogue lacks the code (as
    /// on an `[[expenditure]]` line; `[names]` serves too).
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// 部门预算支出经济分类 款 (5 digits, or 7).
    #[serde(default)]
    pub economic: Option<Spanned<String>>,
    /// 政府预算支出经济分类 款 (5 digits).
    #[serde(default)]
    pub government: Option<Spanned<String>>,
    /// 资金来源 (default 一般公共预算), any name `source = "…"` accepts.
    #[serde(default)]
    pub source: Option<Spanned<String>>,
    /// 人员经费, 公用经费, 基本支出, 项目支出, 经营支出, 上解上级支出, 对附属单位补助支出
    /// (or personnel, public, basic, project, operating, to_superior, to_subsidiary).
    /// Required, except on a last-year record: without it, last year's total
    /// of every kind.
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    /// The project's name, for project money.
    #[serde(default)]
    pub project: Option<Spanned<String>>,
    /// 政府采购品目, for money spent on a purchase (A-货物, A02010104 …).
    #[serde(default)]
    pub procurement: Option<Spanned<String>>,
    /// 项目类别, a region's class of the project.
    #[serde(default)]
    pub category: Option<Spanned<String>>,
    /// Last year's figure rather than this year's.
    #[serde(default)]
    pub last_year: bool,
    /// What it is in the year's accounts: 支出 (default), or in a 部门决算
    /// 收入, 年初结转和结余, 年末结转和结余, 使用非财政拨款结余, 结余分配.
    #[serde(default)]
    pub flow: Option<Spanned<String>>,
    /// The year's budget (年初预算数) beside a 决算's final figures.
    #[serde(default)]
    pub budget: bool,
    /// The amount, in the file's unit.
    pub amount: Spanned<Money>,
}

/// One 经济分类 款 line of basic expenditure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EconomicLine {
    /// 5-digit 款 code.
    pub code: Spanned<String>,
    /// Name; filled from the catalogue when omitted.
    #[serde(default)]
    pub name: Option<String>,
    /// The amount.
    pub amount: Spanned<Money>,
    /// "人员经费" or "公用经费"; by default 301/303 are 人员经费, the rest 公用经费.
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    /// The paired 政府预算支出经济分类 款 (e.g. "50101"), where the region prints it.
    #[serde(default)]
    pub government: Option<Spanned<String>>,
}

/// The 三公 table's leaves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sangong {
    /// 因公出国（境）费 as one figure, for budgets that print no 其中 split.
    #[serde(default)]
    pub abroad: Option<Spanned<FundAmounts>>,
    /// 机关运行经费 (the 日常公用经费 of 行政单位 and 参公事业单位).
    #[serde(default, alias = "机关运行经费")]
    pub running_costs: Option<Spanned<Money>>,
    /// Last year's figures of the 三公 items (上年 | 本年 | 增减; the narrative's 比上年).
    #[serde(default)]
    pub last_year: Option<Spanned<SangongLastYear>>,
    /// In a 部门决算: the year's budget (预算数) of each item, printed beside
    /// the final figures (the items above).
    #[serde(default)]
    pub budget: Option<Spanned<SangongLastYear>>,
    /// 其中：教学科研人员因公出国（境）费.
    #[serde(default)]
    pub abroad_research: FundAmounts,
    /// 其中：其他因公出国（境）费.
    #[serde(default)]
    pub abroad_other: FundAmounts,
    /// 公务用车购置费.
    #[serde(default)]
    pub vehicle_purchase: FundAmounts,
    /// 公务用车运行维护费.
    #[serde(default)]
    pub vehicle_operation: FundAmounts,
    /// 公务接待费.
    #[serde(default)]
    pub reception: FundAmounts,
    /// Rows a region adds after 三、公务接待费 (seed 003: 会议费, 培训费).
    #[serde(default)]
    pub extra: Vec<Spanned<SangongExtra>>,
}

/// Last year's 三公 figures, in the file's unit: each a number (一般公共预算)
/// or by fund (`{ general = …, fund = … }`), as this year's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SangongLastYear {
    /// 因公出国（境）费.
    #[serde(default)]
    pub abroad: Option<FundAmounts>,
    /// 公务用车购置费.
    #[serde(default)]
    pub vehicle_purchase: Option<FundAmounts>,
    /// 公务用车运行维护费.
    #[serde(default)]
    pub vehicle_operation: Option<FundAmounts>,
    /// 公务接待费.
    #[serde(default)]
    pub reception: Option<FundAmounts>,
    /// 机关运行经费.
    #[serde(default)]
    pub running_costs: Option<Money>,
}

impl SangongLastYear {
    /// The four 三公 items' slots by key (`abroad`, `vehicle_purchase`, …).
    pub fn items_mut(&mut self) -> [(&'static str, &mut Option<FundAmounts>); 4] {
        [
            ("abroad", &mut self.abroad),
            ("vehicle_purchase", &mut self.vehicle_purchase),
            ("vehicle_operation", &mut self.vehicle_operation),
            ("reception", &mut self.reception),
        ]
    }

    /// The four 三公 items by key.
    pub fn items(&self) -> [(&'static str, &Option<FundAmounts>); 4] {
        [
            ("abroad", &self.abroad),
            ("vehicle_purchase", &self.vehicle_purchase),
            ("vehicle_operation", &self.vehicle_operation),
            ("reception", &self.reception),
        ]
    }
}

/// A region's extra 三公-table row, with optional 其中 rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SangongExtra {
    /// Row name, e.g. "会议费".
    pub name: String,
    /// Amount, when the row has no 其中 rows.
    #[serde(default)]
    pub amount: Option<FundAmounts>,
    /// 其中 rows; the row's amount is their sum.
    #[serde(default)]
    pub items: Vec<SangongItem>,
}

/// One 其中 row of an extra 三公 row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SangongItem {
    /// Row name, e.g. "其他会议费".
    pub name: String,
    /// Amount.
    #[serde(default)]
    pub amount: FundAmounts,
}

/// Declared rows of one table: row key (a code, `合计`, …) → column key → amount.
pub type DeclaredTable = BTreeMap<String, Spanned<BTreeMap<String, Spanned<Money>>>>;

/// Totals as printed by a budget system: table id → declared rows. The ids
/// are those of [`crate::tables`]; an unknown id is reported when validating.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Declared(pub BTreeMap<String, Spanned<DeclaredTable>>);

impl Declared {
    /// The declared rows of table `id` (empty when the file declares none).
    pub fn table(&self, id: &str) -> Option<&DeclaredTable> {
        self.0.get(id).map(|t| t.get_ref())
    }
}
