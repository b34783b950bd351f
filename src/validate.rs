//! From the input file to a validated budget: codes well-formed and nested,
//! names filled from the catalogue, sources and units known, amounts converted
//! to the printing unit (exactly; rounding happens only when printing).

use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use serde::Serialize;
use toml::Spanned;

use crate::catalogue::{self, Catalogue};
use crate::diag::{Diagnostic, Diagnostics};
pub use crate::domain::{Funds, KINDS, Kind, Source, Unit};
use crate::model::{BudgetFile, FundAmounts, Money};
use crate::profile::Profile;
use crate::records::Fact;
use crate::text;
use std::sync::Arc;

/// One validated 功能分类 项 line: its code, name and sentences. Its money
/// is in the ledger ([`Budget::facts`]), never here.
#[derive(Debug, Clone)]
pub struct Line {
    /// 7-digit code.
    pub code: String,
    /// Name (user's, else catalogue's).
    pub name: String,
    /// Fund or source.
    pub source: Source,
    /// 主要用于… (the narrative's sentence per 项).
    pub uses: Option<String>,
    /// 主要原因是… (why it changed from last year).
    pub reason: Option<String>,
    /// Where the line is in the file.
    pub span: Range<usize>,
}

/// One validated 经济分类 款 line of basic expenditure: its code, name and
/// part; its money is in the ledger.
#[derive(Debug, Clone)]
pub struct EconomicLine {
    /// 5-digit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// 人员经费 (true) or 公用经费 (false).
    pub personnel: bool,
    /// The paired 政府经济分类 款, if given.
    pub government: Option<String>,
    /// Where the line is in the file.
    pub span: Range<usize>,
}

/// The 三公 leaves, in 元.
#[derive(Debug, Clone, Default)]
pub struct Sangong {
    /// 因公出国（境）费 given as one figure (no 其中 split).
    pub abroad_whole: bool,
    /// Whether 机关运行经费 is given.
    pub running_costs: bool,
    /// Rows a region adds.
    pub extra: Vec<SangongExtra>,
    /// Where `[sangong]` is in the file.
    pub span: Range<usize>,
}

/// A region's extra 三公 row: its name and the names of its 其中 rows (its
/// amount is theirs when it has any). The amounts are facts:
/// [`crate::records::Detail::Sangong`] keyed `name` or `name/item`.
#[derive(Debug, Clone, Default)]
pub struct SangongExtra {
    /// Row name.
    pub name: String,
    /// 其中 rows' names.
    pub items: Vec<String>,
}

/// The department header of every table.
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    /// Department code, e.g. "203".
    pub code: String,
    /// Department name.
    pub name: String,
    /// Budget year.
    pub year: i32,
    /// Printing unit (of every table without a unit of its own).
    pub unit: Unit,
    /// Decimals printed.
    pub decimals: u32,
    /// The profile the document is printed in.
    pub profile: &'static str,
    /// Whether the document is a 部门决算 (final account), not a 部门预算.
    pub final_account: bool,
    /// The 经费形式 the file gives (`[department] funding`), or empty.
    pub funding: String,
}

/// A row a file declares for a table by 单位 (`[declared.<id>]`, a key other
/// than 合计). Where no amount names its 单位, such a table's rows are these,
/// checked to add up to the ledger's total (see `reconcile::coverage`).
#[derive(Debug, Clone)]
pub struct DeclaredRow {
    /// The row key: the 单位's code or name.
    pub key: String,
    /// Where the row is in the file.
    pub span: Range<usize>,
    /// Column key (or header) and figure, in 元.
    pub yuan: Vec<(String, Decimal)>,
}

/// A validated budget, ready to compute from.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Header data.
    pub department: Department,
    /// The printing unit of tables that differ from the department's.
    pub table_units: BTreeMap<String, Unit>,
    /// The unit of each table's `[declared.<id>]` figures.
    pub declared_units: BTreeMap<String, Unit>,
    /// The rows other than 合计 of each `[declared.<id>]`, in file order.
    pub declared_rows: BTreeMap<String, Vec<DeclaredRow>>,
    /// The classification catalogue the names come from.
    pub catalogue: Arc<Catalogue>,
    /// The profile whose tables the `[declared.*]` figures were copied from
    /// (the file's own, whatever profile the document prints in).
    pub declared_profile: &'static Profile,
    /// The decimals the `[declared.*]` figures were printed with (their
    /// profile's): the places they are compared at.
    pub declared_decimals: u32,
    /// 功能分类 项 lines (names and sentences; the money is in `facts`).
    pub lines: Vec<Line>,
    /// 经济分类 款 lines of basic expenditure.
    pub economic: Vec<EconomicLine>,
    /// 三公 leaves, when given.
    pub sangong: Option<Sangong>,
    /// Names of 类/款 codes (user's over catalogue's).
    pub names: BTreeMap<String, String>,
    /// Notes per table id.
    pub notes: BTreeMap<String, String>,
    /// The unit the file's amounts are written in.
    pub input_unit: Unit,
    /// How many departments' rounded figures each amount sums (1, or the
    /// `consolidated` count of a district file).
    pub parts: usize,
    /// How many lines were left out for a malformed code (their money is
    /// missing from every total, so the totals are not checked).
    pub rejected: usize,
    /// The ledger: every amount as a fact, made once here from whatever
    /// form the file gives it in (see [`crate::records::Fact`]).
    pub facts: Vec<crate::records::Fact>,
    /// The ledger's details: amounts that break down spending already in
    /// `facts` another way (三公 items, 机关运行经费, list tables' cells),
    /// never added to its totals.
    pub details: Vec<crate::records::Fact>,
    /// The text cells of the profile's list tables' typed rows, by table id.
    pub lists: BTreeMap<String, Vec<crate::records::ListRow>>,
    /// The spans of the 项 and 经济分类 lines the `[[fact]]` records made.
    pub folded: Vec<Range<usize>>,
}

