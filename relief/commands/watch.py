"""The preview's watcher of the project's folders.

``TreeWatcher`` is a plain class (no livereload ``Watcher`` underneath): every 0.1 s it
takes a snapshot of the watched folders (inode, size, modification time and, for a file
saved in the last two seconds, a hash of its bytes: a save on a file system with
one-second times that keeps the size is still seen), and once the tree has been still for
one poll it reports every file that changed since the last build: a burst of saves is
one rebuild, a save by rename is seen, nothing is dropped.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Collection
from dataclasses import dataclass, field

from ..load.files import is_side_file

POLL_SECONDS = 0.1
RECENT_NS = 2_000_000_000  # a file changed this recently is hashed: its time may not tell two saves apart

Stamp = tuple[int, int, int, bytes]  # inode, size, modification time in ns, a hash of recent bytes (or b"")
Snapshot = dict[str, Stamp]


@dataclass
class TreeWatcher:
    """Reports the files that changed in ``folders`` once a burst of saves is over."""

    folders: Collection[str]
    filepath: str | None = None  # the first file of the last change (livereload logs it)
    _built: Snapshot = field(default_factory=dict)  # the folders as of the last build
    _seen: Snapshot = field(default_factory=dict)  # ... as of the last poll

    def baseline(self) -> None:
        """Take the tree as it is now as built: call before the first build."""
        self._built = self._seen = self.snapshot()

    def poll(self) -> list[str]:
        """The files changed since the last build, once nothing changed for one poll; else []."""
        now = self.snapshot()
        settled, self._seen = now == self._seen, now
        if not settled or now == self._built:
            return []
        changed = sorted(path for path in self._built.keys() | now.keys() if self._built.get(path) != now.get(path))
        self._built = now
        self.filepath = changed[0]
        return changed

    def snapshot(self) -> Snapshot:
        files: Snapshot = {}
        recent = time.time_ns() - RECENT_NS
        for folder in self.folders:
            for root, dirs, names in os.walk(folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in names:
                    if is_side_file(name):
                        continue
                    path = os.path.join(root, name)
                    try:
                        info = os.stat(path)
                        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
                        if info.st_mtime_ns >= recent and stat.S_ISREG(info.st_mode):  # a FIFO is never opened
                            digest = _digest(path)
                        else:  # as it was when last seen, so a file growing old is not a change
                            last = self._seen.get(path)
                            digest = last[3] if last and last[:3] == stamp else b""
                    except OSError:  # removed while we looked, or not readable: its build says why
                        continue
                    files[path] = (*stamp, digest)
        return files


def _digest(path: str) -> bytes:
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
        return hashlib.blake2b(file.read(), digest_size=16).digest()
