//! Machine-readable copies of the computed tables, beside the PDF: CSV (UTF-8
//! with a byte-order mark, so that Excel shows the Chinese) with the column
//! headers of the table definitions, and the template context as JSON.

use rust_decimal::Decimal;

use crate::domain::{KINDS, Layout, Unit};
use crate::model::{BudgetFile, Money};
use crate::validate::Budget;
use crate::{Checked, Report};

/// One CSV file: its name and its content (BOM included).
pub struct CsvFile {
    /// File name, e.g. `2-income.csv`.
    pub name: String,
    /// The text, starting with U+FEFF.
    pub text: String,
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn line(cells: &[String]) -> String {
    let mut l = cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
    l.push_str("\r\n");
    l
}

/// Every table of `report` (and the project list) as CSV files, named
/// `<number>-<id>.csv`.
pub fn csv(checked: &Checked) -> Vec<CsvFile> {
    sheets(checked)
        .into_iter()
        .map(|s| {
            let mut text = String::from("\u{feff}");
            for r in &s.rows {
                text.push_str(&line(r));
            }
            CsvFile {
                name: format!("{}.csv", s.name),
                text,
            }
        })
        .collect()
}

/// Every table of `report` (and the project list) as one Excel workbook, a
/// sheet per table; amounts are numbers (2 decimals shown), the rest text.
pub fn xlsx(checked: &Checked) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    // Same input, same bytes: the workbook is dated as the PDF is (1 January
    // of the budget year), never by the clock.
    let year = u16::try_from(checked.budget.department.year).unwrap_or(2000);
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(year, 1, 1).map_err(|e| e.to_string())?;
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&date));
    let money = Format::new().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    for s in sheets(checked) {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name).map_err(|e| e.to_string())?;
        for (i, row) in s.rows.iter().enumerate() {
            let i = u32::try_from(i).map_err(|e| e.to_string())?;
            for (j, cell) in row.iter().enumerate() {
                let j = u16::try_from(j).map_err(|e| e.to_string())?;
                let written = match (i, number(cell)) {
                    (0, _) => sheet.write_string_with_format(i, j, cell, &bold),
                    (_, Some(v)) => sheet.write_number_with_format(i, j, v, &money),
                    (_, None) => sheet.write_string(i, j, cell),
                };
                written.map_err(|e| e.to_string())?;
            }
        }
        sheet.autofit();
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// A cell that is an amount, as the number Excel stores (a double, the only
/// number an xlsx cell holds). No arithmetic: the printed decimal is read
/// once, and kept only when the double prints back as the same decimal
/// (at most 15 significant digits); otherwise the cell stays text.
fn number(cell: &str) -> Option<f64> {
    use std::str::FromStr;
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let plain = cell
        .strip_prefix('-')
        .unwrap_or(cell)
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.');
    if !(plain && cell.contains('.') && digits <= 15) {
        return None;
    }
    let v: f64 = cell.parse().ok()?;
    let exact = Decimal::from_str(cell).ok()?;
    (Decimal::from_str(&v.to_string()).ok()? == exact).then_some(v)
}

/// One table as rows of cells (the header first).
pub struct Sheet {
    /// `<number>-<id>` (`2-income`), or `projects`.
    pub name: String,
    /// Header and rows; amounts rounded once to the printed decimals, zero as 0.
    pub rows: Vec<Vec<String>>,
}

/// The header of the `department` sheet: one setting per row.
pub const SETTINGS_HEADER: [&str; 2] = ["项", "值"];

/// The header of the `lines` sheet: one 功能分类 line per row, as the file
/// gives it (amounts in the file's unit, unrounded). The amount columns
/// follow [`crate::domain::Kind`]'s order.
pub const LINES_HEADER: [&str; 3 + KINDS + 2] = [
    "科目编码",
    "科目名称",
    "资金来源",
    "基本支出",
    "项目支出",
    "经营支出",
    "上解上级支出",
    "对附属单位补助支出",
    "人员经费",
    "公用经费",
    "上年预算数",
    "主要用于",
    "增减原因",
];

/// The header of a `facts` sheet: one budget-system record per row, as a
/// 预算管理一体化 export holds it (`import` also reads the other names of
/// [`FACT_COLUMNS`], in any order).
pub const FACTS_HEADER: [&str; 11] = [
    "预算单位",
    "功能分类",
    "部门经济分类",
    "政府经济分类",
    "资金来源",
    "支出类型",
    "项目名称",
    "上年",
    "金额",
    "政府采购品目",
    "项目类别",
];