impl Budget {
    /// Factor from the file's unit to the printing unit (of the project tables).
    pub fn scale(&self) -> Decimal {
        self.input_unit.yuan() / self.department.unit.yuan()
    }
}

/// Validates the input file into a [`Budget`] printed in `profile`; problems go to `diags`.
pub fn validate(
    file: &BudgetFile,
    profile: &'static Profile,
    own: &'static Profile,
    records: Vec<Fact>,
    made: &[Range<usize>],
    diags: &mut Diagnostics,
) -> Budget {
    let d = file.department.get_ref();
    let Units {
        input: input_unit,
        print: print_unit,
        tables: table_units,
        declared: declared_units,
    } = units(file, profile, own, diags);
    let ids: Vec<&str> = profile.tables.iter().map(|t| t.id.as_str()).collect();
    let decimals = input_decimals(file);
    // Amounts are kept in 元, exactly; each table divides into its own unit.
    let to_yuan = input_unit.yuan();

    check_text(diags, &d.name, ("部门名称", "department name"));
    if let Some(code) = &d.code
        && !code.get_ref().chars().all(|c| c.is_ascii_alphanumeric())
    {
        diags.push(Diagnostic::error("code", Some(code.span()), {
            let code = code.get_ref();
            text!(
                "部门编码 \"{code}\" 只能由字母和数字组成",
                "department code \"{code}\" must be letters and digits"
            )
        }));
    }
    let year = *d.year.get_ref();
    if !(1990..=2100).contains(&year) {
        diags.push(Diagnostic::error(
            "year",
            Some(d.year.span()),
            text!(
                "预算年度 {year} 不是 1990 到 2100 之间的年份",
                "budget year {year} is not a year between 1990 and 2100"
            ),
        ));
    }
    let has_codes = !file.expenditure.is_empty() || !file.basic_economic.is_empty();
    let cat = choose_catalogue(d, has_codes, diags);
    let mut names = BTreeMap::new();
    for (code, name) in &file.names {
        check_text(diags, name, ("名称", "name"));
        names.insert(code.clone(), name.get_ref().trim().to_string());
    }

    let function = function_lines(file, &cat, &mut names, &records, made, diags);
    let (economic, economic_facts, economic_rejected) =
        economic_lines(file, &cat, &mut names, made, diags);
    let rejected = function.rejected + economic_rejected;

    let (sangong, details) = match sangong_of(file, decimals, to_yuan, diags) {
        Some((s, facts)) => (Some(s), facts),
        None => (None, vec![]),
    };

    let notes = notes_of(file, &ids, own, diags);
    let declared_rows = declared_rows(file, &declared_units, print_unit);

    Budget {
        department: Department {
            code: d
                .code
                .as_ref()
                .map_or_else(String::new, |c| c.get_ref().trim().to_string()),
            name: d.name.get_ref().trim().to_string(),
            year,
            unit: print_unit,
            decimals: profile.style.decimals,
            profile: &profile.name,
            final_account: profile.final_account,
            funding: d
                .funding
                .as_ref()
                .map_or_else(String::new, |f| f.get_ref().trim().to_string()),
        },
        table_units: ids
            .iter()
            .map(|id| {
                (
                    id.to_string(),
                    table_units.get(*id).copied().unwrap_or(print_unit),
                )
            })
            .collect(),
        declared_units,
        declared_rows,
        declared_profile: own,
        declared_decimals: own.style.decimals,
        catalogue: cat,
        lines: function.lines,
        economic,
        sangong,
        names,
        notes,
        input_unit,
        parts: d.consolidated.map_or(1, |n| n.max(1) as usize),
        rejected,
        facts: records
            .into_iter()
            .chain(function.facts)
            .chain(function.made_facts)
            .chain(economic_facts)
            .collect(),
        details,
        lists: BTreeMap::new(),
        folded: made.to_vec(),
    }
}

