"""The bundle's files in, a complete ``dist/`` out: the only module that writes it.

The bundle is written into a hidden sibling folder and then swapped in whole, with one
atomic ``renameat2(RENAME_EXCHANGE)`` where Linux offers it, so a build that fails or is
killed at any moment leaves the previous bundle exactly as it was. Leftovers of an
interrupted build are removed by the next one. A file that is the same as in the previous
bundle is not written again but hard-linked from it: a rebuild costs what changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .errors import ContentError

_RENAME_EXCHANGE = 2
_TEMP_MARK = ".relief-"
_MARKERS = ("index.html", ".nojekyll")  # what every bundle has: proof a folder is ours to replace


def publish(files: dict[str, bytes], out: Path) -> None:
    """Make ``out`` hold exactly ``files``, atomically."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _refuse_foreign(out)
    with _lock(out):
        _clean_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{_TEMP_MARK}new-", dir=out.parent))
        try:
            folders = {staging}
            for relative in sorted(files):
                target = staging / relative
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.update(target.parents)
                if not _link_unchanged(out / relative, target, files[relative]):
                    target.write_bytes(files[relative])
            os.chmod(staging, 0o755)
            _swap(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _link_unchanged(old: Path, new: Path, data: bytes) -> bool:
    """Hard-link ``old`` as ``new`` if it is a plain file holding exactly ``data``."""
    try:
        info = old.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, new, follow_symlinks=False)
    except OSError:  # no previous file, or a file system without hard links: write it
        return False
    return True


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``; afterwards ``staging`` holds the old bundle (or nothing)."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    # No atomic exchange here (not Linux): two renames, the old bundle kept until the end.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}{_TEMP_MARK}old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    os.rename(staging, out)
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


@cache
def _libc() -> ctypes.CDLL:
    """The C library, looked up once: finding it takes a millisecond or two, a build in serve not much more."""
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _refuse_foreign(out: Path) -> None:
    """Never replace a folder that is not a bundle (a typo in --out must not delete a home)."""
    if out.is_dir() and any(out.iterdir()) and not all((out / m).exists() for m in _MARKERS):
        raise ContentError(out, 1, 1, "is a folder that is not a relief bundle; it would be replaced: "
                           "choose an empty or new folder for --out")
    if out.exists() and not out.is_dir():
        raise ContentError(out, 1, 1, "is a file, not a folder; choose a folder for --out")


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder (serve and a manual build may overlap)."""
    lock_path = out.parent / f".{out.name}{_TEMP_MARK}lock"
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _clean_leftovers(out: Path) -> None:
    old = sorted(out.parent.glob(f".{out.name}{_TEMP_MARK}old-*"))
    if not out.exists() and old:  # killed between the two renames of the fallback: restore
        os.rename(old[0], out)
    for leftover in out.parent.glob(f".{out.name}{_TEMP_MARK}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
