"""``relief serve``: build into a temporary folder, serve it, rebuild and reload the browser on every save.

The project is built with ``Options(preview=True)`` (drafts shown with their marker) into a
temporary folder, never ``dist/``, and served under the path of its ``base_url`` (as
``mkdocs serve`` does; ``/`` redirects there). Two threads: the HTTP server (tornado, and
livereload's socket through ``watch``) answers from the last good bundle while the main
thread watches the folders and rebuilds, so a long rebuild never makes the preview wait.
A page whose socket connects after a rebuild would never hear of it: every served page
carries the number of the build it shows and, once connected, asks for the current one.

The preview answers only requests whose ``Host`` names the address it serves (so a web
page that rebinds its own name to 127.0.0.1 cannot read drafts), and livereload's socket
only pages of that origin. While the last build failed, every page is served with its
problems over it; the files are those of the last good build.
"""

from __future__ import annotations

import html
import mimetypes
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..errors import BuildFailed, Problem
from ..pipeline import Builder, Options, guarded_build
from ..report import counted, describe, print_problems, shown
from .live import CLIENT, Server
from .watch import POLL_SECONDS, TreeWatcher

WATCHED = ("content", "templates", "assets", "locales")  # site.yaml lives in content/

_CLIENT_JS = """(function () {
  var me = document.currentScript;
  document.addEventListener("LiveReloadConnect", function () {
    fetch("/%(client)s/build", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (build) { if (build !== me.dataset.build) location.reload(); });
  });
  /* The preview is never cached: drop the worker and the caches a visit to a built bundle at this
     address left (relief's own, "relief:<path>:<version>"), so no later page comes from them. */
  if (navigator.serviceWorker) {
    navigator.serviceWorker.getRegistrations().then(function (all) {
      all.forEach(function (registration) { registration.unregister(); });
    });
  }
  if (window.caches) {
    caches.keys().then(function (names) {
      names.forEach(function (name) { if (name.indexOf("relief:") === 0) caches.delete(name); });
    });
  }
  var reload = document.createElement("script");
  reload.src = "/livereload.js?port=" + (location.port || 80);
  document.head.appendChild(reload);
})();
"""
_CLIENT_CSS = """#relief-build-errors{position:fixed;inset:0 0 auto;z-index:2147483647;max-height:70vh;overflow:auto;
margin:0;padding:1rem 1.25rem;background:#fff1f0;color:#5c0000;border-bottom:4px solid #c00;
font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap}
"""
_HEAD = ('<link rel="stylesheet" href="/{client}/preview.css">'
         '<script src="/{client}/preview.js" data-build="{build}"></script>\n')
_OVERLAY = ('<div id="relief-build-errors" role="alert">'
            '<strong>The build failed; this is the last good page. Fix these and save:</strong>\n{lines}</div>\n')
_NO_BUILD = b"<!doctype html>\n<html lang=en><head><title>Build failed</title></head><body></body></html>\n"


