"""A stretch's ``image:`` value in, the picture file it names (its bundle name and size) or what is wrong out.

A picture is looked for beside the stretch file, then in ``assets/``; it must stay inside
the project, links followed. Its size is read once per file version (``Memo``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from ..cache import Memo, signature

Found = tuple[Path, str, int, int]  # the file, its name in the bundle before hashing, width, height


@dataclass
class Pictures:
    """The pictures of one load: the stretches of a group often share one, so each is looked up once."""

    project: Path
    memo: Memo
    inside: Callable[[Path], bool]  # whether a path, links followed, is in the project
    found: dict[tuple[str, str], Found | str] = field(default_factory=dict)

    def find(self, folder: Path, value: str) -> Found | str:
        """The picture a stretch in ``folder`` names, or why there is none."""
        key = (str(folder), value)  # strings: cheaper than Paths, stretch after stretch
        if key not in self.found:
            self.found[key] = self._look_up(folder, value)
        return self.found[key]

    def _look_up(self, folder: Path, value: str) -> Found | str:
        if not is_safe_relative(value):
            return f"image '{value}' must be a path inside the project (relative, without '..')"
        assets_dir = self.project / "assets"
        for base in (folder, assets_dir):
            candidate = base / value
            if not candidate.is_file():
                continue
            if not self.inside(candidate):
                return f"image '{value}' is a link to a file outside the project; copy the file in instead"
            try:
                width, height = self.size(candidate)
            except Exception as exc:
                return f"image '{value}' cannot be read ({exc}); use an SVG, PNG, JPEG or WebP file"
            if base == assets_dir:
                logical = candidate.relative_to(assets_dir).as_posix()
            else:
                logical = "media/" + candidate.relative_to(self.project / "content").as_posix()
            return candidate, logical, width, height
        return f"image '{value}' does not exist next to this file or in assets/; check the spelling"

    def size(self, path: Path) -> tuple[int, int]:
        """``image_size``, remembered while the file stays the same."""
        key = ("image size", path, *signature(path))
        known = self.memo.get(key)
        return known if known is not None else self.memo.keep(key, image_size(path))


def image_size(path: Path) -> tuple[int, int]:
    """Pixel width and height of an SVG (its width/height or viewBox) or a raster image."""
    if path.suffix.lower() == ".svg":
        root = ElementTree.parse(path).getroot()
        width, height = root.get("width"), root.get("height")
        if width and height and width.rstrip("px").replace(".", "", 1).isdigit() \
                and height.rstrip("px").replace(".", "", 1).isdigit():
            return round(float(width.rstrip("px"))), round(float(height.rstrip("px")))
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) == 4:
            return round(float(box[2])), round(float(box[3]))
        raise ValueError("the SVG has neither width and height nor a viewBox")
    from PIL import Image as PILImage  # here, not at the top: a site of SVGs never pays for importing it

    with PILImage.open(path) as image:
        return image.size


def is_safe_relative(value: str) -> bool:
    """A relative path with no ``..``: it cannot name anything outside where it starts."""
    pure = PurePosixPath(value.replace("\\", "/"))
    return not pure.is_absolute() and ".." not in pure.parts and not re.match(r"[A-Za-z]:", value)
