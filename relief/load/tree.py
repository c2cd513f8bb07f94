"""The tree of ``content/`` in, a validated ``Site`` out (or every problem in it, raised once).

Reads ``site.yaml``, each page's ``_page.md`` and each group's stretch files (parsed by
``relief.load.batch``), and checks what needs more than one file or the disk: page and
group folders, ids across files, pictures (``relief.load.pictures``). It computes the
derived facts (ids, group minutes, image sizes). Nothing is written.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ..cache import Memo, Store
from ..errors import BuildFailed, ContentError, ContentWarning, Problem
from ..model import CallToAction, Group, Image, Page, Site, Stretch, Tier, total
from . import photos, schema, translations
from .batch import Batch
from .files import CONTENT_LIMIT, Files, is_side_file
from .frontmatter import check_characters, decode, parse_yaml
from .parse import Entry, Kind
from .pictures import Pictures
from .routine import stretch_of

# lower-case letters of any script, digits and hyphens: 98-étirement-été.md (names are read in NFC)
NAME = r"[^\W_]+(?:-[^\W_]+)*"
# a translation's name has its language before .md: 01-glute-bridge.es.md
STRETCH_FILE = re.compile(rf"(\d+)-({NAME})(?:\.({translations.LANGUAGE}))?\.md")
_CONTENT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
RESERVED_SLUGS = {"assets", "404", "plan"}  # plan/: the clinicians' plan maker
# ids the page templates give their own parts (templates/page.html, _group.html and the
# guided routine in templates/_routine.html): a stretch or group id must not take one of them
PAGE_IDS = frozenset({"main", "safety-heading", "get-help-heading", "how-to-heading", "contents-heading",
                      "cta-heading", "routine-group", "routine-template", "more-pages-heading",
                      # a clinician's plan (templates/_plan.html)
                      "plan-data", "plan-template", "your-plan-heading", "your-plan-stretches",
                      "your-plan-stretches-heading",
                      *(f"get-help-{level}{part}" for level in schema.TIERS for part in ("", "-heading"))})


@dataclass
class Loader:
    """One load of a project: the problems found so far, and the files parsed ahead."""

    project: Path
    batch: Batch
    drafts: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[ContentWarning] = field(default_factory=list)
    entries: dict[Path, Entry] = field(default_factory=dict)  # parsed ahead by ``prefetch``, as far as taken in
    ahead: Generator[tuple[Path, Entry], None, None] | None = None  # the entries ``prefetch`` still parses, in order
    listings: dict[Path, list[Path]] = field(default_factory=dict)  # a group folder's *.md, as prefetch saw it
    settings: dict[str, Any] = field(default_factory=dict)  # site.yaml's checked values
    left_out: set[str] = field(default_factory=set)  # slugs of the draft pages not built
    languages: tuple[str, ...] = ("en",)  # the site's, the default first

    @cached_property
    def files(self) -> Files:
        return Files(self.project)

    @property
    def content(self) -> Path:
        return self.project / "content"

    @cached_property
    def pictures(self) -> Pictures:
        return Pictures(self.project, self.files, self.batch.memo, trusted=self.batch.allow_html)

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Record a ``ContentError`` raised inside and carry on with the next file."""
        try:
            yield
        except ContentError as error:
            self.errors.append(error)

    def inside(self, path: Path) -> bool:
        """Whether ``path``, links followed, is in the project."""
        return self.files.inside(path)

    def prefetch(self) -> None:
        """Parse every page and stretch file in one go: cached ones are not parsed again, and many
        new ones share the cores. Only plain files in plain folders are read ahead; links take
        the careful way through ``entry``."""
        if not self.content.is_dir() or not self.inside(self.content):
            return
        files: list[tuple[Kind, Path]] = []
        for page in sorted(_plain(self.content, dirs=True), key=lambda f: f.name):  # in the order they are checked
            if not page.name.startswith((".", "_")):
                files += [("page", Path(f.path)) for f in _plain(page.path) if f.name == "_page.md"]
                for group in sorted(_plain(page.path, dirs=True), key=lambda f: f.name):
                    with os.scandir(group.path) as found:
                        listed = sorted((f for f in found if f.name.endswith(".md") and not is_side_file(f.name)),
                                        key=lambda f: f.name)
                    folder = Path(group.path)
                    paths = self.listings[folder] = [self.path(folder, f.name) for f in listed]
                    files += [("stretch", path) for f, path in zip(listed, paths, strict=True)
                              if STRETCH_FILE.fullmatch(f.name) and f.is_file(follow_symlinks=False)]
        self.ahead = self.batch.stream(files, self.read)
        self.settle(first=True)  # the workers start now, and this process prepares what comes next (Batch.meanwhile)

    def settle(self, wanted: Path | None = None, *, first: bool = False) -> None:
        """Take in the entries parsed ahead up to ``wanted`` (or the first), waiting for those before it; all of
        them without one. Those after it are still being parsed while this process checks the ones before."""
        if self.ahead is None:
            return
        for path, entry in self.ahead:
            self.entries[path] = entry
            if first or path == wanted:
                return
        self.ahead = None

    def close(self) -> None:
        """Stop parsing ahead (a build that failed or was interrupted): no worker goes on for it."""
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None

    def read(self, path: Path) -> bytes:
        """A page or stretch file's bytes, under the one file rule and its size limit."""
        return self.files.read(path, limit=CONTENT_LIMIT)

    def path(self, folder: Path, name: str) -> Path:
        """``folder / name``, in serve the same object build after build: it hashes once, not on every look-up
        (a one-off build looks each up once: it makes them, quicker than ``Path`` of the whole name)."""
        memo = self.batch.memo
        if not memo.lasting:
            return folder / name
        key = ("path", str(folder), name)
        return memo.get(key) or memo.keep(key, folder / name)

    def markdown_files(self, folder: Path) -> list[Path]:
        """The ``*.md`` entries of a group folder by name, as listed by ``prefetch`` (or now)."""
        listed = self.listings.get(folder)
        return listed if listed is not None else sorted(p for p in folder.iterdir()
                                                        if p.name.endswith(".md") and not is_side_file(p.name))

    def notice_lookalikes(self, folder: Path, where: str) -> None:
        """Warn of files in ``folder`` that look like content but are not read (``X.MD``, ``x.md.txt``)."""
        for name in sorted(os.listdir(folder)):
            if not is_side_file(name) and looks_like_content(name) and (folder / name).is_file():
                self.warnings.append(ContentWarning(folder / name, 1, 1, f"looks like a content file but is not "
                                                    f"read: {where}; rename it (or move it out of content/)"))

    def entry(self, path: Path, kind: Kind) -> Entry:
        """``path`` parsed, its problems recorded; raises ``ContentError`` if it cannot be read."""
        entry = self.entries.get(path)
        if entry is None and self.ahead is not None:
            self.settle(path)
            entry = self.entries.get(path)
        if entry is None:
            self.read(path)  # raises what is wrong with a file that cannot be read
            entry = self.batch.entries([(kind, path)], self.read)[path]
        self.entries[path] = entry  # a translation's checks find its original's values and places here
        self.errors += [p for p in entry.problems if isinstance(p, ContentError)]
        self.warnings += [p for p in entry.problems if isinstance(p, ContentWarning)]
        return entry


