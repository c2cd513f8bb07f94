"""The bundle any static host can publish: sub-paths, cache-busting, metadata, site files.

The crawl tests serve the bundle with a real nginx (as a publisher would), at a sub-path with
``error_page 404`` and at a domain root, and walk it in Chromium: every link, anchor, script,
stylesheet, icon and image must resolve, on every page and on a 404 response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from urllib.request import urlopen

import pytest
import yaml
from conftest import ROOT, Nginx, copy_project, free_port, tree_hash
from lxml import etree, html

from relief.render.data import SECURITY_HEADERS

XSD = Path(__file__).parent / "data" / "sitemap-alternates.xsd"  # sitemaps.org's, with the xhtml:link alternates


def build(project: Path, out: Path, base_url: str) -> Path:
    from relief.cli import main

    assert main(["--project", str(project), "build", "--out", str(out), "--base-url", base_url]) == 0
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("bundle") / "site")


@pytest.fixture(scope="module", params=["/relief/", "/"], ids=["sub-path", "domain-root"])
def served(request: pytest.FixtureRequest, project: Path, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[tuple[str, Path]]:
    mount = request.param
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()  # the build must name the URL nginx will serve
    dist = build(project, work / "www", f"http://127.0.0.1:{port}{mount}")
    server = Nginx(dist, mount, port, work / "conf")
    yield server.url, dist
    server.stop()


def crawl(page, start: str, dist: Path) -> tuple[set[str], list[str]]:
    """Visit every page of the bundle and all they link to; return them and every broken reference."""
    broken: list[str] = []
    failed: list[str] = []
    # a navigation cancels what the last page still loads (icons): every reference is fetched below
    page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
            and failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
            and failed.append(f"{r.url} -> {r.status}"))
    seen: set[str] = set()
    queue = [start + p.relative_to(dist).as_posix().removesuffix("index.html") for p in dist.rglob("index.html")]
    anchors: list[tuple[str, str, str]] = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            broken.append(f"{url} -> {response.status if response else 'no response'}")
            continue
        page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        for ref in page.eval_on_selector_all(
            "link[href], script[src], img[src]", "els => els.map(e => e.href || e.src)"):
            if ref.startswith(start.split("/", 3)[0] + "//" + urlsplit(start).netloc):
                status = page.request.get(ref).status
                if status != 200:
                    broken.append(f"{url}: {ref} -> {status}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target, fragment = urldefrag(href)
            if not target.startswith(start):
                continue  # another site (the call to action): not ours to check
            if fragment:
                anchors.append((url, target, fragment))
            queue.append(target)
    for source, target, fragment in anchors:
        page.goto(target)
        if not page.evaluate("id => !!document.getElementById(id)", fragment):
            broken.append(f"{source}: #{fragment} not found in {target}")
    return seen, broken + failed


def test_every_link_and_asset_resolves_when_served(served: tuple[str, Path], page) -> None:
    url, dist = served
    pages, broken = crawl(page, url, dist)
    assert not broken
    assert {url, f"{url}middle-back-relief/"} <= pages


def test_the_worker_and_the_manifest_are_served_with_their_types_and_revalidated_each_visit(
        served: tuple[str, Path]) -> None:
    url, _ = served
    for name, kind in (("sw.js", "text/javascript"), ("manifest.webmanifest", "application/manifest+json")):
        with urlopen(f"{url}{name}") as response:  # a worker of another type is refused by the browser
            assert response.headers["Content-Type"].split(";")[0] == kind, name
            assert response.headers["Cache-Control"] == "no-cache", name
            assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"], name


def _rules(headers_file: str) -> dict[str, dict[str, str]]:
    """``_headers`` as {path pattern: {header: value}}."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in headers_file.splitlines():
        if line and not line.startswith(" "):
            current = rules.setdefault(line, {})
        elif line.strip():
            name, _, value = line.strip().partition(": ")
            current[name] = value
    return rules


