//! Last year's figures from last year's file: `[last_year] from =
//! "../2025/司法局.toml"` reads that file (checked as any other) and takes
//! every last-year figure from it — the totals of `[last_year]`, each 项's
//! (by code and source) and the 三公 items with 机关运行经费. A figure still
//! typed by hand is compared with it: most comparison slips start with a
//! figure typed by hand (43269.3 for 3269.3).

use std::ops::Range;
use std::path::Path;

use rust_decimal::Decimal;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::Source;
use crate::model::{BudgetFile, Money};
use crate::text;

thread_local! {
    /// Set while a last-year file is read: its own `from` is not followed
    /// (one year back is what the comparisons need, and no chain can loop).
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Fills and checks the last-year figures of `file` from the file its
/// `[last_year] from` names (relative to `base`, the file's directory).
pub fn apply(file: &mut BudgetFile, base: Option<&Path>, diags: &mut Diagnostics) {
    let Some(from) = file
        .last_year
        .as_ref()
        .and_then(|l| l.get_ref().from.clone())
    else {
        return;
    };
    let span = from.span();
    let Some((other, path)) = read_other(
        &from,
        base,
        "last-year",
        ("上年文件", "last year's file"),
        diags,
    ) else {
        return;
    };
    let shown = path.display();
    if let Some(message) = not_last_years(file, &other.file, &shown) {
        diags.push(Diagnostic::error("last-year", Some(span), message));
        return;
    }
    let factor = crate::validate::input_unit(file).yuan();
    let in_unit = |yuan: Decimal| Money((yuan / factor).normalize());
    let b = &other.budget;
    // Last year's named figures, computed as this year's are (one basis:
    // 110 this year against last year's 100, never against 100 + 20 carried).
    let n = crate::figures::Named::of(b);
    let figures: [(&str, Decimal); 8] = [
        ("income", n.total),
        ("expenditure", n.total),
        ("fiscal", n.fiscal),
        ("general", n.general),
        ("basic", n.basic),
        ("personnel", n.personnel),
        ("public", n.public),
        ("project", n.project),
    ];
    let taken =
        |slot: &mut Option<Spanned<Money>>, what: &str, yuan: Decimal, diags: &mut Diagnostics| {
            let value = in_unit(yuan);
            match slot {
                None => *slot = Some(Spanned::new(span.clone(), value)),
                Some(typed) => differs(
                    typed.get_ref().0,
                    value.0,
                    typed.span(),
                    what,
                    &shown,
                    diags,
                ),
            }
        };
    if let Some(ly) = file.last_year.as_mut() {
        let ly = ly.get_mut();
        for (key, yuan) in figures {
            let slot = match key {
                "income" => &mut ly.income,
                "expenditure" => &mut ly.expenditure,
                "fiscal" => &mut ly.fiscal,
                "general" => &mut ly.general,
                "basic" => &mut ly.basic,
                "personnel" => &mut ly.personnel,
                "public" => &mut ly.public,
                _ => &mut ly.project,
            };
            let what = match key {
                "income" => "收入合计",
                "expenditure" => "支出合计",
                "fiscal" => "财政拨款",
                "general" => "一般公共预算",
                "basic" => "基本支出",
                "personnel" => "人员经费",
                "public" => "公用经费",
                _ => "项目支出",
            };
            taken(slot, what, yuan, diags);
        }
    }
    // Each 项 by code and source: last year's money of the same line.
    for line in &mut file.expenditure {
        let l = line.get_mut();
        let code = l.code.get_ref().trim().to_string();
        let source = l
            .source
            .as_ref()
            .map_or(Some(Source::General), |s| Source::parse(s.get_ref()));
        let Some(source) = source else { continue };
        let yuan = crate::records::total(&b.facts, |f| {
            f.spending() && f.function.as_deref() == Some(code.as_str()) && f.source == source
        });
        let what = format!("{code} {}", source.label());
        match &l.last_year {
            None => l.last_year = Some(Spanned::new(span.clone(), in_unit(yuan))),
            Some(typed) => differs(
                typed.get_ref().0,
                in_unit(yuan).0,
                typed.span(),
                &what,
                &shown,
                diags,
            ),
        }
    }
    // The 三公 items and 机关运行经费.
    if let (Some(s), Some(o)) = (file.sangong.as_mut(), crate::figures::Sangong::of(b)) {
        let s = s.get_mut();
        let ly = s
            .last_year
            .get_or_insert_with(|| Spanned::new(span.clone(), Default::default()));
        let ly = ly.get_mut();
        for (key, slot) in ly.items_mut() {
            let funds = o.this_year_funds(key);
            let value = crate::model::FundAmounts {
                general: in_unit(funds[0]).0,
                fund: in_unit(funds[1]).0,
                soe: in_unit(funds[2]).0,
            };
            match slot {
                None => *slot = Some(value),
                Some(typed) => {
                    let all = |f: &crate::model::FundAmounts| f.general + f.fund + f.soe;
                    differs(all(typed), all(&value), span.clone(), "三公", &shown, diags)
                }
            }
        }
        let value = in_unit(o.this_year("running_costs"));
        match &mut ly.running_costs {
            None => ly.running_costs = Some(value),
            Some(typed) => differs(typed.0, value.0, span.clone(), "三公", &shown, diags),
        }
    }
}

/// The other file `from` names relative to `base` (last year's budget, or
/// the budget of a 决算), checked as any other, and its path: `None` with an
/// error at `from` (rule
/// `rule`) when it is no regular file, cannot be read or has errors. Its
/// own `from` files are not followed (no chain can loop).
fn read_other(
    from: &Spanned<String>,
    base: Option<&Path>,
    rule: &'static str,
    (what_zh, what_en): (&str, &str),
    diags: &mut Diagnostics,
) -> Option<(crate::Checked, std::path::PathBuf)> {
    if READING.with(std::cell::Cell::get) {
        return None;
    }
    let span = &from.span();
    let path = &base.map_or_else(
        || Path::new(from.get_ref()).to_path_buf(),
        |b| b.join(from.get_ref()),
    );
    let shown = path.display();
    // A FIFO, a device or a directory is no budget: reading it could wait forever.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        diags.push(Diagnostic::error(
            rule,
            Some(span.clone()),
            text!(
                "{what_zh} {shown} 不是普通文件（目录、管道或设备），不读取",
                "{what_en} {shown} is not a regular file (a directory, pipe or device): not read"
            ),
        ));
        return None;
    }
    READING.with(|r| r.set(true));
    let read = crate::check_file_with(path, crate::Options::default());
    READING.with(|r| r.set(false));
    // Why no figure can be taken: the first error of the file, or why it cannot be read.
    let (first, broken) = match &read {
        Ok(c) => (
            c.diags
                .items
                .iter()
                .find(|d| d.severity == crate::diag::Severity::Error),
            true,
        ),
        Err(d) => (d.items.first(), false),
    };
    if first.is_some() || read.is_err() {
        let (zh, en) = first.map_or((String::new(), String::new()), |d| {
            (d.message.zh.clone(), d.message.en.clone())
        });
        let message = if broken {
            text!(
                "{what_zh} {shown} 有错误，不能取数：{zh}",
                "{what_en} {shown} has errors, no figure is taken from it: {en}"
            )
        } else {
            text!(
                "无法读取{what_zh} {shown}：{zh}",
                "cannot read {what_en} {shown}: {en}"
            )
        };
        diags.push(Diagnostic::error(rule, Some(span.clone()), message));
        return None;
    }
    read.ok().map(|c| (c, path.clone()))
}

