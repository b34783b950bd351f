//! 项目支出绩效目标表: projects validated and computed into one report that
//! the three layouts (list, card, sheet) print their own way.
//!
//! Unit subtotals and the 合计 row are computed; declared ones are checked.
//! Indicator levels are normalised to the codes of formats.md §3.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};
pub use crate::domain::Layout;
use crate::model::{BudgetFile, Money, ProjectAmounts};
use crate::reconcile::Checker;
use crate::text;
use crate::validate::{Unit, choose};

/// 一级 indicators: (code, name). 成本指标 is the 2021 national framework's
/// fourth (经济/社会/生态环境成本指标), as seed 006 prints it.
pub const LEVEL1: &[(&str, &str)] = &[
    ("1", "产出指标"),
    ("2", "效益指标"),
    ("3", "满意度指标"),
    ("4", "成本指标"),
];

/// 指标性质 of the 2021 framework, with the spellings accepted: (printed, accepted).
pub const NATURES: &[(&str, &[&str])] = &[
    ("＝", &["＝", "=", "等于"]),
    ("≥", &["≥", ">=", "＞＝", "大于等于"]),
    ("≤", &["≤", "<=", "＜＝", "小于等于"]),
    ("定性", &["定性"]),
];

/// 二级 indicators: (code, list name, card/sheet name, sheet mark).
pub const LEVEL2: &[(&str, &str, &str, &str)] = &[
    ("11", "数量指标", "数量指标", "（必填硬性指标）"),
    ("12", "质量指标", "质量指标", "（必填）"),
    ("13", "时效指标", "时效指标", "（必填）"),
    ("14", "成本指标", "成本指标", "（必填硬性指标）"),
    ("21", "经济效益", "经济效益指标", ""),
    ("22", "社会效益", "社会效益指标", "（必填）"),
    ("23", "生态效益", "生态效益指标", ""),
    ("24", "可持续影响", "可持续影响指标", "（必填）"),
    ("31", "服务对象满意度", "服务对象满意度指标", "（必填）"),
    ("41", "经济成本", "经济成本指标", ""),
    ("42", "社会成本", "社会成本指标", ""),
    ("43", "生态环境成本", "生态环境成本指标", ""),
];

/// Finds the 一级 code of a name or code ("产出指标", "产出", "1", "1-产出指标").
pub fn level1_code(s: &str) -> Option<&'static str> {
    let s = strip_code_prefix(s.trim());
    LEVEL1
        .iter()
        .find(|(c, n)| s == *c || s == *n || s == n.trim_end_matches("指标"))
        .map(|(c, _)| *c)
}

/// Finds the 二级 code of a name or code ("数量指标", "11", "经济效益指标", "22-社会效益").
pub fn level2_code(s: &str) -> Option<&'static str> {
    let s = strip_code_prefix(s.trim());
    let s = s.split('（').next().unwrap_or(s).trim();
    LEVEL2
        .iter()
        .find(|(c, list, card, _)| {
            s == *c || s == *list || s == *card || s == list.trim_end_matches("指标")
        })
        .map(|(c, ..)| *c)
}

/// "11-数量指标" → "数量指标" (also a doubled prefix such as "3-1-产出指标"); "11" stays "11".
fn strip_code_prefix(mut s: &str) -> &str {
    while let Some((code, rest)) = s.split_once('-') {
        if code.is_empty() || !code.trim().chars().all(|c| c.is_ascii_digit()) {
            break;
        }
        s = rest.trim();
    }
    s
}

/// Project amounts in one unit: total and its parts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Amounts {
    /// 总计.
    pub total: Decimal,
    /// 财政拨款.
    pub fiscal: Decimal,
    /// 财政专户拨款.
    pub special_account: Decimal,
    /// 其他资金.
    pub other: Decimal,
    /// 财政资金 (card) / 财政拨款 (sheet): fiscal + special_account.
    pub financial: Decimal,
}

