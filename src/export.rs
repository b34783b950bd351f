//! Machine-readable copies of the computed tables, beside the PDF: CSV (UTF-8
//! with a byte-order mark, so that Excel shows the Chinese) with the column
//! headers of the table definitions, and the template context as JSON.

use rust_decimal::Decimal;

use crate::Report;
use crate::domain::round;

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
pub fn csv(report: &Report) -> Vec<CsvFile> {
    sheets(report)
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
pub fn xlsx(report: &Report) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let money = Format::new().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    for s in sheets(report) {
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

/// Every table of `report` and the project list as sheets.
pub fn sheets(report: &Report) -> Vec<Sheet> {
    let d = report.department.decimals;
    let amount = |v: Decimal| format!("{:.*}", d as usize, round(v, d));
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
                row.extend(r.values.iter().map(|v| amount(*v)));
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
        for r in &s.rows {
            let mut row = vec![r.key.clone(), r.label.clone()];
            row.extend(r.values.iter().map(|v| amount(*v)));
            rows.push(row);
        }
        if let Some(v) = s.running_costs {
            rows.push(vec![
                "running_costs".into(),
                "机关运行经费".into(),
                amount(v),
            ]);
        }
        file(format!("{}-{}", s.number, s.id), rows);
    }
    if let Some(p) = &report.projects {
        let mut rows = vec![
            [
                "资金使用单位",
                "项目编码",
                "项目名称",
                "总计",
                "财政拨款",
                "财政专户拨款",
                "其他资金",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ];
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
            ]);
        }
        file("projects".into(), rows);
    }
    // In the tables' order (1-summary … 9-sangong), the projects last.
    out.sort_by_key(|s| {
        s.name
            .split('-')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    });
    out
}
