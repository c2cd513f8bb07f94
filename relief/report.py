"""What the user reads in the terminal: problems, one line each, and summaries of what was built."""

from __future__ import annotations

import sys
from collections.abc import Sized
from pathlib import Path

from .errors import Problem, printable
from .pipeline import BuildReport


def print_problems(problems: list[Problem], project: Path) -> None:
    for problem in problems:
        print(problem.format(project), file=sys.stderr)
    warnings = sum(1 for p in problems if p.kind == "warning")
    if warnings and len(problems) == warnings:
        print(f"{counted(problems, 'warning')} (use --strict to make warnings errors)", file=sys.stderr)


def describe(report: BuildReport, project: Path) -> str:
    if report.unchanged:
        return (f"Nothing changed since the last build: {shown(report.out, project)}/ already holds its "
                f"{counted(range(report.pages), 'page')} with {counted(range(report.stretches), 'stretch')} "
                f"({report.files} files, {report.bytes / 1024:.0f} KiB); checked in {report.seconds:.2f} s")
    workers = f", parsing on {counted(range(report.workers), 'worker process')}" if report.workers else ""
    if report.renderers:
        workers += f", rendering on {counted(range(report.renderers), 'worker process')}"
    return (f"Built {counted(range(report.pages), 'page')} with {counted(range(report.stretches), 'stretch')} "
            f"({report.files} files, {report.bytes / 1024:.0f} KiB) into {shown(report.out, project)}/ "
            f"in {report.seconds:.2f} s{workers}")


def counted(items: Sized, noun: str) -> str:
    n = len(items)
    plural = noun + ("es" if noun.endswith(("ch", "ss")) else "s")
    return f"{n} {noun if n == 1 else plural}"


def shown(path: Path, project: Path) -> str:
    """``path`` as the user should read it: relative to the project when inside it."""
    try:
        return printable(str(path.absolute().relative_to(project)))
    except ValueError:
        return printable(str(path))
