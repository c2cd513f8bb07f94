"""The shipped page in a real browser (Chromium): what a patient can do with it, and how it looks.

One build of the shipped site per module, served on 127.0.0.1 at the URL it was built for.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import Served
from playwright.sync_api import Page, expect

STRETCHES = 16
SUMMARY = "details.stretch > summary"
TIMEOUT_MS = 10_000  # a broken page fails in seconds instead of waiting for Playwright's 30 s


@pytest.fixture
def blank(page: Page) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture
def tab(blank: Page, shipped_bundle: Served) -> Page:
    blank.goto(shipped_bundle.url)
    return blank


@pytest.fixture
def new_tab(browser) -> Iterator:
    """Open a page in a browser context of its own options: ``new_tab(viewport=..., ...)``."""
    contexts = []

    def open_tab(url: str, **options: object) -> Page:
        contexts.append(browser.new_context(**options))
        contexts[-1].set_default_timeout(TIMEOUT_MS)
        tab = contexts[-1].new_page()
        tab.goto(url)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def open_count(tab: Page) -> int:
    return tab.locator("details.stretch[open]").count()


def load_every_picture(tab: Page) -> None:
    """Bring each picture into view and wait until it has loaded."""
    for img in tab.locator("details.stretch img").all():
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("img => img.naturalWidth") > 0


def test_tab_reaches_a_summary_and_enter_opens_it(tab: Page) -> None:
    for _ in range(40):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.matches('details.stretch > summary')"):
            break
    else:
        pytest.fail("Tab never reached a stretch's summary")
    stretch = tab.locator("details.stretch:has(> summary:focus)")
    expect(stretch.locator(".how li").first).to_be_hidden()
    tab.keyboard.press("Enter")
    expect(stretch).to_have_attribute("open", "")
    expect(stretch.locator("img")).to_be_visible()
    expect(stretch.locator(".how li").first).to_be_visible()


def test_every_stretch_shows_its_name_and_dose_and_hides_picture_and_steps_until_opened(tab: Page) -> None:
    summaries = tab.locator(SUMMARY)
    assert summaries.count() == STRETCHES and open_count(tab) == 0
    assert tab.locator("details[name]").count() == 0  # opening one never closes another
    expect(tab.locator("#belly-vacuum-overhead-reach > summary")).to_have_text(
        "3. Belly vacuum with overhead reach Hold 5 seconds, 4 times")
    for stretch in tab.locator("details.stretch").all():
        expect(stretch.locator("img")).to_be_hidden()
        assert stretch.locator(".how ol > li").count() >= 1  # the numbered HOW steps


def test_show_all_opens_all_16_and_then_says_hide_all(tab: Page) -> None:
    button = tab.locator("[data-toggle-all]")
    expect(button).to_have_text("Show all")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    assert open_count(tab) == STRETCHES
    expect(button).to_have_text("Hide all")
    expect(button).to_have_attribute("aria-expanded", "true")
    tab.locator(SUMMARY).nth(3).click()  # one closed again: not "every stretch is open" any more
    expect(button).to_have_text("Show all")
    button.click()
    assert open_count(tab) == STRETCHES
    button.click()
    assert open_count(tab) == 0
    expect(button).to_have_text("Show all")


def test_a_stretch_link_opens_that_stretch_and_scrolls_to_it(blank: Page, shipped_bundle: Served) -> None:
    blank.goto(f"{shipped_bundle.url}#glute-bridge")
    expect(blank.locator("#glute-bridge")).to_have_attribute("open", "")
    expect(blank.locator("#glute-bridge > summary")).to_be_in_viewport()
    blank.evaluate("location.hash = '#wall-slides'")
    expect(blank.locator("#wall-slides")).to_have_attribute("open", "")
    expect(blank.locator("#wall-slides > summary")).to_be_in_viewport()
    assert open_count(blank) == 2


def test_the_contents_list_links_to_every_timed_group(tab: Page) -> None:
    links = tab.get_by_role("navigation", name="Choose your routine").get_by_role("link")
    assert [link.get_attribute("href") for link in links.all()] == ["#sitting", "#lying-down", "#standing"]
    expect(tab.locator("#standing > h2")).to_have_text("If standing, do these — takes 4 minutes")
    links.nth(2).click()
    expect(tab.locator("#standing > h2")).to_be_in_viewport()


def test_safety_comes_before_the_routine_and_the_publishers_offer_after_it(tab: Page) -> None:
    expect(tab.locator(".page-header")).to_contain_text("Last reviewed 23 November 2026")
    order = tab.evaluate("""() => ['#safety-heading', '#get-help-heading', '.stop-note', '.group', '.cta']
        .map(selector => document.querySelector(selector).getBoundingClientRect().top)""")
    assert order == sorted(order)
    expect(tab.locator(".stop-note")).to_contain_text("If a stretch hurts, stop and skip it. Move on to the next one.")
    expect(tab.locator(".cta")).to_contain_text("A service from Middle Back Relief, who publish this page")


def test_print_shows_every_stretch_with_its_picture_and_no_buttons(tab: Page) -> None:
    tab.emulate_media(media="print")
    assert open_count(tab) == 0  # CSS (::details-content) shows them, not the script
    load_every_picture(tab)
    for stretch in tab.locator("details.stretch").all():
        expect(stretch.locator(".how li").last).to_be_visible()
        picture = stretch.locator("img")
        expect(picture).to_be_visible()
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    for hidden in ("button", "nav", ".site-header"):
        for element in tab.locator(hidden).all():
            expect(element).to_be_hidden()
    assert tab.evaluate("getComputedStyle(document.querySelector('details.stretch')).breakInside") == "avoid"


def test_the_before_print_fallback_opens_every_stretch_and_afterwards_restores_them(tab: Page) -> None:
    tab.locator("#wall-slides > summary").click()
    tab.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert open_count(tab) == STRETCHES
    tab.evaluate("dispatchEvent(new Event('afterprint'))")
    assert tab.locator("details.stretch[open]").evaluate_all("all => all.map(d => d.id)") == ["wall-slides"]
    expect(tab.get_by_role("button", name="Show all")).to_be_visible()


def test_print_button_prints(tab: Page) -> None:
    tab.evaluate("window.print = () => { window.printed = true; }")
    tab.get_by_role("button", name="Print this routine").click()
    assert tab.evaluate("window.printed") is True


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_horizontal_scroll_on_a_320px_phone(new_tab, shipped_bundle: Served, scheme: str) -> None:
    tab = new_tab(shipped_bundle.url, viewport={"width": 320, "height": 640}, color_scheme=scheme)
    tab.get_by_role("button", name="Show all").click()
    load_every_picture(tab)
    assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_without_javascript_every_stretch_opens_and_no_button_shows(new_tab, shipped_bundle: Served) -> None:
    tab = new_tab(shipped_bundle.url, java_script_enabled=False)
    expect(tab.locator(SUMMARY).first).to_be_visible()
    for button in tab.locator("button").all():
        expect(button).to_be_hidden()
    assert tab.locator("[data-tools]").bounding_box() is None  # not even an empty gap where they were
    for summary in tab.locator(SUMMARY).all():
        summary.click()
    assert open_count(tab) == STRETCHES
    load_every_picture(tab)
    for stretch in tab.locator("details.stretch").all():
        expect(stretch.locator("img")).to_be_visible()


def test_touch_targets_are_at_least_24px(tab: Page) -> None:
    targets = tab.locator(f"{SUMMARY}, button, .contents a, .cta a").all()
    assert len(targets) > STRETCHES
    for target in targets:
        box = target.bounding_box()
        assert box and box["width"] >= 24 and box["height"] >= 24, target.inner_text()


def test_text_is_at_least_16px_and_lines_at_most_75_characters(tab: Page) -> None:
    tab.get_by_role("button", name="Show all").click()
    smallest = tab.evaluate("""() => Math.min(...[...document.querySelectorAll('main *, footer *')]
        .filter(el => el.checkVisibility() && [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
        .map(el => parseFloat(getComputedStyle(el).fontSize)))""")
    assert smallest >= 16
    widest, limit = tab.evaluate("""() => {
        const ruler = document.createElement('span');
        ruler.style.cssText = 'display:inline-block;width:75ch';
        const intro = document.querySelector('.intro p');
        intro.append(ruler);
        const limit = ruler.getBoundingClientRect().width;
        ruler.remove();
        return [Math.max(...[...document.querySelectorAll('main p, main li')]
            .map(el => el.getBoundingClientRect().width)), limit];
    }""")
    assert widest <= limit


def test_pictures_have_their_files_size_and_are_never_lazy(tab: Page) -> None:
    tab.get_by_role("button", name="Show all").click()
    load_every_picture(tab)
    pictures = tab.locator("details.stretch img").evaluate_all("""all => all.map(img => ({
        loading: img.getAttribute('loading'), alt: img.alt,
        declared: [img.getAttribute('width'), img.getAttribute('height')].map(Number),
        natural: [img.naturalWidth, img.naturalHeight]}))""")
    assert len(pictures) == STRETCHES
    for picture in pictures:
        # lazy until the page has loaded, then every one loads: a first visit's print has them all
        assert picture["loading"] == "eager" and len(picture["alt"]) > 20
        assert picture["declared"] == picture["natural"]


def test_nothing_moves_when_a_slow_script_arrives_after_the_first_paint(blank: Page, shipped_bundle: Served) -> None:
    """A slow phone paints the page before relief.js runs: what the script shows or adds must
    not move what the reader already sees."""
    held = []
    blank.route("**/*.js", lambda route: held.append(route))
    blank.add_init_script("""window.shifts = [];
        new PerformanceObserver(list => { for (const e of list.getEntries()) window.shifts.push(e.value); })
            .observe({type: 'layout-shift', buffered: true});""")
    blank.goto(shipped_bundle.url, wait_until="commit")
    blank.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
    expect(blank.locator("[data-tools]")).to_be_hidden()
    for route in held:
        route.continue_()
    expect(blank.get_by_role("button", name="Show all")).to_be_visible()
    blank.evaluate("() => new Promise(requestAnimationFrame)")
    assert blank.evaluate("window.shifts") == []


def test_reduced_motion_turns_off_the_chevron_animation(tab: Page) -> None:
    chevron = "getComputedStyle(document.querySelector('details.stretch > summary'), '::before').transitionDuration"
    assert tab.evaluate(chevron) != "0s"
    tab.emulate_media(reduced_motion="reduce")
    assert tab.evaluate(chevron) == "0s"


def test_no_request_leaves_the_local_server(blank: Page, shipped_bundle: Served) -> None:
    hosts: list[str] = []
    blank.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
    blank.goto(shipped_bundle.url)
    blank.get_by_role("button", name="Show all").click()
    load_every_picture(blank)
    blank.goto(shipped_bundle.url + "no-such-page/")
    assert len(hosts) > STRETCHES
    assert set(hosts) == {urlsplit(shipped_bundle.url).netloc}
