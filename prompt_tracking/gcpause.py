"""Pausing Python's cycle collector while a bulk job builds many objects.

Reading 100,000 records creates half a million containers that reference counting frees on
its own; the cycle collector would rescan them over and over, and every full collection stops
all threads, the host's Tk thread included (half-second freezes of the host's UI). Pauses
nest across threads: the collector comes back when the last pause ends, and only if it was on
before the first, so a host that turned it off keeps it off.
"""
from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Disable the cycle collector for the duration of the block (nestable, thread-safe)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
