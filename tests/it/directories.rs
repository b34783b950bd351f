//! Profiles as directories of data: a region added without Rust, every
//! built-in exported and rendered to the same bytes, and a broken profile
//! reported at its file:line:col.

use std::path::Path;

use crate::common::{ENGINE, example, located, pages, yusuan};

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
        ("beijing-audit-2026.toml", "beijing"),
        ("xian-petition-2026.toml", "xian"),
        ("national-petition-final-2024.toml", "national-final"),
        ("foshan-rail-final-2019.toml", "foshan-final"),
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
        // Beijing adds six tables to the nine (its 03/05/06 as printed, 10, 11, 13),
        // Xi'an ten (表2 by unit, the sides of 表1/4, 表6, 7, 10–13, its 专项资金).
        let tables = match p {
            "beijing" => 15,
            "xian" => 19,
            _ => 9,
        };
        assert_eq!(text.matches("[[tables]]").count(), tables, "{p}");
        for (file, used) in examples {
            // Kaiping in every profile but beijing and xian, whose tables need records
            // with 政府经济 and 单位 (an error naming each, tested elsewhere).
            // A 部门决算 profile prints final accounts only.
            let budget_profile =
                !matches!(p, "beijing" | "xian" | "national-final" | "foshan-final");
            if used != p && (file != "kaiping-2024.toml" || !budget_profile) {
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

#[test]
fn the_budget_as_facts_prints_project_money_by_economic_class_and_by_unit() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let options = yusuan::Options {
        profile: Some(data.display().to_string()),
        ..Default::default()
    };
    // What the tables must print, worked by hand from the records: 基本
    // 100 + 20, 项目 30.25 + 12.00 + 5.50; by unit 271001 120 + 5.50,
    // 271002 30.25 + 12.00; 项目 by source 30.25 + 5.50 一般公共预算, 12.00 单位资金.
    let declared = r#"
[declared.summary]
"总计" = { income = 167.75, expenditure = 167.75 }

[declared.expenditure]
"合计" = { total = 167.75, basic = 120.00, project = 47.75 }
"2013201" = { total = 120.00, basic = 120.00 }
"2013299" = { total = 47.75, project = 47.75 }

[declared.basic]
"合计" = { total = 120.00, personnel = 100.00, public = 20.00 }

[declared.by_unit]
"合计" = { total = 167.75, basic = 120.00, project = 47.75 }
"271001" = { total = 125.50, basic = 120.00, project = 5.50 }
"271002" = { total = 42.25, project = 42.25 }

[declared.project_economic]
"合计" = { total = 47.75, general = 35.75, unit_funds = 12.00 }
"#;
    // Declared in the profile's own tables: the file names the profile.
    let text = std::fs::read_to_string(data.join("budget.toml"))
        .unwrap()
        .replace(
            "year = 2025\n",
            &format!("year = 2025\nprofile = {:?}\n", data.display().to_string()),
        )
        + declared;
    let checked = yusuan::check_str_with("budget.toml", &text, options.clone()).unwrap();
    assert!(
        checked.diags.items.is_empty(),
        "the records fold into the statutory tables, which reconcile with the figures declared: {}",
        checked.diags
    );
    // The declared figures are compared: one printed 0.10 off is named at its place.
    let slip = text.replace(
        "\"271002\" = { total = 42.25",
        "\"271002\" = { total = 42.35",
    );
    let d = yusuan::check_str_with("budget.toml", &slip, options.clone())
        .unwrap()
        .diags;
    let line = slip.lines().position(|l| l.contains("42.35")).unwrap() + 1;
    let found = located(&d, None);
    assert!(
        found
            .iter()
            .any(|(at, _)| *at == format!("budget.toml:{line}:22")),
        "{found:?}"
    );
    // The slip breaks its row (42.35 against 0 + 42.25) and the column's
    // total (167.75 against 125.50 + 42.35 = 167.85): both are named.
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].1.contains("申报 42.35，各项合计 42.25，相差 0.10"),
        "{found:?}"
    );
    assert!(
        found[1].1.contains("申报 167.75") && found[1].1.contains("之和 167.85"),
        "{found:?}"
    );
    let t = checked.report.tables.as_ref().unwrap();
    // The statutory tables are computed from the same records: 基本 100 + 20,
    // 项目 30.25 + 12.00 + 5.50.
    let total = |c: &str| t.expenditure.total().cells[c].normalize().to_string();
    assert_eq!(
        (total("total"), total("basic"), total("project")),
        ("167.75".into(), "120".into(), "47.75".into())
    );
    let basic = t.basic.row("30101").unwrap().cells["personnel"];
    assert_eq!(basic.normalize().to_string(), "100");
    let p = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(p, None).unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let pages = pages(&rendered.document);
    assert_eq!(pages.len(), 12);
    // 项目支出 by 部门经济分类: 30201 30.25 + 30227 5.50 (一般公共预算) and
    // 31002 12.00 (事业收入, a 单位资金); no row for the 基本支出 codes.
    let econ = &pages[9];
    for row in [
        "合计47.7535.7512.00",
        "302商品和服务支出35.7535.75",
        "30201办公费30.2530.25",
        "30227委托业务费5.505.50",
        "310资本性支出12.0012.00",
        "31002办公设备购置12.0012.00",
    ] {
        assert!(econ.contains(row), "{row} in {econ}");
    }
    assert!(!econ.contains("30101"), "{econ}");
    // Spending by 预算单位: 271001 120 基本 + 5.50 项目; 271002 42.25 项目.
    let units = &pages[10];
    for row in [
        "合计167.75120.0047.75",
        "271001测试局本级125.50120.005.50",
        "271002测试局信息中心42.2542.25",
    ] {
        assert!(units.contains(row), "{row} in {units}");
    }

    // This year against last by 项: 2013201 120 against 110 (+10, 9.09 %),
    // 2013299 47.75 against 40 (+7.75, 19.375 → 19.38 %), 合计 167.75 against
    // 150 (+17.75, 11.83 %); the change and the percentage are derived per
    // row, never summed.
    let against = &pages[11];
    for row in [
        "合计167.75150.0017.7511.83",
        "2013201行政运行120.00110.0010.009.09",
        "2013299其他组织事务支出47.7540.007.7519.38",
    ] {
        assert!(against.contains(row), "{row} in {against}");
    }

    // A department without 单位 in its amounts cannot print the by-unit
    // table; its three 项目支出 lines have no 经济分类, so the 项目支出经济分类表
    // would lose them (1936.00 + 45.21 + 2954.55 万元): each is named.
    let options = yusuan::Options {
        profile: Some(data.display().to_string()),
        ..Default::default()
    };
    let d = yusuan::check_file_with(&example("kaiping-2024.toml"), options)
        .unwrap()
        .diags;
    let dim: Vec<&str> = d
        .items
        .iter()
        .filter(|x| x.rule == "dimension")
        .map(|x| x.message.zh.as_str())
        .collect();
    assert_eq!(
        dim,
        [
            "预算单位支出表按预算单位成行，而文件中没有一笔金额带有预算单位（在 [[fact]] 中写 unit = \"…\"）",
            "这笔金额（19360000.00 元）没有部门经济分类，项目支出经济分类表按部门经济分类成行：它会从表中漏掉；请把它写成带 economic = \"…\" 的 [[fact]] 记录",
            "这笔金额（452100.00 元）没有部门经济分类，项目支出经济分类表按部门经济分类成行：它会从表中漏掉；请把它写成带 economic = \"…\" 的 [[fact]] 记录",
            "这笔金额（29545500.00 元）没有部门经济分类，项目支出经济分类表按部门经济分类成行：它会从表中漏掉；请把它写成带 economic = \"…\" 的 [[fact]] 记录",
        ]
    );
}

#[test]
fn a_fact_with_an_unknown_kind_or_a_malformed_code_is_located() {
    let text = "[department]\nname = \"x\"\nyear = 2025\n[[fact]]\nfunction = \"201320\"\nkind = \"项目\"\namount = 1\n[[fact]]\nfunction = \"2013201\"\nsource = \"财政\"\nkind = \"项目支出\"\namount = 2\n";
    let d = yusuan::check_str("f.toml", text).unwrap().diags;
    let facts: Vec<(String, &str)> = d
        .items
        .iter()
        .filter(|x| x.rule == "fact")
        .map(|x| (d.location(x), x.message.en.as_str()))
        .collect();
    assert_eq!(
        facts,
        [
            (
                "f.toml:6:8".to_string(),
                "unknown kind \"项目\"; valid: 人员经费, 公用经费, 基本支出, 项目支出, 经营支出, 上解上级支出, 对附属单位补助支出"
            ),
            (
                "f.toml:5:12".to_string(),
                "\"201320\" is not a 功能分类 项（7 位） code"
            ),
            ("f.toml:10:10".to_string(), "unknown source \"财政\""),
        ]
    );
}

/// A record whose amount breaks the amount rules (negative, or more
/// decimals than 万元's six) is named once and reaches no table: beside a
/// record of 10, the 支出总表 prints 10.
#[test]
fn a_record_with_a_bad_amount_is_named_once_and_counts_nowhere() {
    for (bad, message) in [
        ("-5", "金额不能为负数"),
        (
            "1.1234567",
            "金额 1.1234567 的小数超过 6 位，比文件的单位所允许的更细（万元：6 位小数即精确到元）",
        ),
    ] {
        let text = format!(
            "[department]\nname = \"x\"\nyear = 2025\nunit = \"万元\"\n[[fact]]\nfunction = \"2013201\"\nkind = \"项目支出\"\namount = 10\n[[fact]]\nfunction = \"2013202\"\nkind = \"项目支出\"\namount = {bad}\n"
        );
        let checked = yusuan::check_str("f.toml", &text).unwrap();
        let errors: Vec<(String, &str)> = checked
            .diags
            .items
            .iter()
            .filter(|x| x.severity == yusuan::diag::Severity::Error)
            .map(|x| (checked.diags.location(x), x.message.zh.as_str()))
            .collect();
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
        assert_eq!(errors[0].0, "f.toml:12:10", "{bad}");
        assert_eq!(errors[0].1, message, "{bad}");
    }
}

#[test]
fn a_file_names_its_profile_directory_relative_to_itself() {
    // tests/data/facts/budget.toml with `profile = "."`: the directory beside it.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data.join("budget.toml"))
        .unwrap()
        .replace("year = 2025\n", "year = 2025\nprofile = \"mine\"\n");
    std::fs::write(dir.path().join("budget.toml"), text).unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    std::fs::copy(
        data.join("profile.toml"),
        dir.path().join("mine/profile.toml"),
    )
    .unwrap();
    let checked = yusuan::check_file(&dir.path().join("budget.toml")).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    assert_eq!(t.order.len(), 12, "{:?}", t.order);
    assert_eq!(
        t.order[9..],
        ["project_economic", "by_unit", "against_last_year"]
    );
    // A name that is neither a built-in nor a directory beside the file.
    let text = std::fs::read_to_string(dir.path().join("budget.toml"))
        .unwrap()
        .replace("profile = \"mine\"", "profile = \"./nowhere\"");
    std::fs::write(dir.path().join("budget.toml"), text).unwrap();
    let d = yusuan::check_file(&dir.path().join("budget.toml"))
        .unwrap()
        .diags;
    let p: Vec<_> = d.items.iter().filter(|x| x.rule == "profile").collect();
    assert_eq!(p.len(), 1, "{d}");
    assert_eq!(
        d.location(p[0]),
        format!("{}:6:11", dir.path().join("budget.toml").display())
    );
    assert!(
        p[0].message.zh.contains("/nowhere 中没有 profile.toml"),
        "{}",
        p[0].message.zh
    );
}

#[test]
fn a_change_or_percentage_column_is_derived_and_never_added() {
    let dir = tempfile::tempdir().unwrap();
    let profile = r#"name = "x"
base = "national"

[[tables]]
id = "t"
number = 10
title = "t"
rows = "pivot"
by = "function"
rule = "R4"
columns = [
  { key = "this", header = "本年" },
  { key = "last", header = "上年", kinds = ["last_year"] },
  { key = "change", header = "增减", change = ["this", "change"] },
  { key = "total", header = "合计", sum = ["this", "change"] },
]
"#;
    std::fs::write(dir.path().join("profile.toml"), profile).unwrap();
    let d = match yusuan::profile::load(dir.path()) {
        Ok(_) => panic!("a broken profile loaded"),
        Err(d) => d,
    };
    let found: Vec<(String, &str)> = d
        .items
        .iter()
        .map(|x| {
            (
                d.location(x).rsplit('/').next().unwrap().to_string(),
                x.message.en.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "profile.toml:14:45".to_string(),
                "change/percent takes two columns of the same table that are not derived themselves, [this, last]; valid: this, last, total"
            ),
            (
                "profile.toml:15:50".to_string(),
                "sum cannot add the derived column \"change\" (a change or a percentage does not add up)"
            ),
        ]
    );
}

