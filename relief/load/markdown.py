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
from functools import partial
from pathlib import Path
from typing import Any
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
        # for each text, only the inline patterns and block processors that can act on it (``_Choice``)
        inline, parser = self._md.treeprocessors["inline"], self._md.parser
        self._chosen = isinstance(getattr(inline, "inlinePatterns", None), Registry) and \
            all(isinstance(registry, Registry) for registry in (parser.blockprocessors, self._md.preprocessors,
                                                                 self._md.treeprocessors))
        self._inline = _Choice(self._md.inlinePatterns, _INLINE_NEEDS)
        self._blocks = _Choice(parser.blockprocessors, _BLOCK_NEEDS)
        if self._chosen:  # and of the steps of a conversion, those that can change something
            self._steps = (_Choice(self._md.preprocessors, _STEP_NEEDS), _Choice(self._md.treeprocessors, _STEP_NEEDS))
            self._md.preprocessors = _Steps(self._md.preprocessors)  # type: ignore[assignment]
            self._md.treeprocessors = _Steps(self._md.treeprocessors)  # type: ignore[assignment]
        # it asks whether a tag is block-level some twenty times a stretch, of a list of fifty: a set answers
        self._md.is_block_level = partial(_is_block_level, frozenset(self._md.block_level_elements))  # type: ignore

    def render(self, source: str, path: Path, first_line: int = 1) -> tuple[str, list[ContentWarning]]:
        """HTML of ``source`` and a warning for everything left out of it."""
        out, warnings = self.convert(source, path, first_line)
        return self.finish(out), warnings

    def convert(self, source: str, path: Path, first_line: int = 1) -> tuple[str, list[ContentWarning]]:
        """``render`` but its last step, ``finish`` (``parse_all`` takes each step for many texts in turn)."""
        self._dropped.clear()
        self._md.reset()
        if self._chosen:
            self._md.treeprocessors["inline"].inlinePatterns = self._inline.of(source)
            self._md.parser.blockprocessors = self._blocks.of(source)  # type: ignore[assignment]
            self._md.preprocessors.chosen = self._steps[0].of(source)  # type: ignore[attr-defined]
            self._md.treeprocessors.chosen = self._steps[1].of(source)  # type: ignore[attr-defined]
        try:
            with _Budget(BUDGET_SECONDS):
                out = self._md.convert(source)
        except (TooSlow, RecursionError):
            raise ContentError(path, first_line, 1, _too_slow(source)) from None
        warnings: list[ContentWarning] = []
        after: dict[str, int] = {}  # the same text left out twice: the second is further down
        for kind, raw in self._dropped:
            index = source.find(raw.strip(), after.get(kind, 0))
            after[kind] = index + 1
            warnings.append(self._warning(kind, raw, source, index, path, first_line))
        return out, warnings

    def finish(self, converted: str) -> str:
        """The HTML of a text ``convert`` gave: sanitised (unless the site allows HTML), trimmed."""
        return (converted if self.allow_html else sanitise(converted)).strip()

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


Need = str | re.Pattern[str]  # a string the text holds, or an expression that finds something in it

