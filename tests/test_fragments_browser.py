"""relief.js survives any URL fragment: one that is not valid percent-encoding, a cut-off one, a very
long one. Each is what a link in a message or a pasted address can carry (issue 13)."""

from __future__ import annotations

import pytest
from conftest import Served
from playwright.sync_api import Page, expect

FRAGMENTS = {
    "percent-sign": "#100%",
    "cut-off-utf8": "#%E0%A4%A",
    "bad-escape": "#%zz%",
    "lone-surrogate": "#%ED%A0%80",
    "very-long": "#" + "a%" * 50_000,
    "script-like": "#<img src=x onerror=alert(1)>",
}


def errors_of(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("fragment", FRAGMENTS.values(), ids=FRAGMENTS.keys())
def test_any_fragment_leaves_every_script_of_the_page_working(page: Page, shipped_bundle: Served,
                                                              fragment: str) -> None:
    errors = errors_of(page)
    page.goto(shipped_bundle.url + fragment)
    expect(page.get_by_role("button", name="Show all")).to_be_visible()  # the page tools ran
    expect(page.get_by_role("button", name="Start routine")).to_have_count(3)  # and the routine
    page.get_by_role("button", name="Show all").click()
    expect(page.locator("details.stretch:not([open])")).to_have_count(0)
    assert errors == []


def test_a_bad_fragment_after_loading_changes_nothing_and_a_good_one_still_opens(page: Page,
                                                                                  shipped_bundle: Served) -> None:
    errors = errors_of(page)
    page.goto(shipped_bundle.url)
    for fragment in FRAGMENTS.values():
        page.evaluate("fragment => { location.hash = fragment; }", fragment)
    page.evaluate("location.hash = '#glute%2Dbridge'")  # percent-encoded, as some mail programs send it
    expect(page.locator("#glute-bridge")).to_have_attribute("open", "")
    expect(page.locator("details.stretch[open]")).to_have_count(1)
    assert errors == []
