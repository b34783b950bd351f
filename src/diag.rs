//! Diagnostics: every problem found in an input file, with its location.
//!
//! Every stage (load, validate, render, typeset) reports into a [`Diagnostics`]
//! list instead of stopping at the first problem, so that `yusuan check` can
//! show a finance officer everything that is wrong with her file at once.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

/// Every rule id a diagnostic can carry, with what it checks and why, in
/// Chinese and English (`yusuan explain`). The R rules are those of formats.md §4.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "R1",
        "收支总表：收入总计 = 支出总计。预算是平衡的：收到的每一元都安排了支出或结转。",
        "收支总表: 收入总计 = 支出总计. A budget balances: every yuan received is planned to be spent or carried over.",
    ),
    (
        "R2",
        "收支总表的总计 = 收入总表合计 = 支出总表合计。汇总表和明细表说的是同一笔钱。",
        "收支总表 totals = 收入总表 合计 = 支出总表 合计. The summary and the detailed tables describe the same money.",
    ),
    (
        "R3",
        "收入总表每一行：合计 = 各资金来源列之和（+ 上年结转）。一行的合计就是它的来源，不多不少。",
        "收入总表, each row: 合计 = Σ its source columns (+ 上年结转). The total of a row is its sources, nothing more.",
    ),
    (
        "R4",
        "支出总表和各资金支出表每一行：合计 = 基本支出 + 项目支出（+ 经营、上缴上级、对附属单位补助）。",
        "支出总表 and the fund tables, each row: 合计 = 基本支出 + 项目支出 (+ 经营, 上解, 对附属). Spending is basic or project spending.",
    ),
    (
        "R5",
        "每棵分类树中：类 = Σ 款，款 = Σ 项，合计 = Σ 类：申报的数等于其下各项之和。",
        "In every tree, 类 = Σ 款, 款 = Σ 项, 合计 = Σ 类: a declared figure equals the sum of the items under it.",
    ),
    (
        "R6",
        "财政拨款收支总表：合计 = 一般公共预算 + 政府性基金 + 国有资本经营，逐行及总计都如此，并等于财政拨款收入。",
        "财政拨款收支总表: 合计 = 一般公共预算 + 政府性基金 + 国有资本经营, per row and in total, = 财政拨款 income.",
    ),
    (
        "R7",
        "一般公共预算支出表 = 支出总表中的一般公共预算部分（全部资金都是一般公共预算时两者相等）；财政拨款资金通常只用于基本支出和项目支出。",
        "一般公共预算支出表 = the 一般公共预算 part of the 支出总表 (equal when all money is 一般公共预算); 财政拨款 money is normally 基本 or 项目 spending only.",
    ),
    (
        "R8",
        "支出总表中一般公共预算的基本支出 = 基本支出表合计：按功能分类和按经济分类的基本支出是同一笔钱。",
        "支出总表 基本支出 of 一般公共预算 = 基本支出表 合计: the basic spending by function and by economic class are the same money.",
    ),
    (
        "R9",
        "基本支出表每一行：合计 = 人员经费 + 公用经费，每条经济分类按表中的归类计入（含经费类型的改写）。",
        "基本支出表, each row: 合计 = 人员经费 + 公用经费, with each 经济分类 line counted where the tables count it (kind overrides included).",
    ),
    (
        "R10",
        "三公经费表：合计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费（+ 地区增加的行）；每行 = 其中各项之和。",
        "三公 table: 合计 = 因公出国（境）+ 公务用车购置及运维 + 公务接待 (+ rows a region adds); each row = its 其中 rows.",
    ),
    (
        "R11",
        "三公经费表：公务用车购置及运行维护费 = 购置费 + 运行维护费；因公出国（境）费写成两个其中项或一个数，不能两者都写。",
        "三公 table: 公务用车购置及运维费 = 购置 + 运行维护; 因公出国（境）费 = its two 其中 rows, or one figure, not both.",
    ),
    (
        "R12",
        "三公的公务用车运行维护费 ≥ 基本支出 30231，公务接待费 ≥ 基本支出 30217：三公经费表也包括项目资金，不会少于基本支出中的对应科目。",
        "三公 公务用车运行维护费 ≥ basic 30231 and 公务接待费 ≥ basic 30217: the 三公 table counts project money too, never less than the basic lines.",
    ),
    (
        "R13",
        "手写的说明文字与表一致：数额、百分比、比较的年份（上一年）、类名（不用旧名）、增减方向及其原因都与计算结果相符。",
        "Hand-written narrative agrees with the tables: amounts, percentages, the year compared with (the year before), 类 names (not renamed ones), and the direction of a change and its reason.",
    ),
    (
        "R14",
        "只有没有金额的表才能注明“本表为空表”；空的政府性基金或国有资本经营预算表可以加这条注。",
        "A 空表 note stands only under a table without money; an empty 政府性基金/国有资本 table may carry one.",
    ),
    (
        "R16",
        "各项目预算之和（绩效目标表）= 支出总表的项目支出：全部，或在 [projects] scope = \"fiscal\" 时只算当年财政拨款部分（只列当年财政拨款项目的表不含事业收入和上年结转资金）。",
        "Σ project budgets (绩效目标表) = 项目支出 of the 支出总表: all of it, or with [projects] scope = \"fiscal\" its 当年财政拨款 part (a table listing only projects paid from this year's 财政拨款 leaves out 事业收入 and 上年结转 money).",
    ),
    (
        "R17",
        "资金支出计划：累计百分比，不减少，最后达到 100%。",
        "资金支出计划: cumulative percentages, never decreasing, ending at 100%.",
    ),
    ("amount", "金额不能为负数。", "Amounts are never negative."),
    (
        "catalogue",
        "用哪一份分类目录为编码命名：预算年度的、最近一年的内置目录，或文件自带的目录。",
        "Which classification catalogue names the codes: the budget year's, the nearest older built-in one, or the file's own.",
    ),
    (
        "code",
        "功能分类项的编码为 7 位数字，经济分类款为 5 位，部门编码为字母和数字。",
        "A 功能分类 项 code has 7 digits, a 经济分类 款 code 5, a department code letters and digits.",
    ),
    (
        "columns",
        "某个地区样式的表中没有列的钱（某种资金来源或支出类型）会丢失：请换资金来源或地区样式。",
        "Money a profile's table has no column for (a source or kind of spending) would be lost: choose another source or profile.",
    ),
    (
        "dimension",
        "按某个维度（单位、项目、部门经济分类……）成行的表，需要文件中有带这个维度的金额。",
        "A table with a row per value of a dimension (单位, 项目, 部门经济分类, …) needs amounts of the file that have it.",
    ),
    (
        "fact",
        "[[fact]] 记录的支出类型、资金来源和编码必须是已知的、形状正确的。",
        "A [[fact]] record's kind, source and codes are known and well formed.",
    ),
    (
        "sentence",
        "逐项说明的句式（sentence）只能是 quoted、dash、code、codes 之一。",
        "The sentence per 项 (sentence) is one of quoted, dash, code, codes.",
    ),
    (
        "period",
        "项目期（如 2022-2022）必须包含预算年度。",
        "A project's period (such as 2022-2022) includes the budget year.",
    ),
    (
        "sections",
        "地区样式要求说明的内容（required_sections，如三公、政府采购、机关运行经费、国有资产、绩效目标）必须在某一段的标题或正文中出现，或由生成的段落写出。",
        "What a profile requires the text to explain (required_sections: 三公, 政府采购, 机关运行经费, 国有资产, 绩效目标 …) appears in a section's title or text, or a generated section writes it.",
    ),
    (
        "last-year",
        "[last_year] from = \"上年文件\" 时，上年数取自上年的预算文件（各项合计、每个项、三公）；手填的上年数与之不符时提示。上年文件读不到或有错误时报错。",
        "With [last_year] from = \"last year's file\", last year's figures come from that budget file (totals, each 项, 三公); a figure typed by hand that differs is named. A file that cannot be read, or has errors, is an error.",
    ),
    (
        "list",
        "[[list.<表>]] 逐行填写 rows = \"list\" 的表：表必须在地区样式中，每个键必须是它的列，金额列填金额，合计列与小计列由系统算出。",
        "[[list.<table>]] rows fill a rows = \"list\" table: the table is in the profile, each key is one of its columns, amount columns hold amounts, sum columns are computed.",
    ),
    (
        "declared",
        "[declared.*] 中的表、行、列必须在表定义中存在。",
        "A [declared.*] table, row or column must exist in the table definitions.",
    ),
    (
        "decimals",
        "元最多 2 位小数（到分），万元最多 6 位（精确到元）。",
        "At most 2 decimals in 元 (the 分), 6 in 万元 (元-exact).",
    ),
    (
        "duplicate",
        "一行、一个经济分类或一个项目编码只能给一次。",
        "A line, an economic class or a 项目编码 is given once.",
    ),
    (
        "empty",
        "名称和文件不能为空。",
        "Names and files are not empty.",
    ),
    ("encoding", "文件是 UTF-8 文本。", "The file is UTF-8 text."),
    (
        "funding-unit",
        "[[units]] 中列出的资金使用单位要有项目。",
        "A 资金使用单位 listed under [[units]] has projects.",
    ),
    (
        "glyph",
        "每个字符都要有字体包含它，否则会印成方框。",
        "Every character has a glyph in some font; otherwise it would print as a box.",
    ),
    (
        "import",
        "粘贴来的表格中读不出的单元格；在 TOML 中保留为 # NOT IMPORTED。",
        "A pasted table's cell that could not be read; kept in the TOML as # NOT IMPORTED.",
    ),
    (
        "indicator_style",
        "项目表中绩效指标单元格用半角（`,` `;`）还是全角（`；` `。`）标点。",
        "The list's 绩效指标 cell is written ascii (`,` `;`) or fullwidth (`；` `。`).",
    ),
    (
        "kind",
        "经济分类行的经费类型是人员经费或公用经费。",
        "An economic line's kind is 人员经费 or 公用经费.",
    ),
    (
        "layout",
        "项目表样式是 list、card 或 sheet。",
        "The project layout is list, card or sheet.",
    ),
    (
        "print",
        "申报了的格子印什么：declared（默认，预算系统由精确到元的数四舍五入印出的数，在尾差之内时）或 computed（文件各笔金额之和，只在打印时四舍五入一次）。",
        "What a declared cell prints: declared (the default: the budget system's figure, rounded from exact 元, when it is within its 尾差) or computed (the sum of the file's amounts, rounded once for printing).",
    ),
    (
        "indicator",
        "指标级别是已知的，二级指标在其一级指标之下，产出和效益指标都要有。",
        "Indicator levels are known, 二级 under its 一级, 产出 and 效益 indicators present.",
    ),
    (
        "invisible",
        "不能有不可见字符或控制字符（零宽空格、双向标记、ESC）：它们印不出来或会挪动文字。",
        "No invisible or control character (zero-width space, bidi marks, ESC): they print as nothing or move text.",
    ),
    (
        "io",
        "文件能读取，且不会大得离谱（64 MiB）。",
        "The file can be read and is not absurdly large (64 MiB).",
    ),
    (
        "layout-check",
        "没有文字压在别的文字上、越过表格线或超出页面。",
        "Nothing printed over other text, across a table rule or off the page.",
    ),
    (
        "line-split",
        "一行的人员经费和公用经费加起来等于它的基本支出。",
        "A line's 人员经费 and 公用经费 add up to its 基本支出.",
    ),
    (
        "notes",
        "注要属于一张存在的表。",
        "A note belongs to a table that exists.",
    ),
    (
        "place",
        "章节放在表前（front）或表后（back）。",
        "A section goes before the tables (front) or after them (back).",
    ),
    (
        "generate",
        "生成的段落是已知的一种：overview、lines、running_costs、sangong、procurement、assets、projects、glossary、chart。",
        "A generated paragraph is one of overview, lines, running_costs, sangong, procurement, assets, projects, glossary, chart.",
    ),
    (
        "profile",
        "地区样式存在，且其 profile.toml 自洽：资金来源、支出类型、行类型都是已知的，sum 列只加同一张表中存在的列且不绕回自身，筛选列不会永远为零，核对规则要用的九张表都在。",
        "The regional profile exists and its profile.toml is sound: known sources, kinds and row types; a sum adds only columns of its own table and never itself; no filter that is always zero; the nine tables the rules use are all there.",
    ),
    (
        "text",
        "手写文字在核对数字之前就会被退回的问题：模板占位符（XX万元、待填写、（略）、……）、重复标点、同一句中元与万元混用、同一份文件既称部门预算又称单位预算、同一段印了两次。",
        "What a reviewer sends back before reading a figure: a template's placeholders (XX万元, 待填写, （略）, ……), doubled punctuation, 元 and 万元 in one sentence, a document calling itself both 部门预算 and 单位预算, a paragraph printed twice.",
    ),
    (
        "typst",
        "Typst 排版时的警告（如找不到字体族、字体回退），标明写出那段源码的模板行。",
        "A warning of Typst's while typesetting (an unknown font family, a fallback), at the template line that wrote the source.",
    ),
    (
        "template",
        "样式目录中的模板语法正确，引用的表在样式中存在，每个文件都替换一个模板或被某个模板引用。",
        "A profile's templates parse, name only tables the profile has, and each replaces a template or is included by one.",
    ),
    (
        "project-subtotal",
        "资金使用单位申报的小计以及项目表的合计，等于其各项目之和。",
        "A 资金使用单位's declared subtotal, and the list's 合计, equal the sum of its projects.",
    ),
    (
        "project-total",
        "项目（或小计）的总计 = 财政拨款 + 财政专户拨款 + 其他资金。",
        "A project's (or subtotal's) 总计 = 财政拨款 + 财政专户拨款 + 其他资金.",
    ),
    (
        "listed",
        "绩效目标表列出全部项目（all）还是部分项目（partial）：部分时 R16 只要求所列项目不超过支出总表的项目支出。",
        "Whether the 绩效目标表 lists every project (all) or some (partial): then R16 only requires the listed ones not to exceed the 支出总表's 项目支出.",
    ),
    (
        "running-costs",
        "机关运行经费是行政单位和参公事业单位的日常公用经费：不超过基本支出表的公用经费。",
        "机关运行经费 is the 日常公用经费 of 行政单位 and 参公事业单位: at most the 基本支出表's 公用经费.",
    ),
    (
        "scope",
        "项目表列出哪些钱，用于 R16：全部（all），或只列当年财政拨款（fiscal）。",
        "Which money the project table lists, for R16: all, or fiscal (当年财政拨款 only).",
    ),
    (
        "skipped",
        "有编码格式错误的行被排除时不核对合计（否则这些错误只会以“少了钱”的形式重复出现）。",
        "The totals are not checked while lines with malformed codes are left out (their errors would only repeat the missing money).",
    ),
    (
        "source",
        "资金来源是已知的一种。",
        "The source of money is one of the known ones.",
    ),
    ("syntax", "文件是合法的 TOML。", "The file is valid TOML."),
    (
        "table-units",
        "单独指定单位的表要存在。",
        "A table given its own unit exists.",
    ),
    (
        "type",
        "每个值的类型符合它的键（金额、写成字符串的编码……）。",
        "Each value has the type its key needs (an amount, a code as a string, …).",
    ),
    ("unit", "单位是元或万元。", "Units are 元 or 万元."),
    (
        "unknown-code",
        "分类目录中没有的编码，要在文件中给出名称：名称从不猜测。",
        "A code the catalogue does not know needs its name in the file: names are never guessed.",
    ),
    (
        "unknown-key",
        "每个键都是 yusuan 认识的（否则拼错的键会被悄悄忽略）。",
        "Every key is one yusuan knows (a typo would otherwise be silently ignored).",
    ),
    ("year", "预算年度是一个年份。", "The budget year is a year."),
    (
        "budget-file",
        "部门决算的 [budget] from：同一部门同一年的部门预算文件，预算数取自它；这里另写的预算数须与它一致。",
        "A 部门决算's [budget] from: the same department's 部门预算 file of the same year, whose figures are the 预算数; a budget figure typed here as well must agree with it.",
    ),
    (
        "balance",
        "部门决算：年初结转和结余 + 本年收入 + 使用非财政拨款结余 = 本年支出 + 结余分配 + 年末结转和结余，合计及每一类财政拨款都如此。",
        "部门决算: 年初结转和结余 + 本年收入 + 使用非财政拨款结余 = 本年支出 + 结余分配 + 年末结转和结余, in total and for each kind of 财政拨款.",
    ),
    (
        "zero",
        "零怎么印：\"\"（空白）、\"0\"、\"0.00\"、\"-\" 或 \"—\"；文件的 zero 优先于样式（及其 [style.until.年份]），表自己的 zero 又优先于文件。",
        "How zero prints: \"\" (blank), \"0\", \"0.00\", \"-\" or \"—\"; the file's zero is over its profile's style (and its [style.until.YEAR]), a table's own zero over the file's.",
    ),
];

