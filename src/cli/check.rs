//! `yusuan check FILES…`.

use std::path::PathBuf;

use super::*;

/// `yusuan check FILES…`: every problem of every file at once.
pub(super) fn run(
    files: Vec<PathBuf>,
    short: bool,
    message_format: MessageFormat,
    profile: Option<String>,
    font_path: Vec<PathBuf>,
    verbose: bool,
) -> i32 {
    let format = if short && message_format == MessageFormat::Human {
        MessageFormat::Short
    } else {
        message_format
    };
    let mut failed = false;
    // The fonts, to check every character as `render` would.
    let engine = match Engine::new(&font_path) {
        Ok(e) => e,
        Err(e) => {
            error(text!("{e}", "{e}"));
            return 1;
        }
    };
    for file in &files {
        let options = crate::Options {
            layout: None,
            profile: profile.clone(),
            ..Default::default()
        };
        let diags = match crate::check_file_with(file, options) {
            Ok(checked) => {
                let mut diags = checked.diags;
                crate::check_glyphs(&engine, &checked.report, &mut diags);
                diags
            }
            Err(diags) => diags,
        };
        if format == MessageFormat::Json {
            let lines = diags.to_json_lines(lang());
            if !lines.is_empty() {
                out(format_args!("{}", lines.trim_end()));
            }
        } else {
            // One summary line: the counts when there are errors, else "通过".
            print_items(&diags, format == MessageFormat::Short);
            if verbose {
                eprint!("{}", diags.skipped_string(lang()));
            }
            if diags.has_errors() {
                tally(&diags);
            }
        }
        failed |= diags.has_errors();
        let (e, w) = diags.counts();
        if e == 0 && format != MessageFormat::Json {
            let (f, s) = (file.display(), plural(w));
            say(text!("{f}：通过（{w} 个警告）", "{f}: ok ({w} warning{s})"));
        }
    }
    i32::from(failed)
}
