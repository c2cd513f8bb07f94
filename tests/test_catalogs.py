"""The interface's words come from per-language catalogs (locales/LANG/LC_MESSAGES/messages.po), read and
compiled with Babel; a word a published language lacks is an error, never English on its page."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import ROOT, copy_project, tree_hash

from relief.cli import main
from relief.load import load_catalogs, load_templates
from relief.load.catalogs import template_msgids
from relief.render.templates import Words

SPANISH = ROOT / "locales/es/LC_MESSAGES/messages.po"


def catalog_problems(project: Path, languages: tuple[str, ...]) -> list[str]:
    sources = load_templates(project / "templates", project)
    _, errors = load_catalogs(project, languages, project / "templates", sources)
    return [error.format(project) for error in errors]


def test_every_word_of_the_templates_has_its_spanish_translation() -> None:
    sources = load_templates(ROOT / "templates", ROOT)
    msgids = {m.shown for m in template_msgids(ROOT / "templates", sources)}
    assert {"Show all", "Hide all", "Start routine", "Pause", "Stretch {number} of {total}", "Before you start",
            "second", "d MMMM y"} <= msgids
    catalog = read_po(SPANISH.open("rb"))
    assert catalog.get("Show all").string == "Mostrar todos"
    assert catalog_problems(ROOT, ("en", "es")) == []


def test_relief_messages_finds_the_shipped_catalogs_up_to_date(tmp_path: Path, capsys) -> None:
    project = copy_project(tmp_path / "site")
    before = tree_hash(project / "locales")
    assert main(["--project", str(project), "messages"]) == 0
    assert "updated locales/es/LC_MESSAGES/messages.po: 0 to translate" in capsys.readouterr().out
    assert tree_hash(project / "locales") == before


def test_relief_messages_adds_a_new_word_untranslated_and_add_starts_a_language(tmp_path: Path, capsys) -> None:
    project = copy_project(tmp_path / "site")
    page = project / "templates/404.html"
    page.write_text(page.read_text().replace("{% endblock %}\n", '<p>{{ _("A brand new word") }}</p>\n{% endblock %}\n'
                                             ), encoding="utf-8")
    assert main(["--project", str(project), "messages", "--add", "fr"]) == 0
    out = capsys.readouterr().out
    assert "updated locales/es/LC_MESSAGES/messages.po: 1 to translate" in out
    assert "started locales/fr/LC_MESSAGES/messages.po" in out
    spanish = read_po((project / "locales/es/LC_MESSAGES/messages.po").open("rb"))
    assert spanish.get("A brand new word").string == "" and spanish.get("Show all").string == "Mostrar todos"
    french = read_po((project / "locales/fr/LC_MESSAGES/messages.po").open("rb"))
    assert str(french.locale) == "fr" and french.num_plurals == 3  # CLDR: one, many, other
    problems = catalog_problems(project, ("en", "es"))
    assert len(problems) == 1 and problems[0].startswith("locales/es/LC_MESSAGES/messages.po:")
    assert "'A brand new word' (templates/404.html:" in problems[0] and "is not translated" in problems[0]
    assert catalog_problems(project, ("en",)) == []  # English: the msgid is the word


def test_an_untranslated_fuzzy_or_missing_word_is_an_error_at_its_place(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    po = project / "locales/es/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Show all"\nmsgstr "Mostrar todos"', 'msgid "Show all"\nmsgstr ""')
    text = text.replace('msgid "Hide all"\nmsgstr "Ocultar todos"',
                        '#, fuzzy\nmsgid "Hide all"\nmsgstr "Ocultar todos"')
    start = text.index('#: templates/page.html')
    entry = text[start:text.index("\n\n", start) + 2]
    po.write_text(text.replace(entry, ""), encoding="utf-8")
    problems = catalog_problems(project, ("en", "es"))
    lines = po.read_text(encoding="utf-8").splitlines()
    show, hide = lines.index('msgid "Show all"') + 1, lines.index('msgid "Hide all"') + 1
    assert any(p.startswith(f"locales/es/LC_MESSAGES/messages.po:{show}:1: error: 'Show all' (templates/page.html:")
               and "is not translated" in p for p in problems)
    assert any(p.startswith(f"locales/es/LC_MESSAGES/messages.po:{hide}:") and "'Hide all'" in p
               and "is marked fuzzy" in p for p in problems)
    removed = entry.split('msgid "')[1].split('"')[0]
    assert any(f"has no translation of '{removed}'" in p and "run 'relief messages'" in p for p in problems)


def test_a_translation_that_changes_a_placeholder_is_an_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    po = project / "locales/es/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Estiramiento {number} de {total}"', 'msgstr "Estiramiento {numero} de {total}"')
                  .replace('msgstr "Ir a %(site)s"', 'msgstr "Ir a %(sitio)s"'), encoding="utf-8")
    problems = catalog_problems(project, ("en", "es"))
    assert any("'Stretch {number} of {total}'" in p and "{number}, {total}" in p for p in problems)
    assert any("'Go to %(site)s'" in p for p in problems)


def test_an_english_word_given_with_other_placeholders_is_an_error_at_where_it_is_used(tmp_path: Path) -> None:
    """English is checked without extracting the templates' msgids: what its catalog gives is checked, and the
    message names the template line from the catalog's reference."""
    project = copy_project(tmp_path / "site")
    po = project / "locales/en/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    given = 'msgid "Stretch {number} of {total}"\nmsgstr ""'
    assert given in text
    po.write_text(text.replace(given, given[:-2] + '"Stretch {numero} of {total}"'), encoding="utf-8")
    problems = catalog_problems(project, ("en",))
    assert len(problems) == 1 and problems[0].startswith("locales/en/LC_MESSAGES/messages.po:")
    assert "'Stretch {number} of {total}' (templates/_routine.html:" in problems[0]
    assert "must keep its placeholders {number}, {total}" in problems[0]
    po.write_text(text.replace(given, given[:-2] + '"Exercise {number} of {total}"'), encoding="utf-8")
    assert catalog_problems(project, ("en",)) == []


