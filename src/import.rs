//! `yusuan import`: a 项目支出绩效目标表 in the list layout, pasted as
//! tab-separated text (what copying from Excel or a PDF gives), → a project
//! TOML file. Unit rows, project rows and the flattened 绩效指标 strings (both
//! the `,`/`;` and the `；`/`。` separator styles) are parsed back into
//! structure; whatever cannot be parsed is reported with its line.

use std::fmt::Write;

use crate::diag::{Diagnostic, Diagnostics};
use crate::projects::{LEVEL1, LEVEL2, level1_code, level2_code};
use crate::text;

/// One indicator read back from a flattened 绩效指标 cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedIndicator {
    /// 一级 name.
    pub level1: String,
    /// 二级 name (list form, e.g. "社会效益").
    pub level2: String,
    /// 三级 name.
    pub name: String,
    /// 实施周期指标值.
    pub period_value: String,
    /// 年度指标值.
    pub value: String,
    /// Whether a level's code was malformed and its name was used ("3-1-产出指标", "12-数量指标").
    pub repaired: bool,
}

#[derive(Debug, Default)]
struct Row {
    line: usize,
    unread: Vec<String>,
    name: String,
    amounts: [Option<String>; 4],
    goal: String,
    indicators: Vec<ParsedIndicator>,
}

/// The result of an import: TOML text and what could not be read.
pub struct Imported {
    /// The project file.
    pub toml: String,
    /// Problems, each naming its line of the input.
    pub diags: Diagnostics,
    /// Projects written.
    pub projects: usize,
    /// Where in the workbook each imported figure came from, by its place
    /// in `toml` (empty for text input).
    pub origins: Vec<Origin>,
}

/// A value of the written TOML and the workbook cell it was read from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// The TOML line (1-based).
    pub line: usize,
    /// The byte the value starts at within its line (0-based).
    pub col: usize,
    /// The sheet and cell: `表6!D7`.
    pub cell: String,
}

/// The cell a diagnostic at `offset` of `toml` came from: the origin on its
/// line at or before its column (else the line's first); on a line without
/// one (a `[[table]]` header), the first origin below it in the same block.
pub fn origin_of<'a>(origins: &'a [Origin], toml: &str, offset: usize) -> Option<&'a Origin> {
    let before = toml.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let col = offset - before.rfind('\n').map_or(0, |i| i + 1);
    let on_line: Vec<&Origin> = origins.iter().filter(|o| o.line == line).collect();
    if let Some(o) = on_line
        .iter()
        .rev()
        .find(|o| o.col <= col)
        .or(on_line.first())
    {
        return Some(o);
    }
    let block = toml[offset..]
        .split('\n')
        .take_while(|l| !l.trim().is_empty())
        .count();
    origins
        .iter()
        .filter(|o| o.line > line && o.line < line + block)
        .min_by_key(|o| (o.line, o.col))
}

