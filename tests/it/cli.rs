//! The command line for template authors and careful users: profiles,
//! context, watch, template errors traced to their line, what files yusuan
//! writes and refuses to write.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{example, yusuan};

fn stdout(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn profiles_are_listed_and_context_prints_what_templates_see() {
    let list = stdout(&["profiles"]);
    let names: Vec<&str> = list.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "national",
            "beijing",
            "guangzhou",
            "hebei",
            "national-final",
            "ningxia",
            "shanghai",
            "xian",
            "foshan-final"
        ]
    );

    let file = example("putuo-commerce-2025.toml");
    let json = stdout(&["context", file.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let report = &v["report"];
    assert_eq!(report["department"]["profile"], "shanghai");
    assert_eq!(report["style"]["separators"], true);
    let income = &report["tables"]["income"];
    assert_eq!(income["unit"], "元");
    let keys: Vec<&str> = income["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["total", "fiscal", "business", "operating", "other"]);
    assert_eq!(income["rows"][0]["cells"]["total"], "371514655");
    assert_eq!(report["tables"]["sangong"]["unit"], "万元");
    assert_eq!(report["tables"]["sangong"]["running_costs"], "171.01");
    // --profile wins over the file's.
    let json = stdout(&["context", file.to_str().unwrap(), "--profile", "national"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["report"]["tables"]["income"]["columns"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn output_over_the_input_is_refused_and_files_get_ordinary_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.toml");
    std::fs::copy(example("kaiping-2024.toml"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let run = yusuan(&[&"render", &input, &"-o", &input]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("就是输入文件；请换一个名字（否则 PDF 会覆盖你的数据）"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&input).unwrap(), before, "the data is intact");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let pdf = dir.path().join("out.pdf");
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask 022; exec \"{}\" render -q \"{}\" -o \"{}\"",
                env!("CARGO_BIN_EXE_yusuan"),
                input.display(),
                pdf.display()
            ))
            .status()
            .unwrap();
        assert!(status.success());
        let mode = std::fs::metadata(&pdf).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        let exported = dir.path().join("t");
        assert_eq!(yusuan(&[&"templates", &"export", &exported]).code, Some(0));
        let mode = std::fs::metadata(exported.join("preamble.typ.j2"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode & 0o044, 0o044, "readable by others: {mode:o}");
    }
}

#[test]
fn template_directories_warn_about_strays_and_refuse_links_outside() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("t");
    std::fs::create_dir_all(templates.join("tables")).unwrap();
    std::fs::write(templates.join("tables/summry.typ.j2"), "x").unwrap();
    let pdf = dir.path().join("out.pdf");
    let run = yusuan(&[
        &"render",
        &"-q",
        &example("kaiping-2024.toml"),
        &"--templates",
        &templates,
        &"-o",
        &pdf,
    ])
    .ok();
    assert!(
        run.stderr.contains("warning: template tables/summry.typ.j2 in the override directory replaces no template (valid names: budget.typ.j2, district.typ.j2,")
            && run.stderr.contains(" tables/summary.typ.j2, "),
        "{}",
        run.stderr
    );

    #[cfg(unix)]
    {
        let outside = dir.path().join("outside.typ.j2");
        std::fs::write(&outside, "#panic(\"outside\")").unwrap();
        std::os::unix::fs::symlink(&outside, templates.join("tables/summary.typ.j2")).unwrap();
        let run = yusuan(&[
            &"render",
            &example("kaiping-2024.toml"),
            &"--templates",
            &templates,
            &"-o",
            &pdf,
        ]);
        assert_eq!(run.code, Some(1));
        assert!(
            run.stderr.contains("points outside the template directory"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_typst_error_points_to_the_template_line_that_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("t");
    std::fs::create_dir_all(templates.join("tables")).unwrap();
    std::fs::write(
        templates.join("tables/summary.typ.j2"),
        "{%- set t = report.tables.summary %}\n#page[\n#ys-head({{ t.title }})\n#no-such-function({{ t.title }})\n]\n",
    )
    .unwrap();
    let run = yusuan(&[
        &"render",
        &example("kaiping-2024.toml"),
        &"--templates",
        &templates,
        &"-o",
        &dir.path().join("out.pdf"),
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "错误：排版失败：tables/summary.typ.j2:4: unknown variable: no-such-function"
        ),
        "{}",
        run.stderr
    );
}

/// A `yusuan watch` running with `args`, its stderr lines as they come.
struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watch {
    fn start(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Watch {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
            .arg("watch")
            .args(args.iter().map(|a| a.as_ref()))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// Waits (at most a minute) for a line saying `want` happened: each step
    /// waits for its line, not for a fixed time.
    fn wait_for(&self, want: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(want) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_renders_again_when_the_input_or_a_template_changes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.toml");
    let text = "[department]\nname = \"甲部门\"\nyear = 2024\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1\n";
    std::fs::write(&input, text).unwrap();
    let templates = dir.path().join("t");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("budget.typ.j2"),
        "= 第一版\n{{ report.department.name }}\n",
    )
    .unwrap();
    let pdf = dir.path().join("out.pdf");
    let watch = Watch::start(&[&input, &"-o", &pdf, &"--templates", &templates]);
    let first = watch.wait_for("正在监视");
    let first_text = crate::common::pdf_text(&pdf);
    std::fs::write(&input, text.replace("甲部门", "乙部门")).unwrap();
    let input_changed = watch.wait_for("已写出");
    let second_text = crate::common::pdf_text(&pdf);
    std::fs::write(
        templates.join("budget.typ.j2"),
        "= 第二版\n{{ report.department.name }}\n",
    )
    .unwrap();
    let template_changed = watch.wait_for("已写出");
    let third_text = crate::common::pdf_text(&pdf);
    drop(watch);
    assert!(first, "the watcher started");
    assert!(
        first_text.contains("第一版") && first_text.contains("甲部门"),
        "{first_text}"
    );
    assert!(input_changed, "a change to the input rendered again");
    assert!(second_text.contains("乙部门"), "{second_text}");
    assert!(template_changed, "a change to a template rendered again");
    assert!(
        third_text.contains("第二版") && third_text.contains("乙部门"),
        "{third_text}"
    );
}

/// `watch` on a file printed with a profile directory renders again when a
/// template of that directory changes (the directory is read anew).
#[test]
fn watch_renders_again_when_its_profile_directory_changes() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p");
    std::fs::create_dir_all(profile.join("templates")).unwrap();
    std::fs::write(
        profile.join("profile.toml"),
        "name = \"p\"\nbase = \"national\"\n",
    )
    .unwrap();
    let template = profile.join("templates/budget.typ.j2");
    std::fs::write(&template, "= 第一版\n{{ report.department.name }}\n").unwrap();
    let input = dir.path().join("in.toml");
    std::fs::write(
        &input,
        "[department]\nname = \"甲部门\"\nyear = 2024\nprofile = \"p\"\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1\n",
    )
    .unwrap();
    let pdf = dir.path().join("out.pdf");
    let watch = Watch::start(&[&input, &"-o", &pdf]);
    let first = watch.wait_for("正在监视");
    let first_text = crate::common::pdf_text(&pdf);
    std::fs::write(&template, "= 第二版\n{{ report.department.name }}\n").unwrap();
    let changed = watch.wait_for("已写出");
    let second_text = crate::common::pdf_text(&pdf);
    drop(watch);
    assert!(first, "the watcher started");
    assert!(first_text.contains("第一版"), "{first_text}");
    assert!(changed, "a change in the profile directory rendered again");
    assert!(second_text.contains("第二版"), "{second_text}");
}

#[test]
fn a_closed_pipe_and_a_huge_input_end_quietly() {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" templates list | head -1",
            env!("CARGO_BIN_EXE_yusuan")
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "budget.typ.j2\n");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        let run = yusuan(&[&"check", &"/dev/zero"]);
        assert_eq!(run.code, Some(1));
        assert!(run.stderr.contains("文件大于 64 MiB"), "{}", run.stderr);
    }
}

#[test]
fn check_reports_what_render_would_refuse_and_never_echoes_control_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    // A raw ESC is a TOML syntax error: reported, and not echoed to the terminal.
    std::fs::write(
        &file,
        "[department]\nname = \"测试\u{1b}[2J\"\nyear = 2024\n",
    )
    .unwrap();
    for args in [&["check", "--short"][..], &["check"]] {
        let run = Command::new(env!("CARGO_BIN_EXE_yusuan"))
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1));
        assert!(
            stderr.contains("t.toml:2:11") && stderr.contains("错误[syntax]"),
            "{stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "no raw ESC: {stderr:?}");
    }
    // Written as escapes, or invisible: named by code point; a character no font has, too.
    std::fs::write(
        &file,
        "[department]\nname = \"测试部门\\u001b\u{200b}\"\nyear = 2024\n[[expenditure]]\ncode = \"2013201\"\nname = \"行政\u{20000}运行\"\nbasic = 1\n",
    )
    .unwrap();
    let run = yusuan(&[&"check", &"--short", &file]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "t.toml:2:19: 错误[invisible]: department.name 中有不可见字符 U+200B：它印不出来，或会挪动周围的文字；请删除"
        ),
        "{}",
        run.stderr
    );
    let run = yusuan(&[&"--lang", &"en", &"check", &"--short", &file]);
    assert_eq!(run.code, Some(1));
    for want in [
        "t.toml: error[invisible]: an invisible character U+001B is in department.name",
        "t.toml:2:19: error[invisible]: an invisible character U+200B is in department.name",
        "t.toml:6:11: error[glyph]: character '\u{20000}' (U+20000) in tables.expenditure.rows[3].name is in no font",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
    // render refuses the same file for the same reasons.
    let run = yusuan(&[&"render", &file, &"-o", &dir.path().join("x.pdf")]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("U+200B") && run.stderr.contains("U+20000"));
}

#[test]
fn json_messages_carry_place_rule_and_figures() {
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["check", "--message-format", "json"])
        .arg(example("kaiping-2024.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 10 table warnings and the narrative's one slip (R13: "基本支出528.62元").
    assert_eq!(lines.len(), 11);
    let first = &lines[0];
    assert_eq!(first["rule"], "R5");
    // Nine rounded items explain at most (9 + 1) / 2 × 0.01 = 0.05.
    assert_eq!(
        first["message"],
        "基本支出表 类 301 人员经费：申报 480.18，各项合计 480.19，相差 0.01（尾差：9 项四舍五入，允许 ±0.05）"
    );
    assert_eq!(first["severity"], "warning");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(192), Some(39))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(192), Some(45))
    );
    assert_eq!(
        (
            &first["declared"],
            &first["computed"],
            &first["difference"],
            &first["tolerance"]
        ),
        (
            &serde_json::json!("480.18"),
            &serde_json::json!("480.19"),
            &serde_json::json!("0.01"),
            &serde_json::json!("0.05")
        )
    );
    let en = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["check", "--lang", "en", "--message-format", "json"])
        .arg(example("kaiping-2024.toml"))
        .output()
        .unwrap();
    let en: serde_json::Value = serde_json::from_str(
        String::from_utf8(en.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        en["message"],
        "基本支出表 类 301 人员经费 = 480.18 but its items sum to 480.19 (difference 0.01: 尾差, within ±0.05 for 9 rounded items)"
    );
    // R16 points at the first project.
    assert!(
        lines
            .iter()
            .any(|l| l["rule"] == "R16" && l["line"].as_u64().is_some())
    );
}

#[test]
fn explain_says_what_every_rule_checks() {
    assert!(
        stdout(&["explain", "r8"])
            .starts_with("R8: 支出总表中一般公共预算的基本支出 = 基本支出表合计")
    );
    assert!(
        stdout(&["explain", "r8", "--lang", "en"])
            .starts_with("R8: 支出总表 基本支出 of 一般公共预算 = 基本支出表 合计")
    );
    let run = yusuan(&[&"explain", &"R99"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("没有规则 \"R99\"；可用：R1, R2"),
        "{}",
        run.stderr
    );
    // Every rule id the sources use is explained.
    let explained: Vec<&str> = yusuan::diag::RULES.iter().map(|(id, ..)| *id).collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // Every source file, in src/ and its module directories.
    let mut files = vec![];
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        for (marker, commas) in [
            ("Diagnostic::error(", 0),
            ("Diagnostic::warning(", 0),
            ("ck.equal(", 0),
            ("choose(", 1),
        ] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                let Some(q) = rest.find('"') else { continue };
                // The rule is a string literal argument (the first, or choose's second).
                if rest[..q].matches(',').count() != commas || rest[..q].contains(')') {
                    continue;
                }
                checked += 1;
                let id = &rest[q + 1..q + 1 + rest[q + 1..].find('"').unwrap()];
                assert!(explained.contains(&id), "rule {id} is not in diag::RULES");
            }
        }
    }
    assert!(checked > 60, "the scan found only {checked} rule ids");
}

