"""The guided routine in a real browser (Chromium), with the page's clock under the test's control.

Each test installs Playwright's fake clock before the page loads and keeps it paused, so a
countdown moves only when the test runs the clock forward: no real waiting, no timing races.
Where the voice matters, a recording stand-in for ``speechSynthesis`` keeps every line the
page says (a headless browser has no voice to hear).
"""

from __future__ import annotations

import json
import re
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
GROUPS = ["sitting", "lying-down", "standing"]

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
# A voice for English that writes down what it is asked to say (and in which language, with which voice).
VOICE_RECORDER = """
window.said = [];
const recorder = {name: 'Recorder', lang: 'en-GB', default: true, localService: true, voiceURI: 'recorder'};
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.lang = ''; this.voice = null; } };
Object.defineProperty(window, 'speechSynthesis', {value: {
    speaking: false, pending: false, paused: false,
    getVoices() { return [recorder]; },
    speak(utterance) { window.said.push([utterance.text, utterance.lang, utterance.voice && utterance.voice.name]); },
    cancel() {}, addEventListener() {}, removeEventListener() {},
}});
"""
NO_VOICE = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"


def open_page(page: Page, bundle: Served, *scripts: str) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.clock.install(time=MORNING)
    page.clock.pause_at(MORNING + timedelta(seconds=1))
    for script in (DEVICE_RECORDER, *scripts):
        page.add_init_script(script)
    page.goto(bundle.url)
    return page


@pytest.fixture
def tab(page: Page, shipped_bundle: Served) -> Page:
    return open_page(page, shipped_bundle, VOICE_RECORDER)


def start(tab: Page, group: str) -> Locator:
    tab.locator(f"#{group}").get_by_role("button", name="Start routine").click()
    dialog = tab.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def expect_step(dialog: Locator, say: str, seconds: int, detail: str | None = None) -> None:
    expect(dialog.locator(".routine-say")).to_have_text(say)
    expect(dialog.locator(".routine-clock")).to_have_text(f"{seconds} second{'s' if seconds != 1 else ''}")
    if detail is not None:
        expect(dialog.locator(".routine-rep")).to_have_text(detail)


def expect_stretch(dialog: Locator, number: int, of: int, name: str) -> None:
    expect(dialog.get_by_role("heading", level=2)).to_have_text(name)
    expect(dialog.locator(".routine-where")).to_contain_text(f"Stretch {number} of {of}")


def said(tab: Page) -> list[str]:
    return [text for text, _, _ in tab.evaluate("window.said")]


def plan(tab: Page, group: str) -> list[dict]:
    return json.loads(tab.locator(f"#{group} [data-routine-plan]").text_content() or "[]")


def test_the_sitting_routine_gives_time_to_get_ready_holds_rests_and_ends_offering_the_extra(tab: Page) -> None:
    dialog = start(tab, "sitting")
    expect(dialog).to_have_accessible_name("Routine: If sitting, do these — takes 2 minutes")
    expect_stretch(dialog, 1, 4, SITTING[0])
    expect_step(dialog, "Sit on a chair.", 20, "Next up: get ready")  # the first stretch: time to get there
    picture_on_page = tab.locator("#seated-posture-reset img")
    expect(dialog.locator("img")).to_have_attribute("alt", picture_on_page.get_attribute("alt") or "no alt")
    expect(dialog.locator(".how li").first).to_have_text("Clasp arms behind back to emphasize good posture.")
    tab.clock.run_for(20_000)
    expect_step(dialog, "Hold.", 10, "")
    tab.clock.run_for(10_000)
    expect_stretch(dialog, 2, 4, SITTING[1])
    expect_step(dialog, "Get into position.", 8)  # same position: a shorter time to get ready
    tab.clock.run_for(8_000)
    expect_step(dialog, "Start now.", 15)  # circling for a time, not a hold
    tab.clock.run_for(15_000 + 8_000)
    expect_stretch(dialog, 3, 4, SITTING[2])
    expect(dialog).to_contain_text("Hold 5 seconds, 4 times")
    expect_step(dialog, "Hold.", 5, "Repetition 1 of 4")
    tab.clock.run_for(5_000)
    expect_step(dialog, "Rest and breathe.", 5, "Then: repetition 2 of 4")  # a breath between the holds
    tab.clock.run_for(5_000)
    expect_step(dialog, "Hold.", 5, "Repetition 2 of 4")
    tab.clock.run_for(5 * 5_000 + 8_000)
    expect_stretch(dialog, 4, 4, SITTING[3])
    expect_step(dialog, "Hold.", 15)
    tab.clock.run_for(15_000)
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


