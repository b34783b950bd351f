//! The command line: `check`, `render`, `templates`, `bench`.
//!
//! Exit codes: 0 success, 1 invalid input or render failure, 2 usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::Diagnostics;
use crate::render::{self, Renderer};
use crate::typeset::Engine;

/// yusuan (预算): one TOML file per department and year → the official-format 部门预算 PDF.
#[derive(Debug, Parser)]
#[command(name = "yusuan", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and print every problem at once (exit 1 if any error).
    Check {
        /// The department files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One line per problem instead of the source excerpts.
        #[arg(long)]
        short: bool,
    },
    /// Render a file to PDF (or to a Typst project with --emit typst).
    Render {
        /// The department file.
        file: PathBuf,
        /// Output PDF file, or directory for --emit typst.
        #[arg(short, long)]
        output: PathBuf,
        /// What to write.
        #[arg(long, value_enum, default_value_t = Emit::Pdf)]
        emit: Emit,
        /// Directory whose templates override the built-in ones by file name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// More fonts (searched recursively), besides the embedded ones.
        #[arg(long, value_name = "DIR")]
        font_path: Vec<PathBuf>,
        /// Layout of the project performance tables, overriding the file's.
        #[arg(long, value_enum)]
        layout: Option<crate::projects::Layout>,
        /// Print only a count of warnings (errors are always printed in full).
        #[arg(short, long)]
        quiet: bool,
    },
    /// Import a 项目支出绩效目标表 pasted as tab-separated text into a project file.
    Import {
        /// The text file (rows of 7 tab-separated cells, as copied from Excel or a PDF).
        file: PathBuf,
        /// The TOML file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Budget year, when the title does not say it.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Work with the built-in templates.
    Templates {
        /// list or export.
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// Time the stages of rendering files (one engine for all, as a batch would).
    Bench {
        /// The department files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How many renders to average over.
        #[arg(long, default_value_t = 10)]
        runs: u32,
    },
}

/// `yusuan templates …`.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// List the built-in templates.
    List,
    /// Write the built-in templates into DIR, to edit and use with --templates DIR.
    Export {
        /// Target directory (created; existing files are not overwritten without --force).
        dir: PathBuf,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
    },
}

/// Output kinds of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// A PDF file.
    Pdf,
    /// A self-contained Typst project (main.typ) in a directory.
    Typst,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check { files, short } => {
            let mut failed = false;
            for file in &files {
                let diags = match crate::check_file(file) {
                    Ok(checked) => checked.diags,
                    Err(diags) => diags,
                };
                print_report(&diags, short);
                failed |= diags.has_errors();
                let (e, w) = diags.counts();
                if e == 0 {
                    eprintln!(
                        "{}: ok ({w} warning{})",
                        file.display(),
                        if w == 1 { "" } else { "s" }
                    );
                }
            }
            i32::from(failed)
        }
        Command::Render {
            file,
            output,
            emit,
            templates,
            font_path,
            layout,
            quiet,
        } => {
            let options = crate::Options { layout };
            match render_file(&file, &output, emit, templates, &font_path, options, quiet) {
                Ok(()) => 0,
                Err(()) => 1,
            }
        }
        Command::Templates { action } => templates(action),
        Command::Import { file, output, year } => import(&file, &output, year),
        Command::Bench { files, runs } => bench(&files, runs),
    }
}

/// Prints `diags`; `quiet` (no errors among them) prints only the count line.
fn print_diags(diags: &Diagnostics, quiet: bool) {
    if quiet && !diags.items.is_empty() && !diags.has_errors() {
        let (_, w) = diags.counts();
        eprintln!(
            "{}: {w} warning{} (run `yusuan check` to see them)",
            diags.file,
            plural(w)
        );
        return;
    }
    print_report(diags, false);
}

