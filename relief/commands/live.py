"""The preview's HTTP server, in a thread of its own, and the one adapter to livereload.

livereload is used through its public classes only: ``LiveReloadHandler`` speaks its
WebSocket protocol to ``livereload.js`` (served by ``LiveReloadJSHandler``), and
``reload_waiters`` tells every connected page to reload. Its ``Server`` is not used: it
answers any ``Host`` and any ``Origin`` and offers ``/forcereload`` to every web page.

Here every request must name the preview's own address in its ``Host`` (127.0.0.1,
localhost, [::1] or the ``--host`` value, with the port; for a wildcard ``--host``, any IP
address): anything else gets 400, so a page on another site that points its name at
127.0.0.1 (DNS rebinding) reads nothing. The socket accepts only pages of the origin the
request came to, and ignores messages it cannot read.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from typing import Protocol

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httputil, netutil, web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.routing import AnyMatches, Matcher, Rule

from ..render.data import SECURITY_HEADERS
from .watch import TreeWatcher

WILDCARDS = ("0.0.0.0", "::", "")
CLIENT = "_relief"  # the preview's own files, at the root: a page slug cannot start with "_"


class Preview(Protocol):
    """What the server asks of the preview (``relief.commands.serve.Preview``)."""

    def response(self, url_path: str) -> tuple[int, str, bytes, str | None]: ...

    def client_file(self, name: str) -> tuple[str, bytes] | None: ...


class HostIs(Matcher):
    """Matches a request whose ``Host`` is one of the preview's own names, with its port."""

    def __init__(self, host: str, port: int) -> None:
        names = {"127.0.0.1", "localhost", "[::1]", host, f"[{host}]" if ":" in host else host}
        self.allowed = {f"{name}:{port}".lower() for name in names}
        self.port = port
        self.any_address = host in WILDCARDS

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, object] | None:
        host = (request.headers.get("Host") or "").lower()
        if host in self.allowed:
            return {}
        name, _, port = host.rpartition(":")
        if self.any_address and port == str(self.port):
            try:
                ipaddress.ip_address(name.strip("[]"))
                return {}
            except ValueError:
                return None
        return None


class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket, for pages of the origin the request came to only."""

    def check_origin(self, origin: str) -> bool:
        return origin.lower() == f"http://{self.request.host}".lower()

    def on_message(self, message: str | bytes) -> None:
        try:
            super().on_message(message)
        except (ValueError, TypeError, AttributeError, KeyError):  # not livereload's protocol: ignore it
            return


class _Served(web.RequestHandler):
    """Every answer says what it is and is never kept by the browser; HTML under the site's policy."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")


class BundleHandler(_Served):
    """Files of the bundle under the preview's root; its ``404.html`` for everything else."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, path: str) -> None:
        status, kind, body, location = self.preview.response("/" + path)
        if location is not None:
            self.redirect(location, permanent=status == 301)
            return
        self.set_status(status)
        self.set_header("Content-Type", kind)
        if kind.startswith("text/html"):
            for name, value in SECURITY_HEADERS.items():
                self.set_header(name, value)
            # the preview's own socket, which 'self' does not name in every browser
            self.set_header("Content-Security-Policy", SECURITY_HEADERS["Content-Security-Policy"]
                            + f"; connect-src 'self' ws://{self.request.host}")
        self.finish(body)


class ClientHandler(_Served):
    """The preview's own script, stylesheet and build number."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, name: str) -> None:
        found = self.preview.client_file(name)
        if found is None:
            raise web.HTTPError(404)
        self.set_header("Content-Type", found[0])
        self.finish(found[1])


class WrongHost(web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(400)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("This preview answers only requests for its own address.\n")


class Server:
    """The preview's HTTP server: bound at once (so a port in use is known), serving in a thread."""

    def __init__(self, preview: Preview, host: str, port: int, watcher: TreeWatcher) -> None:
        ReloadSocket.watcher = watcher  # livereload names the watcher's ``filepath`` when it logs a reload
        self.sockets = netutil.bind_sockets(port, address=host or None)
        state = {"preview": preview}
        own = [(r"/livereload", ReloadSocket), (r"/livereload\.js", LiveReloadJSHandler),
               (rf"/{CLIENT}/(.*)", ClientHandler, state), (r"/(.*)", BundleHandler, state)]
        self.app = web.Application([Rule(HostIs(host, port), own), Rule(AnyMatches(), WrongHost)])
        self.loop: IOLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relief-serve-http", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = IOLoop.current()
        server = HTTPServer(self.app)
        server.add_sockets(self.sockets)
        self._ready.set()
        self.loop.start()
        server.stop()
        self.loop.close(all_fds=True)

    def reload_pages(self) -> None:
        """Tell every connected page to reload ("*": the whole page, not only a changed stylesheet)."""
        if self.loop is not None:
            self.loop.add_callback(ReloadSocket.reload_waiters, "*")

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.add_callback(self.loop.stop)
            self._thread.join(timeout=10)
