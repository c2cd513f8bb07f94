"""The bundle's files in, a complete ``dist/`` out: the only module that writes it.

The bundle is written into a hidden sibling folder and then swapped in whole, with one
atomic ``renameat2(RENAME_EXCHANGE)`` where Linux offers it, so a build that fails or is
killed at any moment leaves the previous bundle exactly as it was. Leftovers of an
interrupted build are removed by the next one. A file that is the same as in the previous
bundle is not written again but hard-linked from it: a rebuild costs what changed.

Nothing the build did not write is ever deleted. The bundle lists what it holds in
``MANIFEST``; a file of the output folder that the last bundle did not write is either one
to keep (``.git`` and ``CNAME`` of a deploy checkout, and the site's ``keep_files``: moved
into the new bundle before the swap) or a reason to refuse, naming it. If the output folder
is a link, the bundle goes where it points, and the link stays.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ContentError

MANIFEST = ".relief-bundle.json"
KEEP = (".git", "CNAME")  # what a deploy checkout (GitHub Pages) holds beside the bundle, as Jekyll's keep_files
_RENAME_EXCHANGE = 2
_TEMP_MARK = ".relief-"


def side_files(out: Path) -> str:
    """The prefix of what a build keeps beside ``out``: its lock, and staging folders while it runs."""
    return f".{out.name}{_TEMP_MARK}"
_MARKERS = ("index.html", ".nojekyll")  # what every bundle has: a folder of an older relief without a manifest
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def publish(files: dict[str, bytes], out: Path, keep: Iterable[str] = ()) -> None:
    """Make ``out`` hold exactly ``files`` (and what it keeps), atomically."""
    with Staging(out, keep) as staging:
        staging.finish(files)


class Staging:
    """A new bundle for ``out`` being written: ``with Staging(out, keep) as staging``, then ``staging.finish(files)``.

    ``open`` makes the new bundle's hidden folder beside ``out`` (taking the output folder's lock and
    removing what an interrupted build left) before a pool of render workers starts: each worker then
    writes its pages into it with ``put``, so the build never holds them all. ``finish`` opens it if
    that was not needed, checks ``out`` (what it keeps, and that it holds nothing no bundle wrote: right
    before writing, as files may have been saved there while the pages rendered), writes every file not
    put already (the value of one that was is not bytes), then the manifest, moves in what ``out``
    keeps and swaps the bundle in. Leaving the block without ``finish``, or with an error, discards the
    new bundle: ``out`` stays as it was. A failure to write becomes one ``ContentError`` about the machine.
    """

    def __init__(self, out: Path, keep: Iterable[str] = ()) -> None:
        self.out, self.keep = out.absolute(), (*KEEP, *keep)
        self.folder: Path | None = None  # the new bundle, once open
        self._files: dict[str, Any] = {}  # once finishing: every file, for a message about their size
        self._lock: ExitStack | None = None

    def __enter__(self) -> Staging:
        return self

    def open(self) -> Callable[[str, bytes], None] | None:
        """Make the new bundle's folder now, and give what writes a file into it (``put``); None if ``out``
        cannot take a bundle: then the pages come back to the build, and ``finish`` says what is wrong,
        once every page is rendered, as for a build that writes them itself."""
        try:
            self._open()
        except ContentError:
            return None
        return self.put

    def _open(self) -> None:
        if self.folder is not None:
            return
        out = _target(self.out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with ExitStack() as stack:
                stack.enter_context(_lock(out))
                _clean_leftovers(out)
                self.folder = Path(tempfile.mkdtemp(prefix=f".{out.name}{_TEMP_MARK}new-", dir=out.parent))
                self._lock = stack.pop_all()
        except OSError as exc:
            raise _trouble(exc, out, self._files) from None
        self.out = out

    def put(self, relative: str, data: bytes) -> None:
        """Write one file of the bundle (linked from the previous bundle if it is the same there)."""
        assert self.folder is not None
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)  # workers may make the same folder at once
        if not _link_unchanged(self.out / relative, target, data):
            target.write_bytes(data)

    def finish(self, files: dict[str, Any]) -> None:
        """Write every file of ``files`` not put already, and swap the bundle in."""
        self._files = files
        self._open()
        assert self.folder is not None
        try:
            kept = _kept(self.out, self.keep)
            _write(files, self.out, self.folder)
            for name in kept:  # from here on a leftover holds them: _discard puts them back
                os.rename(self.out / name, self.folder / name)
            _swap(self.folder, self.out)
        except OSError as exc:
            raise _trouble(exc, self.out, files) from None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, trace: object) -> None:
        if self._lock is None or self.folder is None:  # never opened: nothing to discard
            return
        try:
            with self._lock:
                _discard(self.folder, self.out)
        except OSError as error:
            if exc is None:
                raise _trouble(error, self.out, self._files) from None
        # a render worker's failure to write a page into the new bundle (any other error goes on as it is)
        if isinstance(exc, OSError) and exc.filename and Path(exc.filename).is_relative_to(self.folder):
            raise _trouble(exc, self.out, self._files) from None


def _target(out: Path) -> Path:
    """Where the bundle goes: ``out``, or where ``out`` points if it is a link (the link stays)."""
    if out.is_symlink():
        out = out.resolve()
    if out.exists() and not out.is_dir():
        raise ContentError(out, 1, 1, "is a file, not a folder; choose a folder for --out")
    if out.is_dir() and os.path.ismount(out):
        raise ContentError(out, 1, 1, "is a mount point: relief swaps in a whole new bundle folder, which cannot "
                           f"replace a mount point; publish into a folder inside it (--out {out / 'site'})")
    return out


def _write(files: dict[str, Any], out: Path, staging: Path) -> None:
    """The bundle into ``staging`` (what was put there already aside), its manifest first: before anything
    kept moves in, a leftover says what is its own; one without a manifest holds only what a build wrote."""
    (staging / MANIFEST).write_text(json.dumps({"generator": "relief", "files": sorted(files)}, indent=0) + "\n",
                                    encoding="utf-8")
    folders = {staging}
    for relative in sorted(files):
        if not isinstance(files[relative], bytes):  # put there already, by a render worker
            continue
        target = staging / relative
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.update(target.parents)
        if not _link_unchanged(out / relative, target, files[relative]):
            target.write_bytes(files[relative])
    os.chmod(staging, 0o755)


def _written(folder: Path) -> set[str] | None:
    """What the bundle in ``folder`` says it wrote (with its folders), or None if it says nothing."""
    try:
        handle = os.open(folder / MANIFEST, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(handle, "rb") as file:
            listed = json.loads(file.read())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    written = {MANIFEST}
    for name in listed if isinstance(listed, list) else []:
        parts = str(name).split("/")
        written.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
    return written


def _kept(out: Path, keep: tuple[str, ...]) -> list[str]:
    """The entries of ``out`` to carry into the new bundle; a ``ContentError`` names any other file not written
    by the last bundle."""
    if not out.is_dir():
        return []
    top = sorted(os.listdir(out))
    kept = [name for name in top if name in keep]
    written = _written(out)
    if written is None:
        if not top or top == kept or all(m in top for m in _MARKERS):  # empty, or an older relief's bundle
            return kept
        raise ContentError(out, 1, 1, "is a folder that is not a relief bundle; relief never deletes what it did "
                           "not write: choose an empty or new folder for --out, or empty this one")
    unknown = [path for path in _walk(out, keep) if path not in written]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise ContentError(out, 1, 1, f"holds {len(unknown)} file(s) the last build did not write ({shown}); "
                           "relief never deletes what it did not write: move them out, or list them under "
                           "'keep_files:' in site.yaml to keep them there, then build again")
    return kept


def _walk(out: Path, keep: tuple[str, ...]) -> Iterator[str]:
    """Every file, link and empty folder below ``out`` (relative, '/'-separated), the kept ones left out."""
    for root, dirs, names in os.walk(out):
        here = Path(root).relative_to(out).as_posix()
        prefix = "" if here == "." else here + "/"
        if not prefix:
            dirs[:] = [d for d in dirs if d not in keep]
            names = [n for n in names if n not in keep]
        for name in names + [d for d in dirs if (Path(root) / d).is_symlink()]:
            yield prefix + name
        if not names and not dirs and prefix:
            yield here


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
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # the file system cannot exchange
        return False
    raise OSError(code, os.strerror(code), str(b))


@cache
def _libc() -> ctypes.CDLL:
    """The C library, looked up once: finding it takes a millisecond or two, a build in serve not much more."""
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder (serve and a manual build may overlap). The lock file is
    opened without following a link: a link there is refused, never truncated."""
    lock_path = out.parent / f".{out.name}{_TEMP_MARK}lock"
    try:
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as exc:
        raise ContentError(lock_path, 1, 1, f"cannot be used as the build's lock file ({exc.strerror}); "
                           "remove it (relief makes it again)") from None
    with os.fdopen(handle, "r+b") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        yield