def looks_like_content(name: str) -> bool:
    """A name a person meant as a Markdown file that relief would not read as one: ``X.MD``, ``x.markdown``,
    ``x.md.txt``, ``x.md `` (a trailing space)."""
    folded = unicodedata.normalize("NFC", name).strip().lower()
    if name.endswith(".md") and name == name.strip():
        return False  # read (or, if misnamed, an error of its own)
    return folded.endswith(_CONTENT_SUFFIXES) or any(f"{suffix}." in folded for suffix in _CONTENT_SUFFIXES)


def _plain(folder: str | Path, *, dirs: bool = False) -> list[os.DirEntry[str]]:
    """The plain files (or folders) in ``folder``, links left out."""
    with os.scandir(folder) as found:
        return [e for e in found if not e.is_symlink() and (e.is_dir() if dirs else e.is_file())]


def load_site(project: Path, *, drafts: bool = False, batch: Batch | None = None,
              ) -> tuple[Site, list[ContentWarning]]:
    """Read and validate everything under ``project/content``; raise ``BuildFailed`` on errors.

    ``batch`` parses the files, keeping them in its caches between builds; without one, all are parsed.
    """
    loader = Loader(project, batch or Batch(Memo(), Store(None)), drafts)
    site_file = loader.content / "site.yaml"
    settings: dict[str, Any] = {}
    with loader.collecting():
        if not site_file.exists() and not site_file.is_symlink():
            raise ContentError(site_file, 1, 1, "is missing; create it with at least 'title:' and 'base_url:'")
        text = check_characters(site_file, decode(site_file, loader.read(site_file)))
        if not text.strip():
            raise ContentError(site_file, 1, 1, "is empty; give it at least 'title:' and 'base_url:'")
        settings, errors = schema.validate(parse_yaml(site_file, text), schema.SITE, "site.yaml")
        loader.errors.extend(errors)
    loader.settings = settings
    loader.batch.allow_html = settings.get("allow_html", False)
    loader.languages = _languages(loader, settings)
    try:
        loader.prefetch()
        pages = [page for page in _load_pages(loader) if page is not None]
        loader.settle()
    finally:
        loader.close()
    translated = _translated_sites(loader, pages)
    if loader.content.is_dir():
        loader.notice_lookalikes(loader.content, "content/ holds site.yaml and one folder per page")
    home = settings.get("home")
    if home is None and len(pages) == 1:
        home = pages[0].slug
    elif home is not None and not (loader.content / home / "_page.md").is_file():
        loader.errors.append(ContentError(site_file, 1, 1, f"'home' names page '{home}', but there is "
                                          f"no folder content/{home}/ with a _page.md"))
    elif home in loader.left_out:
        loader.errors.append(ContentError(site_file, 1, 1, f"'home' names page '{home}', which is a draft "
                                          f"('draft: true' in content/{home}/_page.md); publish it or "
                                          "choose another home"))
    if not pages and not loader.errors:
        loader.errors.append(ContentError(loader.content, 1, 1, "has no pages to publish; add "
                                          "content/<page>/_page.md" + (" or set 'draft: false' in one"
                                                                       if loader.left_out else "")))
    if loader.errors:
        raise BuildFailed(loader.errors + loader.warnings)
    cta = settings.get("cta")
    languages = loader.languages
    site = Site(
        title=settings["title"],
        short_name=settings.get("short_name", settings["title"]),
        base_url=settings["base_url"],
        language=languages[0],
        languages=languages,
        home=home,
        cta=CallToAction(**cta) if cta else None,
        footer=settings.get("footer", ""),
        emergency_number=settings.get("emergency_number"),
        urgent_number=settings.get("urgent_number"),
        phone=settings.get("phone"),
        allow_html=settings.get("allow_html", False),
        offline=settings.get("offline", True),
        keep_files=settings.get("keep_files", ()),
        pages=tuple(pages),
        source=site_file,
    )
    site = replace(site, translated=tuple(replace(site, language=language, title=words["title"],
                                                  short_name=words.get("short_name", words["title"]),
                                                  cta=CallToAction(**words["cta"]) if words.get("cta") else None,
                                                  footer=words.get("footer", ""), pages=tuple(pages_in),
                                                  home=home if any(p.slug == home for p in pages_in) else None)
                                          for language, words, pages_in in translated))
    return site, sorted(loader.warnings, key=lambda w: (str(w.path), w.line, w.column))


