//! 项目支出绩效目标表: the three layouts' laid-out content, any file in any
//! layout, the import round trip, and the validation messages word for word.

use std::path::{Path, PathBuf};

use crate::common::{ENGINE, located, yusuan};
use yusuan::projects::Layout;
use yusuan::render::Renderer;
use yusuan::typeset::{self, Engine};

/// An amount as the published tables print it, written here rather than
/// borrowed from the crate: two decimals, commas between groups of three
/// when `separators`.
fn money(d: rust_decimal::Decimal, separators: bool) -> String {
    let text = format!("{:.2}", d.round_dp(2));
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |t| ("-", t));
    let (int, frac) = digits.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if separators && i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn checked(rel: &str, layout: Option<Layout>) -> yusuan::Checked {
    let c = yusuan::check_file_with(
        &path(rel),
        yusuan::Options {
            layout,
            profile: None,
            ..Default::default()
        },
    )
    .ok()
    .unwrap();
    assert!(!c.diags.has_errors(), "{}", c.diags);
    c
}

/// Renders and returns each page's text runs concatenated.
fn render(c: yusuan::Checked) -> Vec<String> {
    let r = yusuan::render_checked(&ENGINE, &Renderer::new(None).unwrap(), c).unwrap();
    typeset::page_runs(&r.document)
        .into_iter()
        .map(|runs| runs.concat())
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The list pages as one text, without the repeated header and the footers,
/// so that a cell broken across pages reads as one.
fn list_text(pages: &[String]) -> String {
    let header = "项目名称（资金使用单位）总计财政拨款财政专户拨款其他资金绩效目标绩效指标";
    pages
        .iter()
        .map(|p| {
            let p = squash(p).replace(header, "");
            match p.rfind("第") {
                Some(at) if p[at..].contains("页,共") => p[..at].to_string(),
                _ => p,
            }
        })
        .collect()
}

#[test]
fn list_layout_prints_every_project_amount_and_indicator_of_seed_000() {
    let c = checked("examples/panyu-2023.toml", None);
    let projects = c.report.projects.clone().unwrap();
    assert_eq!(projects.projects.len(), 52);
    assert_eq!(projects.units.len(), 4);
    let pages = render(c);
    let all = list_text(&pages);
    assert_eq!(pages.len(), 12);
    // 合计 and the first unit print the computed figures, with separators.
    assert!(all.contains("合计10,055.7210,054.870.85"), "合计 row");
    assert!(
        all.contains("区委组织部本级9,997.839,996.980.85"),
        "unit subtotal"
    );
    assert!(all.contains("区党员电教中心27.5027.50"));
    for p in &projects.projects {
        let amt = money(p.amounts.total, true);
        assert!(
            all.contains(&squash(&format!("{}{amt}", p.name))),
            "{} {amt}",
            p.name
        );
        for i in &p.indicators {
            assert!(
                all.contains(&squash(&format!(
                    "{}-{},{}-{},{}",
                    i.level1_code, i.level1, i.level2_code, i.level2, i.name
                ))),
                "{}",
                i.name
            );
            assert!(
                all.contains(&squash(&format!("年度指标值:{};", i.value))),
                "{}",
                i.value
            );
        }
    }
    assert!(all.contains("1、1-产出指标,11-数量指标,举办公务员专题培训班;实施周期指标值:举办12期公务员专题培训班,年度指标值:举办12期公务员专题培训班;"));
    // Header on every page, footer 第 N 页, 共 M 页.
    for (n, page) in pages.iter().enumerate() {
        assert!(
            page.contains(
                "项目名称（资金使用单位）总计财政拨款财政专户拨款其他资金绩效目标绩效指标"
            ),
            "header on page {}",
            n + 1
        );
        assert!(
            page.ends_with(&format!("第 {} 页, 共 12 页", n + 1)),
            "footer on page {}",
            n + 1
        );
    }
    assert!(pages[0].starts_with("中国共产党广州市番禺区委组织部 2023年项目支出绩效目标表（含转移支付项目）部门名称：中国共产党广州市番禺区委组织部单位：万元"));
}

#[test]
fn card_layout_prints_the_19_cards_of_seed_003_after_the_nine_tables() {
    // The example's tables and cards, without the narrative that follows them.
    let text = std::fs::read_to_string(path("examples/kaiping-2024.toml")).unwrap();
    let end = text.find("\n# ---- 第一部分").expect("narrative marker");
    let c = yusuan::check_str("k.toml", &text[..end]).ok().unwrap();
    let projects = c.report.projects.clone().unwrap();
    assert_eq!(projects.layout, Layout::Card);
    assert_eq!(projects.projects.len(), 19);
    let pages = render(c);
    assert_eq!(pages.len(), 9 + 19, "nine tables, then one page per card");
    assert!(pages[9].starts_with("七、部门项目预算安排情况及绩效目标1、本级城市社区党组织服务群众专项经费绩效目标表单位：万元"));
    assert!(
        pages[9]
            .contains("项目编码13020524P00918410001Q项目名称本级城市社区党组织服务群众专项经费")
    );
    // Cells spanning rows come after their row's other cells in the laid-out order.
    assert!(pages[9].contains(
        "预算数460.00其中：财政资金460.00其他资金预算规模及资金用途主要用于解决关系群众切身利益问题"
    ));
    assert!(pages[9].contains("3月底6月底10月底12月底资金支出计划（%）25%50%75%100%"));
    assert!(pages[9].contains("一级指标二级指标三级指标绩效指标描述指标值指标值确定依据"));
    assert!(pages[9].contains("各项工作完成率各项工作完成率≥90%完成上级交办事务的情况"));
    for p in &projects.projects {
        let page = squash(&pages[8 + p.number]);
        assert!(
            page.contains(&squash(&format!("{}、{}绩效目标表", p.number, p.name))),
            "{}",
            p.name
        );
        assert!(page.contains(&format!("预算数{}", money(p.amounts.total, false))));
        for i in &p.indicators {
            for text in [&i.name, &i.description, &i.value, &i.basis] {
                assert!(
                    page.contains(&squash(text)),
                    "card {} lacks {text}",
                    p.number
                );
            }
        }
    }
}

#[test]
fn sheet_layout_prints_seed_004_in_yuan_with_the_required_marks() {
    let c = checked("examples/pingluo-2022.toml", None);
    let projects = c.report.projects.clone().unwrap();
    assert_eq!(projects.projects.len(), 14);
    let pages = render(c);
    assert_eq!(pages.len(), 14);
    let first = &pages[0];
    assert!(
        first.starts_with(
            "部门项目支出预算绩效目标表(2022 年度)项目名称党群服务及村干部学历提升补助"
        ),
        "{first}"
    );
    assert!(first.contains("主管部门及代码【074】中国共产党平罗县委员会组织部实施单位：【074001】中国共产党平罗县委员会组织部本级"));
    assert!(first.contains("项目属性01-新增一次性项目项目期：2022-2022"));
    assert!(first.contains("年度资金总额：200000其中：财政拨款200000项目资金（元）其他资金"));
    assert!(first.contains(
        "名称一级指标二级指标三级指标指标值村级活动场所管理使用10 个数量指标（必填硬性指标）"
    ));
    for cell in [
        "产出指标",
        "质量指标（必填）配套设施完善100%",
        "农村党员和群众95%",
        "服务对象满意度指标（必填）",
        "满意度指标",
        "绩效指标",
    ] {
        assert!(first.contains(cell), "{cell}: {first}");
    }
    for p in &projects.projects {
        let page = squash(&pages[p.number - 1]);
        assert!(page.contains(&squash(&p.name)));
        assert!(page.contains(&format!("年度资金总额：{}", p.yuan.total.normalize())));
        for i in &p.indicators {
            assert!(
                page.contains(&squash(&format!("{}{}", i.name, i.value))),
                "sheet {} lacks {} {}",
                p.number,
                i.name,
                i.value
            );
        }
    }
}

#[test]
fn any_project_file_renders_in_any_layout() {
    // A Guangzhou list file as cards and as sheets: card-only fields print empty.
    let cards = render(checked("examples/panyu-2023.toml", Some(Layout::Card)));
    assert_eq!(cards.len(), 52);
    assert!(cards[0].contains("1、培训经费绩效目标表单位：万元项目编码项目名称培训经费预算数64.00其中：财政资金64.00其他资金"));
    let sheets = render(checked("examples/panyu-2023.toml", Some(Layout::Sheet)));
    assert_eq!(sheets.len(), 52);
    assert!(
        sheets[0].contains("年度资金总额：640000其中：财政拨款640000"),
        "万元 printed as 元: {}",
        sheets[0]
    );
    // Ningxia's sheets as a list: 元 amounts with separators.
    let list = render(checked("examples/pingluo-2022.toml", Some(Layout::List)));
    let all = list.concat();
    assert!(all.contains("党群服务及村干部学历提升补助200,000.00200,000.00"));
    assert!(all.contains(
        "1、1-产出指标,11-数量指标,村级活动场所管理使用;实施周期指标值:10 个,年度指标值:10 个;"
    ));
    // Zengcheng and Jinhua (lists) render as themselves.
    for (file, pages) in [
        ("examples/zengcheng-2024.toml", 3),
        ("examples/jinhua-2024.toml", 7),
    ] {
        assert_eq!(render(checked(file, None)).len(), pages, "{file}");
    }
}

#[test]
fn seeds_001_and_002_keep_every_name_amount_and_indicator() {
    for (file, names, total) in [
        ("examples/zengcheng-2024.toml", 26, "1,109.65"),
        ("examples/jinhua-2024.toml", 49, "3,986.34"),
    ] {
        let c = checked(file, None);
        let projects = c.report.projects.clone().unwrap();
        assert_eq!(projects.projects.len(), names);
        let all = list_text(&render(c));
        assert!(all.contains(&format!("合计{total}")), "{file}");
        for p in &projects.projects {
            assert!(all.contains(&squash(&p.name)), "{file}: {}", p.name);
            for i in &p.indicators {
                assert!(
                    all.contains(&squash(&i.name)) && all.contains(&squash(&i.value)),
                    "{file}: {}",
                    i.name
                );
            }
        }
    }
}

#[test]
fn import_round_trip_of_seed_000() {
    let text = std::fs::read_to_string(path("tests/data/panyu-2023.txt")).unwrap();
    let imported = yusuan::import::import_list("panyu-2023.txt", &text, None);
    assert!(!imported.diags.has_errors());
    assert_eq!(imported.projects, 52);
    let warnings: Vec<_> = imported
        .diags
        .items
        .iter()
        .map(|d| d.message.en.clone())
        .collect();
    assert_eq!(warnings.len(), 6, "{warnings:#?}");
    assert!(warnings[0].starts_with("line 39: indicator \"不发生网络安全事件\" has a malformed level code; read by its names as 产出指标/质量指标"));
    let fresh = yusuan::check_str("imported.toml", &imported.toml)
        .ok()
        .unwrap();
    assert!(!fresh.diags.has_errors());
    // Against the published document itself (seed 000): its first project,
    // its 合计 row carried as printed, and the row's own slip caught: 总计
    // 10,055.70 where 10,054.86 + 0.85 = 10,055.71.
    let p = fresh.report.projects.as_ref().unwrap();
    let first = &p.projects[0];
    assert_eq!(
        (first.name.as_str(), first.unit.as_str()),
        ("培训经费", "区委组织部本级")
    );
    assert_eq!(first.amounts.fiscal, rust_decimal::Decimal::new(6400, 2));
    assert!(
        imported
            .toml
            .contains("declared = { total = 10055.70, fiscal = 10054.86, other = 0.85 }")
    );
    assert!(
        fresh.diags.items.iter().any(|d| d.message.zh
            == "项目支出绩效目标表 合计 总计：申报 10055.70，财政拨款 + 财政专户拨款 + 其他资金（申报）之和 10055.71，相差 0.01（尾差：3 项四舍五入，允许 ±0.02）"),
        "{}",
        fresh.diags
    );
    let example = checked("examples/panyu-2023.toml", None);
    let (a, b) = (
        fresh.report.projects.unwrap(),
        example.report.projects.unwrap(),
    );
    assert_eq!(a.total, b.total);
    assert_eq!(a.projects.len(), b.projects.len());
    for (x, y) in a.projects.iter().zip(&b.projects) {
        assert_eq!(
            (&x.name, &x.unit, &x.amounts, &x.goal, &x.indicators),
            (&y.name, &y.unit, &y.amounts, &y.goal, &y.indicators)
        );
    }
    // Rendered, the imported file and the example print the same pages.
    let fresh_pages = render(
        yusuan::check_str("imported.toml", &imported.toml)
            .ok()
            .unwrap(),
    );
    let example_pages = render(checked("examples/panyu-2023.toml", None));
    assert_eq!(fresh_pages.len(), 12);
    assert_eq!(fresh_pages, example_pages);
    // Seed 000's first project, read back into structure.
    let first = &a.projects[0];
    assert_eq!(first.indicators.len(), 5);
    assert_eq!(
        first.indicators[3].name,
        "资金使用合理规范,提高资金使用效率"
    );
    assert_eq!(first.indicators[4].level2_code, "31");
}

#[test]
fn the_command_line_imports_and_reports_unreadable_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    std::fs::write(
        &input,
        "某部门 2025年项目支出绩效目标表\n单位：万元\n合计\t1.00\t1.00\t\t\t\t\n本级\t1.00\t1.00\t\t\t\t\n甲项目\t1.00\t1.0O\t\t\t目标\t1、1-产出指标,11-数量指标,件数;实施周期指标值:1件,年度指标值:1件;\n这一行没有制表符\n",
    )
    .unwrap();
    let out = dir.path().join("t.toml");
    let err = yusuan(&[&"--lang", &"en", &"import", &input, &"-o", &out])
        .ok()
        .stderr;
    assert!(err.contains("t.txt:5:1: warning[import]: line 5: \"1.0O\" is not an amount; left out, please type it in"), "{err}");
    assert!(err.contains("t.txt:6:1: warning[import]: line 6: not a table row (no tabs); skipped: 这一行没有制表符"), "{err}");
    let toml = std::fs::read_to_string(&out).unwrap();
    assert!(toml.contains("# NOT IMPORTED (line 5): 财政拨款 \"1.0O\""));
    assert!(toml.contains("year = 2025"));
    // The amount left out is not lost silently: the declared totals now disagree.
    let c = yusuan::check_file(&out).ok().unwrap();
    let first_error = c
        .diags
        .items
        .iter()
        .find(|d| d.severity == yusuan::diag::Severity::Error)
        .unwrap();
    assert_eq!(
        first_error.message.en,
        "项目 甲项目 总计 = 1.00 but 财政拨款 + 财政专户拨款 + 其他资金 sum to 0.00 (difference 1.00, more than rounding of 3 items can explain: ±0.02)"
    );
}

