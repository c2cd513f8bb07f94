"""Offline and installable, in a real browser (Chromium): the web app manifest, the service worker
that keeps the bundle after one visit, updates to a new build, and the preview that keeps nothing.

Each test has a browser context of its own (its own service workers and caches) and the bundles
are built once per module. "Offline" is Playwright's ``context.set_offline(True)``: every request
to the network fails, so what works comes from the worker's cache.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import urljoin

import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    QuietHandler,
    Served,
    copy_project,
    free_port,
    make_tiny_site,
    serving,
)
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from playwright.sync_api import Error as PlaywrightError
from test_page_browser import STRETCHES, open_count
from test_portable_browser import PAGES as CLINIC_PAGES
from test_portable_browser import clinic

from relief.cli import main

TIMEOUT_MS = 10_000  # a broken page fails in seconds instead of waiting for Playwright's 30 s
INTRODUCTION = "This is for you if you have pain between the shoulder blades"  # from the seed text
HEADER_BLUE = "rgb(0, 94, 184)"  # .site-header's background: the stylesheet is applied
# Every picture of the page loaded now (not when scrolled to), through the worker like any other
# request: the addresses of those that fail.
BROKEN_PICTURES = """async () => (await Promise.all([...document.querySelectorAll('main img')].map(async img => {
    img.loading = 'eager';
    try { await img.decode(); } catch (error) { /* not loaded: naturalWidth stays 0 */ }
    return img.naturalWidth > 0 ? null : img.src;
}))).filter(Boolean)"""


def build(project: Path, out: Path, base_url: str) -> None:
    assert main(["--project", str(project), "build", "--out", str(out), "--base-url", base_url]) == 0


def rebuild(project: Path, out: Path, base_url: str) -> None:
    """Build again into a folder that is being served, a whole second after the last build: the test
    host (http.server) says Last-Modified to the second and answers 304 to a page or sw.js changed
    within the second the browser last fetched it, which would keep the old build on the screen."""
    time.sleep(max(0.0, 1.1 - (time.time() - (out / "sw.js").stat().st_mtime)))
    build(project, out, base_url)


@pytest.fixture(scope="module")
def bundle(shipped_bundle: Served) -> Served:
    return shipped_bundle


@contextmanager
def new_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def visit(context: BrowserContext, url: str) -> Page:
    """Open ``url`` in a new tab and wait until its worker has kept the bundle and controls the page."""
    tab = context.new_page()
    tab.goto(url)
    tab.evaluate("navigator.serviceWorker.ready")  # active: installing (every file fetched) is over
    tab.wait_for_function("navigator.serviceWorker.controller !== null")
    return tab


def until(tab: Page, promise: str) -> None:
    """Wait until the script ``promise`` resolves to true (wait_for_function does not wait for a promise)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not tab.evaluate(promise):
        assert time.monotonic() < deadline, f"still false after {TIMEOUT_MS} ms: {promise}"
        time.sleep(0.1)


def worker_version(folder: Path) -> str:
    match = re.search(r'var VERSION = "([0-9a-f]+)";', (folder / "sw.js").read_text(encoding="utf-8"))
    assert match, "sw.js has no version"
    return match.group(1)


def precached(folder: Path) -> list[str]:
    match = re.search(r"var FILES = (\[.*?\]);", (folder / "sw.js").read_text(encoding="utf-8"))
    assert match, "sw.js has no list of files"
    return [url for url, _ in json.loads(match.group(1))]


def cache_names(tab: Page) -> list[str]:
    return tab.evaluate("caches.keys()")


def expect_whole_page(tab: Page) -> None:
    """The page with its text, its stylesheet, every picture, Show all and the print view."""
    expect(tab.locator("main")).to_contain_text(INTRODUCTION)
    expect(tab.locator(".site-header")).to_have_css("background-color", HEADER_BLUE)
    tab.get_by_role("button", name="Show all").click()  # the script runs
    assert open_count(tab) == STRETCHES
    assert tab.locator("main details.stretch img").count() == STRETCHES
    assert tab.evaluate(BROKEN_PICTURES) == []
    tab.emulate_media(media="print")
    expect(tab.locator("button").first).to_be_hidden()  # the print stylesheet
    assert tab.pdf()[:5] == b"%PDF-"
    tab.emulate_media(media="screen")