impl Amounts {
    fn new(fiscal: Decimal, special_account: Decimal, other: Decimal) -> Amounts {
        Amounts {
            total: fiscal + special_account + other,
            fiscal,
            special_account,
            other,
            financial: fiscal + special_account,
        }
    }

    fn add(&mut self, o: &Amounts) {
        self.total += o.total;
        self.fiscal += o.fiscal;
        self.special_account += o.special_account;
        self.other += o.other;
        self.financial += o.financial;
    }

    fn scaled(&self, k: Decimal) -> Amounts {
        Amounts::new(self.fiscal * k, self.special_account * k, self.other * k)
    }
}

/// One indicator, normalised, with the spans the grid layouts need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorView {
    /// 一级 code, "1".
    pub level1_code: String,
    /// 一级 name, "产出指标".
    pub level1: String,
    /// 二级 code, "11".
    pub level2_code: String,
    /// 二级 name as the list prints it, "经济效益".
    pub level2: String,
    /// 二级 name as card and sheet print it, "经济效益指标".
    pub level2_card: String,
    /// 二级 name with the sheet's 必填 mark, "数量指标（必填硬性指标）".
    pub level2_sheet: String,
    /// 三级 name.
    pub name: String,
    /// 绩效指标描述.
    pub description: String,
    /// 指标值 / 年度指标值.
    pub value: String,
    /// 实施周期指标值.
    pub period_value: String,
    /// 指标值确定依据.
    pub basis: String,
    /// 指标性质 as printed (＝, ≥, ≤, 定性), or "".
    pub nature: String,
    /// 度量单位 (万元, %, 个…), or "".
    pub measure_unit: String,
    /// 权重 (a number as written), or "".
    pub weight: String,
    /// Rows the 一级 cell spans from here (0: covered by an earlier row).
    pub level1_span: usize,
    /// Rows the 二级 cell spans from here (0: covered by an earlier row).
    pub level2_span: usize,
}

/// One project as every layout sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    /// 1-based number in file order.
    pub number: usize,
    /// 项目编码 (a 子项目 shares its parent's).
    pub code: String,
    /// Whether it is a 子项目 of the project before it with its code.
    pub subproject: bool,
    /// 项目名称.
    pub name: String,
    /// 资金使用单位.
    pub unit: String,
    /// Amounts in the printing unit.
    pub amounts: Amounts,
    /// Amounts in 元 (the sheet layout).
    pub yuan: Amounts,
    /// 资金用途.
    pub purpose: String,
    /// 资金支出计划 as printed: ["25%", "50%", "75%", "100%"], or empty.
    pub plan: Vec<String>,
    /// 绩效目标.
    pub goal: String,
    /// 主管部门 (default: the department).
    pub supervisor: String,
    /// 主管部门代码, e.g. "074" (the sheet prints `【074】…`), or empty.
    pub supervisor_code: String,
    /// 实施单位 (default: the unit).
    pub implementer: String,
    /// 实施单位代码, e.g. "074001", or empty.
    pub implementer_code: String,
    /// 项目属性.
    pub attribute: String,
    /// 项目期.
    pub period: String,
    /// Indicators in file order.
    pub indicators: Vec<IndicatorView>,
}

/// A 资金使用单位 with its computed subtotal and its projects.
#[derive(Debug, Clone, Serialize)]
pub struct UnitGroup {
    /// Name.
    pub name: String,
    /// Σ of its projects, printing unit.
    pub amounts: Amounts,
    /// Its projects.
    pub projects: Vec<ProjectView>,
}