const BASE: &str = "[department]\nname = \"测试部门\"\nyear = 2024\n";

fn messages(extra: &str) -> Vec<(String, String, String)> {
    let text = format!("{BASE}{extra}");
    let d = match yusuan::check_str("p.toml", &text) {
        Ok(c) => c.diags,
        Err(d) => d,
    };
    d.items
        .iter()
        .map(|x| (x.rule.to_string(), d.location(x), x.message.en.clone()))
        .collect()
}

const GOOD: &str = "[[project]]\nname = \"甲\"\nfiscal = 10\n[[project.indicator]]\nlevel1 = \"1\"\nlevel2 = \"11\"\nname = \"件数\"\nvalue = \"1件\"\n[[project.indicator]]\nlevel1 = \"效益指标\"\nlevel2 = \"社会效益指标\"\nname = \"效果\"\nvalue = \"好\"\n";

#[test]
fn a_good_project_has_no_diagnostics() {
    assert_eq!(messages(GOOD), vec![]);
}

#[test]
fn an_unknown_level_names_the_valid_choices() {
    let m = messages(&GOOD.replace("level1 = \"1\"", "level1 = \"产出指表\""));
    assert_eq!(
        m,
        vec![(
            "indicator".into(),
            "p.toml:8:10".into(),
            "一级指标 \"产出指表\" is not known; valid: 产出指标 (1), 效益指标 (2), 满意度指标 (3), 成本指标 (4)"
                .into()
        )]
    );
    let m = messages(&GOOD.replace("level2 = \"11\"", "level2 = \"数量\""));
    assert_eq!(m.len(), 0, "a name without 指标 is accepted");
    let m = messages(&GOOD.replace("level2 = \"11\"", "level2 = \"数目指标\""));
    assert_eq!(
        m[0].2,
        "二级指标 \"数目指标\" is not known; valid: 数量指标 (11), 质量指标 (12), 时效指标 (13), 成本指标 (14), 经济效益 (21), 社会效益 (22), 生态效益 (23), 可持续影响 (24), 服务对象满意度 (31), 经济成本 (41), 社会成本 (42), 生态环境成本 (43)"
    );
}

