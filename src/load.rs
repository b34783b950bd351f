//! Reading a TOML file into the typed input model, with located errors.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, Text};
use crate::text;

/// A parsed input file together with the diagnostics list for it.
pub struct Loaded<T> {
    /// The typed content.
    pub value: T,
    /// The (so far empty) diagnostics, holding the file's name and text.
    pub diags: Diagnostics,
}

/// Reads and parses `path`. On failure the diagnostics say where and why.
pub fn load_file<T: DeserializeOwned>(path: &Path) -> Result<Loaded<T>, Diagnostics> {
    let name = path.display().to_string();
    let read = std::fs::File::open(path).and_then(|f| {
        use std::io::Read;
        let mut bytes = vec![];
        f.take(MAX_INPUT + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let bytes = match read {
        Ok(b) if b.len() as u64 > MAX_INPUT => {
            let mut diags = Diagnostics::new(name, "");
            diags.push(Diagnostic::error(
                "io",
                None,
                {
                    let mib = MAX_INPUT >> 20;
                    text!(
                        "文件大于 {mib} MiB，一个部门的预算远比这小（是不是选错了文件？）",
                        "the file is larger than {mib} MiB; a department's budget is far smaller (is this the right file?)"
                    )
                },
            ));
            return Err(diags);
        }
        Ok(b) => b,
        Err(e) => {
            let mut diags = Diagnostics::new(name, "");
            diags.push(Diagnostic::error(
                "io",
                None,
                text!("无法读取文件：{e}", "cannot read the file: {e}"),
            ));
            return Err(diags);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let mut diags = Diagnostics::new(name, text);
            diags.push(Diagnostic::error(
                "encoding",
                Some(at..at + 1),
                text!(
                    "文件不是 UTF-8 文本，请另存为 UTF-8（不是 GBK）",
                    "the file is not UTF-8 text; save it as UTF-8 (not GBK)"
                ),
            ));
            return Err(diags);
        }
    };
    load_str(&name, text)
}

/// The largest input file read (64 MiB): a district-wide file of 100,000
/// lines is about 10 MiB; `/dev/zero` or a wrong file stops here.
pub const MAX_INPUT: u64 = 64 << 20;

/// At most this many syntax, type and unknown-key errors are collected.
const MAX_ERRORS: usize = 100;

/// Parses `text` (named `name` in messages). Reports every syntax, type and
/// unknown-key error at once, in file order: after each error the lines it
/// covers are turned into comments of the same length (so every other
/// position stays put) and the text is parsed again; a "missing field" that
/// only a commented line explains is a follow-on error and is not reported.
pub fn load_str<T: DeserializeOwned>(name: &str, text: String) -> Result<Loaded<T>, Diagnostics> {
    let mut diags = Diagnostics::new(name, text);
    let mut work = diags.source.clone().into_bytes();
    let mut blanked: Vec<std::ops::Range<usize>> = vec![];
    let mut found: Vec<Diagnostic> = vec![];
    while found.len() < MAX_ERRORS {
        let Ok(current) = std::str::from_utf8(&work) else {
            break;
        };
        let e = match toml::from_str::<T>(current) {
            Ok(value) if found.is_empty() => return Ok(Loaded { value, diags }),
            Ok(_) => break,
            Err(e) => e,
        };
        let message = e.message().trim().to_string();
        let rule = if message.starts_with("unknown field") {
            "unknown-key"
        } else if is_syntax_error(&message) {
            "syntax"
        } else {
            "type"
        };
        let Some(span) = e.span() else {
            found.push(Diagnostic::error(rule, None, translate(&message)));
            break;
        };
        let missing = message.starts_with("missing field");
        let mut lines = whole_lines(&work, span.clone());
        if missing {
            // The error points at a table's header: the table is the header
            // and its lines up to the next header.
            let next = work[lines.end..]
                .windows(2)
                .position(|w| w == b"\n[")
                .map_or(work.len(), |i| lines.end + i);
            lines = lines.start..next;
        }
        let follow_on = missing
            && blanked
                .iter()
                .any(|b| b.start >= lines.start && b.end <= lines.end);
        if !follow_on {
            found.push(Diagnostic::error(rule, Some(span), translate(&message)));
        }
        if blanked.contains(&lines) || lines.is_empty() {
            break; // no progress possible
        }
        for (i, b) in work[lines.clone()].iter_mut().enumerate() {
            if *b != b'\n' && *b != b'\r' {
                *b = if i == 0 { b'#' } else { b' ' };
            }
        }
        blanked.push(lines);
    }
    found.sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.start));
    for d in found {
        diags.push(d);
    }
    Err(diags)
}

/// A TOML or serde message in both languages: yusuan's own messages carry
/// both (split at [`crate::model::BOTH`]); those of the toml crate and
/// serde are English and translated by their known shapes.
fn translate(message: &str) -> Text {
    if let Some((zh, en)) = message.split_once(crate::model::BOTH) {
        return Text::new(zh, en);
    }
    let en = message.to_string();
    let zh = if let Some(rest) = message.strip_prefix("unknown field ") {
        match rest.split_once(", expected one of ") {
            Some((key, valid)) => format!("未知的键 {key}，可用的键：{valid}"),
            None => match rest.split_once(", expected ") {
                Some((key, valid)) => format!("未知的键 {key}，可用的键：{valid}"),
                None => match rest.split_once(", there are no fields") {
                    Some((key, _)) => format!("未知的键 {key}：这里不能有键"),
                    None => format!("未知的键 {rest}"),
                },
            },
        }
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        match rest.split_once(", expected one of ") {
            Some((v, valid)) => format!("未知的取值 {v}，可用的取值：{valid}"),
            None => format!("未知的取值 {rest}"),
        }
    } else if let Some(key) = message.strip_prefix("missing field ") {
        format!("缺少必填的键 {key}")
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        match rest.split_once(", expected ") {
            Some((found, want)) => format!("类型不对：{}，应为{}", what_zh(found), want_zh(want)),
            None => format!("类型不对：{rest}"),
        }
    } else if let Some(rest) = message.strip_prefix("invalid length ") {
        format!("长度不对：{rest}")
    } else if let Some(key) = message.strip_prefix("duplicate key ") {
        format!("键 {key} 重复")
    } else {
        format!("TOML 格式错误：{message}")
    };
    Text { zh, en }
}

/// `string "abc"` → `字符串 "abc"`, for type errors.
fn what_zh(found: &str) -> String {
    const KINDS: &[(&str, &str)] = &[
        ("string", "字符串"),
        ("integer", "整数"),
        ("floating point", "小数"),
        ("boolean", "布尔值"),
        ("sequence", "数组"),
        ("map", "表"),
    ];
    for (en, zh) in KINDS {
        if let Some(rest) = found.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    found.to_string()
}

/// What a key needs, in Chinese, for the expectations yusuan's model has.
fn want_zh(want: &str) -> String {
    match want {
        "a string" => "字符串".into(),
        "a sequence" => "数组 [ … ]".into(),
        "a boolean" => "布尔值 true 或 false".into(),
        "u32" | "u16" | "u8" | "i64" | "i32" | "usize" | "an integer" => "整数".into(),
        w if w.starts_with("an amount such as") => "金额，如 5464.38 或 \"5464.38\"".into(),
        w if w.starts_with("an amount, or a table") => {
            "金额，或按资金分列的表 { general = …, fund = …, soe = … }".into()
        }
        w if w.starts_with("struct ") || w == "a map" => "表 { … }".into(),
        w => w.into(),
    }
}

/// The byte range of the whole lines `span` touches (without the last newline).
fn whole_lines(text: &[u8], span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = span.start.min(text.len());
    let end = span.end.max(start).min(text.len());
    let first = text[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let last = text[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| end + i);
    // A span ending right after a newline covers the line before it only.
    let last = if end > start && text[end - 1] == b'\n' {
        end - 1
    } else {
        last
    };
    first..last
}

fn is_syntax_error(message: &str) -> bool {
    const SYNTAX: &[&str] = &[
        "invalid",
        "expected",
        "unclosed",
        "duplicate key",
        "unexpected",
        "missing",
    ];
    let typed = message.starts_with("unknown field")
        || message.starts_with("missing field")
        || message.contains("invalid type");
    !typed && SYNTAX.iter().any(|s| message.contains(s))
}