/// Everything the project layouts print.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectReport {
    /// Chosen layout.
    pub layout: Layout,
    /// Title of the list table.
    pub title: String,
    /// 部门名称.
    pub department: String,
    /// Heading printed before the project tables, if any.
    pub heading: Option<String>,
    /// Budget year.
    pub year: i32,
    /// Printing unit of `amounts` ("万元").
    pub unit: Unit,
    /// Separators of the list's flattened 绩效指标 cell: "ascii" (`,` `;`) or
    /// "fullwidth" (`；` `。`); the list template writes the cell.
    pub indicator_style: &'static str,
    /// 合计 of all projects.
    pub total: Amounts,
    /// Projects grouped by unit, units in order of first appearance.
    pub units: Vec<UnitGroup>,
    /// All projects in file order.
    pub projects: Vec<ProjectView>,
}

/// Validates and computes the projects of `file`; `None` when it has none.
/// `scale` converts typed amounts to the printing unit; `unit` is that unit.
pub fn compute(
    file: &BudgetFile,
    scale: Decimal,
    unit: Unit,
    layout_override: Option<Layout>,
    diags: &mut Diagnostics,
) -> Option<ProjectReport> {
    if file.project.is_empty() {
        return None;
    }
    let dept = file.department.get_ref();
    let dept_name = dept.name.get_ref().trim().to_string();
    let year = *dept.year.get_ref();
    let cfg = &file.projects;
    let layout = layout_override.unwrap_or_else(|| match &cfg.layout {
        None => Layout::List,
        Some(s) => choose(
            diags,
            "layout",
            s,
            &[
                (&["list"], Layout::List),
                (&["card"], Layout::Card),
                (&["sheet"], Layout::Sheet),
            ],
            Layout::List,
        ),
    });
    let fullwidth = cfg.indicator_style.as_ref().is_some_and(|s| {
        choose(
            diags,
            "indicator_style",
            s,
            &[(&["ascii"], false), (&["fullwidth"], true)],
            false,
        )
    });
    let to_yuan = unit.yuan();
    let amt =
        |m: &Option<Spanned<Money>>| m.as_ref().map_or(Decimal::ZERO, |m| m.get_ref().0 * scale);

    // Amounts typed in 万元 were rounded from 元 by the budget system; 元 are exact.
    let rounded = crate::validate::input_unit(file).rounds_typed_amounts();
    let mut projects = vec![];
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    // In a partial list a 子项目 may print without its parent: its money then
    // counts (no parent carries it), and its siblings' too.
    let partial = file
        .projects
        .listed
        .as_ref()
        .is_some_and(|l| l.get_ref().trim() == "partial");
    let mut orphans: Vec<bool> = vec![false; file.project.len()];
    for (i, item) in file.project.iter().enumerate() {
        let code = item.get_ref().code.as_deref().map_or("", str::trim);
        if item.get_ref().subproject && !codes.contains_key(code) && partial {
            orphans[i] = true;
        } else if item.get_ref().subproject && !codes.contains_key(code) {
            diags.push(Diagnostic::error(
                "duplicate",
                Some(item.span()),
                text!(
                    "子项目（subproject = true）的项目编码 \"{code}\" 必须与它前面的某个项目（它的上级项目）相同",
                    "a 子项目 (subproject = true) shares the 项目编码 \"{code}\" of a project before it (its parent), and none has it"
                ),
            ));
        }
        if !code.is_empty() && !item.get_ref().subproject {
            if let Some(first) = codes.get(code) {
                let (line, _) = diags.line_col(file.project[*first].span().start);
                diags.push(Diagnostic::error(
                    "duplicate",
                    Some(item.span()),
                    text!(
                        "项目编码 {code} 已被第 {line} 行的项目使用；每个项目有自己的编码",
                        "项目编码 {code} is already used by the project on line {line}; each project has its own code"
                    ),
                ));
            } else {
                codes.insert(code.to_string(), i);
            }
        }
        let p = item.get_ref();
        let name = p.name.get_ref().trim().to_string();
        if name.is_empty() {
            diags.push(Diagnostic::error(
                "empty",
                Some(p.name.span()),
                text!("项目名称为空", "the project name is empty"),
            ));
        }
        crate::validate::check_amounts(
            diags,
            crate::validate::input_decimals(file),
            [&p.fiscal, &p.special_account, &p.other, &p.total],
        );
        let amounts = Amounts::new(amt(&p.fiscal), amt(&p.special_account), amt(&p.other));
        if let Some(t) = &p.total {
            let mut ck = Checker::new(diags, 2, rounded);
            ck.equal(
                "project-total",
                Some(t.span()),
                text!("项目 {name} 总计：申报", "项目 {name} 总计"),
                t.get_ref().0 * scale,
                text!(
                    "财政拨款 + 财政专户拨款 + 其他资金 之和",
                    "财政拨款 + 财政专户拨款 + 其他资金 sum to"
                ),
                amounts.total,
                3,
            );
        }
        check_period(p.period.as_deref(), year, &name, item.span(), diags);
        let plan = check_plan(p.plan.as_ref(), &name, diags);
        let indicators = indicators(&p.indicator, &name, diags);
        let unit_name = p
            .unit
            .as_ref()
            .map_or_else(|| dept_name.clone(), |u| u.get_ref().trim().to_string());
        let trimmed = |s: &Option<String>| s.as_deref().map_or("", str::trim).to_string();
        let supervisor = p.supervisor.clone().unwrap_or_else(|| dept_name.clone());
        let implementer = p.implementer.clone().unwrap_or_else(|| unit_name.clone());
        projects.push(ProjectView {
            number: i + 1,
            code: p.code.clone().unwrap_or_default().trim().to_string(),
            subproject: p.subproject,
            name,
            unit: unit_name,
            yuan: amounts.scaled(to_yuan),
            amounts,
            purpose: p.purpose.clone().unwrap_or_default(),
            plan,
            goal: p.goal.clone().unwrap_or_default(),
            supervisor,
            supervisor_code: trimmed(&p.supervisor_code),
            implementer,
            implementer_code: trimmed(&p.implementer_code),
            attribute: p.attribute.clone().unwrap_or_default(),
            period: p.period.clone().unwrap_or_default(),
            indicators,
        });
    }

    // Units in order of first appearance: declared ones first, in their order.
    let mut units: Vec<UnitGroup> = vec![];
    for u in &file.units {
        let name = u.get_ref().name.trim().to_string();
        if !units.iter().any(|g| g.name == name) {
            units.push(UnitGroup {
                name,
                amounts: Amounts::default(),
                projects: vec![],
            });
        }
    }
    check_subprojects(&projects, file, rounded, diags);
    let mut total = Amounts::default();
    for (p, orphan) in projects.iter().zip(&orphans) {
        // A 子项目's money is in its parent's: printed, not summed again.
        let counted = !p.subproject || *orphan;
        if counted {
            total.add(&p.amounts);
        }
        let at = match units.iter().position(|g| g.name == p.unit) {
            Some(at) => at,
            None => {
                units.push(UnitGroup {
                    name: p.unit.clone(),
                    amounts: Amounts::default(),
                    projects: vec![],
                });
                units.len() - 1
            }
        };
        if counted {
            units[at].amounts.add(&p.amounts);
        }
        units[at].projects.push(p.clone());
    }
    for u in &file.units {
        let g = units
            .iter()
            .find(|g| g.name == u.get_ref().name.trim())
            .expect("added above");
        if g.projects.is_empty() {
            diags.push(Diagnostic::warning("funding-unit", Some(u.span()), {
                let name = &g.name;
                text!(
                    "资金使用单位 \"{name}\" 没有项目",
                    "资金使用单位 \"{name}\" has no projects"
                )
            }));
        }
        if let Some(d) = &u.get_ref().declared {
            check_declared(
                diags,
                &format!("资金使用单位 {}", g.name),
                d,
                &g.amounts,
                (g.projects.len(), scale, rounded),
            );
        }
    }
    if let Some(d) = &cfg.declared {
        check_declared(
            diags,
            "项目支出绩效目标表 合计",
            d,
            &total,
            (projects.len(), scale, rounded),
        );
    }

    let title = cfg
        .title
        .clone()
        .unwrap_or_else(|| format!("{dept_name} {year}年项目支出绩效目标表（含转移支付项目）"));
    Some(ProjectReport {
        layout,
        title,
        department: cfg.department.clone().unwrap_or(dept_name),
        heading: cfg.heading.clone(),
        year,
        unit,
        indicator_style: if fullwidth { "fullwidth" } else { "ascii" },
        total,
        units,
        projects,
    })
}

