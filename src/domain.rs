//! The words of the domain every stage shares: units, sources of money,
//! kinds of spending, the project layouts, and the one rounding rule.
//! It depends on nothing else in the crate, so modules above it form no cycle.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// A unit amounts are written or printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// 元.
    #[serde(rename = "元")]
    Yuan,
    /// 万元.
    #[serde(rename = "万元")]
    Wanyuan,
}

impl Unit {
    /// Reads "元" or "万元" (or "yuan", "wanyuan").
    pub fn parse(s: &str) -> Option<Unit> {
        match s.trim() {
            "元" | "yuan" => Some(Unit::Yuan),
            "万元" | "wanyuan" => Some(Unit::Wanyuan),
            _ => None,
        }
    }

    /// Printed name of the unit.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wanyuan => "万元",
        }
    }

    /// How many 元 one unit is.
    pub fn yuan(self) -> Decimal {
        match self {
            Unit::Yuan => Decimal::ONE,
            Unit::Wanyuan => Decimal::from(10_000),
        }
    }

    /// Whether amounts typed in this unit were rounded by the budget system:
    /// 万元 figures are 元 rounded to the written digit; 元 are exact to the 分.
    pub fn rounds_typed_amounts(self) -> bool {
        self == Unit::Wanyuan
    }

    /// An amount in 元 expressed in this unit, exactly.
    pub fn from_yuan(self, amount: Decimal) -> Decimal {
        match self {
            Unit::Yuan => amount,
            Unit::Wanyuan => amount / Decimal::from(10_000),
        }
    }
}

/// Where money comes from: the columns of the 收入总表.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Source {
    /// 一般公共预算拨款.
    General,
    /// 政府性基金预算拨款.
    Fund,
    /// 国有资本经营预算拨款.
    Soe,
    /// 财政专户管理资金.
    SpecialAccount,
    /// 事业收入.
    Business,
    /// 经营收入.
    Operating,
    /// 上级补助收入.
    Superior,
    /// 附属单位上缴收入.
    Subsidiary,
    /// 其他收入.
    Other,
    /// 上年结转 (of no particular fund).
    Carryover,
    /// 一般公共预算 money carried over from last year (年初财政拨款结转).
    CarryGeneral,
    /// 政府性基金 money carried over from last year.
    CarryFund,
    /// 国有资本经营 money carried over from last year.
    CarrySoe,
}

impl Source {
    /// 财政拨款 of the budget year as the narrative and last year's figures
    /// compare it: this year's money, carry-over apart (one basis for both years).
    pub const FISCAL: &[Source] = &[Source::General, Source::Fund, Source::Soe];

    /// 一般公共预算 on the same basis: this year's money, carry-over apart.
    pub const GENERAL: &[Source] = &[Source::General];

    /// Every source, in the order of [`Source::NAMES`].
    pub const ALL: &[Source] = &[
        Source::General,
        Source::Fund,
        Source::Soe,
        Source::SpecialAccount,
        Source::Business,
        Source::Operating,
        Source::Superior,
        Source::Subsidiary,
        Source::Other,
        Source::Carryover,
        Source::CarryGeneral,
        Source::CarryFund,
        Source::CarrySoe,
    ];

    /// Every source with the names accepted in `source = "…"`.
    pub const NAMES: &[(Source, &[&str])] = &[
        (
            Source::General,
            &["一般公共预算", "一般公共预算拨款", "general"],
        ),
        (
            Source::Fund,
            &["政府性基金", "政府性基金预算", "政府性基金预算拨款", "fund"],
        ),
        (
            Source::Soe,
            &[
                "国有资本经营",
                "国有资本经营预算",
                "国有资本经营预算拨款",
                "soe",
            ],
        ),
        (
            Source::SpecialAccount,
            &["财政专户", "财政专户管理资金", "special_account"],
        ),
        (Source::Business, &["事业收入", "business"]),
        (Source::Operating, &["经营收入", "operating"]),
        (Source::Superior, &["上级补助", "上级补助收入", "superior"]),
        (
            Source::Subsidiary,
            &["附属单位上缴", "附属单位上缴收入", "subsidiary"],
        ),
        (Source::Other, &["其他收入", "other"]),
        (
            Source::Carryover,
            &["上年结转", "上年结转结余", "carryover"],
        ),
        (
            Source::CarryGeneral,
            &[
                "一般公共预算上年结转",
                "一般公共预算结转",
                "general_carryover",
            ],
        ),
        (
            Source::CarryFund,
            &["政府性基金上年结转", "政府性基金结转", "fund_carryover"],
        ),
        (
            Source::CarrySoe,
            &["国有资本经营上年结转", "国有资本经营结转", "soe_carryover"],
        ),
    ];

    /// Reads a source by any of its names.
    pub fn parse(s: &str) -> Option<Source> {
        let s = s.trim();
        Self::NAMES
            .iter()
            .find(|(_, names)| names.contains(&s))
            .map(|(src, _)| *src)
    }

