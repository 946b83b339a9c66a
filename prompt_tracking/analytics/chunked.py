"""Analytics folded per week of record time, each week's fold kept until that week changes.

A refresh of the analytics window after one new record or one rating recomputes one week
and adds the kept folds of all others, instead of reading every record again. The
database says which weeks changed (`_storage.chunks`: versions kept by triggers on SQLite,
row count and highest `rev` on PostgreSQL), so a write by any process invalidates exactly
the weeks it touched. Folds are exact: counts and sums add, newest times take the max,
and retries (which follow each model from one record to the next) carry the state at a
week's end into the next week; a kept fold is used only when it was computed from that
same state. A week cut by a `since`/`until` filter is computed fresh and not kept.
"""
from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from prompt_tracking._storage.chunks import (PG_VERSIONS, SQLITE_VERSIONS, bucket_range)
from prompt_tracking.analytics import sql
from prompt_tracking.analytics.database import Fold, fold_database, TERMS
from prompt_tracking.analytics.db_parameters import _order as parameter_order
from prompt_tracking.analytics.fold_cache import FoldCache
from prompt_tracking.analytics.patterns import PatternCounter
from prompt_tracking.analytics.retries import RetryCounter

logger = logging.getLogger(__name__)


#: Below this many records per week on average (a sparse history spread over decades), one
#: pass over the rows costs less than opening every week's fold.
MIN_ROWS_PER_WEEK = 30


class WeeksUnavailable(Exception):
    """The weeks do not add up to the filtered rows; the caller computes in one pass."""

_SUM, _MIN, _MAX = "sum", "min", "max"
#: Per aggregate: how many leading columns are the group key, and how the others add up.
_TRAIT_KEYS = 2 + len(sql.BIN_EDGES)
_SPECS: dict[str, tuple[int, tuple[str, ...] | None]] = {
    "cube": (5, (_SUM, _MIN, _MAX)),
    "days": (1, (_SUM, _SUM, _SUM, _SUM)),
    "traits": (_TRAIT_KEYS, None),  # every value column is a sum
    "error_codes": (3, (_SUM, _MAX)),
    "parameters": (4, (_SUM, _SUM, _SUM, _SUM, _MAX, _SUM, _SUM)),
}


def _combine(op: str, a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b if op == _SUM else (a if a <= b else b) if op == _MIN else (a if a >= b else b)


def _sort_key(row: tuple, width: int) -> tuple:
    return tuple((v is None, type(v).__name__, 0 if v is None else v) for v in row[:width])


class _Rows:
    """The rows of one aggregate, summed by group key across weeks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.width, self.ops = _SPECS[name]
        self.groups: dict[tuple, list] = {}

    def add(self, rows: list) -> None:
        width, groups = self.width, self.groups
        for row in rows:
            key = tuple(row[:width])
            values = groups.get(key)
            if values is None:
                groups[key] = list(row[width:])
                continue
            ops = self.ops or (_SUM,) * len(values)
            for i, op in enumerate(ops):
                values[i] = _combine(op, values[i], row[width + i])

    def rows(self) -> list[tuple]:
        rows = [(*key, *values) for key, values in self.groups.items()]
        if self.name == "parameters":
            return sorted(rows, key=lambda r: parameter_order((r[:4],)))
        return sorted(rows, key=lambda r: _sort_key(r, self.width))


class Merger:
    """Adds week folds, oldest week first, into one `Fold`."""

    def __init__(self) -> None:
        self.rows = {name: _Rows(name) for name in _SPECS}
        self.patterns = PatternCounter()
        self.retries = RetryCounter(TERMS)
        self.n = 0

    def add(self, fold: Fold) -> None:
        for name, merged in self.rows.items():
            merged.add(fold.rows.get(name, []))
        self.patterns.absorb(fold.patterns)
        self.retries.absorb(fold.retries)  # its `last` is now the newest week's end state
        self.n += fold.n

    def fold(self) -> Fold:
        return Fold({name: merged.rows() for name, merged in self.rows.items()},
                    self.patterns, self.retries, self.n)


def state_key(last: dict) -> str:
    """A fingerprint of a retry state (the rows before a week)."""
    text = json.dumps(sorted((str(k), list(v)) for k, v in last.items()), default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _versions(conn: Any, dialect: sql.Dialect) -> dict[int, str]:
    query = SQLITE_VERSIONS if dialect.name == "sqlite" else PG_VERSIONS
    return {int(b): str(v) for b, v in sql.fetch(conn, (query, []))}


def _count(conn: Any, dialect: sql.Dialect, filters: sql.Filters) -> int:
    where, params = filters.where(dialect)
    return int(sql.fetch(conn, (f"SELECT COUNT(*) FROM records WHERE {where}", params))[0][0])


def _clip(filters: sql.Filters, since: float | None,
          until: float | None) -> tuple[sql.Filters, bool] | None:
    """The filters of one week, and whether the week is cut by them; None when outside."""
    lo, hi = filters.since, filters.until
    if lo is not None and until is not None and until <= lo:
        return None
    if hi is not None and since is not None and since >= hi:
        return None
    cut_lo = lo is not None and (since is None or lo > since)
    cut_hi = hi is not None and (until is None or hi < until)
    week = sql.Filters(filters.models, lo if cut_lo else since, hi if cut_hi else until,
                       filters.outcome)
    return week, cut_lo or cut_hi


def chunked_fold(conn: Any, dialect: sql.Dialect, filters: sql.Filters, cache: FoldCache,
                 scope: str, *, aggregate_conn: Any = None) -> Fold:
    """The `Fold` of the rows passing `filters`, from kept week folds where they still hold.

    Args:
        conn: A connection inside a read transaction (the versions are read in it too).
        cache: Where week folds are kept; `scope` names the store and the filters.

    Raises:
        WeeksUnavailable: the weeks do not add up to the filtered rows (a row outside
            every week, e.g. written by a version without the version table).
    """
    versions = _versions(conn, dialect)
    total = _count(conn, dialect, filters)
    if total < MIN_ROWS_PER_WEEK * len(versions):
        raise WeeksUnavailable(f"{total} records over {len(versions)} weeks: one pass is cheaper")
    merger = Merger()
    computed = 0
    with ThreadPoolExecutor(1, thread_name_prefix="analytics-sql") as pool:
        for bucket in sorted(versions):
            clipped = _clip(filters, *bucket_range(bucket))
            if clipped is None:
                continue
            week, cut = clipped
            before = state_key(merger.retries.last)
            fold = None if cut else cache.get(scope, bucket, versions[bucket], before)
            if fold is None:
                fold = fold_database(conn, dialect, week, aggregate_conn=aggregate_conn,
                                     pool=pool, last=merger.retries.last)
                computed += 1
                if not cut:
                    cache.put(scope, bucket, versions[bucket], before, fold)
            merger.add(fold)
    if merger.n != total:
        raise WeeksUnavailable(f"weeks hold {merger.n} of {total} records")
    logger.debug("analytics: %d of %d weeks computed", computed, len(versions))
    cache.flush()
    return merger.fold()
