//! Conservation, tried on random ledgers: money given as `[[fact]]` records
//! (dimensions present or missing, every kind, several sources and units)
//! beside `[[expenditure]]` lines, checked under every built-in profile.
//! The invariant: either `check` names an error, or every printed table
//! whose columns count 功能分类 money shows in its 合计 exactly what the
//! records and lines put under its columns' sources and kinds — worked out
//! here from the generated input, not by the code under test. Nothing lost,
//! nothing counted twice.

use rust_decimal::Decimal;
use yusuan::domain::{Kind, Source};
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
        text.push_str(&format!("function = \"{}\"\n", FUNCTIONS[r.below(4)]));
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
        amounts.push(Amount { source, kind, yuan });
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
    match &spec.columns[i].measure {
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
            let (text, amounts) = ledger(&mut r);
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