#[test]
fn consolidation_concatenates_the_records_and_keeps_their_dimensions() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let text = std::fs::read_to_string(data.join("budget.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let depts = dir.path().join("depts");
    std::fs::create_dir(&depts).unwrap();
    // Department A as it is; department B the same records without 单位.
    std::fs::write(
        depts.join("a.toml"),
        text.replace("name = \"测试局\"", "code = \"A01\"\nname = \"测试局\""),
    )
    .unwrap();
    let b: String = text
        .replace("name = \"测试局\"", "code = \"B01\"\nname = \"乙局\"")
        .lines()
        .filter(|l| !l.starts_with("unit = "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(depts.join("b.toml"), b).unwrap();
    let district = dir.path().join("district.toml");
    yusuan(&[&"consolidate", &depts, &"-o", &district, &"--name", &"某区"]).ok();
    let written = std::fs::read_to_string(&district).unwrap();
    // 2 × 7 records, no [[expenditure]] made from them summed a second time.
    assert_eq!(written.matches("[[fact]]").count(), 14, "{written}");
    assert_eq!(written.matches("[[expenditure]]").count(), 0, "{written}");
    let options = yusuan::Options {
        profile: Some(data.display().to_string()),
        ..Default::default()
    };
    let checked = yusuan::check_file_with(&district, options).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    // Twice 167.75 (120 基本, 47.75 项目).
    let total = |c: &str| t.expenditure.total().cells[c].normalize().to_string();
    assert_eq!(
        (total("total"), total("basic"), total("project")),
        ("335.5".into(), "240".into(), "95.5".into())
    );
    // By 单位: A's two units as given, B's money under its department code.
    let units = &t.added["by_unit"];
    let rows: Vec<(String, String)> = units
        .rows
        .iter()
        .map(|r| (r.code.clone(), r.cells["total"].normalize().to_string()))
        .collect();
    assert_eq!(
        rows,
        [
            (String::new(), "335.5".to_string()),
            ("271001".to_string(), "125.5".to_string()),
            ("271002".to_string(), "42.25".to_string()),
            ("B01".to_string(), "167.75".to_string()),
        ]
    );
}

/// A table by 功能分类 × 政府经济分类 × 部门经济分类 at once, one row per
/// combination, as Beijing's 支出总表 prints it (seed 006), with a template of
/// its own printing each dimension in its own column.
const CROSS: &str = r#"
name = "cross-test"
base = "national"

[[tables]]
id = "by_class"
number = 10
title = "支出总表（按科目）"
rows = "pivot"
by = ["function", "government", "economic"]
rule = "R4"
columns = [
  { key = "total", header = "合计", sum = ["basic", "project"] },
  { key = "basic", header = "基本支出", kinds = ["basic"] },
  { key = "project", header = "项目支出", kinds = ["project"] },
]
"#;

const CROSS_TEMPLATE: &str = r#"{%- set t = report.tables.by_class %}
#page[
#ys-head({{ t.title }}, unit: {{ t.unit }})
#table(columns: 6, [支出功能分类科目], [政府支出经济分类科目], [部门支出经济分类科目], [合计], [基本支出], [项目支出],
{%- for r in t.rows if r.parts %}
  {{ r.parts[0].code ~ "-" ~ r.parts[0].name }}, {{ r.parts[1].code ~ "-" ~ r.parts[1].name }}, {{ r.parts[2].code ~ "-" ~ r.parts[2].name }}, {{ r.cells.total | amt }}, {{ r.cells.basic | amt }}, {{ r.cells.project | amt }},
{%- endfor %}
)
]
"#;

#[test]
fn a_table_by_three_dimensions_at_once_prints_one_row_per_combination() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("cross");
    std::fs::create_dir_all(profile.join("templates/tables")).unwrap();
    std::fs::write(profile.join("profile.toml"), CROSS).unwrap();
    std::fs::write(
        profile.join("templates/tables/by_class.typ.j2"),
        CROSS_TEMPLATE,
    )
    .unwrap();
    // The 政府经济分类 names come from the file ([names]), as printed in seed 006.
    let text = std::fs::read_to_string(data.join("budget.toml")).unwrap()
        + "\"50101\" = \"工资奖金津补贴\"\n\"50201\" = \"办公经费\"\n\"50205\" = \"委托业务费\"\n\"50306\" = \"设备购置\"\n";
    std::fs::write(dir.path().join("budget.toml"), text).unwrap();
    let options = yusuan::Options {
        profile: Some(profile.display().to_string()),
        ..Default::default()
    };
    let checked = yusuan::check_file_with(&dir.path().join("budget.toml"), options).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let p = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(p, None).unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let page = pages(&rendered.document)[9].clone();
    // Five combinations this year (last year's records have no economic
    // class), in code order; 基本 120 = 100 + 20, 项目 47.75 = 30.25 + 5.50 + 12.
    let want = concat!(
        "2013201-行政运行50101-工资奖金津补贴30101-基本工资100.00100.00",
        "2013201-行政运行50201-办公经费30201-办公费20.0020.00",
        "2013299-其他组织事务支出50201-办公经费30201-办公费30.2530.25",
        "2013299-其他组织事务支出50205-委托业务费30227-委托业务费5.505.50",
        "2013299-其他组织事务支出50306-设备购置31002-办公设备购置12.0012.00",
    );
    assert!(page.contains(want), "{page}");
}

#[test]
fn profiles_whose_bases_lead_back_to_each_other_are_refused_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    for (name, base) in [("a", "../b"), ("b", "../a")] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        std::fs::write(
            dir.path().join(name).join("profile.toml"),
            format!("name = \"{name}\"\nbase = \"{base}\"\n"),
        )
        .unwrap();
    }
    let d = match yusuan::profile::load(&dir.path().join("a")) {
        Ok(_) => panic!("a cycle loaded"),
        Err(d) => d,
    };
    let found: Vec<&str> = d.items.iter().map(|x| x.message.en.as_str()).collect();
    // The cycle itself is named (a → b → a), not an "unknown base".
    let a = dir.path().join("a").canonicalize().unwrap();
    assert_eq!(
        found,
        [format!(
            "the bases of profile {} lead back to it (a cycle)",
            a.display()
        )
        .as_str()]
    );
}

#[test]
fn a_record_without_a_function_or_with_a_negative_amount_is_refused_where_it_is() {
    let text = "[department]\nname = \"x\"\nyear = 2025\n[[fact]]\neconomic = \"30201\"\nkind = \"公用经费\"\namount = 5\n[[fact]]\nfunction = \"2013201\"\nkind = \"项目支出\"\namount = -2\n[[fact]]\nfunction = \"2013201\"\nkind = \"项目支出\"\namount = 3\n";
    let d = yusuan::check_str("f.toml", text).unwrap().diags;
    let errors: Vec<(String, &str, &str)> = d
        .items
        .iter()
        .filter(|x| x.severity == yusuan::diag::Severity::Error)
        .map(|x| (d.location(x), x.rule, x.message.en.as_str()))
        .collect();
    assert_eq!(errors.len(), 2, "{d}");
    assert_eq!(
        errors[0],
        (
            "f.toml:4:1".to_string(),
            "fact",
            "this record has no 功能分类 (function = \"…\", a 7-digit 项): its money would reach none of the statutory tables"
        )
    );
    assert_eq!(errors[1].0, "f.toml:11:10");
    assert!(errors[1].2.contains("negative"), "{}", errors[1].2);
}

/// A table no classification makes (政府购买服务明细表, seed 006's 预算11表):
/// `rows = "list"`, its rows typed under `[[list.<id>]]`, 合计 computed.
const LIST_PROFILE: &str = r#"
name = "list-test"
base = "national"

[[tables]]
id = "services"
number = 10
title = "政府购买服务明细表"
rows = "list"
rule = "R4"
columns = [
  { key = "level1", header = "一级", group = "指导性目录", text = true },
  { key = "level2", header = "二级", group = "指导性目录", text = true },
  { key = "amount", header = "预算金额" },
  { key = "general", header = "一般公共预算" },
  { key = "other", header = "其他资金" },
  { key = "total", header = "小计", sum = ["general", "other"] },
]
"#;

const LIST_BUDGET: &str = r#"[department]
name = "测试局"
year = 2026

[[expenditure]]
code = "2013201"
basic = 100.00

[[list.services]]
level1 = "01-公共服务"
level2 = "0115-公共信息与宣传服务"
amount = 52.600000
general = 50.1
other = 2.5

[[list.services]]
level1 = "02-政府履职辅助性服务"
level2 = "0201-法律服务"
amount = 10.0
general = 10.0

[declared.services]
"合计" = { amount = 62.60 }
"#;

#[test]
fn a_list_table_prints_its_typed_rows_under_a_computed_total() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("list");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(profile.join("profile.toml"), LIST_PROFILE).unwrap();
    // The file names its profile: its [declared.services] is then checked
    // against that profile's table.
    let budget = LIST_BUDGET.replace(
        "year = 2026\n",
        &format!(
            "year = 2026\nprofile = {:?}\n",
            profile.display().to_string()
        ),
    );
    let check = |text: &str| yusuan::check_str_with("b.toml", text, Default::default()).unwrap();
    let checked = check(&budget);
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    // Loaded by its directory: another test may make the registry forget it.
    let p = yusuan::profile::load(&profile).unwrap();
    let renderer = Renderer::for_profile(p, None).unwrap();
    let rendered = yusuan::render_checked(&ENGINE, &renderer, checked).unwrap();
    let page = pages(&rendered.document)[9].clone();
    // 合计 52.60 + 10.00 = 62.60; general 50.10 + 10.00 = 60.10; the sum
    // column of the first row 50.10 + 2.50 = 52.60.
    assert!(page.contains("合计62.6060.102.5062.60"), "{page}");
    assert!(
        page.contains("01-公共服务0115-公共信息与宣传服务52.6050.102.5052.60"),
        "{page}"
    );
    assert!(
        page.contains("02-政府履职辅助性服务0201-法律服务10.0010.0010.00"),
        "{page}"
    );

    // A declared total is compared with the computed 合计 (52.600000 is
    // typed beyond the printed 2 decimals: a 0.01 difference is a 尾差 warning).
    let wrong = budget.replace("amount = 62.60 }", "amount = 62.61 }");
    let d = check(&wrong).diags;
    let found: Vec<(String, &str, &str)> = d
        .items
        .iter()
        .map(|x| (d.location(x), x.rule, x.message.zh.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "b.toml:24:19".to_string(),
            "R5",
            "政府购买服务明细表 合计 预算金额：申报 62.61，各项合计 62.60，相差 0.01（尾差：2 项四舍五入，允许 ±0.015）"
        )]
    );

    // A file that names no profile, printed with this one: its figures for
    // services were not copied from a table of its own profile (national).
    let options = yusuan::Options {
        profile: Some(profile.display().to_string()),
        ..Default::default()
    };
    let d = yusuan::check_str_with("b.toml", LIST_BUDGET, options)
        .unwrap()
        .diags;
    let found = located(&d, None);
    assert_eq!(
        found,
        [(
            "b.toml:22:1".to_string(),
            "[declared.services]：文件的配置 national 没有表 \"services\"，这些数无从核对（在 [department] 中写 profile = …）；可用：summary, income, expenditure, fiscal, general, basic, fund, soe, sangong"
        )]
    );

    // A key that is no column, a text for an amount, a typed sum, a list the
    // profile lacks: each at its place.
    let bad = budget.replace(
        "amount = 10.0\n",
        "amount = \"十\"\nlevel3 = \"x\"\ntotal = 10.0\n",
    ) + "\n[[list.nothing]]\namount = 1\n";
    let d = check(&bad).diags;
    let found: Vec<(String, &str, String)> = d
        .items
        .iter()
        .map(|x| (d.location(x), x.rule, x.message.zh.clone()))
        .collect();
    let nothing = format!(
        "[[list.nothing]]：配置 {} 没有 rows = \"list\" 的表 \"nothing\"；可用：services",
        profile.display()
    );
    assert_eq!(
        found,
        [
            ("b.toml:28:1".to_string(), "list", nothing),
            ("b.toml:20:10".to_string(), "list", "\"十\" 不是金额：列 \"amount\" 填金额（如 52.60）".to_string()),
            ("b.toml:21:10".to_string(), "list", "表 \"services\" 没有列 \"level3\"；可用：level1, level2, amount, general, other, total".to_string()),
            ("b.toml:22:9".to_string(), "list", "列 \"total\" 由同一行的其他列算出，不要填写".to_string()),
            // The refused amount is missing from the 合计 the file declares.
            ("b.toml:26:19".to_string(), "R5", "政府购买服务明细表 合计 预算金额：申报 62.60，各项合计 52.60，相差 10.00（超出 2 项四舍五入所能解释的 ±0.015）".to_string()),
        ]
    );
}

