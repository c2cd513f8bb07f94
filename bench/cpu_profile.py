"""Where a cold build's CPU goes: ``python bench/cpu_profile.py [--stretches N]``.

Builds a synthetic site (``bench/synth.py``, 1,000 stretches unless told) once, cold
(``--no-cache``), in this one process (``--jobs 1``, so that one profiler sees every step)
under ``cProfile``, and prints the share of the build's CPU time spent inside each library
and step: Python-Markdown's ``convert``, YAML, nh3, the Jinja templates, JSON, Pillow and the
rest. A share is a function's inclusive time over the build's, so nested steps are not
counted twice (Markdown inside the parse is Markdown's, not the parse's). The profiler slows
small Python functions more than C code, so the shares lean a little away from libyaml and nh3.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

from synth import ROOT, Shape, generate

sys.path.insert(0, str(ROOT))

# (label, where the function is defined, its name): the first of a call chain that matches takes its time
STEPS = (
    ("Python-Markdown (convert)", "markdown/core.py", "convert"),
    ("YAML (front matter)", "relief/load/frontmatter.py", "parse_yaml"),
    ("nh3 (sanitise, plain text)", "relief/load/markdown.py", "sanitise"),
    ("nh3 (sanitise, plain text)", "relief/load/markdown.py", "plain_text"),
    ("Jinja (pages, render)", "jinja2/environment.py", "render"),
    ("Jinja (pages, render)", "jinja2/environment.py", "generate"),
    ("Jinja (compile templates)", "jinja2/environment.py", "compile"),
    ("JSON (records, structured data)", "json/__init__.py", "dumps"),
    ("JSON (records, structured data)", "json/__init__.py", "loads"),
    ("Pillow (icons, pictures)", "relief/load/photos.py", "strip"),
    ("writing the bundle", "relief/publish.py", "finish"),
)


def shares(stats: pstats.Stats) -> tuple[float, dict[str, float]]:
    """The build's total seconds and the inclusive seconds of each step of ``STEPS``."""
    table = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = max(ct for (_, _, name), (_, _, _, ct, _) in table.items() if name == "build")
    found: dict[str, float] = {}
    for label, where, function in STEPS:
        for (file, _, name), (_, _, _, ct, _) in table.items():
            if name == function and file.replace("\\", "/").endswith(where):
                found[label] = found.get(label, 0.0) + ct
    return total, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stretches", type=int, default=1000, help="about how many (a multiple of 100)")
    args = parser.parse_args()
    from relief.pipeline import Options, build

    with tempfile.TemporaryDirectory() as scratch:
        project = generate(Path(scratch) / "site", Shape(max(1, args.stretches // 100), 4, 25))
        profile = cProfile.Profile()
        profile.enable()
        report = build(project, project / "dist", Options(cache=False, jobs=1))
        profile.disable()
    total, found = shares(pstats.Stats(profile))
    print(f"cold build of {report.stretches} stretches in one process, profiled: {total:.2f} s")
    for label, seconds in sorted(found.items(), key=lambda item: -item[1]):
        print(f"  {label:32s} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    rest = total - sum(found.values())
    print(f"  {'everything else':32s} {rest:6.2f} s  {100 * rest / total:5.1f} %")


if __name__ == "__main__":
    main()
