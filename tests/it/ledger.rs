//! Conservation, tried on random ledgers: money given as `[[fact]]` records
//! (dimensions present or missing, every kind, several sources and units)
//! beside `[[expenditure]]` lines, 三公 items (split or whole, by fund, a
//! region's own rows) and list-table rows, checked under every built-in
//! profile.
//! The invariant: either `check` names an error, or every printed table
//! whose columns count 功能分类 money shows in its 合计 exactly what the
//! records and lines put under its columns' sources and kinds — worked out
//! here from the generated input, not by the code under test. Nothing lost,
//! nothing counted twice.

use rust_decimal::Decimal;
use yusuan::domain::{Kind, Source};
use yusuan::records::Flow;
use yusuan::tables::{Measure, Shape, TableSpec};

use crate::common::Rng;

/// Whether a draw of `r` falls within `percent`.
fn chance(r: &mut Rng, percent: usize) -> bool {
    r.below(100) < percent
}

/// One amount as generated: what the test knows of it.
struct Amount {
    source: Source,
    kind: Kind,
    yuan: Decimal,
    function: &'static str,
}

const FUNCTIONS: [&str; 4] = ["2013201", "2013202", "2080501", "2130701"];
const SOURCES: [(&str, Source); 3] = [
    ("一般公共预算", Source::General),
    ("政府性基金", Source::Fund),
    ("事业收入", Source::Business),
];
const KINDS: [(&str, Kind); 4] = [
    ("人员经费", Kind::Personnel),
    ("公用经费", Kind::Public),
    ("基本支出", Kind::Basic),
    ("项目支出", Kind::Project),
];

/// A random department: its TOML and every amount it gives.
fn ledger(r: &mut Rng) -> (String, Vec<Amount>) {
    let (text, amounts, _) = department(r, &[]);
    (text, amounts)
}

/// What the test knows of the details it generated: each 三公 amount by
/// its fund, and each list table's amounts by column key.
#[derive(Default)]
struct Details {
    sangong: Vec<(Source, Decimal)>,
    lists: Vec<(String, String, Decimal)>,
}

/// A random department with 三公 items and rows for the list tables
/// `lists` (id and its amount columns' keys).
fn department(r: &mut Rng, lists: &[(String, Vec<String>)]) -> (String, Vec<Amount>, Details) {
    let (mut text, amounts) = spending(r);
    let mut details = Details::default();
    let money = |r: &mut Rng| Decimal::new(r.below(1_000_000) as i64, 2);
    if chance(r, 80) {
        let mut sangong = String::from("\n[sangong]\n");
        let leaves: &[&str] = if chance(r, 50) {
            &[
                "abroad",
                "vehicle_purchase",
                "vehicle_operation",
                "reception",
            ]
        } else {
            &[
                "abroad_research",
                "abroad_other",
                "vehicle_purchase",
                "vehicle_operation",
                "reception",
            ]
        };
        for leaf in leaves {
            if chance(r, 70) {
                let (general, fund) = (money(r), money(r));
                sangong.push_str(&format!(
                    "{leaf} = {{ general = {general}, fund = {fund} }}\n"
                ));
                details.sangong.push((Source::General, general));
                details.sangong.push((Source::Fund, fund));
            }
        }
        text.push_str(&sangong);
        for e in 0..r.below(3) {
            text.push_str(&format!("\n[[sangong.extra]]\nname = \"其他{e}\"\n"));
            if chance(r, 50) {
                let v = money(r);
                text.push_str(&format!("amount = {v}\n"));
                details.sangong.push((Source::General, v));
            } else {
                text.push_str("items = [\n");
                for i in 0..1 + r.below(3) {
                    let v = money(r);
                    text.push_str(&format!("  {{ name = \"项{i}\", amount = {v} }},\n"));
                    details.sangong.push((Source::General, v));
                }
                text.push_str("]\n");
            }
        }
    }
    for (id, keys) in lists {
        for _ in 0..r.below(4) {
            text.push_str(&format!("\n[[list.{id}]]\n"));
            for key in keys {
                if chance(r, 80) {
                    let v = money(r);
                    text.push_str(&format!("{key} = {v}\n"));
                    details.lists.push((id.clone(), key.clone(), v));
                }
            }
        }
    }
    (text, amounts, details)
}

