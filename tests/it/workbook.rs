//! `yusuan import BOOK.xlsx`: the workbook `--emit xlsx` writes imports back
//! to a file that prints the same document (narrative, tables, projects); a budget system's nine-table
//! workbook (title, `单位：` line, headers, codes in 类|款|项 columns) is read
//! into lines, declared totals and names; what cannot be read is reported
//! by sheet and cell.

use std::path::Path;

use crate::common::{ENGINE, yusuan};

use yusuan::render::Renderer;
use yusuan::typeset::{self};

/// An example's tables and projects: the narrative after its marker line is
/// not carried by a workbook of tables.
fn tables_part(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.toml"));
    let text = std::fs::read_to_string(path).unwrap();
    let end = [
        "\n# ---- 第一部分",
        "\n# ---- The document around the tables",
    ]
    .iter()
    .filter_map(|m| text.find(m))
    .min()
    .unwrap_or(text.len());
    text[..end].to_string()
}

/// Each page's text runs, joined, rendered with the file's own profile's templates.
fn pages_of(name: &str, text: &str) -> Vec<String> {
    let checked = yusuan::check_str(name, text).ok().unwrap();
    assert!(!checked.diags.has_errors(), "{name}: {}", checked.diags);
    let profile = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(profile, None).unwrap();
    let rendered = yusuan::render_checked(&ENGINE, &renderer, checked).unwrap();
    typeset::page_runs(&rendered.document)
        .into_iter()
        .map(|runs| runs.concat())
        .collect()
}

fn export(text: &str) -> Vec<u8> {
    let checked = yusuan::check_str("t.toml", text).ok().unwrap();
    yusuan::export::xlsx(&checked).unwrap()
}

/// An example as it is, narrative included.
fn whole(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.toml"));
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn every_example_round_trips_through_its_workbook() {
    for name in [
        "kaiping-2024",
        "putuo-commerce-2025",
        "panyu-2023",
        "zengcheng-2024",
        "jinhua-2024",
        "pingluo-2022",
    ] {
        let original = whole(name);
        let book = export(&original);
        let imported = yusuan::workbook::import_workbook("book.xlsx", &book, None, None);
        assert!(!imported.diags.has_errors(), "{name}: {}", imported.diags);
        assert!(
            !imported.toml.contains("NOT IMPORTED"),
            "{name}: {}",
            imported.toml
        );
        let before = pages_of(name, &original);
        let after = pages_of("imported.toml", &imported.toml);
        // The complete documents: cover, contents, narrative, tables, cards, annex.
        let pages = [("kaiping-2024", 36), ("putuo-commerce-2025", 23)];
        if let Some((_, n)) = pages.iter().find(|p| p.0 == name) {
            assert_eq!(before.len(), *n, "{name}");
        }
        assert_eq!(before.len(), after.len(), "{name}: page count");
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            assert_eq!(b, a, "{name}: page {}", i + 1);
        }
    }
}

/// Kaiping's tables without its projects (a budget system exports the
/// project list apart).
fn kaiping_tables() -> String {
    let text = tables_part("kaiping-2024");
    let start = text.find("\n[projects]").expect("projects section");
    text[..start].to_string()
}

/// The nine tables of `text` written as a budget system exports them: sheets
/// named 表1…表9, a title with the year, the department and `单位：` lines,
/// headers in the budget system's words (the 收入总表's codes in 类|款|项
/// columns over two header rows), amounts as numbers, the 三公 rows by label.
/// `edit` replaces one cell: (sheet number, row, column, text) of the data.
fn budget_system_book(text: &str, edit: Option<(u8, usize, usize, &str)>) -> Vec<u8> {
    let checked = yusuan::check_str("t.toml", text).ok().unwrap();
    let titles = [
        ("summary", "部门收支总表"),
        ("income", "部门收入总表"),
        ("expenditure", "部门支出总表"),
        ("fiscal", "财政拨款收支总表"),
        ("general", "一般公共预算支出表"),
        ("basic", "一般公共预算基本支出表"),
        ("fund", "政府性基金预算支出表"),
        ("soe", "国有资本经营预算支出表"),
        ("sangong", "“三公”经费支出预算表"),
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    for sheet in yusuan::export::sheets(&checked) {
        let Some((n, id)) = sheet
            .name
            .split_once('-')
            .and_then(|(n, id)| Some((n.parse::<u8>().ok()?, id)))
        else {
            continue; // the data sheets: a budget system has none
        };
        let title = titles.iter().find(|t| t.0 == id).unwrap().1;
        let ws = book.add_worksheet();
        ws.set_name(format!("表{n}")).unwrap();
        let d = &checked.report.department;
        ws.write(0, 0, format!("{}年{title}", d.year)).unwrap();
        ws.write(1, 0, format!("部门名称：{}{}", d.code, d.name))
            .unwrap();
        let unit = checked
            .budget
            .table_units
            .get(id)
            .unwrap_or(&checked.report.department.unit);
        ws.write(1, 5, format!("单位：{}", unit.label())).unwrap();
        let mut rows = sheet.rows.clone();
        let mut first = 3;
        if id == "expenditure" {
            // The 栏次 row the published tables print under the headers: 1, 2, 3 …
            let lanci: Vec<String> = (0..rows[0].len())
                .map(|j| {
                    if j == 0 {
                        "栏次".into()
                    } else if j == 1 {
                        String::new()
                    } else {
                        (j - 1).to_string()
                    }
                })
                .collect();
            rows.insert(1, lanci);
            first = 4;
        }
        if id == "income" {
            // 类 | 款 | 项 columns under one heading, the other heads a row below.
            let header: Vec<String> = ["功能分类科目编码", "", ""]
                .iter()
                .map(|s| s.to_string())
                .chain(rows[0][1..].iter().cloned())
                .collect();
            let header: Vec<String> = header
                .into_iter()
                .map(|h| match h.as_str() {
                    "财政拨款收入" => "财政拨款".into(),
                    "财政专户收入" => "财政专户".into(),
                    _ => h,
                })
                .collect();
            let mut parts = vec!["类".into(), "款".into(), "项".into()];
            parts.extend(header[3..].iter().map(|_| String::new()));
            let mut split = vec![header, parts];
            for r in &rows[1..] {
                let code = &r[0];
                let cells = if code.len() == 3 {
                    vec![code.clone(), String::new(), String::new()]
                } else if code.len() == 5 {
                    vec![String::new(), code[3..5].to_string(), String::new()]
                } else if code.len() == 7 {
                    vec![String::new(), String::new(), code[5..].to_string()]
                } else {
                    vec![code.clone(), String::new(), String::new()]
                };
                let mut row = cells;
                row.extend(r[1..].iter().cloned());
                split.push(row);
            }
            rows = split;
            first = 4;
        }
        if id == "sangong" {
            // Labels only: 其中 items marked as the published tables mark them.
            rows = rows
                .into_iter()
                .map(|r| {
                    let label = match r[0].as_str() {
                        "abroad_research" | "vehicle_purchase" => format!("其中：{}", r[1]),
                        "abroad_other" | "vehicle_operation" => format!("　　{}", r[1]),
                        k if k.contains('/') => format!("其中：{}", r[1]),
                        _ => r[1].clone(),
                    };
                    std::iter::once(label)
                        .chain(r[2..].iter().cloned())
                        .collect()
                })
                .collect();
        }
        // The note the document prints under the table (kaiping's own wording).
        if let Some(note) = checked.budget.notes.get(id) {
            ws.write((rows.len() + 3) as u32, 0, note).unwrap();
        }
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let (r, c) = ((i + 2) as u32, j as u16);
                let cell = match edit {
                    Some((s, er, ec, t)) if s == n && er + first - 3 == i && ec == j => t,
                    _ => cell.as_str(),
                };
                // `=…` a formula (never calculated), `date:…` an amount in a date format.
                if let Some(f) = cell.strip_prefix('=') {
                    ws.write_formula(r, c, format!("={f}").as_str()).unwrap();
                    continue;
                }
                if let Some(v) = cell.strip_prefix("date:") {
                    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
                    ws.write_number_with_format(r, c, v.parse::<f64>().unwrap(), &date)
                        .unwrap();
                    continue;
                }
                match cell.parse::<f64>() {
                    Ok(v) if i + 2 >= first && cell.contains('.') => ws.write_number(r, c, v),
                    _ => ws.write_string(r, c, cell),
                }
                .unwrap();
            }
        }
    }
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write(0, 0, "本工作簿由预算编制系统导出").unwrap();
    book.save_to_buffer().unwrap()
}