/// A 部门决算's `[budget] from`: the year's 部门预算 file, whose spending and
/// 三公 figures join this ledger as its budget (年初预算数, `budgeted`),
/// never retyped. A budget figure typed here as well is compared with the
/// file's — by 项 and by 三公 item, a difference an error at the typed
/// figure — and gives way to it.
pub fn budget_from(
    file: &BudgetFile,
    base: Option<&Path>,
    budget: &mut crate::validate::Budget,
    diags: &mut Diagnostics,
) {
    let Some(given) = &file.budget else { return };
    let from = &given.get_ref().from;
    let span = from.span();
    if !budget.department.final_account {
        diags.push(Diagnostic::error(
            "budget-file",
            Some(span),
            text!(
                "[budget] from 只用于部门决算（样式 document = \"final\"）：部门预算没有另一份预算文件",
                "[budget] from belongs to a 部门决算 (a profile with document = \"final\"): a 部门预算 has no other budget file"
            ),
        ));
        return;
    }
    let Some((other, path)) = read_other(
        from,
        base,
        "budget-file",
        ("预算文件", "the budget file"),
        diags,
    ) else {
        return;
    };
    let shown = path.display();
    let (this, that) = (file.department.get_ref(), other.file.department.get_ref());
    let same_department = match (&this.code, &that.code) {
        (Some(a), Some(b)) => a.get_ref().trim() == b.get_ref().trim(),
        _ => this.name.get_ref().trim() == that.name.get_ref().trim(),
    };
    let (year, other_year) = (*this.year.get_ref(), *that.year.get_ref());
    let why = if other.budget.department.final_account {
        Some(text!(
            "{shown} 是部门决算，不是部门预算",
            "{shown} is a 部门决算, not a 部门预算"
        ))
    } else if other_year != year {
        Some(text!(
            "{shown} 是 {other_year} 年的预算，而本决算是 {year} 年的",
            "{shown} is the budget of {other_year}, and this final account is of {year}"
        ))
    } else if !same_department {
        let name = that.name.get_ref();
        Some(text!(
            "{shown} 是另一个部门（{name}）的预算",
            "{shown} is another department's budget ({name})"
        ))
    } else {
        None
    };
    if let Some(message) = why {
        diags.push(Diagnostic::error("budget-file", Some(span), message));
        return;
    }
    // The file's figures, as this ledger's budget.
    let as_budget = |f: &crate::records::Fact| {
        let mut f = f.clone();
        f.budgeted = true;
        f.record = false;
        f.span = span.clone();
        f
    };
    let taken: Vec<_> = other
        .budget
        .facts
        .iter()
        .filter(|f| f.spending())
        .map(as_budget)
        .collect();
    let taken_details: Vec<_> = other
        .budget
        .details
        .iter()
        .filter(|f| !f.last_year && matches!(f.detail, Some(crate::records::Detail::Sangong(_))))
        .map(as_budget)
        .collect();
    // Typed here too: compared by 项, and by 三公 item, then replaced.
    let by_key = |facts: &[crate::records::Fact], typed: bool| {
        let mut m: std::collections::BTreeMap<String, (Decimal, Range<usize>)> =
            std::collections::BTreeMap::new();
        for f in facts
            .iter()
            .filter(|f| f.budgeted && (f.record == typed || !typed))
        {
            let key = match (&f.detail, &f.function) {
                (Some(crate::records::Detail::Sangong(k)), _) => format!("三公 {k}"),
                (None, Some(code)) => format!("项 {code}"),
                _ => continue,
            };
            let e = m.entry(key).or_insert((Decimal::ZERO, f.span.clone()));
            e.0 += f.amount;
        }
        m
    };
    let typed = by_key(&budget.facts, true);
    let typed_details = by_key(&budget.details, false);
    let file_figures = by_key(&taken, false);
    let file_details = by_key(&taken_details, false);
    let factor = crate::validate::input_unit(file).yuan();
    for (typed, from_file) in [(&typed, &file_figures), (&typed_details, &file_details)] {
        for (key, (yuan, at)) in typed {
            let other = from_file.get(key).map_or(Decimal::ZERO, |x| x.0);
            if *yuan != other {
                let (t, f) = ((yuan / factor).normalize(), (other / factor).normalize());
                diags.push(Diagnostic::error(
                    "budget-file",
                    Some(at.clone()),
                    text!(
                        "{key} 的预算数 {t} 与预算文件 {shown} 中的 {f} 不符：预算数取自预算文件，请删去这里的数或改正预算文件",
                        "{key}: the budget figure {t} differs from {f} in the budget file {shown}; budget figures come from the budget file: delete this one or correct the file"
                    ),
                ));
            }
        }
    }
    budget.facts.retain(|f| !f.budgeted);
    budget.details.retain(|f| !f.budgeted);
    budget.facts.extend(taken);
    budget.details.extend(taken_details);
}

