"""The store side of a migration: which ids are known already, and the backup before writing.

Both go through `store.py` (read-only view, online backup), so a dry run writes nothing and
the tracker's writer is never blocked for long.
"""
from __future__ import annotations

import gzip
import json
import logging
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from prompt_tracking._storage import paths
from prompt_tracking.errors import StoreUnavailableError
from prompt_tracking._storage.store import ReadOnlyStore, backup_database

log = logging.getLogger(__name__)

BACKUP_DIR = "backups"


class KnownIds:
    """Which ids the store or its archive already holds, read without writing anything."""

    def __init__(self, db_path: Path, archive_path: Path) -> None:
        self.db_path = db_path
        self.archive_path = archive_path
        self._store: ReadOnlyStore | None = None
        self._archived: set[str] | None = None
        self.counts_before = {True: 0, False: 0}
        store = self._open()
        if store is not None:
            self.counts_before = store.counts_by_outcome()

    def _open(self) -> ReadOnlyStore | None:
        if self._store is None and self.db_path.exists():
            try:
                self._store = _QuietStore(self.db_path)
            except sqlite3.Error as exc:
                raise StoreUnavailableError(f"cannot read the store at {self.db_path}: {exc}") \
                    from exc
        return self._store

    def present(self, ids: list[str]) -> set[str]:
        store = self._open()
        found = store.existing_ids(ids) if store is not None else set()
        archived = self._archived_ids()
        found.update(i for i in ids if i in archived)
        return found

    def _archived_ids(self) -> set[str]:
        if self._archived is None:
            self._archived = set()
            if self.archive_path.exists():
                try:
                    self._archived = read_archive_ids(self.archive_path)
                except (OSError, EOFError, gzip.BadGzipFile) as exc:
                    log.warning("prompt-tracking: cannot read the archive %s (%s); records in it "
                                "may be imported again", self.archive_path, exc)
        return self._archived

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class SharedKnownIds:
    """`KnownIds` of a tracker on a shared store: the server holds the records, not the
    data dir, so counts and known ids are read through the tracker."""

    def __init__(self, tracker: Any) -> None:
        self.tracker = tracker
        stats = tracker.stats()
        self.counts_before = {True: int(stats["successful"]), False: int(stats["failed"])}

    def present(self, ids: list[str]) -> set[str]:
        return {record.id for record in self.tracker.records(ids=ids)}

    def close(self) -> None:
        pass


class _QuietStore(ReadOnlyStore):
    """A `ReadOnlyStore` that creates, changes and deletes no file in the data dir.

    SQLite's `mode=ro` on a WAL store creates the `-wal`/`-shm` files when they are
    missing, and, as the last connection, deletes them on close. So: without a `-wal`,
    nothing is pending and the file is opened `immutable` (touches nothing); with one,
    the store and its WAL are copied to a private temporary folder and the copy is read.
    """

    def __init__(self, path: Path) -> None:  # noqa: D107 - see the class
        path = Path(path).resolve()
        wal = path.with_name(path.name + "-wal")
        self._copy: Path | None = None
        if wal.exists():
            self._copy = Path(tempfile.mkdtemp(prefix="prompt-tracking-dry-run-"))
            target = self._copy / path.name
            shutil.copyfile(path, target)
            try:
                shutil.copyfile(wal, target.with_name(target.name + "-wal"))
            except FileNotFoundError:
                pass   # checkpointed and removed meanwhile: the store file has it all
            uri = f"{target.as_uri()}?mode=ro"
        else:
            uri = f"{path.as_uri()}?immutable=1"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 2000")
        self._conn.execute("SELECT 1 FROM records LIMIT 1")

    def close(self) -> None:
        super().close()
        if self._copy is not None:
            shutil.rmtree(self._copy, ignore_errors=True)
            self._copy = None


def checkpoint_store(db_path: Path) -> bool:
    """Copy the WAL into the store file, so an import does not live only in the WAL.

    A PASSIVE checkpoint from a connection of our own: it never blocks the tracker's
    writer and copies what no reader still needs. A failure is logged, not raised: the
    records are committed either way.

    Returns:
        True if the whole WAL was checkpointed.
    """
    if not db_path.exists():
        return False
    try:
        conn = sqlite3.connect(str(db_path), timeout=2.0)
        try:
            busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.warning("prompt-tracking: checkpoint after the import failed (%s)", exc)
        return False
    return not busy and frames == done


def read_archive_ids(path: Path) -> set[str]:
    """The ids in `archive.jsonl.gz`, streamed (records are not kept in memory)."""
    prefix = b'{"id": "'
    ids: set[str] = set()
    with gzip.open(path, "rb") as handle:
        for line in handle:
            if line.startswith(prefix):         # the writer puts "id" first: skip json.loads
                end = line.find(b'"', len(prefix))
                ids.add(line[len(prefix):end].decode("utf-8", "replace"))
            elif line.strip():
                try:
                    ids.add(str(json.loads(line)["id"]))
                except (ValueError, KeyError, TypeError):
                    continue
    return ids


def backup_store(tracker: Any) -> Path | None:
    """Copy the store to `backups/prompts-<time>.sqlite3` with SQLite's online backup.

    Returns:
        The backup's path; None when there is no store yet (nothing to lose).

    Raises:
        StoreUnavailableError: the backup could not be written (then nothing is imported).
    """
    source_path = Path(tracker.db_path)
    if not source_path.exists():
        return None
    tracker.flush(5.0)
    directory = source_path.parent / BACKUP_DIR
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = directory / f"prompts-{stamp}.sqlite3"
    suffix = 1
    while target.exists():
        suffix += 1
        target = directory / f"prompts-{stamp}-{suffix}.sqlite3"
    try:
        paths.ensure_private_dir(directory)
        backup_database(source_path, target)
    except (sqlite3.Error, OSError) as exc:
        raise StoreUnavailableError(f"cannot back up the store to {target}: {exc}") from exc
    return target
