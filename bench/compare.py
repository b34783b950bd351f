#!/usr/bin/env python3
"""yusuan against the stock `typst` CLI, side by side, on this machine.

    python3 bench/compare.py [--docs 1000] [--runs 15]

Builds yusuan (release) and, when missing, installs typst-cli 0.15.1 (the
version yusuan links) into target/typst-cli with `cargo install`. Then, in
one run, measures:

- one document: `yusuan render FILE -o X.pdf` against `typst compile
  --ignore-system-fonts --font-path fonts` on yusuan's own emitted source
  (`--emit typst`), same fonts, runs interleaved, median and minimum;
- a large file: 1,000 projects (panyu's 52 repeated, list layout);
- a batch: N files (the examples with their department names changed)
  rendered by `yusuan render DIR --out-dir OUT --jobs 2` against
  `xargs -P2 typst compile` over the same emitted sources, with peak memory
  for 100 and N documents;
- a district: consolidation of 60 department files (check + consolidate +
  render of the district file).

Everything is written under target/bench/. Times are wall-clock on a
shared machine: expect a few percent of noise; the ratios are what matter.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench"
YUSUAN = ROOT / "target" / "release" / "yusuan"
TYPST = ROOT / "target" / "typst-cli" / "bin" / "typst"
FONTS = ROOT / "fonts"
EXAMPLES = ["kaiping-2024", "panyu-2023", "pingluo-2022", "putuo-commerce-2025",
            "zengcheng-2024", "jinhua-2024", "beijing-audit-2026", "xian-petition-2026"]


def run(cmd, **kw):
    subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, **kw)


def timed(cmd):
    start = time.perf_counter()
    run(cmd)
    return (time.perf_counter() - start) * 1000


def peak_kb(cmd):
    """Wall time (s) and peak resident memory (KB) of the largest process of `cmd`."""
    start = time.perf_counter()
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    assert status == 0, cmd
    return time.perf_counter() - start, usage.ru_maxrss


def setup():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if not TYPST.exists():
        print("installing typst-cli 0.15.1 into target/typst-cli (once, a few minutes)")
        subprocess.run(["cargo", "install", "typst-cli", "--version", "0.15.1", "--locked",
                        "--root", str(TYPST.parent.parent)], check=True)
    WORK.mkdir(parents=True, exist_ok=True)


def emit(toml, out_dir):
    run([YUSUAN, "render", "-q", toml, "--emit", "typst", "-o", out_dir])
    return out_dir / "main.typ"


def typst_cmd(source, pdf):
    return [TYPST, "compile", "--ignore-system-fonts", "--font-path", FONTS, source, pdf]


def side_by_side(name, toml, runs):
    source = emit(toml, WORK / "single" / name)
    pdf = WORK / "single" / f"{name}.pdf"
    t, y = [], []
    for i in range(runs):
        # Paired runs, the order alternating: a pair shares the machine's load,
        # so the median of the per-pair ratios is steadier than a ratio of medians.
        if i % 2:
            y.append(timed([YUSUAN, "render", "-q", toml, "-o", pdf]))
            t.append(timed(typst_cmd(source, pdf)))
        else:
            t.append(timed(typst_cmd(source, pdf)))
            y.append(timed([YUSUAN, "render", "-q", toml, "-o", pdf]))
    mt, my = statistics.median(t), statistics.median(y)
    pair = statistics.median(b / a for a, b in zip(t, y))
    print(f"| {name} | {mt:.0f} ({min(t):.0f}) | {my:.0f} ({min(y):.0f}) | {my / mt:.2f} | {pair:.2f} |")


def perturbed(n, into, examples=EXAMPLES):
    """n department files: the examples in turn, each department renamed."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    texts = {e: (ROOT / "examples" / f"{e}.toml").read_text() for e in examples}
    name = re.compile(r'^name = "([^"]*)"', re.M)
    code = re.compile(r'^code = "([^"]*)"', re.M)
    for i in range(n):
        e = examples[i % len(examples)]
        t = texts[e]
        m = name.search(t, t.index("[department]"))
        t = t[:m.end(1)] + f"（{i:04d}）" + t[m.end(1):]
        # A department code of its own too: one department in two files is
        # refused by consolidate (it would be counted twice).
        c = code.search(t, t.index("[department]"))
        if c and c.start() < t.find("\n[", t.index("[department]") + 1):
            t = t[:c.end(1)] + f"{i:04d}" + t[c.end(1):]
        (into / f"{i:04d}-{e}.toml").write_text(t)


