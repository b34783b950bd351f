#!/usr/bin/env python3
"""Keystroke → painted page in `yusuan serve`, measured in headless Chromium.

    python3 bench/browser.py [--runs 20]

Builds yusuan (release), starts `yusuan serve` on a workspace holding
examples/kaiping-2024.toml, and drives Debian's chromium through
chromedriver (WebDriver over HTTP; no Python packages needed). In the page's
表格 view it types into a cell and measures, inside the page, from the
keystroke's input event to the frame after the changed page's new image is
decoded (two animation frames: the page is painted). Two edits, N times each,
alternating between two values:

- text: one digit of the 收入说明 paragraph (预算收入5464.38万元 ↔ 5464.39);
- amount: the 行政运行 line's 基本支出 (452.03 ↔ 452.04).

Prints each series' median, minimum and maximum in milliseconds.
"""

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench" / "browser"
YUSUAN = ROOT / "target" / "release" / "yusuan"
EXAMPLE = ROOT / "examples" / "kaiping-2024.toml"

MEASURE = """
const [path, value, done] = arguments;
const input = document.querySelector(`#form [data-path='${path}']`);
if (!input) { done(-2); return; }
const before = new Map(Array.from(document.querySelectorAll('#pages .page')).map(p => [p, p.dataset.hash]));
const t0 = performance.now();
input.focus();
input.value = value;
input.dispatchEvent(new Event('input'));
function painted() { requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))); }
function check() {
  for (const p of document.querySelectorAll('#pages .page')) {
    if (before.has(p) && before.get(p) !== p.dataset.hash) {
      const img = p.querySelector('img');
      if (img.dataset.hash === p.dataset.hash) { img.decode().then(painted, () => done(-3)); return; }
    }
  }
  if (performance.now() - t0 > 20000) { done(-1); return; }
  requestAnimationFrame(check);
}
requestAnimationFrame(check);
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["value"]


def wait_for(what, f, limit=60):
    start = time.time()
    while time.time() - start < limit:
        v = f()
        if v:
            return v
        time.sleep(0.05)
    sys.exit(f"waited {limit} s for {what}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    shutil.copy(EXAMPLE, WORK / "kaiping.toml")

    port = free_port()
    server = subprocess.Popen([str(YUSUAN), "serve", str(WORK), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dport = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={dport}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{dport}"
    try:
        wait_for("chromedriver", lambda: _up(base + "/status"))
        wait_for("yusuan serve", lambda: _up(f"http://127.0.0.1:{port}/"))
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900", "--force-device-scale-factor=1"]}}}}
        session = call(base, "POST", "/session", caps)["sessionId"]
        s = f"/session/{session}"
        call(base, "POST", s + "/timeouts", {"script": 60000})
        call(base, "POST", s + "/url", {"url": f"http://127.0.0.1:{port}/"})
        run = lambda script, a=(): call(base, "POST", s + "/execute/sync", {"script": script, "args": list(a)})
        wait_for("the file list", lambda: run(
            "const b = document.querySelector('#file-list button'); if (b) { b.click(); return true; } return false;"))
        wait_for("the preview", lambda: run(
            "return document.querySelectorAll('#pages .page img').length > 30 && !!document.querySelector('#form textarea');"))
        time.sleep(1)
        text_path = run("""
            for (const t of document.querySelectorAll('#form textarea'))
              if (t.value.includes('预算收入5464.38万元')) return t.dataset.path;
            return null;""")
        text_value = run(f"return document.querySelector(`#form [data-path='{text_path}']`).value;")
        series = {
            "text": (text_path, text_value, text_value.replace("预算收入5464.38万元", "预算收入5464.39万元")),
            "amount": ('["expenditure",0,"basic"]', "452.03", "452.04"),
        }
        for name, (path, a, b) in series.items():
            times = []
            for i in range(args.runs):
                ms = call(base, "POST", s + "/execute/async",
                          {"script": MEASURE, "args": [path, b if i % 2 == 0 else a]})
                if ms < 0:
                    sys.exit(f"{name}: no page changed ({ms})")
                times.append(ms)
                time.sleep(0.3)
            print(f"{name:6} keystroke → painted page: median {statistics.median(times):.0f} ms "
                  f"(min {min(times):.0f}, max {max(times):.0f}, n={len(times)})")
        call(base, "DELETE", s)
    finally:
        driver.terminate()
        server.terminate()


def _up(url):
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
