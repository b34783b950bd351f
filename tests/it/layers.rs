//! The code's layers: no module reaches one that reaches it back. Every
//! `crate::a::b` and `super::x` a source file names (comments apart) is an
//! edge from that file to the file of the module named; the graph of the
//! 50-odd files must have no cycle, so data flows one way (input → facts →
//! tables → checks → narrative → render → typeset).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The file that holds module `parts` (`["workbook", "sheet"]`), if any.
fn file_of(src: &Path, parts: &[&str]) -> Option<PathBuf> {
    // The longest prefix that is a file: `crate::compute::Tables` → compute.rs.
    for n in (1..=parts.len()).rev() {
        let dir: PathBuf = parts[..n].iter().collect();
        for candidate in [
            src.join(&dir).with_extension("rs"),
            src.join(&dir).join("mod.rs"),
        ] {
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The module path of a source file: src/workbook/sheet.rs → [workbook, sheet].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The path after `prefix` at each place it occurs in `line`: `a::b::C`.
fn paths_after<'a>(line: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = vec![];
    let mut from = 0;
    while let Some(i) = line[from..].find(prefix) {
        let start = from + i + prefix.len();
        let rest = &line[start..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..end].split("::").filter(|s| !s.is_empty()).collect());
        from = start;
    }
    out
}

/// Each source file and the files it names.
fn graph(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut files = vec![];
    sources(src, &mut files);
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for file in &files {
        let own = module_of(src, file);
        let text = std::fs::read_to_string(file).unwrap();
        let to = edges.entry(file.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for path in paths_after(code, "crate::") {
                if let Some(f) = file_of(src, &path) {
                    to.insert(f);
                }
            }
            for path in paths_after(code, "super::") {
                // `super` of a/b.rs (or of a/b/mod.rs) is module a.
                let parent = &own[..own.len().saturating_sub(1)];
                let mut parts: Vec<&str> = parent.iter().map(String::as_str).collect();
                parts.extend(path);
                if let Some(f) = file_of(src, &parts).or_else(|| {
                    file_of(
                        src,
                        parent
                            .iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .as_slice(),
                    )
                }) {
                    to.insert(f);
                }
            }
        }
        to.remove(file);
    }
    edges
}

/// The stages data flows through, in order: a stage may use the ones
/// before it, never one after (that would be an import pointing upward).
const STAGES: &[&str] = &[
    "domain",
    "records",
    "diag",
    "catalogue",
    "model",
    "load",
    "validate",
    "facts",
    "tables",
    "compute",
    "figures",
    "reconcile",
    "projects",
    "narrative",
    "render",
    "typeset",
];

#[test]
fn no_stage_uses_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    let stage = |f: &Path| {
        let m = module_of(&src, f);
        STAGES
            .iter()
            .position(|s| m.first().is_some_and(|x| x == s))
    };
    let mut upward = vec![];
    for (from, tos) in &edges {
        let Some(a) = stage(from) else { continue };
        for to in tos {
            if let Some(b) = stage(to)
                && b > a
            {
                upward.push(format!("{} → {}", STAGES[a], STAGES[b]));
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports pointing upward: {upward:?}");
}

#[test]
fn no_module_reaches_one_that_reaches_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    // Depth-first search for a cycle; the first found is named.
    fn visit(
        f: &PathBuf,
        edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        state: &mut BTreeMap<PathBuf, u8>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        match state.get(f) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|x| x == f).unwrap();
                return Some(stack[at..].to_vec());
            }
            _ => {}
        }
        state.insert(f.clone(), 1);
        stack.push(f.clone());
        for g in edges.get(f).into_iter().flatten() {
            if let Some(c) = visit(g, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(f.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for f in edges.keys() {
        if let Some(cycle) = visit(f, &edges, &mut state, &mut vec![]) {
            let names: Vec<String> = cycle
                .iter()
                .map(|p| p.strip_prefix(&src).unwrap().display().to_string())
                .collect();
            panic!("an import cycle: {}", names.join(" → "));
        }
    }
    assert!(edges.len() > 40, "{} files read", edges.len());
}
