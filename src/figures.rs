//! The named figures of a budget — 支出合计, 财政拨款, 一般公共预算, each
//! fund, 单位资金, 上年结转, 基本支出, 人员经费, 公用经费, 项目支出 — computed once
//! from its ledger on one stated basis, in 元. The narrative reads this
//! year's, the last-year comparison last year's file's: both years the same
//! way, so a change compares like with like.

use rust_decimal::Decimal;

use crate::domain::{Kind, Source};
use crate::records::{Fact, Flow, total};
use crate::validate::Budget;

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
    /// 财政拨款 基本支出 (what a 决算 reports as 财政拨款基本支出).
    pub fiscal_basic: Decimal,
}

impl Named {
    /// The same figures where the tables print a declared one instead (the
    /// budget system's rounding, see [`crate::compute::print_declared`]):
    /// what the narrative says is what the tables print.
    pub fn as_printed(mut self, printed: &[crate::compute::Printed]) -> Named {
        for p in printed.iter().filter(|p| p.row.is_empty()) {
            let slot = match (p.table.as_str(), p.column.as_str()) {
                ("expenditure", "total") => &mut self.total,
                ("expenditure", "basic") => &mut self.basic,
                ("expenditure", "project") => &mut self.project,
                ("basic", "personnel") => &mut self.personnel,
                ("basic", "public") => &mut self.public,
                _ => continue,
            };
            *slot = p.yuan;
        }
        self
    }

    /// The figures of `budget`, from its ledger.
    pub fn of(budget: &Budget) -> Named {
        let facts = &budget.facts;
        let of = |s: &[Source]| total(facts, |f| f.spending() && s.contains(&f.source));
        let kind = |k: &[Kind]| {
            total(facts, |f| {
                f.spending() && f.kind.is_some_and(|x| k.contains(&x))
            })
        };
        // 人员/公用经费: the 经济分类 amounts' when the file gives them, else the 项' split.
        let economic = |p: bool| total(facts, |f| f.basic_economic() == Some(p));
        let (personnel, public) = if facts.iter().any(|f| f.basic_economic().is_some()) {
            (economic(true), economic(false))
        } else {
            (kind(&[Kind::Personnel]), kind(&[Kind::Public]))
        };
        // A 决算's income is its own facts; a budget's, its spending by source.
        let of = |s: &[Source]| {
            if budget.department.final_account {
                total(facts, |f| {
                    f.flow == Flow::Income && !f.budgeted && !f.last_year && s.contains(&f.source)
                })
            } else {
                of(s)
            }
        };
        Named {
            total: total(facts, Fact::spending),
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
            basic: kind(&[Kind::Basic, Kind::Personnel, Kind::Public]),
            personnel,
            public,
            project: kind(&[Kind::Project]),
            fiscal_basic: total(facts, |f| {
                f.spending()
                    && f.source.is_fiscal()
                    && matches!(f.kind, Some(Kind::Basic | Kind::Personnel | Kind::Public))
            }),
        }
    }
}

/// A budget's 三公 figures from its ledger, in 元, by fund: this year's and
/// last year's of each row key ([`crate::records::sangong_leaves`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sangong {
    /// This year's amount of each leaf, by fund.
    this: std::collections::BTreeMap<String, crate::domain::Funds>,
    /// Last year's of each leaf given, by fund.
    last: std::collections::BTreeMap<String, crate::domain::Funds>,
    /// A 决算's budget (预算数) of each leaf given, every fund.
    budget: std::collections::BTreeMap<String, Decimal>,
}

impl Sangong {
    /// The figures of `budget`, when it gives `[sangong]`.
    pub fn of(budget: &Budget) -> Option<Sangong> {
        budget.sangong.as_ref()?;
        let mut out = Sangong::default();
        for f in &budget.details {
            if let Some(crate::records::Detail::Sangong(key)) = &f.detail {
                if f.budgeted {
                    // a 决算's budget figure: compared, not the year's
                    *out.budget.entry(key.clone()).or_default() += f.amount;
                    continue;
                }
                let map = if f.last_year {
                    &mut out.last
                } else {
                    &mut out.this
                };
                let fund = match f.source {
                    Source::Fund => 1,
                    Source::Soe => 2,
                    _ => 0,
                };
                map.entry(key.clone()).or_default()[fund] += f.amount;
            }
        }
        Some(out)
    }

    /// This year's figure of row `key` (a leaf, `abroad`, `vehicle`, `小计`,
    /// `running_costs`), by fund.
    pub fn this_year_funds(&self, key: &str) -> crate::domain::Funds {
        let mut out = crate::domain::Funds::default();
        for leaf in crate::records::sangong_leaves(key) {
            for (o, v) in out
                .iter_mut()
                .zip(self.this.get(leaf).into_iter().flatten())
            {
                *o += v;
            }
        }
        out
    }

    /// This year's figure of row `key`, every fund.
    pub fn this_year(&self, key: &str) -> Decimal {
        self.this_year_funds(key).iter().sum()
    }

    /// A 决算's budget (预算数) of row `key`, every fund, when any is given.
    pub fn budget(&self, key: &str) -> Option<Decimal> {
        let leaves = crate::records::sangong_leaves(key);
        leaves
            .iter()
            .any(|k| self.budget.contains_key(*k))
            .then(|| leaves.iter().filter_map(|k| self.budget.get(*k)).sum())
    }

    /// Last year's figure of row `key`, every fund, when every leaf it
    /// sums is given.
    pub fn last_year(&self, key: &str) -> Option<Decimal> {
        let leaves = match key {
            "abroad" => vec!["abroad"],
            other => crate::records::sangong_leaves(other)
                .into_iter()
                .filter(|k| !k.starts_with("abroad_"))
                .collect(),
        };
        leaves
            .iter()
            .map(|k| self.last.get(*k).map(|f| f.iter().sum::<Decimal>()))
            .sum()
    }
}
