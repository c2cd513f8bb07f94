"""``relief check``: validate the content, build into a temporary folder, check the bundle.

Every reference in the bundle's HTML (links, ``#anchors``, images, stylesheets, scripts,
icons, link-preview images, the URLs of the structured data) and every ``url()`` in its CSS
must name a file of the bundle, and an anchor an ``id`` of that page. A page's references are
relative (the bundle is portable): one written from the root (``/assets/...``) is reported,
except in ``404.html``, served at any depth. Absolute URLs are mapped to files through
``base_url``, so one that skips the base path (and would break under a sub-path) is reported.
Nothing is published.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import ContentError
from ..load.frontmatter import shortened
from ..load.links import scheme_problem
from ..pipeline import Builder, Options
from ..render.fingerprint import CSS_URL
from ..report import counted
from .build import reported_build

# (element, attribute) -> what a broken one is called; link[href] is named by its rel
_REFERENCES = {
    ("a", "href"): "link", ("area", "href"): "link", ("link", "href"): "link", ("script", "src"): "script",
    ("img", "src"): "image", ("img", "srcset"): "image", ("source", "src"): "media",
    ("source", "srcset"): "image", ("video", "poster"): "image", ("video", "src"): "media",
    ("audio", "src"): "media", ("track", "src"): "media", ("iframe", "src"): "frame",
    ("embed", "src"): "media", ("object", "data"): "media",
}
_LINK_RELS = {"canonical": "canonical link",
              "stylesheet": "stylesheet", "icon": "icon", "apple-touch-icon": "icon", "mask-icon": "icon",
              "manifest": "manifest", "preload": "preload", "modulepreload": "script"}
_META_URLS = {"og:image", "og:image:url", "og:image:secure_url", "og:url", "twitter:image"}
_JSON_LD_URLS = {"url", "image", "@id", "contentUrl", "thumbnailUrl", "logo"}


@dataclass(frozen=True)
class Reference:
    kind: str  # "link", "image", "stylesheet", ...
    url: str
    line: int
    column: int


@dataclass
class Document:
    """One file of the bundle: the ids it defines and the URLs it refers to."""

    path: str  # relative to the bundle, e.g. "neck-relief/index.html"
    ids: dict[str, int] = field(default_factory=dict)  # id -> line
    references: list[Reference] = field(default_factory=list)
    problems: list[tuple[int, int, str]] = field(default_factory=list)


class _HtmlReader(HTMLParser):
    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self._json_ld: list[str] | None = None  # text of the ld+json script being read
        self._json_ld_line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        values = {name: value or "" for name, value in attrs}
        for anchor in (values.get("id"), values.get("name") if tag == "a" else None):
            if anchor:
                self._define(anchor, line, offset + 1)
        add = self.document.references.append
        for (element, attribute), kind in _REFERENCES.items():
            if element != tag or attribute not in values:
                continue
            if element == "link":
                kind = next((_LINK_RELS[r] for r in values.get("rel", "").lower().split() if r in _LINK_RELS), kind)
            urls = _srcset(values[attribute]) if attribute == "srcset" else [values[attribute]]
            for url in urls:
                add(Reference(kind, url, line, offset + 1))
        if tag == "meta" and (values.get("property") or values.get("name")) in _META_URLS:
            add(Reference("link preview", values.get("content", ""), line, offset + 1))
        if tag == "script" and values.get("type") == "application/ld+json":
            self._json_ld, self._json_ld_line = [], line

    def handle_data(self, data: str) -> None:
        if self._json_ld is not None:
            self._json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld is not None:
            try:
                data = json.loads("".join(self._json_ld))
            except ValueError as exc:
                self.document.problems.append((self._json_ld_line, 1, f"the structured data is not valid JSON "
                                               f"({exc})"))
            else:
                self.document.references += [Reference("structured data URL", url, self._json_ld_line, 1)
                                             for url in _json_urls(data)]
            self._json_ld = None

    def _define(self, anchor: str, line: int, column: int) -> None:
        if anchor in self.document.ids:
            self.document.problems.append((line, column, f"duplicate id '{anchor}' (first on line "
                                           f"{self.document.ids[anchor]}); links to it are ambiguous"))
        else:
            self.document.ids[anchor] = line


def _srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def _json_urls(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _JSON_LD_URLS and isinstance(value, str):
                yield value
            else:
                yield from _json_urls(value)
    elif isinstance(data, list):
        for item in data:
            yield from _json_urls(item)


def read_bundle(bundle: Path) -> dict[str, Document]:
    """Every HTML and CSS file of ``bundle`` with its ids and references."""
    documents: dict[str, Document] = {}
    for path in sorted(bundle.rglob("*")):
        relative = path.relative_to(bundle).as_posix()
        if path.suffix not in (".html", ".css") or not path.is_file():
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            documents[relative] = Document(relative, problems=[(1, 1, f"is not UTF-8 text (byte {exc.start}); "
                                                               "save its source with UTF-8 encoding")])
            continue
        if path.suffix == ".html":
            document = documents[relative] = Document(relative)
            reader = _HtmlReader(document)
            reader.feed(text)
            reader.close()
        else:
            documents[relative] = Document(relative, references=[
                Reference("stylesheet URL", match.group(2).strip(), text.count("\n", 0, match.start()) + 1,
                          match.start() - text.rfind("\n", 0, match.start()))
                for match in CSS_URL.finditer(text)])
    return documents


def check_bundle(bundle: Path, base_url: str) -> tuple[list[ContentError], int]:
    """Every broken reference of ``bundle`` published at ``base_url``, and how many were checked."""
    documents = read_bundle(bundle)
    base_path = urlsplit(base_url).path or "/"
    errors = [ContentError(bundle / doc.path, line, column, message)
              for doc in documents.values() for line, column, message in doc.problems]
    checked = 0
    for doc in documents.values():
        for ref in doc.references:
            problem = scheme_problem(ref.url)
            if problem:
                errors.append(ContentError(bundle / doc.path, ref.line, ref.column, f"live script {ref.kind} "
                                           f"'{shortened(ref.url)}': {problem}; remove it from its template"))
                continue
            try:
                parts = urlsplit(urljoin(base_url + doc.path, ref.url.strip()))
                written = urlsplit(ref.url.strip())
            except ValueError as exc:  # "http://[::1", say: no browser can follow it either
                errors.append(ContentError(bundle / doc.path, ref.line, ref.column,
                                           f"malformed {ref.kind} '{shortened(ref.url)}' ({exc}); correct it"))
                continue
            if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(base_url).netloc:
                continue  # another site, mailto:, tel:, data: ... not ours to check
            if written.netloc and not parts.path.startswith(base_path):
                continue  # written in full to elsewhere on the same host, e.g. the clinic's booking page
            checked += 1
            message = _broken(bundle, documents, base_path, parts.path, unquote(parts.fragment))
            if message:
                errors.append(ContentError(bundle / doc.path, ref.line, ref.column,
                                           f"broken {ref.kind} '{ref.url}': {message}"))
            elif _root_relative(doc.path, ref, written):
                errors.append(ContentError(bundle / doc.path, ref.line, ref.column, f"{ref.kind} "
                                           f"'{shortened(ref.url)}' is written from the site's root, so it breaks "
                                           "opened from the file system or published at another path; make it "
                                           "relative, e.g. '../other-page/index.html' (in templates: url() or "
                                           "asset())"))
    return errors, checked


# what must be absolute, and the page served at any depth, whose URLs are root-relative on purpose
_ABSOLUTE_KINDS = {"canonical link", "link preview", "structured data URL"}


def _root_relative(path: str, ref: Reference, written: Any) -> bool:
    """A reference of a page, other than the 404 page, written '/...': the bundle would not be portable."""
    return (path != "404.html" and ref.kind not in _ABSOLUTE_KINDS and not written.scheme and not written.netloc
            and written.path.startswith("/"))


def _broken(bundle: Path, documents: dict[str, Document], base_path: str, path: str, anchor: str) -> str | None:
    """Why a URL path (and #anchor) of this site names nothing in the bundle; None if it resolves."""
    if not path.startswith(base_path):
        return (f"it is outside the site's base path {base_path}, so it breaks when published there; "
                "make the URL with url() or asset() in templates")
    relative = unquote(path[len(base_path):])
    if ".." in PurePosixPath(relative).parts:  # %2e%2e: servers resolve it, urljoin did not
        return "it leads outside the bundle"
    try:
        if relative == "" or relative.endswith("/") or (bundle / relative).is_dir():
            relative = PurePosixPath(relative, "index.html").as_posix()
        found = (bundle / relative).is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long: no such file can exist
        found = False
    if not found:
        return f"there is no file {shortened(relative)} in the bundle; check the URL and the file it names"
    target = documents.get(relative)
    if anchor and anchor != "top" and target is not None and relative.endswith(".html") \
            and anchor not in target.ids:
        return f"{relative} has no element with id '{anchor}'; check the name after '#'"
    return None


def check(project: Path, options: Options) -> int:
    """Build into a temporary folder, check the bundle, print every problem; 0 when all is well."""
    with tempfile.TemporaryDirectory(prefix="relief-check-") as scratch:
        out = Path(scratch) / "dist"
        # never from the cache folder: what is checked is what this run made of the sources
        report = reported_build(Builder(project, out, replace(options, cache=False)), project,
                                "nothing was published")
        if report is None:
            return 1
        try:
            errors, checked = check_bundle(out, report.base_url)
        except Exception as exc:  # never a traceback: one line, as for a build
            errors, checked = [ContentError(out, 1, 1, f"unexpected {type(exc).__name__} while checking: {exc}; "
                                            "this is a bug in relief: please report it")], 0
        # the files are shown where a build would put them: dist/index.html:12:5
        for error in sorted(errors, key=lambda e: (str(e.path), e.line, e.column)):
            print(error.format(Path(scratch)), file=sys.stderr)
    pages = counted(range(report.pages), "page")
    if errors:
        print(f"Check failed: {counted(errors, 'problem')} in the bundle of {pages}; "
              "nothing was published.", file=sys.stderr)
        return 1
    print(f"Checked {pages} with {counted(range(report.stretches), 'stretch')}: all {checked} links, anchors and "
          f"assets in {report.files} files resolve. Nothing was published.")
    return 0
