"""Pausing Python's cycle collector while a bulk job builds many objects.

Reading 100,000 records creates half a million containers that reference counting frees on
its own; the cycle collector would rescan them over and over, and every full collection stops
all threads, the host's Tk thread included (half-second freezes of the host's UI). Pauses
nest across threads: the collector comes back when the last pause ends, and only if it was on
before the first, so a host that turned it off keeps it off.

A pause alone is not enough: when the collector resumes, its next young-generation pass scans
every object built meanwhile (160 ms for 100,000 records). `hold_frozen` moves them to the
permanent generation first (`gc.freeze()`), where they are never scanned; the plugin lives in
the host's process, so every hold is released (`gc.unfreeze()`) when its owner is done.
"""
from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False
_frozen_by: set[object] = set()
_unfreeze_at_last_release = False


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


def hold_frozen(owner: object) -> None:
    """Freeze every object the collector tracks now (`gc.freeze()`), on behalf of `owner`.

    Call it while the collector is paused, right after a bulk job built its objects: they go
    to the permanent generation, so no later collection scans them. Objects frozen earlier
    stay frozen; holding again for the same owner only freezes the newer objects too. The
    freeze lasts until every owner called `release_frozen` (thread-safe).

    Trade-off: while frozen, cyclic garbage among the objects alive at freeze time (the
    host's included) is not collected; reference counting still frees everything else. So a
    hold must not outlive its job: the analytics window releases its hold when it closes.

    Args:
        owner: Who holds the freeze (compared by identity or equality, kept until released).
    """
    global _unfreeze_at_last_release
    with _lock:
        if not _frozen_by:
            # A host that froze objects itself keeps them frozen: we cannot tell theirs from
            # ours, so we only unfreeze what was empty before our first hold.
            _unfreeze_at_last_release = gc.get_freeze_count() == 0
        _frozen_by.add(owner)
        gc.freeze()


def release_frozen(owner: object) -> None:
    """End `owner`'s hold; the last hold to end unfreezes (`gc.unfreeze()`). No-op if not held.

    Best called after the owner's objects are gone, so the collector is not handed them back.
    """
    with _lock:
        if owner not in _frozen_by:
            return
        _frozen_by.discard(owner)
        if not _frozen_by and _unfreeze_at_last_release:
            gc.unfreeze()