#[test]
fn the_computed_tables_come_out_as_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    yusuan(&[
        &"render",
        &"-q",
        &"--emit",
        &"csv",
        &example("kaiping-2024.toml"),
        &"-o",
        &csv,
    ])
    .ok();
    let basic = std::fs::read_to_string(csv.join("6-basic.csv")).unwrap();
    assert!(
        basic.starts_with("\u{feff}科目编码,科目名称,合计,人员经费,公用经费\r\n"),
        "{basic}"
    );
    assert!(
        basic.contains("\r\n,合计,528.62,483.91,44.72\r\n"),
        "{basic}"
    );
    assert!(
        basic.contains("\r\n301,工资福利支出,480.18,480.18,0.00\r\n"),
        "{basic}"
    );
    let summary = std::fs::read_to_string(csv.join("1-summary.csv")).unwrap();
    assert!(
        summary.contains("\r\n收入,总计,收入总计,5464.38\r\n支出,总计,支出总计,5464.38\r\n"),
        "{summary}"
    );
    let projects = std::fs::read_to_string(csv.join("projects.csv")).unwrap();
    assert_eq!(projects.lines().count(), 1 + 19);
    assert!(projects.contains(
        ",13020524P00918410001Q,本级城市社区党组织服务群众专项经费,460.00,460.00,0.00,0.00,"
    ));
    let json = dir.path().join("k.json");
    yusuan(&[
        &"render",
        &"-q",
        &"--emit",
        &"json",
        &example("kaiping-2024.toml"),
        &"-o",
        &json,
    ])
    .ok();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(
        v["report"]["tables"]["basic"]["rows"][1]["cells"]["total"],
        "480.18"
    );
}

