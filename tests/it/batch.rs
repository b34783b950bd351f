//! `render FILES… --out-dir DIR`: many files in one run, a report, shards,
//! byte-identical output whatever the thread count, unchanged files skipped.

use std::path::Path;

use crate::common::{example, yusuan};

/// A district: three good departments (one in a subdirectory) and a broken one.
fn district() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("街道")).unwrap();
    std::fs::copy(example("zengcheng-2024.toml"), input.join("zengcheng.toml")).unwrap();
    std::fs::copy(example("jinhua-2024.toml"), input.join("jinhua.toml")).unwrap();
    std::fs::copy(example("zengcheng-2024.toml"), input.join("街道/z2.toml")).unwrap();
    std::fs::write(
        input.join("街道/bad.toml"),
        "[department]\nname = \"坏\"\nyear = 2024\n[[expenditure]]\ncode = \"201\"\nbasic = 1\n",
    )
    .unwrap();
    dir
}

fn report(path: &Path) -> Vec<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_district_renders_every_good_file_and_reports_the_broken_one() {
    let d = district();
    let (input, out, rep) = (
        d.path().join("in"),
        d.path().join("out"),
        d.path().join("r.json"),
    );
    let run = yusuan(&[&"render", &input, &"--out-dir", &out, &"--report", &rep]);
    assert_eq!(run.code, Some(1), "one file failed: {}", run.stderr);
    assert!(
        run.stderr.contains("已生成 3 个，失败 1 个，未变 0 个"),
        "{}",
        run.stderr
    );
    for pdf in ["zengcheng.pdf", "jinhua.pdf", "街道/z2.pdf"] {
        assert!(
            std::fs::read(out.join(pdf)).unwrap().starts_with(b"%PDF-"),
            "{pdf}"
        );
    }
    assert!(!out.join("街道/bad.pdf").exists());
    let r = report(&rep);
    let by_input = |name: &str| {
        r.iter()
            .find(|o| o["input"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    let bad = by_input("bad.toml");
    assert_eq!(bad["status"], "failed");
    assert_eq!(bad["errors"][0]["rule"], "code");
    assert!(
        bad["errors"][0]["location"]
            .as_str()
            .unwrap()
            .ends_with("bad.toml:5:8")
    );
    assert_eq!(
        bad["errors"][0]["message"],
        "\"201\" 不是功能分类项编码：应为 7 位数字"
    );
    let good = by_input("jinhua.toml");
    assert_eq!(
        (&good["status"], &good["pages"]),
        (&"rendered".into(), &7.into())
    );
}

#[test]
fn one_thread_or_two_the_bytes_are_the_same_and_shards_cover_each_file_once() {
    let d = district();
    let input = d.path().join("in");
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &one,
        &"--jobs",
        &"1",
        &"-q",
    ]);
    yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &two,
        &"--jobs",
        &"2",
        &"-q",
    ]);
    for pdf in ["zengcheng.pdf", "jinhua.pdf", "街道/z2.pdf"] {
        assert_eq!(
            std::fs::read(one.join(pdf)).unwrap(),
            std::fs::read(two.join(pdf)).unwrap(),
            "{pdf}"
        );
    }
    let mut seen = vec![];
    for i in 1..=3 {
        let rep = d.path().join(format!("r{i}.json"));
        let shard = format!("{i}/3");
        yusuan(&[
            &"render",
            &input,
            &"--out-dir",
            &d.path().join("s"),
            &"--shard",
            &shard,
            &"--report",
            &rep,
            &"-q",
        ]);
        seen.extend(
            report(&rep)
                .iter()
                .map(|o| o["input"].as_str().unwrap().to_string()),
        );
    }
    seen.sort();
    let mut all: Vec<String> = [
        "jinhua.toml",
        "zengcheng.toml",
        "街道/bad.toml",
        "街道/z2.toml",
    ]
    .iter()
    .map(|f| input.join(f).display().to_string())
    .collect();
    all.sort();
    assert_eq!(seen, all, "every file exactly once");
    assert_eq!(
        yusuan(&[&"render", &input, &"--out-dir", &one, &"--shard", &"4/3"]).code,
        Some(2)
    );
}