def test_getting_into_position_takes_longer_when_the_position_changes(tab: Page) -> None:
    dialog = start(tab, "lying-down")
    expect_stretch(dialog, 1, 5, "All-fours shoulder blade squeeze")
    expect_step(dialog, "Get on all fours.", 20)
    tab.clock.run_for(20_000 + 10_000 + 5_000 + 10_000)  # hold, rest, hold
    expect_stretch(dialog, 2, 5, "Lying elbow press in three hand positions")
    expect_step(dialog, "Lie on your back.", 20)  # from all fours onto the back: 20 seconds
    tab.clock.run_for(20_000 + 3 * 10_000 + 2 * 4_000)
    expect_stretch(dialog, 3, 5, "Lying overhead arm lower")
    expect_step(dialog, "Get into position.", 8)  # still on the back: 8 seconds
    tab.clock.run_for(8_000 + 15_000)
    expect_stretch(dialog, 4, 5, "Face-down arm rest at three angles")
    expect_step(dialog, "Lie on your stomach.", 20)
    tab.clock.run_for(20_000 + 3 * 10_000 + 2 * 4_000)
    expect_stretch(dialog, 5, 5, "Glute bridge")
    expect_step(dialog, "Lie on your back.", 20)


def test_a_stretch_of_several_positions_cues_each_move_and_holds_each(tab: Page) -> None:
    dialog = start(tab, "lying-down")
    dialog.get_by_role("button", name="Next").click()
    expect_stretch(dialog, 2, 5, "Lying elbow press in three hand positions")
    expect(dialog.locator(".routine-dose")).to_have_text("Hold 10 seconds each: forearms up, hands flat, palms up")
    tab.clock.run_for(20_000)
    expect_step(dialog, "Hold.", 10, "forearms up")
    tab.clock.run_for(10_000)
    expect_step(dialog, "Now place your hands flat on the ground and press your elbows.", 4, "")
    tab.clock.run_for(4_000)
    expect_step(dialog, "Hold.", 10, "hands flat")
    tab.clock.run_for(10_000)
    expect_step(dialog, "Now turn your palms up and press.", 4)
    tab.clock.run_for(4_000)
    expect_step(dialog, "Hold.", 10, "palms up")


def test_a_stretch_done_on_each_side_says_when_to_change_sides(tab: Page) -> None:
    dialog = start(tab, "standing")
    for _ in range(3):
        dialog.get_by_role("button", name="Next").click()
    expect_stretch(dialog, 4, 5, "Heel press at three angles")
    expect(dialog.locator(".routine-dose")).to_have_text("Hold 8 seconds each: toe up, toe out, toe in; each side")
    expect(dialog).to_contain_text("For balance, hold a chair or wall.")
    expect_step(dialog, "Right side first.", 8)
    tab.clock.run_for(8_000)
    expect_step(dialog, "Hold.", 8, "toe up · Right side")
    tab.clock.run_for(3 * 8_000 + 2 * 4_000)
    expect_step(dialog, "Now the left side.", 5, "Left side")
    tab.clock.run_for(5_000)
    expect_step(dialog, "Hold.", 8, "toe up · Left side")
    tab.clock.run_for(8_000)
    expect_step(dialog, "Now turn your toe outward 45 degrees.", 4, "Left side")


