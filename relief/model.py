"""The site as plain frozen data, built once by ``relief.load`` and read by the renderer.

Derived facts (a group's minutes, a stretch's id, an image's size) are computed by the
loader and stored here, so templates only display them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from babel.core import Locale


@dataclass(frozen=True, slots=True)
class Image:
    source: Path  # the file in the project
    logical: str  # its name in the bundle before hashing, e.g. "stretches/bridge.svg"
    width: int
    height: int
    alt: str
    # a raster picture's published copies, narrowest first: (name in the bundle before hashing, width);
    # ``logical`` is one of them. Empty for an SVG, published as it is.
    variants: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Position:
    """One of the positions a stretch goes through in turn (e.g. the arms overhead, then at 45 degrees)."""

    name: str
    hold: int  # seconds
    cue: str | None = None  # said when it is time to move into it


@dataclass(frozen=True, slots=True)
class Stretch:
    id: str  # stable anchor: the file name without its number, e.g. "glute-bridge"
    title: str
    body_html: str  # sanitised HTML of the HOW instructions
    body_text: str  # the same as plain text, for structured data
    source: Path
    position: str | None = None  # where it starts: sitting, standing, on-back, face-down, all-fours
    hold: int | None = None  # seconds, each repetition
    duration: int | None = None  # seconds of a movement done for a time rather than held
    positions: tuple[Position, ...] = ()  # instead of one hold: these in turn
    reps: int | None = None
    rest: int | None = None  # seconds between repetitions
    sides: bool = False  # done on the right, then on the left
    image: Image | None = None
    extra: bool = False
    caution: str | None = None
    draft: bool = False


@dataclass(frozen=True, slots=True)
class Pace:
    """The seconds the guided routine gives to get ready, chosen for a clinician's review (README.md, "The
    guided routine"). ``plan`` makes a group's routine with them and the patient's view of a
    plan (``assets/js/plan-view.js``) plans a clinician's doses with the same numbers, handed over in the page."""

    get_ready: int = 8  # before a stretch in the same position as the last: time to hear its name and first step
    change_position: int = 20  # before a stretch in another position (and before the first): e.g. all fours to back
    change_side: int = 5  # between the right side and the left
    next_position: int = 4  # within a stretch, e.g. the arms from overhead to 45 degrees


PACE = Pace()


