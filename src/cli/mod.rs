//! The command line, a module per command (`check`, `render` and its
//! batch, `consolidate`, `import`, `templates`, `bench`, `watch`, `serve`,
//! `context`, `explain`); this file holds the arguments and what every
//! command shares (messages, the language, safe writing).
//!
//! Exit codes: 0 success, 1 invalid input or render failure, 2 usage error,
//! 130 an interrupted batch.

mod batch;
mod bench;
mod check;
mod consolidate;
mod context;
mod explain;
mod import;
mod profile;
mod render;
mod serve;
mod templates;
mod watch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostics, Lang, Text};
use crate::render::Renderer;
use crate::text;
use crate::typeset::Engine;

/// yusuan (预算): one TOML file per department and year → the official-format 部门预算 PDF.
#[derive(Debug, Parser)]
#[command(name = "yusuan", version, about, long_about = None)]
pub struct Cli {
    /// The language of messages: zh (中文, the default) or en (English).
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The language chosen with `--lang`, for this process's messages.
static LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// Prints an error line in the chosen language: `错误：…` or `error: …`.
fn error(t: Text) {
    match lang() {
        Lang::Zh => eprintln!("错误：{}", t.zh),
        Lang::En => eprintln!("error: {}", t.en),
    }
}

/// Prints a line of progress or outcome in the chosen language.
fn say(t: Text) {
    eprintln!("{}", t.get(lang()));
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
        /// How problems are written: human (excerpts), short (a line each), or
        /// json (an object per line on standard output, for editors and CI).
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
        /// Check as this regional profile prints (overrides the file's `profile`).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// More fonts, as for render (characters are checked against them).
        #[arg(long, value_name = "DIR")]
        font_path: Vec<PathBuf>,
        /// Also list the checks that did not run, and why.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Render a file to PDF (or to a Typst project with --emit typst); with
    /// --out-dir, many files and directories at once, on every core.
    Render(RenderArgs),
    /// Sum departments into one district file (汇总) that renders like any
    /// other, and write the district summary table (PDF and CSV) beside it.
    Consolidate {
        /// The department files and directories (searched for *.toml).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The district file to write (its summary goes to <stem>-summary.pdf/.csv).
        #[arg(short, long)]
        output: PathBuf,
        /// The district's name (default: 汇总).
        #[arg(long, default_value = "汇总")]
        name: String,
    },
    /// Print the data a template sees (JSON), for template authors.
    Context {
        /// The department file.
        file: PathBuf,
        /// Regional profile, overriding the file's.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
    /// List the built-in regional profiles.
    Profiles,
    /// Make or check a profile directory (a region's tables, units and templates as data).
    Profile {
        /// new or check.
        #[command(subcommand)]
        action: ProfileAction,
    },
    /// Say what a rule checks and why (`yusuan explain R8`; without a rule, all of them).
    Explain {
        /// A rule id as messages print it: R1 … R17, unknown-code, decimals, …
        rule: Option<String>,
    },
    /// Internal: read the workbook on standard input, its cells as JSON on
    /// standard output (the capped child process every workbook is read in).
    #[command(hide = true)]
    ReadWorkbook,
    /// Render, then render again whenever the input or a template changes.
    Watch {
        /// The department file.
        file: PathBuf,
        /// Output PDF file.
        #[arg(short, long)]
        output: PathBuf,
        /// Directory whose templates override the profile's by file name (watched too).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// More fonts (searched recursively), besides the embedded ones.
        #[arg(long, value_name = "DIR")]
        font_path: Vec<PathBuf>,
        /// Regional profile, overriding the file's.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
    /// Import a budget workbook (.xlsx: the nine tables as a budget system exports
    /// them, or what `--emit xlsx` writes) or a 项目支出绩效目标表 pasted as
    /// tab-separated text into a budget file.
    Import {
        /// The workbook (.xlsx, .xls, .ods), or a text file of tab-separated rows
        /// of 7 cells (a project list copied from Excel or a PDF).
        file: PathBuf,
        /// The TOML file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Budget year, when the title does not say it.
        #[arg(long)]
        year: Option<i32>,
        /// The region whose tables the workbook holds (a workbook does not say;
        /// a built-in profile's `recognise` titles are recognised, else national).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
    /// Work with the built-in templates.
    Templates {
        /// list or export.
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// A workspace in the browser: drop a workbook or TOML file, see every
    /// problem at its cell or line, edit with the pages previewed beside,
    /// download; render and sum a district's files.
    Serve {
        /// The workspace directory (its department files, read and written).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The address to listen on; anything but 127.0.0.1 / ::1 needs a token.
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// The token requests must carry (made and printed when listening
        /// beyond this computer without one).
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// More fonts (searched recursively), besides the embedded ones.
        #[arg(long, value_name = "DIR")]
        font_path: Vec<PathBuf>,
    },
    /// Time the stages of rendering files (one engine for all, as a batch would).
    Bench {
        /// The department files.
        #[arg(required_unless_present = "lines")]
        files: Vec<PathBuf>,
        /// Also a synthetic department of this many expenditure lines
        /// (1,430 codes at most, then further sources of the same codes).
        #[arg(long, value_name = "N")]
        lines: Option<usize>,
        /// How many renders to average over.
        #[arg(long, default_value_t = 10)]
        runs: u32,
    },
}

/// The arguments of `yusuan render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The department file; with --out-dir, any number of files and
    /// directories (searched for *.toml).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output PDF file, or directory for --emit typst/csv.
    #[arg(short, long, required_unless_present = "out_dir")]
    pub output: Option<PathBuf>,
    /// Render every file into this directory (a file found in a given
    /// directory keeps its relative path), going on past bad files.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub out_dir: Option<PathBuf>,
    /// With --out-dir: write a JSON report (per file: status, pages, ms, warnings, errors).
    #[arg(long, value_name = "FILE", requires = "out_dir")]
    pub report: Option<PathBuf>,
    /// With --out-dir: worker processes to run at once (default: every core).
    #[arg(long, value_name = "N", requires = "out_dir", value_parser = at_least_one)]
    pub jobs: Option<usize>,
    /// With --out-dir: a document not done after this many seconds is
    /// stopped and reported as failed; the others go on.
    #[arg(long, value_name = "SECONDS", requires = "out_dir", default_value_t = 600, value_parser = at_least_one)]
    pub timeout: usize,
    /// With --out-dir: the memory each worker process may use, in MB; a
    /// document that needs more fails alone.
    #[arg(long, value_name = "MB", requires = "out_dir", default_value_t = 4096, value_parser = at_least_one)]
    pub max_memory: usize,
    /// With --out-dir: render only share I of N (1-based), e.g. 2/3; the
    /// N shares together take every file exactly once.
    #[arg(long, value_name = "I/N", requires = "out_dir")]
    pub shard: Option<String>,
    /// With --out-dir: skip files whose input, templates and settings are
    /// unchanged since the last run into the same directory.
    #[arg(long, requires = "out_dir")]
    pub changed: bool,
    /// Internal: render the jobs whose indices arrive on standard input,
    /// one at a time, outcomes as JSON lines on standard output (the
    /// worker processes of a batch).
    #[arg(long, hide = true, requires = "out_dir")]
    pub worker: bool,
    /// What to write (default pdf); with --out-dir it may be repeated
    /// (`--emit pdf --emit xlsx`): each file gets one output of each kind.
    #[arg(long, value_enum)]
    pub emit: Vec<Emit>,
    /// Directory whose templates override the built-in ones by file name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// More fonts (searched recursively), besides the embedded ones.
    #[arg(long, value_name = "DIR")]
    pub font_path: Vec<PathBuf>,
    /// Layout of the project performance tables, overriding the file's.
    #[arg(long, value_enum)]
    pub layout: Option<crate::projects::Layout>,
    /// Regional profile, overriding the file's: a built-in's name (`yusuan profiles`)
    /// or a profile directory.
    #[arg(long, value_name = "NAME|DIR")]
    pub profile: Option<String>,
    /// Print only a count of warnings (errors are always printed in full).
    #[arg(short, long)]
    pub quiet: bool,
    /// Write an archival PDF: `a-2b` (PDF/A-2b).
    #[arg(long, value_enum)]
    pub pdf_standard: Option<PdfStandard>,
}

/// A count of 1 or more (`--jobs 0` would render nothing).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("must be at least 1 (至少为 1)".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// `yusuan templates …`.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// List the built-in templates.
    List,
    /// Write the templates into DIR, to edit and use with --templates DIR.
    Export {
        /// Target directory (created; existing files are not overwritten without --force).
        dir: PathBuf,
        /// Overwrite existing files.
        #[arg(long)]
        force: bool,
        /// Export this profile's templates (its own files, the built-ins for the rest).
        #[arg(long, value_name = "NAME", default_value = crate::profile::DEFAULT)]
        profile: String,
    },
}

/// `yusuan profile …`.
#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Start a profile directory from an existing profile.
    New {
        /// The new profile's name.
        name: String,
        /// The profile to start from: a built-in's name or a directory.
        #[arg(long, value_name = "NAME|DIR", default_value = crate::profile::DEFAULT)]
        from: String,
        /// The directory to create (it must not exist, or be empty).
        dir: PathBuf,
        /// Write every setting, table and template out, with no base.
        #[arg(long)]
        flat: bool,
    },
    /// Check a profile directory: its profile.toml, its templates, and a
    /// document rendered with it.
    Check {
        /// The profile directory.
        dir: PathBuf,
        /// Render this department file with it (default: a small synthetic one).
        #[arg(long, value_name = "FILE")]
        with: Option<PathBuf>,
    },
}

/// How `check` writes problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Each problem with the source line under it.
    Human,
    /// One line per problem.
    Short,
    /// One JSON object per line, on standard output.
    Json,
}

/// The PDF standards `render --pdf-standard` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PdfStandard {
    /// PDF/A-2b, for archives.
    #[value(name = "a-2b")]
    A2b,
}