/// The language messages are written in: Chinese by default, English
/// with `--lang en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// A message written in both languages; [`Lang`] chooses which is shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A message from its Chinese and English wording.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The wording in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A [`Text`] from two format strings, Chinese first, each with the
/// arguments it names: `text!("未知单位 {u}", "unknown unit {u}")`.
#[macro_export]
macro_rules! text {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::diag::Text {
            zh: format!($zh),
            en: format!($en),
        }
    };
}

/// How bad a problem is: errors stop a render, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Printed, but the document still renders.
    Warning,
    /// The document is not rendered.
    Error,
}

/// One problem, tied to a byte range of the input file when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The rule broken: `R5`, `syntax`, `unknown-code`, … (stable, used by tests).
    pub rule: &'static str,
    /// The message, one sentence, with both figures where figures disagree.
    pub message: Text,
    /// Where in the input file, as a byte range; `None` for whole-file problems.
    pub span: Option<Range<usize>>,
    /// Extra lines of help.
    pub notes: Vec<Text>,
    /// The figures compared, when the problem is two figures that disagree.
    pub figures: Option<Figures>,
    /// Other places the problem may lie: the file's lines a computed figure
    /// sums (a figure mistyped there shows as a declared total's mismatch).
    pub related: Vec<Range<usize>>,
}

