"""The guided routine in a real browser (Chromium), with the page's clock under the test's control.

Each test installs Playwright's fake clock before the page loads and keeps it paused, so a
countdown moves only when the test runs the clock forward: no real waiting, no timing races.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import Served
from playwright.sync_api import Locator, Page, expect
from test_validators import AXE_TAGS

MORNING = datetime(2026, 3, 2, 9, 0, 0)
TIMEOUT_MS = 10_000  # a broken page fails in seconds instead of waiting for Playwright's 30 s
SITTING = ["Seated posture reset", "Seated elbow circles", "Belly vacuum with overhead reach",
           "Seated hands-behind-head brace"]
EXTRA = "Towel roll between the shoulder blades"

# Stand-ins that record what the page asks of the device: the real ones are refused or silent
# in a headless browser, and a test must see each request and release.
DEVICE_RECORDER = """
window.locks = [];
Object.defineProperty(navigator, 'wakeLock', {value: {request(type) {
    const lock = {type, released: false, release() { this.released = true; return Promise.resolve(); }};
    window.locks.push(lock);
    return Promise.resolve(lock);
}}});
window.buzzes = [];
navigator.vibrate = ms => { window.buzzes.push(ms); return true; };
window.beeps = 0;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.beeps += 1; return createOscillator.call(this); };
"""


@pytest.fixture
def tab(page: Page, shipped_bundle: Served) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.clock.install(time=MORNING)
    page.clock.pause_at(MORNING + timedelta(seconds=1))
    page.add_init_script(DEVICE_RECORDER)
    page.goto(shipped_bundle.url)
    return page


def start(tab: Page, group: str) -> Locator:
    tab.locator(f"#{group}").get_by_role("button", name="Start routine").click()
    dialog = tab.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def expect_stretch(dialog: Locator, number: int, name: str, seconds: int) -> None:
    expect(dialog.get_by_role("heading", level=2)).to_have_text(name)
    expect(dialog).to_contain_text(f"Stretch {number} of 4")
    expect(dialog.locator(".routine-clock")).to_have_text(f"{seconds} seconds")


def test_the_sitting_routine_counts_down_moves_on_by_itself_and_ends_offering_the_extra(tab: Page) -> None:
    dialog = start(tab, "sitting")
    expect(dialog).to_have_accessible_name("Routine: If sitting, do these — takes 2 minutes")
    expect_stretch(dialog, 1, SITTING[0], 30)
    picture_on_page = tab.locator("#seated-posture-reset img")
    expect(dialog.locator("img")).to_have_attribute("alt", picture_on_page.get_attribute("alt") or "no alt")
    expect(dialog.locator(".how li").first).to_have_text("Clasp arms behind back to emphasize good posture.")
    tab.clock.run_for(10_000)
    expect(dialog.locator(".routine-clock")).to_have_text("20 seconds")
    tab.clock.run_for(20_000)
    expect_stretch(dialog, 2, SITTING[1], 30)
    tab.clock.run_for(30_000)
    expect_stretch(dialog, 3, SITTING[2], 5)  # hold 5 seconds, 4 times: one countdown per repetition
    expect(dialog).to_contain_text("Hold 5 seconds, 4 times")
    expect(dialog).to_contain_text("Repetition 1 of 4")
    tab.clock.run_for(2_000)
    expect(dialog.locator(".routine-clock")).to_have_text("3 seconds")
    tab.clock.run_for(3_000)
    expect(dialog).to_contain_text("Repetition 2 of 4")
    expect(dialog.locator(".routine-clock")).to_have_text("5 seconds")
    tab.clock.run_for(15_000)
    expect_stretch(dialog, 4, SITTING[3], 30)
    tab.clock.run_for(30_000)
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Routine done")
    expect(dialog.get_by_role("heading", level=3)).to_have_text("Add this whenever sitting")
    for control in ("Back", "Pause", "Next"):
        expect(dialog.get_by_role("button", name=control)).to_be_hidden()
    show_extra = dialog.get_by_role("button", name=f"Show: {EXTRA}")
    expect(show_extra).to_be_focused()
    show_extra.click()
    expect(dialog).to_be_hidden()
    expect(tab.locator("#towel-roll-support")).to_have_attribute("open", "")
    expect(tab.locator("#towel-roll-support > summary")).to_be_focused()


def test_a_group_without_an_extra_ends_with_a_close_button(tab: Page) -> None:
    dialog = start(tab, "standing")
    for _ in range(5):
        dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Routine done")
    expect(dialog.get_by_role("heading", level=3)).to_have_count(0)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(tab.locator("#standing").get_by_role("button", name="Start routine")).to_be_focused()


def test_pause_stops_the_countdown_and_resume_goes_on_from_there(tab: Page) -> None:
    dialog = start(tab, "sitting")
    clock = dialog.locator(".routine-clock")
    tab.clock.run_for(5_000)
    expect(clock).to_have_text("25 seconds")
    tab.keyboard.press(" ")  # focus starts on Pause
    expect(dialog.get_by_role("button", name="Resume")).to_be_focused()
    tab.clock.run_for(60_000)
    expect_stretch(dialog, 1, SITTING[0], 25)
    dialog.get_by_role("button", name="Resume").click()
    tab.clock.run_for(5_000)
    expect(clock).to_have_text("20 seconds")
    tab.evaluate("document.activeElement.blur()")  # Space pauses from anywhere in the dialog
    tab.keyboard.press(" ")
    tab.clock.run_for(60_000)
    expect(clock).to_have_text("20 seconds")
    expect(dialog.get_by_role("button", name="Resume")).to_be_visible()


def test_next_and_back_and_the_arrow_keys_move_between_stretches(tab: Page) -> None:
    dialog = start(tab, "sitting")
    tab.clock.run_for(10_000)
    dialog.get_by_role("button", name="Next").click()
    expect_stretch(dialog, 2, SITTING[1], 30)
    tab.keyboard.press("ArrowRight")
    expect_stretch(dialog, 3, SITTING[2], 5)
    tab.keyboard.press("ArrowLeft")
    expect_stretch(dialog, 2, SITTING[1], 30)
    dialog.get_by_role("button", name="Back").click()
    dialog.get_by_role("button", name="Back").click()  # on the first stretch: starts it again
    expect_stretch(dialog, 1, SITTING[0], 30)
    tab.clock.run_for(1_000)
    expect(dialog.locator(".routine-clock")).to_have_text("29 seconds")  # and the countdown runs on


def test_escape_and_stop_end_the_routine_and_return_focus_to_its_button(tab: Page) -> None:
    button = tab.locator("#lying-down").get_by_role("button", name="Start routine")
    dialog = start(tab, "lying-down")
    expect(dialog.get_by_role("button", name="Pause")).to_be_focused()  # focus moved into the dialog
    tab.clock.run_for(5_000)
    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    tab.clock.run_for(300_000)  # nothing still counting behind the closed dialog
    expect(dialog).to_be_hidden()
    expect(tab.locator("#lying-down .routine-done")).to_have_count(0)
    start(tab, "lying-down").get_by_role("button", name="Stop").click()
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()


def test_the_live_region_announces_each_step_and_the_last_three_seconds(tab: Page) -> None:
    dialog = start(tab, "sitting")
    live = dialog.locator("[aria-live=polite]")
    expect(live).to_have_text("Stretch 1 of 4: Seated posture reset. 30 seconds.")
    # Every text the region is given, in order (each announcement replaces the region's text).
    live.evaluate("""region => { window.heard = [];
        new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => window.heard.push(n.data))))
            .observe(region, {childList: true}); }""")
    tab.clock.run_for(35_000)
    dialog.get_by_role("button", name="Pause").click()
    assert tab.evaluate("window.heard") == [
        "3", "2", "1", "Stretch 2 of 4: Seated elbow circles. 30 seconds.", "Paused."]
    tab.evaluate("window.heard = []")
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_role("button", name="Resume").click()
    tab.clock.run_for(5_000)
    assert tab.evaluate("window.heard") == [
        "Stretch 3 of 4: Belly vacuum with overhead reach. Hold 5 seconds, 4 times.", "Resumed.",
        "3", "2", "1", "Repetition 2 of 4."]


def assert_no_axe_violation(tab: Page) -> None:
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_with_the_routine_open_and_at_its_end(tab: Page, scheme: str) -> None:
    tab.emulate_media(color_scheme=scheme)
    dialog = start(tab, "sitting")
    tab.clock.run_for(30_000 + 30_000 + 4 * 5_000 - 2_000)  # on a hold, in its last seconds
    dialog.get_by_role("button", name="Pause").click()
    tab.clock.resume()  # axe-core waits on timers of its own; the paused routine stays where it is
    assert_no_axe_violation(tab)
    for _ in range(2):
        dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Routine done")
    assert_no_axe_violation(tab)


def test_without_javascript_there_is_no_routine_button_and_every_stretch_still_opens(
        browser, shipped_bundle: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(shipped_bundle.url)
        expect(tab.locator(".routine-start")).to_have_count(3)  # the places are there, empty
        expect(tab.get_by_role("button")).to_have_count(0)
        for summary in tab.locator("details.stretch > summary").all():
            summary.click()
        expect(tab.locator("details.stretch:not([open])")).to_have_count(0)
    finally:
        context.close()


def test_done_today_appears_after_a_completed_routine_survives_a_reload_and_clear_removes_it(tab: Page) -> None:
    done = tab.locator("#sitting .routine-done")
    expect(done).to_have_count(0)
    start(tab, "sitting")
    tab.clock.run_for(120_000)
    tab.keyboard.press("Escape")
    expect(done).to_have_text("Done today Clear")
    tab.reload()
    expect(done).to_have_text("Done today Clear")
    expect(tab.locator(".routine-done")).to_have_count(1)  # only the group that was done
    assert tab.evaluate("Object.keys(localStorage)") == ["relief-done:middle-back-relief:sitting"]
    done.get_by_role("button", name="Clear").click()
    expect(done).to_have_count(0)
    expect(tab.locator("#sitting").get_by_role("button", name="Start routine")).to_be_focused()
    tab.reload()
    expect(done).to_have_count(0)


def test_done_today_is_gone_the_next_day(tab: Page) -> None:
    start(tab, "sitting")
    tab.clock.run_for(120_000)
    tab.keyboard.press("Escape")
    tab.clock.pause_at(MORNING + timedelta(days=1))
    tab.reload()
    expect(tab.locator("#sitting").get_by_role("button", name="Start routine")).to_be_visible()
    expect(tab.locator(".routine-done")).to_have_count(0)


def test_the_screen_stays_awake_only_while_counting(tab: Page) -> None:
    dialog = start(tab, "sitting")
    assert tab.evaluate("window.locks.map(lock => [lock.type, lock.released])") == [["screen", False]]
    dialog.get_by_role("button", name="Pause").click()
    assert tab.evaluate("window.locks.map(lock => lock.released)") == [True]
    dialog.get_by_role("button", name="Resume").click()
    assert tab.evaluate("window.locks.map(lock => lock.released)") == [True, False]
    tab.keyboard.press("Escape")
    expect(tab.locator("#sitting").get_by_role("button", name="Start routine")).to_be_focused()  # closed
    assert tab.evaluate("window.locks.map(lock => lock.released)") == [True, True]


def test_sound_and_vibration_are_off_until_ticked_then_mark_each_change(tab: Page) -> None:
    dialog = start(tab, "sitting")
    sound = dialog.get_by_label("Beep and vibrate at each change")
    expect(sound).not_to_be_checked()
    tab.clock.run_for(30_000)
    dialog.get_by_role("button", name="Next").click()
    assert tab.evaluate("[window.buzzes, window.beeps]") == [[], 0]
    sound.check()
    dialog.get_by_role("button", name="Next").click()  # stretch 4
    tab.clock.run_for(30_000)  # the end
    assert tab.evaluate("[window.buzzes.length, window.beeps]") == [2, 2]


def test_the_last_seconds_pulse_unless_reduced_motion_is_asked_for(tab: Page) -> None:
    dialog = start(tab, "sitting")
    seconds = dialog.locator(".routine-seconds")
    expect(seconds).to_have_css("animation-name", "none")
    tab.clock.run_for(27_000)
    expect(seconds).to_have_css("animation-name", "routine-pulse")
    tab.emulate_media(reduced_motion="reduce")
    expect(seconds).to_have_css("animation-name", "none")
