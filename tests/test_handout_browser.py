"""The page as a clinician hands it over and a patient first meets it (issue 14): urgent care before the
first stretch on a phone, its tel: links, a dose on every routine stretch, and the print: every picture on a
first visit, the dose, a 7-day tick chart per routine, the page's address with its QR code and the clinic's
phone, each stretch whole on a sheet of A4 and of US Letter.

The print is tested on paper, as Chromium makes it: ``page.pdf()`` rasterised with pypdfium2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
import segno
from conftest import ROOT, Served
from playwright.sync_api import Page, expect

from relief.load.tree import load_site

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
SITE, _ = load_site(ROOT)
SHIPPED = SITE.pages[0]


@pytest.fixture
def fresh(browser) -> Iterator:
    """A tab in a browser context of its own, as on a first visit: ``fresh(url, viewport=...)``."""
    contexts = []

    def open_tab(url: str, **options: object) -> Page:
        contexts.append(browser.new_context(**options))
        tab = contexts[-1].new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(url, wait_until="load")
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def test_urgent_care_comes_before_the_first_stretch_within_two_phone_screens(fresh, shipped_bundle: Served) -> None:
    tab = fresh(shipped_bundle.url, viewport=PHONE)
    tops = tab.evaluate("""() => ['#get-help-emergency', '#get-help-urgent', '#get-help-gp', 'details.stretch']
        .map(s => document.querySelector(s).getBoundingClientRect().top + scrollY)""")
    assert tops == sorted(tops)
    assert tops[0] < 2 * PHONE["height"], f"the emergency box starts at {tops[0]} px"
    expect(tab.locator("#get-help-emergency h3")).to_have_text("Call the emergency number now")


def test_each_tier_calls_its_number_from_site_yaml(fresh, shipped_bundle: Served) -> None:
    tab = fresh(shipped_bundle.url, viewport=PHONE)
    calls = {level: tab.locator(f"#get-help-{level} a.tier-call") for level in ("emergency", "urgent", "gp")}
    assert {level: link.get_attribute("href") for level, link in calls.items()} == {
        "emergency": "tel:999", "urgent": "tel:111", "gp": "tel:02079460123"}
    expect(calls["gp"]).to_have_text("Call 020 7946 0123")
    for link in calls.values():
        assert link.bounding_box()["height"] >= 24  # a finger can press it


def test_every_routine_stretch_shows_its_dose_in_seconds(fresh, shipped_bundle: Served) -> None:
    tab = fresh(shipped_bundle.url)
    doses = dict(tab.locator(".stretches details.stretch").evaluate_all(
        "all => all.map(d => [d.id, d.querySelector('.dose')?.textContent.trim()])"))
    assert len(doses) == 14
    for stretch_id, dose in doses.items():
        assert dose and re.search(r"\d+ seconds", dose), f"{stretch_id}: {dose!r}"
    assert doses["glute-bridge"] == "Hold 2 seconds, 10 times"
    assert doses["heel-press-three-angles"] == "Hold 8 seconds each: toe up, toe out, toe in; each side"
    assert doses["face-down-arm-rest"] == "Hold 10 seconds each: arms overhead, arms at 45 degrees, arms at 90 degrees"
    tab.get_by_role("button", name="Show all").click()
    expect(tab.locator("#belly-vacuum-overhead-reach")).to_contain_text("Breathe in and relax for 5 seconds")
    expect(tab.locator("#heel-press-three-angles .caution")).to_contain_text("hold a chair or wall")
    expect(tab.locator("#standing-overhead-reach .caution")).to_contain_text("hold a chair or wall")
    expect(tab.locator("#thumbs-out-arm-raise .caution")).to_contain_text("chair or wall")
    expect(tab.locator("#lying-down .group-tip")).to_contain_text("Getting down")


def _raster(pdf: bytes) -> list[bytes]:
    """Each sheet of ``pdf`` as RGB pixels, at 72 dpi."""
    document = pdfium.PdfDocument(pdf)
    return [document[i].render(scale=1).to_pil().convert("RGB").tobytes() for i in range(len(document))]


def _sheets_text(pdf: bytes) -> list[str]:
    """The text of each sheet, with every space and line break taken out (lines wrap anywhere)."""
    document = pdfium.PdfDocument(pdf)
    return [re.sub(r"\s+", "", document[i].get_textpage().get_text_range()) for i in range(len(document))]


def test_a_first_visit_prints_every_picture(fresh, shipped_bundle: Served) -> None:
    visit = fresh(shipped_bundle.url)
    # once the page has loaded every picture comes in, none scrolled to: none waits for a print to ask for it
    visit.wait_for_function("""() => [...document.querySelectorAll('details.stretch img')]
        .every(img => img.loading !== 'lazy' && img.complete && img.naturalWidth > 0)""", timeout=TIMEOUT_MS)
    assert visit.evaluate("scrollY") == 0
    first = visit.pdf(format="A4")  # printed at once: no picture ever scrolled to
    loaded = fresh(shipped_bundle.url)
    loaded.evaluate("""() => Promise.all([...document.images].map(img => {
        img.loading = 'eager'; img.scrollIntoView(); return img.decode(); }))""")
    forced = loaded.pdf(format="A4")
    loaded.add_style_tag(content="details.stretch img { visibility: hidden !important; }")
    blank = loaded.pdf(format="A4")
    assert _raster(first) == _raster(forced)
    assert _raster(forced) != _raster(blank)  # the pictures are on the sheets: without them they differ


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_each_stretch_prints_whole_on_one_sheet_with_its_dose(fresh, shipped_bundle: Served, paper: str) -> None:
    sheets = _sheets_text(fresh(shipped_bundle.url).pdf(format=paper))
    tab = fresh(shipped_bundle.url)
    stretches = tab.locator("details.stretch").evaluate_all("""all => all.map(d => [
        d.querySelector('.stretch-name').textContent, d.querySelector('.dose')?.textContent ?? '',
        d.querySelector('.how li:last-of-type').textContent])""")
    assert len(stretches) == 16
    for name, dose, last_step in stretches:
        parts = [re.sub(r"\s+", "", text) for text in (name, dose, last_step)]
        holding = [i for i, sheet in enumerate(sheets) if all(part in sheet for part in parts)]
        assert holding, f"{name}: its name, dose and last step are not all on one {paper} sheet"


def test_the_print_ends_with_the_address_its_qr_code_and_the_clinics_phone(fresh, shipped_bundle: Served) -> None:
    tab = fresh(shipped_bundle.url)
    handout = tab.locator(".handout")
    expect(handout).to_be_hidden()  # paper only
    tab.emulate_media(media="print")
    expect(handout).to_be_visible()
    address = tab.locator("link[rel=canonical]").get_attribute("href")
    expect(handout.locator(".handout-address")).to_have_text(address)
    expect(handout.locator(".handout-phone")).to_have_text("020 7946 0123")
    qr = handout.locator("svg.qr-code")
    assert qr.bounding_box()["width"] >= 90  # some 28 mm: a phone's camera reads it from arm's length
    made = segno.make(address, error="m").svg_inline(scale=4, svgclass="qr-code", lineclass=None, omitsize=True)
    [path] = re.findall(r' d="([^"]+)"', made)
    assert qr.locator("path").get_attribute("d") == path  # the code of exactly this address
    text = "".join(_sheets_text(tab.pdf(format="A4")))
    assert re.sub(r"\s+", "", address) in text and "02079460123" in text


def test_the_print_has_a_seven_day_tick_chart_under_each_routine(fresh, shipped_bundle: Served) -> None:
    tab = fresh(shipped_bundle.url)
    charts = tab.locator(".group .tick-chart")
    assert charts.count() == len(SHIPPED.groups)
    for chart in charts.all():
        expect(chart).to_be_hidden()
    tab.emulate_media(media="print")
    for chart, group in zip(charts.all(), SHIPPED.groups, strict=True):
        expect(chart).to_be_visible()
        expect(chart.locator("caption")).to_contain_text(group.title)
        assert chart.locator("td").count() == 7
        assert chart.locator("td").first.bounding_box()["height"] >= 20  # room for a tick
    text = "".join(_sheets_text(tab.pdf(format="A4")))
    assert text.count("tickaboxeachtimeyoudothisroutine") == 3
