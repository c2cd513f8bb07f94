"""What earlier runs parsed, kept on disk in ``.relief-cache/`` for the next run.

Parsed entries (``relief.load.parse`` records) are stored under a key hashing the file's
bytes *and* the renderer: relief's own source and the versions of Markdown, nh3, PyYAML and
Jinja. Whatever would change the output changes the key, so a stale record is never used.
The folder is not trusted: whoever can write it could write any record, so the HTML of a
record read from it is sanitised again before use (``relief.load.batch``); rendered pages
are not kept on disk at all; ``check`` never uses it.

Reading is free of side effects: ``entry`` only looks. A build says what it uses with
``keep_entry``, and ``save`` writes that and drops the rest.

On disk: ``index`` (a JSON head: format and renderer) and the entries in 256 files
``entries/<first two hex digits of their keys>``, a line each: key, space, record. So an
edit rewrites one or two small files, not all. Each file is written whole and atomically (a
temporary file, then ``os.replace``) under a lock. A folder or file of the cache that is a
symbolic link is ignored, never followed, and clean-up deletes only names the cache writes.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

import markdown
import nh3
import yaml

from .. import __version__

FOLDER = ".relief-cache"
_INDEX = "index"
_ENTRIES = "entries"
_FORMAT = 4
_SHARD = re.compile(r"[0-9a-f]{2}")
_PACKAGE = Path(__file__).resolve().parent.parent
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def renderer_fingerprint() -> str:
    """Changes whenever relief's code or a library that shapes the output changes."""
    digest = hashlib.sha256()
    compiled = nh3.nh3.__file__  # nh3 tells no version; its compiled module changes with it
    nh3_build = os.stat(compiled)
    versions = {"relief": __version__, "markdown": markdown.__version__, "pyyaml": yaml.__version__,
                "jinja2": _package_init("jinja2"), "babel": _package_init("babel"),
                "nh3": [compiled, nh3_build.st_size, nh3_build.st_mtime_ns]}
    digest.update(json.dumps(versions, sort_keys=True).encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        digest.update(source.relative_to(_PACKAGE).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def _package_init(name: str) -> str | None:
    """The hash of a library's ``__init__.py``, which holds its version: Jinja and Babel are told apart without
    being imported, which a one-off build does only once its workers have started parsing."""
    spec = importlib.util.find_spec(name)
    return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest() if spec and spec.origin else None


class Store:
    """Records by key; ``folder`` None (``--no-cache``), or a folder that is a link, keeps nothing on disk."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder if folder is not None and _plain_folder_or_none(folder) else None
        self.fingerprint = renderer_fingerprint()
        self._dirty: set[str] = set()  # entry files to write again: the first two hex digits of their keys
        fresh = self._read_index()
        self._stale = not fresh  # what is on disk is of no use: replace it all
        self._entries: dict[str, str] = self._read_entries() if fresh else {}
        self._kept: set[str] = set()  # what this build uses

    def key(self, *parts: str | bytes) -> str:
        """A key for a result made from ``parts`` by this renderer."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)  # length first: ("ab","c") != ("a","bc")
        return digest.hexdigest()

    @property
    def empty(self) -> bool:
        """Whether no record is kept at all (``--no-cache``, a first build, a new renderer): none to look up."""
        return not self._entries

    def entry(self, key: str) -> str | None:
        """The record kept under ``key``, if any."""
        return self._entries.get(key)

    def keep_entry(self, key: str, record: str | dict) -> None:
        """This build uses ``record`` (new, or read with ``entry``): keep it. Only JSON text is kept in a
        folder; with none (``--no-cache``) a record may be its values, and nothing is kept."""
        if self.folder is not None and self._entries.get(key) != record:  # no folder: nothing to save
            self._entries[key] = record
            self._dirty.add(key[:2])
        self._kept.add(key)

    def save(self) -> None:
        """Write what this build kept and drop what it did not, in memory and on disk."""
        self._dirty |= {key[:2] for key in self._entries.keys() - self._kept}
        self._entries = {key: self._entries[key] for key in self._kept if key in self._entries}
        self._kept = set()
        if self.folder is None or not (self._dirty or self._stale):
            return
        entries = self.folder / _ENTRIES
        self.folder.mkdir(exist_ok=True)
        entries.mkdir(exist_ok=True)
        if not (_plain_folder(self.folder) and _plain_folder(entries)):
            return  # turned into a link since the cache was read: write nothing through it
        with _open_lock(self.folder / "lock") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: a build and serve may overlap
            shards: dict[str, list[str]] = {shard: [] for shard in self._dirty}
            for key, record in self._entries.items():
                if self._stale or key[:2] in self._dirty:
                    shards.setdefault(key[:2], []).append(f"{key} {record}\n")
            for shard, lines in shards.items():
                if lines:
                    _write_atomic(entries / shard, "".join(lines).encode())
                else:
                    _remove_file(entries / shard)
            _write_atomic(self.folder / _INDEX, json.dumps({"format": _FORMAT, "renderer": self.fingerprint}).encode())
            # what a renderer now gone, or a killed build (its temporary files), left: only names written here
            for old in entries.iterdir():
                ours = _SHARD.fullmatch(old.name) or (old.name.startswith(".") and _SHARD.match(old.name[1:]))
                if ours and (old.name.startswith(".") or (self._stale and old.name not in shards)):
                    _remove_file(old)
            for old in self.folder.glob(f".{_INDEX}.*"):
                _remove_file(old)
        self._stale, self._dirty = False, set()

    def _read_index(self) -> bool:
        """Whether the index names this format and renderer (missing, damaged or a link: no)."""
        if self.folder is None:
            return False
        try:
            head = json.loads(_read_plain(self.folder / _INDEX))
        except (OSError, ValueError):  # missing, unreadable, a link, cut short, not JSON: start afresh
            return False
        return isinstance(head, dict) and head.get("format") == _FORMAT and head.get("renderer") == self.fingerprint

    def _read_entries(self) -> dict[str, str]:
        """Every record on disk by key; a record is decoded only when used (``relief.load.batch``)."""
        records: dict[str, str] = {}
        folder = self.folder / _ENTRIES if self.folder else None
        if folder is None or not _plain_folder(folder):
            return records
        for shard in sorted(folder.glob("??")):
            try:
                lines = _read_plain(shard).decode().split("\n")
            except (OSError, ValueError):  # unreadable, a link, not text: written again at the next save
                self._dirty.add(shard.name)
                continue
            records.update((key, record) for key, _, record in (line.partition(" ") for line in lines) if record)
        return records


def signature(path: Path) -> tuple[int, int, int, int]:
    """What changes whenever a file's bytes do: its times, size and inode (a save by rename)."""
    info = path.stat()
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino


def _plain_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _plain_folder_or_none(path: Path) -> bool:
    """A real folder, or nothing yet (then it is made as one); a link or a file is not ours to use."""
    return _plain_folder(path) or not (path.exists() or path.is_symlink())


def _read_plain(path: Path) -> bytes:
    """The bytes of a regular file, never through a link (``OSError`` otherwise)."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return file.read()


def _open_lock(path: Path) -> BinaryIO:
    """The lock file, opened without following a link (a link there is an error, not a file to truncate)."""
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644), "r+b")


def _remove_file(path: Path) -> None:
    """Remove ``path`` if it is a file or a link (the link itself); never what a link points to."""
    try:
        if not stat.S_ISDIR(path.lstat().st_mode):
            path.unlink()
    except FileNotFoundError:
        pass


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)  # replaces a link at ``path`` itself, never its target
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