/// The rows other than 合计 of each `[declared.<id>]`, in file order, in 元.
fn declared_rows(
    file: &BudgetFile,
    units: &BTreeMap<String, Unit>,
    print_unit: Unit,
) -> BTreeMap<String, Vec<DeclaredRow>> {
    let mut out = BTreeMap::new();
    for (id, table) in &file.declared.0 {
        let yuan = units.get(id).copied().unwrap_or(print_unit).yuan();
        let mut rows: Vec<DeclaredRow> = table
            .get_ref()
            .iter()
            .filter(|(key, _)| !crate::domain::is_total(key.trim()))
            .map(|(key, cols)| DeclaredRow {
                key: key.trim().to_string(),
                span: cols.span(),
                yuan: cols
                    .get_ref()
                    .iter()
                    .map(|(c, v)| (c.clone(), v.get_ref().0 * yuan))
                    .collect(),
            })
            .collect();
        rows.sort_by_key(|r| r.span.start);
        if !rows.is_empty() {
            out.insert(id.clone(), rows);
        }
    }
    out
}

/// The 功能分类 项 lines, validated and named, and their money as facts.
struct FunctionLines {
    /// The lines (names and sentences).
    lines: Vec<Line>,
    /// Each line's money, but for the lines the records made.
    facts: Vec<Fact>,
    /// Last year's figures of the lines the records made, given elsewhere.
    made_facts: Vec<Fact>,
    /// How many lines were left out for a malformed code.
    rejected: usize,
}

/// The 功能分类 项 lines: codes well-formed and named (their 类 and 款
/// too), sources known, no duplicate, 人员 + 公用 = 基本; each line's money
/// made facts (a line the records made only its last-year figure).
fn function_lines(
    file: &BudgetFile,
    cat: &Catalogue,
    names: &mut BTreeMap<String, String>,
    records: &[Fact],
    made: &[Range<usize>],
    diags: &mut Diagnostics,
) -> FunctionLines {
    let decimals = input_decimals(file);
    let to_yuan = input_unit(file).yuan();
    let conv = |m: Money| m.0 * to_yuan;
    // Each line's money (the lines the records made hold theirs already).
    let mut line_facts: Vec<Fact> = vec![];
    let mut made_facts: Vec<Fact> = vec![];
    let mut rejected = 0;
    let mut lines = Vec::new();
    let mut seen: BTreeMap<(String, Source), Range<usize>> = BTreeMap::new();
    for item in &file.expenditure {
        let l = item.get_ref();
        let code = l.code.get_ref().trim().to_string();
        let code_ok = check_code(diags, &l.code, &[7], ("功能分类项", "功能分类 项"));
        rejected += usize::from(!code_ok);
        let source = match &l.source {
            None => Source::General,
            Some(s) => Source::parse(s.get_ref()).unwrap_or_else(|| {
                let valid: Vec<&str> = Source::NAMES.iter().map(|(_, n)| n[0]).collect();
                diags.push(Diagnostic::error("source", Some(s.span()), {
                    let (s, valid) = (s.get_ref(), valid.join(", "));
                    text!(
                        "未知的资金来源 \"{s}\"；可用：{valid}",
                        "unknown source \"{s}\"; valid: {valid}"
                    )
                }));
                Source::General
            }),
        };
        let name = fill_name(
            diags,
            &code,
            l.name.as_deref(),
            code_ok,
            item.span(),
            // A name under [names] serves lines without their own (records).
            &|c| {
                file.names
                    .get(c)
                    .map(|n| n.get_ref().trim().to_string())
                    .or_else(|| cat.function_name(c))
            },
            &cat.name,
        );
        let amt =
            |m: &Option<Spanned<Money>>| m.as_ref().map_or(Decimal::ZERO, |m| conv(*m.get_ref()));
        // 基本支出 left out beside its split is their sum (typed once).
        let basic = match &l.basic {
            None => amt(&l.personnel) + amt(&l.public),
            given => amt(given),
        };
        let kinds = [
            basic,
            amt(&l.project),
            amt(&l.operating),
            amt(&l.to_superior),
            amt(&l.to_subsidiary),
            amt(&l.personnel),
            amt(&l.public),
            amt(&l.last_year),
        ];
        check_amounts(
            diags,
            decimals,
            [
                &l.basic,
                &l.project,
                &l.operating,
                &l.to_superior,
                &l.to_subsidiary,
                &l.personnel,
                &l.public,
                &l.last_year,
            ],
        );
        // 人员经费 + 公用经费 split 基本支出: given, they add up to it exactly.
        let typed =
            |m: &Option<Spanned<Money>>| m.as_ref().map_or(Decimal::ZERO, |m| m.get_ref().0);
        if (l.personnel.is_some() || l.public.is_some()) && kinds[5] + kinds[6] != kinds[0] {
            diags.push(Diagnostic::error("line-split", Some(item.span()), {
                let (p, q, b) = (typed(&l.personnel), typed(&l.public), typed(&l.basic));
                text!(
                    "项 {code}：人员经费 {p} + 公用经费 {q} 应等于其基本支出 {b}",
                    "项 {code}: 人员经费 {p} + 公用经费 {q} must equal its 基本支出 {b}"
                )
            }));
        }
        if code_ok {
            if let Some(prev) = seen.insert((code.clone(), source), item.span()) {
                let (line, _) = diags.line_col(prev.start);
                diags.push(Diagnostic::error(
                    "duplicate",
                    Some(l.code.span()),
                    text!(
                        "项 {code} 的这一资金来源已在第 {line} 行给出，请把两笔金额写在同一条中",
                        "项 {code} with this source is already given on line {line}; put both amounts in one entry"
                    ),
                ));
            }
            let span = item.span();
            if !made.contains(&span) {
                line_facts.extend(crate::records::of_line(
                    &code,
                    source,
                    &kinds,
                    l.last_year.is_some(),
                    &span,
                ));
            } else if l.last_year.is_some()
                && !records.iter().any(|f| {
                    f.last_year
                        && f.function.as_deref() == Some(code.as_str())
                        && f.source == source
                })
            {
                // A line the records made has its last-year figure from
                // elsewhere (last year's file, or typed): a fact of its own.
                let mut last = crate::records::of_line(&code, source, &kinds, true, &span);
                made_facts.extend(last.pop());
            }
            lines.push(Line {
                code,
                name,
                source,
                uses: l.uses.clone(),
                reason: l.reason.clone(),
                span,
            });
        }
    }
    for line in &lines {
        for len in [3, 5] {
            let parent = &line.code[..len];
            if !names.contains_key(parent) {
                match cat.function_name(parent) {
                    Some(n) => {
                        names.insert(parent.to_string(), n);
                    }
                    None => diags.push(Diagnostic::error(
                        "unknown-code",
                        Some(line.span.clone()),
                        {
                            let level = if len == 3 { "类" } else { "款" };
                            let (code, cat) = (&line.code, &cat.name);
                            text!(
                                "{level} {parent}（项 {code} 的上级）不在 {cat} 分类目录中，请在 [names] 中给出它的名称",
                                "{level} {parent} (parent of 项 {code}) is not in the {cat} catalogue; give its name under [names]"
                            )
                        },
                    )),
                }
            }
        }
    }
    FunctionLines {
        lines,
        facts: line_facts,
        made_facts,
        rejected,
    }
}

