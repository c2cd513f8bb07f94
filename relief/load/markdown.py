"""Markdown text in, safe HTML and plain text out (Python-Markdown, sanitised by nh3).

Content is data, never code: it is not run through Jinja, raw HTML in it is left out
with a warning naming the file and line (as Hugo does by default) unless the site sets
``allow_html: true``, and links to ``javascript:`` and similar schemes are never live.
"""

from __future__ import annotations

import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import markdown
import nh3
from markdown.extensions.sane_lists import SaneListExtension
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import Registry

from ..errors import ContentError, ContentWarning
from .links import SAFE_SCHEMES, normalised, scheme_of, scheme_problem

OMITTED = "<!-- raw HTML omitted -->"
BUDGET_SECONDS = 2.0  # a stretch converts in about a millisecond; only a pathological text takes this long
_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong",
         "a", "code", "pre", "blockquote", "img", "abbr"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
               "abbr": {"title"}}
_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][\w-]*)")


class TooSlow(Exception):
    """The conversion ran over its time budget."""


class _Budget:
    """Raise ``TooSlow`` inside the block once ``seconds`` have passed (in the main thread, where
    signals arrive; builds run there, in serve too, and so do the parsing workers).

    Its alarm handler stays installed while an ``alarm_handler()`` block is open (a worker's chunk of
    files): then each file costs one timer call, not two handler swaps as well."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.previous: object = None  # the handler to put back, if this block installed its own
        self.swapped = self.timed = False

    def __enter__(self) -> None:
        self.timed = _can_time()
        if self.timed:
            if signal.getsignal(signal.SIGALRM) is not _expire:
                self.previous, self.swapped = signal.signal(signal.SIGALRM, _expire), True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if self.swapped:
                signal.signal(signal.SIGALRM, self.previous)  # type: ignore[arg-type]


def _can_time() -> bool:
    """Whether the alarm can interrupt this thread: only the main thread gets signals."""
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


def _expire(signum: int, frame: object) -> None:
    raise TooSlow


@contextmanager
def alarm_handler() -> Iterator[None]:
    """Keep the time budget's alarm handler installed for the block (a chunk of files in a worker)."""
    if not _can_time():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
    """Make links dead whose scheme could run code (javascript:, vbscript:, data:: ``links.scheme_problem``),
    and leave out pictures from other sites (the page loads nothing from elsewhere)."""

    def __init__(self, md: markdown.Markdown, dropped: _Dropped) -> None:
        super().__init__(md)
        self.dropped = dropped

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                target = element.get(attribute)
                if target is None:
                    continue
                if scheme_problem(target):
                    del element.attrib[attribute]
                    self.dropped.append((f"'{scheme_of(target)}:' link", target))
                elif attribute == "src" and (scheme_of(target) or normalised(target).startswith("//")):
                    del element.attrib[attribute]
                    self.dropped.append(("picture from another site", target))


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
        self._inline = _InlinePatterns(self._md)
        # The block parser goes through its processors, in order, for every block of every text, and a Registry
        # sorts and copies itself on each pass (3 % of a conversion); nothing looks one up by name once every
        # extension has registered its own (Python-Markdown 3.x, pinned below 4), so they go as a tuple.
        parser = self._md.parser
        if isinstance(parser.blockprocessors, Registry):
            parser.blockprocessors = tuple(parser.blockprocessors)  # type: ignore[assignment]

    def render(self, source: str, path: Path, first_line: int = 1) -> tuple[str, list[ContentWarning]]:
        """HTML of ``source`` and a warning for everything left out of it."""
        self._dropped.clear()
        self._md.reset()
        self._inline.choose(source)
        try:
            with _Budget(BUDGET_SECONDS):
                out = self._md.convert(source)
        except (TooSlow, RecursionError):
            raise ContentError(path, first_line, 1, _too_slow(source)) from None
        if not self.allow_html:
            out = sanitise(out)
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
        if kind == "picture from another site":
            return ContentWarning(path, line, column, f"{kind} left out of the page (it would load from elsewhere); "
                                  "copy the picture into the project and name it with 'image:'")
        return ContentWarning(path, line, column, f"{kind} left out of the page; use an https:// link")


