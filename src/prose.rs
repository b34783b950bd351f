//! Reading hand-written budget prose: the grammar rule R13 checks with.
//!
//! A text is split into sentences (after 。；！？ and line ends), a sentence
//! into clauses (after ，；：), and every figure written with a unit (元, 万元,
//! 亿元 or %, a space or none before it) is read with its place. A
//! comparison is what a direction word (增加, 增长, 上升, 减少, 下降, 降低, 持平)
//! states:
//! the amount compared (this year's), the base (last year's, when the
//! sentence writes it), the change and its percentage, each the figure that
//! plays that role in the clauses around the word. Several comparisons in
//! one sentence are read apart ("收入X万元，比上年增加Y万元，其中：A a万元，比上年增加
//! b万元，增长P%": P is b's percentage, not Y's).
//!
//! Nothing here knows the budget: text in, figures and their places (byte
//! offsets, always on character boundaries) out. The checks against the
//! tables are `narrative`'s.

use rust_decimal::Decimal;

/// A figure written in a sentence: where (bytes), its value, its decimals,
/// its unit (`亿元`, `万元`, `元` or `%`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Written<'a> {
    /// Byte offset of its first digit in the sentence.
    pub at: usize,
    /// Bytes from its first digit to the end of its unit (a space between included).
    pub len: usize,
    /// The number as written, separators dropped.
    pub value: Decimal,
    /// Decimals written.
    pub places: u32,
    /// Its unit.
    pub unit: &'a str,
}

impl Written<'_> {
    /// Whether it is an amount of money (not a percentage).
    pub fn is_money(&self) -> bool {
        self.unit != "%"
    }

    /// Where it ends (bytes).
    pub fn end(&self) -> usize {
        self.at + self.len
    }
}

/// The units a figure in prose is written in, the longer first (亿元 and
/// 万元 end in 元).
const UNITS: [&str; 4] = ["亿元", "万元", "元", "%"];

/// How many 元 one of a money unit is (亿元 10^8, 万元 10^4, 元 1).
pub fn yuan_per(unit: &str) -> Decimal {
    match unit {
        "亿元" => Decimal::from(100_000_000),
        "万元" => Decimal::from(10_000),
        _ => Decimal::ONE,
    }
}

/// The most decimals a figure in prose is read with.
const MAX_PLACES: u32 = 10;

/// Figures in prose are read below this (10^16, in any unit).
const MAX_FIGURE: i64 = 10_000_000_000_000_000;

/// `1,234.5` → (1234.5, 1 decimal place).
pub fn parse_number(s: &str) -> Option<(Decimal, u32)> {
    let plain = s.replace(',', "");
    let v: Decimal = plain.parse().ok()?;
    // What no budget prints is no figure to compare: beyond these bounds the
    // tolerances (`5 × 10^-(places+1)`) and unit changes (× 10000) would
    // leave Decimal's range.
    (v.scale() <= MAX_PLACES && v.abs() < Decimal::from(MAX_FIGURE)).then_some((v, v.scale()))
}

/// The sentences of `text` with their byte offsets: split after 。；！？ (or
/// their ASCII forms, as text converted from a web page has) and newlines.
pub fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | '；' | '！' | '？' | ';' | '!' | '?' | '\n') {
            if !text[start..i].trim().is_empty() {
                out.push((start, &text[start..i]));
            }
            start = i + c.len_utf8();
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((start, &text[start..]));
    }
    out
}

/// The clauses of a sentence with their byte offsets: split after ，,；;：:.
pub fn clauses(sentence: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut start = 0;
    for (i, c) in sentence.char_indices() {
        if matches!(c, '，' | ',' | '；' | ';' | '：' | ':')
            // A thousands separator is part of its number (3,845.40).
            && !(c == ',' && is_separator(sentence, i))
        {
            out.push((start, &sentence[start..i]));
            start = i + c.len_utf8();
        }
    }
    out.push((start, &sentence[start..]));
    out
}