/// Why `other` is not last year's budget of `file`'s department: another
/// year than the one before, or another department (by code when both give
/// one, else by name). Every comparison would read its figures as last year's.
fn not_last_years(
    file: &BudgetFile,
    other: &BudgetFile,
    shown: &impl std::fmt::Display,
) -> Option<crate::diag::Text> {
    let (this, that) = (file.department.get_ref(), other.department.get_ref());
    let (want, year) = (*this.year.get_ref() - 1, *that.year.get_ref());
    if year != want {
        return Some(text!(
            "上年文件 {shown} 是 {year} 年的预算，不是 {want} 年的：[last_year] from 应指向上一年的文件",
            "last year's file {shown} is the budget of {year}, not of {want}: [last_year] from names the year before's file"
        ));
    }
    let same = match (&this.code, &that.code) {
        (Some(a), Some(b)) => a.get_ref().trim() == b.get_ref().trim(),
        _ => this.name.get_ref().trim() == that.name.get_ref().trim(),
    };
    if same {
        return None;
    }
    let name = |d: &crate::model::Department| match &d.code {
        Some(c) => format!("「{}」（代码 {}）", d.name.get_ref(), c.get_ref()),
        None => format!("「{}」", d.name.get_ref()),
    };
    let (theirs, ours) = (name(that), name(this));
    Some(text!(
        "上年文件 {shown} 是{theirs}的预算，不是本部门{ours}的",
        "last year's file {shown} is the budget of {theirs}, not of this department {ours}"
    ))
}