def _languages(loader: Loader, settings: dict[str, Any]) -> tuple[str, ...]:
    """The site's languages, its default first: ``languages``, else ``language`` alone (default ``en``)."""
    listed, default = settings.get("languages"), settings.get("language")
    if listed and default and default.lower() != listed[0].lower():
        loader.errors.append(ContentError(loader.content / "site.yaml", 1, 1, f"'language' is {default} but "
                                          f"'languages' starts with {listed[0]}; the first of 'languages' is the "
                                          "default language: give one of the two"))
    return site_languages(settings)


def site_languages(settings: dict[str, Any]) -> tuple[str, ...]:
    """The languages ``site.yaml``'s settings give, the default first."""
    listed, default = settings.get("languages"), settings.get("language")
    return tuple(listed) if listed else (default or "en",)


def read_settings(project: Path) -> dict[str, Any] | None:
    """The valid settings of ``site.yaml``, if it can be read at all (what is wrong, the build says)."""
    site_file = project / "content" / "site.yaml"
    try:
        text = decode(site_file, Files(project).read(site_file))
        values, _ = schema.validate(parse_yaml(site_file, text), schema.SITE, "site.yaml")
    except ContentError:
        return None
    return values


def read_base_url(project: Path) -> str | None:
    """The ``base_url`` of ``site.yaml`` if it can be read and is valid (``serve`` serves under its path)."""
    settings = read_settings(project)
    return settings.get("base_url") if settings is not None else None