#[test]
fn the_2021_framework_cost_indicators_with_nature_unit_and_weight() {
    // Seed 006: 成本指标 | 经济成本指标 | 印刷刊物成本 | ≤ | 12.798 | 万元.
    let cost = "[[project.indicator]]\nlevel1 = \"成本指标\"\nlevel2 = \"经济成本指标\"\nname = \"印刷刊物成本\"\nnature = \"<=\"\nvalue = \"12.798\"\nmeasure_unit = \"万元\"\nweight = 10\n";
    let text = format!("{BASE}{GOOD}{cost}");
    let checked = yusuan::check_str("p.toml", &text).unwrap();
    assert!(checked.diags.items.is_empty(), "{}", checked.diags);
    let p = &checked.report.projects.as_ref().unwrap().projects[0];
    let i = p
        .indicators
        .iter()
        .find(|i| i.name == "印刷刊物成本")
        .unwrap();
    assert_eq!(
        (
            i.level1.as_str(),
            i.level2_card.as_str(),
            i.nature.as_str(),
            i.value.as_str(),
            i.measure_unit.as_str(),
            i.weight.as_str()
        ),
        ("成本指标", "经济成本指标", "≤", "12.798", "万元", "10")
    );
    let m = messages(&format!("{GOOD}{}", cost.replace("<=", "约")));
    assert_eq!(
        m,
        vec![(
            "indicator".into(),
            "p.toml:21:10".into(),
            "指标性质 \"约\" is not known; valid: ＝, ≥, ≤, 定性".into()
        )]
    );
}