/// Each page's text without its footer (the page count differs).
fn bodies(pages: Vec<String>) -> Vec<String> {
    pages
        .into_iter()
        .map(|p| p[..p.rfind("第 ").unwrap_or(p.len())].to_string())
        .collect()
}

#[test]
fn a_budget_systems_nine_tables_import_to_the_same_tables() {
    let original = kaiping_tables();
    let imported = yusuan::workbook::import_workbook(
        "kaiping.xlsx",
        &budget_system_book(&original, None),
        None,
        None,
    );
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    let toml = &imported.toml;
    // The department, year and unit from the title, 部门名称 and 单位 lines.
    assert!(
        toml.contains(
            "name = \"中国共产党唐山市开平区委员会组织部\"\nyear = 2024\nunit = \"万元\""
        ),
        "{toml}"
    );
    // The seed's seven 项 lines, every one 一般公共预算, with its 基本/项目 split.
    for line in [
        "code = \"2013201\"\nname = \"行政运行\"\nsource = \"一般公共预算\"\nbasic = 452.03\n",
        "code = \"2013299\"\nname = \"其他组织事务支出\"\nsource = \"一般公共预算\"\nproject = 1936.00\n",
        "code = \"2080501\"\nname = \"行政单位离退休\"\nsource = \"一般公共预算\"\nbasic = 4.02\n",
        "code = \"2130705\"\nname = \"对村民委员会和村党支部的补助\"\nsource = \"一般公共预算\"\nproject = 2954.55\n",
        "code = \"2210201\"\nname = \"住房公积金\"\nsource = \"一般公共预算\"\nbasic = 32.59\n",
    ] {
        assert!(toml.contains(line), "{line} in {toml}");
    }
    assert_eq!(toml.matches("[[expenditure]]").count(), 7);
    assert_eq!(toml.matches("[[basic_economic]]").count(), 20);
    // The totals as printed, kept to be checked.
    assert!(
        toml.contains("\"合计\" = { total = 5464.38, basic = 528.62, project = 4935.76 }"),
        "{toml}"
    );
    assert!(toml.contains("\"20132\" = \"组织事务\""), "{toml}");
    // The sheet that is not a table is named, and kept as a comment.
    assert!(toml.contains("# NOT IMPORTED sheet 说明"), "{toml}");
    let before = bodies(pages_of("kaiping", &original));
    let after = bodies(pages_of("imported.toml", toml));
    assert_eq!(before.len(), 9);
    assert_eq!(after.len(), 9);
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(b, a, "page {}", i + 1);
    }
}

#[test]
fn an_unreadable_cell_is_named_and_a_printed_slip_is_caught() {
    let original = kaiping_tables();
    // 支出总表 (title, department, headers, 栏次, then 合计 on row 5), 基本支出 column: a typo.
    let book = budget_system_book(&original, Some((3, 1, 3, "528.6三")));
    let imported = yusuan::workbook::import_workbook("kaiping.xlsx", &book, None, None);
    let messages: Vec<String> = imported
        .diags
        .items
        .iter()
        .map(|d| d.message.zh.clone())
        .collect();
    assert!(
        messages.contains(&"工作表「表3」单元格 D5：不是金额，未导入：528.6三".to_string()),
        "{messages:?}"
    );
    assert!(
        imported
            .toml
            .contains("# NOT IMPORTED 表3!D5 (不是金额): 528.6三"),
        "{}",
        imported.toml
    );
    // 基本支出表 row 301, 人员经费: the seed's own slip (480.18 printed, its 款 add up to 480.19).
    let book = budget_system_book(&original, Some((6, 2, 3, "480.18")));
    let imported = yusuan::workbook::import_workbook("kaiping.xlsx", &book, None, None);
    let checked = yusuan::check_str("imported.toml", &imported.toml)
        .ok()
        .unwrap();
    let slip: Vec<String> = checked
        .diags
        .items
        .iter()
        .map(|d| d.message.zh.clone())
        .filter(|m| m.contains("480.18") && m.contains("480.19"))
        .collect();
    assert!(!slip.is_empty(), "{}", checked.diags);
}

#[test]
fn a_project_list_sheet_imports_as_its_pasted_text_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/panyu-2023.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("项目支出绩效目标表").unwrap();
    for (i, line) in text.lines().enumerate() {
        for (j, cell) in line.split('\t').enumerate() {
            if !cell.is_empty() {
                ws.write_string(i as u32, j as u16, cell).unwrap();
            }
        }
    }
    let from_book = yusuan::workbook::import_workbook(
        "panyu.xlsx",
        &book.save_to_buffer().unwrap(),
        None,
        None,
    );
    let from_text = yusuan::import::import_list("panyu-2023.txt", &text, None);
    assert!(!from_book.diags.has_errors(), "{}", from_book.diags);
    assert_eq!(from_book.projects, 52);
    let part = |t: &str| t[t.find("\n[projects]").unwrap()..].to_string();
    assert_eq!(part(&from_book.toml), part(&from_text.toml));
    // The same six warnings, each naming the sheet's row.
    assert_eq!(from_book.diags.items.len(), 6);
    assert!(
        from_book.diags.items[0].message.zh.starts_with("第 39 行"),
        "{}",
        from_book.diags.items[0].message.zh
    );
}

