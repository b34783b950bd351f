//! Rendering many files in one run: one engine per worker process (fonts
//! loaded once, a job at a time, handed out as workers finish), a
//! deterministic share per machine (`--shard`), unchanged inputs skipped
//! (`--changed`), and a report of what failed and why.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::diag::{Lang, Severity, Text};
use crate::render::Renderer;
use crate::text;
use crate::typeset::Engine;

/// One file to render and where its PDF goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The department file.
    pub input: PathBuf,
    /// The PDF to write.
    pub output: PathBuf,
}

/// What became of one job.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The department file.
    pub input: String,
    /// The PDF (written only when `status` is `rendered`).
    pub output: String,
    /// `rendered`, `failed` or `unchanged` (skipped by `--changed`).
    pub status: String,
    /// Pages of the PDF.
    pub pages: usize,
    /// Time spent on it, in milliseconds.
    pub ms: u64,
    /// How many warnings.
    pub warnings: usize,
    /// The errors, located.
    pub errors: Vec<Problem>,
    /// The stamp of input, templates, settings and version (for `--changed`).
    pub stamp: String,
}

impl Outcome {
    /// A job that failed before or outside its rendering, with one problem.
    pub fn failed(input: &str, output: &str, rule: &str, message: String) -> Outcome {
        Outcome {
            input: input.to_string(),
            output: output.to_string(),
            status: "failed".into(),
            pages: 0,
            ms: 0,
            warnings: 0,
            errors: vec![Problem {
                location: input.to_string(),
                rule: rule.to_string(),
                message,
            }],
            stamp: String::new(),
        }
    }
}

/// One error of a failed job.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Problem {
    /// `file:line:col`, or the file.
    pub location: String,
    /// The rule (`R5`, `syntax`, …) or `template` / `typeset` / `io`.
    pub rule: String,
    /// The message in the chosen language.
    pub message: String,
}

/// The files a batch considered: the jobs, and what the walk met on the
/// way that a user must hear of.
#[derive(Debug, Default)]
pub struct Walk {
    /// The files to render, sorted by input path.
    pub jobs: Vec<Job>,
    /// Symbolic links to regular `.toml` files that were followed.
    pub followed: Vec<PathBuf>,
    /// `.toml` entries not taken, each with why (a link to a directory or
    /// to nothing, a pipe).
    pub refused: Vec<(PathBuf, Text)>,
}

/// The `.toml` files of `inputs` (files as given, directories searched
/// recursively, symbolic links to regular files followed and listed), each
/// with its PDF under `out_dir`: a file given by name writes `<stem>.pdf`,
/// a file found in a directory keeps its path relative to that directory.
/// Sorted by input path, so that shards are stable. Two inputs that would
/// write the same output are an error listing every such collision.
pub fn jobs(inputs: &[PathBuf], out_dir: &Path) -> Result<Walk, Text> {
    let mut walk = Walk::default();
    for input in inputs {
        if input.is_dir() {
            let mut found = vec![];
            find_all(input, &mut found, &mut walk).map_err(|e| {
                let d = input.display();
                text!(
                    "无法读取目录 {d}：{e}",
                    "cannot read the directory {d}: {e}"
                )
            })?;
            for f in found
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            {
                let rel = f.strip_prefix(input).unwrap_or(&f).with_extension("pdf");
                walk.jobs.push(Job {
                    output: out_dir.join(rel),
                    input: f,
                });
            }
        } else {
            let stem = input.file_stem().unwrap_or_default();
            walk.jobs.push(Job {
                output: out_dir.join(stem).with_extension("pdf"),
                input: input.clone(),
            });
        }
    }
    walk.jobs.sort_by(|a, b| a.input.cmp(&b.input));
    walk.jobs.dedup();
    walk.followed.sort();
    let mut by_output: std::collections::BTreeMap<&Path, Vec<&Path>> = Default::default();
    for j in &walk.jobs {
        by_output.entry(&j.output).or_default().push(&j.input);
    }
    let clashes: Vec<String> = by_output
        .iter()
        .filter(|(_, ins)| ins.len() > 1)
        .map(|(out, ins)| {
            let ins: Vec<String> = ins.iter().map(|p| p.display().to_string()).collect();
            format!("{} ← {}", out.display(), ins.join(", "))
        })
        .collect();
    if !clashes.is_empty() {
        let list = clashes.join("; ");
        return Err(text!(
            "几个输入文件会写出同一个输出文件（请把它们放进不同的目录，或给出目录而不是文件）：{list}",
            "several inputs would write the same output (put them in different directories, or give the directory instead of the files): {list}"
        ));
    }
    Ok(walk)
}

