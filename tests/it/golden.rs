//! Golden figures: every example under every built-in profile, as the
//! tables and narrative its template context holds (one line per row) and
//! the diagnostics it raises. A change that moves a figure shows here as a
//! diff to name in its commit; `YUSUAN_BLESS=1 cargo test golden` rewrites
//! the files after such a change.
//!
//! These guard refactors (no move may change a figure); the figures
//! themselves are proved against published documents elsewhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

const PROFILES: &[&str] = &[
    "national",
    "guangzhou",
    "hebei",
    "ningxia",
    "shanghai",
    "beijing",
    "xian",
    "national-final",
    "foshan-final",
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// One line per table row (its labels, then its values) and per other
/// scalar; column heads and the by-key copies of the values are left out.
fn flatten(path: &str, v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(values)) = m.get("values") {
                let label: Vec<String> = ["code", "key", "label", "name"]
                    .iter()
                    .filter_map(|k| m.get(*k))
                    .filter_map(|x| match x {
                        Value::String(s) if !s.is_empty() => Some(s.clone()),
                        _ => None,
                    })
                    .collect();
                let values: Vec<String> = values.iter().map(scalar).collect();
                let _ = writeln!(out, "{path}: {} = {}", label.join(" "), values.join(" "));
                return;
            }
            for (k, x) in m {
                if k == "columns" || k == "cells" {
                    continue;
                }
                flatten(&format!("{path}.{k}"), x, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), x, out);
            }
        }
        Value::Null | Value::Bool(false) => {}
        Value::String(s) if s.is_empty() => {}
        other => {
            let _ = writeln!(out, "{path} = {}", scalar(other));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The golden text of `example` printed in `profile`.
fn figures_of(example: &Path, profile: &str) -> String {
    let options = yusuan::Options {
        profile: Some(profile.to_string()),
        ..Default::default()
    };
    let mut out = String::new();
    let checked = match yusuan::check_file_with(example, options) {
        Ok(c) => c,
        Err(d) => {
            for x in &d.items {
                let _ = writeln!(out, "fatal {} {}", x.rule, x.message.zh);
            }
            return out;
        }
    };
    for d in &checked.diags.items {
        let at = d.span.as_ref().map_or(0, |s| s.start);
        let _ = writeln!(out, "{:?} {} @{at} {}", d.severity, d.rule, d.message.zh);
    }
    let context: Value = serde_json::from_str(&yusuan::context_json(&checked.report)).unwrap();
    let report = &context["report"];
    flatten("tables", &report["tables"], &mut out);
    flatten("narrative", &report["narrative"], &mut out);
    // Of the project cards, their money and names (their text is not figures).
    let mut projects = String::new();
    flatten("projects", &report["projects"], &mut projects);
    for line in projects.lines() {
        let path = line.split(" = ").next().unwrap_or_default();
        let card = path.starts_with("projects.projects[") && !path.contains("indicators");
        if card && (path.contains(".amounts.") || path.ends_with("].name")) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_example_under_every_profile_keeps_its_figures() {
    let bless = std::env::var_os("YUSUAN_BLESS").is_some();
    let dir = golden_dir();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(crate::common::example(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 8, "{examples:?}");
    let mut changed = vec![];
    for example in &examples {
        let stem = example.file_stem().unwrap().to_string_lossy().to_string();
        for profile in PROFILES {
            let got = figures_of(example, profile);
            // Each golden holds real rows, not an empty or fatal result.
            assert!(
                got.contains(".rows[") || got.contains("projects."),
                "{stem} in {profile}: no figures\n{got}"
            );
            let file = dir.join(format!("{stem}.{profile}.txt"));
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&file, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e} (YUSUAN_BLESS=1 writes it)", file.display()));
            if want != got {
                let first = want
                    .lines()
                    .zip(got.lines())
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| format!("  was: {a}\n  now: {b}"))
                    .unwrap_or_else(|| "  (one is longer)".into());
                changed.push(format!("{}\n{first}", file.display()));
            }
        }
    }
    assert!(
        changed.is_empty(),
        "figures changed:\n{}",
        changed.join("\n")
    );
}
