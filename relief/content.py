"""``content/`` in, a validated ``Site`` out (or every problem in it, raised once).

Reads ``site.yaml``, each page's ``_page.md`` and each group's stretch files, checks them
against ``relief.schema``, renders their Markdown, and computes derived facts (ids, group
minutes, image sizes). Nothing is written; every problem is collected before failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import assets, schema
from .errors import BuildFailed, ContentError, ContentWarning, Problem
from .markup import Markup, plain_text
from .model import CallToAction, Group, Image, Page, Site, Stretch
from .source import Located, parse_yaml, read_text, split_front_matter

STRETCH_FILE = re.compile(r"(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.md")
RESERVED_SLUGS = {"assets", "404"}


@dataclass
class Loader:
    """One load of a project: the problems found so far and the converter in use."""

    project: Path
    drafts: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[ContentWarning] = field(default_factory=list)
    markup: Markup = field(default_factory=Markup)

    @property
    def content(self) -> Path:
        return self.project / "content"

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Record a ``ContentError`` raised inside and carry on with the next file."""
        try:
            yield
        except ContentError as error:
            self.errors.append(error)

    def front_matter(self, path: Path, what: str, spec: schema.Schema) -> tuple[dict[str, Any], Located, str, int]:
        """Validated front matter of ``path``, the raw YAML with positions, and the body."""
        if not path.resolve().is_relative_to(self.project.resolve()):
            raise ContentError(path, 1, 1, "is a link to a file outside the project; copy it in instead")
        source = split_front_matter(path, read_text(path))
        if source.front is None:
            raise ContentError(path, 1, 1, f"has no front matter; start the file with '---', "
                               f"the {what} fields, and another '---'")
        doc = parse_yaml(path, source.front, source.front_line)
        values, errors = schema.validate(doc, spec, f"the front matter of this {what}")
        self.errors.extend(errors)
        return values, doc, source.body, source.body_line

    def markdown(self, text: str, path: Path, line: int) -> str:
        html, warnings = self.markup.render(text, path, line)
        self.warnings.extend(warnings)
        return html


def load_site(project: Path, *, drafts: bool = False) -> tuple[Site, list[ContentWarning]]:
    """Read and validate everything under ``project/content``; raise ``BuildFailed`` on errors."""
    loader = Loader(project, drafts)
    site_file = loader.content / "site.yaml"
    settings: dict[str, Any] = {}
    with loader.collecting():
        if not site_file.is_file():
            raise ContentError(site_file, 1, 1, "is missing; create it with at least 'title:' and 'base_url:'")
        text = read_text(site_file)
        if not text.strip():
            raise ContentError(site_file, 1, 1, "is empty; give it at least 'title:' and 'base_url:'")
        settings, errors = schema.validate(parse_yaml(site_file, text), schema.SITE, "site.yaml")
        loader.errors.extend(errors)
    loader.markup = Markup(allow_html=settings.get("allow_html", False))

    pages = [page for page in _load_pages(loader) if page is not None]
    home = settings.get("home")
    if home is None and len(pages) == 1:
        home = pages[0].slug
    elif home is not None and not (loader.content / home / "_page.md").is_file():
        loader.errors.append(ContentError(site_file, 1, 1, f"'home' names page '{home}', but there is "
                                          f"no folder content/{home}/ with a _page.md"))
    if not pages and not loader.errors:
        loader.errors.append(ContentError(loader.content, 1, 1, "has no pages; add content/<page>/_page.md"))
    if loader.errors:
        raise BuildFailed(loader.errors + loader.warnings)
    cta = settings.get("cta")
    site = Site(
        title=settings["title"],
        base_url=settings["base_url"],
        language=settings.get("language", "en"),
        home=home,
        cta=CallToAction(**cta) if cta else None,
        footer=settings.get("footer", ""),
        allow_html=settings.get("allow_html", False),
        pages=tuple(pages),
        source=site_file,
    )
    return site, sorted(loader.warnings, key=lambda w: (str(w.path), w.line, w.column))


def _load_pages(loader: Loader) -> Iterator[Page | None]:
    if not loader.content.is_dir():
        loader.errors.append(ContentError(loader.content, 1, 1, "is missing; create content/site.yaml"))
        return
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in loader.content.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        page_file = folder / "_page.md"
        if not page_file.is_file():
            loader.errors.append(ContentError(folder, 1, 1, "is a folder without _page.md; add one "
                                              "or move the folder out of content/"))
            continue
        key = folder.name.lower()
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", folder.name) or folder.name in RESERVED_SLUGS:
            loader.errors.append(ContentError(page_file, 1, 1, f"the page folder name '{folder.name}' is "
                                              "its URL: use lower-case letters, digits and hyphens "
                                              f"(not {', '.join(sorted(RESERVED_SLUGS))})"))
        elif key in seen:
            loader.errors.append(ContentError(page_file, 1, 1, f"duplicate page slug '{key}' "
                                              f"(also {seen[key]}); rename one folder"))
        seen[key] = page_file
        with loader.collecting():
            yield _load_page(loader, folder, page_file)


