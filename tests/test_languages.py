"""A site in several languages: the default at the bundle's root, each other language under its folder (es/),
from translations beside their originals, checked as they are and against them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, tree_hash, write
from lxml import html

from relief.cli import main

PAGE = "middle-back-relief"
BASE = "https://example.org/relief/"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("languages") / "dist"
    assert main(["--project", str(ROOT), "build", "--no-cache", "--out", str(out)]) == 0
    return out


def tree(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


def test_both_languages_build_each_page_in_its_language(dist: Path) -> None:
    english, spanish = tree(dist / f"{PAGE}/index.html"), tree(dist / f"es/{PAGE}/index.html")
    assert english.get("lang") == "en" and spanish.get("lang") == "es" and spanish.get("dir") is None
    assert (dist / "es/index.html").read_bytes() != b""  # the Spanish home, like index.html
    assert spanish.xpath("string(//h1)") == "Estiramientos para aliviar la zona media de la espalda"
    assert spanish.xpath("string(//*[@id='safety-heading'])") == "Antes de empezar"
    assert spanish.xpath("string(//*[@id='sitting-heading'])").split() == [
        "Si", "está", "sentado,", "haga", "estos", "—", "dura", "2", "minutos"]
    # a stretch has the same id in every language, and its dose and steps are in Spanish
    [bridge] = spanish.xpath("//details[@id='glute-bridge']")
    assert " ".join(bridge.xpath("string(.//*[@class='dose'])").split()) == "Mantenga 2 segundos, 10 veces"
    assert bridge.xpath("string(.//*[@class='how-label'])") == "Cómo hacerlo"
    [heel] = spanish.xpath("//details[@id='heel-press-three-angles']")
    assert " ".join(heel.xpath("string(.//*[@class='dose'])").split()) == (
        "Mantenga 8 segundos cada una: punta hacia arriba, punta hacia fuera, punta hacia dentro; cada lado")
    assert english.xpath("string(//*[@id='safety-heading'])") == "Before you start"
    # the same numbers: the urgent-care boxes call what site.yaml says
    assert [a.get("href") for a in spanish.xpath("//a[contains(@class, 'tier-call')]")] == \
        [a.get("href") for a in english.xpath("//a[contains(@class, 'tier-call')]")] == \
        ["tel:999", "tel:111", "tel:02079460123"]
    assert spanish.xpath("string(//a[contains(@class, 'tier-call')])") == "Llame al 999"


def test_alternates_point_both_ways_with_x_default(dist: Path) -> None:
    expected = [("en", BASE), ("es", f"{BASE}es/"), ("x-default", BASE)]
    for path in ("index.html", f"{PAGE}/index.html", "es/index.html", f"es/{PAGE}/index.html"):
        links = tree(dist / path).xpath("//head/link[@rel='alternate']")
        assert [(link.get("hreflang"), link.get("href")) for link in links] == expected, path
    assert tree(dist / f"es/{PAGE}/index.html").xpath("//link[@rel='canonical']/@href") == [f"{BASE}es/"]


def test_the_switcher_links_each_language_named_in_its_own(dist: Path) -> None:
    # the page is the home page: each language's version is at its language's index.html
    for path, other, here in ((f"{PAGE}/index.html", "../es/index.html", "../index.html"),
                              (f"es/{PAGE}/index.html", "../../index.html", "../index.html")):
        links = tree(dist / path).xpath("//nav[@class='languages']//a")
        assert [(a.text, a.get("lang"), a.get("hreflang")) for a in links] == [
            ("English", "en", "en"), ("Español", "es", "es")]
        assert [a.get("href") for a in links] == ([here, other] if path.startswith(PAGE) else [other, here])
        assert [a.get("aria-current") for a in links] == (["page", None] if path.startswith(PAGE) else [None, "page"])
        for a in links:
            assert (dist / path).parent.joinpath(a.get("href")).resolve().is_file()


def test_dates_and_the_not_yet_reviewed_notice_are_in_spanish(dist: Path) -> None:
    spanish, english = tree(dist / f"es/{PAGE}/index.html"), tree(dist / f"{PAGE}/index.html")
    [notice] = spanish.xpath("//p[contains(@class, 'not-reviewed')]")
    assert " ".join(notice.text_content().split()) == (
        "Todavía no revisada por un profesional sanitario. Un profesional sanitario aún no ha revisado esta "
        "traducción. La página en inglés de la que se tradujo se revisó por última vez el 23 de noviembre de 2026.")
    assert notice.xpath("string(.//time/@datetime)") == "2026-11-23"
    assert not english.xpath("//p[contains(@class, 'not-reviewed')]")
    assert english.xpath("string(//p[@class='reviewed'])").startswith("Last reviewed 23 November 2026 by ")
    data = json.loads(spanish.xpath("string(//script[@type='application/ld+json'])"))
    assert data["inLanguage"] == "es" and "lastReviewed" not in data  # not yet reviewed: no date claimed
    assert json.loads(english.xpath("string(//script[@type='application/ld+json'])"))["lastReviewed"] == "2026-11-23"


def test_the_worker_keeps_the_spanish_pages_and_the_sitemap_lists_them(dist: Path) -> None:
    files = json.loads(re.search(r"var FILES = (.*?);", (dist / "sw.js").read_text()).group(1))
    kept = {url for url, _ in files}
    assert {"./", f"{PAGE}/", "es/", f"es/{PAGE}/"} <= kept
    assert f"<loc>{BASE}es/</loc>" in (dist / "sitemap.xml").read_text()
    assert "/relief/es/middle-back-relief/" in (dist / "_headers").read_text()


def test_the_shipped_site_checks_clean_in_both_languages(cli) -> None:
    result = cli(ROOT, "check", "--no-cache")
    assert result.code == 0, result.err


def test_a_reviewed_translation_shows_its_own_date(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    page = project / f"content/{PAGE}/_page.es.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: Estiramientos", "reviewed: 2026-12-01\n"
                                                             "reviewed_by: Ana García\ntitle: Estiramientos", 1),
                    encoding="utf-8")
    assert main(["--project", str(project), "build", "--no-cache", "--out", str(tmp_path / "d")]) == 0
    spanish = tree(tmp_path / f"d/es/{PAGE}/index.html")
    assert not spanish.xpath("//p[contains(@class, 'not-reviewed')]")
    assert " ".join(spanish.xpath("string(//p[@class='reviewed'])").split()) == \
        "Revisado por última vez el 1 de diciembre de 2026 por Ana García"
    assert json.loads(spanish.xpath("string(//script[@type='application/ld+json'])"))["lastReviewed"] == "2026-12-01"


# ---- what a translation must keep of its original ----

def build_errors(project: Path, cli) -> list[str]:
    dist = project / "dist"
    dist.mkdir(exist_ok=True)
    (dist / "kept.txt").write_text("previous bundle")
    before = tree_hash(dist)
    result = cli(project, "build", "--no-cache")
    assert result.code == 1 and tree_hash(dist) == before
    return [line for line in result.err.splitlines() if ": error: " in line]


@pytest.fixture
def bilingual(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "site")


def test_missing_translated_stretches_are_one_error_at_the_translation_naming_each(bilingual: Path, cli) -> None:
    folder = bilingual / f"content/{PAGE}"
    (folder / "sitting/02-seated-elbow-circles.es.md").unlink()
    (folder / "standing/05-tabletop-hip-hinge.es.md").unlink()
    errors = build_errors(bilingual, cli)
    assert errors == [f"content/{PAGE}/_page.es.md:1:1: error: the es translation lacks 2 stretches of the original: "
                      "sitting/02-seated-elbow-circles.md, standing/05-tabletop-hip-hinge.md; translate each beside "
                      "it, e.g. sitting/02-seated-elbow-circles.es.md"]


def test_a_translation_without_its_original_and_one_into_an_unlisted_language_are_errors(bilingual: Path,
                                                                                         cli) -> None:
    folder = bilingual / f"content/{PAGE}"
    shutil.copy(folder / "sitting/01-seated-posture-reset.es.md", folder / "sitting/09-neck-roll.es.md")
    shutil.copy(folder / "sitting/01-seated-posture-reset.es.md", folder / "sitting/01-seated-posture-reset.fr.md")
    shutil.copy(folder / "_page.es.md", folder / "_page.de.md")
    errors = build_errors(bilingual, cli)
    assert f"content/{PAGE}/sitting/09-neck-roll.es.md:1:1: error: is a translation of 09-neck-roll.md, which does " \
        "not exist; rename it after the stretch it translates, or remove it" in errors
    assert any(e.startswith(f"content/{PAGE}/sitting/01-seated-posture-reset.fr.md:1:1: error: is a translation into "
                            "'fr', which is not one of the site's languages (en, es)") for e in errors)
    assert any(e.startswith(f"content/{PAGE}/_page.de.md:1:1: error: is a translation into 'de'") for e in errors)


def test_a_translation_changes_only_words_not_the_dose_picture_or_caution(bilingual: Path, cli) -> None:
    folder = bilingual / f"content/{PAGE}"
    bridge = folder / "lying-down/05-glute-bridge.es.md"
    bridge.write_text(bridge.read_text(encoding="utf-8").replace("reps: 10", "reps: 12"), encoding="utf-8")
    heel = folder / "standing/04-heel-press-three-angles.es.md"
    text = heel.read_text(encoding="utf-8")
    heel.write_text(re.sub(r"caution: .*\n", "", text).replace("hold: 8\n", "hold: 9\n", 1), encoding="utf-8")
    errors = build_errors(bilingual, cli)
    line = bridge.read_text(encoding="utf-8").splitlines().index("reps: 12") + 1
    assert f"content/{PAGE}/lying-down/05-glute-bridge.es.md:{line}:1: error: 'reps' is 12 here but 10 in " \
        "05-glute-bridge.md: a translation changes only words; give the original's" in errors
    assert any("04-heel-press-three-angles.es.md" in e and "'positions' is [9, 8, 8] here but [8, 8, 8]" in e
               for e in errors)
    assert any("04-heel-press-three-angles.es.md:1:1: error: 04-heel-press-three-angles.md gives a 'caution'" in e
               for e in errors)


def test_a_translated_page_needs_the_originals_groups_and_texts_and_the_sites_words(bilingual: Path, cli) -> None:
    page = bilingual / f"content/{PAGE}/_page.es.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace("  - id: standing\n    title: Si está de pie, haga estos\n", "")
    text = re.sub(r"reassurance: \|\n(  .*\n)+", "", text)
    page.write_text(text, encoding="utf-8")
    (bilingual / "content/site.es.yaml").unlink()
    errors = build_errors(bilingual, cli)
    assert any(e.startswith(f"content/{PAGE}/_page.es.md:") and "the es translation lacks the group standing of "
               "_page.md" in e for e in errors)
    assert f"content/{PAGE}/_page.es.md:1:1: error: is missing 'reassurance': _page.md gives one; write it in es" \
        in errors
    assert "content/site.yaml:1:1: error: 'languages' lists es: add content/site.es.yaml with the site's title, " \
        "short_name, cta, footer in es" in errors


def test_a_published_language_whose_catalog_lacks_a_word_fails_the_build(bilingual: Path, cli) -> None:
    po = bilingual / "locales/es/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Antes de empezar"', 'msgstr ""'), encoding="utf-8")
    errors = build_errors(bilingual, cli)
    assert len(errors) == 1 and "'Before you start' (templates/page.html:" in errors[0]
    assert errors[0].startswith("locales/es/LC_MESSAGES/messages.po:")


def test_a_page_without_a_translation_is_only_in_its_language(tiny: Path, cli) -> None:
    """A site in two languages whose page has no translation yet: no switcher, no alternates, no es/ page."""
    site = tiny / "content/site.yaml"
    site.write_text(site.read_text() + "languages: [en, es]\n")
    write(tiny / "content/site.es.yaml", "title: Sitio pequeño\n")
    assert cli(tiny, "build", "--no-cache").code == 0
    page = tree(tiny / "dist/index.html")
    assert not page.xpath("//link[@rel='alternate']") and not page.xpath("//nav[@class='languages']")
    assert not (tiny / "dist/es").exists()
