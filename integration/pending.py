"""Started generations waiting for their outcome, and which outcome belongs to which start.

Each start captures its prompt, parameters and model when it runs. An outcome is matched
to the start in progress on the reporting thread (a host that reports inside its start
method), else to the start that created the reporting thread, else to the oldest start
still waiting (first in, first out: all a Tk-thread `after()` report allows). Safe from
any thread.
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Any


def _live_thread_ids() -> set[int]:
    return {t.ident for t in threading.enumerate() if t.ident is not None}


@dataclasses.dataclass(eq=False)
class Generation:
    """One started generation: what was sent, captured when it started."""

    prompt: str
    parameters: dict[str, Any] | None
    model: str
    started: float  # time.monotonic()
    thread_ids: set[int] = dataclasses.field(default_factory=set)  # threads its start created
    threads_before: set[int] = dataclasses.field(default_factory=set, repr=False)


class PendingGenerations:
    """The waiting list; `begin`/`end_start` bracket the host's start method."""

    def __init__(self) -> None:
        self._items: list[Generation] = []
        self._lock = threading.Lock()
        self._local = threading.local()  # .active: starts running on this thread

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def begin(self, generation: Generation) -> None:
        """The host's start method is about to run for `generation`."""
        generation.threads_before = _live_thread_ids()
        with self._lock:
            self._items.append(generation)
        self._active().append(generation)

    def end_start(self, generation: Generation, *, keep: bool) -> bool:
        """The start method returned (`keep`) or raised / started nothing (not `keep`).

        Returns:
            Whether the generation was still waiting (no outcome reported inside the start).
        """
        active = self._active()
        if generation in active:
            active.remove(generation)
        with self._lock:
            waiting = generation in self._items
            if keep:
                generation.thread_ids = _live_thread_ids() - generation.threads_before
            else:
                self._items = [g for g in self._items if g is not generation]
        return waiting

    def match(self, thread_id: int) -> Generation | None:
        """The start an outcome reported on `thread_id` belongs to, taken off the list."""
        active = list(self._active())
        with self._lock:
            chosen = next((g for g in reversed(active) if g in self._items), None)
            if chosen is None:
                chosen = next((g for g in self._items if thread_id in g.thread_ids), None)
            if chosen is None and self._items:
                chosen = self._items[0]
            if chosen is not None:
                self._items = [g for g in self._items if g is not chosen]
            return chosen

    def expire(self, now: float, timeout: float) -> list[Generation]:
        """Take off and return the generations started `timeout` seconds or more before `now`."""
        with self._lock:
            stale = [g for g in self._items if now - g.started >= timeout]
            self._items = [g for g in self._items if g not in stale]
        return stale

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def _active(self) -> list[Generation]:
        active = getattr(self._local, "active", None)
        if active is None:
            active = self._local.active = []
        return active
