"""One content file's bytes in; its checked front matter, rendered Markdown and problems out.

``parse`` is a pure function of (kind, path, bytes, ``allow_html``): every check that needs
no other file and no file system. That is what lets ``relief.cache`` keep its result under
the hash of those inputs, and ``parse_all`` spread many files over every core. What needs
the file system or other files (pictures, ids, group folders) is checked in
``relief.content``. An entry travels between processes and into the cache as a plain
record: JSON text (``parse``'s result, read by ``Entry.from_record``).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import sys
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from . import schema
from .cache import Cache, signature
from .errors import ContentError, ContentWarning, Problem
from .markup import Markup, plain_text
from .source import Key, Located, SourceFile, decode, parse_yaml, split_front_matter

Kind = Literal["page", "stretch"]
Job = tuple[Kind, Path, bytes]
PAGE_MARKDOWN = ("disclaimer", "instructions", "get_help")  # a page's front matter fields in Markdown
# Below this many files to parse, starting worker processes costs more than the other cores save:
# a forked worker starts at once, a spawned one (a new interpreter) takes about a quarter second.
POOL_THRESHOLD = {"fork": 300, "spawn": 2000}
_PROBLEMS: dict[str, type[Problem]] = {"error": ContentError, "warning": ContentWarning}


@dataclass(frozen=True)
class Entry:
    """A parsed content file: what ``relief.content`` needs of it, and what was wrong with it."""

    path: Path
    parsed: bool  # False: the file or its front matter could not be read; only ``problems`` is set
    values: dict[str, Any]  # the checked front matter
    html: dict[str, str]  # rendered Markdown: "body", and for a page its PAGE_MARKDOWN fields
    text: str  # a stretch's body as plain text, for structured data
    problems: tuple[Problem, ...]
    positions: str  # JSON [[line, column, *key], ...]: decoded only when a message needs a place

    @property
    def failed(self) -> bool:
        return any(isinstance(problem, ContentError) for problem in self.problems)

    @cached_property
    def doc(self) -> Located:
        """Where each front matter key is (the raw YAML is not kept)."""
        where = {tuple(key): (line, column) for line, column, *key in json.loads(self.positions)}
        return Located(None, self.path, where)

    @classmethod
    def from_record(cls, path: Path, text: str) -> Entry:
        """The entry of ``path`` from its record (``parse``'s result, maybe via the cache)."""
        record = json.loads(text)
        values = {name: dt.date.fromisoformat(value["$date"]) if isinstance(value, dict) and "$date" in value
                  else value for name, value in record["values"].items()}
        problems = tuple(_PROBLEMS[kind](path, line, column, message)
                         for kind, line, column, message in record["problems"])
        return cls(path, record["parsed"], values, record["html"], record["text"], problems, record["where"])


def parse(kind: Kind, path: Path, data: bytes, markup: Markup) -> str:
    """The record of one page (``_page.md``) or stretch file; ``markup`` carries ``allow_html``.

    A record is JSON text without the path: problems get it back in ``Entry.from_record``.
    """
    try:
        source = split_front_matter(path, decode(path, data))
        if source.front is None:
            raise ContentError(path, 1, 1, f"has no front matter; start the file with '---', "
                               f"the {kind} fields, and another '---'")
        doc = parse_yaml(path, source.front, source.front_line)
    except ContentError as error:
        return _record(False, {}, {}, {}, "", [error])
    spec = schema.STRETCH if kind == "stretch" else schema.PAGE
    values, errors = schema.validate(doc, spec, f"the front matter of this {kind}")
    problems: list[Problem] = list(errors)
    if kind == "stretch" and "title" in values:
        problems += _stretch_problems(values, doc, source)
    html: dict[str, str] = {}
    text = ""
    if not any(isinstance(problem, ContentError) for problem in problems):
        sources = {"body": (source.body, source.body_line)}
        if kind == "page":
            sources |= {name: (values[name], doc.at(name)[0] + 1) for name in PAGE_MARKDOWN}
        for name, (markdown, line) in sources.items():
            html[name], warnings = markup.render(markdown, path, line)
            problems += warnings
        text = plain_text(html["body"]) if kind == "stretch" else ""
    return _record(True, values, doc.where, html, text, problems)


def _record(parsed: bool, values: dict[str, Any], where: dict[Key, tuple[int, int]], html: dict[str, str],
            text: str, problems: list[Problem]) -> str:
    record = {"parsed": parsed,
              "values": {name: {"$date": value.isoformat()} if isinstance(value, dt.date) else value
                         for name, value in values.items()},
              "where": json.dumps([[*at, *key] for key, at in where.items()]),
              "html": html, "text": text,
              "problems": [[p.kind, p.line, p.column, p.message] for p in problems]}
    return json.dumps(record, ensure_ascii=False)


def _stretch_problems(values: dict[str, Any], doc: Located, source: SourceFile) -> list[Problem]:
    problems: list[Problem] = []
    if not values.get("extra") and "duration" not in values and "duration" not in (doc.data or {}):
        problems.append(doc.error((), "a routine stretch needs 'duration:' (seconds it takes); "
                                  "or set 'extra: true'"))
    if not source.body.strip():
        problems.append(ContentError(source.path, source.body_line, 1, "has no instructions; write the HOW "
                                     "steps below the front matter"))
    return problems


def parse_files(files: list[tuple[Kind, Path]], allow_html: bool, cache: Cache) -> dict[Path, Entry]:
    """The entry of every file that can be read: from ``cache`` where it has one (by content
    hash), else parsed, and then kept there. A file this process has seen before and whose
    signature (times, size, inode) has not changed is not even read again: that keeps a
    rebuild in ``serve`` in proportion to what was saved."""
    entries: dict[Path, Entry] = {}
    jobs: list[Job] = []
    seen: list[tuple[Any, ...]] = []
    for kind, path in files:
        try:
            file = ("entry", kind, allow_html, path, *signature(path))
            known = cache.recall(file)
            if known is not None and cache.entry(known[0]) is not None:  # keeps its record in the index too
                entries[path] = known[1]
                continue
            jobs.append((kind, path, path.read_bytes()))
            seen.append(file)
        except OSError:  # gone or unreadable: reported with its reason when the file's turn comes
            continue
    # a record holds no path (problems get it back from the job), so the key leaves it out
    keys = [cache.key(kind, "allow_html" if allow_html else "", data) for kind, _, data in jobs]
    found = [_cached(cache, key, path) for key, (_, path, _) in zip(keys, jobs, strict=True)]
    missing = [index for index, entry in enumerate(found) if entry is None]
    for index, record in zip(missing, parse_all([jobs[i] for i in missing], allow_html), strict=True):
        cache.keep_entry(keys[index], record)
        found[index] = Entry.from_record(jobs[index][1], record)  # the same way as a cached one
    for file, key, (_, path, _), entry in zip(seen, keys, jobs, found, strict=True):
        entries[path] = cache.hold(file, (key, entry))[1]
    return entries


def _cached(cache: Cache, key: str, path: Path) -> Entry | None:
    record = cache.entry(key)
    if record is None:
        return None
    try:
        return Entry.from_record(path, record)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # damaged by hand: parse again
        cache.forget_entry(key)
        return None


def parse_all(jobs: list[Job], allow_html: bool) -> list[str]:
    """The record of every job, in order; many jobs are shared out over a pool of processes."""
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # fork is quick, but unsafe in a process already running other threads (as serve may)
    method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
    if len(jobs) < POOL_THRESHOLD[method] or workers < 2:
        return _parse_chunk(jobs, allow_html)
    # a few chunks per worker, so that one slow chunk does not leave a core idle at the end
    size = -(-len(jobs) // (workers * 4))
    chunks = [jobs[start:start + size] for start in range(0, len(jobs), size)]
    import multiprocessing  # here, not at the top: most builds need no pool and skip its imports
    from concurrent.futures import ProcessPoolExecutor

    gc.freeze()  # forked workers share this process's objects: their collector must not touch (copy) them
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
            done = pool.map(_parse_chunk, chunks, [allow_html] * len(chunks))
            return [record for chunk in done for record in chunk]
    finally:
        gc.unfreeze()


def _parse_chunk(jobs: list[Job], allow_html: bool) -> list[str]:
    markup = Markup(allow_html=allow_html)  # one converter for the chunk, reset between files
    return [parse(kind, path, data, markup) for kind, path, data in jobs]
