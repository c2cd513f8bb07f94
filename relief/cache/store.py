"""What earlier runs made, kept on disk in ``.relief-cache/`` for the next run.

Two kinds of result are kept: parsed entries (``relief.load.parse`` records) and rendered
pages. Each is stored under a key hashing every input that shapes it *and* the renderer:
relief's own source and the versions of Markdown, nh3, PyYAML and Jinja. Whatever would
change the output changes the key, so a stale result is never served.

Reading is free of side effects: ``entry`` and ``page`` only look. A build says what it
uses with ``keep_entry`` and ``keep_page``, and ``save`` writes that and drops the rest.

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
from pathlib import Path

import jinja2
import markdown
import nh3
import yaml

from .. import __version__

FOLDER = ".relief-cache"
_INDEX = "index"
_PAGES = "pages"
_ENTRIES = "entries"
_FORMAT = 3
_PACKAGE = Path(__file__).resolve().parent.parent


def renderer_fingerprint() -> str:
    """Changes whenever relief's code or a library that shapes the output changes."""
    digest = hashlib.sha256()
    compiled = nh3.nh3.__file__  # nh3 tells no version; its compiled module changes with it
    nh3_build = os.stat(compiled)
    versions = {"relief": __version__, "markdown": markdown.__version__, "pyyaml": yaml.__version__,
                "jinja2": jinja2.__version__, "nh3": [compiled, nh3_build.st_size, nh3_build.st_mtime_ns]}
    digest.update(json.dumps(versions, sort_keys=True).encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        digest.update(source.relative_to(_PACKAGE).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


class Store:
    """Results by key; ``folder`` None keeps nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.fingerprint = renderer_fingerprint()
        self._dirty: set[str] = set()  # entry files to write again: the first two hex digits of their keys
        index = self._read_index()
        self._stale = index is None  # what is on disk is of no use: replace it all
        self._page_digests: dict[str, str] = index or {}  # page key -> SHA-256 of its bytes
        self._entries: dict[str, str] = self._read_entries() if index is not None else {}
        self._pages: dict[str, bytes] = {}  # pages read or rendered by this process
        self._new_pages: set[str] = set()  # ... of which these are not on disk yet
        self._kept_entries: set[str] = set()  # what this build uses
        self._kept_pages: set[str] = set()
        self._changed = False

    def key(self, *parts: str | bytes) -> str:
        """A key for a result made from ``parts`` by this renderer."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)  # length first: ("ab","c") != ("a","bc")
        return digest.hexdigest()

    def entry(self, key: str) -> str | None:
        """The record kept under ``key``, if any."""
        return self._entries.get(key)

    def keep_entry(self, key: str, record: str) -> None:
        """This build uses ``record`` (new, or read with ``entry``): keep it."""
        if self._entries.get(key) != record:
            self._entries[key] = record
            self._dirty.add(key[:2])
        self._kept_entries.add(key)

    def page(self, key: str) -> bytes | None:
        """The page kept under ``key``, if any and if its bytes are those the index names."""
        data = self._pages.get(key)
        if data is None and self.folder is not None and key in self._page_digests:
            try:
                data = (self.folder / _PAGES / f"{key}.html").read_bytes()
            except OSError:  # removed by another build since this one read the index
                return None
            if hashlib.sha256(data).hexdigest() != self._page_digests[key]:
                return None
            self._pages[key] = data
        return data

    def keep_page(self, key: str, data: bytes) -> None:
        """This build uses the page ``data`` (new, or read with ``page``): keep it."""
        if key not in self._page_digests or key not in self._pages:
            self._new_pages.add(key)
            self._changed = True
        self._pages[key] = data
        self._page_digests[key] = hashlib.sha256(data).hexdigest()
        self._kept_pages.add(key)

    def save(self) -> None:
        """Write what this build kept and drop what it did not, in memory and on disk."""
        self._dirty |= {key[:2] for key in self._entries.keys() - self._kept_entries}
        if self._page_digests.keys() - self._kept_pages:
            self._changed = True
        self._entries = {key: self._entries[key] for key in self._kept_entries}
        self._page_digests = {key: self._page_digests[key] for key in self._kept_pages}
        self._pages = {key: data for key, data in self._pages.items() if key in self._kept_pages}
        self._new_pages &= self._kept_pages
        self._kept_entries, self._kept_pages = set(), set()
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
        """Every record on disk by key; a record is decoded only when used (``relief.load.batch``)."""
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