def _load_page(loader: Loader, folder: Path, page_file: Path) -> Page | None:
    values, doc, body, body_line = loader.front_matter(page_file, "page", schema.PAGE)
    groups: list[Group] = []
    ids: dict[str, Path] = {}
    named = set()
    for index, entry in enumerate(values.get("groups", [])):
        if "id" not in entry:
            continue
        if entry["id"] in named:
            loader.errors.append(doc.error(("groups", index, "id"), f"duplicate group id '{entry['id']}'; "
                                           "give each group its own id"))
            continue
        named.add(entry["id"])
        group_dir = folder / entry["id"]
        if not group_dir.is_dir():
            loader.errors.append(doc.error(("groups", index, "id"), f"group '{entry['id']}' has no folder "
                                           f"{group_dir.relative_to(loader.project)}/; create it or remove the group"))
            continue
        group = _load_group(loader, group_dir, entry, ids)
        if group is not None:
            groups.append(group)
    for extra in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if extra.name not in named:
            line, column = doc.at("groups")
            loader.errors.append(ContentError(page_file, line, column, f"folder '{extra.name}/' is not one of the "
                                              "page's groups; add it under 'groups:' or remove the folder"))
    if loader.errors:
        return None
    return Page(
        slug=folder.name,
        title=values["title"],
        description=values["description"],
        intro_html=loader.markdown(body, page_file, body_line),
        disclaimer_html=loader.markdown(values["disclaimer"], page_file, doc.at("disclaimer")[0] + 1),
        instructions_html=loader.markdown(values["instructions"], page_file, doc.at("instructions")[0] + 1),
        get_help_html=loader.markdown(values["get_help"], page_file, doc.at("get_help")[0] + 1),
        reviewed=values["reviewed"],
        reviewed_by=values.get("reviewed_by"),
        groups=tuple(groups),
        source=page_file,
    )


def _load_group(loader: Loader, folder: Path, entry: dict[str, Any], ids: dict[str, Path]) -> Group | None:
    stretches: list[Stretch] = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".md" or path.name == "README.md":
            continue
        match = STRETCH_FILE.fullmatch(path.name)
        if not match:
            loader.errors.append(ContentError(path, 1, 1, "name stretch files '<NN>-<name>.md' in lower case, "
                                              "e.g. 01-glute-bridge.md"))
            continue
        stretch_id = match.group(2)
        if stretch_id in ids:
            loader.errors.append(ContentError(path, 1, 1, f"duplicate stretch id '{stretch_id}' (also "
                                              f"{ids[stretch_id].relative_to(loader.project)}); rename one file"))
            continue
        ids[stretch_id] = path
        with loader.collecting():
            stretch = _load_stretch(loader, path, stretch_id)
            if stretch is not None and (loader.drafts or not stretch.draft):
                stretches.append(stretch)
    routine = tuple(s for s in stretches if not s.extra)
    extras = tuple(s for s in stretches if s.extra)
    return Group(
        id=entry["id"],
        title=entry["title"],
        extra_title=entry.get("extra_title"),
        routine=routine,
        extras=extras,
        seconds=sum(s.duration or 0 for s in routine),
    )


def _load_stretch(loader: Loader, path: Path, stretch_id: str) -> Stretch | None:
    values, doc, body, body_line = loader.front_matter(path, "stretch", schema.STRETCH)
    before = len(loader.errors)
    if "title" not in values:
        return None
    if not values.get("extra") and "duration" not in values and "duration" not in (doc.data or {}):
        loader.errors.append(doc.error((), "a routine stretch needs 'duration:' (seconds it takes); "
                                       "or set 'extra: true'"))
    image = None
    if "image" in values:
        image = _image(loader, path, doc, values)
    elif "alt" in values:
        loader.warnings.append(ContentWarning(path, *doc.at("alt"), "'alt' is given but there is no 'image'"))
    if not body.strip():
        loader.errors.append(ContentError(path, body_line, 1, "has no instructions; write the HOW steps "
                                          "below the front matter"))
    if len(loader.errors) > before:
        return None
    body_html = loader.markdown(body, path, body_line)
    return Stretch(
        id=stretch_id,
        title=values["title"],
        body_html=body_html,
        body_text=plain_text(body_html),
        source=path,
        duration=values.get("duration"),
        hold=values.get("hold"),
        reps=values.get("reps"),
        image=image,
        extra=values.get("extra", False),
        caution=values.get("caution"),
        draft=values.get("draft", False),
    )


def _image(loader: Loader, path: Path, doc: Located, values: dict[str, Any]) -> Image | None:
    value = values["image"]
    where = doc.at("image")
    if "alt" not in values:
        loader.errors.append(doc.error(("image",), "'image' needs 'alt': describe what the picture shows"))
    if not assets.is_safe_relative(value):
        loader.errors.append(ContentError(path, *where, f"image '{value}' must be a path inside the project "
                                          "(relative, without '..')"))
        return None
    assets_dir = loader.project / "assets"
    for base in (path.parent, assets_dir):
        candidate = base / value
        if not candidate.is_file():
            continue
        if not candidate.resolve().is_relative_to(loader.project.resolve()):
            loader.errors.append(ContentError(path, *where, f"image '{value}' is a link to a file outside "
                                              "the project; copy the file in instead"))
            return None
        try:
            width, height = assets.image_size(candidate)
        except Exception as exc:
            loader.errors.append(ContentError(path, *where, f"image '{value}' cannot be read ({exc}); "
                                              "use an SVG, PNG, JPEG or WebP file"))
            return None
        if base == assets_dir:
            logical = candidate.relative_to(assets_dir).as_posix()
        else:
            logical = "media/" + candidate.relative_to(loader.content).as_posix()
        return Image(candidate, logical, width, height, values.get("alt", ""))
    loader.errors.append(ContentError(path, *where, f"image '{value}' does not exist next to this file "
                                      "or in assets/; check the spelling"))
    return None
