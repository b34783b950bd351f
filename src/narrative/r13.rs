//! Rule R13: the hand-written text of a document — its sections'
//! paragraphs and text tables — against the figures the narrative computes.
//! Sentences are read with the grammar of `crate::prose` (each comparison's
//! amount, base, change, percentage and basis); labels (支出预算, 基本支出,
//! the 三公 items…) and quoted 项 tie figures to the tables; every finding is
//! a warning at its place in the file: the text prints as written.

use std::ops::Range;

use rust_decimal::Decimal;

use super::{Change, Fig, LineView, Narrative, RENAMED, blocks, locate, performance};
use crate::diag::{Diagnostic, Diagnostics};
use crate::prose::{
    Direction, Written, last_chars, parse_number, sentences, written_figures, yuan_per,
};
use crate::text;

/// A label a hand-written sentence puts before a figure, and which figure it is.
const LABELS: &[(&str, &str)] = &[
    ("一般公共预算拨款支出预算", "general"),
    ("政府性基金拨款支出预算", "fund"),
    ("国有资本经营预算拨款支出预算", "soe"),
    ("财政拨款支出预算", "fiscal"),
    ("事业单位经营收入", "operating"),
    ("事业收入", "business"),
    ("其他收入", "other"),
    ("基金预算收入", "fund"),
    ("政府性基金预算收入", "fund"),
    ("国有资本经营预算收入", "soe"),
    ("财政专户核拨收入", "special"),
    ("单位资金收入", "unit_funds"),
    ("上年结转结余", "carryover"),
    ("一般公共预算收入", "general"),
    ("一般公共预算拨款收入", "general"),
    ("财政拨款收入", "fiscal"),
    ("一般公共预算财政拨款收入", "general"),
    ("政府性基金预算财政拨款收入", "fund"),
    ("国有资本经营预算财政拨款收入", "soe"),
    ("政府性基金预算支出", "fund"),
    ("财政拨款基本支出", "fiscal_basic"),
    ("预算收入", "income"),
    ("收入预算", "income"),
    ("支出预算", "expenditure"),
    ("预算支出", "expenditure"),
    ("预算收支安排", "income"),
    ("基本支出", "basic"),
    ("人员经费", "personnel"),
    ("日常公用经费", "public"),
    ("公用经费", "public"),
    ("项目支出", "project"),
    ("机关运行经费", "running_costs"),
    ("上年预算", "last_year"),
    ("政府采购预算总额", "procurement"),
    ("政府采购预算共", "procurement"),
    ("政府采购预算", "procurement"),
    ("政府采购货物预算", "procurement_goods"),
    ("政府采购货物类预算", "procurement_goods"),
    ("政府采购工程预算", "procurement_works"),
    ("政府采购工程类预算", "procurement_works"),
    ("政府采购服务预算", "procurement_services"),
    ("政府采购服务类预算", "procurement_services"),
    ("预留中小企业", "procurement_sme"),
    ("中小企业预留", "procurement_sme"),
    ("面向中小企业预留", "procurement_sme"),
];

/// 三公 labels: the figure is in [`Narrative::sangong`].
const SANGONG_LABELS: &[(&str, &str)] = &[
    ("“三公”经费", "total"),
    ("\"三公\"经费", "total"),
    ("因公出国（境）费", "abroad"),
    ("公务用车购置及运维费", "vehicle"),
    ("公务用车购置及运行费", "vehicle"),
    ("公务用车购置及运行维护费", "vehicle"),
    ("公务用车购置费", "vehicle_purchase"),
    ("公务用车运维费", "vehicle_operation"),
    ("公务用车运行费", "vehicle_operation"),
    ("公务用车运行维护费", "vehicle_operation"),
    ("公务接待费", "reception"),
    // Read so that the figure after them is theirs (not 预算支出's); the
    // narrative has no figure to compare them with.
    ("会议费", "meeting"),
    ("培训费", "training"),
];

/// The sentences a section's text table states, one per row (with the cell
/// of its figure, as written): its label (the cells that are not figures)
/// and its figure of this year's budget, in the unit its column or caption
/// names (`金额（万元）`), then the comparison its other columns state — last
/// year's (上年…, or an earlier year by number), the change (增减, 变动…, its
/// sign as 增加/减少) and the rate (…率, %, 幅度) — read by the same grammar
/// as prose. A row whose column of this year is not clear, or whose unit is
/// not written, states no amount read here. A 实施周期 in a column so headed,
/// or in the cell after one naming it, is read as written in prose.
pub(super) fn table_sentences(t: &crate::model::SectionTable) -> Vec<(String, String)> {
    let unit_of = |s: &str| {
        ["亿元", "万元", "元"].into_iter().find(|u| {
            s.contains(&format!("（{u}）"))
                || s.contains(&format!("({u})"))
                || s.contains(&format!("单位：{u}"))
        })
    };
    let figure = |c: &str| {
        let c = c.trim().replace(',', "");
        let c = c.trim_end_matches(['%', '％']);
        c.parse::<Decimal>().ok()
    };
    // What a column of figures holds, by its header: a rate, a change, last
    // year's, or (none of those) this year's amount.
    let has = |j: usize, words: &[&str]| {
        t.header
            .get(j)
            .is_some_and(|h| words.iter().any(|w| h.contains(w)))
    };
    let rate = |j: usize| has(j, &["率", "%", "％", "幅度"]);
    let change = |j: usize| !rate(j) && has(j, &["增减", "变动", "增长", "增加额", "减少额", "比"]);
    // A column of an earlier year by number (2025年预算数 beside 2026年预算数) is last year's.
    let year_of = |h: &str| {
        h.split(|c: char| !c.is_ascii_digit())
            .find(|d| d.len() == 4)
            .and_then(|d| d.parse::<i32>().ok())
    };
    let latest = t.header.iter().filter_map(|h| year_of(h)).max();
    let earlier = |j: usize| {
        t.header
            .get(j)
            .and_then(|h| year_of(h))
            .is_some_and(|y| Some(y) < latest)
    };
    let last = |j: usize| !rate(j) && !change(j) && (has(j, &["上年"]) || earlier(j));
    let caption_unit = t.caption.as_deref().and_then(unit_of);
    let mut out = vec![];
    // A 实施周期 the table states — a column headed so, or a cell naming it
    // and the cell after — read as the sentence `实施周期为…。` at its cell.
    let period_word = |c: &str| {
        ["实施周期", "项目期", "执行期限"]
            .into_iter()
            .find(|w| c.contains(w))
    };
    for row in &t.rows {
        for (j, cell) in row.iter().enumerate() {
            let word = t
                .header
                .get(j)
                .and_then(|h| period_word(h))
                .or_else(|| j.checked_sub(1).and_then(|k| period_word(&row[k])));
            if let Some(word) = word
                && period_word(cell).is_none()
                && cell.contains(|c: char| c.is_ascii_digit())
            {
                out.push((format!("{word}为{}。", cell.trim()), cell.clone()));
            }
        }
    }
    for row in &t.rows {
        let label: String = row
            .iter()
            .filter(|c| figure(c).is_none())
            .map(|c| c.trim())
            .collect();
        let figures: Vec<(usize, Decimal)> = row
            .iter()
            .enumerate()
            .filter_map(|(j, c)| Some((j, figure(c)?)))
            .collect();
        let columns: Vec<&(usize, Decimal)> = figures
            .iter()
            .filter(|(j, _)| !rate(*j) && !change(*j) && !last(*j))
            .collect();
        let chosen = match columns.as_slice() {
            [one] => Some(*one),
            many => many
                .iter()
                .copied()
                .find(|(j, _)| has(*j, &["预算", "金额"])),
        };
        let Some(&(j, _)) = chosen else { continue };
        let unit = t.header.get(j).and_then(|h| unit_of(h)).or(caption_unit);
        let (Some(unit), false) = (unit, label.is_empty()) else {
            continue;
        };
        let amount = row[j].trim().replace(',', "");
        let mut sentence = format!("{label}{amount}{unit}");
        // Last year's, the change and the rate a row gives, as the clauses
        // that state them (their signs as words).
        let find = |is: &dyn Fn(usize) -> bool| figures.iter().find(|(k, _)| is(*k)).map(|f| f.1);
        if let Some(y) = find(&last) {
            sentence.push_str(&format!("，上年{}{unit}", y.abs()));
        }
        if let Some(z) = find(&change) {
            let word = if z.is_sign_negative() && !z.is_zero() {
                "减少"
            } else if z.is_zero() {
                "变化"
            } else {
                "增加"
            };
            sentence.push_str(&format!("，{word}{}{unit}", z.abs()));
        }
        if let Some(p) = find(&rate) {
            sentence.push_str(&format!("，幅度{}%", p.abs()));
        }
        sentence.push('。');
        out.push((sentence, row[j].clone()));
    }
    out
}

