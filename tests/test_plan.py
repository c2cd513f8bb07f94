"""A clinician's plan (issue 20), as built: the plan maker page with every stretch by page and group, its
fields and limits, its link from every page's header, the facts a page hands its plan view, the reserved
folder name, and the vendored QR library with its licence (the browser tests are test_plan_browser.py)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, add_page, stretch_md, write
from lxml import html

from relief.render.plan import LIMITS

VENDOR = ROOT / "assets/js/vendor"


def tree(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


@pytest.fixture
def built(tiny: Path, cli) -> Path:
    """The tiny site with a second page and a stretch of two positions, done on each side, built."""
    write(tiny / "content/neck-relief/sitting/04-head-turn.md", stretch_md(
        "Head turn", None, body="1. Turn the head.", sides="true", reps=2,
        positions="\n  - name: left a little\n    hold: 5\n  - name: further\n    hold: 700"))
    add_page(tiny, "shoulder-relief", title="Shoulder Relief")
    assert cli(tiny, "build").code == 0
    return tiny / "dist"


def test_the_plan_maker_lists_every_stretch_by_page_and_group_with_its_dose_prefilled(built: Path) -> None:
    page = tree(built / "plan/index.html")
    assert page.xpath("string(//h1)") == "Make a plan for one patient"
    sections = page.xpath("//section[@data-plan-page]")
    assert [s.get("data-plan-page") for s in sections] == ["neck-relief", "shoulder-relief"]
    assert [s.get("data-page-url") for s in sections] == ["../neck-relief/index.html", "../shoulder-relief/index.html"]
    assert page.xpath("//fieldset[@class='plan-pages']//input[@type='radio']/@value") == ["neck-relief",
                                                                                          "shoulder-relief"]
    neck = sections[0]
    assert neck.xpath("string(.//fieldset[@class='plan-group']/legend)") == "If sitting, do these"
    stretches = neck.xpath(".//div[@class='plan-stretch']")
    assert [s.get("data-stretch") for s in stretches] == ["neck-roll", "chin-tuck", "head-turn", "shoulder-drop"]
    for stretch in stretches:
        box = stretch.xpath(".//input[@type='checkbox']")[0]
        label = stretch.xpath(f".//label[@for='{box.get('id')}']")[0]
        assert label.text_content().strip()  # each box named by its stretch's title
        group = stretch.xpath(".//div[@role='group']")[0]
        assert group.get("aria-labelledby") == label.get("id")
        for field in stretch.xpath(".//input[@type='number']"):
            assert stretch.xpath(f".//label[@for='{field.get('id')}']"), field.get("id")
            assert field.get("step") == "1" and field.get("disabled") is not None  # open once ticked
    assert stretches[0].xpath(".//img/@alt") == ["A person rolling the neck."]

    def fields(stretch: html.HtmlElement) -> list[tuple[str, str, str, str]]:
        return [(f.xpath(f"string(//label[@for='{f.get('id')}'])"), f.get("value"), f.get("min"), f.get("max"))
                for f in stretch.xpath(".//input[@type='number']")]

    seconds, reps, per_day = (f"{low}" for low in (LIMITS.seconds[0], LIMITS.reps[0], LIMITS.per_day[0]))
    high = str(LIMITS.seconds[1])
    assert fields(stretches[0]) == [("Time, seconds", "45", seconds, high), ("Repetitions", "1", reps, "30"),
                                    ("Times a day", "1", per_day, "10")]
    assert fields(stretches[1])[:2] == [("Hold, seconds", "5", seconds, high), ("Repetitions", "3", reps, "30")]
    assert fields(stretches[3]) == [("Times a day", "1", per_day, "10")]  # an extra is not timed
    # one field per position, named by it; a hold beyond the plan's limit starts at the limit
    assert fields(stretches[2])[:3] == [("Left a little, seconds", "5", seconds, high),
                                        ("Further, seconds", high, seconds, high), ("Repetitions", "2", reps, "30")]
    assert "each side" in stretches[2].text_content()
    assert page.xpath("//textarea[@id='plan-note']/@maxlength") == [str(LIMITS.note)]
    assert page.xpath("//input[@id='plan-name']/@maxlength") == [str(LIMITS.name)]
    assert page.xpath("//input[@id='plan-link']/@readonly") == ["readonly"]
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert "needs JavaScript" in page.xpath("string(//*[@data-plan-needs-script])")


def test_every_page_links_the_plan_maker_for_clinicians(built: Path) -> None:
    for path, href in (("index.html", "plan/index.html"), ("shoulder-relief/index.html", "../plan/index.html"),
                       ("plan/index.html", "index.html"), ("404.html", "/plan/index.html")):
        nav = tree(built / path).xpath("//header//nav[@aria-label='For clinicians']")
        assert len(nav) == 1, path
        assert nav[0].xpath("a/@href") == [href] and nav[0].text_content() == "For clinicians: make a plan", path
    assert tree(built / "plan/index.html").xpath("//nav[@aria-label='For clinicians']/a/@aria-current") == ["page"]
    assert "plan/" not in (built / "sitemap.xml").read_text(encoding="utf-8")  # a tool, not a page to find


def test_a_page_hands_its_plan_view_every_stretchs_timing_the_pace_and_the_limits(built: Path) -> None:
    page = tree(built / "neck-relief/index.html")
    data = page.xpath("//script[@id='plan-data']")[0]
    assert re.fullmatch(r"\.\./assets/js/plan-view\.[0-9a-f]+\.js", data.get("data-script"))
    assert re.fullmatch(r"\.\./assets/js/vendor/qrcode-generator\.[0-9a-f]+\.js", data.get("data-qr"))
    facts = json.loads(data.text)
    assert facts["version"] == 1 and facts["prefix"] == "plan="
    assert facts["pace"] == {"get_ready": 8, "change_position": 20, "change_side": 5, "next_position": 4}
    assert facts["limits"]["seconds"] == [1, 300] and facts["limits"]["routine"] == 3600
    assert facts["stretches"]["chin-tuck"] == {"group": "sitting", "kind": "hold", "seconds": [5], "reps": 3,
                                               "sides": False}
    assert facts["stretches"]["shoulder-drop"]["kind"] == "extra"
    assert facts["stretches"]["head-turn"] == {"group": "sitting", "kind": "positions", "seconds": [5, 700],
                                               "reps": 2, "sides": True, "names": ["left a little", "further"],
                                               "cues": ["left a little", "further"]}
    # the view's script is not on the page: relief.js loads it for a plan link only
    assert not page.xpath("//script[contains(@src, 'plan-view')]")


def test_plan_is_not_a_page_name(tiny: Path, cli) -> None:
    add_page(tiny, "plan")
    result = cli(tiny, "build")
    assert result.code == 1
    assert result.err.startswith("content/plan/_page.md:1:1: error: the page folder name 'plan' is its URL: use "
                                 "lower-case letters, digits and hyphens (not 404, assets, plan)")


def test_a_project_whose_templates_have_no_plan_maker_builds_without_one(tiny: Path, cli) -> None:
    (tiny / "templates/plan.html").unlink()
    assert cli(tiny, "build").code == 0
    assert not (tiny / "dist/plan").exists()
    assert not tree(tiny / "dist/index.html").xpath("//nav[@aria-label='For clinicians']")


def test_the_vendored_qr_library_is_the_packages_file_with_its_licence_beside_it() -> None:
    script = VENDOR / "qrcode-generator.js"
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(script.read_bytes()).hexdigest() in readme
    assert "Copyright (c) 2009 Kazuhiko Arase" in script.read_text(encoding="utf-8")
    licence = (VENDOR / "qrcode-generator.LICENSE.txt").read_text(encoding="utf-8")
    assert "Copyright (c) 2009 Kazuhiko Arase" in licence and "Permission is hereby granted, free of charge" in licence


def test_a_page_is_encoded_a_block_at_a_time_however_big_its_pieces() -> None:
    """The plan maker of a big site is tens of MB, and its template collects each page's fields into one piece:
    a page's bytes are made some 64 KB at a time, never from every piece held at once (at 10,000 stretches a
    render worker peaked 30 MB higher when a block was a count of pieces)."""
    import tracemalloc

    from relief.render import _encoded

    def pieces() -> Iterator[str]:  # 150 pieces of 100,000 characters, each a new string, as a template makes them
        for number in range(150):
            yield "é" * 50_000 + "x" * 49_999 + str(number % 10)

    tracemalloc.start()
    try:
        data = _encoded(pieces())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data == "".join(pieces()).encode("utf-8")
    # the encoded blocks and their join are the bytes twice over; beyond that, about one block is held
    assert peak - 2 * len(data) < 1_000_000, f"{(peak - 2 * len(data)) / 1e6:.1f} MB held beyond the bytes"
