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

/// The most cells the bounding box of one `.xls` sheet may span: calamine
/// sets aside room for every cell of it before handing any over.
pub const MAX_XLS_SPAN: u64 = super::sheet::MAX_SPAN as u64;

/// Refuses an `.xls` one of whose sheets reaches past [`MAX_XLS_SPAN`]
/// cells — by a cell's row and column, a row's columns or the sheet's
/// DIMENSIONS — before calamine reads it: four bytes set to FF in a cell's
/// row would make it ask for 137 GB and the process abort. The BIFF records
/// are walked in the workbook stream (a file that is no compound file is
/// left to calamine to refuse).
fn check_xls_span(bytes: &[u8]) -> Result<(), Text> {
    if !bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(());
    }
    let Ok(mut book) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Some(name) = ["Workbook", "Book"].into_iter().find(|n| book.is_stream(n)) else {
        return Ok(());
    };
    let mut data = vec![];
    if let Ok(stream) = book.open_stream(name) {
        let _ = stream.take(MAX_INFLATED).read_to_end(&mut data);
    }
    let u16_at = |b: &[u8], i: usize| {
        b.get(i..i + 2)
            .map_or(0, |x| u64::from(u16::from_le_bytes([x[0], x[1]])))
    };
    let u32_at = |b: &[u8], i: usize| {
        b.get(i..i + 4).map_or(0, |x| {
            u64::from(u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
        })
    };
    // The last row and column each sheet reaches (BOF starts a sheet).
    let (mut rows, mut cols) = (0u64, 0u64);
    let mut at = 0;
    while at + 4 <= data.len() {
        let kind = u16_at(&data, at);
        let len = u16_at(&data, at + 2) as usize;
        let body = &data[at + 4..(at + 4 + len).min(data.len())];
        at += 4 + len;
        let (row, col) = match kind {
            0x0809 => {
                (rows, cols) = (0, 0);
                continue;
            }
            // DIMENSIONS (BIFF8): first row, one past the last (u32), first
            // column, one past the last; a range ending before it starts
            // would wrap around in calamine.
            0x0200 if len >= 12 => {
                if u32_at(body, 0) > u32_at(body, 4) || u16_at(body, 8) > u16_at(body, 10) {
                    (u64::MAX, u64::MAX)
                } else {
                    (u32_at(body, 4), u16_at(body, 10))
                }
            }
            // The same in BIFF5, rows as u16.
            0x0200 if len >= 8 => {
                if u16_at(body, 0) > u16_at(body, 2) || u16_at(body, 4) > u16_at(body, 6) {
                    (u64::MAX, u64::MAX)
                } else {
                    (u16_at(body, 2), u16_at(body, 6))
                }
            }
            // ROW: its row, one past its last column.
            0x0208 => (u16_at(body, 0) + 1, u16_at(body, 4)),
            // MULRK, MULBLANK: row, first column, …, last column.
            0x00BD | 0x00BE if len >= 6 => (u16_at(body, 0) + 1, u16_at(body, len - 2) + 1),
            // FORMULA, BLANK, NUMBER, LABEL, BOOLERR, RK, LABELSST, RSTRING.
            0x0006 | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x00D6 => {
                (u16_at(body, 0) + 1, u16_at(body, 2) + 1)
            }
            _ => continue,
        };
        (rows, cols) = (rows.max(row), cols.max(col));
        if rows.saturating_mul(cols) > MAX_XLS_SPAN {
            let max = MAX_XLS_SPAN;
            return Err(text!(
                "工作簿的某张表伸到第 {rows} 行、第 {cols} 列，超过了 {max} 个单元格：文件已损坏或不是预算导出，未读取",
                "a sheet of the workbook reaches row {rows} and column {cols}, more than {max} cells: the file is damaged or not a budget export, and was not read"
            ));
        }
    }
    Ok(())
}

thread_local! {
    /// Whether this thread is inside calamine, whose panics on a damaged
    /// file are reported as the file's error, not printed as a crash.
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The program that reads workbooks in a child process, when set.
static WORKER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The memory a child reading one workbook may take.
pub const WORKER_MEMORY: u64 = 4 << 30;

/// How long a child may take to read one workbook.
const WORKER_TIME: std::time::Duration = std::time::Duration::from_secs(300);

/// Reads every workbook from now on in a child process running `exe read-workbook`
/// ([`worker`]), its memory capped at [`WORKER_MEMORY`] and its time at five
/// minutes: a damaged or hostile file that makes the reader allocate without
/// bound (a cell's row set to FF FF asks for 137 GB) ends the child, never
/// this process. Without it (the library in tests) workbooks are read here,
/// a reader's panic caught.
pub fn read_in_child(exe: std::path::PathBuf) {
    let _ = WORKER.set(exe);
}

/// One sheet's cells as read, before they become a grid.
type SheetCells = (String, bool, Result<Cells, Text>);

/// Every sheet of the workbook `bytes`, or why the workbook cannot be read.
/// A damaged file that makes the reader panic or run out of memory is
/// refused like any other.
pub fn read_sheets(bytes: &[u8]) -> Result<Vec<SheetRead>, Text> {
    let sheets = match WORKER.get() {
        Some(exe) => read_in(exe, bytes)?,
        None => read_guarded(bytes)?,
    };
    Ok(sheets
        .into_iter()
        .map(|(name, hidden, cells)| {
            let grid = cells
                .and_then(|c| Grid::from_cells(name.clone(), c).ok_or_else(|| too_wide(&name)));
            SheetRead { hidden, grid }
        })
        .collect())
}

/// The cells of every sheet, read here with a reader's panic caught.
fn read_guarded(bytes: &[u8]) -> Result<Vec<SheetCells>, Text> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    READING.with(|r| r.set(true));
    let read = std::panic::catch_unwind(|| read_cells(bytes));
    READING.with(|r| r.set(false));
    read.unwrap_or_else(|_| Err(damaged()))
}

