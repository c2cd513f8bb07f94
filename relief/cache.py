"""What earlier builds made, kept for the next one: in memory (serve) and in ``.relief-cache/``.

Two kinds of result are kept on disk: parsed entries (``relief.entry`` records) and
rendered pages. Each is stored under a key hashing every input that shapes it *and* the
renderer: relief's own source and the versions of Markdown, nh3, PyYAML and Jinja.
Whatever would change the output changes the key, so a stale result is never served.
Files are written whole and atomically (a temporary file, then ``os.replace``) under a
lock; a file that cannot be read or does not check out is ignored, as if it were empty.
Within one process (``serve``), more is held in memory: ``hold``/``recall``.
A build keeps only what it used.
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
_FORMAT = 2


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
        index = self._read_index()
        self._entries: dict[str, str] = index.get("entries", {})  # key -> a record's JSON text
        self._page_digests: dict[str, str] = index.get("pages", {})  # page key -> SHA-256 of its bytes
        self._pages: dict[str, bytes] = {}  # pages read or rendered by this process
        self._new_pages: set[str] = set()  # ... of which these are not on disk yet
        self._used_entries: set[str] = set()
        self._used_pages: set[str] = set()
        self._changed = False
        self._held: dict[Hashable, Any] = {}  # in memory only: what the last build held
        self._holding: dict[Hashable, Any] = {}  # ... and what this one holds

    def recall(self, key: Hashable) -> Any | None:
        """What this process ``hold``-s under ``key``, if anything."""
        value = self._holding.get(key)
        if value is None:
            value = self._held.get(key)
            if value is not None:
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
        self._changed = True

    def forget_entry(self, key: str) -> None:
        """Drop a record that turned out unreadable."""
        self._entries.pop(key, None)
        self._used_entries.discard(key)
        self._changed = True

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
        if self._entries.keys() - self._used_entries or self._page_digests.keys() - self._used_pages:
            self._changed = True
        self._entries = {key: self._entries[key] for key in self._used_entries}
        self._page_digests = {key: self._page_digests[key] for key in self._used_pages}
        self._pages = {key: data for key, data in self._pages.items() if key in self._used_pages}
        self._new_pages &= self._used_pages
        self._held, self._holding = self._holding, {}
        self._used_entries, self._used_pages = set(), set()
        if self.folder is None or not self._changed:
            return
        pages = self.folder / _PAGES
        pages.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: a build and serve may overlap
            for key in self._new_pages & self._pages.keys():
                _write_atomic(pages / f"{key}.html", self._pages[key])
            head = {"format": _FORMAT, "renderer": self.fingerprint, "pages": self._page_digests}
            lines = [json.dumps(head), *(f"{key} {record}" for key, record in self._entries.items()), ""]
            _write_atomic(self.folder / _INDEX, "\n".join(lines).encode())
            leftovers = [*pages.iterdir(), *self.folder.glob(f".{_INDEX}.*")]  # of earlier or killed builds
            for old in leftovers:
                if old.stem not in self._page_digests:
                    old.unlink(missing_ok=True)
        self._changed, self._new_pages = False, set()

    def _read_index(self) -> dict[str, Any]:
        """The index: a JSON head line (format, renderer, page digests), then a line per entry:
        its key, a space, its record. A record is read only when used; one that does not
        read is parsed again (``relief.entry``)."""
        if self.folder is None:
            return {}
        try:
            head, *lines = (self.folder / _INDEX).read_bytes().decode().split("\n")
            index = json.loads(head)
        except (OSError, ValueError):  # missing, unreadable, not text, no JSON head: start afresh
            return {}
        if not (isinstance(index, dict) and index.get("format") == _FORMAT
                and index.get("renderer") == self.fingerprint and isinstance(index.get("pages"), dict)):
            return {}
        index["entries"] = {key: record for key, _, record in (line.partition(" ") for line in lines) if record}
        return index


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