# What a text must hold for each of Python-Markdown's inline patterns and block processors to act on it: each
# one's regular expression (3.x) needs one of these in the text it looks at. That text is a piece of the source
# (whitespace normalised, tabs expanded: hence the tab for the two spaces of a line break; a line's indent or
# '>' taken off) or placeholders made of other characters; the markers Python-Markdown deletes from a source
# bring back every one. One not named here (another version's, an extension's) is always kept.
_INLINE_NEEDS: dict[str, tuple[Need, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "link": ("[",), "image_link": ("!",),  # and "[", as links
    # a reference link ([text][id], [id]) with no definition ([id]: url) is left as it is
    "reference": ("]:",), "short_reference": ("]:",), "image_reference": ("]:",), "short_image_ref": ("]:",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "entity": ("&",), "linebreak": ("  ", "\t"),
    "em_strong": ("*", "_"), "em_strong2": ("_",), "not_strong": ("*", "_"),
}
_BLOCK_NEEDS: dict[str, tuple[Need, ...]] = {
    "hashheader": ("#",), "quote": (">",), "reference": ("]:",),
    # a line of only '=' or '-' below another (an indent or '>' before it is taken off first)
    "setextheader": (re.compile(r"[\r\n][ \t>]*(?:=+|-+)[ \t]*(?:[\r\n]|$)"),),
    # three of '-', '_' or '*', at most two spaces (or tabs) apart (of one kind, for a rule: this looks quicker)
    "hr": (re.compile(r"[-_*][ \t]{0,2}[-_*][ \t]{0,2}[-_*]"),),
}
# Of the steps of a conversion: the preprocessor that takes out raw HTML blocks, which also writes '&#169' as
# '&#169;'; the treeprocessor that puts back the characters a backslash escaped (only the escape pattern leaves
# its markers, STX digits ETX, in the tree: those in a source are deleted first).
_STEP_NEEDS: dict[str, tuple[Need, ...]] = {"html_block": ("<", "&"), "unescape": ("\\",)}
_DELETED = ("\x02", "\x03")  # Python-Markdown deletes these from a source: " \x02 \n" turns into "  \n"


class _Choice:
    """Of Python-Markdown's inline patterns (or block processors), in order, those that can act on a text.

    The inline processor tries each of its 14 patterns on every piece of text of a document (about a hundred
    times a stretch), and the block parser each of its 11 processors on every block. Most stretches hold no
    backtick, '<', '&', backslash, '#', '>' or rule: one whose characters are not in the source cannot act on
    it, so leaving it out changes nothing but the time (a third of a conversion). They go as a tuple, in the
    registry's order, once every extension has registered its own: a registry sorts and copies itself on each
    pass. The processor and the parser only count, index and go through them (Python-Markdown 3.x, pinned
    below 4 in pyproject.toml; ``Markup`` leaves them as they were if they are not registries)."""

    def __init__(self, registry: Registry[Any], needs: dict[str, tuple[Need, ...]]) -> None:
        self.items = tuple(registry)
        self.needs: list[tuple[Need, ...]] = [()] * len(self.items)  # (): needs nothing, always kept
        for name, wanted in needs.items():
            if name in registry:
                self.needs[registry.get_index_for_name(name)] = wanted
        self.tests = list(dict.fromkeys(need for wanted in self.needs for need in wanted))
        self.chosen: dict[tuple[bool, ...], tuple[Any, ...]] = {}  # which tests found something -> the items

    def of(self, source: str) -> tuple[Any, ...]:
        """Those that can act somewhere in ``source``, in order."""
        if any(marker in source for marker in _DELETED):
            return self.items
        found = tuple(need in source if isinstance(need, str) else need.search(source) is not None
                      for need in self.tests)
        items = self.chosen.get(found)
        if items is None:
            present = {need for need, yes in zip(self.tests, found, strict=True) if yes}
            items = self.chosen[found] = tuple(item for item, wanted in zip(self.items, self.needs, strict=True)
                                               if not wanted or present.intersection(wanted))
        return items


class _Steps:
    """One of ``Markdown``'s registries of steps (its preprocessors or treeprocessors) as its ``convert`` goes
    through them: only those ``chosen`` for the text at hand, in order. Looked up by name or item, it is the
    registry itself (inline patterns ask for the 'inline' and 'unescape' steps by name)."""

    def __init__(self, registry: Registry[Any]) -> None:
        self.registry = registry
        self.chosen: tuple[Any, ...] = tuple(registry)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.chosen)

    def __getitem__(self, key: str | int) -> Any:
        return self.registry[key]

    def __contains__(self, item: object) -> bool:
        return item in self.registry

    def __len__(self) -> int:
        return len(self.registry)


def _is_block_level(tags: frozenset[str], tag: object) -> bool:
    """Python-Markdown's ``Markdown.is_block_level``, of a set of tags."""
    return isinstance(tag, str) and tag.lower().rstrip("/") in tags


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
    # a '[' with no ']', or a link's '(' with no ')': Python-Markdown looks for its end again from each one
    unclosed = {mark: counts[mark] - source.count(end) for mark, end in ("[]", "()")}
    opener = max(unclosed, key=unclosed.__getitem__)
    if unclosed[opener] > 100:
        one, many = {"[": ("bracket", "brackets"), "(": ("parenthesis", "parentheses")}[opener]
        cause = f"most likely {unclosed[opener]} unclosed {many} '{opener}'"
        fix = f"close them, or write \\{opener} for a {one} that is only a character"
    else:
        mark = max(counts, key=counts.__getitem__)
        cause = f"most likely the {counts[mark]} '{mark}' characters"
        fix = f"check that each '{mark}' is closed, or write \\{mark} for one that is only a character"
    return (f"the Markdown of this file took more than {BUDGET_SECONDS:.0f} s to convert ({cause}); "
            f"{fix}")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(_TEXT_ONLY.clean(fragment)).split())