/// The share `index` (1-based) of `count` of `jobs`: every `count`-th job
/// from the `index`-th, so shards 1/N … N/N together take each job once.
pub fn shard(jobs: Vec<Job>, (index, count): (usize, usize)) -> Vec<Job> {
    jobs.into_iter()
        .enumerate()
        .filter(|(i, _)| i % count == index - 1)
        .map(|(_, j)| j)
        .collect()
}

/// Parses `I/N` (1 ≤ I ≤ N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or("write the shard as I/N, e.g. 2/3")?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| "I is not a number")?,
        n.trim().parse().map_err(|_| "N is not a number")?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: I must be between 1 and N"));
    }
    Ok((i, n))
}

/// What a batch writes for each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `<name>.pdf`.
    Pdf,
    /// `<name>.json`: the template context.
    Json,
    /// `<name>-csv/`: a CSV file per table.
    Csv,
    /// `<name>.xlsx`: a workbook, a sheet per table.
    Xlsx,
}

/// Settings of a batch.
pub struct Settings<'a> {
    /// The engine every document shares.
    pub engine: &'a Engine,
    /// Template override directory.
    pub templates: Option<PathBuf>,
    /// Profile and layout overrides.
    pub options: crate::Options,
    /// What to write for each file (the PDF at the job's output, the others beside it).
    pub formats: Vec<Format>,
    /// Stamps of the previous run: an output whose stamp is unchanged is skipped.
    pub previous: std::collections::BTreeMap<String, String>,
    /// Message language.
    pub lang: Lang,
    /// What else the outputs depend on (PDF standard, fonts, the binary).
    pub stamp: String,
}

/// Renders `jobs` one after the other on this thread (a batch's parallelism
/// is its worker processes, each running [`run_pulled`]); `progress` is
/// called after each with the outcome and how many are done. Outcomes come
/// back in job order.
pub fn run(
    jobs: &[Job],
    settings: &Settings,
    progress: &(dyn Fn(&Outcome, usize) + Sync),
) -> Vec<Outcome> {
    let mut all = 0..jobs.len();
    let mut outcomes = vec![];
    run_pulled(jobs, settings, &mut || all.next(), &mut |o| {
        progress(o, outcomes.len() + 1);
        outcomes.push(o.clone());
    });
    outcomes
}

/// Renders the jobs whose indices `next` hands out, one at a time on this
/// thread, until it returns `None`; `report` gets each outcome. This is what
/// a worker process does: measured, the same 60 documents rendered on a
/// one-thread pool took 16.4 s and 481 MB (Typst's own parallel sections
/// then run on pool threads, and their memory stays with them), on the
/// calling thread 11.9 s and 133 MB, flat.
pub fn run_pulled(
    jobs: &[Job],
    settings: &Settings,
    next: &mut dyn FnMut() -> Option<usize>,
    report: &mut dyn FnMut(&Outcome),
) {
    let templates_stamp = templates_stamp(settings.templates.as_deref());
    let renderers = Renderers::default();
    while let Some(i) = next() {
        let Some(job) = jobs.get(i) else { break };
        report(&one(job, settings, &templates_stamp, &renderers));
    }
}

/// What `--changed` compares: the input, the templates, the settings and
/// the version of yusuan.
fn stamp(input: &str, templates: &str, options: &crate::Options) -> String {
    crate::ident(&format!(
        "{}\u{0}{templates}\u{0}{:?}\u{0}{:?}\u{0}{input}",
        env!("CARGO_PKG_VERSION"),
        options.profile,
        options.layout
    ))
}

