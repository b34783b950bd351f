//! `yusuan watch`: render again on every change of the input or a template.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::render::render_with;
use super::*;

/// `yusuan watch`: renders, then waits for changes to the input file, the
/// template directory or the profile directory it prints with, and renders
/// again, printing the diagnostics each time.
pub(super) fn watch(
    file: &Path,
    output: &Path,
    templates: Option<PathBuf>,
    font_path: &[PathBuf],
    profile: Option<String>,
) -> i32 {
    use notify::{RecursiveMode, Watcher};
    // Warm: an edit is laid out again only where it changed.
    let engine = match Engine::new(font_path) {
        Ok(e) => e.warm(true),
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let run = || {
        let options = crate::Options {
            layout: None,
            profile: profile.clone(),
            ..Default::default()
        };
        let _ = render_with(
            &engine,
            file,
            output,
            Emit::Pdf,
            templates.clone(),
            options,
            false,
        );
    };
    run();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch for changes: {e}");
            return 1;
        }
    };
    // Editors replace files by renaming: watch the directory, not the file.
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut watched = vec![(dir, RecursiveMode::NonRecursive)];
    if let Some(t) = &templates {
        watched.push((t.clone(), RecursiveMode::Recursive));
    }
    // The profile directories the document was printed with: an edited
    // profile.toml or template renders again (read anew from disk).
    let profiles = crate::profile::loaded_dirs();
    for d in &profiles {
        watched.push((d.clone(), RecursiveMode::Recursive));
    }
    // Last year's file (correcting it changes this year's comparisons) and
    // a 决算's budget file (its 预算数).
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let others: Vec<_> = ["last_year", "budget"]
        .iter()
        .filter_map(|t| crate::lastyear::other_path(file, &text, t))
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    for dir in others.iter().filter_map(|p| p.parent()) {
        watched.push((dir.to_path_buf(), RecursiveMode::NonRecursive));
    }
    for (path, mode) in &watched {
        if let Err(e) = watcher.watch(path, *mode) {
            eprintln!("error: cannot watch {}: {e}", path.display());
            return 1;
        }
    }
    let input = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let out = output
        .canonicalize()
        .unwrap_or_else(|_| output.to_path_buf());
    let relevant = |event: &notify::Event| {
        event.paths.iter().any(|p| {
            let p = p.canonicalize().unwrap_or_else(|_| p.clone());
            let under = |d: &Path| d.canonicalize().is_ok_and(|d| p.starts_with(d));
            p == input
                || others.contains(&p)
                || (p != out
                    && (templates.as_deref().is_some_and(under)
                        || profiles.iter().any(|d| under(d))))
        })
    };
    let f = file.display();
    say(text!(
        "正在监视 {f}（按 Ctrl-C 停止）",
        "watching {f} (Ctrl-C to stop)"
    ));
    while let Ok(event) = rx.recv() {
        if !event
            .as_ref()
            .is_ok_and(|e| relevant(e) && !e.kind.is_access())
        {
            continue;
        }
        // Let a burst of events (an editor's save) pass, then render once.
        // The wait is bounded: readers of the PDF keep the directory busy.
        let settle = Instant::now() + Duration::from_millis(200);
        while let Some(left) = settle.checked_duration_since(Instant::now()) {
            if rx.recv_timeout(left).is_err() {
                break;
            }
        }
        say(text!(
            "--- 文件有改动，重新生成 {f}",
            "--- change detected, rendering {f}"
        ));
        crate::profile::forget_loaded();
        run();
    }
    0
}
