//! Regional profiles, read from data: a profile is a directory holding
//! `profile.toml` (tables, units, number style, layout) and `templates/`
//! (files replacing the built-in templates of the same name). The built-in
//! profiles are such directories (`profiles/` in the source tree), embedded
//! in the binary; any other is loaded from disk by its path. A profile may
//! name a `base` whose settings, tables and templates it inherits and
//! overrides. No region is written in Rust.
//!
//! `profile = "…"` in `[department]` or `--profile` selects one; it only sets
//! defaults, which the file's own settings override.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::domain::{Layout, Unit};
use crate::tables::TableSpec;
use crate::text;

pub mod check;
mod read;
pub mod write;

pub use read::unknown_zero;
use read::{Origin, build};
pub use read::{RawColumn, RawItem, RawProfile, RawStyle, RawTable};

/// How amounts print: the `amt` filter's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Style {
    /// Thousands separators (`371,514,655.00`).
    pub separators: bool,
    /// How zero prints: `""` (blank), `"0"`, `"0.00"` or `"-"`.
    pub zero: &'static str,
    /// Decimals printed.
    pub decimals: u32,
    /// Whether tables print a 序号 column (a region's layout may leave it out).
    pub row_numbers: bool,
    /// Whether tables print a 栏次 row (a region's layout may leave it out).
    pub column_numbers: bool,
    /// A 决算's table label above its head (`公开 {nn} 表`, `表{n}`: {n} the
    /// table's number, {nn} the same in two digits).
    pub table_label: &'static str,
    /// The word before a 决算 table's unit (`金额单位`, `单位`).
    pub unit_label: &'static str,
}

impl Profile {
    /// The style of a document of `year`: that of the first `until` year
    /// not before it, else the profile's own.
    pub fn style_for(&self, year: i32) -> Style {
        self.style_until
            .iter()
            .find(|(until, _)| year <= *until)
            .map_or(self.style, |(_, s)| *s)
    }
}

/// One region's defaults, with its base's filled in.
#[derive(Debug)]
pub struct Profile {
    /// Name used in `profile = "…"` (a built-in's name, or the directory's path).
    pub name: String,
    /// The name its `profile.toml` gives itself.
    pub title: String,
    /// One line for `yusuan profiles`.
    pub description: String,
    /// The profile it inherits from.
    pub base: Option<&'static Profile>,
    /// The table definitions, in document order (by number).
    pub tables: Vec<TableSpec>,
    /// Default layout of the project tables.
    pub layout: Option<Layout>,
    /// Default printing unit of the tables.
    pub print_unit: Unit,
    /// Whether a declared cell prints the declared figure when it agrees
    /// within its 尾差 (`print = "declared"`, the default) or the sum.
    pub print_declared: bool,
    /// Tables printed in another unit by default.
    pub table_units: Vec<(String, Unit)>,
    /// Number formatting.
    pub style: Style,
    /// Whether it prints a 部门决算 (final account) rather than a 部门预算.
    pub final_account: bool,
    /// Number formatting of documents up to a year (`[style.until.2022]`),
    /// by year ascending.
    pub style_until: Vec<(i32, Style)>,
    /// Templates of its own, replacing its base's and the built-ins of the
    /// same name: (name, content).
    pub templates: Vec<(String, String)>,
    /// Table titles by which a workbook that names no profile is recognised
    /// as written for this one.
    pub recognise: Vec<String>,
    /// How its sentence per 项 quotes the line (one of [`crate::narrative::SENTENCES`]).
    pub sentence: &'static str,
    /// What a document with a narrative must explain somewhere in its
    /// sections (words of a title or text, or a generated section's kind).
    pub required_sections: Vec<String>,
    /// Checks this region counts otherwise than yusuan does: (rule, level),
    /// by rule id.
    pub checks: Vec<(String, Level)>,
    /// Declared figures of two tables that must agree (`[[equal]]`).
    pub equalities: Vec<Equality>,
    /// The directory it was loaded from (`None` for a built-in).
    pub dir: Option<PathBuf>,
    /// Its `profile.toml` as written.
    pub source: String,
}