/// The 经济分类 lines of basic expenditure: codes well-formed and named,
/// no duplicate (a 款 and its 7-digit parts), and their money as facts
/// (but for the lines the records made); also how many were left out.
fn economic_lines(
    file: &BudgetFile,
    cat: &Catalogue,
    names: &mut BTreeMap<String, String>,
    made: &[Range<usize>],
    diags: &mut Diagnostics,
) -> (Vec<EconomicLine>, Vec<Fact>, usize) {
    let decimals = input_decimals(file);
    let to_yuan = input_unit(file).yuan();
    let conv = |m: Money| m.0 * to_yuan;
    let mut economic_facts: Vec<Fact> = vec![];
    let mut rejected = 0;
    let mut economic = Vec::new();
    let mut seen_econ: BTreeMap<(String, Option<String>, bool), Range<usize>> = BTreeMap::new();
    for item in &file.basic_economic {
        let l = item.get_ref();
        let code = l.code.get_ref().trim().to_string();
        let code_ok = check_code(
            diags,
            &l.code,
            &[5, 7],
            ("经济分类款（或 7 位的项）", "经济分类 款 (or 7-digit 项)"),
        );
        rejected += usize::from(!code_ok);
        let name = fill_name(
            diags,
            &code,
            l.name.as_deref(),
            code_ok,
            item.span(),
            // A name under [names] serves lines without their own (records).
            &|c| {
                file.names
                    .get(c)
                    .map(|n| n.get_ref().trim().to_string())
                    .or_else(|| cat.economic_name(c))
            },
            &cat.name,
        );
        let personnel = match &l.kind {
            None => code.starts_with("301") || code.starts_with("303"),
            Some(k) => choose(
                diags,
                "kind",
                k,
                &[
                    (&["人员经费", "personnel"], true),
                    (&["公用经费", "public"], false),
                ],
                false,
            ),
        };
        check_amounts(diags, decimals, [&Some(l.amount.clone())]);
        if code_ok {
            // The same 部门经济 款 under two 政府经济 款 (30101 under 50101
            // 行政 and 50501 事业) is two lines; under one, a duplicate.
            let paired = l
                .government
                .as_ref()
                .map(|g| g.get_ref().trim().to_string());
            // And of one kind: 30199 as 人员经费 25 and as 公用经费 10 is two
            // lines (records of one 款 with two kinds), each counted as given.
            let key = (code.clone(), paired.clone(), personnel);
            if let Some(prev) = seen_econ.insert(key, item.span()) {
                let (line, _) = diags.line_col(prev.start);
                let under = paired
                    .map(|g| format!("（政府经济分类 {g}）"))
                    .unwrap_or_default();
                diags.push(Diagnostic::error(
                    "duplicate",
                    Some(l.code.span()),
                    text!(
                        "经济分类 {code}{under} 已在第 {line} 行给出",
                        "经济分类 {code}{under} is already given on line {line}"
                    ),
                ));
            }
            // A 7-digit line (3010201 规范性津补贴) rolls up into its printed 款 (30102).
            let parents: &[usize] = if code.len() == 7 { &[3, 5] } else { &[3] };
            for &len in parents {
                let parent = &code[..len];
                if names.contains_key(parent) {
                    continue;
                }
                match cat.economic_name(parent) {
                    Some(n) => {
                        names.insert(parent.to_string(), n);
                    }
                    None => diags.push(Diagnostic::error(
                        "unknown-code",
                        Some(item.span()),
                        {
                            let level = if len == 3 { "类" } else { "款" };
                            let cat = &cat.name;
                            text!(
                                "{level} {parent}（{code} 的上级）不在 {cat} 分类目录中，请在 [names] 中给出它的名称",
                                "{level} {parent} (parent of {code}) is not in the {cat} catalogue; give its name under [names]"
                            )
                        },
                    )),
                }
            }
            let government = l.government.as_ref().and_then(|g| {
                check_code(diags, g, &[5], ("政府经济分类款", "政府经济分类 款"))
                    .then(|| g.get_ref().trim().to_string())
            });
            if !made.contains(&item.span()) {
                economic_facts.push(Fact {
                    economic: Some(code.clone()),
                    government: government.clone(),
                    kind: Some(if personnel {
                        Kind::Personnel
                    } else {
                        Kind::Public
                    }),
                    ..Fact::bare(Source::General, conv(*l.amount.get_ref()), item.span())
                });
            }
            economic.push(EconomicLine {
                code,
                name,
                personnel,
                government,
                span: item.span(),
            });
        }
    }

    for e in economic.iter().filter(|e| e.code.len() == 7) {
        if let Some(whole) = economic.iter().find(|w| w.code == e.code[..5]) {
            let (line, _) = diags.line_col(whole.span.start);
            diags.push(Diagnostic::error(
                "duplicate",
                Some(e.span.clone()),
                {
                    let (part, kuan) = (&e.code, &whole.code);
                    text!(
                        "经济分类 {part} 属于款 {kuan}，而第 {line} 行已给出整个款；请只给款或只给它的各项",
                        "经济分类 {part} is part of 款 {kuan}, which line {line} already gives whole; give the 款 or its parts, not both"
                    )
                },
            ));
        }
    }
    (economic, economic_facts, rejected)
}

