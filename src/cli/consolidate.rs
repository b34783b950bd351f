//! `yusuan consolidate`: departments summed into a district file and its summary table.

use std::path::{Path, PathBuf};

use super::batch::walked;
use super::*;

/// `consolidate`: every file checked first (a bad one stops it with its
/// diagnostics), then the district file and its summary table.
pub(super) fn consolidate(inputs: &[PathBuf], output: &Path, name: &str) -> i32 {
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
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let toml = match crate::consolidate::consolidate(name, &budgets, Some(&dir)) {
        Ok(t) => t,
        Err(e) => {
            error(e);
            return 1;
        }
    };
    // The district file must itself check before anything is written.
    let options = crate::Options {
        base_dir: Some(dir.clone()),
        ..Default::default()
    };
    let checked = crate::check_str_with(&output.display().to_string(), &toml, options);
    let Some(district) = clean(checked) else {
        return 1;
    };
    // Departments by code and name, whatever the files' order.
    let rows = crate::consolidate::summary_rows(&budgets);
    let table = crate::consolidate::summary_table(&rows);
    let csv = crate::consolidate::summary_csv(&table);
    let stem = output.file_stem().unwrap_or_default().to_string_lossy();
    let summary = output.with_file_name(format!("{stem}-summary"));
    let pdf = match crate::district_summary_pdf(&district.report, &table) {
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