/// What an input depends on beyond itself, read once from its
/// `[department]`: the catalogue file it names (`catalogue = "path"`), the
/// last-year file `[last_year] from` names and the profile directory it
/// prints with (see [`profile_of`]).
fn depends_on(input: &Path, text: &str, options: &crate::Options) -> String {
    let parsed = text.parse::<toml::Table>().ok();
    let department = |key: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get("department"))
            .and_then(|d| d.get(key))
            .and_then(|c| c.as_str())
            .map(str::to_string)
    };
    let base = input.parent().unwrap_or(Path::new("."));
    let catalogue = department("catalogue")
        .map(|path| crate::lastyear::read_regular(&base.join(path)))
        .unwrap_or_default();
    // Last year's file: correcting it changes this year's comparisons.
    let last_year = crate::lastyear::from_path(input, text)
        .map(|p| crate::lastyear::read_regular(&p))
        .unwrap_or_default();
    // A 决算's budget file: its figures are the 预算数 printed.
    let budget = crate::lastyear::other_path(input, text, "budget")
        .map(|p| crate::lastyear::read_regular(&p))
        .unwrap_or_default();
    let profile = match &options.profile {
        Some(p) => profile_of(p, None),
        None => department("profile").map_or(String::new(), |p| profile_of(&p, Some(base))),
    };
    catalogue + &last_year + &budget + &profile
}

/// The content of the profile directory `spec` names (relative to `base`),
/// with its bases, if it is one: editing a profile renders again what it
/// prints. Empty for a built-in.
fn profile_of(spec: &str, base: Option<&Path>) -> String {
    let Ok(profile) = crate::profile::resolve(spec, base) else {
        return String::new();
    };
    let mut all = String::new();
    let mut p = Some(profile);
    while let Some(q) = p {
        if q.dir.is_some() {
            all.push_str(&q.source);
            for (name, t) in &q.templates {
                all.push_str(name);
                all.push_str(t);
            }
        }
        p = q.base;
    }
    all
}

fn templates_stamp(dir: Option<&Path>) -> String {
    let Some(dir) = dir else {
        return String::new();
    };
    let mut files = vec![];
    let _ = find_all(dir, &mut files, &mut Walk::default());
    files.sort();
    let mut all = String::new();
    for f in files {
        all.push_str(&f.display().to_string());
        all.push_str(&std::fs::read_to_string(&f).unwrap_or_default());
    }
    crate::ident(&all)
}

/// A file's name, size and modification time: what changes when it is
/// edited (empty when it cannot be read).
pub fn file_stamp(path: &Path) -> String {
    std::fs::metadata(path).map_or(String::new(), |m| {
        let t = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        format!("{}:{}:{t}", path.display(), m.len())
    })
}

/// [`file_stamp`] of every file under `dir`, in name order.
pub fn dir_stamp(dir: &Path) -> String {
    let mut files = vec![];
    let _ = files_under(dir, &mut files);
    files.sort();
    files.iter().map(|f| file_stamp(f)).collect()
}

/// Every regular file under `dir` (links to files followed).
pub fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    find_all(dir, out, &mut Walk::default())
}

/// Every file under `dir`, recursively. A symbolic link to a regular file
/// is followed (and listed in `walk.followed` when it names a `.toml`); one
/// to a directory is not (a loop cannot hang a batch) and, like a link to
/// nothing or a pipe named `.toml`, is listed in `walk.refused`.
fn find_all(dir: &Path, out: &mut Vec<PathBuf>, walk: &mut Walk) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        let toml = path.extension().is_some_and(|e| e == "toml");
        if kind.is_dir() {
            find_all(&path, out, walk)?;
        } else if kind.is_file() {
            out.push(path);
        } else if kind.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => {
                    if toml {
                        walk.followed.push(path.clone());
                    }
                    out.push(path);
                }
                Ok(m) if m.is_dir() => walk.refused.push((
                    path,
                    text!(
                        "指向目录的符号链接，未进入（请直接给出该目录）",
                        "a symbolic link to a directory, not entered (give that directory itself)"
                    ),
                )),
                Ok(_) => walk
                    .refused
                    .push((path, text!("不是普通文件", "not a regular file"))),
                Err(e) => walk.refused.push((
                    path,
                    text!("符号链接指向的文件不存在：{e}", "a link to nothing: {e}"),
                )),
            }
        } else if toml {
            walk.refused
                .push((path, text!("不是普通文件", "not a regular file")));
        }
    }
    Ok(())
}

