#!/usr/bin/env python3
"""Adds the codes real budgets print to the built-in catalogues.

Reads ../shared/reference/catalogue-harvest.tsv (every code and name 212 published
部门预算 of 17 cities print, with the year each was printed in and up to five
source documents) and appends to catalogue/<year>.txt, under a marked block,
every 功能分类 款/项 and 部门经济分类 款/项 printed in that budget year that the
file does not already name: the name printed that year (year_majority), else
the majority name, each line carrying its first source after a TAB and `#`.
类 are never added (a catalogue's 类 are the rows of the 收支总表), nor codes
printed without a name. Run from the repository root:

    python3 catalogue/harvest.py ../shared/reference/catalogue-harvest.tsv

It replaces the block it wrote before, so it may be run again.
"""
import csv
import sys
from pathlib import Path

MARK = "# ---- harvested: catalogue-harvest.tsv (212 published budgets, 17 cities) ----"


def main(tsv: str) -> None:
    rows = list(csv.DictReader(open(tsv, encoding="utf-8"), delimiter="\t"))
    for path in sorted(Path("catalogue").glob("*.txt")):
        year = int(path.stem)
        text = path.read_text(encoding="utf-8")
        text = text.split("\n" + MARK)[0].rstrip("\n") + "\n"
        known = {"function": set(), "economic": set()}
        section = None
        for line in text.splitlines():
            s = line.strip()
            if s in ("[function]", "[economic]"):
                section = s[1:-1]
            elif s and not s.startswith("#") and section:
                known[section].add(s.split()[0])
        added = {"function": [], "economic": []}
        for r in rows:
            section = {"功能": "function", "部门经济": "economic"}.get(r["kind"])
            if section is None or r["level"] == "类" or not r["name"]:
                continue
            if str(year) not in r["years"].split(",") or r["code"] in known[section]:
                continue
            name = r["name"]
            for part in filter(None, r["year_majority"].split("; ")):
                y, _, n = part.partition("=")
                if y == str(year) and n:
                    name = n
            source = r["sources"].split(" | ")[0]
            added[section].append(f"{r['code']}\t{name}\t# {source}")
        if not any(added.values()):
            path.write_text(text, encoding="utf-8")
            continue
        block = [MARK, f"# The codes budgets of {year} print, with the first document printing each."]
        for section in ("function", "economic"):
            if added[section]:
                block.append(f"[{section}]")
                block.extend(sorted(added[section]))
        path.write_text(text + "\n" + "\n".join(block) + "\n", encoding="utf-8")
        print(path, {k: len(v) for k, v in added.items()})


if __name__ == "__main__":
    main(sys.argv[1])