#[test]
fn changed_skips_what_is_up_to_date() {
    let d = district();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    let changed = |expect: &str| {
        let run = yusuan(&[&"render", &input, &"--out-dir", &out, &"--changed", &"-q"]);
        assert!(run.stderr.contains(expect), "{expect}\n{}", run.stderr);
    };
    changed("已生成 3 个，失败 1 个，未变 0 个");
    changed("已生成 0 个，失败 1 个，未变 3 个");
    let z = input.join("zengcheng.toml");
    let text = std::fs::read_to_string(&z).unwrap();
    std::fs::write(&z, text.replace("增城", "增城区")).unwrap();
    changed("已生成 1 个，失败 1 个，未变 2 个");
}

#[test]
fn several_files_without_out_dir_is_a_usage_error() {
    let run = yusuan(&[
        &"render",
        &example("zengcheng-2024.toml"),
        &example("jinhua-2024.toml"),
        &"-o",
        &"x.pdf",
    ]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("一次生成多个文件请用 --out-dir 目录"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_consolidation_is_the_sum_of_its_departments_lines_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let kaiping = example("kaiping-2024.toml");
    // A second department of the same year: kaiping's lines under another name.
    let text = std::fs::read_to_string(&kaiping).unwrap();
    let second = dir.path().join("second.toml");
    std::fs::write(
        &second,
        text.replace(
            "name = \"中国共产党唐山市开平区委员会组织部\"",
            "name = \"第二个部门\"",
        )
        .replacen("code = \"203\"", "code = \"204\"", 1),
    )
    .unwrap();
    let out = dir.path().join("district.toml");
    yusuan(&[
        &"consolidate",
        &kaiping,
        &second,
        &"-o",
        &out,
        &"--name",
        &"开平区",
    ])
    .ok();
    let one = yusuan::check_file(&kaiping).unwrap();
    let district = yusuan::check_file(&out).unwrap();
    assert!(!district.diags.has_errors(), "{}", district.diags);
    let (a, d) = (
        one.report.tables.as_ref().unwrap(),
        district.report.tables.as_ref().unwrap(),
    );
    assert_eq!(district.report.department.name, "开平区");
    // Every row of the 支出总表, and the 三公 table, is twice kaiping's.
    assert_eq!(a.expenditure.rows.len(), d.expenditure.rows.len());
    for (x, y) in a.expenditure.rows.iter().zip(&d.expenditure.rows) {
        assert_eq!(x.code, y.code);
        let doubled: Vec<_> = x
            .values
            .iter()
            .map(|v| v * rust_decimal::Decimal::TWO)
            .collect();
        assert_eq!(y.values, doubled, "{} {}", x.code, x.name);
    }
    assert_eq!(d.expenditure.total().values[0].to_string(), "10928.76"); // 2 × 5464.38
    assert_eq!(d.sangong.row("合计").unwrap().values[0].to_string(), "54"); // 2 × 27.00
    // The summary table: a row per department and the 合计.
    let csv = std::fs::read_to_string(dir.path().join("district-summary.csv")).unwrap();
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "\u{feff}部门,合计,一般公共预算,政府性基金,国有资本经营,其他资金,基本支出,项目支出,“三公”经费",
            "合计,10928.76,10928.76,0.00,0.00,0.00,1057.24,9871.52,6.00",
            "203中国共产党唐山市开平区委员会组织部,5464.38,5464.38,0.00,0.00,0.00,528.62,4935.76,3.00",
            "204第二个部门,5464.38,5464.38,0.00,0.00,0.00,528.62,4935.76,3.00",
        ]
    );
    assert!(
        std::fs::read(dir.path().join("district-summary.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    // A bad department stops it, with its diagnostics, and nothing is written.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[department]\nname = \"坏\"\nyear = 2024\n[[expenditure]]\ncode = \"201\"\nbasic = 1\n",
    )
    .unwrap();
    let out2 = dir.path().join("d2.toml");
    let run = yusuan(&[&"consolidate", &kaiping, &bad, &"-o", &out2]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("bad.toml:5:8: 错误[code]"),
        "{}",
        run.stderr
    );
    assert!(!out2.exists());
}

#[test]
fn a_batch_writes_every_format_asked_for() {
    let d = district();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    let run = yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &out,
        &"--emit",
        &"pdf",
        &"--emit",
        &"xlsx",
        &"--emit",
        &"csv",
        &"--emit",
        &"json",
        &"-q",
    ]);
    assert_eq!(run.code, Some(1), "the broken file fails: {}", run.stderr);
    for f in [
        "zengcheng.pdf",
        "zengcheng.xlsx",
        "zengcheng.json",
        "zengcheng-csv/projects.csv",
        "街道/z2.xlsx",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert!(
        !out.join("街道/bad.xlsx").exists(),
        "nothing for a file with errors"
    );
    // The data hold the file's figures: seed 001's 26 projects.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("zengcheng.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["report"]["projects"]["projects"]
            .as_array()
            .unwrap()
            .len(),
        26
    );
    let csv = std::fs::read_to_string(out.join("zengcheng-csv/projects.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 26,
        "a header and a row per project"
    );
    assert!(
        std::fs::read(out.join("zengcheng.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    // Several --emit without --out-dir: a usage error.
    let one = yusuan(&[
        &"render",
        &example("zengcheng-2024.toml"),
        &"--emit",
        &"pdf",
        &"--emit",
        &"xlsx",
        &"-o",
        &"x",
    ]);
    assert_eq!(one.code, Some(2));
    assert!(
        one.stderr.contains("多个 --emit 需要 --out-dir 目录"),
        "{}",
        one.stderr
    );
}

/// Seven departments each with kaiping's own 0.02 gap between the 支出总表's
/// 基本支出 (528.62) and the 基本支出表 (528.64): summed, the gap is 0.14,
/// more than one file's rounding explains (±0.125 for 24 items) but within
/// seven departments' (25 × 7 / 2 × 0.01 = ±0.875).
#[test]
fn a_district_sums_its_departments_roundings_too() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("kaiping-2024.toml")).unwrap();
    let mut files = vec![];
    for i in 0..7 {
        let f = dir.path().join(format!("d{i}.toml"));
        std::fs::write(
            &f,
            // Seven departments: another code and another name each.
            text.replacen("code = \"203\"", &format!("code = \"{}\"", 300 + i), 1)
                .replacen("组织部\"", &format!("组织部{i}\""), 1),
        )
        .unwrap();
        files.push(f);
    }
    let out = dir.path().join("district.toml");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"consolidate"];
    args.extend(files.iter().map(|f| f as &dyn AsRef<std::ffi::OsStr>));
    args.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &out]);
    yusuan(&args).ok();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("\nconsolidated = 7\n")
    );
    let district = yusuan::check_file(&out).unwrap();
    assert!(!district.diags.has_errors(), "{}", district.diags);
    let r8: Vec<_> = district
        .diags
        .items
        .iter()
        .filter(|d| d.rule == "R8")
        .map(|d| d.message.zh.clone())
        .collect();
    assert_eq!(
        r8,
        [
            "支出总表 一般公共预算 基本支出 3700.34，基本支出表 合计 3700.48，相差 0.14（尾差：24 项 × 7 个部门四舍五入，允许 ±0.875）"
        ]
    );
}

