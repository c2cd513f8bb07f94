"""Pictures: a stretch's ``image:`` value in, the checked picture file it names out (or what is wrong).

A picture is looked for beside the stretch file, then in ``assets/``, through the one file
rule (``relief.load.files``). It is accepted only if its extension is an image type and its
bytes are that type: raster images are opened by Pillow; an SVG must be XML with an
``<svg>`` root and nothing that can run or fetch: no ``<script>``, ``<foreignObject>`` or
other embedded document, no ``on*`` attribute, no ``javascript:`` and no link out of the
drawing (``allow_html: true`` trusts them). ``check_image`` is the same check for images
in ``assets/``. Each file version is checked once (``Memo``).
"""

from __future__ import annotations

import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from ..cache import Memo
from ..errors import ContentError
from . import photos
from .files import Files
from .links import normalised

# the file, its name in the bundle before hashing, width, height, alt (filled in by the loader), the
# published copies of a raster picture (``relief.load.photos``) and the file's size in bytes
Found = tuple[Path, str, int, int, str, tuple[tuple[str, int], ...], int]

PICTURE_TYPES = {".svg": "SVG", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".gif": "GIF",
                 ".avif": "AVIF"}
IMAGE_TYPES = {**PICTURE_TYPES, ".ico": "ICO"}  # in assets/, the favicon too
_SVG = "http://www.w3.org/2000/svg"
_XHTML = "http://www.w3.org/1999/xhtml"
_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "audio", "video",
              "frame", "frameset", "applet", "portal"}