#[test]
fn bench_generates_a_synthetic_department_of_n_lines() {
    let text = stdout(&["bench", "--lines", "120", "--runs", "1"]);
    assert!(text.contains("synthetic-120.toml: "), "{text}");
    assert!(text.contains("total per document"), "{text}");
    assert!(text.contains("peak resident memory"), "{text}");
}

#[test]
fn pdf_standard_a_2b_writes_an_archival_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    yusuan(&[
        &"render",
        &example("putuo-commerce-2025.toml"),
        &"-q",
        &"--pdf-standard",
        &"a-2b",
        &"-o",
        &pdf,
    ])
    .ok();
    let bytes = std::fs::read(&pdf).unwrap();
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has(
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
    ));
    let catalog = yusuan::pdfpack::objects(&bytes)
        .into_values()
        .find(|o| o.starts_with(b"<</Type/Catalog"))
        .unwrap();
    assert!(String::from_utf8_lossy(&catalog).contains("/OutputIntents"));
    assert_eq!(
        yusuan(&[
            &"render",
            &"x.toml",
            &"--pdf-standard",
            &"a-9",
            &"-o",
            &"x.pdf"
        ])
        .code,
        Some(2)
    );
}

#[test]
fn xlsx_csv_and_json_hold_the_computed_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (book, csv, json) = (
        dir.path().join("k.xlsx"),
        dir.path().join("csv"),
        dir.path().join("k.json"),
    );
    let k = example("kaiping-2024.toml");
    for (emit, out) in [("xlsx", &book), ("csv", &csv), ("json", &json)] {
        yusuan(&[&"render", &k, &"-q", &"--emit", &emit, &"-o", out]).ok();
    }
    // The workbook: a sheet per table, the 支出总表's 合计 row with 5,464.38 as a number.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&book).unwrap()).unwrap();
    let mut read = |name: &str| {
        use std::io::Read;
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    for sheet in [
        "department",
        "lines",
        "economic",
        "indicators",
        "1-summary",
        "2-income",
        "3-expenditure",
        "6-basic",
        "9-sangong",
        "projects",
    ] {
        assert!(
            workbook.contains(&format!("<sheet name=\"{sheet}\"")),
            "{sheet}"
        );
    }
    let strings = read("xl/sharedStrings.xml");
    assert!(strings.contains("一般公共服务支出") && strings.contains("基本支出"));
    // Sheet 4 (the settings first) is the 支出总表: 合计 5464.38 = 528.62 + 4935.76.
    let expenditure = read("xl/worksheets/sheet4.xml");
    for v in ["<v>5464.38</v>", "<v>528.62</v>", "<v>4935.76</v>"] {
        assert!(expenditure.contains(v), "{v}");
    }
    let table3 = std::fs::read_to_string(csv.join("3-expenditure.csv")).unwrap();
    assert!(table3.starts_with("\u{feff}科目编码,科目名称,合计,基本支出,项目支出"));
    assert!(
        table3.contains("\r\n,合计,5464.38,528.62,4935.76,"),
        "{table3}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        v["report"]["tables"]["expenditure"]["rows"][0]["values"][0],
        "5464.38"
    );
}