/// A small department in 元: one 项 line of basic spending and its 经济分类.
fn small(code: &str, name: &str, econ: &[(&str, u32, &str)]) -> String {
    let total: u32 = econ.iter().map(|e| e.1).sum();
    let mut s = format!(
        "[department]\ncode = \"{code}\"\nname = \"{name}\"\nyear = 2024\nunit = \"元\"\n\n\
         [[expenditure]]\ncode = \"2013201\"\nsource = \"一般公共预算\"\nbasic = {total}\n"
    );
    for (c, v, kind) in econ {
        s.push_str(&format!(
            "\n[[basic_economic]]\ncode = \"{c}\"\namount = {v}\nkind = \"{kind}\"\n"
        ));
    }
    s
}

#[test]
fn symlinked_files_are_followed_and_said_and_a_broken_link_stops_a_consolidation() {
    let d = tempfile::tempdir().unwrap();
    let (input, elsewhere) = (d.path().join("in"), d.path().join("elsewhere"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(
        input.join("a.toml"),
        small("101", "甲", &[("30101", 10, "人员经费")]),
    )
    .unwrap();
    std::fs::write(
        elsewhere.join("b.toml"),
        small("102", "乙", &[("30101", 20, "人员经费")]),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.join("b.toml"), input.join("b.toml")).unwrap();
    let district = d.path().join("district.toml");
    let run = yusuan(&[&"consolidate", &input, &"-o", &district]).ok();
    assert!(
        run.stderr.contains("b.toml：符号链接，已跟随"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("已汇总 2 个部门"), "{}", run.stderr);
    // 10 + 20 元, both departments.
    let text = std::fs::read_to_string(&district).unwrap();
    assert!(text.contains("basic = \"30\""), "{text}");
    // The batch renders both and counts them.
    let out = d.path().join("out");
    let run = yusuan(&[&"render", &input, &"--out-dir", &out]).ok();
    assert!(
        run.stderr.contains("共 2 个文件（1 个经符号链接）"),
        "{}",
        run.stderr
    );
    assert!(out.join("b.pdf").exists());
    // A link to nothing is named; the consolidation refuses to sum fewer.
    std::os::unix::fs::symlink(d.path().join("gone.toml"), input.join("c.toml")).unwrap();
    std::fs::remove_file(&district).unwrap();
    let run = yusuan(&[&"consolidate", &input, &"-o", &district]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("c.toml：符号链接指向的文件不存在"),
        "{}",
        run.stderr
    );
    assert!(!district.exists());
    let run = yusuan(&[&"render", &input, &"--out-dir", &out]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("失败 1 个"), "{}", run.stderr);
}

#[test]
fn a_code_two_departments_name_differently_is_named_not_silently_chosen() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a.toml"), d.path().join("b.toml"));
    let district = d.path().join("district.toml");
    let named = |code: &str, dept: &str, name: &str| {
        small(code, dept, &[("30101", 20, "人员经费")])
            + &format!("\n[names]\n\"2013201\" = \"{name}\"\n")
    };
    std::fs::write(&a, named("101", "甲", "专项业务")).unwrap();
    std::fs::write(&b, named("102", "乙", "组织事务专项")).unwrap();
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let (fa, fb) = (a.display(), b.display());
    assert!(
        run.stderr.contains(&format!(
            "代码 2013201 在 {fa} 的 [names] 中叫「专项业务」，在 {fb} 中叫「组织事务专项」：汇总后只能用一个名称；请先统一"
        )),
        "{}",
        run.stderr
    );
    assert!(!district.exists());
    // The same name in both: summed, the name kept.
    std::fs::write(&b, named("102", "乙", "专项业务")).unwrap();
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&district).unwrap();
    assert!(text.contains("\n2013201 = \"专项业务\"\n"), "{text}");
    assert!(text.contains("\nbasic = \"40\"\n"), "{text}");
}

#[test]
fn one_department_in_two_files_is_not_summed_and_two_kinds_are_summed_apart() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.toml");
    let b = d.path().join("b.toml");
    let district = d.path().join("district.toml");
    // The same code in two files: 合计 would be 40 where the department spends 20.
    std::fs::write(&a, small("101", "甲", &[("30101", 20, "人员经费")])).unwrap();
    std::fs::write(&b, small("101", "甲（副本）", &[("30101", 20, "人员经费")])).unwrap();
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let (fa, fb) = (a.display(), b.display());
    assert!(
        run.stderr
            .contains(&format!("{fa} 和 {fb} 是同一个部门（101 甲（副本））")),
        "{}",
        run.stderr
    );
    assert!(!district.exists());
    // 30201 is 公用经费 in one and 人员经费 in the other: 10 / 20 must not become 30 / 0.
    std::fs::write(
        &a,
        small(
            "101",
            "甲",
            &[("30101", 5, "人员经费"), ("30201", 10, "公用经费")],
        ),
    )
    .unwrap();
    std::fs::write(
        &b,
        small(
            "102",
            "乙",
            &[("30101", 5, "人员经费"), ("30201", 20, "人员经费")],
        ),
    )
    .unwrap();
    // Summed per kind (issue 26): the district's 30201 is 公用经费 10 and
    // 人员经费 20, so 人员 5 + 5 + 20 = 30 元, 公用 10 元 (hand-worked),
    // printed in 万元: 0.003 and 0.001.
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let checked = yusuan::check_file(&district).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let basic = checked
        .report
        .tables
        .as_ref()
        .unwrap()
        .basic
        .total()
        .cells
        .clone();
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(
        (basic["personnel"], basic["public"]),
        (d("0.003"), d("0.001"))
    );
}