/// Whether the `,` at byte `i` stands between digits.
fn is_separator(text: &str, i: usize) -> bool {
    text[..i].ends_with(|c: char| c.is_ascii_digit())
        && text[i + 1..].starts_with(|c: char| c.is_ascii_digit())
}

/// Every number of `sentence` followed by 亿元, 万元, 元 or %.
pub fn written_figures(sentence: &str) -> Vec<Written<'static>> {
    let mut out = vec![];
    let mut i = 0;
    while i < sentence.len() {
        let Some(d) = sentence[i..].find(|c: char| c.is_ascii_digit()) else {
            break;
        };
        let at = i + d;
        let len = sentence[at..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(sentence.len() - at);
        let number = sentence[at..at + len].trim_end_matches(['.', ',']);
        let spaced = &sentence[at + number.len()..];
        let after = spaced.trim_start();
        i = at + len.max(1);
        let Some(unit) = UNITS.into_iter().find(|u| after.starts_with(u)) else {
            continue;
        };
        if let Some((value, places)) = parse_number(number) {
            out.push(Written {
                at,
                // A space before the unit (`528.62 万元`) is part of the figure's place.
                len: number.len() + (spaced.len() - after.len()) + unit.len(),
                value,
                places,
                unit,
            });
        }
    }
    out
}

/// The last `n` characters of `text`.
pub fn last_chars(text: &str, n: usize) -> &str {
    let from = text
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &text[from..]
}

/// The clause `head` ends in: what follows its last ，,；：(or all of it).
fn clause_head(head: &str) -> &str {
    match clauses(head).last() {
        Some((at, _)) => &head[*at..],
        None => head,
    }
}

/// Which way a comparison goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// 增加, 增长.
    Up,
    /// 减少, 下降.
    Down,
    /// 持平.
    Flat,
    /// 变化, 变动: a change whose sign the word does not say.
    Either,
}

impl Direction {
    /// The word a message names it by.
    pub fn word(self) -> &'static str {
        match self {
            Direction::Up => "增加",
            Direction::Down => "减少",
            Direction::Flat => "持平",
            Direction::Either => "变化",
        }
    }
}

/// The direction words, and percentage words (增幅为P%) with theirs.
const DIRECTION_WORDS: [(&str, Direction); 9] = [
    ("增加", Direction::Up),
    ("增长", Direction::Up),
    ("上升", Direction::Up),
    ("减少", Direction::Down),
    ("下降", Direction::Down),
    ("降低", Direction::Down),
    ("持平", Direction::Flat),
    ("变化", Direction::Either),
    ("变动", Direction::Either),
];
const PERCENT_WORDS: [(&str, Direction); 3] = [
    ("增幅", Direction::Up),
    ("降幅", Direction::Down),
    ("幅度", Direction::Either),
];

/// A word of a sentence: its place, itself, its direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word {
    /// Byte offset in the sentence.
    pub at: usize,
    /// The word as written.
    pub word: &'static str,
    /// Its direction (a percentage word's own, `Either` for 幅度).
    pub direction: Direction,
}

impl Word {
    /// Where it ends (bytes).
    pub fn end(&self) -> usize {
        self.at + self.word.len()
    }
}

/// What a direction word of a sentence states.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The direction word.
    pub word: Word,
    /// The amount compared: the last money figure before the word since the
    /// comparison before (not the base), when written.
    pub this: Option<Written<'static>>,
    /// The base: a figure after 比/较 in the word's clause, or one whose
    /// clause names last year (上年, 上一年, the year before by number) and
    /// compares nothing.
    pub last: Option<Written<'static>>,
    /// The amount of change: the first money figure after the word in its clause.
    pub change: Option<Written<'static>>,
    /// Its percentage: after the word in its clause, or in the clause after
    /// when that opens with a direction or percentage word of its own
    /// (`，增长P%`, `，增幅为P%`), or in brackets after the change.
    pub percent: Option<Written<'static>>,
    /// The percentage's own word, when it has one other than `word`.
    pub percent_word: Option<Word>,
    /// Whether the text names what it compares with (比, 较, 同比, 与…相比, 上年).
    pub compares: bool,
    /// Whether its clause pairs several figures with several changes
    /// (`A、B分别增加x、y`): no figure's change is known then.
    pub respectively: bool,
    /// What it compares with, as written after 比/较/与 in its clause
    /// (`比2024年预算执行数`): where that starts and ends (bytes) and its
    /// basis — 预算执行数, 决算 or 预算 (年初预算 and 预算数 are 预算).
    pub basis: Option<(usize, usize, &'static str)>,
}

