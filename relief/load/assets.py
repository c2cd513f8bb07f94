"""``assets/``, ``templates/`` and the pictures the content names in, their checked bytes out.

Every file below ``assets/`` is published under its path there (``css/style.css``);
pictures beside stretch files under ``media/``. All are read through the one file rule
(``relief.load.files``). An asset must be of a kind a page uses (``ASSET_TYPES``): an
image is checked to be what its name says (``relief.load.pictures``), a stylesheet is
decoded here (a non-UTF-8 one is an error at its place), so that rendering reads only
checked bytes. A ``.html`` file, say, is never published from ``assets/``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path

from ..cache import Memo, Store
from ..errors import BuildFailed, ContentError
from ..model import Site
from . import photos
from .files import Files, is_side_file
from .frontmatter import decode
from .pictures import IMAGE_TYPES, check_image

ASSET_TYPES = {*IMAGE_TYPES, ".css", ".js", ".json", ".webmanifest", ".txt", ".woff", ".woff2"}


def load_assets(project: Path, site: Site, store: Store | None = None, memo: Memo | None = None,
                ) -> dict[str, bytes]:
    """The bytes of every asset and picture, by the name it is published under (before hashing).

    A stretch's raster picture is published as its resized copies only (``relief.load.photos``), kept in
    ``store`` and ``memo`` under the hash of its bytes; every other raster file of ``assets/`` is
    published with its metadata stripped. No location a camera wrote is ever published.
    """
    files = Files(project)
    store, memo = store or Store(None), memo or Memo()
    found = shipped_assets(project, site.allow_html, store, memo)
    pictures = {s.image.source: s.image for page in site.pages for s in page.stretches if s.image}
    for source, image in pictures.items():  # checked by the loader
        if not image.variants:
            found.setdefault(image.logical, files.read(source))
            continue
        data = files.read(source)
        found.pop(sources_name(project, source), None)  # its original is not published, only its copies
        for logical, width in image.variants:
            suffix = logical.rpartition(".")[2]
            found[logical] = _cached(store, memo, ("resize", str(width), suffix), data,
                                     lambda d, w=width, x=suffix: photos.encode(d, w, x))
    return dict(sorted(found.items()))


def shipped_assets(project: Path, allow_html: bool, store: Store, memo: Memo) -> dict[str, bytes]:
    """The files of ``assets/`` by logical name, as published: each picture checked, a raster one with its
    metadata stripped (kept in ``store`` and ``memo``), a stylesheet as UTF-8 text."""
    files = Files(project)
    sources, errors = scan(files, project / "assets")
    found: dict[str, bytes] = {}
    for logical, path in sources.items():
        try:
            data = files.read(path)
            suffix = path.suffix.lower()
            if suffix in IMAGE_TYPES:
                checked = ("checked asset", path, allow_html, data)  # the same bytes were checked before
                if memo.get(checked) is None:
                    memo.keep(checked, check_image(path, data, trusted=allow_html))
                if IMAGE_TYPES[suffix] not in ("SVG", "ICO"):
                    data = _cached(store, memo, ("strip", IMAGE_TYPES[suffix]), data,
                                   lambda d, kind=IMAGE_TYPES[suffix]: photos.strip(d, kind))
            elif suffix == ".css":  # checked and read as text: BOM gone, line ends made \n
                data = decode(path, data).encode("utf-8")
            found[logical] = data
        except ContentError as error:
            errors.append(error)
    if errors:
        raise BuildFailed(errors)
    return found


def sources_name(project: Path, path: Path) -> str | None:
    """The logical name of a file of ``assets/`` (None for one beside the content)."""
    try:
        return path.relative_to(project / "assets").as_posix()
    except ValueError:
        return None


def _cached(store: Store, memo: Memo, how: tuple[str, ...], data: bytes, make: Callable[[bytes], bytes]) -> bytes:
    """``make(data)``, kept under the hash of ``data``, ``how`` and Pillow's version (encoding takes seconds).

    What comes back from the cache folder is checked to be a picture before use: whoever can write the
    folder could have written anything there.
    """
    import PIL

    key = store.key("picture", *how, PIL.__version__, hashlib.sha256(data).digest())
    result = memo.get(("picture", key))
    if result is None:
        record = store.entry(key)
        result = _picture(record) if record is not None else None
        if result is None:
            result = make(data)
        memo.keep(("picture", key), result)
    store.keep_entry(key, base64.b64encode(result).decode("ascii"))
    return result


def _picture(record: str) -> bytes | None:
    Image = photos.pillow()
    try:
        data = base64.b64decode(record, validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return data
    except Exception:  # damaged or not a picture: made again
        return None


def scan(files: Files, folder: Path) -> tuple[dict[str, Path], list[ContentError]]:
    """Every file the build may publish below ``folder``, by logical name, and what is wrong with the others."""
    sources: dict[str, Path] = {}
    errors: list[ContentError] = []
    if not folder.is_dir() and not folder.is_symlink():
        return sources, errors
    for path in _walk(files, folder, errors):
        suffix = path.suffix.lower()
        if path.name == "README.md":
            continue
        if suffix not in ASSET_TYPES:
            errors.append(ContentError(path, 1, 1, f"is a '{suffix or path.name}' file, which is not published: "
                                       "assets/ holds pictures, stylesheets, scripts and fonts; move it out"))
            continue
        sources[path.relative_to(folder).as_posix()] = path
    return sources, errors


def _walk(files: Files, folder: Path, errors: list[ContentError]) -> list[Path]:
    """The files below ``folder`` under the file rule (links out, FIFOs and devices are errors), side files left out."""
    found: list[Path] = []
    try:
        files.check(folder, "folder")
    except ContentError as error:
        errors.append(error)
        return found
    for root, dirs, names in os.walk(folder):  # enters no linked folder: those are checked as entries
        here = Path(root)
        for name in sorted(dirs):
            if name.startswith("."):
                dirs.remove(name)
            elif (here / name).is_symlink():
                dirs.remove(name)
                try:
                    files.check(here / name, "folder")
                    found += _walk(files, here / name, errors)
                except ContentError as error:
                    errors.append(error)
        dirs.sort()
        for name in sorted(names):
            if is_side_file(name):
                continue
            try:
                files.check(here / name)
                found.append(here / name)
            except ContentError as error:
                errors.append(error)
    return found


def load_templates(templates: Path, project: Path) -> dict[str, bytes]:
    """Every template by its Jinja name, read once under the file rule: a page's cache key and its
    rendering see the same text, even if a template is saved halfway through a build."""
    files = Files(project)
    errors: list[ContentError] = []
    found = {path.relative_to(templates).as_posix(): path for path in _walk(files, templates, errors)} \
        if templates.is_dir() or templates.is_symlink() else {}
    sources: dict[str, bytes] = {}
    for name, path in found.items():
        try:
            sources[name] = files.read(path)
        except ContentError as error:
            errors.append(error)
    if errors:
        raise BuildFailed(errors)
    return sources
