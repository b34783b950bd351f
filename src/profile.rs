//! Regional profiles: a built-in set of table definitions, templates and
//! settings per region. `profile = "…"` in `[department]` or `--profile`
//! selects one; it only sets defaults, which the file's own settings override.

use serde::Serialize;

use crate::domain::{Layout, Unit};
use crate::tables::{self, TableSpec};

/// How amounts print: the `amt` filter's defaults.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Style {
    /// Thousands separators (`371,514,655.00`).
    pub separators: bool,
    /// How zero prints: `""` (blank), `"0"` or `"0.00"`.
    pub zero: &'static str,
    /// Decimals printed.
    pub decimals: u32,
}

/// One region's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Name used in `profile = "…"`.
    pub name: &'static str,
    /// One line for `yusuan profiles`.
    pub description: &'static str,
    /// The table definitions.
    pub tables: &'static [TableSpec],
    /// Default layout of the project tables.
    pub layout: Option<Layout>,
    /// Default printing unit of the tables.
    pub print_unit: Unit,
    /// Tables printed in another unit by default.
    pub table_units: &'static [(&'static str, Unit)],
    /// Number formatting.
    pub style: Style,
    /// Templates replacing the built-ins of the same name: (name, content).
    pub templates: &'static [(&'static str, &'static str)],
}

const PLAIN: Style = Style {
    separators: false,
    zero: "",
    decimals: 2,
};

/// Used when neither the file nor the command line names a profile.
pub const DEFAULT: &str = "national";

/// The built-in profiles.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "national",
        description: "the nine tables of the national practice (as seed 003), 万元; projects as a list",
        tables: tables::NATIONAL,
        layout: None,
        print_unit: Unit::Wanyuan,
        table_units: &[],
        style: PLAIN,
        templates: &[],
    },
    Profile {
        name: "hebei",
        description: "Hebei (seed 003): the nine tables with 序号 and 栏次, 万元; projects as cards",
        tables: tables::NATIONAL,
        layout: Some(Layout::Card),
        print_unit: Unit::Wanyuan,
        table_units: &[],
        style: PLAIN,
        templates: &[],
    },
    Profile {
        name: "guangzhou",
        description: "Guangzhou (seeds 000-002): projects as one list table, 万元 with separators",
        tables: tables::NATIONAL,
        layout: Some(Layout::List),
        print_unit: Unit::Wanyuan,
        table_units: &[],
        style: PLAIN,
        templates: &[],
    },
    Profile {
        name: "ningxia",
        description: "Ningxia (seed 004): one sheet per project, 元",
        tables: tables::NATIONAL,
        layout: Some(Layout::Sheet),
        // Seed 004 prints 项目资金（元） and 200000: 元, as its description says.
        print_unit: Unit::Yuan,
        table_units: &[],
        style: PLAIN,
        templates: &[],
    },
    Profile {
        name: "shanghai",
        description: "Shanghai (seed 005): year in titles, 编制部门, 类|款|项 columns, 元 with separators, 三公 and 机关运行经费 in 万元",
        tables: tables::SHANGHAI,
        layout: Some(Layout::List),
        print_unit: Unit::Yuan,
        table_units: &[("sangong", Unit::Wanyuan)],
        style: Style {
            separators: true,
            zero: "",
            decimals: 2,
        },
        templates: SHANGHAI_TEMPLATES,
    },
];

macro_rules! shanghai {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/shanghai/", $name)))),*]
    };
}

const SHANGHAI_TEMPLATES: &[(&str, &str)] = shanghai![
    "budget.typ.j2",
    "tables/summary.typ.j2",
    "tables/income.typ.j2",
    "tables/expenditure.typ.j2",
    "tables/fiscal.typ.j2",
    "tables/general.typ.j2",
    "tables/basic.typ.j2",
    "tables/fund.typ.j2",
    "tables/soe.typ.j2",
    "tables/sangong.typ.j2",
    "tables/tree.typ.j2",
    "narrative/glossary.typ.j2",
];

/// The profile named `name`.
pub fn find(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name.trim())
}

/// The names of the profiles, for messages.
pub fn names() -> Vec<&'static str> {
    PROFILES.iter().map(|p| p.name).collect()
}
