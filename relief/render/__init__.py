"""A validated ``Site`` and the sources it names in, the bundle's files out (path -> bytes).

Pure: nothing is read from or written to disk here. Pages go through the Jinja templates
with autoescape on (``templates``); every URL is made by one ``Urls`` helper from
``base_url`` (``urls``); assets get hashed names (``fingerprint``); structured data, the
sitemap and host files are made in ``data``; the service worker and web app manifest in
``offline``.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from ..cache import Key, Memo
from ..errors import ContentError
from ..model import Page, Site
from ..workers import chunked, cores, in_order, shared_map, start_method
from . import offline
from .data import headers, json_ld, sitemap
from .fingerprint import fingerprint_all
from .templates import environment
from .urls import Urls, page_path

OTHER_SITES_ONLY = ("og-image.png",)  # assets only other sites read: the worker does not keep them


def render_site(site: Site, templates: Path, sources: dict[str, bytes], asset_files: dict[str, bytes], *,
                preview: bool = False, memo: Memo | None = None, jobs: int | None = None,
                workers: set[int] | None = None) -> dict[str, bytes]:
    """Every file of the bundle, by path relative to the bundle.

    ``sources`` are the templates by name (``templates`` is their folder, for messages),
    ``asset_files`` the assets by logical name. Every URL of a page is relative to where
    the page is in the bundle (``Urls``), so the home page is rendered once for ``index.html``
    and once for its own folder. Within one process (``serve``), a page whose
    inputs are all as in the last build is not rendered again: its key holds the whole site
    (a template may show anything of any page), the templates, the assets and the mode.
    """
    memo = memo or Memo()
    jobs_option, workers = jobs, workers if workers is not None else set()
    template_key = tuple(sources.items())
    compiled = ("environment", templates, template_key)  # templates compile once per process
    env = memo.get(compiled) or memo.keep(compiled, environment(templates, sources))
    asset_key = tuple(asset_files.items())
    assets = memo.get(("assets", asset_key)) or memo.keep(("assets", asset_key), fingerprint_all(asset_files))
    urls = Urls(site.base_url)

    def at(here: str | None) -> dict[str, Any]:
        """The URL helpers of one bundle file: relative to ``here`` (None: root-relative, for the 404 page)."""
        local = urls.at(here)

        def asset(logical: str, *, absolute: bool = False) -> str:
            return local(assets.path(logical), absolute=absolute)

        return {"url": local, "asset": asset, "link_to": lambda page: local(page_path(site, page))}

    common = {"site": site, "has_asset": assets.files.__contains__, "preview": preview,
              "worker": offline.WORKER, "manifest": offline.MANIFEST, "theme_colors": offline.THEME_COLORS}
    files: dict[str, bytes] = {}
    render = _renderer(env, templates, common)
    # one key for every page, hashed once: a page may show anything of the site, so any change renders all
    key = Key(("pages", site, template_key, asset_key, preview))
    pages: dict[str, bytes] | None = memo.get(key)
    if pages is None:

        def page_file(job: tuple[str, Page | None]) -> bytes:
            where, page = job
            if page is None:
                return render(where, page=None, page_url="" if where == "index.html" else where,
                              **at(None if where == "404.html" else where))
            data = json_ld(site, page, urls, at(None)["asset"])
            return render("page.html", page=page, page_url=page_path(site, page), **at(where), structured_data=data)

        # the home page is also the bundle's index.html: its links are relative to each place it is at
        jobs: list[tuple[str, Page | None]] = [
            (where, page) for page in site.pages
            for where in dict.fromkeys((f"{page.slug}/index.html", page_path(site, page) + "index.html"))]
        jobs += [("index.html", None)] if site.home is None else []
        jobs.append(("404.html", None))
        stretches = sum(len(page.stretches) for page in site.pages)
        pages = dict(zip((where for where, _ in jobs), _each(page_file, jobs, stretches, jobs_option, workers),
                         strict=True))
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


# Without --jobs, below this many stretches rendering every page here is quicker than starting workers
POOL_THRESHOLD = 500
_work: tuple[Callable[[Any], bytes], list[Any]] | None = None  # what a forked render worker does with each job


def _each(function: Callable[[Any], bytes], jobs: list[Any], stretches: int, option: int | None,
          pids: set[int]) -> list[bytes]:
    """``function`` of every job, in order; on a pool of forked workers, which inherit ``function``,
    when the site is big enough (or ``option``, ``--jobs``, asks for N workers) and this process may fork."""
    global _work
    count = cores() if option is None else option
    if (count < 2 or len(jobs) < 2 or start_method() != "fork"
            or (option is None and stretches < POOL_THRESHOLD)):
        return [function(job) for job in jobs]
    _work = (function, jobs)  # a worker is sent indices: it has the jobs from the fork
    try:
        chunks = chunked(list(range(len(jobs))), count, per_worker=2)
        done = list(in_order(shared_map(_render_chunk, chunks, count, "fork"), pids))
    finally:
        _work = None
    for item in done:
        if isinstance(item, tuple):  # a ContentError, as its fields (a frozen exception does not unpickle)
            raise ContentError(*item)
    return done  # type: ignore[return-value]  # bytes, once the errors are out


def _render_chunk(indices: list[int]) -> tuple[int, list[bytes | tuple[Path, int, int, str]]]:
    assert _work is not None
    function, jobs = _work
    out: list[bytes | tuple[Path, int, int, str]] = []
    for index in indices:
        try:
            out.append(function(jobs[index]))
        except ContentError as error:
            out.append((error.path, error.line, error.column, error.message))
    return os.getpid(), out


def _renderer(env: jinja2.Environment, templates: Path, common: dict[str, Any]) -> Callable[..., bytes]:
    def render(name: str, **context: Any) -> bytes:
        try:
            return env.get_template(name).render(**common, **context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else templates / (exc.name or name)
            raise ContentError(path, exc.lineno or 1, 1, f"template syntax: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise ContentError(templates / exc.name, 1, 1, f"template '{exc.name}' is missing; "
                               "restore it in templates/") from None
        except Exception as exc:
            raise _runtime_error(exc, templates, name) from None

    return render


def _runtime_error(exc: Exception, templates: Path, name: str) -> ContentError:
    """Place an error raised while a template ran at the template line that raised it."""
    root = templates.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(root):
            return ContentError(path, frame.lineno or 1, 1, f"template error: {exc}")
    return ContentError(templates / name, 1, 1, f"template error: {exc}")


