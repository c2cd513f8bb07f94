"""Shared fixtures: tiny sites written into tmp_path, the shipped site, the CLI, a browser."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import socket
import subprocess
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from relief.cli import main

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("RELIEF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90" width="120" height="90">'
       '<title>x</title><path d="M10 80h100" stroke="#000"/></svg>\n')


def copy_project(dest: Path) -> Path:
    """A copy of the shipped project's sources (content, templates, assets) in ``dest``."""
    for name in ("content", "templates", "assets", "locales"):
        shutil.copytree(ROOT / name, dest / name)
    return dest


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# A text Python-Markdown takes seconds to convert (Markdown 3.5 to 3.11: 4 to 5 s on this kind of machine): a link's
# '(' with no ')', five thousand times. (Its 9,000 unclosed brackets '[' of before take 3.11 a few milliseconds.)
SLOW_MARKDOWN = "[a](" * 5000


def stretch_md(title: str = "Neck roll", duration: int | None = 30, body: str = "1. Roll the neck.",
               **fields: object) -> str:
    lines = ["---", f"title: {title}"]
    if duration is not None:
        lines.append(f"duration: {duration}")
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join([*lines, "---", body, ""])


GROUPS = "  - id: sitting\n    title: If sitting, do these\n    extra_title: Add this whenever sitting\n"


def page_md(title: str = "Neck Relief", groups: str = GROUPS, body: str = "This is for you if your neck is stiff.",
            ) -> str:
    return (f"---\ntitle: {title}\ndescription: Stretches for a stiff neck.\nreviewed: 2026-01-02\n"
            f"groups:\n{groups}disclaimer: |\n  1. Not medical advice.\ninstructions: |\n  1. Do them daily.\n"
            f"get_help:\n{TIERS}---\n{body}\n")


TIERS = "".join(f"  {level}:\n    title: {title}\n    signs:\n      - {sign}\n" for level, title, sign in (
    ("emergency", "Call the emergency number now", "Chest pain."), ("urgent", "Get urgent advice today", "A fever."),
    ("gp", "See a GP or physiotherapist", "Not better after 2 weeks.")))
NUMBERS = 'emergency_number: "999"\nurgent_number: "111"\nphone: 020 7946 0123\n'


def make_tiny_site(root: Path, slug: str = "neck-relief") -> Path:
    """A complete minimal project: templates and assets from the repo, content of its own."""
    for name in ("templates", "assets", "locales"):
        shutil.copytree(ROOT / name, root / name, dirs_exist_ok=True)
    write(root / "content/site.yaml", f"title: Tiny Site\nbase_url: https://example.org/\n{NUMBERS}")
    add_page(root, slug)
    return root


def add_page(root: Path, slug: str, title: str = "Neck Relief") -> Path:
    write(root / f"content/{slug}/_page.md", page_md(title))
    write(root / f"content/{slug}/sitting/01-neck-roll.md", stretch_md("Neck roll", 45, image="roll.svg",
                                                                      alt="A person rolling the neck."))
    write(root / f"content/{slug}/sitting/02-chin-tuck.md", stretch_md("Chin tuck", None, hold=5, reps=3))
    write(root / f"content/{slug}/sitting/03-shoulder-drop.md", stretch_md("Shoulder drop", None, extra="true"))
    write(root / f"content/{slug}/sitting/roll.svg", SVG)
    return root / "content" / slug


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return make_tiny_site(tmp_path / "site")


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "site")


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the command line in this process: ``cli(project, "build", "--strict")``."""

    def run(project: Path, *args: str) -> Run:
        capsys.readouterr()
        try:
            code = main(["--project", str(project), *args])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def tree_hash(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(folder: Path, handler: type[SimpleHTTPRequestHandler] | None = None) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 while in the block; yields its root URL. The folder may
    be filled after the server starts, so a bundle can be built for the URL it is served at."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler or QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def static_server() -> Iterator[Callable[[Path], str]]:
    """Serve a folder on 127.0.0.1; returns its root URL."""
    with ExitStack() as stack:
        yield lambda folder: stack.enter_context(serving(folder))


@dataclass(frozen=True)
class Served:
    folder: Path  # the built bundle
    url: str  # where it is served, and the --base-url it was built for


@pytest.fixture(scope="module")
def shipped_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The shipped site built once per test module and served on 127.0.0.1 at its base URL."""
    folder = tmp_path_factory.mktemp("shipped") / "dist"
    with serving(folder) as url:
        assert main(["--project", str(ROOT), "build", "--out", str(folder), "--base-url", url]) == 0
        yield Served(folder, url)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class CompressingHandler(QuietHandler):
    """As a static host serves a bundle (Netlify, Cloudflare Pages, GitHub Pages, nginx with gzip):
    text files gzipped for a browser that accepts it, everything else as it is."""

    TEXT = (".html", ".css", ".js", ".svg", ".json", ".webmanifest", ".xml", ".txt")

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file() \
                or path.suffix not in self.TEXT:
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _browser_or_skip() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("RELIEF_REQUIRE_BROWSER"):
            pytest.fail(f"RELIEF_REQUIRE_BROWSER is set but there is no browser at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium)")


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: object) -> Iterator[object]:
    chromium = launch(playwright)
    yield chromium
    chromium.close()


def launch(playwright: object, *args: str) -> object:
    """Debian's Chromium, headless, with the flags this machine needs (and ``args``)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *args])  # type: ignore


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_snippet(dist: Path, mount: str) -> str:
    """The README's nginx snippet (written for /relief/ and /srv/relief/dist/) for ``dist`` at ``mount``."""
    block = re.search(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README.md has no nginx snippet"
    lines = textwrap.dedent(block.group(1)).splitlines()
    if mount == "/":  # the README: "for a domain root, write / for /relief/ and drop the first line"
        lines = lines[1:]
    text = "\n".join(lines).replace("/srv/relief/dist/", f"{dist}/")
    return text.replace("/relief/", mount)


class Nginx:
    """nginx serving ``dist`` at ``mount`` on a free 127.0.0.1 port with the README's snippet."""

    def __init__(self, dist: Path, mount: str, port: int, work: Path) -> None:
        if NGINX is None:
            if os.environ.get("RELIEF_REQUIRE_BROWSER"):
                pytest.fail("RELIEF_REQUIRE_BROWSER is set but nginx is not installed")
            pytest.skip("nginx is not installed (Debian package nginx-light)")
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}{mount}"
        location = nginx_snippet(dist, mount)
        user = "user root;" if os.geteuid() == 0 else ""
        work.mkdir(parents=True, exist_ok=True)
        conf = work / "nginx.conf"
        conf.write_text(f"""{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {work};
  proxy_temp_path {work};
  fastcgi_temp_path {work};
  uwsgi_temp_path {work};
  scgi_temp_path {work};
  server {{
    listen 127.0.0.1:{self.port};
{location}
  }}
}}
""")
        self.process = subprocess.Popen([NGINX, "-p", str(work), "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None  # type: ignore[union-attr]
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


