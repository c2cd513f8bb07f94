"""What a hostile or careless editor writes cannot run script in the patient's browser (Chromium).

The harm of each attack is in a browser, so each is tried there: a dead script link that is
clicked, a title that would swallow the page into its structured data, and the page under the
Content-Security-Policy the README's nginx snippet sends.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, Nginx, free_port, stretch_md, write
from playwright.sync_api import Page, expect

from relief.cli import main

STRETCH = "content/neck-relief/sitting/02-chin-tuck.md"
HOSTILE_LINKS = ["[a](javascript:alert(1))", "[b](java&#9;script:alert(2))", "[c](java\tscript:alert(3)//://)",
                 "[d](&#x20;&#x6A;avascript&colon;alert(4))", "[e](JaVaScRiPt:alert(5))", "[f](vbscript:msgbox(6))",
                 "[g](data:text/html,<script>alert(7)</script>)"]


def built(project: Path, out: Path, base_url: str = "https://example.org/") -> Path:
    assert main(["--project", str(project), "build", "--out", str(out), "--base-url", base_url]) == 0
    return out


def test_clicking_a_script_link_from_markdown_runs_nothing(tiny: Path, page: Page, static_server) -> None:
    body = "\n".join(f"{n}. Read {link} now." for n, link in enumerate(HOSTILE_LINKS, start=1))
    write(tiny / STRETCH, stretch_md("Chin tuck", 30, body=body))
    dist = tiny / "dist"
    url = static_server(dist)
    built(tiny, dist, url)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.locator("#chin-tuck summary").click()
    links = page.locator("#chin-tuck .how a")
    assert links.count() == len(HOSTILE_LINKS)
    # what the browser itself makes of every link that is left: only its own site, over http
    schemes = page.eval_on_selector_all("#chin-tuck .how a[href]", "els => els.map(a => new URL(a.href).protocol)")
    assert set(schemes) <= {"http:"}
    for index in range(links.count()):
        if links.nth(index).get_attribute("href") is None:  # a dead link: clicking it does nothing at all
            links.nth(index).click()
    page.wait_for_timeout(200)
    assert dialogs == []
    assert page.url.rstrip("/") == url.rstrip("/")


@pytest.mark.parametrize("where", ["title", "body"])
def test_text_that_would_open_a_comment_in_the_structured_data_cannot_blank_the_page(
        tiny: Path, page: Page, static_server, where: str) -> None:
    page_file = tiny / "content/neck-relief/_page.md"
    if where == "title":
        page_file.write_text(page_file.read_text(encoding="utf-8").replace(
            "title: Neck Relief", "title: 'Middle Back <!--<script> Relief'"), encoding="utf-8")
    else:
        write(tiny / STRETCH, stretch_md("Chin tuck", 30, body="1. Type &lt;!-- here.\n2. Then &lt;script&gt; there."))
    dist = tiny / "dist"
    url = static_server(dist)
    built(tiny, dist, url)
    page.goto(url)
    expect(page.locator("details.stretch")).to_have_count(3)
    expect(page.locator(".site-footer")).to_be_attached()
    expect(page.locator("#shoulder-drop summary")).to_be_visible()  # the last stretch, after the data block
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert "<!--<script>" in data["name"] or "<!--" in str(data)


@pytest.fixture(scope="module")
def under_policy(tmp_path_factory: pytest.TempPathFactory):
    """The shipped site served by nginx with the README's snippet, headers and all."""
    work = tmp_path_factory.mktemp("csp")
    port = free_port()
    dist = built(ROOT, work / "www", f"http://127.0.0.1:{port}/relief/")
    server = Nginx(dist, "/relief/", port, work / "conf")
    yield server.url
    server.stop()


WATCH = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' +
                           e.lineNumber));"""


def test_the_page_runs_under_its_content_security_policy_with_no_violation(under_policy: str, page: Page) -> None:
    console: list[str] = []
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    page.add_init_script(WATCH)
    response = page.goto(under_policy)
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["referrer-policy"]
    page.locator("[data-toggle-all]").click()  # the page's own script ran: the tools are wired up
    expect(page.locator("details.stretch[open]")).to_have_count(16)
    page.locator("[data-routine-start] button").first.click()
    expect(page.locator("dialog.routine")).to_be_visible()
    page.keyboard.press("Escape")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.goto(under_policy + "no-such-page/")  # the 404 page too
    assert page.evaluate("window.__violations") == []
    assert [m for m in console if "Content Security Policy" in m] == []


def test_the_policy_really_stops_an_injected_script(under_policy: str, page: Page) -> None:
    """The control: the same page, a script slipped in by hand, and the policy refuses it."""
    page.add_init_script(WATCH)
    page.goto(under_policy)
    ran = page.evaluate("""() => { window.__ran = false;
      const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.append(s);
      const d = document.createElement('div'); d.innerHTML = '<img src=x onerror="window.__ran = true">';
      document.body.append(d); return new Promise(r => setTimeout(() => r(window.__ran), 300)); }""")
    assert ran is False
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))