/// The `profile.toml` that `yusuan profile new --flat` writes of `dir`.
fn flat_copy(dir: &Path) -> String {
    let flat = dir.join("flat");
    yusuan(&[
        &"profile", &"new", &"flat", &"--from", &dir, &"--flat", &flat,
    ])
    .ok();
    std::fs::read_to_string(flat.join("profile.toml")).unwrap()
}

#[test]
fn a_profile_counts_checks_its_own_way() {
    // Kaiping's 11 warnings: 8 R5/R9, one R8, one R16, one R13 (its text's "528.62元").
    let file = example("kaiping-2024.toml");
    let dir = tempfile::tempdir().unwrap();
    let strict = "name = \"strict\"\nbase = \"hebei\"\n\n[checks]\nR13 = \"off\"\nR5 = \"error\"\n";
    std::fs::write(dir.path().join("profile.toml"), strict).unwrap();
    let options = yusuan::Options {
        profile: Some(dir.path().display().to_string()),
        ..Default::default()
    };
    let d = yusuan::check_file_with(&file, options).unwrap().diags;
    let rules = |severity: yusuan::diag::Severity| {
        let mut r: Vec<&str> = d
            .items
            .iter()
            .filter(|x| x.severity == severity)
            .map(|x| x.rule)
            .collect();
        r.sort();
        r
    };
    use yusuan::diag::Severity::{Error, Warning};
    assert_eq!(rules(Error), ["R5"; 6]);
    assert_eq!(rules(Warning), ["R16", "R8", "R9", "R9"]);
    // Exported flat, the settings travel with the profile.
    let written = flat_copy(dir.path());
    assert!(
        written.contains("[checks]\nR13 = \"off\"\nR5 = \"error\"\n"),
        "{written}"
    );
    // A rule that is no regional choice, or a level that is none, is refused at its place.
    std::fs::write(
        dir.path().join("profile.toml"),
        "name = \"strict\"\n\n[checks]\ntype = \"off\"\nR5 = \"fatal\"\n",
    )
    .unwrap();
    let run = yusuan(&[&"profile", &"check", &dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let toml = dir.path().join("profile.toml").display().to_string();
    for want in [
        format!(
            "错误[profile]: [checks] 中的规则 \"type\" 不能调整；可调整的规则：R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14, R16, R17, sentence, period, sections, last-year, text, unknown-code, project-total, project-subtotal, running-costs, indicator  ({toml}:4:8)"
        ),
        format!("错误[profile]: [checks] R5 = \"fatal\"：应为 error、warning 或 off  ({toml}:5:6)"),
    ] {
        assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    }
}

#[test]
fn a_profile_declares_which_printed_figures_must_agree() {
    let file = example("kaiping-2024.toml");
    let dir = tempfile::tempdir().unwrap();
    // The 一般公共预算支出表's 基本支出 against the 基本支出表's 人员经费: they
    // differ by the 公用经费, so the check must fire.
    let own = r#"name = "agree"
base = "hebei"

[[equal]]
rule = "R8"
left = { table = "general", row = "合计", column = "basic", label = "一般公共预算支出表 基本支出" }
right = { table = "basic", row = "合计", column = "personnel", label = "基本支出表 人员经费" }
"#;
    std::fs::write(dir.path().join("profile.toml"), own).unwrap();
    // The file's own profile says what its printed figures must satisfy.
    let text = std::fs::read_to_string(&file).unwrap().replacen(
        "catalogue = 2024",
        &format!(
            "catalogue = 2024\nprofile = {:?}",
            dir.path().display().to_string()
        ),
        1,
    );
    let d = yusuan::check_str("k.toml", &text).unwrap().diags;
    let found = located(&d, Some("R8"));
    assert!(
        found.iter().any(|(at, m)| at == "k.toml:178:35"
            && m.starts_with("一般公共预算支出表 基本支出：申报 528.62，基本支出表 人员经费申报 483.91，相差 44.71")),
        "{found:?}"
    );
    // Exported flat, the list travels with the profile.
    let written = flat_copy(dir.path());
    assert!(written.contains("[[equal]]\nrule = \"R8\"\nleft = { table = \"general\", row = \"合计\", column = \"basic\", label = \"一般公共预算支出表 基本支出\" }\n"), "{written}");
    // An unknown rule, table or column is reported at its place.
    std::fs::write(
        dir.path().join("profile.toml"),
        own.replace("rule = \"R8\"", "rule = \"R99\"")
            .replace("table = \"basic\"", "table = \"basics\"")
            .replace("column = \"basic\"", "column = \"bsic\""),
    )
    .unwrap();
    let run = yusuan(&[&"--lang", &"en", &"profile", &"check", &dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let toml = dir.path().join("profile.toml").display().to_string();
    for want in [
        format!(
            "error[profile]: [[equal]] names rule \"R99\", which does not exist (yusuan explain lists them)  ({toml}:5:8)"
        ),
        format!(
            "error[profile]: [[equal]] names column \"bsic\", which table general does not have; valid: total, basic, project  ({toml}:6:50)"
        ),
        format!(
            "error[profile]: [[equal]] names table \"basics\", which does not exist; valid: summary, income, expenditure, fiscal, general, basic, fund, soe, sangong  ({toml}:7:19)"
        ),
    ] {
        assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    }
}

/// The `[[equal]]` findings of `d` (the messages that compare two declared
/// figures), as `place message-start`.
fn equalities(d: &yusuan::diag::Diagnostics) -> Vec<String> {
    d.items
        .iter()
        .filter(|x| x.message.zh.contains("申报") && x.message.zh.contains("合计申报"))
        .map(|x| {
            let m = &x.message.zh;
            let end = m
                .find("，相差")
                .map_or(m.len(), |i| i + "，相差 0.10".len());
            format!("{} {} {}", x.rule, d.location(x), &m[..end.min(m.len())])
        })
        .collect()
}

#[test]
fn a_profile_s_equalities_replace_the_base_s_and_compare_only_declared_figures() {
    let kaiping = std::fs::read_to_string(example("kaiping-2024.toml")).unwrap();
    // A slip: 支出总表 合计 printed 5464.48 where 收支总表 支出总计 and the
    // 一般公共预算支出表 合计 print 5464.38.
    let line = "\"合计\" = { total = 5464.38, basic = 528.62, project = 4935.76 }";
    assert_eq!(kaiping.matches(line).count(), 2);
    let slip = kaiping.replacen(line, &line.replace("5464.38", "5464.48"), 1);
    // The built-in national equalities: R2 and R7 (all lines are 一般公共预算) fire.
    let d = yusuan::check_str("k.toml", &slip).unwrap().diags;
    assert_eq!(
        equalities(&d),
        [
            "R2 k.toml:130:42 收支总表 支出总计：申报 5464.38，支出总表 合计申报 5464.48，相差 0.10",
            "R7 k.toml:177:18 一般公共预算财政拨款支出表 合计：申报 5464.38，支出总表 合计申报 5464.48，相差 0.10",
        ]
    );
    assert!(d.skipped.is_empty(), "{:?}", d.skipped);
    // A profile that gives [[equal]] replaces the base's list (as documented):
    // neither R2 nor R7 is compared under it, its own R8 is.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("profile.toml"),
        r#"name = "own"
base = "national"

[[equal]]
rule = "R8"
left = { table = "general", row = "合计", column = "basic", label = "一般公共预算支出表 基本支出" }
right = { table = "expenditure", row = "合计", column = "basic", label = "支出总表 基本支出" }
"#,
    )
    .unwrap();
    let own = slip.replacen(
        "catalogue = 2024",
        &format!(
            "catalogue = 2024\nprofile = {:?}",
            dir.path().display().to_string()
        ),
        1,
    );
    let checked = yusuan::check_str("k.toml", &own).unwrap();
    let rules: Vec<_> = checked
        .budget
        .declared_profile
        .equalities
        .iter()
        .map(|e| e.rule)
        .collect();
    assert_eq!(rules, ["R8"]);
    assert_eq!(equalities(&checked.diags), Vec::<String>::new());
    // Only declared figures are compared: without the 一般公共预算支出表's
    // 合计, R7 does not run, and says why.
    let second = slip.rfind(line).unwrap();
    let undeclared = format!("{}{}", &slip[..second], &slip[second + line.len()..]);
    let d = yusuan::check_str("k.toml", &undeclared).unwrap().diags;
    assert_eq!(
        equalities(&d),
        ["R2 k.toml:130:42 收支总表 支出总计：申报 5464.38，支出总表 合计申报 5464.48，相差 0.10"]
    );
    let skipped: Vec<_> = d
        .skipped
        .iter()
        .map(|(r, t)| format!("{r} {}", t.zh))
        .collect();
    assert_eq!(
        skipped,
        [
            "R7 一般公共预算财政拨款支出表 合计 = 支出总表 合计：只比较申报了的数，本文件没有申报 [declared.general] 合计 total"
        ]
    );
    // R7 holds only when every line is 一般公共预算: one line of 政府性基金
    // and it is not compared (the 支出总表 then counts the fund's money too).
    let fund = slip.replacen(
        "[[expenditure]]\ncode = \"2013201\"",
        "[[expenditure]]\ncode = \"2013201\"\nsource = \"政府性基金\"\nbasic = 1\n\n[[expenditure]]\ncode = \"2013201\"",
        1,
    );
    let d = yusuan::check_str("k.toml", &fund).unwrap().diags;
    assert!(
        equalities(&d).iter().all(|e| !e.starts_with("R7")),
        "{:?}",
        equalities(&d)
    );
    let skipped: Vec<_> = d
        .skipped
        .iter()
        .map(|(r, t)| format!("{r} {}", t.zh))
        .collect();
    assert_eq!(
        skipped,
        [
            "R7 一般公共预算财政拨款支出表 合计 = 支出总表 合计：只在每一行的资金来源都是 一般公共预算 时比较，本文件还有其他来源"
        ]
    );
    // `check --verbose` lists them; the JSON output carries them.
    let file = dir.path().join("k.toml");
    std::fs::write(&file, &undeclared).unwrap();
    let run = yusuan(&[&"check", &"--verbose", &file]);
    let f = file.display();
    assert!(
        run.stderr.contains(&format!(
            "{f}: 跳过[R7]: 一般公共预算财政拨款支出表 合计 = 支出总表 合计：只比较申报了的数"
        )),
        "{}",
        run.stderr
    );
    let run = yusuan(&[&"check", &"--message-format", &"json", &file]);
    let skipped: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["severity"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{}", run.stdout);
    assert_eq!(skipped[0]["rule"], "R7");
}

#[test]
fn an_equality_naming_a_row_its_table_cannot_have_is_an_error_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    // 合计 written 总计 (a row of the 收支总表, not of the 支出总表), a
    // 功能分类 code of four digits, an income item on the 三公 table.
    std::fs::write(
        dir.path().join("profile.toml"),
        r#"name = "rows"
base = "national"

[[equal]]
rule = "R2"
left = { table = "summary", row = "总计", column = "expenditure", label = "收支总表 支出总计" }
right = { table = "expenditure", row = "总计", column = "total", label = "支出总表 合计" }

[[equal]]
rule = "R7"
left = { table = "general", row = "2013", column = "total", label = "一般公共预算支出表 2013" }
right = { table = "sangong", row = "general", column = "total", label = "三公" }
"#,
    )
    .unwrap();
    let run = yusuan(&[&"profile", &"check", &dir.path()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let toml = dir.path().join("profile.toml").display().to_string();
    for want in [
        format!(
            "错误[profile]: [[equal]] 的行 \"总计\" 不在表 expenditure 中：可用 合计，或 3、5、7 位的功能分类代码  ({toml}:7:40)"
        ),
        format!(
            "错误[profile]: [[equal]] 的行 \"2013\" 不在表 general 中：可用 合计，或 3、5、7 位的功能分类代码  ({toml}:11:35)"
        ),
        format!(
            "错误[profile]: [[equal]] 的行 \"general\" 不在表 sangong 中：可用 合计、小计、abroad、abroad_research、abroad_other、vehicle、vehicle_purchase、vehicle_operation、reception  ({toml}:12:36)"
        ),
    ] {
        assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    }
    // The left side's 总计 is a row of the 收支总表: not reported.
    assert!(!run.stderr.contains(":6:"), "{}", run.stderr);
}

/// Issue 26, case 1: one `[[expenditure]]` line of 50 beside the records.
/// It has no 预算单位 and no 政府经济分类, so beijing's 预算03表 (项 × 政府经济
/// × 部门经济) and 预算05表 (单位 × 项), xian's 表2 (by 单位) and its
/// tables by 经济分类 would print without it; each is now an error at the line, naming the
/// amount (50 万元 = 500000.00 元; 50 元 in Xi'an's 元 file) and the table.
#[test]
fn an_amount_a_pivot_cannot_place_is_an_error_at_its_line_never_dropped() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let line = "\n[[expenditure]]\ncode = \"2010802\"\nproject = 50\n";
    for (example, tables) in [
        (
            "beijing-audit-2026.toml",
            &[
                ("政府经济分类", "预算03表 支出总表", "government"),
                ("预算单位", "预算05表 一般公共预算支出表", "unit"),
            ][..],
        ),
        (
            "xian-petition-2026.toml",
            &[
                ("部门经济分类", "支出按部门经济分类（按大类）", "economic"),
                (
                    "部门经济分类",
                    "表6 部门综合预算一般公共预算支出明细表（按支出经济分类科目）",
                    "economic",
                ),
                ("政府经济分类", "支出按政府经济分类（按大类）", "government"),
                ("预算单位", "表2 部门综合预算收入总表", "unit"),
            ][..],
        ),
    ] {
        // Beijing's file is in 万元 (50 万元 = 500000.00 元), Xi'an's in 元.
        let amount = if example.starts_with("beijing") {
            "500000.00"
        } else {
            "50.00"
        };
        let text = std::fs::read_to_string(root.join("examples").join(example)).unwrap() + line;
        let at = text.lines().count() - 2; // the [[expenditure]] header
        let d = yusuan::check_str("t.toml", &text).unwrap().diags;
        let found: Vec<(String, &str)> = located(&d, Some("dimension"));
        assert_eq!(found.len(), tables.len(), "{example}: {found:?}");
        for ((place, message), (what, title, key)) in found.iter().zip(tables) {
            assert_eq!(*place, format!("t.toml:{at}:1"), "{example}");
            assert!(
                message.starts_with(&format!("这笔金额（{amount} 元）没有{what}，{title}按")),
                "{example}: {message}"
            );
            assert!(
                message.ends_with(&format!("请把它写成带 {key} = \"…\" 的 [[fact]] 记录")),
                "{message}"
            );
        }
    }
    // The examples themselves place every amount.
    for example in ["beijing-audit-2026.toml", "xian-petition-2026.toml"] {
        let d = yusuan::check_file(&root.join("examples").join(example))
            .unwrap()
            .diags;
        assert_eq!(located(&d, Some("dimension")), [], "{example}");
    }
}

/// Issue 26, case 9: a `|` in a 单位 code would shift a cross table's row
/// (`"0|1|2013201"` read as 单位 "0", 项 "1"), printing 2013201's money
/// under another 项. It is refused at its place.
#[test]
fn a_bar_in_a_unit_code_is_refused_at_its_place() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/beijing-audit-2026.toml"))
        .unwrap()
        .replacen("unit = \"01\"", "unit = \"0|1\"", 1);
    let line = text.lines().position(|l| l == "unit = \"0|1\"").unwrap() + 1;
    let d = yusuan::check_str("t.toml", &text).unwrap().diags;
    assert_eq!(
        located(&d, Some("fact")),
        [(
            format!("t.toml:{line}:8"),
            "预算单位 \"0|1\" 含有 \"|\"：它在交叉表的行中隔开各维的编码（\"01|2013201\"），不能用在编码或名称里"
        )]
    );
}

/// Pivots read today's forms too: a 项 line split into 人员 30 / 公用 10,
/// another all 人员 (基本 8 = 人员 8) with 项目 20 (and 7 of 事业收入);
/// 经济分类 lines with their 政府经济 款 (30101 under 50101: 38, 30201 under
/// 50201: 10). By 功能分类: 2013201 人员 30, 公用 10; 2013202 人员 8, 项目 27
/// (20 of them 一般公共预算). By 政府经济: 50101 38, 50201 10 — by hand.
#[test]
fn pivots_group_todays_forms_by_their_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("profile.toml"),
        r#"name = "forms"
base = "national"

[[tables]]
id = "by_function"
number = 10
title = "按功能分类"
rows = "pivot"
by = "function"
rule = "R4"
columns = [
  { key = "total", header = "合计", sum = ["basic", "project"] },
  { key = "basic", header = "基本支出", kinds = ["basic"] },
  { key = "personnel", header = "人员经费", kinds = ["personnel"] },
  { key = "public", header = "公用经费", kinds = ["public"] },
  { key = "project", header = "项目支出", kinds = ["project"] },
  { key = "gp", header = "一般公共预算项目", sources = ["general"], kinds = ["project"] },
]

[[tables]]
id = "by_government"
number = 11
title = "按政府经济分类"
rows = "pivot"
by = "government"
rule = "R9"
columns = [
  { key = "total", header = "合计", sum = ["personnel", "public"] },
  { key = "personnel", header = "人员经费", kinds = ["personnel"] },
  { key = "public", header = "公用经费", kinds = ["public"] },
]
"#,
    )
    .unwrap();
    let text = format!(
        "[department]\nname = \"测试局\"\nyear = 2025\nprofile = {:?}\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 40\npersonnel = 30\npublic = 10\n\n[[expenditure]]\ncode = \"2013202\"\nbasic = 8\npersonnel = 8\nproject = 20\n\n[[expenditure]]\ncode = \"2013202\"\nsource = \"事业收入\"\nproject = 7\n\n[[basic_economic]]\ncode = \"30101\"\namount = 38\ngovernment = \"50101\"\n\n[[basic_economic]]\ncode = \"30201\"\namount = 10\ngovernment = \"50201\"\n",
        dir.path().display().to_string()
    );
    let checked = yusuan::check_str("t.toml", &text).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    let table = |id: &str| {
        t.trees()
            .into_iter()
            .find(|x| x.spec.id == id)
            .unwrap()
            .rows
            .iter()
            .map(|r| {
                let cells: Vec<String> = r
                    .cells
                    .values()
                    .map(|v| v.normalize().to_string())
                    .collect();
                format!("{} {}", r.code, cells.join(" "))
            })
            .collect::<Vec<_>>()
    };
    // Cells in key order: basic gp personnel project public total; the
    // 事业收入 project 7 counts in 项目支出, not in its 一般公共预算 column.
    let f = table("by_function");
    assert!(f.contains(&"2013201 40 0 30 0 10 40".to_string()), "{f:?}");
    assert!(f.contains(&"2013202 8 20 8 27 0 35".to_string()), "{f:?}");
    assert_eq!(f[0], " 48 20 38 27 10 75");
    // Cells in key order: personnel public total.
    let g = table("by_government");
    assert!(g.contains(&"50101 38 0 38".to_string()), "{g:?}");
    assert!(g.contains(&"50201 0 10 10".to_string()), "{g:?}");
}

/// Issue 26, case 13: an error inside a base profile is that error, at its
/// line in the base's file (not "unknown base profile"); several profile
/// errors are several diagnostics, never joined by a literal `\u{a}`; a
/// district printed with a profile directory names it relative to itself.
#[test]
fn a_broken_base_profile_is_named_at_its_own_line_and_districts_name_profiles_relatively() {
    let root = tempfile::tempdir().unwrap();
    let (base, own) = (root.path().join("base"), root.path().join("own"));
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&own).unwrap();
    // Two tables without their `rule`: two errors, lines 4 and 10.
    let table = |id: &str, n: u32| {
        format!(
            "\n[[tables]]\nid = \"{id}\"\nnumber = {n}\ntitle = \"{id}\"\nrows = \"pivot\"\nby = \"function\"\ncolumns = [{{ key = \"total\", header = \"合计\", kinds = [\"basic\"] }}]\n"
        )
    };
    std::fs::write(
        base.join("profile.toml"),
        format!(
            "name = \"base\"\nbase = \"national\"\n{}{}",
            table("a", 10),
            table("b", 11)
        ),
    )
    .unwrap();
    std::fs::write(
        own.join("profile.toml"),
        "name = \"own\"\nbase = \"../base\"\n",
    )
    .unwrap();
    let text = format!(
        "[department]\nname = \"x\"\nyear = 2025\nprofile = {:?}\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1\n",
        own.display().to_string()
    );
    let d = yusuan::check_str("t.toml", &text).unwrap().diags;
    let found = located(&d, Some("profile"));
    let file = own.join("../base/profile.toml");
    let at = |line: u32| {
        format!(
            "{}:{line}:1: 错误[type]: 缺少必填的键 `rule`",
            file.display()
        )
    };
    assert_eq!(
        found,
        [
            ("t.toml:4:11".to_string(), at(4).as_str()),
            ("t.toml:4:11".to_string(), at(12).as_str())
        ]
    );
    // A district of two departments printed with a profile directory names
    // it as the departments do, relative to where it is written.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let (prof, depts, out) = (
        root.path().join("prof"),
        root.path().join("depts"),
        root.path().join("out"),
    );
    for d in [&prof, &depts, &out] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::copy(data.join("profile.toml"), prof.join("profile.toml")).unwrap();
    let budget = std::fs::read_to_string(data.join("budget.toml"))
        .unwrap()
        .replace("year = 2025\n", "year = 2025\nprofile = \"../prof\"\n");
    std::fs::write(depts.join("a.toml"), &budget).unwrap();
    std::fs::write(depts.join("b.toml"), budget.replace("测试局", "另一局")).unwrap();
    let district = out.join("district.toml");
    let run = yusuan(&[
        &"consolidate",
        &depts.join("a.toml"),
        &depts.join("b.toml"),
        &"-o",
        &district,
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let written = std::fs::read_to_string(&district).unwrap();
    assert!(written.contains("\nprofile = \"../prof\"\n"), "{written}");
}

/// Issue 26, case 10: a region that replaces the 收入总表 with fewer
/// columns (only 财政拨款) cannot make it incomplete: the 事业收入 line's
/// 50 万元 (500000.00 元) has no column there and is an error at its line, not a table that
/// prints 100 of 150.
#[test]
fn a_replaced_statutory_table_stays_complete() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("profile.toml"),
        r#"name = "narrow"
base = "national"

[[tables]]
id = "income"
number = 2
title = "收入总表"
rows = "function"
rule = "R3"
columns = [
  { key = "total", header = "合计", sum = ["fiscal"] },
  { key = "fiscal", header = "财政拨款收入", sources = ["general", "fund", "soe"] },
]
"#,
    )
    .unwrap();
    let text = format!(
        "[department]\nname = \"x\"\nyear = 2025\nprofile = {:?}\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100\n\n[[expenditure]]\ncode = \"2013201\"\nsource = \"事业收入\"\nbasic = 50\n",
        dir.path().display().to_string()
    );
    let d = yusuan::check_str("t.toml", &text).unwrap().diags;
    let found = located(&d, Some("columns"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "t.toml:10:1");
    assert!(
        found[0]
            .1
            .starts_with("项 2013201 有 500000.00 元事业收入资金或某类支出，而地区样式"),
        "{found:?}"
    );
}

