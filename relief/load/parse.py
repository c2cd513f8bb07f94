"""One content file's bytes in; its checked front matter, rendered Markdown and problems out.

``parse`` is a pure function of (kind, path, bytes, ``allow_html``): every check that needs
no other file and no file system. That is what lets the cache keep its result under the
hash of those inputs, and ``relief.load.batch`` spread many files over every core. What
needs the file system or other files (pictures, ids, group folders) is checked in
``relief.load.tree``. An entry travels between processes and into the cache as a plain
record (``parse``'s result, read by ``Entry.from_record``): JSON text, or, where no cache folder
keeps it (``--no-cache``), the same record as Python values: no JSON is made that nobody would read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from ..errors import ContentError, ContentWarning, Problem
from . import routine, schema
from .frontmatter import Key, Located, SourceFile, check_characters, decode, parse_yaml, split_front_matter
from .markdown import Markup, plain_text

Kind = Literal["page", "translation", "stretch"]  # translation: a page's translation, _page.es.md
# a page's front matter fields in Markdown, as the schema says
PAGE_MARKDOWN = tuple(name for name, spec in schema.PAGE.items() if spec.check is schema.markdown)
_PROBLEMS: dict[str, type[Problem]] = {"error": ContentError, "warning": ContentWarning}


@dataclass(frozen=True)
class Entry:
    """A parsed content file: what ``relief.load.tree`` needs of it, and what was wrong with it."""

    path: Path
    parsed: bool  # False: the file or its front matter could not be read; only ``problems`` is set
    values: dict[str, Any]  # the checked front matter
    html: dict[str, str]  # rendered Markdown: "body", and for a page its PAGE_MARKDOWN fields
    text: str  # a stretch's body as plain text, for structured data
    problems: tuple[Problem, ...]
    positions: str  # JSON [[line, column, *key], ...]: decoded only when a message needs a place
    placeholders: tuple[tuple[int, int, str], ...] = ()  # line, column and text of what ``new`` wrote, left in

    @property
    def failed(self) -> bool:
        return any(isinstance(problem, ContentError) for problem in self.problems)

    @cached_property
    def doc(self) -> Located:
        """Where each front matter key is (the raw YAML is not kept)."""
        where = {tuple(key): (line, column) for line, column, *key in json.loads(self.positions)}
        return Located(None, self.path, where)

    @classmethod
    def from_record(cls, path: Path, text: str | dict[str, Any]) -> Entry:
        """The entry of ``path`` from its record (``parse``'s result, maybe via the cache)."""
        record = json.loads(text) if isinstance(text, str) else text
        values = {name: dt.date.fromisoformat(value["$date"]) if isinstance(value, dict) and "$date" in value
                  else value for name, value in record["values"].items()}
        problems = tuple(_PROBLEMS[kind](path, line, column, message)
                         for kind, line, column, message in record["problems"])
        return cls(path, record["parsed"], values, record["html"], record["text"], problems, record["where"],
                   tuple((line, column, text) for line, column, text in record["placeholders"]))


def parse(kind: Kind, path: Path, data: bytes, markup: Markup, *, as_json: bool = True) -> str | dict[str, Any]:
    """The record of one page (``_page.md``) or stretch file; ``markup`` carries ``allow_html``.

    A record is JSON text (``as_json`` False: the values that JSON would hold) without the path: problems get it
    back in ``Entry.from_record``.
    """
    return parse_all([(kind, path, data)], markup, as_json=as_json)[0]


def parse_all(jobs: Sequence[tuple[Kind, Path, bytes]], markup: Markup, *,
              as_json: bool = True) -> list[str | dict[str, Any]]:
    """``parse`` of each (kind, path, bytes), each step taken for every file before the next one (front matter,
    Markdown, sanitising, plain text, records): a step's code stays warm in the processor's caches, which makes a
    worker's chunk of files about a sixth quicker than file after file. The records are ``parse``'s."""
    files = [_front(kind, path, data) for kind, path, data in jobs]
    for file in files:
        file.convert(markup)
    for file in files:
        file.html = {name: markup.finish(html) for name, html in file.html.items()}
    for file in files:
        file.text = plain_text(file.html["body"]) if file.kind == "stretch" and file.html else ""
    return [_record(*file.result(), as_json=as_json) for file in files]


@dataclass
class _Parsing:
    """One file between the steps of ``parse_all``."""

    kind: Kind
    path: Path
    problems: list[Problem]
    source: SourceFile | None = None  # None: the file or its front matter could not be read
    doc: Located | None = None
    values: dict[str, Any] = field(default_factory=dict)
    markdown: dict[str, tuple[str, int]] = field(default_factory=dict)  # each text to convert and its first line
    html: dict[str, str] = field(default_factory=dict)
    text: str = ""
    slow: bool = False  # a text ran over its time budget: nothing of its Markdown is kept

    def convert(self, markup: Markup) -> None:
        """Convert its texts (not yet sanitised: ``Markup.finish``), stopping at one over its time budget."""
        try:
            for name, (markdown, line) in self.markdown.items():
                self.html[name], warnings = markup.convert(markdown, self.path, line)
                self.problems += warnings
        except ContentError as error:  # over its time budget
            self.problems.append(error)
            self.html, self.slow = {}, True

    def result(self) -> tuple[Any, ...]:
        """What its record holds, as ``_record`` takes it."""
        if self.source is None or self.doc is None:
            return False, {}, {}, {}, "", self.problems, []
        if self.slow:
            return True, self.values, self.doc.where, {}, "", self.problems, []
        return True, self.values, self.doc.where, self.html, self.text, self.problems, placeholders(self.source)


def _front(kind: Kind, path: Path, data: bytes) -> _Parsing:
    """A file read as far as its front matter and checked; its texts to convert, if nothing stops them."""
    try:
        source = split_front_matter(path, check_characters(path, decode(path, data)))
        if source.front is None:
            raise ContentError(path, 1, 1, f"has no front matter; start the file with '---', "
                               f"the {kind} fields, and another '---'")
        doc = parse_yaml(path, source.front, source.front_line)
    except ContentError as error:
        return _Parsing(kind, path, [error])
    spec = {"stretch": schema.STRETCH, "page": schema.PAGE, "translation": schema.TRANSLATED_PAGE}[kind]
    values, errors = schema.validate(doc, spec, f"the front matter of this {'page' if kind == 'translation' else kind}")
    file = _Parsing(kind, path, list(errors), source, doc, values)
    if kind == "stretch" and "title" in values:
        file.problems += _stretch_problems(values, doc, source)
    if not any(isinstance(problem, ContentError) for problem in file.problems):
        file.markdown = {"body": (source.body, source.body_line)}
        if kind != "stretch":
            file.markdown |= {name: (values[name], doc.at(name)[0] + 1) for name in PAGE_MARKDOWN if name in values}
    return file


def placeholders(source: SourceFile) -> list[tuple[int, int, str]]:
    """Where the file still holds a text ``relief new`` wrote for the editor to replace (YAML comments aside:
    ``new`` writes the optional fields commented out)."""
    texts = [text for text in schema.PLACEHOLDERS.values() if text in source.body or text in (source.front or "")]
    if not texts:  # as in nearly every file: no need to look line by line
        return []
    lines = [(source.front_line + i, line) for i, line in enumerate((source.front or "").splitlines())
             if not line.lstrip().startswith("#")]
    lines += [(source.body_line + i, line) for i, line in enumerate(source.body.splitlines())]
    return [(number, line.find(text) + 1, text) for number, line in lines for text in texts if text in line]


def _record(parsed: bool, values: dict[str, Any], where: dict[Key, tuple[int, int]], html: dict[str, str],
            text: str, problems: list[Problem], placeholders: list[tuple[int, int, str]], *,
            as_json: bool) -> str | dict[str, Any]:
    record = {"parsed": parsed,
              "values": {name: {"$date": value.isoformat()} if isinstance(value, dt.date) else value
                         for name, value in values.items()},
              "where": json.dumps([[*at, *key] for key, at in where.items()]),
              "html": html, "text": text,
              "problems": [[p.kind, p.line, p.column, p.message] for p in problems],
              "placeholders": placeholders}
    return json.dumps(record, ensure_ascii=False) if as_json else record


def _stretch_problems(values: dict[str, Any], doc: Located, source: SourceFile) -> list[Problem]:
    problems: list[Problem] = list(routine.problems(values, doc))
    if not source.body.strip():
        problems.append(ContentError(source.path, source.body_line, 1, "has no instructions; write the HOW "
                                     "steps below the front matter"))
    return problems
