"""A clinician's plan for one patient (issue 20), in Chromium: made in the plan maker by keyboard and mouse,
copied, opened in a fresh browser context as the patient would, run as a guided routine, printed; tampered
links; what the page asks of the network while it shows a plan.

The bundle is built once for the module and served by a host that records every request it is sent
(its line and headers): the plan must never reach it.
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pypdfium2 as pdfium
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT, QuietHandler, Served, serving
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from test_portable_browser import clinic
from test_validators import AXE_TAGS, VNU, _vnu_or_skip

from relief import model
from relief.cli import main
from relief.load.tree import load_site
from relief.model import Position, Stretch
from relief.render.templates import plain

pytestmark = pytest.mark.browser
TIMEOUT_MS = 10_000
MORNING = datetime(2026, 3, 2, 9, 0, 0)
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
SITE, _ = load_site(ROOT)
STRETCHES = {s.id: s for s in SITE.pages[0].stretches}
NOTE = 'Gently, please.\nStop if it hurts. <img src=x onerror="window.hacked=1"><script>window.hacked=2</script>'
NAME = "Sam"
# The plan the test makes: stretch id -> (its seconds, repetitions, times a day), in the plan's order.
CHOSEN = {
    "heel-press-three-angles": ([10, 12, 10], 2, 2),
    "glute-bridge": ([4], 6, 3),
    "belly-vacuum-overhead-reach": ([8], 3, 1),
}
DOSES = {
    "heel-press-three-angles": "Hold toe up 10 seconds, toe out 12 seconds, toe in 10 seconds; 2 times; each side; "
                               "2 times a day",
    "glute-bridge": "Hold 4 seconds, 6 times, 3 times a day",
    "belly-vacuum-overhead-reach": "Hold 8 seconds, 3 times, once a day",
}


class RecordingHandler(QuietHandler):
    """A static host that keeps every request line and header it is sent."""

    seen: ClassVar[list[str]] = []
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.seen.append(self.requestline + "\n" + str(self.headers))
        super().do_GET()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("plan") / "dist"
    with serving(folder, RecordingHandler) as url:
        assert main(["--project", str(ROOT), "build", "--out", str(folder), "--base-url", url]) == 0
        yield Served(folder, url)


def encoded(data: object, version: str = "1") -> str:
    text = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"#plan={version}.{text}"


def dosed(stretch: Stretch, seconds: list[int], reps: int) -> Stretch:
    """The stretch with a clinician's dose, as relief.load.routine would plan it."""
    if stretch.positions:
        positions = tuple(Position(p.name, s, p.cue) for p, s in zip(stretch.positions, seconds, strict=True))
        return replace(stretch, positions=positions, reps=reps)
    if stretch.duration:
        return replace(stretch, duration=seconds[0], reps=reps)
    return replace(stretch, hold=seconds[0], reps=reps)


EXPECTED_PLAN = plain(model.plan(tuple(dosed(STRETCHES[i], s, r) for i, (s, r, _) in CHOSEN.items())))
EXPECTED_SECONDS = sum(segment["seconds"] for segment in EXPECTED_PLAN)


def fill(tab: Page, field_id: str, value: int) -> None:
    tab.locator(f"#{field_id}").fill(str(value))


@dataclass(frozen=True)
class Made:
    link: str
    qr_png: bytes
    qr_path: str
    announced: list[str]