/// R13: the figures, years, names and direction words of hand-written
/// `text` (at `span` in the file) against the computed figures.
pub(super) fn check_text(
    text: &str,
    span: Range<usize>,
    n: &Narrative,
    unknown: &[&str],
    year: i32,
    diags: &mut Diagnostics,
) {
    let mut found: Vec<(usize, usize, crate::diag::Text)> = vec![];
    mixed_bases(text, year, &mut found);
    // The sentence before, in the same paragraph: a reason may follow its
    // change after a full stop (`减少2.98%。主要原因是：……增加`).
    let mut previous: Option<(usize, &str)> = None;
    // A label whose sentence has no figure ("（二）公务接待费。") names the
    // figure the next sentence of its paragraph opens with, if that has no label.
    let mut carried: Option<Option<&Fig>> = None;
    let mut found_period: Vec<(usize, usize, String)> = vec![];
    for (start, sentence) in sentences(text) {
        let earlier = previous
            .filter(|(end, _)| !text[*end..start].contains("\n\n"))
            .map(|(_, s)| s);
        if earlier.is_none() {
            carried = None;
        }
        previous = Some((start + sentence.len(), sentence));
        let mut report = |at: usize, len: usize, t: crate::diag::Text| {
            found.push((start + at, len, t));
        };
        compared_year(sentence, year, &mut report);
        renamed_classes(sentence, &mut report);
        reason_contradicts(sentence, earlier, &mut report);
        let mut checked = vec![];
        labelled_figures(
            sentence,
            year,
            n,
            unknown,
            &mut carried,
            &mut checked,
            &mut report,
        );
        // A 功能分类 code with a digit missing (6 digits: no 类, 款 or 项 has six).
        six_digit_codes(sentence, &n.lines, &mut report);
        // A project's 实施周期 written in prose includes the budget year.
        if let Some((at, period, from, to)) = period_in(sentence)
            && !(from..=to).contains(&year)
        {
            found_period.push((start + at, period.len(), period.to_string()));
        }
        // The sentence against itself: its change and percentage from its own figures.
        let paragraph = &text[text[..start].rfind('\n').map_or(0, |i| i + 1)
            ..text[start..].find('\n').map_or(text.len(), |i| start + i)];
        self_consistent(
            sentence,
            (year, crate::prose::without_base(paragraph, year)),
            &checked,
            &mut report,
        );
        // A share of a named total.
        shares(sentence, n, unknown, &mut report);
        // A 决算's completion rate against its own two figures.
        completion_rate(sentence, &mut report);
        // 绩效目标 counts and money against the project tables.
        if let Some(p) = &n.projects {
            performance(sentence, p, &mut report);
        }
        quoted_item(sentence, year, n, &mut report);
    }
    quoted_in_blocks(text, year, n, &mut found);
    parts_in(text, &mut found);
    found.sort_by_key(|(at, _, _)| *at);
    found.dedup_by_key(|(at, _, _)| *at);
    for (at, len, message) in found {
        let place = locate(&diags.source, &span, text, at, len);
        // A warning: the text prints as written, and she decides.
        diags.push(Diagnostic::warning("R13", Some(place), message));
    }
    for (at, len, period) in found_period {
        let place = locate(&diags.source, &span, text, at, len);
        diags.push(Diagnostic::warning(
            "period",
            Some(place),
            text!(
                "文中的实施周期 {period} 不含预算年度 {year}：预算只安排项目期内的项目",
                "the 实施周期 {period} the text states does not include the budget year {year}: a budget funds projects within their period"
            ),
        ));
    }
}

/// A comparison with a year other than the one before the budget's
/// ("与"/"同" compare only when 相比 follows: "参与2023年…" compares nothing).
fn compared_year(
    sentence: &str,
    year: i32,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    for word in ["比", "较", "与", "同"] {
        let mut from = 0;
        while let Some(i) = sentence[from..].find(word) {
            let at = from + i + word.len();
            from = at;
            let digits: String = sentence[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let compares = matches!(word, "比" | "较")
                || sentence[at..]
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .contains("相比");
            if digits.len() == 4 && sentence[at + 4..].starts_with('年') && compares {
                let y: i32 = digits.parse().unwrap_or(0);
                if y != year - 1 {
                    let (quote, want) = (&sentence[at - word.len()..at + 7], year - 1);
                    report(
                        at - word.len(),
                        quote.len(),
                        text!(
                            "“{quote}”：{year}年预算比较的应是上一年（{want}年）",
                            "\"{quote}\": a {year} budget compares with the year before ({want})"
                        ),
                    );
                }
            }
        }
    }
}

/// A 类 named by its old name.
fn renamed_classes(sentence: &str, report: &mut dyn FnMut(usize, usize, crate::diag::Text)) {
    for (old, new) in RENAMED {
        if let Some(at) = sentence.find(old) {
            report(
                at,
                old.len(),
                text!(
                    "“{old}”已改名为“{new}”（支出功能分类）",
                    "\"{old}\" is now called \"{new}\" in the 支出功能分类"
                ),
            );
        }
    }
}

/// A decrease explained by an increase, or the reverse (the change may be
/// in the sentence before, `earlier`).
fn reason_contradicts(
    sentence: &str,
    earlier: Option<&str>,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    if let Some(reason) = sentence.find("原因") {
        let (before, after) = sentence.split_at(reason);
        let changes = ["增加", "减少", "增长", "下降"];
        let before = match earlier {
            Some(e) if !changes.iter().any(|w| before.contains(w)) => e,
            _ => before,
        };
        for (said, cause) in [
            ("减少", "增加"),
            ("增加", "减少"),
            ("下降", "增加"),
            ("增长", "减少"),
        ] {
            if before.contains(said)
                && !before.contains(cause)
                && after.contains(cause)
                && !after.contains(said)
            {
                report(
                    0,
                    sentence.len(),
                    text!(
                        "“{sentence}”：说的是{said}，给出的原因却是{cause}",
                        "\"{sentence}\": it says {said} (change) but gives a reason of {cause}"
                    ),
                );
            }
        }
    }
}

/// The labelled figures of a sentence (支出合计, 三公 items, …) against the
/// tables and last year's: amount, change and percentage. A label whose
/// sentence has no figure leaves it in `carried` for the next sentence.
fn labelled_figures<'a>(
    sentence: &str,
    year: i32,
    n: &'a Narrative,
    unknown: &[&str],
    carried: &mut Option<Option<&'a Fig>>,
    checked: &mut Vec<usize>,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    let mut hits = label_hits(sentence, n, unknown);
    let carry = carried.take();
    if hits.is_empty()
        && let Some(fig) = carry
    {
        hits.push((0, "", fig));
    } else if let Some(&(at, label, fig)) = hits.last()
        && written_figures(sentence).is_empty()
        && sentence[at + label.len()..]
            .trim_end_matches(['。', '；', '：', '\n'])
            .is_empty()
    {
        *carried = Some(fig);
    }
    let comparisons = crate::prose::comparisons(sentence, year);
    // A figure belongs to the first label before it ("“三公”经费预算支出10.10万元"
    // is the 三公 figure, not 预算支出's).
    let mut claimed: Vec<usize> = vec![];
    for (k, &(at, label, fig)) in hits.iter().enumerate() {
        let rest = &sentence[at + label.len()..];
        let Some((gap, number, unit, tail)) = figure_after(rest) else {
            continue;
        };
        // "基本支出主要包括人员经费400.00万元": a part named between a
        // label and the figure owns it.
        let next_at = hits.get(k + 1).map(|h| h.0);
        if ["包括", "其中", "含"].iter().any(|w| gap.contains(w))
            && next_at.is_some_and(|n| n < at + label.len() + gap.len())
        {
            continue;
        }
        let figure_at = at + label.len() + gap.len();
        if claimed.contains(&figure_at) {
            continue;
        }
        claimed.push(figure_at);
        // "基本支出预算300.00万元，上年预算254.39万元": 上年预算 after another
        // label is that figure's last year, not the document's.
        if label == "上年预算"
            && let Some(earlier) = hits[..k].iter().rev().find(|h| h.1 != "上年预算")
        {
            if let (Some(c), Some((written, places))) = (
                earlier.2.and_then(|f| f.change.as_ref()),
                parse_number(number),
            ) {
                let last: Decimal = c.last_year.replace(',', "").parse().unwrap_or_default();
                let factor = yuan_per(unit);
                if (written * factor - last * Decimal::from(10_000)).abs()
                    > factor * Decimal::new(5, places + 1)
                {
                    let (quote, of, right) = (
                        &sentence[at..figure_at + number.len() + tail.len()],
                        earlier.1,
                        &c.last_year,
                    );
                    report(
                        at,
                        quote.len(),
                        text!(
                            "“{quote}”：{of}的上年数为 {right} 万元",
                            "\"{quote}\": last year's {of} is {right} 万元"
                        ),
                    );
                }
            }
            continue;
        }
        let Some(fig) = fig else { continue };
        let end = hits.get(k + 1).map_or(sentence.len(), |h| h.0);
        // The comparison this figure is part of: the label's change
        // ("基本支出比上年增加45.61万元，增幅为20.00%") or its amount's
        // ("支出预算X万元，比上年增加Y万元，增长P%"), before the next label.
        let part = |f: Option<Written>| f.is_some_and(|f| f.at == figure_at);
        let stated = comparisons
            .iter()
            .find(|c| part(c.change) || part(c.percent) || (part(c.this) && c.word.at < end));
        let change_word = ["增加", "减少", "增长", "下降", "变化", "变动"]
            .iter()
            .any(|w| gap.contains(w));
        let amount = !(stated.is_some_and(|c| !part(c.this)) || unit == "%" || change_word);
        // The amount first: where it is not the tables', its change from
        // last year is that slip's too (one diagnostic per slip).
        let wrong =
            amount && wrong_amount(sentence, at, label, gap, (number, unit, tail), fig, report);
        if let (Some(stated), Some(change), false) = (stated, &fig.change, wrong) {
            against_last_year(sentence, at, stated, (change, &n.basis), report);
        }
        // Checked against the tables and last year's: not again against itself.
        if let Some(stated) = stated
            && (wrong || fig.change.is_some())
        {
            checked.push(stated.word.at);
        }
    }
}