/// The spending part of a random department: its TOML and every amount.
fn spending(r: &mut Rng) -> (String, Vec<Amount>) {
    let mut text = String::from(
        "[department]\nname = \"测试局\"\ncode = \"101\"\nyear = 2025\nunit = \"元\"\n",
    );
    let mut amounts = vec![];
    for _ in 0..1 + r.below(8) {
        let (source_name, source) = SOURCES[r.below(SOURCES.len())];
        let (kind_name, kind) = KINDS[r.below(KINDS.len())];
        let yuan = Decimal::new(1 + r.below(10_000_000) as i64, 2);
        text.push_str("\n[[fact]]\n");
        if chance(r, 85) {
            text.push_str(&format!("unit = \"10100{}\"\n", 1 + r.below(2)));
        }
        let function = FUNCTIONS[r.below(4)];
        text.push_str(&format!("function = \"{function}\"\n"));
        let economic = match kind {
            Kind::Personnel => "30101",
            Kind::Public | Kind::Basic => "30201",
            _ => ["30201", "31002"][r.below(2)],
        };
        if chance(r, 85) {
            text.push_str(&format!("economic = \"{economic}\"\n"));
        }
        if chance(r, 85) {
            let government = if economic == "30101" {
                "50101"
            } else {
                "50201"
            };
            text.push_str(&format!("government = \"{government}\"\n"));
        }
        if kind == Kind::Project && chance(r, 70) {
            text.push_str(&format!("project = \"项目{}\"\n", r.below(3)));
        }
        text.push_str(&format!(
            "source = \"{source_name}\"\nkind = \"{kind_name}\"\namount = {yuan}\n"
        ));
        amounts.push(Amount {
            source,
            kind,
            yuan,
            function,
        });
    }
    // Now and then a line of today's form beside the records.
    if chance(r, 30) {
        let yuan = Decimal::new(1 + r.below(1_000_000) as i64, 2);
        text.push_str(&format!(
            "\n[[expenditure]]\ncode = \"2013299\"\nproject = {yuan}\n"
        ));
        amounts.push(Amount {
            source: Source::General,
            kind: Kind::Project,
            yuan,
            function: "2013299",
        });
    }
    (text, amounts)
}

/// What column `i` of `spec` must add up to, from the generated amounts;
/// `None` for a column that is not a grouping of 功能分类 money.
fn expected(spec: &TableSpec, i: usize, amounts: &[Amount], depth: usize) -> Option<Decimal> {
    if depth > spec.columns.len() {
        return None;
    }
    let column = &spec.columns[i];
    if column.budgeted {
        return Some(Decimal::ZERO); // no budget figures are generated
    }
    match &column.measure {
        // A 部门决算's income mirrors its spending by source (see `received`);
        // no balances are generated.
        Measure::Lines(sources, _) if column.flow != Flow::Spending => Some(
            amounts
                .iter()
                .filter(|a| column.flow == Flow::Income && sources.contains(&a.source))
                .filter(|a| match &spec.shape {
                    Shape::Function(s) => s.contains(&a.source),
                    _ => true,
                })
                .map(|a| a.yuan)
                .sum(),
        ),
        Measure::Lines(sources, kinds) => {
            let shape_sources: Option<&Vec<Source>> = match &spec.shape {
                Shape::Function(s) => Some(s),
                _ => None,
            };
            Some(
                amounts
                    .iter()
                    .filter(|a| sources.contains(&a.source))
                    .filter(|a| shape_sources.is_none_or(|s| s.contains(&a.source)))
                    .filter(|a| {
                        kinds.contains(&a.kind)
                            || (matches!(a.kind, Kind::Personnel | Kind::Public)
                                && kinds.contains(&Kind::Basic))
                    })
                    .map(|a| a.yuan)
                    .sum(),
            )
        }
        Measure::Sum(parts) => parts
            .iter()
            .map(|p| {
                spec.column(p)
                    .and_then(|j| expected(spec, j, amounts, depth + 1))
            })
            .sum(),
        _ => None,
    }
}

/// A 部门决算 receives what it spends (no balances): each amount again as
/// income of its 项 and source, so that the 决算 identity holds.
fn received(amounts: &[Amount]) -> String {
    let mut text = String::new();
    for a in amounts {
        let source = SOURCES
            .iter()
            .find(|(_, s)| *s == a.source)
            .map_or("一般公共预算", |x| x.0);
        text.push_str(&format!(
            "\n[[fact]]\nfunction = \"{}\"\nsource = \"{source}\"\nflow = \"收入\"\namount = {}\n",
            a.function, a.yuan
        ));
    }
    text
}

/// Ledgers tried per profile: 300 × 7 profiles take about 1.5 s (2000 were
/// tried once, clean).
const SEEDS: u64 = 300;

