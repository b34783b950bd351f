//! Templates → Typst source, with minijinja.
//!
//! Every value a template prints goes through [`typst_formatter`]: a string
//! becomes a Typst string literal (`"…"`, escaped), so user text is data and
//! never markup. Built-in templates live in `templates/` and are compiled into
//! the binary; a directory given with `--templates` overrides any of them by
//! file name.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};
use rust_decimal::Decimal;

use crate::reconcile::round;

/// The built-in templates: (file name under templates/, content).
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("budget.typ.j2", include_str!("../templates/budget.typ.j2")),
    (
        "preamble.typ.j2",
        include_str!("../templates/preamble.typ.j2"),
    ),
    (
        "tables/summary.typ.j2",
        include_str!("../templates/tables/summary.typ.j2"),
    ),
    (
        "tables/income.typ.j2",
        include_str!("../templates/tables/income.typ.j2"),
    ),
    (
        "tables/expenditure.typ.j2",
        include_str!("../templates/tables/expenditure.typ.j2"),
    ),
    (
        "tables/fiscal.typ.j2",
        include_str!("../templates/tables/fiscal.typ.j2"),
    ),
    (
        "tables/general.typ.j2",
        include_str!("../templates/tables/general.typ.j2"),
    ),
    (
        "tables/basic.typ.j2",
        include_str!("../templates/tables/basic.typ.j2"),
    ),
    (
        "tables/fund.typ.j2",
        include_str!("../templates/tables/fund.typ.j2"),
    ),
    (
        "tables/soe.typ.j2",
        include_str!("../templates/tables/soe.typ.j2"),
    ),
    (
        "tables/sangong.typ.j2",
        include_str!("../templates/tables/sangong.typ.j2"),
    ),
    (
        "tables/tree.typ.j2",
        include_str!("../templates/tables/tree.typ.j2"),
    ),
    (
        "projects/list.typ.j2",
        include_str!("../templates/projects/list.typ.j2"),
    ),
    (
        "projects/card.typ.j2",
        include_str!("../templates/projects/card.typ.j2"),
    ),
    (
        "projects/sheet.typ.j2",
        include_str!("../templates/projects/sheet.typ.j2"),
    ),
    ("README.md", include_str!("../templates/README.md")),
];

/// The entry template of a department's budget document.
pub const ENTRY: &str = "budget.typ.j2";

/// Compiled templates, built once and reused for every document.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Builds the environment; `overrides` is a directory whose files replace built-ins by name.
    pub fn new(overrides: Option<PathBuf>) -> Result<Renderer, String> {
        if let Some(dir) = &overrides
            && !dir.is_dir()
        {
            return Err(format!(
                "template directory {} does not exist",
                dir.display()
            ));
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
        env.set_formatter(typst_formatter);
        env.set_fuel(Some(50_000_000));
        env.add_filter("amt", amt);
        env.add_filter("yuan", |v: Value| -> Result<String, Error> {
            let s = amt(v, Some(2), Some(false))?;
            Ok(s.strip_suffix(".00").map(str::to_string).unwrap_or(s))
        });
        env.add_filter("cn", |n: usize| crate::catalogue::chinese_number(n));
        env.add_filter("raw", |s: String| Value::from_safe_string(typst_string(&s)));
        env.set_loader(move |name| {
            if let Some(dir) = &overrides {
                let rel = Path::new(name);
                if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                    return Err(Error::new(
                        ErrorKind::TemplateNotFound,
                        format!("invalid template name {name}"),
                    ));
                }
                let path = dir.join(rel);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        Error::new(
                            ErrorKind::InvalidOperation,
                            format!("cannot read {}: {e}", path.display()),
                        )
                    });
                }
            }
            Ok(BUILTIN_TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.to_string()))
        });
        Ok(Renderer { env })
    }

    /// Renders template `entry` with `context`; the error names the template and line.
    pub fn render(&self, entry: &str, context: Value) -> Result<String, String> {
        let tmpl = self.env.get_template(entry).map_err(describe)?;
        tmpl.render(context).map_err(describe)
    }
}

