"""Freeing 100,000 records a chunk at a time, on a daemon thread, never in one go.

When the last reference to a list of 100,000 records goes, CPython frees them all in one C-level
cascade that holds the GIL for 120-300 ms, on whatever thread dropped it: the host's Tk
thread stalls for that long. Cleared from Python a chunk at a time, the GIL changes hands
between chunks. Only lists nobody uses any more may be handed over: they are emptied in place.
Small loads are left to reference counting as before.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)
CHUNK = 1000
LARGE_LOAD = 10_000  # records; stores under this (the default cap is 4,000) are not touched


def free_in_chunks(lists: Iterable[list]) -> None:
    """Empty each list in place, `CHUNK` items at a time (on the calling thread)."""
    for items in lists:
        while items:
            del items[-CHUNK:]
            time.sleep(0)  # let the Tk thread take the GIL between chunks


def free_later(lists: Iterable[list | None], *, then: Callable[[], None] | None = None) -> None:
    """Empty the large `lists` in place on a daemon thread, then call `then` on that thread.

    Lists holding fewer than `LARGE_LOAD` items in all are left alone (freed as before, when
    their last reference goes) and `then` runs at once.
    """
    unique = list({id(items): items for items in lists if items}.values())
    if sum(len(items) for items in unique) < LARGE_LOAD:
        _run_then(then)
        return

    def work() -> None:
        try:
            free_in_chunks(unique)
        except Exception:
            log.exception("analytics: freeing records failed")
        finally:
            unique.clear()
            _run_then(then)
    threading.Thread(target=work, name="analytics-free", daemon=True).start()


def _run_then(then: Callable[[], None] | None) -> None:
    if then is None:
        return
    try:
        then()
    except Exception:
        log.exception("analytics: after freeing records")