/// The units a budget's amounts are written and printed in.
struct Units {
    /// The file's amounts'.
    input: Unit,
    /// The tables' (unless a table has its own).
    print: Unit,
    /// Tables printed in a unit of their own, by id.
    tables: BTreeMap<String, Unit>,
    /// The unit of each table's declared figures.
    declared: BTreeMap<String, Unit>,
}

/// The file's units: each known, each table named one the profile has.
fn units(
    file: &BudgetFile,
    profile: &'static Profile,
    own: &'static Profile,
    diags: &mut Diagnostics,
) -> Units {
    let d = file.department.get_ref();
    let unit_of = |u: &Spanned<String>, diags: &mut Diagnostics| {
        Unit::parse(u.get_ref()).unwrap_or_else(|| {
            diags.push(Diagnostic::error("unit", Some(u.span()), {
                let u = u.get_ref();
                text!(
                    "未知的单位 \"{u}\"，请写 \"元\" 或 \"万元\"",
                    "unknown unit \"{u}\"; write \"元\" or \"万元\""
                )
            }));
            Unit::Wanyuan
        })
    };
    let input_unit = d.unit.as_ref().map_or(Unit::Wanyuan, |u| unit_of(u, diags));
    let print_unit = d
        .print_unit
        .as_ref()
        .map_or(profile.print_unit, |u| unit_of(u, diags));
    let mut table_units: BTreeMap<String, Unit> = profile
        .table_units
        .iter()
        .map(|(id, u)| (id.to_string(), *u))
        .collect();
    let ids: Vec<&str> = profile.tables.iter().map(|t| t.id.as_str()).collect();
    for (id, u) in &d.table_units {
        if !ids.contains(&id.as_str()) {
            diags.push(Diagnostic::error("table-units", Some(u.span()), {
                let valid = ids.join(", ");
                text!(
                    "没有表 \"{id}\"，无法为它指定单位；可用的表：{valid}",
                    "no table \"{id}\" to give a unit; valid: {valid}"
                )
            }));
        }
        table_units.insert(id.clone(), unit_of(u, diags));
    }
    // Declared totals are copied from the tables the file describes: they are
    // in the units of the file's own profile and settings, whatever profile
    // the document is printed in (`--profile` changes the printing only).
    let own_print = d.print_unit.as_ref().map_or(own.print_unit, |u| {
        Unit::parse(u.get_ref()).unwrap_or(own.print_unit)
    });
    let declared_units: BTreeMap<String, Unit> = ids
        .iter()
        .map(|id| {
            let unit = d
                .table_units
                .get(*id)
                .and_then(|u| Unit::parse(u.get_ref()))
                .or_else(|| {
                    own.table_units
                        .iter()
                        .find(|(t, _)| t == id)
                        .map(|(_, u)| *u)
                })
                .unwrap_or(own_print);
            (id.to_string(), unit)
        })
        .collect();
    Units {
        input: input_unit,
        print: print_unit,
        tables: table_units,
        declared: declared_units,
    }
}

