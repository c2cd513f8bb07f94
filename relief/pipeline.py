"""The whole build, read top to bottom: load and validate, render, publish.

Nothing is written until everything has been read and validated; ``publish`` swaps in a
complete bundle or leaves the old one untouched.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from . import assets
from .cache import FOLDER as CACHE_FOLDER
from .cache import Cache
from .content import load_site
from .errors import BuildFailed, ContentError, ContentWarning
from .model import Site
from .publish import publish
from .render import render_site
from .schema import absolute_url


@dataclass(frozen=True)
class Options:
    drafts: bool = False
    base_url: str | None = None  # overrides site.yaml
    strict: bool = False  # warnings are errors
    preview: bool = False  # serve: mark drafts, no search-engine files needed
    cache: bool = True  # False (--no-cache): .relief-cache/ is neither read nor written


@dataclass(frozen=True)
class BuildReport:
    out: Path
    base_url: str  # where the bundle will be published (after --base-url)
    pages: int
    stretches: int
    files: int
    bytes: int
    seconds: float
    warnings: tuple[ContentWarning, ...]


def build(project: Path, out: Path, options: Options = Options()) -> BuildReport:
    """Build ``project`` into ``out`` once; raise ``BuildFailed`` listing every problem."""
    return Builder(project, out, options).build()


class Builder:
    """Builds one project into one folder, again and again, redoing only what changed.

    It holds a ``Cache`` of parsed files, rendered pages and picture sizes: in memory from
    one of its builds to the next (``serve`` keeps one Builder for its session) and, unless
    ``options.cache`` is False (``--no-cache``), in ``.relief-cache/`` from one run to the next.
    """

    def __init__(self, project: Path, out: Path, options: Options = Options()) -> None:
        self.project, self.out, self.options = project, out, options

    @cached_property
    def cache(self) -> Cache:
        """Read by the first build (and timed with it), kept in memory from then on."""
        return Cache(self.project / CACHE_FOLDER if self.options.cache else None)

    def build(self) -> BuildReport:
        """Build the project into ``out``; raise ``BuildFailed`` listing every problem."""
        started = time.perf_counter()
        project, options = self.project, self.options
        site, warnings = load_site(project, drafts=options.drafts or options.preview, cache=self.cache)
        if options.base_url:
            site = replace(site, base_url=absolute_url(options.base_url))
        if options.strict and warnings:
            raise BuildFailed([ContentError(w.path, w.line, w.column, f"{w.message} (--strict)") for w in warnings])
        try:
            files = render_site(site, project / "templates", collect_assets(project, site),
                                preview=options.preview, cache=self.cache)
            publish(files, self.out)
        except ContentError as error:  # a template or output-folder problem: one place, one line
            raise BuildFailed([error]) from None
        with suppress(OSError):  # a read-only project, a full disk: the bundle is whole, the next build slower
            self.cache.save()
        return BuildReport(
            out=self.out,
            base_url=site.base_url,
            pages=len(site.pages),
            stretches=sum(len(page.stretches) for page in site.pages),
            files=len(files),
            bytes=sum(len(data) for data in files.values()),
            seconds=time.perf_counter() - started,
            warnings=tuple(warnings),
        )


def collect_assets(project: Path, site: Site) -> assets.AssetMap:
    """The project's assets/ plus every picture the content names, fingerprinted."""
    sources, errors = assets.scan(project / "assets", project)
    if errors:
        raise BuildFailed(errors)
    for page in site.pages:
        for stretch in page.stretches:
            if stretch.image:
                sources[stretch.image.logical] = stretch.image.source
    return assets.collect(sources)