/// Issue 26, case 2: two records on one 经济 款 with different kinds (30199
/// 人员经费 25, 公用经费 10) beside an unsplit 基本支出 record (30201 5): the
/// 基本支出表 prints 人员 25 / 公用 15 (hand-worked), not the first kind's
/// 35 / 5.
#[test]
fn records_of_one_kuan_with_two_kinds_keep_their_kinds() {
    let text = "[department]\nname = \"x\"\nyear = 2025\n\n[[fact]]\nfunction = \"2013201\"\neconomic = \"30199\"\nkind = \"人员经费\"\namount = 25\n\n[[fact]]\nfunction = \"2013201\"\neconomic = \"30199\"\nkind = \"公用经费\"\namount = 10\n\n[[fact]]\nfunction = \"2013202\"\neconomic = \"30201\"\nkind = \"基本支出\"\namount = 5\n";
    let checked = yusuan::check_str("t.toml", text).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let basic = &checked.report.tables.as_ref().unwrap().basic;
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    let total = &basic.total().cells;
    assert_eq!((total["personnel"], total["public"]), (d("25"), d("15")));
    let row = &basic.row("30199").unwrap().cells;
    assert_eq!((row["personnel"], row["public"]), (d("25"), d("10")));
}

/// Issue 26, case 3: the 项 given as records take last year's figures from
/// last year's file (`[last_year] from`, in today's form): the comparison
/// table's 上年预算 column prints 110.00 and 40.00 (合计 150.00, by hand
/// from the file), as when the records give them.
#[test]
fn last_years_file_reaches_a_pivots_last_year_column_for_records() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let dir = tempfile::tempdir().unwrap();
    let budget = std::fs::read_to_string(data.join("budget.toml")).unwrap();
    let cut = budget.find("# Last year's figures").unwrap();
    let names = budget.find("[names]").unwrap();
    let text = format!(
        "{}{}\n[last_year]\nfrom = \"2024.toml\"\n",
        &budget[..cut],
        &budget[names..]
    )
    .replace(
        "year = 2025\n",
        &format!("year = 2025\nprofile = {:?}\n", data.display().to_string()),
    );
    std::fs::write(
        dir.path().join("2024.toml"),
        "[department]\nname = \"测试局\"\nyear = 2024\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 110.00\n\n[[expenditure]]\ncode = \"2013299\"\nproject = 40.00\n",
    )
    .unwrap();
    let path = dir.path().join("2025.toml");
    std::fs::write(&path, text).unwrap();
    let checked = yusuan::check_file(&path).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let last = |code: &str| crate::common::cell(&checked, "against_last_year", code, "last");
    assert_eq!(
        (last(""), last("2013201"), last("2013299")),
        ("150".into(), "110".into(), "40".into())
    );
}