/// The amount a label's figure states (`number` in `unit`, written `tail`
/// after its digits, `gap` after the label at `at`) against the tables':
/// whether it differs, named at the label (a 元 figure meant as 万元 says so;
/// a 决算's figure may quote its budget after 预算).
fn wrong_amount(
    sentence: &str,
    at: usize,
    label: &str,
    gap: &str,
    (number, unit, tail): (&str, &str, &str),
    fig: &Fig,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) -> bool {
    let Some((written, places)) = parse_number(number) else {
        return false;
    };
    let quote = &sentence[at..at + label.len() + gap.len() + number.len() + tail.len()];
    let factor = yuan_per(unit);
    let yuan = written * factor;
    let tolerance = factor * Decimal::new(5, places + 1);
    // "…预算为 76.43 万元" of a 决算's figure quotes its budget.
    let budget_said = fig.budget.is_some_and(|b| {
        gap.contains("预算") && !gap.contains("决算") && (yuan - b).abs() <= tolerance
    });
    if (yuan - fig.yuan).abs() <= tolerance || budget_said {
        return false;
    }
    let right = &fig.text;
    let hint = if !fig.yuan.is_zero()
        && unit == "元"
        && (yuan * Decimal::from(10_000) - fig.yuan).abs() <= fig.yuan.abs() / Decimal::ONE_HUNDRED
    {
        text!("（单位应为万元？）", " (is the unit 万元?)")
    } else {
        text!("", "")
    };
    let (hz, he) = (hint.zh, hint.en);
    report(
        at,
        quote.len(),
        text!(
            "“{quote}”：表中为 {right} 万元{hz}",
            "\"{quote}\": the tables say {right} 万元{he}"
        ),
    );
    true
}

/// Where the sentence names a labelled figure: each label's place, the
/// label, and its figure (`None` when not known). Overlapping labels name
/// one thing: the one that starts first, and of those the longest.
fn label_hits<'a>(
    sentence: &str,
    n: &'a Narrative,
    unknown: &[&str],
) -> Vec<(usize, &'static str, Option<&'a Fig>)> {
    let labels = LABELS
        .iter()
        .map(|(l, k)| (*l, n.figures.get(k).filter(|_| !unknown.contains(k))))
        .chain(SANGONG_LABELS.iter().map(|(l, k)| (*l, n.sangong.get(k))));
    let mut found_labels: Vec<(usize, &'static str, Option<&'a Fig>)> = vec![];
    for (label, fig) in labels {
        let mut from = 0;
        while let Some(i) = sentence[from..].find(label) {
            let at = from + i;
            from = at + label.len();
            // "涉及一般公共预算支出 1639.34 万元": the money some projects
            // involve, a part of the label's figure — its own, unchecked.
            let before: String = sentence[..at].chars().rev().take(8).collect();
            let fig = if before.contains("及涉") { None } else { fig };
            found_labels.push((at, label, fig));
        }
    }
    // Overlapping labels name one thing: the one that starts first, and
    // of those the longest ("基本支出预算" is 基本支出, not 支出预算).
    found_labels.sort_by_key(|(at, label, _)| (*at, std::cmp::Reverse(label.len())));
    let mut end = 0;
    let mut hits: Vec<(usize, &'static str, Option<&'a Fig>)> = vec![];
    for (at, label, fig) in found_labels {
        if at < end {
            continue; // part of a label already read
        }
        end = at + label.len();
        hits.push((at, label, fig));
    }
    hits
}

/// "…（类）…（款）…（项）”938.99万元": a 项 quoted with its amount.
fn quoted_item(
    sentence: &str,
    year: i32,
    n: &Narrative,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    if let Some(end) = sentence.find("（项）") {
        let (name_start, name, line) = item_before(sentence, end, &n.lines);
        let rest = sentence[end + "（项）".len()..].trim_start_matches(['”', '"', '」']);
        if let (Some(line), Some((gap, number, unit, tail))) = (line, figure_after(rest))
            && gap.is_empty()
            && let Some((written, places)) = parse_number(number)
        {
            let factor = yuan_per(unit);
            let figure_end = sentence.len() - rest.len() + number.len() + tail.len();
            if (written * factor - line.amount.yuan).abs() <= factor * Decimal::new(5, places + 1) {
                line_comparison(
                    sentence,
                    (year, &n.basis),
                    name_start,
                    figure_end,
                    line,
                    report,
                );
            } else {
                let (right, quote) = (&line.amount.text, format!("{name}（项）{number}{unit}"));
                report(
                    name_start,
                    end + "（项）".len() - name_start,
                    text!(
                        "“{quote}”：表中为 {right} 万元",
                        "\"{quote}\": the tables say {right} 万元"
                    ),
                );
            }
        }
    }
}