def many_projects(count):
    """panyu-2023's projects repeated to `count`, named apart, no declared totals."""
    text = (ROOT / "examples" / "panyu-2023.toml").read_text()
    head, _, rest = text.partition("\n[[project]]")
    head = re.sub(r"^declared = .*$", "", head, flags=re.M)
    blocks = ["[[project]]" + b for b in ("\n[[project]]" + rest).split("\n[[project]]")[1:]]
    out = [head]
    for i in range(count):
        b = blocks[i % len(blocks)]
        b = re.sub(r'^name = "([^"]*)"', lambda m: f'name = "{m.group(1)}（{i:04d}）"', b, count=1, flags=re.M)
        out.append(b)
    path = WORK / f"projects-{count}.toml"
    path.write_text("\n".join(out))
    return path


def batch(n):
    src = WORK / f"batch-{n}"
    perturbed(n, src)
    sources = WORK / f"batch-{n}-typ"
    shutil.rmtree(sources, ignore_errors=True)
    sources.mkdir()
    files = sorted(src.glob("*.toml"))
    # The emitted sources, made before the clocks start.
    subprocess.run(["xargs", "-P2", "-I{}", "sh", "-c",
                    f'{YUSUAN} render -q "{{}}" --emit typst -o {sources}/$(basename "{{}}" .toml) >/dev/null 2>&1'],
                   input="\n".join(map(str, files)), text=True, check=True)
    out_t = WORK / f"batch-{n}-typst-pdf"
    shutil.rmtree(out_t, ignore_errors=True)
    out_t.mkdir()
    start = time.perf_counter()
    subprocess.run(["xargs", "-P2", "-I{}", str(TYPST), "compile", "--ignore-system-fonts",
                    "--font-path", str(FONTS), f"{sources}/{{}}/main.typ", f"{out_t}/{{}}.pdf"],
                   input="\n".join(f.stem for f in files), text=True, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    typst_s = time.perf_counter() - start
    out_y = WORK / f"batch-{n}-yusuan-pdf"
    shutil.rmtree(out_y, ignore_errors=True)
    yusuan_s, kb = peak_kb([YUSUAN, "render", "-q", src, "--out-dir", out_y, "--jobs", "2"])
    print(f"| {n} | {typst_s:.1f} s ({n / typst_s:.1f}/s) | {yusuan_s:.1f} s ({n / yusuan_s:.1f}/s) "
          f"| {typst_s / yusuan_s:.2f}× | {kb // 1024} MB |")


def district():
    # One year's departments with tables: kaiping-2024's complete document, renamed.
    src = WORK / "district-60"
    perturbed(60, src, ["kaiping-2024"])
    n = 60
    start = time.perf_counter()
    run([YUSUAN, "consolidate", src, "-o", WORK / "district.toml", "--name", "某区"])
    run([YUSUAN, "render", "-q", WORK / "district.toml", "-o", WORK / "district.pdf"])
    print(f"district: {n} department files checked, consolidated and rendered in "
          f"{time.perf_counter() - start:.1f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--single", action="store_true",
                    help="only the single documents (every example and 1,000 projects)")
    args = ap.parse_args()
    setup()
    print("| document | typst compile, ms median (min) | yusuan render, ms median (min) | ratio of medians | median of paired ratios |")
    print("|---|---:|---:|---:|---:|")
    for e in EXAMPLES:
        side_by_side(e, ROOT / "examples" / f"{e}.toml", args.runs)
    side_by_side("1,000 projects", many_projects(1000), max(3, args.runs // 3))
    print()
    if args.single:
        return 0
    print("| documents | xargs -P2 typst compile | yusuan render --jobs 2 | ratio | peak memory |")
    print("|---:|---:|---:|---:|---:|")
    for n in (100, args.docs):
        batch(n)
    print()
    district()


if __name__ == "__main__":
    sys.exit(main())
