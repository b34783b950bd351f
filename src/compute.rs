//! From a validated budget to the nine tables: every subtotal and total is
//! derived here from the leaves, exactly (no rounding: that is the printer's).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalogue::{self, FUNCTION_CLASSES};
use crate::validate::{Budget, Department, Funds, Source};

/// One row of a classification tree table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// Code (empty for the 合计 row).
    pub code: String,
    /// Name.
    pub name: String,
    /// 0 for 合计, 1 for 类, 2 for 款, 3 for 项.
    pub level: u8,
    /// One value per amount column, in the printing unit.
    pub values: Vec<Decimal>,
    /// How many typed leaves this row sums (1 for a leaf).
    pub leaves: usize,
}

/// A table whose rows are a classification tree (tables 2, 3, 5, 6, 7, 8).
#[derive(Debug, Clone, Serialize)]
pub struct TreeTable {
    /// Stable id: `income`, `expenditure`, `general`, `basic`, `fund`, `soe`.
    pub id: &'static str,
    /// Table number, 1–9.
    pub number: u8,
    /// Title.
    pub title: String,
    /// Amount column names.
    pub columns: Vec<&'static str>,
    /// Rows: 合计 first, then the tree in code order.
    pub rows: Vec<Row>,
    /// Note printed under the table.
    pub note: Option<String>,
}

impl TreeTable {
    /// The row with `code` (`""` or `"合计"` for the total row).
    pub fn row(&self, code: &str) -> Option<&Row> {
        let code = if code == "合计" { "" } else { code };
        self.rows.iter().find(|r| r.code == code)
    }

    /// Whether the table has no money at all.
    pub fn is_empty(&self) -> bool {
        self.rows
            .first()
            .is_none_or(|r| r.values.iter().all(|v| v.is_zero()))
    }
}

/// One row of a two-sided table (tables 1 and 4): income left, spending right.
#[derive(Debug, Clone, Serialize)]
pub struct PairRow {
    /// Left label (may be empty).
    pub left: String,
    /// Left amount (None: the cell stays blank).
    pub left_value: Option<Decimal>,
    /// Right label.
    pub right: String,
    /// Right amounts.
    pub right_values: Vec<Decimal>,
    /// Stable key of the row for declared checks (`201`, `income_total`, …).
    pub key: String,
}

/// Tables 1 and 4.
#[derive(Debug, Clone, Serialize)]
pub struct PairTable {
    /// `summary` or `fiscal`.
    pub id: &'static str,
    /// Table number.
    pub number: u8,
    /// Title.
    pub title: String,
    /// Right-hand amount column names.
    pub columns: Vec<&'static str>,
    /// Rows in printing order.
    pub rows: Vec<PairRow>,
    /// Note printed under the table.
    pub note: Option<String>,
}

/// One row of the 三公 table.
#[derive(Debug, Clone, Serialize)]
pub struct SangongRow {
    /// Stable key for declared checks: `合计`, `小计`, `abroad`, … or the extra row's name.
    pub key: String,
    /// Label as printed.
    pub label: String,
    /// 0: 合计/小计 rows, 1: 一、… rows, 2: 其中 rows.
    pub level: u8,
    /// 合计, 一般公共预算, 政府性基金, 国有资本经营.
    pub values: Vec<Decimal>,
    /// How many typed leaves the row sums.
    pub leaves: usize,
}

/// Table 9.
#[derive(Debug, Clone, Serialize)]
pub struct SangongTable {
    /// `sangong`.
    pub id: &'static str,
    /// Table number.
    pub number: u8,
    /// Title.
    pub title: String,
    /// Amount column names.
    pub columns: Vec<&'static str>,
    /// Rows.
    pub rows: Vec<SangongRow>,
    /// Note printed under the table.
    pub note: Option<String>,
}

impl SangongTable {
    /// The row with key `key`.
    pub fn row(&self, key: &str) -> Option<&SangongRow> {
        self.rows.iter().find(|r| r.key == key)
    }
}

/// The nine tables.
#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    /// 1 部门预算收支总表.
    pub summary: PairTable,
    /// 2 部门预算收入总表.
    pub income: TreeTable,
    /// 3 部门预算支出总表.
    pub expenditure: TreeTable,
    /// 4 部门预算财政拨款收支总表.
    pub fiscal: PairTable,
    /// 5 一般公共预算财政拨款支出表.
    pub general: TreeTable,
    /// 6 一般公共预算财政拨款基本支出表.
    pub basic: TreeTable,
    /// 7 政府性基金预算财政拨款支出表.
    pub fund: TreeTable,
    /// 8 国有资本经营预算财政拨款支出表.
    pub soe: TreeTable,
    /// 9 财政拨款"三公"经费支出表.
    pub sangong: SangongTable,
}