/// The comparison a quoted 项's amount is part of — the one whose amount
/// compared is the figure ending at byte `end` of `text` (quoted from
/// `from`) — against the 项's last year (`…（项）120.00万元，比2025年预算增加
/// 25.00万元` of a 项 that was 100.00).
fn line_comparison(
    text: &str,
    (year, basis): (i32, &str),
    from: usize,
    end: usize,
    line: &LineView,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    let Some(change) = &line.amount.change else {
        return;
    };
    for (at, sentence) in sentences(text) {
        if !(at..=at + sentence.len()).contains(&end) {
            continue;
        }
        let comparisons = crate::prose::comparisons(sentence, year);
        let own = |c: &&crate::prose::Comparison| c.this.is_some_and(|t| at + t.end() == end);
        if let Some(stated) = comparisons.iter().find(own) {
            let from = from.max(at) - at;
            against_last_year(sentence, from, stated, (change, basis), &mut |i, len, t| {
                report(at + i, len, t)
            });
        }
    }
}

/// The 项 named by `…（款）name（项）` ending at byte `end` of `text`: where
/// its name starts, the name, and the file's line of it (its 款 named before).
fn item_before<'a>(
    text: &'a str,
    end: usize,
    lines: &'a [LineView],
) -> (usize, &'a str, Option<&'a LineView>) {
    let head = &text[..end];
    let name_start = head.rfind(['）', ')']).map_or(0, |i| {
        i + head[i..].chars().next().map_or(1, char::len_utf8)
    });
    let name = head[name_start..].trim();
    let line = lines
        .iter()
        .find(|l| l.name == name && head.contains(&l.kuan));
    (name_start, name, line)
}

/// The other ways a 项 is quoted with its amount, and one 项 given two
/// amounts in one paragraph.
fn quoted_in_blocks(
    text: &str,
    year: i32,
    n: &Narrative,
    found: &mut Vec<(usize, usize, crate::diag::Text)>,
) {
    for (start, block) in blocks(text) {
        let hits = quoted_lines(block, &n.lines);
        // "该项预算安排X万元": the 项 quoted last before it in the paragraph.
        for word in ["该项", "此项", "该科目"] {
            for (i, _) in block.match_indices(word) {
                // Quoted in any style, or as …（款）name（项）.
                let quoted = hits
                    .iter()
                    .filter(|h| h.at + h.len <= i)
                    .map(|h| (h.at, h.line));
                let spelled = block[..i]
                    .match_indices("（项）")
                    .filter_map(|(e, _)| Some((e, item_before(block, e, &n.lines).2?)));
                let Some((_, line)) = quoted.chain(spelled).max_by_key(|(at, _)| *at) else {
                    continue;
                };
                let rest = &block[i + word.len()..];
                // Only its amount ("该项预算安排X万元"), never 该项目 or 该项工作….
                let Some((gap, number, unit, _)) = figure_after(rest) else {
                    continue;
                };
                if gap.chars().count() > 6
                    || !gap
                        .chars()
                        .all(|c| "预算安排支出数为共计合金额".contains(c))
                {
                    continue;
                }
                let Some((written, places)) = parse_number(number) else {
                    continue;
                };
                let factor = yuan_per(unit);
                if (written * factor - line.amount.yuan).abs()
                    > factor * Decimal::new(5, places + 1)
                {
                    // To the unit's end (past a space before it, as a PDF's text has).
                    let after = rest.find(number).map_or(0, |j| j + number.len());
                    let end = rest[after..]
                        .find(unit)
                        .map_or(after, |u| after + u + unit.len());
                    let quote = &rest[..end];
                    let (quote, name, right) =
                        (format!("{word}{quote}"), &line.name, &line.amount.text);
                    found.push((
                        start + i,
                        word.len() + end,
                        text!(
                            "“{quote}”：该项（{name}）表中为 {right} 万元",
                            "\"{quote}\": that 项 ({name}) is {right} 万元 in the tables"
                        ),
                    ));
                }
            }
        }
        let mut given: Vec<(&str, Decimal, usize)> = vec![];
        for hit in hits {
            let (at, len) = (start + hit.at, hit.len);
            let factor = yuan_per(hit.unit);
            let yuan = hit.value * factor;
            let quote = &block[hit.at..hit.at + hit.len];
            let before = given
                .iter()
                .find(|(code, v, _)| *code == hit.line.code && *v != yuan)
                .map(|(_, _, first)| block[*first..].chars().take(24).collect::<String>());
            if (yuan - hit.line.amount.yuan).abs() <= factor * Decimal::new(5, hit.places + 1) {
                let end = hit.at + hit.len;
                line_comparison(
                    block,
                    (year, &n.basis),
                    hit.at,
                    end,
                    hit.line,
                    &mut |at, len, t| found.push((start + at, len, t)),
                );
            } else {
                let right = &hit.line.amount.text;
                found.push((
                    at,
                    len,
                    match before {
                        // The same 项 quoted twice with two amounts: say so.
                        Some(was) => text!(
                            "“{quote}”：表中为 {right} 万元；本段前面另写了一个数（“{was}…”）",
                            "\"{quote}\": the tables say {right} 万元; this paragraph gave another figure before (\"{was}…\")"
                        ),
                        None => text!("“{quote}”：表中为 {right} 万元", "\"{quote}\": the tables say {right} 万元"),
                    },
                ));
            }
            if !given.iter().any(|(code, _, _)| *code == hit.line.code) {
                given.push((&hit.line.code, yuan, hit.at));
            }
        }
    }
}

/// "X万元，其中：A a万元，B b万元…" up to the full stop: the parts add up
/// to X — unless one of them is named above already (one slip, one message).
fn parts_in(text: &str, found: &mut Vec<(usize, usize, crate::diag::Text)>) {
    let mut start = 0;
    for piece in text.split_inclusive('。') {
        let inside = |at: &usize| (start..start + piece.len()).contains(at);
        if !found.iter().any(|(at, _, _)| inside(at))
            && let Some((at, len, t)) = parts_add_up(piece)
        {
            found.push((start + at, len, t));
        }
        start += piece.len();
    }
}

/// A 项 quoted in hand-written text with the amount right after it.
struct Quoted<'a> {
    at: usize,
    len: usize,
    line: &'a LineView,
    value: Decimal,
    places: u32,
    unit: &'static str,
}

/// The 项 a paragraph quotes with an amount, in the styles districts write
/// besides `…（项）X万元` (read with the labels): `行政运行（2014001）X万元`,
/// `…（208类）…（05款）…（01项）X万元` and `"类-款-项"科目X万元`.
fn quoted_lines<'a>(block: &str, lines: &'a [LineView]) -> Vec<Quoted<'a>> {
    let mut out = vec![];
    let mut push = |from: usize, end: usize, line: Option<&'a LineView>| {
        let Some(line) = line else { return };
        let rest = block[end..].trim_start_matches(['”', '"', '」', '’']);
        let rest = rest.strip_prefix("科目").unwrap_or(rest);
        let Some((gap, number, unit, tail)) = figure_after(rest) else {
            return;
        };
        if !["", "预算", "安排", "预算安排", "预算数", "预算支出"].contains(&gap.trim())
            || unit == "%"
        {
            return;
        }
        let Some((value, places)) = parse_number(number) else {
            return;
        };
        let stop = block.len() - rest.len() + gap.len() + number.len() + tail.len();
        out.push(Quoted {
            at: from,
            len: stop - from,
            line,
            value,
            places,
            unit,
        });
    };
    let by_code = |code: &str| lines.iter().find(|l| l.code == code);
    // 行政运行（2014001）: a 7-digit code in brackets.
    for (i, _) in block.match_indices('（') {
        let inner = &block[i + '（'.len_utf8()..];
        let digits: String = inner.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() == 7 && inner[7..].starts_with('）') {
            let end = i + '（'.len_utf8() + 7 + '）'.len_utf8();
            let from = block[..i]
                .rfind(['，', '。', '；', '：', '、', '.', '\n'])
                .map_or(0, |j| {
                    j + block[j..].chars().next().map_or(1, char::len_utf8)
                });
            push(from, end, by_code(&digits));
        }
    }
    // （208类）…（05款）…（01项）.
    for (i, _) in block.match_indices("项）") {
        let head = &block[..i];
        let Some(open) = head.rfind('（') else {
            continue;
        };
        let xiang = &head[open + '（'.len_utf8()..];
        if xiang.len() != 2 || !xiang.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let code_before = |marker: &str, width: usize| -> Option<(usize, String)> {
            let m = head[..open].rfind(marker)?;
            let o = head[..m].rfind('（')?;
            let digits = &head[o + '（'.len_utf8()..m];
            (digits.len() == width && digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| (o, digits.to_string()))
        };
        let (Some((_, kuan)), Some((class_at, class))) =
            (code_before("款）", 2), code_before("类）", 3))
        else {
            continue;
        };
        let from = head[..class_at]
            .rfind(['，', '。', '；', '：', '、', '“', '"', '\n'])
            .map_or(0, |j| {
                j + block[j..].chars().next().map_or(1, char::len_utf8)
            });
        push(
            from,
            i + "项）".len(),
            by_code(&format!("{class}{kuan}{xiang}")),
        );
    }
    // "一般公共服务支出-组织事务-行政运行"科目.
    for (i, _) in block.match_indices("科目") {
        let head = block[..i].trim_end_matches(['”', '"', '」', '’']);
        let Some(open) = head.rfind(['“', '"', '「']) else {
            continue;
        };
        let quoted = &head[open + head[open..].chars().next().map_or(1, char::len_utf8)..];
        let names: Vec<&str> = quoted.split(['-', '－', '—']).map(str::trim).collect();
        if names.len() != 3 {
            continue;
        }
        let line = lines
            .iter()
            .find(|l| l.name == names[2] && l.kuan == names[1]);
        push(open, i, line);
    }
    out
}