#[test]
fn the_command_line_imports_what_it_emits_and_refuses_a_broken_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pingluo-2022.toml");
    let book = dir.path().join("pingluo.xlsx");
    let back = dir.path().join("pingluo.toml");
    yusuan(&[&"render", &example, &"--emit", &"xlsx", &"-o", &book]).ok();
    let run = yusuan(&[&"import", &book, &"-o", &back]).ok();
    assert!(run.stderr.contains("（14 个项目）"), "{}", run.stderr);
    yusuan(&[&"check", &back]).ok();
    // Not a workbook: a message, exit 1, nothing written.
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, b"PK\x03\x04 not really a zip").unwrap();
    let out = dir.path().join("junk.toml");
    let run = yusuan(&[&"import", &junk, &"-o", &out]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("无法读取工作簿"), "{}", run.stderr);
    assert!(!out.exists());
}

/// Shanghai's figures (元 with the 三公 table in 万元, the five-column 收入总表,
/// a 类 | 款 | 项 income sheet) read from generic titles: the same tables
/// with `--profile shanghai` (a budget system's workbook does not say its region).
#[test]
fn a_shanghai_workbook_imports_to_the_same_tables() {
    let original = tables_part("putuo-commerce-2025");
    let book = budget_system_book(&original, None);
    let shanghai = yusuan::profile::find("shanghai");
    let imported = yusuan::workbook::import_workbook("putuo.xlsx", &book, None, shanghai);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    let toml = imported.toml;
    assert!(toml.contains("profile = \"shanghai\""), "{toml}");
    assert!(
        toml.contains("table_units = { sangong = \"万元\" }"),
        "{toml}"
    );
    // 1.00 and 171.01 万元, in the file's 元.
    assert!(toml.contains("reception = 10000.00"), "{toml}");
    assert!(toml.contains("running_costs = 1710100.00"), "{toml}");
    let before = bodies(pages_of("putuo", &original));
    let after = bodies(pages_of("imported.toml", &toml));
    assert_eq!(before.len(), after.len());
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(b, a, "page {}", i + 1);
    }
}