def expect_routine_runs(tab: Page) -> None:
    tab.locator("#sitting").get_by_role("button", name="Start routine").click()
    dialog = tab.get_by_role("dialog")
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Seated posture reset")
    expect(dialog.locator("img")).to_have_js_property("complete", True)
    assert dialog.locator("img").evaluate("img => img.naturalWidth") > 0
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Seated elbow circles")
    dialog.get_by_role("button", name="Stop").click()
    expect(dialog).to_be_hidden()


# 1. Installable

def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_every_page_links_the_manifest_with_name_icons_and_scope_relative_to_the_bundle(bundle: Served) -> None:
    pages = sorted(bundle.folder.rglob("*.html"))
    assert len(pages) >= 3  # the home page, a page at its slug, the 404 page
    for page in pages:
        links = re.findall(r'<link rel="manifest" href="([^"]+)">', page.read_text(encoding="utf-8"))
        address = bundle.url + page.relative_to(bundle.folder).as_posix()
        assert [urljoin(address, link) for link in links] == [f"{bundle.url}manifest.webmanifest"], page
    manifest = json.loads((bundle.folder / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert (manifest["name"], manifest["short_name"]) == ("Middle Back Relief", "Back Relief")
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("./", "./", "standalone")
    assert manifest["theme_color"] == "#f7f5f0"
    assert manifest["user_preferences"]["color_scheme_dark"]["theme_color"] == "#14161a"
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert icons == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        width, height = icon["sizes"].split("x")
        assert png_size(bundle.folder / icon["src"]) == (int(width), int(height)), icon


def test_chromium_finds_nothing_that_stops_installing_the_page(playwright: Playwright, bundle: Served,
                                                               tmp_path: Path) -> None:
    # a profile on disk: Chromium never installs from an incognito context (new_context is one)
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        tab = visit(context, bundle.url)
        cdp = context.new_cdp_session(tab)
        deadline = time.monotonic() + 10  # the manifest and its icons are fetched after the page
        while (errors := cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]) and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == f"{bundle.url}manifest.webmanifest"
        assert not manifest["errors"]
    finally:
        context.close()


# 2. Offline

def test_after_one_visit_the_page_pictures_show_all_print_and_the_routine_work_offline(
        browser: Browser, bundle: Served) -> None:
    with new_context(browser) as context:
        tab = visit(context, bundle.url)
        context.set_offline(True)
        expect_whole_page(tab)  # the page of the first visit too: its lazy pictures come from the cache
        tab.reload()
        expect_whole_page(tab)
        expect_routine_runs(tab)
        other = context.new_page()
        other.goto(f"{bundle.url}middle-back-relief/")
        expect_whole_page(other)
        expect_routine_runs(other)


def test_after_visiting_the_home_page_every_other_page_of_a_site_opens_offline_from_its_link(
        browser: Browser, tmp_path: Path) -> None:
    project = clinic(tmp_path / "site")
    folder = tmp_path / "dist"
    with serving(folder) as url, new_context(browser) as context:
        build(project, folder, url)
        tab = visit(context, url)
        links = tab.locator(".site-nav a").evaluate_all("links => links.map(link => link.href)")
        assert len(links) == len(CLINIC_PAGES)
        context.set_offline(True)
        for link in links:  # slug/index.html (a link that works from a file too), a slug not in ASCII
            other = context.new_page()
            other.goto(link)
            expect(other.locator(".site-nav [aria-current=page]")).to_have_count(1)
            title = other.locator(".site-nav [aria-current=page]").inner_text()
            expect(other.get_by_role("heading", level=1)).to_have_text(title)
            expect(other.locator(".site-header")).to_have_css("background-color", HEADER_BLUE)
            assert other.evaluate(BROKEN_PICTURES) == [], link
            other.close()
        tab.locator(".site-nav a", has_text=CLINIC_PAGES["étirements"]).click()  # a photo with its srcset
        expect(tab.get_by_role("heading", level=1)).to_have_text(CLINIC_PAGES["étirements"])
        tab.get_by_role("button", name="Show all").click()
        assert tab.locator("main img[srcset]").count() == 1
        assert tab.evaluate(BROKEN_PICTURES) == []


def test_offline_an_address_that_is_not_kept_shows_the_404_page(browser: Browser, bundle: Served) -> None:
    with new_context(browser) as context:
        visit(context, bundle.url)
        context.set_offline(True)
        tab = context.new_page()
        response = tab.goto(f"{bundle.url}no-such-page/")
        assert response is not None and response.status == 404
        expect(tab.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(tab.locator(".site-header")).to_have_css("background-color", HEADER_BLUE)


def test_the_worker_keeps_every_file_of_the_bundle_but_host_files(browser: Browser, bundle: Served) -> None:
    published = {p.relative_to(bundle.folder).as_posix() for p in bundle.folder.rglob("*") if p.is_file()}
    expected = {re.sub(r"(^|/)index\.html$", r"\1", path) or "./" for path in published} - {
        "_headers", ".nojekyll", ".relief-bundle.json", "robots.txt", "sitemap.xml", "sw.js"}
    expected = {path for path in expected if not path.startswith("assets/og-image.")}
    assert set(precached(bundle.folder)) == expected
    assert "404.html" in expected and sum(path.startswith("assets/stretches/") for path in expected) == STRETCHES
    with new_context(browser) as context:
        tab = visit(context, bundle.url)
        kept = tab.evaluate("""async () => {
            const cache = await caches.open((await caches.keys())[0]);
            return (await cache.keys()).map(request => request.url);
        }""")
        assert sorted(kept) == sorted(f"{bundle.url}{'' if path == './' else path}" for path in expected)


def test_a_page_asked_for_without_its_slash_is_redirected_as_without_a_worker(browser: Browser, bundle: Served) -> None:
    with new_context(browser) as context:
        tab = visit(context, bundle.url)
        tab.goto(f"{bundle.url}middle-back-relief")
        assert tab.url == f"{bundle.url}middle-back-relief/"
        expect(tab.locator("main")).to_contain_text(INTRODUCTION)


# 3. Updates

NEW_SENTENCE = "This sentence is new in the second build."
NEW_RULE = "\n.site-header { outline: 3px solid rgb(1, 2, 3); }\n"  # a new stylesheet, so a new hashed name


def files_named(tab: Page) -> list[str]:
    """The address of every stylesheet, script and picture the page in ``tab`` names."""
    return tab.evaluate("""[...document.querySelectorAll('link[href], script[src], img[src]')]
        .map(element => element.href || element.src)""")


def expect_one_build(tab: Page, served: Served) -> None:
    """Every file the page names is a file of the build in ``served``: the page is never shown with
    the files of another build (old HTML, new assets or the reverse)."""
    for url in files_named(tab):
        path = url.removeprefix(served.url).split("#")[0]
        if path != url:
            assert (served.folder / (path + "index.html" if path == "" or path.endswith("/") else path)).is_file(), url


@pytest.mark.parametrize("path", ["", "relief/"], ids=["at-the-root", "under-a-sub-path"])
def test_a_new_build_shows_on_the_first_online_load_then_offline_and_the_old_cache_is_gone(
        browser: Browser, tmp_path: Path, path: str) -> None:
    project = copy_project(tmp_path / "site")
    www = tmp_path / "www"
    with serving(www) as origin, new_context(browser) as context:
        served = Served(www / path, f"{origin}{path}")
        build(project, served.folder, served.url)
        if path:  # another bundle of the same origin: its cache is not this one's to delete
            build(make_tiny_site(tmp_path / "tiny"), www / "other", f"{origin}other/")
            visit(context, f"{origin}other/")
        old = worker_version(served.folder)
        prefix = f"relief:/{path}:"
        tab = visit(context, served.url)
        assert f"{prefix}{old}" in cache_names(tab)
        page = project / "content/middle-back-relief/_page.md"
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(f"{INTRODUCTION} ", f"{NEW_SENTENCE} {INTRODUCTION} ", 1), encoding="utf-8")
        with (project / "assets/css/style.css").open("a", encoding="utf-8") as css:
            css.write(NEW_RULE)
        context.set_offline(True)
        rebuild(project, served.folder, served.url)  # published while this visitor is away
        new = worker_version(served.folder)
        assert new != old
        tab.reload()  # offline: the kept build, whole (its files are gone from the host)
        expect(tab.locator("main")).to_contain_text(INTRODUCTION)
        expect(tab.locator("main")).not_to_contain_text(NEW_SENTENCE)
        expect(tab.locator(".site-header")).to_have_css("background-color", HEADER_BLUE)
        expect(tab.locator(".site-header")).not_to_have_css("outline-color", "rgb(1, 2, 3)")
        assert tab.evaluate(BROKEN_PICTURES) == []
        context.set_offline(False)
        tab.reload()  # online: the new build, whole, at once
        expect(tab.locator("main")).to_contain_text(NEW_SENTENCE)
        expect(tab.locator(".site-header")).to_have_css("outline-color", "rgb(1, 2, 3)")
        expect_one_build(tab, served)
        until(tab, f"caches.keys().then(names => names.filter(name => name.startsWith({json.dumps(prefix)}))"
                   f".join() === {json.dumps(prefix + new)})")
        context.set_offline(True)
        for shown in (tab, context.new_page()):
            shown.goto(served.url)
            expect(shown.locator("main")).to_contain_text(NEW_SENTENCE)
            expect(shown.locator(".site-header")).to_have_css("outline-color", "rgb(1, 2, 3)")
            expect_one_build(shown, served)
            assert shown.evaluate(BROKEN_PICTURES) == []
        kept = cache_names(tab)
        assert [name for name in kept if name.startswith(prefix)] == [f"{prefix}{new}"]
        assert len(kept) == (2 if path else 1)  # the other bundle's cache is still there


def test_a_host_that_serves_other_bytes_than_the_build_gets_no_cache_until_it_serves_the_build(
        browser: Browser, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    folder = tmp_path / "dist"
    with serving(folder) as url, new_context(browser) as context:
        build(project, folder, url)
        picture = next((folder / "assets/stretches").glob("wall-slides.*.svg"))
        built = picture.read_bytes()
        picture.write_bytes(built.replace(b"</svg>", b"<!-- half deployed --></svg>"))  # a deploy half done
        tab = context.new_page()
        tab.goto(url)
        until(tab, "caches.keys().then(names => names.length === 1)")  # the install has begun
        until(tab, "navigator.serviceWorker.getRegistrations().then(all => all.length === 0)")  # ... and failed
        cache = json.dumps(f"relief:/:{worker_version(folder)}")
        assert tab.evaluate(f"caches.open({cache}).then(cache => cache.keys()).then(keys => keys.length)") == 0
        picture.write_bytes(built)
        tab.reload()
        until(tab, "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))")
        context.set_offline(True)
        tab.reload()
        expect(tab.locator("main")).to_contain_text(INTRODUCTION)
        assert tab.evaluate(BROKEN_PICTURES) == []


def test_offline_false_keeps_nothing_and_retires_the_worker_an_earlier_build_installed(
        browser: Browser, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    folder = tmp_path / "dist"
    with serving(folder) as url, new_context(browser) as context:
        build(project, folder, url)
        tab = visit(context, url)
        with (project / "content/site.yaml").open("a", encoding="utf-8") as settings:
            settings.write("offline: false\n")
        rebuild(project, folder, url)
        assert "data-worker" not in (folder / "index.html").read_text(encoding="utf-8")
        assert "var FILES = [];" in (folder / "sw.js").read_text(encoding="utf-8")
        tab.reload()  # the browser looks for a new worker on a visit; this one removes itself
        until(tab, """Promise.all([navigator.serviceWorker.getRegistrations(), caches.keys()])
            .then(([registrations, names]) => registrations.length === 0 && names.length === 0)""")
        expect(tab.locator("link[rel=manifest]")).to_have_count(1)  # still installable, as a shortcut
        context.set_offline(True)
        with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
            context.new_page().goto(url)


# Under a sub-path, next to another bundle on the same origin

@pytest.fixture(scope="module")
def two_bundles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped site at /relief/ and a tiny one at /other/ of one origin; yields the origin's root URL."""
    root = tmp_path_factory.mktemp("paths")
    tiny = make_tiny_site(tmp_path_factory.mktemp("tiny"))
    with serving(root / "www") as url:
        build(ROOT, root / "www/relief", f"{url}relief/")
        build(tiny, root / "www/other", f"{url}other/")
        yield url


def test_under_a_sub_path_the_worker_and_the_app_keep_to_it_and_work_offline(
        browser: Browser, two_bundles: str) -> None:
    relief, other = f"{two_bundles}relief/", f"{two_bundles}other/"
    with new_context(browser) as context:
        tab = visit(context, relief)
        assert tab.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)") == relief
        app = tab.evaluate("""async () => {
            const link = document.querySelector('link[rel=manifest]').href;
            const manifest = await (await fetch(link)).json();
            return [link, new URL(manifest.start_url, link).href, new URL(manifest.scope, link).href];
        }""")
        assert app == [f"{relief}manifest.webmanifest", relief, relief]
        visit(context, other)
        names = cache_names(tab)
        assert sorted(name.rsplit(":", 1)[0] for name in names) == ["relief:/other/", "relief:/relief/"]
        context.set_offline(True)
        tab.reload()
        expect_whole_page(tab)
        expect_routine_runs(tab)
        elsewhere = context.new_page()
        elsewhere.goto(other)
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Neck Relief")
        elsewhere.goto(f"{relief}no-such-page")
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Page not found")


# 4. The preview keeps nothing

def wait_for_preview(process: subprocess.Popen[bytes], log: Path, port: int) -> None:
    deadline = time.monotonic() + 30  # a bound against hanging, not a measurement
    while "Serving" not in log.read_text(encoding="utf-8"):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.05)
    socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_serve_registers_no_worker_and_drops_the_one_a_built_bundle_left_at_its_address(
        browser: Browser, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")  # base_url's path is /relief/: serve uses it too
    port = free_port()
    url = f"http://127.0.0.1:{port}/relief/"
    build(project, tmp_path / "www/relief", url)
    host = ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(tmp_path / "www")))
    Thread(target=host.serve_forever, daemon=True).start()
    with new_context(browser) as context:
        try:
            tab = visit(context, url)
            assert tab.evaluate("navigator.serviceWorker.getRegistrations().then(all => all.length)") == 1
            assert cache_names(tab) != []
        finally:
            host.shutdown()
            host.server_close()
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            preview = subprocess.Popen(
                [sys.executable, str(ROOT / "build.py"), "--project", str(project), "serve", "--port", str(port)],
                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(tmp_path)})
        try:
            wait_for_preview(preview, log, port)
            tab.goto(url)
            until(tab, """Promise.all([navigator.serviceWorker.getRegistrations(), caches.keys()])
                .then(([registrations, names]) => registrations.length === 0 && names.length === 0)""")
            tab.reload()
            assert tab.evaluate("navigator.serviceWorker.controller") is None
            assert tab.locator("link[rel=manifest], script[data-worker]").count() == 0
            assert tab.evaluate("fetch('sw.js').then(response => response.status)") == 404  # none to register
            assert tab.evaluate("navigator.serviceWorker.getRegistrations().then(all => all.length)") == 0
            expect(tab.locator("main")).to_contain_text(INTRODUCTION)
        finally:
            preview.terminate()
            preview.wait(timeout=10)
