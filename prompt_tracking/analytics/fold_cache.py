"""Where week folds are kept: in memory, and in a small SQLite file next to the store.

Folds are held compressed, in memory too (decoded on each use, which costs less than a
tenth of folding the rows again), so what a process keeps is a few MB however long the
history. The file lets a new process (the app started again, the `stats` command) add up kept
weeks instead of reading every record. It holds only derived counts and the retry state
at each week's end, never more than the store beside it already holds, and it is only a
cache: anything unreadable in it (another version, a broken or hostile file) is dropped
and computed again, and a data dir that cannot be written keeps folds in memory only.
Entries are JSON (compressed), never pickles, so reading a planted file runs no code.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import zlib
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

from prompt_tracking._storage.paths import touch_private_file
from prompt_tracking.analytics.database import TERMS, Fold
from prompt_tracking.analytics.patterns import PatternCounter
from prompt_tracking.analytics.retries import RetryCounter

logger = logging.getLogger(__name__)

FILE_NAME = "analytics-cache.sqlite3"
FORMAT = 1  # bump when the fold's plain form changes: older entries are then dropped
MAX_IN_MEMORY = 4000  # weeks over all scopes (a scope is one store and filter choice)
MAX_SCOPES_ON_DISK = 16


def fold_to_plain(fold: Fold) -> dict[str, Any]:
    """A fold as JSON-ready data (what the cache keeps)."""
    p, r = fold.patterns, fold.retries
    return {
        "rows": fold.rows, "n": fold.n,
        "patterns": {"counts": p.counts, "sizes": p.sizes, "high": p.high, "low": p.low,
                     "n_high": p.n_high, "n_low": p.n_low},
        "retries": {**{name: getattr(r, name) for name in RetryCounter.COUNTS}, "tries": r.tries,
                    "last": r.last},
    }


def fold_from_plain(data: dict[str, Any]) -> Fold:
    """The fold `fold_to_plain` gave (raises KeyError/TypeError/ValueError on other data)."""
    p = data["patterns"]
    patterns = PatternCounter()
    patterns.counts = {str(label): Counter(c) for label, c in p["counts"].items()}
    patterns.sizes, patterns.high, patterns.low = (Counter(p[k]) for k in ("sizes", "high", "low"))
    patterns.n_high, patterns.n_low = int(p["n_high"]), int(p["n_low"])
    r = data["retries"]
    retries = RetryCounter(TERMS)
    for name in RetryCounter.COUNTS:
        setattr(retries, name, int(r[name]))
    retries.tries = {str(k): int(v) for k, v in r["tries"].items()}
    retries.last = {str(model): tuple(state) for model, state in r["last"].items()}
    rows = {str(name): [tuple(row) for row in rows] for name, rows in data["rows"].items()}
    return Fold(rows, patterns, retries, int(data["n"]))


_SCHEMA = ("CREATE TABLE IF NOT EXISTS folds (scope TEXT NOT NULL, bucket INTEGER NOT NULL, "
           "version TEXT NOT NULL, before TEXT NOT NULL, state BLOB NOT NULL, "
           "used REAL NOT NULL, PRIMARY KEY (scope, bucket))")


class FoldCache:
    """Week folds by (scope, week), each valid for one version and one retry state before it.

    Thread-safe; `path` None keeps folds in memory only.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: OrderedDict[tuple[str, int], tuple[str, str, bytes]] = OrderedDict()
        self._loaded: set[str] = set()
        self._pending: dict[tuple[str, int], tuple[str, str, bytes]] = {}

    # -- memory --------------------------------------------------------------------------
    def get(self, scope: str, bucket: int, version: str, before: str) -> Fold | None:
        """The kept fold, or None when there is none for this version and state."""
        self._load(scope)
        with self._lock:
            found = self._memory.get((scope, bucket))
            if found is None or found[0] != version or found[1] != before:
                return None
            self._memory.move_to_end((scope, bucket))
            blob = found[2]
        try:
            return fold_from_plain(json.loads(zlib.decompress(blob)))
        except Exception:
            logger.debug("analytics cache: dropping an unreadable week", exc_info=True)
            with self._lock:
                self._memory.pop((scope, bucket), None)
            return None

    def put(self, scope: str, bucket: int, version: str, before: str, fold: Fold) -> None:
        """Keep `fold` (written to disk by `flush`)."""
        blob = zlib.compress(json.dumps(fold_to_plain(fold), separators=(",", ":")).encode(), 1)
        with self._lock:
            self._memory[(scope, bucket)] = (version, before, blob)
            self._memory.move_to_end((scope, bucket))
            while len(self._memory) > MAX_IN_MEMORY:
                self._memory.popitem(last=False)
            if self.path is not None:
                self._pending[(scope, bucket)] = (version, before, blob)

    def clear_memory(self) -> None:
        """Forget what is in memory (the file stays): a new process starts like this."""
        with self._lock:
            self._memory.clear()
            self._loaded.clear()
            self._pending.clear()

    # -- disk ----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        if not self.path.exists():
            touch_private_file(self.path)
        conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None)
        if conn.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
            conn.execute("DROP TABLE IF EXISTS folds")
            conn.execute(f"PRAGMA user_version = {FORMAT}")
        conn.execute(_SCHEMA)
        return conn

    def _broken(self, action: str) -> None:
        logger.debug("analytics cache %s: cannot %s, keeping folds in memory", self.path,
                     action, exc_info=True)
        try:
            if self.path is not None and self.path.exists():
                self.path.unlink()  # a broken cache is only a slower next start
        except OSError:
            self.path = None

    def _load(self, scope: str) -> None:
        if self.path is None or scope in self._loaded:
            return
        self._loaded.add(scope)
        try:
            conn = self._connect()
            try:
                rows = conn.execute("SELECT bucket, version, before, state FROM folds "
                                    "WHERE scope = ?", (scope,)).fetchall()
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            self._broken("read")
            return
        with self._lock:
            for bucket, version, before, state in rows:
                if isinstance(bucket, int) and isinstance(state, bytes):
                    self._memory.setdefault((scope, bucket), (str(version), str(before), state))

    def flush(self) -> None:
        """Write the folds kept since the last flush (a failure only costs a later recompute)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending or self.path is None:
            return
        now = time.time()
        try:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR REPLACE INTO folds VALUES (?, ?, ?, ?, ?, ?)",
                    [(scope, bucket, version, before, blob, now)
                     for (scope, bucket), (version, before, blob) in pending.items()])
                conn.execute(f"DELETE FROM folds WHERE scope NOT IN (SELECT scope FROM folds "
                             f"GROUP BY scope ORDER BY max(used) DESC "
                             f"LIMIT {MAX_SCOPES_ON_DISK})")
                conn.execute("COMMIT")
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            self._broken("write")


_caches: dict[str, FoldCache] = {}
_caches_lock = threading.Lock()


def cache_for(directory: Path | None) -> FoldCache:
    """The fold cache of a data dir (one per dir per process); None: memory only."""
    key = str(Path(directory).resolve()) if directory is not None else ""
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            path = Path(directory) / FILE_NAME if directory is not None else None
            cache = _caches[key] = FoldCache(path)
        return cache


def clear_memory() -> None:
    """Forget every fold held in memory (tests and benchmarks start like a new process)."""
    with _caches_lock:
        for cache in _caches.values():
            cache.clear_memory()
