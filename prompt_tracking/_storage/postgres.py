"""The shared (team) store on PostgreSQL, with the same methods the writer uses on `SQLiteStore`.

The tracker still journals every op locally first; this store only receives the writer's
batches. Writes are idempotent (inserts keyed by record id, edits stamped with their time
and rater id, the newest edit per field wins), so a batch re-sent after a lost reply, or
replayed from a journal after a crash, changes nothing the second time.

Connection faults surface as `SharedStoreUnavailableError`, an `OSError`, which the writer
already treats as "retry later, keep the records": no writer change is needed for offline
operation. Every message passes through `DatabaseURL.scrub`, so no password is logged.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prompt_tracking._storage import pg_schema
from prompt_tracking._storage.pg_writes import INSERT_SQL, RATING_SQL, UPDATE_SQL, insert_params, \
    op_time, rating_params, update_params
from prompt_tracking._storage.pgurl import DatabaseURL, require_psycopg
from prompt_tracking._storage.rows import keyset_pages
from prompt_tracking._storage.summary import summarize
from prompt_tracking.query import RecordQuery
from prompt_tracking.records import PromptRecord, with_derived_metadata

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
# After a failed connection, reads fail at once for this long: a Tk-thread read must not
# wait for a connect timeout again and again while the server is away.
READ_COOLDOWN = 2.0
# Wrong password or missing database will not fix itself within seconds: retry slowly.
CONFIG_COOLDOWN = 30.0
PAGE_SIZE = 2000
_COLUMNS = ("id", "timestamp", "prompt", "ai_model", "success", "result_url", "save_method",
            "model_parameters", "error_message", "failure_reason", "quality_rating", "feedback",
            "tags", "metadata")
_SELECT = f"SELECT {','.join(_COLUMNS)} FROM records"


class SharedStoreUnavailableError(OSError):
    """The shared store cannot be reached or refuses the connection (message is password-free)."""


def _explain(exc: BaseException) -> tuple[str, bool]:
    """A short reason for a connection failure and whether it is a configuration problem."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = str(exc).lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return "wrong user or password (password authentication failed)", True
    if "does not exist" in low and "database" in low:
        return text.split("FATAL:")[-1].strip(), True
    if "role" in low and "does not exist" in low:
        return text.split("FATAL:")[-1].strip(), True
    return text, False


def pg_where(query: RecordQuery) -> tuple[str, list[Any]]:
    """`RecordQuery.to_sql()` in PostgreSQL's dialect (booleans, `strpos`, `%s`)."""
    where, params = query.to_sql()
    parts = [{"1": "TRUE", "0": "FALSE"}.get(p, p) for p in where.split(" AND ")]
    sql = " AND ".join(parts).replace("instr(", "strpos(").replace("?", "%s")
    return sql, params


def _row_to_record(row: tuple) -> PromptRecord:
    (record_id, timestamp, prompt, ai_model, success, result_url, save_method, parameters,
     error_message, failure_reason, quality_rating, feedback, tags, metadata) = row
    return PromptRecord(record_id, timestamp, prompt, ai_model, bool(success), result_url,
                        save_method, parameters or {}, error_message, failure_reason,
                        quality_rating, feedback, tags or [], metadata or {})