#[test]
fn every_output_collision_is_found_before_anything_renders() {
    let d = tempfile::tempdir().unwrap();
    for sub in ["d1", "d2"] {
        std::fs::create_dir_all(d.path().join(sub)).unwrap();
    }
    let body = small("101", "甲", &[("30101", 10, "人员经费")]);
    for f in ["d1/x.toml", "d1/y.toml", "d2/x.toml"] {
        std::fs::write(d.path().join(f), &body).unwrap();
    }
    let out = d.path().join("out");
    let p = |f: &str| d.path().join(f);
    let run = yusuan(&[
        &"render",
        &p("d1/x.toml"),
        &p("d1/y.toml"),
        &p("d2/x.toml"),
        &"--out-dir",
        &out,
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let expected = format!(
        "{} ← {}, {}",
        out.join("x.pdf").display(),
        p("d1/x.toml").display(),
        p("d2/x.toml").display()
    );
    assert!(
        run.stderr.contains(&expected),
        "{expected} in {}",
        run.stderr
    );
    assert!(!out.join("y.pdf").exists(), "nothing rendered");
}

#[test]
fn changed_renders_again_when_a_setting_changes_and_one_run_holds_the_directory() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("a.toml");
    std::fs::write(&input, small("101", "甲", &[("30101", 10, "人员经费")])).unwrap();
    let out = d.path().join("out");
    let run = || yusuan(&[&"render", &input, &"--out-dir", &out, &"--changed"]);
    assert!(run().ok().stderr.contains("已生成 1 个"));
    assert!(run().ok().stderr.contains("未变 1 个"));
    // PDF/A is another PDF: rendered again.
    let archival = yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &out,
        &"--changed",
        &"--pdf-standard",
        &"a-2b",
    ])
    .ok();
    assert!(
        archival.stderr.contains("已生成 1 个"),
        "{}",
        archival.stderr
    );
    // A catalogue file the input names is part of what it depends on.
    let catalogue =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue/2024.txt"))
            .unwrap();
    std::fs::write(d.path().join("cat.txt"), &catalogue).unwrap();
    let text = std::fs::read_to_string(&input)
        .unwrap()
        .replace("unit = \"元\"", "unit = \"元\"\ncatalogue = \"cat.txt\"");
    std::fs::write(&input, text).unwrap();
    assert!(run().ok().stderr.contains("已生成 1 个"));
    assert!(run().ok().stderr.contains("未变 1 个"));
    std::fs::write(d.path().join("cat.txt"), format!("{catalogue}\n")).unwrap();
    assert!(run().ok().stderr.contains("已生成 1 个"));
    // Another run holds the directory (this test's own process, alive).
    std::fs::write(out.join(".yusuan-lock"), std::process::id().to_string()).unwrap();
    let held = run();
    assert_eq!(held.code, Some(1), "{}", held.stderr);
    assert!(
        held.stderr.contains(&format!(
            "另一个 yusuan（进程 {}）正在向",
            std::process::id()
        )),
        "{}",
        held.stderr
    );
    // A lock its process left behind is taken over.
    std::fs::write(out.join(".yusuan-lock"), "999999999").unwrap();
    assert!(run().ok().stderr.contains("未变 1 个"));
    assert!(!out.join(".yusuan-lock").exists());
    // Stamps that cannot be written fail the run.
    std::fs::remove_file(out.join(".yusuan-stamps.json")).unwrap();
    std::fs::create_dir(out.join(".yusuan-stamps.json")).unwrap();
    let unrecorded = run();
    assert_eq!(unrecorded.code, Some(1), "{}", unrecorded.stderr);
    assert!(
        unrecorded.stderr.contains("无法记录本次生成"),
        "{}",
        unrecorded.stderr
    );
}