def _load_pages(loader: Loader) -> Iterator[Page | None]:
    if not loader.content.is_dir():
        loader.errors.append(ContentError(loader.content, 1, 1, "is missing; create content/site.yaml"))
        return
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in loader.content.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        page_file = folder / "_page.md"
        if not page_file.exists() and not page_file.is_symlink():
            loader.errors.append(ContentError(folder, 1, 1, "is a folder without _page.md; add one "
                                              "or move the folder out of content/"))
            continue
        name = unicodedata.normalize("NFC", folder.name)
        key = name.lower()
        if not re.fullmatch(NAME, name) or name != key or name in RESERVED_SLUGS:
            loader.errors.append(ContentError(page_file, 1, 1, f"the page folder name '{folder.name}' is "
                                              "its URL: use lower-case letters, digits and hyphens "
                                              f"(not {', '.join(sorted(RESERVED_SLUGS))})"))
        elif key in seen:
            loader.errors.append(ContentError(page_file, 1, 1, f"duplicate page slug '{key}' "
                                              f"(also {seen[key]}); rename one folder"))
        elif translations.language_of(key, loader.languages[1:]):
            loader.errors.append(ContentError(page_file, 1, 1, f"the page folder name '{key}' is the folder of the "
                                              f"site's pages in {key} ({key}/); rename the page's folder"))
        for other in sorted(folder.iterdir()):
            found = translations.PAGE_FILE.fullmatch(other.name)
            if found and found.group(1) and not translations.language_of(found.group(1), loader.languages[1:]):
                loader.errors.append(_unlisted(loader, other, found.group(1)))
        seen[key] = page_file
        with loader.collecting():
            yield _load_page(loader, folder, page_file)


def _load_page(loader: Loader, folder: Path, page_file: Path) -> Page | None:
    parsed = loader.entry(page_file, "page")
    if not parsed.parsed:
        return None
    values, doc = parsed.values, parsed.doc
    groups: list[Group] = []
    ids: dict[str, Path] = {}
    named = set()
    group_ids = [entry["id"] for entry in values.get("groups", []) if "id" in entry]
    reserved = PAGE_IDS | {f"{g}{suffix}" for g in group_ids for suffix in ("", "-heading", "-extra-heading")}
    for index, entry in enumerate(values.get("groups", [])):
        if "id" not in entry:
            continue
        if entry["id"] in named:
            loader.errors.append(doc.error(("groups", index, "id"), f"duplicate group id '{entry['id']}'; "
                                           "give each group its own id"))
            continue
        named.add(entry["id"])
        if entry["id"] in PAGE_IDS:
            loader.errors.append(doc.error(("groups", index, "id"), f"the group id '{entry['id']}' is already the "
                                           "id of a part of the page; choose another id (and rename its folder)"))
            continue
        group_dir = folder / entry["id"]
        if not group_dir.is_dir():
            loader.errors.append(doc.error(("groups", index, "id"), f"group '{entry['id']}' has no folder "
                                           f"{group_dir.relative_to(loader.project)}/; create it or remove the group"))
            continue
        if not loader.inside(group_dir):
            loader.errors.append(ContentError(group_dir, 1, 1, "is a link to a folder outside the project; "
                                              "copy the folder in instead"))
            continue
        group = _load_group(loader, group_dir, entry, ids, reserved, draft_page=values.get("draft", False))
        if group is not None:
            groups.append(group)
    # with 'groups' itself wrong, every folder would look unnamed: one error is enough
    listed = bool(values.get("groups")) and all("id" in entry for entry in values["groups"])
    for extra in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if listed and extra.name not in named:
            line, column = doc.at("groups")
            loader.errors.append(ContentError(page_file, line, column, f"folder '{extra.name}/' is not one of the "
                                              "page's groups; add it under 'groups:' or remove the folder"))
    tiers = _tiers(loader, parsed)
    if values.get("next_review") and values.get("reviewed") and values["next_review"] <= values["reviewed"]:
        loader.errors.append(doc.error(("next_review",), f"'next_review' {values['next_review'].isoformat()} is "
                                       f"not after 'reviewed' {values['reviewed'].isoformat()}; give the date the "
                                       "page is next due to be checked"))
    draft = values.get("draft", False)
    if not draft:
        _no_placeholders(loader, parsed, "page")
    cta = _call_to_action(loader, parsed, loader.settings.get("cta"))
    if loader.errors:
        return None
    loader.notice_lookalikes(folder, "a page's settings and introduction are in _page.md, its stretches in "
                             "its group folders")
    if draft and not loader.drafts:
        loader.left_out.add(unicodedata.normalize("NFC", folder.name))
        return None
    return Page(
        slug=unicodedata.normalize("NFC", folder.name),
        **_page_words(parsed, tiers),
        reviewed=values["reviewed"],
        reviewed_by=values.get("reviewed_by"),
        next_review=values.get("next_review"),
        groups=tuple(groups),
        source=page_file,
        draft=draft,
        cta=cta,
        site_title=values.get("site_title", loader.settings.get("title", "")),
        next_review_at=tuple(doc.at("next_review")),
        language=loader.languages[0],
    )


