//! The rows of `rows = "list"` tables, typed in the budget file under
//! `[[list.<id>]]`: tables no classification makes (政府购买服务明细表,
//! 政府采购 by category). Each row's cells are checked against the table's
//! columns here; [`crate::compute`] adds the amount columns into the 合计 row
//! and computes the sum columns, [`crate::reconcile`] checks them.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::Source;
use crate::model::{BudgetFile, ListCell};
use crate::profile::Profile;
use crate::records::{Detail, Fact};
use crate::tables::{Measure, Shape};
use crate::text;

pub use crate::records::ListRow;

/// Reads `[[list.<id>]]` against the profile's list tables: an id that is no
/// list table, a key that is no column, a text where an amount belongs, a
/// typed sum (sums are computed) and every amount rule are errors at their place.
/// Returns the rows' texts by table id, and their amounts as facts of the
/// ledger ([`Detail::List`]).
pub fn read(
    file: &BudgetFile,
    profile: &Profile,
    diags: &mut Diagnostics,
) -> (BTreeMap<String, Vec<ListRow>>, Vec<Fact>) {
    let factor = crate::validate::input_unit(file).yuan();
    let decimals = crate::validate::input_decimals(file);
    let mut out = BTreeMap::new();
    let mut facts = vec![];
    for (id, rows) in &file.list {
        let spec = profile
            .tables
            .iter()
            .find(|t| &t.id == id && matches!(t.shape, Shape::List));
        let Some(spec) = spec else {
            let valid = profile
                .tables
                .iter()
                .filter(|t| matches!(t.shape, Shape::List))
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let valid = if valid.is_empty() {
                "—".into()
            } else {
                valid
            };
            let name = &profile.name;
            diags.push(Diagnostic::error(
                "list",
                rows.first().map(|r| r.span()),
                text!(
                    "[[list.{id}]]：配置 {name} 没有 rows = \"list\" 的表 \"{id}\"；可用：{valid}",
                    "[[list.{id}]]: profile {name} has no table \"{id}\" with rows = \"list\"; valid: {valid}"
                ),
            ));
            continue;
        };
        let mut read_rows = vec![];
        for (k, row) in rows.iter().enumerate() {
            let mut r = ListRow::default();
            for (key, cell) in row.get_ref() {
                let Some(col) = spec.columns.iter().find(|c| &c.key == key) else {
                    let valid = spec.keys().join(", ");
                    diags.push(Diagnostic::error(
                        "list",
                        Some(cell.span()),
                        text!(
                            "表 \"{id}\" 没有列 \"{key}\"；可用：{valid}",
                            "table \"{id}\" has no column \"{key}\"; valid: {valid}"
                        ),
                    ));
                    continue;
                };
                match (&col.measure, cell.get_ref()) {
                    (Measure::Text, ListCell::Text(t)) => {
                        r.texts.insert(key.clone(), t.trim().to_string());
                    }
                    (Measure::Text, ListCell::Amount(m)) => {
                        r.texts.insert(key.clone(), m.0.to_string());
                    }
                    (Measure::Typed, ListCell::Amount(m)) => {
                        let amount = toml::Spanned::new(cell.span(), *m);
                        let before = diags.items.len();
                        crate::validate::check_amounts(diags, decimals, [&Some(amount)]);
                        if diags.items.len() == before {
                            facts.push(Fact {
                                detail: Some(Detail::List {
                                    table: id.clone(),
                                    row: k,
                                    column: key.clone(),
                                }),
                                // A list's amounts have no source: no column of 资金来源 counts them.
                                ..Fact::bare(Source::General, m.0 * factor, cell.span())
                            });
                        }
                    }
                    (Measure::Typed, ListCell::Text(t)) => {
                        diags.push(Diagnostic::error(
                            "list",
                            Some(cell.span()),
                            text!(
                                "\"{t}\" 不是金额：列 \"{key}\" 填金额（如 52.60）",
                                "\"{t}\" is not an amount: column \"{key}\" takes an amount (such as 52.60)"
                            ),
                        ));
                    }
                    _ => {
                        diags.push(Diagnostic::error(
                            "list",
                            Some(cell.span()),
                            text!(
                                "列 \"{key}\" 由同一行的其他列算出，不要填写",
                                "column \"{key}\" is computed from the other columns of its row; do not type it"
                            ),
                        ));
                    }
                }
            }
            read_rows.push(r);
        }
        out.insert(id.clone(), read_rows);
    }
    (out, facts)
}
