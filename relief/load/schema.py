"""The one list of every front matter and ``site.yaml`` field, with its check, and the checker.

A check on one value lives here (each field's ``check``). To add a field, add it here
with a line of help and an example (``build.py new`` writes both into new files, and a
page's Markdown fields are those checked by ``markdown``), give ``relief.model`` the
attribute, and set it in ``relief.load.tree``; ``tests/test_layout.py`` fails until the
model and the schema agree. ``validate`` returns the checked values and a
``ContentError`` for every problem, at the line and column of the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import ContentError
from ..model import known_language
from .frontmatter import Key, Located, shortened
from .links import scheme_problem

Check = Callable[[Any], Any]  # returns the clean value or raises ValueError("must be ...")


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be non-empty text")
    return value.strip()


def short_name(value: Any) -> str:
    value = text(value)
    if len(value) > 12:
        raise ValueError(f"must be at most 12 characters (a phone cuts a longer name under its icon); "
                         f"'{value}' has {len(value)}")
    return value


def markdown(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be Markdown text (use '|' for several lines)")
    return value


MAX_SECONDS = 3600  # an hour: more is a typing mistake, not a stretch
MAX_COUNT = 1000


def seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("must be a whole number of seconds greater than 0, e.g. 30")
    if value > MAX_SECONDS:
        raise ValueError(f"is {shortened(str(value))} seconds, more than an hour ({MAX_SECONDS}); check the number")
    return value


def count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("must be a whole number greater than 0, e.g. 10")
    if value > MAX_COUNT:
        raise ValueError(f"is {shortened(str(value))}, more than {MAX_COUNT}; check the number")
    return value


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("must be a date written YYYY-MM-DD, e.g. 2026-11-23")


_SLUG = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # letters of any script: 'étirements'


def slug(value: Any) -> str:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
    if not isinstance(value, str) or not _SLUG.fullmatch(value) or value != value.lower():
        raise ValueError("must be lower-case letters, digits and hyphens, e.g. 'sitting'")
    return value


def absolute_url(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError("must be an absolute http(s) URL, e.g. https://example.org/relief/")
    return value if value.endswith("/") else value + "/"


def link(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a link: https://..., mailto:..., tel:... or a path")
    problem = scheme_problem(value)
    if problem:
        raise ValueError(f"must be a safe link: {problem}")
    try:
        urlsplit(value.strip())
    except ValueError as exc:
        raise ValueError(f"is not a valid link ({exc})") from None
    return value.strip()


_PHONE = re.compile(r"\+?[0-9][0-9 ().-]*[0-9]|[0-9]")


def phone(value: Any) -> str:
    """A telephone number as people write it (``999``, ``020 7946 0123``, ``+1 (555) 010-0199``)."""
    if isinstance(value, str) and _PHONE.fullmatch(value.strip()):
        digits = sum(c.isdigit() for c in value)
        if 2 <= digits <= 15:  # E.164: at most 15 digits; the shortest emergency numbers have 2 or 3
            return " ".join(value.split())
    raise ValueError("must be a telephone number: digits, spaces, hyphens, dots or brackets, a '+' only "
                     "in front, 2 to 15 digits, e.g. \"999\" or \"+44 20 7946 0123\"")


def phrases(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of one or more short texts, each on a line starting with '- '")
    return tuple(" ".join(v.split()) for v in value)


def names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and "/" not in v for v in value):
        raise ValueError("must be a list of file or folder names in the output folder, e.g. [.well-known, ads.txt]")
    return tuple(v.strip() for v in value)


def language(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise ValueError("must be a BCP 47 language tag, e.g. en or en-GB")
    if not known_language(value):
        raise ValueError(f"names a language relief has no data for ('{value}'); give a BCP 47 tag such as "
                         "en, es or pt-BR")
    return value


def languages(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of BCP 47 language tags, the default first, e.g. [en, es]")
    tags = tuple(language(v) for v in value)
    folded = [tag.lower() for tag in tags]
    twice = sorted({tag for tag in folded if folded.count(tag) > 1})
    if twice:
        raise ValueError(f"lists {', '.join(twice)} twice; give each language once")
    return tags


TEXTUAL = (text, short_name, markdown, link, slug, language)  # a YAML 'yes', '045' or date given was meant as text
AS_WRITTEN = (phone,)  # checked as written in the file: a phone number 000 is not the number 0


@dataclass(frozen=True)
class Field:
    check: Check | None  # None: a nested mapping (``fields``) or a list of them (``items``)
    help: str
    required: bool = False
    fields: dict[str, Field] = field(default_factory=dict)
    items: dict[str, Field] = field(default_factory=dict)
    example: str = ""  # what ``new`` writes ("{name}": the new file's name)
    scaffold: bool = False  # ``new`` writes it set; otherwise commented out (required fields always set)


Schema = dict[str, Field]

POSITIONS = ("sitting", "standing", "on-back", "face-down", "all-fours")  # where a stretch starts


def position(value: Any) -> str:
    if value not in POSITIONS:
        raise ValueError(f"must be one of {', '.join(POSITIONS)}")
    return value


# What ``relief new`` writes for the editor to replace: a page or stretch that still holds one is not
# published (an error on build unless it is a draft).
PLACEHOLDERS = {
    "description": "Who these stretches help, in a sentence or two.",
    "reviewed_by": "Name of the clinician who checked it",
    "disclaimer": "Replace with the page's disclaimer.",
    "instructions": "Replace with how often and in which order.",
    "get_help": "Replace with a warning sign that needs a professional.",
    "introduction": "This is for you if ... (replace with the page's introduction).",
    "step": "Write the first step here: where to start and how to move.",
    "alt": "Describe the position the picture shows.",
}

POSITION: Schema = {
    "name": Field(text, "a few words for this position, shown in the dose, e.g. 'arms at 45 degrees'",
                  required=True),
    "hold": Field(seconds, "seconds to hold it", required=True),
    "cue": Field(text, "what the routine says when it is time to move into it, e.g. 'Now move your arms "
                 "to 45 degrees.' (default: its name)"),
}

STRETCH: Schema = {
    "title": Field(text, "the stretch's name, shown on its line in the page", required=True),
    "position": Field(position, f"where it starts: {', '.join(POSITIONS)}; the routine gives more time "
                      "to get there when it changes", example="sitting", scaffold=True),
    "hold": Field(seconds, "seconds to hold it, each repetition (or give duration or positions)",
                  example="20", scaffold=True),
    "duration": Field(seconds, "seconds of a movement done for a time rather than held, e.g. circling "
                      "(instead of hold)", example="30"),
    "positions": Field(None, "instead of hold: the positions it goes through in turn, each with its "
                       "name, hold and cue", items=POSITION,
                       example="[{{name: arms overhead, hold: 10}}, {{name: arms at 45 degrees, hold: 10, "
                       "cue: Now move your arms to 45 degrees.}}]"),
    "reps": Field(count, "how many repetitions (optional, default 1)", example="10"),
    "rest": Field(seconds, "seconds of rest between repetitions (needs reps)", example="5"),
    "sides": Field(flag, "true: done on the right side, then on the left", example="true"),
    "image": Field(text, "picture: a path relative to this file or to assets/", example="stretches/{name}.svg"),
    "alt": Field(text, "what the picture shows, for people who cannot see it", example=PLACEHOLDERS["alt"]),
    "extra": Field(flag, "true: shown in the group's 'Add this whenever ...' box, not timed",
                   example="false", scaffold=True),
    "caution": Field(text, "a short warning shown with the stretch (optional)", example="Stop if it hurts."),
    "draft": Field(flag, "true: left out of the published site unless --drafts", example="true", scaffold=True),
}

GROUP: Schema = {
    "id": Field(slug, "the group's folder name and its anchor", required=True),
    "title": Field(text, "heading, e.g. 'If sitting, do these'", required=True),
    "extra_title": Field(text, "heading of the group's extra stretch box"),
    "tip": Field(text, "a short tip shown under the group's heading, e.g. how to get down to the floor "
                 "and up again"),
}

TIER: Schema = {
    "title": Field(text, "the box's heading, e.g. 'Call the emergency number now'", required=True),
    "text": Field(text, "the line before its signs, e.g. 'if you have mid-back pain and any of these:'"),
    "signs": Field(phrases, "the warning signs, one per line starting with '- ', in plain words", required=True),
    "call": Field(text, "the words of its phone link, before the number, e.g. 'Call' (default: 'Call')"),
}
# each tier of urgent care, most urgent first, and the site.yaml number its link calls
TIERS = {"emergency": "emergency_number", "urgent": "urgent_number", "gp": "phone"}

CTA: Schema = {
    "title": Field(text, "heading of the closing call to action", required=True),
    "text": Field(text, "one or two sentences", required=True),
    "label": Field(text, "the link's words", required=True),
    "url": Field(link, "where the link goes", required=True),
}
# a page's own call to action: each field it gives replaces the site's
PAGE_CTA: Schema = {name: dataclasses.replace(spec, required=False) for name, spec in CTA.items()}

PAGE: Schema = {
    "title": Field(text, "the page's title", required=True),
    "description": Field(text, "one or two sentences for search engines and link previews", required=True),
    "groups": Field(None, "the ordered groups of stretches", required=True, items=GROUP),
    "disclaimer": Field(markdown, "Markdown list shown before the routine", required=True),
    "instructions": Field(markdown, "Markdown list: how often and in which order", required=True),
    "get_help": Field(None, "urgent care in three tiers, before the first stretch: emergency (call the "
                      "emergency number now), urgent (get urgent advice today), gp (see a GP or physiotherapist); "
                      "each with its title, text, signs and call", required=True, fields={
                          "emergency": Field(None, "call the emergency number now (site.yaml's emergency_number)",
                                             required=True, fields=TIER),
                          "urgent": Field(None, "get urgent advice today (site.yaml's urgent_number)",
                                          required=True, fields=TIER),
                          "gp": Field(None, "see a GP or physiotherapist (site.yaml's phone: the clinic)",
                                      required=True, fields=TIER)}),
    "reassurance": Field(markdown, "Markdown shown after the introduction, e.g. that most mid-back pain is "
                         "not serious (optional)"),
    "how_it_feels": Field(markdown, "Markdown shown just before the routines: how a stretch should feel "
                          "and when to stop (optional)"),
    "reviewed": Field(date, "date the content was last checked, YYYY-MM-DD", required=True),
    "reviewed_by": Field(text, "who checked it, shown under the title (optional)"),
    "next_review": Field(date, "date it is next due to be checked, YYYY-MM-DD, shown under the title; "
                         "'check' warns once it has passed (optional)"),
    "draft": Field(flag, "true: the whole page is left out of the published site unless --drafts "
                   "(serve shows it, marked Draft)"),
    "cta": Field(None, "this page's own call to action: any of title, text, label and url, each replacing "
                 "the site's", fields=PAGE_CTA),
    "site_title": Field(text, "the site name shown in this page's header, title and link previews "
                        "(default: site.yaml's title)"),
}

# a translation of a page (_page.es.md): the same fields, but its own 'reviewed' is set only once a clinician
# has checked the translation (until then the page says it is not yet reviewed)
TRANSLATED_PAGE: Schema = {**PAGE, "reviewed": Field(date, "date a clinician last checked this translation, "
                                                     "YYYY-MM-DD; until it is set the page says it is not yet "
                                                     "clinically reviewed (optional)")}


SITE: Schema = {
    "title": Field(text, "the site's name", required=True),
    "short_name": Field(short_name, "the name under the icon of the installed app, at most 12 characters "
                        "(default: the title)"),
    "base_url": Field(absolute_url, "absolute URL where dist/ is published", required=True),
    "language": Field(language, "BCP 47 language of the content (default en)"),
    "languages": Field(languages, "the site's languages, the default (language) first, e.g. [en, es]: each "
                       "other one has its own pages under its own folder (es/), from translated files "
                       "(_page.es.md, 01-name.es.md, site.es.yaml)"),
    "home": Field(slug, "slug of the page that is also the site's front page"),
    "cta": Field(None, "the closing call to action", fields=CTA),
    "footer": Field(text, "text at the foot of every page"),
    "emergency_number": Field(phone, "the emergency number the urgent-care box calls, e.g. \"999\""),
    "urgent_number": Field(phone, "the number for urgent advice today, e.g. \"111\""),
    "phone": Field(phone, "the clinic's phone, in the GP-or-physiotherapist box and on the handout"),
    "allow_html": Field(flag, "true: trust raw HTML in Markdown (default false)"),
    "offline": Field(flag, "false: no service worker keeps the site for offline use, and the one an "
                     "earlier build installed removes itself and its files (default true)"),
    "keep_files": Field(names, "files of the output folder that relief did not write and must keep "
                        "(.git and CNAME always are)"),
}

# site.es.yaml: the site's own words in another language (everything else is site.yaml's, the numbers too)
TRANSLATED_SITE: Schema = {name: SITE[name] for name in ("title", "short_name", "cta", "footer")}


def validate(doc: Located, schema: Schema, what: str) -> tuple[dict[str, Any], list[ContentError]]:
    """Check ``doc.data`` against ``schema``; ``what`` names the document in messages."""
    errors: list[ContentError] = []
    values = _mapping(doc, (), doc.data, schema, what, errors)
    return values, errors


def _mapping(doc: Located, key: Key, data: Any, schema: Schema, what: str,
             errors: list[ContentError]) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors.append(doc.error(key, f"{what} must be a mapping of 'key: value' lines"))
        return {}
    values: dict[str, Any] = {}
    for name, value in data.items():
        here = (*key, name)
        spec = schema.get(name) if isinstance(name, str) else None
        if spec is None:
            errors.append(doc.error(here, _unknown(name, schema, what)))
        elif spec.check in AS_WRITTEN and not isinstance(value, str) and doc.raw.get(here):
            try:
                values[name] = spec.check(doc.raw[here])
            except ValueError as exc:
                errors.append(doc.error(here, f"'{name}' {exc}"))
        elif spec.check in TEXTUAL and not isinstance(value, str) and doc.raw.get(here):
            errors.append(doc.error(here, _quote_hint(name, doc.raw[here], value)))
        elif value is None and spec.check is not None:
            if spec.required:
                errors.append(doc.error(here, f"'{name}' is empty; give it a value ({spec.help})"))
        elif spec.fields:
            values[name] = _mapping(doc, here, value, spec.fields, f"'{name}'", errors)
        elif spec.items:
            values[name] = _items(doc, here, value, spec.items, name, errors)
        else:
            try:
                values[name] = spec.check(value) if spec.check else value
            except ValueError as exc:
                errors.append(doc.error(here, f"'{name}' {exc}"))
    misspelt = {_closest(name, schema) for name in data if name not in schema}  # "did you mean" says it
    for name, spec in schema.items():
        if spec.required and name not in data and name not in misspelt:
            errors.append(doc.error(key, f"{what} is missing '{name}': add '{name}:' ({spec.help})"))
    return values


def _items(doc: Located, key: Key, data: Any, schema: Schema, name: str,
           errors: list[ContentError]) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not data:
        errors.append(doc.error(key, f"'{name}' must be a list of entries starting with '- '"))
        return []
    return [_mapping(doc, (*key, i), item, schema, f"entry {i + 1} of '{name}'", errors)
            for i, item in enumerate(data)]


def _quote_hint(name: str, raw: str, value: Any) -> str:
    """A text field given ``yes``, ``no``, ``on``, ``null``, a number or a date: YAML read it as something else."""
    kind = ("true or false" if isinstance(value, bool) else "a date" if isinstance(value, dt.date)
            else "nothing (null)" if value is None else "a number" if isinstance(value, int | float) else "a list")
    return (f"'{name}' is written {shortened(raw)}, which YAML reads as {kind}, not text; "
            f"put it in quotes: {name}: \"{shortened(raw)}\"")


def _closest(name: object, schema: Schema) -> str | None:
    close = difflib.get_close_matches(str(name), schema, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(name: object, schema: Schema, what: str) -> str:
    close = _closest(name, schema)
    hint = f"did you mean '{close}'?" if close else "known keys: " + ", ".join(schema)
    return f"unknown key '{name}' in {what}; {hint}"
