//! `yusuan import`: a workbook or a pasted project list → a budget file.

use std::path::Path;

use super::*;

pub(super) fn import(file: &Path, output: &Path, year: Option<i32>, profile: Option<&str>) -> i32 {
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