/// One text comparing with two different bases — `比2024年预算执行数` for
/// income and `比2024年预算` for spending — compares unlike with unlike: the
/// basis each comparison names after 比/较/与 (see `prose::Comparison::basis`).
fn mixed_bases(text: &str, year: i32, found: &mut Vec<(usize, usize, crate::diag::Text)>) {
    let named: Vec<(usize, &str, &str)> = sentences(text)
        .into_iter()
        .flat_map(|(at, sentence)| {
            crate::prose::comparisons(sentence, year)
                .into_iter()
                .filter_map(move |c| c.basis)
                .map(move |(from, to, basis)| (at + from, &sentence[from..to], basis))
        })
        .collect();
    let Some(&(_, q, first)) = named.first() else {
        return;
    };
    // Every place that differs from the first basis: one problem, reported
    // once at the first of them with how many there are.
    let differ: Vec<&(usize, &str, &str)> = named.iter().filter(|(_, _, b)| *b != first).collect();
    if let Some(&&(i, quote, _)) = differ.first() {
        let n = differ.len();
        let (zh, en) = if n > 1 {
            (format!("（共 {n} 处）"), format!(" ({n} places)"))
        } else {
            (String::new(), String::new())
        };
        found.push((
            i,
            quote.len(),
            text!(
                "“{quote}”：前面写的是“{q}”，比较的基数不一致{zh}",
                "\"{quote}\": the text compared with \"{q}\" before; the bases differ{en}"
            ),
        ));
    }
}

/// R13 on a completion rate (a 决算's `年初预算为 X 万元，支出决算为 Y 万元，
/// 完成年初预算的 Z%`, or `…决算为 Y 万元，完成预算 X 万元的 Z%`): Z is Y ÷ X
/// at the places written, within one clause (to `；` or `。`); a budget of
/// zero has no completion rate. A clause that writes one figure only (the
/// budget not said) is left alone.
fn completion_rate(sentence: &str, report: &mut dyn FnMut(usize, usize, crate::diag::Text)) {
    let mut start = 0;
    for clause in sentence.split_inclusive(['；', '。', ';']) {
        let at = start;
        start += clause.len();
        let Some(done) = clause.find("完成") else {
            continue;
        };
        // "预算尚未完成" is no rate: 完成 of a budget, its percentage close after.
        if clause[..done].ends_with('未') {
            continue;
        }
        let figures = written_figures(clause);
        let Some(pct) = figures
            .iter()
            .find(|f| f.at > done && f.unit == "%" && f.at - done <= 45)
        else {
            continue;
        };
        let money: Vec<&Written> = figures.iter().filter(|f| f.unit != "%").collect();
        let before: Vec<&&Written> = money.iter().filter(|f| f.at < done).collect();
        let inside = money.iter().find(|f| f.at > done && f.at < pct.at);
        let (budget, actual) = match (inside, before.as_slice()) {
            (Some(x), [.., y]) => (*x, **y),
            (None, [.., x, y]) => (**x, **y),
            _ => continue,
        };
        if budget.unit != actual.unit {
            continue;
        }
        let quote = &clause[actual.at..pct.at + pct.len];
        if budget.value.is_zero() {
            if !actual.value.is_zero() {
                report(
                    at + actual.at,
                    quote.len(),
                    text!(
                        "“{quote}”：预算数为零，没有完成率",
                        "\"{quote}\": the budget is zero, so there is no completion rate"
                    ),
                );
            }
            continue;
        }
        let rate = crate::domain::round(
            actual.value / budget.value * Decimal::ONE_HUNDRED,
            pct.places,
        );
        if rate != pct.value {
            let right = rate.normalize();
            report(
                at + actual.at,
                quote.len(),
                text!(
                    "“{quote}”：按句中数字应为 {right}%",
                    "\"{quote}\": the sentence's own figures give {right}%"
                ),
            );
        }
    }
}

/// R13 on a "其中" list: in `X万元，其中：A a万元，B b万元…` (to the full
/// stop) the parts add up to X within the rounding of the digits written
/// ((n+1)/2 units of the last place for n rounded parts). Figures after a
/// comparison word (比上年增加 Y万元) are changes, not parts; a second 其中 or
/// fewer than two parts leave the sentence alone.
fn parts_add_up(piece: &str) -> Option<(usize, usize, crate::diag::Text)> {
    let q = piece.find("其中")?;
    if piece[q + "其中".len()..].contains("其中") {
        return None;
    }
    let figures = written_figures(piece);
    let total = figures.iter().rfind(|f| f.at < q && f.unit != "%")?;
    let change = |f: &Written| {
        let head = &piece[..f.at];
        let tail = last_chars(head, 12);
        ["增加", "减少", "增长", "下降", "上升", "比", "较", "持平"]
            .iter()
            .any(|w| tail.contains(w))
    };
    let parts: Vec<&Written> = figures
        .iter()
        .filter(|f| f.at > q && f.unit == total.unit && !change(f))
        .collect();
    if parts.len() < 2
        || figures
            .iter()
            .any(|f| f.at > q && f.unit != total.unit && f.unit != "%")
    {
        return None;
    }
    let sum: Decimal = parts.iter().map(|f| f.value).sum();
    let places = parts
        .iter()
        .map(|f| f.places)
        .chain([total.places])
        .max()
        .unwrap_or(2);
    let tolerance = Decimal::new(1, places) * Decimal::from(parts.len() + 1) / Decimal::TWO;
    if (sum - total.value).abs() <= tolerance {
        return None;
    }
    let (quote, n, s, unit) = (
        &piece[total.at..total.at + total.len],
        parts.len(),
        sum.round_dp(places),
        total.unit,
    );
    Some((
        total.at,
        total.len,
        text!(
            "“{quote}”：其中列出的 {n} 项之和为 {s}{unit}，与总数不符",
            "\"{quote}\": the {n} parts listed after 其中 add up to {s}{unit}, not this total"
        ),
    ))
}

