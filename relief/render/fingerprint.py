"""Asset bytes in, fingerprinted bundle files out: ``css/style.css`` -> ``assets/css/style.3f9a1c2e.css``.

Every asset gets a content hash in its name so hosts can cache it for a year; ``AssetMap``
maps the name a template asks for to the hashed one. References inside CSS (``url(...)``)
are rewritten to the hashed names.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass

ASSET_PREFIX = "assets/"
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


@dataclass(frozen=True)
class AssetMap:
    """Logical asset name (``css/style.css``) -> file in the bundle and its bytes."""

    files: dict[str, tuple[str, bytes]]

    def path(self, logical: str) -> str:
        """Bundle path of an asset, e.g. ``assets/css/style.3f9a1c2e.css``."""
        try:
            return self.files[logical][0]
        except KeyError:
            raise KeyError(f"no asset named '{logical}' in assets/") from None


def fingerprint(logical: str, data: bytes) -> str:
    stem, dot, suffix = logical.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{ASSET_PREFIX}{stem}.{digest}.{suffix}" if dot else f"{ASSET_PREFIX}{logical}.{digest}"


def fingerprint_all(sources: dict[str, bytes]) -> AssetMap:
    """Fingerprint ``sources`` (logical name -> bytes); CSS last, with its links rewritten."""
    files: dict[str, tuple[str, bytes]] = {}
    for logical in sorted(sources, key=lambda name: (name.endswith(".css"), name)):
        data = sources[logical]
        if logical.endswith(".css"):
            data = _rewrite_css(logical, data.decode("utf-8"), files)
        files[logical] = (fingerprint(logical, data), data)
    return AssetMap(files)


def _rewrite_css(logical: str, css: str, files: dict[str, tuple[str, bytes]]) -> bytes:
    here = posixpath.dirname(logical)
    own_dir = posixpath.dirname(fingerprint(logical, b""))

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"[a-z]+:|/|#", target):
            return match.group(0)
        name = posixpath.normpath(posixpath.join(here, target))
        if name not in files:
            return match.group(0)
        return f"url({posixpath.relpath(files[name][0], own_dir)})"

    return CSS_URL.sub(swap, css).encode("utf-8")
