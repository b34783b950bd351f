//! `yusuan render`: one file, or many with `--out-dir` (see [`super::batch`]).

use std::path::{Path, PathBuf};

use super::batch::{Batch, render_batch, settings_stamp};
use super::*;

/// `yusuan render`: one file to PDF (or Typst, JSON, CSV, xlsx), or many
/// with `--out-dir`.
pub(super) fn run(args: RenderArgs) -> i32 {
    let RenderArgs {
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
    } = args;
    let options = crate::Options {
        layout,
        profile,
        ..Default::default()
    };
    let archival = pdf_standard == Some(PdfStandard::A2b);
    let engine = match Engine::new(&font_path) {
        // One document: Typst's caches are not emptied after it.
        Ok(e) if out_dir.is_none() => e.archival(archival).single(),
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

pub(super) fn render_with(
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
    // Templates yusuan did not ship run in a child bounded in memory and
    // time: a loop in one can stop this render, never exhaust the machine.
    let profile =
        crate::profile::find(checked.report.department.profile).expect("resolved profile");
    let foreign = templates.clone().or_else(|| profile.foreign_templates());
    if let Some(dir) = foreign
        && std::env::var_os(crate::limits::BOUNDED).is_none()
    {
        return bounded(file, &dir);
    }
    let renderer = renderer_for(&checked.report, templates).map_err(fail)?;
    match emit {
        Emit::Typst => {
            print_diags(&checked.diags, quiet);
            if checked.diags.has_errors() {
                not_done();
                return Err(());
            }
            let source = renderer
                .render(crate::render::ENTRY, crate::context(&checked.report))
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

/// This command run again in a bounded child (see [`crate::limits::run_bounded`]),
/// for a render with the templates of `dir`.
fn bounded(file: &Path, dir: &Path) -> Result<(), ()> {
    use crate::limits::{Ended, TEMPLATE_MEMORY_MB, TEMPLATE_TIME, run_bounded};
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let (f, d) = (file.display(), dir.display());
    match run_bounded(&args, TEMPLATE_TIME, true) {
        Ok(Ended::Exited(0)) => Ok(()),
        Ok(Ended::Exited(_)) => Err(()),
        Ok(Ended::OutOfMemory) => {
            let mb = TEMPLATE_MEMORY_MB;
            error(text!(
                "{f}：用 {d} 里的模板生成时用尽了 {mb} MB 内存，已停止，没有写出文件（模板里可能有极大的循环、字符串或数组，如 range(300000000)）",
                "{f}: rendering with the templates in {d} used up {mb} MB of memory and was stopped; nothing was written (a template may build a huge loop, string or array, as range(300000000))"
            ));
            Err(())
        }
        Ok(Ended::TimedOut) => {
            let s = TEMPLATE_TIME.as_secs();
            error(text!(
                "{f}：用 {d} 里的模板生成超过 {s} 秒，已停止，没有写出文件（模板里可能有极长的循环）",
                "{f}: rendering with the templates in {d} took more than {s} s and was stopped; nothing was written (a template may loop for very long)"
            ));
            Err(())
        }
        Err(e) => {
            error(text!(
                "无法启动生成进程：{e}",
                "cannot start the rendering process: {e}"
            ));
            Err(())
        }
    }
}