/// Declared amounts of a unit or of 合计 against the computed ones, and against each other.
fn check_declared(
    diags: &mut Diagnostics,
    what: &str,
    d: &Spanned<ProjectAmounts>,
    computed: &Amounts,
    (items, scale, rounded): (usize, Decimal, bool),
) {
    let a = d.get_ref();
    let mut ck = Checker::new(diags, 2, rounded);
    let cols = [
        ("总计", &a.total, computed.total),
        ("财政拨款", &a.fiscal, computed.fiscal),
        ("财政专户拨款", &a.special_account, computed.special_account),
        ("其他资金", &a.other, computed.other),
    ];
    for (col, declared, value) in &cols {
        if let Some(v) = declared {
            ck.equal(
                "project-subtotal",
                Some(v.span()),
                text!("{what} {col}：申报", "{what} {col}"),
                v.get_ref().0 * scale,
                text!("各项目合计", "its projects sum to"),
                *value,
                items,
            );
        }
    }
    if let Some(t) = &a.total {
        let parts: Vec<Decimal> = cols[1..]
            .iter()
            .filter_map(|c| c.1.as_ref().map(|v| v.get_ref().0 * scale))
            .collect();
        if !parts.is_empty() {
            let sum: Decimal = parts.iter().sum();
            ck.equal(
                "project-total",
                Some(t.span()),
                text!("{what} 总计：申报", "{what} 总计 (declared)"),
                t.get_ref().0 * scale,
                text!(
                    "财政拨款 + 财政专户拨款 + 其他资金（申报）之和",
                    "财政拨款 + 财政专户拨款 + 其他资金 (declared) sum to"
                ),
                sum,
                3,
            );
        }
    }
}

