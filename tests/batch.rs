//! `render FILES… --out-dir DIR`: many files in one run, a report, shards,
//! byte-identical output whatever the thread count, unchanged files skipped.

use std::path::{Path, PathBuf};

mod common;

use common::yusuan;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

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
            text.replacen("code = \"203\"", &format!("code = \"{}\"", 300 + i), 1),
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
