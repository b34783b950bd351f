//! The budget as facts: one record per amount with its dimensions (单位,
//! 功能分类 项, 部门经济 款, 政府经济 款, source, kind, project, year), as a
//! budget system (预算管理一体化) holds it.
//!
//! A file may give its money as `[[fact]]` records, as today's forms
//! (`[[expenditure]]` lines per 项, `[[basic_economic]]` lines), or both.
//! [`fold`] reads the records into facts and names the 项 and 经济分类 lines
//! they speak of, so that their codes, names, duplicates and last-year
//! figures are validated as any line's; [`crate::validate`] then makes the
//! ledger: the records, and each other line's money as facts
//! ([`crate::records::of_line`]) — every amount once.

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::{Kind, Source};
use crate::model::{BudgetFile, EconomicLine, FunctionLine, Money};
use crate::text;

pub use crate::records::{Dim, Fact, Flow};

/// The kinds a record may have, by their names.
const KIND_NAMES: &[(Kind, &[&str])] = &[
    (Kind::Personnel, &["人员经费", "personnel"]),
    (Kind::Public, &["公用经费", "public"]),
    (Kind::Basic, &["基本支出", "basic"]),
    (Kind::Project, &["项目支出", "project"]),
    (Kind::Operating, &["经营支出", "operating"]),
    (Kind::ToSuperior, &["上解上级支出", "to_superior"]),
    (Kind::ToSubsidiary, &["对附属单位补助支出", "to_subsidiary"]),
];