impl Profile {
    /// The directory of templates of its own that yusuan did not ship (its
    /// or a base's), if any: such templates run in a bounded child.
    pub fn foreign_templates(&self) -> Option<PathBuf> {
        let mut p = Some(self);
        while let Some(profile) = p {
            if let Some(dir) = &profile.dir
                && !profile.templates.is_empty()
            {
                return Some(dir.join("templates"));
            }
            p = profile.base;
        }
        None
    }
}

/// Two declared figures that must agree (`[[equal]]`): compared where the
/// file declares both, in the left one's unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Equality {
    /// The rule id its message carries.
    pub rule: &'static str,
    /// One figure.
    pub left: CellRef,
    /// The figure it must equal.
    pub right: CellRef,
    /// Compared only when every line's source is one of these (empty: always).
    pub when_sources: Vec<crate::domain::Source>,
    /// Whether the computed figures of the two cells are compared (an
    /// identity the region's tables must satisfy), rather than the figures
    /// the file declares.
    pub computed: bool,
    /// How the left figure must stand to the right.
    pub relation: Relation,
}

/// How one figure of an `[[equal]]` must stand to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Relation {
    /// `=`: equal.
    #[default]
    Equal,
    /// `<=`: at most the other (a part of it).
    AtMost,
    /// `>=`: at least the other.
    AtLeast,
}

impl Relation {
    /// Whether `left` stands so to `right`.
    pub fn holds(self, left: rust_decimal::Decimal, right: rust_decimal::Decimal) -> bool {
        match self {
            Relation::Equal => left == right,
            Relation::AtMost => left <= right,
            Relation::AtLeast => left >= right,
        }
    }

    /// As written in profile.toml, and what it asks in Chinese.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Relation::Equal => ("=", "应等于"),
            Relation::AtMost => ("<=", "不应大于"),
            Relation::AtLeast => (">=", "不应小于"),
        }
    }
}

/// A declared cell: table id, row key, column key, and its name in messages.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRef {
    /// The table id.
    pub table: String,
    /// The row key (`合计`, `总计`, a code).
    pub row: String,
    /// The column key (`income` for a two-sided table's income side).
    pub column: String,
    /// How messages name it.
    pub label: String,
}

/// How a profile counts a check (`[checks]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The document is not rendered.
    Error,
    /// Reported; the document renders.
    Warning,
    /// Not reported.
    Off,
}

impl Level {
    /// As `profile.toml` writes it.
    pub fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Off => "off",
        }
    }
}

/// The checks a profile may count otherwise: the reconciliation rules and
/// the narrative's and projects' checks of content. What makes a file
/// unreadable or a figure unprintable (syntax, types, unknown keys, codes
/// of the wrong shape, templates, fonts) is not a regional choice.
pub const ADJUSTABLE: &[&str] = &[
    "R1",
    "R2",
    "R3",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "R9",
    "R10",
    "R11",
    "R12",
    "R13",
    "R14",
    "R16",
    "R17",
    "sentence",
    "period",
    "sections",
    "last-year",
    "text",
    "unknown-code",
    "project-total",
    "project-subtotal",
    "running-costs",
    // A region that prints goals only (no 绩效指标 levels) turns it off.
    "indicator",
];

/// Counts `diags` as `profile`'s `[checks]` say: a check turned off is
/// dropped, the others take the level given.
pub fn apply_checks(profile: &Profile, diags: &mut crate::diag::Diagnostics) {
    if profile.checks.is_empty() {
        return;
    }
    let level = |rule: &str| {
        profile
            .checks
            .iter()
            .find(|(r, _)| r == rule)
            .map(|(_, l)| *l)
    };
    diags.items.retain(|d| level(d.rule) != Some(Level::Off));
    for d in &mut diags.items {
        match level(d.rule) {
            Some(Level::Error) => d.severity = crate::diag::Severity::Error,
            Some(Level::Warning) => d.severity = crate::diag::Severity::Warning,
            _ => {}
        }
    }
}