@pytest.mark.parametrize("group", GROUPS)
def test_each_routine_ends_when_its_plan_does_within_5_percent_of_its_label(tab: Page, group: str) -> None:
    heading = tab.locator(f"#{group} > h2").text_content() or ""
    label = re.search(r"takes (\d+) minutes?$", heading.strip())
    assert label, heading
    seconds = sum(segment["seconds"] for segment in plan(tab, group))
    assert abs(seconds - 60 * int(label.group(1))) <= 0.05 * 60 * int(label.group(1))
    dialog = start(tab, group)
    tab.clock.run_for((seconds - 1) * 1_000)
    expect(dialog.locator(".routine-clock")).to_have_text("1 second")  # the last second of the last hold
    expect(dialog.get_by_role("heading", level=2)).not_to_have_text("Routine done")
    tab.clock.run_for(1_000)
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Routine done")


def test_the_voice_says_each_step_the_last_three_seconds_and_well_done_in_the_pages_language(tab: Page) -> None:
    dialog = start(tab, "sitting")
    tab.clock.run_for(20_000 + 10_000 + 8_000 + 15_000 + 8_000 + 5_000 + 1_000)
    assert said(tab) == [
        "First: Seated posture reset. Sit on a chair. Clasp arms behind back to emphasize good posture.",
        "3", "2", "1", "Hold.", "3", "2", "1",
        "Next: Seated elbow circles. Elbows bent with arms raised in a \u201cstick\u2019em up\u201d position.",
        "3", "2", "1", "Start now.", "3", "2", "1",
        "Next: Belly vacuum with overhead reach. With focused breathing, blow out as much air as possible while "
        "pulling your belly in as close to your spine as you can.",
        "3", "2", "1", "Hold.", "3", "2", "1", "Rest and breathe."]
    assert {(lang, voice) for _, lang, voice in tab.evaluate("window.said")} == {("en", "Recorder")}
    dialog.get_by_role("button", name="Pause").click()
    for _ in range(2):
        dialog.get_by_role("button", name="Next").click()
    assert said(tab)[-3:] == ["Paused.", "Next: Seated hands-behind-head brace. Hands on the back of the head.",
                              "Well done. Add this whenever sitting: Towel roll between the shoulder blades."]


def test_the_voice_toggle_is_remembered_on_the_device(tab: Page) -> None:
    dialog = start(tab, "sitting")
    voice = dialog.get_by_label("Speak the steps")
    expect(voice).to_be_checked()  # on from the press of Start
    voice.uncheck()
    tab.clock.run_for(30_000)
    assert said(tab) == ["First: Seated posture reset. Sit on a chair. Clasp arms behind back to emphasize good "
                         "posture."]  # nothing after it was turned off
    tab.keyboard.press("Escape")
    assert tab.evaluate("localStorage.getItem('relief-voice')") == "off"
    tab.reload()
    dialog = start(tab, "standing")
    expect(dialog.get_by_label("Speak the steps")).not_to_be_checked()
    assert said(tab) == []
    dialog.get_by_label("Speak the steps").check()
    dialog.get_by_role("button", name="Next").click()
    assert said(tab) == ["Next: Wall slides. Arms pointing upward, elbows bent 90 degrees."]
    assert tab.evaluate("localStorage.getItem('relief-voice')") is None


def test_without_a_voice_there_is_no_voice_toggle_and_beeps_are_on(page: Page, shipped_bundle: Served) -> None:
    tab = open_page(page, shipped_bundle, NO_VOICE)
    dialog = start(tab, "sitting")
    expect(dialog.get_by_label("Speak the steps")).to_be_hidden()
    expect(dialog.get_by_label("Beep and vibrate at each change")).to_be_checked()
    tab.clock.run_for(20_000)  # into the first hold
    assert tab.evaluate("[window.buzzes.length, window.beeps]") == [2, 2]


