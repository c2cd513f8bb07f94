"""Template sources in, a Jinja environment out: autoescape on, strict undefined, relief's filters."""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import segno

from .data import script_json


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
    # the one rule for data in <script>
    env.filters["tojson"] = lambda value: markupsafe.Markup(script_json(plain(value)))
    env.filters["og_locale"] = og_locale
    env.filters["qr_svg"] = qr_svg
    return env


_ATOMS = frozenset({str, int, float, bool})


def plain(value: Any) -> Any:
    """``value`` with its dataclasses (a group's plan) as mappings of their fields, ``None`` ones left out."""
    fields = _fields(type(value))
    if fields is not None:
        names, values = fields
        return {name: item if type(item) in _ATOMS else plain(item)
                for name, item in zip(names, values(value), strict=True) if item is not None}
    if isinstance(value, list | tuple):
        return [item if type(item) in _ATOMS else plain(item) for item in value]
    return value


@functools.cache
def _fields(kind: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]] | None:
    """The field names of a dataclass and a getter of their values (a plan has thousands of segments of
    one class), else None."""
    if not dataclasses.is_dataclass(kind):
        return None
    names = tuple(f.name for f in dataclasses.fields(kind))
    getter = operator.attrgetter(*names)
    return names, (getter if len(names) > 1 else lambda value: (getter(value),))


_LIKELY_REGION = {"en": "US", "es": "ES", "fr": "FR", "de": "DE", "it": "IT", "nl": "NL", "pt": "PT"}


def og_locale(language: str) -> str:
    """Open Graph wants language_TERRITORY: 'en-GB' -> 'en_GB', 'en' -> 'en_US'."""
    lang, _, region = language.partition("-")
    region = region.split("-")[0] if region else _LIKELY_REGION.get(lang.lower(), "")
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def qr_svg(url: str) -> markupsafe.Markup:
    """A QR code of ``url`` as inline SVG, for the handout; hidden from screen readers, which read the
    address written beside it. Error correction M: a creased or smudged print still scans."""
    svg = segno.make(url, error="m").svg_inline(scale=4, svgclass="qr-code", lineclass=None, omitsize=True)
    return markupsafe.Markup(svg.replace("<svg ", '<svg aria-hidden="true" ', 1))


def spoken_duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts) or "0 seconds"