/// The 三公 table's structure, and its amounts as facts of the ledger (in
/// 元, by fund; last year's without one), each amount never negative. A
/// region's row with 其中 rows is their sum (R10 names an amount given
/// beside them).
fn sangong_of(
    file: &BudgetFile,
    decimals: u32,
    to_yuan: Decimal,
    diags: &mut Diagnostics,
) -> Option<(Sangong, Vec<Fact>)> {
    let s = file.sangong.as_ref()?;
    let g = s.get_ref();
    let span = s.span();
    check_amounts(diags, decimals, [&g.running_costs]);
    let mut facts = vec![];
    // A zero this year's fund is no fact; a zero 机关运行经费 or last year's
    // figure is given, and kept.
    // `(last_year, budgeted)`: this year's final figure is (false, false).
    let mut push = |key: String, source: Source, when: (bool, bool), m: Money, at: Range<usize>| {
        let (last_year, budgeted) = when;
        if !m.0.is_zero() || last_year || budgeted || key == "running_costs" {
            facts.push(Fact {
                last_year,
                budgeted,
                detail: Some(crate::records::Detail::Sangong(key)),
                ..Fact::bare(source, m.0 * to_yuan, at)
            });
        }
    };
    let mut leaf = |key: &str, f: &FundAmounts, at: Range<usize>, diags: &mut Diagnostics| {
        if f.has_negative() {
            diags.push(Diagnostic::error(
                "amount",
                Some(span.clone()),
                text!(
                    "三公 {key}：金额不能为负数",
                    "三公 {key}: an amount cannot be negative"
                ),
            ));
        }
        for (source, v) in [
            (Source::General, f.general),
            (Source::Fund, f.fund),
            (Source::Soe, f.soe),
        ] {
            push(
                key.to_string(),
                source,
                (false, false),
                Money(v),
                at.clone(),
            );
        }
    };
    if let Some(a) = &g.abroad {
        leaf("abroad", a.get_ref(), a.span(), diags);
    }
    for (key, f) in [
        ("abroad_research", &g.abroad_research),
        ("abroad_other", &g.abroad_other),
        ("vehicle_purchase", &g.vehicle_purchase),
        ("vehicle_operation", &g.vehicle_operation),
        ("reception", &g.reception),
    ] {
        leaf(key, f, span.clone(), diags);
    }
    let mut extra = vec![];
    for e in &g.extra {
        let e_ref = e.get_ref();
        let name = e_ref.name.trim().to_string();
        let mut items = vec![];
        for i in &e_ref.items {
            let item = i.name.trim().to_string();
            leaf(&format!("{name}/{item}"), &i.amount, e.span(), diags);
            items.push(item);
        }
        // With 其中 rows its amount is theirs (R10 above when both are given).
        if let Some(a) = &e_ref.amount
            && items.is_empty()
        {
            leaf(&name, a, e.span(), diags);
        }
        extra.push(SangongExtra { name, items });
    }
    if let Some(r) = &g.running_costs {
        push(
            "running_costs".into(),
            Source::General,
            (false, false),
            *r.get_ref(),
            r.span(),
        );
    }
    // Last year's figures, and a 决算's budget (年初预算数) beside its own.
    for (given, when, what) in [
        (&g.last_year, (true, false), "三公上年"),
        (&g.budget, (false, true), "三公预算数"),
    ] {
        let Some(l) = given else { continue };
        let at = l.span();
        let l = l.get_ref();
        for (key, f) in l.items() {
            let Some(f) = f else { continue };
            if f.has_negative() {
                diags.push(Diagnostic::error(
                    "amount",
                    Some(at.clone()),
                    text!(
                        "{what} {key}：金额不能为负数",
                        "{what} {key}: an amount cannot be negative"
                    ),
                ));
            }
            // Given, it is kept even when zero (there was none).
            let funds = [
                (Source::General, f.general),
                (Source::Fund, f.fund),
                (Source::Soe, f.soe),
            ];
            for (i, (source, v)) in funds.into_iter().enumerate() {
                if i == 0 || !v.is_zero() {
                    push(key.into(), source, when, Money(v), at.clone());
                }
            }
        }
        if let Some(m) = l.running_costs {
            push("running_costs".into(), Source::General, when, m, at.clone());
        }
    }
    let structure = Sangong {
        abroad_whole: g.abroad.is_some(),
        running_costs: g.running_costs.is_some(),
        extra,
        span,
    };
    Some((structure, facts))
}