def test_the_live_region_announces_each_step_and_the_last_three_seconds(tab: Page) -> None:
    dialog = start(tab, "sitting")
    live = dialog.locator("[aria-live=polite]")
    expect(live).to_have_text("First: Seated posture reset. Sit on a chair. Clasp arms behind back to emphasize "
                              "good posture.")
    # Every text the region is given, in order (each announcement replaces the region's text).
    live.evaluate("""region => { window.heard = [];
        new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => window.heard.push(n.data))))
            .observe(region, {childList: true}); }""")
    tab.clock.run_for(20_000)
    dialog.get_by_role("button", name="Pause").click()
    assert tab.evaluate("window.heard") == ["3", "2", "1", "Hold.", "Paused."]
    tab.evaluate("window.heard = []")
    dialog.get_by_role("button", name="Resume").click()
    tab.clock.run_for(10_000)
    assert tab.evaluate("window.heard") == [
        "Resumed.", "3", "2", "1",
        "Next: Seated elbow circles. Elbows bent with arms raised in a \u201cstick\u2019em up\u201d position."]


def test_pause_stops_the_countdown_and_resume_goes_on_from_there(tab: Page) -> None:
    dialog = start(tab, "sitting")
    clock = dialog.locator(".routine-clock")
    tab.clock.run_for(5_000)
    expect(clock).to_have_text("15 seconds")
    tab.keyboard.press(" ")  # focus starts on Pause
    expect(dialog.get_by_role("button", name="Resume")).to_be_focused()
    tab.clock.run_for(60_000)
    expect(clock).to_have_text("15 seconds")
    dialog.get_by_role("button", name="Resume").click()
    tab.clock.run_for(5_000)
    expect(clock).to_have_text("10 seconds")
    tab.evaluate("document.activeElement.blur()")  # Space pauses from anywhere in the dialog
    tab.keyboard.press(" ")
    tab.clock.run_for(60_000)
    expect(clock).to_have_text("10 seconds")
    expect(dialog.get_by_role("button", name="Resume")).to_be_visible()


def test_next_and_back_and_the_arrow_keys_move_between_stretches(tab: Page) -> None:
    dialog = start(tab, "sitting")
    tab.clock.run_for(25_000)  # into the first hold
    dialog.get_by_role("button", name="Next").click()
    expect_stretch(dialog, 2, 4, SITTING[1])
    expect_step(dialog, "Get into position.", 8)
    tab.keyboard.press("ArrowRight")
    expect_stretch(dialog, 3, 4, SITTING[2])
    tab.keyboard.press("ArrowLeft")
    expect_stretch(dialog, 2, 4, SITTING[1])
    dialog.get_by_role("button", name="Back").click()
    dialog.get_by_role("button", name="Back").click()  # on the first stretch: starts it again
    expect_stretch(dialog, 1, 4, SITTING[0])
    expect_step(dialog, "Sit on a chair.", 20)
    tab.clock.run_for(1_000)
    expect(dialog.locator(".routine-clock")).to_have_text("19 seconds")  # and the countdown runs on


def test_a_group_without_an_extra_ends_with_a_close_button(tab: Page) -> None:
    dialog = start(tab, "standing")
    for _ in range(5):
        dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Routine done")
    expect(dialog.get_by_role("heading", level=3)).to_have_count(0)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(tab.locator("#standing").get_by_role("button", name="Start routine")).to_be_focused()


def test_escape_and_stop_end_the_routine_and_return_focus_to_its_button(tab: Page) -> None:
    button = tab.locator("#lying-down").get_by_role("button", name="Start routine")
    dialog = start(tab, "lying-down")
    expect(dialog.get_by_role("button", name="Pause")).to_be_focused()  # focus moved into the dialog
    tab.clock.run_for(5_000)
    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    count = len(said(tab))
    tab.clock.run_for(300_000)  # nothing still counting (or talking) behind the closed dialog
    expect(dialog).to_be_hidden()
    assert len(said(tab)) == count
    expect(tab.locator("#lying-down .routine-done")).to_have_count(0)
    start(tab, "lying-down").get_by_role("button", name="Stop").click()
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()


