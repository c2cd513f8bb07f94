"""Deterministic synthetic projects for the benchmark: pages x groups x stretches.

Every file uses every field of our content format (``site.yaml``, ``_page.md``, stretch
front matter); each stretch body is about 150 words of Markdown with a list, emphasis and
a link, and its text differs from every other stretch (a content cache cannot fold them).
The stretches of a page share one small SVG, kept in ``assets/stretches/`` as the real
site keeps its pictures. The same shape and seed always give the same bytes.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = (
    "shoulder", "blade", "spine", "breath", "chest", "hip", "knee", "elbow", "wrist", "neck", "floor", "wall",
    "chair", "towel", "arm", "leg", "back", "heel", "toe", "palm", "rib", "stretch", "hold", "press", "reach",
    "lift", "lower", "rest", "relax", "slowly", "gently", "tall", "long", "soft", "steady", "even", "easy",
    "deep", "calm", "still", "open", "wide", "forward", "upward", "sideways", "warm", "loose", "light", "firm"
)
POSITIONS = ("sitting", "standing", "on-back", "face-down", "all-fours")  # as relief/load/schema.py
VERBS = (
    "press", "reach", "lift", "lower", "rest", "relax", "hold", "roll", "turn", "tilt", "squeeze", "breathe",
    "slide", "bend", "straighten", "lengthen", "draw", "pull", "push", "rotate"
)

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90" width="120" height="90" role="img">'
       '<title>Stretch</title><circle cx="60" cy="20" r="10" fill="none" stroke="#1d3557" stroke-width="4"/>'
       '<path d="M60 30v30M40 45h40M60 60l-15 25M60 60l15 25" stroke="#1d3557" stroke-width="4" '
       'fill="none" stroke-linecap="round"/></svg>\n')


@dataclass(frozen=True)
class Shape:
    """How a synthetic project is laid out; ``stretches`` counts every stretch file."""

    pages: int
    groups: int  # per page
    per_group: int  # stretch files per group; the last one is an extra

    @property
    def stretches(self) -> int:
        return self.pages * self.groups * self.per_group


def sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(VERBS)] + [rng.choice(WORDS) for _ in range(words - 1)]
    return " ".join(picked).capitalize() + "."


def stretch_body(rng: random.Random, number: int) -> str:
    """About 150 words: an intro with emphasis, a numbered list of steps, a closing link."""
    intro = f"{sentence(rng, 12)} Keep *{rng.choice(WORDS)} and {rng.choice(WORDS)}* relaxed. {sentence(rng, 14)}"
    steps = "\n".join(f"{i}. {sentence(rng, 16)}" for i in range(1, 6))
    outro = (f"{sentence(rng, 10)} **Stop if it hurts** and see "
             f"[the clinic's guide to stretch {number}](https://example.org/guide/{number}/) for more.")
    return f"{intro}\n\n{steps}\n\n{outro}\n"


def stretch_file(rng: random.Random, number: int, extra: bool, picture: str) -> str:
    timing = "extra: true\n" if extra else f"position: {rng.choice(POSITIONS)}\nextra: false\n"
    return (f"---\ntitle: Stretch {number} {rng.choice(VERBS)} the {rng.choice(WORDS)}\n{timing}"
            f"hold: {rng.randrange(2, 30)}\nreps: {rng.randrange(2, 12)}\nrest: {rng.randrange(2, 10)}\n"
            f"image: {picture}\n"
            f"alt: A person doing stretch {number}, {rng.choice(WORDS)} and {rng.choice(WORDS)} in line.\n"
            f"caution: Go {rng.choice(('slowly', 'gently', 'carefully'))} if your {rng.choice(WORDS)} is sore.\n"
            f"draft: false\n---\n{stretch_body(rng, number)}")


def tiers(rng: random.Random) -> str:
    """The three boxes of urgent care, each with its heading, line, signs and call words."""
    return "".join(f"  {level}:\n    title: {sentence(rng, 5)}\n    text: {sentence(rng, 8)}\n    signs:\n"
                   + "".join(f"      - {sentence(rng, 6).lower()}\n" for _ in range(4)) + "    call: Call\n"
                   for level in ("emergency", "urgent", "gp"))


def page_file(rng: random.Random, page: int, groups: list[str]) -> str:
    listed = "".join(f"  - id: {g}\n    title: Routine {g}\n    extra_title: Add this whenever in {g}\n"
                     f"    tip: {sentence(rng, 12)}\n" for g in groups)
    return (f"---\ntitle: Relief page {page}\ndescription: Short routines for page {page}, "
            f"{sentence(rng, 8).lower()}\nreviewed: 2026-11-23\nreviewed_by: Dr. Page {page}\n"
            f"next_review: 2027-11-23\ngroups:\n{listed}"
            f"disclaimer: |\n  1. {sentence(rng, 12)}\n  2. {sentence(rng, 10)}\n"
            f"instructions: |\n  1. {sentence(rng, 12)}\n  2. {sentence(rng, 9)}\n"
            f"get_help:\n{tiers(rng)}"
            f"reassurance: |\n  {sentence(rng, 12)}\nhow_it_feels: |\n  {sentence(rng, 14)}\n"
            f"---\nThis is for you if {sentence(rng, 14).lower()} *Select a stretch* to see it.\n")


SITE = """\
title: Synthetic Relief
base_url: https://example.org/relief/
language: en
home: page-0001
cta:
  title: Want to feel better faster?
  text: Book a session with our clinic.
  label: Book a session
  url: https://example.org/appointments/
footer: Synthetic content for the benchmark.
emergency_number: "999"
urgent_number: "111"
phone: 020 7946 0123
allow_html: false
"""


def generate(project: Path, shape: Shape, seed: int = 7) -> Path:
    """Write a complete project (synthetic content, the repository's templates and assets)."""
    if project.exists():
        shutil.rmtree(project)
    for name in ("templates", "assets", "locales"):
        shutil.copytree(ROOT / name, project / name)
    content = project / "content"
    content.mkdir()
    (content / "site.yaml").write_text(SITE, encoding="utf-8")
    rng = random.Random(seed)
    number = 0
    for p in range(1, shape.pages + 1):
        folder = content / f"page-{p:04d}"
        groups = [f"group-{g}" for g in range(1, shape.groups + 1)]
        folder.mkdir()
        (folder / "_page.md").write_text(page_file(rng, p, groups), encoding="utf-8")
        picture = f"stretches/{folder.name}.svg"
        (project / "assets" / picture).write_text(SVG, encoding="utf-8")
        for group in groups:
            (folder / group).mkdir()
            for s in range(1, shape.per_group + 1):
                number += 1
                text = stretch_file(rng, number, extra=s == shape.per_group, picture=picture)
                (folder / group / f"{s:04d}-stretch-{number}.md").write_text(text, encoding="utf-8")
    return project


def copy_shipped(project: Path) -> Path:
    """The real site (16 stretches): the repository's content, templates and assets, in its default language
    only (the naive generator and Hugo build one language: its translations, *.es.md, are left out)."""
    if project.exists():
        shutil.rmtree(project)
    for name in ("content", "templates", "assets", "locales"):
        shutil.copytree(ROOT / name, project / name)
    content = project / "content"
    for translation in [*content.glob("site.*.yaml"), *content.glob("*/_page.*.md"), *content.glob("*/*/*.*.md")]:
        translation.unlink()
    site = content / "site.yaml"
    site.write_text(re.sub(r"(?m)^languages: \[(\w+).*\]$", r"language: \1", site.read_text(encoding="utf-8")),
                    encoding="utf-8")
    return project
