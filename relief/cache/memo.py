"""What one process keeps from one build to the next (``serve``): in memory only, never on disk.

A value is kept under a key that names everything it was made from (a file's path and
signature, a template set, a page and all it reads). Each build keeps what it used;
``turn`` at the end of a build drops what it did not.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


class Key:
    """A memo key over a large value (a whole ``Site``), hashed once: a tuple hashes every part again at
    each look-up, and a site of 10,000 stretches takes some 80 ms to hash."""

    __slots__ = ("_hash", "value")

    def __init__(self, value: Hashable) -> None:
        self.value = value
        self._hash = hash(value)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and self._hash == other._hash and self.value == other.value


class Memo:
    """Values by key, kept for the next build of this process; ``lasting`` False (a one-off build) keeps
    only what the build itself looks up again (templates, pictures), not every file's entry."""

    def __init__(self, lasting: bool = True) -> None:
        self.lasting = lasting
        self._last: dict[Hashable, Any] = {}  # what the last build kept
        self._now: dict[Hashable, Any] = {}  # ... and what this one keeps

    def get(self, key: Hashable) -> Any | None:
        """The value kept under ``key`` by this build or the last, if any; this build keeps it too."""
        value = self._now.get(key)
        if value is None:
            value = self._last.get(key)
            if value is not None:
                self._now[key] = value
        return value

    def keep(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` for this build and the next; returns it."""
        self._now[key] = value
        return value

    def turn(self) -> None:
        """End of a build: what it did not use is dropped."""
        self._last, self._now = self._now, {}
