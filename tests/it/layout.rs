//! Layouts that fit any figure: every example in every profile, and stress
//! files (12-digit 元 amounts in every column of every table, 200-character
//! names, 60-letter codes), render with no glyph printed over another, across
//! a table rule or off the page.

use crate::common::ENGINE;
use std::path::Path;

use yusuan::render::Renderer;
use yusuan::typeset::{self};

const PROFILES: &[&str] = &["national", "hebei", "guangzhou", "ningxia", "shanghai"];

fn render(name: &str, checked: yusuan::Checked) -> yusuan::Rendered {
    let profile = yusuan::profile::find(checked.report.department.profile).unwrap();
    let renderer = Renderer::for_profile(profile, None).unwrap();
    match yusuan::render_checked(&ENGINE, &renderer, checked) {
        Ok(r) => r,
        Err(e) => panic!("{name} does not render: {e}"),
    }
}

fn assert_readable(name: &str, rendered: &yusuan::Rendered) {
    let problems = yusuan::layout::problems(&rendered.document);
    assert!(
        problems.is_empty(),
        "{name}: {} {:?}",
        yusuan::layout::summary(&problems),
        &problems[..problems.len().min(10)]
    );
}

fn options(profile: &str) -> yusuan::Options {
    yusuan::Options {
        layout: None,
        profile: Some(profile.to_string()),
        ..Default::default()
    }
}

#[test]
fn every_example_in_every_profile_is_readable() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 10, "{files:?}");
    for file in &files {
        // A file with rows of a profile's own list tables prints in that profile only.
        let text = std::fs::read_to_string(file).unwrap();
        let own = [text
            .lines()
            .find_map(|l| l.strip_prefix("profile = \""))
            .and_then(|l| l.split('"').next())
            .unwrap_or("national")];
        // So does a 部门决算: its income and balances mean nothing to a budget's tables.
        let final_account = yusuan::profile::find(own[0]).is_some_and(|p| p.final_account);
        let profiles = if text.contains("[[list.") || final_account {
            &own[..]
        } else {
            PROFILES
        };
        for profile in profiles {
            let name = format!("{} as {profile}", file.display());
            let checked = yusuan::check_file_with(file, options(profile)).unwrap();
            assert!(!checked.diags.has_errors(), "{name}: {}", checked.diags);
            let rendered = render(&name, checked);
            assert_readable(&name, &rendered);
        }
    }
}

/// A budget with 12-digit 元 amounts in every column of every table (each
/// leaf 99,999,999,999.99 so that totals reach 12 digits), 200-character
/// names and, for projects, 60-letter codes.
fn stress(sources: &[&str], kinds: &[&str]) -> String {
    let long_name: String = "超长名称测试".repeat(34).chars().take(200).collect();
    let code60: String = "ABCDEFGHIJ".repeat(6);
    let amount = "99999999999.99";
    let mut s = format!(
        "[department]\ncode = \"{code60}\"\nname = \"{long_name}\"\nyear = 2025\nunit = \"元\"\nprint_unit = \"元\"\n\n"
    );
    let codes = ["2013201", "2080501", "2210201"];
    for (i, source) in sources.iter().enumerate() {
        let code = codes[i % codes.len()];
        s.push_str(&format!(
            "[[expenditure]]\ncode = \"{code}\"\nname = \"{long_name}\"\nsource = \"{source}\"\n"
        ));
        for kind in kinds {
            s.push_str(&format!("{kind} = {amount}\n"));
        }
        s.push('\n');
    }
    // 人员经费 + 公用经费 = the 一般公共预算 line's 基本支出 (R8).
    for (code, part) in [("30101", "49999999999.99"), ("30201", "50000000000.00")] {
        s.push_str(&format!(
            "[[basic_economic]]\ncode = \"{code}\"\nname = \"{long_name}\"\namount = {part}\n\n"
        ));
    }
    s.push_str(&format!(
        "[sangong]\nabroad_research = {{ general = {amount}, fund = {amount}, soe = {amount} }}\nabroad_other = {amount}\nvehicle_purchase = {amount}\nvehicle_operation = {amount}\nreception = {amount}\nrunning_costs = {amount}\n\n"
    ));
    // Σ projects = 项目支出 (R16): one project per two lines, each with two sources.
    for p in 0..sources.len() / 2 {
        let second = if p % 2 == 0 {
            "special_account"
        } else {
            "other"
        };
        s.push_str(&format!(
            "[[project]]\nunit = \"{long_name}{}\"\ncode = \"{}{p:02}\"\nname = \"{long_name}\"\nfiscal = {amount}\n{second} = {amount}\nplan = [25, 50, 75, 100]\ngoal = \"{long_name}\"\npurpose = \"{long_name}\"\nsupervisor_code = \"{code60}\"\nimplementer_code = \"{code60}\"\n\n",
            p % 2,
            &code60[..58]
        ));
        for (l1, l2) in [("产出指标", "数量指标"), ("效益指标", "社会效益")] {
            s.push_str(&format!(
                "[[project.indicator]]\nlevel1 = \"{l1}\"\nlevel2 = \"{l2}\"\nname = \"{long_name}{p}\"\nvalue = \"{code60}\"\ndescription = \"{long_name}\"\nbasis = \"{long_name}\"\n\n"
            ));
        }
    }
    s
}