fn digits(s: &str, lens: &[usize]) -> bool {
    lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Adds the `[[fact]]` records to the file's 项 lines (by 项 and source) and
/// 经济分类 lines (一般公共预算 基本支出 by 款 and 政府经济 款), and returns
/// them as facts (in 元) with the spans of the lines they made (whose money
/// the ledger takes from the records, never from the lines).
pub fn fold(file: &mut BudgetFile, diags: &mut Diagnostics) -> (Vec<Fact>, Vec<Range<usize>>) {
    let factor = crate::validate::input_unit(file).yuan();
    let decimals = crate::validate::input_decimals(file);
    let mut facts = vec![];
    let mut lines: BTreeMap<(String, Source), Spanned<FunctionLine>> = BTreeMap::new();
    // By 款, 政府经济 款 and kind: records of one 款 with different kinds
    // (人员经费 25, 公用经费 10) stay two lines, never merged under the first's kind.
    let mut economic: BTreeMap<(String, Option<String>, bool), Spanned<EconomicLine>> =
        BTreeMap::new();
    let add = |slot: &mut Option<Spanned<Money>>, v: &Spanned<Money>| {
        let sum = slot.as_ref().map_or(Decimal::ZERO, |s| s.get_ref().0) + v.get_ref().0;
        let span = slot.as_ref().map_or(v.span(), |s| s.span());
        *slot = Some(Spanned::new(span, Money(sum)));
    };
    for row in &file.fact {
        let span = row.span();
        let r = row.get_ref();
        let mut ok = true;
        let mut bad = |s: &Spanned<String>, m| {
            diags.push(Diagnostic::error("fact", Some(s.span()), m));
            ok = false;
        };
        let flow = match &r.flow {
            Some(f) => Flow::parse(f.get_ref()).or_else(|| {
                let (v, valid) = (f.get_ref(), Flow::valid());
                bad(
                    f,
                    text!(
                        "未知的收支类别 \"{v}\"；可用：{valid}",
                        "unknown flow \"{v}\"; valid: {valid}"
                    ),
                );
                None
            }),
            None => Some(Flow::Spending),
        };
        // A record of an unknown flow is refused above, and once.
        let known = flow.is_some();
        let flow = flow.unwrap_or(Flow::Income);
        // Money that is not spent (income, balances) or only compared (the
        // year's budget in a 决算) is no 项 line's: it has no kind to give.
        let spent = flow == Flow::Spending && !r.budget;
        let kind = match &r.kind {
            Some(given) => {
                let found = KIND_NAMES
                    .iter()
                    .find(|(_, names)| names.contains(&given.get_ref().trim()))
                    .map(|(k, _)| *k);
                if found.is_none() {
                    let k = given.get_ref();
                    bad(
                        given,
                        text!(
                            "未知的支出类型 \"{k}\"；可用：人员经费、公用经费、基本支出、项目支出、经营支出、上解上级支出、对附属单位补助支出",
                            "unknown kind \"{k}\"; valid: 人员经费, 公用经费, 基本支出, 项目支出, 经营支出, 上解上级支出, 对附属单位补助支出"
                        ),
                    );
                }
                found
            }
            // Last year's figure of a 项 may be its total of every kind, and
            // income and balances have none.
            None if r.last_year || flow != Flow::Spending => Some(Kind::LastYear),
            None => None, // said below
        };
        let source = match &r.source {
            Some(s) => Source::parse(s.get_ref()).or_else(|| {
                let v = s.get_ref();
                bad(s, text!("未知的资金来源 \"{v}\"", "unknown source \"{v}\""));
                None
            }),
            None => Some(Source::General),
        };
        for (field, lens, what) in [
            (&r.function, &[7][..], "功能分类 项（7 位）"),
            (&r.economic, &[5, 7][..], "部门经济分类 款（5 或 7 位）"),
            (&r.government, &[5][..], "政府经济分类 款（5 位）"),
        ] {
            if let Some(c) = field
                && !digits(c.get_ref(), lens)
            {
                let v = c.get_ref();
                bad(
                    c,
                    text!("\"{v}\" 不是{what}编码", "\"{v}\" is not a {what} code"),
                );
            }
        }
        // `|` joins the codes of a cross table's row (`"01|2013201"` in
        // [declared]): inside a code it would shift the row's columns.
        for (field, what) in [
            (&r.unit, "预算单位"),
            (&r.project, "项目"),
            (&r.procurement, "政府采购品目"),
            (&r.category, "项目类别"),
        ] {
            if let Some(c) = field
                && c.get_ref().contains('|')
            {
                let v = c.get_ref();
                bad(
                    c,
                    text!(
                        "{what} \"{v}\" 含有 \"|\"：它在交叉表的行中隔开各维的编码（\"01|2013201\"），不能用在编码或名称里",
                        "{what} \"{v}\" contains \"|\", which separates the codes of a cross table's row (\"01|2013201\"): it cannot be part of a code or name"
                    ),
                );
            }
        }
        if r.kind.is_none() && !r.last_year && flow == Flow::Spending && known {
            diags.push(Diagnostic::error(
                "fact",
                Some(span.clone()),
                text!(
                    "这条记录没有支出类型（kind = \"人员经费\"、\"项目支出\"……）：只有上年数（last_year = true）可以不写",
                    "this record has no kind (kind = \"人员经费\", \"项目支出\", …): only a last-year record may leave it out"
                ),
            ));
            ok = false;
        }
        // Without a 项 the money would reach no statutory table: refused,
        // not left to the pivots alone.
        if r.function.is_none() && spent {
            diags.push(Diagnostic::error(
                "fact",
                Some(span.clone()),
                text!(
                    "这条记录没有功能分类（function = \"…\"，7 位的项）：它的钱进不了收支总表等规定的表",
                    "this record has no 功能分类 (function = \"…\", a 7-digit 项): its money would reach none of the statutory tables"
                ),
            ));
            ok = false;
        }
        // The same rules as every amount: never negative, no more decimals than the unit holds.
        let before = diags.items.len();
        crate::validate::check_amounts(diags, decimals, [&Some(r.amount.clone())]);
        if diags.items[before..]
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
        {
            ok = false;
        }
        let (Some(kind), Some(source), true) = (kind, source, ok) else {
            continue;
        };
        let text_of =
            |s: &Option<Spanned<String>>| s.as_ref().map(|x| x.get_ref().trim().to_string());
        if let (Some(code), true) = (&r.function, spent) {
            let key = (code.get_ref().clone(), source);
            let line = lines.entry(key).or_insert_with(|| {
                Spanned::new(
                    span.clone(),
                    FunctionLine {
                        code: code.clone(),
                        name: None,
                        source: r.source.clone(),
                        basic: None,
                        project: None,
                        operating: None,
                        to_superior: None,
                        to_subsidiary: None,
                        personnel: None,
                        public: None,
                        last_year: None,
                        uses: None,
                        reason: None,
                    },
                )
            });
            let l = line.get_mut();
            if l.name.is_none() {
                l.name = r.name.as_ref().map(|n| n.get_ref().trim().to_string());
            }
            if r.last_year {
                add(&mut l.last_year, &r.amount);
            } else {
                match kind {
                    Kind::Personnel => {
                        add(&mut l.personnel, &r.amount);
                        add(&mut l.basic, &r.amount);
                    }
                    Kind::Public => {
                        add(&mut l.public, &r.amount);
                        add(&mut l.basic, &r.amount);
                    }
                    Kind::Basic => add(&mut l.basic, &r.amount),
                    Kind::Project => add(&mut l.project, &r.amount),
                    Kind::Operating => add(&mut l.operating, &r.amount),
                    Kind::ToSuperior => add(&mut l.to_superior, &r.amount),
                    Kind::ToSubsidiary => add(&mut l.to_subsidiary, &r.amount),
                    Kind::LastYear => {}
                }
            }
        }
        let basic = matches!(kind, Kind::Personnel | Kind::Public | Kind::Basic);
        let general = matches!(source, Source::General | Source::CarryGeneral);
        if let Some(code) = &r.economic
            && basic
            && general
            && spent
            && !r.last_year
        {
            // The kind the line counts as: 基本支出 unsplit is its code's.
            let personnel = match kind {
                Kind::Personnel => true,
                Kind::Public => false,
                _ => ["301", "303"].iter().any(|p| code.get_ref().starts_with(p)),
            };
            let key = (code.get_ref().clone(), text_of(&r.government), personnel);
            let line = economic.entry(key).or_insert_with(|| {
                Spanned::new(
                    span.clone(),
                    EconomicLine {
                        code: code.clone(),
                        name: None,
                        amount: Spanned::new(r.amount.span(), Money(Decimal::ZERO)),
                        kind: r.kind.clone().filter(|_| kind != Kind::Basic),
                        government: r.government.clone(),
                    },
                )
            });
            let l = line.get_mut();
            let sum = l.amount.get_ref().0 + r.amount.get_ref().0;
            l.amount = Spanned::new(l.amount.span(), Money(sum));
        }
        facts.push(Fact {
            unit: text_of(&r.unit),
            function: text_of(&r.function),
            economic: text_of(&r.economic),
            government: text_of(&r.government),
            source,
            kind: (kind != Kind::LastYear).then_some(kind),
            project: text_of(&r.project),
            procurement: text_of(&r.procurement),
            category: text_of(&r.category),
            last_year: r.last_year,
            flow,
            budgeted: r.budget,
            record: true,
            detail: None,
            amount: r.amount.get_ref().0 * factor,
            span: span.clone(),
        });
    }
    let mut made = vec![];
    for (_, l) in lines {
        made.push(l.span());
        file.expenditure.push(l);
    }
    for (_, e) in economic {
        made.push(e.span());
        file.basic_economic.push(e);
    }
    (facts, made)
}
