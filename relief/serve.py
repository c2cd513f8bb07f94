"""Live preview: build into a temporary folder, serve it, rebuild and reload the browser on every save.

The project is built with ``Options(preview=True)`` (drafts shown with their marker) into a
temporary folder, never ``dist/``, and served from there by livereload's ``Server``, whose
WebSocket tells the browser to reload. livereload 2.7 loses edits, so three of its parts are
replaced here:

- Its watcher polls every 0.8 s, stops at the first changed file (a burst of saves becomes a
  rebuild per poll) and its poller drops any change within 3 s of the last reload
  (``DEFAULT_RELOAD_TIME``, its issue #161). ``TreeWatcher`` compares whole snapshots of the
  watched folders every 0.1 s, runs the build once the tree has been still for one interval,
  and reloads the browser after every build.
- A save by rename (write a temporary file, rename it over the original) can keep the old
  mtime: snapshots compare inode and size too.
- A page whose WebSocket connects after a rebuild would never hear of it: every served page
  carries the number of the build it shows and, once connected, asks for the current one.

While the last build failed, every page is served with its problems over it; the files are
those of the last good build.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado import web
from tornado.ioloop import IOLoop, PeriodicCallback

from .cli import counted, describe, guarded_build, print_problems
from .errors import BuildFailed, Problem
from .pipeline import Builder, Options

WATCHED = ("content", "templates", "assets")  # site.yaml lives in content/
POLL_SECONDS = 0.1
BUILD_PATH = "_relief/build"  # a page slug cannot start with "_", so no page can take this URL

Snapshot = dict[str, tuple[int, int, int]]  # file -> (inode, size, mtime in ns)

_CHECK_SCRIPT = ('<script>document.addEventListener("LiveReloadConnect",()=>fetch("/{path}",{{cache:"no-store"}})'
                 '.then(r=>r.text()).then(b=>{{if(b!=="{build}")location.reload()}}))</script>\n')
_OVERLAY = ('<div id="relief-build-errors" role="alert" style="position:fixed;inset:0 0 auto;z-index:2147483647;'
            'max-height:70vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff1f0;color:#5c0000;'
            'border-bottom:4px solid #c00;font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap">'
            '<strong>The build failed; this is the last good page. Fix these and save:</strong>\n{lines}</div>\n')
_NO_BUILD = b"<!doctype html>\n<html lang=en><head><title>Build failed</title></head><body></body></html>\n"


@dataclass
class Preview:
    """The preview's state: where the bundle is, how it is built, what went wrong last."""

    builder: Builder  # kept for the session: it holds the cache of what earlier builds parsed and rendered
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
        """An HTML page as served: the build check in its head, the problems over it if the build failed."""
        check = _CHECK_SCRIPT.format(path=BUILD_PATH, build=self.build_id).encode()
        page = page.replace(b"</head>", check + b"</head>", 1)
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


class PreviewServer(Server):
    """livereload's server (reload script, WebSocket) serving the preview's bundle."""

    def __init__(self, preview: Preview, watcher: Watcher) -> None:
        super().__init__(watcher=watcher)
        self.preview = preview

    def get_web_handlers(self, script: bytes) -> list[tuple[str, type[web.RequestHandler], dict[str, Preview]]]:
        state = {"preview": self.preview}
        return [(f"/{BUILD_PATH}", BuildHandler, state), (r"/(.*)", BundleHandler, state)]


class TreeWatcher(Watcher):
    """Whole-folder snapshots instead of livereload's first-changed-file checks; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._built: dict[str, Snapshot] = {}  # the watched folders as of the last build
        self._seen: dict[str, Snapshot] = {}  # ... as of the last poll

    def ignore(self, filename: str) -> bool:
        """Editor scratch files (``.x.swp``, ``#x#``, ``x~``) are not saves."""
        name = os.path.basename(filename)
        return name.startswith((".", "#")) or name.endswith("~") or super().ignore(filename)

    def baseline(self) -> None:
        """Take the tree as it is now as built: call before the first build."""
        self._built = self._seen = self._snapshots()

    def start(self, callback: Callable[[], None]) -> bool:
        # ``callback`` is livereload's poller, which drops reloads within 3 s of the last: poll here instead.
        PeriodicCallback(self._poll, POLL_SECONDS * 1000).start()
        return True

    def _poll(self) -> None:
        changed, _ = self.examine()
        if changed:
            LiveReloadHandler.reload_waiters("*")  # "*": a full reload; a file name may make it swap images only

    def examine(self) -> tuple[str | None, None]:
        """Run the tasks of the folders that changed, once nothing has changed for one poll."""
        now = self._snapshots()
        settled, self._seen = now == self._seen, now
        if not settled or now == self._built:
            return None, None
        folders = [folder for folder in self._tasks if now[folder] != self._built.get(folder)]
        changed = sorted(path for folder in folders for path in _differences(self._built.get(folder, {}), now[folder]))
        self._built = now
        for task in dict.fromkeys(self._tasks[folder]["func"] for folder in folders):
            task(changed)
        self.filepath = changed[0]
        return self.filepath, None

    def _snapshots(self) -> dict[str, Snapshot]:
        return {folder: self._snapshot(folder, task["ignore"]) for folder, task in self._tasks.items()}

    def _snapshot(self, folder: str, ignore: Callable[[str], bool] | None) -> Snapshot:
        files: Snapshot = {}
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                path = os.path.join(root, name)
                if self.ignore(path) or (ignore and ignore(path)):
                    continue
                try:
                    info = os.stat(path)
                except FileNotFoundError:  # removed while we looked
                    continue
                files[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
        return files


def _differences(before: Snapshot, after: Snapshot) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def serve(project: Path, *, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Preview ``project`` on http://host:port/ until Ctrl-C; 2 if that address cannot be used."""
    url = f"http://{_url_host(host)}:{port}/"
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # not a line per request; failures still show
    loop = IOLoop.current()
    for sig in (signal.SIGINT, signal.SIGTERM):  # stop between builds, never halfway through one
        loop.asyncio_loop.add_signal_handler(sig, loop.stop)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="relief-serve-") as temp:
        preview = Preview(Builder(project, Path(temp) / "site", Options(preview=True, base_url=url)))
        watcher = TreeWatcher()
        server = PreviewServer(preview, watcher)
        for folder in WATCHED:
            server.watch(str(project / folder), preview.rebuild)
        try:
            server.application(port, host, live_css=False)  # live CSS cannot follow a fingerprinted name
        except OSError as exc:
            print(f"relief serve: cannot listen on {host} port {port}: {exc.strerror or exc}. "
                  "Is another server running there? Choose another port with --port.", file=sys.stderr)
            return 2
        watcher.baseline()
        preview.rebuild([])
        print(f"Serving {url} (drafts shown) - watching {', '.join(f'{f}/' for f in WATCHED)}; "
              "press Ctrl-C to stop.", flush=True)
        LiveReloadHandler.start_tasks()
        loop.start()
        loop.close(all_fds=True)
    print("Stopped; removed the preview files.", flush=True)
    return 0


def _url_host(host: str) -> str:
    """How a browser names ``host`` in a URL: a wildcard address by this machine's loopback."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{host}]" if ":" in host else host