/// R17: the spending plan is cumulative, non-decreasing, and ends at 100%.
fn check_plan(
    plan: Option<&Spanned<Vec<Money>>>,
    project: &str,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let Some(plan) = plan else { return vec![] };
    let v: Vec<Decimal> = plan.get_ref().iter().map(|m| m.0).collect();
    let span = Some(plan.span());
    let shown = v
        .iter()
        .map(|d| format!("{}%", d.normalize()))
        .collect::<Vec<_>>();
    if v.len() != 4 {
        diags.push(Diagnostic::error(
            "R17",
            span,
            {
                let n = v.len();
                text!(
                    "项目 {project}：资金支出计划需要 4 个累计百分比（3月底、6月底、10月底、12月底），给了 {n} 个",
                    "项目 {project}: 资金支出计划 needs 4 cumulative percentages (3月底, 6月底, 10月底, 12月底), got {n}"
                )
            },
        ));
    } else if v
        .iter()
        .any(|d| d.is_sign_negative() || *d > Decimal::from(100))
    {
        diags.push(Diagnostic::error("R17", span, {
            let plan = shown.join(", ");
            text!(
                "项目 {project}：资金支出计划 {plan} 有超出 0–100% 的值",
                "项目 {project}: 资金支出计划 {plan} has a value outside 0–100%"
            )
        }));
    } else if v.windows(2).any(|w| w[1] < w[0]) {
        diags.push(Diagnostic::error("R17", span, {
            let plan = shown.join(", ");
            text!(
                "项目 {project}：资金支出计划 {plan} 出现下降；这些百分比是累计数",
                "项目 {project}: 资金支出计划 {plan} decreases; the percentages are cumulative"
            )
        }));
    } else if v[3] != Decimal::from(100) {
        diags.push(Diagnostic::error("R17", span, {
            let last = &shown[3];
            text!(
                "项目 {project}：资金支出计划止于 {last}，但到 12月底必须达到 100%",
                "项目 {project}: 资金支出计划 ends at {last} but must reach 100% by 12月底"
            )
        }));
    }
    shown
}