/// The notes under tables, each naming a table the profile has; declared
/// figures of tables the file's own profile has (else they check nothing).
fn notes_of(
    file: &BudgetFile,
    ids: &[&str],
    own: &'static Profile,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    for (id, table) in &file.declared.0 {
        if !ids.contains(&id.as_str()) {
            diags.push(Diagnostic::error("declared", Some(table.span()), {
                let valid = ids.join(", ");
                text!(
                    "[declared.{id}]：没有表 \"{id}\"；可用的表：{valid}",
                    "[declared.{id}]: no table \"{id}\"; valid: {valid}"
                )
            }));
        } else if !own.tables.iter().any(|s| &s.id == id) {
            // Declared figures are checked against the file's own profile's
            // tables: without this one they would be compared with nothing.
            diags.push(Diagnostic::error("declared", Some(table.span()), {
                let name = &own.name;
                let valid = own.tables.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ");
                text!(
                    "[declared.{id}]：文件的配置 {name} 没有表 \"{id}\"，这些数无从核对（在 [department] 中写 profile = …）；可用：{valid}",
                    "[declared.{id}]: the file's profile {name} has no table \"{id}\", so these figures check nothing (write profile = … under [department]); valid: {valid}"
                )
            }));
        }
    }

    let mut notes = BTreeMap::new();
    for (id, note) in &file.notes {
        if !ids.contains(&id.as_str()) {
            diags.push(Diagnostic::error("notes", Some(note.span()), {
                let valid = ids.join(", ");
                text!(
                    "没有表 \"{id}\" 可以加注；可用的表：{valid}",
                    "no table \"{id}\" to put a note under; valid: {valid}"
                )
            }));
        }
        notes.insert(id.clone(), note.get_ref().clone());
    }
    notes
}

/// Reads a setting that must be one of named choices: `choices` maps accepted
/// spellings to values (the first spelling is the one listed in the message);
/// anything else is an error, and `fallback` is used so checking can go on.
pub fn choose<T: Copy>(
    diags: &mut Diagnostics,
    rule: &'static str,
    value: &Spanned<String>,
    choices: &[(&[&str], T)],
    fallback: T,
) -> T {
    let given = value.get_ref().trim();
    if let Some((_, v)) = choices.iter().find(|(names, _)| names.contains(&given)) {
        return *v;
    }
    let valid: Vec<&str> = choices.iter().map(|(names, _)| names[0]).collect();
    diags.push(Diagnostic::error(rule, Some(value.span()), {
        let valid = valid.join(", ");
        let what = setting_zh(rule);
        text!(
            "未知的{what} \"{given}\"；可用：{valid}",
            "unknown {rule} \"{given}\"; valid: {valid}"
        )
    }));
    fallback
}

/// The Chinese name of a setting read by [`choose`].
fn setting_zh(rule: &str) -> &'static str {
    match rule {
        "kind" => "经费类型",
        "layout" => "项目表样式",
        "scope" => "项目范围",
        "indicator_style" => "指标写法",
        "profile" => "地区样式",
        "source" => "资金来源",
        "place" => "位置",
        "generate" => "生成段落",
        "print" => "打印方式",
        _ => "取值",
    }
}

/// The unit the file's amounts are written in (万元 unless it says 元).
pub fn input_unit(file: &BudgetFile) -> Unit {
    let unit = file.department.get_ref().unit.as_ref();
    unit.and_then(|u| Unit::parse(u.get_ref()))
        .unwrap_or(Unit::Wanyuan)
}

/// How many decimals an amount of the file may have: 2 in 元, 6 in 万元 (so
/// that 元-exact figures can be written in 万元).
pub fn input_decimals(file: &BudgetFile) -> u32 {
    match input_unit(file) {
        Unit::Yuan => 2,
        Unit::Wanyuan => 6,
    }
}

/// Reports every given amount that is negative or has more decimals than
/// `decimals` (trailing zeros do not count).
pub fn check_amounts<'a>(
    diags: &mut Diagnostics,
    decimals: u32,
    amounts: impl IntoIterator<Item = &'a Option<Spanned<Money>>>,
) {
    for m in amounts.into_iter().flatten() {
        let v = m.get_ref().0;
        if v.is_sign_negative() && !v.is_zero() {
            diags.push(Diagnostic::error(
                "amount",
                Some(m.span()),
                text!("金额不能为负数", "an amount cannot be negative"),
            ));
        }
        if v.normalize().scale() > decimals {
            diags.push(Diagnostic::error(
                "decimals",
                Some(m.span()),
                {
                    let (why_zh, why_en) = if decimals == 2 {
                        ("元：到分", "元: 分")
                    } else {
                        ("万元：6 位小数即精确到元", "万元: 6 decimals are 元-exact")
                    };
                    text!(
                        "金额 {v} 的小数超过 {decimals} 位，比文件的单位所允许的更细（{why_zh}）",
                        "amount {v} has more than {decimals} decimals, finer than the file's unit allows ({why_en})"
                    )
                },
            ));
        }
    }
}

