"""Whether the output folder already holds what a build would write: a stamp of the last build.

A build with the cache on records, in ``.relief-cache/built-<out>``, what it read and what it
wrote: every file under ``content/``, ``templates/``, ``assets/`` and ``locales/`` (name, size, times, inode),
the renderer (relief's code, the libraries' versions), the options, the day, and every file it
left in the output folder. The next build takes the same stamp first; when both are equal it
has nothing to do and says so, in the time it takes to list the files (``bench/run.py``,
"rebuild, nothing changed").

Never stale: anything the stamp cannot vouch for means a full build. A symbolic link, a FIFO
or any other odd file among the inputs (the loader judges those), a file changed within two
seconds of the stamp (a file system with coarse times could hide a same-size edit; those are
compared by content), a file added, removed or touched in the output folder, another day (a
warning may depend on the date), a new relief: each one misses. The cache folder is not trusted
(``relief.cache.store``): a stamp only ever lets a build be skipped when its inputs and the
output folder look exactly as recorded, and its warnings are printed as escaped as any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store import _plain_folder, _read_plain, _remove_file, _write_atomic

INPUTS = ("content", "templates", "assets", "locales")  # every folder a build reads
_FORMAT = 1
_RACY_NS = 2_000_000_000  # a file changed this close to the stamp is compared by its bytes


@dataclass(frozen=True)
class Stamp:
    """What one build read (``inputs``) under one key: renderer, options, output folder and day."""

    key: str
    slot: str  # names the record of this output folder
    project: Path
    inputs: dict[str, list[Any]]  # relative path -> [size, mtime_ns, ctime_ns, inode] (+ sha256 when racy)

    @classmethod
    def take(cls, project: Path, out: Path, renderer: str, options: Any) -> Stamp | None:
        """The stamp of ``project`` now, or None when an input is not a plain file or folder."""
        key = json.dumps([_FORMAT, renderer, repr(options), str(out.absolute()), today()])
        now = time.time_ns()
        inputs: dict[str, list[Any]] = {}
        for name in INPUTS:
            if not _list(project / name, name, now, inputs):
                return None
        slot = hashlib.sha256(str(out.absolute()).encode()).hexdigest()[:32]
        return cls(hashlib.sha256(key.encode()).hexdigest(), slot, project, inputs)


def today() -> str:
    """The day, in the key: a build on another day builds again (a warning may depend on the date)."""
    return dt.date.today().isoformat()


def _list(folder: Path, relative: str, now: int, inputs: dict[str, list[Any]]) -> bool:
    """Add every file below ``folder`` to ``inputs``; False at anything but plain files and folders."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        inputs[relative] = ["missing"]
        return True
    except OSError:
        return False
    inputs[relative] = ["folder"]
    for entry in entries:
        name = f"{relative}/{entry.name}"
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            if not _list(Path(entry.path), name, now, inputs):
                return False
        elif stat.S_ISREG(info.st_mode):
            record: list[Any] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
            if now - max(info.st_mtime_ns, info.st_ctime_ns) < _RACY_NS:
                try:
                    record.append(hashlib.sha256(_read_plain(Path(entry.path))).hexdigest())
                except OSError:
                    return False
            inputs[name] = record
        else:
            return False  # a link, a FIFO, a socket, a device: the loader says what to do about it
    return True


def outputs(out: Path, kept: tuple[str, ...], beside: str) -> dict[str, list[int]] | None:
    """Every entry of the output folder but the kept ones (``.git``, ``CNAME``, ``keep_files``): name,
    kind, size, modification time and inode; and the build's files beside it (names starting with
    ``beside``: its lock, what a killed build left); None if it cannot be listed."""
    listed: dict[str, list[int]] = {}
    try:
        for entry in os.scandir(out.parent):
            if entry.name.startswith(beside):
                info = entry.stat(follow_symlinks=False)
                listed[f"../{entry.name}"] = [stat.S_IFMT(info.st_mode), info.st_size, info.st_ino]
        for root, dirs, names in os.walk(out):
            base = Path(root).relative_to(out).as_posix()
            prefix = "" if base == "." else base + "/"
            if not prefix:
                dirs[:] = [d for d in dirs if d not in kept]
                names = [n for n in names if n not in kept]
            for name in (*dirs, *names):
                info = os.lstat(os.path.join(root, name))
                listed[prefix + name] = [stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns, info.st_ino]
    except OSError:
        return None
    return listed


@dataclass(frozen=True)
class Record:
    """The last build of one output folder, as kept in the cache folder."""

    inputs: dict[str, list[Any]]
    outputs: dict[str, list[int]]
    kept: tuple[str, ...]
    beside: str
    report: dict[str, Any]  # what that build told: pages, stretches, files, bytes, base URL, warnings


def _file(cache: Path, stamp: Stamp) -> Path:
    return cache / f"built-{stamp.slot}"


def last_build(cache: Path | None, stamp: Stamp | None, out: Path) -> Record | None:
    """The record of the last build if ``stamp`` matches it and ``out`` is exactly as that build left it."""
    if cache is None or stamp is None or not _plain_folder(cache):
        return None
    try:
        data = json.loads(_read_plain(_file(cache, stamp)))
        record = Record(data["inputs"], data["outputs"], tuple(data["kept"]), data["beside"], data["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("key") != stamp.key or not _same_inputs(record.inputs, stamp):
        return None
    if outputs(out, record.kept, record.beside) != record.outputs:
        return None
    return record


def _same_inputs(recorded: dict[str, list[Any]], stamp: Stamp) -> bool:
    """Equal stats; where the record was taken too close to a change, equal bytes too."""
    now = stamp.inputs
    if recorded.keys() != now.keys():
        return False
    for name, was in recorded.items():
        new = now[name]
        if was[:4] != new[:4] or (len(new) > 4 and len(was) < 5):
            return False
        if len(was) > 4:  # the stats could hide a same-size edit: only the bytes tell
            try:
                digest = new[4] if len(new) > 4 else hashlib.sha256(_read_plain(stamp.project / name)).hexdigest()
            except OSError:
                return False
            if digest != was[4]:
                return False
    return True


def remember(cache: Path | None, stamp: Stamp | None, out: Path, kept: tuple[str, ...], beside: str,
             report: dict[str, Any]) -> None:
    """Record a build that just published ``out`` from the inputs of ``stamp``."""
    if cache is None or stamp is None:
        return
    listed = outputs(out, kept, beside)
    if listed is None:
        return
    cache.mkdir(exist_ok=True)
    if not _plain_folder(cache):
        return
    data = {"key": stamp.key, "inputs": stamp.inputs, "outputs": listed, "kept": list(kept), "beside": beside,
            "report": report}
    _write_atomic(_file(cache, stamp), json.dumps(data, separators=(",", ":")).encode())


def forget(cache: Path | None, stamp: Stamp | None) -> None:
    """Drop the record of ``stamp``'s output folder (a build of it failed, or wrote something new)."""
    if cache is not None and stamp is not None and _plain_folder(cache):
        _remove_file(_file(cache, stamp))