fn indicators(
    items: &[Spanned<crate::model::Indicator>],
    project: &str,
    diags: &mut Diagnostics,
) -> Vec<IndicatorView> {
    let mut out: Vec<IndicatorView> = vec![];
    for item in items {
        let i = item.get_ref();
        let l1 = level1_code(i.level1.get_ref());
        if l1.is_none() {
            let valid: Vec<String> = LEVEL1.iter().map(|(c, n)| format!("{n} ({c})")).collect();
            diags.push(Diagnostic::error("indicator", Some(i.level1.span()), {
                let (given, valid) = (i.level1.get_ref(), valid.join(", "));
                text!(
                    "未知的一级指标 \"{given}\"；可用：{valid}",
                    "一级指标 \"{given}\" is not known; valid: {valid}"
                )
            }));
        }
        let l2 = level2_code(i.level2.get_ref());
        if l2.is_none() {
            let valid: Vec<String> = LEVEL2
                .iter()
                .map(|(c, n, ..)| format!("{n} ({c})"))
                .collect();
            diags.push(Diagnostic::error("indicator", Some(i.level2.span()), {
                let (given, valid) = (i.level2.get_ref(), valid.join(", "));
                text!(
                    "未知的二级指标 \"{given}\"；可用：{valid}",
                    "二级指标 \"{given}\" is not known; valid: {valid}"
                )
            }));
        }
        let (Some(c1), Some(c2)) = (l1, l2) else {
            continue;
        };
        if !c2.starts_with(c1) {
            diags.push(Diagnostic::warning("indicator", Some(item.span()), {
                let (l2, right, given) = (name2(c2).1, name1(&c2[..1]), name1(c1));
                text!(
                    "项目 {project}：二级指标 {l2} 属于 {right}，不属于 {given}",
                    "项目 {project}: 二级指标 {l2} belongs under {right}, not {given}"
                )
            }));
        }
        let (_, list, card, mark) = name2(c2);
        let value = i.value.clone().unwrap_or_default();
        let nature = match &i.nature {
            Some(n) => match NATURES
                .iter()
                .find(|(_, names)| names.contains(&n.get_ref().trim()))
            {
                Some((printed, _)) => printed.to_string(),
                None => {
                    let given = n.get_ref();
                    diags.push(Diagnostic::error(
                        "indicator",
                        Some(n.span()),
                        text!(
                            "未知的指标性质 \"{given}\"；可用：＝、≥、≤、定性",
                            "指标性质 \"{given}\" is not known; valid: ＝, ≥, ≤, 定性"
                        ),
                    ));
                    String::new()
                }
            },
            None => String::new(),
        };
        out.push(IndicatorView {
            level1_code: c1.to_string(),
            level1: name1(c1).to_string(),
            level2_code: c2.to_string(),
            level2: list.to_string(),
            level2_card: card.to_string(),
            level2_sheet: format!("{card}{mark}"),
            name: i.name.trim().to_string(),
            description: i.description.clone().unwrap_or_default(),
            period_value: i.period_value.clone().unwrap_or_else(|| value.clone()),
            value,
            basis: i.basis.clone().unwrap_or_default(),
            nature,
            measure_unit: i
                .measure_unit
                .clone()
                .unwrap_or_default()
                .trim()
                .to_string(),
            weight: i
                .weight
                .as_ref()
                .map_or(String::new(), |w| w.get_ref().0.to_string()),
            level1_span: 0,
            level2_span: 0,
        });
    }
    for l in ["1", "2"] {
        // An unreadable level is reported already; "has no" would only repeat it.
        if !out.is_empty() && out.len() == items.len() && !out.iter().any(|i| i.level1_code == l) {
            diags.push(Diagnostic::warning("indicator", file_span(items), {
                let level = name1(l);
                text!(
                    "项目 {project} 没有{level}",
                    "项目 {project} has no {level}"
                )
            }));
        }
    }
    if items.is_empty() {
        diags.push(Diagnostic::warning(
            "indicator",
            None,
            text!(
                "项目 {project} 没有绩效指标",
                "项目 {project} has no indicators"
            ),
        ));
    }
    set_spans(&mut out);
    out
}

