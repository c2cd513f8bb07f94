"""Files in ``assets/`` (and pictures beside content) in, fingerprinted bundle files out.

Every asset gets a content hash in its name (``css/style.3f9a1c2e.css``) so hosts can
cache it for a year; ``AssetMap`` maps the name a template asks for to the hashed one.
References inside CSS (``url(...)``) are rewritten to the hashed names.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from .errors import ContentError
from .source import decode

ASSET_PREFIX = "assets/"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


@dataclass(frozen=True)
class AssetMap:
    """Logical asset name (``css/style.css``) -> file in the bundle and its bytes."""

    files: dict[str, tuple[str, bytes]]

    def path(self, logical: str) -> str:
        """Bundle path of an asset, e.g. ``assets/css/style.3f9a1c2e.css``."""
        try:
            return self.files[logical][0]
        except KeyError:
            raise KeyError(f"no asset named '{logical}' in assets/") from None


def fingerprint(logical: str, data: bytes) -> str:
    stem, dot, suffix = logical.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{ASSET_PREFIX}{stem}.{digest}.{suffix}" if dot else f"{ASSET_PREFIX}{logical}.{digest}"


def collect(sources: dict[str, Path]) -> AssetMap:
    """Read and fingerprint ``sources`` (logical name -> file); CSS last, with links rewritten."""
    files: dict[str, tuple[str, bytes]] = {}
    for logical in sorted(sources, key=lambda name: (name.endswith(".css"), name)):
        data = sources[logical].read_bytes()
        if logical.endswith(".css"):
            data = _rewrite_css(logical, decode(sources[logical], data), files)
        files[logical] = (fingerprint(logical, data), data)
    return AssetMap(files)


def _rewrite_css(logical: str, css: str, files: dict[str, tuple[str, bytes]]) -> bytes:
    here = posixpath.dirname(logical)
    own_dir = posixpath.dirname(fingerprint(logical, b""))

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"[a-z]+:|/|#", target):
            return match.group(0)
        name = posixpath.normpath(posixpath.join(here, target))
        if name not in files:
            return match.group(0)
        return f"url({posixpath.relpath(files[name][0], own_dir)})"

    return _CSS_URL.sub(swap, css).encode("utf-8")


def scan(folder: Path, project: Path) -> tuple[dict[str, Path], list[ContentError]]:
    """Every file below ``folder`` by logical name; links leading outside ``project`` are errors."""
    sources: dict[str, Path] = {}
    errors: list[ContentError] = []
    if not folder.is_dir():
        return sources, errors
    root = project.resolve()
    # rglob enters no linked folder: below a folder inside the project, only a link can lead out
    inside = folder.resolve().is_relative_to(root)
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if (not inside or path.is_symlink()) and not path.resolve().is_relative_to(root):  # a linked folder too
            what = "folder" if path.is_dir() else "file"
            errors.append(ContentError(path, 1, 1, f"is a link to a {what} outside the project; "
                                       f"copy the {what} into the project instead"))
            continue
        if path.is_dir() or path.name == "README.md":
            continue
        sources[path.relative_to(folder).as_posix()] = path
    return sources, errors


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