/// Imports `text` (named `name` in messages). `year` overrides the title's year.
pub fn import_list(name: &str, text: &str, year: Option<i32>) -> Imported {
    let mut diags = Diagnostics::new(name, text);
    let mut title = None;
    let mut department = None;
    let mut unit_label = None;
    let mut total: Option<Row> = None;
    let mut units: Vec<(Row, Vec<Row>)> = vec![];
    let mut loose: Vec<Row> = vec![];
    let mut offset = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let span = offset..offset + raw.len();
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("项目名称") || is_page_footer(trimmed) {
            continue;
        }
        let first_cell = trimmed.split('\t').next().unwrap_or("").trim();
        if !line.contains('\t') || first_cell.starts_with("部门名称") {
            let trimmed = if line.contains('\t') {
                first_cell
            } else {
                trimmed
            };
            if trimmed.contains("绩效目标表") && title.is_none() {
                title = Some(trimmed.to_string());
                continue;
            }
            if let Some(rest) = trimmed
                .strip_prefix("部门名称")
                .map(|r| r.trim_start_matches([':', '：']))
            {
                let (dept, unit) = match rest.split_once("单位") {
                    Some((d, u)) => (d.trim(), Some(u.trim_start_matches([':', '：']).trim())),
                    None => (rest.trim(), None),
                };
                department = Some(dept.to_string());
                if let Some(u) = unit {
                    unit_label = Some(u.to_string());
                }
                continue;
            }
            if let Some(u) = trimmed.strip_prefix("单位") {
                unit_label = Some(u.trim_start_matches([':', '：']).trim().to_string());
                continue;
            }
            diags.push(Diagnostic::warning("import", Some(span), {
                let (n, t) = (i + 1, shorten(trimmed));
                text!(
                    "第 {n} 行不是表格行（没有制表符），已跳过：{t}",
                    "line {n}: not a table row (no tabs); skipped: {t}"
                )
            }));
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        let mut row = Row {
            line: i + 1,
            name: cells[0].to_string(),
            ..Row::default()
        };
        for (k, a) in row.amounts.iter_mut().enumerate() {
            let cell = cells.get(k + 1).copied().unwrap_or("");
            *a = parse_amount(cell, &mut diags, &span, i + 1);
            if a.is_none() && !cell.is_empty() {
                row.unread.push(format!(
                    "{} \"{cell}\"",
                    ["总计", "财政拨款", "财政专户拨款", "其他资金"][k]
                ));
            }
        }
        row.goal = cells.get(5).copied().unwrap_or("").to_string();
        let ind = cells.get(6).copied().unwrap_or("");
        let (parsed, leftover) = parse_indicators(ind);
        if !leftover.is_empty() {
            row.unread.push(format!("绩效指标 \"{leftover}\""));
            diags.push(Diagnostic::warning("import", Some(span.clone()), {
                let (n, t) = (i + 1, shorten(&leftover));
                text!(
                    "第 {n} 行：绩效指标单元格中有一部分无法读成指标：{t}",
                    "line {n}: part of the 绩效指标 cell could not be read as indicators: {t}"
                )
            }));
        }
        for ind in &parsed {
            if ind.repaired {
                diags.push(Diagnostic::warning(
                    "import",
                    Some(span.clone()),
                    {
                        let (n, name, l1, l2) = (i + 1, &ind.name, &ind.level1, &ind.level2);
                        text!(
                            "第 {n} 行：指标 \"{name}\" 的级别编码格式不对，已按名称读为 {l1}/{l2}",
                            "line {n}: indicator \"{name}\" has a malformed level code; read by its names as {l1}/{l2}"
                        )
                    },
                ));
            }
        }
        row.indicators = parsed;
        if cells.len() > 7 && cells[7..].iter().any(|c| !c.is_empty()) {
            diags.push(Diagnostic::warning("import", Some(span.clone()), {
                let (n, t) = (i + 1, shorten(&cells[7..].join(" ")));
                text!(
                    "第 {n} 行：第 7 列之后的单元格已忽略：{t}",
                    "line {n}: cells after the 7th column ignored: {t}"
                )
            }));
        }
        if row.name == "合计" {
            total = Some(row);
        } else if row.goal.is_empty() && ind.is_empty() {
            units.push((row, vec![]));
        } else if let Some(u) = units.last_mut() {
            u.1.push(row);
        } else {
            loose.push(row);
        }
    }

    let title_year = title.as_deref().and_then(find_year);
    let year = year.or(title_year);
    if year.is_none() {
        diags.push(Diagnostic::error(
            "import",
            None,
            text!(
                "标题中没有预算年度，请用 --year 给出",
                "no budget year in the title; give it with --year"
            ),
        ));
    }
    let dept_name = department.clone().or_else(|| {
        title.as_deref().map(|t| {
            t.split(|c: char| c.is_ascii_digit())
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
    });

    let fullwidth = text.contains("指标；") || text.contains("指标; ");
    let mut out = String::new();
    let _ = writeln!(out, "# Imported by `yusuan import` from {name}.");
    let _ = writeln!(
        out,
        "# 合计 and unit subtotals are kept as declared figures; yusuan computes its own."
    );
    let _ = writeln!(out, "\n[department]");
    let _ = writeln!(
        out,
        "name = {}",
        toml_str(dept_name.as_deref().unwrap_or(""))
    );
    let _ = writeln!(out, "year = {}", year.unwrap_or(0));
    if let Some(u) = &unit_label {
        let _ = writeln!(out, "unit = {}", toml_str(u));
        let _ = writeln!(out, "print_unit = {}", toml_str(u));
    }
    let _ = writeln!(out, "\n[projects]\nlayout = \"list\"");
    if fullwidth {
        let _ = writeln!(out, "indicator_style = \"fullwidth\"");
    }
    if let Some(t) = &title {
        let _ = writeln!(out, "title = {}", toml_str(t));
    }
    if let Some(d) = &department {
        let _ = writeln!(out, "department = {}", toml_str(d));
    }
    if let Some(t) = &total {
        for x in &t.unread {
            let _ = writeln!(out, "# NOT IMPORTED (line {}): {x}", t.line);
        }
        let _ = writeln!(out, "declared = {}", amounts_table(t));
    }
    for (u, _) in &units {
        let _ = writeln!(out, "\n[[units]]\nname = {}", toml_str(&u.name));
        for x in &u.unread {
            let _ = writeln!(out, "# NOT IMPORTED (line {}): {x}", u.line);
        }
        let _ = writeln!(out, "declared = {}", amounts_table(u));
    }
    let mut count = 0;
    let all = loose.iter().map(|p| (None, p)).chain(
        units
            .iter()
            .flat_map(|(u, ps)| ps.iter().map(move |p| (Some(&u.name), p))),
    );
    for (unit, p) in all {
        count += 1;
        let _ = writeln!(out, "\n[[project]]  # line {}", p.line);
        if let Some(u) = unit {
            let _ = writeln!(out, "unit = {}", toml_str(u));
        }
        let _ = writeln!(out, "name = {}", toml_str(&p.name));
        for u in &p.unread {
            let _ = writeln!(out, "# NOT IMPORTED (line {}): {u}", p.line);
        }
        for (key, a) in ["total", "fiscal", "special_account", "other"]
            .iter()
            .zip(&p.amounts)
        {
            if let Some(a) = a {
                let _ = writeln!(out, "{key} = {a}");
            }
        }
        if !p.goal.is_empty() {
            let _ = writeln!(out, "goal = {}", toml_str(&p.goal));
        }
        for ind in &p.indicators {
            let _ = writeln!(out, "[[project.indicator]]");
            let _ = writeln!(out, "level1 = {}", toml_str(&ind.level1));
            let _ = writeln!(out, "level2 = {}", toml_str(&ind.level2));
            let _ = writeln!(out, "name = {}", toml_str(&ind.name));
            if ind.period_value != ind.value {
                let _ = writeln!(out, "period_value = {}", toml_str(&ind.period_value));
            }
            let _ = writeln!(out, "value = {}", toml_str(&ind.value));
        }
    }
    if count == 0 {
        diags.push(Diagnostic::error(
            "import",
            None,
            text!(
                "没有找到项目行（应为以制表符分隔的 7 个单元格的行）",
                "no project rows found (expected tab-separated rows of 7 cells)"
            ),
        ));
    }
    Imported {
        toml: out,
        diags,
        projects: count,
        origins: vec![],
    }
}

fn is_page_footer(s: &str) -> bool {
    s.starts_with('第') && s.contains('页')
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

pub(crate) fn find_year(title: &str) -> Option<i32> {
    let chars: Vec<char> = title.chars().collect();
    chars.windows(5).find_map(|w| {
        let digits: String = w[..4].iter().collect();
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| digits.parse().ok())
            .flatten()
    })
}

/// "10,055.70" or OCR's "3, 986. 34" → "10055.70"; empty → None.
fn parse_amount(
    cell: &str,
    diags: &mut Diagnostics,
    span: &std::ops::Range<usize>,
    line: usize,
) -> Option<String> {
    let s: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    if s.is_empty() {
        return None;
    }
    if s.parse::<rust_decimal::Decimal>().is_ok() {
        Some(s)
    } else {
        diags.push(Diagnostic::warning(
            "import",
            Some(span.clone()),
            text!(
                "第 {line} 行：\"{cell}\" 不是金额，未导入，请手工填写",
                "line {line}: \"{cell}\" is not an amount; left out, please type it in"
            ),
        ));
        None
    }
}

fn amounts_table(row: &Row) -> String {
    let parts: Vec<String> = ["total", "fiscal", "special_account", "other"]
        .iter()
        .zip(&row.amounts)
        .filter_map(|(k, a)| a.as_ref().map(|a| format!("{k} = {a}")))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const SEPARATORS: &[char] = &[',', '，', ';', '；', '。', ' ', '\u{3000}'];

/// Parses a flattened 绩效指标 cell; returns the indicators and any text that
/// could not be read.
pub fn parse_indicators(cell: &str) -> (Vec<ParsedIndicator>, String) {
    let cell = cell.trim();
    if cell.is_empty() {
        return (vec![], String::new());
    }
    // Item starts: "N、<digit>" with N counting up from 1.
    let mut starts = vec![];
    let mut from = 0;
    for n in 1.. {
        let marker = format!("{n}、");
        let found = cell[from..]
            .match_indices(&marker)
            .map(|(i, _)| from + i)
            .find(|&i| {
                let after = &cell[i + marker.len()..];
                let before_ok = i == 0
                    || cell[..i].ends_with(SEPARATORS)
                    || !cell[..i].ends_with(|c: char| c.is_ascii_digit());
                before_ok && after.trim_start().starts_with(|c: char| c.is_ascii_digit())
            });
        match found {
            Some(i) => {
                starts.push((i, i + marker.len()));
                from = i + marker.len();
            }
            None => break,
        }
    }
    if starts.is_empty() {
        starts = unnumbered_starts(cell);
    }
    let mut out = vec![];
    let mut leftover = String::new();
    if starts.first().is_none_or(|s| s.0 > 0) {
        leftover.push_str(cell[..starts.first().map_or(cell.len(), |s| s.0)].trim());
    }
    for (k, &(_, body_start)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(cell.len(), |s| s.0);
        let body = &cell[body_start..end];
        match parse_item(body) {
            Some(ind) => out.push(ind),
            None => {
                if !leftover.is_empty() {
                    leftover.push(' ');
                }
                leftover.push_str(body.trim());
            }
        }
    }
    (out, leftover)
}

/// Item starts where OCR lost the "N、" numbers: each "<digit>-<一级 name>".
fn unnumbered_starts(cell: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![];
    for (i, _) in cell.char_indices() {
        let rest = &cell[i..];
        let Some(after_digit) = rest.strip_prefix(|c: char| c.is_ascii_digit()) else {
            continue;
        };
        let Some(name) = after_digit.trim_start().strip_prefix('-') else {
            continue;
        };
        let before_ok = i == 0 || !cell[..i].ends_with(|c: char| c.is_ascii_digit() || c == '-');
        if before_ok && LEVEL1.iter().any(|(_, n)| name.trim_start().starts_with(n)) {
            starts.push((i, i));
        }
    }
    starts
}

fn parse_item(body: &str) -> Option<ParsedIndicator> {
    let body = body.trim();
    let (l1, rest) = split_first_field(body)?;
    let (l2, rest) = split_first_field(rest)?;
    let c1 = level1_code(l1)?;
    let c2 = level2_code(l2)?;
    let level1 = LEVEL1.iter().find(|(c, _)| *c == c1)?.1.to_string();
    let level2 = LEVEL2.iter().find(|(c, ..)| *c == c2)?.1.to_string();
    let trim = |s: &str| {
        s.trim_matches(SEPARATORS)
            .trim_matches([':', '：'])
            .trim()
            .to_string()
    };
    let (name, period_value, value) = match split_at_label(rest, "实施周期指标值", false) {
        Some((before, after)) => {
            let (period, annual) = match split_at_label(after, "年度指标值", true) {
                Some((p, a)) => (trim(p), trim(a)),
                None => (trim(after), trim(after)),
            };
            (trim(before), period, annual)
        }
        None => match split_at_label(rest, "年度指标值", true) {
            Some((before, a)) => (trim(before), trim(a), trim(a)),
            None => (trim(rest), String::new(), String::new()),
        },
    };
    let code_of = |field: &str| field.split_once('-').map(|(c, _)| c.trim().to_string());
    let repaired = code_of(l1).is_some_and(|c| c != c1) || code_of(l2).is_some_and(|c| c != c2);
    Some(ParsedIndicator {
        level1,
        level2,
        name,
        period_value,
        value,
        repaired,
    })
}

/// "1-产出指标,rest" → ("1-产出指标", "rest").
fn split_first_field(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(SEPARATORS);
    let at = s.find([',', '，', ';', '；', ':', '：'])?;
    let sep_len = s[at..].chars().next()?.len_utf8();
    Some((s[..at].trim(), &s[at + sep_len..]))
}

/// Splits around `label` (its first occurrence, or its last when `last`),
/// dropping a ':' or '：' after it: "名;实施周期指标值:3次" → ("名;", "3次").
fn split_at_label<'a>(s: &'a str, label: &str, last: bool) -> Option<(&'a str, &'a str)> {
    let at = if last {
        s.rfind(label)?
    } else {
        s.find(label)?
    };
    let after = s[at + label.len()..].trim_start();
    let after = after.strip_prefix([':', '：']).unwrap_or(after);
    Some((&s[..at], after))
}

/// The text of a pasted or saved table, whatever Excel or WPS saved it as:
/// UTF-16 with its byte-order mark ("Unicode text"), UTF-8 (with or without
/// a BOM), or GB18030 (GBK). Returns the text and the encoding's name; bytes
/// that are none of these are an error, never garbled text.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return if had_errors {
            Err(format!("not valid {} text", encoding.name()))
        } else {
            Ok((text.into_owned(), encoding.name()))
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err("neither UTF-8, UTF-16 nor GB18030 text".into());
    }
    Ok((text.into_owned(), "GB18030"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_comma_semicolon_style() {
        let (v, rest) = parse_indicators(
            "1、1-产出指标,11-数量指标,举办公务员专题培训班;实施周期指标值:举办12期,年度指标值:举办12期;;2、2-效益指标,24-可持续影响,资金使用合理规范,提高资金使用效率;;实施周期指标值:规范,提高;;年度指标值:规范,提高;;3、3-满意度指标,31-服务对象满意度,走访;实施周期指标值:走访,20人次;;",
        );
        assert_eq!(rest, "");
        assert_eq!(v.len(), 3);
        assert_eq!(
            v[0],
            ParsedIndicator {
                level1: "产出指标".into(),
                level2: "数量指标".into(),
                name: "举办公务员专题培训班".into(),
                period_value: "举办12期".into(),
                value: "举办12期".into(),
                repaired: false,
            }
        );
        assert_eq!(v[1].name, "资金使用合理规范,提高资金使用效率");
        assert_eq!(
            (v[1].period_value.as_str(), v[1].value.as_str()),
            ("规范,提高", "规范,提高")
        );
        assert_eq!(
            (v[2].period_value.as_str(), v[2].value.as_str()),
            ("走访,20人次", "走访,20人次")
        );
    }

    #[test]
    fn reads_the_fullwidth_style_with_ocr_spaces() {
        let (v, rest) = parse_indicators(
            "1、1-产出指标; 12-质量指标; 补贴发放率; 实施周期指标值:100%; 年度指标值:100%。2、3-满意度指标；31-服务对象满意度；群众满意度；实施周期指标值:≥90%；年度指标值:≥90%。",
        );
        assert_eq!(rest, "");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].name, "补贴发放率");
        assert_eq!(v[0].value, "100%");
        assert_eq!(v[1].level2, "服务对象满意度");
        assert_eq!(v[1].value, "≥90%");
    }

    #[test]
    fn reads_items_whose_numbers_ocr_lost() {
        let (v, rest) = parse_indicators(
            "1-产出指标: 11-数量指标: 员工数: 实施周期指标值:4; 年度指标值:4。 1-产出指标: 12-质量指标; 合格率; 实施周期指标值:100%; 年度指标值:100%。",
        );
        assert_eq!(rest, "");
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].name.as_str(), v[0].value.as_str()), ("员工数", "4"));
        assert_eq!(
            (v[1].level2.as_str(), v[1].name.as_str()),
            ("质量指标", "合格率")
        );
    }

    #[test]
    fn unreadable_text_is_returned_not_dropped() {
        let (v, rest) = parse_indicators("见附件");
        assert!(v.is_empty());
        assert_eq!(rest, "见附件");
    }
}
