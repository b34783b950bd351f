//! The bureau's side of `yusuan serve`: "render all" runs the batch engine
//! (`yusuan render --out-dir`, its worker processes, time and memory
//! bounds, report) into `.yusuan/out` and follows its progress; the PDFs
//! as one zip; the district summaries.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::{Reply, State};
use crate::batch::Outcome;
use crate::text;

/// Where "render all" stands.
#[derive(Debug, Default)]
pub struct Progress {
    running: bool,
    done: usize,
    total: usize,
    /// The outcomes of the last finished run.
    outcomes: Option<Vec<Outcome>>,
    /// Why the last run could not run at all.
    failure: Option<String>,
    ms: u128,
}

const REPORT: &str = "report.json";

/// `POST /api/render-all`: starts a run unless one is running.
pub(super) fn start(state: &State) -> Result<Reply, Reply> {
    // A file naming a profile or catalogue outside the workspace is not
    // rendered: it is reported failed, with why.
    let mut files = vec![];
    let mut refused = vec![];
    for name in state.ws.files() {
        let text = std::fs::read_to_string(state.ws.dir.join(&name)).unwrap_or_default();
        let refs = match state.ws.unreadable(&name) {
            Some(t) => Err(t),
            None => state.ws.refs_inside(&name, &text),
        };
        match refs {
            Ok(()) => files.push(name),
            Err(t) => refused.push(Outcome::failed(&name, "", "io", t.zh)),
        }
    }
    let out = state.ws.own("out").map_err(|e| {
        Reply::refuse(
            500,
            text!(
                "无法创建输出目录：{e}",
                "cannot create the output directory: {e}"
            ),
        )
    })?;
    {
        let mut p = state.batch.lock().unwrap_or_else(|p| p.into_inner());
        if p.running {
            return Err(Reply::refuse(
                409,
                text!("已在生成中", "a run is already going"),
            ));
        }
        *p = Progress {
            running: true,
            total: files.len() + refused.len(),
            ..Default::default()
        };
    }
    let exe = std::env::current_exe();
    let progress = state.batch.clone();
    let dir = state.ws.dir.clone();
    let fonts = state.font_path.clone();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let result = (|| -> Result<Vec<Outcome>, String> {
            if files.is_empty() {
                return Ok(vec![]);
            }
            let exe = exe.map_err(|e| e.to_string())?;
            // An earlier run's report is never taken for this one's.
            match std::fs::remove_file(out.join(REPORT)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.to_string()),
                _ => {}
            }
            let mut cmd = Command::new(exe);
            cmd.current_dir(&dir)
                .arg("--lang")
                .arg("zh")
                .arg("render")
                // A name starting with `-` ("-新建部门.toml") is a file, never an option.
                .args(files.iter().map(|f| {
                    if f.starts_with('-') {
                        format!("./{f}")
                    } else {
                        f.clone()
                    }
                }))
                .arg("--out-dir")
                .arg(&out)
                .arg("--report")
                .arg(out.join(REPORT));
            for f in &fonts {
                cmd.arg("--font-path").arg(f);
            }
            let mut child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| e.to_string())?;
            let mut last = String::new();
            if let Some(err) = child.stderr.take() {
                for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                    // `[n/total] file: status`, one line per document done.
                    if let Some(n) = line
                        .strip_prefix('[')
                        .and_then(|l| l.split_once('/'))
                        .and_then(|(n, _)| n.parse::<usize>().ok())
                    {
                        let mut p = progress.lock().unwrap_or_else(|p| p.into_inner());
                        p.done = n;
                    }
                    last = line;
                }
            }
            let _ = child.wait();
            let report = std::fs::read(out.join(REPORT)).map_err(|_| last.clone())?;
            serde_json::from_slice(&report).map_err(|e| e.to_string())
        })();
        let mut p = progress.lock().unwrap_or_else(|p| p.into_inner());
        p.running = false;
        p.ms = started.elapsed().as_millis();
        match result {
            Ok(mut o) => {
                p.done = p.total;
                for x in &mut o {
                    x.input = workspace_name(&x.input);
                }
                o.extend(refused);
                p.outcomes = Some(o);
            }
            Err(e) => p.failure = Some(e),
        }
    });
    Ok(status(state))
}

