//! Regions added as data only: each built-in profile directory renders its
//! example, the whole published document, with the seed's figures.

use crate::common::{ENGINE, example, pages};
use yusuan::render::Renderer;

fn rendered(name: &str) -> (yusuan::diag::Diagnostics, Vec<String>) {
    let checked = yusuan::check_file(&example(name)).unwrap_or_else(|d| panic!("{d}"));
    let diags = checked.diags.clone();
    let p = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(p, None).unwrap();
    let r = yusuan::render_checked(&ENGINE, &renderer, checked).unwrap_or_else(|e| panic!("{e}"));
    (diags, pages(&r.document))
}

/// Seed 006 (北京市审计局 2026): 预算01表–13表 in 万元 with 6 decimals, every
/// figure a pivot of the file's records; the figures below are the seed's.
#[test]
fn beijing_prints_seed_006_tables_from_records() {
    let (diags, pages) = rendered("beijing-audit-2026.toml");
    let all = pages.concat();
    // 预算01表: income 32,365.090089 + 15 = 32,380.090089; with 471.963743
    // carried over, 32,852.053832 both sides.
    // Seed 006's cover and contents: 信息公开, the two parts, the tables
    // numbered by name.
    assert_eq!(pages[0], "北京市审计局2026年度部门预算信息公开");
    for want in [
        "第一部分 2026年度部门预算情况说明",
        "四、财政拨款“三公”经费预算情况说明",
        "第二部分 2026年度部门预算报表",
        "一、收支总表",
        "十三、部门整体支出绩效目标表",
    ] {
        assert!(
            pages[1].contains(want),
            "contents lack {want}: {}",
            pages[1]
        );
    }
    // Seed 006 prints no 序号 column and no 栏次 row (`row_numbers = false`, `column_numbers = false`):
    // 预算01表 opens with its first income item, not with 1.
    assert!(!all.contains("栏次") && !all.contains("序号"));
    assert!(all.contains("预算01表 收支总表"), "title");
    for want in [
        "一、一般公共预算拨款收入32,365.090089",
        "九、其他收入15.000000",
        "本年收入合计32,380.090089",
        "32,852.053832",
        // 预算03表, one row per 功能项 | 政府经济 | 部门经济, 基本 and 项目 per row.
        "2010801-行政运行50299-其他商品和服务支出30299-其他商品和服务支出721.198480465.392080255.806400",
        "2080505-机关事业单位基本养老保险缴费支出50501-工资福利支出30108-机关事业单位基本养老保险缴费145.993512145.993512",
        // 预算05表 per 单位, 人员/公用 per 项; 合计 32,801.936639 = 25,218.537585 + 7,583.399054.
        "03-北京市审计局综合事务中心2010850-事业运行1,354.2182471,335.7382471,300.64456035.09368718.48000018.480000",
        "合计32,801.93663925,218.53758523,545.6805001,672.8570857,583.3990547,583.399054",
        // 预算06表: 30101 under 50101 and again under 50501.
        "50101-工资奖金津补贴30101-基本工资3,138.0936003,138.093600",
        "50501-工资福利支出30101-基本工资232.983600232.983600",
        // 预算10表, 11表: typed lists under computed totals.
        "合计4,988.729130A-货物238.779600C-服务4,749.949530",
        "合计3,756.180280",
        // 预算表12: one row per indicator, 指标性质 | 指标值 | 度量单位 in their columns.
        "成本指标经济成本指标印刷刊物成本≤12.798万元",
        "主要用于《北京审计》杂志印刷刊发",
        // 预算13表: 其他资金 50.117193, all 项目支出.
        "北京市审计局32,852.05383232,801.93663925,218.5375857,583.39905450.11719350.117193",
    ] {
        assert!(all.contains(want), "missing {want}");
    }
    // The seed's own slip and nothing else: 项目支出 is 7,633.516247 万元,
    // 7633.52 rounded; the narrative prints 7633.51 (32852.05 − 25218.54).
    let found: Vec<(String, &str)> = diags
        .items
        .iter()
        .map(|d| (diags.location(d), d.message.zh.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            format!("{}:2184:9", example("beijing-audit-2026.toml").display()),
            "“项目支出预算 7633.51万元”：表中为 7,633.52 万元"
        )]
    );
}

