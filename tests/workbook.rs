//! `yusuan import BOOK.xlsx`: the workbook `--emit xlsx` writes imports back
//! to a file that prints the same document; a budget system's nine-table
//! workbook (title, `单位：` line, headers, codes in 类|款|项 columns) is read
//! into lines, declared totals and names; what cannot be read is reported
//! by sheet and cell.

use std::path::Path;
use std::sync::LazyLock;

use yusuan::render::Renderer;
use yusuan::typeset::{self, Engine};

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new(&[]).unwrap());

/// An example's tables and projects: the narrative after its marker line is
/// not carried by a workbook of tables.
fn tables_part(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.toml"));
    let text = std::fs::read_to_string(path).unwrap();
    let end = [
        "\n# ---- 第一部分",
        "\n# ---- The document around the tables",
    ]
    .iter()
    .filter_map(|m| text.find(m))
    .min()
    .unwrap_or(text.len());
    text[..end].to_string()
}

/// Each page's text runs, joined.
fn pages_of(name: &str, text: &str) -> Vec<String> {
    let checked = yusuan::check_str(name, text).ok().unwrap();
    assert!(!checked.diags.has_errors(), "{name}: {}", checked.diags);
    let rendered = yusuan::render_checked(&ENGINE, &Renderer::new(None).unwrap(), checked).unwrap();
    typeset::page_runs(&rendered.document)
        .into_iter()
        .map(|runs| runs.concat())
        .collect()
}

fn export(text: &str) -> Vec<u8> {
    let checked = yusuan::check_str("t.toml", text).ok().unwrap();
    yusuan::export::xlsx(&checked.report, &checked.budget).unwrap()
}

#[test]
fn every_example_round_trips_through_its_workbook() {
    for name in [
        "kaiping-2024",
        "putuo-commerce-2025",
        "panyu-2023",
        "zengcheng-2024",
        "jinhua-2024",
        "pingluo-2022",
    ] {
        let original = tables_part(name);
        let book = export(&original);
        let imported = yusuan::workbook::import_workbook("book.xlsx", &book, None);
        assert!(!imported.diags.has_errors(), "{name}: {}", imported.diags);
        assert!(
            !imported.toml.contains("NOT IMPORTED"),
            "{name}: {}",
            imported.toml
        );
        let before = pages_of(name, &original);
        let after = pages_of("imported.toml", &imported.toml);
        assert_eq!(before.len(), after.len(), "{name}: page count");
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            assert_eq!(b, a, "{name}: page {}", i + 1);
        }
    }
}
