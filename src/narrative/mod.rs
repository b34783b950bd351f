//! The document's text: its sections in order, the paragraphs written from
//! the figures (totals, one sentence per 项, 三公, 机关运行经费, 政府采购,
//! 国有资产, 绩效目标), and the checks of the text: what a region requires,
//! the text's own slips (`review`), and rule R13 against the figures
//! (`r13`).
//!
//! Everything here is data for the templates: amounts in 万元 formatted
//! once, changes against last year with their direction word and percentage
//! computed once. The wording of each paragraph is the profile's template
//! (`templates/narrative/`).

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::Kind;
use crate::domain::round;
use crate::model::{BudgetFile, Money, SectionTable};
use crate::profile::Style;
use crate::prose::{sentences, written_figures, yuan_per};
use crate::text;
use crate::validate::Budget;

mod r13;
use r13::{check_text, table_sentences};

/// The narrative of one document.
#[derive(Debug, Clone, Serialize)]
pub struct Narrative {
    /// The sections, in the file's order.
    pub sections: Vec<SectionView>,
    /// What last year's figures are, as the sentences name them: `2023年预算`.
    pub basis: String,
    /// The budget's totals, with their changes when last year's are given.
    pub figures: BTreeMap<&'static str, Fig>,
    /// One entry per 功能分类 项 of 财政拨款 spending, in code order.
    pub lines: Vec<LineView>,
    /// The 三公 items (total, abroad, vehicle, vehicle_purchase,
    /// vehicle_operation, reception), when the file has a 三公 table.
    pub sangong: BTreeMap<&'static str, Fig>,
    /// The 政府采购 budget, when the file lists purchases.
    pub procurement: Option<Procurement>,
    /// The fixed assets, when given.
    pub assets: Option<AssetsView>,
    /// 绩效目标: how many projects and their money, when the file has them.
    pub projects: Option<ProjectsView>,
    /// The structure charts: income by source and spending by 类, each part
    /// with its share.
    pub structure: Structure,
}

/// The parts of the income and of the spending, for the structure chart.
#[derive(Debug, Clone, Serialize)]
pub struct Structure {
    /// Income by source (those with money).
    pub income: Vec<Share>,
    /// Spending by 功能分类 类 (those with money), largest first.
    pub spending: Vec<Share>,
}

/// One part of a whole.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    /// Its name.
    pub name: String,
    /// Its amount in 万元, as printed.
    pub amount: String,
    /// Its share of the whole in percent, 2 decimals.
    pub percent: String,
    /// Its share of the largest part, 0 to 1 (the bar's length).
    pub bar: f64,
}

/// One section as printed.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// Its heading.
    pub title: String,
    /// `front` (before the tables), `back` (after them) or `end` (after the projects).
    pub place: &'static str,
    /// Hand-written paragraphs.
    pub paragraphs: Vec<String>,
    /// The generated paragraph's name, when the section is generated.
    pub generate: Option<&'static str>,
    /// Whether the generated paragraph follows the text (else it precedes it).
    pub generate_after_text: bool,
    /// How its sentence per 项 quotes the line: quoted, dash, code or codes.
    pub sentence: &'static str,
    /// A table of text cells.
    pub table: Option<SectionTableView>,
}

/// A section's table.
#[derive(Debug, Clone, Serialize)]
pub struct SectionTableView {
    /// Caption above it.
    pub caption: Option<String>,
    /// Header cells.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// An amount in 万元 as the narrative prints it, with its change.
#[derive(Debug, Clone, Serialize)]
pub struct Fig {
    /// The amount, 2 decimals (with separators where the profile uses them).
    pub text: String,
    /// Whether it is zero (seed 005 writes `0万元`).
    pub zero: bool,
    /// Against last year, when last year's figure is given.
    pub change: Option<Change>,
    /// The exact amount in 元 (for the checks).
    #[serde(skip)]
    pub yuan: Decimal,
    /// In a 部门决算: the year's budget (预算数) of the same figure, in 元 —
    /// what a sentence saying 预算 of it quotes.
    #[serde(skip)]
    pub budget: Option<Decimal>,
    /// In a 部门决算: that budget as printed (万元, 2 decimals), and the
    /// figure as a percentage of it (none from a zero budget).
    pub planned: Option<Planned>,
}

/// A 决算 figure's budget, for the generated sentences.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// The budget, 万元, 2 decimals.
    pub text: String,
    /// 完成预算的 …%, 2 decimals; none when the budget is zero.
    pub rate: Option<String>,
}

/// A change against last year.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// 增加, 减少 or 持平.
    pub direction: &'static str,
    /// The difference in 万元, as printed (the difference of the two printed figures).
    pub amount: String,
    /// The percentage, 2 decimals, from the two printed figures (as a reader
    /// verifies it); none when last year's printed figure is zero.
    pub percent: Option<String>,
    /// The same from the exact figures (some documents compute it so; the
    /// checker accepts either).
    #[serde(skip)]
    pub percent_exact: Option<String>,
    /// Last year's figure in 万元.
    pub last_year: String,
}

/// One 项 of spending, for the sentence per 项.
#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    /// 7-digit code.
    pub code: String,
    /// 类, 款 and 项 names.
    pub class: String,
    /// 款 name.
    pub kuan: String,
    /// 项 name.
    pub name: String,
    /// Its 财政拨款 money this year.
    pub amount: Fig,
    /// 主要用于….
    pub uses: Option<String>,
    /// 主要原因是….
    pub reason: Option<String>,
}

