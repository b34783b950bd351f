//! Embeds `templates/`, `profiles/` and `catalogue/` in the binary: writes
//! `$OUT_DIR/embedded.rs` (templates, profiles) and `$OUT_DIR/catalogues.rs`
//! with one `include_str!` per file, sorted by path,
//! so that adding a built-in template or profile is adding a file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for e in entries {
            let path = e.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    // Templates first (`budget.typ.j2`, the entry, leads), then other files.
    out.sort_by_key(|p| (p.extension().is_none_or(|e| e != "j2"), p.clone()));
    out
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("under root")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut code = String::new();

    let templates = manifest.join("templates");
    println!("cargo:rerun-if-changed={}", templates.display());
    code.push_str("/// The built-in templates: (path under templates/, content).\n");
    code.push_str("pub const TEMPLATES: &[(&str, &str)] = &[\n");
    for f in files(&templates) {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            rel(&templates, &f),
            f
        );
    }
    code.push_str("];\n");

    let profiles = manifest.join("profiles");
    println!("cargo:rerun-if-changed={}", profiles.display());
    code.push_str(
        "/// The built-in profile directories: (path under profiles/, content), e.g. `shanghai/profile.toml`.\n",
    );
    code.push_str("pub const PROFILE_FILES: &[(&str, &str)] = &[\n");
    for f in files(&profiles) {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            rel(&profiles, &f),
            f
        );
    }
    code.push_str("];\n");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out_dir.join("embedded.rs"), code).expect("write embedded.rs");

    // The catalogues in a file of their own: `catalogue` includes it and
    // needs nothing of the profiles.
    let mut code = String::new();
    let catalogue = manifest.join("catalogue");
    println!("cargo:rerun-if-changed={}", catalogue.display());
    code.push_str("/// The built-in catalogues: (year, file text), one `catalogue/<year>.txt` each, by year.\n");
    code.push_str("pub const CATALOGUES: &[(i32, &str)] = &[\n");
    let mut years: Vec<(i32, PathBuf)> = files(&catalogue)
        .into_iter()
        .filter_map(|f| {
            let year = f.file_stem()?.to_str()?.parse().ok()?;
            (f.extension()? == "txt").then_some((year, f))
        })
        .collect();
    years.sort();
    for (year, f) in years {
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(code, "    ({year}, include_str!({:?})),", f);
    }
    code.push_str("];\n");

    std::fs::write(out_dir.join("catalogues.rs"), code).expect("write catalogues.rs");
}
