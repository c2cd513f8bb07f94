"""The batch of content files in, their entries out: from a cache where one is kept, else parsed.

A file this process has seen before and whose signature (times, size, inode) has not
changed comes from the ``Memo`` without being read again; a file whose bytes are those of
an entry in the ``Store`` comes from there; every other file is parsed (``parse.parse``),
in this process or, when there are many (or ``--jobs N`` asks), on a pool of worker
processes. Checks do not live here: this is only where files are parsed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..cache import Memo, Store, signature
from ..errors import ContentError
from ..workers import chunked, cores, in_order, shared_map, start_method
from .markdown import Markup, alarm_handler, sanitise
from .parse import Entry, Kind, parse, parse_all

Job = tuple[Kind, Path, bytes]
Record = str | dict[str, Any]  # a record as JSON text, or as the values themselves (nothing keeps it on disk)
# Without --jobs, below this many files to parse, starting worker processes costs more than the
# other cores save: a forked worker starts at once, a spawned one (a new interpreter) takes about
# a quarter second.
POOL_THRESHOLD = {"fork": 300, "spawn": 2000}


@dataclass
class Batch:
    """Parses files for one build; ``jobs`` None chooses by size, 1 parses here, N uses N workers."""

    memo: Memo
    store: Store
    allow_html: bool = False
    jobs: int | None = None
    workers: set[int] = field(default_factory=set)  # process ids of the workers that parsed a file
    # what this process does while workers parse (relief.pipeline: what the build needs next, ahead of time)
    meanwhile: Callable[[], None] | None = None

    def entries(self, files: list[tuple[Kind, Path]], read: Callable[[Path], bytes]) -> dict[Path, Entry]:
        """The entry of every file that ``read`` can read; one it cannot is left out (the loader reports why)."""
        return dict(self.stream(files, read))

    def stream(self, files: list[tuple[Kind, Path]], read: Callable[[Path], bytes],
               ) -> Generator[tuple[Path, Entry], None, None]:
        """``entries`` one by one, in the order of ``files`` (those this process has seen before first), each as
        soon as it is parsed: the loader checks the first pages while the workers parse the last ones. Close it
        to stop them early."""
        unknown: list[tuple[Kind, Path, tuple[Any, ...]]] = []
        for kind, path in files:
            if not self.memo.lasting:  # a one-off build keeps no entry in its memo: none to look up by signature
                unknown.append((kind, path, ()))
                continue
            try:
                file = ("entry", kind, self.allow_html, path, *signature(path))
            except OSError:  # gone or unreadable: reported with its reason when its turn comes
                continue
            known = self.memo.get(file)
            if known is not None:
                key, entry, record = known
                self.store.keep_entry(key, record)
                yield path, entry
            else:
                unknown.append((kind, path, file))
        # nothing to look up, and forked workers, which inherit ``read``: they read the files too
        if self.store.empty and self._pool(len(unknown)) and start_method() == "fork":
            parsed = self._read_and_parse([(kind, path) for kind, path, _ in unknown], read)
            for (_, path, file), done in zip(unknown, parsed, strict=True):
                if done is not None:
                    yield path, self._keep(file, *done, Entry.from_record(path, done[1]))
            return
        jobs: list[Job] = []
        seen: list[tuple[Any, ...]] = []
        for kind, path, file in unknown:
            try:
                jobs.append((kind, path, read(path)))
                seen.append(file)
            except (OSError, ContentError):  # reported with its reason when its turn comes
                continue
        # a record holds no path (problems get it back from the job), so the key leaves it out
        keys = [self.store.key(kind, self._flag, data) for kind, _, data in jobs]
        # with allow_html no sanitiser runs, so a record from the (untrusted) folder is never used
        records = [None if self.allow_html else self.store.entry(key) for key in keys]
        found = [_entry(path, record) for (_, path, _), record in zip(jobs, records, strict=True)]
        parsed = self._parse([job for job, entry in zip(jobs, found, strict=True) if entry is None])
        for file, key, (_, path, _), entry, record in zip(seen, keys, jobs, found, records, strict=True):
            if entry is None:  # the same way as a cached one
                record = next(parsed)
                entry = Entry.from_record(path, record)
            assert record is not None
            yield path, self._keep(file, key, record, entry)
        assert next(parsed, None) is None  # and the pool, if one parsed them, is shut down

    @property
    def _flag(self) -> str:
        return "allow_html" if self.allow_html else ""

    def _keep(self, file: tuple[Any, ...], key: str, record: Record, entry: Entry) -> Entry:
        self.store.keep_entry(key, record)  # marks it used; with no folder, nothing is kept
        if self.memo.lasting:  # serve: the next build takes an unchanged file from here, unread
            self.memo.keep(file, (key, entry, record))
        return entry

    def _pool(self, files: int) -> bool:
        """Whether ``files`` files are parsed on a pool of worker processes."""
        count = cores() if self.jobs is None else self.jobs
        return count >= 2 and files >= 2 and (self.jobs is not None or files >= POOL_THRESHOLD[start_method()])

    def _parse(self, jobs: list[Job]) -> Iterator[Record]:
        """The record of every job, in order, as each is done; shared out over a pool of processes when it pays."""
        if not jobs:
            return
        as_json = self.store.folder is not None  # JSON only for a cache folder to keep
        if not self._pool(len(jobs)):
            markup = Markup(allow_html=self.allow_html)
            for kind, path, data in jobs:  # a generator: no handler kept across its pauses
                yield parse(kind, path, data, markup, as_json=as_json)
            return
        count = cores() if self.jobs is None else self.jobs
        chunks = chunked(jobs, count)
        done = shared_map(_parse_chunk, chunks, count, start_method(), [self.allow_html] * len(chunks),
                          [as_json] * len(chunks), meanwhile=self.meanwhile)
        yield from in_order(done, self.workers)

    def _read_and_parse(self, files: list[tuple[Kind, Path]], read: Callable[[Path], bytes],
                        ) -> Iterator[tuple[str, Record] | None]:
        """The key and record of every file, None for one ``read`` cannot read, read and parsed on a pool of
        forked workers: they inherit ``read`` and the store's renderer, and only the names go to them."""
        global _reading
        count = cores() if self.jobs is None else self.jobs
        # a record goes into the cache folder as JSON; with none (--no-cache) nobody reads that JSON
        _reading = (read, self.store.key, self._flag, self.store.folder is not None)
        try:
            chunks = chunked(files, count, per_worker=16)  # small chunks: no core idles long at the end
            yield from in_order(shared_map(_read_chunk, chunks, count, "fork", [self.allow_html] * len(chunks),
                                           meanwhile=self.meanwhile), self.workers)
        finally:
            _reading = None


