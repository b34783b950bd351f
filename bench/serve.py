#!/usr/bin/env python3
"""`yusuan serve`'s preview against `typst watch`, on this machine.

    python3 bench/serve.py [--runs 20] [--files 100]

Builds yusuan (release); typst-cli 0.15.1 must be in target/typst-cli (as
bench/compare.py installs it). Then measures:

- edit → preview: a one-figure edit of examples/kaiping-2024.toml (the
  income in its 收入说明, 5464.38 ↔ 5464.39 万元) posted to a warm
  `yusuan serve` (POST /api/preview), then the changed page fetched as SVG
  (GET /api/page): the time from the edit to the new page, median of N;
- the same edit made to yusuan's emitted Typst source under `typst watch`
  (same fonts): from the file written to the PDF rewritten, and the compile
  time typst reports;
- opening a workspace of 100 department files (kaiping under 100 names):
  GET /api/files, every file checked, median of 5.

Everything is written under target/bench/serve.
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench" / "serve"
YUSUAN = ROOT / "target" / "release" / "yusuan"
TYPST = ROOT / "target" / "typst-cli" / "bin" / "typst"
FONTS = ROOT / "fonts"
EXAMPLE = ROOT / "examples" / "kaiping-2024.toml"
FIGURES = ("预算收入5464.38万元", "预算收入5464.39万元")


def serve(directory):
    p = subprocess.Popen([str(YUSUAN), "serve", str(directory), "--bind", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = p.stdout.readline().strip().rstrip("/")
    return p, url


def request(url, data=None, method="GET"):
    headers = {"X-Yusuan": "1", "Content-Type": "application/json"}
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req) as r:
        return r.read()


def preview(url, text):
    body = json.dumps({"name": "kaiping-2024.toml", "text": text}).encode()
    return json.loads(request(f"{url}/api/preview", body, "POST"))


def bench_preview(runs):
    d = WORK / "ws"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    text = EXAMPLE.read_text()
    assert FIGURES[0] in text
    p, url = serve(d)
    try:
        before = preview(url, text)  # the engine warms up
        times, changed = [], []
        for i in range(runs):
            edited = text.replace(FIGURES[0], FIGURES[(i + 1) % 2]) if i % 2 == 0 else text
            start = time.perf_counter()
            after = preview(url, edited)
            new = [n for n, (a, b) in enumerate(zip(before["pages"], after["pages"]), 1) if a != b]
            for n in new:
                request(f"{url}/api/page?doc={after['doc']}&n={n}")
            times.append((time.perf_counter() - start) * 1000)
            changed.append(len(new))
            before = after
        return times, changed, len(before["pages"])
    finally:
        p.kill()


def bench_typst_watch(runs):
    d = WORK / "typst"
    shutil.rmtree(d, ignore_errors=True)
    subprocess.run([str(YUSUAN), "render", str(EXAMPLE), "--emit", "typst", "-o", str(d)],
                   check=True, stderr=subprocess.DEVNULL)
    main = d / "main.typ"
    source = main.read_text()
    if FIGURES[0] not in source:
        return None
    pdf = d / "out.pdf"
    p = subprocess.Popen([str(TYPST), "watch", str(main), str(pdf), "--ignore-system-fonts",
                          "--font-path", str(FONTS)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reported = []

    def wait_for_pdf(previous, limit=30):
        start = time.perf_counter()
        while time.perf_counter() - start < limit:
            try:
                m = pdf.stat().st_mtime_ns
                if m != previous and pdf.stat().st_size > 0:
                    return m
            except FileNotFoundError:
                pass
            time.sleep(0.002)
        raise SystemExit("typst watch wrote no PDF")

    try:
        mtime = wait_for_pdf(None)
        time.sleep(0.5)
        mtime = pdf.stat().st_mtime_ns
        times = []
        for i in range(runs):
            edited = source.replace(FIGURES[0], FIGURES[1]) if i % 2 == 0 else source
            start = time.perf_counter()
            main.write_text(edited)
            mtime = wait_for_pdf(mtime)
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(0.3)
        return times, reported
    finally:
        p.kill()
        err = p.stderr.read() if p.stderr else ""
        reported.extend(float(x) for x in re.findall(r"compiled (?:successfully|with warnings) in ([\d.]+)\s*ms", err))


def bench_workspace(files):
    d = WORK / "hundred"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    text = EXAMPLE.read_text()
    name = "中国共产党唐山市开平区委员会组织部"
    for i in range(files):
        (d / f"dept-{i:03}.toml").write_text(
            text.replace(f'name = "{name}"', f'name = "{name}{i:03}"', 1).replace('code = "203"', f'code = "9{i:03}"', 1))
    p, url = serve(d)
    try:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            listed = json.loads(request(f"{url}/api/files"))
            times.append((time.perf_counter() - start) * 1000)
            assert len(listed["files"]) == files
        return times
    finally:
        p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--files", type=int, default=100)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not TYPST.exists():
        sys.exit("typst-cli missing: run bench/compare.py once (it installs it)")
    times, changed, pages = bench_preview(args.runs)
    print(f"yusuan serve, edit → new page ({pages} pages, {statistics.median(changed):.0f} changed per edit):"
          f" median {statistics.median(times):.0f} ms, min {min(times):.0f} ms, max {max(times):.0f} ms ({args.runs} edits)")
    watched = bench_typst_watch(args.runs)
    if watched:
        t, reported = watched
        line = f"typst watch, edit → PDF rewritten: median {statistics.median(t):.0f} ms, min {min(t):.0f} ms"
        if reported:
            line += f"; compile as typst reports it: median {statistics.median(reported):.0f} ms"
        print(line)
    listed = bench_workspace(args.files)
    print(f"workspace of {args.files} files, GET /api/files (each checked):"
          f" median {statistics.median(listed):.0f} ms, min {min(listed):.0f} ms")


if __name__ == "__main__":
    main()
