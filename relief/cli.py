"""The command line: parse arguments, call the stages, print what happened.

``relief build`` (the default), ``serve``, ``check``, ``new`` and ``messages``. Exit status 0 on
success, 1 on content or build errors, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import NoReturn

from .cache import FOLDER as CACHE_FOLDER
from .load.schema import absolute_url
from .pipeline import Options

COMMANDS = ("build", "serve", "check", "new", "messages")


def _base_url(value: str) -> str:
    try:
        return absolute_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--base-url {exc}") from None


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be a number from 1 to 65535, not '{value}'")
    return int(value)


def _jobs(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(f"--jobs must be a number from 1 to 64, not '{value}'")
    return int(value)


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include stretches marked 'draft: true'")
    parser.add_argument("--base-url", type=_base_url, metavar="URL",
                        help="absolute URL where the bundle is published (overrides site.yaml)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help=f"parse and render everything afresh; neither read nor write {CACHE_FOLDER}/")
    parser.add_argument("--jobs", type=_jobs, metavar="N",
                        help="parse with N worker processes (1: in this process only; "
                        "default: one per core, when there are enough files for it to pay)")


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
    serve_cmd.add_argument("--base-url", type=_base_url, metavar="URL",
                           help="serve under the path of this URL instead of site.yaml's base_url "
                           "(e.g. http://127.0.0.1:8000/relief/)")

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

    messages_cmd = commands.add_parser("messages", help="extract the templates' words into the catalogs",
                                       description="Extract every word of templates/ into locales/messages.pot "
                                       "(Babel's Jinja extractor) and update each locales/LANG/LC_MESSAGES/"
                                       "messages.po from it: new words untranslated, gone ones dropped, every "
                                       "translation kept. The build says which words a language still lacks.")
    messages_cmd.add_argument("--add", action="append", default=[], metavar="LANG",
                              help="start the catalog of a new language (e.g. --add fr); may be repeated")
    return main


INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def main(argv: list[str] | None = None, *, project: Path | None = None) -> int:
    """Run one command; ``project`` is the default for ``--project`` (build.py passes its own folder).

    Ctrl-C is one line and exit status 130: whatever was under way, the output folder holds the last
    complete bundle (publish swaps a whole one in, or nothing)."""
    return _run(argv, project)[0]


def program(argv: list[str] | None = None, *, project: Path | None = None) -> NoReturn:
    """The command line as a program (build.py, the ``relief`` script): ``main``, then the process ends. After a
    build everything is written, closed and flushed, and the interpreter's teardown would only free every
    object of the build one by one (60 ms after 10,000 stretches): the process ends at once instead."""
    code, command = _run(argv, project)
    # on Linux only: elsewhere a build's workers are spawned, and the process that watches their semaphores
    # would call those its teardown did not release leaked
    if command == "build" and sys.platform.startswith("linux"):
        with suppress(OSError, ValueError):  # a closed or broken stdout: nothing more to say there
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _run(argv: list[str] | None, project: Path | None) -> tuple[int, str]:
    """``main``'s exit status, and the command that ran ("" if Ctrl-C stopped it)."""
    try:
        return _main(argv, project=project)
    except KeyboardInterrupt:
        print("Stopped (Ctrl-C); the output folder holds the last complete bundle.", file=sys.stderr)
        return INTERRUPTED, ""


def _main(argv: list[str] | None, *, project: Path | None) -> tuple[int, str]:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in COMMANDS or arg in ("-h", "--help") for arg in args_list[:3]):
        args_list.insert(_after_global_options(args_list), "build")
    args = parser().parse_args(args_list)
    return _command(args, (args.project or project or Path(".")).absolute()), args.command


def _command(args: argparse.Namespace, project: Path) -> int:
    """Run the command ``args`` names in ``project``; its exit status."""
    if args.command == "serve":
        from .commands.serve import serve

        return serve(project, host=args.host, port=args.port, base_url=args.base_url)
    if args.command == "messages":
        from .commands.messages import messages

        return messages(project, args.add)
    if args.command == "new":
        from .commands.new import new

        return new(project, args.target)
    options = Options(drafts=args.drafts, base_url=args.base_url, strict=args.strict, cache=args.cache,
                      jobs=args.jobs)
    if args.command == "check":
        from .commands.check import check

        return check(project, options)
    from .commands.build import run_build

    return run_build(project, args.out or project / "dist", options)


def _after_global_options(args: list[str]) -> int:
    """Index where an implied 'build' goes: after a leading '--project DIR'."""
    return 2 if args[:1] == ["--project"] else 0