@pytest.fixture(scope="module")
def made(browser: Browser, bundle: Served) -> Iterator[Made]:
    """The plan of CHOSEN, made in the plan maker and copied with its Copy link button."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(bundle.url)
    tab.get_by_role("navigation", name="For clinicians").get_by_role("link", name="For clinicians: make a plan").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Make a plan for one patient")
    # as a person does, wait until the page is shown and ready: Chromium drops keys pressed while it still holds
    # the previous page's last frame on screen (paint holding), which a busy machine makes long enough to hit
    tab.wait_for_load_state("load")
    expect(tab.locator("form[data-plan-maker]")).to_have_attribute("data-ready", "")
    announced = []
    # ticked in another order than the plan's: glute bridge, belly vacuum, heel press; then heel press moved up twice
    for stretch_id in ("glute-bridge", "belly-vacuum-overhead-reach", "heel-press-three-angles"):
        box = tab.get_by_role("checkbox", name=STRETCHES[stretch_id].title)
        box.focus()
        tab.keyboard.press("Space")  # by keyboard, as a screen reader user ticks it
        expect(box).to_be_checked()
        seconds, reps, per_day = CHOSEN[stretch_id]
        key = f"middle-back-relief-{stretch_id}"
        for n, value in enumerate(seconds, start=1):
            fill(tab, f"seconds-{key}-{n}", value)
        fill(tab, f"reps-{key}", reps)
        fill(tab, f"per-day-{key}", per_day)
    up = tab.get_by_role("button", name="Move Heel press at three angles up")
    up.focus()
    tab.keyboard.press("Enter")  # by keyboard: focus stays on the moved stretch's button
    expect(tab.locator("[data-plan-announce]")).to_have_text("Heel press at three angles moved to 2 of 3.")
    announced.append(tab.locator("[data-plan-announce]").text_content())
    expect(tab.get_by_role("button", name="Move Heel press at three angles up")).to_be_focused()
    tab.keyboard.press("Space")
    expect(tab.locator("[data-plan-announce]")).to_have_text("Heel press at three angles moved to 1 of 3.")
    announced.append(tab.locator("[data-plan-announce]").text_content())
    expect(tab.locator("[data-plan-order] li .plan-order-name")).to_have_text([STRETCHES[i].title for i in CHOSEN])
    tab.get_by_label("first name (optional)").fill(NAME)
    tab.get_by_label("Note for your patient (optional)").fill(NOTE)
    tab.get_by_role("button", name="Copy link").click()
    expect(tab.locator("[data-plan-copied]")).to_have_text("Link copied. Paste it into a message to your patient.")
    link = tab.evaluate("navigator.clipboard.readText()")
    assert link == tab.get_by_role("textbox", name="Link to the plan").input_value()
    qr = tab.locator(".plan-qr svg.qr-code")
    expect(qr).to_have_attribute("aria-label", "QR code of the link to the plan")
    yield Made(link, qr.screenshot(), qr.locator("path").get_attribute("d") or "", announced)
    context.close()


@pytest.fixture(scope="module")
def view(browser: Browser, bundle: Served, made: Made) -> Iterator[Page]:
    """The copied link opened in a browser context of its own, as the patient's phone would, its clock paused."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.clock.install(time=MORNING)
    tab.clock.pause_at(MORNING + timedelta(seconds=1))
    tab.goto(made.link)
    expect(tab.locator("#your-plan-heading")).to_have_text(f"Plan for {NAME}")
    yield tab
    context.close()


# ---- the link ----

def test_the_plan_is_in_the_fragment_only_compact_and_versioned(made: Made, bundle: Served) -> None:
    address, _, fragment = made.link.partition("#")
    assert address == bundle.url + "index.html"  # the page, no query
    assert "?" not in address
    version, _, payload = fragment.removeprefix("plan=").partition(".")
    assert fragment.startswith("plan=") and version == "1"
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data == {"s": [[i, per_day, reps, *seconds] for i, (seconds, reps, per_day) in CHOSEN.items()],
                    "n": NOTE, "p": NAME}
    assert len(made.link) < 500


def test_the_qr_code_holds_exactly_the_link(made: Made) -> None:
    import zxingcpp

    picture = Image.open(io.BytesIO(made.qr_png)).convert("L")
    found = zxingcpp.read_barcodes(picture)
    assert [code.text for code in found] == [made.link]
    # a real SVG of modules: exactly the code qrcode-generator made, quiet zone and all
    drawn = _modules(made.qr_path)
    assert len(drawn) in range(21, 178, 4)  # a QR code's sizes: 21 modules (version 1) to 177 (version 40)


def _modules(path: str) -> list[list[bool]]:
    """The modules of the drawn code, from its path ("M<x> <y>h1v1h-1z" a dark module, 4 of quiet zone)."""
    dark = {(int(x) - 4, int(y) - 4) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path)}
    count = max(max(x, y) for x, y in dark) + 1
    return [[(x, y) in dark for x in range(count)] for y in range(count)]