def test_a_catalog_babel_cannot_read_is_an_error_and_a_language_without_one_too(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    po = project / "locales/es/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text + 'msgid "x"\nmsgstr "y"\nnot a keyword\n', encoding="utf-8")
    problems = catalog_problems(project, ("en", "es", "fr"))
    line = len(text.splitlines()) + 3
    assert f"locales/es/LC_MESSAGES/messages.po:{line}:1: error: is not a catalog Babel can read: Unknown or " \
        "misformatted keyword" in problems
    assert any("the language 'fr' has no catalog" in p and "locales/fr/LC_MESSAGES/messages.po" in p
               for p in problems)
    shutil.rmtree(project / "locales/en")
    assert catalog_problems(project, ("en",)) == []  # English needs none


def test_durations_dates_numbers_and_a_scripts_plural_words_follow_the_catalogs_language() -> None:
    sources = load_templates(ROOT / "templates", ROOT)
    catalogs, _ = load_catalogs(ROOT, ("en", "es"), ROOT / "templates", sources)
    spanish, english = Words("es", catalogs["es"]), Words("en", catalogs.get("en"))
    assert [spanish.duration(s) for s in (1, 45, 60, 100, 240)] == [
        "1 segundo", "45 segundos", "1 minuto", "1 minuto y 40 segundos", "4 minutos"]
    assert [english.duration(s) for s in (1, 45, 60, 100, 240)] == [
        "1 second", "45 seconds", "1 minute", "1 minute 40 seconds", "4 minutes"]
    assert spanish.date(dt.date(2026, 11, 23)) == "23 de noviembre de 2026"
    assert english.date(dt.date(2026, 11, 23)) == "23 November 2026"
    assert spanish.number(1234567) == "1.234.567" and english.number(1234567) == "1,234,567"
    # the forms a script picks with Intl.PluralRules: one per CLDR category of the language
    assert json.loads(spanish.plural_forms("second", "seconds")) == {
        "one": "segundo", "many": "segundos", "other": "segundos"}
    assert json.loads(english.plural_forms("second", "seconds")) == {"one": "second", "other": "seconds"}


@pytest.mark.parametrize("tag", ["en-GB", "pt-BR", "es"])
def test_a_language_with_a_region_finds_its_catalog_or_its_languages(tmp_path: Path, tag: str) -> None:
    project = copy_project(tmp_path / "site")
    if tag == "pt-BR":
        (project / "locales/pt_BR/LC_MESSAGES").mkdir(parents=True)
        shutil.copy(SPANISH, project / "locales/pt_BR/LC_MESSAGES/messages.po")  # any complete catalog
    assert catalog_problems(project, (tag,)) == []


def test_the_readmes_pybabel_command_extracts_the_same_words(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`\.venv/bin/(pybabel extract [^`]+)`", readme).group(1).split()
    out = command.index("-o") + 1
    command[out] = str(tmp_path / "messages.pot")
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), *command[1:]], cwd=ROOT, check=True, capture_output=True)
    theirs = {m.id for m in read_po((tmp_path / "messages.pot").open("rb")) if m.id}
    ours = {m.id for m in read_po((ROOT / "locales/messages.pot").open("rb")) if m.id}
    assert theirs == ours and len(ours) > 80


def test_a_remembered_translation_is_escaped_by_its_values_type_and_follows_its_values() -> None:
    """Translated words are formatted once per set of values: a str and a Markup of the same text are still
    escaped differently, and other values give other words (ngettext: each count its own form)."""
    import markupsafe

    from relief.render.templates import environment

    sources = {"t.html": (b'{{ _("Hello %(name)s", name=a) }}|{{ _("Hello %(name)s", name=b) }}|'
                          b'{{ _("Hello %(name)s", name=a) }}|{{ _("Hello %(name)s", name=c) }}|'
                          b'{{ ngettext("%(num)s second", "%(num)s seconds", 1) }}|'
                          b'{{ ngettext("%(num)s second", "%(num)s seconds", 2) }}')}
    env = environment(ROOT / "templates", sources, "en")
    text = env.get_template("t.html").render(a="<b>x</b>", b=markupsafe.Markup("<b>x</b>"), c="Ana")
    assert text == "Hello &lt;b&gt;x&lt;/b&gt;|Hello <b>x</b>|Hello &lt;b&gt;x&lt;/b&gt;|Hello Ana|1 second|2 seconds"
