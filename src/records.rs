//! The ledger's plain types, which every layer may name: each amount as a
//! [`Fact`] with its dimensions ([`Dim`]) — spending, or a [`Detail`] of
//! spending seen another way (三公, 机关运行经费, a list table's cell) — and
//! the text cells of list tables' rows ([`ListRow`]). [`crate::facts`] and
//! [`crate::validate`] make the facts, [`crate::lists`] the list rows'; the
//! tables group them ([`crate::compute::group`]), the named figures total them.

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;

use crate::domain::{KINDS, Kind, Source};

/// A dimension a pivot table's rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// 功能分类 类 → 款 → 项.
    Function,
    /// 部门预算支出经济分类 类 → 款.
    Economic,
    /// 政府预算支出经济分类 类 → 款.
    Government,
    /// 预算单位.
    Unit,
    /// 项目.
    Project,
    /// 政府采购品目 (A-货物, A02010104 台式计算机, …).
    Procurement,
    /// 项目类别 (a region's classes of projects).
    Category,
}

impl Dim {
    /// Every dimension with its name in `by = "…"` and in messages.
    pub const NAMES: &[(Dim, &str, &str)] = &[
        (Dim::Function, "function", "功能分类"),
        (Dim::Economic, "economic", "部门经济分类"),
        (Dim::Government, "government", "政府经济分类"),
        (Dim::Unit, "unit", "预算单位"),
        (Dim::Project, "project", "项目"),
        (Dim::Procurement, "procurement", "政府采购品目"),
        (Dim::Category, "category", "项目类别"),
    ];

    /// Whether its values are names of their own (单位, 项目, 品目, 类别),
    /// not codes of a classification tree: one level of rows.
    pub fn is_flat(self) -> bool {
        !matches!(self, Dim::Function | Dim::Economic | Dim::Government)
    }

    /// Whether every amount a table counts has a value of it: all but
    /// 政府采购品目, which only purchases have (a table by 品目 groups the
    /// purchases, and leaves out by definition what was not bought).
    pub fn covers_all(self) -> bool {
        self != Dim::Procurement
    }

    /// Every dimension's `by = "…"` name, for messages.
    pub fn valid() -> String {
        Self::NAMES
            .iter()
            .map(|(_, n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The dimension named `s` (`by = "economic"`).
    pub fn parse(s: &str) -> Option<Dim> {
        Self::NAMES
            .iter()
            .find(|(_, n, _)| *n == s)
            .map(|(d, _, _)| *d)
    }

    /// Its `by = "…"` name.
    pub fn key(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(d, _, _)| *d == self)
            .map_or("", |x| x.1)
    }

    /// Its Chinese name.
    pub fn label(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(d, _, _)| *d == self)
            .map_or("", |x| x.2)
    }
}

/// What an amount is in the year's accounts: spending (what every budget
/// table prints), or — in a 部门决算 — income, a balance, or a move between
/// them. Only [`Flow::Spending`] adds to spending totals; a column counts
/// the flow it names (`flow = "income"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flow {
    /// 支出.
    #[default]
    Spending,
    /// 本年收入.
    Income,
    /// 年初结转和结余.
    Opening,
    /// 年末结转和结余.
    Closing,
    /// 使用非财政拨款结余.
    UseOfBalance,
    /// 结余分配.
    Distribution,
}

impl Flow {
    /// Every flow with its names (`flow = "…"` in a record or a column), the
    /// key first, then its Chinese name.
    pub const NAMES: &[(Flow, &[&str])] = &[
        (Flow::Spending, &["spending", "支出"]),
        (Flow::Income, &["income", "收入", "本年收入"]),
        (Flow::Opening, &["opening", "年初结转和结余"]),
        (Flow::Closing, &["closing", "年末结转和结余"]),
        (
            Flow::UseOfBalance,
            &["use_of_balance", "使用非财政拨款结余"],
        ),
        (Flow::Distribution, &["distribution", "结余分配"]),
    ];

    /// The flow named `s`.
    pub fn parse(s: &str) -> Option<Flow> {
        let s = s.trim();
        Self::NAMES
            .iter()
            .find(|(_, names)| names.contains(&s))
            .map(|(f, _)| *f)
    }

