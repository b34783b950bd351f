//! `yusuan context FILE`: the data a template sees, as JSON.

use std::path::PathBuf;

use super::*;

/// Prints the template context of `file`.
pub(super) fn run(file: PathBuf, profile: Option<String>) -> i32 {
    let options = crate::Options {
        layout: None,
        profile,
        ..Default::default()
    };
    match crate::check_file_with(&file, options) {
        Ok(checked) => {
            print_diags(&checked.diags, true);
            out(format_args!("{}", crate::context_json(&checked.report)));
            i32::from(checked.diags.has_errors())
        }
        Err(d) => {
            print_diags(&d, false);
            1
        }
    }
}
