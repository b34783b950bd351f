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

use crate::profile::Profile;

pub use crate::profile::BUILTIN_TEMPLATES;

/// The entry template of a department's budget document.
pub const ENTRY: &str = "budget.typ.j2";

/// Compiled templates, built once and reused for every document.
pub struct Renderer {
    env: Environment<'static>,
    marked: Environment<'static>,
    /// Problems with the override directory (files that override nothing).
    pub warnings: Vec<String>,
}

/// The names every profile's templates are looked up under.
pub fn template_names() -> Vec<&'static str> {
    BUILTIN_TEMPLATES.iter().map(|(n, _)| *n).collect()
}

/// The template `name` as `profile` has it: its own file, else its base's,
/// else the built-in.
pub fn profile_template(profile: &'static Profile, name: &str) -> Option<&'static str> {
    let mut p = Some(profile);
    while let Some(q) = p {
        if let Some((_, s)) = q.templates.iter().find(|(n, _)| n == name) {
            return Some(s.as_str());
        }
        p = q.base;
    }
    BUILTIN_TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

pub use crate::limits::MAX_TEMPLATE_BYTES;

/// The largest Typst source a template may produce (1,000 projects' cards
/// and tables make about 6 MB).
pub const MAX_SOURCE_BYTES: usize = 64 << 20;

/// Reads an override file, refusing a path that leaves `dir` (a symlink
/// pointing outside it, say).
fn read_override(dir: &Path, name: &str) -> Result<Option<String>, Error> {
    let rel = Path::new(name);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Error::new(
            ErrorKind::TemplateNotFound,
            format!("invalid template name {name}"),
        ));
    }
    let path = dir.join(rel);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    // A directory or a FIFO named like a template is a mistake, not "no
    // override": the built-in must not stand in for it silently.
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} is not a regular file (a directory, a pipe or a device); a template must be a file",
                path.display()
            ),
        ));
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} is {} bytes; a template may be at most {} bytes",
                path.display(),
                meta.len(),
                MAX_TEMPLATE_BYTES
            ),
        ));
    }
    let inside = match (path.canonicalize(), dir.canonicalize()) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    };
    if !inside {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} points outside the template directory {}; copy the file in instead of linking it",
                path.display(),
                dir.display()
            ),
        ));
    }
    std::fs::read_to_string(&path).map(Some).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// Files under `dir` (relative paths) that match no template name.
fn stray_overrides(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut files = vec![];
    walk(dir, dir, &mut files);
    files.sort();
    let names = template_names();
    files
        .into_iter()
        .filter(|f| f.ends_with(".j2") && !names.contains(&f.as_str()))
        .collect()
}

impl Renderer {
    /// Builds the environment for `profile`; `overrides` is a directory whose
    /// files replace the profile's (and the built-in) templates by name.
    pub fn new(overrides: Option<PathBuf>) -> Result<Renderer, String> {
        Self::for_profile(
            crate::profile::find(crate::profile::DEFAULT).expect("default profile"),
            overrides,
        )
    }

