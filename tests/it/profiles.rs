//! Regional profiles: seed 005 in the shanghai profile, a Shanghai department
//! the seeds do not cover, and the shapes the profiles share.

use crate::common::{ENGINE, example};

use yusuan::render::Renderer;
use yusuan::typeset::{self};

fn render(checked: yusuan::Checked) -> Vec<Vec<String>> {
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let profile = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(profile, None).unwrap();
    let rendered = match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    typeset::page_runs(&rendered.document)
}

/// Whether `runs` holds `want` as consecutive runs.
fn has_run(runs: &[String], want: &[&str]) -> bool {
    runs.windows(want.len())
        .any(|w| w.iter().zip(want).all(|(a, b)| a == b))
}

/// Seed 005's tables, without the text around them (the narrative that
/// follows the marker line).
fn putuo_tables() -> String {
    let text = std::fs::read_to_string(example("putuo-commerce-2025.toml")).unwrap();
    let end = text
        .find("\n# ---- The document around the tables")
        .expect("narrative marker");
    text[..end].to_string()
}

#[test]
fn seed_005_prints_as_shanghai_publishes_it() {
    let checked = yusuan::check_str("putuo.toml", &putuo_tables()).unwrap();
    assert!(checked.diags.items.is_empty(), "{}", checked.diags);
    let pages = render(checked);
    assert_eq!(
        pages.len(),
        13,
        "the general table takes three pages, the others one"
    );
    let text: Vec<String> = pages.iter().map(|p| p.concat()).collect();
    // Titles carry the year; in the order the seed prints them.
    let titles = [
        (0, "2025年部门财务收支预算总表"),
        (1, "2025年部门收入预算总表"),
        (3, "2025年部门支出预算总表"),
        (5, "2025年部门财政拨款收支预算总表"),
        (6, "2025年部门一般公共预算支出功能分类预算表"),
        (8, "2025年部门政府性基金预算支出功能分类预算表"),
        (9, "2025年部门国有资本经营预算支出功能分类预算表"),
        (10, "2025年部门一般公共预算基本支出部门预算经济分类预算表"),
        (12, "2025年部门“三公”经费和机关运行经费预算表"),
    ];
    for (page, title) in titles {
        assert!(
            text[page].starts_with(title),
            "page {page}: {}",
            &text[page]
        );
        assert!(text[page].contains("编制部门：上海市普陀区商务委员会"));
        let unit = if page == 12 {
            "单位：万元"
        } else {
            "单位：元"
        };
        assert!(text[page].contains(unit), "page {page} lacks {unit}");
    }
    // 收支总表: income as Shanghai splits it; only the 类 with money, numbered anew.
    let summary = &pages[0];
    for row in [
        &[
            "一、财政拨款收入",
            "371,514,655.00",
            "一、一般公共服务支出",
            "21,601,733.00",
        ][..],
        &[
            "1. 一般公共预算资金",
            "371,514,655.00",
            "二、科学技术支出",
            "17,200,000.00",
        ],
        &["2. 政府性基金", "三、社会保障和就业支出", "3,808,085.00"],
        &[
            "二、事业收入",
            "五、资源勘探工业信息等支出",
            "293,810,000.00",
        ],
        &["四、其他收入", "七、住房保障支出", "2,849,034.00"],
        &["收入总计", "371,514,655.00", "支出总计", "371,514,655.00"],
    ] {
        assert!(has_run(summary, row), "收支总表 lacks {row:?}: {summary:?}");
    }
    assert!(!text[0].contains("外交支出"), "empty 类 are not printed");
    // 类 | 款 | 项 in three columns, each 类 and 款 above its children.
    let income = &pages[1];
    assert!(has_run(
        income,
        &["201", "一般公共服务支出", "21,601,733.00", "21,601,733.00"]
    ));
    assert!(has_run(income, &["201", "13", "商贸事务", "21,601,733.00"]));
    assert!(has_run(
        income,
        &[
            "201",
            "13",
            "01",
            "行政运行",
            "9,389,913.00",
            "9,389,913.00"
        ]
    ));
    // 合计 is the last row.
    let general_last = &pages[7];
    assert!(has_run(
        general_last,
        &["合计", "371,514,655.00", "19,830,655.00", "351,684,000.00"]
    ));
    assert!(has_run(
        &pages[10],
        &["301", "01", "基本工资", "1,952,616.00", "1,952,616.00"]
    ));
    assert!(has_run(
        &pages[11],
        &["合计", "19,830,655.00", "18,120,593.00", "1,710,062.00"]
    ));
    // The empty tables: header, a 合计 row, the note with the year.
    assert!(
        text[8].contains("合计注:本部门2025年无政府性基金预算财政拨款安排的预算，故本表为空表。")
    );
    assert!(
        text[9].contains("注:本部门2025年无国有资本经营预算财政拨款安排的预算，故本表为空表。")
    );
    // The 三公 table: one row in 万元, 机关运行经费 last.
    let sangong = &pages[12];
    assert!(
        has_run(
            sangong,
            &["小计", "购置费", "运行费", "1.00", "1.00", "171.01"]
        ),
        "{sangong:?}"
    );
}