# what a forked reader inherits: the reader, the store's key, its flag, whether records are kept as JSON
_reading: tuple[Callable[[Path], bytes], Callable[..., str], str, bool] | None = None


def _read_chunk(files: list[tuple[Kind, Path]], allow_html: bool) -> tuple[int, list[tuple[str, Record] | None]]:
    """Each file of ``files`` read, keyed and parsed (None: it cannot be read; the loader says why)."""
    assert _reading is not None
    read, key, flag, as_json = _reading
    markup = Markup(allow_html=allow_html)
    data: list[bytes | None] = []
    for _, path in files:  # each step for every file in turn (``parse_all``): reading first
        try:
            data.append(read(path))
        except (OSError, ContentError):
            data.append(None)
    jobs = [(kind, path, bytes_) for (kind, path), bytes_ in zip(files, data, strict=True) if bytes_ is not None]
    with alarm_handler():
        records = iter(parse_all(jobs, markup, as_json=as_json))
    out = [None if bytes_ is None else (key(kind, flag, bytes_), next(records))
           for (kind, _), bytes_ in zip(files, data, strict=True)]
    return os.getpid(), out


def _entry(path: Path, record: str | None) -> Entry | None:
    """The entry of a record from the cache folder, its HTML sanitised again (whoever can write the folder
    could have written anything); None if there is none or it was damaged (then the file is parsed again)."""
    if record is None:
        return None
    try:
        entry = Entry.from_record(path, record)
        return replace(entry, html={name: sanitise(str(html)) for name, html in entry.html.items()})
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _parse_chunk(jobs: list[Job], allow_html: bool, as_json: bool) -> tuple[int, list[Record]]:
    """The records of ``jobs`` and the id of the process that parsed them."""
    markup = Markup(allow_html=allow_html)  # one converter for the chunk, reset between files
    with alarm_handler():
        return os.getpid(), parse_all(jobs, markup, as_json=as_json)