    /// [`Renderer::new`] for a given profile.
    pub fn for_profile(
        profile: &'static Profile,
        overrides: Option<PathBuf>,
    ) -> Result<Renderer, String> {
        if let Some(dir) = &overrides
            && !dir.is_dir()
        {
            return Err(format!(
                "template directory {} does not exist",
                dir.display()
            ));
        }
        let warnings = overrides
            .as_deref()
            .map(stray_overrides)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                format!(
                    "template {f} in the override directory replaces no template (valid names: {})",
                    template_names()
                        .into_iter()
                        .filter(|n| n.ends_with(".j2"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let env = environment(profile, overrides.clone(), false);
        let marked = environment(profile, overrides, true);
        Ok(Renderer {
            env,
            marked,
            warnings,
        })
    }

    /// Renders with a comment `/*@name:line*/` before each template line, so
    /// that a Typst error in the output can be traced to the template line
    /// that wrote it (see [`template_origin`]).
    pub fn render_marked(&self, entry: &str, context: Value) -> Result<String, String> {
        let tmpl = self.marked.get_template(entry).map_err(describe)?;
        capped(&tmpl, context)
    }

    /// Renders template `entry` with `context`; the error names the template and line.
    pub fn render(&self, entry: &str, context: Value) -> Result<String, String> {
        let tmpl = self.env.get_template(entry).map_err(describe)?;
        capped(&tmpl, context)
    }
}

/// Renders `tmpl`, stopping as soon as its output passes
/// [`MAX_SOURCE_BYTES`] (a template that loops on its output cannot fill
/// the memory with it).
fn capped(tmpl: &minijinja::Template, context: Value) -> Result<String, String> {
    struct Capped(Vec<u8>, bool);
    impl std::io::Write for Capped {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() + buf.len() > MAX_SOURCE_BYTES {
                self.1 = true;
                return Err(std::io::Error::other("too long"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Capped(Vec::new(), false);
    match tmpl.render_captured_to(context, &mut out) {
        Ok(_) => String::from_utf8(out.0).map_err(|e| e.to_string()),
        Err(_) if out.1 => {
            let mb = MAX_SOURCE_BYTES >> 20;
            Err(format!(
                "{}: the template wrote more than {mb} MB of Typst source; a document's source is at most {mb} MB (a loop that never ends?)",
                tmpl.name()
            ))
        }
        Err(e) => Err(describe(e)),
    }
}

/// The minijinja environment of a profile: filters, escaping, and the
/// layered loader (override directory → profile → built-ins).
fn environment(
    profile: &'static Profile,
    overrides: Option<PathBuf>,
    marked: bool,
) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
    env.set_formatter(typst_formatter);
    env.set_fuel(Some(50_000_000));
    // Python's string and list methods (`name.split("-")`, `s.startswith`,
    // `s.strip()`…), which template authors reach for first.
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.add_filter("amt", amt);
    env.add_filter("yuan", |v: Value| -> Result<String, Error> {
        let s = format_value(&v, 2, false, "")?;
        Ok(s.strip_suffix(".00").map(str::to_string).unwrap_or(s))
    });
    // `{% if v is zero %}`: an amount of nothing (zero, blank or none),
    // exactly: what has money decides what a layout prints.
    env.add_test("zero", |v: Value| -> Result<bool, Error> {
        if v.is_none() || v.is_undefined() || v.as_str().is_some_and(|s| s.trim().is_empty()) {
            return Ok(true);
        }
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        Decimal::from_str(text.trim())
            .map(|d| d.is_zero())
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("zero: {v} is not an amount"),
                )
            })
    });
    env.add_filter("ordinal", ordinal);
    env.add_filter("cn", |n: usize| crate::catalogue::chinese_number(n));
    env.add_filter("raw", |s: String| Value::from_safe_string(typst_string(&s)));
    env.set_loader(move |name| {
        let text = match &overrides {
            Some(dir) => match read_override(dir, name)? {
                Some(text) => Some(text),
                None => profile_template(profile, name).map(str::to_string),
            },
            None => profile_template(profile, name).map(str::to_string),
        };
        Ok(text.map(|t| if marked { mark_lines(name, &t) } else { t }))
    });
    env
}

/// `src` with a Typst comment `/*@name:N*/` at the start of each line N > 1
/// that does not continue a minijinja tag.
fn mark_lines(name: &str, src: &str) -> String {
    let mut out = String::with_capacity(src.len() * 2);
    let mut open: Option<&str> = None;
    for (i, line) in src.split_inclusive('\n').enumerate() {
        if open.is_none() && i > 0 {
            out.push_str(&format!("/*@{name}:{}*/", i + 1));
        }
        let mut rest = line;
        loop {
            match open {
                None => {
                    let next = ["{{", "{%", "{#"]
                        .iter()
                        .filter_map(|t| rest.find(t).map(|at| (at, *t)))
                        .min();
                    let Some((at, tag)) = next else { break };
                    open = Some(match tag {
                        "{{" => "}}",
                        "{%" => "%}",
                        _ => "#}",
                    });
                    rest = &rest[at + 2..];
                }
                Some(close) => {
                    let Some(at) = rest.find(close) else { break };
                    open = None;
                    rest = &rest[at + 2..];
                }
            }
        }
        out.push_str(line);
    }
    out
}

/// The template and line that wrote byte `offset` of a source rendered with
/// [`Renderer::render_marked`].
pub fn template_origin(source: &str, offset: usize) -> Option<(String, usize)> {
    let before = &source[..offset.min(source.len())];
    let start = before.rfind("/*@")? + 3;
    let end = start + source[start..].find("*/")?;
    let (name, line) = source[start..end].rsplit_once(':')?;
    Some((name.to_string(), line.parse().ok()?))
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

/// `{{ n | ordinal(style) }}`: the number `n` as an ordinal in one of the
/// styles budgets use: `"cn"` 一、 (default), `"paren"` （一）, `"arabic"` 1.
/// `"dot"` 1、.
fn ordinal(n: usize, style: Option<String>) -> Result<String, Error> {
    let cn = crate::catalogue::chinese_number(n);
    Ok(match style.as_deref().unwrap_or("cn") {
        "cn" => format!("{cn}、"),
        "paren" => format!("（{cn}）"),
        "arabic" => format!("{n}. "),
        "dot" => format!("{n}、"),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("ordinal: unknown style {other:?}; valid: cn, paren, arabic, dot"),
            ));
        }
    })
}

/// `{{ v | amt }}`: an amount rounded half away from zero (四舍五入) once, in
/// the profile's style (`report.style`: decimals, separators, how zero prints);
/// `amt(decimals, separators)` overrides the first two.
fn amt(
    state: &State,
    value: Value,
    decimals: Option<u32>,
    separators: Option<bool>,
) -> Result<String, Error> {
    let style = state
        .lookup("report")
        .and_then(|r| r.get_attr("style").ok())
        .filter(|s| !s.is_undefined() && !s.is_none());
    let setting = |key: &str| style.as_ref().and_then(|s| s.get_attr(key).ok());
    let decimals = decimals
        .or_else(|| setting("decimals").and_then(|v| u32::try_from(v).ok()))
        .unwrap_or(2);
    let separators = separators
        .or_else(|| setting("separators").map(|v| v.is_true()))
        .unwrap_or(false);
    // The table being printed may say how its zeros print (`table_zero`,
    // set by the document template from `report.tables.zeros`).
    let zero = state
        .lookup("table_zero")
        .and_then(|v| v.as_str().map(str::to_string))
        .or_else(|| setting("zero").and_then(|v| v.as_str().map(str::to_string)))
        .unwrap_or_default();
    format_value(&value, decimals, separators, &zero)
}

fn format_value(
    value: &Value,
    decimals: u32,
    separators: bool,
    zero: &str,
) -> Result<String, Error> {
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
    Ok(crate::domain::format_amount(d, decimals, separators, zero))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_become_typst_literals() {
        assert_eq!(
            typst_string(r#"#read("/etc/passwd")"#),
            r##""#read(\"/etc/passwd\")""##
        );
        assert_eq!(typst_string("a\\b\nc\u{7}"), "\"a\\\\b\\nc\\u{7}\"");
    }
}
