"""The background writer: takes ops from log calls and commits them to the store in batches.

Log calls never wait for SQLite. They journal an op to the spool and put it on a bounded
in-memory queue; this thread commits batches, retries with backoff when the store is
locked, full or unavailable, and applies the retention cap. When the queue is full, new ops
live only in the journal and the writer replays the journal once it catches up. Queued
ops stay visible to reads through `pending_entry`/`pending_snapshot` until committed.
"""
from __future__ import annotations

import collections
import itertools
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from prompt_tracking.records import PromptRecord
from prompt_tracking.privacy.redact import to_json_value
from prompt_tracking._storage import paths
from prompt_tracking._storage.archive import append_archive, read_archive
from prompt_tracking._storage.journal import JournalMixin
from prompt_tracking._storage.merge import merge_update
from prompt_tracking._storage.retention import RetentionMixin
from prompt_tracking._storage.spool import Spool
from prompt_tracking._storage.store import SQLiteStore

__all__ = ["Writer", "append_archive", "merge_update", "open_writer", "read_archive"]

log = logging.getLogger(__name__)

BATCH_SIZE = 200
BATCH_DELAY = 0.02
MAX_BACKOFF = 5.0
MAX_QUEUE = 10_000  # ops held in memory; beyond that they wait in the journal only
_T = TypeVar("_T")


class _GilYield:
    """Called between the rows of a batch: every few rows, sleep briefly.

    A thread waiting for the GIL gets it only after the interpreter's 5 ms switch interval,
    or when the holder blocks; a log call arriving while this thread builds rows would
    otherwise wait up to 5 ms. A real (if tiny) sleep hands the GIL over for sure.
    """

    EVERY = 2

    def __init__(self) -> None:
        self._count = 0

    def __call__(self) -> None:
        self._count += 1
        if self._count % self.EVERY == 0:
            time.sleep(0.0001)


