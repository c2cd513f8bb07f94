"""A clinic's site of several pages, in Chromium: one ``dist/`` opened from the file system, served at a
domain root and under a sub-path it was not built for, and previewed by ``serve`` under its base path.

Every page is reached by following links from the home page alone (the header's navigation and the
home page's index of pages), styles apply, scripts run and pictures load wherever the bundle is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from conftest import NUMBERS, ROOT, add_page, free_port, make_tiny_site, serving, stretch_md, write
from test_photos import phone_photo

from relief.cli import main

pytestmark = pytest.mark.browser

BASE_URL = "https://example.org/clinic/"  # where the bundle says it is published: nowhere these tests open it
PAGES = {"neck-relief": "Neck Relief", "shoulder-relief": "Shoulder Relief", "étirements": "Étirements du dos"}


def clinic(root: Path) -> Path:
    """Three pages (one named in French), ``home`` set to one of them."""
    make_tiny_site(root)
    for slug, title in PAGES.items():
        if slug != "neck-relief":
            add_page(root, slug, title=title)
    write(root / "content/site.yaml", f"title: Tiny Clinic\nbase_url: {BASE_URL}\nhome: neck-relief\n{NUMBERS}")
    phone_photo(root / "content/étirements/sitting/photo.jpg", (1200, 900))  # published resized, with srcset
    write(root / "content/étirements/sitting/04-photo.md", stretch_md("Photo", 20, image="photo.jpg", alt="A photo."))
    return root


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = clinic(tmp_path_factory.mktemp("clinic") / "site")
    assert main(["--project", str(project), "build"]) == 0
    return project / "dist"


@pytest.fixture(scope="module", params=["file", "domain-root", "other-sub-path"])
def start(request: pytest.FixtureRequest, dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The home page's URL: the bundle opened from the file system, or served somewhere it was not built for."""
    if request.param == "file":
        yield dist.as_uri() + "/index.html"
        return
    www = tmp_path_factory.mktemp("www")
    mount = www if request.param == "domain-root" else www / "any" / "deeper-path"
    shutil.copytree(dist, mount, dirs_exist_ok=True)
    with serving(www) as url:
        yield url + mount.relative_to(www).as_posix().removeprefix(".") + ("/" if mount != www else "")


def styled(page) -> bool:
    """The stylesheet applied: the body's background and font come from it, not the browser's defaults."""
    return (page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
            and page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui"))


def crawl(page, start: str) -> tuple[dict[str, str], list[str]]:
    """Follow every link of the site from ``start``; each page reached by its <h1>, and what was broken."""
    broken: list[str] = []
    page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and broken.append(r.url))
    page.on("response", lambda r: r.status >= 400 and broken.append(f"{r.url} -> {r.status}"))
    root = start.rsplit("/", 1)[0] + "/"
    reached: dict[str, str] = {}
    queue, seen = [start], set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.goto(url, wait_until="load")
        page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        page.wait_for_function("[...document.images].every(i => i.complete)")
        if not styled(page):
            broken.append(f"{url}: no styles")
        if page.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length"):
            broken.append(f"{url}: a picture did not load")
        if page.evaluate("[...document.images].filter(i => i.srcset && !i.currentSrc.includes('photo-')).length"):
            broken.append(f"{url}: a picture's srcset was not used")
        reached[page.url] = page.locator("h1").inner_text()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urldefrag(href)[0]
            if target.startswith(root):
                queue.append(target)
    return reached, broken


def test_every_page_is_reached_from_the_home_page_wherever_the_bundle_is(start: str, page) -> None:
    reached, broken = crawl(page, start)
    assert not broken
    # every page, and the clinicians' plan maker every header links to
    assert sorted(set(reached.values())) == sorted([*PAGES.values(), "Make a plan for one patient"])
    if start.startswith("file:"):  # every link named a file, so the file system opened a page, not a folder
        assert all(url.endswith("/index.html") for url in reached)