/// The 政府采购 budget.
#[derive(Debug, Clone, Serialize)]
pub struct Procurement {
    /// The department's name (its 本级小计 row).
    pub unit: String,
    /// 合计.
    pub total: Fig,
    /// 货物, 工程, 服务.
    pub goods: Fig,
    /// 工程.
    pub works: Fig,
    /// 服务.
    pub services: Fig,
    /// 预留中小微企业份额.
    pub sme: Fig,
    /// The items, grouped by project in order of first appearance.
    pub projects: Vec<PurchaseGroup>,
}

/// The purchases of one project.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseGroup {
    /// The project.
    pub name: String,
    /// Its budget, as given.
    pub budget: String,
    /// Its items.
    pub items: Vec<PurchaseView>,
}

/// One purchase as printed.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseView {
    /// 采购物品名称.
    pub item: String,
    /// 政府采购目录序号.
    pub catalogue_code: String,
    /// 计量单位.
    pub unit: String,
    /// 数量.
    pub quantity: String,
    /// 单价.
    pub price: String,
    /// 金额.
    pub amount: String,
    /// 预留中小微企业份额.
    pub sme: String,
}

/// The fixed assets.
#[derive(Debug, Clone, Serialize)]
pub struct AssetsView {
    /// 截止时间.
    pub date: String,
    /// 资产总额 (the sum of the rows that are not 其中 rows).
    pub total: Fig,
    /// 本年度拟购置固定资产总额.
    pub planned: Fig,
    /// Rows: label, count, value (blank when not given), 其中 or not.
    pub rows: Vec<(String, String, String, bool)>,
}

/// The projects with 绩效目标.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectsView {
    /// How many.
    pub count: usize,
    /// Their money.
    pub total: Fig,
}

/// The generated paragraphs a section can ask for.
pub const GENERATED: &[&str] = &[
    "overview",
    "lines",
    "running_costs",
    "sangong",
    "procurement",
    "assets",
    "projects",
    "glossary",
    "chart",
];

/// 类 names that were renamed; a text using the old one is out of date.
const RENAMED: &[(&str, &str)] = &[
    ("医疗卫生与计划生育支出", "卫生健康支出"),
    ("国土海洋气象等支出", "自然资源海洋气象等支出"),
    ("国土资源气象等支出", "自然资源海洋气象等支出"),
];