/// R13 on a share: in `A X万元，占 B 的 P%` P is X ÷ B, where B is a figure
/// the text names (支出预算, 收入预算, 基本支出…), within the rounding of P's
/// digits and of X's. A share whose base is not named is not read.
fn shares(
    sentence: &str,
    n: &Narrative,
    unknown: &[&str],
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    let figures = written_figures(sentence);
    for (k, _) in sentence.match_indices('占') {
        let Some(x) = figures.iter().rfind(|f| f.at < k && f.unit != "%") else {
            continue;
        };
        let Some(p) = figures.iter().find(|f| f.at > k && f.unit == "%") else {
            continue;
        };
        // The base exactly as a label names it, less "本年…总额的": a
        // qualified base (一般公共预算项目支出总额) is another figure.
        let mut base = sentence[k + '占'.len_utf8()..p.at].trim();
        for filler in ["的", "总额", "总计", "合计", "总数"] {
            base = base.strip_suffix(filler).unwrap_or(base).trim();
        }
        for filler in ["本年", "全年", "部门", "全部"] {
            base = base.strip_prefix(filler).unwrap_or(base);
        }
        let Some((label, key)) = LABELS.iter().find(|(l, _)| *l == base) else {
            continue;
        };
        let Some(base) = n
            .figures
            .get(*key)
            .filter(|b| !unknown.contains(key) && !b.yuan.is_zero())
        else {
            continue;
        };
        let hundred = Decimal::ONE_HUNDRED;
        let x_yuan = x.value * yuan_per(x.unit);
        let share = x_yuan / base.yuan * hundred;
        let half = |places: u32| Decimal::new(5, places + 1);
        let tolerance = half(p.places) + half(x.places) * yuan_per(x.unit) / base.yuan * hundred;
        if (share - p.value).abs() > tolerance {
            let quote = &sentence[x.at..p.at + p.len];
            let right = share
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            let base_text = &base.text;
            report(
                p.at,
                p.len,
                text!(
                    "“{quote}”：占{label}（{base_text} 万元）的比例应为 {right:.2}%",
                    "\"{quote}\": as a share of {label} ({base_text} 万元) it is {right:.2}%"
                ),
            );
        }
    }
}

/// R13 on a sentence's own arithmetic: each comparison it states
/// (`X万元，比上年增加Y万元（P%）`, or with last year's figure written in it:
/// `上年…L万元`, `比2025年预算数L万元增加`) must agree with itself whatever
/// the file says: the direction, the change and the percentage (computed
/// from the printed figures, as a reader checks it; none from a base of zero).
///
/// `no_base`: the paragraph says there is no last year's figure (a unit new
/// this year), so a percentage of change has no base whatever the sentence's
/// figures make it. `checked`: the comparisons (by their word's place)
/// already read against the tables and last year's figures, which know more.
fn self_consistent(
    sentence: &str,
    (year, no_base): (i32, bool),
    checked: &[usize],
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    for c in crate::prose::comparisons(sentence, year) {
        if !c.respectively && !checked.contains(&c.word.at) {
            own_figures(sentence, &c, no_base, report);
        }
    }
}

/// One comparison against its own figures (see [`self_consistent`]).
fn own_figures(
    sentence: &str,
    c: &crate::prose::Comparison,
    no_base: bool,
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    let (dir_at, said) = (c.word.at, c.word.word);
    let Some(this) = c.this else { return };
    // The comparison as written, from its first figure to its last.
    let from = this.at.min(c.last.map_or(usize::MAX, |l| l.at));
    let quote = shortened(&sentence[from..c.end()], 60);
    if no_base && let Some(p) = c.percent {
        from_zero(&quote, p, report);
        return;
    }
    let increase = match c.word.direction {
        Direction::Up => true,
        Direction::Down => false,
        // "X万元，与上年Y万元持平": the two figures are the same.
        Direction::Flat => {
            if let Some(last) = c.last
                && last.unit == this.unit
                && last.value != this.value
            {
                let right = if this.value > last.value {
                    "增加"
                } else {
                    "减少"
                };
                report(
                    dir_at,
                    said.len(),
                    text!(
                        "“{quote}”：按句中数字是{right}，不是持平",
                        "\"{quote}\": by the sentence's own figures it is a change of {right}, not unchanged"
                    ),
                );
            }
            return;
        }
        // A change without its sign: only its size is known.
        Direction::Either => {
            let Some(last) = c.last else { return };
            if last.unit != this.unit {
                return;
            }
            this.value >= last.value
        }
    };
    // 元 and 万元 mixed: another check's business.
    if [c.last, c.change]
        .iter()
        .flatten()
        .any(|f| f.unit != this.unit)
    {
        return;
    }
    let (base, change) = match (c.last, c.change) {
        (Some(l), _) => (l.value, this.value - l.value),
        (None, Some(d)) => {
            let signed = if increase { d.value } else { -d.value };
            (this.value - signed, signed)
        }
        (None, None) => return,
    };
    if c.last.is_some() && c.word.direction != Direction::Either {
        let right = if change.is_sign_negative() {
            "减少"
        } else {
            "增加"
        };
        if !change.is_zero() && increase == change.is_sign_negative() {
            report(
                dir_at,
                said.len(),
                text!(
                    "“{quote}”：按句中数字是{right}，不是{said}",
                    "\"{quote}\": by the sentence's own figures it is a change of {right}, not {said}"
                ),
            );
            return;
        }
    }
    if c.last.is_some()
        && let Some(d) = c.change
        && (d.value - change.abs()).abs() > Decimal::new(1, d.places.max(this.places))
    {
        let right = crate::reconcile::fmt(change.abs(), d.places);
        report(
            d.at,
            d.len,
            text!(
                "“{quote}”：按句中数字{said}应为 {right}",
                "\"{quote}\": by the sentence's own figures the change is {right}"
            ),
        );
        // Its percentage is of the same figures: one slip, one warning.
        return;
    }
    let Some(p) = c.percent else { return };
    // The percentage's own word (…减少2万元，增长16.67%) says the same direction.
    if let Some(w) = c.percent_word
        && c.word.direction != Direction::Either
        && (w.direction == Direction::Up) != increase
    {
        let word = w.word;
        report(
            w.at,
            word.len(),
            text!(
                "“{quote}”：金额说{said}，百分比却说{word}",
                "\"{quote}\": the amount says {said} but the percentage says {word}"
            ),
        );
        return;
    }
    if base.is_zero() {
        from_zero(&quote, p, report);
        return;
    }
    let expected = crate::domain::round(change.abs() / base.abs() * Decimal::ONE_HUNDRED, p.places);
    if (p.value - expected).abs() > Decimal::new(1, p.places) {
        let right = crate::reconcile::fmt(expected, p.places);
        report(
            p.at,
            p.len,
            text!(
                "“{quote}”：按句中数字应为 {right}%",
                "\"{quote}\": by the sentence's own figures it is {right}%"
            ),
        );
    }
}

/// A percentage of change from a base of zero, at its place.
fn from_zero(quote: &str, p: Written, report: &mut dyn FnMut(usize, usize, crate::diag::Text)) {
    report(
        p.at,
        p.len,
        text!(
            "“{quote}”：上年为零，无法计算增减百分比",
            "\"{quote}\": last year's figure is zero, so no percentage of change exists"
        ),
    );
}

/// `text`, or its first `n` characters and "…".
fn shortened(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// A number of six digits starting with 2, standing alone and followed by
/// no unit, reads as a 功能分类 code with a digit missing (类 have 3, 款 5,
/// 项 7): named, with the file's 项 it could be ("201321" → 2013201).
fn six_digit_codes(
    sentence: &str,
    lines: &[LineView],
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    let bytes = sentence.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &sentence[start..i];
        let after = sentence[i..].trim_start();
        let amount = after.starts_with([
            '.', ',', '%', '万', '元', '年', '月', '日', '个', '人', '台', '辆', '平', '项', '次',
            '件', '户', '名', '份',
        ]) || after.starts_with("亿");
        let before = sentence[..start].chars().next_back();
        // 邮编 200040, a telephone or document number: no code.
        let context = last_chars(&sentence[..start], 6);
        let other = ["邮", "电话", "传真", "号", "-"]
            .iter()
            .any(|w| context.contains(w));
        if run.len() != 6
            || !run.starts_with('2')
            || amount
            || other
            || before.is_some_and(|c| c == '.' || c == ',')
        {
            continue;
        }
        let could_be: Vec<&str> = lines
            .iter()
            .map(|l| l.code.as_str())
            .filter(|c| (0..c.len()).any(|k| format!("{}{}", &c[..k], &c[k + 1..]) == run))
            .collect();
        let hint = if could_be.is_empty() {
            String::new()
        } else {
            format!("（文件中的项：{}）", could_be.join("、"))
        };
        let hint_en = if could_be.is_empty() {
            String::new()
        } else {
            format!(" (the file's 项: {})", could_be.join(", "))
        };
        report(
            start,
            run.len(),
            text!(
                "“{run}”：6 位数不是功能分类编码（类 3 位、款 5 位、项 7 位），是否少写了一位？{hint}",
                "\"{run}\": six digits are no 功能分类 code (类 3, 款 5, 项 7): is a digit missing?{hint_en}"
            ),
        );
    }
}

