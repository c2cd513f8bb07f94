"""What earlier builds made, kept for the next: ``Memo`` in memory (one process, ``serve``)
and ``Store`` on disk (``.relief-cache/``, from one run to the next).

Rule: a cached result is found under a key that hashes every input that shapes it, so it
is never stale; nothing here decides what a result means, only where it is kept.
"""

from .memo import Key, Memo
from .store import FOLDER, Store, signature

__all__ = ["FOLDER", "Key", "Memo", "Store", "signature"]