class Writer(JournalMixin, RetentionMixin):
    """Owns the store's write side: queue, batching, retries, retention and the archive."""

    def __init__(self, store: SQLiteStore, spool: Spool, *, caps: dict[bool, int | None],
                 archive_path: Path | None, max_queue: int | None = None) -> None:
        self.store = store
        self.spool = spool
        self.caps = caps
        self.archive_path = archive_path
        self.max_queue = MAX_QUEUE if max_queue is None else max_queue
        self._lock = threading.Lock()       # guards queue, pending, seq numbers, spool writes
        self._changed = threading.Condition(self._lock)
        # (seq, op, journaled): an op not journaled is written to the spool once it opens
        self._queue: collections.deque[tuple[int, dict[str, Any], bool]] = collections.deque()
        self._pending: dict[str, dict[str, Any]] = {}  # id -> {"record"|"fields"|"metadata", "seq"}
        self._enqueued = 0
        self._committed_seq = 0
        self._overflow_seq = 0   # the last op kept only in the journal (0: none)
        self._truncate_due = False  # all journaled ops committed; cut after a checkpoint
        self._stop = False
        self._store_open = False
        self._warned: set[str] = set()
        self._retention_due = True
        self._last_retention = 0.0
        self.retention_runs = 0
        self._retention_running = False  # a run took its caps already: a request needs the next
        self._pause = _GilYield()
        self._first_attempt = threading.Event()   # set once the store was tried at least once
        self._thread = threading.Thread(target=self._run, name="prompt-tracking-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    # -- producer side (any thread) --------------------------------------------------------
    def submit(self, op: dict[str, Any]) -> None:
        """Journal and enqueue one op; never blocks on the store, never raises on I/O."""
        with self._lock:
            journaled = self._journal(op)
            self._enqueued += 1
            if journaled and len(self._queue) >= self.max_queue:
                self._overflow_seq = self._enqueued
                self.warn_once("queue", "more than %d changes are waiting for the store; the "
                               "newest wait in the journal only until it catches up", self.max_queue)
            else:
                self._queue.append((self._enqueued, op, journaled))
                self._remember(op, self._enqueued)
            if len(self._queue) <= 1:  # the writer only needs waking when work appears
                self._changed.notify_all()

    def _remember(self, op: dict[str, Any], seq: int) -> None:
        if op["op"] == "insert":
            self._pending[op["record"]["id"]] = {"record": op["record"], "seq": seq}
            return
        entry = self._pending.setdefault(op["id"], {"fields": {}, "metadata": {}})
        entry["seq"] = seq
        if "record" in entry:
            entry["record"] = merge_update(entry["record"], op)
        else:
            entry["fields"].update(op.get("fields", {}))
            entry["metadata"].update(op.get("metadata", {}))

    def pending_entry(self, record_id: str) -> dict[str, Any] | None:
        """A copy of the uncommitted change for one record, or None."""
        with self._lock:
            entry = self._pending.get(record_id)
            return dict(entry) if entry else None

    def pending_snapshot(self) -> dict[str, dict[str, Any]]:
        """A copy of every uncommitted change, by record id."""
        with self._lock:
            return {k: dict(v) for k, v in self._pending.items()}

    def pending_ids(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._pending)

    def all_committed(self) -> bool:
        with self._lock:
            return self._committed_seq >= self._enqueued

    def flush(self, timeout: float | None) -> bool:
        """Wait until everything submitted so far is committed; False on timeout."""
        with self._lock:
            target = self._enqueued
            # The first attempt includes replaying dead processes' journals: "flushed" means
            # those records are readable too.
            return self._changed.wait_for(
                lambda: self._committed_seq >= target and self._first_attempt.is_set(), timeout)

    def wait_ready(self, timeout: float) -> bool:
        """Wait (up to `timeout`) for the first attempt to open the store; True if it is open."""
        self._first_attempt.wait(timeout)
        return self._store_open

    def read(self, fn: Callable[[SQLiteStore], _T], default: _T) -> _T:
        """`fn(store)`, or `default` (with one warning) when the store cannot be read."""
        try:
            if not self.wait_ready(2.0):
                return default
            return fn(self.store)
        except Exception as exc:
            self.warn_once("read", "cannot read the store (%s)", exc)
            return default

    def import_records(self, records: Iterable[PromptRecord]) -> int:
        """Bulk-insert records after the queue; returns how many were new.

        Raises:
            sqlite3.Error, OSError: the store cannot be opened or written.
        """
        self.flush(5.0)
        if not self.wait_ready(5.0):
            raise sqlite3.OperationalError(f"cannot open the store at {self.store.path}")
        inserted = self.store.insert_many(records)
        self.schedule_retention()
        return inserted

    def stop(self, timeout: float) -> bool:
        """Flush for up to `timeout` seconds, stop the thread; True if nothing is left over.

        A store that could not be opened (server down, file locked or unwritable) is not
        waited for: every record is in the journal already and is delivered at the next
        start, so the host's exit is not held up by an outage.
        """
        unreachable = self._first_attempt.is_set() and not self._store_open
        flushed = (self.flush(timeout) if self._thread.is_alive() and not unreachable
                   else self.all_committed())
        with self._lock:
            self._stop = True
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=max(1.0, timeout))
        return flushed

    def close(self, timeout: float) -> None:
        """Stop, then release the journal (removed if all of it was committed) and the store."""
        flushed = self.stop(timeout)
        self.spool.close(remove=flushed and self.all_committed())
        self.store.close()

    # -- consumer side (the writer thread) -------------------------------------------------
    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self.store.close_writer()  # only this thread uses it, so only this thread closes it

    def _loop(self) -> None:
        backoff = 0.05
        while True:
            with self._lock:
                while not self._queue and not self._overflow_seq and not self._stop \
                        and not self._retention_due:
                    self._changed.wait(1.0)
                if self._stop and (not self._queue or not self._store_open):
                    return
            if self._queue and len(self._queue) < BATCH_SIZE and not self._stop:
                # Let a burst accumulate: one commit per batch instead of one per record keeps
                # this thread off the GIL that log calls need. The spool already made them durable.
                time.sleep(BATCH_DELAY)
            self._check_journal()
            with self._lock:
                batch = list(itertools.islice(self._queue, BATCH_SIZE))
            try:
                self._ensure_open()
                if self._overflow_seq:
                    self._drain_journal()
                elif batch:
                    missing = self.store.apply([op for _, op, _ in batch], pause=self._pause)
                    self._archive_late_edits(missing)
                    self._check_store_linked()
                    self._committed(batch)
                self._maybe_retain()
                self._truncate_after_checkpoint()
                backoff = 0.05
                self._warned.discard("store")
                self._attempted()
            except (sqlite3.Error, OSError) as exc:
                self._attempted()
                self.warn_once("store", "cannot write the store (%s); will retry, records are "
                               "kept meanwhile", exc)
                with self._lock:
                    if self._stop:
                        return
                    self._changed.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception:  # a bug must not kill the thread and silently stop logging
                self._apply_one_by_one(batch)

    def _attempted(self) -> None:
        if not self._first_attempt.is_set():
            with self._lock:
                self._first_attempt.set()
                self._changed.notify_all()

    def _apply_one_by_one(self, batch: list[tuple[int, dict[str, Any], bool]]) -> None:
        """Isolate an op the store rejects so it cannot take the rest of its batch with it."""
        for _, op, _ in batch:
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

    def _ensure_open(self) -> None:
        if self._store_open:
            return
        paths.ensure_private_dir(self.spool.directory.parent)  # the data dir may have been deleted
        self.store.open()
        try:
            self.replay_orphans()  # before reads see the store as open: they include these
        except BaseException:
            self.store.close_writer()
            raise
        self._store_open = True
        if self._warned & {"store", "removed"}:
            log.warning("prompt-tracking: the store at %s is writable again", self.store.path)
            self._warned -= {"store", "removed"}

    def _check_store_linked(self) -> None:
        """Commits to a database file someone deleted are on no disk: start a new file."""
        if self.store.is_linked():
            return
        self.warn_once("removed", "the store %s was deleted while in use; recreating it and "
                       "writing the records not yet stored again", self.store.path)
        self.store.close_writer()
        self._store_open = False
        raise OSError(f"{self.store.path} was deleted")

    def _committed(self, batch: list[tuple[int, dict[str, Any], bool]], *,
                   upto: int | None = None) -> None:
        with self._lock:
            last = batch[-1][0] if batch else self._committed_seq
            if upto is not None:  # a journal replay: it covered every journaled op <= upto
                kept = [item for item in self._queue if item[0] > upto or not item[2]]
                done = [item for item in self._queue if item[0] <= upto and item[2]]
                self._queue = collections.deque(kept)
                batch, last = done, upto
                if self._overflow_seq <= upto:
                    self._overflow_seq = 0
            else:
                for _ in batch:
                    self._queue.popleft()
            self._committed_seq = max(self._committed_seq, min(last, self._first_queued() - 1))
            # Only the batch's ids can have become committed: O(batch), not O(pending),
            # because log calls wait on this lock.
            for _, op, _ in batch:
                record_id = op["record"]["id"] if op["op"] == "insert" else op.get("id")
                entry = self._pending.get(record_id) if isinstance(record_id, str) else None
                if entry is not None and isinstance(record_id, str) \
                        and entry["seq"] <= self._committed_seq:
                    del self._pending[record_id]
            if any(op["op"] == "insert" for _, op, _ in batch):
                self._retention_due = True
            if not self._queue and not self._overflow_seq:
                self._truncate_due = True  # once a checkpoint has the commits: see below
            self._changed.notify_all()

    def _truncate_after_checkpoint(self) -> None:
        """Cut the journal only once its commits are in the main database file.

        Until a checkpoint copies them there, committed records live only in the `-wal` file,
        which a backup or sync tool may delete after a crash; the journal still holds them
        and the next start replays them (inserts of known ids are ignored).
        """
        with self._lock:
            if not self._truncate_due:
                return
            seen = self._enqueued
        if not self.store.checkpoint():
            return  # a reader holds an old snapshot: retried after the next commit
        with self._lock:
            if self._truncate_due and self._enqueued == seen and not self._queue \
                    and not self._overflow_seq and self.spool.is_open:
                try:
                    self.spool.truncate()
                except OSError:
                    pass
                self._truncate_due = False

    def _first_queued(self) -> int:
        """Seq of the oldest op still waiting (in memory or only in the journal)."""
        waiting = [self._queue[0][0]] if self._queue else []
        if self._overflow_seq:
            waiting.append(self._overflow_seq)
        return min(waiting) if waiting else self._enqueued + 1

    def warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("prompt-tracking: " + message, *args)


def open_writer(directory: Path, session_id: str, *, caps: dict[bool, int | None],
                archive: bool, store: Any = None) -> Writer:
    """A started writer for the store in `directory`, with a fresh journal of its own.

    `store`: the store to commit to (the shared PostgreSQL one); None: the SQLite file in
    `directory`. A tracker reopened after close() must not share the journal file an old
    writer may still truncate or remove. An unwritable dir is only warned about: the writer keeps records in
    memory and retries opening the journal and the store.
    """
    spool = Spool(directory / paths.SPOOL_DIR, f"{session_id}-{uuid.uuid4().hex[:8]}")
    try:
        paths.ensure_private_dir(directory)
        spool.open()
    except OSError as exc:
        log.warning("prompt-tracking: data dir %s is not writable (%s); records are kept in "
                    "memory and retried", directory, exc)
    if store is None:
        store = SQLiteStore(directory / paths.DB_NAME)
    writer = Writer(store, spool, caps=caps,
                    archive_path=directory / paths.ARCHIVE_NAME if archive else None)
    writer.start()
    return writer