/// Seed 007 (西安市信访局（汇总）2026): 表1–表16 in 元; the figures are the
/// seed's, each a cell of a table computed from the file's records or lists.
#[test]
fn xian_prints_seed_007_tables_from_records() {
    let (diags, pages) = rendered("xian-petition-2026.toml");
    let all = pages.concat();
    for want in [
        // 表1: 部门预算 28,384,234.71 on every side; 专项资金 550,000.00 其中.
        "一、部门预算28,384,234.71一、部门预算28,384,234.71一、部门预算28,384,234.71一、部门预算28,384,234.71",
        "其中：专项资金列入部门预算的项目550,000.00",
        // 部门经济 类 by kind: 人员经费和公用经费 19,328,114.71, 专项业务经费 9,056,120.00.
        "1、人员经费和公用经费支出19,328,114.71",
        "2、专项业务经费支出9,056,120.00",
        "1、机关工资福利支出17,103,265.51",
        // 表5: 201 = 12,653,513.74 + 1,079,667.20 + 8,936,120.00.
        "201一般公共服务支出22,669,300.9412,653,513.741,079,667.208,936,120.00",
        // 表6: a 款 with its 政府经济 款 and the three kinds.
        "30201办公费50201办公经费411,000.00120,000.00291,000.00",
        // 表8: the 基本支出 of 30239 is 人员经费 600,012.00.
        "30239其他交通费用50201办公经费600,012.00600,012.00",
        // 表10: groups with their subtotals, projects with theirs; 合计 9,056,120.00.
        "合计9,056,120.00",
        "通用项目2,797,300.00",
        // 表13: 合计 320,800.00 this year against 242,000.00, a change of 78,800.00.
        "242,000.00120,000.0020,000.00100,000.00100,000.00122,000.00320,800.00101,000.0010,000.0091,000.0091,000.00219,800.0078,800.00-19,000.00-10,000.00-9,000.00-9,000.0097,800.00",
    ] {
        assert!(all.contains(want), "missing {want}");
    }
    // Nothing to report: seed 007's figures agree with each other.
    assert!(diags.items.is_empty(), "{diags}");
}

/// Issue 27: the xian 表12 template printed seed 007's own 科目 ("201 40 04")
/// above every department's purchases. Another department's purchases under
/// 2010899 print their own 科目 there, and the seed's nowhere.
#[test]
fn xian_table_12_prints_the_files_own_function_never_the_seeds() {
    let seed = std::fs::read_to_string(example("xian-petition-2026.toml")).unwrap();
    let table_12 = |text: &str| {
        let checked = yusuan::check_str("x.toml", text).unwrap();
        let p = yusuan::profile::find(checked.report.department.profile).unwrap();
        let renderer = Renderer::for_profile(p, None).unwrap();
        let r =
            yusuan::render_checked(&ENGINE, &renderer, checked).unwrap_or_else(|e| panic!("{e}"));
        pages(&r.document)
            .into_iter()
            .find(|p| p.contains("表12 部门综合预算政府采购") && p.contains("采购项目"))
            .unwrap()
    };
    let text = seed.replace("function = \"201 40 04\"", "function = \"201 08 99\"");
    let table = table_12(&text);
    assert!(!table.contains("201 40 04"), "{table}");
    // The two head rows (the file's 经费形式 全额, code 1; the department) and
    // the six purchases (the text runs cells together: 201 08 99, 1, 全额).
    assert_eq!(table.matches("201 08 99").count(), 8, "{table}");
    assert!(table.contains("991全额"), "{table}");
    // Another department's 经费形式 is its own, and none prints where the
    // file gives none (the template printed 全额 for every department).
    let table = table_12(&text.replace("funding = \"全额\"", "funding = \"差额\""));
    assert!(
        table.contains("992差额") && !table.contains("全额"),
        "{table}"
    );
    let table = table_12(&text.replace("funding = \"全额\"\n", ""));
    assert!(
        !table.contains("全额") && !table.contains("差额"),
        "{table}"
    );
    assert_eq!(table.matches("201 08 99").count(), 7, "{table}");
}

