//! `yusuan serve [DIR]`: the workspace in a browser (see [`crate::serve`]).

use std::path::PathBuf;

use super::*;

/// Starts the server and prints its address; returns only on failure.
pub(super) fn run(
    dir: PathBuf,
    bind: std::net::SocketAddr,
    token: Option<String>,
    font_path: Vec<PathBuf>,
) -> i32 {
    let settings = crate::serve::Settings {
        dir,
        bind,
        token,
        font_path,
    };
    let ready = |url: &str| {
        out(format_args!("{url}"));
        say(text!(
            "yusuan serve：请在浏览器中打开 {url}（按 Ctrl+C 结束）",
            "yusuan serve: open {url} in a browser (Ctrl+C to stop)"
        ));
    };
    match crate::serve::run(settings, &ready) {
        Ok(()) => 0,
        Err(t) => {
            error(t);
            1
        }
    }
}
