//! Reading a workbook's cells with bounded memory and time: the zip's
//! inflated size is capped before anything is parsed, an `.xlsx` sheet is
//! streamed cell by cell (memory follows the cells that exist, not their
//! bounding box), empty columns are dropped, and the number of cells is
//! capped. A formula without a cached value, a date, or an error value
//! where an amount may stand is kept with the reason it is no amount.

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader, SheetVisible, Sheets, XlsxFormulaMetadata};

use super::sheet::{Cell, Grid, cell_of};
use crate::diag::Text;
use crate::text;

/// The most a workbook may inflate to (all its parts together). A budget
/// workbook of 200,000 rows inflates to about 60 MB.
pub const MAX_INFLATED: u64 = 512 << 20;
/// The most non-empty cells a workbook may hold.
pub const MAX_CELLS: usize = 4_000_000;

/// One sheet as read: its grid, or why it could not be read.
pub struct SheetRead {
    /// Whether the sheet is hidden in the workbook.
    pub hidden: bool,
    /// Its cells, or the reason it cannot be read.
    pub grid: Result<Grid, Text>,
}

/// What a workbook's bytes are: a zip (xlsx, xlsm, xlsb, ods), an OLE
/// compound file (xls), or neither.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Inflates every part of a zip into nothing, counting: a workbook past
/// [`MAX_INFLATED`] is refused before calamine parses any of it. Returns
/// whether the workbook asks to be recalculated when opened
/// (`fullCalcOnLoad`: written by a program, not saved by Excel or WPS, so
/// its formulas' cached values are placeholders).
fn check_inflated(bytes: &[u8]) -> Result<bool, Text> {
    if !bytes.starts_with(b"PK") {
        return Ok(false);
    }
    let mut uncalculated = false;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        text!(
            "无法读取工作簿（不是完整的 zip 文件）：{e}",
            "cannot read the workbook (not a whole zip file): {e}"
        )
    })?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| {
            text!(
                "无法读取工作簿的第 {i} 个部件：{e}",
                "cannot read part {i} of the workbook: {e}"
            )
        })?;
        let left = MAX_INFLATED - total;
        let part_name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let workbook_xml = part_name == "xl/workbook.xml";
        let mut xml = vec![];
        let read = if workbook_xml {
            (&mut part)
                .take(left + 1)
                .read_to_end(&mut xml)
                .map(|n| n as u64)
        } else {
            std::io::copy(&mut (&mut part).take(left + 1), &mut std::io::sink())
        };
        let n = read.map_err(|e| {
            let p = &part_name;
            text!(
                "无法解压工作簿部件 {p}：{e}",
                "cannot inflate the workbook's part {p}: {e}"
            )
        })?;
        total += n;
        if workbook_xml {
            let xml = String::from_utf8_lossy(&xml);
            uncalculated |=
                xml.contains("fullCalcOnLoad=\"1\"") || xml.contains("fullCalcOnLoad=\"true\"");
        }
        if total > MAX_INFLATED {
            let mb = MAX_INFLATED >> 20;
            return Err(text!(
                "工作簿解压后超过 {mb} MB，不是预算工作簿，未导入",
                "the workbook inflates to more than {mb} MB; not a budget workbook, not imported"
            ));
        }
    }
    Ok(uncalculated)
}

/// Every sheet of the workbook `bytes`, or why the workbook cannot be read.
pub fn read_sheets(bytes: &[u8]) -> Result<Vec<SheetRead>, Text> {
    let uncalculated = check_inflated(bytes)?;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| text!("无法读取工作簿：{e}", "cannot read the workbook: {e}"))?;
    let meta: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    let mut cells_left = MAX_CELLS;
    let mut out = vec![];
    for (name, hidden) in meta {
        let grid = match &mut book {
            Sheets::Xlsx(x) => stream_xlsx(x, &name, uncalculated, &mut cells_left),
            other => dense(other, &name, &mut cells_left),
        };
        let grid = grid.map(|cells| Grid::from_cells(name.clone(), cells));
        let grid = match grid {
            Ok(Some(g)) => Ok(g),
            Ok(None) => Err(too_wide(&name)),
            Err(e) => Err(e),
        };
        out.push(SheetRead { hidden, grid });
    }
    Ok(out)
}

fn too_many(name: &str) -> Text {
    let n = MAX_CELLS;
    text!(
        "工作表「{name}」：工作簿的单元格超过 {n} 个，不是预算工作簿，未导入",
        "sheet \"{name}\": the workbook has more than {n} cells; not a budget workbook, not imported"
    )
}

fn too_wide(name: &str) -> Text {
    text!(
        "工作表「{name}」：有内容的行和列跨度过大（单元格散布在整张表上），未导入",
        "sheet \"{name}\": its rows and columns span too many cells (cells scattered over the whole sheet), not imported"
    )
}

fn cannot(name: &str, e: impl std::fmt::Display) -> Text {
    text!(
        "工作表「{name}」无法读取：{e}",
        "sheet \"{name}\" cannot be read: {e}"
    )
}

/// Why a formula's cell is no amount.
const NOT_CALCULATED: &str = "是没有计算结果的公式（请在 Excel 或 WPS 中打开并保存后再导入）";

type Cells = Vec<(u32, u32, Cell)>;

/// An `.xlsx` sheet, cell by cell: only the cells that hold something.
fn stream_xlsx<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<RS>,
    name: &str,
    uncalculated: bool,
    left: &mut usize,
) -> Result<Cells, Text> {
    let mut reader = book
        .worksheet_cells_reader(name)
        .map_err(|e| cannot(name, e))?;
    let mut cells = vec![];
    while let Some(record) = reader
        .next_cell_with_formula_metadata()
        .map_err(|e| cannot(name, e))?
    {
        let (row, col) = record.pos;
        let formula = || match &record.formula {
            Some(XlsxFormulaMetadata::Normal { formula })
            | Some(XlsxFormulaMetadata::Shared { formula, .. }) => format!("={formula}"),
            _ => "=…".to_string(),
        };
        let cell = match (&record.value, &record.formula) {
            (DataRef::Empty, Some(_)) => Cell::not_amount(&formula(), NOT_CALCULATED),
            // A program's placeholder (0, or nothing), never calculated.
            (DataRef::Float(_) | DataRef::Int(_), Some(_)) if uncalculated => {
                Cell::not_amount(&formula(), NOT_CALCULATED)
            }
            (DataRef::Empty, None) => continue,
            (v, _) => cell_of(&Data::from(v.clone())),
        };
        if cell.text.is_empty() && cell.why.is_none() {
            continue;
        }
        *left = left.checked_sub(1).ok_or_else(|| too_many(name))?;
        cells.push((row, col, cell));
    }
    Ok(cells)
}

/// An `.xls`, `.xlsb` or `.ods` sheet, which calamine reads whole.
fn dense<RS: std::io::Read + std::io::Seek>(
    book: &mut Sheets<RS>,
    name: &str,
    left: &mut usize,
) -> Result<Cells, Text> {
    let range = book.worksheet_range(name).map_err(|e| cannot(name, e))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells = vec![];
    for (row, col, d) in range.used_cells() {
        let (row, col) = (row + r0 as usize, col + c0 as usize);
        let cell = cell_of(d);
        if cell.text.is_empty() && cell.why.is_none() {
            continue;
        }
        *left = left.checked_sub(1).ok_or_else(|| too_many(name))?;
        cells.push((row as u32, col as u32, cell));
    }
    Ok(cells)
}