def test_from_the_file_system_styles_scripts_pictures_and_links_work(dist: Path, page) -> None:
    from playwright.sync_api import expect

    page.goto(dist.as_uri() + "/index.html")
    assert styled(page)
    page.get_by_role("button", name="Show all").click()  # relief.js ran
    assert page.evaluate("[...document.querySelectorAll('details.stretch')].every(d => d.open)")
    expect(page.get_by_role("button", name="Start routine")).to_be_visible()  # and routine.js
    image = page.locator("img").first
    expect(image).to_be_visible()
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")

    page.get_by_role("navigation", name="Pages of Tiny Clinic").get_by_role("link", name="Étirements du dos").click()
    expect(page.locator("h1")).to_have_text("Étirements du dos")
    assert page.url == (dist / "étirements" / "index.html").as_uri()
    assert styled(page)
    current = page.get_by_role("navigation", name="Pages of Tiny Clinic").locator("[aria-current=page]")
    expect(current).to_have_text("Étirements du dos")
    page.get_by_role("link", name="Tiny Clinic", exact=True).click()
    expect(page.locator("h1")).to_have_text("Neck Relief")
    assert page.url == (dist / "index.html").as_uri()


def test_the_home_page_lists_the_other_pages_even_with_home_set(dist: Path, page) -> None:
    from playwright.sync_api import expect

    page.goto(dist.as_uri() + "/index.html")
    index = page.get_by_role("region", name="More from Tiny Clinic")
    expect(index.get_by_role("link")).to_have_text(["Shoulder Relief", "Étirements du dos"])
    index.get_by_role("link", name="Shoulder Relief").click()
    expect(page.locator("h1")).to_have_text("Shoulder Relief")
    expect(page.get_by_role("region", name="More from Tiny Clinic")).to_have_count(0)  # on the home page only


def test_the_preview_serves_the_site_under_its_sub_path_with_drafts_bannered(tmp_path: Path, page) -> None:
    from playwright.sync_api import expect
    from test_serve import LivePreview, _wait_until_answering  # how test_serve starts and waits for a preview

    project = clinic(tmp_path / "site")
    draft = project / "content/shoulder-relief/_page.md"
    write(draft, draft.read_text(encoding="utf-8").replace("---\ntitle:", "---\ndraft: true\ntitle:"))
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--project", str(project), "serve",
                                    "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    served = LivePreview(f"http://127.0.0.1:{port}/", port, process, tmp_path / "serve.log", tmp_path)
    try:
        _wait_until_answering(served)
        page.goto(served.url)  # "/" redirects to the path of base_url
        assert page.url == f"{served.url}clinic/"
        assert styled(page)
        expect(page.locator(".draft-banner")).to_have_count(0)
        nav = page.get_by_role("navigation", name="Pages of Tiny Clinic")
        expect(nav.locator(".draft-mark")).to_have_text(["Draft"])
        nav.get_by_role("link", name="Shoulder Relief").click()
        expect(page.locator("h1")).to_have_text("Shoulder Relief")
        assert page.url == f"{served.url}clinic/shoulder-relief/index.html"
        expect(page.locator(".draft-banner")).to_contain_text("Draft")
        assert styled(page)
    finally:
        served.process.terminate()
        served.process.wait(timeout=10)
    assert main(["--project", str(project), "build"]) == 0
    assert not (project / "dist/shoulder-relief").exists()
    assert "Shoulder Relief" not in (project / "dist/index.html").read_text(encoding="utf-8")



def test_the_pages_with_navigation_index_and_srcset_pass_the_nu_html_checker(dist: Path) -> None:
    import json

    from test_validators import VNU, _vnu_or_skip

    _vnu_or_skip()
    files = sorted(str(p) for p in dist.rglob("*.html"))
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr)["messages"]
    assert [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_the_navigation_and_the_index_of_pages(browser, dist: Path, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from test_validators import AXE_TAGS

    context = browser.new_context(color_scheme=scheme)
    try:
        tab = context.new_page()
        for path in ("index.html", "étirements/index.html"):
            tab.goto((dist / path).as_uri())
            results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                              "resultTypes": ["violations"]})
            assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
