"""The benchmark runs, and the content it generates is valid content: it measures real builds.

Speed itself is the benchmark's job (``python bench/run.py``), never a timed assertion here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Run

sys.path.insert(0, str(ROOT / "bench"))
import hugo_site
from synth import Shape, generate

HUGO = shutil.which("hugo")
HUGO_TABLE = "| stretches | naive | ours cold | Hugo cold | ours/naive | ours/Hugo | Hugo peak memory |"
SKIPPED = "Note: Hugo skipped, `hugo` is not on PATH"
TIMED = {"naive", "cold", "first", "unchanged", "edit", "edit_in_process"}


def quick(tmp_path: Path, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], dict]:
    result = subprocess.run([sys.executable, str(ROOT / "bench/run.py"), "--quick", "--work", str(tmp_path / "work"),
                             "--json", str(tmp_path / "results.json")], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr
    return result, json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))


def test_the_quick_benchmark_runs_and_reports_every_measurement(tmp_path: Path, cli: Callable[..., Run]) -> None:
    result, results = quick(tmp_path)
    assert "| stretches | naive | cold build (--no-cache) |" in result.stdout
    assert HUGO_TABLE in result.stdout
    assert [size["stretches"] for size in results["sizes"]] == [16, 40]
    for size in results["sizes"]:
        assert set(size["median"]) == TIMED | ({"hugo"} if HUGO else set())
        assert all(seconds > 0 for seconds in size["median"].values())
        assert set(size["cold_ratios"]) == {"ours_over_naive"} | ({"ours_over_hugo"} if HUGO else set())
        assert size["cold_ratios"]["ours_over_naive"] == pytest.approx(size["median"]["cold"] / size["median"]["naive"])
    if HUGO:  # Hugo built both sites, every stretch of each is in its output, and the figures are printed
        assert SKIPPED not in result.stdout
        assert results["hugo"]["version"].startswith("hugo v")
        for size in results["sizes"]:
            assert len(size["hugo"]) == results["runs"] and size["hugo_stretches"] == size["stretches"]
            assert size["cold_ratios"]["ours_over_hugo"] == pytest.approx(
                size["median"]["cold"] / size["median"]["hugo"])
            seconds = size["median"]
            row = f"| {size['stretches']:,} | {seconds['naive']:.2f} s | {seconds['cold']:.2f} s | "
            assert f"{row}{seconds['hugo']:.2f} s | " in result.stdout
        hugo_page = (tmp_path / "work/site-40-hugo/public/page-0001/index.html").read_text(encoding="utf-8")
        assert hugo_page.count("<details") == 20 and hugo_page.count('<div class="stretch-body"><p>') == 20
        assert 'href="https://example.org/guide/1/"' in hugo_page and "<em>" in hugo_page and "<li>" in hugo_page
    else:
        assert SKIPPED in result.stdout and results["hugo"]["path"] is None
        assert "| 40 | " in result.stdout and " | skipped | " in result.stdout
    assert all(results["page_gzipped_bytes"][kind] > 0 for kind in ("html", "css", "js"))

    generated = tmp_path / "work/site-40"
    built = cli(generated, "--strict", "--no-cache")
    assert built.code == 0 and built.err == "", built.err
    assert "Built 2 pages with 40 stretches" in built.out
    page = (generated / "dist/page-0001/index.html").read_text(encoding="utf-8")
    assert page.count("<details") == 20 and "<em>" in page and "<li>" in page
    assert 'href="https://example.org/guide/1/"' in page


def test_without_hugo_on_path_the_benchmark_skips_it_with_a_note(tmp_path: Path) -> None:
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "hugo").is_file()]
    result, results = quick(tmp_path, env=os.environ | {"PATH": os.pathsep.join(path)})
    assert SKIPPED in result.stdout and HUGO_TABLE in result.stdout
    assert results["hugo"] == {"path": None, "skipped": SKIPPED.removeprefix("Note: Hugo ") +
                               " (apt-get install hugo to compare with it)"}
    for size in results["sizes"]:
        seconds = size["median"]
        row = (f"| {size['stretches']:,} | {seconds['naive']:.2f} s | {seconds['cold']:.2f} s | skipped | "
               f"{size['cold_ratios']['ours_over_naive']:.2f}x | - | - |")
        assert row in result.stdout
        assert size["hugo"] == [] and size["hugo_stretches"] is None and set(seconds) == TIMED
        assert set(size["cold_ratios"]) == {"ours_over_naive"}
    assert not (tmp_path / "work/site-40-hugo").exists()


STRETCH = ('<details id="{id}"><summary>Neck roll</summary>\n<img src="/x.svg" alt="">\n'
           '<div class="stretch-body">{body}</div></details>\n')


def test_the_hugo_check_refuses_output_without_every_rendered_stretch(tmp_path: Path) -> None:
    def page(*bodies: tuple[str, str]) -> Path:
        public = tmp_path / f"public-{len(list(tmp_path.iterdir()))}"
        (public / "page-0001").mkdir(parents=True)
        html = "".join(STRETCH.format(id=i, body=body) for i, body in bodies)
        (public / "page-0001/index.html").write_text(html, encoding="utf-8")
        return public

    rendered = ("<p>Roll <em>slowly</em>.</p>", "<ol>\n<li>Roll.</li>\n</ol>\n")
    assert hugo_site.check(page(("a", rendered[0]), ("b", rendered[1])), ["a", "b"]) == 2
    for broken in [(("a", rendered[0]), ("b", "")),  # an empty body
                   (("a", rendered[0]), ("b", "1. Roll.")),  # Markdown left as it was
                   (("a", rendered[0]),)]:  # a stretch missing
        with pytest.raises(SystemExit, match="rendered stretches"):
            hugo_site.check(page(*broken), ["a", "b"])


@pytest.mark.skipif(HUGO is None, reason="hugo is not on PATH")
def test_a_hugo_layout_that_renders_no_bodies_is_caught(tmp_path: Path) -> None:
    project = generate(tmp_path / "site", Shape(2, 2, 3))
    expected = hugo_site.convert(project, tmp_path / "hugo")
    assert len(expected) == 12
    layout = tmp_path / "hugo/layouts/_default/list.html"

    def build() -> Path:
        public = tmp_path / "hugo/public"
        shutil.rmtree(public, ignore_errors=True)
        subprocess.run([HUGO, "--quiet", "--source", str(tmp_path / "hugo"), "--destination", str(public),
                        "--cacheDir", str(tmp_path / "cache")], check=True, capture_output=True, timeout=60)
        return public

    assert hugo_site.check(build(), expected) == 12
    layout.write_text(layout.read_text(encoding="utf-8").replace(
        '<div class="stretch-body">{{ .Content }}</div>', '<div class="stretch-body"></div>'), encoding="utf-8")
    with pytest.raises(SystemExit, match="has 0 rendered stretches, not the 12"):
        hugo_site.check(build(), expected)


def test_the_cpu_profile_names_python_markdowns_share_of_a_cold_build() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench/cpu_profile.py"), "--stretches", "100"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cold build of 100 stretches in one process, profiled: ")
    shares = {line[:30].strip(): float(line.rsplit(None, 2)[-2]) for line in lines[1:]}
    wanted = {"Python-Markdown (convert)", "YAML (front matter)", "Jinja (pages, render)", "everything else"}
    assert wanted <= set(shares)
    assert 0 < shares["Python-Markdown (convert)"] < 100 and abs(sum(shares.values()) - 100) < 1


def test_the_benchmark_times_relief_compiled_as_an_installed_package_is(tmp_path: Path) -> None:
    """The benchmark's copy of relief holds the bytecode of every module, so no timed run compiles one (with
    PYTHONDONTWRITEBYTECODE set, every run would, and write nothing) and no timed run is the first to."""
    import importlib.util

    import run

    command = run.snapshot(tmp_path / "code")
    sys.path.remove(str(tmp_path / "code"))  # snapshot puts the copy first on the path, for its serve session
    modules = sorted((tmp_path / "code" / "relief").rglob("*.py"))
    assert len(modules) > 30 and command[-1] == str(tmp_path / "code" / "build.py")
    assert [m for m in modules if not Path(importlib.util.cache_from_source(str(m))).is_file()] == []
    # Python compiles a module from its source only where its bytecode is missing or stale: none is, here
    compiled = subprocess.run([sys.executable, "-c", COMPILED], cwd=tmp_path / "code", capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert compiled.stdout.split() == ["[]", str(tmp_path / "code" / "relief" / "pipeline.py")]


COMPILED = """
import importlib._bootstrap_external as external
compiled = []
to_code = external.SourceLoader.source_to_code
def noted(self, data, path, **options):
    compiled.append(path)
    return to_code(self, data, path, **options)
external.SourceLoader.source_to_code = noted
import relief.pipeline, relief.cli
print([path for path in compiled if "relief" in str(path)], relief.pipeline.__file__)
"""