fn file_span(items: &[Spanned<crate::model::Indicator>]) -> Option<std::ops::Range<usize>> {
    items.first().map(|i| i.span())
}

fn name1(code: &str) -> &'static str {
    LEVEL1
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, n)| n)
}

fn name2(code: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    *LEVEL2
        .iter()
        .find(|(c, ..)| *c == code)
        .expect("known code")
}

/// Rowspans of consecutive equal 一级 and (within them) 二级 cells.
fn set_spans(rows: &mut [IndicatorView]) {
    let n = rows.len();
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && rows[j].level1_code == rows[i].level1_code {
            j += 1;
        }
        rows[i].level1_span = j - i;
        let mut k = i;
        while k < j {
            let mut m = k;
            while m < j && rows[m].level2_code == rows[k].level2_code {
                m += 1;
            }
            rows[k].level2_span = m - k;
            k = m;
        }
        i = j;
    }
}

/// A project's 项目期 (`2022-2022`, `2025年-2027年`, `2026`) includes the
/// budget year: a budget funds a project in its period.
fn check_period(
    period: Option<&str>,
    year: i32,
    name: &str,
    at: std::ops::Range<usize>,
    diags: &mut Diagnostics,
) {
    let Some(period) = period.map(str::trim).filter(|p| !p.is_empty()) else {
        return;
    };
    let years: Vec<i32> = period
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| s.len() == 4)
        .filter_map(|s| s.parse().ok())
        .collect();
    let (Some(&from), Some(&to)) = (years.first(), years.last()) else {
        return;
    };
    if (from..=to).contains(&year) {
        return;
    }
    diags.push(Diagnostic::warning(
        "period",
        Some(at),
        text!(
            "项目 {name} 的项目期 {period} 不含预算年度 {year}：预算只安排项目期内的项目",
            "project {name}'s period {period} does not include the budget year {year}: a budget funds projects within their period"
        ),
    ));
}

/// A parent project's money given with its 子项目's is their sum.
fn check_subprojects(
    projects: &[ProjectView],
    file: &BudgetFile,
    rounded: bool,
    diags: &mut Diagnostics,
) {
    for (i, parent) in projects.iter().enumerate() {
        if parent.subproject {
            continue;
        }
        let parts: Vec<&ProjectView> = projects[i + 1..]
            .iter()
            .take_while(|p| p.subproject)
            .filter(|p| p.code == parent.code)
            .collect();
        if parts.is_empty() || parent.amounts.total.is_zero() {
            continue;
        }
        let sum: Decimal = parts.iter().map(|p| p.amounts.total).sum();
        if sum.is_zero() {
            continue;
        }
        let mut ck = Checker::new(diags, 2, rounded);
        let (name, n) = (&parent.name, parts.len());
        ck.equal(
            "project-subtotal",
            Some(file.project[i].span()),
            text!("项目 {name}：预算", "项目 {name}"),
            parent.amounts.total,
            text!("其 {n} 个子项目之和", "its {n} 子项目 sum to"),
            sum,
            n,
        );
    }
}

