"""Read-only access to a store file and online backups, for migration's dry runs and checks."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from prompt_tracking._storage.paths import touch_private_file


class ReadOnlyStore:
    """A read-only view of a store file: never creates it, its WAL files or a write lock.

    Used where nothing may be written (a migration's dry run, duplicate checks).

    Raises:
        sqlite3.Error: the file exists but cannot be read as a store.
    """

    def __init__(self, path: Path) -> None:
        # mode=ro: a dry run must not even create the WAL files of a store.
        self._conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 2000")
        self._conn.execute("SELECT 1 FROM records LIMIT 1")

    def counts_by_outcome(self) -> dict[bool, int]:
        counts = {True: 0, False: 0}
        for success, count in self._conn.execute(
                "SELECT success, COUNT(*) FROM records GROUP BY success"):
            counts[bool(success)] = count
        return counts

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):  # stay under SQLite's parameter limit
            part = ids[start:start + 500]
            found.update(row[0] for row in self._conn.execute(
                f"SELECT id FROM records WHERE id IN ({','.join('?' * len(part))})", part))
        return found

    def close(self) -> None:
        self._conn.close()


def backup_database(source: Path, target: Path) -> None:
    """Copy a live store to `target` with SQLite's online backup (consistent under writes)."""
    touch_private_file(target)
    conn, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        conn.backup(copy)
    finally:
        copy.close()
        conn.close()