/// Each column of a facts sheet with the headers it is known by.
pub const FACT_COLUMNS: [&[&str]; 12] = [
    &["预算单位", "单位", "单位编码", "预算单位编码"],
    &[
        "功能分类",
        "功能分类科目",
        "支出功能分类",
        "功能科目",
        "功能分类编码",
    ],
    &[
        "部门经济分类",
        "部门预算支出经济分类",
        "经济分类",
        "经济分类科目",
        "部门经济分类编码",
    ],
    &["政府经济分类", "政府预算支出经济分类", "政府经济分类编码"],
    &["资金来源", "资金性质"],
    &["支出类型", "支出类别", "经费类型"],
    &["项目名称", "项目"],
    // Whether the row's amount is last year's (是 / 上年).
    &["上年"],
    &["金额", "预算数", "预算金额", "本年预算数", "本年金额"],
    // Last year's amount of the same row, beside this year's (a budget
    // system's detail export): a record of its own.
    &["上年数", "上年预算数", "上年金额", "上年预算"],
    &["政府采购品目", "采购品目", "政府采购目录"],
    &["项目类别", "项目分类"],
];

/// The header of the `economic` sheet: the 基本支出 经济分类 款 lines.
pub const ECONOMIC_HEADER: [&str; 5] = [
    "经济分类科目编码",
    "科目名称",
    "经费类型",
    "金额",
    "政府经济分类",
];

/// The header of the `projects` sheet (the list layout's columns first).
pub const PROJECTS_HEADER: [&str; 16] = [
    "资金使用单位",
    "项目编码",
    "项目名称",
    "总计",
    "财政拨款",
    "财政专户拨款",
    "其他资金",
    "主管部门编码",
    "主管部门",
    "实施单位编码",
    "实施单位",
    "项目属性",
    "项目期",
    "项目概述",
    "分年度资金计划",
    "年度绩效目标",
];

/// The header of the `indicators` sheet: one 绩效指标 per row.
pub const INDICATORS_HEADER: [&str; 9] = [
    "项目序号",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "实施周期指标值",
    "指标说明",
    "评（计）分依据",
];

/// An exact amount in `unit`, with at least two decimals (so that the xlsx
/// stores it as a number) and no rounding.
fn exact(v: Decimal, unit: Unit) -> String {
    let mut v = unit.from_yuan(v).normalize();
    if v.scale() < 2 {
        v.rescale(2);
    }
    v.to_string()
}

/// An amount already in its table's unit, unrounded, with at least two
/// decimals.
fn unrounded(v: Decimal) -> String {
    exact(v, Unit::Yuan)
}