impl Comparison {
    /// Where it ends (bytes): after its change, its percentage or its word,
    /// whichever is last.
    pub fn end(&self) -> usize {
        [self.change, self.percent]
            .iter()
            .flatten()
            .map(Written::end)
            .fold(self.word.end(), usize::max)
    }
}

/// The comparisons a sentence states, in order. `year` is the budget's: a
/// figure whose clause names `year - 1` (or 上年) is last year's.
pub fn comparisons(sentence: &str, year: i32) -> Vec<Comparison> {
    let figures = written_figures(sentence);
    let clause_list = clauses(sentence);
    let clause_of = |at: usize| {
        clause_list
            .iter()
            .rposition(|(start, _)| *start <= at)
            .unwrap_or(0)
    };
    let clause_end = |k: usize| {
        let (start, text) = clause_list[k];
        start + text.len()
    };
    let words = direction_words(sentence);
    let mut out: Vec<Comparison> = vec![];
    // Where the figures of the comparison before end: the next one's amount
    // and base are after it.
    let mut since = 0;
    let mut k = 0;
    while k < words.len() {
        let word = words[k];
        let clause = clause_of(word.at);
        let end = clause_end(clause);
        // The next direction word in the same clause ends this one's reach
        // (…增加Y万元增长P%: the percentage is still this comparison's).
        let next_word = words.get(k + 1).map(|w| w.at);
        let reach = next_word.filter(|n| *n < end).unwrap_or(end);
        let after: Vec<&Written> = figures
            .iter()
            .filter(|f| f.at >= word.end() && f.at < reach)
            .collect();
        let mut change = after.iter().find(|f| f.is_money()).copied().copied();
        let mut percent = after.iter().find(|f| !f.is_money()).copied().copied();
        let mut percent_word = None;
        k += 1;
        // A percentage word (增幅为P%) or a second direction word in the same or
        // the next clause whose only figure is a percentage: this comparison's.
        while let Some(next) = words.get(k).copied() {
            let next_clause = clause_of(next.at);
            if percent.is_some() || next_clause > clause + 1 {
                break;
            }
            let next_end = clause_end(next_clause);
            let reach = words
                .get(k + 1)
                .map(|w| w.at)
                .filter(|n| *n < next_end)
                .unwrap_or(next_end);
            let theirs: Vec<&Written> = figures
                .iter()
                .filter(|f| f.at >= next.end() && f.at < reach)
                .collect();
            match theirs.as_slice() {
                [p] if !p.is_money() => {
                    percent = Some(**p);
                    percent_word = Some(next)
                        .filter(|w| matches!(w.direction, Direction::Up | Direction::Down));
                    k += 1;
                }
                _ => break,
            }
        }
        // "增加10万元（5%）": a bracketed percentage after the change, no word of its own.
        if percent.is_none()
            && let Some(c) = change
            && let Some(p) = figures.iter().find(|f| f.at > c.at && f.at < end)
            && !p.is_money()
            && sentence[c.end()..p.at].trim().starts_with(['（', '('])
        {
            percent = Some(*p);
        }
        if word.direction == Direction::Flat {
            change = None;
            percent = None;
        }
        let head = &sentence[clause_list[clause].0..word.at];
        let before: Vec<&Written> = figures
            .iter()
            .filter(|f| f.at >= since && f.at < word.at && f.is_money())
            .collect();
        let last = base(sentence, &before, head, clause_list[clause].0, year);
        let this = before
            .iter()
            .rfind(|f| last.is_none_or(|l| l.at != f.at))
            .map(|f| **f);
        let compares = ["比", "较", "同比", "相比", "上年", "上一年"]
            .iter()
            .any(|w| head.contains(w))
            || last.is_some();
        let respectively = ["分别", "依次"]
            .iter()
            .any(|w| clause_list[clause].1.contains(w));
        let basis = basis_of(sentence, clause_list[clause].0, word.at);
        let comparison = Comparison {
            word,
            this,
            last,
            change,
            percent,
            percent_word,
            compares,
            respectively,
            basis,
        };
        since = comparison.end();
        out.push(comparison);
    }
    out
}