/// The 实施周期 (项目期) a sentence states: where its years are written, the
/// words, and its first and last year ("实施周期为2027年1月至2027年12月").
fn period_in(sentence: &str) -> Option<(usize, &str, i32, i32)> {
    let word = ["实施周期", "项目期", "执行期限"]
        .iter()
        .find_map(|w| sentence.find(w).map(|i| i + w.len()))?;
    let rest = &sentence[word..];
    let end = rest.find(['。', '；', '，', ',']).unwrap_or(rest.len());
    let clause = &rest[..end];
    let years: Vec<i32> = clause
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| s.len() == 4)
        .filter_map(|s| s.parse().ok())
        .filter(|y| (1990..=2100).contains(y))
        .collect();
    let (from, to) = (*years.first()?, *years.last()?);
    let first = clause.find(|c: char| c.is_ascii_digit())?;
    let shown = clause[first..].trim_end();
    Some((word + first, shown, from.min(to), from.max(to)))
}

/// The first figure after a label (as `prose` reads figures): the words
/// between (at most 12 characters, no punctuation, no digits but a year:
/// "公务接待费2026年预算数2.95万元"), the number, its unit and what its place
/// spans after the digits (a space, as text copied from a PDF has, and the unit).
fn figure_after(rest: &str) -> Option<(&str, &str, &'static str, &str)> {
    let f = written_figures(rest).into_iter().next()?;
    let gap = &rest[..f.at];
    // Every digit run between is a year (2024年); a count or a broken number is
    // no label's figure.
    let mut words = gap;
    let only_years = loop {
        let Some(i) = words.find(|c: char| c.is_ascii_digit()) else {
            break true;
        };
        let run = words[i..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(words.len() - i);
        if run != 4 || !words[i + 4..].starts_with('年') {
            break false;
        }
        words = &words[i + 4..];
    };
    if !only_years
        || gap.chars().count() > 12
        || gap.contains(['，', '。', '；', '：', ',', '（', '('])
    {
        return None;
    }
    let placed = &rest[f.at..f.end()];
    let number = placed[..placed.len() - f.unit.len()].trim_end();
    Some((gap, number, f.unit, &placed[number.len()..]))
}

/// A comparison a labelled figure is part of (its label at `from`) against
/// last year's figure `c`: the direction word, the change (万元, at the
/// digits written) and the percentage (computed either way the figures
/// round), each named at its place when it is not what the two figures
/// give; `与上年持平` of a figure that changed; a percentage from a zero base.
/// Only a comparison with last year (比, 较, 同比, 上年…) is read.
fn against_last_year(
    sentence: &str,
    from: usize,
    stated: &crate::prose::Comparison,
    (c, basis): (&Change, &str),
    report: &mut dyn FnMut(usize, usize, crate::diag::Text),
) {
    // A comparison with another basis than last year's figures (比上年预算执行数
    // where the file holds last year's 预算) has nothing here to compare with.
    let kind = if basis.contains("执行") {
        "预算执行数"
    } else if basis.contains("决算") {
        "决算"
    } else {
        "预算"
    };
    if !stated.compares || stated.respectively || stated.basis.is_some_and(|b| b.2 != kind) {
        return;
    }
    let quote = shortened(&sentence[from..stated.end()], 60);
    // Last year's figure written in the sentence is the file's.
    if let Some(l) = stated.last {
        let factor = yuan_per(l.unit);
        let last: Decimal = c.last_year.replace(',', "").parse().unwrap_or_default();
        if (l.value * factor - last * Decimal::from(10_000)).abs()
            > factor * Decimal::new(5, l.places + 1)
        {
            let right = &c.last_year;
            report(
                l.at,
                l.len,
                text!(
                    "“{quote}”：上年数为 {right} 万元",
                    "\"{quote}\": last year's figure is {right} 万元"
                ),
            );
            return;
        }
    }
    let (word, right) = (stated.word, c.direction);
    let said = match word.direction {
        Direction::Flat => {
            if right != "持平" {
                let amount = &c.amount;
                report(
                    word.at,
                    word.word.len(),
                    text!(
                        "“{quote}”：按上年数是{right} {amount} 万元，不是持平",
                        "\"{quote}\": against last year's figure it is a change of {right} {amount} 万元, not unchanged"
                    ),
                );
            }
            return;
        }
        Direction::Either => None,
        d => Some(d.word()),
    };
    if let Some(said) = said
        && right != "持平"
        && said != right
    {
        report(
            word.at,
            word.word.len(),
            text!(
                "“{quote}”：按上年数是{right}，不是{said}",
                "\"{quote}\": against last year's figure it is a change of {right}, not {said}"
            ),
        );
        return;
    }
    let said = said.unwrap_or(right);
    let zero_base = c
        .last_year
        .replace(',', "")
        .parse::<Decimal>()
        .is_ok_and(|l| l.is_zero());
    // The percentage written, when it is not what the two figures give.
    let wrong_percent = stated.percent.filter(|p| {
        let as_written = |q: &Option<String>| {
            q.as_ref()
                .is_some_and(|q| q.parse::<Decimal>().is_ok_and(|q| q == p.value))
        };
        c.percent.is_some() && !as_written(&c.percent) && !as_written(&c.percent_exact)
    });
    let right_percent = c.percent.as_deref().unwrap_or("");
    if let Some(f) = stated.change {
        let factor = yuan_per(f.unit);
        let amount: Decimal = c.amount.replace(',', "").parse().unwrap_or_default();
        if (f.value * factor - amount * Decimal::from(10_000)).abs()
            > factor * Decimal::new(5, f.places + 1)
        {
            // Its percentage, of the same base, is named in the same warning.
            let (zh, en) = match wrong_percent {
                Some(_) => (
                    format!("，{said}幅度应为 {right_percent}%"),
                    format!(", {right_percent}%"),
                ),
                None => (String::new(), String::new()),
            };
            let right = &c.amount;
            report(
                f.at,
                f.len,
                text!(
                    "“{quote}”：按上年数{said}应为 {right} 万元{zh}",
                    "\"{quote}\": against last year's figure the change is {right} 万元{en}"
                ),
            );
            return;
        }
    }
    let Some(p) = stated.percent else { return };
    if zero_base {
        from_zero(&quote, p, report);
        return;
    }
    if wrong_percent.is_some() {
        report(
            p.at,
            p.len,
            text!(
                "“{quote}”：按上年数计算应为 {right_percent}%（由印出的两个数算得）",
                "\"{quote}\": against last year's figure it is {right_percent}% (from the two printed figures)"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_no_budget_prints_are_not_read_and_never_panic() {
        // 28 decimals: the tolerance 5 × 10^-29 was past Decimal's scale.
        let long = format!("0.{}1", "0".repeat(27));
        assert_eq!(parse_number(&long), None);
        assert_eq!(
            parse_number("1.0000000001"),
            Some((Decimal::new(10000000001, 10), 10))
        );
        assert_eq!(parse_number("99999999999999999999999999"), None);
        assert_eq!(
            parse_number("9999999999999999.99"),
            Some((Decimal::new(999999999999999999, 2), 2))
        );
        for sentence in [
            format!("2026年支出预算{long}万元，比上年增加{long}万元，增长{long}%。"),
            "2026年支出预算99999999999999999999999999万元，比上年增加9999999999999999999999万元，增长1%。".to_string(),
            "2026年支出预算9999999999999999.99亿元，比上年增加9999999999999999.99亿元，增长100.00%。".to_string(),
        ] {
            own(&sentence);
        }
    }

    /// What [`self_consistent`] says of `sentence` (a 2026 budget).
    fn own(sentence: &str) -> Vec<String> {
        let mut out = vec![];
        self_consistent(sentence, (2026, false), &[], &mut |at, len, t| {
            out.push(format!("{} @{}", t.zh, &sentence[at..at + len]));
        });
        out
    }

    #[test]
    fn a_sentence_is_checked_against_its_own_figures() {
        // Seed 007's own sentence: 145.22 / (2,838.42 − 145.22) = 5.392 %.
        assert!(own("一般公共预算拨款2,838.42万元，较上年增加145.22万元，增长5.39%").is_empty());
        // 576.10 / 3,269.30 = 17.62 %, not 17.66 % (a figure copied from another line).
        assert_eq!(
            own("2026年预算收入3,845.40万元，比2025年预算增加576.10万元，增长17.66%"),
            [
                "“3,845.40万元，比2025年预算增加576.10万元，增长17.66%”：按句中数字应为 17.62% @17.66%"
            ]
        );
        // Last year 43,269.3 (a stray digit for 3,269.3) against 3,845.40: a decrease.
        assert_eq!(
            own("上年预算43269.3万元，本年3,845.40万元，增加17.62%"),
            ["“43269.3万元，本年3,845.40万元，增加17.62%”：按句中数字是减少，不是增加 @增加"]
        );
        // Last year and this year written, the change 576.10 (not 567.10).
        assert_eq!(
            own("上年预算3,269.30万元，本年3,845.40万元，增加567.10万元"),
            [
                "“3,269.30万元，本年3,845.40万元，增加567.10万元”：按句中数字增加应为 576.10 @567.10万元"
            ]
        );
        // From zero no percentage exists.
        assert_eq!(
            own("收入100万元，比上年增加100万元，增长100.00%"),
            ["“100万元，比上年增加100万元，增长100.00%”：上年为零，无法计算增减百分比 @100.00%"]
        );
        // The amount decreases, the percentage increases.
        assert_eq!(
            own("培训费10万元，比上年减少2万元，增长16.67%"),
            ["“10万元，比上年减少2万元，增长16.67%”：金额说减少，百分比却说增长 @增长"]
        );
        // The per-line shape, last year named by its number at its clause's
        // head: 150.00 − 120.00 = 30.00, ÷ 120.00 = 25.00 %, not 20.00 %.
        assert_eq!(
            own(
                "2025年当年预算执行数为120.00万元，2026年预算安排150.00万元，比2025年预算执行数增加20.00%。"
            ),
            [
                "“120.00万元，2026年预算安排150.00万元，比2025年预算执行数增加20.00%”：按句中数字应为 25.00% @20.00%"
            ]
        );
        assert!(
            own("2025年当年预算执行数为120.00万元，2026年预算安排150.00万元，比2025年预算执行数增加25.00%。")
                .is_empty()
        );
        // Last year's figure with a stray digit (1,200.00 for 120.00): a decrease.
        assert_eq!(
            own(
                "2025年当年预算执行数为1200.00万元，2026年预算安排150.00万元，比2025年预算执行数增加25.00%。"
            ),
            [
                "“1200.00万元，2026年预算安排150.00万元，比2025年预算执行数增加25.00%”：按句中数字是减少，不是增加 @增加"
            ]
        );
        // 上年结转 is this year's money, not last year's figure.
        assert!(own("上年结转资金20.00万元，本年支出120.00万元，比上年增加20.00万元").is_empty());
        // Two comparisons in one sentence, each read with its own figures:
        // 10.00 ÷ (50.00 − 10.00) = 25.00 % is the part's percentage (read
        // against the first comparison's 100.00 − 10.00 it was "11.11 %").
        let two = "收入预算100.00万元，比上年增加10.00万元，其中：财政拨款50.00万元，比上年增加10.00万元，增长25.00%";
        assert!(own(two).is_empty(), "{:?}", own(two));
        assert_eq!(
            own(&two.replace("25.00%", "20.00%")),
            ["“50.00万元，比上年增加10.00万元，增长20.00%”：按句中数字应为 25.00% @20.00%"]
        );
        // The base written after 比 in the clause of the change (seed 006's shape).
        let base_after_bi = "2026 年度收入预算 32852.05 万元，比 2025 年年初预算数 30385.62 万元增加 2466.43 万元，增长 8.12%";
        assert!(own(base_after_bi).is_empty(), "{:?}", own(base_after_bi));
        assert_eq!(
            own(&base_after_bi.replace("2466.43", "2466.34")),
            [
                "“32852.05 万元，比 2025 年年初预算数 30385.62 万元增加 2466.34 万元，增长 8.12%”：按句中数字增加应为 2466.43 @2466.34 万元"
            ]
        );
        // 持平 of two figures that differ; of two that are the same, nothing.
        assert_eq!(
            own("因公出国（境）费3.00万元，与上年2.50万元持平"),
            ["“3.00万元，与上年2.50万元持平”：按句中数字是增加，不是持平 @持平"]
        );
        assert!(own("因公出国（境）费3.00万元，与上年3.00万元持平").is_empty());
        // A printed percentage one unit off (computed from 元, not from the printed 万元) passes.
        assert!(own("支出1,000.00万元，比上年增加197.50万元，增长24.62%").is_empty());
    }

    /// The relations of a comparison, tried at random: a sentence whose
    /// figures agree (change = this − last, percentage = change ÷ last, the
    /// words their signs) is never named, in any of three shapes; one figure
    /// off by 1.00 is named exactly once (a change without last year's
    /// figure, where the percentage it implies is not the one written).
    #[test]
    fn random_comparisons_are_silent_when_right_and_named_once_when_not() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let hundred = Decimal::ONE_HUNDRED;
        for _ in 0..2000 {
            let x = Decimal::new(1 + next(9_999_999) as i64, 2);
            let y = Decimal::new(1 + next(9_999_999) as i64, 2);
            if x == y {
                continue;
            }
            let z = (x - y).abs();
            let p = crate::domain::round(z / y * hundred, 2);
            let (word, pword) = if x > y {
                ("增加", "增长")
            } else {
                ("减少", "下降")
            };
            let shapes = |x: Decimal, y: Decimal, z: Decimal, p: Decimal| {
                [
                    format!("支出{x:.2}万元，比上年{y:.2}万元{word}{z:.2}万元，{pword}{p:.2}%"),
                    format!("上年预算{y:.2}万元，本年{x:.2}万元，{word}{z:.2}万元，{pword}{p:.2}%"),
                    format!("支出{x:.2}万元，比上年{word}{z:.2}万元，{pword}{p:.2}%"),
                ]
            };
            for sentence in shapes(x, y, z, p) {
                assert!(
                    own(&sentence).is_empty(),
                    "{sentence}: {:?}",
                    own(&sentence)
                );
            }
            let one = Decimal::ONE;
            let [a, b, c] = shapes(x, y, z + one, p);
            for sentence in [a, b].into_iter().chain(shapes(x, y, z, p + one)) {
                assert_eq!(own(&sentence).len(), 1, "{sentence}: {:?}", own(&sentence));
            }
            // Without last year's figure the change implies it: named when
            // the percentage it implies is not the one written.
            let base = if x > y { x - z - one } else { x + z + one };
            let implied = (!base.is_zero())
                .then(|| crate::domain::round((z + one) / base.abs() * hundred, 2));
            let named = implied.is_none_or(|q| (q - p).abs() > Decimal::new(1, 2));
            assert_eq!(own(&c).len(), usize::from(named), "{c}: {:?}", own(&c));
        }
    }
}
