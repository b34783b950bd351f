#!/usr/bin/env python3
"""Writes tests/data/budget-system.xls and budget-system.ods: three tables as
a budget system lays them out, cell by cell — a title with the year, the
department and unit lines, merged-style two-row headers, a 栏次 row, codes
stored as numbers in 类|款|项 columns or as text with their names, amounts
as numbers or as text with separators, a note under a table.

The figures (万元) add up by hand:
  2013201 行政运行              basic 452.03
  2013299 其他组织事务支出      project 1,936.00
  20132 组织事务 = 201 = 合计   2,388.03 (basic 452.03, project 1,936.00)
  基本支出表: 30101 基本工资 300.00 (人员经费), 30201 办公费 152.03 (公用经费),
              301 = 300.00, 302 = 152.03, 合计 452.03

Run once with `pip install xlwt`; the outputs are committed, so the tests
need neither Python nor xlwt. Never derived from `yusuan --emit xlsx`.
"""

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

EXPENDITURE = [
    ["2024年部门支出总表"],
    ["部门名称：203中国共产党唐山市开平区委员会组织部", "", "", "", "", "单位：万元"],
    ["功能分类科目编码", "", "", "科目名称", "合计", "基本支出", "项目支出"],
    ["类", "款", "项", "", "", "", ""],
    ["栏次", "", "", "", 1, 2, 3],
    ["合计", "", "", "", 2388.03, 452.03, 1936.00],
    [201, "", "", "一般公共服务支出", 2388.03, 452.03, 1936.00],
    ["", 32, "", "组织事务", 2388.03, 452.03, 1936.00],
    ["", "", 1, "行政运行", 452.03, 452.03, "-"],
    ["", "", 99, "其他组织事务支出", "1,936.00", "", "1,936.00"],
]

GENERAL = [
    ["2024年一般公共预算支出表"],
    ["部门名称：203中国共产党唐山市开平区委员会组织部", "", "", "单位：万元"],
    ["科目编码及名称", "合计", "基本支出", "项目支出"],
    ["合计", 2388.03, 452.03, 1936.00],
    ["201 一般公共服务支出", 2388.03, 452.03, 1936.00],
    ["20132 组织事务", 2388.03, 452.03, 1936.00],
    ["2013201 行政运行", 452.03, 452.03, 0],
    ["2013299 其他组织事务支出", 1936.00, 0, 1936.00],
]

BASIC = [
    ["2024年一般公共预算基本支出表"],
    ["部门名称：203中国共产党唐山市开平区委员会组织部", "", "", "", "单位：万元"],
    ["部门经济分类科目编码", "科目名称", "合计", "人员经费", "公用经费"],
    ["合计", "", 452.03, 300.00, 152.03],
    [301, "工资福利支出", 300.00, 300.00, ""],
    [30101, "基本工资", 300.00, 300.00, ""],
    [302, "商品和服务支出", 152.03, "", 152.03],
    [30201, "办公费", 152.03, "", 152.03],
    [],
    ["注：本表反映一般公共预算财政拨款基本支出。"],
]

SHEETS = [("表3", EXPENDITURE), ("表5", GENERAL), ("表6", BASIC)]


def write_xls(path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in SHEETS:
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v == "":
                    continue
                ws.write(r, c, v)
    book.save(str(path))


def ods_cell(v):
    if v == "":
        return "<table:table-cell/>"
    if isinstance(v, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'


def write_ods(path):
    tables = []
    for name, rows in SHEETS:
        body = "".join(
            "<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
            if row else "<table:table-row><table:table-cell/></table:table-row>"
            for row in rows
        )
        tables.append(f'<table:table table:name="{name}">{body}</table:table>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>" + "".join(tables) +
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        # The mimetype first and stored, as the format requires.
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    write_xls(HERE / "budget-system.xls")
    write_ods(HERE / "budget-system.ods")
    print("wrote budget-system.xls and budget-system.ods")