const SHANGHAI_STREET: &str = r#"
[department]
name = "上海市某区某街道办事处"
year = 2026
unit = "元"
profile = "shanghai"

[[expenditure]]
code = "2050201"
name = "学前教育"
source = "事业收入"
basic = 1234567.00

[[expenditure]]
code = "2130101"
name = "行政运行"
source = "其他收入"
project = 20000.50

[[expenditure]]
code = "2120501"
name = "城乡社区环境卫生"
source = "政府性基金"
project = 3000000.00

[names]
"205" = "教育支出"
"20502" = "普通教育"
"213" = "农林水支出"
"21301" = "农业农村"
"212" = "城乡社区支出"
"21205" = "城乡社区环境卫生"

[sangong]
abroad = 15000.00
vehicle_operation = 2500.00
running_costs = 0
"#;

#[test]
fn the_shanghai_profile_fits_a_department_the_seeds_do_not_cover() {
    let checked = yusuan::check_str("street.toml", SHANGHAI_STREET).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let pages = render(checked);
    let text: Vec<String> = pages.iter().map(|p| p.concat()).collect();
    assert!(text[0].starts_with("2026年部门财务收支预算总表"));
    for row in [
        &[
            "一、财政拨款收入",
            "3,000,000.00",
            "一、教育支出",
            "1,234,567.00",
        ][..],
        &["1. 一般公共预算资金", "二、城乡社区支出", "3,000,000.00"],
        &[
            "2. 政府性基金",
            "3,000,000.00",
            "三、农林水支出",
            "20,000.50",
        ],
        &["二、事业收入", "1,234,567.00", "三、事业单位经营收入"],
        &["四、其他收入", "20,000.50"],
        &["收入总计", "4,254,567.50", "支出总计", "4,254,567.50"],
    ] {
        assert!(has_run(&pages[0], row), "{row:?}: {:?}", pages[0]);
    }
    // 收入总表 columns: 合计 | 财政拨款收入 | 事业收入 | 事业单位经营收入 | 其他收入.
    assert!(has_run(
        &pages[1],
        &[
            "205",
            "02",
            "01",
            "学前教育",
            "1,234,567.00",
            "1,234,567.00"
        ]
    ));
    assert!(has_run(
        &pages[1],
        &[
            "合计",
            "4,254,567.50",
            "3,000,000.00",
            "1,234,567.00",
            "20,000.50"
        ]
    ));
    // The 政府性基金 table has money, so no 空表 note; the 国有资本 table is empty.
    let fund = text
        .iter()
        .position(|t| t.starts_with("2026年部门政府性基金"))
        .unwrap();
    assert!(has_run(
        &pages[fund],
        &[
            "212",
            "05",
            "01",
            "城乡社区环境卫生",
            "3,000,000.00",
            "3,000,000.00"
        ]
    ));
    assert!(!text[fund].contains("空表"));
    let soe = text
        .iter()
        .find(|t| t.starts_with("2026年部门国有资本经营"))
        .unwrap();
    assert!(soe.contains("注:本部门2026年无国有资本经营预算财政拨款安排的预算，故本表为空表。"));
    // 三公 in 万元: 因公出国（境）费 as one figure.
    let sangong = pages.last().unwrap();
    assert!(
        has_run(sangong, &["运行费", "1.75", "1.50", "0.25", "0.25"]),
        "{sangong:?}"
    );
}

