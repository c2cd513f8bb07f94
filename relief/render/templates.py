"""Template sources and one language's catalog in, a Jinja environment out: autoescape on, strict
undefined, Jinja's i18n extension (``_``, ``gettext``, ``ngettext``, ``{% trans %}``) over the catalog, and
relief's filters, which write durations, dates and numbers in that language (Babel's CLDR data)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from babel.core import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from ..model import babel_locale
from .data import alternates_of, script_json


def environment(templates: Path, sources: dict[str, bytes], language: str = "en",
                catalog: bytes | None = None) -> jinja2.Environment:
    """Jinja over ``sources`` (``read_templates``) in ``language``, its words from ``catalog`` (a compiled
    .mo; None: the msgids as written, English); messages name the files in ``templates``."""

    def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
        if name not in sources:
            return None
        return sources[name].decode("utf-8"), str(templates / name), lambda: True

    # the QR codes' library (and the URL and XML modules it brings), not at the top: a build loads it while its
    # workers parse, not before they start; the render workers fork from here and find it loaded
    import segno  # noqa: F401

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        # an environment is made for one set of sources (a changed template makes another): no check of each
        # template at each include, and its cache a plain mapping, not a locked least-recently-used one
        auto_reload=False,
        cache_size=-1,
    )
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's words are one line, as extracted
    words = Words(language, catalog)
    env.install_gettext_translations(words.translations, newstyle=True)
    for name in ("_", "gettext", "ngettext"):
        env.globals[name] = _remembered(env.globals[name])
    env.globals["plural_forms"] = words.plural_forms
    env.globals["language"] = language
    env.globals["direction"] = words.locale.text_direction  # "rtl" for Arabic, Hebrew, ...
    env.filters["duration"] = words.duration
    env.filters["date"] = words.date
    env.filters["number"] = words.number
    env.filters["language_name"] = words.language_name
    env.filters["alternates"] = alternates_of  # a page's hreflang alternates, from its versions
    # the one rule for data in <script>
    env.filters["tojson"] = lambda value: markupsafe.Markup(script_json(plain(value)))
    env.filters["og_locale"] = og_locale
    env.filters["qr_svg"] = qr_svg
    return env


def _remembered(translate: Callable[..., str]) -> Callable[..., str]:
    """Jinja's newstyle ``gettext`` (or ``ngettext``), each result kept: a page asks for the same few words with
    the same values once a stretch, and escaping the values into the translation costs more than a look-up.
    A value's type is part of the key: a ``Markup`` and a ``str`` of the same text are escaped differently."""
    kept: dict[tuple[Any, ...], str] = {}

    @jinja2.pass_context
    def remembered(context: jinja2.runtime.Context, *args: Any, **variables: Any) -> str:
        key = (*args, *((name, type(value), value) for name, value in variables.items()))
        try:
            return kept[key]
        except TypeError:  # a value that cannot be a key
            return translate(context, *args, **variables)
        except KeyError:
            if len(kept) > 10_000:
                kept.clear()
            result = kept[key] = translate(context, *args, **variables)
            return result

    return remembered


_ATOMS = frozenset({str, int, float, bool})


def plain(value: Any) -> Any:
    """``value`` with its dataclasses and named tuples (a group's plan) as mappings of their fields, ``None``
    ones left out."""
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
    """The field names of a dataclass or named tuple and a getter of their values (a plan has thousands of
    segments of one class), else None."""
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):  # a named tuple (a routine's segment)
        return kind._fields, tuple
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
    import segno  # loaded by ``environment``, once

    svg = segno.make(url, error="m").svg_inline(scale=4, svgclass="qr-code", lineclass=None, omitsize=True)
    return markupsafe.Markup(svg.replace("<svg ", '<svg aria-hidden="true" ', 1))


class Words:
    """The words relief writes itself in one language: its catalog's translations (Babel's ``Translations``,
    with the catalog's plural rules) and the locale's dates and numbers. The msgids here are extracted
    with the templates' (``relief.load.catalogs``)."""

    def __init__(self, language: str, catalog: bytes | None) -> None:
        self.locale: Locale = babel_locale(language)
        self.translations = Translations(io.BytesIO(catalog)) if catalog else NullTranslations()
        # a site writes the same few durations and numbers thousands of times: Babel formats each once
        self.number = functools.lru_cache(maxsize=4096)(self.number)  # type: ignore[method-assign]
        self.duration = functools.lru_cache(maxsize=4096)(self.duration)  # type: ignore[method-assign]

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def counted(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count) % {"num": self.number(count)}

    def duration(self, seconds: int) -> str:
        """'1 minute 40 seconds', 'Hold 5 seconds' in the page's language."""
        minutes, rest = divmod(seconds, 60)
        shown_minutes = self.counted("%(num)s minute", "%(num)s minutes", minutes)
        shown_seconds = self.counted("%(num)s second", "%(num)s seconds", rest)
        if minutes and rest:
            # Translators: a duration of minutes and seconds, e.g. "1 minute 40 seconds"
            return self.translations.gettext("%(minutes)s %(seconds)s") % {"minutes": shown_minutes,
                                                                           "seconds": shown_seconds}
        return shown_minutes if minutes else shown_seconds

    def date(self, value: dt.date) -> str:
        # Translators: how a date is written on the page, as a CLDR pattern (d: day, MMMM: the month's name,
        # y: the year; text in 'single quotes' as written), or one of short, medium, long and full for the
        # language's own; e.g. 23 November 2026
        pattern = self.translations.gettext("d MMMM y")
        return format_date(value, format=pattern, locale=self.locale)

    def language_name(self, language: str) -> str:
        """A language's name in this language: 'en' on a Spanish page is 'inglés'."""
        return babel_locale(language).get_language_name(self.locale)

    def plural_forms(self, singular: str, plural: str) -> str:
        """A word a script fills with a count, as JSON: its form for each plural category of the language
        (CLDR's, as the browser's ``Intl.PluralRules`` names them), each from the catalog for a number of
        that category. ``routine.js`` picks the form with ``Intl.PluralRules``."""
        return json.dumps({tag: self.translations.ngettext(singular, plural, number)
                           for tag, number in _examples(str(self.locale)).items()}, ensure_ascii=False,
                          separators=(",", ":"), sort_keys=True)


_CANDIDATES = (*range(0, 200), 1000, 10_000, 100_000, 1_000_000, 10_000_000)


@functools.cache
def _examples(locale: str) -> dict[str, int]:
    """The smallest whole number of each plural category of ``locale`` (CLDR's rules, Babel's data)."""
    rule = Locale.parse(locale).plural_form
    found: dict[str, int] = {}
    for number in _CANDIDATES:
        found.setdefault(rule(number), number)
    return found