/// A small workbook typed by hand as budget systems vary: codes stored as
/// numbers, amounts as text with separators, 元, no name column (the
/// catalogue names the codes), a total row called 总计.
#[test]
fn codes_as_numbers_and_amounts_as_text_are_read_exactly() {
    let mut book = rust_xlsxwriter::Workbook::new();
    // (title, headers, rows of (code, amounts))
    type Sheet<'a> = (&'a str, &'a [&'a str], &'a [(f64, &'a [&'a str])]);
    let sheets: [Sheet; 3] = [
        (
            "2026年部门收入预算表",
            &["科目编码", "合计", "财政拨款"],
            &[
                (2013201.0, &["1,234,567.89", "1,234,567.89"]),
                (2080501.0, &["10,000.01", "10,000.01"]),
            ],
        ),
        (
            "2026年部门支出预算表",
            &["科目编码", "合计", "基本支出", "项目支出"],
            &[
                (2013201.0, &["1,234,567.89", "1,000,000.00", "234,567.89"]),
                (2080501.0, &["10,000.01", "10,000.01", "-"]),
            ],
        ),
        (
            "2026年一般公共预算支出表",
            &["科目编码", "合计", "基本支出", "项目支出"],
            &[
                (2013201.0, &["1,234,567.89", "1,000,000.00", "234,567.89"]),
                (2080501.0, &["10,000.01", "10,000.01", ""]),
            ],
        ),
    ];
    for (title, heads, rows) in sheets {
        let ws = book.add_worksheet();
        ws.write(0, 0, title).unwrap();
        ws.write(1, 0, "部门名称：某局").unwrap();
        ws.write(1, 3, "单位：元").unwrap();
        for (j, h) in heads.iter().enumerate() {
            ws.write(2, j as u16, *h).unwrap();
        }
        ws.write(3, 0, "总计").unwrap();
        for (i, (code, cells)) in rows.iter().enumerate() {
            let r = 4 + i as u32;
            ws.write_number(r, 0, *code).unwrap();
            for (j, c) in cells.iter().enumerate() {
                ws.write_string(r, 1 + j as u16, *c).unwrap();
            }
        }
    }
    let imported =
        yusuan::workbook::import_workbook("hand.xlsx", &book.save_to_buffer().unwrap(), None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    let toml = &imported.toml;
    assert!(
        toml.contains("name = \"某局\"\nyear = 2026\nunit = \"元\""),
        "{toml}"
    );
    assert!(
        toml.contains("code = \"2013201\"\nsource = \"一般公共预算\"\nbasic = 1000000.00\nproject = 234567.89\n"),
        "{toml}"
    );
    assert!(
        toml.contains("code = \"2080501\"\nsource = \"一般公共预算\"\nbasic = 10000.01\n"),
        "{toml}"
    );
    let checked = yusuan::check_str("hand.toml", toml).ok().unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let lines: Vec<_> = checked
        .budget
        .lines
        .iter()
        .map(|l| (l.code.as_str(), l.name.as_str()))
        .collect();
    assert_eq!(
        lines,
        [("2013201", "行政运行"), ("2080501", "行政单位离退休")]
    );
}

/// A workbook whose `lines` and `projects` columns were moved by hand, with
/// a column added: every column is still read by its header, and a cell
/// that cannot be read is named at its place in the edited sheet.
#[test]
fn data_columns_are_read_by_their_headers_not_their_places() {
    let original = tables_part("kaiping-2024");
    let checked = yusuan::check_str("t.toml", &original).ok().unwrap();
    let imported =
        yusuan::workbook::import_workbook("moved.xlsx", &moved(&checked, None), None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    assert!(!imported.toml.contains("手工加的列"), "{}", imported.toml);
    assert!(
        imported.toml.contains("code = \"2013299\"\nname = \"其他组织事务支出\"\nsource = \"一般公共预算\"\nproject = 1936.00\n"),
        "{}",
        imported.toml
    );
    let before = pages_of("kaiping", &original);
    let after = pages_of("imported.toml", &imported.toml);
    assert_eq!(before.len(), 28);
    assert_eq!(before, after);
    // 基本支出 of the first line (2013201), now in column K (13 columns
    // reversed, one added in front) of row 2.
    let book = moved(&checked, Some("abc"));
    let imported = yusuan::workbook::import_workbook("moved.xlsx", &book, None, None);
    let messages: Vec<&str> = imported
        .diags
        .items
        .iter()
        .map(|d| d.message.zh.as_str())
        .collect();
    assert_eq!(
        messages,
        ["工作表「lines」单元格 K2：不是金额，未导入：abc"]
    );
}

/// The exported workbook of `checked` with the `lines` and `projects`
/// columns reversed and a column added in front; `bad` replaces the first
/// line's 基本支出.
fn moved(checked: &yusuan::Checked, bad: Option<&str>) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for sheet in yusuan::export::sheets(checked) {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).unwrap();
        let edited = sheet.name == "lines" || sheet.name == "projects";
        for (i, row) in sheet.rows.iter().enumerate() {
            let mut cells: Vec<String> = row.clone();
            if let (Some(bad), "lines", 1) = (bad, sheet.name.as_str(), i) {
                cells[3] = bad.to_string();
            }
            if edited {
                cells.reverse();
                cells.insert(
                    0,
                    if i == 0 {
                        "备注".into()
                    } else {
                        "手工加的列".into()
                    },
                );
            }
            for (j, cell) in cells.iter().enumerate() {
                ws.write_string(i as u32, j as u16, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The warnings' messages of an import, in Chinese.
fn warnings(imported: &yusuan::import::Imported) -> Vec<String> {
    imported
        .diags
        .items
        .iter()
        .map(|d| d.message.zh.clone())
        .collect()
}

#[test]
fn text_amounts_are_read_as_strictly_as_the_toml_loader_reads_them() {
    let original = kaiping_tables();
    // 支出总表's 合计 row, 基本支出 column (D5): "10,5" is no 105, "4,52.03" no 452.03.
    for bad in ["10,5", "4,52.03", "1.2.3", ",528.62", "528.62,"] {
        let book = budget_system_book(&original, Some((3, 1, 3, bad)));
        let imported = yusuan::workbook::import_workbook("k.xlsx", &book, None, None);
        let w = warnings(&imported);
        assert!(
            w.contains(&format!("工作表「表3」单元格 D5：不是金额，未导入：{bad}")),
            "{bad}: {w:?}"
        );
        assert!(
            imported
                .toml
                .contains(&format!("# NOT IMPORTED 表3!D5 (不是金额): {bad}")),
            "{bad}"
        );
    }
    // Well-grouped separators are amounts.
    let book = budget_system_book(&original, Some((3, 1, 3, "528.62")));
    let imported = yusuan::workbook::import_workbook("k.xlsx", &book, None, None);
    assert!(
        !imported.toml.contains("NOT IMPORTED 表3"),
        "{}",
        imported.toml
    );
    for (text, value) in [
        ("1,234,567.89", "1234567.89"),
        ("-12,345", "-12345.00"),
        ("528.62", "528.62"),
    ] {
        let book = budget_system_book(&original, Some((3, 1, 3, text)));
        let imported = yusuan::workbook::import_workbook("k.xlsx", &book, None, None);
        assert!(
            imported
                .toml
                .contains(&format!("total = 5464.38, basic = {value},")),
            "{text}: {}",
            imported.toml
        );
    }
}

#[test]
fn a_formula_never_calculated_or_a_date_is_no_amount_and_says_why() {
    let original = kaiping_tables();
    // 支出总表's 合计 row, 基本支出 column (D5): never read as 0.
    let book = budget_system_book(&original, Some((3, 1, 3, "=SUM(D6:D20)")));
    let imported = yusuan::workbook::import_workbook("k.xlsx", &book, None, None);
    let w = warnings(&imported);
    assert!(
        w.contains(&"工作表「表3」单元格 D5：是没有计算结果的公式（请在 Excel 或 WPS 中打开并保存后再导入），未导入：=SUM(D6:D20)".to_string()),
        "{w:?}"
    );
    let book = budget_system_book(&original, Some((3, 1, 3, "date:528.62")));
    let imported = yusuan::workbook::import_workbook("k.xlsx", &book, None, None);
    let w = warnings(&imported);
    assert!(
        w.contains(&"工作表「表3」单元格 D5：是日期格式，不是金额（请把单元格格式改为数值），未导入：528.62".to_string()),
        "{w:?}"
    );
    assert!(
        imported.toml.contains("# NOT IMPORTED 表3!D5 (是日期格式"),
        "{}",
        imported.toml
    );
}

/// `book` with every `from` in its part `part` (an XML file) replaced by `to`.
fn rewrite(book: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = vec![];
        f.read_to_end(&mut text).unwrap();
        if name == part {
            let t = String::from_utf8(text).unwrap();
            assert!(t.contains(from), "{from} in {part}: {t}");
            text = t.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_sheet_that_cannot_be_read_or_a_table_twice_stops_the_import() {
    let original = kaiping_tables();
    let book = budget_system_book(&original, None);
    // 表6's XML broken: nothing imported, not an empty 基本支出表.
    let broken = rewrite(&book, "xl/worksheets/sheet6.xml", "</c>", "</d>");
    let imported = yusuan::workbook::import_workbook("k.xlsx", &broken, None, None);
    assert!(imported.diags.has_errors(), "{}", imported.diags);
    assert!(imported.toml.is_empty());
    assert!(
        warnings(&imported)[0].starts_with("工作表「表6」无法读取："),
        "{:?}",
        warnings(&imported)
    );
    // A shared string that does not exist.
    let broken = rewrite(
        &book,
        "xl/worksheets/sheet6.xml",
        "t=\"s\"><v>",
        "t=\"s\"><v>9999",
    );
    let imported = yusuan::workbook::import_workbook("k.xlsx", &broken, None, None);
    assert!(imported.diags.has_errors(), "{}", imported.diags);
    assert!(imported.toml.is_empty());
    // A missing part.
    let broken = rewrite(
        &book,
        "xl/_rels/workbook.xml.rels",
        "worksheets/sheet6.xml",
        "worksheets/sheet66.xml",
    );
    let imported = yusuan::workbook::import_workbook("k.xlsx", &broken, None, None);
    assert!(imported.diags.has_errors(), "{}", imported.diags);
    assert!(imported.toml.is_empty());
    // 表6 twice (the second a hidden older copy): which one is meant cannot be told.
    let twice = rewrite(
        &book,
        "xl/workbook.xml",
        "<sheet name=\"说明\"",
        "<sheet name=\"表6(旧)\" sheetId=\"99\" state=\"hidden\" r:id=\"rId6\"/><sheet name=\"说明\"",
    );
    let imported = yusuan::workbook::import_workbook("k.xlsx", &twice, None, None);
    assert_eq!(
        warnings(&imported),
        [
            "工作表「表6」和「表6(旧)」（隐藏）是同一张表（一般公共预算基本支出表），不知道该用哪一张；请删除多余的一张后再导入"
        ]
    );
    assert!(imported.diags.has_errors());
    assert!(imported.toml.is_empty());
}

#[test]
fn a_code_on_two_rows_or_tables_that_disagree_are_reported_with_their_rows() {
    let original = kaiping_tables();
    let book = budget_system_book(&original, None);
    let imported = yusuan::workbook::import_workbook("k.xlsx", &book, None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    // 2013299 (其他组织事务支出) given the code of the row above it, 2013201.
    let sheet5 = rewrite(
        &book,
        "xl/sharedStrings.xml",
        "<t>2013299</t>",
        "<t>2013201</t>",
    );
    let imported = yusuan::workbook::import_workbook("k.xlsx", &sheet5, None, None);
    assert!(imported.diags.has_errors(), "{}", imported.diags);
    let w = warnings(&imported);
    assert!(
        w.iter()
            .any(|m| m.contains("第") && m.contains("是同一个编码 2013201")),
        "{w:?}"
    );
    // 表5 gives 行政运行 452.00 where 表3 spends 452.03 on it: reported, not split by guess.
    let disagree = rewrite(
        &book,
        "xl/worksheets/sheet5.xml",
        "<v>452.03</v>",
        "<v>452</v>",
    );
    let imported = yusuan::workbook::import_workbook("k.xlsx", &disagree, None, None);
    let w = warnings(&imported);
    assert!(
        w.contains(&"项 2013201：按资金来源列出的金额（工作表「表5」第 7 行、工作表「表2」第 8 行）少于支出总表列出的支出（工作表「表3」第 8 行）；两张表不一致，无法拆分，未导入".to_string()),
        "{w:?}"
    );
    // `yusuan import` writes nothing when there is an error (tested with the command line).
    assert!(imported.diags.has_errors());
}

#[test]
fn a_workbook_that_inflates_past_the_cap_or_spans_the_sheet_is_refused_quickly() {
    use std::io::Write;
    // One cell at XFD1048576 beside a table: read as the cells that exist.
    let original = kaiping_tables();
    let book = budget_system_book(&original, None);
    let far = rewrite(
        &book,
        "xl/worksheets/sheet6.xml",
        "</sheetData>",
        "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>",
    );
    let imported = yusuan::workbook::import_workbook("k.xlsx", &far, None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    assert!(
        imported.toml.contains("\"合计\" = { total = 5464.38"),
        "{}",
        imported.toml
    );
    // A part that inflates to more than 512 MB.
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    out.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..520 {
        out.write_all(&zeros).unwrap();
    }
    let bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 3 << 20, "{}", bomb.len());
    let imported = yusuan::workbook::import_workbook("bomb.xlsx", &bomb, None, None);
    assert_eq!(
        warnings(&imported),
        ["工作簿解压后超过 512 MB，不是预算工作簿，未导入"]
    );
}

#[test]
fn the_workbook_carries_sangong_and_running_costs_exactly() {
    // A department in 元 that prints in 万元: 12,345.67 元 prints as 1.23 万元,
    // and must come back as 12,345.67, not 12,300.00.
    let text = "[department]\nname = \"甲\"\nyear = 2024\nunit = \"元\"\nprint_unit = \"万元\"\n\n\
                [[expenditure]]\ncode = \"2010101\"\nsource = \"一般公共预算\"\nbasic = 40000\n\n\
                [sangong]\nreception = 12345.67\nvehicle_operation = 1000.01\nrunning_costs = 23456.78\n";
    let book = export(text);
    let imported = yusuan::workbook::import_workbook("b.xlsx", &book, None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    let toml = &imported.toml;
    for figure in [
        "reception = 12345.67",
        "vehicle_operation = 1000.01",
        "running_costs = 23456.78",
    ] {
        assert!(toml.contains(figure), "{figure} in {toml}");
    }
}

#[test]
fn import_never_writes_over_its_own_input_and_sniffs_a_workbook_by_its_content() {
    let d = tempfile::tempdir().unwrap();
    let book = budget_system_book(&kaiping_tables(), None);
    let path = d.path().join("book.xlsx");
    std::fs::write(&path, &book).unwrap();
    let run = yusuan(&[&"import", &path, &"-o", &path]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("就是要导入的文件"), "{}", run.stderr);
    assert_eq!(std::fs::read(&path).unwrap(), book);
    // The same file under another name (a hard link).
    let link = d.path().join("book.toml");
    std::fs::hard_link(&path, &link).unwrap();
    let run = yusuan(&[&"import", &path, &"-o", &link]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(std::fs::read(&path).unwrap(), book);
    // A workbook without its extension is still read as a workbook.
    let bare = d.path().join("导出");
    std::fs::write(&bare, &book).unwrap();
    let out = d.path().join("k.toml");
    yusuan(&[&"import", &bare, &"-o", &out]).ok();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("year = 2024")
    );
}

use crate::common::Rng;

/// The amounts a file's lines carry (`basic = 452.03`, …), sorted: what
/// must not change unseen.
fn line_amounts(toml: &str) -> Vec<String> {
    let mut out: Vec<String> = toml
        .lines()
        .filter(|l| {
            l.split_once(" = ").is_some_and(|(k, v)| {
                k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && v.starts_with(|c: char| c.is_ascii_digit() || c == '-')
            })
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

/// Imports `book`: never a panic; and when it imports without an error,
/// either `check` finds an error or every amount is the one `expected` has.
fn import_holds(what: &str, book: &[u8], expected: Option<&[String]>) {
    let imported = std::panic::catch_unwind(|| {
        yusuan::workbook::import_workbook("fuzz.xlsx", book, Some(2024), None)
    })
    .unwrap_or_else(|_| panic!("{what}: import panicked"));
    if imported.diags.has_errors() {
        return;
    }
    let Some(expected) = expected else { return };
    let checked = std::panic::catch_unwind(|| yusuan::check_str("fuzz.toml", &imported.toml))
        .unwrap_or_else(|_| panic!("{what}: check panicked"));
    let caught = match &checked {
        Ok(c) => c.diags.has_errors(),
        Err(_) => true,
    };
    if !caught {
        assert_eq!(
            line_amounts(&imported.toml),
            expected,
            "{what}: imported without an error, checked clean, but its amounts changed:\n{}",
            imported.toml
        );
    }
}

/// `book`'s zip with one part changed by `f` (or left out when it gives None).
fn with_part(book: &[u8], part: usize, f: &mut dyn FnMut(Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f0 = zip.by_index(i).unwrap();
        let name = f0.name().unwrap().to_string();
        let mut bytes = vec![];
        f0.read_to_end(&mut bytes).unwrap();
        let bytes = if i == part { f(bytes) } else { Some(bytes) };
        if let Some(bytes) = bytes {
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// Workbooks broken at random — parts left out, cut short, doubled, bytes
/// changed, whole zips cut — and workbooks of random cells: no panic ever,
/// and never a clean import and check with a figure lost or changed.
/// Bounded: about 20 seconds whatever the machine.
#[test]
fn import_survives_random_workbooks() {
    let start = std::time::Instant::now();
    let budget = std::time::Duration::from_secs(20);
    let base = budget_system_book(&kaiping_tables(), None);
    let clean = yusuan::workbook::import_workbook("k.xlsx", &base, Some(2024), None);
    assert!(!clean.diags.has_errors(), "{}", clean.diags);
    let expected = line_amounts(&clean.toml);
    assert!(expected.len() > 20, "{expected:?}");
    let parts = zip::ZipArchive::new(std::io::Cursor::new(&base[..]))
        .unwrap()
        .len();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut cases = 0;
    while start.elapsed() < budget && cases < 400 {
        cases += 1;
        let part = rng.below(parts);
        let kind = rng.below(6);
        let seed = rng.next();
        let mut r = Rng(seed | 1);
        let book = match kind {
            0 => with_part(&base, part, &mut |_| None),
            1 => with_part(&base, part, &mut |b| {
                Some(b[..r.below(b.len() + 1)].to_vec())
            }),
            2 => with_part(&base, part, &mut |mut b| {
                for _ in 0..1 + r.below(3) {
                    if !b.is_empty() {
                        let i = r.below(b.len());
                        b[i] = (r.next() & 0x7F) as u8;
                    }
                }
                Some(b)
            }),
            3 => with_part(&base, part, &mut |b| Some([b.clone(), b].concat())),
            4 => base[..r.below(base.len())].to_vec(),
            _ => random_book(&mut r),
        };
        let what = format!("case {cases} (kind {kind}, part {part}, seed {seed:#x})");
        // A random book has no known figures; a broken one must keep kaiping's.
        let known = (kind != 5).then_some(expected.as_slice());
        import_holds(&what, &book, known);
    }
    eprintln!("{cases} random workbooks imported");
    assert!(cases >= 30, "only {cases} cases in {budget:?}");
}

/// A workbook of random sheets: table titles or none, cells of every type
/// (numbers, text amounts with commas, codes, formulas, dates, booleans) at
/// random places, a few far out.
fn random_book(r: &mut Rng) -> Vec<u8> {
    let titles = [
        "2024年部门收支总表",
        "2024年部门收入总表",
        "2024年部门支出总表",
        "2024年一般公共预算支出表",
        "2024年一般公共预算基本支出表",
        "2024年“三公”经费支出预算表",
        "项目支出绩效目标表",
        "说明",
    ];
    let texts = [
        "合计",
        "2013201",
        "201",
        "20132",
        "行政运行",
        "基本支出",
        "项目支出",
        "人员经费",
        "公用经费",
        "单位：万元",
        "部门名称：203测试",
        "10,5",
        "4,52.03",
        "1,234.50",
        "-",
        "其中：",
        "类",
        "款",
        "项",
        "财政拨款",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for s in 0..1 + r.below(4) {
        let ws = book.add_worksheet();
        ws.set_name(format!("表{s}")).unwrap();
        ws.write(0, 0, titles[r.below(titles.len())]).unwrap();
        for _ in 0..r.below(60) {
            let (row, col) = if r.below(20) == 0 {
                (r.below(1_048_576) as u32, r.below(16_384) as u16)
            } else {
                (1 + r.below(30) as u32, r.below(8) as u16)
            };
            let _ = match r.below(6) {
                0 => ws.write_number(row, col, (r.below(1_000_000) as f64) / 100.0),
                1 => ws.write_string(row, col, texts[r.below(texts.len())]),
                2 => ws.write_formula(row, col, "=SUM(A1:A3)"),
                3 => ws.write_number_with_format(row, col, r.below(50_000) as f64, &date),
                4 => ws.write_boolean(row, col, r.below(2) == 0),
                _ => ws.write_string(row, col, format!("{}", r.below(10_000_000))),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

/// Workbooks made cell by cell as a budget system lays them out, in the
/// two older formats (tests/data/make_workbooks.py, never from `--emit
/// xlsx`): `.xls` (BIFF8) and `.ods`. Both read to the same lines, the
/// figures the script's arithmetic gives: 452.03 basic, 1,936.00 project,
/// 人员 300.00 + 公用 152.03; the file checks clean and prints its total.
#[test]
fn xls_and_ods_laid_out_by_a_budget_system_import_to_the_same_lines() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut tomls = vec![];
    for ext in ["xls", "ods"] {
        let bytes = std::fs::read(data.join(format!("budget-system.{ext}"))).unwrap();
        let imported = yusuan::workbook::import_workbook("b", &bytes, None, None);
        assert!(!imported.diags.has_errors(), "{ext}: {}", imported.diags);
        assert!(imported.diags.items.is_empty(), "{ext}: {}", imported.diags);
        let toml = imported.toml;
        for part in [
            "code = \"203\"\nname = \"中国共产党唐山市开平区委员会组织部\"\nyear = 2024\nunit = \"万元\"",
            // 项 stored as the number 1 under 类 201 and 款 32: 2013201.
            "code = \"2013201\"\nname = \"行政运行\"\nsource = \"一般公共预算\"\nbasic = 452.03\n",
            // "1,936.00" as text, "-" as nothing.
            "code = \"2013299\"\nname = \"其他组织事务支出\"\nsource = \"一般公共预算\"\nproject = 1936.00\n",
            "code = \"30101\"\nname = \"基本工资\"\namount = 300.00\nkind = \"人员经费\"",
            "code = \"30201\"\nname = \"办公费\"\namount = 152.03\nkind = \"公用经费\"",
            "\"basic\" = \"注：本表反映一般公共预算财政拨款基本支出。\"",
            "\"合计\" = { total = 2388.03, basic = 452.03, project = 1936.00 }",
        ] {
            assert!(toml.contains(part), "{ext}: {part}\n{toml}");
        }
        let checked = yusuan::check_str("b.toml", &toml).ok().unwrap();
        assert!(checked.diags.items.is_empty(), "{ext}: {}", checked.diags);
        let all: String = pages_of("b.toml", &toml).concat();
        assert!(all.contains("2388.03") || all.contains("2,388.03"), "{ext}");
        tomls.push(toml.lines().skip(1).collect::<Vec<_>>().join("\n"));
    }
    assert_eq!(tomls[0], tomls[1]);
}

#[test]
fn a_budget_systems_detail_sheet_imports_as_facts() {
    // A 预算管理一体化 export: one record per row, its own column order and
    // header names, codes with their names, a total in 元.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("预算明细").unwrap();
    let head = [
        "单位编码",
        "支出功能分类",
        "经济分类",
        "政府预算支出经济分类",
        "资金性质",
        "支出类别",
        "项目",
        "预算数",
    ];
    for (j, h) in head.iter().enumerate() {
        ws.write(0, j as u16, *h).unwrap();
    }
    let rows: [[&str; 8]; 5] = [
        [
            "271001",
            "2013201 行政运行",
            "30101 基本工资",
            "50101",
            "一般公共预算",
            "人员经费",
            "",
            "1,000,000.00",
        ],
        [
            "271001",
            "2013201 行政运行",
            "30201 办公费",
            "50201",
            "一般公共预算",
            "公用经费",
            "",
            "200,000.00",
        ],
        [
            "271002",
            "2013299 其他组织事务支出",
            "30201 办公费",
            "50201",
            "一般公共预算",
            "项目支出",
            "信息化建设",
            "302,500.00",
        ],
        [
            "271002",
            "2013299 其他组织事务支出",
            "31002 办公设备购置",
            "50306",
            "事业收入",
            "项目支出",
            "信息化建设",
            "120,000.00",
        ],
        [
            "271001",
            "2013299 其他组织事务支出",
            "30227 委托业务费",
            "50205",
            "一般公共预算",
            "项目支出",
            "专项调研",
            "55,000.00",
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            ws.write_string(1 + i as u32, j as u16, *c).unwrap();
        }
    }
    settings_sheet(&mut book, &[("录入单位", "元")]);
    let imported = yusuan::workbook::import_workbook(
        "system.xlsx",
        &book.save_to_buffer().unwrap(),
        None,
        None,
    );
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    assert_eq!(
        imported.toml.matches("[[fact]]").count(),
        5,
        "{}",
        imported.toml
    );
    assert!(
        imported.toml.contains("\n[[fact]]\nunit = \"271002\"\nfunction = \"2013299\"\neconomic = \"31002\"\ngovernment = \"50306\"\nsource = \"事业收入\"\nkind = \"项目支出\"\nproject = \"信息化建设\"\namount = 12"),
        "{}",
        imported.toml
    );
    let checked = yusuan::check_str("system.toml", &imported.toml).unwrap();
    assert!(
        !checked.diags.has_errors(),
        "{}\n{}",
        checked.diags,
        imported.toml
    );
    let t = checked.report.tables.as_ref().unwrap();
    // 万元: 基本 100 + 20, 项目 30.25 + 12 + 5.5.
    let total = |c: &str| t.expenditure.total().cells[c].normalize().to_string();
    assert_eq!(
        (total("total"), total("basic"), total("project")),
        ("167.75".into(), "120".into(), "47.75".into())
    );
    assert_eq!(checked.budget.facts.len(), 5);
    let units: std::collections::BTreeSet<_> = checked
        .budget
        .facts
        .iter()
        .filter_map(|f| f.unit.as_deref())
        .collect();
    assert_eq!(units.into_iter().collect::<Vec<_>>(), ["271001", "271002"]);
}

/// Each diagnostic of an imported file with the workbook cell it came from.
fn cells_of(imported: &yusuan::import::Imported) -> Vec<(String, String, String)> {
    let checked = yusuan::check_str("imported.toml", &imported.toml)
        .ok()
        .unwrap();
    checked
        .diags
        .items
        .iter()
        .map(|d| {
            let at = d.span.as_ref().and_then(|s| {
                yusuan::import::origin_of(&imported.origins, &imported.toml, s.start)
            });
            (
                d.rule.to_string(),
                at.map_or(String::new(), |o| o.cell.clone()),
                d.message.zh.clone(),
            )
        })
        .collect()
}

#[test]
fn yusuans_own_workbook_keeps_the_printed_figures_and_names_their_cells() {
    let checked = yusuan::check_file(std::path::Path::new("examples/kaiping-2024.toml"))
        .ok()
        .unwrap();
    let book = yusuan::export::xlsx(&checked).unwrap();
    let imported = yusuan::workbook::import_workbook("kaiping.xlsx", &book, None, None);
    // The seed's printed totals travel in the `declared` sheet: the same 11
    // warnings as the TOML, each at a cell.
    let found = cells_of(&imported);
    assert_eq!(found.len(), 11, "{found:?}");
    assert!(
        found.iter().all(|(_, cell, _)| !cell.is_empty()),
        "{found:?}"
    );
    let has = |rule: &str, cell: &str, start: &str| {
        found
            .iter()
            .any(|(r, c, m)| r == rule && c == cell && m.starts_with(start))
    };
    // declared sheet: header, then basic's rows in key order (301 personnel, 301 total, …).
    assert!(
        has(
            "R5",
            "declared!D2",
            "基本支出表 类 301 人员经费：申报 480.18"
        ),
        "{found:?}"
    );
    assert!(
        has(
            "R13",
            "sections!D4",
            "“基本支出528.62元”：表中为 528.62 万元（单位应为万元？）"
        ),
        "{found:?}"
    );
}

#[test]
fn a_budget_systems_slip_is_named_at_its_cell() {
    // 表6 (title, department, unit, header, 合计, then 301 on row 5), 人员经费 in column D.
    let book = budget_system_book(&kaiping_tables(), Some((6, 2, 3, "480.18")));
    let imported = yusuan::workbook::import_workbook("kaiping.xlsx", &book, None, None);
    let found = cells_of(&imported);
    assert!(
        found.iter().any(|(r, c, m)| r == "R5"
            && c == "表6!D5"
            && m == "基本支出表 类 301 人员经费：申报 480.18，各项合计 480.19，相差 0.01（尾差：9 项四舍五入，允许 ±0.05）"),
        "{found:?}"
    );
}

/// Issue 26, case 12: a budget system's detail export on two sheets (one
/// per 单位, no row in common), its amount columns headed with their unit
/// (`预算数（元）`, `上年数（元）`) and last year's amount beside this year's.
/// Both sheets are read, the unit is the header's (1,000,000.00 元 = 100 万元),
/// and each 上年数 is a last-year record (900,000.00 元 = 90 万元) — by hand.
#[test]
fn a_detail_export_on_two_sheets_with_last_years_amounts_and_its_unit_imports_whole() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let head = [
        "单位编码",
        "支出功能分类",
        "经济分类",
        "资金性质",
        "支出类别",
        "项目",
        "预算数（元）",
        "上年数（元）",
    ];
    let sheets: [(&str, &[[&str; 8]]); 2] = [
        (
            "271001",
            &[
                [
                    "271001",
                    "2013201 行政运行",
                    "30101",
                    "一般公共预算",
                    "人员经费",
                    "",
                    "1,000,000.00",
                    "900,000.00",
                ],
                [
                    "271001",
                    "2013201 行政运行",
                    "30201",
                    "一般公共预算",
                    "公用经费",
                    "",
                    "200,000.00",
                    "",
                ],
            ],
        ),
        (
            "271002",
            &[[
                "271002",
                "2013299 其他组织事务支出",
                "30201",
                "一般公共预算",
                "项目支出",
                "信息化建设",
                "302,500.00",
                "280,000.00",
            ]],
        ),
    ];
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (j, h) in head.iter().enumerate() {
            ws.write(0, j as u16, *h).unwrap();
        }
        for (i, row) in rows.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                ws.write_string(1 + i as u32, j as u16, *c).unwrap();
            }
        }
    }
    settings_sheet(&mut book, &[]);
    let bytes = book.save_to_buffer().unwrap();
    let imported = yusuan::workbook::import_workbook("system.xlsx", &bytes, None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    let toml = &imported.toml;
    assert_eq!(toml.matches("[[fact]]").count(), 5, "{toml}");
    assert_eq!(toml.matches("last_year = true\n").count(), 2, "{toml}");
    assert!(
        toml.contains("kind = \"人员经费\"\namount = 100.00\n"),
        "{toml}"
    );
    assert!(
        toml.contains("kind = \"人员经费\"\nlast_year = true\namount = 90.00\n"),
        "{toml}"
    );
    assert!(
        toml.contains("project = \"信息化建设\"\nlast_year = true\namount = 28.00\n"),
        "{toml}"
    );
    let checked = yusuan::check_str("system.toml", toml).unwrap();
    assert!(!checked.diags.has_errors(), "{}\n{toml}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    // 100 + 20 + 30.25 万元.
    let total = t.expenditure.total().cells["total"].normalize().to_string();
    assert_eq!(total, "150.25");
    // The same row on both sheets is a copy: refused, naming both.
    let mut copy = rust_xlsxwriter::Workbook::new();
    for name in ["a", "b"] {
        let ws = copy.add_worksheet();
        ws.set_name(name).unwrap();
        for (j, h) in head.iter().enumerate() {
            ws.write(0, j as u16, *h).unwrap();
        }
        for (j, c) in sheets[1].1[0].iter().enumerate() {
            ws.write_string(1, j as u16, *c).unwrap();
        }
    }
    let imported =
        yusuan::workbook::import_workbook("copy.xlsx", &copy.save_to_buffer().unwrap(), None, None);
    let messages: Vec<&str> = imported
        .diags
        .items
        .iter()
        .map(|d| d.message.zh.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("工作表「a」和「b」是同一张表")),
        "{messages:?}"
    );
}

/// Same input, same bytes: the workbook is dated 1 January of the budget
/// year (kaiping: 2024), never by the clock, so two exports a second apart
/// are identical (the downloads test once failed on exactly that).
#[test]
fn the_workbook_is_dated_by_the_budget_year_not_the_clock() {
    let text = std::fs::read_to_string(crate::common::example("kaiping-2024.toml")).unwrap();
    let bytes = export(&text);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut core = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("docProps/core.xml").unwrap(), &mut core)
        .unwrap();
    assert!(
        core.contains(">2024-01-01T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(export(&text) == bytes);
}

/// The `department` sheet of a detail export: 测试局, 2025, 万元, and `more`
/// settings after them.
fn settings_sheet(book: &mut rust_xlsxwriter::Workbook, more: &[(&str, &str)]) {
    let settings = book.add_worksheet();
    settings.set_name("department").unwrap();
    let base = [
        ("项", "值"),
        ("部门名称", "测试局"),
        ("预算年度", "2025"),
        ("金额单位", "万元"),
    ];
    for (i, (k, v)) in base.iter().chain(more).enumerate() {
        settings.write_string(i as u32, 0, *k).unwrap();
        settings.write_string(i as u32, 1, *v).unwrap();
    }
}

#[test]
fn a_damaged_or_inflating_workbook_is_refused_by_the_command_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.toml");
    let damaged = "无法读取工作簿：文件已损坏，或读取它需要超过 4 GiB 内存或 5 分钟（读取已中止）";
    // The budget system's .xls with four bytes after a record's header set to FF.
    let patched = |name: &str, header: [u8; 4], from: usize| {
        let mut bytes = std::fs::read("tests/data/budget-system.xls").unwrap();
        let at = bytes.windows(4).position(|w| w == header).unwrap();
        bytes[at + from..at + from + 4].copy_from_slice(&[0xFF; 4]);
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        file
    };
    // A cell's row and column (its first LABELSST record): 65,536 × 65,536
    // cells, 137 GB for calamine.
    let cell = patched("cell.xls", [0xFD, 0x00, 0x0A, 0x00], 4);
    // A sheet's DIMENSIONS declaring 4,294,967,295 rows.
    let dims = patched("dims.xls", [0x00, 0x02, 0x0E, 0x00], 8);
    // Read in a capped child: it ends there, refused in a second or two.
    let ods = dir.path().join("repeated.ods");
    std::fs::write(&ods, crate::serve::ods_bomb()).unwrap();
    for (file, said) in [
        (
            &cell,
            "工作簿的某张表伸到第 65536 行、第 65536 列，超过了 20000000 个单元格：文件已损坏或不是预算导出，未读取".to_string(),
        ),
        (
            &dims,
            "工作簿的某张表伸到第 4294967295 行、第 7 列，超过了 20000000 个单元格：文件已损坏或不是预算导出，未读取".to_string(),
        ),
        (&ods, damaged.to_string()),
    ] {
        let started = std::time::Instant::now();
        let run = yusuan(&[&"import", file, &"-o", &out]);
        assert_eq!(run.code, Some(1), "{}: {}", file.display(), run.stderr);
        assert!(run.stderr.contains(&said), "{}: {}", file.display(), run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(!out.exists());
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }
}

/// A detail export with 政府采购品目 and 项目类别 columns: each record keeps
/// both dimensions (what a pivot by 品目 or 类别 groups).
#[test]
fn a_detail_exports_procurement_and_category_columns_are_read() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let head = [
        "功能分类",
        "支出类型",
        "项目名称",
        "政府采购品目",
        "项目类别",
        "金额（元）",
    ];
    let rows = [
        [
            "2013299",
            "项目支出",
            "信息化建设",
            "A02010104 台式计算机",
            "专项业务类",
            "50,000.00",
        ],
        ["2013299", "项目支出", "运维", "", "运转类", "8,000.00"],
    ];
    let ws = book.add_worksheet();
    ws.set_name("明细").unwrap();
    for (j, h) in head.iter().enumerate() {
        ws.write(0, j as u16, *h).unwrap();
    }
    for (i, row) in rows.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            ws.write_string(1 + i as u32, j as u16, *c).unwrap();
        }
    }
    settings_sheet(&mut book, &[]);
    let bytes = book.save_to_buffer().unwrap();
    let imported = yusuan::workbook::import_workbook("d.xlsx", &bytes, None, None);
    assert!(!imported.diags.has_errors(), "{}", imported.diags);
    let toml = &imported.toml;
    assert!(
        toml.contains("project = \"信息化建设\"\nprocurement = \"A02010104 台式计算机\"\ncategory = \"专项业务类\"\namount = 5.00\n"),
        "{toml}"
    );
    assert!(
        toml.contains("project = \"运维\"\ncategory = \"运转类\"\namount = 0.80\n"),
        "{toml}"
    );
    let checked = yusuan::check_str("d.toml", toml).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let procured: Vec<_> = checked
        .budget
        .facts
        .iter()
        .filter_map(|f| f.procurement.as_deref())
        .collect();
    assert_eq!(procured, ["A02010104 台式计算机"]);
}

/// What `--emit xlsx` writes imports back whole: a 项 of exactly 100.00
/// (every amount column of its rows reads 100, a 3-digit number like a 类
/// code) keeps the code column headed 科目编码, and last year's 三公 by fund
/// comes back by fund.
#[test]
fn round_amounts_and_last_years_sangong_by_fund_survive_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.toml");
    std::fs::write(
        &file,
        "[department]\ncode = \"101\"\nname = \"测试部门\"\nyear = 2025\n\n[[expenditure]]\ncode = \"2013201\"\nbasic = 100.00\n\n[sangong]\nreception = 2.00\nvehicle_operation = { general = 3.00, fund = 1.00 }\nlast_year = { reception = 1.50, vehicle_operation = { general = 2.00, fund = 0.50 } }\n",
    )
    .unwrap();
    let book = dir.path().join("a.xlsx");
    let back = dir.path().join("b.toml");
    yusuan(&[&"render", &file, &"--emit", &"xlsx", &"-o", &book]).ok();
    yusuan(&[&"import", &book, &"-o", &back]).ok();
    let text = std::fs::read_to_string(&back).unwrap();
    assert!(
        text.contains(
            "last_year = { reception = 1.50, vehicle_operation = { general = 2.00, fund = 0.50 } }"
        ),
        "{text}"
    );
    let checked = yusuan::check_file(&back).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    assert_eq!(
        t.expenditure.total().cells["total"].normalize().to_string(),
        "100"
    );
    assert_eq!(
        t.sangong
            .last_year
            .get("vehicle_operation")
            .map(|v| v.normalize().to_string()),
        Some("2.5".into())
    );
}