#[test]
fn a_project_without_output_or_benefit_indicators_is_warned() {
    let only_output = GOOD
        .split("[[project.indicator]]\nlevel1 = \"效益指标\"")
        .next()
        .unwrap();
    let m = messages(only_output);
    assert_eq!(
        m,
        vec![(
            "indicator".into(),
            "p.toml:7:1".into(),
            "项目 甲 has no 效益指标".into()
        )]
    );
}

#[test]
fn r17_spending_plan() {
    let with = |plan: &str| {
        messages(&GOOD.replace("fiscal = 10\n", &format!("fiscal = 10\nplan = {plan}\n")))
    };
    assert_eq!(with("[25, 50, 75, 100]"), vec![]);
    assert_eq!(
        with("[25, 50, 75, 90]")[0].2,
        "项目 甲: 资金支出计划 ends at 90% but must reach 100% by 12月底"
    );
    assert_eq!(
        with("[25, 60, 50, 100]")[0].2,
        "项目 甲: 资金支出计划 25%, 60%, 50%, 100% decreases; the percentages are cumulative"
    );
    assert_eq!(
        with("[50, 100]")[0].2,
        "项目 甲: 资金支出计划 needs 4 cumulative percentages (3月底, 6月底, 10月底, 12月底), got 2"
    );
    assert_eq!(with("[25, 50, 75, 100]").len(), 0);
    assert_eq!(with("[25, 50, 75, 100]").len(), 0);
    let m = with("[25, 50, 75, 90]");
    assert_eq!((m[0].0.as_str(), m[0].1.as_str()), ("R17", "p.toml:7:8"));
}

