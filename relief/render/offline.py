"""What makes the bundle work offline and install like an app: the precache list, its version, the
web app manifest and the service worker.

Pure, like the rest of ``render``. The precache list is made from the build's own files (path ->
bytes): every page, stylesheet, script and picture and the 404 page, each with the hash of its
bytes; host files (``_headers``, ``robots.txt``, ...) and what only other sites read (the Open
Graph picture) are left out. The version is a hash of that list, so the worker (``sw.js``, from
``templates/sw.js``) changes byte for byte exactly when a file it keeps changes, and the browser
installs the new one on the next online visit. Every URL here is relative to the bundle's root,
where ``sw.js`` and the manifest live, so the bundle works under any sub-path.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Site

WORKER = "sw.js"
MANIFEST = "manifest.webmanifest"
NOT_PRECACHED = frozenset({"_headers", ".nojekyll", "robots.txt", "sitemap.xml", WORKER})
# The browser's bar (the pages' <meta name="theme-color"> too) and the installed app's splash screen
# (style.css's --bg), light and dark. A manifest's own colours are the light ones; the dark ones go
# in "user_preferences" (the manifest incubation Chromium reads; other browsers ignore it).
THEME_COLORS = {"light": "#f7f5f0", "dark": "#14161a"}
BACKGROUND_COLORS = {"light": "#f0f4f5", "dark": "#111417"}
ICONS = (  # logical asset name, size, purpose
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def precache(files: dict[str, bytes | Written], skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(URL relative to the bundle root, the Subresource Integrity hash of its bytes) of every file the
    worker keeps, sorted. The worker fetches each file with its hash, so a host that serves other bytes
    (a deploy half done) fails the install, which the browser tries again on a later visit: the cache
    never holds files of two builds.

    A page is kept under the URL it is visited at (``slug/``, ``./``), not its ``index.html``."""
    left_out = NOT_PRECACHED | set(skip)
    entries = []
    for path in sorted(files):
        if path in left_out:
            continue
        url = path.removesuffix("index.html") if path == "index.html" or path.endswith("/index.html") else path
        data = files[path]
        entries.append((url or "./", data.integrity if isinstance(data, Written) else integrity(data)))
    return sorted(entries)


@dataclass(frozen=True, slots=True)
class Written:
    """A page a render worker wrote into the new bundle itself (``relief.publish.Staging.put``): its size and
    hash, all the build needs of it (``precache``, the report's size), so the build never holds every page."""

    size: int
    integrity: str

    def __len__(self) -> int:
        return self.size


def integrity(data: bytes) -> str:
    """The Subresource Integrity hash of ``data``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def version(entries: list[tuple[str, str]]) -> str:
    """A short hash of the precache list: it changes when any kept file, or the list, changes."""
    text = "".join(f"{url}\t{digest}\n" for url, digest in entries)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def web_manifest(site: Site, icons: dict[str, str], description: str | None) -> bytes:
    """The web app manifest; ``icons`` maps a logical icon name to its bundle path (those present)."""
    data: dict[str, object] = {
        "id": "./",
        "name": site.title,
        "short_name": site.short_name,
        "lang": site.language,
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "theme_color": THEME_COLORS["light"],
        "background_color": BACKGROUND_COLORS["light"],
        "user_preferences": {"color_scheme_dark": {"theme_color": THEME_COLORS["dark"],
                                                   "background_color": BACKGROUND_COLORS["dark"]}},
        "icons": [{"src": icons[logical], "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for logical, sizes, purpose in ICONS if logical in icons],
    }
    if description:
        data["description"] = description
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
