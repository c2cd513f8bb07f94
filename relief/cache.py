"""What earlier builds made, kept for the next one: in memory (serve) and in ``.relief-cache/``.

Two kinds of result are kept on disk: parsed entries (``relief.entry`` records) and
rendered pages. Each is stored under a key hashing every input that shapes it *and* the
renderer: relief's own source and the versions of Markdown, nh3, PyYAML and Jinja.
Whatever would change the output changes the key, so a stale result is never served.
Within one process (``serve``), more is held in memory: ``hold``/``recall``. A build
keeps only what it used.

On disk: ``index`` (a JSON head: format, renderer, the SHA-256 of each page kept),
``pages/<key>.html``, and the entries in 256 files ``entries/<first two hex digits of
their keys>``, a line each: key, space, record. So an edit rewrites one or two small
files, not all. Each file is written whole and atomically (a temporary file, then
``os.replace``) under a lock; one that cannot be read or does not check out is ignored.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import jinja2
import markdown
import nh3
import yaml

from . import __version__, assets

FOLDER = ".relief-cache"
_INDEX = "index"
_PAGES = "pages"
_ENTRIES = "entries"
_FORMAT = 3


def renderer_fingerprint() -> str:
    """Changes whenever relief's code or a library that shapes the output changes."""
    digest = hashlib.sha256()
    compiled = nh3.nh3.__file__  # nh3 tells no version; its compiled module changes with it
    nh3_build = os.stat(compiled)
    versions = {"relief": __version__, "markdown": markdown.__version__, "pyyaml": yaml.__version__,
                "jinja2": jinja2.__version__, "nh3": [compiled, nh3_build.st_size, nh3_build.st_mtime_ns]}
    digest.update(json.dumps(versions, sort_keys=True).encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


class Cache:
    """Results by key; ``folder`` None keeps them in memory only (``--no-cache``)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.fingerprint = renderer_fingerprint()
        self._dirty: set[str] = set()  # entry files to write again: the first two hex digits of their keys
        self._page_digests: dict[str, str] = self._read_index()  # page key -> SHA-256 of its bytes
        self._entries: dict[str, str] = self._read_entries() if self._page_digests is not None else {}
        self._stale = self._page_digests is None  # what is on disk is of no use: replace it all
        self._page_digests = self._page_digests or {}
        self._pages: dict[str, bytes] = {}  # pages read or rendered by this process
        self._new_pages: set[str] = set()  # ... of which these are not on disk yet
        self._used_entries: set[str] = set()
        self._used_pages: set[str] = set()
        self._changed = False
        self._held: dict[Hashable, Any] = {}  # in memory only: what the last build held
        self._holding: dict[Hashable, Any] = {}  # ... and what this one holds

    def recall(self, key: Hashable) -> Any | None:
        """What this process ``hold``-s under ``key``, if anything."""
        value = self._held.pop(key, None)  # held by the last build: this one holds it now
        if value is None:
            return self._holding.get(key)
        self._holding[key] = value
        return value

    def hold(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` in memory for the next builds of this process; returns it."""
        self._holding[key] = value
        return value

    def image_size(self, path: Path) -> tuple[int, int]:
        """``assets.image_size``, remembered while the file stays the same."""
        key = ("image size", path, *signature(path))
        size = self.recall(key)
        return size if size is not None else self.hold(key, assets.image_size(path))

    def key(self, *parts: str | bytes) -> str:
        """A key for a result made from ``parts`` by this renderer."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)  # length first: ("ab","c") != ("a","bc")
        return digest.hexdigest()

    def entry(self, key: str) -> str | None:
        record = self._entries.get(key)
        if record is not None:
            self._used_entries.add(key)
        return record

    def keep_entry(self, key: str, record: str) -> None:
        self._entries[key] = record
        self._used_entries.add(key)
        self._dirty.add(key[:2])

    def forget_entry(self, key: str) -> None:
        """Drop a record that turned out unreadable."""
        self._entries.pop(key, None)
        self._used_entries.discard(key)
        self._dirty.add(key[:2])

    def page(self, key: str) -> bytes | None:
        data = self._pages.get(key)
        if data is None and self.folder is not None and key in self._page_digests:
            try:
                data = (self.folder / _PAGES / f"{key}.html").read_bytes()
            except OSError:  # removed by another build since this one read the index
                data = None
            if data is not None and hashlib.sha256(data).hexdigest() != self._page_digests[key]:
                data = None
            if data is not None:
                self._pages[key] = data
        if data is not None:
            self._used_pages.add(key)
        return data

    def keep_page(self, key: str, data: bytes) -> None:
        self._pages[key] = data
        self._page_digests[key] = hashlib.sha256(data).hexdigest()
        self._used_pages.add(key)
        self._new_pages.add(key)
        self._changed = True

    def save(self) -> None:
        """Write what this build made and drop what it did not use, in memory and on disk."""
        self._dirty |= {key[:2] for key in self._entries.keys() - self._used_entries}
        if self._page_digests.keys() - self._used_pages:
            self._changed = True
        self._entries = {key: self._entries[key] for key in self._used_entries}
        self._page_digests = {key: self._page_digests[key] for key in self._used_pages}
        self._pages = {key: data for key, data in self._pages.items() if key in self._used_pages}
        self._new_pages &= self._used_pages
        self._held, self._holding = self._holding, {}
        self._used_entries, self._used_pages = set(), set()
        if self.folder is None or not (self._changed or self._dirty or self._stale):
            return
        pages, entries = self.folder / _PAGES, self.folder / _ENTRIES
        pages.mkdir(parents=True, exist_ok=True)
        entries.mkdir(exist_ok=True)
        with open(self.folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: a build and serve may overlap
            for key in self._new_pages:
                _write_atomic(pages / f"{key}.html", self._pages[key])
            shards: dict[str, list[str]] = {shard: [] for shard in self._dirty}
            for key, record in self._entries.items():
                if self._stale or key[:2] in self._dirty:
                    shards.setdefault(key[:2], []).append(f"{key} {record}\n")
            for shard, lines in shards.items():
                if lines:
                    _write_atomic(entries / shard, "".join(lines).encode())
                else:
                    (entries / shard).unlink(missing_ok=True)
            head = {"format": _FORMAT, "renderer": self.fingerprint, "pages": self._page_digests}
            _write_atomic(self.folder / _INDEX, json.dumps(head).encode())
            # what earlier builds, a renderer now gone, or a killed build (its temporary files) left
            gone = [p for p in pages.iterdir() if p.stem not in self._page_digests]
            gone += [p for p in entries.iterdir() if p.name.startswith(".") or (self._stale and p.name not in shards)]
            gone += self.folder.glob(f".{_INDEX}.*")
            for old in gone:
                old.unlink(missing_ok=True)
        self._changed, self._stale, self._dirty, self._new_pages = False, False, set(), set()

    def _read_index(self) -> dict[str, str] | None:
        """The page digests of the index; None if it is missing, damaged or of another renderer."""
        if self.folder is None:
            return None
        try:
            head = json.loads((self.folder / _INDEX).read_bytes())
        except (OSError, ValueError):  # missing, unreadable, cut short, not JSON: start afresh
            return None
        fresh = (isinstance(head, dict) and head.get("format") == _FORMAT
                 and head.get("renderer") == self.fingerprint and isinstance(head.get("pages"), dict))
        return head["pages"] if fresh else None

    def _read_entries(self) -> dict[str, str]:
        """Every record on disk by key; a record is decoded only when used (``relief.entry``)."""
        records: dict[str, str] = {}
        for shard in sorted((self.folder / _ENTRIES).glob("??")) if self.folder else []:
            try:
                lines = shard.read_bytes().decode().split("\n")
            except (OSError, ValueError):  # unreadable or not text: written again at the next save
                self._dirty.add(shard.name)
                continue
            records.update((key, record) for key, _, record in (line.partition(" ") for line in lines) if record)
        return records


def signature(path: Path) -> tuple[int, int, int, int]:
    """What changes whenever a file's bytes do: its times, size and inode (a save by rename)."""
    info = path.stat()
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