/// Issue 27: a sum of two 小计 columns names each by its group (Beijing's
/// 收入总表: 本年收入小计 + 上年结转结余小计), never "小计 + 小计".
#[test]
fn two_subtotal_columns_are_named_by_their_groups() {
    let text = std::fs::read_to_string(example("beijing-audit-2026.toml")).unwrap()
        + "\n[declared.income]\n\"合计\" = { total = 32852.05, subtotal = 32380.090089, carryover = 471.963743 }\n";
    let d = yusuan::check_str("b.toml", &text).unwrap().diags;
    let r3: Vec<&str> = d
        .items
        .iter()
        .filter(|x| x.rule == "R3")
        .map(|x| x.message.zh.as_str())
        .collect();
    // 32,380.090089 + 471.963743 = 32,852.053832 (the seed's 预算01表).
    assert_eq!(
        r3,
        [
            "预算02表 收入总表 合计：申报 32852.050000，本年收入小计 + 上年结转结余小计 之和 32852.053832，相差 0.003832（超出 2 项四舍五入所能解释的 ±0.0000015）"
        ]
    );
}

/// Seed 008 (国家信访局 2024 年度部门决算): 公开01表–09表 from one ledger —
/// spending, income and balances as facts of their flow, the 三公 beside
/// their budget — every figure below the seed's; and its slips reported:
/// the 35.74% that its own figures make 35.94%, and the figures the budget
/// system rounded from 元 (each within its 尾差, printed as published).
#[test]
fn national_final_prints_seed_008_from_one_ledger() {
    let (diags, pages) = rendered("national-petition-final-2024.toml");
    let all = pages.concat();
    // 公开01表: 20,451.35 + 1,615.24 = 22,066.59 = 14,572.53 + 7,494.06.
    let summary = pages
        .iter()
        .find(|p| p.starts_with("收入支出决算总表"))
        .expect("公开01表");
    for want in [
        "公开 01 表",
        "部门：国家信访局",
        "一、一般公共预算财政拨款收入119,572.91一、一般公共服务支出3210,685.56",
        "八、其他收入8878.44八、社会保障和就业支出392,228.57",
        "本年收入合计2720,451.35本年支出合计5814,572.53",
        "使用非财政拨款结余28结余分配59",
        "年初结转和结余291,615.24年末结转和结余607,494.06",
        "总计3122,066.59总计6222,066.59",
    ] {
        assert!(summary.contains(want), "公开01表 lacks {want}: {summary}");
    }
    // The heads as published: 项目 over 科目代码 | 科目名称, then 栏次.
    let income = pages
        .iter()
        .find(|p| p.starts_with("收入决算表"))
        .expect("公开02表");
    assert!(
        income.contains("公开 02 表")
            && income.contains("项目")
            && income.contains("科目代码科目名称"),
        "{income}"
    );
    // 公开04表: 19,572.91 + 1,154.62 = 20,727.53 = 13,733.80 + 6,993.74.
    for want in [
        "本年收入合计2719,572.91本年支出合计5913,733.8013,733.80",
        "年初财政拨款结转和结余281,154.62年末财政拨款结转和结余606,993.746,993.74",
        "一般公共预算财政拨款291,154.62",
        "总计3220,727.53总计6420,727.5320,727.53",
        // 公开02表 and 03表 by 项; 05表 一般公共预算.
        "2014003机关服务839.13229.19609.94",
        "2014099其他信访事务支出1,788.46540.611,247.85",
        // 公开06表: three lists, 人员经费 and 公用经费 合计 as published.
        "30101基本工资1,857.4030201办公费83.9230701国内债务付息",
        "人员经费合计7,967.72公用经费合计2,266.65",
        // 公开09表 transposed: 预算数 then 决算数.
        "76.4330.0040.6340.635.8046.214.6940.6140.610.90",
    ] {
        assert!(all.contains(want), "missing {want}");
    }
    let found: Vec<(String, String)> = diags
        .items
        .iter()
        .map(|d| (d.rule.to_string(), d.message.zh.clone()))
        .collect();
    assert!(
        found.iter().any(|(r, m)| r == "R13"
            && m == "“22066.59 万元，与 2023 年相比，收、支总计各增加 5834.37 万元，增长 35.74%”：按句中数字应为 35.94%"),
        "{found:#?}"
    );
    // The 尾差 of figures rounded from 元, each a warning, never an error.
    assert!(!diags.has_errors(), "{diags}");
    for want in [
        // 41.51 + 4.69 = 46.20: the file's 三公 lines, named at their places.
        "三公经费表 合计 决算数：申报 46.21，文件中的行 一般公共预算 41.51（第 649 行） + 一般公共预算 4.69（第 650 行），合计 46.20，相差 0.01",
        "一般公共预算财政拨款基本支出决算表 类 303 人员经费：申报 984.97，各项合计 984.98，相差 0.01",
        "支出决算表 类 201 基本支出：申报 7366.16，各项合计 7366.17，相差 0.01",
    ] {
        assert!(
            found.iter().any(|(_, m)| m.starts_with(want)),
            "missing {want}: {found:#?}"
        );
    }
}

