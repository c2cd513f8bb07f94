"""Lighthouse 12 (the real CLI, pinned in package-lock.json) scores the shipped page 100 in
performance, accessibility, best practices and SEO, with its default mobile settings and
simulated throttling, and loads nothing from beyond 127.0.0.1. The bundle is served gzipped, as
every static host serves it (tests/conftest.py's CompressingHandler). The page is audited as published:
it works offline (it registers the service worker) and links the web app manifest.

The 404 page is held to the same three scores; its SEO score is 100 but for the one audit
its deliberate ``noindex`` fails ("Page is blocked from indexing"). Lighthouse audits the page
as it loads, every stretch closed, so the pictures inside them are not checked here: the axe
test in test_validators.py opens them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, CompressingHandler, Served, serving

from relief.cli import main

LIGHTHOUSE = ROOT / "node_modules/.bin/lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = ["--headless=new", *CHROMIUM_ARGS]
LOCAL_SCHEMES = ("data", "chrome-extension", "about", "blob")

pytestmark = [pytest.mark.browser, pytest.mark.alone]


@pytest.fixture(scope="module")
def shipped_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The shipped site served compressed, as every static host serves it (audited as published)."""
    folder = tmp_path_factory.mktemp("shipped") / "dist"
    with serving(folder, CompressingHandler) as url:
        assert main(["--project", str(ROOT), "build", "--out", str(folder), "--base-url", url]) == 0
        yield Served(folder, url)


def _lighthouse_or_skip() -> None:
    missing = [what for what, there in ((f"Chromium at {CHROMIUM}", CHROMIUM.exists()),
                                        ("node", shutil.which("node") is not None),
                                        (str(LIGHTHOUSE.relative_to(ROOT)), os.access(LIGHTHOUSE, os.X_OK)))
               if not there]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (./scripts/test.sh installs them)"
    if os.environ.get("RELIEF_REQUIRE_BROWSER"):
        pytest.fail(f"RELIEF_REQUIRE_BROWSER is set but Lighthouse cannot run: {message}")
    pytest.skip(message)


def _lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run of ``url``: its JSON report."""
    run = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}", "--no-enable-error-reporting",
         f"--chrome-flags={' '.join(CHROME_FLAGS)}"],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, cwd=ROOT, capture_output=True, text=True, timeout=150)
    assert run.returncode == 0 and out.is_file(), f"lighthouse exited {run.returncode}:\n{run.stdout}{run.stderr}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert not report.get("runtimeError"), report["runtimeError"]
    assert report["lighthouseVersion"].startswith("12.")
    assert report["configSettings"]["formFactor"] == "mobile"
    assert report["configSettings"]["throttlingMethod"] == "simulate"
    return report


def _median_run(url: str, out: Path) -> dict:
    """Lighthouse's report of ``url``; when its performance is under 100, the run of median
    performance of five, as Lighthouse's guide to score variability advises: simulated throttling
    scales the main thread's tasks as measured, so a busy machine can cost one run a few points.
    Every category is then asserted on that one run."""
    first = _lighthouse(url, out)
    if first["categories"]["performance"]["score"] == 1:
        return first
    runs = [first] + [_lighthouse(url, out.with_name(f"{out.stem}-{n}{out.suffix}")) for n in (2, 3, 4, 5)]
    runs.sort(key=lambda report: report["categories"]["performance"]["score"])
    return runs[2]


def _failing(report: dict, category: str) -> list[tuple[str, float, str]]:
    """The audits of ``category`` below a full score as (id, weight, description), those that
    count towards the score first."""
    rows = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit["score"] is not None and audit["score"] < 1 and audit["scoreDisplayMode"] in (
                "binary", "numeric", "metricSavings"):
            shown = f", {audit['displayValue']}" if audit.get("displayValue") else ""
            rows.append((audit["id"], ref["weight"], f"{audit['id']} ({audit['title']}): score {audit['score']}"
                                                     f"{shown}, weight {ref['weight']:g}"))
    return sorted(rows, key=lambda row: -row[1])


def _scores_message(report: dict, categories: tuple[str, ...]) -> str:
    lines = [f"Lighthouse {report['lighthouseVersion']} on {report['finalDisplayedUrl']}:"]
    for category in categories:
        score = report["categories"][category]["score"]
        lines.append(f"{category}: {score}")
        if score != 1:
            lines += [f"  {text}" for _, _, text in _failing(report, category)]
    metrics = ("first-contentful-paint", "largest-contentful-paint", "speed-index", "total-blocking-time",
               "cumulative-layout-shift")
    lines.append("metrics: " + ", ".join(f"{m} {report['audits'][m].get('displayValue')}" for m in metrics))
    lines += [f"warning: {w}" for w in report.get("runWarnings", [])]
    return "\n".join(lines)


def _outside_requests(report: dict) -> list[str]:
    urls = [item["url"] for item in report["audits"]["network-requests"]["details"]["items"]]
    assert urls, "Lighthouse recorded no network request at all"
    return [url for url in urls
            if urlsplit(url).scheme not in LOCAL_SCHEMES
            and not (urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname == "127.0.0.1")]


def test_lighthouse_scores_the_page_100_in_all_four_categories(shipped_bundle: Served, tmp_path: Path) -> None:
    _lighthouse_or_skip()
    # the page as published: it registers the service worker, which keeps the build, and links the manifest
    page = (shipped_bundle.folder / "index.html").read_text(encoding="utf-8")
    assert "data-worker=" in page and 'rel="manifest"' in page
    assert "var FILES = [];" not in (shipped_bundle.folder / "sw.js").read_text(encoding="utf-8")
    report = _median_run(shipped_bundle.url, tmp_path / "page.json")
    assert report["finalDisplayedUrl"] == shipped_bundle.url
    assert _outside_requests(report) == []
    scores = {category: report["categories"][category]["score"] for category in CATEGORIES}
    assert scores == dict.fromkeys(CATEGORIES, 1), _scores_message(report, CATEGORIES)


def test_lighthouse_scores_the_404_page_100_but_for_its_noindex(shipped_bundle: Served, tmp_path: Path) -> None:
    _lighthouse_or_skip()
    url = shipped_bundle.url + "404.html"
    report = _median_run(url, tmp_path / "404.json")
    assert report["finalDisplayedUrl"] == url
    assert _outside_requests(report) == []
    kept = ("performance", "accessibility", "best-practices")
    scores = {category: report["categories"][category]["score"] for category in kept}
    assert scores == dict.fromkeys(kept, 1), _scores_message(report, kept)
    # "Page is blocked from indexing" is the point of a 404 page; nothing else in SEO may fail.
    failing = [audit for audit, weight, _ in _failing(report, "seo") if weight > 0]
    assert failing == ["is-crawlable"], _scores_message(report, ("seo",))