/// The file `[last_year] from` names in the TOML `text` of the file at
/// `input`, read without checking: what `--changed` and `watch` follow.
pub fn from_path(input: &Path, text: &str) -> Option<std::path::PathBuf> {
    other_path(input, text, "last_year")
}

/// The file `[table] from` names in `text` (`last_year`, `budget`),
/// relative to `input`'s directory.
pub fn other_path(input: &Path, text: &str, table: &str) -> Option<std::path::PathBuf> {
    let parsed = text.parse::<toml::Table>().ok()?;
    let from = parsed.get(table)?.get("from")?.as_str()?;
    Some(input.parent().unwrap_or(Path::new(".")).join(from))
}

/// The content of a regular file, or empty: a pipe named where a file is
/// expected must not hang whoever stamps it.
pub fn read_regular(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => std::fs::read_to_string(path).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A last-year figure typed by hand that last year's file does not give.
fn differs(
    typed: Decimal,
    from_file: Decimal,
    at: Range<usize>,
    what: &str,
    shown: &impl std::fmt::Display,
    diags: &mut Diagnostics,
) {
    // Compared at the digits typed: 3269.3 for 3269.30 is the same figure.
    if typed == from_file.round_dp(typed.scale()) {
        return;
    }
    let (t, f) = (typed.normalize(), from_file.normalize());
    diags.push(Diagnostic::warning(
        "last-year",
        Some(at),
        text!(
            "上年数 {t}（{what}）与上年文件 {shown} 中的 {f} 不符：请改为 {f}，或删去这一项由文件取数",
            "last year's {what} is typed as {t} but last year's file {shown} gives {f}: write {f}, or delete it and let the file give it"
        ),
    ));
}

/// Last year's typed totals against each other, whatever their source (a
/// region comparing with 预算执行数 types them by hand): 基本 + 项目 = 支出合计,
/// 人员 + 公用 = 基本, and 一般公共预算 ≤ 财政拨款 ≤ 支出合计 — within the
/// rounding of the digits written.
pub fn consistent(file: &BudgetFile, diags: &mut Diagnostics) {
    let Some(ly) = &file.last_year else { return };
    let ly = ly.get_ref();
    let v = |m: &Option<Spanned<Money>>| m.as_ref().map(|m| (m.get_ref().0, m.span()));
    let places = |xs: &[Decimal]| xs.iter().map(Decimal::scale).max().unwrap_or(2);
    type Slot = Option<Spanned<Money>>;
    let sums: [(&str, &str, &str, &Slot, &Slot, &Slot); 2] = [
        (
            "基本支出",
            "项目支出",
            "支出合计",
            &ly.basic,
            &ly.project,
            &ly.expenditure,
        ),
        (
            "人员经费",
            "公用经费",
            "基本支出",
            &ly.personnel,
            &ly.public,
            &ly.basic,
        ),
    ];
    for (a_name, b_name, t_name, a, b, t) in sums {
        let (Some((a, _)), Some((b, _)), Some((t, at))) = (v(a), v(b), v(t)) else {
            continue;
        };
        let p = places(&[a, b, t]);
        // Three printed figures: at most 1.5 units of the last place apart.
        let tolerance = Decimal::new(15, p + 1);
        if (a + b - t).abs() > tolerance {
            let f = |x: Decimal| crate::reconcile::fmt(x, p.max(2));
            let (s, a, b, t) = (f(a + b), f(a), f(b), f(t));
            diags.push(Diagnostic::warning(
                "last-year",
                Some(at),
                text!(
                    "上年数自身不一致：{a_name} {a} + {b_name} {b} = {s}，而{t_name}写的是 {t}",
                    "last year's figures disagree: {a_name} {a} + {b_name} {b} = {s}, but {t_name} is given as {t}"
                ),
            ));
        }
    }
    let order = [
        ("一般公共预算", &ly.general),
        ("财政拨款", &ly.fiscal),
        ("支出合计", &ly.expenditure),
    ];
    for pair in order.windows(2) {
        let [(small_name, small), (big_name, big)] = pair else {
            continue;
        };
        let (Some((s, at)), Some((b, _))) = (v(small), v(big)) else {
            continue;
        };
        if s > b {
            let f = |x: Decimal| crate::reconcile::fmt(x, x.scale().max(2));
            let (s, b) = (f(s), f(b));
            diags.push(Diagnostic::warning(
                "last-year",
                Some(at),
                text!(
                    "上年数自身不一致：{small_name} {s} 大于{big_name} {b}",
                    "last year's figures disagree: {small_name} {s} is more than {big_name} {b}"
                ),
            ));
        }
    }
}