def test_the_plan_maker_announces_each_move(made: Made) -> None:
    assert made.announced == ["Heel press at three angles moved to 2 of 3.",
                              "Heel press at three angles moved to 1 of 3."]


# ---- the patient's view ----

def test_the_link_shows_only_the_chosen_stretches_in_order_with_their_doses_and_the_note(view: Page) -> None:
    shown = view.locator("details.stretch:visible")
    assert shown.evaluate_all("all => all.map(d => d.id)") == list(CHOSEN)
    for number, stretch_id in enumerate(CHOSEN, start=1):
        summary = view.locator(f"#{stretch_id} > summary")
        expect(summary.locator(".stretch-number")).to_have_text(f"{number}.")
        expect(summary.locator(".dose")).to_have_text(DOSES[stretch_id])
        expect(view.locator(f"#{stretch_id} .plan-your-dose")).to_contain_text(DOSES[stretch_id])
    expect(view.locator(".plan-note")).to_have_text(NOTE.strip())
    assert view.evaluate("window.hacked") is None
    assert view.locator("img[src=x]").count() == 0
    assert view.locator("script", has_text="hacked").count() == 0
    # the safety advice and urgent care are always there, before the stretches
    for part in ("#safety-heading", "#get-help-emergency", "#get-help-urgent", "#get-help-gp", ".stop-note"):
        expect(view.locator(part).first).to_be_visible()
    tops = view.evaluate("""() => ['#get-help-emergency', '#your-plan-stretches']
        .map(s => document.querySelector(s).getBoundingClientRect().top)""")
    assert tops == sorted(tops)
    expect(view.locator("#your-plan-stretches-heading")).to_have_text(
        f"Your stretches — takes {_spoken(_label(EXPECTED_SECONDS))}")


def _label(seconds: int) -> int:
    from relief.model import Group

    return Group("plan", "", None, None, (), (), seconds).label_seconds


def _spoken(seconds: int) -> str:
    from relief.render.templates import Words

    return Words("en", None).duration(seconds)


def test_the_routine_runs_the_clinicians_doses_for_exactly_their_time(view: Page) -> None:
    plan = json.loads(view.locator("#your-plan-stretches [data-routine-plan]").text_content() or "[]")
    assert plan == EXPECTED_PLAN  # the countdowns relief/model.py makes of these doses
    view.locator("#your-plan-stretches").get_by_role("button", name="Start routine").click()
    dialog = view.get_by_role("dialog")
    expect(dialog.get_by_role("heading", level=2)).to_have_text(STRETCHES["heel-press-three-angles"].title)
    expect(dialog.locator(".routine-where")).to_contain_text("Stretch 1 of 3")
    expect(dialog.locator(".routine-dose")).to_have_text(DOSES["heel-press-three-angles"])
    view.clock.run_for(20_000)
    expect(dialog.locator(".routine-clock")).to_have_text("10 seconds")  # toe up: the clinician's 10, not 8
    view.clock.run_for((EXPECTED_SECONDS - 20 - 1) * 1_000)
    expect(dialog.locator(".routine-clock")).to_have_text("1 second")
    expect(dialog.get_by_role("heading", level=2)).to_have_text(STRETCHES["belly-vacuum-overhead-reach"].title)
    view.clock.run_for(1_000)
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Routine done")
    dialog.get_by_role("button", name="Close").click()


def test_the_pages_own_routines_are_planned_alike_in_the_browser(view: Page) -> None:
    """The browser's planner (plan-view.js) against relief/load/routine.py on every group of the page."""
    for group in SITE.pages[0].groups:
        items = [{"id": s.id, "perDay": 1, "reps": s.reps or 1, "seconds": [p.hold for p in s.positions]
                  or [s.hold or s.duration]} for s in group.routine]
        made = view.evaluate("""items => ReliefPlan.segments(items,
            JSON.parse(document.getElementById('plan-data').textContent))""", items)
        assert made == plain(group.plan), group.id