#[test]
fn every_tables_total_is_the_ledgers_or_an_error_is_named() {
    let mut clean = std::collections::BTreeMap::<&str, usize>::new();
    let mut compared = 0usize;
    for profile in yusuan::profile::names() {
        for seed in 1..=SEEDS {
            let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ profile.len() as u64);
            let (mut text, amounts) = ledger(&mut r);
            if yusuan::profile::find(profile).is_some_and(|p| p.final_account) {
                text.push_str(&received(&amounts));
            }
            let text = text.replace(
                "year = 2025\n",
                &format!("year = 2025\nprofile = \"{profile}\"\n"),
            );
            let checked = match yusuan::check_str("t.toml", &text) {
                Ok(c) => c,
                Err(d) => panic!("{profile} seed {seed}: not loaded: {d}\n{text}"),
            };
            if checked.diags.has_errors() {
                if std::env::var("LEDGER_DEBUG").is_ok() {
                    for d in checked
                        .diags
                        .items
                        .iter()
                        .filter(|d| d.severity == yusuan::diag::Severity::Error)
                    {
                        eprintln!("{profile} {}: {}", d.rule, d.message.zh);
                    }
                }
                continue; // a located error: nothing printed silently wrong
            }
            *clean.entry(profile).or_default() += 1;
            let tables = checked.report.tables.as_ref().unwrap();
            for t in tables.trees() {
                let spec = t.spec;
                if matches!(spec.shape, Shape::List | Shape::Economic) {
                    continue;
                }
                for (i, column) in spec.columns.iter().enumerate() {
                    let Some(want) = expected(spec, i, &amounts, 0) else {
                        continue;
                    };
                    let got = t.rows[0]
                        .cells
                        .get(column.key.as_str())
                        .copied()
                        .unwrap_or_default();
                    assert_eq!(
                        got,
                        t.unit.from_yuan(want),
                        "{profile} seed {seed}: {} column {} — 合计 prints {got}, the ledger gives {want} 元\n{text}",
                        t.title,
                        column.key
                    );
                    compared += 1;
                }
            }
        }
    }
    // The invariant is not met by refusing everything: most ledgers check
    // clean under each profile, and their tables are compared.
    for profile in yusuan::profile::names() {
        let n = clean.get(profile).copied().unwrap_or(0);
        assert!(
            n >= SEEDS as usize / 10,
            "{profile}: only {n} of {SEEDS} random ledgers checked clean"
        );
    }
    assert!(compared > 2000, "{compared} totals compared");
}

/// 三公 items and list rows are facts too: every 三公 table's 合计 is what
/// the generated items put under its columns' funds, every list table's
/// 合计 what its rows put under each amount column — or `check` names an
/// error. Nothing lost, nothing counted twice.
#[test]
fn every_detail_is_in_its_table_or_an_error_is_named() {
    let mut compared = 0usize;
    for profile in yusuan::profile::builtins() {
        let lists: Vec<(String, Vec<String>)> = profile
            .tables
            .iter()
            .filter(|t| matches!(t.shape, Shape::List))
            .map(|t| {
                let keys = t
                    .columns
                    .iter()
                    .filter(|c| matches!(c.measure, Measure::Typed));
                (t.id.clone(), keys.map(|c| c.key.clone()).collect())
            })
            .collect();
        for seed in 1..=SEEDS / 3 {
            let mut r = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ profile.name.len() as u64);
            let (text, _, details) = department(&mut r, &lists);
            let text = text.replace(
                "year = 2025\n",
                &format!("year = 2025\nprofile = \"{}\"\n", profile.name),
            );
            let checked = match yusuan::check_str("t.toml", &text) {
                Ok(c) => c,
                Err(d) => panic!("{} seed {seed}: not loaded: {d}\n{text}", profile.name),
            };
            if checked.diags.has_errors() {
                continue;
            }
            let tables = checked.report.tables.as_ref().unwrap();
            let sangong = &tables.sangong;
            let total = sangong.row("合计").expect("a 合计 row");
            for (i, column) in sangong.spec.columns.iter().enumerate() {
                let Measure::Lines(sources, _) = &column.measure else {
                    continue;
                };
                let want: Decimal = details
                    .sangong
                    .iter()
                    .filter(|(s, _)| sources.contains(s))
                    .map(|(_, v)| *v)
                    .sum();
                assert_eq!(
                    total.values[i],
                    sangong.unit.from_yuan(want),
                    "{} seed {seed}: 三公 {} — 合计 prints {}, the items give {want} 元\n{text}",
                    profile.name,
                    column.key,
                    total.values[i]
                );
                compared += 1;
            }
            for (id, keys) in &lists {
                let table = tables.trees().into_iter().find(|t| t.id == id).unwrap();
                for key in keys {
                    let want: Decimal = details
                        .lists
                        .iter()
                        .filter(|(i, k, _)| i == id && k == key)
                        .map(|(_, _, v)| *v)
                        .sum();
                    let got = table.rows[0]
                        .cells
                        .get(key.as_str())
                        .copied()
                        .unwrap_or_default();
                    assert_eq!(
                        got,
                        table.unit.from_yuan(want),
                        "{} seed {seed}: {id} {key}\n{text}",
                        profile.name
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "{compared} totals compared");
}
