//! Writing a profile directory: `yusuan profile new NAME --from P DIR`.
//!
//! Two forms: a **copy** of P's own `profile.toml` (comments kept, the name
//! changed, its base still named) with P's own templates — what a region
//! starts from; and a **flat** profile (`--flat`) where every setting and
//! every table is written out and every template of P's chain copied, so the
//! directory alone says all that P prints.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

use super::Profile;
use crate::domain::{KIND_KEYS, Layout, Source};
use crate::tables::{Measure, Shape};

/// The files of the new profile directory: (path under it, content).
pub fn files(p: &'static Profile, name: &str, flat: bool) -> Vec<(String, String)> {
    let mut out = vec![];
    if flat {
        out.push(("profile.toml".to_string(), flat_toml(p, name)));
        // Every template of the chain, the nearest winning.
        let mut seen: Vec<&str> = vec![];
        let mut q = Some(p);
        while let Some(x) = q {
            for (n, t) in &x.templates {
                if !seen.contains(&n.as_str()) {
                    seen.push(n);
                    out.push((format!("templates/{n}"), t.clone()));
                }
            }
            q = x.base;
        }
    } else {
        out.push(("profile.toml".to_string(), copy_toml(p, name)));
        for (n, t) in &p.templates {
            out.push((format!("templates/{n}"), t.clone()));
        }
    }
    out.sort();
    out
}

/// Writes [`files`] into `dir`, which must not exist or be empty. Nothing is
/// left behind on failure.
pub fn scaffold(
    p: &'static Profile,
    name: &str,
    dir: &Path,
    flat: bool,
) -> Result<Vec<PathBuf>, String> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(format!(
                "{} exists and is not empty; give a new directory",
                dir.display()
            ));
        }
    }
    let files = files(p, name, flat);
    let mut written = vec![];
    let result = (|| {
        for (rel, text) in &files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(dir);
        return Err(e);
    }
    Ok(written)
}

/// P's own `profile.toml` renamed; a base that is a directory is written as
/// its absolute path, so the copy still finds it.
fn copy_toml(p: &Profile, name: &str) -> String {
    let mut doc: DocumentMut = p.source.parse().expect("a loaded profile parses");
    doc["name"] = value(name);
    if let Some(base) = p.base {
        doc["base"] = value(base.name.as_str());
    }
    doc.to_string()
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Array {
    items.into_iter().collect()
}

fn source_key(s: &Source) -> &'static str {
    Source::NAMES
        .iter()
        .find(|(x, _)| x == s)
        .map_or("", |(_, n)| n[n.len() - 1])
}

/// One entry per line in an array of inline tables.
fn lines(items: Vec<InlineTable>) -> Array {
    let mut a = Array::new();
    for t in items {
        a.push(Value::InlineTable(t));
    }
    for v in a.iter_mut() {
        v.decor_mut().set_prefix("\n  ");
    }
    a.set_trailing_comma(true);
    a.set_trailing("\n");
    a
}