_OUTSIDE_CSS = re.compile(r"@import|url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_EMBEDDED = re.compile(r"data:image/(png|jpeg|gif|webp|avif);", re.IGNORECASE)


@dataclass
class Pictures:
    """The pictures of one load: the stretches of a group often share one, so each is looked up once."""

    project: Path
    files: Files
    memo: Memo
    trusted: bool = False  # allow_html: an SVG's script and links are trusted
    found: dict[tuple[str, str], Found | str | ContentError] = field(default_factory=dict)

    def find(self, stretch: Path, value: str) -> Found | str | ContentError:
        """The picture the stretch file ``stretch`` names; or why there is none: a message for the stretch's
        ``image:`` line, or a problem of the picture file itself, placed in that file."""
        key = (os.path.dirname(stretch), value)  # strings: cheaper than Paths and their parents, stretch after stretch
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = self._look_up(stretch.parent, value)
        return found

    def _look_up(self, folder: Path, value: str) -> Found | str | ContentError:
        if not is_safe_relative(value):
            return f"image '{value}' must be a path inside the project (relative, without '..')"
        if PurePosixPath(value).suffix.lower() not in PICTURE_TYPES:
            return (f"image '{value}' is not a picture file; use an SVG, PNG, JPEG, WebP, GIF or AVIF file "
                    "(named .svg, .png, .jpg, .webp, .gif or .avif)")
        assets_dir = self.project / "assets"
        for base in (folder, assets_dir):
            candidate = base / value
            if not candidate.exists() and not candidate.is_symlink():
                continue
            try:
                width, height = self.size(candidate)
                published = self.plan(candidate)
            except ContentError as error:
                return error
            if base == assets_dir:
                logical = candidate.relative_to(assets_dir).as_posix()
            else:
                logical = "media/" + candidate.relative_to(self.project / "content").as_posix()
            if published is None:
                return candidate, logical, width, height, "", (), candidate.stat().st_size
            stem = logical.rpartition(".")[0]
            variants = tuple((f"{stem}-{w}.{published.suffix}", w) for w in published.widths)
            shown = next((v for v in reversed(variants) if v[1] <= photos.WIDTHS[1]), variants[0])
            return (candidate, shown[0], published.width, published.height, "", variants,
                    candidate.stat().st_size)
        return f"image '{value}' does not exist next to this file or in assets/; check the spelling"

    def plan(self, path: Path) -> photos.Plan | None:
        """What is published of a raster picture (None for an SVG), remembered while the file stays the same."""
        if path.suffix.lower() == ".svg":
            return None
        info = self.files.check(path)
        key = ("photo plan", path, info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
        known = self.memo.get(key)
        return known if known is not None else self.memo.keep(key, photos.plan(self.files.read(path)))

    def size(self, path: Path) -> tuple[int, int]:
        """The checked image's width and height, remembered while the file stays the same."""
        info = self.files.check(path)
        key = ("image", path, self.trusted, info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
        known = self.memo.get(key)
        if known is None:
            known = self.memo.keep(key, check_image(path, self.files.read(path), trusted=self.trusted))
        return known


def check_image(path: Path, data: bytes, *, trusted: bool = False) -> tuple[int, int]:
    """Width and height of the image ``data`` read from ``path``; a ``ContentError`` if its bytes
    are not what its name says, or (unless ``trusted``) an SVG could run or fetch something."""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise ContentError(path, 1, 1, "is not an image file (SVG, PNG, JPEG, WebP, GIF, AVIF or ICO)")
    if kind == "SVG":
        return _svg_size(path, data, trusted)
    PILImage = photos.pillow()  # here, not at the top: a site of SVGs never pays for importing it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                found, size = image.format, image.size
                image.verify()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ContentError(path, 1, 1, "has too many pixels to be a picture for a web page; "
                           "scale it down (a few thousand pixels across is plenty)") from None
    except Exception:  # Pillow raises many kinds for bytes that are not an image
        raise ContentError(path, 1, 1, f"is named {path.suffix} but is not a {kind} image (or is damaged); "
                           "export the picture again") from None
    if found != kind:
        raise ContentError(path, 1, 1, f"is named {path.suffix} but holds a {found} image; "
                           f"rename it to match what it is, or convert it to {kind}")
    return size


@dataclass
class _SvgReader:
    """Reads an SVG with expat, which knows the line of each element; records the first problem."""

    path: Path
    trusted: bool
    parser: expat.XMLParserType
    width: str | None = None
    height: str | None = None
    box: str | None = None
    depth: int = 0
    in_style: bool = False
    problem: ContentError | None = None

    def fail(self, message: str) -> None:
        if self.problem is None:
            self.problem = ContentError(self.path, self.parser.CurrentLineNumber,
                                        self.parser.CurrentColumnNumber + 1, message)

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, name = tag.rpartition(" ")
        if self.depth == 0:
            if namespace != _SVG or name != "svg":
                self.fail("is not an SVG drawing: its first element must be <svg xmlns=\"http://www.w3.org/2000/svg\">")
            self.width, self.height, self.box = attributes.get("width"), attributes.get("height"), \
                attributes.get("viewBox")
        self.depth += 1
        self.in_style = name == "style"
        if self.trusted:
            return
        if name.lower() in _FORBIDDEN or namespace == _XHTML:
            self.fail(f"has a <{name}> element, which can run or embed a document; remove it "
                      "(or set 'allow_html: true' in site.yaml only if you trust this file)")
        for attribute, value in attributes.items():
            local = attribute.rpartition(" ")[2]
            clean = normalised(value).lower()
            if local.lower().startswith("on"):
                self.fail(f"<{name}> has an event attribute '{local}', which runs script; remove it")
            elif local == "href" and not (clean.startswith("#") or _EMBEDDED.match(clean)):
                self.fail(f"<{name}> links to '{value}', outside the drawing; an SVG may only link "
                          "to its own parts (href=\"#...\")")
            elif "javascript:" in clean or "vbscript:" in clean:
                self.fail(f"<{name}> has a script link in '{local}'; remove it")
            elif local == "attributeName" and (clean in ("href", "xlink:href") or clean.startswith("on")):
                self.fail(f"<{name}> animates '{value}', which could make a link or run script; remove it")
            elif local == "style" and _OUTSIDE_CSS.search(value):
                self.fail(f"<{name}> has a style that loads something from outside the drawing; remove it")

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.in_style = False

    def text(self, data: str) -> None:
        if self.in_style and not self.trusted and _OUTSIDE_CSS.search(data):
            self.fail("has a <style> that loads something from outside the drawing (@import or url()); remove it")

    def entity(self, *_: object) -> None:
        self.fail("declares XML entities; remove the <!DOCTYPE ...> part (an SVG needs none)")


def _svg_size(path: Path, data: bytes, trusted: bool) -> tuple[int, int]:
    parser = expat.ParserCreate(namespace_separator=" ")
    reader = _SvgReader(path, trusted, parser)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.EntityDeclHandler = reader.entity
    parser.ExternalEntityRefHandler = lambda *_: 0  # never fetched: refusing makes expat stop with an error
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ContentError(path, exc.lineno or 1, (exc.offset or 0) + 1,
                           f"is not a well-formed SVG ({expat.ErrorString(exc.code)}); export it again") from None
    if reader.problem is not None:
        raise reader.problem
    size = _pixels(reader.width, reader.height, reader.box)
    if size is None:
        raise ContentError(path, 1, 1, "gives its size by neither width and height nor a viewBox; "
                           "add viewBox=\"0 0 W H\" to its <svg> element")
    return size


def _pixels(width: str | None, height: str | None, box: str | None) -> tuple[int, int] | None:
    number = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*")
    found = [number.fullmatch(value or "") for value in (width, height)]
    if found[0] and found[1]:
        return round(float(found[0].group(1))), round(float(found[1].group(1)))
    parts = (box or "").replace(",", " ").split()
    try:
        if len(parts) == 4 and float(parts[2]) > 0 and float(parts[3]) > 0:
            return round(float(parts[2])), round(float(parts[3]))
    except ValueError:
        return None
    return None


def is_safe_relative(value: str) -> bool:
    """A relative path with no ``..``: it cannot name anything outside where it starts."""
    pure = PurePosixPath(value.replace("\\", "/"))
    return not pure.is_absolute() and ".." not in pure.parts and not re.match(r"[A-Za-z]:", value)
