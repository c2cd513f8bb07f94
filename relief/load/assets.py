"""``assets/``, ``templates/`` and the pictures the content names in, their bytes out.

Every file below ``assets/`` is published under its path there (``css/style.css``);
pictures beside stretch files under ``media/``. A link that leads outside the project is
an error. Stylesheets are decoded here (a non-UTF-8 one is an error at its place), so
that rendering reads only checked text.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BuildFailed, ContentError
from ..model import Site
from .frontmatter import decode


def load_assets(project: Path, site: Site) -> dict[str, bytes]:
    """The bytes of every asset and picture, by the name it is published under (before hashing)."""
    sources, errors = scan(project / "assets", project)
    if errors:
        raise BuildFailed(errors)
    for page in site.pages:
        for stretch in page.stretches:
            if stretch.image:
                sources[stretch.image.logical] = stretch.image.source
    files: dict[str, bytes] = {}
    for logical in sorted(sources):
        data = sources[logical].read_bytes()
        if logical.endswith(".css"):  # checked and read as text: BOM gone, line ends made \n
            data = decode(sources[logical], data).encode("utf-8")
        files[logical] = data
    return files


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


def load_templates(templates: Path) -> dict[str, bytes]:
    """Every file in ``templates/`` by its Jinja name, read once: a page's cache key and its
    rendering see the same text, even if a template is saved halfway through a build."""
    if not templates.is_dir():
        return {}
    return {p.relative_to(templates).as_posix(): p.read_bytes() for p in sorted(templates.rglob("*")) if p.is_file()}