def test_nginx_sends_what_headers_says_redirects_the_bare_path_and_answers_404_itself(
        served: tuple[str, Path]) -> None:
    import http.client

    url, dist = served
    mount = urlsplit(url).path
    rules = _rules((dist / "_headers").read_text())
    port = urlsplit(url).port

    def get(path: str) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    everywhere = rules[f"{mount}*"]
    [stylesheet] = (dist / "assets/css").glob("style.*.css")
    for path, rule in ((mount, mount), (f"{mount}index.html", f"{mount}index.html"),
                       (f"{mount}{stylesheet.relative_to(dist).as_posix()}", f"{mount}assets/*")):
        status, headers, _ = get(path)
        assert status == 200, path
        expected = {**everywhere, **rules[rule]}
        assert {name.lower(): headers.get(name.lower()) for name in expected} == \
            {name.lower(): value for name, value in expected.items()}, path
    status, headers, body = get(f"{mount}no/such/deep/page")
    assert status == 404 and b"Page not found" in body
    assert headers["x-content-type-options"] == "nosniff"
    if mount != "/":
        status, headers, _ = get(mount.rstrip("/"))
        assert status == 301 and urlsplit(headers["location"]).path == mount
        status, _, body = get(f"{mount}assets/no-such.css")  # the assets' own location answers with the 404 page
        assert status == 404 and b"Page not found" in body


def test_the_404_response_is_styled_and_its_links_work(served: tuple[str, Path], page) -> None:
    url, _ = served
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
            and failed.append(r.url))
    response = page.goto(f"{url}no/such/deep/page/", wait_until="networkidle")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    # the stylesheet applied: the page background comes from it, not the browser default
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    assert not failed
    page.get_by_role("link", name=re.compile("Go to")).click()
    page.wait_for_load_state()
    assert page.url == url


def test_every_reference_is_relative_and_names_a_file_but_the_404_pages(project: Path, tmp_path: Path) -> None:
    cta = yaml.safe_load((project / "content/site.yaml").read_text())["cta"]["url"]
    for base in ("https://example.org/", "https://user.github.io/relief/"):
        dist = build(project, tmp_path / (urlsplit(base).path.strip("/") or "root"), base)
        root = urlsplit(base).path
        checked = 0
        for file in dist.rglob("*.html"):
            for element in html.parse(str(file)).iter(tag=etree.Element):
                if element.get("rel") in ("canonical", "alternate"):  # absolute, as search engines want them
                    assert element.get("href").startswith(base)
                    continue
                for value in (element.get("href"), element.get("src")):
                    if value is None or value.startswith(("#", "tel:")) or value == cta:
                        continue
                    where = f"{file.relative_to(dist)}: {value}"
                    if file.name == "404.html":  # served at any depth: root-relative, from base_url's path
                        assert value.startswith(root) and "://" not in value, where
                        target = dist / (value.removeprefix(root).split("#")[0] or "index.html")
                    else:
                        assert not value.startswith("/") and "://" not in value, where
                        target = file.parent / value.split("#")[0]
                    assert target.is_file(), where  # a folder's link names its index.html, for file://
                    checked += 1
        assert checked > 20


def test_assets_have_content_hashes_and_long_cache_headers(project: Path, tmp_path: Path) -> None:
    dist = build(project, tmp_path / "d", "https://example.org/relief/")
    assets = [p for p in (dist / "assets").rglob("*") if p.is_file()]
    assert assets and all(re.search(r"\.[0-9a-f]{10}\.\w+$", p.name) for p in assets)
    headers = (dist / "_headers").read_text()
    assert "/relief/assets/*\n  Cache-Control: public, max-age=31536000, immutable" in headers
    assert "/relief/\n  Cache-Control: public, max-age=300" in headers
    for name in ("sitemap.xml", "robots.txt", "404.html", ".nojekyll", "favicon.ico", "index.html"):
        assert (dist / name).is_file(), name
    robots = (dist / "robots.txt").read_text()
    assert "Sitemap: https://example.org/relief/sitemap.xml" in robots
    index = (dist / "index.html").read_text()
    assert re.search(r'<link rel="icon" href="assets/favicon\.[0-9a-f]{10}\.svg" type="image/svg\+xml">', index)