/// The template environment of each profile, built once per batch.
type Renderers =
    std::sync::Mutex<std::collections::BTreeMap<&'static str, std::sync::Arc<Renderer>>>;

fn one(job: &Job, settings: &Settings, templates_stamp: &str, renderers: &Renderers) -> Outcome {
    let start = Instant::now();
    let mut outcome = Outcome {
        input: job.input.display().to_string(),
        output: job.output.display().to_string(),
        status: "failed".into(),
        pages: 0,
        ms: 0,
        warnings: 0,
        errors: vec![],
        stamp: String::new(),
    };
    let fail = |outcome: &mut Outcome, rule: &str, message: String| {
        outcome.errors.push(Problem {
            location: job.input.display().to_string(),
            rule: rule.to_string(),
            message,
        });
    };
    let text = std::fs::read_to_string(&job.input).unwrap_or_default();
    // What is written counts too: asking for xlsx later renders again; so
    // does a catalogue file the input names.
    let templates_and_formats = format!(
        "{templates_stamp}{:?}{}{}",
        settings.formats,
        settings.stamp,
        depends_on(&job.input, &text, &settings.options)
    );
    outcome.stamp = stamp(&text, &templates_and_formats, &settings.options);
    if settings.previous.get(&outcome.output) == Some(&outcome.stamp) && job.output.exists() {
        outcome.status = "unchanged".into();
        return outcome;
    }
    let checked = match crate::check_file_with(&job.input, settings.options.clone()) {
        Ok(c) => c,
        Err(diags) => {
            record(&mut outcome, &diags, settings.lang);
            return finish(outcome, start);
        }
    };
    if checked.diags.has_errors() {
        record(&mut outcome, &checked.diags, settings.lang);
        return finish(outcome, start);
    }
    // Everything is made in memory first and written only when the whole
    // job succeeded: a file that fails leaves no output behind.
    let data = match data_outputs(job, &checked, &settings.formats) {
        Ok(d) => d,
        Err(e) => {
            record(&mut outcome, &checked.diags, settings.lang);
            fail(&mut outcome, "export", e);
            return finish(outcome, start);
        }
    };
    if !settings.formats.contains(&Format::Pdf) {
        record(&mut outcome, &checked.diags, settings.lang);
        match write_all(&data, settings.lang) {
            Ok(()) => outcome.status = "rendered".into(),
            Err(e) => fail(&mut outcome, "io", e),
        }
        return finish(outcome, start);
    }
    let profile =
        crate::profile::find(checked.report.department.profile).expect("resolved profile");
    let cached = renderers
        .lock()
        .ok()
        .and_then(|m| m.get(profile.name.as_str()).cloned());
    let renderer = match cached {
        Some(r) => r,
        None => match Renderer::for_profile(profile, settings.templates.clone()) {
            Ok(r) => {
                let r = std::sync::Arc::new(r);
                if let Ok(mut m) = renderers.lock() {
                    m.insert(profile.name.as_str(), r.clone());
                }
                r
            }
            Err(e) => {
                fail(&mut outcome, "template", e);
                return finish(outcome, start);
            }
        },
    };
    match crate::render_checked(settings.engine, &renderer, checked) {
        Ok(rendered) => {
            record(&mut outcome, &rendered.diags, settings.lang);
            let mut all = data;
            all.push((job.output.clone(), rendered.pdf));
            match write_all(&all, settings.lang) {
                Ok(()) => {
                    outcome.status = "rendered".into();
                    outcome.pages = rendered.document.pages().len();
                }
                Err(e) => fail(&mut outcome, "io", e),
            }
        }
        Err(crate::RenderError::Invalid(diags)) => record(&mut outcome, &diags, settings.lang),
        Err(crate::RenderError::Template(m)) => fail(&mut outcome, "template", m),
        Err(crate::RenderError::Typeset(errs)) => {
            for e in errs {
                fail(&mut outcome, "typeset", e.to_string());
            }
        }
    }
    finish(outcome, start)
}

