//! A district's 汇总: the leaf lines of its departments summed into one
//! budget file that renders like any other, and a summary table with one
//! row per department.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

use crate::domain::{Funds, KINDS, Source};
use crate::records::Detail;
use crate::validate::Budget;

/// One department's totals, for the district summary table (in 元).
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentRow {
    /// The department's code and name.
    pub name: String,
    /// 合计.
    pub total: Decimal,
    /// 一般公共预算.
    pub general: Decimal,
    /// 政府性基金.
    pub fund: Decimal,
    /// 国有资本经营.
    pub soe: Decimal,
    /// Every other source (财政专户, 单位资金, 上年结转).
    pub other: Decimal,
    /// 基本支出.
    pub basic: Decimal,
    /// 项目支出.
    pub project: Decimal,
    /// 三公 (因公出国（境）, 公务用车购置及运维, 公务接待).
    pub sangong: Decimal,
}

impl DepartmentRow {
    /// The row of one department.
    pub fn of(b: &Budget) -> DepartmentRow {
        let n = crate::figures::Named::of(b);
        let sangong = crate::figures::Sangong::of(b).map_or(Decimal::ZERO, |s| s.this_year("小计"));
        DepartmentRow {
            name: format!("{}{}", b.department.code, b.department.name),
            total: n.total,
            general: n.general,
            fund: n.fund,
            soe: n.soe,
            other: n.total - n.general - n.fund - n.soe,
            basic: n.basic,
            project: n.project,
            sangong,
        }
    }
}

/// Why `budgets` (read from `files`, in the same order) cannot be summed:
/// one department in two files (the same code, or the same name and
/// year), departments printed by different profiles, an 经济分类 code that
/// is 人员经费 in one department and 公用经费 in another (a district file
/// keeps one kind per code, so summing would move money between kinds), a
/// code two departments name differently under `[names]`.
pub fn refusals(files: &[String], budgets: &[&Budget]) -> Vec<crate::diag::Text> {
    let mut out = vec![];
    for (i, b) in budgets.iter().enumerate() {
        let d = &b.department;
        let twin = budgets[..i].iter().position(|a| {
            let a = &a.department;
            (!d.code.is_empty() && a.code == d.code) || (a.name == d.name && a.year == d.year)
        });
        if let Some(j) = twin {
            let (fa, fb, name, code) = (&files[j], &files[i], &d.name, &d.code);
            out.push(crate::text!(
                "{fa} 和 {fb} 是同一个部门（{code} {name}）：汇总时会算两次；请去掉其中一个",
                "{fa} and {fb} are the same department ({code} {name}): it would be counted twice; leave one out"
            ));
        }
    }
    if let Some(first) = budgets.first() {
        let p = first.department.profile;
        for (i, b) in budgets.iter().enumerate() {
            if b.department.profile != p {
                let (fa, fb, q) = (&files[0], &files[i], b.department.profile);
                out.push(crate::text!(
                    "{fa} 按 {p} 格式编制，{fb} 按 {q} 格式编制：汇总只能是同一区域格式的部门",
                    "{fa} is laid out for {p}, {fb} for {q}: a consolidation is of one profile"
                ));
                break;
            }
        }
    }
    // One code named two ways under [names]: the district file keeps one
    // name, so the other department's tables would print a name it never gave.
    let mut named: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let shared = shared_units(budgets);
    for (i, b) in budgets.iter().enumerate() {
        // A 单位 code two departments use is written per department.
        for (code, name) in b.names.iter().filter(|(c, _)| !shared.contains(*c)) {
            let (j, first) = *named.entry(code).or_insert((i, name));
            if first != name {
                let (fa, fb) = (&files[j], &files[i]);
                out.push(crate::text!(
                    "代码 {code} 在 {fa} 的 [names] 中叫「{first}」，在 {fb} 中叫「{name}」：汇总后只能用一个名称；请先统一",
                    "code {code} is named \"{first}\" in {fa}'s [names] and \"{name}\" in {fb}'s: the district keeps one name; make them agree first"
                ));
            }
        }
    }
    out
}

