//! Helpers shared by the integration tests: running the `yusuan` binary.

use std::ffi::OsStr;
use std::process::Command;

/// What one run of the binary gave.
pub struct Run {
    /// Exit code.
    pub code: Option<i32>,
    /// Everything printed to stderr.
    pub stderr: String,
    /// Everything printed to stdout.
    pub stdout: String,
}

impl Run {
    /// Asserts a zero exit, showing stderr otherwise.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "{}", self.stderr);
        self
    }
}

/// Runs `yusuan` with `args` (strings and paths alike).
pub fn yusuan(args: &[&dyn AsRef<OsStr>]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_yusuan"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("the yusuan binary runs");
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// One engine for every test (fonts loaded once for the binary).
pub static ENGINE: std::sync::LazyLock<yusuan::typeset::Engine> =
    std::sync::LazyLock::new(|| yusuan::typeset::Engine::new(&[]).unwrap());

/// The example file `name` (`kaiping-2024.toml`).
pub fn example(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// Each page's text runs joined without separators (a name wrapped in its
/// cell stays findable).
pub fn pages(doc: &typst_layout::PagedDocument) -> Vec<String> {
    yusuan::typeset::page_runs(doc)
        .into_iter()
        .map(|runs| runs.concat())
        .collect()
}

/// Each diagnostic's place (`file:line:col`) and Chinese message, in order;
/// only those of `rule` when one is given.
pub fn located<'a>(d: &'a yusuan::diag::Diagnostics, rule: Option<&str>) -> Vec<(String, &'a str)> {
    d.items
        .iter()
        .filter(|x| rule.is_none_or(|r| x.rule == r))
        .map(|x| (d.location(x), x.message.zh.as_str()))
        .collect()
}

/// The cell of a computed table (by id; `row` by code, "" for 合计), as a
/// normalized decimal: `cell(&c, "against_last_year", "2013201", "last")`.
pub fn cell(checked: &yusuan::Checked, table: &str, row: &str, column: &str) -> String {
    let t = checked.report.tables.as_ref().expect("tables");
    let found = t
        .trees()
        .into_iter()
        .find(|x| x.spec.id == table)
        .expect("table");
    found.row(row).expect("row").cells[column]
        .normalize()
        .to_string()
}

/// A small deterministic generator (xorshift64*): a failing case is
/// reproduced by its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A department file of one line that prints in the profile named "yunnan".
pub const YUNNAN_FILE: &str = "[department]\nname = \"x\"\nyear = 2024\nprofile = \"yunnan\"\n[[expenditure]]\ncode = \"2013201\"\nbasic = 1\n";

/// Writes the profile directory `dir/yunnan` (national's tables, printed in `unit`).
pub fn yunnan_profile(dir: &std::path::Path, unit: &str) {
    std::fs::create_dir_all(dir.join("yunnan")).unwrap();
    std::fs::write(
        dir.join("yunnan/profile.toml"),
        format!("name = \"yunnan\"\nbase = \"national\"\nprint_unit = \"{unit}\"\n"),
    )
    .unwrap();
}

/// The text of a PDF, as poppler reads it.
pub fn pdf_text(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (Debian: poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
