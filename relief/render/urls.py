"""The one place URLs are made: every link, picture, script and stylesheet goes through ``Urls``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import Page, Site


@dataclass(frozen=True)
class Urls:
    """The one place URLs are made: ``url("a/")`` -> ``/relief/a/``; absolute on request."""

    base_url: str  # absolute, ends with "/"

    @property
    def root(self) -> str:
        return urlsplit(self.base_url).path or "/"

    def __call__(self, path: str = "", *, absolute: bool = False) -> str:
        if "://" in path or path.startswith(("mailto:", "tel:", "#", "//")):
            return path
        return (self.base_url if absolute else self.root) + path.lstrip("/")


def page_path(site: Site, page: Page) -> str:
    """Where a page lives, relative to the site root: '' for the home page, else 'slug/'."""
    return "" if page.slug == site.home else f"{page.slug}/"