fn render_stress(name: &str, text: &str, profile: &str) -> yusuan::Rendered {
    let loaded = yusuan::check_str_with(name, text, options(profile)).unwrap();
    let errors: Vec<_> = loaded
        .diags
        .items
        .iter()
        .filter(|d| d.severity == yusuan::diag::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    render(name, loaded)
}

#[test]
fn twelve_digit_amounts_long_names_and_codes_fit_in_every_profile() {
    let national = stress(
        &[
            "一般公共预算",
            "政府性基金",
            "国有资本经营",
            "财政专户",
            "事业收入",
            "经营收入",
            "上级补助",
            "附属单位上缴",
            "其他收入",
            "上年结转",
        ],
        &["basic", "project"],
    );
    let shanghai = stress(
        &[
            "一般公共预算",
            "政府性基金",
            "国有资本经营",
            "事业收入",
            "经营收入",
            "其他收入",
        ],
        &["basic", "project"],
    );
    for profile in PROFILES {
        let text = if *profile == "shanghai" {
            &shanghai
        } else {
            &national
        };
        for layout in ["list", "card", "sheet"] {
            let text = text.replace(
                "[department]",
                &format!("[projects]\nlayout = \"{layout}\"\n\n[department]"),
            );
            let name = format!("stress as {profile}, {layout}");
            let rendered = render_stress(&name, &text, profile);
            assert_readable(&name, &rendered);
            // The biggest total prints whole: 10 lines × 2 kinds of 99,999,999,999.99.
            let text: String = typeset::page_runs(&rendered.document).concat().concat();
            let total = if *profile == "shanghai" {
                "1,199,999,999,999.88"
            } else {
                "1999999999999.80"
            };
            assert!(text.contains(total), "{name} lacks {total}");
        }
    }
}

/// The checker finds what it exists to find: on a 200 pt page, 乙 set 3 pt
/// after 甲 (a CJK glyph is 11 pt wide at 11 pt: they overlap by 8 pt), 外
/// set at 195 pt (its right edge at 206 pt, past the page), and 十 with a
/// vertical rule drawn through its middle. Nothing else is wrong on it.
#[test]
fn the_layout_check_finds_overprinted_crossed_and_outside_glyphs() {
    let source = "#set page(width: 200pt, height: 200pt, margin: 0pt)\n\
                  #set text(size: 11pt)\n\
                  #place(top + left, dx: 10pt, dy: 10pt)[甲]\n\
                  #place(top + left, dx: 13pt, dy: 10pt)[乙]\n\
                  #place(top + left, dx: 195pt, dy: 60pt)[外]\n\
                  #place(top + left, dx: 50pt, dy: 120pt)[十]\n\
                  #place(top + left, dx: 55.5pt, dy: 110pt, line(angle: 90deg, length: 30pt))\n";
    let doc = ENGINE.compile(source.to_string(), 2024).unwrap();
    let found: Vec<(usize, &str, String)> = yusuan::layout::problems(&doc)
        .into_iter()
        .map(|p| (p.page, p.kind, p.text))
        .collect();
    assert_eq!(
        found,
        [
            (1, "overprint", "乙".to_string()),
            (1, "outside", "外".to_string()),
            (1, "crossed", "十".to_string()),
        ]
    );
    // Moved apart, inside, and the rule beside 十: nothing.
    let fixed = source
        .replace("dx: 13pt", "dx: 30pt")
        .replace("dx: 195pt", "dx: 150pt")
        .replace("dx: 55.5pt", "dx: 70pt");
    let doc = ENGINE.compile(fixed, 2024).unwrap();
    assert_eq!(yusuan::layout::problems(&doc), []);
}

/// A template that prints over itself gets the `layout-check` warning, with
/// the pages, the counts and the glyphs, and still renders.
#[test]
fn a_template_that_overprints_gets_the_layout_check_warning() {
    let d = tempfile::tempdir().unwrap();
    let templates = d.path().join("t");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("budget.typ.j2"),
        "#set page(width: 200pt, height: 200pt, margin: 0pt)\n\
         #place(top + left, dx: 10pt, dy: 10pt)[甲]\n\
         #place(top + left, dx: 13pt, dy: 10pt)[乙]\n\
         #pagebreak()\n\
         #place(top + left, dx: 195pt, dy: 60pt)[外]\n",
    )
    .unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kaiping-2024.toml");
    let pdf = d.path().join("x.pdf");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .arg("render")
        .arg(&example)
        .arg("-o")
        .arg(&pdf)
        .arg("--templates")
        .arg(&templates)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "警告[layout-check]: 第 1, 2 页有无法看清的文字：overprint=1 crossed=0 outside=1（在 \"乙外\" 附近）；模板印的内容超出了单元格"
        ),
        "{stderr}"
    );
}
