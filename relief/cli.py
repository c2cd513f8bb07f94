"""The command line: parse arguments, call the stages, print what happened.

``relief build`` (the default), ``serve``, ``check`` and ``new``. Exit status 0 on
success, 1 on content or build errors, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import BuildFailed, Problem
from .pipeline import BuildReport, Options, build
from .schema import absolute_url

COMMANDS = ("build", "serve", "check", "new")


def _base_url(value: str) -> str:
    try:
        return absolute_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--base-url {exc}") from None


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include stretches marked 'draft: true'")
    parser.add_argument("--base-url", type=_base_url, metavar="URL",
                        help="absolute URL where the bundle is published (overrides site.yaml)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="relief",
        description="Build the stretch pages in content/ into a static bundle in dist/.",
        epilog="Without a command, 'build' runs. 'relief COMMAND --help' explains each command.",
    )
    main.add_argument("--project", type=Path, default=Path("."), metavar="DIR",
                      help="the project folder holding content/, templates/ and assets/ (default: .)")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build dist/ (the default)",
                                    description="Validate content/ and write the bundle to dist/, atomically.")
    _build_options(build_cmd)
    build_cmd.add_argument("--out", type=Path, metavar="DIR", help="write the bundle here instead of dist/")

    serve_cmd = commands.add_parser("serve", help="preview with live reload",
                                    description="Build, serve on 127.0.0.1 and rebuild and reload the "
                                    "browser whenever content/, templates/ or assets/ change.")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--no-browser-overlay", action="store_true", help=argparse.SUPPRESS)

    check_cmd = commands.add_parser("check", help="validate content and the built bundle",
                                    description="Validate all content, build into a temporary folder and "
                                    "check every link, anchor, image, stylesheet and script in it. "
                                    "Publishes nothing.")
    _build_options(check_cmd)

    new_cmd = commands.add_parser("new", help="scaffold a stretch or a page",
                                  description="'new PAGE/GROUP/NAME' writes the next numbered stretch file "
                                  "of that group; 'new PAGE' writes a new page with one group.")
    new_cmd.add_argument("target", metavar="PAGE[/GROUP/NAME]", help="e.g. middle-back-relief/sitting/neck-roll")
    return main


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in COMMANDS or arg in ("-h", "--help") for arg in args_list[:3]):
        args_list.insert(_after_global_options(args_list), "build")
    args = parser().parse_args(args_list)
    project = args.project.absolute()
    if args.command == "serve":
        from .serve import serve

        return serve(project, host=args.host, port=args.port)
    if args.command == "new":
        from .scaffold import new

        return new(project, args.target)
    options = Options(drafts=args.drafts, base_url=args.base_url, strict=args.strict)
    if args.command == "check":
        from .check import check

        return check(project, options)
    return run_build(project, args.out or project / "dist", options)


def _after_global_options(args: list[str]) -> int:
    """Index where an implied 'build' goes: after a leading '--project DIR'."""
    return 2 if args[:1] == ["--project"] else 0


def run_build(project: Path, out: Path, options: Options) -> int:
    try:
        report = build(project, out, options)
    except BuildFailed as failed:
        print_problems(failed.errors, project)
        print(f"Build failed: {_count(failed.errors, 'problem')}; {_shown(out, project)} was left as it was.",
              file=sys.stderr)
        return 1
    print_problems(list(report.warnings), project)
    print(describe(report, project))
    return 0


def print_problems(problems: list[Problem], project: Path) -> None:
    for problem in problems:
        print(problem.format(project), file=sys.stderr)
    warnings = sum(1 for p in problems if p.kind == "warning")
    if warnings and len(problems) == warnings:
        print(f"{_count(problems, 'warning')} (use --strict to make warnings errors)", file=sys.stderr)


def describe(report: BuildReport, project: Path) -> str:
    return (f"Built {_count(range(report.pages), 'page')} with {_count(range(report.stretches), 'stretch')} "
            f"({report.files} files, {report.bytes / 1024:.0f} KiB) into {_shown(report.out, project)}/ "
            f"in {report.seconds:.2f} s")


def _count(items: object, noun: str) -> str:
    n = len(items)  # type: ignore[arg-type]
    plural = noun + ("es" if noun.endswith("ch") else "s")
    return f"{n} {noun if n == 1 else plural}"


def _shown(path: Path, project: Path) -> str:
    try:
        return str(path.absolute().relative_to(project))
    except ValueError:
        return str(path)