#[test]
fn money_a_profile_cannot_print_is_an_error_not_a_loss() {
    let text = SHANGHAI_STREET.replace("source = \"其他收入\"", "source = \"上年结转\"");
    let checked = yusuan::check_str("street.toml", &text).unwrap();
    let columns: Vec<_> = checked
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "columns")
        .map(|d| (checked.diags.location(d), d.message.en.clone()))
        .collect();
    assert!(
        columns.iter().any(|(at, m)| at == "street.toml:14:1"
            && m == "项 2130101 has 20000.50 元 of 上年结转 money or of a kind of spending that 部门收入预算总表 in profile \"shanghai\" has no column for; give it another source or kind, or print in a profile whose table has that column (national prints every source and kind)"),
        "{columns:#?}"
    );
    // The same file in the national profile prints it under 上年结转.
    let national = yusuan::check_str_with(
        "street.toml",
        &text,
        yusuan::Options {
            layout: None,
            profile: Some("national".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!national.diags.has_errors(), "{}", national.diags);
}

#[test]
fn abroad_as_one_figure_prints_one_row() {
    let text = "[department]\nname = \"测试\"\nyear = 2024\n[[expenditure]]\ncode = \"2013201\"\nbasic = 200\n[sangong]\nabroad = 184.49\n";
    let pages = render(yusuan::check_str("t.toml", text).unwrap());
    let sangong = pages[8].concat();
    assert!(
        sangong.contains("一、因公出国（境）费184.49184.49"),
        "{sangong}"
    );
    assert!(!sangong.contains("教学科研人员"), "no 其中 rows: {sangong}");
    assert!(sangong.contains("二、公务用车购置及运维费"));
    // Given both ways it is an error.
    let both = format!("{text}abroad_other = 1\n");
    let checked = yusuan::check_str("t.toml", &both).unwrap();
    assert!(checked.diags.items.iter().any(|d| {
        d.rule == "R11"
            && d.message
                .en
                .starts_with("因公出国（境）费 is given both as one figure")
    }));
}

#[test]
fn running_costs_above_public_funds_are_warned() {
    let text = "[department]\nname = \"测试\"\nyear = 2024\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100\n[[basic_economic]]\ncode = \"30101\"\namount = 90\n[[basic_economic]]\ncode = \"30201\"\namount = 10\n[sangong]\nrunning_costs = 10.01\n";
    let checked = yusuan::check_str("t.toml", text).unwrap();
    let msgs: Vec<_> = checked
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "running-costs")
        .map(|d| d.message.en.as_str())
        .collect();
    assert_eq!(
        msgs,
        [
            "机关运行经费 = 10.01 万元 but the 基本支出表's 公用经费 is only 10.00 万元: 机关运行经费 is the 日常公用经费 of 行政单位 and 参公事业单位, so it cannot exceed it"
        ]
    );
    let ok = text.replace("10.01", "10.00");
    assert!(
        yusuan::check_str("t.toml", &ok)
            .unwrap()
            .diags
            .items
            .is_empty()
    );
}