/// Every table of `report`, the project list and the file's own data
/// (settings, lines, 经济分类 lines, indicators) as sheets: the `department`
/// sheet first, then the tables in order, then the data sheets. `yusuan
/// import` reads such a workbook back.
pub fn sheets(checked: &Checked) -> Vec<Sheet> {
    let (report, budget) = (&checked.report, &checked.budget);
    let d = report.department.decimals;
    let zero = crate::domain::zero_with(d);
    let amount = |v: Decimal| crate::domain::format_amount(v, d, false, &zero);
    let mut out = vec![];
    let mut file = |name: String, rows: Vec<Vec<String>>| {
        out.push(Sheet { name, rows });
    };
    if let Some(t) = &report.tables {
        for pair in [&t.summary, &t.fiscal] {
            let mut rows = vec![
                ["side", "key", "item"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(pair.columns.iter().map(|c| c.header.to_string()))
                    .collect::<Vec<_>>(),
            ];
            for i in &pair.income {
                rows.push(vec![
                    "收入".into(),
                    i.key.into(),
                    i.label.into(),
                    amount(i.value),
                ]);
            }
            for c in pair.classes.iter().filter(|c| !c.empty) {
                let mut r = vec!["支出".into(), c.code.clone(), c.name.clone()];
                r.extend(c.values.iter().map(|v| amount(*v)));
                rows.push(r);
            }
            for tot in &pair.totals {
                rows.push(vec![
                    "收入".into(),
                    tot.key.into(),
                    tot.left.into(),
                    amount(tot.left_value),
                ]);
                let mut r = vec!["支出".into(), tot.key.into(), tot.right.into()];
                r.extend(tot.right_values.iter().map(|v| amount(*v)));
                rows.push(r);
            }
            file(format!("{}-{}", pair.number, pair.id), rows);
        }
        for tree in t.trees() {
            let mut rows = vec![
                ["科目编码", "科目名称"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(tree.columns.iter().map(|c| c.header.to_string()))
                    .collect::<Vec<_>>(),
            ];
            for r in tree.rows.iter().filter(|_| !tree.empty) {
                let mut row = vec![r.code.clone(), r.name.clone()];
                // A list table's text columns print their text, not a zero.
                row.extend(tree.columns.iter().zip(&r.values).map(|(c, v)| {
                    if c.text {
                        r.texts.get(&c.key).cloned().unwrap_or_default()
                    } else {
                        amount(*v)
                    }
                }));
                rows.push(row);
            }
            file(format!("{}-{}", tree.number, tree.id), rows);
        }
        let s = &t.sangong;
        let mut rows = vec![
            ["key", "项目"]
                .iter()
                .map(|s| s.to_string())
                .chain(s.columns.iter().map(|c| c.header.to_string()))
                .collect::<Vec<_>>(),
        ];
        // 三公 and 机关运行经费 are the file's own figures (read back as
        // such, not as declared totals): unrounded, in the table's unit.
        for r in &s.rows {
            let mut row = vec![r.key.clone(), r.label.clone()];
            row.extend(r.values.iter().map(|v| unrounded(*v)));
            rows.push(row);
        }
        if let Some(v) = s.running_costs {
            rows.push(vec![
                "running_costs".into(),
                "机关运行经费".into(),
                unrounded(v),
            ]);
        }
        file(format!("{}-{}", s.number, s.id), rows);
    }
    let header = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if !budget.lines.is_empty() {
        let mut rows = vec![header(&LINES_HEADER)];
        for l in &budget.lines {
            let mut r = vec![l.code.clone(), l.name.clone(), l.source.label().into()];
            // The line's money, from the ledger (its records' too, when records made it).
            let (kinds, last_year_given) =
                crate::records::line_kinds(budget.facts.iter().filter(|f| {
                    f.function.as_deref() == Some(l.code.as_str()) && f.source == l.source
                }));
            r.extend(kinds.iter().enumerate().map(|(i, v)| {
                let given = i == crate::domain::Kind::LastYear as usize && last_year_given;
                if v.is_zero() && !given {
                    String::new()
                } else {
                    exact(*v, budget.input_unit)
                }
            }));
            r.push(l.uses.clone().unwrap_or_default());
            r.push(l.reason.clone().unwrap_or_default());
            rows.push(r);
        }
        file("lines".into(), rows);
    }
    if !budget.economic.is_empty() {
        let mut rows = vec![header(&ECONOMIC_HEADER)];
        for l in &budget.economic {
            let kind = if l.personnel {
                "人员经费"
            } else {
                "公用经费"
            };
            rows.push(vec![
                l.code.clone(),
                l.name.clone(),
                kind.into(),
                exact(
                    crate::records::total(&budget.facts, |f| {
                        f.basic_economic() == Some(l.personnel)
                            && f.economic == Some(l.code.clone())
                            && f.government == l.government
                    }),
                    budget.input_unit,
                ),
                l.government.clone().unwrap_or_default(),
            ]);
        }
        file("economic".into(), rows);
    }
    if let Some(p) = &report.projects {
        let mut rows = vec![header(&PROJECTS_HEADER)];
        let mut indicators = vec![header(&INDICATORS_HEADER)];
        for pr in &p.projects {
            let a = &pr.amounts;
            rows.push(vec![
                pr.unit.clone(),
                pr.code.clone(),
                pr.name.clone(),
                amount(a.total),
                amount(a.fiscal),
                amount(a.special_account),
                amount(a.other),
                pr.supervisor_code.clone(),
                pr.supervisor.clone(),
                pr.implementer_code.clone(),
                pr.implementer.clone(),
                pr.attribute.clone(),
                pr.period.clone(),
                pr.purpose.clone(),
                pr.plan.join("；"),
                pr.goal.clone(),
            ]);
            for i in &pr.indicators {
                indicators.push(vec![
                    pr.number.to_string(),
                    pr.name.clone(),
                    i.level1.clone(),
                    i.level2.clone(),
                    i.name.clone(),
                    i.value.clone(),
                    i.period_value.clone(),
                    i.description.clone(),
                    i.basis.clone(),
                ]);
            }
        }
        file("projects".into(), rows);
        file("indicators".into(), indicators);
    }
    file("department".into(), settings(report, budget, &checked.file));
    if !checked.file.declared.0.is_empty() {
        let mut rows = vec![header(&DECLARED_HEADER)];
        for (id, t) in &checked.file.declared.0 {
            for (row, cols) in t.get_ref() {
                for (col, m) in cols.get_ref() {
                    rows.push(vec![
                        id.clone(),
                        row.clone(),
                        col.clone(),
                        raw(Some(m.get_ref())),
                    ]);
                }
            }
        }
        file("declared".into(), rows);
    }
    document(&checked.file, &mut file);
    // The settings first, the tables in order (1-summary … 9-sangong), then
    // the data sheets.
    let order = |name: &str| match name {
        "department" => 0,
        "lines" => 100,
        "economic" => 101,
        "projects" => 102,
        "indicators" => 103,
        "sections" => 104,
        "section-tables" => 105,
        "procurement" => 106,
        "assets" => 107,
        "declared" => 108,
        n => n
            .split('-')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(99),
    };
    out.sort_by_key(|s| order(&s.name));
    out
}

/// The header of the `sections` sheet: the document's text sections.
pub const SECTIONS_HEADER: [&str; 7] = [
    "序号",
    "标题",
    "位置",
    "正文",
    "生成",
    "正文后生成",
    "表格标题",
];

/// The header of the `section-tables` sheet: a section's table, a row per
/// row (`表头` or `行`), its cells after.
pub const SECTION_TABLES_HEADER: [&str; 2] = ["章节序号", "行类型"];

/// The header of the `procurement` sheet: the 政府采购 items.
pub const PROCUREMENT_HEADER: [&str; 10] = [
    "项目",
    "项目预算",
    "采购品目",
    "品目编码",
    "类型",
    "计量单位",
    "数量",
    "单价",
    "金额",
    "中小企业",
];

/// The header of the `assets` sheet: the 国有资产 rows.
pub const ASSETS_HEADER: [&str; 4] = ["名称", "数量", "价值", "属于其中"];

/// The header of the `declared` sheet: the file's `[declared.<id>]` totals,
/// one figure per row, as written (so that a workbook round trip keeps the
/// printed figures `check` compares).
pub const DECLARED_HEADER: [&str; 4] = ["申报表", "申报行", "申报列", "申报金额"];

/// An amount as the file wrote it (its own unit, unrounded).
fn raw(m: Option<&Money>) -> String {
    m.map(|m| m.0.normalize().to_string()).unwrap_or_default()
}

/// The document around the tables as the file gives it: sections, their
/// tables, 政府采购, 国有资产 (last year's totals go in the `department` sheet).
fn document(f: &BudgetFile, file: &mut dyn FnMut(String, Vec<Vec<String>>)) {
    let header = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let opt =
        |s: Option<&toml::Spanned<String>>| s.map(|s| s.get_ref().clone()).unwrap_or_default();
    if !f.section.is_empty() {
        let mut rows = vec![header(&SECTIONS_HEADER)];
        let mut tables = vec![header(&SECTION_TABLES_HEADER)];
        for (i, s) in f.section.iter().enumerate() {
            let s = s.get_ref();
            let n = (i + 1).to_string();
            rows.push(vec![
                n.clone(),
                s.title.clone(),
                opt(s.place.as_ref()),
                opt(s.text.as_ref()),
                opt(s.generate.as_ref()),
                if s.generate_after_text {
                    "是".into()
                } else {
                    String::new()
                },
                s.table
                    .as_ref()
                    .and_then(|t| t.caption.clone())
                    .unwrap_or_default(),
            ]);
            if let Some(t) = &s.table {
                let mut head = vec![n.clone(), "表头".into()];
                head.extend(t.header.iter().cloned());
                tables.push(head);
                for r in &t.rows {
                    let mut row = vec![n.clone(), "行".into()];
                    row.extend(r.iter().cloned());
                    tables.push(row);
                }
            }
        }
        file("sections".into(), rows);
        if tables.len() > 1 {
            file("section-tables".into(), tables);
        }
    }
    if !f.procurement.is_empty() {
        let mut rows = vec![header(&PROCUREMENT_HEADER)];
        for p in &f.procurement {
            let p = p.get_ref();
            rows.push(vec![
                p.project.clone(),
                raw(p.project_budget.as_ref().map(|m| m.get_ref())),
                p.item.clone(),
                p.catalogue_code.clone().unwrap_or_default(),
                opt(p.kind.as_ref()),
                p.unit.clone().unwrap_or_default(),
                raw(p.quantity.as_ref().map(|m| m.get_ref())),
                raw(p.price.as_ref().map(|m| m.get_ref())),
                raw(Some(p.amount.get_ref())),
                raw(p.sme.as_ref().map(|m| m.get_ref())),
            ]);
        }
        file("procurement".into(), rows);
    }
    if let Some(a) = &f.assets {
        let mut rows = vec![header(&ASSETS_HEADER)];
        for r in &a.get_ref().item {
            let r = r.get_ref();
            rows.push(vec![
                r.name.clone(),
                r.count.map(|c| c.to_string()).unwrap_or_default(),
                raw(r.value.as_ref().map(|m| m.get_ref())),
                if r.within {
                    "是".into()
                } else {
                    String::new()
                },
            ]);
        }
        file("assets".into(), rows);
    }
}

/// The `department` sheet: what the file says about itself and its printing.
fn settings(report: &Report, budget: &Budget, f: &BudgetFile) -> Vec<Vec<String>> {
    let d = &report.department;
    let mut rows = vec![SETTINGS_HEADER.map(String::from).to_vec()];
    let mut set = |k: &str, v: String| {
        if !v.is_empty() {
            rows.push(vec![k.to_string(), v]);
        }
    };
    set("部门编码", d.code.clone());
    set("部门名称", d.name.clone());
    set("预算年度", d.year.to_string());
    set("金额单位", d.unit.label().into());
    set("录入单位", budget.input_unit.label().into());
    set("区域格式", d.profile.into());
    for (table, unit) in &budget.table_units {
        set(&format!("表格单位.{table}"), unit.label().into());
    }
    for (table, note) in &budget.notes {
        set(&format!("表注.{table}"), note.clone());
    }
    if let Some(p) = &report.projects {
        let layout = match p.layout {
            Layout::List => "list",
            Layout::Card => "card",
            Layout::Sheet => "sheet",
        };
        set("项目表格式", layout.into());
        set("项目金额单位", p.unit.label().into());
        set("项目表标题", p.title.clone());
        set("项目表部门", p.department.clone());
        set("项目表表头", p.heading.clone().unwrap_or_default());
        set("指标写法", p.indicator_style.into());
    }
    if let Some(l) = &f.last_year {
        let l = l.get_ref();
        set("上年.basis", l.basis.clone().unwrap_or_default());
        for (key, v) in [
            ("income", &l.income),
            ("expenditure", &l.expenditure),
            ("fiscal", &l.fiscal),
            ("general", &l.general),
            ("basic", &l.basic),
            ("personnel", &l.personnel),
            ("public", &l.public),
            ("project", &l.project),
        ] {
            set(&format!("上年.{key}"), raw(v.as_ref().map(|m| m.get_ref())));
        }
    }
    if let Some(l) = f
        .sangong
        .as_ref()
        .and_then(|s| s.get_ref().last_year.as_ref())
    {
        let l = l.get_ref();
        for (key, v) in l.items() {
            let Some(f) = v else {
                set(&format!("三公上年.{key}"), String::new());
                continue;
            };
            set(&format!("三公上年.{key}"), raw(Some(&Money(f.general))));
            // Other funds under keys of their own (`三公上年.abroad.fund`).
            for (fund, v) in [("fund", f.fund), ("soe", f.soe)] {
                if !v.is_zero() {
                    set(&format!("三公上年.{key}.{fund}"), raw(Some(&Money(v))));
                }
            }
        }
        set("三公上年.running_costs", raw(l.running_costs.as_ref()));
    }
    if let Some(a) = &f.assets {
        let a = a.get_ref();
        set("资产.date", a.date.clone());
        set("资产.planned", raw(a.planned.as_ref().map(|m| m.get_ref())));
    }
    rows
}
