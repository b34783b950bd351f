#!/usr/bin/env python3
"""`yusuan import` on large and hostile workbooks: time and peak memory.

    python3 bench/import.py [--rows 200000]

Builds yusuan (release) and writes, under target/bench/import/:

- rows-N.xlsx: a 支出总表 as a budget system exports it (title, department
  and unit lines, headers, a 合计 row, then N 项 rows with 基本/项目
  amounts), written directly as SpreadsheetML;
- far.xlsx: a 2 KB workbook whose one table carries a stray cell at
  XFD1048576 (the last cell of a sheet);
- bomb.xlsx: a part that inflates to 3 GB of spaces (about 3 MB zipped).

Each is imported three times; the median wall time and the largest peak
resident memory (getrusage of the child) are printed. Targets (issue 15):
200,000 rows in < 5 s, the far cell in < 100 MB, the bomb refused with a
message, never an abort.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench" / "import"
YUSUAN = ROOT / "target" / "release" / "yusuan"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="表3" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def text_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def number_cell(ref, value):
    return f'<c r="{ref}"><v>{value}</v></c>'


def expenditure_sheet(rows, far=False):
    """A 支出总表 of `rows` 项 lines (amounts in 元, cents)."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    head = [
        (1, [text_cell("A1", "2024年部门支出总表")]),
        (2, [text_cell("A2", "部门名称：999测试部门"), text_cell("E2", "单位：元")]),
        (3, [text_cell("A3", "科目编码"), text_cell("B3", "科目名称"), text_cell("C3", "合计"),
             text_cell("D3", "基本支出"), text_cell("E3", "项目支出")]),
    ]
    for r, cells in head:
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    basic = [100 + i % 997 for i in range(rows)]
    project = [50 + i % 499 for i in range(rows)]
    total_b, total_p = sum(basic), sum(project)
    out.append('<row r="4">' + text_cell("A4", "合计") + number_cell("C4", total_b + total_p)
               + number_cell("D4", total_b) + number_cell("E4", total_p) + "</row>")
    for i in range(rows):
        r = 5 + i
        code = 2010000 + i  # distinct 7-digit codes; the catalogue is not consulted by import
        out.append(f'<row r="{r}">' + text_cell(f"A{r}", str(code)) + text_cell(f"B{r}", f"项{i}")
                   + number_cell(f"C{r}", basic[i] + project[i]) + number_cell(f"D{r}", basic[i])
                   + number_cell(f"E{r}", project[i]) + "</row>")
    if far:
        out.append('<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>")
    out.append("</sheetData></worksheet>")
    return "\n".join(out)


def workbook(path, sheet_xml):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if isinstance(sheet_xml, str):
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        else:
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                sheet_xml(f)


def bomb(f):
    chunk = b" " * (1 << 20)
    for _ in range(3 * 1024):
        f.write(chunk)


def run(book):
    """(seconds, peak MB of this child alone, exit code, last line of stderr)."""
    start = time.perf_counter()
    p = subprocess.Popen([str(YUSUAN), "import", str(book), "-o", str(WORK / "out.toml")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         close_fds=False)  # posix_spawn: the peak is yusuan's alone
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - start
    lines = [l for l in err.splitlines() if l.strip()]
    return secs, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), lines[-1] if lines else ""


def make(rows):
    """Writes the workbooks (in a process of its own: the measuring process
    stays small, so that a forked child's peak is yusuan's)."""
    WORK.mkdir(parents=True, exist_ok=True)
    workbook(WORK / "far.xlsx", expenditure_sheet(3, far=True))
    b = WORK / "bomb.xlsx"
    if not b.exists():
        workbook(b, bomb)
    for n in (50_000, rows):
        workbook(WORK / f"rows-{n}.xlsx", expenditure_sheet(n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--make", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        make(args.rows)
        return 0
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    subprocess.run([sys.executable, __file__, "--make", "--rows", str(args.rows)], check=True)
    books = [
        ("far cell XFD1048576", WORK / "far.xlsx"),
        ("3 GB inflated", WORK / "bomb.xlsx"),
        ("50,000 rows", WORK / "rows-50000.xlsx"),
        (f"{args.rows:,} rows", WORK / f"rows-{args.rows}.xlsx"),
    ]
    print(f"{'workbook':24} {'size':>9} {'median s':>9} {'peak MB':>8}  exit  last message")
    for name, path in books:
        results = [run(path) for _ in range(3)]
        secs = statistics.median(r[0] for r in results)
        peak = max(r[1] for r in results)
        code, msg = results[-1][2], results[-1][3]
        size = path.stat().st_size / 1024
        print(f"{name:24} {size:8.0f}K {secs:9.2f} {peak:8.0f}  {code:4}  {msg[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
