"""A right-to-left language lays out mirrored: a test page in Arabic (the test catalog tests/data/locales/ar,
not a shipped one) beside its English original, measured in Chromium."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator

import pytest
from conftest import ROOT, Served, make_tiny_site, serving, write
from playwright.sync_api import Page, expect

from relief.cli import main

pytestmark = pytest.mark.browser
ARABIC_CATALOG = ROOT / "tests/data/locales/ar"

ARABIC_PAGE = """---
title: تمارين الرقبة
description: تمارين لرقبة متيبسة.
groups:
  - id: sitting
    title: إذا كنت جالساً فقم بهذه
    extra_title: أضف هذا كلما جلست
disclaimer: |
  1. هذه ليست نصيحة طبية.
instructions: |
  1. قم بها كل يوم.
get_help:
  emergency:
    title: اتصل برقم الطوارئ الآن
    signs:
      - ألم في الصدر.
  urgent:
    title: اطلب المشورة العاجلة اليوم
    signs:
      - حمى.
  gp:
    title: راجع طبيباً عاماً أو أخصائي علاج طبيعي
    signs:
      - لم يتحسن بعد أسبوعين.
---
هذا لك إذا كانت رقبتك متيبسة.
"""
ARABIC_STRETCHES = {
    "01-neck-roll.ar.md": "---\ntitle: تدوير الرقبة\nduration: 45\nimage: roll.svg\nalt: شخص يدوّر رقبته.\n---\n"
                          "1. دوّر الرقبة ببطء.\n",
    "02-chin-tuck.ar.md": "---\ntitle: سحب الذقن\nhold: 5\nreps: 3\n---\n1. اسحب الذقن إلى الخلف.\n",
    "03-shoulder-drop.ar.md": "---\ntitle: إرخاء الكتفين\nextra: true\n---\n1. أرخِ كتفيك.\n",
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The tiny site in English and Arabic, built once and served."""
    root = make_tiny_site(tmp_path_factory.mktemp("rtl") / "site")
    shutil.copytree(ARABIC_CATALOG, root / "locales/ar")
    site = root / "content/site.yaml"
    site.write_text(site.read_text() + "languages: [en, ar]\n")
    write(root / "content/site.ar.yaml", "title: موقع صغير\n")
    write(root / "content/neck-relief/_page.ar.md", ARABIC_PAGE)
    for name, text in ARABIC_STRETCHES.items():
        write(root / "content/neck-relief/sitting" / name, text)
    folder = root / "dist"
    with serving(folder) as url:
        assert main(["--project", str(root), "build", "--no-cache", "--out", str(folder), "--base-url", url]) == 0
        yield Served(folder, url)


LAYOUT = """() => {
  const summary = document.querySelector('#neck-roll > summary');
  const box = summary.getBoundingClientRect();
  const name = summary.querySelector('span').getBoundingClientRect();  // its number, then its name
  const chevron = getComputedStyle(summary, '::before');
  const safety = getComputedStyle(document.querySelector('.safety'));
  const list = getComputedStyle(document.querySelector('.safety ol'));
  return {
    dir: document.documentElement.dir, direction: getComputedStyle(document.body).direction,
    nameFromLeft: name.left - box.left, nameFromRight: box.right - name.right,
    chevronLeft: chevron.left, chevronRight: chevron.right, chevronTransform: chevron.transform,
    safetyLeft: safety.borderLeftWidth, safetyRight: safety.borderRightWidth,
    listLeft: list.paddingLeft, listRight: list.paddingRight,
    headingAlign: document.querySelector('h1').getBoundingClientRect().right,
    mainRight: document.querySelector('main').getBoundingClientRect().right,
  };
}"""


def angle(transform: str) -> float:
    """The rotation, in degrees, of a computed 'matrix(a, b, c, d, e, f)'."""
    a, b = (float(v) for v in transform.removeprefix("matrix(").split(",")[:2])
    return round(math.degrees(math.atan2(b, a)))


def layout(page: Page, url: str) -> dict:
    page.emulate_media(reduced_motion="reduce")  # no transition: the chevron is where it ends
    page.goto(url)
    return page.evaluate(LAYOUT)


def test_the_arabic_page_is_right_to_left_and_mirrors_the_english_one(page: Page, bundle: Served) -> None:
    english = layout(page, bundle.url + "index.html")
    arabic = layout(page, bundle.url + "ar/index.html")
    assert (english["dir"], english["direction"]) == ("", "ltr")
    assert (arabic["dir"], arabic["direction"]) == ("rtl", "rtl")
    assert page.locator("html").get_attribute("lang") == "ar"
    # the stretch's name starts after the chevron's room: on the left in English, on the right in Arabic
    assert english["nameFromLeft"] == pytest.approx(48, abs=1) and english["nameFromRight"] > 48
    assert arabic["nameFromRight"] == pytest.approx(48, abs=1) and arabic["nameFromLeft"] > 48
    # the chevron on the start side, pointing along the line: right in English, left in Arabic
    px = lambda value: float(value.removesuffix("px"))  # noqa: E731
    assert px(english["chevronLeft"]) == pytest.approx(18.4) and px(english["chevronRight"]) > 100
    assert px(arabic["chevronRight"]) == pytest.approx(18.4) and px(arabic["chevronLeft"]) > 100
    assert angle(english["chevronTransform"]) == -45 and angle(arabic["chevronTransform"]) == 135
    # the safety box's edge and the lists' indent on the start side
    assert (english["safetyLeft"], english["safetyRight"]) == ("8px", "0px")
    assert (arabic["safetyLeft"], arabic["safetyRight"]) == ("0px", "8px")
    assert (english["listLeft"], english["listRight"]) == ("24px", "0px")
    assert (arabic["listLeft"], arabic["listRight"]) == ("0px", "24px")
    assert arabic["headingAlign"] == pytest.approx(arabic["mainRight"] - 16, abs=17)  # the title starts on the right


def test_an_open_stretchs_chevron_points_down_in_both_directions(page: Page, bundle: Served) -> None:
    page.emulate_media(reduced_motion="reduce")
    for path in ("index.html", "ar/index.html"):
        page.goto(bundle.url + path + "#neck-roll")
        expect(page.locator("#neck-roll")).to_have_attribute("open", "")
        transform = page.evaluate("getComputedStyle(document.querySelector('#neck-roll > summary'), '::before')"
                                  ".transform")
        assert angle(transform) == 45, path


def test_the_arabic_page_speaks_its_words_and_plural_forms(page: Page, bundle: Served) -> None:
    page.goto(bundle.url + "ar/index.html")
    expect(page.locator("#safety-heading")).to_have_text("قبل أن تبدأ")
    expect(page.locator("#chin-tuck .dose")).to_have_text("اثبت 5 ثوانٍ، 3 مرات")  # Arabic's "few" forms
    expect(page.get_by_role("link", name="العربية")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="English")).to_have_attribute("hreflang", "en")
    page.get_by_role("button", name="ابدأ التمارين").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".routine-where")).to_contain_text("التمرين 1 من 2")
    expect(dialog.locator(".routine-clock")).to_have_text("20 ثانية")  # CLDR's "many" form, from the catalog
