//! Writing what was read as the budget TOML file: the lines (read as
//! written, or rebuilt from the tables), the 经济分类 lines, 三公, names and
//! declared totals, the document around the tables, the projects.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::Decimal;

use super::sheet::{Grid, Kind, amount_of, norm, split_code};
use super::{Reading, Table, TableRow};
use crate::diag::Diagnostic;
use crate::domain::{KIND_KEYS, KINDS, Source, Unit};
use crate::import::toml_str;
use crate::tables::{Measure, Shape};
use crate::text;

impl Reading {
    /// Writes the `[[expenditure]]` lines; false when there are none.
    pub(super) fn write_lines(&mut self, out: &mut String, unit: Unit) -> bool {
        let lines = match self.kinds.iter().position(|k| *k == Kind::Lines) {
            Some(g) => {
                let mut bad = vec![];
                let mut lines = read_lines_sheet(&self.grids[g], unit, &mut bad);
                for l in &mut lines {
                    l.at = self.mark(g, l.row, 0);
                }
                for (r, c, why) in bad {
                    self.unread(g, r, c, why);
                }
                lines
            }
            None => self.rebuild_lines(),
        };
        for l in &lines {
            let _ = writeln!(out, "\n[[expenditure]]\ncode = {}\"{}\"", l.at, l.code);
            // No name printed: the catalogue names the code.
            if !l.name.is_empty() {
                let _ = writeln!(out, "name = {}", toml_str(&l.name));
            }
            let _ = writeln!(out, "source = {}", toml_str(l.source.label()));
            for (key, v) in KIND_KEYS.iter().zip(&l.kinds) {
                if let Some(v) = v {
                    let _ = writeln!(out, "{key} = {}", money(unit.from_yuan(*v)));
                }
            }
            if let Some(u) = &l.uses {
                let _ = writeln!(out, "uses = {}", toml_str(u));
            }
            if let Some(r) = &l.reason {
                let _ = writeln!(out, "reason = {}", toml_str(r));
            }
        }
        !lines.is_empty()
    }