/// A profile's number style: 6 decimals are the most a table prints (万元
/// exact to the 元); 7, or a zero style no region uses, is an error at its
/// place when the profile is read.
#[test]
fn a_profiles_number_style_is_checked_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let read = |style: &str| -> Vec<String> {
        let text = format!("name = \"s\"\nbase = \"national\"\nstyle = {style}\n");
        match load_profile(dir.path(), &text) {
            Ok(p) => vec![format!("decimals {}", p.style.decimals)],
            Err(e) => e,
        }
    };
    assert_eq!(read("{ decimals = 6 }"), ["decimals 6"]);
    assert_eq!(read("{ decimals = 7 }"), ["p:3:22 小数位数最多 6 位"]);
    assert_eq!(
        read("{ zero = \"nil\" }"),
        ["p:3:18 零的写法 \"nil\" 不可用；可用：\"\"（空白）、\"0\"、\"0.00\"、\"-\"、\"—\""]
    );
}

/// A profile's `[checks]` levels in either language, and the shapes a
/// statutory or added table may not take, each at its place.
#[test]
fn a_profiles_levels_and_table_shapes_are_read_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let head = "name = \"l\"\nbase = \"national\"\n";
    let p = load_profile(
        dir.path(),
        &format!(
            "{head}\n[checks]\nR5 = \"warning\"\nR7 = \"警告\"\nR9 = \"关闭\"\nR1 = \"错误\"\n"
        ),
    )
    .unwrap();
    use yusuan::profile::Level;
    let level = |r: &str| p.checks.iter().find(|(x, _)| x == r).map(|(_, l)| *l);
    assert_eq!(
        [level("R5"), level("R7"), level("R9"), level("R1")],
        [
            Some(Level::Warning),
            Some(Level::Warning),
            Some(Level::Off),
            Some(Level::Error)
        ]
    );
    let errors = |text: &str| load_profile(dir.path(), text).err().unwrap_or_default();
    // `by = []`: no dimension to group by.
    assert_eq!(
        errors(&format!(
            "{head}\n[[tables]]\nid = \"x\"\nnumber = 10\ntitle = \"x\"\nrows = \"pivot\"\nby = []\nrule = \"R4\"\ncolumns = [{{ key = \"total\", header = \"合计\", kinds = [\"basic\"] }}]\n"
        )),
        ["p:9:6 by 是空的"]
    );
    // The 收入总表 as a list: the rules read it by 功能分类.
    assert_eq!(
        errors(&format!(
            "{head}\n[[tables]]\nid = \"income\"\nnumber = 2\ntitle = \"收入\"\nrows = \"list\"\nrule = \"R3\"\ncolumns = [{{ key = \"total\", header = \"合计\" }}]\n"
        )),
        [
            "p:8:8 表 \"income\" 是规定的表，核对规则按它的形状读它：rows 应为 function, economic or pivot"
        ]
    );
}

/// Issue 27: the unknown-code message asks for `name = "…"`, and a record
/// takes it: the 支出总表 prints the name given.
#[test]
fn a_record_names_a_code_the_catalogue_lacks_as_the_message_asks() {
    let text = "[department]\nname = \"x\"\nyear = 2025\n\n[[fact]]\nfunction = \"2019999\"\nkind = \"项目支出\"\namount = 10\n";
    let d = yusuan::check_str("t.toml", text).unwrap().diags;
    assert_eq!(
        located(&d, Some("unknown-code")),
        [(
            "t.toml:5:1".to_string(),
            "编码 2019999 不在 2025 分类目录中，请给出它的名称（name = \"…\"）"
        )]
    );
    let named = text.replace(
        "function = \"2019999\"\n",
        "function = \"2019999\"\nname = \"其他专项事务\"\n",
    );
    let checked = yusuan::check_str("t.toml", &named).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let row = checked
        .report
        .tables
        .as_ref()
        .unwrap()
        .expenditure
        .row("2019999")
        .unwrap();
    assert_eq!(row.name, "其他专项事务");
}

/// What a profile's table definitions may not say, each at its place: a
/// filter on a list table's column (its amounts are typed), a sum column
/// that also filters, sums that add each other back; and a profile without
/// a base that lacks the tables the rules read.
#[test]
fn a_profiles_impossible_columns_and_missing_tables_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let errors = |text: &str| load_profile(dir.path(), text).err().unwrap_or_default();
    let table = |rows: &str, columns: &str| {
        format!(
            "name = \"c\"\nbase = \"national\"\n\n[[tables]]\nid = \"x\"\nnumber = 10\ntitle = \"x\"\nrows = \"{rows}\"\nrule = \"R4\"\ncolumns = [\n{columns}]\n"
        )
    };
    assert_eq!(
        errors(&table(
            "list",
            "  { key = \"name\", header = \"名称\", text = true },\n  { key = \"amount\", header = \"金额\", sources = [\"general\"] },\n"
        )),
        [
            "p:12:11 rows = \"list\" 的表逐行填写金额，列 \"amount\" 的筛选（sources/kinds/economic）永远用不上"
        ]
    );
    assert_eq!(
        errors(&table(
            "function",
            "  { key = \"total\", header = \"合计\", sum = [\"basic\"], kinds = [\"project\"] },\n  { key = \"basic\", header = \"基本\", kinds = [\"basic\"] },\n"
        )),
        ["p:11:11 列 \"total\" 既是 sum 又有筛选；sum 列只把同一行的其他列相加"]
    );
    // An unknown source names the valid ones (each by its last name).
    let source = errors(&table(
        "function",
        "  { key = \"total\", header = \"合计\", sources = [\"财政\"] },\n",
    ));
    assert_eq!(
        source[0],
        "p:11:46 未知的资金来源 \"财政\"；可用：general, fund, soe, special_account, business, operating, superior, subsidiary, other, carryover, general_carryover, fund_carryover, soe_carryover"
    );
    // A sum that reaches a cycle it is not part of (a → b → c → b) is no
    // cycle of its own: the cycle is named where it is, at b.
    let chain = errors(&table(
        "function",
        "  { key = \"a\", header = \"甲\", sum = [\"b\"] },\n  { key = \"b\", header = \"乙\", sum = [\"c\"] },\n  { key = \"c\", header = \"丙\", sum = [\"b\"] },\n",
    ));
    assert_eq!(chain, ["p:12:11 列 \"b\" 的 sum 经由其他列又加回自己"]);
    let cycle = errors(&table(
        "function",
        "  { key = \"a\", header = \"甲\", sum = [\"b\"] },\n  { key = \"b\", header = \"乙\", sum = [\"a\"] },\n",
    ));
    assert!(
        cycle.contains(&"p:11:11 列 \"a\" 的 sum 经由其他列又加回自己".to_string()),
        "{cycle:?}"
    );
    // No base: the nine tables the rules read must be defined here — all
    // nine missing beside a table of its own.
    let missing = errors(
        &table(
            "function",
            "  { key = \"total\", header = \"合计\", kinds = [\"basic\"] },\n",
        )
        .replace("base = \"national\"\n", ""),
    );
    assert_eq!(
        missing.iter().filter(|m| m.contains("缺少表")).count(),
        9,
        "{missing:?}"
    );
    assert!(
        missing.iter().any(|m| m.ends_with(
            "缺少表 \"summary\"：核对规则要用到它（写 base = \"national\" 继承它，或自己定义）"
        )),
        "{missing:?}"
    );
}

/// Issue 27: `kind` may be left out of a last-year record only (its 项's
/// total of every kind, 110.00 here, reaching the 上年预算 column); a
/// this-year record without it is an error at the record.
#[test]
fn only_a_last_year_record_may_leave_its_kind_out() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let budget = std::fs::read_to_string(data.join("budget.toml"))
        .unwrap()
        .replacen(
            "kind = \"基本支出\"\nlast_year = true\n",
            "last_year = true\n",
            1,
        )
        .replace(
            "year = 2025\n",
            &format!("year = 2025\nprofile = {:?}\n", data.display().to_string()),
        );
    assert!(!budget.contains("kind = \"基本支出\"\nlast_year = true"));
    let checked = yusuan::check_str("b.toml", &budget).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let last = |code: &str| crate::common::cell(&checked, "against_last_year", code, "last");
    assert_eq!(
        (last("2013201"), last("")),
        ("110".to_string(), "150".to_string())
    );
    let text = "[department]\nname = \"x\"\nyear = 2025\n\n[[fact]]\nfunction = \"2013201\"\namount = 10\n";
    let d = yusuan::check_str("t.toml", text).unwrap().diags;
    assert_eq!(
        located(&d, Some("fact")),
        [(
            "t.toml:5:1".to_string(),
            "这条记录没有支出类型（kind = \"人员经费\"、\"项目支出\"……）：只有上年数（last_year = true）可以不写"
        )]
    );
}

/// Writes `text` as the `profile.toml` of `dir` and loads it afresh: the
/// profile, or each error as `p:line:col message` (`p` for the file).
fn load_profile(dir: &Path, text: &str) -> Result<&'static yusuan::profile::Profile, Vec<String>> {
    let file = dir.join("profile.toml");
    std::fs::write(&file, text).unwrap();
    yusuan::profile::forget_loaded();
    yusuan::profile::load(dir).map_err(|d| {
        d.items
            .iter()
            .map(|x| {
                format!(
                    "{} {}",
                    d.location(x).replace(&file.display().to_string(), "p"),
                    x.message.zh
                )
            })
            .collect()
    })
}

#[test]
fn a_profile_can_print_the_sums_instead_of_the_declared_figures() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("sums");
    std::fs::create_dir(&prof).unwrap();
    let p = load_profile(
        &prof,
        "name = \"sums\"\nbase = \"national\"\nprint = \"computed\"\n",
    )
    .unwrap();
    assert!(!p.print_declared);
    let bad = load_profile(
        &prof,
        "name = \"sums\"\nbase = \"national\"\nprint = \"rounded\"\n",
    )
    .unwrap_err();
    assert_eq!(
        bad,
        ["p:3:9 未知的打印方式 \"rounded\"；可用：declared, computed"]
    );
    std::fs::write(
        prof.join("profile.toml"),
        "name = \"sums\"\nbase = \"national\"\nprint = \"computed\"\n",
    )
    .unwrap();
    yusuan::profile::forget_loaded();
    // Kaiping's 基本支出表 合计: declared 528.62 (seed 003), its leaves sum to 528.64.
    let kaiping = std::fs::read_to_string(example("kaiping-2024.toml")).unwrap();
    let file = dir.path().join("k.toml");
    for (profile, want) in [("\"national\"", "528.62"), ("\"sums\"", "528.64")] {
        let text = kaiping.replacen(
            "[department]\n",
            &format!("[department]\nprofile = {profile}\n"),
            1,
        );
        std::fs::write(&file, text).unwrap();
        let checked = yusuan::check_file(&file).unwrap();
        assert_eq!(
            crate::common::cell(&checked, "basic", "", "total"),
            want,
            "{profile}"
        );
    }
}