#[test]
fn declared_unit_subtotals_are_checked_as_seed_000_needs() {
    let c = yusuan::check_file(&path("examples/panyu-2023.toml"))
        .ok()
        .unwrap();
    let msgs: Vec<_> = c
        .diags
        .items
        .iter()
        .map(|d| (d.rule, d.message.en.as_str()))
        .collect();
    assert!(msgs.contains(&("project-subtotal", "资金使用单位 区委组织部本级 总计 = 9997.81 but its projects sum to 9997.83 (difference 0.02: 尾差, within ±0.245 for 48 rounded items)")), "{msgs:#?}");
    assert!(msgs.contains(&("project-total", "项目支出绩效目标表 合计 总计 (declared) = 10055.70 but 财政拨款 + 财政专户拨款 + 其他资金 (declared) sum to 10055.71 (difference 0.01: 尾差, within ±0.02 for 3 rounded items)")), "{msgs:#?}");
    let m = messages(&format!(
        "{GOOD}[[units]]\nname = \"测试部门\"\ndeclared = {{ total = 12 }}\n"
    ));
    assert_eq!(m, vec![("project-subtotal".into(), "p.toml:19:22".into(), "资金使用单位 测试部门 总计 = 12.00 but its projects sum to 10.00 (difference 2.00, more than rounding of 1 item can explain: ±0.01)".into())]);
}

#[test]
fn r16_projects_against_project_spending() {
    let c = yusuan::check_file(&path("examples/kaiping-2024.toml"))
        .ok()
        .unwrap();
    let r16: Vec<_> = c
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "R16")
        .map(|d| d.message.en.as_str())
        .collect();
    assert_eq!(
        r16,
        vec![
            "Σ 项目 budgets (绩效目标表) = 4935.75 but 支出总表 项目支出 is 4935.76 (difference 0.01: 尾差, within ±0.10 for 19 rounded items)"
        ]
    );
    let m = messages(&format!(
        "[[expenditure]]\ncode = \"2013201\"\nproject = 20\n{GOOD}"
    ));
    assert!(m.iter().any(|x| x.0 == "R16" && x.2.starts_with("Σ 项目 budgets (绩效目标表) = 10.00 but 支出总表 项目支出 is 20.00 (difference 10.00, more than rounding")), "{m:#?}");
}