/// The 单位 codes the records of two or more departments use ("01" in
/// each): the district keeps them apart, as `<department>-<unit>`.
fn shared_units(budgets: &[&Budget]) -> std::collections::BTreeSet<String> {
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shared = std::collections::BTreeSet::new();
    for (i, b) in budgets.iter().enumerate() {
        for u in b
            .facts
            .iter()
            .filter(|f| f.record)
            .filter_map(|f| f.unit.as_deref())
        {
            if *first.entry(u).or_insert(i) != i {
                shared.insert(u.to_string());
            }
        }
    }
    shared
}

/// `path` (absolute) as seen from the directory `from`: `../profiles/x`.
fn relative(path: &Path, from: &Path) -> String {
    let from = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
    let (a, b): (Vec<_>, Vec<_>) = (path.components().collect(), from.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.display().to_string();
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &a[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        ".".into()
    } else {
        out.display().to_string()
    }
}

/// A department's key in the district file: its code, else its name.
fn department_key(b: &Budget) -> &str {
    if b.department.code.is_empty() {
        &b.department.name
    } else {
        &b.department.code
    }
}

/// The consolidated budget file (TOML, amounts in 元, exact) of `budgets`,
/// named `name`. The budgets must share one year.
pub fn consolidate(
    name: &str,
    budgets: &[&Budget],
    written_in: Option<&std::path::Path>,
) -> Result<String, crate::diag::Text> {
    let first = budgets
        .first()
        .ok_or_else(|| crate::text!("没有可汇总的部门", "no department to consolidate"))?;
    let year = first.department.year;
    if let Some(other) = budgets.iter().find(|b| b.department.year != year) {
        let (a, ay, b) = (
            &other.department.name,
            other.department.year,
            &first.department.name,
        );
        return Err(crate::text!(
            "{a}是 {ay} 年预算，{b}是 {year} 年预算：汇总只能是同一年度的",
            "{a} is a {ay} budget, {b} a {year} one: a consolidation is of one year"
        ));
    }
    // (code, source) → name, kinds.
    let mut lines: BTreeMap<(String, Source), (String, [Decimal; KINDS])> = BTreeMap::new();
    // By 款 and kind: a 款 that is 人员经费 in one department and 公用经费 in
    // another is summed per kind, two district lines.
    let mut economic: BTreeMap<(String, bool), (String, Decimal)> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // Records (`[[fact]]`) are concatenated, each with its 单位 (the
    // department's code when it names none), so the district keeps their
    // dimensions; the lines they made are not summed a second time.
    let mut records: Vec<(&Budget, &crate::records::Fact)> = vec![];
    for b in budgets {
        // Records, and what no line form holds: a 决算's income, balances and
        // budget figures (kept as records with their flow and basis).
        let own_record = |f: &&crate::records::Fact| {
            f.record || f.budgeted || f.flow != crate::records::Flow::Spending
        };
        records.extend(b.facts.iter().filter(own_record).map(|f| (*b, f)));
        // Today's forms, from the ledger: each 项 amount by kind (人员/公用
        //经费 inside 基本支出, as a line holds them), each 经济分类 amount by part.
        // (A line the records made is carried by its records.)
        for f in b.facts.iter().filter(|f| {
            !f.record
                && !f.budgeted
                && f.flow == crate::records::Flow::Spending
                && !b.folded.contains(&f.span)
        }) {
            if let Some(code) = &f.function {
                let e = lines.entry((code.clone(), f.source)).or_insert_with(|| {
                    let name = b.lines.iter().find(|l| &l.code == code);
                    (
                        name.map(|l| l.name.clone()).unwrap_or_default(),
                        [Decimal::ZERO; KINDS],
                    )
                });
                let (kinds, _) = crate::records::line_kinds([f]);
                for (sum, v) in e.1.iter_mut().zip(kinds) {
                    *sum += v;
                }
            } else if let (Some(code), Some(p)) = (&f.economic, f.basic_economic()) {
                let e = economic.entry((code.clone(), p)).or_insert_with(|| {
                    let name = b.economic.iter().find(|l| &l.code == code);
                    (
                        name.map(|l| l.name.clone()).unwrap_or_default(),
                        Decimal::ZERO,
                    )
                });
                e.1 += f.amount;
            }
        }
        for (code, n) in &b.names {
            names.entry(code.clone()).or_insert_with(|| n.clone());
        }
    }
    // 单位 codes two departments share: each department's own, by its key.
    let shared = shared_units(budgets);
    for code in &shared {
        names.remove(code);
    }
    for b in budgets {
        for u in b
            .facts
            .iter()
            .filter(|f| f.record)
            .filter_map(|f| f.unit.as_ref())
        {
            if shared.contains(u) {
                let name = b
                    .names
                    .get(u)
                    .cloned()
                    .unwrap_or_else(|| format!("{} {u}", b.department.name));
                names.insert(format!("{}-{u}", department_key(b)), name);
            }
        }
    }
    // Amounts typed in 万元 were rounded by the budget systems: summed, they
    // stay in 万元 (6 decimals hold every 元-exact sum) so that their 尾差 is
    // still judged as rounding; files all in 元 sum exactly in 元.
    let unit = if budgets.iter().any(|b| b.input_unit.rounds_typed_amounts()) {
        crate::domain::Unit::Wanyuan
    } else {
        crate::domain::Unit::Yuan
    };
    let amount = |v: &Decimal| value(unit.from_yuan(*v).normalize().to_string());
    let mut doc = DocumentMut::new();
    let mut department = Table::new();
    department["name"] = value(name);
    department["year"] = value(i64::from(year));
    department["unit"] = value(unit.label());
    department["print_unit"] = value(first.department.unit.label());
    // A profile directory is named relative to the district file, which
    // then moves with its directory (the key is an absolute path).
    let profile = first.department.profile;
    department["profile"] = match written_in {
        Some(dir) if crate::profile::is_path(profile) => value(relative(Path::new(profile), dir)),
        _ => value(profile),
    };
    if unit.rounds_typed_amounts() {
        // Each amount sums that many departments' rounded figures.
        let parts: usize = budgets.iter().map(|b| b.parts).sum();
        department["consolidated"] = value(parts as i64);
    }
    doc["department"] = Item::Table(department);
    let mut expenditure = ArrayOfTables::new();
    for ((code, source), (line_name, kinds)) in &lines {
        let mut t = Table::new();
        t["code"] = value(code.as_str());
        t["name"] = value(line_name.as_str());
        t["source"] = value(source.label());
        for (key, v) in crate::domain::KIND_KEYS.iter().zip(kinds) {
            if !v.is_zero() {
                t[*key] = amount(v);
            }
        }
        expenditure.push(t);
    }
    let mut basic_economic = ArrayOfTables::new();
    for ((code, personnel), (econ_name, sum)) in &economic {
        let mut t = Table::new();
        t["code"] = value(code.as_str());
        t["name"] = value(econ_name.as_str());
        t["amount"] = amount(sum);
        t["kind"] = value(if *personnel {
            "人员经费"
        } else {
            "公用经费"
        });
        basic_economic.push(t);
    }
    let mut facts = ArrayOfTables::new();
    for (b, f) in &records {
        let mut t = Table::new();
        let unit_code = match &f.unit {
            Some(u) if shared.contains(u) => format!("{}-{u}", department_key(b)),
            Some(u) => u.clone(),
            None => department_key(b).to_string(),
        };
        t["unit"] = value(unit_code);
        // Every dimension it has (its 单位 above, made unique to the district).
        for dim in crate::records::Dim::NAMES.iter().map(|(d, _, _)| *d) {
            if let (Some(v), false) = (f.get(dim), dim == crate::records::Dim::Unit) {
                t[dim.key()] = value(v);
            }
        }
        let kind = f.kind.map_or("", |k| match k {
            crate::domain::Kind::Personnel => "人员经费",
            crate::domain::Kind::Public => "公用经费",
            crate::domain::Kind::Basic => "基本支出",
            crate::domain::Kind::Project => "项目支出",
            crate::domain::Kind::Operating => "经营支出",
            crate::domain::Kind::ToSuperior => "上解上级支出",
            crate::domain::Kind::ToSubsidiary => "对附属单位补助支出",
            crate::domain::Kind::LastYear => "",
        });
        t["source"] = value(f.source.label());
        if !kind.is_empty() {
            t["kind"] = value(kind);
        }
        if f.last_year {
            t["last_year"] = value(true);
        }
        if f.flow != crate::records::Flow::Spending
            && let Some((_, names)) = crate::records::Flow::NAMES
                .iter()
                .find(|(x, _)| *x == f.flow)
        {
            t["flow"] = value(names[1]);
        }
        if f.budgeted {
            t["budget"] = value(true);
        }
        t["amount"] = amount(&f.amount);
        facts.push(t);
    }
    for (key, tables) in [
        ("expenditure", expenditure),
        ("basic_economic", basic_economic),
        ("fact", facts),
    ] {
        if !tables.is_empty() {
            doc[key] = Item::ArrayOfTables(tables);
        }
    }
    // List rows (政府采购 and the like) are rows of their department, not
    // sums: each is carried as it is, in file order.
    let mut list = Table::new();
    list.set_implicit(true);
    for b in budgets {
        for (id, rows) in &b.lists {
            let tables = list
                .entry(id)
                .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
            let Some(tables) = tables.as_array_of_tables_mut() else {
                continue;
            };
            for (k, row) in rows.iter().enumerate() {
                let mut t = Table::new();
                for (key, text) in &row.texts {
                    t[key.as_str()] = value(text.as_str());
                }
                let mut amounts = BTreeMap::new();
                for f in &b.details {
                    if let Some(Detail::List { table, row, column }) = &f.detail
                        && table == id
                        && *row == k
                    {
                        *amounts.entry(column.as_str()).or_insert(Decimal::ZERO) += f.amount;
                    }
                }
                for (key, v) in &amounts {
                    t[*key] = amount(v);
                }
                tables.push(t);
            }
        }
    }
    if !list.is_empty() {
        doc["list"] = Item::Table(list);
    }
    if let Some(s) = sangong(budgets, unit) {
        doc["sangong"] = Item::Table(s);
    }
    if !names.is_empty() {
        let mut t = Table::new();
        for (code, n) in &names {
            t[code.as_str()] = value(n.as_str());
        }
        doc["names"] = Item::Table(t);
    }
    Ok(format!(
        "# Consolidated by `yusuan consolidate` from {} department files: their lines summed, in {}.\n\n{doc}",
        budgets.len(),
        unit.label()
    ))
}

/// The 三公 items summed by fund; 因公出国（境）费 as one figure when any
/// department gives it so, else split.
fn sangong(budgets: &[&Budget], unit: crate::domain::Unit) -> Option<Table> {
    let all: Vec<_> = budgets.iter().filter_map(|b| b.sangong.as_ref()).collect();
    if all.is_empty() {
        return None;
    }
    // Every department's 三公 facts, this year's, summed by leaf and fund.
    let mut leaves: BTreeMap<&str, Funds> = BTreeMap::new();
    for f in budgets.iter().flat_map(|b| &b.details) {
        let Some(Detail::Sangong(key)) = &f.detail else {
            continue;
        };
        if f.last_year || f.budgeted {
            continue;
        }
        let fund = match f.source {
            Source::Fund => 1,
            Source::Soe => 2,
            _ => 0,
        };
        leaves.entry(key.as_str()).or_insert([Decimal::ZERO; 3])[fund] += f.amount;
    }
    let leaf = |key: &str| leaves.get(key).copied().unwrap_or_default();
    let sum = |keys: &[&str]| {
        let mut out = [Decimal::ZERO; 3];
        for k in keys {
            add_to(&mut out, &leaf(k));
        }
        out
    };
    let funds = |f: Funds| {
        let mut t = InlineTable::new();
        for (key, v) in ["general", "fund", "soe"].iter().zip(f) {
            t.insert(*key, unit.from_yuan(v).normalize().to_string().into());
        }
        value(t)
    };
    let mut out = Table::new();
    if all.iter().any(|g| g.abroad_whole) {
        out["abroad"] = funds(sum(&crate::records::sangong_leaves("abroad")));
    } else {
        out["abroad_research"] = funds(leaf("abroad_research"));
        out["abroad_other"] = funds(leaf("abroad_other"));
    }
    for key in ["vehicle_purchase", "vehicle_operation", "reception"] {
        out[key] = funds(leaf(key));
    }
    // A region's extra rows (会议费, 培训费), by name, in first-seen order.
    type Extra = (String, Funds, Vec<(String, Funds)>);
    let mut extras: Vec<Extra> = vec![];
    for x in all.iter().flat_map(|g| &g.extra) {
        if extras.iter().all(|e| e.0 != x.name) {
            extras.push((x.name.clone(), leaf(&x.name), vec![]));
        }
        let e = extras
            .iter_mut()
            .find(|e| e.0 == x.name)
            .expect("pushed above");
        for item in &x.items {
            if e.2.iter().all(|it| &it.0 != item) {
                e.2.push((item.clone(), leaf(&format!("{}/{item}", x.name))));
            }
        }
    }
    if all.iter().any(|g| g.running_costs) {
        let r = leaf("running_costs")[0];
        out["running_costs"] = value(unit.from_yuan(r).normalize().to_string());
    }
    // A 决算's 三公 预算数, summed by item, every fund.
    let figures: Vec<_> = budgets
        .iter()
        .filter_map(|b| crate::figures::Sangong::of(b))
        .collect();
    let mut budget = InlineTable::new();
    for key in [
        "abroad",
        "vehicle_purchase",
        "vehicle_operation",
        "reception",
    ] {
        let given: Vec<Decimal> = figures.iter().filter_map(|g| g.budget(key)).collect();
        if !given.is_empty() {
            let sum: Decimal = given.iter().sum();
            budget.insert(key, unit.from_yuan(sum).normalize().to_string().into());
        }
    }
    if !budget.is_empty() {
        out["budget"] = value(budget);
    }
    let mut extra_tables = ArrayOfTables::new();
    for (extra, own, items) in extras {
        let mut t = Table::new();
        t["name"] = value(extra);
        if items.is_empty() {
            t["amount"] = funds(own);
        } else {
            let mut list = Array::new();
            for (item, f) in items {
                let mut row = InlineTable::new();
                row.insert("name", item.into());
                if let Item::Value(v) = funds(f) {
                    row.insert("amount", v);
                }
                let mut row = Value::InlineTable(row);
                row.decor_mut().set_prefix("\n  ");
                list.push_formatted(row);
            }
            // One item a line, as a person writes them.
            list.set_trailing_comma(true);
            list.set_trailing("\n");
            t["items"] = value(list);
        }
        extra_tables.push(t);
    }
    if !extra_tables.is_empty() {
        out["extra"] = Item::ArrayOfTables(extra_tables);
    }
    Some(out)
}

/// `sum += more`, fund by fund.
fn add_to(sum: &mut Funds, more: &Funds) {
    for (s, m) in sum.iter_mut().zip(more) {
        *s += m;
    }
}

/// The district summary's departments, by code and name: those with budget
/// tables (a file of projects only has no row of 0.00 to add).
pub fn summary_rows(budgets: &[&Budget]) -> Vec<DepartmentRow> {
    let mut rows: Vec<DepartmentRow> = budgets
        .iter()
        .filter(|b| !b.facts.is_empty() || b.sangong.is_some() || !b.lists.is_empty())
        .map(|b| DepartmentRow::of(b))
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// The district summary table: 合计 first, then one row per department;
/// the name, then the amounts in 万元 with 2 decimals.
pub fn summary_table(rows: &[DepartmentRow]) -> Vec<Vec<String>> {
    let wan =
        |v: Decimal| crate::domain::format_amount(v / Decimal::from(10_000), 2, false, "0.00");
    let cells = |r: &DepartmentRow| {
        [
            r.total, r.general, r.fund, r.soe, r.other, r.basic, r.project, r.sangong,
        ]
    };
    let mut total = [Decimal::ZERO; 8];
    for r in rows {
        for (t, v) in total.iter_mut().zip(cells(r)) {
            *t += v;
        }
    }
    std::iter::once(("合计".to_string(), total))
        .chain(rows.iter().map(|r| (r.name.clone(), cells(r))))
        .map(|(name, values)| std::iter::once(name).chain(values.map(wan)).collect())
        .collect()
}

/// The header of the summary table.
pub const SUMMARY_HEADER: [&str; 9] = [
    "部门",
    "合计",
    "一般公共预算",
    "政府性基金",
    "国有资本经营",
    "其他资金",
    "基本支出",
    "项目支出",
    "“三公”经费",
];

/// The summary table as CSV, UTF-8 with BOM (Excel shows the Chinese).
pub fn summary_csv(table: &[Vec<String>]) -> String {
    let field = |f: &str| {
        if f.contains([',', '"', '\n']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let mut out = String::from("\u{feff}");
    for row in
        std::iter::once(SUMMARY_HEADER.map(String::from).to_vec()).chain(table.iter().cloned())
    {
        let _ = writeln!(
            out,
            "{}",
            row.iter().map(|f| field(f)).collect::<Vec<_>>().join(",")
        );
    }
    out
}
