//! The named figures of a budget — 支出合计, 财政拨款, 一般公共预算, each
//! fund, 单位资金, 上年结转, 基本支出, 人员经费, 公用经费, 项目支出 — computed once
//! from its lines on one stated basis, in 元. The narrative reads this
//! year's, the last-year comparison last year's file's: both years the same
//! way, so a change compares like with like.

use rust_decimal::Decimal;

use crate::domain::{Kind, Source};
use crate::validate::{Budget, Line};

/// A budget's named figures, in 元.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Named {
    /// 支出合计 (= 收入合计): every line, every source.
    pub total: Decimal,
    /// 财政拨款: 一般公共预算 + 政府性基金 + 国有资本经营, carry-over apart
    /// ([`Source::FISCAL`]).
    pub fiscal: Decimal,
    /// 一般公共预算, carry-over apart ([`Source::GENERAL`]).
    pub general: Decimal,
    /// 政府性基金.
    pub fund: Decimal,
    /// 国有资本经营.
    pub soe: Decimal,
    /// 财政专户.
    pub special: Decimal,
    /// 单位资金: 事业, 经营, 上级补助, 附属单位上缴, 其他收入.
    pub unit_funds: Decimal,
    /// 事业收入.
    pub business: Decimal,
    /// 经营收入.
    pub operating: Decimal,
    /// 其他收入.
    pub other: Decimal,
    /// 上年结转, every fund's.
    pub carryover: Decimal,
    /// 基本支出.
    pub basic: Decimal,
    /// 人员经费: the 经济分类 lines' when the file gives them, else the 项
    /// lines' split.
    pub personnel: Decimal,
    /// 公用经费, the same way.
    pub public: Decimal,
    /// 项目支出.
    pub project: Decimal,
}

impl Named {
    /// The figures of `budget`.
    pub fn of(budget: &Budget) -> Named {
        let sum = |keep: &dyn Fn(&Line) -> bool, kind: Option<Kind>| -> Decimal {
            budget
                .lines
                .iter()
                .filter(|l| keep(l))
                .map(|l| kind.map_or_else(|| l.total(), |k| l.kinds[k as usize]))
                .sum()
        };
        let of = |s: &[Source]| sum(&|l| s.contains(&l.source), None);
        let (personnel, public) = if budget.economic.is_empty() {
            (
                sum(&|_| true, Some(Kind::Personnel)),
                sum(&|_| true, Some(Kind::Public)),
            )
        } else {
            let part = |p: bool| {
                budget
                    .economic
                    .iter()
                    .filter(|e| e.personnel == p)
                    .map(|e| e.amount)
                    .sum()
            };
            (part(true), part(false))
        };
        Named {
            total: sum(&|_| true, None),
            fiscal: of(Source::FISCAL),
            general: of(Source::GENERAL),
            fund: of(&[Source::Fund]),
            soe: of(&[Source::Soe]),
            special: of(&[Source::SpecialAccount]),
            unit_funds: of(&[
                Source::Business,
                Source::Operating,
                Source::Superior,
                Source::Subsidiary,
                Source::Other,
            ]),
            business: of(&[Source::Business]),
            operating: of(&[Source::Operating]),
            other: of(&[Source::Other]),
            carryover: of(&[
                Source::Carryover,
                Source::CarryGeneral,
                Source::CarryFund,
                Source::CarrySoe,
            ]),
            basic: sum(&|_| true, Some(Kind::Basic)),
            personnel,
            public,
            project: sum(&|_| true, Some(Kind::Project)),
        }
    }
}