/// Everything a template sees: the computed document.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Header data of every table.
    pub department: Department,
    /// The nine tables, when the file has budget lines.
    pub tables: Option<Tables>,
    /// The project performance tables, when the file has projects.
    pub projects: Option<crate::projects::ProjectReport>,
}

/// Income columns of table 2.
pub const INCOME_COLUMNS: &[&str] = &[
    "合计",
    "小计",
    "财政拨款收入",
    "财政专户收入",
    "事业收入",
    "经营收入",
    "上级补助收入",
    "附属单位上缴收入",
    "其他收入",
    "上年结转",
];
/// Spending columns of table 3.
pub const EXPENDITURE_COLUMNS: &[&str] = &[
    "合计",
    "基本支出",
    "项目支出",
    "经营支出",
    "上解上级支出",
    "对附属单位补助支出",
];
/// Columns of tables 5, 7, 8.
pub const FISCAL_SPENDING_COLUMNS: &[&str] = &["合计", "基本支出", "项目支出"];
/// Columns of table 6.
pub const BASIC_COLUMNS: &[&str] = &["合计", "人员经费", "公用经费"];
/// Columns of tables 4 (right side) and 9.
pub const FUND_COLUMNS: &[&str] = &[
    "合计",
    "一般公共预算财政拨款",
    "政府性基金预算财政拨款",
    "国有资本经营预算财政拨款",
];

/// Computes the nine tables of `budget`.
pub fn compute(budget: &Budget) -> Tables {
    let note = |id: &str| budget.notes.get(id).cloned();
    let title = |t: &str| format!("部门预算{t}");

    // Table 2: per leaf, amounts by source.
    let income_leaves = leaves(
        budget,
        |l| true_for(l.source),
        |l| {
            let total: Decimal = l.kinds.iter().sum();
            let mut v = vec![Decimal::ZERO; INCOME_COLUMNS.len()];
            let col = match l.source {
                Source::General | Source::Fund | Source::Soe => 2,
                Source::SpecialAccount => 3,
                Source::Business => 4,
                Source::Operating => 5,
                Source::Superior => 6,
                Source::Subsidiary => 7,
                Source::Other => 8,
                Source::Carryover => 9,
            };
            v[col] = total;
            v[0] = total;
            if col != 9 {
                v[1] = total;
            }
            v
        },
    );
    let income = tree_table(
        Head {
            id: "income",
            number: 2,
            title: title("收入总表"),
            note: note("income"),
        },
        INCOME_COLUMNS,
        &income_leaves,
        budget,
        &[3, 5, 7],
    );

    // Table 3: per leaf, amounts by kind.
    let spend = |l: &crate::validate::Line| {
        let mut v = vec![l.kinds.iter().sum()];
        v.extend_from_slice(&l.kinds);
        v
    };
    let exp_leaves = leaves(budget, |_| true, spend);
    let expenditure = tree_table(
        Head {
            id: "expenditure",
            number: 3,
            title: title("支出总表"),
            note: note("expenditure"),
        },
        EXPENDITURE_COLUMNS,
        &exp_leaves,
        budget,
        &[3, 5, 7],
    );

    // Tables 5, 7, 8: one fund each, basic and project.
    let fiscal_table = |id: &'static str, number: u8, t: &str, source: Source| {
        let lv = leaves(
            budget,
            |l| l.source == source,
            |l| vec![l.kinds[0] + l.kinds[1], l.kinds[0], l.kinds[1]],
        );
        let head = Head {
            id,
            number,
            title: title(t),
            note: note(id),
        };
        let mut table = tree_table(head, FISCAL_SPENDING_COLUMNS, &lv, budget, &[3, 5, 7]);
        if lv.is_empty() {
            table.rows.clear();
        }
        table
    };
    let general = fiscal_table("general", 5, "一般公共预算财政拨款支出表", Source::General);
    let mut fund = fiscal_table("fund", 7, "政府性基金预算财政拨款支出表", Source::Fund);
    let mut soe = fiscal_table("soe", 8, "国有资本经营预算财政拨款支出表", Source::Soe);
    for (t, default) in [
        (&mut fund, "注：无政府性基金预算财政拨款预算，空表列示。"),
        (&mut soe, "注：无国有资本经营预算财政拨款预算，空表列示。"),
    ] {
        if t.note.is_none() && t.is_empty() {
            t.note = Some(default.to_string());
        }
    }

    // Table 6: economic classification.
    let econ_leaves: Vec<(String, String, Vec<Decimal>)> = {
        let mut m: BTreeMap<String, (String, Vec<Decimal>)> = BTreeMap::new();
        for e in &budget.economic {
            let v = if e.personnel {
                vec![e.amount, e.amount, Decimal::ZERO]
            } else {
                vec![e.amount, Decimal::ZERO, e.amount]
            };
            m.insert(e.code.clone(), (e.name.clone(), v));
        }
        m.into_iter().map(|(c, (n, v))| (c, n, v)).collect()
    };
    let basic = tree_table(
        Head {
            id: "basic",
            number: 6,
            title: title("一般公共预算财政拨款基本支出表"),
            note: note("basic"),
        },
        BASIC_COLUMNS,
        &econ_leaves,
        budget,
        &[3, 5],
    );

    let summary = summary_table(budget, &income, &expenditure, note("summary"));
    let fiscal = fiscal_summary(budget, note("fiscal"));
    let sangong = sangong_table(budget, note("sangong"));

    Tables {
        summary,
        income,
        expenditure,
        fiscal,
        general,
        basic,
        fund,
        soe,
        sangong,
    }
}

