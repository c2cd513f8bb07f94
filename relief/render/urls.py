"""The one place URLs are made: every link, picture, script and stylesheet goes through ``Urls``.

Inside the bundle every URL is relative to the file it is written into (as MkDocs writes them),
so the same ``dist/`` works at a domain root, under any sub-path and opened from the file
system; a link to a folder names its ``index.html``, which a file system does not add by
itself. ``absolute=True`` makes the URLs that must be absolute (canonical, Open Graph,
sitemap, structured data) from ``base_url``. A file served at any depth (``404.html``) has no
place to be relative to: its URLs are root-relative, from the path of ``base_url``.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from ..model import Page, Site


@dataclass(frozen=True)
class Urls:
    """``url("a/")`` -> ``../a/index.html`` from ``b/index.html``; ``/relief/a/`` with no ``here``."""

    base_url: str  # absolute, ends with "/"
    here: str | None = None  # the bundle file the URLs go into, e.g. "neck-relief/index.html"

    @property
    def root(self) -> str:
        return urlsplit(self.base_url).path or "/"

    def at(self, here: str | None) -> Urls:
        """The same helper for URLs written into the bundle file ``here`` (None: root-relative)."""
        return replace(self, here=here)

    def __call__(self, path: str = "", *, absolute: bool = False) -> str:
        if "://" in path or path.startswith(("mailto:", "tel:", "#", "//")):
            return path
        target, hash_, fragment = path.lstrip("/").partition("#")
        if absolute:
            return self.base_url + path.lstrip("/")
        if self.here is None:
            return self.root + path.lstrip("/")
        if target == "" or target.endswith("/"):
            target += "index.html"
        return _relative(target, _folder(self.here)) + hash_ + fragment


@functools.lru_cache(maxsize=1024)
def _folder(here: str) -> str:
    """The folder of the bundle file ``here``: what its URLs are relative to."""
    return posixpath.dirname(here) or "."


def _relative(target: str, folder: str) -> str:
    """``posixpath.relpath(target, folder)`` for two paths inside the bundle, worked out from their parts:
    ``relpath`` asks the system for the working directory twice a call, and every page links to every
    other page (on a site of 1,000 pages, two million links, each a different pair)."""
    parts, base = _parts(target), _parts(folder)
    if parts is None or base is None:  # a path that climbs out of the bundle: as relpath has it
        return posixpath.relpath(target, folder)
    common = 0
    for mine, theirs in zip(parts, base, strict=False):  # as far as the shorter goes
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + list(parts[common:])) or "."


@functools.lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...] | None:
    """The names of a path relative to the bundle's root, or None if it climbs out of it."""
    normal = posixpath.normpath(path)
    if normal == ".":
        return ()
    if normal == ".." or normal.startswith(("../", "/")):
        return None
    return tuple(normal.split("/"))


def page_path(site: Site, page: Page) -> str:
    """Where a page lives, relative to the site root: '' for the home page, else 'slug/'; a page in another
    language than the default, in that language's folder: 'es/', 'es/slug/'."""
    return language_path(site, page.language) + ("" if page.slug == site.home else f"{page.slug}/")


def language_path(site: Site, language: str) -> str:
    """The folder of a language's pages: '' for the default language, else 'es/' ('pt-br/' for pt-BR)."""
    return "" if language == site.languages[0] else f"{language.lower()}/"
