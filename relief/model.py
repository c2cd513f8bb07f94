"""The site as plain frozen data, built once by ``relief.load`` and read by the renderer.

Derived facts (a group's minutes, a stretch's id, an image's size) are computed by the
loader and stored here, so templates only display them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Image:
    source: Path  # the file in the project
    logical: str  # its name in the bundle before hashing, e.g. "stretches/bridge.svg"
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class Stretch:
    id: str  # stable anchor: the file name without its number, e.g. "glute-bridge"
    title: str
    body_html: str  # sanitised HTML of the HOW instructions
    body_text: str  # the same as plain text, for structured data
    source: Path
    duration: int | None = None  # seconds in the routine
    hold: int | None = None
    reps: int | None = None
    image: Image | None = None
    extra: bool = False
    caution: str | None = None
    draft: bool = False


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    extra_title: str | None
    routine: tuple[Stretch, ...]
    extras: tuple[Stretch, ...]
    seconds: int  # sum of the routine stretches' durations

    @property
    def minutes(self) -> int:
        return -(-self.seconds // 60)  # whole minutes, rounded up

    @property
    def stretches(self) -> tuple[Stretch, ...]:
        return self.routine + self.extras


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    description: str
    intro_html: str
    disclaimer_html: str
    instructions_html: str
    get_help_html: str
    reviewed: dt.date
    reviewed_by: str | None
    groups: tuple[Group, ...]
    source: Path

    @property
    def stretches(self) -> tuple[Stretch, ...]:
        return tuple(s for g in self.groups for s in g.stretches)


@dataclass(frozen=True)
class CallToAction:
    title: str
    text: str
    label: str
    url: str


@dataclass(frozen=True)
class Site:
    title: str
    base_url: str  # absolute, ends with "/"
    language: str
    home: str | None  # slug of the page that is also index.html; None: an index of pages
    cta: CallToAction | None
    footer: str
    allow_html: bool
    keep_files: tuple[str, ...]  # besides .git and CNAME, left in the output folder by publish
    pages: tuple[Page, ...]
    source: Path