/// Used when neither the file nor the command line names a profile.
pub const DEFAULT: &str = "national";

/// The table ids the reconciliation rules (R1–R17) refer to: every profile
/// has them (its own or its base's).
pub const REQUIRED: &[&str] = &[
    "summary",
    "income",
    "expenditure",
    "fiscal",
    "general",
    "basic",
    "fund",
    "soe",
    "sangong",
];

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The built-in templates: (name under templates/, content).
pub use embedded::TEMPLATES as BUILTIN_TEMPLATES;

/// The profiles known so far: the built-ins, then those loaded from disk.
fn registry() -> &'static Mutex<Vec<&'static Profile>> {
    static REGISTRY: OnceLock<Mutex<Vec<&'static Profile>>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut loaded: Vec<&'static Profile> = vec![];
        for name in builtin_names() {
            let toml = builtin_file(name, "profile.toml").expect("listed by its profile.toml");
            let templates = embedded::PROFILE_FILES
                .iter()
                .filter_map(|(p, text)| {
                    let rest = p.strip_prefix(name)?.strip_prefix("/templates/")?;
                    Some((rest.to_string(), text.to_string()))
                })
                .collect();
            let source = Origin {
                key: name.to_string(),
                file: format!("profiles/{name}/profile.toml"),
                toml: toml.to_string(),
                templates,
                dir: None,
            };
            // The built-ins are checked by the tests: a broken one is a bug
            // of this build, not of the user's input.
            let p = build(source, &|b| loaded.iter().copied().find(|p| p.name == b))
                .unwrap_or_else(|d| {
                    panic!(
                        "built-in profile {name}: {}",
                        d.to_short_string(crate::diag::Lang::En)
                    )
                });
            loaded.push(Box::leak(Box::new(p)));
        }
        Mutex::new(loaded)
    })
}

/// The built-in profile names, bases first (every base is built in, and
/// named before the profiles that use it: `national` first, then by name).
fn builtin_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = embedded::PROFILE_FILES
        .iter()
        .filter_map(|(p, _)| p.strip_suffix("/profile.toml"))
        .filter(|n| !n.contains('/'))
        .collect();
    names.sort_by_key(|n| (*n != DEFAULT, *n));
    // A base before the profiles built on it.
    let base_of = |name: &str| -> Option<String> {
        let text = builtin_file(name, "profile.toml")?;
        let table = text.parse::<toml::Table>().ok()?;
        table.get("base")?.as_str().map(str::to_string)
    };
    let mut ordered: Vec<&str> = vec![];
    while ordered.len() < names.len() {
        let before = ordered.len();
        for n in &names {
            let ready = base_of(n).is_none_or(|b| ordered.contains(&b.as_str()));
            if !ordered.contains(n) && ready {
                ordered.push(n);
            }
        }
        if ordered.len() == before {
            // A base no built-in provides: reported when it is built.
            ordered.extend(
                names
                    .iter()
                    .filter(|n| !ordered.contains(n))
                    .collect::<Vec<_>>(),
            );
        }
    }
    ordered
}

fn builtin_file(name: &str, file: &str) -> Option<&'static str> {
    let path = format!("{name}/{file}");
    embedded::PROFILE_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, t)| *t)
}

/// The built-in profiles, `national` first.
pub fn builtins() -> Vec<&'static Profile> {
    let list = registry().lock().unwrap_or_else(|e| e.into_inner());
    list.iter().copied().filter(|p| p.dir.is_none()).collect()
}

