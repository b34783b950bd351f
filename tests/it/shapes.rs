//! Money shapes real budgets print beyond the seeds (Chongqing, Xi'an): a
//! per-line 人员/公用 split, last year's figures, the 政府经济分类 pairing, and a
//! kind override that the checks follow.

use crate::common::ENGINE;

use yusuan::render::Renderer;
use yusuan::typeset::{self};

const CHONGQING: &str = r#"
[department]
name = "某区某办公室"
year = 2026

[[expenditure]]
code = "2013201"
basic = 300.00
personnel = 250.00
public = 50.00
project = 20.00
last_year = 310.50

[[expenditure]]
code = "2013299"
project = 100.00
last_year = 80.00

[[basic_economic]]
code = "30101"
amount = 250.00
government = "50101"

[[basic_economic]]
code = "30201"
amount = 50.00
government = "50201"

[sangong]
abroad = 2.00
reception = 1.50
last_year = { abroad = 3.00, reception = 1.50, vehicle_operation = 0.40 }
"#;

/// The 一般公共预算支出表 as Chongqing prints it — 合计 | 人员经费 | 公用经费 |
/// 项目支出 | 2025年预算数 — declared as data in a profile directory of its
/// own, layered over the national profile: no Rust.
const CHONGQING_PROFILE: &str = r#"
name = "chongqing-test"
base = "national"
description = "一般公共预算支出表 with 人员/公用 per line and last year"

[[tables]]
id = "general"
number = 5
title = "一般公共预算支出表"
rows = "function"
sources = ["general", "general_carryover"]
rule = "R4"
columns = [
  { key = "total", header = "合计", sum = ["personnel", "public", "project"] },
  { key = "personnel", header = "人员经费", group = "基本支出", sources = ["general", "general_carryover"], kinds = ["personnel"] },
  { key = "public", header = "公用经费", group = "基本支出", sources = ["general", "general_carryover"], kinds = ["public"] },
  { key = "project", header = "项目支出", sources = ["general", "general_carryover"], kinds = ["project"] },
  { key = "last_year", header = "2025年预算数", sources = ["general", "general_carryover"], kinds = ["last_year"] },
]
"#;

#[test]
fn a_region_splits_basic_spending_per_line_and_prints_last_year_beside_it() {
    let checked = yusuan::check_str("cq.toml", CHONGQING).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    // The same budget printed with Chongqing's profile directory.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("profile.toml"), CHONGQING_PROFILE).unwrap();
    let options = yusuan::Options {
        profile: Some(dir.path().display().to_string()),
        ..Default::default()
    };
    let cq = yusuan::check_str_with("cq.toml", CHONGQING, options).unwrap();
    assert!(!cq.diags.has_errors(), "{}", cq.diags);
    let t = cq.report.tables.as_ref().unwrap();
    let row = t.general.row("2013201").unwrap();
    let cell = |k: &str| row.cells[k].normalize().to_string();
    assert_eq!(
        (
            cell("total"),
            cell("personnel"),
            cell("public"),
            cell("project"),
            cell("last_year")
        ),
        (
            "320".into(),
            "250".into(),
            "50".into(),
            "20".into(),
            "310.5".into()
        )
    );
    assert_eq!(
        t.general.total().cells["last_year"].normalize().to_string(),
        "390.5"
    );
    // The page prints the new columns: 合计 320 = 250 + 50 + 20, last year 310.5 (万元).
    let renderer = Renderer::for_profile(
        yusuan::profile::find(cq.report.department.profile).unwrap(),
        None,
    )
    .unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, cq) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let pages = typeset::page_runs(&rendered.document);
    let general = pages
        .iter()
        .map(|p| p.concat())
        .find(|p| p.contains("一般公共预算支出表") && p.contains("2025年预算数"))
        .expect("the 一般公共预算支出表 page");
    assert!(
        general.contains("2013201行政运行320.00250.0050.0020.00310.50"),
        "{general}"
    );
    // Last year's 三公 figures and the 政府经济分类 pairing reach the templates.
    let tables = checked.report.tables.as_ref().unwrap();
    let last: Vec<(&str, String)> = tables
        .sangong
        .last_year
        .iter()
        .map(|(k, v)| (*k, v.normalize().to_string()))
        .collect();
    assert_eq!(
        last,
        [
            ("abroad", "3".to_string()),
            ("reception", "1.5".to_string()),
            ("vehicle", "0.4".to_string()),
            ("vehicle_operation", "0.4".to_string()),
            ("小计", "4.9".to_string()),
        ]
    );
    assert_eq!(
        tables.basic.row("30101").unwrap().government.as_deref(),
        Some("50101")
    );
}

