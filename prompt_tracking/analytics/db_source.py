"""Where `compute_analytics` finds a database to aggregate in, and when it must not use one.

A source qualifies when it can hand over DB-API connections:

* an object with `analytics_connection()` returning `(connection, dialect_name)` or None
  (the caller closes the connection), or a tracker on a shared store whose store has that
  hook (`PostgresStore`), once every write the tracker holds is on the server;
* the tracker on its local SQLite file (`db_path`), once every write it holds is committed.
  The file is opened read-only, like `ReadOnlyStore`: analytics never write or lock it.

Anything else (a list of records, a tracker whose writer is behind, a store on a URL
without the hook) takes the record path, which also merges writes still in memory.

Two connections share one snapshot (PostgreSQL: an exported snapshot; SQLite: no commit
between the two starts, see `db_cache`), so the aggregate queries run in a thread while
the calling thread streams rows. A local file's result is cached until the file changes.
"""
from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path
from typing import Any, Callable

from prompt_tracking.analytics import sql
from prompt_tracking.analytics.chunked import WeeksUnavailable, chunked_fold
from prompt_tracking.analytics.database import sections_from_database, sections_from_fold
from prompt_tracking.analytics.fold_cache import FoldCache, cache_for
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


def _shared_hook(source: Any) -> Callable[[], Any] | None:
    """The `analytics_connection` of a tracker's shared store, once its writes are there."""
    started, flush, records = (getattr(source, name, None)
                               for name in ("_started", "flush", "records"))
    if not (callable(started) and callable(flush) and callable(records)):
        return None
    list(records(limit=0))
    if not flush(READ_WAIT):
        return None  # edits still in the journal (or the server is down): the record path
    read = getattr(started(), "read", None)  # the writer: reads its store, None if unusable
    if not callable(read):
        return None
    hook = read(lambda store: getattr(store, "analytics_connection", None), None)
    return hook if callable(hook) else None


def _hook(source: Any) -> Callable[[], Any] | None:
    hook = getattr(source, "analytics_connection", None)
    if callable(hook):
        return hook
    return _shared_hook(source) if getattr(source, "database_url", None) else None


def open_database(source: Any) -> tuple[Any, sql.Dialect] | None:
    """A connection and dialect for `source`, or None when the record path must be used."""
    hook = _hook(source)
    if hook is not None:
        opened = hook()
        if opened is None:
            return None
        conn, dialect = opened
        return conn, sql.DIALECTS[dialect]
    path = _local_path(source)
    return None if path is None else (_sqlite_connection(path), sql.SQLITE)


_PG_BEGIN = "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f-]+$")


def _begin(conn: Any, dialect: sql.Dialect) -> None:
    """Start a read transaction and take its snapshot now (SQLite defers it to the first read)."""
    cursor = conn.cursor()
    if dialect.name == "sqlite":
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM records LIMIT 1").fetchall()
    else:
        cursor.execute(_PG_BEGIN)
        cursor.execute("SELECT 1").fetchall()


def _share_snapshot(conn: Any, aux: Any) -> bool:
    """Put `aux` on the snapshot of `conn` (PostgreSQL); False when the server will not."""
    try:
        snapshot = conn.cursor().execute("SELECT pg_export_snapshot()").fetchone()[0]
        if not _SNAPSHOT_ID.match(str(snapshot)):
            return False
        cursor = aux.cursor()
        cursor.execute(_PG_BEGIN)
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # no bind parameters here
        return True
    except Exception:
        logger.debug("analytics: no shared snapshot, one connection", exc_info=True)
        return False


Weeks = tuple[FoldCache, str]  # where week folds are kept, and the scope of this store


def _scope(store: str, filters: sql.Filters) -> str:
    """The cache scope: the store and the filters a week's fold depends on (not the times:
    a week cut by them is never kept)."""
    return json.dumps({"store": store, "models": filters.models, "outcome": filters.outcome})