/// The profile `name`: a built-in's name, or one already loaded from disk by
/// its path (see [`load`]).
pub fn find(name: &str) -> Option<&'static Profile> {
    let name = name.trim();
    let list = registry().lock().unwrap_or_else(|e| e.into_inner());
    list.iter().copied().find(|p| p.name == name)
}

/// The directories of the profiles loaded from disk so far (what `watch`
/// watches besides the input).
pub fn loaded_dirs() -> Vec<PathBuf> {
    let list = registry().lock().unwrap_or_else(|e| e.into_inner());
    list.iter().filter_map(|p| p.dir.clone()).collect()
}

/// Forgets the profiles loaded from disk, so that the next use reads their
/// directories again (`watch`, after an edit). Built-ins stay; what was
/// handed out stays valid (profiles live as long as the process).
pub fn forget_loaded() {
    let mut list = registry().lock().unwrap_or_else(|e| e.into_inner());
    list.retain(|p| p.dir.is_none());
}

/// The names of the built-in profiles, for messages.
pub fn names() -> Vec<&'static str> {
    builtins().into_iter().map(|p| p.name.as_str()).collect()
}

/// Whether `spec` names a profile directory rather than a built-in.
pub fn is_path(spec: &str) -> bool {
    spec.contains('/') || spec.contains('\\') || spec.starts_with('.')
}

/// Whether profile names are looked up only beside the file (set by the
/// server, which reads nothing outside its workspace).
static CONFINED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The directory no profile may be read from outside of, once set.
static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Looks profile names up only beside the file from now on: not in its
/// parents nor in `YUSUAN_PROFILE_PATH`; and reads no profile directory,
/// `profile.toml` or `templates/` that is (or leads by a link) outside
/// `root` (the server's workspace is a boundary).
pub fn confine_search(root: &Path) {
    CONFINED.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = ROOT.set(root.canonicalize().unwrap_or_else(|_| root.to_path_buf()));
}

/// When confined, what of `dir` (the profile directory, its `profile.toml`,
/// its `templates/`) lies outside the root, links followed.
fn outside_root(dir: &Path) -> Option<PathBuf> {
    let root = ROOT.get()?;
    [
        dir.to_path_buf(),
        dir.join("profile.toml"),
        dir.join("templates"),
    ]
    .into_iter()
    .find(|p| p.canonicalize().is_ok_and(|c| !c.starts_with(root)))
}

/// Where a profile name is looked for, in order: the file's directory (or
/// the working directory), then — unless [`confine_search`] — each of its
/// parents, then each directory of `YUSUAN_PROFILE_PATH` (separated by `:`).
pub fn search_path(base_dir: Option<&Path>) -> Vec<PathBuf> {
    let start = base_dir
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    if CONFINED.load(std::sync::atomic::Ordering::Relaxed) {
        return vec![start];
    }
    let absolute = start.canonicalize().unwrap_or_else(|_| start.clone());
    let mut out: Vec<PathBuf> = vec![start];
    out.extend(absolute.ancestors().skip(1).map(Path::to_path_buf));
    if let Some(list) = std::env::var_os("YUSUAN_PROFILE_PATH") {
        out.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    out
}

/// Resolves `spec` as a profile: a built-in name; a path (relative to
/// `base_dir` when not absolute); else a name, found as a directory with a
/// `profile.toml` along [`search_path`] — loaded once per run. A name found
/// nowhere is an error naming where it was looked for, never a fallback.
pub fn resolve(spec: &str, base_dir: Option<&Path>) -> Result<&'static Profile, Diagnostics> {
    if let Some(p) = find(spec) {
        return Ok(p);
    }
    let path = Path::new(spec.trim());
    let beside = match base_dir {
        Some(b) if path.is_relative() => b.join(path),
        _ => path.to_path_buf(),
    };
    if beside.is_dir() || is_path(spec) {
        return load(&beside);
    }
    let searched = search_path(base_dir);
    if let Some(dir) = searched
        .iter()
        .map(|d| d.join(path))
        .find(|d| d.join("profile.toml").is_file())
    {
        return load(&dir);
    }
    let mut diags = Diagnostics::new(spec, "");
    let (name, valid) = (spec.trim(), names().join(", "));
    let places = searched
        .iter()
        .map(|d| crate::diag::printable(&d.display().to_string()))
        .collect::<Vec<_>>()
        .join("、");
    diags.push(Diagnostic::error(
        "profile",
        None,
        text!(
            "未知的地区样式 \"{name}\"；可用：{valid}，或一个样式目录的路径（已在这些目录中找过 {name}/profile.toml：{places}）",
            "unknown profile \"{name}\"; valid: {valid}, or the path of a profile directory (looked for {name}/profile.toml in: {places})"
        ),
    ));
    Err(diags)
}

