//! The workspace directory `yusuan serve` works on: which names may be
//! read or written (nothing outside it, no hidden file, no path tricks),
//! the department files it holds, their versions, and where yusuan keeps
//! its own files (`.yusuan/`: the cells imported values came from, the
//! PDFs of "render all").

use std::path::{Component, Path, PathBuf};

use crate::diag::Text;
use crate::text;

/// Where yusuan keeps its own files inside the workspace.
pub const OWN: &str = ".yusuan";

/// The largest upload or saved file accepted: the CLI's input limit.
pub const MAX_UPLOAD: u64 = crate::load::MAX_INPUT;

/// A workspace: a directory, canonical.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory, canonical (symbolic links resolved).
    pub dir: PathBuf,
}

/// The version of a file's content: what a save must name to replace it.
pub fn version(bytes: &[u8]) -> String {
    crate::ident(&String::from_utf8_lossy(bytes))
}

impl Workspace {
    /// Opens `dir` (it must be a directory).
    pub fn open(dir: &Path) -> Result<Workspace, Text> {
        let d = dir.display();
        let dir = dir.canonicalize().map_err(|e| {
            text!(
                "无法打开工作目录 {d}：{e}",
                "cannot open the workspace {d}: {e}"
            )
        })?;
        if !dir.is_dir() {
            return Err(text!("{d} 不是目录", "{d} is not a directory"));
        }
        Ok(Workspace { dir })
    }

    /// The path of the workspace file `name` (`a.toml`, `区县/a.toml`),
    /// refused when the name could reach outside the workspace or into
    /// yusuan's own files, or does not end in one of `extensions`.
    pub fn path(&self, name: &str, extensions: &[&str]) -> Result<PathBuf, Text> {
        let shown = crate::diag::printable(name);
        let refuse = |why: Text| {
            let (zh, en) = (why.zh, why.en);
            text!(
                "文件名「{shown}」不可用：{zh}",
                "the name \"{shown}\" is refused: {en}"
            )
        };
        if name.is_empty() || name.len() > 255 {
            return Err(refuse(text!("长度应为 1–255 字节", "1 to 255 bytes long")));
        }
        if name
            .chars()
            .any(|c| c.is_control() || c == '\\' || c == ':')
        {
            return Err(refuse(text!(
                "不能含控制字符、反斜杠或冒号",
                "no control character, backslash or colon"
            )));
        }
        let rel = Path::new(name);
        for c in rel.components() {
            match c {
                Component::Normal(s) if !s.to_string_lossy().starts_with('.') => {}
                _ => {
                    return Err(refuse(text!(
                        "不能含 ..、以 . 开头的部分或绝对路径（只能是工作目录里的文件）",
                        "no .., no part starting with a dot, no absolute path (only files inside the workspace)"
                    )));
                }
            }
        }
        if !extensions
            .iter()
            .any(|e| name.to_lowercase().ends_with(&format!(".{e}")))
        {
            let list = extensions.join(", ");
            return Err(refuse(text!(
                "扩展名应为 {list}",
                "the extension must be {list}"
            )));
        }
        let path = self.dir.join(rel);
        self.inside(&path).map_err(refuse)?;
        Ok(path)
    }

    /// Refuses `path` when it (or, not existing yet, its directory) resolves
    /// outside the workspace through a symbolic link.
    pub fn inside(&self, path: &Path) -> Result<(), Text> {
        let real = match path.canonicalize() {
            Ok(p) => p,
            Err(_) => match path.parent().map(Path::canonicalize) {
                Some(Ok(p)) => p,
                _ => {
                    return Err(text!("所在目录不存在", "its directory does not exist"));
                }
            },
        };
        if real.starts_with(&self.dir) {
            Ok(())
        } else {
            Err(text!("指向工作目录之外", "it leads outside the workspace"))
        }
    }

    /// The department files: every `.toml` under the workspace, by name,
    /// but for yusuan's own directory, hidden ones and profile directories
    /// (a directory holding `profile.toml`).
    pub fn files(&self) -> Vec<String> {
        let mut out = vec![];
        self.walk(&self.dir, 0, &mut out);
        out.sort();
        out
    }

    /// Why the listed `name` cannot be opened: its name on disk is not
    /// UTF-8 (a GBK name from an old archive), so it is listed with
    /// replacement characters and no such file exists.
    pub fn unreadable(&self, name: &str) -> Option<Text> {
        (name.contains('\u{FFFD}') && !self.dir.join(name).exists()).then(|| {
            text!(
                "文件名不是 UTF-8 编码（可能是 GBK 等旧编码）：请先把「{name}」改成新名字（如在文件管理器里重命名），再打开",
                "the file name is not UTF-8 (perhaps GBK): rename \"{name}\" (in a file manager, say) before opening it"
            )
        })
    }

