"""The built bundle passes the real validators: the Nu Html Checker and axe-core."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT, Served

VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def _vnu_or_skip() -> None:
    if VNU.is_file() and shutil.which("java"):
        return
    message = f"needs Java and {VNU.relative_to(ROOT)} (./scripts/test.sh installs both)"
    if os.environ.get("RELIEF_REQUIRE_BROWSER"):
        pytest.fail(f"RELIEF_REQUIRE_BROWSER is set but the Nu Html Checker cannot run: {message}")
    pytest.skip(message)


def test_nu_html_checker_finds_no_error_in_any_page_stylesheet_or_picture(shipped_bundle: Served) -> None:
    _vnu_or_skip()
    files = sorted(p for p in shipped_bundle.folder.rglob("*") if p.suffix in (".html", ".css", ".svg"))
    assert {"index.html", "404.html", "middle-back-relief/index.html", "es/index.html",
            "es/middle-back-relief/index.html"} <= {
        p.relative_to(shipped_bundle.folder).as_posix() for p in files}
    # One Java start for every file: the checker's start-up is most of its time.
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--also-check-css",
                          "--also-check-svg", *map(str, files)], capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr)["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]
    assert errors == [] and run.returncode == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", "404.html", "es/"])  # es/: the Spanish page
def test_axe_finds_no_violation_with_every_stretch_open(browser, shipped_bundle: Served, scheme: str,
                                                       path: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(shipped_bundle.url + path)
        assert tab.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                          "resultTypes": ["violations"]})
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
