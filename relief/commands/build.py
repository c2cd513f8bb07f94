"""``relief build``: build ``dist/`` (or ``--out``) once and say what happened."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import BuildFailed
from ..pipeline import Builder, BuildReport, Options, guarded_build
from ..report import counted, describe, print_problems, shown


def run_build(project: Path, out: Path, options: Options) -> int:
    report = reported_build(Builder(project, out, options), project, f"{shown(out, project)} was left as it was")
    if report is None:
        return 1
    print(describe(report, project))
    return 0


def reported_build(builder: Builder, project: Path, kept: str) -> BuildReport | None:
    """Build and print every problem and warning; None if it failed (``kept`` says what is as it was)."""
    try:
        report = guarded_build(builder)
    except BuildFailed as failed:
        print_problems(failed.errors, project)
        print(f"Build failed: {counted(failed.errors, 'problem')}; {kept}.", file=sys.stderr)
        return None
    print_problems(list(report.warnings), project)
    return report