# What a text must hold for each of Python-Markdown's inline patterns to match in it: each pattern's regular
# expression (3.x) needs one of these strings in the text it looks at, and that text is a piece of the source
# (whitespace normalised, tabs expanded: hence the tab for the two spaces of a line break) or placeholders
# made of other characters (the markers Python-Markdown deletes from a source bring back every pattern).
# A pattern not named here (another version's, an extension's) is always kept.
_NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("!",), "image_reference": ("!",), "short_image_ref": ("!",),  # and "[", as links
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "entity": ("&",), "linebreak": ("  ", "\t"),
    "em_strong": ("*", "_"), "em_strong2": ("_",), "not_strong": ("*", "_"),
}


class _InlinePatterns:
    """Hands Python-Markdown's inline processor, for each text, only the patterns that can match in it.

    The processor tries each of its 14 patterns on every piece of text of a document (about a hundred times a
    stretch), and most stretches hold no backtick, bracket, ``<``, ``&`` or backslash: a pattern whose
    characters are not in the source cannot match, so leaving it out changes nothing but the time (a fifth
    of a conversion). The patterns go as a tuple, in the registry's order, once every extension has registered
    them: the registry re-checks its order on each look-up by index. The processor only counts and indexes
    them (Python-Markdown 3.x, pinned below 4 in pyproject.toml); anything else there is left as it was."""

    def __init__(self, md: markdown.Markdown) -> None:
        self.processor = md.treeprocessors["inline"]
        self.frozen = isinstance(getattr(self.processor, "inlinePatterns", None), Registry)
        self.patterns = tuple(md.inlinePatterns)
        self.needs: list[tuple[str, ...]] = [("",)] * len(self.patterns)  # "" is in every text
        for name, needs in _NEEDS.items():
            if name in md.inlinePatterns:
                self.needs[md.inlinePatterns.get_index_for_name(name)] = needs
        self.texts = sorted({text for needs in self.needs for text in needs})
        self.chosen: dict[tuple[bool, ...], tuple[object, ...]] = {}
        if self.frozen:
            self.processor.inlinePatterns = self.patterns

    def choose(self, source: str) -> None:
        """Give the processor the patterns that can match somewhere in ``source``."""
        if not self.frozen:
            return
        if "\x02" in source or "\x03" in source:  # Python-Markdown deletes these: " \x02 \n" turns into "  \n"
            self.processor.inlinePatterns = self.patterns
            return
        present = {text: text in source for text in self.texts}
        key = tuple(any(present[text] for text in needs) for needs in self.needs)
        patterns = self.chosen.get(key)
        if patterns is None:
            patterns = self.chosen[key] = tuple(p for p, keep in zip(self.patterns, key, strict=True) if keep)
        self.processor.inlinePatterns = patterns


def sanitise(fragment: str) -> str:
    """``fragment`` with only the elements, attributes and link schemes a stretch's text may have."""
    return _SANITISER.clean(fragment)


# built once: a Cleaner turns its options into the sanitiser's own sets once, not on every call
_SANITISER = nh3.Cleaner(tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=set(SAFE_SCHEMES), link_rel=None,
                         strip_comments=True)
_TEXT_ONLY = nh3.Cleaner(tags=set())


def _too_slow(source: str) -> str:
    """What to say of a text Python-Markdown could not convert in its budget: the likely cause."""
    counts = {mark: source.count(mark) for mark in "[(*_`<"}
    unclosed = counts["["] - source.count("]")
    if unclosed > 100 or counts["["] > 1000:
        cause = f"most likely {counts['['] - min(counts['['], source.count(']'))} unclosed brackets '['"
        fix = "close them, or write \\[ for a bracket that is only a character"
    else:
        mark = max(counts, key=counts.__getitem__)
        cause = f"most likely the {counts[mark]} '{mark}' characters"
        fix = f"check that each '{mark}' is closed, or write \\{mark} for one that is only a character"
    return (f"the Markdown of this file took more than {BUDGET_SECONDS:.0f} s to convert ({cause}); "
            f"{fix}")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(_TEXT_ONLY.clean(fragment)).split())