#[test]
fn a_job_writes_all_its_outputs_or_none() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("a.toml");
    std::fs::write(&input, small("101", "甲", &[("30101", 10, "人员经费")])).unwrap();
    let out = d.path().join("out");
    // The PDF cannot be put in place (a directory stands there): the
    // workbook and JSON made beside it must not be left either.
    std::fs::create_dir_all(out.join("a.pdf")).unwrap();
    let run = yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &out,
        &"--emit",
        &"pdf",
        &"--emit",
        &"xlsx",
        &"--emit",
        &"json",
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(!out.join("a.xlsx").exists());
    assert!(!out.join("a.json").exists());
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the directory: {left:?}");
}

#[test]
fn a_runaway_template_fails_its_document_alone() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("a.toml"),
        small("101", "甲", &[("30101", 10, "人员经费")]),
    )
    .unwrap();
    // The second department is printed in the hebei profile, whose entry
    // template is overridden by one that doubles a string until memory ends.
    let hebei = small("102", "乙", &[("30101", 10, "人员经费")])
        .replace("unit = \"元\"", "unit = \"元\"\nprofile = \"hebei\"");
    std::fs::write(input.join("b.toml"), hebei).unwrap();
    let templates = d.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let out = d.path().join("out");
    let rep = d.path().join("r.json");
    std::fs::write(
        templates.join("budget.typ.j2"),
        "{% if report.department.profile == \"hebei\" %}{% set s = namespace(x=\"ab\") %}\
         {% for i in range(40) %}{% set s.x = s.x ~ s.x %}{% endfor %}{{ s.x|length }}\
         {% else %}= 正常{% endif %}",
    )
    .unwrap();
    let run = yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &out,
        &"--templates",
        &templates,
        &"--max-memory",
        &"600",
        &"--report",
        &rep,
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(out.join("a.pdf").exists(), "{}", run.stderr);
    assert!(!out.join("b.pdf").exists());
    let r = report(&rep);
    let b = r
        .iter()
        .find(|o| o["input"].as_str().unwrap().ends_with("b.toml"))
        .unwrap();
    let message = b["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("所需内存超过每个进程 600 MB 的上限"),
        "{message}"
    );
    // A document that runs past --timeout is stopped; the other is rendered.
    std::fs::write(
        templates.join("budget.typ.j2"),
        "{% if report.department.profile == \"hebei\" %}#for i in range(30000) {for j in range(30000) {}}\
         {% else %}= 正常{% endif %}",
    )
    .unwrap();
    std::fs::remove_file(out.join("a.pdf")).unwrap();
    let run = yusuan(&[
        &"render",
        &input,
        &"--out-dir",
        &out,
        &"--templates",
        &templates,
        &"--timeout",
        &"2",
        &"--report",
        &rep,
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(out.join("a.pdf").exists(), "{}", run.stderr);
    let r = report(&rep);
    let b = r
        .iter()
        .find(|o| o["input"].as_str().unwrap().ends_with("b.toml"))
        .unwrap();
    assert_eq!(b["errors"][0]["rule"], "timeout");
    assert_eq!(
        b["errors"][0]["message"].as_str().unwrap(),
        "超过 2 秒仍未完成，已停止（可用 --timeout 放宽）"
    );
}

#[test]
fn a_template_that_is_no_file_or_too_large_is_refused_not_replaced() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("a.toml");
    std::fs::write(&input, small("101", "甲", &[("30101", 10, "人员经费")])).unwrap();
    let templates = d.path().join("templates");
    // A directory named like the entry template.
    std::fs::create_dir_all(templates.join("budget.typ.j2")).unwrap();
    let pdf = d.path().join("a.pdf");
    let run = yusuan(&[&"render", &input, &"-o", &pdf, &"--templates", &templates]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("is not a regular file"),
        "{}",
        run.stderr
    );
    assert!(!pdf.exists());
    std::fs::remove_dir(templates.join("budget.typ.j2")).unwrap();
    std::fs::write(templates.join("budget.typ.j2"), "x".repeat(2 << 20)).unwrap();
    let run = yusuan(&[&"render", &input, &"-o", &pdf, &"--templates", &templates]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is 2097152 bytes; a template may be at most 1048576 bytes"),
        "{}",
        run.stderr
    );
    assert!(!pdf.exists());
}