/// The JSON, CSV and xlsx outputs of `formats`, in memory, with the paths
/// they go to beside the PDF's.
fn data_outputs(
    job: &Job,
    checked: &crate::Checked,
    formats: &[Format],
) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut out = vec![];
    for f in formats {
        match f {
            Format::Pdf => {}
            Format::Json => out.push((
                job.output.with_extension("json"),
                crate::context_json(&checked.report).into_bytes(),
            )),
            Format::Xlsx => out.push((
                job.output.with_extension("xlsx"),
                crate::export::xlsx(checked)?,
            )),
            Format::Csv => {
                let stem = job.output.file_stem().unwrap_or_default().to_string_lossy();
                let dir = job.output.with_file_name(format!("{stem}-csv"));
                for file in crate::export::csv(checked) {
                    out.push((dir.join(&file.name), file.text.into_bytes()));
                }
            }
        }
    }
    Ok(out)
}

/// Writes a job's files all together or not at all.
fn write_all(files: &[(PathBuf, Vec<u8>)], lang: Lang) -> Result<(), String> {
    for (path, _) in files {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                let d = dir.display();
                text!("无法创建目录 {d}：{e}", "cannot create {d}: {e}")
                    .get(lang)
                    .to_string()
            })?;
        }
    }
    crate::write_all_or_none(files, lang)
}

fn record(outcome: &mut Outcome, diags: &crate::diag::Diagnostics, lang: Lang) {
    let (_, w) = diags.counts();
    outcome.warnings = w;
    for d in diags.items.iter().filter(|d| d.severity == Severity::Error) {
        outcome.errors.push(Problem {
            location: diags.location(d),
            rule: d.rule.to_string(),
            message: crate::diag::printable(d.message.get(lang)),
        });
    }
}

fn finish(mut outcome: Outcome, start: Instant) -> Outcome {
    outcome.ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    outcome
}

/// Where `--changed` keeps the stamps of the last run, in the output directory.
pub const STAMPS: &str = ".yusuan-stamps.json";

/// The stamps of the last run in `out_dir`.
pub fn read_stamps(out_dir: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(out_dir.join(STAMPS))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Records the stamps of the outputs now up to date (rendered or unchanged).
pub fn write_stamps(out_dir: &Path, outcomes: &[Outcome], lang: Lang) -> Result<(), String> {
    let mut stamps = read_stamps(out_dir);
    for o in outcomes {
        if o.status == "failed" {
            stamps.remove(&o.output);
        } else {
            stamps.insert(o.output.clone(), o.stamp.clone());
        }
    }
    let text = serde_json::to_string_pretty(&stamps).map_err(|e| e.to_string())?;
    crate::write_atomically(&out_dir.join(STAMPS), text.as_bytes(), lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_take_every_job_exactly_once() {
        let all: Vec<Job> = (0..10)
            .map(|i| Job {
                input: PathBuf::from(format!("{i:02}.toml")),
                output: PathBuf::from(format!("{i:02}.pdf")),
            })
            .collect();
        let mut seen: Vec<Job> = (1..=3).flat_map(|i| shard(all.clone(), (i, 3))).collect();
        seen.sort_by(|a, b| a.input.cmp(&b.input));
        assert_eq!(seen, all);
        assert_eq!(shard(all.clone(), (2, 3)).len(), 3); // 01, 04, 07
        assert!(parse_shard("0/3").is_err() && parse_shard("4/3").is_err());
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
    }
}
