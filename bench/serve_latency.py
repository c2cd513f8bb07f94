"""How long an editor waits in ``relief serve``: from a save to the new text in the browser.

Run ``python bench/serve_latency.py [--edits 10]``. It copies the shipped project into a
temporary folder, starts ``build.py serve`` there on a free port, opens the page in headless
Chromium and edits one stretch's title again and again. It prints the median (and range) of
save-to-visible time and of the rebuild time the server reports for each edit. Not a test:
nothing here asserts a duration.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RELIEF_CHROMIUM", "/usr/bin/chromium")
STRETCH = "content/middle-back-relief/sitting/02-seated-elbow-circles.md"
STRETCH_ID = "seated-elbow-circles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=10, help="how many saves to time (default 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relief-bench-serve-") as temp:
        project = Path(temp) / "site"
        for name in ("content", "templates", "assets", "locales"):
            shutil.copytree(ROOT / name, project / name)
        log = Path(temp) / "serve.log"
        port = _free_port()
        with log.open("wb") as out:
            server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--project", str(project), "serve",
                                       "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_answering(url, server)
            latencies = _time_edits(url, project / STRETCH, args.edits)
        finally:
            server.terminate()
            server.wait(timeout=10)
        rebuilds = [float(s) for s in re.findall(r"^Rebuilt in ([\d.]+) s", log.read_text(), re.MULTILINE)]
    _report("save -> new text visible in the browser", latencies)
    _report("rebuild of one edited stretch (reported by serve)", rebuilds)


def _time_edits(url: str, stretch: Path, edits: int) -> list[float]:
    latencies = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(url)
        original = stretch.read_text(encoding="utf-8")
        title = re.search(r"^title: (.*)$", original, re.MULTILINE).group(1)  # type: ignore[union-attr]
        for n in range(1, edits + 1):
            new_title = f"{title} (edit {n})"
            stretch.write_text(original.replace(f"title: {title}", f"title: {new_title}"), encoding="utf-8")
            saved = time.perf_counter()
            page.wait_for_function("([id, text]) => document.querySelector(`#${id} summary`)?.textContent"
                                   ".includes(text)", arg=[STRETCH_ID, new_title], polling="raf", timeout=30_000)
            latencies.append(time.perf_counter() - saved)
        browser.close()
    return latencies


def _report(what: str, seconds: list[float]) -> None:
    if not seconds:
        print(f"{what}: no measurements")
        return
    print(f"{what}: median {statistics.median(seconds) * 1000:.0f} ms "
          f"(min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}, n={len(seconds)})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("serve did not start")


if __name__ == "__main__":
    main()