#[test]
fn jobs_must_be_at_least_one() {
    let run = yusuan(&[
        &"render",
        &example("kaiping-2024.toml"),
        &"--out-dir",
        &"/tmp/x",
        &"--jobs",
        &"0",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("must be at least 1"), "{}", run.stderr);
}

/// The worker processes of the batch whose parent is `pid`, counted from /proc.
fn workers_of(pid: u32) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid …: the ppid follows the closing parenthesis.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            ppid == Some(pid) && String::from_utf8_lossy(&cmd).contains("--worker")
        })
        .count()
}

/// `--jobs N` runs N workers at once: three slow documents (a template that
/// loops in Typst for a while) are rendered by three processes side by
/// side with `--jobs 3`, by one with `--jobs 1`.
#[test]
fn jobs_sets_how_many_workers_render_at_once() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for i in 0..3 {
        std::fs::write(
            input.join(format!("d{i}.toml")),
            small(
                &format!("10{i}"),
                &format!("部门{i}"),
                &[("30101", 10, "人员经费")],
            ),
        )
        .unwrap();
    }
    let templates = d.path().join("t");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("budget.typ.j2"),
        "#for i in range(3000) {for j in range(3000) {}}\n= {{ report.department.name }}\n",
    )
    .unwrap();
    for jobs in [3, 1] {
        let out = d.path().join(format!("out{jobs}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yusuan"))
            .args([
                "render",
                input.to_str().unwrap(),
                "--out-dir",
                out.to_str().unwrap(),
            ])
            .arg("--templates")
            .arg(&templates)
            .args(["--jobs", &jobs.to_string()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut most = 0;
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(120) {
                let _ = child.kill();
                panic!("--jobs {jobs}: the batch still runs after 120 s");
            }
            most = most.max(workers_of(child.id()));
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(most, jobs, "--jobs {jobs}");
        assert!(out.join("d2.pdf").exists());
    }
}

#[test]
fn changed_renders_again_when_the_profile_directory_changes() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("a.toml");
    std::fs::write(&input, small("101", "甲", &[("30101", 10, "人员经费")])).unwrap();
    let profile = d.path().join("region");
    std::fs::create_dir_all(profile.join("templates")).unwrap();
    std::fs::write(
        profile.join("profile.toml"),
        "name = \"region\"\nbase = \"national\"\n",
    )
    .unwrap();
    let out = d.path().join("out");
    let run = || {
        yusuan(&[
            &"render",
            &input,
            &"--out-dir",
            &out,
            &"--changed",
            &"--profile",
            &profile,
        ])
    };
    assert!(run().ok().stderr.contains("已生成 1 个"));
    assert!(run().ok().stderr.contains("未变 1 个"));
    // Its profile.toml edited: rendered again, then up to date.
    std::fs::write(
        profile.join("profile.toml"),
        "name = \"region\"\nbase = \"national\"\nprint_unit = \"元\"\n",
    )
    .unwrap();
    assert!(run().ok().stderr.contains("已生成 1 个"));
    assert!(run().ok().stderr.contains("未变 1 个"));
    // A template of its own added: rendered again.
    std::fs::write(
        profile.join("templates/helper.typ.j2"),
        "{# a helper nobody includes yet #}\n",
    )
    .unwrap();
    assert!(run().ok().stderr.contains("已生成 1 个"));
}