    /// The 项 lines rebuilt from the tables: the three fund tables give the
    /// 财政拨款 lines with their 基本/项目 split; the 收入总表's other columns
    /// give the other sources, whose 基本/项目 split is what the 支出总表
    /// leaves once the fund tables are taken off (in source order when two
    /// sources share a 项: the tables print the same either way).
    fn rebuild_lines(&mut self) -> Vec<LineOut> {
        let leaves = |t: Option<&Table>, unit: Unit| -> Leaves {
            let Some(t) = t else { return BTreeMap::new() };
            t.rows
                .iter()
                .filter(|r| !r.parent)
                .map(|r| {
                    let v = r
                        .values
                        .iter()
                        .map(|(k, v)| (*k, *v * unit.yuan()))
                        .collect();
                    (r.code.clone(), (r.name.clone(), v, r.row))
                })
                .collect()
        };
        let unit = |id: &str| self.table_unit(id).unwrap_or(Unit::Wanyuan);
        let income = leaves(self.book.tables.get("income"), unit("income"));
        let spending = leaves(self.book.tables.get("expenditure"), unit("expenditure"));
        let funds = [
            (
                Source::General,
                leaves(self.book.tables.get("general"), unit("general")),
            ),
            (
                Source::Fund,
                leaves(self.book.tables.get("fund"), unit("fund")),
            ),
            (
                Source::Soe,
                leaves(self.book.tables.get("soe"), unit("soe")),
            ),
        ];
        let have_funds = self.book.tables.contains_key("general");
        // The income columns' sources, from the file's profile's definition.
        let profile = self.profile();
        let income_spec = profile.tables.iter().find(|s| s.id == "income");
        let source_of = |key: &str| -> Option<Source> {
            let c = income_spec?.columns.iter().find(|c| c.key == key)?;
            match &c.measure {
                Measure::Lines(s, _) if s.contains(&Source::General) => Some(Source::General),
                Measure::Lines(s, _) if s.contains(&Source::Carryover) => Some(Source::Carryover),
                Measure::Lines(s, _) => s.first().copied(),
                _ => None,
            }
        };
        let spending_keys = &KIND_KEYS[..crate::domain::SPENDING];
        let mut disagree: Vec<(String, &'static str)> = vec![];
        let mut codes: Vec<&String> = income.keys().chain(spending.keys()).collect();
        for (_, f) in &funds {
            codes.extend(f.keys());
        }
        codes.sort();
        codes.dedup();
        let mut out = vec![];
        for code in codes {
            let name = [&income, &spending]
                .iter()
                .chain(funds.iter().map(|f| &f.1).collect::<Vec<_>>().iter())
                .find_map(|m| m.get(code).map(|x| x.0.clone()))
                .unwrap_or_default();
            let get = |m: &Leaves, k: &str| {
                m.get(code)
                    .and_then(|x| x.1.get(k))
                    .copied()
                    .unwrap_or_default()
            };
            let mut rest: Vec<Decimal> = spending_keys.iter().map(|k| get(&spending, k)).collect();
            // The line is marked with the 支出总表's row of its 项.
            let at = match (self.book.tables.get("expenditure"), spending.get(code)) {
                (Some(t), Some((_, _, row))) => self.mark(t.sheet, *row, 0),
                _ => String::new(),
            };
            let mut line = |source: Source, kinds: [Decimal; 5]| {
                if kinds.iter().all(Decimal::is_zero) {
                    return;
                }
                let mut k = [None; KINDS];
                for (slot, v) in k.iter_mut().zip(kinds) {
                    *slot = Some(v).filter(|v| !v.is_zero());
                }
                out.push(LineOut {
                    code: code.clone(),
                    name: name.clone(),
                    source,
                    kinds: k,
                    uses: None,
                    reason: None,
                    row: 0,
                    at: at.clone(),
                });
            };
            if have_funds {
                for (source, m) in &funds {
                    let (b, p) = (get(m, "basic"), get(m, "project"));
                    rest[0] -= b;
                    rest[1] -= p;
                    line(*source, [b, p, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO]);
                }
                if rest.iter().any(|r| *r < Decimal::ZERO) {
                    disagree.push((code.clone(), "more"));
                }
            }
            let mut sources: Vec<(Source, Decimal)> = vec![];
            if let Some((_, (_, values, _))) = income.get_key_value(code) {
                for (key, v) in values {
                    let Some(s) = source_of(key) else { continue };
                    if (s == Source::General && have_funds) || v.is_zero() {
                        continue;
                    }
                    sources.push((s, *v));
                }
            } else if !have_funds {
                sources.push((Source::General, rest.iter().sum()));
            }
            // 西北角: each source takes the kinds in order until it is spent.
            let mut j = 0;
            let mut over = false;
            for (s, mut left) in sources {
                let mut kinds = [Decimal::ZERO; 5];
                while !left.is_zero() {
                    while j < rest.len() && rest[j] <= Decimal::ZERO {
                        j += 1;
                    }
                    if j == rest.len() {
                        kinds[0] += left;
                        over = true;
                        break;
                    }
                    let take = left.min(rest[j]);
                    kinds[j] += take;
                    rest[j] -= take;
                    left -= take;
                }
                line(s, kinds);
            }
            let short = rest.iter().any(|r| *r > Decimal::ZERO);
            if over || short {
                disagree.push((code.clone(), if over { "more" } else { "less" }));
            }
        }
        disagree.dedup();
        for (code, how) in disagree {
            self.disagree(&code, how);
        }
        out
    }

    /// A 项 whose money by source (the fund tables, the 收入总表) does not
    /// add up to what the 支出总表 spends on it: reported with every row
    /// that gives it, never split by guess.
    fn disagree(&mut self, code: &str, how: &str) {
        let at = |r: &Self, id: &str| -> Option<String> {
            let t = r.book.tables.get(id)?;
            let g = &r.grids[t.sheet];
            let row = t.rows.iter().find(|x| x.code == code)?;
            Some(format!(
                "工作表「{}」第 {} 行",
                g.name,
                g.row0 as usize + row.row + 1
            ))
        };
        let sources: Vec<String> = ["general", "fund", "soe", "income"]
            .iter()
            .filter_map(|id| at(self, id))
            .collect();
        let a = sources.join("、");
        let b = at(self, "expenditure").unwrap_or_else(|| "支出总表（无此行）".into());
        let (zh, en) = if how == "more" {
            ("多于", "more than")
        } else {
            ("少于", "less than")
        };
        self.diags.push(Diagnostic::error(
            "import",
            None,
            text!(
                "项 {code}：按资金来源列出的金额（{a}）{zh}支出总表列出的支出（{b}）；两张表不一致，无法拆分，未导入",
                "项 {code}: the money by source ({a}) is {en} the 支出总表 spends ({b}); the tables disagree and cannot be split, not imported"
            ),
        ));
    }

    /// The `[[basic_economic]]` lines: the `economic` sheet, else the
    /// 基本支出表's 款 rows (人员经费 or 公用经费 by the column their money is in).
    pub(super) fn write_economic(&mut self, out: &mut String, unit: Unit) {
        // (code, name, 人员经费?, amount in 元, 政府经济分类)
        let mut lines: Vec<(String, String, bool, Decimal, String, String)> = vec![];
        if let Some(g) = self.kinds.iter().position(|k| *k == Kind::Economic) {
            let from = self.entered_in(unit);
            let mut bad = vec![];
            for (r, row) in self.grids[g].rows.iter().enumerate().skip(1) {
                let text = |c: usize| row.get(c).map_or(String::new(), |x| x.text.clone());
                if text(0).is_empty() {
                    continue;
                }
                match row.get(3).and_then(|x| x.amount) {
                    Some(v) => lines.push((
                        text(0),
                        text(1),
                        text(2) == "人员经费",
                        v * from.yuan(),
                        text(4),
                        self.mark(g, r, 3),
                    )),
                    None => bad.push((r, 3)),
                }
            }
            for (r, c) in bad {
                self.unread(g, r, c, "不是金额");
            }
        } else if let Some(t) = self.book.tables.get("basic") {
            let u = self.table_unit("basic").unwrap_or(unit).yuan();
            let mut both = vec![];
            for r in &t.rows {
                if r.parent {
                    continue;
                }
                let p = r.values.get("personnel").copied().unwrap_or_default();
                let q = r.values.get("public").copied().unwrap_or_default();
                let total = r.values.get("total").copied().unwrap_or(p + q);
                let personnel = if p.is_zero() && q.is_zero() {
                    r.code.starts_with("301") || r.code.starts_with("303")
                } else {
                    q.is_zero()
                };
                if !p.is_zero() && !q.is_zero() {
                    both.push((t.sheet, r.row));
                }
                let amount = if p.is_zero() && q.is_zero() {
                    total
                } else {
                    p + q
                };
                lines.push((
                    r.code.clone(),
                    r.name.clone(),
                    personnel,
                    amount * u,
                    String::new(),
                    self.mark(t.sheet, r.row, 0),
                ));
            }
            for (g, r) in both {
                self.unread(g, r, 0, "一个款既有人员经费又有公用经费，已按公用经费写入");
            }
        }
        for (code, name, personnel, amount, government, at) in lines {
            let kind = if personnel {
                "人员经费"
            } else {
                "公用经费"
            };
            let _ = writeln!(out, "\n[[basic_economic]]\ncode = {}", toml_str(&code));
            if !name.is_empty() {
                let _ = writeln!(out, "name = {}", toml_str(&name));
            }
            let amount = money(unit.from_yuan(amount));
            let _ = writeln!(out, "amount = {at}{amount}\nkind = \"{kind}\"");
            if !government.is_empty() {
                let _ = writeln!(out, "government = {}", toml_str(&government));
            }
        }
    }

    /// The unit the data sheets' amounts were entered in (`录入单位`), else `unit`.
    fn entered_in(&self, unit: Unit) -> Unit {
        self.book
            .settings
            .get("录入单位")
            .and_then(|u| Unit::parse(u))
            .unwrap_or(unit)
    }

    /// `[[fact]]` records from a facts sheet (a budget system's detail, one
    /// amount per row with its dimensions); a code cell may carry its name
    /// (`2013201 行政运行`). Returns how many were written.
    pub(super) fn write_facts(&mut self, out: &mut String, unit: Unit) -> usize {
        // A budget system may export its detail on several sheets (one per
        // 单位): each is read, in sheet order.
        let sheets: Vec<usize> = (0..self.kinds.len())
            .filter(|&g| self.kinds[g] == Kind::Facts)
            .collect();
        sheets
            .into_iter()
            .map(|g| self.write_facts_of(g, out, unit))
            .sum()
    }

    /// [`Self::write_facts`] of the sheet `g`.
    fn write_facts_of(&mut self, g: usize, out: &mut String, unit: Unit) -> usize {
        let head: Vec<String> = super::sheet::first_row(&self.grids[g])
            .into_iter()
            .map(str::to_string)
            .collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let Some(cols) = super::sheet::fact_columns(&head) else {
            return 0;
        };
        // The unit its amount headers name (`金额（元）`), else the book's.
        let from = super::sheet::fact_unit(&head, &cols).unwrap_or_else(|| self.entered_in(unit));
        let mut bad = vec![];
        let mut written = 0;
        for (r, row) in self.grids[g].rows.iter().enumerate().skip(1) {
            let text = |i: usize| {
                cols[i]
                    .and_then(|c| row.get(c))
                    .map_or(String::new(), |x| x.text.trim().to_string())
            };
            if (0..cols.len()).all(|i| text(i).is_empty()) {
                continue;
            }
            let amount_of = |i: usize| cols[i].and_then(|c| row.get(c)).and_then(|x| x.amount);
            let (now, last) = (amount_of(8), amount_of(9));
            // A cell written but not an amount is said, never read as zero.
            for (i, v) in [(8, now), (9, last)] {
                if v.is_none() && !text(i).is_empty() {
                    bad.push((r, cols[i].unwrap_or(0), "不是金额"));
                }
            }
            if now.is_none() && last.is_none() {
                if text(8).is_empty() && text(9).is_empty() {
                    bad.push((r, cols[8].unwrap_or(0), "不是金额"));
                }
                continue;
            }
            if text(5).is_empty() {
                bad.push((r, cols[5].unwrap_or(0), "没有支出类型"));
                continue;
            }
            let flagged = ["是", "上年", "true", "1"].contains(&text(7).as_str());
            let records = [(now, flagged), (last.filter(|v| !v.is_zero()), true)];
            for (amount, last_year) in records {
                let Some(amount) = amount else { continue };
                let _ = writeln!(out, "\n[[fact]]");
                for (i, key) in [
                    (0, "unit"),
                    (1, "function"),
                    (2, "economic"),
                    (3, "government"),
                ] {
                    let cell = text(i);
                    let (code, _) = split_code(&cell);
                    if !code.is_empty() {
                        let _ = writeln!(out, "{key} = {}", toml_str(code));
                    } else if !text(i).is_empty() {
                        // Not a code: kept whole, so that `check` says where.
                        let _ = writeln!(out, "{key} = {}", toml_str(&text(i)));
                    }
                }
                if !text(4).is_empty() {
                    let _ = writeln!(out, "source = {}", toml_str(&text(4)));
                }
                let _ = writeln!(out, "kind = {}", toml_str(&text(5)));
                for (i, key) in [(6, "project"), (10, "procurement"), (11, "category")] {
                    if !text(i).is_empty() {
                        let _ = writeln!(out, "{key} = {}", toml_str(&text(i)));
                    }
                }
                if last_year {
                    let _ = writeln!(out, "last_year = true");
                }
                let amount = money(unit.from_yuan(amount * from.yuan()));
                let _ = writeln!(out, "amount = {amount}");
                written += 1;
            }
        }
        for (r, c, why) in bad {
            self.unread(g, r, c, why);
        }
        written
    }

    /// `[sangong]` from the 三公 table's rows, by their keys (`--emit xlsx`)
    /// or labels.
    pub(super) fn write_sangong(&mut self, out: &mut String, unit: Unit) {
        let Some(t) = self.book.tables.get("sangong") else {
            return;
        };
        let u = self.table_unit("sangong").unwrap_or(unit).yuan();
        let funds = |r: &TableRow| -> [Decimal; 3] {
            let v = |k: &str| r.values.get(k).copied().unwrap_or_default() * u;
            if ["general", "fund", "soe"]
                .iter()
                .any(|k| r.values.contains_key(k))
            {
                [v("general"), v("fund"), v("soe")]
            } else {
                [v("total"), Decimal::ZERO, Decimal::ZERO]
            }
        };
        let toml_funds = |f: [Decimal; 3]| {
            if f[1].is_zero() && f[2].is_zero() {
                money(unit.from_yuan(f[0]))
            } else {
                format!(
                    "{{ general = {}, fund = {}, soe = {} }}",
                    money(unit.from_yuan(f[0])),
                    money(unit.from_yuan(f[1])),
                    money(unit.from_yuan(f[2]))
                )
            }
        };
        let mut main = vec![];
        // A region's own rows: name, amount, 其中 items (name, amount).
        type Extra = (String, String, Vec<(String, String)>);
        let mut extras: Vec<Extra> = vec![];
        let mut split = false;
        for r in &t.rows {
            let label = norm(&r.name).trim_start_matches("其中").to_string();
            let key = match (r.code.as_str(), label.as_str()) {
                ("合计", _) | (_, "三公经费小计") | (_, "小计") => continue,
                (_, l) if l.contains("教学科研") => "abroad_research",
                (_, l) if l.contains("其他因公出国") => "abroad_other",
                (_, l) if l.contains("因公出国") => "abroad",
                (_, l) if l.contains("购置及运") || l.contains("购置和运") => continue,
                (_, l) if l.contains("公务用车购置") => "vehicle_purchase",
                (_, l) if l.contains("公务用车运行") => "vehicle_operation",
                (_, l) if l.contains("公务接待") => "reception",
                (_, l) if l.contains("机关运行经费") => "running_costs",
                _ => "",
            };
            if key.starts_with("abroad_") {
                split = true;
            }
            if key.is_empty() {
                // A region's own row (会议费, 培训费) or one of its 其中 items.
                let item = r.level > 1;
                match extras.last_mut() {
                    Some(e) if item => e.2.push((r.name.clone(), toml_funds(funds(r)))),
                    _ => extras.push((r.name.clone(), toml_funds(funds(r)), vec![])),
                }
            } else {
                let f = if key == "running_costs" {
                    let all = r.values.get("total").copied().unwrap_or_default() * u;
                    [all, Decimal::ZERO, Decimal::ZERO]
                } else {
                    funds(r)
                };
                main.push((key, f));
            }
        }
        let _ = writeln!(out, "\n[sangong]");
        // Last year's figures, as the file wrote them (its own unit).
        // An item's other funds are keys of their own (`三公上年.abroad.fund`).
        let mut by_item: Vec<(&str, Vec<(&str, Decimal)>)> = vec![];
        for (k, v) in &self.book.settings {
            let Some(key) = k.strip_prefix("三公上年.") else {
                continue;
            };
            let Some(amount) = amount_of(v) else { continue };
            let (item, fund) = key.split_once('.').unwrap_or((key, "general"));
            match by_item.iter_mut().find(|(i, _)| *i == item) {
                Some((_, funds)) => funds.push((fund, amount)),
                None => by_item.push((item, vec![(fund, amount)])),
            }
        }
        let last: Vec<String> = by_item
            .iter()
            .map(|(item, funds)| match funds.as_slice() {
                [("general", v)] => format!("{item} = {}", money(*v)),
                _ => {
                    let parts: Vec<String> = funds
                        .iter()
                        .map(|(f, v)| format!("{f} = {}", money(*v)))
                        .collect();
                    format!("{item} = {{ {} }}", parts.join(", "))
                }
            })
            .collect();
        if !last.is_empty() {
            let _ = writeln!(out, "last_year = {{ {} }}", last.join(", "));
        }
        for (key, f) in &main {
            if *key == "abroad" && split {
                continue;
            }
            if *key == "running_costs" {
                let _ = writeln!(
                    out,
                    "running_costs = {}",
                    money(unit.from_yuan(f.iter().sum()))
                );
            } else {
                let _ = writeln!(out, "{key} = {}", toml_funds(*f));
            }
        }
        for (name, amount, items) in extras {
            let _ = writeln!(out, "\n[[sangong.extra]]\nname = {}", toml_str(&name));
            if items.is_empty() {
                let _ = writeln!(out, "amount = {amount}");
            } else {
                let _ = writeln!(out, "items = [");
                for (n, a) in items {
                    let _ = writeln!(out, "  {{ name = {}, amount = {a} }},", toml_str(&n));
                }
                let _ = writeln!(out, "]");
            }
        }
    }

    /// `[names]` of the 类 and 款 rows, and `[declared.<id>]` of every total
    /// row the tables print (in each table's own unit).
    pub(super) fn write_names_and_declared(&mut self, out: &mut String) {
        let profile = self.profile();
        let mut names = BTreeMap::new();
        let mut declared = String::new();
        let written = self.declared_sheet();
        let from_sheet = written.is_some();
        declared.push_str(&written.unwrap_or_default());
        for (id, t) in &self.book.tables {
            let Some(spec) = profile.tables.iter().find(|s| s.id == *id) else {
                continue;
            };
            if !matches!(spec.shape, Shape::Function(_) | Shape::Economic) {
                continue;
            }
            let mut rows = vec![];
            for r in &t.rows {
                if !r.parent {
                    continue;
                }
                if r.code != "合计" && !r.name.is_empty() && *id != "basic" {
                    names.entry(r.code.clone()).or_insert(r.name.clone());
                }
                let cells: Vec<String> = spec
                    .columns
                    .iter()
                    .filter_map(|c| {
                        let at = r.cols.get(c.key.as_str()).copied().unwrap_or(0);
                        r.values.get(c.key.as_str()).map(|v| {
                            format!("{} = {}{}", c.key, self.mark(t.sheet, r.row, at), money(*v))
                        })
                    })
                    .collect();
                if !cells.is_empty() {
                    rows.push(format!(
                        "{} = {{ {} }}",
                        toml_str(&r.code),
                        cells.join(", ")
                    ));
                }
            }
            if !rows.is_empty() && !from_sheet {
                let _ = writeln!(declared, "\n[declared.{id}]");
                for r in rows {
                    let _ = writeln!(declared, "{r}");
                }
            }
        }
        let mut notes: BTreeMap<&str, &String> =
            self.book.notes.iter().map(|(k, v)| (*k, v)).collect();
        for (k, v) in &self.book.settings {
            if let Some(id) = k.strip_prefix("表注.") {
                notes.insert(id, v);
            }
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "\n[notes]");
            for (k, v) in notes {
                let _ = writeln!(out, "{} = {}", toml_str(k), toml_str(v));
            }
        }
        if !names.is_empty() {
            let _ = writeln!(out, "\n[names]");
            for (code, n) in names {
                let _ = writeln!(out, "{} = {}", toml_str(&code), toml_str(&n));
            }
        }
        out.push_str(&declared);
    }