/// The base among `before` (money figures ahead of a direction word whose
/// clause starts at `clause_at`, its text up to the word `head`): one after
/// 比/较 in that clause ("比 2025 年年初预算数 30385.62 万元增加"), else the first
/// whose own clause names last year and compares nothing.
fn base(
    sentence: &str,
    before: &[&Written<'static>],
    head: &str,
    clause_at: usize,
    year: i32,
) -> Option<Written<'static>> {
    if let Some(than) = ["比", "较"].iter().filter_map(|w| head.rfind(w)).max()
        && let Some(f) = before.iter().find(|f| f.at > clause_at + than)
    {
        return Some(**f);
    }
    let names_last = [
        "上年".to_string(),
        "上一年".to_string(),
        format!("{}年", year - 1),
        format!("{} 年", year - 1),
    ];
    let this_year = [format!("{year}年"), format!("{year} 年")];
    before
        .iter()
        .find(|f| {
            let head = clause_head(&sentence[..f.at]);
            // 上年结转 is this year's money.
            let last = names_last.iter().any(|n| {
                head.match_indices(n.as_str())
                    .any(|(i, _)| !head[i..].starts_with("上年结"))
            });
            last && !head.contains('比')
                && !head.contains('较')
                && !this_year.iter().any(|y| head.contains(y.as_str()))
        })
        .map(|f| **f)
}