#[test]
fn a_split_that_does_not_add_up_is_an_error() {
    let text = CHONGQING.replace("public = 50.00", "public = 40.00");
    let d = yusuan::check_str("cq.toml", &text).unwrap().diags;
    let split: Vec<_> = d
        .items
        .iter()
        .filter(|x| x.rule == "line-split")
        .map(|x| (d.location(x), x.message.en.as_str()))
        .collect();
    assert_eq!(
        split,
        [(
            "cq.toml:6:1".to_string(),
            "项 2013201: 人员经费 250 + 公用经费 40 must equal its 基本支出 300"
        )]
    );
}

#[test]
fn xian_counts_30239_as_personnel_and_the_document_checks_and_renders() {
    // Xi'an: 人员经费 = 12,328,074.22 (301) + 515,549.80 (303) + 749,700.00 (30239), as printed.
    let text = r#"
[department]
name = "西安市某委员会"
year = 2022
unit = "元"
print_unit = "元"

[[expenditure]]
code = "2013201"
basic = 15093324.02

[[basic_economic]]
code = "30101"
amount = 12328074.22
[[basic_economic]]
code = "30302"
amount = 515549.80
[[basic_economic]]
code = "30239"
amount = 749700.00
kind = "人员经费"
[[basic_economic]]
code = "30201"
amount = 1500000.00

[declared.basic]
"合计" = { total = 15093324.02, personnel = 13593324.02, public = 1500000.00 }
"#;
    let checked = yusuan::check_str("xa.toml", text).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let renderer = Renderer::new(None).unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let basic = typeset::page_runs(&rendered.document)[5].concat();
    assert!(
        basic.contains("合计15093324.0213593324.021500000.00"),
        "{basic}"
    );
    assert!(
        basic.contains("30239其他交通费用749700.00749700.00"),
        "{basic}"
    );
}

#[test]
fn names_with_extension_a_characters_print() {
    // 䶮 (U+4DAE, CJK Extension A) is in real names; GB 18030 requires it.
    let text = "[department]\nname = \"测试部门\"\nyear = 2024\n[[expenditure]]\ncode = \"2013201\"\nname = \"王䶮同志专项㐀\"\nbasic = 1\n";
    let checked = yusuan::check_str("t.toml", text).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let text = typeset::page_runs(&rendered.document).concat().concat();
    assert!(text.contains("王䶮同志专项㐀"), "{text}");
    assert!(ENGINE.covers('䶮') && ENGINE.covers('龥') && !ENGINE.covers('\u{20000}'));
}

#[test]
fn a_shift_between_personnel_and_public_is_caught_against_the_basic_table() {
    // Lines split 250 人员 + 50 公用; the 基本支出表 says 200 + 100: the same
    // 300 of 基本支出, 50 万元 moved between the two.
    let text = CHONGQING
        .replace(
            "code = \"30101\"\namount = 250.00",
            "code = \"30101\"\namount = 200.00",
        )
        .replace(
            "code = \"30201\"\namount = 50.00",
            "code = \"30201\"\namount = 100.00",
        );
    let d = yusuan::check_str("cq.toml", &text).unwrap().diags;
    let r8: Vec<_> = d
        .items
        .iter()
        .filter(|x| x.rule == "R8")
        .map(|x| (d.location(x), x.severity, x.message.zh.as_str()))
        .collect();
    assert_eq!(
        r8,
        [
            (
                "cq.toml:6:1".to_string(),
                yusuan::diag::Severity::Error,
                "支出总表 一般公共预算 各项的人员经费 250.00，基本支出表 人员经费 200.00，相差 50.00（超出 3 项四舍五入所能解释的 ±0.02）"
            ),
            (
                "cq.toml:6:1".to_string(),
                yusuan::diag::Severity::Error,
                "支出总表 一般公共预算 各项的公用经费 50.00，基本支出表 公用经费 100.00，相差 50.00（超出 3 项四舍五入所能解释的 ±0.02）"
            ),
        ]
    );
    // Unshifted, the file passes (the test above).
}