/// The 决算 identity, in total and for the 财政拨款: 年初结转和结余 + 本年收入 +
/// 使用非财政拨款结余 = 本年支出 + 结余分配 + 年末结转和结余 — a closing
/// balance typed 0.10 short is an error naming both sides, in each table
/// whose scope holds it.
#[test]
fn a_final_account_that_does_not_balance_is_an_error() {
    let text = std::fs::read_to_string(example("national-petition-final-2024.toml")).unwrap();
    let broken = text.replace("amount = 6993.74", "amount = 6993.64");
    assert_ne!(text, broken);
    let checked = yusuan::check_str("f.toml", &broken).unwrap();
    // Located at the year's closing balance, the first place to look.
    let closing = broken
        .find("[[fact]]\nflow = \"年末结转和结余\"")
        .expect("a closing balance");
    let line = broken[..closing].matches('\n').count() + 1;
    let places: Vec<String> = checked
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "balance")
        .map(|d| checked.diags.location(d))
        .collect();
    assert_eq!(
        places,
        [format!("f.toml:{line}:1"), format!("f.toml:{line}:1")]
    );
    let balance: Vec<&str> = checked
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "balance")
        .map(|d| d.message.zh.as_str())
        .collect();
    assert_eq!(
        balance,
        [
            "收入支出决算总表：收入总计 22066.59（年初结转和结余 + 本年收入 + 使用非财政拨款结余）不等于支出总计 22066.49（本年支出 + 结余分配 + 年末结转和结余）",
            "财政拨款收入支出决算总表：收入总计 20727.53（年初结转和结余 + 本年收入 + 使用非财政拨款结余）不等于支出总计 20727.43（本年支出 + 结余分配 + 年末结转和结余）",
        ]
    );
    // An unknown flow is an error at its record.
    let unknown = text.replacen("\nflow = \"收入\"", "\nflow = \"收益\"", 1);
    let d = yusuan::check_str("f.toml", &unknown).unwrap().diags;
    let fact: Vec<&str> = d
        .items
        .iter()
        .filter(|x| x.rule == "fact")
        .map(|x| x.message.zh.as_str())
        .collect();
    assert_eq!(fact.len(), 1, "{fact:?}");
    assert!(
        fact[0].starts_with("未知的收支类别 \"收益\"；可用：支出（spending）、收入（income）"),
        "{fact:?}"
    );
}

