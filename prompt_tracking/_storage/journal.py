"""The writer's journal side: writing ops to the spool, reopening it, replaying journals.

Kept apart from the queue and batching in `writer.py`. Every journaled op can be applied
again harmlessly (inserts of known ids are ignored; updates carry edit stamps and the store
keeps the latest per field), which is what lets a replay cover ops that were also queued.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

from prompt_tracking._storage import paths
from prompt_tracking._storage.clock import CLOCK
from prompt_tracking._storage.spool import (decode_lines, encode_op, orphaned_spools, quarantine,
                                            release_orphan)

if TYPE_CHECKING:
    import collections

    from prompt_tracking._storage.spool import Spool
    from prompt_tracking._storage.store import SQLiteStore

log = logging.getLogger(__name__)

REPLAY_BATCH = 200


class JournalMixin:
    """Spool handling for `Writer`; expects the writer's lock, queue and counters."""

    spool: Spool
    store: SQLiteStore
    _lock: threading.Lock
    _queue: collections.deque[tuple[int, dict[str, Any], bool]]
    _enqueued: int
    _retention_due: bool

    if TYPE_CHECKING:  # provided by Writer and RetentionMixin; declared only for the checker
        def warn_once(self, key: str, message: str, *args: Any) -> None: ...

        def _archive_late_edits(self, ops: list[dict[str, Any]]) -> None: ...

        def _committed(self, batch: list[tuple[int, dict[str, Any], bool]], *,
                       upto: int | None = None) -> None: ...

    def _journal(self, op: dict[str, Any]) -> bool:
        """Append one op to the spool (caller holds the lock); False if it is only in memory."""
        if not self.spool.is_open:
            return False
        try:
            self.spool.append(op)
            return True
        except OSError as exc:
            self.warn_once("spool", "cannot write the journal (%s); keeping records in memory "
                           "until it is writable", exc)
            return False

    def _check_journal(self) -> None:
        """Open a journal that could not be opened yet, recreate a deleted one; never raises.

        Ops that lived only in memory meanwhile are journaled then, so a crash after this
        point loses none of them.
        """
        with self._lock:
            try:
                if self.spool.is_open and not self.spool.is_linked():
                    self.warn_once("removed", "the data dir %s was deleted while in use; "
                                   "recreating it and journaling again", self.spool.directory.parent)
                    paths.ensure_private_dir(self.spool.directory.parent)
                    self.spool.recreate()
                elif not self.spool.is_open:
                    paths.ensure_private_dir(self.spool.directory.parent)
                    self.spool.open()
                    log.warning("prompt-tracking: the journal %s is writable now", self.spool.path)
            except OSError:
                return  # still not writable: tried again on the writer's next pass
            self._rejournal_memory_only()

    def _rejournal_memory_only(self) -> None:
        unjournaled = [item for item in self._queue if not item[2]]
        if not unjournaled:
            return
        try:
            self.spool.append_bytes(b"".join(encode_op(op) for _, op, _ in unjournaled))
        except OSError:
            return
        seqs = {seq for seq, _, _ in unjournaled}
        for index, (seq, op, journaled) in enumerate(self._queue):
            if seq in seqs:
                self._queue[index] = (seq, op, True)

    def _drain_journal(self) -> None:
        """Apply our whole journal: ops that overflowed the in-memory queue are only there."""
        with self._lock:
            upto, size = self._enqueued, self.spool.size
            data = self.spool.read(size)
        ops, _ = decode_lines(data)
        rejected = self._apply_tolerant(ops)
        if rejected:
            self._quarantine(rejected, [])
        self._committed([], upto=upto)

    def _apply_tolerant(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply ops in batches, one by one where a batch fails; returns the ops rejected.

        Raises:
            sqlite3.OperationalError, OSError: the store is unavailable (retry later).
        """
        rejected = []
        for start in range(0, len(ops), REPLAY_BATCH):
            chunk = ops[start:start + REPLAY_BATCH]
            try:
                self._archive_late_edits(self.store.apply(chunk))
                continue
            except (sqlite3.OperationalError, OSError):
                raise
            except Exception:
                pass
            for op in chunk:
                try:
                    self._archive_late_edits(self.store.apply([op]))
                except (sqlite3.OperationalError, OSError):
                    raise
                except Exception:
                    rejected.append(op)
        return rejected

    def _quarantine(self, ops: list[dict[str, Any]], lines: list[bytes]) -> None:
        unusable = lines + [encode_op(op) for op in ops]
        try:
            path = quarantine(self.spool.directory, unusable)
        except OSError:
            log.exception("prompt-tracking: could not quarantine %d journal lines", len(unusable))
            return
        log.warning("prompt-tracking: %d journaled changes could not be applied; kept them in %s",
                    len(unusable), path)

    def replay_orphans(self) -> int:
        """Commit what dead processes journaled but did not commit; returns ops replayed.

        All orphans are applied together, inserts first: an update in one journal may belong
        to a record inserted in another, and the edit stamps order the updates.
        """
        own = self.spool.path if self.spool.is_open else None
        orphans = list(orphaned_spools(self.spool.directory, own))
        ops: list[dict[str, Any]] = []
        unreadable: list[bytes] = []
        for _, data, _ in orphans:
            good, bad = decode_lines(data)
            ops += good
            unreadable += bad
        ops.sort(key=lambda op: op.get("op") != "insert")
        try:
            rejected = self._apply_tolerant(ops)
        except BaseException:
            for _, _, fd in orphans:
                release_orphan_fd(fd)
            raise
        if rejected or unreadable:
            self._quarantine(rejected, unreadable)
        for path, _, fd in orphans:
            release_orphan(path, fd)
        for op in ops:
            if isinstance(op.get("ts"), str):
                CLOCK.observe(op["ts"])
        if ops:
            log.info("prompt-tracking: recovered %d journaled changes", len(ops) - len(rejected))
            self._retention_due = True
        return len(ops) - len(rejected)


def release_orphan_fd(fd: int) -> None:
    """Give an orphan's lock back without removing it (it is replayed again later)."""
    try:
        os.close(fd)
    except OSError:
        pass
