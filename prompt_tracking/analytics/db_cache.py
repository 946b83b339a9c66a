"""Results of local database analytics, kept while the SQLite file has not changed.

The analytics window recomputes after every change and on every filter switch. SQLite's
`PRAGMA data_version` tells, on one open connection, whether any other connection has
committed since it was last asked; so one idle read-only connection per file (it holds no
lock and no transaction, so it never blocks the writer or a checkpoint) is enough to know
exactly when a cached answer is still the answer. A file replaced under the same path is
a new inode and gets a new watch.
"""
from __future__ import annotations

import copy
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

MAX_FILES = 4
MAX_RESULTS = 8  # per file: a few filter combinations of the analytics window


class Watch:
    """One idle connection on a SQLite file and the results computed at each version."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True,
                                     isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._results: OrderedDict[Any, tuple[int, dict[str, Any]]] = OrderedDict()

    def version(self) -> int:
        """A number that changes whenever another connection commits to the file."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def cached(self, version: int, key: Any) -> dict[str, Any] | None:
        """A copy of the sections stored for `key` at `version`, or None."""
        with self._lock:
            found = self._results.get(key)
            if found is None or found[0] != version:
                return None
            self._results.move_to_end(key)
            sections = found[1]
        return copy.deepcopy(sections)  # callers may change what they get (risk_model)

    def store(self, version: int, key: Any, sections: dict[str, Any]) -> None:
        """Keep a copy of `sections` as the answer for `key` at `version`."""
        kept = copy.deepcopy(sections)
        with self._lock:
            self._results[key] = (version, kept)
            self._results.move_to_end(key)
            while len(self._results) > MAX_RESULTS:
                self._results.popitem(last=False)

    def close(self) -> None:
        with self._lock:
            self._results.clear()
            self._conn.close()


_watches: OrderedDict[tuple[str, int, int], Watch] = OrderedDict()
_lock = threading.Lock()


def watched(path: Path) -> Watch:
    """The watch of the SQLite file at `path` (opened on first use, at most MAX_FILES kept)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_dev, stat.st_ino)
    with _lock:
        watch = _watches.get(key)
        if watch is None:
            watch = _watches[key] = Watch(path)
        _watches.move_to_end(key)
        while len(_watches) > MAX_FILES:
            _watches.popitem(last=False)[1].close()
    return watch


def clear() -> None:
    """Close every watch and forget every result (tests and benchmarks start cold)."""
    with _lock:
        while _watches:
            _watches.popitem()[1].close()