    /// Every flow's names, for messages.
    pub fn valid() -> String {
        Self::NAMES
            .iter()
            .map(|(_, n)| format!("{}（{}）", n[1], n[0]))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// One amount with its dimensions; a dimension it does not have is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// 预算单位 code.
    pub unit: Option<String>,
    /// 功能分类 项.
    pub function: Option<String>,
    /// 部门经济分类 款.
    pub economic: Option<String>,
    /// 政府经济分类 款.
    pub government: Option<String>,
    /// 资金来源.
    pub source: Source,
    /// 人员经费, 公用经费, 基本 (unsplit), 项目, …; `None` for a total of
    /// every kind (last year's figure of a 项).
    pub kind: Option<Kind>,
    /// Project name.
    pub project: Option<String>,
    /// 政府采购品目.
    pub procurement: Option<String>,
    /// 项目类别.
    pub category: Option<String>,
    /// Last year's figure.
    pub last_year: bool,
    /// What it is in the year's accounts (spending, unless a 决算 says).
    pub flow: Flow,
    /// The year's budget (年初预算数) beside the final figures of a 部门决算:
    /// a comparison, never added to them.
    pub budgeted: bool,
    /// Whether the file gave it as a `[[fact]]` record (else it is one of
    /// today's forms seen as a fact).
    pub record: bool,
    /// What it details, for an amount that breaks down spending another
    /// fact already holds (a 三公 item, a list row's cell); `None` for
    /// spending itself.
    pub detail: Option<Detail>,
    /// Amount in 元.
    pub amount: Decimal,
    /// Where it is in the file.
    pub span: Range<usize>,
}

/// What a detail fact is: spending some other fact already holds, seen
/// another way. Kept in [`crate::validate::Budget::details`], apart from
/// the spending, so that no total counts it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A 三公 leaf (`abroad`, `abroad_research`, `abroad_other`,
    /// `vehicle_purchase`, `vehicle_operation`, `reception`, a region's row
    /// by its name or `name/item`) or 机关运行经费 (`running_costs`).
    Sangong(String),
    /// One amount cell of a list table's typed row.
    List {
        /// The table's id.
        table: String,
        /// The row's place among the table's typed rows (from 0).
        row: usize,
        /// The column's key.
        column: String,
    },
}

/// The 三公 figures a file may give for last year (`[sangong.last_year]`).
pub const SANGONG_LAST_YEAR: [&str; 5] = [
    "abroad",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
    "running_costs",
];

/// The 三公 leaves a row of the 三公 table sums: a leaf itself, or the
/// leaves of 因公出国（境）费, 公务用车购置及运维费 and their 小计.
pub fn sangong_leaves(key: &str) -> Vec<&str> {
    match key {
        "abroad" => vec!["abroad", "abroad_research", "abroad_other"],
        "vehicle" => vec!["vehicle_purchase", "vehicle_operation"],
        "小计" => vec![
            "abroad",
            "abroad_research",
            "abroad_other",
            "vehicle_purchase",
            "vehicle_operation",
            "reception",
        ],
        leaf => vec![leaf],
    }
}

impl Fact {
    /// This year's amount of `source` at `span`, with no dimension yet: the
    /// start of every fact made in code (`Fact { detail: …, ..Fact::bare(…) }`).
    pub fn bare(source: Source, amount: Decimal, span: Range<usize>) -> Fact {
        Fact {
            unit: None,
            function: None,
            economic: None,
            government: None,
            source,
            kind: None,
            project: None,
            procurement: None,
            category: None,
            last_year: false,
            flow: Flow::Spending,
            budgeted: false,
            record: false,
            detail: None,
            amount,
            span,
        }
    }

    /// Its value of `dim`.
    pub fn get(&self, dim: Dim) -> Option<&str> {
        match dim {
            Dim::Function => self.function.as_deref(),
            Dim::Economic => self.economic.as_deref(),
            Dim::Government => self.government.as_deref(),
            Dim::Unit => self.unit.as_deref(),
            Dim::Project => self.project.as_deref(),
            Dim::Procurement => self.procurement.as_deref(),
            Dim::Category => self.category.as_deref(),
        }
    }

    /// Whether it is this year's spending of a 功能分类 项: what every
    /// function-keyed total sums. (A fact with only an 经济分类 款 is the
    /// 经济 view of basic spending some 项 already holds.)
    pub fn spending(&self) -> bool {
        self.function.is_some()
            && !self.last_year
            && self.kind.is_some()
            && self.detail.is_none()
            && self.flow == Flow::Spending
            && !self.budgeted
    }