    /// The `[declared.*]` sections the `declared` sheet of `--emit xlsx`
    /// holds, as the file wrote them; `None` without that sheet (then the
    /// totals the table sheets print are the declared ones).
    fn declared_sheet(&mut self) -> Option<String> {
        let g = self.kinds.iter().position(|k| *k == Kind::Declared)?;
        let mut tables: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        let rows: Vec<Vec<String>> = self.grids[g]
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.raw.trim().to_string()).collect())
            .collect();
        for (i, r) in rows.iter().enumerate().skip(1) {
            let cell = |c: usize| r.get(c).cloned().unwrap_or_default();
            let (id, row, col, v) = (cell(0), cell(1), cell(2), cell(3));
            if id.is_empty() && row.is_empty() {
                continue;
            }
            let Some(v) = amount_of(&v) else {
                self.unread(g, i, 3, "不是金额");
                continue;
            };
            tables
                .entry(id)
                .or_default()
                .entry(row)
                .or_default()
                .push(format!(
                    "{} = {}{}",
                    toml_key(&col),
                    self.mark(g, i, 3),
                    money(v)
                ));
        }
        let mut out = String::new();
        for (id, rows) in tables {
            let _ = writeln!(out, "\n[declared.{}]", toml_key(&id));
            for (row, cols) in rows {
                let _ = writeln!(out, "{} = {{ {} }}", toml_str(&row), cols.join(", "));
            }
        }
        Some(out)
    }

    /// The document around the tables, from the sheets `--emit xlsx` writes:
    /// `[last_year]`, the sections and their tables, 政府采购, 国有资产.
    pub(super) fn write_document(&mut self, out: &mut String) {
        let s = &self.book.settings;
        let last: Vec<(&str, &String)> = s
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("上年.")?, v)))
            .collect();
        if !last.is_empty() {
            let _ = writeln!(out, "\n[last_year]");
            for (key, v) in last {
                match amount_of(v).filter(|_| key != "basis") {
                    Some(a) => {
                        let _ = writeln!(out, "{key} = {}", money(a));
                    }
                    None => {
                        let _ = writeln!(out, "{key} = {}", toml_str(v));
                    }
                }
            }
        }
        let rows_of = |k: Kind| -> Vec<Vec<String>> {
            self.kinds
                .iter()
                .position(|x| *x == k)
                .map(|g| {
                    self.grids[g]
                        .rows
                        .iter()
                        .skip(1)
                        .map(|r| r.iter().map(|c| c.raw.clone()).collect())
                        .collect()
                })
                .unwrap_or_default()
        };
        let get = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
        let tables = rows_of(Kind::SectionTables);
        let sections = self.kinds.iter().position(|k| *k == Kind::Sections);
        for (n, r) in rows_of(Kind::Sections).into_iter().enumerate() {
            let at = |c: usize| sections.map_or(String::new(), |g| self.mark(g, n + 1, c));
            let _ = writeln!(
                out,
                "\n[[section]]\ntitle = {}{}",
                at(1),
                toml_str(&get(&r, 1))
            );
            for (i, key) in [(2, "place"), (3, "text"), (4, "generate")] {
                if !get(&r, i).is_empty() {
                    let _ = writeln!(out, "{key} = {}{}", at(i), toml_str(&get(&r, i)));
                }
            }
            if !get(&r, 5).is_empty() {
                let _ = writeln!(out, "generate_after_text = true");
            }
            let mine: Vec<&Vec<String>> =
                tables.iter().filter(|t| get(t, 0) == get(&r, 0)).collect();
            if let Some(head) = mine.iter().find(|t| get(t, 1) == "表头") {
                let cells = |t: &Vec<String>| {
                    let mut c: Vec<String> = t[2..].to_vec();
                    // The sheet is rectangular: a shorter row's empty tail is not its cells.
                    while c.last().is_some_and(String::is_empty) {
                        c.pop();
                    }
                    c.iter().map(|x| toml_str(x)).collect::<Vec<_>>().join(", ")
                };
                let _ = writeln!(out, "[section.table]");
                if !get(&r, 6).is_empty() {
                    let _ = writeln!(out, "caption = {}", toml_str(&get(&r, 6)));
                }
                let _ = writeln!(out, "header = [{}]", cells(head));
                let rows: Vec<String> = mine
                    .iter()
                    .filter(|t| get(t, 1) == "行")
                    .map(|t| format!("  [{}],", cells(t)))
                    .collect();
                let _ = writeln!(out, "rows = [\n{}\n]", rows.join("\n"));
            }
        }
        for r in rows_of(Kind::Procurement) {
            let _ = writeln!(
                out,
                "\n[[procurement]]\nproject = {}",
                toml_str(&get(&r, 0))
            );
            let _ = writeln!(out, "item = {}", toml_str(&get(&r, 2)));
            for (i, key) in [(3, "catalogue_code"), (4, "kind"), (5, "unit")] {
                if !get(&r, i).is_empty() {
                    let _ = writeln!(out, "{key} = {}", toml_str(&get(&r, i)));
                }
            }
            for (i, key) in [
                (1, "project_budget"),
                (6, "quantity"),
                (7, "price"),
                (8, "amount"),
                (9, "sme"),
            ] {
                if let Some(a) = amount_of(&get(&r, i)).filter(|_| !get(&r, i).is_empty()) {
                    let _ = writeln!(out, "{key} = \"{a}\"");
                }
            }
        }
        if let Some(date) = s.get("资产.date") {
            let _ = writeln!(out, "\n[assets]\ndate = {}", toml_str(date));
            if let Some(p) = s.get("资产.planned").and_then(|p| amount_of(p)) {
                let _ = writeln!(out, "planned = {}", money(p));
            }
            let _ = writeln!(out, "item = [");
            for r in rows_of(Kind::Assets) {
                let mut fields = vec![format!("name = {}", toml_str(&get(&r, 0)))];
                if !get(&r, 1).is_empty() {
                    fields.push(format!("count = {}", get(&r, 1)));
                }
                if let Some(v) = amount_of(&get(&r, 2)).filter(|_| !get(&r, 2).is_empty()) {
                    fields.push(format!("value = {}", money(v)));
                }
                if !get(&r, 3).is_empty() {
                    fields.push("within = true".into());
                }
                let _ = writeln!(out, "  {{ {} }},", fields.join(", "));
            }
            let _ = writeln!(out, "]");
        }
    }

    /// The projects: the `projects` and `indicators` sheets, else a list
    /// layout's 绩效目标表 (read by [`crate::import::import_list`]).
    pub(super) fn write_projects(
        &mut self,
        out: &mut String,
        name: &str,
        year: Option<i32>,
        unit: Unit,
    ) -> usize {
        let s = self.book.settings.clone();
        if let Some(g) = self.kinds.iter().position(|k| *k == Kind::Projects) {
            let _ = writeln!(out, "\n[projects]");
            for (label, key) in [
                ("项目表格式", "layout"),
                ("项目表标题", "title"),
                ("项目表部门", "department"),
                ("项目表表头", "heading"),
                ("指标写法", "indicator_style"),
            ] {
                if let Some(v) = s.get(label) {
                    let _ = writeln!(out, "{key} = {}", toml_str(v));
                }
            }
            let from = s
                .get("项目金额单位")
                .and_then(|u| Unit::parse(u))
                .unwrap_or(unit);
            let mut indicators: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
            if let Some(i) = self.kinds.iter().position(|k| *k == Kind::Indicators) {
                for row in self.grids[i].rows.iter().skip(1) {
                    let cells: Vec<String> = row.iter().map(|c| c.text.clone()).collect();
                    if let Some(n) = cells.first() {
                        indicators.entry(n.clone()).or_default().push(cells);
                    }
                }
            }
            let mut count = 0;
            let mut bad = vec![];
            for (r, row) in self.grids[g].rows.iter().enumerate().skip(1) {
                let text = |c: usize| row.get(c).map_or(String::new(), |x| x.text.clone());
                if text(2).is_empty() {
                    continue;
                }
                count += 1;
                let _ = writeln!(out, "\n[[project]]");
                for (c, key) in [(0, "unit"), (1, "code"), (2, "name")] {
                    if !text(c).is_empty() {
                        let at = self.mark(g, r, c);
                        let _ = writeln!(out, "{key} = {at}{}", toml_str(&text(c)));
                    }
                }
                for (c, key) in [
                    (3, "total"),
                    (4, "fiscal"),
                    (5, "special_account"),
                    (6, "other"),
                ] {
                    match row.get(c).and_then(|x| x.amount) {
                        Some(v) if c == 3 || !v.is_zero() => {
                            let (at, v) = (self.mark(g, r, c), unit.from_yuan(v * from.yuan()));
                            let _ = writeln!(out, "{key} = {at}{}", money(v));
                        }
                        Some(_) => {}
                        None if text(c).is_empty() => {}
                        None => bad.push((r, c)),
                    }
                }
                for (c, key) in [
                    (7, "supervisor_code"),
                    (8, "supervisor"),
                    (9, "implementer_code"),
                    (10, "implementer"),
                    (11, "attribute"),
                    (12, "period"),
                    (13, "purpose"),
                    (15, "goal"),
                ] {
                    if !text(c).is_empty() {
                        let _ = writeln!(out, "{key} = {}", toml_str(&text(c)));
                    }
                }
                if !text(14).is_empty() {
                    let plan: Vec<String> = text(14)
                        .split('；')
                        .map(|p| {
                            amount_of(p.trim_end_matches('%')).map_or_else(|| toml_str(p), money)
                        })
                        .collect();
                    let _ = writeln!(out, "plan = [{}]", plan.join(", "));
                }
                for ind in indicators.get(&count.to_string()).into_iter().flatten() {
                    let get = |c: usize| ind.get(c).cloned().unwrap_or_default();
                    let _ = writeln!(out, "[[project.indicator]]");
                    for (c, key) in [(2, "level1"), (3, "level2"), (4, "name"), (5, "value")] {
                        let _ = writeln!(out, "{key} = {}", toml_str(&get(c)));
                    }
                    if get(6) != get(5) {
                        let _ = writeln!(out, "period_value = {}", toml_str(&get(6)));
                    }
                    for (c, key) in [(7, "description"), (8, "basis")] {
                        if !get(c).is_empty() {
                            let _ = writeln!(out, "{key} = {}", toml_str(&get(c)));
                        }
                    }
                }
            }
            for (r, c) in bad {
                self.unread(g, r, c, "不是金额");
            }
            return count;
        }
        let Some(g) = self.kinds.iter().position(|k| *k == Kind::ProjectList) else {
            return 0;
        };
        // The list layout, as tab-separated text: its line numbers are the sheet's rows.
        let grid = &self.grids[g];
        let mut text = String::new();
        for _ in 0..grid.row0 {
            text.push('\n');
        }
        for row in &grid.rows {
            let mut cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
            // The range is rectangular: a title row's empty cells are not cells of a row.
            while cells.last().is_some_and(|c| c.is_empty()) {
                cells.pop();
            }
            text.push_str(&cells.join("\t").replace('\n', " "));
            text.push('\n');
        }
        let sheet = format!("{name}!{}", grid.name);
        let imported = crate::import::import_list(&sheet, &text, year);
        for mut d in imported.diags.items {
            d.span = None;
            self.diags.push(d);
        }
        if let Some(i) = imported.toml.find("\n[projects]") {
            out.push_str(&imported.toml[i..]);
        }
        imported.projects
    }
}