/// Issue 26, case 6: two departments whose records both use 单位 "01" (and
/// 02, 03) are kept apart in the district, as `<department>-01`, each with
/// its own name: every record of each department is there under its own
/// 单位 (counted from the files), never merged into the first's.
#[test]
fn units_two_departments_both_code_01_stay_two_units_in_the_district() {
    let d = tempfile::tempdir().unwrap();
    let audit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/beijing-audit-2026.toml"),
    )
    .unwrap();
    let stats = audit
        .replace("name = \"北京市审计局\"", "name = \"北京市统计局\"")
        .replace(
            "\"01\" = \"北京市审计局本级\"",
            "\"01\" = \"北京市统计局本级\"",
        );
    let (a, b) = (d.path().join("a.toml"), d.path().join("b.toml"));
    std::fs::write(&a, &audit).unwrap();
    std::fs::write(&b, &stats).unwrap();
    let district = d.path().join("district.toml");
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&district).unwrap();
    for unit in ["01", "02", "03"] {
        let records = audit.matches(&format!("\nunit = \"{unit}\"\n")).count();
        assert!(records > 0);
        for dept in ["北京市审计局", "北京市统计局"] {
            let written = text
                .matches(&format!("\nunit = \"{dept}-{unit}\"\n"))
                .count();
            assert_eq!(written, records, "{dept} {unit}");
        }
        assert!(
            !text.contains(&format!("\nunit = \"{unit}\"\n")),
            "{unit} merged"
        );
    }
    assert!(
        text.contains("\"北京市审计局-01\" = \"北京市审计局本级\""),
        "{text}"
    );
    assert!(
        text.contains("\"北京市统计局-01\" = \"北京市统计局本级\""),
        "{text}"
    );
}

/// Issue 26, case 7: `[[list.*]]` rows are carried into the district, each
/// department's rows as they are: two 西安 departments with the example's
/// 27 list rows give 54, and the district's 专项资金 list prints
/// 550000.00 + 550000.00 = 1100000.00 元 in its 合计 (hand-worked).
#[test]
fn list_rows_reach_the_district() {
    let d = tempfile::tempdir().unwrap();
    let xian = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/xian-petition-2026.toml"),
    )
    .unwrap();
    let other = xian
        .replacen("name = \"西安市信访局\"", "name = \"西安市档案局\"", 1)
        .replacen("code = \"121\"", "code = \"122\"", 1);
    let (a, b) = (d.path().join("a.toml"), d.path().join("b.toml"));
    std::fs::write(&a, &xian).unwrap();
    std::fs::write(&b, &other).unwrap();
    let district = d.path().join("district.toml");
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&district).unwrap();
    assert_eq!(text.matches("[[list.").count(), 54, "{text}");
    let checked = yusuan::check_file(&district).unwrap();
    let tables = checked.report.tables.as_ref().unwrap();
    let funds = tables
        .trees()
        .into_iter()
        .find(|t| t.spec.id == "special_funds")
        .unwrap();
    let total = funds.rows[0].cells["amount"];
    assert_eq!(total, rust_decimal::Decimal::from(1_100_000));
}

