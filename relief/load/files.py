"""Every file the build reads goes through ``Files``: one rule for ``content/``, ``templates/`` and ``assets/``.

- A path that, links followed, leads outside the project is an error naming it (a link to
  ``/proc/self/environ`` must never reach the bundle).
- Only regular files are read: a FIFO, a socket or a device is an error naming it, and is
  never opened (opening a FIFO would wait forever). A file that turns into one between the
  look and the read is caught by checking the open file itself.
- A file may have a size limit (stretch and page files: ``CONTENT_LIMIT``).
- Editor and system side files (``.#x.md``, ``._x.md``, ``x.md~``, ``.x.swp``, ``#x.md#``,
  ``.DS_Store``) are not content anywhere: ``is_side_file``.

Each folder's real path is looked up once per load, so the rule costs one ``lstat`` per file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError

CONTENT_LIMIT = 1_000_000  # bytes of a stretch or page file: a page of steps is a few KB
_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder"}


def is_side_file(name: str) -> bool:
    """Editor and system side files: lock, swap, backup and resource-fork files, never content."""
    return name.startswith((".", "#", "~$")) or name.endswith(("~", ".swp", ".swo", ".tmp", ".bak"))


@dataclass
class Files:
    """The project's files as the build may read them."""

    project: Path
    _root: Path | None = None
    _folders: dict[Path, bool] = field(default_factory=dict)  # folder -> whether its real path is inside

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = self.project.resolve()
        return self._root

    def inside(self, path: Path, *, link: bool | None = None) -> bool:
        """Whether ``path``, links followed, is in the project (``link``: whether it is a link, if known)."""
        folder = path.parent
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = folder.resolve().is_relative_to(self.root)
        if known and not (path.is_symlink() if link is None else link):  # one look at the file, not one a folder
            return True
        return path.resolve().is_relative_to(self.root)

    def check(self, path: Path, what: str = "file") -> os.stat_result:
        """``path``'s status if the build may read it; else a ``ContentError`` saying why not."""
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not self.inside(path, link=False):
                if not self.inside(path):
                    raise ContentError(path, 1, 1, f"is a link to a {what} outside the project; "
                                       f"copy the {what} into the project instead")
                info = path.stat()
        except OSError as exc:  # gone, no permission, a dangling link, a name too long
            raise ContentError(path, 1, 1, f"cannot be read ({exc.strerror}); make it a readable {what} "
                               "or remove it") from None
        if not stat.S_ISREG(info.st_mode) and not (what == "folder" and stat.S_ISDIR(info.st_mode)):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise ContentError(path, 1, 1, f"is {kind}, not a {what}; relief does not open it: "
                               f"remove it or put a {what} in its place")
        return info

    def read(self, path: Path, *, limit: int | None = None) -> bytes:
        """The bytes of ``path`` under the rule; ``limit`` bounds its size."""
        info = self.check(path)
        if limit is not None and info.st_size > limit:
            raise ContentError(path, 1, 1, f"is {info.st_size / 1_000_000:.1f} MB; a content file may be at most "
                               f"{limit / 1_000_000:.0f} MB: split it, or move pictures out of it")
        try:
            # O_NONBLOCK: a FIFO swapped in after the look does not make open() wait
            handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ContentError(path, 1, 1, f"cannot be read ({exc.strerror}); make it a readable file "
                               "or remove it") from None
        try:
            opened = os.fstat(handle)
            if not stat.S_ISREG(opened.st_mode):
                raise ContentError(path, 1, 1, "changed into something that is not a file while it was read; "
                                   "put a file in its place")
            return _read_all(handle, opened.st_size, None if limit is None else limit + 1)
        finally:
            os.close(handle)


def _read_all(handle: int, size: int, most: int | None) -> bytes:
    """What is left to read of an open file of ``size`` bytes (it may grow), at most ``most`` bytes. Reads of
    about its size: a buffered ``read(limit)`` sets aside the whole megabyte of the limit for every file."""
    chunks: list[bytes] = []
    done = 0
    while most is None or done < most:
        want = max(size - done + 1, 8192)
        chunk = os.read(handle, want if most is None else min(want, most - done))
        if not chunk:
            break
        chunks.append(chunk)
        done += len(chunk)
    return b"".join(chunks)
