"""The interface's words per language: ``locales/<lang>/LC_MESSAGES/messages.po`` in, compiled catalogs out.

Every word the templates (and through them the page's scripts) show is a msgid, written in English,
the source language. A catalog gives each msgid its text in one language, with that language's plural
rules (its ``Plural-Forms`` header). Catalogs are read and compiled with Babel's own API (``read_po``,
``write_mo``): this module never parses a ``.po`` file itself.

A language the site publishes needs a catalog that translates every msgid of the templates (found
with Babel's extractor for Jinja, as ``relief messages`` does): a missing, empty or fuzzy one is an
error at its place, never English on a translated page. English needs no catalog (the msgids are its
words); an English catalog may reword them, and what it leaves empty stays as the msgid says.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from ..errors import ContentError
from ..model import locale_folder
from .files import Files

SOURCE_LANGUAGE = "en"  # the language of the msgids
FOLDER = "locales"
DOMAIN = "messages"
# the template helpers that take words: Jinja's i18n functions, and plural_forms (a script's plural words)
KEYWORDS = {**DEFAULT_KEYWORDS, "plural_forms": (1, 2)}
# how Babel's Jinja extractor reads the templates: as relief's environment does (relief.render.templates)
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true",
                 "newstyle_gettext": "true", "trimmed": "true"}
# relief's own words (durations, the date pattern), said in Python: extracted from this module
WORDS_MODULE = Path(__file__).resolve().parent.parent / "render" / "templates.py"
PYTHON_KEYWORDS = {**DEFAULT_KEYWORDS, "counted": (1, 2)}
COMMENT_TAGS = ("Translators:",)
_SCRIPT_FILL = re.compile(r"\{(\w+)\}")  # a script fills {name} in a word (routine.js)


def catalog_path(project: Path, folder: str) -> Path:
    return project / FOLDER / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Msgid:
    """A word the templates use: its msgid (and plural), and the first template line that uses it."""

    id: str | tuple[str, str]
    path: Path
    line: int
    comments: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        return self.id if isinstance(self.id, str) else self.id[0]


def template_msgids(templates: Path, sources: dict[str, bytes]) -> list[Msgid]:
    """Every msgid of the templates and of relief's own words, in the order they first appear (Babel's
    extractors for Jinja and Python)."""
    from jinja2.ext import babel_extract

    found: dict[str | tuple[str, str], Msgid] = {}
    inputs = [(templates / name, sources[name], babel_extract, KEYWORDS) for name in sorted(sources)]
    inputs.append((WORDS_MODULE, WORDS_MODULE.read_bytes(), "python", PYTHON_KEYWORDS))
    for path, data, method, keywords in inputs:
        options = JINJA_OPTIONS if method is babel_extract else {}
        for line, message, comments, _ in extract(method, io.BytesIO(data), keywords, COMMENT_TAGS, options,
                                                  strip_comment_tags=True):
            key = message if isinstance(message, str) else tuple(message[:2])
            found.setdefault(key, Msgid(key, path, line, tuple(comments)))
    return list(found.values())


def _given(catalog: Catalog, project: Path) -> list[Msgid]:
    """The msgids of a source-language catalog, placed where its references say they are used: in English
    nothing is missing (``problems`` checks only the words it gives), so the templates need not be read for
    their msgids (a cold build saves Babel's extraction)."""
    return [Msgid(message.id if isinstance(message.id, str) else tuple(message.id[:2]),
                  project / (message.locations[0][0] if message.locations else "templates"),
                  (message.locations[0][1] or 1) if message.locations else 1)
            for message in catalog if message.id]


def read_catalog(files: Files, path: Path, language: str) -> Catalog:
    """The catalog at ``path`` (read with Babel's ``read_po``); a file Babel cannot read is an error."""
    data = files.read(path)
    try:
        return read_po(io.BytesIO(data), locale=locale_folder(language), abort_invalid=True)
    except PoFileError as exc:
        line = re.search(r" on (\d+)\s*$", str(exc))  # Babel counts lines from 0
        said = str(exc)[:line.start()] if line else str(exc)
        raise ContentError(path, int(line.group(1)) + 1 if line else 1, 1, f"is not a catalog Babel can read: "
                           f"{said}") from None
    except (UnknownLocaleError, ValueError) as exc:
        raise ContentError(path, 1, 1, f"cannot be read as a catalog of '{language}': {exc}") from None


def compiled(catalog: Catalog) -> bytes:
    """The catalog as a .mo file (Babel's ``write_mo``; fuzzy entries are left out, as gettext does)."""
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def problems(catalog: Catalog, path: Path, language: str, msgids: list[Msgid]) -> Iterator[ContentError]:
    """What keeps ``catalog`` from giving every word of the page in ``language``: each msgid the templates use
    with no translation (missing, empty or fuzzy; English may leave one empty), and each translation whose
    placeholders are not those of its msgid (Babel's checks, and the {name} a script fills)."""
    source = language.split("-")[0] == SOURCE_LANGUAGE
    for msgid in msgids:
        message = catalog.get(msgid.id if isinstance(msgid.id, str) else msgid.id[0])
        where = f"'{_short(msgid.shown)}' ({msgid.path.parent.name}/{msgid.path.name}:{msgid.line})"
        if message is None:
            if not source:
                yield ContentError(path, 1, 1, f"has no translation of {where}; run 'relief messages' to add "
                                   "it, then translate it")
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not source and (message.fuzzy or not all(strings)):
            state = "is marked fuzzy" if message.fuzzy and all(strings) else "is not translated"
            yield ContentError(path, message.lineno or 1, 1, f"{where} {state}; write its translation in "
                               "msgstr" + (" and remove the '#, fuzzy' line" if message.fuzzy else ""))
            continue
        wanted = set(_SCRIPT_FILL.findall(msgid.shown))
        for text in strings:
            if text and set(_SCRIPT_FILL.findall(text)) != wanted:
                yield ContentError(path, message.lineno or 1, 1, f"the translation of {where} must keep its "
                                   f"placeholders {', '.join('{' + w + '}' for w in sorted(wanted)) or '(none)'} "
                                   "exactly as they are written")
    for message, errors in catalog.check():
        for error in errors:
            yield ContentError(path, message.lineno or 1, 1, f"the translation of '{_short(str(message.id))}': "
                               f"{error}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def load_catalogs(project: Path, languages: tuple[str, ...], templates: Path, sources: dict[str, bytes],
                  ) -> tuple[dict[str, bytes], list[ContentError]]:
    """The compiled catalog of each language that has one (English may have none), and every problem."""
    files = Files(project)
    msgids: list[Msgid] | None = None
    found: dict[str, bytes] = {}
    errors: list[ContentError] = []
    for language in languages:
        candidates = dict.fromkeys((locale_folder(language), locale_folder(language).split("_")[0]))
        path = next((catalog_path(project, folder) for folder in candidates
                     if catalog_path(project, folder).is_file()), None)
        if path is None:
            if language.split("-")[0] != SOURCE_LANGUAGE:
                errors.append(ContentError(project / "content" / "site.yaml", 1, 1, f"the language '{language}' has "
                                           f"no catalog of the page's words: add {FOLDER}/{locale_folder(language)}/"
                                           f"LC_MESSAGES/{DOMAIN}.po ('relief messages --add {language}' starts one)"))
            continue
        try:
            catalog = read_catalog(files, path, language)
        except ContentError as error:
            errors.append(error)
            continue
        if language.split("-")[0] == SOURCE_LANGUAGE:  # the msgid is the word: only what the catalog says is checked
            wrong = list(problems(catalog, path, language, _given(catalog, project)))
        else:
            if msgids is None:
                msgids = template_msgids(templates, sources)
            wrong = list(problems(catalog, path, language, msgids))
        errors += wrong
        if not wrong:
            found[language] = compiled(catalog)
    return found, errors