#[test]
fn an_unknown_layout_is_an_error() {
    let m = messages(&format!("[projects]\nlayout = \"table\"\n{GOOD}"));
    assert_eq!(
        m,
        vec![(
            "layout".into(),
            "p.toml:5:10".into(),
            "unknown layout \"table\"; valid: list, card, sheet".into()
        )]
    );
}

#[test]
fn project_text_prints_literally_in_every_layout() {
    let evil = r#"#read(\"/x\") *b* $m$ @r <l> [c] ~ -- ..."#;
    let text = format!(
        "{BASE}[[project]]\nname = \"{evil}\"\nfiscal = 1\ngoal = \"{evil}\"\n[[project.indicator]]\nlevel1 = \"1\"\nlevel2 = \"11\"\nname = \"{evil}\"\nvalue = \"{evil}\"\n[[project.indicator]]\nlevel1 = \"2\"\nlevel2 = \"22\"\nname = \"x\"\n"
    );
    let plain = evil.replace('\\', "");
    for layout in [Layout::List, Layout::Card, Layout::Sheet] {
        let mut c = yusuan::check_str("p.toml", &text).ok().unwrap();
        assert!(!c.diags.has_errors(), "{}", c.diags);
        c.report.projects.as_mut().unwrap().layout = layout;
        let runs: Vec<String> = {
            let r = yusuan::render_checked(&ENGINE, &Renderer::new(None).unwrap(), c).unwrap();
            typeset::page_runs(&r.document)
                .into_iter()
                .flatten()
                .collect()
        };
        let all = runs.concat();
        assert!(all.matches(&plain).count() >= 3, "{layout:?}: {all}");
    }
}

#[test]
fn extra_fonts_are_loaded_from_font_path_and_a_bad_path_is_an_error() {
    let e = Engine::new(&[path("fonts")]).unwrap();
    assert!(e.families().iter().any(|f| f == "Noto Serif CJK SC"));
    let err = Engine::new(&[path("no-such-dir")]).err().unwrap();
    assert!(err.starts_with("cannot read font directory"), "{err}");
}

#[test]
fn the_layout_option_overrides_the_file_and_cards_print_the_files_unit() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("cards.pdf");
    let file = path("examples/pingluo-2022.toml");
    let run = yusuan(&[&"render", &file, &"--layout", &"card", &"-o", &pdf]).ok();
    assert!(run.stderr.contains("（14 页）"), "{}", run.stderr);
    let pages = render(checked("examples/pingluo-2022.toml", Some(Layout::Card)));
    assert!(
        pages[0].starts_with("1、党群服务及村干部学历提升补助绩效目标表单位：元"),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains("预算数200000.00其中：财政资金200000.00"));
    assert_eq!(
        yusuan(&[&"render", &file, &"--layout", &"table", &"-o", &pdf]).code,
        Some(2)
    );
}

#[test]
fn the_indicator_cell_follows_the_files_style() {
    let pages = render(checked("examples/zengcheng-2024.toml", None));
    let all = list_text(&pages);
    assert!(all.contains(&squash("1、1-产出指标；12-质量指标；编外人员年度考核完成率；实施周期指标值:100%；年度指标值:100%。2、1-产出指标；13-时效指标；编外人员工资支付及时性；实施周期指标值:100%；年度指标值:100%。")), "{all}");
    let m = messages(&format!("[projects]\nindicator_style = \"wide\"\n{GOOD}"));
    assert_eq!(
        m[0].2,
        "unknown indicator_style \"wide\"; valid: ascii, fullwidth"
    );
}