/// Id, number, title and note of a table.
struct Head {
    id: &'static str,
    number: u8,
    title: String,
    note: Option<String>,
}

fn true_for(_: Source) -> bool {
    true
}

/// Leaves (code, name, values) of the lines passing `keep`, merged by code.
fn leaves(
    budget: &Budget,
    keep: impl Fn(&crate::validate::Line) -> bool,
    values: impl Fn(&crate::validate::Line) -> Vec<Decimal>,
) -> Vec<(String, String, Vec<Decimal>)> {
    let mut m: BTreeMap<String, (String, Vec<Decimal>)> = BTreeMap::new();
    for l in budget.lines.iter().filter(|l| keep(l)) {
        let v = values(l);
        let e = m
            .entry(l.code.clone())
            .or_insert_with(|| (l.name.clone(), vec![Decimal::ZERO; v.len()]));
        add_into(&mut e.1, &v);
    }
    m.into_iter().map(|(c, (n, v))| (c, n, v)).collect()
}

fn add_into(acc: &mut [Decimal], v: &[Decimal]) {
    for (a, b) in acc.iter_mut().zip(v) {
        *a += *b;
    }
}

/// Builds 合计 + the tree over `leaves` with prefix lengths `levels` (the last is the leaf's).
fn tree_table(
    head: Head,
    columns: &[&'static str],
    leaves: &[(String, String, Vec<Decimal>)],
    budget: &Budget,
    levels: &[usize],
) -> TreeTable {
    let Head {
        id,
        number,
        title,
        note,
    } = head;
    let n = columns.len();
    let mut total = Row {
        code: String::new(),
        name: "合计".into(),
        level: 0,
        values: vec![Decimal::ZERO; n],
        leaves: 0,
    };
    // Group rows per prefix, in code order: a BTreeMap over codes gives DFS order
    // because a parent's code is a prefix of its children's.
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for (code, name, values) in leaves {
        add_into(&mut total.values, values);
        total.leaves += 1;
        for (depth, &len) in levels.iter().enumerate() {
            let key = code[..len.min(code.len())].to_string();
            let is_leaf = depth + 1 == levels.len();
            let row = rows.entry(key.clone()).or_insert_with(|| Row {
                name: if is_leaf {
                    name.clone()
                } else {
                    budget.names.get(&key).cloned().unwrap_or_default()
                },
                code: key,
                level: depth as u8 + 1,
                values: vec![Decimal::ZERO; n],
                leaves: 0,
            });
            add_into(&mut row.values, values);
            row.leaves += 1;
        }
    }
    let mut out = vec![total];
    out.extend(rows.into_values());
    TreeTable {
        id,
        number,
        title,
        columns: columns.to_vec(),
        rows: out,
        note,
    }
}

fn class_rows(values_of: impl Fn(&str) -> Vec<Decimal>) -> Vec<(String, String, Vec<Decimal>)> {
    FUNCTION_CLASSES
        .iter()
        .enumerate()
        .map(|(i, (code, name))| {
            (
                code.to_string(),
                format!("{}、{}", catalogue::chinese_number(i + 1), name),
                values_of(code),
            )
        })
        .collect()
}

fn summary_table(
    budget: &Budget,
    income: &TreeTable,
    expenditure: &TreeTable,
    note: Option<String>,
) -> PairTable {
    let inc = &income.rows[0].values;
    let by_source = |s: Source| -> Decimal {
        budget
            .lines
            .iter()
            .filter(|l| l.source == s)
            .map(|l| l.kinds.iter().sum::<Decimal>())
            .sum()
    };
    let unit_funds = by_source(Source::Business)
        + by_source(Source::Operating)
        + by_source(Source::Superior)
        + by_source(Source::Subsidiary)
        + by_source(Source::Other);
    let left: Vec<(&str, Decimal)> = vec![
        ("一、一般公共预算拨款收入", by_source(Source::General)),
        ("二、政府性基金预算拨款收入", by_source(Source::Fund)),
        ("三、国有资本经营预算拨款收入", by_source(Source::Soe)),
        (
            "四、财政专户管理资金收入",
            by_source(Source::SpecialAccount),
        ),
        ("五、单位资金", unit_funds),
    ];
    let classes = class_rows(|code| {
        vec![
            expenditure
                .row(code)
                .filter(|_| !code.is_empty())
                .map_or(Decimal::ZERO, |r| r.values[0]),
        ]
    });
    let mut rows = Vec::new();
    for (i, (code, label, values)) in classes.into_iter().enumerate() {
        let (l, lv) = left.get(i).map_or(("", None), |(l, v)| (*l, Some(*v)));
        rows.push(PairRow {
            left: l.into(),
            left_value: lv,
            right: label,
            right_values: values,
            key: code,
        });
    }
    let this_year = inc[1];
    let carry = inc[9];
    let spend = expenditure.rows[0].values[0];
    let mut push = |l: &str, lv: Decimal, r: &str, rv: Decimal, key: &str| {
        rows.push(PairRow {
            left: l.into(),
            left_value: Some(lv),
            right: r.into(),
            right_values: vec![rv],
            key: key.into(),
        });
    };
    push("本年收入合计", this_year, "本年支出合计", spend, "本年合计");
    push(
        "上年结转结余",
        carry,
        "年终结转结余",
        Decimal::ZERO,
        "结转结余",
    );
    push("收入总计", this_year + carry, "支出总计", spend, "总计");
    PairTable {
        id: "summary",
        number: 1,
        title: "部门预算收支总表".into(),
        columns: vec!["预算数"],
        rows,
        note,
    }
}

fn fiscal_summary(budget: &Budget, note: Option<String>) -> PairTable {
    let fund_of = |s: Source| match s {
        Source::General => Some(1),
        Source::Fund => Some(2),
        Source::Soe => Some(3),
        _ => None,
    };
    let mut per_class: BTreeMap<&str, Vec<Decimal>> = BTreeMap::new();
    let mut totals = vec![Decimal::ZERO; 4];
    for l in &budget.lines {
        if let Some(col) = fund_of(l.source) {
            let amount: Decimal = l.kinds.iter().sum();
            let v = per_class
                .entry(&l.code[..3])
                .or_insert_with(|| vec![Decimal::ZERO; 4]);
            v[0] += amount;
            v[col] += amount;
            totals[0] += amount;
            totals[col] += amount;
        }
    }
    let left: Vec<(&str, Decimal)> = vec![
        ("一、一般公共预算拨款", totals[1]),
        ("二、政府性基金预算拨款", totals[2]),
        ("三、国有资本经营预算拨款", totals[3]),
    ];
    let mut rows = Vec::new();
    for (i, (code, label, values)) in class_rows(|code| {
        per_class
            .get(code)
            .cloned()
            .unwrap_or_else(|| vec![Decimal::ZERO; 4])
    })
    .into_iter()
    .enumerate()
    {
        let (l, lv) = left.get(i).map_or(("", None), |(l, v)| (*l, Some(*v)));
        rows.push(PairRow {
            left: l.into(),
            left_value: lv,
            right: label,
            right_values: values,
            key: code,
        });
    }
    let zero4 = vec![Decimal::ZERO; 4];
    let mut push = |l: &str, lv: Option<Decimal>, r: &str, rv: Vec<Decimal>, key: &str| {
        rows.push(PairRow {
            left: l.into(),
            left_value: lv,
            right: r.into(),
            right_values: rv,
            key: key.into(),
        });
    };
    push(
        "本年收入合计",
        Some(totals[0]),
        "本年支出合计",
        totals.clone(),
        "本年合计",
    );
    push(
        "年初财政拨款结转和结余",
        Some(Decimal::ZERO),
        "年末财政拨款结转和结余",
        zero4.clone(),
        "结转结余",
    );
    push(
        "一、一般公共预算拨款",
        Some(Decimal::ZERO),
        "",
        zero4.clone(),
        "年初一般",
    );
    push(
        "二、政府性基金预算拨款",
        Some(Decimal::ZERO),
        "",
        zero4.clone(),
        "年初基金",
    );
    push(
        "三、国有资本经营预算拨款",
        Some(Decimal::ZERO),
        "",
        zero4,
        "年初国资",
    );
    push(
        "收入总计",
        Some(totals[0]),
        "支出总计",
        totals.clone(),
        "总计",
    );
    PairTable {
        id: "fiscal",
        number: 4,
        title: "部门预算财政拨款收支总表".into(),
        columns: FUND_COLUMNS.to_vec(),
        rows,
        note,
    }
}

fn with_total(f: Funds) -> Vec<Decimal> {
    vec![f[0] + f[1] + f[2], f[0], f[1], f[2]]
}

fn sum_funds(parts: &[Funds]) -> Funds {
    let mut out = [Decimal::ZERO; 3];
    for p in parts {
        for i in 0..3 {
            out[i] += p[i];
        }
    }
    out
}

fn sangong_table(budget: &Budget, note: Option<String>) -> SangongTable {
    let s = budget.sangong.clone().unwrap_or_default();
    let abroad = sum_funds(&[s.abroad_research, s.abroad_other]);
    let vehicle = sum_funds(&[s.vehicle_purchase, s.vehicle_operation]);
    let subtotal = sum_funds(&[abroad, vehicle, s.reception]);
    let mut rows = Vec::new();
    let mut row = |key: &str, label: String, level: u8, f: Funds, leaves: usize| {
        rows.push(SangongRow {
            key: key.into(),
            label,
            level,
            values: with_total(f),
            leaves,
        });
    };
    let extra_total = |e: &crate::validate::SangongExtra| {
        if e.items.is_empty() {
            e.own
        } else {
            sum_funds(&e.items.iter().map(|i| i.1).collect::<Vec<_>>())
        }
    };
    let mut all = vec![subtotal];
    all.extend(s.extra.iter().map(extra_total));
    let extra_leaves: usize = s.extra.iter().map(|e| e.items.len().max(1)).sum();
    row("合计", "合计".into(), 0, sum_funds(&all), 5 + extra_leaves);
    row("小计", "“三公”经费小计".into(), 0, subtotal, 5);
    row("abroad", "一、因公出国（境）费".into(), 1, abroad, 2);
    row(
        "abroad_research",
        "其中：教学科研人员因公出国（境）费".into(),
        2,
        s.abroad_research,
        1,
    );
    row(
        "abroad_other",
        "其他因公出国（境）费".into(),
        3,
        s.abroad_other,
        1,
    );
    row("vehicle", "二、公务用车购置及运维费".into(), 1, vehicle, 2);
    row(
        "vehicle_purchase",
        "其中：公务用车购置费".into(),
        2,
        s.vehicle_purchase,
        1,
    );
    row(
        "vehicle_operation",
        "公务用车运行维护费".into(),
        3,
        s.vehicle_operation,
        1,
    );
    row("reception", "三、公务接待费".into(), 1, s.reception, 1);
    for (i, e) in s.extra.iter().enumerate() {
        let (name, items) = (&e.name, &e.items);
        let label = format!("{}、{}", catalogue::chinese_number(i + 4), name);
        row(name, label, 1, extra_total(e), items.len().max(1));
        for (j, (iname, ifunds)) in items.iter().enumerate() {
            let label = if j == 0 {
                format!("其中：{iname}")
            } else {
                iname.clone()
            };
            row(
                &format!("{name}/{iname}"),
                label,
                if j == 0 { 2 } else { 3 },
                *ifunds,
                1,
            );
        }
    }
    SangongTable {
        id: "sangong",
        number: 9,
        title: "部门预算财政拨款“三公”经费支出表".into(),
        columns: FUND_COLUMNS.to_vec(),
        rows,
        note,
    }
}
