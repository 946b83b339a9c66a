"""Where `compute_analytics` finds a database to aggregate in, and when it must not use one.

A source qualifies when it can hand over a DB-API connection:

* an object with `analytics_connection()` returning `(connection, dialect_name)` or None
  (the hook a shared PostgreSQL store implements; the caller closes the connection), or
* the tracker on its local SQLite file (`db_path`), once every write it holds is committed.
  The file is opened read-only, like `ReadOnlyStore`: analytics never write or lock it.

Anything else (a list of records, a tracker whose writer is behind, a store on a URL
without the hook) takes the record path, which also merges writes still in memory.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from prompt_tracking.analytics import sql
from prompt_tracking.analytics.database import sections_from_database
from prompt_tracking.analytics.db_cache import watched
from prompt_tracking.analytics.groups import NeedsRecords

logger = logging.getLogger(__name__)
READ_WAIT = 0.1  # seconds to wait for the writer before using the record path instead
BUSY_TIMEOUT_MS = 2000


def _sqlite_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _local_path(source: Any) -> Path | None:
    """The committed SQLite file of a tracker, or None when the record path must be used."""
    if getattr(source, "database_url", None):
        return None  # a shared store without the hook: its rows are not in db_path
    path, flush, records = (getattr(source, name, None) for name in ("db_path", "flush", "records"))
    if path is None or not callable(flush) or not callable(records):
        return None
    list(records(limit=0))  # starts the writer (and its journal replay) like any read
    if not flush(READ_WAIT):
        return None  # writes still pending: the record path merges them
    return Path(path) if Path(path).exists() else None


def open_database(source: Any) -> tuple[Any, sql.Dialect] | None:
    """A connection and dialect for `source`, or None when the record path must be used."""
    hook = getattr(source, "analytics_connection", None)
    if callable(hook):
        opened = hook()
        if opened is None:
            return None
        conn, dialect = opened
        return conn, sql.DIALECTS[dialect]
    path = _local_path(source)
    return None if path is None else (_sqlite_connection(path), sql.SQLITE)


def _begin(conn: Any, dialect: sql.Dialect) -> None:
    """Start a read transaction and take its snapshot now (SQLite defers it to the first read)."""
    cursor = conn.cursor()
    if dialect.name == "sqlite":
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM records LIMIT 1").fetchall()
    else:
        cursor.execute("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def _compute(conn: Any, dialect: sql.Dialect, filters: sql.Filters, min_samples: int,
             aggregate_conn: Any = None) -> dict[str, Any]:
    try:
        return sections_from_database(conn, dialect, filters, min_samples=min_samples,
                                      aggregate_conn=aggregate_conn)
    finally:
        for c in (conn, aggregate_conn):
            if c is not None:
                c.cursor().execute("ROLLBACK")


def _hooked_sections(source: Any, filters: sql.Filters,
                     min_samples: int) -> dict[str, Any] | None:
    opened = open_database(source)
    if opened is None:
        return None
    conn, dialect = opened
    try:
        _begin(conn, dialect)
        return _compute(conn, dialect, filters, min_samples)
    finally:
        conn.close()


def _local_sections(path: Path, filters: sql.Filters, min_samples: int) -> dict[str, Any]:
    """Sections of a local SQLite file: from the cache while the file is unchanged, else
    computed on two connections that share one snapshot (aggregates in a thread)."""
    watch = watched(path)
    version = watch.version()
    key = (filters, min_samples)
    cached = watch.cached(version, key)
    if cached is not None:
        return cached
    conn, aux = _sqlite_connection(path), _sqlite_connection(path)
    try:
        _begin(conn, sql.SQLITE)
        _begin(aux, sql.SQLITE)
        if watch.version() != version:  # a commit between the two: not the same snapshot
            aux.execute("ROLLBACK")
            aux.close()
            aux, version = None, None
        sections = _compute(conn, sql.SQLITE, filters, min_samples, aux)
    finally:
        conn.close()
        if aux is not None:
            aux.close()
    if version is not None:
        watch.store(version, key, sections)  # stores a copy: the caller may change these
    return sections


def database_sections(source: Any, filters: sql.Filters, *,
                      min_samples: int) -> dict[str, Any] | None:
    """The analytics sections computed in the database, or None to use the record path."""
    try:
        local = None
        if not callable(getattr(source, "analytics_connection", None)):
            local = _local_path(source)
            if local is None:
                return None
        if local is not None:
            return _local_sections(local, filters, min_samples)
        return _hooked_sections(source, filters, min_samples)
    except NeedsRecords as exc:
        logger.debug("analytics: using records (%s)", exc)
    except Exception:  # e.g. JSON the database cannot parse; the record path decodes it
        logger.debug("analytics: database queries failed, using records", exc_info=True)
    return None
