"""Work shared out over worker processes that leave Ctrl-C to their parent and die with it.

Two stages use it: ``relief.load.batch`` parses content files on a pool, and ``relief.render``
renders pages on one. A pool is worth it only for many files, and only where starting a
worker is quick: forked (Linux, in a process running no other thread, as ``serve`` does)
a worker starts at once and shares the parent's memory; spawned (a new interpreter) it
takes about a quarter second and must be sent everything.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

_PR_SET_PDEATHSIG = 1  # prctl(2)
T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start_method() -> str:
    """fork is quick, but unsafe in a process already running other threads (as serve may)."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def shared_map(function: Callable[..., T], chunks: list[Any], workers: int, method: str,
               *extra: list[Any], meanwhile: Callable[[], None] | None = None) -> Iterator[T]:
    """``function(chunk, *extra items)`` of every chunk on ``workers`` processes, in order, as each is done.

    With fork, the workers see this process's objects as they are when the first chunk goes
    out (``relief.render`` relies on that); their collector is kept off those objects so that
    it does not copy every page of memory it looks at. ``meanwhile`` runs here once every chunk
    has gone out, while the workers work, before the first result is taken.
    """
    import multiprocessing  # here, not at the top: most builds need no pool and skip its imports
    from concurrent.futures import ProcessPoolExecutor

    gc.freeze()
    others = set(threading.enumerate())
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=_worker_start, initargs=(os.getpid(),))
    try:
        results = pool.map(function, chunks, *extra)  # every chunk goes out now: the workers start
        if meanwhile is not None:
            meanwhile()
        yield from results
    except BaseException:  # Ctrl-C, a crash: no worker goes on for a build that is over
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():
            child.terminate()
        _let_go(set(threading.enumerate()) - others)
        raise
    finally:
        gc.unfreeze()
    pool.shutdown()


def _let_go(threads: set[threading.Thread]) -> None:
    """Keep to themselves what a stopped pool's own threads trip over: with its workers stopped under them, Python
    3.11's pool thread may fail a chunk that was cancelled and print a traceback after the build's one line.
    (Waiting for the thread instead can hang on a worker stopped halfway through sending its result.)"""
    previous = threading.excepthook

    def quiet(args: threading.ExceptHookArgs) -> None:
        if args.thread not in threads:
            previous(args)

    threading.excepthook = quiet


def chunked(items: list[T], workers: int, per_worker: int = 4, taper: int = 4) -> list[list[T]]:
    """``items`` in a few chunks per worker, so that one slow chunk does not leave a core idle at the end; the
    last ``workers`` chunks' worth in chunks ``taper`` times smaller, so that the workers end together."""
    size = max(1, -(-len(items) // (workers * per_worker)))
    tail = max(0, -(-len(items) // size) - workers) * size  # where the smaller chunks start
    small = max(1, -(-size // taper))
    return ([items[start:start + size] for start in range(0, tail, size)]
            + [items[start:start + small] for start in range(tail, len(items), small)])


def in_order(chunks: Iterable[tuple[int, list[T]]], pids: set[int]) -> Iterator[T]:
    """The items of ``(worker pid, items)`` chunks, the pids noted in ``pids``."""
    for pid, items in chunks:
        pids.add(pid)
        yield from items


def _worker_start(parent: int) -> None:
    """A worker leaves Ctrl-C to its parent and dies with it, however it ends (even by SIGKILL)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
