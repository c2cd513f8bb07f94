"""``relief messages``: the templates' words into the catalogs, as ``pybabel extract`` and ``update`` do.

Extracts every msgid of ``templates/`` (Babel's Jinja extractor) and of relief's own words into
``locales/messages.pot``, then updates each ``locales/<lang>/LC_MESSAGES/messages.po`` from it with
Babel (``Catalog.update``): a new msgid is added untranslated (a close one is offered marked fuzzy), a
gone one is dropped, every translation kept. ``--add LANG`` starts the catalog of a new language.
It writes only those files; the build then says which words a language still lacks.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from ..errors import ContentError
from ..load import load_templates
from ..load.catalogs import DOMAIN, FOLDER, catalog_path, read_catalog, template_msgids
from ..load.files import Files
from ..model import babel_locale, locale_folder
from ..report import print_problems

PROJECT_NAME = "relief pages"


def messages(project: Path, add: list[str]) -> int:
    templates = project / "templates"
    try:
        sources = load_templates(templates, project)
    except Exception as failed:  # BuildFailed: the templates cannot be read
        print_problems(getattr(failed, "errors", []), project)
        return 1
    template = Catalog(project=PROJECT_NAME, domain=DOMAIN, fuzzy=False)
    for msgid in template_msgids(templates, sources):
        where = msgid.path.relative_to(project if msgid.path.is_relative_to(project) else msgid.path.parents[2])
        template.add(msgid.id, locations=[(where.as_posix(), msgid.line)], auto_comments=msgid.comments)
    locales = project / FOLDER
    pot = locales / f"{DOMAIN}.pot"
    _write(pot, template)
    print(f"{len(template)} messages in {pot.relative_to(project)}")
    for language in add:
        try:
            babel_locale(language)
        except ValueError:
            print(f"relief messages: error: '{language}' is not a language Babel knows (e.g. es, pt-BR)",
                  file=sys.stderr)
            return 2
        path = catalog_path(project, locale_folder(language))
        if path.exists():
            print(f"{path.relative_to(project)} exists already: updated, not started again")
            continue
        catalog = Catalog(locale=locale_folder(language), domain=DOMAIN, project=PROJECT_NAME, fuzzy=False)
        catalog.update(template)
        _write(path, catalog)
        print(f"started {path.relative_to(project)}: translate each msgstr")
    files, problems = Files(project), []
    for path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")) if locales.is_dir() else []:
        try:
            catalog = read_catalog(files, path, path.parent.parent.name)
        except ContentError as error:
            problems.append(error)
            continue
        catalog.update(template, update_header_comment=False)
        _write(path, catalog)
        left = sum(1 for message in catalog if message.id and (message.fuzzy or not all(
            message.string if isinstance(message.string, tuple | list) else (message.string,))))
        print(f"updated {path.relative_to(project)}: {left} to translate")
    print_problems(problems, project)
    return 1 if problems else 0


def _write(path: Path, catalog: Catalog) -> None:
    """The catalog as a .po file (Babel's ``write_po``), written only when its text changed."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, ignore_obsolete=True, include_previous=False)
    data = _without_dates(out.getvalue())
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _without_dates(data: bytes) -> bytes:
    """Leave out the header's creation and revision dates, so the same templates give the same files."""
    return b"".join(line for line in io.BytesIO(data).readlines()
                    if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:')))