fn print_report(diags: &Diagnostics, short: bool) {
    if diags.items.is_empty() {
        return;
    }
    let text = if short {
        diags.to_short_string()
    } else {
        diags.to_report_string()
    };
    eprint!("{text}");
    let (e, w) = diags.counts();
    eprintln!(
        "{}: {e} error{}, {w} warning{}",
        diags.file,
        plural(e),
        plural(w)
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn render_file(
    file: &Path,
    output: &Path,
    emit: Emit,
    templates: Option<PathBuf>,
    font_path: &[PathBuf],
    options: crate::Options,
    quiet: bool,
) -> Result<(), ()> {
    let fail = |msg: String| {
        eprintln!("error: {msg}");
    };
    let checked = crate::check_file_with(file, options).map_err(|d| print_diags(&d, false))?;
    let engine = Engine::new(font_path).map_err(fail)?;
    let renderer = Renderer::new(templates).map_err(fail)?;
    match emit {
        Emit::Typst => {
            print_diags(&checked.diags, quiet);
            if checked.diags.has_errors() {
                eprintln!("{}: not rendered", file.display());
                return Err(());
            }
            let source = renderer
                .render(render::ENTRY, crate::context(&checked.report))
                .map_err(fail)?;
            std::fs::create_dir_all(output)
                .map_err(|e| fail(format!("cannot create {}: {e}", output.display())))?;
            write_atomically(&output.join("main.typ"), source.as_bytes()).map_err(fail)?;
            eprintln!("wrote {}", output.join("main.typ").display());
        }
        Emit::Pdf => match crate::render_checked(&engine, &renderer, checked) {
            Ok(rendered) => {
                print_diags(&rendered.diags, quiet);
                write_atomically(output, &rendered.pdf).map_err(fail)?;
                eprintln!(
                    "wrote {} ({} pages)",
                    output.display(),
                    rendered.document.pages().len()
                );
            }
            Err(crate::RenderError::Invalid(diags)) => {
                print_diags(&diags, false);
                eprintln!("{}: not rendered", file.display());
                return Err(());
            }
            Err(crate::RenderError::Template(m)) => {
                fail(m);
                return Err(());
            }
            Err(crate::RenderError::Typeset(errs)) => {
                typst_failed(&errs);
                return Err(());
            }
        },
    }
    Ok(())
}

fn typst_failed(errors: &[crate::typeset::TypstError]) {
    for e in errors {
        eprintln!("error: typesetting failed: {e}");
    }
    eprintln!(
        "hint: the template produced invalid Typst; `--emit typst` writes it out for inspection"
    );
}

/// Writes `bytes` to a temporary file beside `path`, then renames it: a
/// failure never leaves a half-written file behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write into {}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

fn import(file: &Path, output: &Path, year: Option<i32>) -> i32 {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return 1;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let imported = crate::import::import_list(&file.display().to_string(), &text, year);
    print_report(&imported.diags, true);
    if imported.diags.has_errors() {
        eprintln!("{}: not imported", file.display());
        return 1;
    }
    if let Err(e) = write_atomically(output, imported.toml.as_bytes()) {
        eprintln!("error: {e}");
        return 1;
    }
    eprintln!(
        "wrote {} ({} projects); check it with `yusuan check {}`",
        output.display(),
        imported.projects,
        output.display()
    );
    0
}

fn templates(action: TemplatesAction) -> i32 {
    match action {
        TemplatesAction::List => {
            for (name, _) in render::BUILTIN_TEMPLATES {
                println!("{name}");
            }
            0
        }
        TemplatesAction::Export { dir, force } => {
            for (name, content) in render::BUILTIN_TEMPLATES {
                let path = dir.join(name);
                if path.exists() && !force {
                    eprintln!("error: {} exists; use --force to overwrite", path.display());
                    return 1;
                }
                if let Some(parent) = path.parent()
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    eprintln!("error: cannot create {}: {e}", parent.display());
                    return 1;
                }
                if let Err(e) = write_atomically(&path, content.as_bytes()) {
                    eprintln!("error: {e}");
                    return 1;
                }
            }
            eprintln!(
                "exported {} templates to {}",
                render::BUILTIN_TEMPLATES.len(),
                dir.display()
            );
            0
        }
    }
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
    let renderer = Renderer::new(None).expect("built-in templates load");
    println!(
        "setup (fonts, templates, once): {:.1} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    for file in files {
        if bench_one(&engine, &renderer, file, runs) != 0 {
            return 1;
        }
    }
    if let Some(peak) = peak_memory() {
        println!("peak resident memory: {peak}");
    }
    0
}

/// The process's peak resident set size, where the system tells it (Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}

fn bench_one(engine: &Engine, renderer: &Renderer, file: &Path, runs: u32) -> i32 {
    let mut stages = [Duration::ZERO; 4];
    let mut pages = 0;
    for _ in 0..runs {
        // A fresh cache each run: identical documents would otherwise be memoised.
        typst::comemo::evict(0);
        let t = Instant::now();
        let checked = match crate::check_file(file) {
            Ok(c) if !c.diags.has_errors() => c,
            Ok(c) => {
                print_report(&c.diags, true);
                return 1;
            }
            Err(d) => {
                print_report(&d, true);
                return 1;
            }
        };
        stages[0] += t.elapsed();
        let t = Instant::now();
        let source = match renderer.render(render::ENTRY, crate::context(&checked.report)) {
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
        let Ok(pdf) = engine.pdf(&doc, "bench", year) else {
            eprintln!("error: PDF export failed");
            return 1;
        };
        stages[3] += t.elapsed();
        pages = doc.pages().len();
        std::hint::black_box(pdf);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / f64::from(runs); // timings, not money
    println!(
        "{}: {pages} pages, mean of {runs} runs (cache evicted before each)",
        file.display()
    );
    println!("  load+validate+compute         {:8.1} ms", ms(stages[0]));
    println!("  template                      {:8.1} ms", ms(stages[1]));
    println!("  typst compile                 {:8.1} ms", ms(stages[2]));
    println!("  pdf export                    {:8.1} ms", ms(stages[3]));
    println!(
        "  total per document            {:8.1} ms",
        ms(stages.iter().sum())
    );
    0
}
