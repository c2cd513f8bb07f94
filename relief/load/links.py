"""The one rule for every URL that comes from content: ``site.yaml``, front matter and Markdown.

A URL is judged as a browser will read it (the WHATWG URL parser): character references
decoded, leading and trailing C0 controls and spaces stripped, tab, CR and LF removed
anywhere. Only ``http``, ``https``, ``mailto`` and ``tel`` and relative references are
allowed, so ``java&#9;script:`` or ``java\\tscript:`` are what they are: ``javascript:``.
The schema's ``link`` check, the Markdown sanitiser and ``check`` all ask ``scheme_problem``.
"""

from __future__ import annotations

import html
import re

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_STRIPPED = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_REMOVED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def normalised(url: str) -> str:
    """``url`` as a browser reads it before looking at its scheme."""
    return _REMOVED.sub("", _STRIPPED.sub("", html.unescape(url)))


def scheme_of(url: str) -> str | None:
    """The scheme of ``url`` as a browser reads it, lower case; None for a relative reference."""
    found = _SCHEME.match(normalised(url))
    return found.group(1).lower() if found else None


def scheme_problem(url: str) -> str | None:
    """Why ``url`` must not be a live link (its scheme could run code or load a document); None if fine."""
    scheme = scheme_of(url)
    if scheme is None or scheme in SAFE_SCHEMES:
        return None
    return f"'{scheme}:' links are not allowed (only https:, http:, mailto:, tel: and relative links)"
