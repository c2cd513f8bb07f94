"""Markdown text in, safe HTML and plain text out (Python-Markdown, sanitised by nh3).

Content is data, never code: it is not run through Jinja, raw HTML in it is left out
with a warning naming the file and line (as Hugo does by default) unless the site sets
``allow_html: true``, and links to ``javascript:`` and similar schemes are never live.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions.sane_lists import SaneListExtension
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.treeprocessors import Treeprocessor

from ..errors import ContentWarning

OMITTED = "<!-- raw HTML omitted -->"
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong",
         "a", "code", "pre", "blockquote", "img", "abbr"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
               "abbr": {"title"}}
_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][\w-]*)")
# what a browser ignores in a URL before reading its scheme, so "java&#9;script:" is javascript:
_IGNORED_IN_URL = re.compile(r"^[\x00-\x20]+|[\t\n\r]")


class _Dropped(list[tuple[str, str]]):
    """What the current conversion left out: (kind, the source text)."""


class _OmitRawHtml(RawHtmlPostprocessor):
    def __init__(self, md: markdown.Markdown, dropped: _Dropped) -> None:
        super().__init__(md)
        self.dropped = dropped

    def stash_to_string(self, text: str) -> str:
        raw = str(text)
        if raw.lstrip().startswith("<"):  # entities such as &copy; are stashed too: keep them
            # one warning per element, not per tag; a comment shows nothing, so it loses nothing
            if not raw.lstrip().startswith(("</", "<!--")):
                self.dropped.append(("raw HTML", raw))
            return OMITTED
        return raw


class _UnsafeLinks(Treeprocessor):
    """Drop link targets whose scheme could run code (javascript:, vbscript:, data:)."""

    def __init__(self, md: markdown.Markdown, dropped: _Dropped) -> None:
        super().__init__(md)
        self.dropped = dropped

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                target = element.get(attribute)
                if target is None:
                    continue
                scheme = _SCHEME.match(_IGNORED_IN_URL.sub("", html.unescape(target)))
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    del element.attrib[attribute]
                    self.dropped.append((f"'{scheme.group(1)}:' link", target))


class Markup:
    """One reusable Markdown converter (``reset()`` between documents is much cheaper)."""

    def __init__(self, *, allow_html: bool = False) -> None:
        self.allow_html = allow_html
        self._dropped = _Dropped()
        # the extension itself, not its name: a name makes Markdown scan every installed package (20 ms)
        self._md = markdown.Markdown(extensions=[SaneListExtension()], output_format="html")
        self._md.treeprocessors.register(_UnsafeLinks(self._md, self._dropped), "unsafe_links", 1)
        if not allow_html:
            self._md.postprocessors.register(_OmitRawHtml(self._md, self._dropped), "raw_html", 30)

    def render(self, source: str, path: Path, first_line: int = 1) -> tuple[str, list[ContentWarning]]:
        """HTML of ``source`` and a warning for everything left out of it."""
        self._dropped.clear()
        self._md.reset()
        out = self._md.convert(source)
        if not self.allow_html:
            out = nh3.clean(out, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=SAFE_SCHEMES,
                            link_rel=None, strip_comments=True)
        warnings: list[ContentWarning] = []
        after: dict[str, int] = {}  # the same text left out twice: the second is further down
        for kind, raw in self._dropped:
            index = source.find(raw.strip(), after.get(kind, 0))
            after[kind] = index + 1
            warnings.append(self._warning(kind, raw, source, index, path, first_line))
        return out.strip(), warnings

    @staticmethod
    def _warning(kind: str, raw: str, source: str, index: int, path: Path, first_line: int) -> ContentWarning:
        line = first_line + (source.count("\n", 0, index) if index >= 0 else 0)
        column = index - source.rfind("\n", 0, index) if index >= 0 else 1
        if kind == "raw HTML":
            tag = _TAG_NAME.match(raw.lstrip())
            what = f"raw HTML <{tag.group(1)}>" if tag else "raw HTML"
            advice = "set 'allow_html: true' in site.yaml only if you trust it"
            return ContentWarning(path, line, column, f"{what} left out of the page; {advice}")
        return ContentWarning(path, line, column, f"{kind} left out of the page; use an https:// link")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())