#[test]
fn import_reads_gb18030_and_utf16_as_excel_saves_them() {
    let utf8 = std::fs::read_to_string(path("tests/data/panyu-2023.txt")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let want = dir.path().join("utf8.toml");
    yusuan(&[&"import", &path("tests/data/panyu-2023.txt"), &"-o", &want]).ok();
    let want = std::fs::read_to_string(&want).unwrap();
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&utf8);
    assert!(!unmappable);
    // Excel's "Unicode text": UTF-16LE with its byte-order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(utf8.encode_utf16().flat_map(u16::to_le_bytes));
    for (name, bytes) in [("gb.txt", gb.into_owned()), ("u16.txt", utf16)] {
        let (input, out) = (
            dir.path().join(name),
            dir.path().join(format!("{name}.toml")),
        );
        std::fs::write(&input, bytes).unwrap();
        yusuan(&[&"import", &input, &"-o", &out]).ok();
        let got = std::fs::read_to_string(&out).unwrap();
        // Only the first comment names the input file.
        let body = |t: &str| t.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert_eq!(body(&got), body(&want), "{name}");
    }
    // Bytes that are no text at all: an error, no file.
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, [0x80, 0xFF, 0xFE, 0x81, 0x30]).unwrap();
    let out = dir.path().join("junk.toml");
    let run = yusuan(&[&"import", &junk, &"-o", &out]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("无法识别文字编码"), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn a_partial_project_list_is_checked_as_a_part_and_subprojects_are_not_counted_twice() {
    // The 支出总表 has 项目支出 20; the document lists one project of 10 whose
    // two 子项目 (6 + 4) share its code (seed 006 prints them so).
    let parent = "[projects]\nlisted = \"partial\"\n[[project]]\ncode = \"11000024Y0000028728\"\nname = \"审计业务\"\nfiscal = 10\n[[project.indicator]]\nlevel1 = \"1\"\nlevel2 = \"11\"\nname = \"件数\"\nvalue = \"1件\"\n[[project.indicator]]\nlevel1 = \"2\"\nlevel2 = \"22\"\nname = \"效果\"\nvalue = \"好\"\n";
    let sub = |name: &str, v: &str| {
        format!(
            "[[project]]\ncode = \"11000024Y0000028728\"\nsubproject = true\nname = \"{name}\"\nfiscal = {v}\n[[project.indicator]]\nlevel1 = \"1\"\nlevel2 = \"11\"\nname = \"件数\"\nvalue = \"1件\"\n[[project.indicator]]\nlevel1 = \"2\"\nlevel2 = \"22\"\nname = \"效果\"\nvalue = \"好\"\n"
        )
    };
    let lines = "[[expenditure]]\ncode = \"2013201\"\nproject = 20\n";
    let ok = format!(
        "{lines}{parent}{}{}",
        sub("数据审计", "6"),
        sub("专项审计", "4")
    );
    assert_eq!(messages(&ok), vec![], "10 listed of 20, the parts add up");
    let text = format!("{BASE}{ok}");
    let checked = yusuan::check_str("p.toml", &text).unwrap();
    let report = checked.report.projects.as_ref().unwrap();
    assert_eq!(report.projects.len(), 3);
    assert_eq!(report.total.total.normalize().to_string(), "10");

    // Parts that do not add up to their parent.
    let m = messages(&format!(
        "{lines}{parent}{}{}",
        sub("数据审计", "6"),
        sub("专项审计", "5")
    ));
    assert_eq!(
        m,
        vec![(
            "project-subtotal".into(),
            "p.toml:9:1".into(),
            "项目 审计业务 = 10.00 but its 2 子项目 sum to 11.00 (difference 1.00, more than rounding of 2 items can explain: ±0.015)".into()
        )]
    );
    // More listed than the 支出总表 has.
    let m = messages(&format!(
        "[[expenditure]]\ncode = \"2013201\"\nproject = 8\n{parent}"
    ));
    assert_eq!(
        m,
        vec![(
            "R16".into(),
            "p.toml:8:10".into(),
            "the 1 projects the 绩效目标表 lists come to 10.00, more than the 支出总表's 项目支出 8.00: the projects listed cannot exceed all of them".into()
        )]
    );
    // A 子项目 whose parent is not there.
    let m = messages(&format!("{lines}{}", sub("数据审计", "6")));
    assert!(
        m.iter().any(|x| x.0 == "duplicate"
            && x.2
                .contains("shares the 项目编码 \"11000024Y0000028728\" of a project before it")),
        "{m:#?}"
    );
}

/// A project's 项目期 includes the budget year: 2022-2022 in a 2026 budget is
/// named, 2025-2027 passes.
#[test]
fn a_project_period_outside_the_budget_year_is_named() {
    let text = "[department]\nname = \"x\"\nyear = 2026\n\n[[project]]\nname = \"甲\"\nfiscal = 1.00\nperiod = \"2022-2022\"\n\n[[project]]\nname = \"乙\"\nfiscal = 2.00\nperiod = \"2025年-2027年\"\n";
    let d = yusuan::check_str("t.toml", text).unwrap().diags;
    let found = located(&d, Some("period"));
    assert_eq!(
        found,
        [(
            "t.toml:5:1".to_string(),
            "项目 甲 的项目期 2022-2022 不含预算年度 2026：预算只安排项目期内的项目"
        )]
    );
}

/// Issue 27: a region that prints goals only (no 绩效指标) turns the
/// `indicator` check off in its profile: the file's "没有绩效指标" warning
/// is gone, and it is there under the base profile.
#[test]
fn a_profile_may_turn_the_indicator_check_off() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("profile.toml"),
        "name = \"goals\"\nbase = \"national\"\n\n[checks]\nindicator = \"off\"\n",
    )
    .unwrap();
    let text = "[department]\nname = \"x\"\nyear = 2024\n\n[[expenditure]]\ncode = \"2013299\"\nproject = 10\n\n[[project]]\nname = \"甲\"\nfiscal = 10\n";
    let rules = |text: &str| -> Vec<String> {
        let d = yusuan::check_str("t.toml", text).unwrap().diags;
        d.items
            .iter()
            .map(|x| format!("{} {}", x.rule, x.message.zh))
            .collect()
    };
    assert_eq!(rules(text), ["indicator 项目 甲 没有绩效指标"]);
    let own = text.replace(
        "year = 2024\n",
        &format!(
            "year = 2024\nprofile = {:?}\n",
            dir.path().display().to_string()
        ),
    );
    assert_eq!(rules(&own), Vec::<String>::new());
}