    /// For an amount of 一般公共预算 basic spending this year that names its
    /// 经济分类 款 (what the 基本支出表 groups): whether it is 人员经费
    /// (`Some(true)`) or 公用经费 (`Some(false)`); an unsplit 基本支出 is its
    /// code's (301 and 303 are 人员经费). `None` for any other amount.
    pub fn basic_economic(&self) -> Option<bool> {
        let code = self.economic.as_deref()?;
        if self.last_year
            || self.budgeted
            || self.flow != Flow::Spending
            || !matches!(self.source, Source::General | Source::CarryGeneral)
        {
            return None;
        }
        match self.kind? {
            Kind::Personnel => Some(true),
            Kind::Public => Some(false),
            Kind::Basic => Some(["301", "303"].iter().any(|p| code.starts_with(p))),
            _ => None,
        }
    }

    /// Whether a column filtering `sources` and `kinds` counts it.
    pub fn matches(&self, sources: &[Source], kinds: &[Kind]) -> bool {
        if !sources.contains(&self.source) {
            return false;
        }
        // Income and balances are by source (the column's flow is checked
        // where an amount meets it).
        if self.flow != Flow::Spending {
            return !self.last_year;
        }
        match self.detail {
            // A 三公 column counts the funds it names: this year's, or last
            // year's when it is a last-year column.
            Some(Detail::Sangong(_)) => return self.last_year == kinds.contains(&Kind::LastYear),
            Some(Detail::List { .. }) => return false,
            None => {}
        }
        if self.last_year {
            return kinds.contains(&Kind::LastYear);
        }
        match self.kind {
            Some(k @ (Kind::Personnel | Kind::Public)) => {
                kinds.contains(&k) || kinds.contains(&Kind::Basic)
            }
            Some(k) => kinds.contains(&k),
            // Only last year's figures (returned above) are totals of every kind.
            None => false,
        }
    }
}

/// The facts of one 功能分类 项 line of today's form (`[[expenditure]]`):
/// one per kind it gives money to — 人员经费 and 公用经费 in place of an
/// unsplit 基本支出 when it splits it — and last year's figure when given
/// (`kinds` indexed by [`Kind`], in 元).
pub fn of_line(
    code: &str,
    source: Source,
    kinds: &[Decimal; KINDS],
    last_year_given: bool,
    span: &Range<usize>,
) -> Vec<Fact> {
    let fact = |kind: Option<Kind>, amount: Decimal, last_year: bool| Fact {
        function: Some(code.to_string()),
        kind,
        last_year,
        ..Fact::bare(source, amount, span.clone())
    };
    let k = |kind: Kind| kinds[kind as usize];
    let split = !k(Kind::Personnel).is_zero() || !k(Kind::Public).is_zero();
    let basic: &[Kind] = if split {
        &[Kind::Personnel, Kind::Public]
    } else {
        &[Kind::Basic]
    };
    let others = [
        Kind::Project,
        Kind::Operating,
        Kind::ToSuperior,
        Kind::ToSubsidiary,
    ];
    let mut out: Vec<Fact> = basic
        .iter()
        .chain(&others)
        .filter(|kind| !k(**kind).is_zero())
        .map(|kind| fact(Some(*kind), k(*kind), false))
        .collect();
    if last_year_given {
        out.push(fact(None, k(Kind::LastYear), true));
    }
    out
}

/// A 项 line's money by kind as today's form holds it (人员/公用经费 inside
/// 基本支出 too; last year's figure at [`Kind::LastYear`]), from its facts,
/// and whether they give last year's figure.
pub fn line_kinds<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> ([Decimal; KINDS], bool) {
    let mut kinds = [Decimal::ZERO; KINDS];
    let mut last_year = false;
    for f in facts {
        let mut add = |k: Kind| kinds[k as usize] += f.amount;
        match (f.last_year, f.kind) {
            (true, _) => {
                add(Kind::LastYear);
                last_year = true;
            }
            (false, Some(k @ (Kind::Personnel | Kind::Public))) => {
                add(k);
                add(Kind::Basic);
            }
            (false, Some(k)) => add(k),
            (false, None) => {}
        }
    }
    (kinds, last_year)
}

/// The sum of the amounts of the facts `keep` admits, in 元: how every
/// figure outside a table is taken from the ledger.
pub fn total(facts: &[Fact], keep: impl Fn(&Fact) -> bool) -> Decimal {
    facts.iter().filter(|f| keep(f)).map(|f| f.amount).sum()
}

/// The text cells of one typed row of a list table, by column key (its
/// amounts are facts: [`Detail::List`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListRow {
    /// Text cells by column key.
    pub texts: BTreeMap<String, String>,
}
