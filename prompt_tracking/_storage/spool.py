"""The spool: an append-only journal that makes a log call durable before SQLite is reached.

A log call appends one JSON line to this process's spool file (one `write` syscall, a few
microseconds) and returns; the background writer commits to SQLite later and truncates
the spool once it has caught up. The written bytes sit in the OS page cache, so they
survive a `kill -9` of the process at any moment. Each spool file is held with an
exclusive lock while its process lives; a file whose lock can be taken belongs to a dead
process, and the next tracker to open the store replays it.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

log = logging.getLogger(__name__)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # the first byte's range lock; released when the process ends, like flock
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


class Spool:
    """This process's journal file inside `directory`."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.path = directory / f"{name}.jsonl"
        self._fd: int | None = None

    def open(self) -> None:
        """Create and lock the spool file.

        Raises:
            OSError: the directory is not writable.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # Between our open and our lock, a replaying process may have taken the file for an
        # orphan and unlinked it: only a locked file that is still linked is ours.
        if not _try_lock(fd) or os.fstat(fd).st_nlink == 0:
            os.close(fd)
            raise OSError(f"spool {self.path} is held by another process")
        self._fd = fd

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def append(self, op: dict[str, Any]) -> None:
        """Write one op as a JSON line. Raises OSError (e.g. disk full) for the caller to handle."""
        if self._fd is None:
            raise OSError("spool is not open")
        line = json.dumps(op, ensure_ascii=False, separators=(",", ":")) + "\n"
        os.write(self._fd, line.encode("utf-8", "surrogatepass"))

    def truncate(self) -> None:
        """Forget everything written so far (called once all of it is in SQLite)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)

    def close(self, *, remove: bool) -> None:
        """Release the file; remove it when everything in it was committed."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if remove:
            try:
                os.unlink(self.path)
            except OSError:
                pass
        os.close(fd)  # closing releases the lock, after the unlink so no one replays it twice


def orphaned_spools(directory: Path, own: Path | None) -> Iterator[tuple[Path, list[dict[str, Any]], int]]:
    """Spool files left by dead processes: (path, ops, fd holding its lock).

    The caller applies the ops, then calls `release_orphan(path, fd)`. A torn last line
    (the process died inside a write, so that call never returned) is skipped.
    """
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.jsonl")):
        if own is not None and path == own:
            continue
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        if not _try_lock(fd):
            os.close(fd)
            continue
        if os.fstat(fd).st_nlink == 0:  # another process replayed and unlinked it first
            os.close(fd)
            continue
        yield path, _read_ops(fd, path), fd


def _read_ops(fd: int, path: Path) -> list[dict[str, Any]]:
    """The ops in a locked spool, read through the locked descriptor (not by path)."""
    ops = []
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as handle:
        for number, line in enumerate(handle, 1):
            try:
                ops.append(json.loads(line))
            except ValueError:
                log.warning("prompt-tracking: skipped a torn line %d in %s", number, path)
    return ops


def release_orphan(path: Path, fd: int) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # already gone, or (Windows) still open elsewhere: replaying it again is harmless
    finally:
        os.close(fd)
