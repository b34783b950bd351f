//! The classification catalogues: 支出功能分类 (类/款/项) and 部门预算支出经济分类
//! (类/款), as data files per year (`catalogue/<year>.txt`, built into the
//! binary) or a user's own file in the same format.
//!
//! A catalogue holds only entries the project can vouch for (each file names
//! its sources). A name the budget file gives wins; a code neither knows is an
//! error asking for its name: no name is ever guessed.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// The built-in catalogues: (year, file text), every `catalogue/<year>.txt`
/// of the source tree (embedded by `build.rs`: adding a year is adding a file).
pub const BUILTIN: &[(i32, &str)] = embedded::CATALOGUES;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));
}

/// One catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// What it is called in messages: "2024" or the file's path.
    pub name: String,
    /// Every 功能分类 类 in printing order (code, name); code "" for a row without one (人行科目).
    pub classes: Vec<(String, String)>,
    function: HashMap<String, String>,
    economic: HashMap<String, String>,
}

impl Catalogue {
    /// Reads a catalogue file: `[function]` and `[economic]` sections of
    /// `code<TAB or spaces>name` lines, optionally `<TAB># source`; a line
    /// starting with `#` is a comment. Errors name the line.
    pub fn parse(name: &str, text: &str) -> Result<Catalogue, String> {
        let mut cat = Catalogue {
            name: name.to_string(),
            ..Catalogue::default()
        };
        let mut section = None;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match s.trim() {
                    "function" => Some(true),
                    "economic" => Some(false),
                    other => {
                        return Err(format!(
                            "line {}: unknown section [{other}]; valid: [function], [economic]",
                            i + 1
                        ));
                    }
                };
                continue;
            }
            // `code<TAB>name<TAB># source`: what follows the `#` names where
            // the name was printed.
            let line = line.split("\t#").next().unwrap_or(line);
            let (code, label) = line
                .split_once(|c: char| c.is_whitespace())
                .map(|(c, n)| (c.trim(), n.trim()))
                .filter(|(_, n)| !n.is_empty())
                .ok_or_else(|| format!("line {}: expected a code and a name", i + 1))?;
            let function = section.ok_or_else(|| {
                format!("line {}: an entry before [function] or [economic]", i + 1)
            })?;
            let digits = code.chars().all(|c| c.is_ascii_digit());
            if code != "-" && !(digits && [3, 5, 7].contains(&code.len())) {
                return Err(format!(
                    "line {}: \"{code}\" is not a code (3, 5 or 7 digits, or - for none)",
                    i + 1
                ));
            }
            if function {
                if code == "-" || code.len() == 3 {
                    let code = if code == "-" { "" } else { code };
                    cat.classes.push((code.to_string(), label.to_string()));
                }
                if code != "-" {
                    cat.function.insert(code.to_string(), label.to_string());
                }
            } else if code != "-" {
                cat.economic.insert(code.to_string(), label.to_string());
            }
        }
        Ok(cat)
    }

    /// The name of a 功能分类 code (3, 5 or 7 digits), if the catalogue has it.
    pub fn function_name(&self, code: &str) -> Option<String> {
        self.function.get(code).cloned()
    }

    /// The name of a 经济分类 code, if the catalogue has it.
    pub fn economic_name(&self, code: &str) -> Option<String> {
        self.economic.get(code).cloned()
    }
}

static PARSED: LazyLock<Vec<(i32, Arc<Catalogue>)>> = LazyLock::new(|| {
    BUILTIN
        .iter()
        .map(|(year, text)| {
            let cat = Catalogue::parse(&year.to_string(), text).expect("built-in catalogue");
            (*year, Arc::new(cat))
        })
        .collect()
});

/// The built-in catalogue for `year`: its own, else the nearest older one,
/// else the oldest. The flag says whether it is the year's own.
pub fn for_year(year: i32) -> (Arc<Catalogue>, bool) {
    let parsed = &*PARSED;
    if let Some((_, c)) = parsed.iter().find(|(y, _)| *y == year) {
        return (c.clone(), true);
    }
    let older = parsed
        .iter()
        .filter(|(y, _)| *y < year)
        .max_by_key(|(y, _)| *y);
    let chosen = older.unwrap_or(&parsed[0]);
    (chosen.1.clone(), false)
}

/// Chinese ordinal prefix for row labels: 1 → "一", 31 → "三十一".
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n > 10 { DIGITS[n - 10] } else { "" }),
        20..=99 => {
            let (t, u) = (n / 10, n % 10);
            format!("{}十{}", DIGITS[t], if u > 0 { DIGITS[u] } else { "" })
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_catalogue_only() {
        let (c, own) = for_year(2024);
        assert!(own);
        assert_eq!(c.function_name("201").as_deref(), Some("一般公共服务支出"));
        assert_eq!(c.function_name("2013201").as_deref(), Some("行政运行"));
        assert_eq!(
            c.function_name("2013299").as_deref(),
            Some("其他组织事务支出")
        );
        assert_eq!(
            c.function_name("2080501").as_deref(),
            Some("行政单位离退休")
        );
        assert_eq!(
            c.economic_name("30231").as_deref(),
            Some("公务用车运行维护费")
        );
        // No guessing from the last two digits: 2060702 is 科普活动, not 一般行政管理事务.
        assert_eq!(c.function_name("2060702"), None);
        assert_eq!(c.function_name("9999999"), None);
        assert_eq!(c.classes.len(), 31);
        assert_eq!(c.classes[30], (String::new(), "人行科目".to_string()));
    }

    #[test]
    fn a_year_without_its_own_catalogue_takes_the_nearest_older_one() {
        assert_eq!(for_year(2027).0.name, "2026");
        assert!(!for_year(2027).1);
        assert!(for_year(2026).1);
        assert_eq!(for_year(2022).0.name, "2024");
        assert_eq!(
            for_year(2025).0.function_name("2011350").as_deref(),
            Some("事业运行")
        );
        assert_eq!(for_year(2024).0.function_name("2011350"), None);
        // 2026 names the 项 seed 006 prints.
        let c = for_year(2026).0;
        assert_eq!(c.function_name("2010804").as_deref(), Some("审计业务"));
        assert_eq!(c.classes.len(), 31);
    }

    #[test]
    fn a_bad_catalogue_file_names_the_line() {
        assert_eq!(
            Catalogue::parse("x", "[function]\n201 一般公共服务支出\n20x 坏\n").unwrap_err(),
            "line 3: \"20x\" is not a code (3, 5 or 7 digits, or - for none)"
        );
    }

    #[test]
    fn chinese_ordinals() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(13), "十三");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(31), "三十一");
    }
}