def _page_words(parsed: Entry, tiers: Any) -> dict[str, Any]:
    """The words of a page file, the same for a page and for its translation."""
    values, html = parsed.values, parsed.html
    return {"title": values["title"], "description": values["description"], "intro_html": html["body"],
            "disclaimer_html": html["disclaimer"], "instructions_html": html["instructions"], "get_help": tiers,
            "reassurance_html": html.get("reassurance", ""), "how_it_feels_html": html.get("how_it_feels", "")}


def _call_to_action(loader: Loader, parsed: Entry, site_cta: dict[str, Any] | None) -> CallToAction | None:
    """The page's call to action: the site's (in its language), with each field the page gives in its place."""
    site_cta = site_cta or {}
    own = parsed.values.get("cta")
    merged = {**site_cta, **(own or {})}
    missing = [name for name in schema.CTA if name not in merged]
    if not missing:
        return CallToAction(**merged)
    if own is not None and not site_cta and not parsed.failed:  # else said already, at its place
        loader.errors.append(parsed.doc.error(("cta",), f"the page's 'cta' gives no {' or '.join(missing)} and "
                                              "site.yaml has no cta to take it from; add "
                                              + ", ".join(f"'{name}:'" for name in missing)))
    return None


def _no_placeholders(loader: Loader, parsed: Entry, what: str) -> None:
    """An error at each text ``relief new`` wrote that a published page or stretch still holds."""
    loader.errors += [ContentError(parsed.path, line, column, f"still holds the text 'relief new' wrote to be "
                                   f"replaced (\"{text}\"); write the real text, or keep the {what} a draft with "
                                   "'draft: true'") for line, column, text in parsed.placeholders]


def _tiers(loader: Loader, parsed: Entry) -> tuple[Tier, ...]:
    """The page's urgent care, most urgent first, each with the number ``site.yaml`` gives for it."""
    tiers = []
    given = parsed.values.get("get_help", {})
    for level, setting in schema.TIERS.items():
        tier = given.get(level)
        if not tier or "title" not in tier or "signs" not in tier:
            continue  # the schema reported what is missing
        number = loader.settings.get(setting)
        if number is None:
            if not any(error.path == loader.content / "site.yaml" for error in loader.errors):  # not said twice
                loader.errors.append(parsed.doc.error(("get_help", level), f"the '{level}' box calls site.yaml's "
                                                      f"'{setting}', which is not set; add '{setting}:' to "
                                                      "content/site.yaml"))
            continue
        tiers.append(Tier(level, tier["title"], tier.get("text"), tuple(tier["signs"]), tier.get("call"),
                          number))
    return tuple(tiers)


