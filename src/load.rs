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
    let bytes = match std::fs::read(path) {
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

/// Parses `text` (named `name` in messages).
pub fn load_str<T: DeserializeOwned>(name: &str, text: String) -> Result<Loaded<T>, Diagnostics> {
    let mut diags = Diagnostics::new(name, text);
    match toml::from_str::<T>(&diags.source) {
        Ok(value) => Ok(Loaded { value, diags }),
        Err(e) => {
            let message = e.message().trim().to_string();
            let rule = if message.starts_with("unknown field") {
                "unknown-key"
            } else if is_syntax_error(&message) {
                "syntax"
            } else {
                "type"
            };
            diags.push(Diagnostic::error(rule, e.span(), message));
            Err(diags)
        }
    }
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