    fn walk(&self, dir: &Path, depth: usize, out: &mut Vec<String>) {
        if depth > 8 || dir.join("profile.toml").is_file() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let path = e.path();
            if self.inside(&path).is_err() {
                continue;
            }
            if path.is_dir() {
                self.walk(&path, depth + 1, out);
            } else if name.to_lowercase().ends_with(".toml")
                && let Ok(rel) = path.strip_prefix(&self.dir)
            {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    /// The profile directories under the workspace, by name.
    pub fn profile_dirs(&self) -> Vec<String> {
        let mut out = vec![];
        let mut stack = vec![(self.dir.clone(), 0)];
        while let Some((dir, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                let hidden = e.file_name().to_string_lossy().starts_with('.');
                if hidden || !path.is_dir() || self.inside(&path).is_err() {
                    continue;
                }
                if path.join("profile.toml").is_file() {
                    if let Ok(rel) = path.strip_prefix(&self.dir) {
                        out.push(rel.to_string_lossy().replace('\\', "/"));
                    }
                } else if depth < 4 {
                    stack.push((path, depth + 1));
                }
            }
        }
        out.sort();
        out
    }

    /// A profile directory named relative to the workspace, refused outside it.
    pub fn profile_dir(&self, name: &str) -> Result<PathBuf, Text> {
        let shown = crate::diag::printable(name);
        let refused = || {
            text!(
                "模板目录「{shown}」不可用：只能选工作目录里含 profile.toml 的目录",
                "the profile directory \"{shown}\" is refused: only directories inside the workspace holding a profile.toml"
            )
        };
        let rel = Path::new(name);
        if name.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(refused());
        }
        let path = self.dir.join(rel);
        if self.inside(&path).is_err() || !path.join("profile.toml").is_file() {
            return Err(refused());
        }
        path.canonicalize().map_err(|_| refused())
    }

    /// Refuses a department file (`name`, its text) whose `[department]`
    /// names a profile directory or catalogue file outside the workspace, or
    /// whose `[last_year] from` does: what the server reads stays inside it.
    pub fn refs_inside(&self, name: &str, text: &str) -> Result<(), Text> {
        let Ok(doc) = text.parse::<toml::Table>() else {
            return Ok(()); // the check reports the syntax
        };
        let Some(d) = doc.get("department").and_then(|d| d.as_table()) else {
            return Ok(());
        };
        let base = self
            .dir
            .join(name)
            .parent()
            .map_or(self.dir.clone(), Path::to_path_buf);
        for key in ["profile", "catalogue"] {
            let Some(spec) = d.get(key).and_then(|v| v.as_str()) else {
                continue;
            };
            if key == "profile" && !crate::profile::is_path(spec) {
                continue;
            }
            let path = base.join(spec);
            if self.inside(&path).is_err() {
                let shown = crate::diag::printable(spec);
                return Err(text!(
                    "[department] {key} = \"{shown}\" 指向工作目录之外：yusuan serve 只读工作目录里的文件",
                    "[department] {key} = \"{shown}\" leads outside the workspace: yusuan serve reads only files inside it"
                ));
            }
        }
        // Last year's file and a 决算's budget file too: their figures and
        // names would be shown.
        for table in ["last_year", "budget"] {
            let from = doc
                .get(table)
                .and_then(|l| l.get("from"))
                .and_then(|v| v.as_str());
            if let Some(spec) = from
                && self.inside(&base.join(spec)).is_err()
            {
                let shown = crate::diag::printable(spec);
                return Err(text!(
                    "[{table}] from = \"{shown}\" 指向工作目录之外：yusuan serve 只读工作目录里的文件",
                    "[{table}] from = \"{shown}\" leads outside the workspace: yusuan serve reads only files inside it"
                ));
            }
        }
        Ok(())
    }

    /// yusuan's own directory, created.
    pub fn own(&self, sub: &str) -> std::io::Result<PathBuf> {
        let p = self.dir.join(OWN).join(sub);
        std::fs::create_dir_all(&p)?;
        Ok(p)
    }

    /// Where the cells of an imported file are kept.
    pub fn origins_path(&self, name: &str) -> PathBuf {
        self.dir
            .join(OWN)
            .join("cells")
            .join(format!("{}.json", crate::ident(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_workspace_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let w = Workspace::open(dir.path()).unwrap();
        assert!(w.path("a.toml", &["toml"]).is_ok());
        for bad in [
            "../a.toml",
            "/etc/passwd.toml",
            "a/../../b.toml",
            ".yusuan/x.toml",
            "a\\..\\b.toml",
            "a.exe",
            "",
        ] {
            assert!(w.path(bad, &["toml"]).is_err(), "{bad}");
        }
        // Listed and opened whatever the extension's case (Windows writes K.TOML).
        std::fs::write(dir.path().join("K.TOML"), "").unwrap();
        std::fs::write(dir.path().join("k.txt"), "").unwrap();
        assert_eq!(w.files(), ["K.TOML"]);
        assert!(w.path("K.TOML", &["toml"]).is_ok());
        let e = w.path("../x.toml", &["toml"]).unwrap_err();
        assert_eq!(
            e.zh,
            "文件名「../x.toml」不可用：不能含 ..、以 . 开头的部分或绝对路径（只能是工作目录里的文件）"
        );
    }
}
