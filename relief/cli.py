"""The command line: parse arguments, call the stages, print what happened.

``relief build`` (the default), ``serve``, ``check`` and ``new``. Exit status 0 on
success, 1 on content or build errors, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from .cache import FOLDER as CACHE_FOLDER
from .errors import BuildFailed, ContentError, Problem
from .pipeline import Builder, BuildReport, Options
from .schema import absolute_url

COMMANDS = ("build", "serve", "check", "new")


def _base_url(value: str) -> str:
    try:
        return absolute_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--base-url {exc}") from None


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be a number from 1 to 65535, not '{value}'")
    return int(value)


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include stretches marked 'draft: true'")
    parser.add_argument("--base-url", type=_base_url, metavar="URL",
                        help="absolute URL where the bundle is published (overrides site.yaml)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help=f"parse and render everything afresh; neither read nor write {CACHE_FOLDER}/")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="relief",
        description="Build the stretch pages in content/ into a static bundle in dist/.",
        epilog="Without a command, 'build' runs. 'relief COMMAND --help' explains each command.",
    )
    main.add_argument("--project", type=Path, metavar="DIR",
                      help="the project folder holding content/, templates/ and assets/ "
                      "(default: the folder of build.py, or the current folder for 'relief')")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build dist/ (the default)",
                                    description="Validate content/ and write the bundle to dist/, atomically.")
    _build_options(build_cmd)
    build_cmd.add_argument("--out", type=Path, metavar="DIR", help="write the bundle here instead of dist/")

    serve_cmd = commands.add_parser("serve", help="preview with live reload",
                                    description="Build into a temporary folder (drafts shown, marked 'Draft'), "
                                    "serve it on 127.0.0.1 and, on every save in content/, templates/ or assets/, "
                                    "rebuild and reload the browser. A build error is printed here and shown over "
                                    "the last good page until it is fixed. dist/ is not touched; Ctrl-C stops.")
    serve_cmd.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default 127.0.0.1: this machine only)")

    check_cmd = commands.add_parser("check", help="validate content and the built bundle",
                                    description="Validate all content, build into a temporary folder and "
                                    "check every link, anchor, image, stylesheet and script in it. "
                                    "Publishes nothing.")
    _build_options(check_cmd)

    new_cmd = commands.add_parser("new", help="scaffold a stretch or a page",
                                  description="'new PAGE/GROUP/NAME' writes the group's next numbered stretch "
                                  "file (NN-NAME.md) with every front matter field explained; 'new PAGE' writes "
                                  "content/PAGE/_page.md with one group. New stretches are drafts: shown by "
                                  "'serve', published once you set 'draft: false'. Never overwrites a file.")
    new_cmd.add_argument("target", metavar="PAGE[/GROUP/NAME]", help="e.g. middle-back-relief/sitting/neck-roll")
    return main


def main(argv: list[str] | None = None, *, project: Path | None = None) -> int:
    """Run one command; ``project`` is the default for ``--project`` (build.py passes its own folder)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in COMMANDS or arg in ("-h", "--help") for arg in args_list[:3]):
        args_list.insert(_after_global_options(args_list), "build")
    args = parser().parse_args(args_list)
    project = (args.project or project or Path(".")).absolute()
    if args.command == "serve":
        from .serve import serve

        return serve(project, host=args.host, port=args.port)
    if args.command == "new":
        from .scaffold import new

        return new(project, args.target)
    options = Options(drafts=args.drafts, base_url=args.base_url, strict=args.strict, cache=args.cache)
    if args.command == "check":
        from .check import check

        return check(project, options)
    return run_build(project, args.out or project / "dist", options)


def _after_global_options(args: list[str]) -> int:
    """Index where an implied 'build' goes: after a leading '--project DIR'."""
    return 2 if args[:1] == ["--project"] else 0


def guarded_build(builder: Builder) -> BuildReport:
    """``builder.build()``, with an unexpected crash reported as one problem line instead of a traceback.

    Nothing reaches ``out`` before the final atomic swap, so whatever failed, it is as it was.
    """
    try:
        return builder.build()
    except BuildFailed:
        raise
    except Exception as exc:
        raise BuildFailed([_unexpected(exc)]) from exc


def _unexpected(exc: Exception) -> ContentError:
    if isinstance(exc, OSError) and exc.filename:
        return ContentError(Path(exc.filename), 1, 1, f"cannot be read or written ({exc.strerror}); "
                            "check the file, its folder and their permissions")
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in frames if Path(frame.filename).parent == Path(__file__).parent] or frames
    return ContentError(Path(ours[-1].filename), ours[-1].lineno or 1, 1,
                        f"unexpected {type(exc).__name__}: {exc}; this is a bug in relief: please report it")


def run_build(project: Path, out: Path, options: Options) -> int:
    report = reported_build(Builder(project, out, options), project, f"{_shown(out, project)} was left as it was")
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


def print_problems(problems: list[Problem], project: Path) -> None:
    for problem in problems:
        print(problem.format(project), file=sys.stderr)
    warnings = sum(1 for p in problems if p.kind == "warning")
    if warnings and len(problems) == warnings:
        print(f"{counted(problems, 'warning')} (use --strict to make warnings errors)", file=sys.stderr)


def describe(report: BuildReport, project: Path) -> str:
    return (f"Built {counted(range(report.pages), 'page')} with {counted(range(report.stretches), 'stretch')} "
            f"({report.files} files, {report.bytes / 1024:.0f} KiB) into {_shown(report.out, project)}/ "
            f"in {report.seconds:.2f} s")


def counted(items: object, noun: str) -> str:
    n = len(items)  # type: ignore[arg-type]
    plural = noun + ("es" if noun.endswith("ch") else "s")
    return f"{n} {noun if n == 1 else plural}"


def _shown(path: Path, project: Path) -> str:
    try:
        return str(path.absolute().relative_to(project))
    except ValueError:
        return str(path)
