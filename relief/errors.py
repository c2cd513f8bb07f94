"""Problems with a place: every content or template mistake names file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        return f"{path}:{self.line}:{self.column}: {self.kind}: {self.message}"

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
