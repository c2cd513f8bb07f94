"""What a translation must keep of its original, as checks on two loaded files: the same groups and stretches
(by id), the same doses, and a text in its language for every text the original has.

A translation sits beside its original, its language before ``.md``: ``_page.es.md`` beside ``_page.md``,
``01-glute-bridge.es.md`` beside ``01-glute-bridge.md``, ``site.es.yaml`` beside ``site.yaml``. It is loaded
and checked as its original is (``relief.load.tree``); these are the checks across the two. Pure: nothing is read.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Stretch

LANGUAGE = r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*"  # in a file name, lower case: _page.es.md, 01-x.pt-br.md
PAGE_FILE = re.compile(rf"_page(?:\.({LANGUAGE}))?\.md")
SITE_FILE = re.compile(rf"site(?:\.({LANGUAGE}))?\.yaml")
# a page's texts that, given in the original, its translation must give in its own words
PAGE_TEXTS = ("reassurance", "how_it_feels", "site_title", "cta")
GROUP_TEXTS = ("extra_title", "tip")
SITE_TEXTS = ("short_name", "cta", "footer")
# what a stretch's translation must say exactly as its original: the dose the routine runs
DOSE = ("position", "hold", "duration", "reps", "rest", "sides", "extra")


def folder_of(language: str) -> str:
    """The output folder and file-name form of a language: 'pt-BR' -> 'pt-br'."""
    return language.lower()


def language_of(tag: str, languages: tuple[str, ...]) -> str | None:
    """The site's language a file name's tag names (case aside), or None."""
    return next((language for language in languages if folder_of(language) == tag), None)


def missing_texts(original: dict[str, Any], translation: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """The texts among ``names`` that ``original`` gives and ``translation`` does not."""
    return [name for name in names if original.get(name) and not translation.get(name)]


def dose_differences(original: Stretch, translation: Stretch) -> list[tuple[str, Any, Any]]:
    """Each dose field (and a position's hold) the translation gives otherwise than the original."""
    found = [(name, getattr(original, name), getattr(translation, name)) for name in DOSE
             if getattr(original, name) != getattr(translation, name)]
    holds = [p.hold for p in original.positions], [p.hold for p in translation.positions]
    if holds[0] != holds[1]:
        found.append(("positions", holds[0] or None, holds[1] or None))
    return found


def shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