def _load_group(loader: Loader, folder: Path, entry: dict[str, Any], ids: dict[str, Path],
                reserved: set[str], *, draft_page: bool = False) -> Group | None:
    stretches: list[Stretch] = []
    for path in loader.markdown_files(folder):
        if path.name == "README.md":
            continue
        match = STRETCH_FILE.fullmatch(unicodedata.normalize("NFC", path.name))
        if not match or match.group(2) != match.group(2).lower():
            loader.errors.append(ContentError(path, 1, 1, _bad_name(path.name)))
            continue
        stretch_id = match.group(2)
        if match.group(3):  # a translation: loaded with its page's translation (_load_translation)
            if not translations.language_of(match.group(3), loader.languages[1:]):
                loader.errors.append(_unlisted(loader, path, match.group(3)))
            elif not (original := path.with_name(f"{match.group(1)}-{stretch_id}.md")).is_file():
                loader.errors.append(ContentError(path, 1, 1, f"is a translation of {original.name}, which does not "
                                                  "exist; rename it after the stretch it translates, or remove it"))
            continue
        if stretch_id in reserved:
            loader.errors.append(ContentError(path, 1, 1, f"the stretch id '{stretch_id}' is already the id of a "
                                              "group or a part of the page, so its links would clash; rename the "
                                              f"file, e.g. {match.group(1)}-{stretch_id}-stretch.md"))
            continue
        if stretch_id in ids:
            loader.errors.append(ContentError(path, 1, 1, f"duplicate stretch id '{stretch_id}' (also "
                                              f"{ids[stretch_id].relative_to(loader.project)}); rename one file"))
            continue
        ids[stretch_id] = path
        with loader.collecting():
            stretch = _load_stretch(loader, path, stretch_id, draft_page=draft_page)
            if stretch is not None and (loader.drafts or not stretch.draft):
                stretches.append(stretch)
    loader.notice_lookalikes(folder, "a stretch file is named NN-name.md, with a lower-case .md")
    routine = tuple(s for s in stretches if not s.extra)
    extras = tuple(s for s in stretches if s.extra)
    return Group(
        id=entry["id"],
        title=entry.get("title", ""),  # missing: the schema reported it and the page is not built
        extra_title=entry.get("extra_title"),
        tip=entry.get("tip"),
        routine=routine,
        extras=extras,
        seconds=total(routine),
    )


def _bad_name(name: str) -> str:
    """What a stretch file's name should be, with the name it could have."""
    found = re.match(r"(\d*)[-_\s]*(.*)", unicodedata.normalize("NFC", name).removesuffix(".md"))
    number, rest = (found.group(1) or "01", found.group(2)) if found else ("01", name)
    suggestion = "-".join("".join(c if c.isalnum() else " " for c in rest.lower()).split()) or "name"
    return (f"name stretch files '<NN>-<name>.md': a number, a hyphen, then lower-case words (letters of any "
            f"script, digits) joined by hyphens, e.g. {number}-{suggestion}.md")


def _load_stretch(loader: Loader, path: Path, stretch_id: str, *, draft_page: bool = False) -> Stretch | None:
    parsed = loader.entry(path, "stretch")
    values = parsed.values
    before = len(loader.errors)
    if "title" not in values:
        return None
    if not (draft_page or values.get("draft", False)):
        _no_placeholders(loader, parsed, "stretch")
    image = None
    if "image" in values:
        image = _image(loader, parsed)
    elif "alt" in values:
        loader.warnings.append(ContentWarning(path, *parsed.doc.at("alt"), "'alt' is given but there is no 'image'"))
    if parsed.failed or len(loader.errors) > before:
        return None
    return stretch_of(values, id=stretch_id, body_html=parsed.html["body"], body_text=parsed.text, source=path,
                      image=image)


def _image(loader: Loader, parsed: Entry) -> Image | None:
    path, values = parsed.path, parsed.values
    if "alt" not in values:
        loader.errors.append(parsed.doc.error(("image",), "'image' needs 'alt': describe what the picture shows"))
    found = loader.pictures.find(path, values["image"])
    if isinstance(found, str):
        loader.errors.append(ContentError(path, *parsed.doc.at("image"), found))
        return None
    if isinstance(found, ContentError):  # in the picture file itself: said once, however many stretches use it
        if found not in loader.errors:
            loader.errors.append(found)
        return None
    source, logical, width, height, _, variants, size = found
    if size > photos.LARGE:
        warning = ContentWarning(source, 1, 1, f"is {size / 1024 / 1024:.1f} MB: it is published resized, but keep "
                                 "pictures under 2 MB (export about 2,000 pixels across) so the project stays light")
        if warning not in loader.warnings:
            loader.warnings.append(warning)
    return Image(source, logical, width, height, values.get("alt", ""), variants)


