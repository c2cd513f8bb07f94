"""The whole build, read top to bottom: load and validate, render, publish.

Nothing is written until everything has been read and validated, and then only into a hidden new
bundle beside the output folder (render workers put their pages there as they make them);
``publish.Staging`` swaps in the complete bundle or leaves the old one untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import time
import traceback
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import FOLDER as CACHE_FOLDER
from .cache import Memo, Store, stamp
from .cache.store import renderer_fingerprint
from .errors import BuildFailed, ContentError, ContentWarning
from .load import Batch, load_assets, load_site, load_templates
from .load.assets import shipped_assets
from .load.schema import absolute_url
from .load.tree import read_settings, site_languages
from .publish import KEEP, Staging, side_files

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Options:
    drafts: bool = False
    base_url: str | None = None  # overrides site.yaml
    strict: bool = False  # warnings are errors
    preview: bool = False  # serve: mark drafts, no search-engine files needed
    cache: bool = True  # False (--no-cache): .relief-cache/ is neither read nor written
    jobs: int | None = None  # worker processes that parse files; None: as many as cores, when it pays


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
    workers: int = 0  # worker processes that parsed files in this build (0: none, all parsed here or cached)
    renderers: int = 0  # worker processes that rendered pages (0: all rendered here)
    unchanged: bool = False  # nothing had changed since the last build of ``out``: nothing was written
    # each page's next review: its file, the line and column of 'next_review' and the date ('check' warns once due)
    next_reviews: tuple[tuple[Path, int, int, dt.date], ...] = ()


def build(project: Path, out: Path, options: Options = Options()) -> BuildReport:
    """Build ``project`` into ``out`` once; raise ``BuildFailed`` listing every problem."""
    return Builder(project, out, options).build()


class Builder:
    """Builds one project into one folder, again and again, redoing only what changed.

    It holds a ``Memo`` of what its builds parsed and rendered (``serve`` keeps one Builder
    for its session) and, unless ``options.cache`` is False (``--no-cache``), a ``Store`` in
    ``.relief-cache/`` for the next run.
    """

    def __init__(self, project: Path, out: Path, options: Options = Options(), *, session: bool = False) -> None:
        self.project, self.out, self.options = project, out, options
        self.memo = Memo(lasting=session)  # session: build after build (serve), each redoing only what changed
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """Read by the first build (and timed with it), kept in memory from then on."""
        if self._store is None:
            self._store = Store(self.project / CACHE_FOLDER if self.options.cache else None)
        return self._store

    def build(self) -> BuildReport:
        """Build the project into ``out``; raise ``BuildFailed`` listing every problem."""
        started = time.perf_counter()
        project, options = self.project, self.options
        cache = project / CACHE_FOLDER if options.cache and not options.preview else None
        taken = cache and stamp.Stamp.take(project, self.out, renderer_fingerprint(), replace(options, jobs=None))
        last = stamp.last_build(cache, taken, self.out)
        if last is not None:
            return _unchanged(self.out, last.report, time.perf_counter() - started)
        stamp.forget(cache, taken)  # from here on, out may change
        batch = Batch(self.memo, self.store, jobs=options.jobs, meanwhile=self._prepare)
        site, warnings = load_site(project, drafts=options.drafts or options.preview, batch=batch)
        _give_back_freed_memory()  # what reading and parsing freed, before the pages take their room
        if options.base_url:
            site = replace(site, base_url=absolute_url(options.base_url))
        if options.strict and warnings:
            raise BuildFailed([ContentError(w.path, w.line, w.column, f"{w.message} (--strict)") for w in warnings])
        renderers: set[int] = set()  # the worker processes that rendered pages, if any did
        try:
            # loaded by _prepare while a one-off build's workers parse (Babel's catalogs, Jinja), else here
            from .load.catalogs import load_catalogs
            from .render import render_site

            assets = load_assets(project, site, self.store, self.memo)
            sources = load_templates(project / "templates", project)
            catalogs, errors = load_catalogs(project, site.languages, project / "templates", sources)
            if errors:
                raise BuildFailed(errors)
            with Staging(self.out, site.keep_files) as staging:  # render workers may write pages into it
                files = render_site(site, project / "templates", sources, assets, catalogs=catalogs,
                                    preview=options.preview, memo=self.memo, jobs=options.jobs, workers=renderers,
                                    open_output=staging.open)
                staging.finish(files)
        except ContentError as error:  # a template or output-folder problem: one place, one line
            raise BuildFailed([error]) from None
        self.memo.turn()
        report = BuildReport(
            out=self.out,
            base_url=site.base_url,
            pages=len(site.pages),
            stretches=sum(len(page.stretches) for page in site.pages),
            files=len(files),
            bytes=sum(len(data) for data in files.values()),
            seconds=time.perf_counter() - started,
            warnings=tuple(warnings),
            workers=len(batch.workers),
            renderers=len(renderers),
            next_reviews=tuple((page.source, *page.next_review_at, page.next_review) for edition in site.editions
                               for page in edition.pages if page.next_review is not None),
        )
        with suppress(OSError):  # a read-only project, a full disk: the bundle is whole, the next build slower
            self.store.save()
            stamp.remember(cache, taken, self.out, _kept(site.keep_files),
                            side_files(self.out), _told(report, project))
        return report


    def _prepare(self) -> None:
        """While worker processes parse the content, what the build needs next and the content does not change,
        kept in the memo under its inputs, where the build finds it once the content is loaded: the checked
        and stripped files of ``assets/``, and the templates compiled in each language. This process would
        otherwise do it alone afterwards, one core idle. Whatever is wrong, the build finds and reports in
        its place, as without this."""
        project, templates = self.project, self.project / "templates"
        with suppress(Exception):
            # imported here, not before the workers start: they parse without Babel's catalogs and Jinja
            from .load.catalogs import load_catalogs
            from .render import compiled_templates

            settings = read_settings(project)
            if settings is None:
                return
            shipped_assets(project, settings.get("allow_html", False), self.store, self.memo)
            sources = load_templates(templates, project)
            languages = site_languages(settings)
            catalogs, errors = load_catalogs(project, languages, templates, sources)
            for language in languages if not errors else ():
                compiled_templates(templates, sources, language, catalogs.get(language), self.memo)


def _give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc keeps them otherwise): a 10,000-stretch
    build then peaks some 25 MB lower (``bench/run.py``); elsewhere nothing happens."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def _kept(keep_files: tuple[str, ...]) -> tuple[str, ...]:
    """The names in ``out`` that publish leaves as they are."""
    return (*KEEP, *keep_files)


def _told(report: BuildReport, project: Path) -> dict:
    """What a build that changed nothing repeats of ``report``: counts, base URL and warnings."""
    return {"base_url": report.base_url, "pages": report.pages, "stretches": report.stretches,
            "files": report.files, "bytes": report.bytes,
            "warnings": [[str(w.path), w.line, w.column, w.message] for w in report.warnings],
            "next_reviews": [[str(path), line, column, due.isoformat()] for path, line, column, due
                             in report.next_reviews]}


def _unchanged(out: Path, told: dict, seconds: float) -> BuildReport:
    warnings = tuple(ContentWarning(Path(path), line, column, message) for path, line, column, message
                     in told["warnings"])
    reviews = tuple((Path(path), line, column, dt.date.fromisoformat(due)) for path, line, column, due
                    in told.get("next_reviews", ()))
    return BuildReport(out=out, base_url=told["base_url"], pages=told["pages"], stretches=told["stretches"],
                       files=told["files"], bytes=told["bytes"], seconds=seconds, warnings=warnings, unchanged=True,
                       next_reviews=reviews)


def guarded_build(builder: Builder) -> BuildReport:
    """``builder.build()``, with an unexpected crash reported as one problem line instead of a traceback.

    Nothing reaches ``out`` before the final atomic swap, so whatever failed, it is as it was.
    """
    try:
        return builder.build()
    except BuildFailed:
        raise
    except Exception as exc:
        raise BuildFailed([_unexpected(exc)]) from exc


def _unexpected(exc: Exception) -> ContentError:
    if isinstance(exc, OSError) and exc.filename:
        return ContentError(Path(exc.filename), 1, 1, f"cannot be read or written ({exc.strerror}); "
                            "check the file, its folder and their permissions")
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(PACKAGE)] or frames
    return ContentError(Path(ours[-1].filename), ours[-1].lineno or 1, 1,
                        f"unexpected {type(exc).__name__}: {exc}; this is a bug in relief: please report it")