/// `GET /api/render-all`: running, done of total, and the last report.
pub(super) fn status(state: &State) -> Reply {
    let p = state.batch.lock().unwrap_or_else(|p| p.into_inner());
    let outcomes = p.outcomes.as_ref().map(|o| {
        o.iter()
            .map(|o| {
                json!({
                    "input": o.input,
                    "status": o.status,
                    "pages": o.pages,
                    "ms": o.ms,
                    "warnings": o.warnings,
                    "errors": o.errors.iter().map(|e| json!({"location": e.location, "rule": e.rule, "message": e.message})).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>()
    });
    let percent = (p.done * 100)
        .checked_div(p.total)
        .unwrap_or(if p.running { 0 } else { 100 });
    Reply::json(
        200,
        json!({
            "running": p.running,
            "done": p.done,
            "total": p.total,
            "percent": percent,
            "ms": p.ms,
            "outcomes": outcomes,
            "failure": p.failure,
        }),
    )
}

/// Each rendered file's pages and the time its PDF was written (seconds
/// since 1970), from the last run's report.
pub(super) fn last_outcomes(state: &State) -> BTreeMap<String, (usize, u64)> {
    let report = state
        .ws
        .dir
        .join(super::workspace::OWN)
        .join("out")
        .join(REPORT);
    let Ok(bytes) = std::fs::read(report) else {
        return BTreeMap::new();
    };
    let outcomes: Vec<Outcome> = serde_json::from_slice(&bytes).unwrap_or_default();
    outcomes
        .into_iter()
        .filter(|o| o.status == "rendered")
        .filter_map(|o| {
            let when = std::fs::metadata(&o.output)
                .ok()?
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs();
            Some((workspace_name(&o.input), (o.pages, when)))
        })
        .collect()
}

/// A file's name in the workspace as the worker was given it: without the
/// `./` a name starting with `-` is passed with.
fn workspace_name(input: &str) -> String {
    input.strip_prefix("./").unwrap_or(input).to_string()
}

/// `files` as one zip (stored in order, dated 1980: the same files make
/// the same bytes).
pub(super) fn zip_of(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(vec![]));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// `GET /api/zip`: the PDFs of the last run.
pub(super) fn zip(state: &State) -> Result<Reply, Reply> {
    let outcomes = {
        let p = state.batch.lock().unwrap_or_else(|p| p.into_inner());
        p.outcomes.clone()
    };
    let Some(outcomes) = outcomes else {
        return Err(Reply::refuse(
            404,
            text!(
                "还没有生成过：请先点“全部生成”",
                "nothing rendered yet: press \"Render all\" first"
            ),
        ));
    };
    let mut files = vec![];
    for o in outcomes.iter().filter(|o| o.status == "rendered") {
        let bytes = std::fs::read(&o.output).map_err(|e| {
            let f = &o.output;
            Reply::refuse(500, text!("无法读取 {f}：{e}", "cannot read {f}: {e}"))
        })?;
        let name = std::path::Path::new(&o.output)
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().to_string());
        files.push((name, bytes));
    }
    let zip = zip_of(&files).map_err(|e| Reply::refuse(500, text!("{e}", "{e}")))?;
    Ok(Reply::download("application/zip", zip, "yusuan.zip"))
}

/// The files that check, grouped by region and year (a district sums
/// departments of one layout and year), and the files left out (with errors).
struct Districts {
    checked: Vec<(String, crate::Checked)>,
    /// (profile, year) → indices into `checked`.
    groups: BTreeMap<(String, i32), Vec<usize>>,
    left_out: Vec<String>,
}

fn districts(state: &State) -> Districts {
    use rayon::prelude::*;
    let names = state.ws.files();
    let all: Vec<(String, Option<crate::Checked>)> = names
        .par_iter()
        .map(|n| {
            let path = state.ws.dir.join(n);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let c = state
                .ws
                .refs_inside(n, &text)
                .ok()
                .and_then(|()| crate::check_file(&path).ok())
                .filter(|c| !c.diags.has_errors());
            (n.clone(), c)
        })
        .collect();
    let mut d = Districts {
        checked: vec![],
        groups: BTreeMap::new(),
        left_out: vec![],
    };
    for (n, c) in all {
        match c {
            Some(c) => {
                let key = (
                    c.budget.department.profile.to_string(),
                    c.budget.department.year,
                );
                d.groups.entry(key).or_default().push(d.checked.len());
                d.checked.push((n, c));
            }
            None => d.left_out.push(n),
        }
    }
    d
}

/// One district: its files, why it cannot be summed, its summary rows.
struct District<'a> {
    files: Vec<String>,
    budgets: Vec<&'a crate::validate::Budget>,
    refusals: Vec<crate::diag::Text>,
    rows: Vec<Vec<String>>,
}

impl Districts {
    fn district(&self, members: &[usize]) -> District<'_> {
        let files: Vec<String> = members.iter().map(|i| self.checked[*i].0.clone()).collect();
        let budgets: Vec<&crate::validate::Budget> =
            members.iter().map(|i| &self.checked[*i].1.budget).collect();
        let refusals = crate::consolidate::refusals(&files, &budgets);
        let rows = crate::consolidate::summary_rows(&budgets);
        let rows = if refusals.is_empty() {
            crate::consolidate::summary_table(&rows)
        } else {
            vec![]
        };
        District {
            files,
            budgets,
            refusals,
            rows,
        }
    }
}

/// `GET /api/district`: each district's summary table (合计 first) or why
/// it cannot be summed.
pub(super) fn district(state: &State) -> Reply {
    let d = districts(state);
    let out: Vec<Value> = d
        .groups
        .iter()
        .map(|((profile, year), members)| {
            let g = d.district(members);
            json!({
                "profile": profile,
                "year": year,
                "files": g.files,
                "header": crate::consolidate::SUMMARY_HEADER,
                "rows": g.rows,
                "refusals": g.refusals.iter().map(|t| json!({"zh": t.zh, "en": t.en})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Reply::json(200, json!({"groups": out, "left_out": d.left_out}))
}

/// `GET /api/district/download?profile=&year=&format=`: the district of
/// that region and year as the consolidated file (`toml`), its document
/// (`pdf`, rendered like any department's), its summary table (`summary`:
/// PDF, `csv`), as `yusuan consolidate` writes them.
pub(super) fn district_download(
    state: &State,
    q: &BTreeMap<String, String>,
) -> Result<Reply, Reply> {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let key = (get("profile").to_string(), get("year").parse().unwrap_or(0));
    let d = districts(state);
    let Some(members) = d.groups.get(&key) else {
        return Err(Reply::refuse(
            404,
            text!(
                "没有这个区域和年度的部门",
                "no departments of that region and year"
            ),
        ));
    };
    let g = d.district(members);
    if let Some(t) = g.refusals.first() {
        return Err(Reply::refuse(422, t.clone()));
    }
    let failed = |t: crate::diag::Text| Reply::refuse(422, t);
    let name = format!("汇总-{}", key.1);
    let toml = crate::consolidate::consolidate("汇总", &g.budgets, None).map_err(failed)?;
    let unchecked = |d: crate::diag::Diagnostics| {
        let s = d.to_short_string(crate::diag::Lang::Zh);
        Reply::refuse(500, text!("{s}", "{s}"))
    };
    let district = crate::check_str(&format!("{name}.toml"), &toml).map_err(unchecked)?;
    let broken = |e: String| Reply::refuse(500, text!("{e}", "{e}"));
    Ok(match get("format") {
        "toml" => Reply::download(
            "application/toml",
            toml.into_bytes(),
            &format!("{name}.toml"),
        ),
        "csv" => Reply::download(
            "text/csv; charset=utf-8",
            crate::consolidate::summary_csv(&g.rows).into_bytes(),
            &format!("{name}-summary.csv"),
        ),
        "summary" => Reply::download(
            "application/pdf",
            crate::district_summary_pdf(&district.report, &g.rows).map_err(broken)?,
            &format!("{name}-summary.pdf"),
        ),
        _ => Reply::download(
            "application/pdf",
            super::pdf_of(state, district, false).map_err(broken)?,
            &format!("{name}.pdf"),
        ),
    })
}
