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
from typing import Any, Callable

from prompt_tracking.analytics import sql
from prompt_tracking.analytics.database import sections_from_database
from prompt_tracking.analytics.groups import NeedsRecords

logger = logging.getLogger(__name__)
READ_WAIT = 0.1  # seconds to wait for the writer before using the record path instead
BUSY_TIMEOUT_MS = 2000


def _sqlite_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_database(source: Any) -> tuple[Any, sql.Dialect] | None:
    """A connection and dialect for `source`, or None when the record path must be used."""
    hook = getattr(source, "analytics_connection", None)
    if callable(hook):
        opened = hook()
        if opened is None:
            return None
        conn, dialect = opened
        return conn, sql.DIALECTS[dialect]
    if getattr(source, "database_url", None):
        return None  # a shared store without the hook: its rows are not in db_path
    path, flush, records = (getattr(source, name, None) for name in ("db_path", "flush", "records"))
    if path is None or not callable(flush) or not callable(records):
        return None
    list(records(limit=0))  # starts the writer (and its journal replay) like any read
    if not flush(READ_WAIT):
        return None  # writes still pending: the record path merges them
    if not Path(path).exists():
        return None
    return _sqlite_connection(Path(path)), sql.SQLITE


def _in_snapshot(conn: Any, dialect: sql.Dialect, fn: Callable[[], Any]) -> Any:
    """Run all queries in one read transaction so the sections agree with each other."""
    conn.cursor().execute("BEGIN" if dialect.name == "sqlite" else
                          "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        return fn()
    finally:
        conn.cursor().execute("ROLLBACK")


def database_sections(source: Any, filters: sql.Filters, *,
                      min_samples: int) -> dict[str, Any] | None:
    """The analytics sections computed in the database, or None to use the record path."""
    try:
        opened = open_database(source)
    except Exception:  # no database to use: the record path still answers
        logger.debug("analytics: no database for %r", type(source).__name__, exc_info=True)
        return None
    if opened is None:
        return None
    conn, dialect = opened
    try:
        return _in_snapshot(conn, dialect, lambda: sections_from_database(
            conn, dialect, filters, min_samples=min_samples))
    except NeedsRecords as exc:
        logger.debug("analytics: using records (%s)", exc)
    except Exception:  # e.g. JSON the database cannot parse; the record path decodes it
        logger.debug("analytics: database queries failed, using records", exc_info=True)
    finally:
        conn.close()
    return None
