"""The benchmark runs, and the content it generates is valid content: it measures real builds.

Speed itself is the benchmark's job (``python bench/run.py``), never a timed assertion here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT, Run


def test_the_quick_benchmark_runs_and_reports_every_measurement(tmp_path: Path, cli: Callable[..., Run]) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench/run.py"), "--quick", "--work", str(tmp_path / "work"),
                             "--json", str(tmp_path / "results.json")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "| stretches | naive | cold build (--no-cache) |" in result.stdout
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [size["stretches"] for size in results["sizes"]] == [16, 40]
    for size in results["sizes"]:
        assert set(size["median"]) == {"naive", "cold", "first", "unchanged", "edit", "edit_in_process"}
        assert all(seconds > 0 for seconds in size["median"].values())
    assert all(results["page_gzipped_bytes"][kind] > 0 for kind in ("html", "css", "js"))

    generated = tmp_path / "work/site-40"
    built = cli(generated, "--strict", "--no-cache")
    assert built.code == 0 and built.err == "", built.err
    assert "Built 2 pages with 40 stretches" in built.out
    page = (generated / "dist/page-0001/index.html").read_text(encoding="utf-8")
    assert page.count("<details") == 20 and "<em>" in page and "<li>" in page
    assert 'href="https://example.org/guide/1/"' in page