/// The two figures of a failed comparison, as printed (rounded to the
/// compared decimals), their difference and the 尾差 tolerance (zero when
/// nothing was rounded).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// The declared (or first) figure.
    pub declared: rust_decimal::Decimal,
    /// The computed (or second) figure.
    pub computed: rust_decimal::Decimal,
    /// |declared − computed|.
    pub difference: rust_decimal::Decimal,
    /// The largest difference rounding explains.
    pub tolerance: rust_decimal::Decimal,
}

impl Diagnostic {
    /// An error for `rule` with `message` at `span`.
    pub fn error(rule: &'static str, span: Option<Range<usize>>, message: Text) -> Self {
        Self {
            severity: Severity::Error,
            rule,
            message,
            span,
            notes: vec![],
            figures: None,
            related: vec![],
        }
    }

    /// A warning for `rule` with `message` at `span`.
    pub fn warning(rule: &'static str, span: Option<Range<usize>>, message: Text) -> Self {
        Self {
            severity: Severity::Warning,
            rule,
            message,
            span,
            notes: vec![],
            figures: None,
            related: vec![],
        }
    }

    /// Adds a line of help.
    pub fn with_note(mut self, note: Text) -> Self {
        self.notes.push(note);
        self
    }
}

/// All diagnostics of one input file, with the file's text to locate them.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The file name as the user gave it.
    pub file: String,
    /// The file's text.
    pub source: String,
    /// The problems, in the order found.
    pub items: Vec<Diagnostic>,
    /// Checks that did not run, each with its rule and why (`check --verbose`
    /// and the JSON output say them; they are no problem of the file).
    pub skipped: Vec<(&'static str, Text)>,
    /// Byte offsets where lines start, computed once on first use: locating
    /// 10,000 diagnostics must not count newlines 10,000 times.
    line_starts: std::sync::OnceLock<Box<[usize]>>,
}