/// Checks that `code` is all digits of one of `lengths`; reports and returns false if not.
fn check_code(
    diags: &mut Diagnostics,
    code: &Spanned<String>,
    lengths: &[usize],
    what: (&str, &str),
) -> bool {
    let c = code.get_ref().trim();
    if c.chars().all(|ch| ch.is_ascii_digit()) && lengths.contains(&c.len()) {
        return true;
    }
    let want: Vec<String> = lengths.iter().map(|l| l.to_string()).collect();
    diags.push(Diagnostic::error("code", Some(code.span()), {
        let (zh, en) = what;
        let (want_zh, want_en) = (want.join(" 或 "), want.join(" or "));
        text!(
            "\"{c}\" 不是{zh}编码：应为 {want_zh} 位数字",
            "\"{c}\" is not a {en} code: it must be {want_en} digits"
        )
    }));
    false
}

fn fill_name(
    diags: &mut Diagnostics,
    code: &str,
    given: Option<&str>,
    code_ok: bool,
    span: Range<usize>,
    lookup: &dyn Fn(&str) -> Option<String>,
    catalogue: &str,
) -> String {
    if let Some(n) = given.map(str::trim).filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    lookup(code).unwrap_or_else(|| {
        if code_ok {
            diags.push(Diagnostic::error(
                "unknown-code",
                Some(span),
                text!(
                    "编码 {code} 不在 {catalogue} 分类目录中，请给出它的名称（name = \"…\"）",
                    "code {code} is not in the {catalogue} catalogue; give its name (name = \"…\")"
                ),
            ));
        }
        String::new()
    })
}

/// The catalogue the file names (`catalogue = 2025` or a file), else the
/// budget year's; a year without a built-in catalogue says once which it uses
/// (when the file has codes to name).
fn choose_catalogue(
    d: &crate::model::Department,
    has_codes: bool,
    diags: &mut Diagnostics,
) -> Arc<Catalogue> {
    use crate::model::CatalogueRef;
    let year = *d.year.get_ref();
    let (wanted, span) = match &d.catalogue {
        None => (year, d.year.span()),
        Some(c) => match c.get_ref() {
            CatalogueRef::Year(y) => (*y, c.span()),
            CatalogueRef::File(path) => {
                let base = std::path::Path::new(&diags.file)
                    .parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or_default();
                let full = base.join(path);
                let read = std::fs::read_to_string(&full)
                    .map_err(|e| e.to_string())
                    .and_then(|text| Catalogue::parse(path, &text));
                match read {
                    Ok(cat) => return Arc::new(cat),
                    Err(e) => {
                        diags.push(Diagnostic::error("catalogue", Some(c.span()), {
                            let full = full.display();
                            text!(
                                "无法读取分类目录 {full}：{e}",
                                "cannot read the catalogue {full}: {e}"
                            )
                        }));
                        (year, c.span())
                    }
                }
            }
        },
    };
    let (cat, own) = catalogue::for_year(wanted);
    if !own && has_codes {
        diags.push(Diagnostic::warning(
            "catalogue",
            Some(span),
            {
                let name = &cat.name;
                let built = catalogue::BUILTIN
                    .iter()
                    .map(|(y, _)| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                text!(
                    "没有内置的 {wanted} 年分类目录，名称取自 {name} 分类目录（内置：{built}）",
                    "no built-in catalogue for {wanted}; names come from the {name} catalogue (built in: {built})"
                )
            },
        ));
    }
    cat
}

fn check_text(diags: &mut Diagnostics, s: &Spanned<String>, what: (&str, &str)) {
    if s.get_ref().trim().is_empty() {
        diags.push(Diagnostic::error("empty", Some(s.span()), {
            let (zh, en) = what;
            text!("{zh}为空", "the {en} is empty")
        }));
    }
}

/// How this document's amounts print: its profile's style for its year
/// (`[style.until.…]`), with the file's own `zero` over it.
pub fn style(
    file: &BudgetFile,
    profile: &Profile,
    diags: &mut Diagnostics,
) -> crate::profile::Style {
    let d = file.department.get_ref();
    let mut style = profile.style_for(*d.year.get_ref());
    if let Some(z) = &d.zero {
        match crate::domain::zero_style(z.get_ref()) {
            Some(found) => style.zero = found,
            None => diags.push(Diagnostic::error(
                "zero",
                Some(z.span()),
                crate::profile::unknown_zero(z.get_ref()),
            )),
        }
    }
    style
}