#[test]
fn declared_figures_are_checked_in_the_units_of_the_files_own_profile() {
    // Seed 005 declares 元 for tables 1-8 and 万元 for the 三公 table; printed in
    // the national profile (万元 everywhere) its declarations still hold.
    let checked = yusuan::check_file_with(
        &example("putuo-commerce-2025.toml"),
        yusuan::Options {
            layout: None,
            profile: Some("national".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // Only the narrative's slips (its two mixed bases, its paragraphs printed
    // twice: tests/narrative.rs) are reported, nothing about the tables.
    assert!(
        checked
            .diags
            .items
            .iter()
            .all(|d| d.rule == "R13" || d.rule == "text"),
        "{}",
        checked.diags
    );
    let t = checked.report.tables.unwrap();
    assert_eq!(t.income.unit.label(), "万元");
    assert_eq!(t.income.total().values[0].to_string(), "37151.4655");
}

#[test]
fn an_unknown_profile_lists_the_valid_ones() {
    let text = "[department]\nname = \"x\"\nyear = 2024\nprofile = \"chongqing\"\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1\n";
    let d = yusuan::check_str("t.toml", text).unwrap().diags;
    let p: Vec<_> = d.items.iter().filter(|x| x.rule == "profile").collect();
    assert_eq!(p.len(), 1);
    assert_eq!(d.location(p[0]), "t.toml:4:11");
    let message = &p[0].message.en;
    assert!(
        message.starts_with(
            "unknown profile \"chongqing\"; valid: national, beijing, guangzhou, hebei, national-final, ningxia, shanghai, xian, foshan-final, or the path of a profile directory (looked for chongqing/profile.toml in: "
        ),
        "{message}"
    );
    // Where it looked: the working directory and each of its parents, up to /.
    let cwd = std::env::current_dir().unwrap();
    assert!(message.contains(&cwd.display().to_string()), "{message}");
    assert!(message.ends_with("、/)"), "{message}");
}

/// A region's profile directory, named by `profile = "yunnan"`, is found
/// beside the file, in any of its parents, or along YUSUAN_PROFILE_PATH.
#[test]
fn a_profile_name_is_found_beside_the_file_in_its_parents_or_along_the_search_path() {
    let root = tempfile::tempdir().unwrap();
    let region = root.path().join("region");
    crate::common::yunnan_profile(&region, "元");
    let text = crate::common::YUNNAN_FILE;
    // Two levels below the profile's directory.
    let deep = region.join("districts/a");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("b.toml"), text).unwrap();
    let checked = yusuan::check_file(&deep.join("b.toml")).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.unwrap();
    assert_eq!(t.income.unit.label(), "元");
    // Elsewhere, along YUSUAN_PROFILE_PATH (the command line).
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("c.toml");
    std::fs::write(&file, text).unwrap();
    let without = crate::common::yusuan(&[&"check", &file]);
    assert_eq!(without.code, Some(1), "{}", without.stderr);
    assert!(
        without.stderr.contains("未知的地区样式 \"yunnan\""),
        "{}",
        without.stderr
    );
    let with = std::process::Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["check".as_ref(), file.as_os_str()])
        .env(
            "YUSUAN_PROFILE_PATH",
            format!("/nonexistent:{}", region.display()),
        )
        .output()
        .unwrap();
    assert!(
        with.status.success(),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
}

#[test]
fn a_carry_over_inside_a_fund_prints_in_the_fiscal_table_and_its_gap_is_reported() {
    // Chongqing 2026: 本年收入 17,552.65 + 上年结转 865.06 on 一般公共预算; the document
    // prints 18,417.70 where the parts sum to 18,417.71.
    let text = "[department]\nname = \"某办公室\"\nyear = 2026\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 17552.65\n\n[[expenditure]]\ncode = \"2013299\"\nsource = \"一般公共预算上年结转\"\nproject = 865.06\n\n[declared.fiscal]\n\"总计\" = { income = 18417.70, total = 18417.71, general = 18417.71 }\n";
    let checked = yusuan::check_str("cq.toml", text).unwrap();
    let r6: Vec<_> = checked
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "R6")
        .map(|d| (d.severity, checked.diags.location(d), d.message.en.clone()))
        .collect();
    assert_eq!(
        r6,
        vec![(
            yusuan::diag::Severity::Warning,
            "cq.toml:15:19".to_string(),
            "财政拨款收支总表 收入总计 = 18417.70 but the computed figure is 18417.71 (difference 0.01: 尾差, within ±0.015 for 2 rounded items)".to_string()
        )]
    );
    let pages = render(checked);
    let fiscal = pages[3].concat();
    assert!(
        fiscal.contains("本年收入合计17552.65本年支出合计18417.7118417.71"),
        "{fiscal}"
    );
    assert!(fiscal.contains("年初财政拨款结转和结余865.06"), "{fiscal}");
    assert!(fiscal.contains("一、一般公共预算拨款865.06"), "{fiscal}");
    // The declared 收入总计 is within its 尾差: it prints as the document does.
    assert!(
        fiscal.contains("收入总计18417.70支出总计18417.7118417.71"),
        "{fiscal}"
    );
    // The 收入总表 shows it as 上年结转; the 一般公共预算 table spends it.
    let t = yusuan::check_str("cq.toml", text)
        .unwrap()
        .report
        .tables
        .unwrap();
    assert_eq!(t.income.total().cells["carryover"].to_string(), "865.06");
    assert_eq!(t.general.total().values[0].to_string(), "18417.71");
}

#[test]
fn r16_compares_like_with_like_when_the_project_table_lists_only_fiscal_money() {
    // Chongqing: the 绩效目标表 lists the projects paid from 当年财政拨款: 8,534.17 =
    // 项目支出 10,211.71 less 事业收入 812.48 and 上年结转 865.06.
    let text = |scope: &str| {
        format!(
            "[department]\nname = \"某办公室\"\nyear = 2026\n\n[projects]\n{scope}\n[[expenditure]]\ncode = \"2013201\"\nproject = 8534.17\n\n[[expenditure]]\ncode = \"2013299\"\nsource = \"事业收入\"\nproject = 812.48\n\n[[expenditure]]\ncode = \"2013202\"\nname = \"一般行政管理事务\"\nsource = \"一般公共预算上年结转\"\nproject = 865.06\n\n[[project]]\nname = \"履职经费\"\nfiscal = 8534.17\n[[project.indicator]]\nlevel1 = \"产出指标\"\nlevel2 = \"数量指标\"\nname = \"x\"\n[[project.indicator]]\nlevel1 = \"效益指标\"\nlevel2 = \"社会效益\"\nname = \"y\"\n"
        )
    };
    let fiscal = yusuan::check_str("cq.toml", &text("scope = \"fiscal\"")).unwrap();
    assert!(
        fiscal.diags.items.iter().all(|d| d.rule != "R16"),
        "{}",
        fiscal.diags
    );
    let all = yusuan::check_str("cq.toml", &text("scope = \"all\"")).unwrap();
    let r16: Vec<_> = all
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "R16")
        .map(|d| (d.severity, all.diags.location(d), d.message.en.clone()))
        .collect();
    assert_eq!(
        r16,
        vec![(
            yusuan::diag::Severity::Error,
            "cq.toml:6:9".to_string(),
            "Σ 项目 budgets (绩效目标表) = 8534.17 but 支出总表 项目支出 is 10211.71 (difference 1677.54, more than rounding of 1 item can explain: ±0.01)".to_string()
        )]
    );
}