/// Output kinds of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// A PDF file.
    Pdf,
    /// A self-contained Typst project (main.typ) in a directory.
    Typst,
    /// The data templates see, as one JSON file.
    Json,
    /// Every computed table (and the project list) as CSV files in a directory.
    Csv,
    /// Every computed table (and the project list) as one Excel workbook.
    Xlsx,
}

/// Runs the command `cli` names; the exit code.
pub fn run(cli: Cli) -> i32 {
    let _ = LANG.set(cli.lang);
    if std::env::var_os(crate::limits::BOUNDED).is_some() {
        crate::limits::cap_memory(crate::limits::TEMPLATE_MEMORY_MB << 20);
    }
    // Every workbook is read in a child process of this program, memory and
    // time capped: a hostile file ends the child, never the command or server.
    if let Ok(exe) = std::env::current_exe()
        && !matches!(cli.command, Command::ReadWorkbook)
    {
        crate::workbook::read_in_child(exe);
    }
    match cli.command {
        Command::ReadWorkbook => crate::workbook::worker(),
        Command::Check {
            files,
            short,
            message_format,
            profile,
            font_path,
            verbose,
        } => check::run(files, short, message_format, profile, font_path, verbose),
        Command::Render(args) => render::run(args),
        Command::Templates { action } => templates::templates(action),
        Command::Consolidate {
            files,
            output,
            name,
        } => consolidate::consolidate(&files, &output, &name),
        Command::Import {
            file,
            output,
            year,
            profile,
        } => import::import(&file, &output, year, profile.as_deref()),
        Command::Bench { files, lines, runs } => bench::run(files, lines, runs),
        Command::Serve {
            dir,
            bind,
            token,
            font_path,
        } => serve::run(dir, bind, token, font_path),
        Command::Context { file, profile } => context::run(file, profile),
        Command::Watch {
            file,
            output,
            templates,
            font_path,
            profile,
        } => watch::watch(&file, &output, templates, &font_path, profile),
        Command::Explain { rule } => explain::run(rule),
        Command::Profiles => explain::profiles(),
        Command::Profile { action } => profile::run(action),
    }
}