impl Diagnostics {
    /// An empty list for `file` whose text is `source`.
    pub fn new(file: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            source: source.into(),
            items: vec![],
            skipped: vec![],
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any error (not warning) was found.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        (errors, self.items.len() - errors)
    }

    /// The decimal places of the number written at `span` ("3.234570": 6),
    /// where the file's text there is a number (a TOML float keeps no
    /// trailing zeros, the text does); `None` elsewhere.
    pub fn written_places(&self, span: &Range<usize>) -> Option<u32> {
        let text = self
            .source
            .get(span.clone())?
            .trim()
            .trim_matches(['"', '\'']);
        let number = text
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '_');
        if !number || text.is_empty() {
            return None;
        }
        Some(text.split_once('.').map_or(0, |(_, f)| f.len() as u32))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.source, offset.min(self.source.len()));
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.source.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        (line, self.source[start..offset].chars().count() + 1)
    }

    /// `file:line:col` of a diagnostic, or just `file`.
    pub fn location(&self, d: &Diagnostic) -> String {
        match &d.span {
            Some(span) => {
                let (line, col) = self.line_col(span.start);
                format!("{}:{line}:{col}", self.file)
            }
            None => self.file.clone(),
        }
    }

    /// One line per diagnostic: `file:line:col: 错误[R5]: message`
    /// (`error[R5]` in English).
    pub fn to_short_string(&self, lang: Lang) -> String {
        let mut out = String::new();
        for d in &self.items {
            let sev = severity_word(d.severity, lang);
            out.push_str(&format!(
                "{}: {sev}[{}]: {}\n",
                printable(&self.location(d)),
                d.rule,
                printable(d.message.get(lang))
            ));
        }
        out
    }

    /// One JSON object per line and diagnostic, for editors and CI: file,
    /// line, column, end_line, end_column (1-based; null without a place),
    /// severity, rule, message, notes, and for figures that disagree
    /// declared, computed, difference and tolerance; then one object per
    /// check that did not run (severity `skipped`, rule, message).
    pub fn to_json_lines(&self, lang: Lang) -> String {
        let mut out = String::new();
        for d in &self.items {
            let (start, end) = match &d.span {
                Some(s) => (Some(self.line_col(s.start)), Some(self.line_col(s.end))),
                None => (None, None),
            };
            let mut v = serde_json::json!({
                "file": self.file,
                "line": start.map(|p| p.0),
                "column": start.map(|p| p.1),
                "end_line": end.map(|p| p.0),
                "end_column": end.map(|p| p.1),
                "severity": d.severity,
                "rule": d.rule,
                "message": d.message.get(lang),
                "notes": d.notes.iter().map(|n| n.get(lang)).collect::<Vec<_>>(),
            });
            if let Some(f) = &d.figures {
                for (k, x) in [
                    ("declared", f.declared),
                    ("computed", f.computed),
                    ("difference", f.difference),
                    ("tolerance", f.tolerance),
                ] {
                    v[k] = serde_json::Value::String(x.to_string());
                }
            }
            out.push_str(&v.to_string());
            out.push('\n');
        }
        for (rule, why) in &self.skipped {
            let v = serde_json::json!({
                "file": self.file,
                "severity": "skipped",
                "rule": rule,
                "message": why.get(lang),
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        out
    }

    /// One line per check that did not run: `file: 跳过[R7]: why`.
    pub fn skipped_string(&self, lang: Lang) -> String {
        let word = match lang {
            Lang::Zh => "跳过",
            Lang::En => "skipped",
        };
        self.skipped
            .iter()
            .map(|(rule, why)| {
                let (file, why) = (printable(&self.file), printable(why.get(lang)));
                format!("{file}: {word}[{rule}]: {why}\n")
            })
            .collect()
    }

    /// The codespan-style report: each problem with the source line under it.
    pub fn to_report_string(&self, lang: Lang) -> String {
        let shown = visible(&self.source);
        let name = printable(&self.file);
        let file = SimpleFile::new(name.as_str(), shown.as_str());
        let config = Config::default();
        let mut out = String::new();
        for d in &self.items {
            let cs = match d.severity {
                Severity::Error => CsDiagnostic::error(),
                Severity::Warning => CsDiagnostic::warning(),
            };
            let message = d.message.get(lang);
            if let Some(excerpt) = self.long_line_excerpt(d, lang) {
                out.push_str(&excerpt);
                continue;
            }
            let mut labels = vec![];
            if let Some(span) = &d.span {
                let start = floor_char_boundary(&self.source, span.start);
                let end = floor_char_boundary(&self.source, span.end.max(start));
                labels.push(Label::primary((), start..end));
            }
            let cs = cs
                .with_code(d.rule)
                .with_message(printable(&format!("{message}  ({})", self.location(d))))
                .with_labels(labels)
                .with_notes(d.notes.iter().map(|n| printable(n.get(lang))).collect());
            match term::emit_into_string(&config, &file, &cs) {
                // codespan writes English severities; Chinese readers get 错误/警告.
                Ok(s) if lang == Lang::Zh => out.push_str(&chinese_severity(&s)),
                Ok(s) => out.push_str(&s),
                Err(_) => out.push_str(&self.to_short_string(lang)),
            }
        }
        out
    }
}

impl Diagnostics {
    /// A diagnostic on a line longer than [`LONG_LINE`] characters (a
    /// paragraph of hand-written text) shown with an excerpt around its place
    /// instead of the whole line.
    fn long_line_excerpt(&self, d: &Diagnostic, lang: Lang) -> Option<String> {
        use unicode_width::UnicodeWidthStr;
        let span = d.span.as_ref()?;
        let start = floor_char_boundary(&self.source, span.start);
        let end = floor_char_boundary(&self.source, span.end.max(start));
        let line_start = self.source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.source[start..]
            .find('\n')
            .map_or(self.source.len(), |i| start + i);
        let line = &self.source[line_start..line_end];
        if line.chars().count() <= LONG_LINE || end > line_end {
            return None;
        }
        const AROUND: usize = 24;
        let before: String = {
            let b: Vec<char> = self.source[line_start..start].chars().collect();
            let skip = b.len().saturating_sub(AROUND);
            let s: String = b[skip..].iter().collect();
            if skip > 0 { format!("…{s}") } else { s }
        };
        let marked = &self.source[start..end];
        let after: String = {
            let a: Vec<char> = self.source[end..line_end].chars().collect();
            let s: String = a.iter().take(AROUND).collect();
            if a.len() > AROUND {
                format!("{s}…")
            } else {
                s
            }
        };
        let (line_no, _) = self.line_col(start);
        let gutter = line_no.to_string().len();
        let pad = " ".repeat(gutter);
        let sev = severity_word(d.severity, lang);
        let mut out = format!(
            "{sev}[{}]: {}  ({})\n{pad} ┌─ {}\n{pad} │\n{line_no} │ {}\n{pad} │ {}{}\n",
            d.rule,
            printable(d.message.get(lang)),
            printable(&self.location(d)),
            printable(&self.location(d)),
            printable(&format!("{before}{marked}{after}")),
            " ".repeat(visible(&before).width()),
            "^".repeat(visible(marked).width().max(1)),
        );
        for n in &d.notes {
            let note = match lang {
                Lang::Zh => format!("{pad} = 提示：{}\n", printable(n.get(lang))),
                Lang::En => format!("{pad} = {}\n", printable(n.get(lang))),
            };
            out.push_str(&note);
        }
        out.push('\n');
        Some(out)
    }
}

/// Lines longer than this (in characters) are shown as an excerpt around
/// the problem.
const LONG_LINE: usize = 160;

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_short_string(Lang::default()))
    }
}

