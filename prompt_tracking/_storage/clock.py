"""Edit stamps: a hybrid logical clock that orders every change op by when it was made.

Every update op carries `"ts"`, a stamp from `CLOCK.now()`. The store keeps, per record, the
stamp of the last write to each field, and applies a field from an op only when the op's
stamp is at least the stored one ("last edit wins"). The rule depends only on the stamps,
so replaying journals in any order, or two processes committing in either order, ends in
the same state; a shared store across machines can apply the same rule per field.

A stamp is text, `f"{wall_ms:012x}{counter:04x}-{node}"`: plain string comparison is
chronological (wall-clock milliseconds, then a counter for edits in the same millisecond or
while the wall clock went backwards), and the node id (random per process) breaks ties
between processes, so two different edits never compare equal.
"""
from __future__ import annotations

import threading
import time
import uuid

NO_STAMP = ""  # ops and fields written before stamps existed: older than any stamp
_COUNTER_LIMIT = 0xFFFF


def format_stamp(wall_ms: int, counter: int, node: str) -> str:
    """The text form of a stamp; fixed width, so string order is time order."""
    return f"{wall_ms:012x}{counter:04x}-{node}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    """(wall_ms, counter, node) of a stamp.

    Raises:
        ValueError: `stamp` is not a stamp.
    """
    head, _, node = stamp.partition("-")
    if len(head) != 16 or not node:
        raise ValueError(f"stamp must look like 0123456789ab0000-node, got {stamp!r}")
    return int(head[:12], 16), int(head[12:], 16), node


class HybridClock:
    """Monotonic stamps from the wall clock, a counter and a node id; safe from any thread."""

    def __init__(self, node: str | None = None) -> None:
        self.node = node or uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._wall_ms = 0
        self._counter = 0

    def now(self) -> str:
        """A stamp later than every stamp this clock made or observed."""
        wall_ms = time.time_ns() // 1_000_000
        with self._lock:
            if wall_ms > self._wall_ms:
                self._wall_ms, self._counter = wall_ms, 0
            elif self._counter < _COUNTER_LIMIT:
                self._counter += 1
            else:  # 65k edits in one millisecond: borrow the next millisecond
                self._wall_ms, self._counter = self._wall_ms + 1, 0
            return format_stamp(self._wall_ms, self._counter, self.node)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from elsewhere (a replayed journal, another machine)."""
        try:
            wall_ms, counter, _ = parse_stamp(stamp)
        except ValueError:
            return
        with self._lock:
            if (wall_ms, counter) > (self._wall_ms, self._counter):
                self._wall_ms, self._counter = wall_ms, counter


# One clock per process: every tracker in it stamps from the same sequence.
CLOCK = HybridClock()


def wins(op_stamp: str, stored_stamp: str | None) -> bool:
    """True when a write stamped `op_stamp` replaces a field last written at `stored_stamp`.

    Equal stamps win, so re-applying the same op is harmless and unstamped (legacy) writes
    keep the old "last applied wins" behaviour among themselves.
    """
    return op_stamp >= (stored_stamp or NO_STAMP)