def test_the_sitemap_validates_against_the_sitemaps_org_schema(project: Path, tmp_path: Path) -> None:
    dist = build(project, tmp_path / "d", "https://example.org/relief/")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    sitemap = etree.parse(str(dist / "sitemap.xml"))
    schema.assertValid(sitemap)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    assert sitemap.xpath("//s:loc/text()", namespaces=ns) == ["https://example.org/relief/",
                                                               "https://example.org/relief/es/"]
    assert sitemap.xpath("//s:lastmod/text()", namespaces=ns) == ["2026-11-23", "2026-11-23"]
    # each page lists itself and its other language, both ways, and the default language as x-default
    for url in sitemap.xpath("//s:url", namespaces=ns):
        assert [(link.get("hreflang"), link.get("href")) for link in url.xpath("x:link", namespaces=ns)] == [
            ("en", "https://example.org/relief/"), ("es", "https://example.org/relief/es/"),
            ("x-default", "https://example.org/relief/")]


def test_structured_data_matches_the_visible_page(project: Path, tmp_path: Path) -> None:
    dist = build(project, tmp_path / "d", "https://example.org/relief/")
    tree = html.parse(str(dist / "index.html"))
    [script] = tree.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert data["@type"] == "MedicalWebPage" and data["lastReviewed"] == "2026-11-23"
    assert data["audience"]["audienceType"] == "Patient"
    howto = data["mainEntity"]
    assert howto["@type"] == "HowTo"
    sections = howto["step"]
    assert [s["timeRequired"] for s in sections] == ["PT2M", "PT4M", "PT4M"]
    steps = [i for s in sections for i in s["itemListElement"] if i["@type"] == "HowToStep"]
    tips = [i for s in sections for i in s["itemListElement"] if i["@type"] == "HowToTip"]
    assert (len(sections), len(steps), len(tips)) == (3, 14, 2)
    visible = [" ".join(e.text_content().split()) for e in tree.xpath("//details/summary/*[@class='stretch-name']")]
    assert [i["name"] for i in steps + tips] == [v for v in visible if v in {i["name"] for i in steps}] + [
        v for v in visible if v in {i["name"] for i in tips}]
    assert sorted(i["name"] for i in steps + tips) == sorted(visible)
    ids = set(tree.xpath("//details/@id"))
    for item in steps + tips:
        assert item["url"].startswith("https://example.org/relief/#")
        assert item["url"].split("#")[1] in ids
        assert item["image"].startswith("https://example.org/relief/assets/stretches/")
        assert item["text"]
    meta = {m.get("property") or m.get("name"): m.get("content") for m in tree.xpath("//meta")}
    assert meta["og:url"] == "https://example.org/relief/"
    assert re.fullmatch(r"https://example\.org/relief/assets/og-image\.[0-9a-f]{10}\.png", meta["og:image"])
    assert meta["og:image:alt"] and meta["og:locale"] == "en_US" and meta["twitter:card"]
    assert tree.xpath("//link[@rel='canonical']/@href") == ["https://example.org/relief/"]


def test_two_builds_in_different_folders_are_byte_identical(tmp_path: Path) -> None:
    one = build(copy_project(tmp_path / "one"), tmp_path / "one/dist", "https://example.org/relief/")
    two = build(copy_project(tmp_path / "elsewhere/two"), tmp_path / "out2", "https://example.org/relief/")
    assert tree_hash(one) == tree_hash(two)


def test_the_pages_workflow_builds_with_the_repository_sub_path() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(uses)
    [run] = [step["run"] for step in steps if "build.py" in step.get("run", "")]
    assert re.search(r"python build\.py .*--base-url \"\$\{\{ steps\.pages\.outputs\.base_url \}\}/\"", run)
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")
