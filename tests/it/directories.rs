//! Profiles as directories of data: a region added without Rust, every
//! built-in exported and rendered to the same bytes, and a broken profile
//! reported at its file:line:col.

use std::path::Path;

use crate::common::{ENGINE, example, pages, yusuan};

use yusuan::render::Renderer;

/// The PDF of `file` printed with `profile` (a built-in's name or a directory).
fn pdf(file: &Path, profile: &str) -> Vec<u8> {
    let options = yusuan::Options {
        profile: Some(profile.to_string()),
        ..Default::default()
    };
    let checked = yusuan::check_file_with(file, options).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let p = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(p, None).unwrap();
    match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r.pdf,
        Err(e) => panic!("{e}"),
    }
}

/// A profile no built-in has: project money by 功能分类 × source as table 10,
/// with a template of its own that prints a sentence from the table's cells.
const ADDED: &str = r#"
name = "test-region"
base = "national"
description = "national, plus 项目支出 by 功能分类 and source"

[[tables]]
id = "project_sources"
number = 10
title = "项目支出资金来源表"
rows = "function"
rule = "R4"
columns = [
  { key = "total", header = "合计", sum = ["general", "fund", "unit"] },
  { key = "general", header = "一般公共预算", sources = ["general", "general_carryover"], kinds = ["project"] },
  { key = "fund", header = "政府性基金预算", sources = ["fund", "fund_carryover"], kinds = ["project"] },
  { key = "unit", header = "单位资金", sources = ["business", "operating", "superior", "subsidiary", "other", "special_account", "soe", "soe_carryover", "carryover"], kinds = ["project"] },
]
"#;

const ADDED_TEMPLATE: &str = r#"{%- import "tables/tree.typ.j2" as tree %}
{%- set t = report.tables.project_sources %}
#page[
#ys-head({{ t.title }}, unit: {{ t.unit }})
#ys-tree(code-head: "功能分类科目", columns: {{ tree.columns(t) }}, rows: {{ tree.rows(t) }}, width: ys-portrait)
#ys-para[本部门项目支出#{{ t.rows[0].cells.total | amt }}万元，其中一般公共预算#{{ t.rows[0].cells.general | amt }}万元，政府性基金预算#{{ t.rows[0].cells.fund | amt }}万元。]
]
"#;