/// Builds the narrative of `file`, or `None` when it has no section, no
/// last year's figures, no purchases and no assets.
pub fn build(
    file: &BudgetFile,
    budget: &Budget,
    printed: &[crate::compute::Printed],
    style: Style,
    sentence: &'static str,
    projects: Option<&crate::projects::ProjectReport>,
    diags: &mut Diagnostics,
) -> Option<Narrative> {
    if file.section.is_empty()
        && file.last_year.is_none()
        && file.procurement.is_empty()
        && file.assets.is_none()
    {
        return None;
    }
    let year = budget.department.year;
    let to_yuan = budget.input_unit.yuan();
    let yuan = |m: &Option<toml::Spanned<Money>>| m.as_ref().map(|m| m.get_ref().0 * to_yuan);
    let last = file.last_year.as_ref().map(|l| l.get_ref());
    let basis = format!(
        "{}年{}",
        year - 1,
        last.and_then(|l| l.basis.clone())
            .unwrap_or_else(|| "预算".into())
    );
    let fig = |v: Decimal, prev: Option<Decimal>| figure(v, prev, style);

    // The named figures, in 元: the same as last year's are computed.
    let n = crate::figures::Named::of(budget).as_printed(printed);
    let l = |f: fn(&crate::model::LastYear) -> &Option<toml::Spanned<Money>>| {
        last.and_then(|l| yuan(f(l)))
    };
    let income_last = l(|l| &l.income);
    let mut figures = BTreeMap::new();
    figures.insert("income", fig(n.total, income_last));
    figures.insert(
        "expenditure",
        fig(n.total, l(|l| &l.expenditure).or(income_last)),
    );
    figures.insert("fiscal", fig(n.fiscal, l(|l| &l.fiscal)));
    figures.insert("general", fig(n.general, l(|l| &l.general)));
    figures.insert("fund", fig(n.fund, None));
    figures.insert("soe", fig(n.soe, None));
    figures.insert("special", fig(n.special, None));
    figures.insert("unit_funds", fig(n.unit_funds, None));
    figures.insert("business", fig(n.business, None));
    figures.insert("operating", fig(n.operating, None));
    figures.insert("other", fig(n.other, None));
    figures.insert("carryover", fig(n.carryover, None));
    figures.insert("basic", fig(n.basic, l(|l| &l.basic)));
    figures.insert("fiscal_basic", fig(n.fiscal_basic, None));
    figures.insert("personnel", fig(n.personnel, l(|l| &l.personnel)));
    figures.insert("public", fig(n.public, l(|l| &l.public)));
    figures.insert("project", fig(n.project, l(|l| &l.project)));
    if let Some(v) = income_last {
        figures.insert("last_year", fig(v, None));
    }

    let mut sangong = BTreeMap::new();
    if let (Some(sg), Some(g)) = (&budget.sangong, crate::figures::Sangong::of(budget)) {
        for (name, key) in [
            ("total", "小计"),
            ("abroad", "abroad"),
            ("vehicle", "vehicle"),
            ("vehicle_purchase", "vehicle_purchase"),
            ("vehicle_operation", "vehicle_operation"),
            ("reception", "reception"),
        ] {
            let this_year = printed_sangong(budget, printed, key).unwrap_or(g.this_year(key));
            let f = fig(this_year, g.last_year(key));
            sangong.insert(name, with_budget(f, g.budget(key), style));
        }
        if sg.running_costs {
            let key = "running_costs";
            figures.insert(key, fig(g.this_year(key), g.last_year(key)));
        }
    }

    let lines = line_views(budget, style);
    let procurement = procurement(file, style, to_yuan);
    // The 政府采购 figures a paragraph may quote (read with the labels below).
    if let Some(p) = &procurement {
        figures.insert("procurement", p.total.clone());
        figures.insert("procurement_goods", p.goods.clone());
        figures.insert("procurement_works", p.works.clone());
        figures.insert("procurement_services", p.services.clone());
        figures.insert("procurement_sme", p.sme.clone());
    } else if let Some([goods, works, services]) = categories_in_lists(file, to_yuan) {
        // A region that lists its 政府采购 by category (货物, 工程, 服务) in a
        // list table: the figures a paragraph quotes are that table's.
        let fig = |v: Decimal| figure(v, None, style);
        figures.insert("procurement", fig(goods + works + services));
        figures.insert("procurement_goods", fig(goods));
        figures.insert("procurement_works", fig(works));
        figures.insert("procurement_services", fig(services));
    }
    let assets = file.assets.as_ref().map(|a| {
        let a = a.get_ref();
        let value = |r: &crate::model::AssetRow| r.value.as_ref().map(|v| v.get_ref().0 * to_yuan);
        let total: Decimal = a
            .item
            .iter()
            .filter(|r| !r.get_ref().within)
            .filter_map(|r| value(r.get_ref()))
            .sum();
        AssetsView {
            date: a.date.clone(),
            total: fig(total, None),
            planned: fig(
                a.planned
                    .as_ref()
                    .map_or(Decimal::ZERO, |p| p.get_ref().0 * to_yuan),
                None,
            ),
            rows: a
                .item
                .iter()
                .map(|r| {
                    let r = r.get_ref();
                    (
                        r.name.clone(),
                        r.count.map(|c| c.to_string()).unwrap_or_default(),
                        value(r)
                            .map(|v| figure(v, None, style).text)
                            .unwrap_or_default(),
                        r.within,
                    )
                })
                .collect(),
        }
    });
    let projects = projects.map(|p| ProjectsView {
        count: p.projects.len(),
        total: fig(p.unit.yuan() * p.total.total, None),
    });

    let mut sections = vec![];
    for s in &file.section {
        let sec = s.get_ref();
        let place = match sec.place.as_ref() {
            None => "back",
            Some(p) => crate::validate::choose(
                diags,
                "place",
                p,
                &[
                    (&["back", "表后"], "back"),
                    (&["front", "表前"], "front"),
                    (&["end", "最后"], "end"),
                ],
                "back",
            ),
        };
        let generate = sec.generate.as_ref().map(|g| {
            crate::validate::choose(
                diags,
                "generate",
                g,
                &GENERATED
                    .iter()
                    .map(|n| (std::slice::from_ref(n), *n))
                    .collect::<Vec<_>>(),
                "overview",
            )
        });
        let paragraphs = sec
            .text
            .as_ref()
            .map_or_else(Vec::new, |t| paragraphs(t.get_ref()));
        let sentence = sec.sentence.as_ref().map_or(sentence, |s| {
            crate::validate::choose(diags, "sentence", s, SENTENCES, sentence)
        });
        sections.push(SectionView {
            title: sec.title.trim().to_string(),
            place,
            paragraphs,
            generate,
            generate_after_text: sec.generate_after_text,
            sentence,
            table: sec.table.as_ref().map(table_view),
        });
    }

    let structure = structure(budget, style, n.total);
    let narrative = Narrative {
        structure,
        sections,
        basis,
        figures,
        lines,
        sangong,
        procurement,
        assets,
        projects,
    };
    // 人员/公用经费 the file never splits are unknown, not zero: a sentence
    // naming them is not compared.
    let split = budget.facts.iter().any(|f| {
        matches!(f.kind, Some(Kind::Personnel | Kind::Public)) || f.basic_economic().is_some()
    });
    let unknown: &[&str] = if split { &[] } else { &["personnel", "public"] };
    for s in &file.section {
        if let Some(t) = &s.get_ref().text {
            check_text(t.get_ref(), t.span(), &narrative, unknown, year, diags);
        }
        // A text table's rows are read as the sentences they stand for,
        // each placed at its figure's cell.
        for (row, cell) in s.get_ref().table.iter().flat_map(table_sentences) {
            // The section's `[section.table]` follows its header: looked for
            // up to the next array entry.
            let span = s.span();
            let rest = diags.source.get(span.start..).unwrap_or("");
            let end = rest
                .get(1..)
                .and_then(|r| r.find("\n[["))
                .map_or(rest.len(), |i| i + 1);
            let quoted = format!("\"{cell}\"");
            let at = rest[..end].find(&quoted).map_or(span.clone(), |i| {
                span.start + i + 1..span.start + i + quoted.len() - 1
            });
            check_text(&row, at, &narrative, unknown, year, diags);
        }
    }
    review(file, diags);
    asset_counts(file, diags);
    Some(narrative)
}

