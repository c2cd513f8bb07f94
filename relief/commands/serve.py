"""``relief serve``: build into a temporary folder, serve it, rebuild and reload the browser on every save.

The project is built with ``Options(preview=True)`` (drafts shown with their marker) into a
temporary folder, never ``dist/``, and served from there by tornado. ``watch`` holds the
watcher and the livereload socket. A page whose socket connects after a rebuild would
never hear of it: every served page carries the number of the build it shows and, once
connected, asks for the current one.

While the last build failed, every page is served with its problems over it; the files are
those of the last good build.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tornado import web
from tornado.ioloop import IOLoop

from ..errors import BuildFailed, Problem
from ..pipeline import Builder, Options, guarded_build
from ..report import counted, describe, print_problems
from .watch import TreeWatcher, routes, start_polling

WATCHED = ("content", "templates", "assets")  # site.yaml lives in content/
BUILD_PATH = "_relief/build"  # a page slug cannot start with "_", so no page can take this URL

_CHECK_SCRIPT = ('<script>document.addEventListener("LiveReloadConnect",()=>fetch("/{path}",{{cache:"no-store"}})'
                 '.then(r=>r.text()).then(b=>{{if(b!=="{build}")location.reload()}}))</script>\n')
_RELOAD_SCRIPT = ('<script>(function(){{var s=document.createElement("script");s.src="//"+location.hostname+":{port}'
                  '/livereload.js?port={port}";document.head.appendChild(s);}})();</script>')
_OVERLAY = ('<div id="relief-build-errors" role="alert" style="position:fixed;inset:0 0 auto;z-index:2147483647;'
            'max-height:70vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff1f0;color:#5c0000;'
            'border-bottom:4px solid #c00;font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap">'
            '<strong>The build failed; this is the last good page. Fix these and save:</strong>\n{lines}</div>\n')
_NO_BUILD = b"<!doctype html>\n<html lang=en><head><title>Build failed</title></head><body></body></html>\n"


@dataclass
class Preview:
    """The preview's state: where the bundle is, how it is built, what went wrong last."""

    builder: Builder  # kept for the session: it holds the memo of what earlier builds parsed and rendered
    port: int
    errors: list[Problem] = field(default_factory=list)
    builds: int = 0
    session: str = field(default_factory=lambda: f"{time.time_ns():x}")  # tells a restarted server apart

    @property
    def project(self) -> Path:
        return self.builder.project

    @property
    def out(self) -> Path:
        return self.builder.out

    @property
    def build_id(self) -> str:
        return f"{self.session}-{self.builds}"

    def rebuild(self, changed: list[str]) -> None:
        """Build the bundle anew; on failure keep the last good one and remember the problems."""
        try:
            report = guarded_build(self.builder)  # a crash is a problem line too
        except BuildFailed as failed:
            self.errors = failed.errors
            print_problems(self.errors, self.project)
            print(f"Build failed: {counted(self.errors, 'problem')}, shown in the browser too; "
                  "still serving the last good build.",
                  file=sys.stderr, flush=True)
        else:
            self.errors = []
            print_problems(list(report.warnings), self.project)
            print(f"Rebuilt in {report.seconds:.2f} s after {self._shown(changed)}" if changed
                  else describe(report, self.project), flush=True)
        self.builds += 1

    def _shown(self, changed: list[str]) -> str:
        if len(changed) > 1:
            return f"changes to {len(changed)} files"
        return f"a change to {Path(changed[0]).relative_to(self.project)}"

    def locate(self, url_path: str) -> Path | None:
        """The bundle file a URL path names (a folder's index.html), or None: never one outside the bundle."""
        root = self.out.resolve()
        try:
            target = (root / url_path).resolve()
        except (OSError, ValueError):  # a NUL byte, a loop of links
            return None
        if not target.is_relative_to(root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def decorate(self, page: bytes) -> bytes:
        """An HTML page as served: the reload scripts in its head, the problems over it if the build failed."""
        scripts = _CHECK_SCRIPT.format(path=BUILD_PATH, build=self.build_id) + _RELOAD_SCRIPT.format(port=self.port)
        page = page.replace(b"</head>", scripts.encode() + b"</head>", 1)
        if self.errors:
            lines = "\n".join(html.escape(problem.format(self.project)) for problem in self.errors)
            head, end, tail = page.rpartition(b"</body>")
            page = head + _OVERLAY.format(lines=lines).encode() + end + tail
        return page


class BundleHandler(web.RequestHandler):
    """Files of the bundle; ``404.html`` for everything else."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, path: str) -> None:
        file = self.preview.locate(path)
        if file is not None and file.name == "index.html" and path and not path.endswith(("/", "index.html")):
            self.redirect(f"/{path}/", permanent=True)  # as static hosts do, so relative links resolve alike
            return
        if file is None:
            self.set_status(404)
            file = self.preview.locate("404.html")
        data = file.read_bytes() if file else _NO_BUILD
        kind = mimetypes.guess_type(file.name if file else "x.html")[0] or "application/octet-stream"
        if kind == "text/html":
            data = self.preview.decorate(data)
        self.set_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.set_header("Cache-Control", "no-store")
        self.finish(data)


class BuildHandler(web.RequestHandler):
    """The number of the current build, for a page that has just connected."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.preview.build_id)


def serve(project: Path, *, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Preview ``project`` on http://host:port/ until Ctrl-C; 2 if that address cannot be used."""
    url = f"http://{_url_host(host)}:{port}/"
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # not a line per request; failures still show
    loop = IOLoop.current()
    for sig in (signal.SIGINT, signal.SIGTERM):  # stop between builds, never halfway through one
        loop.asyncio_loop.add_signal_handler(sig, loop.stop)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="relief-serve-") as temp:
        preview = Preview(Builder(project, Path(temp) / "site", Options(preview=True, base_url=url)), port)
        watcher = TreeWatcher([str(project / folder) for folder in WATCHED])
        state = {"preview": preview}
        app = web.Application([*routes([url.rstrip("/")], watcher), (f"/{BUILD_PATH}", BuildHandler, state),
                               (r"/(.*)", BundleHandler, state)])
        try:
            app.listen(port, address=host)
        except OSError as exc:
            print(f"relief serve: cannot listen on {host} port {port}: {exc.strerror or exc}. "
                  "Is another server running there? Choose another port with --port.", file=sys.stderr)
            return 2
        watcher.baseline()
        preview.rebuild([])
        print(f"Serving {url} (drafts shown) - watching {', '.join(f'{f}/' for f in WATCHED)}; "
              "press Ctrl-C to stop.", flush=True)
        start_polling(watcher, preview.rebuild)
        loop.start()
        loop.close(all_fds=True)
    print("Stopped; removed the preview files.", flush=True)
    return 0


def _url_host(host: str) -> str:
    """How a browser names ``host`` in a URL: a wildcard address by this machine's loopback."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{host}]" if ":" in host else host