#[test]
fn a_profile_directory_adds_a_table_and_a_sentence_without_rust() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("profile.toml"), ADDED).unwrap();
    std::fs::create_dir_all(dir.path().join("templates/tables")).unwrap();
    std::fs::write(
        dir.path().join("templates/tables/project_sources.typ.j2"),
        ADDED_TEMPLATE,
    )
    .unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/profile-added/budget.toml");
    let options = yusuan::Options {
        profile: Some(dir.path().display().to_string()),
        ..Default::default()
    };
    let checked = yusuan::check_file_with(&file, options).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let p = yusuan::profile::find(checked.report.department.profile).unwrap();
    assert_eq!(p.tables.len(), 10);
    let renderer = Renderer::for_profile(p, None).unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let pages = pages(&rendered.document);
    // The nine national tables, then the added one, last: 10 pages.
    assert_eq!(pages.len(), 10, "{pages:#?}");
    let added = &pages[9];
    assert!(added.contains("项目支出资金来源表"), "{added}");
    // 项目支出: 20.50 + 30.25 (一般公共预算) + 5.00 (事业收入) + 12.00 (基金) = 67.75.
    assert!(added.contains("合计67.7550.7512.005.00"), "{added}");
    // 2013299: 30.25 一般公共预算 + 5.00 事业收入 = 35.25, no 基金.
    assert!(
        added.contains("2013299其他组织事务支出35.2530.255.00"),
        "{added}"
    );
    assert!(
        added.contains("2120801征地和拆迁补偿支出12.0012.00"),
        "{added}"
    );
    assert!(
        added.contains(
            "本部门项目支出67.75万元，其中一般公共预算50.75万元，政府性基金预算12.00万元。"
        ),
        "{added}"
    );
    // The same profile through the command line, with `profile check`.
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("a.pdf");
    yusuan(&[&"render", &file, &"--profile", &dir.path(), &"-o", &pdf]).ok();
    let run = yusuan(&[&"profile", &"check", &dir.path()]).ok();
    assert!(
        run.stderr
            .contains("样式 \"test-region\" 可用：10 张表，1 个自有模板"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_built_in_profile_exported_prints_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let examples = [
        ("jinhua-2024.toml", "national"),
        ("kaiping-2024.toml", "hebei"),
        ("panyu-2023.toml", "guangzhou"),
        ("pingluo-2022.toml", "ningxia"),
        ("putuo-commerce-2025.toml", "shanghai"),
        ("zengcheng-2024.toml", "guangzhou"),
    ];
    for p in yusuan::profile::names() {
        let copy = dir.path().join(format!("copy-{p}"));
        let flat = dir.path().join(format!("flat-{p}"));
        yusuan(&[&"profile", &"new", &format!("x-{p}"), &"--from", &p, &copy]).ok();
        yusuan(&[
            &"profile",
            &"new",
            &format!("y-{p}"),
            &"--from",
            &p,
            &flat,
            &"--flat",
        ])
        .ok();
        // The flat copy stands alone: no base, every table written out.
        let text = std::fs::read_to_string(flat.join("profile.toml")).unwrap();
        assert!(!text.contains("\nbase"), "{text}");
        assert_eq!(text.matches("[[tables]]").count(), 9, "{p}");
        for (file, used) in examples {
            if used != p && file != "kaiping-2024.toml" {
                continue;
            }
            let file = example(file);
            let want = pdf(&file, p);
            for d in [&copy, &flat] {
                let got = pdf(&file, &d.display().to_string());
                assert!(
                    got == want,
                    "{} with {} differs from {p}",
                    file.display(),
                    d.display()
                );
            }
        }
    }
}

#[test]
fn a_broken_profile_is_reported_at_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("profile.toml"),
        ADDED
            .replace(
                "sum = [\"general\", \"fund\", \"unit\"]",
                "sum = [\"general\", \"fnd\", \"unit\"]",
            )
            .replace(
                "kinds = [\"project\"] },\n  { key = \"fund\"",
                "kinds = [\"projet\"] },\n  { key = \"fund\"",
            ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("templates/tables")).unwrap();
    let run = yusuan(&[&"--lang", &"en", &"profile", &"check", &dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let toml = dir.path().join("profile.toml").display().to_string();
    for want in [
        format!(
            "error[profile]: unknown kind \"projet\"; valid: basic, project, operating, to_superior, to_subsidiary, personnel, public, last_year  ({toml}:14:94)"
        ),
        format!(
            "error[profile]: sum names column \"fnd\", which table \"project_sources\" does not have; its columns: total, general, fund, unit  ({toml}:13:53)"
        ),
    ] {
        assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    }

    // Templates: a syntax error and a table that does not exist, at their lines.
    std::fs::write(dir.path().join("profile.toml"), ADDED).unwrap();
    std::fs::write(
        dir.path().join("templates/tables/project_sources.typ.j2"),
        "{{ report.tables.project_source.title }}\n{% if x %}\n",
    )
    .unwrap();
    let run = yusuan(&[&"--lang", &"en", &"profile", &"check", &dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let t = dir
        .path()
        .join("templates/tables/project_sources.typ.j2")
        .display()
        .to_string();
    assert!(
        run.stderr.contains(&format!("the template names table \"project_source\", which the profile does not have; its tables: summary, income, expenditure, fiscal, general, basic, fund, soe, sangong, project_sources  ({t}:1:18)")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("template syntax: syntax error: unexpected end of input, expected end of block  ({t}:2:1)")),
        "{}",
        run.stderr
    );
    // A document naming the broken profile is not rendered, and says why.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/profile-added/budget.toml");
    std::fs::write(
        dir.path().join("profile.toml"),
        "name = \"x\"\nbase = \"nowhere\"\n",
    )
    .unwrap();
    let options = yusuan::Options {
        profile: Some(dir.path().display().to_string()),
        ..Default::default()
    };
    let d = yusuan::check_file_with(&file, options).unwrap().diags;
    let p: Vec<&str> = d
        .items
        .iter()
        .filter(|x| x.rule == "profile")
        .map(|x| x.message.en.as_str())
        .collect();
    assert_eq!(p.len(), 1, "{d}");
    assert!(
        p[0].contains("profile.toml:2:8: error[profile]: unknown base profile \"nowhere\""),
        "{}",
        p[0]
    );
}
