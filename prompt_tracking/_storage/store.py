"""All SQL lives here: the SQLite schema, its upgrades, writes in batches, reads by query.

`SQLiteStore` is deliberately small (open, apply, get, query, stats, evict, close) so a
different database could back the tracker later. Records travel as `PromptRecord`s; the
JSON columns hold parameters, tags and metadata.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from prompt_tracking._storage.chunks import SQLITE_STEP
from prompt_tracking._storage.paths import file_identity, touch_private_file
from prompt_tracking.query import RecordQuery
from prompt_tracking.records import PromptRecord, with_derived_metadata
from prompt_tracking._storage.clock import NO_STAMP, wins
from prompt_tracking._storage.readonly import ReadOnlyStore, backup_database
from prompt_tracking._storage.rows import (COLUMNS, keyset_pages, INSERT, INSERT_UNLESS_EVICTED, JSON_COLUMNS,
                                           UPDATABLE, dict_to_row, json_object, row_to_record)
from prompt_tracking._storage.summary import summarize

__all__ = ["ReadOnlyStore", "SQLiteStore", "backup_database", "dict_to_row", "row_to_record",
           "summarize"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 200
PAGE_SIZE = 2000
TOMBSTONE_SECONDS = 90 * 86400  # journals older than this are not expected to be replayed

# Each step upgrades from the version before it; index 0 creates version 1. A step is a
# script of plain statements, or a list when statements hold ";" (trigger bodies).
_MIGRATIONS: list[str | list[str]] = [
    """
    CREATE TABLE IF NOT EXISTS records (
        id TEXT PRIMARY KEY,
        timestamp REAL NOT NULL,
        prompt TEXT NOT NULL,
        ai_model TEXT NOT NULL,
        success INTEGER NOT NULL,
        result_url TEXT,
        save_method TEXT,
        model_parameters TEXT NOT NULL DEFAULT '{}',
        error_message TEXT,
        failure_reason TEXT,
        quality_rating INTEGER,
        feedback TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        metadata TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX IF NOT EXISTS records_time ON records (timestamp);
    CREATE INDEX IF NOT EXISTS records_model_time ON records (ai_model, timestamp);
    CREATE INDEX IF NOT EXISTS records_outcome_time ON records (success, timestamp);
    """,
    # Per-field edit stamps (see clock.py): {"quality_rating": stamp, "metadata.rated_at": ...}
    "ALTER TABLE records ADD COLUMN clocks TEXT NOT NULL DEFAULT '{}'",
    # Ids evicted by retention: replaying an old journal must not bring a record back
    # (its older copy would then be archived again over the newer one).
    "CREATE TABLE IF NOT EXISTS evicted (id TEXT PRIMARY KEY, at REAL NOT NULL)",
    # Per-week versions, so analytics recompute only the weeks that changed (chunks.py).
    SQLITE_STEP,
]


def _statements(step: str | list[str]) -> list[str]:
    if isinstance(step, list):
        return step
    return [s for s in step.split(";") if s.strip()]


class SQLiteStore:
    """One SQLite file in WAL mode. Writes go through one connection; reads use one per thread."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._writer: sqlite3.Connection | None = None
        self._closed = False
        self._identity: tuple[int, int] | None = None
        self._generation = 0  # bumped on each open: readers of a replaced file reconnect

    # -- connections ---------------------------------------------------------------------
    def open(self) -> None:
        """Open (creating or upgrading) the database; move a corrupt file aside first.

        Raises:
            sqlite3.Error: the file cannot be opened (read-only dir, locked, disk full).
        """
        if not self.path.exists():
            touch_private_file(self.path)
        try:
            self._writer = self._connect()
            self._upgrade(self._writer)
            self._opened()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not _is_corruption(exc):
                raise
            self._close_writer()
            moved = self._move_aside()
            log.warning("prompt-tracking: %s is not a usable SQLite database (%s); "
                        "moved it to %s and started a new store", self.path, exc, moved)
            touch_private_file(self.path)
            self._writer = self._connect()
            self._upgrade(self._writer)
            self._opened()

    def _opened(self) -> None:
        status = os.stat(self.path)
        self._identity = (status.st_dev, status.st_ino)
        self._generation += 1

    def is_linked(self) -> bool:
        """False when the database file was deleted or replaced since it was opened."""
        return file_identity(self.path) == self._identity

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000,
                               isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        # WAL must be switched outside a transaction; NORMAL is durable across app crashes
        # in WAL mode (only an OS crash can lose the last commits, and the spool covers those).
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _reader(self) -> sqlite3.Connection:
        """This thread's read connection; each thread has its own and closes only its own."""
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "generation", None) != self._generation:
            self._local.conn = None  # the file was recreated: this one reads a deleted file
            try:
                conn.close()
            except sqlite3.Error:
                pass
            conn = None
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.generation = self._generation
        return conn

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            log.warning("prompt-tracking: store %s has newer schema %d (this version knows %d)",
                        self.path, version, SCHEMA_VERSION)
            return
        while version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Read again under the write lock: another process may have just upgraded.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version < SCHEMA_VERSION:
                    for statement in _statements(_MIGRATIONS[version]):
                        conn.execute(statement)
                    version += 1
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                os.replace(source, Path(str(target) + suffix))
        return target

    def checkpoint(self) -> bool:
        """Copy committed pages from the WAL into the database file, without waiting.

        Returns:
            True when everything committed is now in the main file (or there is no WAL).
        """
        if self._writer is None:
            return False
        busy, wal_pages, copied = self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return busy == 0 and wal_pages == copied

    def _close_writer(self) -> None:
        if self._writer is not None:
            try:
                # Leave nothing only in the -wal file when the app stops (readers of other
                # threads may keep SQLite from doing this itself on close).
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass
            try:
                self._writer.close()
            except sqlite3.Error:
                pass
            self._writer = None

    def close_writer(self) -> None:
        """Close the write connection; called by the writer thread as it ends."""
        self._close_writer()

    def close(self) -> None:
        """Stop serving reads and close this thread's read connection.

        Other threads' connections are left to those threads (closed when their thread-local
        goes): closing a connection another thread is reading through crashes SQLite.
        """
        self._closed = True
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            try:
                conn.close()
            except sqlite3.Error:
                pass

    # -- writes ----------------------------------------------------------------------------
    def apply(self, ops: list[dict[str, Any]], *,
              pause: Callable[[], None] | None = None) -> list[dict[str, Any]]:
        """Apply insert/update ops in one transaction; inserts of known ids are ignored.

        An op is `{"op": "insert", "record": {...}}` or
        `{"op": "update", "id": ..., "ts": stamp, "fields": {...}, "metadata": {...}}`.
        Rows are built before the write lock is taken; `pause()` runs between them (the
        writer thread passes one that lets log calls have the GIL).

        Returns:
            The update ops whose record is not in the store (e.g. evicted meanwhile).
        """
        conn = self._writer
        if conn is None:
            raise sqlite3.OperationalError("store is not open")
        prepared: list[Any] = []
        for op in ops:
            if op["op"] == "insert":
                row = dict_to_row(with_derived_metadata(op["record"]))
                prepared.append((*row, row[0]))
            elif op["op"] == "update":
                prepared.append(op)
            else:
                raise ValueError(f"unknown op {op['op']!r}")
            if pause is not None:
                pause()
        missing: list[dict[str, Any]] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            inserts: list[tuple] = []
            for item in prepared:
                if isinstance(item, tuple):
                    inserts.append(item)
                    continue
                if inserts:  # an update may be for a record inserted just before it
                    conn.executemany(INSERT_UNLESS_EVICTED, inserts)
                    inserts = []
                if not self._update(conn, item):
                    missing.append(item)
            conn.executemany(INSERT_UNLESS_EVICTED, inserts)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return missing

    def insert_many(self, records: Iterable[PromptRecord]) -> int:
        """Insert records in one transaction, ignoring known ids; returns how many were new."""
        conn = self._reader()
        conn.execute("BEGIN IMMEDIATE")
        try:
            # rowcount, not total_changes: that also counts the chunk triggers' writes
            inserted = max(conn.executemany(
                INSERT, (dict_to_row(r.to_dict()) for r in records)).rowcount, 0)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return inserted

    @staticmethod
    def _update(conn: sqlite3.Connection, op: dict[str, Any]) -> bool:
        """Apply the fields of an update op that are newer than what the record holds.

        Each field (and metadata key) keeps the stamp of its last write; an op's value wins
        when its stamp is at least that one, so the outcome never depends on apply order.
        """
        record_id, stamp = op["id"], op.get("ts") or NO_STAMP
        fields, metadata = op.get("fields") or {}, op.get("metadata") or {}
        row = conn.execute("SELECT clocks FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            return False
        clocks = json_object(row[0])
        fields = {k: v for k, v in fields.items() if wins(stamp, clocks.get(k))}
        metadata = {k: v for k, v in metadata.items() if wins(stamp, clocks.get(f"metadata.{k}"))}
        assignments, params = [], []
        for column, value in fields.items():
            if column not in UPDATABLE:
                raise ValueError(f"column {column!r} cannot be updated")
            if column in JSON_COLUMNS:
                value = json.dumps(value, ensure_ascii=False)
            assignments.append(f"{column} = ?")
            params.append(value)
        if metadata:
            # json_patch merges keys and deletes those set to null, in one statement.
            assignments.append("metadata = json_patch(metadata, ?)")
            params.append(json.dumps(metadata, ensure_ascii=False))
        if assignments and stamp:
            clocks.update(dict.fromkeys(fields, stamp))
            clocks.update(dict.fromkeys((f"metadata.{k}" for k in metadata), stamp))
            assignments.append("clocks = ?")
            params.append(json.dumps(clocks, separators=(",", ":")))
        if assignments:
            conn.execute(f"UPDATE records SET {', '.join(assignments)} WHERE id = ?",
                         [*params, record_id])
        return True

    # -- reads -----------------------------------------------------------------------------
    def get(self, record_id: str) -> PromptRecord | None:
        row = self._reader().execute(
            f"SELECT {','.join(COLUMNS)} FROM records WHERE id = ?", (record_id,)).fetchone()
        return row_to_record(row) if row else None

    def query(self, query: RecordQuery, *, newest_first: bool = True,
              limit: int | None = None) -> Iterator[PromptRecord]:
        """Records matching `query`, paged by (timestamp, id) so no read transaction stays open."""
        where, params = query.to_sql()
        rows = keyset_pages(lambda sql, p: self._reader().execute(sql, p).fetchall(),
                            f"SELECT {','.join(COLUMNS)} FROM records", where, params,
                            placeholder="?", newest_first=newest_first, limit=limit,
                            page_size=PAGE_SIZE)
        return (row_to_record(row) for row in rows)

    def count(self, query: RecordQuery | None = None) -> int:
        where, params = (query or RecordQuery()).to_sql()
        return self._reader().execute(f"SELECT COUNT(*) FROM records WHERE {where}",
                                      params).fetchone()[0]

    def stats(self, query: RecordQuery | None = None) -> dict[str, Any]:
        """Counts by outcome, model and failure reason, with success rate and average rating."""
        where, params = (query or RecordQuery()).to_sql()
        conn = self._reader()
        rows = conn.execute(
            "SELECT ai_model, COUNT(*), SUM(success), COUNT(quality_rating), AVG(quality_rating) "
            f"FROM records WHERE {where} GROUP BY ai_model ORDER BY COUNT(*) DESC", params).fetchall()
        reasons = conn.execute(
            f"SELECT failure_reason, COUNT(*) FROM records WHERE ({where}) AND success = 0 "
            "GROUP BY failure_reason ORDER BY COUNT(*) DESC", params).fetchall()
        return summarize(rows, reasons)

    # -- retention -------------------------------------------------------------------------
    def over_cap(self, success: bool, cap: int, *, limit: int | None = None,
                 exclude: frozenset[str] = frozenset()) -> list[PromptRecord]:
        """The records to evict so that at most `cap` of this outcome remain, least valuable first.

        Unrated and unsaved records go first, oldest first; rated or kept ones only after.
        At most `limit` are returned (call again for the rest); ids in `exclude` are spared
        (they may leave the store a little over the cap until the next pass).
        """
        conn = self._reader()
        total = conn.execute("SELECT COUNT(*) FROM records WHERE success = ?",
                             (int(success),)).fetchone()[0]
        excess = total - cap if limit is None else min(total - cap, limit)
        if excess <= 0:
            return []
        rows = conn.execute(
            f"SELECT {','.join(COLUMNS)} FROM records WHERE success = ? "
            "ORDER BY (quality_rating IS NOT NULL OR save_method = 'user_save'), timestamp, id "
            "LIMIT ?", (int(success), excess + len(exclude))).fetchall()
        return [row_to_record(r) for r in rows if r[0] not in exclude][:excess]

    def delete(self, ids: list[str]) -> None:
        """Evict records: delete them and remember their ids (see `evicted` in the schema)."""
        conn = self._writer or self._reader()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(ids), 500):  # stay under SQLite's parameter limit
                chunk = ids[start:start + 500]
                conn.execute(f"DELETE FROM records WHERE id IN ({','.join('?' * len(chunk))})",
                             chunk)
            now = time.time()
            conn.executemany("INSERT OR REPLACE INTO evicted (id, at) VALUES (?, ?)",
                             ((i, now) for i in ids))
            conn.execute("DELETE FROM evicted WHERE at < ?", (now - TOMBSTONE_SECONDS,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "file is encrypted" in text
