//! A synthetic department of any size, for `yusuan bench --lines N`: large
//! files are measured on the same input everywhere.

use std::fmt::Write;

/// How many distinct 项 codes the synthetic file uses at most: about the
/// size of the national 支出功能分类 catalogue, so that a table has at
/// most as many rows as a real department's can.
pub const DISTINCT_CODES: usize = 1_430;

/// The sources a code's lines cycle through once every code is used.
const SOURCES: [&str; 7] = [
    "一般公共预算",
    "政府性基金",
    "国有资本经营",
    "财政专户",
    "事业收入",
    "经营收入",
    "其他收入",
];

/// The TOML text of a department (amounts in 元) with `lines` expenditure
/// lines: up to [`DISTINCT_CODES`] codes, then the same codes again from
/// the next source, so 10,000 lines are 1,430 codes × 7 sources.
pub fn department(lines: usize) -> String {
    let mut out = String::from(
        "[department]\ncode = \"999\"\nname = \"合成测试部门\"\nyear = 2024\nunit = \"元\"\n\n",
    );
    let codes = lines.clamp(1, DISTINCT_CODES);
    for i in 0..lines {
        let (kuan, xiang) = ((i % codes) / 99 + 1, (i % codes) % 99 + 1);
        let source = SOURCES[(i / codes) % SOURCES.len()];
        let _ = write!(
            out,
            "[[expenditure]]\ncode = \"201{kuan:02}{xiang:02}\"\nname = \"第{kuan}款第{xiang}项支出\"\nsource = \"{source}\"\nbasic = {}.{:02}\nproject = {}.50\n\n",
            (i * 7_919) % 100_000 + 1,
            i % 100,
            (i * 104_729) % 50_000
        );
    }
    out.push_str("[names]\n");
    for kuan in 1..=codes.div_ceil(99) {
        let _ = writeln!(out, "\"201{kuan:02}\" = \"第{kuan}款\"");
    }
    out
}

/// The TOML text of a department given as `n` budget-system records
/// (`[[fact]]`, amounts in 元) with every dimension — 单位, 功能分类 项,
/// 部门经济 款, 政府经济 款, kind, project — so that a profile's pivot and
/// cross tables have rows (`yusuan profile check`'s sample).
pub fn records(n: usize) -> String {
    let mut out = String::from(
        "[department]\ncode = \"999\"\nname = \"合成测试部门\"\nyear = 2024\nunit = \"元\"\n\n",
    );
    // (kind, 部门经济, 政府经济): 人员经费, 公用经费 and 项目支出 in turn.
    const KINDS: [(&str, &str, &str); 3] = [
        ("人员经费", "30101", "50101"),
        ("公用经费", "30201", "50201"),
        ("项目支出", "30227", "50205"),
    ];
    for i in 0..n.max(1) {
        let (kind, economic, government) = KINDS[i % KINDS.len()];
        let xiang = i / KINDS.len() % 99 + 1;
        let project = if kind == "项目支出" {
            format!("project = \"专项{xiang}\"\n")
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "[[fact]]\nunit = \"99900{}\"\nfunction = \"20101{xiang:02}\"\nname = \"第1款第{xiang}项支出\"\neconomic = \"{economic}\"\ngovernment = \"{government}\"\nkind = \"{kind}\"\n{project}amount = {}.{:02}\n\n",
            1 + i % 2,
            (i * 7_919) % 100_000 + 1,
            i % 100,
        );
    }
    out.push_str("[names]\n\"999001\" = \"合成测试部门本级\"\n\"999002\" = \"合成测试部门中心\"\n");
    out
}

/// [`records`] as a 部门决算 (`yusuan profile check` of a final-account
/// profile): each 项's spending also received as income, an opening and a
/// closing balance of the same size, and the 三公 budget beside its final
/// figures — so that every 决算 identity holds.
pub fn final_account(n: usize) -> String {
    let mut out = records(n);
    for i in 0..n.max(1) {
        let xiang = i / 3 % 99 + 1;
        let _ = write!(
            out,
            "\n[[fact]]\nfunction = \"20101{xiang:02}\"\nflow = \"收入\"\namount = {}.{:02}\n",
            (i * 7_919) % 100_000 + 1,
            i % 100,
        );
    }
    out.push_str(
        "\n[[fact]]\nflow = \"年初结转和结余\"\nfunction = \"2010101\"\namount = 1000.00\n",
    );
    out.push_str(
        "\n[[fact]]\nflow = \"年末结转和结余\"\nfunction = \"2010101\"\namount = 1000.00\n",
    );
    out.push_str("\n[sangong]\nreception = 1.20\nbudget = { reception = 2.00 }\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ten_thousand_lines_are_1430_codes_by_7_sources_and_check_clean() {
        let text = super::department(10_000);
        assert_eq!(text.matches("[[expenditure]]").count(), 10_000);
        let checked = crate::check_str("synthetic.toml", &text).ok().unwrap();
        assert!(!checked.diags.has_errors(), "{}", checked.diags);
        let t = checked.report.tables.unwrap();
        // 1,430 项 under 15 款 (99 项 each) of 类 201, and the 合计 row.
        assert_eq!(t.expenditure.rows.len(), 1 + 1 + 15 + 1_430);
    }
}
