"""Started generations and which outcome belongs to which start.

Each start captures its prompt, parameters and model when it runs. An outcome is matched
to the start in progress on the reporting thread (a host that reports inside its start
method), else to the start that created the reporting thread, else to the oldest start
still waiting for its first outcome (first in, first out: all a Tk-thread `after()`
report allows), else to the most recent start that already reported: one click may
submit several jobs, so a start keeps receiving outcomes until the next start on the
same layout (or its timeout). Safe from any thread.
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
    outcomes: int = 0  # outcomes matched to it so far
    boxes: list[tuple[str, str]] = dataclasses.field(default_factory=list, repr=False)


class PendingGenerations:
    """The waiting list; `begin`/`end_start` bracket the host's start method."""

    def __init__(self) -> None:
        self._items: list[Generation] = []  # waiting or still reporting, oldest first
        self._lock = threading.Lock()
        self._local = threading.local()  # .active: starts running on this thread
        self.last: Generation | None = None  # the most recent start, for unmatched outcomes

    def __len__(self) -> int:
        """How many starts are still waiting for their first outcome."""
        with self._lock:
            return sum(1 for g in self._items if g.outcomes == 0)

    def begin(self, generation: Generation) -> None:
        """The host's start method is about to run for `generation`.

        Starts that already reported stop receiving outcomes: a new start supersedes them.
        """
        generation.threads_before = _live_thread_ids()
        with self._lock:
            self._items = [g for g in self._items if g.outcomes == 0]
            self._items.append(generation)
            self.last = generation
        self._active().append(generation)

    def end_start(self, generation: Generation, *, keep: bool, forget: bool = True) -> bool:
        """The start method returned (`keep`) or raised / started nothing (not `keep`).

        A start dropped with `forget` False stays the most recent start whose inputs an
        outcome with no start reuses (work handed off in a way we could not see).

        Returns:
            Whether the generation was still waiting (no outcome reported inside the start).
        """
        active = self._active()
        if generation in active:
            active.remove(generation)
        with self._lock:
            waiting = generation in self._items and generation.outcomes == 0
            if keep:
                generation.thread_ids = _live_thread_ids() - generation.threads_before
            else:
                self._items = [g for g in self._items if g is not generation]
                if forget and self.last is generation and generation.outcomes == 0:
                    self.last = None
        return waiting

    def in_progress(self) -> Generation | None:
        """The start running on the calling thread right now, if any."""
        active = self._active()
        return active[-1] if active else None

    def match(self, thread_id: int, *, waiting_only: bool = False) -> Generation | None:
        """The start an outcome reported on `thread_id` belongs to (counted as reported).

        Args:
            thread_id: the reporting thread.
            waiting_only: only a start with no outcome yet may match (message boxes: an
                unrelated box after the run is not a second outcome).
        """
        active = list(self._active())
        with self._lock:
            candidates = [g for g in self._items if not waiting_only or g.outcomes == 0]
            chosen = next((g for g in reversed(active) if g in candidates), None)
            if chosen is None:
                chosen = next((g for g in candidates if thread_id in g.thread_ids), None)
            if chosen is None:
                chosen = next((g for g in candidates if g.outcomes == 0), None)
            if chosen is None and candidates:
                chosen = candidates[-1]
            if chosen is not None:
                chosen.outcomes += 1
            return chosen

    def expire(self, now: float, timeout: float) -> list[Generation]:
        """Take off the starts `timeout` seconds old; return those that never reported."""
        with self._lock:
            old = [g for g in self._items if now - g.started >= timeout]
            self._items = [g for g in self._items if g not in old]
        return [g for g in old if g.outcomes == 0]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.last = None

    def _active(self) -> list[Generation]:
        active = getattr(self._local, "active", None)
        if active is None:
            active = self._local.active = []
        return active