/// Ningxia prints in 元 as seed 004 does (项目资金（元）, 200000), with no
/// `print_unit` in the file; the national profile prints the same file in
/// 万元 (20.00).
#[test]
fn ningxia_prints_in_yuan_by_default_as_seed_004_does() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pingluo-2022.toml");
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("print_unit = \"元\"\n", "profile = \"ningxia\"\n");
    let checked = yusuan::check_str("t.toml", &text).ok().unwrap();
    assert_eq!(checked.report.department.unit, yusuan::domain::Unit::Yuan);
    let json = yusuan::context_json(&checked.report);
    assert!(json.contains("\"200000\""), "{json}");
    let national = text.replace("profile = \"ningxia\"\n", "profile = \"national\"\n");
    let checked = yusuan::check_str("t.toml", &national).ok().unwrap();
    assert_eq!(
        checked.report.department.unit,
        yusuan::domain::Unit::Wanyuan
    );
}

/// Each region prints projects as its seeds do when the file does not say:
/// Hebei (seed 003) a card per project, Guangzhou (seeds 000–002) one list
/// table with thousands separators, Ningxia (seed 004) a sheet per project
/// with its 项目资金 block. Panyu's 52 projects, its `layout` line removed.
#[test]
fn hebei_guangzhou_and_ningxia_print_projects_in_their_seeds_layouts() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/panyu-2023.toml");
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("layout = \"list\"\n", "");
    let projects = text.matches("\n[[project]]").count();
    assert_eq!(projects, 52);
    let engine = yusuan::typeset::Engine::new(&[]).unwrap();
    let pages = |profile: &str| -> Vec<String> {
        let options = yusuan::Options {
            layout: None,
            profile: Some(profile.into()),
            ..Default::default()
        };
        let checked = yusuan::check_str_with("t.toml", &text, options)
            .ok()
            .unwrap();
        let p = yusuan::profile::find(profile).unwrap();
        let renderer = yusuan::render::Renderer::for_profile(p, None).unwrap();
        let rendered = yusuan::render_checked(&engine, &renderer, checked).unwrap();
        yusuan::typeset::page_runs(&rendered.document)
            .into_iter()
            .map(|r| r.concat())
            .collect()
    };
    let hebei = pages("hebei");
    assert_eq!(hebei.len(), projects, "a card a project");
    let guangzhou = pages("guangzhou");
    assert!(guangzhou.len() < projects / 2, "{}", guangzhou.len());
    let all = guangzhou.concat();
    assert!(
        all.starts_with("中国共产党广州市番禺区委组织部"),
        "{}",
        &all[..60]
    );
    // 9,997.83: a figure over a thousand, printed with its separator.
    let separated = all.as_bytes().windows(8).any(|w| {
        w[0].is_ascii_digit()
            && w[1] == b','
            && w[2..5].iter().all(u8::is_ascii_digit)
            && w[5] == b'.'
    });
    assert!(separated, "no thousands separator in the list");
    let ningxia = pages("ningxia");
    assert!(
        ningxia.len() >= projects,
        "a sheet a project: {}",
        ningxia.len()
    );
    assert!(ningxia[0].contains("项目资金"), "{}", ningxia[0]);
}

/// Issue 27: `profile new X --from P` then `profile check X` passes for
/// every built-in P — before, beijing's and xian's pivot tables found no
/// amount with their dimensions in the sample (5 and 4 false errors).
#[test]
fn every_builtin_copied_with_profile_new_passes_profile_check() {
    let dir = tempfile::tempdir().unwrap();
    for p in yusuan::profile::names() {
        let to = dir.path().join(format!("copy-{p}"));
        let new =
            crate::common::yusuan(&[&"profile", &"new", &format!("my{p}"), &to, &"--from", &p]);
        assert_eq!(new.code, Some(0), "{p}: {}", new.stderr);
        let check = crate::common::yusuan(&[&"profile", &"check", &to]);
        assert_eq!(check.code, Some(0), "{p}: {}", check.stderr);
        assert!(
            check.stderr.contains("可用：") || check.stdout.contains("可用："),
            "{p}: {}",
            check.stderr
        );
    }
}