/// One 功能分类 line to write, amounts in 元 (`None`: not given).
/// A table's leaf rows by code: name, amounts in 元 by column key, row.
type Leaves = BTreeMap<String, (String, BTreeMap<&'static str, Decimal>, usize)>;

pub(super) struct LineOut {
    code: String,
    name: String,
    source: Source,
    kinds: [Option<Decimal>; KINDS],
    uses: Option<String>,
    reason: Option<String>,
    /// The row read (lines sheet), and its cell marked (empty when rebuilt).
    row: usize,
    at: String,
}

/// The `lines` sheet `--emit xlsx` writes, amounts in `unit`.
pub(super) fn read_lines_sheet(
    g: &Grid,
    unit: Unit,
    reading: &mut Vec<(usize, usize, &'static str)>,
) -> Vec<LineOut> {
    let mut out = vec![];
    for (r, row) in g.rows.iter().enumerate().skip(1) {
        let text = |c: usize| row.get(c).map_or("", |x| x.text.as_str());
        if text(0).is_empty() {
            continue;
        }
        let Some(source) = Source::parse(text(2)) else {
            reading.push((r, 2, "不是资金来源"));
            continue;
        };
        let mut kinds = [None; KINDS];
        for (k, slot) in kinds.iter_mut().enumerate() {
            let c = 3 + k;
            if text(c).is_empty() {
                continue;
            }
            match row.get(c).and_then(|x| x.amount) {
                Some(v) => *slot = Some(v * unit.yuan()),
                None => reading.push((r, c, "不是金额")),
            }
        }
        let opt = |c: usize| Some(text(c).to_string()).filter(|t| !t.is_empty());
        out.push(LineOut {
            code: text(0).to_string(),
            name: text(1).to_string(),
            source,
            kinds,
            uses: opt(3 + KINDS),
            reason: opt(4 + KINDS),
            row: r,
            at: String::new(),
        });
    }
    out
}

/// A TOML key: bare when it can be, else quoted.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_str(k)
    }
}

/// An amount as a TOML value: a bare number when it has at most 15
/// significant digits (read back exactly), else a string.
pub(super) fn money(v: Decimal) -> String {
    let mut v = v.normalize();
    if v.scale() < 2 {
        v.rescale(2);
    }
    let digits = v.normalize().mantissa().unsigned_abs().to_string().len();
    if digits <= 15 {
        v.to_string()
    } else {
        format!("\"{v}\"")
    }
}