class Segment(NamedTuple):
    """One countdown of a group's guided routine, as ``assets/js/routine.js`` runs it (a named tuple, not a
    dataclass: a big site has a hundred thousand of them, and a tuple is made several times faster)."""

    kind: str  # "ready" (get into its position), "hold", "go" (a movement for a time), "rest", "change"
    # (to its next position), "side" (to the left)
    stretch: str  # the stretch's id
    seconds: int
    rep: int = 1  # this repetition, of ``reps``
    reps: int = 1
    side: str | None = None  # "right" or "left" for a stretch done on each side
    name: str | None = None  # the position's name, for a stretch of several positions
    cue: str | None = None  # "change": what to say
    posture: str | None = None  # "ready": the position it starts in
    changed: bool = False  # "ready": from another position (or the first stretch)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    title: str
    extra_title: str | None
    tip: str | None
    routine: tuple[Stretch, ...]
    extras: tuple[Stretch, ...]
    seconds: int  # the sum of the plan: how long the routine runs

    @property
    def plan(self) -> tuple[Segment, ...]:
        """Every countdown of its guided routine, in order (``plan``): made when a template asks, in the render
        worker, not kept (a big site's groups have a hundred thousand segments)."""
        return plan(self.routine)

    @property
    def minutes(self) -> int:
        """The run time in whole minutes, rounded to the nearest (at least one, for a routine)."""
        return max(1, (self.seconds + 30) // 60) if self.seconds else 0

    @property
    def label_seconds(self) -> int:
        """What "takes ..." says: whole minutes when the routine ends within 5 % of them, else the run
        time to the nearest 5 seconds (or exactly, when that is not within 5 % either)."""
        if abs(self.seconds - self.minutes * 60) <= 0.05 * self.minutes * 60:
            return self.minutes * 60
        rounded = 5 * round(self.seconds / 5)
        return rounded if abs(self.seconds - rounded) <= 0.05 * self.seconds else self.seconds

    @property
    def stretches(self) -> tuple[Stretch, ...]:
        return self.routine + self.extras


@dataclass(frozen=True, slots=True)
class Tier:
    """One box of urgent care (call the emergency number now, get urgent advice today, see a GP or
    physiotherapist): its signs and the number to call, from ``site.yaml``."""

    level: str  # "emergency", "urgent" or "gp": its place and its style
    title: str
    text: str | None
    signs: tuple[str, ...]
    call: str | None  # the link's words before the number (None: the page's language's "Call")
    number: str  # as written in site.yaml, e.g. "020 7946 0123"

    @property
    def tel(self) -> str:
        """The ``tel:`` URL of ``number``: its digits, with a leading '+' (RFC 3966)."""
        digits = "".join(c for c in self.number if c.isdigit())
        return f"tel:{'+' if self.number.startswith('+') else ''}{digits}"


@dataclass(frozen=True, slots=True)
class CallToAction:
    title: str
    text: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Page:
    slug: str
    title: str
    description: str
    intro_html: str
    disclaimer_html: str
    instructions_html: str
    get_help: tuple[Tier, ...]  # most urgent first
    reassurance_html: str
    how_it_feels_html: str
    reviewed: dt.date | None  # None only for a translation not yet clinically reviewed (a notice says so)
    reviewed_by: str | None
    next_review: dt.date | None
    groups: tuple[Group, ...]
    source: Path
    draft: bool = False  # left out of the published site unless --drafts (serve shows it with a banner)
    cta: CallToAction | None = None  # the site's call to action, with the fields the page overrides
    site_title: str = ""  # the site name in this page's header: its own, else the site's
    next_review_at: tuple[int, int] = (1, 1)  # line and column of 'next_review' in the page file
    language: str = "en"  # the language of its words (a translation's: its file's, _page.es.md)
    source_reviewed: dt.date | None = None  # a translation: when the page it was translated from was reviewed

    @property
    def last_reviewed(self) -> dt.date:
        """Its own review date, else (a translation not yet reviewed) its original's."""
        return self.reviewed or self.source_reviewed or dt.date.min

    @property
    def stretches(self) -> tuple[Stretch, ...]:
        return tuple(s for g in self.groups for s in g.stretches)


@dataclass(frozen=True, slots=True)
class Site:
    title: str
    short_name: str  # under the installed app's icon; the title if site.yaml gives none
    base_url: str  # absolute, ends with "/"
    language: str  # the default language: its pages are at the bundle's root
    languages: tuple[str, ...]  # every language published, the default first
    home: str | None  # slug of the page that is also index.html; None: an index of pages
    cta: CallToAction | None
    footer: str
    emergency_number: str | None
    urgent_number: str | None
    phone: str | None  # the clinic's
    allow_html: bool
    offline: bool  # a service worker keeps the bundle after one visit (else the earlier one is retired)
    keep_files: tuple[str, ...]  # besides .git and CNAME, left in the output folder by publish
    pages: tuple[Page, ...]
    source: Path
    # the site in each of its other languages (``languages[1:]``): the same settings, its own words
    # (site.es.yaml) and the pages translated into it, in the same order; empty in a translation itself
    translated: tuple[Site, ...] = ()

    @property
    def editions(self) -> tuple[Site, ...]:
        """The site in every language, the default first."""
        return (self, *self.translated)


def locale_folder(language: str) -> str:
    """A BCP 47 tag as Babel names locales (and the folder of its catalog): 'pt-BR' -> 'pt_BR'."""
    return language.replace("-", "_")


def babel_locale(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag (its region's, else the language's); ValueError if Babel has none."""
    from babel.core import Locale, UnknownLocaleError  # here: a build's workers start parsing without Babel

    try:
        return Locale.parse(locale_folder(language))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except UnknownLocaleError as exc:
            raise ValueError(str(exc)) from None


def known_language(language: str) -> bool:
    try:
        babel_locale(language)
    except ValueError:
        return False
    return True


# ---- a group's guided routine, worked out (``relief.load.routine`` checks the fields it is made of) ----

SIDES = ("right", "left")


def plan(routine: tuple[Stretch, ...]) -> tuple[Segment, ...]:
    """Every countdown of a group's routine, in order."""
    segments: list[Segment] = []
    for stretch, changed, ready in _in_turn(routine):
        segments.append(Segment("ready", stretch.id, ready, reps=stretch.reps or 1,
                                side=SIDES[0] if stretch.sides else None, posture=stretch.position, changed=changed))
        segments += _stretch(stretch)
    return tuple(segments)


def total(routine: tuple[Stretch, ...]) -> int:
    """How long a group's routine runs: the sum of its ``plan``, without making the plan (a big site's
    groups have a hundred thousand segments; the renderer makes each group's when its page asks)."""
    return sum(ready + run_seconds(stretch) for stretch, _, ready in _in_turn(routine))


def run_seconds(stretch: Stretch) -> int:
    """The seconds of a stretch's segments after its get-ready countdown (``_stretch``), worked out without
    making them: each repetition's holds and moves between positions, the rests between repetitions, all on
    each side with the change of side between."""
    holds = [p.hold for p in stretch.positions] or [stretch.hold or stretch.duration or 0]
    reps = stretch.reps or 1
    each_side = reps * (sum(holds) + (len(holds) - 1) * PACE.next_position) + (reps - 1) * (stretch.rest or 0)
    return 2 * each_side + PACE.change_side if stretch.sides else each_side


def _in_turn(routine: tuple[Stretch, ...]) -> Iterator[tuple[Stretch, bool, int]]:
    """Each stretch of a routine, whether it starts in another position than the last (or is the first), and
    the seconds it gives to get ready."""
    before: str | None = None
    for index, stretch in enumerate(routine):
        changed = index == 0 or stretch.position is None or stretch.position != before
        yield stretch, changed, PACE.change_position if changed else PACE.get_ready
        before = stretch.position


def _stretch(stretch: Stretch) -> Iterator[Segment]:
    reps = stretch.reps or 1
    holds = ([(p.name, p.hold, p.cue) for p in stretch.positions] if stretch.positions
             else [(None, stretch.hold or stretch.duration or 0, None)])
    kind = "go" if stretch.duration else "hold"  # a movement for a time, or a position held
    for side in SIDES if stretch.sides else (None,):
        if side == SIDES[1]:
            yield Segment("side", stretch.id, PACE.change_side, reps=reps, side=side)
        for rep in range(1, reps + 1):
            if rep > 1 and stretch.rest:
                yield Segment("rest", stretch.id, stretch.rest, rep=rep, reps=reps, side=side)
            for number, (name, seconds, cue) in enumerate(holds):
                if number:
                    yield Segment("change", stretch.id, PACE.next_position, rep, reps, side, name, cue or name)
                yield Segment(kind, stretch.id, seconds, rep, reps, side, name)