/// Issue 26, case 8: departments that mix `[[fact]]` records with
/// `[[expenditure]]`/`[[basic_economic]]` lines, and a 项 given split (the
/// records' 人员/公用) beside the same 项 unsplit (事业收入 基本 5), are
/// consolidated, and nothing is lost or counted twice: each department
/// spends 167.75 (its records) + 55 + 5 = 227.75, the district 455.50.
#[test]
fn departments_mixing_records_and_lines_consolidate_whole() {
    let d = tempfile::tempdir().unwrap();
    let records = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts/budget.toml"),
    )
    .unwrap();
    let mixed = records
        + "\n[[expenditure]]\ncode = \"2013202\"\nproject = 50\nbasic = 5\n\n[[basic_economic]]\ncode = \"30102\"\namount = 5\nkind = \"人员经费\"\n\n[[expenditure]]\ncode = \"2013201\"\nsource = \"事业收入\"\nbasic = 5\n";
    let (a, b) = (d.path().join("a.toml"), d.path().join("b.toml"));
    std::fs::write(&a, &mixed).unwrap();
    std::fs::write(&b, mixed.replace("name = \"测试局\"", "name = \"另一局\"")).unwrap();
    let district = d.path().join("district.toml");
    let run = yusuan(&[&"consolidate", &a, &b, &"-o", &district]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let checked = yusuan::check_file(&district).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    let total = t.expenditure.total().cells["total"];
    assert_eq!(total, "455.50".parse::<rust_decimal::Decimal>().unwrap());
    let basic = t.basic.total().cells["total"];
    assert_eq!(basic, "250".parse::<rust_decimal::Decimal>().unwrap());
}

#[test]
fn a_department_of_projects_only_is_no_row_of_zeros_in_the_district_summary() {
    // Jinhua's file holds projects only: it has no budget tables to sum.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("district.toml");
    yusuan(&[
        &"consolidate",
        &example("kaiping-2024.toml"),
        &example("jinhua-2024.toml"),
        &"-o",
        &out,
        &"--name",
        &"区",
    ])
    .ok();
    let csv = std::fs::read_to_string(dir.path().join("district-summary.csv")).unwrap();
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "合计,5464.38,5464.38,0.00,0.00,0.00,528.62,4935.76,3.00",
            "203中国共产党唐山市开平区委员会组织部,5464.38,5464.38,0.00,0.00,0.00,528.62,4935.76,3.00",
        ]
    );
}

/// A district's 部门决算: consolidation keeps every fact's flow and basis —
/// income stays income, balances balances, the 三公 预算数 a budget — so the
/// district's 收入支出决算总表 is each department's twice (two copies of seed
/// 008: 40,902.70 of income, 29,145.06 spent, 14,988.12 carried to next
/// year) and balances, and its 三公 预算数 are 2 × 76.43.
#[test]
fn consolidation_keeps_a_final_accounts_flows_and_budget() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("national-petition-final-2024.toml")).unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, &text).unwrap();
    std::fs::write(
        &b,
        text.replace(
            "name = \"国家信访局\"",
            "name = \"国家信访局直属单位\"\ncode = \"2\"",
        ),
    )
    .unwrap();
    let out = dir.path().join("d.toml");
    yusuan(&[&"consolidate", &a, &b, &"-o", &out, &"--name", &"合并"]).ok();
    let checked = yusuan::check_file(&out).unwrap();
    assert!(!checked.diags.has_errors(), "{}", checked.diags);
    let t = checked.report.tables.as_ref().unwrap();
    let totals: Vec<(String, String)> = t
        .summary
        .totals
        .iter()
        .map(|r| {
            (
                r.left_value.normalize().to_string(),
                r.right_values[0].normalize().to_string(),
            )
        })
        .collect();
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        totals,
        [
            s("40902.7", "29145.06"),
            s("0", "0"),
            s("3230.48", "14988.12"),
            s("44133.18", "44133.18")
        ]
    );
    let sangong = t.sangong.row("合计").unwrap();
    assert_eq!(sangong.cells["budget"].normalize().to_string(), "152.86");
}