def test_the_printed_plan_has_its_stretches_doses_note_tick_chart_and_urgent_care(view: Page) -> None:
    document = pdfium.PdfDocument(view.pdf(format="A4"))
    text = re.sub(r"\s+", "", "".join(document[i].get_textpage().get_text_range() for i in range(len(document))))
    for stretch_id, dose in DOSES.items():
        assert re.sub(r"\s+", "", STRETCHES[stretch_id].title) in text
        assert re.sub(r"\s+", "", dose) in text
    assert "Yourplan:tickaboxeachtimeyoudoastretch" in text
    assert re.sub(r"\s+", "", "Gently, please.") in text and f"Planfor{NAME}" in text
    assert "Calltheemergencynumbernow" in text
    assert "Wallslides" not in text and "Gluteridge" not in text  # no stretch outside the plan
    chart = view.locator(".plan-chart")
    view.emulate_media(media="print")
    try:
        expect(chart).to_be_visible()
        rows = chart.locator("tbody tr")
        expect(rows).to_have_count(3)
        for row, (stretch_id, (_, _, per_day)) in zip(rows.all(), CHOSEN.items(), strict=True):
            expect(row.locator("th")).to_contain_text(STRETCHES[stretch_id].title)
            assert row.locator("td").count() == 7
            assert row.locator("td").first.locator(".tick-box").count() == per_day
        expect(view.locator(".plan-view svg.qr-code")).to_be_visible()  # the plan's own link, to scan
    finally:
        view.emulate_media(media="screen")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_the_patients_view_or_the_maker(browser: Browser, bundle: Served, made: Made,
                                                                 scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(made.link)
        expect(tab.locator("#your-plan-heading")).to_be_visible()
        tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        results = Axe().run(tab, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
        tab.goto(bundle.url + "plan/")
        tab.get_by_role("checkbox", name="Glute bridge").check()
        tab.get_by_role("checkbox", name="Wall slides").check()
        expect(tab.locator(".plan-qr svg")).to_be_visible()
        results = Axe().run(tab, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


# ---- links that are damaged, tampered with or out of date ----

GOOD = [["glute-bridge", 1, 10, 2]]
TAMPERED = {
    "bad base64": "#plan=1.@@not-base64@@",
    "cut short": encoded({"s": GOOD})[:-3] + "%",
    "another version": encoded({"s": GOOD}, version="2"),
    "no version": encoded({"s": GOOD}).replace("plan=1.", "plan="),
    "not JSON": "#plan=1." + base64.urlsafe_b64encode(b"{not json").decode().rstrip("="),
    "a list, not a plan": encoded([GOOD]),
    "no stretches": encoded({"s": []}),
    "reps as text": encoded({"s": [["glute-bridge", 1, "10", 2]]}),
    "a fraction": encoded({"s": [["glute-bridge", 1, 10, 2.5]]}),
    "hold too long": encoded({"s": [["glute-bridge", 1, 10, 301]]}),
    "zero a day": encoded({"s": [["glute-bridge", 0, 10, 2]]}),
    "eleven a day": encoded({"s": [["glute-bridge", 11, 10, 2]]}),
    "negative reps": encoded({"s": [["glute-bridge", 1, -1, 2]]}),
    "twice the same": encoded({"s": [GOOD[0], GOOD[0]]}),
    "over an hour": encoded({"s": [["seated-posture-reset", 1, 30, 300]]}),
    "a note too long": encoded({"s": GOOD, "n": "x" * 501}),
    "a name too long": encoded({"s": GOOD, "p": "x" * 41}),
    "huge": encoded({"s": GOOD, "n": "x" * 400, "z": "y" * 20_000}),
}


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def test_a_damaged_or_tampered_link_says_so_and_shows_the_whole_page(tab: Page, bundle: Served) -> None:
    for case, fragment in TAMPERED.items():
        tab.goto("about:blank")
        tab.goto(bundle.url + fragment)
        notice = tab.locator(".plan-notice")
        expect(notice, case).to_be_visible()
        expect(notice.get_by_role("heading", level=2), case).to_have_text("This plan link cannot be opened")
        expect(notice, case).to_contain_text("Ask your clinician for a new link")
        assert tab.locator("details.stretch:visible").count() == len(STRETCHES), case
        assert tab.locator("#your-plan-stretches").count() == 0, case


def test_a_plan_naming_stretches_the_page_no_longer_has_shows_the_rest_and_says_how_many(tab: Page,
                                                                                         bundle: Served) -> None:
    tab.goto(bundle.url + encoded({"s": [["neck-roll", 1, 3, 5], ["glute-bridge", 2, 5, 3],
                                         ["heel-press-three-angles", 1, 1, 8]]}))  # that one has 3 positions now
    expect(tab.locator("details.stretch:visible")).to_have_count(1)
    expect(tab.locator(".plan-missing")).to_have_text(
        "2 stretches of this plan are no longer on this page, or have changed, so they are not shown. "
        "Ask your clinician for a new link if you need them.")
    tab.goto("about:blank")
    tab.goto(bundle.url + encoded({"s": [["neck-roll", 1, 3, 5]]}))
    expect(tab.locator(".plan-notice")).to_contain_text("1 stretch of this plan is no longer on this page")
    assert tab.locator("details.stretch:visible").count() == len(STRETCHES)


# ---- what the network sees ----

def test_no_request_carries_the_plan_and_a_page_without_one_never_loads_its_scripts(
        browser: Browser, bundle: Served, made: Made) -> None:
    fragment = made.link.partition("#")[2]
    secrets = [fragment, fragment.partition(".")[2][:40], "plan=", "Gently", NAME, *CHOSEN]

    def visit(url: str) -> tuple[list[str], list[str], list[str]]:
        """What the page asked for, what the browser (the page and its service worker) sent, what the host got."""
        RecordingHandler.seen.clear()
        context = browser.new_context()
        sent: list[str] = []
        page_asked: list[str] = []
        # the address Playwright reports for a navigation has its fragment put back: the browser sends none
        context.on("request", lambda request: sent.append(
            f"{request.url.split('#')[0] if request.is_navigation_request() else request.url}\n"
            f"{request.all_headers()}\n{request.post_data or ''}"))
        tab = context.new_page()
        tab.on("request", lambda request: page_asked.append(request.url))
        tab.goto(url)
        tab.evaluate("navigator.serviceWorker.ready")  # the worker has fetched every file it keeps
        tab.wait_for_load_state("networkidle")
        context.close()
        return page_asked, sent, list(RecordingHandler.seen)

    plain_asked, _, plain_seen = visit(made.link.partition("#")[0])
    plan_asked, plan_sent, plan_seen = visit(made.link)
    for record in plan_sent + plan_seen:
        # a picture's address names its stretch: the page asks for every picture, with a plan or without
        words = [secret for secret in secrets if secret in record and not re.search(
            rf"/assets/stretches/{re.escape(secret)}\.\w+\.svg", record)]
        assert words == [], record
    assert {line.split()[1] for line in plan_seen} == {line.split()[1] for line in plain_seen}  # the host: the same
    scripts = re.compile(r"/assets/js/(plan-view|vendor/qrcode-generator)\.")
    assert [url for url in plain_asked if scripts.search(url)] == []  # the page alone costs nothing more
    assert len([url for url in plan_asked if scripts.search(url)]) == 2


# ---- without JavaScript, and offline ----

def test_without_javascript_the_maker_says_it_needs_it_and_a_plan_link_shows_the_whole_page(
        browser: Browser, bundle: Served, made: Made) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(bundle.url + "plan/")
        expect(tab.locator("[data-plan-needs-script]")).to_be_visible()
        expect(tab.locator("[data-plan-needs-script]")).to_contain_text("needs JavaScript")
        expect(tab.locator("form.plan-maker")).to_be_hidden()
        tab.goto(made.link)
        assert tab.locator("details.stretch").count() == len(STRETCHES)
        expect(tab.locator("#get-help-emergency")).to_be_visible()
    finally:
        context.close()


def test_once_visited_the_maker_and_a_plan_link_work_offline(browser: Browser, bundle: Served, made: Made) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(bundle.url)
        tab.evaluate("navigator.serviceWorker.ready")
        tab.wait_for_function("navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        maker = context.new_page()
        maker.goto(bundle.url + "plan/")
        maker.get_by_role("checkbox", name="Wall slides").check()
        expect(maker.get_by_role("textbox", name="Link to the plan")).to_have_value(re.compile(r"#plan=1\."))
        expect(maker.locator(".plan-qr svg path")).to_have_count(1)
        patient = context.new_page()
        patient.goto(made.link)
        expect(patient.locator("details.stretch:visible")).to_have_count(3)
        expect(patient.locator(".plan-view svg.qr-code")).to_have_count(1)  # the QR script, from the cache too
    finally:
        context.close()


def test_an_extra_in_a_plan_shows_how_often_and_stays_out_of_its_routine(tab: Page, bundle: Served) -> None:
    tab.goto("about:blank")
    tab.goto(bundle.url + encoded({"s": [["towel-roll-support", 4], ["wall-slides", 2, 3, 20]]}))
    expect(tab.locator("details.stretch:visible")).to_have_count(2)
    expect(tab.locator("#towel-roll-support > summary .dose")).to_have_text("4 times a day")
    expect(tab.locator("#wall-slides > summary .dose")).to_have_text("20 seconds, 3 times, 2 times a day")
    plan = json.loads(tab.locator("#your-plan-stretches [data-routine-plan]").text_content() or "[]")
    assert {segment["stretch"] for segment in plan} == {"wall-slides"}
    assert plan == plain(model.plan((dosed(STRETCHES["wall-slides"], [20], 3),)))


def test_with_several_pages_the_plan_keeps_to_the_page_it_is_from(browser: Browser, tmp_path: Path) -> None:
    project = clinic(tmp_path / "site")
    folder = tmp_path / "dist"
    with serving(folder) as url:
        assert main(["--project", str(project), "build", "--out", str(folder), "--base-url", url]) == 0
        context = browser.new_context()
        try:
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            tab.goto(url + "plan/index.html")
            sections = tab.locator("section[data-plan-page]")
            expect(sections.filter(visible=True)).to_have_count(1)  # the first page's, chosen at the start
            tab.get_by_role("checkbox", name="Chin tuck").first.check()
            tab.get_by_role("radio", name="Shoulder Relief").check()
            expect(tab.locator("section[data-plan-page=shoulder-relief]")).to_be_visible()
            expect(tab.locator("section[data-plan-page=neck-relief]")).to_be_hidden()
            expect(tab.locator("[data-plan-order] li")).to_have_count(0)  # the other page's choice is not in it
            tab.locator("section[data-plan-page=shoulder-relief]").get_by_role("checkbox", name="Neck roll").check()
            link = tab.get_by_role("textbox", name="Link to the plan").input_value()
            assert link.startswith(url + "shoulder-relief/index.html#plan=1.")
            payload = link.partition("#plan=1.")[2]
            assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == {
                "s": [["neck-roll", 1, 1, 45]]}
            tab.goto(link)
            expect(tab.get_by_role("heading", level=1)).to_have_text("Shoulder Relief")
            expect(tab.locator("details.stretch:visible")).to_have_count(1)
        finally:
            context.close()


def test_the_nu_html_checker_finds_no_error_in_the_maker_or_the_view_as_the_scripts_leave_them(
        browser: Browser, bundle: Served, made: Made, tmp_path: Path) -> None:
    _vnu_or_skip()
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(bundle.url + "plan/")
        for name in ("Glute bridge", "Wall slides"):
            tab.get_by_role("checkbox", name=name).check()
        expect(tab.locator(".plan-qr svg")).to_be_visible()
        (tmp_path / "maker.html").write_text("<!doctype html>" + tab.evaluate("document.documentElement.outerHTML"))
        tab.goto(made.link)
        expect(tab.locator(".plan-view svg.qr-code")).to_have_count(1)
        (tmp_path / "view.html").write_text("<!doctype html>" + tab.evaluate("document.documentElement.outerHTML"))
    finally:
        context.close()
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path / "maker.html"),
                          str(tmp_path / "view.html")], capture_output=True, text=True, timeout=180)
    messages = json.loads(run.stderr)["messages"]
    assert [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages] == []


def test_the_spanish_plan_maker_makes_a_plan_in_spanish_and_the_switcher_carries_it_to_english(
        tab: Page, bundle: Served) -> None:
    tab.goto(bundle.url + "es/plan/index.html")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Crear un plan para un paciente")
    tab.locator("[data-plan-choose]").nth(0).check()
    tab.locator("#reps-middle-back-relief-seated-posture-reset").fill("3")
    expect(tab.locator("[data-plan-status]")).to_have_text(
        "El enlace contiene 1 estiramiento. Ábralo para revisar el plan e imprimir su hoja.")
    link = tab.get_by_role("textbox", name="Enlace al plan").input_value()
    assert link.startswith(bundle.url + "es/index.html#plan=1.")
    tab.goto(link)
    expect(tab.locator("#seated-posture-reset > summary .dose")).to_have_text("Mantenga 10 segundos, 3 veces, "
                                                                              "una vez al día")
    expect(tab.locator("details.stretch:visible")).to_have_count(1)
    english = tab.locator("a[data-language-link][hreflang=en]")
    assert english.get_attribute("href").endswith("#" + link.partition("#")[2])
    english.click()
    expect(tab.locator("#seated-posture-reset > summary .dose")).to_have_text("Hold 10 seconds, 3 times, once a day")
    expect(tab.locator("details.stretch:visible")).to_have_count(1)


def test_the_maker_refuses_numbers_out_of_their_limits_and_without_a_clipboard_selects_the_link(
        browser: Browser, bundle: Served) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
        tab.goto(bundle.url + "plan/")
        link = tab.get_by_role("textbox", name="Link to the plan")
        copy = tab.get_by_role("button", name="Copy link")
        status = tab.locator("[data-plan-status]")
        expect(status).to_have_text("Choose at least one stretch to make a link.")
        expect(copy).to_be_disabled()
        tab.get_by_role("checkbox", name="Glute bridge").check()
        hold = tab.locator("#seconds-middle-back-relief-glute-bridge-1")
        for wrong in ("0", "301", "2.5", ""):
            hold.fill(wrong)
            expect(status).to_have_text("Check the numbers of Glute bridge: each must be a whole number within its "
                                        "limits.")
            expect(hold).to_have_attribute("aria-invalid", "true")
            expect(link).to_have_value("")
            expect(copy).to_be_disabled()
            expect(tab.locator(".plan-qr")).to_be_hidden()
        hold.fill("60")
        tab.locator("#reps-middle-back-relief-glute-bridge").fill("30")  # 30 minutes
        tab.get_by_role("checkbox", name="Wall slides").check()
        tab.locator("#seconds-middle-back-relief-wall-slides-1").fill("300")
        tab.locator("#reps-middle-back-relief-wall-slides").fill("30")  # and 2 1/2 hours more
        expect(status).to_have_text("This plan\N{RIGHT SINGLE QUOTATION MARK}s routine would take more than an hour: "
                                    "lower some holds or repetitions.")
        expect(link).to_have_value("")
        tab.locator("#reps-middle-back-relief-wall-slides").fill("1")
        expect(link).to_have_value(re.compile(r"#plan=1\."))
        expect(hold).to_have_attribute("aria-invalid", "false")
        copy.click()
        expect(tab.locator("[data-plan-copied]")).to_have_text(
            "The link is selected: press Ctrl+C (or ⌘C) to copy it.")
        expect(link).to_be_focused()
        assert tab.evaluate("""() => { const f = document.getElementById('plan-link');
            return f.selectionStart === 0 && f.selectionEnd === f.value.length; }""")
        tab.get_by_role("checkbox", name="Glute bridge").uncheck()
        expect(tab.locator("[data-plan-announce]")).to_have_text("Glute bridge taken out of the plan.")
        expect(hold).to_be_disabled()
        expect(tab.locator("[data-plan-order] li")).to_have_count(1)
    finally:
        context.close()
