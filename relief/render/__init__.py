"""A validated ``Site`` and the sources it names in, the bundle's files out (path -> bytes).

Pure: nothing is read from or written to disk here, except through what a build's ``open_output``
gives, with which render workers put their pages straight into the new bundle
(``relief.publish.Staging``): then a page's value is its size and hash (``offline.Written``),
not its bytes. Pages go through the Jinja templates with autoescape on (``templates``); every
URL is made by one ``Urls`` helper from ``base_url`` (``urls``); assets get hashed names
(``fingerprint``); structured data, the sitemap and host files are made in ``data``; the
service worker and web app manifest in ``offline``.
"""

from __future__ import annotations

import functools
import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import jinja2

from ..cache import Key, Memo
from ..errors import ContentError
from ..model import Site
from ..workers import cores, in_order, shared_map, start_method
from . import offline, plan
from .data import headers, index_versions, json_ld, sitemap, versions
from .fingerprint import fingerprint_all
from .templates import environment
from .urls import Urls, language_path, page_path

OTHER_SITES_ONLY = ("og-image.png",)  # assets only other sites read: the worker does not keep them
PLAN_TEMPLATE = "plan.html"  # the clinicians' plan maker, published at PLAN_MAKER
PLAN_MAKER = "plan/"


def render_site(site: Site, templates: Path, sources: dict[str, bytes], asset_files: dict[str, bytes], *,
                catalogs: dict[str, bytes] | None = None, preview: bool = False, memo: Memo | None = None,
                jobs: int | None = None, workers: set[int] | None = None,
                open_output: Callable[[], Callable[[str, bytes], None] | None] | None = None,
                ) -> dict[str, bytes | offline.Written]:
    """Every file of the bundle, by path relative to the bundle.

    ``sources`` are the templates by name (``templates`` is their folder, for messages),
    ``asset_files`` the assets by logical name, ``catalogs`` the compiled catalog of each language that
    has one (``relief.load.catalogs``). Where pages render on a pool of workers for a one-off build,
    ``open_output`` (if given) is called first: each worker hands its pages to what it returns (path,
    bytes), and only their sizes and hashes come back. Every URL of a page is relative to where the
    page is in the bundle (``Urls``), so the home page is rendered once for ``index.html`` and once
    for its own folder. Within one process (``serve``), a page whose inputs are all as in the last
    build is not rendered again: its key holds the whole site (a template may show anything of any
    page), the templates, the assets and the mode.
    """
    memo = memo or Memo()
    catalogs = catalogs or {}
    jobs_option, workers = jobs, workers if workers is not None else set()
    template_key = tuple(sources.items())
    catalog_key = tuple(sorted(catalogs.items()))

    def env_of(language: str) -> jinja2.Environment:
        return compiled_templates(templates, sources, language, catalogs.get(language), memo)

    asset_key = tuple(asset_files.items())
    assets = memo.get(("assets", asset_key)) or memo.keep(("assets", asset_key), fingerprint_all(asset_files))
    urls = Urls(site.base_url)

    def at(here: str | None, edition: Site = site) -> dict[str, Any]:
        """The URL helpers of one bundle file: relative to ``here`` (None: root-relative, for the 404 page)."""
        local = urls.at(here)

        def asset(logical: str, *, absolute: bool = False) -> str:
            return local(assets.path(logical), absolute=absolute)

        return {"url": local, "asset": asset, "link_to": lambda page: local(page_path(edition, page)),
                "home_url": local(language_path(site, edition.language))}

    common = {"has_asset": assets.files.__contains__, "preview": preview,
              "worker": offline.WORKER, "manifest": offline.MANIFEST, "theme_colors": offline.THEME_COLORS,
              "plan_facts": plan.facts, "plan_dose": plan.prefilled, "plan_kind": plan.kind, "plan_limits": plan.LIMITS}

    def maker_of(edition: Site) -> str | None:
        """Where an edition's plan maker is (its language's folder, plan/); none when the templates have no
        plan maker (a project's own older templates may lack it) or the edition no page."""
        return language_path(site, edition.language) + PLAN_MAKER if PLAN_TEMPLATE in sources and edition.pages \
            else None

    files: dict[str, bytes | offline.Written] = {}
    # one key for every page, hashed once: a page may show anything of the site, so any change renders all
    key = Key(("pages", site, template_key, catalog_key, asset_key, preview))
    pages: dict[str, bytes | offline.Written] | None = memo.get(key)
    render = _renderer(env_of(site.language), templates, {**common, "site": site, "plan_maker": maker_of(site)})
    if pages is None:
        jobs: list[tuple[str, Callable[[], bytes]]] = []  # each file's place and what renders it
        weights: list[int] = []  # about how long each takes: the stretches it renders
        for edition in site.editions:  # the site in each language, through the templates in that language
            maker = maker_of(edition)
            render_in = _renderer(env_of(edition.language), templates,
                                  {**common, "site": edition, "plan_maker": maker})
            folder = language_path(site, edition.language)
            for page in edition.pages:
                # the home page is also its language's index.html: its links are relative to each place it is at
                places = (f"{folder}{page.slug}/index.html", page_path(edition, page) + "index.html")
                for where in dict.fromkeys(places):

                    def page_file(render_in: Callable[..., bytes] = render_in, edition: Site = edition,
                                  page: Any = page, where: str = where) -> bytes:
                        return render_in("page.html", page=page, page_url=page_path(edition, page),
                                         **at(where, edition), structured_data=json_ld(edition, page, urls,
                                                                                       at(None)["asset"]),
                                         versions=versions(site, page.slug, page.language, urls.at(where)))

                    jobs.append((where, page_file))
                    weights.append(len(page.stretches))
            if edition.home is None and edition.pages:
                where = f"{folder}index.html"
                jobs.append((where, functools.partial(render_in, "index.html", page=None, page_url=folder,
                                                      **at(where, edition),
                                                      versions=index_versions(site, edition.language,
                                                                              urls.at(where)))))
                weights.append(len(edition.pages))
            if maker:
                where = maker + "index.html"
                jobs.append((where, functools.partial(render_in, PLAN_TEMPLATE, page=None, page_url=maker,
                                                      **at(where, edition), versions=[])))
                # a stretch of the plan maker takes about a third of the time of one on its page
                weights.append(sum(len(page.stretches) for page in edition.pages) // 3)
        jobs.append(("404.html", functools.partial(render, "404.html", page=None, page_url="404.html", **at(None),
                                                   versions=[])))
        weights.append(1)
        # a session (serve) keeps the bytes of its pages for the next build: there they are not written out
        pages = dict(zip((where for where, _ in jobs),
                         _each(_run, jobs, weights, jobs_option, workers, None if memo.lasting else open_output),
                         strict=True))
    if all(isinstance(data, bytes) for data in pages.values()):  # written out: a next build renders them again
        memo.keep(key, pages)
    files.update(pages)
    files["sitemap.xml"] = sitemap(site, urls)
    files["robots.txt"] = f"User-agent: *\nAllow: /\n\nSitemap: {urls('sitemap.xml', absolute=True)}\n".encode()
    files[".nojekyll"] = b""
    for logical, (bundle_path, data) in assets.files.items():
        files[bundle_path] = data
        if logical == "favicon.ico":  # browsers ask for /favicon.ico by that name
            files["favicon.ico"] = data
    if not preview:  # the preview is never cached: no worker, no manifest
        home = next((page for page in site.pages if page.slug == site.home), None)
        icons = {logical: assets.path(logical) for logical, _, _ in offline.ICONS if logical in assets.files}
        files[offline.MANIFEST] = offline.web_manifest(site, icons, home.description if home else None)
        # offline: false still writes a worker, one that retires the worker an earlier build installed
        kept = offline.precache(files, skip=[assets.path(name) for name in OTHER_SITES_ONLY if name in assets.files]) \
            if site.offline else []
        files[offline.WORKER] = render(offline.WORKER, page=None, page_url=offline.WORKER, keep=site.offline,
                                       version=offline.version(kept), files=kept)
    files["_headers"] = headers(site, urls, files)
    return files


def compiled_templates(templates: Path, sources: dict[str, bytes], language: str, catalog: bytes | None,
                       memo: Memo) -> jinja2.Environment:
    """The templates in one language (``catalog``: its compiled catalog), every page template compiled: once
    per process and language, kept in ``memo`` under all of their words, before any render worker is forked
    (else each worker would compile them all again)."""
    compiled = ("environment", templates, tuple(sources.items()), language, catalog)
    env = memo.get(compiled)
    if env is None:
        env = memo.keep(compiled, environment(templates, sources, language, catalog))
        for name in sources:
            if name.endswith(".html"):
                with suppress(jinja2.TemplateError):  # its page's job says what is wrong, at its line
                    env.get_template(name)
    return env


# Without --jobs, below this much to render (about a stretch each) rendering here is quicker than starting workers
POOL_THRESHOLD = 500
# what a forked render worker does with each job, and where it writes the result (None: it sends it back)
_work: tuple[Callable[[Any], bytes], list[Any], Callable[[str, bytes], None] | None] | None = None


def _each(function: Callable[[Any], bytes], jobs: list[tuple[str, Any]], weights: list[int], option: int | None,
          pids: set[int], open_output: Callable[[], Callable[[str, bytes], None] | None] | None = None,
          ) -> list[bytes | offline.Written]:
    """``function`` of every job, in order; on a pool of forked workers, which inherit ``function``,
    when the site is big enough (or ``option``, ``--jobs``, asks for N workers) and this process may fork.
    Before the pool starts, ``open_output`` (if given) gives what a worker hands each result to, with
    the job's path, sending back only its size and hash: the pages then never pile up here. A failure
    to write comes back through the pool as the ``OSError`` it was.

    ``weights`` are what each job renders (its stretches): the heaviest go out first, so that no core is
    left with one long page (the plan maker holds every stretch) while the other has finished."""
    global _work
    count = cores() if option is None else option
    if (count < 2 or len(jobs) < 2 or start_method() != "fork"
            or (option is None and sum(weights) < POOL_THRESHOLD)):
        return [function(job) for job in jobs]
    write = open_output() if open_output is not None else None
    _work = (function, jobs, write)  # a worker is sent indices: it has the jobs from the fork
    order = sorted(range(len(jobs)), key=weights.__getitem__, reverse=True)
    try:
        done = dict(zip(order, in_order(shared_map(_render_chunk, _balanced(order, weights, count), count, "fork"),
                                        pids), strict=True))
    finally:
        _work = None
    results = [done[index] for index in range(len(jobs))]
    for item in results:
        if isinstance(item, tuple):  # a ContentError, as its fields (a frozen exception does not unpickle)
            raise ContentError(*item)
    return results  # type: ignore[return-value]  # bytes or Written, once the errors are out


def _balanced(order: list[int], weights: list[int], workers: int) -> list[list[int]]:
    """The job indices of ``order`` (heaviest first) in chunks of about an eighth of a worker's share each, a
    job heavier than that alone in its chunk: the pool hands the next chunk to whichever worker is free."""
    share = max(1, sum(weights) // (workers * 8))
    chunks: list[list[int]] = []
    load = share
    for index in order:
        if load >= share:
            chunks.append([])
            load = 0
        chunks[-1].append(index)
        load += max(1, weights[index])
    return chunks


def _run(job: tuple[str, Callable[[], bytes]]) -> bytes:
    return job[1]()


def _render_chunk(indices: list[int]) -> tuple[int, list[bytes | offline.Written | tuple[Path, int, int, str]]]:
    assert _work is not None
    function, jobs, write = _work
    out: list[bytes | offline.Written | tuple[Path, int, int, str]] = []
    for index in indices:
        try:
            data = function(jobs[index])
            if write is not None:
                write(jobs[index][0], data)
                out.append(offline.Written(len(data), offline.integrity(data)))
            else:
                out.append(data)
        except ContentError as error:
            out.append((error.path, error.line, error.column, error.message))
    return os.getpid(), out


def _renderer(env: jinja2.Environment, templates: Path, common: dict[str, Any]) -> Callable[..., bytes]:
    def render(name: str, **context: Any) -> bytes:
        try:
            return _encoded(env.get_template(name).generate(**common, **context))
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else templates / (exc.name or name)
            raise ContentError(path, exc.lineno or 1, 1, f"template syntax: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise ContentError(templates / exc.name, 1, 1, f"template '{exc.name}' is missing; "
                               "restore it in templates/") from None
        except Exception as exc:
            raise _runtime_error(exc, templates, name) from None

    return render


def _encoded(chunks: Iterator[str], size: int = 1 << 16) -> bytes:
    """The UTF-8 bytes of a template's output, encoded some ``size`` characters at a time: the plan maker of a big
    site is tens of MB, and ``render`` would hold every piece at once (a worker of a 10,000-stretch build rose by
    some 60 MB); here only the pieces since the last block and the encoded blocks are held."""
    encoded: list[bytes] = []
    pending: list[str] = []
    held = 0
    for piece in chunks:
        pending.append(piece)
        held += len(piece)
        if held >= size:
            encoded.append("".join(pending).encode("utf-8"))
            pending.clear()
            held = 0
    encoded.append("".join(pending).encode("utf-8"))
    return b"".join(encoded)


def _runtime_error(exc: Exception, templates: Path, name: str) -> ContentError:
    """Place an error raised while a template ran at the template line that raised it."""
    root = templates.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(root):
            return ContentError(path, frame.lineno or 1, 1, f"template error: {exc}")
    return ContentError(templates / name, 1, 1, f"template error: {exc}")


