"""What a page says to machines: schema.org structured data, the sitemap and the host's ``_headers``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from ..model import Page, Site, babel_locale
from .urls import Urls, language_path, page_path

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def json_ld(site: Site, page: Page, urls: Urls, asset: Callable[..., str]) -> str:
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
        "inLanguage": page.language,
        # a translation not yet clinically reviewed gives no date
        **({"lastReviewed": page.reviewed.isoformat()} if page.reviewed else {}),
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "publisher": {"@type": "Organization", "name": page.site_title},
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
    return script_json(data)


def versions(site: Site, slug: str, current: str, urls: Urls) -> list[dict[str, Any]]:
    """The page ``slug`` in each language it is published in, the default first: its language, its name in
    that language (for the switcher), its URL from where ``urls`` writes and in full, and whether it is the
    one in ``current``. A page in one language only has one version (no switcher, no alternates)."""
    found = []
    for edition in site.editions:
        page = next((p for p in edition.pages if p.slug == slug), None)
        if page is not None:
            found.append(_version(edition.language, page_path(edition, page), current, urls))
    return found


def index_versions(site: Site, current: str, urls: Urls) -> list[dict[str, Any]]:
    """The index of pages in each language that has one (a site without 'home')."""
    return [_version(edition.language, language_path(site, edition.language), current, urls)
            for edition in site.editions if edition.home is None and edition.pages]


def _version(language: str, path: str, current: str, urls: Urls) -> dict[str, Any]:
    name = babel_locale(language).get_language_name(babel_locale(language))
    return {"language": language, "name": name[:1].upper() + name[1:], "href": urls(path),
            "url": urls(path, absolute=True), "current": language == current}


def alternates_of(found: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The hreflang alternates of a page's versions, x-default (the default language's) last; none for one."""
    if len(found) < 2:
        return []
    return [*({"hreflang": v["language"], "url": v["url"]} for v in found),
            {"hreflang": "x-default", "url": found[0]["url"]}]


_IN_SCRIPT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                            "\u2029": "\\u2029"})


def script_json(data: Any) -> str:
    """``data`` as JSON that can sit inside a ``<script>`` element whatever its strings hold: no ``<``,
    ``>`` or ``&`` (so no ``</script>`` or ``<!--`` can end or swallow the element) and no U+2028/2029."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # no indent: the C encoder, 4x faster
    return text.translate(_IN_SCRIPT)


def sitemap(site: Site, urls: Urls) -> bytes:
    """Every page in every language; a page in several languages lists each (and x-default) as an
    ``xhtml:link`` alternate, as search engines read them."""
    ElementTree.register_namespace("", SITEMAP_NS)
    ElementTree.register_namespace("xhtml", XHTML_NS)
    root = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    entries = []
    for edition in site.editions:
        if edition.home is None and edition.pages:
            entries.append((language_path(site, edition.language), max(p.last_reviewed for p in edition.pages),
                            index_versions(site, edition.language, urls)))
        entries += [(page_path(edition, page), page.last_reviewed, versions(site, page.slug, page.language, urls))
                    for page in edition.pages]
    for path, reviewed, alternates in entries:
        url = ElementTree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = urls(path, absolute=True)
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = reviewed.isoformat()
        for alternate in alternates_of(alternates):
            ElementTree.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=alternate["hreflang"],
                                   href=alternate["url"])
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# What every response of the site carries (``_headers``, the README's nginx snippet, the preview): the page
# runs only its own scripts and styles from its own origin, cannot be framed, and says nothing of itself
# to other sites.
CONTENT_SECURITY_POLICY = ("default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def headers(site: Site, urls: Urls, files: dict[str, bytes]) -> bytes:
    """Rules for Netlify and Cloudflare Pages: the security headers everywhere; hashed assets cached
    for a year, HTML briefly, the service worker and the web app manifest revalidated every time."""
    lines = [f"{urls('')}*", *(f"  {name}: {value}" for name, value in SECURITY_HEADERS.items()), ""]
    lines += [f"{urls('assets/')}*", "  Cache-Control: public, max-age=31536000, immutable", ""]
    for path in sorted(p for p in files if p.endswith(".html")):
        for served in dict.fromkeys((path.removesuffix("index.html"), path)):
            lines += [urls(served), "  Cache-Control: public, max-age=300, must-revalidate", ""]
    for path in ("sw.js", "manifest.webmanifest"):  # the browser asks the host for a new worker on each visit
        if path in files:
            lines += [urls(path), "  Cache-Control: no-cache", ""]
    return "\n".join(lines).encode()
