//! The command line: `check`, `render`, `templates`, `bench`.
//!
//! Exit codes: 0 success, 1 invalid input or render failure, 2 usage error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostics, Lang, Text};
use crate::render::{self, Renderer};
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
    },
    /// Render a file to PDF (or to a Typst project with --emit typst); with
    /// --out-dir, many files and directories at once, on every core.
    Render {
        /// The department file; with --out-dir, any number of files and
        /// directories (searched for *.toml).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output PDF file, or directory for --emit typst/csv.
        #[arg(short, long, required_unless_present = "out_dir")]
        output: Option<PathBuf>,
        /// Render every file into this directory (a file found in a given
        /// directory keeps its relative path), going on past bad files.
        #[arg(long, value_name = "DIR", conflicts_with = "output")]
        out_dir: Option<PathBuf>,
        /// With --out-dir: write a JSON report (per file: status, pages, ms, warnings, errors).
        #[arg(long, value_name = "FILE", requires = "out_dir")]
        report: Option<PathBuf>,
        /// With --out-dir: worker processes to run at once (default: every core).
        #[arg(long, value_name = "N", requires = "out_dir", value_parser = at_least_one)]
        jobs: Option<usize>,
        /// With --out-dir: a document not done after this many seconds is
        /// stopped and reported as failed; the others go on.
        #[arg(long, value_name = "SECONDS", requires = "out_dir", default_value_t = 600, value_parser = at_least_one)]
        timeout: usize,
        /// With --out-dir: the memory each worker process may use, in MB; a
        /// document that needs more fails alone.
        #[arg(long, value_name = "MB", requires = "out_dir", default_value_t = 4096, value_parser = at_least_one)]
        max_memory: usize,
        /// With --out-dir: render only share I of N (1-based), e.g. 2/3; the
        /// N shares together take every file exactly once.
        #[arg(long, value_name = "I/N", requires = "out_dir")]
        shard: Option<String>,
        /// With --out-dir: skip files whose input, templates and settings are
        /// unchanged since the last run into the same directory.
        #[arg(long, requires = "out_dir")]
        changed: bool,
        /// Internal: render the jobs whose indices arrive on standard input,
        /// one at a time, outcomes as JSON lines on standard output (the
        /// worker processes of a batch).
        #[arg(long, hide = true, requires = "out_dir")]
        worker: bool,
        /// What to write (default pdf); with --out-dir it may be repeated
        /// (`--emit pdf --emit xlsx`): each file gets one output of each kind.
        #[arg(long, value_enum)]
        emit: Vec<Emit>,
        /// Directory whose templates override the built-in ones by file name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// More fonts (searched recursively), besides the embedded ones.
        #[arg(long, value_name = "DIR")]
        font_path: Vec<PathBuf>,
        /// Layout of the project performance tables, overriding the file's.
        #[arg(long, value_enum)]
        layout: Option<crate::projects::Layout>,
        /// Regional profile (national, hebei, guangzhou, ningxia, shanghai), overriding the file's.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Print only a count of warnings (errors are always printed in full).
        #[arg(short, long)]
        quiet: bool,
        /// Write an archival PDF: `a-2b` (PDF/A-2b).
        #[arg(long, value_enum)]
        pdf_standard: Option<PdfStandard>,
    },
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
    /// Say what a rule checks and why (`yusuan explain R8`; without a rule, all of them).
    Explain {
        /// A rule id as messages print it: R1 … R17, unknown-code, decimals, …
        rule: Option<String>,
    },
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
        /// Shanghai's titles are recognised, else national).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
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

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let _ = LANG.set(cli.lang);
    match cli.command {
        Command::Check {
            files,
            short,
            message_format,
            profile,
            font_path,
        } => {
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
        Command::Render {
            files,
            output,
            out_dir,
            report,
            jobs,
            timeout,
            max_memory,
            shard,
            changed,
            worker,
            emit,
            templates,
            font_path,
            layout,
            profile,
            quiet,
            pdf_standard,
        } => {
            let options = crate::Options { layout, profile };
            let archival = pdf_standard == Some(PdfStandard::A2b);
            let engine = match Engine::new(&font_path) {
                Ok(e) => e.archival(archival),
                Err(e) => {
                    error(text!("{e}", "{e}"));
                    return 1;
                }
            };
            if let Some(dir) = out_dir {
                let mut formats = vec![];
                for e in if emit.is_empty() {
                    vec![Emit::Pdf]
                } else {
                    emit
                } {
                    formats.push(match e {
                        Emit::Pdf => crate::batch::Format::Pdf,
                        Emit::Json => crate::batch::Format::Json,
                        Emit::Csv => crate::batch::Format::Csv,
                        Emit::Xlsx => crate::batch::Format::Xlsx,
                        Emit::Typst => {
                            error(text!(
                                "--out-dir 不生成 Typst 工程；请对单个文件用 --emit typst",
                                "--out-dir writes no Typst project; use --emit typst for one file"
                            ));
                            return 2;
                        }
                    });
                }
                formats.dedup();
                let batch = Batch {
                    report,
                    jobs,
                    timeout,
                    max_memory,
                    shard,
                    changed,
                    quiet,
                    worker,
                    formats,
                    stamp: settings_stamp(pdf_standard, &font_path),
                };
                return render_batch(&engine, &files, &dir, templates, options, &batch);
            }
            let emit = match emit.as_slice() {
                [] => Emit::Pdf,
                [one] => *one,
                _ => {
                    error(text!(
                        "多个 --emit 需要 --out-dir 目录",
                        "several --emit need --out-dir DIR"
                    ));
                    return 2;
                }
            };
            let (Some(output), [file]) = (output, files.as_slice()) else {
                error(text!(
                    "一次生成多个文件请用 --out-dir 目录",
                    "to render several files give --out-dir DIR"
                ));
                return 2;
            };
            match render_with(&engine, file, &output, emit, templates, options, quiet) {
                Ok(()) => 0,
                Err(()) => 1,
            }
        }
        Command::Templates { action } => templates(action),
        Command::Consolidate {
            files,
            output,
            name,
        } => consolidate(&files, &output, &name),
        Command::Import {
            file,
            output,
            year,
            profile,
        } => import(&file, &output, year, profile.as_deref()),
        Command::Bench { files, lines, runs } => {
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
        Command::Context { file, profile } => {
            let options = crate::Options {
                layout: None,
                profile,
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
        Command::Watch {
            file,
            output,
            templates,
            font_path,
            profile,
        } => watch(&file, &output, templates, &font_path, profile),
        Command::Explain { rule } => {
            let rules = crate::diag::RULES;
            match rule {
                None => {
                    for (id, zh, en) in rules {
                        let t = Text::new(*zh, *en);
                        out(format_args!("{id:<16} {}", t.get(lang())));
                    }
                    0
                }
                Some(r) => match rules
                    .iter()
                    .find(|(id, ..)| id.eq_ignore_ascii_case(r.trim()))
                {
                    Some((id, zh, en)) => {
                        let t = Text::new(*zh, *en);
                        out(format_args!("{id}: {}", t.get(lang())));
                        0
                    }
                    None => {
                        let r = crate::diag::printable(&r);
                        let valid = rules
                            .iter()
                            .map(|(id, ..)| *id)
                            .collect::<Vec<_>>()
                            .join(", ");
                        error(text!(
                            "没有规则 \"{r}\"；可用：{valid}",
                            "no rule \"{r}\"; valid: {valid}"
                        ));
                        2
                    }
                },
            }
        }
        Command::Profiles => {
            for p in crate::profile::PROFILES {
                out(format_args!("{:<10} {}", p.name, p.description));
            }
            0
        }
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

/// `consolidate`: every file checked first (a bad one stops it with its
/// diagnostics), then the district file and its summary table.
fn consolidate(inputs: &[PathBuf], output: &Path, name: &str) -> i32 {
    let walk = match crate::batch::jobs(inputs, Path::new("")) {
        Ok(j) => j,
        Err(e) => {
            error(e);
            return 2;
        }
    };
    walked(&walk);
    if !walk.refused.is_empty() {
        // A department left out would make the district's sums wrong.
        say(text!(
            "未汇总：上面列出的文件无法读取，汇总会少算部门",
            "not consolidated: the files listed above cannot be read, and the sums would miss departments"
        ));
        return 1;
    }
    let jobs = walk.jobs;
    let mut checked = vec![];
    let mut failed = false;
    for job in &jobs {
        if same_file(&job.input, output) {
            let o = output.display();
            error(text!(
                "输出文件 {o} 是输入文件之一",
                "the output {o} is one of the inputs"
            ));
            return 1;
        }
        match clean(crate::check_file(&job.input)) {
            Some(c) => checked.push(c),
            None => failed = true,
        }
    }
    if failed {
        say(text!(
            "未汇总：请先改正上面的错误",
            "not consolidated: correct the errors above first"
        ));
        return 1;
    }
    let budgets: Vec<&crate::validate::Budget> = checked.iter().map(|c| &c.budget).collect();
    let files: Vec<String> = jobs.iter().map(|j| j.input.display().to_string()).collect();
    let problems = crate::consolidate::refusals(&files, &budgets);
    if !problems.is_empty() {
        for p in problems {
            error(p);
        }
        say(text!("未汇总", "not consolidated"));
        return 1;
    }
    let toml = match crate::consolidate::consolidate(name, &budgets) {
        Ok(t) => t,
        Err(e) => {
            error(e);
            return 1;
        }
    };
    // The district file must itself check before anything is written.
    let Some(district) = clean(crate::check_str(&output.display().to_string(), &toml)) else {
        return 1;
    };
    // Departments by code and name, whatever the files' order.
    let mut rows: Vec<crate::consolidate::DepartmentRow> = budgets
        .iter()
        .map(|b| crate::consolidate::DepartmentRow::of(b))
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let table = crate::consolidate::summary_table(&rows);
    let csv = crate::consolidate::summary_csv(&table);
    let stem = output.file_stem().unwrap_or_default().to_string_lossy();
    let summary = output.with_file_name(format!("{stem}-summary"));
    let pdf = match district_pdf(&district.report, &table) {
        Ok(p) => p,
        Err(e) => {
            error(text!("{e}", "{e}"));
            return 1;
        }
    };
    let outputs = [
        (output.to_path_buf(), toml.into_bytes()),
        (summary.with_extension("csv"), csv.into_bytes()),
        (summary.with_extension("pdf"), pdf),
    ];
    if let Some((path, _)) = outputs
        .iter()
        .find(|(p, _)| jobs.iter().any(|j| same_file(&j.input, p)))
    {
        let o = path.display();
        error(text!(
            "输出文件 {o} 是输入文件之一",
            "the output {o} is one of the inputs"
        ));
        return 1;
    }
    if let Err(e) = crate::write_all_or_none(&outputs, lang()) {
        error(text!("{e}", "{e}"));
        return 1;
    }
    let (n, o, links) = (budgets.len(), output.display(), walk.followed.len());
    say(text!(
        "已汇总 {n} 个部门到 {o}（共 {n} 个文件，其中 {links} 个经符号链接；汇总表：{stem}-summary.pdf 和 .csv）",
        "consolidated {n} departments into {o} ({n} files, {links} of them through symbolic links; summary: {stem}-summary.pdf and .csv)"
    ));
    0
}

/// Says which symbolic links a directory walk followed and which entries it
/// could not take.
fn walked(walk: &crate::batch::Walk) {
    for p in &walk.followed {
        let p = p.display();
        say(text!(
            "{p}：符号链接，已跟随",
            "{p}: a symbolic link, followed"
        ));
    }
    for (p, why) in &walk.refused {
        let (p, zh, en) = (p.display(), &why.zh, &why.en);
        error(text!("{p}：{zh}", "{p}: {en}"));
    }
}

/// The district summary table as a PDF.
fn district_pdf(report: &crate::Report, rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let renderer = Renderer::new(None)?;
    let mut department = serde_json::to_value(&report.department).map_err(|e| e.to_string())?;
    department["unit"] = "万元".into();
    department["code"] = "".into();
    let context = minijinja::context! {
        report => minijinja::Value::from(minijinja::value::Serde(serde_json::json!({
            "department": department,
            "style": report.style,
        }))),
        district => minijinja::context! { rows => rows.to_vec() },
    };
    let source = renderer.render("district.typ.j2", context)?;
    let engine = Engine::new(&[])?;
    let year = report.department.year;
    let doc = engine.compile(source, year).map_err(|e| {
        e.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    engine
        .pdf(&doc, &crate::ident(&format!("{rows:?}")), year)
        .map_err(|e| {
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
}

/// What besides the input and templates makes a batch's outputs what they
/// are, for `--changed`: the PDF standard, the extra fonts (names, sizes,
/// times) and this very binary (its size and time, so a rebuilt yusuan
/// renders again even under the same version).
fn settings_stamp(pdf_standard: Option<PdfStandard>, fonts: &[PathBuf]) -> String {
    let mut s = format!("{pdf_standard:?}");
    let stat = |p: &Path| {
        std::fs::metadata(p).map_or(String::new(), |m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{}:{t}", p.display(), m.len())
        })
    };
    for dir in fonts {
        let mut files = vec![];
        let _ = crate::batch::files_under(dir, &mut files);
        files.sort();
        for f in files {
            s.push_str(&stat(&f));
        }
    }
    if let Ok(exe) = std::env::current_exe() {
        s.push_str(&stat(&exe));
    }
    s
}

/// The batch settings of `render --out-dir`.
struct Batch {
    report: Option<PathBuf>,
    jobs: Option<usize>,
    timeout: usize,
    max_memory: usize,
    stamp: String,
    shard: Option<String>,
    changed: bool,
    quiet: bool,
    worker: bool,
    formats: Vec<crate::batch::Format>,
}

/// `render FILES… --out-dir DIR`: every file on every core with one engine, a
/// progress bar (plain lines when standard error is not a terminal), a
/// summary, the report; exit 1 if any file failed.
fn render_batch(
    engine: &Engine,
    inputs: &[PathBuf],
    dir: &Path,
    templates: Option<PathBuf>,
    options: crate::Options,
    batch: &Batch,
) -> i32 {
    use std::io::IsTerminal;
    let start = Instant::now();
    let walk = match crate::batch::jobs(inputs, dir) {
        Ok(j) => j,
        Err(e) => {
            error(e);
            return 2;
        }
    };
    if !batch.worker {
        walked(&walk);
    }
    let mut jobs = walk.jobs;
    if let Some(r) = &batch.report
        && let Some(j) = jobs.iter().find(|j| same_file(&j.input, r))
    {
        let o = j.input.display();
        error(text!(
            "报告文件 {o} 是输入文件之一",
            "the report {o} is one of the inputs"
        ));
        return 2;
    }
    if let Some(s) = &batch.shard {
        match crate::batch::parse_shard(s) {
            Ok(share) => jobs = crate::batch::shard(jobs, share),
            Err(e) => {
                error(text!("--shard：{e}", "--shard: {e}"));
                return 2;
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        cannot_create(dir, e);
        return 1;
    }
    // One run at a time writes into a directory: two would mix their
    // outputs and stamps.
    let _lock = if batch.worker {
        None
    } else {
        match crate::limits::DirLock::take(dir) {
            Ok(l) => Some(l),
            Err(t) => {
                error(t);
                return 1;
            }
        }
    };
    // Documents are typeset in separate processes, one per core: Typst's
    // caches are shared by the threads of one process, and two threads
    // rendering side by side are barely faster than one (measured: 300
    // documents in 34.2 s on one thread, 30.4 s on two; 2 processes: 21.8 s).
    let workers = batch
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .min(jobs.len())
        .max(1);
    let settings = crate::batch::Settings {
        engine,
        templates,
        options,
        formats: batch.formats.clone(),
        previous: if batch.changed {
            crate::batch::read_stamps(dir)
        } else {
            Default::default()
        },
        lang: lang(),
        stamp: batch.stamp.clone(),
    };
    let total = jobs.len();
    let terminal = std::io::stderr().is_terminal() && !batch.quiet;
    let bar = if terminal {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} {elapsed_precise} 剩余 {eta} {msg}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    if batch.worker {
        use std::io::BufRead;
        // A template that builds ever longer strings fails this document
        // alone: the parent reports the worker's end and goes on.
        crate::limits::cap_memory(batch.max_memory as u64 * 1024 * 1024);
        // One core per worker: Typst's parallel page layout would otherwise
        // run two threads in each of the workers already sharing the cores.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global();
        let mut lines = std::io::stdin().lock().lines();
        let mut next = || lines.next()?.ok()?.trim().parse().ok();
        crate::batch::run_pulled(&jobs, &settings, &mut next, &mut |o| {
            out(format_args!(
                "{}",
                serde_json::to_string(o).unwrap_or_default()
            ));
        });
        return 0;
    }
    let progress = |o: &crate::batch::Outcome, n: usize| {
        let status = match (o.status.as_str(), lang()) {
            ("rendered", Lang::Zh) => "已生成",
            ("unchanged", Lang::Zh) => "未变",
            (_, Lang::Zh) => "失败",
            (s, Lang::En) => s,
        };
        if terminal {
            bar.set_position(n as u64);
            bar.set_message(o.input.clone());
            if o.status == "failed" {
                bar.println(format!("{}: {status}", o.input));
            }
        } else if !batch.quiet || o.status == "failed" {
            eprintln!("[{n}/{total}] {}: {status}", o.input);
        }
    };
    let interrupted = crate::limits::on_interrupt();
    let limits = WorkerLimits {
        timeout: std::time::Duration::from_secs(batch.timeout as u64),
        max_memory: batch.max_memory,
        interrupted: interrupted.clone(),
    };
    // Even one document is rendered by a worker: its time and memory are
    // bounded the same way.
    let result = run_workers(workers, &jobs, &progress, &limits);
    let mut outcomes = match result {
        Ok(o) => o,
        Err(e) => {
            error(text!("{e}", "{e}"));
            return 1;
        }
    };
    bar.finish_and_clear();
    // What the walk could not take is a failure of the run, in the report too.
    for (p, why) in &walk.refused {
        outcomes.push(crate::batch::Outcome::failed(
            &p.display().to_string(),
            "",
            "io",
            why.get(lang()).to_string(),
        ));
    }
    let stopped = interrupted.load(std::sync::atomic::Ordering::SeqCst);
    for o in outcomes.iter().filter(|o| o.status == "failed") {
        for p in &o.errors {
            eprintln!(
                "{}: {}[{}]: {}",
                p.location,
                crate::diag::severity_word(crate::diag::Severity::Error, lang()),
                p.rule,
                p.message
            );
        }
    }
    let mut code = 0;
    if batch.changed
        && let Err(e) = crate::batch::write_stamps(dir, &outcomes, lang())
    {
        // Without them the next --changed run cannot trust this one.
        error(text!(
            "无法记录本次生成（--changed 需要）：{e}",
            "cannot record this run (--changed needs it): {e}"
        ));
        code = 1;
    }
    if let Some(path) = &batch.report {
        let json = serde_json::to_string_pretty(&outcomes).unwrap_or_default();
        if let Err(e) = write_atomically(path, json.as_bytes()) {
            error(text!("{e}", "{e}"));
            return 1;
        }
    }
    let count = |s: &str| outcomes.iter().filter(|o| o.status == s).count();
    let (done, failed, same) = (count("rendered"), count("failed"), count("unchanged"));
    let warnings: usize = outcomes.iter().map(|o| o.warnings).sum();
    let secs = format!("{:.1}", start.elapsed().as_secs_f64());
    let (considered, links) = (outcomes.len(), walk.followed.len());
    say(text!(
        "共 {considered} 个文件（{links} 个经符号链接）：已生成 {done} 个，失败 {failed} 个，未变 {same} 个，警告 {warnings} 个，用时 {secs} 秒",
        "{considered} files ({links} through symbolic links): rendered {done}, failed {failed}, unchanged {same}, warnings {warnings}, {secs} s"
    ));
    if stopped {
        say(text!(
            "已中断：未完成的文件在报告中标为 interrupted",
            "interrupted: the files not done are marked interrupted in the report"
        ));
        return 130;
    }
    if failed > 0 { 1 } else { code }
}

/// What bounds a batch's workers: a document's time, a worker's memory,
/// and Ctrl-C.
struct WorkerLimits {
    timeout: std::time::Duration,
    max_memory: usize,
    interrupted: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Runs `count` worker processes of this program, each rendering one job at
/// a time as it is handed the job's index (so a core never idles while
/// another has a queue); collects their outcomes in job order. A worker
/// that stops (a crash, its memory cap) or overruns the timeout fails its
/// job with what it printed, and a fresh worker takes the next one.
fn run_workers(
    count: usize,
    jobs: &[crate::batch::Job],
    progress: &(dyn Fn(&crate::batch::Outcome, usize) + Sync),
    limits: &WorkerLimits,
) -> Result<Vec<crate::batch::Outcome>, String> {
    use std::io::{BufRead, Read};
    use std::sync::atomic::Ordering::{Relaxed, SeqCst};
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // The same command line without the options the workers must not repeat.
    let mut args: Vec<std::ffi::OsString> = vec![];
    let mut skip = false;
    for a in std::env::args_os().skip(1) {
        let s = a.to_string_lossy();
        if std::mem::take(&mut skip) {
            continue;
        }
        if s == "--jobs" || s == "--report" {
            skip = true;
        } else if !(s.starts_with("--jobs=") || s.starts_with("--report=")) {
            args.push(a);
        }
    }
    // A worker is replaced after RECYCLE documents: memory is flat when a
    // worker renders on its main thread (measured: 60 documents, 135 MB), so
    // this only bounds what a slow leak could cost.
    const RECYCLE: usize = 200;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let collected = std::sync::Mutex::new(vec![]);
    let spawn_error = std::sync::Mutex::new(None);
    let report = |o: crate::batch::Outcome| {
        let n = done.fetch_add(1, Relaxed) + 1;
        progress(&o, n);
        if let Ok(mut c) = collected.lock() {
            c.push(o);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..count {
            scope.spawn(|| {
                while next.load(Relaxed) < jobs.len() && !limits.interrupted.load(SeqCst) {
                    let child = std::process::Command::new(&exe)
                        .args(&args)
                        .arg("--worker")
                        .stdin(std::process::Stdio::piped())
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn();
                    let mut child = match child {
                        Ok(c) => c,
                        Err(e) => {
                            if let Ok(mut s) = spawn_error.lock() {
                                *s = Some(e.to_string());
                            }
                            break;
                        }
                    };
                    let (Some(mut input), Some(output), Some(mut errors)) =
                        (child.stdin.take(), child.stdout.take(), child.stderr.take())
                    else {
                        break;
                    };
                    // The worker's lines arrive on a channel, so that a job
                    // that runs too long can be given up.
                    let (tx, rx) = std::sync::mpsc::channel();
                    let reader = std::thread::spawn(move || {
                        for line in std::io::BufReader::new(output).lines() {
                            if tx.send(line).is_err() {
                                break;
                            }
                        }
                    });
                    // What it prints on standard error (a panic, the
                    // allocator's last word), for the report.
                    let stderr = std::thread::spawn(move || {
                        let mut all = vec![];
                        let _ = errors.read_to_end(&mut all);
                        String::from_utf8_lossy(&all).into_owned()
                    });
                    let mut lost: Option<(usize, bool)> = None;
                    for _ in 0..RECYCLE {
                        if limits.interrupted.load(SeqCst) {
                            break;
                        }
                        let i = next.fetch_add(1, Relaxed);
                        if i >= jobs.len() {
                            break;
                        }
                        use std::io::Write;
                        if writeln!(input, "{i}").and_then(|()| input.flush()).is_err() {
                            lost = Some((i, false));
                            break;
                        }
                        match rx.recv_timeout(limits.timeout) {
                            Ok(Ok(line)) => match serde_json::from_str(&line) {
                                Ok(o) => report(o),
                                Err(_) => {
                                    lost = Some((i, false));
                                    break;
                                }
                            },
                            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                                let _ = child.kill();
                                lost = Some((i, true));
                                break;
                            }
                            Ok(Err(_)) | Err(_) => {
                                lost = Some((i, false));
                                break;
                            }
                        }
                    }
                    drop(input);
                    let status = child.wait();
                    let _ = reader.join();
                    let said = stderr.join().unwrap_or_default();
                    if let Some((i, timed_out)) = lost {
                        if limits.interrupted.load(SeqCst) {
                            continue;
                        }
                        let job = &jobs[i];
                        let message = worker_lost(timed_out, limits, &status, &said);
                        report(crate::batch::Outcome::failed(
                            &job.input.display().to_string(),
                            &job.output.display().to_string(),
                            if timed_out { "timeout" } else { "worker" },
                            message,
                        ));
                    }
                }
            });
        }
    });
    if let Some(e) = spawn_error.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut outcomes = collected.into_inner().map_err(|e| e.to_string())?;
    // A job never reported (the run was interrupted) is named, not silent.
    for job in jobs {
        let input = job.input.display().to_string();
        if !outcomes.iter().any(|o| o.input == input) {
            let mut o = crate::batch::Outcome::failed(
                &input,
                &job.output.display().to_string(),
                "interrupted",
                text!(
                    "运行被中断，未生成",
                    "the run was interrupted; not rendered"
                )
                .get(lang())
                .to_string(),
            );
            o.status = "interrupted".into();
            outcomes.push(o);
        }
    }
    outcomes.sort_by(|a, b| a.input.cmp(&b.input));
    Ok(outcomes)
}

/// Why a worker gave no outcome for its job, in the chosen language.
fn worker_lost(
    timed_out: bool,
    limits: &WorkerLimits,
    status: &std::io::Result<std::process::ExitStatus>,
    said: &str,
) -> String {
    let tail: String = {
        let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(3)..].join(" / ")
    };
    let t = if timed_out {
        let s = limits.timeout.as_secs();
        text!(
            "超过 {s} 秒仍未完成，已停止（可用 --timeout 放宽）",
            "not done after {s} s, stopped (--timeout allows more)"
        )
    } else if said.contains("memory allocation") || said.contains("capacity overflow") {
        let mb = limits.max_memory;
        text!(
            "所需内存超过每个进程 {mb} MB 的上限，已停止（可用 --max-memory 放宽）：{tail}",
            "needed more than the {mb} MB a worker may use, stopped (--max-memory allows more): {tail}"
        )
    } else {
        let st = status
            .as_ref()
            .map_or_else(|e| e.to_string(), |s| s.to_string());
        text!(
            "处理它的进程意外终止（{st}）：{tail}",
            "the worker process rendering it stopped ({st}): {tail}"
        )
    };
    t.get(lang()).to_string()
}

fn render_with(
    engine: &Engine,
    file: &Path,
    output: &Path,
    emit: Emit,
    templates: Option<PathBuf>,
    options: crate::Options,
    quiet: bool,
) -> Result<(), ()> {
    let fail = |msg: String| error(Text::new(msg.clone(), msg));
    if same_file(file, output) {
        let o = output.display();
        error(text!(
            "输出文件 {o} 就是输入文件；请换一个名字（否则 PDF 会覆盖你的数据）",
            "the output {o} is the input file; choose another name (the PDF would replace your data)"
        ));
        return Err(());
    }
    let not_done = || {
        let f = file.display();
        say(text!("{f}：未生成", "{f}: not rendered"));
    };
    let checked = crate::check_file_with(file, options).map_err(|d| {
        print_diags(&d, false);
        not_done();
    })?;
    let renderer = renderer_for(&checked.report, templates).map_err(fail)?;
    match emit {
        Emit::Typst => {
            print_diags(&checked.diags, quiet);
            if checked.diags.has_errors() {
                not_done();
                return Err(());
            }
            let source = renderer
                .render(render::ENTRY, crate::context(&checked.report))
                .map_err(fail)?;
            std::fs::create_dir_all(output).map_err(|e| cannot_create(output, e))?;
            write_atomically(&output.join("main.typ"), source.as_bytes()).map_err(fail)?;
            let o = output.join("main.typ");
            let o = o.display();
            say(text!("已写出 {o}", "wrote {o}"));
        }
        Emit::Json | Emit::Csv | Emit::Xlsx => {
            print_diags(&checked.diags, quiet);
            if checked.diags.has_errors() {
                not_done();
                return Err(());
            }
            let o = output.display();
            if emit == Emit::Json {
                let json = crate::context_json(&checked.report);
                write_atomically(output, json.as_bytes()).map_err(fail)?;
                say(text!("已写出 {o}", "wrote {o}"));
            } else if emit == Emit::Xlsx {
                let book = crate::export::xlsx(&checked).map_err(fail)?;
                write_atomically(output, &book).map_err(fail)?;
                say(text!("已写出 {o}", "wrote {o}"));
            } else {
                std::fs::create_dir_all(output).map_err(|e| cannot_create(output, e))?;
                let files = crate::export::csv(&checked);
                for f in &files {
                    write_atomically(&output.join(&f.name), f.text.as_bytes()).map_err(fail)?;
                }
                let n = files.len();
                say(text!(
                    "已在 {o} 中写出 {n} 个 CSV 文件",
                    "wrote {n} CSV files to {o}"
                ));
            }
        }
        Emit::Pdf => match crate::render_checked(engine, &renderer, checked) {
            Ok(rendered) => {
                print_diags(&rendered.diags, quiet);
                write_atomically(output, &rendered.pdf).map_err(fail)?;
                let (o, n) = (output.display(), rendered.document.pages().len());
                say(text!("已写出 {o}（{n} 页）", "wrote {o} ({n} pages)"));
            }
            Err(crate::RenderError::Invalid(diags)) => {
                print_diags(&diags, false);
                not_done();
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

fn import(file: &Path, output: &Path, year: Option<i32>, profile: Option<&str>) -> i32 {
    let profile = match profile.map(|p| (p, crate::profile::find(p))) {
        Some((p, None)) => {
            let valid = crate::profile::names().join(", ");
            error(text!(
                "没有名为 \"{p}\" 的区域格式；可用：{valid}",
                "unknown profile \"{p}\"; valid: {valid}"
            ));
            return 2;
        }
        Some((_, found)) => found,
        None => None,
    };
    if same_file(file, output) {
        let o = output.display();
        error(text!(
            "输出文件 {o} 就是要导入的文件；请换一个名字（否则会覆盖原文件）",
            "the output {o} is the file being imported; choose another name (it would replace the original)"
        ));
        return 1;
    }
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            let f = file.display();
            error(text!("无法读取 {f}：{e}", "cannot read {f}: {e}"));
            return 1;
        }
    };
    // By content, not by name: a workbook saved without its extension is
    // still a workbook.
    let workbook = crate::workbook::is_workbook(&bytes);
    let imported = if workbook {
        crate::workbook::import_workbook(&file.display().to_string(), &bytes, year, profile)
    } else {
        match import_text(file, &bytes, year) {
            Some(i) => i,
            None => return 1,
        }
    };
    print_report(&imported.diags, true);
    if imported.diags.has_errors() {
        let f = file.display();
        say(text!("{f}：未导入", "{f}: not imported"));
        return 1;
    }
    if let Err(e) = write_atomically(output, imported.toml.as_bytes()) {
        error(text!("{e}", "{e}"));
        return 1;
    }
    let (o, n) = (output.display(), imported.projects);
    say(text!(
        "已写出 {o}（{n} 个项目）；请用 `yusuan check {o}` 检查",
        "wrote {o} ({n} projects); check it with `yusuan check {o}`"
    ));
    0
}

/// A tab-separated project list, decoded (UTF-8, UTF-16, GB18030) and read.
fn import_text(file: &Path, bytes: &[u8], year: Option<i32>) -> Option<crate::import::Imported> {
    let text = match crate::import::decode(bytes) {
        Ok((text, _)) => text,
        Err(e) => {
            let f = file.display();
            error(text!(
                "{f}：无法识别文字编码（{e}）；请另存为 UTF-8、Unicode 文本或 GB18030",
                "{f}: cannot tell the text's encoding ({e}); save it as UTF-8, Unicode text or GB18030"
            ));
            return None;
        }
    };
    Some(crate::import::import_list(
        &file.display().to_string(),
        &text,
        year,
    ))
}

fn templates(action: TemplatesAction) -> i32 {
    match action {
        TemplatesAction::List => {
            for (name, _) in render::BUILTIN_TEMPLATES {
                out(format_args!("{name}"));
            }
            0
        }
        TemplatesAction::Export {
            dir,
            force,
            profile,
        } => {
            let Some(profile) = crate::profile::find(&profile) else {
                eprintln!(
                    "error: unknown profile \"{profile}\"; valid: {}",
                    crate::profile::names().join(", ")
                );
                return 2;
            };
            for name in render::template_names() {
                let content = render::profile_template(profile, name).unwrap_or_default();
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

/// `yusuan watch`: renders, then waits for changes to the input file or the
/// template directory and renders again, printing the diagnostics each time.
fn watch(
    file: &Path,
    output: &Path,
    templates: Option<PathBuf>,
    font_path: &[PathBuf],
    profile: Option<String>,
) -> i32 {
    use notify::{RecursiveMode, Watcher};
    let engine = match Engine::new(font_path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let run = || {
        let options = crate::Options {
            layout: None,
            profile: profile.clone(),
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
            p == input
                || (p != out
                    && templates
                        .as_ref()
                        .is_some_and(|t| t.canonicalize().is_ok_and(|t| p.starts_with(t))))
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
        run();
    }
    0
}