fn describe(e: Error) -> String {
    let mut msg = format!("template error: {}", e.kind());
    if let Some(detail) = e.detail() {
        msg.push_str(&format!(": {detail}"));
    }
    if let (Some(name), Some(line)) = (e.name(), e.line()) {
        msg.push_str(&format!(" (in {name} line {line})"));
    }
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(&format!("; {s}"));
        source = s.source();
    }
    msg
}

/// Writes every value as Typst code: strings as escaped string literals,
/// numbers as numbers, lists as arrays, maps as dictionaries, none as `none`;
/// `safe` strings (macro output) verbatim.
pub fn typst_formatter(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    out.write_str(&to_typst(value)).map_err(Error::from)
}

fn to_typst(value: &Value) -> String {
    use minijinja::value::ValueKind;
    match value.kind() {
        _ if value.is_safe() => value.as_str().unwrap_or_default().to_string(),
        ValueKind::None | ValueKind::Undefined => "none".to_string(),
        ValueKind::Bool => value.is_true().to_string(),
        ValueKind::Number => value.to_string(),
        ValueKind::String => typst_string(value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = value
                .try_iter()
                .into_iter()
                .flatten()
                .map(|v| to_typst(&v))
                .collect();
            format!(
                "({})",
                items.iter().map(|i| format!("{i},")).collect::<String>()
            )
        }
        ValueKind::Map => {
            let mut parts = vec![];
            for k in value.try_iter().into_iter().flatten() {
                let v = value.get_item(&k).unwrap_or_default();
                parts.push(format!(
                    "{}: {}",
                    typst_string(&k.to_string()),
                    to_typst(&v)
                ));
            }
            if parts.is_empty() {
                "(:)".to_string()
            } else {
                format!("({})", parts.join(", "))
            }
        }
        _ => typst_string(&value.to_string()),
    }
}

/// A Typst string literal for `s`: `"` and `\` escaped, control characters as `\u{..}`.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `{{ v | amt }}`: an amount rounded half away from zero to `decimals` places,
/// blank for zero; `amt(decimals, true)` adds thousands separators.
fn amt(value: Value, decimals: Option<u32>, separators: Option<bool>) -> Result<String, Error> {
    let decimals = decimals.unwrap_or(2);
    let d = if let Some(s) = value.as_str() {
        Decimal::from_str(s)
    } else if value.is_none() || value.is_undefined() {
        return Ok(String::new());
    } else {
        Decimal::from_str(&value.to_string())
    }
    .map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("amt: {value} is not an amount"),
        )
    })?;
    Ok(format_amount(d, decimals, separators.unwrap_or(false)))
}

/// Formats an amount for printing: rounded once, fixed decimals, blank for zero.
pub fn format_amount(d: Decimal, decimals: u32, separators: bool) -> String {
    let r = round(d, decimals);
    if r.is_zero() {
        return String::new();
    }
    let s = format!("{:.*}", decimals as usize, r.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let int = if separators {
        let mut g = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                g.push(',');
            }
            g.push(ch);
        }
        g
    } else {
        int.to_string()
    };
    let sign = if r.is_sign_negative() { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_half_away_from_zero_and_blank_zero() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(format_amount(d("5464.38"), 2, false), "5464.38");
        assert_eq!(format_amount(d("0.005"), 2, false), "0.01");
        assert_eq!(format_amount(d("0.0049"), 2, false), "");
        assert_eq!(format_amount(d("10055.7"), 2, true), "10,055.70");
        assert_eq!(format_amount(d("1234567.891"), 2, true), "1,234,567.89");
        assert_eq!(format_amount(d("-12.345"), 2, false), "-12.35");
        assert_eq!(format_amount(d("0"), 2, false), "");
    }

    #[test]
    fn strings_become_typst_literals() {
        assert_eq!(
            typst_string(r#"#read("/etc/passwd")"#),
            r##""#read(\"/etc/passwd\")""##
        );
        assert_eq!(typst_string("a\\b\nc\u{7}"), "\"a\\\\b\\nc\\u{7}\"");
    }
}