class PostgresStore:
    """A PostgreSQL database shared by several workstations.

    Args:
        url: The parsed database URL.
        rater_id: This installation's random id, stored with each edit it makes.
    """

    def __init__(self, url: DatabaseURL, *, rater_id: str) -> None:
        self.url = url
        self.path = url.masked()   # the writer names its store by `path` in messages
        self.rater_id = rater_id
        self._local = threading.local()
        self._all: list[Any] = []
        self._all_lock = threading.Lock()
        self._writer: Any = None
        self._closed = False
        self._down_until = 0.0
        self._caps: dict[bool, int | None] = {True: None, False: None}
        self.last_write: float | None = None   # when this process last committed a batch

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> Any:
        psycopg = require_psycopg()
        now = time.monotonic()
        if now < self._down_until:
            raise SharedStoreUnavailableError(f"shared store {self.path} is unavailable "
                                              "(retrying shortly)")
        try:
            conn = psycopg.connect(**self.url.connect_kwargs(connect_timeout=CONNECT_TIMEOUT),
                                   autocommit=True)
        except psycopg.Error as exc:
            reason, config = _explain(exc)
            self._down_until = now + (CONFIG_COOLDOWN if config else READ_COOLDOWN)
            raise SharedStoreUnavailableError(
                f"shared store {self.path}: {self.url.scrub(reason)}") from None
        with self._all_lock:
            self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def _faults(self, conn_attr: str | None) -> Iterator[None]:
        """Turn a lost connection into `SharedStoreUnavailableError` and drop that connection."""
        psycopg = require_psycopg()
        try:
            yield
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            self._drop(conn_attr)
            raise SharedStoreUnavailableError(
                f"shared store {self.path}: {self.url.scrub(_explain(exc)[0])}") from None
        except psycopg.Error as exc:
            raise ValueError(f"shared store {self.path} refused a change: "
                             f"{self.url.scrub(str(exc))}") from None

    def _drop(self, conn_attr: str | None) -> None:
        conn = self._writer if conn_attr == "writer" else getattr(self._local, "conn", None)
        if conn_attr == "writer":
            self._writer = None
        else:
            self._local.conn = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _reader(self) -> Any:
        if self._closed:
            raise SharedStoreUnavailableError("the store is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _write_conn(self) -> Any:
        if self._writer is None or self._writer.closed:
            self._writer = self._connect()
        return self._writer

    def open(self) -> None:
        """Connect, create or upgrade the schema (once, under an advisory lock), read the caps.

        Raises:
            SharedStoreUnavailableError: the server is unreachable or refuses the login.
            DriverMissingError: psycopg is not installed.
        """
        conn = self._write_conn()
        with self._faults("writer"):
            pg_schema.upgrade(conn, applied_by=self.rater_id)
            for key, value in conn.execute("SELECT key, value FROM store_settings"):
                if key in ("max_successful", "max_failed") and (value is None or isinstance(value, int)):
                    self._caps[key == "max_successful"] = value
        log.info("prompt-tracking: using the shared store %s", self.path)

    def close_writer(self) -> None:
        self._drop("writer")

    def analytics_connection(self) -> tuple[Any, str]:
        """A new connection for the analytics aggregate queries, and its SQL dialect.

        The caller owns (and closes) it; it is not one of the store's pooled connections.

        Raises:
            SharedStoreUnavailableError: the store is closed or the server unreachable.
        """
        if self._closed:
            raise SharedStoreUnavailableError("the store is closed")
        conn = self._connect()
        with self._all_lock:
            self._all.remove(conn)
        return conn, "postgresql"

    def close(self) -> None:
        """Close every connection this store opened (reads from other threads then fail)."""
        self._closed = True
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(Exception):
                conn.close()

    # -- writes ----------------------------------------------------------------------------
    def checkpoint(self) -> bool:
        """A server commit is durable on the server: the journal may be cut at once."""
        return True

    def is_linked(self) -> bool:
        """A server database cannot be deleted from under us the way a local file can."""
        return True

    def apply(self, ops: list[dict[str, Any]], *,
              pause: Callable[[], None] | None = None) -> list[dict[str, Any]]:
        """Apply insert/update ops in order, in one transaction (idempotent, last edit wins).

        Returns:
            Always empty: an update of a record the store does not hold changes nothing
            (on a shared store, retention never races a workstation's edit into the archive).
        """
        conn = self._write_conn()
        with self._faults("writer"), conn.transaction(), conn.cursor() as cur:
            for kind, run in _runs(ops):
                if kind == "insert":
                    records = [with_derived_metadata(op["record"]) for op in run]
                    cur.executemany(INSERT_SQL, [insert_params(r, self.rater_id) for r in records])
                    rated = [rating_params(r["id"], self.rater_id, r.get("quality_rating"),
                                           _rated_at(r)) for r in records
                             if r.get("quality_rating") is not None]
                else:
                    cur.executemany(UPDATE_SQL, [update_params(op, self.rater_id) for op in run])
                    rated = [rating_params(op["id"], self.rater_id,
                                           op["fields"]["quality_rating"], op_time(op))
                             for op in run if "quality_rating" in op.get("fields", {})]
                if rated:
                    cur.executemany(RATING_SQL, rated)
        self.last_write = time.time()
        return []

    def insert_many(self, records: Iterable[PromptRecord]) -> int:
        """Insert records, ignoring known ids; returns how many were new."""
        conn = self._reader()
        inserted = 0
        with self._faults("reader"), conn.transaction(), conn.cursor() as cur:
            batch: list[dict[str, Any]] = []
            for record in records:
                batch.append(record.to_dict())
                if len(batch) >= 1000:
                    inserted += self._insert_batch(cur, batch)
                    batch = []
            inserted += self._insert_batch(cur, batch)
        return inserted

    def _insert_batch(self, cur: Any, batch: list[dict[str, Any]]) -> int:
        if not batch:
            return 0
        cur.executemany(INSERT_SQL + " RETURNING id",
                        [insert_params(r, self.rater_id) for r in batch], returning=True)
        new = 0
        while True:
            new += len(cur.fetchall())
            if not cur.nextset():
                break
        rated = [rating_params(r["id"], self.rater_id, r["quality_rating"], _rated_at(r))
                 for r in batch if r.get("quality_rating") is not None]
        if rated:
            cur.executemany(RATING_SQL, rated)
        return new

    def delete(self, ids: list[str]) -> None:
        conn = self._write_conn()
        with self._faults("writer"), conn.transaction():
            conn.execute("DELETE FROM records WHERE id = ANY(%s)", (ids,))
            conn.execute("DELETE FROM ratings WHERE record_id = ANY(%s)", (ids,))

    # -- reads -----------------------------------------------------------------------------
    def _fetch(self, sql: str, params: Iterable[Any]) -> list[tuple]:
        with self._faults("reader"):
            return self._reader().execute(sql, list(params)).fetchall()

    def get(self, record_id: str) -> PromptRecord | None:
        rows = self._fetch(f"{_SELECT} WHERE id = %s", [record_id])
        return _row_to_record(rows[0]) if rows else None

    def query(self, query: RecordQuery, *, newest_first: bool = True,
              limit: int | None = None) -> Iterator[PromptRecord]:
        """Records matching `query`, paged by (timestamp, id)."""
        where, params = pg_where(query)
        rows = keyset_pages(self._fetch, _SELECT, where, params, placeholder="%s",
                            newest_first=newest_first, limit=limit, page_size=PAGE_SIZE)
        return (_row_to_record(row) for row in rows)

    def count(self, query: RecordQuery | None = None) -> int:
        where, params = pg_where(query or RecordQuery())
        return int(self._fetch(f"SELECT COUNT(*) FROM records WHERE {where}", params)[0][0])

    def stats(self, query: RecordQuery | None = None) -> dict[str, Any]:
        """Counts by outcome, model and failure reason, with success rate and average rating."""
        where, params = pg_where(query or RecordQuery())
        rows = self._fetch(
            "SELECT ai_model, COUNT(*), SUM(success), COUNT(quality_rating), "
            f"AVG(quality_rating)::float8 FROM records WHERE {where} GROUP BY ai_model "
            "ORDER BY COUNT(*) DESC, ai_model", params)
        reasons = self._fetch(
            f"SELECT failure_reason, COUNT(*) FROM records WHERE ({where}) AND success = 0 "
            "GROUP BY failure_reason ORDER BY COUNT(*) DESC, failure_reason", params)
        return summarize([(m, int(n), int(ok or 0), int(r), a) for m, n, ok, r, a in rows],
                         [(reason, int(n)) for reason, n in reasons])

    def freshness(self) -> float | None:
        """Epoch time of the newest record any workstation delivered (None: empty store)."""
        row = self._fetch("SELECT EXTRACT(EPOCH FROM MAX(received_at))::float8 FROM records", [])
        return row[0][0]

    # -- retention (per store, not per workstation) ------------------------------------------
    def over_cap(self, success: bool, cap: int | None, *, limit: int | None = None,
                 exclude: frozenset[str] = frozenset()) -> list[PromptRecord]:
        """Like `SQLiteStore.over_cap`, but the cap is the store's own (`set_caps`).

        A workstation's cap is ignored here: one artist's small local default must not
        evict the whole team's history. The store's default is no cap.
        """
        cap = self._caps[success]
        if cap is None:
            return []
        total = int(self._fetch("SELECT COUNT(*) FROM records WHERE success = %s",
                                [int(success)])[0][0])
        excess = total - cap if limit is None else min(total - cap, limit)
        if excess <= 0:
            return []
        rows = self._fetch(
            f"{_SELECT} WHERE success = %s ORDER BY (quality_rating IS NOT NULL OR "
            "COALESCE(save_method = 'user_save', FALSE)), timestamp, id LIMIT %s",
            [int(success), excess + len(exclude)])
        return [_row_to_record(r) for r in rows if r[0] not in exclude][:excess]

    def caps(self) -> dict[str, int | None]:
        """The store's retention caps as read at open or last set (None: keep everything)."""
        return {"max_successful": self._caps[True], "max_failed": self._caps[False]}

    def set_caps(self, *, max_successful: int | None, max_failed: int | None) -> None:
        """Set the store's retention caps for every workstation (None: keep everything)."""
        from psycopg.types.json import Jsonb

        conn = self._write_conn()
        with self._faults("writer"), conn.transaction():
            for key, value in (("max_successful", max_successful), ("max_failed", max_failed)):
                conn.execute("INSERT INTO store_settings (key, value) VALUES (%s, %s) ON CONFLICT "
                             "(key) DO UPDATE SET value = EXCLUDED.value", (key, Jsonb(value)))
        self._caps = {True: max_successful, False: max_failed}


def _runs(ops: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Consecutive ops of one kind together (order across kinds is kept)."""
    run: list[dict[str, Any]] = []
    kind = ""
    for op in ops:
        if op.get("op") not in ("insert", "update"):
            continue
        if op["op"] != kind and run:
            yield kind, run
            run = []
        kind = op["op"]
        run.append(op)
    if run:
        yield kind, run


def _rated_at(record: dict[str, Any]) -> float:
    value = (record.get("metadata") or {}).get("rated_at")
    return float(value) if isinstance(value, (int, float)) else float(record["timestamp"])
