"""Screenshots of the built page for the README: docs/screenshots/phone.png and desktop.png.

Builds the shipped site into a temporary folder, serves it on 127.0.0.1 and photographs it
with Debian's Chromium through Playwright (no browser download):

    python3 scripts/screenshots.py [--out docs/screenshots] [--scheme light|dark]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout, like build.py

from relief.pipeline import Options, build  # noqa: E402

CHROMIUM = os.environ.get("RELIEF_CHROMIUM", "/usr/bin/chromium")
# (file name, viewport, phone: open the first stretch and scroll to it)
SHOTS = (
    ("phone.png", {"width": 390, "height": 844}, True),
    ("desktop.png", {"width": 1280, "height": 900}, False),
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def shoot(bundle: Path, url: str, out: Path, scheme: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, viewport, open_first in SHOTS:
            context = browser.new_context(viewport=viewport, device_scale_factor=2 if open_first else 1,
                                          color_scheme=scheme, is_mobile=open_first, has_touch=open_first)
            tab = context.new_page()
            tab.goto(url)
            if open_first:
                first = tab.locator("details.stretch").first
                first.locator("summary").click()
                first.locator("img").evaluate("img => img.decode()")
                # from the safety note just above the routine down into the open stretch
                tab.evaluate("window.scrollTo(0, document.querySelector('.stop-note').offsetTop - 16)")
            tab.screenshot(path=out / name)
            print(f"wrote {out / name}")
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "dist"
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(bundle)))
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        build(ROOT, bundle, Options(base_url=url))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            shoot(bundle, url, args.out, args.scheme)
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
