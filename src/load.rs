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
        if missing || is_header(&work[lines.clone()]) {
            // The error points at a table's header: the table is the header
            // and its lines up to the next header (a broken header's keys
            // would otherwise land in the table before it, each a false error).
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
        format!("TOML 格式错误：{}", syntax_zh(message))
    };
    Text { zh, en }
}

/// The toml parser's syntax messages ("unclosed array, expected `]`") in
/// Chinese; one it has not seen stays as written.
fn syntax_zh(message: &str) -> String {
    const WHAT: &[(&str, &str)] = &[
        ("duplicate key", "同名的键或表在前面已经写过"),
        ("key with no value", "键后面没有值"),
        ("unclosed array table", "表头 [[…]] 没有写完"),
        ("unclosed table", "表头 […] 没有写完"),
        ("unclosed array", "数组 [ … ] 没有写完"),
        ("unclosed inline table", "行内表 { … } 没有写完"),
        ("invalid basic string", "字符串没有写完（缺少结尾的 \"）"),
        ("invalid literal string", "字符串没有写完（缺少结尾的 '）"),
        ("invalid multiline", "多行字符串没有写完"),
        (
            "invalid escape",
            "字符串里的转义写法不对（反斜杠 \\ 要写成 \\\\）",
        ),
        (
            "missing escaped value",
            "字符串里的转义写法不对（反斜杠 \\ 要写成 \\\\）",
        ),
        ("invalid float", "小数的写法不对"),
        ("invalid integer", "整数的写法不对"),
        ("invalid number", "数字的写法不对"),
        (
            "unexpected leading zero",
            "数字不能以 0 开头（编码请加引号，写成 \"01\"）",
        ),
        ("invalid boolean", "布尔值只能是 true 或 false"),
        ("invalid table header", "表头的写法不对"),
        ("invalid key", "键的写法不对"),
        (
            "invalid unquoted key",
            "键的写法不对（含汉字或空格的键请加引号）",
        ),
        ("unexpected key or value", "一行只能写一个“键 = 值”"),
        ("invalid string", "字符串的写法不对"),
    ];
    let (what, expected) = message.split_once(", expected ").unwrap_or((message, ""));
    // The escapes a string may hold are no help to a reader with a path in it.
    let expected = if what.contains("escape") {
        ""
    } else {
        expected
    };
    let Some((_, zh)) = WHAT.iter().find(|(en, _)| what.trim().starts_with(en)) else {
        return message.to_string();
    };
    let expected = expected
        .replace("newline", "换行")
        .replace(" or ", " 或 ")
        .replace(", ", "、")
        .replace("nothing", "");
    match expected.trim() {
        "" => zh.to_string(),
        e => format!("{zh}，这里应为 {e}"),
    }
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

/// Whether `line` is a table header (`[x.y]` or `[[x]]`, a comment after it).
fn is_header(line: &[u8]) -> bool {
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let line = line.split('#').next().unwrap_or("").trim();
    line.starts_with('[') && line.ends_with(']') && !line.contains(',') && !line.contains('=')
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