@dataclass
class Preview:
    """The preview's state: where the bundle is, how it is built, what went wrong last."""

    builder: Builder  # kept for the session: it holds the memo of what earlier builds parsed and rendered
    root: str = "/"  # the URL path the bundle is served under, e.g. "/relief/"
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
        return f"a change to {shown(Path(changed[0]), self.project)}"

    def locate(self, url_path: str) -> Path | None:
        """The bundle file a decoded URL path below ``root`` names (a folder's index.html), or None:
        never one outside the bundle, and never an error for a name the file system refuses."""
        root = self.out.resolve()
        try:
            target = (root / url_path.lstrip("/")).resolve()
            if not target.is_relative_to(root):
                return None
            if target.is_dir():
                target = target / "index.html"
            return target if target.is_file() else None
        except (OSError, ValueError):  # a NUL byte, a name too long, a loop of links
            return None

    def address(self, file: Path) -> str:
        """The URL path of a bundle folder's page, made from where it really is (never from the request)."""
        relative = file.parent.relative_to(self.out.resolve()).as_posix()
        return self.root + (quote(relative) + "/" if relative != "." else "")

    def response(self, url_path: str) -> tuple[int, str, bytes, str | None]:
        """Status, content type, body and redirect target for a GET of ``url_path`` (decoded, from the root)."""
        if not url_path.startswith(self.root):
            if url_path in ("/", self.root.rstrip("/")):
                return 302, "", b"", self.root
            return self._not_found()
        below = url_path[len(self.root):]
        file = self.locate(below)
        if file is None:
            return self._not_found()
        if file.name == "index.html" and below and not below.endswith(("/", "index.html")):
            return 301, "", b"", self.address(file)  # as static hosts do, so relative links resolve alike
        return 200, _kind(file.name), self._served(file), None

    def _not_found(self) -> tuple[int, str, bytes, str | None]:
        file = self.locate("404.html")
        return 404, "text/html; charset=utf-8", self._served(file) if file else self.decorate(_NO_BUILD), None

    def _served(self, file: Path) -> bytes:
        data = file.read_bytes()
        return self.decorate(data) if file.suffix == ".html" else data

    def decorate(self, page: bytes) -> bytes:
        """An HTML page as served: the preview's script in its head, the problems over it if the build failed."""
        page = page.replace(b"</head>", _HEAD.format(client=CLIENT, build=self.build_id).encode() + b"</head>", 1)
        if self.errors:
            lines = "\n".join(html.escape(problem.format(self.project)) for problem in self.errors)
            head, end, tail = page.rpartition(b"</body>")
            page = head + _OVERLAY.format(lines=lines).encode() + end + tail
        return page

    def client_file(self, name: str) -> tuple[str, bytes] | None:
        """The preview's own script, stylesheet and build number."""
        if name == "preview.js":
            return "text/javascript; charset=utf-8", (_CLIENT_JS % {"client": CLIENT}).encode()
        if name == "preview.css":
            return "text/css; charset=utf-8", _CLIENT_CSS.encode()
        if name == "build":
            return "text/plain; charset=utf-8", self.build_id.encode()
        return None


def _kind(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json", "xml")) \
        else kind


def serve(project: Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None) -> int:
    """Preview ``project`` on http://host:port/ until Ctrl-C; 2 if that address cannot be used."""
    from ..load import read_base_url

    origin = f"http://{_url_host(host)}:{port}"
    root = urlsplit(base_url or read_base_url(project) or "/").path or "/"
    root = root if root.endswith("/") else root + "/"
    with tempfile.TemporaryDirectory(prefix="relief-serve-") as temp:
        builder = Builder(project, Path(temp) / "site", Options(preview=True, base_url=origin + root), session=True)
        preview = Preview(builder, root)
        watcher = TreeWatcher([str(project / folder) for folder in WATCHED])
        try:
            server = Server(preview, host, port, watcher)
        except OSError as exc:
            print(f"relief serve: cannot listen on {host} port {port}: {exc.strerror or exc}. "
                  "Is another server running there? Choose another port with --port.", file=sys.stderr)
            return 2
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):  # stop between builds, never halfway through one
            signal.signal(sig, lambda *_: stop.set())
        watcher.baseline()
        server.start()
        preview.rebuild([])
        print(f"Serving {origin}{root} (drafts shown) - watching {', '.join(f'{f}/' for f in WATCHED)}; "
              "press Ctrl-C to stop.", flush=True)
        while not stop.wait(POLL_SECONDS):
            changed = watcher.poll()
            if changed:
                preview.rebuild(changed)
                server.reload_pages()
        server.stop()
    print("Stopped; removed the preview files.", flush=True)
    return 0


def _url_host(host: str) -> str:
    """How a browser names ``host`` in a URL: a wildcard address by this machine's loopback."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{host}]" if ":" in host else host