/// Writes a line to standard output; a closed pipe (`yusuan … | head -1`)
/// ends the program quietly instead of panicking.
fn out(line: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// The renderer for the profile `report` was computed in.
fn renderer_for(report: &crate::Report, templates: Option<PathBuf>) -> Result<Renderer, String> {
    let profile = crate::profile::find(report.department.profile).expect("resolved profile");
    let renderer = Renderer::for_profile(profile, templates)?;
    for w in &renderer.warnings {
        eprintln!("warning: {w}");
    }
    Ok(renderer)
}

/// Prints `diags`; `quiet` (no errors among them) prints only the count line.
fn print_diags(diags: &Diagnostics, quiet: bool) {
    if quiet && !diags.items.is_empty() && !diags.has_errors() {
        let (_, w) = diags.counts();
        let (f, s) = (&diags.file, plural(w));
        say(text!(
            "{f}：{w} 个警告（运行 `yusuan check` 查看）",
            "{f}: {w} warning{s} (run `yusuan check` to see them)"
        ));
        return;
    }
    print_report(diags, false);
}

fn print_report(diags: &Diagnostics, short: bool) {
    if diags.items.is_empty() {
        return;
    }
    print_items(diags, short);
    tally(diags);
}

/// Every problem, with its excerpt or on a line of its own.
fn print_items(diags: &Diagnostics, short: bool) {
    if diags.items.is_empty() {
        return;
    }
    let report = if short {
        diags.to_short_string(lang())
    } else {
        diags.to_report_string(lang())
    };
    eprint!("{report}");
}

/// `文件：N 个错误，M 个警告`.
fn tally(diags: &Diagnostics) {
    let (e, w) = diags.counts();
    let (f, se, sw) = (&diags.file, plural(e), plural(w));
    say(text!(
        "{f}：{e} 个错误，{w} 个警告",
        "{f}: {e} error{se}, {w} warning{sw}"
    ));
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The checked file when it has no error; else its problems are printed.
fn clean(result: Result<crate::Checked, Diagnostics>) -> Option<crate::Checked> {
    match result {
        Ok(c) if !c.diags.has_errors() => Some(c),
        Ok(c) => {
            print_report(&c.diags, true);
            None
        }
        Err(d) => {
            print_report(&d, true);
            None
        }
    }
}

fn typst_failed(errors: &[crate::typeset::TypstError]) {
    for e in errors {
        error(text!("排版失败：{e}", "typesetting failed: {e}"));
    }
    say(text!(
        "提示：模板生成了无效的 Typst；用 `--emit typst` 可以把它写出来检查",
        "hint: the template produced invalid Typst; `--emit typst` writes it out for inspection"
    ));
}

fn cannot_create(dir: &Path, e: std::io::Error) {
    let d = dir.display();
    error(text!("无法创建 {d}：{e}", "cannot create {d}: {e}"));
}

/// Whether `a` and `b` name the same existing file: the same path once
/// links are resolved, or the same file under two names (a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(x), Ok(y)) = (a.canonicalize(), b.canonicalize())
        && x == y
    {
        return true;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// [`crate::write_atomically`] with messages in the chosen language.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    crate::write_atomically(path, bytes, lang())
}
