"""Raster pictures (a phone's photo) in; the copies a page publishes out: a few widths for ``srcset``,
turned the way the camera held them, in a format every browser shows, with no metadata at all.

``plan`` says, from the picture's own bytes, which widths and which format will be published (so
the loader can give the page its ``srcset``, width and height before anything is encoded);
``encode`` makes one of them. EXIF (with any GPS position), XMP, IPTC, comments and ICC profiles are
never copied: a picture with a colour profile is converted to sRGB first, so it looks the same.
The encoders are given fixed settings and no time or name, so the same picture and Pillow give the
same bytes build after build (the bundle stays byte-identical). ``strip`` is the same clean-up at
full size, for the raster files of ``assets/`` (the Open Graph image, icons).
"""

from __future__ import annotations

import io
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is imported only where pictures are: a site of SVGs never pays for it
    from PIL.Image import Image as PILImage

WIDTHS = (480, 960, 1440)  # a phone at 1x, 2x and 3x, a desktop's column at 2x (templates/_stretch.html: sizes)
LARGE = 2 * 1024 * 1024  # a picture file over this size gets a warning
OPTIMIZE_PIXELS = 512 * 512  # a PNG up to this size (every icon) is saved as small as it can be
JPEG_QUALITY = 82
_PUBLISHED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png", "AVIF": "jpg"}  # AVIF: not every browser


@dataclass(frozen=True)
class Plan:
    """What is published of one picture: its widths (ascending), and at the largest its height."""

    widths: tuple[int, ...]
    width: int
    height: int
    suffix: str  # "jpg", "png", "webp" or "gif"
    animated: bool  # published whole, frames and all, at its own size


def plan(data: bytes) -> Plan:
    """The widths and format published of the raster picture ``data`` (already checked to be one)."""
    image = _open(data)
    width, height = image.size
    if image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8):  # turned a quarter: the camera's width is its height
        width, height = height, width
    animated = getattr(image, "n_frames", 1) > 1
    if animated:
        return Plan((width,), width, height, "gif" if image.format == "GIF" else "webp", True)
    suffix = _PUBLISHED[image.format]
    if suffix == "jpg" and _has_alpha(image):
        suffix = "png"  # an AVIF with transparency
    widths = tuple(sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])}))
    largest = widths[-1]
    return Plan(widths, largest, max(1, round(height * largest / width)), suffix, False)


def encode(data: bytes, width: int, suffix: str) -> bytes:
    """The picture ``data`` at ``width`` pixels across, upright, in ``suffix``'s format, with no metadata."""
    from PIL import ImageOps

    Image = pillow()

    image = _open(data)
    if getattr(image, "n_frames", 1) > 1:
        return _frames(image, suffix)
    image = _srgb(ImageOps.exif_transpose(image))
    if image.width != width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    return _save(image, suffix)


def strip(data: bytes, kind: str) -> bytes:
    """A raster asset (``kind``: "PNG", "JPEG", ...) at its own size and format, its metadata gone."""
    from PIL import ImageOps

    image = _open(data)
    if getattr(image, "n_frames", 1) > 1:
        return _frames(image, "gif" if kind == "GIF" else "webp")
    return _save(_srgb(ImageOps.exif_transpose(image)), {"JPEG": "jpg", "PNG": "png", "WEBP": "webp",
                                                          "GIF": "gif", "AVIF": "png"}[kind])


_ORIENTATION = 0x0112


def _open(data: bytes) -> PILImage:
    return pillow().open(io.BytesIO(data))


@cache
def pillow() -> ModuleType:
    """``PIL.Image``, with the plugins of every kind of picture relief takes loaded (once: a missing AVIF
    plugin is not looked for again). It loads PNG, JPEG and GIF itself; for another kind (the favicon's ICO,
    WebP, AVIF), ``Image.open`` would load all of Pillow's forty plugins to find it: 26 ms of each build."""
    from PIL import IcoImagePlugin, Image, WebPImagePlugin  # noqa: F401  (registered for Image.open)

    with suppress(ImportError):  # Pillow 11.2 and newer
        from PIL import AvifImagePlugin  # noqa: F401
    return Image


def _has_alpha(image: PILImage) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _srgb(image: PILImage) -> PILImage:
    """``image`` in sRGB (a phone's Display P3 photo keeps its colours when the profile is dropped)."""
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    from PIL import ImageCms

    mode = "RGBA" if _has_alpha(image) else "RGB"
    try:
        return ImageCms.profileToProfile(image.convert(mode), io.BytesIO(profile), ImageCms.createProfile("sRGB"),
                                         outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):  # a damaged profile: the pixels as they are
        return image


def _bare(image: PILImage) -> PILImage:
    """``image`` with nothing in ``info`` that an encoder would copy out (EXIF, ICC, XMP, comments, dpi)."""
    image = image.copy()
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    return image


def _save(image: PILImage, suffix: str) -> bytes:
    out = io.BytesIO()
    image = _bare(image)
    if suffix == "jpg":
        image = image.convert("RGB") if image.mode != "RGB" else image
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif suffix == "png":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        # optimize tries every filter: a few milliseconds for an icon, over a second for a 1200 x 630 picture
        # (3 % smaller); zlib's default level does that one in a tenth of the time
        image.save(out, "PNG", **({"optimize": True} if image.width * image.height <= OPTIMIZE_PIXELS else {}))
    elif suffix == "webp":
        image.save(out, "WEBP", quality=JPEG_QUALITY, method=4)
    else:
        image.save(out, "GIF", optimize=True)
    return out.getvalue()


def _frames(image: PILImage, suffix: str) -> bytes:
    """An animated picture, every frame and its timing kept, nothing else."""
    out = io.BytesIO()
    options = {"save_all": True, "loop": image.info.get("loop", 0), "duration": image.info.get("duration", 100)}
    for key in ("comment", "exif", "icc_profile", "xmp", "extension"):
        image.info.pop(key, None)
    image.save(out, "GIF" if suffix == "gif" else "WEBP", **options)
    return out.getvalue()