/// Every setting and table of `p`, standalone (no base).
fn flat_toml(p: &Profile, name: &str) -> String {
    let mut doc = DocumentMut::new();
    doc["name"] = value(name);
    doc["description"] = value(p.description.as_str());
    if let Some(l) = p.layout {
        doc["layout"] = value(match l {
            Layout::List => "list",
            Layout::Card => "card",
            Layout::Sheet => "sheet",
        });
    }
    if p.final_account {
        doc["document"] = value("final");
    }
    doc["print_unit"] = value(p.print_unit.label());
    if !p.print_declared {
        doc["print"] = value("computed");
    }
    if !p.table_units.is_empty() {
        let mut t = InlineTable::new();
        for (id, u) in &p.table_units {
            t.insert(id, u.label().into());
        }
        doc["table_units"] = value(t);
    }
    let style_table = |s: &crate::profile::Style| {
        let mut t = InlineTable::new();
        t.insert("separators", s.separators.into());
        t.insert("zero", s.zero.into());
        t.insert("decimals", i64::from(s.decimals).into());
        if !s.row_numbers {
            t.insert("row_numbers", false.into());
        }
        if !s.column_numbers {
            t.insert("column_numbers", false.into());
        }
        t.insert("table_label", s.table_label.into());
        t.insert("unit_label", s.unit_label.into());
        t
    };
    let mut style = style_table(&p.style);
    if !p.style_until.is_empty() {
        let mut until = InlineTable::new();
        for (year, s) in &p.style_until {
            until.insert(year.to_string(), style_table(s).into());
        }
        style.insert("until", until.into());
    }
    doc["style"] = value(style);
    if p.sentence != "quoted" {
        doc["sentence"] = value(p.sentence);
    }
    if !p.required_sections.is_empty() {
        doc["required_sections"] = value(strings(p.required_sections.iter().map(String::as_str)));
    }
    if !p.checks.is_empty() {
        let mut t = Table::new();
        for (rule, level) in &p.checks {
            t[rule.as_str()] = value(level.word());
        }
        doc["checks"] = Item::Table(t);
    }
    if !p.equalities.is_empty() {
        let mut list = ArrayOfTables::new();
        for e in &p.equalities {
            let mut t = Table::new();
            t["rule"] = value(e.rule);
            for (side, c) in [("left", &e.left), ("right", &e.right)] {
                let mut cell = InlineTable::new();
                cell.insert("table", c.table.as_str().into());
                cell.insert("row", c.row.as_str().into());
                cell.insert("column", c.column.as_str().into());
                cell.insert("label", c.label.as_str().into());
                t[side] = value(cell);
            }
            if !e.when_sources.is_empty() {
                t["when_sources"] = value(strings(e.when_sources.iter().map(source_key)));
            }
            if e.computed {
                t["computed"] = value(true);
            }
            if e.relation != crate::profile::Relation::Equal {
                t["relation"] = value(e.relation.words().0);
            }
            list.push(t);
        }
        doc["equal"] = Item::ArrayOfTables(list);
    }
    if !p.recognise.is_empty() {
        doc["recognise"] = value(strings(p.recognise.iter().map(String::as_str)));
    }
    let mut tables = ArrayOfTables::new();
    for spec in &p.tables {
        let mut t = Table::new();
        t["id"] = value(spec.id.as_str());
        t["number"] = value(i64::from(spec.number));
        t["title"] = value(spec.title.as_str());
        t["rows"] = value(match &spec.shape {
            Shape::Function(_) => "function",
            Shape::Economic => "economic",
            Shape::Pair(_) => "pair",
            Shape::Sangong => "sangong",
            Shape::Pivot(_) | Shape::Cross(_) => "pivot",
            Shape::List => "list",
        });
        if let Shape::Pivot(dim) = &spec.shape {
            t["by"] = value(dim.key());
        }
        if let Shape::Cross(dims) = &spec.shape {
            t["by"] = value(strings(dims.iter().map(|d| d.key())));
        }
        if let Shape::Function(sources) = &spec.shape
            && sources.len() != Source::ALL.len()
        {
            t["sources"] = value(strings(sources.iter().map(source_key)));
        }
        t["rule"] = value(spec.identity_rule.as_str());
        if spec.complete {
            t["complete"] = value(true);
        }
        if let Some(c) = &spec.classes {
            t["classes"] = value(strings(c.iter().map(String::as_str)));
        }
        if let Some(n) = &spec.empty_note {
            t["empty_note"] = value(n.as_str());
        }
        if let Some(z) = spec.zero {
            t["zero"] = value(z);
        }
        if !spec.printed {
            t["print"] = value(false);
        }
        if spec.transpose {
            t["transpose"] = value(true);
        }
        if let Shape::Pair(items) = &spec.shape {
            let items = items
                .iter()
                .map(|i| {
                    let mut x = InlineTable::new();
                    x.insert("key", i.key.as_str().into());
                    x.insert("label", i.label.as_str().into());
                    x.insert("level", i64::from(i.level).into());
                    x.insert(
                        "sources",
                        Value::Array(strings(i.sources.iter().map(source_key))),
                    );
                    x
                })
                .collect();
            t["items"] = Item::Value(Value::Array(lines(items)));
        }
        let columns = spec
            .columns
            .iter()
            .map(|c| {
                let mut x = InlineTable::new();
                x.insert("key", c.key.as_str().into());
                x.insert("header", c.header.as_str().into());
                if let Some(g) = &c.group {
                    x.insert("group", g.as_str().into());
                }
                match &c.measure {
                    Measure::Typed => {}
                    Measure::Text => {
                        x.insert("text", true.into());
                    }
                    Measure::Change(a, b) => {
                        x.insert("change", Value::Array(strings([a.as_str(), b.as_str()])));
                    }
                    Measure::Percent(a, b) => {
                        x.insert("percent", Value::Array(strings([a.as_str(), b.as_str()])));
                    }
                    Measure::Sum(parts) => {
                        x.insert(
                            "sum",
                            Value::Array(strings(parts.iter().map(String::as_str))),
                        );
                    }
                    Measure::Economic(e) => {
                        x.insert(
                            "economic",
                            match e {
                                Some(true) => "personnel",
                                Some(false) => "public",
                                None => "all",
                            }
                            .into(),
                        );
                    }
                    Measure::Lines(sources, kinds) => {
                        if sources.len() != Source::ALL.len() {
                            x.insert(
                                "sources",
                                Value::Array(strings(sources.iter().map(source_key))),
                            );
                        }
                        let spending: Vec<usize> = (0..crate::domain::SPENDING).collect();
                        let ks: Vec<usize> = kinds.iter().map(|k| *k as usize).collect();
                        if ks != spending {
                            x.insert(
                                "kinds",
                                Value::Array(strings(ks.iter().map(|k| KIND_KEYS[*k]))),
                            );
                        }
                    }
                    Measure::Sangong(items, sources) => {
                        x.insert(
                            "sangong",
                            Value::Array(strings(items.iter().map(String::as_str))),
                        );
                        if sources.len() != Source::ALL.len() {
                            x.insert(
                                "sources",
                                Value::Array(strings(sources.iter().map(source_key))),
                            );
                        }
                    }
                }
                if c.flow != crate::records::Flow::Spending {
                    let name = crate::records::Flow::NAMES
                        .iter()
                        .find(|(f, _)| *f == c.flow)
                        .map_or("spending", |(_, n)| n[0]);
                    x.insert("flow", name.into());
                }
                if c.budgeted {
                    x.insert("budget", true.into());
                }
                x
            })
            .collect();
        t["columns"] = Item::Value(Value::Array(lines(columns)));
        tables.push(t);
    }
    doc["tables"] = Item::ArrayOfTables(tables);
    format!(
        "# The profile \"{}\" written out in full by `yusuan profile new --flat`:\n# every setting and table, no base. See templates/README.md, \"Profiles\".\n\n{doc}",
        p.title
    )
}