/// A region states an identity of its computed tables as data: the
/// 一般公共预算支出表 is part of the 支出总表 (`<=`), and here — wrongly for a
/// department with 政府性基金 money — equal to it.
#[test]
fn a_profile_states_identities_of_its_computed_tables_with_a_relation() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("p");
    std::fs::create_dir(&prof).unwrap();
    let rules = |relation: &str| {
        format!(
            "name = \"p\"\nbase = \"national\"\n\n[[equal]]\nrule = \"R2\"\ncomputed = true\nrelation = \"{relation}\"\nleft = {{ table = \"general\", row = \"合计\", column = \"total\", label = \"一般公共预算支出表 合计\" }}\nright = {{ table = \"expenditure\", row = \"合计\", column = \"total\", label = \"支出总表 合计\" }}\n"
        )
    };
    // 100 of 一般公共预算 and 30 of 政府性基金: 100 against 130.
    let text = format!(
        "[department]\nname = \"x\"\nyear = 2024\nprofile = {:?}\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100\n[[expenditure]]\ncode = \"2013299\"\nsource = \"政府性基金\"\nproject = 30\n",
        prof.display().to_string()
    );
    let r2 = |relation: &str| {
        std::fs::write(prof.join("profile.toml"), rules(relation)).unwrap();
        yusuan::profile::forget_loaded();
        let d = yusuan::check_str("t.toml", &text).unwrap().diags;
        d.items
            .iter()
            .filter(|x| x.rule == "R2")
            .map(|x| x.message.zh.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(r2("<="), Vec::<String>::new());
    assert_eq!(
        r2("="),
        [
            "一般公共预算支出表 合计 计算为 1000000.00 元，支出总表 合计 为 1300000.00 元：前者应等于后者（地区样式的 [[equal]]）"
        ]
    );
    assert_eq!(
        r2(">="),
        [
            "一般公共预算支出表 合计 计算为 1000000.00 元，支出总表 合计 为 1300000.00 元：前者不应小于后者（地区样式的 [[equal]]）"
        ]
    );
    // A relation it does not know, at its place; a relation on declared figures is refused.
    let bad = load_profile(&prof, &rules("<")).unwrap_err();
    assert_eq!(
        bad,
        ["p:7:12 [[equal]] 的 relation \"<\" 不可用；可用：=、<=、>="]
    );
    let declared = rules("<=").replace("computed = true\n", "");
    let bad = load_profile(&prof, &declared).unwrap_err();
    assert_eq!(
        bad,
        ["p:6:12 申报的数只比较是否相等：relation 只用于 computed = true"]
    );
    // Exported flat, the identity travels with the profile.
    std::fs::write(prof.join("profile.toml"), rules("<=")).unwrap();
    let written = flat_copy(&prof);
    assert!(
        written.contains("computed = true\nrelation = \"<=\"\n"),
        "{written}"
    );
}

/// Zeros print as the document asks: the profile's style (blank in
/// national), its style for earlier years (`[style.until.2022]`: 0.00), a
/// table's own `zero` (—, in any year), and the file's `zero` over the
/// profile's (but not over a table's own).
#[test]
fn zeros_print_by_profile_year_table_and_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/profile.toml"),
        "name = \"zt\"\nbase = \"national\"\n\n[style.until.2022]\nzero = \"0.00\"\n\n[[tables]]\nid = \"by_source\"\nnumber = 10\ntitle = \"按来源\"\nrows = \"function\"\nrule = \"R4\"\nzero = \"—\"\ncolumns = [\n  { key = \"general\", header = \"一般公共预算\", sources = [\"general\"] },\n  { key = \"fund\", header = \"政府性基金\", sources = [\"fund\"] },\n]\n",
    )
    .unwrap();
    let source = |year: i32, zero: &str| -> String {
        let file = dir.path().join(format!("a{year}{}.toml", zero.len()));
        std::fs::write(
            &file,
            format!("[department]\ncode = \"101\"\nname = \"测试部门\"\nyear = {year}\nprofile = \"p\"\n{zero}\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100.00\n"),
        )
        .unwrap();
        let out = file.with_extension("typ.d");
        let run = yusuan(&[&"render", &file, &"-o", &out, &"--emit", &"typst"]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        std::fs::read_to_string(out.join("main.typ")).unwrap()
    };
    // The 收支总表's empty 政府性基金 income and the table of its own's empty 政府性基金 column.
    let fund_income = |s: &str| -> String {
        let line = s
            .lines()
            .find(|l| l.contains("二、政府性基金预算拨款收入"))
            .unwrap();
        line.split(", ").nth(1).unwrap().to_string()
    };
    let by_source_total = |s: &str| -> String {
        let at = s.find("按来源").expect("table 10");
        s[at..]
            .lines()
            .find(|l| l.contains("\"合计\""))
            .unwrap()
            .to_string()
    };
    let now = source(2024, "");
    assert_eq!(fund_income(&now), "\"\"");
    assert!(
        by_source_total(&now).contains("(\"100.00\", \"—\", )"),
        "{}",
        by_source_total(&now)
    );
    let then = source(2022, "");
    assert_eq!(fund_income(&then), "\"0.00\"");
    assert!(by_source_total(&then).contains("(\"100.00\", \"—\", )"));
    let own = source(2022, "zero = \"-\"");
    assert_eq!(fund_income(&own), "\"-\"");
    assert!(by_source_total(&own).contains("(\"100.00\", \"—\", )"));
    // `profile new --flat` keeps both.
    flat_copy(&dir.path().join("p"));
    yusuan::profile::forget_loaded();
    let flat = yusuan::profile::load(&dir.path().join("p/flat")).unwrap();
    assert_eq!(flat.style_for(2022).zero, "0.00");
    assert_eq!(flat.style_for(2023).zero, "");
    let own = flat.tables.iter().find(|t| t.id == "by_source").unwrap();
    assert_eq!(own.zero, Some("—"));
    // A zero style that is none of them is an error at its place.
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[department]\ncode = \"101\"\nname = \"测试部门\"\nyear = 2024\nzero = \"零\"\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1\n").unwrap();
    let run = yusuan(&[&"check", &file]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "错误[zero]: 零的写法 \"零\" 不可用；可用：\"\"（空白）、\"0\"、\"0.00\"、\"-\"、\"—\""
        ) && run.stderr.contains("bad.toml:5:8"),
        "{}",
        run.stderr
    );
}

/// 政府采购品目 and 项目类别 are dimensions of the ledger: a pivot by 品目
/// groups the purchases (money never bought is not in it, by definition),
/// a pivot of 项目支出 by 类别 holds every project's money — and a project
/// amount without a 类别 is an error at its record, never dropped.
#[test]
fn procurement_and_category_are_dimensions_of_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/profile.toml"),
        "name = \"dims\"\nbase = \"national\"\n\n[[tables]]\nid = \"purchases\"\nnumber = 10\ntitle = \"政府采购预算表\"\nrows = \"pivot\"\nby = \"procurement\"\nrule = \"R4\"\ncolumns = [{ key = \"total\", header = \"合计\" }]\n\n[[tables]]\nid = \"categories\"\nnumber = 11\ntitle = \"项目支出按类别\"\nrows = \"pivot\"\nby = \"category\"\nrule = \"R4\"\ncolumns = [{ key = \"project\", header = \"项目支出\", kinds = [\"project\"] }]\n",
    )
    .unwrap();
    let head = "[department]\ncode = \"101\"\nname = \"测试部门\"\nyear = 2025\nprofile = \"p\"\nunit = \"元\"\nprint_unit = \"元\"\n";
    let record = |kind: &str, more: &str, amount: &str| {
        format!("\n[[fact]]\nfunction = \"2013201\"\nkind = \"{kind}\"\n{more}amount = {amount}\n")
    };
    let text = format!(
        "{head}{}{}{}{}",
        record("基本支出", "procurement = \"A-货物\"\n", "300.00"),
        record(
            "项目支出",
            "procurement = \"A-货物\"\ncategory = \"专项业务\"\n",
            "200.00"
        ),
        record(
            "项目支出",
            "procurement = \"C-服务\"\ncategory = \"运转类\"\n",
            "50.00"
        ),
        record("项目支出", "category = \"专项业务\"\n", "25.00"),
    );
    let file = dir.path().join("a.toml");
    std::fs::write(&file, &text).unwrap();
    let checked = yusuan::check_file(&file).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let cell = |t: &str, r: &str, c: &str| crate::common::cell(&checked, t, r, c);
    // Purchases: 300 + 200 of goods, 50 of services; the 25 not bought is not here.
    assert_eq!(cell("purchases", "A-货物", "total"), "500");
    assert_eq!(cell("purchases", "C-服务", "total"), "50");
    assert_eq!(cell("purchases", "", "total"), "550");
    // Projects by 类别: every project's money.
    assert_eq!(cell("categories", "专项业务", "project"), "225");
    assert_eq!(cell("categories", "运转类", "project"), "50");
    assert_eq!(cell("categories", "", "project"), "275");
    let tables = checked.report.tables.as_ref().unwrap();
    let purchases = tables
        .trees()
        .into_iter()
        .find(|t| t.id == "purchases")
        .unwrap();
    assert_eq!(purchases.code_head, "政府采购品目");
    // A project amount with no 类别 would leave the table short: an error at it.
    let lost = format!("{text}{}", record("项目支出", "", "7.00"));
    std::fs::write(&file, &lost).unwrap();
    let checked = yusuan::check_file(&file).unwrap();
    let errors = located(&checked.diags, Some("dimension"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.ends_with("a.toml:35:1"), "{errors:?}");
    assert_eq!(
        errors[0].1,
        "这笔金额（7.00 元）没有项目类别，项目支出按类别按项目类别成行：它会从表中漏掉；请把它写成带 category = \"…\" 的 [[fact]] 记录"
    );
}

/// Last year's 三公 by fund, in a table's own columns: a region's 三公 table
/// with this year, last year (`kinds = ["last_year"]`) and the change
/// (derived); last year's items given by fund are facts like this year's,
/// and a declared last-year 合计 is checked against its items (R10).
#[test]
fn last_years_sangong_by_fund_prints_beside_this_years_with_its_change() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/profile.toml"),
        "name = \"sg\"\nbase = \"national\"\n\n[[tables]]\nid = \"sangong\"\nnumber = 9\ntitle = \"三公经费预算表\"\nrows = \"sangong\"\nrule = \"R10\"\ncolumns = [\n  { key = \"total\", header = \"本年\", sources = [\"general\", \"fund\", \"soe\"] },\n  { key = \"last\", header = \"上年\", sources = [\"general\", \"fund\", \"soe\"], kinds = [\"last_year\"] },\n  { key = \"last_fund\", header = \"上年政府性基金\", sources = [\"fund\"], kinds = [\"last_year\"] },\n  { key = \"change\", header = \"增减\", change = [\"total\", \"last\"] },\n]\n",
    )
    .unwrap();
    let file = dir.path().join("a.toml");
    let text = "[department]\ncode = \"101\"\nname = \"测试部门\"\nyear = 2025\nprofile = \"p\"\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100.00\n\n[sangong]\nreception = 2.00\nvehicle_operation = { general = 3.00, fund = 1.00 }\nlast_year = { reception = 1.50, vehicle_operation = { general = 2.00, fund = 0.50 } }\n";
    std::fs::write(&file, text).unwrap();
    let checked = yusuan::check_file(&file).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = &checked.report.tables.as_ref().unwrap().sangong;
    let row = |key: &str| -> Vec<String> {
        let r = t.row(key).unwrap();
        r.values.iter().map(|v| v.normalize().to_string()).collect()
    };
    assert_eq!(row("reception"), ["2", "1.5", "0", "0.5"]);
    assert_eq!(row("vehicle_operation"), ["4", "2.5", "0.5", "1.5"]);
    assert_eq!(row("vehicle"), ["4", "2.5", "0.5", "1.5"]);
    assert_eq!(row("合计"), ["6", "4", "0.5", "2"]);
    // The narrative's 三公 figures read last year's (every fund) too.
    assert_eq!(
        t.last_year
            .get("vehicle_operation")
            .map(|v| v.normalize().to_string()),
        Some("2.5".into())
    );
    // A declared last-year 合计 is checked against last year's items.
    std::fs::write(
        &file,
        format!("{text}\n[declared.sangong]\n\"合计\" = {{ last = 4.10 }}\n"),
    )
    .unwrap();
    let checked = yusuan::check_file(&file).unwrap();
    let r10 = located(&checked.diags, Some("R10"));
    assert_eq!(r10.len(), 1, "{r10:?}");
    assert!(
        r10[0]
            .1
            .starts_with("三公经费表 合计 上年：申报 4.10，文件中的行 一般公共预算 3.50（第 14 行） + 政府性基金 0.50（第 14 行），合计 4.00"),
        "{r10:?}"
    );
}

