"""Stage 1, load: the project's files in, a validated ``Site`` (and the bytes it needs) out.

The only stage that reads the project. Where a check lives:

- a check on one value lives in ``schema`` (each field's check) and a check on one file
  in ``parse`` (a pure function of the file's bytes, so its result can be cached);
- a check across files or on disk (folders, ids, pictures, links out of the project)
  lives in ``tree`` (with ``pictures``);
- a check of the built HTML lives in ``relief.commands.check``, not here.

``frontmatter`` splits a file and parses YAML with positions, ``markdown`` renders the
bodies, ``batch`` parses many files (caches, worker processes), ``assets`` reads
``assets/``, ``templates/`` and pictures,
``catalogs`` the interface's words per language (``locales/``).
"""

from typing import Any

from .assets import load_assets, load_templates
from .batch import Batch
from .tree import load_site, read_base_url

__all__ = ["Batch", "load_assets", "load_catalogs", "load_site", "load_templates", "read_base_url"]


def __getattr__(name: str) -> Any:
    """``load_catalogs``, imported when first asked for: Babel's catalog modules are loaded by a build while its
    workers parse, not before they start."""
    if name == "load_catalogs":
        from .catalogs import load_catalogs

        return load_catalogs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