/// 错误/警告, or error/warning.
pub fn severity_word(severity: Severity, lang: Lang) -> &'static str {
    match (severity, lang) {
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Error, Lang::En) => "error",
        (Severity::Warning, Lang::En) => "warning",
    }
}

/// A codespan report with its severity and note words in Chinese.
fn chinese_severity(report: &str) -> String {
    let mut out = String::with_capacity(report.len());
    for line in report.split_inclusive('\n') {
        let line = if let Some(rest) = line.strip_prefix("error[") {
            format!("错误[{rest}")
        } else if let Some(rest) = line.strip_prefix("warning[") {
            format!("警告[{rest}")
        } else {
            line.replacen(
                "= ",
                "= 提示：",
                usize::from(line.trim_start().starts_with("= ")),
            )
        };
        out.push_str(&line);
    }
    out
}

/// Whether `c` would act on a terminal or not show at all: control
/// characters and invisible format characters (zero-width, bidi, BOM).
pub fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c as u32, 0x00AD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF)
}

/// `s` with every invisible or control character written as `\u{1b}`: a
/// message never clears a terminal or hides text.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_invisible(c) || c == '\n' {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `s` with each invisible character replaced by a visible one of the same
/// byte length, so that spans into `s` still point at the same text.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_invisible(c) {
                match c.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => '\u{FFFD}',
                }
            } else {
                c
            }
        })
        .collect()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