# ---- translations: site.es.yaml, _page.es.md and 01-name.es.md beside their originals ----

def _unlisted(loader: Loader, path: Path, tag: str) -> ContentError:
    listed = ", ".join(loader.languages)
    return ContentError(path, 1, 1, f"is a translation into '{tag}', which is not one of the site's languages "
                        f"({listed}); add it to 'languages:' in content/site.yaml, or remove the file")


def _translated_sites(loader: Loader, pages: list[Page]) -> list[tuple[str, dict[str, Any], list[Page]]]:
    """For each language but the default: the site's words in it and the pages translated into it."""
    if loader.content.is_dir():
        for path in sorted(loader.content.iterdir()):
            found = translations.SITE_FILE.fullmatch(path.name)
            if found and found.group(1) and not translations.language_of(found.group(1), loader.languages[1:]):
                loader.errors.append(_unlisted(loader, path, found.group(1)))
    sites = []
    for language in loader.languages[1:]:
        words = _site_words(loader, language)
        translated = []
        for page in pages:
            with loader.collecting():
                translated.append(_load_translation(loader, page, language, words or {}))
        if words is not None:
            sites.append((language, words, [page for page in translated if page is not None]))
    return sites


def _site_words(loader: Loader, language: str) -> dict[str, Any] | None:
    """``site.<lang>.yaml``: the site's title, short name, call to action and footer in ``language``."""
    site_file = loader.content / "site.yaml"
    path = loader.content / f"site.{translations.folder_of(language)}.yaml"
    if not path.is_file() and not path.is_symlink():
        texts = ["title", *(name for name in translations.SITE_TEXTS if loader.settings.get(name))]
        loader.errors.append(ContentError(site_file, 1, 1, f"'languages' lists {language}: add "
                                          f"content/{path.name} with the site's {', '.join(texts)} in {language}"))
        return None
    with loader.collecting():
        text = check_characters(path, decode(path, loader.read(path)))
        doc = parse_yaml(path, text)
        values, errors = schema.validate(doc, schema.TRANSLATED_SITE, path.name)
        loader.errors.extend(errors)
        for name in translations.missing_texts(loader.settings, values, translations.SITE_TEXTS):
            loader.errors.append(ContentError(path, 1, 1, f"is missing '{name}': site.yaml gives one, so its "
                                              f"pages in {language} need it in {language}; add '{name}:'"))
        if "cta" in values and loader.settings.get("cta") is None:
            loader.errors.append(doc.error(("cta",), "site.yaml has no 'cta': a translation gives only what the "
                                           "original gives; remove it or add one to site.yaml"))
        return values if not errors else None
    return None


