//! `yusuan render --out-dir`: many files on worker processes, with a
//! report, shards, `--changed`, time and memory bounds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::*;

/// Says which symbolic links a directory walk followed and which entries it
/// could not take.
pub(super) fn walked(walk: &crate::batch::Walk) {
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

/// What besides the input and templates makes a batch's outputs what they
/// are, for `--changed`: the PDF standard, the extra fonts (names, sizes,
/// times) and this very binary (its size and time, so a rebuilt yusuan
/// renders again even under the same version).
pub(super) fn settings_stamp(pdf_standard: Option<PdfStandard>, fonts: &[PathBuf]) -> String {
    let mut s = format!("{pdf_standard:?}");
    for dir in fonts {
        s.push_str(&crate::batch::dir_stamp(dir));
    }
    if let Ok(exe) = std::env::current_exe() {
        s.push_str(&crate::batch::file_stamp(&exe));
    }
    s
}

/// The batch settings of `render --out-dir`.
pub(super) struct Batch {
    pub(super) report: Option<PathBuf>,
    pub(super) jobs: Option<usize>,
    pub(super) timeout: usize,
    pub(super) max_memory: usize,
    pub(super) stamp: String,
    pub(super) shard: Option<String>,
    pub(super) changed: bool,
    pub(super) quiet: bool,
    pub(super) worker: bool,
    pub(super) formats: Vec<crate::batch::Format>,
}

/// `render FILES… --out-dir DIR`: every file on every core with one engine, a
/// progress bar (plain lines when standard error is not a terminal), a
/// summary, the report; exit 1 if any file failed.
pub(super) fn render_batch(
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