/// The largest `profile.toml` read.
const MAX_PROFILE_BYTES: u64 = 1 << 20;

/// Loads the profile directory `dir` (its `profile.toml` and `templates/`),
/// or returns the one loaded before from the same directory. Errors point
/// into the file that has them.
pub fn load(dir: &Path) -> Result<&'static Profile, Diagnostics> {
    let key = dir
        .canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string();
    if let Some(p) = find(&key) {
        return Ok(p);
    }
    // Profiles being loaded on this thread: a base that leads back to one
    // of them is a cycle, refused rather than followed forever.
    thread_local! {
        static LOADING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(vec![]) };
    }
    if LOADING.with(|l| l.borrow().contains(&key)) {
        let mut d = Diagnostics::new(dir.join("profile.toml").display().to_string(), "");
        let k = &key;
        d.push(Diagnostic::error(
            "profile",
            None,
            text!(
                "样式 {k} 的 base 绕回了它自己（循环继承）",
                "the bases of profile {k} lead back to it (a cycle)"
            ),
        ));
        return Err(d);
    }
    if let Some(out) = outside_root(dir) {
        let mut d = Diagnostics::new(dir.join("profile.toml").display().to_string(), "");
        let o = crate::diag::printable(&out.display().to_string());
        d.push(Diagnostic::error(
            "profile",
            None,
            text!(
                "样式 {o} 在工作目录之外（或经符号链接通向外面）：yusuan serve 只读工作目录里的文件",
                "profile {o} lies outside the workspace (or leads out by a link): yusuan serve reads only files inside it"
            ),
        ));
        return Err(d);
    }
    LOADING.with(|l| l.borrow_mut().push(key.clone()));
    let result = load_uncached(dir, &key);
    LOADING.with(|l| l.borrow_mut().retain(|k| k != &key));
    result
}

/// [`load`] once the directory is known not to be loaded or loading.
fn load_uncached(dir: &Path, key: &str) -> Result<&'static Profile, Diagnostics> {
    let key = key.to_string();
    let file = dir.join("profile.toml");
    let fail = |message| {
        let mut d = Diagnostics::new(file.display().to_string(), "");
        d.push(Diagnostic::error("profile", None, message));
        Err(d)
    };
    let toml = match std::fs::metadata(&file) {
        Ok(m) if !m.is_file() => {
            return fail(text!("不是一个文件", "is not a regular file"));
        }
        Ok(m) if m.len() > MAX_PROFILE_BYTES => {
            return fail(text!(
                "文件大于 1 MiB，不像是样式定义",
                "is larger than 1 MiB; not a profile definition"
            ));
        }
        Ok(_) => match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => return fail(text!("无法读取：{e}", "cannot read it: {e}")),
        },
        Err(e) => {
            let d = dir.display();
            return fail(text!(
                "样式目录 {d} 中没有 profile.toml（{e}）",
                "the profile directory {d} has no profile.toml ({e})"
            ));
        }
    };
    let templates = match read_templates(&dir.join("templates")) {
        Ok(t) => t,
        Err(m) => return fail(m),
    };
    let source = Origin {
        key: key.clone(),
        file: file.display().to_string(),
        toml,
        templates,
        dir: Some(dir.to_path_buf()),
    };
    // A base directory that is broken: its own errors, not "unknown base".
    let broken_base: std::cell::RefCell<Option<Diagnostics>> = std::cell::RefCell::new(None);
    let p = build(source, &|b| {
        // A base is a built-in, or a directory beside this one.
        find(b).or_else(|| {
            let path = if Path::new(b).is_relative() {
                dir.join(b)
            } else {
                PathBuf::from(b)
            };
            let canon = path.canonicalize().ok()?;
            if canon.display().to_string() == key {
                return None;
            }
            match load(&path) {
                Ok(p) => Some(p),
                Err(d) => {
                    broken_base.borrow_mut().get_or_insert(d);
                    None
                }
            }
        })
    });
    if let Some(d) = broken_base.into_inner() {
        return Err(d);
    }
    let p = p?;
    let p: &'static Profile = Box::leak(Box::new(p));
    let mut list = registry().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(same) = list.iter().copied().find(|q| q.name == key) {
        return Ok(same);
    }
    list.push(p);
    Ok(p)
}