/// Beijing's 预算表12 keeps each project's rows on one page where they fit
/// (issue 27: indicator rows at the top of a page whose project, printed
/// beside them in merged cells, is on the page before cannot be read; Typst
/// does not repeat a merged cell after a page break): every indicator the
/// example names once prints on the page of its project's name. A project too
/// tall for a page still breaks, inside the page (no layout warning).
#[test]
fn beijing_projects_keep_their_indicators_on_their_page_and_a_tall_one_still_breaks() {
    let text = std::fs::read_to_string(crate::common::example("beijing-audit-2026.toml")).unwrap();
    // The pages of (a project's name, one of its indicators named once in the file).
    let pages_of = |text: &str| -> Vec<(usize, usize)> {
        let checked = yusuan::check_str("b.toml", text).unwrap();
        assert!(!checked.diags.has_errors(), "{}", checked.diags);
        let p = yusuan::profile::find(checked.report.department.profile).unwrap();
        let renderer = yusuan::render::Renderer::for_profile(p, None).unwrap();
        let r = yusuan::render_checked(&crate::common::ENGINE, &renderer, checked)
            .ok()
            .unwrap();
        assert!(
            !r.diags.items.iter().any(|d| d.rule == "layout-check"),
            "{}",
            r.diags
        );
        // 预算表12's pages (a code may print in other tables too).
        let pages: Vec<String> = crate::common::pages(&r.document)
            .into_iter()
            .filter(|p| p.contains("绩效度量单位"))
            .collect();
        let file: toml::Value = toml::from_str(text).unwrap();
        let projects = file["project"].as_array().unwrap();
        let once = |name: &str| text.matches(&format!("name = \"{name}\"")).count() == 1;
        let page = |s: &str| {
            pages
                .iter()
                .position(|p| p.contains(s))
                .unwrap_or(usize::MAX)
        };
        let mut out = vec![];
        for pr in projects {
            // (子项目 share their parent's code: the name tells them apart.)
            let project = pr["name"].as_str().unwrap();
            for i in pr
                .get("indicator")
                .and_then(|x| x.as_array())
                .into_iter()
                .flatten()
            {
                let name = i["name"].as_str().unwrap();
                if once(name) {
                    out.push((page(project), page(name)));
                }
            }
        }
        out
    };
    let pairs = pages_of(&text);
    assert!(pairs.len() > 100, "{}", pairs.len());
    assert!(
        pairs.iter().all(|(a, b)| a == b && *a != usize::MAX),
        "{pairs:?}"
    );
    // 70 more indicators on the first project: taller than a page, it breaks.
    let at = text.find("[[project.indicator]]").unwrap();
    let more: String = (0..70)
        .map(|k| format!("[[project.indicator]]\nlevel1 = \"产出指标\"\nlevel2 = \"数量指标\"\nname = \"测试指标第{k}项\"\nnature = \"＝\"\nvalue = \"900\"\nmeasure_unit = \"册\"\n"))
        .collect();
    let tall = format!("{}{more}{}", &text[..at], &text[at..]);
    let pairs = pages_of(&tall);
    assert!(pairs.iter().any(|(a, b)| a != b), "{pairs:?}");
}