/// R16 on a file's projects against its tables: the scope (all 项目支出, or
/// only its 当年财政拨款 part) and whether the document lists only some
/// projects are the file's `[projects]` settings.
pub fn against_tables(
    file: &BudgetFile,
    budget: &crate::validate::Budget,
    report: &ProjectReport,
    diags: &mut Diagnostics,
) {
    // R16 compares like with like: all 项目支出, or only the 当年财政拨款 part
    // when the project table lists only projects paid from it.
    let scope = file.projects.scope.as_ref();
    let fiscal_only = scope.is_some_and(|s| {
        choose(
            diags,
            "scope",
            s,
            &[
                (&["all", "全部"], false),
                (&["fiscal", "当年财政拨款"], true),
            ],
            false,
        )
    });
    let project_money = crate::records::total(&budget.facts, |f| {
        f.spending()
            && f.kind == Some(crate::domain::Kind::Project)
            && (!fiscal_only || (f.source.is_fiscal() && !f.source.is_carryover()))
    });
    let spending = budget.department.unit.from_yuan(project_money);
    let span = scope
        .map(|s| s.span())
        .or_else(|| file.project.first().map(|p| p.span()));
    let partial = file.projects.listed.as_ref().is_some_and(|s| {
        choose(
            diags,
            "listed",
            s,
            &[(&["all", "全部"], false), (&["partial", "部分"], true)],
            false,
        )
    });
    let span = if partial {
        file.projects.listed.as_ref().map(|s| s.span())
    } else {
        span
    };
    check_against_tables(
        report,
        (spending, fiscal_only, partial),
        budget.input_unit.rounds_typed_amounts(),
        span,
        diags,
    );
}

/// R16: Σ project budgets = 项目支出 of the 支出总表 — all of it, or its
/// 当年财政拨款 part (`fiscal_only`) when that is all the project table lists.
/// When the document lists only some projects (`partial`), the listed ones
/// must not exceed it.
fn check_against_tables(
    report: &ProjectReport,
    (project_spending, fiscal_only, partial): (Decimal, bool, bool),
    rounded: bool,
    span: Option<std::ops::Range<usize>>,
    diags: &mut Diagnostics,
) {
    if partial {
        let listed = report.total.total;
        let slack = if rounded {
            Decimal::new(1, 2) * Decimal::from(report.projects.len() + 1) / Decimal::TWO
        } else {
            Decimal::ZERO
        };
        if listed > project_spending + slack {
            let (n, l, s) = (
                report.projects.iter().filter(|p| !p.subproject).count(),
                crate::reconcile::fmt(listed, 2),
                crate::reconcile::fmt(project_spending, 2),
            );
            diags.push(Diagnostic::error(
                "R16",
                span,
                text!(
                    "绩效目标表列出的 {n} 个项目共 {l}，超过支出总表项目支出 {s}：部分公开的项目不能多于全部项目",
                    "the {n} projects the 绩效目标表 lists come to {l}, more than the 支出总表's 项目支出 {s}: the projects listed cannot exceed all of them"
                ),
            ));
        }
        return;
    }
    let mut ck = Checker::new(diags, 2, rounded);
    let relation = if fiscal_only {
        text!(
            "支出总表中当年财政拨款的项目支出",
            "支出总表 项目支出 paid from 当年财政拨款 is"
        )
    } else {
        text!("支出总表 项目支出", "支出总表 项目支出 is")
    };
    ck.equal(
        "R16",
        span,
        text!("绩效目标表各项目预算之和", "Σ 项目 budgets (绩效目标表)"),
        report.total.total,
        relation,
        project_spending,
        report.projects.len(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_accept_names_codes_and_both() {
        assert_eq!(level1_code("产出指标"), Some("1"));
        assert_eq!(level1_code("1-产出指标"), Some("1"));
        assert_eq!(level1_code("3"), Some("3"));
        assert_eq!(level1_code("产出指表"), None);
        assert_eq!(level2_code("11"), Some("11"));
        assert_eq!(level2_code("经济效益指标"), Some("21"));
        assert_eq!(level2_code("22-社会效益"), Some("22"));
        assert_eq!(level2_code("数量指标（必填硬性指标）"), Some("11"));
        assert_eq!(level2_code("服务对象满意度"), Some("31"));
    }
}