fn damaged() -> Text {
    let gib = WORKER_MEMORY >> 30;
    text!(
        "无法读取工作簿：文件已损坏，或读取它需要超过 {gib} GiB 内存或 5 分钟（读取已中止）",
        "cannot read the workbook: the file is damaged, or reading it would take more than {gib} GiB of memory or 5 minutes (the reading was stopped)"
    )
}

/// `yusuan read-workbook`: reads the workbook on stdin, memory capped, and
/// writes its sheets' cells as JSON on stdout (see [`read_in_child`]).
pub fn worker() -> i32 {
    crate::limits::cap_memory(WORKER_MEMORY);
    let mut bytes = vec![];
    if std::io::stdin()
        .take(crate::load::MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return 2;
    }
    let text_of = |t: &Text| serde_json::json!({"zh": t.zh, "en": t.en});
    let out = match read_guarded(&bytes) {
        Err(e) => serde_json::json!({"error": text_of(&e)}),
        Ok(sheets) => serde_json::json!({"sheets": sheets.iter().map(|(name, hidden, cells)| {
            match cells {
                Err(e) => serde_json::json!({"name": name, "hidden": hidden, "error": text_of(e)}),
                Ok(cells) => serde_json::json!({"name": name, "hidden": hidden, "cells": cells.iter().map(|(r, c, cell)| {
                    serde_json::json!([r, c, cell.text, cell.raw, cell.amount.map(|a| a.to_string()), cell.why])
                }).collect::<Vec<_>>()}),
            }
        }).collect::<Vec<_>>()}),
    };
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, &out).is_ok() && stdout.flush().is_ok();
    i32::from(!written)
}

/// The cells of every sheet, read by a child process running `exe`.
fn read_in(exe: &std::path::Path, bytes: &[u8]) -> Result<Vec<SheetCells>, Text> {
    use std::process::{Command, Stdio};
    let mut child = Command::new(exe)
        .arg("read-workbook")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            text!(
                "无法启动读取工作簿的进程：{e}",
                "cannot start the workbook reader: {e}"
            )
        })?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(damaged());
    };
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = vec![];
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let status = crate::limits::wait_or_kill(&mut child, WORKER_TIME);
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    if !status.is_some_and(|s| s.success()) {
        return Err(damaged());
    }
    parse_worker(&out).unwrap_or_else(|| Err(damaged()))
}

/// The sheets a [`worker`] wrote.
fn parse_worker(out: &[u8]) -> Option<Result<Vec<SheetCells>, Text>> {
    let v: serde_json::Value = serde_json::from_slice(out).ok()?;
    let text_of = |t: &serde_json::Value| -> Option<Text> {
        Some(Text {
            zh: t["zh"].as_str()?.to_string(),
            en: t["en"].as_str()?.to_string(),
        })
    };
    if let Some(e) = v.get("error") {
        return Some(Err(text_of(e)?));
    }
    let mut sheets = vec![];
    for s in v["sheets"].as_array()? {
        let name = s["name"].as_str()?.to_string();
        let hidden = s["hidden"].as_bool()?;
        if let Some(e) = s.get("error") {
            sheets.push((name, hidden, Err(text_of(e)?)));
            continue;
        }
        let mut cells = vec![];
        for c in s["cells"].as_array()? {
            let why = c[5]
                .as_str()
                .and_then(|w| WHYS.iter().find(|x| **x == w).copied());
            cells.push((
                u32::try_from(c[0].as_u64()?).ok()?,
                u32::try_from(c[1].as_u64()?).ok()?,
                Cell {
                    text: c[2].as_str()?.to_string(),
                    raw: c[3].as_str()?.to_string(),
                    amount: c[4].as_str().and_then(|a| a.parse().ok()),
                    why,
                },
            ));
        }
        sheets.push((name, hidden, Ok(cells)));
    }
    Some(Ok(sheets))
}

/// Every reason a cell may be no amount (what [`Cell::why`] holds).
const WHYS: [&str; 3] = [NOT_CALCULATED, super::sheet::A_DATE, super::sheet::AN_ERROR];

/// The cells of every sheet of `bytes`.
fn read_cells(bytes: &[u8]) -> Result<Vec<SheetCells>, Text> {
    let uncalculated = check_inflated(bytes)?;
    check_xls_span(bytes)?;
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
        let cells = match &mut book {
            Sheets::Xlsx(x) => stream_xlsx(x, &name, uncalculated, &mut cells_left),
            other => dense(other, &name, &mut cells_left),
        };
        out.push((name, hidden, cells));
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
