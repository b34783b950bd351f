//! Helpers shared by the integration tests: running the `yusuan` binary.

use std::ffi::OsStr;
use std::process::Command;

/// What one run of the binary gave.
pub struct Run {
    /// Exit code.
    pub code: Option<i32>,
    /// Everything printed to stderr.
    pub stderr: String,
}

impl Run {
    /// Asserts a zero exit, showing stderr otherwise.
    #[allow(dead_code)] // not every test binary that shares this module needs it
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
    }
}