/// A department in 元 whose name is `name`.
fn named(name: &str) -> String {
    format!(
        "[department]\nname = \"{name}\"\nyear = 2024\nunit = \"元\"\n\n\
         [[expenditure]]\ncode = \"2013201\"\nsource = \"一般公共预算\"\nbasic = 10\n"
    )
}

#[test]
fn a_file_with_warnings_gets_one_summary_line_and_an_ogham_space_is_caught_where_it_stands() {
    let d = tempfile::tempdir().unwrap();
    // Kaiping has warnings (the seed's 尾差) and no error: one summary line, 通过.
    let f = example("kaiping-2024.toml");
    let run = yusuan(&[&"check", &f]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let prefix = format!("{}：", f.display());
    let summaries: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .collect();
    assert_eq!(summaries.len(), 1, "{}", run.stderr);
    assert!(
        summaries[0].starts_with(&format!("{prefix}通过（")),
        "{}",
        run.stderr
    );
    // U+1680 is a space to Unicode but a drawn mark no embedded font has:
    // `check` says so at its place, instead of `render` failing unlocated.
    let f = d.path().join("o.toml");
    std::fs::write(&f, named("甲\u{1680}乙")).unwrap();
    let run = yusuan(&[&"check", &f]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "错误[glyph]: department.name 中的字符 '\u{1680}'（U+1680）没有任何字体包含，会印成方框  ({}:2:10)",
            f.display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn departments_of_two_profiles_are_not_consolidated() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a.toml"), d.path().join("b.toml"));
    std::fs::write(&a, named("甲")).unwrap();
    std::fs::write(
        &b,
        named("乙").replace("unit = \"元\"", "unit = \"元\"\nprofile = \"hebei\""),
    )
    .unwrap();
    let out = d.path().join("district.toml");
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &out]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{} 按 national 格式编制，{} 按 hebei 格式编制：汇总只能是同一区域格式的部门",
            a.display(),
            b.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

#[test]
fn an_interrupted_batch_still_writes_its_report() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // Many documents: the run is still going when Ctrl-C comes.
    let text = std::fs::read_to_string(example("kaiping-2024.toml")).unwrap();
    for i in 0..40 {
        std::fs::write(input.join(format!("d{i:02}.toml")), &text).unwrap();
    }
    let (out, rep) = (d.path().join("out"), d.path().join("r.json"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(["render", input.to_str().unwrap(), "--out-dir"])
        .arg(&out)
        .arg("--report")
        .arg(&rep)
        .arg("--jobs")
        .arg("1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first PDF, then interrupt the batch (not its workers: a
    // terminal would signal them too, and they would stop at once).
    let start = Instant::now();
    while !out.join("d00.pdf").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no PDF after 60 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sends SIGINT to the child we spawned.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let report: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&rep).unwrap()).unwrap();
    assert_eq!(report.len(), 40);
    let count = |s: &str| report.iter().filter(|o| o["status"] == s).count();
    assert!(count("rendered") >= 1, "{report:?}");
    assert!(count("interrupted") >= 1, "{report:?}");
    assert_eq!(count("rendered") + count("interrupted"), 40, "{report:?}");
    assert!(!out.join(".yusuan-lock").exists());
}

#[test]
fn english_messages_for_render_and_batch_and_import_year_and_profile() {
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[department]\nname = \"x\"\nyear = 2024\n[[expenditure]]\ncode = \"2013201\"\nbasic = \"4,52.03\"\n",
    )
    .unwrap();
    let run = yusuan(&[
        &"--lang",
        &"en",
        &"render",
        &bad,
        &"-o",
        &d.path().join("x.pdf"),
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("\"4,52.03\" is not an amount (thousands separators only between groups of three digits: \"1,234,567.89\")"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("{}: not rendered", bad.display())),
        "{}",
        run.stderr
    );
    // A batch in English: its summary, and the workers' messages in the report.
    let rep = d.path().join("r.json");
    let run = yusuan(&[
        &"--lang",
        &"en",
        &"render",
        &bad,
        &"--out-dir",
        &d.path().join("out"),
        &"--report",
        &rep,
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("rendered 0, failed 1, unchanged 0"),
        "{}",
        run.stderr
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rep).unwrap()).unwrap();
    assert!(
        report[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("\"4,52.03\" is not an amount"),
        "{report}"
    );
    // import --year and --profile win over what the workbook says (it says neither).
    let book = d.path().join("b.xlsx");
    yusuan(&[
        &"render",
        &example("putuo-commerce-2025.toml"),
        &"--emit",
        &"xlsx",
        &"-o",
        &book,
    ])
    .ok();
    let out = d.path().join("p.toml");
    yusuan(&[
        &"import",
        &book,
        &"-o",
        &out,
        &"--year",
        &"2031",
        &"--profile",
        &"hebei",
    ])
    .ok();
    let toml = std::fs::read_to_string(&out).unwrap();
    assert!(toml.contains("\nyear = 2031\n"), "{toml}");
    assert!(toml.contains("\nprofile = \"hebei\"\n"), "{toml}");
    // templates export --profile writes that profile's own templates.
    let t = d.path().join("t");
    yusuan(&[&"templates", &"export", &t, &"--profile", &"shanghai"]).ok();
    let mine = std::fs::read_to_string(t.join("tables/income.typ.j2")).unwrap();
    let shanghai = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles/shanghai/templates/tables/income.typ.j2"),
    )
    .unwrap();
    assert_eq!(mine, shanghai);
}

/// Issue 29: a file name of 255 bytes (the most a name may have) could not
/// be written: the temporary file beside it took its whole name plus a
/// suffix ("File name too long"). It is written whole now.
#[test]
fn a_name_of_255_bytes_is_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    // 83 three-byte characters (249 bytes) + "1.toml" (6) = 255 bytes.
    let stem: String = "预".repeat(83);
    let name = format!("{stem}1.toml");
    assert_eq!(name.len(), 255);
    let path = dir.path().join(&name);
    yusuan::write_atomically(&path, b"x = 1\n", yusuan::Lang::Zh).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"x = 1\n");
    // Nothing else is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