def assert_no_axe_violation(tab: Page) -> None:
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_with_the_routine_open_and_at_its_end(tab: Page, scheme: str) -> None:
    tab.emulate_media(color_scheme=scheme)
    dialog = start(tab, "sitting")
    tab.clock.run_for(20_000 + 10_000 + 8_000 + 15_000 + 8_000 + 5_000 + 3_000)  # resting, in its last seconds
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
        expect(tab.get_by_role("dialog")).to_have_count(0)  # the dialog stays in its inert template
        for summary in tab.locator("details.stretch > summary").all():
            summary.click()
        expect(tab.locator("details.stretch:not([open])")).to_have_count(0)
    finally:
        context.close()


def test_a_browser_that_cannot_run_the_routine_gets_no_button_but_keeps_the_page_tools(
        page: Page, shipped_bundle: Served) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tab = open_page(page, shipped_bundle, "delete HTMLDialogElement.prototype.showModal;")
    expect(tab.get_by_role("button", name="Show all")).to_be_visible()
    expect(tab.get_by_role("button", name="Start routine")).to_have_count(0)
    assert errors == []


def finish(tab: Page, group: str) -> None:
    start(tab, group)
    tab.clock.run_for(sum(segment["seconds"] for segment in plan(tab, group)) * 1_000)
    tab.keyboard.press("Escape")


def test_done_today_appears_after_a_completed_routine_survives_a_reload_and_clear_removes_it(tab: Page) -> None:
    done = tab.locator("#sitting .routine-done")
    expect(done).to_have_count(0)
    finish(tab, "sitting")
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
    expect(tab.locator("#sitting .routine-week")).to_have_count(0)


def test_the_last_seven_days_done_show_beside_done_today_and_older_days_drop_off(tab: Page) -> None:
    week = tab.locator("#sitting .routine-week")
    finish(tab, "sitting")  # Monday 2 March
    expect(week).to_have_text("Last 7 days: 1 of 7 TWTFSSM")
    tab.clock.pause_at(MORNING + timedelta(days=2))
    tab.reload()
    expect(tab.locator("#sitting .routine-done")).to_have_count(0)  # not today
    expect(week).to_have_text("Last 7 days: 1 of 7 TFSSMTW")
    finish(tab, "sitting")  # Wednesday
    expect(week).to_contain_text("Last 7 days: 2 of 7")
    expect(week.locator("[data-done]")).to_have_count(2)
    assert tab.evaluate("localStorage.getItem('relief-done:middle-back-relief:sitting')") == \
        '["2026-03-02","2026-03-04"]'
    tab.clock.pause_at(MORNING + timedelta(days=7))  # Monday a week on: the first Monday is eight days back
    tab.reload()
    expect(week).to_contain_text("Last 7 days: 1 of 7")
    tab.clock.pause_at(MORNING + timedelta(days=11))
    tab.reload()
    expect(week).to_have_count(0)
    expect(tab.locator("#lying-down .routine-week")).to_have_count(0)  # each group its own days


def test_the_screen_stays_awake_only_while_counting(tab: Page) -> None:
    dialog = start(tab, "sitting")
    assert tab.evaluate("window.locks.map(lock => [lock.type, lock.released])") == [["screen", False]]
    dialog.get_by_role("button", name="Pause").click()
    assert tab.evaluate("window.locks.map(lock => lock.released)") == [True]
    dialog.get_by_role("button", name="Resume").click()
    assert tab.evaluate("window.locks.map(lock => lock.released)") == [True, False]
    tab.keyboard.press("Escape")
    expect(tab.locator("#sitting").get_by_role("button", name="Start routine")).to_be_focused()  # closed
    # the dialog's close event comes after the focus moves: wait for it (a bound, not a timing assertion)
    tab.wait_for_function("JSON.stringify(window.locks.map(lock => lock.released)) === '[true,true]'", timeout=5000)
    assert tab.evaluate("window.locks.map(lock => lock.released)") == [True, True]