/// Carry-over printed inside each fund's row (as 重庆 does): an income item
/// whose sources include its fund's carry-over counts it there, and the
/// 上年结转 row holds only the carry-over no item counts — 收入总计 is
/// every amount once (100 + 20 + 5 = 125), never 145.
#[test]
fn carry_over_inside_a_funds_row_is_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/profile.toml"),
        "name = \"cq\"\nbase = \"national\"\n\n[[tables]]\nid = \"summary\"\nnumber = 1\ntitle = \"收支总表\"\nrows = \"pair\"\nrule = \"R1\"\ncomplete = true\nitems = [\n  { key = \"general\", label = \"一般公共预算拨款收入（含上年结转）\", level = 1, sources = [\"general\", \"general_carryover\"] },\n  { key = \"unit_funds\", label = \"单位资金\", level = 1, sources = [\"business\", \"operating\", \"superior\", \"subsidiary\", \"other\"] },\n]\ncolumns = [{ key = \"expenditure\", header = \"预算数\" }]\n",
    )
    .unwrap();
    let file = dir.path().join("a.toml");
    std::fs::write(
        &file,
        "[department]\ncode = \"101\"\nname = \"测试部门\"\nyear = 2025\nprofile = \"p\"\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100.00\n\n[[expenditure]]\ncode = \"2013201\"\nsource = \"一般公共预算上年结转\"\nbasic = 20.00\n\n[[expenditure]]\ncode = \"2013202\"\nsource = \"政府性基金上年结转\"\nproject = 5.00\n",
    )
    .unwrap();
    let checked = yusuan::check_file(&file).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = &checked.report.tables.as_ref().unwrap().summary;
    let income: Vec<(&str, String)> = t
        .income
        .iter()
        .map(|i| (i.key, i.value.normalize().to_string()))
        .collect();
    assert_eq!(
        income,
        [
            ("general", "120".to_string()),
            ("unit_funds", "0".to_string())
        ]
    );
    let totals: Vec<(&str, String, String)> = t
        .totals
        .iter()
        .map(|r| {
            (
                r.key,
                r.left_value.normalize().to_string(),
                r.right_values[0].normalize().to_string(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("本年合计", "120".to_string(), "125".to_string()),
            ("结转结余", "5".to_string(), "0".to_string()),
            ("总计", "125".to_string(), "125".to_string()),
        ]
    );
}

/// A profile directory `name` over national whose 名词解释 template is `template`.
fn profile_with_glossary(ws: &Path, name: &str, template: &str) {
    let dir = ws.join(name);
    std::fs::create_dir_all(dir.join("templates/narrative")).unwrap();
    std::fs::write(
        dir.join("profile.toml"),
        format!("name = \"{name}\"\nbase = \"national\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("templates/narrative/glossary.typ.j2"), template).unwrap();
}

/// A minijinja string doubled 36 times (64 GiB) and a Typst array of 300
/// million numbers: a template that would take the machine's memory.
const BOMBS: [(&str, &str); 2] = [
    (
        "strings",
        "{% macro grow(s, n) %}{% if n > 0 %}{{ grow(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}{{ grow(\"x\", 36) }}",
    ),
    ("array", "#let big = range(300000000)\n#big.len()\n"),
];

#[test]
fn a_template_that_takes_all_memory_stops_its_render_and_names_its_directory() {
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("k.toml");
    std::fs::copy("examples/kaiping-2024.toml", &file).unwrap();
    for (name, template) in BOMBS {
        profile_with_glossary(ws.path(), name, template);
        let pdf = ws.path().join(format!("{name}.pdf"));
        let profile = ws.path().join(name);
        let run = yusuan(&[&"render", &file, &"--profile", &profile, &"-o", &pdf]);
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        let dir = profile.join("templates");
        assert_eq!(
            run.stderr.trim_end().lines().last().unwrap(),
            format!(
                "错误：{}：用 {} 里的模板生成时用尽了 2048 MB 内存，已停止，没有写出文件（模板里可能有极大的循环、字符串或数组，如 range(300000000)）",
                file.display(),
                dir.display()
            ),
            "{name}"
        );
        assert!(!pdf.exists(), "{name}: nothing written");
    }
    // A template of its own that behaves renders as before (in the bounded child).
    profile_with_glossary(ws.path(), "fine", "= 名词解释（本地）\n");
    let pdf = ws.path().join("fine.pdf");
    let run = yusuan(&[
        &"render",
        &file,
        &"--profile",
        &ws.path().join("fine"),
        &"-o",
        &pdf,
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(crate::common::pdf_text(&pdf).contains("名词解释（本地）"));
}

#[test]
fn a_template_that_takes_all_memory_stops_its_preview_and_the_server_lives_on() {
    use crate::web::{Server, json_of};
    let ws = tempfile::tempdir().unwrap();
    std::fs::copy("examples/kaiping-2024.toml", ws.path().join("k.toml")).unwrap();
    profile_with_glossary(ws.path(), "array", BOMBS[1].1);
    let server = Server::start(ws.path(), &[]);
    let text = std::fs::read_to_string(ws.path().join("k.toml")).unwrap();
    let (status, body) = server.send(
        "POST",
        "/api/preview",
        &[("Content-Type", "application/json")],
        serde_json::json!({"name": "k.toml", "text": text, "profile": "array"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 200);
    let v = json_of(&body);
    let dir = ws.path().join("array").join("templates");
    assert_eq!(
        v["failure"].as_str().unwrap(),
        format!(
            "用 {0} 里的模板排版时用尽了 2048 MB 内存，已停止（模板里可能有极大的循环、字符串或数组） / laying out with the templates in {0} used up 2048 MB of memory and was stopped",
            dir.display()
        )
    );
    assert!(v["doc"].is_null());
    // The server answers on, and the hidden copy it tried is gone.
    let (status, _) = server.get("/api/files");
    assert_eq!(status, 200);
    let left: Vec<_> = std::fs::read_dir(ws.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".yusuan-try"))
        .collect();
    assert!(left.is_empty());
}

/// Issue 27: templates lacked the string methods authors reach for first
/// (`split`); Python's string methods work, their output still escaped.
#[test]
fn templates_have_pythons_string_methods() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("narrative")).unwrap();
    std::fs::write(
        dir.path().join("narrative/glossary.typ.j2"),
        "{% set parts = \"01-公共服务-#ok\".split(\"-\") %}= #{{ parts[1] }}｜#{{ parts | length }}｜#{{ \"  行政运行 \".strip() }}｜#{{ \"201\".startswith(\"20\") }}｜#{{ parts[2] }}\n",
    )
    .unwrap();
    let checked = yusuan::check_file(Path::new("examples/kaiping-2024.toml"))
        .ok()
        .unwrap();
    let renderer = Renderer::new(Some(dir.path().to_path_buf())).unwrap();
    let rendered = yusuan::render_checked(&ENGINE, &renderer, checked).unwrap();
    let text = pages(&rendered.document).concat();
    // "#ok" printed as text: the escaping still holds.
    assert!(text.contains("公共服务｜3｜行政运行｜true｜#ok"), "{text}");
}

/// `transpose = true` prints a 三公 table as Beijing's 09表 of other years
/// does (issue 27): the items across, 因公出国 and 公务用车 each heading
/// 小计 and their 其中 columns, one row per column of the profile's table.
/// The example's figures (万元): 因公出国 173.52, 购置 37.38, 运行维护
/// 27.948, 接待 6 — so 公务用车 65.328 and 三公 244.848, all 一般公共预算.
#[test]
fn a_sangong_table_prints_transposed_when_its_profile_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let prof = dir.path().join("bj-transposed");
    std::fs::create_dir(&prof).unwrap();
    let beijing = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/beijing/profile.toml"),
    )
    .unwrap();
    let start = beijing.find("[[tables]]\nid = \"sangong\"").unwrap();
    let end = start + 10 + beijing[start + 10..].find("[[tables]]").unwrap();
    let sangong = beijing[start..end].replacen(
        "complete = true\n",
        "complete = true\ntranspose = true\n",
        1,
    );
    assert!(sangong.contains("transpose = true"));
    std::fs::write(
        prof.join("profile.toml"),
        format!("name = \"bj-transposed\"\nbase = \"beijing\"\n\n{sangong}"),
    )
    .unwrap();
    yusuan::profile::forget_loaded();
    let options = yusuan::Options {
        profile: Some(prof.display().to_string()),
        ..Default::default()
    };
    let checked = yusuan::check_file_with(&example("beijing-audit-2026.toml"), options).unwrap();
    let all = page_texts(checked);
    let page = all
        .iter()
        .find(|p| p.contains("预算09表") || p.contains("预算 09 表"))
        .unwrap();
    // Items across: each group's head, 小计 and its 其中 columns beneath.
    for h in [
        "因公出国（境）费公务用车购置及运维费",
        "公务接待费",
        "小计公务用车购置费公务用车运行维护费",
    ] {
        assert!(page.contains(h), "{h} in {page}");
    }
    // One row per column, its figures in the items' order.
    let row = "一般公共预算财政拨款244.848000244.848000173.520000173.52000065.32800037.38000027.9480006.000000";
    assert!(page.contains(row), "{page}");
    for fund in ["政府性基金预算财政拨款", "国有资本经营预算财政拨款"] {
        assert!(page.contains(fund), "{page}");
    }
    // transpose belongs to a 三公 table only.
    let bad = "name = \"bad\"\nbase = \"national\"\n\n[[tables]]\nid = \"extra\"\nnumber = 10\ntitle = \"t\"\nrows = \"function\"\nrule = \"R4\"\ntranspose = true\ncolumns = [{ key = \"total\", header = \"合计\" }]\n";
    assert_eq!(
        load_profile(&prof, bad).unwrap_err(),
        ["p:10:13 transpose 只用于 rows = \"sangong\" 的表（三公的各项横排，每列一行）"]
    );
}

/// Beijing's 预算05表 prints a 预算单位 column only where the department has
/// more than one budget unit (issue 27): the example's three units print it;
/// with every record moved to unit 01 the column is gone and the rows start
/// with their 项, 行政运行 summing the three units' 4,952.850016 +
/// 13,007.966442 + 0 (unit 03 has 事业运行, not 行政运行) = 17,960.816458.
#[test]
fn beijing_leaves_out_the_unit_column_of_a_one_unit_department() {
    let text = std::fs::read_to_string(example("beijing-audit-2026.toml")).unwrap();
    let table05 = |text: &str| page_with(text, &["一般公共预算支出表", "扣除基建项目后"]);
    let three = table05(&text);
    assert!(three.contains("预算单位功能分类科目"), "{three}");
    assert!(
        three.contains("01-北京市审计局本级2010801-行政运行4,952.850016"),
        "{three}"
    );
    let one = text
        .replace("unit = \"02\"", "unit = \"01\"")
        .replace("unit = \"03\"", "unit = \"01\"");
    let one = table05(&one);
    assert!(!one.contains("预算单位"), "{one}");
    assert!(!one.contains("01-北京市审计局本级"), "{one}");
    assert!(one.contains("2010801-行政运行17,960.816458"), "{one}");
}

/// Beijing's 预算04表 prints one 预算数 column each side where the 财政拨款
/// is one fund's (seed 006: 一般公共预算 only, 32,365.090089 + 436.846550
/// carried = 32,801.936639), and the 合计 and a column per fund where the
/// department has money in two: 10.00 of 政府性基金 (2296002) added makes the
/// 合计 32,811.936639 and the 政府性基金 column 10.00.
#[test]
fn beijing_prints_one_column_of_one_fund_and_a_column_per_fund_of_more() {
    let text = std::fs::read_to_string(example("beijing-audit-2026.toml")).unwrap();
    let table04 = |text: &str| page_with(text, &["财政拨款收支总表", "本年收入合计"]);
    let one = table04(&text);
    assert!(one.contains("项目预算数项目预算数"), "{one}");
    assert!(!one.contains("政府性基金预算财政拨款"), "{one}");
    assert!(
        one.contains("一、一般公共服务支出26,610.947359二、政府性基金预算资金"),
        "{one}"
    );
    assert!(
        one.contains("收入总计32,801.936639支出总计32,801.936639"),
        "{one}"
    );
    let two = text
        + "\n[[fact]]\nunit = \"01\"\nfunction = \"2296002\"\ngovernment = \"50299\"\neconomic = \"30299\"\nsource = \"政府性基金\"\nkind = \"项目支出\"\namount = 10.00\n";
    let two = table04(&two);
    assert!(two.contains("合计一般公共预算财政拨款"), "{two}");
    assert!(two.contains("政府性基金预算财政拨款"), "{two}");
    assert!(
        two.contains("收入总计32,811.936639支出总计32,811.93663932,801.93663910.000000"),
        "{two}"
    );
}

/// The text of the page of budget file `text` (no errors) that holds every one of `words`.
fn page_with(text: &str, words: &[&str]) -> String {
    page_texts(yusuan::check_str("b.toml", text).unwrap())
        .into_iter()
        .find(|p| words.iter().all(|w| p.contains(w)))
        .unwrap_or_else(|| panic!("no page holds {words:?}"))
}

/// Each page's text of a checked file (no errors) printed in its profile.
fn page_texts(checked: yusuan::Checked) -> Vec<String> {
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let p = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(p, None).unwrap();
    let r = yusuan::render_checked(&ENGINE, &renderer, checked)
        .ok()
        .unwrap();
    pages(&r.document)
}

/// A table by 单位 for a file that gives its lines without 单位 (issue 27:
/// the 收入/支出 by 单位 that 汇总 departments publish when only each unit's
/// totals are known): the rows are the declared 单位 totals, the 合计 is the
/// ledger's, and the rows must add up to it. Ledger: 基本 120.00 (2013201),
/// 项目 47.75 (2013299); declared 271001 120.00 + 5.50 and 271002 42.25.
const BY_UNIT_FILE: &str = r#"[department]
name = "测试局"
year = 2025
profile = "units"

[names]
"271001" = "测试局本级"
"271002" = "测试局信息中心"

[[expenditure]]
code = "2013201"
basic = 120.00

[[expenditure]]
code = "2013299"
project = 47.75

[declared.by_unit]
"271001" = { basic = 120.00, project = 5.50 }
"271002" = { project = 42.25 }
"#;

/// The `units` profile (national plus facts-test's 预算单位支出表, and
/// `extra` lines) in `dir`.
fn units_profile(dir: &Path, extra: &str) {
    let facts = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts/profile.toml"),
    )
    .unwrap();
    let start = facts.find("[[tables]]\nid = \"by_unit\"").unwrap();
    let end = start + 10 + facts[start + 10..].find("[[tables]]").unwrap();
    std::fs::create_dir_all(dir.join("units")).unwrap();
    std::fs::write(
        dir.join("units/profile.toml"),
        format!(
            "name = \"units\"\nbase = \"national\"\n{extra}\n{}",
            &facts[start..end]
        ),
    )
    .unwrap();
}

#[test]
fn a_table_by_unit_prints_the_declared_unit_totals_and_checks_them_against_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    units_profile(dir.path(), "");
    let file = dir.path().join("b.toml");
    let check = |text: &str| {
        std::fs::write(&file, text).unwrap();
        yusuan::profile::forget_loaded();
        yusuan::check_file(&file).unwrap()
    };
    let checked = check(BY_UNIT_FILE);
    assert!(checked.diags.items.is_empty(), "{}", checked.diags);
    let total = |c: &yusuan::Checked, row: &str| {
        ["total", "basic", "project"].map(|k| crate::common::cell(c, "by_unit", row, k))
    };
    assert_eq!(total(&checked, "合计"), ["167.75", "120", "47.75"]);
    assert_eq!(total(&checked, "271001"), ["125.5", "120", "5.5"]);
    assert_eq!(total(&checked, "271002"), ["42.25", "0", "42.25"]);
    let page = page_texts(checked)
        .into_iter()
        .find(|p| p.contains("预算单位支出表"))
        .unwrap();
    for row in [
        "合计167.75120.0047.75",
        "271001测试局本级125.50120.005.50",
        "271002测试局信息中心42.2542.25",
    ] {
        assert!(page.contains(row), "{row} in {page}");
    }
    // A unit's figure 0.10 too many: once, at that figure, with both sums.
    let slip = BY_UNIT_FILE.replace("project = 42.25", "project = 42.35");
    let d = check(&slip).diags;
    // Which unit is wrong the ledger cannot tell: the column's first
    // figure is the place, the others related places.
    let (first, slipped) = (
        slip.lines().position(|l| l.contains("5.50")).unwrap() + 1,
        slip.lines().position(|l| l.contains("42.35")).unwrap() + 1,
    );
    assert_eq!(
        located(&d, None),
        [(
            format!("{}:{first}:40", file.display()),
            "预算单位支出表项目支出：2 个单位申报之和 47.85，全部金额的合计为 47.75，相差 0.10（超出 2 项四舍五入所能解释的 ±0.015）"
        )]
    );
    let related: Vec<usize> = d.items[0]
        .related
        .iter()
        .map(|r| d.line_col(r.start).0)
        .collect();
    assert_eq!(related, [slipped]);
    assert!(d.has_errors());
    // 0.01 off in a file of 万元 figures (rounded by the budget system):
    // a 尾差 warning, within ±(2 + 1) / 2 × 0.01, and the figure prints.
    let tail = BY_UNIT_FILE.replace("project = 42.25", "project = 42.26");
    let d = check(&tail).diags;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(
        located(&d, None).iter().map(|x| x.1).collect::<Vec<_>>(),
        [
            "预算单位支出表项目支出：2 个单位申报之和 47.76，全部金额的合计为 47.75，相差 0.01（尾差：2 项四舍五入，允许 ±0.015）"
        ]
    );
    // A unit left out: its money is missing from the rows.
    let missing = BY_UNIT_FILE.replace("\"271002\" = { project = 42.25 }\n", "");
    let d = check(&missing).diags;
    assert_eq!(located(&d, None).len(), 1, "{d}");
    assert!(
        located(&d, None)[0].1.starts_with(
            "预算单位支出表项目支出：1 个单位申报之和 5.50，全部金额的合计为 47.75，相差 42.25"
        ),
        "{d}"
    );
    // Without declared rows the table cannot be made: said, as before.
    let none = BY_UNIT_FILE[..BY_UNIT_FILE.find("[declared.by_unit]").unwrap()].to_string();
    let d = check(&none).diags;
    assert_eq!(
        located(&d, Some("dimension"))
            .iter()
            .map(|x| x.1)
            .collect::<Vec<_>>(),
        [
            "预算单位支出表按预算单位成行，而文件中没有一笔金额带有预算单位（在 [[fact]] 中写 unit = \"…\"）"
        ]
    );
}