/// The basis a comparison names between its clause's start (`from`) and
/// its word (`to`): after the last 比, 较 or 与, past the year it names
/// (上年, 上一年, 2024年, 2024 年, 同期), the first of 预算执行数/执行数 (预算执行数),
/// 决算 (决算) or 年初预算/预算 (预算).
fn basis_of(sentence: &str, from: usize, to: usize) -> Option<(usize, usize, &'static str)> {
    let head = &sentence[from..to];
    let (than, word) = ["比", "较", "与"]
        .iter()
        .filter_map(|w| head.rfind(w).map(|i| (i, *w)))
        .max()?;
    let mut rest = &head[than + word.len()..];
    for year in ["上一年", "上年", "同期"] {
        rest = rest.strip_prefix(year).unwrap_or(rest);
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 4 {
        rest = rest[4..].trim_start();
        rest = rest.strip_prefix('年').unwrap_or(rest);
    }
    rest = rest.strip_prefix("度").unwrap_or(rest);
    rest = rest.strip_prefix("的").unwrap_or(rest);
    let named = [
        ("预算执行数", "预算执行数"),
        ("执行数", "预算执行数"),
        ("决算", "决算"),
        ("年初预算", "预算"),
        ("预算", "预算"),
    ];
    let (written, basis) = named.iter().find(|(w, _)| rest.starts_with(w))?;
    let start = from + than;
    let end = to - (rest.len() - written.len());
    Some((start, end, basis))
}

/// Whether a paragraph says there is no last year's figure to compare
/// with: a unit set up this year ("新成立单位，无 2018 年决算数"). Its
/// comparisons are from a base of zero, whatever their figures say.
pub fn without_base(paragraph: &str, year: i32) -> bool {
    let last = year - 1;
    ["新成立", "新设立", "新组建", "无上年"]
        .iter()
        .map(|w| w.to_string())
        .chain([format!("无{last}年"), format!("无 {last} 年")])
        .any(|w| paragraph.contains(w.as_str()))
}

/// The direction and percentage words of a sentence, in order. 增长 in
/// 稳增长 or 增长率, 增加值 and the like name no change of this budget's.
fn direction_words(sentence: &str) -> Vec<Word> {
    let mut out: Vec<Word> = DIRECTION_WORDS
        .iter()
        .chain(PERCENT_WORDS.iter())
        .flat_map(|&(word, direction)| {
            sentence.match_indices(word).map(move |(at, _)| Word {
                at,
                word,
                direction,
            })
        })
        .filter(|w| !sentence[w.end()..].starts_with(['率', '值', '点', '情', '原']))
        .filter(|w| !sentence[..w.at].ends_with(['稳', '促']))
        .collect();
    out.sort_by_key(|w| w.at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(sentence: &str, f: Option<Written>) -> String {
        f.map_or_else(String::new, |f| sentence[f.at..f.end()].to_string())
    }

    /// Each comparison as `word this|last|change|percent`.
    fn read(sentence: &str) -> Vec<String> {
        comparisons(sentence, 2026)
            .into_iter()
            .map(|c| {
                format!(
                    "{} {}|{}|{}|{}",
                    c.word.word,
                    shown(sentence, c.this),
                    shown(sentence, c.last),
                    shown(sentence, c.change),
                    shown(sentence, c.percent)
                )
            })
            .collect()
    }

    #[test]
    fn each_figure_has_its_role() {
        assert_eq!(
            read(
                "2026 年度收入预算 32852.05 万元，比 2025 年年初预算数 30385.62 万元增加 2466.43 万元，增长 8.12%"
            ),
            ["增加 32852.05 万元|30385.62 万元|2466.43 万元|8.12%"]
        );
        assert_eq!(
            read(
                "2025年当年预算执行数为120.00万元，2026年预算安排150.00万元，比2025年预算执行数增加20.00%"
            ),
            ["增加 150.00万元|120.00万元||20.00%"]
        );
        assert_eq!(
            read("支出预算573.34万元，比上年减少53.34万元，降幅为8.51%"),
            ["减少 573.34万元||53.34万元|8.51%"]
        );
        assert_eq!(
            read("培训费10万元，比上年增加2万元（25.00%）"),
            ["增加 10万元||2万元|25.00%"]
        );
        // Two comparisons in one sentence: each its own amount and percentage.
        assert_eq!(
            read(
                "收入预算100.00万元，比上年增加10.00万元，其中：财政拨款50.00万元，比上年增加10.00万元，增长25.00%"
            ),
            [
                "增加 100.00万元||10.00万元|",
                "增加 50.00万元||10.00万元|25.00%"
            ]
        );
        assert_eq!(read("“三公”经费3.00万元，与上年持平"), ["持平 3.00万元|||"]);
        // A change without its sign (变化), and the percentage after it.
        assert_eq!(
            read("收入 1668.14 万元，比上年决算数相比变化 0 万元，增长 0%"),
            ["变化 1668.14 万元||0 万元|0%"]
        );
        // The basis compared with, past the year it names.
        let basis = |s: &str| {
            comparisons(s, 2026)
                .into_iter()
                .map(|c| c.basis.map(|(a, b, k)| format!("{} {k}", &s[a..b])))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            basis(
                "收入100万元，比2025年预算执行数增加10万元；支出90万元，较上年年初预算减少1万元；合计190万元，增长5%"
            ),
            [
                Some("比2025年预算执行数 预算执行数".to_string()),
                Some("较上年年初预算 预算".to_string()),
                None
            ]
        );
        // 稳增长 is no change.
        assert!(read("围绕稳增长促投资，安排资金100.00万元").is_empty());
    }

    #[test]
    fn clauses_keep_thousands_separators() {
        assert_eq!(
            clauses("收入3,845.40万元，比上年增加1,000万元"),
            [(0, "收入3,845.40万元"), (23, "比上年增加1,000万元")]
        );
    }
}