def _discard(leftover: Path, out: Path) -> None:
    """Remove a folder of relief's beside ``out`` (a staging folder, an old bundle, what a killed build left),
    after putting back into ``out`` what no bundle wrote (a kept ``.git``, say). What cannot be put back
    (``out`` has one of that name already) is not deleted: then the folder stays as it is."""
    written = _written(leftover)
    if written is None:  # killed before its manifest: it holds only what the build wrote (pages workers put)
        shutil.rmtree(leftover, ignore_errors=True)
        return
    for name in os.listdir(leftover):
        if name not in written and out.is_dir() and not (out / name).exists() and not (out / name).is_symlink():
            os.rename(leftover / name, out / name)
    if all(name in written for name in os.listdir(leftover)):
        shutil.rmtree(leftover, ignore_errors=True)


def _clean_leftovers(out: Path) -> None:
    old = sorted(out.parent.glob(f".{out.name}{_TEMP_MARK}old-*"))
    if not out.exists() and old:  # killed between the two renames of the fallback: restore
        os.rename(old[0], out)
    for leftover in out.parent.glob(f".{out.name}{_TEMP_MARK}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            _discard(leftover, out)


def _trouble(exc: OSError, out: Path, files: dict[str, Any]) -> ContentError:
    """A failure to write, as one line about the machine, not about relief."""
    where = Path(exc.filename) if exc.filename else out
    kept = f"{out.name}/ was left as it was"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        needed = sum(len(data) for data in files.values()) / 1_000_000
        try:
            free = shutil.disk_usage(out.parent).free / 1_000_000
        except OSError:
            free = 0.0
        size = f"the bundle needs {needed:.1f} MB and " if needed else ""  # unknown while pages are written
        return ContentError(out, 1, 1, f"the disk is full: {size}{free:.1f} MB are free; free some space and "
                            f"build again ({kept})")
    if exc.errno == errno.ENAMETOOLONG:
        return ContentError(out, 1, 1, f"a file name is too long for this file system: {where.name[:60]}...; "
                            f"shorten the page, group or picture name it comes from ({kept})")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ContentError(where, 1, 1, f"cannot be written ({exc.strerror}); check the permissions of "
                            f"{out.parent} or choose another folder with --out ({kept})")
    if exc.errno in (errno.EXDEV, errno.EBUSY):
        return ContentError(out, 1, 1, f"cannot be replaced ({exc.strerror}): is it a mount point or in use? "
                            f"Publish into a folder inside it ({kept})")
    return ContentError(where, 1, 1, f"cannot be written ({exc.strerror}); {kept}")
