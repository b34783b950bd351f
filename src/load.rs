//! Reading a TOML file into the typed input model, with located errors.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics};

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
                format!(
                    "the file is larger than {} MiB; a department's budget is far smaller (is this the right file?)",
                    MAX_INPUT >> 20
                ),
            ));
            return Err(diags);
        }
        Ok(b) => b,
        Err(e) => {
            let mut diags = Diagnostics::new(name, "");
            diags.push(Diagnostic::error(
                "io",
                None,
                format!("cannot read the file: {e}"),
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
                "the file is not UTF-8 text; save it as UTF-8 (not GBK)",
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
            found.push(Diagnostic::error(rule, None, message));
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
            found.push(Diagnostic::error(rule, Some(span), message));
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
