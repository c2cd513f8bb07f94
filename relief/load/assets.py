"""``assets/``, ``templates/`` and the pictures the content names in, their checked bytes out.

Every file below ``assets/`` is published under its path there (``css/style.css``);
pictures beside stretch files under ``media/``. All are read through the one file rule
(``relief.load.files``). An asset must be of a kind a page uses (``ASSET_TYPES``): an
image is checked to be what its name says (``relief.load.pictures``), a stylesheet is
decoded here (a non-UTF-8 one is an error at its place), so that rendering reads only
checked bytes. A ``.html`` file, say, is never published from ``assets/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import BuildFailed, ContentError
from ..model import Site
from .files import Files, is_side_file
from .frontmatter import decode
from .pictures import IMAGE_TYPES, check_image

ASSET_TYPES = {*IMAGE_TYPES, ".css", ".js", ".json", ".webmanifest", ".txt", ".woff", ".woff2"}


def load_assets(project: Path, site: Site) -> dict[str, bytes]:
    """The bytes of every asset and picture, by the name it is published under (before hashing)."""
    files = Files(project)
    sources, errors = scan(files, project / "assets")
    found: dict[str, bytes] = {}
    for logical, path in sources.items():
        try:
            data = files.read(path)
            suffix = path.suffix.lower()
            if suffix in IMAGE_TYPES:
                check_image(path, data, trusted=site.allow_html)
            elif suffix == ".css":  # checked and read as text: BOM gone, line ends made \n
                data = decode(path, data).encode("utf-8")
            found[logical] = data
        except ContentError as error:
            errors.append(error)
    if errors:
        raise BuildFailed(errors)
    for page in site.pages:  # pictures beside the content, checked by the loader
        for stretch in page.stretches:
            if stretch.image and stretch.image.logical not in found:
                found[stretch.image.logical] = files.read(stretch.image.source)
    return dict(sorted(found.items()))


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