def _load_translation(loader: Loader, original: Page, language: str, words: dict[str, Any]) -> Page | None:
    """The page's translation into ``language`` (``_page.<lang>.md`` and each stretch's ``NN-name.<lang>.md``),
    checked as the original is and against it: the same groups and stretches, the same doses, a text for every
    text. None if the page has no translation into ``language`` (or it is a draft not built)."""
    tag = translations.folder_of(language)
    path = original.source.with_name(f"_page.{tag}.md")
    if not path.is_file() and not path.is_symlink():
        return None
    parsed = loader.entry(path, "translation")
    source = loader.entries.get(original.source)
    if not parsed.parsed or source is None:
        return None
    before = len(loader.errors)
    values, doc = parsed.values, parsed.doc
    draft = values.get("draft", False)
    given = {entry["id"]: (index, entry) for index, entry in enumerate(values.get("groups", [])) if "id" in entry}
    wanted = {group.id: group for group in original.groups}
    original_groups = {entry.get("id"): entry for entry in source.values.get("groups", [])}
    lacking = [group_id for group_id in wanted if group_id not in given]
    if lacking:
        loader.errors.append(doc.error(("groups",), f"the {language} translation lacks the group"
                                       f"{'s' if len(lacking) > 1 else ''} {', '.join(lacking)} of "
                                       f"{original.source.name}; add each under 'groups:' with its words in "
                                       f"{language}"))
    for group_id, (index, _) in given.items():
        if group_id not in wanted:
            loader.errors.append(doc.error(("groups", index, "id"), f"'{group_id}' is not a group of "
                                           f"{original.source.name} ({', '.join(wanted)}); a translation has the "
                                           "original's groups"))
    if [g for g in given if g in wanted] != [g for g in wanted if g in given]:
        loader.errors.append(doc.error(("groups",), f"lists the groups in another order than {original.source.name} "
                                       f"({', '.join(wanted)}); keep the original's order"))
    missing: list[str] = []
    groups = []
    for group_id, group in wanted.items():
        if group_id not in given:
            continue
        index, entry = given[group_id]
        for name in translations.missing_texts(original_groups.get(group_id, {}), entry, translations.GROUP_TEXTS):
            loader.errors.append(doc.error(("groups", index), f"group '{group_id}' has no '{name}': the original "
                                           f"gives one; write it in {language}"))
        stretches = []
        for stretch in group.stretches:
            file = stretch.source.with_name(f"{stretch.source.stem}.{tag}.md")
            shown = stretch.source.relative_to(original.source.parent).as_posix()
            if not file.is_file() and not file.is_symlink():
                if not stretch.draft:
                    missing.append(shown)
                continue
            with loader.collecting():
                translated = _load_stretch(loader, file, stretch.id, draft_page=draft)
                if translated is not None and translated.draft and not loader.drafts:
                    missing.append(f"{shown} (its translation is a draft)")
                elif translated is not None:
                    _compare_stretch(loader, stretch, translated)
                    stretches.append(translated)
        routine = tuple(s for s in stretches if not s.extra)
        groups.append(Group(id=group_id, title=entry.get("title", ""), extra_title=entry.get("extra_title"),
                            tip=entry.get("tip"), routine=routine, extras=tuple(s for s in stretches if s.extra),
                            seconds=total(routine)))
    if missing:
        example = Path(missing[0].split(" ")[0])
        loader.errors.append(ContentError(path, 1, 1, f"the {language} translation lacks {len(missing)} "
                                          f"stretch{'es' if len(missing) > 1 else ''} of the original: "
                                          f"{', '.join(missing)}; translate each beside it, e.g. "
                                          f"{example.with_name(f'{example.stem}.{tag}.md').as_posix()}"))
    for name in translations.missing_texts(source.values, values, translations.PAGE_TEXTS):
        loader.errors.append(ContentError(path, 1, 1, f"is missing '{name}': {original.source.name} gives one; "
                                          f"write it in {language}"))
    if values.get("next_review") and values.get("reviewed") and values["next_review"] <= values["reviewed"]:
        loader.errors.append(doc.error(("next_review",), "'next_review' is not after 'reviewed'; give the date the "
                                       "translation is next due to be checked"))
    if values.get("next_review") and not values.get("reviewed"):
        loader.errors.append(doc.error(("next_review",), "'next_review' needs 'reviewed': the date a clinician "
                                       "checked this translation"))
    if not draft:
        _no_placeholders(loader, parsed, "page")
    tiers = _tiers(loader, parsed)
    cta = _call_to_action(loader, parsed, words.get("cta"))
    if len(loader.errors) > before or "title" not in values or (draft and not loader.drafts):
        return None
    return Page(
        slug=original.slug,
        **_page_words(parsed, tiers),
        reviewed=values.get("reviewed"),
        reviewed_by=values.get("reviewed_by"),
        next_review=values.get("next_review"),
        groups=tuple(groups),
        source=path,
        draft=draft,
        cta=cta,
        site_title=values.get("site_title", words.get("title", "")),
        next_review_at=tuple(doc.at("next_review")),
        language=language,
        source_reviewed=original.reviewed,
    )


def _compare_stretch(loader: Loader, original: Stretch, translated: Stretch) -> None:
    """A stretch's translation changes only words: its dose, picture and caution are there as in the original."""
    doc = loader.entries[translated.source].doc
    for name, was, now in translations.dose_differences(original, translated):
        loader.errors.append(doc.error((name,), f"'{name}' is {translations.shown(now)} here but "
                                       f"{translations.shown(was)} in {original.source.name}: a translation changes "
                                       "only words; give the original's"))
    if original.image and not translated.image:
        loader.errors.append(ContentError(translated.source, 1, 1, f"{original.source.name} shows a picture: give "
                                          "'image' (the same file is fine) and its 'alt' in this language"))
    if original.caution and not translated.caution:
        loader.errors.append(ContentError(translated.source, 1, 1, f"{original.source.name} gives a 'caution': write "
                                          "it in this language"))