/// The `.j2` files under `dir` (none when it does not exist), each at most
/// [`crate::limits::MAX_TEMPLATE_BYTES`].
fn read_templates(dir: &Path) -> Result<Vec<(String, String)>, crate::diag::Text> {
    let mut out = vec![];
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            let d = d.display();
            text!(
                "无法读取模板目录 {d}：{e}",
                "cannot read the template directory {d}: {e}"
            )
        })?;
        for e in entries.flatten() {
            let path = e.path();
            seen += 1;
            if seen > 10_000 {
                return Err(text!(
                    "模板目录中的文件超过 10000 个",
                    "the template directory holds more than 10,000 files"
                ));
            }
            let meta = std::fs::symlink_metadata(&path).map_err(|e| {
                let p = path.display();
                text!("无法读取 {p}：{e}", "cannot read {p}: {e}")
            })?;
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap_or(&path);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if !name.ends_with(".j2") {
                continue;
            }
            let p = path.display();
            if !meta.is_file() {
                return Err(text!(
                    "{p} 不是普通文件（符号链接、管道或设备）；模板必须是文件",
                    "{p} is not a regular file (a link, a pipe or a device); a template must be a file"
                ));
            }
            if meta.len() > crate::limits::MAX_TEMPLATE_BYTES {
                return Err(text!(
                    "{p} 大于 1 MiB，模板不会这么大",
                    "{p} is larger than 1 MiB; a template is far smaller"
                ));
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| text!("无法读取 {p}：{e}", "cannot read {p}: {e}"))?;
            out.push((name, text));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Measure;

    /// One list of rule ids: every check a profile may adjust is one
    /// `yusuan explain` explains.
    #[test]
    fn every_adjustable_check_is_a_rule_explain_knows() {
        for id in super::ADJUSTABLE {
            assert!(
                crate::diag::RULES.iter().any(|(r, _, _)| r == id),
                "{id} is adjustable but `yusuan explain` does not know it"
            );
        }
    }

    /// Every built-in parses, has the statutory tables, and every `Sum`
    /// names columns of its own table.
    #[test]
    fn builtins_are_complete() {
        let all = builtins();
        assert_eq!(
            all.iter().map(|p| p.name.as_str()).collect::<Vec<_>>()[0],
            DEFAULT
        );
        for p in all {
            for id in REQUIRED {
                assert!(
                    p.tables.iter().any(|t| t.id == *id),
                    "{} lacks {id}",
                    p.name
                );
            }
            for t in &p.tables {
                for c in &t.columns {
                    if let Measure::Sum(parts) = &c.measure {
                        for part in parts {
                            assert!(t.column(part).is_some(), "{} {} names {part}", t.id, c.key);
                        }
                    }
                }
            }
        }
    }
}