/// The explanations a region requires (its profile's `required_sections`):
/// each word appears in a section's title or text, or is what a generated
/// section writes (三公 for `generate = "sangong"`, …). A document without
/// any section (tables only) is not asked for them. One warning per missing
/// word, at the file's last section (where one would be added).
pub fn required(file: &BudgetFile, profile: &crate::profile::Profile, diags: &mut Diagnostics) {
    let Some(last) = file.section.last() else {
        return;
    };
    let writes = |kind: &str| -> &'static [&'static str] {
        match kind {
            "sangong" => &["三公"],
            "running_costs" => &["机关运行经费"],
            "procurement" => &["政府采购"],
            "assets" => &["国有资产"],
            "projects" => &["绩效目标", "项目"],
            "glossary" => &["名词解释"],
            _ => &[],
        }
    };
    for word in &profile.required_sections {
        let present = file.section.iter().any(|s| {
            let s = s.get_ref();
            s.title.contains(word.as_str())
                || s.text
                    .as_ref()
                    .is_some_and(|t| t.get_ref().contains(word.as_str()))
                || s.generate.as_ref().is_some_and(|g| {
                    writes(g.get_ref())
                        .iter()
                        .any(|x| x.contains(word.as_str()))
                })
        });
        if !present {
            let name = &profile.name;
            diags.push(Diagnostic::warning(
                "sections",
                Some(last.span()),
                text!(
                    "文中没有“{word}”的说明：地区样式 {name} 要求说明它（加一段 [[section]]，或 generate = …）",
                    "the text explains nothing about \"{word}\", which profile {name} requires (add a [[section]], or generate = …)"
                ),
            ));
        }
    }
}

