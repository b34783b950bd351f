//! `yusuan bench`: the stages of rendering, timed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::*;

/// `yusuan bench FILES… [--lines N]`: the stages of rendering, timed.
pub(super) fn run(files: Vec<PathBuf>, lines: Option<usize>, runs: u32) -> i32 {
    let mut files = files;
    let dir = tempfile_dir();
    if let Some(n) = lines {
        let path = dir.join(format!("synthetic-{n}.toml"));
        if let Err(e) = std::fs::write(&path, crate::synthetic::department(n)) {
            error(text!("{e}", "{e}"));
            return 1;
        }
        files.push(path);
    }
    let code = bench(&files, runs);
    let _ = std::fs::remove_dir_all(&dir);
    code
}

fn bench(files: &[PathBuf], runs: u32) -> i32 {
    let runs = runs.max(1);
    let t0 = Instant::now();
    let engine = match Engine::new(&[]) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    out(format_args!(
        "setup (fonts, templates, once): {:.1} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    ));
    for file in files {
        if bench_one(&engine, file, runs) != 0 {
            return 1;
        }
    }
    if let Some(peak) = peak_memory() {
        out(format_args!("peak resident memory: {peak}"));
    }
    0
}

/// A directory of this process's own for generated files.
fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yusuan-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The process's peak resident set size, where the system tells it (Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}

fn bench_one(engine: &Engine, file: &Path, runs: u32) -> i32 {
    let renderer = match crate::check_file(file)
        .map_err(|_| String::new())
        .and_then(|c| renderer_for(&c.report, None))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {} cannot be rendered {e}", file.display());
            return 1;
        }
    };
    let mut stages = [Duration::ZERO; 7];
    let mut pages = 0;
    for _ in 0..runs {
        // A fresh cache each run: identical documents would otherwise be memoised.
        typst::comemo::evict(0);
        let t = Instant::now();
        let Some(checked) = clean(crate::check_file(file)) else {
            return 1;
        };
        stages[0] += t.elapsed();
        let t = Instant::now();
        let source = match renderer.render(crate::render::ENTRY, crate::context(&checked.report)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        };
        stages[1] += t.elapsed();
        let t = Instant::now();
        let year = checked.report.department.year;
        let Ok(doc) = engine.compile(source, year) else {
            eprintln!("error: typesetting failed");
            return 1;
        };
        stages[2] += t.elapsed();
        let t = Instant::now();
        let Ok(pdf) = engine.pdf_unpacked(&doc, "bench", year) else {
            eprintln!("error: PDF export failed");
            return 1;
        };
        stages[3] += t.elapsed();
        let t = Instant::now();
        let pdf = crate::pdfpack::pack(&pdf).unwrap_or(pdf);
        stages[6] += t.elapsed();
        let t = Instant::now();
        let mut diags = Diagnostics::default();
        crate::check_glyphs(engine, &checked.report, &mut diags);
        stages[4] += t.elapsed();
        let t = Instant::now();
        std::hint::black_box(crate::typeset::missing_glyphs(&doc));
        std::hint::black_box(crate::layout::problems(&doc));
        stages[5] += t.elapsed();
        pages = doc.pages().len();
        std::hint::black_box(pdf);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / f64::from(runs); // timings, not money
    out(format_args!(
        "{}: {pages} pages, mean of {runs} runs (cache evicted before each)",
        file.display()
    ));
    out(format_args!(
        "  load+validate+compute         {:8.1} ms",
        ms(stages[0])
    ));
    out(format_args!(
        "  template                      {:8.1} ms",
        ms(stages[1])
    ));
    out(format_args!(
        "  typst compile                 {:8.1} ms",
        ms(stages[2])
    ));
    out(format_args!(
        "  pdf export                    {:8.1} ms",
        ms(stages[3])
    ));
    out(format_args!(
        "  pdf packing (object streams)  {:8.1} ms",
        ms(stages[6])
    ));
    out(format_args!(
        "  glyph check (input)           {:8.1} ms",
        ms(stages[4])
    ));
    out(format_args!(
        "  layout check (pages)          {:8.1} ms",
        ms(stages[5])
    ));
    out(format_args!(
        "  total per document            {:8.1} ms",
        ms(stages.iter().sum())
    ));
    0
}