    /// The source's name, as `source = "…"` writes it.
    pub fn label(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, names)| names[0])
    }

    /// Whether this is 财政拨款 (one of the three budget funds, this year's or carried over).
    pub fn is_fiscal(self) -> bool {
        matches!(
            self,
            Source::General
                | Source::Fund
                | Source::Soe
                | Source::CarryGeneral
                | Source::CarryFund
                | Source::CarrySoe
        )
    }

    /// The carry-over of this fund (一般公共预算 → 一般公共预算上年结转), if it has one.
    pub fn carried(self) -> Option<Source> {
        match self {
            Source::General => Some(Source::CarryGeneral),
            Source::Fund => Some(Source::CarryFund),
            Source::Soe => Some(Source::CarrySoe),
            _ => None,
        }
    }

    /// Whether this is money carried over from last year.
    pub fn is_carryover(self) -> bool {
        matches!(
            self,
            Source::Carryover | Source::CarryGeneral | Source::CarryFund | Source::CarrySoe
        )
    }
}

/// The kinds of spending (the columns of the 支出总表), then the finer and the
/// other figures a line may carry: [`Kind::Personnel`], [`Kind::Public`],
/// [`Kind::LastYear`].
pub const KINDS: usize = 8;

/// The input key of each kind, in [`Kind`]'s order (`basic = …` on a line).
pub const KIND_KEYS: [&str; KINDS] = [
    "basic",
    "project",
    "operating",
    "to_superior",
    "to_subsidiary",
    "personnel",
    "public",
    "last_year",
];

/// The first kinds, which add up to a line's money; the others do not.
pub const SPENDING: usize = 5;

/// A kind of spending; its value indexes [`Line::kinds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 基本支出.
    Basic = 0,
    /// 项目支出.
    Project = 1,
    /// 经营支出.
    Operating = 2,
    /// 上解上级支出.
    ToSuperior = 3,
    /// 对附属单位补助支出.
    ToSubsidiary = 4,
    /// 人员经费 part of 基本支出 (a split some regions print per 功能 line).
    Personnel = 5,
    /// 公用经费 part of 基本支出.
    Public = 6,
    /// Last year's figure for the line (budget or execution, as the region compares).
    LastYear = 7,
}

/// A 三公 row's amounts by fund, in 元.
pub type Funds = [Decimal; 3];

/// The three published layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One table listing every project of the department (seeds 000–002).
    List,
    /// One table per project (seed 003).
    Card,
    /// One sheet per project, in 元 (seed 004).
    Sheet,
}

/// Rounds `v` to `decimals` places the way the tables print (四舍五入).
pub fn round(v: Decimal, decimals: u32) -> Decimal {
    v.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

/// The one amount formatter: `d` rounded once to `decimals` places
/// (四舍五入), fixed decimals, thousands separated when `separators`, and
/// `zero` for an amount that rounds to zero (blank, `0`, `0.00`, `-`, as
/// the layout prints it). Tables, narrative, CSV, workbooks and the
/// district summary all print through it.
pub fn format_amount(d: Decimal, decimals: u32, separators: bool, zero: &str) -> String {
    let r = round(d, decimals);
    if r.is_zero() {
        return zero.to_string();
    }
    let s = format!("{:.*}", decimals as usize, r.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let int = if separators {
        let mut g = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                g.push(',');
            }
            g.push(ch);
        }
        g
    } else {
        int.to_string()
    };
    let sign = if r.is_sign_negative() { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Zero printed with `decimals` places: `0.00` for two.
pub fn zero_with(decimals: u32) -> String {
    format!("{:.*}", decimals as usize, Decimal::ZERO)
}

/// How a zero amount may print: blank, `0`, `0.00`, `-` or `—`.
pub const ZERO_STYLES: [&str; 5] = ["", "0", "0.00", "-", "—"];

/// The zero style written `s`, if it is one ([`ZERO_STYLES`]).
pub fn zero_style(s: &str) -> Option<&'static str> {
    ZERO_STYLES.into_iter().find(|z| *z == s)
}

/// What a declared cell prints (`print = …` in a file or profile): the
/// accepted spellings of each choice, the first one listed in messages.
/// `true`: the declared figure (the budget system's rounding) when it agrees
/// within its 尾差; `false`: the sum of the file's amounts.
pub const PRINT_CHOICES: &[(&[&str], bool)] = &[
    (&["declared", "申报数"], true),
    (&["computed", "计算数"], false),
];

/// Whether a declared row key names the 合计 row.
pub fn is_total(key: &str) -> bool {
    matches!(key, "" | "合计" | "total")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_half_away_from_zero_and_print_zero_as_asked() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(format_amount(d("5464.38"), 2, false, ""), "5464.38");
        assert_eq!(format_amount(d("0.005"), 2, false, ""), "0.01");
        assert_eq!(format_amount(d("0.0049"), 2, false, ""), "");
        assert_eq!(format_amount(d("-0.0049"), 2, false, "0.00"), "0.00");
        assert_eq!(format_amount(d("10055.7"), 2, true, ""), "10,055.70");
        assert_eq!(format_amount(d("1234567.891"), 2, true, ""), "1,234,567.89");
        assert_eq!(format_amount(d("-12.345"), 2, false, ""), "-12.35");
        assert_eq!(format_amount(d("0"), 6, false, "-"), "-");
        assert_eq!(zero_with(6), "0.000000");
    }

    /// `ALL` and `NAMES` list the same sources in the same order.
    #[test]
    fn every_source_has_names() {
        let named: Vec<Source> = Source::NAMES.iter().map(|(s, _)| *s).collect();
        assert_eq!(named, Source::ALL);
    }
}