/// R13 on 国有资产 counts in prose (`共有车辆4辆`, `…设备13台（套）`) against
/// the file's 国有资产 rows (`[assets]`): the first count after the word,
/// when the paragraph holds no other number between them.
fn asset_counts(file: &BudgetFile, diags: &mut Diagnostics) {
    let Some(assets) = &file.assets else { return };
    let rows = &assets.get_ref().item;
    let count_of = |word: &str| {
        rows.iter()
            .find(|r| r.get_ref().name.contains(word) && !r.get_ref().within)
            .and_then(|r| r.get_ref().count)
    };
    for s in &file.section {
        let Some(t) = &s.get_ref().text else { continue };
        let (text, span) = (t.get_ref().as_str(), t.span());
        for (word, units) in [("车辆", &["辆", "台"][..]), ("设备", &["台", "套"][..])] {
            let Some(want) = count_of(word) else { continue };
            for (i, _) in text.match_indices(word) {
                let after = &text[i + word.len()..];
                let skip: usize = after
                    .char_indices()
                    .take_while(|(_, c)| {
                        !c.is_ascii_digit() && !matches!(c, '，' | '。' | '；' | '、')
                    })
                    .map(|(_, c)| c.len_utf8())
                    .sum();
                let digits: String = after[skip..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let rest = &after[skip + digits.len()..];
                if digits.is_empty() || skip > 9 || !units.iter().any(|u| rest.starts_with(u)) {
                    continue;
                }
                let written: u64 = digits.parse().unwrap_or(0);
                // "购置车辆0辆" is this year's purchase, not the stock.
                if written == want || text[..i].ends_with("购置") {
                    continue;
                }
                let len = word.len() + skip + digits.len();
                let quote = &text[i..i + len];
                diags.push(Diagnostic::warning(
                    "R13",
                    Some(locate(&diags.source, &span, text, i, len)),
                    text!(
                        "“{quote}”：国有资产表中为 {want}",
                        "\"{quote}\": the fixed-assets table says {want}"
                    ),
                ));
            }
        }
    }
}

/// R13 on a sentence about 绩效目标 (`…绩效目标…涉及项目5个、资金120.00万元`):
/// the number of projects and their money agree with the 项目支出绩效目标表.
fn performance(
    sentence: &str,
    p: &ProjectsView,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    if !sentence.contains("绩效目标") {
        return;
    }
    // "项目5个" or "5个项目".
    let mut count: Option<(usize, usize, u64)> = None;
    for (i, c) in sentence.char_indices() {
        if !c.is_ascii_digit() || sentence[..i].ends_with(|c: char| c.is_ascii_digit() || c == '.')
        {
            continue;
        }
        let digits: String = sentence[i..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let after = &sentence[i + digits.len()..];
        let before_says = sentence[..i].ends_with("项目");
        if after.starts_with("个项目") || (before_says && after.starts_with('个')) {
            let from = if before_says { i - "项目".len() } else { i };
            let len = i
                + digits.len()
                + if before_says {
                    '个'.len_utf8()
                } else {
                    "个项目".len()
                }
                - from;
            count = Some((from, len, digits.parse().unwrap_or(0)));
            break;
        }
    }
    if let Some((at, len, n)) = count
        && n != p.count as u64
    {
        let (quote, want) = (&sentence[at..at + len], p.count);
        report(
            at,
            len,
            text!(
                "“{quote}”：项目支出绩效目标表列出 {want} 个项目",
                "\"{quote}\": the 绩效目标 tables list {want} projects"
            ),
        );
    }
    // The money it covers: the first amount after 涉及 / 资金.
    let Some(from) = ["涉及", "资金"]
        .iter()
        .filter_map(|w| sentence.find(w).map(|i| i + w.len()))
        .min()
    else {
        return;
    };
    let Some(f) = written_figures(&sentence[from..])
        .into_iter()
        .find(|f| f.unit != "%")
    else {
        return;
    };
    let factor = yuan_per(f.unit);
    if (f.value * factor - p.total.yuan).abs() > factor * Decimal::new(5, f.places + 1) {
        let (quote, want) = (&sentence[from + f.at..from + f.at + f.len], &p.total.text);
        report(
            from + f.at,
            f.len,
            text!(
                "“{quote}”：项目支出绩效目标表合计 {want} 万元",
                "\"{quote}\": the 绩效目标 tables total {want} 万元"
            ),
        );
    }
}

/// The ways a sentence per 项 quotes its line (`sentence = …`).
pub const SENTENCES: &[(&[&str], &str)] = &[
    (&["quoted", "（类）（款）（项）"], "quoted"),
    (&["dash", "类-款-项"], "dash"),
    (&["code", "（编码）"], "code"),
    (&["codes", "（类）（款）（项）编码"], "codes"),
];

/// Placeholders a template leaves for the writer to fill.
const LEFTOVERS: &[&str] = &[
    "XX万元",
    "xx万元",
    "XX元",
    "××",
    "待填写",
    "待补充",
    "（略）",
    "(略)",
    "……",
];

/// What a reviewer sends back before reading a figure (rule `text`,
/// warnings): a template's placeholders left in, doubled or mixed
/// punctuation, 元 and 万元 in one sentence, the document calling itself
/// both 部门预算 and 单位预算, a paragraph printed twice.
fn review(file: &BudgetFile, diags: &mut Diagnostics) {
    let mut found: Vec<(Range<usize>, crate::diag::Text)> = vec![];
    let mut seen: Vec<(String, Range<usize>)> = vec![];
    let mut names: Vec<(&str, Range<usize>)> = vec![];
    for s in &file.section {
        let Some(t) = &s.get_ref().text else { continue };
        let (text, span) = (t.get_ref().as_str(), t.span());
        let at = |i: usize, len: usize| locate(&diags.source, &span, text, i, len);
        for word in LEFTOVERS {
            if let Some(i) = text.find(word) {
                found.push((
                    at(i, word.len()),
                    text!(
                        "“{word}”：模板中待填写的内容还留在文中",
                        "\"{word}\": a template's placeholder is still in the text"
                    ),
                ));
            }
        }
        for pair in ["。。", "，，", "；；", "，。", "。，", "、、", "：："] {
            if let Some(i) = text.find(pair) {
                found.push((
                    at(i, pair.len()),
                    text!("“{pair}”：标点重复", "\"{pair}\": doubled punctuation"),
                ));
            }
        }
        for (start, sentence) in sentences(text) {
            let figures = written_figures(sentence);
            let units: Vec<&str> = figures
                .iter()
                .map(|f| f.unit)
                .filter(|u| *u != "%")
                .collect();
            if units.contains(&"元") && units.contains(&"万元") {
                let f = figures.iter().find(|f| f.unit == "元").expect("one is 元");
                let quote = &sentence[f.at..f.at + f.len];
                let place = at(start + f.at, f.len);
                // R13 has named this figure already (`单位应为万元？`): once is enough.
                if diags.items.iter().any(|d| {
                    d.rule == "R13" && d.span.as_ref().is_some_and(|s| s.contains(&place.start))
                }) {
                    continue;
                }
                found.push((
                    place,
                    text!(
                        "“{quote}”：同一句中既有元又有万元，请统一单位",
                        "\"{quote}\": 元 and 万元 in one sentence; use one unit"
                    ),
                ));
            }
        }
        for word in ["部门预算", "单位预算"] {
            // "所属事业单位预算" names a unit's budget inside the department's,
            // not the document: only a 单位预算 that stands alone counts.
            let found = text.match_indices(word).find(|(i, _)| {
                word != "单位预算"
                    || !["事业", "所属", "机关"]
                        .iter()
                        .any(|p| text[..*i].ends_with(p))
            });
            if let Some((i, _)) = found {
                names.push((word, at(i, word.len())));
            }
        }
        // Repeated paragraphs, a run of them reported once: (place, first's line, count).
        let mut repeats: Vec<(Range<usize>, usize, usize)> = vec![];
        let mut cursor = 0;
        let mut previous_repeated = false;
        // The short paragraph (a sub-heading) before each, and before the
        // first of each long one: a lead sentence written again under
        // another sub-heading is deliberate, not printed twice.
        let mut heading: Option<String> = None;
        let mut heading_of: Vec<(String, Option<String>)> = vec![];
        for p in paragraphs(text) {
            let p = p.trim();
            let Some(i) = text[cursor..].find(p).map(|i| cursor + i) else {
                continue;
            };
            cursor = i + p.len();
            if p.chars().count() < 30 {
                heading = Some(p.to_string());
                continue;
            }
            let under = heading.take();
            let first_under = heading_of
                .iter()
                .find(|(q, _)| q == p)
                .map(|(_, h)| h.clone());
            if first_under.is_none() {
                heading_of.push((p.to_string(), under.clone()));
            }
            if let (Some(Some(a)), Some(b)) = (&first_under, &under)
                && a != b
            {
                previous_repeated = false;
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(q, _)| q == p) {
                match repeats.last_mut() {
                    Some(run) if previous_repeated => run.2 += 1,
                    _ => repeats.push((at(i, p.len()), diags.line_col(first.start).0, 1)),
                }
                previous_repeated = true;
            } else {
                seen.push((p.to_string(), at(i, p.len())));
                previous_repeated = false;
            }
        }
        for (place, line, n) in repeats {
            found.push((
                place,
                if n == 1 {
                    text!(
                        "这一段与第 {line} 行的一段相同：重复印了两次",
                        "this paragraph is the same as the one on line {line}: printed twice"
                    )
                } else {
                    text!(
                        "从这一段起的 {n} 段与第 {line} 行起的各段相同：重复印了两次",
                        "the {n} paragraphs from here repeat those from line {line}: printed twice"
                    )
                },
            ));
        }
    }
    for s in &file.section {
        let Some(t) = &s.get_ref().text else { continue };
        // A section that generates its per-line sentences gives the reasons there.
        if s.get_ref().generate.is_some() {
            continue;
        }
        let (text, span) = (t.get_ref().as_str(), t.span());
        for (start, block) in blocks(text) {
            if let Some((i, word)) = change_without_reason(block) {
                found.push((
                    locate(&diags.source, &span, text, start + i, word.len()),
                    text!(
                        "“{word}”：这一段说了与上年相比的增减，却没有说明原因（主要原因是……）",
                        "\"{word}\": this paragraph gives a change against last year but no reason for it (主要原因是……)"
                    ),
                ));
            }
        }
    }
    if let (Some((a, _)), Some((b, span))) = (
        names.iter().find(|(w, _)| *w == "部门预算"),
        names.iter().find(|(w, _)| *w == "单位预算"),
    ) {
        found.push((
            span.clone(),
            text!(
                "文中既称“{a}”又称“{b}”：同一份文件请用同一个名称",
                "the text calls itself both \"{a}\" and \"{b}\": one document, one name"
            ),
        ));
    }
    for (span, message) in found {
        diags.push(Diagnostic::warning("text", Some(span), message));
    }
}

/// Income by source and spending by 类, with their shares of `total` (元).
fn structure(budget: &Budget, style: Style, total: Decimal) -> Structure {
    let shares = |mut parts: Vec<(String, Decimal)>| -> Vec<Share> {
        parts.retain(|(_, v)| !v.is_zero());
        parts.sort_by_key(|p| std::cmp::Reverse(p.1));
        let largest = parts.first().map_or(Decimal::ONE, |p| p.1);
        parts
            .into_iter()
            .map(|(name, v)| Share {
                name,
                amount: figure(v, None, style).text,
                percent: crate::domain::format_amount(
                    round(v / total.max(Decimal::ONE) * Decimal::ONE_HUNDRED, 2),
                    2,
                    false,
                    "0.00",
                ),
                // A bar's length only: a drawing, not an amount.
                bar: f64::try_from(v / largest).unwrap_or(0.0),
            })
            .collect()
    };
    let mut by_source: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut by_class: BTreeMap<String, Decimal> = BTreeMap::new();
    for f in budget.facts.iter().filter(|f| f.spending()) {
        let code = f.function.as_deref().unwrap_or_default();
        *by_source.entry(f.source.label()).or_default() += f.amount;
        *by_class.entry(code[..3].to_string()).or_default() += f.amount;
    }
    Structure {
        income: shares(
            by_source
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
        spending: shares(
            by_class
                .into_iter()
                .map(|(code, v)| (budget.names.get(&code).cloned().unwrap_or(code), v))
                .collect(),
        ),
    }
}

fn table_view(t: &SectionTable) -> SectionTableView {
    SectionTableView {
        caption: t.caption.clone(),
        header: t.header.clone(),
        rows: t.rows.clone(),
    }
}

/// Paragraphs: blocks separated by blank lines; lines inside a block joined.
/// The paragraphs of `text` (separated by blank lines) with their offsets.
fn blocks(text: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut start = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push((s, &text[s..end]));
            }
        } else {
            start.get_or_insert(offset);
            end = offset + line.trim_end().len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push((s, &text[s..end]));
    }
    out
}

/// A paragraph that compares with last year and says the figure rose or
/// fell, with no reason anywhere in it: the direction word and its offset.
fn change_without_reason(block: &str) -> Option<(usize, &'static str)> {
    const AGAINST: [&str; 6] = ["比上年", "较上年", "与上年", "同比", "比20", "较20"];
    const REASONS: [&str; 4] = ["原因", "由于", "因为", "主要是"];
    if !AGAINST.iter().any(|w| block.contains(w)) || REASONS.iter().any(|w| block.contains(w)) {
        return None;
    }
    // The change a comparison states follows it ("坚持稳增长，…比上年增加" is
    // the 增加, not the slogan's 增长).
    let against = AGAINST.iter().filter_map(|w| block.find(w)).min()?;
    ["增加", "减少", "增长", "下降", "上升"]
        .iter()
        .filter_map(|w| block[against..].find(w).map(|i| (against + i, *w)))
        .min()
}

fn paragraphs(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// An amount in 元 as a narrative figure in 万元, with its change from
/// `previous` (in 元). The percentage is computed once, from the exact
/// figures, and rounded half away from zero to 2 decimals; the difference is
/// that of the two printed figures, so the printed sentence adds up.
pub fn figure(yuan: Decimal, previous: Option<Decimal>, style: Style) -> Fig {
    let wan = |v: Decimal| round(v / Decimal::from(10_000), 2);
    let text = |v: Decimal| crate::domain::format_amount(v, 2, style.separators, "0.00");
    let change = previous.map(|p| {
        let diff = wan(yuan) - wan(p);
        let direction = if diff.is_zero() {
            "持平"
        } else if diff.is_sign_positive() {
            "增加"
        } else {
            "减少"
        };
        let pct = |delta: Decimal, base: Decimal| {
            (!base.is_zero() && !diff.is_zero()).then(|| {
                let pct = round(delta.abs() / base.abs() * Decimal::ONE_HUNDRED, 2);
                crate::domain::format_amount(pct, 2, false, "0.00")
            })
        };
        Change {
            direction,
            amount: text(diff.abs()),
            percent: pct(diff, wan(p)),
            percent_exact: pct(yuan - p, p),
            last_year: text(wan(p)),
        }
    });
    Fig {
        text: text(wan(yuan)),
        zero: wan(yuan).is_zero(),
        change,
        yuan,
        budget: None,
        planned: None,
    }
}

/// The 三公 figure of row `key` as its table prints it where the file
/// declares it (a 决算's 合计 rounded from 元): the declared cell of a
/// column of this year's spending, when the region adds no rows of its own.
fn printed_sangong(
    budget: &Budget,
    printed: &[crate::compute::Printed],
    key: &str,
) -> Option<Decimal> {
    let spec = budget
        .declared_profile
        .tables
        .iter()
        .find(|t| t.id == "sangong")?;
    if budget.sangong.as_ref().is_some_and(|s| !s.extra.is_empty()) {
        return None;
    }
    let rows: &[&str] = match key {
        "小计" => &["", "合计", "小计"],
        other => &[other],
    };
    printed
        .iter()
        .filter(|p| p.table == "sangong" && rows.contains(&p.row.as_str()))
        .find(|p| {
            spec.columns.iter().any(|c| {
                c.key == p.column
                    && !c.budgeted
                    && c.flow == crate::records::Flow::Spending
                    && matches!(&c.measure, crate::tables::Measure::Lines(_, kinds) if !kinds.contains(&crate::domain::Kind::LastYear))
            })
        })
        .map(|p| p.yuan)
}

/// `f` with its 决算 budget `b` (in 元): the budget printed and the rate.
fn with_budget(mut f: Fig, b: Option<Decimal>, style: Style) -> Fig {
    f.budget = b;
    f.planned = b.map(|b| Planned {
        text: figure(b, None, style).text,
        rate: (!b.is_zero()).then(|| {
            let pct = round(f.yuan / b * Decimal::ONE_HUNDRED, 2);
            crate::domain::format_amount(pct, 2, false, "0.00")
        }),
    });
    f
}

/// One entry per 项 code of 财政拨款 money, with the names of its 类 and 款:
/// its lines (one per fund) summed, last year's figure where any line gives one.
fn line_views(budget: &Budget, style: Style) -> Vec<LineView> {
    // code → (name, this year, last year, 主要用于, 原因, a 决算's budget)
    type Entry<'a> = (
        &'a str,
        Decimal,
        Option<Decimal>,
        Option<String>,
        Option<String>,
        Option<Decimal>,
    );
    let mut by_code: BTreeMap<&str, Entry> = BTreeMap::new();
    // The money from the ledger; the name and the sentences from the lines.
    for f in budget.facts.iter().filter(|f| f.source.is_fiscal()) {
        let Some(code) = f.function.as_deref() else {
            continue;
        };
        let e = by_code
            .entry(code)
            .or_insert_with(|| ("", Decimal::ZERO, None, None, None, None));
        if f.last_year {
            e.2 = Some(e.2.unwrap_or_default() + f.amount);
        } else if f.spending() {
            e.1 += f.amount;
        } else if f.budgeted && f.detail.is_none() && f.flow == crate::records::Flow::Spending {
            e.5 = Some(e.5.unwrap_or_default() + f.amount);
        }
    }
    for l in budget.lines.iter().filter(|l| l.source.is_fiscal()) {
        let Some(e) = by_code.get_mut(l.code.as_str()) else {
            continue;
        };
        if e.0.is_empty() {
            e.0 = &l.name;
        }
        if e.3.is_none() {
            e.3.clone_from(&l.uses);
        }
        if e.4.is_none() {
            e.4.clone_from(&l.reason);
        }
    }
    by_code
        .into_iter()
        .map(|(code, (name, amount, last, uses, reason, planned))| {
            let name_of = |c: &str| budget.names.get(c).cloned().unwrap_or_default();
            LineView {
                class: name_of(&code[..3]),
                kuan: name_of(&code[..5]),
                name: name.to_string(),
                // In a 部门决算, with its 财政拨款 budget (年初预算数).
                amount: with_budget(figure(amount, last, style), planned, style),
                uses,
                reason,
                code: code.to_string(),
            }
        })
        .collect()
}

/// The 政府采购 by category of a list table every row of which names one
/// (`A-货物`, `B-工程`, `C-服务`, or the words): 货物, 工程 and 服务 in 元.
fn categories_in_lists(file: &BudgetFile, to_yuan: Decimal) -> Option<[Decimal; 3]> {
    use crate::model::ListCell;
    let class = |t: &str| {
        let t = t.trim();
        let coded = |c: char| {
            t.starts_with(c)
                && t[c.len_utf8()..]
                    .starts_with(|n: char| n == '-' || n == '－' || n.is_ascii_digit())
        };
        // Coded (A-货物, A02010104) or the word alone: a list of 法律服务,
        // 信息服务… is 政府购买服务, not 政府采购 by category.
        let word = |w: &str| t == w || t == format!("{w}类");
        if coded('A') || word("货物") {
            Some(0)
        } else if coded('B') || word("工程") {
            Some(1)
        } else if coded('C') || word("服务") {
            Some(2)
        } else {
            None
        }
    };
    file.list.values().find_map(|rows| {
        let mut sums = [Decimal::ZERO; 3];
        for row in rows {
            let cells = row.get_ref();
            let texts: Vec<&str> = cells
                .values()
                .filter_map(|c| match c.get_ref() {
                    ListCell::Text(t) if t.parse::<Decimal>().is_err() => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            let amounts: Vec<Decimal> = cells
                .iter()
                .filter_map(|(k, c)| match c.get_ref() {
                    ListCell::Amount(m) if k == "amount" || cells.len() == 2 => Some(m.0),
                    _ => None,
                })
                .collect();
            let ([text], [amount]) = (texts.as_slice(), amounts.as_slice()) else {
                return None;
            };
            sums[class(text)?] += *amount * to_yuan;
        }
        (!rows.is_empty()).then_some(sums)
    })
}

fn procurement(file: &BudgetFile, style: Style, to_yuan: Decimal) -> Option<Procurement> {
    let unit = file.department.get_ref().name.get_ref().trim().to_string();
    if file.procurement.is_empty() {
        return None;
    }
    let money = |m: &Option<toml::Spanned<Money>>| m.as_ref().map(|m| m.get_ref().0 * to_yuan);
    let plain = |m: &Option<toml::Spanned<Money>>| {
        m.as_ref()
            .map(|m| m.get_ref().0.normalize().to_string())
            .unwrap_or_default()
    };
    let wan = |v: Option<Decimal>| v.map(|v| figure(v, None, style).text).unwrap_or_default();
    let mut kinds = [Decimal::ZERO; 3];
    let mut sme = Decimal::ZERO;
    let mut groups: Vec<PurchaseGroup> = vec![];
    for p in &file.procurement {
        let p = p.get_ref();
        let amount = p.amount.get_ref().0 * to_yuan;
        let kind = match p.kind.as_ref().map(|k| k.get_ref().trim()) {
            Some("工程") => 1,
            Some("服务") => 2,
            _ => 0,
        };
        kinds[kind] += amount;
        sme += money(&p.sme).unwrap_or_default();
        let view = PurchaseView {
            item: p.item.clone(),
            catalogue_code: p.catalogue_code.clone().unwrap_or_default(),
            unit: p.unit.clone().unwrap_or_default(),
            quantity: plain(&p.quantity),
            price: wan(money(&p.price)),
            amount: wan(Some(amount)),
            sme: wan(money(&p.sme)),
        };
        match groups.iter_mut().find(|g| g.name == p.project) {
            Some(g) => g.items.push(view),
            None => groups.push(PurchaseGroup {
                name: p.project.clone(),
                budget: wan(money(&p.project_budget)),
                items: vec![view],
            }),
        }
    }
    let f = |v: Decimal| figure(v, None, style);
    Some(Procurement {
        unit,
        total: f(kinds.iter().sum()),
        goods: f(kinds[0]),
        works: f(kinds[1]),
        services: f(kinds[2]),
        sme: f(sme),
        projects: groups,
    })
}

/// Where `text[at..at + len]` is in the file: its same occurrence in the
/// file's slice at `span` when the text is written without escapes, else
/// the whole value.
fn locate(source: &str, span: &Range<usize>, text: &str, at: usize, len: usize) -> Range<usize> {
    let slice = source.get(span.clone()).unwrap_or("");
    let needle = &text[at..(at + len).min(text.len())];
    if needle.is_empty() {
        return span.clone();
    }
    let nth = text[..at].matches(needle).count();
    match slice.match_indices(needle).nth(nth) {
        Some((i, _)) => span.start + i..span.start + i + needle.len(),
        None => span.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> Style {
        Style {
            separators: false,
            zero: "",
            decimals: 2,
            row_numbers: true,
            column_numbers: true,
            table_label: "",
            unit_label: "",
        }
    }

    fn change(now: i64, before: i64) -> (String, &'static str, String, Option<String>) {
        let f = figure(Decimal::from(now), Some(Decimal::from(before)), style());
        let c = f.change.unwrap();
        (f.text, c.direction, c.amount, c.percent)
    }

    #[test]
    fn a_percentage_is_computed_from_the_printed_figures() {
        // 12.0005 万元 prints 12.00 against 10.00: a reader computes 2.00 ÷
        // 10.00 = 20.00 %; the exact 元 give 20.005 % → 20.01 %, also accepted.
        let f = figure(
            Decimal::from(120_005),
            Some(Decimal::from(100_000)),
            style(),
        );
        let c = f.change.unwrap();
        assert_eq!(c.percent.as_deref(), Some("20.00"));
        assert_eq!(c.percent_exact.as_deref(), Some("20.01"));
    }

    #[test]
    fn changes_have_a_direction_an_amount_and_a_percentage_once() {
        // 5,464.38 万元 against 4,085.36: +1,379.02, +33.76 % (1379.02 / 4085.36 = 0.337555…).
        assert_eq!(
            change(54_643_800, 40_853_600),
            (
                "5464.38".into(),
                "增加",
                "1379.02".into(),
                Some("33.76".into())
            )
        );
        assert_eq!(
            change(40_853_600, 54_643_800),
            (
                "4085.36".into(),
                "减少",
                "1379.02".into(),
                Some("25.24".into())
            )
        );
        assert_eq!(
            change(30_000, 30_000),
            ("3.00".into(), "持平", "0.00".into(), None)
        );
        // From zero: no percentage.
        assert_eq!(
            change(30_000, 0),
            ("3.00".into(), "增加", "3.00".into(), None)
        );
    }
}
