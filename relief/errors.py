"""Problems with a place: every content or template mistake names file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# control characters, and the invisible marks that reorder text: shown escaped, so that a file
# name or a value cannot move the cursor, recolour the terminal or forge a line of a CI log
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape: ``\\x1b``, ``\\u202e``."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Problem(Exception):
    """One problem found in a source file; ``line`` and ``column`` count from 1.

    It is an exception so that a reader deep in the loader can ``raise`` it; the loader
    catches it per file and collects all of them before failing once.
    """

    path: Path
    line: int
    column: int
    message: str

    def format(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None and path.is_relative_to(root):
            path = path.relative_to(root)
        return printable(f"{path}:{self.line}:{self.column}: {self.kind}: {self.message}")

    def __str__(self) -> str:
        return self.format()

    kind = "problem"


class ContentError(Problem):
    """A mistake that stops the build."""

    kind = "error"


class ContentWarning(Problem):
    """Something left out or suspicious; the build goes on unless ``--strict``."""

    kind = "warning"


class BuildFailed(Exception):
    """The build stopped; ``errors`` lists every problem found in this run."""

    def __init__(self, errors: list[Problem]) -> None:
        self.errors = sorted(errors, key=lambda e: (str(e.path), e.line, e.column, e.message))
        super().__init__(f"{len(self.errors)} error(s)")
