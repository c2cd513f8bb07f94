"""A validated ``Site`` in, the bundle's files out (path -> bytes); nothing is written here.

Pages go through the Jinja templates in ``templates/`` with autoescape on; every URL is
made by one ``Urls`` helper from ``base_url``, so a bundle works at a domain root and
under a sub-path alike. Structured data, the sitemap and host files are made here too.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import jinja2

from .assets import AssetMap
from .cache import Cache
from .errors import ContentError
from .model import Page, Site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


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


def read_templates(templates: Path) -> dict[str, bytes]:
    """Every file in ``templates/`` by its Jinja name, read once: a page's cache key and its
    rendering see the same text, even if a template is saved halfway through a build."""
    if not templates.is_dir():
        return {}
    return {p.relative_to(templates).as_posix(): p.read_bytes() for p in sorted(templates.rglob("*")) if p.is_file()}


def environment(templates: Path, sources: dict[str, bytes]) -> jinja2.Environment:
    """Jinja over ``sources`` (``read_templates``); messages name the files in ``templates``."""

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        if name not in sources:
            return None
        return sources[name].decode("utf-8"), str(templates / name), lambda: True

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["duration"] = spoken_duration
    env.filters["og_locale"] = og_locale
    return env


_LIKELY_REGION = {"en": "US", "es": "ES", "fr": "FR", "de": "DE", "it": "IT", "nl": "NL", "pt": "PT"}


def og_locale(language: str) -> str:
    """Open Graph wants language_TERRITORY: 'en-GB' -> 'en_GB', 'en' -> 'en_US'."""
    lang, _, region = language.partition("-")
    region = region.split("-")[0] if region else _LIKELY_REGION.get(lang.lower(), "")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def spoken_duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def render_site(site: Site, templates: Path, assets: AssetMap, *, preview: bool = False,
                cache: Cache | None = None) -> dict[str, bytes]:
    """Every file of the bundle, by path relative to the bundle.

    With a ``cache``, a page whose inputs are all as in an earlier build is not rendered again.
    """
    cache = cache or Cache(None)
    sources = read_templates(templates)
    compiled = ("environment", templates, tuple(sources.items()))  # templates compile once per process
    env = cache.recall(compiled) or cache.hold(compiled, environment(templates, sources))
    urls = Urls(site.base_url)

    def asset(logical: str, *, absolute: bool = False) -> str:
        return urls(assets.path(logical), absolute=absolute)

    common = {"site": site, "url": urls, "asset": asset, "has_asset": assets.files.__contains__,
              "preview": preview}
    files: dict[str, bytes] = {}
    render = _renderer(env, templates, common)
    shared = _shared_inputs(site, sources, assets, preview)
    for page in site.pages:
        here = page_path(site, page)
        key = _page_key(cache, shared, page)
        html = cache.page(key)
        if html is None:
            html = render("page.html", page=page, page_url=here, structured_data=_json_ld(site, page, urls, asset))
            cache.keep_page(key, html)
        files[f"{page.slug}/index.html"] = html
        if here == "":
            files["index.html"] = html
    if site.home is None:
        files["index.html"] = render("index.html", page=None, page_url="")
    files["404.html"] = render("404.html", page=None, page_url="404.html")
    files["sitemap.xml"] = _sitemap(site, urls)
    files["robots.txt"] = f"User-agent: *\nAllow: /\n\nSitemap: {urls('sitemap.xml', absolute=True)}\n".encode()
    files[".nojekyll"] = b""
    files["_headers"] = _headers(site, urls, files)
    for logical, (bundle_path, data) in assets.files.items():
        files[bundle_path] = data
        if logical == "favicon.ico":  # browsers ask for /favicon.ico by that name
            files["favicon.ico"] = data
    return files


def _page_key(cache: Cache, shared: str, page: Page) -> str:
    """The page's cache key: a hash of all its template sees. Held in memory under the page
    itself, which hashes and compares fast when its texts are those of the last build."""
    held = ("page key", shared, page)
    return cache.recall(held) or cache.hold(held, cache.key(shared, repr(page)))


def _shared_inputs(site: Site, sources: dict[str, bytes], assets: AssetMap, preview: bool) -> str:
    """All a page's template sees besides the page itself, for its cache key: the site's settings,
    the templates, the assets' names and, of the other pages, what a list of them would show
    (a template that shows more of other pages than that must not be cached this way)."""
    digest = hashlib.sha256(repr((replace(site, pages=()), preview)).encode())
    for page in site.pages:
        digest.update(repr((page.slug, page.title, page.description, page.reviewed)).encode())
    for name, data in sources.items():
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    digest.update(repr(sorted((name, path) for name, (path, _) in assets.files.items())).encode())
    return digest.hexdigest()


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


def _json_ld(site: Site, page: Page, urls: Urls, asset: Callable[..., str]) -> str:
    """schema.org MedicalWebPage whose main entity is the HowTo of the page's routine."""
    page_url = urls(page_path(site, page), absolute=True)

    def step(stretch: Any, kind: str) -> dict[str, Any]:
        item: dict[str, Any] = {"@type": kind, "name": stretch.title, "text": stretch.body_text,
                                "url": f"{page_url}#{stretch.id}"}
        if stretch.image:
            item["image"] = asset(stretch.image.logical, absolute=True)
        return item

    sections = []
    for group in page.groups:
        section: dict[str, Any] = {"@type": "HowToSection", "name": group.title,
                                   "timeRequired": f"PT{group.minutes}M",
                                   "itemListElement": [step(s, "HowToStep") for s in group.routine]}
        sections.append(section)
        section["itemListElement"] += [step(s, "HowToTip") for s in group.extras]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.description,
        "url": page_url,
        "inLanguage": site.language,
        "lastReviewed": page.reviewed.isoformat(),
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "publisher": {"@type": "Organization", "name": site.title},
        "mainEntity": {
            "@type": "HowTo",
            "name": page.title,
            "description": page.description,
            "totalTime": f"PT{sum(g.minutes for g in page.groups)}M",
            "step": sections,
        },
    }
    if page.reviewed_by:
        data["reviewedBy"] = {"@type": "Person", "name": page.reviewed_by}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # no indent: the C encoder, 4x faster
    return text.replace("</", "<\\/")  # cannot close the <script> element it lives in


def _sitemap(site: Site, urls: Urls) -> bytes:
    ElementTree.register_namespace("", SITEMAP_NS)
    root = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    entries = [(page_path(site, page), page.reviewed) for page in site.pages]
    if site.home is None:
        entries.insert(0, ("", max(page.reviewed for page in site.pages)))
    for path, reviewed in entries:
        url = ElementTree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = urls(path, absolute=True)
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = reviewed.isoformat()
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _headers(site: Site, urls: Urls, files: dict[str, bytes]) -> bytes:
    """Cache rules for Netlify and Cloudflare Pages: hashed assets for a year, HTML briefly."""
    lines = [f"{urls('assets/')}*", "  Cache-Control: public, max-age=31536000, immutable", ""]
    for path in sorted(p for p in files if p.endswith(".html")):
        for served in dict.fromkeys((path.removesuffix("index.html"), path)):
            lines += [urls(served), "  Cache-Control: public, max-age=300, must-revalidate", ""]
    return "\n".join(lines).encode()
