"""The writer's retention side: the caps, eviction in chunks, and the archive of evictions.

Runs on the writer thread only (its connection is not shared); other threads ask for a
pass with `schedule_retention`/`request_retention`.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prompt_tracking._storage.archive import append_archive, append_archive_edits

if TYPE_CHECKING:
    from prompt_tracking._storage.store import SQLiteStore

RETENTION_CHUNK = 2000


class RetentionMixin:
    """Retention for `Writer`; expects the writer's lock, condition and store."""

    store: SQLiteStore
    caps: dict[bool, int | None]
    archive_path: Path | None
    retention_runs: int
    _retention_running: bool
    _lock: threading.Lock
    _changed: threading.Condition
    _retention_due: bool
    _last_retention: float
    _stop: bool
    _queue: Any

    if TYPE_CHECKING:  # provided by Writer; declared only for the checker
        def warn_once(self, key: str, message: str, *args: Any) -> None: ...

        def pending_ids(self) -> frozenset[str]: ...

    def _archive_late_edits(self, ops: list[dict[str, Any]]) -> None:
        """An edit of a record another process evicted meanwhile goes to the archive, where
        `read_archive` applies it: the user's newest rating must not lose to the archived one."""
        if ops and self.archive_path is not None and self.archive_path.exists():
            try:
                append_archive_edits(self.archive_path, ops)
            except OSError as exc:
                self.warn_once("archive", "cannot write the archive (%s)", exc)

    def _maybe_retain(self) -> None:
        if self._retention_due and (time.monotonic() - self._last_retention > 1.0
                                    or self._stop or not self._queue):
            self._retention_due = False
            self._last_retention = time.monotonic()
            self.enforce_retention()

    def schedule_retention(self, caps: dict[bool, int | None] | None = None, *,
                           now: bool = False) -> int:
        """Have the writer thread apply the caps (new ones if given) on its next pass.

        Retention runs only on the writer thread: its connection is not shared.

        Returns:
            The number of the retention run that will include this request.
        """
        with self._lock:
            if caps is not None:
                self.caps.update(caps)
            self._retention_due = True
            if now:
                self._last_retention = 0.0
            self._changed.notify_all()
            # A run in progress read the caps before this request: only the one after it counts.
            return self.retention_runs + (2 if self._retention_running else 1)

    def request_retention(self, timeout: float | None) -> bool:
        """Apply the caps now and wait for it; False on timeout."""
        target = self.schedule_retention(now=True)
        with self._lock:
            return self._changed.wait_for(lambda: self.retention_runs >= target, timeout)

    def enforce_retention(self) -> int:
        """Evict over-cap records, archiving them first, in chunks so memory stays bounded.

        Runs on the writer thread; returns how many records were evicted.
        """
        evicted = 0
        with self._lock:
            self._retention_running = True
            caps = list(self.caps.items())
        try:
            protected = self.pending_ids()  # a change still queued for a record protects it
            for success, cap in caps:
                while cap is not None:
                    victims = self.store.over_cap(success, cap, limit=RETENTION_CHUNK,
                                                  exclude=protected)
                    if not victims:
                        break
                    if self.archive_path is not None:
                        append_archive(self.archive_path, victims)
                    self.store.delete([r.id for r in victims])
                    evicted += len(victims)
        except BaseException:
            with self._lock:
                self._retention_running = False  # a failed run completes no request
            raise
        with self._lock:
            self.retention_runs += 1
            self._retention_running = False
            self._changed.notify_all()
        return evicted