/// The invariant of a table by 单位 made of declared 单位 totals, on random
/// ledgers and splits (exact 元): its 合计 is the ledger's total, and the
/// check passes exactly when the units' figures add up to it — a split that
/// loses or adds a single 分 anywhere is one error, never silence.
#[test]
fn declared_unit_totals_that_lose_or_add_a_fen_are_always_caught() {
    let dir = tempfile::tempdir().unwrap();
    // Printed in 元: the declared figures are exact, as the file's.
    units_profile(dir.path(), "print_unit = \"元\"\n");
    let file = dir.path().join("b.toml");
    let mut rng = crate::common::Rng(0x5eed_2027);
    for case in 0..40 {
        let lines = 1 + rng.below(4);
        let units = 1 + rng.below(4);
        // Amounts in 分: basic on 2013201, project on the others.
        let mut text =
            "[department]\nname = \"x\"\nyear = 2025\nunit = \"元\"\nprofile = \"units\"\n"
                .to_string();
        let (mut basic, mut project) = (0i64, 0i64);
        for (i, code) in ["2013201", "2013202", "2013299", "2010301"]
            .iter()
            .take(lines)
            .enumerate()
        {
            let fen = 1 + rng.below(10_000_000_000) as i64;
            let kind = if i == 0 { "basic" } else { "project" };
            *if i == 0 { &mut basic } else { &mut project } += fen;
            text += &format!(
                "\n[[expenditure]]\ncode = \"{code}\"\n{kind} = {}.{:02}\n",
                fen / 100,
                fen % 100
            );
        }
        // Each column's total cut at random points among the units.
        let split = |total: i64, rng: &mut crate::common::Rng| {
            let mut cuts: Vec<i64> = (1..units)
                .map(|_| rng.below(total as usize + 1) as i64)
                .collect();
            cuts.sort();
            cuts.push(total);
            let mut prev = 0;
            cuts.into_iter()
                .map(|c| {
                    let part = c - prev;
                    prev = c;
                    part
                })
                .collect::<Vec<_>>()
        };
        let (mut b, mut p) = (split(basic, &mut rng), split(project, &mut rng));
        let perturbed = rng.below(2) == 1;
        if perturbed {
            let delta = 1 + rng.below(100) as i64;
            let target = if rng.below(2) == 0 { &mut b } else { &mut p };
            let u = rng.below(units);
            target[u] += if target[u] >= delta && rng.below(2) == 0 {
                -delta
            } else {
                delta
            };
        }
        text += "\n[declared.by_unit]\n";
        for u in 0..units {
            let yuan = |fen: i64| rust_decimal::Decimal::new(fen, 2);
            text += &format!(
                "\"U{u}\" = {{ basic = {:.2}, project = {:.2} }}\n",
                yuan(b[u]),
                yuan(p[u])
            );
        }
        std::fs::write(&file, &text).unwrap();
        yusuan::profile::forget_loaded();
        let checked = yusuan::check_file(&file).unwrap();
        let errors = checked
            .diags
            .items
            .iter()
            .filter(|d| d.severity == yusuan::diag::Severity::Error)
            .count();
        assert_eq!(
            errors,
            usize::from(perturbed),
            "case {case}: {}\n{text}",
            checked.diags
        );
        let ledger = rust_decimal::Decimal::new(basic + project, 2);
        assert_eq!(
            crate::common::cell(&checked, "by_unit", "合计", "total"),
            ledger.normalize().to_string(),
            "case {case}"
        );
    }
}

/// A list table's rows can be declared like any printed cell, by their
/// number (issue 27): the example's 预算10表 row 1 (A-货物 238.779600) declared
/// as 238.779700 is named as 第 1 行 against what the file's list row holds,
/// and the declared 合计 against 第 1 行 + 第 2 行 (238.779700 + 4,749.949530).
#[test]
fn a_list_tables_declared_rows_are_named_by_their_number() {
    let text = std::fs::read_to_string(example("beijing-audit-2026.toml"))
        .unwrap()
        .replacen(
            "\"合计\" = { amount = 4988.729130 }\n",
            "\"合计\" = { amount = 4988.729130 }\n\"1\" = { amount = 238.779700 }\n",
            1,
        );
    let line = text.lines().position(|l| l.contains("238.779700")).unwrap() + 1;
    let d = yusuan::check_str("b.toml", &text).unwrap().diags;
    assert_eq!(
        located(&d, Some("R5")),
        [
            (
                format!("b.toml:{line}:18"),
                "预算10表 政府采购预算明细表 第 1 行 金额：申报 238.779700，[[list.procurement_categories]] 中这一行写的是 238.779600，相差 0.000100（金额都是精确值，没有经过四舍五入，不能算作尾差）"
            ),
            (
                format!("b.toml:{}:19", line - 1),
                "预算10表 政府采购预算明细表 合计 金额：申报 4988.729130，第 1 行 + 第 2 行 之和 4988.729230，相差 0.000100（金额都是精确值，没有经过四舍五入，不能算作尾差）"
            )
        ]
    );
}

/// 三公 by 单位 from the 单位 totals a file declares (issue 27: the per-unit
/// 三公 tables regions print): `sangong = [...]` columns count this year's
/// 三公 items, so the 合计 is the ledger's 三公 (因公出国 3.00, 公务用车
/// 运行维护 2.00, 公务接待 1.50: 6.50) and the units' rows must add up to it.
#[test]
fn sangong_by_unit_is_made_of_declared_unit_totals_and_checked_against_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    units_profile(
        dir.path(),
        r#"
[[tables]]
id = "sangong_by_unit"
number = 12
title = "三公经费分单位表"
rows = "pivot"
by = "unit"
rule = "R10"
columns = [
  { key = "total", header = "合计", sum = ["abroad", "vehicle", "reception"] },
  { key = "abroad", header = "因公出国（境）费", sangong = ["abroad"], sources = ["general"] },
  { key = "vehicle", header = "公务用车购置及运维费", sangong = ["vehicle"], sources = ["general"] },
  { key = "reception", header = "公务接待费", sangong = ["reception"], sources = ["general"] },
]
"#,
    );
    let file = dir.path().join("b.toml");
    let text = BY_UNIT_FILE.to_string()
        + "\n[sangong]\nabroad = 3.00\nvehicle_operation = 2.00\nreception = 1.50\n\n[declared.sangong_by_unit]\n\"271001\" = { abroad = 3.00, vehicle = 2.00, reception = 1.00 }\n\"271002\" = { reception = 0.50 }\n";
    let check = |text: &str| {
        std::fs::write(&file, text).unwrap();
        yusuan::profile::forget_loaded();
        yusuan::check_file(&file).unwrap()
    };
    let checked = check(&text);
    assert!(checked.diags.items.is_empty(), "{}", checked.diags);
    let row = |c: &yusuan::Checked, row: &str| {
        ["total", "abroad", "vehicle", "reception"]
            .map(|k| crate::common::cell(c, "sangong_by_unit", row, k))
    };
    assert_eq!(row(&checked, "合计"), ["6.5", "3", "2", "1.5"]);
    assert_eq!(row(&checked, "271001"), ["6", "3", "2", "1"]);
    assert_eq!(row(&checked, "271002"), ["0.5", "0", "0", "0.5"]);
    let page = page_texts(checked)
        .into_iter()
        .find(|p| p.contains("三公经费分单位表"))
        .unwrap();
    assert!(page.contains("271002测试局信息中心0.50"), "{page}");
    // 公务接待 declared 0.50 short: named once, in that column.
    let short = text.replace(
        "\"271002\" = { reception = 0.50 }",
        "\"271002\" = { reception = 0.00 }",
    );
    let d = check(&short).diags;
    assert_eq!(
        located(&d, None).iter().map(|x| x.1).collect::<Vec<_>>(),
        [
            "三公经费分单位表公务接待费：2 个单位申报之和 1.00，全部金额的合计为 1.50，相差 0.50（超出 2 项四舍五入所能解释的 ±0.015）"
        ]
    );
    // A sangong column elsewhere, or an item the 三公 table has not, is refused where written.
    let bad = "name = \"bad\"\nbase = \"national\"\n\n[[tables]]\nid = \"x\"\nnumber = 12\ntitle = \"t\"\nrows = \"function\"\nrule = \"R4\"\ncolumns = [{ key = \"a\", header = \"a\", sangong = [\"abroad\"] }]\n";
    assert_eq!(
        load_profile(&dir.path().join("units"), bad).unwrap_err(),
        [
            "p:10:20 sangong 列只用于按预算单位成行的表（rows = \"pivot\"，by = \"unit\"），其行是文件申报的各单位合计"
        ]
    );
    let bad = bad
        .replace("rows = \"function\"", "rows = \"pivot\"\nby = \"unit\"")
        .replace("[\"abroad\"]", "[\"taxi\"]");
    assert_eq!(
        load_profile(&dir.path().join("units"), &bad).unwrap_err(),
        [
            "p:11:50 未知的三公项目 \"taxi\"；可用：小计, abroad, abroad_research, abroad_other, vehicle, vehicle_purchase, vehicle_operation, reception"
        ]
    );
}