def _has_weeks(conn: Any, dialect: sql.Dialect) -> bool:
    if dialect.name != "sqlite":
        return True  # the shared store's schema always has them (pg_schema step 3)
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                             "name = 'analytics_chunks'").fetchall())


def _compute(conn: Any, dialect: sql.Dialect, filters: sql.Filters, min_samples: int,
             aggregate_conn: Any = None, weeks: Weeks | None = None) -> dict[str, Any]:
    try:
        if weeks is not None and _has_weeks(conn, dialect):
            try:
                fold = chunked_fold(conn, dialect, filters, *weeks,
                                    aggregate_conn=aggregate_conn)
                return sections_from_fold(fold, min_samples=min_samples)
            except WeeksUnavailable as exc:
                logger.debug("analytics: computing in one pass (%s)", exc)
        return sections_from_database(conn, dialect, filters, min_samples=min_samples,
                                      aggregate_conn=aggregate_conn)
    finally:
        for c in (conn, aggregate_conn):
            if c is not None:
                c.cursor().execute("ROLLBACK")


def _hooked_sections(hook: Callable[[], Any], filters: sql.Filters, min_samples: int,
                     weeks: Weeks | None = None) -> dict[str, Any] | None:
    """Sections on the hook's database, with a second connection on the same snapshot."""
    opened = hook()
    if opened is None:
        return None
    conn, name = opened
    dialect, aux = sql.DIALECTS[name], None
    try:
        _begin(conn, dialect)
        if dialect.name == "postgresql":
            try:
                aux = hook()[0]
            except Exception:
                logger.debug("analytics: no second connection", exc_info=True)
            if aux is not None and not _share_snapshot(conn, aux):
                aux.close()
                aux = None
        return _compute(conn, dialect, filters, min_samples, aux, weeks)
    finally:
        conn.close()
        if aux is not None:
            aux.close()


def _local_sections(path: Path, filters: sql.Filters, min_samples: int) -> dict[str, Any]:
    """Sections of a local SQLite file: from the cache while the file is unchanged, else
    computed on two connections that share one snapshot (aggregates in a thread)."""
    watch = watched(path)
    version = watch.version()
    key = (filters, min_samples)
    cached = watch.cached(version, key)
    if cached is not None:
        return cached
    conn = _sqlite_connection(path)
    aux: sqlite3.Connection | None = None
    try:
        _begin(conn, sql.SQLITE)
        aux = _sqlite_connection(path)
        _begin(aux, sql.SQLITE)
        unchanged = watch.version() == version
        if not unchanged:  # a commit between the two starts: not the same snapshot
            aux.execute("ROLLBACK")
            aux.close()
            aux = None
        weeks = (cache_for(path.parent), _scope("", filters))
        sections = _compute(conn, sql.SQLITE, filters, min_samples, aux, weeks)
    finally:
        conn.close()
        if aux is not None:
            aux.close()
    if unchanged:
        watch.store(version, key, sections)  # stores a copy: the caller may change these
    return sections


def _shared_weeks(source: Any, filters: sql.Filters) -> Weeks | None:
    """Week folds of a shared store, kept in the workstation's data dir (None: no dir)."""
    url, directory = getattr(source, "database_url", None), getattr(source, "data_dir", None)
    if not url or directory is None:
        return None
    return cache_for(Path(directory)), _scope(str(url), filters)  # the URL has no password


def database_sections(source: Any, filters: sql.Filters, *,
                      min_samples: int) -> dict[str, Any] | None:
    """The analytics sections computed in the database, or None to use the record path."""
    try:
        if callable(getattr(source, "analytics_connection", None)) or getattr(
                source, "database_url", None):
            hook = _hook(source)
            if hook is None:
                return None
            return _hooked_sections(hook, filters, min_samples, _shared_weeks(source, filters))
        local = _local_path(source)
        return None if local is None else _local_sections(local, filters, min_samples)
    except NeedsRecords as exc:
        logger.debug("analytics: using records (%s)", exc)
    except Exception:  # e.g. JSON the database cannot parse; the record path decodes it
        logger.debug("analytics: database queries failed, using records", exc_info=True)
    return None