def test_with_a_voice_beeps_are_off_until_ticked_then_mark_each_change_and_are_remembered(tab: Page) -> None:
    dialog = start(tab, "sitting")
    sound = dialog.get_by_label("Beep and vibrate at each change")
    expect(sound).not_to_be_checked()
    tab.clock.run_for(20_000)
    dialog.get_by_role("button", name="Next").click()
    assert tab.evaluate("[window.buzzes, window.beeps]") == [[], 0]
    sound.check()
    dialog.get_by_role("button", name="Next").click()  # stretch 3: one change
    tab.clock.run_for(8_000)  # its first hold: another
    assert tab.evaluate("[window.buzzes.length, window.beeps]") == [2, 2]
    tab.keyboard.press("Escape")
    tab.reload()
    expect(start(tab, "sitting").get_by_label("Beep and vibrate at each change")).to_be_checked()


def test_the_last_seconds_pulse_unless_reduced_motion_is_asked_for(tab: Page) -> None:
    dialog = start(tab, "sitting")
    seconds = dialog.locator(".routine-seconds")
    expect(seconds).to_have_css("animation-name", "none")
    tab.clock.run_for(17_000)
    expect(seconds).to_have_css("animation-name", "routine-pulse")
    tab.emulate_media(reduced_motion="reduce")
    expect(seconds).to_have_css("animation-name", "none")


# ---- Floor mode: readable from two metres, everything needed on one phone screen ----

def font_px(locator: Locator) -> float:
    return float(locator.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))


@pytest.mark.parametrize(("width", "height"), [(390, 844), (844, 390)], ids=["portrait", "landscape"])
def test_on_a_phone_the_picture_countdown_instruction_and_controls_fit_one_screen(
        page: Page, shipped_bundle: Served, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    tab = open_page(page, shipped_bundle, VOICE_RECORDER)
    dialog = start(tab, "lying-down")
    # the longest words on screen: the first stretch's name, then the longest cue of the page
    moments = [0, 20_000 + 25_000 + 20_000 + 3 * 10_000 + 2 * 4_000 + 8_000 + 15_000 + 20_000 + 2 * 10_000 + 4_000]
    for ms in moments:
        tab.clock.run_for(ms)
        parts = [dialog.locator(".routine-picture img"), dialog.locator(".routine-say"),
                 dialog.locator(".routine-seconds"), *dialog.locator(".routine-controls button").all()]
        for part in parts:
            box = part.bounding_box()
            assert box and box["width"] > 0 and box["y"] >= 0 and box["y"] + box["height"] <= height, part
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, part
        assert dialog.evaluate("node => node.scrollTop") == 0
        # large type: the countdown about a quarter of the short side, the instruction about a twelfth
        assert font_px(dialog.locator(".routine-seconds")) >= 0.2 * min(width, height)
        assert font_px(dialog.locator(".routine-say")) >= 0.065 * min(width, height)
    expect(dialog.locator(".routine-say")).to_have_text(
        "Now move your arms straight out from your body, at 90 degrees.")


def test_the_countdown_and_the_instruction_grow_with_the_screen(tab: Page) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    dialog = start(tab, "sitting")
    countdown, instruction = dialog.locator(".routine-seconds"), dialog.locator(".routine-say")
    phone = font_px(countdown), font_px(instruction)
    assert phone[0] >= 96  # digits about 17 mm tall on a 390 px phone: readable across a room
    tab.set_viewport_size({"width": 820, "height": 1180})  # a tablet
    tablet = font_px(countdown), font_px(instruction)
    assert tablet[0] > 1.8 * phone[0] and tablet[1] > 1.8 * phone[1]


def test_axe_finds_no_violation_in_floor_mode_on_a_phone(page: Page, shipped_bundle: Served) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    tab = open_page(page, shipped_bundle, VOICE_RECORDER)
    dialog = start(tab, "standing")
    dialog.get_by_role("button", name="Pause").click()
    tab.clock.resume()
    assert_no_axe_violation(tab)
