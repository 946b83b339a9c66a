"""The background writer: takes ops from log calls and commits them to the store in batches.

Log calls never wait for SQLite. They put an op on the queue (after the spool made it
durable) and return; this thread commits batches, retries with backoff when the store is
locked, full or unavailable, and applies the retention cap. Ops stay in memory, visible
to reads through `pending`, until they are committed.
"""
from __future__ import annotations

import collections
import gzip
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from prompt_tracking.records import PromptRecord
from prompt_tracking.privacy.redact import to_json_value
from prompt_tracking._storage.spool import Spool, orphaned_spools, release_orphan
from prompt_tracking._storage.store import SQLiteStore

log = logging.getLogger(__name__)

BATCH_SIZE = 200
BATCH_DELAY = 0.02
RETENTION_CHUNK = 2000
MAX_BACKOFF = 5.0


class Writer:
    """Owns the store's write side: queue, batching, retries, retention and the archive."""

    def __init__(self, store: SQLiteStore, spool: Spool, *, caps: dict[bool, int | None],
                 archive_path: Path | None) -> None:
        self.store = store
        self.spool = spool
        self.caps = caps
        self.archive_path = archive_path
        self.lock = threading.Lock()          # guards queue, pending, seq numbers, spool writes
        self.changed = threading.Condition(self.lock)
        self.queue: collections.deque[tuple[int, dict[str, Any]]] = collections.deque()
        self.pending: dict[str, dict[str, Any]] = {}   # id -> {"record"|"fields"|"metadata", "seq"}
        self.enqueued = 0
        self.committed = 0
        self._stop = False
        self._store_open = False
        self._warned: set[str] = set()
        self._retention_due = True
        self._last_retention = 0.0
        self.retention_runs = 0
        self.first_attempt = threading.Event()   # set once the store was tried at least once
        self.thread = threading.Thread(target=self._run, name="prompt-tracking-writer", daemon=True)

    # -- producer side (any thread) --------------------------------------------------------
    def submit(self, op: dict[str, Any]) -> None:
        """Journal and enqueue one op; never raises on I/O (the op then lives in memory)."""
        with self.lock:
            if self.spool.is_open:
                try:
                    self.spool.append(op)
                except OSError as exc:
                    self.warn_once("spool", "cannot write the spool (%s); keeping records in "
                                   "memory until the store is writable", exc)
            self.enqueued += 1
            self.queue.append((self.enqueued, op))
            self._remember(op, self.enqueued)
            if len(self.queue) == 1:  # the writer only needs waking when work appears
                self.changed.notify_all()

    def _remember(self, op: dict[str, Any], seq: int) -> None:
        if op["op"] == "insert":
            self.pending[op["record"]["id"]] = {"record": op["record"], "seq": seq}
            return
        entry = self.pending.setdefault(op["id"], {"fields": {}, "metadata": {}})
        entry["seq"] = seq
        if "record" in entry:
            entry["record"] = merge_update(entry["record"], op)
        else:
            entry["fields"].update(op.get("fields", {}))
            entry["metadata"].update(op.get("metadata", {}))

    def flush(self, timeout: float | None) -> bool:
        """Wait until everything submitted so far is committed; False on timeout."""
        with self.lock:
            target = self.enqueued
            return self.changed.wait_for(lambda: self.committed >= target, timeout)

    def stop(self, timeout: float) -> bool:
        """Flush for up to `timeout` seconds, stop the thread; True if nothing is left over."""
        flushed = self.flush(timeout) if self.thread.is_alive() else self.committed >= self.enqueued
        with self.lock:
            self._stop = True
            self.changed.notify_all()
        if self.thread.is_alive():
            self.thread.join(timeout=max(1.0, timeout))
        return flushed

    # -- consumer side (the writer thread) -------------------------------------------------
    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self.store.close_writer()  # only this thread uses it, so only this thread closes it

    def _loop(self) -> None:
        backoff = 0.05
        while True:
            with self.lock:
                while not self.queue and not self._stop and not self._retention_due:
                    self.changed.wait(1.0)
                if self._stop and (not self.queue or not self._store_open):
                    return
            if self.queue and len(self.queue) < BATCH_SIZE and not self._stop:
                # Let a burst accumulate: one commit per batch instead of one per record keeps
                # this thread off the GIL that log calls need. The spool already made them durable.
                time.sleep(BATCH_DELAY)
            with self.lock:
                batch = [self.queue[i] for i in range(min(BATCH_SIZE, len(self.queue)))]
            try:
                self._ensure_open()
                if batch:
                    self.store.apply([op for _, op in batch])
                    self._committed(batch)
                if self._retention_due and (time.monotonic() - self._last_retention > 1.0
                                            or self._stop or not self.queue):
                    self._retention_due = False
                    self._last_retention = time.monotonic()
                    self.enforce_retention()
                backoff = 0.05
                self._warned.discard("store")
                self.first_attempt.set()
            except (sqlite3.Error, OSError) as exc:
                self.first_attempt.set()
                self.warn_once("store", "cannot write the store (%s); will retry, records are "
                               "kept meanwhile", exc)
                with self.lock:
                    if self._stop:
                        return
                    self.changed.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception:  # a bug must not kill the thread and silently stop logging
                self._apply_one_by_one(batch)

    def _apply_one_by_one(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        """Isolate an op the store rejects so it cannot take the rest of its batch with it."""
        for _, op in batch:
            try:
                self.store.apply([op])
            except (sqlite3.OperationalError, OSError):
                return  # an operational fault after all: retry the batch on the next pass
            except Exception:
                self._apply_degraded(op)
        self._committed(batch)

    def _apply_degraded(self, op: dict[str, Any]) -> None:
        """Store a record the store rejected with every value made plain JSON text.

        A returned log call is a promise: a value that slipped past cleaning must cost that
        value's fidelity, not the record.
        """
        log.exception("prompt-tracking: the store rejected a change; storing it simplified")
        try:
            self.store.apply([to_json_value(op)])
        except Exception:
            log.exception("prompt-tracking: dropped a change the store rejects: %.200r", op)

    @property
    def store_open(self) -> bool:
        return self._store_open

    def _ensure_open(self) -> None:
        if self._store_open:
            return
        self.store.open()
        self._store_open = True
        if self._warned:
            log.warning("prompt-tracking: the store at %s is writable again", self.store.path)
            self._warned.clear()
        self.replay_orphans()

    def _committed(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        with self.lock:
            for _ in batch:
                self.queue.popleft()
            last = batch[-1][0] if batch else self.committed
            self.committed = max(self.committed, last)
            # Only the batch's ids can have become committed: O(batch), not O(pending),
            # because log calls wait on this lock.
            for _, op in batch:
                record_id = op["record"]["id"] if op["op"] == "insert" else op.get("id")
                entry = self.pending.get(record_id)
                if entry is not None and entry["seq"] <= self.committed:
                    del self.pending[record_id]
            if any(op["op"] == "insert" for _, op in batch):
                self._retention_due = True
            if not self.queue and self.spool.is_open:
                try:
                    self.spool.truncate()
                except OSError:
                    pass
            self.changed.notify_all()

    def replay_orphans(self) -> int:
        """Commit what dead processes journaled but did not commit; returns ops replayed."""
        replayed = 0
        own = self.spool.path if self.spool.is_open else None
        for path, ops, fd in orphaned_spools(self.spool.directory, own):
            try:
                for start in range(0, len(ops), BATCH_SIZE):
                    self.store.apply(ops[start:start + BATCH_SIZE])
            except Exception:
                os.close(fd)
                raise
            release_orphan(path, fd)
            replayed += len(ops)
        if replayed:
            log.info("prompt-tracking: recovered %d journaled changes", replayed)
            self._retention_due = True
        return replayed

    def schedule_retention(self, caps: dict[bool, int | None] | None = None, *,
                           now: bool = False) -> int:
        """Have the writer thread apply the caps (new ones if given) on its next pass.

        Retention runs only on the writer thread: its connection is not shared.

        Returns:
            The number of the retention run that will include this request.
        """
        with self.lock:
            if caps is not None:
                self.caps.update(caps)
            self._retention_due = True
            if now:
                self._last_retention = 0.0
            self.changed.notify_all()
            return self.retention_runs + 1

    def request_retention(self, timeout: float | None) -> bool:
        """Apply the caps now and wait for it; False on timeout."""
        target = self.schedule_retention(now=True)
        with self.lock:
            return self.changed.wait_for(lambda: self.retention_runs >= target, timeout)

    def enforce_retention(self) -> int:
        """Evict over-cap records, archiving them first, in chunks so memory stays bounded.

        Runs on the writer thread; returns how many records were evicted.
        """
        evicted = 0
        with self.lock:  # a change still queued for a record (a fresh rating) protects it
            protected = frozenset(self.pending)
        for success, cap in list(self.caps.items()):
            while cap is not None:
                victims = self.store.over_cap(success, cap, limit=RETENTION_CHUNK,
                                              exclude=protected)
                if not victims:
                    break
                if self.archive_path is not None:
                    append_archive(self.archive_path, victims)
                self.store.delete([r.id for r in victims])
                evicted += len(victims)
        with self.lock:
            self.retention_runs += 1
            self.changed.notify_all()
        return evicted

    def warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("prompt-tracking: " + message, *args)


def merge_update(record: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """A record dict with an update op applied (metadata keys set to None are removed)."""
    merged = {**record, **op.get("fields", {})}
    metadata = {**record.get("metadata", {}), **op.get("metadata", {})}
    merged["metadata"] = {k: v for k, v in metadata.items() if v is not None}
    return merged


def append_archive(path: Path, records: list[PromptRecord]) -> None:
    """Append records to the gzip JSON Lines archive (each call adds a gzip member)."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    # Level 6: most of level 9's size at a fraction of its time on large evictions.
    with os.fdopen(fd, "ab") as raw, gzip.GzipFile(fileobj=raw, mode="ab", compresslevel=6) as handle:
        for record in records:
            handle.write(json.dumps(record.to_dict(), ensure_ascii=False).encode() + b"\n")
    if new:
        os.chmod(path, 0o600)


def read_archive(path: Path) -> list[dict[str, Any]]:
    """Every record dict in the archive (duplicates from an interrupted eviction removed)."""
    if not path.exists():
        return []
    seen: dict[str, dict[str, Any]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            seen[record["id"]] = record
    return list(seen.values())