/// A 部门决算 takes its 预算数 from the year's 部门预算 file (`[budget] from`),
/// never retyped: the budget file's spending and 三公 join the ledger as
/// budget figures (the 三公 table's 预算数 column prints 5.00 from it); a
/// budget figure typed as well is compared — 55.00 where the file has 50.00
/// is an error at the typed record — and a file of another year is refused.
#[test]
fn a_final_account_takes_its_budget_from_the_years_budget_file() {
    let dir = tempfile::tempdir().unwrap();
    let head = "[department]\ncode = \"101\"\nname = \"测试局\"\nyear = 2024\n";
    std::fs::write(
        dir.path().join("budget.toml"),
        format!("{head}\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100.00\n\n[[expenditure]]\ncode = \"2013299\"\nproject = 50.00\n\n[sangong]\nreception = 5.00\n"),
    )
    .unwrap();
    let spent = "\n[[fact]]\nfunction = \"2013201\"\nkind = \"基本支出\"\namount = 90.00\n\n[[fact]]\nfunction = \"2013299\"\nkind = \"项目支出\"\namount = 40.00\n\n[[fact]]\nfunction = \"2013201\"\nflow = \"收入\"\namount = 130.00\n\n[sangong]\nreception = 4.00\n";
    let final_account = |extra: &str, from: &str| {
        let text = format!(
            "{head}profile = \"national-final\"\n\n[budget]\nfrom = \"{from}\"\n{spent}{extra}"
        );
        let file = dir.path().join("final.toml");
        std::fs::write(&file, text).unwrap();
        yusuan::check_file(&file).unwrap()
    };
    let checked = final_account("", "budget.toml");
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let budgeted: Vec<(String, String)> = checked
        .budget
        .facts
        .iter()
        .filter(|f| f.budgeted)
        .map(|f| {
            (
                f.function.clone().unwrap(),
                (f.amount / rust_decimal::Decimal::from(10_000))
                    .normalize()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        budgeted,
        [
            ("2013201".to_string(), "100".to_string()),
            ("2013299".to_string(), "50".to_string())
        ]
    );
    let sangong = &checked.report.tables.as_ref().unwrap().sangong;
    let reception = sangong.row("reception").unwrap();
    assert_eq!(reception.cells["budget"].normalize().to_string(), "5");
    assert_eq!(reception.cells["final"].normalize().to_string(), "4");
    // Typed as well: 100.00 agrees, 55.00 does not (an error at its record).
    let typed = "\n[[fact]]\nfunction = \"2013201\"\nkind = \"基本支出\"\nbudget = true\namount = 100.00\n\n[[fact]]\nfunction = \"2013299\"\nkind = \"项目支出\"\nbudget = true\namount = 55.00\n";
    let checked = final_account(typed, "budget.toml");
    let errors = crate::common::located(&checked.diags, Some("budget-file"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.ends_with("final.toml:34:1"), "{errors:?}");
    assert!(
        errors[0]
            .1
            .starts_with("项 2013299 的预算数 55 与预算文件 ")
            && errors[0].1.ends_with(
                "budget.toml 中的 50 不符：预算数取自预算文件，请删去这里的数或改正预算文件"
            ),
        "{errors:?}"
    );
    // Another year's budget is refused at `from`.
    std::fs::write(
        dir.path().join("2023.toml"),
        "[department]\ncode = \"101\"\nname = \"测试局\"\nyear = 2023\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1.00\n",
    )
    .unwrap();
    let checked = final_account("", "2023.toml");
    let errors = crate::common::located(&checked.diags, Some("budget-file"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.ends_with("final.toml:8:8"), "{errors:?}");
    assert!(
        errors[0]
            .1
            .ends_with("2023.toml 是 2023 年的预算，而本决算是 2024 年的"),
        "{errors:?}"
    );
}

/// Seed 009 (2019 年佛山市轨道交通局部门决算): a city's 表1–表8 as a profile of
/// its own over national-final — zeros printed 0.00, 表N labels, 单位,
/// 用事业基金弥补收支差额 — from the same kind of ledger; its slips reported:
/// the totals rounded from 元 (本年收入合计 1668.14 where 1668.14 + 0.01
/// makes 1668.15, 工资福利支出 649.20 where its items make 649.19) as 尾差,
/// and percentages of growth from a zero base.
#[test]
fn foshan_final_prints_seed_009_as_a_profile_of_its_own() {
    let (diags, pages) = rendered("foshan-rail-final-2019.toml");
    let all = pages.concat();
    // 行次 as the seed numbers them: the left 1–26, the right 27–52.
    let summary = pages
        .iter()
        .find(|p| p.starts_with("收入支出决算总表"))
        .expect("表1");
    for want in [
        "表1",
        "单位：万元",
        "一、一般公共预算财政拨款收入11668.14一、一般公共服务支出270.00",
        "七、其他收入70.01七、文化旅游体育与传媒支出330.00",
        "本年收入合计231668.14本年支出合计491668.14",
        "用事业基金弥补收支差额240.00结余分配500.00",
        "年初结转和结余250.00年末结转和结余510.01",
        "总计261668.14总计521668.14",
    ] {
        assert!(summary.contains(want), "表1 lacks {want}: {summary}");
    }
    // 表1–表8 only: the 国有资本经营 table is computed and checked, not printed.
    assert!(!all.contains("国有资本经营预算财政拨款支出决算表"));
    for title in [
        "收入支出决算总表表1",
        "收入决算表表2",
        "支出决算表表3",
        "财政拨款收入支出决算总表表4",
        "一般公共预算财政拨款支出决算表表5",
        "一般公共预算财政拨款基本支出决算表表6",
        "一般公共预算财政拨款“三公”经费支出决算表表7",
        "政府性基金预算财政拨款收入支出决算表表8",
    ] {
        assert!(
            pages.iter().any(|p| p.starts_with(title)),
            "no page starts with {title}"
        );
    }
    for want in [
        "2140101行政运行609.30609.290.000.000.000.000.01",
        "人员经费合计649.20公用经费合计97.19",
        "0.000.000.000.000.000.000.160.000.000.000.000.16",
    ] {
        assert!(all.contains(want), "missing {want}");
    }
    assert!(!diags.has_errors(), "{diags}");
    let messages: Vec<&str> = diags.items.iter().map(|d| d.message.zh.as_str()).collect();
    for want in [
        "收入支出决算总表 本年收入合计：申报 1668.14，计算 1668.15，相差 0.01",
        "一般公共预算财政拨款基本支出决算表 类 301 人员经费：申报 649.20，各项合计 649.19，相差 0.01",
        "“97.19 万元，比预算数增加 97.19 万元，增长 0%”：上年为零，无法计算增减百分比",
    ] {
        assert!(
            messages.iter().any(|m| m.starts_with(want)),
            "missing {want}: {messages:#?}"
        );
    }
}

/// The completion rates of a 决算's text are read against their own two
/// figures: every one of seed 008's holds (5757.63 ÷ 5717.32 = 100.71%, …),
/// a rate typed 91.41% for 13733.8 ÷ 15068.55 is named with 91.14%, and
/// "完成预算 0 万元的 0%" (seed 009) has no rate at all.
#[test]
fn a_final_accounts_completion_rates_are_checked() {
    let text = std::fs::read_to_string(example("national-petition-final-2024.toml")).unwrap();
    let rates = |text: &str| -> Vec<String> {
        let d = yusuan::check_str("f.toml", text).unwrap().diags;
        d.items
            .iter()
            .filter(|x| x.rule == "R13" && x.message.zh.contains("完成"))
            .map(|x| x.message.zh.clone())
            .collect()
    };
    assert_eq!(rates(&text), Vec::<String>::new());
    let slip = text.replacen("完成年初预算的 91.14%", "完成年初预算的 91.41%", 1);
    assert_ne!(slip, text);
    assert_eq!(
        rates(&slip),
        ["“13733.8 万元，完成年初预算的 91.41%”：按句中数字应为 91.14%"]
    );
    let foshan = std::fs::read_to_string(example("foshan-rail-final-2019.toml")).unwrap();
    assert_eq!(
        rates(&foshan),
        ["“0.16 万元，完成预算 0 万元的 0%”：预算数为零，没有完成率"; 2]
    );
}

/// A 决算's sentence per 项 is generated from its ledger: the budget taken
/// from the year's 部门预算 file beside the final figure, and the rate
/// (90.00 ÷ 100.00 = 90.00%, 40.00 ÷ 50.00 = 80.00%), with the reason the
/// line gives.
#[test]
fn a_final_accounts_sentence_per_xiang_is_generated() {
    let dir = tempfile::tempdir().unwrap();
    let head = "[department]\ncode = \"101\"\nname = \"测试局\"\nyear = 2024\nunit = \"元\"\n";
    std::fs::write(
        dir.path().join("budget.toml"),
        format!("{head}\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1000000.00\n\n[[expenditure]]\ncode = \"2013299\"\nproject = 500000.00\n"),
    )
    .unwrap();
    let text = format!(
        "{head}profile = \"national-final\"\n\n[budget]\nfrom = \"budget.toml\"\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 900000.00\nreason = \"人员减少\"\n\n[[expenditure]]\ncode = \"2013299\"\nproject = 400000.00\n\n[[fact]]\nfunction = \"2013201\"\nflow = \"收入\"\namount = 1300000.00\n\n[[section]]\ntitle = \"一般公共预算财政拨款支出决算具体情况\"\ngenerate = \"lines\"\n"
    );
    let file = dir.path().join("final.toml");
    std::fs::write(&file, text).unwrap();
    let checked = yusuan::check_file(&file).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let p = yusuan::profile::find("national-final").unwrap();
    let renderer = yusuan::render::Renderer::for_profile(p, None).unwrap();
    let r = yusuan::render_checked(&ENGINE, &renderer, checked).unwrap_or_else(|e| panic!("{e}"));
    let all = pages(&r.document).concat();
    for want in [
        "1. “一般公共服务支出（类）组织事务（款）行政运行（项）”。年初预算为100.00万元，支出决算为90.00万元，完成年初预算的90.00%。人员减少。",
        "2. “一般公共服务支出（类）组织事务（款）其他组织事务支出（项）”。年初预算为50.00万元，支出决算为40.00万元，完成年初预算的80.00%。",
    ] {
        assert!(all.contains(want), "missing {want}: {all}");
    }
}

/// A 决算's 三公 paragraph generated from the ledger, as seed 008 writes it:
/// each 决算数 against its 预算数 — 46.21 (the 合计 as the table prints it)
/// of 76.43 is 60.46%, 4.69 of 30.00 15.63%, 40.61 of 40.63 99.95%, 0.90 of
/// 5.80 15.52%: the seed's own figures.
#[test]
fn a_final_accounts_sangong_paragraph_is_generated() {
    let text = std::fs::read_to_string(example("national-petition-final-2024.toml")).unwrap();
    let text = format!("{text}\n[[section]]\ntitle = \"“三公”经费\"\ngenerate = \"sangong\"\n");
    let checked = yusuan::check_str("f.toml", &text).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let p = yusuan::profile::find("national-final").unwrap();
    let renderer = yusuan::render::Renderer::for_profile(p, None).unwrap();
    let r = yusuan::render_checked(&ENGINE, &renderer, checked).unwrap_or_else(|e| panic!("{e}"));
    let all = pages(&r.document).concat();
    let want = "2024年度“三公”经费财政拨款支出预算为76.43万元，支出决算为46.21万元，完成预算的60.46%。其中：因公出国（境）费支出决算为4.69万元，完成预算的15.63%；公务用车购置及运行维护费支出决算为40.61万元，完成预算的99.95%；公务接待费支出决算为0.90万元，完成预算的15.52%。";
    assert!(all.contains(want), "missing {want}");
}
